/* SPDX-License-Identifier: ISC */
/*
 * request.c: requests and the client view of a connection (pipeline layer).
 */
#include <stdlib.h>
#include <string.h>

#include "request.h"
#include "txn.h"
#include "util.h"
#include "xmalloc.h"

/* A request of the given type from client (NULL for internal requests). */
struct request *
request_new(struct client *c, int32_t type)
{
	struct request	*r;

	r = xcalloc(1, sizeof(*r));
	r->type = type;
	r->client = c;
	r->start_ms = util_now_ms();
	if (c != NULL) {
		r->session_id = c->session_id;
		TAILQ_INSERT_TAIL(&c->requests, r, by_client);
		c->outstanding++;
	}
	return r;
}

/* Unlinks a request from its client (it has been answered). */
void
request_detach(struct request *r)
{
	if (r->client == NULL)
		return;
	TAILQ_REMOVE(&r->client->requests, r, by_client);
	r->client->outstanding--;
	r->client = NULL;
}

/* Runs the request's done hook, if it has one still. */
void
request_done(struct request *r, int applied)
{
	void	(*done)(void *, int) = r->done;

	if (done == NULL)
		return;
	r->done = NULL;
	done(r->done_arg, applied);
}

void
request_free(struct request *r)
{
	if (r == NULL)
		return;
	request_done(r, 0);
	request_detach(r);
	acl_ids_free(&r->ids);
	proto_req_free(&r->req);
	txn_free(r->txn);
	free(r->frame);
	free(r);
}

void
client_init(struct client *c, const struct client_ops *ops, void *arg)
{
	memset(c, 0, sizeof(*c));
	c->ops = ops;
	TAILQ_INIT(&c->requests);
	watch_watcher_init(&c->watcher, arg);
}

/* The connection is going: its requests finish unanswered. */
void
client_orphan_requests(struct client *c)
{
	struct request	*r;

	while ((r = TAILQ_FIRST(&c->requests)) != NULL)
		request_detach(r);
	acl_ids_free(&c->ids);
}
