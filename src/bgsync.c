/* SPDX-License-Identifier: ISC */
/*
 * bgsync.c: the log's fdatasync on a thread of its own (storage layer).
 *
 * Why.  An fdatasync here takes about 100 us, more when the three servers
 * of a pseudo-cluster sync at once and the disk takes them one after the
 * other.  A loop blocked in it reads nothing: a follower that logged a
 * proposal could not take the COMMIT the leader sent meanwhile (the other
 * follower's ACK made the quorum), nor could a leader count the ACKs that
 * came while it synced its own log.  So in an ensemble the loop writes
 * the log and hands the sync to this thread (ZooKeeper's
 * SyncRequestProcessor is a thread for the same reason), and goes on;
 * what waits for the sync is only what must: our ACKs, and the leader
 * counting itself in a quorum.  Applying a COMMIT does not: a quorum
 * holds that txn on disk already (Follower.processPacket commits what
 * was logged, synced or not, as here).
 *
 * How.  One job at a time, one file descriptor: the loop starts a sync
 * (bgsync_start) after writing what it appended; the thread syncs, notes
 * the result and counts one on an eventfd the loop watches; the loop
 * then takes the result (bgsync_poll, bgsync_take).  Whatever would
 * close, roll, truncate or read the log waits for the running sync first
 * (bgsync_wait): the thread never syncs a descriptor that was closed.
 * The loop keeps the state (IDLE, RUNNING, DONE); the thread sees only
 * the job under the mutex.  The thread does nothing but fdatasync, the
 * clock, the mutex and the eventfd: no allocation, no logging, nothing a
 * fork (the snapshot writer) could catch half-held.
 *
 * A failed sync ends the server, as a failed sync in the loop does
 * (txnlog.c): the log is the truth, and what it holds was not made
 * durable.
 */
#include <sys/eventfd.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "bgsync.h"
#include "log.h"
#include "util.h"

static void *
bgsync_main(void *arg)
{
	struct bgsync	*b = arg;
	uint64_t	 one = 1;
	int64_t		 t0;
	int		 fd, err;

	for (;;) {
		pthread_mutex_lock(&b->mu);
		while (b->fd == -1 && !b->quit)
			pthread_cond_wait(&b->cv, &b->mu);
		if (b->quit) {
			pthread_mutex_unlock(&b->mu);
			return NULL;
		}
		fd = b->fd;
		pthread_mutex_unlock(&b->mu);

		t0 = util_now_ms();
		err = fdatasync(fd) == -1 ? errno : 0;

		pthread_mutex_lock(&b->mu);
		b->fd = -1;
		b->err = err;
		b->took_ms = util_now_ms() - t0;
		b->finished = 1;
		pthread_cond_broadcast(&b->cv);
		pthread_mutex_unlock(&b->mu);
		while (write(b->notify, &one, sizeof(one)) == -1 &&
		    errno == EINTR)
			;
	}
}

/* Starts the thread; time, if not NULL, gets the ms of each sync. */
int
bgsync_init(struct bgsync *b, struct summary *time)
{
	sigset_t	 all, old;
	int		 rv;

	memset(b, 0, sizeof(*b));
	b->fd = -1;
	b->time = time;
	b->state = BGSYNC_IDLE;
	if ((b->notify = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1)
		return -1;
	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->cv, NULL);
	/* Signals are the loop's: the thread starts with all of them blocked. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rv = pthread_create(&b->thread, NULL, bgsync_main, b);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rv != 0) {
		close(b->notify);
		errno = rv;
		return -1;
	}
	b->started = 1;
	return 0;
}

/* Waits for a running sync, then ends the thread. */
void
bgsync_free(struct bgsync *b)
{
	if (!b->started)
		return;
	bgsync_wait(b);
	pthread_mutex_lock(&b->mu);
	b->quit = 1;
	pthread_cond_broadcast(&b->cv);
	pthread_mutex_unlock(&b->mu);
	pthread_join(b->thread, NULL);
	pthread_mutex_destroy(&b->mu);
	pthread_cond_destroy(&b->cv);
	close(b->notify);
	b->started = 0;
}

/* Readable once a sync finished: the loop watches it, then bgsync_poll. */
int
bgsync_fd(const struct bgsync *b)
{
	return b->notify;
}

/* Hands the sync of fd (the file at path, for the error) to the thread. */
void
bgsync_start(struct bgsync *b, int fd, const char *path)
{
	if (b->state != BGSYNC_IDLE)
		fatalx("bgsync: a sync started while another is not taken");
	pthread_mutex_lock(&b->mu);
	b->fd = fd;
	b->finished = 0;
	strlcpy(b->path, path, sizeof(b->path));
	pthread_cond_broadcast(&b->cv);
	pthread_mutex_unlock(&b->mu);
	b->state = BGSYNC_RUNNING;
}

/* The thread's result, under mu: fatal if the sync failed. */
static void
bgsync_collect(struct bgsync *b)
{
	if (b->err != 0) {
		errno = b->err;
		fatal("fsync of transaction log %s failed", b->path);
	}
	if (b->time != NULL)
		summary_add(b->time, b->took_ms);
	b->state = BGSYNC_DONE;
}

/* Blocks until a running sync is done (nothing to do if none runs). */
void
bgsync_wait(struct bgsync *b)
{
	if (b->state != BGSYNC_RUNNING)
		return;
	pthread_mutex_lock(&b->mu);
	while (!b->finished)
		pthread_cond_wait(&b->cv, &b->mu);
	bgsync_collect(b);
	pthread_mutex_unlock(&b->mu);
}

/* The eventfd was readable: clears it, and notes a sync that finished. */
void
bgsync_poll(struct bgsync *b)
{
	uint64_t	 n;

	while (read(b->notify, &n, sizeof(n)) == -1 && errno == EINTR)
		;
	if (b->state != BGSYNC_RUNNING)
		return;
	pthread_mutex_lock(&b->mu);
	if (b->finished)
		bgsync_collect(b);
	pthread_mutex_unlock(&b->mu);
}

/* 1 once for each sync done (polled or waited for), then IDLE again. */
int
bgsync_take(struct bgsync *b)
{
	if (b->state != BGSYNC_DONE)
		return 0;
	b->state = BGSYNC_IDLE;
	return 1;
}
