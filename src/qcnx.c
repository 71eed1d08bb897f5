/* SPDX-License-Identifier: ISC */
/*
 * qcnx.c: connections on the election port, as QuorumCnxManager keeps
 * them, so that zkd and Apache ZooKeeper servers can vote together.
 *
 * Between two servers there is one connection, and the server with the
 * higher sid owns it:
 *
 *   - a server dials a peer when it has something to send and no
 *     connection; it opens with a header (protocol version V1, its sid,
 *     its election "host:port");
 *   - dialing a higher sid, it closes right after the header: the header
 *     tells the peer to dial back (ZooKeeper logs "Have smaller server
 *     identifier, so dropping the connection");
 *   - accepting a connection from a lower sid, a server closes it and
 *     dials that peer; from a higher sid, it keeps it, replacing any older
 *     connection to that peer.
 *
 * Then both sides send frames: int length (1 .. QPROTO_FRAME_MAX), then
 * that many bytes (one notification).  A bad header or frame closes that
 * connection only.  For a peer without a connection the latest message
 * waits (ZooKeeper's send queue holds one); on a new connection it goes
 * out, or if there is none the last message sent goes again.  Retrying
 * is the caller's business: the election resends when its timer fires,
 * and that dials whoever has no connection.
 *
 * Links are freed at once, also from their own callbacks: libevent defers
 * the release of a bufferevent until its callbacks return.  Every byte
 * goes through the fault layer (fault.h): a link's writes, and the
 * enabling of its reads, are the fault link's.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "jute.h"
#include "log.h"
#include "qcnx.h"
#include "qproto.h"
#include "util.h"
#include "xmalloc.h"

#define QCNX_CONNECT_TIMEOUT	5	/* s, ZooKeeper's cnxTimeout */

static struct qcnx_peer *qcnx_peer(struct qcnx *, int64_t);
static struct qcnx_link *qcnx_link_new(struct qcnx *, int, int64_t);
static void	 qcnx_link_free(struct qcnx_link *);
static void	 qcnx_dial(struct qcnx *, struct qcnx_peer *);
static void	 qcnx_gone(struct qcnx *, struct qcnx_peer *);
static void	 qcnx_adopt(struct qcnx *, struct qcnx_peer *,
		    struct qcnx_link *);
static void	 qcnx_write_frame(struct qcnx_link *, const uint8_t *, size_t);
static void	 qcnx_read_cb(struct bufferevent *, void *);
static void	 qcnx_drained_cb(struct bufferevent *, void *);
static void	 qcnx_event_cb(struct bufferevent *, short, void *);
static void	 qcnx_accept_cb(struct evconnlistener *, evutil_socket_t,
		    struct sockaddr *, int, void *);

static struct qcnx_peer *
qcnx_peer(struct qcnx *q, int64_t sid)
{
	size_t	 i;

	for (i = 0; i < q->npeers; i++)
		if (q->peers[i].sid == sid)
			return &q->peers[i];
	return NULL;
}

/*
 * Listens on our own election address and remembers the others.  Returns
 * 0, or with *cause for a person: -1 (we are not in the list) or -2 (the
 * election address cannot be listened on, a port in use most often).
 */
int
qcnx_open(struct qcnx *q, struct event_base *base, struct fault *fault,
    int64_t sid, const struct qcnx_peer_addr *addrs, size_t n,
    void (*recv)(void *, int64_t, const uint8_t *, size_t), void *arg,
    char **cause)
{
	const struct qcnx_peer_addr *self = NULL;
	char		*why;
	size_t		 i;
	int		 fd;

	memset(q, 0, sizeof(*q));
	TAILQ_INIT(&q->links);
	q->base = base;
	q->fault = fault;
	q->sid = sid;
	q->recv = recv;
	q->arg = arg;
	q->peers = xcalloc(n, sizeof(*q->peers));
	for (i = 0; i < n; i++) {
		if (addrs[i].sid == sid) {
			self = &addrs[i];
			continue;
		}
		q->peers[q->npeers].sid = addrs[i].sid;
		strlcpy(q->peers[q->npeers].host, addrs[i].host,
		    sizeof(q->peers[q->npeers].host));
		q->peers[q->npeers].port = addrs[i].port;
		q->npeers++;
	}
	if (self == NULL) {
		xasprintf(cause, "server %lld is not in the server list",
		    (long long)sid);
		return -1;
	}
	snprintf(q->addr, sizeof(q->addr), "%s:%d", self->host, self->port);
	if ((fd = util_listen(self->host, self->port, 64, &why)) == -1) {
		xasprintf(cause, "election port: %s", why);
		free(why);
		return -2;
	}
	q->listener = evconnlistener_new(base, qcnx_accept_cb, q,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, fd);
	if (q->listener == NULL) {
		close(fd);
		xasprintf(cause, "election port %d: cannot listen",
		    self->port);
		return -2;
	}
	return 0;
}

void
qcnx_close(struct qcnx *q)
{
	struct qcnx_link *l;
	size_t		 i;

	while ((l = TAILQ_FIRST(&q->links)) != NULL)
		qcnx_link_free(l);
	if (q->listener != NULL)
		evconnlistener_free(q->listener);
	for (i = 0; i < q->npeers; i++) {
		free(q->peers[i].pending);
		free(q->peers[i].last);
	}
	free(q->peers);
	memset(q, 0, sizeof(*q));
}

static struct qcnx_link *
qcnx_link_new(struct qcnx *q, int fd, int64_t sid)
{
	struct qcnx_link *l;

	l = xcalloc(1, sizeof(*l));
	l->q = q;
	l->sid = sid;
	l->bev = bufferevent_socket_new(q->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (l->bev == NULL)
		fatalx("bufferevent_socket_new");
	bufferevent_setcb(l->bev, qcnx_read_cb, NULL, qcnx_event_cb, l);
	fault_link_init(&l->fl, q->fault, l->bev, sid, qcnx_read_cb, l);
	TAILQ_INSERT_TAIL(&q->links, l, entry);
	return l;
}

static void
qcnx_link_free(struct qcnx_link *l)
{
	struct qcnx_peer *p;

	if (l->sid >= 0 && (p = qcnx_peer(l->q, l->sid)) != NULL) {
		if (p->link == l)
			p->link = NULL;
		if (p->dialing == l)
			p->dialing = NULL;
	}
	TAILQ_REMOVE(&l->q->links, l, entry);
	fault_link_release(&l->fl);
	bufferevent_free(l->bev);
	free(l);
}

/* Sends one message to a peer, or keeps it until there is a connection. */
void
qcnx_send(struct qcnx *q, int64_t sid, const uint8_t *buf, size_t len)
{
	struct qcnx_peer *p;

	if ((p = qcnx_peer(q, sid)) == NULL || len == 0 ||
	    len > QPROTO_FRAME_MAX)
		return;
	if (p->link != NULL) {
		qcnx_write_frame(p->link, buf, len);
		p->last = xreallocarray(p->last, len, 1);
		memcpy(p->last, buf, len);
		p->last_len = len;
		return;
	}
	p->pending = xreallocarray(p->pending, len, 1);
	memcpy(p->pending, buf, len);
	p->pending_len = len;
	qcnx_dial(q, p);
}

static void
qcnx_write_frame(struct qcnx_link *l, const uint8_t *buf, size_t len)
{
	uint8_t	 hdr[4];

	hdr[0] = (uint8_t)(len >> 24);
	hdr[1] = (uint8_t)(len >> 16);
	hdr[2] = (uint8_t)(len >> 8);
	hdr[3] = (uint8_t)len;
	fault_link_write(&l->fl, hdr, sizeof(hdr));
	fault_link_write(&l->fl, buf, len);
	l->q->frames_out++;
}

static void
qcnx_dial(struct qcnx *q, struct qcnx_peer *p)
{
	struct qcnx_link *l;
	struct timeval	 tv = { QCNX_CONNECT_TIMEOUT, 0 };

	if (p->link != NULL || p->dialing != NULL)
		return;
	l = qcnx_link_new(q, -1, p->sid);
	l->outgoing = 1;
	p->dialing = l;
	bufferevent_set_timeouts(l->bev, NULL, &tv);
	if (bufferevent_socket_connect_hostname(l->bev, NULL, AF_UNSPEC,
	    p->host, p->port) == -1) {
		log_debug("election: cannot dial server %lld at %s:%d",
		    (long long)p->sid, p->host, p->port);
		qcnx_link_free(l);
	}
}

/*
 * Whether a peer may be there: 0 once the connection we had with it
 * broke (reset, or closed by it: its process ended), until it is heard
 * from again.  A dial that fails says nothing: a peer not started yet is
 * no dead one, and one that comes late may bring a better vote.
 */
int
qcnx_reachable(struct qcnx *q, int64_t sid)
{
	struct qcnx_peer *p;

	return (p = qcnx_peer(q, sid)) != NULL && !p->gone;
}

/* p was found gone: tell the owner once. */
static void
qcnx_gone(struct qcnx *q, struct qcnx_peer *p)
{
	if (p->gone || p->link != NULL || p->dialing != NULL)
		return;
	p->gone = 1;
	if (q->gone != NULL)
		q->gone(q->arg, p->sid);
}

/* A connection to p is up: it is the one now; send what waited. */
static void
qcnx_adopt(struct qcnx *q, struct qcnx_peer *p, struct qcnx_link *l)
{
	(void)q;
	if (p->link != NULL && p->link != l)
		qcnx_link_free(p->link);
	if (p->dialing == l)
		p->dialing = NULL;
	p->link = l;
	p->gone = 0;
	bufferevent_set_timeouts(l->bev, NULL, NULL);
	fault_link_enable(&l->fl, EV_READ | EV_WRITE);
	log_debug("election: connected with server %lld",
	    (long long)p->sid);
	if (p->pending != NULL) {
		qcnx_write_frame(l, p->pending, p->pending_len);
		free(p->last);
		p->last = p->pending;
		p->last_len = p->pending_len;
		p->pending = NULL;
		p->pending_len = 0;
	} else if (p->last != NULL) {
		qcnx_write_frame(l, p->last, p->last_len);
	}
}

static void
qcnx_accept_cb(struct evconnlistener *lis, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct qcnx	*q = arg;
	struct qcnx_link *l;
	struct timeval	 tv = { QCNX_CONNECT_TIMEOUT, 0 };
	int		 one = 1;

	(void)lis;
	(void)sa;
	(void)salen;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	l = qcnx_link_new(q, fd, -1);
	/* The header must come soon. */
	bufferevent_set_timeouts(l->bev, &tv, NULL);
	fault_link_enable(&l->fl, EV_READ);
}

/* An accepted connection's header: keep it, or close it and dial back. */
static int
qcnx_read_header(struct qcnx *q, struct qcnx_link *l)
{
	struct evbuffer	*in = bufferevent_get_input(l->bev);
	struct qcnx_peer *p;
	char		 addr[QPROTO_CNX_ADDR_MAX + 1];
	const uint8_t	*buf;
	size_t		 len = evbuffer_get_length(in), used;
	int64_t		 sid;
	int		 rv;

	if (len > 20 + QPROTO_CNX_ADDR_MAX)
		len = 20 + QPROTO_CNX_ADDR_MAX;
	buf = evbuffer_pullup(in, (ssize_t)len);
	rv = qproto_get_cnx_header(buf, len, &sid, addr, sizeof(addr), &used);
	if (rv == 1)
		return 1;
	if (rv == -1 || (p = qcnx_peer(q, sid)) == NULL) {
		log_warnx("election: refused a connection: %s",
		    rv == -1 ? "not a ZooKeeper election header" :
		    "from a server not in the configuration");
		q->refused++;
		qcnx_link_free(l);
		return -1;
	}
	evbuffer_drain(in, used);
	p->gone = 0;
	if (sid < q->sid) {
		/* The higher sid owns the connection: we dial back. */
		log_debug("election: server %lld connected; dialing back",
		    (long long)sid);
		qcnx_link_free(l);
		qcnx_dial(q, p);
		return -1;
	}
	l->sid = sid;
	fault_link_identify(&l->fl, sid);
	qcnx_adopt(q, p, l);
	return 0;
}

static void
qcnx_read_cb(struct bufferevent *bev, void *arg)
{
	struct qcnx_link *l = arg;
	struct qcnx	*q = l->q;
	struct evbuffer	*in = bufferevent_get_input(bev);
	uint8_t		 hdr[4];
	const uint8_t	*buf;
	int32_t		 n;
	int64_t		 sid;

	if (l->sid < 0 && qcnx_read_header(q, l) != 0)
		return;
	sid = l->sid;
	while (evbuffer_get_length(in) >= 4 && !fault_link_holding(&l->fl)) {
		evbuffer_copyout(in, hdr, 4);
		n = (int32_t)jute_be32(hdr);
		if (n <= 0 || n > QPROTO_FRAME_MAX) {
			log_warnx("election: server %lld sent a frame of %d "
			    "bytes; connection closed", (long long)sid, n);
			q->refused++;
			qcnx_link_free(l);
			return;
		}
		if (evbuffer_get_length(in) < 4 + (size_t)n)
			return;
		buf = evbuffer_pullup(in, 4 + n);
		q->frames_in++;
		/* recv may send, and so free this link: copy nothing after. */
		q->recv(q->arg, sid, buf + 4, (size_t)n);
		if (qcnx_peer(q, sid) == NULL || qcnx_peer(q, sid)->link != l)
			return;
		evbuffer_drain(in, 4 + (size_t)n);
	}
}

/* A dial to a higher sid: the header is out, close. */
static void
qcnx_drained_cb(struct bufferevent *bev, void *arg)
{
	(void)bev;
	qcnx_link_free(arg);
}

static void
qcnx_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct qcnx_link *l = arg;
	struct qcnx	*q = l->q;
	struct qcnx_peer *p = qcnx_peer(q, l->sid);
	struct jute_out	 o;
	int		 one = 1;

	if ((what & BEV_EVENT_CONNECTED) && p != NULL) {
		setsockopt(bufferevent_getfd(bev), IPPROTO_TCP, TCP_NODELAY,
		    &one, sizeof(one));
		jute_out_init(&o);
		qproto_put_cnx_header(&o, QPROTO_CNX_V1, q->sid, q->addr);
		fault_link_write(&l->fl, o.buf, o.len);
		jute_out_free(&o);
		if (p->sid > q->sid) {
			/* It will dial us back. */
			p->dialing = NULL;
			l->closing = 1;
			bufferevent_setcb(bev, NULL, qcnx_drained_cb,
			    qcnx_event_cb, l);
			fault_link_disable(&l->fl, EV_READ);
			fault_link_enable(&l->fl, EV_WRITE);
			return;
		}
		qcnx_adopt(q, p, l);
		return;
	}
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT)) {
		int	 ours = p != NULL && !l->closing && p->link == l;

		if (!l->closing)
			log_debug("election: connection with server %lld "
			    "%s", (long long)l->sid, what & BEV_EVENT_TIMEOUT ?
			    "timed out" : "lost");
		qcnx_link_free(l);
		if (ours)
			qcnx_gone(q, p);
	}
}
