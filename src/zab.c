/* SPDX-License-Identifier: ISC */
/*
 * zab.c: ZooKeeper Atomic Broadcast after an election, as Leader,
 * LearnerHandler, Learner and Follower run it in ZooKeeper 3.8, turned
 * into one event-driven state machine per server.
 *
 * Discovery.  A learner connects to the leader it elected and sends
 * FOLLOWERINFO (OBSERVERINFO) carrying its acceptedEpoch.  The leader
 * proposes an epoch above every acceptedEpoch it hears of, its own
 * included, and fixes it once a quorum of voters (itself counted) have
 * told theirs: it persists it as its acceptedEpoch and sends LEADERINFO.
 * A learner accepts a higher epoch (persists acceptedEpoch, answers
 * ACKEPOCH with its currentEpoch and last zxid), answers -1 for the epoch
 * it already accepted, and gives up on a lower one.  A quorum of ACKEPOCH
 * ends discovery; a learner whose (currentEpoch, last zxid) is ahead of
 * the leader's makes the leader give up (it cannot have been elected).
 *
 * Synchronization.  The leader's whole log counts as committed: it was
 * elected for having the most recent one among a quorum, so it holds
 * everything ever committed.  For each learner it picks, from the
 * learner's last zxid:
 *   DIFF   the learner's last zxid is in the leader's log: the txns after
 *          it, each as PROPOSAL then COMMIT;
 *   TRUNC  the learner has txns the leader does not: cut back to the
 *          last zxid they share (then a DIFF of what follows, if any);
 *   SNAP   the leader's log no longer reaches back that far: the whole
 *          committed state.
 * then NEWLEADER.  The learner persists currentEpoch, syncs its log and
 * acks NEWLEADER; a quorum of those acks starts broadcast, and each
 * synced learner gets UPTODATE.  A learner that cannot do what it is
 * told (a TRUNC to a zxid it does not hold, a COMMIT of a proposal it
 * never logged) gives up rather than diverge.
 *
 * Broadcast.  The leader numbers each txn epoch<<32 | counter (the
 * counter starts again at 1 in every epoch), appends it, sends PROPOSAL
 * to followers; a follower appends, and acks once its log is synced; a
 * txn commits when a quorum of voters hold it synced (the leader once its
 * own sync is done), strictly in zxid order; COMMIT goes to followers,
 * INFORM (the txn itself) to observers.  Durability order: append during
 * the loop turn, one sync in zab_flush, then the acks.  What was queued
 * to peers leaves before that sync (io->push): the leader's proposals
 * are logged by its followers while it syncs its own log, so a write
 * waits for one fsync, not two in a row.  The sync may run in the
 * background (st->sync_begin; the server's runs on a thread, bgsync.c):
 * then the acks it makes true wait for zab_synced, while packets go on
 * being taken (ACKs at the leader, COMMITs at a learner), and the
 * proposals appended meanwhile wait for the next sync, one at a time.
 * A learner applies a COMMIT whether or not its own sync has ended, as
 * ZooKeeper's does: the quorum that committed it holds it on disk.
 *
 * Liveness.  zab_tick runs every half tick.  The leader pings its
 * learners; a learner not heard from for syncLimit ticks is dropped, and
 * a leader without a quorum of voters heard from within syncLimit ticks
 * gives up.  Discovery and synchronization must end within initLimit
 * ticks.  A learner whose leader is silent for two ticks at most
 * (ZAB_SILENT_HALF_TICKS; syncLimit if shorter; initLimit before
 * broadcast) gives up.  Giving up (io->lost) sends the server back to
 * the election.
 *
 * Why not syncLimit ticks, as ZooKeeper's follower (its socket timeout)?
 * A leader pings every half tick, ZooKeeper's as ours, and any packet
 * counts: 1.5 to 2 ticks of silence are three pings or more missed in a
 * row, which a leader that runs does not do; a hung one (stopped,
 * swapping, its host frozen) is then replaced in two ticks rather than
 * syncLimit (5 by default: 10 s of a cluster without writes at tickTime
 * 2000).  A leader that dies closes its connections and is noticed at
 * once either way.  With short ticks (two of them under a second) the
 * rule stays syncLimit: a busy host can stop a process for a few hundred
 * milliseconds, and that is no hung leader.
 * syncLimit keeps its meaning on the leader's side: how long a learner
 * may go without answering.
 *
 * Fencing: a server takes packets only on the connection of the leader
 * it follows, acks a proposal only in the epoch it accepted, and the
 * leader of an older epoch loses its learners to the newer one, so it
 * cannot assemble a quorum: nothing it proposes after that commits.
 */
#include <stdlib.h>
#include <string.h>

#include "jute.h"
#include "log.h"
#include "xmalloc.h"
#include "zab.h"

/*
 * A learner in broadcast leaves a leader that sent nothing while more
 * than this many of its half ticks passed: a silence of 1.5 to 2 ticks;
 * only where two ticks last ZAB_SILENT_MIN_MS or more.
 */
#define ZAB_SILENT_HALF_TICKS	3
#define ZAB_SILENT_MIN_MS	1000

/* A learner's progress, as the leader tracks it. */
enum {
	ZL_CONNECTED = 0,	/* nothing heard yet */
	ZL_INFO,		/* FOLLOWERINFO in, waiting for the epoch */
	ZL_EPOCH,		/* LEADERINFO out, waiting for ACKEPOCH */
	ZL_ACKED,		/* ACKEPOCH in, sync to come */
	ZL_SYNCING,		/* sync and NEWLEADER out, forwarding */
	ZL_SYNCED,		/* NEWLEADER acked, UPTODATE to come */
	ZL_UPTODATE		/* broadcast */
};

/* A proposal not yet committed (the leader keeps it for INFORM). */
struct zab_prop {
	int64_t		 zxid;
	uint8_t		*data;
	size_t		 len;
};

static int	 zab_is_voter(const struct zab *, int64_t);
static int	 zab_quorum(const struct zab *, size_t);
static struct zab_learner *zab_by_cid(struct zab *, int64_t);
static void	 zab_send(struct zab *, int64_t, int32_t, int64_t,
		    const uint8_t *, int32_t);
static void	 zab_set_phase(struct zab *, int, int);
static void	 zab_give_up(struct zab *, const char *);
static void	 zab_leader_recv(struct zab *, struct zab_learner *,
		    const struct qpacket *);
static void	 zab_learner_recv(struct zab *, const struct qpacket *);
static void	 zab_fix_epoch(struct zab *);
static void	 zab_sync_learner(struct zab *, struct zab_learner *);
static void	 zab_try_broadcast(struct zab *);
static void	 zab_try_commit(struct zab *);
static void	 zab_acked(struct zab *, int64_t, int64_t, int64_t);
static void	 zab_drop_learner(struct zab *, struct zab_learner *);

static const char *zab_phase_names[] = {
	"election", "discovery", "synchronization", "broadcast"
};

const char *
zab_phase_name(int phase)
{
	if (phase < ZAB_ELECTION || phase > ZAB_BROADCAST)
		return "unknown";
	return zab_phase_names[phase];
}

int
zab_init(struct zab *z, const struct zab_config *c,
    const struct zab_store *st, const struct zab_io *io, char **cause)
{
	memset(z, 0, sizeof(*z));
	if (c->nvoters == 0 || c->nvoters > ZAB_MAX_PEERS) {
		xasprintf(cause, "an ensemble needs 1 to %d voters",
		    ZAB_MAX_PEERS);
		return -1;
	}
	z->sid = c->sid;
	memcpy(z->voters, c->voters, c->nvoters * sizeof(*z->voters));
	z->nvoters = c->nvoters;
	z->init_limit = c->init_limit > 0 ? c->init_limit : 10;
	z->sync_limit = c->sync_limit > 0 ? c->sync_limit : 5;
	z->tick_ms = c->tick_ms > 0 ? c->tick_ms : 2000;
	z->st = *st;
	z->io = *io;
	return 0;
}

static int
zab_is_voter(const struct zab *z, int64_t sid)
{
	size_t	 i;

	for (i = 0; i < z->nvoters; i++)
		if (z->voters[i] == sid)
			return 1;
	return 0;
}

static int
zab_quorum(const struct zab *z, size_t n)
{
	return n > z->nvoters / 2;
}

static struct zab_learner *
zab_by_cid(struct zab *z, int64_t cid)
{
	size_t	 i;

	for (i = 0; i < z->nlearners; i++)
		if (z->learners[i].cid == cid)
			return &z->learners[i];
	return NULL;
}

static void
zab_send(struct zab *z, int64_t cid, int32_t type, int64_t zxid,
    const uint8_t *data, int32_t len)
{
	struct qpacket	 p;

	memset(&p, 0, sizeof(p));
	p.type = type;
	p.zxid = zxid;
	p.data = data;
	p.data_len = data != NULL ? len : -1;
	z->io.send(z->io.arg, cid, &p);
}

static void
zab_set_phase(struct zab *z, int phase, int sync)
{
	z->phase = phase;
	z->elapsed = 0;
	if (z->io.phase != NULL)
		z->io.phase(z->io.arg, phase, sync);
}

/* Ends the role; the caller elects again. */
static void
zab_give_up(struct zab *z, const char *why)
{
	int	 role = z->role;

	if (role == ZAB_NONE)
		return;
	log_info("zab: %s gives up in %s: %s", role == ZAB_LEADER ?
	    "leader" : "learner", zab_phase_name(z->phase), why);
	zab_stop(z);
	z->io.lost(z->io.arg, why);
}

/* Ends the role without telling anyone (the caller decided). */
void
zab_stop(struct zab *z)
{
	size_t	 i;

	/*
	 * Everything appended is made durable first, a sync still running
	 * in the background included: the election votes with our last
	 * logged zxid, and a new leader counts its whole log as held
	 * (zab_lead); neither may rest on a tail a crash could still cut.
	 */
	if (z->role != ZAB_NONE)
		z->st.sync(z->st.arg);
	if (z->role == ZAB_LEADER) {
		for (i = 0; i < z->nlearners; i++)
			if (z->learners[i].cid != 0)
				z->io.drop(z->io.arg, z->learners[i].cid);
		for (i = 0; i < z->nprops; i++)
			free(z->props[i].data);
		free(z->props);
		z->props = NULL;
		z->nprops = z->capprops = 0;
	} else if (z->role != ZAB_NONE && z->leader_cid != 0) {
		z->io.drop(z->io.arg, z->leader_cid);
	}
	free(z->learners);
	z->learners = NULL;
	z->nlearners = 0;
	z->role = ZAB_NONE;
	z->phase = ZAB_ELECTION;
	z->leader_cid = 0;
	free(z->pend_acks);
	z->pend_acks = NULL;
	z->npend_acks = z->cappend_acks = 0;
	z->pend_newleader = 0;
	/* A sync still running covers nothing of the next role. */
	z->sync_upto = 0;
	z->sync_newleader = 0;
	z->sync_nacks = 0;
}

/* ---- leader ---- */

/* The election made us leader: discovery begins. */
void
zab_lead(struct zab *z)
{
	zab_stop(z);
	z->role = ZAB_LEADER;
	z->epoch = z->st.accepted_epoch(z->st.arg) + 1;
	z->epoch_fixed = 0;
	/*
	 * Our whole log will be committed once a quorum holds it, that is
	 * when broadcast begins (see the top of this file).
	 */
	z->committed = z->st.last_logged(z->st.arg);
	z->proposed = z->self_acked = z->committed;
	zab_set_phase(z, ZAB_DISCOVERY, ZAB_SYNC_NONE);
	zab_fix_epoch(z);
}

/* A learner connected to us (its first packet names it). */
void
zab_connected(struct zab *z, int64_t cid)
{
	struct zab_learner *l;

	if (z->role == ZAB_LEADER) {
		z->learners = xreallocarray(z->learners, z->nlearners + 1,
		    sizeof(*z->learners));
		l = &z->learners[z->nlearners++];
		memset(l, 0, sizeof(*l));
		l->cid = cid;
		l->sid = -1;
		l->state = ZL_CONNECTED;
		return;
	}
	if (z->role == ZAB_NONE || z->leader_cid != 0)
		return;
	/* A learner's connection to its leader is up: introduce ourselves. */
	{
		struct learner_info	 li;
		struct jute_out		 o;

		z->leader_cid = cid;
		z->leader_quiet = 0;
		li.sid = z->sid;
		li.protocol = ZAB_PROTOCOL;
		li.config_version = 0;
		jute_out_init(&o);
		qproto_put_learner_info(&o, &li);
		zab_send(z, cid, z->role == ZAB_OBSERVER ? QP_OBSERVERINFO :
		    QP_FOLLOWERINFO, ZAB_ZXID(z->st.accepted_epoch(z->st.arg),
		    0), o.buf, (int32_t)o.len);
		jute_out_free(&o);
	}
}

/* A quorum of voters told their accepted epochs: fix ours. */
static void
zab_fix_epoch(struct zab *z)
{
	size_t	 i, n = 1;

	if (z->epoch_fixed)
		return;
	for (i = 0; i < z->nlearners; i++)
		if (z->learners[i].state >= ZL_INFO &&
		    !z->learners[i].observer)
			n++;
	if (!zab_quorum(z, n))
		return;
	z->epoch_fixed = 1;
	z->st.set_accepted_epoch(z->st.arg, z->epoch);
	z->next_zxid = ZAB_ZXID(z->epoch, 1);
	log_debug("zab: leading epoch %lld", (long long)z->epoch);
	for (i = 0; i < z->nlearners; i++) {
		if (z->learners[i].state != ZL_INFO)
			continue;
		z->learners[i].state = ZL_EPOCH;
		zab_send(z, z->learners[i].cid, QP_LEADERINFO,
		    ZAB_ZXID(z->epoch, 0), (const uint8_t *)"\0\1\0\0", 4);
	}
	/* A lone voter has nobody to wait for. */
	if (zab_quorum(z, 1)) {
		zab_set_phase(z, ZAB_SYNCHRONIZATION, ZAB_SYNC_NONE);
		z->st.set_current_epoch(z->st.arg, z->epoch);
		zab_try_broadcast(z);
	}
}

static void
zab_leader_recv(struct zab *z, struct zab_learner *l,
    const struct qpacket *p)
{
	struct learner_info	 li;
	struct zab_learner	*o;
	int64_t			 cur, mine_epoch, mine_zxid, cid = l->cid;
	size_t			 i, n;

	l->quiet = 0;
	switch (p->type) {
	case QP_FOLLOWERINFO:
	case QP_OBSERVERINFO:
		if (l->state != ZL_CONNECTED || p->data == NULL ||
		    qproto_get_learner_info(p->data, (size_t)p->data_len,
		    &li) == -1 || li.sid == z->sid) {
			zab_drop_learner(z, l);
			return;
		}
		/* A new connection from a server replaces its old one. */
		for (i = 0; i < z->nlearners; i++) {
			o = &z->learners[i];
			if (o != l && o->sid == li.sid) {
				zab_drop_learner(z, o);
				l = zab_by_cid(z, cid);
				break;
			}
		}
		l->sid = li.sid;
		l->observer = p->type == QP_OBSERVERINFO ||
		    !zab_is_voter(z, li.sid);
		l->accepted_epoch = ZAB_EPOCH(p->zxid);
		l->state = ZL_INFO;
		if (!z->epoch_fixed) {
			if (!l->observer && l->accepted_epoch >= z->epoch)
				z->epoch = l->accepted_epoch + 1;
			zab_fix_epoch(z);
		} else {
			l->state = ZL_EPOCH;
			zab_send(z, l->cid, QP_LEADERINFO,
			    ZAB_ZXID(z->epoch, 0),
			    (const uint8_t *)"\0\1\0\0", 4);
		}
		return;
	case QP_ACKEPOCH:
		if (l->state != ZL_EPOCH || p->data == NULL ||
		    p->data_len < 4) {
			zab_drop_learner(z, l);
			return;
		}
		cur = (int32_t)jute_be32(p->data);
		l->last_zxid = p->zxid;
		l->state = ZL_ACKED;
		mine_epoch = z->st.current_epoch(z->st.arg);
		mine_zxid = z->st.last_logged(z->st.arg);
		if (cur != -1 && (cur > mine_epoch || (cur == mine_epoch &&
		    p->zxid > mine_zxid))) {
			zab_give_up(z, "a follower is ahead of the leader");
			return;
		}
		if (z->phase == ZAB_DISCOVERY) {
			n = 1;
			for (i = 0; i < z->nlearners; i++)
				if (z->learners[i].state >= ZL_ACKED &&
				    !z->learners[i].observer)
					n++;
			if (!zab_quorum(z, n))
				return;
			zab_set_phase(z, ZAB_SYNCHRONIZATION, ZAB_SYNC_NONE);
			z->st.set_current_epoch(z->st.arg, z->epoch);
			for (i = 0; i < z->nlearners; i++)
				if (z->learners[i].state == ZL_ACKED)
					zab_sync_learner(z, &z->learners[i]);
			zab_try_broadcast(z);
		} else {
			zab_sync_learner(z, l);
		}
		return;
	case QP_ACK:
		if (l->state == ZL_SYNCING && p->zxid == ZAB_ZXID(z->epoch,
		    0)) {
			l->state = ZL_SYNCED;
			l->acked = l->last_zxid;
			if (z->phase == ZAB_BROADCAST) {
				l->state = ZL_UPTODATE;
				zab_send(z, l->cid, QP_UPTODATE, -1, NULL, 0);
			} else {
				zab_try_broadcast(z);
			}
			return;
		}
		if (l->state < ZL_SYNCING || l->observer)
			return;
		if (p->zxid > l->acked)
			l->acked = p->zxid;
		zab_acked(z, l->sid, p->zxid, p->zxid);
		zab_try_commit(z);
		return;
	case QP_PING:
	case QP_REQUEST:
	case QP_REVALIDATE:
		if (l->state >= ZL_SYNCING && z->io.other != NULL)
			z->io.other(z->io.arg, cid, p);
		return;
	default:
		log_debug("zab: learner %lld sent %s; dropped",
		    (long long)l->sid, qproto_qpacket_name(p->type));
		zab_drop_learner(z, l);
		return;
	}
}

struct zab_diff {
	struct zab		*z;
	struct zab_learner	*l;
	int64_t			 committed;
};

static void
zab_diff_one(void *arg, int64_t zxid, const uint8_t *data, size_t len)
{
	struct zab_diff	*d = arg;

	if (d->l->observer) {
		if (zxid <= d->committed)
			zab_send(d->z, d->l->cid, QP_INFORM, zxid, data,
			    (int32_t)len);
		return;
	}
	zab_send(d->z, d->l->cid, QP_PROPOSAL, zxid, data, (int32_t)len);
	if (zxid <= d->committed)
		zab_send(d->z, d->l->cid, QP_COMMIT, zxid, NULL, 0);
}

struct zab_find {
	int64_t		 want;
	int64_t		 below;		/* the last zxid before want */
	int		 found;
};

static void
zab_find_cb(void *arg, int64_t zxid, const uint8_t *data, size_t len)
{
	struct zab_find	*f = arg;

	(void)data;
	(void)len;
	if (zxid == f->want)
		f->found = 1;
	else if (zxid < f->want)
		f->below = zxid;
}

/*
 * Brings one learner up to our log (see the top of this file), then
 * NEWLEADER.  From here on it gets every proposal and commit.  TRUNC is
 * used only where the learner must hold the zxid it is cut back to: one
 * of the epoch of its last zxid (each epoch has one leader, so a zxid
 * names one txn, and a log holds every txn of an epoch up to its last
 * one).  Anything else that is not a plain DIFF gets a snapshot.
 */
static void
zab_sync_learner(struct zab *z, struct zab_learner *l)
{
	struct zab_diff	 d;
	struct zab_find	 f;
	uint8_t		*snap;
	size_t		 snaplen;
	int64_t		 peer = l->last_zxid, mine, oldest, base;
	int		 mode;

	mine = z->st.last_logged(z->st.arg);
	oldest = z->st.oldest(z->st.arg);
	d.z = z;
	d.l = l;
	d.committed = z->committed;
	base = peer;
	if (peer == mine) {
		mode = ZAB_SYNC_DIFF;
	} else if (peer > mine) {
		mode = ZAB_EPOCH(peer) == ZAB_EPOCH(mine) ? ZAB_SYNC_TRUNC :
		    ZAB_SYNC_SNAP;
		base = mine;
	} else if (peer >= oldest) {
		f.want = peer;
		f.below = -1;
		f.found = 0;
		z->st.read(z->st.arg, oldest - 1, zab_find_cb, &f);
		if (f.found) {
			mode = ZAB_SYNC_DIFF;
		} else if (f.below >= 0 && ZAB_EPOCH(f.below) ==
		    ZAB_EPOCH(peer)) {
			/* It has txns we never had: cut them, then DIFF. */
			mode = ZAB_SYNC_TRUNC;
			base = f.below;
		} else {
			mode = ZAB_SYNC_SNAP;
		}
	} else if (peer == oldest - 1 && peer >= 0 && ZAB_EPOCH(peer) ==
	    ZAB_EPOCH(oldest)) {
		mode = ZAB_SYNC_DIFF;
	} else {
		mode = ZAB_SYNC_SNAP;
	}
	switch (mode) {
	case ZAB_SYNC_TRUNC:
		zab_send(z, l->cid, QP_TRUNC, base, NULL, 0);
		break;
	case ZAB_SYNC_SNAP:
		/* The applied state; what is logged beyond it follows. */
		base = z->st.last_committed(z->st.arg);
		z->st.snapshot(z->st.arg, &snap, &snaplen);
		zab_send(z, l->cid, QP_SNAP, base, snap, (int32_t)snaplen);
		free(snap);
		break;
	default:
		zab_send(z, l->cid, QP_DIFF, mine, NULL, 0);
		break;
	}
	if (base < mine && z->st.read(z->st.arg, base, zab_diff_one, &d) ==
	    -1)
		fatalx("zab: log after 0x%llx no longer readable",
		    (unsigned long long)base);
	/* It holds what it acks only once it acked NEWLEADER. */
	l->last_zxid = mine;
	l->acked = z->committed;
	l->state = ZL_SYNCING;
	zab_send(z, l->cid, QP_NEWLEADER, ZAB_ZXID(z->epoch, 0), NULL, 0);
	log_info("zab: syncing server %lld by %s from 0x%llx",
	    (long long)l->sid, mode == ZAB_SYNC_DIFF ? "DIFF" :
	    mode == ZAB_SYNC_TRUNC ? "TRUNC" : "SNAP",
	    (unsigned long long)peer);
}

/* A quorum of voters acked NEWLEADER (we count): broadcast begins. */
static void
zab_try_broadcast(struct zab *z)
{
	size_t	 i, n = 1;

	if (z->phase != ZAB_SYNCHRONIZATION)
		return;
	for (i = 0; i < z->nlearners; i++)
		if (z->learners[i].state >= ZL_SYNCED &&
		    !z->learners[i].observer)
			n++;
	if (!zab_quorum(z, n))
		return;
	/* A quorum holds our log: it is committed. */
	if (z->committed > 0)
		z->st.commit(z->st.arg, z->committed);
	zab_set_phase(z, ZAB_BROADCAST, ZAB_SYNC_NONE);
	for (i = 0; i < z->nlearners; i++) {
		if (z->learners[i].state != ZL_SYNCED)
			continue;
		z->learners[i].state = ZL_UPTODATE;
		zab_send(z, z->learners[i].cid, QP_UPTODATE, -1, NULL, 0);
	}
}

/*
 * Proposes a txn (leader in broadcast only).  Returns its zxid, or -1.
 * It commits once a quorum holds it synced; the store's commit says so.
 */
int64_t
zab_propose(struct zab *z, const uint8_t *data, size_t len)
{
	struct zab_prop	*p;
	int64_t		 zxid;
	size_t		 i;

	if (z->role != ZAB_LEADER || z->phase != ZAB_BROADCAST)
		return -1;
	if (ZAB_COUNTER(z->next_zxid) == 0xffffffffLL) {
		/* The counter would wrap: a new epoch is needed. */
		zab_give_up(z, "zxid counter exhausted");
		return -1;
	}
	zxid = z->next_zxid++;
	if (z->st.append(z->st.arg, zxid, data, len) == -1)
		fatalx("zab: our own proposal 0x%llx is no txn",
		    (unsigned long long)zxid);
	z->proposed = zxid;
	if (z->nprops == z->capprops) {
		z->capprops = z->capprops ? z->capprops * 2 : 64;
		z->props = xreallocarray(z->props, z->capprops,
		    sizeof(*z->props));
	}
	p = &z->props[z->nprops++];
	p->zxid = zxid;
	p->data = xmemdup(data, len > 0 ? len : 1);
	p->len = len;
	for (i = 0; i < z->nlearners; i++)
		if (z->learners[i].state >= ZL_SYNCING &&
		    !z->learners[i].observer)
			zab_send(z, z->learners[i].cid, QP_PROPOSAL, zxid,
			    data, (int32_t)len);
	return zxid;
}

/* Tells io.acked of sid's ack of the outstanding proposals from..to. */
static void
zab_acked(struct zab *z, int64_t sid, int64_t from, int64_t to)
{
	size_t	 lo = 0, hi = z->nprops, mid;

	if (z->io.acked == NULL)
		return;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (z->props[mid].zxid < from)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < z->nprops && z->props[lo].zxid <= to; lo++)
		z->io.acked(z->io.arg, sid, z->props[lo].zxid,
		    z->props[lo].data, z->props[lo].len);
}

/* Commits, in order, every proposal a quorum of voters holds synced. */
static void
zab_try_commit(struct zab *z)
{
	struct zab_prop	*p;
	size_t		 i, n, done = 0;

	while (done < z->nprops) {
		p = &z->props[done];
		n = z->self_acked >= p->zxid ? 1 : 0;
		for (i = 0; i < z->nlearners; i++)
			if (z->learners[i].state >= ZL_SYNCING &&
			    !z->learners[i].observer &&
			    z->learners[i].acked >= p->zxid)
				n++;
		if (!zab_quorum(z, n))
			break;
		z->committed = p->zxid;
		z->st.commit(z->st.arg, p->zxid);
		for (i = 0; i < z->nlearners; i++) {
			if (z->learners[i].state < ZL_SYNCING)
				continue;
			if (z->learners[i].observer)
				zab_send(z, z->learners[i].cid, QP_INFORM,
				    p->zxid, p->data, (int32_t)p->len);
			else
				zab_send(z, z->learners[i].cid, QP_COMMIT,
				    p->zxid, NULL, 0);
		}
		free(p->data);
		done++;
	}
	if (done > 0) {
		memmove(z->props, z->props + done,
		    (z->nprops - done) * sizeof(*z->props));
		z->nprops -= done;
	}
}

static void
zab_drop_learner(struct zab *z, struct zab_learner *l)
{
	size_t	 i = (size_t)(l - z->learners);

	if (l->cid != 0)
		z->io.drop(z->io.arg, l->cid);
	z->learners[i] = z->learners[z->nlearners - 1];
	z->nlearners--;
}

/* ---- learner ---- */

/* The election made us follow (or observe) leader; connect comes next. */
void
zab_follow(struct zab *z, int64_t leader, int observer)
{
	zab_stop(z);
	z->newleader_seen = 0;
	z->sync_commit = 0;
	z->role = observer ? ZAB_OBSERVER : ZAB_FOLLOWER;
	z->leader = leader;
	z->leader_cid = 0;
	z->leader_quiet = 0;
	z->last_logged = z->st.last_logged(z->st.arg);
	z->sync_mode = ZAB_SYNC_NONE;
	zab_set_phase(z, ZAB_DISCOVERY, ZAB_SYNC_NONE);
}

static void
zab_learner_ack(struct zab *z, int64_t zxid)
{
	if (z->npend_acks == z->cappend_acks) {
		z->cappend_acks = z->cappend_acks ? z->cappend_acks * 2 : 64;
		z->pend_acks = xreallocarray(z->pend_acks, z->cappend_acks,
		    sizeof(*z->pend_acks));
	}
	z->pend_acks[z->npend_acks++] = zxid;
}

static void
zab_learner_recv(struct zab *z, const struct qpacket *p)
{
	int64_t	 epoch, cur;
	uint8_t	 b[4];

	z->leader_quiet = 0;
	switch (p->type) {
	case QP_LEADERINFO:
		if (z->phase != ZAB_DISCOVERY)
			break;
		epoch = ZAB_EPOCH(p->zxid);
		cur = z->st.current_epoch(z->st.arg);
		if (epoch > z->st.accepted_epoch(z->st.arg)) {
			z->st.set_accepted_epoch(z->st.arg, epoch);
		} else if (epoch == z->st.accepted_epoch(z->st.arg)) {
			cur = -1;
		} else {
			zab_give_up(z, "the leader's epoch is below the one "
			    "we accepted");
			return;
		}
		z->epoch = epoch;
		b[0] = (uint8_t)((uint64_t)cur >> 24);
		b[1] = (uint8_t)((uint64_t)cur >> 16);
		b[2] = (uint8_t)((uint64_t)cur >> 8);
		b[3] = (uint8_t)cur;
		zab_send(z, z->leader_cid, QP_ACKEPOCH, z->last_logged, b, 4);
		zab_set_phase(z, ZAB_SYNCHRONIZATION, ZAB_SYNC_NONE);
		return;
	case QP_DIFF:
		z->sync_mode = ZAB_SYNC_DIFF;
		return;
	case QP_TRUNC:
		z->sync_mode = ZAB_SYNC_TRUNC;
		z->st.truncate(z->st.arg, p->zxid);
		z->last_logged = z->st.last_logged(z->st.arg);
		if (z->last_logged != p->zxid) {
			zab_give_up(z, "told to truncate to a zxid we do not "
			    "hold");
			return;
		}
		return;
	case QP_SNAP:
		z->sync_mode = ZAB_SYNC_SNAP;
		if (p->data == NULL || z->st.restore(z->st.arg, p->data,
		    (size_t)p->data_len, p->zxid) == -1) {
			zab_give_up(z, "the leader's snapshot cannot be read");
			return;
		}
		z->last_logged = z->st.last_logged(z->st.arg);
		z->sync_commit = p->zxid;
		return;
	case QP_PROPOSAL:
		if (z->phase < ZAB_SYNCHRONIZATION || z->role ==
		    ZAB_OBSERVER || p->zxid <= z->last_logged) {
			zab_give_up(z, "a proposal out of order");
			return;
		}
		if (z->st.append(z->st.arg, p->zxid, p->data, p->data ==
		    NULL ? 0 : (size_t)p->data_len) == -1) {
			zab_give_up(z, "a proposal that is no txn");
			return;
		}
		z->last_logged = p->zxid;
		/* Before NEWLEADER, its ack covers the sync. */
		if (z->newleader_seen)
			zab_learner_ack(z, p->zxid);
		return;
	case QP_COMMIT:
		if (p->zxid > z->last_logged) {
			zab_give_up(z, "a commit of a proposal we never "
			    "logged");
			return;
		}
		/* Until UPTODATE the new epoch is not established. */
		if (z->phase != ZAB_BROADCAST) {
			if (p->zxid > z->sync_commit)
				z->sync_commit = p->zxid;
			return;
		}
		z->st.commit(z->st.arg, p->zxid);
		return;
	case QP_INFORM:
		if (z->role != ZAB_OBSERVER || p->zxid <= z->last_logged) {
			zab_give_up(z, "an inform out of order");
			return;
		}
		if (z->st.append(z->st.arg, p->zxid, p->data, p->data ==
		    NULL ? 0 : (size_t)p->data_len) == -1) {
			zab_give_up(z, "an inform that is no txn");
			return;
		}
		z->last_logged = p->zxid;
		if (z->phase != ZAB_BROADCAST)
			z->sync_commit = p->zxid;
		else
			z->st.commit(z->st.arg, p->zxid);
		return;
	case QP_NEWLEADER:
		if (z->phase != ZAB_SYNCHRONIZATION ||
		    ZAB_EPOCH(p->zxid) != z->epoch) {
			zab_give_up(z, "NEWLEADER out of place");
			return;
		}
		z->st.set_current_epoch(z->st.arg, z->epoch);
		z->pend_newleader = 1;
		z->newleader_seen = 1;
		return;
	case QP_UPTODATE:
		if (z->phase != ZAB_SYNCHRONIZATION) {
			zab_give_up(z, "UPTODATE out of place");
			return;
		}
		/* The epoch is established: what the sync committed is. */
		if (z->sync_commit > 0)
			z->st.commit(z->st.arg, z->sync_commit);
		zab_set_phase(z, ZAB_BROADCAST, z->sync_mode);
		return;
	case QP_PING:
		/*
		 * Answered in broadcast only: a ZooKeeper leader takes
		 * nothing but the ACK of NEWLEADER before UPTODATE, and its
		 * learners answer no PING before then either.  The data is
		 * the session touches: empty, never null.
		 */
		if (z->phase != ZAB_BROADCAST)
			return;
		{
			struct jute_out	 o;

			jute_out_init(&o);
			if (z->io.ping_data != NULL)
				z->io.ping_data(z->io.arg, &o);
			zab_send(z, z->leader_cid, QP_PING, z->last_logged,
			    o.buf != NULL ? o.buf : (const uint8_t *)"",
			    (int32_t)o.len);
			jute_out_free(&o);
		}
		return;
	case QP_SYNC:
	case QP_REVALIDATE:
		if (z->io.other != NULL)
			z->io.other(z->io.arg, z->leader_cid, p);
		return;
	default:
		break;
	}
	log_debug("zab: the leader sent %s in %s; ignored",
	    qproto_qpacket_name(p->type), zab_phase_name(z->phase));
}

/* ---- both ---- */

void
zab_recv(struct zab *z, int64_t cid, const struct qpacket *p)
{
	struct zab_learner *l;

	if (z->role == ZAB_LEADER) {
		if ((l = zab_by_cid(z, cid)) != NULL)
			zab_leader_recv(z, l, p);
		return;
	}
	if (z->role != ZAB_NONE && cid == z->leader_cid)
		zab_learner_recv(z, p);
}

/* Connection cid is gone. */
void
zab_closed(struct zab *z, int64_t cid)
{
	struct zab_learner *l;
	size_t		 voters, others;

	if (z->role == ZAB_LEADER) {
		if ((l = zab_by_cid(z, cid)) != NULL) {
			l->cid = 0;
			zab_drop_learner(z, l);
			/*
			 * Without a quorum nothing more can commit: step down
			 * now rather than at the next tick (a leader paused
			 * and resumed finds every follower gone at once).
			 */
			zab_count_synced(z, &voters, &others);
			if (z->phase == ZAB_BROADCAST &&
			    !zab_quorum(z, voters + 1))
				zab_give_up(z, "lost the quorum of followers");
		}
		return;
	}
	if (z->role != ZAB_NONE && cid == z->leader_cid) {
		z->leader_cid = 0;
		zab_give_up(z, "connection to the leader lost");
	}
}

/* Our log holds the proposals up to zxid synced: we count for them. */
static void
zab_leader_synced(struct zab *z, int64_t zxid)
{
	if (zxid <= z->self_acked)
		return;
	zab_acked(z, z->sid, z->self_acked + 1, zxid);
	z->self_acked = zxid;
	zab_try_commit(z);
}

/*
 * A learner's log holds synced what it had appended when NEWLEADER
 * (newleader) and the first nacks proposals pending came: their ACKs go,
 * in that order.
 */
static void
zab_learner_synced(struct zab *z, int newleader, size_t nacks)
{
	size_t	 i;

	if (newleader)
		zab_send(z, z->leader_cid, QP_ACK, ZAB_ZXID(z->epoch, 0),
		    NULL, 0);
	/*
	 * One ACK per proposal: a ZooKeeper leader counts each ACK for its
	 * own proposal only (ours would take the last as covering all).
	 */
	if (z->role == ZAB_FOLLOWER)
		for (i = 0; i < nacks; i++)
			zab_send(z, z->leader_cid, QP_ACK, z->pend_acks[i],
			    NULL, 0);
	if (nacks > 0) {
		memmove(z->pend_acks, z->pend_acks + nacks,
		    (z->npend_acks - nacks) * sizeof(*z->pend_acks));
		z->npend_acks -= nacks;
	}
}

/* Starts a sync: 1 if it goes on in the background, 0 if it is done. */
static int
zab_sync(struct zab *z)
{
	if (z->io.push != NULL)
		z->io.push(z->io.arg);
	if (z->st.sync_begin != NULL && z->st.sync_begin(z->st.arg) == 1) {
		z->syncing = 1;
		return 1;
	}
	z->st.sync(z->st.arg);
	return 0;
}

/*
 * The sync zab_flush began has ended: the acks it makes true.  If the
 * role ended meanwhile (zab_stop), there are none.
 */
static void
zab_sync_ended(struct zab *z)
{
	if (z->role == ZAB_LEADER)
		zab_leader_synced(z, z->sync_upto);
	else if (z->role != ZAB_NONE)
		zab_learner_synced(z, z->sync_newleader, z->sync_nacks);
	z->sync_upto = 0;
	z->sync_newleader = 0;
	z->sync_nacks = 0;
}

/*
 * End of a loop turn: one sync for everything appended, then the acks it
 * makes true (our own, as leader; ACKs to the leader, as follower), now
 * or, for a sync in the background, at zab_synced.  While one runs, what
 * was appended since waits for the next.
 */
void
zab_flush(struct zab *z)
{
	if (z->syncing)
		return;
	if (z->role == ZAB_LEADER) {
		if (z->proposed <= z->self_acked)
			return;
		z->sync_upto = z->proposed;
	} else {
		if (z->role == ZAB_NONE || (!z->pend_newleader &&
		    z->npend_acks == 0))
			return;
		z->sync_newleader = z->pend_newleader;
		z->pend_newleader = 0;
		z->sync_nacks = z->npend_acks;
	}
	if (zab_sync(z) == 0)
		zab_sync_ended(z);
}

/*
 * The sync zab_flush left in the background ended.  The next one starts
 * at the end of the loop turn (zab_flush).
 */
void
zab_synced(struct zab *z)
{
	if (!z->syncing)
		fatalx("zab: a sync ended that never began");
	z->syncing = 0;
	zab_sync_ended(z);
}

/* A leader's learners in sync (NEWLEADER acked): voters, and the others. */
void
zab_count_synced(const struct zab *z, size_t *voters, size_t *others)
{
	size_t	 i;

	*voters = *others = 0;
	for (i = 0; i < z->nlearners; i++) {
		if (z->learners[i].state < ZL_SYNCED)
			continue;
		if (z->learners[i].observer)
			(*others)++;
		else
			(*voters)++;
	}
}

/* Every half tick. */
void
zab_tick(struct zab *z)
{
	size_t	 i, n;
	int	 limit;

	if (z->role == ZAB_NONE)
		return;
	z->elapsed++;
	if (z->role != ZAB_LEADER) {
		if (z->phase != ZAB_BROADCAST)
			limit = 2 * z->init_limit;
		else if (2 * z->sync_limit < ZAB_SILENT_HALF_TICKS ||
		    2 * z->tick_ms < ZAB_SILENT_MIN_MS)
			limit = 2 * z->sync_limit;
		else
			limit = ZAB_SILENT_HALF_TICKS;
		if (++z->leader_quiet > limit)
			zab_give_up(z, "the leader is silent");
		return;
	}
	if (z->phase != ZAB_BROADCAST) {
		if (z->elapsed > 2 * z->init_limit)
			zab_give_up(z, "no quorum of learners within "
			    "initLimit");
		return;
	}
	n = 1;
	for (i = 0; i < z->nlearners; ) {
		struct zab_learner *l = &z->learners[i];

		if (++l->quiet > 2 * z->sync_limit) {
			log_debug("zab: learner %lld silent; dropped",
			    (long long)l->sid);
			zab_drop_learner(z, l);
			continue;
		}
		if (l->state >= ZL_SYNCING)
			zab_send(z, l->cid, QP_PING, z->committed, NULL, 0);
		if (l->state >= ZL_SYNCED && !l->observer)
			n++;
		i++;
	}
	if (!zab_quorum(z, n))
		zab_give_up(z, "not enough followers synced");
}
