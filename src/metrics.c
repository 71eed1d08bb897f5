/* SPDX-License-Identifier: ISC */
/*
 * metrics.c: summaries and Java-style number formatting (edges layer).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "util.h"
#include "xmalloc.h"

void
summary_init(struct summary *s, int percentiles)
{
	memset(s, 0, sizeof(*s));
	s->min = INT64_MAX;
	if (percentiles)
		s->samples = xcalloc(SUMMARY_SAMPLES, sizeof(*s->samples));
}

/*
 * The reservoir's dice: xorshift64*, seeded once from arc4random.  Not
 * arc4random itself on every sample: libbsd's asks getpid(2) each call
 * (to notice a fork), one system call per request answered.
 */
static uint64_t
summary_dice(uint64_t bound)
{
	static uint64_t	 x;

	if (x == 0)
		x = ((uint64_t)arc4random() << 32 | arc4random()) | 1;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	return (x * 0x2545f4914f6cdd1dULL) % bound;
}

void
summary_add(struct summary *s, int64_t v)
{
	s->count++;
	s->sum += v;
	if (v < s->min)
		s->min = v;
	if (v > s->max)
		s->max = v;
	if (s->samples != NULL) {
		/* Uniform reservoir: once full, a sample replaces a random one. */
		if (s->nsamples < SUMMARY_SAMPLES)
			s->samples[s->nsamples++] = v;
		else if ((s->next = summary_dice((uint64_t)s->count)) <
		    SUMMARY_SAMPLES)
			s->samples[s->next] = v;
	}
}

void
summary_reset(struct summary *s)
{
	s->count = s->sum = s->max = 0;
	s->min = INT64_MAX;
	s->nsamples = s->next = 0;
}

/*
 * The average as ZooKeeper computes it: sum / count as a double, then that
 * double's exact decimal value rounded half-up to four places
 * (BigDecimal.setScale(4, HALF_UP)).  0.0 when empty.
 */
double
summary_avg(const struct summary *s)
{
	char	 buf[400], *dot, *p;
	double	 avg;
	int	 up;

	if (s->count == 0)
		return 0.0;
	avg = (double)s->sum / (double)s->count;
	/* glibc prints a double's exact binary value in decimal. */
	snprintf(buf, sizeof(buf), "%.330f", avg);
	if ((dot = strchr(buf, '.')) == NULL || strlen(dot) < 6)
		return avg;
	up = dot[5] >= '5';
	dot[5] = '\0';
	if (up) {
		/* Add one unit in the fourth place, carrying leftwards. */
		for (p = dot + 4; p >= buf; p--) {
			if (*p == '.' || *p == '-')
				continue;
			if (*p == '9') {
				*p = '0';
				continue;
			}
			(*p)++;
			break;
		}
		if (p < buf || *p == '-') {
			memmove(buf + 1 + (buf[0] == '-'), buf + (buf[0] == '-'),
			    strlen(buf + (buf[0] == '-')) + 1);
			buf[buf[0] == '-'] = '1';
		}
	}
	return strtod(buf, NULL);
}

int64_t
summary_min(const struct summary *s)
{
	return s->count == 0 ? 0 : s->min;
}

static int
summary_cmp(const void *a, const void *b)
{
	int64_t	 x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The q-quantile (0..1) of the sampled values, as a Dropwizard uniform
 * snapshot interpolates it (position q * (n + 1) in the sorted samples),
 * rounded half-up like Math.round; 0 when empty.
 */
int64_t
summary_pct(const struct summary *s, double q)
{
	int64_t	*copy;
	double	 pos, v;
	size_t	 n = s->nsamples, idx;

	if (s->samples == NULL || n == 0)
		return 0;
	copy = xcalloc(n, sizeof(*copy));
	memcpy(copy, s->samples, n * sizeof(*copy));
	qsort(copy, n, sizeof(*copy), summary_cmp);
	pos = q * (double)(n + 1);
	idx = (size_t)pos;
	if (idx < 1)
		v = (double)copy[0];
	else if (idx >= n)
		v = (double)copy[n - 1];
	else
		v = (double)copy[idx - 1] + (pos - floor(pos)) *
		    (double)(copy[idx] - copy[idx - 1]);
	free(copy);
	return (int64_t)floor(v + 0.5);
}

void
summary_free(struct summary *s)
{
	free(s->samples);
	s->samples = NULL;
}

/*
 * Formats a double as Java's Double.toString: the shortest digits that
 * read back to the same value, at least one after the point, and
 * computerized scientific notation ("5.0E-4") outside [1e-3, 1e7).
 */
void
java_double(double v, char *buf, size_t len)
{
	char	 digits[64], *e, mant[64];
	int	 prec, exp10;
	double	 back, av = fabs(v);

	if (v == 0.0) {
		snprintf(buf, len, "%s", signbit(v) ? "-0.0" : "0.0");
		return;
	}
	if (isnan(v) || isinf(v)) {
		snprintf(buf, len, "%s", isnan(v) ? "NaN" : v > 0 ?
		    "Infinity" : "-Infinity");
		return;
	}
	for (prec = 1; prec <= 17; prec++) {
		snprintf(digits, sizeof(digits), "%.*e", prec - 1, v);
		back = strtod(digits, NULL);
		if (back == v)
			break;
	}
	/* digits is d.ddde±x: split mantissa and exponent. */
	e = strchr(digits, 'e');
	*e = '\0';
	exp10 = atoi(e + 1);
	strlcpy(mant, digits, sizeof(mant));
	if (av >= 1e-3 && av < 1e7) {
		snprintf(buf, len, "%.*f", prec - 1 - exp10 > 0 ?
		    prec - 1 - exp10 : 1, v);
		/* "%.Nf" may leave trailing zeros past the shortest form. */
		if (strchr(buf, '.') != NULL) {
			e = buf + strlen(buf) - 1;
			while (*e == '0' && e[-1] != '.')
				*e-- = '\0';
		}
		return;
	}
	if (strchr(mant, '.') == NULL)
		strlcat(mant, ".0", sizeof(mant));
	snprintf(buf, len, "%sE%d", mant, exp10);
}

struct ns_entry {
	struct ns_entry	*next;
	uint64_t	 hash;
	struct summary	 read;
	struct summary	 write;
	char		 name[];
};

static void
ns_grow(struct ns_stats *ns)
{
	struct ns_entry	**nb, *e, *next;
	size_t		  n = ns->nbuckets ? ns->nbuckets * 2 : 64, i;

	nb = xcalloc(n, sizeof(*nb));
	for (i = 0; i < ns->nbuckets; i++)
		for (e = ns->buckets[i]; e != NULL; e = next) {
			next = e->next;
			e->next = nb[e->hash & (n - 1)];
			nb[e->hash & (n - 1)] = e;
		}
	free(ns->buckets);
	ns->buckets = nb;
	ns->nbuckets = n;
}

/* Records one access of path (write or read) of the given size. */
void
ns_stats_add(struct ns_stats *ns, int write, const char *path, int64_t bytes)
{
	struct ns_entry	*e;
	const char	*start, *end;
	size_t		 len;
	uint64_t	 h;

	if (ns == NULL || path[0] != '/' || path[1] == '\0' || path[1] == '/')
		return;
	start = path + 1;
	end = strchr(start, '/');
	len = end != NULL ? (size_t)(end - start) : strlen(start);
	h = util_hash(start, len);
	if (ns->count >= ns->nbuckets)
		ns_grow(ns);
	for (e = ns->buckets[h & (ns->nbuckets - 1)]; e != NULL; e = e->next)
		if (e->hash == h && strncmp(e->name, start, len) == 0 &&
		    e->name[len] == '\0')
			break;
	if (e == NULL) {
		e = xcalloc(1, sizeof(*e) + len + 1);
		memcpy(e->name, start, len);
		e->hash = h;
		summary_init(&e->read, 0);
		summary_init(&e->write, 0);
		e->next = ns->buckets[h & (ns->nbuckets - 1)];
		ns->buckets[h & (ns->nbuckets - 1)] = e;
		ns->count++;
	}
	bytes += (int64_t)strlen(path);
	if (write)
		summary_add(&e->write, bytes);
	else
		summary_add(&e->read, bytes + NS_STAT_OVERHEAD);
}

void
ns_stats_foreach(struct ns_stats *ns, void (*fn)(const char *,
    const struct summary *, const struct summary *, void *), void *arg)
{
	struct ns_entry	*e;
	size_t		 i;

	for (i = 0; i < ns->nbuckets; i++)
		for (e = ns->buckets[i]; e != NULL; e = e->next)
			fn(e->name, &e->read, &e->write, arg);
}

void
ns_stats_reset(struct ns_stats *ns)
{
	struct ns_entry	*e;
	size_t		 i;

	for (i = 0; i < ns->nbuckets; i++)
		for (e = ns->buckets[i]; e != NULL; e = e->next) {
			summary_reset(&e->read);
			summary_reset(&e->write);
		}
}
