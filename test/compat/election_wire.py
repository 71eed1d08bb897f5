# SPDX-License-Identifier: ISC
"""Leader election on real sockets, among election peers and beside Apache.

fle_peer runs zkd's election core over the election port's connections.
Several of them, started as the seeds describe, elect the leader
ZooKeeper would; and an fle_peer in an ensemble of Apache ZooKeeper 3.8
servers votes with them: Apache counts its vote, and it joins a leader
Apache servers established.  Ports 21950-21969.
"""
import os
import shutil
import signal
import subprocess
import tempfile

import tap
from zkharness import APACHE_CP, Apache, four, wait_for

BUILD = os.environ.get("TOP_BUILDDIR", ".")
FLE_PEER = os.path.join(BUILD, "test", "compat", "fle_peer")
SLF4J_SIMPLE = "/usr/share/java/slf4j-simple.jar"
BASE = 21950


class FlePeer:
    """One fle_peer; its decisions are the lines of its output."""

    def __init__(self, sid, servers, zxid=0, epoch=0):
        self.sid = sid
        self.dir = tempfile.mkdtemp(prefix="fle-")
        self.out = os.path.join(self.dir, "out")
        spec = ",".join("%d=127.0.0.1:%d" % (s, p) for s, p in servers)
        with open(self.out, "wb") as out, \
                open(os.path.join(self.dir, "err"), "wb") as err:
            self.proc = subprocess.Popen(
                [FLE_PEER, "-i", str(sid), "-s", spec, "-z", hex(zxid),
                 "-e", str(epoch)], stdin=subprocess.PIPE, stdout=out,
                stderr=err, start_new_session=True)
        wait_for(lambda: self.lines()[:1] == ["ready"] or self.dead(),
                 what="fle_peer %d to listen" % sid)
        if self.dead():
            raise RuntimeError("fle_peer %d exited: %s" % (sid, self.err()))

    def dead(self):
        return self.proc.poll() is not None

    def lines(self):
        with open(self.out) as f:
            return f.read().splitlines()

    def err(self):
        with open(os.path.join(self.dir, "err")) as f:
            return f.read()

    def decisions(self):
        """[(state, leader, acks)] in order."""
        out = []
        for line in self.lines():
            w = line.split()
            if w and w[0] == "decided":
                out.append((w[1], int(w[3]),
                            sorted(int(a) for a in w[7].split(",") if a)))
        return out

    def wait_decided(self):
        wait_for(lambda: self.decisions() or self.dead(),
                 what="fle_peer %d to decide" % self.sid)
        if self.dead():
            raise RuntimeError("fle_peer %d exited: %s" %
                               (self.sid, self.err()))
        return self.decisions()[-1]

    def stop(self):
        """Stops it; a non-zero exit (a sanitizer report, say) is an
        error."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=10)
        rc, err = self.proc.returncode, self.err()
        shutil.rmtree(self.dir, ignore_errors=True)
        if rc != 0:
            raise RuntimeError("fle_peer %d exited with %d:\n%s" %
                               (self.sid, rc, err))


class ApachePeer:
    """An Apache ZooKeeper 3.8 quorum member (QuorumPeerMain)."""

    def __init__(self, sid, members, client_port):
        self.sid = sid
        self.client_port = client_port
        self.dir = tempfile.mkdtemp(prefix="zkq-")
        data = os.path.join(self.dir, "data")
        os.makedirs(data)
        with open(os.path.join(data, "myid"), "w") as f:
            f.write("%d\n" % sid)
        cfg = os.path.join(self.dir, "zoo.cfg")
        with open(cfg, "w") as f:
            f.write("tickTime=2000\ninitLimit=5\nsyncLimit=2\n")
            f.write("dataDir=%s\nclientPort=%d\n" % (data, client_port))
            f.write("4lw.commands.whitelist=*\nadmin.enableServer=false\n")
            for s, q, e in members:
                f.write("server.%d=127.0.0.1:%d:%d\n" % (s, q, e))
        self.log = os.path.join(self.dir, "server.log")
        with open(self.log, "wb") as logf:
            self.proc = subprocess.Popen(
                ["java", "-Xmx256m", "-cp", APACHE_CP + ":" + SLF4J_SIMPLE,
                 "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
                 "org.apache.zookeeper.server.quorum.QuorumPeerMain", cfg],
                cwd=self.dir, stdout=logf, stderr=subprocess.STDOUT,
                start_new_session=True)

    def logtext(self):
        with open(self.log, errors="replace") as f:
            return f.read()

    def mode(self):
        for line in four(self.client_port, "srvr", timeout=1).decode(
                errors="replace").splitlines():
            if line.startswith("Mode: "):
                return line[6:]
        return None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)


class Ctx:
    def __init__(self):
        self.running = []

    def peer(self, *args, **kw):
        p = FlePeer(*args, **kw)
        self.running.append(p)
        return p

    def apache(self, *args):
        a = ApachePeer(*args)
        self.running.append(a)
        return a

    def stop_all(self):
        errors = []
        while self.running:
            try:
                self.running.pop().stop()
            except Exception as e:
                errors.append(str(e))
        if errors:
            raise RuntimeError("\n".join(errors))


def ports(n, first=BASE):
    return [(i + 1, first + i) for i in range(n)]


def expect(got, want, what):
    if got != want:
        raise AssertionError("%s: got %r, want %r" % (what, got, want))


@tap.test
def test_three_in_order(ctx):
    """servers 1, 2, 3 started one after another: 2 leads, 1 and 3 follow"""
    servers = ports(3)
    try:
        p1 = ctx.peer(1, servers)
        p2 = ctx.peer(2, servers)
        expect(p2.wait_decided()[:2], ("LEADING", 2), "server 2")
        expect(p1.wait_decided()[:2], ("FOLLOWING", 2), "server 1")
        p3 = ctx.peer(3, servers)
        expect(p3.wait_decided()[:2], ("FOLLOWING", 2), "server 3")
    finally:
        ctx.stop_all()


@tap.test
def test_five_in_order(ctx):
    """servers 1..5 started one after another: 3 leads"""
    servers = ports(5)
    try:
        p = [ctx.peer(1, servers), ctx.peer(2, servers),
             ctx.peer(3, servers)]
        for q in p:
            expect(q.wait_decided()[1], 3, "leader seen by %d" % q.sid)
        expect(p[2].decisions()[-1][0], "LEADING", "server 3")
        for sid in (4, 5):
            q = ctx.peer(sid, servers)
            expect(q.wait_decided()[:2], ("FOLLOWING", 3),
                   "server %d" % sid)
    finally:
        ctx.stop_all()


@tap.test
def test_highest_zxid(ctx):
    """the highest zxid wins over a higher sid (server 1 with 0x100000009)"""
    servers = ports(3)
    zx = {1: 0x100000009, 2: 0x100000005, 3: 0x100000007}
    try:
        p = [ctx.peer(s, servers, zxid=zx[s], epoch=1) for s in (1, 2, 3)]
        for q in p:
            expect(q.wait_decided()[1], 1, "leader seen by %d" % q.sid)
    finally:
        ctx.stop_all()


# Three members: (sid, quorum port, election port).
MEMBERS = [(1, BASE + 10, BASE + 11), (2, BASE + 12, BASE + 13),
           (3, BASE + 14, BASE + 15)]
ELECTION = [(s, e) for s, _, e in MEMBERS]


def apache_available():
    """Whether Apache's jars are here; if not, say so in the TAP output."""
    if Apache.available() and os.path.exists(SLF4J_SIMPLE):
        return True
    print("# SKIP: no Apache ZooKeeper here")
    return False


@tap.test
def test_apache_counts_our_vote(ctx):
    """with Apache servers 1 and 2, fle_peer 3 is elected: Apache counts its vote and it counts theirs"""
    if not apache_available():
        return
    try:
        p3 = ctx.peer(3, ELECTION)
        a1 = ctx.apache(1, MEMBERS, BASE + 16)
        state, leader, acks = p3.wait_decided()
        expect((state, leader), ("LEADING", 3), "fle_peer 3")
        if 1 not in acks:
            raise AssertionError("Apache's vote not counted: %r" % acks)
        wait_for(lambda: "FOLLOWING" in a1.logtext(),
                 what="Apache server 1 to follow server 3")
    finally:
        ctx.stop_all()


@tap.test
def test_join_apache_leader(ctx):
    """fle_peer 1 started beside a running Apache ensemble (2 and 3) joins its leader, 3"""
    if not apache_available():
        return
    try:
        a2 = ctx.apache(2, MEMBERS, BASE + 17)
        a3 = ctx.apache(3, MEMBERS, BASE + 18)
        wait_for(lambda: a3.mode() == "leader" and a2.mode() == "follower",
                 timeout=60, what="Apache servers 2 and 3 to settle")
        p1 = ctx.peer(1, ELECTION)
        expect(p1.wait_decided()[:2], ("FOLLOWING", 3), "fle_peer 1")
    finally:
        ctx.stop_all()


if __name__ == "__main__":
    tap.run(setup=Ctx, teardown=lambda c: c.stop_all())
