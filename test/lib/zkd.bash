# SPDX-License-Identifier: ISC
#
# bats helpers to run a standalone zkd in a test's temporary directory.
#   zkd_start PORT [zoo.cfg line ...]   start, wait until it answers ruok
#   zkd_stop                            SIGTERM, then check it is gone
#   zkd_4lw PORT WORD                   print a four-letter word's reply
#   wait_until SECONDS COMMAND...       retry COMMAND until it succeeds
#                                       (or until it returns 2: never)

ZKD=${ZKD:-zkd}

zkd_4lw() {
	/usr/bin/python3 -c 'import socket,sys
s=socket.create_connection(("127.0.0.1",int(sys.argv[1])),timeout=5)
s.sendall(sys.argv[2].encode())
out=b""
while True:
    try: c=s.recv(65536)
    except ConnectionResetError: break
    if not c: break
    out+=c
sys.stdout.buffer.write(out)' "$1" "$2"
}

wait_until() {
	local limit=$1 start=$SECONDS rc
	shift
	while true; do
		"$@" >/dev/null 2>&1 && return 0
		rc=$?
		# Status 2 means the condition can never become true.
		[ "$rc" -eq 2 ] && return 1
		if (( SECONDS - start >= limit )); then
			echo "timed out after ${limit}s waiting for: $*" >&2
			return 1
		fi
		sleep 0.02
	done
}

zkd_start() {
	local port=$1
	shift
	ZKD_DIR=$(mktemp -d "${BATS_TEST_TMPDIR:-/tmp}/zkd.XXXXXX")
	{
		echo "tickTime=2000"
		echo "dataDir=$ZKD_DIR/data"
		echo "clientPort=$port"
		echo "4lw.commands.whitelist=*"
		local line
		for line in "$@"; do echo "$line"; done
	} > "$ZKD_DIR/zoo.cfg"
	"$ZKD" -d -z "$ZKD_DIR/zoo.cfg" > "$ZKD_DIR/zkd.log" 2>&1 &
	ZKD_PID=$!
	ZKD_PORT=$port
	if ! wait_until 20 zkd_own_ready "$port" "$ZKD_PID"; then
		echo "zkd did not start on port $port:" >&2
		cat "$ZKD_DIR/zkd.log" >&2
		return 1
	fi
}

# Ready only if our own process answers: a server that failed to bind
# must not pass for ready because another one holds the port.
zkd_own_ready() {
	zkd_gone "$2" && return 2
	zkd_4lw "$1" srvr | grep -q '^Zookeeper version:' && ! zkd_gone "$2"
}

zkd_ruok() {
	[ "$(zkd_4lw "$1" ruok)" = imok ]
}

zkd_stop() {
	[ -n "${ZKD_PID:-}" ] || return 0
	kill -TERM "$ZKD_PID" 2>/dev/null || true
	wait_until 10 zkd_gone "$ZKD_PID" || kill -KILL "$ZKD_PID" 2>/dev/null
	wait "$ZKD_PID" 2>/dev/null || true
	! kill -0 "$ZKD_PID" 2>/dev/null
	ZKD_PID=
}

zkd_gone() {
	local st
	st=$(ps -o stat= -p "$1" 2>/dev/null)
	[ -z "$st" ] || [[ $st == Z* ]]
}
