/* SPDX-License-Identifier: ISC */
/*
 * prep.c: validating requests and turning writes into txns (pipeline layer).
 *
 * The checks and their order follow ZooKeeper 3.8's PrepRequestProcessor,
 * so that every error code a client sees is the one ZooKeeper would give:
 * e.g. a create checks its flags, then the path, the ACL list, the parent,
 * the CREATE permission, the (sequential) name, existence, and last that
 * the parent is not an ephemeral.
 *
 * Change records: prep_record() answers "what will this path look like
 * once everything prepared so far applies" from the newest pending record
 * for the path, else the tree.  A failed multi rolls back the records it
 * added (they carry its zxid).  Invariant: the hash maps each path to its
 * newest record, and every record in the hash is on the list.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "prep.h"
#include "request.h"
#include "session.h"
#include "tree.h"
#include "txn.h"
#include "util.h"
#include "xmalloc.h"

struct prep_change {
	TAILQ_ENTRY(prep_change) entry;
	struct prep_change	*hnext;
	uint64_t		 hash;
	int64_t			 zxid;
	int			 exists;
	struct zk_stat		 stat;
	int32_t			 nchildren;
	struct zk_acl_list	 acl;
	char			 path[];
};

/* What a path will look like: from a change record or the tree. */
struct prep_view {
	struct zk_stat		 stat;
	int32_t			 nchildren;
	const struct zk_acl_list *acl;
};

void
prep_init(struct prep *p, struct tree *t, struct session_table *st)
{
	memset(p, 0, sizeof(*p));
	p->tree = t;
	p->sessions = st;
	p->last_zxid = t->last_zxid;
	TAILQ_INIT(&p->changes);
	p->nbuckets = 256;
	p->buckets = xcalloc(p->nbuckets, sizeof(*p->buckets));
}

static struct prep_change *
prep_find(struct prep *p, const char *path, uint64_t h)
{
	struct prep_change	*c;

	for (c = p->buckets[h & (p->nbuckets - 1)]; c != NULL; c = c->hnext)
		if (c->hash == h && strcmp(c->path, path) == 0)
			return c;
	return NULL;
}

static void
prep_unhash(struct prep *p, struct prep_change *c)
{
	struct prep_change	**pp;

	for (pp = &p->buckets[c->hash & (p->nbuckets - 1)]; *pp != NULL;
	    pp = &(*pp)->hnext)
		if (*pp == c) {
			*pp = c->hnext;
			return;
		}
}

static void
prep_hash_put(struct prep *p, struct prep_change *c)
{
	struct prep_change	*old;

	if ((old = prep_find(p, c->path, c->hash)) != NULL)
		prep_unhash(p, old);
	c->hnext = p->buckets[c->hash & (p->nbuckets - 1)];
	p->buckets[c->hash & (p->nbuckets - 1)] = c;
}

static void
prep_change_free(struct prep *p, struct prep_change *c)
{
	TAILQ_REMOVE(&p->changes, c, entry);
	p->nchanges--;
	proto_acl_list_free(&c->acl);
	free(c);
}

void
prep_free(struct prep *p)
{
	struct prep_change	*c;

	while ((c = TAILQ_FIRST(&p->changes)) != NULL) {
		prep_unhash(p, c);
		prep_change_free(p, c);
	}
	free(p->buckets);
	p->buckets = NULL;
}

/* Drops the change records of txns up to zxid: the tree has them now. */
void
prep_applied(struct prep *p, int64_t zxid)
{
	struct prep_change	*c;

	while ((c = TAILQ_FIRST(&p->changes)) != NULL && c->zxid <= zxid) {
		if (prep_find(p, c->path, c->hash) == c)
			prep_unhash(p, c);
		prep_change_free(p, c);
		p->removed++;
	}
}

/* Undoes the records a failed multi added (PrepRequestProcessor.rollback). */
static void
prep_rollback(struct prep *p, int64_t zxid)
{
	struct prep_change	*c, *older;

	while ((c = TAILQ_LAST(&p->changes, prep_change_list)) != NULL &&
	    c->zxid == zxid) {
		if (prep_find(p, c->path, c->hash) == c) {
			prep_unhash(p, c);
			/* The newest older record of the path becomes current. */
			for (older = TAILQ_PREV(c, prep_change_list, entry);
			    older != NULL;
			    older = TAILQ_PREV(older, prep_change_list, entry))
				if (older->hash == c->hash &&
				    strcmp(older->path, c->path) == 0) {
					prep_hash_put(p, older);
					break;
				}
		}
		prep_change_free(p, c);
	}
}

/* Looks a path up; ZERR_OK with *v filled, or ZERR_NONODE. */
static int
prep_record(struct prep *p, const char *path, struct prep_view *v)
{
	struct prep_change	*c;
	struct tree_node	*n;

	if ((c = prep_find(p, path, util_hash(path, strlen(path)))) != NULL) {
		if (!c->exists)
			return ZERR_NONODE;
		v->stat = c->stat;
		v->nchildren = c->nchildren;
		v->acl = &c->acl;
		return ZERR_OK;
	}
	if ((n = tree_lookup(p->tree, path)) == NULL)
		return ZERR_NONODE;
	tree_node_stat(n, &v->stat);
	v->nchildren = n->nchildren;
	v->acl = tree_node_acl(p->tree, n);
	return ZERR_OK;
}

/* Records the pending state of path (v NULL: it will not exist). */
static void
prep_add(struct prep *p, int64_t zxid, const char *path,
    const struct prep_view *v)
{
	struct prep_change	*c;
	size_t			 len = strlen(path);

	c = xcalloc(1, sizeof(*c) + len + 1);
	memcpy(c->path, path, len + 1);
	c->hash = util_hash(path, strlen(path));
	c->zxid = zxid;
	if (v != NULL) {
		c->exists = 1;
		c->stat = v->stat;
		c->nchildren = v->nchildren;
		proto_acl_list_copy(&c->acl, v->acl);
	}
	TAILQ_INSERT_TAIL(&p->changes, c, entry);
	p->nchanges++;
	p->queued++;
	prep_hash_put(p, c);
}

/* Decodes one UTF-8 sequence; returns its length, or -1 if malformed. */
static int
prep_utf8(const unsigned char *s, uint32_t *cp)
{
	int	 n, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		*cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		*cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		*cp = s[0] & 0x07;
	} else
		return -1;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		*cp = (*cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 2 && *cp < 0x80) || (n == 3 && *cp < 0x800) ||
	    (n == 4 && *cp < 0x10000))
		return -1;
	return n;
}

/*
 * Whether a path is valid (PathUtils.validatePath): absolute, no trailing
 * or doubled slash, no "." or ".." component, and no character ZooKeeper
 * refuses (controls, U+007F-U+009F, U+D800-U+F8FF, U+FFF0 and above,
 * anything outside the BMP, malformed UTF-8).  Returns 0 or -1.
 */
int
prep_validate_path(const char *path)
{
	const unsigned char	*s = (const unsigned char *)path;
	size_t			 len = strlen(path), i;
	uint32_t		 cp;
	int			 n;

	if (len == 0 || path[0] != '/')
		return -1;
	if (len == 1)
		return 0;
	if (path[len - 1] == '/')
		return -1;
	for (i = 1; i < len; i += (size_t)n) {
		if ((n = prep_utf8(s + i, &cp)) == -1)
			return -1;
		if (cp == '/' && s[i - 1] == '/')
			return -1;
		if (cp == '.' && s[i - 1] == '/' &&
		    (s[i + 1] == '\0' || s[i + 1] == '/'))
			return -1;
		if (cp == '.' && s[i - 1] == '.' && i >= 2 && s[i - 2] == '/' &&
		    (s[i + 1] == '\0' || s[i + 1] == '/'))
			return -1;
		if ((cp >= 0x01 && cp <= 0x1f) || (cp >= 0x7f && cp <= 0x9f) ||
		    (cp >= 0xd800 && cp <= 0xf8ff) || cp >= 0xfff0)
			return -1;
	}
	return 0;
}

static int
prep_check_session(struct prep *p, int64_t id)
{
	struct session	*s;

	if (p->sessions == NULL)
		return ZERR_OK;
	if ((s = session_lookup(p->sessions, id)) == NULL)
		return ZERR_UNKNOWNSESSION;
	if (s->closing)
		return ZERR_SESSIONEXPIRED;
	return ZERR_OK;
}

static int
prep_check_acl(struct prep *p, const struct zk_acl_list *acl, int32_t perm,
    const struct acl_ids *ids)
{
	return acl_check(acl, perm, ids, p->skip_acl);
}

static int
prep_check_version(int32_t current, int32_t expected, int32_t *next)
{
	if (expected != -1 && expected != current)
		return ZERR_BADVERSION;
	*next = current + 1;
	return ZERR_OK;
}

/* The parent part of a path ("" for "/x"), or NULL if there is none. */
static char *
prep_parent(const char *path)
{
	const char	*slash;

	if ((slash = strrchr(path, '/')) == NULL)
		return NULL;
	return xstrndup(path, (size_t)(slash - path));
}

static int
prep_create_mode(int32_t flags, int *ephemeral, int *sequential, int *ttl,
    int *container)
{
	if (flags < ZCREATE_PERSISTENT ||
	    flags > ZCREATE_PERSISTENT_SEQUENTIAL_WITH_TTL)
		return ZERR_BADARGUMENTS;
	*ephemeral = flags == ZCREATE_EPHEMERAL ||
	    flags == ZCREATE_EPHEMERAL_SEQUENTIAL;
	*sequential = flags == ZCREATE_PERSISTENT_SEQUENTIAL ||
	    flags == ZCREATE_EPHEMERAL_SEQUENTIAL ||
	    flags == ZCREATE_PERSISTENT_SEQUENTIAL_WITH_TTL;
	*ttl = flags == ZCREATE_PERSISTENT_WITH_TTL ||
	    flags == ZCREATE_PERSISTENT_SEQUENTIAL_WITH_TTL;
	*container = flags == ZCREATE_CONTAINER;
	return ZERR_OK;
}

struct prep_ctx {
	struct prep		*p;
	const struct acl_ids	*ids;
	int64_t			 session_id;
	int64_t			 zxid;
	int64_t			 time;
};

static int
prep_create(struct prep_ctx *x, const struct proto_op *op, int32_t type,
    struct txn_op *out)
{
	struct prep		*p = x->p;
	struct prep_view	 parent, node;
	struct zk_acl_list	 acl = { 0, NULL };
	char			*parent_path = NULL, *path = NULL;
	int			 ephemeral, sequential, ttl, container, err;
	int64_t			 ttlv = op->ttl;
	int64_t			 owner = 0;
	size_t			 len;

	if ((err = prep_create_mode(op->flags, &ephemeral, &sequential, &ttl,
	    &container)) != ZERR_OK)
		return err;
	if (ttl && !p->extended_types)
		return ZERR_UNIMPLEMENTED;
	/* createTTL with other flags cannot make a TTL node: refused. */
	if (type == ZOP_CREATETTL && !ttl)
		return ZERR_BADARGUMENTS;
	if (ttl ? (ttlv <= 0 || ttlv > EOWNER_TTL_MAX) : ttlv >= 0)
		return ZERR_BADARGUMENTS;
	if ((err = prep_check_session(p, x->session_id)) != ZERR_OK)
		return err == ZERR_UNKNOWNSESSION && ephemeral ?
		    ZERR_SESSIONEXPIRED : err;
	if (op->bad_path || (parent_path = prep_parent(op->path)) == NULL)
		return ZERR_BADARGUMENTS;
	if ((err = acl_fixup(&op->acl, x->ids, &acl)) != ZERR_OK)
		goto done;
	if ((err = prep_record(p, parent_path, &parent)) != ZERR_OK)
		goto done;
	if ((err = prep_check_acl(p, parent.acl, ZPERM_CREATE, x->ids)) !=
	    ZERR_OK)
		goto done;
	len = strlen(op->path);
	path = xmalloc(len + 16);
	memcpy(path, op->path, len + 1);
	if (sequential)
		snprintf(path + len, 16, "%010d", parent.stat.cversion);
	if (prep_validate_path(path) == -1) {
		err = ZERR_BADARGUMENTS;
		goto done;
	}
	if (prep_record(p, path, &node) == ZERR_OK) {
		err = ZERR_NODEEXISTS;
		goto done;
	}
	if (tree_owner_kind(p->tree, parent.stat.ephemeral_owner) ==
	    TREE_KIND_EPHEMERAL) {
		err = ZERR_NOCHILDRENFOREPHEMERALS;
		goto done;
	}

	/* The txn: its type is the opcode's (create2 stays create2). */
	out->type = type;
	out->path = path;
	path = NULL;
	if (op->data_len > 0) {
		out->data = xmemdup(op->data, (size_t)op->data_len);
		out->data_len = op->data_len;
	} else
		out->data_len = op->data_len < 0 ? -1 : 0;
	out->acl = acl;
	acl.n = 0;
	acl.v = NULL;
	out->parent_cversion = parent.stat.cversion + 1;
	if (type == ZOP_CREATECONTAINER)
		owner = EOWNER_CONTAINER;
	else if (type == ZOP_CREATETTL) {
		out->ttl = ttlv;
		owner = EOWNER_EXTENDED_MASK | ttlv;
	} else if (ephemeral) {
		out->ephemeral = 1;
		owner = x->session_id;
	}

	parent.nchildren++;
	parent.stat.cversion = out->parent_cversion;
	parent.stat.pzxid = x->zxid;
	prep_add(p, x->zxid, parent_path, &parent);
	memset(&node, 0, sizeof(node));
	node.stat.czxid = node.stat.mzxid = node.stat.pzxid = x->zxid;
	node.stat.ctime = node.stat.mtime = x->time;
	node.stat.ephemeral_owner = owner;
	node.acl = &out->acl;
	prep_add(p, x->zxid, out->path, &node);
	err = ZERR_OK;
done:
	proto_acl_list_free(&acl);
	free(parent_path);
	free(path);
	return err;
}

static int
prep_delete(struct prep_ctx *x, const struct proto_op *op, int32_t type,
    struct txn_op *out)
{
	struct prep		*p = x->p;
	struct prep_view	 parent, node;
	char			*parent_path;
	int32_t			 next;
	int			 err;

	if (type == ZOP_DELETE &&
	    (err = prep_check_session(p, x->session_id)) != ZERR_OK)
		return err;
	if (op->bad_path || tree_is_special(op->path) ||
	    (parent_path = prep_parent(op->path)) == NULL)
		return ZERR_BADARGUMENTS;
	if (type == ZOP_DELETECONTAINER) {
		/* Internal: a container or TTL node that has lost its use. */
		if ((err = prep_record(p, op->path, &node)) != ZERR_OK)
			goto done;
		if (node.nchildren > 0) {
			err = ZERR_NOTEMPTY;
			goto done;
		}
		if (tree_owner_kind(p->tree, node.stat.ephemeral_owner) ==
		    TREE_KIND_EPHEMERAL ||
		    node.stat.ephemeral_owner == 0) {
			err = ZERR_BADVERSION;
			goto done;
		}
		if ((err = prep_record(p, parent_path, &parent)) != ZERR_OK)
			goto done;
	} else {
		if ((err = prep_record(p, parent_path, &parent)) != ZERR_OK)
			goto done;
		if ((err = prep_check_acl(p, parent.acl, ZPERM_DELETE,
		    x->ids)) != ZERR_OK)
			goto done;
		if ((err = prep_record(p, op->path, &node)) != ZERR_OK)
			goto done;
		if ((err = prep_check_version(node.stat.version, op->version,
		    &next)) != ZERR_OK)
			goto done;
		if (node.nchildren > 0) {
			err = ZERR_NOTEMPTY;
			goto done;
		}
	}
	out->type = type;
	out->path = xstrdup(op->path);
	parent.nchildren--;
	parent.stat.pzxid = x->zxid;
	prep_add(p, x->zxid, parent_path, &parent);
	prep_add(p, x->zxid, op->path, NULL);
done:
	free(parent_path);
	return err;
}

static int
prep_set_data(struct prep_ctx *x, const struct proto_op *op,
    struct txn_op *out)
{
	struct prep		*p = x->p;
	struct prep_view	 node;
	int32_t			 next;
	int			 err;

	if ((err = prep_check_session(p, x->session_id)) != ZERR_OK)
		return err;
	if (op->bad_path || prep_validate_path(op->path) == -1)
		return ZERR_BADARGUMENTS;
	if ((err = prep_record(p, op->path, &node)) != ZERR_OK)
		return err;
	if ((err = prep_check_acl(p, node.acl, ZPERM_WRITE, x->ids)) != ZERR_OK)
		return err;
	if ((err = prep_check_version(node.stat.version, op->version,
	    &next)) != ZERR_OK)
		return err;
	out->type = ZOP_SETDATA;
	out->path = xstrdup(op->path);
	if (op->data_len > 0) {
		out->data = xmemdup(op->data, (size_t)op->data_len);
		out->data_len = op->data_len;
	} else
		out->data_len = op->data_len < 0 ? -1 : 0;
	out->version = next;
	node.stat.version = next;
	node.stat.mtime = x->time;
	node.stat.mzxid = x->zxid;
	node.stat.data_length = out->data_len > 0 ? out->data_len : 0;
	prep_add(p, x->zxid, op->path, &node);
	return ZERR_OK;
}

static int
prep_set_acl(struct prep_ctx *x, const struct proto_op *op,
    struct txn_op *out)
{
	struct prep		*p = x->p;
	struct prep_view	 node;
	struct zk_acl_list	 acl;
	int32_t			 next;
	int			 err;

	if ((err = prep_check_session(p, x->session_id)) != ZERR_OK)
		return err;
	if (op->bad_path || prep_validate_path(op->path) == -1)
		return ZERR_BADARGUMENTS;
	if ((err = acl_fixup(&op->acl, x->ids, &acl)) != ZERR_OK)
		return err;
	if ((err = prep_record(p, op->path, &node)) != ZERR_OK ||
	    (err = prep_check_acl(p, node.acl, ZPERM_ADMIN, x->ids)) !=
	    ZERR_OK ||
	    (err = prep_check_version(node.stat.aversion, op->version,
	    &next)) != ZERR_OK) {
		proto_acl_list_free(&acl);
		return err;
	}
	out->type = ZOP_SETACL;
	out->path = xstrdup(op->path);
	out->acl = acl;
	out->version = next;
	node.stat.aversion = next;
	node.acl = &out->acl;
	prep_add(p, x->zxid, op->path, &node);
	return ZERR_OK;
}

static int
prep_check(struct prep_ctx *x, const struct proto_op *op, struct txn_op *out)
{
	struct prep		*p = x->p;
	struct prep_view	 node;
	int32_t			 next;
	int			 err;

	if ((err = prep_check_session(p, x->session_id)) != ZERR_OK)
		return err;
	if (op->bad_path || prep_validate_path(op->path) == -1)
		return ZERR_BADARGUMENTS;
	if ((err = prep_record(p, op->path, &node)) != ZERR_OK)
		return err;
	if ((err = prep_check_acl(p, node.acl, ZPERM_READ, x->ids)) != ZERR_OK)
		return err;
	if ((err = prep_check_version(node.stat.version, op->version,
	    &next)) != ZERR_OK)
		return err;
	out->type = ZOP_CHECK;
	out->path = xstrdup(op->path);
	out->version = next;
	return ZERR_OK;
}

/* One write op into out (pRequest2Txn); returns a ZooKeeper error code. */
static int
prep_op(struct prep_ctx *x, const struct proto_op *op, int32_t type,
    struct txn_op *out)
{
	switch (type) {
	case ZOP_CREATE:
	case ZOP_CREATE2:
	case ZOP_CREATECONTAINER:
	case ZOP_CREATETTL:
		return prep_create(x, op, type, out);
	case ZOP_DELETE:
	case ZOP_DELETECONTAINER:
		return prep_delete(x, op, type, out);
	case ZOP_SETDATA:
		return prep_set_data(x, op, out);
	case ZOP_SETACL:
		return prep_set_acl(x, op, out);
	case ZOP_CHECK:
		return prep_check(x, op, out);
	default:
		return ZERR_UNIMPLEMENTED;
	}
}

static void
prep_fail(struct txn_op *out, int err)
{
	txn_op_clear(out);
	out->type = ZOP_ERROR;
	out->err = err;
}

static void
prep_multi(struct prep_ctx *x, struct request *r)
{
	const struct proto_op	*op;
	struct txn_op		*out;
	int32_t			 i, type;
	int			 err, failed = 0;

	for (i = 0; i < r->req.nops; i++) {
		op = &r->req.ops[i];
		out = txn_add_sub(r->txn);
		if (failed) {
			prep_fail(out, ZERR_RUNTIMEINCONSISTENCY);
			continue;
		}
		/*
		 * Op.create picks the opcode from the flags, whatever the
		 * client sent: create2 runs as create, and so on.
		 */
		type = op->type;
		if (type == ZOP_CREATE || type == ZOP_CREATE2 ||
		    type == ZOP_CREATECONTAINER || type == ZOP_CREATETTL)
			type = op->flags == ZCREATE_CONTAINER ?
			    ZOP_CREATECONTAINER :
			    (op->flags == ZCREATE_PERSISTENT_WITH_TTL ||
			    op->flags == ZCREATE_PERSISTENT_SEQUENTIAL_WITH_TTL) ?
			    ZOP_CREATETTL : ZOP_CREATE;
		if ((err = prep_op(x, op, type, out)) != ZERR_OK) {
			prep_fail(out, err);
			failed = 1;
			prep_rollback(x->p, x->zxid);
		}
	}
}

static void
prep_close_session(struct prep_ctx *x, struct request *r)
{
	struct prep		*p = x->p;
	struct prep_change	*c;
	struct tree_owner	*o;
	struct tree_node	*n;
	struct zk_strings	*paths = &r->txn->op.paths;
	int32_t			 i, j;

	/* The session's ephemerals, as they will be once pending txns apply. */
	if ((o = tree_owner_find(p->tree, x->session_id)) != NULL) {
		paths->v = xcalloc(o->count + 1, sizeof(*paths->v));
		TAILQ_FOREACH(n, &o->nodes, olink)
			paths->v[paths->n++] = xstrdup(n->path);
	}
	TAILQ_FOREACH(c, &p->changes, entry) {
		for (i = 0; i < paths->n; i++)
			if (strcmp(paths->v[i], c->path) == 0)
				break;
		if (!c->exists && i < paths->n) {
			free(paths->v[i]);
			for (j = i + 1; j < paths->n; j++)
				paths->v[j - 1] = paths->v[j];
			paths->n--;
		} else if (c->exists && i == paths->n &&
		    c->stat.ephemeral_owner == x->session_id) {
			paths->v = xreallocarray(paths->v, (size_t)paths->n + 2,
			    sizeof(*paths->v));
			paths->v[paths->n++] = xstrdup(c->path);
		}
	}
	r->txn->op.has_paths = 1;
	for (i = 0; i < paths->n; i++)
		prep_add(p, x->zxid, paths->v[i], NULL);
	if (p->sessions != NULL)
		session_set_closing(p->sessions, x->session_id);
}

/*
 * Prepares a request: writes get r->txn (possibly an error txn) with the
 * next zxid; reads get r->err from the session check.  wall is the wall
 * clock (txn time), now the monotonic clock (session expiry).
 */
void
prep_request(struct prep *p, struct request *r, int64_t wall, int64_t now)
{
	struct prep_ctx		 x;
	int			 err;

	x.p = p;
	/* A learner's request carries its client's ids in r->ids. */
	x.ids = r->client != NULL ? &r->client->ids : &r->ids;
	x.session_id = r->session_id;
	x.time = wall;
	r->err = ZERR_OK;
	if (!proto_is_write(r->type)) {
		r->err = prep_check_session(p, r->session_id);
		return;
	}
	x.zxid = ++p->last_zxid;
	r->txn = txn_new(r->session_id, r->xid, x.zxid, wall, r->type);
	switch (r->type) {
	case ZOP_MULTI:
		prep_multi(&x, r);
		return;
	case ZOP_CREATESESSION:
		r->txn->op.timeout = r->timeout;
		if (p->sessions != NULL)
			session_track(p->sessions, r->session_id, r->timeout,
			    now);
		return;
	case ZOP_CLOSESESSION:
		prep_close_session(&x, r);
		return;
	case ZOP_RECONFIG:
		/* A standalone server: disabled, or not a leader. */
		err = p->reconfig_enabled ? ZERR_UNIMPLEMENTED :
		    ZERR_RECONFIGDISABLED;
		break;
	default:
		err = prep_op(&x, &r->req.op, r->type, &r->txn->op);
		break;
	}
	if (err != ZERR_OK)
		prep_fail(&r->txn->op, err);
}
