/* SPDX-License-Identifier: ISC */
/*
 * inst.h: one server of a launched ensemble, as the supervisor keeps it:
 * what the user wants of it, what its process is doing, and what the
 * server last reported on its side door.  The whole life cycle is one
 * [state][event] table (inst.c); nothing else changes a state.
 */
#ifndef ZKE_INST_H
#define ZKE_INST_H

#include <sys/types.h>

#include <stdint.h>

enum inst_state {
	INST_DOWN,		/* no process */
	INST_STARTING,		/* forked, not ready yet */
	INST_UP,		/* ready: takes clients (or waits to) */
	INST_STOPPING,		/* TERM sent, waiting for it to exit */
	INST_BACKOFF,		/* crashed, waiting to be started again */
	INST_FAILED,		/* not started again until asked */
	INST_NSTATES
};

enum inst_event {
	INST_EV_START,		/* the user wants it up */
	INST_EV_STOP,		/* the user wants it down */
	INST_EV_READY,		/* it said ready */
	INST_EV_EXITED,		/* its process ended: leave it down */
	INST_EV_CRASHED,	/* ended, to be started again after a while */
	INST_EV_BROKEN,		/* ended for a reason a restart cannot mend */
	INST_EV_TIMER,		/* the backoff or the kill delay ran out */
	INST_NEVENTS
};

enum inst_action {
	INST_DO_NOTHING,
	INST_DO_SPAWN,		/* fork and exec the server */
	INST_DO_TERM,		/* SIGTERM (and SIGCONT), arm the kill delay */
	INST_DO_KILL,		/* SIGKILL */
	INST_DO_BACKOFF,	/* arm the backoff timer */
	INST_DO_DISARM,		/* cancel the timer */
	INST_DO_INVALID,	/* the event cannot happen in this state */
};

/* What a restart policy allows (see inst_exit_event). */
struct inst_policy {
	int		 on_crash;	/* restart after a crash */
	int		 loop_limit;	/* crashes within loop_window: failed */
	int64_t		 loop_window;	/* ms */
};

struct inst {
	int64_t		 sid;
	int		 observer;
	enum inst_state	 state;
	int		 want_up;
	pid_t		 pid;		/* 0: none */
	int		 paused;	/* SIGSTOP sent, no SIGCONT yet */
	int		 expected;	/* the exit under way is ours */
	int		 restarts;	/* spawns after the first */
	int		 crashes;	/* within the loop window */
	int64_t		 first_crash;	/* ms, of the window */
	int		 last_status;	/* as waitpid's, -1: none yet */
	/* As the server last reported (its side door). */
	char		 role[16];	/* LOOKING, LEADING, ..., "" */
	char		 phase[16];
	char		 sync[8];
	int64_t		 leader;
	int64_t		 epoch;
	int64_t		 zxid;
	int64_t		 sessions;
	int		 ready;
	int64_t		 since;		/* ms: started, for uptime */
};

const char	*inst_state_name(enum inst_state);
const char	*inst_event_name(enum inst_event);
enum inst_action inst_step(struct inst *, enum inst_event);
enum inst_event	 inst_exit_event(struct inst *, int, const struct inst_policy *,
		    int64_t);
int		 inst_exit_is_broken(int);

#endif
