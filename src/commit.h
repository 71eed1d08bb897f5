/* SPDX-License-Identifier: ISC */
/*
 * commit.h: the commit stage of a server in an ensemble (pipeline
 * layer), after ZooKeeper's CommitProcessor.  See commit.c.
 */
#ifndef ZK_COMMIT_H
#define ZK_COMMIT_H

#include <sys/queue.h>

#include <stddef.h>
#include <stdint.h>

struct request;
struct txn;

struct commit_stage {
	TAILQ_HEAD(, request)	 queue;		/* waiting, in arrival order */
	size_t			 queued;
	/* The final stage: applies r->txn if any, answers, frees r. */
	void			(*next)(void *, struct request *);
	void			*next_arg;
	/* The last zxid applied to the tree. */
	int64_t			(*applied)(void *);
	uint64_t		 anonymous;	/* txns applied for others */
};

void	 commit_init(struct commit_stage *, void (*)(void *,
	    struct request *), int64_t (*)(void *), void *);
void	 commit_submit(struct commit_stage *, struct request *);
void	 commit_apply(struct commit_stage *, struct txn *);
void	 commit_synced(struct commit_stage *);
void	 commit_drop_all(struct commit_stage *);

#endif
