/* SPDX-License-Identifier: ISC */
/*
 * acl.h: access control (state layer).
 *
 * The ACL cache maps each distinct ACL list to a number that nodes store,
 * with reference counts, as ZooKeeper's ReferenceCountedACLCache does (the
 * snapshot stores the map, the nodes store the numbers).  Number -1 is the
 * open list world:anyone ALL without an entry.
 *
 * acl_check decides a permission against a node's list and a connection's
 * identities (schemes world, digest, ip, and super which passes everything);
 * acl_fixup validates a list a client sends and expands the auth scheme.
 */
#ifndef ZK_ACL_H
#define ZK_ACL_H

#include <stdint.h>

#include "proto.h"

#define ACL_OPEN_UNSAFE	((int64_t)-1)

struct acl_cache;

/* A connection's identities (ServerCnxn.authInfo). */
struct acl_ids {
	int32_t		 n;
	struct zk_id	*v;
};

struct acl_cache *acl_cache_new(void);
void	 acl_cache_free(struct acl_cache *);
int64_t	 acl_cache_intern(struct acl_cache *, const struct zk_acl_list *);
const struct zk_acl_list *acl_cache_get(struct acl_cache *, int64_t);
void	 acl_cache_ref(struct acl_cache *, int64_t);
void	 acl_cache_unref(struct acl_cache *, int64_t);
size_t	 acl_cache_count(const struct acl_cache *);
void	 acl_cache_foreach(struct acl_cache *,
	    void (*)(int64_t, const struct zk_acl_list *, void *), void *);
int	 acl_cache_put(struct acl_cache *, int64_t, const struct zk_acl_list *);
void	 acl_cache_purge_unused(struct acl_cache *);

const struct zk_acl_list *acl_open_unsafe(void);
const struct zk_acl_list *acl_read_unsafe(void);

int	 acl_check(const struct zk_acl_list *, int32_t, const struct acl_ids *,
	    int);
int	 acl_fixup(const struct zk_acl_list *, const struct acl_ids *,
	    struct zk_acl_list *);
int	 acl_digest(const char *, char *, size_t);
int	 acl_ip_matches(const char *, const char *);
int	 acl_ip_valid(const char *);
const char *acl_user_name(const struct zk_id *);
int	 acl_scheme_known(const char *);

void	 acl_ids_add(struct acl_ids *, const char *, const char *);
int	 acl_ids_has_scheme(const struct acl_ids *, const char *);
void	 acl_ids_free(struct acl_ids *);

#endif
