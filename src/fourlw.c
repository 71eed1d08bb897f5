/* SPDX-License-Identifier: ISC */
/*
 * fourlw.c: the four-letter words (edges layer), byte for byte in the
 * formats of ZooKeeper 3.8's command/ classes: srvr, stat, cons, conf,
 * mntr, wchs, wchc, wchp, dump, envi, dirs, ruok, isro, crst, srst, gtmk,
 * stmk, hash.  A known word that is not whitelisted gets the refusal line;
 * a server that is not serving answers every word but ruok, envi, isro,
 * gtmk and stmk with the "not currently serving" line.
 */
#include <sys/resource.h>
#include <sys/utsname.h>

#include <sys/socket.h>

#include <dirent.h>
#include <netdb.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>

#include "conf.h"
#include "ensemble.h"
#include "log.h"
#include "mntr_keys.h"
#include "tree.h"
#include "util.h"
#include "xmalloc.h"
#include "zkd.h"

#define ZK_NOT_SERVING	"This ZooKeeper instance is not currently serving requests"

static const char *fourlw_words[] = {
	"conf", "cons", "crst", "dirs", "dump", "envi", "gtmk", "hash",
	"isro", "mntr", "ruok", "srst", "srvr", "stat", "stmk", "wchc",
	"wchp", "wchs"
};

static void printf_out(struct jute_out *, const char *, ...)
    __attribute__((__format__(printf, 2, 3)));

static void
printf_out(struct jute_out *o, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n == -1)
		fatal("vasprintf");
	jute_put_raw(o, s, (size_t)n);
	free(s);
}

/*
 * Whether the first four bytes of a connection spell a known word; *cmd
 * gets its name.  (A real first frame, a ConnectRequest, is 44 or 45 bytes
 * long, so it never looks like one.)
 */
int
fourlw_known(uint32_t v, const char **cmd)
{
	size_t	 i;
	uint32_t w;

	for (i = 0; i < sizeof(fourlw_words) / sizeof(fourlw_words[0]); i++) {
		w = jute_be32((const uint8_t *)fourlw_words[i]);
		if (w == v) {
			*cmd = fourlw_words[i];
			return 1;
		}
	}
	return 0;
}

static size_t
fourlw_live_conns(void)
{
	struct conn	*c;
	size_t		 n = 0;

	TAILQ_FOREACH(c, &zkd->conns, entry)
		n++;
	return n;
}

static size_t
fourlw_outstanding(void)
{
	struct conn	*c;
	size_t		 n = 0;

	TAILQ_FOREACH(c, &zkd->conns, entry)
		n += conn_outstanding(c);
	return n;
}

static void
fourlw_conn_line(struct jute_out *o, struct conn *c, int brief)
{
	char	 avg[32];

	printf_out(o, " %s[%s](queued=%zu,recved=%llu,sent=%llu", c->peer,
	    c->fourlw || c->paused || c->state != CONN_READY ? "0" : "1",
	    conn_outstanding(c), (unsigned long long)c->received,
	    (unsigned long long)c->sent);
	if (!brief && c->client.session_id != 0) {
		printf_out(o, ",sid=0x%llx,lop=%s,est=%lld,to=%d",
		    (unsigned long long)c->client.session_id, c->last_op,
		    (long long)c->established, c->client.timeout);
		if (c->last_cxid >= 0)
			printf_out(o, ",lcxid=0x%llx",
			    (unsigned long long)c->last_cxid);
		snprintf(avg, sizeof(avg), "%lld", c->latency.count == 0 ? 0 :
		    (long long)(c->latency.sum / c->latency.count));
		printf_out(o, ",lzxid=0x%llx,lresp=%lld,llat=%lld,minlat=%lld,"
		    "avglat=%s,maxlat=%lld", (unsigned long long)c->last_zxid,
		    (long long)c->last_resp, (long long)c->last_latency,
		    (long long)summary_min(&c->latency), avg,
		    (long long)c->latency.max);
	}
	jute_put_raw(o, ")", 1);
}

static void
fourlw_stats(struct jute_out *o)
{
	char	 avg[32];

	java_double(summary_avg(&zkd->stats.latency), avg, sizeof(avg));
	printf_out(o, "Latency min/avg/max: %lld/%s/%lld\n",
	    (long long)summary_min(&zkd->stats.latency), avg,
	    (long long)zkd->stats.latency.max);
	printf_out(o, "Received: %llu\n", (unsigned long long)zkd->stats.received);
	printf_out(o, "Sent: %llu\n", (unsigned long long)zkd->stats.sent);
	printf_out(o, "Connections: %zu\n", fourlw_live_conns());
	printf_out(o, "Outstanding: %zu\n", fourlw_outstanding());
	printf_out(o, "Zxid: 0x%llx\n", (unsigned long long)zkd->tree->last_zxid);
	printf_out(o, "Mode: %s\n", zkd->mode);
	printf_out(o, "Node count: %zu\n", tree_node_count(zkd->tree));
	if (ensemble_leading())
		printf_out(o, "Proposal sizes last/min/max: %lld/%lld/%lld\n",
		    (long long)zkd->ens->qs.last_size,
		    (long long)zkd->ens->qs.min_size,
		    (long long)zkd->ens->qs.max_size);
}

static void
fourlw_srvr(struct jute_out *o, int stat)
{
	struct conn	*c;

	printf_out(o, "Zookeeper version: %s\n", zkd_version());
	if (stat) {
		printf_out(o, "Clients:\n");
		TAILQ_FOREACH(c, &zkd->conns, entry) {
			fourlw_conn_line(o, c, 1);
			jute_put_raw(o, "\n", 1);
		}
		jute_put_raw(o, "\n", 1);
	}
	fourlw_stats(o);
}

static void
fourlw_cons(struct jute_out *o)
{
	struct conn	*c;

	TAILQ_FOREACH(c, &zkd->conns, entry) {
		fourlw_conn_line(o, c, 0);
		jute_put_raw(o, "\n", 1);
	}
	jute_put_raw(o, "\n", 1);
}

/* conf's lines for a member of an ensemble, as QuorumPeer's. */
static void
fourlw_conf_quorum(struct jute_out *o)
{
	const struct zkd_conf	*cf = zkd->conf;
	const struct conf_server *me = NULL, *sv;
	int			 i;

	for (i = 0; i < cf->nservers; i++)
		if (cf->servers[i].sid == cf->sid)
			me = &cf->servers[i];
	printf_out(o, "serverId=%lld\n", (long long)cf->sid);
	printf_out(o, "initLimit=%d\n", cf->init_limit);
	printf_out(o, "syncLimit=%d\n", cf->sync_limit);
	printf_out(o, "electionAlg=%d\n", cf->election_alg);
	printf_out(o, "electionPort=%d\n", me->election_port);
	printf_out(o, "quorumPort=%d\n", me->quorum_port);
	printf_out(o, "peerType=%d\n", me->observer ? 1 : 0);
	printf_out(o, "membership: \n");
	for (i = 0; i < cf->nservers; i++) {
		sv = &cf->servers[i];
		printf_out(o, "server.%lld=%s:%d:%d:%s", (long long)sv->sid,
		    sv->host, sv->quorum_port, sv->election_port,
		    sv->observer ? "observer" : "participant");
		if (sv->client_port != 0)
			printf_out(o, ";%s:%d", sv->client_addr[0] != '\0' ?
			    sv->client_addr : "0.0.0.0", sv->client_port);
		printf_out(o, "\n");
	}
	printf_out(o, "version=0\n");
}

static void
fourlw_conf(struct jute_out *o)
{
	const struct zkd_conf	*cf = zkd->conf;

	printf_out(o, "clientPort=%d\n", cf->client_port);
	printf_out(o, "secureClientPort=-1\n");
	printf_out(o, "dataDir=%s\n", zkd->data_dir);
	printf_out(o, "dataDirSize=%lld\n", (long long)util_dir_size(zkd->data_dir));
	printf_out(o, "dataLogDir=%s\n", zkd->log_dir);
	printf_out(o, "dataLogSize=%lld\n", (long long)util_dir_size(zkd->log_dir));
	printf_out(o, "tickTime=%d\n", cf->tick_time);
	printf_out(o, "maxClientCnxns=%d\n", cf->max_client_cnxns);
	printf_out(o, "minSessionTimeout=%d\n", cf->min_session_timeout);
	printf_out(o, "maxSessionTimeout=%d\n", cf->max_session_timeout);
	printf_out(o, "clientPortListenBacklog=%d\n", cf->listen_backlog);
	if (zkd->ens == NULL) {
		/* A standalone ZooKeeperServer reports server id 0. */
		printf_out(o, "serverId=%d\n", 0);
		return;
	}
	fourlw_conf_quorum(o);
}

static int64_t
fourlw_open_fds(void)
{
	DIR		*d;
	struct dirent	*de;
	int64_t		 n = 0;

	if ((d = opendir("/proc/self/fd")) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n > 0 ? n - 1 : 0;	/* the directory's own descriptor */
}

static int64_t
fourlw_max_fds(void)
{
	struct rlimit	 rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return 0;
	return (int64_t)rl.rlim_cur;
}

static void
fourlw_kv_int(struct jute_out *o, const char *key, long long v)
{
	printf_out(o, "zk_%s\t%lld\n", key, v);
}

static void
fourlw_kv_double(struct jute_out *o, const char *key, double v)
{
	char	 buf[64];

	java_double(v, buf, sizeof(buf));
	printf_out(o, "zk_%s\t%s\n", key, buf);
}

static const struct summary *
fourlw_summary(const char *name)
{
	if (strcmp(name, "readlatency") == 0)
		return &zkd->stats.read_latency;
	if (strcmp(name, "updatelatency") == 0)
		return &zkd->stats.update_latency;
	if (strcmp(name, "sync_processor_batch_size") == 0)
		return &zkd->stats.batch_size;
	if (strcmp(name, "dbinittime") == 0)
		return &zkd->stats.dbinit_time;
	if (strcmp(name, "fsynctime") == 0)
		return &zkd->db.fsync_time;
	if (strcmp(name, "snapshottime") == 0)
		return &zkd->db.snap_time;
	if (strcmp(name, "startup_txns_loaded") == 0)
		return &zkd->db.txns_loaded;
	if (strcmp(name, "startup_txns_load_time") == 0)
		return &zkd->db.load_time;
	if (strcmp(name, "startup_snap_load_time") == 0)
		return &zkd->db.snap_load_time;
	if (strcmp(name, "node_created_watch_count") == 0)
		return &zkd->watches.per_type[ZEV_NODE_CREATED];
	if (strcmp(name, "node_deleted_watch_count") == 0)
		return &zkd->watches.per_type[ZEV_NODE_DELETED];
	if (strcmp(name, "node_changed_watch_count") == 0)
		return &zkd->watches.per_type[ZEV_NODE_DATA_CHANGED];
	if (strcmp(name, "node_children_watch_count") == 0)
		return &zkd->watches.per_type[ZEV_NODE_CHILDREN_CHANGED];
	if (strcmp(name, "quorum_ack_latency") == 0 && zkd->ens != NULL)
		return &zkd->ens->quorum_ack_latency;
	return NULL;
}

/* The value of one of mntr's plain keys; 0 for what zkd does not have. */
static void
fourlw_mntr_simple(struct jute_out *o, const char *k)
{
	struct zkd_stats	*st = &zkd->stats;

	if (strcmp(k, "avg_latency") == 0)
		fourlw_kv_double(o, k, summary_avg(&st->latency));
	else if (strcmp(k, "min_latency") == 0)
		fourlw_kv_int(o, k, summary_min(&st->latency));
	else if (strcmp(k, "max_latency") == 0)
		fourlw_kv_int(o, k, st->latency.max);
	else if (strcmp(k, "connection_drop_probability") == 0)
		fourlw_kv_double(o, k, 0.0);
	else if (strcmp(k, "ephemerals_count") == 0)
		fourlw_kv_int(o, k, (long long)zkd->tree->nephemerals);
	else if (strcmp(k, "num_alive_connections") == 0)
		fourlw_kv_int(o, k, (long long)fourlw_live_conns());
	else if (strcmp(k, "outstanding_requests") == 0)
		fourlw_kv_int(o, k, (long long)fourlw_outstanding());
	else if (strcmp(k, "znode_count") == 0)
		fourlw_kv_int(o, k, (long long)tree_node_count(zkd->tree));
	else if (strcmp(k, "global_sessions") == 0)
		fourlw_kv_int(o, k, (long long)zkd->sessions.count);
	else if (strcmp(k, "last_client_response_size") == 0)
		fourlw_kv_int(o, k, st->last_response_size);
	else if (strcmp(k, "min_client_response_size") == 0)
		fourlw_kv_int(o, k, st->min_response_size);
	else if (strcmp(k, "max_client_response_size") == 0)
		fourlw_kv_int(o, k, st->max_response_size);
	else if (strcmp(k, "packets_sent") == 0)
		fourlw_kv_int(o, k, (long long)st->sent);
	else if (strcmp(k, "packets_received") == 0)
		fourlw_kv_int(o, k, (long long)st->received);
	else if (strcmp(k, "watch_count") == 0)
		fourlw_kv_int(o, k, (long long)watch_count(&zkd->watches));
	else if (strcmp(k, "auth_failed_count") == 0)
		fourlw_kv_int(o, k, (long long)st->auth_failed);
	else if (strcmp(k, "max_file_descriptor_count") == 0)
		fourlw_kv_int(o, k, fourlw_max_fds());
	else if (strcmp(k, "open_file_descriptor_count") == 0)
		fourlw_kv_int(o, k, fourlw_open_fds());
	else if (strcmp(k, "approximate_data_size") == 0)
		fourlw_kv_int(o, k, zkd->tree->data_size);
	else if (strcmp(k, "uptime") == 0)
		fourlw_kv_int(o, k, util_now_ms() - zkd->start_ms);
	else if (strcmp(k, "outstanding_changes_removed") == 0)
		fourlw_kv_int(o, k, (long long)zkd->prep.removed);
	else if (strcmp(k, "outstanding_changes_queued") == 0)
		fourlw_kv_int(o, k, (long long)zkd->prep.queued);
	else if (strcmp(k, "large_requests_rejected") == 0)
		fourlw_kv_int(o, k, (long long)st->large_requests_rejected);
	else if (strcmp(k, "connection_rejected") == 0)
		fourlw_kv_int(o, k, (long long)st->connection_rejected);
	else if (strcmp(k, "sessionless_connections_expired") == 0)
		fourlw_kv_int(o, k, (long long)st->sessionless_expired);
	else if (strcmp(k, "bytes_received_count") == 0)
		fourlw_kv_int(o, k, (long long)st->bytes_received);
	else if (strcmp(k, "connection_request_count") == 0)
		fourlw_kv_int(o, k, (long long)st->connection_requests);
	else if (strcmp(k, "response_bytes") == 0)
		fourlw_kv_int(o, k, (long long)st->response_bytes);
	else if (strcmp(k, "unsuccessful_handshake") == 0)
		fourlw_kv_int(o, k, (long long)st->unsuccessful_handshakes);
	else if (strcmp(k, "prep_processor_request_queued") == 0 ||
	    strcmp(k, "sync_processor_request_queued") == 0)
		fourlw_kv_int(o, k, (long long)st->requests_queued);
	else if (strcmp(k, "stale_sessions_expired") == 0)
		fourlw_kv_int(o, k, (long long)st->sessions_expired);
	else if (strcmp(k, "connection_revalidate_count") == 0)
		fourlw_kv_int(o, k, (long long)st->revalidations);
	else if (strcmp(k, "looking_count") == 0)
		fourlw_kv_int(o, k, zkd->ens != NULL ?
		    (long long)zkd->ens->elections : 0);
	else if (strcmp(k, "proposal_count") == 0)
		fourlw_kv_int(o, k, ensemble_leading() ?
		    (long long)zkd->ens->qs.proposals : 0);
	else if (strcmp(k, "learner_proposal_received_count") == 0)
		fourlw_kv_int(o, k, zkd->ens != NULL && !ensemble_leading() ?
		    (long long)zkd->ens->qs.proposals : 0);
	else if (strcmp(k, "learner_commit_received_count") == 0)
		fourlw_kv_int(o, k, zkd->ens != NULL && !ensemble_leading() ?
		    (long long)zkd->final.commits : 0);
	else if (strcmp(k, "commit_count") == 0)
		/* CommitProcessor's: a standalone server has none. */
		fourlw_kv_int(o, k, zkd->ens != NULL ?
		    (long long)zkd->final.commits : 0);
	else
		fourlw_kv_int(o, k, 0);
}

/*
 * A summary's keys: avg, min, max, cnt, sum, then with percentiles p50,
 * p95, p99, p999.  NULL prints zeros (a summary zkd does not keep).
 */
static void
fourlw_put_summary(struct jute_out *o, const char *name,
    const struct summary *s, int percentiles)
{
	static const struct {
		const char	*prefix;
		double		 q;
	} pct[] = {
		{ "p50", 0.5 }, { "p95", 0.95 }, { "p99", 0.99 },
		{ "p999", 0.999 },
	};
	char	 key[512];
	size_t	 i;

	snprintf(key, sizeof(key), "avg_%s", name);
	fourlw_kv_double(o, key, s != NULL ? summary_avg(s) : 0.0);
	snprintf(key, sizeof(key), "min_%s", name);
	fourlw_kv_int(o, key, s != NULL ? summary_min(s) : 0);
	snprintf(key, sizeof(key), "max_%s", name);
	fourlw_kv_int(o, key, s != NULL ? s->max : 0);
	snprintf(key, sizeof(key), "cnt_%s", name);
	fourlw_kv_int(o, key, s != NULL ? s->count : 0);
	snprintf(key, sizeof(key), "sum_%s", name);
	fourlw_kv_int(o, key, s != NULL ? s->sum : 0);
	for (i = 0; percentiles && i < nitems(pct); i++) {
		snprintf(key, sizeof(key), "%s_%s", pct[i].prefix, name);
		fourlw_kv_int(o, key, s != NULL ? summary_pct(s, pct[i].q) :
		    0);
	}
}

/*
 * The <sid>_ack_latency summaries, by sid, each once a leader used it (a
 * key stays when the server no longer leads, as ZooKeeper's metrics do).
 */
static void
fourlw_mntr_acks(struct jute_out *o)
{
	struct ensemble	*e = zkd->ens;
	char		 name[64];
	size_t		 i, best;
	int64_t		 after = INT64_MIN;

	if (e == NULL)
		return;
	for (;;) {
		best = e->nmembers;
		for (i = 0; i < e->nmembers; i++)
			if (e->ack_seen[i] && e->members[i].sid > after &&
			    (best == e->nmembers || e->members[i].sid <
			    e->members[best].sid))
				best = i;
		if (best == e->nmembers)
			return;
		after = e->members[best].sid;
		snprintf(name, sizeof(name), "%lld_ack_latency",
		    (long long)after);
		fourlw_put_summary(o, name, &e->ack_latency[best], 1);
	}
}

static void
fourlw_mntr_ns(const char *ns, const struct summary *read,
    const struct summary *write, void *arg)
{
	char	 name[300];

	if (write->count > 0) {
		snprintf(name, sizeof(name), "%s_write_per_namespace", ns);
		fourlw_put_summary(arg, name, write, 0);
	}
	if (read->count > 0) {
		snprintf(name, sizeof(name), "%s_read_per_namespace", ns);
		fourlw_put_summary(arg, name, read, 0);
	}
}

/*
 * The keys a member of an ensemble adds, each where a 3.8 quorum peer
 * prints it: after the standalone key named.
 */
static void
fourlw_mntr_quorum(struct jute_out *o, const char *after)
{
	struct ensemble		*e = zkd->ens;
	const struct zab	*z;
	size_t			 i, followers = 0, nonvoting = 0, observers = 0;
	size_t			 voters = 0;
	char			 buf[64];
	int			 lead;

	if (e == NULL)
		return;
	z = &e->q.z;
	lead = ensemble_leading();
	if (strcmp(after, "server_state") == 0) {
		printf_out(o, "zk_peer_state\t%s\n", ensemble_peer_state(buf,
		    sizeof(buf)));
		return;
	}
	if (strcmp(after, "non_mtls_local_conn_count") == 0) {
		for (i = 0; i < e->nmembers; i++)
			if (!e->members[i].observer)
				voters++;
		fourlw_kv_int(o, "quorum_size", (long long)voters);
		return;
	}
	if (!lead)
		return;
	zab_count_synced(z, &followers, &observers);
	if (strcmp(after, "avg_latency") == 0)
		fourlw_kv_int(o, "min_proposal_size", e->qs.min_size);
	else if (strcmp(after, "packets_received") == 0)
		fourlw_kv_int(o, "max_proposal_size", e->qs.max_size);
	else if (strcmp(after, "max_client_response_size") == 0)
		fourlw_kv_int(o, "synced_followers", (long long)followers);
	else if (strcmp(after, "watch_count") == 0) {
		fourlw_kv_int(o, "synced_non_voting_followers",
		    (long long)nonvoting);
		fourlw_kv_int(o, "synced_observers", (long long)observers);
	} else if (strcmp(after, "open_file_descriptor_count") == 0) {
		fourlw_kv_int(o, "last_proposal_size", e->qs.last_size);
		fourlw_kv_int(o, "pending_syncs", (long long)e->nsyncs);
		fourlw_kv_int(o, "leader_uptime", util_now_ms() -
		    e->serving_since);
	} else if (strcmp(after, "outstanding_tls_handshake") == 0)
		fourlw_kv_int(o, "learners", (long long)z->nlearners);
}

static void
fourlw_mntr(struct jute_out *o)
{
	size_t	 i;

	printf_out(o, "zk_version\t%s\n", zkd_version());
	printf_out(o, "zk_server_state\t%s\n", zkd->mode);
	/* The first two keys are printed above. */
	fourlw_mntr_quorum(o, "server_state");
	for (i = 2; i < nitems(mntr_simple_keys); i++) {
		fourlw_mntr_simple(o, mntr_simple_keys[i]);
		fourlw_mntr_quorum(o, mntr_simple_keys[i]);
	}
	for (i = 0; i < nitems(mntr_summary_keys); i++)
		fourlw_put_summary(o, mntr_summary_keys[i].name,
		    fourlw_summary(mntr_summary_keys[i].name),
		    mntr_summary_keys[i].percentiles);
	/* Per-namespace summaries come after the fixed keys, once used. */
	ns_stats_foreach(&zkd->stats.ns, fourlw_mntr_ns, o);
	fourlw_mntr_acks(o);
}

/*
 * srst: ZooKeeper's ServerStats.reset() resets latency, packet counts, the
 * response sizes and every metric mntr prints (the quorum's counters
 * among them: commit_count, proposal and learner counts, looking_count),
 * and a leader's proposal sizes; gauges stay.
 */
void
fourlw_stats_reset(void)
{
	struct zkd_stats	*st = &zkd->stats;
	int			 i;

	st->received = st->sent = st->bytes_received = st->response_bytes = 0;
	st->last_response_size = st->min_response_size = -1;
	st->max_response_size = -1;
	st->auth_failed = st->connection_rejected = 0;
	st->connection_requests = st->unsuccessful_handshakes = 0;
	st->large_requests_rejected = st->sessions_expired = 0;
	st->revalidations = st->sessionless_expired = 0;
	st->requests_queued = 0;
	zkd->prep.queued = zkd->prep.removed = 0;
	summary_reset(&st->latency);
	summary_reset(&st->read_latency);
	summary_reset(&st->update_latency);
	summary_reset(&st->batch_size);
	summary_reset(&st->dbinit_time);
	ns_stats_reset(&st->ns);
	for (i = 0; i < 5; i++)
		summary_reset(&zkd->watches.per_type[i]);
	summary_reset(&zkd->db.fsync_time);
	summary_reset(&zkd->db.snap_time);
	summary_reset(&zkd->db.load_time);
	summary_reset(&zkd->db.snap_load_time);
	summary_reset(&zkd->db.txns_loaded);
	/* Counters of the quorum are metrics too; so is ProposalStats. */
	zkd->final.commits = 0;
	if (zkd->ens != NULL) {
		zkd->ens->qs.proposals = 0;
		zkd->ens->qs.last_size = -1;
		zkd->ens->qs.min_size = zkd->ens->qs.max_size = -1;
		zkd->ens->elections = 0;
		summary_reset(&zkd->ens->quorum_ack_latency);
		for (i = 0; i < (int)zkd->ens->nmembers; i++)
			summary_reset(&zkd->ens->ack_latency[i]);
	}
}

static void
fourlw_wchc_path(const char *path, void *arg)
{
	printf_out(arg, "\t%s\n", path);
}

static void
fourlw_wchp_entry(const char *path, struct watcher *w, void *arg)
{
	if (w == NULL)
		printf_out(arg, "%s\n", path);
	else
		printf_out(arg, "\t0x%llx\n", (unsigned long long)w->session_id);
}

static void
fourlw_watches(struct jute_out *o, const char *cmd)
{
	struct conn	*c;
	size_t		 watchers, paths, total;

	if (strcmp(cmd, "wchs") == 0) {
		watch_summary(&zkd->watches, &watchers, &paths, &total);
		printf_out(o, "%zu connections watching %zu paths\n"
		    "Total watches:%zu\n", watchers, paths, total);
		return;
	}
	if (strcmp(cmd, "wchp") == 0)
		watch_foreach_path(&zkd->watches, WATCH_DATA,
		    fourlw_wchp_entry, o);
	else
		TAILQ_FOREACH(c, &zkd->conns, entry) {
			if (c->client.watcher.count[WATCH_DATA] == 0)
				continue;
			printf_out(o, "0x%llx\n",
			    (unsigned long long)c->client.session_id);
			watch_foreach_of_watcher(&c->client.watcher,
			    WATCH_DATA, fourlw_wchc_path, o);
		}
	jute_put_raw(o, "\n", 1);
}

static void
fourlw_date(int64_t mono, char *buf, size_t len)
{
	util_java_date(util_mono_to_wall(mono), buf, len);
}

/* Connections grouped by their idle-expiry bucket, as NIO's queue dumps. */
static void
fourlw_dump_conns(struct jute_out *o)
{
	struct conn	*c, *d;
	int64_t		 when, other, interval = 10000;
	size_t		 sets = 0, n;
	char		 date[64];

	TAILQ_FOREACH(c, &zkd->conns, entry) {
		when = (c->last_active + conn_timeout(c)) / interval + 1;
		for (d = TAILQ_FIRST(&zkd->conns); d != c;
		    d = TAILQ_NEXT(d, entry))
			if ((d->last_active + conn_timeout(d)) / interval + 1 ==
			    when)
				break;
		if (d == c)
			sets++;
	}
	printf_out(o, "Connections Sets (%zu)/(%zu):\n", sets,
	    fourlw_live_conns());
	TAILQ_FOREACH(c, &zkd->conns, entry) {
		when = (c->last_active + conn_timeout(c)) / interval + 1;
		for (d = TAILQ_FIRST(&zkd->conns); d != c;
		    d = TAILQ_NEXT(d, entry))
			if ((d->last_active + conn_timeout(d)) / interval + 1 ==
			    when)
				break;
		if (d != c)
			continue;
		n = 0;
		TAILQ_FOREACH(d, &zkd->conns, entry)
			if ((d->last_active + conn_timeout(d)) / interval + 1 ==
			    when)
				n++;
		fourlw_date(when * interval, date, sizeof(date));
		printf_out(o, "%zu expire at %s:\n", n, date);
		TAILQ_FOREACH(d, &zkd->conns, entry) {
			other = (d->last_active + conn_timeout(d)) / interval +
			    1;
			if (other == when)
				printf_out(o, "\tip: %s sessionId: 0x%llx\n",
				    d->peer,
				    (unsigned long long)d->client.session_id);
		}
	}
}

static void
fourlw_dump(struct jute_out *o)
{
	struct session_bucket	*b;
	struct session		*s;
	struct tree_owner	*ow;
	struct tree_node	*n;
	char			 date[64];
	size_t			 owners = 0;

	printf_out(o, "SessionTracker dump:\n");
	printf_out(o, "Session Sets (%zu)/(%zu):\n", zkd->sessions.nbuckets,
	    zkd->sessions.count);
	SESSION_BUCKET_FOREACH(b, &zkd->sessions) {
		fourlw_date(b->time, date, sizeof(date));
		printf_out(o, "%zu expire at %s:\n", b->count, date);
		TAILQ_FOREACH(s, &b->sessions, bq)
			printf_out(o, "\t0x%llx\n", (unsigned long long)s->id);
	}
	printf_out(o, "ephemeral nodes dump:\n");
	RB_FOREACH(ow, tree_owners, &zkd->tree->owners)
		owners++;
	printf_out(o, "Sessions with Ephemerals (%zu):\n", owners);
	RB_FOREACH(ow, tree_owners, &zkd->tree->owners) {
		printf_out(o, "0x%llx:\n", (unsigned long long)ow->session_id);
		TAILQ_FOREACH(n, &ow->nodes, olink)
			printf_out(o, "\t%s\n", n->path);
	}
	printf_out(o, "Connections dump:\n");
	fourlw_dump_conns(o);
}

/*
 * The local host's canonical name, as Java's
 * InetAddress.getLocalHost().getCanonicalHostName(): the host name's
 * address looked up in reverse, else the name itself.
 */
static void
fourlw_canonical_host(char *out, size_t len)
{
	struct addrinfo	 hints, *res;
	char		 name[NI_MAXHOST];

	if (gethostname(out, len) == -1) {
		strlcpy(out, "<NA>", len);
		return;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	if (getaddrinfo(out, NULL, &hints, &res) != 0)
		return;
	if (getnameinfo(res->ai_addr, res->ai_addrlen, name, sizeof(name),
	    NULL, 0, NI_NAMEREQD) == 0)
		strlcpy(out, name, len);
	freeaddrinfo(res);
}

static void
fourlw_envi(struct jute_out *o)
{
	struct utsname	 un;
	struct passwd	*pw;
	char		 host[256], cwd[PATH_MAX];
	const char	*arch, *tmp;
	long		 pages, avail, psize;

	printf_out(o, "Environment:\n");
	printf_out(o, "zookeeper.version=%s\n", zkd_version());
	fourlw_canonical_host(host, sizeof(host));
	printf_out(o, "host.name=%s\n", host);
	/* No JVM here: the java.* keys are kept for parsers, marked <NA>. */
	printf_out(o, "java.version=<NA>\n");
	printf_out(o, "java.vendor=zkensemble\n");
	printf_out(o, "java.home=<NA>\n");
	printf_out(o, "java.class.path=<NA>\n");
	printf_out(o, "java.library.path=<NA>\n");
	tmp = getenv("TMPDIR");
	printf_out(o, "java.io.tmpdir=%s\n", tmp != NULL ? tmp : "/tmp");
	printf_out(o, "java.compiler=<NA>\n");
	if (uname(&un) == -1)
		memset(&un, 0, sizeof(un));
	arch = strcmp(un.machine, "x86_64") == 0 ? "amd64" : un.machine;
	printf_out(o, "os.name=%s\n", un.sysname);
	printf_out(o, "os.arch=%s\n", arch);
	printf_out(o, "os.version=%s\n", un.release);
	pw = getpwuid(getuid());
	printf_out(o, "user.name=%s\n", pw != NULL ? pw->pw_name : "<NA>");
	printf_out(o, "user.home=%s\n", pw != NULL ? pw->pw_dir : "<NA>");
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		strlcpy(cwd, "<NA>", sizeof(cwd));
	printf_out(o, "user.dir=%s\n", cwd);
	psize = sysconf(_SC_PAGESIZE);
	pages = sysconf(_SC_PHYS_PAGES);
	avail = sysconf(_SC_AVPHYS_PAGES);
	printf_out(o, "os.memory.free=%ldMB\n", avail * (psize / 1024) / 1024);
	printf_out(o, "os.memory.max=%ldMB\n", pages * (psize / 1024) / 1024);
	printf_out(o, "os.memory.total=%ldMB\n", pages * (psize / 1024) / 1024);
}

/* Runs one four-letter word for connection c; the reply goes into o. */
void
fourlw_run(struct conn *c, const char *cmd, struct jute_out *o)
{
	struct conn	*d;
	uint8_t		 mask[8];

	log_debug("processing %s command from %s", cmd, c->peer);
	if (!conf_whitelisted(zkd->conf, cmd)) {
		printf_out(o, "%s is not executed because it is not in the "
		    "whitelist.\n", cmd);
		return;
	}
	if (strcmp(cmd, "ruok") == 0) {
		printf_out(o, "imok");
		return;
	}
	if (strcmp(cmd, "envi") == 0) {
		fourlw_envi(o);
		return;
	}
	if (strcmp(cmd, "isro") == 0) {
		printf_out(o, "%s", zkd->serving ? "rw" : "null");
		return;
	}
	if (strcmp(cmd, "gtmk") == 0) {
		printf_out(o, "%lld", (long long)zkd->trace_mask);
		return;
	}
	if (strcmp(cmd, "stmk") == 0) {
		if (evbuffer_remove(c->in, mask, sizeof(mask)) == sizeof(mask))
			zkd->trace_mask = (int64_t)jute_be64(mask);
		printf_out(o, "%lld", (long long)zkd->trace_mask);
		return;
	}
	if (!zkd->serving) {
		printf_out(o, "%s\n", ZK_NOT_SERVING);
		return;
	}
	if (strcmp(cmd, "srvr") == 0 || strcmp(cmd, "stat") == 0)
		fourlw_srvr(o, cmd[1] == 't');
	else if (strcmp(cmd, "cons") == 0)
		fourlw_cons(o);
	else if (strcmp(cmd, "conf") == 0)
		fourlw_conf(o);
	else if (strcmp(cmd, "mntr") == 0)
		fourlw_mntr(o);
	else if (strcmp(cmd, "dump") == 0)
		fourlw_dump(o);
	else if (strcmp(cmd, "dirs") == 0)
		printf_out(o, "datadir_size: %lld\nlogdir_size: %lld\n",
		    (long long)util_dir_size(zkd->data_dir),
		    (long long)util_dir_size(zkd->log_dir));
	else if (strcmp(cmd, "crst") == 0) {
		TAILQ_FOREACH(d, &zkd->conns, entry)
			conn_reset_stats(d);
		printf_out(o, "Connection stats reset.\n");
	} else if (strcmp(cmd, "srst") == 0) {
		fourlw_stats_reset();
		printf_out(o, "Server stats reset.\n");
	} else if (strcmp(cmd, "hash") == 0)
		;	/* No digests kept: the young-server answer, empty. */
	else
		fourlw_watches(o, cmd);
}
