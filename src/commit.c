/* SPDX-License-Identifier: ISC */
/*
 * commit.c: answering in order in an ensemble (pipeline layer).
 *
 * In an ensemble a write is answered only once it committed, which takes
 * a round trip to a quorum; reads are served by this server's tree.  The
 * commit stage keeps the requests of this server's clients in arrival
 * order and lets a request through to the final stage only when every
 * request ahead of it went through (so a client reads its own writes and
 * sees its answers in order, as ZooKeeper promises per session; the
 * order is kept across sessions too, which is simpler and never wrong).
 *
 *   a read          goes through once it is at the front;
 *   a leader's sync goes through at the front once the tree holds every
 *                   txn proposed before it (wait_zxid);
 *   a learner's     goes through at the front once the leader's SYNC
 *   sync            came back (synced): the leader sends it after the
 *                   COMMITs of everything proposed before it;
 *   a write         waits for its txn to commit: commit_apply hands
 *                   every committed txn over, in zxid order.  The front
 *                   write takes it if it is its own (a leader's: the
 *                   same zxid; a learner's forwarded one: the same
 *                   session and cxid, as CommitProcessor matches); any
 *                   other txn (another server's client, an expiry) is
 *                   applied with nobody to answer.
 *
 * Invariant: the queue is in arrival order, the writes in it in the
 * order their txns commit (one connection to the leader carries them,
 * and the leader numbers them in the order it gets them).  A committed
 * txn that is neither the front write's nor anybody else's own is
 * somebody else's; a write ahead of a committed own txn would be a
 * broken order, and ends the process (a crash rather than a client told
 * the wrong answer).
 */
#include <stdlib.h>

#include "commit.h"
#include "log.h"
#include "proto.h"
#include "request.h"
#include "txn.h"

void
commit_init(struct commit_stage *cs, void (*next)(void *, struct request *),
    int64_t (*applied)(void *), void *arg)
{
	TAILQ_INIT(&cs->queue);
	cs->queued = 0;
	cs->next = next;
	cs->applied = applied;
	cs->next_arg = arg;
	cs->anonymous = 0;
}

static int
commit_is_write(const struct request *r)
{
	return r->txn != NULL || r->forwarded;
}

/* Whether a request at the front may go through now. */
static int
commit_ready(struct commit_stage *cs, const struct request *r)
{
	if (r->type == ZOP_SYNC && r->forwarded)
		return r->synced;
	if (commit_is_write(r))
		return 0;
	if (r->wait_zxid > 0)
		return cs->applied(cs->next_arg) >= r->wait_zxid;
	return 1;
}

static void
commit_release(struct commit_stage *cs)
{
	struct request	*r;

	while ((r = TAILQ_FIRST(&cs->queue)) != NULL &&
	    commit_ready(cs, r)) {
		TAILQ_REMOVE(&cs->queue, r, entry);
		cs->queued--;
		cs->next(cs->next_arg, r);
	}
}

/* A request of a local client, prepared (a leader's) or forwarded. */
void
commit_submit(struct commit_stage *cs, struct request *r)
{
	if (cs->queued == 0 && commit_ready(cs, r)) {
		cs->next(cs->next_arg, r);
		return;
	}
	TAILQ_INSERT_TAIL(&cs->queue, r, entry);
	cs->queued++;
}

static int
commit_owns(const struct request *r, const struct txn *t)
{
	if (r->txn != NULL)
		return r->txn->zxid == t->zxid;
	return r->forwarded && r->type != ZOP_SYNC &&
	    r->session_id == t->client_id && r->xid == t->cxid;
}

/* A committed txn, in zxid order; takes it. */
void
commit_apply(struct commit_stage *cs, struct txn *t)
{
	struct request	*r, *mine;

	commit_release(cs);
	r = TAILQ_FIRST(&cs->queue);
	if (r != NULL && commit_owns(r, t)) {
		TAILQ_REMOVE(&cs->queue, r, entry);
		cs->queued--;
		if (r->txn == NULL)
			r->txn = t;
		else
			txn_free(t);
		cs->next(cs->next_arg, r);
	} else {
		TAILQ_FOREACH(mine, &cs->queue, entry)
			if (commit_owns(mine, t))
				fatalx("commit: txn 0x%llx of session 0x%llx "
				    "cxid %d committed before an earlier "
				    "request of ours", (unsigned long long)
				    t->zxid, (unsigned long long)t->client_id,
				    t->cxid);
		r = request_new(NULL, t->op.type);
		r->session_id = t->client_id;
		r->xid = t->cxid;
		r->txn = t;
		cs->anonymous++;
		cs->next(cs->next_arg, r);
	}
	commit_release(cs);
}

/* The leader's SYNC came back: the oldest forwarded sync is done. */
void
commit_synced(struct commit_stage *cs)
{
	struct request	*r;

	TAILQ_FOREACH(r, &cs->queue, entry)
		if (r->type == ZOP_SYNC && r->forwarded && !r->synced) {
			r->synced = 1;
			break;
		}
	commit_release(cs);
}

/* The role ended: everything waiting goes unanswered. */
void
commit_drop_all(struct commit_stage *cs)
{
	struct request	*r;

	while ((r = TAILQ_FIRST(&cs->queue)) != NULL) {
		TAILQ_REMOVE(&cs->queue, r, entry);
		cs->queued--;
		request_free(r);
	}
}
