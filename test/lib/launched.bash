# SPDX-License-Identifier: ISC
#
# launched.bash: for bats files that break an ensemble zkensemble runs
# while test/lib/failwriter.py writes through it.  Each test gets its own
# run directory; teardown stops the writer and the ensemble and fails if
# any process of the test is left.  Needs Z (zkensemble), FW
# (failwriter.py), PYTHON3 and zkd.bash's wait_until and zkd_gone.

setup() {
	cd "$BATS_TEST_TMPDIR"
	export ZKENSEMBLE_RUNDIR=$BATS_TEST_TMPDIR/ens
	WRITER=
}

teardown() {
	local pid left=
	[ -z "$WRITER" ] || kill "$WRITER" 2>/dev/null || true
	"$Z" down >/dev/null 2>&1 || true
	for pid in $(pgrep -f "$BATS_TEST_TMPDIR" || true); do
		[ "$pid" = $$ ] && continue
		zkd_gone "$pid" || left="$left $pid"
	done
	if [ -n "$left" ]; then
		pkill -KILL -f "$BATS_TEST_TMPDIR" || true
		echo "processes left behind:$left" >&2
		return 1
	fi
}

hosts() {
	"$Z" env | sed -n 's/^export ZK_SERVERS=//p'
}

# The sids in ROLE (LEADING, FOLLOWING, LOOKING, OBSERVING), by status,
# on one line.
role() {
	"$Z" status | awk -v r="$1" '$7 == r { print $1 }' | xargs
}

acked() {
	if [ -f acked ]; then wc -l < acked; else echo 0; fi
}

# Starts the writer on the whole ensemble; waits for its first writes.
start_writer() {
	: > acked
	"$PYTHON3" "$FW" write "$(hosts)" acked 2> writer.err &
	WRITER=$!
	writes_go_on
}

# The writer gets N (10) more writes acknowledged.
writes_go_on() {
	local want=$(($(acked) + ${1:-10}))
	wait_until 60 acked_reaches "$want"
}

acked_reaches() {
	[ "$(acked)" -ge "$1" ]
}

# Stops the writer, checks every acknowledged write is there, and that
# there were at least N (30).
check_writes() {
	kill -TERM "$WRITER"
	wait "$WRITER" || { cat writer.err >&2; return 1; }
	WRITER=
	run "$PYTHON3" "$FW" check "$(hosts)" acked
	echo "$output" >&2
	[ "$status" = 0 ]
	[ "${lines[-1]}" -ge "${1:-30}" ]
}
