# SPDX-License-Identifier: ISC
"""Start and stop real servers for the compatibility tests.

Zkd(port, settings) runs $ZKD (a standalone zkd) on a zoo.cfg written into
a fresh temporary directory; Apache(port, settings) runs Apache ZooKeeper
3.8 from Debian's zookeeper package the same way, for side-by-side runs.
Both wait (with a generous timeout) until their own process answers
'srvr' (Apache answers 'ruok' before it takes sessions), and
stop with SIGTERM, then SIGKILL, checking that the process is gone.
"""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

APACHE_CP = ":".join([
    "/etc/zookeeper/conf",
    "/usr/share/java/zookeeper.jar",
    "/usr/share/java/zookeeper-jute.jar",
])


def read_text(path):
    """A log file's text so far ("" if there is none yet)."""
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def four(port, cmd, host="127.0.0.1", timeout=5.0):
    """Sends a four-letter word and returns the whole reply as bytes."""
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(cmd.encode() if isinstance(cmd, str) else cmd)
        out = b""
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            out += chunk
        return out


def wait_for(cond, timeout=20.0, what="condition"):
    """Polls cond() until it is true and returns what it gave; raises
    TimeoutError after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            got = cond()
            if got:
                return got
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError("timed out waiting for " + what)
        time.sleep(0.02)


class _Server:
    def __init__(self, port, settings=None):
        self.port = port
        self.settings = dict(settings or {})
        self.dir = tempfile.mkdtemp(prefix="zktest-")
        self.proc = None
        self.log = os.path.join(self.dir, "server.log")

    @property
    def hosts(self):
        return "127.0.0.1:%d" % self.port

    def write_cfg(self, defaults):
        cfg = dict(defaults)
        cfg.update(self.settings)
        path = os.path.join(self.dir, "zoo.cfg")
        with open(path, "w") as f:
            for k, v in cfg.items():
                f.write("%s=%s\n" % (k, v))
        return path

    def _spawn(self, argv, env=None):
        logf = open(self.log, "ab")
        self.proc = subprocess.Popen(argv, cwd=self.dir, stdout=logf,
                                     stderr=subprocess.STDOUT, env=env,
                                     start_new_session=True)
        logf.close()
        try:
            wait_for(self._ready, what="server on port %d" % self.port)
        except (TimeoutError, RuntimeError):
            self.stop()
            raise RuntimeError("server did not start:\n" + self.logtext())
        return self

    def _ready(self):
        # A server that died (its port taken by another run, say) must not
        # pass for ready because someone else answers on the port.
        if self.proc.poll() is not None:
            raise RuntimeError("server exited with %d" % self.proc.returncode)
        reply = four(self.port, "srvr", timeout=1)
        return reply.startswith(b"Zookeeper version:") and self.alive()

    def logtext(self):
        return read_text(self.log)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill(self, sig=signal.SIGKILL):
        if self.alive():
            self.proc.send_signal(sig)
            self.proc.wait(timeout=30)

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()


class Zkd(_Server):
    """A standalone zkd started from a zoo.cfg (-z)."""

    def start(self):
        cfg = self.write_cfg({
            "tickTime": 2000,
            "dataDir": os.path.join(self.dir, "data"),
            "clientPort": self.port,
            "4lw.commands.whitelist": "*",
        })
        return self._spawn([os.environ.get("ZKD", "zkd"), "-d", "-z", cfg])


class Apache(_Server):
    """A standalone Apache ZooKeeper 3.8 (Debian's package) for comparison.
    A subclass may add jars (extra_cp) and -D settings (jvm_props)."""

    extra_cp = []
    jvm_props = []

    @staticmethod
    def available():
        return (shutil.which("java") is not None and
                os.path.exists("/usr/share/java/zookeeper.jar"))

    def start(self):
        cfg = self.write_cfg({
            "tickTime": 2000,
            "dataDir": os.path.join(self.dir, "data"),
            "clientPort": self.port,
            "4lw.commands.whitelist": "*",
            "admin.enableServer": "false",
        })
        return self._spawn(["java", "-Xmx256m", "-cp",
                            ":".join([APACHE_CP] + self.extra_cp)] +
                           self.jvm_props +
                           ["org.apache.zookeeper.server.ZooKeeperServerMain",
                            cfg])


def server_class():
    """The server under test: Zkd, or Apache when ZK_TARGET=apache (to
    prove a test right against the reference)."""
    target = os.environ.get("ZK_TARGET", "zkd")
    if target == "apache":
        return Apache
    if target != "zkd":
        raise SystemExit("ZK_TARGET must be zkd or apache, not " + target)
    return Zkd
