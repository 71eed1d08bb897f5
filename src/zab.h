/* SPDX-License-Identifier: ISC */
/*
 * zab.h: ZooKeeper's atomic broadcast, the core (quorum layer): a leader
 * or a learner (follower, observer) after an election, with no sockets,
 * no clock and no files.  The caller moves packets between connections
 * and the core, calls zab_tick every half tick and zab_flush at the end
 * of each loop turn, and gives the core its durable store through
 * struct zab_store.  See zab.c for the protocol and its invariants.
 */
#ifndef ZK_ZAB_H
#define ZK_ZAB_H

#include <stddef.h>
#include <stdint.h>

#include "jute.h"
#include "qproto.h"

#define ZAB_MAX_PEERS		255
#define ZAB_PROTOCOL		0x10000	/* LearnerInfo, LEADERINFO */

enum zab_phase {
	ZAB_ELECTION = 0,
	ZAB_DISCOVERY,
	ZAB_SYNCHRONIZATION,
	ZAB_BROADCAST
};

enum zab_role {
	ZAB_NONE = 0,
	ZAB_LEADER,
	ZAB_FOLLOWER,
	ZAB_OBSERVER
};

/* How a learner was brought up to date (SyncMode). */
enum zab_sync {
	ZAB_SYNC_NONE = 0,
	ZAB_SYNC_DIFF,
	ZAB_SYNC_SNAP,
	ZAB_SYNC_TRUNC
};

/*
 * The server's durable state.  A txn is opaque bytes with its zxid.
 * append buffers; sync makes everything appended durable (it returns
 * only then, and ends the process if it cannot); sync_begin, if set, may
 * do the same in the background: it returns 1 if it did (the owner calls
 * zab_synced once everything appended before it is durable; the core
 * starts no other sync until then) or 0 if it is done; commit applies logged
 * txns up to a zxid, in order; truncate forgets logged, uncommitted txns
 * after a zxid; read calls fn for each logged txn after a zxid, in order
 * (0 if every one after it is there, -1 if some are no longer kept);
 * snapshot and restore move the whole committed state.
 */
struct zab_store {
	void		*arg;
	int64_t		(*last_logged)(void *);
	int64_t		(*last_committed)(void *);
	int64_t		(*accepted_epoch)(void *);
	int64_t		(*current_epoch)(void *);
	void		(*set_accepted_epoch)(void *, int64_t);
	void		(*set_current_epoch)(void *, int64_t);
	int		(*append)(void *, int64_t, const uint8_t *, size_t);
	void		(*sync)(void *);
	int		(*sync_begin)(void *);
	void		(*commit)(void *, int64_t);
	void		(*truncate)(void *, int64_t);
	int		(*read)(void *, int64_t,
			    void (*)(void *, int64_t, const uint8_t *, size_t),
			    void *);
	int64_t		(*oldest)(void *);	/* first zxid read can give */
	void		(*snapshot)(void *, uint8_t **, size_t *);
	int		(*restore)(void *, const uint8_t *, size_t, int64_t);
};

struct zab_io {
	void		*arg;
	/* Send a packet on connection cid (the leader's, for a learner). */
	void		(*send)(void *, int64_t cid, const struct qpacket *);
	/* Close connection cid: the core is done with it. */
	void		(*drop)(void *, int64_t cid);
	/* The role ended: the caller goes back to LOOKING. */
	void		(*lost)(void *, const char *why);
	/* Phase changes, and how a learner was synced. */
	void		(*phase)(void *, int phase, int sync);
	/*
	 * Packets the core does not handle itself: from a learner being
	 * synced or in broadcast (REQUEST, REVALIDATE, and a PING reply,
	 * whose data lists session touches), and from the leader (SYNC,
	 * REVALIDATE).  May be NULL.
	 */
	void		(*other)(void *, int64_t cid, const struct qpacket *);
	/* A learner's PING reply: its data (session touches).  May be NULL. */
	void		(*ping_data)(void *, struct jute_out *);
	/*
	 * Leader: server sid (we too, once our log is synced) acked the
	 * outstanding proposal zxid, whose txn is data.  May be NULL.
	 */
	void		(*acked)(void *, int64_t sid, int64_t zxid,
			    const uint8_t *data, size_t len);
	/*
	 * Send now what was queued to peers, before a sync blocks the loop
	 * (proposals reach followers while our own log syncs).  May be NULL.
	 */
	void		(*push)(void *);
};

struct zab_config {
	int64_t		 sid;
	const int64_t	*voters;
	size_t		 nvoters;
	int		 init_limit;	/* ticks */
	int		 sync_limit;	/* ticks */
	int		 tick_ms;	/* tickTime; 0: 2000 */
};

/* A learner, as the leader sees it. */
struct zab_learner {
	int64_t		 cid;		/* its connection; 0 if none */
	int64_t		 sid;		/* -1 until FOLLOWERINFO */
	int		 observer;
	int		 state;		/* ZL_* in zab.c */
	int64_t		 accepted_epoch;
	int64_t		 last_zxid;	/* from ACKEPOCH */
	int64_t		 acked;		/* highest zxid it acked */
	int		 quiet;		/* half ticks since heard from */
};

struct zab_prop;

struct zab {
	int64_t		 sid;
	int64_t		 voters[ZAB_MAX_PEERS];
	size_t		 nvoters;
	int		 init_limit;
	int		 sync_limit;
	int		 tick_ms;
	struct zab_store st;
	struct zab_io	 io;

	int		 role;
	int		 phase;
	int64_t		 epoch;		/* the epoch being established */
	int		 elapsed;	/* half ticks in this phase */

	/* leader */
	struct zab_learner *learners;
	size_t		 nlearners;
	int64_t		 next_zxid;	/* next proposal's zxid */
	int64_t		 proposed;	/* last zxid proposed */
	int64_t		 self_acked;	/* our own log, synced */
	int64_t		 committed;	/* last zxid committed */
	int		 epoch_fixed;
	struct zab_prop	*props;		/* proposed, not yet committed */
	size_t		 nprops, capprops;

	/* learner */
	int64_t		 leader;	/* sid */
	int64_t		 leader_cid;
	int		 leader_quiet;
	int64_t		*pend_acks;	/* proposals to ack after sync */
	size_t		 npend_acks, cappend_acks;
	int		 pend_newleader;
	int		 newleader_seen;
	int64_t		 sync_commit;	/* committed by the sync, applied
					 * at UPTODATE */
	int64_t		 last_logged;	/* as we append */
	int		 sync_mode;

	/* a sync in the background (zab_synced ends it) */
	int		 syncing;
	int64_t		 sync_upto;	/* leader: covers proposals to here */
	size_t		 sync_nacks;	/* learner: covers these pend_acks */
	int		 sync_newleader;	/* learner: and NEWLEADER */
};

int	 zab_init(struct zab *, const struct zab_config *,
	    const struct zab_store *, const struct zab_io *, char **);
void	 zab_lead(struct zab *);
void	 zab_follow(struct zab *, int64_t, int);
void	 zab_connected(struct zab *, int64_t);
void	 zab_recv(struct zab *, int64_t, const struct qpacket *);
void	 zab_closed(struct zab *, int64_t);
void	 zab_tick(struct zab *);
void	 zab_flush(struct zab *);
void	 zab_synced(struct zab *);
int64_t	 zab_propose(struct zab *, const uint8_t *, size_t);
void	 zab_stop(struct zab *);
void	 zab_count_synced(const struct zab *, size_t *, size_t *);
const char *zab_phase_name(int);

#define ZAB_ZXID(epoch, counter)					\
	((int64_t)(((uint64_t)(epoch) << 32) |				\
	((uint64_t)(counter) & 0xffffffffULL)))
#define ZAB_EPOCH(zxid)		((int64_t)((uint64_t)(zxid) >> 32))
#define ZAB_COUNTER(zxid)	((int64_t)((uint64_t)(zxid) & 0xffffffffULL))

#endif
