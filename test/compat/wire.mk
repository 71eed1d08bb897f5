# SPDX-License-Identifier: ISC
#
# Side-by-side wire test: raw jute sessions played against zkd and
# Apache ZooKeeper 3.8 at once, replies compared byte for byte.

compat_tests += test/compat/wire_diff.py
EXTRA_DIST += test/compat/wire_diff.py test/compat/wire.mk \
	test/lib/zkwire.py
