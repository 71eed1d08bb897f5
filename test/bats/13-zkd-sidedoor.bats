#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# zkd's side door (-c FD): what a supervisor holding the other end of a
# socketpair reads (hello, state, ready, zxid, sessions, reply, bye) and
# the commands it sends (ping, verbose, stats, expire, quit), bad lines,
# and zkd's end when the supervisor goes (end of file, death of the
# parent).  The Python side is test/lib/sidedoor.py.  Ports 21970-21979.

setup() {
	cd "$BATS_TEST_TMPDIR"
}

# door: runs the Python script on stdin (PYTHONPATH has test/lib).
door() {
	/usr/bin/python3 - "$@"
}

@test "hello, state and ready come first, in that order, with the server's fields" {
	door <<'EOF'
from sidedoor import SideDoor
from zkharness import four
with SideDoor(21970) as d:
    hello = d.recv()
    assert hello.verb == "hello", hello
    assert hello["sid"] == "1" and hello["client"] == "21970", hello
    assert hello["mode"] == "standalone", hello
    assert int(hello["pid"]) == d.proc.pid, (hello, d.proc.pid)
    assert hello["version"] and "=" not in hello["version"], hello
    state = d.recv()
    assert state.line == "state state=STANDALONE leader=0 epoch=0 zxid=0x0", state
    ready = d.recv()
    assert ready.line == "ready client=21970 pid=%d" % d.proc.pid, ready
    # Ready means serving: a client is answered at once.
    assert four(21970, "ruok") == b"imok"
    assert d.command("ping").line.endswith(" ok")
    assert [m.verb for m in d.messages] == ["hello", "state", "ready", "reply"], d.messages
EOF
}

@test "hello comes before the data directory is touched: a server that cannot start sends no state, ready or bye" {
	touch blocker
	door "$PWD/blocker/d" <<'EOF'
import sys
from sidedoor import SideDoor
with SideDoor(21971, {"dataDir": sys.argv[1]}) as d:
    assert d.recv().verb == "hello"
    rest = d.wait_eof()
    assert rest == [], rest
    assert d.wait_exit() == 73
    assert "cannot create data directory" in d.logtext()
EOF
}

@test "after a restart, state carries the recovered zxid and its epoch" {
	door <<'EOF'
import os
from kazoo.client import KazooClient
from sidedoor import SideDoor
from zkharness import four
d = SideDoor(21972)
data = os.path.join(d.dir, "data")
with d:
    d.wait_ready()
    zk = KazooClient(hosts="127.0.0.1:21972", timeout=10)
    zk.start(timeout=30)
    for i in range(5):
        zk.create("/r%d" % i, b"x")
    zk.stop()
    zk.close()
    last = [l for l in four(21972, "srvr").decode().splitlines()
            if l.startswith("Zxid: ")][0].split()[1]
    assert int(last, 16) > 0
    d.close_door()
    assert d.wait_exit() == 0
    # The same data directory, a new side door.
    again = SideDoor(21972, {"dataDir": data})
    with again:
        assert again.recv().verb == "hello"
        state = again.recv()
        assert state.verb == "state", state
        assert state["zxid"] == last, (state, last)
        assert int(state["epoch"]) == int(last, 16) >> 32, state
        assert again.recv().verb == "ready"
EOF
}

@test "zxid follows writes as they happen, coalesced to far fewer lines than 500 pipelined creates" {
	door <<'EOF'
import zkwire
from sidedoor import SideDoor
from zkharness import four
with SideDoor(21973) as d:
    d.wait_ready()
    c = zkwire.Conn(21973)
    c.handshake()
    # One write: a zxid line carrying the zxid of its reply.
    hdr, _ = c.call(1, *zkwire.req_create("/one"))[-1]
    assert hdr["err"] == 0
    m = d.expect("zxid", match=lambda m: int(m["zxid"], 16) >= hdr["zxid"])
    assert int(m["zxid"], 16) == hdr["zxid"], (m, hdr)
    before = len([m for m in d.messages if m.verb == "zxid"])
    # 500 creates written at once, then their replies.
    c.send_raw(b"".join(zkwire.request(100 + i, *zkwire.req_create("/p%d" % i))
                        for i in range(500)))
    last = None
    for i in range(500):
        hdr, _ = c.collect(100 + i, zkwire.CREATE)[-1]
        assert hdr["err"] == 0, hdr
        last = hdr["zxid"]
    srvr = four(21973, "srvr").decode()
    zxid = [l for l in srvr.splitlines() if l.startswith("Zxid: ")][0].split()[1]
    assert int(zxid, 16) == last, (zxid, last)
    d.expect("zxid", match=lambda m: m["zxid"] == zxid)
    zxids = [int(m["zxid"], 16) for m in d.messages if m.verb == "zxid"]
    assert zxids == sorted(set(zxids)), "zxid went back or repeated"
    n = len(zxids) - before
    print("# %d zxid lines for 500 creates" % n)
    assert 1 <= n < 250, n
    # Nothing moves now: the side door stays quiet until the next write.
    seen = len(d.messages)
    assert d.command("ping").line.endswith(" ok")
    assert [m.verb for m in d.messages[seen:]] == ["reply"], d.messages[seen:]
    c.close()
EOF
}

@test "sessions follows connects and closes" {
	door <<'EOF'
import zkwire
from sidedoor import SideDoor
with SideDoor(21974) as d:
    d.wait_ready()
    a = zkwire.Conn(21974)
    a.handshake()
    assert d.expect("sessions")["n"] == "1"
    b = zkwire.Conn(21974)
    b.handshake()
    assert d.expect("sessions")["n"] == "2"
    a.call(1, zkwire.CLOSESESSION, b"")
    assert d.expect("sessions")["n"] == "1"
    b.call(1, zkwire.CLOSESESSION, b"")
    assert d.expect("sessions")["n"] == "0"
    r = d.command("stats")
    assert r["sessions"] == "0", r
    a.close()
    b.close()
EOF
}

@test "ping, stats and verbose are answered ok with their fields" {
	door <<'EOF'
import re
import zkwire
from sidedoor import SideDoor
from zkharness import four, wait_for
with SideDoor(21975) as d:
    d.wait_ready()
    d.send_raw(b"p.1 ping\n")
    assert d.expect("reply").line == "reply id=p.1 ok"
    r = d.command("stats")
    assert (r["sessions"], r["connections"], r["zxid"], r["nodes"]) == \
        ("0", "0", "0x0", "5"), r
    c = zkwire.Conn(21975)
    c.handshake()
    hdr, _ = c.call(1, *zkwire.req_create("/s"))[-1]
    r = d.command("stats")
    assert (r["sessions"], r["connections"], r["nodes"]) == \
        ("1", "1", "6"), r
    assert int(r["zxid"], 16) == hdr["zxid"], (r, hdr)
    # verbose: debug lines appear in the log only from level 1.
    four(21975, "ruok")
    assert "connection from" not in d.logtext()
    assert d.command("verbose", level=1).line.endswith(" ok level=1")
    four(21975, "ruok")
    wait_for(lambda: "connection from" in d.logtext(), what="a debug line")
    assert d.command("verbose", level=0)["level"] == "0"
    n = d.logtext().count("connection from")
    four(21975, "ruok")
    assert d.command("ping").line.endswith(" ok")
    assert d.logtext().count("connection from") == n
    c.close()
EOF
}

@test "unknown verbs, bad fields, malformed and over-long lines get error replies and nothing else" {
	door <<'EOF'
from sidedoor import SideDoor
from zkharness import four
with SideDoor(21976) as d:
    d.wait_ready()
    def one(raw):
        d.send_raw(raw)
        return d.expect("reply").line
    assert one(b"u1 frobnicate x=1\n") == "reply id=u1 error=unknown msg=no-verb-frobnicate"
    assert one(b"\n").startswith("reply id=- error=malformed ")
    assert one(b"lonely\n") == "reply id=- error=malformed msg=no-verb"
    assert one(b"bad/id ping\n").startswith("reply id=- error=malformed ")
    assert one(b"x" * 65 + b" ping\n").startswith("reply id=- error=malformed ")
    assert one(b"c1 ping\r\n").startswith("reply id=- error=malformed ")
    assert one(b"c2 \xff\x00ping\n") == "reply id=- error=malformed msg=not-printable-ascii"
    assert one(b"b1 ping x=1\n") == "reply id=b1 error=badarg msg=unknown-field-x"
    assert one(b"b2 verbose\n").startswith("reply id=b2 error=badarg ")
    assert one(b"b3 verbose level=ten\n").startswith("reply id=b3 error=badarg ")
    assert one(b"b4 verbose level=1 level=2\n").startswith("reply id=b4 error=badarg ")
    assert one(b"b5 verbose level\n") == "reply id=b5 error=badarg msg=fields-are-key=value"
    assert one(b"b6 expire session=12\n").startswith("reply id=b6 error=badarg ")
    assert one(b"b7 ping " + b"a=1 " * 20 + b"\n") == "reply id=b7 error=badarg msg=too-many-fields"
    # A line of exactly 1024 bytes with its LF is the longest taken.
    fits = b"f1 ping" + b" " * (1023 - 7) + b"\n"
    assert len(fits) == 1024
    assert one(fits) == "reply id=f1 ok"
    assert one(b"f2 ping" + b" " * (1024 - 7) + b"\n") == \
        "reply id=- error=malformed msg=line-over-1024-bytes"
    # 200 KiB without a newline: one reply, the rest of it ignored.
    d.send_raw(b"z" * 200 * 1024 + b"\n" + b"after ping\n")
    assert d.expect("reply").line == "reply id=- error=malformed msg=line-over-1024-bytes"
    assert d.expect("reply").line == "reply id=after ok"
    # Every line got exactly one reply, and nothing else was said.
    assert [m.verb for m in d.messages[3:]] == ["reply"] * 18, d.messages
    assert four(21976, "ruok") == b"imok"
EOF
}

@test "a supervisor that stops reading never stalls zkd; it then gets every reply in order and the zxid held back" {
	door <<'EOF'
import threading
import zkwire
from sidedoor import SideDoor
from zkharness import four, wait_for
with SideDoor(21972) as d:
    d.wait_ready()
    assert d.command("verbose", level=1)["level"] == "1"
    # About 3 MiB of replies, more than the 1 MiB zkd keeps for us plus
    # what the socket holds: zkd must stop reading commands, not block.
    n = 150000
    sender = threading.Thread(target=d.send_raw, daemon=True, args=(
        b"".join(b"f%d ping\n" % i for i in range(n)),))
    sender.start()
    wait_for(lambda: "commands wait too" in d.logtext(), 60,
             "zkd to stop reading commands")
    seen = len(d.messages)
    # Clients are served meanwhile, writes included.
    c = zkwire.Conn(21972)
    c.handshake()
    for i in range(20):
        hdr, _ = c.call(i + 1, *zkwire.req_create("/w%d" % i))[-1]
        assert hdr["err"] == 0, hdr
    last = hdr["zxid"]
    assert four(21972, "ruok") == b"imok"
    got = 0
    while got < n:
        m = d.recv(60)
        assert m is not None, "end of file"
        if m.verb == "reply":
            assert m.line == "reply id=f%d ok" % got, (m, got)
            got += 1
    sender.join(60)
    assert not sender.is_alive()
    # Held back while the output was full, then sent once with the value
    # of the time: one zxid line for the 20 creates, one sessions line.
    # (sessions comes right after zxid: reading up to it reads both)
    if not any(m.verb == "sessions" for m in d.messages[seen:]):
        d.expect("sessions", 60)
    rest = [m.line for m in d.messages[seen:] if m.verb != "reply"]
    assert rest == ["zxid zxid=0x%x" % last, "sessions n=1"], rest
    assert "the supervisor reads again" in d.logtext()
    c.close()
EOF
}

@test "expire ends a live session now: its ephemeral goes, a watcher sees NodeDeleted, its client sees the session expired" {
	door <<'EOF'
import threading
from kazoo.client import KazooClient, KazooState
from sidedoor import SideDoor
with SideDoor(21977) as d:
    d.wait_ready()
    owner = KazooClient(hosts="127.0.0.1:21977", timeout=10)
    owner.start(timeout=30)
    lost = threading.Event()
    owner.add_listener(lambda s: lost.set() if s == KazooState.LOST else None)
    owner.create("/eph", b"mine", ephemeral=True)
    watcher = KazooClient(hosts="127.0.0.1:21977", timeout=10)
    watcher.start(timeout=30)
    events = []
    deleted = threading.Event()
    def watch(ev):
        events.append(ev)
        deleted.set()
    assert watcher.exists("/eph", watch=watch) is not None
    d.expect("sessions", match=lambda m: m["n"] == "2")
    sid = owner.client_id[0]
    r = d.command("expire", session="0x%x" % sid)
    assert r.line == "reply id=%s ok session=0x%x" % (r["id"], sid), r
    # The reply follows the closeSession txn: the node is already gone,
    # and the messages it caused came before the reply.
    assert watcher.exists("/eph") is None
    verbs = [m.verb for m in d.messages]
    assert verbs[-3:] == ["zxid", "sessions", "reply"], d.messages[-4:]
    assert d.messages[-2]["n"] == "1"
    assert deleted.wait(30), "no watch event"
    assert events[0].type == "DELETED" and events[0].path == "/eph", events
    assert lost.wait(30), "the owner never saw its session expire"
    assert "expiring session 0x%x, expired by the supervisor" % sid in d.logtext()
    # The same session again: it is gone.
    r = d.command("expire", session="0x%x" % sid)
    assert r["error"] == "nosession", r
    for zk in (owner, watcher):
        zk.stop()
        zk.close()
EOF
}

@test "an expired session's connection is closed and its reconnect answered as expired" {
	door <<'EOF'
import zkwire
from sidedoor import SideDoor
with SideDoor(21977) as d:
    d.wait_ready()
    c = zkwire.Conn(21977)
    c.handshake(timeout=30000)
    hdr, _ = c.call(1, *zkwire.req_create("/e", flags=zkwire.EPHEMERAL))[-1]
    assert hdr["err"] == 0
    r = d.command("expire", session="0x%x" % c.session_id)
    assert r.get("ok") is True, r
    assert c.wait_closed(30), "the connection stayed open"
    again = zkwire.Conn(21977)
    _, rsp = again.handshake(session_id=c.session_id, passwd=c.passwd)
    assert (rsp["timeOut"], rsp["sessionId"]) == (0, 0), rsp
    assert again.wait_closed(30)
    r = d.command("stats")
    assert (r["sessions"], r["nodes"]) == ("0", "5"), r
    # A session never seen, and a malformed id.
    assert d.command("expire", session="0x7f00000000000001")["error"] == "nosession"
    assert d.command("expire", session="0x")["error"] == "badarg"
EOF
}

@test "quit is answered, then bye, and zkd exits 0" {
	door <<'EOF'
from sidedoor import SideDoor
with SideDoor(21978) as d:
    d.wait_ready()
    cid = d.send("quit")
    rest = d.wait_eof()
    assert [m.line for m in rest] == ["reply id=%s ok" % cid, "bye status=0"], rest
    assert d.wait_exit() == 0
EOF
}

@test "SIGTERM still stops zkd cleanly, bye last" {
	door <<'EOF'
import signal
from sidedoor import SideDoor
with SideDoor(21978) as d:
    d.wait_ready()
    d.proc.send_signal(signal.SIGTERM)
    rest = d.wait_eof()
    assert [m.line for m in rest] == ["bye status=0"], rest
    assert d.wait_exit() == 0
EOF
}

@test "closing the supervisor's end makes zkd exit 0, its pidfile removed" {
	door <<'EOF'
import os
from sidedoor import SideDoor
with SideDoor(21979) as d:
    d.wait_ready()
    pidfile = os.path.join(d.dir, "data", "zkd.pid")
    assert os.path.exists(pidfile)
    d.close_door()
    assert d.wait_exit(60) == 0
    assert "the supervisor closed the side door" in d.logtext()
    assert not os.path.exists(pidfile)
EOF
}

@test "SIGKILL of zkd's parent ends zkd, even a paused one (parent-death signal)" {
	door <<'EOF'
import os
import signal
from sidedoor import SideDoor
from zkharness import four, wait_for
with SideDoor(21979, via_parent=True) as d:
    d.wait_ready()
    assert d.pid != d.parent.pid and d.alive()
    assert four(21979, "ruok") == b"imok"
    # Our end of the socket stays open: only the parent's death can end
    # zkd here, stopped as it is.
    os.kill(d.pid, signal.SIGSTOP)
    d.parent.send_signal(signal.SIGKILL)
    d.parent.wait(30)
    # SIGKILL (a paused server takes no other signal): no bye.
    rest = d.wait_eof(60)
    assert rest == [], rest
    wait_for(lambda: not d.alive(), 30, "zkd to be gone")
EOF
}

@test "without -d zkd detaches and the side door still works" {
	door <<'EOF'
from sidedoor import SideDoor
from zkharness import wait_for
with SideDoor(21970, foreground=False) as d:
    hello = d.recv()
    assert hello.verb == "hello" and int(hello["pid"]) == d.proc.pid
    assert d.recv().verb == "state"
    ready = d.recv()
    assert ready.verb == "ready", ready
    daemon = int(ready["pid"])
    assert daemon != d.proc.pid
    assert d.wait_exit() == 0
    assert d.command("ping").line.endswith(" ok")
    d.pid = daemon
    d.close_door()
    wait_for(lambda: not d.alive(), 30, "the detached zkd to exit")
EOF
}

@test "-c with a descriptor that is not open, not a socket, one-way, or not a number exits 64" {
	printf '%s\n' "dataDir=$PWD/d" "clientPort=21971" > zoo.cfg
	run "$ZKD" -d -c 9 -z zoo.cfg 9>&-
	[ "$status" -eq 64 ]
	[[ "$output" == *"-c 9: descriptor 9 is not open"* ]]
	run "$ZKD" -d -c 7 -z zoo.cfg 7<zoo.cfg
	[ "$status" -eq 64 ]
	[[ "$output" == *"descriptor 7 is neither a socket nor a pipe"* ]]
	run "$ZKD" -d -c 7 -z zoo.cfg 7< <(:)
	[ "$status" -eq 64 ]
	[[ "$output" == *"descriptor 7 is a one-way pipe"* ]]
	run "$ZKD" -d -c 1 -z zoo.cfg
	[ "$status" -eq 64 ]
	[[ "$output" == *"3 or above"* ]]
	run "$ZKD" -d -c three -z zoo.cfg
	[ "$status" -eq 64 ]
	[[ "$output" == *"-c three"* ]]
	# Refused before anything was created or bound.
	[ ! -e d ]
}
