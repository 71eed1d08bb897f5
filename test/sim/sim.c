/* SPDX-License-Identifier: ISC */
/*
 * sim.c: the scheduler behind test/sim.  xoshiro256** seeded through
 * splitmix64; a binary heap of events keyed by (time, sequence).
 */

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "log.h"

#include "sim.h"
#include "xmalloc.h"

struct sim_event {
	int64_t		 at;
	uint64_t	 seq;
	sim_fn		 fn;
	void		*a, *b;
	int		 own;		/* a is freed with the event */
};

static void	 sim_at_event(struct sim *, int64_t, sim_fn, void *, void *,
		    int);

static uint64_t
sim_splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void
sim_init(struct sim *s, uint64_t seed)
{
	int	 i;

	s->now = 0;
	s->seq = 0;
	s->heap = NULL;
	s->n = s->cap = 0;
	s->steps = 0;
	for (i = 0; i < 4; i++)
		s->rng[i] = sim_splitmix(&seed);
}

void
sim_free(struct sim *s)
{
	size_t	 i;

	for (i = 0; i < s->n; i++) {
		if (s->heap[i]->own)
			free(s->heap[i]->a);
		free(s->heap[i]);
	}
	free(s->heap);
	s->heap = NULL;
	s->n = s->cap = 0;
}

static uint64_t
sim_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t
sim_rand(struct sim *s)
{
	uint64_t *r = s->rng, out = sim_rotl(r[1] * 5, 7) * 9, t = r[1] << 17;

	r[2] ^= r[0];
	r[3] ^= r[1];
	r[1] ^= r[2];
	r[0] ^= r[3];
	r[2] ^= t;
	r[3] = sim_rotl(r[3], 45);
	return out;
}

int64_t
sim_range(struct sim *s, int64_t lo, int64_t hi)
{
	if (hi <= lo)
		return lo;
	return lo + (int64_t)(sim_rand(s) % (uint64_t)(hi - lo + 1));
}

int
sim_chance(struct sim *s, double p)
{
	return (double)(sim_rand(s) >> 11) / 9007199254740992.0 < p;
}

static int
sim_before(const struct sim_event *x, const struct sim_event *y)
{
	if (x->at != y->at)
		return x->at < y->at;
	return x->seq < y->seq;
}

void
sim_at(struct sim *s, int64_t at, sim_fn fn, void *a, void *b)
{
	sim_at_event(s, at, fn, a, b, 0);
}

/* As sim_at, and a (from malloc) is freed once the event ran or died. */
void
sim_at_owned(struct sim *s, int64_t at, sim_fn fn, void *a, void *b)
{
	sim_at_event(s, at, fn, a, b, 1);
}

static void
sim_at_event(struct sim *s, int64_t at, sim_fn fn, void *a, void *b, int own)
{
	struct sim_event *ev, *tmp;
	size_t		 i, p;

	ev = xcalloc(1, sizeof(*ev));
	ev->own = own;
	ev->at = at < s->now ? s->now : at;
	ev->seq = s->seq++;
	ev->fn = fn;
	ev->a = a;
	ev->b = b;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->heap = xreallocarray(s->heap, s->cap, sizeof(*s->heap));
	}
	i = s->n++;
	s->heap[i] = ev;
	while (i > 0) {
		p = (i - 1) / 2;
		if (!sim_before(s->heap[i], s->heap[p]))
			break;
		tmp = s->heap[i];
		s->heap[i] = s->heap[p];
		s->heap[p] = tmp;
		i = p;
	}
}

static struct sim_event *
sim_pop(struct sim *s)
{
	struct sim_event *top, *tmp;
	size_t		 i = 0, l, r, m;

	if (s->n == 0)
		return NULL;
	top = s->heap[0];
	s->heap[0] = s->heap[--s->n];
	for (;;) {
		l = 2 * i + 1;
		r = l + 1;
		m = i;
		if (l < s->n && sim_before(s->heap[l], s->heap[m]))
			m = l;
		if (r < s->n && sim_before(s->heap[r], s->heap[m]))
			m = r;
		if (m == i)
			break;
		tmp = s->heap[i];
		s->heap[i] = s->heap[m];
		s->heap[m] = tmp;
		i = m;
	}
	return top;
}

int
sim_step(struct sim *s)
{
	struct sim_event *ev;

	if ((ev = sim_pop(s)) == NULL)
		return 0;
	s->now = ev->at;
	s->steps++;
	ev->fn(ev->a, ev->b);
	if (ev->own)
		free(ev->a);
	free(ev);
	return 1;
}

/* Runs every event due up to time t; the clock ends at t. */
int
sim_run_until(struct sim *s, int64_t t)
{
	int	 ran = 0;

	while (s->n > 0 && s->heap[0]->at <= t) {
		sim_step(s);
		ran = 1;
	}
	if (s->now < t)
		s->now = t;
	return ran;
}

static int	 sim_tap_run, sim_tap_failed;

/* Keeps the first failure only: the rest usually follow from it. */
void
sim_fail(struct sim_verdict *v, const char *fmt, ...)
{
	va_list	 ap;

	if (v->failed)
		return;
	v->failed = 1;
	va_start(ap, fmt);
	vsnprintf(v->why, sizeof(v->why), fmt, ap);
	va_end(ap);
}

/* One TAP result line. */
void
sim_tap(int ok, const char *fmt, ...)
{
	va_list	 ap;

	sim_tap_run++;
	if (!ok)
		sim_tap_failed++;
	printf("%s %d - ", ok ? "ok" : "not ok", sim_tap_run);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

int
sim_tap_failures(void)
{
	return sim_tap_failed;
}

void
sim_args(int argc, char **argv, const char *prog, uint64_t seeds,
    struct sim_args *a)
{
	const char	*env;
	int		 ch;

	a->prog = prog;
	a->seeds = seeds;
	a->first = 1;
	a->one = 0;
	a->verbose = 0;
	if ((env = getenv("SIM_SEEDS")) != NULL)
		a->seeds = strtoull(env, NULL, 10);
	while ((ch = getopt(argc, argv, "n:s:v")) != -1) {
		switch (ch) {
		case 'n':
			a->seeds = strtoull(optarg, NULL, 10);
			break;
		case 's':
			a->first = strtoull(optarg, NULL, 10);
			a->one = 1;
			break;
		case 'v':
			/* -v narrates, -vv adds the cores' debug lines. */
			a->verbose++;
			log_setverbose(a->verbose - 1);
			break;
		default:
			fprintf(stderr, "usage: %s [-v] [-n seeds] [-s seed]\n",
			    prog);
			exit(64);
		}
	}
	/* The cores' informational lines only when asked. */
	log_setquiet(!a->verbose);
}

uint64_t
sim_seeds(const struct sim_args *a, sim_run_fn run, void *arg, char *why,
    size_t len)
{
	uint64_t	 seed;

	if (a->one) {
		printf("1..1\n");
		sim_tap(run(a->first, a->verbose, why, len, arg),
		    "seed %" PRIu64, a->first);
		if (sim_tap_failures())
			printf("# %s\n", why);
		return sim_tap_failures() ? a->first : 0;
	}
	for (seed = a->first; seed < a->first + a->seeds; seed++) {
		if (!run(seed, 0, why, len, arg)) {
			printf("# seed %" PRIu64 " failed: %s\n# replay: "
			    "test/sim/%s -v -s %" PRIu64 "\n", seed, why,
			    a->prog, seed);
			return seed;
		}
	}
	return 0;
}
