# SPDX-License-Identifier: ISC
"""A client that writes through failovers, and its checker.

  failwriter.py write HOSTS FILE
      Connects to HOSTS (a connect string of the whole ensemble) with
      kazoo and creates /fw/n000000, /fw/n000001, ... one at a time,
      until SIGTERM.  A create whose answer is lost (connection loss,
      a timeout) is sent again under the same path until it is known to
      have succeeded (created, or NodeExists: the lost one was applied);
      then "SEQ" is appended to FILE and flushed.  So FILE lists exactly
      the writes the ensemble acknowledged.  The session is kazoo's: it
      moves between servers as they fail; an expired one is replaced.

  failwriter.py check HOSTS FILE
      Every write FILE lists is in the tree with its data, and nothing
      beyond one more (the last one sent, perhaps applied but never
      acknowledged) exists.  Prints the number checked; exit 1 with the
      reasons on stderr.
"""
import signal
import sys

from kazoo.client import KazooClient
from kazoo.exceptions import (KazooException, NodeExistsError,
                               SessionExpiredError)
from kazoo.handlers.threading import KazooTimeoutError

ROOT = "/fw"


def connect(hosts):
    k = KazooClient(hosts=hosts, timeout=10,
                    connection_retry={"max_tries": -1, "delay": 0.02,
                                      "max_delay": 0.2})
    k.start(timeout=60)
    return k


def write(hosts, path):
    stop = []
    signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
    k = connect(hosts)
    k.ensure_path(ROOT)
    seq = 0
    with open(path, "a") as out:
        while not stop:
            node = "%s/n%06d" % (ROOT, seq)
            try:
                k.create_async(node, b"%d" % seq).get(timeout=5)
            except NodeExistsError:
                pass
            except SessionExpiredError:
                k.stop()
                k.close()
                k = connect(hosts)
                continue
            except (KazooException, KazooTimeoutError):
                continue
            out.write("%d\n" % seq)
            out.flush()
            seq += 1
    k.stop()
    k.close()


def check(hosts, path):
    with open(path) as f:
        acked = [int(line) for line in f if line.strip()]
    k = connect(hosts)
    bad = []
    try:
        k.sync_async(ROOT).get(timeout=30)
        have = set(k.get_children_async(ROOT).get(timeout=30))
        for seq in acked:
            name = "n%06d" % seq
            if name not in have:
                bad.append("acknowledged write %s is missing" % name)
                continue
            data, _ = k.get_async("%s/%s" % (ROOT, name)).get(timeout=30)
            if data != b"%d" % seq:
                bad.append("%s holds %r" % (name, data))
        top = max(acked) if acked else -1
        extra = sorted(n for n in have if int(n[1:]) > top + 1)
        if extra:
            bad.append("never acknowledged, yet there: %s" % extra[:5])
    finally:
        k.stop()
        k.close()
    for b in bad:
        print(b, file=sys.stderr)
    print(len(acked))
    return 1 if bad else 0


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("write", "check"):
        print(__doc__, file=sys.stderr)
        return 2
    if sys.argv[1] == "write":
        write(sys.argv[2], sys.argv[3])
        return 0
    return check(sys.argv[2], sys.argv[3])


if __name__ == "__main__":
    sys.exit(main())
