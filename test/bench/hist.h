/* SPDX-License-Identifier: ISC */
/*
 * hist.h: a latency histogram for the benchmark tools.
 *
 * Log-linear buckets in the manner of HdrHistogram: values below 2^HIST_BITS
 * have a bucket each (exact); above, each power of two is split into
 * 2^(HIST_BITS-1) equal buckets, so a bucket is never wider than 1/1024 of
 * its values (0.1%).  Recording is one index computation and one increment,
 * cheap enough for every reply of a load run.  Quantiles answer the highest
 * value of the bucket holding the rank (never above the largest recorded),
 * so p50, p99 and p999 are exact to the bucket width.  Values above
 * HIST_MAX are counted in the top bucket.
 */
#ifndef ZK_HIST_H
#define ZK_HIST_H

#include <stddef.h>
#include <stdint.h>

#define HIST_BITS	11
#define HIST_MAX	((UINT64_C(1) << 40) - 1)

struct hist {
	uint64_t	*counts;
	size_t		 nbuckets;
	uint64_t	 total;
	uint64_t	 min;
	uint64_t	 max;
	double		 sum;
};

void	 hist_init(struct hist *);
void	 hist_free(struct hist *);
void	 hist_reset(struct hist *);
void	 hist_record(struct hist *, uint64_t);
void	 hist_merge(struct hist *, const struct hist *);
uint64_t hist_quantile(const struct hist *, double);
double	 hist_mean(const struct hist *);

#endif
