# SPDX-License-Identifier: ISC
"""A small TCP proxy that tests can cut, pause or block.

A client that talks to a server through a TcpProxy can be made to lose
its connection (cut), to hang on a silent connection (pause), or to find
the server unreachable for a while (block).  That is how the
compatibility tests force a client to reconnect, or keep a client away
from the server until its session expires, without touching either
process.

    with TcpProxy(listen_port=21301, target_port=21300) as px:
        client = KazooClient(hosts=px.hosts)
        ...
        px.cut()        # close every relayed connection, both sides
        px.block()      # cut, and close new connections at once
        px.unblock()
        px.pause()      # keep connections open but relay nothing
        px.resume()     # relay what was held back, and go on

One thread runs a selector loop over the listening socket and every
relayed pair; the methods above hand their work to that thread and
return once it is done, so a test never races the relay.
"""
import queue
import selectors
import socket
import threading

_CHUNK = 65536


class _Pair:
    """One client connection and its connection to the target."""

    def __init__(self, client, server):
        self.client = client
        self.server = server
        # Bytes read from one side and not yet written to the other.
        self.to_server = bytearray()
        self.to_client = bytearray()
        # A side that sent EOF: shut down writing on the other once drained.
        self.client_eof = False
        self.server_eof = False

    def other(self, sock):
        return self.server if sock is self.client else self.client


class TcpProxy:
    """Relays 127.0.0.1:listen_port to target_host:target_port."""

    def __init__(self, listen_port, target_port, target_host="127.0.0.1",
                 listen_host="127.0.0.1"):
        self.listen_host = listen_host
        self.listen_port = listen_port
        self.target = (target_host, target_port)
        self._sel = selectors.DefaultSelector()
        self._pairs = []
        self._paused = False
        self._refusing = False
        self._accepted = 0
        self._calls = queue.Queue()
        self._wake_r, self._wake_w = socket.socketpair()
        self._listener = None
        self._thread = None
        self._stop = False

    @property
    def hosts(self):
        """The address clients use: "127.0.0.1:<listen_port>"."""
        return "%s:%d" % (self.listen_host, self.listen_port)

    # Public controls: each runs inside the relay thread.

    def start(self):
        """Binds the listening port and starts relaying."""
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((self.listen_host, self.listen_port))
        ls.listen(64)
        ls.setblocking(False)
        self._listener = ls
        self._sel.register(ls, selectors.EVENT_READ, "accept")
        self._sel.register(self._wake_r, selectors.EVENT_READ, "wake")
        self._thread = threading.Thread(target=self._loop, daemon=True,
                                        name="tcpproxy:%d" % self.listen_port)
        self._thread.start()
        return self

    def close(self):
        """Stops the relay and closes every socket it holds."""
        if self._thread is None:
            return
        self._call(self._do_stop)
        self._thread.join(timeout=10)
        self._thread = None
        self._wake_r.close()
        self._wake_w.close()

    def cut(self):
        """Closes every relayed connection (both ends) at once."""
        self._call(self._do_cut)

    def pause(self):
        """Keeps connections open but relays no byte until resume()."""
        self._call(self._do_set, "_paused", True)

    def resume(self):
        """Relays what pause() held back, and everything after it."""
        self._call(self._do_set, "_paused", False)

    def block(self):
        """Cuts every connection and closes new ones as soon as accepted,
        so clients find the server unreachable until unblock()."""
        self._call(self._do_set, "_refusing", True)
        self._call(self._do_cut)

    def unblock(self):
        """Relays new connections again."""
        self._call(self._do_set, "_refusing", False)

    def connections(self):
        """The number of connections being relayed now."""
        return self._call(lambda: len(self._pairs))

    def accepted(self):
        """How many client connections were accepted so far."""
        return self._call(lambda: self._accepted)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()

    # The relay thread.

    def _call(self, fn, *args):
        if self._thread is None or not self._thread.is_alive():
            return fn(*args)
        done = queue.Queue()
        self._calls.put((fn, args, done))
        self._wake_w.send(b"x")
        ok, value = done.get(timeout=30)
        if not ok:
            raise value
        return value

    def _do_set(self, name, value):
        setattr(self, name, value)
        self._rearm_all()

    def _do_stop(self):
        self._do_cut()
        self._sel.unregister(self._listener)
        self._listener.close()
        self._stop = True

    def _do_cut(self):
        for p in list(self._pairs):
            self._drop(p, reset=True)

    def _loop(self):
        while not self._stop:
            for key, mask in self._sel.select(timeout=1.0):
                if key.data == "accept":
                    self._accept()
                elif key.data == "wake":
                    self._run_calls()
                else:
                    self._service(key.data, key.fileobj, mask)
        self._sel.close()

    def _run_calls(self):
        try:
            self._wake_r.recv(4096)
        except BlockingIOError:
            pass
        while True:
            try:
                fn, args, done = self._calls.get_nowait()
            except queue.Empty:
                return
            try:
                done.put((True, fn(*args)))
            except Exception as e:  # handed back to the caller
                done.put((False, e))

    def _accept(self):
        try:
            client, _ = self._listener.accept()
        except (BlockingIOError, InterruptedError):
            return
        self._accepted += 1
        if self._refusing:
            _reset_close(client)
            return
        try:
            server = socket.create_connection(self.target, timeout=5)
        except OSError:
            _reset_close(client)
            return
        for s in (client, server):
            s.setblocking(False)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        p = _Pair(client, server)
        self._pairs.append(p)
        self._sel.register(client, self._events(p, client), p)
        self._sel.register(server, self._events(p, server), p)

    def _events(self, p, sock):
        """What to wait for on sock: read unless paused or its peer's
        buffer is full, write while something is queued for it."""
        ev = 0
        pending_out = p.to_client if sock is p.client else p.to_server
        pending_in = p.to_server if sock is p.client else p.to_client
        eof = p.client_eof if sock is p.client else p.server_eof
        if not self._paused and not eof and len(pending_in) < 4 * _CHUNK:
            ev |= selectors.EVENT_READ
        if not self._paused and pending_out:
            ev |= selectors.EVENT_WRITE
        return ev

    def _rearm(self, p):
        for s in (p.client, p.server):
            ev = self._events(p, s)
            try:
                if ev:
                    self._sel.modify(s, ev, p)
                else:
                    self._sel.unregister(s)
            except KeyError:
                if ev:
                    self._sel.register(s, ev, p)

    def _rearm_all(self):
        for p in self._pairs:
            self._rearm(p)

    def _service(self, p, sock, mask):
        if p not in self._pairs:
            return
        try:
            if mask & selectors.EVENT_READ:
                data = sock.recv(_CHUNK)
                buf = p.to_server if sock is p.client else p.to_client
                if data:
                    buf += data
                elif sock is p.client:
                    p.client_eof = True
                else:
                    p.server_eof = True
            if mask & selectors.EVENT_WRITE:
                buf = p.to_client if sock is p.client else p.to_server
                n = sock.send(buf)
                del buf[:n]
            self._flush(p)
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:
            self._drop(p, reset=True)
            return
        if p in self._pairs:
            self._rearm(p)

    def _flush(self, p):
        """Writes what it can at once; passes on EOFs once drained."""
        if self._paused:
            return
        for out, buf in ((p.server, p.to_server), (p.client, p.to_client)):
            while buf:
                try:
                    n = out.send(buf)
                except BlockingIOError:
                    break
                del buf[:n]
        if p.client_eof and not p.to_server:
            _shut(p.server)
        if p.server_eof and not p.to_client:
            _shut(p.client)
        if p.client_eof and p.server_eof and not p.to_client and \
                not p.to_server:
            self._drop(p, reset=False)

    def _drop(self, p, reset):
        if p in self._pairs:
            self._pairs.remove(p)
        for s in (p.client, p.server):
            try:
                self._sel.unregister(s)
            except (KeyError, ValueError):
                pass
            if reset:
                _reset_close(s)
            else:
                s.close()


def _shut(sock):
    try:
        sock.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def _reset_close(sock):
    """Closes sock with a reset, so the peer notices at once."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                        b"\x01\x00\x00\x00\x00\x00\x00\x00")
    except OSError:
        pass
    sock.close()
