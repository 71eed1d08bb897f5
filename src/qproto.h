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
 *
 * On the election port (QuorumCnxManager, FastLeaderElection), the side
 * that connects first sends a header, then both send frames (int length,
 * then that many bytes, at most QPROTO_FRAME_MAX), each a notification:
 *
 *   header       := long version (V1 -65536 or V2 -65535), long sid,
 *                   int len (1..2048), len bytes "host:port" (V2: several
 *                   joined by '|');  or, from servers before 3.5, just
 *                   long sid (>= 0)
 *   notification := int state, long leader, long zxid, long electionEpoch,
 *                   [long peerEpoch, [int version, [int configLen,
 *                   configLen bytes of config text]]]
 *
 * 3.8 sends every field (44 bytes and the config, version 2); a reader
 * takes the 28 and 40 byte forms of older servers as ZooKeeper does (no
 * peerEpoch: the zxid's epoch).
 *
 * On the quorum port (ZAB) records follow each other with no framing:
 *
 *   QuorumPacket := int type, long zxid, buffer data, vector<Id> authinfo
 *   Id           := ustring scheme, ustring id
 *   LearnerInfo  := long serverid, int protocolVersion, long configVersion
 *                   (the data of FOLLOWERINFO and OBSERVERINFO)
 */
#ifndef ZK_QPROTO_H
#define ZK_QPROTO_H

#include <stddef.h>
#include <stdint.h>

#include "jute.h"

#define QPROTO_CNX_V1		(-65536LL)
#define QPROTO_CNX_V2		(-65535LL)
#define QPROTO_CNX_ADDR_MAX	2048
#define QPROTO_FRAME_MAX	(512 * 1024)

/* QuorumPacket types, numbered as in Leader.java. */
enum qpacket_type {
	QP_REQUEST = 1,
	QP_PROPOSAL = 2,
	QP_ACK = 3,
	QP_COMMIT = 4,
	QP_PING = 5,
	QP_REVALIDATE = 6,
	QP_SYNC = 7,
	QP_INFORM = 8,
	QP_COMMITANDACTIVATE = 9,
	QP_NEWLEADER = 10,
	QP_FOLLOWERINFO = 11,
	QP_UPTODATE = 12,
	QP_DIFF = 13,
	QP_TRUNC = 14,
	QP_SNAP = 15,
	QP_OBSERVERINFO = 16,
	QP_LEADERINFO = 17,
	QP_ACKEPOCH = 18,
	QP_INFORMANDACTIVATE = 19
};

struct txn;
struct zk_id;

/* A QuorumPacket; data points into the bytes read, authinfo is owned. */
struct qpacket {
	int32_t		 type;
	int64_t		 zxid;
	const uint8_t	*data;
	int32_t		 data_len;	/* -1: null */
	struct zk_id	*auth;
	int32_t		 nauth;
};

struct learner_info {
	int64_t		 sid;
	int32_t		 protocol;
	int64_t		 config_version;
};

/* An election notification as the wire has it. */
struct qproto_notif {
	int32_t		 state;
	int64_t		 leader;
	int64_t		 zxid;
	int64_t		 round;		/* electionEpoch */
	int64_t		 epoch;		/* peerEpoch */
	int32_t		 version;
	const uint8_t	*config;	/* points into the frame read */
	int32_t		 config_len;
};

void	 qproto_put_txn(struct jute_out *, const struct txn *);
int	 qproto_get_txn(const uint8_t *, size_t, size_t, struct txn **);

void	 qproto_put_notif(struct jute_out *, const struct qproto_notif *);
int	 qproto_get_notif(const uint8_t *, size_t, struct qproto_notif *);
void	 qproto_put_cnx_header(struct jute_out *, int64_t, int64_t,
	    const char *);
int	 qproto_get_cnx_header(const uint8_t *, size_t, int64_t *, char *,
	    size_t, size_t *);

void	 qproto_put_qpacket(struct jute_out *, const struct qpacket *);
int	 qproto_get_qpacket(const uint8_t *, size_t, size_t, struct qpacket *,
	    size_t *);
void	 qproto_qpacket_free(struct qpacket *);
const char *qproto_qpacket_name(int32_t);
void	 qproto_put_learner_info(struct jute_out *,
	    const struct learner_info *);
int	 qproto_get_learner_info(const uint8_t *, size_t,
	    struct learner_info *);

#endif
