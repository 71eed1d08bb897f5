#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# ZooKeeper's election and failover rules, on ensembles the launcher
# runs, with a client writing through every failover
# (test/lib/failwriter.py: each acknowledged write must be there at the
# end):
#
#   - election order: of five servers started one by one, 1 and 2 elect
#     nobody, 3 leads as soon as it makes a majority, 4 and 5 follow it
#     despite their higher sids;
#   - the highest zxid wins: a follower that missed writes and is started
#     as the leader dies never leads, although its sid is the highest;
#   - the leader killed: another leads, nothing acknowledged is lost, the
#     old one follows and catches up;
#   - the leader paused: another leads; resumed, the old one follows and
#     holds what was written meanwhile; nothing it took alone survives
#     unless every server has it;
#   - two of five cut off take no write and stop serving; the three write
#     on; healed, one tree;
#   - four servers serve with one down, not with two;
#   - observers observe, take writes, and do not vote: without them the
#     voters serve, without two voters nobody does;
#   - a follower down during a few writes is brought up by DIFF; one down
#     while the leader's logs were purged past it (snapCount small,
#     autopurge at start) by SNAP.
#
# Ports: -p auto.  Waits are `zkensemble wait`, never sleeps.

load "$TOP_SRCDIR/test/lib/zkd.bash"

Z=${ZKENSEMBLE:-zkensemble}
PYTHON3=/usr/bin/python3
FW=$TOP_SRCDIR/test/lib/failwriter.py
load "$TOP_SRCDIR/test/lib/launched.bash"

# Server ID's client port.
port() {
	"$Z" port "$1" | cut -d' ' -f1
}

# The connect string of the servers named.
hosts_of() {
	local sid out=
	for sid in "$@"; do
		out="$out,127.0.0.1:$(port "$sid")"
	done
	echo "${out#,}"
}

# Server ID's zxid, by status.
zxid_of() {
	"$Z" status | awk -v s="$1" '$1 == s { print $9 }'
}

# How server ID was last brought up to date (DIFF, TRUNC, SNAP), from
# its log.
last_sync() {
	"$Z" logs "$1" |
	    sed -n 's/.*synced with leader [0-9]* by \([A-Z]*\),.*/\1/p' |
	    tail -n 1
}

# How many times server ID was brought up to date, from its log.
syncs() {
	"$Z" logs "$1" | grep -c 'synced with leader' || true
}

# Server ID's epoch, by status.
epoch_of() {
	"$Z" status | awk -v s="$1" '$1 == s { print $8 }'
}

# How many times server ID became leader after its first event WHAT.
led_after() {
	"$Z" events | awk -v s="$1" -v w="$2" '
	    $2 == "server" && $3 == s && $4 == w { after = 1 }
	    after && $2 == "server" && $3 == s && /-> LEADING/ { n++ }
	    END { print n + 0 }'
}

# The sids that ever led, from the history.
leaders_ever() {
	"$Z" events | sed -n 's/.*\*\*\* server \([0-9]*\) leads.*/\1/p' |
	    sort -u | xargs
}

# How the leader last brought server ID up to date, and from which zxid
# ("DIFF 0x100000012"), from the leader's log.
leader_synced() {
	"$Z" logs leader | awk -v s="$1" '
	    $3 == "zab:" && $4 == "syncing" && $6 == s { last = $8 " " $10 }
	    END { print last }'
}

# A write through the servers named, with a short timeout: must fail.
no_write() {
	local path=$1
	shift
	run "$ZKCLI" -s "$(hosts_of "$@")" -t 2000 create "$path" x
	echo "create $path through $*: $status $output" >&2
	[ "$status" != 0 ]
}

@test "election order: 1 and 2 of five elect nobody, 3 leads once it makes a majority, 4 and 5 follow it (seeds 003, 004)" {
	"$Z" up -d --stopped -p auto -n 5 >/dev/null
	[ "$(role LOOKING)" = "" ]
	"$Z" start 1
	"$Z" wait -t 30 1 looking
	"$Z" start 2
	"$Z" wait -t 30 1 looking 2 looking
	# Two of five are no majority: nobody leads, however long.
	run "$Z" wait -t 1 leader
	[ "$status" = 3 ]
	[ "$(role LEADING)" = "" ]
	[ "$(role LOOKING)" = "1 2" ]
	no_write /two-of-five 1 2
	# The third makes a majority; equal zxids, the highest sid leads.
	"$Z" start 3
	"$Z" wait -t 30 quorum 3 leading 1 following 2 following
	[ "$("$Z" leader)" = 3 ]
	start_writer
	# A leader exists: the higher sids join it and take nothing over.
	"$Z" start 4
	"$Z" wait -t 30 4 following serving
	writes_go_on
	"$Z" start 5
	"$Z" wait -t 30 5 following serving
	writes_go_on
	[ "$("$Z" leader)" = 3 ]
	[ "$(role FOLLOWING)" = "1 2 4 5" ]
	check_writes 20
	"$Z" wait -t 30 zxid-converged
	[ "$(leaders_ever)" = 3 ]
}

@test "the highest zxid wins: the leader dies as the follower that missed writes comes back; the survivor ahead leads, not the higher sid (seed 001)" {
	"$Z" up -d --stopped -p auto -n 3 >/dev/null
	# 1 and 2 of three make a majority: 2 leads; 3 follows it (seed 004).
	"$Z" start 1
	"$Z" wait -t 30 1 looking
	"$Z" start 2
	"$Z" wait -t 30 quorum 2 leading 1 following
	start_writer
	"$Z" start 3
	"$Z" wait -t 30 3 following serving
	writes_go_on
	[ "$("$Z" leader)" = 2 ]
	# 3, the highest sid, misses writes that 1 and 2 both log.
	"$Z" stop 3
	"$Z" wait -t 30 down 3 quorum
	behind=$(zxid_of 3)
	writes_go_on 30
	(( $(zxid_of 1) > behind ))
	# Kill the leader and start 3 at once: 1 leads, 3 follows it.
	"$Z" kill 2 >/dev/null &
	killer=$!
	"$Z" start 3
	wait "$killer"
	"$Z" wait -t 30 down 2 leader-not 2 quorum 3 following
	[ "$("$Z" leader)" = 1 ]
	writes_go_on
	"$Z" start 2
	"$Z" wait -t 30 2 following serving
	check_writes 50
	"$Z" wait -t 30 zxid-converged
	[ "$(leaders_ever)" = "1 2" ]
	[ "$(role LEADING)" = 1 ]
}

@test "the leader killed with writes going on: another leads, nothing acknowledged is lost, the old one follows and catches up" {
	"$Z" up -d -p auto -n 3 >/dev/null
	start_writer
	old=$("$Z" leader)
	[ "$("$Z" kill leader)" = "$old" ]
	"$Z" wait -t 30 down "$old" leader-not "$old" quorum
	new=$("$Z" leader)
	writes_go_on
	"$Z" start "$old"
	"$Z" wait -t 30 "$old" following serving
	writes_go_on
	check_writes
	"$Z" wait -t 30 zxid-converged
	[ "$("$Z" leader)" = "$new" ]
	[ "$(role FOLLOWING | wc -w)" = 2 ]
	run "$PYTHON3" "$FW" check "$(hosts_of "$old")" acked
	[ "$status" = 0 ]
}

@test "the leader paused: another leads; resumed, the old one follows, holds what was written meanwhile, and commits nothing alone" {
	"$Z" up -d -p auto -n 3 >/dev/null
	start_writer
	old=$("$Z" leader)
	[ "$("$Z" pause leader)" = "$old" ]
	"$Z" wait -t 30 "$old" paused leader-not "$old" quorum
	new=$("$Z" leader)
	writes_go_on
	meanwhile=$(tail -n 1 acked)
	"$Z" cli "$new" create /while-paused z >/dev/null
	"$Z" resume "$old"
	# Straight after SIGCONT it may still believe it leads: whatever it
	# acknowledges must be on every server.
	run "$ZKCLI" -s "$(hosts_of "$old")" -t 2000 create /on-old-leader y
	on_old=$status
	"$Z" wait -t 30 "$old" following serving
	[ "$("$Z" leader)" = "$new" ]
	writes_go_on
	check_writes
	"$Z" wait -t 30 zxid-converged
	[ "$(role LEADING)" = "$new" ]
	# The old leader reads what was written while it was stopped.
	[ "$("$Z" cli "$old" get /while-paused)" = z ]
	[ "$("$Z" cli "$old" get "$(printf /fw/n%06d "$meanwhile")")" = \
	    "$meanwhile" ]
	run "$PYTHON3" "$FW" check "$(hosts_of "$old")" acked
	[ "$status" = 0 ]
	if [ "$on_old" = 0 ]; then
		for i in 1 2 3; do
			[ "$("$Z" cli "$i" get /on-old-leader)" = y ]
		done
	fi
	# Resumed, it never led again: it follows in the new leader's epoch.
	[ "$(led_after "$old" resumed)" = 0 ]
	[ "$(epoch_of "$old")" = "$(epoch_of "$new")" ]
}

@test "two of five cut off: they stop serving and take no write, the three elect and write on; healed, one leader and one tree" {
	"$Z" up -d -p auto -n 5 >/dev/null
	start_writer
	l=$("$Z" leader)
	f=$(role FOLLOWING | cut -d' ' -f1)
	run "$Z" partition "$l,$f"
	[ "$status" = 0 ]
	[[ $output == cut* ]]
	"$Z" wait -t 30 leader-not "$l" quorum "$l" looking "$f" looking
	writes_go_on
	# The minority's clients cannot write.
	no_write /minority "$l" "$f"
	[[ " $(role LOOKING) " == *" $l "* ]]
	[[ " $(role LOOKING) " == *" $f "* ]]
	writes_go_on
	run "$Z" heal
	[ "$output" = none ]
	"$Z" wait -t 30 serving "$l" following "$f" following
	writes_go_on
	check_writes
	"$Z" wait -t 30 zxid-converged
	[ "$(role LEADING | wc -w)" = 1 ]
	[ "$(role FOLLOWING | wc -w)" = 4 ]
	for i in 1 2 3 4 5; do
		run "$Z" cli "$i" get /minority
		[ "$status" != 0 ]
	done
}

@test "four servers serve with one down, not with two; with a third back they serve again (seed 000)" {
	"$Z" up -d -p auto -n 4 >/dev/null
	start_writer
	l=$("$Z" leader)
	"$Z" kill leader >/dev/null
	"$Z" wait -t 30 down "$l" leader-not "$l" quorum serving
	writes_go_on
	f=$(role FOLLOWING | cut -d' ' -f1)
	"$Z" kill "$f" >/dev/null
	"$Z" wait -t 30 down "$f"
	rest=$(for i in 1 2 3 4; do
		[ "$i" = "$l" ] || [ "$i" = "$f" ] || echo "$i"
	done | xargs)
	# Two of four: no quorum, whatever the two do.
	"$Z" wait -t 30 $(for i in $rest; do echo "$i looking"; done)
	run "$Z" wait -t 1 quorum
	[ "$status" = 3 ]
	[ "$(role LEADING)" = "" ]
	[ "$(role LOOKING)" = "$rest" ]
	no_write /two-of-four $rest
	"$Z" start "$f"
	"$Z" wait -t 30 quorum serving "$f" serving
	writes_go_on
	check_writes
	"$Z" wait -t 30 zxid-converged
	run "$Z" cli leader get /two-of-four
	[ "$status" != 0 ]
	[ "$(role FOLLOWING | wc -w)" = 2 ]
}

@test "observers observe and take writes; without them the voters serve, without two voters nobody does" {
	"$Z" up -d -p auto -n 3 -o 2 >/dev/null
	"$Z" wait -t 30 4 observing 5 observing quorum serving
	[ "$(role OBSERVING)" = "4 5" ]
	# A write through an observer goes to the leader and everywhere.
	"$Z" cli 4 create /via-observer o >/dev/null
	"$Z" wait -t 30 zxid-converged
	for i in 1 2 3 4 5; do
		[ "$("$Z" cli "$i" get /via-observer)" = o ]
	done
	start_writer
	l=$("$Z" leader)
	"$Z" kill 4 >/dev/null
	"$Z" kill 5 >/dev/null
	"$Z" wait -t 30 down 4 down 5 quorum serving
	writes_go_on
	[ "$("$Z" leader)" = "$l" ]
	"$Z" start 4
	"$Z" start 5
	"$Z" wait -t 30 4 observing 5 observing serving
	writes_go_on
	# Two voters gone: three processes live, two of them observers.
	f=$(role FOLLOWING | cut -d' ' -f1)
	v=$((6 - l - f))
	"$Z" kill "$l" >/dev/null
	"$Z" kill "$f" >/dev/null
	"$Z" wait -t 30 down "$l" down "$f" "$v" up 4 up 5 up
	# The voter left may have had f's vote just before f died and call
	# itself LEADING, but with nobody to follow it, it never broadcasts
	# (it gives up after initLimit ticks): no leader, no write.
	run "$Z" wait -t 1 leader
	[ "$status" = 3 ]
	run "$Z" wait -t 0.5 quorum
	[ "$status" = 3 ]
	no_write /no-voters "$v" 4 5
	"$Z" start "$l"
	"$Z" start "$f"
	"$Z" wait -t 30 quorum serving 4 observing 5 observing
	writes_go_on
	check_writes
	"$Z" wait -t 30 zxid-converged
	run "$Z" cli 4 get /no-voters
	[ "$status" != 0 ]
	[ "$(role OBSERVING)" = "4 5" ]
}

@test "catching up: a follower that missed a few writes by DIFF; one that missed what the leader purged by SNAP" {
	# A snapshot after every 6 to 10 txns; autopurge, at start, keeps the
	# newest three snapshots and the logs that may hold txns after the
	# oldest of them.
	"$Z" up -d -p auto -n 3 -c snapCount=10 -c autopurge.purgeInterval=1 \
	    >/dev/null
	start_writer
	# DIFF: every txn it missed is still in the leader's logs.
	f=$(role FOLLOWING | cut -d' ' -f1)
	n=$(syncs "$f")
	"$Z" stop "$f"
	"$Z" wait -t 30 down "$f" quorum
	writes_go_on
	"$Z" start "$f"
	"$Z" wait -t 30 "$f" following serving
	[ "$(syncs "$f")" = $((n + 1)) ]
	[ "$(last_sync "$f")" = DIFF ]
	[[ $(leader_synced "$f") == "DIFF 0x1"* ]]
	writes_go_on
	# SNAP: it misses many snapshots' worth, then both others are
	# restarted, purging at start the logs that held its last zxid.
	n=$(syncs "$f")
	"$Z" stop "$f"
	"$Z" wait -t 30 down "$f" quorum
	writes_go_on 60
	for i in 1 2 3; do
		[ "$i" = "$f" ] && continue
		"$Z" stop "$i"
		"$Z" wait -t 30 down "$i"
		"$Z" start "$i"
		"$Z" wait -t 30 quorum "$i" serving
		"$Z" logs "$i" | grep -q 'purged .*/log\.'
		writes_go_on
	done
	"$Z" start "$f"
	"$Z" wait -t 30 "$f" following serving
	[ "$(syncs "$f")" = $((n + 1)) ]
	[ "$(last_sync "$f")" = SNAP ]
	[[ $(leader_synced "$f") == "SNAP 0x"* ]]
	writes_go_on
	check_writes 100
	"$Z" wait -t 30 zxid-converged
	run "$PYTHON3" "$FW" check "$(hosts_of "$f")" acked
	[ "$status" = 0 ]
}
