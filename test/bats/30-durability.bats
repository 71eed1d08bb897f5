#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# Durability: every write zkd acknowledged survives kill -9 at a random
# moment, a clean stop, and a snapshot writer killed mid-way.  The writer
# and checker are test/lib/crashwriter.py: the writer keeps many requests
# in flight and journals each one after its success reply; the checker
# compares the recovered tree with what was sent and acknowledged.
#
# The kill -9 rounds are random: each round's moment (a number of
# acknowledged writes, then a delay of a few ms) and writer seed come from
# one seed, printed in the TAP output; ZKD_CRASH_SEED=N replays a run.
# Ports 21900-21909.

load "$TOP_SRCDIR/test/lib/zkd.bash"

PY=/usr/bin/python3
CW="$TOP_SRCDIR/test/lib/crashwriter.py"
ROUNDS=25

setup() {
	cd "$BATS_TEST_TMPDIR"
	mkdir -p w
	WRITER_PID=
}

teardown() {
	if [ -n "$WRITER_PID" ]; then
		kill -KILL "$WRITER_PID" 2>/dev/null || true
		wait "$WRITER_PID" 2>/dev/null || true
	fi
	zkd_stop
	# A snapshot writer dies with its server; its lock tells when.
	if [ -n "${ZKD_DIR:-}" ]; then
		wait_until 10 lock_free "$ZKD_DIR/data/zkd.pid"
	fi
}

# The data directory's lock (the pidfile) is held by no process: the
# server and any snapshot writer it forked are gone.
lock_free() {
	[ ! -e "$1" ] || flock -n -x "$1" true
}

# Starts zkd again on the zoo.cfg and data directory of the last zkd_start.
zkd_restart() {
	"$ZKD" -d -z "$ZKD_DIR/zoo.cfg" >> "$ZKD_DIR/zkd.log" 2>&1 3>&- &
	ZKD_PID=$!
	if ! wait_until 20 zkd_own_ready "$ZKD_PORT" "$ZKD_PID"; then
		echo "zkd did not start again on port $ZKD_PORT:" >&2
		tail -n 30 "$ZKD_DIR/zkd.log" >&2
		return 1
	fi
}

# SIGKILL, then wait until the server and its snapshot writer are gone.
zkd_kill9() {
	{
		kill -KILL "$ZKD_PID"
		wait "$ZKD_PID" || true
	} 2>/dev/null
	ZKD_PID=
	wait_until 10 lock_free "$ZKD_DIR/data/zkd.pid"
}

lines_at_least() {
	[ -f "$1" ] && [ "$(wc -l < "$1")" -ge "$2" ]
}

writer_start() {
	$PY "$CW" write "$ZKD_PORT" w "$1" "$2" > "w/writer.$1.log" 2>&1 3>&- &
	WRITER_PID=$!
}

# Waits for the writer; it must end with status $1.
writer_wait() {
	local rc=0
	wait "$WRITER_PID" || rc=$?
	WRITER_PID=
	if [ "$rc" -ne "$1" ]; then
		echo "writer exited $rc:"
		cat "w/writer.$2.log"
		return 1
	fi
}

check_round() {
	run $PY "$CW" check "$ZKD_PORT" w "$@"
	echo "$output"
	if [ "$status" -ne 0 ]; then
		grep -v purged "$ZKD_DIR/zkd.log" | tail -n 30
		return 1
	fi
}

@test "acknowledged writes survive kill -9 at random moments, $ROUNDS rounds on one data dir" {
	local seed=${ZKD_CRASH_SEED:-$(( $(date +%s%N) / 1000 % 1000000 ))}
	echo "# seed $seed (replay with ZKD_CRASH_SEED=$seed)" >&3
	echo "seed $seed (replay with ZKD_CRASH_SEED=$seed)"
	RANDOM=$seed
	# Snapshots and log rolls every 25-50 txns, small preallocations,
	# and a purge at each start.
	zkd_start 21900 snapCount=50 preAllocSize=16 \
	    autopurge.snapRetainCount=3 autopurge.purgeInterval=1
	local round acks acked early delay inflight=0
	for ((round = 1; round <= ROUNDS; round++)); do
		writer_start "$round" "$RANDOM"
		early=$((RANDOM % 6))
		acks=$((RANDOM % 1500 + 1))
		delay=$((RANDOM % 5))
		if [ "$early" -eq 0 ]; then
			# Right after the first requests went out.
			acks=$((RANDOM % 40 + 1))
			wait_until 30 lines_at_least "w/sent.$round" $((acks + 1))
			echo "round $round: kill -9 after $acks sent"
		else
			wait_until 30 lines_at_least "w/acked.$round" "$acks"
			sleep "0.0$delay"
			echo "round $round: kill -9 after $acks acknowledged" \
			    "+ ${delay}0 ms"
		fi
		zkd_kill9
		writer_wait 0 "$round"
		zkd_restart
		check_round "$round"
		acked=0
		[ ! -f "w/acked.$round" ] || acked=$(wc -l < "w/acked.$round")
		inflight=$((inflight + $(wc -l < "w/sent.$round") - 1 - acked))
	done
	# Writes were in flight at the kills; snapshots and rolls happened.
	[ "$inflight" -gt 0 ]
	V2=$ZKD_DIR/data/version-2
	[ "$(ls "$V2" | grep -c '^snapshot\.')" -ge 3 ]
	[ "$(ls "$V2" | grep -c '^log\.')" -ge 2 ]
	# No restart found damage it could not repair.
	run grep -E 'damaged|did not apply|none of' "$ZKD_DIR/zkd.log"
	[ "$status" -eq 1 ]
}

@test "after a clean stop (SIGTERM) the restarted server has every write" {
	zkd_start 21901 snapCount=50 preAllocSize=16
	run $PY "$CW" write 21901 w 1 7 --count 3000
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(wc -l < w/acked.1)" -eq 3000 ]
	zkd_stop
	zkd_restart
	check_round 1 --exact
	run grep -E 'torn|damaged|skipping|removed' "$ZKD_DIR/zkd.log"
	[ "$status" -eq 1 ]
}

@test "SIGTERM with writes in flight: exit 0, every acknowledged write kept, no torn tail" {
	zkd_start 21902 snapCount=50 preAllocSize=16
	writer_start 1 11
	wait_until 30 lines_at_least w/acked.1 1500
	kill -TERM "$ZKD_PID"
	local rc=0
	wait "$ZKD_PID" || rc=$?
	ZKD_PID=
	[ "$rc" -eq 0 ]
	writer_wait 0 1
	wait_until 10 lock_free "$ZKD_DIR/data/zkd.pid"
	zkd_restart
	check_round 1
	run grep -E 'torn|damaged|skipping|removed' "$ZKD_DIR/zkd.log"
	[ "$status" -eq 1 ]
}

@test "a snapshot writer killed mid-way leaves a data dir that recovers: the temporary file goes, the tree is whole" {
	# A tree of 16 MB, so that a snapshot takes long enough to be caught.
	zkd_start 21903 snapCount=1000000 preAllocSize=64
	$PY "$CW" fill 21903 /big 16 --size 1000000
	zkd_stop
	sed -i 's/^snapCount=.*/snapCount=2/' "$ZKD_DIR/zoo.cfg"
	zkd_restart
	V2=$ZKD_DIR/data/version-2
	run $PY "$CW" snapkill 21903 "$ZKD_PID" "$V2" /big/n0
	echo "$output"
	[ "$status" -eq 0 ]
	tmp=$output
	[[ "$tmp" == snapshot.*.tmp ]]
	wait_until 20 grep -q "snapshot 0x${tmp:9:-4} failed (status 9)" \
	    "$ZKD_DIR/zkd.log"
	run $PY "$CW" dump 21903 /big
	[ "$status" -eq 0 ]
	before=$output
	[ "$(echo "$before" | grep -c ' 1000000 bytes, sha1 ')" -eq 15 ]
	zkd_kill9
	[ -e "$V2/$tmp" ]
	zkd_restart
	[ ! -e "$V2/$tmp" ]
	grep -qF "removed $V2/$tmp, left by an interrupted snapshot" \
	    "$ZKD_DIR/zkd.log"
	[ -z "$(ls "$V2" | grep '\.tmp$')" ]
	run $PY "$CW" dump 21903 /big
	[ "$status" -eq 0 ]
	[ "$output" = "$before" ]
}
