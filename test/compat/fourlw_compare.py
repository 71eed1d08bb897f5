# SPDX-License-Identifier: ISC
"""The four-letter words of a standalone zkd, compared with Apache
ZooKeeper 3.8: first with the replies captured from a real 3.8 server
(test/compat/data/apache-3.8-4lw-samples.txt), then side by side with a
live Apache 3.8 started with the same settings and given the same client
activity.

Values that must differ between two servers are masked before the
comparison, each rule saying why (version string, ports, temporary
paths, session ids, clock readings, latencies, JVM facts); everything
else is compared byte for byte, including the trailing newline of each
reply.  Counters that do not depend on timing are compared exactly in
tests of their own, so that each difference shows up as one failing
test.

Ports 21600-21609: 21600/21601 Apache/zkd with every word enabled,
21602/21603 Apache/zkd with ZooKeeper's default whitelist (srvr only),
21604 a zkd nobody connects to, for the captures.
"""
import difflib
import logging
import os
import re
import socket
import subprocess
import time

from kazoo.client import KazooClient

import tap
from zkharness import Apache, Zkd, four, wait_for

APACHE_PORT = 21600
ZKD_PORT = 21601
APACHE_WL_PORT = 21602
ZKD_WL_PORT = 21603
FRESH_PORT = 21604
WAIT = 30.0
SETTINGS = {"tickTime": 2000}
WORDS = ["conf", "cons", "crst", "dirs", "dump", "envi", "gtmk", "hash",
         "isro", "mntr", "ruok", "srst", "srvr", "stat", "stmk", "wchc",
         "wchp", "wchs"]
# The order in which the side-by-side replies are taken, the same on both
# servers; the words that reset counters come last.  Apache counts one
# packet sent per 8192 characters of a reply (its BufferedWriter hands
# its writer 8 KiB at a time), zkd one per reply: mntr, the only reply
# that long, comes after the words whose counters are compared.
SIDE_WORDS = ["srvr", "stat", "cons", "wchs", "wchc", "wchp", "dump",
              "conf", "dirs", "ruok", "isro", "gtmk", "hash", "envi",
              "mntr", "crst", "srst"]


def data_file():
    top = os.environ.get("TOP_SRCDIR")
    base = (os.path.join(top, "test", "compat") if top else
            os.path.dirname(os.path.abspath(__file__)))
    return os.path.join(base, "data", "apache-3.8-4lw-samples.txt")


def load_samples():
    """The captured replies: {"standalone.srvr": bytes, ...}."""
    with open(data_file(), "rb") as f:
        text = f.read()
    out = {}
    for m in re.finditer(rb"^=== (\S+) [^\n]*\n(.*?)<<<END$", text,
                         re.M | re.S):
        out[m.group(1).decode()] = m.group(2)
    return out


# Masks.  Each rule replaces what legitimately differs between two
# servers by a placeholder; a line the rule does not match stays as it is
# and so still has to be equal.

JDOUBLE = r"-?\d+\.\d+(?:E-?\d+)?"	# a Java double: 0.0, 4.5, 5.0E-4

# zkd reports its own 3.8 build, Apache its Debian build.
VERSION = [
    (r"^(Zookeeper version: )\S.*$", r"\1<VERSION>"),
    (r"^(zk_version\t)\S.*$", r"\1<VERSION>"),
    (r"^(zookeeper\.version=)\S.*$", r"\1<VERSION>"),
]
# Latencies are clock readings; only their format must agree.
LATENCY = [
    (r"^Latency min/avg/max: \d+/" + JDOUBLE + r"/\d+$",
     "Latency min/avg/max: <N>/<DOUBLE>/<N>"),
    (r"llat=\d+,minlat=\d+,avglat=\d+,maxlat=\d+",
     "llat=<N>,minlat=<N>,avglat=<N>,maxlat=<N>"),
]
# Packet counters: compared exactly by test_packet_counters only.
PACKETS = [
    (r"^(Received|Sent): \d+$", r"\1: <N>"),
    (r"recved=\d+,sent=\d+", "recved=<N>,sent=<N>"),
]
# Client ports are the kernel's choice.
PORTS = [(r"/127\.0\.0\.1:\d+\b", "/127.0.0.1:<PORT>")]
# Session ids: the server id 1 of a standalone server in the high byte,
# then clock bits.
SIDS = [(r"0x1[0-9a-f]{14}\b", "0x1<SID>")]
# est is the wall clock, lresp a clock reading (see test_cons_lresp).
CONS_TIMES = [(r"est=\d+", "est=<WALLMS>"), (r"lresp=\d+", "lresp=<MS>")]
# Expiry dates in dump are clock readings rounded to a bucket.
DATES = [(r"expire at \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \w+ \d{4}:",
          "expire at <DATE>:"),
         (r"^Connections Sets \(\d+\)/", "Connections Sets (<N>)/")]
# The servers run in different temporary directories on different ports;
# the sizes depend on what each has written (Apache preallocates 64 MB
# of transaction log).
CONF_PLACES = [
    (r"^clientPort=\d+$", "clientPort=<PORT>"),
    (r"^(dataDir|dataLogDir)=\S+/version-2$", r"\1=<DIR>/version-2"),
    (r"^(dataDirSize|dataLogSize)=\d+$", r"\1=<N>"),
    (r"^(datadir_size|logdir_size): \d+$", r"\1: <N>"),
]


def masked(data, *rule_sets):
    """data (bytes) with every rule applied, as text."""
    text = data.decode("utf-8", "replace")
    for rules in rule_sets:
        for pat, repl in rules:
            text = re.sub(pat, repl, text, flags=re.M)
    return text


def same(got, want, what):
    """Fails with a line diff unless the two texts are equal."""
    if got == want:
        return
    diff = "\n".join(difflib.unified_diff(
        want.splitlines(), got.splitlines(), "Apache 3.8", "zkd",
        lineterm="", n=1))
    raise AssertionError("%s differs:\n%s\nApache: %r\nzkd:    %r" %
                         (what, diff, want, got))


def eq(got, want, what=""):
    if got != want:
        raise AssertionError("%s: zkd %r, Apache 3.8 %r" % (what, got, want))


def shape(line):
    """A line with every number replaced, for format comparisons."""
    return re.sub(r"\d+", "N", line)


def mntr_pairs(data):
    return [tuple(l.split("\t", 1)) for l in data.decode().splitlines()]


# Per-namespace summaries (zk_avg_<ns>_read_per_namespace ...) appear
# once a top-level path has been read or written.
NAMESPACE_KEY = re.compile(r"^zk_(avg|min|max|cnt|sum)_.+_"
                           r"(read|write)_per_namespace$")
SUMMARY_KEY = re.compile(r"^zk_(avg|min|max|cnt|sum|p50|p95|p99|p999)_")

# mntr values that legitimately differ; every other value is compared.
MNTR_MASKED = {
    "zk_version": "each server's own version string",
    "zk_avg_latency": "a latency",
    "zk_min_latency": "a latency",
    "zk_max_latency": "a latency",
    "zk_uptime": "a clock reading",
    "zk_open_file_descriptor_count": "a JVM has many more open files",
    "zk_max_file_descriptor_count": "the JVM raises its own limit",
    # Compared by test_packet_counters.
    "zk_packets_sent": "packet counter",
    "zk_packets_received": "packet counter",
    # Each side's start-up polls count; compared as a difference instead.
    "zk_bytes_received_count": "start-up polling",
    # Compared by test_response_sizes.
    "zk_last_client_response_size": "response size",
    "zk_min_client_response_size": "response size",
    "zk_max_client_response_size": "response size",
    "zk_response_bytes": "response size",
    # Compared by test_pipeline_counters.
    "zk_commit_count": "pipeline counter",
    "zk_prep_processor_request_queued": "pipeline counter",
    "zk_sync_processor_request_queued": "pipeline counter",
    # Apache's cache of serialized getData/getChildren replies; zkd has
    # none, so it neither hits nor misses.
    "zk_response_packet_cache_hits": "no reply cache in zkd",
    "zk_response_packet_cache_misses": "no reply cache in zkd",
    "zk_response_packet_get_children_cache_hits": "no reply cache in zkd",
    "zk_response_packet_get_children_cache_misses": "no reply cache in zkd",
}


def mntr_value_ok(key, value):
    """Summary values (avg/min/max/cnt/sum/pNN of timings and queue
    lengths inside each server) are compared by format only: averages
    are Java doubles, the rest integers."""
    if key.startswith("zk_avg_"):
        return re.fullmatch(JDOUBLE, value) is not None
    return re.fullmatch(r"-?\d+", value) is not None


# Servers.

class _SrvrReady:
    """Waits for srvr instead of ruok (ruok may be off the whitelist)."""

    def _spawn(self, argv, env=None):
        logf = open(self.log, "ab")
        self.proc = subprocess.Popen(argv, cwd=self.dir, stdout=logf,
                                     stderr=subprocess.STDOUT, env=env,
                                     start_new_session=True)
        logf.close()
        try:
            wait_for(lambda: four(self.port, "srvr", timeout=1).startswith(
                b"Zookeeper version"), WAIT, "server on port %d" % self.port)
        except TimeoutError:
            self.stop()
            raise RuntimeError("server did not start:\n" + self.logtext())
        return self


class ApacheSrvr(_SrvrReady, Apache):
    pass


class ZkdSrvr(_SrvrReady, Zkd):
    pass


def server_class():
    """The server compared with Apache: zkd, or with ZK_TARGET=apache a
    second Apache, which checks that the masks hide only what differs
    between two runs of the reference server."""
    target = os.environ.get("ZK_TARGET", "zkd")
    if target == "apache":
        return ApacheSrvr
    if target != "zkd":
        raise SystemExit("ZK_TARGET must be zkd or apache, not " + target)
    return ZkdSrvr


class Ctx:
    def __init__(self):
        self.servers = []
        self.samples = {}
        self.fresh = None
        self.apache = None
        self.zkd = None
        self.apache_wl = None
        self.zkd_wl = None
        # Side-by-side replies: {"apache": {word: bytes}, "zkd": {...}}.
        self.side = {}
        self.mntr_before = {}
        self.srvr_before = {}
        self.mono_ms = {}	# the clock around each cons


def activity(server):
    """The same client activity on either server: one kazoo session with
    an ephemeral node, a data watch and a child watch, and a watch on a
    missing node.  The long timeout keeps kazoo from pinging meanwhile."""
    k = KazooClient(hosts=server.hosts, timeout=40.0)
    k.start(timeout=WAIT)
    k.create("/eph", b"x", ephemeral=True)
    k.create("/p", b"")
    k.get("/p", watch=lambda e: None)
    k.exists("/nothere", watch=lambda e: None)
    k.get_children("/p", watch=lambda e: None)
    return k


def side_by_side(ctx):
    """Runs the same words on both servers after the same activity."""
    clients = []
    try:
        for name, srv in (("apache", ctx.apache), ("zkd", ctx.zkd)):
            # Start-up polls differ; counters are compared from here on.
            ctx.mntr_before[name] = four(srv.port, "mntr")
            ctx.srvr_before[name] = four(srv.port, "srvr")
            clients.append(activity(srv))
        for name, srv in (("apache", ctx.apache), ("zkd", ctx.zkd)):
            replies = {}
            for w in SIDE_WORDS:
                t0 = time.monotonic() * 1000
                replies[w] = four(srv.port, w)
                if w == "cons":
                    ctx.mono_ms[name] = (t0, time.monotonic() * 1000)
            replies["mntr after srst"] = four(srv.port, "mntr")
            ctx.side[name] = replies
    finally:
        for k in clients:
            k.stop()
            k.close()


# Against the captured replies.

@tap.test
def test_capture_srvr(ctx):
    """srvr of a fresh zkd equals the standalone 3.8 capture (version and packet counts masked)"""
    got = masked(four(FRESH_PORT, "srvr"), VERSION, PACKETS)
    want = masked(ctx.samples["standalone.srvr"], VERSION, PACKETS)
    same(got, want, "srvr")


@tap.test
def test_capture_stat(ctx):
    """stat of a fresh zkd has the line formats of the 3.8 stat capture and the standalone srvr lines"""
    got = masked(four(FRESH_PORT, "stat"), VERSION, PACKETS).split("\n")
    cap = masked(ctx.samples["follower.stat"], VERSION, PACKETS).split("\n")
    srvr = masked(ctx.samples["standalone.srvr"], VERSION,
                  PACKETS).split("\n")
    eq(got[:2], cap[:2], "version and Clients: lines")
    eq(shape(got[2]), shape(cap[2]), "client line")
    eq(got[3], "", "line after the clients")
    eq(got[4:], srvr[1:], "lines after the clients")


@tap.test
def test_capture_cons(ctx):
    """cons of a fresh zkd has the 3.8 capture's line format and trailing empty line"""
    got = four(FRESH_PORT, "cons").decode()
    cap = ctx.samples["follower.cons"].decode()
    eq(got.count("\n"), 2, "lines")
    eq(shape(got.split("\n")[0]), shape(cap.split("\n")[2]), "line format")
    eq(got.endswith(")\n\n"), cap.endswith(")\n\n"), "ends with empty line")


@tap.test
def test_capture_conf(ctx):
    """conf of a fresh zkd has the keys, order and value formats of the 3.8 capture (standalone part)"""
    got = four(FRESH_PORT, "conf").decode().split("\n")
    cap = ctx.samples["leader.conf"].decode().split("\n")
    # A standalone server stops after serverId; quorum keys follow it.
    n = [l.split("=")[0] for l in cap].index("serverId") + 1
    eq([l.split("=")[0] for l in got[:-1]],
       [l.split("=")[0] for l in cap[:n]], "keys")
    cap_shapes = [shape(masked(l.encode(), CONF_PLACES)) for l in cap[:n]]
    got_shapes = [shape(masked(l.encode(), CONF_PLACES)) for l in got[:-1]]
    # serverId: 3 in the ensemble capture, 0 for any standalone server.
    eq(got_shapes, cap_shapes, "value formats")
    eq(got[-1], "", "ends with a newline after serverId")
    eq(got[n - 1], "serverId=0", "a standalone server's id")


@tap.test
def test_capture_wchs(ctx):
    """wchs of a fresh zkd equals the 3.8 capture byte for byte"""
    eq(four(FRESH_PORT, "wchs"), ctx.samples["leader.wchs"], "wchs")


@tap.test
def test_capture_dirs(ctx):
    """dirs of a fresh zkd has the 3.8 capture's format"""
    eq(masked(four(FRESH_PORT, "dirs"), CONF_PLACES),
       masked(ctx.samples["leader.dirs"], CONF_PLACES), "dirs")


@tap.test
def test_capture_ruok_isro(ctx):
    """ruok and isro of a fresh zkd equal the 3.8 captures byte for byte (no newline)"""
    eq(four(FRESH_PORT, "ruok"), ctx.samples["leader.ruok"], "ruok")
    eq(four(FRESH_PORT, "isro"), ctx.samples["leader.isro"], "isro")


@tap.test
def test_capture_envi(ctx):
    """envi of a fresh zkd has the 3.8 capture's keys in order, and a 3.8 version"""
    got = four(FRESH_PORT, "envi").decode()
    cap = ctx.samples["leader.envi"].decode()
    keys = [l.split("=")[0] for l in got.split("\n")]
    eq(keys, [l.split("=")[0] for l in cap.split("\n")], "keys")
    if not re.search(r"^zookeeper\.version=3\.8\.\d+", got, re.M):
        raise AssertionError("not a 3.8 version: %r" % got)


@tap.test
def test_capture_mntr(ctx):
    """mntr of a fresh zkd has the standalone 3.8 capture's keys in order and its fresh-server values"""
    got = mntr_pairs(four(FRESH_PORT, "mntr"))
    cap = mntr_pairs(ctx.samples["standalone.mntr"])
    eq([k for k, _ in got], [k for k, _ in cap], "keys in order")
    # A fresh server: only these depend on the process and its polls.
    fresh_masked = {"zk_version", "zk_uptime", "zk_packets_sent",
                    "zk_packets_received", "zk_bytes_received_count",
                    "zk_open_file_descriptor_count",
                    "zk_max_file_descriptor_count"}
    bad = []
    for (k, v), (_, cv) in zip(got, cap):
        if k in fresh_masked:
            ok = re.fullmatch(r"\d+", v) is not None or k == "zk_version"
        elif SUMMARY_KEY.match(k) and k not in ("zk_avg_latency",
                                                "zk_min_latency",
                                                "zk_max_latency"):
            ok = mntr_value_ok(k, v)
        else:
            ok = v == cv
        if not ok:
            bad.append("%s: zkd %r, capture %r" % (k, v, cv))
    if bad:
        raise AssertionError("values differ:\n" + "\n".join(bad))


# Side by side with a live Apache 3.8.

def side(ctx, word, *rules):
    return (masked(ctx.side["zkd"][word], *rules),
            masked(ctx.side["apache"][word], *rules))


@tap.test
def test_side_srvr(ctx):
    """srvr after the same activity equals Apache's line by line (latency and packet counts masked)"""
    got, want = side(ctx, "srvr", VERSION, LATENCY, PACKETS)
    same(got, want, "srvr")


@tap.test
def test_side_stat(ctx):
    """stat after the same activity equals Apache's (clients in any order; ports, latency and packet counts masked)"""
    got, want = side(ctx, "stat", VERSION, LATENCY, PACKETS, PORTS)
    g, w = got.split("\n"), want.split("\n")
    gi, wi = g.index(""), w.index("")
    same("\n".join(g[:2] + sorted(g[2:gi]) + g[gi:]),
         "\n".join(w[:2] + sorted(w[2:wi]) + w[wi:]), "stat")


@tap.test
def test_side_cons(ctx):
    """cons after the same activity equals Apache's (connections in any order; ports, ids, clocks and latencies masked)"""
    got, want = side(ctx, "cons", PORTS, SIDS, CONS_TIMES, LATENCY, PACKETS)
    g, w = got.split("\n"), want.split("\n")
    eq(g[-2:], ["", ""], "ends with an empty line")
    same("\n".join(sorted(g[:-2])), "\n".join(sorted(w[:-2])), "cons")


def cons_field(data, name):
    return [int(v) for v in re.findall(name + r"=(\d+)", data.decode())]


@tap.test
def test_cons_clocks(ctx):
    """cons reports est on the wall clock and lresp on the monotonic clock, as Apache does"""
    for who in ("apache", "zkd"):
        data = ctx.side[who]["cons"]
        now = time.time() * 1000
        for est in cons_field(data, "est"):
            if abs(est - now) > 3600 * 1000:
                raise AssertionError("%s: est=%d is not the wall clock "
                                     "(now %d)" % (who, est, now))
        lo, hi = ctx.mono_ms[who]
        for lresp in cons_field(data, "lresp"):
            # Apache: Time.currentElapsedTime(), i.e. CLOCK_MONOTONIC ms,
            # taken at the last reply, which is before this cons.
            if not lo - 600 * 1000 <= lresp <= hi:
                raise AssertionError("%s: lresp=%d is not a monotonic "
                                     "reading in [%d, %d]" %
                                     (who, lresp, lo - 600000, hi))


@tap.test
def test_side_watches(ctx):
    """wchs, wchc and wchp after the same activity equal Apache's (paths in any order, ids masked)"""
    got, want = side(ctx, "wchs")
    same(got, want, "wchs")
    for w in ("wchc", "wchp"):
        got, want = side(ctx, w, SIDS)
        eq(got.endswith("\n\n"), want.endswith("\n\n"), w + " empty last line")
        same(group_lines(got), group_lines(want), w)


def group_lines(text):
    """wchc/wchp: each head line with its tab lines, groups sorted."""
    groups = []
    for line in text.split("\n"):
        if line.startswith("\t") and groups:
            groups[-1].append(line)
        elif line:
            groups.append([line])
    return "\n".join(sorted("\n".join([g[0]] + sorted(g[1:]))
                            for g in groups))


@tap.test
def test_side_dump(ctx):
    """dump after the same activity equals Apache's (dates, ids, ports masked; connections in any order)"""
    rules = (SIDS, PORTS, DATES)
    got, want = side(ctx, "dump", *rules)
    # Connection expiry buckets depend on when each connection was last
    # active; only the connections themselves are compared.
    g = got.split("Connections dump:\n")
    w = want.split("Connections dump:\n")
    # So do session buckets: a session touched across a tick boundary
    # leaves an emptied bucket ("0 expire at") until its time comes, on
    # both servers; the number of sets is masked and empty ones dropped.
    same(_sessions_part(g[0]), _sessions_part(w[0]),
         "dump: sessions and ephemerals")
    bucket = re.compile(r"^(Connections Sets \(|\d+ expire at )")
    gl = [l for l in g[1].split("\n") if not bucket.match(l)]
    wl = [l for l in w[1].split("\n") if not bucket.match(l)]
    same("\n".join(sorted(gl)), "\n".join(sorted(wl)), "dump: connections")
    total = re.compile(r"^Connections Sets \(\d+\)")
    eq(total.sub("Connections Sets (N)", g[1].split("\n")[0]),
       total.sub("Connections Sets (N)", w[1].split("\n")[0]),
       "connection count")


def _sessions_part(text):
    text = re.sub(r"Session Sets \(\d+\)", "Session Sets (N)", text)
    return "\n".join(l for l in text.split("\n")
                     if not l.startswith("0 expire at "))


@tap.test
def test_side_conf_dirs(ctx):
    """conf and dirs equal Apache's (ports, directories and their sizes masked)"""
    for w in ("conf", "dirs"):
        got, want = side(ctx, w, CONF_PLACES)
        same(got, want, w)


@tap.test
def test_side_short_words(ctx):
    """ruok, isro, gtmk, hash, crst and srst replies equal Apache's byte for byte"""
    for w in ("ruok", "isro", "gtmk", "hash", "crst", "srst"):
        eq(ctx.side["zkd"][w], ctx.side["apache"][w], w)


@tap.test
def test_side_trailing_newlines(ctx):
    """each word ends with a newline exactly when Apache's does (ruok, isro, gtmk never)"""
    bad = []
    for w in SIDE_WORDS:
        z = ctx.side["zkd"][w]
        a = ctx.side["apache"][w]
        if z.endswith(b"\n") != a.endswith(b"\n") or \
                z.endswith(b"\n\n") != a.endswith(b"\n\n"):
            bad.append("%s: zkd ends %r, Apache %r" % (w, z[-3:], a[-3:]))
    for w in ("ruok", "isro", "gtmk"):
        if ctx.side["apache"][w].endswith(b"\n"):
            bad.append("Apache's %s ends with a newline" % w)
    if bad:
        raise AssertionError("\n".join(bad))


# envi: the java.* values describe a JVM (zkd has none) and the memory
# lines the JVM heap; user.dir is each server's own temporary directory.
ENVI_MASKED = re.compile(r"^(java\.[\w.]+|os\.memory\.\w+|user\.dir|"
                         r"zookeeper\.version|host\.name)$")


@tap.test
def test_side_envi(ctx):
    """envi equals Apache's: same keys in order, same values but for the JVM's, memory and directories"""
    gl = ctx.side["zkd"]["envi"].decode().split("\n")
    wl = ctx.side["apache"]["envi"].decode().split("\n")
    eq([l.split("=")[0] for l in gl], [l.split("=")[0] for l in wl], "keys")
    for g, w in zip(gl, wl):
        key = g.split("=")[0]
        if ENVI_MASKED.match(key):
            if key.startswith("os.memory."):
                eq(re.fullmatch(r"os\.memory\.\w+=\d+MB", g) is not None,
                   True, "format of " + g)
            continue
        eq(g, w, key)


@tap.test
def test_side_envi_host_name(ctx):
    """envi host.name is the local host's canonical name, as Java reports it"""
    def host(who):
        return [l for l in ctx.side[who]["envi"].decode().split("\n")
                if l.startswith("host.name=")]
    eq(host("zkd"), host("apache"), "host.name")


def side_mntr(ctx, who):
    return mntr_pairs(ctx.side[who]["mntr"])


@tap.test
def test_side_mntr(ctx):
    """mntr after the same activity has Apache's fixed keys in order and equal values but for timings and process facts"""
    got = [(k, v) for k, v in side_mntr(ctx, "zkd")
           if not NAMESPACE_KEY.match(k)]
    want = [(k, v) for k, v in side_mntr(ctx, "apache")
            if not NAMESPACE_KEY.match(k)]
    eq([k for k, _ in got], [k for k, _ in want], "keys in order")
    bad = []
    for (k, v), (_, av) in zip(got, want):
        if k in MNTR_MASKED:
            ok = k == "zk_version" or mntr_value_ok(k, v)
        elif SUMMARY_KEY.match(k):
            ok = mntr_value_ok(k, v)
        else:
            ok = v == av
        if not ok:
            bad.append("%s: zkd %r, Apache %r" % (k, v, av))
    if bad:
        raise AssertionError("values differ:\n" + "\n".join(bad))
    delta = {}
    for who in ("apache", "zkd"):
        before = dict(mntr_pairs(ctx.mntr_before[who]))
        after = dict(side_mntr(ctx, who))
        delta[who] = (int(after["zk_bytes_received_count"]) -
                      int(before["zk_bytes_received_count"]))
    eq(delta["zkd"], delta["apache"], "bytes received during the activity")


@tap.test
def test_side_mntr_namespaces(ctx):
    """mntr after the same activity has Apache's per-namespace read/write summaries, after the fixed keys"""
    # DataTree.updateReadStat/updateWriteStat: one summary per top-level
    # path component, of path length + data bytes (+ a stat for reads).
    for who in ("apache", "zkd"):
        keys = [k for k, _ in side_mntr(ctx, who)]
        ns = [i for i, k in enumerate(keys) if NAMESPACE_KEY.match(k)]
        if ns and ns[0] != len(keys) - len(ns):
            raise AssertionError("%s: per-namespace keys among the fixed "
                                 "ones" % who)
    got = sorted((k, v) for k, v in side_mntr(ctx, "zkd")
                 if NAMESPACE_KEY.match(k))
    want = sorted((k, v) for k, v in side_mntr(ctx, "apache")
                  if NAMESPACE_KEY.match(k))
    eq(got, want, "per-namespace keys and values")


def mntr_values(ctx, keys):
    out = {}
    for who in ("apache", "zkd"):
        d = dict(side_mntr(ctx, who))
        out[who] = [(k, d.get(k)) for k in keys]
    return out


def srvr_count(data, name):
    return int(re.search(r"^%s: (\d+)$" % name, data.decode(), re.M).group(1))


@tap.test
def test_packet_counters(ctx):
    """packets received and sent during the same activity equal Apache's (srvr, stat, cons, mntr)"""
    bad = []
    counts = {}
    for who in ("apache", "zkd"):
        r = ctx.side[who]
        base = {n: srvr_count(ctx.srvr_before[who], n)
                for n in ("Received", "Sent")}
        c = []
        for w in ("srvr", "stat"):
            c += ["%s %s +%d" % (w, n, srvr_count(r[w], n) - base[n])
                  for n in ("Received", "Sent")]
        m = dict(mntr_pairs(r["mntr"]))
        c.append("mntr received +%d" %
                 (int(m["zk_packets_received"]) - base["Received"]))
        c.append("mntr sent +%d" %
                 (int(m["zk_packets_sent"]) - base["Sent"]))
        for w in ("stat", "cons"):
            c.append("%s %s" % (w, sorted(re.findall(
                r"recved=\d+,sent=\d+", r[w].decode()))))
        counts[who] = c
    for z, a in zip(counts["zkd"], counts["apache"]):
        if z != a:
            bad.append("zkd %s, Apache %s" % (z, a))
    if bad:
        raise AssertionError("\n".join(bad))


@tap.test
def test_response_sizes(ctx):
    """mntr response size counters equal Apache's (sizes without the length prefix)"""
    v = mntr_values(ctx, ["zk_last_client_response_size",
                          "zk_min_client_response_size",
                          "zk_max_client_response_size",
                          "zk_response_bytes"])
    eq(v["zkd"], v["apache"], "response sizes")


@tap.test
def test_pipeline_counters(ctx):
    """mntr pipeline counters of a standalone server equal Apache's (requests queued, no quorum commits)"""
    v = mntr_values(ctx, ["zk_commit_count",
                          "zk_prep_processor_request_queued",
                          "zk_sync_processor_request_queued"])
    eq(v["zkd"], v["apache"], "pipeline counters")


@tap.test
def test_srst_resets_metrics(ctx):
    """srst resets mntr's metrics (byte counts, response sizes, summaries) as Apache does"""
    # Apache's ServerStats.reset() also resets the response size stats
    # and every ServerMetrics counter and summary.
    got = mntr_pairs(ctx.side["zkd"]["mntr after srst"])
    want = dict(mntr_pairs(ctx.side["apache"]["mntr after srst"]))
    process = {"zk_version", "zk_uptime", "zk_open_file_descriptor_count",
               "zk_max_file_descriptor_count"}
    bad = ["%s: zkd %r, Apache %r" % (k, v, want.get(k)) for k, v in got
           if k not in process and v != want.get(k)]
    if bad:
        raise AssertionError("values differ:\n" + "\n".join(bad))


# Whitelist and unknown words.

REFUSAL = "%s is not executed because it is not in the whitelist.\n"


@tap.test
def test_whitelist_refusal(ctx):
    """with the default whitelist (srvr) every other word gets Apache's refusal line, srvr an answer"""
    for port, who in ((APACHE_WL_PORT, "Apache"), (ZKD_WL_PORT, "zkd")):
        for w in WORDS:
            got = four(port, w)
            if w == "srvr":
                if not got.startswith(b"Zookeeper version: "):
                    raise AssertionError("%s: srvr: %r" % (who, got))
            elif got != (REFUSAL % w).encode():
                raise AssertionError("%s: %s: %r" % (who, w, got))


def raw_word(port, data):
    """Sends data; returns (reply, closed by the server)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(data)
        out = b""
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                return out, True
            except socket.timeout:
                return out, False
            if not chunk:
                return out, True
            out += chunk


@tap.test
def test_unknown_word(ctx):
    """an unknown word gets an empty reply and a closed connection, as from Apache"""
    for port, who in ((APACHE_PORT, "Apache"), (ZKD_PORT, "zkd"),
                      (APACHE_WL_PORT, "Apache"), (ZKD_WL_PORT, "zkd")):
        for w in (b"xxxx", b"SRVR", b"kill"):
            eq(raw_word(port, w), (b"", True), "%s: %r" % (who, w))


@tap.test
def test_word_with_newline(ctx):
    """a word sent with a newline (echo srvr | nc) is answered as without it"""
    for port in (APACHE_WL_PORT, ZKD_WL_PORT):
        a = masked(raw_word(port, b"srvr\n")[0], LATENCY, PACKETS)
        b = masked(four(port, "srvr"), LATENCY, PACKETS)
        eq(a, b, "srvr\\n on port %d" % port)
        eq(raw_word(port, b"ruok\n")[0], (REFUSAL % "ruok").encode(),
           "ruok\\n on port %d" % port)


def setup():
    logging.basicConfig(level=logging.CRITICAL)
    ctx = Ctx()
    try:
        ctx.samples = load_samples()
        under_test = server_class()
        ctx.fresh = under_test(FRESH_PORT, SETTINGS)
        ctx.apache = ApacheSrvr(APACHE_PORT, SETTINGS)
        ctx.zkd = under_test(ZKD_PORT, SETTINGS)
        wl = dict(SETTINGS)
        wl["4lw.commands.whitelist"] = "srvr"
        ctx.apache_wl = ApacheSrvr(APACHE_WL_PORT, wl)
        ctx.zkd_wl = under_test(ZKD_WL_PORT, wl)
        for s in (ctx.fresh, ctx.apache, ctx.zkd, ctx.apache_wl, ctx.zkd_wl):
            ctx.servers.append(s)
            s.start()
        side_by_side(ctx)
    except BaseException:
        teardown(ctx)
        raise
    return ctx


def teardown(ctx):
    if ctx is None:
        return
    for s in ctx.servers:
        s.cleanup()


if __name__ == "__main__":
    tap.run(setup, teardown)
