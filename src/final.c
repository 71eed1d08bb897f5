/* SPDX-License-Identifier: ISC */
/*
 * final.c: applying txns, serving reads, building replies (pipeline layer).
 *
 * Answers follow FinalRequestProcessor: an error reply is the header alone;
 * exists sets its watch even on a missing node; getACL needs READ or ADMIN
 * and masks digest ids for a caller without ADMIN; a multi's header says OK
 * and each result carries its own code; watch events a request causes are
 * queued to their connections before the request's own reply.
 */
#include <stdlib.h>
#include <string.h>

#include "final.h"
#include "log.h"
#include "prep.h"
#include "request.h"
#include "session.h"
#include "tree.h"
#include "txn.h"
#include "util.h"
#include "xmalloc.h"

void
final_init(struct final *f, struct tree *t, struct session_table *st,
    struct watch_mgr *wm, struct prep *p)
{
	memset(f, 0, sizeof(*f));
	f->tree = t;
	f->sessions = st;
	f->watches = wm;
	f->prep = p;
	jute_out_init(&f->out);
}

void
final_free(struct final *f)
{
	jute_out_free(&f->out);
}

static const struct acl_ids *
final_ids(struct request *r)
{
	static const struct acl_ids	 none;

	return r->client != NULL ? &r->client->ids : &none;
}

static int
final_acl(struct final *f, struct request *r, struct tree_node *n,
    int32_t perm)
{
	return acl_check(tree_node_acl(f->tree, n), perm, final_ids(r),
	    f->prep->skip_acl);
}

static void
final_put_children(struct final *f, struct jute_out *o, struct tree_node *n,
    const char *path)
{
	struct tree_node	*c;
	int64_t			 bytes = 0;

	jute_put_int(o, n->nchildren);
	TREE_FOREACH_CHILD(c, n) {
		jute_put_string(o, TREE_NODE_NAME(c));
		bytes += (int64_t)strlen(TREE_NODE_NAME(c));
	}
	ns_stats_add(f->tree->ns, 0, path, bytes);
}

/* Writes a stat as clients see it (see tree_client_stat). */
static void
final_put_stat(struct final *f, struct jute_out *o, const struct zk_stat *st)
{
	struct zk_stat	 cs = *st;

	tree_client_stat(f->tree, &cs);
	proto_put_stat(o, &cs);
}

static void
final_put_stat_of(struct final *f, struct jute_out *o, struct tree_node *n)
{
	struct zk_stat	 st;

	tree_node_stat(n, &st);
	final_put_stat(f, o, &st);
}

/* getData / getChildren(2) with their ACL check and watch; body into o. */
static int
final_read_node(struct final *f, struct request *r, const struct proto_op *op,
    int32_t type, struct jute_out *o)
{
	struct tree_node	*n;
	int			 err;

	if ((n = tree_lookup(f->tree, op->path)) == NULL || op->bad_path)
		return ZERR_NONODE;
	if ((err = final_acl(f, r, n, ZPERM_READ)) != ZERR_OK)
		return err;
	if (op->watch && r->client != NULL)
		watch_add(f->watches, type == ZOP_GETDATA ? WATCH_DATA :
		    WATCH_CHILD, op->path, &r->client->watcher,
		    WATCH_STANDARD);
	if (type == ZOP_GETDATA) {
		ns_stats_add(f->tree->ns, 0, op->path, n->data_len);
		/* Null data (created or set as null) reads back as null. */
		if (n->null_data)
			jute_put_int(o, -1);
		else
			jute_put_buffer(o, n->data != NULL ? n->data : (const
			    uint8_t *)"", n->data_len);
		final_put_stat_of(f, o, n);
		return ZERR_OK;
	}
	final_put_children(f, o, n, op->path);
	if (type == ZOP_GETCHILDREN2)
		final_put_stat_of(f, o, n);
	return ZERR_OK;
}

static int
final_exists(struct final *f, struct request *r, struct jute_out *o)
{
	const struct proto_op	*op = &r->req.op;
	struct tree_node	*n;

	if (op->bad_path)
		return ZERR_BADARGUMENTS;
	if (op->watch && r->client != NULL)
		watch_add(f->watches, WATCH_DATA, op->path,
		    &r->client->watcher, WATCH_STANDARD);
	if ((n = tree_lookup(f->tree, op->path)) == NULL)
		return ZERR_NONODE;
	ns_stats_add(f->tree->ns, 0, op->path, 0);
	final_put_stat_of(f, o, n);
	return ZERR_OK;
}

static int
final_get_acl(struct final *f, struct request *r, struct jute_out *o)
{
	const struct zk_acl_list	*acl;
	struct tree_node		*n;
	int32_t				 i;
	int				 admin;
	char				*colon;

	if ((n = tree_lookup(f->tree, r->req.op.path)) == NULL)
		return ZERR_NONODE;
	if (final_acl(f, r, n, ZPERM_READ | ZPERM_ADMIN) != ZERR_OK)
		return ZERR_NOAUTH;
	acl = tree_node_acl(f->tree, n);
	admin = final_acl(f, r, n, ZPERM_ADMIN) == ZERR_OK;
	jute_put_int(o, acl->n);
	for (i = 0; i < acl->n; i++) {
		jute_put_int(o, acl->v[i].perms);
		jute_put_string(o, acl->v[i].id.scheme);
		if (!admin && strcmp(acl->v[i].id.scheme, "digest") == 0 &&
		    (colon = strchr(acl->v[i].id.id, ':')) != NULL) {
			/* Without ADMIN a digest shows as "user:x". */
			jute_put_int(o, (int32_t)(colon - acl->v[i].id.id) + 2);
			jute_put_raw(o, acl->v[i].id.id,
			    (size_t)(colon - acl->v[i].id.id));
			jute_put_raw(o, ":x", 2);
		} else
			jute_put_string(o, acl->v[i].id.id);
	}
	final_put_stat_of(f, o, n);
	return ZERR_OK;
}

static int
final_all_children(struct final *f, struct request *r, struct jute_out *o)
{
	struct tree_node	*n;
	int			 err;

	if ((n = tree_lookup(f->tree, r->req.op.path)) == NULL)
		return ZERR_NONODE;
	if ((err = final_acl(f, r, n, ZPERM_READ)) != ZERR_OK)
		return err;
	jute_put_int(o, (int32_t)tree_descendants(n));
	return ZERR_OK;
}

static int
final_ephemerals(struct final *f, struct request *r, struct jute_out *o)
{
	struct tree_owner	*ow;
	struct tree_node	*n;
	const char		*prefix = r->req.op.path;
	size_t			 plen, count = 0, at;
	int			 all;

	/* Blank, "/" or null: every ephemeral of the session. */
	while (prefix != NULL && (*prefix == ' ' || *prefix == '\t'))
		prefix++;
	all = prefix == NULL || *prefix == '\0' || strcmp(prefix, "/") == 0;
	plen = all ? 0 : strlen(r->req.op.path);
	at = o->len;
	jute_put_int(o, 0);
	if ((ow = tree_owner_find(f->tree, r->session_id)) != NULL)
		TAILQ_FOREACH(n, &ow->nodes, olink) {
			if (!all && strncmp(n->path, r->req.op.path, plen) != 0)
				continue;
			jute_put_string(o, n->path);
			count++;
		}
	jute_patch_int(o, at, (int32_t)count);
	return ZERR_OK;
}

static void
final_whoami(struct request *r, struct jute_out *o)
{
	const struct acl_ids	*ids = final_ids(r);
	int32_t			 i;

	jute_put_int(o, ids->n);
	for (i = 0; i < ids->n; i++) {
		jute_put_string(o, ids->v[i].scheme);
		jute_put_string(o, acl_user_name(&ids->v[i]));
	}
}

static void
final_tell(struct final *f, struct request *r, int32_t type, const char *path)
{
	if (f->watches->deliver != NULL)
		f->watches->deliver(&r->client->watcher, type, path, NULL);
}

/* Re-arms watches after a reconnect, firing what changed since rel_zxid. */
static void
final_set_watches(struct final *f, struct request *r)
{
	struct watcher		*w = &r->client->watcher;
	struct zk_strings	*ws = r->req.watches;
	struct tree_node	*n;
	int32_t			 i;
	const char		*p;

	for (i = 0; i < ws[0].n; i++) {
		p = ws[0].v[i];
		if ((n = tree_lookup(f->tree, p)) == NULL)
			final_tell(f, r, ZEV_NODE_DELETED, p);
		else if (n->mzxid > r->req.rel_zxid)
			final_tell(f, r, ZEV_NODE_DATA_CHANGED, p);
		else
			watch_add(f->watches, WATCH_DATA, p, w, WATCH_STANDARD);
	}
	for (i = 0; i < ws[1].n; i++) {
		p = ws[1].v[i];
		if (tree_lookup(f->tree, p) != NULL)
			final_tell(f, r, ZEV_NODE_CREATED, p);
		else
			watch_add(f->watches, WATCH_DATA, p, w, WATCH_STANDARD);
	}
	for (i = 0; i < ws[2].n; i++) {
		p = ws[2].v[i];
		if ((n = tree_lookup(f->tree, p)) == NULL)
			final_tell(f, r, ZEV_NODE_DELETED, p);
		else if (n->pzxid > r->req.rel_zxid)
			final_tell(f, r, ZEV_NODE_CHILDREN_CHANGED, p);
		else
			watch_add(f->watches, WATCH_CHILD, p, w,
			    WATCH_STANDARD);
	}
	for (i = 0; i < ws[3].n; i++) {
		watch_add(f->watches, WATCH_CHILD, ws[3].v[i], w,
		    WATCH_PERSISTENT);
		watch_add(f->watches, WATCH_DATA, ws[3].v[i], w,
		    WATCH_PERSISTENT);
	}
	for (i = 0; i < ws[4].n; i++) {
		watch_add(f->watches, WATCH_CHILD, ws[4].v[i], w,
		    WATCH_RECURSIVE);
		watch_add(f->watches, WATCH_DATA, ws[4].v[i], w,
		    WATCH_RECURSIVE);
	}
}

static int
final_watches(struct final *f, struct request *r, int remove)
{
	const struct proto_op	*op = &r->req.op;
	struct watcher		*w = &r->client->watcher;
	int			 data = 0, child = 0, found;

	switch (op->mode) {
	case ZWTYPE_CHILDREN:
		child = 1;
		break;
	case ZWTYPE_DATA:
		data = 1;
		break;
	case ZWTYPE_ANY:
		data = child = 1;
		break;
	default:
		/* 3.8's WatcherType knows no other value. */
		return ZERR_MARSHALLINGERROR;
	}
	if (remove) {
		found = 0;
		if (child && watch_remove(f->watches, WATCH_CHILD, op->path, w))
			found = 1;
		if (data && watch_remove(f->watches, WATCH_DATA, op->path, w))
			found = 1;
	} else
		found = (child && watch_contains(f->watches, WATCH_CHILD,
		    op->path, w)) || (data && watch_contains(f->watches,
		    WATCH_DATA, op->path, w));
	return found ? ZERR_OK : ZERR_NOWATCHER;
}

static void
final_multi_read(struct final *f, struct request *r, struct jute_out *o)
{
	struct proto_op	*op;
	size_t		 at;
	int32_t		 i;
	int		 err;

	for (i = 0; i < r->req.nops; i++) {
		op = &r->req.ops[i];
		at = o->len;
		proto_put_multi_header(o, op->type, 0, 0);
		if ((err = final_read_node(f, r, op, op->type, o)) != ZERR_OK) {
			o->len = at;
			proto_put_multi_header(o, ZOP_ERROR, 0, err);
			jute_put_int(o, err);
		}
	}
	proto_put_multi_header(o, -1, 1, -1);
}

static void
final_multi_results(struct final *f, const struct txn_result *res,
    struct jute_out *o)
{
	const struct txn_result	*sr;
	int32_t			 i;

	for (i = 0; i < res->nmulti; i++) {
		sr = &res->multi[i];
		switch (sr->type) {
		case ZOP_CREATE:
			proto_put_multi_header(o, ZOP_CREATE, 0, 0);
			jute_put_string(o, sr->path);
			break;
		case ZOP_CREATE2:
		case ZOP_CREATETTL:
		case ZOP_CREATECONTAINER:
			proto_put_multi_header(o, ZOP_CREATE2, 0, 0);
			jute_put_string(o, sr->path);
			final_put_stat(f, o, &sr->stat);
			break;
		case ZOP_DELETE:
		case ZOP_DELETECONTAINER:
			proto_put_multi_header(o, ZOP_DELETE, 0, 0);
			break;
		case ZOP_CHECK:
			proto_put_multi_header(o, ZOP_CHECK, 0, 0);
			break;
		case ZOP_SETDATA:
			proto_put_multi_header(o, ZOP_SETDATA, 0, 0);
			final_put_stat(f, o, &sr->stat);
			break;
		default:
			proto_put_multi_header(o, ZOP_ERROR, 0, sr->err);
			jute_put_int(o, sr->err);
			break;
		}
	}
	proto_put_multi_header(o, -1, 1, -1);
}

/* Reply body of an applied write; returns the code for the header. */
static int32_t
final_write_reply(struct final *f, struct request *r,
    const struct txn_result *res, struct jute_out *o)
{
	struct tree_node	*n;

	if (r->txn->op.type == ZOP_ERROR)
		return r->txn->op.err;
	switch (r->type) {
	case ZOP_MULTI:
		final_multi_results(f, res, o);
		return ZERR_OK;
	case ZOP_CREATE:
		if (res->err == ZERR_OK)
			jute_put_string(o, res->path);
		return res->err;
	case ZOP_CREATE2:
	case ZOP_CREATETTL:
	case ZOP_CREATECONTAINER:
		if (res->err == ZERR_OK) {
			jute_put_string(o, res->path);
			final_put_stat(f, o, &res->stat);
		}
		return res->err;
	case ZOP_SETDATA:
	case ZOP_SETACL:
		if (res->err == ZERR_OK)
			final_put_stat(f, o, &res->stat);
		return res->err;
	case ZOP_CHECK:
		/* Outside a multi: answer like setData, with the node's stat. */
		if (res->err == ZERR_OK &&
		    (n = tree_lookup(f->tree, r->txn->op.path)) != NULL)
			final_put_stat_of(f, o, n);
		return res->err;
	default:
		return res->err;
	}
}

/* Serves a read; returns the code for the header, body into o. */
static int32_t
final_read_reply(struct final *f, struct request *r, struct jute_out *o)
{
	const struct proto_op	*op = &r->req.op;

	if (r->err != ZERR_OK)
		return r->err;
	switch (r->type) {
	case ZOP_EXISTS:
		return final_exists(f, r, o);
	case ZOP_GETDATA:
	case ZOP_GETCHILDREN:
	case ZOP_GETCHILDREN2:
		return final_read_node(f, r, op, r->type, o);
	case ZOP_GETACL:
		return final_get_acl(f, r, o);
	case ZOP_GETALLCHILDRENNUMBER:
		return final_all_children(f, r, o);
	case ZOP_GETEPHEMERALS:
		return final_ephemerals(f, r, o);
	case ZOP_SYNC:
		jute_put_string(o, op->path);
		return ZERR_OK;
	case ZOP_WHOAMI:
		final_whoami(r, o);
		return ZERR_OK;
	case ZOP_SETWATCHES:
	case ZOP_SETWATCHES2:
		final_set_watches(f, r);
		return ZERR_OK;
	case ZOP_ADDWATCH:
		if (op->mode != ZADDWATCH_PERSISTENT &&
		    op->mode != ZADDWATCH_PERSISTENT_RECURSIVE)
			return ZERR_MARSHALLINGERROR;
		watch_add(f->watches, WATCH_CHILD, op->path,
		    &r->client->watcher, op->mode == ZADDWATCH_PERSISTENT ?
		    WATCH_PERSISTENT : WATCH_RECURSIVE);
		watch_add(f->watches, WATCH_DATA, op->path,
		    &r->client->watcher, op->mode == ZADDWATCH_PERSISTENT ?
		    WATCH_PERSISTENT : WATCH_RECURSIVE);
		jute_put_int(o, 0);
		return ZERR_OK;
	case ZOP_CHECKWATCHES:
		return final_watches(f, r, 0);
	case ZOP_REMOVEWATCHES:
		return final_watches(f, r, 1);
	case ZOP_MULTIREAD:
		final_multi_read(f, r, o);
		return ZERR_OK;
	case ZOP_PING:
		return ZERR_OK;
	default:
		return ZERR_UNIMPLEMENTED;
	}
}

/*
 * The next stage of sync: applies the txn if any, then answers the client
 * if it is still there.  Frees the request.
 */
void
final_request(void *arg, struct request *r)
{
	struct final		*f = arg;
	struct jute_out		*o = &f->out;
	struct txn_result	 res;
	struct client		*c = r->client;
	size_t			 frame;
	int32_t			 err, xid;
	int64_t			 zxid;
	int			 closed = 0;

	memset(&res, 0, sizeof(res));
	if (r->txn != NULL) {
		txn_apply(f->tree, f->sessions, r->txn, util_now_ms(), &res);
		prep_applied(f->prep, r->txn->zxid);
		f->commits++;
		closed = r->type == ZOP_CLOSESESSION;
	}
	if (c == NULL || r->drop)
		goto done;
	if (r->type == ZOP_CREATESESSION) {
		c->ops->finished(c, r, ZERR_OK, f->tree->last_zxid);
		c->ops->session_ready(c);
		goto done;
	}
	jute_out_reset(o);
	frame = jute_put_frame_start(o);
	proto_put_reply_header(o, 0, 0, 0);
	if (r->txn != NULL)
		err = final_write_reply(f, r, &res, o);
	else
		err = final_read_reply(f, r, o);
	if (err != ZERR_OK && r->type != ZOP_MULTI &&
	    r->type != ZOP_MULTIREAD)
		o->len = frame + 4 + 16;	/* an error: the header alone */
	zxid = f->tree->last_zxid;
	xid = r->type == ZOP_PING ? ZXID_PING : r->xid;
	jute_patch_int(o, frame + 4, xid);
	jute_patch_int(o, frame + 8, (int32_t)((uint64_t)zxid >> 32));
	jute_patch_int(o, frame + 12, (int32_t)zxid);
	jute_patch_int(o, frame + 16, err);
	jute_put_frame_end(o, frame);
	c->ops->send(c, o->buf, o->len);
	c->ops->finished(c, r, err, zxid);
done:
	/* After the reply: the connections of the session close. */
	if (closed && f->session_gone != NULL)
		f->session_gone(f->arg, r->session_id);
	request_done(r, 1);
	txn_result_clear(&res);
	request_free(r);
}
