/* SPDX-License-Identifier: ISC */
/*
 * session.c: sessions and their expiry buckets (state layer).  See session.h.
 *
 * Invariants: a session not closing is in exactly one bucket, whose time is
 * a multiple of the tick; closing sessions are in no bucket (they wait for
 * their closeSession txn).  A bucket left empty stays until its time comes,
 * as in ZooKeeper's ExpiryQueue (dump shows it as "0 expire at ...").
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "session.h"
#include "xmalloc.h"

int	 session_id_cmp(struct session *, struct session *);
int	 session_bucket_cmp(struct session_bucket *, struct session_bucket *);
RB_GENERATE(session_ids, session, by_id, session_id_cmp)
RB_GENERATE(session_buckets, session_bucket, entry, session_bucket_cmp)

int
session_id_cmp(struct session *a, struct session *b)
{
	return a->id < b->id ? -1 : a->id > b->id;
}

int
session_bucket_cmp(struct session_bucket *a, struct session_bucket *b)
{
	return a->time < b->time ? -1 : a->time > b->time;
}

/*
 * Sets up an empty table.  Session ids are the server id in the top byte
 * and the time in ms in the next 40 bits (initializeNextSessionId), so ids
 * stay unique across restarts of the same server.
 */
void
session_init(struct session_table *t, int64_t sid, int32_t tick,
    int64_t wall_ms)
{
	memset(t, 0, sizeof(*t));
	RB_INIT(&t->ids);
	RB_INIT(&t->buckets);
	t->tick = tick > 0 ? tick : 1;
	t->next_id = (int64_t)((((uint64_t)wall_ms << 24) >> 8) |
	    ((uint64_t)sid << 56));
	if (t->next_id == INT64_MIN)
		t->next_id++;
}

/* Hands out the next session id. */
int64_t
session_next_id(struct session_table *t)
{
	return t->next_id++;
}

/* The bucket time of an instant: the next multiple of the tick after it. */
int64_t
session_round(const struct session_table *t, int64_t when)
{
	return (when / t->tick + 1) * t->tick;
}

static void
session_unbucket(struct session_table *t, struct session *s)
{
	struct session_bucket	*b = s->bucket;

	if (b == NULL)
		return;
	TAILQ_REMOVE(&b->sessions, s, bq);
	s->bucket = NULL;
	s->expire_at = 0;
	b->count--;
}

static void
session_bucket_free(struct session_table *t, struct session_bucket *b)
{
	RB_REMOVE(session_buckets, &t->buckets, b);
	free(b);
	t->nbuckets--;
}

static void
session_bucket_put(struct session_table *t, struct session *s, int64_t now)
{
	struct session_bucket	 key, *b;
	int64_t			 when = session_round(t, now + s->timeout);

	if (s->bucket != NULL && s->expire_at == when)
		return;
	session_unbucket(t, s);
	key.time = when;
	if ((b = RB_FIND(session_buckets, &t->buckets, &key)) == NULL) {
		b = xcalloc(1, sizeof(*b));
		b->time = when;
		TAILQ_INIT(&b->sessions);
		RB_INSERT(session_buckets, &t->buckets, b);
		t->nbuckets++;
	}
	TAILQ_INSERT_TAIL(&b->sessions, s, bq);
	b->count++;
	s->bucket = b;
	s->expire_at = when;
}

/*
 * Adds a session (or finds it) and sets its expiry from now
 * (SessionTrackerImpl.trackSession).  Returns the session.
 */
struct session *
session_track(struct session_table *t, int64_t id, int32_t timeout,
    int64_t now)
{
	struct session	*s;

	if ((s = session_lookup(t, id)) == NULL) {
		s = xcalloc(1, sizeof(*s));
		s->id = id;
		s->timeout = timeout;
		RB_INSERT(session_ids, &t->ids, s);
		t->count++;
	}
	if (!s->closing)
		session_bucket_put(t, s, now);
	return s;
}

struct session *
session_lookup(struct session_table *t, int64_t id)
{
	struct session	 key;

	key.id = id;
	return RB_FIND(session_ids, &t->ids, &key);
}

/*
 * Pushes a live session's expiry to now + its timeout.  Returns 0, or -1 if
 * the session is unknown or closing (the caller answers SESSIONEXPIRED).
 */
int
session_touch(struct session_table *t, int64_t id, int64_t now)
{
	struct session	*s;

	if ((s = session_lookup(t, id)) == NULL || s->closing)
		return -1;
	session_bucket_put(t, s, now);
	if (t->track_touches && !s->touched) {
		if (t->ntouched == t->cap_touched) {
			t->cap_touched = t->cap_touched ? t->cap_touched * 2 :
			    64;
			t->touched = xreallocarray(t->touched, t->cap_touched,
			    sizeof(*t->touched));
		}
		t->touched[t->ntouched++] = id;
		s->touched = 1;
	}
	return 0;
}

/*
 * Hands out the ids touched since the last call (valid until the next
 * touch) and starts a new list.  Some may be gone since.
 */
size_t
session_take_touched(struct session_table *t, int64_t **ids)
{
	struct session	*s;
	size_t		 i, n = t->ntouched;

	for (i = 0; i < n; i++)
		if ((s = session_lookup(t, t->touched[i])) != NULL)
			s->touched = 0;
	*ids = t->touched;
	t->ntouched = 0;
	return n;
}

/* Marks a session as closing: it is no longer touched nor expired. */
void
session_set_closing(struct session_table *t, int64_t id)
{
	struct session	*s;

	if ((s = session_lookup(t, id)) == NULL)
		return;
	s->closing = 1;
	session_unbucket(t, s);
}

/*
 * Every session starts a whole timeout from now, closing ones again too
 * (a new leader's: whatever was closing under the old one commits its
 * closeSession, or is alive).
 */
void
session_reopen_all(struct session_table *t, int64_t now)
{
	struct session	*s;

	SESSION_FOREACH(s, t) {
		s->closing = 0;
		session_bucket_put(t, s, now);
	}
}

void
session_remove(struct session_table *t, int64_t id)
{
	struct session	*s;

	if ((s = session_lookup(t, id)) == NULL)
		return;
	session_unbucket(t, s);
	RB_REMOVE(session_ids, &t->ids, s);
	t->count--;
	free(s);
}

/* The time of the earliest bucket, or -1 if there is none. */
int64_t
session_next_expiry(struct session_table *t)
{
	struct session_bucket	*b;

	if ((b = RB_MIN(session_buckets, &t->buckets)) == NULL)
		return -1;
	return b->time;
}

/*
 * One session whose bucket time has come, now marked closing, or NULL.
 * Call until NULL at each tick.
 */
struct session *
session_expired(struct session_table *t, int64_t now)
{
	struct session_bucket	*b;
	struct session		*s;

	for (;;) {
		if ((b = RB_MIN(session_buckets, &t->buckets)) == NULL ||
		    b->time > now)
			return NULL;
		if (b->count > 0)
			break;
		session_bucket_free(t, b);
	}
	s = TAILQ_FIRST(&b->sessions);
	s->closing = 1;
	session_unbucket(t, s);
	return s;
}

void
session_free_all(struct session_table *t)
{
	struct session		*s;
	struct session_bucket	*b;

	while ((s = RB_ROOT(&t->ids)) != NULL)
		session_remove(t, s->id);
	while ((b = RB_ROOT(&t->buckets)) != NULL)
		session_bucket_free(t, b);
	t->ntouched = 0;
}
