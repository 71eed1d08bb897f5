#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# The launcher's network faults and handovers, with a client writing
# through every one of them (test/lib/failwriter.py: each acknowledged
# write must be there at the end):
#
#   - isolate: a follower cut off leaves broadcast while the others write
#     on; started again it is still cut off; healed it catches up;
#   - partition: the side without a majority stops serving (its leader
#     too), the majority elects and writes; healed, one leader, one tree;
#   - delay: a slow link under syncLimit changes nothing; a leader whose
#     sends are slower than syncLimit loses its followers; healed, all
#     serve again;
#   - expire: the session ends everywhere, its ephemeral with it;
#   - elect: leadership goes to the server named, in turn to each, and
#     nothing acknowledged is lost; what cannot be elected is refused.
#
# Ports: -p auto.  Waits are `zkensemble wait`, never sleeps.

load "$TOP_SRCDIR/test/lib/zkd.bash"

Z=${ZKENSEMBLE:-zkensemble}
PYTHON3=/usr/bin/python3
FW=$TOP_SRCDIR/test/lib/failwriter.py
load "$TOP_SRCDIR/test/lib/launched.bash"

@test "isolate: a follower cut off leaves broadcast, the others write on; restarted it is still cut off; healed it catches up" {
	"$Z" up -d -p auto >/dev/null
	start_writer
	f=$(role FOLLOWING | cut -d' ' -f1)
	run "$Z" isolate "$f"
	[ "$status" = 0 ]
	[[ $output == cut* ]]
	"$Z" wait -t 30 "$f" looking quorum
	writes_go_on
	# A network fault outlives the process.
	"$Z" restart "$f"
	"$Z" wait -t 30 "$f" looking
	writes_go_on
	"$Z" wait -t 30 "$f" looking quorum
	"$Z" status | grep -q "^$f .* LOOKING "
	run "$Z" heal
	[ "$output" = none ]
	"$Z" wait -t 30 "$f" following serving
	check_writes
	"$Z" wait -t 30 zxid-converged
}

@test "partition: the side without a majority stops serving, its old leader too; the majority writes on; healed, one leader and one tree" {
	"$Z" up -d -p auto -n 5 >/dev/null
	start_writer
	l=$("$Z" leader)
	f=$(role FOLLOWING | cut -d' ' -f1)
	"$Z" partition "$l,$f"
	"$Z" wait -t 30 leader-not "$l" quorum "$l" looking "$f" looking
	writes_go_on
	# The minority takes no write.
	port=$("$Z" port "$f" | cut -d' ' -f1)
	run "$ZKCLI" -s "127.0.0.1:$port" -t 2000 create /minority x
	[ "$status" != 0 ]
	"$Z" heal
	"$Z" wait -t 30 serving "$l" following "$f" following
	check_writes
	"$Z" wait -t 30 zxid-converged
	[ "$(role LEADING | wc -w)" = 1 ]
}

@test "delay: a slow link under syncLimit changes nothing; a leader slower than syncLimit loses its followers; healed, all serve" {
	"$Z" up -d -p auto >/dev/null
	start_writer
	l=$("$Z" leader)
	run "$Z" delay all all 20
	[ "$status" = 0 ]
	[[ $output == delay* ]]
	writes_go_on
	[ "$("$Z" leader)" = "$l" ]
	"$Z" wait -t 30 serving
	# The fast profile's syncLimit is 3 ticks of 100 ms.
	"$Z" delay "$l" all 2000
	"$Z" wait -t 30 leader-not "$l" quorum
	writes_go_on
	"$Z" heal
	"$Z" wait -t 30 serving "$l" following
	check_writes
	run "$Z" delay 1 2 -5
	[ "$status" = 2 ]
	run "$Z" isolate 7
	[ "$status" = 2 ]
	run "$Z" partition 1,2 2,3
	[ "$status" = 2 ]
}

@test "expire: the session ends on every server, its ephemeral with it, its client told" {
	"$Z" up -d -p auto >/dev/null
	: > client.out
	"$PYTHON3" - "$(hosts)" <<'EOF' >> client.out 2>&1 &
import sys, threading
from kazoo.client import KazooClient, KazooState
k = KazooClient(hosts=sys.argv[1], timeout=10)
lost = threading.Event()
k.add_listener(lambda s: lost.set() if s == KazooState.LOST else None)
k.start(timeout=30)
k.create("/eph", b"e", ephemeral=True)
print("0x%x" % k.client_id[0], flush=True)
print("LOST" if lost.wait(60) else "NOT TOLD", flush=True)
EOF
	client=$!
	wait_until 30 grep -q '^0x' client.out
	sid=$(head -1 client.out)
	"$Z" wait -t 30 zxid-converged
	for i in 1 2 3; do
		[ "$("$Z" cli "$i" get /eph)" = e ]
	done
	run "$Z" expire "$sid"
	[ "$status" = 0 ]
	wait "$client"
	[ "$(tail -1 client.out)" = LOST ]
	"$Z" wait -t 30 zxid-converged
	for i in 1 2 3; do
		run "$Z" cli "$i" get /eph
		[ "$status" != 0 ]
	done
	run "$Z" expire "$sid"
	[ "$status" = 1 ]
	[[ $output == *nosession* ]]
	run "$Z" expire 42
	[ "$status" = 2 ]
}

@test "elect: leadership goes to each server named in turn while a client writes; nothing acknowledged is lost; what cannot lead is refused" {
	"$Z" up -d -p auto -n 5 -o 1 >/dev/null
	start_writer
	for want in 1 3 5 2 4; do
		run "$Z" elect "$want"
		echo "elect $want: $output" >&2
		[ "$status" = 0 ]
		[ "$("$Z" leader)" = "$want" ]
		writes_go_on
	done
	run "$Z" elect 4
	[ "$output" = "already the leader" ]
	run "$Z" elect 6
	[ "$status" = 1 ]
	[[ $output == *"no voter"* ]]
	run "$Z" elect 9
	[ "$status" = 1 ]
	"$Z" wait -t 30 serving
	check_writes
	"$Z" wait -t 30 zxid-converged
	# The handovers are in the history.
	[ "$("$Z" events | grep -c 'elect: handing leadership')" = 5 ]
}
