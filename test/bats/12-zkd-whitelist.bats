#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# The four-letter-word whitelist of a zoo.cfg server: ZooKeeper's default
# (srvr only) and its refusal line.  Ports 21120-21129.

load "$TOP_SRCDIR/test/lib/zkd.bash"

setup_file() {
	cd "$BATS_FILE_TMPDIR"
	mkdir -p w
	printf 'tickTime=2000\ndataDir=%s/w/data\nclientPort=21120\n' \
	    "$BATS_FILE_TMPDIR" > w/zoo.cfg
	"$ZKD" -d -z w/zoo.cfg 2> w/zkd.log &
	echo $! > w/pid
	wait_until 20 srvr_answers
}

teardown_file() {
	ZKD_PID=$(cat "$BATS_FILE_TMPDIR/w/pid")
	zkd_stop
}

srvr_answers() {
	zkd_4lw 21120 srvr | grep -q 'Mode: standalone'
}

@test "with ZooKeeper's default whitelist srvr is answered" {
	run zkd_4lw 21120 srvr
	[[ "$output" == *"Node count: 5"* ]]
}

@test "a word off the whitelist gets ZooKeeper's refusal line" {
	for w in ruok stat mntr conf cons envi dump wchs isro; do
		run zkd_4lw 21120 "$w"
		[ "$output" = "$w is not executed because it is not in the whitelist." ]
	done
}
