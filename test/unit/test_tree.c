/* SPDX-License-Identifier: ISC */
/*
 * test_tree.c: the znode tree.  Stat semantics of create, delete, setData
 * and setACL as DataTree keeps them, node counts, the indexes of
 * ephemerals, containers and TTL nodes, the iterative preorder walk, data
 * size accounting and the order in which a change fires watches.  After
 * each change tree_check verifies the invariants tree.c promises.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>

#include <cmocka.h>

#include "acl.h"
#include "proto.h"
#include "tree.h"
#include "watch.h"

struct event {
	struct watcher	*w;
	int32_t		 type;
	char		 path[64];
	int32_t		 acl_n;		/* the ACL the event carried */
	char		 acl_id[64];	/* its first id, or "" */
};

static struct event	 events[32];
static size_t		 nevents;

static void	 tree_check(struct tree *);
static int	 make_node(struct tree *, const char *, const char *, int64_t,
		    int64_t);
static int	 make_node_acl(struct tree *, const char *, const char *,
		    int64_t);
static struct tree_node *node_at(struct tree *, const char *);
static void	 record_cb(struct watcher *, int32_t, const char *,
		    const struct zk_acl_list *);
static void	*deep_walk(void *);

/*
 * The invariants of tree.c: every node is reachable from the root, found
 * by its path, counted by its parent, on the index its owner calls for;
 * data_size and the counts add up.
 */
static void
tree_check(struct tree *t)
{
	struct tree_node	*n, *c;
	struct tree_owner	*o;
	size_t			 nodes = 1, neph = 0, ncont = 0, nttl = 0, k;
	int64_t			 size;
	int32_t			 nch;
	int			 found;

	size = (int64_t)t->root->path_len + t->root->data_len;
	assert_ptr_equal(tree_lookup(t, "/"), t->root);
	assert_ptr_equal(tree_lookup(t, ""), t->root);
	for (n = tree_walk_next(t->root, t->root); n != NULL;
	    n = tree_walk_next(t->root, n)) {
		nodes++;
		size += (int64_t)n->path_len + n->data_len;
		assert_ptr_equal(tree_lookup(t, n->path), n);
		assert_int_equal(strlen(n->path), n->path_len);
		assert_non_null(n->parent);
		assert_non_null(acl_cache_get(t->acls, n->acl));
		switch (tree_owner_kind(t, n->ephemeral_owner)) {
		case TREE_KIND_EPHEMERAL:
			neph++;
			o = tree_owner_find(t, n->ephemeral_owner);
			assert_non_null(o);
			found = 0;
			TAILQ_FOREACH(c, &o->nodes, olink)
				found |= c == n;
			assert_true(found);
			break;
		case TREE_KIND_CONTAINER:
			ncont++;
			break;
		case TREE_KIND_TTL:
			nttl++;
			break;
		default:
			break;
		}
	}
	for (n = t->root; n != NULL; n = tree_walk_next(t->root, n)) {
		nch = 0;
		TREE_FOREACH_CHILD(c, n) {
			assert_ptr_equal(c->parent, n);
			nch++;
		}
		assert_int_equal(nch, n->nchildren);
	}
	assert_int_equal(nodes, t->nnodes);
	assert_int_equal(neph, t->nephemerals);
	assert_true(size == t->data_size);
	k = 0;
	TAILQ_FOREACH(c, &t->containers, olink) {
		assert_int_equal(tree_owner_kind(t, c->ephemeral_owner),
		    TREE_KIND_CONTAINER);
		k++;
	}
	assert_int_equal(k, ncont);
	k = 0;
	TAILQ_FOREACH(c, &t->ttls, olink)
		k++;
	assert_int_equal(k, nttl);
	k = 0;
	RB_FOREACH(o, tree_owners, &t->owners) {
		assert_true(o->count > 0);
		k += o->count;
	}
	assert_int_equal(k, neph);
}

/* Creates path with string data, the open ACL and owner at zxid. */
static int
make_node(struct tree *t, const char *path, const char *data, int64_t owner,
    int64_t zxid)
{
	return tree_create(t, path, data, data != NULL ?
	    (int32_t)strlen(data) : -1, NULL, owner, -1, zxid, zxid * 1000,
	    NULL);
}

/* Creates path with the ACL digest:<id> ALL at zxid. */
static int
make_node_acl(struct tree *t, const char *path, const char *id, int64_t zxid)
{
	struct zk_acl		 a;
	struct zk_acl_list	 l = { 1, &a };

	a.perms = ZPERM_ALL;
	a.id.scheme = (char *)(uintptr_t)"digest";
	a.id.id = (char *)(uintptr_t)id;
	return tree_create(t, path, NULL, -1, &l, 0, -1, zxid, 0, NULL);
}

static struct tree_node *
node_at(struct tree *t, const char *path)
{
	struct tree_node	*n = tree_lookup(t, path);

	if (n == NULL)
		fail_msg("no node %s", path);
	return n;
}

/* Records an event; the ACL is copied, it may not outlive the trigger. */
static void
record_cb(struct watcher *w, int32_t type, const char *path,
    const struct zk_acl_list *acl)
{
	if (nevents >= sizeof(events) / sizeof(events[0]))
		fail_msg("too many events");
	events[nevents].w = w;
	events[nevents].type = type;
	strlcpy(events[nevents].path, path, sizeof(events[0].path));
	events[nevents].acl_n = acl != NULL ? acl->n : -1;
	strlcpy(events[nevents].acl_id, acl != NULL && acl->n > 0 ?
	    acl->v[0].id.id : "", sizeof(events[0].acl_id));
	nevents++;
}

/* A fresh tree has /, /zookeeper, quota and config: 5 nodes with "". */
static void
test_fresh_tree_counts_five(void **state)
{
	struct tree		*t;
	struct tree_node	*config;
	struct zk_stat		 st;

	(void)state;
	t = tree_new(0);
	assert_int_equal(tree_node_count(t), 5);
	assert_int_equal(t->nnodes, 4);
	assert_non_null(tree_lookup(t, "/zookeeper"));
	assert_non_null(tree_lookup(t, "/zookeeper/quota"));
	config = node_at(t, "/zookeeper/config");
	/* The config node is readable by all, writable by none. */
	assert_true(proto_acl_list_equal(tree_node_acl(t, config),
	    acl_read_unsafe()));
	assert_true(proto_acl_list_equal(tree_node_acl(t, t->root),
	    acl_open_unsafe()));
	/* ZooKeeper sets it with setACL(..., -1): aversion -1. */
	assert_int_equal(config->aversion, -1);
	tree_node_stat(t->root, &st);
	assert_int_equal(st.num_children, 1);
	/* "", "/", "/zookeeper", "/zookeeper/quota", "/zookeeper/config". */
	assert_true(t->data_size == 0 + 1 + 10 + 16 + 17);
	assert_true(tree_descendants(t->root) == 3);
	assert_null(tree_lookup(t, "/zookeeper/"));
	assert_null(tree_lookup(t, "zookeeper"));
	tree_check(t);
	tree_free(t);
}

/* create sets czxid = mzxid = pzxid, times, zero versions; the parent moves. */
static void
test_create_stat(void **state)
{
	struct tree		*t;
	struct zk_stat		 st, pst;
	struct zk_acl		 a;
	struct zk_acl_list	 acl = { 1, &a };
	char			 d[] = "digest", id[] = "u:h";

	(void)state;
	t = tree_new(0);
	a.perms = ZPERM_READ;
	a.id.scheme = d;
	a.id.id = id;
	assert_int_equal(tree_create(t, "/a", "hello", 5, &acl, 0, -1, 10,
	    5000, &st), ZERR_OK);
	assert_true(st.czxid == 10 && st.mzxid == 10 && st.pzxid == 10);
	assert_true(st.ctime == 5000 && st.mtime == 5000);
	assert_int_equal(st.version, 0);
	assert_int_equal(st.cversion, 0);
	assert_int_equal(st.aversion, 0);
	assert_true(st.ephemeral_owner == 0);
	assert_int_equal(st.data_length, 5);
	assert_int_equal(st.num_children, 0);
	assert_true(proto_acl_list_equal(tree_node_acl(t, node_at(t, "/a")),
	    &acl));
	tree_node_stat(t->root, &pst);
	assert_int_equal(pst.cversion, 1);
	assert_true(pst.pzxid == 10);
	assert_int_equal(pst.num_children, 2);
	/* The parent's mzxid and version are untouched. */
	assert_true(pst.mzxid == 0);
	assert_int_equal(pst.version, 0);

	assert_int_equal(tree_create(t, "/a", NULL, -1, NULL, 0, -1, 11, 0,
	    NULL), ZERR_NODEEXISTS);
	assert_int_equal(tree_create(t, "/nope/x", NULL, -1, NULL, 0, -1, 11,
	    0, NULL), ZERR_NONODE);
	assert_int_equal(tree_create(t, "noslash", NULL, -1, NULL, 0, -1, 11,
	    0, NULL), ZERR_NONODE);
	tree_check(t);
	tree_free(t);
}

/* A parent's cversion and pzxid only move forward on create. */
static void
test_parent_cversion_only_forward(void **state)
{
	struct tree	*t;
	struct zk_stat	 st;

	(void)state;
	t = tree_new(0);
	assert_int_equal(make_node(t, "/p", NULL, 0, 1), ZERR_OK);
	/* An explicit parent cversion ahead of the current one is taken. */
	assert_int_equal(tree_create(t, "/p/a", NULL, -1, NULL, 0, 5, 2, 0,
	    NULL), ZERR_OK);
	tree_node_stat(node_at(t, "/p"), &st);
	assert_int_equal(st.cversion, 5);
	assert_true(st.pzxid == 2);
	/* One behind (a replayed create) leaves cversion and pzxid alone. */
	assert_int_equal(tree_create(t, "/p/b", NULL, -1, NULL, 0, 3, 3, 0,
	    NULL), ZERR_OK);
	tree_node_stat(node_at(t, "/p"), &st);
	assert_int_equal(st.cversion, 5);
	assert_true(st.pzxid == 2);
	assert_int_equal(st.num_children, 2);
	/* -1 means one more than now. */
	assert_int_equal(make_node(t, "/p/c", NULL, 0, 4), ZERR_OK);
	tree_node_stat(node_at(t, "/p"), &st);
	assert_int_equal(st.cversion, 6);
	assert_true(st.pzxid == 4);

	/* setCversionPzxid: forward only, trailing slash tolerated. */
	assert_int_equal(tree_set_cversion_pzxid(t, "/p/", 9, 20), ZERR_OK);
	tree_node_stat(node_at(t, "/p"), &st);
	assert_int_equal(st.cversion, 9);
	assert_true(st.pzxid == 20);
	assert_int_equal(tree_set_cversion_pzxid(t, "/p", 8, 21), ZERR_OK);
	tree_node_stat(node_at(t, "/p"), &st);
	assert_int_equal(st.cversion, 9);
	assert_true(st.pzxid == 20);
	assert_int_equal(tree_set_cversion_pzxid(t, "/p", -1, 22), ZERR_OK);
	tree_node_stat(node_at(t, "/p"), &st);
	assert_int_equal(st.cversion, 10);
	assert_true(st.pzxid == 22);
	assert_int_equal(tree_set_cversion_pzxid(t, "/q", -1, 22),
	    ZERR_NONODE);
	tree_check(t);
	tree_free(t);
}

/* delete moves the parent's pzxid forward only, and drops the child. */
static void
test_delete_stat(void **state)
{
	struct tree	*t;
	struct zk_stat	 st;

	(void)state;
	t = tree_new(0);
	assert_int_equal(make_node(t, "/p", NULL, 0, 1), ZERR_OK);
	assert_int_equal(make_node(t, "/p/a", NULL, 0, 2), ZERR_OK);
	assert_int_equal(make_node(t, "/p/b", NULL, 0, 3), ZERR_OK);
	assert_int_equal(tree_delete(t, "/p/a", 7), ZERR_OK);
	assert_null(tree_lookup(t, "/p/a"));
	tree_node_stat(node_at(t, "/p"), &st);
	assert_true(st.pzxid == 7);
	assert_int_equal(st.num_children, 1);
	/* A lower zxid (replay) does not pull pzxid back. */
	assert_int_equal(tree_delete(t, "/p/b", 5), ZERR_OK);
	tree_node_stat(node_at(t, "/p"), &st);
	assert_true(st.pzxid == 7);
	assert_int_equal(tree_delete(t, "/p/b", 8), ZERR_NONODE);
	assert_int_equal(tree_delete(t, "/", 8), ZERR_NONODE);
	assert_int_equal(tree_delete(t, "", 8), ZERR_NONODE);
	tree_check(t);
	tree_free(t);
}

/*
 * Clients see ZooKeeper's DataNode.copyStat: a cversion that counts
 * deletes too (2 * creates - children) while the kept one counts creates
 * (sequential names come from it), and no owner for containers and TTLs.
 */
static void
test_client_stat_as_zookeeper_shows(void **state)
{
	struct tree	*t;
	struct zk_stat	 st;

	(void)state;
	t = tree_new(1);
	assert_int_equal(make_node(t, "/p", NULL, 0, 1), ZERR_OK);
	assert_int_equal(make_node(t, "/p/a", NULL, 0, 2), ZERR_OK);
	assert_int_equal(tree_delete(t, "/p/a", 3), ZERR_OK);
	tree_node_stat(node_at(t, "/p"), &st);
	assert_int_equal(st.cversion, 1);
	tree_client_stat(t, &st);
	assert_int_equal(st.cversion, 2);
	assert_int_equal(make_node(t, "/p/b", NULL, 0, 4), ZERR_OK);
	tree_node_stat(node_at(t, "/p"), &st);
	assert_int_equal(st.cversion, 2);
	tree_client_stat(t, &st);
	assert_int_equal(st.cversion, 3);
	assert_int_equal(st.num_children, 1);
	/* Owners: a session's shows, a container's and a TTL's do not. */
	assert_int_equal(make_node(t, "/e", NULL, 0x77, 5), ZERR_OK);
	assert_int_equal(make_node(t, "/c", NULL, EOWNER_CONTAINER, 6),
	    ZERR_OK);
	assert_int_equal(make_node(t, "/t", NULL, EOWNER_EXTENDED_MASK | 99, 7),
	    ZERR_OK);
	tree_node_stat(node_at(t, "/e"), &st);
	tree_client_stat(t, &st);
	assert_true(st.ephemeral_owner == 0x77);
	tree_node_stat(node_at(t, "/c"), &st);
	tree_client_stat(t, &st);
	assert_true(st.ephemeral_owner == 0);
	tree_node_stat(node_at(t, "/t"), &st);
	tree_client_stat(t, &st);
	assert_true(st.ephemeral_owner == 0);
	tree_free(t);
}

/* setData sets mzxid, mtime and the version it is given; null stays null. */
static void
test_set_data_stat_and_null(void **state)
{
	struct tree		*t;
	struct tree_node	*n;
	struct zk_stat		 st;

	(void)state;
	t = tree_new(0);
	assert_int_equal(make_node(t, "/d", "abc", 0, 1), ZERR_OK);
	assert_int_equal(tree_set_data(t, "/d", "12345", 5, 1, 9, 900, &st),
	    ZERR_OK);
	assert_true(st.mzxid == 9 && st.czxid == 1 && st.pzxid == 1);
	assert_true(st.mtime == 900 && st.ctime == 1000);
	assert_int_equal(st.version, 1);
	assert_int_equal(st.data_length, 5);
	n = node_at(t, "/d");
	assert_memory_equal(n->data, "12345", 5);
	assert_int_equal(n->null_data, 0);
	/* Null and empty data are different, both of length 0. */
	assert_int_equal(tree_set_data(t, "/d", NULL, -1, 2, 10, 0, &st),
	    ZERR_OK);
	assert_int_equal(st.data_length, 0);
	assert_int_equal(n->null_data, 1);
	assert_int_equal(tree_set_data(t, "/d", "", 0, 3, 11, 0, &st),
	    ZERR_OK);
	assert_int_equal(n->null_data, 0);
	assert_int_equal(n->data_len, 0);
	assert_int_equal(make_node(t, "/nul", NULL, 0, 12), ZERR_OK);
	assert_int_equal(node_at(t, "/nul")->null_data, 1);
	assert_int_equal(tree_set_data(t, "/none", "x", 1, 1, 12, 0, &st),
	    ZERR_NONODE);
	tree_check(t);
	tree_free(t);
}

/* setACL sets aversion and swaps the interned list, freeing the old one. */
static void
test_set_acl_stat(void **state)
{
	struct tree		*t;
	struct zk_stat		 st;
	struct zk_acl		 a;
	struct zk_acl_list	 acl = { 1, &a };
	char			 ip[] = "ip", addr[] = "1.2.3.4";
	size_t			 before;

	(void)state;
	t = tree_new(0);
	before = acl_cache_count(t->acls);
	assert_int_equal(make_node(t, "/s", NULL, 0, 1), ZERR_OK);
	a.perms = ZPERM_ALL;
	a.id.scheme = ip;
	a.id.id = addr;
	assert_int_equal(tree_set_acl(t, "/s", &acl, 4, &st), ZERR_OK);
	assert_int_equal(st.aversion, 4);
	assert_int_equal(st.version, 0);
	assert_true(st.mzxid == 1);
	assert_int_equal(acl_cache_count(t->acls), before + 1);
	assert_true(proto_acl_list_equal(tree_node_acl(t, node_at(t, "/s")),
	    &acl));
	assert_int_equal(tree_set_acl(t, "/s", acl_open_unsafe(), 5, &st),
	    ZERR_OK);
	assert_int_equal(acl_cache_count(t->acls), before + 1);
	assert_int_equal(tree_set_acl(t, "/s", NULL, 6, &st), ZERR_OK);
	assert_int_equal(acl_cache_count(t->acls), before);
	assert_int_equal(tree_set_acl(t, "/none", NULL, 1, &st), ZERR_NONODE);
	/* Deleting a node drops its reference too. */
	assert_int_equal(tree_set_acl(t, "/s", &acl, 7, &st), ZERR_OK);
	assert_int_equal(tree_delete(t, "/s", 2), ZERR_OK);
	assert_int_equal(acl_cache_count(t->acls), before);
	tree_check(t);
	tree_free(t);
}

/* Ephemerals are indexed by session; killing a session deletes them all. */
static void
test_ephemeral_owner_index(void **state)
{
	struct tree		*t;
	struct tree_owner	*o;
	struct zk_stat		 st;
	const int64_t		 s1 = 0x0100000000000001LL;
	const int64_t		 s2 = 0x0100000000000002LL;

	(void)state;
	t = tree_new(0);
	assert_int_equal(make_node(t, "/e", NULL, 0, 1), ZERR_OK);
	assert_int_equal(make_node(t, "/e/a", NULL, s1, 2), ZERR_OK);
	assert_int_equal(make_node(t, "/e/b", NULL, s1, 3), ZERR_OK);
	assert_int_equal(make_node(t, "/e/c", NULL, s2, 4), ZERR_OK);
	assert_int_equal(make_node(t, "/x", NULL, s1, 5), ZERR_OK);
	tree_check(t);
	assert_int_equal(t->nephemerals, 4);
	o = tree_owner_find(t, s1);
	assert_non_null(o);
	assert_int_equal(o->count, 3);
	assert_int_equal(tree_owner_kind(t, s1), TREE_KIND_EPHEMERAL);
	assert_int_equal(tree_delete(t, "/e/b", 6), ZERR_OK);
	assert_int_equal(tree_owner_find(t, s1)->count, 2);
	tree_kill_session(t, s1, 9);
	assert_null(tree_owner_find(t, s1));
	assert_null(tree_lookup(t, "/e/a"));
	assert_null(tree_lookup(t, "/x"));
	assert_non_null(tree_lookup(t, "/e/c"));
	assert_int_equal(t->nephemerals, 1);
	tree_node_stat(node_at(t, "/e"), &st);
	assert_true(st.pzxid == 9);
	/* Killing a session without ephemerals changes nothing. */
	tree_kill_session(t, 0x77, 10);
	tree_node_stat(node_at(t, "/e"), &st);
	assert_true(st.pzxid == 9);
	tree_check(t);
	tree_free(t);
}

/* Containers and TTL nodes sit on their lists; TTLs only when extended. */
static void
test_container_and_ttl_lists(void **state)
{
	struct tree		*t;
	const int64_t		 ttl = EOWNER_EXTENDED_MASK | 60000;

	(void)state;
	t = tree_new(1);
	assert_int_equal(make_node(t, "/c", NULL, EOWNER_CONTAINER, 1),
	    ZERR_OK);
	assert_int_equal(make_node(t, "/t", NULL, ttl, 2), ZERR_OK);
	assert_int_equal(make_node(t, "/p", NULL, 0, 3), ZERR_OK);
	tree_check(t);
	assert_ptr_equal(TAILQ_FIRST(&t->containers), node_at(t, "/c"));
	assert_ptr_equal(TAILQ_FIRST(&t->ttls), node_at(t, "/t"));
	assert_int_equal(tree_owner_kind(t, ttl), TREE_KIND_TTL);
	assert_true(tree_ttl_of(ttl) == 60000);
	assert_int_equal(tree_owner_kind(t, EOWNER_CONTAINER),
	    TREE_KIND_CONTAINER);
	assert_int_equal(tree_owner_kind(t, 0), TREE_KIND_PERSISTENT);
	assert_int_equal(t->nephemerals, 0);
	assert_int_equal(tree_delete(t, "/c", 4), ZERR_OK);
	assert_int_equal(tree_delete(t, "/t", 5), ZERR_OK);
	assert_true(TAILQ_EMPTY(&t->containers));
	assert_true(TAILQ_EMPTY(&t->ttls));
	tree_check(t);
	tree_free(t);

	/* Without extended types the same owner is a session's. */
	t = tree_new(0);
	assert_int_equal(tree_owner_kind(t, ttl), TREE_KIND_EPHEMERAL);
	assert_int_equal(make_node(t, "/t", NULL, ttl, 2), ZERR_OK);
	assert_true(TAILQ_EMPTY(&t->ttls));
	assert_int_equal(t->nephemerals, 1);
	tree_check(t);
	tree_free(t);
}

/* The walk is a preorder by name; descendants counts every level. */
static void
test_walk_preorder_and_descendants(void **state)
{
	static const char	*want[] = { "/p/a", "/p/a/x", "/p/b", "/p/c",
	    "/p/c/y", "/p/c/y/z" };
	static const char	*make[] = { "/p", "/p/c", "/p/a", "/p/b",
	    "/p/c/y", "/p/a/x", "/p/c/y/z" };
	struct tree		*t;
	struct tree_node	*top, *n;
	size_t			 i;

	(void)state;
	t = tree_new(0);
	for (i = 0; i < sizeof(make) / sizeof(make[0]); i++)
		assert_int_equal(make_node(t, make[i], NULL, 0, (int64_t)i + 1),
		    ZERR_OK);
	top = node_at(t, "/p");
	i = 0;
	for (n = tree_walk_next(top, top); n != NULL;
	    n = tree_walk_next(top, n)) {
		assert_true(i < sizeof(want) / sizeof(want[0]));
		assert_string_equal(n->path, want[i]);
		i++;
	}
	assert_int_equal(i, 6);
	assert_true(tree_descendants(top) == 6);
	assert_true(tree_descendants(node_at(t, "/p/c")) == 2);
	assert_true(tree_descendants(node_at(t, "/p/b")) == 0);
	assert_null(tree_walk_next(node_at(t, "/p/b"), node_at(t, "/p/b")));
	/* The whole tree: 3 system nodes and the 7 above. */
	assert_true(tree_descendants(t->root) == 10);
	tree_check(t);
	tree_free(t);
}

#define DEEP_LEVELS	8000
#define DEEP_STACK	(64 * 1024)

struct deep_result {
	struct tree	*t;
	size_t		 visited;
	int		 preorder;
	int64_t		 descendants;
};

static void *
deep_walk(void *arg)
{
	struct deep_result	*r = arg;
	struct tree_node	*n, *prev;

	r->preorder = 1;
	prev = r->t->root;
	for (n = tree_walk_next(r->t->root, r->t->root); n != NULL;
	    n = tree_walk_next(r->t->root, n)) {
		/* Past the system nodes, each node is the child of the last. */
		if (strncmp(n->path, "/zookeeper", 10) != 0) {
			if (prev != r->t->root && n->parent != prev)
				r->preorder = 0;
			prev = n;
		}
		r->visited++;
	}
	r->descendants = tree_descendants(r->t->root);
	return NULL;
}

/*
 * Walking and counting a tree 8000 levels deep runs on a 64 KiB stack: no
 * recursion (a recursive walk needs well over 8 bytes per level).  Every
 * node holds its full path, so depth costs memory quadratically; 8000
 * levels keep the test at 64 MB.
 */
static void
test_deep_tree_walk_without_recursion(void **state)
{
	struct deep_result	 r;
	pthread_attr_t		 attr;
	pthread_t		 th;
	char			*path;
	size_t			 i;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.t = tree_new(0);
	path = malloc(2 * DEEP_LEVELS + 1);
	for (i = 0; i < DEEP_LEVELS; i++) {
		path[2 * i] = '/';
		path[2 * i + 1] = 'n';
		path[2 * i + 2] = '\0';
		if (make_node(r.t, path, NULL, 0, (int64_t)i + 1) != ZERR_OK)
			fail_msg("create at level %zu", i);
	}
	assert_int_equal(pthread_attr_init(&attr), 0);
	assert_int_equal(pthread_attr_setstacksize(&attr, DEEP_STACK), 0);
	assert_int_equal(pthread_create(&th, &attr, deep_walk, &r), 0);
	assert_int_equal(pthread_join(th, NULL), 0);
	pthread_attr_destroy(&attr);
	assert_int_equal(r.visited, DEEP_LEVELS + 3);
	assert_true(r.preorder);
	assert_true(r.descendants == DEEP_LEVELS + 3);
	assert_int_equal(tree_node_count(r.t), DEEP_LEVELS + 5);
	/* Deleting bottom up leaves the fresh tree. */
	for (i = DEEP_LEVELS; i > 0; i--) {
		path[2 * i] = '\0';
		if (tree_delete(r.t, path, (int64_t)(DEEP_LEVELS + i)) !=
		    ZERR_OK)
			fail_msg("delete at level %zu", i);
	}
	assert_int_equal(tree_node_count(r.t), 5);
	tree_check(r.t);
	free(path);
	tree_free(r.t);
}

/* data_size is the sum of path and data lengths through every change. */
static void
test_data_size_accounting(void **state)
{
	struct tree	*t;
	int64_t		 fresh;

	(void)state;
	t = tree_new(0);
	fresh = t->data_size;
	assert_int_equal(make_node(t, "/abc", "12345", 0, 1), ZERR_OK);
	assert_true(t->data_size == fresh + 4 + 5);
	assert_int_equal(tree_set_data(t, "/abc", "xy", 2, 1, 2, 0, NULL),
	    ZERR_OK);
	assert_true(t->data_size == fresh + 4 + 2);
	assert_int_equal(tree_set_data(t, "/abc", NULL, -1, 2, 3, 0, NULL),
	    ZERR_OK);
	assert_true(t->data_size == fresh + 4);
	assert_int_equal(make_node(t, "/abc/de", "z", 0, 4), ZERR_OK);
	assert_true(t->data_size == fresh + 4 + 7 + 1);
	tree_check(t);
	assert_int_equal(tree_delete(t, "/abc/de", 5), ZERR_OK);
	assert_int_equal(tree_delete(t, "/abc", 6), ZERR_OK);
	assert_true(t->data_size == fresh);
	tree_check(t);
	tree_free(t);
}

/*
 * create fires NodeCreated on the node, then NodeChildrenChanged on the
 * parent, each with the ACL of the node it is about.
 */
static void
test_watch_order_create_and_set(void **state)
{
	struct watch_mgr	 wm;
	struct watcher		 w1, w2, w3;
	struct tree		*t;

	(void)state;
	t = tree_new(0);
	watch_init(&wm, record_cb);
	t->watches = &wm;
	watch_watcher_init(&w1, NULL);
	watch_watcher_init(&w2, NULL);
	watch_watcher_init(&w3, NULL);
	watch_add(&wm, WATCH_DATA, "/w", &w1, WATCH_STANDARD);
	watch_add(&wm, WATCH_CHILD, "/", &w2, WATCH_STANDARD);
	watch_add(&wm, WATCH_CHILD, "/w", &w3, WATCH_STANDARD);
	nevents = 0;
	assert_int_equal(make_node_acl(t, "/w", "w:acl", 1), ZERR_OK);
	assert_int_equal(nevents, 2);
	assert_ptr_equal(events[0].w, &w1);
	assert_int_equal(events[0].type, ZEV_NODE_CREATED);
	assert_string_equal(events[0].path, "/w");
	/* Each event carries the ACL of the node it is about. */
	assert_string_equal(events[0].acl_id, "w:acl");
	assert_ptr_equal(events[1].w, &w2);
	assert_int_equal(events[1].type, ZEV_NODE_CHILDREN_CHANGED);
	assert_string_equal(events[1].path, "/");
	assert_string_equal(events[1].acl_id, "anyone");
	/* One-shot: both are gone; w3's child watch stays. */
	assert_int_equal(watch_count(&wm), 1);

	watch_add(&wm, WATCH_DATA, "/w", &w1, WATCH_STANDARD);
	nevents = 0;
	assert_int_equal(tree_set_data(t, "/w", "x", 1, 1, 2, 0, NULL),
	    ZERR_OK);
	assert_int_equal(nevents, 1);
	assert_ptr_equal(events[0].w, &w1);
	assert_int_equal(events[0].type, ZEV_NODE_DATA_CHANGED);
	assert_string_equal(events[0].acl_id, "w:acl");
	/* setACL and setCversionPzxid fire nothing. */
	watch_add(&wm, WATCH_DATA, "/w", &w1, WATCH_STANDARD);
	nevents = 0;
	assert_int_equal(tree_set_acl(t, "/w", acl_read_unsafe(), 1, NULL),
	    ZERR_OK);
	assert_int_equal(tree_set_cversion_pzxid(t, "/w", 3, 3), ZERR_OK);
	assert_int_equal(nevents, 0);
	watch_remove_watcher(&wm, &w1);
	watch_remove_watcher(&wm, &w3);
	watch_free(&wm);
	tree_free(t);
}

/*
 * delete fires NodeDeleted to the node's data watchers, then to its child
 * watchers not told yet, then NodeChildrenChanged on the parent; the
 * node's ACL is still there while its events are delivered.
 */
static void
test_watch_order_delete(void **state)
{
	struct watch_mgr	 wm;
	struct watcher		 wd, wc, wboth, wparent;
	struct tree		*t;
	size_t			 i;
	int			 seen_d = 0, seen_both = 0;

	(void)state;
	t = tree_new(0);
	watch_init(&wm, record_cb);
	assert_int_equal(make_node(t, "/w", NULL, 0, 1), ZERR_OK);
	/* The only node with this ACL: its cache entry goes with it. */
	assert_int_equal(make_node_acl(t, "/w/x", "x:acl", 2), ZERR_OK);
	t->watches = &wm;
	watch_watcher_init(&wd, NULL);
	watch_watcher_init(&wc, NULL);
	watch_watcher_init(&wboth, NULL);
	watch_watcher_init(&wparent, NULL);
	watch_add(&wm, WATCH_DATA, "/w/x", &wd, WATCH_STANDARD);
	watch_add(&wm, WATCH_CHILD, "/w/x", &wc, WATCH_STANDARD);
	watch_add(&wm, WATCH_DATA, "/w/x", &wboth, WATCH_STANDARD);
	watch_add(&wm, WATCH_CHILD, "/w/x", &wboth, WATCH_STANDARD);
	watch_add(&wm, WATCH_CHILD, "/w", &wparent, WATCH_STANDARD);
	nevents = 0;
	assert_int_equal(tree_delete(t, "/w/x", 3), ZERR_OK);
	assert_int_equal(nevents, 4);
	for (i = 0; i < 3; i++)
		assert_string_equal(events[i].acl_id, "x:acl");
	assert_string_equal(events[3].acl_id, "anyone");
	for (i = 0; i < 2; i++) {
		assert_int_equal(events[i].type, ZEV_NODE_DELETED);
		assert_string_equal(events[i].path, "/w/x");
		seen_d |= events[i].w == &wd;
		seen_both |= events[i].w == &wboth;
	}
	assert_true(seen_d && seen_both);
	assert_ptr_equal(events[2].w, &wc);
	assert_int_equal(events[2].type, ZEV_NODE_DELETED);
	assert_ptr_equal(events[3].w, &wparent);
	assert_int_equal(events[3].type, ZEV_NODE_CHILDREN_CHANGED);
	assert_string_equal(events[3].path, "/w");
	/* Every one-shot entry went, wboth's child entry included. */
	assert_int_equal(watch_count(&wm), 0);

	/* A killed session's ephemerals fire the same way. */
	assert_int_equal(make_node(t, "/w/e", NULL, 0x42, 4), ZERR_OK);
	watch_add(&wm, WATCH_DATA, "/w/e", &wd, WATCH_STANDARD);
	watch_add(&wm, WATCH_CHILD, "/w", &wparent, WATCH_STANDARD);
	nevents = 0;
	tree_kill_session(t, 0x42, 5);
	assert_int_equal(nevents, 2);
	assert_int_equal(events[0].type, ZEV_NODE_DELETED);
	assert_int_equal(events[1].type, ZEV_NODE_CHILDREN_CHANGED);
	watch_free(&wm);
	tree_free(t);
}

/* The paths ZooKeeper forbids deleting. */
static void
test_special_paths(void **state)
{
	(void)state;
	assert_true(tree_is_special("/"));
	assert_true(tree_is_special("/zookeeper"));
	assert_true(tree_is_special("/zookeeper/quota"));
	assert_true(tree_is_special("/zookeeper/config"));
	assert_false(tree_is_special("/zookeeper/other"));
	assert_false(tree_is_special(""));
	assert_false(tree_is_special("/a"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fresh_tree_counts_five),
		cmocka_unit_test(test_create_stat),
		cmocka_unit_test(test_parent_cversion_only_forward),
		cmocka_unit_test(test_delete_stat),
		cmocka_unit_test(test_client_stat_as_zookeeper_shows),
		cmocka_unit_test(test_set_data_stat_and_null),
		cmocka_unit_test(test_set_acl_stat),
		cmocka_unit_test(test_ephemeral_owner_index),
		cmocka_unit_test(test_container_and_ttl_lists),
		cmocka_unit_test(test_walk_preorder_and_descendants),
		cmocka_unit_test(test_deep_tree_walk_without_recursion),
		cmocka_unit_test(test_data_size_accounting),
		cmocka_unit_test(test_watch_order_create_and_set),
		cmocka_unit_test(test_watch_order_delete),
		cmocka_unit_test(test_special_paths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
