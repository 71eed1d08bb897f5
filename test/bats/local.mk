# SPDX-License-Identifier: ISC
#
# bats suites.  zkcli's suite lives in test/bats/zkcli.mk.

EXTRA_DIST += $(bats_tests)

# The helpers users load in their own bats files (zkensemble(1)).
dist_pkgdata_DATA = test/bats/zkensemble.bash
bats_tests = \
	test/bats/10-zkd-cmdline.bats \
	test/bats/11-zkd-limits.bats \
	test/bats/12-zkd-whitelist.bats \
	test/bats/13-zkd-sidedoor.bats \
	test/bats/30-durability.bats \
	test/bats/31-damage.bats \
	test/bats/40-ensemble.bats \
	test/bats/41-ensemble-sync.bats \
	test/bats/42-ensemble-clients.bats \
	test/bats/43-ensemble-faults.bats \
	test/bats/44-ensemble-random.bats \
	test/bats/45-ensemble-mixed.bats \
	test/bats/50-zkensemble.bats \
	test/bats/51-zkensemble-faults.bats \
	test/bats/52-zkensemble-user.bats \
	test/bats/53-zkensemble-seeds.bats \
	test/bats/60-zkload.bats
include test/bats/zkcli.mk
TESTS += $(bats_tests)
