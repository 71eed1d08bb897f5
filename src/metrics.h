/* SPDX-License-Identifier: ISC */
/*
 * metrics.h: counters and summaries behind srvr, stat, cons and mntr
 * (base layer: the tree records into them too), and Java's number
 * formatting that those replies use.
 *
 * A summary keeps count, sum, min and max (ZooKeeper's AvgMinMaxCounter:
 * the exact average rounded half-up to 4 places); a percentile summary
 * also keeps a uniform reservoir of samples and reads quantiles from it as
 * ZooKeeper's (Dropwizard) snapshots do, rounded to the nearest integer.
 */
#ifndef ZK_METRICS_H
#define ZK_METRICS_H

#include <stddef.h>
#include <stdint.h>

#define SUMMARY_SAMPLES	1028	/* a uniform reservoir, as ZooKeeper's */

struct summary {
	int64_t		 count;
	int64_t		 sum;
	int64_t		 min;
	int64_t		 max;
	int64_t		*samples;	/* NULL: no percentiles */
	size_t		 nsamples;
	size_t		 next;
};

void	 summary_init(struct summary *, int);
void	 summary_add(struct summary *, int64_t);
void	 summary_reset(struct summary *);
double	 summary_avg(const struct summary *);
int64_t	 summary_min(const struct summary *);
int64_t	 summary_pct(const struct summary *, double);
void	 summary_free(struct summary *);

void	 java_double(double, char *, size_t);

/*
 * Bytes read and written per top-level namespace ("/app/x" is in "app"),
 * as ZooKeeper's read_per_namespace / write_per_namespace summaries: a
 * write counts path and data lengths, a read adds a stat's 68 bytes.
 */
#define NS_STAT_OVERHEAD	68

struct ns_entry;
struct ns_stats {
	struct ns_entry	**buckets;
	size_t		 nbuckets;
	size_t		 count;
};

void	 ns_stats_add(struct ns_stats *, int, const char *, int64_t);
void	 ns_stats_foreach(struct ns_stats *,
	    void (*)(const char *, const struct summary *,
	    const struct summary *, void *), void *);
void	 ns_stats_reset(struct ns_stats *);

#endif
