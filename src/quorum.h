/* SPDX-License-Identifier: ISC */
/*
 * quorum.h: a server's part in an ensemble at run time (edges layer):
 * the election core over the election port (qcnx), the ZAB core over the
 * quorum port, their timers, and the role changes between them.  The
 * caller gives the durable store (struct zab_store) and is told of every
 * state and phase change; it calls quorum_flush at the end of each loop
 * turn (one sync, then the acks it makes true).  See quorum.c.
 */
#ifndef ZK_QUORUM_H
#define ZK_QUORUM_H

#include <sys/queue.h>

#include <stddef.h>
#include <stdint.h>

#include "election.h"
#include "fault.h"
#include "qcnx.h"
#include "zab.h"

struct bufferevent;
struct event;
struct event_base;
struct evconnlistener;

struct quorum_member {
	int64_t		 sid;
	const char	*host;
	int		 quorum_port;
	int		 election_port;
	int		 observer;
};

struct quorum_config {
	int64_t		 sid;
	const struct quorum_member *members;
	size_t		 nmembers;
	int		 tick;		/* ms */
	int		 init_limit;	/* ticks */
	int		 sync_limit;	/* ticks */
	int		 finalize_wait;	/* ms; 0: ZooKeeper's */
	int		 min_interval;
	int		 max_interval;
	/* Passed on to ZAB (zab.h, struct zab_io), with changed's arg. */
	void		(*other)(void *, int64_t, const struct qpacket *);
	void		(*ping_data)(void *, struct jute_out *);
	void		(*acked)(void *, int64_t, int64_t, const uint8_t *,
			    size_t);
};

struct quorum_link {
	struct quorum	*q;
	struct bufferevent *bev;
	struct fault_link fl;		/* every byte passes through it */
	int64_t		 cid;
	int		 to_leader;	/* our dial to the leader */
	struct quorum_snapin *snapin;	/* a SNAP's body coming in */
	TAILQ_ENTRY(quorum_link) entry;
};

struct quorum {
	struct event_base *base;
	int64_t		 sid;
	struct quorum_member *members;
	size_t		 nmembers;
	int		 observer;
	int		 tick;
	struct election	 e;
	struct zab	 z;
	struct qcnx	 qc;
	struct fault	 fault;		/* the side door's link rules */
	struct event	*elect_ev;	/* the election's timer */
	struct event	*tick_ev;	/* every half tick */
	struct event	*dial_ev;	/* a learner's next dial */
	int		 dial_ms;	/* and how long until it */
	struct evconnlistener *listener;	/* quorum port, leading */
	TAILQ_HEAD(, quorum_link) links;
	int64_t		 next_cid;
	size_t		 max_packet;
	int		 state;		/* enum peer_state */
	int64_t		 leader;
	void		(*changed)(void *, const struct quorum *);
	void		(*other)(void *, int64_t, const struct qpacket *);
	void		(*ping_data)(void *, struct jute_out *);
	void		(*acked)(void *, int64_t, int64_t, const uint8_t *,
			    size_t);
	void		*arg;
};

int	 quorum_open(struct quorum *, struct event_base *,
	    const struct quorum_config *, const struct zab_store *,
	    void (*)(void *, const struct quorum *), void *, char **);
void	 quorum_flush(struct quorum *);
void	 quorum_push(struct quorum *);
void	 quorum_send(struct quorum *, int64_t, const struct qpacket *);
void	 quorum_close(struct quorum *);

#endif
