/* SPDX-License-Identifier: ISC */
/*
 * test_qproto.c: the election port's records as ZooKeeper 3.8 lays them
 * out: a notification is written byte for byte in FastLeaderElection's
 * order and read back, the 28 and 40 byte forms of older servers are
 * read as ZooKeeper reads them, and a connection header of every version
 * is parsed, asked for more bytes when cut, and refused when ZooKeeper
 * would refuse it.  On the quorum port: QuorumPacket and LearnerInfo
 * byte for byte, a packet cut anywhere asks for more bytes, and one with
 * an impossible length is refused.
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
#include "qproto.h"

/* The 3.8 layout, written out by hand. */
static const uint8_t notif_bytes[] = {
	0, 0, 0, 1,				/* FOLLOWING */
	0, 0, 0, 0, 0, 0, 0, 2,			/* leader 2 */
	0, 0, 0, 1, 0, 0, 0, 3,			/* zxid 0x100000003 */
	0, 0, 0, 0, 0, 0, 0, 5,			/* round 5 */
	0, 0, 0, 0, 0, 0, 0, 1,			/* peerEpoch 1 */
	0, 0, 0, 2,				/* version 2 */
	0, 0, 0, 9,				/* config length */
	'v', 'e', 'r', 's', 'i', 'o', 'n', '=', '0'
};

static void
test_notif_layout(void **state)
{
	struct jute_out		 o;
	struct qproto_notif	 n, r;

	(void)state;
	memset(&n, 0, sizeof(n));
	n.state = 1;
	n.leader = 2;
	n.zxid = 0x100000003LL;
	n.round = 5;
	n.epoch = 1;
	n.version = 2;
	n.config = (const uint8_t *)"version=0";
	n.config_len = 9;
	jute_out_init(&o);
	qproto_put_notif(&o, &n);
	assert_int_equal(o.len, sizeof(notif_bytes));
	assert_memory_equal(o.buf, notif_bytes, sizeof(notif_bytes));
	assert_int_equal(qproto_get_notif(o.buf, o.len, &r), 0);
	assert_int_equal(r.state, 1);
	assert_int_equal(r.leader, 2);
	assert_int_equal(r.zxid, 0x100000003LL);
	assert_int_equal(r.round, 5);
	assert_int_equal(r.epoch, 1);
	assert_int_equal(r.version, 2);
	assert_int_equal(r.config_len, 9);
	assert_memory_equal(r.config, "version=0", 9);
	jute_out_free(&o);
}

/* Older forms: 28 bytes (no peerEpoch), 40 bytes (no version). */
static void
test_notif_old_forms(void **state)
{
	struct qproto_notif	 r;
	uint8_t			 b[sizeof(notif_bytes)];

	(void)state;
	assert_int_equal(qproto_get_notif(notif_bytes, 28, &r), 0);
	assert_int_equal(r.leader, 2);
	assert_int_equal(r.epoch, 1);		/* from the zxid */
	assert_int_equal(r.version, 0);
	assert_int_equal(qproto_get_notif(notif_bytes, 40, &r), 0);
	assert_int_equal(r.epoch, 1);
	assert_int_equal(r.version, 0);
	/* Version 1: no config follows. */
	memcpy(b, notif_bytes, sizeof(b));
	b[39] = 1;
	assert_int_equal(qproto_get_notif(b, 44, &r), 0);
	assert_int_equal(r.version, 1);
	assert_int_equal(r.config_len, 0);
}

static void
test_notif_bad(void **state)
{
	uint8_t			 b[sizeof(notif_bytes)];
	struct qproto_notif	 r;
	size_t			 len;

	(void)state;
	for (len = 0; len < 28; len++)
		assert_int_equal(qproto_get_notif(notif_bytes, len, &r), -1);
	/* Version 2 but cut inside the config length or the config. */
	assert_int_equal(qproto_get_notif(notif_bytes, 46, &r), -1);
	assert_int_equal(qproto_get_notif(notif_bytes, 50, &r), -1);
	/* A config length beyond the frame, or negative. */
	memcpy(b, notif_bytes, sizeof(b));
	b[43] = 10;
	assert_int_equal(qproto_get_notif(b, sizeof(b), &r), -1);
	b[40] = 0xff;
	assert_int_equal(qproto_get_notif(b, sizeof(b), &r), -1);
}

static void
test_cnx_header(void **state)
{
	struct jute_out	 o;
	int64_t		 sid;
	char		 addr[QPROTO_CNX_ADDR_MAX + 1];
	size_t		 used, cut;
	static const uint8_t v1[] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0,	/* -65536 */
		0, 0, 0, 0, 0, 0, 0, 3,
		0, 0, 0, 14,
		'1', '2', '7', '.', '0', '.', '0', '.', '1', ':',
		'3', '8', '8', '3'
	};

	(void)state;
	jute_out_init(&o);
	qproto_put_cnx_header(&o, QPROTO_CNX_V1, 3, "127.0.0.1:3883");
	assert_int_equal(o.len, sizeof(v1));
	assert_memory_equal(o.buf, v1, sizeof(v1));
	assert_int_equal(qproto_get_cnx_header(o.buf, o.len, &sid, addr,
	    sizeof(addr), &used), 0);
	assert_int_equal(sid, 3);
	assert_string_equal(addr, "127.0.0.1:3883");
	assert_int_equal(used, sizeof(v1));
	/* Every cut asks for more. */
	for (cut = 0; cut < sizeof(v1); cut++)
		assert_int_equal(qproto_get_cnx_header(o.buf, cut, &sid, addr,
		    sizeof(addr), &used), 1);
	/* V2 with two addresses, then a notification frame behind it. */
	jute_out_reset(&o);
	qproto_put_cnx_header(&o, QPROTO_CNX_V2, 7, "a:1|b:2");
	jute_put_int(&o, 44);
	assert_int_equal(qproto_get_cnx_header(o.buf, o.len, &sid, addr,
	    sizeof(addr), &used), 0);
	assert_int_equal(sid, 7);
	assert_string_equal(addr, "a:1|b:2");
	assert_int_equal(used, o.len - 4);
	/* A pre-3.5 server sends only its sid. */
	jute_out_reset(&o);
	jute_put_long(&o, 5);
	assert_int_equal(qproto_get_cnx_header(o.buf, o.len, &sid, addr,
	    sizeof(addr), &used), 0);
	assert_int_equal(sid, 5);
	assert_string_equal(addr, "");
	assert_int_equal(used, 8);
	jute_out_free(&o);
}

static void
test_cnx_header_bad(void **state)
{
	struct jute_out	 o;
	int64_t		 sid;
	char		 addr[QPROTO_CNX_ADDR_MAX + 1];
	size_t		 used;

	(void)state;
	jute_out_init(&o);
	/* An unknown negative version. */
	jute_put_long(&o, -1);
	jute_put_long(&o, 1);
	jute_put_int(&o, 3);
	jute_put_raw(&o, "a:1", 3);
	assert_int_equal(qproto_get_cnx_header(o.buf, o.len, &sid, addr,
	    sizeof(addr), &used), -1);
	/* Address lengths of 0, negative, and above 2048. */
	jute_out_reset(&o);
	jute_put_long(&o, QPROTO_CNX_V1);
	jute_put_long(&o, 1);
	jute_put_int(&o, 0);
	assert_int_equal(qproto_get_cnx_header(o.buf, o.len, &sid, addr,
	    sizeof(addr), &used), -1);
	jute_patch_int(&o, 16, -5);
	assert_int_equal(qproto_get_cnx_header(o.buf, o.len, &sid, addr,
	    sizeof(addr), &used), -1);
	jute_patch_int(&o, 16, QPROTO_CNX_ADDR_MAX + 1);
	assert_int_equal(qproto_get_cnx_header(o.buf, o.len, &sid, addr,
	    sizeof(addr), &used), -1);
	/* A NUL inside the address. */
	jute_out_reset(&o);
	jute_put_long(&o, QPROTO_CNX_V1);
	jute_put_long(&o, 1);
	jute_put_int(&o, 3);
	jute_put_raw(&o, "a\0b", 3);
	assert_int_equal(qproto_get_cnx_header(o.buf, o.len, &sid, addr,
	    sizeof(addr), &used), -1);
	/* An address that does not fit the caller's buffer. */
	jute_out_reset(&o);
	qproto_put_cnx_header(&o, QPROTO_CNX_V1, 1, "127.0.0.1:3881");
	assert_int_equal(qproto_get_cnx_header(o.buf, o.len, &sid, addr, 8,
	    &used), -1);
	jute_out_free(&o);
}

/* ACK as a learner sends it: null data, null authinfo. */
static const uint8_t ack_bytes[] = {
	0, 0, 0, 3,
	0, 0, 0, 2, 0, 0, 0, 7,
	0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff
};

static void
test_qpacket(void **state)
{
	struct jute_out	 o;
	struct qpacket	 p, r;
	char		 s1[] = "digest", i1[] = "bob:Zm9v", s2[] = "ip",
			 i2[] = "127.0.0.1";
	struct zk_id	 ids[2] = { { s1, i1 }, { s2, i2 } };
	size_t		 used, cut;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.type = QP_ACK;
	p.zxid = 0x200000007LL;
	jute_out_init(&o);
	qproto_put_qpacket(&o, &p);
	assert_int_equal(o.len, sizeof(ack_bytes));
	assert_memory_equal(o.buf, ack_bytes, sizeof(ack_bytes));
	assert_int_equal(qproto_get_qpacket(o.buf, o.len, 1024, &r, &used), 0);
	assert_int_equal(used, o.len);
	assert_int_equal(r.type, QP_ACK);
	assert_int_equal(r.zxid, 0x200000007LL);
	assert_int_equal(r.data_len, -1);
	assert_null(r.auth);
	qproto_qpacket_free(&r);

	/* A REQUEST with data and two ids, then another packet behind it. */
	jute_out_reset(&o);
	p.type = QP_REQUEST;
	p.zxid = -1;
	p.data = (const uint8_t *)"payload";
	p.data_len = 7;
	p.auth = ids;
	p.nauth = 2;
	qproto_put_qpacket(&o, &p);
	cut = o.len;
	jute_put_raw(&o, ack_bytes, sizeof(ack_bytes));
	assert_int_equal(qproto_get_qpacket(o.buf, o.len, 1024, &r, &used), 0);
	assert_int_equal(used, cut);
	assert_int_equal(r.type, QP_REQUEST);
	assert_int_equal(r.data_len, 7);
	assert_memory_equal(r.data, "payload", 7);
	assert_int_equal(r.nauth, 2);
	assert_string_equal(r.auth[0].scheme, "digest");
	assert_string_equal(r.auth[0].id, "bob:Zm9v");
	assert_string_equal(r.auth[1].scheme, "ip");
	assert_string_equal(r.auth[1].id, "127.0.0.1");
	qproto_qpacket_free(&r);
	/* Every cut of the first packet asks for more. */
	for (used = 0; used < cut; used++) {
		size_t	 u2;

		assert_int_equal(qproto_get_qpacket(o.buf, used, 1024, &r,
		    &u2), 1);
		assert_null(r.auth);
	}
	assert_string_equal(qproto_qpacket_name(QP_LEADERINFO), "LEADERINFO");
	assert_string_equal(qproto_qpacket_name(99), "UNKNOWN");
	jute_out_free(&o);
}

static void
test_qpacket_bad(void **state)
{
	struct jute_out	 o;
	struct qpacket	 r;
	size_t		 used;

	(void)state;
	jute_out_init(&o);
	/* Data longer than the maximum: refused before it all arrives. */
	jute_put_int(&o, QP_PROPOSAL);
	jute_put_long(&o, 1);
	jute_put_int(&o, 4096);
	assert_int_equal(qproto_get_qpacket(o.buf, o.len, 1024, &r, &used),
	    -1);
	/* A negative data length other than -1. */
	jute_patch_int(&o, 12, -2);
	assert_int_equal(qproto_get_qpacket(o.buf, o.len, 1024, &r, &used),
	    -1);
	/* An authinfo count of -7. */
	jute_out_reset(&o);
	jute_put_int(&o, QP_PING);
	jute_put_long(&o, 1);
	jute_put_int(&o, -1);
	jute_put_int(&o, -7);
	assert_int_equal(qproto_get_qpacket(o.buf, o.len, 1024, &r, &used),
	    -1);
	/* A scheme string longer than the maximum. */
	jute_patch_int(&o, 16, 1);
	jute_put_int(&o, 1 << 20);
	assert_int_equal(qproto_get_qpacket(o.buf, o.len, 1024, &r, &used),
	    -1);
	jute_out_free(&o);
}

static void
test_learner_info(void **state)
{
	struct jute_out		 o;
	struct learner_info	 li = { 3, 0x10000, 0 }, r;
	static const uint8_t	 b[] = {
		0, 0, 0, 0, 0, 0, 0, 3,
		0, 1, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0
	};

	(void)state;
	jute_out_init(&o);
	qproto_put_learner_info(&o, &li);
	assert_int_equal(o.len, sizeof(b));
	assert_memory_equal(o.buf, b, sizeof(b));
	assert_int_equal(qproto_get_learner_info(o.buf, o.len, &r), 0);
	assert_int_equal(r.sid, 3);
	assert_int_equal(r.protocol, 0x10000);
	assert_int_equal(r.config_version, 0);
	assert_int_equal(qproto_get_learner_info(o.buf, o.len - 1, &r), -1);
	jute_out_free(&o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_notif_layout),
		cmocka_unit_test(test_notif_old_forms),
		cmocka_unit_test(test_notif_bad),
		cmocka_unit_test(test_cnx_header),
		cmocka_unit_test(test_cnx_header_bad),
		cmocka_unit_test(test_qpacket),
		cmocka_unit_test(test_qpacket_bad),
		cmocka_unit_test(test_learner_info),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
