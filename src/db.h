/* SPDX-License-Identifier: ISC */
/*
 * db.h: the durable database (storage layer): the tree and sessions, the
 * transaction log they are rebuilt from, and the snapshots that shorten
 * that replay.  After ZooKeeper's ZKDatabase and FileTxnSnapLog.
 */
#ifndef ZK_DB_H
#define ZK_DB_H

#include <sys/types.h>

#include <limits.h>
#include <stdint.h>

#include "metrics.h"
#include "txnlog.h"

struct session_table;
struct tree;
struct txn;

struct bgsync;

struct db_options {
	const char	*snap_dir;	/* dataDir/version-2 */
	const char	*log_dir;	/* dataLogDir/version-2 */
	size_t		 max;		/* jute.maxbuffer, for reading */
	int		 extended;	/* TTL nodes */
	int		 force_sync;
	int		 snap_count;
	int64_t		 prealloc;	/* bytes */
	struct bgsync	*bg;		/* log syncs in the background, or NULL */
};

struct db {
	struct db_options opt;
	char		 snap_dir[PATH_MAX];
	char		 log_dir[PATH_MAX];
	struct tree	*tree;
	struct session_table *sessions;
	struct txnlog	 log;
	uint64_t	 since_snap;	/* txns logged since the last snapshot */
	uint64_t	 snap_at;	/* snapshot when since_snap passes it */
	pid_t		 snap_pid;	/* a snapshot being written, or 0 */
	int64_t		 snap_zxid;
	int64_t		 snap_started;
	uint64_t	 snapshots;
	struct summary	 snap_time;
	struct summary	 fsync_time;
	struct summary	 load_time;	/* startup: log replay, ms */
	struct summary	 snap_load_time;
	struct summary	 txns_loaded;
};

int	 db_open(struct db *, const struct db_options *,
	    struct session_table *, int64_t, char **);
void	 db_append(void *, const struct txn *);
void	 db_flush(void *);
void	 db_sync_in_background(struct db *, struct bgsync *);
int	 db_sync_begin(struct db *);
void	 db_maybe_snapshot(struct db *);
int	 db_reap(struct db *, pid_t, int);
void	 db_close(struct db *);
int	 db_rewind(struct db *, int64_t, const uint8_t *, size_t, int64_t,
	    char **);
int	 db_read_after(struct db *, int64_t, int (*)(void *, struct txn *),
	    void *);
int64_t	 db_oldest(struct db *);

#endif
