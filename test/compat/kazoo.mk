# SPDX-License-Identifier: ISC
#
# python3-kazoo against zkd (sessions, watches, multi, ACLs, recipes) and
# the four-letter words compared with Apache ZooKeeper 3.8, live and with
# the replies captured in test/compat/data.  ZK_TARGET=apache runs the
# same scripts against Apache ZooKeeper 3.8 instead of zkd.

kazoo_tests = \
	test/compat/kazoo_basic.py \
	test/compat/kazoo_recipes.py \
	test/compat/fourlw_compare.py
compat_tests += $(kazoo_tests)
EXTRA_DIST += $(kazoo_tests) \
	test/compat/data/apache-3.8-4lw-samples.txt \
	test/lib/tcpproxy.py
