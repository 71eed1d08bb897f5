# SPDX-License-Identifier: ISC
"""make bench: zkensemble up until serving; a write after the leader hangs or dies.

For each ensemble size N (3, 5, 7, 9 by default), --runs times:

  up       `zkensemble up -d -n N -p auto` timed from the command's start
           to its return (it returns once every server serves), and the
           supervisor's own "serving" event (ms from its start);
  pause    with the ensemble serving, the leader gets SIGSTOP (a leader
           that hangs: the default profile must replace it within a
           second); from just before, creates go to every other server
           as below until the first success; then SIGCONT, and a wait
           until a new leader serves;
  failover with the ensemble serving and a session on every survivor,
           the leader gets SIGKILL (os.kill of the pid `status -j`
           names); from just before the kill, each survivor is sent
           creates, one connection each, until the first success: the
           time to it is the failover (a write accepted again);
  down     then `zkensemble down`.

Survivors are tried together (non-blocking sockets, select): a server
that is not serving closes its connections or does not answer, and is
dialled again.  The report is the median and the worst of the runs of
each N: a markdown table on stdout, every run in the --json file.

Environment: ZKENSEMBLE and ZKD (binaries), ZK_CFLAGS (to warn about
debug and sanitizer builds), PYTHONPATH with test/lib.  Ports: -p auto.
"""
import argparse
import json
import os
import platform
import select
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time

import zkwire


def zke(args, rundir, *words, check=True):
    return subprocess.run([args.zkensemble, "-D", rundir] + list(words),
                          check=check, capture_output=True, text=True)


class Writer:
    """One connection to one server, trying one create at a time."""

    def __init__(self, port, tag):
        self.port = port
        self.tag = tag
        self.sock = None
        self.buf = b""
        self.state = "idle"
        self.xid = 0

    def dial(self):
        self.close()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setblocking(False)
        self.buf = b""
        try:
            self.sock.connect(("127.0.0.1", self.port))
        except BlockingIOError:
            pass
        except OSError:
            self.close()
            return
        self.state = "connecting"

    def close(self):
        if self.sock is not None:
            self.sock.close()
        self.sock = None
        self.state = "idle"

    def send(self, data):
        try:
            self.sock.sendall(data)
        except OSError:
            self.close()

    def on_writable(self):
        if self.state != "connecting":
            return
        if self.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) != 0:
            self.close()
            return
        self.state = "handshake"
        self.send(zkwire.frame(zkwire.connect_request(timeout=4000)))

    def frames(self):
        while len(self.buf) >= 4:
            n = struct.unpack(">i", self.buf[:4])[0]
            if len(self.buf) < 4 + n:
                return
            body, self.buf = self.buf[4:4 + n], self.buf[4 + n:]
            yield body

    def on_readable(self):
        """True once a create succeeded."""
        try:
            chunk = self.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return False
        except OSError:
            chunk = b""
        if not chunk:
            self.close()
            return False
        self.buf += chunk
        for body in self.frames():
            if self.state == "handshake":
                rsp = zkwire.decode_connect_response(body)
                if not rsp["sessionId"]:
                    self.close()
                    return False
                self.state = "session"
                self.create()
            elif self.state == "writing":
                hdr, _ = zkwire.decode_reply(body, zkwire.CREATE)
                if hdr["xid"] != self.xid:
                    continue
                if hdr["err"] == 0:
                    return True
                self.create()
        return False

    def create(self):
        self.xid += 1
        self.state = "writing"
        self.send(zkwire.request(self.xid, *zkwire.req_create(
            "/failover-%s-%d" % (self.tag, self.xid), b"x")))


def first_write(ports, tag, deadline):
    """When (time.monotonic) a create succeeded on one of ports, or None."""
    writers = [Writer(p, "%s-%d" % (tag, p)) for p in ports]
    try:
        while time.monotonic() < deadline:
            for w in writers:
                if w.sock is None:
                    w.dial()
            rl = [w.sock for w in writers if w.sock is not None]
            wl = [w.sock for w in writers
                  if w.sock is not None and w.state == "connecting"]
            r, wr, _ = select.select(rl, wl, [], 0.05)
            for w in writers:
                if w.sock is not None and w.sock in wr:
                    w.on_writable()
                if w.sock is not None and w.sock in r and w.on_readable():
                    return time.monotonic()
            if not rl:
                time.sleep(0.001)
    finally:
        for w in writers:
            w.close()
    return None


def one_run(args, n, rep):
    rec = {"n": n, "rep": rep}
    rundir = tempfile.mkdtemp(prefix="zke-bench-", dir=args.tmpdir)
    os.rmdir(rundir)
    t0 = time.monotonic()
    up = zke(args, rundir, "up", "-d", "-n", str(n), "-p", "auto",
             "-z", args.zkd, check=False)
    rec["up_ms"] = (time.monotonic() - t0) * 1000
    if up.returncode != 0:
        rec["error"] = "up: " + up.stderr.strip()
        return rec
    try:
        ev = zke(args, rundir, "-j", "events").stdout.splitlines()
        for line in ev:
            e = json.loads(line)
            if e["text"].startswith("serving:"):
                rec["serving_ms"] = e["ms"]
                break
        status = json.loads(zke(args, rundir, "-j", "status").stdout)
        leader = [s for s in status if s["role"] == "LEADING"][0]
        others = [s["client_port"] for s in status
                  if s["sid"] != leader["sid"]]
        # A write first: every session below is a fresh one either way.
        assert first_write(others[:1], "warm%d" % rep,
                           time.monotonic() + 30) is not None
        t1 = time.monotonic()
        os.kill(leader["pid"], signal.SIGSTOP)
        done = first_write(others, "pz%d" % rep, t1 + 60)
        os.kill(leader["pid"], signal.SIGCONT)
        if done is None:
            rec["error"] = "no write within 60 s of the leader's pause"
            return rec
        rec["pause_ms"] = (done - t1) * 1000
        zke(args, rundir, "wait", "-t", "60", "leader-not",
            str(leader["sid"]), "serving")
        status = json.loads(zke(args, rundir, "-j", "status").stdout)
        leader = [s for s in status if s["role"] == "LEADING"][0]
        others = [s["client_port"] for s in status
                  if s["sid"] != leader["sid"]]
        t1 = time.monotonic()
        os.kill(leader["pid"], signal.SIGKILL)
        done = first_write(others, "fo%d" % rep, t1 + 60)
        if done is None:
            rec["error"] = "no write within 60 s of the leader's death"
        else:
            rec["failover_ms"] = (done - t1) * 1000
    finally:
        zke(args, rundir, "down", check=False)
    return rec


def summary(records, key, n):
    vals = [r[key] for r in records if r["n"] == n and key in r]
    if not vals:
        return None, None
    return statistics.median(vals), max(vals)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--sizes", default="3,5,7,9")
    ap.add_argument("--json", default="bench-launcher.json")
    ap.add_argument("--tmpdir", default=".")
    ap.add_argument("--zkensemble",
                    default=os.environ.get("ZKENSEMBLE", "zkensemble"))
    ap.add_argument("--zkd", default=os.environ.get("ZKD", "zkd"))
    args = ap.parse_args()
    args.zkd = os.path.abspath(args.zkd) if os.sep in args.zkd else args.zkd
    flags = os.environ.get("ZK_CFLAGS", "")
    if "-fsanitize" in flags or "-O0" in flags:
        print("warning: a debug or sanitizer build (%s): the numbers say "
              "little" % flags.strip(), file=sys.stderr)
    sizes = [int(x) for x in args.sizes.split(",")]
    records = []
    for rep in range(args.runs):
        for n in sizes:
            rec = one_run(args, n, rep)
            records.append(rec)
            print("# n=%d run %d: %s" % (n, rep + 1, json.dumps(rec)),
                  file=sys.stderr)
    print("| servers | up -d returns (median / worst) | serving event "
          "| SIGSTOP leader to a write | kill -9 leader to a write |")
    print("|---|---|---|---|---|")
    bad = 0
    for n in sizes:
        u = summary(records, "up_ms", n)
        s = summary(records, "serving_ms", n)
        f = summary(records, "failover_ms", n)
        z = summary(records, "pause_ms", n)
        errs = [r["error"] for r in records if r["n"] == n and "error" in r]
        bad += len(errs)

        def ms(pair):
            return "-" if pair[0] is None else "%.0f / %.0f ms" % pair
        print("| %d | %s | %s | %s | %s |%s" % (n, ms(u), ms(s), ms(z),
              ms(f),
              " errors: %s" % errs if errs else ""))
    with open(args.json, "w") as out:
        json.dump({"machine": platform.node(), "cpus": os.cpu_count(),
                   "cflags": flags, "runs": records}, out, indent=1)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
