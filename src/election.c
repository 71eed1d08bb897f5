/* SPDX-License-Identifier: ISC */
/*
 * election.c: Fast Leader Election as ZooKeeper 3.8 runs it, as an event
 * driven state machine.
 *
 * Every server keeps a logical clock (the election round) and, while
 * LOOKING, a proposal: the vote it currently backs, a triple (peerEpoch,
 * zxid, sid) ordered in that order of significance.  A server starts a
 * round by backing itself (its currentEpoch and last logged zxid) and
 * telling every voter.  On a LOOKING notification:
 *
 *   - from a later round: jump to that round, forget the votes counted so
 *     far, back the better of the sender's vote and our own, tell everyone;
 *   - from an earlier round: ignore it (and send our vote back, so the
 *     sender catches up);
 *   - from our round: if its vote beats our proposal, back it and tell
 *     everyone; if ours beats it, send ours back to the sender alone.
 *
 * Then the sender's vote is recorded.  When a quorum of voters (ourselves
 * included) back exactly our proposal, we wait finalize_wait more: a
 * better vote arriving in that window reopens the round; anything else is
 * dropped, and silence decides.  We then lead if the proposal is us, else
 * follow (or observe); the wait is skipped when it cannot bring a better
 * vote (see below).  This is ZooKeeper's lookForLeader loop, with its
 * blocking polls turned into the one timer: the notification timeout
 * (doubling from min_interval to max_interval, restarted by every
 * notification, resending our vote when it fires) or, while finalizing,
 * the finalize wait.
 *
 * That last answer is ours, not ZooKeeper's.  Followers of a dead leader
 * do not all notice at once: the first to look tells the others while
 * they still follow, and a following server drops a vote after answering
 * it.  In ZooKeeper the best voter then stays silent (every worse vote it
 * receives restarts its timeout) while the others settle among themselves
 * within finalizeWait: with equal zxids the highest sid then loses, a
 * few times in twenty under load.  Answering a worse vote of our round
 * puts the best vote back in front of whoever missed it; it ends, since
 * the sender takes the better vote and then has nothing worse to send.
 *
 * Also ours: no finalize wait when nothing better can come.  A vote
 * only grows from its sender's own (epoch, zxid, sid), so once every
 * voter backs our proposal no better vote exists in the round, and
 * every voter that decides decides the same; a voter whose connection
 * with us broke (its process ended) sends nothing within the wait
 * either.  So when a quorum backs the proposal and every other voter is
 * gone, the outcome of the wait is known and we decide at once.  Safety
 * never rested on the wait (a quorum backing the winner is what counts);
 * it only gives a better vote its chance to arrive.  This takes the
 * 200 ms out of a cold start and out of the failover after a leader's
 * death.  A voter never reached counts as present: deciding without a
 * server that is still starting could leave the others following a
 * server that itself went on to back the late one.  A leader that hangs
 * keeps its connections, so its followers still wait.
 *
 * Also ours: a preferred voter (election_prefer) that wins ties of
 * (epoch, zxid) in place of the highest sid, which is how the launcher
 * hands leadership to a server of its choice.
 *
 * A server that is no longer LOOKING answers every LOOKING notification
 * with the vote it left its round with and its state (FOLLOWING, LEADING).
 * A LOOKING server collects those answers apart from the round's votes,
 * and joins the established leader when a quorum of voters report the
 * same leader and epoch and the leader itself reports LEADING: this is
 * how a restarted server finds an ensemble that is already up.
 *
 * Observers never vote: they send to the voters, voters answer them with
 * their current vote without counting it, and an observer decides only
 * from FOLLOWING / LEADING answers.  (ZooKeeper's observer can also settle
 * on the stale vote LOOKING voters answer with, follow a leader that is
 * not there, and start again; waiting for an established leader avoids
 * that detour.)
 *
 * What the core guarantees, and test/sim checks: a server decides for L
 * in the LOOKING path only when a quorum of voters back L's (epoch, zxid,
 * sid) in its round, and every voter's proposal starts at its own vote
 * and only grows, so the winner's (epoch, zxid) is at least that of every
 * server of that quorum.  Uniqueness of the leader of an epoch is not the
 * election's job: ZAB's discovery phase fences epochs.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "election.h"
#include "jute.h"
#include "log.h"
#include "qproto.h"
#include "xmalloc.h"

static int	 election_index(const struct election *, int64_t);
static void	 election_propose(struct election *, int64_t, int64_t,
		    int64_t);
static void	 election_notify_all(struct election *);
static void	 election_arm(struct election *, int);
static void	 election_looking(struct election *, int64_t,
		    const struct vote *);
static void	 election_established(struct election *, int64_t,
		    const struct vote *);
static size_t	 election_tally(const struct election *, const struct vote *,
		    const struct vote *, const uint8_t *, int64_t *);
static int	 election_has_quorum(const struct election *, size_t);
static void	 election_mine(const struct election *, struct vote *);
static int	 election_settled(const struct election *, const int64_t *,
		    size_t);
static void	 election_try_settle(struct election *);
static int	 election_finalize_backer(struct election *, int64_t,
		    const struct vote *);
static int	 election_check_leader(const struct election *,
		    const struct vote *, const uint8_t *, int64_t, int64_t);
static void	 election_decide(struct election *, int64_t,
		    const struct vote *, const int64_t *, size_t);
static int	 election_vote_sid_cmp(const void *, const void *);

static const char *election_state_names[] = {
	"LOOKING", "FOLLOWING", "LEADING", "OBSERVING"
};

const char *
election_state_name(int state)
{
	if (state < 0 || state > PEER_OBSERVING)
		return "UNKNOWN";
	return election_state_names[state];
}

static int
election_vote_sid_cmp(const void *a, const void *b)
{
	int64_t	 x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Sets up an election for a server whose last logged zxid and current epoch
 * are given.  The server is LOOKING but has sent nothing: election_look
 * starts the first round.
 */
int
election_init(struct election *e, const struct election_config *c,
    const struct election_io *io, int64_t zxid, int64_t epoch, char **cause)
{
	size_t	 i;

	memset(e, 0, sizeof(*e));
	if (c->nvoters == 0 || c->nvoters > ELECTION_MAX_PEERS) {
		xasprintf(cause, "an ensemble needs 1 to %d voters, not %zu",
		    ELECTION_MAX_PEERS, c->nvoters);
		return -1;
	}
	e->sid = c->sid;
	e->participant = c->participant;
	memcpy(e->voters, c->voters, c->nvoters * sizeof(*e->voters));
	e->nvoters = c->nvoters;
	qsort(e->voters, e->nvoters, sizeof(*e->voters),
	    election_vote_sid_cmp);
	for (i = 1; i < e->nvoters; i++) {
		if (e->voters[i] == e->voters[i - 1]) {
			xasprintf(cause, "server %lld is listed twice",
			    (long long)e->voters[i]);
			return -1;
		}
	}
	if (e->participant != (election_index(e, e->sid) >= 0)) {
		xasprintf(cause, "server %lld is %s the voters but %s",
		    (long long)e->sid, e->participant ? "not among" :
		    "among", e->participant ? "a participant" : "an observer");
		return -1;
	}
	e->finalize_wait = c->finalize_wait > 0 ? c->finalize_wait : 200;
	e->min_interval = c->min_interval > 0 ? c->min_interval : 200;
	e->max_interval = c->max_interval >= e->min_interval ?
	    c->max_interval : e->min_interval;
	e->io = *io;
	e->state = PEER_LOOKING;
	/* ZooKeeper's startLeaderElection: our own vote, no round yet. */
	e->current.leader = e->sid;
	e->current.zxid = zxid;
	e->current.round = -1;
	e->current.epoch = epoch;
	e->current.state = PEER_LOOKING;
	e->current.version = ELECTION_NOTIF_VERSION;
	return 0;
}

int
election_is_voter(const struct election *e, int64_t sid)
{
	return election_index(e, sid) >= 0;
}

static int
election_index(const struct election *e, int64_t sid)
{
	size_t	 lo = 0, hi = e->nvoters, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (e->voters[mid] == sid)
			return (int)mid;
		if (e->voters[mid] < sid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/*
 * ZooKeeper's totalOrderPredicate: does the vote (id, zxid, epoch) beat
 * (cur_id, cur_zxid, cur_epoch)?  A server that is not a voter never wins.
 */
int
election_vote_beats(const struct election *e, int64_t id, int64_t zxid,
    int64_t epoch, int64_t cur_id, int64_t cur_zxid, int64_t cur_epoch)
{
	if (election_index(e, id) < 0)
		return 0;
	if (epoch != cur_epoch)
		return epoch > cur_epoch;
	if (zxid != cur_zxid)
		return zxid > cur_zxid;
	if (e->preferred != 0 && (id == e->preferred) !=
	    (cur_id == e->preferred))
		return id == e->preferred;
	return id > cur_id;
}

/*
 * From now on the voter sid wins ties of (epoch, zxid) (0: the highest
 * sid does again, as in ZooKeeper).  The launcher's elect sets it on
 * every voter before it takes the leader away, so that a caught-up sid
 * is chosen; it orders nothing else, so the winner still has the best
 * (epoch, zxid) of its quorum.  Returns 0, or -1 if sid is no voter.
 */
int
election_prefer(struct election *e, int64_t sid)
{
	if (sid != 0 && election_index(e, sid) < 0)
		return -1;
	e->preferred = sid;
	return 0;
}

/*
 * ZooKeeper's Vote.equals: LOOKING votes agree when leader, zxid, round
 * and epoch do; settled ones when leader and epoch do (only the leader if
 * one of them comes from a server too old to send versions).
 */
int
election_vote_equal(const struct vote *a, const struct vote *b)
{
	if (a->state == PEER_LOOKING || b->state == PEER_LOOKING)
		return a->leader == b->leader && a->zxid == b->zxid &&
		    a->round == b->round && a->epoch == b->epoch;
	if ((a->version > 0) != (b->version > 0))
		return a->leader == b->leader;
	return a->leader == b->leader && a->epoch == b->epoch;
}

/*
 * Starts a new round (the server lost or never had a leader): back
 * ourselves with our last logged zxid and current epoch, tell the voters.
 */
void
election_look(struct election *e, int64_t zxid, int64_t epoch)
{
	e->state = PEER_LOOKING;
	e->clock++;
	e->rounds++;
	memset(e->in_recvset, 0, sizeof(e->in_recvset));
	memset(e->in_outset, 0, sizeof(e->in_outset));
	e->finalizing = 0;
	e->interval = e->min_interval;
	if (e->participant) {
		e->init_zxid = zxid;
		e->init_epoch = epoch;
		e->proposal.leader = e->sid;
	} else {
		e->init_zxid = INT64_MIN;
		e->init_epoch = INT64_MIN;
		e->proposal.leader = INT64_MIN;
	}
	e->proposal.zxid = e->init_zxid;
	e->proposal.epoch = e->init_epoch;
	log_debug("election: round 0x%llx, voting for %lld (zxid 0x%llx, "
	    "epoch %lld)", (long long)e->clock, (long long)e->proposal.leader,
	    (long long)e->proposal.zxid, (long long)e->proposal.epoch);
	election_notify_all(e);
	election_arm(e, e->interval);
	/* A single voter is its own quorum. */
	election_looking(e, -1, NULL);
}

static void
election_propose(struct election *e, int64_t leader, int64_t zxid,
    int64_t epoch)
{
	e->proposal.leader = leader;
	e->proposal.zxid = zxid;
	e->proposal.epoch = epoch;
}

/*
 * Sends our proposal to every other voter and, as ZooKeeper's loopback
 * notification does, records it as our own vote of the round.
 */
static void
election_notify_all(struct election *e)
{
	struct vote	 v;
	size_t		 i;
	int		 self;

	v = e->proposal;
	v.round = e->clock;
	v.state = PEER_LOOKING;
	v.version = ELECTION_NOTIF_VERSION;
	for (i = 0; i < e->nvoters; i++) {
		if (e->voters[i] != e->sid)
			e->io.send(e->io.arg, e->voters[i], &v);
	}
	if ((self = election_index(e, e->sid)) >= 0) {
		e->recvset[self] = v;
		e->recvset[self].version = 0;
		e->in_recvset[self] = 1;
	}
}

static void
election_arm(struct election *e, int ms)
{
	e->io.timer(e->io.arg, ms);
}

/*
 * A notification from peer from.  First what ZooKeeper's WorkerReceiver
 * does whatever our state, then, while LOOKING, one turn of lookForLeader.
 */
void
election_recv(struct election *e, int64_t from, const struct vote *n)
{
	struct vote	 reply;

	if (from == e->sid || n->state < PEER_LOOKING ||
	    n->state > PEER_OBSERVING)
		return;
	e->received++;
	log_debug("election: from %lld: %s, leader %lld, zxid 0x%llx, round "
	    "0x%llx, epoch %lld", (long long)from,
	    election_state_name(n->state), (long long)n->leader,
	    (long long)n->zxid, (long long)n->round, (long long)n->epoch);
	if (election_index(e, from) < 0) {
		/*
		 * A non-voter asks: tell it what we know, count nothing.
		 * Only a LOOKING one, so that two servers that are both past
		 * their rounds cannot keep answering each other.
		 */
		if (n->state != PEER_LOOKING)
			return;
		reply = e->current;
		reply.round = e->clock;
		reply.state = e->state;
		reply.version = ELECTION_NOTIF_VERSION;
		e->io.send(e->io.arg, from, &reply);
		return;
	}
	if (e->state != PEER_LOOKING) {
		if (n->state == PEER_LOOKING) {
			reply = e->current;
			reply.state = e->state;
			reply.version = ELECTION_NOTIF_VERSION;
			e->io.send(e->io.arg, from, &reply);
		}
		return;
	}
	if (n->state == PEER_LOOKING && n->round < e->clock &&
	    e->participant) {
		/*
		 * The sender lags: send it our round and proposal.  Not from
		 * an observer: voters answer it whatever it sends, and the
		 * two would go on answering each other.
		 */
		reply = e->proposal;
		reply.round = e->clock;
		reply.state = PEER_LOOKING;
		reply.version = ELECTION_NOTIF_VERSION;
		e->io.send(e->io.arg, from, &reply);
	} else if (n->state == PEER_LOOKING && n->round == e->clock &&
	    e->participant && e->init_zxid != -1 && n->zxid != -1 &&
	    e->answered[election_index(e, from)] != e->clock &&
	    election_vote_beats(e, e->proposal.leader, e->proposal.zxid,
	    e->proposal.epoch, n->leader, n->zxid, n->epoch)) {
		/*
		 * The sender backs a worse vote in our round: it may not
		 * have heard ours (we told it while it still followed
		 * someone, and it dropped that).  Tell it again, to it
		 * alone, once a round: two servers that order votes
		 * differently (ZooKeeper's and ours, see election_prefer)
		 * must not answer each other for ever.
		 */
		e->answered[election_index(e, from)] = e->clock;
		reply = e->proposal;
		reply.round = e->clock;
		reply.state = PEER_LOOKING;
		reply.version = ELECTION_NOTIF_VERSION;
		e->io.send(e->io.arg, from, &reply);
	}
	if (election_index(e, n->leader) < 0)
		return;
	if (e->finalizing) {
		/*
		 * Only a better vote reopens the round; the rest is dropped,
		 * but a backer of our proposal is counted: it may be the last
		 * one the wait was for.
		 */
		if (!election_vote_beats(e, n->leader, n->zxid, n->epoch,
		    e->proposal.leader, e->proposal.zxid, e->proposal.epoch)) {
			if (election_finalize_backer(e, from, n))
				return;
			election_arm(e, e->finalize_wait);
			return;
		}
		e->finalizing = 0;
	}
	switch (n->state) {
	case PEER_LOOKING:
		election_looking(e, from, n);
		break;
	case PEER_FOLLOWING:
	case PEER_LEADING:
		election_established(e, from, n);
		break;
	default:
		break;
	}
	if (e->state == PEER_LOOKING && !e->finalizing)
		election_arm(e, e->interval);
}

/*
 * A LOOKING vote (from may be -1: only re-count after our own vote
 * changed).  Observers take no part in rounds.
 */
static void
election_looking(struct election *e, int64_t from, const struct vote *n)
{
	struct vote	 mine;
	int64_t		 acks[ELECTION_MAX_PEERS];
	size_t		 nacks;
	int		 idx;

	if (!e->participant)
		return;
	if (n != NULL) {
		/* Unknown zxids (-1) do not take part, as in ZooKeeper. */
		if (e->init_zxid == -1 || n->zxid == -1)
			return;
		if (n->round > e->clock) {
			e->clock = n->round;
			memset(e->in_recvset, 0, sizeof(e->in_recvset));
			if (election_vote_beats(e, n->leader, n->zxid, n->epoch,
			    e->sid, e->init_zxid, e->init_epoch))
				election_propose(e, n->leader, n->zxid,
				    n->epoch);
			else
				election_propose(e, e->sid, e->init_zxid,
				    e->init_epoch);
			election_notify_all(e);
		} else if (n->round < e->clock) {
			return;
		} else if (election_vote_beats(e, n->leader, n->zxid,
		    n->epoch, e->proposal.leader, e->proposal.zxid,
		    e->proposal.epoch)) {
			election_propose(e, n->leader, n->zxid, n->epoch);
			election_notify_all(e);
		}
		idx = election_index(e, from);
		e->recvset[idx] = *n;
		e->recvset[idx].state = PEER_LOOKING;
		e->recvset[idx].version = 0;
		e->in_recvset[idx] = 1;
	}
	election_mine(e, &mine);
	nacks = election_tally(e, &mine, e->recvset, e->in_recvset, acks);
	if (!election_has_quorum(e, nacks))
		return;
	if (n != NULL && election_settled(e, acks, nacks)) {
		election_decide(e, e->proposal.leader, &mine, acks, nacks);
		return;
	}
	e->finalizing = 1;
	election_arm(e, e->finalize_wait);
}

/*
 * A FOLLOWING or LEADING answer: a leader may already be established.
 * Count it with this round's votes if it is of our round, and apart from
 * them in any case; join the leader once a quorum agrees on it and the
 * leader itself says it leads.
 */
static void
election_established(struct election *e, int64_t from,
    const struct vote *n)
{
	struct vote	 target;
	int64_t		 acks[ELECTION_MAX_PEERS];
	size_t		 nacks;
	int		 idx = election_index(e, from);

	target = *n;
	if (n->round == e->clock && e->participant) {
		e->recvset[idx] = *n;
		e->recvset[idx].version = 0;
		e->in_recvset[idx] = 1;
		nacks = election_tally(e, &target, e->recvset,
		    e->in_recvset, acks);
		if (election_has_quorum(e, nacks) &&
		    election_check_leader(e, e->recvset, e->in_recvset,
		    n->leader, n->round)) {
			election_decide(e, n->leader, n, acks, nacks);
			return;
		}
	}
	e->outset[idx] = *n;
	e->in_outset[idx] = 1;
	nacks = election_tally(e, &target, e->outset, e->in_outset, acks);
	if (election_has_quorum(e, nacks) &&
	    election_check_leader(e, e->outset, e->in_outset, n->leader,
	    n->round)) {
		e->clock = n->round;
		election_decide(e, n->leader, n, acks, nacks);
	}
}

/* Lists the voters whose recorded vote equals v; returns how many. */
static size_t
election_tally(const struct election *e, const struct vote *v,
    const struct vote *set, const uint8_t *in, int64_t *acks)
{
	size_t	 i, n = 0;

	for (i = 0; i < e->nvoters; i++) {
		if (in[i] && election_vote_equal(v, &set[i]))
			acks[n++] = e->voters[i];
	}
	return n;
}

static int
election_has_quorum(const struct election *e, size_t n)
{
	return n > e->nvoters / 2;
}

/* Our proposal as a LOOKING vote of the current round. */
static void
election_mine(const struct election *e, struct vote *mine)
{
	*mine = e->proposal;
	mine->round = e->clock;
	mine->state = PEER_LOOKING;
	mine->version = 0;
}

/*
 * Every voter outside acks (the sorted backers of our proposal) cannot be
 * reached: the finalize wait could bring nothing.
 */
static int
election_settled(const struct election *e, const int64_t *acks,
    size_t nacks)
{
	size_t	 i, j = 0;

	for (i = 0; i < e->nvoters; i++) {
		if (j < nacks && acks[j] == e->voters[i]) {
			j++;
			continue;
		}
		if (e->voters[i] == e->sid || e->io.reachable == NULL ||
		    e->io.reachable(e->io.arg, e->voters[i]))
			return 0;
	}
	return 1;
}

/*
 * ZooKeeper's checkLeader: another server is leader only if it told us so
 * itself; we are leader only of our own round.
 */
static int
election_check_leader(const struct election *e, const struct vote *set,
    const uint8_t *in, int64_t leader, int64_t round)
{
	int	 idx;

	if (leader != e->sid) {
		if ((idx = election_index(e, leader)) < 0 || !in[idx])
			return 0;
		return set[idx].state == PEER_LEADING;
	}
	return e->clock == round;
}

/*
 * While finalizing: a LOOKING vote of our round from a voter, equal to our
 * proposal, is recorded; returns 1 if that settled the election (decided).
 */
static int
election_finalize_backer(struct election *e, int64_t from,
    const struct vote *n)
{
	struct vote	 mine;
	int		 idx;

	if (n->state != PEER_LOOKING || n->round != e->clock ||
	    (idx = election_index(e, from)) < 0)
		return 0;
	election_mine(e, &mine);
	if (!election_vote_equal(&mine, n))
		return 0;
	e->recvset[idx] = *n;
	e->recvset[idx].version = 0;
	e->in_recvset[idx] = 1;
	election_try_settle(e);
	return e->state != PEER_LOOKING;
}

/*
 * A voter became unreachable (see election_io.reachable): if the finalize
 * wait was only waiting for it, decide now.
 */
void
election_unreachable(struct election *e)
{
	election_try_settle(e);
}

/* While finalizing: decide now if the wait could bring nothing. */
static void
election_try_settle(struct election *e)
{
	struct vote	 mine;
	int64_t		 acks[ELECTION_MAX_PEERS];
	size_t		 nacks;

	if (e->state != PEER_LOOKING || !e->finalizing)
		return;
	election_mine(e, &mine);
	nacks = election_tally(e, &mine, e->recvset, e->in_recvset, acks);
	if (election_has_quorum(e, nacks) && election_settled(e, acks, nacks))
		election_decide(e, e->proposal.leader, &mine, acks, nacks);
}

/* The finalize wait passed in silence, or the notification timeout fired. */
void
election_timeout(struct election *e)
{
	struct vote	 mine;
	int64_t		 acks[ELECTION_MAX_PEERS];
	size_t		 nacks;

	if (e->state != PEER_LOOKING)
		return;
	if (e->finalizing) {
		election_mine(e, &mine);
		nacks = election_tally(e, &mine, e->recvset, e->in_recvset,
		    acks);
		election_decide(e, e->proposal.leader, &mine, acks, nacks);
		return;
	}
	election_notify_all(e);
	if (e->interval < e->max_interval / 2)
		e->interval *= 2;
	else
		e->interval = e->max_interval;
	election_arm(e, e->interval);
}

static void
election_decide(struct election *e, int64_t leader, const struct vote *v,
    const int64_t *acks, size_t nacks)
{
	struct vote	 end;

	if (leader == e->sid)
		e->state = PEER_LEADING;
	else
		e->state = e->participant ? PEER_FOLLOWING : PEER_OBSERVING;
	e->finalizing = 0;
	e->joined = v->state != PEER_LOOKING;
	end.leader = leader;
	end.zxid = v->zxid;
	end.round = v->round;
	end.epoch = v->epoch;
	end.state = e->state;
	end.version = ELECTION_NOTIF_VERSION;
	e->current = end;
	election_arm(e, 0);
	log_debug("election: round 0x%llx decided: %s, leader %lld",
	    (long long)e->clock, election_state_name(e->state),
	    (long long)leader);
	e->io.decided(e->io.arg, e->state, &end, acks, nacks);
}

/*
 * The role the election gave us is established (ZAB broadcast in epoch
 * epoch under leader): answer LOOKING servers with that, so every member
 * of an ensemble tells the same (leader, epoch) whichever way and in
 * whichever round it joined.  Without it, a member that joined through an
 * older vote answers with an older epoch, and a newcomer may never see a
 * quorum agree (ZooKeeper answers with the vote each member elected).
 */
void
election_settle(struct election *e, int64_t leader, int64_t epoch,
    int64_t zxid)
{
	if (e->state == PEER_LOOKING)
		return;
	e->current.leader = leader;
	e->current.epoch = epoch;
	e->current.zxid = zxid;
	e->current.round = e->clock;
	e->current.version = ELECTION_NOTIF_VERSION;
}

/* A vote as a 3.8 notification (qproto.h) with config text config. */
void
election_put_vote(struct jute_out *o, const struct vote *v,
    const char *config)
{
	struct qproto_notif	 n;

	memset(&n, 0, sizeof(n));
	n.state = v->state;
	n.leader = v->leader;
	n.zxid = v->zxid;
	n.round = v->round;
	n.epoch = v->epoch;
	n.version = ELECTION_NOTIF_VERSION;
	n.config = (const uint8_t *)config;
	n.config_len = (int32_t)strlen(config);
	qproto_put_notif(o, &n);
}

/* A notification's vote; -1 if it is not one. */
int
election_get_vote(const uint8_t *buf, size_t len, struct vote *v)
{
	struct qproto_notif	 n;

	if (qproto_get_notif(buf, len, &n) == -1)
		return -1;
	v->leader = n.leader;
	v->zxid = n.zxid;
	v->round = n.round;
	v->epoch = n.epoch;
	v->state = n.state;
	v->version = n.version;
	return 0;
}
