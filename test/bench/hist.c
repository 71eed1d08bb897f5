/* SPDX-License-Identifier: ISC */
/*
 * hist.c: the log-linear latency histogram (see hist.h).
 *
 * With H = 2^(HIST_BITS-1), a value v < 2H sits in bucket v.  A larger v
 * with its highest set bit at position b is shifted right by e = b - (H's
 * bit) so that v >> e falls in [H, 2H), and goes to bucket e * H + (v >> e);
 * consecutive e give consecutive runs of H buckets, so the index grows
 * with the value and the array has no holes.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"
#include "xmalloc.h"

#define HIST_HALF	(UINT64_C(1) << (HIST_BITS - 1))

static size_t	 hist_index(uint64_t);
static uint64_t	 hist_highest(size_t);

static size_t
hist_index(uint64_t v)
{
	unsigned int	 e;

	if (v > HIST_MAX)
		v = HIST_MAX;
	if (v < 2 * HIST_HALF)
		return (size_t)v;
	e = (unsigned int)(63 - __builtin_clzll(v)) - (HIST_BITS - 1);
	return (size_t)(e * HIST_HALF + (v >> e));
}

/* The highest value that falls into bucket i. */
static uint64_t
hist_highest(size_t i)
{
	uint64_t	 e, m;

	if (i < 2 * HIST_HALF)
		return i;
	e = i / HIST_HALF - 1;
	m = i - e * HIST_HALF;
	return ((m + 1) << e) - 1;
}

/* An empty histogram covering 0 to HIST_MAX. */
void
hist_init(struct hist *h)
{
	h->nbuckets = hist_index(HIST_MAX) + 1;
	h->counts = xcalloc(h->nbuckets, sizeof(*h->counts));
	h->total = 0;
	h->min = UINT64_MAX;
	h->max = 0;
	h->sum = 0;
}

void
hist_free(struct hist *h)
{
	free(h->counts);
	h->counts = NULL;
	h->nbuckets = 0;
}

void
hist_reset(struct hist *h)
{
	memset(h->counts, 0, h->nbuckets * sizeof(*h->counts));
	h->total = 0;
	h->min = UINT64_MAX;
	h->max = 0;
	h->sum = 0;
}

void
hist_record(struct hist *h, uint64_t v)
{
	h->counts[hist_index(v)]++;
	h->total++;
	h->sum += (double)v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

/* Adds every sample of src into dst (threads or runs summed up). */
void
hist_merge(struct hist *dst, const struct hist *src)
{
	size_t	 i;

	for (i = 0; i < dst->nbuckets; i++)
		dst->counts[i] += src->counts[i];
	dst->total += src->total;
	dst->sum += src->sum;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

/*
 * The value at quantile q (0 < q <= 1): the smallest bucket holding at
 * least ceil(q * total) samples, reported as its highest value, capped at
 * the largest sample.  0 for an empty histogram.
 */
uint64_t
hist_quantile(const struct hist *h, double q)
{
	uint64_t	 rank, seen = 0, v;
	size_t		 i;

	if (h->total == 0)
		return 0;
	rank = (uint64_t)ceil(q * (double)h->total);
	if (rank < 1)
		rank = 1;
	if (rank > h->total)
		rank = h->total;
	for (i = 0; i < h->nbuckets; i++) {
		seen += h->counts[i];
		if (seen >= rank)
			break;
	}
	v = hist_highest(i);
	return v > h->max ? h->max : v;
}

double
hist_mean(const struct hist *h)
{
	return h->total ? h->sum / (double)h->total : 0;
}
