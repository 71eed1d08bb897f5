#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# Damaged data directories: what zkd does with a torn log tail, damage in
# the middle of a log, a damaged snapshot and the leftovers of a crash.
# A torn tail (nothing valid after the bad spot) is cut back with one log
# line; damage with valid transactions after it stops start-up with exit
# 65 and leaves every file as it was.  Log entries are found with
# test/lib/zklog.py, which parses the format of src/txnlog.h on its own.
# Ports 21910-21919.

load "$TOP_SRCDIR/test/lib/zkd.bash"

PY=/usr/bin/python3
CW="$TOP_SRCDIR/test/lib/crashwriter.py"
ZKLOG="$TOP_SRCDIR/test/lib/zklog.py"

setup() {
	cd "$BATS_TEST_TMPDIR"
}

teardown() {
	zkd_stop
}

# Starts zkd again on the zoo.cfg and data directory of the last zkd_start.
zkd_restart() {
	"$ZKD" -d -z "$ZKD_DIR/zoo.cfg" >> "$ZKD_DIR/zkd.log" 2>&1 &
	ZKD_PID=$!
	if ! wait_until 20 zkd_own_ready "$ZKD_PORT" "$ZKD_PID"; then
		echo "zkd did not start again on port $ZKD_PORT:" >&2
		cat "$ZKD_DIR/zkd.log" >&2
		return 1
	fi
}

# Runs zkd on the last zkd_start's configuration where it must not start.
zkd_refused() {
	run timeout 20 "$ZKD" -d -z "$ZKD_DIR/zoo.cfg"
}

# A data directory: snapshot.0 (empty tree) and log.1 holding the session
# and the creates of /d and /d/n0 .. /d/n9, the last txn being /d/n9's.
make_data() {
	zkd_start "$1" snapCount=100000 preAllocSize=64
	$PY "$CW" fill "$1" /d 10
	zkd_stop
	V2=$ZKD_DIR/data/version-2
	LOG=$V2/log.1
	[ -f "$V2/snapshot.0" ]
	[ "$(ls "$V2" | grep -c '^log\.')" -eq 1 ]
}

# "OFFSET SIZE" of entry N of a log (1 the first, -1 the last).
entry() {
	$PY "$ZKLOG" entries "$1" | grep -v '^end\|^size' |
	    awk -v n="$2" '{ o[NR] = $1 " " $2 } END {
		i = n < 0 ? NR + n + 1 : n; if (i >= 1 && i <= NR) print o[i] }'
}

log_end() {
	$PY "$ZKLOG" entries "$1" | awk '$1 == "end" { print $2 }'
}

file_size() {
	stat -c %s "$1"
}

# Every file of the data directory with its checksum.
dir_sums() {
	(cd "$ZKD_DIR/data" && find . -type f ! -name zkd.pid | sort |
	    xargs sha256sum)
}

expect_tree() {
	run $PY "$CW" dump "$ZKD_PORT" "$1"
	[ "$status" -eq 0 ]
	local want
	want=$(printf '%s\n' "$@" | tail -n +2)
	if [ "$output" != "$want" ]; then
		echo "tree under $1:"
		echo "$output"
		echo "expected:"
		echo "$want"
		return 1
	fi
}

d_nodes() {
	local i
	echo "/d top"
	for ((i = 0; i < $1; i++)); do echo "/d/n$i v$i"; done
}

# Restarts zkd and checks it cut $LOG back to offset $1 with one log line
# and serves everything written before that entry.
restart_expect_torn_tail() {
	local off=$1
	zkd_restart
	[ "$(grep -c 'torn tail' "$ZKD_DIR/zkd.log")" -eq 1 ]
	grep 'torn tail' "$ZKD_DIR/zkd.log" | grep -qF "$LOG: torn tail at offset $off"
	[ "$(file_size "$LOG")" -eq "$off" ]
	mapfile -t want < <(d_nodes 9)
	expect_tree /d "${want[@]}"
}

@test "a log cut in the middle of its last entry: start, one line naming the file, truncated, everything before it served" {
	make_data 21910
	read -r off size < <(entry "$LOG" -1)
	[ "$(entry "$LOG" -1 | wc -l)" -eq 1 ]
	truncate -s $((off + size / 2)) "$LOG"
	restart_expect_torn_tail "$off"
}

@test "a bad checksum in the last entry: start, one line naming the file, truncated, everything before it served" {
	make_data 21911
	read -r off size < <(entry "$LOG" -1)
	# The low byte of the Adler32 (the high four bytes are always zero).
	$PY "$ZKLOG" flip "$LOG" $((off + 7))
	[ "$(log_end "$LOG")" -eq "$off" ]
	restart_expect_torn_tail "$off"
}

@test "preallocated zeros after the last entry are the end of the log: normal start, no warning" {
	make_data 21912
	end=$(log_end "$LOG")
	size=$(file_size "$LOG")
	[ "$size" -gt "$end" ]
	$PY "$ZKLOG" zeros "$LOG" "$end"
	sum=$(sha256sum < "$LOG")
	zkd_restart
	run grep -E 'torn|damaged|skipping|removed|did not apply|cannot' \
	    "$ZKD_DIR/zkd.log"
	[ "$status" -eq 1 ]
	grep -q 'replayed 12 txns, last zxid 0xc' "$ZKD_DIR/zkd.log"
	[ "$(sha256sum < "$LOG")" = "$sum" ]
	mapfile -t want < <(d_nodes 10)
	expect_tree /d "${want[@]}"
}

@test "damage in the middle of a log, valid entries after it: exit 65 naming file and offset, data dir untouched" {
	make_data 21913
	cp -a "$ZKD_DIR/data" pristine
	read -r off size < <(entry "$LOG" 5)
	# Checksum, length, a byte of the txn, the end-of-record byte.
	for at in $((off + 7)) $((off + 8)) $((off + 12 + 24)) \
	    $((off + size - 1)); do
		rm -rf "$ZKD_DIR/data"
		cp -a pristine "$ZKD_DIR/data"
		$PY "$ZKLOG" flip "$LOG" "$at"
		before=$(dir_sums)
		zkd_refused
		echo "byte $at: status $status: $output"
		[ "$status" -eq 65 ]
		[[ "$output" == *"$LOG: damaged at offset $off "* ]]
		[[ "$output" == *"valid transactions after it"* ]]
		[ "$(dir_sums)" = "$before" ]
	done
}

@test "a bad last entry in an older log with a newer log holding entries: exit 65, data dir untouched" {
	make_data 21914
	zkd_restart
	$PY "$CW" fill 21914 /e 3
	zkd_stop
	[ "$(ls "$V2" | grep -c '^log\.')" -eq 2 ]
	read -r off size < <(entry "$LOG" -1)
	$PY "$ZKLOG" flip "$LOG" $((off + 7))
	before=$(dir_sums)
	zkd_refused
	echo "status $status: $output"
	[ "$status" -eq 65 ]
	[[ "$output" == *"$LOG: damaged at offset $off "* ]]
	[ "$(dir_sums)" = "$before" ]
}

@test "a damaged newest snapshot is skipped with a line naming it: the older snapshot and the logs give the full tree" {
	make_data 21915
	zkd_restart
	$PY "$CW" fill 21915 /e 3
	zkd_stop
	snaps=$(ls "$V2" | grep '^snapshot\.' | sort -t. -k2,2 | tr '\n' ' ')
	[ "$snaps" = "snapshot.0 snapshot.c " ]
	size=$(file_size "$V2/snapshot.c")
	$PY "$ZKLOG" flip "$V2/snapshot.c" $((size / 2))
	zkd_restart
	grep -qF "skipping snapshot $V2/snapshot.c: " "$ZKD_DIR/zkd.log"
	grep -qF "loaded snapshot $V2/snapshot.0" "$ZKD_DIR/zkd.log"
	mapfile -t want < <(d_nodes 10)
	expect_tree /d "${want[@]}"
	expect_tree /e "/e top" "/e/n0 v0" "/e/n1 v1" "/e/n2 v2"
}

@test "the only snapshot damaged: exit 65, each snapshot's damage logged, never a partial tree, data dir untouched" {
	make_data 21916
	size=$(file_size "$V2/snapshot.0")
	truncate -s $((size / 2)) "$V2/snapshot.0"
	before=$(dir_sums)
	zkd_refused
	echo "status $status: $output"
	[ "$status" -eq 65 ]
	[[ "$output" == *"skipping snapshot $V2/snapshot.0: "*" at offset "* ]]
	[[ "$output" == *"$V2: none of the 1 snapshots can be read"* ]]
	[[ "$output" != *"serving"* ]]
	[ "$(dir_sums)" = "$before" ]
}

@test "a torn snapshot temporary file left behind is removed at start" {
	make_data 21917
	head -c 200 "$V2/snapshot.0" > "$V2/snapshot.c.tmp"
	zkd_restart
	[ ! -e "$V2/snapshot.c.tmp" ]
	grep -qF "removed $V2/snapshot.c.tmp, left by an interrupted snapshot" \
	    "$ZKD_DIR/zkd.log"
	mapfile -t want < <(d_nodes 10)
	expect_tree /d "${want[@]}"
}

@test "a newest log that never got an entry (empty, preallocated zeros, torn first write) is removed and writes go on" {
	make_data 21918
	cp -a "$ZKD_DIR/data" pristine
	# The file the next write (zxid 0xd) would create.
	for kind in empty zeros torn; do
		zkd_stop
		rm -rf "$ZKD_DIR/data"
		cp -a pristine "$ZKD_DIR/data"
		case $kind in
		empty)	: > "$V2/log.d" ;;
		zeros)	head -c 65536 /dev/zero > "$V2/log.d" ;;
		torn)	head -c 60 "$LOG" > "$V2/log.d" ;;
		esac
		: > "$ZKD_DIR/zkd.log"
		zkd_restart
		grep -qF "$V2/log.d: torn before its first entry, removed" \
		    "$ZKD_DIR/zkd.log"
		run $PY "$CW" fill 21918 /e 1
		echo "$kind: $output"
		[ "$status" -eq 0 ]
		zkd_stop
		zkd_restart
		expect_tree /e "/e top" "/e/n0 v0"
		mapfile -t want < <(d_nodes 10)
		expect_tree /d "${want[@]}"
	done
}
