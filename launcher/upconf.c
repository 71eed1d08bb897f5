/* SPDX-License-Identifier: ISC */
/*
 * upconf.c: what `zkensemble up` is told.
 *
 * Three sources, each over the one before: the built-in defaults (three
 * servers on 2181-2183, the fast profile), a zkensemble.conf named by -f
 * or $ZKENSEMBLE_CONF, and the flags typed.  The file is read as a list
 * of flags: each of its settings becomes the option it stands for and goes
 * through upconf_option, as a typed flag does, after the file's and before
 * the typed ones.  So everything the file can say has a flag, both are
 * checked by the same code, and a typed flag beats the file.
 *
 * Settings (-c [ID:]KEY=VALUE, the file's settings and server lists) are
 * zoo.cfg lines for every server (no ID) or for server ID.  A few keys are
 * the launcher's own:
 *
 *	tickTime, initLimit, syncLimit, fastleader.finalizeWait,
 *	fastleader.maxNotificationInterval
 *		for every server: they replace the profile's value, whichever
 *		of -P and -c came first (a profile is a set of defaults);
 *		for one server: a zoo.cfg line of its own;
 *	zkd, clientPort, quorumPort, electionPort
 *		one server's binary and ports (an ID is needed);
 *	dataDir, dataLogDir, myid, peerType, server.N
 *		refused: the launcher owns the data directories and the
 *		ensemble's membership (-n, -o).
 *
 * Any other key must be one zkd knows, with a value it accepts: the check
 * is zkd's own zoo.cfg parser (conf.c), run here before anything is made.
 * A later setting of the same key for the same server replaces an earlier.
 */
#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "conf.h"
#include "upconf.h"
#include "util.h"
#include "xmalloc.h"

const struct sup_profile upconf_profiles[] = {
	/* name, tick, initLimit, syncLimit, finalizeWait, maxInterval */
	{ "fast", 100, 10, 3, 20, 1000 },
	{ "zookeeper", 2000, 10, 5, 200, 60000 },
	{ NULL, 0, 0, 0, 0, 0 }
};

/* The profile's keys, in the order of struct sup_profile's fields. */
static const char *const upconf_timing_keys[] = {
	"tickTime", "initLimit", "syncLimit", "fastleader.finalizeWait",
	"fastleader.maxNotificationInterval", NULL
};

static const char *const upconf_server_keys[] = {
	"zkd", "clientPort", "quorumPort", "electionPort", NULL
};

static const char *const upconf_refused_keys[] = {
	"dataDir", "dataLogDir", "myid", "peerType", NULL
};

static int
upconf_in(const char *const *list, const char *key)
{
	int	 i;

	for (i = 0; list[i] != NULL; i++)
		if (strcmp(list[i], key) == 0)
			return i;
	return -1;
}

void
upconf_init(struct upconf *u)
{
	memset(u, 0, sizeof(*u));
	u->nservers = 3;
	u->base = 2180;
	u->secs = 30;
	u->backoff_ms = 100;
	u->loop_limit = 5;
	u->loop_window_ms = 10000;
	u->kill_ms = 2000;
}

static void
upconf_free_result(struct upconf *u)
{
	int	 i;

	for (i = 0; u->srv != NULL && i < u->nsrv; i++)
		free(u->srv[i].zoo);
	free(u->srv);
	free(u->zoo);
	u->srv = NULL;
	u->zoo = NULL;
	u->nsrv = 0;
}

void
upconf_free(struct upconf *u)
{
	size_t	 i;

	for (i = 0; i < u->nset; i++) {
		free(u->set[i].key);
		free(u->set[i].value);
	}
	free(u->set);
	free(u->zkd);
	upconf_free_result(u);
	memset(u, 0, sizeof(*u));
}

static int
upconf_number(const char *what, const char *arg, long long min,
    long long max, int *out, char **cause)
{
	const char	*errstr;
	long long	 v;

	v = strtonum(arg, min, max, &errstr);
	if (errstr != NULL) {
		xasprintf(cause, "%s %s: %s (%lld to %lld)", what, arg, errstr,
		    min, max);
		return -1;
	}
	*out = (int)v;
	return 0;
}

static int
upconf_flag(const char *what, const char *arg, int *out, char **cause)
{
	if (arg == NULL || strcmp(arg, "true") == 0)
		*out = 1;
	else if (strcmp(arg, "false") == 0)
		*out = 0;
	else {
		xasprintf(cause, "%s: true or false, not %s", what, arg);
		return -1;
	}
	return 0;
}

/* Checks one setting; replaces an earlier one of the same sid and key. */
static int
upconf_setting(struct upconf *u, const char *spec, char **cause)
{
	struct zkd_conf	 scratch;
	const char	*colon, *eq, *key = spec, *why, *errstr;
	char		*k;
	int		 sid = 0, port, r;
	size_t		 i;

	colon = strchr(spec, ':');
	eq = strchr(spec, '=');
	if (isdigit((unsigned char)*spec) && colon != NULL && eq != NULL &&
	    colon < eq) {
		key = colon + 1;
		k = xstrndup(spec, (size_t)(key - 1 - spec));
		sid = (int)strtonum(k, 1, 99, &errstr);
		free(k);
		if (errstr != NULL) {
			xasprintf(cause, "%s: the server id is %s", spec,
			    errstr);
			return -1;
		}
	}
	if ((eq = strchr(key, '=')) == NULL || eq == key ||
	    strpbrk(spec, "\n#") != NULL) {
		xasprintf(cause, "%s: a setting is [ID:]KEY=VALUE", spec);
		return -1;
	}
	k = xstrndup(key, (size_t)(eq - key));
	for (i = 0; k[i] != '\0'; i++)
		if (isspace((unsigned char)k[i])) {
			xasprintf(cause, "%s: a key has no spaces", spec);
			goto fail;
		}
	if (strncmp(k, "server.", 7) == 0) {
		xasprintf(cause, "%s: the ensemble's members come from -n and "
		    "-o", spec);
		goto fail;
	}
	if (upconf_in(upconf_refused_keys, k) != -1) {
		xasprintf(cause, "%s: the launcher sets each server's %s "
		    "itself", spec, k);
		goto fail;
	}
	if (upconf_in(upconf_server_keys, k) != -1) {
		if (sid == 0) {
			xasprintf(cause, "%s: %s belongs to one server: "
			    "ID:%s=...", spec, k, k);
			goto fail;
		}
		if (strcmp(k, "zkd") != 0 && upconf_number(k, eq + 1, 1,
		    65535, &port, cause) == -1)
			goto fail;
		if (strcmp(k, "zkd") == 0 && eq[1] == '\0') {
			xasprintf(cause, "%s: a path is needed", spec);
			goto fail;
		}
	} else {
		/* zkd's own parser decides. */
		conf_defaults(&scratch);
		if ((r = conf_zoo_set(&scratch, k, eq + 1, &why)) == 1) {
			xasprintf(cause, "%s: zkd knows no setting %s", spec,
			    k);
			goto fail;
		}
		if (r == -1) {
			xasprintf(cause, "%s: %s", spec, why);
			goto fail;
		}
	}
	for (i = 0; i < u->nset; i++)
		if (u->set[i].sid == sid && strcmp(u->set[i].key, k) == 0) {
			free(u->set[i].key);
			free(u->set[i].value);
			break;
		}
	if (i == u->nset)
		u->set = xreallocarray(u->set, ++u->nset, sizeof(*u->set));
	u->set[i].sid = sid;
	u->set[i].key = k;
	u->set[i].value = xstrdup(eq + 1);
	return 0;
fail:
	free(k);
	return -1;
}

/*
 * Applies one option of up (its getopt character or UP_OPT_*) with its
 * argument (NULL for a flag without one).  0, or -1 with *cause.
 */
int
upconf_option(struct upconf *u, int opt, const char *arg, char **cause)
{
	char	*end;
	int	 i;

	switch (opt) {
	case 'd':
		u->detach = 1;
		return 0;
	case 'k':
		return upconf_flag("keep", arg, &u->keep, cause);
	case UP_OPT_STOPPED:
		return upconf_flag("stopped", arg, &u->stopped, cause);
	case 'n':
		return upconf_number("servers", arg, 1, 99, &u->nservers,
		    cause);
	case 'o':
		return upconf_number("observers", arg, 0, 98, &u->nobservers,
		    cause);
	case 'p':
		if (strcmp(arg, "auto") == 0) {
			u->autoport = 1;
			return 0;
		}
		u->autoport = 0;
		return upconf_number("ports", arg, 1, 60000, &u->base, cause);
	case 'P':
		for (i = 0; upconf_profiles[i].name != NULL; i++)
			if (strcmp(arg, upconf_profiles[i].name) == 0) {
				u->profile = i;
				return 0;
			}
		xasprintf(cause, "profile %s: fast or zookeeper", arg);
		return -1;
	case 'r':
		if (strcmp(arg, "on-crash") == 0)
			u->on_crash = 1;
		else if (strcmp(arg, "never") == 0)
			u->on_crash = 0;
		else {
			xasprintf(cause, "restart %s: never or on-crash", arg);
			return -1;
		}
		return 0;
	case 't':
		errno = 0;
		u->secs = strtod(arg, &end);
		if (errno != 0 || end == arg || *end != '\0' ||
		    !(u->secs > 0 && u->secs <= 86400)) {
			xasprintf(cause, "timeout %s: seconds, above 0", arg);
			return -1;
		}
		return 0;
	case 'z':
		free(u->zkd);
		u->zkd = xstrdup(arg);
		return 0;
	case 'c':
		return upconf_setting(u, arg, cause);
	case UP_OPT_BACKOFF:
		return upconf_number("backoff", arg, 0, 3600000,
		    &u->backoff_ms, cause);
	case UP_OPT_CRASH_LIMIT:
		return upconf_number("crash-limit", arg, 1, 1000,
		    &u->loop_limit, cause);
	case UP_OPT_CRASH_WINDOW:
		return upconf_number("crash-window", arg, 1, 86400000,
		    &u->loop_window_ms, cause);
	case UP_OPT_KILL_AFTER:
		return upconf_number("kill-after", arg, 1, 3600000,
		    &u->kill_ms, cause);
	}
	xasprintf(cause, "unknown option");
	return -1;
}

/* ---- zkensemble.conf ---- */

/* A scalar setting as the text of a flag's argument. */
static int
upconf_scalar(config_setting_t *s, char *buf, size_t len)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
		snprintf(buf, len, "%d", config_setting_get_int(s));
		return 0;
	case CONFIG_TYPE_INT64:
		snprintf(buf, len, "%lld",
		    (long long)config_setting_get_int64(s));
		return 0;
	case CONFIG_TYPE_FLOAT:
		snprintf(buf, len, "%g", config_setting_get_float(s));
		return 0;
	case CONFIG_TYPE_BOOL:
		strlcpy(buf, config_setting_get_bool(s) ? "true" : "false",
		    len);
		return 0;
	case CONFIG_TYPE_STRING:
		return strlcpy(buf, config_setting_get_string(s), len) >= len ?
		    -1 : 0;
	}
	return -1;
}

/* settings = [ "KEY=VALUE", ... ] for server sid (0: every server). */
static int
upconf_file_settings(struct upconf *u, config_setting_t *list, int sid,
    config_setting_t **bad, char **cause)
{
	config_setting_t	*e;
	char			*spec;
	int			 i, n, r;

	*bad = list;
	if (!config_setting_is_array(list) && !config_setting_is_list(list)) {
		xasprintf(cause, "a list of \"KEY=VALUE\" strings is needed");
		return -1;
	}
	n = config_setting_length(list);
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(list, (unsigned)i);
		*bad = e;
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			xasprintf(cause, "a \"KEY=VALUE\" string is needed");
			return -1;
		}
		if (sid != 0)
			xasprintf(&spec, "%d:%s", sid,
			    config_setting_get_string(e));
		else
			spec = xstrdup(config_setting_get_string(e));
		r = upconf_option(u, 'c', spec, cause);
		free(spec);
		if (r == -1)
			return -1;
	}
	return 0;
}

/* server = ( { id = 2; zkd = "..."; clientPort = 2190; settings = []; } ) */
static int
upconf_file_servers(struct upconf *u, config_setting_t *list,
    config_setting_t **bad, char **cause)
{
	config_setting_t	*e, *m;
	const char		*name;
	char			 val[4096], *spec;
	int			 i, j, n, sid, r;

	*bad = list;
	if (!config_setting_is_list(list)) {
		xasprintf(cause, "a list of groups ( { id = 1; ... } ) is "
		    "needed");
		return -1;
	}
	n = config_setting_length(list);
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(list, (unsigned)i);
		*bad = e;
		if (!config_setting_is_group(e) ||
		    (m = config_setting_get_member(e, "id")) == NULL ||
		    config_setting_type(m) != CONFIG_TYPE_INT ||
		    (sid = config_setting_get_int(m)) < 1 || sid > 99) {
			xasprintf(cause, "each server is a group with an id "
			    "from 1 to 99");
			return -1;
		}
		for (j = 0; j < config_setting_length(e); j++) {
			m = config_setting_get_elem(e, (unsigned)j);
			*bad = m;
			name = config_setting_name(m);
			if (strcmp(name, "id") == 0)
				continue;
			if (strcmp(name, "settings") == 0) {
				if (upconf_file_settings(u, m, sid, bad,
				    cause) == -1)
					return -1;
				continue;
			}
			if (upconf_in(upconf_server_keys, name) == -1) {
				xasprintf(cause, "unknown server setting");
				return -1;
			}
			if (upconf_scalar(m, val, sizeof(val)) == -1) {
				xasprintf(cause, "a number or a string is "
				    "needed");
				return -1;
			}
			xasprintf(&spec, "%d:%s=%s", sid, name, val);
			r = upconf_option(u, 'c', spec, cause);
			free(spec);
			if (r == -1)
				return -1;
		}
	}
	return 0;
}

/* The file's scalar settings and the options they stand for. */
static const struct {
	const char	*name;
	int		 opt;
} upconf_file_keys[] = {
	{ "servers", 'n' },
	{ "observers", 'o' },
	{ "ports", 'p' },
	{ "profile", 'P' },
	{ "restart", 'r' },
	{ "timeout", 't' },
	{ "keep", 'k' },
	{ "stopped", UP_OPT_STOPPED },
	{ "zkd", 'z' },
	{ "backoff", UP_OPT_BACKOFF },
	{ "crashLimit", UP_OPT_CRASH_LIMIT },
	{ "crashWindow", UP_OPT_CRASH_WINDOW },
	{ "killAfter", UP_OPT_KILL_AFTER },
	{ NULL, 0 }
};

/* Reads a zkensemble.conf into u.  0, or -1 with *cause. */
int
upconf_file(struct upconf *u, const char *path, char **cause)
{
	config_t		 cfg;
	config_setting_t	*root, *s, *bad;
	const char		*name = "";
	char			 val[4096], *why = NULL;
	int			 i, k, n, r = -1;

	if (conf_read_libconfig(&cfg, path, cause) == -1)
		return -1;
	root = config_root_setting(&cfg);
	n = config_setting_length(root);
	for (i = 0; i < n; i++) {
		s = bad = config_setting_get_elem(root, (unsigned)i);
		name = config_setting_name(s);
		if (strcmp(name, "settings") == 0) {
			if (upconf_file_settings(u, s, 0, &bad, &why) == -1)
				goto fail;
			continue;
		}
		if (strcmp(name, "server") == 0) {
			if (upconf_file_servers(u, s, &bad, &why) == -1)
				goto fail;
			continue;
		}
		for (k = 0; upconf_file_keys[k].name != NULL; k++)
			if (strcmp(name, upconf_file_keys[k].name) == 0)
				break;
		if (upconf_file_keys[k].name == NULL) {
			why = xstrdup("unknown setting");
			goto fail;
		}
		if (upconf_scalar(s, val, sizeof(val)) == -1) {
			why = xstrdup("a number, a string or a boolean is "
			    "needed");
			goto fail;
		}
		if (upconf_option(u, upconf_file_keys[k].opt, val, &why) == -1)
			goto fail;
	}
	r = 0;
	goto done;
fail:
	xasprintf(cause, "%s:%u: %s: %s", path, config_setting_source_line(bad),
	    config_setting_name(bad) ? config_setting_name(bad) : name, why);
	free(why);
done:
	config_destroy(&cfg);
	return r;
}

/* ---- the result ---- */

static void
upconf_line(char **buf, const char *key, const char *value)
{
	char	*old = *buf;

	xasprintf(buf, "%s%s=%s\n", old != NULL ? old : "", key, value);
	free(old);
}

/*
 * Settles everything that needs the whole: server ids within the
 * ensemble, the profile with its replaced timings, each server's zoo.cfg
 * lines and binary.  Ports come after, from upconf_ports.  0, or -1 with
 * *cause.
 */
int
upconf_finish(struct upconf *u, char **cause)
{
	struct up_setting	*st;
	struct sup_srvconf	*sc;
	int			 n = u->nservers + u->nobservers, t, v;
	int			*field[5];
	size_t			 i;

	if (n > 99) {
		xasprintf(cause, "%d servers and %d observers: at most 99 in "
		    "all", u->nservers, u->nobservers);
		return -1;
	}
	upconf_free_result(u);
	u->srv = xcalloc((size_t)n, sizeof(*u->srv));
	u->nsrv = n;
	u->prof = upconf_profiles[u->profile];
	field[0] = &u->prof.tick;
	field[1] = &u->prof.init_limit;
	field[2] = &u->prof.sync_limit;
	field[3] = &u->prof.finalize_wait;
	field[4] = &u->prof.max_interval;
	for (i = 0; i < u->nset; i++) {
		st = &u->set[i];
		if (st->sid > n) {
			xasprintf(cause, "%d:%s: there is no server %d (%d "
			    "servers, %d observers)", st->sid, st->key,
			    st->sid, u->nservers, u->nobservers);
			return -1;
		}
		if (st->sid == 0) {
			if ((t = upconf_in(upconf_timing_keys, st->key)) != -1) {
				if (upconf_number(st->key, st->value, 1,
				    INT32_MAX, &v, cause) == -1)
					return -1;
				*field[t] = v;
			} else
				upconf_line(&u->zoo, st->key, st->value);
			continue;
		}
		sc = &u->srv[st->sid - 1];
		if (strcmp(st->key, "zkd") == 0)
			sc->zkd = st->value;
		else if (upconf_in(upconf_server_keys, st->key) == -1)
			upconf_line(&sc->zoo, st->key, st->value);
	}
	return 0;
}

/*
 * Gives server i the ports base + i (client), base + 700 + i (quorum)
 * and base + 1700 + i (election), unless a setting names its own.
 */
void
upconf_ports(struct upconf *u, int base)
{
	struct up_setting	*st;
	struct sup_srvconf	*sc;
	int			 i, n = u->nservers + u->nobservers;
	size_t			 k;

	for (i = 0; i < n; i++) {
		u->srv[i].client_port = base + i + 1;
		u->srv[i].quorum_port = base + 700 + i + 1;
		u->srv[i].election_port = base + 1700 + i + 1;
	}
	for (k = 0; k < u->nset; k++) {
		st = &u->set[k];
		if (st->sid == 0)
			continue;
		sc = &u->srv[st->sid - 1];
		if (strcmp(st->key, "clientPort") == 0)
			sc->client_port = atoi(st->value);
		else if (strcmp(st->key, "quorumPort") == 0)
			sc->quorum_port = atoi(st->value);
		else if (strcmp(st->key, "electionPort") == 0)
			sc->election_port = atoi(st->value);
	}
}

/* The supervisor's configuration (it points into u). */
void
upconf_config(const struct upconf *u, struct sup_config *c)
{
	c->nservers = u->nservers;
	c->nobservers = u->nobservers;
	c->srv = u->srv;
	c->zoo = u->zoo;
	c->profile = u->prof;
	c->policy.on_crash = u->on_crash;
	c->policy.loop_limit = u->loop_limit;
	c->policy.loop_window = u->loop_window_ms;
	c->backoff_ms = u->backoff_ms;
	c->kill_ms = u->kill_ms;
	c->keep = u->keep;
	c->stopped = u->stopped;
}
