/* SPDX-License-Identifier: ISC */
/*
 * sim.h: a deterministic discrete-event scheduler for driving protocol
 * cores in one process: simulated milliseconds, a seeded generator, and a
 * queue of events ordered by time, then by the order they were scheduled.
 * The same seed replays the same run, event for event.
 */
#ifndef ZK_SIM_H
#define ZK_SIM_H

#include <stddef.h>
#include <stdint.h>

struct sim_event;
typedef void (*sim_fn)(void *, void *);

struct sim {
	uint64_t	 rng[4];
	int64_t		 now;		/* ms */
	uint64_t	 seq;
	struct sim_event **heap;
	size_t		 n, cap;
	uint64_t	 steps;
};

void	 sim_init(struct sim *, uint64_t);
void	 sim_free(struct sim *);
uint64_t sim_rand(struct sim *);
int64_t	 sim_range(struct sim *, int64_t, int64_t);	/* [lo, hi] */
int	 sim_chance(struct sim *, double);
void	 sim_at(struct sim *, int64_t, sim_fn, void *, void *);
void	 sim_at_owned(struct sim *, int64_t, sim_fn, void *, void *);
int	 sim_step(struct sim *);			/* 0 if empty */
int	 sim_run_until(struct sim *, int64_t);

/* The first thing that went wrong in a run, kept for its report. */
struct sim_verdict {
	int		 failed;
	char		 why[512];
};

void	 sim_fail(struct sim_verdict *, const char *, ...)
	    __attribute__((__format__(printf, 2, 3)));
void	 sim_tap(int, const char *, ...)
	    __attribute__((__format__(printf, 2, 3)));
int	 sim_tap_failures(void);

/*
 * A simulation's command line: [-v] [-n SEEDS] [-s SEED] (SIM_SEEDS in
 * the environment sets the default count).  sim_seeds runs the random
 * runs, or the one given with -s (then it prints the whole TAP output),
 * and returns the first failing seed (0 if none), its reason in why.
 */
struct sim_args {
	const char	*prog;
	uint64_t	 seeds;
	uint64_t	 first;
	int		 one;
	int		 verbose;
};

typedef int	(*sim_run_fn)(uint64_t, int, char *, size_t, void *);

void	 sim_args(int, char **, const char *, uint64_t, struct sim_args *);
uint64_t sim_seeds(const struct sim_args *, sim_run_fn, void *, char *,
	    size_t);

#endif
