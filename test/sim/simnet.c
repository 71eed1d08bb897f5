/* SPDX-License-Identifier: ISC */
/*
 * simnet.c: the simulations' election network (see simnet.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "simnet.h"
#include "xmalloc.h"

struct simnet_msg {
	struct simnet	*net;
	int		 from, to;
	uint64_t	 life;		/* the receiver's, when sent */
	struct vote	 v;
};

struct simnet_tmr {
	struct simnet	*net;
	int		 idx;
	uint64_t	 gen, life;
};

static int
simnet_up(struct simnet *net, int i, uint64_t *life)
{
	*life = *net->node[i].life;
	return *net->node[i].alive;
}

/* Server idx is sid, runs election core e; up and life are its. */
void
simnet_attach(struct simnet *net, int idx, int64_t sid, struct election *e,
    const int *alive, const uint64_t *life)
{
	struct simnet_node *n = &net->node[idx];

	n->net = net;
	n->idx = idx;
	n->sid = sid;
	n->e = e;
	n->alive = alive;
	n->life = life;
}

int
simnet_index(struct simnet *net, int64_t sid)
{
	int	 i;

	for (i = 0; i < net->n; i++)
		if (net->node[i].sid == sid)
			return i;
	return -1;
}

static void
simnet_deliver(void *a, void *b)
{
	struct simnet_msg *m = a;
	struct simnet	*net = m->net;
	uint64_t	 life;

	(void)b;
	if (simnet_up(net, m->to, &life) && life == m->life &&
	    !net->cut[m->from][m->to]) {
		net->gone[m->to][m->from] = 0;
		election_recv(net->node[m->to].e, net->node[m->from].sid,
		    &m->v);
	}
}

/* Server from sends v to the server with sid to. */
static void
simnet_send(struct simnet *net, int from, int64_t to_sid,
    const struct vote *v)
{
	struct simnet_msg *m;
	uint64_t	 life;
	int		 to, copies = 1, i;

	if ((to = simnet_index(net, to_sid)) == -1 || to == from) {
		sim_fail(net->verdict, "server %lld sent to server %lld",
		    (long long)net->node[from].sid, (long long)to_sid);
		return;
	}
	if (!simnet_up(net, to, &life) || net->cut[from][to]) {
		net->pend[from][to] = *v;
		net->has_pend[from][to] = 1;
		return;
	}
	if (sim_chance(net->sim, net->drop))
		return;
	if (sim_chance(net->sim, net->dup))
		copies = 2;
	for (i = 0; i < copies; i++) {
		m = xcalloc(1, sizeof(*m));
		m->net = net;
		m->from = from;
		m->to = to;
		m->life = life;
		m->v = *v;
		sim_at_owned(net->sim, net->sim->now + sim_range(net->sim,
		    net->dmin, net->dmax), simnet_deliver, m, NULL);
	}
}

/* Links came up (a server started, a cut healed): send what waited. */
void
simnet_flush(struct simnet *net)
{
	uint64_t	 life;
	int		 i, j;

	for (i = 0; i < net->n; i++) {
		for (j = 0; j < net->n; j++) {
			if (!net->has_pend[i][j] || net->cut[i][j] ||
			    !simnet_up(net, i, &life) ||
			    !simnet_up(net, j, &life))
				continue;
			net->has_pend[i][j] = 0;
			simnet_send(net, i, net->node[j].sid,
			    &net->pend[i][j]);
		}
	}
}

/* Bit i of sides puts server i on one side or the other of a cut. */
void
simnet_partition(struct simnet *net, uint64_t sides)
{
	int	 i, j;

	for (i = 0; i < net->n; i++)
		for (j = 0; j < net->n; j++)
			net->cut[i][j] = ((sides >> i) & 1) !=
			    ((sides >> j) & 1);
	simnet_flush(net);
}

/* No cut, no loss, no duplicate, short delays. */
void
simnet_heal(struct simnet *net)
{
	memset(net->cut, 0, sizeof(net->cut));
	net->drop = 0;
	net->dup = 0;
	net->dmax = net->dmin + 5;
	simnet_flush(net);
}

static void
simnet_fire(void *a, void *b)
{
	struct simnet_tmr *t = a;
	struct simnet	*net = t->net;
	uint64_t	 life;

	(void)b;
	if (simnet_up(net, t->idx, &life) && life == t->life &&
	    net->timer_gen[t->idx] == t->gen)
		election_timeout(net->node[t->idx].e);
}

/* Server idx's election timer: ms from now, or off if ms is 0. */
static void
simnet_timer(struct simnet *net, int idx, int ms)
{
	struct simnet_tmr *t;
	uint64_t	 life;

	net->timer_gen[idx]++;
	if (ms <= 0 || !simnet_up(net, idx, &life))
		return;
	t = xcalloc(1, sizeof(*t));
	t->net = net;
	t->idx = idx;
	t->gen = net->timer_gen[idx];
	t->life = life;
	sim_at_owned(net->sim, net->sim->now + ms, simnet_fire, t, NULL);
}

static void
simnet_io_send(void *arg, int64_t to, const struct vote *v)
{
	struct simnet_node *n = arg;

	simnet_send(n->net, n->idx, to, v);
}

static void
simnet_io_timer(void *arg, int ms)
{
	struct simnet_node *n = arg;

	simnet_timer(n->net, n->idx, ms);
}

/* A voter is reachable unless we saw it die (a cut link is no death). */
static int
simnet_io_reachable(void *arg, int64_t sid)
{
	struct simnet_node *n = arg;
	int		 idx;

	return (idx = simnet_index(n->net, sid)) == -1 ||
	    !n->net->gone[n->idx][idx];
}

/* A connection with a crashed server broke: the news reaches a server. */
static void
simnet_deliver_gone(void *a, void *b)
{
	struct simnet_msg *m = a;
	uint64_t	 life;

	(void)b;
	if (simnet_up(m->net, m->to, &life) && life == m->life) {
		m->net->gone[m->to][m->from] = 1;
		election_unreachable(m->net->node[m->to].e);
	}
}

static void
simnet_io_decided(void *arg, int state, const struct vote *v,
    const int64_t *acks, size_t nacks)
{
	struct simnet_node *n = arg;

	n->decided(n->arg, state, v, acks, nacks);
}

/* The election_io of server idx: this network, and decided(arg, ...). */
void
simnet_io(struct simnet *net, int idx, struct election_io *io,
    void (*decided)(void *, int, const struct vote *, const int64_t *,
    size_t), void *arg)
{
	net->node[idx].decided = decided;
	net->node[idx].arg = arg;
	io->arg = &net->node[idx];
	io->send = simnet_io_send;
	io->timer = simnet_io_timer;
	io->decided = simnet_io_decided;
	io->reachable = simnet_io_reachable;
}

/*
 * Server idx crashed: what it had waiting is gone, its timer too; every
 * running server not cut off from it learns it after a network delay.
 */
void
simnet_forget(struct simnet *net, int idx)
{
	struct simnet_msg *m;
	uint64_t	 life;
	int		 j;

	for (j = 0; j < SIMNET_MAX; j++) {
		net->has_pend[idx][j] = 0;
		net->gone[idx][j] = 0;		/* it starts afresh */
	}
	net->timer_gen[idx]++;
	for (j = 0; j < net->n; j++) {
		if (j == idx || !simnet_up(net, j, &life) ||
		    net->cut[idx][j])
			continue;
		m = xcalloc(1, sizeof(*m));
		m->net = net;
		m->from = idx;
		m->to = j;
		m->life = life;
		sim_at_owned(net->sim, net->sim->now + sim_range(net->sim,
		    net->dmin, net->dmax), simnet_deliver_gone, m, NULL);
	}
}
