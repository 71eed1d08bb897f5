# SPDX-License-Identifier: ISC
"""make bench: zkd and Apache ZooKeeper 3.8 side by side, one run, one machine.

Both implementations run as ensembles of real processes on loopback from
the very same zoo.cfg (tickTime 2000, initLimit 10, syncLimit 5: ZooKeeper's
defaults; forceSync on; data on the disk --tmpdir lies on), zkd as the
binary built here, Apache as Debian's `zookeeper` package runs it (plain
`java`, the JVM's default heap and collector, INFO logging to a file; its
admin HTTP server off, as several servers cannot share its port).  Every
figure is taken with the same tools, the implementations alternating
(zkd, Apache, zkd, Apache, ...) so that the machine's drift spreads over
both; the report gives the median and the min-max of the runs.

Per run of three servers ("core"):
  start      all servers spawned at once, until every one serves (srvr
             shows a Mode);
  rss idle   each server's VmRSS two seconds later;
  rss 100k   after 100,000 creates of 100 bytes (zkload, 16 x 32);
  load       zkload on every server at once (session i on server i mod
             3): create, setData, getData and exists of 100 bytes with 16
             sessions x 32 outstanding and with 1 x 1: ops/s, latency
             p50/p99/p999, and the CPU of the servers and of zkload (so
             the generator is seen not to be the bottleneck);
  catch-up   a follower killed, 10,000 creates, the follower restarted:
             until it serves with the leader's zxid;
  pause      the leader SIGSTOPped: until a create succeeds through a
             survivor (tried on all of them at once, see bench_launcher);
  kill       the leader SIGKILLed: the same.
Per run of 3, 5, 7 and 9 servers ("sizes"): start and kill as above.
Once per implementation with --big: 1,000,000 znodes of 100 bytes:
each server's RSS, the longest snapshot write (mntr zk_max_snapshottime),
and a follower's recovery (killed, restarted: until it serves the
leader's zxid: snapshot and log read back, then synced).

Output: a markdown table with the ratios zkd / Apache and the issue's
targets on stdout and in --md, every run and the summary in --json, and
SVG plots (gnuplot) of throughput, latency and failover in --plots.
Debian's zookeeper and gnuplot-nox are installed if missing (as root;
otherwise the apt-get line is printed).

Environment: ZKD and ZKLOAD (binaries), ZK_CFLAGS (to warn about a debug
or sanitizer build), PYTHONPATH with test/lib; JVMFLAGS is passed to
Apache's JVM as zkServer.sh does.  Ports (test/PORTS): zkd 22401-22429,
Apache 22431-22459 (--ports moves both).
"""
import argparse
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

from bench_launcher import first_write
from zkharness import four

PORTS = 22400
APACHE_CP = ":".join([
    "/etc/zookeeper/conf",
    "/usr/share/java/zookeeper.jar",
    "/usr/share/java/zookeeper-jute.jar",
    # slf4j's simple binding: without one Apache logs nothing at all.
    "/usr/share/java/slf4j-simple.jar",
])
IMPLS = ("zkd", "apache")
TITLES = {"zkd": "zkd", "apache": "Apache 3.8"}


def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


class Ensemble:
    """N servers of one implementation, one zoo.cfg each, all on loopback.
    Server i has client port base+i, quorum base+10+i, election base+20+i;
    zkd's base is --ports, Apache's 30 above."""

    def __init__(self, impl, n, root, args, settings=None):
        self.impl = impl
        self.n = n
        self.base = args.ports + (0 if impl == "zkd" else 30)
        self.args = args
        self.dir = tempfile.mkdtemp(prefix="%s-%d-" % (impl, n), dir=root)
        self.procs = {}
        self.logs = {}
        for i in self.sids():
            d = os.path.join(self.dir, "s%d" % i)
            os.makedirs(os.path.join(d, "data"))
            with open(os.path.join(d, "data", "myid"), "w") as f:
                f.write("%d\n" % i)
            cfg = {
                "tickTime": 2000, "initLimit": 10, "syncLimit": 5,
                "dataDir": os.path.join(d, "data"),
                "clientPort": self.port(i),
                "clientPortAddress": "127.0.0.1",
                "maxClientCnxns": 0,
                "4lw.commands.whitelist": "*",
            }
            cfg.update(settings or {})
            with open(os.path.join(d, "zoo.cfg"), "w") as f:
                for k, v in cfg.items():
                    f.write("%s=%s\n" % (k, v))
                for j in self.sids():
                    f.write("server.%d=127.0.0.1:%d:%d:participant\n" % (
                        j, self.base + 10 + j, self.base + 20 + j))

    def sids(self):
        return range(1, self.n + 1)

    def port(self, i):
        return self.base + i

    def spawn(self, i):
        d = os.path.join(self.dir, "s%d" % i)
        cfg = os.path.join(d, "zoo.cfg")
        if self.impl == "zkd":
            argv = [self.args.zkd, "-d", "-z", cfg]
        else:
            argv = (["java", "-Dzookeeper.admin.enableServer=false",
                     "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
                     "-Dorg.slf4j.simpleLogger.showDateTime=true",
                     "-cp", APACHE_CP] +
                    os.environ.get("JVMFLAGS", "").split() +
                    ["org.apache.zookeeper.server.quorum.QuorumPeerMain",
                     cfg])
        out = open(os.path.join(d, "server.log"), "ab")
        self.procs[i] = subprocess.Popen(argv, cwd=d, stdout=out,
                                         stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL)
        out.close()

    def srvr(self, i):
        """(mode, zxid) from srvr; mode None when not serving."""
        try:
            text = four(self.port(i), "srvr", timeout=2).decode(
                errors="replace")
        except OSError:
            return None, None
        m = re.search(r"^Mode: (\w+)", text, re.M)
        z = re.search(r"^Zxid: 0x([0-9a-f]+)", text, re.M)
        return (m.group(1) if m else None,
                int(z.group(1), 16) if z else None)

    def wait(self, cond, timeout, what):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for i, p in self.procs.items():
                if p is not None and p.poll() is not None:
                    raise RuntimeError("%s server %d exited (%d) while "
                                       "waiting for %s" % (self.impl, i,
                                                           p.returncode,
                                                           what))
            if cond():
                return time.monotonic()
            time.sleep(0.002)
        raise RuntimeError("%s: no %s within %d s" % (self.impl, what,
                                                      timeout))

    def serving(self, ids):
        return all(self.srvr(i)[0] is not None for i in ids)

    def running(self):
        return [i for i, p in self.procs.items() if p is not None]

    def wait_serving(self, ids=None, timeout=120):
        ids = list(ids or self.running())
        return self.wait(lambda: self.serving(ids), timeout,
                         "serving on %s" % ids)

    def leader(self):
        found = [i for i in self.running() if self.srvr(i)[0] == "leader"]
        return found[0] if len(found) == 1 else None

    def wait_leader(self, timeout=120):
        self.wait(lambda: self.leader() is not None and
                  self.serving(self.running()), timeout, "a leader")
        return self.leader()

    def pid(self, i):
        return self.procs[i].pid

    def rss_kb(self, i):
        with open("/proc/%d/status" % self.pid(i)) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return None

    def cpu_s(self, ids=None):
        """User plus system CPU seconds of the servers."""
        total = 0.0
        for i in ids or self.running():
            with open("/proc/%d/stat" % self.pid(i)) as f:
                fields = f.read().rpartition(")")[2].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf(
                "SC_CLK_TCK")
        return total

    def signal(self, i, sig):
        os.kill(self.pid(i), sig)

    def kill(self, i):
        p = self.procs[i]
        p.kill()
        p.wait()
        self.procs[i] = None

    def restart_until_caught_up(self, i, target, timeout, what):
        """Starts server i again; ms until it serves with zxid target."""
        t0 = time.monotonic()
        self.spawn(i)
        done = self.wait(lambda: self.srvr(i)[0] is not None and
                         self.srvr(i)[1] >= target, timeout, what)
        return (done - t0) * 1000

    def hosts(self, ids=None):
        return ",".join("127.0.0.1:%d" % self.port(i)
                        for i in (ids or self.running()))

    def mntr(self, i):
        out = {}
        for line in four(self.port(i), "mntr").decode(
                errors="replace").splitlines():
            k, _, v = line.partition("\t")
            out[k] = v
        return out

    def close(self):
        for i, p in self.procs.items():
            if p is not None:
                try:
                    p.send_signal(signal.SIGCONT)
                except OSError:
                    pass
                p.kill()
                p.wait()
        self.procs = {}
        if not self.args.keep:
            shutil.rmtree(self.dir, ignore_errors=True)


def zkload(args, hosts, op, sessions, depth, duration=None, count=None,
           warmup=None, payload=100, label=""):
    argv = [args.zkload, "-s", hosts, "-o", op, "-c", str(sessions),
            "-k", str(depth), "-b", str(payload), "-l", label]
    if count is not None:
        argv += ["-n", str(count), "-w", "0"]
    else:
        argv += ["-d", str(duration), "-w", str(warmup)]
    proc = subprocess.run(argv, stdout=subprocess.PIPE, timeout=3600)
    try:
        out = json.loads(proc.stdout.decode())
    except ValueError:
        out = None
    if proc.returncode != 0 or out is None:
        raise RuntimeError("zkload %s failed (exit %d): %s" % (
            " ".join(argv[1:]), proc.returncode, proc.stdout[-300:]))
    return out


WORKLOADS = [(op, s, k) for s, k in ((16, 32), (1, 1))
             for op in ("create", "setData", "getData", "exists")]


def workload_name(op, s, k):
    return "%s %dx%d" % (op, s, k)


def timed(fn):
    t0 = time.monotonic()
    fn()
    return (time.monotonic() - t0) * 1000


def failover(ens, sig, tag):
    """The leader gets sig; ms until a create succeeds through a survivor."""
    leader = ens.wait_leader()
    others = [ens.port(i) for i in ens.running() if i != leader]
    t0 = time.monotonic()
    ens.signal(leader, sig)
    done = first_write(others, tag, t0 + 120)
    if done is None:
        raise RuntimeError("%s: no write within 120 s of the leader's %s"
                           % (ens.impl, signal.Signals(sig).name))
    return leader, (done - t0) * 1000


def run_core(args, impl, rep):
    rec = {"impl": impl, "rep": rep, "n": 3}
    ens = Ensemble(impl, 3, args.tmpdir, args)
    try:
        t0 = time.monotonic()
        for i in ens.sids():
            ens.spawn(i)
        rec["start_ms"] = (ens.wait_serving(ens.sids()) - t0) * 1000
        ens.wait_leader()
        time.sleep(2)
        rec["rss_idle_kb"] = [ens.rss_kb(i) for i in ens.sids()]
        zkload(args, ens.hosts(), "create", 16, 32, count=100000,
               label="100k")
        ens.wait(lambda: len({ens.srvr(i)[1] for i in ens.sids()}) == 1,
                 60, "equal zxids")
        rec["rss_100k_kb"] = [ens.rss_kb(i) for i in ens.sids()]
        rec["load"] = {}
        for op, s, k in WORKLOADS:
            name = workload_name(op, s, k)
            cpu0, w0 = ens.cpu_s(), time.monotonic()
            z = zkload(args, ens.hosts(), op, s, k,
                       duration=args.duration, warmup=args.warmup,
                       label="%s/%s/%d" % (name, impl, rep))
            cpu1, w1 = ens.cpu_s(), time.monotonic()
            rec["load"][name] = {
                "ops_per_s": z["ops_per_s"],
                "latency_us": z["latency_us"],
                "zkload_cpu_percent": z["cpu"]["percent"],
                "servers_cpu_percent": 100 * (cpu1 - cpu0) / (w1 - w0),
            }
        # A follower misses 10,000 writes.
        leader = ens.wait_leader()
        follower = [i for i in ens.sids() if i != leader][0]
        ens.kill(follower)
        zkload(args, ens.hosts([leader]), "create", 16, 32, count=10000,
               label="catch-up")
        rec["catchup_ms"] = ens.restart_until_caught_up(
            follower, ens.srvr(leader)[1], 120, "the follower's catch-up")
        leader, rec["pause_ms"] = failover(ens, signal.SIGSTOP,
                                           "p%s%d" % (impl, rep))
        ens.signal(leader, signal.SIGCONT)
        ens.wait_serving(timeout=120)
        _, rec["kill_ms"] = failover(ens, signal.SIGKILL,
                                     "k%s%d" % (impl, rep))
    finally:
        ens.close()
    return rec


def run_size(args, impl, n, rep):
    rec = {"impl": impl, "rep": rep, "n": n}
    ens = Ensemble(impl, n, args.tmpdir, args)
    try:
        t0 = time.monotonic()
        for i in ens.sids():
            ens.spawn(i)
        rec["start_ms"] = (ens.wait_serving(ens.sids()) - t0) * 1000
        _, rec["kill_ms"] = failover(ens, signal.SIGKILL,
                                     "n%s%d%d" % (impl, n, rep))
    finally:
        ens.close()
    return rec


def run_big(args, impl):
    rec = {"impl": impl, "n": 3, "znodes": args.big}
    ens = Ensemble(impl, 3, args.tmpdir, args)
    try:
        for i in ens.sids():
            ens.spawn(i)
        ens.wait_serving(ens.sids())
        leader = ens.wait_leader()
        z = zkload(args, ens.hosts(), "create", 16, 32, count=args.big,
                   label="big")
        rec["create_ops_per_s"] = z["ops_per_s"]
        ens.wait(lambda: len({ens.srvr(i)[1] for i in ens.sids()}) == 1,
                 300, "equal zxids")
        rec["rss_kb"] = [ens.rss_kb(i) for i in ens.sids()]
        rec["max_snapshot_ms"] = [int(ens.mntr(i).get(
            "zk_max_snapshottime", "0") or 0) for i in ens.sids()]
        follower = [i for i in ens.sids() if i != leader][0]
        target = ens.srvr(leader)[1]
        ens.kill(follower)
        rec["recovery_ms"] = ens.restart_until_caught_up(
            follower, target, 600, "the follower's recovery")
    finally:
        ens.close()
    return rec


# Summary ---------------------------------------------------------------

def stats(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values),
            "max": max(values), "runs": len(values)}


def metric_values(records, impl, key, n=3):
    out = []
    for r in records:
        if r["impl"] != impl or r.get("n") != n or "error" in r:
            continue
        v = key(r)
        if isinstance(v, list):
            out.extend(v)
        elif v is not None:
            out.append(v)
    return out


# (name, section, unit, value of a record, lower is better, target ratio)
def metrics():
    m = [
        ("cold start, 3 servers", "core", "ms", lambda r: r.get("start_ms"),
         True, 1 / 20),
        ("kill -9 leader to a write, 3 servers", "core", "ms",
         lambda r: r.get("kill_ms"), True, 1 / 4),
        ("SIGSTOP leader to a write", "core", "ms",
         lambda r: r.get("pause_ms"), True, 1 / 2),
        ("follower restarted after 10k writes, to serving them", "core",
         "ms", lambda r: r.get("catchup_ms"), True, None),
        ("RSS per server, idle", "core", "MB",
         lambda r: [x / 1024 for x in r.get("rss_idle_kb", [])], True,
         1 / 20),
        ("RSS per server, 100k znodes of 100 B", "core", "MB",
         lambda r: [x / 1024 for x in r.get("rss_100k_kb", [])], True,
         1 / 8),
    ]
    for op, s, k in WORKLOADS:
        name = workload_name(op, s, k)
        write = op in ("create", "setData")
        m.append(("%s ops/s" % name, "core", "ops/s",
                  lambda r, n=name: r.get("load", {}).get(n, {}).get(
                      "ops_per_s"), False, 2 if write else 3))
        for p in ("p50", "p99", "p999"):
            m.append(("%s %s latency" % (name, p), "core", "us",
                      lambda r, n=name, p=p: (r.get("load", {}).get(n, {})
                                              .get("latency_us") or {})
                      .get(p), True, 1 / 2 if p == "p99" else None))
        m.append(("%s zkload CPU" % name, "core", "%",
                  lambda r, n=name: r.get("load", {}).get(n, {}).get(
                      "zkload_cpu_percent"), None, None))
        m.append(("%s servers' CPU" % name, "core", "%",
                  lambda r, n=name: r.get("load", {}).get(n, {}).get(
                      "servers_cpu_percent"), None, None))
    return m


def summarize(records, sizes, big):
    rows = []
    for name, _, unit, key, lower, target in metrics():
        z = stats(metric_values(records, "zkd", key))
        a = stats(metric_values(records, "apache", key))
        rows.append(row(name, unit, z, a, lower, target))
    for n in sizes:
        if n == 3:
            continue        # the first two rows
        for what, key, target in (("cold start", "start_ms", None),
                                  ("kill -9 leader to a write", "kill_ms",
                                   None)):
            recs = [r for r in records if r.get("n") == n and
                    "znodes" not in r]
            z = stats(metric_values(recs, "zkd", lambda r: r.get(key), n))
            a = stats(metric_values(recs, "apache", lambda r: r.get(key),
                                    n))
            rows.append(row("%s, %d servers" % (what, n), "ms", z, a, True,
                            target))
    for what, unit, key in (
            ("%d znodes: RSS per server" % big, "MB",
             lambda r: [x / 1024 for x in r.get("rss_kb", [])]),
            ("%d znodes: longest snapshot write" % big, "ms",
             lambda r: r.get("max_snapshot_ms")),
            ("%d znodes: follower restarted, to serving" % big, "ms",
             lambda r: r.get("recovery_ms")),
            ("%d znodes: create ops/s (16x32)" % big, "ops/s",
             lambda r: r.get("create_ops_per_s"))):
        recs = [r for r in records if "znodes" in r]
        if not recs:
            continue
        z = stats(metric_values(recs, "zkd", key))
        a = stats(metric_values(recs, "apache", key))
        rows.append(row(what, unit, z, a, unit != "ops/s", None))
    return rows


def row(name, unit, z, a, lower, target):
    ratio = (z["median"] / a["median"] if z and a and a["median"] else
             None)
    met = None
    if ratio is not None and target is not None:
        met = ratio <= target if lower else ratio >= target
    return {"metric": name, "unit": unit, "zkd": z, "apache": a,
            "ratio": ratio, "lower_is_better": lower, "target": target,
            "met": met}


def fmt_stat(s, unit):
    if s is None:
        return "-"
    spec = "%.1f" if unit in ("MB", "%") else "%.0f"
    if s["runs"] == 1:
        return spec % s["median"]
    return (spec + " (" + spec + "-" + spec + ")") % (
        s["median"], s["min"], s["max"])


def fmt_target(r):
    t = r["target"]
    if t is None:
        return ""
    goal = ("<= %.3g" if r["lower_is_better"] else ">= %.3g") % t
    return goal + (" yes" if r["met"] else " **no**")


def markdown(rows, head):
    out = [head, "",
           "| metric | unit | zkd median (min-max) | Apache median "
           "(min-max) | zkd / Apache | target |",
           "|---|---|--:|--:|--:|---|"]
    for r in rows:
        ratio = "-" if r["ratio"] is None else "%.3g" % r["ratio"]
        out.append("| %s | %s | %s | %s | %s | %s |" % (
            r["metric"], r["unit"], fmt_stat(r["zkd"], r["unit"]),
            fmt_stat(r["apache"], r["unit"]), ratio, fmt_target(r)))
    return "\n".join(out)


# Plots -----------------------------------------------------------------

def plots(rows, sizes, outdir):
    """SVGs through gnuplot; returns the files written."""
    if shutil.which("gnuplot") is None:
        log("no gnuplot: no plots")
        return []
    os.makedirs(outdir, exist_ok=True)
    by = {r["metric"]: r for r in rows}

    def med(name, impl):
        r = by.get(name)
        return r[impl]["median"] if r and r[impl] else float("nan")

    files = []
    # Throughput, one cluster of bars a workload.
    dat = os.path.join(outdir, "throughput.dat")
    with open(dat, "w") as f:
        f.write("workload zkd apache\n")
        for op, s, k in WORKLOADS:
            n = workload_name(op, s, k)
            f.write('"%s" %g %g\n' % (n, med(n + " ops/s", "zkd"),
                                      med(n + " ops/s", "apache")))
    files.append(gnuplot(outdir, "throughput", dat, """
set title "Throughput, 3 servers, 100-byte payloads (median)"
set ylabel "operations per second"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set xtics rotate by -30
set key top right
plot DAT using 2:xtic(1) title "zkd", '' using 3 title "Apache 3.8"
"""))
    # Latency percentiles, log scale.
    dat = os.path.join(outdir, "latency.dat")
    with open(dat, "w") as f:
        f.write("what zkd apache\n")
        for op, s, k in WORKLOADS:
            n = workload_name(op, s, k)
            for p in ("p50", "p99", "p999"):
                m = "%s %s latency" % (n, p)
                f.write('"%s %s" %g %g\n' % (n, p, med(m, "zkd"),
                                             med(m, "apache")))
    files.append(gnuplot(outdir, "latency", dat, """
set title "Latency percentiles, 3 servers (median of runs)"
set ylabel "microseconds"
set logscale y
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set xtics rotate by -45 font ",8"
plot DAT using 2:xtic(1) title "zkd", '' using 3 title "Apache 3.8"
"""))
    # Failover timeline against the ensemble's size.
    dat = os.path.join(outdir, "failover.dat")
    with open(dat, "w") as f:
        f.write("n zkd_start apache_start zkd_kill apache_kill\n")
        for n in sizes:
            f.write("%d %g %g %g %g\n" % (
                n, med("cold start, %d servers" % n, "zkd"),
                med("cold start, %d servers" % n, "apache"),
                med("kill -9 leader to a write, %d servers" % n, "zkd"),
                med("kill -9 leader to a write, %d servers" % n,
                    "apache")))
    files.append(gnuplot(outdir, "failover", dat, """
set title "Until serving, until a write after the leader's death"
set xlabel "servers"
set ylabel "milliseconds"
set logscale y
set key outside bottom center horizontal
set xtics 2
plot DAT using 1:2 with linespoints title "zkd start", \\
     DAT using 1:3 with linespoints title "Apache start", \\
     DAT using 1:4 with linespoints title "zkd kill -9 leader", \\
     DAT using 1:5 with linespoints title "Apache kill -9 leader"
"""))
    return [f for f in files if f]


def gnuplot(outdir, name, dat, script):
    svg = os.path.join(outdir, name + ".svg")
    text = ('set terminal svg size 900,500 dynamic font "sans,11"\n'
            'set output "%s"\nDAT = "%s"\nset grid ytics\n' % (svg, dat) +
            script)
    proc = subprocess.run(["gnuplot"], input=text, text=True,
                          capture_output=True)
    if proc.returncode != 0:
        log("gnuplot %s: %s" % (name, proc.stderr.strip()))
        return None
    return svg


# Set-up ----------------------------------------------------------------

def ensure_packages():
    """Debian's zookeeper (and gnuplot-nox for the plots) in place."""
    need = []
    if not os.path.exists("/usr/share/java/zookeeper.jar"):
        need.append("zookeeper")
    if not os.path.exists("/usr/share/java/slf4j-simple.jar"):
        need.append("libslf4j-java")
    if shutil.which("gnuplot") is None:
        need.append("gnuplot-nox")
    if not need:
        return True
    line = "apt-get install -y --no-install-recommends " + " ".join(need)
    if os.geteuid() != 0:
        log("missing packages; as root: " + line)
        return "zookeeper" not in need and "libslf4j-java" not in need
    log("installing " + " ".join(need))
    return subprocess.run(line.split()).returncode == 0


def machine():
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) // 1024
    java = subprocess.run(["java", "-version"], capture_output=True,
                          text=True).stderr.splitlines()
    return {"cpus": os.cpu_count(), "cpu": model, "mem_mb": mem,
            "kernel": platform.release(), "java": java[0] if java else "",
            "loadavg_1m": os.getloadavg()[0]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3,
                    help="runs of each implementation; medians reported")
    ap.add_argument("--duration", type=float, default=3,
                    help="measured seconds of each load")
    ap.add_argument("--warmup", type=float, default=1)
    ap.add_argument("--sizes", default="3,5,7,9")
    ap.add_argument("--big", type=int, default=1000000,
                    help="znodes of the big run (0: none)")
    ap.add_argument("--only", choices=("core", "sizes", "big"),
                    action="append", help="parts to run (default all)")
    ap.add_argument("--json", default="bench-versus.json")
    ap.add_argument("--md", default="bench-versus.md")
    ap.add_argument("--plots", default="bench-plots")
    ap.add_argument("--tmpdir", default=".")
    ap.add_argument("--ports", type=int, default=PORTS,
                    help="first of the 60 ports used (test/PORTS)")
    ap.add_argument("--keep", action="store_true",
                    help="keep the servers' directories")
    ap.add_argument("--from", dest="replay", metavar="JSON",
                    help="measure nothing: report the runs of an earlier "
                    "--json file again (table and plots)")
    ap.add_argument("--zkd", default=os.environ.get("ZKD", "zkd"))
    ap.add_argument("--zkload", default=os.environ.get("ZKLOAD", "zkload"))
    args = ap.parse_args()
    args.zkd = os.path.abspath(args.zkd)
    args.zkload = os.path.abspath(args.zkload)
    args.tmpdir = os.path.abspath(args.tmpdir)
    parts = args.only or ["core", "sizes", "big"]
    sizes = [int(x) for x in args.sizes.split(",")]
    if args.replay:
        with open(args.replay) as f:
            old = json.load(f)
        rows = summarize(old["results"], sizes, args.big)
        md = markdown(rows, old.get("title", "zkd and Apache ZooKeeper 3.8 "
                                    "side by side"))
        with open(args.md, "w") as f:
            f.write(md + "\n")
        print(md)
        plots(rows, sizes, args.plots)
        return 0
    if not ensure_packages():
        return 2
    flags = os.environ.get("ZK_CFLAGS", "")
    notes = []
    if "-O0" in flags.split() or "-fsanitize" in flags:
        notes.append("zkd built with '%s': configure without "
                     "--enable-debug/--enable-asan for real figures"
                     % flags.strip())
    if os.getloadavg()[0] > 1.0:
        notes.append("load average %.1f at the start: other work shares "
                      "the machine" % os.getloadavg()[0])
    for n in notes:
        log("warning: " + n)

    records = []

    def attempt(what, fn, *a):
        log("%s %s" % (what, " ".join(str(x) for x in a[1:])))
        try:
            rec = fn(args, *a)
        except (RuntimeError, OSError, subprocess.SubprocessError) as e:
            rec = {"impl": a[0], "part": what, "error": str(e)}
            if what == "sizes":
                rec["n"] = a[1]
            log("failed: %s" % e)
        rec["part"] = what
        records.append(rec)

    for rep in range(1, args.runs + 1):
        for impl in IMPLS:
            if "core" in parts:
                attempt("core", run_core, impl, rep)
            if "sizes" in parts:
                for n in sizes:
                    if n != 3 or "core" not in parts:
                        attempt("sizes", run_size, impl, n, rep)
    if "big" in parts and args.big > 0:
        for impl in IMPLS:
            attempt("big", run_big, impl)

    rows = summarize(records, sizes if "sizes" in parts or "core" in parts
                     else [], args.big)
    host = machine()
    head = ("zkd and Apache ZooKeeper 3.8 side by side: %d runs each, "
            "alternating; %d cores (%s), %d MB; %s; tickTime 2000, "
            "initLimit 10, syncLimit 5, fsync on" % (
                args.runs, host["cpus"], host["cpu"], host["mem_mb"],
                host["java"]))
    md = markdown(rows, head)
    svgs = plots(rows, sizes, args.plots)
    with open(args.json, "w") as f:
        json.dump({"tool": "zkensemble bench versus", "title": head,
                   "date": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                         time.gmtime()),
                   "host": host, "zkd": args.zkd, "cflags": flags.strip(),
                   "runs": args.runs, "duration_s": args.duration,
                   "warmup_s": args.warmup, "notes": notes,
                   "summary": rows, "results": records,
                   "plots": svgs}, f, indent=1)
        f.write("\n")
    with open(args.md, "w") as f:
        f.write(md + "\n")
    print(md)
    print()
    for n in notes:
        print("note: " + n)
    print("every run: %s; plots: %s" % (args.json, " ".join(svgs) or
                                        "none"))
    bad = [r for r in records if "error" in r]
    if bad:
        log("%d of %d runs failed" % (len(bad), len(records)))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
