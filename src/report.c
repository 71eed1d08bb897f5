/* SPDX-License-Identifier: ISC */
/*
 * report.c: the side door to the supervisor (edges layer).  The message
 * format, its ordering and its flow control are in report.h.
 *
 * One descriptor, one bufferevent, never a blocking call inside the loop.
 * Messages about the server go to the bufferevent's output; replies wait
 * in a buffer of their own until the end of the loop turn (report_turn,
 * called after the pipeline has flushed), so that a reply follows the
 * effects of its command: Redis's beforeSleep order, persist, then
 * answer.  zxid and sessions are compared with what was last sent at the
 * end of each turn, which coalesces them to one message per turn whatever
 * the load.  The output is written as far as the socket takes it at the
 * end of each turn, and as soon as a message is queued outside the loop
 * (hello, state and ready at start-up); the rest goes when the socket is
 * writable.  Only bye, at exit, waits for the socket, REPORT_BYE_MS at
 * most.
 *
 * A bad command line is answered and forgotten; nothing read here can end
 * the server except quit and the end of the descriptor.
 */
#include <sys/queue.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/util.h>

#include "ensemble.h"
#include "log.h"
#include "report.h"
#include "tree.h"
#include "util.h"
#include "xmalloc.h"
#include "zkd.h"

#define REPORT_FIELDS_MAX	8	/* key=value fields in a command */
#define REPORT_ID_MAX		64
#define REPORT_BYE_MS		1000	/* at most, to write bye at exit */

struct report_cmd {
	const char	*id;
	const char	*verb;
	char		*key[REPORT_FIELDS_MAX];
	char		*value[REPORT_FIELDS_MAX];
	int		 nfields;
};

struct report_verb {
	const char	*name;
	const char	*keys[4];	/* the fields it takes */
	void		(*run)(struct report_cmd *);
};

/*
 * A command whose reply waits for the pipeline (expire: its closeSession
 * must commit first).  Replies of later commands wait behind it, in
 * `after`, so that replies keep the order of their commands.
 */
struct report_slot {
	TAILQ_ENTRY(report_slot) entry;
	struct evbuffer		*reply;		/* its own, once done */
	struct evbuffer		*after;		/* those of later commands */
	char			 id[REPORT_ID_MAX + 1];
	int64_t			 session;
	int			 done;
	int			 orphan;	/* the side door closed first */
};

struct report {
	struct bufferevent	*bev;
	struct evbuffer		*replies;	/* this turn's, sent at its end */
	TAILQ_HEAD(report_slot_head, report_slot) slots; /* to come */
	int			 fd;
	int			 skipping;	/* the rest of an over-long line */
	int			 paused;	/* not reading: output too long */
	int			 quitting;	/* quit read: no more commands */
	int			 gone;		/* end of file or error */
	int64_t			 zxid;		/* the last sent */
	size_t			 sessions;	/* the last sent */
};

static struct report	*report;

static void	 report_read_cb(struct bufferevent *, void *);
static void	 report_write_cb(struct bufferevent *, void *);
static void	 report_event_cb(struct bufferevent *, short, void *);
static int	 report_put(int, const char *, ...)
		    __attribute__((__format__(printf, 2, 3)));
static void	 report_reply(const char *, ...)
		    __attribute__((__format__(printf, 1, 2)));
static void	 report_ok(struct report_cmd *, const char *, ...)
		    __attribute__((__format__(printf, 2, 3)));
static void	 report_error(const char *, const char *, const char *, ...)
		    __attribute__((__format__(printf, 3, 4)));
static void	 report_slot_free(struct report_slot *);
static void	 report_cmd_expire(struct report_cmd *);
static void	 report_cmd_fault(struct report_cmd *);
static void	 report_cmd_ping(struct report_cmd *);
static void	 report_cmd_prefer(struct report_cmd *);
static void	 report_cmd_quit(struct report_cmd *);
static void	 report_cmd_stats(struct report_cmd *);
static void	 report_cmd_verbose(struct report_cmd *);

/* The commands, sorted by name. */
static const struct report_verb report_verbs[] = {
	{ "expire",	{ "session" },	report_cmd_expire },
	{ "fault",	{ "peers", "action", "ms" },	report_cmd_fault },
	{ "ping",	{ NULL },	report_cmd_ping },
	{ "prefer",	{ "leader" },	report_cmd_prefer },
	{ "quit",	{ NULL },	report_cmd_quit },
	{ "stats",	{ NULL },	report_cmd_stats },
	{ "verbose",	{ "level" },	report_cmd_verbose },
};

static const char *const report_state_names[] = {
	[REPORT_STANDALONE] = "STANDALONE",
	[REPORT_LOOKING] = "LOOKING",
	[REPORT_FOLLOWING] = "FOLLOWING",
	[REPORT_LEADING] = "LEADING",
	[REPORT_OBSERVING] = "OBSERVING",
};

/*
 * Takes descriptor fd as the side door: it must be a socket, or a FIFO
 * open for reading and writing, and 3 or above.  Makes it non-blocking and
 * close-on-exec.  Returns 0, or -1 with *cause (the caller frees it).
 */
int
report_open(struct event_base *base, int fd, char **cause)
{
	struct stat	 st;
	int		 fl;

	if (fd < 3) {
		xasprintf(cause, "-c %d: the side door must be descriptor 3 "
		    "or above (0 to 2 are the standard streams)", fd);
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		xasprintf(cause, "-c %d: descriptor %d is not open (%s); "
		    "start zkd with one end of a socketpair on it", fd, fd,
		    strerror(errno));
		return -1;
	}
	if (S_ISFIFO(st.st_mode)) {
		if ((fl = fcntl(fd, F_GETFL)) == -1 ||
		    (fl & O_ACCMODE) != O_RDWR) {
			xasprintf(cause, "-c %d: descriptor %d is a one-way "
			    "pipe; the side door needs both directions (a "
			    "socketpair)", fd, fd);
			return -1;
		}
	} else if (!S_ISSOCK(st.st_mode)) {
		xasprintf(cause, "-c %d: descriptor %d is neither a socket "
		    "nor a pipe", fd, fd);
		return -1;
	}
	if (evutil_make_socket_nonblocking(fd) == -1 ||
	    evutil_make_socket_closeonexec(fd) == -1) {
		xasprintf(cause, "-c %d: %s", fd, strerror(errno));
		return -1;
	}
	report = xcalloc(1, sizeof(*report));
	report->fd = fd;
	TAILQ_INIT(&report->slots);
	if ((report->replies = evbuffer_new()) == NULL)
		fatalx("evbuffer_new");
	report->bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (report->bev == NULL)
		fatalx("bufferevent_socket_new");
	bufferevent_setcb(report->bev, report_read_cb, report_write_cb,
	    report_event_cb, NULL);
	bufferevent_setwatermark(report->bev, EV_WRITE,
	    REPORT_OUTPUT_HIGH / 2, 0);
	bufferevent_enable(report->bev, EV_READ | EV_WRITE);
	return 0;
}

static size_t
report_pending(void)
{
	return evbuffer_get_length(bufferevent_get_output(report->bev)) +
	    evbuffer_get_length(report->replies);
}

static void
report_vadd(struct evbuffer *b, const char *fmt, va_list ap)
{
	char	 line[REPORT_LINE_MAX];
	int	 n;

	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	/* Every message is built from bounded fields. */
	if (n < 0 || (size_t)n >= sizeof(line) - 1)
		fatalx("side door message too long");
	line[n++] = '\n';
	if (evbuffer_add(b, line, (size_t)n) == -1)
		fatalx("evbuffer_add");
}

/*
 * Queues a message for the supervisor.  One that may be held back (zxid,
 * sessions) is while the output is over the high mark: returns -1 then.
 */
static int
report_put(int droppable, const char *fmt, ...)
{
	va_list	 ap;

	if (droppable && report_pending() > REPORT_OUTPUT_HIGH)
		return -1;
	va_start(ap, fmt);
	report_vadd(bufferevent_get_output(report->bev), fmt, ap);
	va_end(ap);
	return 0;
}

/*
 * Writes the output now, waiting up to wait_ms for the socket to take it
 * (0: one non-blocking attempt; what is left goes out from the loop).
 */
static void
report_write(int wait_ms)
{
	struct evbuffer	*out = bufferevent_get_output(report->bev);
	struct pollfd	 pfd;
	int64_t		 deadline = util_now_ms() + wait_ms, left;
	int		 n;

	while (evbuffer_get_length(out) > 0) {
		/* A bufferevent keeps the start of its output frozen. */
		evbuffer_unfreeze(out, 1);
		n = evbuffer_write(out, report->fd);
		evbuffer_freeze(out, 1);
		if (n > 0)
			continue;
		if (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != EINTR)
			return;
		if ((left = deadline - util_now_ms()) <= 0)
			return;
		pfd.fd = report->fd;
		pfd.events = POLLOUT;
		pfd.revents = 0;
		if (poll(&pfd, 1, (int)left) == -1 && errno != EINTR)
			return;
	}
}

/* Reads commands again once the output has drained to half the mark. */
static void
report_maybe_resume(void)
{
	if (!report->paused || report->gone ||
	    report_pending() > REPORT_OUTPUT_HIGH / 2)
		return;
	report->paused = 0;
	log_debug("side door: the supervisor reads again, so do we");
	bufferevent_enable(report->bev, EV_READ);
	/* Lines already buffered, from a later callback. */
	bufferevent_trigger(report->bev, EV_READ, BEV_TRIG_IGNORE_WATERMARKS |
	    BEV_TRIG_DEFER_CALLBACKS);
}

/* The first message: who this is, before the data directory is loaded. */
void
report_hello(int64_t sid, int client_port, const char *mode)
{
	if (report == NULL)
		return;
	report_put(0, "hello sid=%lld pid=%d version=%s client=%d mode=%s",
	    (long long)sid, (int)getpid(), PACKAGE_VERSION, client_port, mode);
	report_write(0);
}

/* The server's role changed; zxid is the last applied. */
void
report_state(enum report_state state, int64_t leader, int64_t epoch,
    int64_t zxid)
{
	if (report == NULL)
		return;
	report_put(0, "state state=%s leader=%lld epoch=%lld zxid=0x%llx",
	    report_state_names[state], (long long)leader, (long long)epoch,
	    (unsigned long long)zxid);
	report->zxid = zxid;
	report_write(0);
}

/* A ZAB phase began (DISCOVERY, SYNCHRONIZATION, BROADCAST, ELECTION). */
void
report_phase(const char *phase, int64_t epoch, const char *sync)
{
	char	 up[32];
	size_t	 i;

	if (report == NULL)
		return;
	for (i = 0; phase[i] != '\0' && i < sizeof(up) - 1; i++)
		up[i] = (char)toupper((unsigned char)phase[i]);
	up[i] = '\0';
	if (sync != NULL)
		report_put(0, "phase phase=%s epoch=%lld sync=%s", up,
		    (long long)epoch, sync);
	else
		report_put(0, "phase phase=%s epoch=%lld", up,
		    (long long)epoch);
	report_write(0);
}

/* The server takes clients. */
void
report_ready(int client_port)
{
	if (report == NULL)
		return;
	report_put(0, "ready client=%d pid=%d", client_port, (int)getpid());
	report_write(0);
}

/* Queues zxid and sessions if they changed since last sent (or held). */
static void
report_changes(void)
{
	int64_t	 zxid = zkd->tree->last_zxid;
	size_t	 n = zkd->sessions.count;

	if (zxid != report->zxid && report_put(1, "zxid zxid=0x%llx",
	    (unsigned long long)zxid) == 0)
		report->zxid = zxid;
	if (n != report->sessions && report_put(1, "sessions n=%zu", n) == 0)
		report->sessions = n;
}

/*
 * The end of a loop turn: the zxid and the session count if they changed,
 * then the replies of the turn, written as far as the socket takes them.
 */
void
report_turn(void)
{
	struct evbuffer	*out;

	if (report == NULL || report->gone)
		return;
	report_changes();
	out = bufferevent_get_output(report->bev);
	if (evbuffer_get_length(report->replies) > 0 &&
	    evbuffer_add_buffer(out, report->replies) == -1)
		fatalx("evbuffer_add_buffer");
	report_write(0);
	/*
	 * That write may have drained the output that held a change back,
	 * and no event may come to end another turn: the change goes now.
	 */
	report_changes();
	report_write(0);
	report_maybe_resume();
}

/*
 * The last message, before a clean exit with status: written with what is
 * still queued, waiting a little for a slow reader.  Closes the side door.
 */
void
report_bye(int status)
{
	struct report_slot *slot;
	struct evbuffer	*out;

	if (report == NULL)
		return;
	out = bufferevent_get_output(report->bev);
	evbuffer_add_buffer(out, report->replies);
	/* Replies still to come will not: the commands behind them have. */
	while ((slot = TAILQ_FIRST(&report->slots)) != NULL) {
		TAILQ_REMOVE(&report->slots, slot, entry);
		if (!slot->done)
			report_put(0, "reply id=%s error=lost "
			    "msg=shutting-down", slot->id);
		evbuffer_add_buffer(out, slot->reply);
		evbuffer_add_buffer(out, slot->after);
		if (slot->done)
			report_slot_free(slot);
		else
			slot->orphan = 1;
	}
	report_put(0, "bye status=%d", status);
	report_write(REPORT_BYE_MS);
	bufferevent_free(report->bev);
	evbuffer_free(report->replies);
	free(report);
	report = NULL;
}

/*
 * Queues a reply for the end of the turn, or behind the replies still to
 * come of earlier commands.
 */
static void
report_reply(const char *fmt, ...)
{
	struct report_slot	*slot = TAILQ_LAST(&report->slots,
				    report_slot_head);
	va_list			 ap;

	va_start(ap, fmt);
	report_vadd(slot != NULL ? slot->after : report->replies, fmt, ap);
	va_end(ap);
}

/* A reply that the pipeline will give: a place for it in the order. */
static struct report_slot *
report_slot_new(const char *id, int64_t session)
{
	struct report_slot	*slot;

	slot = xcalloc(1, sizeof(*slot));
	if ((slot->reply = evbuffer_new()) == NULL ||
	    (slot->after = evbuffer_new()) == NULL)
		fatalx("evbuffer_new");
	strlcpy(slot->id, id, sizeof(slot->id));
	slot->session = session;
	TAILQ_INSERT_TAIL(&report->slots, slot, entry);
	return slot;
}

static void
report_slot_free(struct report_slot *slot)
{
	evbuffer_free(slot->reply);
	evbuffer_free(slot->after);
	free(slot);
}

/* Moves the replies now due, in command order, to the turn's replies. */
static void
report_slots_drain(void)
{
	struct report_slot	*slot;

	while ((slot = TAILQ_FIRST(&report->slots)) != NULL && slot->done) {
		TAILQ_REMOVE(&report->slots, slot, entry);
		if (evbuffer_add_buffer(report->replies, slot->reply) == -1 ||
		    evbuffer_add_buffer(report->replies, slot->after) == -1)
			fatalx("evbuffer_add_buffer");
		report_slot_free(slot);
	}
}

/*
 * The end of an expire's closeSession (request.h, done): applied, or
 * forgotten when the server left broadcast before it committed (then it
 * may still commit under the next leader: the supervisor is told so).
 */
static void
report_expire_done(void *arg, int applied)
{
	struct report_slot	*slot = arg;
	char			 line[REPORT_LINE_MAX];

	if (slot->orphan) {
		report_slot_free(slot);
		return;
	}
	if (applied)
		snprintf(line, sizeof(line), "reply id=%s ok session=0x%llx\n",
		    slot->id, (unsigned long long)slot->session);
	else
		snprintf(line, sizeof(line), "reply id=%s error=lost "
		    "msg=left-broadcast-before-the-expiry-of-0x%llx-committed"
		    "\n", slot->id, (unsigned long long)slot->session);
	if (evbuffer_add(slot->reply, line, strlen(line)) == -1)
		fatalx("evbuffer_add");
	slot->done = 1;
	report_slots_drain();
}

/* reply id=ID ok, then the fields fmt makes (none if it is ""). */
static void
report_ok(struct report_cmd *cmd, const char *fmt, ...)
{
	char	 fields[REPORT_LINE_MAX / 2];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(fields, sizeof(fields), fmt, ap);
	va_end(ap);
	report_reply("reply id=%s ok%s%s", cmd->id, fields[0] != '\0' ?
	    " " : "", fields);
}

/* reply id=ID error=WORD msg=TEXT; TEXT must have no spaces. */
static void
report_error(const char *id, const char *word, const char *fmt, ...)
{
	char	 msg[REPORT_LINE_MAX / 2];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_debug("side door: command %s: %s (%s)", id, word, msg);
	report_reply("reply id=%s error=%s msg=%s", id, word, msg);
}

static const char *
report_field(struct report_cmd *cmd, const char *key)
{
	int	 i;

	for (i = 0; i < cmd->nfields; i++)
		if (strcmp(cmd->key[i], key) == 0)
			return cmd->value[i];
	return NULL;
}

static void
report_cmd_ping(struct report_cmd *cmd)
{
	report_ok(cmd, "%s", "");
}

static void
report_cmd_verbose(struct report_cmd *cmd)
{
	const char	*v, *errstr;
	long long	 level;

	if ((v = report_field(cmd, "level")) == NULL) {
		report_error(cmd->id, "badarg", "level=N-is-required");
		return;
	}
	level = strtonum(v, 0, 9, &errstr);
	if (errstr != NULL) {
		report_error(cmd->id, "badarg", "level-is-0-to-9");
		return;
	}
	log_setverbose((int)level);
	log_info("log verbosity %lld, set by the supervisor", level);
	report_ok(cmd, "level=%lld", level);
}

static void
report_cmd_prefer(struct report_cmd *cmd)
{
	const char	*v, *errstr;
	long long	 sid;

	if (zkd->ens == NULL) {
		report_error(cmd->id, "badarg", "a-standalone-server-has-no-"
		    "election");
		return;
	}
	if ((v = report_field(cmd, "leader")) == NULL) {
		report_error(cmd->id, "badarg", "leader=N-is-required");
		return;
	}
	sid = strtonum(v, 0, INT64_MAX, &errstr);
	if (errstr != NULL || ensemble_prefer(sid) == -1) {
		report_error(cmd->id, "badarg", "leader-is-a-voter-or-0");
		return;
	}
	report_ok(cmd, "leader=%lld", sid);
}

/* A session id as sent: 0x and 1 to 16 hexadecimal digits. */
static int
report_parse_session(const char *v, int64_t *id)
{
	unsigned long long	 n;
	char			*end;
	size_t			 len = strlen(v);

	if (len < 3 || len > 18 || v[0] != '0' || (v[1] != 'x' &&
	    v[1] != 'X') || strspn(v + 2, "0123456789abcdefABCDEF") !=
	    len - 2)
		return -1;
	errno = 0;
	n = strtoull(v + 2, &end, 16);
	if (errno != 0 || *end != '\0')
		return -1;
	*id = (int64_t)n;
	return 0;
}

static void
report_cmd_expire(struct report_cmd *cmd)
{
	struct report_slot	*slot;
	const char		*v;
	int64_t			 id;

	if ((v = report_field(cmd, "session")) == NULL) {
		report_error(cmd->id, "badarg", "session=0xS-is-required");
		return;
	}
	if (report_parse_session(v, &id) == -1) {
		report_error(cmd->id, "badarg", "session-is-0x-and-hex-digits");
		return;
	}
	slot = report_slot_new(cmd->id, id);
	switch (zkd_expire_session(id, "expired by the supervisor",
	    report_expire_done, slot)) {
	case 0:
		return;
	case -1:
		TAILQ_REMOVE(&report->slots, slot, entry);
		report_slot_free(slot);
		report_error(cmd->id, "nosession", "no-live-session-0x%llx",
		    (unsigned long long)id);
		return;
	default:
		TAILQ_REMOVE(&report->slots, slot, entry);
		report_slot_free(slot);
		report_error(cmd->id, "notserving", "no-leader-to-expire-"
		    "0x%llx-now", (unsigned long long)id);
		return;
	}
}

/* A list of peers: "all", or sids separated by commas (at most 64). */
static int
report_parse_peers(const char *v, int64_t *sids, size_t *n)
{
	char		 buf[REPORT_LINE_MAX], *p = buf, *t;
	const char	*errstr;

	*n = 0;
	if (strcmp(v, "all") == 0)
		return 0;
	if (strlcpy(buf, v, sizeof(buf)) >= sizeof(buf))
		return -1;
	while ((t = strsep(&p, ",")) != NULL) {
		if (*n == 64)
			return -1;
		sids[(*n)++] = strtonum(t, 1, INT64_MAX, &errstr);
		if (errstr != NULL)
			return -1;
	}
	return 0;
}

static void
report_cmd_fault(struct report_cmd *cmd)
{
	const char		*peers, *action, *ms, *errstr;
	enum fault_action	 a;
	int64_t			 sids[64], bad;
	long long		 delay = 0;
	size_t			 n;

	peers = report_field(cmd, "peers");
	action = report_field(cmd, "action");
	ms = report_field(cmd, "ms");
	if (zkd->ens == NULL) {
		report_error(cmd->id, "badarg", "a-standalone-server-has-no-"
		    "peers");
		return;
	}
	if (peers == NULL || report_parse_peers(peers, sids, &n) == -1) {
		report_error(cmd->id, "badarg", "peers=all-or-sids-separated-"
		    "by-commas");
		return;
	}
	if (action == NULL) {
		report_error(cmd->id, "badarg", "action=drop|delay|heal-is-"
		    "required");
		return;
	}
	if (strcmp(action, "drop") == 0)
		a = FAULT_DROP;
	else if (strcmp(action, "heal") == 0)
		a = FAULT_HEAL;
	else if (strcmp(action, "delay") == 0)
		a = FAULT_DELAY;
	else {
		report_error(cmd->id, "badarg", "action-is-drop-delay-or-heal");
		return;
	}
	if ((a == FAULT_DELAY) != (ms != NULL)) {
		report_error(cmd->id, "badarg", "ms=N-goes-with-delay-only");
		return;
	}
	if (ms != NULL) {
		delay = strtonum(ms, 1, 3600000, &errstr);
		if (errstr != NULL) {
			report_error(cmd->id, "badarg", "ms-is-1-to-3600000");
			return;
		}
	}
	if ((bad = ensemble_fault(sids, n, a, (int)delay)) != 0) {
		report_error(cmd->id, "badarg", "server-%lld-is-no-peer",
		    (long long)bad);
		return;
	}
	if (ms != NULL)
		report_ok(cmd, "peers=%s action=%s ms=%lld", peers, action,
		    delay);
	else
		report_ok(cmd, "peers=%s action=%s", peers, action);
}

static void
report_cmd_stats(struct report_cmd *cmd)
{
	report_ok(cmd, "sessions=%zu connections=%zu zxid=0x%llx nodes=%zu",
	    zkd->sessions.count, zkd->nconns,
	    (unsigned long long)zkd->tree->last_zxid,
	    tree_node_count(zkd->tree));
}

static void
report_cmd_quit(struct report_cmd *cmd)
{
	report_ok(cmd, "%s", "");
	report->quitting = 1;
	log_info("quit from the supervisor, shutting down");
	zkd_shutdown();
}

static int
report_id_valid(const char *id)
{
	size_t	 len = strlen(id);

	return len >= 1 && len <= REPORT_ID_MAX && strspn(id,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_.:-") == len;
}

/*
 * One command line (NUL-terminated, without its LF): checked whole before
 * anything of it is echoed, then run.  Every outcome is one reply.
 */
static void
report_command(char *line, size_t len)
{
	struct report_cmd		 cmd;
	const struct report_verb	*v = NULL;
	char				*tok[REPORT_FIELDS_MAX + 2], *p = line;
	char				*t, *eq;
	size_t				 i, ntok = 0;
	int				 j, k;

	for (i = 0; i < len; i++)
		if ((unsigned char)line[i] < 0x20 ||
		    (unsigned char)line[i] > 0x7e) {
			report_error("-", "malformed", "not-printable-ascii");
			return;
		}
	while ((t = strsep(&p, " ")) != NULL) {
		if (*t == '\0')
			continue;
		if (ntok < sizeof(tok) / sizeof(tok[0]))
			tok[ntok] = t;
		ntok++;
	}
	if (ntok == 0 || !report_id_valid(tok[0])) {
		report_error("-", "malformed", "expected-ID-verb-fields");
		return;
	}
	if (ntok == 1) {
		report_error("-", "malformed", "no-verb");
		return;
	}
	memset(&cmd, 0, sizeof(cmd));
	cmd.id = tok[0];
	cmd.verb = tok[1];
	for (i = 0; i < sizeof(report_verbs) / sizeof(report_verbs[0]); i++)
		if (strcmp(report_verbs[i].name, cmd.verb) == 0)
			v = &report_verbs[i];
	if (v == NULL) {
		report_error(cmd.id, "unknown", "no-verb-%.32s", cmd.verb);
		return;
	}
	if (ntok > sizeof(tok) / sizeof(tok[0])) {
		report_error(cmd.id, "badarg", "too-many-fields");
		return;
	}
	for (i = 2; i < ntok; i++) {
		t = tok[i];
		if ((eq = strchr(t, '=')) == NULL || eq == t ||
		    eq[1] == '\0') {
			report_error(cmd.id, "badarg", "fields-are-key=value");
			return;
		}
		*eq = '\0';
		cmd.key[cmd.nfields] = t;
		cmd.value[cmd.nfields++] = eq + 1;
	}
	for (j = 0; j < cmd.nfields; j++) {
		for (k = 0; k < 4 && v->keys[k] != NULL; k++)
			if (strcmp(v->keys[k], cmd.key[j]) == 0)
				break;
		if (k == 4 || v->keys[k] == NULL) {
			report_error(cmd.id, "badarg", "unknown-field-%.32s",
			    cmd.key[j]);
			return;
		}
		for (k = 0; k < j; k++)
			if (strcmp(cmd.key[k], cmd.key[j]) == 0) {
				report_error(cmd.id, "badarg",
				    "repeated-field-%.32s", cmd.key[j]);
				return;
			}
	}
	v->run(&cmd);
}

static void
report_read_cb(struct bufferevent *bev, void *arg)
{
	struct evbuffer	*in = bufferevent_get_input(bev);
	char		*line;
	size_t		 len;

	(void)arg;
	while (!report->gone) {
		if (report->quitting) {
			evbuffer_drain(in, evbuffer_get_length(in));
			return;
		}
		if (report_pending() > REPORT_OUTPUT_HIGH) {
			/* The supervisor does not read its replies. */
			log_debug("side door: %zu bytes wait for the "
			    "supervisor; commands wait too", report_pending());
			report->paused = 1;
			bufferevent_disable(bev, EV_READ);
			return;
		}
		line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF);
		if (line == NULL) {
			if (evbuffer_get_length(in) >= REPORT_LINE_MAX) {
				if (!report->skipping)
					report_error("-", "malformed",
					    "line-over-%d-bytes",
					    REPORT_LINE_MAX);
				report->skipping = 1;
				evbuffer_drain(in, evbuffer_get_length(in));
			}
			return;
		}
		if (report->skipping)
			report->skipping = 0;	/* the over-long line's end */
		else if (len >= REPORT_LINE_MAX)
			report_error("-", "malformed", "line-over-%d-bytes",
			    REPORT_LINE_MAX);
		else
			report_command(line, len);
		free(line);
	}
}

/*
 * Takes the commands already waiting on the side door, before the first
 * turn of the event loop: a supervisor writes a new server's fault rules
 * ahead of everything, and they must hold before any peer traffic.
 */
void
report_early(void)
{
	struct evbuffer	*in;

	if (report == NULL)
		return;
	in = bufferevent_get_input(report->bev);
	while (evbuffer_get_length(in) < REPORT_OUTPUT_HIGH &&
	    evbuffer_read(in, report->fd, 4096) > 0)
		;
	report_read_cb(report->bev, NULL);
}

static void
report_write_cb(struct bufferevent *bev, void *arg)
{
	(void)bev;
	(void)arg;
	report_maybe_resume();
}

/* End of file or an error: the supervisor is gone, and so is zkd. */
static void
report_event_cb(struct bufferevent *bev, short what, void *arg)
{
	(void)arg;
	if (report->gone)
		return;
	report->gone = 1;
	bufferevent_disable(bev, EV_READ | EV_WRITE);
	if (what & BEV_EVENT_EOF)
		log_info("the supervisor closed the side door (descriptor "
		    "%d), shutting down", report->fd);
	else
		log_warnx("side door (descriptor %d): %s, shutting down",
		    report->fd, strerror(EVUTIL_SOCKET_ERROR()));
	zkd_shutdown();
}
