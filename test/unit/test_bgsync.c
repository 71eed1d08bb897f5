/* SPDX-License-Identifier: ISC */
/*
 * test_bgsync.c: the log's sync in the background (bgsync.c, and
 * txnlog_sync_begin over it), on real files.  A new file's first sync
 * stays in the caller (its directory entry must be made durable too);
 * later ones run on the thread: the eventfd becomes readable, the result
 * is taken exactly once, and what was written reads back.  A flush, a
 * roll or a close waits for a running sync first, and the sync it waited
 * for is still taken once, when its notice arrives.  Syncs are timed
 * into the summary given.  bgsync_free with a sync running waits for it.
 */
#include <sys/stat.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "unit_util.h"

#include "bgsync.h"
#include "metrics.h"
#include "txn.h"
#include "txnlog.h"

#define MAXBUF		(1024 * 1024)

static char	 dir[256];

static int
setup(void **state)
{
	(void)state;
	return unit_tmpdir(dir, sizeof(dir), "test_bgsync");
}

static int
teardown(void **state)
{
	(void)state;
	return unit_rmtree(dir);
}

/*
 * A sync thread, and a log over dir using it (forceSync as given), its
 * first txns written and synced here (a new file's sync stays here).
 */
static void
open_log(struct bgsync *b, struct summary *took, struct txnlog *l,
    int force_sync)
{
	assert_int_equal(bgsync_init(b, took), 0);
	txnlog_init(l, dir, 64 * 1024, force_sync);
	l->bg = b;
	unit_append_setdata(l, 1, 5);
	assert_int_equal(txnlog_sync_begin(l), 0);
	assert_int_equal(b->state, BGSYNC_IDLE);
	assert_int_equal(bgsync_take(b), 0);
}

/* Waits (10 s at most) for the notice, then polls. */
static void
await_notice(struct bgsync *b)
{
	struct pollfd	 pfd;

	pfd.fd = bgsync_fd(b);
	pfd.events = POLLIN;
	pfd.revents = 0;
	assert_int_equal(poll(&pfd, 1, 10000), 1);
	bgsync_poll(b);
}

static int
count_cb(void *arg, struct txn *t)
{
	(*(int *)arg)++;
	txn_free(t);
	return 0;
}

static int
count_log(void)
{
	struct txnlog_scan	 scan;
	char			 path[PATH_MAX];
	int			 n = 0;

	snprintf(path, sizeof(path), "%s/log.1", dir);
	assert_int_equal(txnlog_read(path, MAXBUF, count_cb, &n, &scan), 0);
	assert_int_equal(scan.bad, 0);
	return n;
}

/* The first sync of a file stays here; the next ones run behind. */
static void
test_syncs_run_behind_and_are_taken_once(void **state)
{
	struct bgsync	 b;
	struct summary	 took;
	struct txnlog	 l;
	int		 i;

	(void)state;
	summary_init(&took, 0);
	open_log(&b, &took, &l, 1);
	for (i = 0; i < 5; i++) {
		unit_append_setdata(&l, 6 + 10 * i, 10);
		assert_int_equal(txnlog_sync_begin(&l), 1);
		await_notice(&b);
		assert_int_equal(bgsync_take(&b), 1);
		assert_int_equal(bgsync_take(&b), 0);
	}
	assert_int_equal(took.count, 5);
	assert_int_equal(count_log(), 55);
	txnlog_close(&l);
	bgsync_free(&b);
	summary_free(&took);
}

/*
 * A flush waits for the running sync; that sync is taken once, when its
 * notice comes, and a close after a started sync loses nothing.
 */
static void
test_flush_waits_for_the_running_sync(void **state)
{
	struct bgsync	 b;
	struct txnlog	 l;

	(void)state;
	open_log(&b, NULL, &l, 1);
	unit_append_setdata(&l, 6, 5);
	assert_int_equal(txnlog_sync_begin(&l), 1);
	unit_append_setdata(&l, 11, 5);
	txnlog_flush(&l);
	assert_int_equal(b.state, BGSYNC_DONE);
	await_notice(&b);
	assert_int_equal(bgsync_take(&b), 1);
	assert_int_equal(bgsync_take(&b), 0);

	unit_append_setdata(&l, 16, 5);
	assert_int_equal(txnlog_sync_begin(&l), 1);
	txnlog_close(&l);
	assert_int_equal(count_log(), 20);
	/* bgsync_free after a waited sync, its notice never read. */
	bgsync_free(&b);
}

/* Freed with a sync running: it ends first. */
static void
test_free_waits_for_a_running_sync(void **state)
{
	struct bgsync	 b;
	struct txnlog	 l;

	(void)state;
	open_log(&b, NULL, &l, 1);
	unit_append_setdata(&l, 6, 5);
	assert_int_equal(txnlog_sync_begin(&l), 1);
	bgsync_free(&b);
	assert_int_equal(b.state, BGSYNC_DONE);
	l.bg = NULL;
	txnlog_close(&l);
	assert_int_equal(count_log(), 10);
}

/* forceSync=no: nothing goes behind, nothing is ever to take. */
static void
test_no_force_sync_stays_here(void **state)
{
	struct bgsync	 b;
	struct txnlog	 l;

	(void)state;
	open_log(&b, NULL, &l, 0);
	unit_append_setdata(&l, 6, 5);
	assert_int_equal(txnlog_sync_begin(&l), 0);
	assert_int_equal(bgsync_take(&b), 0);
	txnlog_close(&l);
	assert_int_equal(count_log(), 10);
	bgsync_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_syncs_run_behind_and_are_taken_once, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_flush_waits_for_the_running_sync, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_free_waits_for_a_running_sync, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_no_force_sync_stays_here, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
