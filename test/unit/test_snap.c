/* SPDX-License-Identifier: ISC */
/*
 * test_snap.c: snapshots (FileSnap format).  Random trees of a few
 * hundred nodes (seeded, so every run is the same) with null, empty and
 * binary data, shared ACL lists of the world, digest and ip schemes,
 * ephemerals of several sessions, sequential names, containers and TTL
 * nodes, after setData, setACL and deletes, come back from snap_read node
 * for node (path, data, ACL number and list, every stat field, the
 * ephemeral, container and TTL indexes) with every session and timeout.
 * A snapshot with any one byte changed, or cut anywhere, is refused.
 *
 * On the quorum port (snapwire.c): a snapshot's body followed by the
 * signature, arriving in random pieces, is found to end exactly where it
 * does, and made whole again gives the very same file; a wrong signature
 * or an impossible count or length is refused, a stream cut short waits.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "unit_util.h"

#include "acl.h"
#include "proto.h"
#include "session.h"
#include "snap.h"
#include "jute.h"
#include "snapwire.h"
#include "tree.h"
#include "util.h"
#include "xmalloc.h"

#define MAXBUF		(1024 * 1024)
#define NSESSIONS	8
#define NACLS		6
#define SID_BASE	((int64_t)0x0100000000000000LL)
#define TTL_OWNER(ms)	(EOWNER_EXTENDED_MASK | ((ms) & EOWNER_TTL_MAX))
#define MARKER		"snapshot-marker-0123456789"

/* Sessions snap_read handed back. */
struct seen {
	int64_t		 id[64];
	int32_t		 timeout[64];
	size_t		 n;
};

static char		 dir[256];
static struct zk_acl	 acl_v[NACLS][3];
static struct zk_acl_list acls[NACLS];

static int	 setup(void **);
static int	 teardown(void **);
static void	 acls_init(void);
static const struct zk_acl_list *pick_acl(struct unit_rng *);
static void	 rand_data(struct unit_rng *, uint8_t *, int32_t *);
static void	 build_tree(struct unit_rng *, struct tree *, struct session_table *,
		    int, int64_t *);
static void	 seen_cb(void *, int64_t, int32_t);
static void	 same_acl(const struct zk_acl_list *, const struct zk_acl_list *);
static void	 same_node(struct tree *, const struct tree_node *,
		    struct tree *, const struct tree_node *);
static void	 same_tree(struct tree *, struct tree *);
static void	 same_sessions(struct session_table *, const struct seen *);
static size_t	 list_len(const struct tree_node_list *);
static void	 round_trip(uint64_t, int);

static void	 wire_round_trip(uint64_t, int);

static int
setup(void **state)
{
	(void)state;
	return unit_tmpdir(dir, sizeof(dir), "test_snap");
}

static int
teardown(void **state)
{
	(void)state;
	return unit_rmtree(dir);
}

/*
 * The lists nodes share: world with all or read rights, a digest user,
 * ip ranges, and mixtures of schemes in one list.
 */
static void
acls_init(void)
{
	static char	 world[] = "world", anyone[] = "anyone";
	static char	 digest[] = "digest", ip[] = "ip";
	static char	 bob[] = "bob:Ls7RBYf0RZEcD6GfjpPAmTxgC1o=";
	static char	 eve[] = "eve:Gms1pK8F0tlIYqPjJZ0yGu7bWxk=";
	static char	 net[] = "10.0.0.0/8", lo[] = "127.0.0.1";
	static const struct {
		int32_t	 perms;
		char	*scheme, *id;
	} spec[NACLS][3] = {
		{ { ZPERM_ALL, world, anyone } },
		{ { ZPERM_READ, world, anyone } },
		{ { ZPERM_ALL, digest, bob } },
		{ { ZPERM_READ | ZPERM_WRITE, ip, net },
		  { ZPERM_ALL, ip, lo } },
		{ { ZPERM_ALL, digest, bob }, { ZPERM_READ, world, anyone },
		  { ZPERM_ADMIN, ip, lo } },
		{ { ZPERM_CREATE | ZPERM_DELETE, digest, eve } },
	};
	int	 i, j;

	for (i = 0; i < NACLS; i++) {
		acls[i].v = acl_v[i];
		for (j = 0; j < 3 && spec[i][j].scheme != NULL; j++) {
			acl_v[i][j].perms = spec[i][j].perms;
			acl_v[i][j].id.scheme = spec[i][j].scheme;
			acl_v[i][j].id.id = spec[i][j].id;
		}
		acls[i].n = j;
	}
}

/* One of the lists, or NULL (the open list, number -1). */
static const struct zk_acl_list *
pick_acl(struct unit_rng *r)
{
	uint32_t	 k = unit_rng_below(r, NACLS + 1);

	return k == NACLS ? NULL : &acls[k];
}

/* Null (-1), empty, or up to 200 random bytes, zeros included. */
static void
rand_data(struct unit_rng *r, uint8_t *buf, int32_t *len)
{
	int32_t	 i;

	switch (unit_rng_below(r, 5)) {
	case 0:
		*len = -1;
		return;
	case 1:
		*len = 0;
		return;
	}
	*len = 1 + (int32_t)unit_rng_below(r, 200);
	for (i = 0; i < *len; i++)
		buf[i] = unit_rng_below(r, 5) == 0 ? 0 : (uint8_t)unit_rng_next(r);
}

/*
 * A random tree of about n nodes as txns would leave it: creates of every
 * kind under nodes that may have children, then setData, setACL and
 * deletes.  Also fills the session table; *zxid is the last zxid used.
 */
static void
build_tree(struct unit_rng *r, struct tree *t, struct session_table *st, int n,
    int64_t *zxid)
{
	char			**parents, path[512], *name;
	const char		*parent;
	uint8_t			 data[256];
	size_t			 nparents = 0, i;
	struct tree_node	*p, *c;
	int64_t			 owner, z = 0x100000000LL;
	int32_t			 len;
	int			 made = 0, k, tries;

	for (k = 0; k < NSESSIONS; k++)
		session_track(st, SID_BASE + k, 4000 + 1000 * k, 0);
	parents = xcalloc((size_t)n + 2, sizeof(*parents));
	parents[nparents++] = xstrdup("");
	/* An ACL list only one node uses, deleted below: a gap in numbers. */
	z++;
	assert_int_equal(tree_create(t, "/lonely", "x", 1, &acls[5], 0, -1,
	    z, z * 7, NULL), ZERR_OK);
	z++;
	assert_int_equal(tree_create(t, "/marker", MARKER, sizeof(MARKER) - 1,
	    NULL, 0, -1, z, z * 7, NULL), ZERR_OK);
	for (tries = 0; made < n && tries < 100 * n; tries++) {
		parent = parents[unit_rng_below(r, (uint32_t)nparents)];
		p = tree_lookup(t, *parent == '\0' ? "/" : parent);
		owner = 0;
		k = (int)unit_rng_below(r, 10);
		if (k < 2)
			owner = SID_BASE + unit_rng_below(r, NSESSIONS - 2);
		else if (k == 2)
			owner = EOWNER_CONTAINER;
		else if (k == 3)
			owner = TTL_OWNER(1000 + (int64_t)unit_rng_below(r, 99999));
		if (unit_rng_below(r, 6) == 0)	/* sequential, by cversion */
			snprintf(path, sizeof(path), "%s/seq-%010d", parent,
			    p->cversion);
		else
			snprintf(path, sizeof(path), "%s/n%u", parent,
			    unit_rng_below(r, 40));
		rand_data(r, data, &len);
		z++;
		if (tree_create(t, path, data, len, pick_acl(r), owner, -1,
		    z, z * 7, NULL) != ZERR_OK)
			continue;
		made++;
		if (tree_owner_kind(t, owner) != TREE_KIND_EPHEMERAL)
			parents[nparents++] = xstrdup(path);
	}
	assert_int_equal(made, n);

	/* Changes after creation: data, ACLs, and leaves deleted. */
	for (i = 0; i < (size_t)n / 4; i++) {
		p = tree_lookup(t, parents[1 + unit_rng_below(r,
		    (uint32_t)nparents - 1)]);
		rand_data(r, data, &len);
		z++;
		assert_int_equal(tree_set_data(t, p->path, data, len,
		    p->version + 1, z, z * 7, NULL), ZERR_OK);
		p = tree_lookup(t, parents[1 + unit_rng_below(r,
		    (uint32_t)nparents - 1)]);
		assert_int_equal(tree_set_acl(t, p->path, pick_acl(r),
		    p->aversion + 1, NULL), ZERR_OK);
	}
	for (i = 0; i < (size_t)n / 8; i++) {
		/* A parent may be gone already, deleted as a leaf. */
		p = tree_lookup(t, parents[1 + unit_rng_below(r,
		    (uint32_t)nparents - 1)]);
		if (p == NULL ||
		    (c = RB_MIN(tree_children, &p->children)) == NULL ||
		    c->nchildren != 0)
			continue;
		name = xstrdup(c->path);
		assert_int_equal(tree_delete(t, name, ++z), ZERR_OK);
		free(name);
	}
	assert_int_equal(tree_delete(t, "/lonely", ++z), ZERR_OK);
	for (i = 0; i < nparents; i++)
		free(parents[i]);
	free(parents);
	t->last_zxid = z;
	*zxid = z;
}

static void
seen_cb(void *arg, int64_t id, int32_t timeout)
{
	struct seen	*s = arg;

	if (s->n < nitems(s->id)) {
		s->id[s->n] = id;
		s->timeout[s->n] = timeout;
	}
	s->n++;
}

static void
same_acl(const struct zk_acl_list *a, const struct zk_acl_list *b)
{
	int32_t	 i;

	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		assert_int_equal(a->v[i].perms, b->v[i].perms);
		assert_string_equal(a->v[i].id.scheme, b->v[i].id.scheme);
		assert_string_equal(a->v[i].id.id, b->v[i].id.id);
	}
}

/* Two nodes alike in all that a snapshot keeps and the tree derives. */
static void
same_node(struct tree *ta, const struct tree_node *a, struct tree *tb,
    const struct tree_node *b)
{
	assert_string_equal(a->path, b->path);
	assert_int_equal(a->null_data, b->null_data);
	assert_int_equal(a->data_len, b->data_len);
	if (a->data_len > 0)
		assert_memory_equal(a->data, b->data, (size_t)a->data_len);
	assert_true(a->acl == b->acl);
	same_acl(acl_cache_get(ta->acls, a->acl), acl_cache_get(tb->acls,
	    b->acl));
	unit_same_stat(a, b);
	assert_int_equal(tree_owner_kind(ta, a->ephemeral_owner),
	    tree_owner_kind(tb, b->ephemeral_owner));
}

static size_t
list_len(const struct tree_node_list *l)
{
	const struct tree_node	*n;
	size_t			 k = 0;

	TAILQ_FOREACH(n, l, olink)
		k++;
	return k;
}

/*
 * Two trees alike: the same nodes both ways, each the same, the same
 * ACL table, ephemerals by owner, containers and TTL nodes.
 */
static void
same_tree(struct tree *a, struct tree *b)
{
	struct tree_node	*n, *m;
	struct tree_owner	*o, *p;
	size_t			 count = 0;

	assert_int_equal(a->nnodes, b->nnodes);
	same_node(a, a->root, b, b->root);
	for (n = tree_walk_next(a->root, a->root); n != NULL;
	    n = tree_walk_next(a->root, n)) {
		if ((m = tree_lookup(b, n->path)) == NULL)
			fail_msg("%s is missing after reading", n->path);
		same_node(a, n, b, m);
		count++;
	}
	for (m = tree_walk_next(b->root, b->root); m != NULL;
	    m = tree_walk_next(b->root, m))
		if (tree_lookup(a, m->path) == NULL)
			fail_msg("%s appeared after reading", m->path);
	assert_int_equal(count + 1, a->nnodes);
	assert_true(a->data_size == b->data_size);
	assert_int_equal(acl_cache_count(a->acls), acl_cache_count(b->acls));
	assert_int_equal(a->nephemerals, b->nephemerals);
	RB_FOREACH(o, tree_owners, &a->owners) {
		p = tree_owner_find(b, o->session_id);
		assert_non_null(p);
		assert_int_equal(o->count, p->count);
	}
	RB_FOREACH(p, tree_owners, &b->owners)
		assert_non_null(tree_owner_find(a, p->session_id));
	assert_int_equal(list_len(&a->containers), list_len(&b->containers));
	assert_int_equal(list_len(&a->ttls), list_len(&b->ttls));
}

/* Every session of st came back once, with its timeout, and no other. */
static void
same_sessions(struct session_table *st, const struct seen *s)
{
	struct session	*x;
	size_t		 i, hits;

	assert_int_equal(s->n, st->count);
	SESSION_FOREACH(x, st) {
		hits = 0;
		for (i = 0; i < s->n; i++)
			if (s->id[i] == x->id) {
				assert_int_equal(s->timeout[i], x->timeout);
				hits++;
			}
		assert_int_equal(hits, 1);
	}
}

/* A random tree of n nodes written and read back is the same tree. */
static void
round_trip(uint64_t seed, int n)
{
	struct unit_rng		 r = { seed };
	struct tree		*t, *back;
	struct session_table	 st;
	struct seen		 seen;
	struct tree_node	*x;
	char			 path[PATH_MAX], *cause = NULL;
	uint8_t			*buf;
	size_t			 len;
	int64_t			 zxid;
	int			 kinds[4] = { 0 };

	acls_init();
	t = tree_new(1);
	session_init(&st, 1, 2000, 0);
	build_tree(&r, t, &st, n, &zxid);
	/* The tree holds every kind the test means to carry. */
	for (x = tree_walk_next(t->root, t->root); x != NULL;
	    x = tree_walk_next(t->root, x))
		kinds[tree_owner_kind(t, x->ephemeral_owner)]++;
	assert_true(kinds[TREE_KIND_EPHEMERAL] > 0 &&
	    kinds[TREE_KIND_CONTAINER] > 0 && kinds[TREE_KIND_TTL] > 0);
	assert_true(acl_cache_count(t->acls) >= NACLS - 1);

	if (snap_write(dir, zxid, t, &st, 1, &cause) == -1)
		fail_msg("snap_write: %s", cause);
	snprintf(path, sizeof(path), "%s/snapshot.%llx", dir,
	    (unsigned long long)zxid);
	buf = unit_slurp(path, &len);
	assert_memory_equal(buf, "ZKSN\0\0\0\2", 8);
	free(buf);
	snprintf(path + strlen(path), sizeof(path) - strlen(path), ".tmp");
	assert_int_equal(access(path, F_OK), -1);
	path[strlen(path) - 4] = '\0';

	memset(&seen, 0, sizeof(seen));
	if (snap_read(path, MAXBUF, 1, &back, seen_cb, &seen, &cause) == -1)
		fail_msg("snap_read: %s", cause);
	assert_non_null(back);
	same_tree(t, back);
	same_sessions(&st, &seen);
	tree_free(back);
	tree_free(t);
	session_free_all(&st);
}

/* Three seeds, a few hundred nodes each, read back exactly. */
static void
test_round_trip_random_trees(void **state)
{
	(void)state;
	round_trip(0x5eed0001ULL, 300);
	round_trip(0x5eed0002ULL, 450);
	round_trip(0x5eed0003ULL, 120);
}

/*
 * Scans stream[0..len) as it would arrive in random pieces; returns what
 * the last call said and how much had arrived then.
 */
static int
wire_scan_pieces(struct unit_rng *r, const uint8_t *stream, size_t len,
    struct snapwire_scan *s, size_t *seen)
{
	size_t	 have = 0;
	int	 rv = 0;

	snapwire_scan_init(s, MAXBUF);
	while (have < len) {
		have += 1 + unit_rng_below(r, unit_rng_below(r, 8) == 0 ?
		    4096 : 40);
		if (have > len)
			have = len;
		if ((rv = snapwire_scan(s, stream, have)) != 0)
			break;
	}
	*seen = have;
	return rv;
}

static void
wire_round_trip(uint64_t seed, int n)
{
	struct unit_rng		 r = { seed };
	struct tree		*t;
	struct session_table	 st;
	struct snapwire_scan	 s;
	struct jute_out		 o;
	char			 path[PATH_MAX], *cause = NULL;
	const uint8_t		*body;
	uint8_t			*file, *again;
	size_t			 len, blen, alen, seen;
	int64_t			 zxid;

	acls_init();
	t = tree_new(1);
	session_init(&st, 1, 2000, 0);
	build_tree(&r, t, &st, n, &zxid);
	if (snap_write(dir, zxid, t, &st, 1, &cause) == -1)
		fail_msg("snap_write: %s", cause);
	snprintf(path, sizeof(path), "%s/snapshot.%llx", dir,
	    (unsigned long long)zxid);
	file = unit_slurp(path, &len);
	assert_non_null(body = snapwire_body(file, len, &blen));
	assert_int_equal(blen, len - 29);

	/* The body, the signature, and a packet's first bytes after. */
	jute_out_init(&o);
	jute_put_raw(&o, body, blen);
	jute_put_string(&o, SNAPWIRE_SIGNATURE);
	jute_put_raw(&o, "\0\0\0\x10\0\0\0\x05", 8);
	assert_int_equal(wire_scan_pieces(&r, o.buf, o.len, &s, &seen), 1);
	assert_int_equal(s.body_len, blen);
	assert_int_equal(s.off, blen + 4 + strlen(SNAPWIRE_SIGNATURE));
	again = snapwire_file(o.buf, s.body_len, &alen);
	assert_int_equal(alen, len);
	assert_memory_equal(again, file, len);
	free(again);

	/* Cut anywhere before the signature's end: more is wanted. */
	assert_int_equal(wire_scan_pieces(&r, o.buf, s.off - 1 -
	    unit_rng_below(&r, (uint32_t)s.off - 1), &s, &seen), 0);

	/* A wrong signature is refused. */
	o.buf[blen + 4] = 'b';
	assert_int_equal(wire_scan_pieces(&r, o.buf, o.len, &s, &seen), -1);
	jute_out_free(&o);

	/* So is a negative session count, and a length beyond max. */
	jute_out_init(&o);
	jute_put_int(&o, -2);
	jute_put_raw(&o, body + 4, blen - 4);
	assert_int_equal(wire_scan_pieces(&r, o.buf, o.len, &s, &seen), -1);
	jute_out_reset(&o);
	jute_put_int(&o, 0);
	jute_put_int(&o, 0);
	jute_put_int(&o, MAXBUF + 1);
	assert_int_equal(wire_scan_pieces(&r, o.buf, o.len, &s, &seen), -1);
	jute_out_free(&o);

	/* Not a file: no body. */
	file[0] ^= 1;
	assert_null(snapwire_body(file, len, &blen));
	free(file);
	tree_free(t);
	session_free_all(&st);
}

/* Seeded trees through the wire translation, byte for byte. */
static void
test_wire_random_trees(void **state)
{
	(void)state;
	wire_round_trip(0x5eed0101ULL, 300);
	wire_round_trip(0x5eed0102ULL, 40);
	wire_round_trip(0x5eed0103ULL, 700);
}

/* A fresh tree with no session table reads back as a fresh tree. */
static void
test_round_trip_fresh_tree(void **state)
{
	struct tree	*t, *back;
	struct seen	 seen;
	char		 path[PATH_MAX], *cause = NULL;

	(void)state;
	t = tree_new(0);
	assert_int_equal(snap_write(dir, 0, t, NULL, 0, &cause), 0);
	snprintf(path, sizeof(path), "%s/snapshot.0", dir);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(snap_read(path, MAXBUF, 0, &back, seen_cb, &seen,
	    &cause), 0);
	assert_int_equal(seen.n, 0);
	same_tree(t, back);
	assert_non_null(tree_lookup(back, "/zookeeper/config"));
	tree_free(back);
	tree_free(t);
}

/*
 * Any one byte changed anywhere in a snapshot makes snap_read refuse it
 * (the seal's Adler32 covers all before it); a change in node data
 * reports the checksum.
 */
static void
test_damaged_byte_rejected(void **state)
{
	struct unit_rng		 r = { 0xbadULL };
	struct tree		*t, *back;
	struct session_table	 st;
	struct seen		 seen;
	char			 path[PATH_MAX], bad[PATH_MAX], *cause = NULL;
	uint8_t			*buf, *at, b;
	size_t			 len, i;
	int64_t			 zxid;
	int			 fd;

	(void)state;
	acls_init();
	t = tree_new(1);
	session_init(&st, 1, 2000, 0);
	build_tree(&r, t, &st, 12, &zxid);
	assert_int_equal(snap_write(dir, zxid, t, &st, 0, &cause), 0);
	snprintf(path, sizeof(path), "%s/snapshot.%llx", dir,
	    (unsigned long long)zxid);
	snprintf(bad, sizeof(bad), "%s/damaged", dir);
	buf = unit_slurp(path, &len);

	/* The control: an unchanged copy reads. */
	unit_spit(bad, buf, len);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(snap_read(bad, MAXBUF, 1, &back, seen_cb, &seen,
	    &cause), 0);
	tree_free(back);

	assert_int_not_equal(fd = open(bad, O_RDWR), -1);
	for (i = 0; i < len; i++) {
		/* Changed in place: no rewrite of the whole file each time. */
		b = buf[i] ^ 0x5a;
		assert_int_equal(pwrite(fd, &b, 1, (off_t)i), 1);
		cause = NULL;
		back = t;	/* must come back NULL */
		if (snap_read(bad, MAXBUF, 1, &back, seen_cb, &seen,
		    &cause) != -1)
			fail_msg("byte %zu of %zu changed, yet read", i, len);
		assert_null(back);
		assert_non_null(cause);
		assert_non_null(strstr(cause, bad));
		free(cause);
		assert_int_equal(pwrite(fd, &buf[i], 1, (off_t)i), 1);
	}
	close(fd);

	/* Inside a node's data only the checksum can tell. */
	assert_non_null(at = memmem(buf, len, MARKER, sizeof(MARKER) - 1));
	at[3] ^= 0x01;
	unit_spit(bad, buf, len);
	cause = NULL;
	assert_int_equal(snap_read(bad, MAXBUF, 1, &back, NULL, NULL, &cause),
	    -1);
	assert_non_null(strstr(cause, "checksum"));
	free(cause);
	free(buf);
	tree_free(t);
	session_free_all(&st);
}

/* A snapshot cut at any length is refused. */
static void
test_truncated_rejected(void **state)
{
	struct unit_rng		 r = { 0xcafeULL };
	struct tree		*t, *back;
	struct session_table	 st;
	char			 path[PATH_MAX], cut[PATH_MAX], *cause = NULL;
	uint8_t			*buf;
	size_t			 len, i;
	int64_t			 zxid;

	(void)state;
	acls_init();
	t = tree_new(1);
	session_init(&st, 1, 2000, 0);
	build_tree(&r, t, &st, 30, &zxid);
	assert_int_equal(snap_write(dir, zxid, t, &st, 0, &cause), 0);
	snprintf(path, sizeof(path), "%s/snapshot.%llx", dir,
	    (unsigned long long)zxid);
	snprintf(cut, sizeof(cut), "%s/cut", dir);
	buf = unit_slurp(path, &len);
	unit_spit(cut, buf, len);
	for (i = len; i-- > 0;) {
		assert_int_equal(truncate(cut, (off_t)i), 0);
		cause = NULL;
		if (snap_read(cut, MAXBUF, 1, &back, NULL, NULL, &cause) != -1)
			fail_msg("cut to %zu of %zu bytes, yet read", i, len);
		assert_null(back);
		assert_non_null(cause);
		free(cause);
	}
	unit_spit(cut, buf, len);
	assert_int_equal(snap_read(cut, MAXBUF, 1, &back, NULL, NULL, &cause),
	    0);
	same_tree(t, back);
	tree_free(back);
	free(buf);
	tree_free(t);
	session_free_all(&st);
}

/* Writing into a directory that is not there fails, naming the file. */
static void
test_write_failure_reported(void **state)
{
	struct tree	*t;
	char		 path[PATH_MAX], *cause = NULL;

	(void)state;
	t = tree_new(0);
	snprintf(path, sizeof(path), "%s/absent", dir);
	assert_int_equal(snap_write(path, 5, t, NULL, 1, &cause), -1);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "absent/snapshot.5"));
	free(cause);
	tree_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip_random_trees,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_round_trip_fresh_tree,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_wire_random_trees,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged_byte_rejected,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_rejected,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_failure_reported,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
