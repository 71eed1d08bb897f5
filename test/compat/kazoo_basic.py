# SPDX-License-Identifier: ISC
"""python3-kazoo against a standalone server: sessions, nodes, watches,
multi, ACLs, sync, large values, stat fields and error codes.

Runs against zkd (the default) or, with ZK_TARGET=apache, against Apache
ZooKeeper 3.8, so that every expectation here is checked on the
reference server too.  tickTime is 200 ms, so session timeouts lie in
[400, 4000] ms and expiry takes about a second.  Clients that must lose
their connection talk to the server through a TcpProxy.
Ports 21300-21309: 21300 the server, 21301 the proxy.
"""
import logging
import socket
import struct
import threading

from kazoo.client import KazooClient, KazooState
from kazoo.exceptions import (BadVersionError, ConnectionLoss,
                              NoAuthError, NoChildrenForEphemeralsError,
                              NodeExistsError, NoNodeError, NotEmptyError,
                              RolledBackError, RuntimeInconsistency)
from kazoo.protocol.states import EventType
from kazoo.recipe.watchers import ChildrenWatch, DataWatch
from kazoo.security import (ACL, Id, Permissions, make_digest_acl,
                            make_digest_acl_credential)

import tap
from tcpproxy import TcpProxy
from zkharness import server_class, wait_for

PORT = 21300
PROXY_PORT = 21301
TICK = 200
WAIT = 20.0			# generous limit of every wait
RETRY = {"max_tries": -1, "delay": 0.05, "backoff": 1.5, "max_delay": 0.5}
KIB = 1024


class Ctx:
    def __init__(self):
        self.server = None
        self.proxy = None


class Clients:
    """Kazoo clients of one test; all are stopped when the block ends."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.all = []

    def new(self, via_proxy=False, timeout=4.0, **kw):
        hosts = self.ctx.proxy.hosts if via_proxy else self.ctx.server.hosts
        c = KazooClient(hosts=hosts, timeout=timeout,
                        connection_retry=dict(RETRY), **kw)
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


class Events:
    """Collects callback arguments; wait() returns once one matches."""

    def __init__(self):
        self.seen = []
        self.cv = threading.Condition()

    def __call__(self, *args):
        with self.cv:
            self.seen.append(args[0] if len(args) == 1 else args)
            self.cv.notify_all()

    def wait(self, pred, what):
        with self.cv:
            if not self.cv.wait_for(lambda: any(pred(e) for e in self.seen),
                                    timeout=WAIT):
                raise AssertionError("no %s; saw %r" % (what, self.seen))

    def count(self):
        with self.cv:
            return len(self.seen)


def eq(got, want, what=""):
    if got != want:
        raise AssertionError("%s: got %r, want %r" % (what, got, want))


def answered(fn, *args):
    """fn(*args), or None while the client is between connections."""
    try:
        return fn(*args)
    except ConnectionLoss:
        return None


def raises(exc, fn, *args, **kw):
    try:
        fn(*args, **kw)
    except exc:
        return
    except Exception as e:
        raise AssertionError("%s raised %r, want %s" %
                             (fn.__name__, e, exc.__name__))
    raise AssertionError("%s did not raise %s" % (fn.__name__, exc.__name__))


# A raw handshake, to see the exact ConnectResponse.

def _recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("closed after %d of %d bytes" %
                                  (len(buf), n))
        buf += chunk
    return buf


def raw_connect(port, timeout_ms, session_id=0, passwd=b"\0" * 16):
    """Sends a ConnectRequest; returns (timeout, session id, password,
    socket) from the ConnectResponse; the caller closes the socket."""
    body = struct.pack(">iqiqi", 0, 0, timeout_ms, session_id, len(passwd))
    body += passwd + b"\0"
    s = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
    s.sendall(struct.pack(">i", len(body)) + body)
    (n,) = struct.unpack(">i", _recv_exact(s, 4))
    resp = _recv_exact(s, n)
    _, to, sid, plen = struct.unpack(">iiqi", resp[:20])
    return to, sid, resp[20:20 + plen], s


def raw_close_session(s):
    """Closes the session of a raw connection (closeSession, xid 1)."""
    s.sendall(struct.pack(">iii", 8, 1, -11))
    (n,) = struct.unpack(">i", _recv_exact(s, 4))
    _recv_exact(s, n)
    s.close()


def closed_by_peer(s):
    """True once the peer has closed s (EOF or reset)."""
    try:
        return s.recv(1) == b""
    except ConnectionResetError:
        return True


# Kept first: it needs the fresh tree.
@tap.test
def test_fresh_root_stat(ctx):
    """a fresh tree's root has /zookeeper as only child and cversion -1"""
    with Clients(ctx) as cs:
        a = cs.new()
        eq(a.get_children("/"), ["zookeeper"], "children of /")
        st = a.exists("/")
        # ZooKeeper reports cversion as 2 * creations - children; the
        # root's /zookeeper was never "created", hence -1.
        eq((st.czxid, st.mzxid, st.pzxid, st.ctime, st.mtime),
           (0, 0, 0, 0, 0), "zxids and times of /")
        eq((st.version, st.cversion, st.aversion, st.ephemeralOwner,
            st.dataLength, st.numChildren), (0, -1, 0, 0, 0, 1),
           "versions and counts of /")
        eq(sorted(a.get_children("/zookeeper")), ["config", "quota"],
           "children of /zookeeper")


# Sessions.

@tap.test
def test_negotiated_timeout_clamped(ctx):
    """the negotiated session timeout is clamped to [2, 20] ticks"""
    for asked, want in ((1, 2 * TICK), (100, 2 * TICK), (1000, 1000),
                        (3 * TICK, 3 * TICK), (100000, 20 * TICK)):
        to, sid, pw, s = raw_connect(PORT, asked)
        try:
            eq(to, want, "timeout negotiated for %d ms" % asked)
            if sid == 0 or len(pw) != 16:
                raise AssertionError("no session: 0x%x %r" % (sid, pw))
        finally:
            raw_close_session(s)


@tap.test
def test_reconnect_keeps_session(ctx):
    """a client whose connection drops reconnects to the same session and keeps its ephemerals"""
    with Clients(ctx) as cs:
        a = cs.new(via_proxy=True)
        other = cs.new()
        states = Events()
        a.add_listener(states)
        sid = a.client_id[0]
        a.create("/reconnect-eph", b"x", ephemeral=True)
        before = ctx.proxy.accepted()
        ctx.proxy.cut()
        states.wait(lambda s: s == KazooState.SUSPENDED, "SUSPENDED")
        wait_for(lambda: a.state == KazooState.CONNECTED and
                 ctx.proxy.accepted() > before, WAIT, "reconnect")
        eq(a.client_id[0], sid, "session id after reconnect")
        if KazooState.LOST in states.seen:
            raise AssertionError("session lost on reconnect: %r" %
                                 states.seen)
        eq(a.get("/reconnect-eph")[0], b"x", "ephemeral, seen by owner")
        st = other.exists("/reconnect-eph")
        eq(st is not None and st.ephemeralOwner, sid, "ephemeral owner")


@tap.test
def test_session_expiry(ctx):
    """an expired session loses its ephemerals (NodeDeleted for watchers) and its client sees it expired"""
    with Clients(ctx) as cs:
        a = cs.new(via_proxy=True, timeout=1.0)
        b = cs.new()
        states = Events()
        a.add_listener(states)
        sid, pw = a.client_id
        a.create("/expiry-eph", b"", ephemeral=True)
        deleted = Events()
        eq(b.exists("/expiry-eph", watch=deleted) is not None, True,
           "ephemeral seen by the watcher")
        ctx.proxy.block()
        deleted.wait(lambda e: True, "event after expiry")
        eq(deleted.seen[0].type, EventType.DELETED, "event type")
        eq(deleted.seen[0].path, "/expiry-eph", "event path")
        eq(b.exists("/expiry-eph"), None, "ephemeral after expiry")
        # The server answers the old session with the expired handshake.
        to, rsid, rpw, s = raw_connect(PORT, 1000, sid, pw)
        try:
            eq((to, rsid, rpw), (0, 0, b"\0" * 16), "handshake of expired")
            wait_for(lambda: closed_by_peer(s), WAIT, "close after expired")
        finally:
            s.close()
        ctx.proxy.unblock()
        states.wait(lambda s: s == KazooState.LOST, "LOST (expired)")
        wait_for(lambda: a.state == KazooState.CONNECTED, WAIT,
                 "a new session")
        if a.client_id[0] == sid:
            raise AssertionError("client kept the expired session")


@tap.test
def test_wrong_password_expired(ctx):
    """a reconnect with a wrong password gets the expired answer and leaves the session alone"""
    with Clients(ctx) as cs:
        a = cs.new()
        sid, pw = a.client_id
        a.create("/wrongpw-eph", b"", ephemeral=True)
        bad = bytes(b ^ 0xff for b in pw)
        to, rsid, rpw, s = raw_connect(PORT, 4000, sid, bad)
        try:
            eq((to, rsid, rpw), (0, 0, b"\0" * 16), "raw handshake")
            wait_for(lambda: closed_by_peer(s), WAIT, "close after refusal")
        finally:
            s.close()
        k = KazooClient(hosts=ctx.server.hosts, timeout=4.0,
                        client_id=(sid, bad), connection_retry=dict(RETRY))
        cs.all.append(k)
        # kazoo starts LOST, so the refusal shows as a new session only.
        k.start(timeout=WAIT)
        if k.client_id[0] == sid:
            raise AssertionError("kazoo got the session with a bad password")
        # The owner reconnects (its connection was taken over) to its
        # still-live session.
        wait_for(lambda: answered(a.exists, "/wrongpw-eph"), WAIT,
                 "owner back")
        eq(a.client_id[0], sid, "owner's session")
        eq(k.exists("/wrongpw-eph").ephemeralOwner, sid, "ephemeral owner")


# Nodes.

@tap.test
def test_sequential_names(ctx):
    """sequential nodes are named %010d from the parent's count of child creations"""
    with Clients(ctx) as cs:
        a = cs.new()
        a.create("/seq")
        a.create("/seq/plain")
        a.delete("/seq/plain")
        # A delete changes the children, so the reported cversion grows,
        # but the sequence counts creations only (ZooKeeper keeps the
        # count of creates and reports 2 * creates - children).
        eq(a.exists("/seq").cversion, 2, "cversion after create and delete")
        p = a.create("/seq/s-", b"", sequence=True)
        eq(p, "/seq/s-0000000001", "after a create and a delete")
        p = a.create("/seq/e-", b"", sequence=True, ephemeral=True)
        eq(p, "/seq/e-0000000002", "ephemeral sequential")
        eq(a.exists(p).ephemeralOwner, a.client_id[0], "its owner")
        p = a.create("/seq/", b"", sequence=True)
        eq(p, "/seq/0000000003", "empty prefix")
        eq(sorted(a.get_children("/seq")),
           ["0000000003", "e-0000000002", "s-0000000001"], "children")
        eq(a.exists("/seq").cversion, 5, "cversion: 4 creates, 3 children")
        a.delete("/seq/0000000003")
        eq(a.exists("/seq").cversion, 6, "cversion after one more delete")
        eq(a.create("/seq/t-", b"", sequence=True), "/seq/t-0000000004",
           "after that delete")


@tap.test
def test_no_children_for_ephemerals(ctx):
    """an ephemeral node cannot have children (NoChildrenForEphemeralsError)"""
    with Clients(ctx) as cs:
        a = cs.new()
        a.create("/eph-parent", b"", ephemeral=True)
        raises(NoChildrenForEphemeralsError, a.create, "/eph-parent/c")
        raises(NoChildrenForEphemeralsError, a.create, "/eph-parent/c",
               ephemeral=True)
        eq(a.exists("/eph-parent").numChildren, 0, "children")


@tap.test
def test_error_codes(ctx):
    """create/delete/set fail with NodeExists, NoNode, NotEmpty and BadVersion"""
    with Clients(ctx) as cs:
        a = cs.new()
        a.create("/err")
        a.create("/err/child", b"v")
        raises(NodeExistsError, a.create, "/err")
        raises(NoNodeError, a.create, "/err-missing/child")
        raises(NoNodeError, a.get, "/err-missing")
        raises(NoNodeError, a.set, "/err-missing", b"")
        raises(NoNodeError, a.delete, "/err-missing")
        raises(NoNodeError, a.get_children, "/err-missing")
        raises(NotEmptyError, a.delete, "/err")
        raises(BadVersionError, a.set, "/err/child", b"w", version=1)
        raises(BadVersionError, a.delete, "/err/child", version=3)
        eq(a.set("/err/child", b"w", version=0).version, 1, "set version 0")
        raises(BadVersionError, a.set, "/err/child", b"x", version=0)
        a.delete("/err/child", version=1)
        a.delete("/err")
        eq(a.exists("/err"), None, "deleted")


@tap.test
def test_stat_fields(ctx):
    """stat fields stay exactly consistent across create, set, child create and delete"""
    with Clients(ctx) as cs:
        a = cs.new()
        path, c = a.create("/stat", b"abc", include_data=True)
        eq(path, "/stat", "path")
        eq((c.mzxid, c.pzxid), (c.czxid, c.czxid), "zxids on create")
        eq(c.mtime, c.ctime, "mtime on create")
        eq((c.version, c.cversion, c.aversion), (0, 0, 0), "versions")
        eq((c.ephemeralOwner, c.dataLength, c.numChildren), (0, 3, 0),
           "owner, length, children")
        eq(a.exists("/stat"), c, "exists after create")
        s = a.set("/stat", b"hello")
        if s.mzxid <= c.czxid:
            raise AssertionError("mzxid did not grow: %r" % (s,))
        eq((s.czxid, s.pzxid, s.ctime), (c.czxid, c.pzxid, c.ctime),
           "unchanged by set")
        if s.mtime < c.mtime:
            raise AssertionError("mtime went back: %r" % (s,))
        eq((s.version, s.cversion, s.dataLength), (1, 0, 5), "after set")
        eq(a.get("/stat")[1], s, "get after set")
        _, k = a.create("/stat/kid", b"", ephemeral=True, include_data=True)
        eq(k.ephemeralOwner, a.client_id[0], "ephemeral owner")
        eq((k.dataLength, k.numChildren), (0, 0), "empty child")
        p = a.exists("/stat")
        eq((p.pzxid, p.cversion, p.numChildren), (k.czxid, 1, 1),
           "parent after child create")
        eq((p.mzxid, p.version, p.mtime), (s.mzxid, 1, s.mtime),
           "parent data untouched by child create")
        a.delete("/stat/kid")
        dz = a.last_zxid
        p2 = a.exists("/stat")
        eq((p2.pzxid, p2.cversion, p2.numChildren), (dz, 2, 0),
           "parent after child delete")
        eq((p2.czxid, p2.mzxid, p2.version), (c.czxid, s.mzxid, 1),
           "parent data untouched by child delete")
        a.set_acls("/stat", [ACL(Permissions.ALL, Id("world", "anyone"))])
        eq(a.exists("/stat").aversion, 1, "aversion after setACL")


@tap.test
def test_large_values(ctx):
    """512 KiB values are stored and read back; a 2 MiB request loses its connection while others are served"""
    with Clients(ctx) as cs:
        a = cs.new()
        b = cs.new()
        big = bytes(range(256)) * (512 * KIB // 256)
        a.create("/large", big)
        eq(b.get("/large")[0], big, "512 KiB create")
        big2 = big[::-1]
        eq(a.set("/large", big2).dataLength, len(big2), "512 KiB set")
        eq(b.get("/large")[0], big2, "read back")
        sid = a.client_id[0]
        b.create("/large-ping", b"0")
        stop = threading.Event()
        errors = []

        def hammer():
            i = 0
            while not stop.is_set():
                try:
                    b.set("/large-ping", str(i).encode())
                    eq(b.get("/large-ping")[0], str(i).encode(), "ping")
                except Exception as e:
                    errors.append(e)
                    return
                i += 1
        t = threading.Thread(target=hammer)
        t.start()
        try:
            raises(ConnectionLoss, a.set, "/large", b"\1" * (2048 * KIB))
        finally:
            stop.set()
            t.join(timeout=WAIT)
        eq(errors, [], "other client's errors")
        wait_for(lambda: a.state == KazooState.CONNECTED, WAIT, "reconnect")
        eq(a.client_id[0], sid, "session kept")
        eq(b.get("/large")[0], big2, "value after the refused set")
        raises(ConnectionLoss, a.create, "/large2", b"\1" * (2048 * KIB))
        wait_for(lambda: a.state == KazooState.CONNECTED, WAIT, "reconnect")
        eq(a.exists("/large2"), None, "refused create")


# Watches.

@tap.test
def test_get_watch(ctx):
    """a get watch fires NodeDataChanged on set and NodeDeleted on delete, once each"""
    with Clients(ctx) as cs:
        a = cs.new()
        b = cs.new()
        a.create("/w-get", b"1")
        ev = Events()
        a.get("/w-get", watch=ev)
        b.set("/w-get", b"2")
        ev.wait(lambda e: True, "data event")
        eq((ev.seen[0].type, ev.seen[0].path), (EventType.CHANGED, "/w-get"),
           "first event")
        b.set("/w-get", b"3")	# the watch is spent: no second event
        ev2 = Events()
        a.get("/w-get", watch=ev2)
        b.delete("/w-get")
        ev2.wait(lambda e: True, "delete event")
        eq((ev2.seen[0].type, ev2.seen[0].path),
           (EventType.DELETED, "/w-get"), "delete event")
        eq(ev.count(), 1, "events of the spent watch")


@tap.test
def test_exists_watch(ctx):
    """an exists watch on a missing node fires NodeCreated, then one fires NodeDeleted"""
    with Clients(ctx) as cs:
        a = cs.new()
        b = cs.new()
        ev = Events()
        eq(a.exists("/w-exists", watch=ev), None, "missing")
        b.create("/w-exists", b"")
        ev.wait(lambda e: True, "created event")
        eq((ev.seen[0].type, ev.seen[0].path),
           (EventType.CREATED, "/w-exists"), "created")
        ev2 = Events()
        eq(a.exists("/w-exists", watch=ev2) is not None, True, "present")
        b.set("/w-exists", b"x")
        ev2.wait(lambda e: True, "changed event")
        eq(ev2.seen[0].type, EventType.CHANGED, "changed")
        ev3 = Events()
        a.exists("/w-exists", watch=ev3)
        b.delete("/w-exists")
        ev3.wait(lambda e: True, "deleted event")
        eq((ev3.seen[0].type, ev3.seen[0].path),
           (EventType.DELETED, "/w-exists"), "deleted")


@tap.test
def test_children_watch(ctx):
    """a get_children watch fires NodeChildrenChanged with the parent's path, and NodeDeleted when the parent goes"""
    with Clients(ctx) as cs:
        a = cs.new()
        b = cs.new()
        a.create("/w-kids")
        ev = Events()
        eq(a.get_children("/w-kids", watch=ev), [], "no children")
        b.set("/w-kids", b"data")	# a data change does not fire it
        b.create("/w-kids/one")
        ev.wait(lambda e: True, "child event")
        eq((ev.seen[0].type, ev.seen[0].path), (EventType.CHILD, "/w-kids"),
           "child event")
        ev2 = Events()
        eq(a.get_children("/w-kids", watch=ev2), ["one"], "one child")
        b.delete("/w-kids/one")
        ev2.wait(lambda e: True, "child removed event")
        eq(ev2.seen[0].type, EventType.CHILD, "child removed")
        ev3 = Events()
        a.get_children("/w-kids", watch=ev3)
        b.delete("/w-kids")
        ev3.wait(lambda e: True, "parent deleted event")
        eq((ev3.seen[0].type, ev3.seen[0].path),
           (EventType.DELETED, "/w-kids"), "parent deleted")


@tap.test
def test_data_watch_recipe(ctx):
    """DataWatch sees a missing node created, changed and deleted"""
    with Clients(ctx) as cs:
        a = cs.new()
        b = cs.new()
        seen = Events()

        def fn(data, stat, event):
            seen(data, stat.version if stat else None,
                 event.type if event else None)
        DataWatch(a, "/w-dw", fn)
        seen.wait(lambda e: e == (None, None, None), "initial call")
        b.create("/w-dw", b"v0")
        seen.wait(lambda e: e == (b"v0", 0, EventType.CREATED), "created")
        b.set("/w-dw", b"v1")
        seen.wait(lambda e: e == (b"v1", 1, EventType.CHANGED), "changed")
        b.delete("/w-dw")
        seen.wait(lambda e: e == (None, None, EventType.DELETED), "deleted")


@tap.test
def test_children_watch_recipe(ctx):
    """ChildrenWatch follows children added and removed"""
    with Clients(ctx) as cs:
        a = cs.new()
        b = cs.new()
        a.create("/w-cw")
        seen = Events()
        ChildrenWatch(a, "/w-cw", lambda kids: seen(sorted(kids)))
        seen.wait(lambda e: e == [], "initial call")
        b.create("/w-cw/x")
        seen.wait(lambda e: e == ["x"], "x added")
        b.create("/w-cw/y", ephemeral=True)
        seen.wait(lambda e: e == ["x", "y"], "y added")
        b.delete("/w-cw/x")
        seen.wait(lambda e: e == ["y"], "x removed")


# Multi, ACLs, sync, version.

@tap.test
def test_multi_all_or_nothing(ctx):
    """a multi with a failing op applies nothing and reports RolledBack, the error, then RuntimeInconsistency"""
    with Clients(ctx) as cs:
        a = cs.new()
        a.create("/multi")
        a.create("/multi/there", b"old")
        t = a.transaction()
        t.create("/multi/new", b"")
        t.set_data("/multi/there", b"new")
        t.create("/multi/there", b"")
        t.delete("/multi/new")
        res = t.commit()
        eq([type(r) for r in res],
           [RolledBackError, RolledBackError, NodeExistsError,
            RuntimeInconsistency], "results")
        eq(a.exists("/multi/new"), None, "first op not applied")
        v, st = a.get("/multi/there")
        eq((v, st.version), (b"old", 0), "second op not applied")
        eq(a.exists("/multi").cversion, 1, "parent cversion")
        t = a.transaction()
        t.create("/multi/new", b"n")
        t.check("/multi/there", 0)
        t.set_data("/multi/there", b"new")
        t.delete("/multi/new")
        res = t.commit()
        eq(res[0], "/multi/new", "create result")
        eq(res[1], True, "check result")
        eq(res[2].version, 1, "set result")
        eq(res[3], True, "delete result")
        eq(a.get("/multi/there")[0], b"new", "applied")
        t = a.transaction()
        t.check("/multi/there", 0)
        t.delete("/multi/there")
        res = t.commit()
        eq([type(r) for r in res], [BadVersionError, RuntimeInconsistency],
           "failed check")
        eq(a.exists("/multi/there") is not None, True, "not deleted")


@tap.test
def test_digest_acl(ctx):
    """a digest ACL lets its user in and refuses others with NoAuthError"""
    with Clients(ctx) as cs:
        owner = cs.new(auth_data=[("digest", "alice:secret")])
        other = cs.new()
        wrong = cs.new(auth_data=[("digest", "alice:guess")])
        acl = make_digest_acl("alice", "secret", all=True)
        owner.create("/acl", b"private", acl=[acl])
        eq(owner.get("/acl")[0], b"private", "owner reads")
        owner.set("/acl", b"still private")
        for c in (other, wrong):
            raises(NoAuthError, c.get, "/acl")
            raises(NoAuthError, c.set, "/acl", b"x")
            raises(NoAuthError, c.create, "/acl/kid")
            raises(NoAuthError, c.get_acls, "/acl")
        eq(other.exists("/acl").dataLength, 13, "exists needs no right")
        other.add_auth("digest", "alice:secret")
        eq(other.get("/acl")[0], b"still private", "after add_auth")
        acls, _ = owner.get_acls("/acl")
        eq([(x.perms, x.id.scheme, x.id.id) for x in acls],
           [(31, "digest", make_digest_acl_credential("alice", "secret"))],
           "ACL as its owner sees it")


@tap.test
def test_get_acl_masks_digest(ctx):
    """getACL by a client with READ but no ADMIN shows digest ids as user:x"""
    with Clients(ctx) as cs:
        owner = cs.new(auth_data=[("digest", "bob:pw")])
        other = cs.new()
        acl = [make_digest_acl("bob", "pw", all=True),
               ACL(Permissions.READ, Id("world", "anyone"))]
        owner.create("/acl-mask", b"", acl=acl)
        full, _ = owner.get_acls("/acl-mask")
        eq([(x.perms, x.id.scheme, x.id.id) for x in full],
           [(31, "digest", make_digest_acl_credential("bob", "pw")),
            (1, "world", "anyone")], "ACL with ADMIN")
        masked, st = other.get_acls("/acl-mask")
        eq([(x.perms, x.id.scheme, x.id.id) for x in masked],
           [(31, "digest", "bob:x"), (1, "world", "anyone")],
           "ACL without ADMIN")
        eq(st.aversion, 0, "stat with the ACL")


@tap.test
def test_sync(ctx):
    """sync answers with its path and later reads see earlier writes"""
    with Clients(ctx) as cs:
        a = cs.new()
        b = cs.new()
        a.create("/sync", b"1")
        eq(b.sync("/sync"), "/sync", "sync result")
        eq(b.get("/sync")[0], b"1", "read after sync")
        eq(b.sync("/"), "/", "sync of the root")


@tap.test
def test_server_version(ctx):
    """server_version() parses the envi reply as a 3.8 version"""
    with Clients(ctx) as cs:
        v = cs.new().server_version()
        eq(v[:2], (3, 8), "version %r" % (v,))


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
