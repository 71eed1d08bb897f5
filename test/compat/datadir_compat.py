# SPDX-License-Identifier: ISC
"""zkd's data directory is Apache ZooKeeper 3.8's own, in both directions.

The same workload is written through real clients to each server: nested
paths, binary, empty, large and non-ASCII data, repeated setData,
digest, ip and world ACLs with setACL, sequential nodes, deletions,
ephemerals removed by their session's close, a container and a TTL node
(zkwire: kazoo 2.8 has no such create), a committed and a failed multi,
and a pipelined bulk of creates and setData, with snapCount small so
that snapshots are taken while writes go on before and after them.

  1. zkd's files read by Apache's own tools: TxnLogToolkit (dump mode,
     which checks every entry's Adler32) on each log file, SnapshotFormatter
     on each snapshot.  Both must exit 0; the logs must hold every zxid
     from 1 to zkd's last exactly once and name every path written; each
     snapshot must hold exactly the tree as it was at the zxid in its name
     (zkd's snapshots are not fuzzy), and both of its seals must match.
  2. Apache 3.8 started on zkd's data dir loads zkd's newest snapshot and
     serves the same tree as zkd did, and keeps writing above zkd's zxids;
     on a copy holding only zkd's snapshot.0, Apache replays every zkd log
     and builds the same tree.
  3. Apache writes the workload (digests on: a digest after each snapshot's
     seal, a TxnDigest in each log entry; its snapshots are taken by a
     thread while writes go on, so many are fuzzy) and is stopped.  zkd
     builds Apache's tree from every log over snapshot.0 (on a copy), over
     Apache's newest fuzzy snapshot (on a copy without the later ones),
     and on the data dir itself, where new writes then get zxids above
     Apache's.  A variant: Apache killed with SIGKILL while pipelined
     writes are in flight; zkd and Apache, each on a copy of that data
     dir, recover the same tree, holding every acknowledged write, and zkd
     writes on above the last logged zxid.
  4. Round trip: Apache started again on its data dir, after zkd wrote on
     it, loads zkd's snapshot and serves everything zkd served.

Trees are compared by a full walk through kazoo (authenticated with the
digest every restricted node grants, from 127.0.0.1 for the ip ACLs):
every path, its data (null and empty told apart), its ACL, and every stat
field (czxid, mzxid, ctime, mtime, version, cversion, aversion,
ephemeralOwner, dataLength, numChildren, pzxid).  Nothing is excluded:
/zookeeper, /zookeeper/quota and /zookeeper/config are in the snapshots
both servers write and read back, with no quota set and no reconfig in a
standalone server, so they too must be equal.  Every ephemeralOwner a
client sees is 0: the ephemerals are gone, and Apache shows 0 for a
container or a TTL node, whose type is checked in the snapshots instead.

Apache runs from Debian's zookeeper package, its log kept through
slf4j-simple (a dependency of the package) so that the snapshot it loads
can be checked.  The whole file skips when java or the jar is missing.

Ports 21920-21939: 21920 zkd writing, 21921 Apache on zkd's dir, 21922
Apache writing, 21923 zkd on Apache's dir, 21924 Apache back on it, 21925
Apache killed, 21926 zkd and 21927 Apache on copies of its dir, 21928
Apache replaying zkd's logs, 21929 zkd replaying Apache's, 21930 zkd on
Apache's fuzzy snapshot.
"""
import base64
import concurrent.futures
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import zlib

from kazoo.client import KazooClient
from kazoo.exceptions import BadVersionError, RolledBackError
from kazoo.security import (ACL, READ_ACL_UNSAFE, Id, Permissions,
                            make_digest_acl)

import tap
import zkwire
from zkharness import APACHE_CP, Apache, Zkd, four, wait_for

ZKD_PORT = 21920
APACHE_ON_ZKD_PORT = 21921
APACHE_PORT = 21922
ZKD_ON_APACHE_PORT = 21923
APACHE_BACK_PORT = 21924
APACHE_KILLED_PORT = 21925
ZKD_AFTER_KILL_PORT = 21926
APACHE_AFTER_KILL_PORT = 21927
APACHE_REPLAY_PORT = 21928
ZKD_REPLAY_PORT = 21929
ZKD_FUZZY_PORT = 21930

WAIT = 30.0
RETRY = {"max_tries": -1, "delay": 0.05, "backoff": 1.5, "max_delay": 0.5}
KIB = 1024
WINDOW = 64			# bulk requests in flight
ZKD_BULK = 120
APACHE_BULK = 600

# Storage settings of every server.  The preallocation is kept small so
# that copies of a data dir stay small.
STORAGE = {
    "preAllocSize": 256,
    "extendedTypesEnabled": "true",
}
ZKD_SETTINGS = dict(STORAGE, snapCount=40)
# Apache's digest (zookeeper.digest.enabled) is on by default; it is set
# here all the same, so that the digests checked below are certain.
# Apache names a snapshot after the last txn applied when its thread
# starts, and applies the next txns once they are flushed: without the
# fsync (forceSync=no) they are applied while the thread still writes,
# so that many of its snapshots are fuzzy.  The files are the same, and
# a SIGKILL ends only the process: what Apache wrote stays in the page
# cache.
APACHE_SETTINGS = dict(STORAGE, snapCount=60, forceSync="no",
                       **{"digest.enabled": "true"})

SLF4J_SIMPLE = "/usr/share/java/slf4j-simple.jar"
TOOL_LOG = "org.apache.zookeeper.server.persistence.TxnLogToolkit"
TOOL_SNAP = "org.apache.zookeeper.server.SnapshotFormatter"

USER = ("alice", "secret")
ALICE = make_digest_acl(*USER, all=True)
LOCAL = Id("ip", "127.0.0.1")
PAYLOAD = bytes(range(256)) * 4			# every byte value
BIG = bytes((i * 7919 + (i >> 9)) & 0xFF for i in range(200 * KIB))
UNICODE_PATH = "/app/na\u00efve-\u00fcn\u00efcode"
CONTAINER = -0x8000000000000000			# EphemeralType.CONTAINER
TTL_MS = 3600000
TTL_OWNER = -0x0100000000000000 | TTL_MS	# EphemeralType.TTL, 1 h
OWNERS = {"/box": CONTAINER, "/ttl": TTL_OWNER}


class ApacheLogged(Apache):
    """Apache 3.8 with its log on (slf4j-simple, INFO) in server.log."""

    extra_cp = [SLF4J_SIMPLE]
    jvm_props = ["-Dorg.slf4j.simpleLogger.defaultLogLevel=info"]


class Ctx:
    def __init__(self):
        self.servers = []
        self.zkd_tree = None		# zkd's tree as it served it
        self.zkd_last = None		# zkd's last zxid
        self.zkd_deleted = None
        self.zkd_written = None
        self.apache_tree = None
        self.apache_last = None
        self.after_tree = None		# zkd's tree after writing on Apache's
        self.killed_tree = None
        self.killed_acked = None
        self.killed_last = None
        self.zkd_dir = None
        self.apache_dir = None
        self.killed_dir = None
        self.killed_copy = None
        self.zkd_after_kill = None
        self.apache_on_zkd = None
        self.zkd_on_apache = None
        self.zkd_replay = None		# copies holding only snapshot.0
        self.apache_replay = None
        self.apache_fuzzy = None	# a copy whose newest is fuzzy
        self.fuzzy_zxid = None

    def start(self, cls, port, settings):
        s = cls(port, settings)
        self.servers.append(s)
        return s.start()


def eq(got, want, what=""):
    if got != want:
        raise AssertionError("%s: got %r, want %r" % (what, got, want))


def client(port, auth=True):
    c = KazooClient(hosts="127.0.0.1:%d" % port, timeout=10.0,
                    connection_retry=dict(RETRY),
                    auth_data=[("digest", "%s:%s" % USER)] if auth else None)
    c.start(timeout=WAIT)
    return c


def close(c):
    c.stop()
    c.close()


def last_zxid(port):
    """The server's last zxid, from srvr."""
    m = re.search(rb"^Zxid: 0x([0-9a-f]+)$", four(port, "srvr"), re.M)
    if m is None:
        raise AssertionError("no Zxid in srvr on port %d" % port)
    return int(m.group(1), 16)


def version2(datadir):
    return os.path.join(datadir, "version-2")


def files(datadir, prefix):
    """[(zxid, path)] of dataDir/version-2/<prefix>.<zxid>, by zxid."""
    out = []
    d = version2(datadir)
    for name in os.listdir(d):
        m = re.fullmatch(re.escape(prefix) + r"\.([0-9a-f]+)", name)
        if m:
            out.append((int(m.group(1), 16), os.path.join(d, name)))
    return sorted(out)


def copy_datadir(src, dst):
    """A copy of a data dir, keeping preallocated files sparse."""
    subprocess.run(["cp", "-a", "--sparse=always", src, dst], check=True)


def copy_upto(datadir, name, zxid):
    """A copy of datadir (beside it, as name) without the snapshots
    above zxid; returns its path."""
    dst = os.path.join(os.path.dirname(datadir), name)
    copy_datadir(datadir, dst)
    for z, path in files(dst, "snapshot"):
        if z > zxid:
            os.unlink(path)
    return dst


def stop(server, sig=signal.SIGTERM):
    """Stops a server; SIGKILL leaves it no chance to finish anything.
    A zkd stopped by SIGTERM must exit 0 with no sanitizer report."""
    if sig == signal.SIGKILL:
        server.kill(signal.SIGKILL)
    proc = server.proc
    server.stop()
    if sig != signal.SIGTERM or not isinstance(server, Zkd) or proc is None:
        return
    report = re.search(r"(?:ERROR: \w+Sanitizer|runtime error:).*",
                       server.logtext())
    if report is not None:
        raise AssertionError("zkd on port %d: %s" % (server.port,
                                                     report.group(0)))
    if proc.returncode != 0:
        raise AssertionError("zkd on port %d exited with %d" %
                             (server.port, proc.returncode))


# The workload.

def bulk(k, n, kill=None):
    """Creates /bulk/n0000.. (n nodes), then sets data on every other one,
    WINDOW requests kept in flight by a writer thread.  kill: (server,
    count) kills server with SIGKILL once count writes were acknowledged,
    while the writer goes on.  Returns {path: version} of the writes
    acknowledged."""
    ops = [("create", "/bulk/n%04d" % i, 0) for i in range(n)]
    ops += [("set", "/bulk/n%04d" % i, 1) for i in range(0, n, 2)]
    acked = {}
    failed = []
    replies = [0]
    lock = threading.Lock()
    slots = threading.Semaphore(WINDOW)
    halt = threading.Event()

    def reply(path, version):
        def done(f):
            with lock:
                replies[0] += 1
                if f.successful():
                    acked[path] = version
                else:
                    failed.append("%s: %r" % (path, f.exception))
            slots.release()
        return done

    def writer():
        for op, path, version in ops:
            while not slots.acquire(timeout=0.05):
                if halt.is_set():
                    return
            if halt.is_set():
                return
            if op == "create":
                f = k.create_async(path, b"bulk " + path.encode())
            else:
                f = k.set_async(path, b"set " + path.encode())
            f.rawlink(reply(path, version))

    t = threading.Thread(target=writer, daemon=True)
    t.start()
    try:
        if kill is None:
            wait_for(lambda: replies[0] == len(ops), timeout=WAIT,
                     what="replies to the bulk writes")
        else:
            wait_for(lambda: len(acked) >= kill[1], timeout=WAIT,
                     what="acknowledged bulk writes")
            stop(kill[0], signal.SIGKILL)
    finally:
        halt.set()
        t.join(timeout=WAIT)
    with lock:
        if kill is None and failed:
            raise AssertionError("bulk writes failed: %s" %
                                 "; ".join(failed[:5]))
        return dict(acked)


def workload(port, nbulk):
    """Writes the tree on a server; returns (deleted, written): the nodes
    deleted [(path, czxid, zxid of the delete)] and every path written."""
    deleted = []
    written = []
    k = client(port)
    try:
        def mk(path, data=b"", acl=None, **kw):
            p = k.create(path, data, acl=acl, **kw)
            written.append(p)
            return p

        mk("/app", b"root of the app")
        mk("/app/cfg", b"v0")
        for i in range(1, 6):
            k.set("/app/cfg", b"v%d" % i)
        mk("/app/bin", PAYLOAD, acl=[ALICE] + list(READ_ACL_UNSAFE))
        mk("/app/empty", b"")
        mk("/app/big", BIG)
        mk(UNICODE_PATH, "\u00fcn\u00efcode \u2713".encode())
        path = "/app/deep"
        mk(path, b"")
        for i in range(8):
            path += "/l%d" % i
            mk(path, b"level %d" % i)

        mk("/acl", b"")
        mk("/acl/digest", b"d", acl=[ALICE])
        mk("/acl/ip", b"i", acl=[ACL(Permissions.ALL, LOCAL)])
        mk("/acl/cidr", b"c",
           acl=[ACL(Permissions.READ, Id("ip", "10.0.0.0/8")), ALICE])
        mk("/acl/mixed", b"m", acl=list(READ_ACL_UNSAFE) + [ALICE])
        k.set_acls("/acl/mixed", list(READ_ACL_UNSAFE) + [
            ALICE, ACL(Permissions.READ | Permissions.WRITE, LOCAL)])
        k.set_acls("/acl/mixed", [
            ALICE, ACL(Permissions.READ | Permissions.WRITE, LOCAL)])
        mk("/acl/readonly", b"r", acl=READ_ACL_UNSAFE)

        mk("/seq", b"")
        items = [mk("/seq/item-", b"%d" % i, sequence=True)
                 for i in range(6)]
        czxid = k.exists(items[2]).czxid
        k.delete(items[2])
        deleted.append((items[2], czxid, k.exists("/seq").pzxid))

        mk("/gone", b"soon gone")
        k.set("/gone", b"going")
        czxid = k.exists("/gone").czxid
        k.delete("/gone")
        deleted.append(("/gone", czxid, k.exists("/").pzxid))

        # Ephemerals, deleted by their session's closeSession.
        mk("/eph", b"")
        e = client(port)
        eph = [e.create("/eph/e1", b"e", ephemeral=True),
               e.create("/eph/s-", b"s", ephemeral=True, sequence=True)]
        ecz = [e.exists(p).czxid for p in eph]
        close(e)
        wait_for(lambda: k.get_children("/eph") == [],
                 what="ephemerals gone")
        dz = k.exists("/eph").pzxid
        for p, cz in zip(eph, ecz):
            written.append(p)
            deleted.append((p, cz, dz))

        # A container with a child (kept: it is not empty) and a TTL node.
        raw = zkwire.Conn(port)
        try:
            raw.handshake()
            reqs = [zkwire.req_create_container("/box", b"container"),
                    zkwire.req_create("/box/kid", b"kid"),
                    zkwire.req_create_ttl("/ttl", b"ttl", ttl=TTL_MS)]
            for xid, (op, body) in enumerate(reqs, 1):
                hdr, _ = raw.call(xid, op, body, timeout=WAIT)[-1]
                eq(hdr["err"], 0, "raw create %d" % xid)
            raw.call(len(reqs) + 1, *zkwire.req_close_session(),
                     timeout=WAIT)
        finally:
            raw.close()
        written += ["/box", "/box/kid", "/ttl"]

        # A multi that commits and one that fails (an error multi).
        t = k.transaction()
        t.create("/multi", b"")
        t.create("/multi/x", b"x")
        t.set_data("/app/cfg", b"v6")
        t.check("/app", 0)
        res = t.commit()
        if any(isinstance(r, Exception) for r in res):
            raise AssertionError("multi failed: %r" % (res,))
        written += ["/multi", "/multi/x"]
        t = k.transaction()
        t.create("/multi/never", b"")
        t.check("/app/cfg", 99)
        res = t.commit()
        if not (isinstance(res[0], RolledBackError) and
                isinstance(res[1], BadVersionError)):
            raise AssertionError("failed multi: %r" % (res,))

        mk("/bulk", b"")
        written += sorted(bulk(k, nbulk))
    finally:
        close(k)
    return deleted, written


def more_writes(port):
    """Writes on a tree another server wrote; returns the czxid of the
    first node created."""
    k = client(port)
    try:
        k.create("/moved", b"written over the other server's files")
        czxid = k.exists("/moved").czxid
        k.set("/app/cfg", b"after the move")
        k.set_acls("/acl/digest", [ALICE] + list(READ_ACL_UNSAFE))
        k.delete("/bulk/n0001")
        k.create("/seq/item-", b"later", sequence=True)
        t = k.transaction()
        t.create("/moved/child", b"")
        t.set_data("/bulk/n0000", b"moved")
        t.commit()
        return czxid
    finally:
        close(k)


# Trees.

def walk(port):
    """{path: (data, stat dict, acls)} of the whole tree."""
    k = client(port)
    tree = {}
    try:
        todo = ["/"]
        while todo:
            path = todo.pop()
            data, st = k.get(path)
            acls, _ = k.get_acls(path)
            tree[path] = (data, dict(st._asdict()),
                          sorted((a.perms, a.id.scheme, a.id.id)
                                 for a in acls))
            for child in k.get_children(path):
                todo.append(path.rstrip("/") + "/" + child)
    finally:
        close(k)
    return tree


def check_owners(tree):
    """Every node's ephemeralOwner, as clients see it, is 0: there are no
    ephemerals left, and a container's or TTL node's marker is hidden."""
    bad = ["%s: ephemeralOwner %#x" % (path, st["ephemeralOwner"])
           for path, (_, st, _) in sorted(tree.items())
           if st["ephemeralOwner"] != 0]
    if bad:
        raise AssertionError("\n".join(bad))


def check_types(snapshot):
    """The container and the TTL node keep their type in a snapshot (the
    only place it shows: clients see an ephemeralOwner of 0)."""
    nodes, _ = read_snapshot(snapshot)
    for path, owner in sorted(OWNERS.items()):
        got = nodes.get(path, (None,) * 4)[3]
        if got != owner:
            raise AssertionError("%s: %s ephemeralOwner %r, want %#x" %
                                 (snapshot, path, got, owner))


def same_tree(got, want, what):
    """Raises with every difference between two walks."""
    diff = []
    for path in sorted(set(want) - set(got)):
        diff.append("missing %s" % path)
    for path in sorted(set(got) - set(want)):
        diff.append("extra %s" % path)
    for path in sorted(set(got) & set(want)):
        gd, gs, ga = got[path]
        wd, ws, wa = want[path]
        if gd != wd:
            diff.append("%s: data %r, want %r" % (path, gd and gd[:40],
                                                    wd and wd[:40]))
        for f in sorted(ws):
            if gs.get(f) != ws[f]:
                diff.append("%s: %s %r, want %r" % (path, f, gs.get(f),
                                                     ws[f]))
        if ga != wa:
            diff.append("%s: acl %r, want %r" % (path, ga, wa))
    if diff:
        raise AssertionError("%s: %d differences:\n%s" %
                             (what, len(diff), "\n".join(diff[:40])))


# Apache's tools and the file formats.

def java_tool(cls, *args):
    """Runs one of Apache's command-line tools; returns (rc, output)."""
    env = dict(os.environ, LC_ALL="C.UTF-8")
    p = subprocess.run(
        ["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
         "-Dsun.stdout.encoding=UTF-8", "-Dstdout.encoding=UTF-8",
         "-cp", APACHE_CP, cls] + list(args),
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, env=env, timeout=120)
    # Without a logging backend slf4j says so first; nothing else is
    # logged by these tools.
    out = p.stdout.decode("utf-8", "replace")
    return p.returncode, re.sub(r"(?m)^SLF4J: .*\n", "", out)


def run_tools(cls, paths, *opts):
    """java_tool on each path, two at a time: [(path, rc, output)]."""
    with concurrent.futures.ThreadPoolExecutor(2) as ex:
        outs = list(ex.map(lambda p: java_tool(cls, *opts, p), paths))
    return [(p, rc, out) for p, (rc, out) in zip(paths, outs)]


def read_snapshot(path):
    """Parses a snapshot file (see src/snap.h); checks both seals.
    Returns (nodes {path: (czxid, mzxid, pzxid, ephemeralOwner)}, digest
    or None)."""
    with open(path, "rb") as f:
        raw = f.read()
    r = zkwire.Reader(raw)
    if r.int() != 0x5a4b534e or r.int() != 2:
        raise AssertionError("%s: not a version 2 snapshot" % path)
    r.long()
    for _ in range(r.int()):			# sessions
        r.long()
        r.int()
    for _ in range(r.int()):			# the ACL table
        r.long()
        n = r.int()
        for _ in range(max(n, 0)):
            r.int()
            r.ustring()
            r.ustring()
    nodes = {}
    name = r.ustring()
    while name != "/":
        r.buffer()
        r.long()
        czxid, mzxid = r.long(), r.long()
        r.take(16 + 12)				# ctime, mtime, versions
        owner = r.long()
        pzxid = r.long()
        nodes[name or "/"] = (czxid, mzxid, pzxid, owner)
        name = r.ustring()

    def seal(what):
        want = zlib.adler32(raw[:r.pos])
        got = r.long()
        if got != want or r.ustring() != "/":
            raise AssertionError("%s: %s seal %#x, want %#x" %
                                 (path, what, got, want))

    seal("first")
    digest = None
    if r.left():
        digest = (r.long(), r.int(), r.long())
        seal("digest")
    if r.left():
        raise AssertionError("%s: %d bytes after the seals" %
                             (path, r.left()))
    return nodes, digest


def read_log(path):
    """[(zxid, type, entry length)] of a log file's entries, up to the
    padding or to the first entry that is not whole (a torn tail); none
    for a file whose header was never written (a writer killed first)."""
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:16].strip(b"\0") == b"":
        return []
    r = zkwire.Reader(raw)
    if r.int() != 0x5a4b4c47 or r.int() != 2:
        raise AssertionError("%s: not a version 2 log" % path)
    r.long()
    out = []
    while r.left() >= 12:
        crc, n = r.long(), r.int()
        if n <= 0 or r.left() < n + 1:
            break
        entry = r.take(n)
        if r.take(1) != b"B" or zlib.adler32(entry) != crc:
            break
        e = zkwire.Reader(entry)
        e.long()
        e.int()
        zxid = e.long()
        e.long()
        out.append((zxid, e.int(), n))
    return out


def loaded_snapshot(log_text, pattern):
    m = re.findall(pattern, log_text)
    return m[0] if m else None


# The tests.

@tap.test
def test_zkd_writes(ctx):
    """zkd writes the workload: several logs and snapshots, writes before and after them"""
    z = ctx.start(Zkd, ZKD_PORT, ZKD_SETTINGS)
    ctx.zkd_dir = os.path.join(z.dir, "data")
    ctx.zkd_deleted, ctx.zkd_written = workload(ZKD_PORT, ZKD_BULK)
    ctx.zkd_tree = walk(ZKD_PORT)
    check_owners(ctx.zkd_tree)
    ctx.zkd_last = last_zxid(ZKD_PORT)
    stop(z)
    ctx.zkd_replay = copy_upto(ctx.zkd_dir, "replay", 0)
    logs = files(ctx.zkd_dir, "log")
    snaps = [s for s in files(ctx.zkd_dir, "snapshot") if s[0] > 0]
    if len(logs) < 2:
        raise AssertionError("log files: %r" % logs)
    inside = [zx for zx, _ in snaps if 0 < zx < ctx.zkd_last]
    if len(inside) < 2:
        raise AssertionError("snapshots within the writes (last zxid "
                             "%#x): %r" % (ctx.zkd_last, snaps))


@tap.test
def test_txnlogtoolkit(ctx):
    """TxnLogToolkit reads every zkd log: exit 0, no CRC error, zxids 1 to the last once each, every path written"""
    if ctx.zkd_dir is None:
        raise AssertionError("zkd wrote nothing")
    zxids = []
    text = []
    for path, rc, out in run_tools(TOOL_LOG,
                                   [p for _, p in files(ctx.zkd_dir, "log")],
                                   "-d"):
        name = os.path.basename(path)
        if rc != 0:
            raise AssertionError("%s: exit %d\n%s" % (name, rc, out[-2000:]))
        if "CRC ERROR" in out:
            raise AssertionError("%s: CRC error\n%s" % (name, out[-2000:]))
        if not out.startswith("ZooKeeper Transactional Log File with dbid "
                              "0 txnlog format version 2"):
            raise AssertionError("%s: header: %r" % (name, out[:200]))
        m = re.search(r"^EOF reached after (\d+) txns\.$", out, re.M)
        mine = [int(x, 16) for x in
                re.findall(r" session 0x[0-9a-f]+ cxid 0x[0-9a-f]+ "
                           r"zxid 0x([0-9a-f]+) ", out)]
        if m is None or int(m.group(1)) != len(mine):
            raise AssertionError("%s: %d entries printed, end: %r" %
                                 (name, len(mine), out[-200:]))
        if mine and mine[0] != int(name.split(".")[1], 16):
            raise AssertionError("%s starts at zxid %#x" % (name, mine[0]))
        zxids += mine
        text.append(out)
    eq(zxids, list(range(1, ctx.zkd_last + 1)), "zxids in the logs")
    text = "".join(text)
    missing = [p for p in ctx.zkd_written if p not in text]
    if missing:
        raise AssertionError("paths not in the logs: %r" % missing)
    for op in ("createSession", "closeSession", "create", "setData",
               "setACL", "delete", "multi", "createContainer", "createTtl"):
        if (" %s " % op) not in text:
            raise AssertionError("no %s in the logs" % op)


def expected_at(ctx, zxid):
    """The paths of zkd's tree as it was after zxid."""
    out = {p for p, (_, st, _) in ctx.zkd_tree.items() if st["czxid"] <= zxid}
    out |= {p for p, cz, dz in ctx.zkd_deleted if cz <= zxid < dz}
    return out


@tap.test
def test_snapshotformatter(ctx):
    """SnapshotFormatter reads every zkd snapshot: exit 0, its node count, exactly the tree at its zxid, both seals"""
    snaps = files(ctx.zkd_dir, "snapshot")
    results = run_tools(TOOL_SNAP, [p for _, p in snaps], "-d")
    for (zxid, _), (path, rc, out) in zip(snaps, results):
        name = os.path.basename(path)
        if rc != 0:
            raise AssertionError("%s: exit %d\n%s" % (name, rc, out[-2000:]))
        count = re.search(r"^ZNode Details \(count=(\d+)\):$", out, re.M)
        blocks = re.findall(r"^----\n(/.*)\n  cZxid = 0x([0-9a-f]+)\n"
                            r"(?:  .*\n){5}  dataVersion = (-?\d+)\n"
                            r"  aclVersion = .*\n"
                            r"  ephemeralOwner = 0x([0-9a-f]+)\n"
                            r"  data = (.*)$", out, re.M)
        # The count is DataTree.getNodeCount(): the root is in its map
        # twice, as "" and as "/".
        if count is None or int(count.group(1)) != len(blocks) + 1:
            raise AssertionError("%s: count %r, %d nodes printed" %
                                 (name, count and count.group(1),
                                  len(blocks)))
        last = re.search(r"^Last zxid: 0x([0-9a-f]+)$", out, re.M)
        if last is None:
            raise AssertionError("%s: no last zxid\n%s" % (name, out[-500:]))
        eq(int(last.group(1), 16), zxid, name + ": last zxid of its nodes")
        paths = {b[0] for b in blocks}
        want = expected_at(ctx, zxid)
        if paths != want:
            raise AssertionError("%s: missing %r, extra %r" %
                                 (name, sorted(want - paths),
                                  sorted(paths - want)))
        for p, cz, version, owner, data in blocks:
            node = ctx.zkd_tree.get(p)
            if node is None:
                continue
            eq(int(cz, 16), node[1]["czxid"], name + ": czxid of " + p)
            eq(int(owner, 16), OWNERS.get(p, 0) & 0xffffffffffffffff,
               name + ": ephemeralOwner of " + p)
            if node[1]["mzxid"] <= zxid:
                eq(int(version), node[1]["version"],
                   name + ": version of " + p)
                eq(base64.b64decode(data), node[0], name + ": data of " + p)
        nodes, _ = read_snapshot(path)
        eq(set(nodes), paths, name + ": nodes parsed")


@tap.test
def test_apache_replays_zkd_logs(ctx):
    """Apache replaying every zkd log over zkd's snapshot.0 (a copy without the later snapshots) builds the same tree"""
    a = ctx.start(ApacheLogged, APACHE_REPLAY_PORT,
                  dict(STORAGE, dataDir=ctx.zkd_replay))
    eq(last_zxid(APACHE_REPLAY_PORT), ctx.zkd_last, "Apache's last zxid")
    got = walk(APACHE_REPLAY_PORT)
    eq(loaded_snapshot(a.logtext(), r"Reading snapshot (\S+)"),
       os.path.join(version2(ctx.zkd_replay), "snapshot.0"),
       "snapshot Apache loaded")
    same_tree(got, ctx.zkd_tree, "Apache replaying zkd's logs")
    stop(a)


@tap.test
def test_apache_on_zkd(ctx):
    """Apache 3.8 on zkd's data dir loads zkd's newest snapshot and serves the same tree (data, ACLs, every stat field)"""
    newest = files(ctx.zkd_dir, "snapshot")[-1][1]
    a = ctx.apache_on_zkd = ctx.start(ApacheLogged, APACHE_ON_ZKD_PORT,
                                      dict(STORAGE, dataDir=ctx.zkd_dir))
    eq(last_zxid(APACHE_ON_ZKD_PORT), ctx.zkd_last, "Apache's last zxid")
    got = walk(APACHE_ON_ZKD_PORT)
    log = a.logtext()
    eq(loaded_snapshot(log, r"Reading snapshot (\S+)"), newest,
       "snapshot Apache loaded")
    if "problem reading snap file" in log:
        raise AssertionError("Apache skipped a snapshot:\n" + log[-3000:])
    same_tree(got, ctx.zkd_tree, "Apache on zkd's data")


@tap.test
def test_apache_writes_on_zkd(ctx):
    """Apache keeps writing on zkd's data dir, with zxids above zkd's"""
    czxid = more_writes(APACHE_ON_ZKD_PORT)
    if czxid <= ctx.zkd_last:
        raise AssertionError("czxid %#x after zkd's %#x" %
                             (czxid, ctx.zkd_last))
    stop(ctx.apache_on_zkd)
    # The snapshot Apache took once it had loaded zkd's files.
    check_types(files(ctx.zkd_dir, "snapshot")[-1][1])


@tap.test
def test_apache_writes(ctx):
    """Apache writes the workload: fuzzy snapshots with digests, TxnDigest in its log entries"""
    a = ctx.start(ApacheLogged, APACHE_PORT, APACHE_SETTINGS)
    ctx.apache_dir = os.path.join(a.dir, "data")
    workload(APACHE_PORT, APACHE_BULK)
    ctx.apache_tree = walk(APACHE_PORT)
    check_owners(ctx.apache_tree)
    ctx.apache_last = last_zxid(APACHE_PORT)
    stop(a)
    check_types(files(ctx.apache_dir, "snapshot")[-1][1])
    snaps = [s for s in files(ctx.apache_dir, "snapshot") if s[0] > 0]
    if len(snaps) < 2:
        raise AssertionError("Apache's snapshots: %r" % snaps)
    fuzzy = []
    for zxid, path in snaps:
        nodes, digest = read_snapshot(path)
        if digest is None:
            raise AssertionError("%s: no digest" % path)
        if max(max(v[:3]) for v in nodes.values()) > zxid:
            fuzzy.append(zxid)
    print("# %d of Apache's %d snapshots are fuzzy" % (len(fuzzy),
                                                      len(snaps)))
    ctx.apache_replay = copy_upto(ctx.apache_dir, "replay", 0)
    if fuzzy:
        ctx.fuzzy_zxid = fuzzy[-1]
        ctx.apache_fuzzy = copy_upto(ctx.apache_dir, "fuzzy", fuzzy[-1])
    sessions = [n for _, p in files(ctx.apache_dir, "log")
                for _, op, n in read_log(p) if op == -10]
    # createSession: TxnHeader (32 bytes), timeOut (4), TxnDigest (12).
    if not sessions or set(sessions) != {48}:
        raise AssertionError("createSession entry lengths %r" % sessions)


@tap.test
def test_zkd_replays_apache_logs(ctx):
    """zkd replaying every Apache log (TxnDigests and all) over Apache's snapshot.0 (a copy without the later snapshots) builds the same tree"""
    z = ctx.start(Zkd, ZKD_REPLAY_PORT,
                  dict(ZKD_SETTINGS, dataDir=ctx.apache_replay))
    eq(last_zxid(ZKD_REPLAY_PORT), ctx.apache_last, "zkd's last zxid")
    got = walk(ZKD_REPLAY_PORT)
    eq(loaded_snapshot(z.logtext(), r"loaded snapshot (\S+)"),
       os.path.join(version2(ctx.apache_replay), "snapshot.0"),
       "snapshot zkd loaded")
    same_tree(got, ctx.apache_tree, "zkd replaying Apache's logs")
    stop(z)


@tap.test
def test_zkd_on_fuzzy_snapshot(ctx):
    """zkd on Apache's newest fuzzy snapshot (a copy without the later ones) replays the logs over it to the same tree"""
    if ctx.apache_fuzzy is None:
        # Whether a snapshot overlaps writes is up to Apache's threads.
        print("# no fuzzy snapshot in this run: nothing to load")
        return
    z = ctx.start(Zkd, ZKD_FUZZY_PORT,
                  dict(ZKD_SETTINGS, dataDir=ctx.apache_fuzzy))
    eq(last_zxid(ZKD_FUZZY_PORT), ctx.apache_last, "zkd's last zxid")
    got = walk(ZKD_FUZZY_PORT)
    eq(loaded_snapshot(z.logtext(), r"loaded snapshot (\S+)"),
       os.path.join(version2(ctx.apache_fuzzy),
                    "snapshot.%x" % ctx.fuzzy_zxid), "snapshot zkd loaded")
    same_tree(got, ctx.apache_tree, "zkd over a fuzzy snapshot")
    stop(z)


@tap.test
def test_zkd_on_apache(ctx):
    """zkd on Apache's data dir loads Apache's newest snapshot, replays its logs and serves the same tree"""
    newest = files(ctx.apache_dir, "snapshot")[-1][1]
    z = ctx.zkd_on_apache = ctx.start(
        Zkd, ZKD_ON_APACHE_PORT, dict(ZKD_SETTINGS, dataDir=ctx.apache_dir))
    eq(last_zxid(ZKD_ON_APACHE_PORT), ctx.apache_last, "zkd's last zxid")
    got = walk(ZKD_ON_APACHE_PORT)
    log = z.logtext()
    eq(loaded_snapshot(log, r"loaded snapshot (\S+)"), newest,
       "snapshot zkd loaded")
    if "skipping snapshot" in log:
        raise AssertionError("zkd skipped a snapshot:\n" + log[-3000:])
    same_tree(got, ctx.apache_tree, "zkd on Apache's data")


@tap.test
def test_zkd_writes_on_apache(ctx):
    """zkd keeps writing on Apache's data dir, with zxids above Apache's"""
    czxid = more_writes(ZKD_ON_APACHE_PORT)
    if czxid <= ctx.apache_last:
        raise AssertionError("czxid %#x after Apache's %#x" %
                             (czxid, ctx.apache_last))
    ctx.after_tree = walk(ZKD_ON_APACHE_PORT)
    stop(ctx.zkd_on_apache)
    check_types(files(ctx.apache_dir, "snapshot")[-1][1])


@tap.test
def test_round_trip(ctx):
    """round trip: Apache back on its data dir, after zkd wrote on it, loads zkd's snapshot and serves all zkd served"""
    if ctx.after_tree is None:
        raise AssertionError("zkd did not write on Apache's data")
    newest = files(ctx.apache_dir, "snapshot")[-1][1]
    a = ctx.start(ApacheLogged, APACHE_BACK_PORT,
                  dict(APACHE_SETTINGS, dataDir=ctx.apache_dir))
    got = walk(APACHE_BACK_PORT)
    log = a.logtext()
    eq(loaded_snapshot(log, r"Reading snapshot (\S+)"), newest,
       "snapshot Apache loaded")
    if "problem reading snap file" in log:
        raise AssertionError("Apache skipped a snapshot:\n" + log[-3000:])
    same_tree(got, ctx.after_tree, "Apache back on its data")
    stop(a)


@tap.test
def test_killed_apache(ctx):
    """Apache killed by SIGKILL mid-writes: zkd and Apache, each on a copy of its data dir, recover the same tree with every acknowledged write"""
    a = ctx.start(ApacheLogged, APACHE_KILLED_PORT, APACHE_SETTINGS)
    ctx.killed_dir = os.path.join(a.dir, "data")
    workload(APACHE_KILLED_PORT, 0)
    k = client(APACHE_KILLED_PORT)
    try:
        ctx.killed_acked = bulk(k, APACHE_BULK, kill=(a, APACHE_BULK // 2))
    finally:
        close(k)
    if a.alive():
        raise AssertionError("Apache was not killed")
    ctx.killed_last = max(zx for _, p in files(ctx.killed_dir, "log")
                          for zx, _, _ in read_log(p))
    newest = files(ctx.killed_dir, "snapshot")[-1][1]
    try:
        read_snapshot(newest)
        state = "whole"
    except Exception:
        state = "cut short"
    print("# killed Apache: %d writes acknowledged, last zxid logged %#x, "
          "newest snapshot %s" % (len(ctx.killed_acked), ctx.killed_last,
                                  state))
    ctx.killed_copy = os.path.join(a.dir, "copy")
    copy_datadir(ctx.killed_dir, ctx.killed_copy)
    # A kill between creating a log file and writing its header leaves a
    # file Apache itself cannot start on (EOFException reading the
    # header); zkd removes it.  For the reference run, do as an operator
    # would: remove it from Apache's copy.
    for _, path in files(ctx.killed_copy, "log"):
        if os.path.getsize(path) < 16:
            print("# Apache's copy: removed %s (%d bytes, no header)" %
                  (os.path.basename(path), os.path.getsize(path)))
            os.unlink(path)
    z = ctx.zkd_after_kill = ctx.start(
        Zkd, ZKD_AFTER_KILL_PORT, dict(ZKD_SETTINGS, dataDir=ctx.killed_dir))
    ref = ctx.start(ApacheLogged, APACHE_AFTER_KILL_PORT,
                    dict(APACHE_SETTINGS, dataDir=ctx.killed_copy))
    # Before any session: the data's own sessions expire only after
    # their timeout (10 s), and a walk adds sessions of its own.
    eq(last_zxid(ZKD_AFTER_KILL_PORT), ctx.killed_last,
       "zkd's last zxid, the last one logged")
    eq(last_zxid(APACHE_AFTER_KILL_PORT), ctx.killed_last,
       "Apache's last zxid, the last one logged")
    ctx.killed_tree = walk(ZKD_AFTER_KILL_PORT)
    for line in z.logtext().splitlines():
        if "snapshot" in line or "torn" in line:
            print("# zkd: " + line)
    same_tree(ctx.killed_tree, walk(APACHE_AFTER_KILL_PORT),
              "zkd and Apache after the kill")
    stop(ref)
    lost = []
    for path, version in sorted(ctx.killed_acked.items()):
        node = ctx.killed_tree.get(path)
        if node is None or node[1]["version"] < version:
            lost.append(path)
    if lost:
        raise AssertionError("acknowledged writes lost: %r" % lost)


@tap.test
def test_zkd_writes_after_kill(ctx):
    """zkd keeps writing on the killed Apache's data dir, with zxids above every logged one"""
    if ctx.killed_last is None:
        raise AssertionError("no killed Apache")
    czxid = more_writes(ZKD_AFTER_KILL_PORT)
    if czxid <= ctx.killed_last:
        raise AssertionError("czxid %#x after Apache's logged %#x" %
                             (czxid, ctx.killed_last))
    stop(ctx.zkd_after_kill)


def setup():
    logging.basicConfig(level=logging.CRITICAL)
    return Ctx()


def teardown(ctx):
    if ctx is None:
        return
    for s in reversed(ctx.servers):
        s.cleanup()


if __name__ == "__main__":
    if not Apache.available():
        print("1..0 # SKIP no java or no Apache ZooKeeper jar")
        sys.exit(0)
    tap.run(setup, teardown)
