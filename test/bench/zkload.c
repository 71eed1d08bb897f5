/* SPDX-License-Identifier: ISC */
/*
 * zkload.c: a load generator for ZooKeeper servers, zkd or Apache's, on
 * the project's own codec (jute.h, proto.h).
 *
 * zkload [-s host:port[,host:port...]] [-c sessions] [-k outstanding] [-o op] [-b bytes]
 *        [-d seconds | -n ops] [-w seconds] [-r root] [-t ms] [-l label]
 *
 * One thread runs one libevent loop over N sessions, each on its own TCP
 * connection; with several servers given, session i goes to server i
 * modulo their number, as clients spread over an ensemble.  Each
 * session keeps K requests in flight: a server answers
 * a session's requests in order, so a reply pops the oldest entry of the
 * session's ring of send times, its latency goes into a histogram, and
 * the session sends the next request.  Every refill a read brings about
 * leaves in one send(2), so a loaded session pipelines as a real client
 * library does.  The tool decodes only reply headers (and the length of
 * getData's data), which keeps its own cost per operation small; the CPU
 * time it reports shows whether it, not the server, was the bottleneck.
 *
 * Phases: connect (every ConnectRequest goes out before any answer is
 * read, so a server with group commit makes the new sessions durable
 * together), setup (blocking: the first session creates the root and a
 * run directory named after its session id; then for setData, getData
 * and exists each session creates its own node holding the payload, on
 * its own server, so that its reads see it), warm-up (requests
 * run, nothing is recorded), measure (each reply is counted and its
 * latency recorded), drain (no new requests; a session sends
 * closeSession once its last reply is in, and the loop ends when every
 * session is closed).
 *
 * Throughput is the replies received inside the measured window divided
 * by its length; a latency runs from the request's entry into the output
 * buffer to the parsing of its reply, in microseconds.  Output: one JSON
 * object on stdout, one line for people on stderr.  Exit status 0 when
 * every reply was a success and no session was lost, 1 otherwise, 64 for
 * a bad command line, 69 when the server cannot be reached.  SIGINT
 * ends the window early (a second one gives up on the drain).  Created
 * nodes are left in place.
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "hist.h"
#include "jute.h"
#include "proto.h"
#include "util.h"
#include "xmalloc.h"

#define ZKLOAD_MAXFRAME		(4 << 20)	/* largest reply accepted */
#define ZKLOAD_MAXPAYLOAD	(1 << 20)
#define ZKLOAD_BUFSIZE		65536
#define ZKLOAD_PATHLEN		512
#define ZKLOAD_DRAIN_SEC	30		/* replies after the window */

enum zkload_phase {
	PHASE_SETUP,
	PHASE_WARMUP,
	PHASE_MEASURE,
	PHASE_DRAIN
};

struct inflight {
	int32_t		 xid;
	uint64_t	 sent_ns;
};

struct session {
	struct zkload	*zl;
	int		 idx;
	int		 fd;
	int64_t		 sid;
	struct event	*ev_read;
	struct event	*ev_write;
	int		 want_write;	/* ev_write is pending */
	struct jute_out	 out;		/* requests not yet written */
	size_t		 out_off;	/* bytes of out already written */
	uint8_t		*in;		/* bytes read, not yet parsed */
	size_t		 in_len;
	size_t		 in_cap;
	struct inflight	*ring;		/* requests in flight, oldest first */
	size_t		 ring_head;
	size_t		 ring_count;
	int32_t		 xid;
	int32_t		 close_xid;
	uint64_t	 seq;		/* create: the next node's number */
	char		 key[ZKLOAD_PATHLEN];	/* its node for other ops */
	int		 closing;	/* closeSession sent */
	int		 closed;	/* socket closed: done or lost */
};

struct zkload {
	/* Options. */
	struct zkload_server {
		char	*host;
		char	*port;
	}		*servers;
	int		 nservers;
	char		*server_list;	/* as given */
	int		 nsessions;
	size_t		 depth;
	int32_t		 op;
	const char	*op_name;
	int32_t		 size;
	double		 duration;
	double		 warmup;
	uint64_t	 count;		/* ops to measure; 0: for duration */
	const char	*root;
	int		 timeout_ms;
	const char	*label;

	uint8_t		*payload;
	char		 dir[ZKLOAD_PATHLEN - 64];	/* room for names */
	struct event_base *base;
	struct event	*ev_timer;
	struct event	*ev_int;
	struct session	*sessions;
	int		 open;		/* sessions not closed */
	enum zkload_phase phase;

	struct hist	 hist;
	uint64_t	 ops;		/* replies in the window */
	uint64_t	 warm_ops;
	uint64_t	 errors;	/* error replies, every phase */
	int32_t		 first_err;
	int		 lost;		/* sessions lost */
	uint64_t	 t_begin;	/* the window, monotonic ns */
	uint64_t	 t_end;
	struct rusage	 ru_begin;
	struct rusage	 ru_end;
};

static const struct {
	const char	*name;
	int32_t		 op;
} zkload_ops[] = {
	{ "create", ZOP_CREATE },
	{ "setData", ZOP_SETDATA },
	{ "getData", ZOP_GETDATA },
	{ "exists", ZOP_EXISTS },
};

static char		 acl_world[] = "world";
static char		 acl_anyone[] = "anyone";
static struct zk_acl	 acl_open = { ZPERM_ALL, { acl_world, acl_anyone } };
static const struct zk_acl_list acl_open_list = { 1, &acl_open };

static void	 zkload_usage(void) __attribute__((__noreturn__));
static double	 zkload_seconds(const char *, const char *);
static uint64_t	 zkload_now_ns(void);
static void	 zkload_parse_servers(struct zkload *, const char *);
static void	 zkload_parse_server(struct zkload_server *, const char *);
static void	 zkload_write_all(struct session *);
static int	 zkload_read_frame(struct session *, uint8_t **, size_t *);
static int	 zkload_read_reply(struct session *, int32_t *, int32_t *);
static void	 zkload_connect_all(struct zkload *);
static void	 zkload_put_create(struct jute_out *, int32_t, const char *,
		    const uint8_t *, int32_t);
static void	 zkload_setup(struct zkload *);
static int32_t	 zkload_next_xid(struct session *);
static void	 zkload_issue(struct session *);
static void	 zkload_refill(struct session *);
static void	 zkload_flush(struct session *);
static void	 zkload_session_end(struct session *, const char *);
static int	 zkload_reply(struct session *, const uint8_t *, size_t);
static void	 zkload_read_cb(evutil_socket_t, short, void *);
static void	 zkload_write_cb(evutil_socket_t, short, void *);
static void	 zkload_arm(struct zkload *, double);
static void	 zkload_measure_begin(struct zkload *);
static void	 zkload_measure_end(struct zkload *);
static void	 zkload_abandon(struct zkload *, const char *);
static void	 zkload_timer_cb(evutil_socket_t, short, void *);
static void	 zkload_int_cb(evutil_socket_t, short, void *);
static void	 zkload_run(struct zkload *);
static void	 zkload_json_string(FILE *, const char *);
static double	 zkload_tv(const struct timeval *);
static void	 zkload_report(struct zkload *);
static void	 zkload_free(struct zkload *);

static void
zkload_usage(void)
{
	fprintf(stderr,
	    "usage: zkload [-s host:port,...] [-c sessions] [-k outstanding] "
	    "[-o op] [-b bytes]\n"
	    "              [-d seconds | -n ops] [-w seconds] [-r root] "
	    "[-t ms] [-l label]\n"
	    "  -s  servers (127.0.0.1:2181)     -c  sessions (1)\n"
	    "  -k  requests in flight per session (1)\n"
	    "  -o  create, setData, getData or exists (create)\n"
	    "  -b  payload bytes (100)          -d  measured seconds (10)\n"
	    "  -n  measure this many ops instead of a duration\n"
	    "  -w  warm-up seconds (1)          -r  root node (/zkload)\n"
	    "  -t  session timeout ms (30000)   -l  label for the JSON\n");
	exit(EX_USAGE);
}

/* A non-negative number of seconds from an option, or a usage error. */
static double
zkload_seconds(const char *s, const char *what)
{
	char	*end;
	double	 v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v >= 0 && v < 1e6)) {
		warnx("%s: bad number of seconds: %s", what, s);
		zkload_usage();
	}
	return v;
}

static uint64_t
zkload_now_ns(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A comma-separated list of servers. */
static void
zkload_parse_servers(struct zkload *zl, const char *arg)
{
	char	*list, *item, *next;
	int	 i;

	for (i = 0; i < zl->nservers; i++) {
		free(zl->servers[i].host);
		free(zl->servers[i].port);
	}
	free(zl->servers);
	free(zl->server_list);
	zl->servers = NULL;
	zl->nservers = 0;
	zl->server_list = xstrdup(arg);
	list = xstrdup(arg);
	for (item = list; item != NULL; item = next) {
		if ((next = strchr(item, ',')) != NULL)
			*next++ = '\0';
		zl->servers = xreallocarray(zl->servers,
		    (size_t)zl->nservers + 1, sizeof(*zl->servers));
		zkload_parse_server(&zl->servers[zl->nservers++], item);
	}
	free(list);
}

/* host:port, [v6]:port, or a bare host (port 2181). */
static void
zkload_parse_server(struct zkload_server *sv, const char *arg)
{
	char	*s, *p;

	s = xstrdup(arg);
	if (s[0] == '[' && (p = strchr(s, ']')) != NULL) {
		*p++ = '\0';
		sv->host = xstrdup(s + 1);
		sv->port = xstrdup(*p == ':' ? p + 1 : "2181");
	} else if ((p = strrchr(s, ':')) != NULL && strchr(s, ':') == p) {
		*p++ = '\0';
		sv->host = xstrdup(s);
		sv->port = xstrdup(p);
	} else {
		sv->host = xstrdup(s);
		sv->port = xstrdup("2181");
	}
	free(s);
	if (*sv->host == '\0' || *sv->port == '\0') {
		warnx("bad server: %s", arg);
		zkload_usage();
	}
}

/* Blocking phases: writes everything queued on the session or dies. */
static void
zkload_write_all(struct session *s)
{
	ssize_t	 n;

	while (s->out_off < s->out.len) {
		n = send(s->fd, s->out.buf + s->out_off,
		    s->out.len - s->out_off, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			err(1, "session %d: send", s->idx);
		s->out_off += (size_t)n;
	}
	jute_out_reset(&s->out);
	s->out_off = 0;
}

/*
 * Blocking phases: reads one frame into *frame (the caller frees it).
 * Returns 0, or -1 when the server closed the connection.
 */
static int
zkload_read_frame(struct session *s, uint8_t **frame, size_t *len)
{
	uint8_t		 hdr[4], *p = hdr;
	size_t		 want = sizeof(hdr), off = 0;
	uint32_t	 n;
	ssize_t		 r;

	*frame = NULL;
	while (off < want) {
		r = recv(s->fd, p + off, want - off, 0);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			err(1, "session %d: recv", s->idx);
		if (r == 0) {
			free(*frame);
			*frame = NULL;
			return -1;
		}
		off += (size_t)r;
		if (p == hdr && off == want) {
			n = jute_be32(hdr);
			if (n > ZKLOAD_MAXFRAME)
				errx(1, "session %d: frame of %u bytes",
				    s->idx, n);
			p = *frame = xmalloc(n > 0 ? n : 1);
			want = n;
			off = 0;
		}
	}
	*len = want;
	return 0;
}

/* Blocking phases: the next reply's xid and error code. */
static int
zkload_read_reply(struct session *s, int32_t *xid, int32_t *zerr)
{
	struct jute_in	 in;
	uint8_t		*frame;
	size_t		 len;
	int64_t		 zxid;

	do {
		if (zkload_read_frame(s, &frame, &len) == -1)
			return -1;
		jute_in_init(&in, frame, len, ZKLOAD_MAXFRAME);
		jute_get_int(&in, xid);
		jute_get_long(&in, &zxid);
		jute_get_int(&in, zerr);
		free(frame);
		if (in.err)
			errx(1, "session %d: short reply header", s->idx);
	} while (*xid == ZXID_PING || *xid == ZXID_NOTIFICATION);
	return 0;
}

/*
 * Opens every session: all the ConnectRequests first, then all the
 * answers.  Exits 69 when the server cannot be reached.
 */
static void
zkload_connect_all(struct zkload *zl)
{
	struct addrinfo	 hints, **res;
	struct timeval	 tv;
	struct jute_in	 in;
	struct session	*s;
	struct zkload_server *sv;
	struct addrinfo	*ai;
	const uint8_t	*pw;
	uint8_t		 passwd[SESSION_PASSWD_LEN];
	uint8_t		*frame;
	size_t		 at, len;
	int32_t		 version, timeout, pwlen;
	int		 i, one = 1, rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	res = xcalloc((size_t)zl->nservers, sizeof(*res));
	for (i = 0; i < zl->nservers; i++) {
		sv = &zl->servers[i];
		if ((rc = getaddrinfo(sv->host, sv->port, &hints, &res[i])) !=
		    0)
			errx(EX_UNAVAILABLE, "%s: %s", sv->host,
			    gai_strerror(rc));
	}
	memset(passwd, 0, sizeof(passwd));
	tv.tv_sec = zl->timeout_ms / 1000;
	tv.tv_usec = (zl->timeout_ms % 1000) * 1000;
	for (i = 0; i < zl->nsessions; i++) {
		s = &zl->sessions[i];
		sv = &zl->servers[i % zl->nservers];
		ai = res[i % zl->nservers];
		s->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (s->fd == -1)
			err(1, "socket");
		setsockopt(s->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(s->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (connect(s->fd, ai->ai_addr, ai->ai_addrlen) == -1)
			err(EX_UNAVAILABLE, "connect to %s port %s",
			    sv->host, sv->port);
		setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		at = jute_put_frame_start(&s->out);
		jute_put_int(&s->out, 0);		/* protocolVersion */
		jute_put_long(&s->out, 0);		/* lastZxidSeen */
		jute_put_int(&s->out, zl->timeout_ms);
		jute_put_long(&s->out, 0);		/* sessionId: new */
		jute_put_buffer(&s->out, passwd, sizeof(passwd));
		jute_put_bool(&s->out, 0);		/* readOnly */
		jute_put_frame_end(&s->out, at);
		zkload_write_all(s);
	}
	for (i = 0; i < zl->nservers; i++)
		freeaddrinfo(res[i]);
	free(res);
	for (i = 0; i < zl->nsessions; i++) {
		s = &zl->sessions[i];
		if (zkload_read_frame(s, &frame, &len) == -1)
			errx(EX_UNAVAILABLE, "session %d: the server closed "
			    "the connection (its connection limit?)", i);
		jute_in_init(&in, frame, len, ZKLOAD_MAXFRAME);
		jute_get_int(&in, &version);
		jute_get_int(&in, &timeout);
		jute_get_long(&in, &s->sid);
		jute_get_buffer(&in, &pw, &pwlen);
		free(frame);
		if (in.err)
			errx(1, "session %d: short ConnectResponse", i);
		if (timeout <= 0)
			errx(1, "session %d: refused by the server", i);
	}
}

static void
zkload_put_create(struct jute_out *out, int32_t xid, const char *path,
    const uint8_t *data, int32_t len)
{
	size_t	 at;

	at = jute_put_frame_start(out);
	jute_put_int(out, xid);
	jute_put_int(out, ZOP_CREATE);
	jute_put_string(out, path);
	jute_put_buffer(out, data, len);
	proto_put_acl_list(out, &acl_open_list);
	jute_put_int(out, ZCREATE_PERSISTENT);
	jute_put_frame_end(out, at);
}

/*
 * Creates the root (each missing component), the run directory and, for
 * the ops that need one, each session's node, all on the first session.
 */
static void
zkload_setup(struct zkload *zl)
{
	struct session	*s = &zl->sessions[0];
	char		 path[ZKLOAD_PATHLEN];
	const char	*p;
	int32_t		 xid, zerr;
	int		 i, n = 0;

	for (p = zl->root + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		snprintf(path, sizeof(path), "%.*s", (int)(p - zl->root),
		    zl->root);
		zkload_put_create(&s->out, zkload_next_xid(s), path, NULL, -1);
		n++;
		if (*p == '\0')
			break;
	}
	snprintf(zl->dir, sizeof(zl->dir), "%s/%016" PRIx64, zl->root,
	    (uint64_t)s->sid);
	zkload_put_create(&s->out, zkload_next_xid(s), zl->dir, NULL, -1);
	n++;
	zkload_write_all(s);
	for (i = 0; i < n; i++) {
		if (zkload_read_reply(s, &xid, &zerr) == -1)
			errx(1, "setup: the server closed the connection");
		if (zerr != ZERR_OK && zerr != ZERR_NODEEXISTS)
			errx(1, "setup: create failed: %s",
			    proto_err_name(zerr));
	}
	if (zl->op == ZOP_CREATE)
		return;
	/* Each session's node through its own session: it reads its write. */
	for (i = 0; i < zl->nsessions; i++) {
		s = &zl->sessions[i];
		snprintf(s->key, sizeof(s->key), "%s/k%d", zl->dir, i);
		zkload_put_create(&s->out, zkload_next_xid(s), s->key,
		    zl->payload, zl->size);
		zkload_write_all(s);
	}
	for (i = 0; i < zl->nsessions; i++) {
		s = &zl->sessions[i];
		if (zkload_read_reply(s, &xid, &zerr) == -1)
			errx(1, "setup: the server closed session %d", i);
		if (zerr != ZERR_OK && zerr != ZERR_NODEEXISTS)
			errx(1, "setup: create failed: %s",
			    proto_err_name(zerr));
	}
}

/* Client xids count up from 1 and wrap before turning negative. */
static int32_t
zkload_next_xid(struct session *s)
{
	int32_t	 xid = s->xid;

	s->xid = xid == INT32_MAX ? 1 : xid + 1;
	return xid;
}

/* Queues the session's next request of the load and notes its send time. */
static void
zkload_issue(struct session *s)
{
	struct zkload	*zl = s->zl;
	struct inflight	*f;
	char		 path[ZKLOAD_PATHLEN];
	size_t		 at;
	int32_t		 xid = zkload_next_xid(s);

	switch (zl->op) {
	case ZOP_CREATE:
		snprintf(path, sizeof(path), "%s/s%d-%" PRIu64, zl->dir,
		    s->idx, s->seq++);
		zkload_put_create(&s->out, xid, path, zl->payload, zl->size);
		break;
	case ZOP_SETDATA:
		at = jute_put_frame_start(&s->out);
		jute_put_int(&s->out, xid);
		jute_put_int(&s->out, ZOP_SETDATA);
		jute_put_string(&s->out, s->key);
		jute_put_buffer(&s->out, zl->payload, zl->size);
		jute_put_int(&s->out, -1);		/* any version */
		jute_put_frame_end(&s->out, at);
		break;
	default:					/* getData, exists */
		at = jute_put_frame_start(&s->out);
		jute_put_int(&s->out, xid);
		jute_put_int(&s->out, zl->op);
		jute_put_string(&s->out, s->key);
		jute_put_bool(&s->out, 0);		/* no watch */
		jute_put_frame_end(&s->out, at);
		break;
	}
	f = &s->ring[(s->ring_head + s->ring_count) % zl->depth];
	f->xid = xid;
	f->sent_ns = zkload_now_ns();
	s->ring_count++;
}

/* Tops the session up to its depth, or closes it once drained. */
static void
zkload_refill(struct session *s)
{
	struct zkload	*zl = s->zl;
	size_t		 at;

	if (s->closed || s->closing)
		return;
	if (zl->phase == PHASE_WARMUP || zl->phase == PHASE_MEASURE) {
		while (s->ring_count < zl->depth)
			zkload_issue(s);
	} else if (zl->phase == PHASE_DRAIN && s->ring_count == 0) {
		s->close_xid = zkload_next_xid(s);
		at = jute_put_frame_start(&s->out);
		jute_put_int(&s->out, s->close_xid);
		jute_put_int(&s->out, ZOP_CLOSESESSION);
		jute_put_frame_end(&s->out, at);
		s->closing = 1;
	}
}

/* Writes what the socket takes; the rest waits for ev_write. */
static void
zkload_flush(struct session *s)
{
	ssize_t	 n;

	while (!s->closed && s->out_off < s->out.len) {
		n = send(s->fd, s->out.buf + s->out_off,
		    s->out.len - s->out_off, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (!s->want_write) {
				event_add(s->ev_write, NULL);
				s->want_write = 1;
			}
			return;
		}
		if (n == -1) {
			zkload_session_end(s, strerror(errno));
			return;
		}
		s->out_off += (size_t)n;
	}
	jute_out_reset(&s->out);
	s->out_off = 0;
	if (s->want_write) {
		event_del(s->ev_write);
		s->want_write = 0;
	}
}

/*
 * Closes the session's socket: why is NULL when its closeSession was
 * answered, else the reason it was lost.  Its events are freed later, in
 * zkload_free, never inside their own callbacks.
 */
static void
zkload_session_end(struct session *s, const char *why)
{
	struct zkload	*zl = s->zl;

	if (s->closed)
		return;
	if (why != NULL) {
		warnx("session %d (0x%" PRIx64 ") lost: %s", s->idx,
		    (uint64_t)s->sid, why);
		zl->lost++;
	}
	event_del(s->ev_read);
	event_del(s->ev_write);
	close(s->fd);
	s->fd = -1;
	s->closed = 1;
	if (--zl->open == 0)
		event_base_loopbreak(zl->base);
}

/*
 * One reply frame.  Returns 0, or -1 for a reply that does not fit the
 * session's requests (the session is then lost).
 */
static int
zkload_reply(struct session *s, const uint8_t *frame, size_t len)
{
	struct zkload	*zl = s->zl;
	struct jute_in	 in;
	struct inflight	*f;
	const uint8_t	*data;
	uint64_t	 lat_us;
	int64_t		 zxid;
	int32_t		 xid, zerr, dlen;

	jute_in_init(&in, frame, len, ZKLOAD_MAXFRAME);
	jute_get_int(&in, &xid);
	jute_get_long(&in, &zxid);
	jute_get_int(&in, &zerr);
	if (in.err)
		return -1;
	if (xid == ZXID_PING || xid == ZXID_NOTIFICATION)
		return 0;
	if (s->closing && xid == s->close_xid) {
		zkload_session_end(s, NULL);
		return 0;
	}
	if (s->ring_count == 0 || s->ring[s->ring_head].xid != xid)
		return -1;
	f = &s->ring[s->ring_head];
	lat_us = (zkload_now_ns() - f->sent_ns) / 1000;
	s->ring_head = (s->ring_head + 1) % zl->depth;
	s->ring_count--;

	/* getData's answer must hold the payload: a cheap sanity check. */
	if (zerr == ZERR_OK && zl->op == ZOP_GETDATA &&
	    (jute_get_buffer(&in, &data, &dlen) == -1 || dlen != zl->size))
		zerr = ZERR_MARSHALLINGERROR;
	if (zerr != ZERR_OK) {
		if (zl->errors++ == 0)
			zl->first_err = zerr;
	}
	switch (zl->phase) {
	case PHASE_WARMUP:
		zl->warm_ops++;
		break;
	case PHASE_MEASURE:
		hist_record(&zl->hist, lat_us);
		if (++zl->ops == zl->count)
			zkload_measure_end(zl);
		break;
	default:
		break;
	}
	return 0;
}

static void
zkload_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct session	*s = arg;
	size_t		 off = 0, need;
	uint32_t	 flen;
	ssize_t		 n;

	n = recv(fd, s->in + s->in_len, s->in_cap - s->in_len, 0);
	if (n == -1 && (errno == EINTR || errno == EAGAIN ||
	    errno == EWOULDBLOCK))
		return;
	if (n <= 0) {
		zkload_session_end(s, n == 0 ?
		    "the server closed the connection" : strerror(errno));
		return;
	}
	s->in_len += (size_t)n;
	while (s->in_len - off >= 4) {
		flen = jute_be32(s->in + off);
		if (flen > ZKLOAD_MAXFRAME) {
			zkload_session_end(s, "oversized reply frame");
			return;
		}
		if (s->in_len - off - 4 < flen)
			break;
		if (zkload_reply(s, s->in + off + 4, flen) == -1) {
			zkload_session_end(s, "reply out of order or short");
			return;
		}
		if (s->closed)
			return;
		off += 4 + flen;
	}
	if (off > 0) {
		memmove(s->in, s->in + off, s->in_len - off);
		s->in_len -= off;
	}
	/* A partial frame larger than the buffer: make room for all of it. */
	if (s->in_len >= 4) {
		need = 4 + (size_t)jute_be32(s->in);
		if (need > s->in_cap) {
			s->in = xreallocarray(s->in, need, 1);
			s->in_cap = need;
		}
	}
	zkload_refill(s);
	zkload_flush(s);
}

static void
zkload_write_cb(evutil_socket_t fd, short what, void *arg)
{
	struct session	*s = arg;

	s->want_write = 0;
	zkload_flush(s);
}

static void
zkload_arm(struct zkload *zl, double sec)
{
	struct timeval	 tv;

	tv.tv_sec = (time_t)sec;
	tv.tv_usec = (suseconds_t)((sec - (double)tv.tv_sec) * 1e6);
	evtimer_add(zl->ev_timer, &tv);
}

static void
zkload_measure_begin(struct zkload *zl)
{
	zl->phase = PHASE_MEASURE;
	zl->t_begin = zkload_now_ns();
	getrusage(RUSAGE_SELF, &zl->ru_begin);
	if (zl->count == 0)
		zkload_arm(zl, zl->duration);
}

/* Closes the window; idle sessions close now, busy ones once drained. */
static void
zkload_measure_end(struct zkload *zl)
{
	struct session	*s;
	int		 i;

	if (zl->phase == PHASE_DRAIN)
		return;
	if (zl->phase != PHASE_MEASURE) {
		zl->t_begin = zkload_now_ns();
		getrusage(RUSAGE_SELF, &zl->ru_begin);
	}
	zl->phase = PHASE_DRAIN;
	zl->t_end = zkload_now_ns();
	getrusage(RUSAGE_SELF, &zl->ru_end);
	zkload_arm(zl, ZKLOAD_DRAIN_SEC);
	for (i = 0; i < zl->nsessions; i++) {
		s = &zl->sessions[i];
		zkload_refill(s);
		zkload_flush(s);
	}
}

/* Gives up on every session still open (each counts as lost). */
static void
zkload_abandon(struct zkload *zl, const char *why)
{
	int	 i;

	for (i = 0; i < zl->nsessions; i++)
		zkload_session_end(&zl->sessions[i], why);
}

static void
zkload_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct zkload	*zl = arg;

	switch (zl->phase) {
	case PHASE_WARMUP:
		zkload_measure_begin(zl);
		break;
	case PHASE_MEASURE:
		zkload_measure_end(zl);
		break;
	default:
		zkload_abandon(zl, "no reply while draining");
		break;
	}
}

/* SIGINT ends the window early; a second one stops waiting for replies. */
static void
zkload_int_cb(evutil_socket_t fd, short what, void *arg)
{
	struct zkload	*zl = arg;

	if (zl->phase == PHASE_DRAIN)
		zkload_abandon(zl, "interrupted");
	else
		zkload_measure_end(zl);
}

/* The asynchronous part: warm-up, measure, drain. */
static void
zkload_run(struct zkload *zl)
{
	struct session	*s;
	int		 i;

	if ((zl->base = event_base_new()) == NULL)
		errx(1, "event_base_new failed");
	zl->ev_timer = evtimer_new(zl->base, zkload_timer_cb, zl);
	zl->ev_int = evsignal_new(zl->base, SIGINT, zkload_int_cb, zl);
	evsignal_add(zl->ev_int, NULL);
	for (i = 0; i < zl->nsessions; i++) {
		s = &zl->sessions[i];
		if (fcntl(s->fd, F_SETFL, fcntl(s->fd, F_GETFL) | O_NONBLOCK)
		    == -1)
			err(1, "fcntl");
		s->ev_read = event_new(zl->base, s->fd, EV_READ | EV_PERSIST,
		    zkload_read_cb, s);
		s->ev_write = event_new(zl->base, s->fd, EV_WRITE,
		    zkload_write_cb, s);
		event_add(s->ev_read, NULL);
	}
	zl->open = zl->nsessions;
	if (zl->warmup > 0) {
		zl->phase = PHASE_WARMUP;
		zkload_arm(zl, zl->warmup);
	} else
		zkload_measure_begin(zl);
	for (i = 0; i < zl->nsessions; i++) {
		zkload_refill(&zl->sessions[i]);
		zkload_flush(&zl->sessions[i]);
	}
	event_base_dispatch(zl->base);
	if (zl->phase != PHASE_DRAIN)	/* every session lost early */
		zkload_measure_end(zl);
}

static void
zkload_json_string(FILE *f, const char *s)
{
	if (s == NULL) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static double
zkload_tv(const struct timeval *tv)
{
	return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

static void
zkload_report(struct zkload *zl)
{
	struct hist	*h = &zl->hist;
	double		 wall, user, sys, rate, cpu;

	wall = (double)(zl->t_end - zl->t_begin) / 1e9;
	user = zkload_tv(&zl->ru_end.ru_utime) -
	    zkload_tv(&zl->ru_begin.ru_utime);
	sys = zkload_tv(&zl->ru_end.ru_stime) -
	    zkload_tv(&zl->ru_begin.ru_stime);
	rate = wall > 0 ? (double)zl->ops / wall : 0;
	cpu = wall > 0 ? 100 * (user + sys) / wall : 0;

	printf("{\"tool\":\"zkload\",\"label\":");
	zkload_json_string(stdout, zl->label);
	printf(",\"server\":");
	zkload_json_string(stdout, zl->server_list);
	printf(",\"op\":\"%s\",\"sessions\":%d,\"outstanding\":%zu,"
	    "\"payload\":%d,\"warmup_s\":%.3f,\"duration_s\":%.3f,"
	    "\"ops\":%" PRIu64 ",\"ops_per_s\":%.1f,\"warmup_ops\":%" PRIu64
	    ",\"errors\":%" PRIu64 ",\"first_error\":",
	    zl->op_name, zl->nsessions, zl->depth, zl->size, zl->warmup,
	    wall, zl->ops, rate, zl->warm_ops, zl->errors);
	zkload_json_string(stdout,
	    zl->errors ? proto_err_name(zl->first_err) : NULL);
	printf(",\"lost_sessions\":%d,\"latency_us\":", zl->lost);
	if (h->total == 0)
		printf("null");
	else
		printf("{\"min\":%" PRIu64 ",\"mean\":%.1f,\"p50\":%" PRIu64
		    ",\"p90\":%" PRIu64 ",\"p99\":%" PRIu64 ",\"p999\":%"
		    PRIu64 ",\"max\":%" PRIu64 "}", h->min, hist_mean(h),
		    hist_quantile(h, 0.5), hist_quantile(h, 0.9),
		    hist_quantile(h, 0.99), hist_quantile(h, 0.999), h->max);
	printf(",\"cpu\":{\"user_s\":%.3f,\"sys_s\":%.3f,"
	    "\"percent\":%.1f}}\n", user, sys, cpu);
	fflush(stdout);

	fprintf(stderr, "zkload: %s %dx%zu %dB: %.0f ops/s, latency us "
	    "p50 %" PRIu64 " p99 %" PRIu64 " p999 %" PRIu64 ", %" PRIu64
	    " errors, %d lost, zkload cpu %.0f%%\n", zl->op_name,
	    zl->nsessions, zl->depth, zl->size, rate, hist_quantile(h, 0.5),
	    hist_quantile(h, 0.99), hist_quantile(h, 0.999), zl->errors,
	    zl->lost, cpu);
}

static void
zkload_free(struct zkload *zl)
{
	struct session	*s;
	int		 i;

	for (i = 0; i < zl->nsessions; i++) {
		s = &zl->sessions[i];
		if (s->ev_read != NULL)
			event_free(s->ev_read);
		if (s->ev_write != NULL)
			event_free(s->ev_write);
		if (s->fd != -1)
			close(s->fd);
		jute_out_free(&s->out);
		free(s->in);
		free(s->ring);
	}
	free(zl->sessions);
	if (zl->ev_timer != NULL)
		event_free(zl->ev_timer);
	if (zl->ev_int != NULL)
		event_free(zl->ev_int);
	if (zl->base != NULL)
		event_base_free(zl->base);
	hist_free(&zl->hist);
	free(zl->payload);
	for (i = 0; i < zl->nservers; i++) {
		free(zl->servers[i].host);
		free(zl->servers[i].port);
	}
	free(zl->servers);
	free(zl->server_list);
}

int
main(int argc, char *argv[])
{
	struct zkload	 zl;
	struct session	*s;
	const char	*errstr;
	size_t		 i;
	int		 ch, n;

	memset(&zl, 0, sizeof(zl));
	zl.nsessions = 1;
	zl.depth = 1;
	zl.op = ZOP_CREATE;
	zl.op_name = "create";
	zl.size = 100;
	zl.duration = 10;
	zl.warmup = 1;
	zl.root = "/zkload";
	zl.timeout_ms = 30000;
	zkload_parse_servers(&zl, "127.0.0.1:2181");

	while ((ch = getopt(argc, argv, "b:c:d:hk:l:n:o:r:s:t:w:")) != -1) {
		switch (ch) {
		case 'b':
			zl.size = (int32_t)strtonum(optarg, 0,
			    ZKLOAD_MAXPAYLOAD, &errstr);
			if (errstr != NULL)
				errx(EX_USAGE, "-b %s: %s", optarg, errstr);
			break;
		case 'c':
			zl.nsessions = (int)strtonum(optarg, 1, 100000,
			    &errstr);
			if (errstr != NULL)
				errx(EX_USAGE, "-c %s: %s", optarg, errstr);
			break;
		case 'd':
			zl.duration = zkload_seconds(optarg, "-d");
			break;
		case 'k':
			zl.depth = (size_t)strtonum(optarg, 1, 100000,
			    &errstr);
			if (errstr != NULL)
				errx(EX_USAGE, "-k %s: %s", optarg, errstr);
			break;
		case 'l':
			zl.label = optarg;
			break;
		case 'n':
			zl.count = (uint64_t)strtonum(optarg, 1,
			    INT64_C(1000000000000), &errstr);
			if (errstr != NULL)
				errx(EX_USAGE, "-n %s: %s", optarg, errstr);
			break;
		case 'o':
			for (i = 0; i < nitems(zkload_ops); i++)
				if (strcmp(optarg, zkload_ops[i].name) == 0)
					break;
			if (i == nitems(zkload_ops)) {
				warnx("unknown op %s", optarg);
				zkload_usage();
			}
			zl.op = zkload_ops[i].op;
			zl.op_name = zkload_ops[i].name;
			break;
		case 'r':
			zl.root = optarg;
			break;
		case 's':
			zkload_parse_servers(&zl, optarg);
			break;
		case 't':
			zl.timeout_ms = (int)strtonum(optarg, 1, INT32_MAX,
			    &errstr);
			if (errstr != NULL)
				errx(EX_USAGE, "-t %s: %s", optarg, errstr);
			break;
		case 'w':
			zl.warmup = zkload_seconds(optarg, "-w");
			break;
		default:
			zkload_usage();
		}
	}
	if (optind != argc)
		zkload_usage();
	n = (int)strlen(zl.root);
	if (zl.root[0] != '/' || n < 2 || zl.root[n - 1] == '/' ||
	    strstr(zl.root, "//") != NULL || n > ZKLOAD_PATHLEN - 64)
		errx(EX_USAGE, "-r %s: not a node path below /", zl.root);
	if (zl.count == 0 && zl.duration <= 0)
		errx(EX_USAGE, "-d must be above 0");

	zl.payload = xmalloc(zl.size > 0 ? (size_t)zl.size : 1);
	memset(zl.payload, 'x', (size_t)zl.size);
	hist_init(&zl.hist);
	zl.sessions = xcalloc((size_t)zl.nsessions, sizeof(*zl.sessions));
	for (n = 0; n < zl.nsessions; n++) {
		s = &zl.sessions[n];
		s->zl = &zl;
		s->idx = n;
		s->fd = -1;
		s->xid = 1;
		jute_out_init(&s->out);
		s->in_cap = ZKLOAD_BUFSIZE;
		s->in = xmalloc(s->in_cap);
		s->ring = xcalloc(zl.depth, sizeof(*s->ring));
	}

	zkload_connect_all(&zl);
	zkload_setup(&zl);
	zkload_run(&zl);
	zkload_report(&zl);
	n = zl.errors > 0 || zl.lost > 0;
	zkload_free(&zl);
	return n;
}
