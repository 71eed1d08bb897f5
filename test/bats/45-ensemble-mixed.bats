#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# zkd and Apache ZooKeeper 3.8 in one ensemble: the peer messages are
# ZooKeeper's, so each can lead the other.
#
#   - an Apache leader brings a zkd follower up by SNAP (Apache streams
#     the snapshot after an empty SNAP packet, then "BenWasHere"); the
#     zkd then serves the same tree, forwards writes to the Apache leader
#     and takes later ones by DIFF;
#   - a zkd leader brings an Apache follower with no data up by SNAP, as
#     Apache reads it; the Apache follower forwards writes to the zkd;
#   - after each, every server holds the same tree.
#
# Needs java and Debian's zookeeper package.  Ports 22190-22219.

load "$TOP_SRCDIR/test/lib/ensemble.bash"

ENS_PORT_BASE=22190
W=60	# Apache starts slowly

setup() {
	cd "$BATS_TEST_TMPDIR"
	if ! command -v java >/dev/null ||
	    [ ! -e /usr/share/java/zookeeper.jar ]; then
		skip "needs java and Debian's zookeeper package"
	fi
	# Apache syncs a learner by SNAP however little it missed.
	export ENS_APACHE_OPTS=-Dzookeeper.forceSnapshotSync=true
}

teardown() {
	ens_teardown
}

# How many lines of server I's log match PATTERN.
logged() {
	grep -c -e "$2" "$ENS_DIR/s$1/server.log" || true
}

# Apache server I's log matches none of the PATTERNs; else prints where.
apache_never() {
	local i=$1 pat args=()
	shift
	for pat in "$@"; do
		args+=(-e "$pat")
	done
	if grep -q "${args[@]}" "$ENS_DIR/s$i/server.log"; then
		echo "server $i (Apache) logged:" >&2
		grep -B2 -A8 "${args[@]}" "$ENS_DIR/s$i/server.log" |
		    head -n 40 >&2
		return 1
	fi
}

# An Apache leader (I) never dropped learner L nor choked on a packet.
apache_kept_learner() {
	apache_never "$1" "closing socket to learner $2\\." \
	    "NullPointerException"
}

# An Apache follower (I) never lost its leader nor choked on a packet.
apache_kept_leader() {
	apache_never "$1" "Exception when following the leader" \
	    "NullPointerException"
}

@test "an Apache leader brings a zkd follower up by SNAP; it serves, forwards" {
	ens_init 3
	ens_set_impl 1 zkd
	ens_set_impl 2 apache
	ens_set_impl 3 apache
	ens_start 2
	ens_start 3
	ens_wait_leader $W
	[ "$(ens_leader)" = 3 ]
	ens_writes 3 apache 20
	ens_zkcli 3 set /apache/n7 "changed" > /dev/null
	ens_start 1
	ens_wait_leader $W
	[ "$(ens_mode 1)" = follower ]
	[ "$(ens_last_sync 1)" = SNAP ]
	[ "$(logged 1 "a snapshot of [0-9]* bytes")" = 1 ]
	ens_wait_zxids_equal $W
	[ "$(ens_zkcli 1 get /apache/n20)" = "value 20" ]
	[ "$(ens_zkcli 1 get /apache/n7)" = "changed" ]
	# A write through the zkd goes to the Apache leader.
	ens_writes 1 fromzkd 5
	ens_wait_zxids_equal $W
	[ "$(ens_zkcli 2 get /fromzkd/n5)" = "value 5" ]
	ens_trees_equal
	# Synced once, and it stayed: pings and all went both ways.
	[ "$(logged 1 "synced with leader")" = 1 ]
	# With the other follower gone, the leader commits on the zkd's
	# ACKs: one for each proposal, as Apache counts them.
	ens_stop 2
	ens_burst 3 /burst 300
	ens_wait_zxids_equal $W
	[ "$(ens_zkcli 1 get /burst/b299)" = "x" ]
	ens_trees_equal
	apache_kept_learner 3 1
}

@test "a zkd leader brings an Apache follower with no data up by SNAP" {
	ens_init 3
	ens_set_impl 1 apache
	ens_set_impl 2 apache
	ens_set_impl 3 zkd
	ens_start 3
	ens_start 2
	ens_wait_leader $W
	[ "$(ens_leader)" = 3 ]
	ens_writes 3 zkd 20
	ens_zkcli 3 set /zkd/n7 "changed" > /dev/null
	ens_start 1
	ens_wait_leader $W
	[ "$(ens_mode 1)" = follower ]
	[ "$(logged 1 "Getting a snapshot from leader")" = 1 ]
	ens_wait_zxids_equal $W
	[ "$(ens_zkcli 1 get /zkd/n7)" = "changed" ]
	# A write through the Apache follower goes to the zkd leader.
	ens_writes 1 fromapache 5
	ens_wait_zxids_equal $W
	[ "$(ens_zkcli 3 get /fromapache/n5)" = "value 5" ]
	ens_trees_equal
	[ "$(logged 1 "Getting a snapshot from leader")" = 1 ]
	[ "$(logged 3 "syncing server 1 by SNAP")" = 1 ]
	apache_kept_leader 1
	apache_kept_leader 2
}
