/* SPDX-License-Identifier: ISC */
/*
 * session.h: the session table with expiry in tick buckets (state layer),
 * after ZooKeeper's SessionTrackerImpl and ExpiryQueue.
 *
 * Each session sits in the bucket of its next expiry, rounded up to the
 * next multiple of the tick; touching it moves it.  At each tick the
 * buckets whose time has come are handed to the caller, who closes those
 * sessions through the request pipeline (a closeSession txn).
 *
 * The table has no clock: every call that needs the time takes "now", a
 * monotonic millisecond count, so tests drive expiry directly.
 */
#ifndef ZK_SESSION_H
#define ZK_SESSION_H

#include <sys/queue.h>
#include <sys/tree.h>

#include <stdint.h>

struct session_bucket;

struct session {
	int64_t			 id;
	int32_t			 timeout;
	int			 closing;
	int			 touched;	/* in the touched list */
	int64_t			 expire_at;	/* bucket time, 0 if none */
	struct session_bucket	*bucket;
	TAILQ_ENTRY(session)	 bq;
	RB_ENTRY(session)	 by_id;
	void			*owner;		/* connection serving it */
};

struct session_bucket {
	int64_t			 time;
	TAILQ_HEAD(, session)	 sessions;
	size_t			 count;
	RB_ENTRY(session_bucket) entry;
};

RB_HEAD(session_ids, session);
RB_HEAD(session_buckets, session_bucket);

struct session_table {
	struct session_ids	 ids;
	struct session_buckets	 buckets;
	size_t			 count;
	size_t			 nbuckets;
	int64_t			 next_id;
	int32_t			 tick;
	/*
	 * With track_touches (a learner), the sessions touched since the
	 * last session_take_touched, for the leader that expires them.
	 */
	int			 track_touches;
	int64_t			*touched;
	size_t			 ntouched, cap_touched;
};

void	 session_init(struct session_table *, int64_t, int32_t, int64_t);
void	 session_free_all(struct session_table *);
int64_t	 session_next_id(struct session_table *);
struct session *session_track(struct session_table *, int64_t, int32_t,
	    int64_t);
struct session *session_lookup(struct session_table *, int64_t);
int	 session_touch(struct session_table *, int64_t, int64_t);
void	 session_set_closing(struct session_table *, int64_t);
void	 session_remove(struct session_table *, int64_t);
void	 session_reopen_all(struct session_table *, int64_t);
int64_t	 session_next_expiry(struct session_table *);
struct session *session_expired(struct session_table *, int64_t);
int64_t	 session_round(const struct session_table *, int64_t);
size_t	 session_take_touched(struct session_table *, int64_t **);

#define SESSION_FOREACH(s, t) RB_FOREACH((s), session_ids, &(t)->ids)
#define SESSION_BUCKET_FOREACH(b, t) \
	RB_FOREACH((b), session_buckets, &(t)->buckets)

RB_PROTOTYPE(session_ids, session, by_id, session_id_cmp)
RB_PROTOTYPE(session_buckets, session_bucket, entry, session_bucket_cmp)

#endif
