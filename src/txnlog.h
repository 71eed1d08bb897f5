/* SPDX-License-Identifier: ISC */
/*
 * txnlog.h: the transaction log in ZooKeeper 3.8's FileTxnLog format
 * (storage layer).  Grammar of a file version-2/log.<first zxid in hex>:
 *
 *   file        := FileHeader entry* padding
 *   FileHeader  := int magic ("ZKLG"), int version (2), long dbid (0)
 *   entry       := long checksum, buffer txnEntry, byte 0x42 ('B')
 *   checksum    := Adler32 of the txnEntry bytes
 *   txnEntry    := TxnHeader, txn record [, TxnDigest]   (see qproto.h)
 *   padding     := zero bytes up to the preallocated size
 *
 * Reading stops at the first entry whose checksum and length are both
 * zero (the padding).  A new file starts after each snapshot and at each
 * start of the server; old files are never appended to.
 *
 * Durability: txnlog_append only buffers; txnlog_flush writes what is
 * buffered and syncs it (fdatasync, and the directory once for a new
 * file) before returning.  A failed write or sync ends the server: the
 * log is the truth, and a restart replays it.  txnlog_sync_begin may
 * leave the sync to a background thread instead (bgsync.h): whatever
 * flushes, rolls or closes the log waits for that sync first.
 */
#ifndef ZK_TXNLOG_H
#define ZK_TXNLOG_H

#include <sys/types.h>

#include <limits.h>
#include <stdint.h>

#include "jute.h"
#include "metrics.h"

#define TXNLOG_MAGIC	0x5a4b4c47	/* "ZKLG" */
#define TXNLOG_VERSION	2
#define TXNLOG_EOR	0x42

struct bgsync;
struct txn;

struct txnlog {
	char		 dir[PATH_MAX];
	char		 path[PATH_MAX];	/* current file, "" if none */
	int		 fd;
	int		 dir_synced;		/* the new file's entry is durable */
	off_t		 pos;			/* end of what is written */
	off_t		 alloc;			/* preallocated file size */
	int64_t		 prealloc;		/* bytes per preallocation */
	int		 force_sync;
	int64_t		 last_zxid;
	struct jute_out	 buf;			/* appended, not yet written */
	struct jute_out	 entry;			/* scratch for one entry */
	uint64_t	 txns_in_file;
	struct summary	*fsync_time;		/* ms per sync, if kept */
	struct bgsync	*bg;			/* syncs in the background */
};

/* What reading a log file found. */
struct txnlog_scan {
	off_t		 good_end;	/* end of the last good entry */
	off_t		 bad_off;	/* where reading stopped, if bad */
	int		 bad;		/* stopped on something not padding */
	int		 later_valid;	/* a valid entry follows the bad spot */
	int64_t		 first_zxid;
	int64_t		 last_zxid;
	uint64_t	 count;
	char		 why[128];
};

typedef int (*txnlog_fn)(void *, struct txn *);

void	 txnlog_init(struct txnlog *, const char *, int64_t, int);
void	 txnlog_append(struct txnlog *, const struct txn *);
void	 txnlog_flush(struct txnlog *);
int	 txnlog_sync_begin(struct txnlog *);
void	 txnlog_roll(struct txnlog *);
void	 txnlog_close(struct txnlog *);
int	 txnlog_read(const char *, size_t, txnlog_fn, void *,
	    struct txnlog_scan *);
int	 txnlog_truncate(const char *, off_t);

#endif
