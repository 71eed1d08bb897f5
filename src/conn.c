/* SPDX-License-Identifier: ISC */
/*
 * conn.c: client connections (edges layer), after NIOServerCnxn and the
 * connection half of ZooKeeperServer.
 *
 * A connection reads length-prefixed jute frames.  Before its handshake,
 * a first "length" that spells a known four-letter word runs that command
 * instead (FourLetterCommands.isKnown), and the connection closes once the
 * reply is written.  A length below zero or above jute.maxbuffer, or a
 * frame that does not decode, closes the connection (logged at debug):
 * a misbehaving client never hurts the others.
 *
 * Handshake: a new session is created through the pipeline (its
 * createSession txn); reads on the connection stop until that txn applies
 * and the ConnectResponse is out.  A reconnect with id and password is
 * answered at once: valid if the password is the session's and the session
 * lives, else with the "expired" answer (timeout 0, id 0, zero password)
 * and a close.
 *
 * I/O, as Redis does it: a readable socket is read with one read(2) into
 * the connection's input buffer; replies made during a loop turn collect
 * in its output buffer, and the connection goes on the flush queue, which
 * conn_flush writes out with one writev(2) each at the end of the turn,
 * after the pipeline's own flush.  A write event is added only while the
 * socket is full.  A request answered from memory thus costs epoll_wait,
 * read and writev, and replies made in the same turn leave together.
 * Once a read is answered the loop polls a while for the next (spin.c).
 *
 * Lifetime: a connection is never freed inside its own callbacks.
 * conn_close stops reading, lets queued output drain, and moves the
 * connection to the dead list; conn_reap frees the dead at the end of the
 * loop turn, after the pipeline and the flush queue (requests still in
 * flight lose their client and finish unanswered).
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "conf.h"
#include "ensemble.h"
#include "log.h"
#include "spin.h"
#include "tree.h"
#include "util.h"
#include "xmalloc.h"
#include "zkd.h"

#define CONN_OUTSTANDING_MAX	1000		/* requests in flight */
#define CONN_OUTPUT_HIGH	(4 * 1024 * 1024)
#define CONN_SESSIONLESS_MS	10000		/* before a handshake */
#define CONN_READ_CHUNK		16384
#define CONN_READ_TURN		(256 * 1024)	/* most read in one turn */

static void	 conn_read_cb(evutil_socket_t, short, void *);
static void	 conn_write_cb(evutil_socket_t, short, void *);
static void	 conn_kill(struct conn *);
static void	 conn_send(struct client *, const uint8_t *, size_t);
static void	 conn_finished(struct client *, const struct request *, int32_t,
		    int64_t);
static void	 conn_session_ready(struct client *);
static void	 conn_process(struct conn *);

static const struct client_ops conn_client_ops = {
	conn_send,
	conn_finished,
	conn_session_ready,
};

static struct conn *
conn_of(struct client *c)
{
	return (struct conn *)((char *)c - offsetof(struct conn, client));
}

static size_t
conn_count_ip(const char *ip)
{
	struct conn	*c;
	size_t		 n = 0;

	TAILQ_FOREACH(c, &zkd->conns, entry)
		if (c->state != CONN_CLOSING && strcmp(c->ip, ip) == 0)
			n++;
	return n;
}

/* Takes a new client socket (from the listener). */
void
conn_accept(int fd, const struct sockaddr *sa, int salen)
{
	struct conn	*c;
	char		 ip[64];
	int		 port = 0, one = 1;

	ip[0] = '\0';
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)sa;

		inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof(ip));
		port = ntohs(sin->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)sa;

		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr))
			/* A dual-stack socket: show the IPv4 address. */
			inet_ntop(AF_INET, &sin6->sin6_addr.s6_addr[12], ip,
			    sizeof(ip));
		else
			inet_ntop(AF_INET6, &sin6->sin6_addr, ip, sizeof(ip));
		port = ntohs(sin6->sin6_port);
	}
	(void)salen;
	if (zkd->conf->max_client_cnxns > 0 &&
	    conn_count_ip(ip) >= (size_t)zkd->conf->max_client_cnxns) {
		log_warnx("too many connections from /%s - max is %d", ip,
		    zkd->conf->max_client_cnxns);
		zkd->stats.connection_rejected++;
		close(fd);
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c = xcalloc(1, sizeof(*c));
	client_init(&c->client, &conn_client_ops, c);
	strlcpy(c->ip, ip, sizeof(c->ip));
	snprintf(c->peer, sizeof(c->peer), "/%s:%d", ip, port);
	c->state = CONN_NEW;
	c->established = util_wall_ms();
	c->last_active = util_now_ms();
	c->last_cxid = -1;
	c->last_op = "NA";
	summary_init(&c->latency, 0);
	/* Every connection starts with its address as an identity. */
	acl_ids_add(&c->client.ids, "ip", ip);
	c->fd = fd;
	c->in = evbuffer_new();
	c->out = evbuffer_new();
	c->ev_read = event_new(zkd->base, fd, EV_READ | EV_PERSIST,
	    conn_read_cb, c);
	c->ev_write = event_new(zkd->base, fd, EV_WRITE | EV_PERSIST,
	    conn_write_cb, c);
	if (c->in == NULL || c->out == NULL || c->ev_read == NULL ||
	    c->ev_write == NULL)
		fatalx("conn_accept: out of memory");
	event_add(c->ev_read, NULL);
	TAILQ_INSERT_TAIL(&zkd->conns, c, entry);
	zkd->nconns++;
	log_debug("connection from %s", c->peer);
}

/*
 * Closes a connection: no more reads, output drains, then it is freed at
 * the end of the loop turn.  why is logged at debug.
 */
void
conn_close(struct conn *c, const char *why)
{
	if (c->state == CONN_CLOSING)
		return;
	log_debug("closing %s (session 0x%llx): %s", c->peer,
	    (unsigned long long)c->client.session_id, why);
	c->state = CONN_CLOSING;
	ensemble_forget(c);
	event_del(c->ev_read);
	watch_remove_watcher(&zkd->watches, &c->client.watcher);
	/* With output left, conn_write_out kills it once written. */
	if (evbuffer_get_length(c->out) == 0)
		conn_kill(c);
}

static void
conn_free(struct conn *c)
{
	client_orphan_requests(&c->client);
	watch_remove_watcher(&zkd->watches, &c->client.watcher);
	event_free(c->ev_read);
	event_free(c->ev_write);
	evbuffer_free(c->in);
	evbuffer_free(c->out);
	close(c->fd);
	summary_free(&c->latency);
	zkd->nconns--;
	free(c);
}

/* Frees the connections closed during this loop turn. */
void
conn_reap(void)
{
	struct conn	*c;

	while ((c = TAILQ_FIRST(&zkd->dead)) != NULL) {
		TAILQ_REMOVE(&zkd->dead, c, entry);
		conn_free(c);
	}
}

/* The connection goes at the end of this turn, its output unwritten. */
static void
conn_kill(struct conn *c)
{
	if (c->dead)
		return;
	c->state = CONN_CLOSING;
	c->dead = 1;
	event_del(c->ev_read);
	event_del(c->ev_write);
	c->blocked = 0;
	if (c->queued) {
		TAILQ_REMOVE(&zkd->flushq, c, flush_entry);
		c->queued = 0;
	}
	watch_remove_watcher(&zkd->watches, &c->client.watcher);
	TAILQ_REMOVE(&zkd->conns, c, entry);
	TAILQ_INSERT_TAIL(&zkd->dead, c, entry);
}

static void conn_maybe_resume(struct conn *, size_t);

/*
 * Writes what the output holds, as far as the socket takes it; while some
 * is left, the write event waits for room.  A closing connection whose
 * output is out goes.  Invariant: a live connection with output is on the
 * flush queue or has its write event added (conn_write, here).
 */
static void
conn_write_out(struct conn *c)
{
	if (c->dead)
		return;
	if (evbuffer_get_length(c->out) > 0 &&
	    evbuffer_write(c->out, c->fd) == -1 && errno != EAGAIN &&
	    errno != EWOULDBLOCK && errno != EINTR) {
		log_debug("%s: %s", c->peer, strerror(errno));
		conn_kill(c);
		return;
	}
	if (evbuffer_get_length(c->out) > 0) {
		if (!c->blocked) {
			event_add(c->ev_write, NULL);
			c->blocked = 1;
		}
	} else {
		if (c->blocked) {
			event_del(c->ev_write);
			c->blocked = 0;
		}
		if (c->state == CONN_CLOSING) {
			conn_kill(c);
			return;
		}
	}
	conn_maybe_resume(c, 0);
}

static void
conn_write_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	conn_write_out(arg);
}

/* Writes the output queued during this loop turn (zkd's main loop). */
void
conn_flush(void)
{
	struct conn	*c;

	while ((c = TAILQ_FIRST(&zkd->flushq)) != NULL) {
		TAILQ_REMOVE(&zkd->flushq, c, flush_entry);
		c->queued = 0;
		conn_write_out(c);
	}
}

/* Processing of frames already read, from the loop, not from the caller. */
static void
conn_kick(struct conn *c)
{
	if (c->dead)
		return;
	c->kicked = 1;
	event_active(c->ev_read, EV_READ, 0);
}

/* The idle limit of a connection: its session timeout, or 10 s before. */
int64_t
conn_timeout(const struct conn *c)
{
	return c->client.session_id != 0 && c->client.timeout > 0 ?
	    c->client.timeout : CONN_SESSIONLESS_MS;
}

size_t
conn_outstanding(const struct conn *c)
{
	return c->client.outstanding;
}

/* Closes connections idle past their timeout (a client that vanished). */
void
conn_expire(int64_t now)
{
	struct conn	*c, *next;

	for (c = TAILQ_FIRST(&zkd->conns); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (c->state == CONN_CLOSING || c->fourlw)
			continue;
		if (now - c->last_active > conn_timeout(c)) {
			if (c->client.session_id == 0)
				zkd->stats.sessionless_expired++;
			conn_close(c, "idle past its timeout");
		}
	}
}

/* A session ended: every connection serving it goes once flushed. */
void
conn_session_gone(void *arg, int64_t session_id)
{
	struct conn	*c, *next;

	(void)arg;
	for (c = TAILQ_FIRST(&zkd->conns); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (c->client.session_id == session_id)
			conn_close(c, "session closed");
	}
}

/*
 * Counts one packet sent; len is its length prefix included.  The size
 * statistics, as ZooKeeper's, leave the prefix out.
 */
static void
conn_account_sent(struct conn *c, size_t len)
{
	len -= 4;
	c->sent++;
	zkd->stats.sent++;
	zkd->stats.last_response_size = (int64_t)len;
	if (zkd->stats.min_response_size == -1 ||
	    (int64_t)len < zkd->stats.min_response_size)
		zkd->stats.min_response_size = (int64_t)len;
	if ((int64_t)len > zkd->stats.max_response_size)
		zkd->stats.max_response_size = (int64_t)len;
}

/* Queues bytes for the client; they leave at the end of the turn. */
static void
conn_write(struct conn *c, const void *buf, size_t len)
{
	if (c->dead)
		return;
	if (evbuffer_add(c->out, buf, len) == -1)
		fatalx("conn_write: out of memory");
	if (!c->queued && !c->blocked) {
		TAILQ_INSERT_TAIL(&zkd->flushq, c, flush_entry);
		c->queued = 1;
	}
}

/* client_ops.send: a whole reply frame. */
static void
conn_send(struct client *cl, const uint8_t *buf, size_t len)
{
	struct conn	*c = conn_of(cl);

	conn_write(c, buf, len);
	conn_account_sent(c, len);
	zkd->stats.response_bytes += len - 4;
	if (evbuffer_get_length(c->out) > CONN_OUTPUT_HIGH && !c->paused &&
	    c->state == CONN_READY) {
		/* A client that does not read its replies sends no more. */
		c->paused = 1;
		event_del(c->ev_read);
	}
}

/*
 * Resumes a throttled connection once it has fewer than the limit of
 * requests in flight (the one finishing now counts as gone) and its output
 * has drained to half the limit.  Frames already buffered are processed
 * from the loop (conn_kick), never from inside the pipeline.
 */
static void
conn_maybe_resume(struct conn *c, size_t finishing)
{
	if (!c->paused || c->state != CONN_READY)
		return;
	if (c->client.outstanding - finishing >= CONN_OUTSTANDING_MAX ||
	    evbuffer_get_length(c->out) > CONN_OUTPUT_HIGH / 2)
		return;
	c->paused = 0;
	event_add(c->ev_read, NULL);
	conn_kick(c);
}

/* client_ops.finished: a reply went out; update stats and throttling. */
static void
conn_finished(struct client *cl, const struct request *r, int32_t err,
    int64_t zxid)
{
	struct conn	*c = conn_of(cl);
	int64_t		 lat = util_now_ms() - r->start_ms;

	(void)err;
	if (lat < 0)
		lat = 0;
	c->last_cxid = r->xid;
	c->last_zxid = zxid;
	c->last_resp = util_now_ms();
	c->last_latency = lat;
	c->last_op = proto_op_lop(r->type);
	summary_add(&c->latency, lat);
	summary_add(&zkd->stats.latency, lat);
	if (r->txn != NULL)
		summary_add(&zkd->stats.update_latency, lat);
	else {
		summary_add(&zkd->stats.read_latency, lat);
		/* The client's next read may come at once: poll for it. */
		spin_note();
	}
	conn_maybe_resume(c, 1);
}

static void
conn_connect_response(struct conn *c, int valid)
{
	struct jute_out	 o;
	uint8_t		 passwd[SESSION_PASSWD_LEN];
	size_t		 at;

	jute_out_init(&o);
	at = jute_put_frame_start(&o);
	if (valid) {
		util_session_passwd(c->client.session_id, passwd);
		proto_put_connect_response(&o, c->client.timeout,
		    c->client.session_id, passwd, c->with_ro);
	} else
		proto_put_connect_response(&o, 0, 0, NULL, c->with_ro);
	jute_put_frame_end(&o, at);
	conn_write(c, o.buf, o.len);
	conn_account_sent(c, o.len);
	jute_out_free(&o);
}

/* client_ops.session_ready: the createSession txn applied. */
static void
conn_session_ready(struct client *cl)
{
	struct conn	*c = conn_of(cl);

	if (c->state != CONN_CONNECTING)
		return;
	log_debug("established session 0x%llx with timeout %d for %s",
	    (unsigned long long)c->client.session_id, c->client.timeout,
	    c->peer);
	c->state = CONN_READY;
	conn_connect_response(c, 1);
	/* Requests the client pipelined after its handshake, later. */
	conn_kick(c);
}

/* Closes any other connection still holding a session (a reconnect). */
static void
conn_take_session(struct conn *self, int64_t session_id)
{
	struct conn	*c, *next;

	for (c = TAILQ_FIRST(&zkd->conns); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (c != self && c->client.session_id == session_id &&
		    c->state != CONN_CLOSING)
			conn_close(c, "session moved to a new connection");
	}
}

static void
conn_handshake(struct conn *c, const uint8_t *buf, size_t len)
{
	struct proto_connect	 req;
	struct request		*r;
	uint8_t			 passwd[SESSION_PASSWD_LEN];
	int32_t			 timeout;
	int			 valid;

	zkd->stats.connection_requests++;
	if (proto_decode_connect(buf, len, &req) == -1) {
		zkd->stats.unsuccessful_handshakes++;
		conn_close(c, "malformed connect request");
		return;
	}
	c->with_ro = req.has_read_only;
	if (!zkd->serving) {
		/* ZooKeeper: "ZooKeeperServer not running". */
		zkd->stats.unsuccessful_handshakes++;
		conn_close(c, "not serving: no quorum, or syncing with the "
		    "leader");
		return;
	}
	if (req.last_zxid > zkd->tree->last_zxid) {
		log_info("refusing session request for client %s as it has "
		    "seen zxid 0x%llx our last zxid is 0x%llx client must try "
		    "another server", c->peer,
		    (unsigned long long)req.last_zxid,
		    (unsigned long long)zkd->tree->last_zxid);
		zkd->stats.unsuccessful_handshakes++;
		conn_close(c, "client is ahead of this server");
		return;
	}
	timeout = req.timeout;
	if (timeout < zkd->conf->min_session_timeout)
		timeout = zkd->conf->min_session_timeout;
	if (timeout > zkd->conf->max_session_timeout)
		timeout = zkd->conf->max_session_timeout;
	c->client.timeout = timeout;
	if (req.session_id == 0) {
		c->client.session_id = session_next_id(&zkd->sessions);
		c->client.watcher.session_id = c->client.session_id;
		c->state = CONN_CONNECTING;
		r = request_new(&c->client, ZOP_CREATESESSION);
		r->timeout = timeout;
		zkd_submit(r);
		return;
	}
	conn_take_session(c, req.session_id);
	c->client.session_id = req.session_id;
	c->client.watcher.session_id = req.session_id;
	zkd->stats.revalidations++;
	util_session_passwd(req.session_id, passwd);
	valid = req.passwd_len == SESSION_PASSWD_LEN &&
	    memcmp(req.passwd, passwd, SESSION_PASSWD_LEN) == 0;
	if (!valid) {
		log_warnx("incorrect password from %s for session 0x%llx",
		    c->peer, (unsigned long long)req.session_id);
	} else if (zkd->ens != NULL && !ensemble_leading()) {
		/* Only the leader knows whether it is still alive. */
		c->state = CONN_CONNECTING;
		ensemble_revalidate(c);
		return;
	} else
		valid = session_touch(&zkd->sessions, req.session_id,
		    util_now_ms()) == 0;
	conn_revalidated(c, valid);
}

/* A reconnecting session was found alive (or not): answer the client. */
void
conn_revalidated(struct conn *c, int valid)
{
	if (c->state == CONN_CLOSING)
		return;
	if (valid) {
		c->state = CONN_READY;
		conn_connect_response(c, 1);
		conn_kick(c);
		return;
	}
	log_info("invalid session 0x%llx for client %s, probably expired",
	    (unsigned long long)c->client.session_id, c->peer);
	c->client.session_id = 0;
	c->client.watcher.session_id = 0;
	conn_connect_response(c, 0);
	conn_close(c, "session expired or invalid");
}

/* Every client connection goes (the server stops serving). */
void
conn_close_clients(const char *why)
{
	struct conn	*c, *next;

	for (c = TAILQ_FIRST(&zkd->conns); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		conn_close(c, why);
	}
}

static void
conn_reply_header(struct conn *c, int32_t xid, int64_t zxid, int32_t err,
    int null_buffer)
{
	struct jute_out	 o;
	size_t		 at;

	jute_out_init(&o);
	at = jute_put_frame_start(&o);
	proto_put_reply_header(&o, xid, zxid, err);
	if (null_buffer)
		jute_put_int(&o, -1);
	jute_put_frame_end(&o, at);
	conn_write(c, o.buf, o.len);
	conn_account_sent(c, o.len);
	jute_out_free(&o);
}

/* An auth packet: handled at once, as ZooKeeperServer.processPacket does. */
static void
conn_auth(struct conn *c, const struct proto_req *req)
{
	char	 userpass[4096], id[4400];
	size_t	 n;

	if (strcmp(req->scheme, "digest") == 0) {
		n = req->auth_len > 0 ? (size_t)req->auth_len : 0;
		if (n >= sizeof(userpass))
			n = sizeof(userpass) - 1;
		if (n > 0)
			memcpy(userpass, req->auth, n);
		userpass[n] = '\0';
		if (acl_digest(userpass, id, sizeof(id)) == 0) {
			if (zkd->conf->super_digest[0] != '\0' &&
			    strcmp(id, zkd->conf->super_digest) == 0)
				acl_ids_add(&c->client.ids, "super", "");
			acl_ids_add(&c->client.ids, "digest", id);
			log_info("session 0x%llx: auth success for scheme "
			    "digest and address %s",
			    (unsigned long long)c->client.session_id, c->peer);
			conn_reply_header(c, req->xid, 0, ZERR_OK, 0);
			return;
		}
	} else if (strcmp(req->scheme, "ip") == 0) {
		acl_ids_add(&c->client.ids, "ip", c->ip);
		conn_reply_header(c, req->xid, 0, ZERR_OK, 0);
		return;
	}
	log_warnx("authentication failed for scheme %s from %s", req->scheme,
	    c->peer);
	zkd->stats.auth_failed++;
	conn_reply_header(c, req->xid, 0, ZERR_AUTHFAILED, 0);
	conn_close(c, "authentication failed");
}

static int
conn_type_known(int32_t type)
{
	switch (type) {
	case ZOP_CREATE: case ZOP_DELETE: case ZOP_EXISTS: case ZOP_GETDATA:
	case ZOP_SETDATA: case ZOP_GETACL: case ZOP_SETACL:
	case ZOP_GETCHILDREN: case ZOP_SYNC: case ZOP_PING:
	case ZOP_GETCHILDREN2: case ZOP_CHECK: case ZOP_MULTI:
	case ZOP_CREATE2: case ZOP_RECONFIG: case ZOP_CHECKWATCHES:
	case ZOP_REMOVEWATCHES: case ZOP_CREATECONTAINER: case ZOP_CREATETTL:
	case ZOP_MULTIREAD: case ZOP_AUTH: case ZOP_SETWATCHES: case ZOP_SASL:
	case ZOP_GETEPHEMERALS: case ZOP_GETALLCHILDRENNUMBER:
	case ZOP_SETWATCHES2: case ZOP_ADDWATCH: case ZOP_WHOAMI:
	case ZOP_CLOSESESSION: case ZOP_DELETECONTAINER:
		return 1;
	default:
		return 0;
	}
}

/* One request frame of a connected client; takes ownership of frame. */
static void
conn_request(struct conn *c, uint8_t *frame, size_t len)
{
	struct request	*r;
	struct proto_req req;
	int32_t		 xid, type;

	if (len < 8) {
		free(frame);
		conn_close(c, "truncated request header");
		return;
	}
	xid = (int32_t)jute_be32(frame);
	type = (int32_t)jute_be32(frame + 4);
	if (!conn_type_known(type)) {
		log_debug("%s: unknown request type %d", c->peer, type);
		free(frame);
		/* UnimplementedRequestProcessor: zxid -1, then a close. */
		conn_reply_header(c, xid, -1, ZERR_UNIMPLEMENTED, 0);
		conn_close(c, "unknown request type");
		return;
	}
	if (proto_decode_request(frame, len, (size_t)zkd->conf->jute_maxbuffer,
	    &req) == -1) {
		proto_req_free(&req);
		free(frame);
		conn_close(c, "malformed request");
		return;
	}
	if (type == ZOP_AUTH) {
		conn_auth(c, &req);
		proto_req_free(&req);
		free(frame);
		return;
	}
	if (type == ZOP_SASL) {
		/*
		 * No SASL here: 3.8 answers OK with a null token, and closes
		 * a connection whose request has a null token.
		 */
		if (req.auth_len < 0)
			conn_close(c, "sasl request without a token");
		else
			conn_reply_header(c, xid, 0, ZERR_OK, 1);
		proto_req_free(&req);
		free(frame);
		return;
	}
	if (session_touch(&zkd->sessions, c->client.session_id,
	    util_now_ms()) == -1) {
		/* ZooKeeper drops requests of a session it no longer has. */
		log_debug("dropping %s from %s: no session 0x%llx",
		    proto_op_name(type), c->peer,
		    (unsigned long long)c->client.session_id);
		proto_req_free(&req);
		free(frame);
		return;
	}
	r = request_new(&c->client, type);
	r->xid = xid;
	r->frame = frame;
	r->frame_len = len;
	r->req = req;
	zkd_submit(r);
	if (c->client.outstanding >= CONN_OUTSTANDING_MAX && !c->paused) {
		c->paused = 1;
		event_del(c->ev_read);
	}
}

/* Processes every complete frame in the input buffer. */
static void
conn_process(struct conn *c)
{
	struct evbuffer	*in = c->in;
	uint8_t		 hdr[4], *frame;
	const char	*cmd;
	struct jute_out	 o;
	int32_t		 len;

	while (c->state == CONN_NEW || c->state == CONN_READY) {
		if (c->paused || evbuffer_copyout(in, hdr, 4) < 4)
			return;
		len = (int32_t)jute_be32(hdr);
		if (c->state == CONN_NEW && fourlw_known(jute_be32(hdr), &cmd)) {
			evbuffer_drain(in, 4);
			c->fourlw = 1;
			c->received++;
			zkd->stats.received++;
			zkd->stats.bytes_received += 4;
			jute_out_init(&o);
			fourlw_run(c, cmd, &o);
			conn_write(c, o.buf, o.len);
			/* ZooKeeper counts a packet per 8 KiB written (none). */
			c->sent += (o.len + 8191) / 8192;
			zkd->stats.sent += (o.len + 8191) / 8192;
			jute_out_free(&o);
			conn_close(c, "four-letter word answered");
			return;
		}
		if (len < 0 || len > zkd->conf->jute_maxbuffer) {
			log_debug("%s: frame length %d is negative or above "
			    "jute.maxbuffer=%d", c->peer, len,
			    zkd->conf->jute_maxbuffer);
			zkd->stats.large_requests_rejected++;
			conn_close(c, "bad frame length");
			return;
		}
		if (evbuffer_get_length(in) < (size_t)len + 4)
			return;
		evbuffer_drain(in, 4);
		frame = xmalloc((size_t)len + 1);
		evbuffer_remove(in, frame, (size_t)len);
		c->received++;
		c->last_active = util_now_ms();
		zkd->stats.received++;
		zkd->stats.bytes_received += (uint64_t)len + 4;
		if (c->state == CONN_NEW) {
			conn_handshake(c, frame, (size_t)len);
			free(frame);
		} else
			conn_request(c, frame, (size_t)len);
	}
}

/*
 * Reads what the socket holds (a chunk, more only while chunks come back
 * full, up to a limit per turn so one busy client cannot starve the
 * others), then processes every whole frame.  An error ends the
 * connection; so does end of file, once what came before it is processed
 * (a closing connection, a four-letter word's, still writes its reply).
 */
static void
conn_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn		*c = arg;
	struct evbuffer_iovec	 v;
	ssize_t			 n;
	size_t			 total = 0;
	int			 eof = 0;

	(void)what;
	if (c->state == CONN_CLOSING)		/* dead ones too */
		return;
	if (c->kicked) {
		/* conn_kick: what is buffered only; the socket waits. */
		c->kicked = 0;
		conn_process(c);
		return;
	}
	do {
		if (evbuffer_reserve_space(c->in, CONN_READ_CHUNK, &v, 1) < 1)
			fatalx("conn_read_cb: out of memory");
		n = read(fd, v.iov_base, v.iov_len);
		if (n <= 0) {
			evbuffer_commit_space(c->in, &v, 0);
			if (n == 0) {
				eof = 1;
				break;
			}
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				break;
			log_debug("%s: %s", c->peer, strerror(errno));
			conn_kill(c);
			return;
		}
		v.iov_len = (size_t)n;
		evbuffer_commit_space(c->in, &v, 1);
		total += (size_t)n;
	} while ((size_t)n == CONN_READ_CHUNK && total < CONN_READ_TURN);
	conn_process(c);
	/* A closing connection has stopped reading (conn_close). */
	if (eof && c->state != CONN_CLOSING) {
		log_debug("%s closed the connection", c->peer);
		conn_kill(c);
	}
}

/*
 * The watch manager's delivery: a notification frame (xid -1) to the
 * connection of the watcher.  Must not touch the watch tables.
 */
void
conn_deliver(struct watcher *w, int32_t type, const char *path,
    const struct zk_acl_list *acl)
{
	struct conn	*c = w->arg;
	struct jute_out	 o;
	size_t		 at;

	if (c == NULL || c->state == CONN_CLOSING)
		return;
	/* No event about a node the client may not read. */
	if (acl != NULL && acl_check(acl, ZPERM_READ, &c->client.ids,
	    zkd->conf->skip_acl) != ZERR_OK)
		return;
	jute_out_init(&o);
	at = jute_put_frame_start(&o);
	proto_put_reply_header(&o, ZXID_NOTIFICATION, -1, ZERR_OK);
	proto_put_watcher_event(&o, type, ZSTATE_SYNC_CONNECTED, path);
	jute_put_frame_end(&o, at);
	conn_write(c, o.buf, o.len);
	conn_account_sent(c, o.len);
	jute_out_free(&o);
}

void
conn_reset_stats(struct conn *c)
{
	c->received = c->sent = 0;
	c->last_cxid = -1;
	c->last_zxid = 0;
	c->last_resp = 0;
	c->last_latency = 0;
	c->last_op = "NA";
	summary_reset(&c->latency);
}
