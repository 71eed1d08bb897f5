/* SPDX-License-Identifier: ISC */
/*
 * zkcli.h: what the files of zkcli share: the program's state (options and
 * the one ZooKeeper session it holds), the exit codes, the commands, the
 * output helpers and the side door.
 *
 * Errors travel as ZooKeeper error codes (0, or the negative numbers of
 * KeeperException.Code, which the C client's ZOO_ERRORS share) plus the
 * few of zkcli's own below; zkcli_error turns one into the message on
 * stderr and the documented exit code.  This header stays free of the C
 * client's zookeeper.h (whose own proto.h would clash with ours), so the
 * side door can include the project's codec instead.
 */
#ifndef ZKCLI_H
#define ZKCLI_H

#include <sys/queue.h>
#include <sys/socket.h>

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

struct _zhandle;

/* Exit codes: one per class of ZooKeeper error (zkcli(1), EXIT STATUS). */
enum {
	ZKCLI_EXIT_OK = 0,
	ZKCLI_EXIT_ERROR = 1,
	ZKCLI_EXIT_USAGE = 2,
	ZKCLI_EXIT_TIMEOUT = 3,		/* timed out, connection loss */
	ZKCLI_EXIT_NONODE = 4,
	ZKCLI_EXIT_NODEEXISTS = 5,
	ZKCLI_EXIT_BADVERSION = 6,
	ZKCLI_EXIT_NOTEMPTY = 7,
	ZKCLI_EXIT_NOAUTH = 8,		/* and AUTHFAILED */
	ZKCLI_EXIT_INVALIDACL = 9,
	ZKCLI_EXIT_NOCHILDRENFOREPHEMERALS = 10,
	ZKCLI_EXIT_BADARGUMENTS = 11,
	ZKCLI_EXIT_SESSIONEXPIRED = 12,
	ZKCLI_EXIT_UNIMPLEMENTED = 13
};

/* zkcli's own error codes, beside ZooKeeper's (all negative). */
#define ZKCLI_ERR_TIMEDOUT	1000	/* a wait ran out of time */
#define ZKCLI_ERR_USAGE		1001	/* bad command line, already told */

/* A watch event as zkcli reports it. */
struct zkcli_event {
	TAILQ_ENTRY(zkcli_event) entry;
	uintptr_t	 token;		/* which command armed the watch */
	int		 type;		/* ZOO_*_EVENT */
	char		*path;
};
TAILQ_HEAD(zkcli_events, zkcli_event);

/* Credentials added with addauth, replayed by the side door. */
struct zkcli_auth {
	char		*scheme;
	char		*cred;
	size_t		 len;
};

struct zkcli {
	/* Options. */
	const char	*hosts;
	const char	*chroot;	/* "/app" of "host:port/app", or NULL */
	int		 timeout_ms;
	int		 json;
	int		 interactive;

	/* The session; the lock guards everything below. */
	struct _zhandle	*zh;
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	int		 state;		/* last ZOO_*_STATE seen */
	int		 expired;
	int		 auth_failed;
	int64_t		 lost_at;	/* monotonic ms the connection went */
	unsigned	 connects;	/* times the session (re)connected */
	struct zkcli_events events;
	uintptr_t	 next_token;
	struct zkcli_auth *auths;
	size_t		 nauths;
};

/* One identity of whoAmI. */
struct zkcli_ident {
	char		*scheme;
	char		*user;
};

/* What the side door needs to join the C client's session. */
struct zkcli_side {
	struct sockaddr_storage addr;
	socklen_t	 addrlen;
	int64_t		 session_id;
	uint8_t		 passwd[16];
	int		 timeout_ms;
	const struct zkcli_auth *auths;
	size_t		 nauths;
};

/* zkcli.c: session, errors, events. */
int	 zkcli_connect(struct zkcli *);
int	 zkcli_error(struct zkcli *, const char *, int);
int	 zkcli_exit_code(int);
const char *zkcli_err_words(int);
int	 zkcli_usage_error(const char *);
uintptr_t zkcli_watch_token(struct zkcli *);
void	 zkcli_watch_cb(struct _zhandle *, int, int, const char *, void *);
int	 zkcli_wait_event(struct zkcli *, uintptr_t, int64_t,
	    struct zkcli_event **);
void	 zkcli_event_free(struct zkcli_event *);
void	 zkcli_print_event(struct zkcli *, int, const char *);
int	 zkcli_lend_session(struct zkcli *, struct zkcli_side *);
void	 zkcli_reclaim_session(struct zkcli *);
int64_t	 zkcli_now_ms(void);
char	*zkcli_full_path(struct zkcli *, const char *);
void	 zkcli_add_auth(struct zkcli *, const char *, const char *, size_t);

/* zkcli_cmd.c: the commands. */
struct zkcli_cmd {
	const char	*name;
	const char	*usage;
	int		(*run)(struct zkcli *, int, char **);
};
const struct zkcli_cmd *zkcli_cmd_find(const char *);
void	 zkcli_cmd_list(FILE *);

/* zkcli_out.c: stable text and JSON output. */
struct zkcli_stat {
	int64_t		 czxid, mzxid, ctime, mtime, pzxid, ephemeral_owner;
	int32_t		 version, cversion, aversion, data_length, num_children;
};
void	 zkcli_out_stat_text(const struct zkcli_stat *);
void	 zkcli_out_stat_json(const struct zkcli_stat *);
void	 zkcli_out_json_string(const char *);
void	 zkcli_out_json_data(const char *, int);
void	 zkcli_out_perms(int, char *);
const char *zkcli_out_event_name(int);

/* zkcli_side.c: the requests the C client library cannot send. */
int	 zkcli_side_ephemerals(const struct zkcli_side *, const char *,
	    char ***, int *);
int	 zkcli_side_count(const struct zkcli_side *, const char *, int32_t *);
int	 zkcli_side_whoami(const struct zkcli_side *, struct zkcli_ident **,
	    int *);

#endif
