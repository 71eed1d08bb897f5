/* SPDX-License-Identifier: ISC */
/*
 * quorum.c: the role cycle of a server in an ensemble, on real sockets.
 *
 *   LOOKING --election decides--> LEADING | FOLLOWING | OBSERVING
 *      ^                                   |
 *      +------- ZAB gives up (io->lost) ---+
 *
 * LOOKING runs the election core over the election port (qcnx.c).  A
 * decision starts ZAB (zab.c): a leader binds its quorum port and takes
 * learners as they connect; a learner dials its leader's quorum port
 * (again until it is in, or until ZAB's initLimit gives up: after
 * QUORUM_DIAL_FIRST_MS, doubling up to QUORUM_DIAL_MS, since the leader
 * decided about when we did and is opening its port just now).  Whatever ends the role (ZAB's limits, a lost connection,
 * a learner ahead of its leader) closes the quorum port and every quorum
 * connection and starts a new round of the election with our last
 * logged zxid and current epoch.
 *
 * On the quorum port, QuorumPackets follow each other with no framing;
 * a packet that cannot be one closes that connection.  The one thing
 * between packets that is not a packet is a SNAP's body: ZooKeeper
 * streams the snapshot after an empty SNAP packet (snapwire.h).  The
 * core deals in whole snapshot files, so we translate here: a leader
 * sends the file's body, a learner scans the stream for the body's end
 * (quorum_snap_read, keeping what arrived in a buffer of its own, so a
 * snapshot of any size costs one copy) and hands the core a SNAP packet
 * with the file made whole again.  Connections are
 * never freed inside their own callbacks: a dropped one is marked and
 * freed by quorum_flush, which the caller runs at the end of every loop
 * turn after the cores' work (one sync of the log, then the acks).
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <netdb.h>
#include <stdint.h>
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
#include "qproto.h"
#include "quorum.h"
#include "snapwire.h"
#include "util.h"
#include "xmalloc.h"

#define QUORUM_DIAL_FIRST_MS	5
#define QUORUM_DIAL_MS		200
#define QUORUM_MAX_PACKET	(256 * 1024 * 1024)

/* A SNAP's body as it arrives, until its signature is in. */
struct quorum_snapin {
	struct snapwire_scan scan;
	int64_t		 zxid;		/* the SNAP packet's */
	uint8_t		*buf;
	size_t		 len, cap;
};

static const struct quorum_member *quorum_member(const struct quorum *,
		    int64_t);
static void	 quorum_look(struct quorum *);
static void	 quorum_changed(struct quorum *);
static struct quorum_link *quorum_link_new(struct quorum *, int);
static struct quorum_link *quorum_link_by_cid(struct quorum *, int64_t);
static void	 quorum_link_kill(struct quorum_link *);
static void	 quorum_snapin_free(struct quorum_link *);
static void	 quorum_unlisten(struct quorum *);
static int	 quorum_listen(struct quorum *);
static void	 quorum_dial(struct quorum *);
static void	 quorum_redial(struct quorum *);

/* ---- the election's side ---- */

static void
quorum_e_send(void *arg, int64_t to, const struct vote *v)
{
	struct quorum	*q = arg;
	struct jute_out	 o;

	jute_out_init(&o);
	election_put_vote(&o, v, "version=0");
	qcnx_send(&q->qc, to, o.buf, o.len);
	jute_out_free(&o);
}

static void
quorum_e_timer(void *arg, int ms)
{
	struct quorum	*q = arg;
	struct timeval	 tv;

	evtimer_del(q->elect_ev);
	if (ms <= 0)
		return;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(q->elect_ev, &tv);
}

static void
quorum_e_timer_cb(int fd, short what, void *arg)
{
	struct quorum	*q = arg;

	(void)fd;
	(void)what;
	election_timeout(&q->e);
	quorum_flush(q);
}

static void
quorum_e_decided(void *arg, int state, const struct vote *v,
    const int64_t *acks, size_t nacks)
{
	struct quorum	*q = arg;

	(void)acks;
	(void)nacks;
	q->state = state;
	q->leader = v->leader;
	log_info("quorum: %s, leader %lld", election_state_name(state),
	    (long long)v->leader);
	if (state == PEER_LEADING) {
		if (quorum_listen(q) == -1) {
			quorum_look(q);
			return;
		}
		zab_lead(&q->z);
	} else {
		zab_follow(&q->z, v->leader, state == PEER_OBSERVING);
		q->dial_ms = QUORUM_DIAL_FIRST_MS;
		quorum_dial(q);
	}
	quorum_changed(q);
}

static int
quorum_e_reachable(void *arg, int64_t sid)
{
	struct quorum	*q = arg;

	return qcnx_reachable(&q->qc, sid);
}

static void
quorum_e_gone(void *arg, int64_t sid)
{
	struct quorum	*q = arg;

	(void)sid;
	election_unreachable(&q->e);
}

static void
quorum_e_recv(void *arg, int64_t from, const uint8_t *buf, size_t len)
{
	struct quorum	*q = arg;
	struct vote	 v;

	if (election_get_vote(buf, len, &v) == -1) {
		log_warnx("quorum: server %lld sent a malformed notification",
		    (long long)from);
		return;
	}
	election_recv(&q->e, from, &v);
}

/* ---- ZAB's side ---- */

/* A SNAP as ZooKeeper sends it: no data, then the body, the signature. */
static void
quorum_put_snap(struct jute_out *o, const struct qpacket *p)
{
	struct qpacket	 head = *p;
	const uint8_t	*body;
	size_t		 len;

	if (p->data == NULL || (body = snapwire_body(p->data,
	    (size_t)p->data_len, &len)) == NULL)
		fatalx("quorum: the snapshot for a learner is not a file");
	head.data = NULL;
	head.data_len = -1;
	qproto_put_qpacket(o, &head);
	jute_put_raw(o, body, len);
	jute_put_string(o, SNAPWIRE_SIGNATURE);
}

static void
quorum_z_send(void *arg, int64_t cid, const struct qpacket *p)
{
	struct quorum		*q = arg;
	struct quorum_link	*l = quorum_link_by_cid(q, cid);
	struct jute_out		 o;

	if (l == NULL)
		return;
	jute_out_init(&o);
	if (p->type == QP_SNAP)
		quorum_put_snap(&o, p);
	else
		qproto_put_qpacket(&o, p);
	fault_link_write(&l->fl, o.buf, o.len);
	jute_out_free(&o);
}

/* A packet of ours on connection cid (the leader's, for a learner). */
void
quorum_send(struct quorum *q, int64_t cid, const struct qpacket *p)
{
	quorum_z_send(q, cid, p);
}

/*
 * Writes each peer connection's queued output now, as far as the socket
 * takes it without blocking; the rest leaves as usual.  Bytes the fault
 * layer holds back are not in these buffers.  Called before a sync
 * (zab_io.push) and at the end of each loop turn (ensemble_flush), so
 * that what a turn made does not wait for another epoll_wait.
 */
void
quorum_push(struct quorum *q)
{
	struct quorum_link	*l;
	struct evbuffer		*out;

	TAILQ_FOREACH(l, &q->links, entry) {
		if (l->cid == 0 || l->bev == NULL)
			continue;
		out = bufferevent_get_output(l->bev);
		if (evbuffer_get_length(out) == 0)
			continue;
		/*
		 * A bufferevent keeps the start of its output frozen (only
		 * its own write callback drains it): without the thaw,
		 * evbuffer_write fails and nothing leaves early.
		 */
		evbuffer_unfreeze(out, 1);
		(void)evbuffer_write(out, bufferevent_getfd(l->bev));
		evbuffer_freeze(out, 1);
	}
}

static void
quorum_z_push(void *arg)
{
	quorum_push(arg);
}

static void
quorum_z_other(void *arg, int64_t cid, const struct qpacket *p)
{
	struct quorum	*q = arg;

	if (q->other != NULL)
		q->other(q->arg, cid, p);
}

static void
quorum_z_ping_data(void *arg, struct jute_out *o)
{
	struct quorum	*q = arg;

	if (q->ping_data != NULL)
		q->ping_data(q->arg, o);
}

static void
quorum_z_acked(void *arg, int64_t sid, int64_t zxid, const uint8_t *data,
    size_t len)
{
	struct quorum	*q = arg;

	if (q->acked != NULL)
		q->acked(q->arg, sid, zxid, data, len);
}

static void
quorum_z_drop(void *arg, int64_t cid)
{
	struct quorum_link	*l = quorum_link_by_cid(arg, cid);

	if (l != NULL)
		quorum_link_kill(l);
}

static void
quorum_z_lost(void *arg, const char *why)
{
	struct quorum	*q = arg;

	log_info("quorum: %s; looking for a leader", why);
	quorum_look(q);
}

static void
quorum_z_phase(void *arg, int phase, int sync)
{
	struct quorum	*q = arg;

	(void)sync;
	if (phase == ZAB_BROADCAST)
		election_settle(&q->e, q->z.role == ZAB_LEADER ? q->sid :
		    q->z.leader, q->z.epoch, q->z.st.last_logged(q->z.st.arg));
	quorum_changed(q);
}

/* ---- the role cycle ---- */

static const struct quorum_member *
quorum_member(const struct quorum *q, int64_t sid)
{
	size_t	 i;

	for (i = 0; i < q->nmembers; i++)
		if (q->members[i].sid == sid)
			return &q->members[i];
	return NULL;
}

static void
quorum_changed(struct quorum *q)
{
	if (q->changed != NULL)
		q->changed(q->arg, q);
}

/* Back to the election: the quorum port and its connections go. */
static void
quorum_look(struct quorum *q)
{
	struct quorum_link *l;

	zab_stop(&q->z);
	quorum_unlisten(q);
	TAILQ_FOREACH(l, &q->links, entry)
		quorum_link_kill(l);
	evtimer_del(q->dial_ev);
	q->state = PEER_LOOKING;
	q->leader = -1;
	election_look(&q->e, q->z.st.last_logged(q->z.st.arg),
	    q->z.st.current_epoch(q->z.st.arg));
	quorum_changed(q);
}

static void
quorum_tick_cb(int fd, short what, void *arg)
{
	struct quorum	*q = arg;

	(void)fd;
	(void)what;
	zab_tick(&q->z);
	quorum_flush(q);
}

/* End of a loop turn: the cores' sync and acks, then dead links go. */
void
quorum_flush(struct quorum *q)
{
	struct quorum_link *l, *next;

	zab_flush(&q->z);
	for (l = TAILQ_FIRST(&q->links); l != NULL; l = next) {
		next = TAILQ_NEXT(l, entry);
		if (l->cid != 0)
			continue;
		TAILQ_REMOVE(&q->links, l, entry);
		quorum_snapin_free(l);
		fault_link_release(&l->fl);
		bufferevent_free(l->bev);
		free(l);
	}
}

/* ---- quorum port connections ---- */

static struct quorum_link *
quorum_link_by_cid(struct quorum *q, int64_t cid)
{
	struct quorum_link *l;

	TAILQ_FOREACH(l, &q->links, entry)
		if (l->cid == cid)
			return l;
	return NULL;
}

/*
 * A leader learns who dialed it from the learner's first packet: from
 * then on the fault layer applies that peer's rule.  Returns -1 if the
 * peer is dropped now (the packet is not to be read yet), else 0.
 */
static int
quorum_identify(struct quorum_link *l, const struct qpacket *p)
{
	struct learner_info	 li;

	if (l->fl.sid >= 0 || (p->type != QP_FOLLOWERINFO &&
	    p->type != QP_OBSERVERINFO) || p->data == NULL ||
	    qproto_get_learner_info(p->data, (size_t)p->data_len, &li) == -1)
		return 0;
	if (quorum_member(l->q, li.sid) == NULL || li.sid == l->q->sid)
		return 0;
	fault_link_identify(&l->fl, li.sid);
	return fault_link_holding(&l->fl) ? -1 : 0;
}

static void
quorum_snapin_free(struct quorum_link *l)
{
	if (l->snapin != NULL) {
		free(l->snapin->buf);
		free(l->snapin);
		l->snapin = NULL;
	}
}

/*
 * Takes what arrived of a SNAP's body.  Returns 1 once the body and its
 * signature are in and the core has the snapshot (bytes past them are
 * back in the input), 0 while more is to come, -1 if the stream cannot
 * be a snapshot.
 */
static int
quorum_snap_read(struct quorum_link *l, struct evbuffer *in)
{
	struct quorum_snapin	*si = l->snapin;
	struct qpacket		 p;
	uint8_t			*file;
	size_t			 n = evbuffer_get_length(in), flen;
	int			 rv;

	if (n > 0) {
		if (si->cap - si->len < n) {
			si->cap = si->cap * 2 > si->len + n ? si->cap * 2 :
			    si->len + n;
			si->buf = xreallocarray(si->buf, si->cap, 1);
		}
		if (evbuffer_remove(in, si->buf + si->len, n) != (int)n)
			fatalx("evbuffer_remove");
		si->len += n;
	}
	if ((rv = snapwire_scan(&si->scan, si->buf, si->len)) != 1)
		return rv;
	if (si->scan.off < si->len && evbuffer_prepend(in, si->buf +
	    si->scan.off, si->len - si->scan.off) == -1)
		fatalx("evbuffer_prepend");
	file = snapwire_file(si->buf, si->scan.body_len, &flen);
	if (flen > INT32_MAX) {
		free(file);
		return -1;
	}
	memset(&p, 0, sizeof(p));
	p.type = QP_SNAP;
	p.zxid = si->zxid;
	p.data = file;
	p.data_len = (int32_t)flen;
	log_info("quorum: a snapshot of %zu bytes at 0x%llx came in",
	    si->scan.body_len, (unsigned long long)si->zxid);
	quorum_snapin_free(l);
	zab_recv(&l->q->z, l->cid, &p);
	free(file);
	return 1;
}

static void
quorum_read_cb(struct bufferevent *bev, void *arg)
{
	struct quorum_link	*l = arg;
	struct quorum		*q = l->q;
	struct evbuffer		*in = bufferevent_get_input(bev);
	struct qpacket		 p;
	const uint8_t		*buf;
	size_t			 len, used;
	int			 rv;

	while (l->cid != 0 && !fault_link_holding(&l->fl)) {
		if (l->snapin != NULL) {
			if ((rv = quorum_snap_read(l, in)) == 1)
				continue;
			if (rv == -1) {
				log_warnx("quorum: the leader's snapshot is "
				    "malformed; connection closed");
				zab_closed(&q->z, l->cid);
				quorum_link_kill(l);
			}
			break;
		}
		if ((len = evbuffer_get_length(in)) == 0)
			break;
		buf = evbuffer_pullup(in, -1);
		rv = qproto_get_qpacket(buf, len, q->max_packet, &p, &used);
		if (rv == 1)
			break;
		if (rv == -1) {
			log_warnx("quorum: a malformed packet; connection "
			    "closed");
			zab_closed(&q->z, l->cid);
			quorum_link_kill(l);
			break;
		}
		if (quorum_identify(l, &p) == -1) {
			/* A dropped peer: its bytes wait for the heal. */
			qproto_qpacket_free(&p);
			break;
		}
		if (p.type == QP_SNAP && l->to_leader) {
			/* The body follows the packet (snapwire.h). */
			l->snapin = xcalloc(1, sizeof(*l->snapin));
			snapwire_scan_init(&l->snapin->scan, q->max_packet);
			l->snapin->zxid = p.zxid;
			qproto_qpacket_free(&p);
			evbuffer_drain(in, used);
			continue;
		}
		zab_recv(&q->z, l->cid, &p);
		qproto_qpacket_free(&p);
		evbuffer_drain(in, used);
	}
	quorum_flush(q);
}

static void
quorum_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct quorum_link	*l = arg;
	struct quorum		*q = l->q;
	int			 one = 1;
	int64_t			 cid = l->cid;

	if (what & BEV_EVENT_CONNECTED) {
		setsockopt(bufferevent_getfd(bev), IPPROTO_TCP, TCP_NODELAY,
		    &one, sizeof(one));
		bufferevent_set_timeouts(bev, NULL, NULL);
		zab_connected(&q->z, cid);
		if (q->z.leader_cid != cid)
			quorum_link_kill(l);
		quorum_flush(q);
		return;
	}
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT)) {
		if (cid == 0)
			return;
		quorum_link_kill(l);
		zab_closed(&q->z, cid);
		/* A failed dial: try again while we still follow. */
		if (l->to_leader && q->z.role != ZAB_NONE &&
		    q->z.role != ZAB_LEADER && q->z.leader_cid == 0)
			quorum_redial(q);
		quorum_flush(q);
	}
}

static struct quorum_link *
quorum_link_new(struct quorum *q, int fd)
{
	struct quorum_link *l;

	l = xcalloc(1, sizeof(*l));
	l->q = q;
	l->cid = ++q->next_cid;
	l->bev = bufferevent_socket_new(q->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (l->bev == NULL)
		fatalx("bufferevent_socket_new");
	bufferevent_setcb(l->bev, quorum_read_cb, NULL, quorum_event_cb, l);
	fault_link_init(&l->fl, &q->fault, l->bev, -1, quorum_read_cb, l);
	TAILQ_INSERT_TAIL(&q->links, l, entry);
	return l;
}

/* Marks a connection gone; quorum_flush frees it. */
static void
quorum_link_kill(struct quorum_link *l)
{
	if (l->cid == 0)
		return;
	l->cid = 0;
	fault_link_disable(&l->fl, EV_READ | EV_WRITE);
	bufferevent_setcb(l->bev, NULL, NULL, NULL, NULL);
}

static void
quorum_accept_cb(struct evconnlistener *lis, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct quorum		*q = arg;
	struct quorum_link	*l;
	int			 one = 1;

	(void)lis;
	(void)sa;
	(void)salen;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	l = quorum_link_new(q, fd);
	fault_link_enable(&l->fl, EV_READ | EV_WRITE);
	zab_connected(&q->z, l->cid);
}

/* Only the leader listens on its quorum port (as in ZooKeeper). */
static int
quorum_listen(struct quorum *q)
{
	const struct quorum_member *m = quorum_member(q, q->sid);
	char		*why;
	int		 fd;

	if (q->listener != NULL)
		return 0;
	if ((fd = util_listen(m->host, m->quorum_port, 64, &why)) == -1) {
		log_warnx("quorum port: %s", why);
		free(why);
		return -1;
	}
	q->listener = evconnlistener_new(q->base, quorum_accept_cb, q,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, fd);
	if (q->listener == NULL)
		fatalx("evconnlistener_new");
	return 0;
}

static void
quorum_unlisten(struct quorum *q)
{
	if (q->listener != NULL) {
		evconnlistener_free(q->listener);
		q->listener = NULL;
	}
}

/* A learner dials its leader's quorum port. */
static void
quorum_dial(struct quorum *q)
{
	const struct quorum_member *m = quorum_member(q, q->z.leader);
	struct quorum_link *l;
	struct timeval	 tv = { 5, 0 };

	if (m == NULL || q->z.role == ZAB_NONE || q->z.role == ZAB_LEADER ||
	    q->z.leader_cid != 0)
		return;
	l = quorum_link_new(q, -1);
	l->to_leader = 1;
	fault_link_identify(&l->fl, m->sid);
	bufferevent_set_timeouts(l->bev, NULL, &tv);
	fault_link_enable(&l->fl, EV_READ | EV_WRITE);
	if (bufferevent_socket_connect_hostname(l->bev, NULL, AF_UNSPEC,
	    m->host, m->quorum_port) == -1) {
		quorum_link_kill(l);
		quorum_redial(q);
	}
}

/* The next dial, a little later each time. */
static void
quorum_redial(struct quorum *q)
{
	struct timeval	 tv;

	if (q->dial_ms < QUORUM_DIAL_FIRST_MS)
		q->dial_ms = QUORUM_DIAL_FIRST_MS;
	tv.tv_sec = 0;
	tv.tv_usec = q->dial_ms * 1000;
	evtimer_add(q->dial_ev, &tv);
	q->dial_ms = q->dial_ms * 2 > QUORUM_DIAL_MS ? QUORUM_DIAL_MS :
	    q->dial_ms * 2;
}

static void
quorum_dial_cb(int fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	quorum_dial(arg);
	quorum_flush(arg);
}

/* ---- setting up ---- */

/*
 * Returns 0, or with *cause: -2 if the election port cannot be listened
 * on, -1 for anything else (the configuration).
 */
int
quorum_open(struct quorum *q, struct event_base *base,
    const struct quorum_config *c, const struct zab_store *st,
    void (*changed)(void *, const struct quorum *), void *arg, char **cause)
{
	struct qcnx_peer_addr	*addrs;
	struct election_config	 ec;
	struct election_io	 eio;
	struct zab_config	 zc;
	struct zab_io		 zio;
	int64_t			 voters[ELECTION_MAX_PEERS];
	int64_t			*peers;
	struct timeval		 tv;
	size_t			 i, nv = 0, np = 0;
	int			 rv;

	memset(q, 0, sizeof(*q));
	TAILQ_INIT(&q->links);
	q->base = base;
	q->sid = c->sid;
	q->tick = c->tick > 0 ? c->tick : 2000;
	q->max_packet = QUORUM_MAX_PACKET;
	q->changed = changed;
	q->other = c->other;
	q->ping_data = c->ping_data;
	q->acked = c->acked;
	q->arg = arg;
	q->leader = -1;
	q->members = xcalloc(c->nmembers, sizeof(*q->members));
	q->nmembers = c->nmembers;
	addrs = xcalloc(c->nmembers, sizeof(*addrs));
	peers = xcalloc(c->nmembers, sizeof(*peers));
	for (i = 0; i < c->nmembers; i++) {
		if (c->members[i].sid != c->sid)
			peers[np++] = c->members[i].sid;
		q->members[i] = c->members[i];
		q->members[i].host = xstrdup(c->members[i].host);
		addrs[i].sid = c->members[i].sid;
		addrs[i].host = c->members[i].host;
		addrs[i].port = c->members[i].election_port;
		if (c->members[i].observer) {
			if (c->members[i].sid == c->sid)
				q->observer = 1;
		} else if (nv < ELECTION_MAX_PEERS) {
			voters[nv++] = c->members[i].sid;
		}
	}
	fault_init(&q->fault, base, peers, np);
	free(peers);
	if ((rv = qcnx_open(&q->qc, base, &q->fault, c->sid, addrs,
	    c->nmembers, quorum_e_recv, q, cause)) != 0) {
		free(addrs);
		fault_free(&q->fault);
		return rv;
	}
	free(addrs);
	memset(&ec, 0, sizeof(ec));
	ec.sid = c->sid;
	ec.participant = !q->observer;
	ec.voters = voters;
	ec.nvoters = nv;
	ec.finalize_wait = c->finalize_wait;
	ec.min_interval = c->min_interval;
	ec.max_interval = c->max_interval > 0 ? c->max_interval : 60000;
	eio.arg = q;
	eio.send = quorum_e_send;
	eio.timer = quorum_e_timer;
	eio.decided = quorum_e_decided;
	eio.reachable = quorum_e_reachable;
	if (election_init(&q->e, &ec, &eio, st->last_logged(st->arg),
	    st->current_epoch(st->arg), cause) == -1)
		return -1;
	q->qc.gone = quorum_e_gone;
	memset(&zc, 0, sizeof(zc));
	zc.sid = c->sid;
	zc.voters = voters;
	zc.nvoters = nv;
	zc.init_limit = c->init_limit;
	zc.sync_limit = c->sync_limit;
	zc.tick_ms = q->tick;
	zio.arg = q;
	zio.send = quorum_z_send;
	zio.drop = quorum_z_drop;
	zio.lost = quorum_z_lost;
	zio.phase = quorum_z_phase;
	zio.other = quorum_z_other;
	zio.ping_data = quorum_z_ping_data;
	zio.acked = quorum_z_acked;
	zio.push = quorum_z_push;
	if (zab_init(&q->z, &zc, st, &zio, cause) == -1)
		return -1;
	q->elect_ev = evtimer_new(base, quorum_e_timer_cb, q);
	q->dial_ev = evtimer_new(base, quorum_dial_cb, q);
	q->tick_ev = event_new(base, -1, EV_PERSIST, quorum_tick_cb, q);
	tv.tv_sec = (q->tick / 2) / 1000;
	tv.tv_usec = ((q->tick / 2) % 1000) * 1000;
	evtimer_add(q->tick_ev, &tv);
	q->state = PEER_LOOKING;
	election_look(&q->e, st->last_logged(st->arg),
	    st->current_epoch(st->arg));
	quorum_changed(q);
	return 0;
}

void
quorum_close(struct quorum *q)
{
	struct quorum_link *l;
	size_t		 i;

	zab_stop(&q->z);
	quorum_unlisten(q);
	TAILQ_FOREACH(l, &q->links, entry)
		quorum_link_kill(l);
	quorum_flush(q);
	qcnx_close(&q->qc);
	fault_free(&q->fault);
	event_free(q->elect_ev);
	event_free(q->dial_ev);
	event_free(q->tick_ev);
	for (i = 0; i < q->nmembers; i++)
		free((char *)(uintptr_t)q->members[i].host);
	free(q->members);
}
