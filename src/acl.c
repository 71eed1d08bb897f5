/* SPDX-License-Identifier: ISC */
/*
 * acl.c: the ACL cache, permission checks and the auth providers' rules
 * (state layer).
 *
 * Providers follow ZooKeeper's built-in ones: digest (an id is
 * "user:base64(sha1(user:password))"; authenticating never fails, the id is
 * derived from whatever the client sends) and ip (IPv4 address with an
 * optional /bits mask; the connection's address is its id from the start).
 * The super id, granted by a digest equal to the configured super digest,
 * passes every check.
 */
#include <sys/tree.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <sha1.h>

#include "acl.h"
#include "util.h"
#include "xmalloc.h"

struct acl_entry {
	int64_t			 index;
	int64_t			 refs;
	struct zk_acl_list	 list;
	RB_ENTRY(acl_entry)	 by_index;
	RB_ENTRY(acl_entry)	 by_list;
};

RB_HEAD(acl_index_tree, acl_entry);
RB_HEAD(acl_list_tree, acl_entry);

struct acl_cache {
	struct acl_index_tree	 by_index;
	struct acl_list_tree	 by_list;
	int64_t			 last_index;
	size_t			 count;
};

int	 acl_index_cmp(struct acl_entry *, struct acl_entry *);
int	 acl_list_cmp(struct acl_entry *, struct acl_entry *);
RB_PROTOTYPE(acl_index_tree, acl_entry, by_index, acl_index_cmp)
RB_PROTOTYPE(acl_list_tree, acl_entry, by_list, acl_list_cmp)
RB_GENERATE(acl_index_tree, acl_entry, by_index, acl_index_cmp)
RB_GENERATE(acl_list_tree, acl_entry, by_list, acl_list_cmp)

static char	 world[] = "world", anyone[] = "anyone";
static struct zk_acl	 open_acl[] = {
	{ ZPERM_ALL, { world, anyone } }
};
static struct zk_acl	 read_acl[] = {
	{ ZPERM_READ, { world, anyone } }
};
static const struct zk_acl_list open_list = { 1, open_acl };
static const struct zk_acl_list read_list = { 1, read_acl };

/* world:anyone with every permission (ZooDefs.Ids.OPEN_ACL_UNSAFE). */
const struct zk_acl_list *
acl_open_unsafe(void)
{
	return &open_list;
}

/* world:anyone read only (ZooDefs.Ids.READ_ACL_UNSAFE). */
const struct zk_acl_list *
acl_read_unsafe(void)
{
	return &read_list;
}

int
acl_index_cmp(struct acl_entry *a, struct acl_entry *b)
{
	return a->index < b->index ? -1 : a->index > b->index;
}

static int
acl_str_cmp(const char *a, const char *b)
{
	return strcmp(a != NULL ? a : "", b != NULL ? b : "");
}

int
acl_list_cmp(struct acl_entry *a, struct acl_entry *b)
{
	int32_t	 i;
	int	 c;

	if (a->list.n != b->list.n)
		return a->list.n < b->list.n ? -1 : 1;
	for (i = 0; i < a->list.n; i++) {
		if (a->list.v[i].perms != b->list.v[i].perms)
			return a->list.v[i].perms < b->list.v[i].perms ? -1 : 1;
		if ((c = acl_str_cmp(a->list.v[i].id.scheme,
		    b->list.v[i].id.scheme)) != 0)
			return c;
		if ((c = acl_str_cmp(a->list.v[i].id.id,
		    b->list.v[i].id.id)) != 0)
			return c;
	}
	return 0;
}

struct acl_cache *
acl_cache_new(void)
{
	struct acl_cache	*c;

	c = xcalloc(1, sizeof(*c));
	RB_INIT(&c->by_index);
	RB_INIT(&c->by_list);
	return c;
}

static void
acl_cache_remove(struct acl_cache *c, struct acl_entry *e)
{
	RB_REMOVE(acl_index_tree, &c->by_index, e);
	RB_REMOVE(acl_list_tree, &c->by_list, e);
	proto_acl_list_free(&e->list);
	free(e);
	c->count--;
}

void
acl_cache_free(struct acl_cache *c)
{
	struct acl_entry	*e;

	if (c == NULL)
		return;
	while ((e = RB_ROOT(&c->by_index)) != NULL)
		acl_cache_remove(c, e);
	free(c);
}

/*
 * The number of a list, adding it if new; takes one reference
 * (convertAcls).  NULL maps to the open list.
 */
int64_t
acl_cache_intern(struct acl_cache *c, const struct zk_acl_list *l)
{
	struct acl_entry	 key, *e;

	if (l == NULL)
		return ACL_OPEN_UNSAFE;
	key.list = *l;
	if ((e = RB_FIND(acl_list_tree, &c->by_list, &key)) == NULL) {
		e = xcalloc(1, sizeof(*e));
		e->index = ++c->last_index;
		proto_acl_list_copy(&e->list, l);
		RB_INSERT(acl_index_tree, &c->by_index, e);
		RB_INSERT(acl_list_tree, &c->by_list, e);
		c->count++;
	}
	e->refs++;
	return e->index;
}

static struct acl_entry *
acl_cache_find(struct acl_cache *c, int64_t index)
{
	struct acl_entry	 key;

	key.index = index;
	return RB_FIND(acl_index_tree, &c->by_index, &key);
}

/* The list of a number, or NULL for a number the cache does not know. */
const struct zk_acl_list *
acl_cache_get(struct acl_cache *c, int64_t index)
{
	struct acl_entry	*e;

	if (index == ACL_OPEN_UNSAFE)
		return &open_list;
	if ((e = acl_cache_find(c, index)) == NULL)
		return NULL;
	return &e->list;
}

/* Adds a reference to a known number (a node read from a snapshot). */
void
acl_cache_ref(struct acl_cache *c, int64_t index)
{
	struct acl_entry	*e;

	if ((e = acl_cache_find(c, index)) != NULL)
		e->refs++;
}

/* Drops a reference; the entry goes with its last one (removeUsage). */
void
acl_cache_unref(struct acl_cache *c, int64_t index)
{
	struct acl_entry	*e;

	if (index == ACL_OPEN_UNSAFE || (e = acl_cache_find(c, index)) == NULL)
		return;
	if (--e->refs <= 0)
		acl_cache_remove(c, e);
}

size_t
acl_cache_count(const struct acl_cache *c)
{
	return c->count;
}

void
acl_cache_foreach(struct acl_cache *c,
    void (*fn)(int64_t, const struct zk_acl_list *, void *), void *arg)
{
	struct acl_entry	*e;

	RB_FOREACH(e, acl_index_tree, &c->by_index)
		fn(e->index, &e->list, arg);
}

/*
 * Adds an entry under a given number with no reference yet (loading a
 * snapshot).  Returns -1 if the number or the list is already present.
 */
int
acl_cache_put(struct acl_cache *c, int64_t index, const struct zk_acl_list *l)
{
	struct acl_entry	*e;

	e = xcalloc(1, sizeof(*e));
	e->index = index;
	proto_acl_list_copy(&e->list, l);
	if (RB_FIND(acl_index_tree, &c->by_index, e) != NULL ||
	    RB_FIND(acl_list_tree, &c->by_list, e) != NULL) {
		proto_acl_list_free(&e->list);
		free(e);
		return -1;
	}
	RB_INSERT(acl_index_tree, &c->by_index, e);
	RB_INSERT(acl_list_tree, &c->by_list, e);
	c->count++;
	if (index > c->last_index)
		c->last_index = index;
	return 0;
}

/* Drops entries no node refers to (after loading a snapshot). */
void
acl_cache_purge_unused(struct acl_cache *c)
{
	struct acl_entry	*e, *next;

	RB_FOREACH_SAFE(e, acl_index_tree, &c->by_index, next)
		if (e->refs <= 0)
			acl_cache_remove(c, e);
}

static int
acl_parse_v4(const char *s, uint8_t out[4])
{
	const char	*p = s;
	char		*end;
	long		 v;
	int		 i;

	for (i = 0; i < 4; i++) {
		if (*p == '+')
			p++;	/* Integer.parseInt takes a sign */
		if (*p < '0' || *p > '9')
			return -1;
		v = strtol(p, &end, 10);
		if (end == p || v < 0 || v > 255)
			return -1;
		out[i] = (uint8_t)v;
		p = end;
		if (i < 3) {
			if (*p != '.')
				return -1;
			p++;
		}
	}
	return *p == '\0' ? 0 : -1;
}

/* Splits "addr[/bits]"; returns the bits (32 if absent) or -1. */
static int
acl_parse_cidr(const char *expr, uint8_t addr[4])
{
	char		 buf[64], *slash, *end;
	long		 bits = 32;

	if (strlcpy(buf, expr, sizeof(buf)) >= sizeof(buf))
		return -1;
	if ((slash = strchr(buf, '/')) != NULL) {
		*slash++ = '\0';
		if (*slash == '\0')
			return -1;
		bits = strtol(slash, &end, 10);
		if (*end != '\0' || bits < 0 || bits > 32)
			return -1;
	}
	if (acl_parse_v4(buf, addr) == -1)
		return -1;
	return (int)bits;
}

/* Whether an ip ACL expression ("10.0.0.0/8") is well formed. */
int
acl_ip_valid(const char *expr)
{
	uint8_t	 addr[4];

	return acl_parse_cidr(expr, addr) != -1;
}

/* Whether the client address id falls in the ACL expression's network. */
int
acl_ip_matches(const char *id, const char *expr)
{
	uint8_t	 a[4], b[4];
	int	 bits, i, m;

	if ((bits = acl_parse_cidr(expr, a)) == -1 || acl_parse_v4(id, b) == -1)
		return 0;
	for (i = 0; i < 4; i++) {
		m = bits >= 8 ? 0xff : bits <= 0 ? 0 : (0xff << (8 - bits)) & 0xff;
		if ((a[i] & m) != (b[i] & m))
			return 0;
		bits -= 8;
	}
	return 1;
}

/*
 * Java's id.split(":").length == 2: the parts between colons, trailing
 * empty ones dropped, must be exactly two ("a:b:" is valid, "a:" not).
 */
static int
acl_digest_valid(const char *id)
{
	size_t	 len = strlen(id), parts = 1;
	const char *p;

	while (len > 0 && id[len - 1] == ':')
		len--;
	if (len == 0)
		return 0;
	for (p = id; p < id + len; p++)
		if (*p == ':')
			parts++;
	return parts == 2;
}

/* Whether a scheme has a provider here (ip, digest). */
int
acl_scheme_known(const char *scheme)
{
	return strcmp(scheme, "digest") == 0 || strcmp(scheme, "ip") == 0;
}

/*
 * The digest id of "user:password": "user:" + base64(sha1(user:password)).
 * Returns 0, or -1 if out is too small.
 */
int
acl_digest(const char *userpass, char *out, size_t len)
{
	SHA1_CTX	 ctx;
	uint8_t		 md[SHA1_DIGEST_LENGTH];
	char		 b64[64];
	const char	*colon;
	size_t		 ulen;

	SHA1Init(&ctx);
	SHA1Update(&ctx, (const uint8_t *)userpass, strlen(userpass));
	SHA1Final(md, &ctx);
	util_base64(md, sizeof(md), b64, sizeof(b64));
	colon = strchr(userpass, ':');
	ulen = colon != NULL ? (size_t)(colon - userpass) : strlen(userpass);
	if (ulen + 1 + strlen(b64) + 1 > len)
		return -1;
	memcpy(out, userpass, ulen);
	out[ulen] = ':';
	strlcpy(out + ulen + 1, b64, len - ulen - 1);
	return 0;
}

/*
 * Checks perm against a node's ACL list for a connection with the given
 * identities.  Returns ZERR_OK or ZERR_NOAUTH (ZooKeeperServer.checkACL).
 */
int
acl_check(const struct zk_acl_list *acl, int32_t perm,
    const struct acl_ids *ids, int skip)
{
	const struct zk_acl	*a;
	const struct zk_id	*id;
	int32_t			 i, j;

	if (skip || acl == NULL || acl->n == 0)
		return ZERR_OK;
	if (acl_ids_has_scheme(ids, "super"))
		return ZERR_OK;
	for (i = 0; i < acl->n; i++) {
		a = &acl->v[i];
		if ((a->perms & perm) == 0)
			continue;
		if (strcmp(a->id.scheme, "world") == 0 &&
		    strcmp(a->id.id, "anyone") == 0)
			return ZERR_OK;
		if (!acl_scheme_known(a->id.scheme))
			continue;
		for (j = 0; j < ids->n; j++) {
			id = &ids->v[j];
			if (strcmp(id->scheme, a->id.scheme) != 0)
				continue;
			if (strcmp(a->id.scheme, "ip") == 0 ?
			    acl_ip_matches(id->id, a->id.id) :
			    strcmp(id->id, a->id.id) == 0)
				return ZERR_OK;
		}
	}
	return ZERR_NOAUTH;
}

static void
acl_list_append(struct zk_acl_list *l, int32_t perms, const char *scheme,
    const char *id)
{
	l->v = xreallocarray(l->v, (size_t)l->n + 1, sizeof(*l->v));
	l->v[l->n].perms = perms;
	l->v[l->n].id.scheme = xstrdup(scheme);
	l->v[l->n].id.id = xstrdup(id);
	l->n++;
}

/*
 * Validates a client's ACL list into out (PrepRequestProcessor.fixupACL):
 * duplicates dropped, "auth" replaced by each authenticated identity of the
 * connection, every other id checked by its scheme's provider.  Returns
 * ZERR_OK, or ZERR_INVALIDACL with out empty.
 */
int
acl_fixup(const struct zk_acl_list *in, const struct acl_ids *ids,
    struct zk_acl_list *out)
{
	const struct zk_acl	*a;
	int32_t			 i, j;
	int			 authed;

	out->n = 0;
	out->v = NULL;
	for (i = 0; i < in->n; i++) {
		a = &in->v[i];
		if (a->id.scheme == NULL || a->id.id == NULL)
			goto invalid;
		/* Duplicates in the client's list go (removeDuplicates). */
		for (j = 0; j < i; j++)
			if (in->v[j].perms == a->perms &&
			    in->v[j].id.scheme != NULL && in->v[j].id.id != NULL &&
			    strcmp(in->v[j].id.scheme, a->id.scheme) == 0 &&
			    strcmp(in->v[j].id.id, a->id.id) == 0)
				break;
		if (j < i)
			continue;
		if (strcmp(a->id.scheme, "world") == 0 &&
		    strcmp(a->id.id, "anyone") == 0) {
			acl_list_append(out, a->perms, "world", "anyone");
		} else if (strcmp(a->id.scheme, "auth") == 0) {
			authed = 0;
			for (j = 0; j < ids->n; j++) {
				/* Only digest identities are "authenticated". */
				if (strcmp(ids->v[j].scheme, "digest") != 0)
					continue;
				authed = 1;
				acl_list_append(out, a->perms,
				    ids->v[j].scheme, ids->v[j].id);
			}
			if (!authed)
				goto invalid;
		} else if (strcmp(a->id.scheme, "digest") == 0) {
			if (!acl_digest_valid(a->id.id))
				goto invalid;
			acl_list_append(out, a->perms, a->id.scheme, a->id.id);
		} else if (strcmp(a->id.scheme, "ip") == 0) {
			if (!acl_ip_valid(a->id.id))
				goto invalid;
			acl_list_append(out, a->perms, a->id.scheme, a->id.id);
		} else
			goto invalid;
	}
	if (out->n == 0)
		goto invalid;
	return ZERR_OK;
invalid:
	proto_acl_list_free(out);
	return ZERR_INVALIDACL;
}

/* The user part whoAmI reports for an identity. */
const char *
acl_user_name(const struct zk_id *id)
{
	static char	 buf[256];
	const char	*colon;

	if (strcmp(id->scheme, "digest") == 0) {
		colon = strchr(id->id, ':');
		if (colon == NULL)
			return id->id;
		strlcpy(buf, id->id, sizeof(buf));
		if ((size_t)(colon - id->id) < sizeof(buf))
			buf[colon - id->id] = '\0';
		return buf;
	}
	if (strcmp(id->scheme, "ip") == 0)
		return id->id;
	return "";
}

/* Adds an identity unless the connection has it already (a set). */
void
acl_ids_add(struct acl_ids *ids, const char *scheme, const char *id)
{
	int32_t	 i;

	for (i = 0; i < ids->n; i++)
		if (strcmp(ids->v[i].scheme, scheme) == 0 &&
		    strcmp(ids->v[i].id, id) == 0)
			return;
	ids->v = xreallocarray(ids->v, (size_t)ids->n + 1, sizeof(*ids->v));
	ids->v[ids->n].scheme = xstrdup(scheme);
	ids->v[ids->n].id = xstrdup(id);
	ids->n++;
}

int
acl_ids_has_scheme(const struct acl_ids *ids, const char *scheme)
{
	int32_t	 i;

	for (i = 0; i < ids->n; i++)
		if (strcmp(ids->v[i].scheme, scheme) == 0)
			return 1;
	return 0;
}

void
acl_ids_free(struct acl_ids *ids)
{
	int32_t	 i;

	for (i = 0; i < ids->n; i++) {
		free(ids->v[i].scheme);
		free(ids->v[i].id);
	}
	free(ids->v);
	ids->v = NULL;
	ids->n = 0;
}
