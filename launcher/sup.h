/* SPDX-License-Identifier: ISC */
/*
 * sup.h: the supervisor of a launched ensemble (see sup.c): the servers'
 * table, their processes and side doors, the events they make, and the
 * waits that the control socket (control.c) holds until a condition is
 * true.
 */
#ifndef ZKE_SUP_H
#define ZKE_SUP_H

#include <sys/queue.h>

#include <limits.h>
#include <stdint.h>
#include <stdio.h>

#include "cond.h"
#include "faults.h"
#include "inst.h"
#include "timeline.h"

struct event_base;
struct bufferevent;

/* Timings written into each server's zoo.cfg (see --profile). */
struct sup_profile {
	const char	*name;
	int		 tick;		/* tickTime, ms */
	int		 init_limit;	/* ticks */
	int		 sync_limit;	/* ticks */
	int		 finalize_wait;	/* ms */
	int		 max_interval;	/* ms, maxNotificationInterval */
};

/* One server's own part of the configuration (upconf.c fills it). */
struct sup_srvconf {
	int		 client_port, quorum_port, election_port;
	const char	*zkd;		/* the binary, NULL: sup_config's */
	char		*zoo;		/* its own zoo.cfg lines, or NULL */
};

struct sup_config {
	int		 nservers;	/* participants */
	int		 nobservers;
	struct sup_srvconf *srv;	/* nservers + nobservers */
	const char	*zoo;		/* every server's extra lines, or NULL */
	struct sup_profile profile;
	struct inst_policy policy;
	int		 backoff_ms;	/* floor between respawns */
	int		 kill_ms;	/* TERM to KILL */
	char		 rundir[PATH_MAX];
	char		 zkd[PATH_MAX];
	int		 keep;		/* leave the run directory at the end */
	int		 stopped;	/* up starts no server */
};

/* One line of history: the live view prints them, events lists them. */
struct sup_event {
	int64_t		 ms;		/* since the supervisor started */
	int64_t		 sid;		/* 0: the ensemble */
	char		*text;
};

struct sup;

struct sup_server {
	struct sup	*sup;
	struct inst	 inst;
	int		 client_port, quorum_port, election_port;
	const char	*zkd;		/* the binary it runs */
	char		 dir[PATH_MAX];
	struct bufferevent *door;	/* our end of its fd 3 */
	struct event	*timer;
};

/*
 * The answer to a command sent on a side door: ok, and the reply's text
 * after its id ("ok ..." or "error=WORD msg=TEXT"); ok is 0 with text
 * "error=lost ..." when the server went before it answered.
 */
typedef void	 sup_reply_cb(void *, struct sup_server *, int, const char *);

struct sup_cmd {
	struct sup_server *srv;
	char		 id[24];
	sup_reply_cb	*cb;		/* NULL: nobody waits */
	void		*arg;
	TAILQ_ENTRY(sup_cmd) entry;
};
TAILQ_HEAD(sup_cmds, sup_cmd);

struct elect;

struct sup {
	struct event_base *base;
	struct sup_config c;
	struct sup_server *srv;
	size_t		 nsrv;
	struct cond_view *views;	/* nsrv, refreshed by sup_views */
	int64_t		 t0;		/* monotonic ms at start */
	int64_t		 leader;	/* the last leader announced */
	int64_t		 leader_epoch;	/* and its epoch */
	struct sup_event *events;
	size_t		 nevents, capevents;
	FILE		*view;		/* live view, or NULL */
	int		 serving_once;	/* the first serving was announced */
	int		 going;		/* down under way: exit when all down */
	struct faults	 faults;	/* the network the user made */
	struct timeline	 tl;		/* lanes for events --timeline */
	int64_t		 prefer;	/* elect's tie winner, 0: none */
	struct elect	*elect;		/* elect under way, or NULL */
	struct sup_cmds	 cmds;		/* sent, not answered yet */
	uint64_t	 next_cmd;
	void		(*serving)(struct sup *);	/* first serving */
	void		(*changed)(struct sup *);	/* after any change */
	void		(*gone)(struct sup *);		/* all down, going */
};

int		 sup_write_configs(const struct sup_config *, char **);
int		 sup_prepare(struct sup *, struct event_base *,
		    const struct sup_config *, char **);
void		 sup_start_all(struct sup *);
struct sup_server *sup_server(struct sup *, int64_t);
int		 sup_start(struct sup *, struct sup_server *);
int		 sup_stop(struct sup *, struct sup_server *);
int		 sup_signal(struct sup *, struct sup_server *, int);
void		 sup_down(struct sup *);
void		 sup_finish(struct sup *);
void		 sup_note(struct sup *, int64_t, const char *, ...)
		    __attribute__((__format__(printf, 3, 4)));
const struct cond_view *sup_views(struct sup *);
char		*sup_connect_string(struct sup *);
int64_t		 sup_pick(struct sup *, const char *);
int		 sup_rmtree(const char *);
int		 sup_send(struct sup *, struct sup_server *, sup_reply_cb *,
		    void *, const char *, ...)
		    __attribute__((__format__(printf, 5, 6)));
void		 sup_cancel(struct sup *, void *);
int64_t		 sup_ms(struct sup *);
int		 sup_faults_apply(struct sup *, sup_reply_cb *, void *);
int		 sup_prefer(struct sup *, int64_t, sup_reply_cb *, void *);

#endif
