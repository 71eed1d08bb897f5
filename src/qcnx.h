/* SPDX-License-Identifier: ISC */
/*
 * qcnx.h: the election port's connections (edges layer), as ZooKeeper's
 * QuorumCnxManager makes them: one TCP connection per pair of servers,
 * opened by the higher sid; length-prefixed frames; the latest message
 * for an unreachable peer kept until a connection exists.  See qcnx.c.
 */
#ifndef ZK_QCNX_H
#define ZK_QCNX_H

#include <sys/queue.h>

#include <stddef.h>
#include <stdint.h>

#include "fault.h"

struct bufferevent;
struct event_base;
struct evconnlistener;

struct qcnx_peer_addr {
	int64_t		 sid;
	const char	*host;
	int		 port;		/* election port */
};

struct qcnx;

struct qcnx_link {
	struct qcnx	*q;
	struct bufferevent *bev;
	struct fault_link fl;		/* every byte passes through it */
	int64_t		 sid;		/* -1 until its header is read */
	int		 outgoing;
	int		 closing;	/* only our header, then close */
	TAILQ_ENTRY(qcnx_link) entry;
};

struct qcnx_peer {
	int64_t		 sid;
	char		 host[256];
	int		 port;
	struct qcnx_link *link;		/* the connection in use */
	struct qcnx_link *dialing;	/* an attempt under way */
	uint8_t		*pending;	/* latest message not yet sent */
	size_t		 pending_len;
	uint8_t		*last;		/* last message sent */
	size_t		 last_len;
	int		 gone;		/* its process is not there */
};

struct qcnx {
	struct event_base *base;
	struct fault	*fault;
	int64_t		 sid;
	char		 addr[300];	/* "host:port" we announce */
	struct qcnx_peer *peers;
	size_t		 npeers;
	struct evconnlistener *listener;
	TAILQ_HEAD(, qcnx_link) links;
	void		(*recv)(void *, int64_t, const uint8_t *, size_t);
	/* A peer was just found gone (may be NULL); see qcnx_reachable. */
	void		(*gone)(void *, int64_t);
	void		*arg;
	uint64_t	 frames_in;
	uint64_t	 frames_out;
	uint64_t	 refused;	/* bad headers and frames */
};

int	 qcnx_open(struct qcnx *, struct event_base *, struct fault *,
	    int64_t, const struct qcnx_peer_addr *, size_t,
	    void (*)(void *, int64_t, const uint8_t *, size_t), void *,
	    char **);
void	 qcnx_send(struct qcnx *, int64_t, const uint8_t *, size_t);
int	 qcnx_reachable(struct qcnx *, int64_t);
void	 qcnx_close(struct qcnx *);

#endif
