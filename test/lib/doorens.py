# SPDX-License-Identifier: ISC
"""An ensemble of zkd processes, each started with a side door, as the
launcher's supervisor does: the test learns every state and phase the
moment a server reports it (never by polling), and sends commands
(fault, expire, ...) down the door.

    with DoorEnsemble(3, base=22130) as ens:  # all started, a leader
        k = ens.client([1, 2])                # a started KazooClient
        ens.fault(1, "2,3", "drop")           # server 1 drops its links
        ens.wait(lambda: ens.role(1) == "LOOKING")
        ens.kill(2); ens.pause(3); ens.resume(3); ens.start(2)
        ens.trees_equal()
    # on leaving: clients stopped, servers killed; raises if a server
    # died on its own or a sanitizer wrote to its log

Ports: server i has client port base+i, quorum base+10+i, election
base+20+i (so up to nine servers in base+1 .. base+29).  Timings are the
ones test/lib/ensemble.bash uses (tickTime 200, initLimit 10,
syncLimit 5).  A reader thread per server keeps its messages; wait()
sleeps on a condition that every message wakes.
"""
import os
import shutil
import sys
import signal
import socket
import subprocess
import tempfile
import threading
import time

from sidedoor import Message
from zkharness import read_text

SANITIZER_MARKS = ("AddressSanitizer", "LeakSanitizer", "runtime error:",
                   "UndefinedBehaviorSanitizer")


def _exec_argv(fd, argv):
    """bash -c that moves fd to 3 and execs argv (bash, unlike dash, takes
    descriptors above 9 in a redirection)."""
    return ["/bin/bash", "-c", 'exec "$@" 3<&%d %d<&-' % (fd, fd),
            "bash"] + list(argv)


class Server:
    def __init__(self, ens, sid):
        self.ens = ens
        self.sid = sid
        self.dir = os.path.join(ens.dir, "s%d" % sid)
        self.cfg = os.path.join(self.dir, "zoo.cfg")
        self.log = os.path.join(self.dir, "server.log")
        self.proc = None
        self.sock = None
        self.reader = None
        self.messages = []
        self.replies = {}
        self.state = None       # the last state message's state
        self.leader = 0
        self.phase = None
        self.ready = False      # ready since the last state message
        self.zxid = 0
        self.eof = True
        self.paused = False
        self.expected_exit = False

    def port(self):
        return self.ens.base + self.sid

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def logtext(self):
        return read_text(self.log)

    def _read(self, sock):
        buf = b""
        while True:
            try:
                chunk = sock.recv(1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                break
            parts = (buf + chunk).split(b"\n")
            buf = parts.pop()
            for line in parts:
                self._take(Message(line.decode("ascii")))
        with self.ens.cond:
            self.eof = True
            self.ens.cond.notify_all()

    def _take(self, m):
        with self.ens.cond:
            m.at = time.monotonic()
            self.messages.append(m)
            if m.verb == "state":
                self.state = m["state"]
                self.leader = int(m["leader"])
                self.ready = False
                self.zxid = int(m["zxid"], 16)
            elif m.verb == "phase":
                self.phase = m["phase"]
            elif m.verb == "ready":
                self.ready = True
            elif m.verb == "zxid":
                self.zxid = int(m["zxid"], 16)
            elif m.verb == "reply":
                self.replies[m["id"]] = m
            self.ens.cond.notify_all()


class DoorEnsemble:
    def __init__(self, n, base, observers=(), settings=None):
        self.n = n
        self.base = base
        self.dir = tempfile.mkdtemp(prefix="doorens-")
        self.cond = threading.Condition()
        self.next_id = 1
        self.observers = tuple(observers)
        self.clients = []
        self.servers = {}
        for i in range(1, n + 1):
            s = Server(self, i)
            self.servers[i] = s
            os.makedirs(os.path.join(s.dir, "data"))
            with open(os.path.join(s.dir, "data", "myid"), "w") as f:
                f.write("%d\n" % i)
            cfg = {
                "tickTime": 200, "initLimit": 10, "syncLimit": 5,
                "dataDir": os.path.join(s.dir, "data"),
                "clientPort": base + i, "clientPortAddress": "127.0.0.1",
                "4lw.commands.whitelist": "*",
            }
            if i in observers:
                cfg["peerType"] = "observer"
            cfg.update(settings or {})
            with open(s.cfg, "w") as f:
                for k, v in cfg.items():
                    f.write("%s=%s\n" % (k, v))
                for j in range(1, n + 1):
                    f.write("server.%d=127.0.0.1:%d:%d:%s\n" % (
                        j, base + 10 + j, base + 20 + j,
                        "observer" if j in observers else "participant"))

    # --- processes -------------------------------------------------

    def start(self, i):
        s = self.servers[i]
        assert not s.running(), "server %d is running" % i
        ours, theirs = socket.socketpair()
        with open(s.log, "ab") as logf:
            logf.write(b"--- start %.3f\n" % time.monotonic())
            logf.flush()
            s.proc = subprocess.Popen(
                _exec_argv(theirs.fileno(),
                           [os.environ.get("ZKD", "zkd"), "-d", "-c", "3",
                            "-z", s.cfg]),
                cwd=s.dir, stdin=subprocess.DEVNULL, stdout=logf,
                stderr=subprocess.STDOUT, pass_fds=(theirs.fileno(),),
                start_new_session=True)
        theirs.close()
        with self.cond:
            s.sock = ours
            s.eof = False
            s.state = None
            s.phase = None
            s.ready = False
            s.paused = False
            s.expected_exit = False
        s.reader = threading.Thread(target=s._read, args=(ours,),
                                    daemon=True)
        s.reader.start()

    def start_all(self):
        for i in self.servers:
            self.start(i)

    def signal(self, i, sig):
        os.kill(self.servers[i].proc.pid, sig)

    def kill(self, i):
        """SIGKILL, and waits for the process and its door to end."""
        s = self.servers[i]
        s.expected_exit = True
        if s.paused:
            s.paused = False
        s.proc.kill()
        s.proc.wait(timeout=30)
        s.reader.join(timeout=30)
        s.sock.close()
        with self.cond:
            s.state = None
            s.ready = False

    def pause(self, i):
        self.servers[i].paused = True
        self.signal(i, signal.SIGSTOP)

    def resume(self, i):
        self.servers[i].paused = False
        self.signal(i, signal.SIGCONT)

    def __enter__(self):
        self.start_all()
        self.wait_leader()
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        """Stops the clients and kills every server; raises if one died
        on its own or a sanitizer reported in a log.  Removes the
        directory if all is well (else leaves it, and says where)."""
        for k in self.clients:
            try:
                k.stop()
                k.close()
            except Exception:
                pass
        self.clients = []
        problems = []
        for i, s in self.servers.items():
            if s.proc is None:
                continue
            if s.proc.poll() is not None and not s.expected_exit:
                problems.append("server %d exited by itself with %s" %
                                (i, s.proc.returncode))
            if s.proc.poll() is None:
                if s.paused:
                    self.resume(i)
                self.kill(i)
            text = s.logtext()
            if any(mark in text for mark in SANITIZER_MARKS):
                problems.append("server %d: a sanitizer report in %s" %
                                (i, s.log))
        if problems:
            for i, s in self.servers.items():
                problems.append("--- server %d log (end):\n%s" %
                                (i, s.logtext()[-3000:]))
            raise AssertionError("\n".join(problems))
        shutil.rmtree(self.dir, ignore_errors=True)

    # --- what the servers said -------------------------------------

    def wait(self, cond, timeout=30.0, what=None):
        """Waits until cond() holds (checked whenever a message comes)."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while not cond():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("timed out (%ds) waiting for %s; %s"
                                       % (timeout, what or cond,
                                          self.describe()))
                self.cond.wait(min(left, 0.5))

    def describe(self):
        return "; ".join("%d: %s%s leader=%d zxid=0x%x%s" % (
            i, s.state, "/ready" if s.ready else "", s.leader, s.zxid,
            " paused" if s.paused else "")
            for i, s in self.servers.items() if s.running())

    def role(self, i):
        return self.servers[i].state

    def serving(self, i):
        """Reported ready since its last change of state."""
        s = self.servers[i]
        return s.running() and not s.paused and s.ready

    def leader(self):
        """The sid of the serving leader, or None."""
        for i, s in self.servers.items():
            if s.state == "LEADING" and self.serving(i):
                return i
        return None

    def wait_leader(self, timeout=30.0, not_=None):
        """Waits for a serving leader (not not_) that every other live,
        running server follows, serving too; returns its sid."""
        def settled():
            ld = self.leader()
            if ld is None or ld == not_:
                return False
            for i, s in self.servers.items():
                if i == ld or not s.running() or s.paused:
                    continue
                if s.leader != ld or not s.ready:
                    return False
            return True
        self.wait(settled, timeout, "a settled leader")
        return self.leader()

    def newly(self, state, since, phase=None):
        """A running server whose state is state, reported at or after
        since (time.monotonic()), and that has since reported phase if
        one is given; None if there is none."""
        for i, s in self.servers.items():
            if not s.running() or s.state != state:
                continue
            recent = [m for m in s.messages[-12:] if m.at >= since]
            if any(m.verb == "state" for m in recent) and (
                    phase is None or any(m.verb == "phase" and
                                         m["phase"] == phase
                                         for m in recent)):
                return i
        return None

    def voters(self):
        return [i for i in self.servers if i not in self.observers]

    def followers(self):
        ld = self.leader()
        return [i for i, s in self.servers.items()
                if i != ld and s.running() and not s.paused and
                s.state == "FOLLOWING"]

    def connect_string(self, ids=None):
        return ",".join("127.0.0.1:%d" % (self.base + i)
                        for i in (ids or self.servers))

    # --- the side door ---------------------------------------------

    def command(self, i, verb, timeout=30.0, **fields):
        s = self.servers[i]
        with self.cond:
            cid = "t%d" % self.next_id
            self.next_id += 1
        line = " ".join([cid, verb] + ["%s=%s" % kv for kv in
                                       fields.items()]) + "\n"
        s.sock.sendall(line.encode())
        self.wait(lambda: cid in s.replies, timeout,
                  "the reply to %r from server %d" % (line.strip(), i))
        return s.replies.pop(cid)

    def fault(self, i, peers, action, ms=None):
        """Sets a rule on server i; raises unless the reply is ok."""
        fields = {"peers": peers, "action": action}
        if ms is not None:
            fields["ms"] = ms
        r = self.command(i, "fault", **fields)
        assert r.get("ok"), r
        return r

    def cut(self, a, b):
        """Drops the link between a and b, on both ends."""
        self.fault(a, str(b), "drop")
        self.fault(b, str(a), "drop")

    def isolate(self, i):
        """Server i loses every peer: its rules and theirs."""
        self.fault(i, "all", "drop")
        for j in self.servers:
            if j != i and self.servers[j].running():
                self.fault(j, str(i), "drop")

    def heal(self):
        for j, s in self.servers.items():
            if s.running() and not s.paused:
                self.fault(j, "all", "heal")

    # --- clients -----------------------------------------------------

    def client(self, ids=None, **kw):
        """A started KazooClient on those servers (all by default),
        stopped by close()."""
        from kazoo.client import KazooClient
        k = KazooClient(hosts=self.connect_string(ids), **kw)
        self.clients.append(k)
        k.start(timeout=30)
        return k

    def tree(self, i, timeout=60):
        """Server i's tree as test/lib/treedump.py prints it (after a
        sync, so a learner shows all its leader committed before).  A
        server that does not serve at that moment is asked again until
        timeout: one just resumed from SIGSTOP may still have to notice
        that its leader dropped it, and rejoin."""
        deadline = time.monotonic() + timeout
        while True:
            proc = subprocess.run(
                [sys.executable, os.path.join(os.path.dirname(__file__),
                                              "treedump.py"),
                 "127.0.0.1:%d" % (self.base + i)],
                capture_output=True, timeout=60)
            if proc.returncode == 0:
                return proc.stdout
            if time.monotonic() > deadline:
                raise RuntimeError("server %d gives no tree: %s" % (
                    i, proc.stderr.decode(errors="replace").strip()))
            time.sleep(0.1)

    def trees_equal(self):
        """Raises unless every running server holds the same tree;
        returns it."""
        trees = {i: self.tree(i) for i, s in self.servers.items()
                 if s.running() and not s.paused}
        assert len(set(trees.values())) == 1, \
            "the trees differ: %s" % {i: len(t) for i, t in trees.items()}
        return next(iter(trees.values()))
