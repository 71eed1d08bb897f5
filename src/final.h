/* SPDX-License-Identifier: ISC */
/*
 * final.h: the final stage (pipeline layer), after FinalRequestProcessor.
 *
 * final applies a request's txn (the only place the state changes while
 * serving), serves reads against the tree, and builds the reply frame the
 * client gets.  Every reply carries the zxid of the last applied txn.
 */
#ifndef ZK_FINAL_H
#define ZK_FINAL_H

#include <stdint.h>

#include "jute.h"

struct prep;
struct request;
struct session_table;
struct tree;
struct watch_mgr;

struct final {
	struct tree		*tree;
	struct session_table	*sessions;
	struct watch_mgr	*watches;
	struct prep		*prep;
	struct jute_out		 out;
	/* A session ended (closed or expired): drop its connections. */
	void			(*session_gone)(void *, int64_t);
	void			*arg;
	uint64_t		 commits;
};

void	 final_init(struct final *, struct tree *, struct session_table *,
	    struct watch_mgr *, struct prep *);
void	 final_free(struct final *);
void	 final_request(void *, struct request *);

#endif
