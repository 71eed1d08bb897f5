# SPDX-License-Identifier: ISC
#
# libzk: every layer of the server below main, shared by zkd, the unit
# tests, the fuzzers and zkcli's own codec.

noinst_LIBRARIES += src/libzk.a
src_libzk_a_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS) $(LIBCONFIG_CFLAGS) \
	$(LIBBSD_CFLAGS) $(ZLIB_CFLAGS) $(LIBMD_CFLAGS)
src_libzk_a_SOURCES = \
	src/log.c src/log.h \
	src/xmalloc.c src/xmalloc.h \
	src/util.c src/util.h \
	src/jute.c src/jute.h \
	src/proto.c src/proto.h \
	src/qproto.c src/qproto.h \
	src/acl.c src/acl.h \
	src/watch.c src/watch.h \
	src/tree.c src/tree.h \
	src/session.c src/session.h \
	src/txn.c src/txn.h \
	src/bgsync.c src/bgsync.h \
	src/txnlog.c src/txnlog.h \
	src/snap.c src/snap.h \
	src/snapwire.c src/snapwire.h \
	src/datadir.c src/datadir.h \
	src/db.c src/db.h \
	src/request.c src/request.h \
	src/prep.c src/prep.h \
	src/sync.c src/sync.h \
	src/final.c src/final.h \
	src/commit.c src/commit.h \
	src/metrics.c src/metrics.h \
	src/spin.c src/spin.h \
	src/election.c src/election.h \
	src/fault.c src/fault.h \
	src/qcnx.c src/qcnx.h \
	src/zab.c src/zab.h \
	src/quorum.c src/quorum.h \
	src/qstore.c src/qstore.h \
	src/conf.c src/conf.h

ZK_LIBS = src/libzk.a $(LIBEVENT_LIBS) $(LIBCONFIG_LIBS) $(LIBBSD_LIBS) \
	$(ZLIB_LIBS) $(LIBMD_LIBS) -lm

sbin_PROGRAMS += zkd
zkd_CFLAGS = $(src_libzk_a_CFLAGS)
zkd_SOURCES = src/zkd.c src/zkd.h src/conn.c src/fourlw.c src/net.c \
	src/report.c src/report.h src/mntr_keys.h \
	src/ensemble.c src/ensemble.h
zkd_LDADD = $(ZK_LIBS)
