// SPDX-License-Identifier: GPL-2.0
/*
 * talc_bench.c - in-kernel benchmark: a talc heap against gen_pool
 * (first-fit and best-fit, min_alloc_order 3, same vmalloc'd arena size)
 * and kmalloc/kfree, in the manner of lib/test_vmalloc.c: the module runs
 * the workloads chosen by its parameters at load time, prints one CSV line
 * per result ("talc_bench: csv,...") and stays loaded doing nothing.
 *
 * Workloads (talc v5's, see tools/bench/ for the userspace twins):
 *   random   ops per duration_ms: 1/7 realloc (to U[1, 3 max)), 3/7 alloc
 *            (size U[4, U[16, max))), 3/7 free, forced alloc below 300
 *            live; all requests 8-byte aligned (gen_pool best-fit and
 *            kmalloc have no aligned variant); gen_pool "realloc" is
 *            alloc + copy + free, kmalloc's is krealloc().  With
 *            op_split=1 each op is also timed (kb_cycles()) and counted by
 *            kind, and each realloc by whether it moved the block: where
 *            an allocator's time goes.  The timer perturbs the ops counts:
 *            take the ratios from a run without it.
 *   micro    cycles of each alloc and each free (lfence; rdtsc on x86-64,
 *            get_cycles() elsewhere), p1/p25/p50/p75/p99.
 *   heapeff  occupied capacity at the first failure: 50 % alloc (max
 *            10000), 10 % free, 40 % realloc to U[1, 100000); arena
 *            allocators only (talc, gen_pool first-fit and best-fit).
 *   regions  talc only, region scale: a heap created at rs_start_kb
 *            (64 KiB, hence the default grow step of 64 KiB) that grows,
 *            up to rs_max_mb, to hold rs_live_mb of live rs_block-byte
 *            blocks (thousands of regions), against a heap created at
 *            rs_max_mb holding the same live set (one region).  A timed
 *            run frees a random live slot and allocates a new block into
 *            it, one op per free+alloc pair, for duration_ms; which heap
 *            runs first alternates between trials.  Per heap and trial:
 *            ops, elapsed ns and TSC cycles, regions, claimed bytes.
 *   smp      one kthread bound per online CPU (kthread_create_on_cpu), all
 *            on one shared allocator (a talc heap, kmalloc): each thread
 *            owns smp_slots pre-filled slots and, after a warm-up and a
 *            start gate, replaces a random slot (free, then allocate
 *            U[lo, hi]) for smp_ms; sizes 8-512 and 2048-8192 B; once
 *            with 1 thread (first online CPU), once with one per CPU.
 *            Per run: aggregate ops/s (sum of each thread's ops / its
 *            elapsed time) and the kernel's init_on_alloc setting.
 * "none" (allocs bit 32): the harness alone, random numbers, the slot
 * table and the clock, with an allocator that hands out one dummy pointer,
 * frees nothing and resizes in place; random actions and SMP only.  In
 * random actions its time per op is the floor under every allocator's
 * (their time less its is their own); in SMP its scaling is what the host
 * gives the vCPUs at the time (QEMU/TCG on a shared host), the ceiling
 * for every allocator's.
 * Arenas (arena_mb, default 128 MiB as talc v5) are touched before each run.
 *
 * Example: insmod talc_bench.ko run_mask=1 allocs=9 max_sizes=200,30000
 *          insmod talc_bench.ko run_mask=8 trials=3	(region scale only)
 *          insmod talc_bench.ko run_mask=16 allocs=41	(SMP only: talc,
 *            kmalloc and none, the host's ceiling)
 *          insmod talc.ko heaps=diag:128M; insmod talc_bench.ko run_mask=16
 *            allocs=1 heap=diag	(then read debugfs talc/diag/)
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/genalloc.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/overflow.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/err.h>
#include <linux/delay.h>
#include <linux/timex.h>
#include <linux/kthread.h>
#include <linux/completion.h>
#include <linux/atomic.h>
#include <linux/cache.h>
#include <linux/cpumask.h>
#include <linux/mm.h>

#include "talc_heap.h"

#define KB_RANDOM	BIT(0)
#define KB_MICRO	BIT(1)
#define KB_HEAPEFF	BIT(2)
#define KB_REGIONS	BIT(3)
#define KB_SMP		BIT(4)

#define KB_TALC		BIT(0)
#define KB_GP_FIRST	BIT(1)
#define KB_GP_BEST	BIT(2)
#define KB_KMALLOC	BIT(3)
#define KB_TALC_NOCACHE	BIT(4)
#define KB_NONE		BIT(5)
#define KB_NR_ALLOCS	6

#define KB_MAX_LIVE	65536U
#define KB_HIST_MAX	1048576U

static unsigned int run_mask = KB_RANDOM | KB_MICRO | KB_HEAPEFF | KB_REGIONS |
			      KB_SMP;
module_param(run_mask, uint, 0444);
MODULE_PARM_DESC(run_mask, "workloads: 1 random actions, 2 microbench, 4 heap efficiency, 8 region scale, 16 SMP replacement (default 31)");

static unsigned int allocs = KB_TALC | KB_GP_FIRST | KB_GP_BEST | KB_KMALLOC |
			    KB_TALC_NOCACHE | KB_NONE;
module_param(allocs, uint, 0444);
MODULE_PARM_DESC(allocs, "allocators: 1 talc, 2 gen_pool first-fit, 4 gen_pool best-fit, 8 kmalloc, 16 talc with its per-CPU caches off, 32 none (the harness alone) (default 63)");

static int cache_kb = -1;
module_param(cache_kb, int, 0444);
MODULE_PARM_DESC(cache_kb, "the talc rows' and the region-scale heaps' per-CPU cache bound in KiB (talc_heap_set_cache()): -1 the heap's default, 0 off (default -1)");

static unsigned int arena_mb = 128;
module_param(arena_mb, uint, 0444);
MODULE_PARM_DESC(arena_mb, "arena size in MiB for talc and gen_pool (default 128)");

static unsigned int max_sizes[8] = { 200, 1000, 3000, 10000, 30000 };
static unsigned int nr_max_sizes = 5;
module_param_array(max_sizes, uint, &nr_max_sizes, 0444);
MODULE_PARM_DESC(max_sizes, "random actions: max sizes (default 200,1000,3000,10000,30000)");

static unsigned int duration_ms = 200;
module_param(duration_ms, uint, 0444);
MODULE_PARM_DESC(duration_ms, "random actions: timed run per trial in ms (default 200)");

static unsigned int trials = 3;
module_param(trials, uint, 0444);
MODULE_PARM_DESC(trials, "random actions: trials per allocator and size (default 3)");

static bool op_split;
module_param(op_split, bool, 0444);
MODULE_PARM_DESC(op_split, "random actions: time and count each op by kind (cycles, realloc moves) (default 0)");

static unsigned int micro_steps = 200000;
module_param(micro_steps, uint, 0444);
MODULE_PARM_DESC(micro_steps, "microbench: timed allocation steps (default 200000)");

static unsigned int he_rounds = 10;
module_param(he_rounds, uint, 0444);
MODULE_PARM_DESC(he_rounds, "heap efficiency: rounds per allocator (default 10)");

static unsigned int rs_start_kb = 64;
module_param(rs_start_kb, uint, 0444);
MODULE_PARM_DESC(rs_start_kb, "region scale: first region of the growing heap in KiB; its grow step is the default, max(this, 64 KiB) (default 64)");

static unsigned int rs_max_mb = 256;
module_param(rs_max_mb, uint, 0444);
MODULE_PARM_DESC(rs_max_mb, "region scale: max size of both heaps, size of the full one, in MiB (default 256)");

static unsigned int rs_live_mb = 128;
module_param(rs_live_mb, uint, 0444);
MODULE_PARM_DESC(rs_live_mb, "region scale: live set in MiB of requested bytes (default 128)");

static unsigned int rs_block = 256;
module_param(rs_block, uint, 0444);
MODULE_PARM_DESC(rs_block, "region scale: block size in bytes (default 256)");

static unsigned int smp_ms = 200;
module_param(smp_ms, uint, 0444);
MODULE_PARM_DESC(smp_ms, "SMP replacement: timed run per thread in ms (default 200)");

static unsigned int smp_trials = 3;
module_param(smp_trials, uint, 0444);
MODULE_PARM_DESC(smp_trials, "SMP replacement: trials per allocator, size range and thread count (default 3)");

static unsigned int smp_slots = 1024;
module_param(smp_slots, uint, 0444);
MODULE_PARM_DESC(smp_slots, "SMP replacement: live blocks per thread (default 1024)");

static char *kb_heap_name;
module_param_named(heap, kb_heap_name, charp, 0444);
MODULE_PARM_DESC(heap, "run the talc rows (not region scale) on this existing heap (talc.ko heaps=) instead of fresh ones, left in place for its debugfs files; no talc-nocache rows (default: none)");

struct kb_slot {
	void *p;
	size_t size;
};

struct kb_ctx {
	struct talc_heap *heap;
	struct gen_pool *pool;
	void *arena;
	size_t arena_size;
	struct kb_slot *live;
	unsigned int n;
	size_t bytes;
	u64 rng;
};

struct kb_alloc {
	const char *name;
	unsigned int bit;
	int (*setup)(struct kb_ctx *c);
	void (*teardown)(struct kb_ctx *c);
	void *(*alloc)(struct kb_ctx *c, size_t size);
	void (*free)(struct kb_ctx *c, void *p, size_t size);
	void *(*realloc)(struct kb_ctx *c, void *p, size_t old, size_t size);
};

/* ---- random numbers (wyrand), sizes ---- */

static inline u64 kb_rng(struct kb_ctx *c)
{
	u64 s;

	c->rng += 0xa0761d6478bd642fULL;
	s = c->rng;
	return mul_u64_u64_shr(s, s ^ 0xe7037ed1a0b428dbULL, 64) ^
	       (s * (s ^ 0xe7037ed1a0b428dbULL));
}

static inline u64 kb_range(struct kb_ctx *c, u64 lo, u64 hi)
{
	return lo + mul_u64_u64_shr(kb_rng(c), hi - lo, 64);
}

static inline size_t kb_size(struct kb_ctx *c, size_t max)
{
	return kb_range(c, 4, kb_range(c, 16, max));
}

static inline u64 kb_cycles(void)
{
#ifdef CONFIG_X86_64
	u32 lo, hi;

	asm volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) : : "memory");
	return ((u64)hi << 32) | lo;
#else
	return get_cycles();
#endif
}

/*
 * op_split: the random actions' ops by kind.  "small" is up to
 * KMALLOC_MAX_CACHE_SIZE (SLUB's largest kmalloc cache, talc's largest
 * per-CPU cache class), "large" above: kmalloc's page allocator path,
 * talc's core path.  A realloc's kind is its new size's.  Each small kind
 * is followed by its large twin (kb_op_done()).
 */
enum kb_op {
	KB_OP_ALLOC_SMALL,
	KB_OP_ALLOC_LARGE,
	KB_OP_FREE_SMALL,
	KB_OP_FREE_LARGE,
	KB_OP_REALLOC_SMALL,
	KB_OP_REALLOC_LARGE,
	KB_NR_OPS,
};

static const char *const kb_op_names[KB_NR_OPS] = {
	[KB_OP_ALLOC_SMALL] = "alloc-small",
	[KB_OP_ALLOC_LARGE] = "alloc-large",
	[KB_OP_FREE_SMALL] = "free-small",
	[KB_OP_FREE_LARGE] = "free-large",
	[KB_OP_REALLOC_SMALL] = "realloc-small",
	[KB_OP_REALLOC_LARGE] = "realloc-large",
};

/*
 * Per kind: ops, their cycles, and of the reallocs those that moved the
 * block and the bytes the moves kept (the copy).
 */
struct kb_op_stat {
	u64 n, cycles, moves, moved_bytes;
};

/* The start of an op that kb_op_done() counts: 0 when op_split is off. */
static inline u64 kb_op_start(const struct kb_op_stat *st)
{
	return st ? kb_cycles() : 0;
}

/*
 * Count an op of kind @small (or its large twin, by @size) begun at @t0.
 * Return: its counters, or NULL when op_split is off (@st NULL).
 */
static inline struct kb_op_stat *kb_op_done(struct kb_op_stat *st,
					    enum kb_op small, size_t size,
					    u64 t0)
{
	struct kb_op_stat *o;

	BUILD_BUG_ON(KB_OP_ALLOC_LARGE - KB_OP_ALLOC_SMALL != 1);
	BUILD_BUG_ON(KB_OP_FREE_LARGE - KB_OP_FREE_SMALL != 1);
	BUILD_BUG_ON(KB_OP_REALLOC_LARGE - KB_OP_REALLOC_SMALL != 1);
	if (!st)
		return NULL;
	o = &st[size > KMALLOC_MAX_CACHE_SIZE ? small + 1 : small];
	o->cycles += kb_cycles() - t0;
	o->n++;
	return o;
}

/* ---- talc ---- */

/* @cache: bytes for talc_heap_set_cache(), or -1 for the heap's default */
static int kb_talc_create(struct kb_ctx *c, long long cache)
{
	struct talc_stats st;
	void *p;
	int ret;

	if (kb_heap_name) {
		/* a heap of talc.ko's, its settings as they are */
		c->heap = talc_heap_get(kb_heap_name);
		return c->heap ? 0 : -ENOENT;
	}
	c->heap = talc_heap_create("talc_bench", c->arena_size, c->arena_size);
	if (IS_ERR(c->heap)) {
		ret = PTR_ERR(c->heap);
		c->heap = NULL;
		return ret;
	}
	if (cache >= 0) {
		ret = talc_heap_set_cache(c->heap, cache);
		if (ret) {
			talc_heap_destroy(c->heap);
			c->heap = NULL;
			return ret;
		}
	}
	/* touch the whole arena first, as talc v5's benches do */
	if (!talc_heap_stats(c->heap, &st)) {
		p = talc_heap_alloc(c->heap, st.largest_free_chunk, GFP_KERNEL);
		if (p) {
			memset(p, 0, st.largest_free_chunk);
			talc_heap_free(c->heap, p);
		}
	}
	return 0;
}

static int kb_talc_setup(struct kb_ctx *c)
{
	return kb_talc_create(c, cache_kb < 0 ? -1 : (long long)cache_kb << 10);
}

static int kb_talc_nocache_setup(struct kb_ctx *c)
{
	return kb_talc_create(c, 0);
}

static void kb_talc_teardown(struct kb_ctx *c)
{
	struct talc_stats st;

	if (!c->heap)
		return;
	/* everything was freed: nothing may be live, no free may have been bad */
	if (!talc_heap_stats(c->heap, &st) &&
	    (st.allocation_count || st.bad_frees || st.poison_errors))
		pr_err("talc heap inconsistent: %zu live, %llu bad frees\n",
		       st.allocation_count, st.bad_frees);
	if (kb_heap_name)
		talc_heap_put(c->heap);
	else if (talc_heap_destroy(c->heap))
		pr_warn("talc heap still busy\n");
	c->heap = NULL;
}

static void *kb_talc_alloc(struct kb_ctx *c, size_t size)
{
	return talc_heap_alloc(c->heap, size, GFP_KERNEL);
}

static void kb_talc_free(struct kb_ctx *c, void *p, size_t size)
{
	talc_heap_free(c->heap, p);
}

static void *kb_talc_realloc(struct kb_ctx *c, void *p, size_t old,
			     size_t size)
{
	return talc_heap_realloc(c->heap, p, size, GFP_KERNEL);
}

/* ---- gen_pool ---- */

static int kb_gp_setup(struct kb_ctx *c, genpool_algo_t algo)
{
	int ret;

	c->arena = vmalloc(c->arena_size);
	c->pool = gen_pool_create(3, NUMA_NO_NODE);
	if (!c->arena || !c->pool) {
		ret = -ENOMEM;
		goto err;
	}
	memset(c->arena, 0, c->arena_size);	/* touched first, as for talc */
	ret = gen_pool_add(c->pool, (unsigned long)c->arena, c->arena_size,
			   NUMA_NO_NODE);
	if (ret)
		goto err;
	gen_pool_set_algo(c->pool, algo, NULL);
	return 0;
err:
	if (c->pool)
		gen_pool_destroy(c->pool);
	vfree(c->arena);
	c->pool = NULL;
	c->arena = NULL;
	return ret;
}

static int kb_gp_first_setup(struct kb_ctx *c)
{
	return kb_gp_setup(c, gen_pool_first_fit);
}

static int kb_gp_best_setup(struct kb_ctx *c)
{
	return kb_gp_setup(c, gen_pool_best_fit);
}

static void kb_gp_teardown(struct kb_ctx *c)
{
	gen_pool_destroy(c->pool);
	vfree(c->arena);
	c->pool = NULL;
	c->arena = NULL;
}

static void *kb_gp_alloc(struct kb_ctx *c, size_t size)
{
	return (void *)gen_pool_alloc(c->pool, size);
}

static void kb_gp_free(struct kb_ctx *c, void *p, size_t size)
{
	gen_pool_free(c->pool, (unsigned long)p, size);
}

static void *kb_gp_realloc(struct kb_ctx *c, void *p, size_t old,
			   size_t size)
{
	void *q = (void *)gen_pool_alloc(c->pool, size);

	if (!q)
		return NULL;
	memcpy(q, p, min(old, size));
	gen_pool_free(c->pool, (unsigned long)p, old);
	return q;
}

/* ---- kmalloc ---- */

static int kb_km_setup(struct kb_ctx *c)
{
	return 0;
}

static void kb_km_teardown(struct kb_ctx *c)
{
}

static void *kb_km_alloc(struct kb_ctx *c, size_t size)
{
	return kmalloc(size, GFP_KERNEL);
}

static void kb_km_free(struct kb_ctx *c, void *p, size_t size)
{
	kfree(p);
}

static void *kb_km_realloc(struct kb_ctx *c, void *p, size_t old,
			   size_t size)
{
	return krealloc(p, size, GFP_KERNEL);
}

/* ---- none: the harness alone, no shared data (see the top) ---- */
static void *kb_none_alloc(struct kb_ctx *c, size_t size)
{
	return c;
}

static void kb_none_free(struct kb_ctx *c, void *p, size_t size)
{
}

static void *kb_none_realloc(struct kb_ctx *c, void *p, size_t old,
			     size_t size)
{
	return p;
}

static const struct kb_alloc kb_allocs[KB_NR_ALLOCS] = {
	{ "talc", KB_TALC, kb_talc_setup, kb_talc_teardown,
	  kb_talc_alloc, kb_talc_free, kb_talc_realloc },
	{ "talc-nocache", KB_TALC_NOCACHE, kb_talc_nocache_setup,
	  kb_talc_teardown, kb_talc_alloc, kb_talc_free, kb_talc_realloc },
	{ "genpool-first", KB_GP_FIRST, kb_gp_first_setup, kb_gp_teardown,
	  kb_gp_alloc, kb_gp_free, kb_gp_realloc },
	{ "genpool-best", KB_GP_BEST, kb_gp_best_setup, kb_gp_teardown,
	  kb_gp_alloc, kb_gp_free, kb_gp_realloc },
	{ "kmalloc", KB_KMALLOC, kb_km_setup, kb_km_teardown,
	  kb_km_alloc, kb_km_free, kb_km_realloc },
	{ "none", KB_NONE, kb_km_setup, kb_km_teardown,
	  kb_none_alloc, kb_none_free, kb_none_realloc },
};

static void kb_free_all(const struct kb_alloc *a, struct kb_ctx *c,
			unsigned int keep)
{
	while (c->n > keep) {
		struct kb_slot *s = &c->live[--c->n];

		a->free(c, s->p, s->size);
		c->bytes -= s->size;
	}
}

static void kb_free_one(const struct kb_alloc *a, struct kb_ctx *c,
			unsigned int k)
{
	struct kb_slot s = c->live[k];

	c->live[k] = c->live[--c->n];
	a->free(c, s.p, s.size);
	c->bytes -= s.size;
}

/* ---- random actions ---- */

/* @st: NULL, or KB_NR_OPS counters of op_split to add to */
static u64 kb_random_run(const struct kb_alloc *a, struct kb_ctx *c,
			 size_t max, u64 ns, struct kb_op_stat *st)
{
	u64 end = ktime_get_ns() + ns, score = 0, i;

	for (i = 0;; i++) {
		unsigned int act = kb_range(c, 0, 7);

		if (!(i & 31)) {
			if (ktime_get_ns() >= end)
				break;
			if (!(i & 4095))
				cond_resched();
		}
		if (c->n < 300)
			act = 1;
		else if (c->n >= KB_MAX_LIVE)
			act = 4;
		if (act == 0) {
			struct kb_slot *s = &c->live[kb_range(c, 0, c->n)];
			size_t size = kb_range(c, 1, 3 * max);
			struct kb_op_stat *o;
			u64 t0 = kb_op_start(st);
			void *q = a->realloc(c, s->p, s->size, size);

			o = kb_op_done(st, KB_OP_REALLOC_SMALL, size, t0);
			if (o && q && q != s->p) {
				o->moves++;
				o->moved_bytes += min(size, s->size);
			}
			if (q) {
				c->bytes += size - s->size;
				s->p = q;
				s->size = size;
				score++;
			}
		} else if (act <= 3) {
			size_t size = kb_size(c, max);
			u64 t0 = kb_op_start(st);
			void *p = a->alloc(c, size);

			kb_op_done(st, KB_OP_ALLOC_SMALL, size, t0);
			if (p) {
				c->live[c->n++] = (struct kb_slot){ p, size };
				c->bytes += size;
				score++;
			}
		} else {
			unsigned int k = kb_range(c, 0, c->n);
			size_t size = c->live[k].size;
			u64 t0 = kb_op_start(st);

			kb_free_one(a, c, k);
			kb_op_done(st, KB_OP_FREE_SMALL, size, t0);
			score++;
		}
	}
	return score;
}

static void kb_random(const struct kb_alloc *a, struct kb_ctx *c,
		      unsigned int t)
{
	unsigned int m;

	for (m = 0; m < nr_max_sizes; m++) {
		struct kb_op_stat st[KB_NR_OPS] = { };
		unsigned int k;
		u64 ops;

		if (a->setup(c)) {
			pr_warn("%s: setup failed\n", a->name);
			return;
		}
		c->rng = 0x1234567ULL * (t + 1) + max_sizes[m];
		/* 2 ms warm-up, then the timed run (talc v5) */
		kb_random_run(a, c, max_sizes[m], 2 * NSEC_PER_MSEC, NULL);
		ops = kb_random_run(a, c, max_sizes[m],
				    (u64)duration_ms * NSEC_PER_MSEC,
				    op_split ? st : NULL);
		kb_free_all(a, c, 0);
		a->teardown(c);
		pr_info("csv,kernel-random,%s,%u,%u,%llu,%u\n", a->name,
			max_sizes[m], t, ops, duration_ms);
		for (k = 0; op_split && k < KB_NR_OPS; k++)
			pr_info("csv,kernel-random-ops,%s,%u,%u,%s,%llu,%llu,%llu,%llu\n",
				a->name, max_sizes[m], t, kb_op_names[k],
				st[k].n, st[k].cycles, st[k].moves,
				st[k].moved_bytes);
	}
}

/* ---- microbench ---- */

static unsigned int kb_pct(const u32 *h, u64 n, unsigned int permille)
{
	u64 want = div_u64((n - 1) * permille, 1000), acc = 0;
	unsigned int i;

	for (i = 0; i <= KB_HIST_MAX; i++) {
		acc += h[i];
		if (acc > want)
			return i;
	}
	return KB_HIST_MAX;
}

static void kb_micro_print(const char *name, const char *op, const u32 *h,
			   u64 n)
{
	if (!n)
		return;
	pr_info("csv,kernel-micro,%s,%s,%llu,%u,%u,%u,%u,%u\n", name, op, n,
		kb_pct(h, n, 10), kb_pct(h, n, 250), kb_pct(h, n, 500),
		kb_pct(h, n, 750), kb_pct(h, n, 990));
}

static void kb_micro(const struct kb_alloc *a, struct kb_ctx *c)
{
	u32 *ha = vzalloc((KB_HIST_MAX + 1) * sizeof(u32));
	u32 *hf = vzalloc((KB_HIST_MAX + 1) * sizeof(u32));
	u64 na = 0, nf = 0, step, t0, t1;
	unsigned int i;

	if (!ha || !hf || a->setup(c))
		goto out;
	c->rng = 0xfeed;
	for (step = 0; step < 10000ULL + micro_steps; step++) {
		bool timed = step >= 10000;
		size_t size = kb_size(c, 0x8000);
		void *p;

		if (!(step & 4095))
			cond_resched();
		t0 = kb_cycles();
		p = a->alloc(c, size);
		t1 = kb_cycles();
		if (p) {
			if (timed) {
				ha[min_t(u64, t1 - t0, KB_HIST_MAX)]++;
				na++;
			}
			c->live[c->n++] = (struct kb_slot){ p, size };
			c->bytes += size;
		} else {
			kb_free_all(a, c, 50);
		}
		if (c->n > 600 || (c->n > 50 && kb_range(c, 0, 10) == 0)) {
			for (i = 0; i < 8; i++) {
				unsigned int k = kb_range(c, 0, c->n);
				struct kb_slot s = c->live[k];

				c->live[k] = c->live[--c->n];
				c->bytes -= s.size;
				t0 = kb_cycles();
				a->free(c, s.p, s.size);
				t1 = kb_cycles();
				if (timed) {
					hf[min_t(u64, t1 - t0, KB_HIST_MAX)]++;
					nf++;
				}
			}
		}
	}
	kb_free_all(a, c, 0);
	a->teardown(c);
	kb_micro_print(a->name, "alloc", ha, na);
	kb_micro_print(a->name, "free", hf, nf);
	/* the timer's own cost: empty fenced measurements */
	memset(ha, 0, (KB_HIST_MAX + 1) * sizeof(u32));
	for (step = 0; step < 100000; step++) {
		t0 = kb_cycles();
		t1 = kb_cycles();
		ha[min_t(u64, t1 - t0, KB_HIST_MAX)]++;
	}
	kb_micro_print(a->name, "timer", ha, 100000);
out:
	vfree(ha);
	vfree(hf);
}

/* ---- heap efficiency ---- */

static void kb_heapeff(const struct kb_alloc *a, struct kb_ctx *c)
{
	unsigned int r;

	for (r = 0; r < he_rounds; r++) {
		u64 steps = 0, pm;

		if (a->setup(c)) {
			pr_warn("%s: setup failed\n", a->name);
			return;
		}
		c->rng = 0xabcdef12345ULL + 977ULL * r;
		for (;; steps++) {
			unsigned int x = kb_range(c, 0, 10);

			if (!(steps & 1023))
				cond_resched();
			if (x < 5 || !c->n) {
				size_t size = kb_size(c, 10000);
				void *p = c->n < KB_MAX_LIVE ?
					  a->alloc(c, size) : NULL;

				if (!p)
					break;
				c->live[c->n++] = (struct kb_slot){ p, size };
				c->bytes += size;
			} else if (x < 6) {
				kb_free_one(a, c, kb_range(c, 0, c->n));
			} else {
				struct kb_slot *s = &c->live[kb_range(c, 0, c->n)];
				size_t size = kb_range(c, 1, 100000);
				void *q = a->realloc(c, s->p, s->size, size);

				if (!q)
					break;
				c->bytes += size - s->size;
				s->p = q;
				s->size = size;
			}
		}
		pm = div64_u64((u64)c->bytes * 100000, c->arena_size);
		pr_info("csv,kernel-heapeff,%s,%u,%zu,%zu,%llu.%03llu,%llu\n",
			a->name, r, c->bytes, c->arena_size, pm / 1000,
			pm % 1000, steps);
		kb_free_all(a, c, 0);
		a->teardown(c);
	}
}

/* ---- region scale ---- */

/*
 * Fill @heap (created with @size bytes) with @n blocks of rs_block bytes,
 * each written once; run random free+alloc of a random slot for 2 ms, then
 * for duration_ms; free everything and print one CSV line.
 */
static void kb_regions_run(struct kb_ctx *c, struct talc_heap *heap,
			   const char *name, size_t size, unsigned int t,
			   void **slot, size_t n)
{
	struct talc_stats before, after;
	u64 ns = 0, cycles = 0, ops = 0, end, i;
	size_t live, k;
	int run;

	for (live = 0; live < n; live++) {
		slot[live] = talc_heap_alloc(heap, rs_block, GFP_KERNEL);
		if (!slot[live]) {
			pr_warn("regions: %s: fill failed at block %zu of %zu\n",
				name, live, n);
			goto out;
		}
		memset(slot[live], 0x5a, rs_block);
		if (!(live & 4095))
			cond_resched();
	}
	talc_heap_stats(heap, &before);
	c->rng = 0x5eed0000ULL + t;
	/* run 0: 2 ms warm-up; run 1: timed */
	for (run = 0; run < 2; run++) {
		u64 t0 = ktime_get_ns(), cy0 = kb_cycles();

		end = t0 + (run ? (u64)duration_ms * NSEC_PER_MSEC :
				  2 * NSEC_PER_MSEC);
		for (i = 0;; i++) {
			void *p;

			if (!(i & 31) && ktime_get_ns() >= end)
				break;
			k = kb_range(c, 0, live);
			talc_heap_free(heap, slot[k]);
			p = talc_heap_alloc(heap, rs_block, GFP_KERNEL);
			if (unlikely(!p)) {
				pr_warn("regions: %s: allocation failed\n",
					name);
				slot[k] = slot[--live];
				goto out;
			}
			slot[k] = p;
		}
		cycles = kb_cycles() - cy0;
		ns = ktime_get_ns() - t0;
		ops = i;
		cond_resched();
	}
	talc_heap_stats(heap, &after);
	/* heap,trial,ops,ns,cycles,regions,regions_after,claimed,blocks,block,size,max */
	pr_info("csv,kernel-regions,%s,%u,%llu,%llu,%llu,%zu,%zu,%zu,%zu,%u,%zu,%zu\n",
		name, t, ops, ns, cycles, before.region_count,
		after.region_count, before.claimed_bytes, live, rs_block, size,
		(size_t)rs_max_mb << 20);
out:
	for (k = 0; k < live; k++) {
		talc_heap_free(heap, slot[k]);
		if (!(k & 4095))
			cond_resched();
	}
}

static void kb_regions(struct kb_ctx *c, unsigned int t)
{
	static const char *const names[2] = { "grown", "full" };
	size_t n = div_u64((u64)rs_live_mb << 20, rs_block);
	void **slot = vmalloc(array_size(n, sizeof(*slot)));
	unsigned int h, r;

	if (!slot) {
		pr_warn("regions: no memory for %zu slots\n", n);
		return;
	}
	/* which heap goes first alternates between trials */
	for (h = t & 1; h < (t & 1) + 2; h++) {
		size_t size = h & 1 ? (size_t)rs_max_mb << 20 :
				      (size_t)rs_start_kb << 10;
		struct talc_heap *heap;

		heap = talc_heap_create(h & 1 ? "talc_bench_full" :
						"talc_bench_grown", size,
					(size_t)rs_max_mb << 20);
		/*
		 * The other heap's reclaim hands its regions to RCU callbacks
		 * whose vfree(), in softirq context, is deferred once more to
		 * a work item; until that ran, the memory is not available
		 * and a large create can fail on a small machine (a 512 MiB
		 * VM).  Wait for them, a few times, and say so.
		 */
		for (r = 0; PTR_ERR_OR_ZERO(heap) == -ENOMEM && r < 10; r++) {
			pr_info("retry: regions: %s: create -ENOMEM, again after rcu_barrier() and 100 ms\n",
				names[h & 1]);
			rcu_barrier();
			msleep(100);
			heap = talc_heap_create(h & 1 ? "talc_bench_full" :
							"talc_bench_grown",
						size, (size_t)rs_max_mb << 20);
		}
		if (IS_ERR(heap)) {
			pr_warn("regions: %s: create failed: %ld\n",
				names[h & 1], PTR_ERR(heap));
			break;
		}
		if (cache_kb >= 0 &&
		    talc_heap_set_cache(heap, (size_t)cache_kb << 10))
			pr_warn("regions: %s: cache_kb=%d refused\n",
				names[h & 1], cache_kb);
		kb_regions_run(c, heap, names[h & 1], size, t, slot, n);
		if (talc_heap_destroy(heap))
			pr_warn("talc heap still busy\n");
	}
	vfree(slot);
}

/* ---- SMP replacement ---- */

/*
 * One kthread bound per CPU (the first nthreads online CPUs), all on one
 * shared allocator: each fills its own table of smp_slots blocks of sizes
 * U[lo, hi], replaces 2 x smp_slots random slots as a warm-up, waits at the
 * start gate, then for smp_ms replaces a random slot (free the old block,
 * allocate a new one of a new random size; one op = that free + alloc).
 */
struct kb_smp;

/*
 * Cache-line aligned: each thread writes its rng on every step, and its
 * neighbour reads its own run and heap pointers on every step: they must
 * not share a line.  kcalloc() of n of them is aligned enough: kmalloc's
 * power-of-two sizes are naturally aligned.
 */
struct kb_smp_thread {
	struct kb_smp *run;
	struct kb_ctx c;	/* a copy of the run's: same heap, own rng */
	struct task_struct *task;
	void **slot;
	u64 ops;
	u64 ns;
	int err;
} ____cacheline_aligned;

struct kb_smp {
	const struct kb_alloc *a;
	size_t lo, hi;
	unsigned int nthreads;
	atomic_t pending;	/* threads still filling their tables */
	atomic_t started;	/* threads through the start gate */
	atomic_t running;	/* threads not done yet */
	struct completion ready, go, done;
};

static inline bool kb_smp_step(struct kb_smp_thread *t, unsigned int n)
{
	const struct kb_smp *r = t->run;
	unsigned int k = kb_range(&t->c, 0, n);

	r->a->free(&t->c, t->slot[k], 0);
	t->slot[k] = r->a->alloc(&t->c, kb_range(&t->c, r->lo, r->hi + 1));
	return t->slot[k];
}

static int kb_smp_fn(void *data)
{
	struct kb_smp_thread *t = data;
	struct kb_smp *r = t->run;
	unsigned long end;
	unsigned int n, k;
	u64 i, t0;

	for (n = 0; n < smp_slots; n++) {
		t->slot[n] = r->a->alloc(&t->c, kb_range(&t->c, r->lo, r->hi + 1));
		if (!t->slot[n]) {
			t->err = -ENOMEM;
			break;
		}
	}
	for (i = 0; !t->err && i < 2ULL * n; i++) {
		if (!kb_smp_step(t, n))
			t->err = -ENOMEM;
		if (!(i & 1023))
			cond_resched();
	}
	if (atomic_dec_and_test(&r->pending))
		complete(&r->ready);
	wait_for_completion(&r->go);
	/* start together: every thread awake on its CPU before the clocks start */
	atomic_inc(&r->started);
	while (atomic_read(&r->started) < r->nthreads) {
		cpu_relax();
		cond_resched();
	}
	/*
	 * The deadline in jiffies, a memory read: under QEMU/TCG the guest's
	 * clocksource is the HPET (its TSCs are unsynchronised), and each
	 * HPET read is MMIO that takes QEMU's global lock, which would
	 * serialise the vCPUs.  The elapsed time is read twice only.
	 */
	end = jiffies + max(1UL, msecs_to_jiffies(smp_ms));
	t0 = ktime_get_ns();
	for (i = 0; !t->err; i++) {
		if (!(i & 31)) {
			if (time_after_eq(jiffies, end))
				break;
			if (!(i & 1023))
				cond_resched();
		}
		if (unlikely(!kb_smp_step(t, n)))
			t->err = -ENOMEM;
	}
	t->ns = ktime_get_ns() - t0;
	t->ops = i;
	for (k = 0; k < n; k++)
		if (t->slot[k])
			r->a->free(&t->c, t->slot[k], 0);
	if (atomic_dec_and_test(&r->running))
		complete(&r->done);
	/* stay until kthread_stop() collects the thread */
	set_current_state(TASK_INTERRUPTIBLE);
	while (!kthread_should_stop()) {
		schedule();
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

static void kb_smp_run(const struct kb_alloc *a, struct kb_ctx *c, size_t lo,
		       size_t hi, unsigned int nthreads, unsigned int trial)
{
	struct kb_smp r = { .a = a, .lo = lo, .hi = hi, .nthreads = nthreads };
	struct kb_smp_thread *th;
	u64 ops = 0, rate = 0, ns = 0;
	unsigned int i = 0, cpu;
	int err = 0;

	th = kcalloc(nthreads, sizeof(*th), GFP_KERNEL);
	if (!th)
		return;
	atomic_set(&r.pending, nthreads);
	atomic_set(&r.started, 0);
	atomic_set(&r.running, nthreads);
	init_completion(&r.ready);
	init_completion(&r.go);
	init_completion(&r.done);
	for_each_online_cpu(cpu) {
		struct kb_smp_thread *t = &th[i];

		if (i == nthreads)
			break;
		t->run = &r;
		t->c = *c;
		t->c.rng = 0x9e3779b97f4a7c15ULL * (trial + 1) + 7919 * cpu + hi;
		t->slot = kvmalloc_array(smp_slots, sizeof(*t->slot),
					 GFP_KERNEL);
		if (!t->slot) {
			err = -ENOMEM;
			break;
		}
		t->task = kthread_create_on_cpu(kb_smp_fn, t, cpu,
						"talc_bench/%u");
		if (IS_ERR(t->task)) {
			err = PTR_ERR(t->task);
			t->task = NULL;
			break;
		}
		i++;
	}
	if (i < nthreads) {
		pr_warn("smp: %s: %u of %u threads started: %d\n", a->name, i,
			nthreads, err);
		goto out;	/* kthread_stop() of an unwoken thread: no run */
	}
	for (i = 0; i < nthreads; i++)
		wake_up_process(th[i].task);
	wait_for_completion(&r.ready);
	complete_all(&r.go);
	wait_for_completion(&r.done);
	for (i = 0; i < nthreads; i++) {
		struct kb_smp_thread *t = &th[i];

		if (t->err)
			err = t->err;
		ops += t->ops;
		ns = max(ns, t->ns);
		if (t->ns)
			rate += div64_u64(t->ops * NSEC_PER_SEC, t->ns);
	}
	/* allocator,lo,hi,threads,trial,ops,ops_per_s,ns,slots,init_on_alloc */
	if (err)
		pr_warn("smp: %s: allocation failed\n", a->name);
	else
		pr_info("csv,kernel-smp,%s,%zu,%zu,%u,%u,%llu,%llu,%llu,%u,%d\n",
			a->name, lo, hi, nthreads, trial, ops, rate, ns,
			smp_slots, want_init_on_alloc(GFP_KERNEL));
out:
	for (i = 0; i < nthreads; i++) {
		if (th[i].task)
			kthread_stop(th[i].task);
		kvfree(th[i].slot);
	}
	kfree(th);
}

/* One run of @a with @nthreads threads, on a fresh heap. */
static void kb_smp_one(const struct kb_alloc *a, struct kb_ctx *c, size_t lo,
		       size_t hi, unsigned int nthreads, unsigned int trial)
{
	if (a->setup(c)) {
		pr_warn("%s: setup failed\n", a->name);
		return;
	}
	kb_smp_run(a, c, lo, hi, nthreads, trial);
	a->teardown(c);
}

static void kb_smp(void)
{
	static const size_t range[2][2] = { { 8, 512 }, { 2048, 8192 } };
	unsigned int ncpu = num_online_cpus(), t, s, i;
	/* twice the largest live set: nothing ever grows or fails */
	struct kb_ctx c = {
		.arena_size = max_t(size_t, SZ_8M,
				    ALIGN(2ULL * ncpu * smp_slots * 8192, SZ_1M)),
	};

	pr_info("smp: %u online CPUs, %u slots per thread, %u ms, heap %zu MiB, init_on_alloc %d\n",
		ncpu, smp_slots, smp_ms, c.arena_size >> 20,
		want_init_on_alloc(GFP_KERNEL));
	/*
	 * Per allocator (gen_pool, with its own global lock, left out), "none"
	 * last: 1 thread on the first CPU, then one on every online CPU, back
	 * to back.
	 */
	for (t = 0; t < smp_trials; t++)
		for (s = 0; s < ARRAY_SIZE(range); s++)
			for (i = 0; i < KB_NR_ALLOCS; i++) {
				const struct kb_alloc *a = &kb_allocs[i];

				if (!(allocs & a->bit) ||
				    a->bit & (KB_GP_FIRST | KB_GP_BEST))
					continue;
				kb_smp_one(a, &c, range[s][0], range[s][1], 1,
					   t);
				if (ncpu > 1)
					kb_smp_one(a, &c, range[s][0],
						   range[s][1], ncpu, t);
			}
}

static int __init talc_bench_init(void)
{
	struct kb_ctx c = { .arena_size = (size_t)arena_mb << 20 };
	unsigned int i, t;

	if (!arena_mb || nr_max_sizes == 0)
		return -EINVAL;
	if ((run_mask & KB_SMP) && (!smp_slots || smp_slots > SZ_1M))
		return -EINVAL;
	if ((run_mask & KB_REGIONS) &&
	    (rs_block < 8 || rs_block > SZ_1M || !rs_live_mb || !rs_start_kb ||
	     (u64)rs_start_kb << 10 > (u64)rs_max_mb << 20 ||
	     rs_live_mb >= rs_max_mb))
		return -EINVAL;
	for (i = 0; i < nr_max_sizes; i++)
		if (max_sizes[i] < 17)
			return -EINVAL;
	if (kb_heap_name)	/* its cache setting is not ours to change */
		allocs &= ~KB_TALC_NOCACHE;
	c.live = vmalloc(KB_MAX_LIVE * sizeof(*c.live));
	if (!c.live)
		return -ENOMEM;
	pr_info("start: run_mask=%u allocs=%u arena=%u MiB duration=%u ms trials=%u cache_kb=%d op_split=%d\n",
		run_mask, allocs, arena_mb, duration_ms, trials, cache_kb, op_split);
	/* trials of different allocators interleaved: drift hits all alike */
	for (t = 0; (run_mask & KB_RANDOM) && t < trials; t++)
		for (i = 0; i < KB_NR_ALLOCS; i++)
			if (allocs & kb_allocs[i].bit)
				kb_random(&kb_allocs[i], &c, t);
	for (i = 0; i < KB_NR_ALLOCS; i++) {
		const struct kb_alloc *a = &kb_allocs[i];

		/* the harness alone has nothing to time nor to fill */
		if (!(allocs & a->bit) || a->bit == KB_NONE)
			continue;
		if (run_mask & KB_MICRO)
			kb_micro(a, &c);
		if ((run_mask & KB_HEAPEFF) && a->bit != KB_KMALLOC)
			kb_heapeff(a, &c);
	}
	/* both heaps in every trial, the first one alternating */
	for (t = 0; (run_mask & KB_REGIONS) && t < trials; t++)
		kb_regions(&c, t);
	if (run_mask & KB_SMP)
		kb_smp();
	vfree(c.live);
	pr_info("done\n");
	return 0;
}

static void __exit talc_bench_exit(void)
{
}

module_init(talc_bench_init);
module_exit(talc_bench_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("talc benchmark: talc heap vs gen_pool and kmalloc");
