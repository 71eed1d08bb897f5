/* SPDX-License-Identifier: ISC */
/*
 * tree.c: the znode tree (state layer).  See tree.h.
 *
 * Invariants, checked by tree_check in the unit tests:
 * - every node but the root is in its parent's children and in the hash;
 * - parent->nchildren equals the size of its children tree;
 * - a node is on its owner's list iff its ephemeral_owner is a session,
 *   on the container list iff it is a container, on the ttl list iff TTL;
 * - data_size is the sum of path_len + data_len over all nodes.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "tree.h"
#include "util.h"
#include "xmalloc.h"

int	 tree_owner_cmp(struct tree_owner *, struct tree_owner *);
RB_GENERATE(tree_owners, tree_owner, entry, tree_owner_cmp)

int	 tree_child_cmp(struct tree_node *, struct tree_node *);
RB_GENERATE(tree_children, tree_node, sib, tree_child_cmp)

#define QUOTA_ROOT	"/zookeeper/quota"
#define QUOTA_LIMITS	"zookeeper_limits"
#define QUOTA_STATS	"zookeeper_stats"

static void	 tree_index_add(struct tree *, struct tree_node *);
static void	 tree_quota_changed(struct tree *, const char *, int64_t,
		    int64_t);
static void	 tree_quota_node_added(struct tree *, struct tree_node *);
static void	 tree_quota_node_removed(struct tree *, const char *,
		    const char *);

static const char *tree_special[] = {
	"/", "/zookeeper", "/zookeeper/quota", "/zookeeper/config"
};

int
tree_child_cmp(struct tree_node *a, struct tree_node *b)
{
	return strcmp(TREE_NODE_NAME(a), TREE_NODE_NAME(b));
}

int
tree_owner_cmp(struct tree_owner *a, struct tree_owner *b)
{
	return a->session_id < b->session_id ? -1 :
	    a->session_id > b->session_id;
}

static void
tree_rehash(struct tree *t)
{
	struct tree_node	**nb, *n, *next;
	size_t			  nsize, i;

	nsize = t->nbuckets ? t->nbuckets * 2 : 1024;
	nb = xcalloc(nsize, sizeof(*nb));
	for (i = 0; i < t->nbuckets; i++)
		for (n = t->buckets[i]; n != NULL; n = next) {
			next = n->hnext;
			n->hnext = nb[n->hash & (nsize - 1)];
			nb[n->hash & (nsize - 1)] = n;
		}
	free(t->buckets);
	t->buckets = nb;
	t->nbuckets = nsize;
}

static struct tree_node *
tree_find(const struct tree *t, const char *path, size_t len)
{
	struct tree_node	*n;
	uint64_t		 h;

	if (len == 0)
		return t->root;
	h = util_hash(path, len);
	for (n = t->buckets[h & (t->nbuckets - 1)]; n != NULL; n = n->hnext)
		if (n->hash == h && n->path_len == len &&
		    memcmp(n->path, path, len) == 0)
			return n;
	return NULL;
}

/* The node at path ("" is the root too), or NULL. */
struct tree_node *
tree_lookup(const struct tree *t, const char *path)
{
	return tree_find(t, path, strlen(path));
}

static struct tree_node *
tree_node_new(const char *path, size_t len)
{
	struct tree_node	*n;
	const char		*slash;

	n = xcalloc(1, sizeof(*n) + len + 1);
	memcpy(n->path, path, len);
	n->path[len] = '\0';
	n->path_len = (uint32_t)len;
	slash = strrchr(n->path, '/');
	n->name_off = slash != NULL ? (uint32_t)(slash - n->path) + 1 : 0;
	n->hash = util_hash(n->path, len);
	n->acl = ACL_OPEN_UNSAFE;
	RB_INIT(&n->children);
	return n;
}

static void
tree_hash_insert(struct tree *t, struct tree_node *n)
{
	if (t->nnodes >= t->nbuckets)
		tree_rehash(t);
	n->hnext = t->buckets[n->hash & (t->nbuckets - 1)];
	t->buckets[n->hash & (t->nbuckets - 1)] = n;
	t->nnodes++;
	t->data_size += n->path_len + n->data_len;
}

static void
tree_hash_remove(struct tree *t, struct tree_node *n)
{
	struct tree_node	**pp;

	for (pp = &t->buckets[n->hash & (t->nbuckets - 1)]; *pp != n;
	    pp = &(*pp)->hnext)
		if (*pp == NULL)
			fatalx("tree: %s not in its hash chain", n->path);
	*pp = n->hnext;
	t->nnodes--;
	t->data_size -= n->path_len + n->data_len;
}

/* Adds a system node (empty data, open ACL) under its parent. */
static struct tree_node *
tree_add_system(struct tree *t, const char *path)
{
	struct tree_node	*n, *parent;
	const char		*slash = strrchr(path, '/');

	n = tree_node_new(path, strlen(path));
	parent = tree_find(t, path, (size_t)(slash - path));
	n->parent = parent;
	RB_INSERT(tree_children, &parent->children, n);
	parent->nchildren++;
	tree_hash_insert(t, n);
	return n;
}

/*
 * A tree as a fresh ZooKeeper's: /, /zookeeper, /zookeeper/quota and
 * /zookeeper/config (read-only for the world).  extended: TTL nodes are
 * understood (zookeeper.extendedTypesEnabled).
 */
struct tree *
tree_new(int extended)
{
	struct tree		*t;
	struct tree_node	*config;

	t = xcalloc(1, sizeof(*t));
	t->acls = acl_cache_new();
	t->extended_types = extended;
	RB_INIT(&t->owners);
	TAILQ_INIT(&t->containers);
	TAILQ_INIT(&t->ttls);
	tree_rehash(t);
	t->root = tree_node_new("/", 1);
	tree_hash_insert(t, t->root);
	tree_add_system(t, "/zookeeper");
	tree_add_system(t, "/zookeeper/quota");
	config = tree_add_system(t, "/zookeeper/config");
	config->acl = acl_cache_intern(t->acls, acl_read_unsafe());
	config->aversion = -1;	/* set by setACL(..., -1) in ZooKeeper */
	return t;
}

/* A tree with no node at all, to be filled by tree_load_node. */
struct tree *
tree_new_empty(int extended)
{
	struct tree	*t;

	t = xcalloc(1, sizeof(*t));
	t->acls = acl_cache_new();
	t->extended_types = extended;
	RB_INIT(&t->owners);
	TAILQ_INIT(&t->containers);
	TAILQ_INIT(&t->ttls);
	tree_rehash(t);
	return t;
}

/*
 * Adds a node read from a snapshot: path "" is the root and comes first;
 * every other node's parent must be there already.  from carries the
 * data, ACL number and persisted stat.  No watch fires, no quota moves.
 * Returns 0, or -1 if the parent is missing, the node exists, or the ACL
 * number is unknown.
 */
int
tree_load_node(struct tree *t, const char *path, const struct tree_node *from)
{
	struct tree_node	*n, *parent = NULL;
	const char		*slash;
	size_t			 plen = strlen(path);

	if (from->acl != ACL_OPEN_UNSAFE &&
	    acl_cache_get(t->acls, from->acl) == NULL)
		return -1;
	if (plen == 0) {
		if (t->root != NULL)
			return -1;
		n = tree_node_new("/", 1);
	} else {
		if (t->root == NULL || path[0] != '/' ||
		    (slash = strrchr(path, '/')) == NULL ||
		    (parent = tree_find(t, path, (size_t)(slash - path))) ==
		    NULL || tree_find(t, path, plen) != NULL)
			return -1;
		n = tree_node_new(path, plen);
	}
	if (from->data_len > 0) {
		n->data = xmemdup(from->data, (size_t)from->data_len);
		n->data_len = from->data_len;
	}
	n->null_data = from->data_len < 0;
	n->acl = from->acl;
	acl_cache_ref(t->acls, n->acl);
	n->czxid = from->czxid;
	n->mzxid = from->mzxid;
	n->ctime = from->ctime;
	n->mtime = from->mtime;
	n->version = from->version;
	n->cversion = from->cversion;
	n->aversion = from->aversion;
	n->ephemeral_owner = from->ephemeral_owner;
	n->pzxid = from->pzxid;
	if (parent == NULL) {
		t->root = n;
		tree_hash_insert(t, n);
		return 0;
	}
	n->parent = parent;
	RB_INSERT(tree_children, &parent->children, n);
	parent->nchildren++;
	tree_hash_insert(t, n);
	tree_index_add(t, n);
	return 0;
}

/*
 * Finishes a loaded tree: drops ACLs no node uses, adds any system node
 * an older snapshot lacks, rebuilds quotas.  Returns -1 without a root.
 */
int
tree_load_end(struct tree *t)
{
	struct tree_node	*config;

	if (t->root == NULL)
		return -1;
	if (tree_lookup(t, "/zookeeper") == NULL)
		tree_add_system(t, "/zookeeper");
	if (tree_lookup(t, "/zookeeper/quota") == NULL)
		tree_add_system(t, "/zookeeper/quota");
	if (tree_lookup(t, "/zookeeper/config") == NULL) {
		config = tree_add_system(t, "/zookeeper/config");
		config->acl = acl_cache_intern(t->acls, acl_read_unsafe());
		config->aversion = -1;
	}
	acl_cache_purge_unused(t->acls);
	tree_setup_quotas(t);
	return 0;
}

static void
tree_node_free(struct tree_node *n)
{
	free(n->data);
	free(n);
}

void
tree_free(struct tree *t)
{
	struct tree_node	*n, *next;
	struct tree_owner	*o;
	size_t			 i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nbuckets; i++)
		for (n = t->buckets[i]; n != NULL; n = next) {
			next = n->hnext;
			tree_node_free(n);
		}
	while ((o = RB_ROOT(&t->owners)) != NULL) {
		RB_REMOVE(tree_owners, &t->owners, o);
		free(o);
	}
	free(t->buckets);
	for (i = 0; i < t->nquotas; i++)
		free(t->quotas[i]);
	free(t->quotas);
	acl_cache_free(t->acls);
	free(t);
}

/* Whether a path is one ZooKeeper forbids deleting. */
int
tree_is_special(const char *path)
{
	size_t	 i;

	for (i = 0; i < sizeof(tree_special) / sizeof(tree_special[0]); i++)
		if (strcmp(path, tree_special[i]) == 0)
			return 1;
	return 0;
}

/* The kind an ephemeralOwner value stands for (EphemeralType.get). */
enum tree_kind
tree_owner_kind(const struct tree *t, int64_t owner)
{
	if (t->extended_types &&
	    (owner & EOWNER_EXTENDED_MASK) == EOWNER_EXTENDED_MASK &&
	    (owner & EOWNER_RESERVED_MASK) == 0)
		return TREE_KIND_TTL;
	if (owner == EOWNER_CONTAINER)
		return TREE_KIND_CONTAINER;
	return owner == 0 ? TREE_KIND_PERSISTENT : TREE_KIND_EPHEMERAL;
}

/* The TTL in milliseconds a TTL node's ephemeralOwner carries. */
int64_t
tree_ttl_of(int64_t owner)
{
	return owner & EOWNER_TTL_MAX;
}

void
tree_node_stat(const struct tree_node *n, struct zk_stat *st)
{
	st->czxid = n->czxid;
	st->mzxid = n->mzxid;
	st->ctime = n->ctime;
	st->mtime = n->mtime;
	st->version = n->version;
	st->cversion = n->cversion;
	st->aversion = n->aversion;
	st->ephemeral_owner = n->ephemeral_owner;
	st->data_length = n->data_len;
	st->num_children = n->nchildren;
	st->pzxid = n->pzxid;
}

/*
 * The stat a client sees (DataNode.copyStat): cversion counts changes, not
 * creations (every creation but those of present children had a delete),
 * and containers and TTL nodes show no ephemeral owner.
 */
void
tree_client_stat(const struct tree *t, struct zk_stat *st)
{
	st->cversion = st->cversion * 2 - st->num_children;
	if (tree_owner_kind(t, st->ephemeral_owner) != TREE_KIND_EPHEMERAL)
		st->ephemeral_owner = 0;
}

/* A node's ACL list; a number the cache lacks is a broken invariant. */
const struct zk_acl_list *
tree_node_acl(const struct tree *t, const struct tree_node *n)
{
	const struct zk_acl_list	*l;

	if ((l = acl_cache_get(t->acls, n->acl)) == NULL)
		fatalx("tree: no ACL %lld for %s", (long long)n->acl, n->path);
	return l;
}

struct tree_owner *
tree_owner_find(const struct tree *t, int64_t session_id)
{
	struct tree_owner	 key;

	key.session_id = session_id;
	return RB_FIND(tree_owners, (struct tree_owners *)&t->owners, &key);
}

static void
tree_index_add(struct tree *t, struct tree_node *n)
{
	struct tree_owner	*o;

	switch (tree_owner_kind(t, n->ephemeral_owner)) {
	case TREE_KIND_PERSISTENT:
		break;
	case TREE_KIND_CONTAINER:
		TAILQ_INSERT_TAIL(&t->containers, n, olink);
		break;
	case TREE_KIND_TTL:
		TAILQ_INSERT_TAIL(&t->ttls, n, olink);
		break;
	case TREE_KIND_EPHEMERAL:
		if ((o = tree_owner_find(t, n->ephemeral_owner)) == NULL) {
			o = xcalloc(1, sizeof(*o));
			o->session_id = n->ephemeral_owner;
			TAILQ_INIT(&o->nodes);
			RB_INSERT(tree_owners, &t->owners, o);
		}
		TAILQ_INSERT_TAIL(&o->nodes, n, olink);
		o->count++;
		t->nephemerals++;
		break;
	}
}

static void
tree_index_remove(struct tree *t, struct tree_node *n)
{
	struct tree_owner	*o;

	switch (tree_owner_kind(t, n->ephemeral_owner)) {
	case TREE_KIND_PERSISTENT:
		break;
	case TREE_KIND_CONTAINER:
		TAILQ_REMOVE(&t->containers, n, olink);
		break;
	case TREE_KIND_TTL:
		TAILQ_REMOVE(&t->ttls, n, olink);
		break;
	case TREE_KIND_EPHEMERAL:
		if ((o = tree_owner_find(t, n->ephemeral_owner)) == NULL)
			fatalx("tree: ephemeral %s has no owner 0x%llx",
			    n->path, (unsigned long long)n->ephemeral_owner);
		TAILQ_REMOVE(&o->nodes, n, olink);
		t->nephemerals--;
		if (--o->count == 0) {
			RB_REMOVE(tree_owners, &t->owners, o);
			free(o);
		}
		break;
	}
}

static void
tree_fire(struct tree *t, enum watch_table which, const char *path,
    int32_t type, uint64_t gen, const struct tree_node *about)
{
	if (t->watches != NULL)
		watch_trigger(t->watches, which, path, type, gen,
		    tree_node_acl(t, about));
}

static uint64_t
tree_gen(struct tree *t)
{
	return t->watches != NULL ? watch_new_gen(t->watches) : 0;
}

/*
 * Creates a node (DataTree.createNode).  parent_cversion -1 means "one
 * more than now"; the parent's cversion and pzxid move only forward.
 * Fills *out (if not NULL) with the new node's stat.
 */
int
tree_create(struct tree *t, const char *path, const void *data, int32_t len,
    const struct zk_acl_list *acl, int64_t owner, int32_t parent_cversion,
    int64_t zxid, int64_t time, struct zk_stat *out)
{
	struct tree_node	*parent, *n;
	const char		*slash;
	size_t			 plen = strlen(path);

	if ((slash = strrchr(path, '/')) == NULL)
		return ZERR_NONODE;
	if ((parent = tree_find(t, path, (size_t)(slash - path))) == NULL)
		return ZERR_NONODE;
	if (tree_find(t, path, plen) != NULL)
		return ZERR_NODEEXISTS;
	n = tree_node_new(path, plen);
	if (len > 0) {
		n->data = xmemdup(data, (size_t)len);
		n->data_len = len;
	}
	n->null_data = len < 0;
	n->acl = acl_cache_intern(t->acls, acl);
	n->czxid = n->mzxid = n->pzxid = zxid;
	n->ctime = n->mtime = time;
	n->ephemeral_owner = owner;
	n->parent = parent;
	if (parent_cversion == -1)
		parent_cversion = parent->cversion + 1;
	if (parent_cversion > parent->cversion) {
		parent->cversion = parent_cversion;
		parent->pzxid = zxid;
	}
	if (RB_INSERT(tree_children, &parent->children, n) != NULL)
		fatalx("tree: %s already a child", path);
	parent->nchildren++;
	tree_hash_insert(t, n);
	tree_index_add(t, n);
	if (out != NULL)
		tree_node_stat(n, out);
	tree_quota_node_added(t, n);
	tree_quota_changed(t, path, len > 0 ? len : 0, 1);
	ns_stats_add(t->ns, 1, path, len > 0 ? len : 0);
	tree_fire(t, WATCH_DATA, path, ZEV_NODE_CREATED, tree_gen(t), n);
	tree_fire(t, WATCH_CHILD, parent->path, ZEV_NODE_CHILDREN_CHANGED,
	    tree_gen(t), parent);
	return ZERR_OK;
}

/*
 * Deletes a node with no children (DataTree.deleteNode); prep has checked
 * emptiness.  The parent's pzxid moves forward to zxid.
 */
int
tree_delete(struct tree *t, const char *path, int64_t zxid)
{
	struct tree_node	*n, *parent;
	const char		*slash;
	char			*ppath;
	uint64_t		 gen;

	if ((n = tree_lookup(t, path)) == NULL || n == t->root) {
		/*
		 * DataTree.deleteNode moves the parent's pzxid before it
		 * finds the child missing (a delete replayed twice).
		 */
		if (n == NULL && (slash = strrchr(path, '/')) != NULL &&
		    (parent = tree_find(t, path, (size_t)(slash - path))) !=
		    NULL && zxid > parent->pzxid)
			parent->pzxid = zxid;
		return ZERR_NONODE;
	}
	if (n->nchildren != 0)
		fatalx("tree: deleting %s with %d children", path,
		    n->nchildren);
	parent = n->parent;
	RB_REMOVE(tree_children, &parent->children, n);
	parent->nchildren--;
	if (zxid > parent->pzxid)
		parent->pzxid = zxid;
	tree_hash_remove(t, n);
	tree_index_remove(t, n);
	tree_quota_node_removed(t, parent->path, TREE_NODE_NAME(n));
	tree_quota_changed(t, path, -(int64_t)n->data_len, -1);
	ns_stats_add(t->ns, 1, path, 0);
	gen = tree_gen(t);
	tree_fire(t, WATCH_DATA, path, ZEV_NODE_DELETED, gen, n);
	tree_fire(t, WATCH_CHILD, path, ZEV_NODE_DELETED, gen, n);
	ppath = parent->path;
	tree_fire(t, WATCH_CHILD, ppath, ZEV_NODE_CHILDREN_CHANGED,
	    tree_gen(t), parent);
	acl_cache_unref(t->acls, n->acl);
	tree_node_free(n);
	return ZERR_OK;
}

/* Replaces a node's data and sets its version (DataTree.setData). */
int
tree_set_data(struct tree *t, const char *path, const void *data,
    int32_t len, int32_t version, int64_t zxid, int64_t time,
    struct zk_stat *out)
{
	struct tree_node	*n;

	if ((n = tree_lookup(t, path)) == NULL)
		return ZERR_NONODE;
	tree_quota_changed(t, path, (int64_t)(len > 0 ? len : 0) - n->data_len,
	    0);
	t->data_size -= n->data_len;
	free(n->data);
	n->data = len > 0 ? xmemdup(data, (size_t)len) : NULL;
	n->data_len = len > 0 ? len : 0;
	n->null_data = len < 0;
	t->data_size += n->data_len;
	n->mtime = time;
	n->mzxid = zxid;
	n->version = version;
	if (out != NULL)
		tree_node_stat(n, out);
	ns_stats_add(t->ns, 1, path, n->data_len);
	tree_fire(t, WATCH_DATA, path, ZEV_NODE_DATA_CHANGED, tree_gen(t), n);
	return ZERR_OK;
}

/* Replaces a node's ACL and sets its aversion (DataTree.setACL). */
int
tree_set_acl(struct tree *t, const char *path, const struct zk_acl_list *acl,
    int32_t version, struct zk_stat *out)
{
	struct tree_node	*n;
	int64_t			 old;

	if ((n = tree_lookup(t, path)) == NULL)
		return ZERR_NONODE;
	old = n->acl;
	n->acl = acl_cache_intern(t->acls, acl);
	acl_cache_unref(t->acls, old);
	n->aversion = version;
	if (out != NULL)
		tree_node_stat(n, out);
	return ZERR_OK;
}

/*
 * Moves a node's cversion (and pzxid) forward to cversion, or one more
 * than now if -1 (DataTree.setCversionPzxid, used when a replayed create
 * finds its node already there).
 */
int
tree_set_cversion_pzxid(struct tree *t, const char *path, int32_t cversion,
    int64_t zxid)
{
	struct tree_node	*n;
	size_t			 len = strlen(path);

	if (len > 1 && path[len - 1] == '/')
		len--;
	if ((n = tree_find(t, path, len)) == NULL)
		return ZERR_NONODE;
	if (cversion == -1)
		cversion = n->cversion + 1;
	if (cversion > n->cversion) {
		n->cversion = cversion;
		n->pzxid = zxid;
	}
	return ZERR_OK;
}

/* Deletes every ephemeral of a session (DataTree.killSession). */
void
tree_kill_session(struct tree *t, int64_t session_id, int64_t zxid)
{
	struct tree_owner	*o;
	struct tree_node	*n;
	char			*path;

	while ((o = tree_owner_find(t, session_id)) != NULL) {
		n = TAILQ_FIRST(&o->nodes);
		path = xstrdup(n->path);
		if (n->nchildren != 0)
			fatalx("tree: ephemeral %s has children", path);
		tree_delete(t, path, zxid);
		free(path);
	}
}

/* Node count as ZooKeeper reports it: the root's "" alias counts too. */
size_t
tree_node_count(const struct tree *t)
{
	return t->nnodes + 1;
}

/*
 * The node after cur in a preorder walk of top's subtree (top excluded),
 * or NULL at the end; start with cur = top.  Iterative: depth is bounded
 * only by path length, so no recursion.
 */
struct tree_node *
tree_walk_next(const struct tree_node *top, const struct tree_node *cur)
{
	struct tree_node	*n = (struct tree_node *)cur, *next;

	if ((next = RB_MIN(tree_children, &n->children)) != NULL)
		return next;
	while (n != top) {
		if ((next = RB_NEXT(tree_children, &n->parent->children, n)) !=
		    NULL)
			return next;
		n = n->parent;
	}
	return NULL;
}

/* Nodes below n, at any depth (getAllChildrenNumber). */
int64_t
tree_descendants(const struct tree_node *n)
{
	const struct tree_node	*c;
	int64_t			 total = 0;

	for (c = tree_walk_next(n, n); c != NULL; c = tree_walk_next(n, c))
		total++;
	return total;
}

/* The longest path with a quota that path is in, or NULL. */
static const char *
tree_quota_prefix(const struct tree *t, const char *path)
{
	const char	*best = NULL;
	size_t		 i, len, blen = 0;

	for (i = 0; i < t->nquotas; i++) {
		len = strlen(t->quotas[i]);
		if (len <= blen || strncmp(path, t->quotas[i], len) != 0 ||
		    (path[len] != '\0' && path[len] != '/'))
			continue;
		best = t->quotas[i];
		blen = len;
	}
	return best;
}

/* Reads "count=N,bytes=M[=;key=value...]" (StatsTrack); -1 where absent. */
static void
tree_quota_parse(const struct tree_node *n, int64_t *count, int64_t *bytes,
    char *rest, size_t restlen)
{
	char	*buf, *p, *eq, *tok;

	*count = *bytes = -1;
	rest[0] = '\0';
	buf = xmalloc((size_t)n->data_len + 1);
	if (n->data_len > 0)
		memcpy(buf, n->data, (size_t)n->data_len);
	buf[n->data_len] = '\0';
	for (p = buf; (tok = strsep(&p, ",;")) != NULL;) {
		if (*tok == '\0' || (eq = strchr(tok, '=')) == NULL)
			continue;
		*eq++ = '\0';
		if (strcmp(tok, "count") == 0)
			*count = strtoll(eq, NULL, 10);
		else if (strcmp(tok, "bytes") == 0)
			*bytes = strtoll(eq, NULL, 10);
		else {
			/* Hard limits and anything newer, kept in order. */
			strlcat(rest, ";", restlen);
			strlcat(rest, tok, restlen);
			strlcat(rest, "=", restlen);
			strlcat(rest, eq, restlen);
		}
	}
	free(buf);
}

/* Rewrites a stats node in place: no txn, no version, as DataTree does. */
static void
tree_quota_write(struct tree *t, struct tree_node *n, int64_t count,
    int64_t bytes, const char *rest)
{
	char	 buf[1024];
	int	 len;

	len = snprintf(buf, sizeof(buf), "count=%lld,bytes=%lld%s%s",
	    (long long)count, (long long)bytes, *rest ? "=" : "", rest);
	if (len < 0 || (size_t)len >= sizeof(buf))
		return;
	t->data_size -= n->data_len;
	free(n->data);
	n->data = xmemdup(buf, (size_t)len);
	n->data_len = len;
	n->null_data = 0;
	t->data_size += n->data_len;
}

static struct tree_node *
tree_quota_stats_node(struct tree *t, const char *qpath)
{
	char	*p;
	struct tree_node *n;

	xasprintf(&p, "%s%s/%s", QUOTA_ROOT, qpath, QUOTA_STATS);
	n = tree_lookup(t, p);
	free(p);
	return n;
}

/* Adds a node and a data-size change under path to its quota's stats. */
static void
tree_quota_changed(struct tree *t, const char *path, int64_t bytes,
    int64_t count)
{
	struct tree_node	*sn;
	const char		*q;
	int64_t			 c, b;
	char			 rest[512];

	if (t->nquotas == 0 || (q = tree_quota_prefix(t, path)) == NULL)
		return;
	if ((sn = tree_quota_stats_node(t, q)) == NULL) {
		log_warnx("quota stats node of %s is missing", q);
		return;
	}
	tree_quota_parse(sn, &c, &b, rest, sizeof(rest));
	tree_quota_write(t, sn, c + count, b + bytes, rest);
}

/* Counts the nodes and data bytes of the subtree at path into its stats. */
static void
tree_quota_recount(struct tree *t, const char *qpath)
{
	struct tree_node	*top, *n, *sn;
	int64_t			 count = 0, bytes = 0;

	if ((sn = tree_quota_stats_node(t, qpath)) == NULL)
		return;
	if ((top = tree_lookup(t, qpath)) != NULL) {
		count = 1;
		bytes = top->data_len;
		for (n = tree_walk_next(top, top); n != NULL;
		    n = tree_walk_next(top, n)) {
			count++;
			bytes += n->data_len;
		}
	}
	tree_quota_write(t, sn, count, bytes, "");
}

static void
tree_quota_add_path(struct tree *t, const char *qpath)
{
	size_t	 i;

	for (i = 0; i < t->nquotas; i++)
		if (strcmp(t->quotas[i], qpath) == 0)
			return;
	t->quotas = xreallocarray(t->quotas, t->nquotas + 1,
	    sizeof(*t->quotas));
	t->quotas[t->nquotas++] = xstrdup(qpath);
}

/* A new node under /zookeeper/quota: a limits node starts a quota. */
static void
tree_quota_node_added(struct tree *t, struct tree_node *n)
{
	const char	*parent = n->parent->path;
	const char	*name = TREE_NODE_NAME(n);
	size_t		 rlen = strlen(QUOTA_ROOT);

	if (strncmp(parent, QUOTA_ROOT, rlen) != 0 || parent[rlen] != '/')
		return;
	if (strcmp(name, QUOTA_LIMITS) == 0)
		tree_quota_add_path(t, parent + rlen);
	else if (strcmp(name, QUOTA_STATS) == 0)
		tree_quota_recount(t, parent + rlen);
}

/* A limits node went: its path has no quota any more. */
static void
tree_quota_node_removed(struct tree *t, const char *parent, const char *name)
{
	size_t	 rlen = strlen(QUOTA_ROOT), i;

	if (strcmp(name, QUOTA_LIMITS) != 0 ||
	    strncmp(parent, QUOTA_ROOT, rlen) != 0 || parent[rlen] != '/')
		return;
	for (i = 0; i < t->nquotas; i++)
		if (strcmp(t->quotas[i], parent + rlen) == 0) {
			free(t->quotas[i]);
			t->quotas[i] = t->quotas[--t->nquotas];
			return;
		}
}

/*
 * Rebuilds the quota paths and recounts their stats from the nodes under
 * /zookeeper/quota (after loading a snapshot, as DataTree.setupQuota).
 */
void
tree_setup_quotas(struct tree *t)
{
	struct tree_node	*top, *n;
	size_t			 i, rlen = strlen(QUOTA_ROOT);

	if ((top = tree_lookup(t, QUOTA_ROOT)) == NULL)
		return;
	for (n = tree_walk_next(top, top); n != NULL;
	    n = tree_walk_next(top, n))
		if (strcmp(TREE_NODE_NAME(n), QUOTA_LIMITS) == 0 &&
		    n->parent != top)
			tree_quota_add_path(t, n->parent->path + rlen);
	for (i = 0; i < t->nquotas; i++)
		tree_quota_recount(t, t->quotas[i]);
}
