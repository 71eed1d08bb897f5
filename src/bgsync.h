/* SPDX-License-Identifier: ISC */
/*
 * bgsync.h: one fdatasync at a time on a thread of its own (storage
 * layer), so that the loop goes on while the log reaches the disk.  See
 * bgsync.c.
 *
 * States: IDLE -> (bgsync_start) RUNNING -> (the thread is done, and
 * bgsync_wait or bgsync_poll saw it) DONE -> (bgsync_take) IDLE.  One
 * sync at a time: starting while not IDLE is a bug and ends the process.
 * A failed sync ends the process too (the log is the truth).
 */
#ifndef ZK_BGSYNC_H
#define ZK_BGSYNC_H

#include <limits.h>
#include <pthread.h>
#include <stdint.h>

#include "metrics.h"

enum bgsync_state {
	BGSYNC_IDLE,
	BGSYNC_RUNNING,
	BGSYNC_DONE
};

struct bgsync {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;		/* the job, or its end, changed */
	pthread_t	 thread;
	int		 started;	/* the thread runs */
	int		 quit;
	int		 notify;	/* eventfd: counts finished syncs */
	enum bgsync_state state;	/* the loop's view */
	/* Shared with the thread, under mu. */
	int		 fd;		/* the job; -1: none */
	int		 finished;	/* the job is done */
	int		 err;		/* its errno; 0: synced */
	int64_t		 took_ms;
	char		 path[PATH_MAX];
	struct summary	*time;		/* ms per sync, if kept */
};

int	 bgsync_init(struct bgsync *, struct summary *);
void	 bgsync_free(struct bgsync *);
int	 bgsync_fd(const struct bgsync *);
void	 bgsync_start(struct bgsync *, int, const char *);
void	 bgsync_wait(struct bgsync *);
void	 bgsync_poll(struct bgsync *);
int	 bgsync_take(struct bgsync *);

#endif
