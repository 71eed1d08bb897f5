/* SPDX-License-Identifier: ISC */
/*
 * cond.h: the conditions `zkensemble wait` waits for, parsed from words
 * and judged against a snapshot of the servers' table.  No clock, no
 * process: the supervisor judges every waiter again after each change.
 */
#ifndef ZKE_COND_H
#define ZKE_COND_H

#include <stddef.h>
#include <stdint.h>

enum cond_kind {
	COND_QUORUM,		/* a leader and a majority of voters with it */
	COND_LEADER,		/* exactly one leader, in broadcast */
	COND_LEADER_NOT,	/* ... and it is not sid */
	COND_SERVING,		/* every server that runs serves */
	COND_DOWN,		/* sid has no process */
	COND_STATE,		/* sid is in state */
	COND_ZXID_CONVERGED,	/* every server that serves has one zxid */
};

struct cond {
	enum cond_kind	 kind;
	int64_t		 sid;
	char		 state[16];	/* lower case */
};

/* One server as the conditions see it. */
struct cond_view {
	int64_t		 sid;
	int		 observer;
	const char	*proc;		/* inst_state_name: down, up, ... */
	int		 paused;
	const char	*role;		/* LOOKING ... OBSERVING, or "" */
	const char	*phase;		/* ELECTION ... BROADCAST, or "" */
	int64_t		 leader;
	int64_t		 zxid;
	int		 ready;
};

#define COND_MAX	16

int	 cond_parse(int, char **, struct cond *, size_t *, char **);
int	 cond_holds(const struct cond *, const struct cond_view *, size_t);
int	 cond_all(const struct cond *, size_t, const struct cond_view *,
	    size_t);
int64_t	 cond_leader(const struct cond_view *, size_t);
int	 cond_serves(const struct cond_view *);

#endif
