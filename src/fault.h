/* SPDX-License-Identifier: ISC */
/*
 * fault.h: the fault layer (quorum layer).  Every byte this server
 * exchanges with a peer, on the election port (qcnx.c) and on the quorum
 * port (quorum.c), passes through it, so that a supervisor can break the
 * links between servers as a network would, without root.  Rules are per
 * peer sid and set on the side door (report.h, fault):
 *
 *   drop	Nothing passes between us and the peer, either way.  What we
 *		send waits here; what the peer sends is not read (it waits in
 *		the kernel, and the peer's writes back up, as TCP's do when
 *		the path loses every packet).  A connection opened meanwhile
 *		carries nothing.  The protocols above see silence, and their
 *		own timeouts act on it: a follower gives up its leader after
 *		syncLimit, a leader its follower, the election hears nothing.
 *   delay MS	What we send to the peer leaves MS milliseconds later, in
 *		order.  Set on both ends, the link has that latency each way.
 *   heal	Back to normal: what waited goes out now (as TCP sends what
 *		the network lost once the path is back), reading resumes.
 *		A connection that a protocol closed meanwhile is gone, and
 *		what waited on it with it.
 *
 * A link whose peer is not known yet (an accepted connection before its
 * election header or its FOLLOWERINFO) passes everything; its owner names
 * the peer with fault_link_identify as soon as it reads who it is, and
 * from then on the peer's rule applies.  Both ends of a link have their
 * own layer: a rule set on one end is enough to cut or slow the link.
 *
 * Invariant: bytes written through a link leave in the order written,
 * each exactly once, or not at all if the link is released first.
 */
#ifndef ZK_FAULT_H
#define ZK_FAULT_H

#include <sys/queue.h>

#include <stddef.h>
#include <stdint.h>

#include <event2/bufferevent.h>

struct event;
struct event_base;
struct evbuffer;

enum fault_action {
	FAULT_HEAL,
	FAULT_DROP,
	FAULT_DELAY
};

struct fault_rule {
	int64_t		 sid;
	int		 drop;
	int		 delay_ms;
};

struct fault_mark;
struct fault_link;

struct fault {
	struct event_base *base;
	struct fault_rule *rules;	/* one per peer */
	size_t		 nrules;
	TAILQ_HEAD(, fault_link) links;
};

struct fault_link {
	struct fault	*f;
	struct bufferevent *bev;
	int64_t		 sid;		/* the peer; -1 until known */
	short		 want;		/* what its owner enabled */
	struct evbuffer	*out;		/* written, not released yet */
	TAILQ_HEAD(fault_mark_head, fault_mark) marks;	/* runs of out, each with its time */
	struct event	*ev;		/* releases out, resumes reading */
	int		 kick;		/* run readcb from ev: input waits */
	bufferevent_data_cb readcb;	/* its owner's, run again on heal */
	void		*arg;
	TAILQ_ENTRY(fault_link) entry;
};

void	 fault_init(struct fault *, struct event_base *, const int64_t *,
	    size_t);
void	 fault_free(struct fault *);
int	 fault_set(struct fault *, int64_t, enum fault_action, int);
const struct fault_rule *fault_rule(const struct fault *, int64_t);

void	 fault_link_init(struct fault_link *, struct fault *,
	    struct bufferevent *, int64_t, bufferevent_data_cb, void *);
void	 fault_link_release(struct fault_link *);
void	 fault_link_identify(struct fault_link *, int64_t);
void	 fault_link_enable(struct fault_link *, short);
void	 fault_link_disable(struct fault_link *, short);
void	 fault_link_write(struct fault_link *, const void *, size_t);
int	 fault_link_holding(const struct fault_link *);

#endif
