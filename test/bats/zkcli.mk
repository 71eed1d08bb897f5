# SPDX-License-Identifier: ISC
#
# zkcli's bats suite (ports 21200-21209); run only when zkcli is built.

EXTRA_DIST += test/bats/20-zkcli.bats
if BUILD_ZKCLI
bats_tests += test/bats/20-zkcli.bats
endif
