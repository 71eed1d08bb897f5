#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# A test file as an application's authors would write it with the bats
# helpers zkensemble installs (test/bats/zkensemble.bash): one ensemble
# for the file, the application run against it, ZooKeeper broken under
# it.  The application here is a small worker (kazoo) that registers
# itself as an ephemeral node and registers again whenever its session
# is lost.
#
# Installed, the first line would be
#   load /usr/local/share/zkensemble/zkensemble.bash
# Ports: -p auto, through the helpers.

load "${ZKENSEMBLE_BATS:-/usr/local/share/zkensemble/zkensemble.bash}"

setup_file() {
	zke_up -n 3
	cat > "$BATS_FILE_TMPDIR/worker.py" <<'EOF'
import queue, signal, sys
from kazoo.client import KazooClient, KazooState
hosts, name, out = sys.argv[1:4]
def register(k):
    k.ensure_path("/workers")
    k.create("/workers/" + name, b"up", ephemeral=True)
    with open(out, "a") as f:
        f.write("registered 0x%x\n" % k.client_id[0])
states = queue.Queue()
k = KazooClient(hosts=hosts, timeout=4)
k.add_listener(states.put)
k.start(timeout=30)
register(k)
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
while True:
    if states.get() == KazooState.LOST:
        # kazoo opens a new session by itself: register in it.
        while states.get() != KazooState.CONNECTED:
            pass
        register(k)
EOF
}

teardown_file() {
	zke_down
}

setup() {
	WORKER=
}

teardown() {
	[ -z "$WORKER" ] || kill "$WORKER" 2>/dev/null || true
}

start_worker() {
	: > "$BATS_TEST_TMPDIR/worker.out"
	/usr/bin/python3 "$BATS_FILE_TMPDIR/worker.py" "$ZK_SERVERS" "$1" \
	    "$BATS_TEST_TMPDIR/worker.out" &
	WORKER=$!
	zke_until 30 registered 1
}

# The worker registered at least N times.
registered() {
	[ "$(grep -c registered "$BATS_TEST_TMPDIR/worker.out")" -ge "$1" ]
}

@test "a worker's registration survives the ZooKeeper leader's death" {
	start_worker w1
	zke_wait zxid-converged
	run zke_cli "$(zke_follower)" get /workers/w1
	[ "$output" = up ]
	old=$(zke_leader)
	zke_kill leader
	zke_wait leader-not "$old" quorum
	# Same session, same node: nothing was registered again.
	run zke_cli leader get /workers/w1
	[ "$output" = up ]
	[ "$(grep -c registered "$BATS_TEST_TMPDIR/worker.out")" = 1 ]
	zke_start "$old"
	zke_wait "$old" following zxid-converged
	run zke_cli "$old" get /workers/w1
	[ "$output" = up ]
}

@test "a worker whose session expires registers again" {
	start_worker w2
	session=$(awk '{ print $2; exit }' "$BATS_TEST_TMPDIR/worker.out")
	zke_expire "$session"
	zke_until 30 registered 2
	second=$(awk 'NR == 2 { print $2 }' "$BATS_TEST_TMPDIR/worker.out")
	[ "$second" != "$session" ]
	zke_wait zxid-converged
	run zke_cli leader get /workers/w2
	[ "$output" = up ]
	[ "$(grep -c registered "$BATS_TEST_TMPDIR/worker.out")" = 2 ]
}

@test "cut off from the majority, a server takes no write; healed, it has them all" {
	f=$(zke_follower)
	zke_isolate "$f"
	zke_wait "$f" looking quorum
	run "$ZKCLI" -s "127.0.0.1:$(zke_port "$f")" -t 2000 create /cut x
	[ "$status" != 0 ]
	zke_cli leader create /while-cut y
	zke_heal
	zke_wait "$f" following zxid-converged
	run zke_cli "$f" get /while-cut
	[ "$output" = y ]
}
