#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Writes the seed corpora of the fuzz targets into test/fuzz/corpus/.

  request/  sequences of request frames for fuzz_request.c: each frame is
            a 4-byte big-endian length and a RequestHeader + record.  Bit 0
            of a frame's xid picks the second session, bit 1 applies
            everything queued after the frame.
  connect/  ConnectRequest bodies for fuzz_connect.c.
  zoocfg/   zoo.cfg files for fuzz_zoocfg.c.

Seeds are rewritten in place; other files (inputs a fuzzer found) stay.
Run from anywhere: python3 test/fuzz/gen_corpus.py
"""
import os
import struct

# Opcodes, create modes and permissions of ZooKeeper 3.8.
CREATE, DELETE, EXISTS, GETDATA, SETDATA, GETACL, SETACL = 1, 2, 3, 4, 5, 6, 7
GETCHILDREN, SYNC, PING, GETCHILDREN2, CHECK, MULTI = 8, 9, 11, 12, 13, 14
CREATE2, RECONFIG, CHECKWATCHES, REMOVEWATCHES = 15, 16, 17, 18
CREATECONTAINER, CREATETTL, MULTIREAD = 19, 21, 22
AUTH, SETWATCHES, SASL, GETEPHEMERALS, GETALLCHILDREN = 100, 101, 102, 103, 104
SETWATCHES2, ADDWATCH, WHOAMI, CLOSESESSION = 105, 106, 107, -11

PERSISTENT, EPHEMERAL, PERSISTENT_SEQ, EPHEMERAL_SEQ = 0, 1, 2, 3
CONTAINER, TTL, TTL_SEQ = 4, 5, 6
ALL, READ = 31, 1

OPEN = [(ALL, "world", "anyone")]

# xids: A or B session, applied at once (FLUSH) or left pending.
A, B, A_FLUSH, B_FLUSH = 4, 5, 6, 7


def i32(v):
    return struct.pack(">i", v)


def i64(v):
    return struct.pack(">q", v)


def boolean(v):
    return b"\x01" if v else b"\x00"


def buf(b):
    return i32(-1) if b is None else i32(len(b)) + b


def string(s):
    if s is None:
        return i32(-1)
    return buf(s.encode() if isinstance(s, str) else s)


def acls(lst):
    out = i32(len(lst))
    for perms, scheme, ident in lst:
        out += i32(perms) + string(scheme) + string(ident)
    return out


def hdr(xid, op):
    return i32(xid) + i32(op)


def create_body(path, data=b"d", acl=OPEN, flags=PERSISTENT):
    return string(path) + buf(data) + acls(acl) + i32(flags)


def create(xid, path, flags=PERSISTENT, acl=OPEN, op=CREATE, ttl=None,
           data=b"d"):
    body = create_body(path, data, acl, flags)
    if op == CREATETTL:
        body += i64(ttl if ttl is not None else 1000)
    return hdr(xid, op) + body


def delete(xid, path, version=-1):
    return hdr(xid, DELETE) + string(path) + i32(version)


def check(xid, path, version=-1):
    return hdr(xid, CHECK) + string(path) + i32(version)


def set_data(xid, path, data=b"x", version=-1):
    return hdr(xid, SETDATA) + string(path) + buf(data) + i32(version)


def read(xid, op, path, watch=False):
    return hdr(xid, op) + string(path) + boolean(watch)


def path_only(xid, op, path):
    return hdr(xid, op) + string(path)


def set_acl(xid, path, acl, version=-1):
    return hdr(xid, SETACL) + string(path) + acls(acl) + i32(version)


def watch_op(xid, op, path, mode):
    return hdr(xid, op) + string(path) + i32(mode)


def auth(xid, scheme, cred):
    return hdr(xid, AUTH) + i32(0) + string(scheme) + buf(cred)


def strings(lst):
    return i32(len(lst)) + b"".join(string(s) for s in lst)


def set_watches(xid, rel, lists, op=SETWATCHES):
    return hdr(xid, op) + i64(rel) + b"".join(strings(x) for x in lists)


def multi_header(op, done=False, err=-1):
    return i32(op) + boolean(done) + i32(err)


def multi(xid, ops, op=MULTI):
    """ops: (opcode, body) pairs."""
    out = hdr(xid, op)
    for code, body in ops:
        out += multi_header(code) + body
    return out + multi_header(-1, True)


def seq(*frames):
    """Frames behind their length prefixes, as the fuzz target reads them."""
    return b"".join(i32(len(f)) + f for f in frames)


def request_seeds():
    s = {}
    s["create"] = seq(create(A_FLUSH, "/a/new"))
    s["create_ephemeral"] = seq(create(A_FLUSH, "/a/eph", EPHEMERAL))
    s["create_sequential_pending"] = seq(
        create(A, "/a/q", PERSISTENT_SEQ), create(A, "/a/q", EPHEMERAL_SEQ),
        create(B, "/a/plain"), create(A_FLUSH, "/a/q", PERSISTENT_SEQ))
    s["create2"] = seq(create(A_FLUSH, "/a/c2", op=CREATE2))
    s["create_container_cycle"] = seq(
        create(A_FLUSH, "/box", CONTAINER, op=CREATECONTAINER),
        create(A_FLUSH, "/box/x"), delete(A_FLUSH, "/box/x"))
    s["create_ttl"] = seq(create(A_FLUSH, "/ttl", TTL, op=CREATETTL,
                                 ttl=5000))
    s["create_ttl_bad"] = seq(
        create(A_FLUSH, "/ttl", TTL, op=CREATETTL, ttl=0),
        create(A_FLUSH, "/ttl", PERSISTENT, op=CREATETTL, ttl=-1),
        create(A_FLUSH, "/ttl", TTL))
    s["create_bad_flags"] = seq(create(A_FLUSH, "/a/f", 9))
    s["create_bad_acl"] = seq(
        create(A_FLUSH, "/a/acl", acl=[(ALL, "ip", "1.2")]),
        create(A_FLUSH, "/a/acl", acl=[]),
        create(A_FLUSH, "/a/acl", acl=[(ALL, "auth", "")]))
    s["create_auth_acl"] = seq(
        auth(-4, "digest", b"bob:secret"),
        create(A_FLUSH, "/a/mine", acl=[(ALL, "auth", "")]),
        read(A_FLUSH, GETACL, "/a/mine"))
    s["create_under_ephemeral"] = seq(create(A_FLUSH, "/e/child"))
    s["create_bad_paths"] = seq(
        create(A, "relative"), create(A, "/a/"), create(A, "/a//b"),
        create(A, "/a/."), create(A, "/a/\x01"), create(A, b"/a/\xc3"),
        create(A_FLUSH, b"/a/nul\x00x"))
    s["delete"] = seq(delete(A_FLUSH, "/a/b/c"))
    s["delete_errors"] = seq(
        delete(A, "/a"), delete(A, "/a/b/c", 5), delete(A, "/zookeeper"),
        delete(A, "/"), delete(A, ""), delete(A_FLUSH, "/missing/x"))
    s["delete_locked"] = seq(create(A_FLUSH, "/locked/x"),
                             delete(A_FLUSH, "/locked"))
    s["set_data"] = seq(set_data(A, "/a", b"1"), set_data(A, "/a", b"2", 1),
                        set_data(A_FLUSH, "/a", None, 2))
    s["set_data_badversion"] = seq(set_data(A_FLUSH, "/a", b"z", 7))
    s["set_acl"] = seq(set_acl(A_FLUSH, "/a/b", [(READ, "world", "anyone")]),
                       set_data(A_FLUSH, "/a/b", b"no"))
    s["set_acl_ip"] = seq(set_acl(A_FLUSH, "/a",
                                  [(ALL, "ip", "10.0.0.0/8"),
                                   (READ, "digest", "u:h")], 0))
    s["check"] = seq(check(A, "/a", 0), check(A, "/a", 3),
                     check(A_FLUSH, "/nope"))
    s["reads"] = seq(
        read(A, EXISTS, "/a", True), read(A, EXISTS, "/nope", True),
        read(A, GETDATA, "/a", True), read(A, GETCHILDREN, "/a", True),
        read(A, GETCHILDREN2, "/a/b", True), path_only(A, GETACL, "/locked"),
        path_only(A, SYNC, "/a"), path_only(A, GETALLCHILDREN, "/"),
        hdr(A, PING), hdr(A_FLUSH, WHOAMI))
    s["watch_fires"] = seq(
        read(A_FLUSH, GETDATA, "/a", True),
        read(A_FLUSH, GETCHILDREN, "/a", True),
        read(A_FLUSH, EXISTS, "/a/z", True),
        set_data(B_FLUSH, "/a", b"w"), create(B_FLUSH, "/a/z"),
        delete(B_FLUSH, "/a/z"))
    s["ephemerals"] = seq(
        create(A_FLUSH, "/a/e1", EPHEMERAL),
        path_only(A, GETEPHEMERALS, None), path_only(A, GETEPHEMERALS, "/a"),
        path_only(A_FLUSH, GETEPHEMERALS, " /"))
    s["add_watch"] = seq(
        watch_op(A_FLUSH, ADDWATCH, "/a", 0),
        watch_op(A_FLUSH, ADDWATCH, "/", 1),
        create(B_FLUSH, "/a/w"), set_data(B_FLUSH, "/a/w"),
        delete(B_FLUSH, "/a/w"), watch_op(A_FLUSH, ADDWATCH, "/a", 7))
    s["check_remove_watches"] = seq(
        read(A_FLUSH, GETDATA, "/a", True),
        watch_op(A_FLUSH, CHECKWATCHES, "/a", 2),
        watch_op(A_FLUSH, CHECKWATCHES, "/a", 1),
        watch_op(A_FLUSH, REMOVEWATCHES, "/a", 3),
        watch_op(A_FLUSH, REMOVEWATCHES, "/a", 3),
        watch_op(A_FLUSH, REMOVEWATCHES, "/a", 5))
    s["set_watches"] = seq(set_watches(
        -8, 3, [["/a", "/gone"], ["/a/b", "/new"], ["/a", "/gone"]]))
    s["set_watches2"] = seq(set_watches(
        -8, 0, [["/a"], [], ["/a"], ["/a/b"], ["/", "/a"]], SETWATCHES2),
        create(B_FLUSH, "/a/b/x"))
    s["multi"] = seq(multi(A_FLUSH, [
        (CREATE, create_body("/a/m1")),
        (CREATE2, create_body("/a/m2", flags=PERSISTENT_SEQ)),
        (CREATE, create_body("/a/box", flags=CONTAINER)),
        (SETDATA, string("/a") + buf(b"m") + i32(-1)),
        (CHECK, string("/a/b") + i32(0)),
        (DELETE, string("/a/b/c") + i32(-1))]))
    s["multi_rollback"] = seq(
        set_data(A, "/a", b"p"),
        multi(A, [(SETDATA, string("/a") + buf(b"m") + i32(1)),
                  (CREATE, create_body("/a/r", flags=PERSISTENT_SEQ)),
                  (DELETE, string("/missing") + i32(-1)),
                  (CREATE, create_body("/a/never"))]),
        set_data(A, "/a", b"c", 1), create(A, "/a/r", PERSISTENT_SEQ),
        delete(A_FLUSH, "/a"))
    s["multi_read"] = seq(multi(A_FLUSH, [
        (GETDATA, string("/a") + boolean(True)),
        (GETCHILDREN, string("/nope") + boolean(False)),
        (GETDATA, string("/locked") + boolean(False))], MULTIREAD))
    s["multi_mixed"] = seq(multi(A_FLUSH, [
        (CREATE, create_body("/a/mix")),
        (GETDATA, string("/a") + boolean(False))]))
    s["multi_empty"] = seq(multi(A_FLUSH, []))
    s["close_session"] = seq(
        create(A_FLUSH, "/a/e1", EPHEMERAL), create(A, "/a/e2", EPHEMERAL),
        delete(A, "/e"), hdr(A, CLOSESESSION), create(A, "/a/late"),
        read(A_FLUSH, GETDATA, "/a"), create(A_FLUSH, "/a/after"))
    s["close_session_other"] = seq(
        create(B_FLUSH, "/a/b1", EPHEMERAL), hdr(B_FLUSH, CLOSESESSION),
        create(A_FLUSH, "/a/b1", EPHEMERAL))
    s["reconfig"] = seq(hdr(A_FLUSH, RECONFIG) + string(None) + string("2")
                        + string(None) + i64(-1))
    s["auth_super"] = seq(auth(-4, "digest", b"super:secret"),
                          delete(A_FLUSH, "/locked"),
                          set_acl(A_FLUSH, "/a", OPEN))
    s["auth_ip_and_bad"] = seq(auth(-4, "ip", b""), auth(-4, "x509", b"c"),
                               read(A_FLUSH, GETDATA, "/ip"))
    s["sasl"] = seq(hdr(A_FLUSH, SASL) + buf(b"token"))
    s["garbage_truncated"] = seq(create(A_FLUSH, "/a/t")[:-3])
    s["garbage_unknown_op"] = seq(hdr(A_FLUSH, 99) + string("/a"))
    s["garbage_huge_count"] = seq(hdr(A_FLUSH, CREATE) + string("/a/h") +
                                  buf(None) + i32(0x7fffffff))
    s["garbage_bad_length"] = i32(1000) + hdr(A_FLUSH, GETDATA)
    s["empty"] = b""
    return s


def java_random_bytes(seed, n):
    """new java.util.Random(seed).nextBytes(new byte[n])."""
    mult, mask = 0x5DEECE66D, (1 << 48) - 1
    state = (seed ^ mult) & mask
    out = bytearray()
    while len(out) < n:
        state = (state * mult + 0xB) & mask
        rnd = state >> 16
        for _ in range(min(4, n - len(out))):
            out.append(rnd & 0xff)
            rnd >>= 8
    return bytes(out)


def connect(session, passwd, ro=None, timeout=30000, last_zxid=0, proto=0):
    body = i32(proto) + i64(last_zxid) + i32(timeout) + i64(session)
    body += buf(passwd)
    if ro is not None:
        body += boolean(ro)
    return body


def connect_seeds():
    sid = 0x0100017F3C5A0000
    good = java_random_bytes((sid ^ 0xB3415C00) & ((1 << 64) - 1), 16)
    s = {}
    s["new_session"] = connect(0, bytes(16))
    s["new_session_ro"] = connect(0, bytes(16), True)
    s["new_session_rw"] = connect(0, bytes(16), False)
    s["reconnect_good_passwd"] = connect(sid, good, False, 10000,
                                         0x500000010)
    s["reconnect_bad_passwd"] = connect(sid, b"x" * 16, False)
    s["null_passwd"] = connect(0, None)
    s["short_passwd"] = connect(sid, b"abc")
    s["long_passwd"] = connect(sid, b"p" * 200, True)
    s["negative_timeout"] = connect(0, bytes(16), None, -1)
    s["trailing_bytes"] = connect(0, bytes(16), True) + b"\x00\x01\x02"
    s["truncated"] = connect(0, bytes(16))[:30]
    s["passwd_past_end"] = connect(0, bytes(16))[:24] + i32(500) + b"ab"
    s["empty"] = b""
    return s


def zoocfg_seeds():
    s = {}
    s["standalone"] = (
        b"tickTime=2000\ninitLimit=10\nsyncLimit=5\n"
        b"dataDir=/nonexistent/zk\nclientPort=2181\n")
    s["separators_comments"] = (
        b"# comment\n! comment\ntickTime : 3000\nsyncLimit 2\n"
        b"  clientPort =  21810  \ndataDir=/nonexistent/zk\n\n"
        b"4lw.commands.whitelist=stat, ruok, *\n")
    s["continuation"] = (
        b"dataDir=/nonexistent/\\\n    zk\ntickTime=1\\\n000\n"
        b"clientPort=2181\\\n")
    s["comment_backslash"] = (
        b"dataDir=/nonexistent/zk\n# C:\\dir\\\nclientPort=2181\n")
    s["ensemble"] = (
        b"dataDir=/nonexistent/zk\nclientPort=2181\n"
        b"server.1=127.0.0.1:2888:3888\n"
        b"server.2=h2:2889:3889:observer;2182\n"
        b"server.3=h3:2890:3890:participant;0.0.0.0:2183\n")
    s["ensemble_no_client_port"] = (
        b"dataDir=/nonexistent/zk\nserver.1=a:1:2;2181\n")
    s["bad_numbers"] = (
        b"dataDir=/nonexistent/zk\ntickTime=abc\nclientPort=99999\n")
    s["bad_bool"] = b"dataDir=/nonexistent/zk\nreconfigEnabled=yes\n"
    s["bad_server"] = b"dataDir=/x\nserver.0=h:1\nserver.1=h:a:b:c:d\n"
    s["all_keys"] = (
        b"tickTime=100\ninitLimit=3\nsyncLimit=2\ndataDir=/nonexistent/a\n"
        b"dataLogDir=/nonexistent/b\nclientPort=2181\n"
        b"clientPortAddress=127.0.0.1\nmaxClientCnxns=0\n"
        b"minSessionTimeout=200\nmaxSessionTimeout=100000\n"
        b"clientPortListenBacklog=-1\nautopurge.snapRetainCount=3\n"
        b"autopurge.purgeInterval=1\nsnapCount=1000\n"
        b"jute.maxbuffer=4194304\nznode.container.checkIntervalMs=1000\n"
        b"znode.container.maxPerMinute=100\n"
        b"znode.container.maxNeverUsedIntervalMs=0\npreAllocSize=1024\n"
        b"electionAlg=3\nforceSync=no\nskipACL=yes\n"
        b"DigestAuthenticationProvider.superDigest=super:abc=\n"
        b"peerType=observer\nreconfigEnabled=true\nstandaloneEnabled=false\n"
        b"extendedTypesEnabled=true\nreadonlymode.enabled=true\n"
        b"metricsProvider.className=x\n")
    s["timeouts_inverted"] = (
        b"dataDir=/nonexistent/zk\nclientPort=2181\n"
        b"minSessionTimeout=9000\nmaxSessionTimeout=100\n")
    s["no_data_dir"] = b"clientPort=2181\n"
    s["empty"] = b""
    s["only_comments"] = b"# nothing\n! here\n   \n"
    s["long_line"] = b"dataDir=/" + b"d" * 5000 + b"\nclientPort=1\n"
    s["binary"] = bytes(range(256))
    s["crlf"] = b"dataDir=/nonexistent/zk\r\nclientPort=2181\r\n"
    return s


def write(target, seeds):
    d = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus",
                     target)
    os.makedirs(d, exist_ok=True)
    for name, data in sorted(seeds.items()):
        with open(os.path.join(d, "seed-" + name), "wb") as f:
            f.write(data)
    print("%s: %d seeds" % (d, len(seeds)))


def main():
    write("request", request_seeds())
    write("connect", connect_seeds())
    write("zoocfg", zoocfg_seeds())


if __name__ == "__main__":
    main()
