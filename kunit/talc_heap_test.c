// SPDX-License-Identifier: GPL-2.0
/*
 * talc_heap_test.c - KUnit suite for the talc heap API (talc_heap.h): heap
 * life cycle, growth and its limits, GFP semantics, realloc, aligned
 * allocation, bad frees and reclaim of free regions.
 *
 * Every test creates its own heap and destroys it; .exit destroys a heap a
 * failed test left behind, and checks debug_locks (see talc_kunit.h).
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/err.h>
#include <linux/jiffies.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timer.h>
#include "../talc/talc_heap.h"
#include "../talc/talc_internal.h"	/* talc_heap_check() */
#include "talc_kunit.h"
#include "talc_pattern.h"

#define KT_KB		1024UL
#define KT_SIZE		(64 * KT_KB)

static struct talc_heap *kt_create(struct kunit *test, const char *name,
				   size_t size, size_t max_size)
{
	struct talc_kunit_ctx *ctx = test->priv;
	struct talc_heap *h = talc_heap_create(name, size, max_size);

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR_OR_NULL(h),
			       "talc_heap_create(%s, %zu, %zu) = %ld", name,
			       size, max_size, PTR_ERR(h));
	ctx->priv = h;
	return h;
}

static void kt_destroy(struct kunit *test, struct talc_heap *h)
{
	struct talc_kunit_ctx *ctx = test->priv;

	KUNIT_EXPECT_EQ(test, talc_heap_destroy(h), 0);
	ctx->priv = NULL;
}

static struct talc_stats kt_stats(struct kunit *test, struct talc_heap *h)
{
	struct talc_stats st;

	memset(&st, 0, sizeof(st));
	KUNIT_EXPECT_EQ(test, talc_heap_stats(h, &st), 0);
	return st;
}

/* The full consistency check of the heap's core, under its lock. */
static void kt_check(struct kunit *test, struct talc_heap *h)
{
	char msg[TALC_CHECK_MSG_LEN] = "";

	KUNIT_EXPECT_EQ_MSG(test, talc_heap_check(h, msg, sizeof(msg)), 0,
			    "heap %s: %s", talc_heap_name(h), msg);
}

static int kt_init(struct kunit *test)
{
	return talc_kunit_init(test);
}

static void kt_exit(struct kunit *test)
{
	struct talc_kunit_ctx *ctx = test->priv;

	if (ctx && ctx->priv) {
		int ret = talc_heap_destroy(ctx->priv);

		if (ret)
			kunit_info(test, "leftover heap not destroyed: %d\n",
				   ret);
	}
	talc_kunit_exit(test);
}

static void talc_heap_create_destroy_test(struct kunit *test)
{
	struct talc_heap *h = kt_create(test, "kt_basic", KT_SIZE, KT_SIZE);
	struct talc_stats st = kt_stats(test, h);

	KUNIT_EXPECT_STREQ(test, talc_heap_name(h), "kt_basic");
	KUNIT_EXPECT_EQ(test, st.region_count, (size_t)1);
	KUNIT_EXPECT_GE(test, st.claimed_bytes, KT_SIZE / 2);
	KUNIT_EXPECT_LE(test, st.claimed_bytes, KT_SIZE);
	KUNIT_EXPECT_EQ(test, st.allocation_count, (size_t)0);
	KUNIT_EXPECT_EQ(test, st.allocated_bytes, (size_t)0);
	KUNIT_EXPECT_GT(test, st.largest_free_chunk, KT_SIZE / 2);
	kt_destroy(test, h);
	/* The name is free again once the heap is gone. */
	h = kt_create(test, "kt_basic", KT_SIZE, 2 * KT_SIZE);
	kt_destroy(test, h);
}

struct kt_bad_create {
	const char *desc;
	const char *name;
	size_t size;
	size_t max_size;
};

static const struct kt_bad_create kt_bad_creates[] = {
	{ "empty name", "", KT_SIZE, KT_SIZE },
	{ "32-char name", "abcdefghijklmnopqrstuvwxyz012345", KT_SIZE, KT_SIZE },
	{ "space in name", "kt bad", KT_SIZE, KT_SIZE },
	{ "slash in name", "kt/bad", KT_SIZE, KT_SIZE },
	{ "dot in name", "kt.bad", KT_SIZE, KT_SIZE },
	{ "zero size", "kt_zero", 0, KT_SIZE },
	{ "max below size", "kt_max", 2 * KT_SIZE, KT_SIZE },
};

static void kt_bad_create_desc(const struct kt_bad_create *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(kt_bad_create, kt_bad_creates, kt_bad_create_desc);

static void talc_heap_create_invalid_test(struct kunit *test)
{
	const struct kt_bad_create *c = test->param_value;
	struct talc_heap *h = talc_heap_create(c->name, c->size, c->max_size);

	KUNIT_EXPECT_TRUE(test, IS_ERR(h));
	if (!IS_ERR_OR_NULL(h)) {
		talc_heap_destroy(h);
		return;
	}
	KUNIT_EXPECT_EQ(test, PTR_ERR(h), -EINVAL);
	/* Nothing was left behind under that name. */
	if (c->name[0] && strlen(c->name) <= TALC_NAME_MAX)
		KUNIT_EXPECT_TRUE(test, IS_ERR_OR_NULL(talc_heap_get(c->name)));
}

static void talc_heap_create_limits_test(struct kunit *test)
{
	static const char name31[] = "abcdefghijklmnopqrstuvwxyz01234";
	struct talc_heap *h, *dup;

	KUNIT_ASSERT_EQ(test, strlen(name31), (size_t)TALC_NAME_MAX);
	h = kt_create(test, name31, KT_SIZE, KT_SIZE);
	KUNIT_EXPECT_STREQ(test, talc_heap_name(h), name31);
	dup = talc_heap_create(name31, KT_SIZE, KT_SIZE);
	KUNIT_EXPECT_TRUE(test, IS_ERR(dup));
	if (IS_ERR(dup))
		KUNIT_EXPECT_EQ(test, PTR_ERR(dup), -EEXIST);
	else if (dup)
		talc_heap_destroy(dup);
	kt_destroy(test, h);
}

static void talc_heap_get_put_test(struct kunit *test)
{
	struct talc_heap *h = kt_create(test, "kt_getput", KT_SIZE, KT_SIZE);
	struct talc_heap *g, *g2;

	g = talc_heap_get("kt_getput");
	KUNIT_ASSERT_PTR_EQ(test, g, h);
	g2 = talc_heap_get("kt_getput");
	KUNIT_ASSERT_PTR_EQ(test, g2, h);
	/* References keep it alive. */
	KUNIT_EXPECT_EQ(test, talc_heap_destroy(h), -EBUSY);
	talc_heap_put(g2);
	KUNIT_EXPECT_EQ(test, talc_heap_destroy(h), -EBUSY);
	/* Still usable after a refused destroy. */
	talc_free(h, talc_alloc(h, 64, GFP_KERNEL));
	talc_heap_put(g);
	kt_destroy(test, h);
	KUNIT_EXPECT_TRUE(test, IS_ERR_OR_NULL(talc_heap_get("kt_getput")));
	KUNIT_EXPECT_TRUE(test, IS_ERR_OR_NULL(talc_heap_get("kt_nosuchheap")));
}

static void talc_heap_destroy_busy_test(struct kunit *test)
{
	struct talc_heap *h = kt_create(test, "kt_busy", KT_SIZE, KT_SIZE);
	void *p, *q;

	p = talc_alloc(h, 100, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	talc_pattern_fill(p, 100, 1);
	KUNIT_EXPECT_EQ(test, talc_heap_destroy(h), -EBUSY);
	/* Unchanged and still usable. */
	KUNIT_EXPECT_TRUE(test, talc_pattern_ok(p, 100, 1));
	KUNIT_EXPECT_EQ(test, kt_stats(test, h).allocation_count, (size_t)1);
	q = talc_alloc(h, 200, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, q);
	talc_free(h, p);
	KUNIT_EXPECT_EQ(test, talc_heap_destroy(h), -EBUSY);
	talc_free(h, q);
	kt_destroy(test, h);
}

static void talc_heap_alloc_free_test(struct kunit *test)
{
	struct talc_heap *h = kt_create(test, "kt_allocfree", KT_SIZE, KT_SIZE);
	struct talc_stats st0 = kt_stats(test, h), st;
	void *p, *q;

	p = talc_alloc(h, 100, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, (unsigned long)p % TALC_ALIGN, 0UL);
	KUNIT_EXPECT_GE(test, talc_usable_size(h, p), (size_t)100);
	talc_pattern_fill(p, talc_usable_size(h, p), 3);
	q = talc_alloc(h, 1000, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	talc_pattern_fill(q, 1000, 4);
	KUNIT_EXPECT_TRUE(test, talc_pattern_ok(p, talc_usable_size(h, p), 3));
	st = kt_stats(test, h);
	KUNIT_EXPECT_EQ(test, st.allocation_count, (size_t)2);
	KUNIT_EXPECT_EQ(test, st.allocated_bytes, (size_t)1100);
	KUNIT_EXPECT_EQ(test, st.total_allocation_count,
			st0.total_allocation_count + 2);
	KUNIT_EXPECT_LT(test, st.available_bytes, st0.available_bytes);
	talc_free(h, p);
	KUNIT_EXPECT_TRUE(test, talc_pattern_ok(q, 1000, 4));
	talc_free(h, q);
	talc_free(h, NULL);
	st = kt_stats(test, h);
	KUNIT_EXPECT_EQ(test, st.allocation_count, (size_t)0);
	KUNIT_EXPECT_EQ(test, st.allocated_bytes, (size_t)0);
	KUNIT_EXPECT_EQ(test, st.available_bytes, st0.available_bytes);
	KUNIT_EXPECT_EQ(test, st.bad_frees, 0ULL);
	KUNIT_EXPECT_GE(test, st.peak_allocated_bytes, (size_t)1100);
	kt_destroy(test, h);
}

static void talc_heap_zero_size_test(struct kunit *test)
{
	struct talc_heap *h = kt_create(test, "kt_zerosize", KT_SIZE, KT_SIZE);
	void *p = talc_alloc(h, 0, GFP_KERNEL);

	/* Whatever a zero-size allocation returns, freeing it is fine. */
	talc_free(h, p);
	KUNIT_EXPECT_EQ(test, kt_stats(test, h).bad_frees, 0ULL);
	KUNIT_EXPECT_EQ(test, kt_stats(test, h).allocation_count, (size_t)0);
	kt_destroy(test, h);
}

static void talc_heap_grow_test(struct kunit *test)
{
	const size_t max = 1024 * KT_KB, chunk = 192 * KT_KB;
	struct talc_heap *h = kt_create(test, "kt_grow", KT_SIZE, max);
	void *p[16];
	struct talc_stats st;
	int n, i;

	/* Bigger than the first region: needs a new one. */
	p[0] = talc_alloc(h, chunk, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p[0]);
	talc_pattern_fill(p[0], chunk, 9);
	st = kt_stats(test, h);
	KUNIT_EXPECT_GE(test, st.region_count, (size_t)2);
	KUNIT_EXPECT_LE(test, st.claimed_bytes, max);
	/* Grow until max_size stops it. */
	for (n = 1; n < ARRAY_SIZE(p); n++) {
		p[n] = talc_alloc(h, chunk, GFP_KERNEL);
		if (!p[n])
			break;
		talc_pattern_fill(p[n], chunk, 9 + n);
	}
	KUNIT_EXPECT_LT(test, n, (int)ARRAY_SIZE(p));
	KUNIT_EXPECT_GE(test, n, 3);
	st = kt_stats(test, h);
	KUNIT_EXPECT_LE(test, st.claimed_bytes, max);
	KUNIT_EXPECT_GE(test, st.failed_allocations, 1ULL);
	KUNIT_EXPECT_EQ(test, st.allocation_count, (size_t)n);
	kt_check(test, h);
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_TRUE(test, talc_pattern_ok(p[i], chunk, 9 + i));
		talc_free(h, p[i]);
	}
	KUNIT_EXPECT_EQ(test, kt_stats(test, h).allocation_count, (size_t)0);
	kt_destroy(test, h);
}

struct kt_gfp {
	const char *desc;
	gfp_t gfp;
};

static const struct kt_gfp kt_nogrow_gfps[] = {
	{ "GFP_ATOMIC", GFP_ATOMIC },
	{ "GFP_NOWAIT", GFP_NOWAIT },
};

static void kt_gfp_desc(const struct kt_gfp *g, char *desc)
{
	strscpy(desc, g->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(kt_nogrow, kt_nogrow_gfps, kt_gfp_desc);

static void talc_heap_nogrow_test(struct kunit *test)
{
	const struct kt_gfp *g = test->param_value;
	struct talc_heap *h = kt_create(test, "kt_nogrow", KT_SIZE,
					1024 * KT_KB);
	struct talc_stats st0 = kt_stats(test, h), st;
	void *p;

	/* Does not fit the first region and must not vmalloc. */
	p = talc_alloc(h, 2 * KT_SIZE, g->gfp);
	KUNIT_EXPECT_NULL(test, p);
	st = kt_stats(test, h);
	KUNIT_EXPECT_EQ(test, st.region_count, st0.region_count);
	KUNIT_EXPECT_EQ(test, st.claimed_bytes, st0.claimed_bytes);
	KUNIT_EXPECT_EQ(test, st.failed_allocations,
			st0.failed_allocations + 1);
	talc_free(h, p);
	/* What fits is served. */
	p = talc_alloc(h, 1000, g->gfp);
	KUNIT_EXPECT_NOT_NULL(test, p);
	talc_free(h, p);
	/* The same request may grow the heap when blocking is allowed. */
	p = talc_alloc(h, 2 * KT_SIZE, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, p);
	talc_free(h, p);
	kt_destroy(test, h);
}

struct kt_timer_ctx {
	struct timer_list timer;
	struct completion done;
	struct talc_heap *heap;
	int ok;
};

static void kt_timer_fn(struct timer_list *t)
{
	struct kt_timer_ctx *c = from_timer(c, t, timer);
	void *p = talc_alloc(c->heap, 256, GFP_ATOMIC);
	void *q = talc_alloc_aligned(c->heap, 64, 256, GFP_ATOMIC | __GFP_ZERO);

	c->ok = p && q && !((unsigned long)q & 255);
	if (p)
		p = talc_realloc(c->heap, p, 512, GFP_ATOMIC);
	talc_free(c->heap, p);
	talc_free(c->heap, q);
	complete(&c->done);
}

/* Allocation from softirq context, with process-context users too. */
static void talc_heap_softirq_test(struct kunit *test)
{
	struct talc_heap *h = kt_create(test, "kt_softirq", KT_SIZE, KT_SIZE);
	struct kt_timer_ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	void *p;

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->heap = h;
	init_completion(&c->done);
	p = talc_alloc(h, 128, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	timer_setup_on_stack(&c->timer, kt_timer_fn, 0);
	mod_timer(&c->timer, jiffies + 1);
	KUNIT_EXPECT_GT(test, wait_for_completion_timeout(&c->done, 10 * HZ),
			0UL);
	del_timer_sync(&c->timer);
	destroy_timer_on_stack(&c->timer);
	KUNIT_EXPECT_EQ(test, c->ok, 1);
	talc_free(h, p);
	KUNIT_EXPECT_EQ(test, kt_stats(test, h).allocation_count, (size_t)0);
	kt_destroy(test, h);
}

static const size_t kt_zero_sizes[] = { 8, 24, 100, 1000, 4096, 40000 };

static void kt_zero_desc(const size_t *s, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "size=%zu", *s);
}

KUNIT_ARRAY_PARAM(kt_zero, kt_zero_sizes, kt_zero_desc);

static bool kt_all_zero(const void *p, size_t n)
{
	return !memchr_inv(p, 0, n);
}

static void talc_heap_gfp_zero_test(struct kunit *test)
{
	size_t size = *(const size_t *)test->param_value;
	struct talc_heap *h = kt_create(test, "kt_gfpzero", KT_SIZE,
					4 * KT_SIZE);
	void *p, *q;

	/* Dirty the memory first, so zeroes are not there by chance. */
	p = talc_alloc(h, size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	memset(p, 0xa5, talc_usable_size(h, p));
	talc_free(h, p);
	p = talc_alloc(h, size, GFP_KERNEL | __GFP_ZERO);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_TRUE(test, kt_all_zero(p, size));
	memset(p, 0x5a, size);
	talc_free(h, p);
	q = talc_alloc_aligned(h, size, 64, GFP_KERNEL | __GFP_ZERO);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_TRUE(test, kt_all_zero(q, size));
	talc_free(h, q);
	/* In a freshly grown region too. */
	q = talc_alloc(h, KT_SIZE + size, GFP_KERNEL | __GFP_ZERO);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_TRUE(test, kt_all_zero(q, KT_SIZE + size));
	talc_free(h, q);
	kt_destroy(test, h);
}

static void talc_heap_realloc_test(struct kunit *test)
{
	struct talc_heap *h = kt_create(test, "kt_realloc", KT_SIZE,
					512 * KT_KB);
	struct talc_stats st;
	void *p, *q;

	/* NULL acts as alloc. */
	p = talc_realloc(h, NULL, 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	talc_pattern_fill(p, 64, 21);
	/* Grow, shrink: contents kept up to the smaller size. */
	p = talc_realloc(h, p, 4096, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_TRUE(test, talc_pattern_ok(p, 64, 21));
	KUNIT_EXPECT_GE(test, talc_usable_size(h, p), (size_t)4096);
	talc_pattern_fill(p, 4096, 22);
	p = talc_realloc(h, p, 16, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_TRUE(test, talc_pattern_ok(p, 16, 22));
	KUNIT_EXPECT_EQ(test, kt_stats(test, h).allocated_bytes, (size_t)16);
	/* Beyond the first region: the heap grows, contents move along. */
	p = talc_realloc(h, p, 2 * KT_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_TRUE(test, talc_pattern_ok(p, 16, 22));
	talc_pattern_fill(p, 2 * KT_SIZE, 23);
	/* Too big: NULL, the old block untouched and still owned. */
	q = talc_realloc(h, p, 1024 * KT_KB, GFP_KERNEL);
	KUNIT_EXPECT_NULL(test, q);
	KUNIT_EXPECT_TRUE(test, talc_pattern_ok(p, 2 * KT_SIZE, 23));
	KUNIT_EXPECT_EQ(test, kt_stats(test, h).allocation_count, (size_t)1);
	/* No blocking: cannot grow past the current regions. */
	q = talc_realloc(h, p, 6 * KT_SIZE, GFP_ATOMIC);
	if (q)
		p = q;
	KUNIT_EXPECT_TRUE(test, talc_pattern_ok(p, 2 * KT_SIZE, 23));
	/* Size 0 frees (krealloc semantics). */
	q = talc_realloc(h, p, 0, GFP_KERNEL);
	KUNIT_EXPECT_TRUE(test, ZERO_OR_NULL_PTR(q));
	st = kt_stats(test, h);
	KUNIT_EXPECT_EQ(test, st.allocation_count, (size_t)0);
	KUNIT_EXPECT_EQ(test, st.bad_frees, 0ULL);
	kt_destroy(test, h);
}

static const size_t kt_aligns[] = {
	8, 16, 32, 64, 128, 256, 512, 1024, 4096, 8192, 65536,
};

static void kt_align_desc(const size_t *a, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "align=%zu", *a);
}

KUNIT_ARRAY_PARAM(kt_align, kt_aligns, kt_align_desc);

static void talc_heap_aligned_test(struct kunit *test)
{
	size_t align = *(const size_t *)test->param_value;
	struct talc_heap *h = kt_create(test, "kt_aligned", KT_SIZE,
					512 * KT_KB);
	static const size_t sizes[] = { 1, 24, 100, 3000 };
	void *p[ARRAY_SIZE(sizes)], *r;
	int i;

	/* Offset the heap so alignment is not free. */
	r = talc_alloc(h, 40, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		p[i] = talc_alloc_aligned(h, sizes[i], align, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
		KUNIT_EXPECT_EQ(test, (unsigned long)p[i] & (align - 1), 0UL);
		KUNIT_EXPECT_GE(test, talc_usable_size(h, p[i]), sizes[i]);
		talc_pattern_fill(p[i], sizes[i], i);
	}
	/* realloc keeps the alignment (when it moves) */
	p[0] = talc_realloc(h, p[0], 20000, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p[0]);
	KUNIT_EXPECT_EQ(test, (unsigned long)p[0] & (align - 1), 0UL);
	KUNIT_EXPECT_TRUE(test, talc_pattern_ok(p[0], sizes[0], 0));
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		KUNIT_EXPECT_TRUE(test, talc_pattern_ok(p[i], sizes[i], i));
		talc_free(h, p[i]);
	}
	talc_free(h, r);
	KUNIT_EXPECT_EQ(test, kt_stats(test, h).allocation_count, (size_t)0);
	KUNIT_EXPECT_EQ(test, kt_stats(test, h).bad_frees, 0ULL);
	kt_destroy(test, h);
}

static void talc_heap_aligned_invalid_test(struct kunit *test)
{
	struct talc_heap *h = kt_create(test, "kt_badalign", KT_SIZE, KT_SIZE);
	static const size_t bad[] = { 0, 3, 24, 4095, 65537 };
	int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		void *p = talc_alloc_aligned(h, 64, bad[i], GFP_KERNEL);

		KUNIT_EXPECT_NULL_MSG(test, p, "align=%zu", bad[i]);
		talc_free(h, p);
	}
	/* Bigger than the heap may ever get. */
	KUNIT_EXPECT_NULL(test, talc_alloc_aligned(h, 64, 1UL << 20,
						   GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, talc_alloc(h, SIZE_MAX, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, talc_alloc(h, SIZE_MAX - 4096, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, kt_stats(test, h).allocation_count, (size_t)0);
	kt_destroy(test, h);
}

enum kt_bad_kind {
	KT_BAD_DOUBLE,
	KT_BAD_OUTSIDE,
	KT_BAD_INTERIOR,
	KT_BAD_MISALIGNED,
	KT_BAD_IN_FREE,
	KT_BAD_OTHER_HEAP,
};

static const char * const kt_bad_names[] = {
	"double free", "outside every region", "interior pointer",
	"misaligned pointer", "into a free chunk", "from another heap",
};

static const int kt_bad_kinds[] = {
	KT_BAD_DOUBLE, KT_BAD_OUTSIDE, KT_BAD_INTERIOR, KT_BAD_MISALIGNED,
	KT_BAD_IN_FREE, KT_BAD_OTHER_HEAP,
};

static void kt_bad_desc(const int *k, char *desc)
{
	strscpy(desc, kt_bad_names[*k], KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(kt_bad, kt_bad_kinds, kt_bad_desc);

static void talc_heap_bad_free_test(struct kunit *test)
{
	int kind = *(const int *)test->param_value;
	struct talc_heap *h = kt_create(test, "kt_badfree", KT_SIZE, KT_SIZE);
	struct talc_stats st_init = kt_stats(test, h), st0, st;
	struct talc_heap *other = NULL;
	void *a, *b, *c, *bad = NULL, *ext = NULL;

	a = talc_alloc(h, 256, GFP_KERNEL);
	b = talc_alloc(h, 1024, GFP_KERNEL);
	c = talc_alloc(h, 256, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, a && b && c);
	talc_pattern_fill(a, 256, 31);
	talc_pattern_fill(c, 256, 33);

	switch (kind) {
	case KT_BAD_DOUBLE:
		talc_free(h, b);
		bad = b;
		b = NULL;
		break;
	case KT_BAD_OUTSIDE:
		ext = kmalloc(64, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, ext);
		bad = ext;
		break;
	case KT_BAD_INTERIOR:
		bad = (char *)b + 64;
		break;
	case KT_BAD_MISALIGNED:
		bad = (char *)b + 1;
		break;
	case KT_BAD_IN_FREE:
		talc_free(h, b);
		bad = (char *)b + 256;
		b = NULL;
		break;
	case KT_BAD_OTHER_HEAP:
		other = talc_heap_create("kt_badfree2", KT_SIZE, KT_SIZE);
		KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(other));
		bad = talc_alloc(other, 128, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, bad);
		break;
	}
	st0 = kt_stats(test, h);
	talc_free(h, bad);
	st = kt_stats(test, h);
	KUNIT_EXPECT_EQ(test, st.bad_frees, st0.bad_frees + 1);
	KUNIT_EXPECT_EQ(test, st.available_bytes, st0.available_bytes);
	KUNIT_EXPECT_EQ(test, st.allocation_count, st0.allocation_count);
	KUNIT_EXPECT_EQ(test, st.allocated_bytes, st0.allocated_bytes);
	KUNIT_EXPECT_EQ(test, st.fragment_count, st0.fragment_count);
	kt_check(test, h);
	/* The same bad pointer through realloc is refused too. */
	if (kind != KT_BAD_DOUBLE && kind != KT_BAD_IN_FREE) {
		KUNIT_EXPECT_NULL(test, talc_realloc(h, bad, 64, GFP_KERNEL));
		st = kt_stats(test, h);
		KUNIT_EXPECT_EQ(test, st.bad_frees, st0.bad_frees + 2);
		KUNIT_EXPECT_EQ(test, st.allocation_count,
				st0.allocation_count);
	}
	/* Neighbours intact, heap still works, everything frees cleanly. */
	KUNIT_EXPECT_TRUE(test, talc_pattern_ok(a, 256, 31));
	KUNIT_EXPECT_TRUE(test, talc_pattern_ok(c, 256, 33));
	talc_free(h, talc_alloc(h, 2000, GFP_KERNEL));
	talc_free(h, a);
	talc_free(h, b);
	talc_free(h, c);
	st = kt_stats(test, h);
	KUNIT_EXPECT_EQ(test, st.allocation_count, (size_t)0);
	KUNIT_EXPECT_EQ(test, st.available_bytes, st_init.available_bytes);
	kt_check(test, h);
	kfree(ext);
	if (other) {
		KUNIT_EXPECT_EQ(test, kt_stats(test, other).bad_frees, 0ULL);
		talc_free(other, bad);
		KUNIT_EXPECT_EQ(test, talc_heap_destroy(other), 0);
	}
	kt_destroy(test, h);
}

static void talc_heap_reclaim_test(struct kunit *test)
{
	const size_t chunk = 200 * KT_KB, max = 4096 * KT_KB;
	struct talc_heap *h = kt_create(test, "kt_reclaim", KT_SIZE, max);
	struct talc_stats st0 = kt_stats(test, h), st;
	void *p[16];
	int i, n = 0;

	for (i = 0; i < ARRAY_SIZE(p); i++) {
		p[i] = talc_alloc(h, chunk, GFP_KERNEL);
		if (p[i])
			n++;
	}
	KUNIT_EXPECT_EQ(test, n, (int)ARRAY_SIZE(p));
	st = kt_stats(test, h);
	KUNIT_EXPECT_GT(test, st.region_count, (size_t)1);
	KUNIT_EXPECT_GT(test, st.claimed_bytes, (size_t)ARRAY_SIZE(p) * chunk);
	for (i = 0; i < ARRAY_SIZE(p); i++)
		talc_free(h, p[i]);
	/* Fully free regions beyond the first are given back. */
	st = kt_stats(test, h);
	KUNIT_EXPECT_EQ(test, st.allocation_count, (size_t)0);
	KUNIT_EXPECT_EQ(test, st.region_count, (size_t)1);
	KUNIT_EXPECT_EQ(test, st.claimed_bytes, st0.claimed_bytes);
	KUNIT_EXPECT_EQ(test, st.available_bytes, st0.available_bytes);
	KUNIT_EXPECT_GE(test, st.total_region_count, 2ULL);
	kt_check(test, h);
	/* And the heap can grow again afterwards. */
	p[0] = talc_alloc(h, chunk, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, p[0]);
	talc_free(h, p[0]);
	kt_destroy(test, h);
}

/* The debugfs tunables, through the functions debugfs calls. */
static void talc_heap_tunables_test(struct kunit *test)
{
	const size_t chunk = 256 * KT_KB;
	struct talc_heap *h = kt_create(test, "kt_tunables", KT_SIZE,
					1024 * KT_KB);
	void *p;

	/* max_size: never below the first region; growth obeys it. */
	KUNIT_EXPECT_EQ(test, talc_heap_set_max_size(h, KT_SIZE / 2), -EINVAL);
	KUNIT_EXPECT_EQ(test, talc_heap_set_max_size(h, 2 * KT_SIZE), 0);
	KUNIT_EXPECT_NULL(test, talc_alloc(h, chunk, GFP_KERNEL));
	KUNIT_EXPECT_LE(test, kt_stats(test, h).claimed_bytes, 2 * KT_SIZE);
	KUNIT_EXPECT_EQ(test, talc_heap_set_max_size(h, 1024 * KT_KB), 0);
	p = talc_alloc(h, chunk, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_GE(test, kt_stats(test, h).region_count, (size_t)2);

	/* reclaim_threshold: at most max_size; idle regions stay while the
	 * free bytes are within it, and go once it is lowered.
	 */
	KUNIT_EXPECT_EQ(test,
			talc_heap_set_reclaim_threshold(h, 2048 * KT_KB),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, talc_heap_set_reclaim_threshold(h, 1024 * KT_KB),
			0);
	talc_free(h, p);
	KUNIT_EXPECT_GE(test, kt_stats(test, h).region_count, (size_t)2);
	kt_check(test, h);
	KUNIT_EXPECT_EQ(test, talc_heap_set_reclaim_threshold(h, 0), 0);
	KUNIT_EXPECT_EQ(test, kt_stats(test, h).region_count, (size_t)1);
	KUNIT_EXPECT_LE(test, kt_stats(test, h).claimed_bytes, KT_SIZE);
	kt_check(test, h);
	kt_destroy(test, h);
}

/* Poisoning through the heap: a write after free is counted on reuse. */
static void talc_heap_poison_test(struct kunit *test)
{
	struct talc_heap *h = kt_create(test, "kt_poison", KT_SIZE, KT_SIZE);
	char *a, *p, *c, *q;

	talc_heap_set_poison(h, true);
	a = talc_alloc(h, 200, GFP_KERNEL);
	p = talc_alloc(h, 200, GFP_KERNEL);
	c = talc_alloc(h, 200, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, a && p && c);
	talc_free(h, p);
	KUNIT_EXPECT_EQ(test, kt_stats(test, h).poison_errors, 0ULL);
	p[50] = 1;			/* write after free */
	q = talc_alloc(h, 200, GFP_KERNEL);
	KUNIT_ASSERT_PTR_EQ(test, q, p);	/* exact fit: the same chunk */
	KUNIT_EXPECT_EQ(test, kt_stats(test, h).poison_errors, 1ULL);
	KUNIT_EXPECT_EQ(test, kt_stats(test, h).bad_frees, 0ULL);
	talc_free(h, a);
	talc_free(h, q);
	talc_free(h, c);
	kt_check(test, h);
	talc_heap_set_poison(h, false);
	kt_destroy(test, h);
}

/*
 * Heaps from the heaps= parameter: scripts/kunit.sh boots the UML kernel
 * with talc_heap.heaps=kt_boot:64K,kt_boot2:128K:1M (the built-in
 * parameter's name; talc.heaps= for the module).
 */
static void talc_heap_param_test(struct kunit *test)
{
	struct talc_heap *h = talc_heap_get("kt_boot");
	struct talc_heap *h2 = talc_heap_get("kt_boot2");
	struct talc_stats st;
	void *p;

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR_OR_NULL(h),
			       "no heap kt_boot: boot with talc_heap.heaps=kt_boot:64K,kt_boot2:128K:1M");
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(h2));
	KUNIT_EXPECT_STREQ(test, talc_heap_name(h), "kt_boot");
	st = kt_stats(test, h);
	KUNIT_EXPECT_EQ(test, st.region_count, (size_t)1);
	KUNIT_EXPECT_LE(test, st.claimed_bytes, 64 * KT_KB);
	/* max = size: cannot grow */
	KUNIT_EXPECT_NULL(test, talc_alloc(h, 64 * KT_KB, GFP_KERNEL));
	p = talc_alloc(h, 1000, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, p);
	talc_free(h, p);
	/* kt_boot2 grows up to 1M */
	p = talc_alloc(h2, 512 * KT_KB, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, p);
	KUNIT_EXPECT_LE(test, kt_stats(test, h2).claimed_bytes, 1024 * KT_KB);
	talc_free(h2, p);
	KUNIT_EXPECT_NULL(test, talc_alloc(h2, 1024 * KT_KB, GFP_KERNEL));
	/* The module owns them: still busy while we hold a reference. */
	KUNIT_EXPECT_NE(test, talc_heap_destroy(h), 0);
	kt_check(test, h);
	kt_check(test, h2);
	talc_heap_put(h2);
	talc_heap_put(h);
}

/* A mixed workload with patterns, checked at the end. */
static void talc_heap_mixed_test(struct kunit *test)
{
	struct talc_heap *h = kt_create(test, "kt_mixed", KT_SIZE,
					2048 * KT_KB);
	const int n = 256;
	void **p = kunit_kcalloc(test, n, sizeof(*p), GFP_KERNEL);
	size_t *sz = kunit_kcalloc(test, n, sizeof(*sz), GFP_KERNEL);
	u32 seed = 12345;
	int i, round;

	KUNIT_ASSERT_TRUE(test, p && sz);
	for (round = 0; round < 4 * n; round++) {
		seed = seed * 1103515245 + 12345;
		i = (seed >> 8) % n;
		if (p[i]) {
			if (!talc_pattern_ok(p[i], sz[i], i)) {
				KUNIT_FAIL(test, "pattern lost in block %d", i);
				break;
			}
			if (seed & 1) {
				talc_free(h, p[i]);
				p[i] = NULL;
				continue;
			}
			sz[i] = 1 + (seed >> 16) % 3000;
			p[i] = talc_realloc(h, p[i], sz[i], GFP_KERNEL);
		} else {
			sz[i] = 1 + (seed >> 16) % 3000;
			p[i] = (seed & 2) ?
			       talc_alloc_aligned(h, sz[i], 8UL << (seed % 6),
						  GFP_KERNEL) :
			       talc_alloc(h, sz[i], GFP_KERNEL);
		}
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
		talc_pattern_fill(p[i], sz[i], i);
	}
	for (i = 0; i < n; i++) {
		if (p[i])
			KUNIT_EXPECT_TRUE(test, talc_pattern_ok(p[i], sz[i], i));
		talc_free(h, p[i]);
	}
	KUNIT_EXPECT_EQ(test, kt_stats(test, h).allocation_count, (size_t)0);
	KUNIT_EXPECT_EQ(test, kt_stats(test, h).allocated_bytes, (size_t)0);
	KUNIT_EXPECT_EQ(test, kt_stats(test, h).bad_frees, 0ULL);
	kt_check(test, h);
	kt_destroy(test, h);
}

static struct kunit_case talc_heap_test_cases[] = {
	KUNIT_CASE(talc_heap_create_destroy_test),
	KUNIT_CASE_PARAM(talc_heap_create_invalid_test,
			 kt_bad_create_gen_params),
	KUNIT_CASE(talc_heap_create_limits_test),
	KUNIT_CASE(talc_heap_get_put_test),
	KUNIT_CASE(talc_heap_destroy_busy_test),
	KUNIT_CASE(talc_heap_alloc_free_test),
	KUNIT_CASE(talc_heap_zero_size_test),
	KUNIT_CASE(talc_heap_grow_test),
	KUNIT_CASE_PARAM(talc_heap_nogrow_test, kt_nogrow_gen_params),
	KUNIT_CASE(talc_heap_softirq_test),
	KUNIT_CASE_PARAM(talc_heap_gfp_zero_test, kt_zero_gen_params),
	KUNIT_CASE(talc_heap_realloc_test),
	KUNIT_CASE_PARAM(talc_heap_aligned_test, kt_align_gen_params),
	KUNIT_CASE(talc_heap_aligned_invalid_test),
	KUNIT_CASE_PARAM(talc_heap_bad_free_test, kt_bad_gen_params),
	KUNIT_CASE(talc_heap_reclaim_test),
	KUNIT_CASE(talc_heap_tunables_test),
	KUNIT_CASE(talc_heap_poison_test),
	KUNIT_CASE(talc_heap_param_test),
	KUNIT_CASE(talc_heap_mixed_test),
	{}
};

static struct kunit_suite talc_heap_test_suite = {
	.name = "talc_heap",
	.init = kt_init,
	.exit = kt_exit,
	.test_cases = talc_heap_test_cases,
};

kunit_test_suite(talc_heap_test_suite);

MODULE_DESCRIPTION("KUnit tests for the talc heap API");
MODULE_LICENSE("GPL");
