# SPDX-License-Identifier: ISC
#
# demo.sh: `zkensemble demo`, the failover story told live on five
# servers.  zkensemble builds this script into itself and runs it with
# /bin/sh, $ZKENSEMBLE the launcher, $ZKENSEMBLE_RUNDIR a run directory of
# its own, $ZKENSEMBLE_DEMO_PORTS the port block and $ZKENSEMBLE_DEMO_PAUSE
# the seconds to rest between steps (for people watching).
#
# Each step does what a user would type, prints what the ensemble did
# (the supervisor's events since the step before) and checks the outcome
# the step claims: the demo ends with exit 1 and the timeline if the
# ensemble does otherwise, so it doubles as a test of the whole.

Z=$ZKENSEMBLE
seen=0
step_no=0

say() {
	printf '%s\n' "$*"
}

step() {
	if [ "${ZKENSEMBLE_DEMO_PAUSE:-0}" != 0 ]; then
		sleep "$ZKENSEMBLE_DEMO_PAUSE"
	fi
	step_no=$((step_no + 1))
	printf '\n== %d. %s\n' "$step_no" "$*"
}

# Runs a zkensemble command, shown as typed.
ze() {
	printf '$ zkensemble %s\n' "$*"
	"$Z" "$@"
}

# The events since the last call: transitions, leaders, signals, faults.
happened() {
	out=$("$Z" events) || return 0
	n=$(printf '%s\n' "$out" | wc -l)
	printf '%s\n' "$out" | tail -n "+$((seen + 1))" |
	    grep -e ' -> ' -e '\*\*\*' -e 'SIG' -e 'network:' |
	    sed 's/^/    /'
	seen=$n
}

fail() {
	printf '\ndemo: %s\n' "$*" >&2
	"$Z" events -t >&2
	exit 1
}

# Waits for the ensemble, or ends the demo.
until_() {
	"$Z" wait -t 30 "$@" >/dev/null || fail "not reached: $*"
}

# A server's zxid and role, from status.
zxid_of() {
	"$Z" status | awk -v s="$1" '$1 == s { print $9 }'
}

trap '"$Z" down >/dev/null 2>&1' EXIT
trap 'exit 130' INT TERM

say "A ZooKeeper ensemble of five zkd servers on this host, broken the ways"
say "a real one breaks.  Each server is LOOKING (electing), LEADING,"
say "FOLLOWING or OBSERVING; writes need a majority: 3 of 5."

step "Five servers, started one by one"
ze up -d --stopped -n 5 -p "${ZKENSEMBLE_DEMO_PORTS:-auto}" >/dev/null ||
    fail "the ensemble could not be made"
ze start 1 >/dev/null
until_ 1 looking
happened
say "Server 1 alone votes for itself: 1 vote of 5 is no majority, it looks."
ze start 2 >/dev/null
until_ 2 looking
happened
say "Server 2 votes for the larger id, itself, and so does 1 once it hears"
say "2's vote: 2 votes, still no majority.  Both keep looking."
ze start 3 >/dev/null
until_ leader serving
happened
[ "$("$Z" leader)" = 3 ] || fail "server 3 should lead"
say "Server 3 arrives: 1, 2 and 3 all vote for 3 (the same zxid, the"
say "largest id), a majority.  3 leads, 1 and 2 follow."
ze start 4 >/dev/null
ze start 5 >/dev/null
until_ 4 following 5 following
happened
[ "$("$Z" leader)" = 3 ] || fail "server 3 should still lead"
say "4 and 5 have larger ids but find a leader already elected: they follow."

step "A write through a follower"
ze cli 1 create /demo "written through server 1" >/dev/null ||
    fail "the write through server 1 failed"
until_ zxid-converged
say "Server 1 forwards the write to the leader, which proposes it to every"
say "follower and commits it once a majority has it on disk.  Every server"
say "now holds it at zxid $(zxid_of 1) (epoch in the high 32 bits, a counter"
say "below): server 5 reads \"$("$Z" cli 5 get /demo)\"."

step "The leader crashes; the survivor with the newest data wins"
ze stop 5 >/dev/null
until_ down 5
ze cli 1 create /demo/while-5-was-down x >/dev/null ||
    fail "the write while 5 was down failed"
say "Server 5 stopped and missed a write: its zxid is behind."
ze kill leader >/dev/null
ze start 5 >/dev/null
until_ leader-not 3 serving
happened
[ "$("$Z" leader)" = 4 ] || fail "server 4 should lead"
say "The survivors vote on (epoch, zxid, id): 5 has the largest id but an"
say "older zxid, so 4 (the newest data, then the largest id) leads."
until_ 5 following zxid-converged
say "5 follows and receives the write it missed."

step "A paused leader is fenced off when it wakes"
ze pause 4 >/dev/null
until_ leader-not 4 serving
happened
new=$("$Z" leader)
say "Leader 4 froze (SIGSTOP: a long GC pause, a stuck disk): its"
say "followers heard nothing, elected $new in a new epoch, and go on."
ze cli "$new" create /demo/while-4-slept x >/dev/null ||
    fail "the write to the new leader failed"
ze resume 4 >/dev/null
until_ 4 following zxid-converged
happened
say "4 wakes still believing it leads, but nobody follows its old epoch:"
say "it steps down, follows $new and learns what happened while it slept."
[ -n "$("$Z" cli 4 get /demo/while-4-slept)" ] ||
    fail "server 4 lacks the write made while it slept"

step "A restarted server catches up"
ze start 3 >/dev/null
until_ 3 following zxid-converged
happened
say "Server 3, killed as the leader, comes back behind: the leader sends it"
say "what it lacks (a DIFF of the log, or a whole SNAPshot) and it follows."

step "A minority cannot write"
ze partition 1,2 3,4,5 >/dev/null
until_ 1 looking 2 looking quorum
happened
if "$Z" cli 1 -t 1000 create /demo/minority x >/dev/null 2>&1; then
	fail "the minority accepted a write"
fi
say "1 and 2 are cut off from the rest: 2 of 5 is no majority, so they"
say "stop serving rather than accept a write that could be lost; no split"
say "brain.  The majority (3, 4, 5) keeps a leader and takes writes:"
ze cli "$("$Z" leader)" create /demo/majority x >/dev/null ||
    fail "the majority refused a write"
ze heal >/dev/null
until_ 1 following 2 following zxid-converged
happened
say "Healed: 1 and 2 rejoin, follow and catch up; the write they refused"
say "is nowhere."
[ -n "$("$Z" cli 1 get /demo/majority)" ] ||
    fail "server 1 lacks the majority's write"
if "$Z" cli 1 exists /demo/minority >/dev/null 2>&1; then
	fail "the minority's write is there"
fi

step "What happened, server by server"
"$Z" events -t
say
say "The demo is over; the ensemble goes."
