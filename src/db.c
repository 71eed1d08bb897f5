/* SPDX-License-Identifier: ISC */
/*
 * db.c: recovery, logging and snapshots (storage layer).
 *
 * Recovery (db_open), as FileTxnSnapLog.restore:
 *  1. the newest snapshot that reads whole gives the tree, the sessions
 *     and a zxid (its name); a damaged one is skipped for an older one;
 *  2. every logged txn above that zxid is applied in order, from the
 *     newest log file named at or below it onwards;
 *  3. a log whose reading stops on something other than padding: if no
 *     valid entry follows anywhere, that is a torn tail (a crash in the
 *     middle of a write) and the file is cut back to its last good entry
 *     (removed if it holds none: an empty, preallocated or torn first
 *     write), with one log line; otherwise the damage is inside the log and
 *     start-up stops with the file and offset, never a partial tree;
 *  4. sessions owning ephemerals but no longer known lose them, and a
 *     snapshot is written if anything was replayed, as ZooKeeper does.
 * Invariants checked: zxids only grow through the logs (fatal otherwise);
 * every txn below the tree's last zxid is in a log or a snapshot.
 *
 * Running: the sync stage appends txns and flushes once per loop turn
 * (txnlog.c).  After a flush, once snapCount/2 + a random share of
 * snapCount/2 txns were logged since the last snapshot (ZooKeeper's
 * randomisation, so that servers do not snapshot together), the log rolls
 * to a new file and a forked child writes the snapshot of the tree as it
 * is at that zxid, while the server goes on serving: the child sees a
 * copy-on-write image that no later txn touches.  A failed snapshot only
 * warns; the logs still hold everything.
 */
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "datadir.h"
#include "db.h"
#include "log.h"
#include "session.h"
#include "snap.h"
#include "tree.h"
#include "txn.h"
#include "util.h"
#include "xmalloc.h"

struct db_replay {
	struct db	*db;
	const char	*file;
	int64_t		 now;
	int64_t		 last;		/* last zxid replayed or loaded */
	uint64_t	 applied;
	uint64_t	 failed;
	int		 backwards;
	int64_t		 bad_zxid;
	int		 had_logs;
};

static void
db_next_threshold(struct db *db)
{
	uint32_t	 half = (uint32_t)(db->opt.snap_count / 2);

	db->since_snap = 0;
	db->snap_at = half + (half > 0 ? arc4random_uniform(half) : 0);
}

static void
db_session_cb(void *arg, int64_t id, int32_t timeout)
{
	struct db_replay	*r = arg;

	session_track(r->db->sessions, id, timeout, r->now);
}

static int
db_replay_cb(void *arg, struct txn *t)
{
	struct db_replay	*r = arg;
	struct txn_result	 res;

	if (t->zxid <= r->db->tree->last_zxid) {
		/* Already in the snapshot, or an older file's overlap. */
		txn_free(t);
		return 0;
	}
	if (t->zxid <= r->last) {
		r->backwards = 1;
		r->bad_zxid = t->zxid;
		txn_free(t);
		return 1;
	}
	txn_apply(r->db->tree, r->db->sessions, t, r->now, &res);
	/*
	 * A logged write succeeded when it was made; it can fail here only
	 * over a fuzzy snapshot (one written by ZooKeeper while txns went
	 * on), which replay tolerates as ZooKeeper does.
	 */
	if (res.err != ZERR_OK && t->op.type != ZOP_ERROR &&
	    t->op.type != ZOP_MULTI) {
		log_warnx("%s: txn 0x%llx (%s) did not apply: %s", r->file,
		    (unsigned long long)t->zxid, proto_op_name(t->op.type),
		    proto_err_name(res.err));
		r->failed++;
	}
	txn_result_clear(&res);
	r->last = t->zxid;
	r->applied++;
	txn_free(t);
	return 0;
}

static int
db_load_snapshot(struct db *db, struct db_replay *r, int *found, char **cause)
{
	struct datadir_list	 snaps;
	struct tree		*t;
	char			*why = NULL;
	size_t			 i;
	int64_t			 t0 = util_now_ms();

	*found = 0;
	if (datadir_list(db->snap_dir, "snapshot", &snaps) == -1) {
		xasprintf(cause, "%s: %s", db->snap_dir, strerror(errno));
		return -1;
	}
	for (i = snaps.n; i > 0; i--) {
		session_free_all(db->sessions);
		if (snap_read(snaps.v[i - 1].path, db->opt.max,
		    db->opt.extended, &t, db_session_cb, r, &why) == 0) {
			tree_free(db->tree);
			db->tree = t;
			t->last_zxid = snaps.v[i - 1].zxid;
			log_info("loaded snapshot %s", snaps.v[i - 1].path);
			*found = 1;
			break;
		}
		log_warnx("skipping snapshot %s", why);
		free(why);
		why = NULL;
	}
	if (!*found && snaps.n > 0) {
		xasprintf(cause, "%s: none of the %zu snapshots can be read",
		    db->snap_dir, snaps.n);
		datadir_list_free(&snaps);
		return -1;
	}
	datadir_list_free(&snaps);
	summary_add(&db->snap_load_time, util_now_ms() - t0);
	return 0;
}

/* Cuts a torn tail, or says why the log cannot be trusted. */
static int
db_repair(struct db *db, struct datadir_list *logs, size_t i,
    const struct txnlog_scan *scan, int later_entries, char **cause)
{
	size_t	 j;

	if (scan->later_valid || later_entries) {
		xasprintf(cause, "%s: damaged at offset %lld (%s) with valid "
		    "transactions after it; recovery stops rather than lose "
		    "them (move the file away to start from what precedes "
		    "it)", logs->v[i].path, (long long)scan->bad_off,
		    scan->why);
		return -1;
	}
	if (scan->count == 0) {
		log_warnx("%s: torn before its first entry, removed",
		    logs->v[i].path);
		if (unlink(logs->v[i].path) == -1)
			goto fail;
	} else {
		log_warnx("%s: torn tail at offset %lld (%s), truncated to "
		    "the last good entry (zxid 0x%llx)", logs->v[i].path,
		    (long long)scan->bad_off, scan->why,
		    (unsigned long long)scan->last_zxid);
		if (txnlog_truncate(logs->v[i].path, scan->good_end) == -1)
			goto fail;
	}
	for (j = i + 1; j < logs->n; j++) {
		log_warnx("%s: after a torn tail and empty, removed",
		    logs->v[j].path);
		unlink(logs->v[j].path);
	}
	util_fsync_dir(db->log_dir);
	return 0;
fail:
	xasprintf(cause, "%s: cannot repair: %s", logs->v[i].path,
	    strerror(errno));
	return -1;
}

static int
db_stop_after_first(void *arg, struct txn *t)
{
	(void)arg;
	txn_free(t);
	return 1;
}

static int
db_replay_logs(struct db *db, struct db_replay *r, char **cause)
{
	struct datadir_list	 logs;
	struct txnlog_scan	 scan;
	size_t			 i, j, start = 0;
	int			 later, rv = -1;
	int64_t			 t0 = util_now_ms();

	if (datadir_list(db->log_dir, "log", &logs) == -1) {
		xasprintf(cause, "%s: %s", db->log_dir, strerror(errno));
		return -1;
	}
	for (i = 0; i < logs.n; i++)
		if (logs.v[i].zxid <= db->tree->last_zxid)
			start = i;
	for (i = start; i < logs.n; i++) {
		r->file = logs.v[i].path;
		if (txnlog_read(logs.v[i].path, db->opt.max, db_replay_cb, r,
		    &scan) == -1) {
			xasprintf(cause, "%s: %s", logs.v[i].path, scan.why);
			goto done;
		}
		if (r->backwards) {
			xasprintf(cause, "%s: zxid 0x%llx comes after 0x%llx: "
			    "the logs go backwards", logs.v[i].path,
			    (unsigned long long)r->bad_zxid,
			    (unsigned long long)r->last);
			goto done;
		}
		/*
		 * The newest log holding no txn (created, or preallocated,
		 * and never written) goes too: its name is the next zxid's.
		 */
		if (!scan.bad && (scan.count > 0 || i + 1 < logs.n))
			continue;
		later = 0;
		for (j = i + 1; j < logs.n && !later; j++) {
			struct txnlog_scan s2;

			if (txnlog_read(logs.v[j].path, db->opt.max,
			    db_stop_after_first, NULL, &s2) == 0 && s2.count > 0)
				later = 1;
		}
		if (db_repair(db, &logs, i, &scan, later, cause) == -1)
			goto done;
		break;
	}
	rv = 0;
done:
	/* As ZooKeeper, the replay is measured when there were logs. */
	if (logs.n > 0)
		summary_add(&db->load_time, util_now_ms() - t0);
	r->had_logs = logs.n > 0;
	datadir_list_free(&logs);
	return rv;
}

/*
 * Rebuilds the database from dir's snapshots and logs (see above), into
 * db->tree and the session table st (as of monotonic time now).  Returns
 * 0, or -1 with *cause (a damaged log or snapshot: the caller exits with
 * EX_DATAERR).
 */
int
db_open(struct db *db, const struct db_options *opt, struct session_table *st,
    int64_t now, char **cause)
{
	struct db_replay	 r;
	struct tree_owner	*o, *next;
	int			 found;

	memset(db, 0, sizeof(*db));
	db->opt = *opt;
	strlcpy(db->snap_dir, opt->snap_dir, sizeof(db->snap_dir));
	strlcpy(db->log_dir, opt->log_dir, sizeof(db->log_dir));
	db->opt.snap_dir = db->snap_dir;
	db->opt.log_dir = db->log_dir;
	db->sessions = st;
	summary_init(&db->snap_time, 0);
	summary_init(&db->fsync_time, 0);
	summary_init(&db->load_time, 0);
	summary_init(&db->snap_load_time, 0);
	summary_init(&db->txns_loaded, 0);
	db->tree = tree_new(opt->extended);
	datadir_remove_temps(db->snap_dir);

	memset(&r, 0, sizeof(r));
	r.db = db;
	r.now = now;
	if (db_load_snapshot(db, &r, &found, cause) == -1)
		return -1;
	r.last = db->tree->last_zxid;
	if (db_replay_logs(db, &r, cause) == -1)
		return -1;
	if (r.had_logs)
		summary_add(&db->txns_loaded, (int64_t)r.applied);
	if (r.applied > 0)
		log_info("replayed %llu txns, last zxid 0x%llx",
		    (unsigned long long)r.applied,
		    (unsigned long long)db->tree->last_zxid);

	/* Ephemerals of sessions no longer known go, without a txn. */
	for (o = RB_MIN(tree_owners, &db->tree->owners); o != NULL; o = next) {
		next = RB_NEXT(tree_owners, &db->tree->owners, o);
		if (session_lookup(st, o->session_id) == NULL)
			tree_kill_session(db->tree, o->session_id,
			    db->tree->last_zxid);
	}

	txnlog_init(&db->log, db->log_dir, opt->prealloc, opt->force_sync);
	db->log.last_zxid = db->tree->last_zxid;
	db->log.fsync_time = &db->fsync_time;
	db->log.bg = opt->bg;
	db_next_threshold(db);
	if (!found || r.applied > 0) {
		if (snap_write(db->snap_dir, db->tree->last_zxid, db->tree, st,
		    opt->force_sync, cause) == -1)
			return -1;
		db->snapshots++;
	}
	return 0;
}

/* The sync stage's append hook. */
void
db_append(void *arg, const struct txn *t)
{
	struct db	*db = arg;

	txnlog_append(&db->log, t);
	db->since_snap++;
}

/* The sync stage's flush hook: one write and one sync for the turn. */
void
db_flush(void *arg)
{
	struct db	*db = arg;

	txnlog_flush(&db->log);
}

/*
 * Syncs of the log go to bg's thread from now on (NULL: in the loop
 * again), across rewinds too (db_open takes them from the options).
 */
void
db_sync_in_background(struct db *db, struct bgsync *bg)
{
	db->opt.bg = bg;
	db->log.bg = bg;
}

/*
 * An ensemble's sync: 1 if it goes on in the background (bgsync_take
 * tells when it ended), 0 if it is done (txnlog_sync_begin).
 */
int
db_sync_begin(struct db *db)
{
	return txnlog_sync_begin(&db->log);
}

/*
 * Starts a snapshot if enough txns were logged since the last one and
 * none is being written.  Call after a flush, with every logged txn
 * applied to the tree.
 */
void
db_maybe_snapshot(struct db *db)
{
	char	*cause = NULL;
	pid_t	 pid;
	int64_t	 zxid = db->tree->last_zxid;

	if (db->snap_pid != 0 || db->since_snap <= db->snap_at)
		return;
	/* In an ensemble the log runs ahead with proposals not applied. */
	if (db->log.last_zxid < zxid)
		fatalx("snapshot at 0x%llx but the log ends at 0x%llx",
		    (unsigned long long)zxid,
		    (unsigned long long)db->log.last_zxid);
	txnlog_roll(&db->log);
	db_next_threshold(db);
	switch ((pid = fork())) {
	case -1:
		log_warn("cannot fork to write a snapshot");
		return;
	case 0:
		/*
		 * A snapshot outliving its server would only be in the way;
		 * nor may it hold the server's sockets (the client port, the
		 * supervisor's side door) open after the server is gone.
		 */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		closefrom(3);
		if (snap_write(db->snap_dir, zxid, db->tree, db->sessions,
		    db->opt.force_sync, &cause) == -1) {
			log_warnx("snapshot failed: %s", cause);
			_exit(1);
		}
		_exit(0);
	default:
		db->snap_pid = pid;
		db->snap_zxid = zxid;
		db->snap_started = util_now_ms();
		log_debug("writing snapshot 0x%llx (pid %d)",
		    (unsigned long long)zxid, (int)pid);
	}
}

/*
 * Takes note of an exited child; returns 1 if it was the snapshot writer.
 * A failed snapshot only warns.
 */
int
db_reap(struct db *db, pid_t pid, int status)
{
	if (pid != db->snap_pid || pid == 0)
		return 0;
	db->snap_pid = 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		db->snapshots++;
		summary_add(&db->snap_time, util_now_ms() - db->snap_started);
		log_debug("snapshot 0x%llx written",
		    (unsigned long long)db->snap_zxid);
	} else
		log_warnx("snapshot 0x%llx failed (status %d); the logs still "
		    "hold every txn", (unsigned long long)db->snap_zxid,
		    status);
	return 1;
}

/* Flushes and closes the log; waits for a snapshot being written. */
void
db_close(struct db *db)
{
	int	 status;

	txnlog_close(&db->log);
	if (db->snap_pid != 0 && waitpid(db->snap_pid, &status, 0) ==
	    db->snap_pid)
		db_reap(db, db->snap_pid, status);
}

/* ---- what an ensemble's sync needs (qstore.c) ---- */

struct db_cut {
	struct txnlog_scan *scan;
	int64_t		 zxid;
	off_t		 keep;		/* end of the last entry to keep */
	int		 beyond;	/* an entry after zxid was seen */
};

static int
db_cut_cb(void *arg, struct txn *t)
{
	struct db_cut	*c = arg;

	if (t->zxid > c->zxid) {
		c->beyond = 1;
		txn_free(t);
		return 1;
	}
	c->keep = c->scan->good_end;
	txn_free(t);
	return 0;
}

/* Removes every logged txn after zxid from the files (all if rm_all). */
static int
db_cut_logs(struct db *db, int64_t zxid, int rm_all, char **cause)
{
	struct datadir_list	 logs;
	struct txnlog_scan	 scan;
	struct db_cut		 c;
	size_t			 i;
	int			 rv = -1;

	if (datadir_list(db->log_dir, "log", &logs) == -1) {
		xasprintf(cause, "%s: %s", db->log_dir, strerror(errno));
		return -1;
	}
	for (i = 0; i < logs.n; i++) {
		memset(&c, 0, sizeof(c));
		c.scan = &scan;
		c.zxid = zxid;
		c.keep = 0;
		if (!rm_all && logs.v[i].zxid <= zxid && txnlog_read(
		    logs.v[i].path, db->opt.max, db_cut_cb, &c, &scan) == -1) {
			xasprintf(cause, "%s: %s", logs.v[i].path, scan.why);
			goto done;
		}
		if (rm_all || logs.v[i].zxid > zxid || c.keep == 0) {
			log_info("removing %s: after 0x%llx", logs.v[i].path,
			    (unsigned long long)zxid);
			if (unlink(logs.v[i].path) == -1)
				goto fail;
		} else if (c.beyond) {
			log_info("truncating %s after 0x%llx", logs.v[i].path,
			    (unsigned long long)zxid);
			if (txnlog_truncate(logs.v[i].path, c.keep) == -1)
				goto fail;
		}
	}
	if (util_fsync_dir(db->log_dir) == -1)
		goto fail;
	rv = 0;
	goto done;
fail:
	xasprintf(cause, "%s: %s", db->log_dir, strerror(errno));
done:
	datadir_list_free(&logs);
	return rv;
}

/* Removes the snapshots named after zxid. */
static void
db_cut_snapshots(struct db *db, int64_t zxid)
{
	struct datadir_list	 snaps;
	size_t			 i;

	if (datadir_list(db->snap_dir, "snapshot", &snaps) == -1)
		return;
	for (i = 0; i < snaps.n; i++)
		if (snaps.v[i].zxid > zxid) {
			log_info("removing %s: after 0x%llx", snaps.v[i].path,
			    (unsigned long long)zxid);
			unlink(snaps.v[i].path);
		}
	datadir_list_free(&snaps);
	util_fsync_dir(db->snap_dir);
}

/*
 * Sets the database back to zxid (an ensemble's TRUNC), or, with a
 * snapshot's bytes, to that snapshot at zxid (SNAP): the files first,
 * then the tree and sessions rebuilt from them as at start-up.  The old
 * tree is freed: the caller points its stages at db->tree again.  Returns
 * 0, or -1 with *cause if the snapshot does not read (nothing changed);
 * files that cannot be changed or read back end the process.
 */
int
db_rewind(struct db *db, int64_t zxid, const uint8_t *snap, size_t len,
    int64_t now, char **cause)
{
	struct db_options	 o = db->opt;
	struct tree		*old = db->tree, *check;
	struct session_table	*st = db->sessions;
	char			 path[PATH_MAX], snap_dir[PATH_MAX];
	char			 log_dir[PATH_MAX];
	uint64_t		 snapshots;
	int			 status;

	txnlog_roll(&db->log);
	if (db->snap_pid != 0 && waitpid(db->snap_pid, &status, 0) ==
	    db->snap_pid)
		db_reap(db, db->snap_pid, status);
	if (snap != NULL) {
		if (snap_install(db->snap_dir, zxid, snap, len,
		    o.force_sync, cause) == -1)
			return -1;
		if (snprintf(path, sizeof(path), "%s/snapshot.%llx",
		    db->snap_dir, (unsigned long long)zxid) >=
		    (int)sizeof(path))
			fatalx("%s: path too long", db->snap_dir);
		if (snap_read(path, o.max, o.extended, &check, NULL, NULL,
		    cause) == -1) {
			unlink(path);
			return -1;
		}
		tree_free(check);
	}
	/* From here on, a failure leaves files nobody may serve from. */
	if (db_cut_logs(db, zxid, snap != NULL, cause) == -1)
		fatalx("%s", *cause);
	db_cut_snapshots(db, zxid);
	snapshots = db->snapshots;
	txnlog_close(&db->log);
	/* db_open clears db, where o's directories point. */
	strlcpy(snap_dir, db->snap_dir, sizeof(snap_dir));
	strlcpy(log_dir, db->log_dir, sizeof(log_dir));
	o.snap_dir = snap_dir;
	o.log_dir = log_dir;
	session_free_all(st);
	if (db_open(db, &o, st, now, cause) == -1)
		fatalx("%s", *cause);
	db->snapshots += snapshots;
	tree_free(old);
	if (db->tree->last_zxid != zxid)
		fatalx("rewound to 0x%llx but the files end at 0x%llx",
		    (unsigned long long)zxid,
		    (unsigned long long)db->tree->last_zxid);
	return 0;
}

struct db_scan {
	int64_t		 after;
	int		(*fn)(void *, struct txn *);
	void		*arg;
};

static int
db_scan_cb(void *arg, struct txn *t)
{
	struct db_scan	*d = arg;

	if (t->zxid <= d->after) {
		txn_free(t);
		return 0;
	}
	return d->fn(d->arg, t);
}

/*
 * Calls fn (which owns the txn; non-zero stops) for each logged txn after
 * zxid, in order, everything appended so far written first.  Returns
 * 0, or -1 if the logs cannot be read.
 */
int
db_read_after(struct db *db, int64_t zxid, int (*fn)(void *, struct txn *),
    void *arg)
{
	struct datadir_list	 logs;
	struct txnlog_scan	 scan;
	struct db_scan		 d;
	size_t			 i, start = 0;
	int			 rv = 0;

	txnlog_flush(&db->log);
	if (datadir_list(db->log_dir, "log", &logs) == -1)
		return -1;
	for (i = 0; i < logs.n; i++)
		if (logs.v[i].zxid <= zxid + 1)
			start = i;
	d.after = zxid;
	d.fn = fn;
	d.arg = arg;
	for (i = start; i < logs.n; i++)
		if (txnlog_read(logs.v[i].path, db->opt.max, db_scan_cb, &d,
		    &scan) == -1 || scan.bad) {
			rv = -1;
			break;
		}
	datadir_list_free(&logs);
	return rv;
}

static int
db_first_cb(void *arg, struct txn *t)
{
	*(int64_t *)arg = t->zxid;
	txn_free(t);
	return 1;
}

/* The first zxid the logs hold, or -1 if they hold none. */
int64_t
db_oldest(struct db *db)
{
	struct datadir_list	 logs;
	struct txnlog_scan	 scan;
	int64_t			 first = -1;
	size_t			 i;

	txnlog_flush(&db->log);
	if (datadir_list(db->log_dir, "log", &logs) == -1)
		return -1;
	for (i = 0; i < logs.n && first == -1; i++)
		txnlog_read(logs.v[i].path, db->opt.max, db_first_cb, &first,
		    &scan);
	datadir_list_free(&logs);
	return first;
}
