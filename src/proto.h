/* SPDX-License-Identifier: ISC */
/*
 * proto.h: ZooKeeper 3.8's client protocol (codec layer): opcodes, error
 * codes, event and state numbers, and the request and response records of
 * zookeeper.jute, with decoders for what a server reads and encoders for
 * what it writes.
 *
 * A decoded request keeps pointers into the frame it came from (data
 * buffers) and owns its strings and ACL lists; proto_req_free releases
 * them.  The frame must outlive the decoded request.
 */
#ifndef ZK_PROTO_H
#define ZK_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "jute.h"

/* Opcodes (ZooDefs.OpCode). */
enum {
	ZOP_NOTIFICATION = 0,
	ZOP_CREATE = 1,
	ZOP_DELETE = 2,
	ZOP_EXISTS = 3,
	ZOP_GETDATA = 4,
	ZOP_SETDATA = 5,
	ZOP_GETACL = 6,
	ZOP_SETACL = 7,
	ZOP_GETCHILDREN = 8,
	ZOP_SYNC = 9,
	ZOP_PING = 11,
	ZOP_GETCHILDREN2 = 12,
	ZOP_CHECK = 13,
	ZOP_MULTI = 14,
	ZOP_CREATE2 = 15,
	ZOP_RECONFIG = 16,
	ZOP_CHECKWATCHES = 17,
	ZOP_REMOVEWATCHES = 18,
	ZOP_CREATECONTAINER = 19,
	ZOP_DELETECONTAINER = 20,
	ZOP_CREATETTL = 21,
	ZOP_MULTIREAD = 22,
	ZOP_AUTH = 100,
	ZOP_SETWATCHES = 101,
	ZOP_SASL = 102,
	ZOP_GETEPHEMERALS = 103,
	ZOP_GETALLCHILDRENNUMBER = 104,
	ZOP_SETWATCHES2 = 105,
	ZOP_ADDWATCH = 106,
	ZOP_WHOAMI = 107,
	ZOP_CREATESESSION = -10,
	ZOP_CLOSESESSION = -11,
	ZOP_ERROR = -1
};

/* Error codes (KeeperException.Code). */
enum {
	ZERR_OK = 0,
	ZERR_SYSTEMERROR = -1,
	ZERR_RUNTIMEINCONSISTENCY = -2,
	ZERR_DATAINCONSISTENCY = -3,
	ZERR_CONNECTIONLOSS = -4,
	ZERR_MARSHALLINGERROR = -5,
	ZERR_UNIMPLEMENTED = -6,
	ZERR_OPERATIONTIMEOUT = -7,
	ZERR_BADARGUMENTS = -8,
	ZERR_UNKNOWNSESSION = -12,
	ZERR_NEWCONFIGNOQUORUM = -13,
	ZERR_RECONFIGINPROGRESS = -14,
	ZERR_APIERROR = -100,
	ZERR_NONODE = -101,
	ZERR_NOAUTH = -102,
	ZERR_BADVERSION = -103,
	ZERR_NOCHILDRENFOREPHEMERALS = -108,
	ZERR_NODEEXISTS = -110,
	ZERR_NOTEMPTY = -111,
	ZERR_SESSIONEXPIRED = -112,
	ZERR_INVALIDCALLBACK = -113,
	ZERR_INVALIDACL = -114,
	ZERR_AUTHFAILED = -115,
	ZERR_SESSIONMOVED = -118,
	ZERR_NOTREADONLY = -119,
	ZERR_EPHEMERALONLOCALSESSION = -120,
	ZERR_NOWATCHER = -121,
	ZERR_REQUESTTIMEOUT = -122,
	ZERR_RECONFIGDISABLED = -123,
	ZERR_SESSIONCLOSEDREQUIRESASLAUTH = -124,
	ZERR_QUOTAEXCEEDED = -125,
	ZERR_THROTTLEDOP = -127
};

/* Watch event types and keeper states (Watcher.Event). */
enum {
	ZEV_NONE = -1,
	ZEV_NODE_CREATED = 1,
	ZEV_NODE_DELETED = 2,
	ZEV_NODE_DATA_CHANGED = 3,
	ZEV_NODE_CHILDREN_CHANGED = 4,
	ZEV_DATA_WATCH_REMOVED = 5,
	ZEV_CHILD_WATCH_REMOVED = 6,
	ZEV_PERSISTENT_WATCH_REMOVED = 7
};
#define ZSTATE_SYNC_CONNECTED	3

/* Watcher types of checkWatches / removeWatches. */
enum {
	ZWTYPE_CHILDREN = 1,
	ZWTYPE_DATA = 2,
	ZWTYPE_ANY = 3,
	ZWTYPE_PERSISTENT = 4,
	ZWTYPE_PERSISTENT_RECURSIVE = 5
};

/* addWatch modes. */
#define ZADDWATCH_PERSISTENT		0
#define ZADDWATCH_PERSISTENT_RECURSIVE	1

/* Create modes (CreateMode flags). */
enum {
	ZCREATE_PERSISTENT = 0,
	ZCREATE_EPHEMERAL = 1,
	ZCREATE_PERSISTENT_SEQUENTIAL = 2,
	ZCREATE_EPHEMERAL_SEQUENTIAL = 3,
	ZCREATE_CONTAINER = 4,
	ZCREATE_PERSISTENT_WITH_TTL = 5,
	ZCREATE_PERSISTENT_SEQUENTIAL_WITH_TTL = 6
};

/* Permission bits (ZooDefs.Perms). */
#define ZPERM_READ	1
#define ZPERM_WRITE	2
#define ZPERM_CREATE	4
#define ZPERM_DELETE	8
#define ZPERM_ADMIN	16
#define ZPERM_ALL	31

/* Special xids (ClientCnxn). */
#define ZXID_NOTIFICATION	(-1)
#define ZXID_PING		(-2)
#define ZXID_AUTH		(-4)
#define ZXID_SETWATCHES		(-8)

/* ephemeralOwner values that are not sessions (EphemeralType). */
#define EOWNER_CONTAINER	INT64_MIN
#define EOWNER_EXTENDED_MASK	((int64_t)0xff00000000000000ULL)
#define EOWNER_RESERVED_MASK	((int64_t)0x00ffff0000000000ULL)
#define EOWNER_TTL_MAX		(~(EOWNER_EXTENDED_MASK | EOWNER_RESERVED_MASK))

struct zk_id {
	char		*scheme;
	char		*id;
};

struct zk_acl {
	int32_t		 perms;
	struct zk_id	 id;
};

struct zk_acl_list {
	int32_t		 n;
	struct zk_acl	*v;
};

struct zk_stat {
	int64_t		 czxid;
	int64_t		 mzxid;
	int64_t		 ctime;
	int64_t		 mtime;
	int32_t		 version;
	int32_t		 cversion;
	int32_t		 aversion;
	int64_t		 ephemeral_owner;
	int32_t		 data_length;
	int32_t		 num_children;
	int64_t		 pzxid;
};

struct zk_strings {
	int32_t		 n;
	char		**v;
};

struct proto_connect {
	int32_t		 protocol_version;
	int64_t		 last_zxid;
	int32_t		 timeout;
	int64_t		 session_id;
	const uint8_t	*passwd;
	int32_t		 passwd_len;
	int		 read_only;
	int		 has_read_only;	/* the optional trailing byte was sent */
};

/*
 * One operation: a whole request, or one op of a multi.  Only the fields
 * of the op's record are set; the rest stay zero.
 */
struct proto_op {
	int32_t		 type;
	char		*path;
	const uint8_t	*data;
	int32_t		 data_len;	/* -1: null */
	struct zk_acl_list acl;
	int32_t		 flags;
	int32_t		 version;
	int64_t		 ttl;
	int		 watch;
	int32_t		 mode;		/* addWatch mode, check/removeWatches type */
	int		 bad_path;	/* a string held a NUL byte */
};

struct proto_req {
	int32_t		 xid;
	int32_t		 type;
	struct proto_op	 op;		/* single-op requests */
	struct proto_op	*ops;		/* multi, multiRead */
	int32_t		 nops;
	/* setWatches, setWatches2 */
	int64_t		 rel_zxid;
	struct zk_strings watches[5];	/* data, exist, child, persistent, recursive */
	/* auth */
	char		*scheme;
	const uint8_t	*auth;
	int32_t		 auth_len;
	/* reconfig */
	char		*joining, *leaving, *members;
	int64_t		 config_id;
};

const char	*proto_op_name(int32_t);
const char	*proto_op_lop(int32_t);
const char	*proto_err_name(int32_t);

int	 proto_decode_connect(const uint8_t *, size_t, struct proto_connect *);
int	 proto_decode_request(const uint8_t *, size_t, size_t, struct proto_req *);
void	 proto_req_free(struct proto_req *);
int	 proto_decode_acl_list(struct jute_in *, struct zk_acl_list *);
int	 proto_decode_stat(struct jute_in *, struct zk_stat *);

void	 proto_acl_list_free(struct zk_acl_list *);
void	 proto_acl_list_copy(struct zk_acl_list *, const struct zk_acl_list *);
int	 proto_acl_list_equal(const struct zk_acl_list *, const struct zk_acl_list *);
void	 proto_strings_free(struct zk_strings *);

void	 proto_put_stat(struct jute_out *, const struct zk_stat *);
void	 proto_put_acl_list(struct jute_out *, const struct zk_acl_list *);
void	 proto_put_connect_response(struct jute_out *, int32_t, int64_t,
	    const uint8_t *, int);
void	 proto_put_reply_header(struct jute_out *, int32_t, int64_t, int32_t);
void	 proto_put_watcher_event(struct jute_out *, int32_t, int32_t,
	    const char *);
void	 proto_put_multi_header(struct jute_out *, int32_t, int, int32_t);

int	 proto_is_write(int32_t);

#endif
