# SPDX-License-Identifier: ISC
#
# Every test speaks TAP, so automake counts each test case, not each file:
# cmocka binaries (CMOCKA_MESSAGE_OUTPUT=TAP), bats files (--tap), and the
# compatibility scripts (test/lib/tap.py, test/lib/tap.bash).

TEST_EXTENSIONS = .bats .py .sh
LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
BATS_LOG_DRIVER = $(LOG_DRIVER)
BATS_LOG_COMPILER = $(BATS) --tap
PY_LOG_DRIVER = $(LOG_DRIVER)
PY_LOG_COMPILER = $(PYTHON3)
SH_LOG_DRIVER = $(LOG_DRIVER)
SH_LOG_COMPILER = $(SHELL)
AM_TESTS_ENVIRONMENT = \
	ZKD='$(abs_top_builddir)/zkd'; \
	ZKCLI='$(abs_top_builddir)/zkcli'; \
	ZKENSEMBLE='$(abs_top_builddir)/zkensemble'; \
	ZKENSEMBLE_BATS='$(abs_top_srcdir)/test/bats/zkensemble.bash'; \
	TOP_SRCDIR='$(abs_top_srcdir)'; \
	TOP_BUILDDIR='$(abs_top_builddir)'; \
	CMOCKA_MESSAGE_OUTPUT=TAP; \
	PYTHONDONTWRITEBYTECODE=1; \
	PYTHONPATH='$(abs_top_srcdir)/test/lib'; \
	export ZKD ZKCLI ZKENSEMBLE ZKENSEMBLE_BATS TOP_SRCDIR TOP_BUILDDIR CMOCKA_MESSAGE_OUTPUT \
	    PYTHONDONTWRITEBYTECODE PYTHONPATH;

EXTRA_DIST += test/lib/tap.py test/lib/zkharness.py test/lib/zkd.bash \
	test/lib/crashwriter.py test/lib/failwriter.py test/lib/zklog.py \
	test/lib/sidedoor.py test/lib/launched.bash \
	test/lib/ensemble.bash test/lib/treedump.py test/lib/doorens.py \
	test/lib/chaos.py \
	test/PORTS

include test/unit/local.mk
include test/fuzz/local.mk
include test/sim/local.mk
include test/bats/local.mk
include test/compat/local.mk
include test/bench/local.mk
