# SPDX-License-Identifier: ISC
#
# Apache's own clients against zkd: the C client (libzookeeper-mt), the
# Java client and zkCli.sh from Debian's zookeeper package.  Each script
# runs its checks against Apache ZooKeeper 3.8 instead when ZK_TARGET=apache.

compat_tests += \
	test/compat/c_client.sh \
	test/compat/java_client.sh \
	test/compat/zkcli_sh.sh
EXTRA_DIST += \
	test/compat/c_client.c \
	test/compat/c_client.sh \
	test/compat/JavaClient.java \
	test/compat/java_client.sh \
	test/compat/zkcli_sh.sh \
	test/lib/tap.bash

if BUILD_ZKCLI
check_PROGRAMS += test/compat/c_client
test_compat_c_client_SOURCES = test/compat/c_client.c
test_compat_c_client_CFLAGS = $(AM_CFLAGS) $(ZOOKEEPER_CFLAGS)
test_compat_c_client_LDADD = $(ZOOKEEPER_LIBS) -lpthread
endif
