/* SPDX-License-Identifier: ISC */
/*
 * cond.c: wait conditions (see cond.h).
 *
 * Words, several conditions in a row, all to hold at once:
 *
 *	quorum		a leader in broadcast, and a majority of the voters
 *			(it included) following it in broadcast
 *	leader		exactly one server leads, in broadcast
 *	leader-not ID	as leader, and the leader is not ID
 *	serving		at least one server runs, and every server that
 *			runs (started, not paused) takes clients
 *	down ID		ID has no process
 *	zxid-converged	every server that takes clients has the same zxid
 *	ID STATE	ID is in STATE: a role (looking, following, leading,
 *			observing), serving, paused, or a process state
 *			(down, starting, up, stopping, backoff, failed)
 *
 * A server "takes clients" when it said ready and is in broadcast with
 * the leader everyone else follows (a lone LEADING server in an old epoch
 * after a pause does not count).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cond.h"
#include "xmalloc.h"

static const char *cond_states[] = {
	"looking", "following", "leading", "observing", "serving", "paused",
	"down", "starting", "up", "stopping", "backoff", "failed",
};

static int
cond_sid(const char *s, int64_t *sid)
{
	char		*end;
	long long	 v;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	v = strtoll(s, &end, 10);
	if (*end != '\0' || v < 1 || v > 255)
		return -1;
	*sid = v;
	return 0;
}

/*
 * Parses argc words into at most COND_MAX conditions.  Returns 0 with
 * *n, or -1 with *cause (a usage error).
 */
int
cond_parse(int argc, char **argv, struct cond *out, size_t *n, char **cause)
{
	struct cond	 c;
	size_t		 k;
	int		 i;

	*n = 0;
	if (argc == 0) {
		*cause = xstrdup("wait: no condition");
		return -1;
	}
	for (i = 0; i < argc; i++) {
		memset(&c, 0, sizeof(c));
		if (strcmp(argv[i], "quorum") == 0)
			c.kind = COND_QUORUM;
		else if (strcmp(argv[i], "leader") == 0)
			c.kind = COND_LEADER;
		else if (strcmp(argv[i], "serving") == 0)
			c.kind = COND_SERVING;
		else if (strcmp(argv[i], "zxid-converged") == 0)
			c.kind = COND_ZXID_CONVERGED;
		else if (strcmp(argv[i], "leader-not") == 0 ||
		    strcmp(argv[i], "down") == 0) {
			c.kind = argv[i][0] == 'l' ? COND_LEADER_NOT :
			    COND_DOWN;
			if (i + 1 >= argc || cond_sid(argv[i + 1], &c.sid)) {
				xasprintf(cause, "wait: %s needs a server id",
				    argv[i]);
				return -1;
			}
			i++;
		} else if (cond_sid(argv[i], &c.sid) == 0) {
			c.kind = COND_STATE;
			if (i + 1 >= argc) {
				xasprintf(cause, "wait: %s needs a state",
				    argv[i]);
				return -1;
			}
			i++;
			for (k = 0; k < sizeof(cond_states) /
			    sizeof(cond_states[0]); k++)
				if (strcasecmp(argv[i], cond_states[k]) == 0)
					break;
			if (k == sizeof(cond_states) / sizeof(cond_states[0])) {
				xasprintf(cause, "wait: unknown state %s",
				    argv[i]);
				return -1;
			}
			strlcpy(c.state, cond_states[k], sizeof(c.state));
		} else {
			xasprintf(cause, "wait: unknown condition %s",
			    argv[i]);
			return -1;
		}
		if (*n == COND_MAX) {
			*cause = xstrdup("wait: too many conditions");
			return -1;
		}
		out[(*n)++] = c;
	}
	return 0;
}

static int
cond_running(const struct cond_view *v)
{
	return (strcmp(v->proc, "up") == 0 ||
	    strcmp(v->proc, "starting") == 0) && !v->paused;
}

/*
 * The sid of the one server that leads in broadcast, with no other
 * running server claiming to lead; 0 if none or several.
 */
int64_t
cond_leader(const struct cond_view *v, size_t n)
{
	int64_t	 leader = 0;
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (!cond_running(&v[i]) || strcmp(v[i].role, "LEADING") != 0)
			continue;
		if (leader != 0 || strcmp(v[i].phase, "BROADCAST") != 0)
			return 0;
		leader = v[i].sid;
	}
	return leader;
}

/* v takes clients (see the top of the file). */
int
cond_serves(const struct cond_view *v)
{
	return cond_running(v) && v->ready &&
	    strcmp(v->phase, "BROADCAST") == 0;
}

static int
cond_quorum(const struct cond_view *v, size_t n)
{
	int64_t	 leader = cond_leader(v, n);
	size_t	 i, voters = 0, with = 0;

	for (i = 0; i < n; i++) {
		if (v[i].observer)
			continue;
		voters++;
		if (leader != 0 && cond_running(&v[i]) &&
		    strcmp(v[i].phase, "BROADCAST") == 0 &&
		    (v[i].sid == leader || (strcmp(v[i].role,
		    "FOLLOWING") == 0 && v[i].leader == leader)))
			with++;
	}
	return leader != 0 && with > voters / 2;
}

static const struct cond_view *
cond_find(const struct cond_view *v, size_t n, int64_t sid)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (v[i].sid == sid)
			return &v[i];
	return NULL;
}

static int
cond_state(const struct cond *c, const struct cond_view *s)
{
	if (strcmp(c->state, "paused") == 0)
		return s->paused;
	if (strcmp(c->state, "serving") == 0)
		return cond_serves(s);
	if (strcmp(c->state, "looking") == 0 ||
	    strcmp(c->state, "following") == 0 ||
	    strcmp(c->state, "leading") == 0 ||
	    strcmp(c->state, "observing") == 0)
		return cond_running(s) && strcasecmp(s->role, c->state) == 0;
	return strcmp(s->proc, c->state) == 0;
}

/* Whether c holds of the n servers v. */
int
cond_holds(const struct cond *c, const struct cond_view *v, size_t n)
{
	const struct cond_view *s;
	int64_t		 leader, zxid = -1;
	size_t		 i, running = 0;

	switch (c->kind) {
	case COND_QUORUM:
		return cond_quorum(v, n);
	case COND_LEADER:
		return cond_leader(v, n) != 0;
	case COND_LEADER_NOT:
		leader = cond_leader(v, n);
		return leader != 0 && leader != c->sid;
	case COND_SERVING:
		for (i = 0; i < n; i++) {
			if (!cond_running(&v[i]))
				continue;
			running++;
			if (!cond_serves(&v[i]))
				return 0;
		}
		return running > 0;
	case COND_DOWN:
		s = cond_find(v, n, c->sid);
		return s != NULL && (strcmp(s->proc, "down") == 0 ||
		    strcmp(s->proc, "failed") == 0 ||
		    strcmp(s->proc, "backoff") == 0);
	case COND_STATE:
		s = cond_find(v, n, c->sid);
		return s != NULL && cond_state(c, s);
	case COND_ZXID_CONVERGED:
		for (i = 0; i < n; i++) {
			if (!cond_serves(&v[i]))
				continue;
			if (zxid != -1 && v[i].zxid != zxid)
				return 0;
			zxid = v[i].zxid;
		}
		return zxid != -1;
	}
	return 0;
}

/* Every one of the nc conditions holds. */
int
cond_all(const struct cond *c, size_t nc, const struct cond_view *v,
    size_t n)
{
	size_t	 i;

	for (i = 0; i < nc; i++)
		if (!cond_holds(&c[i], v, n))
			return 0;
	return 1;
}
