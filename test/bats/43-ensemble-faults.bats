#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# The side door's fault layer and expire in an ensemble.  Every server
# is started as the launcher starts it, with a socketpair on descriptor
# 3 (test/lib/doorens.py), so each test waits on the states the servers
# report, never on a sleep.  Links are cut, partitioned and slowed with
# `fault`; what must follow is what a real network fault brings: a
# follower cut off leaves broadcast and catches up once healed, a leader
# cut off steps down while the majority elects another and commits
# without it, a minority side of a partition never serves, a link slower
# than syncLimit loses its follower.  Ports 22130-22159.

setup() {
	cd "$BATS_TEST_TMPDIR"
}

# py: runs the Python script on stdin (PYTHONPATH has test/lib).
py() {
	/usr/bin/python3 - "$@"
}

@test "a follower cut off from every peer leaves broadcast, the others write on, and it catches up when healed" {
	py <<'EOF'
from doorens import DoorEnsemble
from zkharness import four
with DoorEnsemble(3, base=22130) as ens:
    leader = ens.leader()
    f, other = ens.followers()
    # Something in its log first, so that the leader's log reaches back
    # to it (an empty learner gets a snapshot, as in ZooKeeper).
    k = ens.client([leader])
    k.create("/before", b"b")
    ens.wait(lambda: ens.servers[f].zxid == ens.servers[leader].zxid,
             what="the follower up to date")
    ens.isolate(f)
    ens.wait(lambda: ens.role(f) == "LOOKING", what="the cut follower looking")
    # Alone, it can elect nobody, and does not serve.
    assert b"not currently serving" in four(22130 + f, "srvr")
    # Two of three still commit.
    for n in range(20):
        k.create("/while-cut-%d" % n, b"x")
    assert ens.role(f) == "LOOKING" and ens.leader() == leader, ens.describe()
    ens.heal()
    ens.wait(lambda: ens.role(f) == "FOLLOWING" and ens.serving(f),
             what="the healed follower serving")
    assert b"/while-cut-19" in ens.trees_equal()
    tail = ens.servers[f].logtext().split("healed")[-1]
    assert "by DIFF" in tail, ens.servers[f].logtext()
EOF
}

@test "a rule on one end is enough: a leader dropping one follower loses it both ways" {
	py <<'EOF'
from doorens import DoorEnsemble
with DoorEnsemble(3, base=22130) as ens:
    leader = ens.leader()
    f, other = ens.followers()
    # Only the leader has a rule; the follower sends as usual, but
    # nothing of it is read, and nothing reaches it.
    ens.fault(leader, str(f), "drop")
    ens.wait(lambda: ens.role(f) == "LOOKING", what="the follower giving up")
    # It cannot come back while the rule holds: the leader it finds
    # never answers (initLimit), and the other follower will not elect.
    assert ens.leader() == leader and ens.serving(other)
    ens.fault(leader, str(f), "heal")
    ens.wait(lambda: ens.serving(f) and ens.servers[f].leader == leader,
             what="the follower back with the same leader")
EOF
}

@test "a leader cut off steps down; the majority elects another and commits; healed, the old leader follows with the new history" {
	py <<'EOF'
from doorens import DoorEnsemble
from kazoo.exceptions import KazooException
from kazoo.handlers.threading import KazooTimeoutError
with DoorEnsemble(3, base=22130) as ens:
    old = ens.leader()
    # A client on the old leader only.
    k = ens.client([old], timeout=4)
    k.create("/before", b"1")
    ens.isolate(old)
    ens.wait(lambda: ens.leader() not in (None, old), what="a new leader")
    new = ens.leader()
    ens.wait(lambda: ens.role(old) == "LOOKING", what="the old leader looking")
    # The old leader's client cannot write: its server serves nobody.
    try:
        k.create_async("/on-old", b"x").get(timeout=3)
        raise AssertionError("a write through the cut-off leader succeeded")
    except (KazooException, KazooTimeoutError):
        pass
    # Gone before the heal, so that the write waiting in it is never
    # sent again.
    k.stop()
    k = ens.client([new])
    for n in range(10):
        k.create("/after-%d" % n, b"y")
    ens.heal()
    ens.wait(lambda: ens.serving(old) and ens.role(old) == "FOLLOWING" and
             ens.servers[old].leader == new, what="the old leader following")
    tree = ens.trees_equal()
    assert b"/after-9" in tree and b"/before" in tree
    assert b"/on-old" not in tree
EOF
}

@test "a partition of five into two and three: only the three serve; healed, one leader and one history" {
	py <<'EOF'
from doorens import DoorEnsemble
from zkharness import four
with DoorEnsemble(5, base=22130) as ens:
    # The leader on the minority side: the majority must replace it.
    minority = [ens.leader(), ens.followers()[0]]
    majority = [i for i in range(1, 6) if i not in minority]
    for a in minority:
        ens.fault(a, ",".join(map(str, majority)), "drop")
    for b in majority:
        ens.fault(b, ",".join(map(str, minority)), "drop")
    ens.wait(lambda: ens.leader() in majority, what="a majority leader")
    ens.wait(lambda: all(ens.role(i) == "LOOKING" for i in minority),
             what="the minority looking")
    for i in minority:
        assert b"not currently serving" in four(22130 + i, "srvr")
    k = ens.client(majority)
    for n in range(10):
        k.create("/majority-%d" % n, b"m")
    # Still no leader on the minority side.
    assert all(ens.role(i) == "LOOKING" for i in minority)
    ens.heal()
    ens.wait(lambda: all(ens.serving(i) for i in range(1, 6)) and
             sum(ens.role(i) == "LEADING" for i in range(1, 6)) == 1,
             what="one leader, everyone serving")
    assert b"/majority-9" in ens.trees_equal()
EOF
}

@test "delay: a slow link below syncLimit keeps the follower; one slower than syncLimit loses it until healed" {
	py <<'EOF'
from doorens import DoorEnsemble
with DoorEnsemble(3, base=22130) as ens:
    leader = ens.leader()
    f, other = ens.followers()
    changes = lambda: sum(m.verb == "state" for m in ens.servers[f].messages)
    before = changes()
    # 40 ms each way is well inside syncLimit (5 ticks of 200 ms).
    ens.fault(f, str(leader), "delay", 40)
    ens.fault(leader, str(f), "delay", 40)
    k = ens.client([f])
    for n in range(20):
        k.create("/slow-%d" % n, b"s")
    k.sync("/")
    assert k.exists("/slow-19")
    assert changes() == before and ens.serving(f), "the slowed follower left"
    # 5 s is far beyond it: the leader hears the follower too late.
    ens.fault(f, str(leader), "delay", 5000)
    ens.wait(lambda: ens.role(f) == "LOOKING" or
             ens.servers[f].leader != leader or changes() > before,
             what="the too slow follower dropped")
    ens.heal()
    ens.wait_leader()
    assert ens.serving(f)
EOF
}

@test "expire on any server ends the session everywhere: ephemerals gone, its client told it expired" {
	py <<'EOF'
import threading
from doorens import DoorEnsemble
from kazoo.client import KazooState
with DoorEnsemble(3, base=22130) as ens:
    leader = ens.leader()
    f1, f2 = ens.followers()
    lost = threading.Event()
    k = ens.client([f1])
    k.add_listener(lambda s: lost.set() if s == KazooState.LOST else None)
    k.create("/eph", b"e", ephemeral=True)
    sid = "0x%x" % k.client_id[0]
    # Asked of the other follower: it goes through the leader, and the
    # reply comes once the closeSession applied there.
    r = ens.command(f2, "expire", session=sid)
    assert r.get("ok") and r["session"] == sid, r
    assert b"/eph" not in ens.trees_equal()
    assert lost.wait(30), "the client was not told its session expired"
    # Again: no such session any more, anywhere.
    r = ens.command(leader, "expire", session=sid)
    assert r.get("error") == "nosession", r
    # Replies keep command order, the one that waits included.
    sid = "0x%x" % ens.client([leader]).client_id[0]
    s = ens.servers[f1]
    s.sock.sendall(("e1 expire session=%s\ne2 ping\n" % sid).encode())
    ens.wait(lambda: "e2" in s.replies, what="the ping's reply")
    ids = [m["id"] for m in s.messages if m.verb == "reply"]
    assert ids[-2:] == ["e1", "e2"], ids
    assert s.replies["e1"].get("ok"), s.replies["e1"]
    # A server with no leader cannot expire anything.
    sid = "0x%x" % ens.client([leader]).client_id[0]
    ens.wait(lambda: ens.servers[f1].zxid == ens.servers[leader].zxid,
             what="f1 knowing the session")
    ens.isolate(f1)
    ens.wait(lambda: ens.role(f1) == "LOOKING", what="f1 looking")
    r = ens.command(f1, "expire", session=sid)
    assert r.get("error") == "notserving", r
EOF
}

@test "fault refuses what it cannot do: unknown peers, itself, bad fields, a standalone server" {
	py <<'EOF'
from doorens import DoorEnsemble
from sidedoor import SideDoor
with DoorEnsemble(3, base=22130) as ens:
    for fields in [
        {"peers": "4", "action": "drop"},
        {"peers": "1", "action": "drop"},       # itself
        {"peers": "2,x", "action": "drop"},
        {"peers": "2", "action": "cut"},
        {"peers": "2", "action": "delay"},
        {"peers": "2", "action": "delay", "ms": "0"},
        {"peers": "2", "action": "drop", "ms": "5"},
        {"action": "drop"},
    ]:
        r = ens.command(1, "fault", **fields)
        assert r.get("error") == "badarg", (fields, r)
    # A refused list changes nothing, not even its valid part.
    r = ens.command(1, "fault", peers="2,9", action="drop")
    assert r.get("error") == "badarg", r
    assert ens.wait_leader() and ens.serving(1)
    r = ens.fault(1, "2,3", "heal")
    assert r["peers"] == "2,3" and r["action"] == "heal", r
with SideDoor(22130) as d:
    d.wait_ready()
    r = d.command("fault", peers="all", action="drop")
    assert r.get("error") == "badarg", r
EOF
}

@test "leaderServes=no: the leader leads but takes no client; the others serve its writes" {
	py <<'EOF'
from doorens import DoorEnsemble
from zkharness import four
ens = DoorEnsemble(3, base=22130, settings={"leaderServes": "no"})
try:
    ens.start_all()
    def led():
        ld = [i for i, s in ens.servers.items()
              if s.state == "LEADING" and s.phase == "BROADCAST"]
        return ld and all(ens.serving(i) for i in ens.servers if i != ld[0])
    ens.wait(led, what="a leader in broadcast, the others serving")
    leader = [i for i, s in ens.servers.items() if s.state == "LEADING"][0]
    assert not ens.servers[leader].ready
    assert b"not currently serving" in four(22130 + leader, "srvr")
    k = ens.client([i for i in ens.servers if i != leader])
    k.create("/through-a-follower", b"f")
    tree = ens.tree([i for i in ens.servers if i != leader][1])
    assert b"/through-a-follower" in tree
finally:
    ens.close()
EOF
}
