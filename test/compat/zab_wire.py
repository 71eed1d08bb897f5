# SPDX-License-Identifier: ISC
"""Replication on real sockets: election and ZAB across real processes.

zab_peer runs src/quorum.c (the election and ZAB cores over the election
and quorum ports) with a small durable store.  Three or five of them
elect a leader, replicate writes, lose their leader to SIGKILL, elect
another, take back the killed one (DIFF, TRUNC or SNAP), and end with the
same log everywhere and every acknowledged write in it.  Ports
21980-21999.
"""
import os
import random
import shutil
import signal
import subprocess
import tempfile

import tap
from zkharness import wait_for

BUILD = os.environ.get("TOP_BUILDDIR", ".")
ZAB_PEER = os.path.join(BUILD, "test", "compat", "zab_peer")
BASE = 21980


class Peer:
    """One zab_peer; its output lines are its story."""

    def __init__(self, sid, spec, root):
        self.sid = sid
        self.spec = spec
        self.dir = os.path.join(root, "d%d" % sid)
        self.out = os.path.join(root, "out%d" % sid)
        self.err = os.path.join(root, "err%d" % sid)
        self.proc = None
        self.start()

    def start(self):
        with open(self.out, "wb") as out, open(self.err, "ab") as err:
            self.proc = subprocess.Popen(
                [ZAB_PEER, "-i", str(self.sid), "-d", self.dir, "-s",
                 self.spec, "-t", "200"], stdin=subprocess.PIPE,
                stdout=out, stderr=err, start_new_session=True)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def lines(self):
        with open(self.out, errors="replace") as f:
            return f.read().splitlines()

    def state(self):
        """(STATE, leader, phase) as last reported."""
        for line in reversed(self.lines()):
            w = line.split()
            if w and w[0] == "state":
                return w[1], int(w[3]), w[5]
        return None

    def commits(self):
        return [tuple(l.split()[1:3]) for l in self.lines()
                if l.startswith("commit ")]

    def send(self, line):
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()

    def dump(self):
        """The applied log: [(zxid, value)]."""
        n = len(self.lines())
        self.send("d")
        wait_for(lambda: "end" in self.lines()[n:], what="dump %d" %
                 self.sid)
        out = []
        for line in self.lines()[n:]:
            if line == "end":
                break
            if line.startswith("log "):
                out.append(tuple(line.split()[1:3]))
        return out

    def kill(self):
        if self.alive():
            self.proc.kill()
            self.proc.wait(timeout=10)

    def stop(self):
        if self.alive():
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
            if self.proc.returncode != 0:
                with open(self.err, errors="replace") as f:
                    raise RuntimeError("zab_peer %d exited with %d:\n%s" %
                                       (self.sid, self.proc.returncode,
                                        f.read()[-3000:]))


class Ensemble:
    def __init__(self, n):
        self.root = tempfile.mkdtemp(prefix="zab-")
        self.spec = ",".join("%d=127.0.0.1:%d:%d" % (i, BASE + 2 * i - 1,
                                                      BASE + 2 * i)
                             for i in range(1, n + 1))
        self.peers = [Peer(i, self.spec, self.root) for i in range(1, n + 1)]

    def settled(self):
        """The leader if every live peer is in broadcast under one live
        leader.  Just after a kill the survivors may still report the
        dead leader: that is not settled."""
        leaders = set()
        for p in self.peers:
            if not p.alive():
                continue
            s = p.state()
            if s is None or s[2] != "broadcast":
                return None
            leaders.add(s[1])
        if len(leaders) != 1:
            return None
        sid = leaders.pop()
        return sid if self.peers[sid - 1].alive() else None

    def wait_settled(self, what):
        return self.peers[wait_for(self.settled, timeout=60, what=what) - 1]

    def write(self, leader, values):
        """Writes through the leader; returns what it committed."""
        for v in values:
            leader.send("w " + v)
        want = set(values)
        wait_for(lambda: want <= {v for _, v in leader.commits()},
                 timeout=60, what="%d commits" % len(values))
        return values

    def close(self):
        errors = []
        for p in self.peers:
            try:
                p.stop()
            except Exception as e:
                errors.append(str(e))
        shutil.rmtree(self.root, ignore_errors=True)
        if errors:
            raise RuntimeError("\n".join(errors))


def caught_up(ens):
    """Waits until every live peer applied the same log."""
    wait_for(lambda: len({tuple(p.dump()) for p in ens.peers
                          if p.alive()}) == 1, timeout=30,
             what="every peer to catch up")


def same_logs(ens, acked):
    """Every live peer applied one log holding every acknowledged write."""
    dumps = {p.sid: p.dump() for p in ens.peers if p.alive()}
    first = None
    for sid, d in dumps.items():
        if first is None:
            first = (sid, d)
        elif d != first[1]:
            raise AssertionError("peer %d's log differs from peer %d's "
                                 "(%d vs %d entries)" %
                                 (sid, first[0], len(d), len(first[1])))
    have = {v for _, v in first[1]}
    lost = [v for v in acked if v not in have]
    if lost:
        raise AssertionError("acknowledged writes lost: %r" % lost[:10])
    zx = [int(z, 16) for z, _ in first[1]]
    if zx != sorted(set(zx)):
        raise AssertionError("zxids out of order")


@tap.test
def test_replicate(ctx):
    """three peers elect a leader and replicate 200 writes in one order"""
    ens = Ensemble(3)
    try:
        leader = ens.wait_settled("a leader")
        acked = ens.write(leader, ["a%d" % i for i in range(200)])
        wait_for(lambda: all(len(p.commits()) >= 200 for p in ens.peers),
                 what="every peer to commit")
        orders = {tuple(p.commits()) for p in ens.peers}
        if len(orders) != 1:
            raise AssertionError("peers committed in different orders")
        same_logs(ens, acked)
    finally:
        ens.close()


@tap.test
def test_leader_killed(ctx):
    """the leader killed with SIGKILL: a survivor leads, the killed one rejoins, nothing acknowledged is lost"""
    ens = Ensemble(3)
    try:
        leader = ens.wait_settled("a leader")
        acked = ens.write(leader, ["b%d" % i for i in range(100)])
        for i in range(50):
            leader.send("w c%d" % i)
        leader.kill()
        acked += [v for _, v in leader.commits() if v.startswith("c")]
        new = ens.wait_settled("a new leader")
        if new is leader:
            raise AssertionError("the killed leader still leads")
        acked += ens.write(new, ["d%d" % i for i in range(100)])
        leader.start()
        now = ens.wait_settled("the old leader back")
        acked += ens.write(now, ["e%d" % i for i in range(20)])
        caught_up(ens)
        same_logs(ens, acked)
    finally:
        ens.close()


@tap.test
def test_random_kills(ctx):
    """five peers, leaders and followers killed and restarted again and again under writes: one log, no acknowledged write lost"""
    seed = int(os.environ.get("ZAB_WIRE_SEED", random.randrange(1 << 30)))
    print("# seed %d (ZAB_WIRE_SEED replays it)" % seed)
    rnd = random.Random(seed)
    ens = Ensemble(5)
    acked = []
    try:
        for rnd_i in range(8):
            leader = ens.wait_settled("a leader (round %d)" % rnd_i)
            acked += ens.write(leader, ["r%d-%d" % (rnd_i, i)
                                        for i in range(30)])
            victim = leader if rnd.random() < 0.5 else \
                rnd.choice([p for p in ens.peers if p is not leader])
            for i in range(10):
                leader.send("w x%d-%d" % (rnd_i, i))
            victim.kill()
            if victim is not leader:
                acked += ens.write(leader, ["y%d-%d" % (rnd_i, i)
                                            for i in range(10)])
            acked += [v for _, v in leader.commits()
                      if v.startswith("x%d-" % rnd_i)]
            victim.start()
        leader = ens.wait_settled("a leader at the end")
        acked += ens.write(leader, ["z%d" % i for i in range(10)])
        caught_up(ens)
        same_logs(ens, acked)
    finally:
        ens.close()


if __name__ == "__main__":
    tap.run(setup=lambda: None)
