#!/bin/bash
# SPDX-License-Identifier: ISC
#
# Apache's C client (libzookeeper-mt) against zkd: runs the compiled
# c_client checks on two standalone servers, one with extendedTypesEnabled
# and a 100 ms container check, one with defaults.  With ZK_TARGET=apache
# the same checks run against Apache ZooKeeper 3.8, to prove them right.
# Ports 21400-21409.

[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"

TOP_SRCDIR=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
TOP_BUILDDIR=${TOP_BUILDDIR:-$TOP_SRCDIR}
ZKD=${ZKD:-$TOP_BUILDDIR/zkd}
. "$TOP_SRCDIR/test/lib/tap.bash"

PORT_EXT=21400
PORT_PLAIN=21401
PROGRAM=$TOP_BUILDDIR/test/compat/c_client

[ -x "$PROGRAM" ] || tap_skip_all "c_client not built (no libzookeeper-mt)"
kind=$(target_kind)
[ "$kind" = zkd ] || apache_available || tap_skip_all "no Apache ZooKeeper"

trap server_stop_all EXIT
trap 'exit 1' INT TERM

# The super digest is that of super:boss.
server_start "$kind" ext "$PORT_EXT" extendedTypesEnabled=true \
    znode.container.checkIntervalMs=100 \
    DigestAuthenticationProvider.superDigest=super:LVxiMPaAxLDvqJJmnC2tINqpoZU= \
    || tap_bail "no $kind server"
server_start "$kind" plain "$PORT_PLAIN" || tap_bail "no $kind server"

timeout 300 "$PROGRAM" "$PORT_EXT" "$PORT_PLAIN"
