/* SPDX-License-Identifier: ISC */
/*
 * report.h: the side door (edges layer).  A supervisor that starts zkd
 * with one end of a socketpair as a descriptor and `zkd -c FD` learns
 * every transition of the server the moment it happens, and commands it,
 * on that one descriptor.  The supervisor never polls its children; this
 * is the contract it relies on.
 *
 * Lines.  Both directions carry lines of printable ASCII (0x20-0x7e),
 * each ended by one LF, at most 1024 bytes with the LF.  A line is a verb
 * and fields separated by spaces; a field is key=value, the key in
 * [a-z0-9_], the value any printable characters but the space.  Numbers
 * are decimal; zxids and session ids are hexadecimal as 0x followed by
 * lowercase digits.  Readers ignore verbs and keys they do not know:
 * messages may gain fields in later releases, never lose or rename one.
 *
 * zkd to supervisor, in the order they can come:
 *
 *	hello sid=N pid=N version=V client=PORT mode=standalone|quorum
 *		First, as soon as the command line and the configuration
 *		are read, before the data directory is loaded.  pid is the
 *		process at start (zkd that daemonises changes it, see ready).
 *	state state=S leader=N epoch=N zxid=0xZ
 *		The server's role changed; S is one of STANDALONE, LOOKING,
 *		FOLLOWING, LEADING, OBSERVING.  leader is the sid of the
 *		leader followed or being, 0 when there is none (STANDALONE,
 *		LOOKING); epoch is the current epoch, zxid the last applied.
 *		A standalone server sends it once, after its data directory
 *		is loaded and before ready.
 *	ready client=PORT pid=N
 *		The server takes clients on PORT; pid is the process serving.
 *	zxid zxid=0xZ
 *		The last applied zxid changed.  At most one per turn of the
 *		event loop, written at the end of the turn with the value
 *		then: never one per transaction.
 *	sessions n=N
 *		The number of live sessions changed (coalesced as zxid; the
 *		count before the first one is 0).
 *	reply id=ID ok [key=value ...]
 *	reply id=ID error=WORD msg=TEXT
 *		The answer to the command ID (TEXT has no spaces).  WORD is
 *		malformed (the line is not a command; id is then "-"),
 *		unknown (no such verb), badarg (missing, unknown or bad
 *		fields), nosession, notserving (an ensemble's server with
 *		no leader now) or lost (the server left broadcast, or shut
 *		down, before the command took effect; it may still do so).
 *	bye status=N
 *		Last, just before a clean exit with status N.  A server
 *		that dies or fails to start sends none: the supervisor sees
 *		end of file and reads the exit status.
 *
 *	phase phase=ELECTION|DISCOVERY|SYNCHRONIZATION|BROADCAST epoch=N
 *	    [sync=DIFF|TRUNC|SNAP|NONE]
 *		In an ensemble: the ZAB phase of the role changed (ELECTION
 *		while LOOKING); epoch is the one being established.  A
 *		learner's BROADCAST says how the leader brought it up to
 *		date.  ready follows BROADCAST once the server takes
 *		clients (again).
 *
 * Reserved for the replicated server (not sent yet):
 *	epoch accepted=N current=N
 *
 * Supervisor to zkd: `ID verb [key=value ...]`, ID being 1 to 64 of
 * [A-Za-z0-9_.:-], echoed by the reply.  Every command gets exactly one
 * reply, in the order the commands came.
 *
 *	ping			reply ok
 *	verbose level=N		set the log verbosity (as -v given N times),
 *				N 0..9; reply ok level=N
 *	expire session=0xS	end the session now, exactly as its timeout
 *				would (its ephemerals deleted, their watches
 *				fired, its connection closed so that the
 *				client sees the session expired); reply ok
 *				session=0xS once its closeSession applied
 *				here, or error=nosession.  In an ensemble any
 *				server takes it: a learner asks the leader
 *				(error=notserving while there is none;
 *				error=lost if the server leaves broadcast
 *				before the txn commits)
 *	fault peers=LIST action=drop|heal
 *	fault peers=LIST action=delay ms=N
 *				In an ensemble: the rule for this server's
 *				links with each peer in LIST (sids separated
 *				by commas, or "all"): drop stops all traffic
 *				both ways, delay holds what we send N ms
 *				(1..3600000), heal ends either (fault.h has
 *				the exact meaning).  reply ok peers=LIST
 *				action=A [ms=N]; error=badarg for a sid that
 *				is no other member, or a standalone server
 *	prefer leader=N		In an ensemble: from now on voter N wins
 *				the election's ties of epoch and zxid (0:
 *				the highest sid does, as in ZooKeeper); the
 *				launcher's elect.  reply ok leader=N, or
 *				error=badarg for a sid that is no voter
 *	stats			reply ok sessions=N connections=N zxid=0xZ
 *				nodes=N
 *	quit			reply ok, then bye status=0 and exit 0
 *
 * Commands already written when zkd opens its ensemble (before it sends
 * anything to a peer) are taken then, ahead of any peer traffic: this is
 * how a supervisor gives a server it starts the fault rules of a network
 * that is already cut.
 *
 * Ordering.  A reply is written at the end of the loop turn that read its
 * command (expire's, of the turn its txn applied): after that turn's
 * transactions are durable and applied, and after the zxid and sessions
 * messages they caused.  When the reply to expire arrives, the ephemerals
 * are gone on this server.  Replies keep the order of their commands: one
 * that waits for its txn holds back the replies of later commands.
 *
 * Flow control.  zkd never blocks on the side door.  While more than 1 MiB
 * waits to be written (a supervisor that stopped reading), zxid and
 * sessions messages are held back (the next one carries the value then,
 * so nothing is lost but intermediate values) and commands are not read
 * until the output has drained to half; hello, state, ready, replies and
 * bye are never dropped.
 *
 * End.  End of file or an error on the descriptor means the supervisor is
 * gone: zkd logs one line and shuts down as on SIGTERM (exit 0).  zkd also
 * asks for SIGKILL when its parent dies (PR_SET_PDEATHSIG; SIGKILL, as a
 * paused server acts on no other), so nothing outlives a test.
 */
#ifndef ZK_REPORT_H
#define ZK_REPORT_H

#include <stdint.h>

#define REPORT_LINE_MAX		1024		/* bytes, LF included */
#define REPORT_OUTPUT_HIGH	(1024 * 1024)

struct event_base;

enum report_state {
	REPORT_STANDALONE,
	REPORT_LOOKING,
	REPORT_FOLLOWING,
	REPORT_LEADING,
	REPORT_OBSERVING
};

int	 report_open(struct event_base *, int, char **);
void	 report_hello(int64_t, int, const char *);
void	 report_state(enum report_state, int64_t, int64_t, int64_t);
void	 report_phase(const char *, int64_t, const char *);
void	 report_ready(int);
void	 report_early(void);
void	 report_turn(void);
void	 report_bye(int);

#endif
