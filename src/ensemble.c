/* SPDX-License-Identifier: ISC */
/*
 * ensemble.c: zkd in quorum mode.
 *
 * Roles.  quorum.c runs the election and ZAB; every change of state or
 * phase comes here (ens_changed).  The server serves clients only while
 * its role is in broadcast: before that a connect request is closed and
 * the four letter words say "not currently serving", as ZooKeeper does.
 * Leaving broadcast (a lost leader, a lost quorum, a new election) closes
 * every client connection and forgets every request waiting: the
 * clients reconnect, to this server or another, and their sessions live
 * on, for sessions belong to the ensemble.
 *
 * Writes.  A leader prepares a request (prep.c, against the tree as it
 * will be once every proposal in flight applies), proposes its txn (ZAB)
 * and lets the commit stage (commit.c) hold the request until the txn
 * commits: then the final stage applies it and answers.  A follower or
 * observer sends every write (and createSession, closeSession) to the
 * leader as a REQUEST packet (session id, cxid, type, the request's
 * bytes, the client's auth ids) and holds it the same way until the
 * leader's COMMIT (INFORM, for an observer) of the txn with that session
 * and cxid.  Every other committed txn is applied with nobody to answer.
 * Reads are served by the tree of the server the client is on, in order
 * behind that server's earlier requests.
 *
 * sync.  A learner forwards it; the leader answers SYNC once everything
 * it proposed before has committed (and so after the COMMITs of it on
 * the same connection); the learner then answers its client.  A leader's
 * own client's sync waits in the commit stage for the same condition.
 *
 * Sessions.  createSession and closeSession are txns through the leader,
 * so every server knows every session.  Only the leader expires them: a
 * learner lists the sessions its clients touched in each PING reply and
 * the leader touches them; a new leader gives every session a whole
 * timeout from its start.  A client reconnecting to a learner with an
 * existing session is let in only once the leader says the session is
 * alive (REVALIDATE), as ZooKeeper's learners do.
 *
 * The log.  With forceSync on, the log's fdatasync runs on a thread of
 * its own (bgsync.c): the loop writes what it appended, starts the sync
 * and goes on taking packets and requests; ens_synced hands the end of
 * the sync to ZAB, whose ACKs it makes true (zab.c).
 *
 * Invariants checked: the zxid the leader's prep gives a txn is the one
 * ZAB proposes it under (fatal otherwise); see commit.c and qstore.c for
 * theirs.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <event2/event.h>

#include "conf.h"
#include "ensemble.h"
#include "jute.h"
#include "log.h"
#include "proto.h"
#include "qproto.h"
#include "report.h"
#include "session.h"
#include "spin.h"
#include "tree.h"
#include "txn.h"
#include "util.h"
#include "xmalloc.h"
#include "zkd.h"

static struct ensemble	*ens;

static void	 ens_changed(void *, const struct quorum *);
static void	 ens_other(void *, int64_t, const struct qpacket *);
static void	 ens_ping_data(void *, struct jute_out *);
static void	 ens_acked(void *, int64_t, int64_t, const uint8_t *, size_t);

static int64_t
ens_applied(void *arg)
{
	(void)arg;
	return zkd->tree->last_zxid;
}

/* qstore's apply hook: a committed txn, in order. */
static void
ens_apply(void *arg, struct txn *t)
{
	const struct zab	*z = &ens->q.z;
	int64_t			 ms;

	(void)arg;
	/* Our own proposals of this epoch, as they commit. */
	if (z->role == ZAB_LEADER && z->phase == ZAB_BROADCAST &&
	    ZAB_EPOCH(t->zxid) == z->epoch &&
	    (ms = util_wall_ms() - t->time) >= 0)
		summary_add(&ens->quorum_ack_latency, ms);
	commit_apply(&zkd->commit, t);
}

/*
 * ZAB: server sid acked our proposal zxid (data: its txn, whose header
 * has the time at offset 20: clientId, cxid, zxid, then time).
 */
static void
ens_acked(void *arg, int64_t sid, int64_t zxid, const uint8_t *data,
    size_t len)
{
	size_t	 i;
	int64_t	 ms;

	(void)arg;
	if (zxid % ENS_ACK_SAMPLE != 0 || len < 28)
		return;
	/* A clock stepped back gives no sample, as in ZooKeeper. */
	if ((ms = util_wall_ms() - (int64_t)jute_be64(data + 20)) < 0)
		return;
	for (i = 0; i < ens->nmembers; i++)
		if (ens->members[i].sid == sid) {
			summary_add(&ens->ack_latency[i], ms);
			ens->ack_seen[i] = 1;
		}
}

/*
 * /zookeeper/config holds the membership, as ZooKeeper's QuorumVerifier
 * prints it: one server.N=host:quorum:election:role[;addr:port] line per
 * member by sid (the client part only when the server line gave one),
 * then version=HEX, the configuration's version (0: a static one).  No
 * txn writes it: each server sets it whenever its tree is (re)built, with
 * version -1, mzxid the configuration's version and its own clock, as
 * ZKDatabase.initConfigInZKDatabase does.
 */
static void
ens_config_node(void)
{
	const struct zkd_conf	*cf = zkd->conf;
	const struct conf_server *sv;
	struct jute_out		 o;
	char			 line[800];
	int			 i, n, v6;

	jute_out_init(&o);
	for (i = 0; i < cf->nservers; i++) {
		sv = &cf->servers[i];
		v6 = strchr(sv->host, ':') != NULL;
		n = snprintf(line, sizeof(line), "server.%lld=%s%s%s:%d:%d:%s",
		    (long long)sv->sid, v6 ? "[" : "", sv->host, v6 ? "]" : "",
		    sv->quorum_port, sv->election_port, sv->observer ?
		    "observer" : "participant");
		if (sv->client_port != 0) {
			v6 = strchr(sv->client_addr, ':') != NULL;
			n += snprintf(line + n, sizeof(line) - (size_t)n,
			    ";%s%s%s:%d", v6 ? "[" : "", sv->client_addr[0] ?
			    sv->client_addr : "0.0.0.0", v6 ? "]" : "",
			    sv->client_port);
		}
		jute_put_raw(&o, line, strlen(line));
		jute_put_raw(&o, "\n", 1);
	}
	jute_put_raw(&o, "version=0", 9);
	if (tree_set_data(zkd->tree, "/zookeeper/config", o.buf,
	    (int32_t)o.len, -1, 0, util_wall_ms(), NULL) != ZERR_OK)
		fatalx("no /zookeeper/config in the tree");
	jute_out_free(&o);
}

/* qstore's rewound hook: TRUNC or SNAP rebuilt the tree. */
static void
ens_rewound(void *arg)
{
	(void)arg;
	zkd_tree_changed();
	ens_config_node();
}

/*
 * The log's sync in the background ended (bgsync.c): the acks it makes
 * true go (zab_synced); the next sync starts at the end of the turn.
 */
static void
ens_synced(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	bgsync_poll(&ens->bg);
	if (bgsync_take(&ens->bg))
		zab_synced(&ens->q.z);
}

/*
 * Joins the ensemble: the store over the database, then the election
 * port.  Returns 0, or an exit status (sysexits) with *cause: EX_DATAERR
 * for a bad epoch file, EX_UNAVAILABLE for an election port that cannot
 * be listened on, EX_CONFIG for the rest.
 */
int
ensemble_open(const struct zkd_conf *cf, char **cause)
{
	struct quorum_config	 qc;
	struct zab_store	 st;
	size_t			 i;

	ens = xcalloc(1, sizeof(*ens));
	zkd->ens = ens;
	ens->members = xcalloc((size_t)cf->nservers, sizeof(*ens->members));
	for (i = 0; i < (size_t)cf->nservers; i++) {
		ens->members[i].sid = cf->servers[i].sid;
		ens->members[i].host = cf->servers[i].host;
		ens->members[i].quorum_port = cf->servers[i].quorum_port;
		ens->members[i].election_port = cf->servers[i].election_port;
		ens->members[i].observer = cf->servers[i].observer;
	}
	ens->nmembers = (size_t)cf->nservers;
	summary_init(&ens->quorum_ack_latency, 1);
	ens->ack_latency = xcalloc(ens->nmembers, sizeof(*ens->ack_latency));
	ens->ack_seen = xcalloc(ens->nmembers, sizeof(*ens->ack_seen));
	for (i = 0; i < ens->nmembers; i++)
		summary_init(&ens->ack_latency[i], 1);
	/* Nothing yet: the first LOOKING is reported (and counted) too. */
	ens->state = -1;
	ens->phase = -1;
	ens->leader = -1;
	commit_init(&zkd->commit, final_request, ens_applied, &zkd->final);
	if (qstore_open(&ens->qs, &zkd->db, ens_apply, ens_rewound, NULL,
	    cause) == -1)
		return EX_DATAERR;
	ens_config_node();
	if (cf->force_sync) {
		if (bgsync_init(&ens->bg, &zkd->db.fsync_time) == -1) {
			xasprintf(cause, "cannot start the log's sync "
			    "thread: %s", strerror(errno));
			return EX_OSERR;
		}
		ens->bg_ev = event_new(zkd->base, bgsync_fd(&ens->bg),
		    EV_READ | EV_PERSIST, ens_synced, NULL);
		if (ens->bg_ev == NULL || event_add(ens->bg_ev, NULL) == -1)
			fatalx("event_new");
		db_sync_in_background(&zkd->db, &ens->bg);
	}
	qstore_hooks(&ens->qs, &st);
	memset(&qc, 0, sizeof(qc));
	qc.sid = cf->sid;
	qc.members = ens->members;
	qc.nmembers = ens->nmembers;
	qc.tick = cf->tick_time;
	qc.init_limit = cf->init_limit;
	qc.sync_limit = cf->sync_limit;
	qc.finalize_wait = cf->finalize_wait;
	qc.min_interval = cf->min_notification_interval;
	qc.max_interval = cf->max_notification_interval;
	qc.other = ens_other;
	qc.ping_data = ens_ping_data;
	qc.acked = ens_acked;
	switch (quorum_open(&ens->q, zkd->base, &qc, &st, ens_changed, NULL,
	    cause)) {
	case 0:
		return 0;
	case -2:
		return EX_UNAVAILABLE;
	default:
		return EX_CONFIG;
	}
}

void
ensemble_close(void)
{
	size_t	 i;

	if (ens == NULL)
		return;
	quorum_close(&ens->q);
	commit_drop_all(&zkd->commit);
	qstore_close(&ens->qs);
	if (ens->bg_ev != NULL) {
		event_free(ens->bg_ev);
		/* What the log still holds is synced by db_close. */
		bgsync_free(&ens->bg);
		db_sync_in_background(&zkd->db, NULL);
	}
	summary_free(&ens->quorum_ack_latency);
	for (i = 0; i < ens->nmembers; i++)
		summary_free(&ens->ack_latency[i]);
	free(ens->ack_latency);
	free(ens->ack_seen);
	free(ens->members);
	free(ens->syncs);
	free(ens->revals);
	free(ens);
	ens = NULL;
	zkd->ens = NULL;
}

int
ensemble_leading(void)
{
	return ens != NULL && ens->q.z.role == ZAB_LEADER;
}

/* "leading - broadcast", as mntr's zk_peer_state. */
const char *
ensemble_peer_state(char *buf, size_t len)
{
	const char	*s;

	switch (ens->state) {
	case PEER_LEADING:
		s = "leading";
		break;
	case PEER_FOLLOWING:
		s = "following";
		break;
	case PEER_OBSERVING:
		s = "observing";
		break;
	default:
		s = "looking";
		break;
	}
	snprintf(buf, len, "%s - %s", s, zab_phase_name(ens->q.z.phase));
	return buf;
}

static enum report_state
ens_report_state(int state)
{
	switch (state) {
	case PEER_LEADING:
		return REPORT_LEADING;
	case PEER_FOLLOWING:
		return REPORT_FOLLOWING;
	case PEER_OBSERVING:
		return REPORT_OBSERVING;
	default:
		return REPORT_LOOKING;
	}
}

static const char *
ens_sync_name(int mode)
{
	switch (mode) {
	case ZAB_SYNC_DIFF:
		return "DIFF";
	case ZAB_SYNC_TRUNC:
		return "TRUNC";
	case ZAB_SYNC_SNAP:
		return "SNAP";
	default:
		return "NONE";
	}
}

/* Broadcast begins: clients are welcome (at a leader, if leaderServes). */
static void
ens_serve(void)
{
	const struct zab *z = &ens->q.z;

	ens->serving = 1;
	ens->serving_since = util_now_ms();
	zkd->sessions.track_touches = z->role != ZAB_LEADER;
	if (z->role == ZAB_LEADER) {
		zkd->mode = "leader";
		/* prep numbers txns as ZAB will propose them. */
		zkd_reset_prep(ZAB_ZXID(z->epoch, 0));
		session_reopen_all(&zkd->sessions, util_now_ms());
	} else {
		zkd->mode = z->role == ZAB_OBSERVER ? "observer" : "follower";
		zkd_reset_prep(zkd->tree->last_zxid);
		log_info("synced with leader %lld by %s, at 0x%llx",
		    (long long)z->leader, ens_sync_name(z->sync_mode),
		    (unsigned long long)zkd->tree->last_zxid);
	}
	if (z->role == ZAB_LEADER && !zkd->conf->leader_serves) {
		/* leaderServes=no: learners only, as in ZooKeeper. */
		log_info("leading in epoch %lld; clients go to the others "
		    "(leaderServes=no)", (long long)z->epoch);
		return;
	}
	zkd->serving = 1;
	log_info("serving clients as %s in epoch %lld", zkd->mode,
	    (long long)z->epoch);
	report_ready(zkd->conf->client_port);
}

/* Broadcast ended: clients go, waiting requests are forgotten. */
static void
ens_unserve(void)
{
	ens->serving = 0;
	zkd->serving = 0;
	zkd->mode = "none";
	/* Those waiting for a REVALIDATE too (conn_close forgets them). */
	conn_close_clients("the server left broadcast");
	ens->nrevals = 0;
	commit_drop_all(&zkd->commit);
	ens->nsyncs = 0;
	zkd_reset_prep(zkd->tree->last_zxid);
	zkd->sessions.track_touches = 0;
	log_info("not serving clients: %s", ens->state == PEER_LOOKING ?
	    "looking for a leader" : "syncing with the leader");
}

static void
ens_changed(void *arg, const struct quorum *q)
{
	int	 serving;

	(void)arg;
	serving = q->z.role != ZAB_NONE && q->z.phase == ZAB_BROADCAST;
	if (ens->serving && !serving) {
		ens->state = q->state;
		ens_unserve();
	}
	if (q->state != ens->state || q->leader != ens->leader) {
		ens->state = q->state;
		ens->leader = q->leader;
		if (q->state == PEER_LOOKING)
			ens->elections++;
		report_state(ens_report_state(q->state), q->state ==
		    PEER_LOOKING ? 0 : q->leader, ens->qs.current_epoch,
		    zkd->tree->last_zxid);
	}
	if (q->z.phase != ens->phase) {
		ens->phase = q->z.phase;
		report_phase(zab_phase_name(q->z.phase), q->z.epoch,
		    q->z.role != ZAB_LEADER && q->z.phase == ZAB_BROADCAST ?
		    ens_sync_name(q->z.sync_mode) : NULL);
	}
	if (!ens->serving && serving)
		ens_serve();
}

/* ---- requests ---- */

/* A leader proposes a prepared write; -1 if it no longer can. */
static int
ens_propose(struct request *r)
{
	struct jute_out	 o;
	int64_t		 zxid;

	jute_out_init(&o);
	qproto_put_txn(&o, r->txn);
	zxid = zab_propose(&ens->q.z, o.buf, o.len);
	jute_out_free(&o);
	if (zxid == -1)
		return -1;
	if (zxid != r->txn->zxid)
		fatalx("txn prepared as 0x%llx proposed as 0x%llx",
		    (unsigned long long)r->txn->zxid,
		    (unsigned long long)zxid);
	return 0;
}

/* A learner sends a write (or sync) of its client to the leader. */
static void
ens_forward(struct request *r)
{
	struct qpacket	 p;
	struct jute_out	 o;

	jute_out_init(&o);
	jute_put_long(&o, r->session_id);
	jute_put_int(&o, r->xid);
	jute_put_int(&o, r->type);
	if (r->type == ZOP_CREATESESSION)
		jute_put_int(&o, r->timeout);
	else if (r->frame != NULL && r->frame_len > 8)
		jute_put_raw(&o, r->frame + 8, r->frame_len - 8);
	memset(&p, 0, sizeof(p));
	p.type = QP_REQUEST;
	p.zxid = -1;
	p.data = o.buf;
	p.data_len = (int32_t)o.len;
	if (r->client != NULL && r->client->ids.n > 0) {
		p.auth = r->client->ids.v;
		p.nauth = r->client->ids.n;
	}
	quorum_send(&ens->q, ens->q.z.leader_cid, &p);
	jute_out_free(&o);
	r->forwarded = 1;
}

/* zkd_submit in quorum mode. */
void
ensemble_submit(struct request *r)
{
	struct zab	*z = &ens->q.z;

	if (!ens->serving) {
		request_free(r);
		return;
	}
	if (z->role != ZAB_LEADER) {
		if (r->type == ZOP_SYNC || proto_is_write(r->type))
			ens_forward(r);
		else
			prep_request(&zkd->prep, r, util_wall_ms(),
			    util_now_ms());
		commit_submit(&zkd->commit, r);
		return;
	}
	prep_request(&zkd->prep, r, util_wall_ms(), util_now_ms());
	if (r->txn != NULL) {
		if (ens_propose(r) == -1) {
			request_free(r);
			return;
		}
	} else if (r->type == ZOP_SYNC)
		r->wait_zxid = z->proposed;
	commit_submit(&zkd->commit, r);
}

/* A leader takes a learner's sync: SYNC back once all before committed. */
static void
ens_learner_sync(int64_t cid)
{
	struct zab	*z = &ens->q.z;
	struct qpacket	 p;

	if (z->committed >= z->proposed) {
		memset(&p, 0, sizeof(p));
		p.type = QP_SYNC;
		p.data_len = -1;
		quorum_send(&ens->q, cid, &p);
		return;
	}
	if (ens->nsyncs == ens->capsyncs) {
		ens->capsyncs = ens->capsyncs ? ens->capsyncs * 2 : 16;
		ens->syncs = xreallocarray(ens->syncs, ens->capsyncs,
		    sizeof(*ens->syncs));
	}
	ens->syncs[ens->nsyncs].cid = cid;
	ens->syncs[ens->nsyncs].zxid = z->proposed;
	ens->nsyncs++;
}

/* A REQUEST from a learner: prepared and proposed as our own. */
static void
ens_learner_request(int64_t cid, const struct qpacket *p)
{
	struct request	*r;
	const uint8_t	*body;
	size_t		 blen;
	int32_t		 type, i;

	if (!ens->serving || p->data == NULL || p->data_len < 16) {
		log_warnx("a learner's request too short (or not leading)");
		return;
	}
	type = (int32_t)jute_be32(p->data + 12);
	body = p->data + 16;
	blen = (size_t)p->data_len - 16;
	if (type == ZOP_SYNC) {
		ens_learner_sync(cid);
		return;
	}
	if (!proto_is_write(type)) {
		log_warnx("a learner forwarded a %s; ignored",
		    proto_op_name(type));
		return;
	}
	r = request_new(NULL, type);
	r->session_id = (int64_t)jute_be64(p->data);
	r->xid = (int32_t)jute_be32(p->data + 8);
	for (i = 0; i < p->nauth; i++)
		acl_ids_add(&r->ids, p->auth[i].scheme, p->auth[i].id);
	if (type == ZOP_CREATESESSION) {
		r->timeout = blen >= 4 ? (int32_t)jute_be32(body) : 0;
	} else if (type != ZOP_CLOSESESSION) {
		r->frame_len = blen + 8;
		r->frame = xmalloc(r->frame_len);
		memcpy(r->frame, p->data + 8, 8);	/* cxid, type */
		memcpy(r->frame + 8, body, blen);
		if (proto_decode_request(r->frame, r->frame_len,
		    (size_t)zkd->conf->jute_maxbuffer, &r->req) == -1) {
			log_warnx("a learner forwarded a malformed %s of "
			    "session 0x%llx; ignored", proto_op_name(type),
			    (unsigned long long)r->session_id);
			request_free(r);
			return;
		}
	}
	prep_request(&zkd->prep, r, util_wall_ms(), util_now_ms());
	if (r->txn != NULL)
		ens_propose(r);
	request_free(r);
}

static void
ens_revalidate_answer(int64_t cid, const struct qpacket *p)
{
	struct qpacket	 a;
	uint8_t		 buf[9];
	int64_t		 id;
	int		 valid;

	if (p->data == NULL || p->data_len < 12)
		return;
	id = (int64_t)jute_be64(p->data);
	valid = session_touch(&zkd->sessions, id, util_now_ms()) == 0;
	memcpy(buf, p->data, 8);
	buf[8] = (uint8_t)valid;
	memset(&a, 0, sizeof(a));
	a.type = QP_REVALIDATE;
	a.zxid = -1;
	a.data = buf;
	a.data_len = 9;
	quorum_send(&ens->q, cid, &a);
	log_debug("revalidated session 0x%llx for a learner: %s",
	    (unsigned long long)id, valid ? "valid" : "expired");
}

/* A learner's PING reply: the sessions its clients touched. */
static void
ens_touches(const struct qpacket *p)
{
	size_t	 off;
	int64_t	 now = util_now_ms();

	if (p->data == NULL)
		return;
	for (off = 0; off + 12 <= (size_t)p->data_len; off += 12)
		session_touch(&zkd->sessions, (int64_t)jute_be64(p->data +
		    off), now);
}

/* The leader's answer to a REVALIDATE of ours. */
static void
ens_revalidated(const struct qpacket *p)
{
	struct conn	*c;
	int64_t		 id;
	size_t		 i;

	if (p->data == NULL || p->data_len < 9)
		return;
	id = (int64_t)jute_be64(p->data);
	for (i = 0; i < ens->nrevals; i++) {
		if (ens->revals[i].session_id != id)
			continue;
		c = ens->revals[i].conn;
		ens->revals[i] = ens->revals[--ens->nrevals];
		conn_revalidated(c, p->data[8] != 0);
		return;
	}
}

static void
ens_other(void *arg, int64_t cid, const struct qpacket *p)
{
	(void)arg;
	if (ens->q.z.role == ZAB_LEADER) {
		switch (p->type) {
		case QP_REQUEST:
			ens_learner_request(cid, p);
			break;
		case QP_REVALIDATE:
			ens_revalidate_answer(cid, p);
			break;
		case QP_PING:
			ens_touches(p);
			break;
		}
		return;
	}
	switch (p->type) {
	case QP_SYNC:
		commit_synced(&zkd->commit);
		break;
	case QP_REVALIDATE:
		ens_revalidated(p);
		break;
	}
}

static void
ens_ping_data(void *arg, struct jute_out *o)
{
	struct session	*s;
	int64_t		*ids;
	size_t		 i, n;

	(void)arg;
	n = session_take_touched(&zkd->sessions, &ids);
	for (i = 0; i < n; i++) {
		if ((s = session_lookup(&zkd->sessions, ids[i])) == NULL)
			continue;
		jute_put_long(o, s->id);
		jute_put_int(o, s->timeout);
	}
}

/* A learner asks the leader whether a reconnecting session lives. */
/* The side door's prefer: sid wins election ties (election_prefer). */
int
ensemble_prefer(int64_t sid)
{
	if (sid != 0)
		log_info("election: server %lld wins ties of epoch and zxid",
		    (long long)sid);
	return election_prefer(&ens->q.e, sid);
}

/*
 * The side door's fault: the rule for the links with each of the n peers
 * in sids (each 1 or more; every peer if n is 0), as fault.h describes.
 * Nothing changes unless every sid is another member: returns the first
 * that is not, else 0.
 */
int64_t
ensemble_fault(const int64_t *sids, size_t n, enum fault_action a, int ms)
{
	struct fault	*f = &ens->q.fault;
	size_t		 i;

	for (i = 0; i < n; i++)
		if (fault_rule(f, sids[i]) == NULL)
			return sids[i];
	if (n == 0)
		for (i = 0; i < f->nrules; i++)
			fault_set(f, f->rules[i].sid, a, ms);
	for (i = 0; i < n; i++)
		fault_set(f, sids[i], a, ms);
	return 0;
}

void
ensemble_revalidate(struct conn *c)
{
	struct qpacket	 p;
	uint8_t		 buf[12];
	int64_t		 id = c->client.session_id;
	int		 i;

	for (i = 0; i < 8; i++)
		buf[i] = (uint8_t)((uint64_t)id >> (56 - 8 * i));
	for (i = 0; i < 4; i++)
		buf[8 + i] = (uint8_t)((uint32_t)c->client.timeout >>
		    (24 - 8 * i));
	if (ens->nrevals == ens->caprevals) {
		ens->caprevals = ens->caprevals ? ens->caprevals * 2 : 16;
		ens->revals = xreallocarray(ens->revals, ens->caprevals,
		    sizeof(*ens->revals));
	}
	ens->revals[ens->nrevals].conn = c;
	ens->revals[ens->nrevals].session_id = id;
	ens->nrevals++;
	memset(&p, 0, sizeof(p));
	p.type = QP_REVALIDATE;
	p.zxid = -1;
	p.data = buf;
	p.data_len = 12;
	quorum_send(&ens->q, ens->q.z.leader_cid, &p);
}

/* A connection is going: no answer for it is awaited any more. */
void
ensemble_forget(struct conn *c)
{
	size_t	 i;

	if (ens == NULL)
		return;
	for (i = 0; i < ens->nrevals; )
		if (ens->revals[i].conn == c)
			ens->revals[i] = ens->revals[--ens->nrevals];
		else
			i++;
}

/* Answers the learners' SYNCs whose zxid has committed. */
static void
ensemble_answer_syncs(void)
{
	struct qpacket	 p;
	size_t		 i;

	memset(&p, 0, sizeof(p));
	p.type = QP_SYNC;
	p.data_len = -1;
	for (i = 0; i < ens->nsyncs; ) {
		if (ens->syncs[i].zxid <= ens->q.z.committed) {
			quorum_send(&ens->q, ens->syncs[i].cid, &p);
			memmove(&ens->syncs[i], &ens->syncs[i + 1],
			    (ens->nsyncs - i - 1) * sizeof(*ens->syncs));
			ens->nsyncs--;
		} else
			i++;
	}
}

/*
 * Whether this server waits on one write and nothing else: at most one
 * txn logged and not committed, at most one client request queued, one
 * of them at least.  That is a single client writing; its proposal, ACK
 * or COMMIT comes back in tens of microseconds, sooner than a sleeping
 * CPU wakes, so the loop polls for it (spin.c).  Under load there are
 * many, and the CPU belongs to the servers doing the work.
 */
static int
ensemble_one_write(void)
{
	size_t	 logged = ens->qs.n, queued = zkd->commit.queued;

	return logged + queued > 0 && logged <= 1 && queued <= 1;
}

/*
 * End of a loop turn: the log's sync begun, or done and the acks sent
 * (quorum_flush; a sync in the background sends them from ens_synced),
 * then the learners' syncs whose proposals all committed; what this turn
 * made for the peers leaves now (quorum_push).
 */
void
ensemble_flush(void)
{
	quorum_flush(&ens->q);
	if (ens->nsyncs > 0)
		ensemble_answer_syncs();
	quorum_push(&ens->q);
	/* One write in flight, a single client: poll for what comes back. */
	if (ensemble_one_write())
		spin_note();
}
