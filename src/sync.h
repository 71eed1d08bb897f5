/* SPDX-License-Identifier: ISC */
/*
 * sync.h: the sync stage (pipeline layer), after SyncRequestProcessor.
 *
 * Durability order: within one event-loop turn every prepared request is
 * queued here in arrival order; at the end of the turn sync_flush makes
 * the queued txns durable with one write and one fsync (group commit),
 * then hands every queued request, reads included, to the next stage in
 * order.  Nothing is answered before the txns ahead of it are on disk.  A
 * read with nothing queued ahead of it passes straight through.  As
 * ZooKeeper's zookeeper.maxBatchSize, a turn that queues max_batch txns
 * flushes at once (1: one fsync per txn).
 *
 * The log itself is reached through the sync_log hooks; with none set
 * (an in-memory server) flushing only preserves the order.
 */
#ifndef ZK_SYNC_H
#define ZK_SYNC_H

#include <sys/queue.h>

#include <stddef.h>
#include <stdint.h>

#include "metrics.h"

struct request;
struct txn;

struct sync_log {
	/* Append one txn; a failure is fatal inside the hook. */
	void	(*append)(void *, const struct txn *);
	/* Make every appended txn durable; fatal on failure. */
	void	(*flush)(void *);
	void	 *arg;
};

struct sync_stage {
	TAILQ_HEAD(, request)	 queue;
	size_t			 queued;
	size_t			 txns;		/* txns in the queue */
	struct sync_log		 log;
	size_t			 max_batch;	/* flush at this many txns; 0: none */
	void			(*next)(void *, struct request *);
	void			*next_arg;
	struct summary		*batch_size;	/* txns per flush, if kept */
	uint64_t		 batches;	/* fsyncs */
	uint64_t		 batched;	/* txns they covered */
};

void	 sync_init(struct sync_stage *, void (*)(void *, struct request *),
	    void *);
void	 sync_submit(struct sync_stage *, struct request *);
void	 sync_flush(struct sync_stage *);

#endif
