/* SPDX-License-Identifier: ISC */
/*
 * txn.h: transactions and their application (state layer).
 *
 * A txn is what prep makes of a write request and what the log, the peers
 * and recovery carry: a TxnHeader (client id, cxid, zxid, time, type) and a
 * body of org.apache.zookeeper.txn's records.  txn_apply is the only code
 * that changes the tree and the session table; applying the same sequence
 * of txns to the same state always gives the same state (replay, followers).
 */
#ifndef ZK_TXN_H
#define ZK_TXN_H

#include <stdint.h>

#include "proto.h"

struct tree;
struct session_table;

/* One txn body: a whole txn, or one txn of a multi. */
struct txn_op {
	int32_t		 type;
	char		*path;
	uint8_t		*data;
	int32_t		 data_len;
	struct zk_acl_list acl;
	int		 ephemeral;
	int32_t		 parent_cversion;
	int32_t		 version;
	int64_t		 ttl;
	int32_t		 timeout;	/* createSession */
	int32_t		 err;		/* error */
	struct zk_strings paths;	/* closeSession: ephemerals to delete */
	int		 has_paths;
};

struct txn {
	int64_t		 client_id;
	int32_t		 cxid;
	int64_t		 zxid;
	int64_t		 time;
	struct txn_op	 op;		/* op.type is the header's type */
	struct txn_op	*subs;		/* multi */
	int32_t		 nsubs;
};

struct txn_result {
	int32_t		 type;
	int32_t		 err;
	const char	*path;		/* points into the txn */
	struct zk_stat	 stat;
	int		 has_stat;
	struct txn_result *multi;
	int32_t		 nmulti;
};

struct txn	*txn_new(int64_t, int32_t, int64_t, int64_t, int32_t);
void		 txn_free(struct txn *);
void		 txn_op_clear(struct txn_op *);
struct txn_op	*txn_add_sub(struct txn *);
void		 txn_apply(struct tree *, struct session_table *,
		    const struct txn *, int64_t, struct txn_result *);
void		 txn_result_clear(struct txn_result *);

#endif
