#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# Bad input and limits: oversized, negative, malformed and truncated frames
# close only the connection that sent them; maxClientCnxns; session timeout
# clamping; the four-letter-word whitelist.  Ports 21110-21119.

load "$TOP_SRCDIR/test/lib/zkd.bash"

setup_file() {
	export LIMITS_PORT=21110
	cd "$BATS_FILE_TMPDIR"
	zkd_start "$LIMITS_PORT" "maxClientCnxns=6" "tickTime=500" \
	    "jute.maxbuffer=65536"
	echo "$ZKD_PID" > "$BATS_FILE_TMPDIR/pid"
	echo "$ZKD_DIR" > "$BATS_FILE_TMPDIR/dir"
}

teardown_file() {
	ZKD_PID=$(cat "$BATS_FILE_TMPDIR/pid")
	zkd_stop
}

only_one_connection() {
	zkd_4lw "$LIMITS_PORT" srvr | grep -q '^Connections: 1$'
}

# raw SCRIPT: runs a Python snippet with helpers to talk the wire protocol.
raw() {
	/usr/bin/python3 - "$LIMITS_PORT" "$@" <<-'EOF2'
	import socket, struct, sys
	port = int(sys.argv[1])
	def conn():
	    return socket.create_connection(("127.0.0.1", port), timeout=10)
	def frame(b):
	    return struct.pack(">i", len(b)) + b
	def recv(s):
	    h = b""
	    while len(h) < 4:
	        c = s.recv(4 - len(h))
	        if not c:
	            return None
	        h += c
	    n = struct.unpack(">i", h)[0]
	    d = b""
	    while len(d) < n:
	        c = s.recv(n - len(d))
	        if not c:
	            return None
	        d += c
	    return d
	def handshake(s, timeout=30000):
	    s.sendall(frame(struct.pack(">iqiqi", 0, 0, timeout, 0, 16) +
	                    b"\0" * 16 + b"\0"))
	    r = recv(s)
	    return struct.unpack(">iiq", r[:16])
	def closed(s):
	    try:
	        return s.recv(1) == b""
	    except ConnectionResetError:
	        return True
	def ping(s):
	    s.sendall(frame(struct.pack(">ii", -2, 11)))
	    return struct.unpack(">iqi", recv(s)[:16])[0] == -2
	exec(sys.argv[2])
	EOF2
}

@test "a frame longer than jute.maxbuffer closes that connection, others are served" {
	run raw '
a = conn(); handshake(a)
b = conn(); handshake(b)
b.sendall(struct.pack(">i", 65537) + b"x" * 100)
assert closed(b), "oversized frame left the connection open"
assert ping(a), "the other client stopped being served"
print("ok")'
	[ "$status" -eq 0 ]
	[ "$output" = ok ] || { echo "$output"; false; }
}

@test "a negative frame length closes the connection" {
	run raw '
b = conn(); handshake(b)
b.sendall(struct.pack(">i", -5))
assert closed(b)
print("ok")'
	[ "$output" = ok ] || { echo "$output"; false; }
}

@test "a malformed handshake closes the connection, the server keeps serving" {
	run raw '
b = conn()
b.sendall(frame(b"\x00\x01\x02"))
assert closed(b)
a = conn(); handshake(a); assert ping(a)
print("ok")'
	[ "$output" = ok ] || { echo "$output"; false; }
}

@test "a truncated request closes only its connection" {
	run raw '
a = conn(); handshake(a)
b = conn(); handshake(b)
# getData with a path length running past the frame
b.sendall(frame(struct.pack(">iii", 1, 4, 100) + b"/ab"))
assert closed(b)
assert ping(a)
print("ok")'
	[ "$output" = ok ] || { echo "$output"; false; }
}

@test "a request of an unknown opcode is answered UNIMPLEMENTED, then closed as by ZooKeeper" {
	run raw '
a = conn(); handshake(a)
b = conn(); handshake(b)
a.sendall(frame(struct.pack(">ii", 7, 999)))
xid, zxid, err = struct.unpack(">iqi", recv(a)[:16])
assert (xid, zxid, err) == (7, -1, -6), (xid, zxid, err)
assert closed(a)
assert ping(b)
print("ok")'
	[ "$output" = ok ] || { echo "$output"; false; }
}

@test "a client that does not read its replies is held back; others are served; it gets every reply in order" {
	run raw '
a = conn(); handshake(a)
path = b"/bulk"
data = b"x" * 60000
acl = struct.pack(">iii", 1, 31, 5) + b"world" + struct.pack(">i", 6) + b"anyone"
a.sendall(frame(struct.pack(">iii", 1, 1, len(path)) + path +
    struct.pack(">i", len(data)) + data + acl + struct.pack(">i", 0)))
xid, zxid, err = struct.unpack(">iqi", recv(a)[:16])
assert (xid, err) == (1, 0), (xid, err)
# 400 getData of 60 kB each: 24 MB of replies, far past what the
# kernel buffers and the connection'"'"'s 4 MiB output limit hold.
n = 400
a.sendall(b"".join(frame(struct.pack(">iii", 2 + i, 4, len(path)) + path +
    b"\0") for i in range(n)))
b = conn(); handshake(b)
assert ping(b), "another client went unserved"
for i in range(n):
    r = recv(a)
    assert r is not None, "connection closed after %d replies" % i
    xid, zxid, err, dlen = struct.unpack(">iqii", r[:20])
    assert (xid, err, dlen) == (2 + i, 0, len(data)), (i, xid, err, dlen)
assert ping(a) and ping(b)
print("ok")'
	[ "$output" = ok ] || { echo "$output"; false; }
}

@test "the session timeout is clamped to 2..20 ticks" {
	run raw '
a = conn(); _, to, _ = handshake(a, 1)
b = conn(); _, to2, _ = handshake(b, 10**7)
print(to, to2)'
	[ "$output" = "1000 10000" ]
}

@test "maxClientCnxns refuses the next connection from the same address" {
	# Earlier tests' connections must be gone first: only ours may count.
	wait_until 20 only_one_connection
	run raw '
cs = []
for i in range(6):
    c = conn(); handshake(c); cs.append(c)
extra = conn()
assert closed(extra), "the seventh connection was accepted"
cs[0].close()
import time
deadline = time.monotonic() + 20
while True:
    try:
        again = conn()
        again.sendall(frame(struct.pack(">iqiqi", 0, 0, 30000, 0, 16) +
                            b"\0" * 16))
        if recv(again) is not None:
            break
    except OSError:
        pass    # refused while the close is not yet seen: try again
    assert time.monotonic() < deadline, "no slot after a close"
print("ok")'
	[ "$output" = ok ] || { echo "$output"; false; }
}

@test "an unknown four-letter word gets no reply and a closed connection" {
	run zkd_4lw "$LIMITS_PORT" xyzw
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "the server answered everyone after all of the above" {
	run zkd_4lw "$LIMITS_PORT" srvr
	[[ "$output" == *"Mode: standalone"* ]]
	kill -0 "$(cat "$BATS_FILE_TMPDIR/pid")"
}
