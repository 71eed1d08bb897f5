// SPDX-License-Identifier: ISC
//
// What Apache's Java client (Debian's zookeeper package) sees of a server.
//
// Run by java_client.sh against a standalone server started with
// tickTime=500, extendedTypesEnabled=true and a 100 ms container check:
//
//     java JavaClient PORT PROXY_PORT
//
// PORT is the server's client port; PROXY_PORT is where this program
// listens itself to relay connections to the server, so that it can cut
// a session's connection or keep the session away from the server until
// it expires.  Each check prints one TAP line; the plan comes last.
//
// Covered: persistent and persistent recursive watches (addWatch) and
// their removal, getEphemerals, getAllChildrenNumber, whoAmI, multiRead,
// multi with every write op, getChildren2, getConfig, an auth failure,
// containers and TTL nodes, binary data, exists/getData watches,
// sequential names, a session surviving a lost connection (watches
// restored with setWatches2) and a session expiring.  Waits are on
// events or callbacks with a generous deadline, never on a fixed sleep.
//
// The client delivers watch events and async callbacks from one thread in
// the order the server's messages arrived, so once the callback of a sync
// issued after an operation has run, every event that operation caused
// has been delivered (see barrier()).

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.Watcher.Event.EventType;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.Watcher.WatcherType;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ClientInfo;
import org.apache.zookeeper.data.Stat;

public class JavaClient {
    static final long WAIT_MS = 15000;
    static final String LOCALHOST = "127.0.0.1";

    static int port;
    static int proxyPort;
    static int tests;
    static int failed;

    // --- TAP --------------------------------------------------------------

    static void ok(boolean cond, String what) {
        tests++;
        System.out.println((cond ? "ok " : "not ok ") + tests + " - " + what);
        if (!cond) {
            failed++;
        }
    }

    static boolean is(Object got, Object want, String what) {
        boolean same = got == null ? want == null : got.equals(want);
        ok(same, what);
        if (!same) {
            diag("got:  " + got);
            diag("want: " + want);
        }
        return same;
    }

    static void diag(String text) {
        for (String line : text.split("\n")) {
            System.out.println("# " + line);
        }
    }

    // A group of checks; an exception fails it visibly instead of hiding
    // the checks it did not reach.
    interface Group {
        void run() throws Exception;
    }

    static void group(String name, Group g) {
        try {
            g.run();
        } catch (Exception e) {
            ok(false, name + ": " + e);
        }
    }

    // --- watch events -----------------------------------------------------

    // Records every event it receives as "Type path" (or "state State").
    static class Events implements Watcher {
        final List<String> seen = new ArrayList<>();

        @Override
        public synchronized void process(WatchedEvent e) {
            if (e.getType() == EventType.None) {
                seen.add("state " + e.getState());
            } else {
                seen.add(e.getType() + " " + e.getPath());
            }
            notifyAll();
        }

        // Waits for an event and takes it and everything before it.
        synchronized boolean await(String want) throws InterruptedException {
            long end = System.currentTimeMillis() + WAIT_MS;
            while (!seen.contains(want)) {
                long left = end - System.currentTimeMillis();
                if (left <= 0) {
                    diag("no event \"" + want + "\"; seen " + seen);
                    return false;
                }
                wait(left);
            }
            seen.subList(0, seen.indexOf(want) + 1).clear();
            return true;
        }

        // Takes every event recorded so far.
        synchronized List<String> drain() {
            List<String> all = new ArrayList<>(seen);
            seen.clear();
            return all;
        }

        // Takes every event so far, leaving out connection state changes
        // (which the client gives every watcher it holds).
        synchronized List<String> drainNodeEvents() {
            List<String> all = new ArrayList<>();
            for (String e : drain()) {
                if (!e.startsWith("state ")) {
                    all.add(e);
                }
            }
            return all;
        }
    }

    // Returns once every event the server sent before now was delivered.
    static void barrier(ZooKeeper zk) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        zk.sync("/", (rc, path, ctx) -> done.countDown(), null);
        if (!done.await(WAIT_MS, TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("sync did not complete");
        }
    }

    static ZooKeeper connect(String hosts, int timeout, Watcher w)
            throws IOException, InterruptedException {
        CountDownLatch up = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(hosts, timeout, e -> {
            if (e.getState() == KeeperState.SyncConnected) {
                up.countDown();
            }
            if (w != null) {
                w.process(e);
            }
        });
        if (!up.await(WAIT_MS, TimeUnit.MILLISECONDS)) {
            zk.close();
            throw new IOException("no session on " + hosts);
        }
        return zk;
    }

    static void mkdir(ZooKeeper zk, String path) throws Exception {
        zk.create(path, null, ZooDefs.Ids.OPEN_ACL_UNSAFE,
                CreateMode.PERSISTENT);
    }

    // Waits until path is gone, on a watch rather than by polling.
    static boolean awaitDeleted(ZooKeeper zk, String path) throws Exception {
        Events ev = new Events();
        if (zk.exists(path, ev) == null) {
            return true;
        }
        return ev.await("NodeDeleted " + path);
    }

    // Whether the server's 'wchp' lists path among its watched paths.
    static boolean watched(String path) throws IOException {
        try (Socket s = new Socket(LOCALHOST, port)) {
            s.getOutputStream().write("wchp".getBytes(StandardCharsets.US_ASCII));
            String out = new String(s.getInputStream().readAllBytes(),
                    StandardCharsets.UTF_8);
            return Arrays.asList(out.split("\n")).contains(path);
        }
    }

    static List<String> sorted(List<String> l) {
        List<String> c = new ArrayList<>(l);
        Collections.sort(c);
        return c;
    }

    // --- a relay that can cut or refuse connections -----------------------

    static class Proxy implements Runnable {
        final ServerSocket listener;
        final List<Socket> open = new ArrayList<>();
        volatile boolean refusing;

        Proxy(int listenPort) throws IOException {
            listener = new ServerSocket();
            listener.setReuseAddress(true);
            listener.bind(new InetSocketAddress(
                    InetAddress.getByName(LOCALHOST), listenPort), 50);
            Thread t = new Thread(this, "proxy");
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void run() {
            while (!listener.isClosed()) {
                try {
                    Socket c = listener.accept();
                    if (refusing) {
                        c.close();
                        continue;
                    }
                    Socket s = new Socket(LOCALHOST, port);
                    synchronized (this) {
                        open.add(c);
                        open.add(s);
                    }
                    pump(c, s);
                    pump(s, c);
                } catch (IOException e) {
                    // closed listener or a refused connection: go on
                }
            }
        }

        void pump(Socket from, Socket to) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[65536];
                try {
                    InputStream in = from.getInputStream();
                    OutputStream out = to.getOutputStream();
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        out.write(buf, 0, n);
                    }
                } catch (IOException e) {
                    // cut
                }
                closeQuietly(from);
                closeQuietly(to);
            }, "pump");
            t.setDaemon(true);
            t.start();
        }

        // Closes every relayed connection, both sides.
        synchronized void cut() {
            for (Socket s : open) {
                closeQuietly(s);
            }
            open.clear();
        }

        // Cuts, and closes new connections as soon as they come.
        void block() {
            refusing = true;
            cut();
        }

        void unblock() {
            refusing = false;
        }

        void close() {
            closeQuietly(listener);
            cut();
        }

        static void closeQuietly(java.io.Closeable c) {
            try {
                c.close();
            } catch (IOException e) {
                // nothing to do
            }
        }
    }

    // --- checks -----------------------------------------------------------

    // A persistent watch sees every change of its node and of its list of
    // children, and stays after firing.
    static void persistentWatch(ZooKeeper zk, ZooKeeper other) throws Exception {
        Events ev = new Events();
        zk.addWatch("/pw", ev, AddWatchMode.PERSISTENT);
        mkdir(other, "/pw");
        other.setData("/pw", "1".getBytes(), -1);
        mkdir(other, "/pw/kid");
        other.setData("/pw/kid", "1".getBytes(), -1);
        mkdir(other, "/pw/kid/grandkid");
        other.delete("/pw/kid/grandkid", -1);
        other.delete("/pw/kid", -1);
        other.setData("/pw", "2".getBytes(), -1);
        other.delete("/pw", -1);
        mkdir(other, "/pw");
        barrier(zk);
        is(ev.drain(), Arrays.asList("NodeCreated /pw",
                "NodeDataChanged /pw", "NodeChildrenChanged /pw",
                "NodeChildrenChanged /pw", "NodeDataChanged /pw",
                "NodeDeleted /pw", "NodeCreated /pw"),
                "PERSISTENT watch: created, data and children changes, "
                + "deleted, created again; nothing from below the children");
        ok(watched("/pw"), "the server (wchp) lists the persistent watch");
    }

    // A recursive watch sees its node and every descendant, but never a
    // NodeChildrenChanged.
    static void recursiveWatch(ZooKeeper zk, ZooKeeper other) throws Exception {
        Events ev = new Events();
        zk.addWatch("/rw", ev, AddWatchMode.PERSISTENT_RECURSIVE);
        mkdir(other, "/rw");
        mkdir(other, "/rw/a");
        other.setData("/rw/a", "x".getBytes(), -1);
        mkdir(other, "/rw/a/b");
        other.setData("/rw/a/b", "y".getBytes(), -1);
        other.delete("/rw/a/b", -1);
        other.delete("/rw/a", -1);
        mkdir(other, "/rwx");
        other.setData("/rw", "z".getBytes(), -1);
        barrier(zk);
        is(ev.drain(), Arrays.asList("NodeCreated /rw", "NodeCreated /rw/a",
                "NodeDataChanged /rw/a", "NodeCreated /rw/a/b",
                "NodeDataChanged /rw/a/b", "NodeDeleted /rw/a/b",
                "NodeDeleted /rw/a", "NodeDataChanged /rw"),
                "PERSISTENT_RECURSIVE watch: every descendant's create, change "
                + "and delete; no NodeChildrenChanged; not a sibling /rwx");

        // A standard watch on a node under a recursive watch fires once,
        // and the recursive one goes on.
        Events once = new Events();
        mkdir(other, "/rw/c");
        zk.getData("/rw/c", once, null);
        other.setData("/rw/c", "1".getBytes(), -1);
        other.setData("/rw/c", "2".getBytes(), -1);
        barrier(zk);
        is(once.drain(), Arrays.asList("NodeDataChanged /rw/c"),
                "a getData watch under a recursive watch fires once");
        is(ev.drain(), Arrays.asList("NodeCreated /rw/c",
                "NodeDataChanged /rw/c", "NodeDataChanged /rw/c"),
                "the recursive watch sees both changes");
    }

    // removeWatches (checkWatches) and removeAllWatches (removeWatches)
    // of persistent watches, with WatcherType.Any.
    static void removePersistent(ZooKeeper zk, ZooKeeper other) throws Exception {
        Events pw = new Events();
        mkdir(other, "/rm");
        zk.addWatch("/rm", pw, AddWatchMode.PERSISTENT);
        zk.removeWatches("/rm", pw, WatcherType.Any, false);
        barrier(zk);
        is(pw.drain(), Arrays.asList("PersistentWatchRemoved /rm"),
                "removeWatches(Any) of a persistent watch: the watcher gets "
                + "PersistentWatchRemoved");
        other.setData("/rm", "1".getBytes(), -1);
        barrier(zk);
        is(pw.drain(), Collections.emptyList(),
                "no event reaches a removed persistent watcher");

        Events rw = new Events();
        zk.addWatch("/rm", rw, AddWatchMode.PERSISTENT_RECURSIVE);
        ok(watched("/rm"), "the server lists the recursive watch");
        zk.removeAllWatches("/rm", WatcherType.Any, false);
        barrier(zk);
        is(rw.drain(), Arrays.asList("PersistentWatchRemoved /rm"),
                "removeAllWatches(Any) of a recursive watch: "
                + "PersistentWatchRemoved");
        ok(!watched("/rm"), "after removeAllWatches the server no longer "
                + "lists the watch");

        KeeperException.Code code = KeeperException.Code.OK;
        try {
            zk.removeAllWatches("/rm", WatcherType.Any, false);
        } catch (KeeperException e) {
            code = e.code();
        }
        is(code, KeeperException.Code.NOWATCHER,
                "removeAllWatches where the session has none: NOWATCHER "
                + "from the server");
    }

    // getEphemerals lists the calling session's ephemerals only,
    // optionally those whose path starts with a prefix.
    static void ephemerals(ZooKeeper zk, ZooKeeper other) throws Exception {
        mkdir(zk, "/eph");
        for (String p : new String[] {"/e1", "/eph/a", "/eph/b"}) {
            zk.create(p, null, ZooDefs.Ids.OPEN_ACL_UNSAFE,
                    CreateMode.EPHEMERAL);
        }
        other.create("/eph/c", null, ZooDefs.Ids.OPEN_ACL_UNSAFE,
                CreateMode.EPHEMERAL);
        is(sorted(zk.getEphemerals()), Arrays.asList("/e1", "/eph/a",
                "/eph/b"), "getEphemerals: the session's own ephemerals");
        is(sorted(zk.getEphemerals("/eph")), Arrays.asList("/eph/a",
                "/eph/b"), "getEphemerals(\"/eph\"): those under the prefix");
        is(sorted(zk.getEphemerals("/e")), Arrays.asList("/e1", "/eph/a",
                "/eph/b"), "getEphemerals(\"/e\"): the prefix is a string "
                + "prefix, not a path");
        is(other.getEphemerals(), Arrays.asList("/eph/c"),
                "another session sees only its own");
    }

    static void allChildrenNumber(ZooKeeper zk) throws Exception {
        mkdir(zk, "/gc");
        mkdir(zk, "/gc/a");
        mkdir(zk, "/gc/a/x");
        mkdir(zk, "/gc/a/y");
        mkdir(zk, "/gc/b");
        is(zk.getAllChildrenNumber("/gc"), 4,
                "getAllChildrenNumber counts every descendant");
        is(zk.getAllChildrenNumber("/gc/b"), 0,
                "getAllChildrenNumber of a leaf is 0");
        KeeperException.Code code = KeeperException.Code.OK;
        try {
            zk.getAllChildrenNumber("/gc/none");
        } catch (KeeperException e) {
            code = e.code();
        }
        is(code, KeeperException.Code.NONODE,
                "getAllChildrenNumber of a missing node: NONODE");
    }

    static List<String> who(ZooKeeper zk) throws InterruptedException {
        List<String> ids = new ArrayList<>();
        for (ClientInfo ci : zk.whoAmI()) {
            ids.add(ci.getAuthScheme() + ":" + ci.getUser());
        }
        Collections.sort(ids);
        return ids;
    }

    static void whoAmI(ZooKeeper zk) throws Exception {
        is(who(zk), Arrays.asList("ip:127.0.0.1"),
                "whoAmI before any auth: the ip identity");
        zk.addAuthInfo("digest", "alice:secret".getBytes());
        is(who(zk), Arrays.asList("digest:alice", "ip:127.0.0.1"),
                "whoAmI after addAuthInfo digest: the user name is added");
    }

    // multi of reads only (multiRead): results op by op, a failing read
    // does not stop the others.
    static void multiRead(ZooKeeper zk) throws Exception {
        mkdir(zk, "/mr");
        zk.create("/mr/a", "A".getBytes(), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                CreateMode.PERSISTENT);
        mkdir(zk, "/mr/b");
        List<OpResult> res = zk.multi(Arrays.asList(Op.getChildren("/mr"),
                Op.getData("/mr/a"), Op.getData("/mr/none"),
                Op.getChildren("/mr/none"), Op.getData("/mr/b")));
        ok(res.size() == 5, "multiRead answers one result per op");
        ok(res.get(0) instanceof OpResult.GetChildrenResult
                && sorted(((OpResult.GetChildrenResult) res.get(0))
                .getChildren()).equals(Arrays.asList("a", "b")),
                "multiRead getChildren result");
        ok(res.get(1) instanceof OpResult.GetDataResult
                && Arrays.equals(((OpResult.GetDataResult) res.get(1))
                .getData(), "A".getBytes())
                && ((OpResult.GetDataResult) res.get(1)).getStat()
                .getDataLength() == 1, "multiRead getData result and stat");
        ok(res.get(2) instanceof OpResult.ErrorResult
                && ((OpResult.ErrorResult) res.get(2)).getErr()
                == KeeperException.Code.NONODE.intValue()
                && res.get(3) instanceof OpResult.ErrorResult
                && ((OpResult.ErrorResult) res.get(3)).getErr()
                == KeeperException.Code.NONODE.intValue(),
                "multiRead: reads of a missing node give NONODE results");
        ok(res.get(4) instanceof OpResult.GetDataResult
                && ((OpResult.GetDataResult) res.get(4)).getData() == null,
                "multiRead: the read after a failed one still succeeds");
    }

    // Containers and TTL nodes through the Java API, in a multi too.
    static void containersAndTtl(ZooKeeper zk) throws Exception {
        Stat st = new Stat();
        zk.create("/jc", null, ZooDefs.Ids.OPEN_ACL_UNSAFE,
                CreateMode.CONTAINER, st);
        ok(st.getCzxid() != 0 && st.getEphemeralOwner() == 0,
                "create CONTAINER returns a stat; ephemeralOwner shows 0");
        mkdir(zk, "/jc/kid");
        zk.delete("/jc/kid", -1);
        ok(awaitDeleted(zk, "/jc"),
                "the server deletes the container after its last child");

        List<OpResult> res = zk.multi(Arrays.asList(
                Op.create("/jm", null, ZooDefs.Ids.OPEN_ACL_UNSAFE,
                        CreateMode.CONTAINER),
                Op.create("/jm/kid", null, ZooDefs.Ids.OPEN_ACL_UNSAFE,
                        CreateMode.PERSISTENT)));
        ok(res.get(0) instanceof OpResult.CreateResult
                && "/jm".equals(((OpResult.CreateResult) res.get(0)).getPath())
                && ((OpResult.CreateResult) res.get(0)).getStat() != null,
                "a container created in a multi: path and stat");
        zk.delete("/jm/kid", -1);
        ok(awaitDeleted(zk, "/jm"), "and the server deletes it once emptied");

        zk.create("/jt", "t".getBytes(), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                CreateMode.PERSISTENT_WITH_TTL, st, 300);
        ok(st.getCzxid() != 0 && st.getEphemeralOwner() == 0,
                "create PERSISTENT_WITH_TTL returns a stat; ephemeralOwner "
                + "shows 0");
        ok(awaitDeleted(zk, "/jt"), "a childless TTL node expires");
        String seq = zk.create("/jts-", null, ZooDefs.Ids.OPEN_ACL_UNSAFE,
                CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL, st, 300);
        ok(seq.matches("/jts-\\d{10}") && awaitDeleted(zk, seq),
                "PERSISTENT_SEQUENTIAL_WITH_TTL: sequential name, expires ("
                + seq + ")");
    }

    static void binaryData(ZooKeeper zk) throws Exception {
        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        zk.create("/bin", all, ZooDefs.Ids.OPEN_ACL_UNSAFE,
                CreateMode.PERSISTENT);
        Stat st = new Stat();
        ok(Arrays.equals(zk.getData("/bin", false, st), all)
                && st.getDataLength() == 256,
                "every byte value survives create/getData");
        byte[] big = new byte[512 * 1024];
        new Random(7).nextBytes(big);
        Stat set = zk.setData("/bin", big, 0);
        ok(set.getVersion() == 1 && set.getDataLength() == big.length
                && Arrays.equals(zk.getData("/bin", false, null), big),
                "512 KiB of random bytes round-trip through setData/getData");
        zk.setData("/bin", new byte[0], -1);
        byte[] empty = zk.getData("/bin", false, st);
        ok(empty != null && empty.length == 0 && st.getDataLength() == 0,
                "empty data reads back empty, not null");
        zk.setData("/bin", null, -1);
        ok(zk.getData("/bin", false, st) == null && st.getDataLength() == 0,
                "null data reads back null");
    }

    static void watches(ZooKeeper zk, ZooKeeper other) throws Exception {
        Events ev = new Events();
        ok(zk.exists("/wx", ev) == null, "exists on a missing node: null");
        mkdir(other, "/wx");
        ok(ev.await("NodeCreated /wx"), "exists watch: NodeCreated");
        zk.getData("/wx", ev, null);
        other.setData("/wx", "v".getBytes(), -1);
        ok(ev.await("NodeDataChanged /wx"), "getData watch: NodeDataChanged");
        zk.getData("/wx", ev, null);
        zk.getChildren("/wx", ev);
        other.delete("/wx", -1);
        barrier(zk);
        is(sorted(ev.drain()), Arrays.asList("NodeDeleted /wx"),
                "a data and a child watch by one watcher on a deleted node: "
                + "one NodeDeleted");
    }

    static void sequential(ZooKeeper zk) throws Exception {
        mkdir(zk, "/sq");
        List<String> got = new ArrayList<>();
        got.add(zk.create("/sq/n-", null, ZooDefs.Ids.OPEN_ACL_UNSAFE,
                CreateMode.PERSISTENT_SEQUENTIAL));
        got.add(zk.create("/sq/n-", null, ZooDefs.Ids.OPEN_ACL_UNSAFE,
                CreateMode.EPHEMERAL_SEQUENTIAL));
        zk.delete(got.get(0), -1);
        got.add(zk.create("/sq/m-", null, ZooDefs.Ids.OPEN_ACL_UNSAFE,
                CreateMode.PERSISTENT_SEQUENTIAL));
        is(got, Arrays.asList("/sq/n-0000000000", "/sq/n-0000000001",
                "/sq/m-0000000002"), "sequential names count the parent's "
                + "creates, whatever the prefix");
        Stat st = zk.exists("/sq", false);
        is(st.getCversion(), 4, "cversion counts creates and deletes");
    }

    // multi with every write op kind, TTL and container creates included;
    // a failing op fails them all, with a result for each.
    static void multiWrite(ZooKeeper zk) throws Exception {
        mkdir(zk, "/mw");
        mkdir(zk, "/mw/gone");
        List<OpResult> res = zk.multi(Arrays.asList(
                Op.create("/mw/p", "p".getBytes(), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                        CreateMode.PERSISTENT),
                Op.create("/mw/t", null, ZooDefs.Ids.OPEN_ACL_UNSAFE,
                        CreateMode.PERSISTENT_WITH_TTL, 600000),
                Op.create("/mw/c", null, ZooDefs.Ids.OPEN_ACL_UNSAFE,
                        CreateMode.CONTAINER),
                Op.create("/mw/s-", null, ZooDefs.Ids.OPEN_ACL_UNSAFE,
                        CreateMode.PERSISTENT_SEQUENTIAL),
                Op.setData("/mw/p", "q".getBytes(), 0),
                Op.check("/mw/p", 1),
                Op.delete("/mw/gone", 0)));
        List<String> kinds = new ArrayList<>();
        for (OpResult r : res) {
            String k = r.getClass().getSimpleName();
            if (r instanceof OpResult.CreateResult) {
                OpResult.CreateResult c = (OpResult.CreateResult) r;
                k += " " + c.getPath() + (c.getStat() != null ? " stat" : "");
            }
            kinds.add(k);
        }
        is(kinds, Arrays.asList("CreateResult /mw/p", "CreateResult /mw/t stat",
                "CreateResult /mw/c stat", "CreateResult /mw/s-0000000004",
                "SetDataResult", "CheckResult", "DeleteResult"),
                "multi: a result per op; TTL and container creates carry a stat");

        List<Integer> errs = new ArrayList<>();
        KeeperException.Code code = KeeperException.Code.OK;
        try {
            zk.multi(Arrays.asList(
                    Op.create("/mw/new", null, ZooDefs.Ids.OPEN_ACL_UNSAFE,
                            CreateMode.PERSISTENT),
                    Op.delete("/mw/none", -1),
                    Op.setData("/mw/p", "r".getBytes(), -1)));
        } catch (KeeperException e) {
            code = e.code();
            for (OpResult r : e.getResults()) {
                errs.add(((OpResult.ErrorResult) r).getErr());
            }
        }
        is(code + " " + errs, "NONODE [0, -101, -2]",
                "a failing multi: NONODE, results OK, NONODE, "
                + "RUNTIMEINCONSISTENCY");
        ok(zk.exists("/mw/new", false) == null
                && zk.exists("/mw/p", false).getVersion() == 1,
                "and nothing of it applied");
    }

    // getChildren with a stat, getConfig of a standalone server.
    static void readsWithStat(ZooKeeper zk) throws Exception {
        Stat st = new Stat();
        List<String> kids = zk.getChildren("/mw", false, st);
        is(sorted(kids), Arrays.asList("c", "p", "s-0000000004", "t"),
                "getChildren2 lists the children");
        ok(st.getNumChildren() == 4 && st.getCversion() == 6
                && st.getPzxid() >= st.getCzxid(),
                "getChildren2's stat: numChildren 4, cversion 6");
        Stat cst = new Stat();
        byte[] cfg = zk.getConfig(false, cst);
        is(new String(cfg == null ? new byte[0] : cfg,
                StandardCharsets.UTF_8) + " aversion " + cst.getAversion(),
                " aversion -1", "getConfig on a standalone server: empty "
                + "data, aclVersion -1");
    }

    // An auth scheme the server does not know fails the session's handle.
    static void authFailed() throws Exception {
        Events state = new Events();
        ZooKeeper zk = connect(LOCALHOST + ":" + port, 10000, state);
        try {
            zk.addAuthInfo("nosuchscheme", "x".getBytes());
            ok(state.await("state AuthFailed"),
                    "addAuthInfo with an unknown scheme: AuthFailed");
            KeeperException.Code code = KeeperException.Code.OK;
            try {
                zk.exists("/", false);
            } catch (KeeperException e) {
                code = e.code();
            }
            is(code, KeeperException.Code.AUTHFAILED,
                    "and later requests fail AUTHFAILED");
        } finally {
            zk.close();
        }
    }

    // A lost connection is not a lost session: same id, ephemerals kept,
    // standard and persistent watches restored.
    static void reconnect(Proxy px, ZooKeeper other) throws Exception {
        Events state = new Events();
        ZooKeeper zk = connect(LOCALHOST + ":" + proxyPort, 10000, state);
        try {
            long sid = zk.getSessionId();
            zk.create("/rc", null, ZooDefs.Ids.OPEN_ACL_UNSAFE,
                    CreateMode.EPHEMERAL);
            mkdir(other, "/rcw");
            Events data = new Events();
            Events pers = new Events();
            zk.getData("/rcw", data, null);
            zk.addWatch("/rcw", pers, AddWatchMode.PERSISTENT_RECURSIVE);
            state.drain();
            px.cut();
            ok(state.await("state Disconnected")
                    && state.await("state SyncConnected"),
                    "after a cut connection the client reconnects");
            ok(zk.getSessionId() == sid, "the session id is kept");
            ok(other.exists("/rc", false) != null,
                    "the session's ephemeral survived");
            // The client re-sends its watches first thing on the new
            // connection: one round trip there orders them before the
            // other client's changes.
            zk.exists("/rcw", false);
            other.setData("/rcw", "1".getBytes(), -1);
            mkdir(other, "/rcw/kid");
            ok(data.await("NodeDataChanged /rcw"),
                    "a getData watch set before the cut still fires");
            ok(pers.await("NodeDataChanged /rcw")
                    && pers.await("NodeCreated /rcw/kid"),
                    "a recursive watch set before the cut still fires");
        } finally {
            zk.close();
            px.unblock();
            px.cut();
        }
    }

    // Watches set before a disconnection fire on reconnection for what
    // changed meanwhile (setWatches2 carries the last zxid seen); the
    // client hands those events to a persistent watch on the same paths
    // too, and the persistent watch is restored on the server.
    static void catchUp(Proxy px, ZooKeeper other) throws Exception {
        Events state = new Events();
        ZooKeeper zk = connect(LOCALHOST + ":" + proxyPort, 10000, state);
        try {
            mkdir(other, "/cu");
            mkdir(other, "/cu/data");
            mkdir(other, "/cu/gone");
            Events ev = new Events();
            Events pers = new Events();
            zk.getData("/cu/data", ev, null);
            zk.getData("/cu/gone", ev, null);
            zk.exists("/cu/new", ev);
            zk.getChildren("/cu", ev);
            zk.addWatch("/cu", pers, AddWatchMode.PERSISTENT_RECURSIVE);
            state.drain();
            px.block();
            ok(state.await("state Disconnected"), "the client is cut off");
            other.setData("/cu/data", "1".getBytes(), -1);
            other.delete("/cu/gone", -1);
            mkdir(other, "/cu/new");
            px.unblock();
            ok(state.await("state SyncConnected"), "and comes back");
            barrier(zk);
            is(sorted(ev.drainNodeEvents()), Arrays.asList(
                    "NodeChildrenChanged /cu", "NodeCreated /cu/new",
                    "NodeDataChanged /cu/data", "NodeDeleted /cu/gone"),
                    "watches fire for what changed while the client was away");
            is(pers.drainNodeEvents(), Arrays.asList("NodeDeleted /cu/gone",
                    "NodeDataChanged /cu/data", "NodeCreated /cu/new",
                    "NodeChildrenChanged /cu"), "a recursive watch on the "
                    + "same paths gets those events too, data watches' "
                    + "first, then exists', then children's");
            other.setData("/cu/new", "1".getBytes(), -1);
            ok(pers.await("NodeDataChanged /cu/new"),
                    "and it is restored on the server");
        } finally {
            zk.close();
            px.unblock();
            px.cut();
        }
    }

    // A session kept away from the server longer than its timeout is
    // expired by the server; the client learns it when it comes back.
    static void expiry(Proxy px, ZooKeeper other) throws Exception {
        Events state = new Events();
        ZooKeeper zk = connect(LOCALHOST + ":" + proxyPort, 1000, state);
        try {
            ok(zk.getSessionTimeout() == 1000,
                    "a 1000 ms session is granted (2 ticks of 500 ms)");
            zk.create("/ex", null, ZooDefs.Ids.OPEN_ACL_UNSAFE,
                    CreateMode.EPHEMERAL);
            px.block();
            ok(state.await("state Disconnected"), "the client is cut off");
            ok(awaitDeleted(other, "/ex"), "the server expires the session "
                    + "and deletes its ephemeral");
            px.unblock();
            ok(state.await("state Expired"),
                    "back in reach, the client learns its session expired");
            ok(!zk.getState().isAlive(), "and the handle is closed");
        } finally {
            zk.close();
            px.unblock();
            px.cut();
        }
    }

    public static void main(String[] args) throws Exception {
        port = Integer.parseInt(args[0]);
        proxyPort = Integer.parseInt(args[1]);
        String hosts = LOCALHOST + ":" + port;
        ZooKeeper zk = connect(hosts, 10000, null);
        ZooKeeper other = connect(hosts, 10000, null);
        ok(true, "two sessions on " + hosts);

        group("persistent watch", () -> persistentWatch(zk, other));
        group("recursive watch", () -> recursiveWatch(zk, other));
        group("removing persistent watches", () -> removePersistent(zk, other));
        group("getEphemerals", () -> ephemerals(zk, other));
        group("getAllChildrenNumber", () -> allChildrenNumber(zk));
        group("multiRead", () -> multiRead(zk));
        group("multi", () -> multiWrite(zk));
        group("reads with a stat", () -> readsWithStat(zk));
        group("auth failure", () -> authFailed());
        group("containers and TTL", () -> containersAndTtl(zk));
        group("binary data", () -> binaryData(zk));
        group("watches", () -> watches(zk, other));
        group("sequential", () -> sequential(zk));
        group("whoAmI", () -> whoAmI(zk));
        Proxy px = new Proxy(proxyPort);
        group("reconnect", () -> reconnect(px, other));
        group("catch-up", () -> catchUp(px, other));
        group("expiry", () -> expiry(px, other));
        px.close();

        other.close();
        zk.close();
        System.out.println("1.." + tests);
        System.exit(failed == 0 ? 0 : 1);
    }
}
