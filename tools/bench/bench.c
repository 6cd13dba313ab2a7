// SPDX-License-Identifier: GPL-2.0
/*
 * bench.c - userspace benchmarks of the talc core against the process's
 * malloc (glibc, or jemalloc/mimalloc when LD_PRELOADed by run-user.sh).
 *
 *   bench random  [-a ALLOC] [-t MS] [-n TRIALS] [-s FIRST] [-j THREADS]
 *                 [-o OPS] [-m MAXSIZE]
 *   bench micro   [-a ALLOC] [-t MS]
 *   bench heapeff [-a ALLOC] [-r ROUNDS] [-u]
 *   bench align   [-a ALLOC] [-n REPS]
 *   bench regions [-n TRIALS] [-o PAIRS] [-r REGIONS]
 *
 * ALLOC: talc (core behind one spinlock, as the module uses it),
 * talc-nolock (bare core), sys (whatever malloc the process has); regions
 * always runs the bare core; sys-lock is sys inside talc's spinlock (the
 * locked peers: what a given malloc reads behind the module's lock).  For
 * micro and random only, two floors that are not allocators: floor (a
 * call that does nothing and returns one static buffer) and floor-lock
 * (the same inside talc's spinlock): what the harness alone reads, and
 * what any allocator behind that lock reads at best.
 * Every result is printed as CSV lines on stdout (see each command).
 * Workloads follow talc v5's benches (talc-reference.md section 3c).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include <unistd.h>
#include <dlfcn.h>
#include <malloc.h>
#include <pthread.h>
#include <sys/mman.h>

#include <linux/kernel.h>
#include "talc.h"
#include "bench_common.h"

#define ARENA_SIZE	(128UL << 20)
#define MAX_LIVE	BIT(20)

/* ---------------------------------------------------------------- */
/* allocators                                                        */

struct bench_alloc {
	const char *name;
	void (*reset)(void);
	void *(*alloc)(size_t size, size_t align);
	void (*free)(void *p, size_t size, size_t align);
	void *(*realloc)(void *p, size_t old, size_t align, size_t size);
};

static struct talc the_talc;
static void *arena;
static int talc_lock_word;

static inline void spin_lock_(int *l)
{
	while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(l, __ATOMIC_RELAXED))
			__builtin_ia32_pause();
}

static inline void spin_unlock_(int *l)
{
	__atomic_store_n(l, 0, __ATOMIC_RELEASE);
}

static void *arena_get(void)
{
	size_t i;

	if (arena)
		return arena;
	arena = mmap(NULL, ARENA_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (arena == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	/* touched every KiB first, as talc v5's benches do */
	for (i = 0; i < ARENA_SIZE; i += 1024)
		WRITE_ONCE(((char *)arena)[i], 0);
	return arena;
}

/*
 * BENCH_TALC_QUICK=N overrides talc's quick_depth (0: quick lists off),
 * BENCH_TALC_SCAN=N its scan_limit, BENCH_TALC_HARDENED=1 turns hardened
 * mode on: policy probes, off by default.
 */
static void talc_reset(void)
{
	const char *q = getenv("BENCH_TALC_QUICK");
	const char *sl = getenv("BENCH_TALC_SCAN");
	const char *h = getenv("BENCH_TALC_HARDENED");

	talc_init(&the_talc);
	if (h && atoi(h))
		talc_set_hardened(&the_talc, 0x5eed5eedcafef00dUL);
	if (q && *q && talc_set_quick_depth(&the_talc, atoi(q))) {
		fprintf(stderr, "BENCH_TALC_QUICK=%s: out of range\n", q);
		exit(1);
	}
	if (sl && *sl)
		talc_set_scan_limit(&the_talc, atoi(sl));
	if (talc_claim(&the_talc, arena_get(), ARENA_SIZE)) {
		fprintf(stderr, "talc_claim failed\n");
		exit(1);
	}
}

/* after a run: the heap must be consistent and no free may have been bad */
static void talc_sanity_of(struct talc *t, const char *what)
{
	struct talc_stats st;

	talc_get_stats(t, &st);
	if (talc_check(t) || st.bad_frees) {
		fprintf(stderr, "bench: %s: talc_check failed or %llu bad frees\n",
			what, (unsigned long long)st.bad_frees);
		exit(1);
	}
}

static void talc_sanity(const char *what)
{
	talc_sanity_of(&the_talc, what);
}

static inline void *talc_alloc_nl(size_t size, size_t align)
{
	return align <= TALC_ALIGN ? talc_malloc(&the_talc, size) :
		talc_malloc_aligned(&the_talc, size, align);
}

static inline void *talc_realloc_nl(void *p, size_t old, size_t align,
				    size_t size)
{
	void *q = talc_realloc(&the_talc, p, size);

	/* talc_realloc keeps 8-byte alignment; move stricter ones by hand */
	if (q && align > TALC_ALIGN && ((uintptr_t)q & (align - 1))) {
		void *r = talc_malloc_aligned(&the_talc, size, align);

		if (!r)
			return q;	/* valid, only less aligned: keep it */
		memcpy(r, q, size);
		talc_free(&the_talc, q);
		q = r;
	}
	return q;
}

static void *tn_alloc(size_t size, size_t align)
{
	return talc_alloc_nl(size, align);
}

static void tn_free(void *p, size_t size, size_t align)
{
	talc_free(&the_talc, p);
}

static void *tn_realloc(void *p, size_t old, size_t align, size_t size)
{
	return talc_realloc_nl(p, old, align, size);
}

static void sys_reset(void)
{
}

static void *sys_alloc(size_t size, size_t align)
{
	void *p;

	if (align <= 16)
		return malloc(size);
	if (posix_memalign(&p, align, size))
		return NULL;
	return p;
}

static void sys_free(void *p, size_t size, size_t align)
{
	free(p);
}

static void *sys_realloc(void *p, size_t old, size_t align, size_t size)
{
	void *q = realloc(p, size);

	if (q && align > 16 && ((uintptr_t)q & (align - 1))) {
		void *r;

		if (posix_memalign(&r, align, size))
			return q;	/* valid, only less aligned: keep it */
		memcpy(r, q, size);
		free(q);
		q = r;
	}
	return q;
}

/*
 * The floors: no allocator work at all.  Every call returns the same
 * buffer (the harness never writes through it: random and micro only
 * store and free the pointers); floor-lock takes and releases the
 * spinlock that talc's rows take, uncontended as there.
 */
static char floor_buf[64];

static void floor_reset(void)
{
}

static void *f0_alloc(size_t size, size_t align)
{
	void *p = floor_buf;

	__asm__ __volatile__("" : "+r" (p));
	return p;
}

static void f0_free(void *p, size_t size, size_t align)
{
	__asm__ __volatile__("" : : "r" (p));
}

static void *f0_realloc(void *p, size_t old, size_t align, size_t size)
{
	return f0_alloc(size, align);
}

/*
 * @l_alloc, @l_free, @l_realloc: @in's, inside the spinlock that talc.ko's
 * heap lock stands for, uncontended (talc, sys-lock, floor-lock).
 */
#define DEFINE_LOCKED(l, in)						\
static void *l##_alloc(size_t size, size_t align)			\
{									\
	void *p;							\
									\
	spin_lock_(&talc_lock_word);					\
	p = in##_alloc(size, align);					\
	spin_unlock_(&talc_lock_word);					\
	return p;							\
}									\
									\
static void l##_free(void *p, size_t size, size_t align)		\
{									\
	spin_lock_(&talc_lock_word);					\
	in##_free(p, size, align);					\
	spin_unlock_(&talc_lock_word);					\
}									\
									\
static void *l##_realloc(void *p, size_t old, size_t align, size_t size) \
{									\
	void *q;							\
									\
	spin_lock_(&talc_lock_word);					\
	q = in##_realloc(p, old, align, size);				\
	spin_unlock_(&talc_lock_word);					\
	return q;							\
}

DEFINE_LOCKED(ta, tn)
DEFINE_LOCKED(sl, sys)
DEFINE_LOCKED(fl, f0)

static const struct bench_alloc allocs[] = {
	{ "talc", talc_reset, ta_alloc, ta_free, ta_realloc },
	{ "talc-nolock", talc_reset, tn_alloc, tn_free, tn_realloc },
	{ "sys", sys_reset, sys_alloc, sys_free, sys_realloc },
	{ "sys-lock", sys_reset, sl_alloc, sl_free, sl_realloc },
	{ "floor", floor_reset, f0_alloc, f0_free, f0_realloc },
	{ "floor-lock", floor_reset, fl_alloc, fl_free, fl_realloc },
};

/* name of the malloc this process runs on */
static const char *sys_name(void)
{
	const char *e = getenv("BENCH_SYS_NAME");

	if (e && *e)
		return e;
	if (dlsym(RTLD_DEFAULT, "mallocx"))
		return "jemalloc";
	if (dlsym(RTLD_DEFAULT, "mi_malloc"))
		return "mimalloc";
	return "glibc";
}

static const char *alloc_label(const struct bench_alloc *a)
{
	static char locked[64];

	if (!strcmp(a->name, "sys-lock")) {
		snprintf(locked, sizeof(locked), "%s-lock", sys_name());
		return locked;
	}
	return strcmp(a->name, "sys") ? a->name : sys_name();
}

/* ---------------------------------------------------------------- */
/* live set                                                          */

struct slot {
	void *p;
	size_t size;
	size_t align;
};

struct live {
	struct slot *s;
	size_t n;
	size_t bytes;
};

static void live_init(struct live *l)
{
	l->s = malloc(MAX_LIVE * sizeof(*l->s));
	if (!l->s) {
		perror("malloc");
		exit(1);
	}
	memset(l->s, 0, MAX_LIVE * sizeof(*l->s));
	l->n = 0;
	l->bytes = 0;
}

static void live_free_all(const struct bench_alloc *a, struct live *l,
			  size_t keep)
{
	while (l->n > keep) {
		struct slot *s = &l->s[--l->n];

		a->free(s->p, s->size, s->align);
		l->bytes -= s->size;
	}
}

/* ---------------------------------------------------------------- */
/* random actions                                                    */

struct ra_arg {
	const struct bench_alloc *a;
	size_t max;
	double secs;
	uint64_t ops_limit;	/* if nonzero: run this many actions, untimed */
	uint64_t seed;
	uint64_t score;
	pthread_barrier_t *bar;
};

static uint64_t ra_actions(const struct bench_alloc *a, struct live *l,
			   uint64_t *rng, size_t max, double secs,
			   uint64_t limit)
{
	double end = now_sec() + secs;
	uint64_t score = 0, i;

	for (i = 0;; i++) {
		unsigned int act = rng_range(rng, 0, 7);

		if (limit ? i >= limit : (!(i & 31) && now_sec() >= end))
			break;
		if (l->n < 300 && l->n < MAX_LIVE)
			act = 1;
		else if (l->n >= MAX_LIVE)
			act = 4;
		if (act == 0) {
			struct slot *s = &l->s[rng_range(rng, 0, l->n)];
			size_t ns = rng_range(rng, 1, 3 * max);
			void *q = a->realloc(s->p, s->size, s->align, ns);

			if (q) {
				l->bytes += ns - s->size;
				s->p = q;
				s->size = ns;
				score++;
			}
		} else if (act <= 3) {
			size_t sz = gen_size(rng, max), al = gen_align(rng);
			void *p = a->alloc(sz, al);

			if (p) {
				l->s[l->n++] = (struct slot){ p, sz, al };
				l->bytes += sz;
				score++;
			}
		} else {
			size_t k = rng_range(rng, 0, l->n);
			struct slot s = l->s[k];

			l->s[k] = l->s[--l->n];
			a->free(s.p, s.size, s.align);
			l->bytes -= s.size;
			score++;
		}
	}
	return score;
}

static void *ra_thread(void *arg)
{
	struct ra_arg *r = arg;
	struct live l;
	uint64_t rng = r->seed;

	live_init(&l);
	if (r->bar)
		pthread_barrier_wait(r->bar);
	/* 2 ms warm-up, then the timed run (talc v5) */
	if (!r->ops_limit)
		ra_actions(r->a, &l, &rng, r->max, 0.002, 0);
	r->score = ra_actions(r->a, &l, &rng, r->max, r->secs, r->ops_limit);
	if (r->bar)
		pthread_barrier_wait(r->bar);
	live_free_all(r->a, &l, 0);
	free(l.s);
	return NULL;
}

static const size_t ra_sizes[] = { 200, 1000, 3000, 10000, 30000 };

/* CSV: random,<alloc>,<threads>,<max_size>,<trial>,<ops> */
static void cmd_random(const struct bench_alloc *a, double secs, int trials,
		       int first, int threads, uint64_t ops_limit,
		       size_t only_max)
{
	size_t m;
	int t, j;

	for (t = first; t < first + trials; t++) {
		for (m = 0; m < ARRAY_SIZE(ra_sizes); m++) {
			struct ra_arg ra[8];
			pthread_t th[8];
			pthread_barrier_t bar;
			uint64_t total = 0;

			if (only_max && ra_sizes[m] != only_max)
				continue;
			a->reset();
			pthread_barrier_init(&bar, NULL, threads);
			for (j = 0; j < threads; j++) {
				ra[j] = (struct ra_arg){
					.a = a, .max = ra_sizes[m],
					.secs = secs, .ops_limit = ops_limit,
					.seed = 0x1234567ULL * (t + 1) +
						7919ULL * j + ra_sizes[m],
					.bar = threads > 1 ? &bar : NULL,
				};
				if (threads > 1)
					pthread_create(&th[j], NULL, ra_thread,
						       &ra[j]);
				else
					ra_thread(&ra[j]);
			}
			for (j = 0; j < threads; j++) {
				if (threads > 1)
					pthread_join(th[j], NULL);
				total += ra[j].score;
			}
			pthread_barrier_destroy(&bar);
			if (a->reset == talc_reset)
				talc_sanity("random");
			printf("random,%s,%d,%zu,%d,%llu\n", alloc_label(a),
			       threads, ra_sizes[m], t,
			       (unsigned long long)total);
			fflush(stdout);
		}
	}
}

/* ---------------------------------------------------------------- */
/* microbench                                                        */

#define HIST_MAX	100000

static uint64_t pct(const uint32_t *h, uint64_t n, double p)
{
	uint64_t want = (uint64_t)(p * (n - 1)), acc = 0;
	size_t i;

	for (i = 0; i <= HIST_MAX; i++) {
		acc += h[i];
		if (acc > want)
			return i;
	}
	return HIST_MAX;
}

static inline void hist_add(uint32_t *h, uint64_t *n, uint64_t v)
{
	h[v > HIST_MAX ? HIST_MAX : v]++;
	(*n)++;
}

/*
 * CSV: micro,<alloc>,<op>,<samples>,<p1>,<p25>,<p50>,<p75>,<p99>
 * op = alloc, free, pair (= alloc + free per percentile, as talc v5), and
 * one "timer" row per run: the fenced empty measurement's percentiles.
 */
static void cmd_micro(const struct bench_alloc *a, double secs)
{
	static const double ps[] = { 0.01, 0.25, 0.50, 0.75, 0.99 };
	uint32_t *ha = calloc(HIST_MAX + 1, 4), *hf = calloc(HIST_MAX + 1, 4);
	uint32_t *ht = calloc(HIST_MAX + 1, 4);
	uint64_t na = 0, nf = 0, nt = 0, rng = 0xfeedULL, step;
	uint64_t pa[5], pf[5], pt[5];
	struct live l;
	double end;
	int i;

	live_init(&l);
	a->reset();
	end = 0;
	for (step = 0;; step++) {
		bool timed = step >= 10000;
		size_t sz = gen_size(&rng, 0x8000), al = gen_align(&rng);
		uint64_t t0, t1;
		void *p;

		if (step == 10000)
			end = now_sec() + secs;
		if (timed && !(step & 63) && now_sec() >= end)
			break;
		t0 = tsc_start();
		p = a->alloc(sz, al);
		t1 = tsc_stop();
		if (p) {
			if (timed)
				hist_add(ha, &na, t1 - t0);
			l.s[l.n++] = (struct slot){ p, sz, al };
		} else {
			live_free_all(a, &l, 50);
		}
		if (l.n > 600 || (l.n > 50 && rng_range(&rng, 0, 10) == 0)) {
			for (i = 0; i < 8; i++) {
				size_t k = rng_range(&rng, 0, l.n);
				struct slot s = l.s[k];

				l.s[k] = l.s[--l.n];
				t0 = tsc_start();
				a->free(s.p, s.size, s.align);
				t1 = tsc_stop();
				if (timed)
					hist_add(hf, &nf, t1 - t0);
			}
		}
		if (timed && !(step & 15)) {
			t0 = tsc_start();
			t1 = tsc_stop();
			hist_add(ht, &nt, t1 - t0);
		}
	}
	live_free_all(a, &l, 0);
	if (a->reset == talc_reset)
		talc_sanity("micro");
	for (i = 0; i < 5; i++) {
		pa[i] = pct(ha, na, ps[i]);
		pf[i] = pct(hf, nf, ps[i]);
		pt[i] = pct(ht, nt, ps[i]);
	}
	printf("micro,%s,alloc,%llu,%llu,%llu,%llu,%llu,%llu\n", alloc_label(a),
	       (unsigned long long)na, (unsigned long long)pa[0],
	       (unsigned long long)pa[1], (unsigned long long)pa[2],
	       (unsigned long long)pa[3], (unsigned long long)pa[4]);
	printf("micro,%s,free,%llu,%llu,%llu,%llu,%llu,%llu\n", alloc_label(a),
	       (unsigned long long)nf, (unsigned long long)pf[0],
	       (unsigned long long)pf[1], (unsigned long long)pf[2],
	       (unsigned long long)pf[3], (unsigned long long)pf[4]);
	printf("micro,%s,pair,%llu,%llu,%llu,%llu,%llu,%llu\n", alloc_label(a),
	       (unsigned long long)(na < nf ? na : nf),
	       (unsigned long long)(pa[0] + pf[0]),
	       (unsigned long long)(pa[1] + pf[1]),
	       (unsigned long long)(pa[2] + pf[2]),
	       (unsigned long long)(pa[3] + pf[3]),
	       (unsigned long long)(pa[4] + pf[4]));
	printf("micro,%s,timer,%llu,%llu,%llu,%llu,%llu,%llu\n", alloc_label(a),
	       (unsigned long long)nt, (unsigned long long)pt[0],
	       (unsigned long long)pt[1], (unsigned long long)pt[2],
	       (unsigned long long)pt[3], (unsigned long long)pt[4]);
	fflush(stdout);
	free(ha);
	free(hf);
	free(ht);
	free(l.s);
}

/* ---------------------------------------------------------------- */
/* heap efficiency                                                   */

static long rss_bytes(void)
{
	long pages = 0, res = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return 0;
	if (fscanf(f, "%ld %ld", &pages, &res) != 2)
		res = 0;
	fclose(f);
	return res * sysconf(_SC_PAGESIZE);
}

static void touch(void *p, size_t from, size_t to)
{
	size_t i;

	for (i = from; i < to; i += 4096)
		WRITE_ONCE(((char *)p)[i], 1);
	if (to > from)
		WRITE_ONCE(((char *)p)[to - 1], 1);
}

/* -u: heap efficiency with allocation sizes U[1, 10000) (issue 10) */
static bool he_uniform;

/*
 * One round of talc v5's heap-efficiency mix: 50 % alloc (max 10000),
 * 10 % free, 40 % realloc to U[1, 100000), until an alloc or realloc fails
 * or, when @steps_limit is nonzero, for exactly that many steps.  Returns
 * the live bytes at the end; *steps gets the number of steps done.  With
 * he_uniform, allocation sizes are U[1, 10000) instead of talc's biased
 * U[4, U[16, 10000)); the rest is the same.
 */
static size_t he_round(const struct bench_alloc *a, struct live *l,
		       uint64_t seed, uint64_t steps_limit, uint64_t *steps,
		       size_t *fail_req, bool do_touch)
{
	uint64_t rng = seed, i;

	*fail_req = 0;

	for (i = 0; !steps_limit || i < steps_limit; i++) {
		unsigned int r = rng_range(&rng, 0, 10);

		if (r < 5 || l->n == 0) {
			size_t sz = he_uniform ? rng_range(&rng, 1, 10000) :
					gen_size(&rng, 10000);
			size_t al = gen_align(&rng);
			void *p = a->alloc(sz, al);

			if (!p || l->n >= MAX_LIVE) {
				if (p)
					a->free(p, sz, al);
				*fail_req = sz;
				break;
			}
			if (do_touch)
				touch(p, 0, sz);
			l->s[l->n++] = (struct slot){ p, sz, al };
			l->bytes += sz;
		} else if (r < 6) {
			size_t k = rng_range(&rng, 0, l->n);
			struct slot s = l->s[k];

			l->s[k] = l->s[--l->n];
			a->free(s.p, s.size, s.align);
			l->bytes -= s.size;
		} else {
			struct slot *s = &l->s[rng_range(&rng, 0, l->n)];
			size_t ns = rng_range(&rng, 1, 100000);
			void *q = a->realloc(s->p, s->size, s->align, ns);

			if (!q) {
				*fail_req = ns;
				break;
			}
			if (do_touch && ns > s->size)
				touch(q, s->size, ns);
			l->bytes += ns - s->size;
			s->p = q;
			s->size = ns;
		}
	}
	*steps = i;
	return l->bytes;
}

/*
 * CSV: heapeff,<alloc>,<round>,<live_bytes>,<capacity_bytes>,<percent>,
 *      <steps>,<failed_request>,<free_bytes>,<largest_free>,<fragments>
 * (the last four describe talc's heap at its failure, on every row)
 * talc: capacity = the 128 MiB arena, round ends at the first failure.
 * sys (no arena, never fails): the same sequence as talc's round (talc is
 * run first in this process to find the failing step), then capacity =
 * growth of the process's resident set, every allocated page touched.
 * Memory freed in one round stays cached by those allocators, so run one
 * sys round per process (-r 1 -s ROUND), as run-user.sh does.
 */
static void cmd_heapeff(const struct bench_alloc *a, int rounds, int first)
{
	struct live l;
	int r;

	live_init(&l);
	for (r = first; r < first + rounds; r++) {
		uint64_t seed = 0xabcdef12345ULL + 977ULL * r, steps;
		size_t bytes, cap, fail_req, dummy;
		struct talc_stats st;

		talc_reset();
		bytes = he_round(&allocs[1], &l, seed, 0, &steps, &fail_req,
				 false);
		talc_get_stats(&the_talc, &st);
		live_free_all(&allocs[1], &l, 0);
		talc_sanity("heapeff");
		cap = ARENA_SIZE;
		if (!strcmp(a->name, "sys")) {
			long rss0 = rss_bytes();
			uint64_t s2;

			bytes = he_round(a, &l, seed, steps, &s2, &dummy,
					 true);
			cap = rss_bytes() - rss0;
			live_free_all(a, &l, 0);
		}
		printf("%s,%s,%d,%zu,%zu,%.3f,%llu,%zu,%zu,%zu,%zu\n",
		       he_uniform ? "heapeff-uniform" : "heapeff",
		       alloc_label(a), r, bytes, cap, 100.0 * bytes / cap,
		       (unsigned long long)steps, fail_req, st.available_bytes,
		       st.largest_free_chunk, st.fragment_count);
		fflush(stdout);
	}
	free(l.s);
}

/* ---------------------------------------------------------------- */
/* high alignment                                                    */

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

/*
 * CSV: align,<alloc>,<plain_cycles>,<aligned_cycles>,<ratio>
 * plain = 0x4000 x (4096 B, align 1) allocated then freed, aligned =
 * 0x4000 x (1 B, align 4096); medians of @reps runs.
 */
static void cmd_align(const struct bench_alloc *a, int reps)
{
	enum { N = 0x4000 };
	static void *p[N];
	uint64_t *tp = calloc(reps, 8), *tq = calloc(reps, 8);
	int r, i, k;

	a->reset();
	for (r = 0; r < reps; r++) {
		for (k = 0; k < 2; k++) {
			size_t sz = k ? 1 : 4096, al = k ? 4096 : 1;
			uint64_t t0 = tsc_start();

			for (i = 0; i < N; i++)
				p[i] = a->alloc(sz, al);
			for (i = 0; i < N; i++) {
				if (!p[i] || (al > 1 && ((uintptr_t)p[i] & (al - 1)))) {
					fprintf(stderr, "align: bad result %p\n", p[i]);
					exit(1);
				}
				a->free(p[i], sz, al);
			}
			(k ? tq : tp)[r] = tsc_stop() - t0;
		}
	}
	if (a->reset == talc_reset)
		talc_sanity("align");
	qsort(tp, reps, 8, cmp_u64);
	qsort(tq, reps, 8, cmp_u64);
	printf("align,%s,%llu,%llu,%.3f\n", alloc_label(a),
	       (unsigned long long)tp[reps / 2],
	       (unsigned long long)tq[reps / 2],
	       (double)tq[reps / 2] / tp[reps / 2]);
	fflush(stdout);
	free(tp);
	free(tq);
}

/* ---------------------------------------------------------------- */
/* region scale                                                      */

#define RS_REGION	(64UL << 10)
#define RS_BLOCK	256
/* of the 248 blocks a 64 KiB region holds, 200 stay live: ~80 % */
#define RS_LIVE_PER_REGION 200

static struct talc rs_talc;
static void *rs_index;

/*
 * Lay the core out over @arena (@nreg regions of RS_REGION bytes, or one
 * region of the same total size when @one; the many get one index for all
 * of them from talc_set_index() first), allocate @fill 256-byte blocks (0:
 * until none fits) and free random ones, the same for any layout, until
 * @live remain in @slot.  Return: the blocks allocated.
 */
static size_t rs_build(void *arena, int nreg, bool one, void **slot,
		       size_t fill, size_t live)
{
	struct talc *t = &rs_talc;
	size_t n = 0, i, cap = (size_t)nreg * RS_REGION / RS_BLOCK;
	uint64_t rng = 0x5eedULL;
	void *old;
	int r;

	talc_init(t);
	free(rs_index);
	rs_index = NULL;
	if (!one && nreg > TALC_INDEX_INLINE) {
		size_t bytes = TALC_INDEX_BYTES((size_t)nreg);

		rs_index = malloc(bytes);
		if (!rs_index || talc_set_index(t, rs_index, bytes, &old) || old) {
			fprintf(stderr, "regions: talc_set_index failed\n");
			exit(1);
		}
	}
	for (r = 0; r < (one ? 1 : nreg); r++) {
		size_t size = one ? (size_t)nreg * RS_REGION : RS_REGION;

		if (talc_claim(t, (char *)arena + r * RS_REGION, size)) {
			fprintf(stderr, "regions: talc_claim %d failed\n", r);
			exit(1);
		}
	}
	while (n < (fill ? fill : cap) && (slot[n] = talc_malloc(t, RS_BLOCK)))
		n++;
	if (n < live || (fill && n < fill)) {
		fprintf(stderr, "regions: only %zu blocks fit\n", n);
		exit(1);
	}
	fill = n;
	while (n > live) {
		i = rng_range(&rng, 0, n);
		talc_free(t, slot[i]);
		slot[i] = slot[--n];
	}
	talc_flush(t);
	return fill;
}

/* ns per (free of a random live block + malloc of a new one in its slot) */
static double rs_pairs(void **slot, size_t live, uint64_t pairs,
		       uint64_t seed)
{
	struct talc *t = &rs_talc;
	uint64_t rng = seed, i;
	double t0;

	for (i = 0; i < pairs / 20; i++) {	/* warm-up */
		size_t k = rng_range(&rng, 0, live);

		talc_free(t, slot[k]);
		slot[k] = talc_malloc(t, RS_BLOCK);
	}
	t0 = now_sec();
	for (i = 0; i < pairs; i++) {
		size_t k = rng_range(&rng, 0, live);

		talc_free(t, slot[k]);
		slot[k] = talc_malloc(t, RS_BLOCK);
		if (!slot[k]) {
			fprintf(stderr, "regions: malloc failed\n");
			exit(1);
		}
	}
	return (now_sec() - t0) * 1e9 / pairs;
}

/*
 * CSV: regions,<layout>,<regions>,<region_bytes>,<live_blocks>,<block>,
 *      <trial>,<pairs>,<ns_per_pair>
 * The core alone (no lock): @nreg regions of 64 KiB ("many", one index
 * given with talc_set_index()) against one region of the same total size
 * ("one"), the same live set (filled with 256-byte blocks, then random ones
 * freed down to 200 per 64 KiB, ~80 %), then @pairs random free + malloc of
 * a random live slot.  The layouts alternate within each trial.  Quick
 * lists at their default depth (BENCH_TALC_QUICK=N changes it).
 */
static void cmd_regions(int trials, uint64_t pairs, int nreg)
{
	size_t total = (size_t)nreg * RS_REGION, live, fill, i;
	const char *q = getenv("BENCH_TALC_QUICK");
	void **slot;
	void *arena;
	int tr, one;

	arena = mmap(NULL, total, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	slot = malloc(total / RS_BLOCK * sizeof(*slot));
	if (arena == MAP_FAILED || !slot) {
		perror("regions");
		exit(1);
	}
	for (i = 0; i < total; i += 4096)
		WRITE_ONCE(((char *)arena)[i], 0);
	live = (size_t)nreg * RS_LIVE_PER_REGION;
	/* the many regions hold fewer blocks: both layouts get that many */
	fill = rs_build(arena, nreg, false, slot, 0, live);
	for (tr = 0; tr < trials; tr++) {
		for (one = tr & 1; one >= 0 && one <= 1; one += (tr & 1) ? -1 : 1) {
			double ns;

			rs_build(arena, nreg, one, slot, fill, live);
			if (q && *q && talc_set_quick_depth(&rs_talc, atoi(q))) {
				fprintf(stderr, "BENCH_TALC_QUICK=%s: out of range\n", q);
				exit(1);
			}
			ns = rs_pairs(slot, live, pairs, 0xabcULL + tr);
			talc_sanity_of(&rs_talc, "regions");
			printf("regions,%s,%d,%zu,%zu,%d,%d,%llu,%.2f\n",
			       one ? "one" : "many", one ? 1 : nreg,
			       one ? total : RS_REGION, live, RS_BLOCK, tr,
			       (unsigned long long)pairs, ns);
			fflush(stdout);
		}
	}
	free(slot);
	free(rs_index);
	rs_index = NULL;
	munmap(arena, total);
}

/*
 * CSV: natural,<mode>,<trial>,<ops>,<ns_per_op>,<live_bytes>,<reach_bytes>
 * The heap layer's natural_align option, emulated on the core alone: a
 * kmalloc-like size mix (mostly powers of two from 8 to 4096 bytes, a few
 * odd sizes), 100 000 live slots, @ops random replacements; "natural"
 * aligns a power-of-two size up to 4096 to its size, as talc.ko does with
 * natural_align on.  Density: live bytes over how far the allocations
 * reach in the arena (talc_truncate_limit()).
 */
#define NA_SLOTS	100000
#define NA_ARENA	(256UL << 20)

static const size_t na_sizes[] = {
	8, 16, 32, 64, 64, 96, 128, 128, 192, 256, 256, 512, 1024, 2048, 4096,
	24, 40, 72, 136, 300,
};

static void cmd_natural(int trials, uint64_t ops)
{
	void **slot = calloc(NA_SLOTS, sizeof(*slot));
	char *arena = aligned_alloc(4096, NA_ARENA);
	struct talc t;
	int tr, natural;

	if (!slot || !arena) {
		perror("natural");
		exit(1);
	}
	for (tr = 0; tr < trials; tr++) {
		for (natural = 0; natural <= 1; natural++) {
			uint64_t rng = 0x9e3779b97f4a7c15ULL + tr, i;
			struct talc_stats st;
			double t0;

			talc_init(&t);
			if (talc_claim(&t, arena, NA_ARENA)) {
				fprintf(stderr, "natural: claim failed\n");
				exit(1);
			}
			memset(slot, 0, NA_SLOTS * sizeof(*slot));
			t0 = now_sec();
			for (i = 0; i < ops; i++) {
				uint64_t k, s;

				rng ^= rng << 13;
				rng ^= rng >> 7;
				rng ^= rng << 17;
				k = rng % NA_SLOTS;
				s = na_sizes[(rng >> 32) %
					     ARRAY_SIZE(na_sizes)];
				talc_free(&t, slot[k]);
				slot[k] = natural && !(s & (s - 1)) ?
					  talc_malloc_aligned(&t, s, s) :
					  talc_malloc(&t, s);
				if (!slot[k]) {
					fprintf(stderr, "natural: out of memory\n");
					exit(1);
				}
			}
			t0 = now_sec() - t0;
			talc_get_stats(&t, &st);
			printf("natural,%s,%d,%llu,%.2f,%zu,%zu\n",
			       natural ? "natural" : "plain", tr,
			       (unsigned long long)ops, t0 * 1e9 / ops,
			       st.allocated_bytes,
			       talc_truncate_limit(&t, arena));
			fflush(stdout);
		}
	}
	free(slot);
	free(arena);
}

/* ---------------------------------------------------------------- */

static void bench_usage(void)
{
	fprintf(stderr,
		"usage: bench random|micro|heapeff|align|regions|natural [-a talc|talc-nolock|sys|sys-lock|floor|floor-lock]\n"
		"  [-t MS] [-n TRIALS/REPS] [-s FIRST_TRIAL] [-j THREADS] [-o OPS] [-r ROUNDS] [-m MAXSIZE] [-u]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const struct bench_alloc *a = &allocs[0];
	double ms = 200;
	int trials = 1, first = 0, threads = 1, rounds = 300, opt, i;
	bool rounds_set = false;
	uint64_t ops = 0;
	size_t only_max = 0;
	const char *cmd;

	if (argc < 2)
		bench_usage();
	cmd = argv[1];
	optind = 2;
	while ((opt = getopt(argc, argv, "a:t:n:s:j:o:r:m:u")) != -1) {
		switch (opt) {
		case 'a':
			a = NULL;
			for (i = 0; i < (int)ARRAY_SIZE(allocs); i++)
				if (!strcmp(optarg, allocs[i].name))
					a = &allocs[i];
			if (!a)
				bench_usage();
			break;
		case 't':
			ms = atof(optarg);
			break;
		case 'n':
			trials = atoi(optarg);
			break;
		case 's':
			first = atoi(optarg);
			break;
		case 'j':
			threads = atoi(optarg);
			if (threads < 1 || threads > 8)
				bench_usage();
			break;
		case 'o':
			ops = strtoull(optarg, NULL, 0);
			break;
		case 'u':
			he_uniform = true;
			break;
		case 'r':
			rounds = atoi(optarg);
			rounds_set = true;
			break;
		case 'm':
			only_max = strtoull(optarg, NULL, 0);
			break;
		default:
			bench_usage();
		}
	}
	/* a floor never fails nor keeps bytes: for random and micro only */
	if (a->reset == floor_reset && strcmp(cmd, "random") &&
	    strcmp(cmd, "micro"))
		bench_usage();
	if (!strcmp(cmd, "random"))
		cmd_random(a, ms / 1000, trials, first, threads, ops,
			   only_max);
	else if (!strcmp(cmd, "micro"))
		cmd_micro(a, ms / 1000);
	else if (!strcmp(cmd, "heapeff"))
		cmd_heapeff(a, rounds, first);
	else if (!strcmp(cmd, "align"))
		cmd_align(a, trials < 3 ? 5 : trials);
	else if (!strcmp(cmd, "natural"))
		cmd_natural(trials, ops ? ops : 4000000);
	else if (!strcmp(cmd, "regions"))
		cmd_regions(trials, ops ? ops : 4000000,
			    rounds_set && rounds > 0 ? rounds : 4096);
	else
		bench_usage();
	return 0;
}
