#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# An ensemble on one host elects the leader ZooKeeper elects, serves only
# with a quorum of voters, and keeps one tree on every server:
#
#   - servers 1, 2, 3 started one after another: 1 alone does not serve,
#     2 leads as soon as it comes, 3 follows;
#   - the leader dies while one follower lags (it was down during some
#     writes): the one with the higher zxid leads, not the higher sid;
#   - servers 1..5 started in order: 1 and 2 do not serve, 3 leads, 4 and
#     5 follow; a follower stopped with SIGSTOP catches up once resumed;
#     when 3 dies with every zxid equal, 5 (the highest sid) leads;
#   - four servers serve with one down, not with two (two followers down:
#     the leader steps down; the leader and a follower down: no one is
#     elected), and serve again once a third is back;
#   - observers: Mode observer, reads served, writes forwarded to the
#     leader, and no vote: with two of three voters down nothing serves,
#     although the two observers would make three of five servers;
#   - writes through zkcli and kazoo on the leader, followers and
#     observers (data null, empty, binary; sequential, ephemeral, ACLs,
#     multi, deletes) leave every server with the same tree, every stat
#     field and ACL included (ens_trees_equal after every scenario);
#   - mntr: srst resets the quorum's counters; a leader times each commit
#     (quorum_ack_latency) and, for every thousandth zxid, each server's
#     ACK (<sid>_ack_latency).
#
# The servers are zkd (ENS_IMPL=zkd, the default) or Apache ZooKeeper 3.8
# (ENS_IMPL=apache), on the same zoo.cfg; see test/lib/ensemble.bash.
# The same file proves itself against Apache:
#   ENS_IMPL=apache make check TESTS=test/bats/40-ensemble.bats
# Ports 22000-22049: clients 22001-22009, quorum 22011-22019, election
# 22021-22029.

load "$TOP_SRCDIR/test/lib/ensemble.bash"

ENS_PORT_BASE=22000
W=30	# seconds any state may take to come (Apache starts slowly)

setup() {
	cd "$BATS_TEST_TMPDIR"
	HOLDER_PID=
	if [ "$ENS_IMPL" = apache ] && ! command -v java >/dev/null; then
		skip "ENS_IMPL=apache needs java"
	fi
}

teardown() {
	if [ -n "$HOLDER_PID" ]; then
		kill -KILL "$HOLDER_PID" 2>/dev/null || true
		wait "$HOLDER_PID" 2>/dev/null || true
	fi
	ens_teardown
}

# Writes through zkcli on server I, under /TAG; each must succeed, and
# the server that took them must show them at once.
cli_writes() {
	local i=$1 t=/$2
	ens_zkcli "$i" create "$t" "made on $i" > /dev/null
	ens_zkcli "$i" create "$t/null" > /dev/null
	ens_zkcli "$i" create "$t/empty" "" > /dev/null
	ens_zkcli "$i" create -s "$t/seq-" one > /dev/null
	ens_zkcli "$i" create -s "$t/seq-" two > /dev/null
	ens_zkcli "$i" create -e "$t/eph" "gone with its session" > /dev/null
	ens_zkcli "$i" create "$t/doomed" x > /dev/null
	ens_zkcli "$i" set "$t" "changed on $i"
	ens_zkcli "$i" set "$t/empty" ""
	ens_zkcli "$i" setacl "$t/null" \
	    'world:anyone:r,digest:u:Jq7wMyA/w2Vd5WIDAKdu4OIIFEQ=:cdrwa'
	ens_zkcli "$i" delete "$t/doomed"
	[ "$(ens_zkcli "$i" get "$t")" = "changed on $i" ]
	[ "$(ens_zkcli "$i" ls "$t" | tr '\n' ' ')" = \
	    "empty null seq-0000000002 seq-0000000003 " ]
}

# Writes through kazoo on server I, under /TAG: binary data, a multi, a
# failed multi, an ip ACL, setACL, a delete.
py_writes() {
	"$ENS_PY" - "$(ens_port "$1")" "/$2" <<'EOF'
import sys
from kazoo.client import KazooClient
from kazoo.exceptions import BadVersionError
from kazoo.security import make_acl, make_digest_acl
k = KazooClient(hosts="127.0.0.1:" + sys.argv[1], timeout=10)
k.start(timeout=30)
t = sys.argv[2]
k.create(t, b"kazoo")
k.create(t + "/bin", bytes(range(256)))
tx = k.transaction()
tx.create(t + "/m1", b"multi one")
tx.create(t + "/m2")
tx.set_data(t, b"set in a multi")
tx.check(t + "/bin", 0)
res = tx.commit()
assert not any(isinstance(r, Exception) for r in res), res
tx = k.transaction()
tx.create(t + "/never", b"x")
tx.check(t + "/bin", 7)
res = tx.commit()
assert isinstance(res[1], BadVersionError), res
k.create(t + "/ip", b"ip acl", acl=[make_acl("ip", "127.0.0.1", all=True)])
k.set_acls(t + "/bin", [make_acl("world", "anyone", read=True),
                        make_digest_acl("u", "p", all=True)])
k.delete(t + "/m1")
assert k.get(t)[0] == b"set in a multi"
assert sorted(k.get_children(t)) == ["bin", "ip", "m2"]
k.stop()
k.close()
EOF
}

# Holds a kazoo session on server I with an ephemeral node at PATH until
# the test ends, so that trees are compared with a live ephemeral in them.
holder_start() {
	local ready=$BATS_TEST_TMPDIR/holder.ready
	"$ENS_PY" - "$(ens_port "$1")" "$2" "$ready" \
	    > "$BATS_TEST_TMPDIR/holder.log" 2>&1 3>&- <<'EOF' &
import sys
import time
from kazoo.client import KazooClient
k = KazooClient(hosts="127.0.0.1:" + sys.argv[1], timeout=10)
k.start(timeout=30)
k.create(sys.argv[2], b"held", ephemeral=True)
open(sys.argv[3], "w").close()
while True:
    time.sleep(60)
EOF
	HOLDER_PID=$!
	wait_until "$W" test -e "$ready" ||
	    { cat "$BATS_TEST_TMPDIR/holder.log" >&2; return 1; }
}

# Server I, once synced with its leader, holds PATH with DATA.
get_is() {
	[ "$(printf 'sync /\nget %s\n' "$2" | ens_zkcli "$1")" = "$3" ]
}

# The running servers other than the leader, in sid order.
ens_followers() {
	local l i
	l=$(ens_leader)
	for i in $(ens_running); do
		[ "$i" = "$l" ] || echo "$i"
	done
}

# A write on server I fails: it does not serve (CONNECTIONLOSS).
write_refused() {
	run ens_zkcli "$1" -t 1000 create "$2" x
	[ "$status" -eq 3 ] || {
		echo "write on server $1 gave status $status: $output" >&2
		return 1
	}
}

@test "1, 2, 3 started in turn: 1 alone waits, 2 leads, 1 and 3 follow (seed 004); writes everywhere agree" {
	ens_init 3
	ens_start 1
	# One of three is no quorum: it answers, it does not serve.
	ens_4lw 1 srvr | grep -q 'not currently serving'
	[ "$(ens_mode 1)" = none ]
	ens_start 2
	ens_wait_leader "$W"
	[ "$(ens_leader)" = 2 ]
	[ "$(ens_mode 1)" = follower ]
	ens_start 3
	ens_wait_mode "$W" 3 follower
	ens_wait_leader "$W"
	[ "$(ens_leader)" = 2 ]
	ens_4lw 2 mntr | grep -qx $'zk_server_state\tleader'
	ens_4lw 3 mntr | grep -qx $'zk_server_state\tfollower'

	cli_writes 2 on-leader
	cli_writes 1 on-follower-1
	py_writes 3 kazoo-on-follower-3
	py_writes 2 kazoo-on-leader
	holder_start 1 /held-by-1
	ens_trees_equal
	# The dumps hold what was written, and the holder's live ephemeral
	# with its session as owner (the same on every server).
	grep -q '^/on-follower-1 data=6368616e676564206f6e2031 ' "$ENS_DIR/tree.3"
	grep -q '^/kazoo-on-follower-3/ip .*acl=31:ip:127.0.0.1 ' "$ENS_DIR/tree.1"
	grep '^/held-by-1 ' "$ENS_DIR/tree.2" | grep -qv 'ephemeralOwner=0x0 '
	# zkcli's ephemerals went with its sessions.
	run grep -c '/eph ' "$ENS_DIR/tree.2"
	[ "$output" = 0 ]
}

@test "the leader dies: the survivor with the higher zxid leads, not the higher sid (seed 001)" {
	ens_init 3
	ens_start 1
	ens_start 2
	ens_start 3
	ens_wait_leader "$W"
	local leader a b lag
	leader=$(ens_leader)
	read -r a b <<< "$(ens_followers | tr '\n' ' ')"
	cli_writes "$leader" before
	ens_wait_zxids_equal "$W"
	lag=$(ens_zxid "$b")

	# b, the follower with the higher sid, misses these writes.
	ens_kill "$b"
	ens_wait_leader "$W"
	cli_writes "$leader" while-down
	cli_writes "$a" while-down-via-follower
	(( $(ens_zxid "$a") > lag ))

	ens_kill "$leader"
	ens_wait_no_quorum "$W"
	ens_start "$b"
	ens_wait_leader "$W"
	[ "$(ens_leader)" = "$a" ]
	[ "$(ens_mode "$b")" = follower ]
	ens_start "$leader"
	ens_wait_leader "$W"
	[ "$(ens_leader)" = "$a" ]
	cli_writes "$b" after
	ens_trees_equal
	get_is "$b" /while-down-via-follower "changed on $a"
}

# mntr's value of KEY on server I.
mntr_value() {
	ens_4lw "$1" mntr | awk -v k="zk_$2" '$1 == k { print $2 }'
}

# Leader I holds no session (none can expire).
no_sessions() {
	[ "$(mntr_value "$1" global_sessions)" = 0 ]
}

@test "1..5 started in order: 3 leads, 4 and 5 follow (seed 003); with equal zxids the highest sid takes over" {
	ens_init 5
	ens_start 1
	ens_start 2
	# Two of five: no quorum yet.
	ens_4lw 1 srvr | grep -q 'not currently serving'
	ens_4lw 2 srvr | grep -q 'not currently serving'
	ens_start 3
	ens_wait_leader "$W"
	[ "$(ens_leader)" = 3 ]
	ens_start 4
	ens_wait_leader "$W"
	ens_start 5
	ens_wait_leader "$W"
	[ "$(ens_leader)" = 3 ]
	[ "$(ens_mode 4)" = follower ]
	[ "$(ens_mode 5)" = follower ]

	cli_writes 5 on-5
	py_writes 1 kazoo-on-1
	ens_trees_equal

	# Every survivor is in the same round of the election: the votes
	# alone decide.  (A server that went looking once more than the
	# others, as a paused one does, opens a newer round; the others
	# restart theirs on its first vote, and whoever gathers a quorum
	# first within finalizeWait may win, in ZooKeeper as here.)  And
	# every zxid is the same: no session is left whose expiry the
	# leader could propose just before it dies (a follower that logged
	# it would rightly win).
	wait_until "$W" no_sessions 3
	ens_wait_zxids_equal "$W"
	ens_kill 3
	ens_wait_leader "$W"
	[ "$(ens_leader)" = 5 ]
	ens_start 3
	ens_wait_leader "$W"
	[ "$(ens_leader)" = 5 ]
	[ "$(ens_mode 3)" = follower ]
	cli_writes 3 on-3

	# A follower stopped (SIGSTOP) misses writes, and catches up once
	# it runs again.
	ens_pause 4
	ens_wait_leader "$W"
	cli_writes 2 while-4-paused
	ens_resume 4
	ens_wait_leader "$W"
	wait_until "$W" get_is 4 /while-4-paused "changed on 2"
	ens_trees_equal
}


# Servers 1, 2 and 3 up, a leader settled.
three_up() {
	local i
	ens_init 3
	for i in 1 2 3; do
		ens_start "$i"
	done
	ens_wait_leader "$W"
}

@test "srst resets the quorum's counters on leader and follower; writes count them again" {
	local i leader f
	three_up
	leader=$(ens_leader)
	f=$(ens_followers | head -n 1)
	cli_writes "$f" before
	ens_wait_zxids_equal "$W"
	[ "$(mntr_value "$leader" commit_count)" -gt 0 ]
	[ "$(mntr_value "$f" learner_commit_received_count)" -gt 0 ]
	for i in "$leader" "$f"; do
		[ "$(ens_4lw "$i" srst)" = "Server stats reset." ]
	done
	for k in commit_count proposal_count looking_count; do
		[ "$(mntr_value "$leader" $k)" = 0 ]
	done
	for k in commit_count learner_commit_received_count \
	    learner_proposal_received_count looking_count; do
		[ "$(mntr_value "$f" $k)" = 0 ]
	done
	cli_writes "$f" after
	ens_wait_zxids_equal "$W"
	[ "$(mntr_value "$leader" commit_count)" -gt 0 ]
	[ "$(mntr_value "$f" learner_commit_received_count)" -gt 0 ]
}

# The sids that have <sid>_ack_latency keys in server I's mntr, sorted.
ack_latency_sids() {
	ens_4lw "$1" mntr |
	    sed -n 's/^zk_cnt_\([0-9]*\)_ack_latency\t[1-9][0-9]*$/\1/p' |
	    sort -n | tr '\n' ' '
}

@test "a leader times each commit and every thousandth zxid's acks (mntr)" {
	local i leader f sids n
	three_up
	leader=$(ens_leader)
	f=$(ens_followers | head -n 1)
	# zxid % 1000 == 0 comes within any 1000 txns of an epoch.
	ens_burst "$leader" /acks 1000
	ens_wait_zxids_equal "$W"
	n=$(mntr_value "$leader" cnt_quorum_ack_latency)
	[ "$n" -ge 1000 ]
	[ "$n" -le "$(mntr_value "$leader" commit_count)" ]
	# The quorum that committed a sampled txn acked it outstanding:
	# two sids at least, every one a member; with percentiles.
	sids=$(ack_latency_sids "$leader")
	[ "$(echo "$sids" | wc -w)" -ge 2 ]
	for i in $sids; do
		case $i in 1|2|3) ;; *) false ;; esac
		[ -n "$(mntr_value "$leader" "p999_${i}_ack_latency")" ]
	done
	# A follower times nothing.
	[ "$(mntr_value "$f" cnt_quorum_ack_latency)" = 0 ]
	[ -z "$(ack_latency_sids "$f")" ]
	# srst zeroes them; the keys stay.
	[ "$(ens_4lw "$leader" srst)" = "Server stats reset." ]
	[ "$(mntr_value "$leader" cnt_quorum_ack_latency)" = 0 ]
	for i in $sids; do
		[ "$(mntr_value "$leader" "cnt_${i}_ack_latency")" = 0 ]
	done
}

@test "four servers serve with one down, not with two (seed 000)" {
	ens_init 4
	local i leader f1 f2 f3
	for i in 1 2 3 4; do
		ens_start "$i"
	done
	ens_wait_leader "$W"
	leader=$(ens_leader)
	read -r f1 f2 f3 <<< "$(ens_followers | tr '\n' ' ')"

	# One down: three of four still serve writes.
	ens_kill "$f1"
	ens_wait_leader "$W"
	cli_writes "$f2" one-down
	cli_writes "$leader" one-down-on-leader

	# Two followers down: the leader has no quorum and steps down.
	ens_kill "$f2"
	ens_wait_no_quorum "$W"
	write_refused "$leader" /two-down
	write_refused "$f3" /two-down
	ens_none_serving

	# Back to three: a leader again, and writes.
	ens_start "$f1"
	ens_wait_leader "$W"
	cli_writes "$f1" back
	ens_trees_equal

	# All four again; then the leader and a follower down: the two left
	# elect no one.
	ens_start "$f2"
	ens_wait_leader "$W"
	leader=$(ens_leader)
	read -r f1 f2 f3 <<< "$(ens_followers | tr '\n' ' ')"
	ens_kill "$leader"
	ens_kill "$f1"
	ens_wait_no_quorum "$W"
	write_refused "$f2" /two-down-again
	write_refused "$f3" /two-down-again
	ens_none_serving
	ens_start "$leader"
	ens_wait_leader "$W"
	ens_trees_equal
	run ens_zkcli "$f2" exists /two-down
	[ "$status" -eq 4 ]
	run ens_zkcli "$f2" exists /two-down-again
	[ "$status" -eq 4 ]
}

@test "observers observe, serve reads, forward writes, and do not count for quorum" {
	ens_init 5 4 5
	local i leader v
	for i in 1 2 3 4 5; do
		ens_start "$i"
	done
	ens_wait_leader "$W"
	leader=$(ens_leader)
	[ "$leader" -le 3 ]
	[ "$(ens_mode 4)" = observer ]
	[ "$(ens_mode 5)" = observer ]
	ens_4lw 4 mntr | grep -qx $'zk_server_state\tobserver'

	# /zookeeper/config: the membership as the servers were given it.
	local want='' p
	for i in 1 2 3 4 5; do
		p=participant
		[ "$i" -ge 4 ] && p=observer
		want+="server.$i=127.0.0.1:$((ENS_PORT_BASE + 10 + i)):"
		want+="$((ENS_PORT_BASE + 20 + i)):$p"$'\n'
	done
	want+=version=0
	for i in 1 4; do
		[ "$(ens_zkcli "$i" get /zookeeper/config)" = "$want" ]
	done

	# Reads on an observer; writes on an observer reach the leader.
	ens_zkcli "$leader" create /from-leader "made on the leader" > /dev/null
	wait_until "$W" get_is 4 /from-leader "made on the leader"
	ens_zkcli 4 create /from-observer "made on observer 4" > /dev/null
	[ "$(ens_zkcli 4 get /from-observer)" = "made on observer 4" ]
	wait_until "$W" get_is "$leader" /from-observer "made on observer 4"
	cli_writes 5 on-observer-5
	py_writes 4 kazoo-on-observer-4
	ens_trees_equal

	# Two of three voters down: one voter and two observers are three of
	# five servers, but observers have no vote, so nothing serves.
	v=$(ens_followers | grep -v '^[45]$' | head -n 1)
	ens_kill "$leader"
	ens_kill "$v"
	ens_wait_no_quorum "$W"
	write_refused 4 /no-quorum
	ens_none_serving

	ens_start "$v"
	ens_wait_leader "$W"
	[ "$(ens_leader)" -le 3 ]
	[ "$(ens_mode 4)" = observer ]
	[ "$(ens_mode 5)" = observer ]
	cli_writes 4 after
	ens_trees_equal
	run ens_zkcli 5 exists /no-quorum
	[ "$status" -eq 4 ]
}
