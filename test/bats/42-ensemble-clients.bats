#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# Clients given the whole ensemble's connect string keep working across
# a leader's death: they reconnect to another server, keep their session
# (and its ephemerals), and their watches are set again and fire.  Both
# kazoo (python3-kazoo) and Apache's C client (libzookeeper-mt, through
# zkcli) are shown.  Ports 22100-22129.

load "$TOP_SRCDIR/test/lib/ensemble.bash"

ENS_PORT_BASE=22100
W=30

setup() {
	cd "$BATS_TEST_TMPDIR"
	BG_PID=
	ens_init 5
	for i in 1 2 3 4 5; do ens_start "$i"; done
	ens_wait_leader $W
}

teardown() {
	if [ -n "$BG_PID" ]; then
		kill -KILL "$BG_PID" 2>/dev/null || true
		wait "$BG_PID" 2>/dev/null || true
	fi
	ens_teardown
}

@test "kazoo keeps its session, ephemeral and watches across a leader kill" {
	leader=$(ens_leader)
	# The client starts on the leader, so that its death moves it.
	hosts=$(hosts_leader_first "$leader")
	mkfifo go done
	"$ENS_PY" - "$hosts" "127.0.0.1:$(ens_port "$leader")" > kazoo.out 2>&1 <<'EOF' &
import sys, threading
from kazoo.client import KazooClient, KazooState
from kazoo.retry import KazooRetry
hosts, first = sys.argv[1], sys.argv[2]
k = KazooClient(hosts=hosts, timeout=10, randomize_hosts=False,
                connection_retry=KazooRetry(max_tries=-1, max_delay=0.5))
k.start(timeout=30)
assert "%s:%d" % k._connection._socket.getpeername() == first, "not on the leader"
sid = k.client_id[0]
k.create("/kz", b"v0")
k.create("/kz-eph", b"", ephemeral=True)
fired = threading.Event()
k.get("/kz", watch=lambda ev: fired.set())
states = []
k.add_listener(lambda st: states.append(st))
open("go", "w").close()                 # the test kills the leader now
open("done").read()                      # and says when it is gone
k.set("/kz", b"v1")                      # retried until reconnected
assert fired.wait(30), "the data watch did not fire after the reconnect"
assert k.client_id[0] == sid, "a new session"
assert k.exists("/kz-eph") is not None, "the ephemeral is gone"
assert KazooState.SUSPENDED in states and KazooState.LOST not in states, states
print("OK")
k.stop(); k.close()
EOF
	BG_PID=$!
	cat go > /dev/null
	ens_kill "$leader"
	echo > done
	wait "$BG_PID"
	BG_PID=
	grep -qx OK kazoo.out
	ens_wait_leader $W
	ens_trees_equal
}

@test "the C client (zkcli on libzookeeper-mt) keeps its session and watch across a leader kill" {
	leader=$(ens_leader)
	hosts=$(hosts_leader_first "$leader")
	ens_zkcli "$leader" create /c v0 > /dev/null
	# A watch, on whichever server the client picked.
	"$ZKCLI" -s "$hosts" -t 10000 watch /c > watch.out 2>&1 &
	BG_PID=$!
	wait_until $W watch_holder
	holder=$(watch_holder)
	# The leader dies, and so does the client's server if another.
	ens_kill "$leader"
	[ "$holder" = "$leader" ] || ens_kill "$holder"
	ens_wait_leader $W
	other=$(ens_running | head -n 1)
	ens_zkcli "$other" set /c v1
	wait "$BG_PID"
	BG_PID=
	grep -qx "NodeDataChanged /c" watch.out
	ens_trees_equal
}

# The connect string of the running servers, the leader's first.
hosts_leader_first() {
	local i hosts="127.0.0.1:$(ens_port "$1")"
	for i in $(ens_running); do
		[ "$i" = "$1" ] || hosts="$hosts,127.0.0.1:$(ens_port "$i")"
	done
	echo "$hosts"
}

# The server holding the one watch (wchs counts it).
watch_holder() {
	local i
	for i in $(ens_running); do
		if ens_4lw "$i" wchs | grep -q "^1 connections watching 1 paths"
		then
			echo "$i"
			return 0
		fi
	done
	return 1
}
