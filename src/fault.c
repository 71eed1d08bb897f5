/* SPDX-License-Identifier: ISC */
/*
 * fault.c: the fault layer between the peer protocols and their sockets.
 * What the rules mean is in fault.h.
 *
 * A link is a bufferevent its owner (qcnx.c, quorum.c) reads and writes
 * through us.  Output: with no rule and nothing waiting, a write goes
 * straight to the bufferevent; otherwise it is appended to the link's own
 * buffer `out` as a run (a mark) with the time it may leave: now plus the
 * delay, or never while the peer is dropped.  One timer per link moves
 * the runs that are due, oldest first and never one before an older one,
 * to the bufferevent.  Input: while the peer is dropped the bufferevent
 * does not read at all (so the kernel holds the bytes and the peer's
 * writes back up); on heal reading resumes and the owner's read callback
 * runs once from the timer for what was already buffered, since libevent
 * calls it only when more arrives.  The owner enables and disables
 * reading through fault_link_enable/disable, so that a rule and the
 * owner's wishes never undo each other.
 *
 * Running the owner's callback from the timer, never from fault_set,
 * keeps rule changes free of re-entry: the owner may release the link in
 * that callback, which is the last thing the timer does.
 */
#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "fault.h"
#include "log.h"
#include "util.h"
#include "xmalloc.h"

#define FAULT_NEVER	INT64_MAX

struct fault_mark {
	int64_t		 due;		/* monotonic ms, or FAULT_NEVER */
	size_t		 len;
	TAILQ_ENTRY(fault_mark) entry;
};

static void	 fault_link_cb(evutil_socket_t, short, void *);

void
fault_init(struct fault *f, struct event_base *base, const int64_t *sids,
    size_t n)
{
	size_t	 i;

	memset(f, 0, sizeof(*f));
	f->base = base;
	TAILQ_INIT(&f->links);
	f->rules = xcalloc(n > 0 ? n : 1, sizeof(*f->rules));
	for (i = 0; i < n; i++)
		f->rules[i].sid = sids[i];
	f->nrules = n;
}

/* Every link must have been released by its owner first. */
void
fault_free(struct fault *f)
{
	if (!TAILQ_EMPTY(&f->links))
		fatalx("fault: links left at the end");
	free(f->rules);
	memset(f, 0, sizeof(*f));
}

const struct fault_rule *
fault_rule(const struct fault *f, int64_t sid)
{
	size_t	 i;

	for (i = 0; i < f->nrules; i++)
		if (f->rules[i].sid == sid)
			return &f->rules[i];
	return NULL;
}

int
fault_link_holding(const struct fault_link *fl)
{
	const struct fault_rule *r;

	return fl->sid >= 0 && (r = fault_rule(fl->f, fl->sid)) != NULL &&
	    r->drop;
}

/* The timer: now if the owner's callback must run, else the first due. */
static void
fault_link_arm(struct fault_link *fl)
{
	struct fault_mark *m = TAILQ_FIRST(&fl->marks);
	struct timeval	 tv;
	int64_t		 ms;

	if (fl->kick)
		ms = 0;
	else if (m != NULL && m->due != FAULT_NEVER)
		ms = m->due - util_now_ms();
	else {
		evtimer_del(fl->ev);
		return;
	}
	if (ms < 0)
		ms = 0;
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)((ms % 1000) * 1000);
	evtimer_add(fl->ev, &tv);
}

/* The rule for the link's peer changed (or the peer became known). */
static void
fault_link_apply(struct fault_link *fl)
{
	struct fault_mark *m;
	int64_t		 now = util_now_ms();
	int		 hold = fault_link_holding(fl);

	TAILQ_FOREACH(m, &fl->marks, entry) {
		if (hold)
			m->due = FAULT_NEVER;
		else if (m->due == FAULT_NEVER)
			m->due = now;
	}
	if (hold) {
		bufferevent_disable(fl->bev, EV_READ);
	} else if (fl->want & EV_READ) {
		bufferevent_enable(fl->bev, EV_READ);
		fl->kick = 1;
	}
	fault_link_arm(fl);
}

/*
 * Sets the rule for peer sid (FAULT_DELAY takes ms, 1 or more; the others
 * ignore it) and applies it to every link with that peer.  Returns 0, or
 * -1 if sid is no peer.
 */
int
fault_set(struct fault *f, int64_t sid, enum fault_action a, int ms)
{
	struct fault_rule *r = NULL;
	struct fault_link *fl;
	size_t		 i;

	for (i = 0; i < f->nrules; i++)
		if (f->rules[i].sid == sid)
			r = &f->rules[i];
	if (r == NULL)
		return -1;
	r->drop = a == FAULT_DROP;
	r->delay_ms = a == FAULT_DELAY ? ms : 0;
	if (a == FAULT_HEAL)
		log_info("fault: link with server %lld healed",
		    (long long)sid);
	else if (a == FAULT_DROP)
		log_info("fault: link with server %lld dropped",
		    (long long)sid);
	else
		log_info("fault: link with server %lld delayed by %dms",
		    (long long)sid, ms);
	TAILQ_FOREACH(fl, &f->links, entry)
		if (fl->sid == sid)
			fault_link_apply(fl);
	return 0;
}

void
fault_link_init(struct fault_link *fl, struct fault *f,
    struct bufferevent *bev, int64_t sid, bufferevent_data_cb readcb,
    void *arg)
{
	memset(fl, 0, sizeof(*fl));
	fl->f = f;
	fl->bev = bev;
	fl->sid = sid;
	fl->readcb = readcb;
	fl->arg = arg;
	if ((fl->out = evbuffer_new()) == NULL)
		fatalx("evbuffer_new");
	TAILQ_INIT(&fl->marks);
	if ((fl->ev = evtimer_new(f->base, fault_link_cb, fl)) == NULL)
		fatalx("evtimer_new");
	TAILQ_INSERT_TAIL(&f->links, fl, entry);
}

/* What waits to leave is lost with the link; the bufferevent is the owner's. */
void
fault_link_release(struct fault_link *fl)
{
	struct fault_mark *m;

	if (fl->f == NULL)
		return;
	while ((m = TAILQ_FIRST(&fl->marks)) != NULL) {
		TAILQ_REMOVE(&fl->marks, m, entry);
		free(m);
	}
	evbuffer_free(fl->out);
	event_free(fl->ev);
	TAILQ_REMOVE(&fl->f->links, fl, entry);
	memset(fl, 0, sizeof(*fl));
}

/* The owner learnt who is at the other end. */
void
fault_link_identify(struct fault_link *fl, int64_t sid)
{
	if (fl->sid == sid)
		return;
	fl->sid = sid;
	if (fault_link_holding(fl))
		fault_link_apply(fl);
}

void
fault_link_enable(struct fault_link *fl, short what)
{
	fl->want |= what;
	if (fault_link_holding(fl))
		what &= ~EV_READ;
	if (what != 0)
		bufferevent_enable(fl->bev, what);
}

void
fault_link_disable(struct fault_link *fl, short what)
{
	fl->want &= ~what;
	bufferevent_disable(fl->bev, what);
}

void
fault_link_write(struct fault_link *fl, const void *buf, size_t len)
{
	const struct fault_rule *r = fl->sid >= 0 ?
	    fault_rule(fl->f, fl->sid) : NULL;
	struct fault_mark *m;
	int64_t		 due;

	if (len == 0)
		return;
	if (TAILQ_EMPTY(&fl->marks) && (r == NULL || (!r->drop &&
	    r->delay_ms == 0))) {
		if (bufferevent_write(fl->bev, buf, len) == -1)
			fatalx("bufferevent_write");
		return;
	}
	if (r != NULL && r->drop)
		due = FAULT_NEVER;
	else
		due = util_now_ms() + (r != NULL ? r->delay_ms : 0);
	m = TAILQ_LAST(&fl->marks, fault_mark_head);
	if (m == NULL || m->due != due) {
		m = xcalloc(1, sizeof(*m));
		m->due = due;
		TAILQ_INSERT_TAIL(&fl->marks, m, entry);
	}
	m->len += len;
	if (evbuffer_add(fl->out, buf, len) == -1)
		fatalx("evbuffer_add");
	fault_link_arm(fl);
}

static void
fault_link_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fault_link *fl = arg;
	struct fault_mark *m;
	struct evbuffer	*in;
	int64_t		 now = util_now_ms();
	int		 kick = fl->kick;

	(void)fd;
	(void)what;
	while ((m = TAILQ_FIRST(&fl->marks)) != NULL && m->due <= now) {
		if (evbuffer_remove_buffer(fl->out,
		    bufferevent_get_output(fl->bev), m->len) != (int)m->len)
			fatalx("fault: a held run shorter than its mark");
		TAILQ_REMOVE(&fl->marks, m, entry);
		free(m);
	}
	fl->kick = 0;
	fault_link_arm(fl);
	in = bufferevent_get_input(fl->bev);
	/* Last: the owner may release the link. */
	if (kick && (fl->want & EV_READ) && !fault_link_holding(fl) &&
	    evbuffer_get_length(in) > 0 && fl->readcb != NULL)
		fl->readcb(fl->bev, fl->arg);
}
