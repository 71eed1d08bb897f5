/* SPDX-License-Identifier: ISC */
/*
 * zkd.c: the server's main program (main layer).
 *
 * zkd [-dnv] [-c fd] [-f zkd.conf | -z zoo.cfg]
 *
 * One thread runs one libevent loop.  Each turn of the loop reads and
 * prepares everything readable, then (sync_flush) makes the turn's txns
 * durable at once and answers in order, then frees the connections closed
 * during the turn.  Timers expire sessions in tick buckets, close idle
 * connections, and remove containers and TTL nodes whose time has come,
 * all through the same request pipeline as clients' writes.
 *
 * With -c, a supervisor holds the other end of descriptor fd (report.h):
 * zkd tells it every transition, obeys its commands, and goes when it
 * goes (end of file on fd, or the parent's death).
 *
 * Exit codes (sysexits): 64 usage, 65 damaged transaction log or snapshot,
 * 69 port unavailable, 73 data directory cannot be created, 75 data
 * directory held by another zkd, 78 bad configuration.  A launcher never
 * respawns those.
 */
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sysexits.h>
#include <unistd.h>

#include <bsd/libutil.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "conf.h"
#include "datadir.h"
#include "ensemble.h"
#include "log.h"
#include "report.h"
#include "spin.h"
#include "tree.h"
#include "util.h"
#include "xmalloc.h"
#include "zkd.h"

extern char	**environ;

struct zkd	*zkd;

static volatile sig_atomic_t zkd_quit;
static char	 zkd_version_buf[128];

static void	 zkd_usage(void) __attribute__((__noreturn__));
static void	 zkd_tick_cb(int, short, void *);
static void	 zkd_signal_cb(int, short, void *);

static void
zkd_usage(void)
{
	fprintf(stderr,
	    "usage: zkd [-dnv] [-c fd] [-f zkd.conf | -z zoo.cfg]\n");
	exit(EX_USAGE);
}

/* The version every 4lw reports: ZooKeeper's release, then ours. */
const char *
zkd_version(void)
{
	if (zkd_version_buf[0] == '\0')
		snprintf(zkd_version_buf, sizeof(zkd_version_buf),
		    "%s-zkensemble-%s, built on %s", ZK_COMPAT_VERSION,
		    PACKAGE_VERSION, ZK_BUILD_DATE);
	return zkd_version_buf;
}

/*
 * A request enters the pipeline: prep, then sync (and final); in an
 * ensemble, through the leader (ensemble.c).
 */
void
zkd_submit(struct request *r)
{
	zkd->stats.requests_queued++;
	if (zkd->ens != NULL) {
		ensemble_submit(r);
		return;
	}
	prep_request(&zkd->prep, r, util_wall_ms(), util_now_ms());
	sync_submit(&zkd->sync, r);
}

/*
 * Whether this server expires sessions and removes containers: a
 * standalone one, or an ensemble's leader (the others learn of it).
 */
static int
zkd_in_charge(void)
{
	return zkd->ens == NULL || ensemble_leading();
}

/* prep forgets what it prepared and numbers from last_zxid on. */
void
zkd_reset_prep(int64_t last_zxid)
{
	prep_free(&zkd->prep);
	prep_init(&zkd->prep, zkd->tree, &zkd->sessions);
	zkd->prep.skip_acl = zkd->conf->skip_acl;
	zkd->prep.extended_types = zkd->conf->extended_types;
	zkd->prep.reconfig_enabled = zkd->conf->reconfig_enabled;
	zkd->prep.last_zxid = last_zxid;
}

/* The database rebuilt its tree (an ensemble's TRUNC or SNAP). */
void
zkd_tree_changed(void)
{
	zkd->tree = zkd->db.tree;
	zkd->tree->watches = &zkd->watches;
	zkd->tree->ns = &zkd->stats.ns;
	zkd->final.tree = zkd->tree;
	zkd_reset_prep(zkd->tree->last_zxid);
}

/*
 * Ends a session as its timeout does: a closeSession txn, logged.  done
 * (request.h), if not NULL, is told when the txn applied.
 */
/* A closeSession of session id with nobody to answer; done as request.h. */
static void
zkd_submit_close(int64_t id, void (*done)(void *, int), void *arg)
{
	struct request	*r;

	r = request_new(NULL, ZOP_CLOSESESSION);
	r->session_id = id;
	r->done = done;
	r->done_arg = arg;
	zkd_submit(r);
}

static void
zkd_close_expired(struct session *s, const char *why,
    void (*done)(void *, int), void *arg)
{
	log_info("expiring session 0x%llx, %s", (unsigned long long)s->id,
	    why);
	zkd->stats.sessions_expired++;
	session_set_closing(&zkd->sessions, s->id);
	zkd_submit_close(s->id, done, arg);
}

static void
zkd_expire_sessions(int64_t now)
{
	struct session	*s;
	char		 why[64];

	while ((s = session_expired(&zkd->sessions, now)) != NULL) {
		snprintf(why, sizeof(why), "timeout of %dms exceeded",
		    s->timeout);
		zkd_close_expired(s, why, NULL, NULL);
	}
}

/*
 * Expires a live session now, exactly as its timeout would (the side
 * door's expire); done (request.h) is told when its closeSession txn
 * applied here, or that it never will.  In an ensemble the leader
 * expires sessions: a learner asks it to, with a closeSession of the
 * session's as if its client had sent one.  Returns 0; -1 if there is no
 * such session or it is already closing; -2 if the server is not serving
 * (no leader to ask).  done is called only when 0 is returned.
 */
int
zkd_expire_session(int64_t id, const char *why, void (*done)(void *, int),
    void *arg)
{
	struct session	*s;

	if ((s = session_lookup(&zkd->sessions, id)) == NULL || s->closing)
		return -1;
	if (zkd->ens != NULL && !zkd->ens->serving)
		return -2;
	if (zkd_in_charge()) {
		zkd_close_expired(s, why, done, arg);
		return 0;
	}
	log_info("asking the leader to expire session 0x%llx, %s",
	    (unsigned long long)id, why);
	zkd_submit_close(id, done, arg);
	return 0;
}

static void
zkd_delete_container(const char *path)
{
	struct request	*r;

	r = request_new(NULL, ZOP_DELETECONTAINER);
	r->req.op.type = ZOP_DELETECONTAINER;
	r->req.op.path = xstrdup(path);
	zkd_submit(r);
}

/*
 * Containers that had children and have none left, and TTL nodes without
 * children untouched for longer than their TTL, are deleted (as
 * ZooKeeper's ContainerManager does), at most maxPerMinute a minute.
 */
static void
zkd_check_containers(void)
{
	struct tree_node	*n;
	int64_t			 wall = util_wall_ms();
	int64_t			 budget;

	if (!zkd_in_charge())
		return;
	budget = (int64_t)zkd->conf->container_max_per_minute *
	    zkd->conf->container_check_ms / 60000;
	if (budget < 1)
		budget = 1;
	TAILQ_FOREACH(n, &zkd->tree->containers, olink) {
		if (budget <= 0)
			break;
		if (n->nchildren != 0)
			continue;
		if (n->cversion > 0 || (zkd->conf->container_never_used_ms > 0 &&
		    wall - n->mtime > zkd->conf->container_never_used_ms)) {
			log_info("deleting container %s", n->path);
			zkd_delete_container(n->path);
			budget--;
		}
	}
	TAILQ_FOREACH(n, &zkd->tree->ttls, olink) {
		if (budget <= 0)
			break;
		if (n->nchildren == 0 && wall - n->mtime >
		    tree_ttl_of(n->ephemeral_owner)) {
			log_info("deleting expired TTL node %s", n->path);
			zkd_delete_container(n->path);
			budget--;
		}
	}
}

static void
zkd_container_cb(int fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	(void)arg;
	zkd_check_containers();
}

/* Arms the tick timer for the next session bucket, a tick at most away. */
static void
zkd_arm_tick(void)
{
	struct timeval	 tv;
	int64_t		 now = util_now_ms(), next, wait;

	wait = zkd->conf->tick_time;
	next = zkd_in_charge() ? session_next_expiry(&zkd->sessions) : -1;
	if (next != -1 && next - now < wait)
		wait = next - now;
	if (wait < 1)
		wait = 1;
	tv.tv_sec = wait / 1000;
	tv.tv_usec = (wait % 1000) * 1000;
	evtimer_add(zkd->tick_ev, &tv);
}

static void
zkd_tick_cb(int fd, short ev, void *arg)
{
	int64_t	 now = util_now_ms();

	(void)fd;
	(void)ev;
	(void)arg;
	if (zkd_in_charge())
		zkd_expire_sessions(now);
	conn_expire(now);
}

static void
zkd_sigchld_cb(int sig, short ev, void *arg)
{
	pid_t	 pid;
	int	 status;

	(void)sig;
	(void)ev;
	(void)arg;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		db_reap(&zkd->db, pid, status);
}

/* autopurge: old snapshots and logs, at start and every purgeInterval h. */
static void
zkd_purge_cb(int fd, short ev, void *arg)
{
	char	*cause = NULL;

	(void)fd;
	(void)ev;
	(void)arg;
	if (datadir_purge(zkd->data_dir, zkd->log_dir,
	    zkd->conf->snap_retain_count, &cause) == -1) {
		log_warnx("%s", cause);
		free(cause);
	}
}

/*
 * Stops the server cleanly at the end of this loop turn (SIGTERM, and the
 * side door's quit and end of file).  The caller has logged why.
 */
void
zkd_shutdown(void)
{
	zkd_quit = 1;
	event_base_loopbreak(zkd->base);
}

static void
zkd_signal_cb(int sig, short ev, void *arg)
{
	(void)ev;
	(void)arg;
	log_info("received signal %d, shutting down", sig);
	zkd_shutdown();
}

/*
 * With a side door, zkd goes when the process that started it goes: the
 * kernel sends SIGKILL at the parent's death.  Not SIGTERM: a server the
 * supervisor paused (SIGSTOP) would hold it pending forever, and nobody
 * is left to resume it.  Every acknowledged txn is on disk already.  A
 * parent gone before the request was made shows as a changed parent pid.
 */
static void
zkd_watch_parent(pid_t ppid)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1)
		log_warn("prctl(PR_SET_PDEATHSIG)");
	if (getppid() != ppid) {
		log_info("parent process %d is gone, exiting", (int)ppid);
		exit(0);
	}
}

static int
zkd_abs_dir(const char *dir, char *out, size_t len)
{
	char	 cwd[PATH_MAX];

	if (dir[0] == '/')
		return snprintf(out, len, "%s/version-2", dir) >= (int)len ?
		    -1 : 0;
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return -1;
	return snprintf(out, len, "%s/%s/version-2", cwd, dir) >= (int)len ?
	    -1 : 0;
}

static void
zkd_prepare_dirs(struct zkd_conf *cf)
{
	if (zkd_abs_dir(cf->data_dir, zkd->data_dir,
	    sizeof(zkd->data_dir)) == -1 ||
	    zkd_abs_dir(cf->data_log_dir, zkd->log_dir,
	    sizeof(zkd->log_dir)) == -1)
		fatal_code(EX_CANTCREAT, "data directory path too long");
	if (util_mkdirs(zkd->data_dir, 0755) == -1)
		fatal_code(EX_CANTCREAT, "cannot create data directory %s: %s",
		    zkd->data_dir, strerror(errno));
	if (util_mkdirs(zkd->log_dir, 0755) == -1)
		fatal_code(EX_CANTCREAT, "cannot create log directory %s: %s",
		    zkd->log_dir, strerror(errno));
}

static struct pidfh *
zkd_pidfile(struct zkd_conf *cf)
{
	struct pidfh	*pfh;
	pid_t		 other;
	char		 path[PATH_MAX];

	if (cf->pidfile[0] != '\0')
		strlcpy(path, cf->pidfile, sizeof(path));
	else if (snprintf(path, sizeof(path), "%s/zkd.pid", cf->data_dir) >=
	    (int)sizeof(path))
		fatal_code(EX_CANTCREAT, "data directory path too long");
	if ((pfh = pidfile_open(path, 0644, &other)) == NULL) {
		if (errno == EEXIST)
			fatal_code(EX_TEMPFAIL, "data directory %s is in use by "
			    "zkd pid %d (pidfile %s)", cf->data_dir, (int)other,
			    path);
		fatal_code(EX_CANTCREAT, "cannot open pidfile %s: %s", path,
		    strerror(errno));
	}
	return pfh;
}

/*
 * Recovers the database from the data directory, then sets up the
 * pipeline over it.  A damaged log or snapshot ends start-up (EX_DATAERR).
 */
static void
zkd_init_state(struct zkd_conf *cf)
{
	struct db_options	 o;
	char			*cause = NULL;
	int64_t			 t0 = util_now_ms();

	session_init(&zkd->sessions, zkd->sid, cf->tick_time, util_wall_ms());
	memset(&o, 0, sizeof(o));
	o.snap_dir = zkd->data_dir;
	o.log_dir = zkd->log_dir;
	o.max = (size_t)cf->jute_maxbuffer + 1024;
	o.extended = cf->extended_types;
	o.force_sync = cf->force_sync;
	o.snap_count = cf->snap_count;
	o.prealloc = cf->prealloc_kb * 1024;
	if (db_open(&zkd->db, &o, &zkd->sessions, util_now_ms(), &cause) == -1)
		fatal_code(EX_DATAERR, "%s", cause);
	zkd->tree = zkd->db.tree;
	watch_init(&zkd->watches, conn_deliver);
	zkd->tree->watches = &zkd->watches;
	zkd->tree->ns = &zkd->stats.ns;
	prep_init(&zkd->prep, zkd->tree, &zkd->sessions);
	zkd->prep.skip_acl = cf->skip_acl;
	zkd->prep.extended_types = cf->extended_types;
	zkd->prep.reconfig_enabled = cf->reconfig_enabled;
	final_init(&zkd->final, zkd->tree, &zkd->sessions, &zkd->watches,
	    &zkd->prep);
	zkd->final.session_gone = conn_session_gone;
	sync_init(&zkd->sync, final_request, &zkd->final);
	zkd->sync.log.append = db_append;
	zkd->sync.log.flush = db_flush;
	zkd->sync.log.arg = &zkd->db;
	zkd->sync.max_batch = (size_t)cf->max_batch;
	zkd->sync.batch_size = &zkd->stats.batch_size;
	summary_init(&zkd->stats.latency, 0);
	summary_init(&zkd->stats.read_latency, 1);
	summary_init(&zkd->stats.update_latency, 1);
	summary_init(&zkd->stats.batch_size, 0);
	summary_init(&zkd->stats.dbinit_time, 0);
	zkd->stats.min_response_size = -1;
	zkd->stats.max_response_size = -1;
	zkd->stats.last_response_size = -1;
	zkd->trace_mask = 306;
	summary_add(&zkd->stats.dbinit_time, util_now_ms() - t0);
}

int
main(int argc, char *argv[])
{
	struct zkd_conf	 conf;
	struct pidfh	*pfh;
	struct event	*sigs[4];
	struct timeval	 tv;
	const char	*file = NULL, *errstr;
	char		*cause = NULL;
	pid_t		 ppid = getppid();
	int		 ch, foreground = 0, check = 0, verbose = 0, zoo = 0;
	int		 i, nsigs = 0, control = -1, quorum, rv;

	setproctitle_init(argc, argv, environ);
	while ((ch = getopt(argc, argv, "c:df:nvz:")) != -1) {
		switch (ch) {
		case 'c':
			control = (int)strtonum(optarg, 0, INT_MAX, &errstr);
			if (errstr != NULL) {
				fprintf(stderr, "zkd: -c %s: the side door "
				    "descriptor is %s\n", optarg, errstr);
				exit(EX_USAGE);
			}
			break;
		case 'd':
			foreground = 1;
			break;
		case 'f':
		case 'z':
			if (file != NULL)
				zkd_usage();
			file = optarg;
			zoo = ch == 'z';
			break;
		case 'n':
			check = 1;
			break;
		case 'v':
			verbose++;
			break;
		default:
			zkd_usage();
		}
	}
	if (optind != argc)
		zkd_usage();
	log_init(1, LOG_DAEMON);
	log_setverbose(verbose);

	conf_defaults(&conf);
	if (file != NULL && (zoo ? conf_load_zoo(&conf, file, &cause) :
	    conf_load_zkd(&conf, file, &cause)) == -1)
		fatal_code(EX_CONFIG, "%s", cause);
	if (conf_finish(&conf, &cause) == -1)
		fatal_code(EX_CONFIG, "%s", cause);
	/* Several servers (or one, not standalone) make an ensemble. */
	quorum = conf.nservers > 1 || (conf.nservers == 1 &&
	    !conf.standalone_enabled);
	if (check) {
		if (verbose)
			conf_print(&conf, stdout);
		fflush(stdout);
		fprintf(stderr, "configuration OK\n");
		return 0;
	}

	zkd = xcalloc(1, sizeof(*zkd));
	zkd->conf = &conf;
	zkd->mode = quorum ? "none" : "standalone";
	TAILQ_INIT(&zkd->conns);
	TAILQ_INIT(&zkd->dead);
	TAILQ_INIT(&zkd->flushq);
	signal(SIGPIPE, SIG_IGN);
	if ((zkd->base = event_base_new()) == NULL)
		fatalx("event_base_new");
	/* A standalone server makes session ids as server 1 unless told. */
	zkd->sid = conf.sid != 0 ? conf.sid : 1;
	if (control != -1) {
		if (report_open(zkd->base, control, &cause) == -1)
			fatal_code(EX_USAGE, "%s", cause);
		zkd_watch_parent(ppid);
		report_hello(zkd->sid, conf.client_port, quorum ? "quorum" :
		    "standalone");
	}
	zkd_prepare_dirs(&conf);
	pfh = zkd_pidfile(&conf);
	if (net_listen(conf.client_addr, conf.client_port, conf.listen_backlog,
	    &cause) == -1)
		fatal_code(EX_UNAVAILABLE, "%s", cause);
	zkd_init_state(&conf);
	if (!quorum)
		report_state(REPORT_STANDALONE, 0, zkd->tree->last_zxid >> 32,
		    zkd->tree->last_zxid);

	if (!foreground) {
		if (daemon(1, 0) == -1)
			fatal("daemon");
		log_init(0, LOG_DAEMON);
		event_reinit(zkd->base);
	}
	pidfile_write(pfh);
	setproctitle("sid %lld %s :%d", (long long)zkd->sid, zkd->mode,
	    conf.client_port);

	sigs[nsigs++] = evsignal_new(zkd->base, SIGTERM, zkd_signal_cb, NULL);
	sigs[nsigs++] = evsignal_new(zkd->base, SIGINT, zkd_signal_cb, NULL);
	sigs[nsigs++] = evsignal_new(zkd->base, SIGHUP, zkd_signal_cb, NULL);
	sigs[nsigs++] = evsignal_new(zkd->base, SIGCHLD, zkd_sigchld_cb, NULL);
	for (i = 0; i < nsigs; i++)
		evsignal_add(sigs[i], NULL);
	zkd->tick_ev = evtimer_new(zkd->base, zkd_tick_cb, NULL);
	zkd->container_ev = event_new(zkd->base, -1, EV_PERSIST,
	    zkd_container_cb, NULL);
	tv.tv_sec = conf.container_check_ms / 1000;
	tv.tv_usec = (conf.container_check_ms % 1000) * 1000;
	evtimer_add(zkd->container_ev, &tv);
	if (conf.purge_interval > 0) {
		zkd->purge_ev = event_new(zkd->base, -1, EV_PERSIST,
		    zkd_purge_cb, NULL);
		tv.tv_sec = (time_t)conf.purge_interval * 3600;
		tv.tv_usec = 0;
		evtimer_add(zkd->purge_ev, &tv);
		zkd_purge_cb(-1, 0, NULL);
	}

	zkd->start_ms = util_now_ms();
	spin_set(conf.poll_us);
	if (quorum) {
		/* Clients are served once a leader is followed (ensemble.c). */
		if ((rv = ensemble_open(&conf, &cause)) != 0)
			fatal_code(rv, "%s", cause);
		report_early();
		log_info("zkd %s server %lld of an ensemble of %d, clients on "
		    "port %d, data in %s", PACKAGE_VERSION,
		    (long long)zkd->sid, conf.nservers, conf.client_port,
		    zkd->data_dir);
	} else {
		zkd->serving = 1;
		log_info("zkd %s serving standalone on port %d, data in %s",
		    PACKAGE_VERSION, conf.client_port, zkd->data_dir);
		report_ready(conf.client_port);
	}

	while (!zkd_quit) {
		zkd_arm_tick();
		if (event_base_loop(zkd->base, spin_polling() ?
		    EVLOOP_ONCE | EVLOOP_NONBLOCK : EVLOOP_ONCE) == -1)
			fatalx("event loop failed");
		if (zkd->ens != NULL)
			ensemble_flush();
		else
			sync_flush(&zkd->sync);
		db_maybe_snapshot(&zkd->db);
		conn_flush();
		conn_reap();
		report_turn();
	}

	ensemble_close();
	db_close(&zkd->db);
	log_info("stopped");
	pidfile_remove(pfh);
	report_bye(0);
	return 0;
}
