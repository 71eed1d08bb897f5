/* SPDX-License-Identifier: ISC */
/*
 * qstore.c: the store ZAB runs on (zab.h's struct zab_store) over the
 * server's database (db.c).
 *
 * Logged is not committed.  A txn appended (a leader's proposal, a
 * learner's PROPOSAL or INFORM, a DIFF's txns) goes to the log at once
 * and waits in a ring, in zxid order, until ZAB says it committed; then
 * it is handed to the apply hook, which runs it through the final stage
 * (the tree changes, the client that asked is answered).  So the tree
 * only ever holds committed txns, and the log may run ahead of it.
 *
 * At start-up, though, recovery (db_open) applies everything logged, as
 * ZooKeeper does: nothing is served before a leader has synced us, and
 * a sync either confirms what we logged (the leader's log holds it: it
 * commits in the new epoch) or cuts it (TRUNC).  The ring survives a
 * lost role: a txn logged under the old leader commits when a new one
 * says so, or goes with a TRUNC.
 *
 * TRUNC and SNAP change the files, then rebuild the tree from them
 * exactly as at start-up (db_rewind): TRUNC cuts every logged txn after
 * the zxid; SNAP puts the leader's snapshot in place (checked first: a
 * snapshot that does not read changes nothing) and drops every log, all
 * of which it covers or contradicts.  The caller points its stages at
 * the new tree (rewound hook); no client is connected then.
 *
 * For a leader syncing a learner, read gives the logged txns after a
 * zxid from the log files themselves (everything appended is written
 * first), and snapshot the applied tree, serialized as a snapshot file.
 *
 * Invariants checked: appended zxids only grow (txnlog.c, fatal); a
 * proposal's bytes decode to a txn of the packet's zxid (else the
 * learner gives up); commits come in order over the ring.
 */
#include <sys/mman.h>
#include <sys/types.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "datadir.h"
#include "db.h"
#include "jute.h"
#include "log.h"
#include "qproto.h"
#include "qstore.h"
#include "snap.h"
#include "tree.h"
#include "txn.h"
#include "util.h"
#include "xmalloc.h"

static void	 qstore_clear(struct qstore *);

int
qstore_open(struct qstore *q, struct db *db, void (*apply)(void *,
    struct txn *), void (*rewound)(void *), void *arg, char **cause)
{
	int64_t	 last_epoch;

	memset(q, 0, sizeof(*q));
	q->db = db;
	q->apply = apply;
	q->rewound = rewound;
	q->arg = arg;
	q->min_size = q->max_size = q->last_size = -1;
	if (datadir_read_epoch(db->snap_dir, "acceptedEpoch",
	    &q->accepted_epoch) == -1) {
		xasprintf(cause, "%s/acceptedEpoch holds no epoch (a "
		    "decimal number)", db->snap_dir);
		return -1;
	}
	if (datadir_read_epoch(db->snap_dir, "currentEpoch",
	    &q->current_epoch) == -1) {
		xasprintf(cause, "%s/currentEpoch holds no epoch (a "
		    "decimal number)", db->snap_dir);
		return -1;
	}
	/* Missing files (a first start) take the epoch of the last zxid. */
	last_epoch = ZAB_EPOCH(db->tree->last_zxid);
	if (q->current_epoch == -1) {
		q->current_epoch = last_epoch;
		if (datadir_write_epoch(db->snap_dir, "currentEpoch",
		    q->current_epoch) == -1)
			fatal("cannot write %s/currentEpoch", db->snap_dir);
	}
	if (q->accepted_epoch == -1) {
		q->accepted_epoch = q->current_epoch;
		if (datadir_write_epoch(db->snap_dir, "acceptedEpoch",
		    q->accepted_epoch) == -1)
			fatal("cannot write %s/acceptedEpoch", db->snap_dir);
	}
	if (q->current_epoch < last_epoch) {
		xasprintf(cause, "%s: currentEpoch %lld is below the epoch of "
		    "the last zxid 0x%llx", db->snap_dir,
		    (long long)q->current_epoch,
		    (unsigned long long)db->tree->last_zxid);
		return -1;
	}
	if (q->accepted_epoch < q->current_epoch) {
		xasprintf(cause, "%s: acceptedEpoch %lld is below "
		    "currentEpoch %lld", db->snap_dir,
		    (long long)q->accepted_epoch, (long long)q->current_epoch);
		return -1;
	}
	return 0;
}

static void
qstore_clear(struct qstore *q)
{
	while (q->n > 0) {
		txn_free(q->v[q->head].txn);
		q->head = (q->head + 1) % q->cap;
		q->n--;
	}
	q->head = 0;
}

void
qstore_close(struct qstore *q)
{
	qstore_clear(q);
	free(q->v);
	q->v = NULL;
	q->cap = 0;
}

static int64_t
qs_last_logged(void *arg)
{
	struct qstore	*q = arg;

	return q->db->log.last_zxid;
}

static int64_t
qs_last_committed(void *arg)
{
	struct qstore	*q = arg;

	return q->db->tree->last_zxid;
}

static int64_t
qs_accepted_epoch(void *arg)
{
	return ((struct qstore *)arg)->accepted_epoch;
}

static int64_t
qs_current_epoch(void *arg)
{
	return ((struct qstore *)arg)->current_epoch;
}

static void
qs_set_accepted_epoch(void *arg, int64_t e)
{
	struct qstore	*q = arg;

	if (datadir_write_epoch(q->db->snap_dir, "acceptedEpoch", e) == -1)
		fatal("cannot write %s/acceptedEpoch", q->db->snap_dir);
	q->accepted_epoch = e;
}

static void
qs_set_current_epoch(void *arg, int64_t e)
{
	struct qstore	*q = arg;

	if (datadir_write_epoch(q->db->snap_dir, "currentEpoch", e) == -1)
		fatal("cannot write %s/currentEpoch", q->db->snap_dir);
	q->current_epoch = e;
}

static int
qs_append(void *arg, int64_t zxid, const uint8_t *data, size_t len)
{
	struct qstore		*q = arg;
	struct qstore_pending	*p;
	struct txn		*t;
	size_t			 i;

	if (qproto_get_txn(data, len, q->db->opt.max, &t) == -1)
		return -1;
	if (t->zxid != zxid || zxid <= q->db->log.last_zxid) {
		log_warnx("qstore: txn 0x%llx in a packet of 0x%llx after "
		    "0x%llx", (unsigned long long)t->zxid,
		    (unsigned long long)zxid,
		    (unsigned long long)q->db->log.last_zxid);
		txn_free(t);
		return -1;
	}
	db_append(q->db, t);
	if (q->n == q->cap) {
		struct qstore_pending *nv;
		size_t	 ncap = q->cap ? q->cap * 2 : 256;

		nv = xcalloc(ncap, sizeof(*nv));
		for (i = 0; i < q->n; i++)
			nv[i] = q->v[(q->head + i) % q->cap];
		free(q->v);
		q->v = nv;
		q->cap = ncap;
		q->head = 0;
	}
	p = &q->v[(q->head + q->n) % q->cap];
	p->zxid = zxid;
	p->txn = t;
	q->n++;
	q->proposals++;
	q->last_size = (int64_t)len;
	if (q->min_size == -1 || q->last_size < q->min_size)
		q->min_size = q->last_size;
	if (q->last_size > q->max_size)
		q->max_size = q->last_size;
	return 0;
}

static void
qs_sync(void *arg)
{
	struct qstore	*q = arg;

	db_flush(q->db);
}

static int
qs_sync_begin(void *arg)
{
	struct qstore	*q = arg;

	return db_sync_begin(q->db);
}

static void
qs_commit(void *arg, int64_t zxid)
{
	struct qstore	*q = arg;
	struct txn	*t;

	while (q->n > 0 && q->v[q->head].zxid <= zxid) {
		t = q->v[q->head].txn;
		q->v[q->head].txn = NULL;
		q->head = (q->head + 1) % q->cap;
		q->n--;
		if (t->zxid <= q->db->tree->last_zxid)
			fatalx("qstore: commit of 0x%llx, applied up to 0x%llx",
			    (unsigned long long)t->zxid,
			    (unsigned long long)q->db->tree->last_zxid);
		q->apply(q->arg, t);
	}
	if (zxid > q->db->tree->last_zxid)
		fatalx("qstore: commit of 0x%llx never logged (applied up to "
		    "0x%llx)", (unsigned long long)zxid,
		    (unsigned long long)q->db->tree->last_zxid);
}

/* Rebuilds from the files at zxid (with a snapshot's bytes, or not). */
static int
qstore_rewind(struct qstore *q, int64_t zxid, const uint8_t *snap,
    size_t len)
{
	char	*cause = NULL;

	qstore_clear(q);
	if (db_rewind(q->db, zxid, snap, len, util_now_ms(), &cause) == -1) {
		log_warnx("%s", cause);
		free(cause);
		return -1;
	}
	q->rewound(q->arg);
	return 0;
}

static void
qs_truncate(void *arg, int64_t zxid)
{
	struct qstore	*q = arg;

	if (q->db->log.last_zxid <= zxid)
		return;
	log_info("qstore: truncating the log after 0x%llx (it ends at "
	    "0x%llx)", (unsigned long long)zxid,
	    (unsigned long long)q->db->log.last_zxid);
	if (qstore_rewind(q, zxid, NULL, 0) == -1)
		fatalx("qstore: cannot truncate the log after 0x%llx",
		    (unsigned long long)zxid);
}

struct qs_read {
	void		(*fn)(void *, int64_t, const uint8_t *, size_t);
	void		*arg;
	struct jute_out	 o;
};

static int
qs_read_cb(void *arg, struct txn *t)
{
	struct qs_read	*r = arg;

	jute_out_reset(&r->o);
	qproto_put_txn(&r->o, t);
	r->fn(r->arg, t->zxid, r->o.buf, r->o.len);
	txn_free(t);
	return 0;
}

static int
qs_read(void *arg, int64_t after, void (*fn)(void *, int64_t,
    const uint8_t *, size_t), void *fnarg)
{
	struct qstore	*q = arg;
	struct qs_read	 r;
	int		 rv;

	r.fn = fn;
	r.arg = fnarg;
	jute_out_init(&r.o);
	rv = db_read_after(q->db, after, qs_read_cb, &r);
	jute_out_free(&r.o);
	return rv;
}

static int64_t
qs_oldest(void *arg)
{
	struct qstore	*q = arg;
	int64_t		 first;

	if ((first = db_oldest(q->db)) == -1)
		return q->db->log.last_zxid + 1;
	return first;
}

/* The applied tree and sessions as a snapshot's bytes. */
static void
qs_snapshot(void *arg, uint8_t **buf, size_t *len)
{
	struct qstore	*q = arg;
	off_t		 size;
	ssize_t		 n;
	size_t		 off = 0;
	int		 fd, err;

	if ((fd = memfd_create("zkd-snap", MFD_CLOEXEC)) == -1)
		fatal("memfd_create");
	if ((err = snap_write_fd(fd, q->db->tree, q->db->sessions)) != 0) {
		errno = err;
		fatal("writing a snapshot for a learner");
	}
	if ((size = lseek(fd, 0, SEEK_END)) == -1)
		fatal("lseek");
	*len = (size_t)size;
	*buf = xmalloc(*len > 0 ? *len : 1);
	while (off < *len) {
		if ((n = pread(fd, *buf + off, *len - off, (off_t)off)) <= 0) {
			if (n == -1 && errno == EINTR)
				continue;
			fatal("reading a snapshot back");
		}
		off += (size_t)n;
	}
	close(fd);
}

static int
qs_restore(void *arg, const uint8_t *buf, size_t len, int64_t zxid)
{
	struct qstore	*q = arg;

	log_info("qstore: taking the leader's snapshot at 0x%llx (%zu "
	    "bytes)", (unsigned long long)zxid, len);
	return qstore_rewind(q, zxid, buf, len);
}

void
qstore_hooks(struct qstore *q, struct zab_store *st)
{
	memset(st, 0, sizeof(*st));
	st->arg = q;
	st->last_logged = qs_last_logged;
	st->last_committed = qs_last_committed;
	st->accepted_epoch = qs_accepted_epoch;
	st->current_epoch = qs_current_epoch;
	st->set_accepted_epoch = qs_set_accepted_epoch;
	st->set_current_epoch = qs_set_current_epoch;
	st->append = qs_append;
	st->sync = qs_sync;
	st->sync_begin = qs_sync_begin;
	st->commit = qs_commit;
	st->truncate = qs_truncate;
	st->read = qs_read;
	st->oldest = qs_oldest;
	st->snapshot = qs_snapshot;
	st->restore = qs_restore;
}
