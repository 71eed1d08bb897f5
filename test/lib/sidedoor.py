# SPDX-License-Identifier: ISC
"""Run zkd as its supervisor does, and talk to it on the side door.

SideDoor(port, settings) writes a zoo.cfg into a fresh temporary
directory, makes a socketpair, and starts $ZKD -d -c 3 with the child end
as descriptor 3 (pass_fds, then a shell's `exec 3<&N`, so no Python code
runs between fork and exec).  The test keeps the other end:

    recv(timeout)       the next message as a Message, None at end of file
    expect(verb)        messages up to the next one with that verb
    command(verb, ...)  sends `ID verb key=value...`, returns its reply
    send_raw(bytes)     writes bytes as they are
    close_door()        closes the supervisor's end
    wait_exit(timeout)  waits for zkd's exit status

Every message read is kept in .messages, in order, and checked against
the format (printable ASCII, at most 1024 bytes with the newline).  With
via_parent=True zkd is started by an intermediate Python process (this
file run as a script), whose pid is .parent.pid; zkd is then not our
child, and its pid comes from its hello.  foreground=False leaves -d out,
so that zkd detaches.  cleanup() (or leaving a with block) stops what is
still running, by pid.  Timeouts are generous: a wait ends as soon as its
condition holds, never on a sleep.
"""
import collections
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

from zkharness import read_text


class Message:
    """One line: a verb, then key=value fields (bare words map to True)."""

    def __init__(self, line):
        self.line = line
        words = line.split(" ")
        self.verb = words[0]
        self.fields = {}
        for w in words[1:]:
            k, eq, v = w.partition("=")
            self.fields[k] = v if eq else True

    def __getitem__(self, key):
        return self.fields[key]

    def get(self, key, default=None):
        return self.fields.get(key, default)

    def __repr__(self):
        return "Message(%r)" % self.line


def _exec_argv(fd, argv):
    """sh -c that moves fd to 3 and execs argv (zkd keeps the shell's pid)."""
    if fd == 3:
        script = 'exec "$@"'
    else:
        script = 'exec "$@" 3<&%d %d<&-' % (fd, fd)
    return ["/bin/sh", "-c", script, "sh"] + list(argv)


class SideDoor:
    def __init__(self, port, settings=None, extra_args=(), via_parent=False,
                 foreground=True):
        self.port = port
        self.dir = tempfile.mkdtemp(prefix="zkdoor-")
        self.log = os.path.join(self.dir, "zkd.log")
        self.cfg = os.path.join(self.dir, "zoo.cfg")
        cfg = {
            "tickTime": 2000,
            "dataDir": os.path.join(self.dir, "data"),
            "clientPort": port,
            "4lw.commands.whitelist": "*",
        }
        cfg.update(settings or {})
        with open(self.cfg, "w") as f:
            for k, v in cfg.items():
                f.write("%s=%s\n" % (k, v))
        self.argv = [os.environ.get("ZKD", "zkd")] + \
            (["-d"] if foreground else []) + \
            ["-c", "3", "-z", self.cfg] + list(extra_args)
        self.via_parent = via_parent
        self.proc = None        # zkd, when it is our child
        self.parent = None      # the intermediate process, via_parent
        self.pid = None
        self.sock = None
        self.buf = b""
        self.lines = collections.deque()
        self.eof = False
        self.messages = []
        self.next_id = 1

    # --- starting and stopping -------------------------------------

    def start(self):
        """Starts zkd; returns self.  Does not wait for anything."""
        ours, theirs = socket.socketpair()
        self.sock = ours
        logf = open(self.log, "ab")
        try:
            if self.via_parent:
                self.parent = subprocess.Popen(
                    [sys.executable, os.path.abspath(__file__), "parent",
                     str(theirs.fileno())] + self.argv,
                    cwd=self.dir, stdin=subprocess.DEVNULL, stdout=logf,
                    stderr=subprocess.STDOUT, pass_fds=(theirs.fileno(),),
                    start_new_session=True)
            else:
                self.proc = subprocess.Popen(
                    _exec_argv(theirs.fileno(), self.argv), cwd=self.dir,
                    stdin=subprocess.DEVNULL, stdout=logf,
                    stderr=subprocess.STDOUT, pass_fds=(theirs.fileno(),),
                    start_new_session=True)
                self.pid = self.proc.pid
        finally:
            logf.close()
            theirs.close()
        return self

    def logtext(self):
        return read_text(self.log)

    def close_door(self):
        """Closes the supervisor's end: zkd sees end of file."""
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def wait_exit(self, timeout=30.0):
        """zkd's exit status (it must be our child)."""
        return self.proc.wait(timeout=timeout)

    def alive(self, pid=None):
        """True while the process runs (a zombie counts as gone)."""
        pid = pid or self.pid
        try:
            with open("/proc/%d/stat" % pid) as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return False
        return state not in ("Z", "X")

    def cleanup(self):
        """Stops whatever is still running, by pid, and removes the dir."""
        for p in (self.proc, self.parent):
            if p is not None and p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait(timeout=10)
        if self.pid is not None and self.alive():
            os.kill(self.pid, signal.SIGKILL)
            deadline = time.monotonic() + 10
            while self.alive() and time.monotonic() < deadline:
                time.sleep(0.02)
        self.close_door()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()

    # --- the side door ---------------------------------------------

    def recv(self, timeout=20.0):
        """The next message; None at end of file; TimeoutError if none."""
        deadline = time.monotonic() + timeout
        while not self.lines:
            if self.eof:
                if self.buf:
                    raise AssertionError("unterminated line %r" % self.buf)
                return None
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no message from zkd in %.0fs; log:\n%s"
                                   % (timeout, self.logtext()))
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(1 << 20)
            except socket.timeout:
                continue
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                self.eof = True
                continue
            parts = (self.buf + chunk).split(b"\n")
            self.buf = parts.pop()
            self.lines.extend(parts)
        line = self.lines.popleft()
        if len(line) + 1 > 1024:
            raise AssertionError("line over 1024 bytes: %r" % line[:80])
        text = line.decode("ascii")
        if not text.isprintable():
            raise AssertionError("unprintable line %r" % text)
        m = Message(text)
        if m.verb == "hello" and self.pid is None:
            self.pid = int(m["pid"])
        self.messages.append(m)
        return m

    def expect(self, verb, timeout=20.0, match=None):
        """Reads up to the first message with verb (and match(m) true)."""
        deadline = time.monotonic() + timeout
        while True:
            m = self.recv(max(0.0, deadline - time.monotonic()))
            if m is None:
                raise AssertionError("end of file waiting for %s; log:\n%s"
                                     % (verb, self.logtext()))
            if m.verb == verb and (match is None or match(m)):
                return m

    def wait_eof(self, timeout=30.0):
        """Reads until end of file; returns the messages read meanwhile."""
        deadline = time.monotonic() + timeout
        out = []
        while True:
            m = self.recv(max(0.0, deadline - time.monotonic()))
            if m is None:
                return out
            out.append(m)

    def send_raw(self, data):
        self.sock.sendall(data)

    def send(self, verb, **fields):
        """Sends a command; returns its id."""
        cid = "c%d" % self.next_id
        self.next_id += 1
        words = [cid, verb] + ["%s=%s" % kv for kv in fields.items()]
        self.send_raw((" ".join(words) + "\n").encode())
        return cid

    def reply(self, cid, timeout=20.0):
        return self.expect("reply", timeout, lambda m: m.get("id") == cid)

    def command(self, verb, timeout=20.0, **fields):
        """Sends a command and returns its reply."""
        return self.reply(self.send(verb, **fields), timeout)

    def wait_ready(self, timeout=30.0):
        return self.expect("ready", timeout)


def _parent_main(argv):
    """sidedoor.py parent FD ZKD ARGS...: start zkd, wait for it."""
    fd = int(argv[0])
    proc = subprocess.Popen(_exec_argv(fd, argv[1:]), pass_fds=(fd,))
    os.close(fd)
    sys.exit(proc.wait())


if __name__ == "__main__" and len(sys.argv) > 2 and sys.argv[1] == "parent":
    _parent_main(sys.argv[2:])
