# SPDX-License-Identifier: ISC
"""A randomised failure run against a real zkd ensemble.

    chaos.py [--servers N] [--rounds R] [--base PORT] [--seed S]

Clients write all along, each in its own thread with its own kazoo
session on the whole ensemble's connect string:

  seq       creates /seq/n- sequential nodes, each holding a token of its
            own; an acknowledged create is a (path, token) pair
  register  compare-and-set on /register: reads (value, version), writes
            a token of its own at that version
  counter   compare-and-set increments of /counter

Meanwhile the run breaks the ensemble R times, one fault at a time, and
waits after each for the ensemble to settle and for every client to make
progress again.  A fault is, at random: kill -9 of the leader (and a
restart), kill -9 of a follower (its data directory emptied, or not),
SIGSTOP of the leader or of a follower
(SIGCONT later), the leader cut off by the fault layer (healed later),
or the leader killed and then each new leader killed again as soon as it
reports LEADING, before its followers are in sync, a few times over.

At the end (everything resumed, healed and restarted) every server must
hold the same tree, and:
  - every acknowledged sequential create is there with its token, and
    no sequence number was handed out twice;
  - no version of /register was written twice by a successful CAS, and
    its last acknowledged write is there unless a later one was in doubt;
  - no counter value was reached twice by a successful CAS, and the
    counter is at least the highest acknowledged value.

A write whose outcome is unknown (connection lost or timed out before the
reply) is counted as neither.  The seed is printed first; --seed replays
the same choice of faults (the timing of real processes will differ).
Exits 0 when every check holds, 1 otherwise.
"""
import argparse
import logging
import os
import random
import shutil
import sys
import threading
import time

from kazoo.client import KazooClient
from kazoo.exceptions import (BadVersionError, ConnectionClosedError,
                              ConnectionLoss, SessionExpiredError)
from kazoo.handlers.threading import KazooTimeoutError

from doorens import DoorEnsemble

logging.getLogger("kazoo").setLevel(logging.CRITICAL)

OP_TIMEOUT = 10         # s, one request; past it, its outcome is unknown
HOLD = 150              # acknowledgements per client while a fault lasts
SETTLE = 60             # s, for the ensemble to settle after a fault
IN_DOUBT = (ConnectionLoss, ConnectionClosedError, SessionExpiredError,
            KazooTimeoutError)


class Worker(threading.Thread):
    """One client: runs step() until stopped, counting acknowledgements;
    a lost session is replaced by a new one."""

    def __init__(self, name, hosts):
        super().__init__(name=name, daemon=True)
        self.hosts = hosts
        self.stop_ev = threading.Event()
        self.acks = 0
        self.doubts = 0
        self.error = None
        self.k = None
        self.lock = threading.Lock()

    def client(self):
        if self.k is None or self.k.client_state == "CLOSED" or \
                str(self.k.state) == "LOST":
            if self.k is not None:
                try:
                    self.k.stop()
                    self.k.close()
                except Exception:
                    pass
            self.k = KazooClient(hosts=self.hosts, timeout=4,
                                 connection_retry={"max_tries": -1,
                                                   "delay": 0.05,
                                                   "max_delay": 0.5})
            self.k.start(timeout=SETTLE)
        return self.k

    def run(self):
        n = 0
        while not self.stop_ev.is_set():
            n += 1
            try:
                if self.step(self.client(), n):
                    with self.lock:
                        self.acks += 1
            except IN_DOUBT:
                self.doubts += 1
                if self.k is not None and str(self.k.state) == "LOST":
                    self.k = None
            except Exception as e:          # a broken check or client
                self.error = "%s: %r" % (self.name, e)
                return
        if self.k is not None:
            self.k.stop()
            self.k.close()

    def progress(self):
        with self.lock:
            return self.acks


class Seq(Worker):
    def __init__(self, name, hosts):
        super().__init__(name, hosts)
        self.acked = []         # (path, token)

    def step(self, k, n):
        token = ("%s-%d" % (self.name, n)).encode()
        path = k.create_async("/seq/n-", token, sequence=True).get(
            timeout=OP_TIMEOUT)
        self.acked.append((path, token))
        return True


class Register(Worker):
    def __init__(self, name, hosts):
        super().__init__(name, hosts)
        self.acked = []         # (version written over, token)

    def step(self, k, n):
        _, stat = k.get_async("/register").get(timeout=OP_TIMEOUT)
        token = ("%s-%d" % (self.name, n)).encode()
        try:
            k.set_async("/register", token, version=stat.version).get(
                timeout=OP_TIMEOUT)
        except BadVersionError:
            return False
        self.acked.append((stat.version, token))
        return True


class Counter(Worker):
    def __init__(self, name, hosts):
        super().__init__(name, hosts)
        self.acked = []         # values this worker set

    def step(self, k, n):
        data, stat = k.get_async("/counter").get(timeout=OP_TIMEOUT)
        value = int(data) + 1
        try:
            k.set_async("/counter", str(value).encode(),
                        version=stat.version).get(timeout=OP_TIMEOUT)
        except BadVersionError:
            return False
        self.acked.append(value)
        return True


def log(msg):
    print("# %7.2f %s" % (time.monotonic() - T0, msg), flush=True)


T0 = time.monotonic()


class Run:
    def __init__(self, ens, rng, workers):
        self.ens = ens
        self.rng = rng
        self.workers = workers

    def check_workers(self):
        for w in self.workers:
            if w.error:
                raise AssertionError(w.error)

    def progress(self, what, n=1):
        """Waits until every worker got n more acknowledgements."""
        base = [w.progress() for w in self.workers]
        def moved():
            self.check_workers()
            return all(w.progress() >= b + n
                       for w, b in zip(self.workers, base))
        self.ens.wait(moved, SETTLE, "every client writing again " + what)

    def settled(self):
        ld = self.ens.wait_leader(SETTLE)
        self.progress("after settling")
        return ld

    def fault(self, kind):
        """One fault (KIND-leader or KIND-follower, or kill-in-sync):
        made, held while every client writes HOLD times, then undone."""
        ens = self.ens
        if kind == "kill-in-sync":
            self.kill_in_sync()
            return
        action, role = kind.split("-")
        t = ens.leader() if role == "leader" else \
            self.rng.choice(ens.followers())
        log("%s %s %d" % (action, role, t))
        if action == "kill":
            ens.kill(t)
            undo = lambda: ens.start(t)
        elif action == "wipe":
            # Killed, and its data directory emptied: it needs SNAP.
            ens.kill(t)
            shutil.rmtree(os.path.join(ens.servers[t].dir, "data",
                                       "version-2"))
            undo = lambda: ens.start(t)
        elif action == "pause":
            ens.pause(t)
            undo = lambda: ens.resume(t)
        elif action == "cut":
            ens.isolate(t)
            undo = ens.heal
        else:
            raise ValueError(kind)
        if role == "leader":
            ens.wait(lambda: ens.leader() not in (None, t), SETTLE,
                     "a leader instead of %d" % t)
        self.progress("with %s %d broken" % (role, t), HOLD)
        log("undo")
        undo()

    def kill_in_sync(self):
        """The leader dies, and each new leader dies again as soon as it
        says LEADING: before (or while) its followers sync with it.  Each
        is restarted at once, so one server at most is down at a time."""
        ens = self.ens
        down = ens.leader()
        times = self.rng.randint(2, 3)
        for n in range(times):
            since = time.monotonic()
            log("kill -9 leader %d (phase %s) and restart it" %
                (down, ens.servers[down].phase))
            ens.kill(down)
            ens.start(down)
            if n == times - 1:
                break
            # In discovery (as it says LEADING) or in sync.
            phase = self.rng.choice([None, "SYNCHRONIZATION"])
            ens.wait(lambda: ens.newly("LEADING", since, phase)
                     is not None, SETTLE, "a new leader to kill")
            down = ens.newly("LEADING", since, phase)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--servers", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--base", type=int, default=22160)
    ap.add_argument("--seed", type=int, default=None)
    a = ap.parse_args()
    seed = a.seed if a.seed is not None else int.from_bytes(os.urandom(4),
                                                              "big")
    log("seed %d (replay the faults with --seed %d)" % (seed, seed))
    rng = random.Random(seed)
    kinds = ["kill-leader", "kill-follower", "wipe-follower", "pause-leader",
             "pause-follower", "cut-leader", "kill-in-sync"]
    ens = DoorEnsemble(a.servers, a.base)
    workers = []
    try:
        ens.start_all()
        ens.wait_leader(SETTLE)
        hosts = ens.connect_string()
        k = KazooClient(hosts=hosts)
        k.start(timeout=SETTLE)
        k.create("/seq", b"")
        k.create("/register", b"initial")
        k.create("/counter", b"0")
        k.stop()
        k.close()
        workers = [Seq("seq1", hosts), Seq("seq2", hosts),
                   Register("reg1", hosts), Register("reg2", hosts),
                   Counter("cnt1", hosts), Counter("cnt2", hosts)]
        for w in workers:
            w.start()
        run = Run(ens, rng, workers)
        run.progress("at the start")
        for r in range(a.rounds):
            kind = rng.choice(kinds)
            log("round %d: %s" % (r + 1, kind))
            run.fault(kind)
            run.settled()
        for w in workers:
            w.stop_ev.set()
        for w in workers:
            w.join(OP_TIMEOUT * 3)
            assert not w.is_alive(), "%s does not stop" % w.name
        run.check_workers()
        log("faults over; %s acknowledged, %d in doubt" % (
            ", ".join("%s %d" % (w.name, w.acks) for w in workers),
            sum(w.doubts for w in workers)))
        verify(ens, workers)
        log("every check holds")
    finally:
        for w in workers:
            w.stop_ev.set()
        ens.close()


def parse_dump(dump):
    """treedump.py's lines as {path: (data bytes or None, version)}."""
    nodes = {}
    for line in dump.decode().splitlines():
        path, rest = line.split(" ", 1)
        fields = dict(f.split("=", 1) for f in rest.split(" "))
        data = None if fields["data"] == "null" else \
            bytes.fromhex(fields["data"])
        nodes[path] = (data, int(fields["version"]))
    return nodes


def verify(ens, workers):
    ens.wait_leader(SETTLE)
    ens.wait(lambda: len({s.zxid for s in ens.servers.values()}) == 1,
             SETTLE, "every server at the same zxid")
    nodes = parse_dump(ens.trees_equal())
    # Sequential creates: present, with their own token, never twice.
    seqs = [p for w in workers if isinstance(w, Seq) for p in w.acked]
    paths = [p for p, _ in seqs]
    assert len(paths) == len(set(paths)), \
        "a sequence number acknowledged twice"
    for path, token in seqs:
        assert path in nodes, "%s acknowledged, not there" % path
        assert nodes[path][0] == token, "%s holds %r, acknowledged %r" % (
            path, nodes[path][0], token)
    # The register: no version won twice; the last win is there.
    regs = [x for w in workers if isinstance(w, Register) for x in w.acked]
    versions = [v for v, _ in regs]
    assert len(versions) == len(set(versions)), \
        "a register version won by two CAS writes"
    data, version = nodes["/register"]
    if regs:
        last_v, last_token = max(regs)
        assert version >= last_v + 1, (version, last_v)
        if version == last_v + 1:
            assert data == last_token, (data, last_token)
    # The counter: no value reached twice, none lost.
    values = [v for w in workers if isinstance(w, Counter) for v in w.acked]
    assert len(values) == len(set(values)), \
        "a counter value reached by two CAS writes"
    if values:
        assert int(nodes["/counter"][0]) >= max(values), \
            (nodes["/counter"], max(values))


if __name__ == "__main__":
    try:
        main()
    except (AssertionError, TimeoutError) as e:
        print("# FAILED: %s" % e, flush=True)
        sys.exit(1)
