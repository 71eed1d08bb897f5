/* SPDX-License-Identifier: ISC */
/*
 * spin.c: polling instead of sleeping, for a short while after a read or
 * while a single write is in flight.
 *
 * A request answered from memory takes a few microseconds of work, but a
 * server that sleeps in epoll_wait between requests pays, on each one,
 * for being woken: on a virtual machine an idle CPU halts, and the
 * interrupt that wakes it costs tens of microseconds, more than the
 * request.  A client that sends one request at a time pays it on every
 * request.  So once the server has answered a read (conn.c calls
 * spin_note) the loop polls, epoll_wait with no timeout and sched_yield
 * between polls, for a window of spin_us microseconds before it sleeps
 * again; the next request of a busy client lands inside the window and
 * wakes no one.
 *
 * And while a single write is in flight (ensemble.c calls spin_note at
 * the end of a turn that leaves one txn logged and not committed, or one
 * client request waiting, and no more): one client writing through a
 * follower takes six hops between processes, each of which would wake a
 * sleeping server.  Not while many writes are in flight: with three
 * servers on two cores, polling under load took from the busy server the
 * CPU it needed (measured, see BENCHMARKS.md).
 *
 * The cost is bounded: an idle server never polls, a busy one polls at
 * most spin_us after its last answered read or the last turn of its
 * single write, and sched_yield gives the CPU to any other process ready
 * to run on it.  spin_us 0 turns polling off (pollMicros, zkd.conf(5)).
 */
#include <sched.h>

#include "spin.h"
#include "util.h"

static int64_t	 spin_us;
static int64_t	 spin_until;		/* monotonic microseconds */

/* The window after each note, in microseconds; 0 never polls. */
void
spin_set(int64_t us)
{
	spin_us = us > 0 ? us : 0;
	spin_until = 0;
}

/* A read was answered, or one write waits: poll until the window ends. */
void
spin_note(void)
{
	if (spin_us > 0)
		spin_until = util_now_us() + spin_us;
}

/*
 * Whether the loop should poll this turn, not wait.  Yields the CPU
 * first, so that polling takes none from a process ready to run.
 */
int
spin_polling(void)
{
	if (spin_until == 0)
		return 0;
	if (util_now_us() >= spin_until) {
		spin_until = 0;
		return 0;
	}
	sched_yield();
	return 1;
}
