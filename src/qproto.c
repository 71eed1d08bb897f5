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
