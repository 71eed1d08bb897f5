/* SPDX-License-Identifier: ISC */
/*
 * test_txn.c: applying transactions (DataTree.processTxn).  The state txns
 * produce is the state prep predicted when it prepared them; a multi with
 * an error applies nothing; replayed creates and deletes move the parent's
 * cversion and pzxid as ZooKeeper's replay does; session txns track and
 * close sessions; the tree's last zxid only grows.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "jute.h"
#include "prep.h"
#include "proto.h"
#include "request.h"
#include "session.h"
#include "tree.h"
#include "txn.h"
#include "xmalloc.h"

#define MAXBUF	(1024 * 1024)
#define SID	((int64_t)0x0100000000000001LL)

struct probe {
	int32_t		 type;
	int32_t		 err;
	char		 path[64];
};

static void	 op_set(struct txn_op *, int32_t, const char *, const char *);
static struct txn *txn_one(int64_t, int32_t, const char *, const char *);
static void	 apply(struct tree *, struct session_table *, struct txn *,
		    struct txn_result *);
static struct request *req_of(struct jute_out *);
static void	 probe_header(struct jute_out *, int32_t);
static void	 probe_run(struct prep *, struct probe *);

/* Fills a txn op of a type with a path and string data (or null data). */
static void
op_set(struct txn_op *op, int32_t type, const char *path, const char *data)
{
	op->type = type;
	op->path = xstrdup(path);
	if (data != NULL && *data != '\0') {
		op->data = (uint8_t *)xstrdup(data);
		op->data_len = (int32_t)strlen(data);
	} else
		op->data_len = data == NULL ? -1 : 0;
	op->parent_cversion = -1;
}

static struct txn *
txn_one(int64_t zxid, int32_t type, const char *path, const char *data)
{
	struct txn	*t;

	t = txn_new(SID, 1, zxid, 1000 * zxid, type);
	op_set(&t->op, type, path, data);
	return t;
}

/*
 * Applies and frees a txn; the result is left to the caller, without its
 * paths (they point into the txn).
 */
static void
apply(struct tree *tr, struct session_table *st, struct txn *t,
    struct txn_result *res)
{
	txn_apply(tr, st, t, 0, res);
	txn_free(t);
}

/* A request decoded from a frame; the request owns the frame. */
static struct request *
req_of(struct jute_out *o)
{
	struct request	*r;

	r = request_new(NULL, (int32_t)jute_be32(o->buf + 4));
	r->session_id = SID;
	r->xid = (int32_t)jute_be32(o->buf);
	r->frame = o->buf;
	r->frame_len = o->len;
	jute_out_init(o);
	if (proto_decode_request(r->frame, r->frame_len, MAXBUF, &r->req) ==
	    -1)
		fail_msg("frame does not decode");
	return r;
}

static void
probe_header(struct jute_out *o, int32_t type)
{
	jute_put_int(o, type);
	jute_put_bool(o, 0);
	jute_put_int(o, -1);
}

/*
 * Asks prep, without changing anything, what it thinks of a few ops: each
 * runs in a multi that then fails on a check of a missing node, so its
 * change records are rolled back.  Results go to out[0..2].
 */
static void
probe_run(struct prep *p, struct probe *out)
{
	struct jute_out	 o;
	struct request	*r;
	int		 i;

	jute_out_init(&o);
	jute_put_int(&o, 99);
	jute_put_int(&o, ZOP_MULTI);
	probe_header(&o, ZOP_CHECK);
	jute_put_string(&o, "/a");
	jute_put_int(&o, 1);
	probe_header(&o, ZOP_CHECK);
	jute_put_string(&o, "/a/b");
	jute_put_int(&o, 0);
	probe_header(&o, ZOP_CREATE);
	jute_put_string(&o, "/a/q");
	jute_put_buffer(&o, NULL, -1);
	jute_put_int(&o, 1);
	jute_put_int(&o, ZPERM_ALL);
	jute_put_string(&o, "world");
	jute_put_string(&o, "anyone");
	jute_put_int(&o, ZCREATE_PERSISTENT_SEQUENTIAL);
	probe_header(&o, ZOP_CHECK);
	jute_put_string(&o, "/missing");
	jute_put_int(&o, -1);
	jute_put_int(&o, -1);
	jute_put_bool(&o, 1);
	jute_put_int(&o, -1);
	r = req_of(&o);
	prep_request(p, r, 5000, 0);
	assert_int_equal(r->txn->nsubs, 4);
	assert_int_equal(r->txn->subs[3].err, ZERR_NONODE);
	for (i = 0; i < 3; i++) {
		out[i].type = r->txn->subs[i].type;
		out[i].err = r->txn->subs[i].err;
		strlcpy(out[i].path, r->txn->subs[i].path != NULL ?
		    r->txn->subs[i].path : "", sizeof(out[i].path));
	}
	request_free(r);
}

/* The tree after the txns apply is what prep foresaw before they did. */
static void
test_apply_matches_prep_prediction(void **state)
{
	static const char	*frames_path[] = { "/a", "/a/b", "/a", "/a/b" };
	struct tree		*t;
	struct prep		 p;
	struct jute_out		 o;
	struct request		*r[4];
	struct txn_result	 res;
	struct probe		 before[3], after[3];
	struct tree_node	*a, *b;
	int			 i;

	(void)state;
	t = tree_new(0);
	prep_init(&p, t, NULL);
	/* create /a, create /a/b (ephemeral), setData /a, setACL /a/b. */
	for (i = 0; i < 4; i++) {
		jute_out_init(&o);
		jute_put_int(&o, i);
		switch (i) {
		case 0:
		case 1:
			jute_put_int(&o, ZOP_CREATE);
			jute_put_string(&o, frames_path[i]);
			jute_put_buffer(&o, "x", 1);
			jute_put_int(&o, 1);
			jute_put_int(&o, ZPERM_ALL);
			jute_put_string(&o, "world");
			jute_put_string(&o, "anyone");
			jute_put_int(&o, i == 1 ? ZCREATE_EPHEMERAL :
			    ZCREATE_PERSISTENT);
			break;
		case 2:
			jute_put_int(&o, ZOP_SETDATA);
			jute_put_string(&o, frames_path[i]);
			jute_put_buffer(&o, "yz", 2);
			jute_put_int(&o, 0);
			break;
		default:
			jute_put_int(&o, ZOP_SETACL);
			jute_put_string(&o, frames_path[i]);
			jute_put_int(&o, 1);
			jute_put_int(&o, ZPERM_READ);
			jute_put_string(&o, "world");
			jute_put_string(&o, "anyone");
			jute_put_int(&o, 0);
			break;
		}
		r[i] = req_of(&o);
		prep_request(&p, r[i], 5000 + i, 0);
		assert_int_equal(r[i]->txn->op.type, r[i]->type);
	}
	probe_run(&p, before);
	assert_int_equal(before[0].type, ZOP_CHECK);
	assert_int_equal(before[1].type, ZOP_CHECK);
	assert_int_equal(before[2].type, ZOP_CREATE);
	assert_string_equal(before[2].path, "/a/q0000000001");
	for (i = 0; i < 4; i++) {
		txn_apply(t, NULL, r[i]->txn, 0, &res);
		assert_int_equal(res.err, ZERR_OK);
		prep_applied(&p, r[i]->txn->zxid);
		txn_result_clear(&res);
		request_free(r[i]);
	}
	assert_int_equal(p.nchanges, 0);
	probe_run(&p, after);
	for (i = 0; i < 3; i++) {
		assert_int_equal(after[i].type, before[i].type);
		assert_int_equal(after[i].err, before[i].err);
		assert_string_equal(after[i].path, before[i].path);
	}
	/* And the tree holds exactly the predicted values. */
	a = tree_lookup(t, "/a");
	b = tree_lookup(t, "/a/b");
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(a->version, 1);
	assert_int_equal(a->cversion, 1);
	assert_int_equal(a->nchildren, 1);
	assert_true(a->czxid == 1 && a->mzxid == 3 && a->pzxid == 2);
	assert_true(a->mtime == 5002 && a->ctime == 5000);
	assert_int_equal(b->aversion, 1);
	assert_true(b->ephemeral_owner == SID);
	assert_true(t->last_zxid == 4);
	prep_free(&p);
	tree_free(t);
}

/* A multi holding an error txn applies none of its ops. */
static void
test_multi_with_error_applies_nothing(void **state)
{
	struct tree		*t;
	struct txn		*m;
	struct txn_result	 res;

	(void)state;
	t = tree_new(0);
	assert_int_equal(tree_create(t, "/y", "old", 3, NULL, 0, -1, 1, 0,
	    NULL), ZERR_OK);
	m = txn_new(SID, 7, 10, 10000, ZOP_MULTI);
	op_set(txn_add_sub(m), ZOP_CREATE, "/x", "new");
	op_set(txn_add_sub(m), ZOP_SETDATA, "/y", "new");
	m->subs[1].version = 1;
	txn_add_sub(m)->type = ZOP_ERROR;
	m->subs[2].err = ZERR_BADVERSION;
	txn_add_sub(m)->type = ZOP_ERROR;
	m->subs[3].err = ZERR_RUNTIMEINCONSISTENCY;
	apply(t, NULL, m, &res);
	assert_int_equal(res.type, ZOP_MULTI);
	assert_int_equal(res.err, ZERR_BADVERSION);
	assert_int_equal(res.nmulti, 4);
	assert_int_equal(res.multi[0].type, ZOP_ERROR);
	assert_int_equal(res.multi[0].err, ZERR_OK);
	assert_int_equal(res.multi[1].type, ZOP_ERROR);
	assert_int_equal(res.multi[1].err, ZERR_OK);
	assert_int_equal(res.multi[2].err, ZERR_BADVERSION);
	assert_int_equal(res.multi[3].err, ZERR_RUNTIMEINCONSISTENCY);
	txn_result_clear(&res);
	assert_null(tree_lookup(t, "/x"));
	assert_memory_equal(tree_lookup(t, "/y")->data, "old", 3);
	assert_int_equal(tree_lookup(t, "/y")->version, 0);
	/* The zxid is still consumed. */
	assert_true(t->last_zxid == 10);

	/* Without the error, every op applies under the multi's zxid. */
	m = txn_new(SID, 8, 11, 11000, ZOP_MULTI);
	op_set(txn_add_sub(m), ZOP_CREATE2, "/x", "new");
	op_set(txn_add_sub(m), ZOP_SETDATA, "/y", "new");
	m->subs[1].version = 1;
	op_set(txn_add_sub(m), ZOP_CHECK, "/y", NULL);
	/* Result paths point into the txn: keep it until they are read. */
	txn_apply(t, NULL, m, 0, &res);
	assert_int_equal(res.err, ZERR_OK);
	assert_int_equal(res.multi[0].type, ZOP_CREATE2);
	assert_true(res.multi[0].has_stat);
	assert_true(res.multi[0].stat.czxid == 11);
	assert_string_equal(res.multi[0].path, "/x");
	assert_int_equal(res.multi[1].type, ZOP_SETDATA);
	assert_int_equal(res.multi[1].stat.version, 1);
	assert_int_equal(res.multi[2].type, ZOP_CHECK);
	txn_result_clear(&res);
	txn_free(m);
	assert_true(tree_lookup(t, "/x")->czxid == 11);
	assert_true(tree_lookup(t, "/y")->mzxid == 11);
	tree_free(t);
}

/*
 * A replayed create that finds its node still moves the parent's cversion
 * and pzxid forward (DataTree.processTxn after NODEEXISTS), in a multi too.
 */
static void
test_replayed_create_bumps_parent(void **state)
{
	struct tree		*t;
	struct tree_node	*p;
	struct txn		*x, *m;
	struct txn_result	 res;

	(void)state;
	t = tree_new(0);
	assert_int_equal(tree_create(t, "/p", NULL, -1, NULL, 0, -1, 1, 0,
	    NULL), ZERR_OK);
	assert_int_equal(tree_create(t, "/p/a", NULL, -1, NULL, 0, -1, 2, 0,
	    NULL), ZERR_OK);
	p = tree_lookup(t, "/p");
	assert_int_equal(p->cversion, 1);
	x = txn_one(50, ZOP_CREATE, "/p/a", NULL);
	x->op.parent_cversion = 3;
	apply(t, NULL, x, &res);
	assert_int_equal(res.err, ZERR_NODEEXISTS);
	txn_result_clear(&res);
	assert_int_equal(p->cversion, 3);
	assert_true(p->pzxid == 50);
	assert_int_equal(p->nchildren, 1);
	/* An older cversion leaves both alone. */
	x = txn_one(60, ZOP_CREATE, "/p/a", NULL);
	x->op.parent_cversion = 2;
	apply(t, NULL, x, &res);
	txn_result_clear(&res);
	assert_int_equal(p->cversion, 3);
	assert_true(p->pzxid == 50);
	/* Inside a multi the sub-txn is a create as well. */
	m = txn_new(SID, 1, 70, 0, ZOP_MULTI);
	op_set(txn_add_sub(m), ZOP_CREATE, "/p/a", NULL);
	m->subs[0].parent_cversion = 5;
	apply(t, NULL, m, &res);
	assert_int_equal(res.multi[0].err, ZERR_NODEEXISTS);
	txn_result_clear(&res);
	assert_int_equal(p->cversion, 5);
	assert_true(p->pzxid == 70);
	assert_true(t->last_zxid == 70);
	tree_free(t);
}

/*
 * A replayed delete whose node is already gone still moves the parent's
 * pzxid forward (DataTree.deleteNode updates the parent first).
 */
static void
test_replayed_delete_moves_parent_pzxid(void **state)
{
	struct tree		*t;
	struct txn_result	 res;
	int64_t			 pzxid;

	(void)state;
	t = tree_new(0);
	assert_int_equal(tree_create(t, "/p", NULL, -1, NULL, 0, -1, 1, 0,
	    NULL), ZERR_OK);
	apply(t, NULL, txn_one(80, ZOP_DELETE, "/p/gone", NULL), &res);
	assert_int_equal(res.err, ZERR_NONODE);
	txn_result_clear(&res);
	pzxid = tree_lookup(t, "/p")->pzxid;
	tree_free(t);
	assert_true(pzxid == 80);
}

/* The tree's last zxid never goes back, whatever order txns come in. */
static void
test_last_zxid_only_grows(void **state)
{
	struct tree		*t;
	struct txn		*e;
	struct txn_result	 res;

	(void)state;
	t = tree_new(0);
	apply(t, NULL, txn_one(10, ZOP_CREATE, "/a", NULL), &res);
	txn_result_clear(&res);
	assert_true(t->last_zxid == 10);
	apply(t, NULL, txn_one(5, ZOP_CREATE, "/b", NULL), &res);
	txn_result_clear(&res);
	assert_true(t->last_zxid == 10);
	e = txn_new(SID, 1, 12, 0, ZOP_ERROR);
	e->op.err = ZERR_NONODE;
	apply(t, NULL, e, &res);
	assert_int_equal(res.err, ZERR_NONODE);
	txn_result_clear(&res);
	assert_true(t->last_zxid == 12);
	tree_free(t);
}

/* Each create type gives its node the right owner; create2 returns a stat. */
static void
test_create_kinds(void **state)
{
	struct tree		*t;
	struct txn		*x;
	struct txn_result	 res;

	(void)state;
	t = tree_new(1);
	x = txn_one(1, ZOP_CREATE, "/e", "d");
	x->op.ephemeral = 1;
	txn_apply(t, NULL, x, 0, &res);
	assert_false(res.has_stat);
	assert_string_equal(res.path, "/e");
	txn_result_clear(&res);
	txn_free(x);
	assert_true(tree_lookup(t, "/e")->ephemeral_owner == SID);
	apply(t, NULL, txn_one(2, ZOP_CREATECONTAINER, "/c", NULL), &res);
	assert_true(res.has_stat);
	assert_true(res.stat.ephemeral_owner == EOWNER_CONTAINER);
	txn_result_clear(&res);
	x = txn_one(3, ZOP_CREATETTL, "/t", NULL);
	x->op.ttl = 1234;
	apply(t, NULL, x, &res);
	assert_true(res.has_stat);
	txn_result_clear(&res);
	assert_true(tree_lookup(t, "/t")->ephemeral_owner ==
	    (EOWNER_EXTENDED_MASK | 1234));
	apply(t, NULL, txn_one(4, ZOP_CREATE2, "/p", ""), &res);
	assert_true(res.has_stat);
	assert_true(res.stat.czxid == 4);
	assert_int_equal(tree_lookup(t, "/p")->null_data, 0);
	txn_result_clear(&res);
	assert_int_equal(tree_lookup(t, "/c")->null_data, 1);
	tree_free(t);
}

/* Error txns, txns on missing nodes, and unknown types change nothing. */
static void
test_failures_change_nothing(void **state)
{
	struct tree		*t;
	struct txn_result	 res;
	int64_t			 size;

	(void)state;
	t = tree_new(0);
	size = t->data_size;
	apply(t, NULL, txn_one(1, ZOP_SETDATA, "/none", "x"), &res);
	assert_int_equal(res.err, ZERR_NONODE);
	assert_false(res.has_stat);
	txn_result_clear(&res);
	apply(t, NULL, txn_one(2, ZOP_SETACL, "/none", NULL), &res);
	assert_int_equal(res.err, ZERR_NONODE);
	txn_result_clear(&res);
	apply(t, NULL, txn_one(3, ZOP_CREATE, "/none/x", NULL), &res);
	assert_int_equal(res.err, ZERR_NONODE);
	txn_result_clear(&res);
	apply(t, NULL, txn_one(4, ZOP_GETDATA, "/", NULL), &res);
	assert_int_equal(res.err, ZERR_UNIMPLEMENTED);
	txn_result_clear(&res);
	assert_int_equal(tree_node_count(t), 5);
	assert_true(t->data_size == size);
	tree_free(t);
}

/* createSession tracks the session; closeSession deletes its ephemerals. */
static void
test_session_txns(void **state)
{
	struct tree		*t;
	struct session_table	 st;
	struct session		*s;
	struct txn		*x;
	struct txn_result	 res;
	const int64_t		 other = SID + 1;

	(void)state;
	t = tree_new(0);
	session_init(&st, 1, 1000, 0);
	x = txn_new(SID, 0, 1, 0, ZOP_CREATESESSION);
	x->op.timeout = 6000;
	txn_apply(t, &st, x, 500, &res);
	txn_free(x);
	txn_result_clear(&res);
	s = session_lookup(&st, SID);
	assert_non_null(s);
	assert_int_equal(s->timeout, 6000);
	assert_true(s->expire_at == 7000);
	assert_int_equal(tree_create(t, "/e1", NULL, -1, NULL, SID, -1, 2, 0,
	    NULL), ZERR_OK);
	assert_int_equal(tree_create(t, "/e2", NULL, -1, NULL, SID, -1, 3, 0,
	    NULL), ZERR_OK);
	assert_int_equal(tree_create(t, "/o", NULL, -1, NULL, other, -1, 4, 0,
	    NULL), ZERR_OK);
	/* The txn names /e1 and a path already gone; /e2 goes anyway. */
	x = txn_new(SID, 0, 5, 0, ZOP_CLOSESESSION);
	x->op.has_paths = 1;
	x->op.paths.v = xcalloc(3, sizeof(char *));
	x->op.paths.v[x->op.paths.n++] = xstrdup("/e1");
	x->op.paths.v[x->op.paths.n++] = xstrdup("/gone");
	txn_apply(t, &st, x, 600, &res);
	txn_free(x);
	assert_int_equal(res.err, ZERR_OK);
	txn_result_clear(&res);
	assert_null(tree_lookup(t, "/e1"));
	assert_null(tree_lookup(t, "/e2"));
	assert_non_null(tree_lookup(t, "/o"));
	assert_null(session_lookup(&st, SID));
	assert_true(t->root->pzxid == 5);
	/* Without a session table only the tree changes. */
	x = txn_new(other, 0, 6, 0, ZOP_CLOSESESSION);
	txn_apply(t, NULL, x, 700, &res);
	txn_free(x);
	txn_result_clear(&res);
	assert_null(tree_lookup(t, "/o"));
	session_free_all(&st);
	tree_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_apply_matches_prep_prediction),
		cmocka_unit_test(test_multi_with_error_applies_nothing),
		cmocka_unit_test(test_replayed_create_bumps_parent),
		cmocka_unit_test(test_replayed_delete_moves_parent_pzxid),
		cmocka_unit_test(test_last_zxid_only_grows),
		cmocka_unit_test(test_create_kinds),
		cmocka_unit_test(test_failures_change_nothing),
		cmocka_unit_test(test_session_txns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
