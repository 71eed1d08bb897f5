#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# The benchmark tools work, so that `make bench` measures servers and not
# a broken harness:
#
#   - zkload spreads its sessions over every server it is given (session
#     i on server i mod N) and runs each operation against an ensemble:
#     every request answered without error, the count it was asked for;
#     the nodes it reads are its own sessions' writes, so reads through
#     followers find them;
#   - zkload refuses a bad server list and exits 69 when no server
#     answers;
#   - versus.py, the side-by-side benchmark, runs a short pass on zkd and
#     Apache ZooKeeper (one run of three servers each: start, leader
#     killed) and reports both with their ratio, as a table and as JSON.
#
# Ports 22300-22399: the ensemble 22301-22329, versus.py 22341-22399.

load "$TOP_SRCDIR/test/lib/ensemble.bash"

ENS_PORT_BASE=22300
ZKLOAD=${ZKLOAD:-$TOP_BUILDDIR/test/bench/zkload}

setup() {
	cd "$BATS_TEST_TMPDIR"
}

teardown() {
	ens_teardown
}

# Requests server I has received so far (mntr).
received() {
	ens_4lw "$1" mntr | awk -F'\t' '$1 == "zk_packets_received" { print $2 }'
}

@test "zkload spreads its sessions over the servers and runs every operation" {
	local i op before=() after
	ens_init 3
	for i in 1 2 3; do ens_start "$i"; done
	ens_wait_leader 30
	for i in 1 2 3; do before[i]=$(received "$i"); done
	for op in create setData getData exists; do
		run "$ZKLOAD" -s "$(ens_connect_string)" -o "$op" -c 6 -k 8 \
		    -b 100 -n 600 -r /zkload-$op
		echo "$output"
		[ "$status" -eq 0 ]
		[[ $output == *'"errors":0,'* ]]
		[[ $output == *'"lost_sessions":0,'* ]]
		[[ $output == *"\"op\":\"$op\""* ]]
		[[ $output == *'"ops":600,'* ]]
	done
	# Two of the six sessions on each server, 4 x 600 requests in all.
	for i in 1 2 3; do
		after=$(received "$i")
		echo "server $i: ${before[i]} -> $after"
		[ $((after - before[i])) -gt 300 ]
	done
	ens_trees_equal
}

@test "zkload refuses a bad server list and exits 69 when nothing answers" {
	run "$ZKLOAD" -s "127.0.0.1:22301,:" -n 1
	[ "$status" -eq 64 ]
	[[ $output == *"bad server"* ]]
	run "$ZKLOAD" -s "127.0.0.1:22309" -n 1
	[ "$status" -eq 69 ]
}

@test "versus.py compares zkd and Apache ZooKeeper and reports the ratio" {
	command -v java > /dev/null || skip "no java"
	[ -e /usr/share/java/zookeeper.jar ] || skip "no Apache ZooKeeper"
	run env PYTHONPATH="$TOP_SRCDIR/test/lib:$TOP_SRCDIR/test/bench" \
	    ZKD="$ZKD" ZKLOAD="$ZKLOAD" /usr/bin/python3 \
	    "$TOP_SRCDIR/test/bench/versus.py" --runs 1 --only sizes \
	    --sizes 3 --ports 22340 --tmpdir "$BATS_TEST_TMPDIR" \
	    --json v.json --md v.md --plots plots
	echo "$output"
	[ "$status" -eq 0 ]
	grep -E '^\| cold start, 3 servers \| ms \| [0-9]+ \| [0-9]+ \| [0-9.e+-]+ \|' v.md
	grep -E '^\| kill -9 leader to a write, 3 servers \| ms \| [0-9]+ \| [0-9]+ \|' v.md
	/usr/bin/python3 - v.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
rows = {r["metric"]: r for r in d["summary"]}
r = rows["cold start, 3 servers"]
assert r["zkd"]["runs"] == 1 and r["apache"]["runs"] == 1, r
assert abs(r["ratio"] - r["zkd"]["median"] / r["apache"]["median"]) < 1e-9
runs = [x for x in d["results"] if "error" not in x]
assert sorted(x["impl"] for x in runs) == ["apache", "zkd"], runs
assert all(x["start_ms"] > 0 and x["kill_ms"] > 0 for x in runs), runs
PY
	# Nothing left listening on the client ports it used.
	run nc -z 127.0.0.1 22341
	[ "$status" -ne 0 ]
	run nc -z 127.0.0.1 22371
	[ "$status" -ne 0 ]
}
