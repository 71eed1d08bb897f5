/* SPDX-License-Identifier: ISC */
/*
 * prep.h: the prep stage (pipeline layer), after PrepRequestProcessor.
 *
 * prep turns each write request into a txn with its own zxid, or into an
 * error txn (a failed write still takes a zxid, as in ZooKeeper), checking
 * paths, versions, ACLs and node kinds against the tree as it will be once
 * every earlier txn applies.  Txns prepared but not yet applied are
 * remembered as change records (ZooKeeper's outstandingChanges), keyed by
 * path, and dropped by prep_applied once the tree has caught up.  Reads
 * are only checked for a live session here; final serves them.
 */
#ifndef ZK_PREP_H
#define ZK_PREP_H

#include <sys/queue.h>

#include <stdint.h>

struct request;
struct session_table;
struct tree;

struct prep_change;

struct prep {
	struct tree		*tree;
	struct session_table	*sessions;
	int64_t			 last_zxid;	/* last zxid handed out */
	TAILQ_HEAD(prep_change_list, prep_change) changes;	/* oldest first */
	struct prep_change	**buckets;
	size_t			 nbuckets;
	size_t			 nchanges;
	int			 skip_acl;
	int			 extended_types;
	int			 reconfig_enabled;
	uint64_t		 queued;	/* outstanding changes queued */
	uint64_t		 removed;	/* and removed */
};

void	 prep_init(struct prep *, struct tree *, struct session_table *);
void	 prep_free(struct prep *);
void	 prep_request(struct prep *, struct request *, int64_t, int64_t);
void	 prep_applied(struct prep *, int64_t);
int	 prep_validate_path(const char *);

#endif
