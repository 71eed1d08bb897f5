# SPDX-License-Identifier: ISC
#
# make bench: the benchmark suite, never part of make check.  zkload, the
# load generator, is built with the test programs (so it keeps compiling
# under the same warnings and sanitizers) but only bench.py runs it.
# bench.py starts the zkd built here on a data directory under the build
# tree (real disk, fsync on), runs its workloads and writes
# bench-results.json next to this Makefile.  A quick pass:
#   make bench BENCH_FLAGS='--runs 1 --duration 1'

check_PROGRAMS += test/bench/zkload
test_bench_zkload_CFLAGS = $(src_libzk_a_CFLAGS)
test_bench_zkload_SOURCES = test/bench/zkload.c test/bench/hist.c \
	test/bench/hist.h
test_bench_zkload_LDADD = $(ZK_LIBS)

EXTRA_DIST += test/bench/bench.py test/bench/bench_launcher.py
CLEANFILES += bench-results.json bench-launcher.json

# What both benchmark drivers are run with.
BENCH_ENV = ZKD='$(abs_top_builddir)/zkd' \
	ZK_CFLAGS='$(ZK_CFLAGS)' \
	PYTHONDONTWRITEBYTECODE=1 \
	PYTHONPATH='$(abs_top_srcdir)/test/lib'

# The launcher's: up until serving, SIGSTOP and kill -9 of the leader until a
# write succeeds, for 3, 5, 7 and 9 servers (bench_launcher.py).
#   make bench-launcher LAUNCHER_BENCH_FLAGS='--runs 1'
LAUNCHER_BENCH_FLAGS =
bench-launcher: zkd$(EXEEXT) zkensemble$(EXEEXT)
	$(BENCH_ENV) ZKENSEMBLE='$(abs_top_builddir)/zkensemble' \
	$(PYTHON3) $(top_srcdir)/test/bench/bench_launcher.py \
	    --json '$(abs_top_builddir)/bench-launcher.json' \
	    --tmpdir '$(abs_top_builddir)' $(LAUNCHER_BENCH_FLAGS)

BENCH_FLAGS =
bench: bench-launcher zkd$(EXEEXT) test/bench/zkload$(EXEEXT)
	$(BENCH_ENV) ZKLOAD='$(abs_top_builddir)/test/bench/zkload' \
	$(PYTHON3) $(top_srcdir)/test/bench/bench.py \
	    --json '$(abs_top_builddir)/bench-results.json' \
	    --tmpdir '$(abs_top_builddir)' $(BENCH_FLAGS)
.PHONY: bench bench-launcher
