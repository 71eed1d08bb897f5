/* SPDX-License-Identifier: ISC */
/*
 * zkcli_cmd.c: zkcli's commands, one function each.
 *
 * A command parses its own options (getopt, stopping at the first operand,
 * so data may start with '-' after --), checks its operands before it
 * touches the network (a usage error needs no server), opens or reuses the
 * session, makes synchronous calls through the C client, prints, and
 * returns the exit code.  Output is plain values for scripts: data as it
 * is, children one a line and sorted, stat in zkCli.sh's order; -j turns
 * stat-like output into one JSON object.
 *
 * whoami, ephemerals and count go through the side door (zkcli_side.c):
 * the C client library has no call for them.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zookeeper.h>

#include "util.h"
#include "xmalloc.h"
#include "zkcli.h"

/* A growing list of strings. */
struct zkcli_strv {
	char	**v;
	size_t	  n;
	size_t	  cap;
};

/* A completion the main thread waits for. */
struct zkcli_done {
	struct zkcli	*z;
	int		 done;
	int		 rc;
};

static int	 zkcli_cmd_addauth(struct zkcli *, int, char **);
static int	 zkcli_cmd_count(struct zkcli *, int, char **);
static int	 zkcli_cmd_create(struct zkcli *, int, char **);
static int	 zkcli_cmd_delete(struct zkcli *, int, char **);
static int	 zkcli_cmd_deleteall(struct zkcli *, int, char **);
static int	 zkcli_cmd_ephemerals(struct zkcli *, int, char **);
static int	 zkcli_cmd_exists(struct zkcli *, int, char **);
static int	 zkcli_cmd_get(struct zkcli *, int, char **);
static int	 zkcli_cmd_getacl(struct zkcli *, int, char **);
static int	 zkcli_cmd_ls(struct zkcli *, int, char **);
static int	 zkcli_cmd_set(struct zkcli *, int, char **);
static int	 zkcli_cmd_setacl(struct zkcli *, int, char **);
static int	 zkcli_cmd_stat(struct zkcli *, int, char **);
static int	 zkcli_cmd_sync(struct zkcli *, int, char **);
static int	 zkcli_cmd_wait(struct zkcli *, int, char **);
static int	 zkcli_cmd_watch(struct zkcli *, int, char **);
static int	 zkcli_cmd_whoami(struct zkcli *, int, char **);

static int	 zkcli_cmd_version(const char *, int32_t *);
static int	 zkcli_cmd_version_opt(int, char **, int32_t *);
static void	 zkcli_cmd_stat_of(const struct Stat *, struct zkcli_stat *);
static void	 zkcli_cmd_print_stat(const struct Stat *);
static void	 zkcli_cmd_print_stat_json(const struct Stat *);
static int	 zkcli_cmd_strcmp(const void *, const void *);
static int	 zkcli_cmd_identcmp(const void *, const void *);
static void	 zkcli_cmd_strv_add(struct zkcli_strv *, char *);
static void	 zkcli_cmd_strv_free(struct zkcli_strv *);
static void	 zkcli_cmd_strv_sort(struct zkcli_strv *);
static void	 zkcli_cmd_print_strv(struct zkcli *, const char *,
		    const char *, const char *, struct zkcli_strv *);
static char	*zkcli_cmd_join(const char *, const char *);
static int	 zkcli_cmd_children(struct zkcli *, const char *, uintptr_t,
		    struct zkcli_strv *, struct Stat *);
static int	 zkcli_cmd_tree(struct zkcli *, const char *, uintptr_t,
		    struct zkcli_strv *);
static int	 zkcli_cmd_delete_tree(struct zkcli *, const char *, char **);
static int	 zkcli_cmd_await(struct zkcli *, uintptr_t, const char *);
static int	 zkcli_cmd_parse_acl(const char *, struct ACL_vector *);
static void	 zkcli_cmd_free_acl(struct ACL_vector *);
static void	 zkcli_cmd_done_cb(int, const void *);
static void	 zkcli_cmd_sync_cb(int, const char *, const void *);
static int	 zkcli_cmd_done_wait(struct zkcli_done *);

static const struct zkcli_cmd zkcli_cmds[] = {
	{ "addauth", "addauth scheme auth", zkcli_cmd_addauth },
	{ "count", "count path", zkcli_cmd_count },
	{ "create", "create [-ces] [-t ttl] path [data]", zkcli_cmd_create },
	{ "delete", "delete [-v version] path", zkcli_cmd_delete },
	{ "deleteall", "deleteall path", zkcli_cmd_deleteall },
	{ "ephemerals", "ephemerals [prefix]", zkcli_cmd_ephemerals },
	{ "exists", "exists path", zkcli_cmd_exists },
	{ "get", "get [-sw] path", zkcli_cmd_get },
	{ "getacl", "getacl path", zkcli_cmd_getacl },
	{ "ls", "ls [-Rsw] path", zkcli_cmd_ls },
	{ "set", "set [-v version] path data", zkcli_cmd_set },
	{ "setacl", "setacl [-v version] path acl", zkcli_cmd_setacl },
	{ "stat", "stat path", zkcli_cmd_stat },
	{ "sync", "sync path", zkcli_cmd_sync },
	{ "wait", "wait [-t seconds] path exists|gone", zkcli_cmd_wait },
	{ "watch", "watch [-c] path", zkcli_cmd_watch },
	{ "whoami", "whoami", zkcli_cmd_whoami },
};

/* The command called name, or NULL. */
const struct zkcli_cmd *
zkcli_cmd_find(const char *name)
{
	size_t	 i;

	for (i = 0; i < nitems(zkcli_cmds); i++)
		if (strcmp(zkcli_cmds[i].name, name) == 0)
			return &zkcli_cmds[i];
	return NULL;
}

/* Prints every command's synopsis, one a line. */
void
zkcli_cmd_list(FILE *f)
{
	size_t	 i;

	for (i = 0; i < nitems(zkcli_cmds); i++)
		fprintf(f, "\t%s\n", zkcli_cmds[i].usage);
}

static int
zkcli_cmd_version(const char *s, int32_t *v)
{
	char	*end;
	long	 l;

	errno = 0;
	l = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || l < -1 || l > INT32_MAX) {
		fprintf(stderr, "zkcli: %s: not a version\n", s);
		return -1;
	}
	*v = (int32_t)l;
	return 0;
}

static void
zkcli_cmd_stat_of(const struct Stat *s, struct zkcli_stat *st)
{
	st->czxid = s->czxid;
	st->mzxid = s->mzxid;
	st->ctime = s->ctime;
	st->mtime = s->mtime;
	st->pzxid = s->pzxid;
	st->ephemeral_owner = s->ephemeralOwner;
	st->version = s->version;
	st->cversion = s->cversion;
	st->aversion = s->aversion;
	st->data_length = s->dataLength;
	st->num_children = s->numChildren;
}

static void
zkcli_cmd_print_stat(const struct Stat *s)
{
	struct zkcli_stat	 st;

	zkcli_cmd_stat_of(s, &st);
	zkcli_out_stat_text(&st);
}

static void
zkcli_cmd_print_stat_json(const struct Stat *s)
{
	struct zkcli_stat	 st;

	zkcli_cmd_stat_of(s, &st);
	zkcli_out_stat_json(&st);
}

static int
zkcli_cmd_strcmp(const void *a, const void *b)
{
	return strcmp(*(char * const *)a, *(char * const *)b);
}

/* Identities in a stable order: ZooKeeper keeps them in a hash set. */
static int
zkcli_cmd_identcmp(const void *a, const void *b)
{
	const struct zkcli_ident	*x = a, *y = b;
	int				 c;

	if ((c = strcmp(x->scheme, y->scheme)) != 0)
		return c;
	return strcmp(x->user, y->user);
}

static void
zkcli_cmd_strv_add(struct zkcli_strv *sv, char *s)
{
	if (sv->n == sv->cap) {
		sv->cap = sv->cap ? sv->cap * 2 : 16;
		sv->v = xreallocarray(sv->v, sv->cap, sizeof(*sv->v));
	}
	sv->v[sv->n++] = s;
}

static void
zkcli_cmd_strv_sort(struct zkcli_strv *sv)
{
	if (sv->n > 0)
		qsort(sv->v, sv->n, sizeof(*sv->v), zkcli_cmd_strcmp);
}

static void
zkcli_cmd_strv_free(struct zkcli_strv *sv)
{
	size_t	 i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	memset(sv, 0, sizeof(*sv));
}

/*
 * Prints a list one item a line, or with -j as {"<key>":"<what>",
 * "<name>":[...]} (the caller closes the object).
 */
static void
zkcli_cmd_print_strv(struct zkcli *z, const char *key, const char *what,
    const char *name, struct zkcli_strv *sv)
{
	size_t	 i;

	if (!z->json) {
		for (i = 0; i < sv->n; i++)
			printf("%s\n", sv->v[i]);
		return;
	}
	printf("{\"%s\":", key);
	zkcli_out_json_string(what);
	printf(",\"%s\":[", name);
	for (i = 0; i < sv->n; i++) {
		if (i > 0)
			putchar(',');
		zkcli_out_json_string(sv->v[i]);
	}
	putchar(']');
}

static char *
zkcli_cmd_join(const char *parent, const char *child)
{
	char	*p;

	xasprintf(&p, "%s/%s", strcmp(parent, "/") == 0 ? "" : parent, child);
	return p;
}

/* getChildren2 of path, sorted, with a child watch when token is not -1. */
static int
zkcli_cmd_children(struct zkcli *z, const char *path, uintptr_t token,
    struct zkcli_strv *out, struct Stat *st)
{
	struct String_vector	 sv;
	int			 rc, i;

	memset(&sv, 0, sizeof(sv));
	if (token != (uintptr_t)-1)
		rc = zoo_wget_children2(z->zh, path, zkcli_watch_cb,
		    (void *)token, &sv, st);
	else
		rc = zoo_get_children2(z->zh, path, 0, &sv, st);
	if (rc != ZOK)
		return rc;
	for (i = 0; i < sv.count; i++)
		zkcli_cmd_strv_add(out, xstrdup(sv.data[i]));
	deallocate_String_vector(&sv);
	zkcli_cmd_strv_sort(out);
	return ZOK;
}

/*
 * Adds every path under path to out, depth first, siblings sorted.  A
 * node deleted while we walk is skipped.
 */
static int
zkcli_cmd_tree(struct zkcli *z, const char *path, uintptr_t token,
    struct zkcli_strv *out)
{
	struct zkcli_strv	 kids;
	struct Stat		 st;
	size_t			 i;
	char			*p;
	int			 rc;

	memset(&kids, 0, sizeof(kids));
	if ((rc = zkcli_cmd_children(z, path, token, &kids, &st)) != ZOK) {
		zkcli_cmd_strv_free(&kids);
		return rc;
	}
	for (i = 0; i < kids.n; i++) {
		p = zkcli_cmd_join(path, kids.v[i]);
		zkcli_cmd_strv_add(out, p);
		rc = zkcli_cmd_tree(z, p, token, out);
		if (rc != ZOK && rc != ZNONODE)
			break;
		rc = ZOK;
	}
	zkcli_cmd_strv_free(&kids);
	return rc;
}

/* After a one-shot -w: waits for the watch to fire and prints the event. */
static int
zkcli_cmd_await(struct zkcli *z, uintptr_t token, const char *path)
{
	struct zkcli_event	*ev;
	int			 rc;

	fflush(stdout);
	if ((rc = zkcli_wait_event(z, token, -1, &ev)) != ZOK)
		return zkcli_error(z, path, rc);
	zkcli_print_event(z, ev->type, ev->path);
	zkcli_event_free(ev);
	return ZKCLI_EXIT_OK;
}

/*
 * ls [-Rsw] path: the children, sorted, one a line; -s adds the stat, -R
 * lists the whole subtree as full paths (path first), -w watches the
 * children (every listed node's with -R).
 */
static int
zkcli_cmd_ls(struct zkcli *z, int argc, char **argv)
{
	struct zkcli_strv	 out;
	struct Stat		 st;
	uintptr_t		 token = (uintptr_t)-1;
	int			 ch, rc, recursive = 0, with_stat = 0;
	int			 watch = 0;
	const char		*path;

	optind = 0;
	while ((ch = getopt(argc, argv, "+Rsw")) != -1) {
		switch (ch) {
		case 'R':
			recursive = 1;
			break;
		case 's':
			with_stat = 1;
			break;
		case 'w':
			watch = 1;
			break;
		default:
			return zkcli_usage_error("ls");
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 1 || (recursive && with_stat))
		return zkcli_usage_error("ls");
	path = argv[0];
	if ((rc = zkcli_connect(z)) != ZOK)
		return zkcli_error(z, z->hosts, rc);
	if (watch)
		token = z->interactive ? 0 : zkcli_watch_token(z);

	memset(&out, 0, sizeof(out));
	if (recursive) {
		zkcli_cmd_strv_add(&out, xstrdup(path));
		rc = zkcli_cmd_tree(z, path, token, &out);
	} else
		rc = zkcli_cmd_children(z, path, token, &out, &st);
	if (rc != ZOK) {
		zkcli_cmd_strv_free(&out);
		return zkcli_error(z, path, rc);
	}
	zkcli_cmd_print_strv(z, "path", path, recursive ? "paths" : "children",
	    &out);
	if (z->json) {
		if (with_stat) {
			printf(",\"stat\":");
			zkcli_cmd_print_stat_json(&st);
		}
		printf("}\n");
	} else if (with_stat)
		zkcli_cmd_print_stat(&st);
	zkcli_cmd_strv_free(&out);
	if (watch && !z->interactive)
		return zkcli_cmd_await(z, token, path);
	return ZKCLI_EXIT_OK;
}

/* get [-sw] path: the data, then a newline; -s adds the stat. */
static int
zkcli_cmd_get(struct zkcli *z, int argc, char **argv)
{
	struct Stat	 st;
	uintptr_t	 token = 0;
	const char	*path;
	char		*buf;
	int		 ch, rc, len, cap = 1 << 20, with_stat = 0, watch = 0;

	optind = 0;
	while ((ch = getopt(argc, argv, "+sw")) != -1) {
		switch (ch) {
		case 's':
			with_stat = 1;
			break;
		case 'w':
			watch = 1;
			break;
		default:
			return zkcli_usage_error("get");
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 1)
		return zkcli_usage_error("get");
	path = argv[0];
	if ((rc = zkcli_connect(z)) != ZOK)
		return zkcli_error(z, z->hosts, rc);
	if (watch && !z->interactive)
		token = zkcli_watch_token(z);

	buf = NULL;
	for (;;) {
		buf = xreallocarray(buf, (size_t)cap, 1);
		len = cap;
		if (watch)
			rc = zoo_wget(z->zh, path, zkcli_watch_cb,
			    (void *)token, buf, &len, &st);
		else
			rc = zoo_get(z->zh, path, 0, buf, &len, &st);
		if (rc != ZOK || len < 0 || st.dataLength <= len)
			break;
		cap = st.dataLength;
	}
	if (rc != ZOK) {
		free(buf);
		return zkcli_error(z, path, rc);
	}
	if (z->json) {
		printf("{\"path\":");
		zkcli_out_json_string(path);
		putchar(',');
		zkcli_out_json_data(buf, len);
		if (with_stat) {
			printf(",\"stat\":");
			zkcli_cmd_print_stat_json(&st);
		}
		printf("}\n");
	} else {
		if (len > 0)
			fwrite(buf, 1, (size_t)len, stdout);
		putchar('\n');
		if (with_stat)
			zkcli_cmd_print_stat(&st);
	}
	free(buf);
	if (watch && !z->interactive)
		return zkcli_cmd_await(z, token, path);
	return ZKCLI_EXIT_OK;
}

/*
 * Parses the [-v version] option of set, delete and setacl; returns the
 * index of the first operand, or -1 on a usage error.
 */
static int
zkcli_cmd_version_opt(int argc, char **argv, int32_t *version)
{
	int	 ch;

	*version = -1;
	optind = 0;
	while ((ch = getopt(argc, argv, "+v:")) != -1) {
		if (ch != 'v' || zkcli_cmd_version(optarg, version) == -1)
			return -1;
	}
	return optind;
}

/* set [-v version] path data. */
static int
zkcli_cmd_set(struct zkcli *z, int argc, char **argv)
{
	int32_t	 version;
	int	 first, rc;

	if ((first = zkcli_cmd_version_opt(argc, argv, &version)) == -1)
		return zkcli_usage_error("set");
	argc -= first;
	argv += first;
	if (argc != 2)
		return zkcli_usage_error("set");
	if ((rc = zkcli_connect(z)) != ZOK)
		return zkcli_error(z, z->hosts, rc);
	rc = zoo_set(z->zh, argv[0], argv[1], (int)strlen(argv[1]), version);
	return zkcli_error(z, argv[0], rc);
}

/*
 * create [-ces] [-t ttl] path [data]: -e ephemeral, -s sequential, -c
 * container, -t persistent with a time to live in ms.  Prints the path
 * created.  Without data the znode's data is null.
 */
static int
zkcli_cmd_create(struct zkcli *z, int argc, char **argv)
{
	int64_t		 ttl = -1;
	const char	*path, *data;
	char		*created, *end;
	size_t		 size;
	int		 ch, rc, mode, eph = 0, seq = 0, ctr = 0;
	long long	 ll;

	optind = 0;
	while ((ch = getopt(argc, argv, "+cest:")) != -1) {
		switch (ch) {
		case 'c':
			ctr = 1;
			break;
		case 'e':
			eph = 1;
			break;
		case 's':
			seq = 1;
			break;
		case 't':
			errno = 0;
			ll = strtoll(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0') {
				fprintf(stderr, "zkcli: %s: not a time to live "
				    "in milliseconds\n", optarg);
				return zkcli_usage_error("create");
			}
			ttl = ll;
			break;
		default:
			return zkcli_usage_error("create");
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || argc > 2)
		return zkcli_usage_error("create");
	if ((ctr && (eph || seq || ttl != -1)) || (eph && ttl != -1)) {
		fprintf(stderr, "zkcli: create: -c goes alone, -e does not "
		    "go with -t\n");
		return zkcli_usage_error("create");
	}
	if (ctr)
		mode = ZOO_CONTAINER;
	else if (ttl != -1)
		mode = seq ? ZOO_PERSISTENT_SEQUENTIAL_WITH_TTL :
		    ZOO_PERSISTENT_WITH_TTL;
	else if (eph)
		mode = seq ? ZOO_EPHEMERAL_SEQUENTIAL : ZOO_EPHEMERAL;
	else
		mode = seq ? ZOO_PERSISTENT_SEQUENTIAL : ZOO_PERSISTENT;
	path = argv[0];
	data = argc == 2 ? argv[1] : NULL;
	if ((rc = zkcli_connect(z)) != ZOK)
		return zkcli_error(z, z->hosts, rc);

	size = strlen(path) + 64;
	created = xcalloc(1, size);
	rc = zoo_create_ttl(z->zh, path, data, data ? (int)strlen(data) : -1,
	    &ZOO_OPEN_ACL_UNSAFE, mode, ttl, created, (int)size - 1);
	if (rc != ZOK) {
		free(created);
		return zkcli_error(z, path, rc);
	}
	if (z->json) {
		printf("{\"path\":");
		zkcli_out_json_string(created);
		printf("}\n");
	} else
		printf("%s\n", created);
	free(created);
	return ZKCLI_EXIT_OK;
}

/* delete [-v version] path. */
static int
zkcli_cmd_delete(struct zkcli *z, int argc, char **argv)
{
	int32_t	 version;
	int	 first, rc;

	if ((first = zkcli_cmd_version_opt(argc, argv, &version)) == -1)
		return zkcli_usage_error("delete");
	argc -= first;
	argv += first;
	if (argc != 1)
		return zkcli_usage_error("delete");
	if ((rc = zkcli_connect(z)) != ZOK)
		return zkcli_error(z, z->hosts, rc);
	rc = zoo_delete(z->zh, argv[0], version);
	return zkcli_error(z, argv[0], rc);
}

/*
 * Deletes path and everything under it, children first.  A node that is
 * already gone is fine below the top.  On failure *failed names the node.
 */
static int
zkcli_cmd_delete_tree(struct zkcli *z, const char *path, char **failed)
{
	struct zkcli_strv	 kids;
	struct Stat		 st;
	size_t			 i;
	char			*p;
	int			 rc;

	memset(&kids, 0, sizeof(kids));
	rc = zkcli_cmd_children(z, path, (uintptr_t)-1, &kids, &st);
	for (i = 0; rc == ZOK && i < kids.n; i++) {
		p = zkcli_cmd_join(path, kids.v[i]);
		/* A child already gone is as good as deleted. */
		if ((rc = zkcli_cmd_delete_tree(z, p, failed)) == ZNONODE) {
			free(*failed);
			*failed = NULL;
			rc = ZOK;
		}
		free(p);
	}
	zkcli_cmd_strv_free(&kids);
	if (rc == ZOK)
		rc = zoo_delete(z->zh, path, -1);
	if (rc != ZOK && *failed == NULL)
		*failed = xstrdup(path);
	return rc;
}

/* deleteall path: the node and its whole subtree. */
static int
zkcli_cmd_deleteall(struct zkcli *z, int argc, char **argv)
{
	char	*failed = NULL;
	int	 rc, code;

	if (argc != 2)
		return zkcli_usage_error("deleteall");
	if ((rc = zkcli_connect(z)) != ZOK)
		return zkcli_error(z, z->hosts, rc);
	rc = zkcli_cmd_delete_tree(z, argv[1], &failed);
	code = zkcli_error(z, failed != NULL ? failed : argv[1], rc);
	free(failed);
	return code;
}

/* stat path. */
static int
zkcli_cmd_stat(struct zkcli *z, int argc, char **argv)
{
	struct Stat	 st;
	int		 rc;

	if (argc != 2)
		return zkcli_usage_error("stat");
	if ((rc = zkcli_connect(z)) != ZOK)
		return zkcli_error(z, z->hosts, rc);
	if ((rc = zoo_exists(z->zh, argv[1], 0, &st)) != ZOK)
		return zkcli_error(z, argv[1], rc);
	if (z->json) {
		printf("{\"path\":");
		zkcli_out_json_string(argv[1]);
		printf(",\"stat\":");
		zkcli_cmd_print_stat_json(&st);
		printf("}\n");
	} else
		zkcli_cmd_print_stat(&st);
	return ZKCLI_EXIT_OK;
}

/* exists path: exit 0 if it does, the NONODE code quietly if not. */
static int
zkcli_cmd_exists(struct zkcli *z, int argc, char **argv)
{
	struct Stat	 st;
	int		 rc;

	if (argc != 2)
		return zkcli_usage_error("exists");
	if ((rc = zkcli_connect(z)) != ZOK)
		return zkcli_error(z, z->hosts, rc);
	rc = zoo_exists(z->zh, argv[1], 0, &st);
	if (rc != ZOK && rc != ZNONODE)
		return zkcli_error(z, argv[1], rc);
	if (z->json) {
		printf("{\"path\":");
		zkcli_out_json_string(argv[1]);
		printf(",\"exists\":%s", rc == ZOK ? "true" : "false");
		if (rc == ZOK) {
			printf(",\"stat\":");
			zkcli_cmd_print_stat_json(&st);
		}
		printf("}\n");
	}
	return zkcli_exit_code(rc);
}

static void
zkcli_cmd_done_cb(int rc, const void *data)
{
	struct zkcli_done	*d = (struct zkcli_done *)data;

	pthread_mutex_lock(&d->z->lock);
	d->rc = rc;
	d->done = 1;
	pthread_cond_broadcast(&d->z->cond);
	pthread_mutex_unlock(&d->z->lock);
}

static void
zkcli_cmd_sync_cb(int rc, const char *value, const void *data)
{
	zkcli_cmd_done_cb(rc, data);
}

/* Waits for an asynchronous call's completion; returns its result. */
static int
zkcli_cmd_done_wait(struct zkcli_done *d)
{
	pthread_mutex_lock(&d->z->lock);
	while (!d->done)
		pthread_cond_wait(&d->z->cond, &d->z->lock);
	pthread_mutex_unlock(&d->z->lock);
	return d->rc;
}

/* sync path: the server catches up with the leader before answering. */
static int
zkcli_cmd_sync(struct zkcli *z, int argc, char **argv)
{
	struct zkcli_done	 d = { z, 0, 0 };
	int			 rc;

	if (argc != 2)
		return zkcli_usage_error("sync");
	if ((rc = zkcli_connect(z)) != ZOK)
		return zkcli_error(z, z->hosts, rc);
	rc = zoo_async(z->zh, argv[1], zkcli_cmd_sync_cb, &d);
	if (rc == ZOK)
		rc = zkcli_cmd_done_wait(&d);
	return zkcli_error(z, argv[1], rc);
}

/* getacl path: one "scheme:id:perms" a line, in the server's order. */
static int
zkcli_cmd_getacl(struct zkcli *z, int argc, char **argv)
{
	struct ACL_vector	 acl;
	struct Stat		 st;
	char			 perms[8];
	int			 i, rc;

	if (argc != 2)
		return zkcli_usage_error("getacl");
	if ((rc = zkcli_connect(z)) != ZOK)
		return zkcli_error(z, z->hosts, rc);
	memset(&acl, 0, sizeof(acl));
	if ((rc = zoo_get_acl(z->zh, argv[1], &acl, &st)) != ZOK)
		return zkcli_error(z, argv[1], rc);
	if (z->json) {
		printf("{\"path\":");
		zkcli_out_json_string(argv[1]);
		printf(",\"acl\":[");
	}
	for (i = 0; i < acl.count; i++) {
		zkcli_out_perms(acl.data[i].perms, perms);
		if (!z->json) {
			printf("%s:%s:%s\n", acl.data[i].id.scheme,
			    acl.data[i].id.id, perms);
			continue;
		}
		printf("%s{\"scheme\":", i > 0 ? "," : "");
		zkcli_out_json_string(acl.data[i].id.scheme);
		printf(",\"id\":");
		zkcli_out_json_string(acl.data[i].id.id);
		printf(",\"perms\":\"%s\"}", perms);
	}
	if (z->json) {
		printf("],\"stat\":");
		zkcli_cmd_print_stat_json(&st);
		printf("}\n");
	}
	deallocate_ACL_vector(&acl);
	return ZKCLI_EXIT_OK;
}

/*
 * Parses "scheme:id:perms[,...]" as zkCli.sh does: the scheme ends at the
 * first colon, the perms start after the last one (digest ids hold a
 * colon).  Returns 0, or -1 after saying what is wrong.
 */
static int
zkcli_cmd_parse_acl(const char *s, struct ACL_vector *acl)
{
	char		*copy, *item, *next, *first, *last, *p;
	struct ACL	*a;
	int		 perms;

	memset(acl, 0, sizeof(*acl));
	copy = xstrdup(s);
	for (item = copy; item != NULL; item = next) {
		if ((next = strchr(item, ',')) != NULL)
			*next++ = '\0';
		first = strchr(item, ':');
		last = strrchr(item, ':');
		if (first == NULL || first == last || first == item) {
			fprintf(stderr, "zkcli: %s: not scheme:id:perms\n",
			    item);
			goto fail;
		}
		perms = 0;
		for (p = last + 1; *p != '\0'; p++) {
			switch (*p) {
			case 'c':
				perms |= ZOO_PERM_CREATE;
				break;
			case 'd':
				perms |= ZOO_PERM_DELETE;
				break;
			case 'r':
				perms |= ZOO_PERM_READ;
				break;
			case 'w':
				perms |= ZOO_PERM_WRITE;
				break;
			case 'a':
				perms |= ZOO_PERM_ADMIN;
				break;
			default:
				fprintf(stderr, "zkcli: %s: unknown permission "
				    "'%c' (letters are crwda)\n", item, *p);
				goto fail;
			}
		}
		acl->data = xreallocarray(acl->data, (size_t)acl->count + 1,
		    sizeof(*acl->data));
		a = &acl->data[acl->count++];
		a->perms = perms;
		a->id.scheme = xstrndup(item, (size_t)(first - item));
		a->id.id = xstrndup(first + 1, (size_t)(last - first - 1));
	}
	free(copy);
	return 0;
fail:
	free(copy);
	zkcli_cmd_free_acl(acl);
	return -1;
}

static void
zkcli_cmd_free_acl(struct ACL_vector *acl)
{
	int	 i;

	for (i = 0; i < acl->count; i++) {
		free(acl->data[i].id.scheme);
		free(acl->data[i].id.id);
	}
	free(acl->data);
	memset(acl, 0, sizeof(*acl));
}

/* setacl [-v version] path acl. */
static int
zkcli_cmd_setacl(struct zkcli *z, int argc, char **argv)
{
	struct ACL_vector	 acl;
	int32_t			 version;
	int			 first, rc;

	if ((first = zkcli_cmd_version_opt(argc, argv, &version)) == -1)
		return zkcli_usage_error("setacl");
	argc -= first;
	argv += first;
	if (argc != 2 || zkcli_cmd_parse_acl(argv[1], &acl) == -1)
		return zkcli_usage_error("setacl");
	if ((rc = zkcli_connect(z)) != ZOK) {
		zkcli_cmd_free_acl(&acl);
		return zkcli_error(z, z->hosts, rc);
	}
	rc = zoo_set_acl(z->zh, argv[0], version, &acl);
	zkcli_cmd_free_acl(&acl);
	return zkcli_error(z, argv[0], rc);
}

/*
 * addauth scheme auth: adds credentials to the session (and remembers
 * them for the side door).  A server that refuses them ends the session.
 */
static int
zkcli_cmd_addauth(struct zkcli *z, int argc, char **argv)
{
	struct zkcli_done	 d = { z, 0, 0 };
	size_t			 len;
	int			 rc;

	if (argc != 3)
		return zkcli_usage_error("addauth");
	if ((rc = zkcli_connect(z)) != ZOK)
		return zkcli_error(z, z->hosts, rc);
	len = strlen(argv[2]);
	rc = zoo_add_auth(z->zh, argv[1], argv[2], (int)len,
	    zkcli_cmd_done_cb, &d);
	if (rc == ZOK)
		rc = zkcli_cmd_done_wait(&d);
	if (rc == ZOK)
		zkcli_add_auth(z, argv[1], argv[2], len);
	else if (rc == ZAUTHFAILED) {
		/* No session event says so: the next command starts over. */
		pthread_mutex_lock(&z->lock);
		z->auth_failed = 1;
		pthread_mutex_unlock(&z->lock);
	}
	return zkcli_error(z, argv[1], rc);
}

/* whoami: the session's identities, "scheme:user" one a line, sorted. */
static int
zkcli_cmd_whoami(struct zkcli *z, int argc, char **argv)
{
	struct zkcli_side	 side;
	struct zkcli_ident	*ids = NULL;
	int			 i, n = 0, rc;

	if (argc != 1)
		return zkcli_usage_error("whoami");
	if ((rc = zkcli_lend_session(z, &side)) != ZOK)
		return zkcli_error(z, z->hosts, rc);
	rc = zkcli_side_whoami(&side, &ids, &n);
	zkcli_reclaim_session(z);
	if (rc != ZOK)
		return zkcli_error(z, "whoami", rc);
	if (n > 0)
		qsort(ids, (size_t)n, sizeof(*ids), zkcli_cmd_identcmp);
	if (z->json)
		printf("{\"identities\":[");
	for (i = 0; i < n; i++) {
		if (!z->json)
			printf("%s:%s\n", ids[i].scheme, ids[i].user);
		else {
			printf("%s{\"scheme\":", i > 0 ? "," : "");
			zkcli_out_json_string(ids[i].scheme);
			printf(",\"user\":");
			zkcli_out_json_string(ids[i].user);
			putchar('}');
		}
		free(ids[i].scheme);
		free(ids[i].user);
	}
	if (z->json)
		printf("]}\n");
	free(ids);
	return ZKCLI_EXIT_OK;
}

/*
 * ephemerals [prefix]: this session's ephemeral nodes (under prefix, a
 * plain string prefix as ZooKeeper matches it), sorted.
 */
static int
zkcli_cmd_ephemerals(struct zkcli *z, int argc, char **argv)
{
	struct zkcli_side	 side;
	struct zkcli_strv	 out;
	const char		*prefix = argc == 2 ? argv[1] : "/";
	char			*full, **paths = NULL;
	size_t			 clen;
	int			 i, n = 0, rc;

	if (argc > 2)
		return zkcli_usage_error("ephemerals");
	if ((rc = zkcli_lend_session(z, &side)) != ZOK)
		return zkcli_error(z, z->hosts, rc);
	full = zkcli_full_path(z, prefix);
	rc = zkcli_side_ephemerals(&side, full, &paths, &n);
	free(full);
	zkcli_reclaim_session(z);
	if (rc != ZOK)
		return zkcli_error(z, prefix, rc);

	memset(&out, 0, sizeof(out));
	clen = z->chroot != NULL ? strlen(z->chroot) : 0;
	for (i = 0; i < n; i++) {
		if (clen == 0)
			zkcli_cmd_strv_add(&out, paths[i]);
		else if (strncmp(paths[i], z->chroot, clen) == 0 &&
		    (paths[i][clen] == '/' || paths[i][clen] == '\0')) {
			zkcli_cmd_strv_add(&out, xstrdup(paths[i][clen] ?
			    paths[i] + clen : "/"));
			free(paths[i]);
		} else
			free(paths[i]);
	}
	free(paths);
	zkcli_cmd_strv_sort(&out);
	zkcli_cmd_print_strv(z, "prefix", prefix, "paths", &out);
	if (z->json)
		printf("}\n");
	zkcli_cmd_strv_free(&out);
	return ZKCLI_EXIT_OK;
}

/* count path: how many nodes are below path (getAllChildrenNumber). */
static int
zkcli_cmd_count(struct zkcli *z, int argc, char **argv)
{
	struct zkcli_side	 side;
	int32_t			 n = 0;
	char			*full;
	int			 rc;

	if (argc != 2)
		return zkcli_usage_error("count");
	if ((rc = zkcli_lend_session(z, &side)) != ZOK)
		return zkcli_error(z, z->hosts, rc);
	full = zkcli_full_path(z, argv[1]);
	rc = zkcli_side_count(&side, full, &n);
	free(full);
	zkcli_reclaim_session(z);
	if (rc != ZOK)
		return zkcli_error(z, argv[1], rc);
	if (z->json) {
		printf("{\"path\":");
		zkcli_out_json_string(argv[1]);
		printf(",\"count\":%d}\n", n);
	} else
		printf("%d\n", n);
	return ZKCLI_EXIT_OK;
}

/*
 * watch [-c] path: blocks until the next event on path (an exists watch,
 * which also sees a creation; a child watch with -c), prints it, returns.
 */
static int
zkcli_cmd_watch(struct zkcli *z, int argc, char **argv)
{
	struct zkcli_strv	 kids;
	struct Stat		 st;
	uintptr_t		 token;
	const char		*path;
	int			 ch, rc, children = 0;

	optind = 0;
	while ((ch = getopt(argc, argv, "+c")) != -1) {
		switch (ch) {
		case 'c':
			children = 1;
			break;
		default:
			return zkcli_usage_error("watch");
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 1)
		return zkcli_usage_error("watch");
	path = argv[0];
	if ((rc = zkcli_connect(z)) != ZOK)
		return zkcli_error(z, z->hosts, rc);
	token = zkcli_watch_token(z);
	if (children) {
		memset(&kids, 0, sizeof(kids));
		rc = zkcli_cmd_children(z, path, token, &kids, &st);
		zkcli_cmd_strv_free(&kids);
	} else {
		rc = zoo_wexists(z->zh, path, zkcli_watch_cb, (void *)token,
		    &st);
		if (rc == ZNONODE)
			rc = ZOK;
	}
	if (rc != ZOK)
		return zkcli_error(z, path, rc);
	return zkcli_cmd_await(z, token, path);
}

/*
 * wait [-t seconds] path exists|gone: returns once path exists (or is
 * gone), re-arming an exists watch after each event; no polling.  Past
 * the deadline: "timed out", the timeout exit code.
 */
static int
zkcli_cmd_wait(struct zkcli *z, int argc, char **argv)
{
	struct zkcli_event	*ev;
	struct Stat		 st;
	uintptr_t		 token;
	int64_t			 deadline = -1;
	const char		*path;
	char			*end;
	double			 secs = -1;
	int			 ch, rc, want;

	optind = 0;
	while ((ch = getopt(argc, argv, "+t:")) != -1) {
		switch (ch) {
		case 't':
			errno = 0;
			secs = strtod(optarg, &end);
			if (errno != 0 || end == optarg || *end != '\0' ||
			    !isfinite(secs) || secs < 0 || secs > 1e9) {
				fprintf(stderr, "zkcli: %s: not a time in "
				    "seconds\n", optarg);
				return zkcli_usage_error("wait");
			}
			break;
		default:
			return zkcli_usage_error("wait");
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 2)
		return zkcli_usage_error("wait");
	if (strcmp(argv[1], "exists") == 0)
		want = 1;
	else if (strcmp(argv[1], "gone") == 0)
		want = 0;
	else
		return zkcli_usage_error("wait");
	path = argv[0];
	if (secs >= 0)
		deadline = zkcli_now_ms() + (int64_t)(secs * 1000);
	if ((rc = zkcli_connect(z)) != ZOK)
		return zkcli_error(z, z->hosts, rc);

	token = zkcli_watch_token(z);
	for (;;) {
		rc = zoo_wexists(z->zh, path, zkcli_watch_cb, (void *)token,
		    &st);
		if (rc != ZOK && rc != ZNONODE)
			return zkcli_error(z, path, rc);
		if ((rc == ZOK) == want)
			return ZKCLI_EXIT_OK;
		if ((rc = zkcli_wait_event(z, token, deadline, &ev)) != ZOK)
			return zkcli_error(z, path, rc);
		zkcli_event_free(ev);
	}
}
