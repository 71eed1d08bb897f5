# SPDX-License-Identifier: ISC
"""make bench: zkd's write throughput, with and without group commit.

Each workload (zkload's op, sessions x requests in flight, payload) runs
against each server configuration, the configurations alternating
(A B A B ...) so that a drift of the machine spreads over all of them;
every run gets a fresh zkd on a fresh data directory under --tmpdir (on
the disk the build lives on, fsync on, as a user would run it).  A run
records zkload's JSON and, from mntr before and after, how many fsyncs
the server made (zk_cnt_fsynctime) for how many txns
(zk_sum_sync_processor_batch_size) and how long they took on average
(zk_sum_fsynctime over zk_cnt_fsynctime: each fsync is timed in whole
milliseconds, but over many of them the mean is fair).  The report is
the median of the runs of each cell: a markdown table on stdout, every
run and the medians in the --json file.

The configurations:
  batch1  maxBatchSize=1: one fsync per txn
  group   the default: one fsync for all the txns of a loop turn

Environment: ZKD and ZKLOAD (binaries), ZK_CFLAGS (the build's flags,
to warn about debug and sanitizer builds), PYTHONPATH with test/lib.
Port 21940 (test/PORTS gives 21940-21949 to the benchmarks).
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

from zkharness import Zkd, four

PORT = 21940


class Config:
    """A server and its zoo.cfg settings."""

    def __init__(self, name, title, server, settings):
        self.name = name
        self.title = title
        self.server = server
        self.settings = settings


class Workload:
    """One zkload command line."""

    def __init__(self, op, sessions, depth, payload):
        self.op = op
        self.sessions = sessions
        self.depth = depth
        self.payload = payload

    @property
    def name(self):
        return "%s %dB %dx%d" % (self.op, self.payload, self.sessions,
                                 self.depth)


# Every server allows as many connections as a workload opens.
COMMON = {"maxClientCnxns": 0}

CONFIGS = [
    Config("batch1", "maxBatchSize=1 (fsync per txn)", Zkd,
           dict(COMMON, maxBatchSize=1)),
    Config("group", "group commit (default)", Zkd, dict(COMMON)),
]

WORKLOADS = [
    Workload("create", 16, 32, 100),
    Workload("create", 1, 1, 100),
]


def mntr(port):
    """The mntr reply as a dict of strings."""
    out = {}
    for line in four(port, "mntr").decode(errors="replace").splitlines():
        k, _, v = line.partition("\t")
        out[k] = v
    return out


def delta(before, after, key):
    try:
        return int(after[key]) - int(before[key])
    except (KeyError, ValueError):
        return None


def cpu_seconds(pid):
    """User plus system CPU seconds of a process, from /proc."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf(
            "SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def fs_type(path):
    """The file system type holding path, from /proc/mounts."""
    path = os.path.realpath(path)
    best, kind = "", "unknown"
    try:
        with open("/proc/mounts") as f:
            for line in f:
                fields = line.split()
                mnt = fields[1]
                if (path == mnt or path.startswith(mnt.rstrip("/") + "/")) \
                        and len(mnt) >= len(best):
                    best, kind = mnt, fields[2]
    except OSError:
        pass
    return kind


def run_one(args, config, work, rep):
    """One zkd, one zkload run; returns the run's record."""
    load = os.getloadavg()[0]
    server = config.server(args.port, config.settings)
    try:
        server.start()
        before = mntr(args.port)
        cpu0, t0 = cpu_seconds(server.proc.pid), time.monotonic()
        argv = [args.zkload, "-s", "127.0.0.1:%d" % args.port,
                "-o", work.op, "-c", str(work.sessions),
                "-k", str(work.depth), "-b", str(work.payload),
                "-d", str(args.duration), "-w", str(args.warmup),
                "-l", "%s/%s/%d" % (work.name, config.name, rep)]
        proc = subprocess.run(argv, stdout=subprocess.PIPE, timeout=(
            args.duration + args.warmup + 120))
        cpu1, t1 = cpu_seconds(server.proc.pid), time.monotonic()
        after = mntr(args.port)
        alive = server.alive()
    finally:
        server.cleanup()
    rec = {"workload": work.name, "config": config.name, "run": rep,
           "exit": proc.returncode, "server_alive": alive,
           "loadavg_1m_before": load}
    try:
        rec["zkload"] = json.loads(proc.stdout.decode())
    except ValueError:
        rec["zkload"] = None
    fsyncs = delta(before, after, "zk_cnt_fsynctime")
    txns = delta(before, after, "zk_sum_sync_processor_batch_size")
    fsync_ms = delta(before, after, "zk_sum_fsynctime")
    rec["server"] = {
        # over the whole zkload run: connect, set-up, warm-up, drain
        "cpu_percent": 100 * (cpu1 - cpu0) / (t1 - t0)
        if cpu0 is not None and cpu1 is not None else None,
        "fsyncs": fsyncs,
        "txns": txns,
        "fsync_ms": fsync_ms,
        "fsyncs_per_txn": fsyncs / txns if fsyncs is not None and txns
        else None,
        "avg_fsync_ms": fsync_ms / fsyncs if fsync_ms is not None and
        fsyncs else None,
    }
    return rec


def failed(rec):
    z = rec["zkload"]
    return (rec["exit"] != 0 or not rec["server_alive"] or z is None or
            z["errors"] != 0 or z["lost_sessions"] != 0)


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def lat(z, key):
    """A latency of a zkload run, None if no reply came in its window."""
    return z["latency_us"][key] if z["latency_us"] else None


def summarize(records):
    """The medians of every (workload, config) cell, in table order."""
    cells = []
    for work in WORKLOADS:
        for config in CONFIGS:
            runs = [r for r in records if r["workload"] == work.name and
                    r["config"] == config.name and not failed(r)]
            z = [r["zkload"] for r in runs]
            s = [r["server"] for r in runs]
            cells.append({
                "workload": work.name, "config": config.name,
                "runs": len(runs),
                "ops_per_s": median([x["ops_per_s"] for x in z]),
                "p50_us": median([lat(x, "p50") for x in z]),
                "p99_us": median([lat(x, "p99") for x in z]),
                "p999_us": median([lat(x, "p999") for x in z]),
                "zkload_cpu_percent": median([x["cpu"]["percent"]
                                              for x in z]),
                "server_cpu_percent": median([x["cpu_percent"]
                                              for x in s]),
                "fsyncs_per_txn": median([x["fsyncs_per_txn"] for x in s]),
                "avg_fsync_ms": median([x["avg_fsync_ms"] for x in s]),
            })
    return cells


def fmt(v, spec):
    return "-" if v is None else spec % v


def table(cells):
    lines = [
        "| workload | commit | ops/s | p50 us | p99 us | p999 us "
        "| fsyncs/txn | fsync ms | zkd CPU | zkload CPU |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    titles = {c.name: c.title for c in CONFIGS}
    for c in cells:
        lines.append("|" + " %s |" * 10 % (
            c["workload"], titles[c["config"]], fmt(c["ops_per_s"], "%.0f"),
            fmt(c["p50_us"], "%.0f"), fmt(c["p99_us"], "%.0f"),
            fmt(c["p999_us"], "%.0f"), fmt(c["fsyncs_per_txn"], "%.4f"),
            fmt(c["avg_fsync_ms"], "%.2f"),
            fmt(c["server_cpu_percent"], "%.0f%%"),
            fmt(c["zkload_cpu_percent"], "%.0f%%")))
    for work in WORKLOADS:
        ops = {c["config"]: c["ops_per_s"] for c in cells
               if c["workload"] == work.name}
        if ops.get("batch1") and ops.get("group"):
            lines.append("")
            lines.append("%s: group commit gives %.1fx the throughput of "
                         "one fsync per txn" % (work.name,
                                                ops["group"] / ops["batch1"]))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3,
                    help="runs of each cell; the median is reported")
    ap.add_argument("--duration", type=float, default=5,
                    help="measured seconds per run")
    ap.add_argument("--warmup", type=float, default=1,
                    help="warm-up seconds per run")
    ap.add_argument("--port", type=int, default=PORT)
    ap.add_argument("--json", default="bench-results.json",
                    help="where to write every run and the medians")
    ap.add_argument("--tmpdir", default=".",
                    help="where the servers' data directories go")
    ap.add_argument("--zkload", default=os.environ.get("ZKLOAD", "zkload"))
    args = ap.parse_args()
    if not 21940 <= args.port <= 21949:
        ap.error("--port must be within 21940-21949 (test/PORTS)")

    # zkharness makes its directories with tempfile: on our disk, not /tmp.
    tempfile.tempdir = os.path.abspath(args.tmpdir)
    fs = fs_type(tempfile.tempdir)
    cflags = os.environ.get("ZK_CFLAGS", "")
    notes = []
    if fs in ("tmpfs", "ramfs"):
        notes.append("data directories on %s: fsync costs nothing there"
                     % fs)
    if "-O0" in cflags.split() or "-fsanitize" in cflags:
        notes.append("zkd built with '%s': configure without "
                     "--enable-debug/--enable-asan for real figures"
                     % cflags.strip())
    load = os.getloadavg()[0]
    if load > 1.0:
        notes.append("load average %.1f before the first run: other work "
                     "shares the machine, figures will be noisy" % load)
    for n in notes:
        print("bench: warning: " + n, file=sys.stderr)

    records = []
    for work in WORKLOADS:
        for rep in range(1, args.runs + 1):
            for config in CONFIGS:
                print("bench: %s, %s, run %d/%d" % (
                    work.name, config.name, rep, args.runs),
                    file=sys.stderr, flush=True)
                records.append(run_one(args, config, work, rep))
                if failed(records[-1]):
                    print("bench: run failed: %s" % json.dumps(records[-1]),
                          file=sys.stderr)

    cells = summarize(records)
    result = {
        "tool": "zkensemble bench",
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "host": {"cpus": os.cpu_count(), "kernel": platform.release(),
                 "machine": platform.machine(), "fs": fs,
                 "loadavg_1m_start": load,
                 "loadavg_1m_end": os.getloadavg()[0]},
        "zkd": os.environ.get("ZKD", "zkd"),
        "zk_cflags": cflags.strip(),
        "runs": args.runs, "duration_s": args.duration,
        "warmup_s": args.warmup,
        "configs": {c.name: {"title": c.title, "server": c.server.__name__,
                             "settings": c.settings} for c in CONFIGS},
        "notes": notes,
        "summary": cells,
        "results": records,
    }
    with open(args.json, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")

    print()
    print("zkd write throughput, %d cores, data on %s; median of %d runs "
          "of %gs (after %gs warm-up)" % (os.cpu_count(), fs, args.runs,
                                          args.duration, args.warmup))
    print()
    print(table(cells))
    print()
    for n in notes:
        print("note: " + n)
    print("every run: %s" % args.json)
    bad = [r for r in records if failed(r)]
    if bad:
        print("bench: %d of %d runs failed" % (len(bad), len(records)),
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
