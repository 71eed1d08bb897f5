# SPDX-License-Identifier: ISC
"""kazoo's recipes against a standalone server: Lock, Queue,
LockingQueue, Election, Barrier, DoubleBarrier and Counter, each used by
several clients at once.

Runs against zkd (the default) or, with ZK_TARGET=apache, against Apache
ZooKeeper 3.8.  tickTime is 200 ms so that a session expires in about a
second; the client that must expire talks through a TcpProxy.
Ports 21310-21319: 21310 the server, 21311 the proxy.
"""
import logging
import threading

from kazoo.client import KazooClient
from kazoo.recipe.barrier import Barrier, DoubleBarrier
from kazoo.recipe.counter import Counter
from kazoo.recipe.election import Election
from kazoo.recipe.lock import Lock
from kazoo.recipe.queue import LockingQueue, Queue

import tap
from tcpproxy import TcpProxy
from zkharness import server_class, wait_for

PORT = 21310
PROXY_PORT = 21311
TICK = 200
WAIT = 20.0			# generous limit of every wait
RETRY = {"max_tries": -1, "delay": 0.05, "backoff": 1.5, "max_delay": 0.5}


class Ctx:
    def __init__(self):
        self.server = None
        self.proxy = None


class Clients:
    """Kazoo clients of one test; all are stopped when the block ends."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.all = []

    def new(self, via_proxy=False, timeout=4.0):
        hosts = self.ctx.proxy.hosts if via_proxy else self.ctx.server.hosts
        c = KazooClient(hosts=hosts, timeout=timeout,
                        connection_retry=dict(RETRY))
        self.all.append(c)
        c.start(timeout=WAIT)
        return c

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for c in self.all:
            try:
                c.stop()
                c.close()
            except Exception:
                pass


class Worker(threading.Thread):
    """Runs fn in a thread; join_ok() re-raises what it raised."""

    def __init__(self, fn, *args):
        super().__init__(daemon=True)
        self.fn = fn
        self.args = args
        self.result = None
        self.error = None

    def run(self):
        try:
            self.result = self.fn(*self.args)
        except BaseException as e:
            self.error = e

    def join_ok(self):
        self.join(timeout=WAIT)
        if self.is_alive():
            raise AssertionError("%s still running" % self.fn.__name__)
        if self.error is not None:
            raise self.error
        return self.result


def eq(got, want, what=""):
    if got != want:
        raise AssertionError("%s: got %r, want %r" % (what, got, want))


def started(fn, *args):
    w = Worker(fn, *args)
    w.start()
    return w


# Lock.

@tap.test
def test_lock_mutual_exclusion(ctx):
    """a Lock admits one holder at a time: two clients' read-modify-writes all count"""
    with Clients(ctx) as cs:
        a, b = cs.new(), cs.new()
        a.create("/lock-counter", b"0")
        inside = []
        worst = [0]
        guard = threading.Lock()
        rounds = 15

        def work(client, name):
            lock = Lock(client, "/lock-mx", name)
            for _ in range(rounds):
                with lock:
                    with guard:
                        inside.append(name)
                        worst[0] = max(worst[0], len(inside))
                    v = int(client.get("/lock-counter")[0])
                    client.set("/lock-counter", str(v + 1).encode())
                    with guard:
                        inside.remove(name)
        ws = [started(work, a, "a"), started(work, b, "b")]
        for w in ws:
            w.join_ok()
        eq(worst[0], 1, "holders at once")
        eq(a.get("/lock-counter")[0], str(2 * rounds).encode(), "counter")
        eq(a.get_children("/lock-mx"), [], "lock nodes left")


@tap.test
def test_lock_release_admits_next(ctx):
    """a waiting client gets the Lock once its holder releases it"""
    with Clients(ctx) as cs:
        a, b = cs.new(), cs.new()
        la = Lock(a, "/lock-rel", "a")
        lb = Lock(b, "/lock-rel", "b")
        eq(la.acquire(timeout=WAIT), True, "a acquires")
        got = threading.Event()

        def take():
            ok = lb.acquire(timeout=WAIT)
            got.set()
            return ok
        w = started(take)
        wait_for(lambda: la.contenders() == ["a", "b"], WAIT, "b queued")
        eq(got.is_set(), False, "b acquired while a holds the lock")
        la.release()
        eq(w.join_ok(), True, "b acquires after the release")
        eq(lb.contenders(), ["b"], "contenders")
        lb.release()


@tap.test
def test_lock_lost_with_session_close(ctx):
    """a Lock holder whose session closes loses the lock to the waiter"""
    with Clients(ctx) as cs:
        a, b = cs.new(), cs.new()
        la = Lock(a, "/lock-close", "a")
        lb = Lock(b, "/lock-close", "b")
        eq(la.acquire(timeout=WAIT), True, "a acquires")
        w = started(lb.acquire, True, WAIT)
        wait_for(lambda: lb.contenders() == ["a", "b"], WAIT, "b queued")
        a.stop()
        eq(w.join_ok(), True, "b acquires after a's session closed")
        eq(lb.contenders(), ["b"], "contenders")
        lb.release()


@tap.test
def test_lock_lost_with_session_expiry(ctx):
    """a Lock holder whose session expires loses the lock to the waiter"""
    with Clients(ctx) as cs:
        a = cs.new(via_proxy=True, timeout=1.0)
        b = cs.new()
        la = Lock(a, "/lock-exp", "a")
        lb = Lock(b, "/lock-exp", "b")
        eq(la.acquire(timeout=WAIT), True, "a acquires")
        w = started(lb.acquire, True, WAIT)
        wait_for(lambda: lb.contenders() == ["a", "b"], WAIT, "b queued")
        ctx.proxy.block()
        try:
            eq(w.join_ok(), True, "b acquires after a's session expired")
            eq(lb.contenders(), ["b"], "contenders")
        finally:
            ctx.proxy.unblock()
        lb.release()


# Queues.

@tap.test
def test_queue_order(ctx):
    """a Queue hands entries out in put order across two producers and two consumers"""
    with Clients(ctx) as cs:
        p1, p2, c1, c2 = cs.new(), cs.new(), cs.new(), cs.new()
        qs = [Queue(c, "/queue") for c in (p1, p2, c1, c2)]
        want = []
        for i in range(6):
            v = ("%s-%d" % ("p1" if i % 2 == 0 else "p2", i)).encode()
            qs[i % 2].put(v)
            want.append(v)
        eq(len(qs[2]), 6, "length")
        got = [qs[2 + i % 2].get() for i in range(6)]
        eq(got, want, "order")
        eq(qs[2].get(), None, "empty queue")


@tap.test
def test_queue_priority(ctx):
    """a Queue serves lower priority numbers first, in put order within one"""
    with Clients(ctx) as cs:
        p, c = cs.new(), cs.new()
        qp, qc = Queue(p, "/queue-prio"), Queue(c, "/queue-prio")
        for v, prio in ((b"late", 200), (b"first", 5), (b"mid1", 100),
                        (b"mid2", 100), (b"second", 5)):
            qp.put(v, priority=prio)
        eq([qc.get() for _ in range(5)],
           [b"first", b"second", b"mid1", b"mid2", b"late"], "order")


@tap.test
def test_locking_queue(ctx):
    """a LockingQueue locks a taken entry until consumed or released, in put order"""
    with Clients(ctx) as cs:
        p1, p2, c1, c2 = cs.new(), cs.new(), cs.new(), cs.new()
        LockingQueue(p1, "/lqueue").put(b"one")
        LockingQueue(p2, "/lqueue").put_all([b"two", b"three"])
        LockingQueue(p1, "/lqueue").put(b"four")
        q1, q2 = LockingQueue(c1, "/lqueue"), LockingQueue(c2, "/lqueue")
        eq(q1.get(timeout=WAIT), b"one", "c1 takes the first")
        eq(q2.get(timeout=WAIT), b"two", "c2 skips the locked one")
        eq(q1.holds_lock(), True, "c1 holds its entry")
        eq(q1.consume(), True, "c1 consumes")
        eq(q2.release(), True, "c2 puts its entry back")
        eq(len(q1), 3, "entries left")
        eq(q1.get(timeout=WAIT), b"two", "released entry comes back")
        eq(q2.get(timeout=WAIT), b"three", "next")
        eq(q1.consume() and q2.consume(), True, "both consume")
        eq(q2.get(timeout=WAIT), b"four", "last")
        eq(q2.consume(), True, "consume last")
        eq(len(q1), 0, "empty")


@tap.test
def test_locking_queue_session_close(ctx):
    """a LockingQueue entry held by a consumer whose session closes goes to another"""
    with Clients(ctx) as cs:
        p, c1, c2 = cs.new(), cs.new(), cs.new()
        LockingQueue(p, "/lqueue-close").put_all([b"job1", b"job2"])
        q1 = LockingQueue(c1, "/lqueue-close")
        q2 = LockingQueue(c2, "/lqueue-close")
        eq(q1.get(timeout=WAIT), b"job1", "c1 takes job1")
        c1.stop()
        eq(q2.get(timeout=WAIT), b"job1", "job1 free again")
        eq(q2.consume(), True, "consume")
        eq(q2.get(timeout=WAIT), b"job2", "job2")
        eq(q2.consume(), True, "consume")


# Election, barriers, counter.

@tap.test
def test_election(ctx):
    """an Election runs one leader at a time and hands over when it returns"""
    with Clients(ctx) as cs:
        a, b = cs.new(), cs.new()
        ea, eb = Election(a, "/election", "a"), Election(b, "/election", "b")
        led = []
        a_leads, a_done, b_leads = (threading.Event(), threading.Event(),
                                    threading.Event())

        def lead_a():
            led.append("a")
            a_leads.set()
            a_done.wait(WAIT)

        def lead_b():
            led.append("b")
            b_leads.set()
        wa = started(ea.run, lead_a)
        eq(a_leads.wait(WAIT), True, "a leads")
        wb = started(eb.run, lead_b)
        wait_for(lambda: ea.contenders() == ["a", "b"], WAIT, "b contends")
        eq(led, ["a"], "leaders while a leads")
        a_done.set()
        wa.join_ok()
        eq(b_leads.wait(WAIT), True, "b leads")
        wb.join_ok()
        eq(led, ["a", "b"], "leaders")
        eq(ea.contenders(), [], "contenders left")


@tap.test
def test_barrier(ctx):
    """a Barrier holds waiters until it is removed"""
    with Clients(ctx) as cs:
        a, b = cs.new(), cs.new()
        ba, bb = Barrier(a, "/barrier"), Barrier(b, "/barrier")
        eq(bb.wait(timeout=0), True, "no barrier yet: no wait")
        ba.create()
        eq(bb.wait(timeout=0.2), False, "waiting on a standing barrier")
        w = started(bb.wait, WAIT)
        ba.remove()
        eq(w.join_ok(), True, "released by the removal")


@tap.test
def test_double_barrier(ctx):
    """a DoubleBarrier lets its members in together and out together"""
    with Clients(ctx) as cs:
        a, b = cs.new(), cs.new()
        da = DoubleBarrier(a, "/dbarrier", 2)
        db = DoubleBarrier(b, "/dbarrier", 2)
        wa = started(da.enter)
        wait_for(lambda: a.exists("/dbarrier") and
                 len(a.get_children("/dbarrier")) == 1, WAIT, "a entered")
        eq(wa.is_alive(), True, "a waits for b")
        db.enter()
        wa.join_ok()
        eq(da.participating and db.participating, True, "both in")
        wa = started(da.leave)
        db.leave()
        wa.join_ok()
        eq(a.get_children("/dbarrier"), [], "both out")


@tap.test
def test_counter(ctx):
    """a Counter's concurrent increments from two clients all count"""
    with Clients(ctx) as cs:
        a, b = cs.new(), cs.new()

        def bump(client):
            c = Counter(client, "/counter")
            for _ in range(20):
                c += 1
        ws = [started(bump, a), started(bump, b)]
        for w in ws:
            w.join_ok()
        eq(Counter(a, "/counter").value, 40, "value")


def setup():
    logging.basicConfig(level=logging.CRITICAL)
    ctx = Ctx()
    try:
        ctx.server = server_class()(PORT, {"tickTime": TICK}).start()
        ctx.proxy = TcpProxy(listen_port=PROXY_PORT, target_port=PORT)
        ctx.proxy.start()
    except BaseException:
        teardown(ctx)
        raise
    return ctx


def teardown(ctx):
    if ctx is None:
        return
    if ctx.proxy is not None:
        ctx.proxy.close()
    if ctx.server is not None:
        ctx.server.cleanup()


if __name__ == "__main__":
    tap.run(setup, teardown)
