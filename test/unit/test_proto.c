/* SPDX-License-Identifier: ISC */
/*
 * test_proto.c: the client protocol codec.  Request frames of every opcode
 * are built with jute_out and decoded by proto_decode_request; short,
 * oversized and malformed frames are refused; the encoders produce the
 * bytes Apache ZooKeeper 3.8's jute classes produce (the expected arrays
 * were serialized by org.apache.zookeeper.data.Stat, proto.ConnectResponse,
 * proto.ReplyHeader and proto.WatcherEvent).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "jute.h"
#include "proto.h"

#define MAXBUF	(1024 * 1024)

typedef void (*frame_fn)(struct jute_out *);

static void	 frame_start(struct jute_out *, int32_t, int32_t);
static void	 frame_acl(struct jute_out *, int32_t, const char *,
		    const char *);
static int	 frame_decode(const struct jute_out *, struct proto_req *);
static void	 frame_create_body(struct jute_out *);
static void	 frame_multi_header(struct jute_out *, int32_t, int);
static void	 frame_strings(struct jute_out *, int, const char *);
static void	 connect_frame(struct jute_out *, int, int);
static void	 frame_create(struct jute_out *);
static void	 frame_create2(struct jute_out *);
static void	 frame_create_container(struct jute_out *);
static void	 frame_create_ttl(struct jute_out *);
static void	 frame_delete(struct jute_out *);
static void	 frame_exists(struct jute_out *);
static void	 frame_get_data(struct jute_out *);
static void	 frame_set_data(struct jute_out *);
static void	 frame_get_acl(struct jute_out *);
static void	 frame_set_acl(struct jute_out *);
static void	 frame_get_children(struct jute_out *);
static void	 frame_sync(struct jute_out *);
static void	 frame_ping(struct jute_out *);
static void	 frame_get_children2(struct jute_out *);
static void	 frame_check(struct jute_out *);
static void	 frame_multi(struct jute_out *);
static void	 frame_reconfig(struct jute_out *);
static void	 frame_check_watches(struct jute_out *);
static void	 frame_remove_watches(struct jute_out *);
static void	 frame_multi_read(struct jute_out *);
static void	 frame_auth(struct jute_out *);
static void	 frame_set_watches(struct jute_out *);
static void	 frame_sasl(struct jute_out *);
static void	 frame_get_ephemerals(struct jute_out *);
static void	 frame_all_children(struct jute_out *);
static void	 frame_set_watches2(struct jute_out *);
static void	 frame_add_watch(struct jute_out *);
static void	 frame_whoami(struct jute_out *);
static void	 frame_close_session(struct jute_out *);

/* One valid frame per opcode a client may send. */
static const struct {
	int32_t		 type;
	frame_fn	 build;
} frames[] = {
	{ ZOP_CREATE, frame_create },
	{ ZOP_DELETE, frame_delete },
	{ ZOP_EXISTS, frame_exists },
	{ ZOP_GETDATA, frame_get_data },
	{ ZOP_SETDATA, frame_set_data },
	{ ZOP_GETACL, frame_get_acl },
	{ ZOP_SETACL, frame_set_acl },
	{ ZOP_GETCHILDREN, frame_get_children },
	{ ZOP_SYNC, frame_sync },
	{ ZOP_PING, frame_ping },
	{ ZOP_GETCHILDREN2, frame_get_children2 },
	{ ZOP_CHECK, frame_check },
	{ ZOP_MULTI, frame_multi },
	{ ZOP_CREATE2, frame_create2 },
	{ ZOP_RECONFIG, frame_reconfig },
	{ ZOP_CHECKWATCHES, frame_check_watches },
	{ ZOP_REMOVEWATCHES, frame_remove_watches },
	{ ZOP_CREATECONTAINER, frame_create_container },
	{ ZOP_CREATETTL, frame_create_ttl },
	{ ZOP_MULTIREAD, frame_multi_read },
	{ ZOP_AUTH, frame_auth },
	{ ZOP_SETWATCHES, frame_set_watches },
	{ ZOP_SASL, frame_sasl },
	{ ZOP_GETEPHEMERALS, frame_get_ephemerals },
	{ ZOP_GETALLCHILDRENNUMBER, frame_all_children },
	{ ZOP_SETWATCHES2, frame_set_watches2 },
	{ ZOP_ADDWATCH, frame_add_watch },
	{ ZOP_WHOAMI, frame_whoami },
	{ ZOP_CLOSESESSION, frame_close_session },
};

static void
frame_start(struct jute_out *o, int32_t xid, int32_t type)
{
	jute_out_init(o);
	jute_put_int(o, xid);
	jute_put_int(o, type);
}

static void
frame_acl(struct jute_out *o, int32_t perms, const char *scheme,
    const char *id)
{
	jute_put_int(o, perms);
	jute_put_string(o, scheme);
	jute_put_string(o, id);
}

static int
frame_decode(const struct jute_out *o, struct proto_req *r)
{
	return proto_decode_request(o->buf, o->len, MAXBUF, r);
}

static void
frame_create_body(struct jute_out *o)
{
	jute_put_string(o, "/app/node");
	jute_put_buffer(o, "data", 4);
	jute_put_int(o, 2);
	frame_acl(o, ZPERM_ALL, "world", "anyone");
	frame_acl(o, ZPERM_READ, "digest", "bob:hash");
	jute_put_int(o, ZCREATE_EPHEMERAL_SEQUENTIAL);
}

static void
frame_create(struct jute_out *o)
{
	frame_start(o, 1, ZOP_CREATE);
	frame_create_body(o);
}

static void
frame_create2(struct jute_out *o)
{
	frame_start(o, 2, ZOP_CREATE2);
	frame_create_body(o);
}

static void
frame_create_container(struct jute_out *o)
{
	frame_start(o, 3, ZOP_CREATECONTAINER);
	frame_create_body(o);
}

static void
frame_create_ttl(struct jute_out *o)
{
	frame_start(o, 4, ZOP_CREATETTL);
	frame_create_body(o);
	jute_put_long(o, 60000);
}

static void
frame_delete(struct jute_out *o)
{
	frame_start(o, 5, ZOP_DELETE);
	jute_put_string(o, "/app/node");
	jute_put_int(o, 3);
}

static void
frame_exists(struct jute_out *o)
{
	frame_start(o, 6, ZOP_EXISTS);
	jute_put_string(o, "/app");
	jute_put_bool(o, 1);
}

static void
frame_get_data(struct jute_out *o)
{
	frame_start(o, 7, ZOP_GETDATA);
	jute_put_string(o, "/app");
	jute_put_bool(o, 1);
}

static void
frame_set_data(struct jute_out *o)
{
	frame_start(o, 8, ZOP_SETDATA);
	jute_put_string(o, "/app");
	jute_put_buffer(o, "xyz", 3);
	jute_put_int(o, -1);
}

static void
frame_get_acl(struct jute_out *o)
{
	frame_start(o, 9, ZOP_GETACL);
	jute_put_string(o, "/app");
}

static void
frame_set_acl(struct jute_out *o)
{
	frame_start(o, 10, ZOP_SETACL);
	jute_put_string(o, "/app");
	jute_put_int(o, 1);
	frame_acl(o, ZPERM_READ | ZPERM_ADMIN, "ip", "10.0.0.0/8");
	jute_put_int(o, 4);
}

static void
frame_get_children(struct jute_out *o)
{
	frame_start(o, 11, ZOP_GETCHILDREN);
	jute_put_string(o, "/app");
	jute_put_bool(o, 0);
}

static void
frame_sync(struct jute_out *o)
{
	frame_start(o, 12, ZOP_SYNC);
	jute_put_string(o, "/app");
}

static void
frame_ping(struct jute_out *o)
{
	frame_start(o, ZXID_PING, ZOP_PING);
}

static void
frame_get_children2(struct jute_out *o)
{
	frame_start(o, 13, ZOP_GETCHILDREN2);
	jute_put_string(o, "/app");
	jute_put_bool(o, 1);
}

static void
frame_check(struct jute_out *o)
{
	frame_start(o, 14, ZOP_CHECK);
	jute_put_string(o, "/app");
	jute_put_int(o, 9);
}

static void
frame_multi_header(struct jute_out *o, int32_t type, int done)
{
	jute_put_int(o, type);
	jute_put_bool(o, done);
	jute_put_int(o, -1);
}

static void
frame_multi(struct jute_out *o)
{
	frame_start(o, 15, ZOP_MULTI);
	frame_multi_header(o, ZOP_CREATE, 0);
	jute_put_string(o, "/m/a");
	jute_put_buffer(o, NULL, -1);
	jute_put_int(o, 1);
	frame_acl(o, ZPERM_ALL, "world", "anyone");
	jute_put_int(o, ZCREATE_PERSISTENT);
	frame_multi_header(o, ZOP_SETDATA, 0);
	jute_put_string(o, "/m");
	jute_put_buffer(o, "v", 1);
	jute_put_int(o, 2);
	frame_multi_header(o, ZOP_CHECK, 0);
	jute_put_string(o, "/m");
	jute_put_int(o, 2);
	frame_multi_header(o, ZOP_DELETE, 0);
	jute_put_string(o, "/m/old");
	jute_put_int(o, -1);
	frame_multi_header(o, -1, 1);
}

static void
frame_reconfig(struct jute_out *o)
{
	frame_start(o, 16, ZOP_RECONFIG);
	jute_put_string(o, "server.4=h:1:2;3");
	jute_put_string(o, NULL);
	jute_put_string(o, NULL);
	jute_put_long(o, -1);
}

static void
frame_check_watches(struct jute_out *o)
{
	frame_start(o, 17, ZOP_CHECKWATCHES);
	jute_put_string(o, "/app");
	jute_put_int(o, ZWTYPE_DATA);
}

static void
frame_remove_watches(struct jute_out *o)
{
	frame_start(o, 18, ZOP_REMOVEWATCHES);
	jute_put_string(o, "/app");
	jute_put_int(o, ZWTYPE_ANY);
}

static void
frame_multi_read(struct jute_out *o)
{
	frame_start(o, 19, ZOP_MULTIREAD);
	frame_multi_header(o, ZOP_GETDATA, 0);
	jute_put_string(o, "/r");
	jute_put_bool(o, 1);
	frame_multi_header(o, ZOP_GETCHILDREN, 0);
	jute_put_string(o, "/r");
	jute_put_bool(o, 1);
	frame_multi_header(o, -1, 1);
}

static void
frame_auth(struct jute_out *o)
{
	frame_start(o, ZXID_AUTH, ZOP_AUTH);
	jute_put_int(o, 0);
	jute_put_string(o, "digest");
	jute_put_buffer(o, "bob:secret", 10);
}

static void
frame_strings(struct jute_out *o, int n, const char *first)
{
	int	 i;

	jute_put_int(o, n);
	for (i = 0; i < n; i++)
		jute_put_string(o, i == 0 ? first : "/more");
}

static void
frame_set_watches(struct jute_out *o)
{
	frame_start(o, ZXID_SETWATCHES, ZOP_SETWATCHES);
	jute_put_long(o, 0x500000003LL);
	frame_strings(o, 1, "/data");
	frame_strings(o, 2, "/exist");
	frame_strings(o, 0, NULL);
}

static void
frame_sasl(struct jute_out *o)
{
	frame_start(o, 20, ZOP_SASL);
	jute_put_buffer(o, "token", 5);
}

static void
frame_get_ephemerals(struct jute_out *o)
{
	frame_start(o, 21, ZOP_GETEPHEMERALS);
	jute_put_string(o, "/app");
}

static void
frame_all_children(struct jute_out *o)
{
	frame_start(o, 22, ZOP_GETALLCHILDRENNUMBER);
	jute_put_string(o, "/app");
}

static void
frame_set_watches2(struct jute_out *o)
{
	frame_start(o, ZXID_SETWATCHES, ZOP_SETWATCHES2);
	jute_put_long(o, 7);
	frame_strings(o, 1, "/data");
	frame_strings(o, 0, NULL);
	frame_strings(o, 1, "/child");
	frame_strings(o, 1, "/persistent");
	frame_strings(o, 3, "/recursive");
}

static void
frame_add_watch(struct jute_out *o)
{
	frame_start(o, 23, ZOP_ADDWATCH);
	jute_put_string(o, "/app");
	jute_put_int(o, ZADDWATCH_PERSISTENT_RECURSIVE);
}

static void
frame_whoami(struct jute_out *o)
{
	frame_start(o, 24, ZOP_WHOAMI);
}

static void
frame_close_session(struct jute_out *o)
{
	frame_start(o, 25, ZOP_CLOSESESSION);
}

/* create, create2, createContainer and createTTL decode every field. */
static void
test_decode_create_family(void **state)
{
	static const int32_t	 types[] = { ZOP_CREATE, ZOP_CREATE2,
	    ZOP_CREATECONTAINER, ZOP_CREATETTL };
	static const frame_fn	 build[] = { frame_create, frame_create2,
	    frame_create_container, frame_create_ttl };
	struct jute_out		 o;
	struct proto_req	 r;
	size_t			 i;

	(void)state;
	for (i = 0; i < 4; i++) {
		build[i](&o);
		assert_int_equal(frame_decode(&o, &r), 0);
		assert_int_equal(r.type, types[i]);
		assert_int_equal(r.op.type, types[i]);
		assert_int_equal(r.xid, (int32_t)i + 1);
		assert_string_equal(r.op.path, "/app/node");
		assert_int_equal(r.op.data_len, 4);
		assert_memory_equal(r.op.data, "data", 4);
		assert_int_equal(r.op.acl.n, 2);
		assert_int_equal(r.op.acl.v[0].perms, ZPERM_ALL);
		assert_string_equal(r.op.acl.v[0].id.scheme, "world");
		assert_string_equal(r.op.acl.v[0].id.id, "anyone");
		assert_int_equal(r.op.acl.v[1].perms, ZPERM_READ);
		assert_string_equal(r.op.acl.v[1].id.scheme, "digest");
		assert_string_equal(r.op.acl.v[1].id.id, "bob:hash");
		assert_int_equal(r.op.flags, ZCREATE_EPHEMERAL_SEQUENTIAL);
		/* Only createTTL carries a TTL; the others read as -1. */
		assert_true(r.op.ttl ==
		    (types[i] == ZOP_CREATETTL ? 60000 : -1));
		assert_int_equal(r.op.bad_path, 0);
		proto_req_free(&r);
		jute_out_free(&o);
	}
}

/* delete and check decode path and version. */
static void
test_decode_delete_and_check(void **state)
{
	struct jute_out		 o;
	struct proto_req	 r;

	(void)state;
	frame_delete(&o);
	assert_int_equal(frame_decode(&o, &r), 0);
	assert_int_equal(r.type, ZOP_DELETE);
	assert_string_equal(r.op.path, "/app/node");
	assert_int_equal(r.op.version, 3);
	proto_req_free(&r);
	jute_out_free(&o);

	frame_check(&o);
	assert_int_equal(frame_decode(&o, &r), 0);
	assert_int_equal(r.type, ZOP_CHECK);
	assert_string_equal(r.op.path, "/app");
	assert_int_equal(r.op.version, 9);
	proto_req_free(&r);
	jute_out_free(&o);
}

/* exists, getData, getChildren and getChildren2 decode path and watch flag. */
static void
test_decode_reads_with_watch(void **state)
{
	static const frame_fn	 build[] = { frame_exists, frame_get_data,
	    frame_get_children, frame_get_children2 };
	static const int32_t	 types[] = { ZOP_EXISTS, ZOP_GETDATA,
	    ZOP_GETCHILDREN, ZOP_GETCHILDREN2 };
	static const int	 watch[] = { 1, 1, 0, 1 };
	struct jute_out		 o;
	struct proto_req	 r;
	size_t			 i;

	(void)state;
	for (i = 0; i < 4; i++) {
		build[i](&o);
		assert_int_equal(frame_decode(&o, &r), 0);
		assert_int_equal(r.type, types[i]);
		assert_string_equal(r.op.path, "/app");
		assert_int_equal(r.op.watch, watch[i]);
		proto_req_free(&r);
		jute_out_free(&o);
	}
}

/* setData keeps null data (-1) apart from empty data (0). */
static void
test_decode_set_data_null_and_empty(void **state)
{
	struct jute_out		 o;
	struct proto_req	 r;

	(void)state;
	frame_set_data(&o);
	assert_int_equal(frame_decode(&o, &r), 0);
	assert_string_equal(r.op.path, "/app");
	assert_int_equal(r.op.data_len, 3);
	assert_memory_equal(r.op.data, "xyz", 3);
	assert_int_equal(r.op.version, -1);
	proto_req_free(&r);
	jute_out_free(&o);

	frame_start(&o, 1, ZOP_SETDATA);
	jute_put_string(&o, "/app");
	jute_put_buffer(&o, NULL, -1);
	jute_put_int(&o, 0);
	assert_int_equal(frame_decode(&o, &r), 0);
	assert_int_equal(r.op.data_len, -1);
	assert_null(r.op.data);
	proto_req_free(&r);
	jute_out_free(&o);

	frame_start(&o, 1, ZOP_SETDATA);
	jute_put_string(&o, "/app");
	jute_put_buffer(&o, "", 0);
	jute_put_int(&o, 0);
	assert_int_equal(frame_decode(&o, &r), 0);
	assert_int_equal(r.op.data_len, 0);
	proto_req_free(&r);
	jute_out_free(&o);
}

/* getACL, sync, getAllChildrenNumber and getEphemerals carry a path only. */
static void
test_decode_path_only_ops(void **state)
{
	static const frame_fn	 build[] = { frame_get_acl, frame_sync,
	    frame_all_children, frame_get_ephemerals };
	struct jute_out		 o;
	struct proto_req	 r;
	size_t			 i;

	(void)state;
	for (i = 0; i < 4; i++) {
		build[i](&o);
		assert_int_equal(frame_decode(&o, &r), 0);
		assert_string_equal(r.op.path, "/app");
		proto_req_free(&r);
		jute_out_free(&o);
	}
	/* getEphemerals may send a null prefix: all of the session's. */
	frame_start(&o, 1, ZOP_GETEPHEMERALS);
	jute_put_string(&o, NULL);
	assert_int_equal(frame_decode(&o, &r), 0);
	assert_null(r.op.path);
	proto_req_free(&r);
	jute_out_free(&o);
}

/* setACL decodes path, ACL list and version. */
static void
test_decode_set_acl(void **state)
{
	struct jute_out		 o;
	struct proto_req	 r;

	(void)state;
	frame_set_acl(&o);
	assert_int_equal(frame_decode(&o, &r), 0);
	assert_int_equal(r.type, ZOP_SETACL);
	assert_string_equal(r.op.path, "/app");
	assert_int_equal(r.op.acl.n, 1);
	assert_int_equal(r.op.acl.v[0].perms, ZPERM_READ | ZPERM_ADMIN);
	assert_string_equal(r.op.acl.v[0].id.scheme, "ip");
	assert_string_equal(r.op.acl.v[0].id.id, "10.0.0.0/8");
	assert_int_equal(r.op.version, 4);
	proto_req_free(&r);
	jute_out_free(&o);
}

/* addWatch, checkWatches and removeWatches decode path and mode. */
static void
test_decode_watch_ops(void **state)
{
	static const frame_fn	 build[] = { frame_add_watch,
	    frame_check_watches, frame_remove_watches };
	static const int32_t	 mode[] = { ZADDWATCH_PERSISTENT_RECURSIVE,
	    ZWTYPE_DATA, ZWTYPE_ANY };
	struct jute_out		 o;
	struct proto_req	 r;
	size_t			 i;

	(void)state;
	for (i = 0; i < 3; i++) {
		build[i](&o);
		assert_int_equal(frame_decode(&o, &r), 0);
		assert_string_equal(r.op.path, "/app");
		assert_int_equal(r.op.mode, mode[i]);
		proto_req_free(&r);
		jute_out_free(&o);
	}
}

/* ping, whoAmI and closeSession are a header alone. */
static void
test_decode_header_only_ops(void **state)
{
	static const frame_fn	 build[] = { frame_ping, frame_whoami,
	    frame_close_session };
	static const int32_t	 types[] = { ZOP_PING, ZOP_WHOAMI,
	    ZOP_CLOSESESSION };
	struct jute_out		 o;
	struct proto_req	 r;
	size_t			 i;

	(void)state;
	for (i = 0; i < 3; i++) {
		build[i](&o);
		assert_int_equal(o.len, 8);
		assert_int_equal(frame_decode(&o, &r), 0);
		assert_int_equal(r.type, types[i]);
		assert_null(r.op.path);
		proto_req_free(&r);
		jute_out_free(&o);
	}
}

/* reconfig and sasl decode their records. */
static void
test_decode_reconfig_and_sasl(void **state)
{
	struct jute_out		 o;
	struct proto_req	 r;

	(void)state;
	frame_reconfig(&o);
	assert_int_equal(frame_decode(&o, &r), 0);
	assert_string_equal(r.joining, "server.4=h:1:2;3");
	assert_null(r.leaving);
	assert_null(r.members);
	assert_true(r.config_id == -1);
	proto_req_free(&r);
	jute_out_free(&o);

	frame_sasl(&o);
	assert_int_equal(frame_decode(&o, &r), 0);
	assert_int_equal(r.auth_len, 5);
	assert_memory_equal(r.auth, "token", 5);
	proto_req_free(&r);
	jute_out_free(&o);
}

/* auth decodes scheme and credentials; a null scheme reads as "". */
static void
test_decode_auth(void **state)
{
	struct jute_out		 o;
	struct proto_req	 r;

	(void)state;
	frame_auth(&o);
	assert_int_equal(frame_decode(&o, &r), 0);
	assert_int_equal(r.xid, ZXID_AUTH);
	assert_string_equal(r.scheme, "digest");
	assert_int_equal(r.auth_len, 10);
	assert_memory_equal(r.auth, "bob:secret", 10);
	proto_req_free(&r);
	jute_out_free(&o);

	frame_start(&o, ZXID_AUTH, ZOP_AUTH);
	jute_put_int(&o, 0);
	jute_put_string(&o, NULL);
	jute_put_buffer(&o, NULL, -1);
	assert_int_equal(frame_decode(&o, &r), 0);
	assert_string_equal(r.scheme, "");
	assert_int_equal(r.auth_len, -1);
	proto_req_free(&r);
	jute_out_free(&o);
}

/* setWatches has three path lists, setWatches2 five, in the jute order. */
static void
test_decode_set_watches(void **state)
{
	struct jute_out		 o;
	struct proto_req	 r;

	(void)state;
	frame_set_watches(&o);
	assert_int_equal(frame_decode(&o, &r), 0);
	assert_true(r.rel_zxid == 0x500000003LL);
	assert_int_equal(r.watches[0].n, 1);
	assert_string_equal(r.watches[0].v[0], "/data");
	assert_int_equal(r.watches[1].n, 2);
	assert_string_equal(r.watches[1].v[0], "/exist");
	assert_string_equal(r.watches[1].v[1], "/more");
	assert_int_equal(r.watches[2].n, 0);
	assert_int_equal(r.watches[3].n, 0);
	assert_int_equal(r.watches[4].n, 0);
	proto_req_free(&r);
	jute_out_free(&o);

	frame_set_watches2(&o);
	assert_int_equal(frame_decode(&o, &r), 0);
	assert_true(r.rel_zxid == 7);
	assert_int_equal(r.watches[0].n, 1);
	assert_int_equal(r.watches[1].n, 0);
	assert_string_equal(r.watches[2].v[0], "/child");
	assert_string_equal(r.watches[3].v[0], "/persistent");
	assert_int_equal(r.watches[4].n, 3);
	assert_string_equal(r.watches[4].v[0], "/recursive");
	proto_req_free(&r);
	jute_out_free(&o);

	/* A null string in a list is not a path. */
	frame_start(&o, ZXID_SETWATCHES, ZOP_SETWATCHES);
	jute_put_long(&o, 0);
	jute_put_int(&o, 1);
	jute_put_string(&o, NULL);
	frame_strings(&o, 0, NULL);
	frame_strings(&o, 0, NULL);
	assert_int_equal(frame_decode(&o, &r), -1);
	proto_req_free(&r);
	jute_out_free(&o);
}

/* multi decodes each op until the done header; multiRead never watches. */
static void
test_decode_multi_and_multi_read(void **state)
{
	struct jute_out		 o;
	struct proto_req	 r;

	(void)state;
	frame_multi(&o);
	assert_int_equal(frame_decode(&o, &r), 0);
	assert_int_equal(r.nops, 4);
	assert_int_equal(r.ops[0].type, ZOP_CREATE);
	assert_string_equal(r.ops[0].path, "/m/a");
	assert_int_equal(r.ops[0].data_len, -1);
	assert_int_equal(r.ops[0].acl.n, 1);
	assert_int_equal(r.ops[1].type, ZOP_SETDATA);
	assert_int_equal(r.ops[1].version, 2);
	assert_int_equal(r.ops[2].type, ZOP_CHECK);
	assert_int_equal(r.ops[3].type, ZOP_DELETE);
	assert_string_equal(r.ops[3].path, "/m/old");
	proto_req_free(&r);
	jute_out_free(&o);

	frame_multi_read(&o);
	assert_int_equal(frame_decode(&o, &r), 0);
	assert_int_equal(r.nops, 2);
	assert_int_equal(r.ops[0].type, ZOP_GETDATA);
	assert_int_equal(r.ops[1].type, ZOP_GETCHILDREN);
	/* The frame asked for watches; a multiRead op never sets one. */
	assert_int_equal(r.ops[0].watch, 0);
	assert_int_equal(r.ops[1].watch, 0);
	proto_req_free(&r);
	jute_out_free(&o);

	/* An empty multi is just the done header. */
	frame_start(&o, 1, ZOP_MULTI);
	frame_multi_header(&o, -1, 1);
	assert_int_equal(frame_decode(&o, &r), 0);
	assert_int_equal(r.nops, 0);
	proto_req_free(&r);
	jute_out_free(&o);
}

/* A multi holding a read, or a multiRead holding a write, is refused. */
static void
test_multi_refuses_mixed_ops(void **state)
{
	struct jute_out		 o;
	struct proto_req	 r;

	(void)state;
	frame_start(&o, 1, ZOP_MULTI);
	frame_multi_header(&o, ZOP_DELETE, 0);
	jute_put_string(&o, "/a");
	jute_put_int(&o, -1);
	frame_multi_header(&o, ZOP_GETDATA, 0);
	jute_put_string(&o, "/a");
	jute_put_bool(&o, 0);
	frame_multi_header(&o, -1, 1);
	assert_int_equal(frame_decode(&o, &r), -1);
	proto_req_free(&r);
	jute_out_free(&o);

	frame_start(&o, 1, ZOP_MULTIREAD);
	frame_multi_header(&o, ZOP_GETCHILDREN, 0);
	jute_put_string(&o, "/a");
	jute_put_bool(&o, 0);
	frame_multi_header(&o, ZOP_SETDATA, 0);
	jute_put_string(&o, "/a");
	jute_put_buffer(&o, NULL, -1);
	jute_put_int(&o, -1);
	frame_multi_header(&o, -1, 1);
	assert_int_equal(frame_decode(&o, &r), -1);
	proto_req_free(&r);
	jute_out_free(&o);

	/* Ops that are never part of a multi: exists, sync, a nested multi. */
	frame_start(&o, 1, ZOP_MULTI);
	frame_multi_header(&o, ZOP_EXISTS, 0);
	jute_put_string(&o, "/a");
	jute_put_bool(&o, 0);
	frame_multi_header(&o, -1, 1);
	assert_int_equal(frame_decode(&o, &r), -1);
	proto_req_free(&r);
	jute_out_free(&o);

	frame_start(&o, 1, ZOP_MULTI);
	frame_multi_header(&o, ZOP_MULTI, 0);
	frame_multi_header(&o, -1, 1);
	frame_multi_header(&o, -1, 1);
	assert_int_equal(frame_decode(&o, &r), -1);
	proto_req_free(&r);
	jute_out_free(&o);
}

/* Every valid frame decodes, and every strict prefix of it is refused. */
static void
test_truncated_frames_rejected(void **state)
{
	struct jute_out		 o;
	struct proto_req	 r;
	size_t			 i, len;
	uint8_t			*copy;

	(void)state;
	for (i = 0; i < sizeof(frames) / sizeof(frames[0]); i++) {
		frames[i].build(&o);
		assert_int_equal(frame_decode(&o, &r), 0);
		assert_int_equal(r.type, frames[i].type);
		proto_req_free(&r);
		for (len = 0; len < o.len; len++) {
			/* Exactly len bytes, so that ASan sees overreads. */
			copy = malloc(len > 0 ? len : 1);
			memcpy(copy, o.buf, len);
			if (proto_decode_request(copy, len, MAXBUF, &r) != -1)
				fail_msg("%s: %zu of %zu bytes decoded",
				    proto_op_name(frames[i].type), len, o.len);
			proto_req_free(&r);
			free(copy);
		}
		jute_out_free(&o);
	}
}

/* Bytes after a complete record are ignored, as ZooKeeper ignores them. */
static void
test_trailing_bytes_accepted(void **state)
{
	struct jute_out		 o;
	struct proto_req	 r;

	(void)state;
	frame_get_data(&o);
	jute_put_int(&o, 0x12345678);
	assert_int_equal(frame_decode(&o, &r), 0);
	assert_string_equal(r.op.path, "/app");
	proto_req_free(&r);
	jute_out_free(&o);
}

/* Strings, buffers and vectors longer than the maximum are refused. */
static void
test_oversized_frames_rejected(void **state)
{
	struct jute_out		 o;
	struct proto_req	 r;
	char			 path[40];

	(void)state;
	memset(path, 'p', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	frame_start(&o, 1, ZOP_GETDATA);
	jute_put_string(&o, path);
	jute_put_bool(&o, 0);
	assert_int_equal(proto_decode_request(o.buf, o.len, 39, &r), 0);
	proto_req_free(&r);
	assert_int_equal(proto_decode_request(o.buf, o.len, 38, &r), -1);
	proto_req_free(&r);
	jute_out_free(&o);

	/* setData data above the maximum. */
	frame_start(&o, 1, ZOP_SETDATA);
	jute_put_string(&o, "/a");
	jute_put_buffer(&o, path, 39);
	jute_put_int(&o, -1);
	assert_int_equal(proto_decode_request(o.buf, o.len, 16, &r), -1);
	proto_req_free(&r);
	jute_out_free(&o);

	/* An ACL count far beyond the frame is refused before allocating. */
	frame_start(&o, 1, ZOP_CREATE);
	jute_put_string(&o, "/a");
	jute_put_buffer(&o, NULL, -1);
	jute_put_int(&o, 0x7fffffff);
	frame_acl(&o, ZPERM_ALL, "world", "anyone");
	jute_put_int(&o, 0);
	assert_int_equal(frame_decode(&o, &r), -1);
	proto_req_free(&r);
	jute_out_free(&o);

	/* A setWatches list count beyond the maximum. */
	frame_start(&o, ZXID_SETWATCHES, ZOP_SETWATCHES);
	jute_put_long(&o, 0);
	frame_strings(&o, 3, "/a");
	frame_strings(&o, 0, NULL);
	frame_strings(&o, 0, NULL);
	assert_int_equal(proto_decode_request(o.buf, o.len, 2, &r), -1);
	proto_req_free(&r);
	jute_out_free(&o);
}

/* Unknown opcodes, bad lengths and a NUL in a path are caught. */
static void
test_garbage_frames_rejected(void **state)
{
	static const int32_t	 bad_types[] = { ZOP_NOTIFICATION, 10, 99,
	    ZOP_CREATESESSION, ZOP_ERROR, 108, 0x7fffffff };
	struct jute_out		 o;
	struct proto_req	 r;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(bad_types) / sizeof(bad_types[0]); i++) {
		frame_start(&o, 1, bad_types[i]);
		jute_put_string(&o, "/a");
		jute_put_int(&o, 0);
		if (frame_decode(&o, &r) != -1)
			fail_msg("opcode %d decoded", bad_types[i]);
		proto_req_free(&r);
		jute_out_free(&o);
	}

	/* A string length of -2. */
	frame_start(&o, 1, ZOP_GETDATA);
	jute_put_int(&o, -2);
	jute_put_bool(&o, 0);
	assert_int_equal(frame_decode(&o, &r), -1);
	proto_req_free(&r);
	jute_out_free(&o);

	/* A NUL inside a path is flagged, not silently cut. */
	frame_start(&o, 1, ZOP_DELETE);
	jute_put_buffer(&o, "/a\0b", 4);
	jute_put_int(&o, -1);
	assert_int_equal(frame_decode(&o, &r), 0);
	assert_int_equal(r.op.bad_path, 1);
	proto_req_free(&r);
	jute_out_free(&o);

	/* deleteContainer is ZooKeeper's own: from a client, never a path. */
	frame_start(&o, 1, ZOP_DELETECONTAINER);
	jute_put_string(&o, "/a");
	assert_int_equal(frame_decode(&o, &r), 0);
	assert_int_equal(r.op.bad_path, 1);
	proto_req_free(&r);
	jute_out_free(&o);

	/* Fewer than 8 bytes cannot even hold the header. */
	assert_int_equal(proto_decode_request((const uint8_t *)"\0\0\0\1",
	    4, MAXBUF, &r), -1);
	proto_req_free(&r);
}

static void
connect_frame(struct jute_out *o, int with_ro, int ro)
{
	static const uint8_t	 pw[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
	    11, 12, 13, 14, 15, 16 };

	jute_out_init(o);
	jute_put_int(o, 0);
	jute_put_long(o, 0x300000010LL);
	jute_put_int(o, 30000);
	jute_put_long(o, 0x0100017f3c5a0000LL);
	jute_put_buffer(o, pw, 16);
	if (with_ro)
		jute_put_bool(o, ro);
}

/* A ConnectRequest of 44 bytes has no readOnly flag; of 45 it has one. */
static void
test_decode_connect_read_only_byte(void **state)
{
	struct jute_out		 o;
	struct proto_connect	 c;

	(void)state;
	connect_frame(&o, 0, 0);
	assert_int_equal(o.len, 44);
	assert_int_equal(proto_decode_connect(o.buf, o.len, &c), 0);
	assert_int_equal(c.protocol_version, 0);
	assert_true(c.last_zxid == 0x300000010LL);
	assert_int_equal(c.timeout, 30000);
	assert_true(c.session_id == 0x0100017f3c5a0000LL);
	assert_int_equal(c.passwd_len, 16);
	assert_int_equal(c.passwd[15], 16);
	assert_int_equal(c.has_read_only, 0);
	assert_int_equal(c.read_only, 0);
	jute_out_free(&o);

	connect_frame(&o, 1, 1);
	assert_int_equal(o.len, 45);
	assert_int_equal(proto_decode_connect(o.buf, o.len, &c), 0);
	assert_int_equal(c.has_read_only, 1);
	assert_int_equal(c.read_only, 1);
	jute_out_free(&o);

	connect_frame(&o, 1, 0);
	assert_int_equal(proto_decode_connect(o.buf, o.len, &c), 0);
	assert_int_equal(c.has_read_only, 1);
	assert_int_equal(c.read_only, 0);
	jute_out_free(&o);
}

/* A short ConnectRequest, or a password longer than the frame, fails. */
static void
test_decode_connect_short(void **state)
{
	struct jute_out		 o;
	struct proto_connect	 c;
	size_t			 len;

	(void)state;
	connect_frame(&o, 0, 0);
	for (len = 0; len < o.len; len++)
		assert_int_equal(proto_decode_connect(o.buf, len, &c), -1);
	jute_out_free(&o);

	jute_out_init(&o);
	jute_put_int(&o, 0);
	jute_put_long(&o, 0);
	jute_put_int(&o, 30000);
	jute_put_long(&o, 0);
	jute_put_int(&o, 100);
	jute_put_raw(&o, "0123456789abcdef", 16);
	assert_int_equal(proto_decode_connect(o.buf, o.len, &c), -1);
	jute_out_free(&o);
}

/* A Stat is 68 bytes in ZooKeeper's field order. */
static void
test_encode_stat_bytes(void **state)
{
	static const uint8_t	 want[68] = {
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
		0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
		0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x7b,
		0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x69, 0xc8,
		0x00, 0x00, 0x00, 0x07, 0xff, 0xff, 0xff, 0xfd,
		0x00, 0x00, 0x00, 0x02, 0x01, 0x00, 0x01, 0x7f,
		0x3c, 0x5a, 0x00, 0x01, 0x00, 0x00, 0x00, 0x05,
		0x00, 0x00, 0x00, 0x04, 0x21, 0x22, 0x23, 0x24,
		0x25, 0x26, 0x27, 0x28,
	};
	struct zk_stat		 st, back;
	struct jute_out		 o;
	struct jute_in		 in;

	(void)state;
	/* Zeroed first so padding compares equal after the round trip. */
	memset(&st, 0, sizeof(st));
	memset(&back, 0, sizeof(back));
	st.czxid = 0x0102030405060708LL;
	st.mzxid = 0x1112131415161718LL;
	st.ctime = 1700000000123LL;
	st.mtime = 1700000000456LL;
	st.version = 7;
	st.cversion = -3;
	st.aversion = 2;
	st.ephemeral_owner = 0x0100017f3c5a0001LL;
	st.data_length = 5;
	st.num_children = 4;
	st.pzxid = 0x2122232425262728LL;
	jute_out_init(&o);
	proto_put_stat(&o, &st);
	assert_int_equal(o.len, sizeof(want));
	assert_memory_equal(o.buf, want, sizeof(want));
	/* And the decoder reads it back. */
	jute_in_init(&in, o.buf, o.len, MAXBUF);
	assert_int_equal(proto_decode_stat(&in, &back), 0);
	assert_memory_equal(&back, &st, sizeof(st));
	jute_out_free(&o);
}

/* ConnectResponse: 36 bytes, and the readOnly byte if the client sent one. */
static void
test_encode_connect_response_bytes(void **state)
{
	static const uint8_t	 want[37] = {
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x75, 0x30,
		0x01, 0x00, 0x01, 0x7f, 0x3c, 0x5a, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x10, 0xa0, 0xa1, 0xa2, 0xa3,
		0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab,
		0xac, 0xad, 0xae, 0xaf, 0x00,
	};
	uint8_t			 pw[16];
	struct jute_out		 o;
	int			 i;

	(void)state;
	for (i = 0; i < 16; i++)
		pw[i] = (uint8_t)(0xa0 + i);
	jute_out_init(&o);
	proto_put_connect_response(&o, 30000, 0x0100017f3c5a0000LL, pw, 0);
	assert_int_equal(o.len, 36);
	assert_memory_equal(o.buf, want, 36);
	jute_out_reset(&o);
	proto_put_connect_response(&o, 30000, 0x0100017f3c5a0000LL, pw, 1);
	assert_int_equal(o.len, 37);
	assert_memory_equal(o.buf, want, 37);
	/* No password: sixteen zero bytes (an expired session's answer). */
	jute_out_reset(&o);
	proto_put_connect_response(&o, 0, 0, NULL, 1);
	assert_int_equal(o.len, 37);
	for (i = 0; i < 37; i++)
		if (i != 19)
			assert_int_equal(o.buf[i], 0);
	assert_int_equal(o.buf[19], 16);
	jute_out_free(&o);
}

/* ReplyHeader is xid, zxid, err. */
static void
test_encode_reply_header_bytes(void **state)
{
	static const uint8_t	 want[16] = {
		0xff, 0xff, 0xff, 0xf8, 0x00, 0x00, 0x00, 0x05,
		0x00, 0x00, 0x00, 0x07, 0xff, 0xff, 0xff, 0x9b,
	};
	struct jute_out		 o;

	(void)state;
	jute_out_init(&o);
	proto_put_reply_header(&o, -8, 0x500000007LL, ZERR_NONODE);
	assert_int_equal(o.len, sizeof(want));
	assert_memory_equal(o.buf, want, sizeof(want));
	jute_out_free(&o);
}

/* WatcherEvent is type, state, path. */
static void
test_encode_watcher_event_bytes(void **state)
{
	static const uint8_t	 want[16] = {
		0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x03,
		0x00, 0x00, 0x00, 0x04, 0x2f, 0x61, 0x2f, 0x62,
	};
	struct jute_out		 o;

	(void)state;
	jute_out_init(&o);
	proto_put_watcher_event(&o, ZEV_NODE_CHILDREN_CHANGED,
	    ZSTATE_SYNC_CONNECTED, "/a/b");
	assert_int_equal(o.len, sizeof(want));
	assert_memory_equal(o.buf, want, sizeof(want));
	jute_out_free(&o);
}

/* An ACL list encodes and decodes back equal; copies compare equal. */
static void
test_acl_list_round_trip(void **state)
{
	struct zk_acl		 v[2];
	struct zk_acl_list	 l = { 2, v }, back, copy;
	struct jute_out		 o;
	struct jute_in		 in;
	char			 s0[] = "digest", i0[] = "u:h", s1[] = "ip",
				 i1[] = "1.2.3.4";

	(void)state;
	v[0].perms = ZPERM_ALL;
	v[0].id.scheme = s0;
	v[0].id.id = i0;
	v[1].perms = ZPERM_READ;
	v[1].id.scheme = s1;
	v[1].id.id = i1;
	jute_out_init(&o);
	proto_put_acl_list(&o, &l);
	jute_in_init(&in, o.buf, o.len, MAXBUF);
	assert_int_equal(proto_decode_acl_list(&in, &back), 0);
	assert_int_equal(jute_in_left(&in), 0);
	assert_true(proto_acl_list_equal(&l, &back));
	proto_acl_list_copy(&copy, &back);
	assert_true(proto_acl_list_equal(&copy, &l));
	copy.v[1].perms = ZPERM_WRITE;
	assert_false(proto_acl_list_equal(&copy, &l));
	proto_acl_list_free(&copy);
	proto_acl_list_free(&back);
	assert_int_equal(back.n, 0);
	jute_out_free(&o);
}

/* The writes are exactly the opcodes that become transactions. */
static void
test_is_write_per_opcode(void **state)
{
	static const int32_t	 writes[] = { ZOP_CREATE, ZOP_CREATE2,
	    ZOP_CREATECONTAINER, ZOP_CREATETTL, ZOP_DELETE,
	    ZOP_DELETECONTAINER, ZOP_SETDATA, ZOP_SETACL, ZOP_CHECK,
	    ZOP_MULTI, ZOP_RECONFIG, ZOP_CREATESESSION, ZOP_CLOSESESSION };
	static const int32_t	 reads[] = { ZOP_EXISTS, ZOP_GETDATA,
	    ZOP_GETACL, ZOP_GETCHILDREN, ZOP_GETCHILDREN2, ZOP_SYNC, ZOP_PING,
	    ZOP_MULTIREAD, ZOP_AUTH, ZOP_SETWATCHES, ZOP_SETWATCHES2,
	    ZOP_SASL, ZOP_GETEPHEMERALS, ZOP_GETALLCHILDRENNUMBER,
	    ZOP_ADDWATCH, ZOP_WHOAMI, ZOP_CHECKWATCHES, ZOP_REMOVEWATCHES };
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(writes) / sizeof(writes[0]); i++)
		assert_true(proto_is_write(writes[i]));
	for (i = 0; i < sizeof(reads) / sizeof(reads[0]); i++)
		assert_false(proto_is_write(reads[i]));
}

/* Names of opcodes and errors, with a fallback for unknown numbers. */
static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(proto_op_name(ZOP_GETCHILDREN2), "getChildren2");
	assert_string_equal(proto_op_name(12345), "unknown");
	assert_string_equal(proto_op_lop(ZOP_GETALLCHILDRENNUMBER), "GETACN");
	assert_string_equal(proto_op_lop(12345), "NA");
	assert_string_equal(proto_err_name(ZERR_NOCHILDRENFOREPHEMERALS),
	    "NOCHILDRENFOREPHEMERALS");
	assert_string_equal(proto_err_name(-9999), "UNKNOWN");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_create_family),
		cmocka_unit_test(test_decode_delete_and_check),
		cmocka_unit_test(test_decode_reads_with_watch),
		cmocka_unit_test(test_decode_set_data_null_and_empty),
		cmocka_unit_test(test_decode_path_only_ops),
		cmocka_unit_test(test_decode_set_acl),
		cmocka_unit_test(test_decode_watch_ops),
		cmocka_unit_test(test_decode_header_only_ops),
		cmocka_unit_test(test_decode_reconfig_and_sasl),
		cmocka_unit_test(test_decode_auth),
		cmocka_unit_test(test_decode_set_watches),
		cmocka_unit_test(test_decode_multi_and_multi_read),
		cmocka_unit_test(test_multi_refuses_mixed_ops),
		cmocka_unit_test(test_truncated_frames_rejected),
		cmocka_unit_test(test_trailing_bytes_accepted),
		cmocka_unit_test(test_oversized_frames_rejected),
		cmocka_unit_test(test_garbage_frames_rejected),
		cmocka_unit_test(test_decode_connect_read_only_byte),
		cmocka_unit_test(test_decode_connect_short),
		cmocka_unit_test(test_encode_stat_bytes),
		cmocka_unit_test(test_encode_connect_response_bytes),
		cmocka_unit_test(test_encode_reply_header_bytes),
		cmocka_unit_test(test_encode_watcher_event_bytes),
		cmocka_unit_test(test_acl_list_round_trip),
		cmocka_unit_test(test_is_write_per_opcode),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
