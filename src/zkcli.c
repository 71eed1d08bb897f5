/* SPDX-License-Identifier: ISC */
/*
 * zkcli.c: zkcli's main program: options, the interactive shell, the one
 * session it holds through Apache's C client (libzookeeper-mt), and how
 * errors become messages and exit codes.
 *
 * zkcli [-j] [-s hosts] [-t ms] [command [arg ...]]
 *
 * The C client runs two threads of its own: one does the I/O, the other
 * calls watchers and completions.  The main thread only makes synchronous
 * calls and waits.  The session watcher (zkcli_session_cb) records the
 * session's state under the lock and signals the condition the main
 * thread waits on; node watchers (zkcli_watch_cb) queue their events under
 * the token of the command that armed them, so a command never consumes an
 * event meant for an earlier one.  In the interactive shell a -w watch
 * (token 0) prints its event the moment it fires.
 *
 * The session is opened by the first command that needs one and kept for
 * the whole shell; if it expires, or the server refuses an addauth, the
 * next command opens a new one.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zookeeper.h>

#include "util.h"
#include "xmalloc.h"
#include "zkcli.h"

#define ZKCLI_DEFAULT_SERVERS	"127.0.0.1:2181"
#define ZKCLI_DEFAULT_TIMEOUT	10000

/* Server codes the 3.8 C client's ZOO_ERRORS lacks. */
#define ZKCLI_ZREQUESTTIMEOUT	(-122)
#define ZKCLI_ZQUOTAEXCEEDED	(-125)

struct zkcli_errmap {
	int		 err;
	int		 code;
	const char	*words;
};

/* Words as the C client's zerror says them; codes as zkcli(1) lists them. */
static const struct zkcli_errmap zkcli_errmap[] = {
	{ ZSYSTEMERROR, ZKCLI_EXIT_ERROR, "system error" },
	{ ZRUNTIMEINCONSISTENCY, ZKCLI_EXIT_ERROR, "run time inconsistency" },
	{ ZDATAINCONSISTENCY, ZKCLI_EXIT_ERROR, "data inconsistency" },
	{ ZCONNECTIONLOSS, ZKCLI_EXIT_TIMEOUT, "connection loss" },
	{ ZMARSHALLINGERROR, ZKCLI_EXIT_ERROR, "marshalling error" },
	{ ZUNIMPLEMENTED, ZKCLI_EXIT_UNIMPLEMENTED, "unimplemented" },
	{ ZOPERATIONTIMEOUT, ZKCLI_EXIT_TIMEOUT, "operation timeout" },
	{ ZBADARGUMENTS, ZKCLI_EXIT_BADARGUMENTS, "bad arguments" },
	{ ZINVALIDSTATE, ZKCLI_EXIT_ERROR, "invalid zhandle state" },
	{ ZNEWCONFIGNOQUORUM, ZKCLI_EXIT_ERROR, "new config has no quorum" },
	{ ZRECONFIGINPROGRESS, ZKCLI_EXIT_ERROR, "reconfig in progress" },
	{ ZAPIERROR, ZKCLI_EXIT_ERROR, "api error" },
	{ ZNONODE, ZKCLI_EXIT_NONODE, "no node" },
	{ ZNOAUTH, ZKCLI_EXIT_NOAUTH, "not authenticated" },
	{ ZBADVERSION, ZKCLI_EXIT_BADVERSION, "bad version" },
	{ ZNOCHILDRENFOREPHEMERALS, ZKCLI_EXIT_NOCHILDRENFOREPHEMERALS,
	    "no children for ephemerals" },
	{ ZNODEEXISTS, ZKCLI_EXIT_NODEEXISTS, "node exists" },
	{ ZNOTEMPTY, ZKCLI_EXIT_NOTEMPTY, "not empty" },
	{ ZSESSIONEXPIRED, ZKCLI_EXIT_SESSIONEXPIRED, "session expired" },
	{ ZINVALIDCALLBACK, ZKCLI_EXIT_ERROR, "invalid callback" },
	{ ZINVALIDACL, ZKCLI_EXIT_INVALIDACL, "invalid acl" },
	{ ZAUTHFAILED, ZKCLI_EXIT_NOAUTH, "authentication failed" },
	{ ZCLOSING, ZKCLI_EXIT_ERROR, "zookeeper is closing" },
	{ ZSESSIONMOVED, ZKCLI_EXIT_ERROR, "session moved" },
	{ ZNOTREADONLY, ZKCLI_EXIT_ERROR, "not read-only" },
	{ ZEPHEMERALONLOCALSESSION, ZKCLI_EXIT_ERROR,
	    "ephemeral on local session" },
	{ ZNOWATCHER, ZKCLI_EXIT_ERROR, "no watcher" },
	{ ZKCLI_ZREQUESTTIMEOUT, ZKCLI_EXIT_TIMEOUT, "request timeout" },
	{ ZRECONFIGDISABLED, ZKCLI_EXIT_ERROR, "reconfig disabled" },
	{ ZSESSIONCLOSEDREQUIRESASLAUTH, ZKCLI_EXIT_ERROR,
	    "session closed, SASL authentication required" },
	{ ZKCLI_ZQUOTAEXCEEDED, ZKCLI_EXIT_ERROR, "quota exceeded" },
	{ ZTHROTTLEDOP, ZKCLI_EXIT_ERROR, "throttled" },
	{ ZKCLI_ERR_TIMEDOUT, ZKCLI_EXIT_TIMEOUT, "timed out" },
};

static void	 zkcli_usage(FILE *);
static void	 zkcli_init(struct zkcli *);
static void	 zkcli_close(struct zkcli *);
static void	 zkcli_session_cb(zhandle_t *, int, int, const char *, void *);
static void	 zkcli_deadline(int64_t, struct timespec *);
static int	 zkcli_session_timeout(struct zkcli *);
static int	 zkcli_run(struct zkcli *, int, char **);
static int	 zkcli_shell(struct zkcli *);
static int	 zkcli_split(char *, char ***);
static const struct zkcli_errmap *zkcli_errmap_find(int);

static void
zkcli_usage(FILE *f)
{
	fprintf(f, "usage: zkcli [-j] [-s hosts] [-t ms] [command [arg ...]]\n"
	    "commands:\n");
	zkcli_cmd_list(f);
}

/* Monotonic milliseconds. */
int64_t
zkcli_now_ms(void)
{
	return util_now_ms();
}

static void
zkcli_init(struct zkcli *z)
{
	pthread_condattr_t	 attr;

	memset(z, 0, sizeof(*z));
	pthread_mutex_init(&z->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&z->cond, &attr);
	pthread_condattr_destroy(&attr);
	TAILQ_INIT(&z->events);
	z->next_token = 1;
	z->timeout_ms = ZKCLI_DEFAULT_TIMEOUT;
}

static void
zkcli_close(struct zkcli *z)
{
	struct zkcli_event	*ev;
	size_t			 i;

	if (z->zh != NULL)
		zookeeper_close(z->zh);
	z->zh = NULL;
	while ((ev = TAILQ_FIRST(&z->events)) != NULL) {
		TAILQ_REMOVE(&z->events, ev, entry);
		zkcli_event_free(ev);
	}
	for (i = 0; i < z->nauths; i++) {
		free(z->auths[i].scheme);
		free(z->auths[i].cred);
	}
	free(z->auths);
	z->auths = NULL;
	z->nauths = 0;
}

/* The session watcher: state changes only (node watches have their own). */
static void
zkcli_session_cb(zhandle_t *zh, int type, int state, const char *path,
    void *ctx)
{
	struct zkcli	*z = ctx;

	if (type != ZOO_SESSION_EVENT)
		return;
	pthread_mutex_lock(&z->lock);
	if (state == ZOO_CONNECTED_STATE) {
		z->connects++;
		z->lost_at = 0;
	} else if (state == ZOO_EXPIRED_SESSION_STATE)
		z->expired = 1;
	else if (state == ZOO_AUTH_FAILED_STATE)
		z->auth_failed = 1;
	else if (z->state == ZOO_CONNECTED_STATE)
		z->lost_at = zkcli_now_ms();
	z->state = state;
	pthread_cond_broadcast(&z->cond);
	pthread_mutex_unlock(&z->lock);
}

static void
zkcli_deadline(int64_t ms, struct timespec *ts)
{
	ts->tv_sec = ms / 1000;
	ts->tv_nsec = (ms % 1000) * 1000000;
}

/* How long the session may stay disconnected before zkcli gives up on it. */
static int
zkcli_session_timeout(struct zkcli *z)
{
	int	 t = z->zh != NULL ? zoo_recv_timeout(z->zh) : 0;

	return t > z->timeout_ms ? t : z->timeout_ms;
}

/*
 * Opens the session if there is none (or a new one if it expired or its
 * authentication failed) and waits, at most -t ms, until it is connected.
 * Returns ZOK or the ZooKeeper error that explains why not.
 */
int
zkcli_connect(struct zkcli *z)
{
	zhandle_t	*old;
	struct timespec	 ts;
	int64_t		 deadline;
	int		 err = ZOK;

	pthread_mutex_lock(&z->lock);
	/* The C client reports a refused addauth by its state alone. */
	if (z->zh != NULL && (z->expired || z->auth_failed ||
	    is_unrecoverable(z->zh) != ZOK)) {
		old = z->zh;
		z->zh = NULL;
		pthread_mutex_unlock(&z->lock);
		zookeeper_close(old);
		zkcli_close(z);
		pthread_mutex_lock(&z->lock);
	}
	if (z->zh == NULL) {
		z->state = 0;
		z->expired = z->auth_failed = 0;
		z->lost_at = zkcli_now_ms();
		z->zh = zookeeper_init(z->hosts, zkcli_session_cb,
		    z->timeout_ms, NULL, z, 0);
		if (z->zh == NULL) {
			pthread_mutex_unlock(&z->lock);
			return ZBADARGUMENTS;
		}
	}
	while (z->state != ZOO_CONNECTED_STATE) {
		if (z->expired) {
			err = ZSESSIONEXPIRED;
			break;
		}
		if (z->auth_failed) {
			err = ZAUTHFAILED;
			break;
		}
		deadline = z->lost_at + z->timeout_ms;
		if (zkcli_now_ms() >= deadline) {
			err = ZCONNECTIONLOSS;
			break;
		}
		zkcli_deadline(deadline, &ts);
		pthread_cond_timedwait(&z->cond, &z->lock, &ts);
	}
	pthread_mutex_unlock(&z->lock);
	return err;
}

static const struct zkcli_errmap *
zkcli_errmap_find(int err)
{
	size_t	 i;

	for (i = 0; i < nitems(zkcli_errmap); i++)
		if (zkcli_errmap[i].err == err)
			return &zkcli_errmap[i];
	return NULL;
}

/* The exit code of a ZooKeeper (or zkcli) error code. */
int
zkcli_exit_code(int err)
{
	const struct zkcli_errmap	*m;

	if (err == ZOK)
		return ZKCLI_EXIT_OK;
	if (err == ZKCLI_ERR_USAGE)
		return ZKCLI_EXIT_USAGE;
	m = zkcli_errmap_find(err);
	return m != NULL ? m->code : ZKCLI_EXIT_ERROR;
}

/* The error in words, as the message on stderr shows it. */
const char *
zkcli_err_words(int err)
{
	const struct zkcli_errmap	*m = zkcli_errmap_find(err);

	return m != NULL ? m->words : "unknown error";
}

/*
 * Reports err about what (a path, usually) on stderr as
 * "zkcli: what: error in words" and returns its exit code.
 */
int
zkcli_error(struct zkcli *z, const char *what, int err)
{
	if (err == ZOK || err == ZKCLI_ERR_USAGE)
		return zkcli_exit_code(err);
	fflush(stdout);
	if (zkcli_errmap_find(err) != NULL)
		fprintf(stderr, "zkcli: %s: %s\n", what, zkcli_err_words(err));
	else
		fprintf(stderr, "zkcli: %s: error %d\n", what, err);
	return zkcli_exit_code(err);
}

/* A new token for the watches of one command. */
uintptr_t
zkcli_watch_token(struct zkcli *z)
{
	uintptr_t	 t;

	pthread_mutex_lock(&z->lock);
	t = z->next_token++;
	pthread_mutex_unlock(&z->lock);
	return t;
}

/*
 * The node watcher.  ctx is the token of the command that armed it: 0
 * prints the event now (a -w of the shell), anything else queues it for
 * zkcli_wait_event.
 */
void
zkcli_watch_cb(zhandle_t *zh, int type, int state, const char *path,
    void *ctx)
{
	struct zkcli		*z = (struct zkcli *)zoo_get_context(zh);
	struct zkcli_event	*ev;
	uintptr_t		 token = (uintptr_t)ctx;

	if (type == ZOO_SESSION_EVENT || z == NULL)
		return;
	if (token == 0) {
		zkcli_print_event(z, type, path != NULL ? path : "");
		return;
	}
	ev = xcalloc(1, sizeof(*ev));
	ev->token = token;
	ev->type = type;
	ev->path = xstrdup(path != NULL ? path : "");
	pthread_mutex_lock(&z->lock);
	TAILQ_INSERT_TAIL(&z->events, ev, entry);
	pthread_cond_broadcast(&z->cond);
	pthread_mutex_unlock(&z->lock);
}

/* Frees an event zkcli_wait_event handed out. */
void
zkcli_event_free(struct zkcli_event *ev)
{
	if (ev == NULL)
		return;
	free(ev->path);
	free(ev);
}

/*
 * Waits for the next event armed under token until deadline (monotonic
 * ms, -1 for none).  Events of other tokens are stale and dropped.
 * Returns ZOK with *evp (the caller frees it), ZKCLI_ERR_TIMEDOUT, or the
 * session's end: ZSESSIONEXPIRED, ZAUTHFAILED, or ZCONNECTIONLOSS once the
 * connection has been gone for a whole session timeout.
 */
int
zkcli_wait_event(struct zkcli *z, uintptr_t token, int64_t deadline,
    struct zkcli_event **evp)
{
	struct zkcli_event	*ev;
	struct timespec		 ts;
	int64_t			 now, limit, lost_limit;
	int			 err, session_timeout;

	*evp = NULL;
	session_timeout = zkcli_session_timeout(z);
	pthread_mutex_lock(&z->lock);
	for (;;) {
		while ((ev = TAILQ_FIRST(&z->events)) != NULL) {
			TAILQ_REMOVE(&z->events, ev, entry);
			if (ev->token == token) {
				*evp = ev;
				pthread_mutex_unlock(&z->lock);
				return ZOK;
			}
			zkcli_event_free(ev);
		}
		if (z->expired) {
			err = ZSESSIONEXPIRED;
			break;
		}
		if (z->auth_failed) {
			err = ZAUTHFAILED;
			break;
		}
		now = zkcli_now_ms();
		if (deadline >= 0 && now >= deadline) {
			err = ZKCLI_ERR_TIMEDOUT;
			break;
		}
		limit = deadline;
		if (z->state != ZOO_CONNECTED_STATE) {
			lost_limit = z->lost_at + session_timeout;
			if (now >= lost_limit) {
				err = ZCONNECTIONLOSS;
				break;
			}
			if (limit < 0 || lost_limit < limit)
				limit = lost_limit;
		}
		if (limit < 0)
			pthread_cond_wait(&z->cond, &z->lock);
		else {
			zkcli_deadline(limit, &ts);
			pthread_cond_timedwait(&z->cond, &z->lock, &ts);
		}
	}
	pthread_mutex_unlock(&z->lock);
	return err;
}

/* Prints a watch event: "NodeDataChanged /path", or one JSON object. */
void
zkcli_print_event(struct zkcli *z, int type, const char *path)
{
	flockfile(stdout);
	if (z->json) {
		printf("{\"type\":");
		zkcli_out_json_string(zkcli_out_event_name(type));
		printf(",\"path\":");
		zkcli_out_json_string(path);
		printf("}\n");
	} else
		printf("%s %s\n", zkcli_out_event_name(type), path);
	fflush(stdout);
	funlockfile(stdout);
}

/*
 * Fills in what the side door needs to join this session: the server the
 * C client is connected to, the session's id and password, and the
 * credentials to replay.  Returns ZOK or why the session is not usable.
 */
int
zkcli_lend_session(struct zkcli *z, struct zkcli_side *side)
{
	const clientid_t	*id;
	int			 err, tries;

	memset(side, 0, sizeof(*side));
	for (tries = 0; tries < 3; tries++) {
		if ((err = zkcli_connect(z)) != ZOK)
			return err;
		side->addrlen = sizeof(side->addr);
		if (zookeeper_get_connected_host(z->zh,
		    (struct sockaddr *)&side->addr, &side->addrlen) != NULL)
			break;
	}
	if (tries == 3)
		return ZCONNECTIONLOSS;
	id = zoo_client_id(z->zh);
	side->session_id = id->client_id;
	memcpy(side->passwd, id->passwd, sizeof(side->passwd));
	side->timeout_ms = zkcli_session_timeout(z);
	side->auths = z->auths;
	side->nauths = z->nauths;
	return ZOK;
}

/*
 * After the side door, the server has moved the session to the side
 * door's connection and closed the C client's.  One round trip through the
 * C client (retried on connection loss) returns once it is back.
 */
void
zkcli_reclaim_session(struct zkcli *z)
{
	struct Stat	 st;
	int		 i;

	for (i = 0; i < 5; i++)
		if (zoo_exists(z->zh, "/", 0, &st) != ZCONNECTIONLOSS)
			break;
}

/* The path as the server knows it: under the chroot of -s, if any. */
char *
zkcli_full_path(struct zkcli *z, const char *path)
{
	char	*p;

	if (z->chroot == NULL)
		return xstrdup(path);
	if (strcmp(path, "/") == 0)
		return xstrdup(z->chroot);
	xasprintf(&p, "%s%s", z->chroot, path);
	return p;
}

/* Remembers credentials the server accepted, for the side door. */
void
zkcli_add_auth(struct zkcli *z, const char *scheme, const char *cred,
    size_t len)
{
	struct zkcli_auth	*a;

	z->auths = xreallocarray(z->auths, z->nauths + 1, sizeof(*z->auths));
	a = &z->auths[z->nauths++];
	a->scheme = xstrdup(scheme);
	a->cred = xmemdup(cred, len);
	a->len = len;
}

/* Prints "usage: ..." for a bad command line; returns ZKCLI_EXIT_USAGE. */
int
zkcli_usage_error(const char *name)
{
	const struct zkcli_cmd	*cmd = zkcli_cmd_find(name);

	if (cmd != NULL)
		fprintf(stderr, "usage: %s\n", cmd->usage);
	return ZKCLI_EXIT_USAGE;
}

static int
zkcli_run(struct zkcli *z, int argc, char **argv)
{
	const struct zkcli_cmd	*cmd;

	if ((cmd = zkcli_cmd_find(argv[0])) == NULL) {
		fprintf(stderr, "zkcli: %s: unknown command\n", argv[0]);
		return ZKCLI_EXIT_USAGE;
	}
	return cmd->run(z, argc, argv);
}

/*
 * Splits a shell line into words, in place: blanks separate words, '...'
 * quotes literally, "..." quotes with \" and \\ escaped, a backslash
 * outside quotes escapes the next character, and a word starting with #
 * starts a comment.  Returns the number of words, or -1 on an unbalanced
 * quote.
 */
static int
zkcli_split(char *line, char ***argvp)
{
	char	**argv = NULL;
	char	 *r = line, *w, quote;
	int	  argc = 0;

	for (;;) {
		while (*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r')
			r++;
		if (*r == '\0' || *r == '#')
			break;
		argv = xreallocarray(argv, argc + 2, sizeof(*argv));
		argv[argc++] = w = r;
		quote = 0;
		while (*r != '\0') {
			if (quote == 0 && (*r == ' ' || *r == '\t' ||
			    *r == '\n' || *r == '\r'))
				break;
			if (quote == 0 && (*r == '\'' || *r == '"')) {
				quote = *r++;
				continue;
			}
			if (quote != 0 && *r == quote) {
				quote = 0;
				r++;
				continue;
			}
			if (*r == '\\' && quote != '\'' && r[1] != '\0' &&
			    (quote == 0 || r[1] == '"' || r[1] == '\\'))
				r++;
			*w++ = *r++;
		}
		if (quote != 0) {
			free(argv);
			return -1;
		}
		if (*r != '\0')
			r++;
		*w = '\0';
	}
	if (argv != NULL)
		argv[argc] = NULL;
	*argvp = argv;
	return argc;
}

/*
 * The interactive shell: one command a line, a prompt only on a terminal.
 * Errors do not stop it; it ends at quit or end of input, with the exit
 * status of the last command.
 */
static int
zkcli_shell(struct zkcli *z)
{
	char	*line = NULL, **argv;
	size_t	 cap = 0;
	int	 argc, status = ZKCLI_EXIT_OK, tty = isatty(STDIN_FILENO);

	for (;;) {
		if (tty) {
			fputs("zkcli> ", stdout);
			fflush(stdout);
		}
		if (getline(&line, &cap, stdin) == -1) {
			if (tty)
				putchar('\n');
			break;
		}
		if ((argc = zkcli_split(line, &argv)) == -1) {
			fprintf(stderr, "zkcli: unbalanced quote\n");
			status = ZKCLI_EXIT_USAGE;
			continue;
		}
		if (argc == 0)
			continue;
		if (strcmp(argv[0], "quit") == 0) {
			free(argv);
			break;
		}
		status = zkcli_run(z, argc, argv);
		free(argv);
		fflush(stdout);
	}
	free(line);
	return status;
}

int
main(int argc, char *argv[])
{
	struct zkcli	 z;
	const char	*env;
	char		*end;
	long		 l;
	int		 ch, rv;

	zkcli_init(&z);
	env = getenv("ZK_SERVERS");
	z.hosts = env != NULL && *env != '\0' ? env : ZKCLI_DEFAULT_SERVERS;
	while ((ch = getopt(argc, argv, "+hjs:t:")) != -1) {
		switch (ch) {
		case 'h':
			zkcli_usage(stdout);
			return ZKCLI_EXIT_OK;
		case 'j':
			z.json = 1;
			break;
		case 's':
			z.hosts = optarg;
			break;
		case 't':
			errno = 0;
			l = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || end == optarg ||
			    l <= 0 || l > INT_MAX) {
				fprintf(stderr, "zkcli: -t %s: not a timeout "
				    "in milliseconds\n", optarg);
				return ZKCLI_EXIT_USAGE;
			}
			z.timeout_ms = (int)l;
			break;
		default:
			zkcli_usage(stderr);
			return ZKCLI_EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (*z.hosts == '\0') {
		fprintf(stderr, "zkcli: no servers given\n");
		return ZKCLI_EXIT_USAGE;
	}
	z.chroot = strchr(z.hosts, '/');
	if (z.chroot != NULL && strcmp(z.chroot, "/") == 0)
		z.chroot = NULL;

	/* The C client logs to stderr by default; zkcli reports itself. */
	zoo_set_debug_level((ZooLogLevel)0);

	if (argc == 0) {
		z.interactive = 1;
		rv = zkcli_shell(&z);
	} else
		rv = zkcli_run(&z, argc, argv);
	zkcli_close(&z);
	return rv;
}
