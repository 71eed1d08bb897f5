/* SPDX-License-Identifier: ISC */
/*
 * conf.c: reading zkd.conf (libconfig) and zoo.cfg (Java properties) into
 * one struct zkd_conf (edges layer).  See conf.h.
 *
 * zoo.cfg follows java.util.Properties: "key=value", "key: value" or
 * "key value", '#' and '!' comments, a trailing backslash continues a line.
 * Numbers must be what Integer.parseInt accepts; booleans "true"/"false".
 * Unknown zoo.cfg keys are what ZooKeeper would turn into system properties
 * for other components: they are logged and ignored.  Unknown zkd.conf
 * settings are errors: the native format is ours and strict.
 */
#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "conf.h"
#include "log.h"
#include "xmalloc.h"

#define ZOO_DEFAULT_TICK	3000	/* zoo.cfg without tickTime */

/* Built-in defaults: a developer's server on 2181 with data under ./ */
void
conf_defaults(struct zkd_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->format = CONF_DEFAULTS;
	c->tick_time = 2000;
	c->init_limit = 10;
	c->sync_limit = 5;
	strlcpy(c->data_dir, "zkd-data", sizeof(c->data_dir));
	c->client_port = 2181;
	c->max_client_cnxns = 60;
	c->min_session_timeout = -1;
	c->max_session_timeout = -1;
	c->listen_backlog = -1;
	strlcpy(c->whitelist, "*", sizeof(c->whitelist));
	c->jute_maxbuffer = 0xfffff;
	c->standalone_enabled = 1;
	c->snap_count = 100000;
	c->max_batch = 1000;
	c->prealloc_kb = 65536;
	c->force_sync = 1;
	c->snap_retain_count = 3;
	c->container_check_ms = 60000;
	c->container_max_per_minute = 10000;
	c->election_alg = 3;
	/* FastLeaderElection's finalizeWait and notification bounds. */
	c->finalize_wait = 200;
	c->min_notification_interval = 200;
	c->max_notification_interval = 60000;
	c->leader_serves = 1;
	c->poll_us = 100;
}

static int
conf_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char		*end;
	long long	 v;

	while (isspace((unsigned char)*s))
		s++;
	if (*s == '\0')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	while (isspace((unsigned char)*end))
		end++;
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int
conf_bool(const char *s, int *out)
{
	if (strcasecmp(s, "true") == 0)
		*out = 1;
	else if (strcasecmp(s, "false") == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

/*
 * Parses "host:quorumPort:electionPort[:participant|observer]
 * [;[clientAddr:]clientPort]" into s.  Returns 0 or -1 with *why.
 */
static int
conf_server_line(const char *spec, struct conf_server *s, const char **why)
{
	char	 buf[1024], *client, *parts[4], *p;
	int	 n = 0;
	int64_t	 v;

	if (strlcpy(buf, spec, sizeof(buf)) >= sizeof(buf)) {
		*why = "too long";
		return -1;
	}
	if ((client = strchr(buf, ';')) != NULL)
		*client++ = '\0';
	for (p = buf; n < 4; n++) {
		parts[n] = p;
		if ((p = strchr(p, ':')) == NULL) {
			n++;
			break;
		}
		*p++ = '\0';
	}
	if (p != NULL || n < 3) {
		*why = "expected host:quorumPort:electionPort[:type]";
		return -1;
	}
	if (strlcpy(s->host, parts[0], sizeof(s->host)) >= sizeof(s->host) ||
	    s->host[0] == '\0') {
		*why = "bad host";
		return -1;
	}
	if (conf_int(parts[1], 1, 65535, &v) == -1) {
		*why = "bad quorum port";
		return -1;
	}
	s->quorum_port = (int)v;
	if (conf_int(parts[2], 1, 65535, &v) == -1) {
		*why = "bad election port";
		return -1;
	}
	s->election_port = (int)v;
	if (n == 4) {
		if (strcasecmp(parts[3], "observer") == 0)
			s->observer = 1;
		else if (strcasecmp(parts[3], "participant") != 0) {
			*why = "type must be participant or observer";
			return -1;
		}
	}
	if (client != NULL) {
		if ((p = strrchr(client, ':')) != NULL) {
			*p++ = '\0';
			strlcpy(s->client_addr, client, sizeof(s->client_addr));
		} else
			p = client;
		if (conf_int(p, 1, 65535, &v) == -1) {
			*why = "bad client port";
			return -1;
		}
		s->client_port = (int)v;
	}
	return 0;
}

static int
conf_add_server(struct zkd_conf *c, int64_t sid, const struct conf_server *s,
    const char **why)
{
	int	 i;

	if (sid < 1 || sid > 255) {
		*why = "server id must be between 1 and 255";
		return -1;
	}
	for (i = 0; i < c->nservers; i++)
		if (c->servers[i].sid == sid) {
			*why = "server id given twice";
			return -1;
		}
	c->servers[c->nservers] = *s;
	c->servers[c->nservers].sid = sid;
	c->nservers++;
	return 0;
}

/* One zoo.cfg key; returns 0, or -1 with *why.  Unknown keys: 1. */
static int
conf_zoo_key(struct zkd_conf *c, const char *key, const char *val,
    const char **why)
{
	struct conf_server	 s;
	int64_t			 v;
	int			 b;

	*why = "not a number";
#define INT_KEY(name, field, min, max) \
	if (strcmp(key, name) == 0) { \
		if (conf_int(val, min, max, &v) == -1) \
			return -1; \
		c->field = (int)v; \
		return 0; \
	}
#define BOOL_KEY(name, field) \
	if (strcmp(key, name) == 0) { \
		if (conf_bool(val, &b) == -1) { \
			*why = "must be true or false"; \
			return -1; \
		} \
		c->field = b; \
		return 0; \
	}
	INT_KEY("tickTime", tick_time, 1, INT32_MAX)
	INT_KEY("initLimit", init_limit, 1, INT32_MAX)
	INT_KEY("syncLimit", sync_limit, 1, INT32_MAX)
	INT_KEY("clientPort", client_port, 0, 65535)
	INT_KEY("maxClientCnxns", max_client_cnxns, 0, INT32_MAX)
	INT_KEY("minSessionTimeout", min_session_timeout, -1, INT32_MAX)
	INT_KEY("maxSessionTimeout", max_session_timeout, -1, INT32_MAX)
	INT_KEY("clientPortListenBacklog", listen_backlog, -1, INT32_MAX)
	INT_KEY("autopurge.snapRetainCount", snap_retain_count, 0, INT32_MAX)
	INT_KEY("autopurge.purgeInterval", purge_interval, 0, INT32_MAX)
	INT_KEY("snapCount", snap_count, 2, INT32_MAX)
	INT_KEY("maxBatchSize", max_batch, 0, INT32_MAX)
	INT_KEY("jute.maxbuffer", jute_maxbuffer, 1, INT32_MAX)
	INT_KEY("znode.container.checkIntervalMs", container_check_ms, 1,
	    INT32_MAX)
	INT_KEY("znode.container.maxPerMinute", container_max_per_minute, 1,
	    INT32_MAX)
	/* ZooKeeper reads these as zookeeper.<key> system properties. */
	INT_KEY("fastleader.finalizeWait", finalize_wait, 1, 600000)
	INT_KEY("fastleader.minNotificationInterval",
	    min_notification_interval, 1, INT32_MAX)
	INT_KEY("fastleader.maxNotificationInterval",
	    max_notification_interval, 1, INT32_MAX)
	/* zkd's own; Apache's server logs it and goes on. */
	INT_KEY("zkd.pollMicros", poll_us, 0, 1000000)
	BOOL_KEY("reconfigEnabled", reconfig_enabled)
	BOOL_KEY("standaloneEnabled", standalone_enabled)
	BOOL_KEY("extendedTypesEnabled", extended_types)
	BOOL_KEY("readonlymode.enabled", readonly_enabled)
#undef INT_KEY
#undef BOOL_KEY
	if (strcmp(key, "znode.container.maxNeverUsedIntervalMs") == 0) {
		if (conf_int(val, 0, INT64_MAX, &v) == -1)
			return -1;
		c->container_never_used_ms = v;
		return 0;
	}
	if (strcmp(key, "preAllocSize") == 0) {
		if (conf_int(val, 1, INT64_MAX / 1024, &v) == -1)
			return -1;
		c->prealloc_kb = v;
		return 0;
	}
	if (strcmp(key, "electionAlg") == 0) {
		if (conf_int(val, 0, INT32_MAX, &v) == -1)
			return -1;
		if (v != 3) {
			*why = "only 3 is supported";
			return -1;
		}
		c->election_alg = 3;
		return 0;
	}
	if (strcmp(key, "dataDir") == 0 || strcmp(key, "dataLogDir") == 0) {
		if (*val == '\0') {
			*why = "empty path";
			return -1;
		}
		strlcpy(key[4] == 'D' ? c->data_dir : c->data_log_dir, val,
		    PATH_MAX);
		return 0;
	}
	if (strcmp(key, "clientPortAddress") == 0) {
		strlcpy(c->client_addr, val, sizeof(c->client_addr));
		return 0;
	}
	if (strcmp(key, "4lw.commands.whitelist") == 0) {
		strlcpy(c->whitelist, val, sizeof(c->whitelist));
		return 0;
	}
	if (strcmp(key, "forceSync") == 0) {
		/* ZooKeeper turns fsync off only for exactly "no". */
		c->force_sync = strcmp(val, "no") != 0;
		return 0;
	}
	if (strcmp(key, "leaderServes") == 0) {
		/* As ZooKeeper: only exactly "no" keeps clients away. */
		c->leader_serves = strcmp(val, "no") != 0;
		return 0;
	}
	if (strcmp(key, "skipACL") == 0) {
		c->skip_acl = strcmp(val, "yes") == 0;
		return 0;
	}
	if (strcmp(key, "DigestAuthenticationProvider.superDigest") == 0) {
		strlcpy(c->super_digest, val, sizeof(c->super_digest));
		return 0;
	}
	if (strcmp(key, "peerType") == 0) {
		if (strcasecmp(val, "observer") == 0)
			c->peer_type_observer = 1;
		else if (strcasecmp(val, "participant") == 0)
			c->peer_type_observer = 0;
		else {
			*why = "must be observer or participant";
			return -1;
		}
		return 0;
	}
	if (strncmp(key, "server.", 7) == 0) {
		if (conf_int(key + 7, 1, 255, &v) == -1) {
			*why = "server id must be between 1 and 255";
			return -1;
		}
		memset(&s, 0, sizeof(s));
		if (conf_server_line(val, &s, why) == -1)
			return -1;
		return conf_add_server(c, v, &s, why);
	}
	return 1;
}

/*
 * One zoo.cfg setting, as zkd reads it from a file: 0, 1 for a key zkd
 * does not know, or -1 with *why.
 */
int
conf_zoo_set(struct zkd_conf *c, const char *key, const char *val,
    const char **why)
{
	return conf_zoo_key(c, key, val, why);
}

/* Reads one logical line of a properties file (continuations joined). */
static char *
conf_props_line(FILE *f, int *lineno)
{
	char	*line = NULL, *out = NULL, *p;
	size_t	 cap = 0, len, outlen = 0, bs;
	ssize_t	 n;
	int	 cont;

	do {
		if ((n = getline(&line, &cap, f)) == -1)
			break;
		(*lineno)++;
		len = (size_t)n;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		p = line;
		if (out != NULL)
			while (isspace((unsigned char)*p))
				p++, len--;
		for (bs = 0; bs < len && p[len - 1 - bs] == '\\'; bs++)
			;
		cont = bs % 2 == 1;
		/* A comment line never continues (java.util.Properties). */
		if (out == NULL) {
			const char *q = p;

			while (isspace((unsigned char)*q))
				q++;
			if (*q == '#' || *q == '!')
				cont = 0;
		}
		if (cont)
			p[--len] = '\0';
		out = xreallocarray(out, outlen + len + 1, 1);
		memcpy(out + outlen, p, len + 1);
		outlen += len;
	} while (cont);
	free(line);
	return out;
}

/*
 * Reads a zoo.cfg, and the myid file of its dataDir if there is one.
 * Returns 0, or -1 with *cause.
 */
int
conf_load_zoo(struct zkd_conf *c, const char *path, char **cause)
{
	FILE		*f;
	char		*line, *k, *v, *e, myid[PATH_MAX + 8], buf[64];
	const char	*why;
	int		 lineno = 0, rv, keyline;
	int64_t		 id;

	c->format = CONF_ZOO;
	strlcpy(c->file, path, sizeof(c->file));
	c->tick_time = ZOO_DEFAULT_TICK;
	c->client_port = 0;
	c->data_dir[0] = '\0';
	strlcpy(c->whitelist, "srvr", sizeof(c->whitelist));
	if ((f = fopen(path, "r")) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		keyline = lineno + 1;
		if ((line = conf_props_line(f, &lineno)) == NULL)
			break;
		for (k = line; isspace((unsigned char)*k); k++)
			;
		if (*k == '\0' || *k == '#' || *k == '!') {
			free(line);
			continue;
		}
		for (v = k; *v != '\0' && *v != '=' && *v != ':' &&
		    !isspace((unsigned char)*v); v++)
			;
		e = v;
		while (isspace((unsigned char)*v))
			v++;
		if (*v == '=' || *v == ':')
			v++;
		*e = '\0';
		while (isspace((unsigned char)*v))
			v++;
		for (e = v + strlen(v); e > v && isspace((unsigned char)e[-1]);)
			*--e = '\0';
		if ((rv = conf_zoo_key(c, k, v, &why)) == -1) {
			xasprintf(cause, "%s:%d: %s: %s: '%s'", path, keyline, k,
			    why, v);
			free(line);
			fclose(f);
			return -1;
		}
		if (rv == 1)
			log_info("%s:%d: %s: not a setting of zkd, ignored",
			    path, keyline, k);
		free(line);
	}
	fclose(f);
	if (c->data_dir[0] == '\0') {
		xasprintf(cause, "%s: dataDir is not set", path);
		return -1;
	}
	snprintf(myid, sizeof(myid), "%s/myid", c->data_dir);
	if ((f = fopen(myid, "r")) != NULL) {
		if (fgets(buf, sizeof(buf), f) == NULL ||
		    conf_int(buf, 1, 255, &id) == -1) {
			fclose(f);
			/* A standalone server does not need its id. */
			if (c->nservers == 0) {
				log_warnx("%s: not a server id between 1 and "
				    "255, ignored", myid);
				return 0;
			}
			xasprintf(cause, "%s: not a server id between 1 and 255",
			    myid);
			return -1;
		}
		fclose(f);
		c->sid = id;
	} else if (c->nservers > 0) {
		xasprintf(cause, "%s: %s (a server of an ensemble needs its "
		    "id there)", myid, strerror(errno));
		return -1;
	}
	return 0;
}

static int
conf_cfg_int(config_setting_t *s, int64_t min, int64_t max, int64_t *out)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
		*out = config_setting_get_int(s);
		break;
	case CONFIG_TYPE_INT64:
		*out = config_setting_get_int64(s);
		break;
	default:
		return -1;
	}
	return *out < min || *out > max ? -1 : 0;
}

static int
conf_cfg_string(config_setting_t *s, char *out, size_t len)
{
	const char	*v;

	if (config_setting_type(s) != CONFIG_TYPE_STRING ||
	    (v = config_setting_get_string(s)) == NULL)
		return -1;
	return strlcpy(out, v, len) >= len ? -1 : 0;
}

static int
conf_cfg_bool(config_setting_t *s, int *out)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return -1;
	*out = config_setting_get_bool(s);
	return 0;
}

/* fourLetterWords: "srvr, ruok" or [ "srvr", "ruok" ]. */
static int
conf_cfg_whitelist(config_setting_t *s, char *out, size_t len)
{
	config_setting_t	*e;
	const char		*w;
	int			 i, n;

	if (config_setting_type(s) == CONFIG_TYPE_STRING)
		return conf_cfg_string(s, out, len);
	if (config_setting_type(s) != CONFIG_TYPE_ARRAY &&
	    config_setting_type(s) != CONFIG_TYPE_LIST)
		return -1;
	out[0] = '\0';
	n = config_setting_length(s);
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, (unsigned)i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			return -1;
		w = config_setting_get_string(e);
		if (i > 0)
			strlcat(out, ",", len);
		if (strlcat(out, w, len) >= len)
			return -1;
	}
	return 0;
}

static int
conf_cfg_servers(struct zkd_conf *c, config_setting_t *list,
    config_setting_t **bad, const char **why)
{
	config_setting_t	*e, *m;
	struct conf_server	 s;
	const char		*type;
	int64_t			 v, sid;
	int			 i, n;

	*bad = list;
	if (!config_setting_is_list(list) && !config_setting_is_array(list)) {
		*why = "must be a list of groups";
		return -1;
	}
	n = config_setting_length(list);
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(list, (unsigned)i);
		*bad = e;
		memset(&s, 0, sizeof(s));
		if (!config_setting_is_group(e)) {
			*why = "each server must be a group";
			return -1;
		}
		if ((m = config_setting_get_member(e, "id")) == NULL ||
		    conf_cfg_int(m, 1, 255, &sid) == -1) {
			*why = "id: a number between 1 and 255 is needed";
			return -1;
		}
		strlcpy(s.host, "127.0.0.1", sizeof(s.host));
		if ((m = config_setting_get_member(e, "host")) != NULL &&
		    conf_cfg_string(m, s.host, sizeof(s.host)) == -1) {
			*why = "host: a string is needed";
			return -1;
		}
		if ((m = config_setting_get_member(e, "quorumPort")) == NULL ||
		    conf_cfg_int(m, 1, 65535, &v) == -1) {
			*why = "quorumPort: a port is needed";
			return -1;
		}
		s.quorum_port = (int)v;
		if ((m = config_setting_get_member(e, "electionPort")) ==
		    NULL || conf_cfg_int(m, 1, 65535, &v) == -1) {
			*why = "electionPort: a port is needed";
			return -1;
		}
		s.election_port = (int)v;
		if ((m = config_setting_get_member(e, "clientPort")) != NULL) {
			if (conf_cfg_int(m, 1, 65535, &v) == -1) {
				*why = "clientPort: not a port";
				return -1;
			}
			s.client_port = (int)v;
		}
		if ((m = config_setting_get_member(e, "type")) != NULL) {
			type = config_setting_get_string(m);
			if (type != NULL && strcmp(type, "observer") == 0)
				s.observer = 1;
			else if (type == NULL ||
			    strcmp(type, "participant") != 0) {
				*why = "type: participant or observer";
				return -1;
			}
		}
		if (conf_add_server(c, sid, &s, why) == -1)
			return -1;
	}
	return 0;
}

/* One top-level zkd.conf setting; 0, or -1 with *why. */
static int
conf_zkd_setting(struct zkd_conf *c, config_setting_t *s,
    config_setting_t **bad, const char **why)
{
	const char		*name = config_setting_name(s);
	config_setting_t	*m;
	int64_t			 v;
	int			 i, n;

	*bad = s;
	*why = "a number in range is needed";
#define INT_SET(key, field, min, max) \
	if (strcmp(name, key) == 0) { \
		if (conf_cfg_int(s, min, max, &v) == -1) \
			return -1; \
		c->field = (int)v; \
		return 0; \
	}
#define BOOL_SET(key, field) \
	if (strcmp(name, key) == 0) { \
		*why = "true or false is needed"; \
		return conf_cfg_bool(s, &c->field); \
	}
#define STR_SET(key, field) \
	if (strcmp(name, key) == 0) { \
		*why = "a string is needed"; \
		return conf_cfg_string(s, c->field, sizeof(c->field)); \
	}
	INT_SET("tickTime", tick_time, 1, INT32_MAX)
	INT_SET("initLimit", init_limit, 1, INT32_MAX)
	INT_SET("syncLimit", sync_limit, 1, INT32_MAX)
	INT_SET("clientPort", client_port, 0, 65535)
	INT_SET("maxClientCnxns", max_client_cnxns, 0, INT32_MAX)
	INT_SET("minSessionTimeout", min_session_timeout, -1, INT32_MAX)
	INT_SET("maxSessionTimeout", max_session_timeout, -1, INT32_MAX)
	INT_SET("clientPortListenBacklog", listen_backlog, -1, INT32_MAX)
	INT_SET("snapCount", snap_count, 2, INT32_MAX)
	INT_SET("maxBatchSize", max_batch, 0, INT32_MAX)
	INT_SET("juteMaxBuffer", jute_maxbuffer, 1, INT32_MAX)
	INT_SET("electionAlg", election_alg, 3, 3)
	INT_SET("finalizeWait", finalize_wait, 1, 600000)
	INT_SET("minNotificationInterval", min_notification_interval, 1,
	    INT32_MAX)
	INT_SET("maxNotificationInterval", max_notification_interval, 1,
	    INT32_MAX)
	INT_SET("pollMicros", poll_us, 0, 1000000)
	BOOL_SET("leaderServes", leader_serves)
	BOOL_SET("forceSync", force_sync)
	BOOL_SET("skipACL", skip_acl)
	BOOL_SET("extendedTypesEnabled", extended_types)
	BOOL_SET("reconfigEnabled", reconfig_enabled)
	BOOL_SET("standaloneEnabled", standalone_enabled)
	BOOL_SET("readonlyModeEnabled", readonly_enabled)
	BOOL_SET("observer", peer_type_observer)
	STR_SET("dataDir", data_dir)
	STR_SET("dataLogDir", data_log_dir)
	STR_SET("clientPortAddress", client_addr)
	STR_SET("superDigest", super_digest)
	STR_SET("pidFile", pidfile)
#undef INT_SET
#undef BOOL_SET
#undef STR_SET
	if (strcmp(name, "myid") == 0) {
		if (conf_cfg_int(s, 1, 255, &v) == -1) {
			*why = "a server id between 1 and 255 is needed";
			return -1;
		}
		c->sid = v;
		return 0;
	}
	if (strcmp(name, "preAllocSize") == 0) {
		if (conf_cfg_int(s, 1, INT64_MAX / 1024, &v) == -1)
			return -1;
		c->prealloc_kb = v;
		return 0;
	}
	if (strcmp(name, "fourLetterWords") == 0) {
		*why = "a string or a list of strings is needed";
		return conf_cfg_whitelist(s, c->whitelist,
		    sizeof(c->whitelist));
	}
	if (strcmp(name, "autopurge") == 0 || strcmp(name, "container") == 0) {
		if (!config_setting_is_group(s)) {
			*why = "a group is needed";
			return -1;
		}
		n = config_setting_length(s);
		for (i = 0; i < n; i++) {
			m = config_setting_get_elem(s, (unsigned)i);
			*bad = m;
			name = config_setting_name(m);
			*why = "a number in range is needed";
#define GRP_INT(key, field, min, max) \
			if (strcmp(name, key) == 0) { \
				if (conf_cfg_int(m, min, max, &v) == -1) \
					return -1; \
				c->field = v; \
				continue; \
			}
			GRP_INT("snapRetainCount", snap_retain_count, 0,
			    INT32_MAX)
			GRP_INT("purgeInterval", purge_interval, 0, INT32_MAX)
			GRP_INT("checkIntervalMs", container_check_ms, 1,
			    INT32_MAX)
			GRP_INT("maxPerMinute", container_max_per_minute, 1,
			    INT32_MAX)
			GRP_INT("maxNeverUsedIntervalMs",
			    container_never_used_ms, 0, INT64_MAX)
#undef GRP_INT
			*why = "unknown setting";
			return -1;
		}
		return 0;
	}
	if (strcmp(name, "servers") == 0)
		return conf_cfg_servers(c, s, bad, why);
	*why = "unknown setting";
	return -1;
}

/*
 * Reads a libconfig file into cfg (the caller destroys it).  0, or -1
 * with *cause naming the file, and the line of a syntax error.
 */
int
conf_read_libconfig(config_t *cfg, const char *path, char **cause)
{
	const char	*file;

	config_init(cfg);
	if (config_read_file(cfg, path) == CONFIG_TRUE)
		return 0;
	file = config_error_file(cfg);
	if (config_error_type(cfg) == CONFIG_ERR_FILE_IO)
		xasprintf(cause, "%s: %s", path, strerror(errno));
	else
		xasprintf(cause, "%s:%d: %s", file ? file : path,
		    config_error_line(cfg), config_error_text(cfg));
	config_destroy(cfg);
	return -1;
}

/* Reads a zkd.conf.  Returns 0, or -1 with *cause. */
int
conf_load_zkd(struct zkd_conf *c, const char *path, char **cause)
{
	config_t		 cfg;
	config_setting_t	*root, *s, *bad;
	const char		*why;
	int			 i, n;

	c->format = CONF_ZKD;
	strlcpy(c->file, path, sizeof(c->file));
	if (conf_read_libconfig(&cfg, path, cause) == -1)
		return -1;
	root = config_root_setting(&cfg);
	n = config_setting_length(root);
	for (i = 0; i < n; i++) {
		s = config_setting_get_elem(root, (unsigned)i);
		if (conf_zkd_setting(c, s, &bad, &why) == -1) {
			xasprintf(cause, "%s:%u: %s: %s", path,
			    config_setting_source_line(bad),
			    config_setting_name(bad) ?
			    config_setting_name(bad) : "servers", why);
			config_destroy(&cfg);
			return -1;
		}
	}
	config_destroy(&cfg);
	return 0;
}

/*
 * Fills in derived settings and checks the whole: session timeouts
 * default to 2 and 20 ticks, dataLogDir to dataDir.  0, or -1 with *cause.
 */
int
conf_finish(struct zkd_conf *c, char **cause)
{
	const char	*file = c->format == CONF_DEFAULTS ? "defaults" : c->file;
	int		 i;

	if (c->min_session_timeout == -1)
		c->min_session_timeout = 2 * c->tick_time;
	if (c->max_session_timeout == -1)
		c->max_session_timeout = 20 * c->tick_time;
	if (c->min_session_timeout > c->max_session_timeout) {
		xasprintf(cause, "%s: minSessionTimeout (%d) must not be "
		    "larger than maxSessionTimeout (%d)", file,
		    c->min_session_timeout, c->max_session_timeout);
		return -1;
	}
	if (c->data_log_dir[0] == '\0')
		strlcpy(c->data_log_dir, c->data_dir, sizeof(c->data_log_dir));
	for (i = 0; i < c->nservers && c->client_port == 0; i++)
		if (c->servers[i].sid == c->sid && c->servers[i].client_port)
			c->client_port = c->servers[i].client_port;
	if (c->client_port == 0) {
		xasprintf(cause, "%s: clientPort is not set", file);
		return -1;
	}
	if (c->nservers > 0 && c->sid == 0) {
		xasprintf(cause, "%s: servers are listed but this server's "
		    "id (myid) is not set", file);
		return -1;
	}
	if (c->nservers > 0) {
		int	 mine = -1, voters = 0;

		for (i = 0; i < c->nservers; i++) {
			if (c->servers[i].sid == c->sid)
				mine = i;
			if (!c->servers[i].observer)
				voters++;
		}
		if (mine == -1) {
			xasprintf(cause, "%s: this server's id %lld (myid) is "
			    "not among the servers listed", file,
			    (long long)c->sid);
			return -1;
		}
		if (voters == 0) {
			xasprintf(cause, "%s: every server listed is an "
			    "observer: an ensemble needs voters", file);
			return -1;
		}
		/* As ZooKeeper, the server list decides over peerType. */
		if (c->peer_type_observer != c->servers[mine].observer)
			log_warnx("%s: peerType says %s but the server list "
			    "says %s; the server list wins", file,
			    c->peer_type_observer ? "observer" : "participant",
			    c->servers[mine].observer ? "observer" :
			    "participant");
		c->peer_type_observer = c->servers[mine].observer;
	}
	if (c->extended_types && c->sid > 254) {
		xasprintf(cause, "%s: extendedTypesEnabled needs a server id "
		    "of at most 254", file);
		return -1;
	}
	return 0;
}

/* Whether a four-letter word is on the whitelist ("*" allows all). */
int
conf_whitelisted(const struct zkd_conf *c, const char *cmd)
{
	const char	*p = c->whitelist, *e;
	size_t		 len;

	/* zkServer.sh status needs srvr: ZooKeeper always allows it. */
	if (strcmp(cmd, "srvr") == 0)
		return 1;
	/* A comma-separated list, each entry trimmed (FourLetterCommands). */
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		for (e = p; *e != '\0' && *e != ','; e++)
			;
		len = (size_t)(e - p);
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if ((len == 1 && *p == '*') ||
		    (len == strlen(cmd) && strncmp(p, cmd, len) == 0))
			return 1;
		if (*e == '\0')
			break;
		p = e + 1;
	}
	/* isro comes with read-only mode. */
	if (strcmp(cmd, "isro") == 0 && c->readonly_enabled)
		return 1;
	return 0;
}

/* Prints the effective settings, one zoo.cfg-style line each (zkd -nv). */
void
conf_print(const struct zkd_conf *c, FILE *f)
{
	int	 i;

	fprintf(f, "tickTime=%d\n", c->tick_time);
	fprintf(f, "initLimit=%d\n", c->init_limit);
	fprintf(f, "syncLimit=%d\n", c->sync_limit);
	fprintf(f, "dataDir=%s\n", c->data_dir);
	fprintf(f, "dataLogDir=%s\n", c->data_log_dir);
	fprintf(f, "clientPort=%d\n", c->client_port);
	if (c->client_addr[0] != '\0')
		fprintf(f, "clientPortAddress=%s\n", c->client_addr);
	fprintf(f, "maxClientCnxns=%d\n", c->max_client_cnxns);
	fprintf(f, "minSessionTimeout=%d\n", c->min_session_timeout);
	fprintf(f, "maxSessionTimeout=%d\n", c->max_session_timeout);
	fprintf(f, "clientPortListenBacklog=%d\n", c->listen_backlog);
	fprintf(f, "4lw.commands.whitelist=%s\n", c->whitelist);
	fprintf(f, "jute.maxbuffer=%d\n", c->jute_maxbuffer);
	fprintf(f, "snapCount=%d\n", c->snap_count);
	fprintf(f, "maxBatchSize=%d\n", c->max_batch);
	fprintf(f, "preAllocSize=%lld\n", (long long)c->prealloc_kb);
	fprintf(f, "forceSync=%s\n", c->force_sync ? "yes" : "no");
	fprintf(f, "autopurge.snapRetainCount=%d\n", c->snap_retain_count);
	fprintf(f, "autopurge.purgeInterval=%d\n", c->purge_interval);
	fprintf(f, "skipACL=%s\n", c->skip_acl ? "yes" : "no");
	fprintf(f, "extendedTypesEnabled=%s\n",
	    c->extended_types ? "true" : "false");
	fprintf(f, "reconfigEnabled=%s\n",
	    c->reconfig_enabled ? "true" : "false");
	fprintf(f, "znode.container.checkIntervalMs=%d\n",
	    c->container_check_ms);
	fprintf(f, "znode.container.maxPerMinute=%d\n",
	    c->container_max_per_minute);
	fprintf(f, "zkd.pollMicros=%d\n", c->poll_us);
	if (c->super_digest[0] != '\0')
		fprintf(f, "DigestAuthenticationProvider.superDigest=%s\n",
		    c->super_digest);
	if (c->sid != 0)
		fprintf(f, "myid=%lld\n", (long long)c->sid);
	for (i = 0; i < c->nservers; i++) {
		fprintf(f, "server.%lld=%s:%d:%d:%s",
		    (long long)c->servers[i].sid, c->servers[i].host,
		    c->servers[i].quorum_port, c->servers[i].election_port,
		    c->servers[i].observer ? "observer" : "participant");
		if (c->servers[i].client_port != 0)
			fprintf(f, ";%s%s%d", c->servers[i].client_addr,
			    c->servers[i].client_addr[0] ? ":" : "",
			    c->servers[i].client_port);
		fputc('\n', f);
	}
}
