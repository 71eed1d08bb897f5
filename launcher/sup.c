/* SPDX-License-Identifier: ISC */
/*
 * sup.c: the supervisor: N zkd processes on one host, and what they say.
 *
 * Each server lives in its own directory of the run directory (zoo.cfg,
 * data/myid, data/version-2, zkd.log) and is started as
 *
 *	zkd -d -c 3 -z RUNDIR/sI/zoo.cfg
 *
 * with one end of a socket pair as descriptor 3 (its side door, report.h)
 * and in a process group of its own, so a terminal's ^C reaches the
 * supervisor alone, which then stops everything in order.  The supervisor
 * never polls its children: the kernel tells it of exits (SIGCHLD, from
 * libevent's signal event), and each server reports every change of role,
 * ZAB phase, zxid and readiness on its side door the moment it happens.
 * The servers outlive nothing: each is killed by the kernel when the
 * supervisor dies (PR_SET_PDEATHSIG, asked for before exec and again by
 * zkd itself) and ends on end of file on its side door.
 *
 * The life cycle of a server is inst.c's table: every start, stop, ready,
 * exit and timer goes through inst_step, and sup_act does the one action
 * the table returns.  Every change, ours or a server's, is noted as an
 * event (sup_note): the live view prints it, `events` lists it; then the
 * changed hook lets the control socket judge its waiting commands again.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <ftw.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "elect.h"
#include "log.h"
#include "sup.h"
#include "util.h"
#include "xmalloc.h"

#define SUP_LINE_MAX	1024

static void	 sup_act(struct sup *, struct sup_server *, enum inst_action);
static void	 sup_event(struct sup *, struct sup_server *, enum inst_event);
static int	 sup_spawn(struct sup *, struct sup_server *);
static void	 sup_door_cb(struct bufferevent *, void *);
static void	 sup_door_event_cb(struct bufferevent *, short, void *);
static void	 sup_door_line(struct sup *, struct sup_server *, char *);
static void	 sup_door_reply(struct sup *, struct sup_server *,
		    const char *);
static void	 sup_cmds_lost(struct sup *, struct sup_server *);
static void	 sup_rule_reply(void *, struct sup_server *, int,
		    const char *);
static void	 sup_door_rules(struct sup *, struct sup_server *, int);
static void	 sup_timer_cb(int, short, void *);
static void	 sup_child_cb(int, short, void *);
static void	 sup_changed(struct sup *);
static void	 sup_lanes(struct sup *, int64_t);

static struct event *sup_sigchld;

/* ---- setting up ---- */

/*
 * Makes the table and each server's directory and configuration under
 * c->rundir (which must not hold an ensemble).  Returns 0, or -1 with
 * *cause.
 */
int
sup_prepare(struct sup *s, struct event_base *base,
    const struct sup_config *c, char **cause)
{
	struct sup_server	*srv;
	size_t			 i;

	memset(s, 0, sizeof(*s));
	s->base = base;
	s->c = *c;
	s->t0 = util_now_ms();
	s->nsrv = (size_t)(c->nservers + c->nobservers);
	s->srv = xcalloc(s->nsrv, sizeof(*s->srv));
	s->views = xcalloc(s->nsrv, sizeof(*s->views));
	TAILQ_INIT(&s->cmds);
	faults_init(&s->faults, s->nsrv);
	timeline_init(&s->tl, s->nsrv);
	if (mkdir(c->rundir, 0700) == -1 && errno != EEXIST) {
		xasprintf(cause, "%s: %s", c->rundir, strerror(errno));
		return -1;
	}
	for (i = 0; i < s->nsrv; i++) {
		srv = &s->srv[i];
		srv->sup = s;
		srv->inst.sid = (int64_t)i + 1;
		srv->inst.observer = (int)i >= c->nservers;
		srv->inst.last_status = -1;
		srv->client_port = c->srv[i].client_port;
		srv->quorum_port = c->srv[i].quorum_port;
		srv->election_port = c->srv[i].election_port;
		srv->zkd = c->srv[i].zkd != NULL ? c->srv[i].zkd : c->zkd;
		if (snprintf(srv->dir, sizeof(srv->dir), "%s/s%zu",
		    c->rundir, i + 1) >= (int)sizeof(srv->dir)) {
			xasprintf(cause, "%s: path too long", c->rundir);
			return -1;
		}
		srv->timer = evtimer_new(base, sup_timer_cb, srv);
	}
	sup_sigchld = evsignal_new(base, SIGCHLD, sup_child_cb, s);
	evsignal_add(sup_sigchld, NULL);
	return 0;
}

/*
 * Writes server i's myid and zoo.cfg under c->rundir/sI: the launcher's
 * lines first, then the user's (every server's, then its own), so that a
 * user's setting wins (zoo.cfg keeps a key's last value).
 */
static int
sup_write_config(const struct sup_config *c, size_t idx, char **cause)
{
	const struct sup_profile *p = &c->profile;
	const struct sup_srvconf *me = &c->srv[idx], *o;
	char		 path[PATH_MAX + 32];
	FILE		*f;
	size_t		 i, n = (size_t)(c->nservers + c->nobservers);

	snprintf(path, sizeof(path), "%s/s%zu/data", c->rundir, idx + 1);
	if (util_mkdirs(path, 0700) == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/s%zu/data/myid", c->rundir, idx + 1);
	if ((f = fopen(path, "w")) == NULL)
		goto fail;
	fprintf(f, "%zu\n", idx + 1);
	if (fclose(f) == EOF)
		goto fail;
	snprintf(path, sizeof(path), "%s/s%zu/zoo.cfg", c->rundir, idx + 1);
	if ((f = fopen(path, "w")) == NULL)
		goto fail;
	fprintf(f, "# server %zu of a zkensemble (profile %s)\n", idx + 1,
	    p->name);
	fprintf(f, "tickTime=%d\ninitLimit=%d\nsyncLimit=%d\n", p->tick,
	    p->init_limit, p->sync_limit);
	fprintf(f, "fastleader.finalizeWait=%d\n", p->finalize_wait);
	fprintf(f, "fastleader.maxNotificationInterval=%d\n",
	    p->max_interval);
	fprintf(f, "dataDir=%s/s%zu/data\n", c->rundir, idx + 1);
	fprintf(f, "clientPort=%d\nclientPortAddress=127.0.0.1\n",
	    me->client_port);
	fprintf(f, "4lw.commands.whitelist=*\n");
	if ((int)idx >= c->nservers)
		fprintf(f, "peerType=observer\n");
	for (i = 0; i < n; i++) {
		o = &c->srv[i];
		fprintf(f, "server.%zu=127.0.0.1:%d:%d:%s\n", i + 1,
		    o->quorum_port, o->election_port,
		    (int)i >= c->nservers ? "observer" : "participant");
	}
	if (c->zoo != NULL || me->zoo != NULL)
		fprintf(f, "# settings given to zkensemble\n%s%s",
		    c->zoo != NULL ? c->zoo : "",
		    me->zoo != NULL ? me->zoo : "");
	if (fclose(f) == EOF)
		goto fail;
	return 0;
fail:
	xasprintf(cause, "%s: %s", path, strerror(errno));
	return -1;
}

/*
 * Makes every server's directory and configuration under c->rundir,
 * which must exist.  Each configuration lists every server's ports.
 * Returns 0, or -1 with *cause.
 */
int
sup_write_configs(const struct sup_config *c, char **cause)
{
	size_t	 i;

	for (i = 0; i < (size_t)(c->nservers + c->nobservers); i++)
		if (sup_write_config(c, i, cause) == -1)
			return -1;
	return 0;
}

struct sup_server *
sup_server(struct sup *s, int64_t sid)
{
	if (sid < 1 || (size_t)sid > s->nsrv)
		return NULL;
	return &s->srv[sid - 1];
}

/* ---- events: the history, and the live view ---- */

/* Notes a line of history about server sid (0: the ensemble). */
void
sup_note(struct sup *s, int64_t sid, const char *fmt, ...)
{
	struct sup_event *e;
	va_list		 ap;

	if (s->nevents == s->capevents) {
		s->capevents = s->capevents ? s->capevents * 2 : 256;
		s->events = xreallocarray(s->events, s->capevents,
		    sizeof(*s->events));
	}
	e = &s->events[s->nevents++];
	e->ms = util_now_ms() - s->t0;
	e->sid = sid;
	va_start(ap, fmt);
	if (vasprintf(&e->text, fmt, ap) == -1)
		fatal("vasprintf");
	va_end(ap);
	if (s->view != NULL) {
		if (sid > 0)
			fprintf(s->view, "%4lld.%03llds  server %lld  %s\n",
			    (long long)(e->ms / 1000), (long long)(e->ms % 1000),
			    (long long)sid, e->text);
		else
			fprintf(s->view, "%4lld.%03llds  %s\n",
			    (long long)(e->ms / 1000), (long long)(e->ms % 1000),
			    e->text);
		fflush(s->view);
	}
}

/* The table as the wait conditions see it now (nsrv entries, ours). */
const struct cond_view *
sup_views(struct sup *s)
{
	struct cond_view *v;
	struct inst	*in;
	size_t		 i;

	for (i = 0; i < s->nsrv; i++) {
		in = &s->srv[i].inst;
		v = &s->views[i];
		v->sid = in->sid;
		v->observer = in->observer;
		v->proc = inst_state_name(in->state);
		v->paused = in->paused;
		v->role = in->role;
		v->phase = in->phase;
		v->leader = in->leader;
		v->zxid = in->zxid;
		v->ready = in->ready;
	}
	return s->views;
}

/* "127.0.0.1:2181,..." of every server; the caller frees it. */
char *
sup_connect_string(struct sup *s)
{
	char	*out = NULL, *next;
	size_t	 i;

	for (i = 0; i < s->nsrv; i++) {
		xasprintf(&next, "%s%s127.0.0.1:%d", out != NULL ? out : "",
		    out != NULL ? "," : "", s->srv[i].client_port);
		free(out);
		out = next;
	}
	return out != NULL ? out : xstrdup("");
}

/* Milliseconds since the supervisor started. */
int64_t
sup_ms(struct sup *s)
{
	return util_now_ms() - s->t0;
}

/* Is any link of server index i cut or slowed? */
static int
sup_faulted(struct sup *s, size_t i)
{
	size_t	 j;

	for (j = 0; j < s->nsrv; j++)
		if (j != i && (faults_want(&s->faults, i, j) != 0 ||
		    faults_want(&s->faults, j, i) != 0))
			return 1;
	return 0;
}

/* The timeline's lanes as things are now. */
static void
sup_lanes(struct sup *s, int64_t leader)
{
	struct inst	*in;
	int64_t		 now = sup_ms(s);
	size_t		 i;

	for (i = 0; i < s->nsrv; i++) {
		in = &s->srv[i].inst;
		timeline_set(&s->tl, now, (int)in->sid, timeline_role_char(
		    in->role, in->pid > 0, in->paused, sup_faulted(s, i)));
	}
	timeline_set(&s->tl, now, 0, timeline_leader_char(leader));
}

/*
 * After any change: announce a new leader and the first time the
 * ensemble serves, then let the control socket judge its waits.
 */
static void
sup_changed(struct sup *s)
{
	const struct cond_view *v = sup_views(s);
	struct cond	 serving = { .kind = COND_SERVING };
	struct sup_server *l;
	int64_t		 leader;
	char		*cs;

	leader = cond_leader(v, s->nsrv);
	sup_lanes(s, leader);
	l = leader != 0 ? sup_server(s, leader) : NULL;
	if (l != NULL && (leader != s->leader ||
	    l->inst.epoch != s->leader_epoch)) {
		sup_note(s, 0, "*** server %lld leads, epoch %lld",
		    (long long)leader, (long long)l->inst.epoch);
		s->leader = leader;
		s->leader_epoch = l->inst.epoch;
	}
	if (!s->serving_once && !s->going &&
	    cond_holds(&serving, v, s->nsrv)) {
		s->serving_once = 1;
		cs = sup_connect_string(s);
		sup_note(s, 0, "serving: %s", cs);
		free(cs);
		if (s->serving != NULL)
			s->serving(s);
	}
	elect_changed(s);
	if (s->changed != NULL)
		s->changed(s);
}

/* ---- the life cycle ---- */

static void
sup_event(struct sup *s, struct sup_server *srv, enum inst_event e)
{
	enum inst_state	 was = srv->inst.state;
	enum inst_action a;

	a = inst_step(&srv->inst, e);
	if (a == INST_DO_INVALID) {
		log_warnx("server %lld: %s while %s; ignored",
		    (long long)srv->inst.sid, inst_event_name(e),
		    inst_state_name(was));
		return;
	}
	if (srv->inst.state != was)
		log_debug("server %lld: %s -> %s (%s)",
		    (long long)srv->inst.sid, inst_state_name(was),
		    inst_state_name(srv->inst.state), inst_event_name(e));
	sup_act(s, srv, a);
	/* A restart asked while it stopped: it is gone, start it. */
	if (was == INST_STOPPING && srv->inst.state == INST_DOWN &&
	    srv->inst.want_up && !s->going)
		sup_act(s, srv, inst_step(&srv->inst, INST_EV_START));
}

static void
sup_arm(struct sup_server *srv, int ms)
{
	struct timeval	 tv = { ms / 1000, (ms % 1000) * 1000 };

	evtimer_add(srv->timer, &tv);
}

static void
sup_act(struct sup *s, struct sup_server *srv, enum inst_action a)
{
	struct inst	*in = &srv->inst;
	int		 ms;

	switch (a) {
	case INST_DO_SPAWN:
		if (sup_spawn(s, srv) == -1)
			sup_event(s, srv, INST_EV_BROKEN);
		break;
	case INST_DO_TERM:
		in->expected = 1;
		if (in->pid > 0) {
			kill(in->pid, SIGTERM);
			if (in->paused) {
				kill(in->pid, SIGCONT);
				in->paused = 0;
			}
		}
		sup_arm(srv, s->c.kill_ms);
		break;
	case INST_DO_KILL:
		if (in->pid > 0)
			kill(in->pid, SIGKILL);
		break;
	case INST_DO_BACKOFF:
		/* A floor, doubled for each crash in the window. */
		ms = s->c.backoff_ms << (in->crashes > 6 ? 6 : in->crashes - 1);
		sup_note(s, in->sid, "crashed; started again in %d ms", ms);
		sup_arm(srv, ms);
		break;
	case INST_DO_DISARM:
		evtimer_del(srv->timer);
		break;
	case INST_DO_NOTHING:
	case INST_DO_INVALID:
		break;
	}
}

static void
sup_timer_cb(int fd, short what, void *arg)
{
	struct sup_server *srv = arg;
	struct sup	*s;

	(void)fd;
	(void)what;
	s = srv->sup;
	sup_event(s, srv, INST_EV_TIMER);
	sup_changed(s);
}

/* Starts every server. */
void
sup_start_all(struct sup *s)
{
	size_t	 i;

	for (i = 0; i < s->nsrv; i++)
		sup_event(s, &s->srv[i], INST_EV_START);
	sup_changed(s);
}

/* The user wants srv up.  Returns 0, or -1 while the ensemble goes. */
int
sup_start(struct sup *s, struct sup_server *srv)
{
	if (s->going)
		return -1;
	sup_event(s, srv, INST_EV_START);
	sup_changed(s);
	return 0;
}

/* The user wants srv down. */
int
sup_stop(struct sup *s, struct sup_server *srv)
{
	sup_event(s, srv, INST_EV_STOP);
	sup_changed(s);
	return 0;
}

/*
 * Sends sig to srv's process (kill, pause, resume).  A signal that ends
 * it is the user's doing, not a crash: it stays down.  Returns 0, or -1
 * if it has no process.
 */
int
sup_signal(struct sup *s, struct sup_server *srv, int sig)
{
	struct inst	*in = &srv->inst;

	if (in->pid <= 0)
		return -1;
	switch (sig) {
	case SIGSTOP:
		in->paused = 1;
		sup_note(s, in->sid, "paused (SIGSTOP)");
		break;
	case SIGCONT:
		in->paused = 0;
		sup_note(s, in->sid, "resumed (SIGCONT)");
		break;
	case SIGKILL:
	case SIGTERM:
	case SIGINT:
	case SIGQUIT:
	case SIGABRT:
	case SIGSEGV:
		in->expected = 1;
		sup_note(s, in->sid, "sent SIG%s", sigabbrev_np(sig));
		if (in->paused && sig != SIGKILL) {
			kill(in->pid, sig);
			sig = SIGCONT;
			in->paused = 0;
		}
		break;
	default:
		sup_note(s, in->sid, "sent SIG%s", sigabbrev_np(sig));
		break;
	}
	kill(in->pid, sig);
	sup_changed(s);
	return 0;
}

/* Stops every server; gone() runs once none is left. */
void
sup_down(struct sup *s)
{
	size_t	 i;

	if (!s->going)
		sup_note(s, 0, "stopping every server");
	s->going = 1;
	for (i = 0; i < s->nsrv; i++)
		sup_event(s, &s->srv[i], INST_EV_STOP);
	sup_changed(s);
	for (i = 0; i < s->nsrv; i++)
		if (s->srv[i].inst.pid > 0)
			return;
	if (s->gone != NULL)
		s->gone(s);
}

/* Frees what sup_prepare made (gone() removes the run directory). */
void
sup_finish(struct sup *s)
{
	struct sup_cmd	*cmd;
	size_t		 i;

	for (i = 0; i < s->nsrv; i++) {
		if (s->srv[i].door != NULL)
			bufferevent_free(s->srv[i].door);
		event_free(s->srv[i].timer);
	}
	if (sup_sigchld != NULL) {
		event_free(sup_sigchld);
		sup_sigchld = NULL;
	}
	while ((cmd = TAILQ_FIRST(&s->cmds)) != NULL) {
		TAILQ_REMOVE(&s->cmds, cmd, entry);
		free(cmd);
	}
	faults_free(&s->faults);
	timeline_free(&s->tl);
	for (i = 0; i < s->nevents; i++)
		free(s->events[i].text);
	free(s->events);
	free(s->views);
	free(s->srv);
}

static int
sup_rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb;
	(void)flag;
	(void)f;
	return remove(path) == -1 && errno != ENOENT ? -1 : 0;
}

/* Removes dir and everything in it.  Returns 0, or -1 with errno. */
int
sup_rmtree(const char *dir)
{
	if (access(dir, F_OK) == -1)
		return errno == ENOENT ? 0 : -1;
	return nftw(dir, sup_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

/*
 * A server named by word: a sid, "leader" (the one leading in
 * broadcast) or "follower" (the lowest sid following it).  0 if none.
 */
int64_t
sup_pick(struct sup *s, const char *word)
{
	const struct cond_view *v = sup_views(s);
	size_t		 i, n = s->nsrv;
	int64_t		 leader;
	char		*end;
	long long	 sid;

	leader = cond_leader(v, n);
	if (strcmp(word, "leader") == 0)
		return leader;
	if (strcmp(word, "follower") == 0) {
		for (i = 0; i < n; i++)
			if (leader != 0 && cond_serves(&v[i]) &&
			    strcmp(v[i].role, "FOLLOWING") == 0 &&
			    v[i].leader == leader)
				return v[i].sid;
		return 0;
	}
	sid = strtoll(word, &end, 10);
	if (*word == '\0' || *end != '\0' || sup_server(s, sid) == NULL)
		return 0;
	return sid;
}

/* ---- processes ---- */

static int
sup_spawn(struct sup *s, struct sup_server *srv)
{
	struct inst	*in = &srv->inst;
	char		 cfg[PATH_MAX + 16], logf[PATH_MAX + 16];
	int		 sp[2], fd;
	pid_t		 pid, parent = getpid();

	snprintf(cfg, sizeof(cfg), "%s/zoo.cfg", srv->dir);
	snprintf(logf, sizeof(logf), "%s/zkd.log", srv->dir);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) == -1) {
		log_warn("socketpair");
		return -1;
	}
	sup_door_rules(s, srv, sp[0]);
	switch ((pid = fork())) {
	case -1:
		log_warn("fork");
		close(sp[0]);
		close(sp[1]);
		sup_cmds_lost(s, srv);
		return -1;
	case 0:
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		if ((fd = open(logf, O_WRONLY | O_CREAT | O_APPEND, 0644))
		    == -1)
			_exit(EX_CANTCREAT);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if ((fd = open("/dev/null", O_RDONLY)) != -1)
			dup2(fd, STDIN_FILENO);
		if (dup2(sp[1], 3) == -1)
			_exit(1);
		closefrom(4);
		execl(srv->zkd, "zkd", "-d", "-c", "3", "-z", cfg,
		    (char *)NULL);
		dprintf(STDERR_FILENO, "zkensemble: cannot run %s: %s\n",
		    srv->zkd, strerror(errno));
		_exit(127);
	}
	close(sp[1]);
	in->pid = pid;
	in->expected = 0;
	in->paused = 0;
	in->ready = 0;
	in->role[0] = in->phase[0] = in->sync[0] = '\0';
	in->leader = 0;
	in->since = util_now_ms();
	if (in->last_status != -1 || in->restarts > 0)
		in->restarts++;
	srv->door = bufferevent_socket_new(s->base, sp[0],
	    BEV_OPT_CLOSE_ON_FREE);
	if (srv->door == NULL)
		fatalx("bufferevent_socket_new");
	bufferevent_setcb(srv->door, sup_door_cb, NULL, sup_door_event_cb,
	    srv);
	bufferevent_enable(srv->door, EV_READ);
	sup_note(s, in->sid, "started, pid %d", (int)pid);
	return 0;
}

static void
sup_describe_exit(int status, char *buf, size_t len)
{
	if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by SIG%s",
		    sigabbrev_np(WTERMSIG(status)) != NULL ?
		    sigabbrev_np(WTERMSIG(status)) : "?");
	else
		snprintf(buf, len, "exited %d", WEXITSTATUS(status));
}

static void
sup_child_cb(int fd, short what, void *arg)
{
	struct sup	*s = arg;
	struct sup_server *srv;
	enum inst_event	 e;
	char		 how[64];
	int		 status;
	size_t		 i;
	pid_t		 pid;

	(void)fd;
	(void)what;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		srv = NULL;
		for (i = 0; i < s->nsrv; i++)
			if (s->srv[i].inst.pid == pid)
				srv = &s->srv[i];
		if (srv == NULL)
			continue;
		srv->inst.pid = 0;
		srv->inst.paused = 0;
		srv->inst.ready = 0;
		srv->inst.role[0] = srv->inst.phase[0] = '\0';
		if (srv->door != NULL) {
			bufferevent_free(srv->door);
			srv->door = NULL;
		}
		sup_cmds_lost(s, srv);
		faults_forget(&s->faults, (size_t)(srv->inst.sid - 1));
		timeline_point(&s->tl, sup_ms(s), (int)srv->inst.sid,
		    TL_DIED);
		e = inst_exit_event(&srv->inst, status, &s->c.policy,
		    util_now_ms());
		sup_describe_exit(status, how, sizeof(how));
		sup_note(s, srv->inst.sid, "%s%s", how, e == INST_EV_BROKEN ?
		    " (not started again: see its zkd.log)" : "");
		sup_event(s, srv, e);
	}
	sup_changed(s);
	if (s->going) {
		for (i = 0; i < s->nsrv; i++)
			if (s->srv[i].inst.pid > 0)
				return;
		if (s->gone != NULL)
			s->gone(s);
	}
}

/* ---- side doors ---- */

static void
sup_door_cb(struct bufferevent *bev, void *arg)
{
	struct sup_server *srv = arg;
	struct sup	*s = srv->sup;
	struct evbuffer	*in = bufferevent_get_input(bev);
	char		*line;
	size_t		 len;

	while ((line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF)) != NULL) {
		sup_door_line(s, srv, line);
		free(line);
	}
	if (evbuffer_get_length(in) > SUP_LINE_MAX) {
		log_warnx("server %lld: side door line too long; closed",
		    (long long)srv->inst.sid);
		bufferevent_disable(bev, EV_READ);
	}
	sup_changed(s);
}

static void
sup_door_event_cb(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	(void)arg;
	/* The exit that follows (SIGCHLD) says how it ended. */
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		bufferevent_disable(bev, EV_READ);
}

/* The value of key in a side door line's fields, or NULL. */
static const char *
sup_field(char **f, int n, const char *key)
{
	size_t	 k = strlen(key);
	int	 i;

	for (i = 1; i < n; i++)
		if (strncmp(f[i], key, k) == 0 && f[i][k] == '=')
			return f[i] + k + 1;
	return NULL;
}

static int64_t
sup_num(char **f, int n, const char *key, int64_t dflt)
{
	const char	*v = sup_field(f, n, key);

	return v != NULL ? strtoll(v, NULL, 0) : dflt;
}

static void
sup_door_line(struct sup *s, struct sup_server *srv, char *line)
{
	struct inst	*in = &srv->inst;
	char		*f[16], *p, old[16];
	const char	*v;
	int		 n = 0;

	if (strncmp(line, "reply id=", 9) == 0) {
		sup_door_reply(s, srv, line + 9);
		return;
	}
	for (p = strtok(line, " "); p != NULL && n < 16;
	    p = strtok(NULL, " "))
		f[n++] = p;
	if (n == 0)
		return;
	if (strcmp(f[0], "state") == 0) {
		strlcpy(old, in->role[0] != '\0' ? in->role : "-",
		    sizeof(old));
		if ((v = sup_field(f, n, "state")) != NULL)
			strlcpy(in->role, v, sizeof(in->role));
		in->leader = sup_num(f, n, "leader", 0);
		in->epoch = sup_num(f, n, "epoch", in->epoch);
		in->zxid = sup_num(f, n, "zxid", in->zxid);
		if (strcmp(in->role, "LOOKING") == 0 ||
		    strcmp(in->role, "STANDALONE") == 0)
			in->ready = 0;
		if (strcmp(in->role, "LOOKING") == 0)
			strlcpy(in->phase, "ELECTION", sizeof(in->phase));
		if (strcmp(in->role, "FOLLOWING") == 0 ||
		    strcmp(in->role, "OBSERVING") == 0)
			sup_note(s, in->sid, "%s -> %s %lld  epoch %lld  "
			    "zxid 0x%llx", old, in->role,
			    (long long)in->leader, (long long)in->epoch,
			    (unsigned long long)in->zxid);
		else
			sup_note(s, in->sid, "%s -> %s  epoch %lld  zxid "
			    "0x%llx", old, in->role, (long long)in->epoch,
			    (unsigned long long)in->zxid);
	} else if (strcmp(f[0], "phase") == 0) {
		if ((v = sup_field(f, n, "phase")) != NULL)
			strlcpy(in->phase, v, sizeof(in->phase));
		if ((v = sup_field(f, n, "sync")) != NULL)
			strlcpy(in->sync, v, sizeof(in->sync));
		in->epoch = sup_num(f, n, "epoch", in->epoch);
		if (strcmp(in->phase, "BROADCAST") != 0)
			in->ready = 0;
	} else if (strcmp(f[0], "ready") == 0) {
		in->ready = 1;
		sup_event(s, srv, INST_EV_READY);
		sup_note(s, in->sid, "serving clients on port %d",
		    srv->client_port);
	} else if (strcmp(f[0], "zxid") == 0) {
		in->zxid = sup_num(f, n, "zxid", in->zxid);
	} else if (strcmp(f[0], "sessions") == 0) {
		in->sessions = sup_num(f, n, "n", in->sessions);
	}
}

/* ---- commands on side doors ---- */

static struct sup_cmd *
sup_cmd_new(struct sup *s, struct sup_server *srv, sup_reply_cb *cb,
    void *arg)
{
	struct sup_cmd	*cmd;

	cmd = xcalloc(1, sizeof(*cmd));
	cmd->srv = srv;
	cmd->cb = cb;
	cmd->arg = arg;
	snprintf(cmd->id, sizeof(cmd->id), "z%llu",
	    (unsigned long long)++s->next_cmd);
	TAILQ_INSERT_TAIL(&s->cmds, cmd, entry);
	return cmd;
}

/*
 * Sends a command to srv's side door; cb(arg, ...) gets its reply.
 * Returns 0, or -1 if srv has no process to tell.
 */
int
sup_send(struct sup *s, struct sup_server *srv, sup_reply_cb *cb, void *arg,
    const char *fmt, ...)
{
	struct sup_cmd	*cmd;
	struct evbuffer	*out;
	va_list		 ap;

	if (srv->door == NULL || srv->inst.pid <= 0)
		return -1;
	cmd = sup_cmd_new(s, srv, cb, arg);
	out = bufferevent_get_output(srv->door);
	evbuffer_add_printf(out, "%s ", cmd->id);
	va_start(ap, fmt);
	evbuffer_add_vprintf(out, fmt, ap);
	va_end(ap);
	evbuffer_add(out, "\n", 1);
	return 0;
}

/* Whoever arg is, it no longer waits for replies. */
void
sup_cancel(struct sup *s, void *arg)
{
	struct sup_cmd	*cmd;

	TAILQ_FOREACH(cmd, &s->cmds, entry)
		if (cmd->arg == arg)
			cmd->cb = NULL;
}

static void
sup_door_reply(struct sup *s, struct sup_server *srv, const char *rest)
{
	struct sup_cmd	*cmd;
	const char	*text;
	size_t		 idlen;

	text = strchr(rest, ' ');
	idlen = text != NULL ? (size_t)(text - rest) : strlen(rest);
	text = text != NULL ? text + 1 : "";
	TAILQ_FOREACH(cmd, &s->cmds, entry)
		if (cmd->srv == srv && strlen(cmd->id) == idlen &&
		    strncmp(cmd->id, rest, idlen) == 0)
			break;
	if (cmd == NULL) {
		log_debug("server %lld: a reply to nothing we sent: %s",
		    (long long)srv->inst.sid, rest);
		return;
	}
	TAILQ_REMOVE(&s->cmds, cmd, entry);
	if (cmd->cb != NULL)
		cmd->cb(cmd->arg, srv, strncmp(text, "ok", 2) == 0 &&
		    (text[2] == '\0' || text[2] == ' '), text);
	free(cmd);
}

/* srv's process is gone: what it was asked will not be answered. */
static void
sup_cmds_lost(struct sup *s, struct sup_server *srv)
{
	struct sup_cmd	*cmd, *next;

	for (cmd = TAILQ_FIRST(&s->cmds); cmd != NULL; cmd = next) {
		next = TAILQ_NEXT(cmd, entry);
		if (cmd->srv != srv)
			continue;
		TAILQ_REMOVE(&s->cmds, cmd, entry);
		if (cmd->cb != NULL)
			cmd->cb(cmd->arg, srv, 0,
			    "error=lost msg=the-server-is-gone");
		free(cmd);
	}
}

/* A rule nobody waits for: only a refusal is worth a line. */
static void
sup_rule_reply(void *arg, struct sup_server *srv, int ok, const char *text)
{
	(void)arg;
	if (!ok && strncmp(text, "error=lost", 10) != 0)
		sup_note(srv->sup, srv->inst.sid, "refused a rule: %s", text);
}

/*
 * What a new process of srv must know before it runs, written on its
 * side door (fd, not yet the child's) ahead of everything: the fault
 * rules, and elect's preference.  zkd reads them before its first turn
 * of the loop, so no traffic passes before them.
 */
static void
sup_door_rules(struct sup *s, struct sup_server *srv, int fd)
{
	struct faults_cmd cmds[64];
	struct sup_cmd	*cmd;
	char		 line[600];
	size_t		 i, n, idx = (size_t)(srv->inst.sid - 1);
	int		 len;

	faults_forget(&s->faults, idx);
	n = faults_diff(&s->faults, idx, cmds, nitems(cmds));
	for (i = 0; i <= n; i++) {
		if (i == n && (s->prefer == 0 || srv->inst.observer))
			break;
		cmd = sup_cmd_new(s, srv, sup_rule_reply, NULL);
		if (i < n)
			len = snprintf(line, sizeof(line), "%s %s\n", cmd->id,
			    cmds[i].line);
		else
			len = snprintf(line, sizeof(line), "%s prefer "
			    "leader=%lld\n", cmd->id, (long long)s->prefer);
		/* A new socket's buffer takes these few lines whole. */
		if (write(fd, line, (size_t)len) != len)
			log_warn("server %lld: side door",
			    (long long)srv->inst.sid);
	}
}

/*
 * Tells every running server the rules it lacks; cb(arg, ...) gets each
 * reply.  Returns the number of commands sent.
 */
int
sup_faults_apply(struct sup *s, sup_reply_cb *cb, void *arg)
{
	struct faults_cmd cmds[64];
	struct sup_server *srv;
	size_t		 i, j, n;
	int		 sent = 0;

	for (i = 0; i < s->nsrv; i++) {
		srv = &s->srv[i];
		if (srv->door == NULL || srv->inst.pid <= 0)
			continue;
		n = faults_diff(&s->faults, i, cmds, nitems(cmds));
		for (j = 0; j < n; j++)
			if (sup_send(s, srv, cb != NULL ? cb : sup_rule_reply,
			    arg, "%s", cmds[j].line) == 0)
				sent++;
	}
	sup_lanes(s, cond_leader(sup_views(s), s->nsrv));
	return sent;
}

/*
 * Every voter from now on prefers sid in ties (0: none); cb(arg, ...)
 * gets each reply.  Returns the number of commands sent.
 */
int
sup_prefer(struct sup *s, int64_t sid, sup_reply_cb *cb, void *arg)
{
	struct sup_server *srv;
	size_t		 i;
	int		 sent = 0;

	s->prefer = sid;
	for (i = 0; i < s->nsrv; i++) {
		srv = &s->srv[i];
		if (srv->inst.observer)
			continue;
		if (sup_send(s, srv, cb != NULL ? cb : sup_rule_reply, arg,
		    "prefer leader=%lld", (long long)sid) == 0)
			sent++;
	}
	return sent;
}
