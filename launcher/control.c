/* SPDX-License-Identifier: ISC */
/*
 * control.c: the supervisor's control socket (RUNDIR/ctl.sock).
 *
 * A client sends one line, the words of a command separated by spaces
 * ("-j" first for JSON); the supervisor answers with lines of text and
 * ends with "= N", N the exit status the client must exit with (0 ok,
 * 1 failed, 2 usage, 3 timed out), then closes.  A client holds no
 * state: every answer comes from the supervisor's table.
 *
 * Commands that wait (wait, down, events -f) are kept on a list and
 * judged again after every change the supervisor notes, never polled;
 * wait's deadline is a timer of its own.
 */
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "control.h"
#include "elect.h"
#include "log.h"
#include "util.h"
#include "xmalloc.h"

#define CONTROL_LINE_MAX	4096
#define CONTROL_WORDS		64

enum control_wait {
	CW_NONE,
	CW_COND,		/* wait: until conds hold or the deadline */
	CW_DOWN,		/* down: until every server is gone */
	CW_EVENTS,		/* events -f: every event, until EOF */
	CW_REPLIES,		/* side door replies, then the answer */
	CW_ELECT,		/* elect under way */
};

struct control_conn {
	struct control	*ctl;
	struct bufferevent *bev;
	int		 json;
	enum control_wait wait;
	struct cond	 conds[COND_MAX];
	size_t		 nconds;
	struct event	*deadline;
	size_t		 next_event;	/* events -f: the next to send */
	int		 outstanding;	/* CW_REPLIES: replies to come */
	char		*refused;	/* the first refusal among them */
	int		 done;		/* answered: close once written */
	TAILQ_ENTRY(control_conn) entry;
};

static void	 control_accept_cb(struct evconnlistener *, evutil_socket_t,
		    struct sockaddr *, int, void *);
static void	 control_read_cb(struct bufferevent *, void *);
static void	 control_write_cb(struct bufferevent *, void *);
static void	 control_event_cb(struct bufferevent *, short, void *);
static void	 control_deadline_cb(int, short, void *);
static void	 control_command(struct control_conn *, int, char **);
static void	 control_free(struct control_conn *);

static void
control_printf(struct control_conn *c, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	evbuffer_add_vprintf(bufferevent_get_output(c->bev), fmt, ap);
	va_end(ap);
}

/* Ends the answer with its exit status; the connection closes after. */
static void
control_end(struct control_conn *c, int status)
{
	if (c->wait == CW_ELECT)
		elect_cancel(c->ctl->sup);
	/* A late reply must not answer twice. */
	sup_cancel(c->ctl->sup, c);
	control_printf(c, "= %d\n", status);
	c->done = 1;
	c->wait = CW_NONE;
	if (c->deadline != NULL)
		evtimer_del(c->deadline);
	bufferevent_disable(c->bev, EV_READ);
}

static void
control_fail(struct control_conn *c, int status, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	evbuffer_add_vprintf(bufferevent_get_output(c->bev), fmt, ap);
	va_end(ap);
	control_printf(c, "\n");
	control_end(c, status);
}

/*
 * Listens on path (any stale socket there is replaced).  Returns 0, or
 * -1 with *cause.
 */
int
control_open(struct control *ctl, struct sup *s, const char *path,
    char **cause)
{
	struct sockaddr_un	 sun;
	int			 fd;

	memset(ctl, 0, sizeof(*ctl));
	ctl->sup = s;
	TAILQ_INIT(&ctl->conns);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path)) {
		xasprintf(cause, "%s: path too long for a socket", path);
		return -1;
	}
	unlink(path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    chmod(path, 0600) == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	ctl->lis = evconnlistener_new(s->base, control_accept_cb, ctl,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 16, fd);
	if (ctl->lis == NULL)
		fatalx("evconnlistener_new");
	return 0;
}

void
control_close(struct control *ctl)
{
	struct control_conn *c;

	while ((c = TAILQ_FIRST(&ctl->conns)) != NULL)
		control_free(c);
	if (ctl->lis != NULL)
		evconnlistener_free(ctl->lis);
	ctl->lis = NULL;
}

static void
control_accept_cb(struct evconnlistener *lis, evutil_socket_t fd,
    struct sockaddr *sa, int len, void *arg)
{
	struct control		*ctl = arg;
	struct control_conn	*c;

	(void)lis;
	(void)sa;
	(void)len;
	c = xcalloc(1, sizeof(*c));
	c->ctl = ctl;
	c->bev = bufferevent_socket_new(ctl->sup->base, fd,
	    BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL)
		fatalx("bufferevent_socket_new");
	bufferevent_setcb(c->bev, control_read_cb, control_write_cb,
	    control_event_cb, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	TAILQ_INSERT_TAIL(&ctl->conns, c, entry);
}

static void
control_free(struct control_conn *c)
{
	struct control	*ctl = c->ctl;

	TAILQ_REMOVE(&ctl->conns, c, entry);
	sup_cancel(ctl->sup, c);
	if (c->wait == CW_ELECT)
		elect_cancel(ctl->sup);
	free(c->refused);
	if (c->deadline != NULL)
		event_free(c->deadline);
	bufferevent_free(c->bev);
	free(c);
	if (ctl->closing && TAILQ_EMPTY(&ctl->conns))
		event_base_loopbreak(ctl->sup->base);
}

static void
control_read_cb(struct bufferevent *bev, void *arg)
{
	struct control_conn	*c = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	char			*line, *words[CONTROL_WORDS], *p;
	size_t			 len;
	int			 n = 0;

	if (c->done || c->wait != CW_NONE)
		return;
	if ((line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF)) == NULL) {
		if (evbuffer_get_length(in) > CONTROL_LINE_MAX)
			control_fail(c, 2, "command too long");
		return;
	}
	for (p = strtok(line, " "); p != NULL && n < CONTROL_WORDS;
	    p = strtok(NULL, " "))
		words[n++] = p;
	if (n > 0 && strcmp(words[0], "-j") == 0) {
		c->json = 1;
		memmove(words, words + 1, (size_t)--n * sizeof(*words));
	}
	if (n == 0)
		control_fail(c, 2, "no command");
	else
		control_command(c, n, words);
	free(line);
}

static void
control_write_cb(struct bufferevent *bev, void *arg)
{
	struct control_conn	*c = arg;

	if (c->done && evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		control_free(c);
}

static void
control_event_cb(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		control_free(arg);
}

/* ---- answers ---- */

static void
control_status(struct control_conn *c)
{
	struct sup	*s = c->ctl->sup;
	struct inst	*in;
	int64_t		 now = util_now_ms(), up;
	size_t		 i;

	if (!c->json)
		control_printf(c, "%-3s %-7s %-5s %-5s %-5s %-9s %-15s "
		    "%-5s %-12s %-8s %-8s %s\n", "SID", "PID", "CLIENT",
		    "QUORUM", "ELECT", "PROCESS", "ROLE", "EPOCH", "ZXID",
		    "SESSIONS", "UPTIME", "RESTARTS");
	else
		control_printf(c, "[");
	for (i = 0; i < s->nsrv; i++) {
		in = &s->srv[i].inst;
		up = in->pid > 0 ? (now - in->since) / 1000 : 0;
		if (c->json) {
			control_printf(c, "%s{\"sid\":%lld,\"pid\":%d,"
			    "\"client_port\":%d,\"quorum_port\":%d,"
			    "\"election_port\":%d,\"observer\":%s,"
			    "\"process\":\"%s\",\"paused\":%s,\"want\":\"%s\","
			    "\"role\":\"%s\",\"phase\":\"%s\",\"leader\":%lld,"
			    "\"epoch\":%lld,\"zxid\":\"0x%llx\","
			    "\"serving\":%s,\"sessions\":%lld,"
			    "\"uptime\":%lld,\"restarts\":%d}",
			    i > 0 ? "," : "", (long long)in->sid, (int)in->pid,
			    s->srv[i].client_port, s->srv[i].quorum_port,
			    s->srv[i].election_port,
			    in->observer ? "true" : "false",
			    inst_state_name(in->state),
			    in->paused ? "true" : "false",
			    in->want_up ? "up" : "down", in->role, in->phase,
			    (long long)in->leader, (long long)in->epoch,
			    (unsigned long long)in->zxid,
			    in->ready && strcmp(in->phase, "BROADCAST") == 0 ?
			    "true" : "false", (long long)in->sessions,
			    (long long)up, in->restarts);
			continue;
		}
		control_printf(c, "%-3lld %-7d %-5d  %-5d  %-5d %-9s "
		    "%-15s %-5lld 0x%-10llx %-8lld %-8lld %d\n",
		    (long long)in->sid, (int)in->pid, s->srv[i].client_port,
		    s->srv[i].quorum_port, s->srv[i].election_port,
		    in->paused ? "paused" : inst_state_name(in->state),
		    in->role[0] != '\0' ? in->role : "-",
		    (long long)in->epoch, (unsigned long long)in->zxid,
		    (long long)in->sessions, (long long)up, in->restarts);
	}
	if (c->json)
		control_printf(c, "]\n");
	control_end(c, 0);
}

static void
control_send_events(struct control_conn *c)
{
	struct sup		*s = c->ctl->sup;
	const struct sup_event	*e;

	for (; c->next_event < s->nevents; c->next_event++) {
		e = &s->events[c->next_event];
		if (c->json)
			control_printf(c, "{\"ms\":%lld,\"sid\":%lld,"
			    "\"text\":\"%s\"}\n", (long long)e->ms,
			    (long long)e->sid, e->text);
		else if (e->sid > 0)
			control_printf(c, "%4lld.%03llds  server %lld  %s\n",
			    (long long)(e->ms / 1000), (long long)(e->ms % 1000),
			    (long long)e->sid, e->text);
		else
			control_printf(c, "%4lld.%03llds  %s\n",
			    (long long)(e->ms / 1000), (long long)(e->ms % 1000),
			    e->text);
	}
}

static int
control_conds_hold(struct control_conn *c)
{
	struct sup	*s = c->ctl->sup;

	return cond_all(c->conds, c->nconds, sup_views(s), s->nsrv);
}

static void
control_deadline_cb(int fd, short what, void *arg)
{
	struct control_conn	*c = arg;

	(void)fd;
	(void)what;
	if (c->wait == CW_COND)
		control_fail(c, 3, "timed out");
}

static void
control_wait(struct control_conn *c, int argc, char **argv)
{
	struct timeval	 tv;
	char		*cause, *end;
	double		 secs = 30;
	int		 i = 1;

	if (argc > 2 && strcmp(argv[1], "-t") == 0) {
		secs = strtod(argv[2], &end);
		if (*end != '\0' || secs < 0 || secs > 86400) {
			control_fail(c, 2, "wait: -t takes seconds");
			return;
		}
		i = 3;
	}
	if (cond_parse(argc - i, argv + i, c->conds, &c->nconds, &cause) ==
	    -1) {
		control_fail(c, 2, "%s", cause);
		free(cause);
		return;
	}
	if (control_conds_hold(c)) {
		control_end(c, 0);
		return;
	}
	c->wait = CW_COND;
	c->deadline = evtimer_new(c->ctl->sup->base, control_deadline_cb, c);
	tv.tv_sec = (time_t)secs;
	tv.tv_usec = (suseconds_t)((secs - (double)tv.tv_sec) * 1e6);
	evtimer_add(c->deadline, &tv);
}

static int
control_signal_name(const char *name)
{
	int	 sig;

	if (strncmp(name, "SIG", 3) == 0)
		name += 3;
	for (sig = 1; sig < NSIG; sig++)
		if (sigabbrev_np(sig) != NULL &&
		    strcmp(sigabbrev_np(sig), name) == 0)
			return sig;
	sig = atoi(name);
	return sig > 0 && sig < NSIG ? sig : -1;
}

/* kill [-s SIG] WHO, pause WHO, resume WHO. */
static void
control_kill(struct control_conn *c, int argc, char **argv)
{
	struct sup		*s = c->ctl->sup;
	struct sup_server	*srv;
	int64_t			 sid;
	int			 sig, i = 1;

	if (strcmp(argv[0], "pause") == 0)
		sig = SIGSTOP;
	else if (strcmp(argv[0], "resume") == 0)
		sig = SIGCONT;
	else {
		sig = SIGKILL;
		if (argc > 2 && strcmp(argv[1], "-s") == 0) {
			if ((sig = control_signal_name(argv[2])) == -1) {
				control_fail(c, 2, "kill: no signal %s",
				    argv[2]);
				return;
			}
			i = 3;
		}
	}
	if (argc != i + 1) {
		control_fail(c, 2, "usage: %s%s ID|leader|follower", argv[0],
		    sig == SIGKILL ? " [-s SIG]" : "");
		return;
	}
	if ((sid = sup_pick(s, argv[i])) == 0) {
		control_fail(c, 1, "%s: no such server", argv[i]);
		return;
	}
	srv = sup_server(s, sid);
	if (sig == SIGCONT && !srv->inst.paused) {
		control_fail(c, 1, "server %lld is not paused", (long long)sid);
		return;
	}
	if (sup_signal(s, srv, sig) == -1) {
		control_fail(c, 1, "server %lld has no process",
		    (long long)sid);
		return;
	}
	control_printf(c, "%lld\n", (long long)sid);
	control_end(c, 0);
}

/* start|stop|restart ID|all|leader|follower */
static void
control_life(struct control_conn *c, int argc, char **argv)
{
	struct sup	*s = c->ctl->sup;
	size_t		 i, from, to;
	int64_t		 sid;

	if (argc != 2) {
		control_fail(c, 2, "usage: %s ID|all", argv[0]);
		return;
	}
	if (strcmp(argv[1], "all") == 0) {
		from = 1;
		to = s->nsrv;
	} else if ((sid = sup_pick(s, argv[1])) != 0) {
		from = to = (size_t)sid;
	} else {
		control_fail(c, 1, "%s: no such server", argv[1]);
		return;
	}
	for (i = from; i <= to; i++) {
		if (strcmp(argv[0], "stop") == 0)
			sup_stop(s, sup_server(s, (int64_t)i));
		else if (strcmp(argv[0], "start") == 0)
			sup_start(s, sup_server(s, (int64_t)i));
		else {
			sup_stop(s, sup_server(s, (int64_t)i));
			sup_start(s, sup_server(s, (int64_t)i));
		}
	}
	control_end(c, 0);
}

/* Each server's answer to a fault rule; the verb ends with the last. */
static void
control_rule_cb(void *arg, struct sup_server *srv, int ok, const char *text)
{
	struct control_conn	*c = arg;
	char			 pic[1024];

	if (!ok && strncmp(text, "error=lost", 10) != 0 && c->refused == NULL)
		xasprintf(&c->refused, "server %lld refused: %s",
		    (long long)srv->inst.sid, text);
	if (--c->outstanding > 0)
		return;
	if (c->refused != NULL) {
		control_fail(c, 1, "%s", c->refused);
		return;
	}
	faults_describe(&c->ctl->sup->faults, pic, sizeof(pic));
	control_printf(c, "%s\n", pic);
	control_end(c, 0);
}

/*
 * isolate SET, partition SET..., heal [SET], delay FROM TO MS: change the
 * network, tell the servers, answer once every running server has its
 * rules (a server started later gets them before it runs).
 */
static void
control_network(struct control_conn *c, int argc, char **argv)
{
	struct sup	*s = c->ctl->sup;
	char		*cause = NULL, pic[1024];
	int		 rv, n;

	if (strcmp(argv[0], "isolate") == 0 && argc == 2)
		rv = faults_isolate(&s->faults, argv[1], &cause);
	else if (strcmp(argv[0], "partition") == 0)
		rv = faults_partition(&s->faults, argc - 1, argv + 1, &cause);
	else if (strcmp(argv[0], "heal") == 0 && argc <= 2)
		rv = faults_heal(&s->faults, argc == 2 ? argv[1] : NULL,
		    &cause);
	else if (strcmp(argv[0], "delay") == 0 && argc == 4)
		rv = faults_delay(&s->faults, argv[1], argv[2], argv[3],
		    &cause);
	else {
		control_fail(c, 2, "usage: isolate SET | partition SET... | "
		    "heal [SET] | delay FROM TO MS (a SET: 1,2,... or all)");
		return;
	}
	if (rv == -1) {
		control_fail(c, 2, "%s", cause);
		free(cause);
		return;
	}
	faults_describe(&s->faults, pic, sizeof(pic));
	sup_note(s, 0, "network: %s", pic);
	if ((n = sup_faults_apply(s, control_rule_cb, c)) == 0) {
		control_printf(c, "%s\n", pic);
		control_end(c, 0);
		return;
	}
	c->wait = CW_REPLIES;
	c->outstanding = n;
}

static void
control_expire_cb(void *arg, struct sup_server *srv, int ok,
    const char *text)
{
	struct control_conn	*c = arg;

	(void)srv;
	if (ok) {
		control_printf(c, "expired\n");
		control_end(c, 0);
	} else
		control_fail(c, 1, "expire: %s", text);
}

/* expire 0xSESSION: by the leader, or any server that serves. */
static void
control_expire(struct control_conn *c, int argc, char **argv)
{
	struct sup		*s = c->ctl->sup;
	const struct cond_view	*v;
	struct sup_server	*srv = NULL;
	size_t			 i;
	int64_t			 sid;

	if (argc != 2 || strncmp(argv[1], "0x", 2) != 0 ||
	    strlen(argv[1]) < 3 || strlen(argv[1]) > 18 ||
	    strspn(argv[1] + 2, "0123456789abcdefABCDEF") !=
	    strlen(argv[1]) - 2) {
		control_fail(c, 2, "usage: expire 0xSESSION");
		return;
	}
	if ((sid = sup_pick(s, "leader")) != 0)
		srv = sup_server(s, sid);
	v = sup_views(s);
	for (i = 0; srv == NULL && i < s->nsrv; i++)
		if (cond_serves(&v[i]))
			srv = &s->srv[i];
	if (srv == NULL || sup_send(s, srv, control_expire_cb, c,
	    "expire session=%s", argv[1]) == -1) {
		control_fail(c, 1, "expire: no server serves");
		return;
	}
	c->wait = CW_REPLIES;
	c->outstanding = 1;
}

static void
control_elect_cb(void *arg, int status, const char *msg)
{
	struct control_conn	*c = arg;

	if (status == 0) {
		control_printf(c, "%s\n", msg);
		control_end(c, 0);
	} else
		control_fail(c, status, "elect: %s", msg);
}

/* elect ID: hand leadership to ID (elect.c). */
static void
control_elect(struct control_conn *c, int argc, char **argv)
{
	struct sup	*s = c->ctl->sup;
	char		*cause = NULL;
	int64_t		 sid;

	if (argc != 2) {
		control_fail(c, 2, "usage: elect ID");
		return;
	}
	if ((sid = sup_pick(s, argv[1])) == 0) {
		control_fail(c, 1, "%s: no such server", argv[1]);
		return;
	}
	c->wait = CW_ELECT;
	if (elect_start(s, sid, control_elect_cb, c, &cause) == -1) {
		c->wait = CW_NONE;
		control_fail(c, 1, "elect: %s", cause);
		free(cause);
	}
}

/* events [-f] | events -t [-w columns] */
static void
control_events(struct control_conn *c, int argc, char **argv)
{
	struct sup	*s = c->ctl->sup;
	char		*pic, *end;
	long		 width = 60;
	int		 i, follow = 0, timeline = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-f") == 0)
			follow = 1;
		else if (strcmp(argv[i], "-t") == 0 ||
		    strcmp(argv[i], "--timeline") == 0)
			timeline = 1;
		else if (strcmp(argv[i], "-w") == 0 && i + 1 < argc) {
			width = strtol(argv[++i], &end, 10);
			if (*end != '\0' || width < 10 || width > 1000) {
				control_fail(c, 2, "events: -w takes 10 to "
				    "1000 columns");
				return;
			}
		} else {
			control_fail(c, 2, "usage: events [-f] | events -t "
			    "[-w columns]");
			return;
		}
	}
	if (timeline && follow) {
		control_fail(c, 2, "events: -t draws what happened so far; "
		    "no -f with it");
		return;
	}
	if (timeline) {
		if ((pic = timeline_render(&s->tl, sup_ms(s), (int)width)) ==
		    NULL) {
			control_fail(c, 1, "events: out of memory");
			return;
		}
		control_printf(c, "%s", pic);
		free(pic);
		control_end(c, 0);
		return;
	}
	control_send_events(c);
	if (follow)
		c->wait = CW_EVENTS;
	else
		control_end(c, 0);
}

static void
control_command(struct control_conn *c, int argc, char **argv)
{
	struct sup	*s = c->ctl->sup;
	struct sup_server *srv;
	char		*cs;
	int64_t		 sid;

	if (strcmp(argv[0], "status") == 0) {
		control_status(c);
	} else if (strcmp(argv[0], "leader") == 0) {
		if ((sid = sup_pick(s, "leader")) == 0)
			control_fail(c, 1, "no leader");
		else {
			control_printf(c, "%lld\n", (long long)sid);
			control_end(c, 0);
		}
	} else if (strcmp(argv[0], "wait") == 0) {
		control_wait(c, argc, argv);
	} else if (strcmp(argv[0], "kill") == 0 ||
	    strcmp(argv[0], "pause") == 0 ||
	    strcmp(argv[0], "resume") == 0) {
		control_kill(c, argc, argv);
	} else if (strcmp(argv[0], "start") == 0 ||
	    strcmp(argv[0], "stop") == 0 ||
	    strcmp(argv[0], "restart") == 0) {
		control_life(c, argc, argv);
	} else if (strcmp(argv[0], "port") == 0 && argc == 2) {
		if ((sid = sup_pick(s, argv[1])) == 0)
			control_fail(c, 1, "%s: no such server", argv[1]);
		else {
			srv = sup_server(s, sid);
			control_printf(c, "%d %s\n", srv->client_port,
			    srv->dir);
			control_end(c, 0);
		}
	} else if (strcmp(argv[0], "env") == 0) {
		cs = sup_connect_string(s);
		control_printf(c, "ZK_SERVERS=%s\nZK_RUNDIR=%s\n", cs,
		    s->c.rundir);
		free(cs);
		control_end(c, 0);
	} else if (strcmp(argv[0], "events") == 0) {
		control_events(c, argc, argv);
	} else if (strcmp(argv[0], "down") == 0) {
		c->wait = CW_DOWN;
		sup_down(s);
	} else if (strcmp(argv[0], "isolate") == 0 ||
	    strcmp(argv[0], "partition") == 0 ||
	    strcmp(argv[0], "heal") == 0 ||
	    strcmp(argv[0], "delay") == 0) {
		control_network(c, argc, argv);
	} else if (strcmp(argv[0], "expire") == 0) {
		control_expire(c, argc, argv);
	} else if (strcmp(argv[0], "elect") == 0) {
		control_elect(c, argc, argv);
	} else if (strcmp(argv[0], "ping") == 0) {
		control_printf(c, "pid %d\n", (int)getpid());
		control_end(c, 0);
	} else {
		control_fail(c, 2, "unknown command %s", argv[0]);
	}
}

/* After a change: answer the waits that now hold; feed events -f. */
void
control_changed(struct control *ctl)
{
	struct control_conn	*c, *next;

	for (c = TAILQ_FIRST(&ctl->conns); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (c->wait == CW_COND && control_conds_hold(c))
			control_end(c, 0);
		else if (c->wait == CW_EVENTS)
			control_send_events(c);
	}
}

/*
 * Every server is gone: answer every connection (down and events -f
 * succeed, the rest fail), then break the loop once all is written.
 */
void
control_gone(struct control *ctl)
{
	struct control_conn	*c;

	ctl->closing = 1;
	if (ctl->lis != NULL) {
		evconnlistener_free(ctl->lis);
		ctl->lis = NULL;
	}
	TAILQ_FOREACH(c, &ctl->conns, entry) {
		if (c->done)
			continue;
		if (c->wait == CW_EVENTS)
			control_send_events(c);
		if (c->wait == CW_DOWN || c->wait == CW_EVENTS)
			control_end(c, 0);
		else
			control_fail(c, 1, "the ensemble went down");
	}
	if (TAILQ_EMPTY(&ctl->conns))
		event_base_loopbreak(ctl->sup->base);
}
