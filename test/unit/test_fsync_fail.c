/* SPDX-License-Identifier: ISC */
/*
 * test_fsync_fail.c: a log that cannot be made durable stops the server.
 * Linked with --wrap for fdatasync, fsync and pwrite, so each can be made
 * to fail once with an errno.  txnlog_flush run in a forked child never
 * returns when the sync of the log, the sync of its directory or the
 * write fails: the child exits with fatal's status 1 and a message
 * naming the file and the error, and a failure that happens only once is
 * not retried into a success; nor when the sync runs in the background
 * (bgsync.c): the flush that waits for it ends the child instead.  Short and interrupted writes are not
 * errors: the flush completes them and the log reads back whole.  A
 * snapshot whose sync fails is only reported (the logs still hold every
 * txn) and leaves no file behind.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "unit_util.h"

#include "bgsync.h"
#include "proto.h"
#include "snap.h"
#include "tree.h"
#include "txn.h"
#include "txnlog.h"
#include "util.h"
#include "xmalloc.h"

#define MAXBUF		(1024 * 1024)
#define RETURNED	99	/* the child's status if the flush returned */
#define FORBIDDEN	98	/* ... if it synced when it must not have */

/* What the wrappers do; one failure each, at the nth call from now. */
struct wrap {
	int	 fdatasync_fail_at;	/* 0: never */
	int	 fsync_fail_at;
	int	 pwrite_fail_at;
	int	 fail_errno;
	int	 fdatasync_forbidden;	/* calling it ends the child */
	size_t	 pwrite_max;		/* 0: whole writes */
	int	 pwrite_eintr;		/* every other call is interrupted */
	int	 fdatasync_calls;
	int	 fsync_calls;
	int	 pwrite_calls;
};

static struct wrap	 w;
static char		 dir[256];

int	 __real_fdatasync(int);
int	 __real_fsync(int);
ssize_t	 __real_pwrite(int, const void *, size_t, off_t);
int	 __wrap_fdatasync(int);
int	 __wrap_fsync(int);
ssize_t	 __wrap_pwrite(int, const void *, size_t, off_t);

static int	 setup(void **);
static int	 teardown(void **);
static int	 run_child(void (*)(void), char *, size_t);
static void	 child_one_flush(void);
static void	 child_two_flushes(void);
static void	 child_background_sync(void);
static int	 count_cb(void *, struct txn *);

int
__wrap_fdatasync(int fd)
{
	if (w.fdatasync_forbidden)
		_exit(FORBIDDEN);
	w.fdatasync_calls++;
	if (w.fdatasync_fail_at != 0 && --w.fdatasync_fail_at == 0) {
		errno = w.fail_errno;
		return -1;
	}
	return __real_fdatasync(fd);
}

int
__wrap_fsync(int fd)
{
	w.fsync_calls++;
	if (w.fsync_fail_at != 0 && --w.fsync_fail_at == 0) {
		errno = w.fail_errno;
		return -1;
	}
	return __real_fsync(fd);
}

ssize_t
__wrap_pwrite(int fd, const void *buf, size_t len, off_t off)
{
	w.pwrite_calls++;
	if (w.pwrite_fail_at != 0 && --w.pwrite_fail_at == 0) {
		errno = w.fail_errno;
		return -1;
	}
	if (w.pwrite_eintr && w.pwrite_calls % 2 == 1) {
		errno = EINTR;
		return -1;
	}
	if (w.pwrite_max != 0 && len > w.pwrite_max)
		len = w.pwrite_max;
	return __real_pwrite(fd, buf, len, off);
}

static int
setup(void **state)
{
	(void)state;
	memset(&w, 0, sizeof(w));
	return unit_tmpdir(dir, sizeof(dir), "test_fsync_fail");
}

static int
teardown(void **state)
{
	(void)state;
	memset(&w, 0, sizeof(w));
	return unit_rmtree(dir);
}

/* One new file, some txns, one flush. */
static void
child_one_flush(void)
{
	struct txnlog	 l;

	txnlog_init(&l, dir, 64 * 1024, 1);
	unit_append_setdata(&l, 1, 20);
	txnlog_flush(&l);
}

/* Two flushes into one file: the second syncs only the file. */
static void
child_two_flushes(void)
{
	struct txnlog	 l;

	txnlog_init(&l, dir, 64 * 1024, 1);
	unit_append_setdata(&l, 1, 20);
	txnlog_flush(&l);
	unit_append_setdata(&l, 21, 20);
	txnlog_flush(&l);
}

/* A first flush, then a sync on the background thread, waited for. */
static void
child_background_sync(void)
{
	struct bgsync	 b;
	struct txnlog	 l;

	if (bgsync_init(&b, NULL) == -1)
		_exit(FORBIDDEN);
	txnlog_init(&l, dir, 64 * 1024, 1);
	l.bg = &b;
	unit_append_setdata(&l, 1, 20);
	txnlog_flush(&l);
	unit_append_setdata(&l, 21, 20);
	if (txnlog_sync_begin(&l) != 1)
		_exit(FORBIDDEN);
	txnlog_flush(&l);
	bgsync_free(&b);
}

/*
 * Runs fn in a child with w as it is, its stderr into msg; returns its
 * exit status, RETURNED if fn returned, or -1 if it did not exit.
 */
static int
run_child(void (*fn)(void), char *msg, size_t msglen)
{
	char	 path[PATH_MAX];
	pid_t	 pid;
	size_t	 got = 0;
	ssize_t	 n;
	int	 fds[2], status;

	/* Each child starts the same log anew. */
	snprintf(path, sizeof(path), "%s/log.1", dir);
	unlink(path);
	assert_int_equal(pipe(fds), 0);
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == 0) {
		close(fds[0]);
		dup2(fds[1], 2);
		fn();
		_exit(RETURNED);
	}
	assert_int_not_equal(pid, -1);
	close(fds[1]);
	while (got + 1 < msglen &&
	    (n = read(fds[0], msg + got, msglen - 1 - got)) > 0)
		got += (size_t)n;
	msg[got] = '\0';
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int
count_cb(void *arg, struct txn *t)
{
	(*(int *)arg)++;
	txn_free(t);
	return 0;
}

/* The control: with nothing failing the flush returns. */
static void
test_control_flush_returns(void **state)
{
	char	 msg[1024];

	(void)state;
	assert_int_equal(run_child(child_one_flush, msg, sizeof(msg)),
	    RETURNED);
	assert_int_equal(run_child(child_two_flushes, msg, sizeof(msg)),
	    RETURNED);
}

/* forceSync=no: a failing sync is never reached, the flush returns. */
static void
test_no_sync_without_force_sync(void **state)
{
	struct txnlog	 l;

	(void)state;
	w.fdatasync_forbidden = 1;
	w.fsync_fail_at = 1;
	w.fail_errno = EIO;
	txnlog_init(&l, dir, 0, 0);
	unit_append_setdata(&l, 1, 5);
	txnlog_flush(&l);
	txnlog_close(&l);
	assert_int_equal(w.fsync_calls, 0);
	w.fdatasync_forbidden = 0;
}

/* fdatasync failing with EIO ends the process, once is enough. */
static void
test_fdatasync_eio_is_fatal(void **state)
{
	char	 msg[1024];

	(void)state;
	w.fdatasync_fail_at = 1;
	w.fail_errno = EIO;
	assert_int_equal(run_child(child_one_flush, msg, sizeof(msg)), 1);
	assert_non_null(strstr(msg, "fsync of transaction log"));
	assert_non_null(strstr(msg, dir));
	assert_non_null(strstr(msg, "log.1"));
	assert_non_null(strstr(msg, strerror(EIO)));

	/* After a good flush, a later one failing is as fatal. */
	w.fdatasync_fail_at = 2;
	assert_int_equal(run_child(child_two_flushes, msg, sizeof(msg)), 1);
	assert_non_null(strstr(msg, "fsync of transaction log"));
	/* The control: the same child with no failure returns. */
	w.fdatasync_fail_at = 0;
	assert_int_equal(run_child(child_two_flushes, msg, sizeof(msg)),
	    RETURNED);
}

/* A sync in the background failing ends the process just the same. */
static void
test_background_fdatasync_eio_is_fatal(void **state)
{
	char	 msg[1024];

	(void)state;
	w.fdatasync_fail_at = 2;
	w.fail_errno = EIO;
	assert_int_equal(run_child(child_background_sync, msg, sizeof(msg)),
	    1);
	assert_non_null(strstr(msg, "fsync of transaction log"));
	assert_non_null(strstr(msg, "log.1"));
	assert_non_null(strstr(msg, strerror(EIO)));
	/* The control: no failure, the child returns. */
	w.fdatasync_fail_at = 0;
	assert_int_equal(run_child(child_background_sync, msg, sizeof(msg)),
	    RETURNED);
}

/* The new file's directory entry failing to sync is fatal too. */
static void
test_dir_fsync_eio_is_fatal(void **state)
{
	char	 msg[1024];

	(void)state;
	w.fsync_fail_at = 1;
	w.fail_errno = EIO;
	assert_int_equal(run_child(child_one_flush, msg, sizeof(msg)), 1);
	assert_non_null(strstr(msg, "fsync of directory"));
	assert_non_null(strstr(msg, dir));
	assert_non_null(strstr(msg, strerror(EIO)));
}

/* A failing write is fatal, before any sync could pretend success. */
static void
test_write_error_is_fatal(void **state)
{
	char	 msg[1024];
	int	 e;

	(void)state;
	for (e = 0; e < 2; e++) {
		memset(&w, 0, sizeof(w));
		w.pwrite_fail_at = 1;
		w.fail_errno = e == 0 ? EIO : ENOSPC;
		w.fdatasync_forbidden = 1;
		assert_int_equal(run_child(child_one_flush, msg, sizeof(msg)),
		    1);
		assert_non_null(strstr(msg, "write to transaction log"));
		assert_non_null(strstr(msg, "log.1"));
		assert_non_null(strstr(msg, strerror(w.fail_errno)));
	}
}

/*
 * Writes cut short or interrupted are carried on, not errors: every
 * entry reaches the file and reads back.
 */
static void
test_short_and_interrupted_writes_complete(void **state)
{
	struct txnlog		 l;
	struct txnlog_scan	 scan;
	char			 path[PATH_MAX];
	int			 n = 0;

	(void)state;
	w.pwrite_max = 7;
	w.pwrite_eintr = 1;
	txnlog_init(&l, dir, 4096, 1);
	unit_append_setdata(&l, 1, 30);
	txnlog_flush(&l);
	unit_append_setdata(&l, 31, 30);
	txnlog_close(&l);
	assert_true(w.pwrite_calls > 2 * 60);
	assert_int_equal(w.fdatasync_calls, 2);
	snprintf(path, sizeof(path), "%s/log.1", dir);
	memset(&w, 0, sizeof(w));
	assert_int_equal(txnlog_read(path, MAXBUF, count_cb, &n, &scan), 0);
	assert_int_equal(scan.bad, 0);
	assert_int_equal(n, 60);
	assert_true(scan.last_zxid == 60);
}

/* A snapshot that cannot be synced fails cleanly: a cause, no file. */
static void
test_snapshot_fsync_failure_reported(void **state)
{
	struct tree	*t;
	char		 path[PATH_MAX], *cause = NULL;

	(void)state;
	t = tree_new(0);
	w.fsync_fail_at = 1;
	w.fail_errno = EIO;
	assert_int_equal(snap_write(dir, 0x77, t, NULL, 1, &cause), -1);
	assert_int_equal(w.fsync_calls, 1);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "snapshot.77"));
	assert_non_null(strstr(cause, strerror(EIO)));
	snprintf(path, sizeof(path), "%s/snapshot.77", dir);
	assert_int_equal(access(path, F_OK), -1);
	snprintf(path, sizeof(path), "%s/snapshot.77.tmp", dir);
	assert_int_equal(access(path, F_OK), -1);
	free(cause);
	tree_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_control_flush_returns,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_sync_without_force_sync,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_fdatasync_eio_is_fatal,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_background_fdatasync_eio_is_fatal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dir_fsync_eio_is_fatal,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_error_is_fatal,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_short_and_interrupted_writes_complete, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_snapshot_fsync_failure_reported, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
