#!/bin/bash
# SPDX-License-Identifier: ISC
#
# zkCli.sh (Debian's zookeeper package) side by side: the same commands,
# fed on standard input to one zkCli.sh against zkd and one against Apache
# ZooKeeper 3.8, must print the same, once zxids, times and session ids
# are masked.  Each command is one check; so is the list of watch events.
# With ZK_TARGET=apache both sides are Apache, to prove the comparison
# stable; KEEP_WORK=1 keeps both outputs, split by command, in the work
# directory.  Ports 21800-21809: 21800 the server under test, 21801 Apache.

[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"

TOP_SRCDIR=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
TOP_BUILDDIR=${TOP_BUILDDIR:-$TOP_SRCDIR}
ZKD=${ZKD:-$TOP_BUILDDIR/zkd}
. "$TOP_SRCDIR/test/lib/tap.bash"

PORT_TEST=21800
PORT_APACHE=21801
ZKCLI_SH=${ZKCLI_SH:-/usr/share/zookeeper/bin/zkCli.sh}
ALICE=alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=	# digest of alice:secret

COMMANDS=(
	"create /a data1"
	"create /a again"
	"create /a/b"
	"create -e /a/eph e"
	"create -s /a/seq- s"
	"create -s -e /a/eseq-"
	"create /a/b/c"
	"create /nope/x"
	"create /a//b"
	"ls /a"
	"ls -s /a"
	"ls -R /a"
	"get /a"
	"get -s /a"
	"set /a data2"
	"set -s /a data3"
	"set -v 1 /a data4"
	"stat /a"
	"stat /a/eph"
	"stat /none"
	"getAllChildrenNumber /a"
	"getAllChildrenNumber /"
	"ls /zookeeper"
	"getEphemerals"
	"getEphemerals /a/e"
	"create -c /ctr"
	"stat /ctr"
	"create -t 600000 /ttl t"
	"stat /ttl"
	"create -t 600000 -s /ttls-"
	"ls /"
	"whoami"
	"create /secure s digest:$ALICE:cdrwa,world:anyone:r"
	"getAcl /secure"
	"set /secure t"
	"addauth digest alice:secret"
	"whoami"
	"getAcl -s /secure"
	"set /secure t"
	"setAcl -v 0 /secure world:anyone:cdrwa"
	"setAcl -v 0 /secure world:anyone:r"
	"getAcl /secure"
	"create /mine m auth::cdrwa"
	"getAcl /mine"
	"addWatch /w"
	"create /w"
	"set /w 1"
	"create /w/kid"
	"delete /w/kid"
	"addWatch -m PERSISTENT_RECURSIVE /r"
	"create /r"
	"create /r/x"
	"set /r/x 1"
	"delete /r/x"
	"get -w /a"
	"ls -w /a"
	"set /a data5"
	"create /a/d"
	"sync /a"
	"delete /a/b"
	"delete -v 7 /a/b/c"
	"delete /a/b/c"
	"delete /a"
	"deleteall /a"
	"ls /a"
	"ls /"
	"ls -s /"
	"stat /zookeeper"
	"get -s /zookeeper/config"
	"getAcl -s /zookeeper/config"
	"get -s /zookeeper/quota"
	"config"
	"reconfig -remove 3"
	"set /zookeeper/config x"
	"create /zookeeper/x"
	"delete /zookeeper"
	"delete /"
	"create /"
	"setquota -n 3 /q"
	"create /q"
	"setquota -n 3 /q"
	"setquota -b 100 /q"
	"create /q/a aaaa"
	"create /q/b"
	"listquota /q"
	"ls -R /zookeeper/quota"
	"get /zookeeper/quota/q/zookeeper_limits"
	"get /zookeeper/quota/q/zookeeper_stats"
	"create /q/c"
	"create /q/d"
	"listquota /q"
	"delquota -n /q"
	"listquota /q"
	"delquota /q"
	"listquota /q"
	"deleteall /q"
	"create /rmw"
	"get -w /rmw"
	"ls -w /rmw"
	"removewatches /rmw -d"
	"removewatches /rmw -d"
	"removewatches /rmw -c"
	"removewatches /rmw -a"
	"removewatches /none -a"
	"set /rmw x"
	"getAllChildrenNumber /zookeeper"
	"ls -R /zookeeper"
)

[ -x "$ZKCLI_SH" ] || tap_skip_all "no zkCli.sh"
apache_available || tap_skip_all "no Apache ZooKeeper to compare with"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/zkcli-sh.XXXXXX")
cleanup() {
	server_stop_all
	[ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# The commands on stdin, each after a marker whose answer ("Node does not
# exist: /-mark-N") tells where the output of command N starts.
cli_input() {
	local i
	for i in "${!COMMANDS[@]}"; do
		echo "stat /-mark-$i"
		echo "${COMMANDS[$i]}"
	done
	echo "stat /-mark-end"
	echo "sync /"
	echo "quit"
}

# Masks what differs from run to run: zxids, times, session ids (an
# ephemeralOwner other than 0 and the container and TTL markers).  Sorts
# bracketed lists, whose order ZooKeeper does not define (getEphemerals).
cli_mask() {
	sed -E \
	    -e 's/^(cZxid|mZxid|pZxid) = 0x[0-9a-f]+$/\1 = <zxid>/' \
	    -e 's/^(ctime|mtime) = .*/\1 = <time>/' \
	    -e '/^ephemeralOwner = 0x(0|80{15}|ff[0-9a-f]{14})$/!s/^ephemeralOwner = 0x[0-9a-f]+$/ephemeralOwner = <session>/' \
	    -e "s/127\\.0\\.0\\.1:$1/127.0.0.1:<port>/g" |
	/usr/bin/python3 -c '
import re, sys
for line in sys.stdin:
    m = re.fullmatch(r"\[(.*)\]\n?", line)
    if m and m.group(1):
        line = "[" + ", ".join(sorted(m.group(1).split(", "))) + "]\n"
    sys.stdout.write(line)'
}

# Runs zkCli.sh against port and splits its output in DIR: one file per
# command (N), the watch events in order (events).
cli_run() {
	local port=$1 dir=$2
	mkdir -p "$dir"
	# Errors go to stderr: both streams, in the order printed.
	cli_input | timeout 120 "$ZKCLI_SH" -server "127.0.0.1:$port" \
	    > "$dir/raw" 2>&1
	grep -v '^SLF4J: ' "$dir/raw" | cli_mask "$port" | awk -v dir="$dir" '
		BEGIN { out = dir "/pre" }
		/^Node does not exist: \/-mark-/ {
			out = dir "/" substr($0, length("Node does not exist: /-mark-") + 1)
			printf "" > out
			next
		}
		/^WATCHER::$/ || /^$/ { next }
		# zkCli.sh may or may not print its own Closed event before it
		# exits (a race in the JVM client), whatever the server.
		/^WatchedEvent state:Closed / { next }
		/^WatchedEvent / { print > (dir "/events"); next }
		{ print > out }'
}

# The output of command N in DIR.  whoami's identities come in the order
# of a hash set in Apache, which means nothing: they are sorted.
cli_chunk() {
	local dir=$1 i=$2
	case ${COMMANDS[$i]} in
	whoami*)	sort "$dir/$i" 2>/dev/null ;;
	*)		cat "$dir/$i" 2>/dev/null ;;
	esac
}

kind=$(target_kind)
server_start "$kind" test "$PORT_TEST" extendedTypesEnabled=true \
    znode.container.checkIntervalMs=100 || tap_bail "no $kind server"
server_start apache apache "$PORT_APACHE" extendedTypesEnabled=true \
    znode.container.checkIntervalMs=100 || tap_bail "no Apache server"

cli_run "$PORT_TEST" "$WORK/test" &
cli_pid=$!
cli_run "$PORT_APACHE" "$WORK/apache"
wait "$cli_pid"

# The comparison means something only if Apache's side did the work.
tap_is "$(cat "$WORK/apache/0" 2>/dev/null)" "Created /a" \
    "zkCli.sh against Apache ran the first command"
tap_ok "$([ -e "$WORK/test/end" ] && [ -e "$WORK/apache/end" ]; echo $?)" \
    "both zkCli.sh runs reached the last command"

for i in "${!COMMANDS[@]}"; do
	tap_is "$(cli_chunk "$WORK/test" "$i")" \
	    "$(cli_chunk "$WORK/apache" "$i")" \
	    "zkCli.sh '${COMMANDS[$i]}' prints what it prints against Apache"
done
tap_is "$(cat "$WORK/test/events" 2>/dev/null)" \
    "$(cat "$WORK/apache/events" 2>/dev/null)" \
    "zkCli.sh receives the same watch events, in the same order"
tap_done
