/* SPDX-License-Identifier: ISC */
/*
 * qstore.h: ZAB's durable store over the server's database (storage
 * layer): the zab_store hooks of zab.h on struct db, the epoch files,
 * and the txns logged but not yet committed.  A committed txn goes to
 * the caller's apply hook, in zxid order; a TRUNC or a SNAP rebuilds the
 * tree from the files, and the caller is told.  See qstore.c.
 */
#ifndef ZK_QSTORE_H
#define ZK_QSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "zab.h"

struct db;
struct txn;

struct qstore_pending {
	int64_t		 zxid;
	struct txn	*txn;
};

struct qstore {
	struct db	*db;
	int64_t		 accepted_epoch;
	int64_t		 current_epoch;
	struct qstore_pending *v;	/* logged, not committed: a ring */
	size_t		 head, n, cap;
	/* A committed txn, in order; apply owns it. */
	void		(*apply)(void *, struct txn *);
	/* The tree was rebuilt from the files (db->tree is a new one). */
	void		(*rewound)(void *);
	void		*arg;
	uint64_t	 proposals;	/* txns appended */
	int64_t		 last_size;	/* of the last txn appended */
	int64_t		 min_size, max_size;
};

int	 qstore_open(struct qstore *, struct db *, void (*)(void *,
	    struct txn *), void (*)(void *), void *, char **);
void	 qstore_hooks(struct qstore *, struct zab_store *);
void	 qstore_close(struct qstore *);

#endif
