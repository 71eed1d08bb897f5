# SPDX-License-Identifier: ISC
#
# cmocka unit tests, one binary per module, run through the TAP driver.

if HAVE_CMOCKA
UNIT_CFLAGS = $(src_libzk_a_CFLAGS) $(CMOCKA_CFLAGS)
UNIT_LDADD = $(ZK_LIBS) $(CMOCKA_LIBS)
UNIT_UTIL = test/unit/unit_util.c test/unit/unit_util.h

unit_tests = \
	test/unit/test_jute \
	test/unit/test_proto \
	test/unit/test_acl \
	test/unit/test_tree \
	test/unit/test_watch \
	test/unit/test_session \
	test/unit/test_prep \
	test/unit/test_txn \
	test/unit/test_conf \
	test/unit/test_util \
	test/unit/test_metrics \
	test/unit/test_qproto \
	test/unit/test_txnlog \
	test/unit/test_bgsync \
	test/unit/test_snap \
	test/unit/test_datadir \
	test/unit/test_db \
	test/unit/test_fsync_fail

check_PROGRAMS += $(unit_tests)
TESTS += $(unit_tests)

test_unit_test_jute_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_jute_SOURCES = test/unit/test_jute.c
test_unit_test_jute_LDADD = $(UNIT_LDADD)

test_unit_test_proto_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_proto_SOURCES = test/unit/test_proto.c
test_unit_test_proto_LDADD = $(UNIT_LDADD)

test_unit_test_acl_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_acl_SOURCES = test/unit/test_acl.c
test_unit_test_acl_LDADD = $(UNIT_LDADD)

test_unit_test_tree_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_tree_SOURCES = test/unit/test_tree.c
test_unit_test_tree_LDADD = $(UNIT_LDADD) -lpthread

test_unit_test_watch_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_watch_SOURCES = test/unit/test_watch.c
test_unit_test_watch_LDADD = $(UNIT_LDADD)

test_unit_test_session_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_session_SOURCES = test/unit/test_session.c
test_unit_test_session_LDADD = $(UNIT_LDADD)

test_unit_test_prep_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_prep_SOURCES = test/unit/test_prep.c
test_unit_test_prep_LDADD = $(UNIT_LDADD)

test_unit_test_txn_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_txn_SOURCES = test/unit/test_txn.c
test_unit_test_txn_LDADD = $(UNIT_LDADD)

test_unit_test_conf_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_conf_SOURCES = test/unit/test_conf.c $(UNIT_UTIL)
test_unit_test_conf_LDADD = $(UNIT_LDADD)

test_unit_test_util_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_util_SOURCES = test/unit/test_util.c
test_unit_test_util_LDADD = $(UNIT_LDADD)

test_unit_test_metrics_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_metrics_SOURCES = test/unit/test_metrics.c
test_unit_test_metrics_LDADD = $(UNIT_LDADD)

test_unit_test_txnlog_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_txnlog_SOURCES = test/unit/test_txnlog.c $(UNIT_UTIL)
test_unit_test_txnlog_LDADD = $(UNIT_LDADD)

test_unit_test_snap_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_snap_SOURCES = test/unit/test_snap.c $(UNIT_UTIL)
test_unit_test_snap_LDADD = $(UNIT_LDADD)

test_unit_test_datadir_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_datadir_SOURCES = test/unit/test_datadir.c $(UNIT_UTIL)
test_unit_test_datadir_LDADD = $(UNIT_LDADD)

test_unit_test_db_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_db_SOURCES = test/unit/test_db.c $(UNIT_UTIL)
test_unit_test_db_LDADD = $(UNIT_LDADD)

test_unit_test_qproto_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_qproto_SOURCES = test/unit/test_qproto.c
test_unit_test_qproto_LDADD = $(UNIT_LDADD)

# fdatasync, fsync and pwrite reach the test's wrappers, which fail on cue.
test_unit_test_bgsync_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_bgsync_SOURCES = test/unit/test_bgsync.c $(UNIT_UTIL)
test_unit_test_bgsync_LDADD = $(UNIT_LDADD)
test_unit_test_fsync_fail_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_fsync_fail_SOURCES = test/unit/test_fsync_fail.c $(UNIT_UTIL)
test_unit_test_fsync_fail_LDADD = $(UNIT_LDADD)
test_unit_test_fsync_fail_LDFLAGS = $(AM_LDFLAGS) -Wl,--wrap=fdatasync \
	-Wl,--wrap=fsync -Wl,--wrap=pwrite
endif
