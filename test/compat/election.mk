# SPDX-License-Identifier: ISC
#
# Leader election on real sockets: fle_peer runs the election core over
# the election port's connections; election_wire.py starts several of
# them, alone and beside Apache ZooKeeper 3.8 servers.

compat_tests += test/compat/election_wire.py
EXTRA_DIST += test/compat/election_wire.py

check_PROGRAMS += test/compat/fle_peer
test_compat_fle_peer_SOURCES = test/compat/fle_peer.c
test_compat_fle_peer_CFLAGS = $(src_libzk_a_CFLAGS)
test_compat_fle_peer_LDADD = $(ZK_LIBS)

# zab_peer: the election and ZAB over real ports (src/quorum.c) with a
# small durable store; zab_wire.py replicates through it, kills, restarts.
compat_tests += test/compat/zab_wire.py
EXTRA_DIST += test/compat/zab_wire.py
check_PROGRAMS += test/compat/zab_peer
test_compat_zab_peer_SOURCES = test/compat/zab_peer.c
test_compat_zab_peer_CFLAGS = $(src_libzk_a_CFLAGS)
test_compat_zab_peer_LDADD = $(ZK_LIBS)
