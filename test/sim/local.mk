# SPDX-License-Identifier: ISC
#
# test/sim: the protocol cores driven in one process by a seeded
# scheduler (test/sim/sim.c).  SIM_SEEDS sets how many random runs.

SIM_CFLAGS = $(src_libzk_a_CFLAGS) -I$(top_srcdir)/src
SIM_COMMON = test/sim/sim.c test/sim/sim.h test/sim/simnet.c test/sim/simnet.h

sim_tests = test/sim/sim_election test/sim/sim_zab
check_PROGRAMS += $(sim_tests)
TESTS += $(sim_tests)

test_sim_sim_election_CFLAGS = $(SIM_CFLAGS)
test_sim_sim_election_SOURCES = test/sim/sim_election.c $(SIM_COMMON)
test_sim_sim_election_LDADD = $(ZK_LIBS)

test_sim_sim_zab_CFLAGS = $(SIM_CFLAGS)
test_sim_sim_zab_SOURCES = test/sim/sim_zab.c $(SIM_COMMON)
test_sim_sim_zab_LDADD = $(ZK_LIBS)
