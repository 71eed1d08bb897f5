/* SPDX-License-Identifier: ISC */
/*
 * qproto.h: the records servers exchange and keep (codec layer): the
 * transactions of org.apache.zookeeper.txn as the log, the snapshots' peers
 * and ZAB carry them.
 *
 *   TxnHeader   { long clientId; int cxid; long zxid; long time; int type }
 *   CreateTxn   { ustring path; buffer data; vector<ACL> acl;
 *                 boolean ephemeral; int parentCVersion }  (create, create2)
 *   CreateTxnV0 { path; data; acl; ephemeral }             (read only)
 *   CreateContainerTxn { path; data; acl; int parentCVersion }
 *   CreateTTLTxn { path; data; acl; int parentCVersion; long ttl }
 *   DeleteTxn   { path }                            (delete, deleteContainer)
 *   SetDataTxn  { path; data; int version }                (setData, reconfig)
 *   CheckVersionTxn { path; int version }
 *   SetACLTxn   { path; vector<ACL> acl; int version }
 *   CreateSessionTxn { int timeOut }
 *   CloseSessionTxn  { vector<ustring> paths2Delete }      (may be absent)
 *   ErrorTxn    { int err }
 *   MultiTxn    { vector<Txn> txns }, Txn { int type; buffer data }
 *   TxnDigest   { int version; long treeDigest }           (optional, after)
 *
 * A log entry is TxnHeader, then the body for its type, then optionally a
 * TxnDigest; zkd writes no digest and ignores one it reads.
 */
#ifndef ZK_QPROTO_H
#define ZK_QPROTO_H

#include <stddef.h>
#include <stdint.h>

#include "jute.h"

struct txn;

void	 qproto_put_txn(struct jute_out *, const struct txn *);
int	 qproto_get_txn(const uint8_t *, size_t, size_t, struct txn **);

#endif
