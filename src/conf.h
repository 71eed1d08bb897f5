/* SPDX-License-Identifier: ISC */
/*
 * conf.h: zkd's settings (edges layer), read from built-in defaults, a
 * native zkd.conf (libconfig) or an existing zoo.cfg plus its myid file.
 * Both files carry the same settings with ZooKeeper's meanings; zoo.cfg
 * keys ZooKeeper would turn into system properties are understood under
 * their zoo.cfg names (forceSync, jute.maxbuffer, ...).
 *
 * Loaders return 0, or -1 with *cause naming the file, line and key.
 */
#ifndef ZK_CONF_H
#define ZK_CONF_H

#include <limits.h>
#include <stdint.h>
#include <stdio.h>

#include <libconfig.h>

enum conf_format {
	CONF_DEFAULTS,
	CONF_ZKD,
	CONF_ZOO
};

#define CONF_MAX_SERVERS	255

struct conf_server {
	int64_t		 sid;
	char		 host[256];
	int		 quorum_port;
	int		 election_port;
	int		 client_port;
	char		 client_addr[256];
	int		 observer;
};

struct zkd_conf {
	enum conf_format format;
	char		 file[PATH_MAX];
	int64_t		 sid;			/* myid; 0 if none */
	int		 tick_time;
	int		 init_limit;
	int		 sync_limit;
	char		 data_dir[PATH_MAX];
	char		 data_log_dir[PATH_MAX];
	int		 client_port;
	char		 client_addr[256];
	int		 max_client_cnxns;
	int		 min_session_timeout;
	int		 max_session_timeout;
	int		 listen_backlog;
	char		 whitelist[1024];	/* comma list, or "*" */
	int		 jute_maxbuffer;
	char		 super_digest[512];
	int		 skip_acl;
	int		 extended_types;
	int		 reconfig_enabled;
	int		 standalone_enabled;
	int		 readonly_enabled;
	int		 snap_count;
	int		 max_batch;
	int64_t		 prealloc_kb;
	int		 force_sync;
	int		 snap_retain_count;
	int		 purge_interval;
	int		 container_check_ms;
	int		 container_max_per_minute;
	int64_t		 container_never_used_ms;
	int		 election_alg;
	int		 finalize_wait;		/* ms */
	int		 min_notification_interval;	/* ms */
	int		 max_notification_interval;	/* ms */
	int		 leader_serves;
	int		 peer_type_observer;
	int		 poll_us;	/* polling after a read (spin.c) */
	char		 pidfile[PATH_MAX];
	struct conf_server servers[CONF_MAX_SERVERS];
	int		 nservers;
};

void	 conf_defaults(struct zkd_conf *);
int	 conf_read_libconfig(config_t *, const char *, char **);
int	 conf_load_zkd(struct zkd_conf *, const char *, char **);
int	 conf_zoo_set(struct zkd_conf *, const char *, const char *,
	    const char **);
int	 conf_load_zoo(struct zkd_conf *, const char *, char **);
int	 conf_finish(struct zkd_conf *, char **);
int	 conf_whitelisted(const struct zkd_conf *, const char *);
void	 conf_print(const struct zkd_conf *, FILE *);

#endif
