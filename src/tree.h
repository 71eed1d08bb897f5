/* SPDX-License-Identifier: ISC */
/*
 * tree.h: the znode tree (state layer), after ZooKeeper's DataTree.
 *
 * Nodes are found by full path through a hash table and hang off their
 * parent in a red-black tree of children ordered by name.  Each node keeps
 * the persisted stat fields; numChildren and dataLength are derived.  The
 * tree also indexes ephemerals by owning session, containers and TTL nodes,
 * and fires watches (when given a watch manager) as DataTree does.
 *
 * Mutators return ZooKeeper error codes (ZERR_OK, ZERR_NONODE,
 * ZERR_NODEEXISTS) like DataTree's exceptions; validation (versions, ACLs,
 * parent kinds) belongs to prep, not here.  Only txn.c calls the mutators.
 *
 * Stats are kept as ZooKeeper persists them: cversion counts child
 * creations (sequential names come from it); tree_client_stat turns a stat
 * into what clients are shown.
 *
 * Quotas: a path P with /zookeeper/quota/P/zookeeper_limits has its node
 * count and data bytes kept in /zookeeper/quota/P/zookeeper_stats, updated
 * in place by every create, delete and setData under P (as DataTree does,
 * without a txn of its own: replaying the txns gives the same numbers).
 *
 * The root is one node, "/", reachable as "" too; node counts include
 * that alias, as ZooKeeper's do ("Node count: 5" on a fresh server).
 */
#ifndef ZK_TREE_H
#define ZK_TREE_H

#include <sys/queue.h>
#include <sys/tree.h>

#include <stdint.h>

#include "acl.h"
#include "metrics.h"
#include "proto.h"
#include "watch.h"

struct tree_node {
	struct tree_node	*parent;
	struct tree_node	*hnext;
	uint64_t		 hash;
	RB_ENTRY(tree_node)	 sib;
	RB_HEAD(tree_children, tree_node) children;
	TAILQ_ENTRY(tree_node)	 olink;		/* owner, container or ttl list */
	uint8_t			*data;
	int32_t			 data_len;
	int32_t			 nchildren;
	int64_t			 acl;
	int64_t			 czxid;
	int64_t			 mzxid;
	int64_t			 ctime;
	int64_t			 mtime;
	int64_t			 ephemeral_owner;
	int64_t			 pzxid;
	int32_t			 version;
	int32_t			 cversion;
	int32_t			 aversion;
	uint32_t		 name_off;
	uint32_t		 path_len;
	uint8_t			 null_data;	/* data is null, not empty */
	char			 path[];
};

RB_PROTOTYPE(tree_children, tree_node, sib, tree_child_cmp)

TAILQ_HEAD(tree_node_list, tree_node);

struct tree_owner {
	int64_t			 session_id;
	struct tree_node_list	 nodes;
	size_t			 count;
	RB_ENTRY(tree_owner)	 entry;
};
RB_HEAD(tree_owners, tree_owner);
RB_PROTOTYPE(tree_owners, tree_owner, entry, tree_owner_cmp)

enum tree_kind {
	TREE_KIND_PERSISTENT,
	TREE_KIND_EPHEMERAL,
	TREE_KIND_CONTAINER,
	TREE_KIND_TTL
};

struct tree {
	struct tree_node	**buckets;
	size_t			  nbuckets;
	size_t			  nnodes;	/* real nodes, root included */
	struct tree_node	 *root;
	struct acl_cache	 *acls;
	struct watch_mgr	 *watches;	/* NULL: no watches fire */
	struct tree_owners	  owners;
	struct tree_node_list	  containers;
	struct tree_node_list	  ttls;
	size_t			  nephemerals;
	int64_t			  data_size;	/* sum of path and data lengths */
	int			  extended_types; /* TTL nodes understood */
	int64_t			  last_zxid;	/* last processed txn */
	struct ns_stats		 *ns;		/* NULL: no namespace stats */
	char			**quotas;	/* paths with a quota */
	size_t			  nquotas;
};

struct tree	*tree_new(int);
struct tree	*tree_new_empty(int);
int		 tree_load_node(struct tree *, const char *,
		    const struct tree_node *);
int		 tree_load_end(struct tree *);
void		 tree_free(struct tree *);
struct tree_node *tree_lookup(const struct tree *, const char *);
void		 tree_node_stat(const struct tree_node *, struct zk_stat *);
void		 tree_client_stat(const struct tree *, struct zk_stat *);
const struct zk_acl_list *tree_node_acl(const struct tree *,
		    const struct tree_node *);
enum tree_kind	 tree_owner_kind(const struct tree *, int64_t);
int64_t		 tree_ttl_of(int64_t);

int	 tree_create(struct tree *, const char *, const void *, int32_t,
	    const struct zk_acl_list *, int64_t, int32_t, int64_t, int64_t,
	    struct zk_stat *);
int	 tree_delete(struct tree *, const char *, int64_t);
int	 tree_set_data(struct tree *, const char *, const void *, int32_t,
	    int32_t, int64_t, int64_t, struct zk_stat *);
int	 tree_set_acl(struct tree *, const char *, const struct zk_acl_list *,
	    int32_t, struct zk_stat *);
int	 tree_set_cversion_pzxid(struct tree *, const char *, int32_t, int64_t);
void	 tree_kill_session(struct tree *, int64_t, int64_t);
int	 tree_is_special(const char *);
void	 tree_setup_quotas(struct tree *);

struct tree_owner *tree_owner_find(const struct tree *, int64_t);
size_t	 tree_node_count(const struct tree *);
int64_t	 tree_descendants(const struct tree_node *);
struct tree_node *tree_walk_next(const struct tree_node *,
	    const struct tree_node *);

#define TREE_FOREACH_CHILD(c, n) \
	RB_FOREACH((c), tree_children, &(n)->children)

#define TREE_NODE_NAME(n)	((n)->path + (n)->name_off)

#endif
