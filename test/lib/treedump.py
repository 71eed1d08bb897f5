# SPDX-License-Identifier: ISC
"""Prints one server's whole tree in a canonical form, to compare servers.

    treedump.py HOST:PORT

Connects to that one server only (a session of its own, through kazoo),
asks it to sync with its leader first (so a follower or an observer shows
at least everything committed before the dump began), then walks the
tree from the root.  One line per node, sorted by path:

    PATH data=HEX|null acl=PERMS:SCHEME:ID,... czxid=0x.. mzxid=0x..
        pzxid=0x.. ctime=MS mtime=MS version=N cversion=N aversion=N
        ephemeralOwner=0x.. dataLength=N numChildren=N

(all on one line).  Null and empty data are told apart; the ACL is
sorted.  Nothing is left out, /zookeeper included, but for one field:
/zookeeper/config's mtime prints as "local".  That node is no replicated
state: each server writes the membership it was configured with there
itself, outside any transaction, stamped with its own clock when it loads
it (ZooKeeper 3.8's ZKDatabase does so); its data must still be the same
everywhere.  Two servers of one ensemble must print the same bytes.  Exits 1, with the reason on standard
error, when the server cannot be reached or does not serve.
"""
import logging
import sys

from kazoo.client import KazooClient
from kazoo.exceptions import KazooException
from kazoo.handlers.threading import KazooTimeoutError

STAT = (("czxid", "0x%x"), ("mzxid", "0x%x"), ("pzxid", "0x%x"),
        ("ctime", "%d"), ("mtime", "%d"), ("version", "%d"),
        ("cversion", "%d"), ("aversion", "%d"), ("ephemeralOwner", "0x%x"),
        ("dataLength", "%d"), ("numChildren", "%d"))
CONFIG_NODE = "/zookeeper/config"


def node_line(k, path):
    data, st = k.get(path)
    acls, _ = k.get_acls(path)
    words = [path, "data=" + ("null" if data is None else data.hex()),
             "acl=" + ",".join("%d:%s:%s" % a for a in
                               sorted((a.perms, a.id.scheme, a.id.id)
                                      for a in acls))]
    words += ["%s=%s" % (name, fmt % getattr(st, name)) for name, fmt in STAT]
    if path == CONFIG_NODE:
        words = [w if not w.startswith("mtime=") else "mtime=local"
                 for w in words]
    return " ".join(words)


def dump(k):
    lines = []
    todo = ["/"]
    while todo:
        path = todo.pop()
        lines.append(node_line(k, path))
        for child in k.get_children(path):
            todo.append(path.rstrip("/") + "/" + child)
    return sorted(lines)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: treedump.py HOST:PORT")
    logging.basicConfig(level=logging.CRITICAL)
    k = KazooClient(hosts=sys.argv[1], timeout=10,
                    connection_retry={"max_tries": -1, "delay": 0.05,
                                      "max_delay": 0.5})
    try:
        k.start(timeout=20)
    except KazooTimeoutError:
        k.close()
        sys.exit("treedump: %s: no session within 20 s" % sys.argv[1])
    try:
        k.sync("/")
        out = dump(k)
    except KazooException as e:
        sys.exit("treedump: %s: %r" % (sys.argv[1], e))
    finally:
        k.stop()
        k.close()
    sys.stdout.write("".join(line + "\n" for line in out))


if __name__ == "__main__":
    main()
