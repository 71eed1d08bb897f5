/* SPDX-License-Identifier: ISC */
/*
 * test_db.c: recovery of the durable database.  db_open on an empty
 * directory gives a fresh tree and its first snapshot; txns applied,
 * logged and flushed come back after a close and another db_open as the
 * same tree (every node, data, ACL, stat and index) and the same sessions,
 * from the logs alone and then from the snapshot written at that open
 * plus the logs after it.  A torn last entry is cut off (the file is
 * truncated to the last good entry) and the rest recovered; damage with
 * valid txns after it, in the same file or a later one, makes db_open
 * fail with a cause naming the file and the offset, the file untouched.
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

#include "acl.h"
#include "datadir.h"
#include "db.h"
#include "proto.h"
#include "qproto.h"
#include "session.h"
#include "tree.h"
#include "txn.h"
#include "txnlog.h"
#include "util.h"
#include "xmalloc.h"

#define MAXBUF		(1024 * 1024)
#define PREALLOC	(64 * 1024)
#define MAXENTRIES	1024

/* One open database and, optionally, a tree that mirrors it. */
struct ctx {
	struct db		 db;
	struct session_table	 st;
	struct tree		*ref;		/* every txn applied here too */
	struct session_table	*ref_st;
	int64_t			 zxid;		/* last used */
	int			 flushes;
	char			 log[PATH_MAX];	/* file of this opening */
	off_t			 pos;
	off_t			 end[MAXENTRIES]; /* entry ends in it */
	size_t			 n;
};

static char			 dir[256];
static char			 snapdir[300];
static char			 logdir[300];
static struct db_options	 opt;
static int64_t			 next_sid = 0x100000000000001LL;

static int	 setup(void **);
static int	 setup_split(void **);
static int	 teardown(void **);
static int	 ctx_try_open(struct ctx *, char **);
static void	 ctx_open(struct ctx *);
static void	 ctx_free(struct ctx *);
static void	 emit(struct ctx *, struct txn *, int32_t);
static struct txn *mk(struct ctx *, int64_t, int32_t, const char *,
		    const char *);
static void	 set_acl(struct zk_acl_list *, const char *, const char *);
static void	 script(struct ctx *, const char *, int);
static void	 same_node(struct tree *, const struct tree_node *,
		    struct tree *, const struct tree_node *);
static void	 same_tree(struct tree *, struct tree *);
static void	 same_sessions(struct session_table *, struct session_table *);
static size_t	 count_files(const char *, const char *);
static int	 free_cb(void *, struct txn *);

static int
setup(void **state)
{
	(void)state;
	if (unit_tmpdir(dir, sizeof(dir), "test_db") == -1)
		return -1;
	snprintf(snapdir, sizeof(snapdir), "%s/version-2", dir);
	strlcpy(logdir, snapdir, sizeof(logdir));
	if (mkdir(snapdir, 0755) == -1)
		return -1;
	memset(&opt, 0, sizeof(opt));
	opt.snap_dir = snapdir;
	opt.log_dir = logdir;
	opt.max = MAXBUF;
	opt.extended = 1;
	opt.force_sync = 1;
	opt.snap_count = 100000;
	opt.prealloc = PREALLOC;
	return 0;
}

/* dataDir and dataLogDir apart. */
static int
setup_split(void **state)
{
	if (setup(state) == -1)
		return -1;
	snprintf(logdir, sizeof(logdir), "%s/logs", dir);
	return mkdir(logdir, 0755);
}

static int
teardown(void **state)
{
	(void)state;
	return unit_rmtree(dir);
}

static int
ctx_try_open(struct ctx *c, char **cause)
{
	int	 rv;

	memset(c, 0, sizeof(*c));
	session_init(&c->st, 1, 2000, 0);
	rv = db_open(&c->db, &opt, &c->st, 0, cause);
	if (rv == 0)
		c->zxid = c->db.tree->last_zxid;
	c->pos = 16;
	return rv;
}

static void
ctx_open(struct ctx *c)
{
	char	*cause = NULL;

	if (ctx_try_open(c, &cause) == -1)
		fail_msg("db_open: %s", cause);
}

static void
ctx_free(struct ctx *c)
{
	tree_free(c->db.tree);
	session_free_all(&c->st);
}

/*
 * Applies a txn (to the mirror too), logs it and frees it, expecting
 * err; flushes now and then as the sync stage would.
 */
static void
emit(struct ctx *c, struct txn *t, int32_t err)
{
	struct txn_result	 res;
	struct jute_out		 o;

	txn_apply(c->db.tree, &c->st, t, 0, &res);
	assert_int_equal(res.err, err);
	txn_result_clear(&res);
	if (c->ref != NULL) {
		txn_apply(c->ref, c->ref_st, t, 0, &res);
		txn_result_clear(&res);
	}
	if (c->n == 0)
		snprintf(c->log, sizeof(c->log), "%s/log.%llx", logdir,
		    (unsigned long long)t->zxid);
	jute_out_init(&o);
	qproto_put_txn(&o, t);
	c->pos += 8 + 4 + (off_t)o.len + 1;
	jute_out_free(&o);
	assert_true(c->n < MAXENTRIES);
	c->end[c->n++] = c->pos;
	db_append(&c->db, t);
	txn_free(t);
	if (++c->flushes % 7 == 0)
		db_flush(&c->db);
}

/* A txn of one op: data NULL is null data, "" empty data. */
static struct txn *
mk(struct ctx *c, int64_t sid, int32_t type, const char *path,
    const char *data)
{
	struct txn	*t;

	c->zxid++;
	t = txn_new(sid, (int32_t)(c->zxid & 0xffff), c->zxid,
	    1700000000000LL + c->zxid, type);
	if (path != NULL)
		t->op.path = xstrdup(path);
	t->op.parent_cversion = -1;
	if (data != NULL) {
		t->op.data_len = (int32_t)strlen(data);
		if (*data != '\0')
			t->op.data = (uint8_t *)xstrdup(data);
	}
	if (type == ZOP_CREATE || type == ZOP_CREATECONTAINER ||
	    type == ZOP_CREATETTL)
		set_acl(&t->op.acl, "world", "anyone");
	return t;
}

static void
set_acl(struct zk_acl_list *l, const char *scheme, const char *id)
{
	proto_acl_list_free(l);
	l->n = 1;
	l->v = xcalloc(1, sizeof(*l->v));
	l->v[0].perms = ZPERM_ALL;
	l->v[0].id.scheme = xstrdup(scheme);
	l->v[0].id.id = xstrdup(id);
}

/*
 * Txns of every kind under prefix, as prep would make them: sessions,
 * creates of each kind with null, empty and real data, ephemerals,
 * setData, setACL, a multi, a failed multi, deletes, a closeSession, then
 * nbulk creates with some setData and deletes among them.
 */
static void
script(struct ctx *c, const char *prefix, int nbulk)
{
	struct txn	*t;
	struct txn_op	*op;
	char		 p[256], q[256], data[64];
	int64_t		 s1 = next_sid++, s2 = next_sid++, s3 = next_sid++;
	int		 i;

	t = mk(c, s1, ZOP_CREATESESSION, NULL, NULL);
	t->op.timeout = 10000;
	emit(c, t, ZERR_OK);
	t = mk(c, s2, ZOP_CREATESESSION, NULL, NULL);
	t->op.timeout = 20000;
	emit(c, t, ZERR_OK);
	t = mk(c, s3, ZOP_CREATESESSION, NULL, NULL);
	t->op.timeout = 30000;
	emit(c, t, ZERR_OK);

	emit(c, mk(c, s1, ZOP_CREATE, prefix, ""), ZERR_OK);
	snprintf(p, sizeof(p), "%s/cfg", prefix);
	t = mk(c, s1, ZOP_CREATE, p, "v1");
	set_acl(&t->op.acl, "digest", "bob:Ls7RBYf0RZEcD6GfjpPAmTxgC1o=");
	emit(c, t, ZERR_OK);
	snprintf(q, sizeof(q), "%s/null", prefix);
	emit(c, mk(c, s1, ZOP_CREATE, q, NULL), ZERR_OK);
	snprintf(q, sizeof(q), "%s/box", prefix);
	emit(c, mk(c, s1, ZOP_CREATECONTAINER, q, "c"), ZERR_OK);
	snprintf(q, sizeof(q), "%s/box/item", prefix);
	emit(c, mk(c, s1, ZOP_CREATE, q, "i"), ZERR_OK);
	snprintf(q, sizeof(q), "%s/ttl", prefix);
	t = mk(c, s1, ZOP_CREATETTL, q, "t");
	t->op.ttl = 60000;
	emit(c, t, ZERR_OK);
	snprintf(q, sizeof(q), "%s/e1", prefix);
	t = mk(c, s1, ZOP_CREATE, q, "mine");
	t->op.ephemeral = 1;
	emit(c, t, ZERR_OK);
	snprintf(q, sizeof(q), "%s/e2", prefix);
	t = mk(c, s2, ZOP_CREATE, q, "");
	t->op.ephemeral = 1;
	emit(c, t, ZERR_OK);
	snprintf(q, sizeof(q), "%s/box/e3", prefix);
	t = mk(c, s2, ZOP_CREATE, q, NULL);
	t->op.ephemeral = 1;
	emit(c, t, ZERR_OK);

	t = mk(c, s1, ZOP_SETDATA, p, "v2");
	t->op.version = 1;
	emit(c, t, ZERR_OK);
	t = mk(c, s1, ZOP_SETACL, p, NULL);
	set_acl(&t->op.acl, "ip", "127.0.0.1");
	t->op.version = 1;
	emit(c, t, ZERR_OK);

	/* A multi that applies, and one that failed and applies nothing. */
	t = mk(c, s1, ZOP_MULTI, NULL, NULL);
	op = txn_add_sub(t);
	op->type = ZOP_CREATE;
	snprintf(q, sizeof(q), "%s/m1", prefix);
	op->path = xstrdup(q);
	op->parent_cversion = -1;
	set_acl(&op->acl, "world", "anyone");
	op = txn_add_sub(t);
	op->type = ZOP_SETDATA;
	op->path = xstrdup(p);
	op->data = (uint8_t *)xstrdup("v3");
	op->data_len = 2;
	op->version = 2;
	op = txn_add_sub(t);
	op->type = ZOP_DELETE;
	snprintf(q, sizeof(q), "%s/null", prefix);
	op->path = xstrdup(q);
	emit(c, t, ZERR_OK);
	t = mk(c, s1, ZOP_MULTI, NULL, NULL);
	op = txn_add_sub(t);
	op->type = ZOP_ERROR;
	op->err = ZERR_OK;
	op = txn_add_sub(t);
	op->type = ZOP_ERROR;
	op->err = ZERR_NODEEXISTS;
	emit(c, t, ZERR_NODEEXISTS);
	snprintf(q, sizeof(q), "%s/m1", prefix);
	emit(c, mk(c, s1, ZOP_DELETE, q, NULL), ZERR_OK);

	t = mk(c, s2, ZOP_CLOSESESSION, NULL, NULL);
	t->op.has_paths = 1;
	t->op.paths.v = xcalloc(3, sizeof(char *));
	snprintf(q, sizeof(q), "%s/e2", prefix);
	t->op.paths.v[t->op.paths.n++] = xstrdup(q);
	snprintf(q, sizeof(q), "%s/box/e3", prefix);
	t->op.paths.v[t->op.paths.n++] = xstrdup(q);
	emit(c, t, ZERR_OK);

	for (i = 0; i < nbulk; i++) {
		snprintf(q, sizeof(q), "%s/bulk-%04d", prefix, i);
		snprintf(data, sizeof(data), "%0*d", i % 40, i);
		emit(c, mk(c, s3, ZOP_CREATE, q, data), ZERR_OK);
		if (i % 3 == 2) {
			t = mk(c, s3, ZOP_SETDATA, q, i % 2 ? NULL : "");
			t->op.version = 1;
			emit(c, t, ZERR_OK);
		}
		if (i % 5 == 4) {
			snprintf(q, sizeof(q), "%s/bulk-%04d", prefix, i - 1);
			emit(c, mk(c, s3, ZOP_DELETE, q, NULL), ZERR_OK);
		}
	}
}

static void
same_node(struct tree *ta, const struct tree_node *a, struct tree *tb,
    const struct tree_node *b)
{
	const struct zk_acl_list	*la, *lb;
	int32_t				 i;

	assert_string_equal(a->path, b->path);
	assert_int_equal(a->null_data, b->null_data);
	assert_int_equal(a->data_len, b->data_len);
	if (a->data_len > 0)
		assert_memory_equal(a->data, b->data, (size_t)a->data_len);
	la = tree_node_acl(ta, a);
	lb = tree_node_acl(tb, b);
	assert_int_equal(la->n, lb->n);
	for (i = 0; i < la->n; i++) {
		assert_int_equal(la->v[i].perms, lb->v[i].perms);
		assert_string_equal(la->v[i].id.scheme, lb->v[i].id.scheme);
		assert_string_equal(la->v[i].id.id, lb->v[i].id.id);
	}
	unit_same_stat(a, b);
}

/* The same nodes both ways, each alike, and the same indexes. */
static void
same_tree(struct tree *a, struct tree *b)
{
	struct tree_node	*n, *m;
	struct tree_owner	*o, *p;

	assert_int_equal(a->nnodes, b->nnodes);
	assert_true(a->last_zxid == b->last_zxid);
	same_node(a, a->root, b, b->root);
	for (n = tree_walk_next(a->root, a->root); n != NULL;
	    n = tree_walk_next(a->root, n)) {
		if ((m = tree_lookup(b, n->path)) == NULL)
			fail_msg("%s is missing after recovery", n->path);
		same_node(a, n, b, m);
	}
	for (m = tree_walk_next(b->root, b->root); m != NULL;
	    m = tree_walk_next(b->root, m))
		if (tree_lookup(a, m->path) == NULL)
			fail_msg("%s appeared after recovery", m->path);
	assert_true(a->data_size == b->data_size);
	assert_int_equal(a->nephemerals, b->nephemerals);
	RB_FOREACH(o, tree_owners, &a->owners) {
		assert_non_null(p = tree_owner_find(b, o->session_id));
		assert_int_equal(o->count, p->count);
	}
	RB_FOREACH(p, tree_owners, &b->owners)
		assert_non_null(tree_owner_find(a, p->session_id));
}

static void
same_sessions(struct session_table *a, struct session_table *b)
{
	struct session	*x, *y;

	assert_int_equal(a->count, b->count);
	SESSION_FOREACH(x, a) {
		assert_non_null(y = session_lookup(b, x->id));
		assert_int_equal(x->timeout, y->timeout);
	}
}

static size_t
count_files(const char *d, const char *prefix)
{
	struct datadir_list	 l;
	size_t			 n;

	assert_int_equal(datadir_list(d, prefix, &l), 0);
	n = l.n;
	datadir_list_free(&l);
	return n;
}

static int
free_cb(void *arg, struct txn *t)
{
	(void)arg;
	txn_free(t);
	return 0;
}

/* An empty directory opens as a fresh tree and gets snapshot.0. */
static void
test_open_empty(void **state)
{
	struct ctx	 c;
	struct tree	*fresh;
	char		 path[PATH_MAX];

	(void)state;
	ctx_open(&c);
	fresh = tree_new(1);
	same_tree(fresh, c.db.tree);
	assert_int_equal(c.st.count, 0);
	assert_int_equal(count_files(snapdir, "snapshot"), 1);
	snprintf(path, sizeof(path), "%s/snapshot.0", snapdir);
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(count_files(logdir, "log"), 0);
	db_close(&c.db);
	tree_free(fresh);
	ctx_free(&c);
}

/*
 * What was logged comes back: first from the logs over snapshot.0, then
 * from the snapshot that opening wrote; txns logged after it come back
 * too, from a second log file.
 */
static void
test_reopen_rebuilds(void **state)
{
	struct ctx	 a, b, d;
	char		 path[PATH_MAX];

	(void)state;
	ctx_open(&a);
	script(&a, "/app", 150);
	db_flush(&a.db);
	db_close(&a.db);
	assert_int_equal(count_files(logdir, "log"), 1);
	assert_int_equal(count_files(snapdir, "snapshot"), 1);

	/* From snapshot.0 and the log. */
	ctx_open(&b);
	same_tree(a.db.tree, b.db.tree);
	same_sessions(&a.st, &b.st);
	assert_int_equal(b.st.count, 2);
	assert_non_null(tree_lookup(b.db.tree, "/app/e1"));
	assert_null(tree_lookup(b.db.tree, "/app/e2"));
	assert_int_equal(tree_lookup(b.db.tree, "/app")->null_data, 0);
	assert_int_equal(tree_lookup(b.db.tree, "/app/box/item")->null_data,
	    0);
	snprintf(path, sizeof(path), "%s/snapshot.%llx", snapdir,
	    (unsigned long long)a.zxid);
	assert_int_equal(access(path, F_OK), 0);
	db_close(&b.db);
	ctx_free(&b);

	/* From that snapshot, nothing to replay: no new snapshot. */
	ctx_open(&b);
	same_tree(a.db.tree, b.db.tree);
	same_sessions(&a.st, &b.st);
	assert_int_equal(count_files(snapdir, "snapshot"), 2);
	b.ref = a.db.tree;
	b.ref_st = &a.st;
	script(&b, "/more", 60);
	db_close(&b.db);
	ctx_free(&b);
	assert_int_equal(count_files(logdir, "log"), 2);

	/* The snapshot, then the second log. */
	ctx_open(&d);
	same_tree(a.db.tree, d.db.tree);
	same_sessions(&a.st, &d.st);
	assert_non_null(tree_lookup(d.db.tree, "/more/cfg"));
	db_close(&d.db);
	ctx_free(&d);
	ctx_free(&a);
}

/* The same with the logs in their own directory (dataLogDir). */
static void
test_reopen_split_dirs(void **state)
{
	struct ctx	 a, b;

	(void)state;
	ctx_open(&a);
	script(&a, "/split", 40);
	db_close(&a.db);
	assert_int_equal(count_files(logdir, "log"), 1);
	assert_int_equal(count_files(snapdir, "log"), 0);
	assert_int_equal(count_files(logdir, "snapshot"), 0);
	ctx_open(&b);
	same_tree(a.db.tree, b.db.tree);
	same_sessions(&a.st, &b.st);
	db_close(&b.db);
	ctx_free(&b);
	ctx_free(&a);
}

/*
 * A last entry cut short (a crash inside a write) is cut off: the file
 * ends at the last good entry, the tree is the one before that txn, and
 * an empty later log (a new file created just before the crash) goes.
 */
static void
test_torn_tail_repaired(void **state)
{
	struct ctx		 a, b;
	struct tree		*ref;
	struct session_table	 ref_st;
	struct txnlog_scan	 scan;
	char			 later[PATH_MAX], snap[PATH_MAX], *cause = NULL;
	off_t			 good;
	int64_t			 last_good;
	int			 fd;

	(void)state;
	ctx_open(&a);
	ref = tree_new(1);
	session_init(&ref_st, 1, 2000, 0);
	a.ref = ref;
	a.ref_st = &ref_st;
	script(&a, "/t", 80);
	last_good = a.zxid;
	a.ref = NULL;
	emit(&a, mk(&a, next_sid - 1, ZOP_CREATE, "/t/lost", "gone"), ZERR_OK);
	db_close(&a.db);

	good = a.end[a.n - 2];
	assert_true(unit_file_size(a.log) > a.end[a.n - 1]);
	assert_int_equal(truncate(a.log, good + 20), 0);
	snprintf(later, sizeof(later), "%s/log.%llx", logdir,
	    (unsigned long long)a.zxid + 1);
	assert_int_not_equal(fd = open(later, O_WRONLY | O_CREAT, 0644), -1);
	close(fd);

	if (ctx_try_open(&b, &cause) == -1)
		fail_msg("db_open: %s", cause);
	same_tree(ref, b.db.tree);
	same_sessions(&ref_st, &b.st);
	assert_null(tree_lookup(b.db.tree, "/t/lost"));
	assert_true(b.db.tree->last_zxid == last_good);
	assert_true(unit_file_size(a.log) == good);
	assert_int_equal(txnlog_read(a.log, MAXBUF, free_cb, NULL, &scan), 0);
	assert_int_equal(scan.bad, 0);
	assert_int_equal(scan.count, a.n - 1);
	assert_true(scan.last_zxid == last_good);
	assert_int_equal(access(later, F_OK), -1);
	snprintf(snap, sizeof(snap), "%s/snapshot.%llx", snapdir,
	    (unsigned long long)last_good);
	assert_int_equal(access(snap, F_OK), 0);
	db_close(&b.db);
	ctx_free(&b);
	ctx_free(&a);
	tree_free(ref);
	session_free_all(&ref_st);
}

/*
 * One changed byte in the middle of the log stops db_open: the cause
 * names the file and the offset of the damaged entry, and the file is
 * left as it was for a person to look at.
 */
static void
test_mid_file_damage_fails(void **state)
{
	struct ctx	 a, b;
	char		 want[64], *cause = NULL;
	uint8_t		*before, *after;
	size_t		 blen, alen, k;

	(void)state;
	ctx_open(&a);
	script(&a, "/m", 60);
	db_close(&a.db);
	k = a.n / 2;
	unit_xor_byte(a.log, a.end[k - 1] + 12 + 21, 0x20);
	before = unit_slurp(a.log, &blen);

	assert_int_equal(ctx_try_open(&b, &cause), -1);
	assert_non_null(cause);
	assert_non_null(strstr(cause, a.log));
	snprintf(want, sizeof(want), "offset %lld ",
	    (long long)a.end[k - 1]);
	if (strstr(cause, want) == NULL)
		fail_msg("cause \"%s\" lacks \"%s\"", cause, want);
	after = unit_slurp(a.log, &alen);
	assert_int_equal(alen, blen);
	assert_memory_equal(before, after, blen);
	free(cause);
	free(before);
	free(after);
	ctx_free(&b);
	ctx_free(&a);
}

/*
 * A torn last entry is damage all the same when a later log holds txns:
 * db_open fails naming the first file and the offset.
 */
static void
test_torn_tail_before_later_log_fails(void **state)
{
	struct ctx		 a, b, c;
	struct datadir_list	 snaps;
	char			 first[PATH_MAX], want[64], *cause = NULL;
	off_t			 bad;
	size_t			 i;

	(void)state;
	ctx_open(&a);
	script(&a, "/x", 20);
	db_close(&a.db);
	strlcpy(first, a.log, sizeof(first));
	bad = a.end[a.n - 2];
	ctx_open(&b);
	script(&b, "/y", 20);
	db_close(&b.db);
	assert_int_equal(count_files(logdir, "log"), 2);
	/* Only snapshot.0: recovery must read all of the first log. */
	assert_int_equal(datadir_list(snapdir, "snapshot", &snaps), 0);
	for (i = 1; i < snaps.n; i++)
		assert_int_equal(unlink(snaps.v[i].path), 0);
	datadir_list_free(&snaps);
	unit_xor_byte(first, bad + 12 + 3, 0x01);

	assert_int_equal(ctx_try_open(&c, &cause), -1);
	assert_non_null(strstr(cause, first));
	snprintf(want, sizeof(want), "offset %lld ", (long long)bad);
	if (strstr(cause, want) == NULL)
		fail_msg("cause \"%s\" lacks \"%s\"", cause, want);
	free(cause);
	ctx_free(&c);
	ctx_free(&b);
	ctx_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_empty,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen_rebuilds,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen_split_dirs,
		    setup_split, teardown),
		cmocka_unit_test_setup_teardown(test_torn_tail_repaired,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_mid_file_damage_fails,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_torn_tail_before_later_log_fails, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
