#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# zkcli: every command and option, the exit code of each error a server
# can answer, JSON output, the interactive shell, watches and waits,
# against one standalone zkd.  Ports 21200-21209: 21200 the server, 21201
# a second one without extended types, 21209 a port nothing listens on.
#
# ZKCLI_TEST_SERVER=apache runs the same suite against Apache ZooKeeper
# 3.8 (Debian's package): the reference every expectation here follows.

bats_require_minimum_version 1.5.0

load "$TOP_SRCDIR/test/lib/zkd.bash"
load /usr/lib/bats/bats-support/load.bash
load /usr/lib/bats/bats-assert/load.bash

PORT=21200
PORT2=21201
NOBODY=21209
APACHE_CP=/etc/zookeeper/conf:/usr/share/java/zookeeper.jar:/usr/share/java/zookeeper-jute.jar

# server_start PORT [zoo.cfg line ...]: zkd, or Apache ZooKeeper when
# ZKCLI_TEST_SERVER=apache (znode.* lines become Java system properties).
server_start() {
	if zkd_ruok "$1"; then
		echo "port $1 is taken by another server" >&2
		return 1
	fi
	if [ "${ZKCLI_TEST_SERVER:-zkd}" != apache ]; then
		zkd_start "$@"
		return
	fi
	local port=$1 dir line jflags=()
	shift
	dir=$(mktemp -d "${BATS_TEST_TMPDIR:-$BATS_FILE_TMPDIR}/zk.XXXXXX")
	printf '%s\n' tickTime=2000 "dataDir=$dir/data" "clientPort=$port" \
	    '4lw.commands.whitelist=*' admin.enableServer=false > "$dir/zoo.cfg"
	for line in "$@"; do
		case $line in
		znode.*) jflags+=("-D$line") ;;
		*) echo "$line" >> "$dir/zoo.cfg" ;;
		esac
	done
	java -Xmx256m "${jflags[@]}" -cp "$APACHE_CP" \
	    org.apache.zookeeper.server.ZooKeeperServerMain "$dir/zoo.cfg" \
	    > "$dir/server.log" 2>&1 &
	ZKD_PID=$!
	wait_until 60 zkd_ruok "$port"
}

setup_file() {
	server_start "$PORT" extendedTypesEnabled=true \
	    znode.container.checkIntervalMs=100
	echo "$ZKD_PID" > "$BATS_FILE_TMPDIR/server.pid"
}

teardown_file() {
	[ -f "$BATS_FILE_TMPDIR/server.pid" ] || return 0
	ZKD_PID=$(cat "$BATS_FILE_TMPDIR/server.pid")
	zkd_stop
}

setup() {
	cd "$BATS_TEST_TMPDIR"
	BG_PID=
}

teardown() {
	if [ -n "${BG_PID:-}" ]; then
		kill -KILL "$BG_PID" 2>/dev/null || true
		wait "$BG_PID" 2>/dev/null || true
	fi
	if [ -n "${ZKD_PID:-}" ]; then
		zkd_stop
	fi
}

zk() {
	"$ZKCLI" -s "127.0.0.1:$PORT" "$@"
}

# digest USER PASSWORD: the id a digest ACL names (user:base64(sha1)).
digest() {
	/usr/bin/python3 -c 'import base64, hashlib, sys
s = sys.argv[1] + ":" + sys.argv[2]
print(sys.argv[1] + ":" + base64.b64encode(hashlib.sha1(s.encode()).digest()).decode())' "$1" "$2"
}

json_ok() {
	/usr/bin/python3 -c 'import json, sys; json.load(sys.stdin)'
}

# json_get KEY...: the value at that key path of the JSON object on stdin.
json_get() {
	/usr/bin/python3 -c 'import json, sys
d = json.load(sys.stdin)
for k in sys.argv[1:]:
    d = d[int(k)] if isinstance(d, list) else d[k]
print(d if isinstance(d, str) else json.dumps(d))' "$@"
}

# The session of a data or exists watch on PATH is listed by wchc.
watching() {
	zkd_4lw "$PORT" wchc | grep -qxF "	$1"
}

watch_count() {
	zkd_4lw "$PORT" mntr | awk '$1 == "zk_watch_count" { print $2 }'
}

watch_count_above() {
	[ "$(watch_count)" -gt "$1" ]
}

# bg COMMAND...: runs it in the background, output in bg.out and bg.err,
# input from $BG_IN (a file) if set.
bg() {
	"$@" < "${BG_IN:-/dev/null}" > "$BATS_TEST_TMPDIR/bg.out" \
	    2> "$BATS_TEST_TMPDIR/bg.err" &
	BG_PID=$!
}

# bg_finish: waits (20 s at most) for the background command; BG_STATUS.
bg_finish() {
	wait_until 20 zkd_gone "$BG_PID"
	BG_STATUS=0
	wait "$BG_PID" || BG_STATUS=$?
	BG_PID=
	BG_OUT=$(cat "$BATS_TEST_TMPDIR/bg.out")
	BG_ERR=$(cat "$BATS_TEST_TMPDIR/bg.err")
}

# --- ls

@test "ls prints the children one a line, sorted" {
	zk create /ls1
	zk create /ls1/b
	zk create /ls1/a
	zk create /ls1/c
	run --separate-stderr zk ls /ls1
	assert_success
	assert_output $'a\nb\nc'
}

@test "ls -R lists the subtree as full paths, depth first, siblings sorted" {
	zk create /ls2
	zk create /ls2/b
	zk create /ls2/a
	zk create /ls2/a/y
	zk create /ls2/a/x
	run --separate-stderr zk ls -R /ls2
	assert_success
	assert_output $'/ls2\n/ls2/a\n/ls2/a/x\n/ls2/a/y\n/ls2/b'
}

@test "ls -s prints the children, then the stat" {
	zk create /ls3
	zk create /ls3/k
	run --separate-stderr zk ls -s /ls3
	assert_success
	assert_line --index 0 k
	assert_line --index 1 --regexp '^cZxid = 0x[0-9a-f]+$'
	assert_line 'numChildren = 1'
}

@test "ls -j -s is one JSON object with the children and the stat" {
	zk create /ls4
	zk create /ls4/k2
	zk create /ls4/k1
	zk -j ls -s /ls4 | json_ok
	[ "$(zk -j ls -s /ls4 | json_get children)" = '["k1", "k2"]' ]
	[ "$(zk -j ls -s /ls4 | json_get stat numChildren)" = 2 ]
	[ "$(zk -j ls -s /ls4 | json_get path)" = /ls4 ]
}

@test "ls -w lists, then blocks until the children change and prints the event" {
	zk create /ls5
	before=$(watch_count)
	bg "$ZKCLI" -s "127.0.0.1:$PORT" ls -w /ls5
	wait_until 20 watch_count_above "$before"
	zk create /ls5/new
	bg_finish
	[ "$BG_STATUS" -eq 0 ]
	[ "$BG_OUT" = "NodeChildrenChanged /ls5" ]
}

@test "ls of a missing node exits NONODE (4), naming the path on stderr" {
	run --separate-stderr zk ls /nowhere
	assert_failure 4
	[ "$stderr" = "zkcli: /nowhere: no node" ]
	[ -z "$output" ]
}

# --- get, set

@test "get prints the data" {
	zk create /get1 'some data'
	run --separate-stderr zk get /get1
	assert_success
	assert_output 'some data'
}

@test "get -s prints the data, then the stat in zkCli.sh's field order" {
	zk create /get2 abc
	run --separate-stderr zk get -s /get2
	assert_success
	assert_line --index 0 abc
	names=$(printf '%s\n' "${lines[@]:1}" | sed 's/ = .*//' | tr '\n' ' ')
	[ "$names" = "cZxid ctime mZxid mtime pZxid cversion dataVersion aclVersion ephemeralOwner dataLength numChildren " ]
	assert_line 'dataLength = 3'
}

@test "get -j -s: data and stat in one JSON object, null data as null" {
	zk create /get3 hello
	zk create /get3null
	zk -j get -s /get3 | json_ok
	[ "$(zk -j get -s /get3 | json_get data)" = hello ]
	[ "$(zk -j get -s /get3 | json_get stat dataLength)" = 5 ]
	[ "$(zk -j get /get3null | json_get data)" = null ]
	zk create /get3empty ''
	[ "$(zk -j get /get3empty | json_get data)" = '' ]
}

@test "get -j gives data that is not UTF-8 as base64" {
	zk create /get4 $'\xff\xfe'
	[ "$(zk -j get /get4 | json_get dataBase64)" = //4= ]
}

@test "get -w prints the data, then blocks until it changes and prints NodeDataChanged" {
	zk create /get5 one
	bg "$ZKCLI" -s "127.0.0.1:$PORT" get -w /get5
	wait_until 20 watching /get5
	zk set /get5 two
	bg_finish
	[ "$BG_STATUS" -eq 0 ]
	[ "$BG_OUT" = $'one\nNodeDataChanged /get5' ]
}

@test "set changes the data; set -v with the current version succeeds" {
	zk create /set1 a
	zk set /set1 b
	zk set -v 1 /set1 c
	[ "$(zk get /set1)" = c ]
	[ "$(zk -j stat /set1 | json_get stat dataVersion)" = 2 ]
}

@test "set -v with a stale version exits BADVERSION (6)" {
	zk create /set2 a
	run --separate-stderr zk set -v 7 /set2 b
	assert_failure 6
	[ "$stderr" = "zkcli: /set2: bad version" ]
	[ "$(zk get /set2)" = a ]
}

@test "set of a missing node exits NONODE (4)" {
	run --separate-stderr zk set /set3 x
	assert_failure 4
}

# --- create

@test "create prints the path; creating it again exits NODEEXISTS (5)" {
	run --separate-stderr zk create /cr1 x
	assert_success
	assert_output /cr1
	run --separate-stderr zk create /cr1 y
	assert_failure 5
	[ "$stderr" = "zkcli: /cr1: node exists" ]
}

@test "create -s appends a ten-digit sequence number" {
	zk create /cr2
	run --separate-stderr zk create -s /cr2/n-
	assert_success
	assert_output /cr2/n-0000000000
	run --separate-stderr zk create -s /cr2/n-
	assert_output /cr2/n-0000000001
}

@test "create of a child of a missing node exits NONODE (4)" {
	run --separate-stderr zk create /cr3/child
	assert_failure 4
	[ "$stderr" = "zkcli: /cr3/child: no node" ]
}

@test "create -e makes an ephemeral of the session, gone when the session ends" {
	run --separate-stderr zk <<-EOF
	create -e /cr4 x
	stat /cr4
	EOF
	assert_success
	assert_line --index 0 /cr4
	assert_line --regexp '^ephemeralOwner = 0x[0-9a-f]*[1-9a-f][0-9a-f]*$'
	run zk exists /cr4
	assert_failure 4
}

@test "create under an ephemeral exits NOCHILDRENFOREPHEMERALS (10)" {
	run --separate-stderr zk <<-EOF
	create -e /cr5
	create /cr5/child
	EOF
	assert_failure 10
	[ "$stderr" = "zkcli: /cr5/child: no children for ephemerals" ]
}

@test "create -c makes a container, removed by the server once its last child goes" {
	zk create -c /cr6
	zk create /cr6/kid
	zk delete /cr6/kid
	run --separate-stderr zk wait -t 30 /cr6 gone
	assert_success
}

@test "create -t makes a persistent TTL node that looks plain (ephemeralOwner 0x0)" {
	run --separate-stderr zk create -t 600000 /cr7 x
	assert_success
	assert_output /cr7
	run --separate-stderr zk stat /cr7
	assert_line 'ephemeralOwner = 0x0'
	run --separate-stderr zk create -s -t 600000 /cr7/s-
	assert_output /cr7/s-0000000000
}

@test "a TTL node without children is removed once its time to live is over" {
	zk create -t 200 /cr8
	run --separate-stderr zk wait -t 30 /cr8 gone
	assert_success
}

@test "create -t on a server without extendedTypesEnabled exits UNIMPLEMENTED (13)" {
	server_start "$PORT2"
	run --separate-stderr "$ZKCLI" -s "127.0.0.1:$PORT2" create -t 1000 /cr9
	assert_failure 13
	[ "$stderr" = "zkcli: /cr9: unimplemented" ]
}

@test "create -t 0 or a relative path exits BADARGUMENTS (11)" {
	run --separate-stderr zk create -t 0 /cr10
	assert_failure 11
	[ "$stderr" = "zkcli: /cr10: bad arguments" ]
	run --separate-stderr zk create relative
	assert_failure 11
}

@test "a path the server refuses (a control character) exits BADARGUMENTS (11)" {
	# The C client lets \x1f through; ZooKeeper's path check does not.
	run --separate-stderr zk create $'/cr11\x1f'
	assert_failure 11
}

@test "create -c with -e, and -e with -t, are usage errors (2)" {
	run --separate-stderr zk create -c -e /cr12
	assert_failure 2
	run --separate-stderr zk create -e -t 100 /cr12
	assert_failure 2
	run zk exists /cr12
	assert_failure 4
}

# --- delete, deleteall

@test "delete removes a node; -v with a stale version exits BADVERSION (6)" {
	zk create /del1
	run --separate-stderr zk delete -v 3 /del1
	assert_failure 6
	zk delete -v 0 /del1
	run zk exists /del1
	assert_failure 4
}

@test "delete of a node with children exits NOTEMPTY (7)" {
	zk create /del2
	zk create /del2/k
	run --separate-stderr zk delete /del2
	assert_failure 7
	[ "$stderr" = "zkcli: /del2: not empty" ]
}

@test "delete of a missing node exits NONODE (4)" {
	run --separate-stderr zk delete /del3
	assert_failure 4
}

@test "deleteall removes the node and its whole subtree" {
	zk create /del4
	zk create /del4/a
	zk create /del4/a/b
	zk create /del4/c
	zk deleteall /del4
	run zk exists /del4
	assert_failure 4
	run --separate-stderr zk deleteall /del4
	assert_failure 4
}

# --- stat, exists, sync

@test "stat prints zkCli.sh's eleven fields in order" {
	zk create /st1 xyz
	zk create /st1/k
	run --separate-stderr zk stat /st1
	assert_success
	[ "${#lines[@]}" -eq 11 ]
	assert_line --index 0 --regexp '^cZxid = 0x[0-9a-f]+$'
	assert_line --index 1 --regexp '^ctime = [A-Z][a-z]{2} [A-Z][a-z]{2} [0-9]{2} [0-9:]{8} .* [0-9]{4}$'
	assert_line --index 5 'cversion = 1'
	assert_line --index 6 'dataVersion = 0'
	assert_line --index 7 'aclVersion = 0'
	assert_line --index 8 'ephemeralOwner = 0x0'
	assert_line --index 9 'dataLength = 3'
	assert_line --index 10 'numChildren = 1'
}

@test "stat -j is one JSON object agreeing with the text" {
	zk create /st2 hello
	zk -j stat /st2 | json_ok
	text_czxid=$(zk stat /st2 | sed -n 's/^cZxid = //p')
	[ "$(zk -j stat /st2 | json_get stat cZxid)" = "$text_czxid" ]
	[ "$(zk -j stat /st2 | json_get stat dataLength)" = 5 ]
	[ "$(zk -j stat /st2 | json_get stat ephemeralOwner)" = 0x0 ]
	run --separate-stderr zk -j stat /st2missing
	assert_failure 4
}

@test "exists exits 0 for a node and NONODE (4) for none, printing nothing" {
	zk create /ex1
	run --separate-stderr zk exists /ex1
	assert_success
	[ -z "$output" ] && [ -z "$stderr" ]
	run --separate-stderr zk exists /ex1missing
	assert_failure 4
	[ -z "$output" ] && [ -z "$stderr" ]
}

@test "exists -j says whether, with the stat when it does" {
	zk create /ex2
	[ "$(zk -j exists /ex2 | json_get exists)" = true ]
	[ "$(zk -j exists /ex2 | json_get stat numChildren)" = 0 ]
	run --separate-stderr zk -j exists /ex2missing
	assert_failure 4
	[ "$(echo "$output" | json_get exists)" = false ]
}

@test "sync succeeds and prints nothing" {
	zk create /sy1
	run --separate-stderr zk sync /sy1
	assert_success
	[ -z "$output" ]
}

# --- ACLs and authentication

@test "getacl prints scheme:id:perms; -j gives the list as JSON" {
	zk create /acl1
	run --separate-stderr zk getacl /acl1
	assert_success
	assert_output world:anyone:cdrwa
	zk -j getacl /acl1 | json_ok
	[ "$(zk -j getacl /acl1 | json_get acl 0 id)" = anyone ]
	[ "$(zk -j getacl /acl1 | json_get acl 0 perms)" = cdrwa ]
}

@test "setacl with a comma-separated list sets each entry" {
	zk create /acl2
	zk setacl /acl2 'world:anyone:r,ip:127.0.0.1:cdrwa'
	run --separate-stderr zk getacl /acl2
	assert_output $'world:anyone:r\nip:127.0.0.1:cdrwa'
	[ "$(zk -j stat /acl2 | json_get stat aclVersion)" = 1 ]
}

@test "after setacl to a digest user, reads exit NOAUTH (8) until addauth" {
	zk create /acl3 secret
	zk setacl /acl3 "digest:$(digest alice pw):cdrwa"
	run --separate-stderr zk get /acl3
	assert_failure 8
	[ "$stderr" = "zkcli: /acl3: not authenticated" ]
	run --separate-stderr zk <<-EOF
	addauth digest alice:pw
	get /acl3
	EOF
	assert_success
	assert_output secret
}

@test "setacl -v with a stale ACL version exits BADVERSION (6)" {
	zk create /acl4
	run --separate-stderr zk setacl -v 5 /acl4 world:anyone:r
	assert_failure 6
	zk setacl -v 0 /acl4 world:anyone:cdrwa
}

@test "setacl with auth: and no credentials exits INVALIDACL (9)" {
	zk create /acl5
	run --separate-stderr zk setacl /acl5 auth::cdrwa
	assert_failure 9
	[ "$stderr" = "zkcli: /acl5: invalid acl" ]
}

@test "a malformed ACL or an unknown permission letter is a usage error (2)" {
	zk create /acl6
	run --separate-stderr zk setacl /acl6 world:anyone:rwx
	assert_failure 2
	run --separate-stderr zk setacl /acl6 nocolon
	assert_failure 2
	[ "$(zk getacl /acl6)" = world:anyone:cdrwa ]
}

@test "addauth with a scheme the server does not know exits AUTHFAILED (8)" {
	run --separate-stderr zk addauth nosuchscheme x
	assert_failure 8
	[ "$stderr" = "zkcli: nosuchscheme: authentication failed" ]
}

@test "whoami shows the ip identity, and digest users after addauth, sorted" {
	run --separate-stderr zk whoami
	assert_success
	assert_output ip:127.0.0.1
	run --separate-stderr zk <<-EOF
	addauth digest bob:secret
	whoami
	EOF
	assert_success
	assert_output $'digest:bob\nip:127.0.0.1'
}

@test "whoami -j lists the identities as JSON" {
	run --separate-stderr zk -j <<-EOF
	addauth digest carol:x
	whoami
	EOF
	assert_success
	echo "$output" | json_ok
	[ "$(echo "$output" | json_get identities 0 scheme)" = digest ]
	[ "$(echo "$output" | json_get identities 0 user)" = carol ]
	[ "$(echo "$output" | json_get identities 1 scheme)" = ip ]
}

# --- ephemerals, count

@test "ephemerals lists the session's own ephemerals, sorted, by prefix" {
	zk create /eph1
	run --separate-stderr zk <<-EOF
	create -e /eph1/b
	create -e /eph1/a
	create -e /eph1x
	ephemerals /eph1/
	ephemerals
	EOF
	assert_success
	assert_output $'/eph1/b\n/eph1/a\n/eph1x\n/eph1/a\n/eph1/b\n/eph1/a\n/eph1/b\n/eph1x'
}

@test "ephemerals of a new session is empty, another session's ephemerals are not listed" {
	printf '%s\n' 'create -e /eph2' 'wait /eph2-never exists' > shell.in
	BG_IN=shell.in bg "$ZKCLI" -s "127.0.0.1:$PORT"
	wait_until 20 watching /eph2-never
	run --separate-stderr zk ephemerals
	assert_success
	[ -z "$output" ]
	run --separate-stderr zk -j ephemerals
	[ "$(echo "$output" | json_get paths)" = '[]' ]
}

@test "count gives the number of nodes below a path" {
	zk create /cnt1
	zk create /cnt1/a
	zk create /cnt1/a/b
	zk create /cnt1/c
	run --separate-stderr zk count /cnt1
	assert_success
	assert_output 3
	[ "$(zk -j count /cnt1 | json_get count)" = 3 ]
	run --separate-stderr zk count /cnt1/c
	assert_output 0
}

@test "count of a missing node exits NONODE (4), of an unreadable one NOAUTH (8)" {
	run --separate-stderr zk count /cnt2
	assert_failure 4
	zk create /cnt3
	zk setacl /cnt3 "digest:$(digest dave pw):cdrwa"
	run --separate-stderr zk count /cnt3
	assert_failure 8
	run --separate-stderr zk <<-EOF
	addauth digest dave:pw
	count /cnt3
	EOF
	assert_success
	assert_output 0
}

# --- watch, wait

@test "watch on a missing node prints NodeCreated when it is created" {
	bg "$ZKCLI" -s "127.0.0.1:$PORT" watch /w1
	wait_until 20 watching /w1
	zk create /w1
	bg_finish
	[ "$BG_STATUS" -eq 0 ]
	[ "$BG_OUT" = "NodeCreated /w1" ]
}

@test "watch prints NodeDataChanged and NodeDeleted" {
	zk create /w2 a
	bg "$ZKCLI" -s "127.0.0.1:$PORT" watch /w2
	wait_until 20 watching /w2
	zk set /w2 b
	bg_finish
	[ "$BG_OUT" = "NodeDataChanged /w2" ]
	bg "$ZKCLI" -s "127.0.0.1:$PORT" watch /w2
	wait_until 20 watching /w2
	zk delete /w2
	bg_finish
	[ "$BG_OUT" = "NodeDeleted /w2" ]
}

@test "watch -c prints NodeChildrenChanged, ignoring data changes" {
	zk create /w3
	before=$(watch_count)
	bg "$ZKCLI" -s "127.0.0.1:$PORT" watch -c /w3
	wait_until 20 watch_count_above "$before"
	zk set /w3 data
	zk create /w3/kid
	bg_finish
	[ "$BG_STATUS" -eq 0 ]
	[ "$BG_OUT" = "NodeChildrenChanged /w3" ]
}

@test "watch -c on a missing node exits NONODE (4)" {
	run --separate-stderr zk watch -c /w4
	assert_failure 4
}

@test "watch -j prints the event as one JSON object" {
	bg "$ZKCLI" -j -s "127.0.0.1:$PORT" watch /w5
	wait_until 20 watching /w5
	zk create /w5
	bg_finish
	echo "$BG_OUT" | json_ok
	[ "$(echo "$BG_OUT" | json_get type)" = NodeCreated ]
	[ "$(echo "$BG_OUT" | json_get path)" = /w5 ]
}

@test "wait PATH exists returns once the node is created" {
	bg "$ZKCLI" -s "127.0.0.1:$PORT" wait -t 60 /wt1 exists
	wait_until 20 watching /wt1
	zk create /wt1
	bg_finish
	[ "$BG_STATUS" -eq 0 ]
	[ -z "$BG_OUT$BG_ERR" ]
}

@test "wait PATH gone returns once the node is deleted" {
	zk create /wt2
	bg "$ZKCLI" -s "127.0.0.1:$PORT" wait /wt2 gone
	wait_until 20 watching /wt2
	zk set /wt2 still-here
	zk delete /wt2
	bg_finish
	[ "$BG_STATUS" -eq 0 ]
}

@test "wait returns at once when the condition already holds" {
	zk create /wt3
	run --separate-stderr zk wait -t 0 /wt3 exists
	assert_success
	run --separate-stderr zk wait -t 0 /wt3missing gone
	assert_success
}

@test "wait -t exits 3 with 'timed out' when the condition does not come" {
	run --separate-stderr zk wait -t 0.3 /wt4 exists
	assert_failure 3
	[ "$stderr" = "zkcli: /wt4: timed out" ]
}

@test "a session that expires under a wait exits SESSIONEXPIRED (12)" {
	bg "$ZKCLI" -t 4000 -s "127.0.0.1:$PORT" wait /wt5 exists
	wait_until 20 watching /wt5
	kill -STOP "$BG_PID"
	wait_until 60 eval '! watching /wt5'
	kill -CONT "$BG_PID"
	bg_finish
	[ "$BG_STATUS" -eq 12 ]
	[ "$BG_ERR" = "zkcli: /wt5: session expired" ]
}

# --- the shell, servers, usage

@test "the shell reads commands from a here-document and goes on after errors" {
	run --separate-stderr zk <<-'EOF'
	create /sh1 'two words'
	get /sh1
	get /sh1missing
	bogus
	# a comment line, then an empty one

	set /sh1 "say \"hi\""
	get /sh1
	EOF
	assert_success
	assert_output $'/sh1\ntwo words\nsay "hi"'
	[ "$stderr" = $'zkcli: /sh1missing: no node\nzkcli: bogus: unknown command' ]
}

@test "the shell ends at quit with the last command's status, and prints no prompt off a tty" {
	run --separate-stderr zk <<-EOF
	get /sh2missing
	quit
	create /sh2
	EOF
	assert_failure 4
	[ -z "$output" ]
	run zk exists /sh2
	assert_failure 4
}

@test "the shell keeps one session: an ephemeral lives until the input ends" {
	run --separate-stderr zk <<-EOF
	create -e /sh3
	exists /sh3
	get /sh3
	EOF
	assert_success
	run zk exists /sh3
	assert_failure 4
}

@test "in the shell, a -w watch prints its event when it fires" {
	zk create /sh4 a
	mkfifo shell.fifo
	BG_IN=shell.fifo bg "$ZKCLI" -s "127.0.0.1:$PORT"
	exec {fifo}> shell.fifo
	echo 'get -w /sh4' >&"$fifo"
	wait_until 20 watching /sh4
	zk set /sh4 b
	wait_until 20 grep -qx 'NodeDataChanged /sh4' bg.out
	echo 'get /sh4' >&"$fifo"
	exec {fifo}>&-
	bg_finish
	[ "$BG_STATUS" -eq 0 ]
	[ "$BG_OUT" = $'a\nNodeDataChanged /sh4\nb' ]
}

@test "after the server refuses addauth, the shell goes on with a new session" {
	run --separate-stderr zk <<-EOF
	addauth nosuchscheme x
	whoami
	ls /zookeeper
	EOF
	assert_success
	assert_output $'ip:127.0.0.1\nconfig\nquota'
	[ "$stderr" = "zkcli: nosuchscheme: authentication failed" ]
}

@test "ZK_SERVERS names the servers; -s overrides it" {
	zk create /env1 from-env
	ZK_SERVERS=127.0.0.1:$PORT run --separate-stderr "$ZKCLI" get /env1
	assert_success
	assert_output from-env
	ZK_SERVERS=127.0.0.1:$NOBODY run --separate-stderr "$ZKCLI" \
	    -s "127.0.0.1:$PORT" get /env1
	assert_success
	assert_output from-env
}

@test "-s with a chroot runs every command under it, the side door too" {
	zk create /chr
	zk create /chr/a
	zk create /chr/a/b
	run --separate-stderr "$ZKCLI" -s "127.0.0.1:$PORT/chr" <<-EOF
	ls /
	count /
	create -e /e
	ephemerals
	EOF
	assert_success
	assert_output $'a\n2\n/e\n/e'
}

@test "an unreachable server exits 3 (connection loss) after -t ms" {
	run --separate-stderr "$ZKCLI" -t 300 -s "127.0.0.1:$NOBODY" ls /
	assert_failure 3
	[ "$stderr" = "zkcli: 127.0.0.1:$NOBODY: connection loss" ]
}

@test "usage errors exit 2 without needing a server" {
	run --separate-stderr "$ZKCLI" -s "127.0.0.1:$NOBODY" get
	assert_failure 2
	[ "$stderr" = "usage: get [-sw] path" ]
	run --separate-stderr "$ZKCLI" -s "127.0.0.1:$NOBODY" bogus /x
	assert_failure 2
	[ "$stderr" = "zkcli: bogus: unknown command" ]
	run --separate-stderr "$ZKCLI" -t soon ls /
	assert_failure 2
	run --separate-stderr "$ZKCLI" -s "127.0.0.1:$NOBODY" wait /x maybe
	assert_failure 2
	run --separate-stderr "$ZKCLI" -s "127.0.0.1:$NOBODY" set -v x /x y
	assert_failure 2
	run --separate-stderr "$ZKCLI" -s "127.0.0.1:$NOBODY" ls -R -s /
	assert_failure 2
}

@test "-h prints the usage and every command" {
	run --separate-stderr "$ZKCLI" -h
	assert_success
	assert_line --index 0 --partial 'usage: zkcli'
	for c in addauth count create delete deleteall ephemerals exists get \
	    getacl ls set setacl stat sync wait watch whoami; do
		assert_line --regexp "^	$c( |$)"
	done
}

@test "every stat-like -j output is valid JSON, one object per invocation" {
	zk create /js1 v
	for cmd in "stat /js1" "get -s /js1" "ls -s /js1" "getacl /js1" \
	    "whoami" "exists /js1" "count /js1" "ephemerals" "create /js2"; do
		out=$(zk -j $cmd)
		[ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ]
		printf '%s\n' "$out" | json_ok
	done
}
