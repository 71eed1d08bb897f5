# SPDX-License-Identifier: ISC
#
# make bench: the benchmark suite, never part of make check.  zkload, the
# load generator, is built with the test programs (so it keeps compiling
# under the same warnings and sanitizers; 60-zkload.bats runs it) and
# driven by the benchmarks:
#   bench-versus    zkd and Apache ZooKeeper 3.8 side by side (versus.py):
#                   bench-versus.md, bench-versus.json and bench-plots/
#   bench-launcher  zkensemble's start and failover (bench_launcher.py)
#   bench-commit    zkd's group commit against an fsync per txn (bench.py):
#                   bench-results.json
# Each writes next to this Makefile, with the servers' data directories
# under the build tree (real disk, fsync on).  Quick passes:
#   make bench-versus VERSUS_FLAGS='--runs 1 --duration 1 --big 0'
#   make bench-commit BENCH_FLAGS='--runs 1 --duration 1'

check_PROGRAMS += test/bench/zkload
test_bench_zkload_CFLAGS = $(src_libzk_a_CFLAGS)
test_bench_zkload_SOURCES = test/bench/zkload.c test/bench/hist.c \
	test/bench/hist.h
test_bench_zkload_LDADD = $(ZK_LIBS)

EXTRA_DIST += test/bench/bench.py test/bench/bench_launcher.py \
	test/bench/versus.py
CLEANFILES += bench-results.json bench-launcher.json bench-versus.json \
	bench-versus.md
clean-local: clean-bench-plots
clean-bench-plots:
	-rm -rf bench-plots
.PHONY: clean-bench-plots

# What both benchmark drivers are run with.
BENCH_ENV = ZKD='$(abs_top_builddir)/zkd' \
	ZK_CFLAGS='$(ZK_CFLAGS)' \
	PYTHONDONTWRITEBYTECODE=1 \
	PYTHONPATH='$(abs_top_srcdir)/test/lib:$(abs_top_srcdir)/test/bench'

# Side by side with Apache ZooKeeper: about 12 minutes with the defaults
# (3 runs, 1,000,000 znodes in the big run).
VERSUS_FLAGS =
bench-versus: zkd$(EXEEXT) test/bench/zkload$(EXEEXT)
	$(BENCH_ENV) ZKLOAD='$(abs_top_builddir)/test/bench/zkload' \
	$(PYTHON3) $(top_srcdir)/test/bench/versus.py \
	    --json '$(abs_top_builddir)/bench-versus.json' \
	    --md '$(abs_top_builddir)/bench-versus.md' \
	    --plots '$(abs_top_builddir)/bench-plots' \
	    --tmpdir '$(abs_top_builddir)' $(VERSUS_FLAGS)

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
bench-commit: zkd$(EXEEXT) test/bench/zkload$(EXEEXT)
	$(BENCH_ENV) ZKLOAD='$(abs_top_builddir)/test/bench/zkload' \
	$(PYTHON3) $(top_srcdir)/test/bench/bench.py \
	    --json '$(abs_top_builddir)/bench-results.json' \
	    --tmpdir '$(abs_top_builddir)' $(BENCH_FLAGS)

bench: bench-versus bench-launcher bench-commit
.PHONY: bench bench-versus bench-launcher bench-commit
