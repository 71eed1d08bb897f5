/* SPDX-License-Identifier: ISC */
/*
 * timeline.c: `zkensemble events --timeline`, a failover at a glance.
 *
 * The supervisor keeps, besides its lines of history, one lane per
 * server: a mark each time the character that sums the server up
 * changes (its role, L F O, '-' looking, '.' started with no role yet,
 * 'z' paused, blank with no process; lower case, and '~' for looking,
 * while any of its links is cut or slowed), a point 'X' when its process
 * ends, and a lane of who leads.  Rendering cuts the time from the start
 * to now into columns of equal width; a column shows the lane as it is at
 * the column's end, except that
 *
 *   - a process that ended within the column shows 'X';
 *   - a lane that changed within the column and came back to what it
 *     was shows what it passed through (a short election stays visible
 *     however long the history is).
 *
 *	time      0s        1.0s      2.0s      3.0s
 *	leader    -3333333333333333------555555555555555
 *	server 1  .FFFFFFFFFFFFFFFF------FFFFFFFFFFFFFFF
 *	server 3  .LLLLLLLLLLLLLLLX
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timeline.h"
#include "xmalloc.h"

#define TL_LABEL	10		/* "server 12 " */
#define TL_TICK		10		/* columns between time labels */

void
timeline_init(struct timeline *t, size_t nlanes)
{
	memset(t, 0, sizeof(*t));
	t->nlanes = nlanes;
	t->last = xcalloc(nlanes + 1, 1);
	memset(t->last + 1, TL_DOWN, nlanes);
	t->last[0] = TL_NONE;
}

void
timeline_free(struct timeline *t)
{
	free(t->marks);
	free(t->last);
	memset(t, 0, sizeof(*t));
}

static void
timeline_add(struct timeline *t, int64_t ms, int sid, char c)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		t->marks = xreallocarray(t->marks, t->cap, sizeof(*t->marks));
	}
	t->marks[t->n].ms = ms;
	t->marks[t->n].sid = sid;
	t->marks[t->n].c = c;
	t->n++;
}

/* From ms on, lane sid shows c (nothing is kept if it already does). */
void
timeline_set(struct timeline *t, int64_t ms, int sid, char c)
{
	if (sid < 0 || (size_t)sid > t->nlanes || t->last[sid] == c)
		return;
	t->last[sid] = c;
	timeline_add(t, ms, sid, c);
}

/* Something happened to lane sid at ms (TL_DIED). */
void
timeline_point(struct timeline *t, int64_t ms, int sid, char c)
{
	if (sid < 1 || (size_t)sid > t->nlanes)
		return;
	timeline_add(t, ms, sid, c);
}

/* A server's lane character. */
char
timeline_role_char(const char *role, int running, int paused, int faulted)
{
	char	 c;

	if (!running)
		return TL_DOWN;
	if (paused)
		return TL_PAUSED;
	if (strcmp(role, "LEADING") == 0)
		c = TL_LEADING;
	else if (strcmp(role, "FOLLOWING") == 0)
		c = TL_FOLLOWING;
	else if (strcmp(role, "OBSERVING") == 0)
		c = TL_OBSERVING;
	else if (strcmp(role, "LOOKING") == 0)
		return faulted ? '~' : TL_LOOKING;
	else
		return TL_STARTING;
	return faulted ? (char)(c - 'A' + 'a') : c;
}

/* The leader lane's character: the sid, 1-9 then a-z, or '-'. */
char
timeline_leader_char(int64_t sid)
{
	if (sid <= 0)
		return TL_NONE;
	if (sid <= 9)
		return (char)('0' + sid);
	if (sid <= 35)
		return (char)('a' + sid - 10);
	return '+';
}

/* Lane sid's column [from, to): see the essay. */
static char
timeline_column(const struct timeline *t, int sid, int64_t from, int64_t to,
    size_t *next, char *state)
{
	const struct tl_mark *m;
	char	 before = *state, passed = 0;
	int	 died = 0;

	for (; *next < t->n && t->marks[*next].ms < to; (*next)++) {
		m = &t->marks[*next];
		if (m->sid != sid)
			continue;
		if (m->c == TL_DIED && sid != 0) {
			died = 1;
			continue;
		}
		if (m->ms >= from && m->c != before && passed == 0)
			passed = m->c;
		*state = m->c;
	}
	if (died)
		return TL_DIED;
	if (*state == before && passed != 0)
		return passed;
	return *state;
}

static void
timeline_label(char *buf, size_t len, int64_t ms, int64_t span)
{
	if (span < 100)
		snprintf(buf, len, "%.3fs", (double)ms / 1000);
	else if (span < 1000)
		snprintf(buf, len, "%.2fs", (double)ms / 1000);
	else if (span < 10000)
		snprintf(buf, len, "%.1fs", (double)ms / 1000);
	else
		snprintf(buf, len, "%llds", (long long)(ms / 1000));
}

/*
 * The picture of everything up to now (ms since the start), at most
 * width columns of time wide; the caller frees it.
 */
char *
timeline_render(const struct timeline *t, int64_t now, int width)
{
	char	*out = NULL, *line, lab[32];
	size_t	 cap = 0, len = 0, cols, k, next;
	int64_t	 dt;
	FILE	*f;
	int	 sid, at;
	char	 state;

	if (width < TL_TICK)
		width = TL_TICK;
	if (now < 1)
		now = 1;
	dt = (now + width - 1) / width;
	cols = (size_t)((now + dt - 1) / dt);
	if ((f = open_memstream(&out, &cap)) == NULL)
		return NULL;
	line = xcalloc(cols + TL_LABEL + 32, 1);

	/* The time ruler: a label every TL_TICK columns. */
	memset(line, ' ', cols + TL_LABEL + 16);
	memcpy(line, "time", 4);
	for (k = 0; k < cols; k += TL_TICK) {
		timeline_label(lab, sizeof(lab), (int64_t)k * dt,
		    dt * TL_TICK);
		at = (int)(TL_LABEL + k);
		memcpy(line + at, lab, strlen(lab));
	}
	len = cols + TL_LABEL + 16;
	while (len > 0 && line[len - 1] == ' ')
		len--;
	fprintf(f, "%.*s\n", (int)len, line);

	for (sid = 0; (size_t)sid <= t->nlanes; sid++) {
		if (sid == 0)
			snprintf(lab, sizeof(lab), "leader");
		else
			snprintf(lab, sizeof(lab), "server %d", sid);
		memset(line, ' ', TL_LABEL);
		memcpy(line, lab, strlen(lab) < TL_LABEL - 1 ? strlen(lab) :
		    TL_LABEL - 1);
		state = sid == 0 ? TL_NONE : TL_DOWN;
		next = 0;
		for (k = 0; k < cols; k++)
			line[TL_LABEL + k] = timeline_column(t, sid,
			    (int64_t)k * dt, (int64_t)(k + 1) * dt, &next,
			    &state);
		len = TL_LABEL + cols;
		while (len > TL_LABEL && line[len - 1] == ' ')
			len--;
		fprintf(f, "%.*s\n", (int)len, line);
	}
	fprintf(f, "%*s%lld ms a column.  L leads, F follows, O observes, - "
	    "looks, . starts,\n%*sz paused, X died, blank: no process; lower "
	    "case, ~: links cut or\n%*sslowed.  The leader lane names who "
	    "leads.\n", TL_LABEL, "", (long long)dt, TL_LABEL, "", TL_LABEL,
	    "");
	fclose(f);
	free(line);
	return out;
}
