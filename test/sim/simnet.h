/* SPDX-License-Identifier: ISC */
/*
 * simnet.h: the election's network in the simulations, shared by
 * sim_election and sim_zab.  Notifications between servers are delayed,
 * dropped and duplicated at random and never cross a cut link; as with
 * QuorumCnxManager, the latest one for a server that cannot be reached
 * waits until it can.  Each simulation keeps its own servers and
 * attaches each one's election core, up flag and life (a count bumped by
 * every crash, so nothing meant for an earlier life reaches it).  As with
 * qcnx, a server learns of a crash as its connection breaks (after a
 * network delay, not across a cut) and counts the crashed server gone
 * until it hears from it again.
 */
#ifndef ZK_SIMNET_H
#define ZK_SIMNET_H

#include <stdint.h>

#include "election.h"
#include "sim.h"

#define SIMNET_MAX	10

struct simnet_node {
	struct simnet	*net;
	int		 idx;
	int64_t		 sid;
	struct election	*e;
	const int	*alive;
	const uint64_t	*life;
	void		(*decided)(void *, int, const struct vote *,
			    const int64_t *, size_t);
	void		*arg;
};

struct simnet {
	struct sim	*sim;
	int		 n;
	uint8_t		 cut[SIMNET_MAX][SIMNET_MAX];	/* i to j is down */
	uint8_t		 gone[SIMNET_MAX][SIMNET_MAX];	/* i saw j die */
	struct vote	 pend[SIMNET_MAX][SIMNET_MAX];
	uint8_t		 has_pend[SIMNET_MAX][SIMNET_MAX];
	uint64_t	 timer_gen[SIMNET_MAX];
	double		 drop, dup;
	int		 dmin, dmax;
	struct sim_verdict *verdict;
	struct simnet_node node[SIMNET_MAX];
};

void	 simnet_attach(struct simnet *, int, int64_t, struct election *,
	    const int *, const uint64_t *);
void	 simnet_io(struct simnet *, int, struct election_io *,
	    void (*)(void *, int, const struct vote *, const int64_t *,
	    size_t), void *);
int	 simnet_index(struct simnet *, int64_t);
void	 simnet_flush(struct simnet *);
void	 simnet_partition(struct simnet *, uint64_t);
void	 simnet_heal(struct simnet *);
void	 simnet_forget(struct simnet *, int);

#endif
