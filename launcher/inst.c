/* SPDX-License-Identifier: ISC */
/*
 * inst.c: the life cycle of one launched server, as one table.
 *
 * A state says what the process is doing; want_up says what the user
 * asked for.  Events come from the user (start, stop), from the server
 * (ready, on its side door), from the kernel (its exit, classified by
 * inst_exit_event) and from the supervisor's timer.  inst_step looks the
 * pair up, moves to the new state and returns the one action the caller
 * must take; a pair that cannot happen (a process exiting that we never
 * started) returns INST_DO_INVALID and moves nothing: the caller logs it.
 *
 *            START               ready
 *   DOWN ------------> STARTING -------> UP
 *    ^ ^                  |  \            |
 *    | |   exited         |   \ STOP      | STOP
 *    | +------------------+    v          v
 *    |                       STOPPING <---+     (TERM; KILL on TIMER)
 *    +---------- exited --------+
 *
 *   crashed (restart on crash)    -> BACKOFF -- TIMER --> STARTING
 *   broken (a config or data dir error, or the crash loop) -> FAILED
 *
 * A STOP of a paused server sends SIGCONT with the SIGTERM (a stopped
 * process does not act on TERM until it runs again).  A START while
 * STOPPING only sets want_up: once the old process is gone, the caller
 * starts it again (restart).
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <sysexits.h>

#include "inst.h"

struct inst_move {
	int		 next;		/* INST_NSTATES: cannot happen */
	enum inst_action action;
};

#define NO	{ INST_NSTATES, INST_DO_NOTHING }
#define KEEP(s)	{ s, INST_DO_NOTHING }

static const struct inst_move inst_fsm[INST_NSTATES][INST_NEVENTS] = {
	[INST_DOWN] = {
		[INST_EV_START] = { INST_STARTING, INST_DO_SPAWN },
		[INST_EV_STOP] = KEEP(INST_DOWN),
		[INST_EV_READY] = NO,
		[INST_EV_EXITED] = NO,
		[INST_EV_CRASHED] = NO,
		[INST_EV_BROKEN] = NO,
		[INST_EV_TIMER] = KEEP(INST_DOWN),
	},
	[INST_STARTING] = {
		[INST_EV_START] = KEEP(INST_STARTING),
		[INST_EV_STOP] = { INST_STOPPING, INST_DO_TERM },
		[INST_EV_READY] = KEEP(INST_UP),
		[INST_EV_EXITED] = KEEP(INST_DOWN),
		[INST_EV_CRASHED] = { INST_BACKOFF, INST_DO_BACKOFF },
		[INST_EV_BROKEN] = KEEP(INST_FAILED),
		[INST_EV_TIMER] = KEEP(INST_STARTING),
	},
	[INST_UP] = {
		[INST_EV_START] = KEEP(INST_UP),
		[INST_EV_STOP] = { INST_STOPPING, INST_DO_TERM },
		[INST_EV_READY] = KEEP(INST_UP),
		[INST_EV_EXITED] = KEEP(INST_DOWN),
		[INST_EV_CRASHED] = { INST_BACKOFF, INST_DO_BACKOFF },
		[INST_EV_BROKEN] = KEEP(INST_FAILED),
		[INST_EV_TIMER] = KEEP(INST_UP),
	},
	[INST_STOPPING] = {
		[INST_EV_START] = KEEP(INST_STOPPING),
		[INST_EV_STOP] = KEEP(INST_STOPPING),
		[INST_EV_READY] = KEEP(INST_STOPPING),
		[INST_EV_EXITED] = { INST_DOWN, INST_DO_DISARM },
		[INST_EV_CRASHED] = { INST_DOWN, INST_DO_DISARM },
		[INST_EV_BROKEN] = { INST_DOWN, INST_DO_DISARM },
		[INST_EV_TIMER] = { INST_STOPPING, INST_DO_KILL },
	},
	[INST_BACKOFF] = {
		[INST_EV_START] = KEEP(INST_BACKOFF),
		[INST_EV_STOP] = { INST_DOWN, INST_DO_DISARM },
		[INST_EV_READY] = NO,
		[INST_EV_EXITED] = NO,
		[INST_EV_CRASHED] = NO,
		[INST_EV_BROKEN] = NO,
		[INST_EV_TIMER] = { INST_STARTING, INST_DO_SPAWN },
	},
	[INST_FAILED] = {
		[INST_EV_START] = { INST_STARTING, INST_DO_SPAWN },
		[INST_EV_STOP] = KEEP(INST_FAILED),
		[INST_EV_READY] = NO,
		[INST_EV_EXITED] = NO,
		[INST_EV_CRASHED] = NO,
		[INST_EV_BROKEN] = NO,
		[INST_EV_TIMER] = KEEP(INST_FAILED),
	},
};

static const char *inst_state_names[INST_NSTATES] = {
	"down", "starting", "up", "stopping", "backoff", "failed",
};

static const char *inst_event_names[INST_NEVENTS] = {
	"start", "stop", "ready", "exited", "crashed", "broken", "timer",
};

const char *
inst_state_name(enum inst_state s)
{
	return (unsigned)s < INST_NSTATES ? inst_state_names[s] : "?";
}

const char *
inst_event_name(enum inst_event e)
{
	return (unsigned)e < INST_NEVENTS ? inst_event_names[e] : "?";
}

/*
 * Moves i by event e (and want_up for START and STOP).  Returns what the
 * caller must do, or INST_DO_INVALID with the state unchanged if the pair
 * cannot happen.
 */
enum inst_action
inst_step(struct inst *i, enum inst_event e)
{
	const struct inst_move *m;

	if ((unsigned)i->state >= INST_NSTATES || (unsigned)e >= INST_NEVENTS)
		return INST_DO_INVALID;
	if (e == INST_EV_START)
		i->want_up = 1;
	else if (e == INST_EV_STOP)
		i->want_up = 0;
	m = &inst_fsm[i->state][e];
	if (m->next == INST_NSTATES)
		return INST_DO_INVALID;
	if (e == INST_EV_START && i->state == INST_FAILED)
		i->crashes = 0;
	i->state = (enum inst_state)m->next;
	return m->action;
}

/*
 * Exit statuses that mean a restart would fail the same way: the
 * configuration, the data directory, a port (zkd(8), EXIT STATUS).
 */
int
inst_exit_is_broken(int status)
{
	if (!WIFEXITED(status))
		return 0;
	switch (WEXITSTATUS(status)) {
	case EX_USAGE:
	case EX_DATAERR:
	case EX_UNAVAILABLE:
	case EX_CANTCREAT:
	case EX_TEMPFAIL:
	case EX_CONFIG:
		return 1;
	default:
		return 0;
	}
}

/*
 * The event i's exit with status (waitpid's) makes at now (ms): an exit
 * we asked for or a clean one leaves it down; a crash is restarted only
 * under the policy and while the user wants it up, and one crash too
 * many within the window fails it, as does a broken exit.
 */
enum inst_event
inst_exit_event(struct inst *i, int status, const struct inst_policy *p,
    int64_t now)
{
	i->last_status = status;
	if (inst_exit_is_broken(status))
		return INST_EV_BROKEN;
	if (i->expected || (WIFEXITED(status) && WEXITSTATUS(status) == 0))
		return INST_EV_EXITED;
	if (!p->on_crash || !i->want_up)
		return INST_EV_EXITED;
	if (i->crashes == 0 || now - i->first_crash > p->loop_window) {
		i->first_crash = now;
		i->crashes = 0;
	}
	if (++i->crashes > p->loop_limit)
		return INST_EV_BROKEN;
	return INST_EV_CRASHED;
}
