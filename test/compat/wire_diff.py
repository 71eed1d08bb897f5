#!/usr/bin/python3
# SPDX-License-Identifier: ISC
# Checks that zkd answers raw ZooKeeper protocol sessions with the same
# bytes as Apache ZooKeeper 3.8, replies and watch notifications alike.
"""Side-by-side wire test of zkd against Apache ZooKeeper 3.8.

Every scenario is played over raw jute frames (test/lib/zkwire.py) against
a standalone zkd and a standalone Apache ZooKeeper at the same time, in
lockstep: the same request goes to both, and everything each server sends
back up to the reply (notifications included, in their order) must be the
same once the values that legitimately differ are normalised:

  - session ids become S1, S2, ... in the order each server hands them out
    (in ConnectResponses and in ephemeralOwner);
  - passwords become P<n> when they are the session's own password;
  - ctime and mtime become T.

zxids are not normalised: both servers start empty and must hand out the
same sequence (failed writes consume one too), so they are compared as
they are.  Every session a scenario opens is closed by the scenario (or
by its cleanup), so that no expiry ever moves one server's zxids.

Children lists (getChildren, getChildren2, multiRead, getEphemerals) are
compared sorted: Apache returns them in hash-set order, which no client
may rely on.

Also compared unordered, for the same reason: whoAmI's list of ids and
the notifications a closeSession causes (Apache deletes a session's
ephemerals in hash-set order).

Where the servers differ by design, or where Apache 3.8.0 has a known bug
that zkd does not copy, the scenario checks each server's own behaviour
and prints the difference as a TAP diagnostic:

  - check (opcode 13) outside a multi: Apache never answers (its reply
    record has no stat to write), zkd answers with the node's stat;
  - a frame whose body does not decode: Apache answers MARSHALLINGERROR,
    zkd closes the connection (conn.c: a misbehaving client is closed);
  - a standard watch set over a persistent one on the same path: Apache
    3.8.0 then forgets the persistent watch (ZOOKEEPER-4466), zkd keeps it;
  - checkWatches when only another session watches the path: Apache 3.8.0
    answers OK, zkd NOWATCHER;
  - a request pipelined behind closeSession: Apache answers it with
    SESSIONEXPIRED or not at all, depending on a race; zkd never does.

Ports: zkd 21700 and Apache 21701 (default settings), zkd 21702 and
Apache 21703 (extendedTypesEnabled=true), zkd 21704 and Apache 21705 (for
scenarios that make the two servers' zxids diverge).
"""
import functools
import os
import time

import tap
import zkharness
import zkwire as w

ZKD_PORT = 21700
APACHE_PORT = 21701
EXT_ZKD_PORT = 21702
EXT_APACHE_PORT = 21703
ODD_ZKD_PORT = 21704
ODD_APACHE_PORT = 21705

# Long enough that no session of the run can expire on its own.
SESSION_TIMEOUT = 40000
# How long a server may stay silent before "no answer" is concluded.
SILENCE = 1.5
# Containers are reaped by a timer; keep it away from the run.
CONTAINER_CHECK_MS = 86400000

MAXBUFFER = 0xfffff


def note(text):
    """A TAP diagnostic line (shown by the driver, never a failure)."""
    for line in text.splitlines():
        print("# " + line, flush=True)


class Apache(zkharness.Apache):
    """Apache ZooKeeper with its container reaper held off."""

    def start(self):
        cfg = self.write_cfg({
            "tickTime": 2000,
            "dataDir": os.path.join(self.dir, "data"),
            "clientPort": self.port,
            "4lw.commands.whitelist": "*",
            "admin.enableServer": "false",
        })
        self._spawn(["java", "-Xmx256m",
                     "-Dznode.container.checkIntervalMs=%d" %
                     CONTAINER_CHECK_MS,
                     "-cp", zkharness.APACHE_CP,
                     "org.apache.zookeeper.server.ZooKeeperServerMain",
                     cfg])
        # 'ruok' answers before the server takes sessions.
        zkharness.wait_for(lambda: zkharness.four(self.port, "srvr")
                           .startswith(b"Zookeeper version:"),
                           what="Apache ZooKeeper serving")
        return self


class Side:
    """One server of a pair and what normalising its replies needs."""

    def __init__(self, name, server):
        self.name = name
        self.server = server
        self.labels = {}        # session id -> "S<n>"
        self.passwds = {}       # session id -> password
        self.zxid_shift = 0     # see Pair.resync_zxids

    @property
    def port(self):
        return self.server.port

    def learn_session(self, sid, passwd):
        if sid and sid not in self.labels:
            self.labels[sid] = "S%d" % (len(self.labels) + 1)
            self.passwds[sid] = passwd

    def norm_zxid(self, zxid):
        return zxid - self.zxid_shift if zxid > 0 else zxid

    def norm_fields(self, fields):
        out = []
        for name, value in fields:
            if name in ("ctime", "mtime"):
                value = "T"
            elif name in ("czxid", "mzxid", "pzxid"):
                value = self.norm_zxid(value)
            elif name == "ephemeralOwner":
                value = self.labels.get(value, value)
            elif name == "stat":
                value = self.norm_fields(value)
            elif name in ("children", "ephemerals",
                          "clientInfo") and value is not None:
                # Apache returns these in hash-set order.
                value = sorted(value)
            elif name == "results":
                value = [self.norm_result(r) for r in value]
            out.append((name, value))
        return out

    def norm_result(self, result):
        if len(result) == 3 and isinstance(result[2], list):
            return (result[0], result[1], self.norm_fields(result[2]))
        return result

    def norm_frame(self, hdr, fields):
        return (hdr["xid"], self.norm_zxid(hdr["zxid"]), hdr["err"],
                self.norm_fields(fields))

    def norm_connect(self, body):
        rsp = w.decode_connect_response(body)
        sid = rsp["sessionId"]
        self.learn_session(sid, rsp["passwd"])
        out = dict(rsp)
        out["length"] = len(body)
        if sid:
            out["sessionId"] = self.labels[sid]
            if rsp["passwd"] == self.passwds[sid]:
                out["passwd"] = "P(%s)" % self.labels[sid]
        return out


class Pair:
    """A zkd and an Apache ZooKeeper started with the same settings."""

    def __init__(self, zkd_port, apache_port, settings=None):
        settings = dict(settings or {})
        zsettings = dict(settings)
        zsettings["znode.container.checkIntervalMs"] = CONTAINER_CHECK_MS
        self.zkd = zkharness.Zkd(zkd_port, zsettings)
        self.apache = Apache(apache_port, settings)
        self.sides = []
        self.twins = []
        self.diffs = []

    def start(self):
        self.zkd.start()
        self.apache.start()
        self.sides = [Side("zkd", self.zkd), Side("apache", self.apache)]
        for side in self.sides:
            check_fresh(side)
        return self

    def cleanup(self):
        self.zkd.cleanup()
        self.apache.cleanup()

    def twin(self, **kw):
        t = Twin(self, **kw)
        self.twins.append(t)
        return t

    def close_all(self):
        """Closes every session a scenario left open, in lockstep."""
        for t in self.twins:
            t.finish()
        self.twins = []

    def differ(self, what, a, b):
        """Records a difference; the scenario fails at its end."""
        self.diffs.append("%s differs\n  zkd:    %r\n  apache: %r" %
                          (what, a, b))

    def resync_zxids(self):
        """After a known divergence: compare zxids from here on relative
        to where each server stands now."""
        last = []
        for side in self.sides:
            c = w.Conn(side.port)
            try:
                c.handshake()
                frames = c.call(w.XID_PING, w.PING)
                last.append(frames[-1][0]["zxid"])
                c.call(1, w.CLOSESESSION)
            finally:
                c.close()
        # Both pings follow one createSession and precede one closeSession.
        self.sides[0].zxid_shift = 0
        self.sides[1].zxid_shift = last[1] - last[0]
        note("zxids of %s re-based by %d" % (self.sides[1].name,
                                             last[1] - last[0]))


def check_fresh(side):
    """Refuses to run against a server that is not the one just started
    (another run holding the port) or that is not empty."""
    srvr = zkharness.four(side.port, "srvr").decode(errors="replace")
    if not side.server.alive() or "Zxid: 0x0\n" not in srvr:
        raise RuntimeError("%s on port %d is not a fresh server of this "
                           "run (port taken?):\n%s" %
                           (side.name, side.port, srvr))


class Twin:
    """One client session held on both servers of a pair at once.

    Each method sends the same bytes to both servers and compares what
    comes back, normalised; it returns zkd's normalised frames.
    """

    def __init__(self, pair, connect=True, readonly=False,
                 timeout=SESSION_TIMEOUT):
        self.pair = pair
        self.conns = [w.Conn(s.port) for s in pair.sides]
        self.xid = 0
        self.sids = [None, None]
        self.passwds = [None, None]
        self.open = False
        self.connect_rsp = None
        if connect:
            self.connect_rsp = self.hello(readonly=readonly, timeout=timeout)

    # -- sending and receiving ---------------------------------------

    def send_raw(self, data):
        for c in self.conns:
            c.send_raw(data)

    def next_xid(self):
        self.xid += 1
        return self.xid

    def hello(self, readonly=False, timeout=SESSION_TIMEOUT, resume=None,
              passwd=None, last_zxid=0):
        """Handshake on both; resume is a Twin whose session to take.

        Returns the normalised ConnectResponse (the same on both).
        """
        outs = []
        for i, (side, conn) in enumerate(zip(self.pair.sides, self.conns)):
            sid, pw = 0, b"\0" * 16
            if resume is not None:
                sid, pw = resume.sids[i], resume.passwds[i]
            if passwd is not None:
                pw = passwd
            conn.send_raw(w.frame(w.connect_request(
                sid, pw, timeout, last_zxid,
                None if readonly is None else readonly)))
        for i, (side, conn) in enumerate(zip(self.pair.sides, self.conns)):
            body = conn.recv()
            if body is None:
                raise AssertionError("%s: no ConnectResponse" % side.name)
            rsp = w.decode_connect_response(body)
            if rsp["sessionId"]:
                self.sids[i] = rsp["sessionId"]
                self.passwds[i] = rsp["passwd"]
                self.open = True
            outs.append(side.norm_connect(body))
        if outs[0] != outs[1]:
            self.pair.differ("ConnectResponse", outs[0], outs[1])
        return outs[0]

    def _collect(self, xid, op, timeout=10.0):
        outs = []
        for side, conn in zip(self.pair.sides, self.conns):
            try:
                frames = conn.collect(xid, op, timeout)
            except TimeoutError:
                raise AssertionError("%s: no reply to xid %d" %
                                     (side.name, xid))
            except w.Closed:
                raise AssertionError("%s: connection closed before the "
                                     "reply to xid %d" % (side.name, xid))
            outs.append([side.norm_frame(h, f) for h, f in frames])
        return outs

    def call(self, req, expect=None, xid=None):
        """Sends req (opcode, body) to both; compares all up to the reply.

        expect, if given, is the error code the reply must carry.
        """
        op, body = req
        if xid is None:
            xid = self.next_xid()
        for c in self.conns:
            c.send(xid, op, body)
        outs = self._collect(xid, op)
        if op == w.CLOSESESSION:
            # Apache deletes a session's ephemerals in hash-set order.
            outs = [unordered_events(o) for o in outs]
        if outs[0] != outs[1]:
            self.pair.differ("reply to %s" % describe(op, body), outs[0],
                             outs[1])
        for side, out in zip(self.pair.sides, outs):
            if expect is not None and out[-1][2] != expect:
                self.pair.diffs.append("%s answers %s with error %d, "
                                       "expected %d" %
                                       (side.name, describe(op, body),
                                        out[-1][2], expect))
        return outs[0]

    def call_each(self, req, xid=None):
        """Sends req to both; returns each server's frames, uncompared."""
        op, body = req
        if xid is None:
            xid = self.next_xid()
        for c in self.conns:
            c.send(xid, op, body)
        return self._collect(xid, op)

    def pipeline(self, reqs):
        """Sends several requests at once, then compares every answer."""
        xids = []
        data = b""
        for op, body in reqs:
            xid = self.next_xid()
            xids.append((xid, op))
            data += w.request(xid, op, body)
        self.send_raw(data)
        outs = [[], []]
        for xid, op in xids:
            got = self._collect(xid, op)
            outs[0].extend(got[0])
            outs[1].extend(got[1])
        if outs[0] != outs[1]:
            self.pair.differ("pipelined replies", outs[0], outs[1])
        return outs[0]

    def drain(self, unordered=False):
        """Pings both; compares the notifications that precede the pong.

        A notification is queued before the reply of the request that
        caused it, so a ping sent after that reply flushes it out.
        unordered: the events came from a closeSession elsewhere, whose
        ephemerals Apache deletes in hash-set order.
        """
        if unordered:
            outs = self.call_each(w.req_ping(), xid=w.XID_PING)
            outs = [unordered_events(o) for o in outs]
            if outs[0] != outs[1]:
                self.pair.differ("events after a closeSession", outs[0],
                                 outs[1])
            frames = outs[0]
        else:
            frames = self.call(w.req_ping(), xid=w.XID_PING)
        return [f for f in frames if f[0] == w.XID_NOTIFICATION]

    def expect_closed(self, what, timeout=10.0):
        """Both servers close the connection; frames before are compared."""
        outs = []
        for side, conn in zip(self.pair.sides, self.conns):
            frames = []
            deadline = time.monotonic() + timeout
            try:
                while time.monotonic() < deadline:
                    body = conn.recv(max(0.0, deadline - time.monotonic()))
                    if body is None:
                        break
                    frames.append(body)
            except w.Closed:
                outs.append(frames)
                continue
            raise AssertionError("%s keeps the connection open after %s" %
                                 (side.name, what))
        if outs[0] != outs[1]:
            self.pair.differ("frames before the close after %s" % what,
                             outs[0], outs[1])
        return outs[0]

    def drop(self):
        """Closes both sockets; the sessions live on.

        Returns once each server has let go of its connection: Apache
        3.8 forgets a session's connection when the old one's close is
        handled, even after a new connection has taken the session over
        (ServerCnxnFactory.removeCnxnFromSessionMap), and would then not
        close that new connection on the next reconnect.
        """
        ports = []
        for c in self.conns:
            try:
                ports.append(c.sock.getsockname()[1])
            except OSError:
                ports.append(None)
            c.close()
        for side, port in zip(self.pair.sides, ports):
            if port is None:
                continue
            mark = ":%d[" % port
            deadline = time.monotonic() + 10
            while mark in zkharness.four(side.port, "cons").decode():
                if time.monotonic() > deadline:
                    raise AssertionError("%s still lists connection %d "
                                         "after its close" %
                                         (side.name, port))
                time.sleep(0.02)

    def close(self):
        """closeSession on both: the reply, then the server closes."""
        frames = self.call(w.req_close_session())
        if frames[-1][2] != w.OK:
            raise AssertionError("closeSession answered %r" % (frames,))
        self.expect_closed("closeSession")
        self.open = False
        self.drop()
        return frames

    def finish(self):
        """Closes the session on each server if it is still open.

        Cleanup, not a check: each server is handled on its own, over the
        old connection if it still answers, else over a new one.
        """
        if self.open:
            for i, side in enumerate(self.pair.sides):
                if self.sids[i]:
                    close_session(side, self.conns[i], self.sids[i],
                                  self.passwds[i])
        self.open = False
        self.drop()


def unordered_events(frames):
    """Notifications sorted, the reply kept last."""
    events = sorted(f for f in frames if f[0] == w.XID_NOTIFICATION)
    return events + [f for f in frames if f[0] != w.XID_NOTIFICATION]


def close_session(side, conn, sid, passwd):
    """Ends a session on one server, whatever state its connection is in."""
    try:
        frames = conn.call(0x7ffffff0, w.CLOSESESSION, timeout=5)
        if frames[-1][0]["err"] == w.OK:
            return
    except (w.Closed, TimeoutError, OSError):
        pass
    c = None
    try:
        c = w.Conn(side.port)
        _, rsp = c.handshake(session_id=sid, passwd=passwd)
        if rsp["sessionId"]:
            c.call(1, w.CLOSESESSION, timeout=5)
    except (w.Closed, TimeoutError, OSError) as e:
        note("%s: session 0x%x not closed: %r" % (side.name, sid, e))
    finally:
        if c is not None:
            c.close()


def describe(op, body):
    return "op %d (%s)" % (op, body[:40].hex())


# --- scenarios ----------------------------------------------------------

def case(fn):
    """A TAP test; sessions it leaves open are closed afterwards."""
    @functools.wraps(fn)
    def run(ctx):
        for pair in ctx.pairs:
            pair.diffs = []
        try:
            fn(ctx)
        finally:
            for pair in ctx.pairs:
                pair.close_all()
        diffs = [d for pair in ctx.pairs for d in pair.diffs]
        if diffs:
            raise AssertionError("%d difference(s):\n%s" %
                                 (len(diffs), "\n".join(diffs)))
    return tap.test(run)


class Ctx:
    def __init__(self):
        self.main = Pair(ZKD_PORT, APACHE_PORT)
        self.ext = Pair(EXT_ZKD_PORT, EXT_APACHE_PORT,
                        {"extendedTypesEnabled": "true"})
        self.odd = Pair(ODD_ZKD_PORT, ODD_APACHE_PORT)
        self.pairs = [self.main, self.ext, self.odd]


def setup():
    ctx = Ctx()
    try:
        for pair in ctx.pairs:
            pair.start()
    except BaseException:
        teardown(ctx)
        raise
    return ctx


def teardown(ctx):
    if ctx is None:
        return
    for pair in ctx.pairs:
        pair.cleanup()


def must(cond, text):
    if not cond:
        raise AssertionError(text)


def stat(frames):
    return dict(dict(frames[-1][3])["stat"])


def notifications(frames):
    return [(f[3][0][1], f[3][2][1]) for f in frames
            if f[0] == w.XID_NOTIFICATION]


# Handshake ---------------------------------------------------------------

@case
def t_handshake_readonly(ctx):
    """handshake with the readOnly byte: same 37-byte ConnectResponse"""
    t = ctx.main.twin(readonly=False)
    must(t.connect_rsp["length"] == 37, "length %r" % t.connect_rsp)
    must(t.connect_rsp["readOnly"] is False, "readOnly %r" % t.connect_rsp)
    t.close()


@case
def t_handshake_old_client(ctx):
    """handshake without the readOnly byte: same 36-byte ConnectResponse"""
    t = ctx.main.twin(readonly=None)
    must(t.connect_rsp["length"] == 36, "length %r" % t.connect_rsp)
    t.call(w.req_exists("/zookeeper/quota"), w.OK)
    t.close()


@case
def t_handshake_timeouts(ctx):
    """session timeouts are clamped to [2, 20] ticks the same way"""
    for asked, got in ((1, 4000), (4001, 4001), (10 ** 6, 40000)):
        t = ctx.main.twin(timeout=asked)
        must(t.connect_rsp["timeOut"] == got, "%d -> %r" %
             (asked, t.connect_rsp))
        t.close()


@case
def t_ping(ctx):
    """ping (xid -2) is answered with the last zxid and no body"""
    t = ctx.main.twin()
    frames = t.call(w.req_ping(), w.OK, xid=w.XID_PING)
    must(len(frames) == 1 and frames[0][3] == [], "%r" % frames)
    t.close()


@case
def t_pipelined(ctx):
    """pipelined requests are answered in order with the same bytes"""
    t = ctx.main.twin()
    t.pipeline([w.req_create("/pipe", b"a"), w.req_get_data("/pipe"),
                w.req_set_data("/pipe", b"b", 0), w.req_get_data("/pipe"),
                w.req_delete("/pipe", 5), w.req_delete("/pipe", 1),
                w.req_exists("/pipe")])
    t.close()


# The built-in tree ---------------------------------------------------------

@case
def t_builtin_nodes(ctx):
    """/, /zookeeper, quota and config read the same (data, stat, acl)"""
    t = ctx.main.twin()
    for path in ("/", "/zookeeper", "/zookeeper/quota",
                 "/zookeeper/config"):
        t.call(w.req_get_data(path), w.OK)
        t.call(w.req_get_acl(path), w.OK)
        t.call(w.req_get_children2(path), w.OK)
    t.close()


# create ----------------------------------------------------------------

@case
def t_create_modes(ctx):
    """create flags 0-3 and create2: same paths, stats and owners"""
    t = ctx.main.twin()
    t.call(w.req_create("/cm"), w.OK)
    t.call(w.req_create("/cm/p", b"d", flags=w.PERSISTENT), w.OK)
    t.call(w.req_create("/cm/e", b"d", flags=w.EPHEMERAL), w.OK)
    t.call(w.req_create("/cm/s-", b"", flags=w.PERSISTENT_SEQUENTIAL), w.OK)
    t.call(w.req_create("/cm/es-", None, flags=w.EPHEMERAL_SEQUENTIAL), w.OK)
    t.call(w.req_create2("/cm/c2", b"xyz", flags=w.EPHEMERAL), w.OK)
    t.call(w.req_create2("/cm/c2s", b"", flags=w.PERSISTENT_SEQUENTIAL),
           w.OK)
    f = t.call(w.req_get_children2("/cm"), w.OK)
    must(stat(f)["numChildren"] == 6, "%r" % f)
    for child in dict(f[-1][3])["children"]:
        t.call(w.req_get_data("/cm/" + child), w.OK)
    t.close()
    t2 = ctx.main.twin()
    t2.call(w.req_get_children2("/cm"), w.OK)
    t2.call(w.req_get_data("/cm"), w.OK)
    t2.close()


@case
def t_cversion_counts_deletes(ctx):
    """a parent's cversion counts child deletes too (2*creates - children)"""
    t = ctx.main.twin()
    t.call(w.req_create("/cv"), w.OK)
    t.call(w.req_create("/cv/a"), w.OK)
    t.call(w.req_create("/cv/b"), w.OK)
    t.call(w.req_delete("/cv/a"), w.OK)
    zk, ap = t.call_each(w.req_exists("/cv"))
    for side, out in zip(t.pair.sides, (zk, ap)):
        must(stat(out)["cversion"] == 3,
             "%s: cversion %d after 2 creates and 1 delete" %
             (side.name, stat(out)["cversion"]))
    t.call(w.req_delete("/cv/b"), w.OK)
    t.call(w.req_get_children2("/cv"), w.OK)
    t.call(w.req_delete("/cv"), w.OK)
    t.close()


@case
def t_create_sequential_naming(ctx):
    """sequence numbers follow the parent's cversion across deletes"""
    t = ctx.main.twin()
    t.call(w.req_create("/seq"), w.OK)
    for _ in range(3):
        t.call(w.req_create("/seq/n-", flags=w.PERSISTENT_SEQUENTIAL), w.OK)
    t.call(w.req_create("/seq/plain"), w.OK)
    t.call(w.req_delete("/seq/n-0000000001"), w.OK)
    t.call(w.req_delete("/seq/plain"), w.OK)
    t.call(w.req_create("/seq/n-", flags=w.PERSISTENT_SEQUENTIAL), w.OK)
    t.call(w.req_create("/seq/", flags=w.PERSISTENT_SEQUENTIAL), w.OK)
    t.call(w.req_create("/seq/m", flags=w.EPHEMERAL_SEQUENTIAL), w.OK)
    t.call(w.req_create("/seq/n-0000000004"), w.NODEEXISTS)
    t.call(w.req_create("/seq/n-", flags=w.PERSISTENT_SEQUENTIAL), w.OK)
    t.call(w.req_get_children2("/seq"), w.OK)
    t.close()


@case
def t_create_errors(ctx):
    """create fails alike: NODEEXISTS, NONODE, NOCHILDRENFOREPHEMERALS"""
    t = ctx.main.twin()
    t.call(w.req_create("/ce"), w.OK)
    t.call(w.req_create("/ce"), w.NODEEXISTS)
    t.call(w.req_create2("/ce"), w.NODEEXISTS)
    t.call(w.req_create("/ce/missing/child"), w.NONODE)
    t.call(w.req_create("/ce/eph", flags=w.EPHEMERAL), w.OK)
    t.call(w.req_create("/ce/eph/child"), w.NOCHILDRENFOREPHEMERALS)
    t.call(w.req_create("/ce/eph/s", flags=w.PERSISTENT_SEQUENTIAL),
           w.NOCHILDRENFOREPHEMERALS)
    t.call(w.req_create("/zookeeper"), w.NODEEXISTS)
    t.call(w.req_create("/"), w.NODEEXISTS)
    t.close()


BAD_PATHS = ["", "noslash", "/trailing/", "/a//b", "/a/./b", "/a/../b",
             "/.", "/..", "/ce2/.", "/a\x01b", "/a\x7fb", "/a\u00a0b",
             "/a\ue000b", "/a\ufff0b", "/a\x00b", b"/a\xffb", "/ok\u00e9"]


@case
def t_bad_paths(ctx):
    """bad paths are refused alike by every path-taking opcode"""
    t = ctx.main.twin()
    for p in BAD_PATHS:
        raw = p if isinstance(p, bytes) else p.encode()
        t.call(w.req_create(raw))
        t.call(w.req_create(raw, flags=w.PERSISTENT_SEQUENTIAL))
        t.call(w.req_delete(raw))
        t.call(w.req_set_data(raw, b"x"))
        t.call(w.req_exists(raw))
        t.call(w.req_get_data(raw))
        t.call(w.req_get_children(raw))
        t.call(w.req_get_acl(raw))
        t.call(w.req_set_acl(raw, w.OPEN_ACL))
    t.close()


@case
def t_create_acl_errors(ctx):
    """INVALIDACL alike: empty, bad digest, world:other, auth, scheme"""
    t = ctx.main.twin()
    t.call(w.req_create("/ia"), w.OK)
    bad = [[], [(31, "digest", "nocolon")], [(31, "world", "someone")],
           [(31, "auth", "")], [(31, "nosuch", "id")],
           [(31, "ip", "not-an-address")], [(31, "ip", "10.0.0.0/99")],
           [(31, "world", "anyone"), (31, "world", "other")], None]
    for acl in bad:
        t.call(w.req_create("/ia/n", acl=acl), w.INVALIDACL)
        t.call(w.req_set_acl("/ia", acl), w.INVALIDACL)
    good = [[(31, "ip", "127.0.0.1")], [(31, "ip", "10.1.0.0/16")],
            [(1, "digest", w.digest_id("u", "p")), (31, "world", "anyone")],
            [(31, "world", "anyone"), (31, "world", "anyone")],
            [(0, "world", "anyone")], [(255, "world", "anyone")]]
    for i, acl in enumerate(good):
        t.call(w.req_create("/ia/g%d" % i, acl=acl), w.OK)
        t.call(w.req_get_acl("/ia/g%d" % i))
    t.close()


@case
def t_create_container_and_modes_4_6(ctx):
    """containers (19 and flag 4) and TTL flags 5, 6 without extended types"""
    t = ctx.main.twin()
    t.call(w.req_create_container("/ct"), w.OK)
    t.call(w.req_create_container("/ct/seq", flags=w.PERSISTENT_SEQUENTIAL))
    t.call(w.req_create_container("/ct/plain", flags=w.PERSISTENT))
    t.call(w.req_create("/ct/viaop1", flags=w.CONTAINER))
    t.call(w.req_create2("/ct/viaop15", flags=w.CONTAINER))
    t.call(w.req_get_children2("/ct"), w.OK)
    for child in ("viaop1", "viaop15", "plain"):
        t.call(w.req_exists("/ct/" + child))
    t.call(w.req_create("/ct/ttl", flags=w.PERSISTENT_WITH_TTL))
    t.call(w.req_create("/ct/ttls", flags=w.PERSISTENT_SEQUENTIAL_WITH_TTL))
    t.call(w.req_create_ttl("/ct/t", ttl=1000), w.UNIMPLEMENTED)
    t.call(w.req_create_ttl("/ct/t", flags=w.PERSISTENT_SEQUENTIAL_WITH_TTL),
           w.UNIMPLEMENTED)
    t.call(w.req_create("/ct/seven", flags=7))
    t.call(w.req_create("/ct/neg", flags=-1))
    t.close()


@case
def t_create_ttl_extended(ctx):
    """createTTL with extendedTypesEnabled: stats and BADARGUMENTS alike"""
    t = ctx.ext.twin()
    t.call(w.req_create("/tt"), w.OK)
    t.call(w.req_create_ttl("/tt/a", b"d", ttl=3600000), w.OK)
    t.call(w.req_create_ttl("/tt/s-", flags=w.PERSISTENT_SEQUENTIAL_WITH_TTL,
                            ttl=1), w.OK)
    t.call(w.req_create_ttl("/tt/z", ttl=0), w.BADARGUMENTS)
    t.call(w.req_create_ttl("/tt/z", ttl=-5), w.BADARGUMENTS)
    t.call(w.req_create_ttl("/tt/z", ttl=(1 << 40)), w.BADARGUMENTS)
    t.call(w.req_create_ttl("/tt/z", ttl=(1 << 40) - 1))
    # (createTTL with a non-TTL mode and ttl -1 stops Apache 3.8.0 for
    # good: its apply step throws; it is left out.)
    t.call(w.req_create_ttl("/tt/p", flags=w.PERSISTENT, ttl=1000))
    t.call(w.req_create_ttl("/tt/e", flags=w.EPHEMERAL, ttl=1000))
    t.call(w.req_create_ttl("/tt/c", flags=w.CONTAINER, ttl=1000))
    t.call(w.req_create("/tt/viaop1", flags=w.PERSISTENT_WITH_TTL))
    t.call(w.req_create2("/tt/viaop15", flags=w.PERSISTENT_WITH_TTL))
    t.call(w.req_create_container("/tt/viaop19", flags=w.PERSISTENT_WITH_TTL))
    t.call(w.req_get_children2("/tt"), w.OK)
    f = t.call(w.req_get_children("/tt"), w.OK)
    for child in dict(f[-1][3])["children"]:
        t.call(w.req_get_data("/tt/" + child), w.OK)
        t.call(w.req_delete("/tt/" + child), w.OK)
    t.close()


# delete, setData, exists, getData ----------------------------------------

@case
def t_delete(ctx):
    """delete: ok, NONODE, BADVERSION, NOTEMPTY, /zookeeper and / refused"""
    t = ctx.main.twin()
    t.call(w.req_create("/de"), w.OK)
    t.call(w.req_create("/de/c"), w.OK)
    t.call(w.req_delete("/de"), w.NOTEMPTY)
    t.call(w.req_delete("/de/c", 3), w.BADVERSION)
    t.call(w.req_delete("/de/nope"), w.NONODE)
    t.call(w.req_delete("/de/nope", 7), w.NONODE)
    t.call(w.req_delete("/de/c", 0), w.OK)
    t.call(w.req_delete("/de/c"), w.NONODE)
    t.call(w.req_delete("/"))
    t.call(w.req_delete("/zookeeper"))
    t.call(w.req_delete("/zookeeper/quota"))
    t.call(w.req_delete("/zookeeper/config"))
    t.call(w.req_get_data("/de"), w.OK)
    t.call(w.req_delete("/de", -1), w.OK)
    t.close()


@case
def t_set_data(ctx):
    """setData: versions, BADVERSION, NONODE, null and empty data"""
    t = ctx.main.twin()
    t.call(w.req_create("/sd", b"one"), w.OK)
    t.call(w.req_set_data("/sd", b"two", 0), w.OK)
    t.call(w.req_set_data("/sd", b"three", 0), w.BADVERSION)
    t.call(w.req_set_data("/sd", b"three", -1), w.OK)
    t.call(w.req_set_data("/sd", None, 2), w.OK)
    t.call(w.req_get_data("/sd"), w.OK)
    t.call(w.req_set_data("/sd", b"", -1), w.OK)
    t.call(w.req_get_data("/sd"), w.OK)
    t.call(w.req_set_data("/sd", b"x", -2), w.BADVERSION)
    t.call(w.req_set_data("/nosd", b"x"), w.NONODE)
    t.call(w.req_set_data("/zookeeper/config", b"x"))
    t.call(w.req_set_data("/zookeeper", b"x"))
    t.call(w.req_get_data("/zookeeper"))
    t.call(w.req_set_data("/zookeeper", None))
    t.call(w.req_exists("/sd"), w.OK)
    t.call(w.req_exists("/nosd"), w.NONODE)
    t.call(w.req_get_data("/nosd"), w.NONODE)
    t.close()


# ACLs ------------------------------------------------------------------

@case
def t_acl_ops(ctx):
    """getACL/setACL: aversion, BADVERSION, NONODE, auth scheme"""
    t = ctx.main.twin()
    t.call(w.req_create("/acl"), w.OK)
    t.call(w.req_set_acl("/acl", w.OPEN_ACL, 0), w.OK)
    t.call(w.req_set_acl("/acl", w.OPEN_ACL, 0), w.BADVERSION)
    t.call(w.req_set_acl("/acl", [(w.PERM_READ | w.PERM_ADMIN, "world",
                                   "anyone")], 1), w.OK)
    t.call(w.req_get_acl("/acl"), w.OK)
    t.call(w.req_set_acl("/noacl", w.OPEN_ACL), w.NONODE)
    t.call(w.req_get_acl("/noacl"), w.NONODE)
    t.call(w.req_auth("digest", "alice:secret"), w.OK, xid=w.XID_AUTH)
    t.call(w.req_auth("digest", "bob:other"), w.OK, xid=w.XID_AUTH)
    t.call(w.req_auth("digest", "alice:secret"), w.OK, xid=w.XID_AUTH)
    t.call(w.req_set_acl("/acl", [(w.PERM_ALL, "auth", "")]), w.OK)
    t.call(w.req_get_acl("/acl"), w.OK)
    t.call(w.req_create("/acl/c", acl=[(w.PERM_READ, "auth", "ignored"),
                                       (w.PERM_ALL, "world", "anyone")]),
           w.OK)
    t.call(w.req_get_acl("/acl/c"), w.OK)
    t.call(w.req_set_acl("/acl/c", [(w.PERM_ALL, "digest",
                                     w.digest_id("carol", "x"))]), w.OK)
    t.call(w.req_get_acl("/acl/c"), w.NOAUTH)
    t.call(w.req_delete("/acl/c"), w.OK)
    t.call(w.req_delete("/acl"), w.OK)
    t.close()


@case
def t_acl_digest_masking(ctx):
    """getACL hides digest hashes from a caller without ADMIN, as Apache"""
    t = ctx.main.twin()
    alice = w.digest_id("alice", "secret")
    t.call(w.req_create("/mask", acl=[(w.PERM_READ, "world", "anyone"),
                                      (w.PERM_ALL, "digest", alice),
                                      (w.PERM_READ, "digest",
                                       w.digest_id("bob", "pw"))]), w.OK)
    t.call(w.req_create("/mask2", acl=[(w.PERM_ADMIN, "world", "anyone"),
                                       (w.PERM_ALL, "digest", alice)]),
           w.OK)
    t.call(w.req_get_acl("/mask"), w.OK)
    t.call(w.req_get_acl("/mask2"), w.OK)
    t.call(w.req_auth("digest", "alice:secret"), w.OK, xid=w.XID_AUTH)
    t.call(w.req_get_acl("/mask"), w.OK)
    t.call(w.req_delete("/mask"), w.OK)
    t.call(w.req_delete("/mask2"), w.OK)
    t.close()


@case
def t_noauth_each_perm(ctx):
    """NOAUTH for each missing permission bit, on every opcode it guards"""
    t = ctx.main.twin()
    t.call(w.req_create("/na"), w.OK)
    for bit in (w.PERM_READ, w.PERM_WRITE, w.PERM_CREATE, w.PERM_DELETE,
                w.PERM_ADMIN):
        p = "/na/b%d" % bit
        t.call(w.req_create(p), w.OK)
        t.call(w.req_create(p + "/victim"), w.OK)
        t.call(w.req_set_acl(p, [(w.PERM_ALL & ~bit, "world", "anyone")]),
               w.OK)
        t.call(w.req_get_data(p))
        t.call(w.req_exists(p))
        t.call(w.req_get_children(p))
        t.call(w.req_get_children2(p))
        t.call(w.req_get_all_children_number(p))
        t.call(w.req_get_acl(p))
        t.call(w.req_set_data(p, b"x"))
        t.call(w.req_create(p + "/new"))
        t.call(w.req_create2(p + "/new2", flags=w.EPHEMERAL))
        t.call(w.req_delete(p + "/victim"))
        t.call(w.req_set_acl(p, [(w.PERM_ALL & ~bit, "world", "anyone")]))
        t.call(w.req_multi_read([w.req_get_data(p),
                                 w.req_get_children(p)]))
        t.call(w.req_multi([w.req_check(p, -1)]))
        t.call(w.req_sync(p))
        t.call(w.req_add_watch(p))
    t.call(w.req_create("/na/none", acl=[(0, "world", "anyone")]), w.OK)
    t.call(w.req_get_acl("/na/none"), w.NOAUTH)
    t.call(w.req_delete("/na/none"), w.OK)
    t.close()


# getChildren, sync, getAllChildrenNumber, getEphemerals, whoAmI ---------

@case
def t_get_children(ctx):
    """getChildren/getChildren2 (compared as sets) and NONODE"""
    t = ctx.main.twin()
    t.call(w.req_create("/gc"), w.OK)
    for name in ("b", "a", "zz", "m1", "0", "A"):
        t.call(w.req_create("/gc/" + name), w.OK)
    t.call(w.req_get_children("/gc"), w.OK)
    t.call(w.req_get_children2("/gc"), w.OK)
    t.call(w.req_get_children("/gc/a"), w.OK)
    t.call(w.req_get_children("/gc/none"), w.NONODE)
    t.call(w.req_get_children2("/gc/none"), w.NONODE)
    t.close()


@case
def t_sync(ctx):
    """sync echoes the path, for existing and missing nodes alike"""
    t = ctx.main.twin()
    t.call(w.req_sync("/"), w.OK)
    t.call(w.req_sync("/zookeeper"))
    t.call(w.req_sync("/no/such/node"))
    t.call(w.req_sync("bad"))
    t.close()


@case
def t_all_children_number(ctx):
    """getAllChildrenNumber counts descendants; NONODE for a missing node"""
    t = ctx.main.twin()
    t.call(w.req_create("/acn"), w.OK)
    t.call(w.req_create("/acn/a"), w.OK)
    t.call(w.req_create("/acn/a/b"), w.OK)
    t.call(w.req_create("/acn/c", flags=w.EPHEMERAL), w.OK)
    t.call(w.req_get_all_children_number("/acn"), w.OK)
    t.call(w.req_get_all_children_number("/acn/a/b"), w.OK)
    t.call(w.req_get_all_children_number("/"), w.OK)
    t.call(w.req_get_all_children_number("/zookeeper"), w.OK)
    t.call(w.req_get_all_children_number("/acn/none"), w.NONODE)
    t.close()


@case
def t_get_ephemerals(ctx):
    """getEphemerals: own session only, with and without a prefix"""
    other = ctx.main.twin()
    other.call(w.req_create("/ge"), w.OK)
    other.call(w.req_create("/ge/theirs", flags=w.EPHEMERAL), w.OK)
    t = ctx.main.twin()
    t.call(w.req_get_ephemerals("/"), w.OK)
    t.call(w.req_create("/ge/a", flags=w.EPHEMERAL), w.OK)
    t.call(w.req_create("/ge/ab", flags=w.EPHEMERAL), w.OK)
    t.call(w.req_create("/ge/b"), w.OK)
    t.call(w.req_create("/ge/b/c", flags=w.EPHEMERAL_SEQUENTIAL), w.OK)
    for prefix in ("/", "", "/ge", "/ge/a", "/ge/b/", "/nothing", "ge"):
        t.call(w.req_get_ephemerals(prefix), w.OK)
    t.close()
    other.call(w.req_get_ephemerals("/"), w.OK)
    other.call(w.req_get_children("/ge"), w.OK)
    other.close()


@case
def t_whoami(ctx):
    """whoAmI before and after digest auth"""
    t = ctx.main.twin()
    t.call(w.req_whoami(), w.OK)
    t.call(w.req_auth("digest", "alice:secret"), w.OK, xid=w.XID_AUTH)
    t.call(w.req_whoami(), w.OK)
    t.call(w.req_auth("digest", "alice:secret"), w.OK, xid=w.XID_AUTH)
    t.call(w.req_auth("ip", ""), xid=w.XID_AUTH)
    t.call(w.req_whoami(), w.OK)
    t.call(w.req_auth("digest", "nocolon"), xid=w.XID_AUTH)
    t.call(w.req_auth("digest", "bob:"), xid=w.XID_AUTH)
    t.call(w.req_auth("digest", ":pw"), xid=w.XID_AUTH)
    t.call(w.req_whoami(), w.OK)
    t.close()


# auth, sasl, reconfig, unknown --------------------------------------------

@case
def t_auth_unknown_scheme(ctx):
    """auth with an unknown scheme: AUTHFAILED, then the close"""
    for scheme in ("nosuch", "world", "auth", "super", ""):
        t = ctx.main.twin()
        t.call(w.req_auth(scheme, "x:y"), w.AUTHFAILED, xid=w.XID_AUTH)
        t.expect_closed("AUTHFAILED")
        t.drop()
        t.finish()


@case
def t_sasl(ctx):
    """sasl on a server without SASL: same answer"""
    t = ctx.main.twin()
    t.call(w.req_sasl(b"token"))
    t.call(w.req_sasl(b""))
    t.call(w.req_exists("/zookeeper/quota"), w.OK)
    t.close()


@case
def t_reconfig_disabled(ctx):
    """reconfig: RECONFIGDISABLED (and a zxid) as in Apache"""
    t = ctx.main.twin()
    t.call(w.req_reconfig("server.2=127.0.0.1:2888:3888", None, None, -1),
           w.RECONFIGDISABLED)
    t.call(w.req_reconfig(None, None, None, -1), w.RECONFIGDISABLED)
    t.call(w.req_ping(), w.OK, xid=w.XID_PING)
    t.close()


# multi -------------------------------------------------------------------

@case
def t_multi_success(ctx):
    """multi with every op kind succeeds with the same results"""
    t = ctx.main.twin()
    t.call(w.req_create("/mu"), w.OK)
    t.call(w.req_create("/mu/old", b"o"), w.OK)
    t.call(w.req_multi([
        w.req_create("/mu/a", b"1"),
        w.req_create2("/mu/b", b"2", flags=w.EPHEMERAL),
        w.req_create_container("/mu/c"),
        w.req_create("/mu/s-", flags=w.PERSISTENT_SEQUENTIAL),
        w.req_set_data("/mu/a", b"11", 0),
        w.req_check("/mu/a", 1),
        w.req_check("/mu/old", -1),
        w.req_set_data("/mu/old", None),
        w.req_delete("/mu/old", 1),
        w.req_create("/mu/old", b"again"),
    ]), w.OK)
    t.call(w.req_multi([]), w.OK)
    t.call(w.req_get_children2("/mu"), w.OK)
    t.call(w.req_get_data("/mu/old"), w.OK)
    t.call(w.req_get_data("/mu/c"), w.OK)
    t.call(w.req_delete("/mu/c"), w.OK)
    t.close()


@case
def t_multi_failures(ctx):
    """multi failing at its first, middle and last op: same results"""
    t = ctx.main.twin()
    t.call(w.req_create("/mf", b"v"), w.OK)
    ok1 = w.req_create("/mf/x")
    ok2 = w.req_set_data("/mf", b"w")
    for bad in (w.req_check("/mf", 5), w.req_delete("/mf/none"),
                w.req_create("/mf"), w.req_set_data("/mf/none", b""),
                w.req_create("/mf/x/y", acl=[]), w.req_create("bad"),
                w.req_delete("/mf"), w.req_create_ttl("/mf/t", ttl=5)):
        t.call(w.req_multi([bad, ok1, ok2]))
        t.call(w.req_multi([ok1, bad, ok2]))
        t.call(w.req_multi([ok1, ok2, bad]))
    t.call(w.req_multi([ok1, w.req_create("/mf/x"), ok2]))
    t.call(w.req_get_data("/mf"), w.OK)
    t.call(w.req_exists("/mf/x"), w.NONODE)
    t.close()


@case
def t_multi_read(ctx):
    """multiRead: results and inline errors alike"""
    t = ctx.main.twin()
    t.call(w.req_create("/mr", b"d"), w.OK)
    t.call(w.req_create("/mr/k1"), w.OK)
    t.call(w.req_create("/mr/k2"), w.OK)
    t.call(w.req_multi_read([w.req_get_data("/mr"),
                             w.req_get_children("/mr"),
                             w.req_get_data("/mr/none"),
                             w.req_get_children("/mr/none"),
                             w.req_get_data("/mr/k1")]))
    t.call(w.req_multi_read([]))
    t.call(w.req_multi_read([w.req_get_data("bad")]))
    t.close()


@case
def t_check_outside_multi(ctx):
    """check outside multi: errors alike; on success only zkd answers"""
    pair = ctx.odd
    t = pair.twin()
    t.call(w.req_create("/chk", b"v"), w.OK)
    xid = t.next_xid()
    op, body = w.req_check("/chk", 0)
    for c in t.conns:
        c.send(xid, op, body)
    zframe = t.conns[0].recv(10)
    aframe = t.conns[1].recv(SILENCE)
    must(aframe is None, "Apache now answers a lone check: %r" % aframe)
    must(zframe is not None, "zkd does not answer a lone check")
    hdr, fields = w.decode_reply(zframe, w.CHECK)
    must(hdr["xid"] == xid and hdr["err"] == w.OK and
         w.stat_of(fields)["version"] == 0, "zkd: %r %r" % (hdr, fields))
    note("documented difference: a lone check that succeeds is answered "
         "by zkd (SetDataResponse), never by Apache 3.8")
    # A failing one is answered by both, with the error alone.
    t.call(w.req_check("/chk", 7), w.BADVERSION)
    t.call(w.req_check("/chk/none", -1), w.NONODE)
    t.call(w.req_ping(), w.OK, xid=w.XID_PING)
    t.call(w.req_delete("/chk"), w.OK)
    t.close()


# Watches ---------------------------------------------------------------

@case
def t_watch_same_connection(ctx):
    """a watch fired by the watcher's own write precedes that write's reply"""
    t = ctx.main.twin()
    t.call(w.req_create("/ws", b"0"), w.OK)
    t.call(w.req_get_data("/ws", True), w.OK)
    f = t.call(w.req_set_data("/ws", b"1"), w.OK)
    must(notifications(f) == [(w.EV_DATA, "/ws")] and
         f[0][0] == w.XID_NOTIFICATION and f[-1][0] != w.XID_NOTIFICATION,
         "%r" % f)
    t.call(w.req_exists("/ws", True), w.OK)
    t.call(w.req_get_children("/ws", True), w.OK)
    f = t.call(w.req_create("/ws/c"), w.OK)
    must(notifications(f) == [(w.EV_CHILDREN, "/ws")], "%r" % f)
    t.call(w.req_delete("/ws/c"), w.OK)
    f = t.call(w.req_delete("/ws"), w.OK)
    must(notifications(f) == [(w.EV_DELETED, "/ws")], "%r" % f)
    t.close()


@case
def t_watch_exists_and_data(ctx):
    """exists and getData watches fire NodeCreated/DataChanged/Deleted"""
    a = ctx.main.twin()
    b = ctx.main.twin()
    a.call(w.req_exists("/wx", True), w.NONODE)
    b.call(w.req_create("/wx", b""), w.OK)
    must(notifications(a.drain()) == [(w.EV_CREATED, "/wx")], "created")
    a.call(w.req_exists("/wx", True), w.OK)
    a.call(w.req_get_data("/wx", True), w.OK)
    b.call(w.req_set_data("/wx", b"1"), w.OK)
    must(notifications(a.drain()) == [(w.EV_DATA, "/wx")], "data")
    b.call(w.req_set_data("/wx", b"2"), w.OK)
    must(notifications(a.drain()) == [], "one-shot")
    a.call(w.req_get_data("/wx", True), w.OK)
    a.call(w.req_get_children("/wx", True), w.OK)
    b.call(w.req_delete("/wx"), w.OK)
    got = notifications(a.drain())
    must(got == [(w.EV_DELETED, "/wx")], "one NodeDeleted: %r" % got)
    a.call(w.req_get_data("/wx", True), w.NONODE)
    b.call(w.req_create("/wx"), w.OK)
    must(notifications(a.drain()) == [], "getData NONODE sets no watch")
    b.call(w.req_delete("/wx"), w.OK)
    a.close()
    b.close()


@case
def t_watch_children(ctx):
    """child watches: NodeChildrenChanged, and NodeDeleted on the parent"""
    a = ctx.main.twin()
    b = ctx.main.twin()
    b.call(w.req_create("/wc"), w.OK)
    a.call(w.req_get_children("/wc", True), w.OK)
    b.call(w.req_create("/wc/1", flags=w.EPHEMERAL), w.OK)
    a.drain()
    a.call(w.req_get_children2("/wc", True), w.OK)
    b.call(w.req_set_data("/wc", b"x"), w.OK)
    a.drain()
    b.close()
    a.drain()
    a.call(w.req_get_children("/wc", True), w.OK)
    a.call(w.req_exists("/wc", True), w.OK)
    c = ctx.main.twin()
    c.call(w.req_delete("/wc"), w.OK)
    a.drain()
    a.close()
    c.close()


@case
def t_watch_ephemeral_close(ctx):
    """closeSession deletes ephemerals and fires their watches elsewhere"""
    a = ctx.main.twin()
    b = ctx.main.twin()
    b.call(w.req_create("/we"), w.OK)
    b.call(w.req_create("/we/e1", flags=w.EPHEMERAL), w.OK)
    b.call(w.req_create("/we/e2", flags=w.EPHEMERAL_SEQUENTIAL), w.OK)
    a.call(w.req_exists("/we/e1", True), w.OK)
    a.call(w.req_get_children("/we", True), w.OK)
    b.close()
    got = notifications(a.drain(unordered=True))
    must(sorted(got) == [(w.EV_DELETED, "/we/e1"),
                         (w.EV_CHILDREN, "/we")], "%r" % got)
    a.call(w.req_get_children2("/we"), w.OK)
    a.call(w.req_delete("/we"), w.OK)
    a.close()


@case
def t_watch_multi(ctx):
    """a multi fires the watches of each of its ops, in order"""
    a = ctx.main.twin()
    b = ctx.main.twin()
    b.call(w.req_create("/wm"), w.OK)
    b.call(w.req_create("/wm/x"), w.OK)
    a.call(w.req_get_children("/wm", True), w.OK)
    a.call(w.req_get_data("/wm/x", True), w.OK)
    a.call(w.req_exists("/wm/y", True), w.NONODE)
    b.call(w.req_multi([w.req_create("/wm/y"), w.req_set_data("/wm/x", b"1"),
                        w.req_delete("/wm/y")]), w.OK)
    a.drain()
    a.call(w.req_exists("/wm/z", True), w.NONODE)
    b.call(w.req_multi([w.req_create("/wm/z"), w.req_delete("/wm/nope")]),
           w.OK)
    a.drain()
    b.call(w.req_delete("/wm/x"), w.OK)
    b.call(w.req_delete("/wm"), w.OK)
    a.drain()
    a.close()
    b.close()


@case
def t_add_watch_persistent(ctx):
    """addWatch persistent: created, data, children, deleted; it stays"""
    a = ctx.main.twin()
    b = ctx.main.twin()
    a.call(w.req_add_watch("/pw", w.ADDWATCH_PERSISTENT), w.OK)
    for req in (w.req_create("/pw", b"0"), w.req_set_data("/pw", b"1"),
                w.req_create("/pw/c"), w.req_set_data("/pw/c", b"1"),
                w.req_create("/pw/c/g"), w.req_delete("/pw/c/g"),
                w.req_delete("/pw/c"), w.req_delete("/pw"),
                w.req_create("/pw", b"again")):
        b.call(req, w.OK)
        a.drain()
    f = a.call(w.req_set_data("/pw", b"3"), w.OK)
    must(notifications(f) == [(w.EV_DATA, "/pw")], "own write: %r" % f)
    a.call(w.req_remove_watches("/pw", w.WT_ANY), w.OK)
    b.call(w.req_delete("/pw"), w.OK)
    must(a.drain() == [], "removed persistent watch still fires")
    a.close()
    b.close()


@case
def t_standard_over_persistent(ctx):
    """a standard watch over a persistent one (ZOOKEEPER-4466 difference)"""
    a = ctx.main.twin()
    b = ctx.main.twin()
    b.call(w.req_create("/sp"), w.OK)
    a.call(w.req_add_watch("/sp", w.ADDWATCH_PERSISTENT), w.OK)
    a.call(w.req_get_data("/sp", True), w.OK)
    b.call(w.req_set_data("/sp", b"1"), w.OK)
    must(notifications(a.drain()) == [(w.EV_DATA, "/sp")], "first event")
    b.call(w.req_set_data("/sp", b"2"), w.OK)
    zk, ap = a.call_each(w.req_ping(), xid=w.XID_PING)
    must(notifications(zk) == [(w.EV_DATA, "/sp")],
         "zkd lost the persistent watch: %r" % zk)
    if notifications(ap) != notifications(zk):
        note("documented difference: Apache 3.8.0 lets a standard watch "
             "replace a persistent one on the same path (ZOOKEEPER-4466, "
             "fixed in 3.9); zkd keeps both")
    b.call(w.req_delete("/sp"), w.OK)
    a.close()
    b.close()


@case
def t_watch_needs_read(ctx):
    """watch events go only to watchers allowed to READ the node"""
    # Apache since CVE-2024-23944 (3.8.4, and Debian's 3.8.0) checks READ
    # when an event is delivered, for every kind of watch.
    owner = ctx.main.twin()
    a = ctx.main.twin()
    owner.call(w.req_auth("digest", "alice:secret"), w.OK, xid=w.XID_AUTH)
    alice = w.digest_id("alice", "secret")
    noread = [(w.PERM_ALL, "digest", alice),
              (w.PERM_ALL & ~w.PERM_READ, "world", "anyone")]
    owner.call(w.req_create("/rd", acl=noread), w.OK)
    a.call(w.req_exists("/rd", True), w.OK)
    a.call(w.req_exists("/rd/kid", True), w.NONODE)
    a.call(w.req_add_watch("/rd", w.ADDWATCH_PERSISTENT), w.OK)
    a.call(w.req_add_watch("/rd", w.ADDWATCH_PERSISTENT_RECURSIVE), w.OK)
    for req in (w.req_set_data("/rd", b"1"), w.req_create("/rd/kid"),
                w.req_set_data("/rd/kid", b"1"),
                w.req_create("/rd/hidden", acl=noread),
                w.req_set_data("/rd/hidden", b"1"),
                w.req_delete("/rd/hidden"), w.req_delete("/rd/kid"),
                w.req_set_acl("/rd", w.OPEN_ACL),
                w.req_set_data("/rd", b"2"), w.req_delete("/rd")):
        owner.call(req, w.OK)
        a.drain()
    a.close()
    owner.close()


@case
def t_add_watch_recursive(ctx):
    """addWatch recursive: events of the subtree, no child events"""
    a = ctx.main.twin()
    b = ctx.main.twin()
    a.call(w.req_add_watch("/rw", w.ADDWATCH_PERSISTENT_RECURSIVE), w.OK)
    a.call(w.req_add_watch("/rw/a", w.ADDWATCH_PERSISTENT), w.OK)
    for req in (w.req_create("/rw"), w.req_create("/rw/a", b"0"),
                w.req_create("/rw/a/b"), w.req_set_data("/rw/a/b", b"1"),
                w.req_create("/rw/a/b/c", flags=w.EPHEMERAL),
                w.req_set_data("/rw/a", b"1"),
                w.req_create("/rwsibling"), w.req_delete("/rwsibling"),
                w.req_multi([w.req_create("/rw/m"), w.req_delete("/rw/m")]),
                w.req_delete("/rw/a/b/c"), w.req_delete("/rw/a/b"),
                w.req_delete("/rw/a"), w.req_delete("/rw")):
        b.call(req, w.OK)
        a.drain()
    a.call(w.req_add_watch("/", w.ADDWATCH_PERSISTENT_RECURSIVE), w.OK)
    b.call(w.req_create("/rw2"), w.OK)
    b.call(w.req_delete("/rw2"), w.OK)
    a.drain()
    a.call(w.req_add_watch("/none/deep", 7))
    a.call(w.req_add_watch("bad", w.ADDWATCH_PERSISTENT))
    a.close()
    b.close()


@case
def t_check_remove_watches(ctx):
    """checkWatches/removeWatches: types 1-3 and NOWATCHER"""
    a = ctx.main.twin()
    a.call(w.req_create("/cw"), w.OK)
    a.call(w.req_check_watches("/cw", w.WT_DATA), w.NOWATCHER)
    a.call(w.req_check_watches("/cw", w.WT_ANY), w.NOWATCHER)
    a.call(w.req_get_data("/cw", True), w.OK)
    a.call(w.req_check_watches("/cw", w.WT_DATA), w.OK)
    a.call(w.req_check_watches("/cw", w.WT_CHILDREN), w.NOWATCHER)
    a.call(w.req_check_watches("/cw", w.WT_ANY), w.OK)
    a.call(w.req_get_children("/cw", True), w.OK)
    a.call(w.req_check_watches("/cw", w.WT_CHILDREN), w.OK)
    a.call(w.req_remove_watches("/cw", w.WT_CHILDREN), w.OK)
    a.call(w.req_check_watches("/cw", w.WT_CHILDREN), w.NOWATCHER)
    a.call(w.req_remove_watches("/cw", w.WT_CHILDREN), w.NOWATCHER)
    a.call(w.req_remove_watches("/cw", w.WT_ANY), w.OK)
    a.call(w.req_check_watches("/cw", w.WT_DATA), w.NOWATCHER)
    a.call(w.req_exists("/cwnone", True), w.NONODE)
    a.call(w.req_check_watches("/cwnone", w.WT_DATA), w.OK)
    a.call(w.req_remove_watches("/cwnone", w.WT_DATA), w.OK)
    a.call(w.req_remove_watches("/nowhere", w.WT_ANY), w.NOWATCHER)
    a.call(w.req_create("/cw/x"), w.OK)
    a.call(w.req_delete("/cw/x"), w.OK)
    a.drain()
    b = ctx.main.twin()
    b.call(w.req_get_data("/cw", True), w.OK)
    zk, ap = a.call_each(w.req_check_watches("/cw", w.WT_DATA))
    must(zk[-1][2] == w.NOWATCHER, "zkd: %r" % zk)
    if ap[-1][2] != zk[-1][2]:
        note("documented difference: Apache 3.8.0 checkWatches answers %d "
             "when another session watches the path; zkd answers "
             "NOWATCHER (fixed in Apache 3.9, ZOOKEEPER-4466)" % ap[-1][2])
    a.call(w.req_remove_watches("/cw", w.WT_DATA), w.NOWATCHER)
    b.call(w.req_check_watches("/cw", w.WT_DATA), w.OK)
    a.call(w.req_delete("/cw"), w.OK)
    b.drain()
    a.close()
    b.close()


@case
def t_check_remove_watches_persistent_types(ctx):
    """checkWatches/removeWatches types 4, 5 and bad types (replies or none)"""
    pair = ctx.odd
    a = pair.twin()
    a.call(w.req_create("/cwp"), w.OK)
    a.call(w.req_add_watch("/cwp", w.ADDWATCH_PERSISTENT), w.OK)
    a.call(w.req_add_watch("/cwp", w.ADDWATCH_PERSISTENT_RECURSIVE), w.OK)
    for req in (w.req_check_watches("/cwp", w.WT_ANY),
                w.req_check_watches("/cwp", w.WT_DATA),
                w.req_check_watches("/cwp", w.WT_CHILDREN),
                w.req_check_watches("/cwp", w.WT_PERSISTENT),
                w.req_check_watches("/cwp", w.WT_PERSISTENT_RECURSIVE),
                w.req_remove_watches("/cwp", w.WT_PERSISTENT),
                w.req_remove_watches("/cwp", w.WT_PERSISTENT_RECURSIVE),
                w.req_check_watches("/cwp", 0),
                w.req_check_watches("/cwp", 6),
                w.req_remove_watches("/cwp", 9)):
        outcome = lone_request(a, req)
        note("%s: %s" % (describe(*req), outcome))
    a.call(w.req_ping(), w.OK, xid=w.XID_PING)
    a.call(w.req_delete("/cwp"), w.OK)
    a.close()


def lone_request(t, req):
    """Sends req to both; compares replies, allowing both to stay silent."""
    xid = t.next_xid()
    op, body = req
    for c in t.conns:
        c.send(xid, op, body)
    got = []
    for side, conn in zip(t.pair.sides, t.conns):
        frame = conn.recv(SILENCE)
        got.append(None if frame is None else
                   side.norm_frame(*w.decode_reply(frame, op)))
    if got[0] != got[1]:
        t.pair.differ("reply to %s" % describe(op, body), got[0], got[1])
    return "no reply" if got[0] is None else "error %d" % got[0][2]


# Reconnects, setWatches ---------------------------------------------------

@case
def t_reconnect_resume(ctx):
    """reconnect with the session id and password resumes the session"""
    a = ctx.main.twin()
    a.call(w.req_create("/rc", flags=w.EPHEMERAL), w.OK)
    a.drop()
    b = ctx.main.twin(connect=False)
    rsp = b.hello(resume=a)
    must(rsp["sessionId"] == a.pair.sides[0].labels[a.sids[0]], "%r" % rsp)
    b.sids, b.passwds, b.open = a.sids, a.passwds, True
    a.open = False
    b.call(w.req_get_data("/rc"), w.OK)
    b.call(w.req_get_ephemerals("/"), w.OK)
    c = ctx.main.twin(connect=False)
    c.hello(resume=b, readonly=None)
    b.expect_closed("a reconnect from elsewhere")
    c.sids, c.passwds, c.open = b.sids, b.passwds, True
    b.open = False
    c.call(w.req_exists("/rc"), w.OK)
    c.close()


@case
def t_reconnect_bad_password(ctx):
    """reconnect with a wrong password: the exact expired answer, a close"""
    a = ctx.main.twin()
    a.call(w.req_create("/bp", flags=w.EPHEMERAL), w.OK)
    b = ctx.main.twin(connect=False)
    rsp = b.hello(resume=a, passwd=b"\1" * 16)
    must(rsp["sessionId"] == 0 and rsp["timeOut"] == 0 and
         rsp["passwd"] == b"\0" * 16 and rsp["length"] == 37, "%r" % rsp)
    b.expect_closed("a bad password")
    # The session's own connection was closed by the attempt, not the
    # session: it resumes with the right password.
    a.expect_closed("a reconnect attempt with a bad password")
    c = ctx.main.twin(connect=False)
    rsp = c.hello(resume=a, passwd=b"short", readonly=None)
    must(rsp["length"] == 36 and rsp["sessionId"] == 0, "%r" % rsp)
    c.expect_closed("a short password")
    d = ctx.main.twin(connect=False)
    d.hello(resume=a)
    d.sids, d.passwds, d.open = a.sids, a.passwds, True
    a.open = False
    d.call(w.req_exists("/bp"), w.OK)
    d.close()
    e = ctx.main.twin(connect=False)
    e.hello(resume=d)
    e.expect_closed("a closed session")
    f = ctx.main.twin(connect=False)
    for i, conn in enumerate(f.conns):
        conn.send_raw(w.frame(w.connect_request(0x1234, b"\0" * 16)))
    f.expect_closed("a session that never was")


@case
def t_client_ahead(ctx):
    """a client whose lastZxidSeen is ahead is refused without an answer"""
    t = ctx.main.twin(connect=False)
    for c in t.conns:
        c.send_raw(w.frame(w.connect_request(last_zxid=1 << 40)))
    frames = t.expect_closed("a handshake from the future")
    must(frames == [], "answered: %r" % frames)


@case
def t_set_watches_after_reconnect(ctx):
    """setWatches with an old relativeZxid fires the missed events at once"""
    a = ctx.main.twin()
    b = ctx.main.twin()
    b.call(w.req_create("/sw"), w.OK)
    for n in ("d", "c", "gone", "same", "cgone"):
        b.call(w.req_create("/sw/" + n, b"0"), w.OK)
    f = b.call(w.req_ping(), xid=w.XID_PING)
    rel = f[-1][1]
    b.call(w.req_set_data("/sw/d", b"1"), w.OK)
    b.call(w.req_create("/sw/c/kid"), w.OK)
    b.call(w.req_delete("/sw/gone"), w.OK)
    b.call(w.req_delete("/sw/cgone"), w.OK)
    b.call(w.req_create("/sw/new"), w.OK)
    a.drop()
    r = ctx.main.twin(connect=False)
    r.hello(resume=a)
    r.sids, r.passwds, r.open = a.sids, a.passwds, True
    a.open = False
    r.call(w.req_set_watches(rel, data=["/sw/d", "/sw/gone", "/sw/same"],
                             exist=["/sw/new", "/sw/never", "/sw/same"],
                             child=["/sw/c", "/sw/cgone", "/sw/same"]),
           w.OK, xid=w.XID_SETWATCHES)
    b.call(w.req_set_data("/sw/same", b"x"), w.OK)
    r.drain()
    b.call(w.req_create("/sw/never"), w.OK)
    b.call(w.req_create("/sw/same/k"), w.OK)
    r.drain()
    r.call(w.req_set_watches(1 << 40, data=["/sw/d"], child=["/sw"]), None,
           xid=w.XID_SETWATCHES)
    b.call(w.req_set_data("/sw/d", b"2"), w.OK)
    r.drain()
    r.close()
    b.close()


@case
def t_set_watches2(ctx):
    """setWatches2 restores persistent and recursive watches"""
    a = ctx.main.twin()
    b = ctx.main.twin()
    b.call(w.req_create("/sw2"), w.OK)
    b.call(w.req_create("/sw2/d", b"0"), w.OK)
    f = b.call(w.req_ping(), xid=w.XID_PING)
    rel = f[-1][1]
    b.call(w.req_set_data("/sw2/d", b"1"), w.OK)
    a.drop()
    r = ctx.main.twin(connect=False)
    r.hello(resume=a)
    r.sids, r.passwds, r.open = a.sids, a.passwds, True
    a.open = False
    r.call(w.req_set_watches2(rel, data=["/sw2/d"], persistent=["/sw2"],
                              recursive=["/sw2/d"]),
           w.OK, xid=w.XID_SETWATCHES)
    for req in (w.req_create("/sw2/d/x"), w.req_set_data("/sw2", b"1"),
                w.req_create("/sw2/e"), w.req_delete("/sw2/d/x")):
        b.call(req, w.OK)
        r.drain()
    r.call(w.req_check_watches("/sw2", w.WT_ANY))
    r.call(w.req_remove_watches("/sw2", w.WT_ANY))
    b.call(w.req_set_data("/sw2", b"2"), w.OK)
    r.drain()
    r.close()
    b.close()


# Session end, limits -----------------------------------------------------

@case
def t_close_session(ctx):
    """closeSession: a reply with the close's zxid, then the close"""
    t = ctx.main.twin()
    t.call(w.req_create("/cs", flags=w.EPHEMERAL), w.OK)
    frames = t.close()
    must(frames[-1][3] == [], "%r" % frames)
    u = ctx.main.twin()
    u.call(w.req_exists("/cs"), w.NONODE)
    u.close()


@case
def t_requests_after_close(ctx):
    """requests pipelined behind closeSession get no answer"""
    t = ctx.main.twin()
    xid = t.next_xid()
    data = (w.request(xid, *w.req_close_session()) +
            w.request(xid + 1, *w.req_exists("/zookeeper/quota")))
    t.send_raw(data)
    got = []
    for side, conn in zip(t.pair.sides, t.conns):
        frames = []
        try:
            while True:
                body = conn.recv(10)
                must(body is not None, "%s keeps the connection" % side.name)
                frames.append(header(body))
        except w.Closed:
            pass
        got.append(frames)
    zk, ap = got
    must(len(zk) == 1 and zk[0][0] == xid and zk[0][2] == w.OK,
         "zkd: %r" % zk)
    must(ap[0] == zk[0], "closeSession replies: %r %r" % (zk, ap))
    if len(ap) > 1:
        # Apache answers what it read with the close, or not: a race.
        must(len(ap) == 2 and ap[1][2] == w.SESSIONEXPIRED,
             "apache: %r" % ap)
        note("Apache also answered the request read with closeSession "
             "(SESSIONEXPIRED); zkd drops it, as Apache does when the "
             "close wins the race")
    t.open = False


@case
def t_frame_over_maxbuffer(ctx):
    """a frame over jute.maxbuffer closes only that connection"""
    bystander = ctx.main.twin()
    t = ctx.main.twin()
    t.send_raw(w.enc_int(MAXBUFFER + 1) + b"\0" * 64)
    t.expect_closed("a frame over jute.maxbuffer")
    bystander.call(w.req_exists("/zookeeper/quota"), w.OK)
    u = ctx.main.twin(connect=False)
    u.send_raw(w.enc_int(-5))
    u.expect_closed("a negative frame length")
    v = ctx.main.twin(connect=False)
    v.send_raw(w.enc_int(MAXBUFFER + 1))
    v.expect_closed("a handshake over jute.maxbuffer")
    bystander.call(w.req_exists("/zookeeper/quota"), w.OK)
    bystander.close()
    t.drop()
    t.finish()


@case
def t_large_data(ctx):
    """data up to the frame limit is stored; a frame at the limit is read"""
    t = ctx.main.twin()
    big = b"x" * (MAXBUFFER - 200)
    t.call(w.req_create("/big", big), w.OK)
    f = t.call(w.req_get_data("/big"), w.OK)
    must(len(dict(f[-1][3])["data"]) == len(big), "length")
    t.call(w.req_delete("/big"), w.OK)
    t.close()


@case
def t_unknown_opcode(ctx):
    """unknown opcode: UNIMPLEMENTED (zxid -1), then Apache closes"""
    t = ctx.main.twin()
    for op in (999, 10, 0, -3):
        u = ctx.main.twin()
        u.call((op, b""), w.UNIMPLEMENTED)
        u.expect_closed("UNIMPLEMENTED", timeout=3)
        u.drop()
        u.finish()
    t.call(w.req_exists("/zookeeper/quota"), w.OK)
    t.close()


@case
def t_malformed_frames(ctx):
    """truncated or short frames: zkd closes (documented); Apache noted"""
    pair = ctx.odd
    cases = [
        ("a getData with a truncated path", w.request(
            1, w.GETDATA, w.enc_int(10) + b"/ab")),
        ("a create with no flags", w.request(
            1, w.CREATE, w.enc_ustring("/mal") + w.enc_buffer(b"") +
            w.enc_acls(w.OPEN_ACL))),
        ("a 4-byte request header", w.frame(w.enc_int(1))),
        ("an empty frame", w.frame(b"")),
        ("a multi without its end", w.request(
            1, w.MULTI, w.enc_int(w.CREATE) + w.enc_bool(False) +
            w.enc_int(-1) + w.req_create("/mal")[1])),
    ]
    for what, data in cases:
        t = pair.twin()
        t.send_raw(data)
        zk, ap = t.conns
        zout = outcome(zk)
        aout = outcome(ap)
        if zout != "closed":
            pair.diffs.append("zkd on %s: %s, not closed" % (what, zout))
        note("%s: zkd %s, Apache %s" % (what, zout, aout))
        t.drop()
        t.finish()
    t = pair.twin(connect=False)
    t.send_raw(w.frame(b"\0" * 20))
    t.expect_closed("a short ConnectRequest")
    pair.resync_zxids()
    t = pair.twin()
    # Bytes after a request's record are ignored by both.
    t.call((w.CREATE, w.req_create("/mal2")[1] + b"extra"), w.OK)
    t.call(w.req_delete("/mal2"), w.OK)
    t.close()
    t = pair.twin()
    t.send_raw(w.request(t.next_xid(), *w.req_sasl(None)))
    zk, ap = t.conns
    note("a sasl with a null token: zkd %s, Apache %s" %
         (outcome(zk, w.SASL), outcome(ap, w.SASL)))
    t.drop()
    t.finish()
    t = pair.twin(connect=False)
    t.send_raw(w.frame(w.connect_request() + b"\0\0\0"))
    zk, ap = t.conns
    note("a ConnectRequest with 3 extra bytes: zkd %s, Apache %s" %
         (outcome(zk, w.CREATESESSION), outcome(ap, w.CREATESESSION)))
    t.drop()
    pair.resync_zxids()
    t = pair.twin()
    t.call_each(w.req_create_container("/ctr"))
    t.call(w.req_create("/ctr/kid"), w.OK)
    t.call(w.req_delete("/ctr/kid"), w.OK)
    t.send_raw(w.request(t.next_xid(), w.DELETECONTAINER, b"/ctr"))
    zk, ap = t.conns
    note("deleteContainer (20) sent by a client: zkd %s, Apache %s" %
         (outcome(zk, w.DELETE), outcome(ap, w.DELETE)))
    zk, ap = t.call_each(w.req_exists("/ctr"))
    note("then exists /ctr: zkd error %d, Apache error %d" %
         (zk[-1][2], ap[-1][2]))
    t.finish()
    pair.resync_zxids()
    t = pair.twin()
    t.call(w.req_create("/after-malformed"), w.OK)
    t.call(w.req_delete("/after-malformed"), w.OK)
    t.close()


def header(body):
    """The (xid, zxid, err) of a reply."""
    r = w.Reader(body)
    return r.int(), r.long(), r.int()


def outcome(conn, op=w.GETDATA):
    """What a server did after a bad frame: closed, silent or a reply."""
    try:
        body = conn.recv(SILENCE)
    except w.Closed:
        return "closed"
    if body is None:
        return "silent"
    if op == w.CREATESESSION:
        return "answered %s" % w.decode_connect_response(body)
    return "answered error %d" % header(body)[2]


@case
def t_end_state(ctx):
    """both servers end with the same zxid and node count"""
    for pair in (ctx.main, ctx.ext):
        lines = []
        for side in pair.sides:
            out = zkharness.four(side.port, "srvr").decode()
            lines.append([ln for ln in out.splitlines()
                          if ln.startswith(("Zxid:", "Node count:"))])
        if lines[0] != lines[1]:
            pair.differ("srvr zxid and node count", lines[0], lines[1])


if __name__ == "__main__":
    tap.run(setup, teardown)
