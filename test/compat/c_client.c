/* SPDX-License-Identifier: ISC */
/*
 * c_client.c: what Apache's C client (libzookeeper-mt) sees of a server.
 *
 * Run by c_client.sh against two standalone servers, the first with
 * extendedTypesEnabled=true, a fast container check and the super digest
 * of "super:boss", the second with defaults:
 *
 *	c_client EXT_PORT PLAIN_PORT
 *
 * Each check prints one TAP line; the plan comes last.  The checks cover
 * session set-up (negotiated timeouts), every create mode with the stat
 * create2 returns, containers and TTL nodes being reaped by the server,
 * multi (success and a failing op), watches and their removal, digest,
 * ip and super ACLs and what each permission guards, ACLs the server
 * refuses, a failed auth, sync, the order of pipelined async completions,
 * resuming a session by id and password, jute.maxbuffer, and the error
 * codes a client meets.  Nothing here sleeps to wait for a state: waits
 * are on watch events or on completions, with a generous deadline.
 *
 * The C library calls watchers and async completions from one thread, in
 * the order the server's replies and events arrived; c_client_barrier()
 * relies on that to know every event sent before a reply was delivered.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zookeeper.h>

#define WAIT_MS		15000	/* generous deadline of every wait */
#define MAX_EVENTS	1024
#define ASYNC_CREATES	100

/* A watch's tag, passed as the watcher context. */
#define TAG(s)		((void *)(uintptr_t)(s))

/* "alice:secret" as the digest provider stores it: base64(sha1(id)). */
#define ALICE_ID	"alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E="
#define ALICE_WRONG_ID	"alice:9ussi3jBkbd4no1raUvxHSkUEN8="	/* alice:wrong */

/* A handle and its session state, as the session watcher last saw it. */
struct c_client_conn {
	zhandle_t	*zh;
	int		 state;
};

/* A watch event, recorded by c_client_watch_cb for the test to consume. */
struct c_client_event {
	zhandle_t	*zh;
	const char	*tag;
	int		 type;
	char		 path[256];
	int		 taken;
};

/* One async completion, or the completions of a batch, to wait for. */
struct c_client_done {
	int		 count;
	int		 rc;
	int		 order[ASYNC_CREATES];
	int		 rcs[ASYNC_CREATES];
	char		 value[256];
};

static pthread_mutex_t		 c_client_mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t		 c_client_cv = PTHREAD_COND_INITIALIZER;
static struct c_client_event	 c_client_events[MAX_EVENTS];
static int			 c_client_nevents;
static int			 c_client_test;
static int			 c_client_failed;
static int			 c_client_port_ext;
static int			 c_client_port_plain;

static void	 c_client_ok(int, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static int	 c_client_is(int, int, const char *);
static void	 c_client_diag(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
static void	 c_client_deadline(struct timespec *);
static void	 c_client_session_cb(zhandle_t *, int, int, const char *,
		    void *);
static void	 c_client_watch_cb(zhandle_t *, int, int, const char *,
		    void *);
static struct c_client_conn *c_client_open(int, int, const clientid_t *,
		    int);
static int	 c_client_wait_state(struct c_client_conn *, int);
static struct c_client_conn *c_client_connect(int, int);
static void	 c_client_close(struct c_client_conn *);
static int	 c_client_wait_event(zhandle_t *, const char *, int,
		    const char *);
static int	 c_client_count_events(zhandle_t *, const char *);
static void	 c_client_stat_cb(int, const struct Stat *, const void *);
static void	 c_client_void_cb(int, const void *);
static void	 c_client_string_cb(int, const char *, const void *);
static void	 c_client_order_cb(int, const char *, const void *);
static int	 c_client_wait_done(struct c_client_done *, int);
static int	 c_client_barrier(zhandle_t *);
static void	 c_client_stat_diag(const char *, const struct Stat *);
static int	 c_client_stat_eq(const struct Stat *, const struct Stat *);
static int	 c_client_watched(int, const char *);
static int	 c_client_nchildren(zhandle_t *, const char *);
static int	 c_client_mkdir(zhandle_t *, const char *);
static int	 c_client_acl_is(zhandle_t *, const char *, const char *,
		    const char *, int);

static void	 c_client_test_connect(void);
static void	 c_client_test_create_modes(zhandle_t *, int64_t);
static void	 c_client_test_plain_server(void);
static void	 c_client_test_reaping(zhandle_t *);
static void	 c_client_test_errors(zhandle_t *, zhandle_t *);
static void	 c_client_test_multi(zhandle_t *);
static void	 c_client_test_watches(zhandle_t *, zhandle_t *);
static void	 c_client_test_remove_watches(zhandle_t *, zhandle_t *);
static void	 c_client_test_acl(zhandle_t *, zhandle_t *);
static void	 c_client_test_sync_async(zhandle_t *);
static void	 c_client_test_close(zhandle_t *);
static void	 c_client_test_perms(zhandle_t *);
static void	 c_client_test_acl_ids(zhandle_t *);
static void	 c_client_test_auth(void);
static void	 c_client_test_resume(zhandle_t *);
static void	 c_client_test_maxbuffer(void);
static void	 c_client_test_readonly_flag(void);

static char		 c_client_world[] = "world";
static char		 c_client_anyone[] = "anyone";
static char		 c_client_digest[] = "digest";
static char		 c_client_alice[] = ALICE_ID;
static const char	 c_client_rw_data[] = "rw-data";
static struct ACL	 c_client_world_all_acl[] = {
	{ 0x1f, { c_client_world, c_client_anyone } }
};
static struct ACL_vector c_client_open_acl = { 1, c_client_world_all_acl };

static void
c_client_ok(int cond, const char *fmt, ...)
{
	va_list	 ap;

	printf("%s %d - ", cond ? "ok" : "not ok", ++c_client_test);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!cond)
		c_client_failed++;
}

/* Whether got == want; says both on stdout as TAP comments when not. */
static int
c_client_is(int got, int want, const char *what)
{
	if (got != want)
		c_client_diag("%s: got %d (%s), want %d (%s)", what, got,
		    zerror(got), want, zerror(want));
	return got == want;
}

static void
c_client_diag(const char *fmt, ...)
{
	va_list	 ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static void
c_client_deadline(struct timespec *ts)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += WAIT_MS / 1000;
}

static void
c_client_session_cb(zhandle_t *zh, int type, int state, const char *path,
    void *ctx)
{
	struct c_client_conn	*c = ctx;

	(void)zh;
	(void)path;
	if (type != ZOO_SESSION_EVENT)
		return;
	pthread_mutex_lock(&c_client_mtx);
	c->state = state;
	pthread_cond_broadcast(&c_client_cv);
	pthread_mutex_unlock(&c_client_mtx);
}

/* Records a watch event; ctx is a tag naming the watch that fired. */
static void
c_client_watch_cb(zhandle_t *zh, int type, int state, const char *path,
    void *ctx)
{
	struct c_client_event	*e;

	(void)state;
	if (type == ZOO_SESSION_EVENT)
		return;
	pthread_mutex_lock(&c_client_mtx);
	if (c_client_nevents < MAX_EVENTS) {
		e = &c_client_events[c_client_nevents++];
		e->zh = zh;
		e->tag = ctx;
		e->type = type;
		snprintf(e->path, sizeof(e->path), "%s", path ? path : "");
		e->taken = 0;
	}
	pthread_cond_broadcast(&c_client_cv);
	pthread_mutex_unlock(&c_client_mtx);
}

/*
 * Starts opening a session on 127.0.0.1:port asking for the given timeout,
 * resuming session cid if not NULL.  Returns the handle, or NULL.
 */
static struct c_client_conn *
c_client_open(int port, int timeout, const clientid_t *cid, int flags)
{
	struct c_client_conn	*c;
	char			 host[64];

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	snprintf(host, sizeof(host), "127.0.0.1:%d", port);
	c->zh = zookeeper_init(host, c_client_session_cb, timeout, cid, c,
	    flags | ZOO_NO_LOG_CLIENTENV);
	if (c->zh == NULL) {
		c_client_diag("zookeeper_init %s: %s", host, strerror(errno));
		free(c);
		return NULL;
	}
	return c;
}

/* Waits until the session watcher has seen state; returns 1, or 0. */
static int
c_client_wait_state(struct c_client_conn *c, int state)
{
	struct timespec	 ts;
	int		 seen;

	c_client_deadline(&ts);
	pthread_mutex_lock(&c_client_mtx);
	while (c->state != state) {
		if (pthread_cond_timedwait(&c_client_cv, &c_client_mtx,
		    &ts) == ETIMEDOUT)
			break;
	}
	seen = c->state == state;
	pthread_mutex_unlock(&c_client_mtx);
	if (!seen)
		c_client_diag("session state %d, want %d", c->state, state);
	return seen;
}

/*
 * Opens a session on 127.0.0.1:port asking for the given timeout and waits
 * until it is connected.  Returns NULL (and says why) if it does not.
 */
static struct c_client_conn *
c_client_connect(int port, int timeout)
{
	struct c_client_conn	*c;

	if ((c = c_client_open(port, timeout, NULL, 0)) == NULL)
		return NULL;
	if (!c_client_wait_state(c, ZOO_CONNECTED_STATE)) {
		c_client_diag("no session on port %d", port);
		c_client_close(c);
		return NULL;
	}
	return c;
}

static void
c_client_close(struct c_client_conn *c)
{
	if (c == NULL)
		return;
	zookeeper_close(c->zh);
	free(c);
}

/*
 * Waits for an unconsumed event of the given tag, type and path on zh and
 * consumes it.  Returns 1 if it came, 0 after the deadline.
 */
static int
c_client_wait_event(zhandle_t *zh, const char *tag, int type,
    const char *path)
{
	struct c_client_event	*e;
	struct timespec		 ts;
	int			 i, found = 0;

	c_client_deadline(&ts);
	pthread_mutex_lock(&c_client_mtx);
	for (;;) {
		for (i = 0; i < c_client_nevents && !found; i++) {
			e = &c_client_events[i];
			if (!e->taken && e->zh == zh &&
			    strcmp(e->tag, tag) == 0 && e->type == type &&
			    strcmp(e->path, path) == 0) {
				e->taken = 1;
				found = 1;
			}
		}
		if (found || pthread_cond_timedwait(&c_client_cv,
		    &c_client_mtx, &ts) == ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&c_client_mtx);
	if (!found)
		c_client_diag("no event type %d on %s (%s)", type, path, tag);
	return found;
}

/* Counts the unconsumed events of a tag on zh. */
static int
c_client_count_events(zhandle_t *zh, const char *tag)
{
	int	 i, n = 0;

	pthread_mutex_lock(&c_client_mtx);
	for (i = 0; i < c_client_nevents; i++)
		if (!c_client_events[i].taken &&
		    c_client_events[i].zh == zh &&
		    strcmp(c_client_events[i].tag, tag) == 0)
			n++;
	pthread_mutex_unlock(&c_client_mtx);
	return n;
}

static void
c_client_stat_cb(int rc, const struct Stat *stat, const void *data)
{
	(void)stat;
	c_client_void_cb(rc, data);
}

static void
c_client_void_cb(int rc, const void *data)
{
	struct c_client_done	*d = (struct c_client_done *)data;

	pthread_mutex_lock(&c_client_mtx);
	d->rc = rc;
	d->count++;
	pthread_cond_broadcast(&c_client_cv);
	pthread_mutex_unlock(&c_client_mtx);
}

static void
c_client_string_cb(int rc, const char *value, const void *data)
{
	struct c_client_done	*d = (struct c_client_done *)data;

	pthread_mutex_lock(&c_client_mtx);
	snprintf(d->value, sizeof(d->value), "%s", value ? value : "");
	pthread_mutex_unlock(&c_client_mtx);
	c_client_void_cb(rc, data);
}

/* Records which of the pipelined creates completed, in arrival order. */
static void
c_client_order_cb(int rc, const char *value, const void *data)
{
	struct c_client_done	*d = (struct c_client_done *)data;
	const char		*dash;
	int			 n = -1;

	if (value != NULL && (dash = strrchr(value, '-')) != NULL)
		n = atoi(dash + 1);
	pthread_mutex_lock(&c_client_mtx);
	if (d->count < ASYNC_CREATES) {
		d->order[d->count] = n;
		d->rcs[d->count] = rc;
	}
	d->count++;
	pthread_cond_broadcast(&c_client_cv);
	pthread_mutex_unlock(&c_client_mtx);
}

/* Waits until d has seen n completions; returns 1, or 0 at the deadline. */
static int
c_client_wait_done(struct c_client_done *d, int n)
{
	struct timespec	 ts;
	int		 done;

	c_client_deadline(&ts);
	pthread_mutex_lock(&c_client_mtx);
	while (d->count < n) {
		if (pthread_cond_timedwait(&c_client_cv, &c_client_mtx,
		    &ts) == ETIMEDOUT)
			break;
	}
	done = d->count >= n;
	pthread_mutex_unlock(&c_client_mtx);
	if (!done)
		c_client_diag("only %d of %d completions", d->count, n);
	return done;
}

static void
c_client_stat_diag(const char *what, const struct Stat *st)
{
	c_client_diag("%s: czxid 0x%" PRIx64 " mzxid 0x%" PRIx64 " ctime %"
	    PRId64 " mtime %" PRId64 " version %d cversion %d aversion %d "
	    "ephemeralOwner 0x%" PRIx64 " dataLength %d numChildren %d "
	    "pzxid 0x%" PRIx64, what, (uint64_t)st->czxid,
	    (uint64_t)st->mzxid, st->ctime, st->mtime, st->version,
	    st->cversion, st->aversion, (uint64_t)st->ephemeralOwner,
	    st->dataLength, st->numChildren, (uint64_t)st->pzxid);
}

/* Whether two stats agree field by field (struct Stat has padding). */
static int
c_client_stat_eq(const struct Stat *a, const struct Stat *b)
{
	return a->czxid == b->czxid && a->mzxid == b->mzxid &&
	    a->ctime == b->ctime && a->mtime == b->mtime &&
	    a->version == b->version && a->cversion == b->cversion &&
	    a->aversion == b->aversion &&
	    a->ephemeralOwner == b->ephemeralOwner &&
	    a->dataLength == b->dataLength &&
	    a->numChildren == b->numChildren && a->pzxid == b->pzxid;
}

/*
 * Returns once every event the server sent zh before now has reached the
 * watchers: an async round trip completes after them.  1 on success.
 */
static int
c_client_barrier(zhandle_t *zh)
{
	struct c_client_done	 d = { 0 };

	if (zoo_aexists(zh, "/", 0, c_client_stat_cb, &d) != ZOK)
		return 0;
	return c_client_wait_done(&d, 1);
}

/*
 * Whether the server's 'wchp' four-letter word lists path as watched.
 * Returns 1 or 0, -1 if the server could not be asked.
 */
static int
c_client_watched(int port, const char *path)
{
	struct sockaddr_in	 sin;
	char			 buf[65536], *line, *next;
	size_t			 len = 0;
	ssize_t			 n;
	int			 s, found = 0;

	if ((s = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(s, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    write(s, "wchp", 4) != 4) {
		close(s);
		return -1;
	}
	while (len < sizeof(buf) - 1 &&
	    (n = read(s, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	close(s);
	buf[len] = '\0';
	for (line = buf; line != NULL && !found; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		found = strcmp(line, path) == 0;
	}
	return found;
}

/* The number of children of path, or -1 if it cannot be read. */
static int
c_client_nchildren(zhandle_t *zh, const char *path)
{
	struct Stat	 st;

	if (zoo_exists(zh, path, 0, &st) != ZOK)
		return -1;
	return st.numChildren;
}

static int
c_client_mkdir(zhandle_t *zh, const char *path)
{
	return zoo_create(zh, path, NULL, -1, &c_client_open_acl,
	    ZOO_PERSISTENT, NULL, 0);
}

/*
 * Whether getACL of path answers want ("scheme:id=perms" entries joined by
 * spaces, in order), or alt if not NULL, at aversion; says what it got
 * when not.
 */
static int
c_client_acl_is(zhandle_t *zh, const char *path, const char *want,
    const char *alt, int aversion)
{
	struct ACL_vector	 acl;
	struct Stat		 st;
	char			 got[1024] = "";
	size_t			 len;
	int			 i, rc;

	if ((rc = zoo_get_acl(zh, path, &acl, &st)) != ZOK) {
		c_client_diag("getACL %s: %s", path, zerror(rc));
		return 0;
	}
	for (i = 0; i < acl.count; i++) {
		len = strlen(got);
		snprintf(got + len, sizeof(got) - len, "%s%s:%s=%d",
		    i ? " " : "", acl.data[i].id.scheme, acl.data[i].id.id,
		    acl.data[i].perms);
	}
	deallocate_ACL_vector(&acl);
	if ((strcmp(got, want) != 0 && (alt == NULL ||
	    strcmp(got, alt) != 0)) || st.aversion != aversion) {
		c_client_diag("getACL %s: got \"%s\" at aversion %d, want "
		    "\"%s\" at %d", path, got, st.aversion, want, aversion);
		return 0;
	}
	return 1;
}

/* Sessions: the timeout the server grants, bounded by 2 and 20 ticks. */
static void
c_client_test_connect(void)
{
	struct c_client_conn	*c;
	static const struct {
		int	 ask, want;
	} cases[] = {
		{ 10000, 10000 },	/* within bounds: as asked */
		{ 100000, 40000 },	/* above maxSessionTimeout */
		{ 1000, 4000 },		/* below minSessionTimeout */
	};
	size_t			 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c = c_client_connect(c_client_port_ext, cases[i].ask);
		c_client_ok(c != NULL && c_client_is(zoo_recv_timeout(c->zh),
		    cases[i].want, "negotiated timeout"),
		    "session asking %d ms is granted %d ms", cases[i].ask,
		    cases[i].want);
		c_client_close(c);
	}
}

/* Every create mode: the name it gets and the stat create2 returns. */
static void
c_client_test_create_modes(zhandle_t *zh, int64_t sid)
{
	struct Stat	 st, st2;
	char		 path[256];
	int		 rc, ok;

	rc = zoo_create2(zh, "/cm", "hello", 5, &c_client_open_acl,
	    ZOO_PERSISTENT, path, sizeof(path), &st);
	c_client_ok(c_client_is(rc, ZOK, "create2") &&
	    strcmp(path, "/cm") == 0 && st.version == 0 &&
	    st.dataLength == 5 && st.czxid == st.mzxid &&
	    st.czxid == st.pzxid && st.ctime == st.mtime &&
	    st.numChildren == 0 && st.ephemeralOwner == 0 &&
	    st.cversion == 0 && st.aversion == 0,
	    "create2 PERSISTENT returns the path and a fresh stat");
	rc = zoo_exists(zh, "/cm", 0, &st2);
	ok = rc == ZOK && c_client_stat_eq(&st, &st2);
	if (!ok) {
		c_client_stat_diag("create2", &st);
		c_client_stat_diag("exists", &st2);
	}
	c_client_ok(ok, "create2's stat is the one exists returns");

	rc = zoo_create2(zh, "/cm/eph", NULL, -1, &c_client_open_acl,
	    ZOO_EPHEMERAL, path, sizeof(path), &st);
	c_client_ok(c_client_is(rc, ZOK, "create2") &&
	    st.ephemeralOwner == sid && st.dataLength == 0,
	    "create2 EPHEMERAL: ephemeralOwner is the session id");

	rc = zoo_create2(zh, "/cm/seq-", "x", 1, &c_client_open_acl,
	    ZOO_PERSISTENT_SEQUENTIAL, path, sizeof(path), &st);
	c_client_ok(c_client_is(rc, ZOK, "create2") &&
	    strcmp(path, "/cm/seq-0000000001") == 0 &&
	    st.ephemeralOwner == 0,
	    "create2 PERSISTENT_SEQUENTIAL: suffix is the parent's cversion "
	    "(%s)", path);

	rc = zoo_create2(zh, "/cm/eseq-", "x", 1, &c_client_open_acl,
	    ZOO_EPHEMERAL_SEQUENTIAL, path, sizeof(path), &st);
	c_client_ok(c_client_is(rc, ZOK, "create2") &&
	    strcmp(path, "/cm/eseq-0000000002") == 0 &&
	    st.ephemeralOwner == sid,
	    "create2 EPHEMERAL_SEQUENTIAL: next suffix, owned by the session "
	    "(%s)", path);

	rc = zoo_create2(zh, "/cm/", "x", 1, &c_client_open_acl,
	    ZOO_PERSISTENT_SEQUENTIAL, path, sizeof(path), &st);
	c_client_ok(c_client_is(rc, ZOK, "create2") &&
	    strcmp(path, "/cm/0000000003") == 0,
	    "a sequential create on \"parent/\" names the child by its "
	    "suffix alone (%s)", path);

	rc = zoo_create2(zh, "/cm/ctr", NULL, -1, &c_client_open_acl,
	    ZOO_CONTAINER, path, sizeof(path), &st);
	c_client_ok(c_client_is(rc, ZOK, "create2") &&
	    strcmp(path, "/cm/ctr") == 0 && st.ephemeralOwner == 0,
	    "create2 CONTAINER: clients see ephemeralOwner 0, not the "
	    "container marker (0x%" PRIx64 ")", (uint64_t)st.ephemeralOwner);

	rc = zoo_create2_ttl(zh, "/cm/ttl", NULL, -1, &c_client_open_acl,
	    ZOO_PERSISTENT_WITH_TTL, 3600000, path, sizeof(path), &st);
	ok = c_client_is(rc, ZOK, "create2_ttl");
	ok = zoo_exists(zh, "/cm/ttl", 0, &st2) == ZOK && ok &&
	    st.ephemeralOwner == 0 && st2.ephemeralOwner == 0;
	c_client_ok(ok, "create2 PERSISTENT_WITH_TTL: clients see "
	    "ephemeralOwner 0, not the TTL (0x%" PRIx64 ", 0x%" PRIx64 ")",
	    (uint64_t)st.ephemeralOwner, (uint64_t)st2.ephemeralOwner);

	rc = zoo_create2_ttl(zh, "/cm/tseq-", NULL, -1, &c_client_open_acl,
	    ZOO_PERSISTENT_SEQUENTIAL_WITH_TTL, 3600000, path, sizeof(path),
	    &st);
	c_client_ok(c_client_is(rc, ZOK, "create2_ttl") &&
	    strcmp(path, "/cm/tseq-0000000006") == 0 &&
	    st.ephemeralOwner == 0,
	    "create2 PERSISTENT_SEQUENTIAL_WITH_TTL: a sequential name "
	    "(%s)", path);

	rc = zoo_create(zh, "/cm/plain", "v", 1, &c_client_open_acl,
	    ZOO_PERSISTENT, path, sizeof(path));
	c_client_ok(c_client_is(rc, ZOK, "create") &&
	    strcmp(path, "/cm/plain") == 0 &&
	    c_client_nchildren(zh, "/cm") == 8,
	    "create (opcode 1) returns the path; the parent counts 8 children");

	rc = zoo_delete(zh, "/cm/plain", -1);
	rc = rc == ZOK ? zoo_create2(zh, "/cm/after-", NULL, -1,
	    &c_client_open_acl, ZOO_PERSISTENT_SEQUENTIAL, path, sizeof(path),
	    &st) : rc;
	rc = rc == ZOK ? zoo_exists(zh, "/cm", 0, &st2) : rc;
	c_client_ok(c_client_is(rc, ZOK, "create2") &&
	    strcmp(path, "/cm/after-0000000008") == 0 && st2.cversion == 10,
	    "after a delete, the suffix counts creates (%s) and cversion "
	    "creates and deletes (%d)", path, st2.cversion);
}

/* A server without extendedTypesEnabled refuses TTL nodes only. */
static void
c_client_test_plain_server(void)
{
	struct c_client_conn	*c;
	struct Stat		 st;
	char			 path[256];
	int			 rc;

	if ((c = c_client_connect(c_client_port_plain, 10000)) == NULL) {
		c_client_ok(0, "connect to the server without extended types");
		c_client_ok(0, "containers without extended types");
		return;
	}
	rc = zoo_create2_ttl(c->zh, "/ttl", NULL, -1, &c_client_open_acl,
	    ZOO_PERSISTENT_WITH_TTL, 1000, path, sizeof(path), &st);
	c_client_ok(c_client_is(rc, ZUNIMPLEMENTED, "create2_ttl") &&
	    zoo_exists(c->zh, "/ttl", 0, &st) == ZNONODE,
	    "without extendedTypesEnabled a TTL create fails ZUNIMPLEMENTED "
	    "and creates nothing");
	rc = zoo_create2(c->zh, "/ctr", NULL, -1, &c_client_open_acl,
	    ZOO_CONTAINER, path, sizeof(path), &st);
	c_client_ok(c_client_is(rc, ZOK, "create2 container"),
	    "containers need no extended types");
	c_client_close(c);
}

/*
 * The server deletes a container once its last child has gone (never one
 * that never had a child), and a TTL node once it has been childless and
 * unchanged for its TTL.
 */
static void
c_client_test_reaping(zhandle_t *zh)
{
	struct Stat	 st;
	char		 path[256];
	int		 rc, ok;

	rc = zoo_create2(zh, "/ctr-unused", NULL, -1, &c_client_open_acl,
	    ZOO_CONTAINER, path, sizeof(path), &st);
	ok = rc == ZOK;
	rc = zoo_create2(zh, "/ctr", NULL, -1, &c_client_open_acl,
	    ZOO_CONTAINER, path, sizeof(path), &st);
	ok = ok && rc == ZOK;
	ok = ok && c_client_mkdir(zh, "/ctr/child") == ZOK;
	ok = ok && zoo_wexists(zh, "/ctr", c_client_watch_cb, TAG("ctr"),
	    &st) == ZOK;
	ok = ok && c_client_barrier(zh);
	c_client_ok(ok && c_client_count_events(zh, "ctr") == 0,
	    "a container with a child stays");
	ok = zoo_delete(zh, "/ctr/child", -1) == ZOK;
	ok = ok && c_client_wait_event(zh, "ctr", ZOO_DELETED_EVENT, "/ctr");
	c_client_ok(ok && zoo_exists(zh, "/ctr", 0, &st) == ZNONODE,
	    "the server deletes a container once its last child is gone");
	c_client_ok(zoo_exists(zh, "/ctr-unused", 0, &st) == ZOK,
	    "a container that never had a child is kept");

	/* A TTL parent with a child outlives a childless TTL node. */
	ok = zoo_create2_ttl(zh, "/ttl-parent", NULL, -1, &c_client_open_acl,
	    ZOO_PERSISTENT_WITH_TTL, 200, path, sizeof(path), &st) == ZOK;
	ok = ok && c_client_mkdir(zh, "/ttl-parent/child") == ZOK;
	ok = ok && zoo_create2_ttl(zh, "/ttl-leaf", NULL, -1,
	    &c_client_open_acl, ZOO_PERSISTENT_WITH_TTL, 200, path,
	    sizeof(path), &st) == ZOK;
	ok = ok && zoo_wexists(zh, "/ttl-leaf", c_client_watch_cb, TAG("ttl"),
	    &st) == ZOK;
	ok = ok && c_client_wait_event(zh, "ttl", ZOO_DELETED_EVENT,
	    "/ttl-leaf");
	c_client_ok(ok, "a childless TTL node is deleted after its TTL");
	c_client_ok(zoo_exists(zh, "/ttl-parent", 0, &st) == ZOK,
	    "a TTL node with a child is kept");
	ok = zoo_wexists(zh, "/ttl-parent", c_client_watch_cb, TAG("ttl"),
	    &st) == ZOK;
	ok = ok && zoo_delete(zh, "/ttl-parent/child", -1) == ZOK;
	ok = ok && c_client_wait_event(zh, "ttl", ZOO_DELETED_EVENT,
	    "/ttl-parent");
	c_client_ok(ok, "a TTL node is deleted once its last child is gone");
}

/* Error codes: versions, existence, ephemeral parents, paths, ACLs. */
static void
c_client_test_errors(zhandle_t *zh, zhandle_t *other)
{
	struct ACL_vector	 empty = { 0, NULL };
	struct Stat		 st;
	int			 rc;

	c_client_mkdir(zh, "/err");
	c_client_mkdir(zh, "/err/full");
	c_client_mkdir(zh, "/err/full/kid");
	c_client_ok(c_client_is(c_client_mkdir(zh, "/err"), ZNODEEXISTS,
	    "create"), "creating an existing node fails ZNODEEXISTS");
	c_client_ok(c_client_is(c_client_mkdir(zh, "/err/none/kid"), ZNONODE,
	    "create"), "creating under a missing parent fails ZNONODE");
	c_client_ok(c_client_is(zoo_set(zh, "/err/none", "x", 1, -1),
	    ZNONODE, "set"), "setting a missing node fails ZNONODE");
	rc = zoo_create(zh, "/err/eph", NULL, -1, &c_client_open_acl,
	    ZOO_EPHEMERAL, NULL, 0);
	rc = rc == ZOK ? c_client_mkdir(other, "/err/eph/kid") : rc;
	c_client_ok(c_client_is(rc, ZNOCHILDRENFOREPHEMERALS, "create"),
	    "a child of an ephemeral fails ZNOCHILDRENFOREPHEMERALS");
	c_client_ok(c_client_is(zoo_delete(zh, "/err/full", -1), ZNOTEMPTY,
	    "delete"), "deleting a node with children fails ZNOTEMPTY");
	rc = zoo_set(zh, "/err/full/kid", "a", 1, 0);
	c_client_ok(rc == ZOK && c_client_is(zoo_set(zh, "/err/full/kid",
	    "b", 1, 0), ZBADVERSION, "set"),
	    "setData with a stale version fails ZBADVERSION");
	c_client_ok(c_client_is(zoo_delete(zh, "/err/full/kid", 5),
	    ZBADVERSION, "delete") && zoo_exists(zh, "/err/full/kid", 0,
	    &st) == ZOK, "delete with a wrong version fails ZBADVERSION");

	/* The library refuses "//" itself: nothing reaches the server. */
	c_client_ok(c_client_is(c_client_mkdir(zh, "/err//x"), ZBADARGUMENTS,
	    "create") && c_client_nchildren(zh, "/err") == 2,
	    "\"/err//x\" is refused by the library with ZBADARGUMENTS");
	/* These pass the library's check; the server must refuse them. */
	c_client_ok(c_client_is(c_client_mkdir(zh, "/err/x\x7f"),
	    ZBADARGUMENTS, "create") && c_client_nchildren(zh, "/err") == 2,
	    "the server refuses a path with U+007F: ZBADARGUMENTS");
	c_client_ok(c_client_is(c_client_mkdir(zh, "/err/x\x1f"),
	    ZBADARGUMENTS, "create") && c_client_nchildren(zh, "/err") == 2,
	    "the server refuses a path with U+001F: ZBADARGUMENTS");
	c_client_ok(c_client_is(c_client_mkdir(zh, "/err/\xff\xfe"),
	    ZBADARGUMENTS, "create") && c_client_nchildren(zh, "/err") == 2,
	    "the server refuses a path that is not UTF-8: ZBADARGUMENTS");
	c_client_ok(c_client_is(zoo_exists(zh, "/err/x\x7f", 0, &st),
	    ZNONODE, "exists"),
	    "a read of an invalid path answers ZNONODE, not an error");
	c_client_ok(c_client_is(zoo_create(zh, "/err/noacl", NULL, -1, &empty,
	    ZOO_PERSISTENT, NULL, 0), ZINVALIDACL, "create"),
	    "creating with an empty ACL fails ZINVALIDACL");
}

/*
 * multi: every op kind applied together, or none of them.  No container
 * create here: the 3.8 C library expects a bare path as the result of a
 * container create inside a multi, while servers send path and stat (as
 * for create2), and it misreads the rest of the reply.
 */
static void
c_client_test_multi(zhandle_t *zh)
{
	zoo_op_t		 ops[4];
	zoo_op_result_t		 res[4];
	struct Stat		 st, setst;
	char			 p0[64];
	int			 rc, i, ok;

	c_client_mkdir(zh, "/m");
	c_client_mkdir(zh, "/m/a");
	c_client_mkdir(zh, "/m/b");
	zoo_create_op_init(&ops[0], "/m/new", "n", 1, &c_client_open_acl,
	    ZOO_PERSISTENT, p0, sizeof(p0));
	zoo_set_op_init(&ops[1], "/m/a", "set", 3, 0, &setst);
	zoo_check_op_init(&ops[2], "/m/a", 1);
	zoo_delete_op_init(&ops[3], "/m/b", 0);
	memset(res, 0, sizeof(res));
	rc = zoo_multi(zh, 4, ops, res);
	ok = c_client_is(rc, ZOK, "multi");
	for (i = 0; i < 4; i++)
		ok = ok && c_client_is(res[i].err, ZOK, "multi result");
	c_client_ok(ok, "multi of create, setData, check, delete succeeds "
	    "op by op");
	c_client_ok(ok && strcmp(p0, "/m/new") == 0 && setst.version == 1 &&
	    setst.dataLength == 3, "multi results carry the created path "
	    "and setData's stat");
	ok = zoo_exists(zh, "/m/b", 0, &st) == ZNONODE;
	ok = ok && zoo_exists(zh, "/m/new", 0, &st) == ZOK;
	c_client_ok(ok, "multi applied the create and the delete");

	zoo_create_op_init(&ops[0], "/m/new2", NULL, -1, &c_client_open_acl,
	    ZOO_PERSISTENT, p0, sizeof(p0));
	zoo_set_op_init(&ops[1], "/m/a", "again", 5, 1, &setst);
	zoo_check_op_init(&ops[2], "/m/a", 7);
	zoo_delete_op_init(&ops[3], "/m/new", -1);
	memset(res, 0, sizeof(res));
	rc = zoo_multi(zh, 4, ops, res);
	c_client_ok(c_client_is(rc, ZBADVERSION, "multi") &&
	    c_client_is(res[0].err, ZOK, "result 0") &&
	    c_client_is(res[1].err, ZOK, "result 1") &&
	    c_client_is(res[2].err, ZBADVERSION, "result 2") &&
	    c_client_is(res[3].err, ZRUNTIMEINCONSISTENCY, "result 3"),
	    "a failing check: ops before it ZOK, it ZBADVERSION, after it "
	    "ZRUNTIMEINCONSISTENCY");
	ok = zoo_exists(zh, "/m/new2", 0, &st) == ZNONODE;
	ok = ok && zoo_exists(zh, "/m/new", 0, &st) == ZOK;
	ok = ok && zoo_exists(zh, "/m/a", 0, &st) == ZOK && st.version == 1;
	c_client_ok(ok, "a failed multi applies none of its ops");

	zoo_create_op_init(&ops[0], "/m/new", NULL, -1, &c_client_open_acl,
	    ZOO_PERSISTENT, p0, sizeof(p0));
	zoo_delete_op_init(&ops[1], "/m/nothing", -1);
	memset(res, 0, sizeof(res));
	rc = zoo_multi(zh, 2, ops, res);
	c_client_ok(c_client_is(rc, ZNODEEXISTS, "multi") &&
	    c_client_is(res[0].err, ZNODEEXISTS, "result 0") &&
	    c_client_is(res[1].err, ZRUNTIMEINCONSISTENCY, "result 1"),
	    "a multi whose first op fails reports it and "
	    "ZRUNTIMEINCONSISTENCY after");
}

/* Watches fire once, with the right type, for the right node. */
static void
c_client_test_watches(zhandle_t *zh, zhandle_t *other)
{
	struct String_vector	 kids;
	struct Stat		 st;
	char			 buf[64];
	int			 len, ok;

	c_client_mkdir(zh, "/w");
	ok = zoo_wexists(zh, "/w/n", c_client_watch_cb, TAG("w-exists"),
	    &st) == ZNONODE;
	ok = ok && c_client_mkdir(other, "/w/n") == ZOK;
	c_client_ok(ok && c_client_wait_event(zh, "w-exists",
	    ZOO_CREATED_EVENT, "/w/n"),
	    "exists on a missing node: NodeCreated when it appears");

	len = sizeof(buf);
	ok = zoo_wget(zh, "/w/n", c_client_watch_cb, TAG("w-get"), buf, &len,
	    &st) == ZOK;
	ok = ok && zoo_set(other, "/w/n", "1", 1, -1) == ZOK;
	c_client_ok(ok && c_client_wait_event(zh, "w-get",
	    ZOO_CHANGED_EVENT, "/w/n"), "get: NodeDataChanged on setData");
	ok = zoo_set(other, "/w/n", "2", 1, -1) == ZOK &&
	    c_client_barrier(zh);
	c_client_ok(ok && c_client_count_events(zh, "w-get") == 0,
	    "a watch fires once: no event for the second setData");

	len = sizeof(buf);
	ok = zoo_wget(zh, "/w/n", c_client_watch_cb, TAG("w-get"), buf, &len,
	    &st) == ZOK;
	ok = ok && zoo_wget_children(zh, "/w", c_client_watch_cb, TAG("w-kids"),
	    &kids) == ZOK;
	deallocate_String_vector(&kids);
	ok = ok && zoo_delete(other, "/w/n", -1) == ZOK;
	c_client_ok(ok && c_client_wait_event(zh, "w-get",
	    ZOO_DELETED_EVENT, "/w/n"), "get: NodeDeleted on delete");
	c_client_ok(c_client_wait_event(zh, "w-kids", ZOO_CHILD_EVENT, "/w"),
	    "children: NodeChildrenChanged on the parent when a child goes");

	ok = zoo_wget_children(zh, "/w", c_client_watch_cb, TAG("w-kids"),
	    &kids) == ZOK;
	deallocate_String_vector(&kids);
	ok = ok && c_client_mkdir(other, "/w/m") == ZOK;
	c_client_ok(ok && c_client_wait_event(zh, "w-kids", ZOO_CHILD_EVENT,
	    "/w"), "children: NodeChildrenChanged when a child is created");

	ok = zoo_wget_children(zh, "/w/m", c_client_watch_cb, TAG("w-kids"),
	    &kids) == ZOK;
	deallocate_String_vector(&kids);
	ok = ok && zoo_delete(other, "/w/m", -1) == ZOK;
	c_client_ok(ok && c_client_wait_event(zh, "w-kids",
	    ZOO_DELETED_EVENT, "/w/m"),
	    "children of a node that is deleted: NodeDeleted");
}

/*
 * Removing watches: zoo_remove_watches sends checkWatches, which only
 * asks the server whether it holds such a watch (the library then drops
 * its own watcher), while zoo_remove_all_watches sends removeWatches,
 * which removes the server's watch too.  The server's data watches are
 * seen through 'wchp' (which lists no child watches).
 */
static void
c_client_test_remove_watches(zhandle_t *zh, zhandle_t *other)
{
	struct String_vector	 kids;
	struct Stat		 st;
	int			 ok, rc;

	c_client_mkdir(zh, "/rw");
	c_client_mkdir(zh, "/rw/d");
	c_client_mkdir(zh, "/rw/e");

	ok = zoo_wexists(zh, "/rw/d", c_client_watch_cb,
	    TAG(c_client_rw_data), &st) == ZOK;
	c_client_ok(ok && c_client_watched(c_client_port_ext, "/rw/d") == 1,
	    "the server (wchp) lists a data watch");
	rc = zoo_remove_watches(zh, "/rw/d", ZWATCHTYPE_DATA,
	    c_client_watch_cb, TAG(c_client_rw_data), 0);
	c_client_ok(c_client_is(rc, ZOK, "remove_watches") &&
	    c_client_watched(c_client_port_ext, "/rw/d") == 1,
	    "zoo_remove_watches (checkWatches): ZOK, the server keeps its "
	    "watch");
	ok = zoo_set(other, "/rw/d", "x", 1, -1) == ZOK &&
	    c_client_barrier(zh);
	c_client_ok(ok && c_client_count_events(zh, "rw-data") == 0 &&
	    c_client_watched(c_client_port_ext, "/rw/d") == 0,
	    "the removed watcher is not called; the server's watch fired");

	ok = zoo_wexists(zh, "/rw/e", c_client_watch_cb, TAG("rw-all"),
	    &st) == ZOK;
	rc = zoo_remove_all_watches(zh, "/rw/e", ZWATCHTYPE_DATA, 0);
	ok = ok && c_client_is(rc, ZOK, "remove_all_watches");
	c_client_ok(ok && c_client_watched(c_client_port_ext, "/rw/e") == 0,
	    "zoo_remove_all_watches (removeWatches) of a data watch: ZOK, "
	    "and the server no longer lists it");

	ok = zoo_wget_children(zh, "/rw", c_client_watch_cb, TAG("rw-kids"),
	    &kids) == ZOK;
	deallocate_String_vector(&kids);
	rc = zoo_remove_all_watches(zh, "/rw", ZWATCHTYPE_CHILD, 0);
	ok = ok && c_client_is(rc, ZOK, "remove_all_watches");
	ok = ok && c_client_mkdir(other, "/rw/c") == ZOK &&
	    c_client_barrier(zh);
	c_client_ok(ok && c_client_count_events(zh, "rw-kids") == 0,
	    "zoo_remove_all_watches of a child watch: ZOK, no event after");

	ok = zoo_wexists(zh, "/rw/e", c_client_watch_cb, TAG("rw-any"),
	    &st) == ZOK;
	ok = ok && zoo_wget_children(zh, "/rw/e", c_client_watch_cb,
	    TAG("rw-any"), &kids) == ZOK;
	deallocate_String_vector(&kids);
	rc = zoo_remove_all_watches(zh, "/rw/e", ZWATCHTYPE_ANY, 0);
	ok = ok && c_client_is(rc, ZOK, "remove_all_watches");
	ok = ok && c_client_watched(c_client_port_ext, "/rw/e") == 0;
	ok = ok && zoo_delete(other, "/rw/e", -1) == ZOK &&
	    c_client_barrier(zh);
	c_client_ok(ok && c_client_count_events(zh, "rw-any") == 0,
	    "zoo_remove_all_watches ZWATCHTYPE_ANY removes data and child "
	    "watches");

	c_client_ok(c_client_is(zoo_remove_watches(zh, "/rw", ZWATCHTYPE_DATA,
	    c_client_watch_cb, TAG("none"), 0), ZNOWATCHER,
	    "remove_watches") && c_client_is(zoo_remove_all_watches(zh, "/rw",
	    ZWATCHTYPE_CHILD, 0), ZNOWATCHER, "remove_all_watches"),
	    "removing watches where the client has none fails ZNOWATCHER");
}

/* Digest ACLs: who may do what, auth ids, and ACL versions. */
static void
c_client_test_acl(zhandle_t *zh, zhandle_t *other)
{
	struct ACL		 entries[2] = {
		{ 0x1f, { c_client_digest, c_client_alice } },
		{ 0x01, { c_client_world, c_client_anyone } }
	};
	struct ACL_vector	 acl = { 2, entries };
	struct ACL		 one[1] = { { 0x1f, { c_client_world,
	    c_client_anyone } } };
	struct ACL_vector	 open = { 1, one };
	struct c_client_done	 d = { 0 };
	struct Stat		 st;
	char			 buf[64];
	int			 len, ok, rc;

	rc = zoo_create(zh, "/acl", "v", 1, &acl, ZOO_PERSISTENT, NULL, 0);
	ok = c_client_is(rc, ZOK, "create");
	c_client_ok(ok && c_client_is(zoo_set(other, "/acl", "w", 1, -1),
	    ZNOAUTH, "set"), "setData without the digest id fails ZNOAUTH");
	len = sizeof(buf);
	c_client_ok(zoo_get(other, "/acl", 0, buf, &len, &st) == ZOK &&
	    len == 1, "world may still read");

	ok = zoo_add_auth(other, "digest", "alice:wrong", 11,
	    c_client_void_cb, &d) == ZOK && c_client_wait_done(&d, 1) &&
	    d.rc == ZOK;
	c_client_ok(ok && c_client_is(zoo_set(other, "/acl", "w", 1, -1),
	    ZNOAUTH, "set"),
	    "a wrong digest password is accepted but grants nothing");
	d.count = 0;
	ok = zoo_add_auth(other, "digest", "alice:secret", 12,
	    c_client_void_cb, &d) == ZOK && c_client_wait_done(&d, 1) &&
	    d.rc == ZOK;
	c_client_ok(ok && c_client_is(zoo_set(other, "/acl", "w", 1, -1),
	    ZOK, "set"), "after zoo_add_auth digest alice:secret, setData "
	    "is allowed");

	rc = zoo_create(other, "/acl-mine", NULL, -1, &ZOO_CREATOR_ALL_ACL,
	    ZOO_PERSISTENT, NULL, 0);
	c_client_ok(c_client_is(rc, ZOK, "create") &&
	    c_client_acl_is(other, "/acl-mine", "digest:" ALICE_WRONG_ID
	    "=31 digest:" ALICE_ID "=31", "digest:" ALICE_ID "=31 digest:"
	    ALICE_WRONG_ID "=31", 0),
	    "CREATOR_ALL_ACL becomes every id the creator added (in any "
	    "order)");
	c_client_ok(c_client_is(zoo_create(zh, "/acl-none", NULL, -1,
	    &ZOO_CREATOR_ALL_ACL, ZOO_PERSISTENT, NULL, 0), ZINVALIDACL,
	    "create"), "CREATOR_ALL_ACL without any auth fails ZINVALIDACL");
	c_client_ok(c_client_is(zoo_set_acl(zh, "/acl-mine", -1, &open),
	    ZNOAUTH, "set_acl"), "setACL without ADMIN fails ZNOAUTH");
	c_client_ok(c_client_is(zoo_delete(zh, "/acl-mine", -1), ZOK,
	    "delete"), "delete needs DELETE on the parent only");

	c_client_mkdir(zh, "/aclv");
	ok = c_client_acl_is(zh, "/aclv", "world:anyone=31", NULL, 0);
	rc = zoo_set_acl(zh, "/aclv", 0, &acl);
	ok = ok && c_client_is(rc, ZOK, "set_acl");
	c_client_ok(ok && c_client_acl_is(other, "/aclv", "digest:" ALICE_ID
	    "=31 world:anyone=1", NULL, 1),
	    "setACL at aversion 0 applies; getACL shows the ACL at aversion 1");
	c_client_ok(c_client_acl_is(zh, "/aclv", "digest:alice:x=31 "
	    "world:anyone=1", NULL, 1),
	    "getACL without ADMIN masks digest hashes as \"alice:x\"");
	c_client_ok(c_client_is(zoo_set_acl(other, "/aclv", 0, &open),
	    ZBADVERSION, "set_acl"), "setACL with a stale aversion fails "
	    "ZBADVERSION");
}

/* Each permission guards its own operations; exists needs none. */
static void
c_client_test_perms(zhandle_t *zh)
{
	struct ACL		 e[1] = { { 0, { c_client_world,
	    c_client_anyone } } };
	struct ACL_vector	 acl = { 1, e }, got;
	struct String_vector	 kids;
	struct Stat		 st;
	char			 buf[16];
	int			 len = sizeof(buf), rc, ok;

	e[0].perms = ZOO_PERM_ALL & ~ZOO_PERM_READ;
	ok = zoo_create(zh, "/p-noread", "x", 1, &acl, ZOO_PERSISTENT, NULL,
	    0) == ZOK;
	rc = zoo_get_children(zh, "/p-noread", 0, &kids);
	if (rc == ZOK)
		deallocate_String_vector(&kids);
	c_client_ok(ok && c_client_is(zoo_get(zh, "/p-noread", 0, buf, &len,
	    &st), ZNOAUTH, "get") && c_client_is(rc, ZNOAUTH, "get_children"),
	    "without READ: getData and getChildren fail ZNOAUTH");
	c_client_ok(c_client_is(zoo_exists(zh, "/p-noread", 0, &st), ZOK,
	    "exists") && c_client_is(zoo_set(zh, "/p-noread", "y", 1, -1), ZOK,
	    "set") && c_client_acl_is(zh, "/p-noread", "world:anyone=30",
	    NULL, 0), "without READ: exists, setData (WRITE) and getACL "
	    "(ADMIN) work");

	e[0].perms = ZOO_PERM_READ;
	ok = zoo_create(zh, "/p-read", "x", 1, &acl, ZOO_PERSISTENT, NULL,
	    0) == ZOK;
	c_client_ok(ok && c_client_is(zoo_set(zh, "/p-read", "y", 1, -1),
	    ZNOAUTH, "set") && c_client_is(c_client_mkdir(zh, "/p-read/c"),
	    ZNOAUTH, "create") && c_client_is(zoo_set_acl(zh, "/p-read", -1,
	    &c_client_open_acl), ZNOAUTH, "set_acl"),
	    "READ only: setData, create of a child and setACL fail ZNOAUTH");
	c_client_ok(c_client_is(zoo_delete(zh, "/p-read", -1), ZOK, "delete"),
	    "READ only: the node itself can go (DELETE is the parent's)");

	e[0].perms = ZOO_PERM_ALL & ~ZOO_PERM_DELETE;
	ok = zoo_create(zh, "/p-nodel", NULL, -1, &acl, ZOO_PERSISTENT, NULL,
	    0) == ZOK && c_client_mkdir(zh, "/p-nodel/c") == ZOK;
	c_client_ok(ok && c_client_is(zoo_delete(zh, "/p-nodel/c", -1),
	    ZNOAUTH, "delete"), "without DELETE on the parent, deleting a "
	    "child fails ZNOAUTH");

	e[0].perms = 0;
	ok = zoo_create(zh, "/p-none", NULL, -1, &acl, ZOO_PERSISTENT, NULL,
	    0) == ZOK;
	rc = zoo_get_acl(zh, "/p-none", &got, &st);
	if (rc == ZOK)
		deallocate_ACL_vector(&got);
	c_client_ok(ok && c_client_is(zoo_set(zh, "/p-none", "y", 1, -1),
	    ZNOAUTH, "set") && c_client_is(rc, ZNOAUTH, "get_acl"),
	    "an ACL granting nothing is accepted; then even getACL fails");
}

/* The ip scheme, and ACLs the server must refuse. */
static void
c_client_test_acl_ids(zhandle_t *zh)
{
	static char		 ip[] = "ip", foo[] = "foo", bar[] = "bar";
	static char		 lo[] = "127.0.0.1", lonet[] = "127.0.0.0/8";
	static char		 other[] = "10.1.2.3", bad[] = "300.1.1.1";
	static char		 badbits[] = "127.0.0.1/33", nocolon[] = "alice";
	static char		 nobody[] = "nobody";
	struct ACL		 e[2];
	struct ACL_vector	 acl = { 1, e };
	static const struct {
		char	*scheme, *id;
		int	 rc;
		const char *what;
	} refused[] = {
		{ foo, bar, ZINVALIDACL, "an unknown scheme" },
		{ ip, bad, ZINVALIDACL, "an ip that is not an address" },
		{ ip, badbits, ZINVALIDACL, "an ip mask over 32 bits" },
		{ c_client_digest, nocolon, ZINVALIDACL,
		    "a digest id without \"user:\"" },
		{ c_client_world, nobody, ZINVALIDACL, "world other than anyone" },
	};
	size_t			 i;
	int			 ok;

	e[0].perms = ZOO_PERM_ALL;
	e[0].id.scheme = ip;
	e[0].id.id = lo;
	ok = zoo_create(zh, "/ip-lo", NULL, -1, &acl, ZOO_PERSISTENT, NULL,
	    0) == ZOK;
	c_client_ok(ok && c_client_is(zoo_set(zh, "/ip-lo", "x", 1, -1), ZOK,
	    "set"), "ip:127.0.0.1 grants a local client");
	e[0].id.id = lonet;
	ok = zoo_create(zh, "/ip-net", NULL, -1, &acl, ZOO_PERSISTENT, NULL,
	    0) == ZOK;
	c_client_ok(ok && c_client_is(zoo_set(zh, "/ip-net", "x", 1, -1), ZOK,
	    "set"), "ip:127.0.0.0/8 grants a local client");
	e[0].id.id = other;
	e[1].perms = ZOO_PERM_READ;
	e[1].id.scheme = c_client_world;
	e[1].id.id = c_client_anyone;
	acl.count = 2;
	ok = zoo_create(zh, "/ip-other", NULL, -1, &acl, ZOO_PERSISTENT, NULL,
	    0) == ZOK;
	c_client_ok(ok && c_client_is(zoo_set(zh, "/ip-other", "x", 1, -1),
	    ZNOAUTH, "set"), "ip:10.1.2.3 does not grant a local client");

	acl.count = 1;
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		e[0].id.scheme = refused[i].scheme;
		e[0].id.id = refused[i].id;
		c_client_ok(c_client_is(zoo_create(zh, "/bad-acl", NULL, -1,
		    &acl, ZOO_PERSISTENT, NULL, 0), refused[i].rc, "create"),
		    "%s:%s is refused ZINVALIDACL (%s)", refused[i].scheme,
		    refused[i].id, refused[i].what);
	}
}

/*
 * The super digest passes every ACL; an auth scheme the server does not
 * know fails the handle for good.
 */
static void
c_client_test_auth(void)
{
	struct c_client_conn	*s, *f;
	struct c_client_done	 d = { 0 };
	struct Stat		 st;
	int			 ok;

	if ((s = c_client_connect(c_client_port_ext, 10000)) == NULL) {
		c_client_ok(0, "super session");
		return;
	}
	ok = zoo_add_auth(s->zh, "digest", "super:boss", 10, c_client_void_cb,
	    &d) == ZOK && c_client_wait_done(&d, 1) && d.rc == ZOK;
	c_client_ok(ok && c_client_is(zoo_set(s->zh, "/p-none", "s", 1, -1),
	    ZOK, "set") && c_client_acl_is(s->zh, "/aclv", "digest:" ALICE_ID
	    "=31 world:anyone=1", NULL, 1),
	    "the super digest may write anything and sees unmasked ACLs");
	c_client_close(s);

	if ((f = c_client_connect(c_client_port_ext, 10000)) == NULL) {
		c_client_ok(0, "auth failure session");
		return;
	}
	memset(&d, 0, sizeof(d));
	ok = zoo_add_auth(f->zh, "foo", "bar", 3, c_client_void_cb, &d) ==
	    ZOK && c_client_wait_done(&d, 1);
	c_client_ok(ok && c_client_is(d.rc, ZAUTHFAILED, "add_auth") &&
	    c_client_wait_state(f, ZOO_AUTH_FAILED_STATE),
	    "auth with an unknown scheme: ZAUTHFAILED, the handle is failed");
	c_client_ok(c_client_is(zoo_exists(f->zh, "/", 0, &st), ZINVALIDSTATE,
	    "exists"), "and every later call fails ZINVALIDSTATE");
	c_client_close(f);
}

/*
 * Resuming a session by id and password: the right password gets the
 * same session, a wrong one or an unknown id an expired session; closing
 * the resumed session expires it for the first handle too.
 */
static void
c_client_test_resume(zhandle_t *zh)
{
	struct c_client_conn	*a, *b, *bad;
	clientid_t		 cid, wrong, unknown;
	struct Stat		 st;
	int			 ok;

	if ((a = c_client_connect(c_client_port_ext, 10000)) == NULL) {
		c_client_ok(0, "first session");
		return;
	}
	ok = zoo_create(a->zh, "/resumed", NULL, -1, &c_client_open_acl,
	    ZOO_EPHEMERAL, NULL, 0) == ZOK;
	cid = *zoo_client_id(a->zh);
	wrong = cid;
	wrong.passwd[0] ^= 1;
	memset(&unknown, 0, sizeof(unknown));
	unknown.client_id = cid.client_id ^ 0x5a5a;

	bad = c_client_open(c_client_port_ext, 10000, &wrong, 0);
	c_client_ok(ok && bad != NULL &&
	    c_client_wait_state(bad, ZOO_EXPIRED_SESSION_STATE),
	    "resuming with a wrong password: the session is expired");
	c_client_close(bad);
	bad = c_client_open(c_client_port_ext, 10000, &unknown, 0);
	c_client_ok(bad != NULL &&
	    c_client_wait_state(bad, ZOO_EXPIRED_SESSION_STATE),
	    "resuming an unknown session id: expired");
	c_client_close(bad);
	c_client_ok(zoo_exists(zh, "/resumed", 0, &st) == ZOK &&
	    st.ephemeralOwner == cid.client_id,
	    "failed resumptions leave the session alone");

	b = c_client_open(c_client_port_ext, 10000, &cid, 0);
	ok = b != NULL && c_client_wait_state(b, ZOO_CONNECTED_STATE);
	c_client_ok(ok && zoo_client_id(b->zh)->client_id == cid.client_id &&
	    zoo_exists(b->zh, "/resumed", 0, &st) == ZOK,
	    "resuming with the password: the same session and its ephemeral");
	c_client_close(b);
	c_client_ok(zoo_exists(zh, "/resumed", 0, &st) == ZNONODE,
	    "closing the resumed handle ends the session");
	c_client_ok(c_client_wait_state(a, ZOO_EXPIRED_SESSION_STATE),
	    "the first handle learns its session expired");
	c_client_close(a);
}

/* A request over jute.maxbuffer costs the connection, not the session. */
static void
c_client_test_maxbuffer(void)
{
	struct c_client_conn	*c;
	struct Stat		 st;
	char			*buf;
	size_t			 big = 1024 * 1024 + 16, fits = 1000 * 1000;
	int			 len, ok;

	if ((buf = calloc(1, big)) == NULL ||
	    (c = c_client_connect(c_client_port_ext, 10000)) == NULL) {
		free(buf);
		c_client_ok(0, "jute.maxbuffer session");
		return;
	}
	ok = zoo_create(c->zh, "/big", buf, fits, &c_client_open_acl,
	    ZOO_PERSISTENT, NULL, 0) == ZOK;
	len = big;
	ok = ok && zoo_get(c->zh, "/big", 0, buf, &len, &st) == ZOK &&
	    len == (int)fits;
	c_client_ok(ok, "1000000 bytes of data fit under jute.maxbuffer");
	c_client_ok(c_client_is(zoo_set(c->zh, "/big", buf, big, -1),
	    ZCONNECTIONLOSS, "set"), "a setData over jute.maxbuffer loses "
	    "the connection");
	ok = c_client_wait_state(c, ZOO_CONNECTED_STATE) &&
	    zoo_exists(c->zh, "/big", 0, &st) == ZOK &&
	    st.dataLength == (int)fits && st.version == 0;
	c_client_ok(ok, "the session reconnects; the node is unchanged");
	c_client_close(c);
	free(buf);
}

/* A client that accepts a read-only server gets a normal session. */
static void
c_client_test_readonly_flag(void)
{
	struct c_client_conn	*c;

	c = c_client_open(c_client_port_ext, 10000, NULL, ZOO_READONLY);
	c_client_ok(c != NULL && c_client_wait_state(c, ZOO_CONNECTED_STATE),
	    "ZOO_READONLY on a standalone server: a read-write session");
	c_client_close(c);
}

/* sync, and pipelined async requests completing in the order sent. */
static void
c_client_test_sync_async(zhandle_t *zh)
{
	static struct c_client_done	 d;
	char				 path[64];
	int				 i, ok = 1, inorder = 1;

	memset(&d, 0, sizeof(d));
	ok = zoo_async(zh, "/cm", c_client_string_cb, &d) == ZOK &&
	    c_client_wait_done(&d, 1);
	c_client_ok(ok && c_client_is(d.rc, ZOK, "sync") &&
	    strcmp(d.value, "/cm") == 0, "sync completes ZOK with the path "
	    "(%s)", d.value);

	c_client_mkdir(zh, "/async");
	memset(&d, 0, sizeof(d));
	for (i = 0; i < ASYNC_CREATES && ok; i++) {
		snprintf(path, sizeof(path), "/async/n-%d", i);
		ok = zoo_acreate(zh, path, NULL, -1, &c_client_open_acl,
		    ZOO_PERSISTENT, c_client_order_cb, &d) == ZOK;
	}
	ok = ok && c_client_wait_done(&d, ASYNC_CREATES);
	for (i = 0; ok && i < ASYNC_CREATES; i++) {
		if (d.order[i] != i || d.rcs[i] != ZOK) {
			c_client_diag("completion %d: node %d rc %d", i,
			    d.order[i], d.rcs[i]);
			inorder = 0;
			break;
		}
	}
	c_client_ok(ok && inorder && c_client_nchildren(zh, "/async") ==
	    ASYNC_CREATES, "%d pipelined async creates complete in order",
	    ASYNC_CREATES);
}

/* Closing a session deletes its ephemerals at once. */
static void
c_client_test_close(zhandle_t *zh)
{
	struct c_client_conn	*c;
	struct Stat		 st;
	int			 ok;

	if ((c = c_client_connect(c_client_port_ext, 10000)) == NULL) {
		c_client_ok(0, "a closed session's ephemerals are gone");
		return;
	}
	ok = zoo_create(c->zh, "/gone", NULL, -1, &c_client_open_acl,
	    ZOO_EPHEMERAL, NULL, 0) == ZOK;
	ok = ok && zoo_exists(zh, "/gone", 0, &st) == ZOK;
	c_client_close(c);
	c_client_ok(ok && zoo_exists(zh, "/gone", 0, &st) == ZNONODE,
	    "a closed session's ephemerals are gone");
}

/* Runs every check against the two servers; exits 0 when all passed. */
int
main(int argc, char *argv[])
{
	struct c_client_conn	*a, *b;

	if (argc != 3) {
		fprintf(stderr, "usage: c_client ext-port plain-port\n");
		return 2;
	}
	c_client_port_ext = atoi(argv[1]);
	c_client_port_plain = atoi(argv[2]);
	zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);

	c_client_test_connect();
	a = c_client_connect(c_client_port_ext, 10000);
	b = c_client_connect(c_client_port_ext, 10000);
	if (a == NULL || b == NULL) {
		printf("Bail out! no session on port %d\n", c_client_port_ext);
		return 1;
	}
	c_client_test_create_modes(a->zh, zoo_client_id(a->zh)->client_id);
	c_client_test_plain_server();
	c_client_test_reaping(a->zh);
	c_client_test_errors(a->zh, b->zh);
	c_client_test_multi(a->zh);
	c_client_test_watches(a->zh, b->zh);
	c_client_test_remove_watches(a->zh, b->zh);
	c_client_test_acl(a->zh, b->zh);
	c_client_test_perms(a->zh);
	c_client_test_acl_ids(a->zh);
	c_client_test_auth();
	c_client_test_sync_async(a->zh);
	c_client_test_close(a->zh);
	c_client_test_resume(a->zh);
	c_client_test_maxbuffer();
	c_client_test_readonly_flag();
	c_client_close(b);
	c_client_close(a);
	printf("1..%d\n", c_client_test);
	return c_client_failed != 0;
}
