/* SPDX-License-Identifier: ISC */
/*
 * proto.c: decoders and encoders of ZooKeeper's client records (codec layer).
 *
 * Record layouts follow zookeeper.jute.  A request decoder accepts a frame
 * (RequestHeader + record) and fails on anything short, oversized, or not
 * of the opcode's shape; trailing bytes after a record are accepted, as
 * ZooKeeper ignores them.
 */
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "xmalloc.h"

struct op_name {
	int32_t		 op;
	const char	*name;
	const char	*lop;
};

static const struct op_name op_names[] = {
	{ ZOP_NOTIFICATION, "notification", "NA" },
	{ ZOP_CREATE, "create", "CREA" },
	{ ZOP_DELETE, "delete", "DELE" },
	{ ZOP_EXISTS, "exists", "EXIS" },
	{ ZOP_GETDATA, "getData", "GETD" },
	{ ZOP_SETDATA, "setData", "SETD" },
	{ ZOP_GETACL, "getACL", "GETA" },
	{ ZOP_SETACL, "setACL", "SETA" },
	{ ZOP_GETCHILDREN, "getChildren", "GETC" },
	{ ZOP_SYNC, "sync", "SYNC" },
	{ ZOP_PING, "ping", "PING" },
	{ ZOP_GETCHILDREN2, "getChildren2", "GETC" },
	{ ZOP_CHECK, "check", "CHEC" },
	{ ZOP_MULTI, "multi", "MULT" },
	{ ZOP_CREATE2, "create2", "CREA" },
	{ ZOP_RECONFIG, "reconfig", "RECO" },
	{ ZOP_CHECKWATCHES, "checkWatches", "CHKW" },
	{ ZOP_REMOVEWATCHES, "removeWatches", "REMW" },
	{ ZOP_CREATECONTAINER, "createContainer", "CREA" },
	{ ZOP_DELETECONTAINER, "deleteContainer", "DELE" },
	{ ZOP_CREATETTL, "createTTL", "CREA" },
	{ ZOP_MULTIREAD, "multiRead", "MLTR" },
	{ ZOP_AUTH, "auth", "NA" },
	{ ZOP_SETWATCHES, "setWatches", "SETW" },
	{ ZOP_SASL, "sasl", "NA" },
	{ ZOP_GETEPHEMERALS, "getEphemerals", "GETE" },
	{ ZOP_GETALLCHILDRENNUMBER, "getAllChildrenNumber", "GETACN" },
	{ ZOP_SETWATCHES2, "setWatches2", "STW2" },
	{ ZOP_ADDWATCH, "addWatch", "ADDW" },
	{ ZOP_WHOAMI, "whoAmI", "HOMI" },
	{ ZOP_CREATESESSION, "createSession", "SESS" },
	{ ZOP_CLOSESESSION, "closeSession", "CLOS" },
	{ ZOP_ERROR, "error", "NA" },
};

struct err_name {
	int32_t		 err;
	const char	*name;
};

static const struct err_name err_names[] = {
	{ ZERR_OK, "OK" },
	{ ZERR_SYSTEMERROR, "SYSTEMERROR" },
	{ ZERR_RUNTIMEINCONSISTENCY, "RUNTIMEINCONSISTENCY" },
	{ ZERR_DATAINCONSISTENCY, "DATAINCONSISTENCY" },
	{ ZERR_CONNECTIONLOSS, "CONNECTIONLOSS" },
	{ ZERR_MARSHALLINGERROR, "MARSHALLINGERROR" },
	{ ZERR_UNIMPLEMENTED, "UNIMPLEMENTED" },
	{ ZERR_OPERATIONTIMEOUT, "OPERATIONTIMEOUT" },
	{ ZERR_BADARGUMENTS, "BADARGUMENTS" },
	{ ZERR_UNKNOWNSESSION, "UNKNOWNSESSION" },
	{ ZERR_NEWCONFIGNOQUORUM, "NEWCONFIGNOQUORUM" },
	{ ZERR_RECONFIGINPROGRESS, "RECONFIGINPROGRESS" },
	{ ZERR_APIERROR, "APIERROR" },
	{ ZERR_NONODE, "NONODE" },
	{ ZERR_NOAUTH, "NOAUTH" },
	{ ZERR_BADVERSION, "BADVERSION" },
	{ ZERR_NOCHILDRENFOREPHEMERALS, "NOCHILDRENFOREPHEMERALS" },
	{ ZERR_NODEEXISTS, "NODEEXISTS" },
	{ ZERR_NOTEMPTY, "NOTEMPTY" },
	{ ZERR_SESSIONEXPIRED, "SESSIONEXPIRED" },
	{ ZERR_INVALIDCALLBACK, "INVALIDCALLBACK" },
	{ ZERR_INVALIDACL, "INVALIDACL" },
	{ ZERR_AUTHFAILED, "AUTHFAILED" },
	{ ZERR_SESSIONMOVED, "SESSIONMOVED" },
	{ ZERR_NOTREADONLY, "NOTREADONLY" },
	{ ZERR_EPHEMERALONLOCALSESSION, "EPHEMERALONLOCALSESSION" },
	{ ZERR_NOWATCHER, "NOWATCHER" },
	{ ZERR_REQUESTTIMEOUT, "REQUESTTIMEOUT" },
	{ ZERR_RECONFIGDISABLED, "RECONFIGDISABLED" },
	{ ZERR_SESSIONCLOSEDREQUIRESASLAUTH, "SESSIONCLOSEDREQUIRESASLAUTH" },
	{ ZERR_QUOTAEXCEEDED, "QUOTAEXCEEDED" },
	{ ZERR_THROTTLEDOP, "THROTTLEDOP" },
};

static const struct op_name *
proto_op_lookup(int32_t op)
{
	size_t	 i;

	for (i = 0; i < sizeof(op_names) / sizeof(op_names[0]); i++)
		if (op_names[i].op == op)
			return &op_names[i];
	return NULL;
}

/* The opcode's name, or "unknown". */
const char *
proto_op_name(int32_t op)
{
	const struct op_name	*n = proto_op_lookup(op);

	return n != NULL ? n->name : "unknown";
}

/* The four-letter tag 'cons' shows as a connection's last operation. */
const char *
proto_op_lop(int32_t op)
{
	const struct op_name	*n = proto_op_lookup(op);

	return n != NULL ? n->lop : "NA";
}

const char *
proto_err_name(int32_t err)
{
	size_t	 i;

	for (i = 0; i < sizeof(err_names) / sizeof(err_names[0]); i++)
		if (err_names[i].err == err)
			return err_names[i].name;
	return "UNKNOWN";
}

/* Whether an opcode changes state and so becomes a transaction. */
int
proto_is_write(int32_t type)
{
	switch (type) {
	case ZOP_CREATE:
	case ZOP_CREATE2:
	case ZOP_CREATECONTAINER:
	case ZOP_CREATETTL:
	case ZOP_DELETE:
	case ZOP_DELETECONTAINER:
	case ZOP_SETDATA:
	case ZOP_SETACL:
	case ZOP_CHECK:
	case ZOP_MULTI:
	case ZOP_RECONFIG:
	case ZOP_CREATESESSION:
	case ZOP_CLOSESESSION:
		return 1;
	default:
		return 0;
	}
}

/*
 * ConnectRequest: 44 bytes, or 45 with the readOnly flag.  Returns 0 or -1.
 */
int
proto_decode_connect(const uint8_t *buf, size_t len, struct proto_connect *c)
{
	struct jute_in	 in;

	memset(c, 0, sizeof(*c));
	jute_in_init(&in, buf, len, 4096);
	jute_get_int(&in, &c->protocol_version);
	jute_get_long(&in, &c->last_zxid);
	jute_get_int(&in, &c->timeout);
	jute_get_long(&in, &c->session_id);
	jute_get_buffer(&in, &c->passwd, &c->passwd_len);
	if (in.err)
		return -1;
	if (jute_in_left(&in) > 0) {
		jute_get_bool(&in, &c->read_only);
		c->has_read_only = 1;
	}
	return 0;
}

static int
proto_decode_id(struct jute_in *in, struct zk_id *id)
{
	jute_get_string(in, &id->scheme);
	jute_get_string(in, &id->id);
	return in->err ? -1 : 0;
}

/* vector<ACL>; on failure the list is freed. */
int
proto_decode_acl_list(struct jute_in *in, struct zk_acl_list *l)
{
	int32_t	 n, i;

	l->n = 0;
	l->v = NULL;
	if (jute_get_count(in, &n) == -1)
		return -1;
	l->v = xcalloc((size_t)n + 1, sizeof(*l->v));
	for (i = 0; i < n; i++) {
		jute_get_int(in, &l->v[i].perms);
		proto_decode_id(in, &l->v[i].id);
		l->n = i + 1;
		if (in->err)
			break;
	}
	if (in->err) {
		proto_acl_list_free(l);
		return -1;
	}
	return 0;
}

int
proto_decode_stat(struct jute_in *in, struct zk_stat *st)
{
	jute_get_long(in, &st->czxid);
	jute_get_long(in, &st->mzxid);
	jute_get_long(in, &st->ctime);
	jute_get_long(in, &st->mtime);
	jute_get_int(in, &st->version);
	jute_get_int(in, &st->cversion);
	jute_get_int(in, &st->aversion);
	jute_get_long(in, &st->ephemeral_owner);
	jute_get_int(in, &st->data_length);
	jute_get_int(in, &st->num_children);
	jute_get_long(in, &st->pzxid);
	return in->err ? -1 : 0;
}

static int
proto_decode_strings(struct jute_in *in, struct zk_strings *s)
{
	int32_t	 n, i;

	s->n = 0;
	s->v = NULL;
	if (jute_get_count(in, &n) == -1)
		return -1;
	s->v = xcalloc((size_t)n + 1, sizeof(*s->v));
	for (i = 0; i < n && !in->err; i++) {
		jute_get_string(in, &s->v[i]);
		s->n = i + 1;
		if (s->v[i] == NULL)
			in->err = 1;
	}
	return in->err ? -1 : 0;
}

static void
proto_path(struct jute_in *in, struct proto_op *op)
{
	in->nul_seen = 0;
	jute_get_string(in, &op->path);
	if (op->path == NULL && !in->err)
		op->path = xstrdup("");
	op->bad_path = in->nul_seen;
}

/* Decodes the record of one op of the given type into op. */
static int
proto_decode_op(struct jute_in *in, int32_t type, struct proto_op *op)
{
	op->type = type;
	op->data_len = -1;
	switch (type) {
	case ZOP_CREATE:
	case ZOP_CREATE2:
	case ZOP_CREATECONTAINER:
	case ZOP_CREATETTL:
		proto_path(in, op);
		jute_get_buffer(in, &op->data, &op->data_len);
		proto_decode_acl_list(in, &op->acl);
		jute_get_int(in, &op->flags);
		op->ttl = -1;
		if (type == ZOP_CREATETTL)
			jute_get_long(in, &op->ttl);
		break;
	case ZOP_DELETE:
	case ZOP_CHECK:
		proto_path(in, op);
		jute_get_int(in, &op->version);
		break;
	case ZOP_EXISTS:
	case ZOP_GETDATA:
	case ZOP_GETCHILDREN:
	case ZOP_GETCHILDREN2:
		proto_path(in, op);
		jute_get_bool(in, &op->watch);
		break;
	case ZOP_SETDATA:
		proto_path(in, op);
		jute_get_buffer(in, &op->data, &op->data_len);
		jute_get_int(in, &op->version);
		break;
	case ZOP_GETACL:
	case ZOP_SYNC:
	case ZOP_GETALLCHILDRENNUMBER:
		proto_path(in, op);
		break;
	case ZOP_GETEPHEMERALS:
		/* The prefix may be null: every ephemeral of the session. */
		jute_get_string(in, &op->path);
		break;
	case ZOP_SETACL:
		proto_path(in, op);
		proto_decode_acl_list(in, &op->acl);
		jute_get_int(in, &op->version);
		break;
	case ZOP_ADDWATCH:
	case ZOP_CHECKWATCHES:
	case ZOP_REMOVEWATCHES:
		proto_path(in, op);
		jute_get_int(in, &op->mode);
		break;
	case ZOP_PING:
	case ZOP_CLOSESESSION:
	case ZOP_WHOAMI:
		break;
	case ZOP_DELETECONTAINER:
		/*
		 * Internal to ZooKeeper, whose prep reads no record here and
		 * finds no valid path: a client's one is refused.
		 */
		op->path = xstrdup("");
		op->bad_path = 1;
		in->off = in->len;
		break;
	default:
		return -1;
	}
	return in->err ? -1 : 0;
}

static void
proto_op_free(struct proto_op *op)
{
	free(op->path);
	proto_acl_list_free(&op->acl);
	memset(op, 0, sizeof(*op));
}

static int
proto_op_in_multi(int32_t outer, int32_t type)
{
	switch (type) {
	case ZOP_CREATE:
	case ZOP_CREATE2:
	case ZOP_CREATECONTAINER:
	case ZOP_CREATETTL:
	case ZOP_DELETE:
	case ZOP_SETDATA:
	case ZOP_CHECK:
		return outer == ZOP_MULTI;
	case ZOP_GETCHILDREN:
	case ZOP_GETDATA:
		return outer == ZOP_MULTIREAD;
	default:
		return 0;
	}
}

static int
proto_decode_multi(struct jute_in *in, struct proto_req *r)
{
	int32_t	 type, err, cap = 0;
	int	 done;

	for (;;) {
		jute_get_int(in, &type);
		jute_get_bool(in, &done);
		jute_get_int(in, &err);
		if (in->err)
			return -1;
		if (done)
			return 0;
		/* Writes and reads may not be mixed (MultiOperationRecord). */
		if (!proto_op_in_multi(r->type, type))
			return -1;
		if (r->nops == cap) {
			/* Each op took 9 header bytes: the input bounds cap. */
			cap = cap ? cap * 2 : 4;
			r->ops = xreallocarray(r->ops, (size_t)cap,
			    sizeof(*r->ops));
		}
		memset(&r->ops[r->nops], 0, sizeof(r->ops[0]));
		if (proto_decode_op(in, type, &r->ops[r->nops++]) == -1)
			return -1;
		/* A multi op for getChildren/getData never sets a watch. */
		r->ops[r->nops - 1].watch = 0;
	}
}

/*
 * Decodes RequestHeader + record from a frame (without its length prefix).
 * max bounds every buffer, string and vector.  Returns 0, or -1 on a frame
 * that is short, oversized or not a request of a known opcode; r must be
 * released with proto_req_free either way.
 */
int
proto_decode_request(const uint8_t *buf, size_t len, size_t max,
    struct proto_req *r)
{
	struct jute_in	 in;
	int32_t		 atype, i;
	int		 nwatch;

	memset(r, 0, sizeof(*r));
	jute_in_init(&in, buf, len, max);
	jute_get_int(&in, &r->xid);
	jute_get_int(&in, &r->type);
	if (in.err)
		return -1;
	switch (r->type) {
	case ZOP_MULTI:
	case ZOP_MULTIREAD:
		return proto_decode_multi(&in, r);
	case ZOP_SETWATCHES:
	case ZOP_SETWATCHES2:
		jute_get_long(&in, &r->rel_zxid);
		nwatch = r->type == ZOP_SETWATCHES ? 3 : 5;
		for (i = 0; i < nwatch; i++)
			if (proto_decode_strings(&in, &r->watches[i]) == -1)
				return -1;
		return 0;
	case ZOP_AUTH:
		jute_get_int(&in, &atype);
		jute_get_string(&in, &r->scheme);
		jute_get_buffer(&in, &r->auth, &r->auth_len);
		if (!in.err && r->scheme == NULL)
			r->scheme = xstrdup("");
		return in.err ? -1 : 0;
	case ZOP_SASL:
		jute_get_buffer(&in, &r->auth, &r->auth_len);
		return in.err ? -1 : 0;
	case ZOP_RECONFIG:
		jute_get_string(&in, &r->joining);
		jute_get_string(&in, &r->leaving);
		jute_get_string(&in, &r->members);
		jute_get_long(&in, &r->config_id);
		return in.err ? -1 : 0;
	default:
		return proto_decode_op(&in, r->type, &r->op);
	}
}

void
proto_req_free(struct proto_req *r)
{
	int32_t	 i;

	proto_op_free(&r->op);
	for (i = 0; i < r->nops; i++)
		proto_op_free(&r->ops[i]);
	free(r->ops);
	for (i = 0; i < 5; i++)
		proto_strings_free(&r->watches[i]);
	free(r->scheme);
	free(r->joining);
	free(r->leaving);
	free(r->members);
	memset(r, 0, sizeof(*r));
}

void
proto_acl_list_free(struct zk_acl_list *l)
{
	int32_t	 i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].id.scheme);
		free(l->v[i].id.id);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* A deep copy of src into dst. */
void
proto_acl_list_copy(struct zk_acl_list *dst, const struct zk_acl_list *src)
{
	int32_t	 i;

	dst->n = src->n;
	dst->v = xcalloc((size_t)src->n + 1, sizeof(*dst->v));
	for (i = 0; i < src->n; i++) {
		dst->v[i].perms = src->v[i].perms;
		dst->v[i].id.scheme = xstrdup(src->v[i].id.scheme ?
		    src->v[i].id.scheme : "");
		dst->v[i].id.id = xstrdup(src->v[i].id.id ?
		    src->v[i].id.id : "");
	}
}

static int
proto_streq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

int
proto_acl_list_equal(const struct zk_acl_list *a, const struct zk_acl_list *b)
{
	int32_t	 i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (a->v[i].perms != b->v[i].perms ||
		    !proto_streq(a->v[i].id.scheme, b->v[i].id.scheme) ||
		    !proto_streq(a->v[i].id.id, b->v[i].id.id))
			return 0;
	return 1;
}

void
proto_strings_free(struct zk_strings *s)
{
	int32_t	 i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

void
proto_put_stat(struct jute_out *out, const struct zk_stat *st)
{
	jute_put_long(out, st->czxid);
	jute_put_long(out, st->mzxid);
	jute_put_long(out, st->ctime);
	jute_put_long(out, st->mtime);
	jute_put_int(out, st->version);
	jute_put_int(out, st->cversion);
	jute_put_int(out, st->aversion);
	jute_put_long(out, st->ephemeral_owner);
	jute_put_int(out, st->data_length);
	jute_put_int(out, st->num_children);
	jute_put_long(out, st->pzxid);
}

void
proto_put_acl_list(struct jute_out *out, const struct zk_acl_list *l)
{
	int32_t	 i;

	jute_put_int(out, l->n);
	for (i = 0; i < l->n; i++) {
		jute_put_int(out, l->v[i].perms);
		jute_put_string(out, l->v[i].id.scheme);
		jute_put_string(out, l->v[i].id.id);
	}
}

/* ConnectResponse; the readOnly byte only for clients that sent one. */
void
proto_put_connect_response(struct jute_out *out, int32_t timeout,
    int64_t session_id, const uint8_t *passwd, int with_ro)
{
	static const uint8_t	 zero[16];

	jute_put_int(out, 0);
	jute_put_int(out, timeout);
	jute_put_long(out, session_id);
	jute_put_buffer(out, passwd != NULL ? passwd : zero, 16);
	if (with_ro)
		jute_put_bool(out, 0);
}

void
proto_put_reply_header(struct jute_out *out, int32_t xid, int64_t zxid,
    int32_t err)
{
	jute_put_int(out, xid);
	jute_put_long(out, zxid);
	jute_put_int(out, err);
}

void
proto_put_watcher_event(struct jute_out *out, int32_t type, int32_t state,
    const char *path)
{
	jute_put_int(out, type);
	jute_put_int(out, state);
	jute_put_string(out, path);
}

void
proto_put_multi_header(struct jute_out *out, int32_t type, int done,
    int32_t err)
{
	jute_put_int(out, type);
	jute_put_bool(out, done);
	jute_put_int(out, err);
}
