/* SPDX-License-Identifier: ISC */
/*
 * test_metrics.c: the number formatting of srvr, stat, cons and mntr.
 * java_double against Java 17's Double.toString, and summary averages
 * against ZooKeeper's AvgMinMaxCounter.getAvg (BigDecimal of the exact
 * average, HALF_UP to 4 places) and its percentiles; every expected
 * value below was printed by a one-off Java run, doubles given by bits.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "metrics.h"

static double	 from_bits(uint64_t);

static double
from_bits(uint64_t b)
{
	double	 d;

	memcpy(&d, &b, sizeof(d));
	return d;
}

/* java_double prints what Double.toString prints. */
static void
test_java_double_matches_java(void **state)
{
	static const struct {
		uint64_t	 bits;
		const char	*want;
	} v[] = {
		{ 0ULL, "0.0" },
		{ 0x8000000000000000ULL, "-0.0" },
		{ 4607182418800017408ULL, "1.0" },
		{ 4619672251646604005ULL, "7.0932" },
		{ 4557750909289998844ULL, "5.0E-4" },
		{ 4711630319722168320ULL, "1.0E7" },
		{ 4683220299150161609ULL, "123456.789" },
		{ 4562254508917369340ULL, "0.001" },
		{ 4562254508456200738ULL, "9.999999E-4" },
		{ 4711630319185297408ULL, "9999999.0" },
		{ 4636737291354636288ULL, "100.0" },
		{ 4591870180066957722ULL, "0.1" },
		{ 4599075939470750516ULL, "0.30000000000000004" },
		{ 4599676419421066581ULL, "0.3333333333333333" },
		{ 4604180019048437077ULL, "0.6666666666666666" },
		{ 4668012723080132769ULL, "12345.6789" },
		{ 4609434218613702656ULL, "1.5" },
		{ 13835621005235585024ULL, "-2.25" },
		{ 4763665526503243776ULL, "3.0E10" },
		{ 4532020583610935537ULL, "1.0E-5" },
		{ 4638355772470722560ULL, "123.0" },
		{ 4602678819172646912ULL, "0.5" },
		{ 4698053237146648576ULL, "1234567.125" },
		{ 4921056587992461136ULL, "1.0E21" },
		{ 4566758108544739836ULL, "0.002" },
		{ 4616583683022153318ULL, "4.35" },
		{ 4578359381184846234ULL, "0.0125" },
		{ 9218868437227405311ULL, "1.7976931348623157E308" },
		{ 4562254508917369339ULL, "9.999999999999998E-4" },
		{ 4503599627370496ULL, "2.2250738585072014E-308" },
		{ 4607632778762754458ULL, "1.1" },
		{ 4622100592565682176ULL, "10.5" },
		{ 4631107791820423168ULL, "42.0" },
		{ 4576860583228857333ULL, "0.0099" },
		{ 4620924027163031634ULL, "8.41" },
		{ 4614688343118974445ULL, "3.3333" },
		{ 4547007122018943789ULL, "1.0E-4" },
		{ 4962933279127225623ULL, "6.02214076E23" },
		{ 4599675818941116265ULL, "0.3333" },
		{ 4655471084489204669ULL, "1763.5714" },
		{ 4584671626422568721ULL, "0.0313" },
		{ 4629888062230094047ULL, "33.3333" },
	};
	char	 buf[64];
	size_t	 i, bad = 0;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		java_double(from_bits(v[i].bits), buf, sizeof(buf));
		if (strcmp(buf, v[i].want) != 0) {
			print_message("# %s printed as %s\n", v[i].want, buf);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

/* The average is BigDecimal(sum / count) rounded HALF_UP to 4 places. */
static void
test_summary_avg_half_up(void **state)
{
	static const struct {
		int64_t		 sum, count;
		uint64_t	 bits;
	} v[] = {
		{ 1, 3, 4599675818941116265ULL },	/* 0.3333 */
		{ 2, 3, 4604180319288412235ULL },	/* 0.6667 */
		{ 10, 4, 4612811918334230528ULL },	/* 2.5 */
		{ 3, 20000, 4547007122018943789ULL },	/* 1.0E-4 */
		{ 1, 8, 4593671619917905920ULL },	/* 0.125 */
		{ 7, 7, 4607182418800017408ULL },	/* 1.0 */
		{ 0, 5, 0ULL },				/* 0.0 */
		{ 5, 9, 4603179619451210511ULL },	/* 0.5556 */
		{ 12345, 7, 4655471084489204669ULL },	/* 1763.5714 */
		{ 1, 16, 4589168020290535424ULL },	/* 0.0625 */
		{ 1, 32, 4584671626422568721ULL },	/* 0.0313 */
		{ 5, 32000, 4551510721646314285ULL },	/* 2.0E-4 */
		{ 15, 100000, 4547007122018943789ULL },	/* 1.0E-4 */
		{ 25, 100000, 4554169646866313825ULL },	/* 3.0E-4 */
		{ 35, 100000, 4554169646866313825ULL },	/* 3.0E-4 */
		{ 1, 6, 4595174020753596717ULL },	/* 0.1667 */
		{ 123, 1000, 4593527504729830064ULL },	/* 0.123 */
		{ 100, 3, 4629888062230094047ULL },	/* 33.3333 */
		{ 1, 80000, 0ULL },			/* 0.0 */
		{ 2469, 20000, 4593563533526849028ULL },	/* 0.1235 */
		{ 101, 800, 4593718457354030573ULL },	/* 0.1263 */
	};
	struct summary	 s;
	size_t		 i, bad = 0;
	int64_t		 k;
	double		 got;
	char		 buf[64];

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		summary_init(&s, 0);
		summary_add(&s, v[i].sum);
		for (k = 1; k < v[i].count; k++)
			summary_add(&s, 0);
		got = summary_avg(&s);
		if (memcmp(&got, &(double){ from_bits(v[i].bits) },
		    sizeof(got)) != 0) {
			java_double(got, buf, sizeof(buf));
			print_message("# %lld/%lld averaged to %s\n",
			    (long long)v[i].sum, (long long)v[i].count, buf);
			bad++;
		}
		summary_free(&s);
	}
	assert_int_equal(bad, 0);
}

/* min, max and count; an empty summary reads 0 everywhere. */
static void
test_summary_min_max_reset(void **state)
{
	struct summary	 s;

	(void)state;
	summary_init(&s, 0);
	assert_true(summary_min(&s) == 0);
	assert_true(s.max == 0);
	assert_true(summary_avg(&s) == 0.0);
	assert_true(summary_pct(&s, 0.5) == 0);
	summary_add(&s, 7);
	summary_add(&s, -2);
	summary_add(&s, 30);
	assert_true(summary_min(&s) == -2);
	assert_true(s.max == 30);
	assert_true(s.count == 3);
	assert_true(s.sum == 35);
	summary_reset(&s);
	assert_true(summary_min(&s) == 0);
	assert_true(s.count == 0 && s.sum == 0 && s.max == 0);
	summary_free(&s);
}

/*
 * While every sample fits, percentiles are those ZooKeeper's
 * AvgMinMaxPercentileCounter reports: Math.round of the interpolated
 * quantile of the samples (codahale UniformSnapshot).
 */
static void
test_summary_percentiles_match_zookeeper(void **state)
{
	static const struct {
		int64_t		 vals[4];
		int		 nvals;	/* 0: 100 to 1; -1: 10, 20, ... 100 */
		int64_t		 p50, p95, p99, p999;
	} v[] = {
		{ { 0 }, 0, 51, 96, 100, 100 },
		{ { 5 }, 1, 5, 5, 5, 5 },
		{ { 1, 10 }, 2, 6, 10, 10, 10 },
		{ { 7, -2, 30 }, 3, 7, 30, 30, 30 },
		{ { 0 }, -1, 55, 100, 100, 100 },
	};
	struct summary	 s;
	size_t		 i, bad = 0;
	int64_t		 k, got[4];
	int		 j;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		summary_init(&s, 1);
		if (v[i].nvals == 0)
			for (k = 100; k >= 1; k--)
				summary_add(&s, k);
		else if (v[i].nvals == -1)
			for (k = 1; k <= 10; k++)
				summary_add(&s, 10 * k);
		else
			for (j = 0; j < v[i].nvals; j++)
				summary_add(&s, v[i].vals[j]);
		got[0] = summary_pct(&s, 0.5);
		got[1] = summary_pct(&s, 0.95);
		got[2] = summary_pct(&s, 0.99);
		got[3] = summary_pct(&s, 0.999);
		if (got[0] != v[i].p50 || got[1] != v[i].p95 ||
		    got[2] != v[i].p99 || got[3] != v[i].p999) {
			print_message("# case %zu: %lld %lld %lld %lld, not "
			    "%lld %lld %lld %lld\n", i, (long long)got[0],
			    (long long)got[1], (long long)got[2],
			    (long long)got[3], (long long)v[i].p50,
			    (long long)v[i].p95, (long long)v[i].p99,
			    (long long)v[i].p999);
			bad++;
		}
		summary_reset(&s);
		assert_true(summary_pct(&s, 0.5) == 0);
		summary_free(&s);
	}
	assert_int_equal(bad, 0);
}

/*
 * Past its size the reservoir stays a uniform sample of everything added:
 * after 0..99999 in order its median is near 50000 (the median of 1028
 * uniform draws lies within 0.4-0.6 of the range but once in 10^10).
 */
static void
test_summary_reservoir_uniform(void **state)
{
	struct summary	 s;
	int64_t		 k, p50;

	(void)state;
	summary_init(&s, 1);
	for (k = 0; k < 100000; k++)
		summary_add(&s, k);
	assert_int_equal(s.nsamples, SUMMARY_SAMPLES);
	p50 = summary_pct(&s, 0.5);
	if (p50 < 40000 || p50 > 60000)
		print_message("# median %lld\n", (long long)p50);
	assert_true(p50 >= 40000 && p50 <= 60000);
	assert_true(summary_pct(&s, 0.999) > 95000);
	summary_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_java_double_matches_java),
		cmocka_unit_test(test_summary_avg_half_up),
		cmocka_unit_test(test_summary_min_max_reset),
		cmocka_unit_test(test_summary_percentiles_match_zookeeper),
		cmocka_unit_test(test_summary_reservoir_uniform),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
