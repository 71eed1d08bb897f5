/* SPDX-License-Identifier: ISC */
/*
 * zkd.h: the server's process-wide state and its client connections
 * (edges layer).  zkd.c owns the one struct zkd; conn.c, fourlw.c and
 * net.c read it.
 */
#ifndef ZK_ZKD_H
#define ZK_ZKD_H

#include <sys/queue.h>

#include <limits.h>
#include <stdint.h>

#include "commit.h"
#include "db.h"
#include "final.h"
#include "metrics.h"
#include "prep.h"
#include "request.h"
#include "session.h"
#include "sync.h"
#include "watch.h"

struct conf_server;
struct ensemble;
struct event;
struct event_base;
struct evbuffer;
struct evconnlistener;
struct tree;
struct zkd_conf;

enum conn_state {
	CONN_NEW,		/* nothing read yet */
	CONN_CONNECTING,	/* session txn on its way */
	CONN_READY,		/* serving requests */
	CONN_CLOSING		/* flushing, then gone */
};

struct conn {
	TAILQ_ENTRY(conn)	 entry;
	TAILQ_ENTRY(conn)	 flush_entry;	/* on zkd->flushq */
	struct client		 client;
	int			 fd;
	struct event		*ev_read;
	struct event		*ev_write;	/* added while the socket is full */
	struct evbuffer		*in;		/* read, not yet a whole frame */
	struct evbuffer		*out;		/* replies not yet written */
	int			 queued;	/* on zkd->flushq */
	int			 blocked;	/* ev_write added */
	int			 kicked;	/* process buffered frames only */
	enum conn_state		 state;
	char			 ip[64];
	char			 peer[96];	/* "/127.0.0.1:41234" */
	int			 fourlw;
	int			 with_ro;	/* client sent the readOnly byte */
	int			 paused;	/* reads stopped (throttle) */
	int			 dead;		/* on the dead list */
	int64_t			 established;	/* wall ms */
	int64_t			 last_active;	/* monotonic ms */
	uint64_t		 received;
	uint64_t		 sent;
	int64_t			 last_cxid;
	int64_t			 last_zxid;
	int64_t			 last_resp;	/* monotonic ms */
	int64_t			 last_latency;
	const char		*last_op;
	struct summary		 latency;
};

struct zkd_stats {
	uint64_t		 received;
	uint64_t		 sent;
	uint64_t		 bytes_received;
	uint64_t		 response_bytes;
	int64_t			 last_response_size;
	int64_t			 min_response_size;
	int64_t			 max_response_size;
	uint64_t		 auth_failed;
	uint64_t		 connection_rejected;
	uint64_t		 connection_requests;
	uint64_t		 unsuccessful_handshakes;
	uint64_t		 large_requests_rejected;
	uint64_t		 sessions_expired;
	uint64_t		 revalidations;
	uint64_t		 sessionless_expired;
	struct summary		 latency;
	struct summary		 read_latency;
	struct summary		 update_latency;
	struct summary		 batch_size;
	struct summary		 dbinit_time;
	uint64_t		 requests_queued;
	struct ns_stats		 ns;
};

struct zkd {
	struct zkd_conf		*conf;
	struct event_base	*base;
	struct tree		*tree;
	struct session_table	 sessions;
	struct watch_mgr	 watches;
	struct prep		 prep;
	struct sync_stage	 sync;
	struct final		 final;
	struct commit_stage	 commit;	/* quorum mode */
	struct ensemble		*ens;		/* quorum mode, else NULL */
	TAILQ_HEAD(, conn)	 conns;
	TAILQ_HEAD(, conn)	 dead;
	TAILQ_HEAD(, conn)	 flushq;	/* output to write this turn */
	size_t			 nconns;
	struct evconnlistener	*listener;
	struct event		*tick_ev;
	struct event		*container_ev;
	struct event		*purge_ev;
	struct db		 db;
	int64_t			 start_ms;
	int64_t			 sid;
	const char		*mode;		/* "standalone", "leader",
						 * "follower", "observer" */
	int			 serving;
	int64_t			 trace_mask;
	char			 data_dir[PATH_MAX];	/* .../version-2 */
	char			 log_dir[PATH_MAX];
	struct zkd_stats	 stats;
};

extern struct zkd	*zkd;

/* conn.c */
void	 conn_accept(int, const struct sockaddr *, int);
void	 conn_close(struct conn *, const char *);
void	 conn_close_clients(const char *);
void	 conn_revalidated(struct conn *, int);
void	 conn_flush(void);
void	 conn_reap(void);
void	 conn_expire(int64_t);
void	 conn_session_gone(void *, int64_t);
void	 conn_deliver(struct watcher *, int32_t, const char *,
	    const struct zk_acl_list *);
void	 conn_reset_stats(struct conn *);
int64_t	 conn_timeout(const struct conn *);
size_t	 conn_outstanding(const struct conn *);

/* fourlw.c */
void	 fourlw_stats_reset(void);
int	 fourlw_known(uint32_t, const char **);
void	 fourlw_run(struct conn *, const char *, struct jute_out *);

/* net.c */
int	 net_listen(const char *, int, int, char **);

/* zkd.c */
void	 zkd_submit(struct request *);
void	 zkd_tree_changed(void);
void	 zkd_reset_prep(int64_t);
int	 zkd_expire_session(int64_t, const char *, void (*)(void *, int),
	    void *);
void	 zkd_shutdown(void);
int64_t	 zkd_version_string(char *, size_t);
const char *zkd_version(void);

#endif
