/* SPDX-License-Identifier: ISC */
/*
 * ensemble.h: zkd as a member of an ensemble (main layer): the quorum
 * (election and ZAB on their ports, quorum.h) over the durable store
 * (qstore.h), the request pipeline in quorum mode (commit.h), and what
 * leaders and learners say to each other about clients.  See ensemble.c.
 */
#ifndef ZK_ENSEMBLE_H
#define ZK_ENSEMBLE_H

#include <stddef.h>
#include <stdint.h>

#include "bgsync.h"
#include "metrics.h"
#include "qstore.h"
#include "quorum.h"

struct conn;
struct request;
struct zkd_conf;

struct ensemble_sync {
	int64_t		 cid;		/* the learner's connection */
	int64_t		 zxid;		/* SYNC once committed up to here */
};

struct ensemble_reval {
	struct conn	*conn;
	int64_t		 session_id;
};

struct ensemble {
	struct quorum	 q;
	struct qstore	 qs;
	struct bgsync	 bg;		/* the log's syncs, off the loop */
	struct event	*bg_ev;		/* one of them ended */
	struct quorum_member *members;
	size_t		 nmembers;
	int		 serving;
	int		 state;		/* enum peer_state */
	int64_t		 leader;
	int		 phase;
	int64_t		 serving_since;	/* monotonic ms */
	struct ensemble_sync *syncs;	/* leader: learners' syncs */
	size_t		 nsyncs, capsyncs;
	struct ensemble_reval *revals;	/* learner: reconnects asked */
	size_t		 nrevals, caprevals;
	uint64_t	 elections;
	/*
	 * Leader's mntr summaries, as ZooKeeper's: quorum_ack_latency, ms
	 * from a txn's header time to its commit; <sid>_ack_latency, to
	 * each server's ACK (our own too) of a txn whose zxid is a multiple
	 * of ENS_ACK_SAMPLE (zookeeper.leader.ackLoggingFrequency).
	 */
	struct summary	 quorum_ack_latency;
	struct summary	*ack_latency;	/* per member, as members[] */
	int		*ack_seen;	/* a key once used stays in mntr */
};

#define ENS_ACK_SAMPLE	1000

int	 ensemble_open(const struct zkd_conf *, char **);
void	 ensemble_submit(struct request *);
void	 ensemble_flush(void);
void	 ensemble_close(void);
int	 ensemble_leading(void);
void	 ensemble_revalidate(struct conn *);
void	 ensemble_forget(struct conn *);
const char *ensemble_peer_state(char *, size_t);
int	 ensemble_prefer(int64_t);
int64_t	 ensemble_fault(const int64_t *, size_t, enum fault_action, int);

#endif
