/* SPDX-License-Identifier: ISC */
/*
 * faults.c: network faults between the launched servers, kept by the
 * supervisor and carried out by the servers themselves.
 *
 * The user's faults are a picture of the network: which links are cut
 * (both ways: isolate, partition) and how long each direction of a link
 * holds what it carries (delay).  zkd carries a rule per peer on each
 * server (report.h's fault command: drop, delay N ms, or none), so the
 * picture becomes, for server i and peer j:
 *
 *	drop		if the link i-j is cut, or either end is fenced
 *			(elect takes a leader away this way);
 *	delay N		if what i sends to j is to wait N ms;
 *	none		otherwise.
 *
 * A cut is told to both ends (one would do, but a server restarted on
 * its own must not reach the other either before it hears of it).  The
 * supervisor remembers what each server has been told (`told`), sends
 * only the difference after each verb, and forgets a server's rules when
 * its process goes: a new process starts with none, and is told the
 * whole picture on its side door before it runs (sup_spawn), so faults
 * outlive restarts as a real network's would.
 *
 * Argument forms: a set of servers is "all" or sids separated by commas;
 * partition takes sets, and the servers named in none form one more.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faults.h"
#include "xmalloc.h"

#define CUT(f, i, j)	((f)->cut[(i) * (f)->n + (j)])
#define DELAY(f, i, j)	((f)->delay[(i) * (f)->n + (j)])
#define TOLD(f, i, j)	((f)->told[(i) * (f)->n + (j)])

void
faults_init(struct faults *f, size_t n)
{
	memset(f, 0, sizeof(*f));
	f->n = n;
	f->cut = xcalloc(n * n, sizeof(*f->cut));
	f->delay = xcalloc(n * n, sizeof(*f->delay));
	f->told = xcalloc(n * n, sizeof(*f->told));
}

void
faults_free(struct faults *f)
{
	free(f->cut);
	free(f->delay);
	free(f->told);
	memset(f, 0, sizeof(*f));
}

/*
 * Parses a set of servers ("all", or sids separated by commas) into
 * in[0..n-1].  Returns the number of servers in it, or -1 with *cause.
 */
int
faults_parse_set(const struct faults *f, const char *word, uint8_t *in,
    char **cause)
{
	const char	*p = word;
	char		*end;
	long long	 sid;
	size_t		 i;
	int		 count = 0;

	memset(in, 0, f->n);
	if (strcmp(word, "all") == 0) {
		memset(in, 1, f->n);
		return (int)f->n;
	}
	for (;;) {
		sid = strtoll(p, &end, 10);
		if (end == p || sid < 1 || (size_t)sid > f->n ||
		    (*end != ',' && *end != '\0')) {
			xasprintf(cause, "%s: not a server (1 to %zu, several "
			    "separated by commas, or all)", word, f->n);
			return -1;
		}
		i = (size_t)sid - 1;
		if (!in[i])
			count++;
		in[i] = 1;
		if (*end == '\0')
			return count;
		p = end + 1;
	}
}

/* isolate SET: each server named loses every link. */
int
faults_isolate(struct faults *f, const char *word, char **cause)
{
	uint8_t	*in = xcalloc(f->n, 1);
	size_t	 i, j;

	if (faults_parse_set(f, word, in, cause) == -1) {
		free(in);
		return -1;
	}
	for (i = 0; i < f->n; i++)
		for (j = 0; j < f->n; j++)
			if (i != j && (in[i] || in[j]))
				CUT(f, i, j) = 1;
	free(in);
	return 0;
}

/*
 * partition SET...: the links between servers of different sets are
 * cut; the servers named in no set form one more.  A server named twice
 * is an error.
 */
int
faults_partition(struct faults *f, int argc, char **argv, char **cause)
{
	uint8_t	*in = xcalloc(f->n, 1);
	int	*group = xcalloc(f->n, sizeof(*group));
	size_t	 i, j;
	int	 g, rv = -1;

	if (argc < 1) {
		xasprintf(cause, "partition: name the servers of at least "
		    "one side");
		goto out;
	}
	for (g = 0; g < argc; g++) {
		if (faults_parse_set(f, argv[g], in, cause) == -1)
			goto out;
		for (i = 0; i < f->n; i++) {
			if (!in[i])
				continue;
			if (group[i] != 0) {
				xasprintf(cause, "partition: server %zu is "
				    "on two sides", i + 1);
				goto out;
			}
			group[i] = g + 1;
		}
	}
	for (i = 0; i < f->n; i++)
		for (j = 0; j < f->n; j++)
			if (i != j && group[i] != group[j])
				CUT(f, i, j) = 1;
	rv = 0;
out:
	free(in);
	free(group);
	return rv;
}

/* delay FROM TO MS: what each of FROM sends to each of TO waits MS. */
int
faults_delay(struct faults *f, const char *from, const char *to,
    const char *ms, char **cause)
{
	uint8_t		*a = xcalloc(f->n, 1), *b = xcalloc(f->n, 1);
	char		*end;
	long long	 v;
	size_t		 i, j;
	int		 rv = -1;

	v = strtoll(ms, &end, 10);
	if (*ms == '\0' || *end != '\0' || v < 0 || v > FAULTS_DELAY_MAX) {
		xasprintf(cause, "delay: %s: milliseconds are 0 to %d", ms,
		    FAULTS_DELAY_MAX);
		goto out;
	}
	if (faults_parse_set(f, from, a, cause) == -1 ||
	    faults_parse_set(f, to, b, cause) == -1)
		goto out;
	for (i = 0; i < f->n; i++)
		for (j = 0; j < f->n; j++)
			if (i != j && a[i] && b[j])
				DELAY(f, i, j) = (int)v;
	rv = 0;
out:
	free(a);
	free(b);
	return rv;
}

/* heal [SET]: every fault, or those on links of the servers named. */
int
faults_heal(struct faults *f, const char *word, char **cause)
{
	uint8_t	*in = xcalloc(f->n, 1);
	size_t	 i, j;

	if (word == NULL)
		memset(in, 1, f->n);
	else if (faults_parse_set(f, word, in, cause) == -1) {
		free(in);
		return -1;
	}
	for (i = 0; i < f->n; i++)
		for (j = 0; j < f->n; j++)
			if (in[i] || in[j]) {
				CUT(f, i, j) = 0;
				DELAY(f, i, j) = 0;
			}
	free(in);
	return 0;
}

/* The rule server i (index) must have for peer j: FAULTS_DROP, ms, 0. */
int
faults_want(const struct faults *f, size_t i, size_t j)
{
	if (f->fenced != 0 && ((int64_t)i + 1 == f->fenced ||
	    (int64_t)j + 1 == f->fenced))
		return FAULTS_DROP;
	if (CUT(f, i, j))
		return FAULTS_DROP;
	return DELAY(f, i, j);
}

/*
 * The side door commands (without their ids) that bring server i's rules
 * to what faults_want says, at most max; they count as told.  Peers with
 * the same new rule share one command.
 */
size_t
faults_diff(struct faults *f, size_t i, struct faults_cmd *cmds, size_t max)
{
	struct faults_cmd *c;
	size_t		 j, k, ncmds = 0, len;
	int		 want;
	uint8_t		*done = xcalloc(f->n, 1);

	for (j = 0; j < f->n && ncmds < max; j++) {
		if (j == i || done[j] || faults_want(f, i, j) == TOLD(f, i, j))
			continue;
		want = faults_want(f, i, j);
		c = &cmds[ncmds++];
		len = (size_t)snprintf(c->line, sizeof(c->line),
		    "fault peers=");
		for (k = j; k < f->n; k++) {
			if (k == i || done[k] || faults_want(f, i, k) != want ||
			    TOLD(f, i, k) == want)
				continue;
			done[k] = 1;
			TOLD(f, i, k) = want;
			len += (size_t)snprintf(c->line + len,
			    sizeof(c->line) - len, "%s%zu",
			    k == j ? "" : ",", k + 1);
		}
		if (want == FAULTS_DROP)
			snprintf(c->line + len, sizeof(c->line) - len,
			    " action=drop");
		else if (want == 0)
			snprintf(c->line + len, sizeof(c->line) - len,
			    " action=heal");
		else
			snprintf(c->line + len, sizeof(c->line) - len,
			    " action=delay ms=%d", want);
	}
	free(done);
	return ncmds;
}

/* Server i has a new process: it has been told nothing. */
void
faults_forget(struct faults *f, size_t i)
{
	size_t	 j;

	for (j = 0; j < f->n; j++)
		TOLD(f, i, j) = 0;
}

/* Is any link cut or slowed (or a server fenced)? */
int
faults_any(const struct faults *f)
{
	size_t	 i, j;

	for (i = 0; i < f->n; i++)
		for (j = 0; j < f->n; j++)
			if (i != j && faults_want(f, i, j) != 0)
				return 1;
	return 0;
}

/*
 * The picture in words, into buf: "cut 1-2 1-3; delay 2->3 100ms", or
 * "none".  Returns the length it needed.
 */
size_t
faults_describe(const struct faults *f, char *buf, size_t len)
{
	size_t	 i, j, n = 0;
	int	 first = 1;

#define PUT(...) do {							\
	int w_ = snprintf(buf + (n < len ? n : len),			\
	    n < len ? len - n : 0, __VA_ARGS__);			\
	n += w_ > 0 ? (size_t)w_ : 0;					\
} while (0)
	if (len > 0)
		buf[0] = '\0';
	for (i = 0; i < f->n; i++)
		for (j = i + 1; j < f->n; j++)
			if (faults_want(f, i, j) == FAULTS_DROP) {
				PUT("%s %zu-%zu", first ? "cut" : "", i + 1,
				    j + 1);
				first = 0;
			}
	for (i = 0; i < f->n; i++)
		for (j = 0; j < f->n; j++)
			if (i != j && faults_want(f, i, j) > 0) {
				if (first != 2)
					PUT("%sdelay", n > 0 ? "; " : "");
				PUT("%s %zu->%zu %dms", first == 2 ? "," : "",
				    i + 1, j + 1, faults_want(f, i, j));
				first = 2;
			}
	if (n == 0)
		PUT("none");
#undef PUT
	return n;
}
