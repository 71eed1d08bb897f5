/* SPDX-License-Identifier: ISC */
/*
 * txn.c: applying transactions to the tree and the sessions (state layer).
 *
 * This follows DataTree.processTxn and ZooKeeperServer's session handling:
 * - a multi whose txns include an error applies none of its writes; the
 *   ops before the failed one report OK, those after RUNTIMEINCONSISTENCY;
 * - a create that finds its node already there (a replayed log overlapping
 *   a fuzzy snapshot) still moves the parent's cversion and pzxid forward;
 * - the tree's last processed zxid only grows.
 * A txn that cannot apply where it must (a delete of a node with children)
 * is a broken invariant and ends the server inside tree.c.
 */
#include <stdlib.h>
#include <string.h>

#include "session.h"
#include "tree.h"
#include "txn.h"
#include "xmalloc.h"

struct txn *
txn_new(int64_t client_id, int32_t cxid, int64_t zxid, int64_t time,
    int32_t type)
{
	struct txn	*t;

	t = xcalloc(1, sizeof(*t));
	t->client_id = client_id;
	t->cxid = cxid;
	t->zxid = zxid;
	t->time = time;
	t->op.type = type;
	t->op.data_len = -1;
	return t;
}

void
txn_op_clear(struct txn_op *op)
{
	free(op->path);
	free(op->data);
	proto_acl_list_free(&op->acl);
	proto_strings_free(&op->paths);
	memset(op, 0, sizeof(*op));
	op->data_len = -1;
}

/* Appends an empty txn to a multi and returns it. */
struct txn_op *
txn_add_sub(struct txn *t)
{
	struct txn_op	*op;

	t->subs = xreallocarray(t->subs, (size_t)t->nsubs + 1,
	    sizeof(*t->subs));
	op = &t->subs[t->nsubs++];
	memset(op, 0, sizeof(*op));
	op->data_len = -1;
	return op;
}

void
txn_free(struct txn *t)
{
	int32_t	 i;

	if (t == NULL)
		return;
	txn_op_clear(&t->op);
	for (i = 0; i < t->nsubs; i++)
		txn_op_clear(&t->subs[i]);
	free(t->subs);
	free(t);
}

void
txn_result_clear(struct txn_result *r)
{
	int32_t	 i;

	for (i = 0; i < r->nmulti; i++)
		txn_result_clear(&r->multi[i]);
	free(r->multi);
	memset(r, 0, sizeof(*r));
}

static int
txn_apply_create(struct tree *t, const struct txn *txn,
    const struct txn_op *op, struct txn_result *r)
{
	int64_t		 owner = 0;
	const char	*slash;
	char		*parent;
	int		 err;

	switch (op->type) {
	case ZOP_CREATECONTAINER:
		owner = EOWNER_CONTAINER;
		break;
	case ZOP_CREATETTL:
		owner = EOWNER_EXTENDED_MASK | (op->ttl & EOWNER_TTL_MAX);
		break;
	default:
		owner = op->ephemeral ? txn->client_id : 0;
		break;
	}
	err = tree_create(t, op->path, op->data, op->data_len, &op->acl, owner,
	    op->parent_cversion, txn->zxid, txn->time, &r->stat);
	if (err == ZERR_OK && op->type != ZOP_CREATE)
		r->has_stat = 1;
	if (err == ZERR_NODEEXISTS && op->type == ZOP_CREATE &&
	    (slash = strrchr(op->path, '/')) != NULL) {
		parent = xstrndup(op->path, (size_t)(slash - op->path));
		tree_set_cversion_pzxid(t, parent, op->parent_cversion,
		    txn->zxid);
		free(parent);
	}
	return err;
}

static void
txn_close_session(struct tree *t, struct session_table *st,
    const struct txn *txn, const struct txn_op *op)
{
	int32_t	 i;

	/* The txn names the ephemerals to delete; any left over go too. */
	for (i = 0; i < op->paths.n; i++)
		if (tree_lookup(t, op->paths.v[i]) != NULL)
			tree_delete(t, op->paths.v[i], txn->zxid);
	tree_kill_session(t, txn->client_id, txn->zxid);
	if (st != NULL)
		session_remove(st, txn->client_id);
}

static void
txn_apply_op(struct tree *t, struct session_table *st, const struct txn *txn,
    const struct txn_op *op, int64_t now, struct txn_result *r)
{
	r->type = op->type;
	r->path = op->path;
	switch (op->type) {
	case ZOP_CREATE:
	case ZOP_CREATE2:
	case ZOP_CREATECONTAINER:
	case ZOP_CREATETTL:
		r->err = txn_apply_create(t, txn, op, r);
		break;
	case ZOP_DELETE:
	case ZOP_DELETECONTAINER:
		r->err = tree_delete(t, op->path, txn->zxid);
		break;
	case ZOP_SETDATA:
	case ZOP_RECONFIG:
		r->err = tree_set_data(t, op->path, op->data, op->data_len,
		    op->version, txn->zxid, txn->time, &r->stat);
		r->has_stat = r->err == ZERR_OK;
		break;
	case ZOP_SETACL:
		r->err = tree_set_acl(t, op->path, &op->acl, op->version,
		    &r->stat);
		r->has_stat = r->err == ZERR_OK;
		break;
	case ZOP_CHECK:
		break;
	case ZOP_ERROR:
		r->err = op->err;
		break;
	case ZOP_CREATESESSION:
		if (st != NULL)
			session_track(st, txn->client_id, op->timeout, now);
		break;
	case ZOP_CLOSESESSION:
		txn_close_session(t, st, txn, op);
		break;
	default:
		r->err = ZERR_UNIMPLEMENTED;
		break;
	}
}

static void
txn_apply_multi(struct tree *t, struct session_table *st,
    const struct txn *txn, int64_t now, struct txn_result *r)
{
	struct txn_op	 fake;
	int32_t		 i;
	int		 failed = 0, post_failed = 0;

	for (i = 0; i < txn->nsubs; i++)
		if (txn->subs[i].type == ZOP_ERROR)
			failed = 1;
	r->multi = xcalloc((size_t)txn->nsubs + 1, sizeof(*r->multi));
	r->nmulti = txn->nsubs;
	for (i = 0; i < txn->nsubs; i++) {
		if (txn->subs[i].type == ZOP_ERROR)
			post_failed = 1;
		if (failed && txn->subs[i].type != ZOP_ERROR) {
			memset(&fake, 0, sizeof(fake));
			fake.type = ZOP_ERROR;
			fake.err = post_failed ? ZERR_RUNTIMEINCONSISTENCY :
			    ZERR_OK;
			txn_apply_op(t, st, txn, &fake, now, &r->multi[i]);
			r->multi[i].path = txn->subs[i].path;
		} else
			txn_apply_op(t, st, txn, &txn->subs[i], now,
			    &r->multi[i]);
		if (r->multi[i].err != ZERR_OK && r->err == ZERR_OK)
			r->err = r->multi[i].err;
	}
}

/*
 * Applies a txn to the tree and the sessions (st may be NULL to leave
 * sessions alone); now is the monotonic time for session expiry.  Fills r,
 * which the caller clears with txn_result_clear.
 */
void
txn_apply(struct tree *t, struct session_table *st, const struct txn *txn,
    int64_t now, struct txn_result *r)
{
	memset(r, 0, sizeof(*r));
	if (txn->op.type == ZOP_MULTI) {
		r->type = ZOP_MULTI;
		txn_apply_multi(t, st, txn, now, r);
	} else
		txn_apply_op(t, st, txn, &txn->op, now, r);
	if (txn->zxid > t->last_zxid)
		t->last_zxid = txn->zxid;
}
