/* SPDX-License-Identifier: ISC */
/*
 * election.h: Fast Leader Election, the core (quorum layer).  No sockets,
 * no clock: the caller feeds it notifications and timer expiries, and it
 * answers through struct election_io (send a vote, arm the one timer, a
 * decision was reached).  See election.c for the algorithm.
 */
#ifndef ZK_ELECTION_H
#define ZK_ELECTION_H

#include <stddef.h>
#include <stdint.h>

/* ServerState, numbered as on the wire. */
enum peer_state {
	PEER_LOOKING = 0,
	PEER_FOLLOWING = 1,
	PEER_LEADING = 2,
	PEER_OBSERVING = 3
};

#define ELECTION_MAX_PEERS	255
#define ELECTION_NOTIF_VERSION	2	/* what 3.8 sends */

/* A vote, or a notification's content: who the sender proposes or follows. */
struct vote {
	int64_t		 leader;	/* proposed or established leader */
	int64_t		 zxid;		/* its last logged zxid */
	int64_t		 round;		/* electionEpoch (logical clock) */
	int64_t		 epoch;		/* its peerEpoch (currentEpoch) */
	int		 state;		/* the sender's enum peer_state */
	int		 version;	/* notification format, 0 if none */
};

struct jute_out;

struct election_io {
	void		*arg;
	/* Queue a notification to peer to (never to ourselves). */
	void		(*send)(void *, int64_t to, const struct vote *);
	/* Arm the election timer for ms milliseconds; 0 disarms it. */
	void		(*timer)(void *, int ms);
	/*
	 * The election ended: state is PEER_LEADING, PEER_FOLLOWING or
	 * PEER_OBSERVING, v the vote we leave with.  acks lists the voters
	 * whose votes made the quorum (for checks and logs).
	 */
	void		(*decided)(void *, int state, const struct vote *v,
			    const int64_t *acks, size_t nacks);
	/*
	 * Whether a voter may still speak: 0 only once its connection with
	 * us broke and it has not been heard from since (its process is
	 * gone); a voter never reached counts as reachable.  May be NULL:
	 * every voter then counts as reachable.  election_unreachable is
	 * to be called when one becomes unreachable.
	 */
	int		(*reachable)(void *, int64_t sid);
};

struct election_config {
	int64_t		 sid;
	int		 participant;	/* 0: an observer, never votes */
	const int64_t	*voters;	/* the participants' sids */
	size_t		 nvoters;
	int		 finalize_wait;	/* ms; ZooKeeper: 200 */
	int		 min_interval;	/* ms; ZooKeeper: 200 */
	int		 max_interval;	/* ms; ZooKeeper: 60000 */
};

struct election {
	int64_t		 sid;
	int		 participant;
	int64_t		 voters[ELECTION_MAX_PEERS];
	size_t		 nvoters;
	int		 finalize_wait;
	int		 min_interval;
	int		 max_interval;
	struct election_io io;

	int64_t		 preferred;	/* wins ties of (epoch, zxid); 0: none */
	int		 state;		/* enum peer_state */
	int64_t		 clock;		/* logicalclock */
	struct vote	 proposal;	/* while LOOKING */
	struct vote	 current;	/* what we left the last round with */
	int64_t		 init_zxid;	/* our own vote of this round */
	int64_t		 init_epoch;
	int		 interval;	/* current notification timeout */
	int		 finalizing;	/* quorum seen, waiting finalize_wait */
	int		 joined;	/* the last decision joined an
					 * established leader */

	/* Per voter (index into voters): LOOKING votes of this round and
	 * FOLLOWING/LEADING votes from outside it. */
	struct vote	 recvset[ELECTION_MAX_PEERS];
	uint8_t		 in_recvset[ELECTION_MAX_PEERS];
	struct vote	 outset[ELECTION_MAX_PEERS];
	uint8_t		 in_outset[ELECTION_MAX_PEERS];
	/* The round in which we last answered a voter's worse vote. */
	int64_t		 answered[ELECTION_MAX_PEERS];

	uint64_t	 rounds;	/* elections started */
	uint64_t	 received;	/* notifications taken in */
};

int	 election_init(struct election *, const struct election_config *,
	    const struct election_io *, int64_t, int64_t, char **);
void	 election_look(struct election *, int64_t, int64_t);
void	 election_recv(struct election *, int64_t, const struct vote *);
void	 election_timeout(struct election *);
void	 election_unreachable(struct election *);
void	 election_settle(struct election *, int64_t, int64_t, int64_t);
int	 election_is_voter(const struct election *, int64_t);
int	 election_prefer(struct election *, int64_t);
int	 election_vote_beats(const struct election *, int64_t, int64_t,
	    int64_t, int64_t, int64_t, int64_t);
int	 election_vote_equal(const struct vote *, const struct vote *);
const char *election_state_name(int);
void	 election_put_vote(struct jute_out *, const struct vote *,
	    const char *);
int	 election_get_vote(const uint8_t *, size_t, struct vote *);

#endif
