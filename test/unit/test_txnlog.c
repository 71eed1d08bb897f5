/* SPDX-License-Identifier: ISC */
/*
 * test_txnlog.c: the transaction log file (FileTxnLog format).  Hundreds
 * of txns of every kind the log carries come back from the file in order
 * and field for field, across group flushes and a roll to a new file; the
 * file has ZooKeeper's header and a zero-padded preallocated tail; cutting
 * at an entry boundary leaves a clean shorter log; and the scan reports
 * exactly where reading stopped and why: padding (clean), a partial or
 * corrupt last record (a torn tail: nothing valid after it), damage in
 * the middle with valid entries after it (later_valid), a header cut
 * short.  A zxid that does not grow ends the process.
 */
#include <sys/stat.h>
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

#include "jute.h"
#include "proto.h"
#include "qproto.h"
#include "txn.h"
#include "txnlog.h"
#include "util.h"
#include "xmalloc.h"

#define MAXBUF		(1024 * 1024)
#define PREALLOC	(64 * 1024)
#define NTXNS		600

/* The txns written to one log, their encodings and where each ends. */
struct written {
	struct txn	**txns;
	struct jute_out	 *enc;
	off_t		 *end;		/* end[i]: file offset after entry i */
	size_t		  n;
	char		  path[PATH_MAX];
};

/* What a read handed to its callback. */
struct got {
	struct txn	**txns;
	size_t		  n;
	size_t		  stop_after;	/* 0: never stop */
};

static char	 dir[256];

static int	 setup(void **);
static int	 teardown(void **);
static void	 rand_data(struct unit_rng *, struct txn_op *);
static void	 rand_acl(struct unit_rng *, struct zk_acl_list *);
static char	*rand_path(struct unit_rng *);
static void	 rand_body(struct unit_rng *, struct txn_op *, int32_t);
static struct txn *rand_txn(struct unit_rng *, int64_t, int);
static void	 write_log(struct written *, struct unit_rng *, size_t, int64_t,
		    int64_t);
static void	 written_free(struct written *);
static int	 got_cb(void *, struct txn *);
static void	 got_free(struct got *);
static void	 check_same(const struct txn *, const struct txn *,
		    const struct jute_out *);
static void	 scan_file(const char *, struct txnlog_scan *, struct got *);
static void	 copy_file(const char *, const char *);
static void	 patch_file(const char *, off_t, const void *, size_t);
static int	 has_type(const struct got *, int32_t);
static void	 expect_torn(const char *, const struct written *, size_t);

static int
setup(void **state)
{
	(void)state;
	return unit_tmpdir(dir, sizeof(dir), "test_txnlog");
}

static int
teardown(void **state)
{
	(void)state;
	return unit_rmtree(dir);
}

/* Null, empty or a few hundred random bytes (zeros included). */
static void
rand_data(struct unit_rng *r, struct txn_op *op)
{
	int32_t	 i;

	switch (unit_rng_below(r, 4)) {
	case 0:
		op->data_len = -1;
		break;
	case 1:
		op->data_len = 0;
		break;
	default:
		op->data_len = 1 + (int32_t)unit_rng_below(r, 300);
		op->data = xmalloc((size_t)op->data_len);
		for (i = 0; i < op->data_len; i++)
			op->data[i] = (uint8_t)unit_rng_below(r, 4) == 0 ? 0 :
			    (uint8_t)unit_rng_next(r);
		break;
	}
}

/* One to three entries of the world, digest and ip schemes. */
static void
rand_acl(struct unit_rng *r, struct zk_acl_list *l)
{
	static const char *ids[][2] = {
		{ "world", "anyone" },
		{ "digest", "bob:Ls7RBYf0RZEcD6GfjpPAmTxgC1o=" },
		{ "ip", "10.0.0.0/8" },
		{ "ip", "127.0.0.1" },
	};
	int32_t	 i, k;

	l->n = 1 + (int32_t)unit_rng_below(r, 3);
	l->v = xcalloc((size_t)l->n, sizeof(*l->v));
	for (i = 0; i < l->n; i++) {
		k = (int32_t)unit_rng_below(r, nitems(ids));
		l->v[i].perms = 1 + (int32_t)unit_rng_below(r, ZPERM_ALL);
		l->v[i].id.scheme = xstrdup(ids[k][0]);
		l->v[i].id.id = xstrdup(ids[k][1]);
	}
}

static char *
rand_path(struct unit_rng *r)
{
	char	*p;

	xasprintf(&p, "/n%u/c%u", unit_rng_below(r, 50), unit_rng_below(r, 1000));
	return p;
}

/* A body of the given type with every field of its record set. */
static void
rand_body(struct unit_rng *r, struct txn_op *op, int32_t type)
{
	int32_t	 i, n;

	op->type = type;
	switch (type) {
	case ZOP_CREATE:
	case ZOP_CREATE2:
	case ZOP_CREATECONTAINER:
	case ZOP_CREATETTL:
		op->path = rand_path(r);
		rand_data(r, op);
		rand_acl(r, &op->acl);
		if (type == ZOP_CREATE || type == ZOP_CREATE2)
			op->ephemeral = (int)unit_rng_below(r, 2);
		op->parent_cversion = (int32_t)unit_rng_below(r, 100000);
		if (type == ZOP_CREATETTL)
			op->ttl = 1 + (int64_t)unit_rng_below(r, 1000000);
		break;
	case ZOP_DELETE:
	case ZOP_DELETECONTAINER:
		op->path = rand_path(r);
		break;
	case ZOP_SETDATA:
		op->path = rand_path(r);
		rand_data(r, op);
		op->version = (int32_t)unit_rng_below(r, 1000);
		break;
	case ZOP_SETACL:
		op->path = rand_path(r);
		rand_acl(r, &op->acl);
		op->version = (int32_t)unit_rng_below(r, 1000);
		break;
	case ZOP_CHECK:
		op->path = rand_path(r);
		op->version = (int32_t)unit_rng_below(r, 1000) - 1;
		break;
	case ZOP_CREATESESSION:
		op->timeout = 2000 + (int32_t)unit_rng_below(r, 40000);
		break;
	case ZOP_CLOSESESSION:
		/* With the 3.6+ record, sometimes empty, or without one. */
		if (unit_rng_below(r, 3) == 0)
			break;
		op->has_paths = 1;
		n = (int32_t)unit_rng_below(r, 4);
		op->paths.v = xcalloc((size_t)n + 1, sizeof(char *));
		for (i = 0; i < n; i++)
			op->paths.v[op->paths.n++] = rand_path(r);
		break;
	case ZOP_ERROR:
		op->err = unit_rng_below(r, 2) ? ZERR_NONODE : ZERR_BADVERSION;
		break;
	}
}

/* A txn of kind i % 10, so every kind appears many times. */
static struct txn *
rand_txn(struct unit_rng *r, int64_t zxid, int i)
{
	static const int32_t top[] = {
		ZOP_CREATESESSION, ZOP_CREATE, ZOP_SETDATA, ZOP_DELETE,
		ZOP_MULTI, ZOP_CLOSESESSION, ZOP_CREATE2, ZOP_CREATECONTAINER,
		ZOP_CREATETTL, ZOP_SETACL,
	};
	static const int32_t sub[] = {
		ZOP_CHECK, ZOP_CREATE, ZOP_SETDATA, ZOP_DELETE, ZOP_SETACL,
		ZOP_CREATECONTAINER, ZOP_CREATETTL,
	};
	struct txn	*t;
	int32_t		 type = top[i % (int)nitems(top)], k, n;

	t = txn_new((int64_t)(unit_rng_next(r) & INT64_MAX), (int32_t)i, zxid,
	    1700000000000LL + i, type);
	if (type != ZOP_MULTI) {
		rand_body(r, &t->op, type);
		return t;
	}
	n = 1 + (int32_t)unit_rng_below(r, 5);
	for (k = 0; k < n; k++)
		rand_body(r, txn_add_sub(t), sub[unit_rng_below(r, nitems(sub))]);
	/* A failed multi is logged with its error in place of an op. */
	if (unit_rng_below(r, 3) == 0) {
		k = (int32_t)unit_rng_below(r, (uint32_t)n);
		txn_op_clear(&t->subs[k]);
		rand_body(r, &t->subs[k], ZOP_ERROR);
	}
	return t;
}

/*
 * Writes n random txns with zxids from first (growing by 1 to 3) as one
 * log, flushing after random runs of appends, and records where each
 * entry must end from its own encoding.
 */
static void
write_log(struct written *w, struct unit_rng *r, size_t n, int64_t first,
    int64_t prealloc)
{
	struct txnlog	 l;
	int64_t		 zxid = first;
	off_t		 pos = 16;
	size_t		 i, run = 0;

	memset(w, 0, sizeof(*w));
	w->txns = xcalloc(n, sizeof(*w->txns));
	w->enc = xcalloc(n, sizeof(*w->enc));
	w->end = xcalloc(n, sizeof(*w->end));
	w->n = n;
	snprintf(w->path, sizeof(w->path), "%s/log.%llx", dir,
	    (unsigned long long)first);
	txnlog_init(&l, dir, prealloc, 1);
	for (i = 0; i < n; i++) {
		w->txns[i] = rand_txn(r, zxid, (int)i);
		zxid += 1 + unit_rng_below(r, 3);
		jute_out_init(&w->enc[i]);
		qproto_put_txn(&w->enc[i], w->txns[i]);
		pos += 8 + 4 + (off_t)w->enc[i].len + 1;
		w->end[i] = pos;
		txnlog_append(&l, w->txns[i]);
		if (run == 0)
			run = 1 + unit_rng_below(r, 20);
		if (--run == 0)
			txnlog_flush(&l);
	}
	txnlog_close(&l);
}

static void
written_free(struct written *w)
{
	size_t	 i;

	for (i = 0; i < w->n; i++) {
		txn_free(w->txns[i]);
		jute_out_free(&w->enc[i]);
	}
	free(w->txns);
	free(w->enc);
	free(w->end);
}

static int
got_cb(void *arg, struct txn *t)
{
	struct got	*g = arg;

	g->txns = xreallocarray(g->txns, g->n + 1, sizeof(*g->txns));
	g->txns[g->n++] = t;
	return g->stop_after != 0 && g->n >= g->stop_after;
}

static void
got_free(struct got *g)
{
	size_t	 i;

	for (i = 0; i < g->n; i++)
		txn_free(g->txns[i]);
	free(g->txns);
	memset(g, 0, sizeof(*g));
}

/*
 * A txn read back is the one written: its header fields, null and empty
 * data told apart, and its encoding byte for byte.
 */
static void
check_same(const struct txn *want, const struct txn *got,
    const struct jute_out *enc)
{
	struct jute_out	 o;
	int32_t		 i;

	assert_true(got->zxid == want->zxid);
	assert_true(got->client_id == want->client_id);
	assert_int_equal(got->cxid, want->cxid);
	assert_true(got->time == want->time);
	assert_int_equal(got->op.type, want->op.type);
	assert_int_equal(got->op.data_len, want->op.data_len);
	assert_int_equal(got->op.has_paths, want->op.has_paths);
	assert_int_equal(got->nsubs, want->nsubs);
	for (i = 0; i < want->nsubs; i++) {
		assert_int_equal(got->subs[i].type, want->subs[i].type);
		assert_int_equal(got->subs[i].data_len, want->subs[i].data_len);
	}
	jute_out_init(&o);
	qproto_put_txn(&o, got);
	assert_int_equal(o.len, enc->len);
	assert_memory_equal(o.buf, enc->buf, enc->len);
	jute_out_free(&o);
}

/* Reads a log, expecting the header to be a log's. */
static void
scan_file(const char *path, struct txnlog_scan *scan, struct got *g)
{
	memset(g, 0, sizeof(*g));
	if (txnlog_read(path, MAXBUF, got_cb, g, scan) == -1)
		fail_msg("%s: %s", path, scan->why);
	assert_int_equal(scan->count, g->n);
}

static void
copy_file(const char *from, const char *to)
{
	char	 buf[8192];
	ssize_t	 n;
	int	 in, out;

	assert_int_not_equal(in = open(from, O_RDONLY), -1);
	assert_int_not_equal(out = open(to, O_WRONLY | O_CREAT | O_TRUNC,
	    0644), -1);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		assert_int_equal(write(out, buf, (size_t)n), n);
	assert_int_equal(n, 0);
	close(in);
	close(out);
}

static void
patch_file(const char *path, off_t off, const void *p, size_t len)
{
	int	 fd;

	assert_int_not_equal(fd = open(path, O_WRONLY), -1);
	assert_int_equal(pwrite(fd, p, len, off), (ssize_t)len);
	close(fd);
}

static int
has_type(const struct got *g, int32_t type)
{
	size_t	 i;

	for (i = 0; i < g->n; i++)
		if (g->txns[i]->op.type == type)
			return 1;
	return 0;
}

/*
 * A log whose last entry (of w's) is broken reads as a torn tail: every
 * entry before it, stopped at its start, nothing valid after.
 */
static void
expect_torn(const char *path, const struct written *w, size_t n)
{
	struct txnlog_scan	 scan;
	struct got		 g;
	size_t			 i;

	scan_file(path, &scan, &g);
	assert_int_equal(scan.bad, 1);
	assert_int_equal(scan.later_valid, 0);
	assert_int_equal(scan.count, n - 1);
	assert_true(scan.good_end == w->end[n - 2]);
	assert_true(scan.bad_off == w->end[n - 2]);
	assert_true(scan.first_zxid == w->txns[0]->zxid);
	assert_true(scan.last_zxid == w->txns[n - 2]->zxid);
	assert_true(scan.why[0] != '\0');
	for (i = 0; i < g.n; i++)
		check_same(w->txns[i], g.txns[i], &w->enc[i]);
	got_free(&g);
}

/*
 * Every kind of txn, appended in runs and flushed, reads back in order
 * and whole; the file is a ZooKeeper log padded with zeros to a multiple
 * of the preallocation size.
 */
static void
test_append_flush_read_back(void **state)
{
	struct unit_rng		 r = { 0x1234abcdULL };
	struct written		 w;
	struct txnlog_scan	 scan;
	struct got		 g;
	uint8_t			*buf;
	off_t			 size, i;
	int			 fd;
	size_t			 k;

	(void)state;
	write_log(&w, &r, NTXNS, ZXID_MAKE(5, 1), PREALLOC);
	scan_file(w.path, &scan, &g);
	assert_int_equal(scan.bad, 0);
	assert_int_equal(scan.later_valid, 0);
	assert_int_equal(scan.count, NTXNS);
	assert_true(scan.first_zxid == ZXID_MAKE(5, 1));
	assert_true(scan.last_zxid == w.txns[NTXNS - 1]->zxid);
	assert_true(scan.good_end == w.end[NTXNS - 1]);
	for (k = 0; k < g.n; k++)
		check_same(w.txns[k], g.txns[k], &w.enc[k]);
	assert_true(has_type(&g, ZOP_MULTI) && has_type(&g, ZOP_CREATE) &&
	    has_type(&g, ZOP_SETDATA) && has_type(&g, ZOP_DELETE) &&
	    has_type(&g, ZOP_CREATESESSION) && has_type(&g, ZOP_CLOSESESSION));
	got_free(&g);

	/* FileHeader, then the padding: zeros to the allocated size. */
	size = unit_file_size(w.path);
	assert_true(size % PREALLOC == 0);
	assert_true(size > scan.good_end);
	buf = xmalloc((size_t)size);
	assert_int_not_equal(fd = open(w.path, O_RDONLY), -1);
	assert_int_equal(read(fd, buf, (size_t)size), size);
	close(fd);
	assert_memory_equal(buf, "ZKLG\0\0\0\2\0\0\0\0\0\0\0\0", 16);
	for (i = scan.good_end; i < size; i++)
		if (buf[i] != 0)
			fail_msg("padding byte at %lld is %d", (long long)i,
			    buf[i]);
	free(buf);
	written_free(&w);
}

/*
 * Without preallocation the file ends with its last entry, and reads as
 * clean all the same; the reader stops when its callback asks.
 */
static void
test_unpadded_and_early_stop(void **state)
{
	struct unit_rng		 r = { 77 };
	struct written		 w;
	struct txnlog_scan	 scan;
	struct got		 g;

	(void)state;
	write_log(&w, &r, 40, 0x100, 0);
	assert_true(unit_file_size(w.path) == w.end[39]);
	scan_file(w.path, &scan, &g);
	assert_int_equal(scan.bad, 0);
	assert_int_equal(scan.count, 40);
	assert_true(scan.good_end == w.end[39]);
	got_free(&g);

	memset(&g, 0, sizeof(g));
	g.stop_after = 7;
	assert_int_equal(txnlog_read(w.path, MAXBUF, got_cb, &g, &scan), 0);
	assert_int_equal(g.n, 7);
	assert_int_equal(scan.count, 7);
	assert_true(scan.last_zxid == w.txns[6]->zxid);
	assert_true(scan.good_end == w.end[6]);
	assert_int_equal(scan.bad, 0);
	got_free(&g);
	written_free(&w);
}

/*
 * A roll closes the file; the next append starts log.<its zxid>, and the
 * old file keeps exactly what it had.  A flush with nothing appended
 * creates nothing.
 */
static void
test_roll_to_new_file(void **state)
{
	struct unit_rng		 r = { 99 };
	struct txnlog		 l;
	struct txnlog_scan	 scan;
	struct got		 g;
	struct txn		*t[120];
	struct jute_out		 enc[120];
	char			 p1[PATH_MAX], p2[PATH_MAX];
	size_t			 i;

	(void)state;
	txnlog_init(&l, dir, PREALLOC, 1);
	txnlog_flush(&l);
	txnlog_roll(&l);
	snprintf(p1, sizeof(p1), "%s/log.%llx", dir, 0x200000001ULL);
	assert_int_equal(access(p1, F_OK), -1);
	for (i = 0; i < 120; i++) {
		t[i] = rand_txn(&r, ZXID_MAKE(2, 1) + (int64_t)i, (int)i);
		jute_out_init(&enc[i]);
		qproto_put_txn(&enc[i], t[i]);
		txnlog_append(&l, t[i]);
		if (i % 9 == 0)
			txnlog_flush(&l);
		if (i == 49)
			txnlog_roll(&l);
	}
	txnlog_close(&l);
	snprintf(p2, sizeof(p2), "%s/log.%llx", dir,
	    (unsigned long long)ZXID_MAKE(2, 51));
	assert_int_equal(access(p1, F_OK), 0);
	assert_int_equal(access(p2, F_OK), 0);

	scan_file(p1, &scan, &g);
	assert_int_equal(scan.bad, 0);
	assert_int_equal(scan.count, 50);
	assert_true(scan.first_zxid == ZXID_MAKE(2, 1));
	assert_true(scan.last_zxid == ZXID_MAKE(2, 50));
	for (i = 0; i < 50; i++)
		check_same(t[i], g.txns[i], &enc[i]);
	got_free(&g);

	scan_file(p2, &scan, &g);
	assert_int_equal(scan.bad, 0);
	assert_int_equal(scan.count, 70);
	assert_true(scan.first_zxid == ZXID_MAKE(2, 51));
	assert_true(scan.last_zxid == ZXID_MAKE(2, 120));
	for (i = 50; i < 120; i++)
		check_same(t[i], g.txns[i - 50], &enc[i]);
	got_free(&g);
	for (i = 0; i < 120; i++) {
		txn_free(t[i]);
		jute_out_free(&enc[i]);
	}
}

/* Cutting at an entry boundary leaves a clean log of the entries before. */
static void
test_truncate_at_entry_boundary(void **state)
{
	static const size_t	 keep[] = { 99, 64, 37, 1 };
	struct unit_rng		 r = { 4242 };
	struct written		 w;
	struct txnlog_scan	 scan;
	struct got		 g;
	size_t			 i, k;

	(void)state;
	write_log(&w, &r, 100, ZXID_MAKE(1, 0x10), PREALLOC);
	for (k = 0; k < nitems(keep); k++) {
		assert_int_equal(txnlog_truncate(w.path, w.end[keep[k] - 1]),
		    0);
		assert_true(unit_file_size(w.path) == w.end[keep[k] - 1]);
		scan_file(w.path, &scan, &g);
		assert_int_equal(scan.bad, 0);
		assert_int_equal(scan.later_valid, 0);
		assert_int_equal(scan.count, keep[k]);
		assert_true(scan.good_end == w.end[keep[k] - 1]);
		assert_true(scan.first_zxid == w.txns[0]->zxid);
		assert_true(scan.last_zxid == w.txns[keep[k] - 1]->zxid);
		for (i = 0; i < g.n; i++)
			check_same(w.txns[i], g.txns[i], &w.enc[i]);
		got_free(&g);
	}
	/* Down to the header: a log with no entry. */
	assert_int_equal(txnlog_truncate(w.path, 16), 0);
	scan_file(w.path, &scan, &g);
	assert_int_equal(scan.bad, 0);
	assert_int_equal(scan.count, 0);
	assert_true(scan.good_end == 16);
	assert_true(scan.first_zxid == -1 && scan.last_zxid == -1);
	got_free(&g);
	assert_int_equal(txnlog_truncate("/nonexistent/log.1", 16), -1);
	written_free(&w);
}

/*
 * A last record cut anywhere inside, or written only in part over the
 * zeroed preallocation, is a torn tail at its start.
 */
static void
test_scan_partial_last_record(void **state)
{
	struct unit_rng	 r = { 31337 };
	struct written	 w;
	char		 path[PATH_MAX];
	uint8_t		 zeros[1024] = { 0 };
	off_t		 start, len, cut[5];
	size_t		 k;

	(void)state;
	write_log(&w, &r, 50, 0x1000, PREALLOC);
	start = w.end[48];
	len = w.end[49] - start;
	assert_true(len > 30 && len < (off_t)sizeof(zeros));
	cut[0] = 1;
	cut[1] = 11;
	cut[2] = 12;
	cut[3] = 20;
	cut[4] = len - 1;
	snprintf(path, sizeof(path), "%s/log.torn", dir);
	for (k = 0; k < nitems(cut); k++) {
		/* The file ends inside the record. */
		copy_file(w.path, path);
		assert_int_equal(truncate(path, start + cut[k]), 0);
		expect_torn(path, &w, 50);
		/* The record's end never reached the padded file. */
		if (cut[k] >= 8) {
			copy_file(w.path, path);
			patch_file(path, start + cut[k], zeros,
			    (size_t)(len - cut[k]));
			expect_torn(path, &w, 50);
		}
	}
	written_free(&w);
}

/* A last record whose checksum, payload or end byte is wrong is torn. */
static void
test_scan_bad_checksum_last(void **state)
{
	struct unit_rng	 r = { 555 };
	struct written	 w;
	char		 path[PATH_MAX];
	off_t		 start;

	(void)state;
	write_log(&w, &r, 30, 0x2000, PREALLOC);
	start = w.end[28];
	snprintf(path, sizeof(path), "%s/log.bad", dir);

	/* The stored Adler32 (low half of the long). */
	copy_file(w.path, path);
	unit_xor_byte(path, start + 7, 0x5a);
	expect_torn(path, &w, 30);

	/* One byte of the TxnHeader (the zxid), the checksum left alone. */
	copy_file(w.path, path);
	unit_xor_byte(path, start + 12 + 19, 0x01);
	expect_torn(path, &w, 30);

	/* The end-of-record byte. */
	copy_file(w.path, path);
	unit_xor_byte(path, w.end[29] - 1, 0x03);
	expect_torn(path, &w, 30);
	written_free(&w);
}

/*
 * Damage in the middle with valid entries after it stops the reading at
 * the damage and says so (later_valid), whether one byte is changed, a
 * whole record is garbage, or garbage is inserted between records.
 */
static void
test_scan_garbage_in_middle(void **state)
{
	struct unit_rng		 r = { 8888 };
	struct written		 w;
	struct txnlog_scan	 scan;
	struct got		 g;
	char			 path[PATH_MAX];
	uint8_t			*garbage, *all;
	off_t			 start, len, size;
	size_t			 i, k = 40, v;
	int			 fd;

	(void)state;
	write_log(&w, &r, 80, 0x3000, PREALLOC);
	start = w.end[k - 1];
	len = w.end[k] - start;
	snprintf(path, sizeof(path), "%s/log.mid", dir);
	garbage = xmalloc((size_t)len + 7);
	for (i = 0; i < (size_t)len + 7; i++)
		garbage[i] = (uint8_t)unit_rng_next(&r) | 1;

	for (v = 0; v < 3; v++) {
		copy_file(w.path, path);
		switch (v) {
		case 0:		/* one byte of the payload */
			unit_xor_byte(path, start + 12 + 2, 0x10);
			break;
		case 1:		/* the whole record */
			patch_file(path, start, garbage, (size_t)len);
			break;
		case 2:		/* 7 bytes inserted before the record */
			size = unit_file_size(w.path);
			all = xmalloc((size_t)size);
			assert_int_not_equal(fd = open(w.path, O_RDONLY), -1);
			assert_int_equal(read(fd, all, (size_t)size), size);
			close(fd);
			assert_int_not_equal(fd = open(path,
			    O_WRONLY | O_TRUNC), -1);
			assert_int_equal(write(fd, all, (size_t)start), start);
			assert_int_equal(write(fd, garbage, 7), 7);
			assert_int_equal(write(fd, all + start,
			    (size_t)(size - start)), size - start);
			close(fd);
			free(all);
			break;
		}
		scan_file(path, &scan, &g);
		assert_int_equal(scan.bad, 1);
		assert_int_equal(scan.later_valid, 1);
		assert_int_equal(scan.count, k);
		assert_true(scan.bad_off == start);
		assert_true(scan.good_end == start);
		assert_true(scan.last_zxid == w.txns[k - 1]->zxid);
		for (i = 0; i < g.n; i++)
			check_same(w.txns[i], g.txns[i], &w.enc[i]);
		got_free(&g);
	}
	free(garbage);

	/* The same damage on the last entry is only a torn tail. */
	copy_file(w.path, path);
	unit_xor_byte(path, w.end[78] + 12 + 2, 0x10);
	expect_torn(path, &w, 80);
	written_free(&w);
}

/*
 * A file cut inside its 16-byte header never got an entry (bad, at 0); an
 * empty file is no damage; a wrong magic or a missing file is an error.
 */
static void
test_scan_header_cut(void **state)
{
	struct unit_rng		 r = { 1 };
	struct written		 w;
	struct txnlog_scan	 scan;
	struct got		 g;
	char			 path[PATH_MAX];
	off_t			 cut;

	(void)state;
	write_log(&w, &r, 3, 0x10, 0);
	snprintf(path, sizeof(path), "%s/log.hdr", dir);
	for (cut = 1; cut < 16; cut++) {
		copy_file(w.path, path);
		assert_int_equal(truncate(path, cut), 0);
		scan_file(path, &scan, &g);
		assert_int_equal(scan.bad, 1);
		assert_true(scan.bad_off == 0);
		assert_true(scan.good_end == 0);
		assert_int_equal(scan.count, 0);
		assert_int_equal(scan.later_valid, 0);
		assert_true(scan.first_zxid == -1 && scan.last_zxid == -1);
		got_free(&g);
	}
	assert_int_equal(truncate(path, 0), 0);
	scan_file(path, &scan, &g);
	assert_int_equal(scan.bad, 0);
	assert_int_equal(scan.count, 0);
	got_free(&g);

	copy_file(w.path, path);
	patch_file(path, 0, "ZKSN", 4);
	memset(&g, 0, sizeof(g));
	assert_int_equal(txnlog_read(path, MAXBUF, got_cb, &g, &scan), -1);
	assert_non_null(strstr(scan.why, "magic"));
	assert_int_equal(g.n, 0);
	snprintf(path, sizeof(path), "%s/log.missing", dir);
	assert_int_equal(txnlog_read(path, MAXBUF, got_cb, &g, &scan), -1);
	assert_int_equal(g.n, 0);
	written_free(&w);
}

/* Appending a zxid that does not grow ends the process (fatalx). */
static void
test_zxid_must_grow(void **state)
{
	struct txnlog	 l;
	struct txn	*a, *b;
	pid_t		 pid;
	int		 status, devnull;

	(void)state;
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == 0) {
		if ((devnull = open("/dev/null", O_WRONLY)) != -1)
			dup2(devnull, 2);
		txnlog_init(&l, dir, 0, 0);
		a = txn_new(1, 1, 0x10, 0, ZOP_CREATESESSION);
		b = txn_new(1, 2, 0x10, 0, ZOP_CREATESESSION);
		txnlog_append(&l, a);
		txnlog_append(&l, b);
		_exit(0);
	}
	assert_int_not_equal(pid, -1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_append_flush_read_back,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_unpadded_and_early_stop,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_roll_to_new_file,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncate_at_entry_boundary,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_partial_last_record,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_bad_checksum_last,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_garbage_in_middle,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_header_cut,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_zxid_must_grow,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
