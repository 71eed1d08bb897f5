# SPDX-License-Identifier: ISC
#
# zkcli: the scriptable client (built when libzookeeper-mt is there).  It
# links Apache's C client for everything but the three requests that
# library cannot send; those go through zkcli_side.c with our own codec
# from libzk.a (no symbol of libzk clashes with libzookeeper_mt's).

if BUILD_ZKCLI
bin_PROGRAMS += zkcli
zkcli_CFLAGS = $(AM_CFLAGS) $(ZOOKEEPER_CFLAGS) $(LIBBSD_CFLAGS) -pthread
zkcli_SOURCES = src/zkcli.c src/zkcli.h src/zkcli_cmd.c src/zkcli_out.c \
	src/zkcli_side.c
zkcli_LDFLAGS = $(AM_LDFLAGS) -pthread
zkcli_LDADD = src/libzk.a $(ZOOKEEPER_LIBS) $(LIBBSD_LIBS) $(ZLIB_LIBS) -lm
dist_man_MANS += man/zkcli.1
endif
