/* SPDX-License-Identifier: ISC */
/*
 * sync.c: group commit and ordering (pipeline layer).  See sync.h.
 */
#include <string.h>

#include "request.h"
#include "sync.h"

void
sync_init(struct sync_stage *s, void (*next)(void *, struct request *),
    void *arg)
{
	memset(s, 0, sizeof(*s));
	TAILQ_INIT(&s->queue);
	s->next = next;
	s->next_arg = arg;
}

/* Takes a prepared request: its txn goes to the log, it waits for the flush. */
void
sync_submit(struct sync_stage *s, struct request *r)
{
	if (r->txn == NULL && s->queued == 0) {
		s->next(s->next_arg, r);
		return;
	}
	if (r->txn != NULL) {
		if (s->log.append != NULL)
			s->log.append(s->log.arg, r->txn);
		s->txns++;
	}
	TAILQ_INSERT_TAIL(&s->queue, r, entry);
	s->queued++;
	if (s->max_batch > 0 && s->txns >= s->max_batch)
		sync_flush(s);
}

/* One fsync for everything appended, then every queued request, in order. */
void
sync_flush(struct sync_stage *s)
{
	struct request	*r;

	if (s->queued == 0)
		return;
	if (s->txns > 0) {
		if (s->log.flush != NULL)
			s->log.flush(s->log.arg);
		s->batches++;
		s->batched += s->txns;
		if (s->batch_size != NULL)
			summary_add(s->batch_size, (int64_t)s->txns);
		s->txns = 0;
	}
	while ((r = TAILQ_FIRST(&s->queue)) != NULL) {
		TAILQ_REMOVE(&s->queue, r, entry);
		s->queued--;
		s->next(s->next_arg, r);
	}
}
