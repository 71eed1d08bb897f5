# SPDX-License-Identifier: ISC
#
# Compatibility tests with real clients and side by side with Apache
# ZooKeeper 3.8.  kazoo and 4lw tests: kazoo.mk; the C and Java clients:
# clients.mk; the wire-level comparison: wire.mk; data directories:
# datadir.mk; leader election on real sockets: election.mk.

compat_tests =
include test/compat/kazoo.mk
include test/compat/clients.mk
include test/compat/wire.mk
include test/compat/datadir.mk
include test/compat/election.mk
TESTS += $(compat_tests)
