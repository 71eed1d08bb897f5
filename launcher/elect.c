/* SPDX-License-Identifier: ISC */
/*
 * elect.c: `zkensemble elect ID`, leadership handed to server ID with no
 * committed write lost.
 *
 * ZooKeeper has no way to name a leader: the election picks the voter
 * with the best (epoch, zxid), the highest sid among equals.  zkd adds
 * one thing the launcher can set on its side door: a preferred sid that
 * wins ties in place of the highest (election.c, election_prefer).  A
 * handover is then:
 *
 *   1. prefer: every voter that runs is told to prefer ID; all answer;
 *   2. catch up: ID follows the leader L in broadcast and has applied
 *      L's last zxid (as both report it);
 *   3. fence: L is cut from every peer (faults.c's fence, over the user's
 *      own faults).  The followers lose it, L loses its quorum and steps
 *      down, and the others elect among themselves; every txn L
 *      committed is on a quorum of them, so nothing committed is lost;
 *   4. once a leader other than L is in broadcast, the fence goes, L
 *      joins it as a follower, and the preference is cleared everywhere.
 *
 * If the winner is not ID (a follower ahead of ID when L went: a better
 * zxid beats any preference, as it must), the handover starts again, up
 * to ELECT_ATTEMPTS times.  The whole is bounded by ELECT_DEADLINE_S;
 * cancelled or timed out, the fence and the preference are undone.
 *
 * The steps move on replies and on the supervisor's changes (elect_changed
 * from sup_changed); nothing polls.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "elect.h"
#include "sup.h"
#include "xmalloc.h"

#define ELECT_ATTEMPTS		3
#define ELECT_DEADLINE_S	60

enum elect_step {
	ELECT_PREFER,		/* waiting for every voter's ok */
	ELECT_CATCHUP,		/* waiting for the target to catch up */
	ELECT_FENCED,		/* the old leader cut off: a new one? */
	ELECT_CLEAR,		/* preference cleared: replies */
};

struct elect {
	struct sup	*s;
	int64_t		 target;
	int64_t		 old;		/* the leader fenced off */
	int		 attempt;
	enum elect_step	 step;
	int		 outstanding;
	struct event	*deadline;
	elect_done_cb	*done;
	void		*arg;
};

static void	 elect_prefer(struct elect *);
static void	 elect_reply_cb(void *, struct sup_server *, int,
		    const char *);

/* Undoes what is ours (fence, preference) and frees; no answer. */
static void
elect_undo(struct sup *s)
{
	struct elect	*e = s->elect;

	if (e == NULL)
		return;
	s->elect = NULL;
	sup_cancel(s, e);
	if (s->faults.fenced != 0) {
		s->faults.fenced = 0;
		sup_faults_apply(s, NULL, NULL);
	}
	if (s->prefer != 0)
		sup_prefer(s, 0, NULL, NULL);
	event_free(e->deadline);
	free(e);
}

/* Ends the handover with an answer. */
static void
elect_finish(struct sup *s, int status, const char *fmt, ...)
{
	struct elect	*e = s->elect;
	elect_done_cb	*done = e->done;
	void		*arg = e->arg;
	char		 msg[256];
	va_list		 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	elect_undo(s);
	if (status != 0)
		sup_note(s, 0, "elect: %s", msg);
	done(arg, status, msg);
}

static void
elect_deadline_cb(int fd, short what, void *arg)
{
	struct elect	*e = arg;

	(void)fd;
	(void)what;
	elect_finish(e->s, 3, "timed out after %d s; server %lld was not "
	    "made leader", ELECT_DEADLINE_S, (long long)e->target);
}

/*
 * Starts handing leadership to sid; done(arg, ...) answers once, also
 * at once.  Returns 0, or -1 with *cause if it cannot begin.
 */
int
elect_start(struct sup *s, int64_t sid, elect_done_cb *done, void *arg,
    char **cause)
{
	struct sup_server *srv = sup_server(s, sid);
	struct elect	*e;
	struct timeval	 tv = { ELECT_DEADLINE_S, 0 };

	if (s->elect != NULL) {
		xasprintf(cause, "another elect is under way");
		return -1;
	}
	if (srv == NULL || srv->inst.observer) {
		xasprintf(cause, "server %lld is no voter", (long long)sid);
		return -1;
	}
	if (srv->inst.pid <= 0 || srv->inst.paused) {
		xasprintf(cause, "server %lld is not running", (long long)sid);
		return -1;
	}
	if (sup_pick(s, "leader") == 0) {
		xasprintf(cause, "no leader now: wait until one leads");
		return -1;
	}
	if (sup_pick(s, "leader") == sid) {
		done(arg, 0, "already the leader");
		return 0;
	}
	e = xcalloc(1, sizeof(*e));
	e->s = s;
	e->target = sid;
	e->done = done;
	e->arg = arg;
	e->deadline = evtimer_new(s->base, elect_deadline_cb, e);
	evtimer_add(e->deadline, &tv);
	s->elect = e;
	sup_note(s, 0, "elect: handing leadership to server %lld",
	    (long long)sid);
	elect_prefer(e);
	return 0;
}

static void
elect_prefer(struct elect *e)
{
	e->attempt++;
	e->step = ELECT_PREFER;
	e->outstanding = sup_prefer(e->s, e->target, elect_reply_cb, e);
	if (e->outstanding == 0)
		elect_finish(e->s, 1, "no voter runs");
}

static void
elect_reply_cb(void *arg, struct sup_server *srv, int ok, const char *text)
{
	struct elect	*e = arg;
	struct sup	*s = e->s;

	if (!ok && strncmp(text, "error=lost", 10) != 0) {
		elect_finish(s, 1, "server %lld refused: %s",
		    (long long)srv->inst.sid, text);
		return;
	}
	if (--e->outstanding > 0)
		return;
	if (e->step == ELECT_PREFER) {
		e->step = ELECT_CATCHUP;
		elect_changed(s);
	} else if (e->step == ELECT_CLEAR) {
		if (sup_pick(s, "leader") == e->target)
			elect_finish(s, 0, "server %lld leads, epoch %lld",
			    (long long)e->target,
			    (long long)sup_server(s, e->target)->inst.epoch);
		else if (e->attempt >= ELECT_ATTEMPTS)
			elect_finish(s, 1, "server %lld leads, not %lld, "
			    "after %d attempts", (long long)sup_pick(s,
			    "leader"), (long long)e->target, e->attempt);
		else
			elect_prefer(e);
	}
}

/* After any change the supervisor sees: move on if we can. */
void
elect_changed(struct sup *s)
{
	struct elect	*e = s->elect;
	struct sup_server *t, *l;
	int64_t		 leader;

	if (e == NULL)
		return;
	t = sup_server(s, e->target);
	if (t->inst.pid <= 0) {
		elect_finish(s, 1, "server %lld went away",
		    (long long)e->target);
		return;
	}
	leader = sup_pick(s, "leader");
	switch (e->step) {
	case ELECT_CATCHUP:
		if (leader == e->target) {
			/* It won without us (the leader died meanwhile). */
			e->step = ELECT_CLEAR;
			e->outstanding = sup_prefer(s, 0, elect_reply_cb, e);
			if (e->outstanding == 0)
				elect_finish(s, 0, "server %lld leads",
				    (long long)e->target);
			return;
		}
		l = leader != 0 ? sup_server(s, leader) : NULL;
		if (l == NULL || !t->inst.ready ||
		    strcmp(t->inst.phase, "BROADCAST") != 0 ||
		    t->inst.leader != leader || t->inst.zxid < l->inst.zxid)
			return;
		e->old = leader;
		e->step = ELECT_FENCED;
		s->faults.fenced = leader;
		sup_note(s, 0, "elect: server %lld fenced off (zxid 0x%llx), "
		    "server %lld caught up", (long long)leader,
		    (unsigned long long)l->inst.zxid, (long long)e->target);
		sup_faults_apply(s, NULL, NULL);
		break;
	case ELECT_FENCED:
		if (leader == 0 || leader == e->old)
			return;
		s->faults.fenced = 0;
		sup_faults_apply(s, NULL, NULL);
		sup_note(s, 0, "elect: server %lld leads; server %lld "
		    "unfenced", (long long)leader, (long long)e->old);
		e->step = ELECT_CLEAR;
		e->outstanding = sup_prefer(s, 0, elect_reply_cb, e);
		if (e->outstanding == 0)
			elect_finish(s, 1, "no voter runs");
		break;
	case ELECT_PREFER:
	case ELECT_CLEAR:
		break;
	}
}

/* The one who asked is gone, or the ensemble goes down. */
void
elect_cancel(struct sup *s)
{
	elect_undo(s);
}
