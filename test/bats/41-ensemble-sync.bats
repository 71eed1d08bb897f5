#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# How a member is brought up to date, and what a deposed leader can do:
#
#   - DIFF: a follower down during writes gets the txns it missed;
#   - SNAP: a follower whose data directory was lost gets the leader's
#     snapshot;
#   - TRUNC: a leader that logged a write nobody else has, then died,
#     comes back and cuts it (the write was never acknowledged, and is
#     nowhere);
#   - a paused leader (SIGSTOP) is replaced; resumed, it steps down and
#     follows, and a client on it is never told that a write succeeded
#     unless the write is on every server;
#   - sessions move: a session made on one server is resumed on another
#     with its ephemeral; a session whose client vanished is expired by
#     the leader and its ephemeral is gone everywhere;
#   - after each, every server holds the same tree.
#
# The sync mode is read from each zkd's log ("synced with leader N by
# DIFF"), so these run on zkd only.  Ports 22050-22079.

load "$TOP_SRCDIR/test/lib/ensemble.bash"

ENS_PORT_BASE=22050
W=30

setup() {
	cd "$BATS_TEST_TMPDIR"
	BG_PID=
	if [ "$ENS_IMPL" != zkd ]; then
		skip "reads zkd's own log"
	fi
}

teardown() {
	if [ -n "$BG_PID" ]; then
		kill -KILL "$BG_PID" 2>/dev/null || true
		wait "$BG_PID" 2>/dev/null || true
	fi
	ens_teardown
}

# Starts servers 1..N and waits for them to settle.
start_all() {
	local i
	ens_init "$1"
	for i in $(seq 1 "$1"); do
		ens_start "$i"
	done
	ens_wait_leader $W
}

# The follower with the lowest sid (never the leader).
a_follower() {
	local i
	for i in $(ens_running); do
		[ "$(ens_mode "$i")" = follower ] && { echo "$i"; return 0; }
	done
	return 1
}

# Server I's log says it synced N times.
synced_times() {
	[ "$(grep -c 'synced with leader' "$ENS_DIR/s$1/server.log")" -ge "$2" ]
}

# The last zxid in server I's log files (0x...), read from the files.
logged_zxid() {
	"$ENS_PY" - "$ENS_DIR/s$1/data/version-2" <<'EOF'
import glob, sys
import zklog
last = 0
for f in glob.glob(sys.argv[1] + "/log.*"):
    with open(f, "rb") as fh:
        ents, _ = zklog.entries(fh.read())
    for e in ents:
        last = max(last, e[2])
print("0x%x" % last)
EOF
}

logged_beyond() {
	[ "$(( $(logged_zxid "$1") > $2 ))" = 1 ]
}

@test "a follower that missed writes is brought up to date by DIFF" {
	start_all 3
	f=$(a_follower)
	leader=$(ens_leader)
	# It holds some of the epoch (from no txn at all, a SNAP it would be).
	ens_writes "$leader" pre 2
	ens_wait_zxids_equal $W
	ens_stop "$f"
	ens_writes "$leader" diff 20
	ens_start "$f"
	wait_until $W synced_times "$f" 2
	ens_wait_leader $W
	[ "$(ens_last_sync "$f")" = DIFF ]
	ens_wait_zxids_equal $W
	[ "$(ens_zkcli "$f" get /diff/n20)" = "value 20" ]
	ens_trees_equal
}

@test "a follower that lost its data directory gets the leader's snapshot (SNAP)" {
	start_all 3
	leader=$(ens_leader)
	ens_writes "$leader" snap 10
	f=$(a_follower)
	ens_stop "$f"
	rm -rf "$ENS_DIR/s$f/data/version-2"
	ens_start "$f"
	wait_until $W synced_times "$f" 2
	ens_wait_leader $W
	[ "$(ens_last_sync "$f")" = SNAP ]
	ens_wait_zxids_equal $W
	[ "$(ens_zkcli "$f" get /snap/n10)" = "value 10" ]
	# What follows the snapshot is logged as usual: a restart keeps it.
	ens_writes "$leader" after 3
	ens_wait_zxids_equal $W
	ens_stop "$f"
	ens_start "$f"
	ens_wait_leader $W
	ens_wait_zxids_equal $W
	[ "$(ens_zkcli "$f" get /after/n3)" = "value 3" ]
	ens_trees_equal
}

@test "a leader's write that only it logged is cut (TRUNC) when it comes back" {
	start_all 3
	old=$(ens_leader)
	ens_writes "$old" base 3
	ens_wait_zxids_equal $W
	set -- $(ens_running | grep -vx "$old")
	f1=$1 f2=$2
	# The leader keeps a quorum with f2, which takes in no packet.
	ens_kill "$f1"
	ens_pause "$f2"
	before=$(logged_zxid "$old")
	# zkcli itself in the background (a function would be a subshell).
	"$ZKCLI" -s "127.0.0.1:$(ens_port "$old")" -t 60000 create /lonely x \
	    > "$BATS_TEST_TMPDIR/lonely.out" 2>&1 &
	BG_PID=$!
	# The new session's txn is in the leader's log, and only there.
	wait_until $W logged_beyond "$old" "$before"
	ens_kill "$old"
	ens_kill "$f2"
	kill "$BG_PID" 2>/dev/null || true
	wait "$BG_PID" 2>/dev/null || true
	BG_PID=
	! grep -q '^/lonely$' "$BATS_TEST_TMPDIR/lonely.out"
	ens_start "$f1"
	ens_start "$f2"
	ens_wait_leader $W
	new=$(ens_leader)
	ens_writes "$new" next 3
	ens_start "$old"
	wait_until $W synced_times "$old" 1
	ens_wait_leader $W
	[ "$(ens_last_sync "$old")" = TRUNC ]
	ens_wait_zxids_equal $W
	run ens_zkcli "$old" exists /lonely
	[ "$status" -ne 0 ]
	[ "$(ens_zkcli "$old" get /next/n3)" = "value 3" ]
	# The cut is durable: a restart replays no trace of it.
	ens_stop "$old"
	ens_start "$old"
	ens_wait_leader $W
	ens_wait_zxids_equal $W
	[ "$(logged_zxid "$old")" = "$(ens_zxid "$new")" ]
	ens_trees_equal
}

@test "a paused leader is replaced; resumed, it follows and commits nothing alone" {
	start_all 3
	old=$(ens_leader)
	ens_writes "$old" before 2
	ens_pause "$old"
	ens_wait_leader $W
	new=$(ens_leader)
	[ "$new" != "$old" ]
	# A client of the old leader writes while it is paused.
	"$ZKCLI" -s "127.0.0.1:$(ens_port "$old")" -t 20000 create /fenced x \
	    > "$BATS_TEST_TMPDIR/fenced.out" 2>&1 &
	BG_PID=$!
	ens_resume "$old"
	ens_wait_mode $W "$old" follower
	wait "$BG_PID" && acked=1 || acked=0
	BG_PID=
	ens_wait_leader $W
	ens_wait_zxids_equal $W
	# Told it succeeded only if it is there, on every server.
	if [ "$acked" = 1 ]; then
		for i in $(ens_running); do
			ens_zkcli "$i" exists /fenced > /dev/null
		done
	fi
	grep -q "lost the quorum\|not enough followers\|gives up" \
	    "$ENS_DIR/s$old/server.log"
	ens_trees_equal
}

@test "a session moves between servers with its ephemeral; an abandoned one expires everywhere" {
	start_all 3
	"$ENS_PY" - "$(ens_port 1)" "$(ens_port 2)" "$(ens_port 3)" <<'EOF'
import sys, time
import zkwire
from kazoo.client import KazooClient
p1, p2, p3 = sys.argv[1:4]
def client(port, cid=None):
    k = KazooClient(hosts="127.0.0.1:" + port, timeout=10, client_id=cid)
    k.start(timeout=20)
    return k
a = zkwire.Conn(int(p1))
a.handshake(timeout=10000)
op, body = zkwire.req_create("/moving", b"m", flags=zkwire.EPHEMERAL)
a.call(1, op, body)
cid = (a.session_id, a.passwd)
a.close()
# Resumed on another server: the same session, the ephemeral still its.
b = client(p2, cid)
assert b.client_id[0] == cid[0], "a new session on the second server"
st = b.exists("/moving")
assert st is not None and st.ephemeralOwner == cid[0], st
b.create("/moving2", b"", ephemeral=True)
# Closed there: its ephemerals are gone everywhere.
b.stop(); b.close()
c = client(p3)
for _ in range(400):
    c.sync("/")
    if c.exists("/moving") is None and c.exists("/moving2") is None:
        break
    time.sleep(0.05)
assert c.exists("/moving") is None and c.exists("/moving2") is None
c.stop(); c.close()
EOF
	# A raw session that just goes silent, on a follower.
	f=$(a_follower)
	"$ENS_PY" - "$(ens_port "$f")" <<'EOF'
import sys
import zkwire
c = zkwire.Conn(int(sys.argv[1]))
c.handshake(timeout=4000)
op, body = zkwire.req_create("/abandoned", b"", flags=zkwire.EPHEMERAL)
c.call(1, op, body)
# No closeSession: the client just goes (a crash, a cable pulled).
c.close()
EOF
	ens_wait_zxids_equal $W
	for i in $(ens_running); do
		ens_zkcli "$i" exists /abandoned > /dev/null
	done
	for i in $(ens_running); do
		wait_until $W ens_gone_on "$i" /abandoned
	done
	ens_trees_equal
}

ens_gone_on() {
	! ens_zkcli "$1" exists "$2" > /dev/null 2>&1
}
