# SPDX-License-Identifier: ISC
"""A small raw ZooKeeper client: jute framing, records, one socket.

Tests that must see the exact bytes a server sends use this instead of a
full client library.  It knows:

  - jute primitives (big-endian int/long, boolean byte, buffer and ustring
    with a -1 length for null, vectors) in enc_* / Reader;
  - the handshake (ConnectRequest with or without the trailing readOnly
    byte, ConnectResponse of 36 or 37 bytes);
  - one encoder per client opcode (req_*), each returning (opcode, body),
    and multi()/multi_read() that pack such ops into one request;
  - a decoder of replies and notifications (decode_reply), which knows
    which record follows a ReplyHeader for each opcode and returns a list
    of (field, value) pairs, so that tests can compare or normalise them.

    c = Conn(port)
    rsp = c.handshake()                 # dict of the ConnectResponse
    c.send(1, *req_create("/a", b"x"))
    frame = c.recv()                    # raw body of the next frame
    hdr, fields = decode_reply(frame, CREATE)

Conn.recv() returns None on a timeout and raises Closed when the server
closes the connection, so a test never hangs on a server that does not
answer.
"""
import base64
import hashlib
import select
import socket
import struct
import time

# Opcodes (ZooDefs.OpCode).
NOTIFICATION = 0
CREATE = 1
DELETE = 2
EXISTS = 3
GETDATA = 4
SETDATA = 5
GETACL = 6
SETACL = 7
GETCHILDREN = 8
SYNC = 9
PING = 11
GETCHILDREN2 = 12
CHECK = 13
MULTI = 14
CREATE2 = 15
RECONFIG = 16
CHECKWATCHES = 17
REMOVEWATCHES = 18
CREATECONTAINER = 19
DELETECONTAINER = 20
CREATETTL = 21
MULTIREAD = 22
AUTH = 100
SETWATCHES = 101
SASL = 102
GETEPHEMERALS = 103
GETALLCHILDRENNUMBER = 104
SETWATCHES2 = 105
ADDWATCH = 106
WHOAMI = 107
CREATESESSION = -10
CLOSESESSION = -11
ERROR = -1

# Special xids (ClientCnxn).
XID_NOTIFICATION = -1
XID_PING = -2
XID_AUTH = -4
XID_SETWATCHES = -8

# Error codes (KeeperException.Code).
OK = 0
SYSTEMERROR = -1
RUNTIMEINCONSISTENCY = -2
MARSHALLINGERROR = -5
UNIMPLEMENTED = -6
BADARGUMENTS = -8
NONODE = -101
NOAUTH = -102
BADVERSION = -103
NOCHILDRENFOREPHEMERALS = -108
NODEEXISTS = -110
NOTEMPTY = -111
SESSIONEXPIRED = -112
INVALIDACL = -114
AUTHFAILED = -115
NOWATCHER = -121
RECONFIGDISABLED = -123

# Create modes.
PERSISTENT = 0
EPHEMERAL = 1
PERSISTENT_SEQUENTIAL = 2
EPHEMERAL_SEQUENTIAL = 3
CONTAINER = 4
PERSISTENT_WITH_TTL = 5
PERSISTENT_SEQUENTIAL_WITH_TTL = 6

# Event types and keeper states.
EV_NONE = -1
EV_CREATED = 1
EV_DELETED = 2
EV_DATA = 3
EV_CHILDREN = 4
EV_DATA_WATCH_REMOVED = 5
EV_CHILD_WATCH_REMOVED = 6
EV_PERSISTENT_WATCH_REMOVED = 7
STATE_SYNC_CONNECTED = 3

# Watcher types of checkWatches/removeWatches, addWatch modes.
WT_CHILDREN = 1
WT_DATA = 2
WT_ANY = 3
WT_PERSISTENT = 4
WT_PERSISTENT_RECURSIVE = 5
ADDWATCH_PERSISTENT = 0
ADDWATCH_PERSISTENT_RECURSIVE = 1

# Permissions.
PERM_READ = 1
PERM_WRITE = 2
PERM_CREATE = 4
PERM_DELETE = 8
PERM_ADMIN = 16
PERM_ALL = 31

OPEN_ACL = [(PERM_ALL, "world", "anyone")]

STAT_FIELDS = ("czxid", "mzxid", "ctime", "mtime", "version", "cversion",
               "aversion", "ephemeralOwner", "dataLength", "numChildren",
               "pzxid")


class Closed(Exception):
    """The server closed the connection."""


class DecodeError(Exception):
    """A frame that does not hold the record it should."""


# --- encoding ---------------------------------------------------------

def enc_int(v):
    return struct.pack(">i", v)


def enc_long(v):
    return struct.pack(">q", v)


def enc_bool(v):
    return b"\x01" if v else b"\x00"


def enc_buffer(b):
    if b is None:
        return enc_int(-1)
    return enc_int(len(b)) + b


def enc_ustring(s):
    if s is None:
        return enc_int(-1)
    return enc_buffer(s.encode() if isinstance(s, str) else s)


def enc_strings(items):
    if items is None:
        return enc_int(-1)
    return enc_int(len(items)) + b"".join(enc_ustring(s) for s in items)


def enc_acls(acls):
    """acls: a list of (perms, scheme, id), or None for a null vector."""
    if acls is None:
        return enc_int(-1)
    out = enc_int(len(acls))
    for perms, scheme, ident in acls:
        out += enc_int(perms) + enc_ustring(scheme) + enc_ustring(ident)
    return out


def digest_id(user, password):
    """The digest scheme's id for user:password (user:base64(sha1))."""
    h = hashlib.sha1(("%s:%s" % (user, password)).encode()).digest()
    return "%s:%s" % (user, base64.b64encode(h).decode())


def connect_request(session_id=0, passwd=b"\0" * 16, timeout=30000,
                    last_zxid=0, readonly=False, protocol=0):
    """A ConnectRequest body; readonly=None leaves the last byte out."""
    body = (enc_int(protocol) + enc_long(last_zxid) + enc_int(timeout) +
            enc_long(session_id) + enc_buffer(passwd))
    if readonly is not None:
        body += enc_bool(readonly)
    return body


def frame(body):
    return enc_int(len(body)) + body


def request(xid, op, body=b""):
    """A whole request frame: length, RequestHeader, body."""
    return frame(enc_int(xid) + enc_int(op) + body)


# One encoder per opcode; each returns (opcode, body).

def req_create(path, data=b"", acl=OPEN_ACL, flags=PERSISTENT, op=CREATE):
    return op, (enc_ustring(path) + enc_buffer(data) + enc_acls(acl) +
                enc_int(flags))


def req_create2(path, data=b"", acl=OPEN_ACL, flags=PERSISTENT):
    return req_create(path, data, acl, flags, CREATE2)


def req_create_container(path, data=b"", acl=OPEN_ACL, flags=CONTAINER):
    return req_create(path, data, acl, flags, CREATECONTAINER)


def req_create_ttl(path, data=b"", acl=OPEN_ACL,
                   flags=PERSISTENT_WITH_TTL, ttl=3600000):
    return CREATETTL, (enc_ustring(path) + enc_buffer(data) +
                       enc_acls(acl) + enc_int(flags) + enc_long(ttl))


def req_delete(path, version=-1):
    return DELETE, enc_ustring(path) + enc_int(version)


def req_exists(path, watch=False):
    return EXISTS, enc_ustring(path) + enc_bool(watch)


def req_get_data(path, watch=False):
    return GETDATA, enc_ustring(path) + enc_bool(watch)


def req_set_data(path, data=b"", version=-1):
    return SETDATA, enc_ustring(path) + enc_buffer(data) + enc_int(version)


def req_get_acl(path):
    return GETACL, enc_ustring(path)


def req_set_acl(path, acl, version=-1):
    return SETACL, enc_ustring(path) + enc_acls(acl) + enc_int(version)


def req_get_children(path, watch=False):
    return GETCHILDREN, enc_ustring(path) + enc_bool(watch)


def req_get_children2(path, watch=False):
    return GETCHILDREN2, enc_ustring(path) + enc_bool(watch)


def req_sync(path):
    return SYNC, enc_ustring(path)


def req_ping():
    return PING, b""


def req_check(path, version=-1):
    return CHECK, enc_ustring(path) + enc_int(version)


def _multi_body(ops):
    out = b""
    for op, body in ops:
        out += enc_int(op) + enc_bool(False) + enc_int(-1) + body
    return out + enc_int(-1) + enc_bool(True) + enc_int(-1)


def req_multi(ops):
    """ops: a list of (opcode, body) as the req_* encoders return."""
    return MULTI, _multi_body(ops)


def req_multi_read(ops):
    return MULTIREAD, _multi_body(ops)


def req_reconfig(joining=None, leaving=None, members=None, config_id=-1):
    return RECONFIG, (enc_ustring(joining) + enc_ustring(leaving) +
                      enc_ustring(members) + enc_long(config_id))


def req_check_watches(path, wtype):
    return CHECKWATCHES, enc_ustring(path) + enc_int(wtype)


def req_remove_watches(path, wtype):
    return REMOVEWATCHES, enc_ustring(path) + enc_int(wtype)


def req_auth(scheme, auth, atype=0):
    return AUTH, (enc_int(atype) + enc_ustring(scheme) +
                  enc_buffer(auth.encode() if isinstance(auth, str)
                             else auth))


def req_set_watches(zxid, data=(), exist=(), child=()):
    return SETWATCHES, (enc_long(zxid) + enc_strings(list(data)) +
                        enc_strings(list(exist)) + enc_strings(list(child)))


def req_set_watches2(zxid, data=(), exist=(), child=(), persistent=(),
                     recursive=()):
    return SETWATCHES2, (enc_long(zxid) + enc_strings(list(data)) +
                         enc_strings(list(exist)) +
                         enc_strings(list(child)) +
                         enc_strings(list(persistent)) +
                         enc_strings(list(recursive)))


def req_sasl(token=b""):
    return SASL, enc_buffer(token)


def req_get_ephemerals(prefix="/"):
    return GETEPHEMERALS, enc_ustring(prefix)


def req_get_all_children_number(path):
    return GETALLCHILDRENNUMBER, enc_ustring(path)


def req_add_watch(path, mode=ADDWATCH_PERSISTENT):
    return ADDWATCH, enc_ustring(path) + enc_int(mode)


def req_whoami():
    return WHOAMI, b""


def req_close_session():
    return CLOSESESSION, b""


# --- decoding ---------------------------------------------------------

class Reader:
    """Reads jute primitives from bytes; DecodeError on a short input."""

    def __init__(self, data):
        self.data = bytes(data)
        self.pos = 0

    def left(self):
        return len(self.data) - self.pos

    def take(self, n):
        if n < 0 or self.pos + n > len(self.data):
            raise DecodeError("short record at %d (+%d) of %d" %
                              (self.pos, n, len(self.data)))
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def int(self):
        return struct.unpack(">i", self.take(4))[0]

    def long(self):
        return struct.unpack(">q", self.take(8))[0]

    def bool(self):
        return self.take(1) != b"\x00"

    def buffer(self):
        n = self.int()
        return None if n == -1 else self.take(n)

    def ustring(self):
        b = self.buffer()
        return None if b is None else b.decode("utf-8", "replace")

    def strings(self):
        n = self.int()
        if n == -1:
            return None
        return [self.ustring() for _ in range(n)]

    def stat(self):
        return [(name, self.long() if name in ("czxid", "mzxid", "ctime",
                                                "mtime", "ephemeralOwner",
                                                "pzxid")
                 else self.int()) for name in STAT_FIELDS]

    def acls(self):
        n = self.int()
        if n == -1:
            return None
        return [(self.int(), self.ustring(), self.ustring())
                for _ in range(n)]


def decode_connect_response(body):
    """A ConnectResponse as a dict (readOnly is None when absent)."""
    r = Reader(body)
    out = {"protocolVersion": r.int(), "timeOut": r.int(),
           "sessionId": r.long(), "passwd": r.buffer(), "readOnly": None}
    if r.left() >= 1:
        out["readOnly"] = r.bool()
    if r.left():
        out["trailing"] = r.take(r.left())
    return out


def _decode_body(op, r):
    """The fields of a successful reply body to op."""
    if op in (CREATE,):
        return [("path", r.ustring())]
    if op in (CREATE2, CREATECONTAINER, CREATETTL):
        return [("path", r.ustring()), ("stat", r.stat())]
    if op in (EXISTS, SETDATA, SETACL):
        return [("stat", r.stat())]
    if op == GETDATA:
        return [("data", r.buffer()), ("stat", r.stat())]
    if op == GETACL:
        return [("acl", r.acls()), ("stat", r.stat())]
    if op == GETCHILDREN:
        return [("children", r.strings())]
    if op == GETCHILDREN2:
        return [("children", r.strings()), ("stat", r.stat())]
    if op == SYNC:
        return [("path", r.ustring())]
    if op == RECONFIG:
        return [("data", r.buffer()), ("stat", r.stat())]
    if op == SASL:
        return [("token", r.buffer())]
    if op == GETEPHEMERALS:
        return [("ephemerals", r.strings())]
    if op == GETALLCHILDRENNUMBER:
        return [("totalNumber", r.int())]
    if op == ADDWATCH:
        return [("err", r.int())] if r.left() else []
    if op == WHOAMI:
        n = r.int()
        return [("clientInfo", None if n == -1 else
                 [(r.ustring(), r.ustring()) for _ in range(n)])]
    if op == CHECK:
        return [("stat", r.stat())] if r.left() else []
    if op in (MULTI, MULTIREAD):
        return [("results", _decode_multi(r))]
    return []


def _decode_multi(r):
    results = []
    while True:
        mtype, done, err = r.int(), r.bool(), r.int()
        if done:
            results.append(("end", mtype, err))
            return results
        if mtype == ERROR:
            results.append(("error", err, r.int()))
        elif mtype in (DELETE, CHECK):
            results.append((mtype, err))
        else:
            results.append((mtype, err, _decode_body(mtype, r)))


def decode_reply(frame_body, op):
    """Splits a reply into ({xid, zxid, err}, fields).

    A notification (xid -1) decodes as a WatcherEvent whatever op is.
    Bytes left after the record are returned as a "trailing" field, so a
    comparison sees them.
    """
    r = Reader(frame_body)
    hdr = {"xid": r.int(), "zxid": r.long(), "err": r.int()}
    if hdr["xid"] == XID_NOTIFICATION:
        fields = [("type", r.int()), ("state", r.int()),
                  ("path", r.ustring())]
    elif hdr["err"] != OK and op not in (MULTI, MULTIREAD):
        fields = []
    else:
        fields = _decode_body(op, r)
    if r.left():
        fields.append(("trailing", r.take(r.left())))
    return hdr, fields


def stat_of(fields):
    """The stat of a decoded reply as a dict (None if it has none)."""
    for name, value in fields:
        if name == "stat":
            return dict(value)
    return None


# --- the connection ---------------------------------------------------

class Conn:
    """One TCP connection to a server, speaking length-prefixed frames."""

    def __init__(self, port, host="127.0.0.1", timeout=10.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.closed = False
        self.session_id = None
        self.passwd = None

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
        self.closed = True

    def send_raw(self, data):
        self.sock.sendall(data)

    def send(self, xid, op, body=b""):
        self.send_raw(request(xid, op, body))

    def _fill(self, deadline):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        ready, _, _ = select.select([self.sock], [], [], remaining)
        if not ready:
            return False
        try:
            chunk = self.sock.recv(65536)
        except (ConnectionResetError, BrokenPipeError):
            chunk = b""
        if not chunk:
            self.closed = True
            raise Closed("connection closed by the server")
        self.buf += chunk
        return True

    def recv(self, timeout=10.0):
        """The body of the next frame, None on timeout; Closed on EOF."""
        deadline = time.monotonic() + timeout
        while True:
            if len(self.buf) >= 4:
                n = struct.unpack(">i", self.buf[:4])[0]
                if n < 0:
                    raise DecodeError("negative frame length %d" % n)
                if len(self.buf) >= 4 + n:
                    body = self.buf[4:4 + n]
                    self.buf = self.buf[4 + n:]
                    return body
            if not self._fill(deadline):
                return None

    def wait_closed(self, timeout=10.0):
        """True if the server closes the connection (frames are skipped)."""
        deadline = time.monotonic() + timeout
        try:
            while self._fill(deadline):
                pass
        except Closed:
            return True
        return False

    def handshake(self, readonly=False, timeout=30000, session_id=0,
                  passwd=b"\0" * 16, last_zxid=0):
        """Sends a ConnectRequest and returns (raw body, decoded dict)."""
        self.send_raw(frame(connect_request(session_id, passwd, timeout,
                                            last_zxid, readonly)))
        body = self.recv()
        if body is None:
            raise TimeoutError("no ConnectResponse")
        rsp = decode_connect_response(body)
        if rsp["sessionId"]:
            self.session_id = rsp["sessionId"]
            self.passwd = rsp["passwd"]
        return body, rsp

    def call(self, xid, op, body=b"", timeout=10.0):
        """Sends a request; returns every frame up to its reply.

        The result is a list of (hdr, fields), notifications included, the
        reply last.  Raises TimeoutError if the reply does not come.
        """
        self.send(xid, op, body)
        return self.collect(xid, op, timeout)

    def collect(self, xid, op, timeout=10.0):
        out = []
        deadline = time.monotonic() + timeout
        while True:
            body = self.recv(max(0.0, deadline - time.monotonic()))
            if body is None:
                raise TimeoutError("no reply to xid %d" % xid)
            hdr, fields = decode_reply(body, op)
            out.append((hdr, fields))
            if hdr["xid"] == xid:
                return out
