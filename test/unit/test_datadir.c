/* SPDX-License-Identifier: ISC */
/*
 * test_datadir.c: the data directory's files.  datadir_list finds
 * prefix.<hex zxid> files sorted by zxid as a number (not as text) and
 * ignores other prefixes, non-hex suffixes and temporaries; epoch files
 * are replaced whole (a new file renamed over the old) and read back,
 * absent reads as -1 and anything but a decimal number is an error;
 * datadir_purge keeps the newest snapRetainCount snapshots (at least 3)
 * and every log recovery from the oldest of them needs: the newest log
 * named at or below its zxid and all later ones, checked on fixed cases
 * and on a few hundred random directories; leftover snapshot temporaries
 * are removed and nothing else.
 */
#include <sys/stat.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "unit_util.h"

#include "datadir.h"
#include "util.h"
#include "xmalloc.h"

static char	 dir[256];
static char	 snapdir[300];
static char	 logdir[300];

static int	 setup(void **);
static int	 teardown(void **);
static void	 touch(const char *, const char *, const char *);
static int	 exists(const char *, const char *);
static void	 make_files(const char *, const char *, const int64_t *,
		    size_t);
static void	 check_purged(const int64_t *, size_t, const int64_t *,
		    size_t, int, int);
static void	 empty_dir(const char *);

static int
setup(void **state)
{
	(void)state;
	if (unit_tmpdir(dir, sizeof(dir), "test_datadir") == -1)
		return -1;
	snprintf(snapdir, sizeof(snapdir), "%s/snap", dir);
	snprintf(logdir, sizeof(logdir), "%s/log", dir);
	if (mkdir(snapdir, 0755) == -1 || mkdir(logdir, 0755) == -1)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	return unit_rmtree(dir);
}

/* Creates d/name holding text. */
static void
touch(const char *d, const char *name, const char *text)
{
	char	 path[PATH_MAX];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", d, name);
	if ((f = fopen(path, "w")) == NULL)
		fail_msg("cannot create %s", path);
	fputs(text, f);
	fclose(f);
}

static int
exists(const char *d, const char *name)
{
	char	 path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", d, name);
	return access(path, F_OK) == 0;
}

/* Creates prefix.<zxid> in d for each zxid. */
static void
make_files(const char *d, const char *prefix, const int64_t *z, size_t n)
{
	char	 name[64];
	size_t	 i;

	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%s.%llx", prefix,
		    (unsigned long long)z[i]);
		touch(d, name, "");
	}
}

static void
empty_dir(const char *d)
{
	struct datadir_list	 l;
	size_t			 i;

	assert_int_equal(datadir_list(d, "snapshot", &l), 0);
	for (i = 0; i < l.n; i++)
		unlink(l.v[i].path);
	datadir_list_free(&l);
	assert_int_equal(datadir_list(d, "log", &l), 0);
	for (i = 0; i < l.n; i++)
		unlink(l.v[i].path);
	datadir_list_free(&l);
}

/*
 * After purging snapshots snaps[] (sorted) and logs logs[] (sorted)
 * keeping keep: the newest max(keep, 3) snapshots are there and the older
 * gone; the logs from the newest one named at or below the oldest kept
 * snapshot onwards are there and the older gone; removed counts them.
 */
static void
check_purged(const int64_t *snaps, size_t ns, const int64_t *logs, size_t nl,
    int keep, int removed)
{
	char		 name[64];
	size_t		 i, k = keep < 3 ? 3 : (size_t)keep, first_log = 0;
	int64_t		 least;
	int		 gone = 0, want;

	for (i = 0; i < ns; i++) {
		snprintf(name, sizeof(name), "snapshot.%llx",
		    (unsigned long long)snaps[i]);
		want = i + k >= ns;
		if (exists(snapdir, name) != want)
			fail_msg("%s: %s", name, want ? "removed" : "kept");
		gone += !want;
	}
	if (ns > k) {
		least = snaps[ns - k];
		for (i = 0; i < nl; i++)
			if (logs[i] <= least)
				first_log = i;
	}
	for (i = 0; i < nl; i++) {
		snprintf(name, sizeof(name), "log.%llx",
		    (unsigned long long)logs[i]);
		want = ns <= k || i >= first_log;
		if (exists(logdir, name) != want)
			fail_msg("%s: %s", name, want ? "removed" : "kept");
		gone += !want;
	}
	assert_int_equal(removed, gone);
}

/*
 * Files come sorted by zxid as a number; other prefixes, temporaries and
 * suffixes that are not hex are not listed.
 */
static void
test_list_sorts_and_filters(void **state)
{
	static const char *skip[] = {
		"snapshot.", "snapshot.xyz", "snapshot.12g", "snapshot.1a.tmp",
		"snapshot.tmp", "snapshotx.5", "snapshots.6", "log.7",
		"acceptedEpoch", "currentEpoch", "myid", "Snapshot.8",
		"snapshot.1_2",
	};
	static const char *keep[] = {
		"snapshot.100", "snapshot.2", "snapshot.ff", "snapshot.1a",
		"snapshot.100000000", "snapshot.0", "snapshot.7fffffffffffffff",
		"snapshot.ABC",
	};
	static const int64_t want[] = {
		0, 2, 0x1a, 0xff, 0x100, 0xabc, 0x100000000LL, INT64_MAX,
	};
	struct datadir_list	 l;
	char			 path[PATH_MAX];
	size_t			 i;

	(void)state;
	for (i = 0; i < nitems(skip); i++)
		touch(snapdir, skip[i], "");
	for (i = 0; i < nitems(keep); i++)
		touch(snapdir, keep[i], "");
	assert_int_equal(datadir_list(snapdir, "snapshot", &l), 0);
	assert_int_equal(l.n, nitems(want));
	for (i = 0; i < l.n; i++) {
		assert_true(l.v[i].zxid == want[i]);
		/* The path is dir/name of the file with that zxid. */
		assert_int_equal(strncmp(l.v[i].path, snapdir,
		    strlen(snapdir)), 0);
		assert_int_equal(access(l.v[i].path, F_OK), 0);
		snprintf(path, sizeof(path), "%s/snapshot.%llx", snapdir,
		    (unsigned long long)want[i]);
		assert_int_equal(strcasecmp(l.v[i].path, path), 0);
	}
	datadir_list_free(&l);
	assert_int_equal(l.n, 0);

	assert_int_equal(datadir_list(snapdir, "log", &l), 0);
	assert_int_equal(l.n, 1);
	assert_true(l.v[0].zxid == 7);
	datadir_list_free(&l);

	/* No directory yet is no file, not an error. */
	snprintf(path, sizeof(path), "%s/none", dir);
	assert_int_equal(datadir_list(path, "log", &l), 0);
	assert_int_equal(l.n, 0);
}

/*
 * An epoch file is written whole and read back; a rewrite replaces the
 * file (an open reader of the old one still sees the old number) and
 * leaves no temporary.
 */
static void
test_epoch_write_read(void **state)
{
	char		 path[PATH_MAX], buf[32];
	struct stat	 before, after;
	int64_t		 e;
	ssize_t		 n;
	int		 fd;

	(void)state;
	assert_int_equal(datadir_write_epoch(snapdir, "currentEpoch", 7), 0);
	assert_int_equal(datadir_read_epoch(snapdir, "currentEpoch", &e), 0);
	assert_true(e == 7);
	snprintf(path, sizeof(path), "%s/currentEpoch", snapdir);
	assert_int_not_equal(fd = open(path, O_RDONLY), -1);
	assert_int_equal(fstat(fd, &before), 0);

	assert_int_equal(datadir_write_epoch(snapdir, "currentEpoch",
	    4294967296LL), 0);
	assert_int_equal(stat(path, &after), 0);
	assert_true(before.st_ino != after.st_ino);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, "7");
	close(fd);
	assert_false(exists(snapdir, "currentEpoch.tmp"));
	assert_int_equal(datadir_read_epoch(snapdir, "currentEpoch", &e), 0);
	assert_true(e == 4294967296LL);

	/* ZooKeeper's files: a decimal number, with or without a newline. */
	assert_int_not_equal(fd = open(path, O_RDONLY), -1);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, "4294967296");
	touch(snapdir, "acceptedEpoch", "12\n");
	assert_int_equal(datadir_read_epoch(snapdir, "acceptedEpoch", &e), 0);
	assert_true(e == 12);
	assert_int_equal(datadir_write_epoch(snapdir, "acceptedEpoch", 0), 0);
	assert_int_equal(datadir_read_epoch(snapdir, "acceptedEpoch", &e), 0);
	assert_true(e == 0);

	/* A stale temporary from a crash is no obstacle. */
	touch(snapdir, "acceptedEpoch.tmp", "garbage");
	assert_int_equal(datadir_write_epoch(snapdir, "acceptedEpoch", 3), 0);
	assert_int_equal(datadir_read_epoch(snapdir, "acceptedEpoch", &e), 0);
	assert_true(e == 3);

	snprintf(path, sizeof(path), "%s/none", dir);
	assert_int_equal(datadir_write_epoch(path, "currentEpoch", 1), -1);
}

/* An absent epoch file reads as -1. */
static void
test_epoch_missing(void **state)
{
	int64_t	 e = 5;

	(void)state;
	assert_int_equal(datadir_read_epoch(snapdir, "currentEpoch", &e), 0);
	assert_true(e == -1);
}

/* Anything but one decimal number is an error, never a number. */
static void
test_epoch_garbage(void **state)
{
	static const char *bad[] = {
		"", "\n", "abc", "12abc", "-5", "1 2", "0x10", " ",
		"99999999999999999999999", "\n7",
	};
	char	 path[PATH_MAX];
	int64_t	 e;
	size_t	 i;

	(void)state;
	for (i = 0; i < nitems(bad); i++) {
		touch(snapdir, "currentEpoch", bad[i]);
		e = 5;
		if (datadir_read_epoch(snapdir, "currentEpoch", &e) != -1)
			fail_msg("\"%s\" read as %lld", bad[i], (long long)e);
	}
	/* Not a file at all. */
	snprintf(path, sizeof(path), "%s/currentEpoch", snapdir);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(datadir_read_epoch(snapdir, "currentEpoch", &e), -1);
}

/*
 * Fixed cases: the kept logs start at the newest one at or below the
 * oldest kept snapshot (which may run past it), a log named exactly at
 * it, fewer snapshots than kept, keep below 3.
 */
static void
test_purge_fixed(void **state)
{
	static const int64_t snaps[] = { 0x10, 0x20, 0x30, 0x40, 0x50 };
	static const int64_t logs[] = { 0x1, 0x5, 0x15, 0x25, 0x35, 0x45,
	    0x55 };
	static const int64_t logs2[] = { 0x1, 0x25, 0x30, 0x31 };
	char	*cause = NULL;
	int	 n;

	(void)state;
	make_files(snapdir, "snapshot", snaps, nitems(snaps));
	make_files(logdir, "log", logs, nitems(logs));
	touch(snapdir, "snapshot.1.tmp", "");
	touch(logdir, "log.zz", "");
	touch(snapdir, "myid", "1");
	n = datadir_purge(snapdir, logdir, 3, &cause);
	/* snapshot.10, .20; log.1, .5, .15 (log.25 runs past 0x30). */
	assert_int_equal(n, 5);
	check_purged(snaps, nitems(snaps), logs, nitems(logs), 3, n);
	assert_true(exists(logdir, "log.25"));
	assert_false(exists(logdir, "log.15"));
	assert_true(exists(snapdir, "snapshot.1.tmp"));
	assert_true(exists(logdir, "log.zz"));
	assert_true(exists(snapdir, "myid"));
	/* Nothing more to do. */
	assert_int_equal(datadir_purge(snapdir, logdir, 3, &cause), 0);
	empty_dir(snapdir);
	empty_dir(logdir);

	/* A log named exactly at the oldest kept snapshot is enough. */
	make_files(snapdir, "snapshot", snaps, nitems(snaps));
	make_files(logdir, "log", logs2, nitems(logs2));
	n = datadir_purge(snapdir, logdir, 3, &cause);
	assert_int_equal(n, 4);
	check_purged(snaps, nitems(snaps), logs2, nitems(logs2), 3, n);
	assert_true(exists(logdir, "log.30"));
	assert_false(exists(logdir, "log.25"));
	empty_dir(snapdir);
	empty_dir(logdir);

	/* No more snapshots than kept: nothing goes, logs included. */
	make_files(snapdir, "snapshot", snaps + 2, 3);
	make_files(logdir, "log", logs, nitems(logs));
	assert_int_equal(datadir_purge(snapdir, logdir, 3, &cause), 0);
	check_purged(snaps + 2, 3, logs, nitems(logs), 3, 0);
	/* keep 1 means 3, as in ZooKeeper. */
	assert_int_equal(datadir_purge(snapdir, logdir, 1, &cause), 0);
	check_purged(snaps + 2, 3, logs, nitems(logs), 1, 0);
	empty_dir(snapdir);
	empty_dir(logdir);

	/* One directory for both, as when dataLogDir is not set. */
	make_files(snapdir, "snapshot", snaps, nitems(snaps));
	make_files(snapdir, "log", logs, nitems(logs));
	n = datadir_purge(snapdir, snapdir, 4, &cause);
	assert_int_equal(n, 1 + 2);
	assert_false(exists(snapdir, "snapshot.10"));
	assert_true(exists(snapdir, "snapshot.20"));
	assert_true(exists(snapdir, "log.15"));
	assert_false(exists(snapdir, "log.5"));
}

/*
 * Random directories: whatever the names, purge removes exactly the
 * snapshots beyond the newest keep and the logs recovery from the
 * oldest kept snapshot cannot need.
 */
static void
test_purge_random(void **state)
{
	struct unit_rng	 r = { 0xd1ed1dULL };
	int64_t		 snaps[40], logs[60], z;
	size_t		 ns, nl;
	uint32_t	 k;
	char		*cause = NULL;
	int		 iter, keep, n;

	(void)state;
	for (iter = 0; iter < 300; iter++) {
		/*
		 * Walk up the zxids placing snapshots and logs, now and then
		 * both at one zxid.
		 */
		ns = nl = 0;
		for (z = 1; ns < nitems(snaps) && nl < nitems(logs); z++) {
			k = unit_rng_below(&r, 40);
			if (k == 0 || k == 2)
				snaps[ns++] = z;
			if (k == 1 || k == 2)
				logs[nl++] = z;
			if (unit_rng_below(&r, 400) == 0)
				break;
		}
		keep = (int)unit_rng_below(&r, 8);
		make_files(snapdir, "snapshot", snaps, ns);
		make_files(logdir, "log", logs, nl);
		n = datadir_purge(snapdir, logdir, keep, &cause);
		assert_true(n >= 0);
		check_purged(snaps, ns, logs, nl, keep, n);
		empty_dir(snapdir);
		empty_dir(logdir);
	}
}

/* Only what an interrupted snapshot left (snapshot.*.tmp) is removed. */
static void
test_remove_temps(void **state)
{
	(void)state;
	touch(snapdir, "snapshot.1a.tmp", "half");
	touch(snapdir, "snapshot.2b.tmp", "");
	touch(snapdir, "snapshot.1a", "whole");
	touch(snapdir, "log.1a", "");
	touch(snapdir, "currentEpoch.tmp", "");
	touch(snapdir, "other.tmp", "");
	touch(snapdir, "snapshot.3c.tmpx", "");
	datadir_remove_temps(snapdir);
	assert_false(exists(snapdir, "snapshot.1a.tmp"));
	assert_false(exists(snapdir, "snapshot.2b.tmp"));
	assert_true(exists(snapdir, "snapshot.1a"));
	assert_true(exists(snapdir, "log.1a"));
	assert_true(exists(snapdir, "currentEpoch.tmp"));
	assert_true(exists(snapdir, "other.tmp"));
	assert_true(exists(snapdir, "snapshot.3c.tmpx"));
	/* A missing directory is nothing to clean. */
	datadir_remove_temps("/nonexistent/zkd-test");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_list_sorts_and_filters,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_epoch_write_read,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_epoch_missing,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_epoch_garbage,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_purge_fixed,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_purge_random,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_temps,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
