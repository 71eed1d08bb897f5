#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# Randomised failures with real processes (test/lib/chaos.py): clients
# write all along (sequential creates, compare-and-set on a register, a
# CAS counter) while leaders and followers are killed, paused, cut off
# and restarted, one fault at a time, leaders also killed again and
# again while their followers sync.  At the end every acknowledged write
# is there, no CAS version or counter value was won twice, no sequence
# number was handed out twice, and every server holds the same tree.
# Each run prints its seed; CHAOS_SEED replays its choice of faults.
# Ports 22160-22189.

setup() {
	cd "$BATS_TEST_TMPDIR"
}

chaos() {
	/usr/bin/python3 "$TOP_SRCDIR/test/lib/chaos.py" --base 22160 \
	    ${CHAOS_SEED:+--seed "$CHAOS_SEED"} "$@"
}

@test "three servers, twelve faults, clients writing throughout: nothing acknowledged is lost or done twice" {
	chaos --servers 3 --rounds 12
}

@test "five servers, twelve faults, clients writing throughout: nothing acknowledged is lost or done twice" {
	chaos --servers 5 --rounds 12
}
