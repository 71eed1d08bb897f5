/* SPDX-License-Identifier: ISC */
/*
 * qproto.c: encoding and decoding transactions (codec layer).  See qproto.h
 * for the records.  Decoding checks every length against the input and the
 * maximum, and refuses a type it does not know: a txn that cannot be read
 * is never half-applied.
 */
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "qproto.h"
#include "txn.h"
#include "xmalloc.h"

/* Data as a buffer: empty data (no bytes, length 0) is not null data. */
static void
qproto_put_data(struct jute_out *o, const struct txn_op *op)
{
	jute_put_buffer(o, op->data != NULL ? op->data : (const uint8_t *)"",
	    op->data_len);
}

static void
qproto_put_body(struct jute_out *o, const struct txn_op *op)
{
	int32_t	 i;

	switch (op->type) {
	case ZOP_CREATE:
	case ZOP_CREATE2:
		jute_put_string(o, op->path);
		qproto_put_data(o, op);
		proto_put_acl_list(o, &op->acl);
		jute_put_bool(o, op->ephemeral);
		jute_put_int(o, op->parent_cversion);
		break;
	case ZOP_CREATECONTAINER:
	case ZOP_CREATETTL:
		jute_put_string(o, op->path);
		qproto_put_data(o, op);
		proto_put_acl_list(o, &op->acl);
		jute_put_int(o, op->parent_cversion);
		if (op->type == ZOP_CREATETTL)
			jute_put_long(o, op->ttl);
		break;
	case ZOP_DELETE:
	case ZOP_DELETECONTAINER:
		jute_put_string(o, op->path);
		break;
	case ZOP_SETDATA:
	case ZOP_RECONFIG:
		jute_put_string(o, op->path);
		qproto_put_data(o, op);
		jute_put_int(o, op->version);
		break;
	case ZOP_CHECK:
		jute_put_string(o, op->path);
		jute_put_int(o, op->version);
		break;
	case ZOP_SETACL:
		jute_put_string(o, op->path);
		proto_put_acl_list(o, &op->acl);
		jute_put_int(o, op->version);
		break;
	case ZOP_CREATESESSION:
		jute_put_int(o, op->timeout);
		break;
	case ZOP_CLOSESESSION:
		if (!op->has_paths)
			break;
		jute_put_int(o, op->paths.n);
		for (i = 0; i < op->paths.n; i++)
			jute_put_string(o, op->paths.v[i]);
		break;
	case ZOP_ERROR:
		jute_put_int(o, op->err);
		break;
	}
}

/* Appends TxnHeader + body of a txn (a log entry without its framing). */
void
qproto_put_txn(struct jute_out *o, const struct txn *t)
{
	struct jute_out	 sub;
	int32_t		 i;

	jute_put_long(o, t->client_id);
	jute_put_int(o, t->cxid);
	jute_put_long(o, t->zxid);
	jute_put_long(o, t->time);
	jute_put_int(o, t->op.type);
	if (t->op.type != ZOP_MULTI) {
		qproto_put_body(o, &t->op);
		return;
	}
	jute_out_init(&sub);
	jute_put_int(o, t->nsubs);
	for (i = 0; i < t->nsubs; i++) {
		jute_out_reset(&sub);
		qproto_put_body(&sub, &t->subs[i]);
		jute_put_int(o, t->subs[i].type);
		jute_put_buffer(o, sub.buf != NULL ? sub.buf : (const uint8_t *)"",
		    (int32_t)sub.len);
	}
	jute_out_free(&sub);
}

static void
qproto_get_data(struct jute_in *in, struct txn_op *op)
{
	const uint8_t	*p;
	int32_t		 len;

	if (jute_get_buffer(in, &p, &len) == -1)
		return;
	op->data_len = len;
	if (len > 0)
		op->data = xmemdup(p, (size_t)len);
}

/* One body of the given type; 0, or -1 on a short or unknown record. */
static int
qproto_get_body(struct jute_in *in, int32_t type, struct txn_op *op,
    int top)
{
	int32_t	 n, i;

	op->type = type;
	op->data_len = -1;
	switch (type) {
	case ZOP_CREATE:
	case ZOP_CREATE2:
		jute_get_string(in, &op->path);
		qproto_get_data(in, op);
		proto_decode_acl_list(in, &op->acl);
		jute_get_bool(in, &op->ephemeral);
		if (jute_in_left(in) == 0 && !in->err && top &&
		    type == ZOP_CREATE) {
			/* CreateTxnV0: the parent's cversion is worked out. */
			op->parent_cversion = -1;
			break;
		}
		jute_get_int(in, &op->parent_cversion);
		break;
	case ZOP_CREATECONTAINER:
	case ZOP_CREATETTL:
		jute_get_string(in, &op->path);
		qproto_get_data(in, op);
		proto_decode_acl_list(in, &op->acl);
		jute_get_int(in, &op->parent_cversion);
		if (type == ZOP_CREATETTL)
			jute_get_long(in, &op->ttl);
		break;
	case ZOP_DELETE:
	case ZOP_DELETECONTAINER:
		jute_get_string(in, &op->path);
		break;
	case ZOP_SETDATA:
	case ZOP_RECONFIG:
		jute_get_string(in, &op->path);
		qproto_get_data(in, op);
		jute_get_int(in, &op->version);
		break;
	case ZOP_CHECK:
		jute_get_string(in, &op->path);
		jute_get_int(in, &op->version);
		break;
	case ZOP_SETACL:
		jute_get_string(in, &op->path);
		proto_decode_acl_list(in, &op->acl);
		jute_get_int(in, &op->version);
		break;
	case ZOP_CREATESESSION:
		jute_get_int(in, &op->timeout);
		break;
	case ZOP_CLOSESESSION:
		/* Logs from before 3.6 carry no CloseSessionTxn. */
		if (jute_in_left(in) == 0)
			break;
		op->has_paths = 1;
		if (jute_get_count(in, &n) == -1)
			break;
		op->paths.v = xcalloc((size_t)n + 1, sizeof(*op->paths.v));
		for (i = 0; i < n && !in->err; i++) {
			jute_get_string(in, &op->paths.v[i]);
			op->paths.n = i + 1;
		}
		break;
	case ZOP_ERROR:
		jute_get_int(in, &op->err);
		break;
	default:
		return -1;
	}
	if (in->err)
		return -1;
	if (op->path == NULL && type != ZOP_CREATESESSION &&
	    type != ZOP_CLOSESESSION && type != ZOP_ERROR)
		return -1;
	return 0;
}

/*
 * Decodes a log entry (TxnHeader + body [+ TxnDigest]) into a new txn.
 * max bounds every length.  Returns 0, or -1 with *out NULL.
 */
int
qproto_get_txn(const uint8_t *buf, size_t len, size_t max, struct txn **out)
{
	struct jute_in	 in, sin;
	struct txn	*t;
	struct txn_op	*op;
	const uint8_t	*p;
	int64_t		 cid, zxid, time;
	int32_t		 cxid, type, n, i, stype, slen;

	*out = NULL;
	jute_in_init(&in, buf, len, max);
	jute_get_long(&in, &cid);
	jute_get_int(&in, &cxid);
	jute_get_long(&in, &zxid);
	jute_get_long(&in, &time);
	jute_get_int(&in, &type);
	if (in.err)
		return -1;
	t = txn_new(cid, cxid, zxid, time, type);
	if (type != ZOP_MULTI) {
		if (qproto_get_body(&in, type, &t->op, 1) == -1)
			goto fail;
		*out = t;
		return 0;
	}
	if (jute_get_count(&in, &n) == -1)
		goto fail;
	for (i = 0; i < n; i++) {
		jute_get_int(&in, &stype);
		jute_get_buffer(&in, &p, &slen);
		if (in.err || slen < 0)
			goto fail;
		op = txn_add_sub(t);
		jute_in_init(&sin, p, (size_t)slen, max);
		if (qproto_get_body(&sin, stype, op, 0) == -1)
			goto fail;
	}
	*out = t;
	return 0;
fail:
	txn_free(t);
	return -1;
}

/* One notification, without its frame length. */
void
qproto_put_notif(struct jute_out *o, const struct qproto_notif *n)
{
	jute_put_int(o, n->state);
	jute_put_long(o, n->leader);
	jute_put_long(o, n->zxid);
	jute_put_long(o, n->round);
	jute_put_long(o, n->epoch);
	jute_put_int(o, n->version);
	jute_put_int(o, n->config_len > 0 ? n->config_len : 0);
	if (n->config_len > 0)
		jute_put_raw(o, n->config, (size_t)n->config_len);
}

/*
 * Reads one notification frame of len bytes.  Returns 0, or -1 if it is
 * shorter than any form ZooKeeper ever sent or its config length does not
 * fit the frame.
 */
int
qproto_get_notif(const uint8_t *buf, size_t len, struct qproto_notif *n)
{
	struct jute_in	 in;

	memset(n, 0, sizeof(*n));
	if (len < 28)
		return -1;
	jute_in_init(&in, buf, len, len);
	jute_get_int(&in, &n->state);
	jute_get_long(&in, &n->leader);
	jute_get_long(&in, &n->zxid);
	jute_get_long(&in, &n->round);
	if (len == 28) {
		/* Before peerEpoch existed: the zxid's epoch stands in. */
		n->epoch = (int64_t)((uint64_t)n->zxid >> 32);
		return in.err ? -1 : 0;
	}
	jute_get_long(&in, &n->epoch);
	if (len == 40)
		return in.err ? -1 : 0;
	jute_get_int(&in, &n->version);
	if (in.err)
		return -1;
	if (n->version > 1) {
		if (jute_get_int(&in, &n->config_len) == -1 ||
		    n->config_len < 0 ||
		    (size_t)n->config_len > jute_in_left(&in))
			return -1;
		n->config = buf + in.off;
	}
	return 0;
}

/* The header that opens an election connection. */
void
qproto_put_cnx_header(struct jute_out *o, int64_t version, int64_t sid,
    const char *addr)
{
	jute_put_long(o, version);
	jute_put_long(o, sid);
	jute_put_int(o, (int32_t)strlen(addr));
	jute_put_raw(o, addr, strlen(addr));
}

/*
 * Parses the header at the start of what a connecting peer sent: the sid,
 * its address text (NUL-terminated into addr, "" from a pre-3.5 server)
 * and in *used the header's length.  Returns 0, 1 if more bytes are
 * needed, or -1 if this is no header ZooKeeper would accept.
 */
int
qproto_get_cnx_header(const uint8_t *buf, size_t len, int64_t *sid,
    char *addr, size_t addrsz, size_t *used)
{
	int64_t	 version;
	int32_t	 n;

	if (len < 8)
		return 1;
	version = (int64_t)jute_be64(buf);
	if (version >= 0) {
		*sid = version;
		if (addrsz > 0)
			addr[0] = '\0';
		*used = 8;
		return 0;
	}
	if (version != QPROTO_CNX_V1 && version != QPROTO_CNX_V2)
		return -1;
	if (len < 20)
		return 1;
	*sid = (int64_t)jute_be64(buf + 8);
	n = (int32_t)jute_be32(buf + 16);
	if (n <= 0 || n > QPROTO_CNX_ADDR_MAX || (size_t)n >= addrsz)
		return -1;
	if (len < 20 + (size_t)n)
		return 1;
	memcpy(addr, buf + 20, (size_t)n);
	addr[n] = '\0';
	if (strlen(addr) != (size_t)n)
		return -1;
	*used = 20 + (size_t)n;
	return 0;
}

static const char *qproto_qpacket_names[] = {
	NULL, "REQUEST", "PROPOSAL", "ACK", "COMMIT", "PING", "REVALIDATE",
	"SYNC", "INFORM", "COMMITANDACTIVATE", "NEWLEADER", "FOLLOWERINFO",
	"UPTODATE", "DIFF", "TRUNC", "SNAP", "OBSERVERINFO", "LEADERINFO",
	"ACKEPOCH", "INFORMANDACTIVATE"
};

const char *
qproto_qpacket_name(int32_t type)
{
	if (type < QP_REQUEST || type > QP_INFORMANDACTIVATE)
		return "UNKNOWN";
	return qproto_qpacket_names[type];
}

void
qproto_put_qpacket(struct jute_out *o, const struct qpacket *p)
{
	int32_t	 i;

	jute_put_int(o, p->type);
	jute_put_long(o, p->zxid);
	jute_put_buffer(o, p->data, p->data == NULL ? -1 : p->data_len);
	if (p->auth == NULL) {
		jute_put_int(o, -1);
		return;
	}
	jute_put_int(o, p->nauth);
	for (i = 0; i < p->nauth; i++) {
		jute_put_string(o, p->auth[i].scheme);
		jute_put_string(o, p->auth[i].id);
	}
}

void
qproto_qpacket_free(struct qpacket *p)
{
	int32_t	 i;

	for (i = 0; i < p->nauth; i++) {
		free(p->auth[i].scheme);
		free(p->auth[i].id);
	}
	free(p->auth);
	p->auth = NULL;
	p->nauth = 0;
}

/*
 * Steps over one length-prefixed field at *off: 0, 1 if it is not all
 * there yet, -1 if its length is impossible.
 */
static int
qproto_skip_field(const uint8_t *buf, size_t len, size_t max, size_t *off)
{
	int32_t	 n;

	if (len - *off < 4)
		return 1;
	n = (int32_t)jute_be32(buf + *off);
	if (n < -1 || (n > 0 && (size_t)n > max))
		return -1;
	*off += 4;
	if (n > 0) {
		if (len - *off < (size_t)n)
			return 1;
		*off += (size_t)n;
	}
	return 0;
}

/*
 * Reads the QuorumPacket at the start of buf (len bytes so far; buffers,
 * strings and the authinfo count at most max).  Returns 0 with *used its
 * length, 1 if it is not all there yet, or -1 if it cannot be one.  The
 * packet is measured first, so a cut one is never mistaken for a bad one.
 */
int
qproto_get_qpacket(const uint8_t *buf, size_t len, size_t max,
    struct qpacket *p, size_t *used)
{
	struct jute_in	 in;
	size_t		 off = 12;
	int32_t		 n, i;
	int		 rv;

	memset(p, 0, sizeof(*p));
	if (len < off)
		return 1;
	if ((rv = qproto_skip_field(buf, len, max, &off)) != 0)
		return rv;
	if (len - off < 4)
		return 1;
	n = (int32_t)jute_be32(buf + off);
	if (n < -1 || (n > 0 && (size_t)n > max))
		return -1;
	off += 4;
	for (i = 0; i < 2 * n; i++)
		if ((rv = qproto_skip_field(buf, len, max, &off)) != 0)
			return rv;

	jute_in_init(&in, buf, off, max);
	jute_get_int(&in, &p->type);
	jute_get_long(&in, &p->zxid);
	jute_get_buffer(&in, &p->data, &p->data_len);
	jute_get_int(&in, &n);
	if (n >= 0)
		p->auth = xcalloc((size_t)n + 1, sizeof(*p->auth));
	for (i = 0; i < n; i++) {
		p->nauth = i + 1;
		jute_get_string(&in, &p->auth[i].scheme);
		jute_get_string(&in, &p->auth[i].id);
	}
	if (in.err || in.off != off) {
		qproto_qpacket_free(p);
		return -1;
	}
	*used = off;
	return 0;
}

void
qproto_put_learner_info(struct jute_out *o, const struct learner_info *li)
{
	jute_put_long(o, li->sid);
	jute_put_int(o, li->protocol);
	jute_put_long(o, li->config_version);
}

int
qproto_get_learner_info(const uint8_t *buf, size_t len,
    struct learner_info *li)
{
	struct jute_in	 in;

	jute_in_init(&in, buf, len, len);
	jute_get_long(&in, &li->sid);
	jute_get_int(&in, &li->protocol);
	jute_get_long(&in, &li->config_version);
	return in.err ? -1 : 0;
}
