/* SPDX-License-Identifier: ISC */
/*
 * fuzz_request.c: client requests through the real pipeline.
 *
 * An input is a sequence of request frames, each behind a 4-byte length
 * as on the wire (a length past the end takes the rest of the input).
 * Every frame that proto_decode_request accepts is prepared and submitted
 * to the sync stage against a small tree, as zkd_submit does; final
 * applies and answers to fake clients whose send() only checks the frame.
 * Bit 0 of a frame's xid picks one of two sessions, bit 1 flushes the
 * sync stage after it (so several writes can be pending in prep at once);
 * everything is flushed at the end.  An auth frame adds an identity as the
 * connection layer does.  The harness checks what must hold: each txn prep
 * accepted finds the tree as prep foresaw when it comes to apply, and
 * after each flush the tree's invariants hold and prep has no change
 * record left.
 */
#include <stdlib.h>
#include <string.h>

#include "acl.h"
#include "final.h"
#include "fuzz.h"
#include "jute.h"
#include "prep.h"
#include "proto.h"
#include "request.h"
#include "session.h"
#include "sync.h"
#include "tree.h"
#include "txn.h"
#include "watch.h"
#include "xmalloc.h"

#define FUZZ_MAXBUF	0xfffff
#define FUZZ_FRAMES	64
#define SID_A		((int64_t)0x0100000000000001LL)
#define SID_B		((int64_t)0x0100000000000002LL)
/* The digest of "super:secret". */
#define SUPER_DIGEST	"super:lK75jTNcA+U9vtVEw5vB51mj/w4="

struct world {
	struct tree		*t;
	struct session_table	 st;
	struct watch_mgr	 wm;
	struct prep		 p;
	struct sync_stage	 sync;
	struct final		 f;
	struct client		 c[2];
};

static void	 fuzz_send(struct client *, const uint8_t *, size_t);
static void	 fuzz_finished(struct client *, const struct request *, int32_t,
		    int64_t);
static void	 fuzz_ready(struct client *);
static void	 fuzz_deliver(struct watcher *, int32_t, const char *,
		    const struct zk_acl_list *);
static void	 fuzz_node(struct world *, const char *, int32_t, const char *,
		    const char *, int64_t);
static void	 fuzz_world_init(struct world *);
static void	 fuzz_world_free(struct world *);
static void	 fuzz_auth(struct client *, const struct proto_req *);
static void	 fuzz_frame(struct world *, const uint8_t *, size_t);
static void	 fuzz_next(void *, struct request *);
static void	 fuzz_containers(struct world *);
static void	 fuzz_flush(struct world *);
static void	 fuzz_check(struct world *);

static const struct client_ops	 fuzz_ops = {
	fuzz_send, fuzz_finished, fuzz_ready
};

/* A reply must be a whole frame with at least its header. */
static void
fuzz_send(struct client *c, const uint8_t *buf, size_t len)
{
	(void)c;
	if (len < 20 || jute_be32(buf) != len - 4)
		abort();
}

static void
fuzz_finished(struct client *c, const struct request *r, int32_t err,
    int64_t zxid)
{
	(void)c;
	(void)r;
	(void)err;
	(void)zxid;
}

static void
fuzz_ready(struct client *c)
{
	(void)c;
}

static void
fuzz_deliver(struct watcher *w, int32_t type, const char *path,
    const struct zk_acl_list *acl)
{
	if (w == NULL || path == NULL || type < ZEV_NODE_CREATED ||
	    type > ZEV_PERSISTENT_WATCH_REMOVED)
		abort();
	/* An event about a node carries its ACL, for the READ check. */
	if (acl != NULL && acl->n < 0)
		abort();
}

static void
fuzz_node(struct world *w, const char *path, int32_t perms,
    const char *scheme, const char *id, int64_t owner)
{
	struct zk_acl		 a;
	struct zk_acl_list	 l = { 1, &a };

	a.perms = perms;
	a.id.scheme = (char *)(uintptr_t)scheme;
	a.id.id = (char *)(uintptr_t)id;
	w->t->last_zxid++;
	if (tree_create(w->t, path, "seed", 4, &l, owner, -1, w->t->last_zxid,
	    1000, NULL) != ZERR_OK)
		abort();
}

/* A tree with a bit of everything: ACLs, an ephemeral, a container, a TTL. */
static void
fuzz_world_init(struct world *w)
{
	int	 i;

	memset(w, 0, sizeof(*w));
	w->t = tree_new(1);
	fuzz_node(w, "/a", ZPERM_ALL, "world", "anyone", 0);
	fuzz_node(w, "/a/b", ZPERM_ALL, "world", "anyone", 0);
	fuzz_node(w, "/a/b/c", ZPERM_READ, "world", "anyone", 0);
	fuzz_node(w, "/e", ZPERM_ALL, "world", "anyone", SID_A);
	fuzz_node(w, "/c", ZPERM_ALL, "world", "anyone", EOWNER_CONTAINER);
	fuzz_node(w, "/c/x", ZPERM_ALL, "world", "anyone", 0);
	fuzz_node(w, "/t", ZPERM_ALL, "world", "anyone",
	    EOWNER_EXTENDED_MASK | 1000);
	fuzz_node(w, "/locked", ZPERM_ALL, "digest",
	    "bob:fyVmFCwVbTJYrznoSu1koqYEYF0=", 0);
	fuzz_node(w, "/ip", ZPERM_READ | ZPERM_CREATE, "ip", "127.0.0.0/8", 0);
	session_init(&w->st, 1, 2000, 0);
	session_track(&w->st, SID_A, 30000, 0);
	session_track(&w->st, SID_B, 30000, 0);
	watch_init(&w->wm, fuzz_deliver);
	w->t->watches = &w->wm;
	prep_init(&w->p, w->t, &w->st);
	w->p.extended_types = 1;
	final_init(&w->f, w->t, &w->st, &w->wm, &w->p);
	sync_init(&w->sync, fuzz_next, w);
	for (i = 0; i < 2; i++) {
		client_init(&w->c[i], &fuzz_ops, NULL);
		w->c[i].session_id = i == 0 ? SID_A : SID_B;
		w->c[i].watcher.session_id = w->c[i].session_id;
		acl_ids_add(&w->c[i].ids, "ip", "127.0.0.1");
	}
}

static void
fuzz_world_free(struct world *w)
{
	int	 i;

	for (i = 0; i < 2; i++) {
		client_orphan_requests(&w->c[i]);
		watch_remove_watcher(&w->wm, &w->c[i].watcher);
	}
	final_free(&w->f);
	prep_free(&w->p);
	watch_free(&w->wm);
	session_free_all(&w->st);
	tree_free(w->t);
}

/* What the connection layer does with an auth packet. */
static void
fuzz_auth(struct client *c, const struct proto_req *req)
{
	char	 userpass[4096], id[4400];
	size_t	 n;

	if (strcmp(req->scheme, "digest") == 0) {
		n = req->auth_len > 0 ? (size_t)req->auth_len : 0;
		if (n >= sizeof(userpass))
			n = sizeof(userpass) - 1;
		if (n > 0)
			memcpy(userpass, req->auth, n);
		userpass[n] = '\0';
		if (acl_digest(userpass, id, sizeof(id)) == 0) {
			if (strcmp(id, SUPER_DIGEST) == 0)
				acl_ids_add(&c->ids, "super", "");
			acl_ids_add(&c->ids, "digest", id);
		}
	} else if (strcmp(req->scheme, "ip") == 0)
		acl_ids_add(&c->ids, "ip", "127.0.0.1");
}

/* One frame: decoded, prepared and queued like conn_request + zkd_submit. */
static void
fuzz_frame(struct world *w, const uint8_t *buf, size_t len)
{
	struct request	*r;
	struct proto_req req;
	struct client	*c;
	int32_t		 xid, type;

	if (proto_decode_request(buf, len, FUZZ_MAXBUF, &req) == -1) {
		proto_req_free(&req);
		return;
	}
	xid = req.xid;
	type = req.type;
	c = &w->c[xid & 1];
	if (req.type == ZOP_AUTH || req.type == ZOP_SASL) {
		if (req.type == ZOP_AUTH)
			fuzz_auth(c, &req);
		proto_req_free(&req);
		return;
	}
	/* The request owns a copy of the frame; req points into it. */
	proto_req_free(&req);
	r = request_new(c, type);
	r->frame = xmemdup(buf, len);
	r->frame_len = len;
	if (proto_decode_request(r->frame, len, FUZZ_MAXBUF, &r->req) == -1)
		abort();
	r->xid = xid;
	prep_request(&w->p, r, 2000000, 0);
	sync_submit(&w->sync, r);
	if (xid & 2)
		fuzz_flush(w);
}

/*
 * The next stage after sync: before final applies a txn, everything
 * before it has applied, so the tree must be as prep foresaw when it
 * accepted the txn: versions one behind, parents there, nodes absent.
 */
static void
fuzz_next(void *arg, struct request *r)
{
	struct world		*w = arg;
	const struct txn_op	*op;
	struct tree_node	*n, *parent;
	char			*pp, *slash;

	op = r->txn != NULL ? &r->txn->op : NULL;
	if (op != NULL && op->path != NULL && op->type != ZOP_ERROR) {
		n = tree_lookup(w->t, op->path);
		switch (op->type) {
		case ZOP_CREATE:
		case ZOP_CREATE2:
		case ZOP_CREATECONTAINER:
		case ZOP_CREATETTL:
			if (n != NULL || (slash = strrchr(op->path, '/')) ==
			    NULL)
				abort();
			pp = xstrndup(op->path, (size_t)(slash - op->path));
			parent = tree_lookup(w->t, pp);
			free(pp);
			if (parent == NULL ||
			    op->parent_cversion != parent->cversion + 1 ||
			    tree_owner_kind(w->t, parent->ephemeral_owner) ==
			    TREE_KIND_EPHEMERAL)
				abort();
			break;
		case ZOP_DELETE:
		case ZOP_DELETECONTAINER:
			if (n == NULL || n->nchildren != 0)
				abort();
			break;
		case ZOP_SETDATA:
			if (n == NULL || op->version != n->version + 1)
				abort();
			break;
		case ZOP_SETACL:
			if (n == NULL || op->version != n->aversion + 1)
				abort();
			break;
		case ZOP_CHECK:
			if (n == NULL || op->version != n->version + 1)
				abort();
			break;
		default:
			break;
		}
	}
	final_request(&w->f, r);
}

/* Empty containers that once had children go, as zkd's check does. */
static void
fuzz_containers(struct world *w)
{
	struct tree_node	*n;
	struct request		*r;
	char			*paths[8];
	int			 i, k = 0;

	TAILQ_FOREACH(n, &w->t->containers, olink)
		if (k < 8 && n->nchildren == 0 && n->cversion > 0)
			paths[k++] = xstrdup(n->path);
	for (i = 0; i < k; i++) {
		r = request_new(NULL, ZOP_DELETECONTAINER);
		r->req.op.type = ZOP_DELETECONTAINER;
		r->req.op.path = paths[i];
		prep_request(&w->p, r, 2000000, 0);
		sync_submit(&w->sync, r);
	}
}

static void
fuzz_flush(struct world *w)
{
	sync_flush(&w->sync);
	fuzz_containers(w);
	sync_flush(&w->sync);
	fuzz_check(w);
}

/* What holds once everything queued has applied. */
static void
fuzz_check(struct world *w)
{
	struct tree_node	*n, *ch;
	size_t			 nodes = 1, neph = 0;
	int64_t			 size;
	int32_t			 nch;

	if (w->p.nchanges != 0 || w->sync.queued != 0)
		abort();
	if (w->p.last_zxid != w->t->last_zxid)
		abort();
	size = (int64_t)w->t->root->path_len + w->t->root->data_len;
	for (n = tree_walk_next(w->t->root, w->t->root); n != NULL;
	    n = tree_walk_next(w->t->root, n)) {
		nodes++;
		size += (int64_t)n->path_len + n->data_len;
		if (tree_lookup(w->t, n->path) != n)
			abort();
		if (tree_owner_kind(w->t, n->ephemeral_owner) ==
		    TREE_KIND_EPHEMERAL) {
			neph++;
			/* Ephemerals never have children. */
			if (n->nchildren != 0)
				abort();
		}
		nch = 0;
		TREE_FOREACH_CHILD(ch, n)
			nch++;
		if (nch != n->nchildren)
			abort();
		if (acl_cache_get(w->t->acls, n->acl) == NULL)
			abort();
	}
	if (nodes != w->t->nnodes || size != w->t->data_size ||
	    neph != w->t->nephemerals)
		abort();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct world	 w;
	size_t		 len;
	int		 frames = 0;

	fuzz_world_init(&w);
	while (size >= 4 && frames++ < FUZZ_FRAMES) {
		len = jute_be32(data);
		data += 4;
		size -= 4;
		if (len > size)
			len = size;
		fuzz_frame(&w, data, len);
		data += len;
		size -= len;
	}
	fuzz_flush(&w);
	fuzz_world_free(&w);
	return 0;
}
