#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# zkd's command line: options, configuration files and their errors, exit
# codes, pidfile, process title, signals.  Ports 21100-21109.

load "$TOP_SRCDIR/test/lib/zkd.bash"

setup() {
	cd "$BATS_TEST_TMPDIR"
}

teardown() {
	zkd_stop
	if [ -n "${OTHER_PID:-}" ]; then
		kill -KILL "$OTHER_PID" 2>/dev/null || true
	fi
}

write_zoo() {
	printf '%s\n' "$@" > zoo.cfg
}

@test "zkd -nv with no file shows the built-in defaults: port 2181, data under ./zkd-data" {
	run "$ZKD" -nv
	[ "$status" -eq 0 ]
	[[ "$output" == *"clientPort=2181"* ]]
	[[ "$output" == *"dataDir=zkd-data"* ]]
	[[ "$output" == *"tickTime=2000"* ]]
	[[ "$output" == *"minSessionTimeout=4000"* ]]
	[[ "$output" == *"maxSessionTimeout=40000"* ]]
	[[ "$output" == *"zkd.pollMicros=100"* ]]
	[[ "$output" == *"configuration OK"* ]]
	[ ! -e zkd-data ]
}

@test "the polling window is zkd.pollMicros in zoo.cfg, pollMicros in zkd.conf, 0 to 1000000" {
	write_zoo "dataDir=$PWD/d" "clientPort=21100" "zkd.pollMicros=0"
	run "$ZKD" -nv -z zoo.cfg
	[ "$status" -eq 0 ]
	[[ "$output" == *"zkd.pollMicros=0"* ]]
	printf 'pollMicros = 250;\n' > zkd.conf
	run "$ZKD" -nv -f zkd.conf
	[ "$status" -eq 0 ]
	[[ "$output" == *"zkd.pollMicros=250"* ]]
	write_zoo "dataDir=$PWD/d" "clientPort=21100" "zkd.pollMicros=1000001"
	run "$ZKD" -n -z zoo.cfg
	[ "$status" -eq 78 ]
	[[ "$output" == *"zkd.pollMicros"* ]]
}

@test "zkd -n checks a zoo.cfg without starting anything" {
	write_zoo "tickTime=100" "dataDir=$PWD/d" "clientPort=21100"
	run "$ZKD" -n -z zoo.cfg
	[ "$status" -eq 0 ]
	[ "$output" = "configuration OK" ]
	[ ! -e d ]
}

@test "an unknown option is a usage error (exit 64)" {
	run "$ZKD" -x
	[ "$status" -eq 64 ]
	[[ "$output" == *"usage: zkd"* ]]
}

@test "-f and -z together are a usage error (exit 64)" {
	run "$ZKD" -f a.conf -z b.cfg
	[ "$status" -eq 64 ]
}

@test "a missing configuration file exits 78 naming it" {
	run "$ZKD" -n -z nowhere.cfg
	[ "$status" -eq 78 ]
	[[ "$output" == *"nowhere.cfg: No such file or directory"* ]]
}

@test "a zoo.cfg number that is not a number names file, line and key (exit 78)" {
	write_zoo "# comment" "dataDir=$PWD/d" "clientPort=abc"
	run "$ZKD" -n -z zoo.cfg
	[ "$status" -eq 78 ]
	[[ "$output" == *"zoo.cfg:3: clientPort: not a number: 'abc'"* ]]
}

@test "a zoo.cfg without dataDir is refused (exit 78)" {
	write_zoo "clientPort=21100"
	run "$ZKD" -n -z zoo.cfg
	[ "$status" -eq 78 ]
	[[ "$output" == *"dataDir is not set"* ]]
}

@test "minSessionTimeout above maxSessionTimeout is refused (exit 78)" {
	write_zoo "dataDir=$PWD/d" "clientPort=21100" \
	    "minSessionTimeout=5000" "maxSessionTimeout=4000"
	run "$ZKD" -n -z zoo.cfg
	[ "$status" -eq 78 ]
	[[ "$output" == *"minSessionTimeout (5000) must not be larger than maxSessionTimeout (4000)"* ]]
}

@test "electionAlg other than 3 is refused as ZooKeeper does (exit 78)" {
	write_zoo "dataDir=$PWD/d" "clientPort=21100" "electionAlg=1"
	run "$ZKD" -n -z zoo.cfg
	[ "$status" -eq 78 ]
	[[ "$output" == *"zoo.cfg:3: electionAlg: only 3 is supported"* ]]
}

@test "a malformed server.N line is refused with its line (exit 78)" {
	write_zoo "dataDir=$PWD/d" "clientPort=21100" "server.1=localhost:x:3881"
	run "$ZKD" -n -z zoo.cfg
	[ "$status" -eq 78 ]
	[[ "$output" == *"zoo.cfg:3: server.1: bad quorum port"* ]]
}

@test "a boolean that is neither true nor false is refused (exit 78)" {
	write_zoo "dataDir=$PWD/d" "clientPort=21100" "reconfigEnabled=maybe"
	run "$ZKD" -n -z zoo.cfg
	[ "$status" -eq 78 ]
	[[ "$output" == *"reconfigEnabled: must be true or false"* ]]
}

@test "zoo.cfg accepts ':' and space separators, comments and continued lines" {
	write_zoo "! bang comment" "tickTime: 300" "dataDir $PWD/d" \
	    'clientPort=21\' '   100' "maxClientCnxns = 7"
	run "$ZKD" -nv -z zoo.cfg
	[ "$status" -eq 0 ]
	[[ "$output" == *"tickTime=300"* ]]
	[[ "$output" == *"dataDir=$PWD/d"* ]]
	[[ "$output" == *"clientPort=21100"* ]]
	[[ "$output" == *"maxClientCnxns=7"* ]]
	[[ "$output" == *"minSessionTimeout=600"* ]]
}

@test "a zoo.cfg key zkd does not know is logged and ignored" {
	write_zoo "dataDir=$PWD/d" "clientPort=21100" "admin.serverPort=8080"
	run "$ZKD" -n -z zoo.cfg
	[ "$status" -eq 0 ]
	[[ "$output" == *"zoo.cfg:3: admin.serverPort: not a setting of zkd, ignored"* ]]
}

@test "a zkd.conf syntax error names file and line (exit 78)" {
	printf 'tickTime = 100;\nclientPort = ;\n' > zkd.conf
	run "$ZKD" -n -f zkd.conf
	[ "$status" -eq 78 ]
	[[ "$output" == *"zkd.conf:2:"* ]]
}

@test "an unknown zkd.conf setting is an error naming it (exit 78)" {
	printf 'tickTime = 100;\nclientPrt = 21100;\n' > zkd.conf
	run "$ZKD" -n -f zkd.conf
	[ "$status" -eq 78 ]
	[[ "$output" == *"zkd.conf:2: clientPrt: unknown setting"* ]]
}

@test "a zkd.conf value of the wrong type is an error (exit 78)" {
	printf 'tickTime = "fast";\n' > zkd.conf
	run "$ZKD" -n -f zkd.conf
	[ "$status" -eq 78 ]
	[[ "$output" == *"zkd.conf:1: tickTime: a number in range is needed"* ]]
}

@test "zkd.conf carries zoo.cfg's settings under the same names" {
	cat > zkd.conf <<-EOF2
	tickTime = 250;
	dataDir = "$PWD/d";
	clientPort = 21100;
	fourLetterWords = [ "ruok", "srvr" ];
	autopurge = { snapRetainCount = 5; purgeInterval = 2; };
	extendedTypesEnabled = true;
	EOF2
	run "$ZKD" -nv -f zkd.conf
	[ "$status" -eq 0 ]
	[[ "$output" == *"tickTime=250"* ]]
	[[ "$output" == *"4lw.commands.whitelist=ruok,srvr"* ]]
	[[ "$output" == *"autopurge.snapRetainCount=5"* ]]
	[[ "$output" == *"extendedTypesEnabled=true"* ]]
}

@test "the sample configurations in etc/ are valid" {
	run "$ZKD" -n -f "$TOP_SRCDIR/etc/zkd.conf"
	[ "$status" -eq 0 ]
	run "$ZKD" -n -z "$TOP_SRCDIR/etc/zoo.cfg"
	[ "$status" -eq 0 ]
}

@test "-d runs in the foreground, logs to stderr, writes and removes its pidfile" {
	zkd_start 21100
	grep -q "serving standalone on port 21100" "$ZKD_DIR/zkd.log"
	[ "$(cat "$ZKD_DIR/data/zkd.pid")" = "$ZKD_PID" ]
	zkd_stop
	[ ! -e "$ZKD_DIR/data/zkd.pid" ]
}

@test "the process title shows the server id and mode" {
	zkd_start 21101
	run ps -o args= -p "$ZKD_PID"
	[[ "$output" == *"sid 1 standalone :21101"* ]]
}

@test "SIGTERM stops the server with status 0" {
	zkd_start 21102
	kill -TERM "$ZKD_PID"
	wait "$ZKD_PID" && rc=0 || rc=$?
	[ "$rc" -eq 0 ]
	ZKD_PID=
}

@test "a port in use exits 69 naming the port, before anything else" {
	zkd_start 21103
	mkdir other
	write_zoo "dataDir=$PWD/other" "clientPort=21103"
	run "$ZKD" -d -z zoo.cfg
	[ "$status" -eq 69 ]
	[[ "$output" == *"client port 21103 is already in use"* ]]
	zkd_ruok 21103
}

@test "a data directory in use by another zkd exits 75 naming its pid" {
	zkd_start 21104
	write_zoo "dataDir=$ZKD_DIR/data" "clientPort=21105"
	run "$ZKD" -d -z zoo.cfg
	[ "$status" -eq 75 ]
	[[ "$output" == *"in use by zkd pid $ZKD_PID"* ]]
}

@test "a data directory that cannot be created exits 73" {
	touch blocker
	write_zoo "dataDir=$PWD/blocker/d" "clientPort=21106"
	run "$ZKD" -d -z zoo.cfg
	[ "$status" -eq 73 ]
	[[ "$output" == *"cannot create data directory"* ]]
}

@test "without -d zkd detaches and keeps serving" {
	write_zoo "dataDir=$PWD/d" "clientPort=21107" "4lw.commands.whitelist=ruok"
	run "$ZKD" -z zoo.cfg
	[ "$status" -eq 0 ]
	wait_until 20 test -s d/zkd.pid
	OTHER_PID=$(cat d/zkd.pid)
	wait_until 20 zkd_ruok 21107
	kill -TERM "$OTHER_PID"
	wait_until 20 zkd_gone "$OTHER_PID"
	OTHER_PID=
}

@test "the myid file of a zoo.cfg's dataDir gives the server id" {
	mkdir d
	echo 7 > d/myid
	write_zoo "dataDir=$PWD/d" "clientPort=21108"
	run "$ZKD" -nv -z zoo.cfg
	[ "$status" -eq 0 ]
	[[ "$output" == *"myid=7"* ]]
}

@test "a myid that is not a server id is refused when servers are listed (exit 78)" {
	mkdir d
	echo 300 > d/myid
	write_zoo "dataDir=$PWD/d" "clientPort=21108" \
	    "server.1=127.0.0.1:21108:21109"
	run "$ZKD" -n -z zoo.cfg
	[ "$status" -eq 78 ]
	[[ "$output" == *"myid: not a server id between 1 and 255"* ]]
}

@test "an ensemble's configuration is checked: myid listed, some voter (exit 78)" {
	mkdir d
	echo 3 > d/myid
	write_zoo "dataDir=$PWD/d" "clientPort=21108" \
	    "server.1=127.0.0.1:21101:21102" "server.2=127.0.0.1:21103:21104"
	run "$ZKD" -n -z zoo.cfg
	[ "$status" -eq 78 ]
	[[ "$output" == *"this server's id 3 (myid) is not among the servers listed"* ]]
	run timeout 20 "$ZKD" -d -z zoo.cfg
	[ "$status" -eq 78 ]
	[ ! -e d/version-2 ]
	echo 1 > d/myid
	write_zoo "dataDir=$PWD/d" "clientPort=21108" \
	    "server.1=127.0.0.1:21101:21102:observer" \
	    "server.2=127.0.0.1:21103:21104:observer"
	run "$ZKD" -n -z zoo.cfg
	[ "$status" -eq 78 ]
	[[ "$output" == *"every server listed is an observer"* ]]
	write_zoo "dataDir=$PWD/d" "clientPort=21108" \
	    "server.1=127.0.0.1:21101:21102" "server.2=127.0.0.1:21103:21104"
	run "$ZKD" -n -z zoo.cfg
	[ "$status" -eq 0 ]
	write_zoo "dataDir=$PWD/d" "clientPort=21108" \
	    "server.1=127.0.0.1:21101:21102" "standaloneEnabled=false"
	run "$ZKD" -n -z zoo.cfg
	[ "$status" -eq 0 ]
}

@test "an ensemble member exits 69 when its election port is taken, 65 for a garbage epoch file" {
	mkdir d other
	echo 1 > d/myid
	write_zoo "dataDir=$PWD/d" "clientPort=21108" \
	    "server.1=127.0.0.1:21101:21102" "server.2=127.0.0.1:21103:21104"
	# Another server's client port on our election port.
	printf '%s\n' "dataDir=$PWD/other" "clientPort=21102" \
	    "4lw.commands.whitelist=*" > other.cfg
	"$ZKD" -d -z other.cfg 2>other.log &
	OTHER_PID=$!
	wait_until 20 zkd_ruok 21102
	run timeout 20 "$ZKD" -d -z zoo.cfg
	[ "$status" -eq 69 ]
	[[ "$output" == *"election port: port 21102 is already in use"* ]]
	kill -TERM "$OTHER_PID"
	wait "$OTHER_PID" || true
	OTHER_PID=
	# An epoch file that holds no number: the data is damaged.
	echo "not an epoch" > d/version-2/currentEpoch
	run timeout 20 "$ZKD" -d -z zoo.cfg
	[ "$status" -eq 65 ]
	[[ "$output" == *"currentEpoch"* ]]
	[ "$(cat d/version-2/currentEpoch)" = "not an epoch" ]
}

@test "a standalone server ignores a bad myid with a warning, as ZooKeeper does" {
	mkdir d
	echo "replace this text" > d/myid
	write_zoo "dataDir=$PWD/d" "clientPort=21108"
	run "$ZKD" -n -z zoo.cfg
	[ "$status" -eq 0 ]
	[[ "$output" == *"myid: not a server id between 1 and 255, ignored"* ]]
}

@test "zkd serves from the sample zoo.cfg once its port and dataDir are changed" {
	sed -e "s|^dataDir=.*|dataDir=$PWD/d|" -e "s|^clientPort=.*|clientPort=21109|" \
	    "$TOP_SRCDIR/etc/zoo.cfg" > zoo.cfg
	"$ZKD" -d -z zoo.cfg 2>zkd.log &
	OTHER_PID=$!
	wait_until 20 zkd_ruok 21109
	run zkd_4lw 21109 srvr
	[[ "$output" == *"Mode: standalone"* ]]
	run zkd_4lw 21109 dump
	[ "$output" = "dump is not executed because it is not in the whitelist." ]
}

@test "zkd serves from the sample zkd.conf once its port and dataDir are changed" {
	sed -e "s|^dataDir = .*|dataDir = \"$PWD/d\";|" \
	    -e "s|^clientPort = .*|clientPort = 21109;|" \
	    "$TOP_SRCDIR/etc/zkd.conf" > zkd.conf
	"$ZKD" -d -f zkd.conf 2>zkd.log &
	OTHER_PID=$!
	wait_until 20 zkd_ruok 21109
	run zkd_4lw 21109 conf
	[[ "$output" == *"clientPort=21109"* ]]
	[[ "$output" == *"dataDir=$PWD/d/version-2"* ]]
}
