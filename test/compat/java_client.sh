#!/bin/bash
# SPDX-License-Identifier: ISC
#
# Apache's Java client (Debian's zookeeper package) against zkd: compiles
# JavaClient.java into a temporary directory and runs it, in one JVM,
# against a standalone server with tickTime=500, extendedTypesEnabled and
# a 100 ms container check.  With ZK_TARGET=apache the same checks run
# against Apache ZooKeeper 3.8, to prove them right.  Ports 21500-21509:
# 21500 the server, 21501 the test's own relay.

[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"

TOP_SRCDIR=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
TOP_BUILDDIR=${TOP_BUILDDIR:-$TOP_SRCDIR}
ZKD=${ZKD:-$TOP_BUILDDIR/zkd}
. "$TOP_SRCDIR/test/lib/tap.bash"

PORT=21500
PROXY_PORT=21501
JARS=/usr/share/java/zookeeper.jar:/usr/share/java/zookeeper-jute.jar
RUN_JARS=$JARS:/usr/share/java/slf4j-api.jar:/usr/share/java/slf4j-nop.jar

command -v javac >/dev/null 2>&1 || tap_skip_all "no javac"
apache_available || tap_skip_all "no Java ZooKeeper client"

CLASSES=$(mktemp -d "${TMPDIR:-/tmp}/java-client.XXXXXX")
cleanup() {
	server_stop_all
	rm -rf "$CLASSES"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

if ! out=$(javac -nowarn -cp "$JARS" -d "$CLASSES" \
    "$TOP_SRCDIR/test/compat/JavaClient.java" 2>&1); then
	tap_diag "$out"
	tap_bail "JavaClient.java does not compile"
fi

server_start "$(target_kind)" srv "$PORT" tickTime=500 \
    extendedTypesEnabled=true znode.container.checkIntervalMs=100 ||
    tap_bail "no $(target_kind) server"

timeout 300 java -Xmx256m -cp "$CLASSES:$RUN_JARS" JavaClient "$PORT" \
    "$PROXY_PORT"
