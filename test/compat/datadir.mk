# SPDX-License-Identifier: ISC
#
# The data directory shared with Apache ZooKeeper 3.8 both ways: zkd's
# logs and snapshots read by Apache's TxnLogToolkit, SnapshotFormatter and
# server, and Apache's (fuzzy snapshots, digests, a SIGKILL) read by zkd.

datadir_tests = \
	test/compat/datadir_compat.py
compat_tests += $(datadir_tests)
EXTRA_DIST += $(datadir_tests)
