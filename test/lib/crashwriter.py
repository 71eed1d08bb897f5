# SPDX-License-Identifier: ISC
"""A writer that journals what a server acknowledged, and its checker.

The durability suite kills a server at random moments while this writer
keeps many writes in flight, then checks the recovered tree against what
the writer sent and what it was told succeeded.

  crashwriter.py write PORT DIR ROUND SEED [--count N] [--window W]
      Reads the tree under /crash (the base of this round), then streams
      create / setData / delete / multi requests on /crash and its
      children, up to W in flight, each chosen so that it succeeds when
      applied in order.  Before sending a request it appends it as one
      JSON line to DIR/sent.ROUND; after its success reply it appends
      "ROUND SEQ" to DIR/acked.ROUND; both files are flushed per line.
      Without --count it runs until the server goes away (exit 0), and
      exits 4 if it reaches its own bounds first.  With --count it sends
      N requests, waits for every reply and exits 0.  An error reply or
      a reply out of order exits 1.

  crashwriter.py check PORT DIR ROUND [--exact]
      Reads the live tree and checks it against round ROUND:
        - every acknowledged change is there with its effect (a created
          node exists unless deleted later, a node's data is the last
          acknowledged value or a later one that was sent, a deleted
          node is gone unless created again later);
        - nothing exists that was never sent (paths and data values);
        - the tree is exactly the base with some prefix of the round's
          requests applied, at least every acknowledged one (versions and
          the parent's cversion included), as a server that applies one
          connection's requests in order must leave it.
      --exact asks for every request sent (a clean stop after all
      replies).  Exit 0, or 1 with the reasons on stderr.

  crashwriter.py fill PORT PATH N [--size BYTES]
      Creates PATH and PATH/n0 .. PATH/n<N-1> (data "v<i>", padded with
      dots to BYTES) one at a time, then drops the connection without
      closing the session, so the last txn in the log is the last create.

  crashwriter.py dump PORT PATH
      Prints "path data" for PATH and every node below it, sorted (data
      longer than 64 bytes as its length and SHA-1).

  crashwriter.py snapkill PORT ZKD_PID SNAPDIR PATH
      Against a zkd with snapCount=2: sets PATH's data until a snapshot
      writer (a child of ZKD_PID) is seen with its temporary file in
      SNAPDIR, SIGKILLs it and prints the temporary file's name, if the
      file outlived the writer (else tries again).
"""
import hashlib
import json
import os
import random
import signal
import sys
import time

import zkwire as zw

PARENT = "/crash"
CHILDREN = 40
GONE = object()


class Client:
    """Sequential calls over one zkwire connection."""

    def __init__(self, port, timeout=10000):
        self.conn = zw.Conn(port)
        self.conn.handshake(timeout=timeout)
        self.xid = 0

    def call(self, op, body):
        self.xid += 1
        frames = self.conn.call(self.xid, op, body)
        return frames[-1]

    def get(self, path):
        """(data, stat dict) or None if the node does not exist."""
        hdr, fields = self.call(*zw.req_get_data(path))
        if hdr["err"] == zw.NONODE:
            return None
        if hdr["err"] != zw.OK:
            raise RuntimeError("getData %s: error %d" % (path, hdr["err"]))
        return dict(fields)["data"], zw.stat_of(fields)

    def children(self, path):
        hdr, fields = self.call(*zw.req_get_children(path))
        if hdr["err"] == zw.NONODE:
            return None
        if hdr["err"] != zw.OK:
            raise RuntimeError("getChildren %s: error %d" %
                               (path, hdr["err"]))
        return sorted(dict(fields)["children"])

    def close(self):
        self.conn.close()


def read_state(client):
    """The tree under PARENT: ({path: (data, version)}, parent cversion)."""
    state = {}
    top = client.get(PARENT)
    if top is None:
        return state, None
    state[PARENT] = (top[0].decode(), top[1]["version"])
    for name in client.children(PARENT) or []:
        path = PARENT + "/" + name
        got = client.get(path)
        if got is None:
            raise RuntimeError("%s listed but gone" % path)
        data = got[0].decode() if got[0] is not None else None
        state[path] = (data, got[1]["version"])
    return state, top[1]["cversion"]


def apply_op(state, cv, op):
    """Applies one sent request to a model; returns the new cversion."""
    kind = op["op"]
    if kind == "create":
        state[op["path"]] = (op["data"], 0)
        if op["path"] == PARENT:
            return 0
        return cv + 1
    if kind == "set":
        state[op["path"]] = (op["data"], state[op["path"]][1] + 1)
        return cv
    if kind == "delete":
        del state[op["path"]]
        return cv + 1
    if kind == "multi":
        state[op["cpath"]] = (op["cdata"], 0)
        state[op["spath"]] = (op["sdata"], state[op["spath"]][1] + 1)
        return cv + 1
    raise ValueError(kind)


def op_paths(op):
    if op["op"] == "multi":
        return [op["cpath"], op["spath"]]
    return [op["path"]]


def op_request(op):
    kind = op["op"]
    if kind == "create":
        return zw.req_create(op["path"], op["data"].encode())
    if kind == "set":
        return zw.req_set_data(op["path"], op["data"].encode(), op["v"])
    if kind == "delete":
        return zw.req_delete(op["path"], op["v"])
    return zw.req_multi([zw.req_create(op["cpath"], op["cdata"].encode()),
                         zw.req_set_data(op["spath"], op["sdata"].encode(),
                                         op["sv"])])


def choose(rng, state, rnd, seq):
    """A request that succeeds on state (the model after all sent)."""
    data = "r%d.%d" % (rnd, seq)
    if PARENT not in state:
        return {"op": "create", "path": PARENT, "data": data}
    names = ["%s/n%d" % (PARENT, i) for i in range(CHILDREN)]
    present = [p for p in names if p in state]
    absent = [p for p in names if p not in state]
    if present and absent and rng.random() < 0.1:
        s = rng.choice(present)
        return {"op": "multi", "cpath": rng.choice(absent), "cdata": data,
                "spath": s, "sdata": data + "m", "sv": state[s][1]}
    path = rng.choice(names)
    if path not in state:
        return {"op": "create", "path": path, "data": data}
    if rng.random() < 0.7:
        return {"op": "set", "path": path, "data": data,
                "v": state[path][1]}
    return {"op": "delete", "path": path, "v": state[path][1]}


class Journal:
    def __init__(self, path):
        self.f = open(path, "a")

    def write(self, line):
        self.f.write(line + "\n")
        self.f.flush()


def cmd_write(port, wdir, rnd, seed, count=None, window=32,
              max_ops=200000, max_seconds=60.0):
    rng = random.Random(seed)
    client = Client(port)
    state, cv = read_state(client)
    sent = Journal(os.path.join(wdir, "sent.%d" % rnd))
    acked = Journal(os.path.join(wdir, "acked.%d" % rnd))
    sent.write(json.dumps({"base": state, "cv": cv, "seed": seed}))
    conn = client.conn
    inflight = []
    seq = 0
    limit = count if count is not None else max_ops
    deadline = time.monotonic() + max_seconds
    try:
        while True:
            while (len(inflight) < window and seq < limit and
                   time.monotonic() < deadline):
                op = choose(rng, state, rnd, seq)
                op["seq"] = seq
                cv = apply_op(state, cv, op)
                sent.write(json.dumps(op))
                client.xid += 1
                opcode, body = op_request(op)
                conn.send(client.xid, opcode, body)
                inflight.append((client.xid, opcode, seq))
                seq += 1
            if not inflight:
                break
            frame = conn.recv(timeout=20.0)
            if frame is None:
                print("no reply for 20s to request %d" % inflight[0][2],
                      file=sys.stderr)
                return 1
            xid, opcode, s = inflight[0]
            hdr, fields = zw.decode_reply(frame, opcode)
            if hdr["xid"] == zw.XID_NOTIFICATION:
                continue
            if hdr["xid"] != xid:
                print("reply to xid %d while %d was the oldest in flight" %
                      (hdr["xid"], xid), file=sys.stderr)
                return 1
            if hdr["err"] != zw.OK:
                print("request %d failed with error %d" % (s, hdr["err"]),
                      file=sys.stderr)
                return 1
            inflight.pop(0)
            acked.write("%d %d" % (rnd, s))
    except (zw.Closed, ConnectionResetError, BrokenPipeError):
        if count is not None:
            print("the server went away", file=sys.stderr)
            return 1
        return 0
    finally:
        client.close()
    if count is None:
        print("sent %d requests and the server is still there" % seq,
              file=sys.stderr)
        return 4
    return 0


def load_round(wdir, rnd):
    with open(os.path.join(wdir, "sent.%d" % rnd)) as f:
        lines = [json.loads(line) for line in f if line.strip()]
    if not lines or "base" not in lines[0]:
        raise SystemExit("sent.%d has no base line" % rnd)
    base = {p: tuple(v) for p, v in lines[0]["base"].items()}
    ops = lines[1:]
    acked = []
    apath = os.path.join(wdir, "acked.%d" % rnd)
    if os.path.exists(apath):
        with open(apath) as f:
            acked = [int(line.split()[1]) for line in f if line.strip()]
    return base, lines[0]["cv"], ops, acked


def all_sent_values(wdir):
    """Every data value any round sent or started from."""
    values = set()
    for name in os.listdir(wdir):
        if not name.startswith("sent."):
            continue
        with open(os.path.join(wdir, name)) as f:
            for line in f:
                rec = json.loads(line)
                if "base" in rec:
                    values.update(v[0] for v in rec["base"].values())
                else:
                    for k in ("data", "cdata", "sdata"):
                        if k in rec:
                            values.add(rec[k])
    return values


def path_rule_errors(base, ops, nacked, actual):
    """The per-path rules, for messages that name the path and request."""
    errs = []
    paths = set(base) | set(actual)
    for op in ops:
        paths.update(op_paths(op))
    # States each path may be in: after its last acknowledged request (or
    # the base), or after any later request that was sent.
    allowed = {p: [base.get(p, GONE)] for p in paths}
    last_acked = {}
    model = dict(base)
    for i, op in enumerate(ops):
        apply_op(model, 0, op)
        for p in op_paths(op):
            if i < nacked:
                last_acked[p] = op
                allowed[p] = [model.get(p, GONE)]
            else:
                allowed[p].append(model.get(p, GONE))
    for path in sorted(paths):
        have = actual.get(path, GONE)
        if have is GONE:
            if GONE in allowed[path]:
                continue
        elif have[0] in [a[0] for a in allowed[path] if a is not GONE]:
            continue
        what = "absent" if have is GONE else "data %r" % (have[0],)
        want = allowed[path][0]
        want = "absent" if want is GONE else "holding %r" % (want[0],)
        op = last_acked.get(path)
        if op is None:
            errs.append("%s: %s, but the round started with it %s" %
                        (path, what, want))
        else:
            errs.append("%s: %s, but request %d (%s, acknowledged) left "
                        "it %s and no later request sent explains it" %
                        (path, what, op["seq"], op["op"], want))
    return errs


def cmd_check(port, wdir, rnd, exact=False):
    base, base_cv, ops, acked = load_round(wdir, rnd)
    nacked = len(acked)
    if acked != list(range(nacked)):
        print("acked.%d is not the first %d requests in order" %
              (rnd, nacked), file=sys.stderr)
        return 1
    client = Client(port)
    try:
        actual, cv = read_state(client)
        top = client.children("/")
    finally:
        client.close()
    errs = []
    stray = [n for n in top if n not in ("zookeeper", PARENT[1:])]
    if stray:
        errs.append("nodes never sent under /: %s" % ", ".join(stray))
    values = all_sent_values(wdir)
    names = {PARENT} | {"%s/n%d" % (PARENT, i) for i in range(CHILDREN)}
    for path, (data, _) in sorted(actual.items()):
        if path not in names:
            errs.append("%s exists but no request ever named it" % path)
        elif data not in values:
            errs.append("%s holds %r, a value never sent" % (path, data))
    errs += path_rule_errors(base, ops, nacked, actual)

    # The whole tree against every prefix that holds what was acknowledged.
    model = dict(base)
    mcv = base_cv
    found = None
    for p in range(len(ops) + 1):
        if p > 0:
            mcv = apply_op(model, mcv, ops[p - 1])
        if p >= nacked and model == actual and mcv == cv:
            found = p
            if not exact or p == len(ops):
                break
    if exact and (found != len(ops) or nacked != len(ops)):
        errs.append("a clean stop must keep all %d requests (%d "
                    "acknowledged, tree matches prefix %s)" %
                    (len(ops), nacked, found))
    elif found is None:
        errs.append("the tree (cversion %s) is not the base plus any "
                    "prefix of the %d requests sent that holds the %d "
                    "acknowledged" % (cv, len(ops), nacked))
    if errs:
        for e in errs:
            print("round %d: %s" % (rnd, e), file=sys.stderr)
        return 1
    print("round %d: %d sent, %d acknowledged, %d applied after recovery"
          % (rnd, len(ops), nacked, found))
    return 0


def cmd_fill(port, path, n, size=0):
    client = Client(port)
    try:
        for i in range(-1, n):
            p = path if i < 0 else "%s/n%d" % (path, i)
            data = ("top" if i < 0 else "v%d" % i).encode()
            if i >= 0 and size > len(data):
                data += b"." * (size - len(data))
            hdr, _ = client.call(*zw.req_create(p, data))
            if hdr["err"] != zw.OK:
                print("create %s: error %d" % (p, hdr["err"]),
                      file=sys.stderr)
                return 1
    finally:
        client.close()
    return 0


def cmd_dump(port, path):
    client = Client(port)
    out = []
    try:
        todo = [path]
        while todo:
            p = todo.pop()
            got = client.get(p)
            if got is None:
                continue
            data = got[0] if got[0] is not None else b""
            if len(data) > 64:
                data = "%d bytes, sha1 %s" % (len(data),
                                             hashlib.sha1(data).hexdigest())
            else:
                data = data.decode()
            out.append("%s %s" % (p, data))
            for name in client.children(p) or []:
                todo.append((p.rstrip("/") + "/" + name))
    finally:
        client.close()
    for line in sorted(out):
        print(line)
    return 0


def children_of(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def running(pid):
    """Whether pid runs (a zombie waiting to be reaped does not)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def cmd_snapkill(port, zkd_pid, snapdir, path, attempts=100):
    """Kills a snapshot writer (a child of zkd_pid) while its temporary
    file is there: writes to path (snapCount=2 makes each pair of txns
    start a snapshot), watches for a child and a *.tmp, SIGKILLs the
    child, and prints the temporary file's name if it outlived the
    child.  Exit 0 when done, 1 if no attempt caught a writer mid-way."""
    client = Client(port)
    try:
        for k in range(attempts):
            for j in range(2):
                hdr, _ = client.call(*zw.req_set_data(
                    path, ("s%d.%d" % (k, j)).encode()))
                if hdr["err"] != zw.OK:
                    print("setData %s: error %d" % (path, hdr["err"]),
                          file=sys.stderr)
                    return 1
            deadline = time.monotonic() + 2.0
            seen = False
            while time.monotonic() < deadline:
                kids = children_of(zkd_pid)
                if not kids:
                    if seen:
                        break
                    continue
                seen = True
                tmps = [n for n in os.listdir(snapdir)
                        if n.endswith(".tmp")]
                if not tmps:
                    continue
                os.kill(kids[0], signal.SIGKILL)
                while running(kids[0]):
                    time.sleep(0.001)
                if os.path.exists(os.path.join(snapdir, tmps[0])):
                    print(tmps[0])
                    return 0
                break
    finally:
        client.close()
    print("no snapshot writer caught mid-way in %d attempts" % attempts,
          file=sys.stderr)
    return 1


def main(argv):
    args, opts = [], {}
    rest = argv[1:]
    while rest:
        a = rest.pop(0)
        if a in ("--count", "--window", "--size") and rest:
            opts[a[2:]] = int(rest.pop(0))
        elif a == "--exact":
            opts["exact"] = True
        else:
            args.append(a)
    cmd, args = (args[0], args[1:]) if args else (None, [])
    if cmd == "write" and len(args) == 4:
        return cmd_write(int(args[0]), args[1], int(args[2]), int(args[3]),
                         count=opts.get("count"),
                         window=opts.get("window", 32))
    if cmd == "check" and len(args) == 3:
        return cmd_check(int(args[0]), args[1], int(args[2]),
                         exact=opts.get("exact", False))
    if cmd == "fill" and len(args) == 3:
        return cmd_fill(int(args[0]), args[1], int(args[2]),
                        size=opts.get("size", 0))
    if cmd == "snapkill" and len(args) == 4:
        return cmd_snapkill(int(args[0]), int(args[1]), args[2], args[3])
    if cmd == "dump" and len(args) == 2:
        return cmd_dump(int(args[0]), args[1])
    print(__doc__, file=sys.stderr)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv))
