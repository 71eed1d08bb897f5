/* SPDX-License-Identifier: ISC */
/*
 * upconf.h: what `zkensemble up` is told (see upconf.c): the built-in
 * defaults, a zkensemble.conf and the flags, made into one sup_config.
 */
#ifndef ZKE_UPCONF_H
#define ZKE_UPCONF_H

#include "sup.h"

/* Long options of up without a short letter: upconf_option's opt. */
#define UP_OPT_STOPPED		256
#define UP_OPT_BACKOFF		257
#define UP_OPT_CRASH_LIMIT	258
#define UP_OPT_CRASH_WINDOW	259
#define UP_OPT_KILL_AFTER	260

/* One -c [ID:]KEY=VALUE: sid 0 for every server. */
struct up_setting {
	int		 sid;
	char		*key;
	char		*value;
};

struct upconf {
	int		 nservers, nobservers;
	int		 profile;	/* index into upconf_profiles */
	int		 base;		/* client ports base + i */
	int		 autoport;	/* -p auto */
	int		 detach;
	double		 secs;		/* -d waits this long for serving */
	int		 keep, stopped, on_crash;
	int		 backoff_ms, loop_limit, loop_window_ms, kill_ms;
	char		*zkd;		/* -z, or NULL */
	struct up_setting *set;
	size_t		 nset;
	/* Made by upconf_finish and upconf_ports. */
	struct sup_srvconf *srv;	/* nsrv */
	int		 nsrv;
	char		*zoo;		/* every server's lines */
	struct sup_profile prof;
};

extern const struct sup_profile upconf_profiles[];

void	 upconf_init(struct upconf *);
void	 upconf_free(struct upconf *);
int	 upconf_option(struct upconf *, int, const char *, char **);
int	 upconf_file(struct upconf *, const char *, char **);
int	 upconf_finish(struct upconf *, char **);
void	 upconf_ports(struct upconf *, int);
void	 upconf_config(const struct upconf *, struct sup_config *);

#endif
