#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# The launcher: zkensemble up starts a supervised ensemble, its verbs
# break it and wait for it, and nothing outlives it.
#
#   - up -d returns once every server serves; status, leader, env, exec,
#     cli answer from the supervisor; down stops everything and removes
#     the run directory;
#   - the leader killed: the survivors elect another, writes go on, the
#     old one started again follows; restart and stop by sid;
#   - a paused leader is replaced; resumed, it follows; down with a
#     server paused leaves no process;
#   - the supervisor killed with SIGKILL: every server goes (a paused
#     one too);
#   - refused before anything is forked: a port in use, a stale run
#     directory, an ensemble already running, a missing zkd, bad usage;
#   - two ensembles side by side;
#   - a server that cannot start (its configuration) is never started
#     again; one that crashes is, under --restart on-crash, until the
#     crash loop limit fails it;
#   - observers observe; wait times out with exit 3;
#   - a zkensemble.conf (-f, $ZKENSEMBLE_CONF, the sample in etc/) and
#     -c settings reach each server's configuration, flags over the
#     file, one server's own port and lines; bad ones are refused with
#     the file's line and nothing is made; --stopped starts nothing;
#   - demo plays its story through, checking every step.
#
# Ports: -p auto (blocks from 24000 up, clear of every test file's own
# range), or the block of -p 22290.
# Waits are `zkensemble wait`, never sleeps.

load "$TOP_SRCDIR/test/lib/zkd.bash"

Z=${ZKENSEMBLE:-zkensemble}

setup() {
	cd "$BATS_TEST_TMPDIR"
	export ZKENSEMBLE_RUNDIR=$BATS_TEST_TMPDIR/ens
	SUP_PIDS=
}

teardown() {
	local d pid left=
	for d in "$BATS_TEST_TMPDIR"/ens*; do
		[ -d "$d" ] || continue
		"$Z" -D "$d" down >/dev/null 2>&1 || true
	done
	# Nothing of ours is left: no zkd with a config in this test's dir.
	for pid in $(pgrep -f "$BATS_TEST_TMPDIR" || true); do
		[ "$pid" = $$ ] && continue
		zkd_gone "$pid" || left="$left $pid"
	done
	if [ -n "$left" ]; then
		ps -o pid,stat,args -p "${left# }" >&2 || true
		pkill -KILL -f "$BATS_TEST_TMPDIR" || true
		echo "processes left behind:$left" >&2
		return 1
	fi
}

# The pids of the zkd processes the supervisor in $ZKENSEMBLE_RUNDIR runs.
zkd_pids() {
	"$Z" -j status | "$PYTHON3" -c 'import json,sys
print(" ".join(str(s["pid"]) for s in json.load(sys.stdin) if s["pid"]))'
}

PYTHON3=/usr/bin/python3

all_gone() {
	local pid
	for pid in "$@"; do
		zkd_gone "$pid" || return 1
	done
}

@test "up -d serves; status, leader, env, exec and cli answer; down leaves nothing" {
	run "$Z" up -d -p auto
	[ "$status" = 0 ]
	[[ $output == 127.0.0.1:*,127.0.0.1:*,127.0.0.1:* ]]
	"$Z" wait -t 30 quorum serving
	run "$Z" status
	[ "${#lines[@]}" = 4 ]
	[ "$(grep -c LEADING <<< "$output")" = 1 ]
	[ "$(grep -c FOLLOWING <<< "$output")" = 2 ]
	leader=$("$Z" leader)
	[[ $leader =~ ^[123]$ ]]
	"$Z" env | grep -q '^export ZK_SERVERS=127.0.0.1:'
	[ "$("$Z" exec -- sh -c 'echo "$ZK_SERVERS"')" = \
	    "$("$Z" env | sed -n 's/^export ZK_SERVERS=//p')" ]
	"$Z" cli leader create /up "written" >/dev/null
	"$Z" wait -t 30 zxid-converged
	[ "$("$Z" cli follower get /up)" = written ]
	pids=$(zkd_pids)
	[ "$(wc -w <<< "$pids")" = 3 ]
	"$Z" down
	all_gone $pids
	[ ! -e "$ZKENSEMBLE_RUNDIR" ]
}

@test "the leader killed: the survivors elect another, writes go on, the old one follows" {
	"$Z" up -d -p auto >/dev/null
	old=$("$Z" leader)
	"$Z" cli leader create /before x >/dev/null
	[ "$("$Z" kill leader)" = "$old" ]
	"$Z" wait -t 30 down "$old" leader-not "$old" quorum
	[ "$("$Z" leader)" != "$old" ]
	"$Z" cli leader create /after y >/dev/null
	"$Z" start "$old"
	"$Z" wait -t 30 "$old" following serving zxid-converged
	[ "$("$Z" cli "$old" get /before)" = x ]
	[ "$("$Z" cli "$old" get /after)" = y ]
	# The timeline: the old leader's lane dies, the leader lane names
	# the old leader, then the new one.
	new=$("$Z" leader)
	run "$Z" events -t -w 80
	echo "$output" >&2
	[ "$status" = 0 ]
	grep -Eq "^server $old +[^ ].*X" <<< "$output"
	grep -Eq "^leader +-*$old+-*$new+\$" <<< "$output"
	grep -Eq "^server $new +.*L\$" <<< "$output"
	run "$Z" events -t -f
	[ "$status" = 2 ]
	# restart and stop by sid, waited on.
	"$Z" restart "$old"
	"$Z" wait -t 30 "$old" serving
	"$Z" stop "$old"
	"$Z" wait -t 30 down "$old" quorum
	"$Z" status | grep -q "^$old .* down "
}

@test "a paused leader is replaced; resumed it follows; down with a server paused" {
	"$Z" up -d -p auto >/dev/null
	old=$("$Z" leader)
	"$Z" pause leader
	"$Z" wait -t 30 "$old" paused leader-not "$old" quorum
	new=$("$Z" leader)
	"$Z" cli "$new" create /while-paused z >/dev/null
	"$Z" resume "$old"
	"$Z" wait -t 30 "$old" following serving zxid-converged
	[ "$("$Z" cli "$old" get /while-paused)" = z ]
	f=$("$Z" pause follower)
	"$Z" wait -t 30 "$f" paused
	pids=$(zkd_pids)
	"$Z" down
	all_gone $pids
}

@test "the supervisor killed with SIGKILL: every server is gone, a paused one too" {
	"$Z" up -d -p auto >/dev/null
	"$Z" pause follower >/dev/null
	pids=$(zkd_pids)
	sup=$("$Z" ping | sed -n 's/^pid //p')
	[ -n "$sup" ]
	kill -KILL "$sup"
	wait_until 10 all_gone $pids
	# Its run directory stays, stale: up refuses it, down removes it.
	run "$Z" up -d -p auto
	[ "$status" = 1 ]
	[[ $output == *"stale run directory"* ]]
	"$Z" down
	[ ! -e "$ZKENSEMBLE_RUNDIR" ]
}

@test "refused before anything is forked: a port in use, a running ensemble, no zkd, bad usage" {
	# A port of the block taken (the election port of server 2).
	"$PYTHON3" -c 'import socket,sys,time
s=socket.socket(); s.bind(("127.0.0.1",22290+1700+2)); s.listen()
sys.stdout.write("ready\n"); sys.stdout.flush(); time.sleep(60)' > held &
	holder=$!
	wait_until 10 grep -q ready held
	run "$Z" up -d -p 22290
	kill "$holder"
	[ "$status" = 1 ]
	[[ $output == *"port 23992 (server 2's election port) is in use"* ]]
	[ ! -e "$ZKENSEMBLE_RUNDIR" ]
	run "$Z" up -d -p auto -z /nonexistent/zkd
	[ "$status" = 1 ]
	[[ $output == *"/nonexistent/zkd"* ]]
	[ ! -e "$ZKENSEMBLE_RUNDIR" ]
	"$Z" up -d -p auto >/dev/null
	run "$Z" up -d -p auto
	[ "$status" = 1 ]
	[[ $output == *"already runs"* ]]
	run "$Z" frobnicate
	[ "$status" = 2 ]
	run "$Z" wait -t 5 sideways
	[ "$status" = 2 ]
	run "$Z" up -n 0
	[ "$status" = 2 ]
	run "$Z" wait -t 0.2 down 1
	[ "$status" = 3 ]
	run "$Z" kill 9
	[ "$status" = 1 ]
}

@test "two ensembles side by side, each on its own" {
	"$Z" -D "$BATS_TEST_TMPDIR/ens-a" up -d -p auto >/dev/null
	"$Z" -D "$BATS_TEST_TMPDIR/ens-b" up -d -p auto -n 5 >/dev/null
	a=$("$Z" -D "$BATS_TEST_TMPDIR/ens-a" env | sed -n 's/^export ZK_SERVERS=//p')
	b=$("$Z" -D "$BATS_TEST_TMPDIR/ens-b" env | sed -n 's/^export ZK_SERVERS=//p')
	[ "$a" != "$b" ]
	[ "$(tr , '\n' <<< "$b" | wc -l)" = 5 ]
	"$Z" -D "$BATS_TEST_TMPDIR/ens-a" kill leader >/dev/null
	"$Z" -D "$BATS_TEST_TMPDIR/ens-b" wait -t 30 quorum serving
	"$Z" -D "$BATS_TEST_TMPDIR/ens-a" wait -t 30 quorum
	"$Z" -D "$BATS_TEST_TMPDIR/ens-a" down
	"$Z" -D "$BATS_TEST_TMPDIR/ens-b" wait -t 30 serving
	"$Z" -D "$BATS_TEST_TMPDIR/ens-b" down
}

# Runs one server whose zkd is the shell script BODY, restarted on crash,
# under a supervisor in the foreground (its view in the file view), until
# the server is failed; leaves $sup the supervisor's pid.
one_failing() {
	printf '#!/bin/sh\n%s\n' "$1" > fake-zkd
	chmod +x fake-zkd
	"$Z" up -p auto -n 1 -r on-crash -z "$PWD/fake-zkd" > view 2>&1 &
	sup=$!
	wait_until 30 test -S "$ZKENSEMBLE_RUNDIR/ctl.sock"
	"$Z" wait -t 30 1 failed
	"$Z" status | grep -q '^1 .* failed '
}

@test "a server with a broken configuration is not started again; a crashing one is, until the crash loop fails it" {
	# Exit 78 (bad configuration) at once: never started again.
	one_failing 'exit 78'
	[ "$(grep -c 'started, pid' view)" = 1 ]
	grep -q 'exited 78 (not started again' view
	"$Z" down
	wait "$sup"
	# A crash (SIGABRT) each time: started again five times, then failed.
	one_failing 'kill -ABRT $$'
	[ "$(grep -c 'killed by SIGABRT' view)" = 6 ]
	[ "$(grep -c 'started again in' view)" = 5 ]
	"$Z" down
	wait "$sup"
}

@test "observers observe and make no quorum; wait times out with 3" {
	"$Z" up -d -p auto -n 3 -o 2 >/dev/null
	"$Z" wait -t 30 4 observing 5 observing quorum serving
	"$Z" stop 1
	"$Z" stop 2
	"$Z" wait -t 30 down 1 down 2
	run "$Z" wait -t 0.5 quorum
	[ "$status" = 3 ]
	[ "$output" = "timed out" ]
}

# The value of KEY in the conf four-letter word of the server on PORT.
conf_of() {
	"$PYTHON3" -c 'import socket,sys
s=socket.create_connection(("127.0.0.1",int(sys.argv[1]))); s.sendall(b"conf")
out=b""
while True:
    b=s.recv(65536)
    if not b: break
    out+=b
for l in out.decode().splitlines():
    if l.startswith(sys.argv[2]+"="): print(l.split("=",1)[1])' "$1" "$2"
}

client_port() {
	"$Z" status | awk -v s="$1" '$1 == s { print $3 }'
}

@test "zkensemble.conf and -c reach each server: flags over the file, one server's own port and lines" {
	cat > ens.conf <<'EOF'
# four voters and an observer, unless a flag says otherwise
servers = 4;
observers = 1;
ports = "auto";
profile = "zookeeper";
settings = [ "maxClientCnxns=7", "tickTime=150", "initLimit=20" ];
server = (
	{ id = 2; settings = [ "maxClientCnxns=9" ]; },
	{ id = 3; clientPort = 22299; }
);
EOF
	# -n over the file's servers: 3 voters, the observer is server 4.
	"$Z" up -d -f ens.conf -n 3 -c initLimit=15 >/dev/null
	"$Z" wait -t 30 quorum serving 4 observing
	[ "$("$Z" status | tail -n +2 | wc -l)" = 4 ]
	[ "$(client_port 3)" = 22299 ]
	[ "$(conf_of 22299 tickTime)" = 150 ]
	[ "$(conf_of 22299 maxClientCnxns)" = 7 ]
	[ "$(conf_of "$(client_port 2)" maxClientCnxns)" = 9 ]
	[ "$(conf_of "$(client_port 4)" initLimit)" = 15 ]
	grep -q '^# server 1 of a zkensemble (profile zookeeper)$' \
	    "$ZKENSEMBLE_RUNDIR/s1/zoo.cfg"
	"$Z" cli 3 create /conf yes >/dev/null
	"$Z" down
	# The sample in etc/, named by $ZKENSEMBLE_CONF.
	ZKENSEMBLE_CONF=$TOP_SRCDIR/etc/zkensemble.conf \
	    "$Z" up -d -p auto >/dev/null
	"$Z" wait -t 30 quorum serving
	[ "$("$Z" status | tail -n +2 | wc -l)" = 3 ]
	[ "$(conf_of "$(client_port 1)" maxClientCnxns)" = 100 ]
	[ "$(conf_of "$(client_port 3)" maxClientCnxns)" = 10 ]
	[ "$(conf_of "$(client_port 3)" tickTime)" = 100 ]
}

@test "bad settings are refused before anything is made: the file's line, a flag, a server not there" {
	printf 'servers = 3;\nprofile = "slow";\n' > bad.conf
	run "$Z" up -d -p auto -f bad.conf
	[ "$status" = 2 ]
	[[ $output == *"bad.conf:2: profile: profile slow: fast or zookeeper"* ]]
	printf 'servers = 3;\nports = = 1;\n' > bad.conf
	run "$Z" up -d -p auto -f bad.conf
	[ "$status" = 2 ]
	[[ $output == *"bad.conf:2: syntax error"* ]]
	run "$Z" up -d -p auto -f "$BATS_TEST_TMPDIR/none.conf"
	[ "$status" = 2 ]
	[[ $output == *"none.conf: No such file or directory"* ]]
	run "$Z" up -d -p auto -c nosuch=1
	[ "$status" = 2 ]
	[[ $output == *"nosuch=1: zkd knows no setting nosuch"* ]]
	run "$Z" up -d -p auto -c dataDir=/tmp
	[ "$status" = 2 ]
	run "$Z" up -d -p auto -c 4:maxClientCnxns=1
	[ "$status" = 2 ]
	[[ $output == *"there is no server 4"* ]]
	# Only the whole configuration shows this one: zkd's own check.
	run "$Z" up -d -p auto -c minSessionTimeout=9000 \
	    -c maxSessionTimeout=5000
	[ "$status" = 2 ]
	[[ $output == *"minSessionTimeout (9000) must not be larger than maxSessionTimeout (5000)"* ]]
	[ ! -e "$ZKENSEMBLE_RUNDIR" ]
}

@test "--stopped makes every server and starts none; started, they elect" {
	run "$Z" up -d -p auto --stopped
	[ "$status" = 0 ]
	[ "$(zkd_pids)" = "" ]
	[ "$("$Z" status | awk 'NR > 1 && $6 == "down"' | wc -l)" = 3 ]
	[ -f "$ZKENSEMBLE_RUNDIR/s3/zoo.cfg" ]
	"$Z" start all >/dev/null
	"$Z" wait -t 30 quorum serving
	[ "$(wc -w <<< "$(zkd_pids)")" = 3 ]
}

@test "demo tells the failover story step by step, checks each step, ends with the timeline and leaves nothing" {
	run "$Z" demo -s 0
	[ "$status" = 0 ]
	[[ $output == *"== 1. Five servers, started one by one"* ]]
	[[ $output == *"*** server 3 leads, epoch 1"* ]]
	[[ $output == *"*** server 4 leads, epoch 2"* ]]
	[[ $output == *"server 4  paused (SIGSTOP)"* ]]
	[[ $output == *"server 4  LEADING -> LOOKING"* ]]
	[[ $output == *"network: cut 1-3 1-4 1-5 2-3 2-4 2-5"* ]]
	[[ $output == *"== 7. What happened, server by server"* ]]
	[[ $output == *"L leads, F follows"* ]]
	[ ! -e "$ZKENSEMBLE_RUNDIR" ]
	# A demo that cannot run says so: its ports are taken.
	"$Z" up -d -p auto -n 5 >/dev/null
	base=$(( $("$Z" status | awk '$1 == 1 { print $3 }') - 1 ))
	run "$Z" -D "$BATS_TEST_TMPDIR/ens-demo" demo -s 0 -p "$base"
	[ "$status" = 1 ]
	[[ $output == *"is in use"* ]]
	[[ $output == *"demo: the ensemble could not be made"* ]]
}
