/* SPDX-License-Identifier: ISC */
/*
 * request.h: a client request on its way through the pipeline, and what the
 * pipeline knows of the client that sent it (pipeline layer).
 *
 * The pipeline never sees sockets.  A client is the part of a connection
 * the stages need: its session, identities, watcher, and callbacks
 * the connection layer implements (send a reply frame, account a finished
 * request, finish a session handshake).  A request whose connection went
 * away keeps running with client == NULL: its txn still applies, nobody is
 * answered.
 */
#ifndef ZK_REQUEST_H
#define ZK_REQUEST_H

#include <sys/queue.h>

#include <stddef.h>
#include <stdint.h>

#include "acl.h"
#include "proto.h"
#include "watch.h"

struct client;
struct request;
struct txn;

struct client_ops {
	/* Queue a reply frame (length prefix included) to the client. */
	void	(*send)(struct client *, const uint8_t *, size_t);
	/* A request of the client got its answer (stats, cons). */
	void	(*finished)(struct client *, const struct request *, int32_t,
		    int64_t);
	/* A new session's txn applied: send the ConnectResponse. */
	void	(*session_ready)(struct client *);
};

struct client {
	const struct client_ops	*ops;
	int64_t			 session_id;
	int32_t			 timeout;
	struct acl_ids		 ids;
	struct watcher		 watcher;
	TAILQ_HEAD(, request)	 requests;	/* in flight, oldest first */
	size_t			 outstanding;
};

struct request {
	TAILQ_ENTRY(request)	 entry;		/* stage queue */
	TAILQ_ENTRY(request)	 by_client;
	struct client		*client;
	int64_t			 session_id;
	int32_t			 xid;
	int32_t			 type;
	uint8_t			*frame;		/* owned; req points into it */
	size_t			 frame_len;
	struct proto_req	 req;
	struct txn		*txn;		/* writes, after prep */
	int32_t			 err;		/* prep's verdict on a read */
	int			 drop;		/* answer nobody (session gone) */
	int64_t			 start_ms;
	int32_t			 timeout;	/* createSession */
	/* In an ensemble (commit.h): */
	struct acl_ids		 ids;		/* a learner's client's ids */
	int			 forwarded;	/* sent to the leader */
	int			 synced;	/* its SYNC came back */
	int64_t			 wait_zxid;	/* a leader's sync: applied
						 * up to here first */
	/*
	 * Told once how the request ended: 1 when the final stage took it
	 * (its txn applied), 0 when it was forgotten before (request_free).
	 */
	void			(*done)(void *, int);
	void			*done_arg;
};

struct request	*request_new(struct client *, int32_t);
void		 request_free(struct request *);
void		 request_done(struct request *, int);
void		 request_detach(struct request *);
void		 client_init(struct client *, const struct client_ops *,
		    void *);
void		 client_orphan_requests(struct client *);

#endif
