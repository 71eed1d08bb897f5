# SPDX-License-Identifier: ISC
#
# Fuzz targets.  Each test/fuzz/fuzz_<target>.c links twice: with replay.c
# as replay_<target>, which make check runs over test/fuzz/corpus/<target>/
# (one TAP line per file), and, under ./configure --enable-fuzzing CC=clang,
# with libFuzzer as fuzz_<target>.  Run a fuzzer from the build directory:
#   test/fuzz/fuzz_request -max_total_time=180 NEW_DIR \
#       $(top_srcdir)/test/fuzz/corpus/request
# (fuzz_zoocfg also with -close_fd_mask=2).  test/fuzz/gen_corpus.py
# regenerates the seed corpora.

FUZZ_CFLAGS = $(src_libzk_a_CFLAGS)
FUZZ_LDADD = $(ZK_LIBS)

fuzz_replays = \
	test/fuzz/replay_request \
	test/fuzz/replay_connect \
	test/fuzz/replay_zoocfg

check_PROGRAMS += $(fuzz_replays)
TESTS += $(fuzz_replays)

test_fuzz_replay_request_CFLAGS = $(FUZZ_CFLAGS)
test_fuzz_replay_request_SOURCES = test/fuzz/fuzz_request.c \
	test/fuzz/replay.c test/fuzz/fuzz.h
test_fuzz_replay_request_LDADD = $(FUZZ_LDADD)

test_fuzz_replay_connect_CFLAGS = $(FUZZ_CFLAGS)
test_fuzz_replay_connect_SOURCES = test/fuzz/fuzz_connect.c \
	test/fuzz/replay.c test/fuzz/fuzz.h
test_fuzz_replay_connect_LDADD = $(FUZZ_LDADD)

test_fuzz_replay_zoocfg_CFLAGS = $(FUZZ_CFLAGS)
test_fuzz_replay_zoocfg_SOURCES = test/fuzz/fuzz_zoocfg.c \
	test/fuzz/replay.c test/fuzz/fuzz.h
test_fuzz_replay_zoocfg_LDADD = $(FUZZ_LDADD)

if ENABLE_FUZZING
fuzz_programs = \
	test/fuzz/fuzz_request \
	test/fuzz/fuzz_connect \
	test/fuzz/fuzz_zoocfg

check_PROGRAMS += $(fuzz_programs)

test_fuzz_fuzz_request_CFLAGS = $(FUZZ_CFLAGS)
test_fuzz_fuzz_request_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
test_fuzz_fuzz_request_SOURCES = test/fuzz/fuzz_request.c test/fuzz/fuzz.h
test_fuzz_fuzz_request_LDADD = $(FUZZ_LDADD)

test_fuzz_fuzz_connect_CFLAGS = $(FUZZ_CFLAGS)
test_fuzz_fuzz_connect_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
test_fuzz_fuzz_connect_SOURCES = test/fuzz/fuzz_connect.c test/fuzz/fuzz.h
test_fuzz_fuzz_connect_LDADD = $(FUZZ_LDADD)

test_fuzz_fuzz_zoocfg_CFLAGS = $(FUZZ_CFLAGS)
test_fuzz_fuzz_zoocfg_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
test_fuzz_fuzz_zoocfg_SOURCES = test/fuzz/fuzz_zoocfg.c test/fuzz/fuzz.h
test_fuzz_fuzz_zoocfg_LDADD = $(FUZZ_LDADD)
endif

EXTRA_DIST += test/fuzz/gen_corpus.py test/fuzz/corpus
