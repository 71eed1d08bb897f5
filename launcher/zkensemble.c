/* SPDX-License-Identifier: ISC */
/*
 * zkensemble.c: the launcher's command line.
 *
 * `up` becomes the supervisor of a new ensemble (sup.c), in the
 * foreground with the live view, or detached (-d) once it serves.  Every
 * other command is a client of the supervisor's control socket
 * (control.c): it sends one line, prints the answer and exits with the
 * status the supervisor gives (0 ok, 1 failed, 2 usage, 3 timed out).
 * The client holds no state of its own.
 *
 * An ensemble lives in its run directory: -D DIR, else
 * $ZKENSEMBLE_RUNDIR, else ${XDG_RUNTIME_DIR:-/tmp}/zkensemble-UID/NAME
 * with NAME from -N, $ZKENSEMBLE_NAME or "default".  Several ensembles
 * run side by side under different names (and ports).
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "conf.h"
#include "control.h"
#include "demo.h"
#include "log.h"
#include "sup.h"
#include "upconf.h"
#include "util.h"
#include "xmalloc.h"

#define ZKE_OK		0
#define ZKE_FAILED	1
#define ZKE_USAGE	2
#define ZKE_TIMEOUT	3

static char		 zke_word_env[] = "env";
static char		 zke_word_port[] = "port";
static char		 zke_word_s[] = "-s";
static char		 zke_rundir[PATH_MAX];
static int		 zke_json;
static struct control	 zke_ctl;
static struct sup	 zke_sup;
static int		 zke_ready_fd = -1;	/* -d: tell the parent */

static void	 zke_usage(void) __attribute__((__noreturn__));
static int	 zke_up_start(struct upconf *);

static void
zke_usage(void)
{
	fprintf(stderr,
	    "usage: zkensemble [-j] [-D rundir | -N name] command [arg ...]\n"
	    "  up [-dk] [-f conf] [-n servers] [-o observers] [-p base|auto]\n"
	    "     [-P fast|zookeeper] [-r never|on-crash] [-t secs] [-z zkd]\n"
	    "     [-c [ID:]KEY=VALUE ...] [--stopped]\n"
	    "  down | status | leader | env | events [-f] | events -t [-w cols]\n"
	    "  wait [-t secs] quorum|leader|serving|zxid-converged|\n"
	    "       leader-not ID|down ID|ID STATE ...\n"
	    "  kill [-s sig] WHO | pause WHO | resume WHO\n"
	    "  start|stop|restart WHO|all      (WHO: ID, leader, follower)\n"
	    "  isolate SET | partition SET SET... | heal [SET]\n"
	    "  delay FROM TO ms                (SET: ID,ID,... or all)\n"
	    "  expire 0xSESSION | elect WHO\n"
	    "  logs ID | cli ID [zkcli args] | exec cmd [arg ...]\n"
	    "  demo [-p base|auto] [-s secs]\n");
	exit(ZKE_USAGE);
}

/* ---- the run directory ---- */

static void
zke_find_rundir(const char *dir, const char *name)
{
	const char	*base;
	char		 parent[PATH_MAX];
	int		 n;

	if (dir == NULL)
		dir = getenv("ZKENSEMBLE_RUNDIR");
	if (dir != NULL) {
		n = snprintf(zke_rundir, sizeof(zke_rundir), "%s", dir);
	} else {
		if (name == NULL && (name = getenv("ZKENSEMBLE_NAME")) == NULL)
			name = "default";
		if (strchr(name, '/') != NULL || name[0] == '.' ||
		    name[0] == '\0') {
			fprintf(stderr, "zkensemble: bad name %s\n", name);
			exit(ZKE_USAGE);
		}
		if ((base = getenv("XDG_RUNTIME_DIR")) == NULL || *base == '\0')
			base = "/tmp";
		snprintf(parent, sizeof(parent), "%s/zkensemble-%u", base,
		    (unsigned)getuid());
		if (mkdir(parent, 0700) == -1 && errno != EEXIST) {
			fprintf(stderr, "zkensemble: %s: %s\n", parent,
			    strerror(errno));
			exit(ZKE_FAILED);
		}
		n = snprintf(zke_rundir, sizeof(zke_rundir), "%s/%s", parent,
		    name);
	}
	/* The control socket's path must fit a sockaddr_un. */
	if (n < 0 || (size_t)n + sizeof("/ctl.sock") > 108) {
		fprintf(stderr, "zkensemble: run directory name too long\n");
		exit(ZKE_USAGE);
	}
}

/* Connects to the control socket: the fd, or -1 with errno. */
static int
zke_connect(void)
{
	struct sockaddr_un	 sun;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/ctl.sock",
	    zke_rundir) >= (int)sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Sends the words as one command; the answer's lines go to out (NULL:
 * standard output).  Returns the status the supervisor gave.
 */
static int
zke_request(int argc, char **argv, FILE *out)
{
	FILE	*f;
	char	*line = NULL, *p;
	size_t	 cap = 0, i;
	ssize_t	 n;
	int	 fd, status = -1;

	if ((fd = zke_connect()) == -1) {
		if (errno == ENOENT || errno == ECONNREFUSED)
			fprintf(stderr, "zkensemble: no ensemble runs in %s "
			    "(start one with: zkensemble up)\n", zke_rundir);
		else
			fprintf(stderr, "zkensemble: %s/ctl.sock: %s\n",
			    zke_rundir, strerror(errno));
		return ZKE_FAILED;
	}
	if ((f = fdopen(fd, "r+")) == NULL)
		return ZKE_FAILED;
	if (zke_json)
		fputs("-j ", f);
	for (i = 0; i < (size_t)argc; i++) {
		for (p = argv[i]; *p != '\0'; p++)
			if (*p == ' ' || *p == '\n' || *p == '\t') {
				fprintf(stderr, "zkensemble: an argument "
				    "holds a space: %s\n", argv[i]);
				fclose(f);
				return ZKE_USAGE;
			}
		fprintf(f, "%s%s", i > 0 ? " " : "", argv[i]);
	}
	fputc('\n', f);
	fflush(f);
	while ((n = getline(&line, &cap, f)) != -1) {
		if (n >= 2 && line[0] == '=' && line[1] == ' ') {
			status = atoi(line + 2);
			break;
		}
		fputs(line, out != NULL ? out : stdout);
	}
	fflush(out != NULL ? out : stdout);
	free(line);
	fclose(f);
	if (status == -1) {
		fprintf(stderr, "zkensemble: the supervisor went away\n");
		return ZKE_FAILED;
	}
	return status;
}

/* ---- up ---- */

static int
zke_port_free(int port)
{
	struct sockaddr_in	 sin;
	int			 fd, one = 1, ok;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return 0;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0;
	close(fd);
	return ok;
}

/*
 * The first of the servers' ports that is taken, or given to two servers,
 * or 0; *sid and *what say whose it is.
 */
static int
zke_ports_taken(const struct sup_srvconf *srv, int n, int *sid,
    const char **what)
{
	static const char *names[] = { "client", "quorum", "election" };
	int	 i, j, k, l, port, other;

	for (k = 0; k < 3; k++)
		for (i = 0; i < n; i++) {
			port = k == 0 ? srv[i].client_port : k == 1 ?
			    srv[i].quorum_port : srv[i].election_port;
			*sid = i + 1;
			*what = names[k];
			for (l = 0; l < 3; l++)
				for (j = 0; j < n; j++) {
					other = l == 0 ? srv[j].client_port :
					    l == 1 ? srv[j].quorum_port :
					    srv[j].election_port;
					if (other == port && (j != i || l != k))
						return port;
				}
			if (!zke_port_free(port))
				return port;
		}
	return 0;
}

/* The program name beside this zkensemble, if it is there: 0, or -1. */
static int
zke_beside(const char *name, char *out, size_t len)
{
	char	 self[PATH_MAX], *slash;
	ssize_t	 n;

	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) <= 0)
		return -1;
	self[n] = '\0';
	if ((slash = strrchr(self, '/')) == NULL)
		return -1;
	snprintf(out, len, "%.*s/%s", (int)(slash - self), self, name);
	return access(out, X_OK);
}

static void
zke_find_zkd(const char *given, char *out, size_t len)
{
	if (given == NULL)
		given = getenv("ZKD");
	if (given != NULL) {
		strlcpy(out, given, len);
		return;
	}
	if (zke_beside("zkd", out, len) == 0)
		return;
	snprintf(out, len, "%s/zkd", ZKENSEMBLE_SBINDIR);
}

/* zkcli: $ZKCLI, else the one beside us, else the PATH's. */
static const char *
zke_find_zkcli(void)
{
	static char	 path[PATH_MAX];
	const char	*given;

	if ((given = getenv("ZKCLI")) != NULL)
		return given;
	if (zke_beside("zkcli", path, sizeof(path)) == 0)
		return path;
	return "zkcli";
}

static void
zke_serving_cb(struct sup *s)
{
	char	*cs;

	if (zke_ready_fd != -1) {
		cs = sup_connect_string(s);
		dprintf(zke_ready_fd, "%s\n", cs);
		free(cs);
		close(zke_ready_fd);
		zke_ready_fd = -1;
	}
}

static void
zke_changed_cb(struct sup *s)
{
	(void)s;
	control_changed(&zke_ctl);
}

/* Every server is gone: the run directory goes before the answers. */
static void
zke_gone_cb(struct sup *s)
{
	if (!s->c.keep && sup_rmtree(s->c.rundir) == -1)
		log_warn("cannot remove %s", s->c.rundir);
	control_gone(&zke_ctl);
}

static void
zke_signal_cb(int sig, short what, void *arg)
{
	(void)what;
	(void)arg;
	log_info("%s: stopping every server", strsignal(sig));
	sup_down(&zke_sup);
}

/* Runs the supervisor until every server is down.  Never returns. */
static void
zke_supervise(const struct sup_config *c, int view)
{
	struct event_base	*base;
	struct event		*sigint, *sigterm;
	char			 path[PATH_MAX + 16], *cause;

	signal(SIGPIPE, SIG_IGN);
	if ((base = event_base_new()) == NULL)
		fatalx("event_base_new");
	if (sup_prepare(&zke_sup, base, c, &cause) == -1)
		fatalx("%s", cause);
	zke_sup.view = view ? stdout : NULL;
	zke_sup.serving = zke_serving_cb;
	zke_sup.changed = zke_changed_cb;
	zke_sup.gone = zke_gone_cb;
	snprintf(path, sizeof(path), "%s/ctl.sock", c->rundir);
	if (control_open(&zke_ctl, &zke_sup, path, &cause) == -1)
		fatalx("%s", cause);
	sigint = evsignal_new(base, SIGINT, zke_signal_cb, NULL);
	sigterm = evsignal_new(base, SIGTERM, zke_signal_cb, NULL);
	evsignal_add(sigint, NULL);
	evsignal_add(sigterm, NULL);
	if (view)
		printf("zkensemble: %d servers%s, profile %s, in %s\n",
		    c->nservers, c->nobservers > 0 ? " + observers" : "",
		    c->profile.name, c->rundir);
	if (c->stopped)
		zke_serving_cb(&zke_sup);	/* up -d has nothing to wait for */
	else
		sup_start_all(&zke_sup);
	event_base_dispatch(base);
	control_close(&zke_ctl);
	sup_finish(&zke_sup);
	event_free(sigint);
	event_free(sigterm);
	event_base_free(base);
	if (view)
		printf("zkensemble: down\n");
	exit(ZKE_OK);
}

/*
 * Checks each server's zoo.cfg as zkd will read it, so that a bad setting
 * is told now rather than by a server that will not start.
 */
static int
zke_check_configs(const struct sup_config *c)
{
	struct zkd_conf	 zc;
	char		 path[PATH_MAX + 32], *cause;
	int		 i;

	for (i = 0; i < c->nservers + c->nobservers; i++) {
		snprintf(path, sizeof(path), "%s/s%d/zoo.cfg", c->rundir, i + 1);
		conf_defaults(&zc);
		if (conf_load_zoo(&zc, path, &cause) == -1 ||
		    conf_finish(&zc, &cause) == -1) {
			fprintf(stderr, "zkensemble: server %d: %s\n", i + 1,
			    cause);
			free(cause);
			return -1;
		}
	}
	return 0;
}

/* The binaries: -z (or $ZKD, or beside us) and any server's own. */
static int
zke_check_binaries(struct sup_config *c, const char *zkd)
{
	int	 i;

	zke_find_zkd(zkd, c->zkd, sizeof(c->zkd));
	if (access(c->zkd, X_OK) == -1) {
		fprintf(stderr, "zkensemble: %s: %s (name zkd with -z PATH "
		    "or $ZKD)\n", c->zkd, strerror(errno));
		return -1;
	}
	for (i = 0; i < c->nservers + c->nobservers; i++)
		if (c->srv[i].zkd != NULL && access(c->srv[i].zkd, X_OK) == -1) {
			fprintf(stderr, "zkensemble: server %d's zkd %s: %s\n",
			    i + 1, c->srv[i].zkd, strerror(errno));
			return -1;
		}
	return 0;
}

/* Picks and checks the servers' ports.  0, or -1 with a message out. */
static int
zke_pick_ports(struct upconf *u)
{
	const char	*what;
	int		 i, port, sid, n = u->nservers + u->nobservers;

	if (!u->autoport) {
		upconf_ports(u, u->base);
		if ((port = zke_ports_taken(u->srv, n, &sid, &what)) == 0)
			return 0;
		fprintf(stderr, "zkensemble: port %d (server %d's %s port) is "
		    "in use or given twice; shift the block with -p BASE, or "
		    "-p auto\n", port, sid, what);
		return -1;
	}
	/*
	 * Below the kernel's ephemeral ports (32768 up), so no client's
	 * connection holds one; above 24000, where our own tests keep their
	 * fixed ports.
	 */
	for (i = 0; i < 64; i++) {
		upconf_ports(u, 24000 + 10 * (int)arc4random_uniform(690));
		if (zke_ports_taken(u->srv, n, &sid, &what) == 0)
			return 0;
	}
	fprintf(stderr, "zkensemble: no free block of ports found\n");
	return -1;
}

static int
zke_up(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'f' },
		{ "observers", required_argument, NULL, 'o' },
		{ "profile", required_argument, NULL, 'P' },
		{ "restart", required_argument, NULL, 'r' },
		{ "keep", no_argument, NULL, 'k' },
		{ "zkd", required_argument, NULL, 'z' },
		{ "set", required_argument, NULL, 'c' },
		{ "stopped", no_argument, NULL, UP_OPT_STOPPED },
		{ "backoff", required_argument, NULL, UP_OPT_BACKOFF },
		{ "crash-limit", required_argument, NULL, UP_OPT_CRASH_LIMIT },
		{ "crash-window", required_argument, NULL,
		    UP_OPT_CRASH_WINDOW },
		{ "kill-after", required_argument, NULL, UP_OPT_KILL_AFTER },
		{ NULL, 0, NULL, 0 }
	};
	struct upconf		 u;
	const char		*file;
	char			*cause = NULL, **args;
	int			*opts, ch, rc;
	size_t			 nopts = 0, i;

	/* The flags are kept to go over the file's settings. */
	opts = xcalloc((size_t)argc + 1, sizeof(*opts));
	args = xcalloc((size_t)argc + 1, sizeof(*args));
	file = getenv("ZKENSEMBLE_CONF");
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:df:kn:o:p:P:r:t:z:", longopts,
	    NULL)) != -1) {
		if (ch == '?' || ch == ':')
			zke_usage();
		if (ch == 'f') {
			file = optarg;
			continue;
		}
		opts[nopts] = ch;
		args[nopts++] = optarg;
	}
	if (optind != argc)
		zke_usage();
	upconf_init(&u);
	rc = ZKE_USAGE;
	if (file != NULL && *file != '\0' &&
	    upconf_file(&u, file, &cause) == -1)
		goto done;
	for (i = 0; i < nopts; i++)
		if (upconf_option(&u, opts[i], args[i], &cause) == -1)
			goto done;
	if (upconf_finish(&u, &cause) == -1)
		goto done;
	rc = zke_up_start(&u);
done:
	if (cause != NULL)
		fprintf(stderr, "zkensemble: %s\n", cause);
	free(cause);
	free(opts);
	free(args);
	upconf_free(&u);
	return rc;
}

/* Checks, makes and starts what u says.  Returns up's exit status. */
static int
zke_up_start(struct upconf *u)
{
	struct sup_config	 c;
	struct pollfd		 pfd;
	char			 buf[4096], *cause = NULL;
	int			 p[2], status, fd;
	size_t			 got = 0;
	ssize_t			 n;
	pid_t			 pid;

	memset(&c, 0, sizeof(c));
	upconf_config(u, &c);
	strlcpy(c.rundir, zke_rundir, sizeof(c.rundir));

	/* Everything checked before anything is forked. */
	if ((fd = zke_connect()) != -1) {
		close(fd);
		fprintf(stderr, "zkensemble: an ensemble already runs in %s; "
		    "stop it with: zkensemble down\n", zke_rundir);
		return ZKE_FAILED;
	}
	if (access(zke_rundir, F_OK) == 0) {
		fprintf(stderr, "zkensemble: %s is a stale run directory (no "
		    "supervisor answers in it): remove it, or run: "
		    "zkensemble -D %s down\n", zke_rundir, zke_rundir);
		return ZKE_FAILED;
	}
	if (zke_check_binaries(&c, u->zkd) == -1 || zke_pick_ports(u) == -1)
		return ZKE_FAILED;
	if (mkdir(zke_rundir, 0700) == -1) {
		fprintf(stderr, "zkensemble: %s: %s\n", zke_rundir,
		    strerror(errno));
		return ZKE_FAILED;
	}
	if (sup_write_configs(&c, &cause) == -1 || zke_check_configs(&c) ==
	    -1) {
		if (cause != NULL)
			fprintf(stderr, "zkensemble: %s\n", cause);
		free(cause);
		sup_rmtree(zke_rundir);
		return ZKE_USAGE;
	}

	if (!u->detach) {
		log_init(1, 0);
		zke_supervise(&c, 1);
	}
	/* Detached: the child supervises, the parent waits for serving. */
	if (pipe2(p, O_CLOEXEC) == -1) {
		fprintf(stderr, "zkensemble: pipe: %s\n", strerror(errno));
		sup_rmtree(zke_rundir);
		return ZKE_FAILED;
	}
	switch ((pid = fork())) {
	case -1:
		fprintf(stderr, "zkensemble: fork: %s\n", strerror(errno));
		sup_rmtree(zke_rundir);
		return ZKE_FAILED;
	case 0:
		close(p[0]);
		setsid();
		if (snprintf(buf, sizeof(buf), "%s/supervisor.log",
		    zke_rundir) >= (int)sizeof(buf) || (fd = open(buf,
		    O_WRONLY | O_CREAT | O_APPEND, 0644)) == -1)
			_exit(ZKE_FAILED);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		close(fd);
		if ((fd = open("/dev/null", O_RDONLY)) != -1)
			dup2(fd, STDIN_FILENO);
		zke_ready_fd = p[1];
		log_init(1, 0);
		zke_supervise(&c, 1);
	}
	close(p[1]);
	pfd.fd = p[0];
	pfd.events = POLLIN;
	for (;;) {
		switch (poll(&pfd, 1, (int)(u->secs * 1000))) {
		case -1:
			if (errno == EINTR)
				continue;
			break;
		case 0:
			fprintf(stderr, "zkensemble: not serving after %g s; "
			    "see %s/s*/zkd.log\n", u->secs, zke_rundir);
			kill(pid, SIGTERM);
			waitpid(pid, &status, 0);
			return ZKE_TIMEOUT;
		default:
			n = read(p[0], buf + got, sizeof(buf) - 1 - got);
			if (n > 0) {
				got += (size_t)n;
				if (memchr(buf, '\n', got) == NULL)
					continue;
				buf[got] = '\0';
				printf("%s", buf);
				return ZKE_OK;
			}
			break;
		}
		break;
	}
	fprintf(stderr, "zkensemble: the supervisor ended before the "
	    "ensemble served; see %s/supervisor.log\n", zke_rundir);
	waitpid(pid, &status, 0);
	return ZKE_FAILED;
}

/* ---- other commands ---- */

static int
zke_down(int argc, char **argv)
{
	int	 fd;

	if ((fd = zke_connect()) == -1) {
		if (access(zke_rundir, F_OK) == 0) {
			if (sup_rmtree(zke_rundir) == -1) {
				fprintf(stderr, "zkensemble: %s: %s\n",
				    zke_rundir, strerror(errno));
				return ZKE_FAILED;
			}
			fprintf(stderr, "zkensemble: removed the stale run "
			    "directory %s\n", zke_rundir);
		}
		return ZKE_OK;
	}
	close(fd);
	return zke_request(argc, argv, NULL);
}

/* port and directory of server word (ID, leader, follower). */
static int
zke_server_port(const char *word, int *port, char *dir, size_t len)
{
	char	*args[2] = { zke_word_port, (char *)(uintptr_t)word };
	char	*out = NULL, *sp;
	size_t	 outlen = 0;
	FILE	*f;
	int	 rv;

	if ((f = open_memstream(&out, &outlen)) == NULL)
		return ZKE_FAILED;
	rv = zke_request(2, args, f);
	fclose(f);
	if (rv == ZKE_OK) {
		*port = atoi(out);
		if ((sp = strchr(out, ' ')) != NULL) {
			sp[strcspn(sp, "\n")] = '\0';
			strlcpy(dir, sp + 1, len);
		}
	}
	free(out);
	return rv;
}

static int
zke_cli(int argc, char **argv)
{
	char	 dir[PATH_MAX], server[64], **args;
	const char *zkcli;
	int	 port, rv, i;

	if (argc < 2)
		zke_usage();
	if ((rv = zke_server_port(argv[1], &port, dir, sizeof(dir))) != 0)
		return rv;
	zkcli = zke_find_zkcli();
	snprintf(server, sizeof(server), "127.0.0.1:%d", port);
	args = xcalloc((size_t)argc + 3, sizeof(*args));
	args[0] = (char *)(uintptr_t)zkcli;
	args[1] = zke_word_s;
	args[2] = server;
	for (i = 2; i < argc; i++)
		args[i + 1] = argv[i];
	execvp(zkcli, args);
	fprintf(stderr, "zkensemble: %s: %s\n", zkcli, strerror(errno));
	return ZKE_FAILED;
}

/*
 * demo: the failover story of launcher/demo.sh (built in as demo_sh),
 * on an ensemble of its own.
 */
static int
zke_demo(int argc, char **argv)
{
	char		 self[PATH_MAX];
	const char	*ports = "auto", *pause, *errstr;
	ssize_t		 n;
	int		 ch;

	pause = isatty(STDOUT_FILENO) ? "1" : "0";
	optind = 1;
	while ((ch = getopt(argc, argv, "p:s:")) != -1) {
		switch (ch) {
		case 'p':
			if (strcmp(optarg, "auto") != 0) {
				strtonum(optarg, 1, 60000, &errstr);
				if (errstr != NULL)
					zke_usage();
			}
			ports = optarg;
			break;
		case 's':
			strtonum(optarg, 0, 60, &errstr);
			if (errstr != NULL)
				zke_usage();
			pause = optarg;
			break;
		default:
			zke_usage();
		}
	}
	if (optind != argc)
		zke_usage();
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) <= 0) {
		fprintf(stderr, "zkensemble: /proc/self/exe: %s\n",
		    strerror(errno));
		return ZKE_FAILED;
	}
	self[n] = '\0';
	if (setenv("ZKENSEMBLE", self, 1) == -1 ||
	    setenv("ZKENSEMBLE_RUNDIR", zke_rundir, 1) == -1 ||
	    setenv("ZKENSEMBLE_DEMO_PORTS", ports, 1) == -1 ||
	    setenv("ZKENSEMBLE_DEMO_PAUSE", pause, 1) == -1 ||
	    setenv("ZKCLI", zke_find_zkcli(), 1) == -1) {
		fprintf(stderr, "zkensemble: setenv: %s\n", strerror(errno));
		return ZKE_FAILED;
	}
	fflush(stdout);
	execl("/bin/sh", "sh", "-c", demo_sh, "zkensemble-demo",
	    (char *)NULL);
	fprintf(stderr, "zkensemble: /bin/sh: %s\n", strerror(errno));
	return ZKE_FAILED;
}

static int
zke_logs(int argc, char **argv)
{
	char	 dir[PATH_MAX], path[PATH_MAX + 16];
	int	 port, rv;

	if (argc != 2)
		zke_usage();
	if ((rv = zke_server_port(argv[1], &port, dir, sizeof(dir))) != 0)
		return rv;
	snprintf(path, sizeof(path), "%s/zkd.log", dir);
	execlp("cat", "cat", path, (char *)NULL);
	fprintf(stderr, "zkensemble: cat: %s\n", strerror(errno));
	return ZKE_FAILED;
}

/*
 * The supervisor's env answer, NAME=VALUE lines (the caller frees it),
 * or NULL with *rv the status.
 */
static char *
zke_env_text(int *rv)
{
	char	*args[1] = { zke_word_env }, *out = NULL;
	size_t	 outlen = 0;
	FILE	*f;

	if ((f = open_memstream(&out, &outlen)) == NULL) {
		*rv = ZKE_FAILED;
		return NULL;
	}
	*rv = zke_request(1, args, f);
	fclose(f);
	if (*rv != ZKE_OK) {
		free(out);
		return NULL;
	}
	return out;
}

/* env: the lines as shell exports (-j: as the supervisor gives them). */
static int
zke_env(void)
{
	char	*out, *line, *save;
	int	 rv;

	if ((out = zke_env_text(&rv)) == NULL)
		return rv;
	for (line = strtok_r(out, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		printf("%s%s\n", zke_json ? "" : "export ", line);
	free(out);
	return ZKE_OK;
}

/* exec CMD ...: CMD with ZK_SERVERS (and ZK_RUNDIR) in its environment. */
static int
zke_exec(int argc, char **argv)
{
	char	*out, *line, *save, *eq;
	int	 rv;

	if (argc >= 2 && strcmp(argv[1], "--") == 0) {
		argc--;
		argv++;
	}
	if (argc < 2)
		zke_usage();
	if ((out = zke_env_text(&rv)) == NULL)
		return rv;
	for (line = strtok_r(out, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		if ((eq = strchr(line, '=')) != NULL) {
			*eq = '\0';
			setenv(line, eq + 1, 1);
		}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "zkensemble: %s: %s\n", argv[1], strerror(errno));
	return 127;
}

int
main(int argc, char *argv[])
{
	const char	*dir = NULL, *name = NULL;
	int		 ch;

	log_procinit("zkensemble");
	while ((ch = getopt(argc, argv, "+D:jN:")) != -1) {
		switch (ch) {
		case 'D':
			dir = optarg;
			break;
		case 'j':
			zke_json = 1;
			break;
		case 'N':
			name = optarg;
			break;
		default:
			zke_usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		zke_usage();
	/* The demo's ensemble is not the user's default one. */
	if (strcmp(argv[0], "demo") == 0 && dir == NULL && name == NULL &&
	    getenv("ZKENSEMBLE_RUNDIR") == NULL)
		name = "demo";
	zke_find_rundir(dir, name);
	if (strcmp(argv[0], "demo") == 0)
		return zke_demo(argc, argv);
	if (strcmp(argv[0], "up") == 0)
		return zke_up(argc, argv);
	if (strcmp(argv[0], "down") == 0)
		return zke_down(argc, argv);
	if (strcmp(argv[0], "cli") == 0)
		return zke_cli(argc, argv);
	if (strcmp(argv[0], "logs") == 0)
		return zke_logs(argc, argv);
	if (strcmp(argv[0], "exec") == 0)
		return zke_exec(argc, argv);
	if (strcmp(argv[0], "env") == 0)
		return zke_env();
	return zke_request(argc, argv, NULL);
}
