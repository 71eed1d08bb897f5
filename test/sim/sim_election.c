/* SPDX-License-Identifier: ISC */
/*
 * sim_election.c: Fast Leader Election (src/election.c) driven in one
 * process by test/sim's seeded scheduler.
 *
 * Each simulated server runs the real election core; the network between
 * them delays, drops, duplicates and reorders notifications, partitions
 * the servers, and crashes and restarts them; in some runs every voter
 * prefers one sid for ties, as the launcher's elect makes them.  ZAB is
 * not here: a small stand-in plays its part for the election, as
 * initLimit / syncLimit do in a real server: a follower whose leader is
 * gone or unreachable, or a leader without a quorum of followers, goes
 * back to LOOKING after a while.
 *
 * Checked at every decision: a server that settles on a leader through
 * its own round does so with a quorum of voters behind a vote whose
 * (epoch, zxid) is at least that of each of them, and the leader is a
 * voter.  Checked once the faults stop: the ensemble settles on exactly
 * one leader that every server follows, and stays so.  The seed
 * scenarios (000, 001, 003, 004) are played exactly.
 *
 * Usage: sim_election [-n SEEDS] [-s SEED] [-v].  A failing seed is
 * printed with the command that replays it.
 */

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "election.h"
#include "log.h"
#include "sim.h"
#include "simnet.h"
#include "xmalloc.h"

/* The first failure of a run (see sim_fail). */
#define FAIL(w, ...)	sim_fail(&(w)->verdict, __VA_ARGS__)

#define MAXP	SIMNET_MAX

struct world;

struct peer {
	struct world	*w;
	int		 idx;
	int64_t		 sid;
	int		 voter;
	int		 alive;
	uint64_t	 life;
	int64_t		 zxid;
	int64_t		 epoch;
	struct election	 e;
	int64_t		 lost_since;	/* stand-in for ZAB's limits */
};

struct world {
	struct sim	 sim;
	int		 n;
	int		 nvoters;
	int64_t		 voters[MAXP];
	struct peer	 p[MAXP];
	struct simnet	 net;
	int64_t		 limit;			/* ms before giving up */
	int		 verbose;
	int64_t		 prefer;		/* every voter's, as elect sets */
	struct sim_verdict verdict;
};

static struct peer *
peer_by_sid(struct world *w, int64_t sid)
{
	int	 i = simnet_index(&w->net, sid);

	return i < 0 ? NULL : &w->p[i];
}

static int
vote_ge(int64_t epoch, int64_t zxid, int64_t e2, int64_t z2)
{
	return epoch > e2 || (epoch == e2 && zxid >= z2);
}

static void
io_decided(void *arg, int state, const struct vote *v, const int64_t *acks,
    size_t nacks)
{
	struct peer	*p = arg, *a;
	struct world	*w = p->w;
	size_t		 i;

	p->lost_since = 0;
	if (w->verbose)
		fprintf(stderr, "# %6" PRId64 " ms: server %lld %s, leader "
		    "%lld\n", w->sim.now, (long long)p->sid,
		    election_state_name(state), (long long)v->leader);
	if (!election_is_voter(&p->e, v->leader))
		FAIL(w, "server %lld settled on %lld, not a voter",
		    (long long)p->sid, (long long)v->leader);
	if ((state == PEER_LEADING) != (v->leader == p->sid))
		FAIL(w, "server %lld is %s with leader %lld",
		    (long long)p->sid, election_state_name(state),
		    (long long)v->leader);
	if (!p->voter && state != PEER_OBSERVING)
		FAIL(w, "observer %lld became %s", (long long)p->sid,
		    election_state_name(state));
	if ((size_t)w->nvoters / 2 >= nacks)
		FAIL(w, "server %lld settled with %zu of %d voters",
		    (long long)p->sid, nacks, w->nvoters);
	if (p->e.joined)
		return;
	for (i = 0; i < nacks; i++) {
		if ((a = peer_by_sid(w, acks[i])) == NULL || !a->voter) {
			FAIL(w, "server %lld counted %lld as a voter",
			    (long long)p->sid, (long long)acks[i]);
			continue;
		}
		/*
		 * Only a voter still LOOKING in this round backed the vote
		 * from its own: one that follows an established leader
		 * agrees with whatever that leader's vote was.
		 */
		if (a != p && (a->e.state != PEER_LOOKING ||
		    a->e.clock != v->round))
			continue;
		if (!vote_ge(v->epoch, v->zxid, a->epoch, a->zxid))
			FAIL(w, "server %lld elected %lld (epoch %lld zxid "
			    "0x%llx) over voter %lld's epoch %lld zxid 0x%llx",
			    (long long)p->sid, (long long)v->leader,
			    (long long)v->epoch, (long long)v->zxid,
			    (long long)a->sid, (long long)a->epoch,
			    (long long)a->zxid);
	}
}

static void
world_init(struct world *w, uint64_t seed, int nvoters, int nobservers)
{
	struct peer	*p;
	int		 i;

	memset(w, 0, sizeof(*w));
	sim_init(&w->sim, seed);
	w->n = nvoters + nobservers;
	w->nvoters = nvoters;
	w->net.dmin = 0;
	w->net.dmax = 2;
	w->limit = 2000;
	w->net.sim = &w->sim;
	w->net.n = w->n;
	w->net.verdict = &w->verdict;
	for (i = 0; i < nvoters; i++)
		w->voters[i] = i + 1;
	for (i = 0; i < w->n; i++) {
		p = &w->p[i];
		p->w = w;
		p->idx = i;
		p->sid = i + 1;
		p->voter = i < nvoters;
		simnet_attach(&w->net, i, p->sid, &p->e, &p->alive, &p->life);
	}
}

static void
peer_start(struct peer *p)
{
	struct world		*w = p->w;
	struct election_config	 c;
	struct election_io	 io;
	char			*cause = NULL;

	memset(&c, 0, sizeof(c));
	c.sid = p->sid;
	c.participant = p->voter;
	c.voters = w->voters;
	c.nvoters = (size_t)w->nvoters;
	c.finalize_wait = 200;
	c.min_interval = 200;
	c.max_interval = 60000;
	simnet_io(&w->net, p->idx, &io, io_decided, p);
	p->life++;
	p->alive = 1;
	p->lost_since = 0;
	if (election_init(&p->e, &c, &io, p->zxid, p->epoch, &cause) != 0) {
		FAIL(w, "election_init: %s", cause);
		free(cause);
		return;
	}
	if (w->prefer != 0)
		election_prefer(&p->e, w->prefer);
	election_look(&p->e, p->zxid, p->epoch);
	simnet_flush(&w->net);
}

static void
peer_crash(struct peer *p)
{
	p->alive = 0;
	p->life++;
	simnet_forget(&p->w->net, p->idx);
}

static void
ev_start(void *a, void *b)
{
	(void)b;
	if (!((struct peer *)a)->alive)
		peer_start(a);
}

/*
 * ZAB's part, seen from the election: a follower needs its leader up,
 * LEADING and reachable; a leader needs a quorum of voters following it.
 * Whoever lacks that for w->limit ms looks for a leader again.
 */
static int
peer_connected(struct world *w, struct peer *p)
{
	struct peer	*l, *q;
	int		 i, n = 0;

	if (p->e.state == PEER_LEADING) {
		for (i = 0; i < w->n; i++) {
			q = &w->p[i];
			if (!q->voter || !q->alive)
				continue;
			if (q == p || (q->e.state == PEER_FOLLOWING &&
			    q->e.current.leader == p->sid &&
			    !w->net.cut[i][p->idx] && !w->net.cut[p->idx][i]))
				n++;
		}
		return n > w->nvoters / 2;
	}
	l = peer_by_sid(w, p->e.current.leader);
	return l != NULL && l->alive && l->e.state == PEER_LEADING &&
	    !w->net.cut[p->idx][l->idx] && !w->net.cut[l->idx][p->idx];
}

static void
oracle(struct world *w)
{
	struct peer	*p;
	int		 i;

	for (i = 0; i < w->n; i++) {
		p = &w->p[i];
		if (!p->alive || p->e.state == PEER_LOOKING)
			continue;
		if (peer_connected(w, p)) {
			p->lost_since = 0;
		} else if (p->lost_since == 0) {
			p->lost_since = w->sim.now ? w->sim.now : 1;
		} else if (w->sim.now - p->lost_since >= w->limit) {
			p->lost_since = 0;
			if (w->verbose)
				fprintf(stderr, "# %6" PRId64 " ms: server "
				    "%lld lost its %s, LOOKING\n", w->sim.now,
				    (long long)p->sid, p->e.state ==
				    PEER_LEADING ? "quorum" : "leader");
			election_look(&p->e, p->zxid, p->epoch);
		}
	}
}

/* Runs the world to time t, with the stand-in checking every 50 ms. */
static void
run_to(struct world *w, int64_t t)
{
	int64_t	 next;

	while (w->sim.now < t && !w->verdict.failed) {
		next = w->sim.now + 50;
		if (next > t)
			next = t;
		sim_run_until(&w->sim, next);
		oracle(w);
	}
}

/* One leader, every live server following (or observing) it. */
static int64_t
settled(struct world *w)
{
	struct peer	*p;
	int64_t		 leader = -1;
	int		 i;

	for (i = 0; i < w->n; i++) {
		p = &w->p[i];
		if (p->alive && p->e.state == PEER_LEADING) {
			if (leader != -1)
				return -1;
			leader = p->sid;
		}
	}
	if (leader == -1)
		return -1;
	for (i = 0; i < w->n; i++) {
		p = &w->p[i];
		if (!p->alive || p->sid == leader)
			continue;
		if (p->e.state == PEER_LOOKING ||
		    p->e.current.leader != leader)
			return -1;
	}
	return leader;
}

/* Runs until settled (or until limit); returns the leader or -1. */
static int64_t
run_until_settled(struct world *w, int64_t limit)
{
	int64_t	 end = w->sim.now + limit, l;

	while (w->sim.now < end && !w->verdict.failed) {
		run_to(w, w->sim.now + 50);
		if ((l = settled(w)) != -1)
			return l;
	}
	return -1;
}

static void
world_free(struct world *w)
{
	sim_free(&w->sim);
}

/* Seed 004: 1, 2, 3 started one after another: 2 leads, 1 and 3 follow. */
static void
scenario_three_in_order(int verbose)
{
	struct world	 w;
	int64_t		 l1, l2;

	world_init(&w, 4, 3, 0);
	w.verbose = verbose;
	peer_start(&w.p[0]);
	run_to(&w, 3000);
	l1 = w.p[0].e.state;
	peer_start(&w.p[1]);
	l2 = run_until_settled(&w, 10000);
	peer_start(&w.p[2]);
	run_to(&w, w.sim.now + 3000);
	sim_tap(!w.verdict.failed && l1 == PEER_LOOKING && l2 == 2 &&
	    settled(&w) == 2 &&
	    w.p[2].e.state == PEER_FOLLOWING && w.p[2].e.joined,
	    "servers 1, 2, 3 started in order: 2 leads, 3 joins as follower"
	    "%s%s", w.verdict.failed ? ": " : "", w.verdict.why);
	world_free(&w);
}

/* Seed 003: 1..5 started in order: 3 leads. */
static void
scenario_five_in_order(int verbose)
{
	struct world	 w;
	int		 i;
	int64_t		 l3 = -1;

	world_init(&w, 3, 5, 0);
	w.verbose = verbose;
	for (i = 0; i < 5; i++) {
		peer_start(&w.p[i]);
		if (i == 2)
			l3 = run_until_settled(&w, 10000);
		else
			run_to(&w, w.sim.now + 3000);
	}
	sim_tap(!w.verdict.failed && l3 == 3 && settled(&w) == 3,
	    "servers 1..5 started in order: 3 leads%s%s",
	    w.verdict.failed ? ": " : "", w.verdict.why);
	world_free(&w);
}

/*
 * Seed 003 goes on: leader 3 dies and, all zxids equal, 5 takes over
 * although it looked first, while the others still followed 3 and
 * dropped its vote; then 1, 2 and 4 look and vote for themselves.
 */
static void
scenario_first_looker(int verbose)
{
	struct world	 w;
	int		 i;
	int64_t		 l1, l2, l3;

	world_init(&w, 3, 5, 0);
	w.verbose = verbose;
	for (i = 0; i < 5; i++) {
		w.p[i].epoch = 1;
		w.p[i].zxid = 0x100000038LL;
		peer_start(&w.p[i]);
		run_to(&w, w.sim.now + (i == 2 ? 3000 : 100));
	}
	l1 = settled(&w);
	peer_crash(&w.p[2]);
	election_look(&w.p[4].e, w.p[4].zxid, w.p[4].epoch);
	simnet_flush(&w.net);
	run_to(&w, w.sim.now + 5);
	for (i = 0; i < 4; i++)
		if (i != 2)
			election_look(&w.p[i].e, w.p[i].zxid, w.p[i].epoch);
	simnet_flush(&w.net);
	l2 = run_until_settled(&w, 20000);
	/* The launcher's elect 1: the preferred voter wins the tie. */
	for (i = 0; i < 5; i++)
		if (i != 2)
			election_prefer(&w.p[i].e, 1);
	peer_crash(&w.p[4]);
	for (i = 0; i < 4; i++)
		if (i != 2)
			election_look(&w.p[i].e, w.p[i].zxid, w.p[i].epoch);
	simnet_flush(&w.net);
	l3 = run_until_settled(&w, 20000);
	sim_tap(!w.verdict.failed && l1 == 3 && l2 == 5 && l3 == 1,
	    "leader 3 dies, 5 looks first and 1, 2, 4 drop its vote: with "
	    "equal zxids 5 still leads; 1 preferred leads next (%lld, %lld, "
	    "%lld)%s%s", (long long)l1, (long long)l2, (long long)l3,
	    w.verdict.failed ? ": " : "", w.verdict.why);
	world_free(&w);
}

/*
 * Seed 001: the leader dies; of the survivors, the one with the highest
 * zxid wins even with the lower sid.  Restarted, the old leader (highest
 * zxid of all) joins the new leader instead of taking over.
 */
static void
scenario_highest_zxid(int verbose)
{
	struct world	 w;
	int64_t		 l1, l2, l3;
	int		 i;

	world_init(&w, 1, 3, 0);
	w.verbose = verbose;
	w.p[0].zxid = 0x100000007LL;
	w.p[1].zxid = 0x100000005LL;
	w.p[2].zxid = 0x100000009LL;
	for (i = 0; i < 3; i++) {
		w.p[i].epoch = 1;
		peer_start(&w.p[i]);
	}
	l1 = run_until_settled(&w, 10000);
	peer_crash(&w.p[2]);
	run_to(&w, w.sim.now + 100);
	l2 = run_until_settled(&w, 20000);
	peer_start(&w.p[2]);
	run_to(&w, w.sim.now + 5000);
	l3 = settled(&w);
	sim_tap(!w.verdict.failed && l1 == 3 && l2 == 1 && l3 == 1,
	    "leader 3 dies: server 1 (zxid 0x100000007) beats server 2 "
	    "(0x100000005); 3 restarted follows 1 (%lld, %lld, %lld)%s%s",
	    (long long)l1, (long long)l2, (long long)l3,
	    w.verdict.failed ? ": " : "", w.verdict.why);
	world_free(&w);
}

/* A higher epoch beats a higher zxid. */
static void
scenario_epoch_first(int verbose)
{
	struct world	 w;
	int64_t		 l;
	int		 i;

	world_init(&w, 5, 3, 0);
	w.verbose = verbose;
	w.p[0].epoch = 2;
	w.p[0].zxid = 0x100000003LL;
	w.p[1].epoch = 1;
	w.p[1].zxid = 0x100000009LL;
	w.p[2].epoch = 1;
	w.p[2].zxid = 0x100000008LL;
	for (i = 0; i < 3; i++)
		peer_start(&w.p[i]);
	l = run_until_settled(&w, 10000);
	sim_tap(!w.verdict.failed && l == 1,
	    "the server with the highest epoch wins over higher zxids%s%s",
	    w.verdict.failed ? ": " : "", w.verdict.why);
	world_free(&w);
}

/* Seed 000: four servers survive one failure but not two. */
static void
scenario_four_servers(int verbose)
{
	struct world	 w;
	struct peer	*lp;
	int64_t		 l1, l2;
	int		 i, looking = 0;

	world_init(&w, 0, 4, 0);
	w.verbose = verbose;
	for (i = 0; i < 4; i++)
		peer_start(&w.p[i]);
	l1 = run_until_settled(&w, 10000);
	lp = peer_by_sid(&w, l1 > 0 ? l1 : 4);
	peer_crash(lp);
	l2 = run_until_settled(&w, 20000);
	if (l2 > 0)
		peer_crash(peer_by_sid(&w, l2));
	run_to(&w, w.sim.now + 120000);
	for (i = 0; i < 4; i++)
		if (w.p[i].alive && w.p[i].e.state == PEER_LOOKING)
			looking++;
	sim_tap(!w.verdict.failed && l1 == 4 && l2 == 3 && looking == 2,
	    "4 servers elect again after one failure, not after two%s%s",
	    w.verdict.failed ? ": " : "", w.verdict.why);
	world_free(&w);
}

/* Observers never vote, end OBSERVING, and do not make a quorum. */
static void
scenario_observers(int verbose)
{
	struct world	 w;
	int64_t		 l1;
	int		 i, ok;

	world_init(&w, 7, 3, 2);
	w.verbose = verbose;
	for (i = 0; i < 5; i++)
		peer_start(&w.p[i]);
	l1 = run_until_settled(&w, 20000);
	ok = l1 == 3 && w.p[3].e.state == PEER_OBSERVING &&
	    w.p[4].e.state == PEER_OBSERVING &&
	    w.p[3].e.current.leader == 3;
	/* Two voters down: one voter and two observers are no quorum. */
	peer_crash(&w.p[2]);
	peer_crash(&w.p[1]);
	run_to(&w, w.sim.now + 60000);
	ok = ok && w.p[0].e.state == PEER_LOOKING;
	sim_tap(!w.verdict.failed && ok,
	    "observers end OBSERVING and make no quorum%s%s",
	    w.verdict.failed ? ": " : "", w.verdict.why);
	world_free(&w);
}

/* The vote order and vote equality, as ZooKeeper defines them. */
static void
scenario_order(void)
{
	struct world	 w;
	struct vote	 a, b;
	int		 ok = 1;

	world_init(&w, 9, 3, 1);
	peer_start(&w.p[0]);
	ok &= election_vote_beats(&w.p[0].e, 1, 1, 2, 3, 9, 1);
	ok &= !election_vote_beats(&w.p[0].e, 3, 9, 1, 1, 1, 2);
	ok &= election_vote_beats(&w.p[0].e, 1, 9, 1, 3, 8, 1);
	ok &= election_vote_beats(&w.p[0].e, 3, 9, 1, 2, 9, 1);
	ok &= !election_vote_beats(&w.p[0].e, 2, 9, 1, 2, 9, 1);
	ok &= !election_vote_beats(&w.p[0].e, 4, 99, 9, 1, 0, 0);
	memset(&a, 0, sizeof(a));
	a.leader = 2;
	a.zxid = 5;
	a.round = 3;
	a.epoch = 1;
	b = a;
	ok &= election_vote_equal(&a, &b);
	b.round = 4;
	ok &= !election_vote_equal(&a, &b);
	a.state = b.state = PEER_FOLLOWING;
	a.version = b.version = 2;
	b.zxid = 7;
	ok &= election_vote_equal(&a, &b);
	b.epoch = 2;
	ok &= !election_vote_equal(&a, &b);
	b.version = 0;
	ok &= election_vote_equal(&a, &b);
	sim_tap(ok && !w.verdict.failed, "vote order: epoch, then zxid, then "
	    "sid; observers never win; equality as Vote.equals");
	world_free(&w);
}

/*
 * One random run: 3 to 7 voters, up to 2 observers, random logs, random
 * start times, then a period of faults (drops, duplicates, delays,
 * partitions, crashes, restarts), then a healed network in which the
 * ensemble must settle and stay settled.
 */
static int
random_run(uint64_t seed, int verbose, char *why, size_t whylen)
{
	struct world	 w;
	struct sim	*s;
	int		 nv, no, i, j, ok = 1;
	int64_t		 t, end_faults, l, l2;

	sim_init(&w.sim, seed);
	nv = (int)sim_range(&w.sim, 3, 7);
	no = (int)sim_range(&w.sim, 0, 2);
	sim_free(&w.sim);
	world_init(&w, seed * 0x9e3779b97f4a7c15ULL + 1, nv, no);
	s = &w.sim;
	w.verbose = verbose;
	w.net.dmin = (int)sim_range(s, 0, 5);
	w.net.dmax = w.net.dmin + (int)sim_range(s, 0, 300);
	if (sim_chance(s, 0.3))
		w.prefer = sim_range(s, 1, nv);
	for (i = 0; i < w.n; i++) {
		w.p[i].epoch = sim_range(s, 0, 3);
		w.p[i].zxid = (w.p[i].epoch << 32) | sim_range(s, 0, 4);
		if (sim_chance(s, 0.2) && w.p[i].epoch > 0)
			w.p[i].zxid = ((w.p[i].epoch - 1) << 32) |
			    sim_range(s, 0, 4);
		sim_at(s, sim_range(s, 0, 3000), ev_start, &w.p[i], NULL);
	}
	end_faults = sim_range(s, 2000, 30000);
	t = 0;
	while (t < end_faults && !w.verdict.failed) {
		t += sim_range(s, 10, 2000);
		run_to(&w, t);
		switch (sim_range(s, 0, 5)) {
		case 0:
			i = (int)sim_range(s, 0, w.n - 1);
			if (w.p[i].alive) {
				peer_crash(&w.p[i]);
				sim_at(s, t + sim_range(s, 50, 5000),
				    ev_start, &w.p[i], NULL);
			}
			break;
		case 1:
			simnet_partition(&w.net, sim_rand(s));
			break;
		case 2:
			memset(w.net.cut, 0, sizeof(w.net.cut));
			simnet_flush(&w.net);
			break;
		case 3:
			w.net.drop = sim_chance(s, 0.5) ? 0 :
			    (double)sim_range(s, 0, 50) / 100.0;
			w.net.dup = (double)sim_range(s, 0, 30) / 100.0;
			break;
		case 4:
			/* One-way link failures. */
			i = (int)sim_range(s, 0, w.n - 1);
			j = (int)sim_range(s, 0, w.n - 1);
			w.net.cut[i][j] = !w.net.cut[i][j];
			simnet_flush(&w.net);
			break;
		default:
			w.net.dmax = w.net.dmin + (int)sim_range(s, 0, 1000);
			break;
		}
	}
	/* Heal: no more faults, everyone up. */
	simnet_heal(&w.net);
	for (i = 0; i < w.n; i++)
		if (!w.p[i].alive)
			peer_start(&w.p[i]);
	l = run_until_settled(&w, 200000);
	if (!w.verdict.failed && l == -1)
		FAIL(&w, "no single leader 200 s after the faults stopped");
	if (!w.verdict.failed) {
		run_to(&w, w.sim.now + 10000);
		l2 = settled(&w);
		if (l2 != l)
			FAIL(&w, "settled on %lld, then %lld", (long long)l,
			    (long long)l2);
	}
	if (w.verdict.failed) {
		ok = 0;
		snprintf(why, whylen, "%d voters, %d observers: %s", nv, no,
		    w.verdict.why);
	}
	world_free(&w);
	return ok;
}

static int
run_one(uint64_t seed, int verbose, char *why, size_t len, void *arg)
{
	(void)arg;
	return random_run(seed, verbose, why, len);
}

int
main(int argc, char *argv[])
{
	struct sim_args	 a;
	uint64_t	 bad;
	char		 why[600];

	sim_args(argc, argv, "sim_election", 5000, &a);
	if (a.one)
		return sim_seeds(&a, run_one, NULL, why, sizeof(why)) != 0;
	printf("1..9\n");
	scenario_order();
	scenario_three_in_order(a.verbose);
	scenario_five_in_order(a.verbose);
	scenario_first_looker(a.verbose);
	scenario_highest_zxid(a.verbose);
	scenario_epoch_first(a.verbose);
	scenario_four_servers(a.verbose);
	scenario_observers(a.verbose);
	bad = sim_seeds(&a, run_one, NULL, why, sizeof(why));
	sim_tap(bad == 0, "%" PRIu64 " random runs with drops, duplicates, "
	    "delays, partitions, crashes settle on one leader", a.seeds);
	return sim_tap_failures() != 0;
}
