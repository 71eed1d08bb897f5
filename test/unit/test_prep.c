/* SPDX-License-Identifier: ISC */
/*
 * test_prep.c: the prep stage, with txn and final behind it.  Requests are
 * decoded from frames as a connection would, prepared, and (where the test
 * needs the outcome) applied and answered by final through a fake client
 * that keeps the last reply.  Checks the error codes and their order of
 * PrepRequestProcessor for each write, zxids of failed writes, sequential
 * names across pending creates, multi's all-or-nothing and its rollback,
 * closeSession's ephemerals, and PathUtils.validatePath.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "acl.h"
#include "final.h"
#include "jute.h"
#include "prep.h"
#include "proto.h"
#include "request.h"
#include "session.h"
#include "tree.h"
#include "txn.h"
#include "watch.h"
#include "xmalloc.h"

#define MAXBUF		(1024 * 1024)
#define SID		((int64_t)0x0100000000000001LL)
#define OTHER		((int64_t)0x0100000000000002LL)
#define GHOST		((int64_t)0x0100000000000009LL)
#define WALL		((int64_t)1700000000000LL)
#define BASE_ZXID	((int64_t)100)

struct acl_spec {
	int32_t		 perms;
	const char	*scheme;
	const char	*id;
};

struct result {
	int32_t		 type;
	int32_t		 err;
	char		 path[64];
	struct zk_stat	 stat;
};

struct fx {
	struct tree		*t;
	struct session_table	 st;
	struct watch_mgr	 wm;
	struct prep		 p;
	struct final		 f;
	struct client		 c;		/* session SID, digest bob:h */
	struct client		 other;		/* session OTHER */
	struct client		 ghost;		/* a session nobody knows */
	struct jute_out		 reply;		/* last frame sent */
	int			 nreplies;
};

static const struct acl_spec	 OPEN[] = { { ZPERM_ALL, "world", "anyone" } };
static struct fx		*cur;

static int	 setup(void **);
static int	 teardown(void **);
static void	 fake_send(struct client *, const uint8_t *, size_t);
static void	 fake_finished(struct client *, const struct request *,
		    int32_t, int64_t);
static void	 fake_ready(struct client *);
static void	 fx_node(struct fx *, const char *, int32_t, const char *,
		    const char *, int64_t);
static void	 put_acls(struct jute_out *, const struct acl_spec *, int);
static void	 body_create(struct jute_out *, const char *,
		    const struct acl_spec *, int, int32_t);
static void	 put_create(struct jute_out *, int32_t, const char *,
		    const struct acl_spec *, int, int32_t, int64_t);
static void	 put_path_version(struct jute_out *, int32_t, const char *,
		    int32_t);
static void	 put_set_data(struct jute_out *, const char *, const char *,
		    int32_t);
static void	 put_set_acl(struct jute_out *, const char *,
		    const struct acl_spec *, int, int32_t);
static void	 put_multi_header(struct jute_out *, int32_t, int);
static struct request *fx_request(struct client *, struct jute_out *);
static int32_t	 fx_prep(struct fx *, struct request *);
static int32_t	 fx_final(struct fx *, struct request *);
static int32_t	 fx_write(struct fx *, struct client *, struct jute_out *);
static int32_t	 reply_err(struct fx *);
static int64_t	 reply_zxid(struct fx *);
static int	 reply_multi(struct fx *, struct result *, int);
static int32_t	 fx_create(struct fx *, struct client *, const char *,
		    const struct acl_spec *, int, int32_t);

static const struct client_ops	 fake_ops = {
	fake_send, fake_finished, fake_ready
};

static void
fake_send(struct client *c, const uint8_t *buf, size_t len)
{
	(void)c;
	jute_out_reset(&cur->reply);
	jute_put_raw(&cur->reply, buf, len);
	cur->nreplies++;
}

static void
fake_finished(struct client *c, const struct request *r, int32_t err,
    int64_t zxid)
{
	(void)c;
	(void)r;
	(void)err;
	(void)zxid;
}

static void
fake_ready(struct client *c)
{
	(void)c;
}

/* A node of the starting tree, created directly (zxid 1, 2, ...). */
static void
fx_node(struct fx *x, const char *path, int32_t perms, const char *scheme,
    const char *id, int64_t owner)
{
	struct zk_acl		 a;
	struct zk_acl_list	 l = { 1, &a };

	a.perms = perms;
	a.id.scheme = (char *)(uintptr_t)scheme;
	a.id.id = (char *)(uintptr_t)id;
	if (tree_create(x->t, path, NULL, -1, &l, owner, -1,
	    x->t->last_zxid + 1, WALL, NULL) != ZERR_OK)
		fail_msg("cannot create %s", path);
	x->t->last_zxid++;
}

/*
 * The starting tree: open nodes, nodes whose ACL lacks one permission, an
 * ephemeral of another session (with a child slipped under it directly),
 * containers.
 */
static int
setup(void **state)
{
	struct fx	*x;

	x = xcalloc(1, sizeof(*x));
	cur = x;
	x->t = tree_new(0);
	fx_node(x, "/open", ZPERM_ALL, "world", "anyone", 0);
	fx_node(x, "/open/child", ZPERM_ALL, "world", "anyone", 0);
	fx_node(x, "/locked", ZPERM_ALL, "digest", "amy:x", 0);
	fx_node(x, "/locked/c", ZPERM_ALL, "world", "anyone", 0);
	fx_node(x, "/noadmin", ZPERM_ALL & ~ZPERM_ADMIN, "world", "anyone",
	    0);
	fx_node(x, "/ro", ZPERM_READ, "world", "anyone", 0);
	fx_node(x, "/noread", ZPERM_ALL & ~ZPERM_READ, "world", "anyone", 0);
	fx_node(x, "/nodelete", ZPERM_ALL & ~ZPERM_DELETE, "world",
	    "anyone", 0);
	fx_node(x, "/nodelete/c", ZPERM_ALL, "world", "anyone", 0);
	fx_node(x, "/eph", ZPERM_ALL, "world", "anyone", OTHER);
	fx_node(x, "/eph/sneaky", ZPERM_ALL, "world", "anyone", 0);
	fx_node(x, "/s", ZPERM_ALL, "world", "anyone", 0);
	fx_node(x, "/k", ZPERM_ALL, "world", "anyone", 0);
	fx_node(x, "/c", ZPERM_ALL, "world", "anyone", EOWNER_CONTAINER);
	fx_node(x, "/c2", ZPERM_ALL, "world", "anyone", EOWNER_CONTAINER);
	fx_node(x, "/c2/x", ZPERM_ALL, "world", "anyone", 0);
	x->t->last_zxid = BASE_ZXID;
	session_init(&x->st, 1, 2000, WALL);
	session_track(&x->st, SID, 30000, 0);
	session_track(&x->st, OTHER, 30000, 0);
	watch_init(&x->wm, NULL);
	x->t->watches = &x->wm;
	prep_init(&x->p, x->t, &x->st);
	final_init(&x->f, x->t, &x->st, &x->wm, &x->p);
	client_init(&x->c, &fake_ops, NULL);
	x->c.session_id = SID;
	acl_ids_add(&x->c.ids, "ip", "127.0.0.1");
	acl_ids_add(&x->c.ids, "digest", "bob:h");
	client_init(&x->other, &fake_ops, NULL);
	x->other.session_id = OTHER;
	client_init(&x->ghost, &fake_ops, NULL);
	x->ghost.session_id = GHOST;
	jute_out_init(&x->reply);
	*state = x;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*x = *state;

	client_orphan_requests(&x->c);
	client_orphan_requests(&x->other);
	client_orphan_requests(&x->ghost);
	watch_remove_watcher(&x->wm, &x->c.watcher);
	final_free(&x->f);
	prep_free(&x->p);
	watch_free(&x->wm);
	session_free_all(&x->st);
	tree_free(x->t);
	jute_out_free(&x->reply);
	free(x);
	cur = NULL;
	return 0;
}

static void
put_acls(struct jute_out *o, const struct acl_spec *a, int n)
{
	int	 i;

	jute_put_int(o, n);
	for (i = 0; i < n; i++) {
		jute_put_int(o, a[i].perms);
		jute_put_string(o, a[i].scheme);
		jute_put_string(o, a[i].id);
	}
}

static void
body_create(struct jute_out *o, const char *path, const struct acl_spec *acl,
    int nacl, int32_t flags)
{
	jute_put_string(o, path);
	jute_put_buffer(o, "d", 1);
	put_acls(o, acl, nacl);
	jute_put_int(o, flags);
}

/* A create-family frame; ttl is sent by createTTL only. */
static void
put_create(struct jute_out *o, int32_t type, const char *path,
    const struct acl_spec *acl, int nacl, int32_t flags, int64_t ttl)
{
	jute_out_init(o);
	jute_put_int(o, 1);
	jute_put_int(o, type);
	body_create(o, path, acl, nacl, flags);
	if (type == ZOP_CREATETTL)
		jute_put_long(o, ttl);
}

/* delete and check: path and version. */
static void
put_path_version(struct jute_out *o, int32_t type, const char *path,
    int32_t version)
{
	jute_out_init(o);
	jute_put_int(o, 2);
	jute_put_int(o, type);
	jute_put_string(o, path);
	jute_put_int(o, version);
}

static void
put_set_data(struct jute_out *o, const char *path, const char *data,
    int32_t version)
{
	jute_out_init(o);
	jute_put_int(o, 3);
	jute_put_int(o, ZOP_SETDATA);
	jute_put_string(o, path);
	jute_put_buffer(o, data, data != NULL ? (int32_t)strlen(data) : -1);
	jute_put_int(o, version);
}

static void
put_set_acl(struct jute_out *o, const char *path, const struct acl_spec *acl,
    int nacl, int32_t version)
{
	jute_out_init(o);
	jute_put_int(o, 4);
	jute_put_int(o, ZOP_SETACL);
	jute_put_string(o, path);
	put_acls(o, acl, nacl);
	jute_put_int(o, version);
}

/* A multi op header. */
static void
put_multi_header(struct jute_out *o, int32_t type, int done)
{
	jute_put_int(o, type);
	jute_put_bool(o, done);
	jute_put_int(o, -1);
}

/* A request as conn.c makes one: it owns the frame, req points into it. */
static struct request *
fx_request(struct client *c, struct jute_out *o)
{
	struct request	*r;

	r = request_new(c, (int32_t)jute_be32(o->buf + 4));
	r->xid = (int32_t)jute_be32(o->buf);
	r->frame = o->buf;
	r->frame_len = o->len;
	jute_out_init(o);
	if (proto_decode_request(r->frame, r->frame_len, MAXBUF, &r->req) ==
	    -1)
		fail_msg("test frame of type %d does not decode", r->type);
	return r;
}

/* Prepares r: the error its txn carries, or a read's verdict. */
static int32_t
fx_prep(struct fx *x, struct request *r)
{
	prep_request(&x->p, r, WALL + 1000, 0);
	if (r->txn == NULL)
		return r->err;
	if (r->txn->op.type == ZOP_ERROR)
		return r->txn->op.err;
	return ZERR_OK;
}

/* Applies and answers r; returns the reply header's error. */
static int32_t
fx_final(struct fx *x, struct request *r)
{
	x->nreplies = 0;
	final_request(&x->f, r);
	if (x->nreplies != 1)
		return 12345;
	return reply_err(x);
}

static int32_t
fx_write(struct fx *x, struct client *c, struct jute_out *o)
{
	struct request	*r = fx_request(c, o);

	fx_prep(x, r);
	return fx_final(x, r);
}

static int32_t
reply_err(struct fx *x)
{
	return (int32_t)jute_be32(x->reply.buf + 16);
}

static int64_t
reply_zxid(struct fx *x)
{
	return (int64_t)jute_be64(x->reply.buf + 8);
}

/* Reads a multi or multiRead reply body into res; returns the count. */
static int
reply_multi(struct fx *x, struct result *res, int max)
{
	struct jute_in	 in;
	int32_t		 type, err, n;
	const uint8_t	*b;
	int		 done, i = 0;
	char		*s;

	jute_in_init(&in, x->reply.buf + 20, x->reply.len - 20, MAXBUF);
	for (;;) {
		if (jute_get_int(&in, &type) == -1 ||
		    jute_get_bool(&in, &done) == -1 ||
		    jute_get_int(&in, &err) == -1)
			fail_msg("short multi reply");
		if (done) {
			assert_int_equal(type, -1);
			assert_int_equal(err, -1);
			break;
		}
		if (i == max)
			fail_msg("too many results");
		memset(&res[i], 0, sizeof(res[i]));
		res[i].type = type;
		res[i].err = err;
		switch (type) {
		case ZOP_ERROR:
			jute_get_int(&in, &n);
			assert_int_equal(n, err);
			break;
		case ZOP_CREATE:
		case ZOP_CREATE2:
			jute_get_string(&in, &s);
			strlcpy(res[i].path, s, sizeof(res[i].path));
			free(s);
			if (type == ZOP_CREATE2)
				proto_decode_stat(&in, &res[i].stat);
			break;
		case ZOP_SETDATA:
			proto_decode_stat(&in, &res[i].stat);
			break;
		case ZOP_GETDATA:
			jute_get_buffer(&in, &b, &n);
			proto_decode_stat(&in, &res[i].stat);
			break;
		case ZOP_GETCHILDREN:
			jute_get_count(&in, &n);
			while (n-- > 0) {
				jute_get_string(&in, &s);
				free(s);
			}
			break;
		default:
			break;
		}
		if (in.err)
			fail_msg("bad multi result %d", i);
		i++;
	}
	assert_int_equal(jute_in_left(&in), 0);
	return i;
}

/* The error prep gives a create (which is then applied). */
static int32_t
fx_create(struct fx *x, struct client *c, const char *path,
    const struct acl_spec *acl, int nacl, int32_t flags)
{
	struct jute_out	 o;
	struct request	*r;
	int32_t		 err;

	put_create(&o, ZOP_CREATE, path, acl, nacl, flags, 0);
	r = fx_request(c, &o);
	err = fx_prep(x, r);
	fx_final(x, r);
	return err;
}

/* Bad create flags are refused before anything else is looked at. */
static void
test_create_flags_checked_first(void **state)
{
	static const struct acl_spec	 bad[] = { { ZPERM_ALL, "foo", "x" } };
	struct fx			*x = *state;

	assert_int_equal(fx_create(x, &x->c, "nopath", bad, 1, 7),
	    ZERR_BADARGUMENTS);
	assert_int_equal(fx_create(x, &x->c, "/open/a", OPEN, 1, -1),
	    ZERR_BADARGUMENTS);
	assert_int_equal(fx_create(x, &x->ghost, "nopath", bad, 1, 7),
	    ZERR_BADARGUMENTS);
	assert_null(tree_lookup(x->t, "/open/a"));
}

/* TTL modes: UNIMPLEMENTED when disabled, BADARGUMENTS for a bad TTL. */
static void
test_create_ttl_disabled_and_enabled(void **state)
{
	struct fx	*x = *state;
	struct jute_out	 o;
	struct request	*r;

	put_create(&o, ZOP_CREATETTL, "nopath", OPEN, 1,
	    ZCREATE_PERSISTENT_WITH_TTL, 1000);
	assert_int_equal(fx_write(x, &x->c, &o), ZERR_UNIMPLEMENTED);
	assert_int_equal(fx_create(x, &x->c, "/open/t", OPEN, 1,
	    ZCREATE_PERSISTENT_SEQUENTIAL_WITH_TTL), ZERR_UNIMPLEMENTED);
	put_create(&o, ZOP_CREATETTL, "/open/t", OPEN, 1, ZCREATE_PERSISTENT,
	    -1);
	assert_int_equal(fx_write(x, &x->c, &o), ZERR_BADARGUMENTS);
	assert_null(tree_lookup(x->t, "/open/t"));

	x->p.extended_types = 1;
	x->t->extended_types = 1;
	put_create(&o, ZOP_CREATETTL, "/open/t", OPEN, 1,
	    ZCREATE_PERSISTENT_WITH_TTL, 0);
	assert_int_equal(fx_write(x, &x->c, &o), ZERR_BADARGUMENTS);
	put_create(&o, ZOP_CREATETTL, "/open/t", OPEN, 1,
	    ZCREATE_PERSISTENT_WITH_TTL, EOWNER_TTL_MAX + 1);
	assert_int_equal(fx_write(x, &x->c, &o), ZERR_BADARGUMENTS);
	/* A plain create with a TTL mode has no TTL (-1). */
	assert_int_equal(fx_create(x, &x->c, "/open/t", OPEN, 1,
	    ZCREATE_PERSISTENT_WITH_TTL), ZERR_BADARGUMENTS);
	/* A TTL with a mode that has none. */
	put_create(&o, ZOP_CREATETTL, "/open/t", OPEN, 1, ZCREATE_PERSISTENT,
	    100);
	assert_int_equal(fx_write(x, &x->c, &o), ZERR_BADARGUMENTS);
	/* createTTL without a TTL mode cannot make a TTL node: refused. */
	put_create(&o, ZOP_CREATETTL, "/open/t", OPEN, 1, ZCREATE_PERSISTENT,
	    -1);
	assert_int_equal(fx_write(x, &x->c, &o), ZERR_BADARGUMENTS);
	/* TTL checks come before the session check. */
	put_create(&o, ZOP_CREATETTL, "/open/t", OPEN, 1,
	    ZCREATE_PERSISTENT_WITH_TTL, 0);
	assert_int_equal(fx_write(x, &x->ghost, &o), ZERR_BADARGUMENTS);
	assert_null(tree_lookup(x->t, "/open/t"));

	put_create(&o, ZOP_CREATETTL, "/open/t", OPEN, 1,
	    ZCREATE_PERSISTENT_WITH_TTL, 5000);
	r = fx_request(&x->c, &o);
	assert_int_equal(fx_prep(x, r), ZERR_OK);
	assert_int_equal(r->txn->op.type, ZOP_CREATETTL);
	assert_true(r->txn->op.ttl == 5000);
	assert_int_equal(fx_final(x, r), ZERR_OK);
	assert_true(tree_lookup(x->t, "/open/t")->ephemeral_owner ==
	    (EOWNER_EXTENDED_MASK | 5000));
	assert_int_equal(tree_owner_kind(x->t,
	    tree_lookup(x->t, "/open/t")->ephemeral_owner), TREE_KIND_TTL);
}

/* Unknown sessions: UNKNOWNSESSION, or SESSIONEXPIRED for ephemerals. */
static void
test_create_session_checks(void **state)
{
	struct fx	*x = *state;
	struct jute_out	 o;
	struct request	*r;

	assert_int_equal(fx_create(x, &x->ghost, "/open/g", OPEN, 1,
	    ZCREATE_PERSISTENT), ZERR_UNKNOWNSESSION);
	assert_int_equal(fx_create(x, &x->ghost, "/open/g", OPEN, 1,
	    ZCREATE_EPHEMERAL), ZERR_SESSIONEXPIRED);
	/* A closing session's writes and reads are expired. */
	session_set_closing(&x->st, OTHER);
	assert_int_equal(fx_create(x, &x->other, "/open/g", OPEN, 1,
	    ZCREATE_PERSISTENT), ZERR_SESSIONEXPIRED);
	jute_out_init(&o);
	jute_put_int(&o, 9);
	jute_put_int(&o, ZOP_GETDATA);
	jute_put_string(&o, "/open");
	jute_put_bool(&o, 0);
	r = fx_request(&x->other, &o);
	assert_int_equal(fx_prep(x, r), ZERR_SESSIONEXPIRED);
	assert_null(r->txn);
	assert_int_equal(fx_final(x, r), ZERR_SESSIONEXPIRED);
	assert_null(tree_lookup(x->t, "/open/g"));
}

/*
 * create's checks in ZooKeeper's order: path shape, ACL, parent, CREATE
 * permission, the full path, existence, ephemeral parent.
 */
static void
test_create_error_order(void **state)
{
	static const struct acl_spec	 bad[] = { { ZPERM_ALL, "foo", "x" } };
	static const struct acl_spec	 auth[] = { { ZPERM_ALL, "auth", "" } };
	struct fx			*x = *state;
	const struct zk_acl_list	*acl;
	struct jute_out			 o;

	assert_int_equal(fx_create(x, &x->c, "nopath", bad, 1, 0),
	    ZERR_BADARGUMENTS);
	assert_int_equal(fx_create(x, &x->c, "", bad, 1, 0),
	    ZERR_BADARGUMENTS);
	/* A NUL inside the path. */
	jute_out_init(&o);
	jute_put_int(&o, 1);
	jute_put_int(&o, ZOP_CREATE);
	jute_put_buffer(&o, "/open/a\0b", 9);
	jute_put_buffer(&o, NULL, -1);
	put_acls(&o, bad, 1);
	jute_put_int(&o, 0);
	assert_int_equal(fx_write(x, &x->c, &o), ZERR_BADARGUMENTS);
	assert_int_equal(fx_create(x, &x->c, "/nope/a", bad, 1, 0),
	    ZERR_INVALIDACL);
	assert_int_equal(fx_create(x, &x->c, "/nope/a", NULL, 0, 0),
	    ZERR_INVALIDACL);
	assert_int_equal(fx_create(x, &x->c, "/nope/a", OPEN, 1, 0),
	    ZERR_NONODE);
	assert_int_equal(fx_create(x, &x->c, "/locked/c", OPEN, 1, 0),
	    ZERR_NOAUTH);
	assert_int_equal(fx_create(x, &x->c, "/locked/", OPEN, 1, 0),
	    ZERR_NOAUTH);
	assert_int_equal(fx_create(x, &x->c, "/open/", OPEN, 1, 0),
	    ZERR_BADARGUMENTS);
	assert_int_equal(fx_create(x, &x->c, "/open/.", OPEN, 1, 0),
	    ZERR_BADARGUMENTS);
	assert_int_equal(fx_create(x, &x->c, "/open/..", OPEN, 1, 0),
	    ZERR_BADARGUMENTS);
	assert_int_equal(fx_create(x, &x->c, "//", OPEN, 1, 0),
	    ZERR_BADARGUMENTS);
	/* "/open//b": the parent "/open/" does not exist. */
	assert_int_equal(fx_create(x, &x->c, "/open//b", OPEN, 1, 0),
	    ZERR_NONODE);
	assert_int_equal(fx_create(x, &x->c, "/open/\x01", OPEN, 1, 0),
	    ZERR_BADARGUMENTS);
	assert_int_equal(fx_create(x, &x->c, "/open/child", OPEN, 1, 0),
	    ZERR_NODEEXISTS);
	assert_int_equal(fx_create(x, &x->c, "/", OPEN, 1, 0),
	    ZERR_NODEEXISTS);
	/* Existence is checked before the ephemeral parent. */
	assert_int_equal(fx_create(x, &x->c, "/eph/sneaky", OPEN, 1, 0),
	    ZERR_NODEEXISTS);
	assert_int_equal(fx_create(x, &x->c, "/eph/new", OPEN, 1, 0),
	    ZERR_NOCHILDRENFOREPHEMERALS);
	assert_int_equal(fx_create(x, &x->c, "/eph/new", OPEN, 1,
	    ZCREATE_EPHEMERAL), ZERR_NOCHILDRENFOREPHEMERALS);
	/* A container parent is fine; so is "auth" for a digest client. */
	assert_int_equal(fx_create(x, &x->c, "/c/a", auth, 1, 0), ZERR_OK);
	acl = tree_node_acl(x->t, tree_lookup(x->t, "/c/a"));
	assert_int_equal(acl->n, 1);
	assert_string_equal(acl->v[0].id.scheme, "digest");
	assert_string_equal(acl->v[0].id.id, "bob:h");
	assert_int_equal(fx_create(x, &x->other, "/c/b", auth, 1, 0),
	    ZERR_INVALIDACL);
	assert_int_equal(fx_create(x, &x->c, "/open/e", OPEN, 1,
	    ZCREATE_EPHEMERAL), ZERR_OK);
	assert_true(tree_lookup(x->t, "/open/e")->ephemeral_owner == SID);
}

/* delete: special paths, parent, DELETE permission, node, version, children. */
static void
test_delete_error_order(void **state)
{
	static const char	*special[] = { "/", "/zookeeper",
	    "/zookeeper/quota", "/zookeeper/config", "", "nopath" };
	struct fx		*x = *state;
	struct jute_out		 o;
	size_t			 i;

	for (i = 0; i < sizeof(special) / sizeof(special[0]); i++) {
		put_path_version(&o, ZOP_DELETE, special[i], -1);
		if (fx_write(x, &x->c, &o) != ZERR_BADARGUMENTS)
			fail_msg("delete %s not BADARGUMENTS", special[i]);
	}
	/* The session is checked first. */
	put_path_version(&o, ZOP_DELETE, "/", -1);
	assert_int_equal(fx_write(x, &x->ghost, &o), ZERR_UNKNOWNSESSION);
	put_path_version(&o, ZOP_DELETE, "/nope/a", -1);
	assert_int_equal(fx_write(x, &x->c, &o), ZERR_NONODE);
	/* DELETE is checked on the parent, before the node is looked up. */
	put_path_version(&o, ZOP_DELETE, "/nodelete/c", -1);
	assert_int_equal(fx_write(x, &x->c, &o), ZERR_NOAUTH);
	put_path_version(&o, ZOP_DELETE, "/nodelete/missing", -1);
	assert_int_equal(fx_write(x, &x->c, &o), ZERR_NOAUTH);
	put_path_version(&o, ZOP_DELETE, "/open/missing", -1);
	assert_int_equal(fx_write(x, &x->c, &o), ZERR_NONODE);
	/* delete does not validate the path: "/open/" is just missing. */
	put_path_version(&o, ZOP_DELETE, "/open/child/", -1);
	assert_int_equal(fx_write(x, &x->c, &o), ZERR_NONODE);
	/* Version before emptiness. */
	put_path_version(&o, ZOP_DELETE, "/open", 5);
	assert_int_equal(fx_write(x, &x->c, &o), ZERR_BADVERSION);
	put_path_version(&o, ZOP_DELETE, "/open", -1);
	assert_int_equal(fx_write(x, &x->c, &o), ZERR_NOTEMPTY);
	put_path_version(&o, ZOP_DELETE, "/open/child", 1);
	assert_int_equal(fx_write(x, &x->c, &o), ZERR_BADVERSION);
	put_path_version(&o, ZOP_DELETE, "/open/child", 0);
	assert_int_equal(fx_write(x, &x->c, &o), ZERR_OK);
	assert_null(tree_lookup(x->t, "/open/child"));
	put_path_version(&o, ZOP_DELETE, "/open", -1);
	assert_int_equal(fx_write(x, &x->c, &o), ZERR_OK);
	put_path_version(&o, ZOP_DELETE, "/locked/c", -1);
	assert_int_equal(fx_write(x, &x->c, &o), ZERR_NOAUTH);
}

/* setData: path, node, WRITE permission, version; the version moves on. */
static void
test_set_data_errors(void **state)
{
	struct fx	*x = *state;
	struct jute_out	 o;
	struct request	*r1, *r2;

	put_set_data(&o, "/open/", "x", -1);
	assert_int_equal(fx_write(x, &x->c, &o), ZERR_BADARGUMENTS);
	put_set_data(&o, "/", "x", -1);
	assert_int_equal(fx_write(x, &x->c, &o), ZERR_OK);
	put_set_data(&o, "/nope", "x", -1);
	assert_int_equal(fx_write(x, &x->c, &o), ZERR_NONODE);
	put_set_data(&o, "/ro", "x", 7);
	assert_int_equal(fx_write(x, &x->c, &o), ZERR_NOAUTH);
	put_set_data(&o, "/open", "x", 1);
	assert_int_equal(fx_write(x, &x->c, &o), ZERR_BADVERSION);
	put_set_data(&o, "/open", "x", -1);
	assert_int_equal(fx_write(x, &x->ghost, &o), ZERR_UNKNOWNSESSION);
	/* Two pending setData: the second sees the first's version. */
	put_set_data(&o, "/open", "x", 0);
	r1 = fx_request(&x->c, &o);
	assert_int_equal(fx_prep(x, r1), ZERR_OK);
	assert_int_equal(r1->txn->op.version, 1);
	put_set_data(&o, "/open", "y", 0);
	r2 = fx_request(&x->c, &o);
	assert_int_equal(fx_prep(x, r2), ZERR_BADVERSION);
	assert_int_equal(fx_final(x, r1), ZERR_OK);
	assert_int_equal(fx_final(x, r2), ZERR_BADVERSION);
	put_set_data(&o, "/open", "y", 1);
	assert_int_equal(fx_write(x, &x->c, &o), ZERR_OK);
	assert_int_equal(tree_lookup(x->t, "/open")->version, 2);
	assert_memory_equal(tree_lookup(x->t, "/open")->data, "y", 1);
}

/* setACL: path, ACL, node, ADMIN permission, aversion. */
static void
test_set_acl_errors(void **state)
{
	static const struct acl_spec	 bad[] = { { ZPERM_ALL, "ip", "1.2" } };
	static const struct acl_spec	 ro[] = { { ZPERM_READ, "world",
	    "anyone" } };
	struct fx			*x = *state;
	struct jute_out			 o;

	put_set_acl(&o, "/open/", bad, 1, -1);
	assert_int_equal(fx_write(x, &x->c, &o), ZERR_BADARGUMENTS);
	put_set_acl(&o, "/nope", bad, 1, -1);
	assert_int_equal(fx_write(x, &x->c, &o), ZERR_INVALIDACL);
	put_set_acl(&o, "/nope", OPEN, 1, -1);
	assert_int_equal(fx_write(x, &x->c, &o), ZERR_NONODE);
	/* Every permission but ADMIN is not enough. */
	put_set_acl(&o, "/noadmin", OPEN, 1, -1);
	assert_int_equal(fx_write(x, &x->c, &o), ZERR_NOAUTH);
	put_set_acl(&o, "/open", ro, 1, 3);
	assert_int_equal(fx_write(x, &x->c, &o), ZERR_BADVERSION);
	put_set_acl(&o, "/open", ro, 1, 0);
	assert_int_equal(fx_write(x, &x->c, &o), ZERR_OK);
	assert_int_equal(tree_lookup(x->t, "/open")->aversion, 1);
	assert_int_equal(tree_lookup(x->t, "/open")->version, 0);
	put_set_acl(&o, "/open", OPEN, 1, 0);
	assert_int_equal(fx_write(x, &x->c, &o), ZERR_NOAUTH);
}

/* check: path, node, READ permission, version; nothing changes. */
static void
test_check_errors(void **state)
{
	struct fx	*x = *state;
	struct jute_out	 o;
	int64_t		 mzxid = tree_lookup(x->t, "/open")->mzxid;

	put_path_version(&o, ZOP_CHECK, "/open/", 0);
	assert_int_equal(fx_write(x, &x->c, &o), ZERR_BADARGUMENTS);
	put_path_version(&o, ZOP_CHECK, "/nope", 0);
	assert_int_equal(fx_write(x, &x->c, &o), ZERR_NONODE);
	put_path_version(&o, ZOP_CHECK, "/noread", 0);
	assert_int_equal(fx_write(x, &x->c, &o), ZERR_NOAUTH);
	put_path_version(&o, ZOP_CHECK, "/open", 1);
	assert_int_equal(fx_write(x, &x->c, &o), ZERR_BADVERSION);
	put_path_version(&o, ZOP_CHECK, "/open", 0);
	assert_int_equal(fx_write(x, &x->c, &o), ZERR_OK);
	put_path_version(&o, ZOP_CHECK, "/ro", -1);
	assert_int_equal(fx_write(x, &x->c, &o), ZERR_OK);
	assert_true(tree_lookup(x->t, "/open")->mzxid == mzxid);
	assert_int_equal(tree_lookup(x->t, "/open")->version, 0);
}

/* A failed write still takes the next zxid, and its reply carries it. */
static void
test_failed_write_takes_zxid(void **state)
{
	struct fx	*x = *state;
	struct jute_out	 o;
	struct request	*r;

	put_path_version(&o, ZOP_DELETE, "/nope", -1);
	r = fx_request(&x->c, &o);
	assert_int_equal(fx_prep(x, r), ZERR_NONODE);
	assert_true(r->txn->zxid == BASE_ZXID + 1);
	assert_int_equal(r->txn->op.type, ZOP_ERROR);
	assert_true(x->p.last_zxid == BASE_ZXID + 1);
	assert_int_equal(fx_final(x, r), ZERR_NONODE);
	assert_true(reply_zxid(x) == BASE_ZXID + 1);
	assert_true(x->t->last_zxid == BASE_ZXID + 1);
	/* The error reply is the header alone. */
	assert_int_equal(x->reply.len, 20);
	assert_int_equal(jute_be32(x->reply.buf), 16);
	assert_int_equal(jute_be32(x->reply.buf + 4), 2);
	assert_int_equal(fx_create(x, &x->c, "/open/z", OPEN, 1, 0), ZERR_OK);
	assert_true(tree_lookup(x->t, "/open/z")->czxid == BASE_ZXID + 2);
	/* A read takes none. */
	jute_out_init(&o);
	jute_put_int(&o, 9);
	jute_put_int(&o, ZOP_EXISTS);
	jute_put_string(&o, "/open");
	jute_put_bool(&o, 0);
	r = fx_request(&x->c, &o);
	fx_prep(x, r);
	assert_true(x->p.last_zxid == BASE_ZXID + 2);
	assert_int_equal(fx_final(x, r), ZERR_OK);
	assert_true(reply_zxid(x) == BASE_ZXID + 2);
}

/*
 * Sequential names are %010d of the parent's cversion, counting creates
 * prepared but not yet applied.
 */
static void
test_sequential_names_count_pending(void **state)
{
	static const char	*want[] = { "/s/q0000000000", "/s/q0000000001",
	    NULL, "/s/q0000000003", "/s/0000000004" };
	struct fx		*x = *state;
	struct jute_out		 o;
	struct request		*r[5];
	size_t			 i;

	for (i = 0; i < 5; i++) {
		put_create(&o, ZOP_CREATE, i == 2 ? "/s/plain" : i == 4 ?
		    "/s/" : "/s/q", OPEN, 1, i == 2 ? ZCREATE_PERSISTENT :
		    i == 3 ? ZCREATE_EPHEMERAL_SEQUENTIAL :
		    ZCREATE_PERSISTENT_SEQUENTIAL, 0);
		r[i] = fx_request(&x->c, &o);
		assert_int_equal(fx_prep(x, r[i]), ZERR_OK);
		if (want[i] != NULL)
			assert_string_equal(r[i]->txn->op.path, want[i]);
		assert_int_equal(r[i]->txn->op.parent_cversion, (int32_t)i + 1);
	}
	for (i = 0; i < 5; i++)
		assert_int_equal(fx_final(x, r[i]), ZERR_OK);
	assert_non_null(tree_lookup(x->t, "/s/q0000000000"));
	assert_non_null(tree_lookup(x->t, "/s/q0000000001"));
	assert_non_null(tree_lookup(x->t, "/s/plain"));
	assert_true(tree_lookup(x->t, "/s/q0000000003")->ephemeral_owner ==
	    SID);
	assert_non_null(tree_lookup(x->t, "/s/0000000004"));
	assert_int_equal(tree_lookup(x->t, "/s")->cversion, 5);
	/* Deletes do not move the counter: it counts creates. */
	put_path_version(&o, ZOP_DELETE, "/s/plain", -1);
	assert_int_equal(fx_write(x, &x->c, &o), ZERR_OK);
	put_create(&o, ZOP_CREATE2, "/s/q", OPEN, 1,
	    ZCREATE_PERSISTENT_SEQUENTIAL, 0);
	assert_int_equal(fx_write(x, &x->c, &o), ZERR_OK);
	assert_non_null(tree_lookup(x->t, "/s/q0000000005"));
}

/* A multi with one failing op applies nothing; results say where it failed. */
static void
test_multi_all_or_nothing(void **state)
{
	struct fx	*x = *state;
	struct jute_out	 o;
	struct request	*r;
	struct result	 res[8];
	int64_t		 mzxid = tree_lookup(x->t, "/open")->mzxid;

	jute_out_init(&o);
	jute_put_int(&o, 11);
	jute_put_int(&o, ZOP_MULTI);
	put_multi_header(&o, ZOP_CREATE, 0);
	body_create(&o, "/open/m1", OPEN, 1, 0);
	put_multi_header(&o, ZOP_SETDATA, 0);
	jute_put_string(&o, "/open");
	jute_put_buffer(&o, "v", 1);
	jute_put_int(&o, 0);
	put_multi_header(&o, ZOP_DELETE, 0);
	jute_put_string(&o, "/open/missing");
	jute_put_int(&o, -1);
	put_multi_header(&o, ZOP_CREATE, 0);
	body_create(&o, "/open/m3", OPEN, 1, 0);
	put_multi_header(&o, -1, 1);
	r = fx_request(&x->c, &o);
	assert_int_equal(fx_prep(x, r), ZERR_OK);
	assert_int_equal(r->txn->op.type, ZOP_MULTI);
	assert_int_equal(r->txn->nsubs, 4);
	assert_int_equal(r->txn->subs[0].type, ZOP_CREATE);
	assert_int_equal(r->txn->subs[1].type, ZOP_SETDATA);
	assert_int_equal(r->txn->subs[2].type, ZOP_ERROR);
	assert_int_equal(r->txn->subs[2].err, ZERR_NONODE);
	assert_int_equal(r->txn->subs[3].type, ZOP_ERROR);
	assert_int_equal(r->txn->subs[3].err, ZERR_RUNTIMEINCONSISTENCY);
	/* The header says OK; each result carries its own code. */
	assert_int_equal(fx_final(x, r), ZERR_OK);
	assert_true(reply_zxid(x) == BASE_ZXID + 1);
	assert_int_equal(reply_multi(x, res, 8), 4);
	assert_int_equal(res[0].type, ZOP_ERROR);
	assert_int_equal(res[0].err, ZERR_OK);
	assert_int_equal(res[1].type, ZOP_ERROR);
	assert_int_equal(res[1].err, ZERR_OK);
	assert_int_equal(res[2].type, ZOP_ERROR);
	assert_int_equal(res[2].err, ZERR_NONODE);
	assert_int_equal(res[3].type, ZOP_ERROR);
	assert_int_equal(res[3].err, ZERR_RUNTIMEINCONSISTENCY);
	assert_null(tree_lookup(x->t, "/open/m1"));
	assert_null(tree_lookup(x->t, "/open/m3"));
	assert_true(tree_lookup(x->t, "/open")->mzxid == mzxid);
	assert_true(x->t->last_zxid == BASE_ZXID + 1);
}

/* A successful multi applies every op and answers each with its record. */
static void
test_multi_success_results(void **state)
{
	struct fx	*x = *state;
	struct jute_out	 o;
	struct result	 res[8];

	jute_out_init(&o);
	jute_put_int(&o, 12);
	jute_put_int(&o, ZOP_MULTI);
	put_multi_header(&o, ZOP_CREATE2, 0);
	body_create(&o, "/open/a", OPEN, 1, ZCREATE_PERSISTENT_SEQUENTIAL);
	put_multi_header(&o, ZOP_CREATE, 0);
	body_create(&o, "/open/box", OPEN, 1, ZCREATE_CONTAINER);
	put_multi_header(&o, ZOP_SETDATA, 0);
	jute_put_string(&o, "/open");
	jute_put_buffer(&o, "v", 1);
	jute_put_int(&o, 0);
	put_multi_header(&o, ZOP_CHECK, 0);
	jute_put_string(&o, "/open");
	jute_put_int(&o, 1);
	put_multi_header(&o, ZOP_DELETE, 0);
	jute_put_string(&o, "/open/child");
	jute_put_int(&o, -1);
	put_multi_header(&o, -1, 1);
	assert_int_equal(fx_write(x, &x->c, &o), ZERR_OK);
	assert_int_equal(reply_multi(x, res, 8), 5);
	/* create2 in a multi runs as Op.create: a path, no stat. */
	assert_int_equal(res[0].type, ZOP_CREATE);
	assert_string_equal(res[0].path, "/open/a0000000001");
	/* A container create answers as create2, with the stat. */
	assert_int_equal(res[1].type, ZOP_CREATE2);
	assert_string_equal(res[1].path, "/open/box");
	/* Clients see no owner for a container (DataNode.copyStat). */
	assert_true(res[1].stat.ephemeral_owner == 0);
	assert_true(res[1].stat.czxid == BASE_ZXID + 1);
	assert_int_equal(res[2].type, ZOP_SETDATA);
	assert_int_equal(res[2].stat.version, 1);
	assert_true(res[2].stat.mzxid == BASE_ZXID + 1);
	assert_int_equal(res[3].type, ZOP_CHECK);
	assert_int_equal(res[4].type, ZOP_DELETE);
	assert_non_null(tree_lookup(x->t, "/open/a0000000001"));
	assert_int_equal(tree_owner_kind(x->t,
	    tree_lookup(x->t, "/open/box")->ephemeral_owner),
	    TREE_KIND_CONTAINER);
	assert_null(tree_lookup(x->t, "/open/child"));
	/* Every op shares the multi's zxid. */
	assert_true(tree_lookup(x->t, "/open")->pzxid == BASE_ZXID + 1);
}

/*
 * A failed multi rolls back its change records: requests prepared after it,
 * before anything applies, see the state from before the multi, including
 * changes of earlier pending requests.
 */
static void
test_multi_rollback_restores_records(void **state)
{
	struct fx	*x = *state;
	struct jute_out	 o;
	struct request	*r[6];
	size_t		 i;

	/* A: setData /k, pending (version 1). */
	put_set_data(&o, "/k", "a", -1);
	r[0] = fx_request(&x->c, &o);
	assert_int_equal(fx_prep(x, r[0]), ZERR_OK);
	/* M: setData /k v1, create /k/new, sequential /s/q, then a failure. */
	jute_out_init(&o);
	jute_put_int(&o, 13);
	jute_put_int(&o, ZOP_MULTI);
	put_multi_header(&o, ZOP_SETDATA, 0);
	jute_put_string(&o, "/k");
	jute_put_buffer(&o, "m", 1);
	jute_put_int(&o, 1);
	put_multi_header(&o, ZOP_CREATE, 0);
	body_create(&o, "/k/new", OPEN, 1, 0);
	put_multi_header(&o, ZOP_CREATE, 0);
	body_create(&o, "/s/q", OPEN, 1, ZCREATE_PERSISTENT_SEQUENTIAL);
	put_multi_header(&o, ZOP_CHECK, 0);
	jute_put_string(&o, "/k");
	jute_put_int(&o, 7);
	put_multi_header(&o, -1, 1);
	r[1] = fx_request(&x->c, &o);
	assert_int_equal(fx_prep(x, r[1]), ZERR_OK);
	assert_int_equal(r[1]->txn->subs[3].err, ZERR_BADVERSION);
	/* C: sees A's version 1, not M's 2. */
	put_set_data(&o, "/k", "c", 1);
	r[2] = fx_request(&x->c, &o);
	assert_int_equal(fx_prep(x, r[2]), ZERR_OK);
	/* D: /k/new does not exist. */
	put_create(&o, ZOP_CREATE, "/k/new", OPEN, 1, 0, 0);
	r[3] = fx_request(&x->c, &o);
	assert_int_equal(fx_prep(x, r[3]), ZERR_OK);
	/* E: the sequence number M would have taken is free again. */
	put_create(&o, ZOP_CREATE, "/s/q", OPEN, 1,
	    ZCREATE_PERSISTENT_SEQUENTIAL, 0);
	r[4] = fx_request(&x->c, &o);
	assert_int_equal(fx_prep(x, r[4]), ZERR_OK);
	assert_string_equal(r[4]->txn->op.path, "/s/q0000000000");
	/* F: /k's child count is D's one, so /k is not empty. */
	put_path_version(&o, ZOP_DELETE, "/k", -1);
	r[5] = fx_request(&x->c, &o);
	assert_int_equal(fx_prep(x, r[5]), ZERR_NOTEMPTY);
	for (i = 0; i < 6; i++)
		fx_final(x, r[i]);
	assert_int_equal(tree_lookup(x->t, "/k")->version, 2);
	assert_memory_equal(tree_lookup(x->t, "/k")->data, "c", 1);
	assert_non_null(tree_lookup(x->t, "/k/new"));
	assert_non_null(tree_lookup(x->t, "/s/q0000000000"));
	assert_int_equal(x->p.nchanges, 0);
}

/* multiRead answers each read, errors in place, and takes no zxid. */
static void
test_multi_read(void **state)
{
	struct fx	*x = *state;
	struct jute_out	 o;
	struct request	*r;
	struct result	 res[4];

	jute_out_init(&o);
	jute_put_int(&o, 14);
	jute_put_int(&o, ZOP_MULTIREAD);
	put_multi_header(&o, ZOP_GETDATA, 0);
	jute_put_string(&o, "/open");
	jute_put_bool(&o, 1);
	put_multi_header(&o, ZOP_GETCHILDREN, 0);
	jute_put_string(&o, "/nope");
	jute_put_bool(&o, 0);
	put_multi_header(&o, ZOP_GETDATA, 0);
	jute_put_string(&o, "/locked");
	jute_put_bool(&o, 0);
	put_multi_header(&o, ZOP_GETCHILDREN, 0);
	jute_put_string(&o, "/open");
	jute_put_bool(&o, 0);
	put_multi_header(&o, -1, 1);
	r = fx_request(&x->c, &o);
	assert_int_equal(fx_prep(x, r), ZERR_OK);
	assert_null(r->txn);
	assert_int_equal(fx_final(x, r), ZERR_OK);
	assert_int_equal(reply_multi(x, res, 4), 4);
	assert_int_equal(res[0].type, ZOP_GETDATA);
	assert_true(res[0].stat.czxid == 1);
	assert_int_equal(res[1].type, ZOP_ERROR);
	assert_int_equal(res[1].err, ZERR_NONODE);
	assert_int_equal(res[2].type, ZOP_ERROR);
	assert_int_equal(res[2].err, ZERR_NOAUTH);
	assert_int_equal(res[3].type, ZOP_GETCHILDREN);
	assert_true(x->p.last_zxid == BASE_ZXID);
	/* A multiRead op never leaves a watch behind. */
	assert_int_equal(watch_count(&x->wm), 0);
}

/*
 * closeSession deletes the session's ephemerals as they will be once
 * every pending txn applies, and the session is closing from then on.
 */
static void
test_close_session_collects_pending(void **state)
{
	struct fx	*x = *state;
	struct jute_out	 o;
	struct request	*r[4];
	size_t		 i;

	assert_int_equal(fx_create(x, &x->c, "/open/e1", OPEN, 1,
	    ZCREATE_EPHEMERAL), ZERR_OK);
	assert_int_equal(fx_create(x, &x->c, "/open/e3", OPEN, 1,
	    ZCREATE_EPHEMERAL), ZERR_OK);
	assert_int_equal(fx_create(x, &x->other, "/open/o1", OPEN, 1,
	    ZCREATE_EPHEMERAL), ZERR_OK);
	/* Pending: a new ephemeral /open/e2, the delete of /open/e3. */
	put_create(&o, ZOP_CREATE, "/open/e2", OPEN, 1, ZCREATE_EPHEMERAL, 0);
	r[0] = fx_request(&x->c, &o);
	assert_int_equal(fx_prep(x, r[0]), ZERR_OK);
	put_path_version(&o, ZOP_DELETE, "/open/e3", -1);
	r[1] = fx_request(&x->c, &o);
	assert_int_equal(fx_prep(x, r[1]), ZERR_OK);
	jute_out_init(&o);
	jute_put_int(&o, 15);
	jute_put_int(&o, ZOP_CLOSESESSION);
	r[2] = fx_request(&x->c, &o);
	assert_int_equal(fx_prep(x, r[2]), ZERR_OK);
	assert_int_equal(r[2]->txn->op.type, ZOP_CLOSESESSION);
	assert_int_equal(r[2]->txn->op.paths.n, 2);
	for (i = 0; i < 2; i++)
		assert_true(strcmp(r[2]->txn->op.paths.v[i], "/open/e1") == 0 ||
		    strcmp(r[2]->txn->op.paths.v[i], "/open/e2") == 0);
	assert_true(session_lookup(&x->st, SID)->closing);
	/* Later requests of the session find it closing. */
	put_create(&o, ZOP_CREATE, "/open/late", OPEN, 1, 0, 0);
	r[3] = fx_request(&x->c, &o);
	assert_int_equal(fx_prep(x, r[3]), ZERR_SESSIONEXPIRED);
	for (i = 0; i < 4; i++)
		fx_final(x, r[i]);
	assert_null(tree_lookup(x->t, "/open/e1"));
	assert_null(tree_lookup(x->t, "/open/e2"));
	assert_null(tree_lookup(x->t, "/open/e3"));
	assert_null(tree_lookup(x->t, "/open/late"));
	assert_non_null(tree_lookup(x->t, "/open/o1"));
	assert_null(tree_owner_find(x->t, SID));
	assert_null(session_lookup(&x->st, SID));
}

/* reconfig on a standalone server: RECONFIGDISABLED, or UNIMPLEMENTED. */
static void
test_reconfig_standalone(void **state)
{
	struct fx	*x = *state;
	struct jute_out	 o;

	jute_out_init(&o);
	jute_put_int(&o, 16);
	jute_put_int(&o, ZOP_RECONFIG);
	jute_put_string(&o, NULL);
	jute_put_string(&o, "2");
	jute_put_string(&o, NULL);
	jute_put_long(&o, -1);
	assert_int_equal(fx_write(x, &x->c, &o), ZERR_RECONFIGDISABLED);
	assert_true(x->t->last_zxid == BASE_ZXID + 1);
	x->p.reconfig_enabled = 1;
	jute_out_init(&o);
	jute_put_int(&o, 17);
	jute_put_int(&o, ZOP_RECONFIG);
	jute_put_string(&o, NULL);
	jute_put_string(&o, "2");
	jute_put_string(&o, NULL);
	jute_put_long(&o, -1);
	assert_int_equal(fx_write(x, &x->c, &o), ZERR_UNIMPLEMENTED);
}

/* deleteContainer: empty containers go; non-empty ones and ephemerals stay. */
static void
test_delete_container(void **state)
{
	static const char	*paths[] = { "/c", "/c2", "/eph" };
	static const int32_t	 want[] = { ZERR_OK, ZERR_NOTEMPTY,
	    ZERR_NOTEMPTY };
	struct fx		*x = *state;
	struct jute_out		 o;
	struct request		*r;
	size_t			 i;

	for (i = 0; i < 3; i++) {
		r = request_new(NULL, ZOP_DELETECONTAINER);
		r->session_id = 0;
		r->req.op.type = ZOP_DELETECONTAINER;
		r->req.op.path = xstrdup(paths[i]);
		assert_int_equal(fx_prep(x, r), want[i]);
		final_request(&x->f, r);
	}
	assert_null(tree_lookup(x->t, "/c"));
	assert_non_null(tree_lookup(x->t, "/c2"));
	/* An ephemeral without children is not a container. */
	assert_int_equal(tree_delete(x->t, "/eph/sneaky", BASE_ZXID + 10),
	    ZERR_OK);
	r = request_new(NULL, ZOP_DELETECONTAINER);
	r->req.op.type = ZOP_DELETECONTAINER;
	r->req.op.path = xstrdup("/eph");
	assert_int_equal(fx_prep(x, r), ZERR_BADVERSION);
	final_request(&x->f, r);
	assert_non_null(tree_lookup(x->t, "/eph"));
	/* A client's deleteContainer names no valid path. */
	jute_out_init(&o);
	jute_put_int(&o, 18);
	jute_put_int(&o, ZOP_DELETECONTAINER);
	jute_put_string(&o, "/c2/x");
	assert_int_equal(fx_write(x, &x->c, &o), ZERR_BADARGUMENTS);
	assert_non_null(tree_lookup(x->t, "/c2/x"));
}

/* prep_validate_path agrees with PathUtils.validatePath on each case. */
static void
test_validate_path_cases(void **state)
{
	static const struct {
		const char	*path;
		int		 ok;
	} v[] = {
		{ "/", 1 },
		{ "/this is / a valid/path", 1 },
		{ "", 0 },
		{ "not/valid", 0 },
		{ "/ends/with/slash/", 0 },
		{ "/double//slash", 0 },
		{ "//", 0 },
		{ "/single/./period", 0 },
		{ "/double/../period", 0 },
		{ "/.", 0 },
		{ "/..", 0 },
		{ "/a/.", 0 },
		{ "/a/..", 0 },
		{ "/...", 1 },
		{ "/.a", 1 },
		{ "/a.", 1 },
		{ "/a/..b", 1 },
		{ "/name/with.period.", 1 },
		{ "/test\x01", 0 },
		{ "/test\x1f", 0 },
		{ "/test ", 1 },
		{ "/test~", 1 },
		{ "/test\x7f", 0 },
		{ "/test\xc2\x80", 0 },		/* U+0080 */
		{ "/test\xc2\x9f", 0 },		/* U+009F */
		{ "/test\xc2\xa0", 1 },		/* U+00A0 */
		{ "/caf\xc3\xa9", 1 },		/* U+00E9 */
		{ "/\xe4\xb8\xad\xe6\x96\x87", 1 },
		{ "/test\xed\x9f\xbf", 1 },	/* U+D7FF */
		{ "/test\xed\xa0\x80", 0 },	/* U+D800, a surrogate */
		{ "/test\xef\xa3\xbf", 0 },	/* U+F8FF */
		{ "/test\xef\xa4\x80", 1 },	/* U+F900 */
		{ "/test\xef\xbf\xaf", 1 },	/* U+FFEF */
		{ "/test\xef\xbf\xb0", 0 },	/* U+FFF0 */
		{ "/test\xef\xbf\xbd", 0 },	/* U+FFFD */
		{ "/test\xf0\x9f\x98\x80", 0 },	/* U+1F600, beyond the BMP */
		{ "/test\xc3", 0 },		/* truncated sequence */
		{ "/test\xc3(", 0 },
		{ "/test\x80", 0 },		/* lone continuation byte */
		{ "/test\xc0\xaf", 0 },		/* overlong "/" */
		{ "/test\xe0\x80\xaf", 0 },	/* overlong "/" */
		{ "/test\xf8\x88\x80\x80\x80", 0 },
		{ "/test\xfe", 0 },
		{ "/test\xff", 0 },
		{ "/test\xf4\x90\x80\x80", 0 },	/* above U+10FFFF */
	};
	size_t	 i, bad = 0;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if ((prep_validate_path(v[i].path) == 0) != v[i].ok) {
			print_message("# case %zu: expected %s\n", i,
			    v[i].ok ? "valid" : "invalid");
			bad++;
		}
	assert_int_equal(bad, 0);
}

#define FX_TEST(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_create_flags_checked_first),
		FX_TEST(test_create_ttl_disabled_and_enabled),
		FX_TEST(test_create_session_checks),
		FX_TEST(test_create_error_order),
		FX_TEST(test_delete_error_order),
		FX_TEST(test_set_data_errors),
		FX_TEST(test_set_acl_errors),
		FX_TEST(test_check_errors),
		FX_TEST(test_failed_write_takes_zxid),
		FX_TEST(test_sequential_names_count_pending),
		FX_TEST(test_multi_all_or_nothing),
		FX_TEST(test_multi_success_results),
		FX_TEST(test_multi_rollback_restores_records),
		FX_TEST(test_multi_read),
		FX_TEST(test_close_session_collects_pending),
		FX_TEST(test_reconfig_standalone),
		FX_TEST(test_delete_container),
		cmocka_unit_test(test_validate_path_cases),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
