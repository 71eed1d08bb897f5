# SPDX-License-Identifier: ISC
#
# bats helpers to run an ensemble of servers on one host: zkd in quorum
# mode (ENS_IMPL=zkd, the default; the binary is $ZKD) or Apache ZooKeeper
# 3.8's QuorumPeerMain from Debian's zookeeper package (ENS_IMPL=apache),
# both started on the very same zoo.cfg.
#
#   ens_init N [OBSERVER_SID ...]  write a zoo.cfg and data/myid for
#                                  servers 1..N; the sids named are
#                                  observers (peerType=observer)
#   ens_set_impl I IMPL            server I runs IMPL (zkd or apache)
#                                  whatever ENS_IMPL says: a mixed
#                                  ensemble (Apache's JVM options are
#                                  ENS_APACHE_OPTS, e.g. system
#                                  properties)
#                                  zkd's extra options are ENS_ZKD_OPTS
#                                  (-v logs every election message)
#   ens_start I                    start server I, wait until its own
#                                  process answers a four-letter word
#   ens_kill I                     SIGKILL, wait until the process is gone
#   ens_stop I                     SIGTERM, wait until the process is gone
#   ens_pause I / ens_resume I     SIGSTOP / SIGCONT
#   ens_running                    the sids started and not killed,
#                                  stopped or paused, one a line
#   ens_port I                     server I's client port
#   ens_4lw I WORD                 print a four-letter word's reply
#   ens_mode I                     leader, follower or observer as srvr
#                                  says; none when it is not serving
#                                  (electing) or does not answer
#   ens_zxid I                     the Zxid line of srvr (0x...)
#   ens_wait_mode SECS I MODE      wait until server I is in MODE
#   ens_leader                     the sid of the one leader among the
#                                  running servers (fails if none or
#                                  several)
#   ens_wait_leader SECS           wait until exactly one running server
#                                  leads and every other one follows or
#                                  observes it (as its role says; and as
#                                  the leader's mntr counts of synced
#                                  followers and observers say, when it
#                                  has them)
#   ens_wait_no_quorum SECS        wait until no running server serves
#   ens_wait_zxids_equal SECS      wait until every running server has
#                                  applied the same zxid
#   ens_connect_string             127.0.0.1:port,... of running servers
#   ens_zkcli I ARG...             $ZKCLI on server I alone
#   ens_writes I TAG N             create /TAG and /TAG/n1../TAG/nN
#                                  ("value K") with zkcli on server I
#   ens_last_sync I                how zkd server I was last synced
#                                  (DIFF, TRUNC, SNAP), from its log
#   ens_burst I PARENT N           create PARENT, then N children of
#                                  it all in flight at once through
#                                  server I (kazoo); fails unless each
#                                  succeeds
#   ens_trees_equal                every running server holds the same
#                                  tree (see test/lib/treedump.py)
#   ens_teardown                   kill every server started (call it
#                                  from teardown); fails if a server
#                                  exited on its own or a sanitizer
#                                  reported in its log
#
# Ports: server I has client port ENS_PORT_BASE+I, quorum port
# ENS_PORT_BASE+10+I and election port ENS_PORT_BASE+20+I, so a file owns
# ENS_PORT_BASE+1 .. ENS_PORT_BASE+29 for up to nine servers.  Each server
# lives in ENS_DIR/sI (zoo.cfg, data/, server.log, pid); ENS_DIR defaults
# to BATS_TEST_TMPDIR/ens.  State is kept in those files, so the helpers
# work from subshells (bats' run) too.  A server that is paused does not
# answer, so it does not count as running; ens_teardown kills it too.

TOP_SRCDIR=${TOP_SRCDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
# shellcheck source=test/lib/zkd.bash
. "$TOP_SRCDIR/test/lib/zkd.bash"

ENS_IMPL=${ENS_IMPL:-zkd}
ENS_PORT_BASE=${ENS_PORT_BASE:-22000}
ENS_PY=/usr/bin/python3
ENS_APACHE_CP=/etc/zookeeper/conf:/usr/share/java/zookeeper.jar:/usr/share/java/zookeeper-jute.jar
# Apache logs through slf4j; without a binding it would log nothing.
ENS_APACHE_LOG_CP=/usr/share/java/slf4j-simple.jar

ens_init() {
	local n=$1 i obs s
	shift
	case $ENS_IMPL in
	zkd|apache) ;;
	*)
		echo "ENS_IMPL must be zkd or apache, not $ENS_IMPL" >&2
		return 1
		;;
	esac
	if [ "$n" -lt 1 ] || [ "$n" -gt 9 ]; then
		echo "ens_init: 1 to 9 servers, not $n" >&2
		return 1
	fi
	ENS_DIR=${ENS_DIR:-$BATS_TEST_TMPDIR/ens}
	ENS_OBSERVERS=" $* "
	export ENS_DIR ENS_OBSERVERS
	for ((i = 1; i <= n; i++)); do
		s=$ENS_DIR/s$i
		mkdir -p "$s/data"
		echo "$i" > "$s/data/myid"
		{
			echo "tickTime=200"
			echo "initLimit=10"
			echo "syncLimit=5"
			echo "dataDir=$s/data"
			echo "clientPort=$(ens_port "$i")"
			echo "clientPortAddress=127.0.0.1"
			echo "4lw.commands.whitelist=*"
			ens_is_observer "$i" && echo "peerType=observer"
			for ((obs = 1; obs <= n; obs++)); do
				printf 'server.%d=127.0.0.1:%d:%d' "$obs" \
				    $((ENS_PORT_BASE + 10 + obs)) \
				    $((ENS_PORT_BASE + 20 + obs))
				if ens_is_observer "$obs"; then
					echo ":observer"
				else
					echo ":participant"
				fi
			done
		} > "$s/zoo.cfg"
	done
}

ens_port() {
	echo $((ENS_PORT_BASE + $1))
}

ens_set_impl() {
	case $2 in
	zkd|apache) echo "$2" > "$ENS_DIR/s$1/impl" ;;
	*) echo "ens_set_impl: zkd or apache, not $2" >&2; return 1 ;;
	esac
}

ens_impl() {
	local f=$ENS_DIR/s$1/impl
	if [ -s "$f" ]; then
		cat "$f"
	else
		echo "$ENS_IMPL"
	fi
}

ens_is_observer() {
	[[ ${ENS_OBSERVERS:-} == *" $1 "* ]]
}

# The pid of server I if it was started and not killed or stopped.
ens_pid() {
	local f=$ENS_DIR/s$1/pid
	[ -s "$f" ] && cat "$f"
}

ens_start() {
	local i=$1 s=$ENS_DIR/s$1 port pid impl
	port=$(ens_port "$i")
	impl=$(ens_impl "$i")
	if [ ! -f "$s/zoo.cfg" ]; then
		echo "ens_start: no server $i (ens_init first)" >&2
		return 1
	fi
	if pid=$(ens_pid "$i"); then
		if zkd_gone "$pid"; then
			echo "ens_start: server $i exited on its own:" >&2
			tail -n 40 "$s/server.log" >&2
		else
			echo "ens_start: server $i is already running" >&2
		fi
		return 1
	fi
	# Someone else's server on the port would pass for ours.
	if [ -n "$(ens_4lw "$i" srvr)" ]; then
		echo "ens_start: port $port already has a server" >&2
		return 1
	fi
	echo "--- start $(date +%T.%N)" >> "$s/server.log"
	case $impl in
	zkd)
		# shellcheck disable=SC2086
		"${ZKD:-zkd}" -d ${ENS_ZKD_OPTS:-} -z "$s/zoo.cfg" \
		    >> "$s/server.log" 2>&1 < /dev/null 3>&- &
		;;
	apache)
		# shellcheck disable=SC2086
		(cd "$s" && exec java -Xmx256m -XX:+UseSerialGC \
		    -XX:TieredStopAtLevel=1 ${ENS_APACHE_OPTS:-} \
		    -Dzookeeper.admin.enableServer=false \
		    -Dorg.slf4j.simpleLogger.defaultLogLevel=info \
		    -Dorg.slf4j.simpleLogger.showDateTime=true \
		    -cp "$ENS_APACHE_CP:$ENS_APACHE_LOG_CP" \
		    org.apache.zookeeper.server.quorum.QuorumPeerMain \
		    "$s/zoo.cfg") >> "$s/server.log" 2>&1 < /dev/null 3>&- &
		;;
	esac
	pid=$!
	# Not a job of this shell: its death is not announced ("Killed").
	disown "$pid"
	echo "$pid" > "$s/pid"
	rm -f "$s/paused"
	if ! wait_until 30 ens_answers "$i" "$pid"; then
		echo "server $i ($impl) did not start on port $port:" >&2
		tail -n 40 "$s/server.log" >&2
		return 1
	fi
}

# Server I's own process (PID) answers srvr, serving or not.  Status 2
# (never) once the process is gone.
ens_answers() {
	zkd_gone "$2" && return 2
	[ -n "$(ens_4lw "$1" srvr)" ] && ! zkd_gone "$2"
}

# Sends SIG to server I and waits (SECS) until its process is gone.
ens_signal_gone() {
	local i=$1 sig=$2 secs=$3 s=$ENS_DIR/s$1 pid
	pid=$(ens_pid "$i") || {
		echo "server $i is not running" >&2
		return 1
	}
	echo "--- SIG$sig $(date +%T.%N)" >> "$s/server.log"
	kill -"$sig" "$pid" 2>/dev/null || true
	# A stopped process takes SIGKILL, but not SIGTERM, until resumed.
	if [ -e "$s/paused" ]; then
		kill -CONT "$pid" 2>/dev/null || true
	fi
	if ! wait_until "$secs" zkd_gone "$pid"; then
		echo "server $i (pid $pid) ignored SIG$sig; killing it" >&2
		kill -KILL "$pid" 2>/dev/null || true
		wait_until 10 zkd_gone "$pid"
	fi
	rm -f "$s/pid" "$s/paused"
	# zkd's snapshot writer holds the data directory's lock until it
	# ends too.
	wait_until 10 ens_lock_free "$s/data/zkd.pid"
}

ens_lock_free() {
	[ ! -e "$1" ] || flock -n -x "$1" true
}

ens_kill() {
	ens_signal_gone "$1" KILL 10
}

ens_stop() {
	ens_signal_gone "$1" TERM 30
}

ens_pause() {
	local pid
	pid=$(ens_pid "$1") || return 1
	kill -STOP "$pid"
	touch "$ENS_DIR/s$1/paused"
}

ens_resume() {
	local pid
	pid=$(ens_pid "$1") || return 1
	rm -f "$ENS_DIR/s$1/paused"
	kill -CONT "$pid"
}

ens_running() {
	local s i pid
	for s in "$ENS_DIR"/s*; do
		i=${s##*/s}
		pid=$(ens_pid "$i") || continue
		[ -e "$s/paused" ] && continue
		zkd_gone "$pid" && continue
		echo "$i"
	done | sort -n
}

# Prints what the server answered (possibly nothing); never fails, and
# gives up on a server that does not answer within a few seconds.
ens_4lw() {
	"$ENS_PY" -c 'import socket,sys
out=b""
try:
    s=socket.create_connection(("127.0.0.1",int(sys.argv[1])),timeout=3)
    s.sendall(sys.argv[2].encode())
    while True:
        c=s.recv(65536)
        if not c: break
        out+=c
except OSError:
    pass
sys.stdout.buffer.write(out)' "$(ens_port "$1")" "$2"
}

ens_mode() {
	local mode
	mode=$(ens_4lw "$1" srvr | sed -n 's/^Mode: //p')
	echo "${mode:-none}"
}

ens_zxid() {
	ens_4lw "$1" srvr | sed -n 's/^Zxid: //p'
}

ens_mode_is() {
	[ "$(ens_mode "$1")" = "$2" ]
}

ens_wait_mode() {
	local secs=$1 i=$2 mode=$3
	wait_until "$secs" ens_mode_is "$i" "$mode" && return 0
	echo "server $i is $(ens_mode "$i"), not $mode" >&2
	ens_report >&2
	return 1
}

# One line per server: its sid, whether it runs, its mode and zxid.
ens_report() {
	local s i st pid
	for s in "$ENS_DIR"/s*; do
		i=${s##*/s}
		if ! pid=$(ens_pid "$i"); then
			st=down
		elif zkd_gone "$pid"; then
			st="dead (exited on its own)"
		elif [ -e "$s/paused" ]; then
			st=paused
		else
			st=running
		fi
		echo "server $i: $st, mode $(ens_mode "$i"), zxid $(ens_zxid "$i")"
	done
}

ens_leader() {
	local i leader=
	for i in $(ens_running); do
		[ "$(ens_mode "$i")" = leader ] || continue
		[ -z "$leader" ] || return 1
		leader=$i
	done
	[ -n "$leader" ] && echo "$leader"
}

# Exactly one running server leads; every other running server follows
# (a participant) or observes (an observer); and the leader, when its
# mntr counts its synced followers and observers, counts just those.
ens_settled() {
	local i leader='' followers=0 observers=0 mntr n
	for i in $(ens_running); do
		case $(ens_mode "$i") in
		leader)
			[ -z "$leader" ] || return 1
			ens_is_observer "$i" && return 1
			leader=$i
			;;
		follower)
			ens_is_observer "$i" && return 1
			followers=$((followers + 1))
			;;
		observer)
			ens_is_observer "$i" || return 1
			observers=$((observers + 1))
			;;
		*)
			return 1
			;;
		esac
	done
	[ -n "$leader" ] || return 1
	mntr=$(ens_4lw "$leader" mntr)
	printf '%s\n' "$mntr" | grep -qx $'zk_server_state\tleader' || return 1
	n=$(printf '%s\n' "$mntr" | sed -n 's/^zk_synced_followers\t//p')
	[ -z "$n" ] || [ "$n" -eq "$followers" ] || return 1
	n=$(printf '%s\n' "$mntr" | sed -n 's/^zk_synced_observers\t//p')
	[ -z "$n" ] || [ "$n" -eq "$observers" ] || return 1
}

ens_wait_leader() {
	wait_until "$1" ens_settled && return 0
	echo "no settled leader after $1 s:" >&2
	ens_report >&2
	return 1
}

ens_none_serving() {
	local i
	for i in $(ens_running); do
		[ "$(ens_mode "$i")" = none ] || return 1
	done
}

ens_wait_no_quorum() {
	wait_until "$1" ens_none_serving && return 0
	echo "a server still serves after $1 s:" >&2
	ens_report >&2
	return 1
}

ens_zxids_equal() {
	local i z first=
	for i in $(ens_running); do
		z=$(ens_zxid "$i")
		[ -n "$z" ] || return 1
		[ -n "$first" ] || first=$z
		[ "$z" = "$first" ] || return 1
	done
	[ -n "$first" ]
}

ens_wait_zxids_equal() {
	wait_until "$1" ens_zxids_equal && return 0
	echo "zxids still differ after $1 s:" >&2
	ens_report >&2
	return 1
}

ens_connect_string() {
	local i out=
	for i in $(ens_running); do
		out=${out:+$out,}127.0.0.1:$(ens_port "$i")
	done
	echo "$out"
}

ens_zkcli() {
	local i=$1
	shift
	"${ZKCLI:-zkcli}" -s "127.0.0.1:$(ens_port "$i")" "$@"
}

ens_writes() {
	local i=$1 tag=$2 n=$3 k
	ens_zkcli "$i" create "/$tag" > /dev/null
	for k in $(seq 1 "$n"); do
		ens_zkcli "$i" create "/$tag/n$k" "value $k" > /dev/null
	done
}

ens_last_sync() {
	sed -n 's/.*synced with leader [0-9]* by \([A-Z]*\),.*/\1/p' \
	    "$ENS_DIR/s$1/server.log" | tail -n 1
}

ens_burst() {
	"$ENS_PY" - "127.0.0.1:$(ens_port "$1")" "$2" "$3" <<'EOF'
import sys
from kazoo.client import KazooClient
hosts, parent, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
zk = KazooClient(hosts=hosts, timeout=10)
zk.start(timeout=60)
zk.create(parent)
ops = [zk.create_async("%s/b%d" % (parent, k), b"x") for k in range(n)]
for op in ops:
    op.get(timeout=60)
zk.stop()
zk.close()
EOF
}

# Dumps every running server's tree (each after a sync with its leader)
# into ENS_DIR/tree.I and compares them; a difference is printed as a
# diff.  Needs at least two running servers.
ens_trees_equal() {
	local i first='' n=0
	for i in $(ens_running); do
		if ! "$ENS_PY" "$TOP_SRCDIR/test/lib/treedump.py" \
		    "127.0.0.1:$(ens_port "$i")" > "$ENS_DIR/tree.$i"; then
			echo "cannot dump server $i's tree" >&2
			return 1
		fi
		n=$((n + 1))
		if [ -z "$first" ]; then
			first=$i
		elif ! diff -u "$ENS_DIR/tree.$first" "$ENS_DIR/tree.$i" >&2
		then
			echo "server $i's tree differs from server $first's" >&2
			return 1
		fi
	done
	if [ "$n" -lt 2 ]; then
		echo "ens_trees_equal: $n running servers, not 2 or more" >&2
		return 1
	fi
}

# Kills every server still running; after a failed test, shows each
# server's state and the end of its log first.  Fails (so does the test)
# if a server died on its own, or a sanitizer reported in its log.
ens_teardown() {
	local s i pid bad=
	[ -n "${ENS_DIR:-}" ] && [ -d "$ENS_DIR" ] || return 0
	for s in "$ENS_DIR"/s*; do
		i=${s##*/s}
		pid=$(ens_pid "$i") || continue
		zkd_gone "$pid" && bad="$bad server $i exited on its own;"
	done
	for s in "$ENS_DIR"/s*; do
		grep -q -e 'ERROR: AddressSanitizer' -e 'ERROR: LeakSanitizer' \
		    -e 'runtime error:' "$s/server.log" 2>/dev/null &&
		    bad="$bad a sanitizer reported in ${s##*/}/server.log;"
	done
	if [ -z "${BATS_TEST_COMPLETED:-}" ] || [ -n "$bad" ]; then
		[ -z "$bad" ] || echo "ens_teardown:$bad"
		ens_report
		for s in "$ENS_DIR"/s*; do
			echo "--- ${s##*/}/server.log (end)"
			tail -n 25 "$s/server.log" 2>/dev/null
		done
	fi >&2
	for s in "$ENS_DIR"/s*; do
		i=${s##*/s}
		if ens_pid "$i" >/dev/null; then
			ens_kill "$i" || true
		fi
		# A zkd whose pid file we lost still holds its data
		# directory's lock; zkd.pid names it.
		if ! ens_lock_free "$s/data/zkd.pid"; then
			pid=$(cat "$s/data/zkd.pid" 2>/dev/null)
			[ -z "$pid" ] || kill -KILL "$pid" 2>/dev/null || true
			wait_until 10 ens_lock_free "$s/data/zkd.pid" || true
		fi
	done
	[ -z "$bad" ]
}
