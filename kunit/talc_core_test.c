// SPDX-License-Identifier: GPL-2.0
/*
 * talc_core_test.c - unit tests of the allocator core (talc/talc.c).
 *
 * The same file runs as the KUnit suite "talc_core" in a UML kernel and, with
 * the KUnit stand-in of tools/include/kunit/test.h, in userspace under ASan
 * and UBSan (make unit).  Memory for regions and for the region index comes
 * from kunit_kzalloc(), so it is released when each case ends.
 *
 * Most cases check exact coalescing, so the fixture turns quick lists off;
 * the quick_* cases and the random stress run with them on.  More than
 * TALC_INDEX_INLINE regions need a larger region index: claim_grow() is
 * the owner's side of that protocol (talc_claim() -> -ENOSPC ->
 * talc_index_bytes() -> talc_set_index() -> talc_claim()).
 *
 * The tests know the chunk layout documented in talc.c (one header word in
 * front of each payload; a free chunk holds next/prev links after its header
 * and a footer at its end; a region starts with a head whose last word is a
 * sentinel and ends with a sentinel word): the corruption and bad-pointer
 * cases rely on it.  Only the corruption cases touch struct talc's fields.
 */
#include <kunit/test.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include "../talc/talc.h"
#include "talc_pattern.h"

/*
 * In userspace under ASan the gaps between the regions of one buffer are
 * poisoned, so a core that reads outside its regions is caught.
 */
#if defined(__SANITIZE_ADDRESS__) && !defined(__KERNEL__)
#include <sanitizer/asan_interface.h>
#define gap_poison(p, n)	ASAN_POISON_MEMORY_REGION(p, n)
#define gap_unpoison(p, n)	ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define gap_poison(p, n)	do { (void)(p); (void)(n); } while (0)
#define gap_unpoison(p, n)	do { (void)(p); (void)(n); } while (0)
#endif

#define ARENA_SIZE	(256 * 1024)
#define NR_EVENTS	(TALC_EV_CORRUPT + 1)
/* Bytes of a region head: talc_region_overhead() less sentinel and padding. */
#define REGION_HEAD	(talc_region_overhead() - TALC_ALIGN - 2 * (TALC_ALIGN - 1))

struct fixture {
	struct talc t;
	unsigned int events[NR_EVENTS];
	const void *last_addr;
	const char *last_what;
	/* the region index given last (NULL: the built-in one) */
	void *index;
	size_t index_bytes;
	unsigned int index_grows;
};

static void record_report(void *data, enum talc_event ev, const void *addr,
			  const char *what)
{
	struct fixture *f = data;

	f->events[ev]++;
	f->last_addr = addr;
	f->last_what = what;
}

static int core_init(struct kunit *test)
{
	struct fixture *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);

	if (!f)
		return -ENOMEM;
	talc_init(&f->t);
	if (talc_set_quick_depth(&f->t, 0))
		return -EINVAL;
	talc_set_report(&f->t, record_report, f);
	test->priv = f;
	return 0;
}

static struct talc *T(struct kunit *test)
{
	return &((struct fixture *)test->priv)->t;
}

static struct fixture *F(struct kunit *test)
{
	return test->priv;
}

static unsigned int events(struct kunit *test, enum talc_event ev)
{
	return F(test)->events[ev];
}

/*
 * talc_claim() for the fixture's talc, giving it a larger region index
 * when it asks for one (-ENOSPC).  The index it gave up is scribbled over,
 * so a core that kept using it would trip its own checks.
 */
static int claim_grow(struct kunit *test, void *base, size_t size)
{
	struct fixture *f = F(test);
	int ret = talc_claim(&f->t, base, size);
	size_t bytes;
	void *mem, *old;

	if (ret != -ENOSPC)
		return ret;
	bytes = talc_index_bytes(&f->t);
	KUNIT_ASSERT_GT(test, bytes, 0);
	mem = kunit_kzalloc(test, bytes, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mem);
	KUNIT_ASSERT_EQ(test, talc_set_index(&f->t, mem, bytes, &old), 0);
	KUNIT_ASSERT_PTR_EQ(test, old, f->index);
	if (old)
		memset(old, 0xa5, f->index_bytes);
	f->index = mem;
	f->index_bytes = bytes;
	f->index_grows++;
	KUNIT_EXPECT_EQ(test, talc_index_bytes(&f->t), 0);
	return talc_claim(&f->t, base, size);
}

/* A zeroed buffer claimed as a region of T(test). */
static void *claim_arena(struct kunit *test, size_t size)
{
	void *mem = kunit_kzalloc(test, size, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, mem);
	KUNIT_ASSERT_EQ(test, claim_grow(test, mem, size), 0);
	return mem;
}

static struct talc_stats stats(struct kunit *test)
{
	struct talc_stats st;

	talc_get_stats(T(test), &st);
	return st;
}

static void expect_consistent(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, talc_check(T(test)), 0);
	KUNIT_EXPECT_EQ(test, F(test)->events[TALC_EV_CORRUPT], 0);
}

/* The base talc_idle_region() gives, or NULL for -ENOENT. */
static void *idle_base(struct kunit *test, const void *skip)
{
	struct talc_region_info ri;
	int ret = talc_idle_region(T(test), skip, &ri);

	if (ret) {
		KUNIT_EXPECT_EQ(test, ret, -ENOENT);
		return NULL;
	}
	KUNIT_EXPECT_TRUE(test, ri.idle);
	KUNIT_EXPECT_PTR_NE(test, ri.base, skip);
	return ri.base;
}

static unsigned long *hdr_of(void *payload)
{
	return (unsigned long *)payload - 1;
}

static u32 next_rand(u32 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* ---- init, claim and regions ---- */

static void core_init_empty(struct kunit *test)
{
	struct talc_stats st = stats(test);
	struct talc_region_info ri;

	KUNIT_EXPECT_EQ(test, st.claimed_bytes, 0);
	KUNIT_EXPECT_EQ(test, st.available_bytes, 0);
	KUNIT_EXPECT_EQ(test, st.region_count, 0);
	KUNIT_EXPECT_EQ(test, st.idle_regions, 0);
	KUNIT_EXPECT_EQ(test, st.quick_chunks, 0);
	KUNIT_EXPECT_EQ(test, st.largest_free_chunk, 0);
	KUNIT_EXPECT_EQ(test, talc_index_bytes(T(test)), 0);
	KUNIT_EXPECT_NULL(test, idle_base(test, NULL));
	KUNIT_EXPECT_EQ(test, talc_region_next(T(test), NULL, &ri), -ENOENT);
	KUNIT_EXPECT_NULL(test, talc_malloc(T(test), 8));
	KUNIT_EXPECT_EQ(test, stats(test).failed_allocations, 1);
	talc_walk_start(T(test));
	KUNIT_EXPECT_EQ(test, talc_walk_step(T(test), NULL, NULL, 1), 0);
	talc_walk_start(T(test));
	KUNIT_EXPECT_EQ(test, talc_check_step(T(test), 1), 0);
	expect_consistent(test);
}

/* What talc_init() sets, seen from outside: quick lists 8 deep, no poison. */
static void core_defaults(struct kunit *test)
{
	struct talc *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	char *mem = kunit_kzalloc(test, ARENA_SIZE, GFP_KERNEL);
	struct talc_stats st;
	char *p[12], *g[12];
	int i;

	KUNIT_ASSERT_TRUE(test, t && mem);
	talc_init(t);
	KUNIT_ASSERT_EQ(test, talc_claim(t, mem, ARENA_SIZE), 0);
	for (i = 0; i < 12; i++) {
		p[i] = talc_malloc(t, 100);
		g[i] = talc_malloc(t, 8);
		KUNIT_ASSERT_TRUE(test, p[i] && g[i]);
		memset(p[i], 0x5a, 100);
	}
	for (i = 0; i < 12; i++)
		KUNIT_EXPECT_EQ(test, talc_free(t, p[i]), 0);
	talc_get_stats(t, &st);
	KUNIT_EXPECT_EQ(test, st.quick_chunks, TALC_DEFAULT_QUICK_DEPTH);
	KUNIT_EXPECT_EQ(test, st.quick_bytes, TALC_DEFAULT_QUICK_DEPTH * 112);
	/* not poisoned: the coalesced chunks keep their old bytes */
	KUNIT_EXPECT_EQ(test, (u8)p[11][50], 0x5a);
	KUNIT_EXPECT_EQ(test, talc_set_quick_depth(t, TALC_QUICK_DEPTH_MAX + 1),
			-EINVAL);
	talc_get_stats(t, &st);
	KUNIT_EXPECT_EQ(test, st.quick_chunks, TALC_DEFAULT_QUICK_DEPTH);
	KUNIT_EXPECT_EQ(test, talc_set_quick_depth(t, TALC_QUICK_DEPTH_MAX), 0);
	/* setting the depth coalesces what was parked */
	talc_get_stats(t, &st);
	KUNIT_EXPECT_EQ(test, st.quick_chunks, 0);
	for (i = 0; i < 12; i++)
		talc_free(t, g[i]);
	talc_get_stats(t, &st);
	KUNIT_EXPECT_EQ(test, st.quick_chunks, 12);
	talc_flush(t);
	talc_get_stats(t, &st);
	KUNIT_EXPECT_EQ(test, st.fragment_count, 1);
	KUNIT_EXPECT_EQ(test, st.idle_regions, 1);
	KUNIT_EXPECT_EQ(test, talc_check(t), 0);
}

static void core_claim_basic(struct kunit *test)
{
	struct talc_region_info ri;
	struct talc_stats st;
	void *mem;

	mem = claim_arena(test, ARENA_SIZE);
	st = stats(test);
	KUNIT_EXPECT_EQ(test, st.claimed_bytes, ARENA_SIZE);
	KUNIT_EXPECT_EQ(test, st.region_count, 1);
	KUNIT_EXPECT_EQ(test, st.total_region_count, 1);
	KUNIT_EXPECT_EQ(test, st.idle_regions, 1);
	KUNIT_EXPECT_EQ(test, st.fragment_count, 1);
	KUNIT_EXPECT_LE(test, st.overhead_bytes, talc_region_overhead());
	KUNIT_EXPECT_EQ(test, st.available_bytes + st.overhead_bytes,
			ARENA_SIZE);
	KUNIT_EXPECT_EQ(test, st.largest_free_chunk,
			st.available_bytes - TALC_OVERHEAD);
	KUNIT_EXPECT_EQ(test, talc_available_bytes(T(test)), st.available_bytes);
	KUNIT_ASSERT_EQ(test, talc_region_next(T(test), NULL, &ri), 0);
	KUNIT_EXPECT_PTR_EQ(test, ri.base, mem);
	KUNIT_EXPECT_EQ(test, ri.size, ARENA_SIZE);
	KUNIT_EXPECT_TRUE(test, ri.idle);
	KUNIT_EXPECT_EQ(test, talc_region_next(T(test), mem, &ri), -ENOENT);
	expect_consistent(test);
}

static void core_claim_invalid(struct kunit *test)
{
	char *mem = kunit_kzalloc(test, 4096, GFP_KERNEL);
	size_t small = talc_region_overhead() + TALC_MIN_CHUNK - 16;

	KUNIT_ASSERT_NOT_NULL(test, mem);
	KUNIT_EXPECT_EQ(test, talc_claim(T(test), NULL, 4096), -EINVAL);
	KUNIT_EXPECT_EQ(test, talc_claim(T(test), mem, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, talc_claim(T(test), mem, small), -EINVAL);
	KUNIT_EXPECT_EQ(test, talc_claim(T(test), (void *)-4096UL, 8192),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, stats(test).region_count, 0);
	KUNIT_EXPECT_EQ(test, talc_claim(T(test), mem, 2048), 0);
	/* Overlaps: the same range, a range inside, a range across the end. */
	KUNIT_EXPECT_EQ(test, talc_claim(T(test), mem, 2048), -EINVAL);
	KUNIT_EXPECT_EQ(test, talc_claim(T(test), mem + 512, 512), -EINVAL);
	KUNIT_EXPECT_EQ(test, talc_claim(T(test), mem + 1024, 2048), -EINVAL);
	/* A range below that reaches into the region's head. */
	KUNIT_EXPECT_EQ(test, talc_claim(T(test), mem - 1024, 1025), -EINVAL);
	KUNIT_EXPECT_EQ(test, talc_claim(T(test), mem + 2048, 2048), 0);
	KUNIT_EXPECT_EQ(test, stats(test).region_count, 2);
	KUNIT_EXPECT_EQ(test, stats(test).total_region_count, 2);
	expect_consistent(test);
}

static void core_claim_minimum(struct kunit *test)
{
	char *mem = kunit_kzalloc(test, 256, GFP_KERNEL);
	/* Head + one minimal chunk + sentinel, from an 8-aligned base. */
	size_t min = REGION_HEAD + TALC_MIN_CHUNK + TALC_ALIGN;
	void *p;

	KUNIT_ASSERT_NOT_NULL(test, mem);
	KUNIT_EXPECT_EQ(test, talc_claim(T(test), mem, min - 8), -EINVAL);
	KUNIT_ASSERT_EQ(test, talc_claim(T(test), mem, min), 0);
	p = talc_malloc(T(test), 16);
	KUNIT_EXPECT_NOT_NULL(test, p);
	KUNIT_EXPECT_NULL(test, talc_malloc(T(test), 1));
	KUNIT_EXPECT_EQ(test, talc_free(T(test), p), 0);
	expect_consistent(test);
}

static void core_claim_unaligned(struct kunit *test)
{
	char *mem = kunit_kzalloc(test, 8192, GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, mem);
	KUNIT_ASSERT_EQ(test, talc_claim(T(test), mem + 3, 4093), 0);
	for (i = 0; i < 20; i++) {
		char *p = talc_malloc(T(test), i * 13 + 1);

		KUNIT_ASSERT_NOT_NULL(test, p);
		KUNIT_EXPECT_EQ(test, (uintptr_t)p % TALC_ALIGN, 0);
		KUNIT_EXPECT_TRUE(test, p >= mem + 3);
		KUNIT_EXPECT_TRUE(test, p + i * 13 + 1 <= mem + 4096);
	}
	expect_consistent(test);
	KUNIT_EXPECT_EQ(test, talc_release(T(test), mem + 3), -EBUSY);
}

static void core_multi_region(struct kunit *test)
{
	void *mem[4];
	unsigned int hits[4] = { 0 };
	int i, j, n = 0;
	void *p;

	for (i = 0; i < 4; i++)
		mem[i] = claim_arena(test, 8192);
	KUNIT_EXPECT_EQ(test, stats(test).region_count, 4);
	KUNIT_EXPECT_EQ(test, F(test)->index_grows, 0);
	while ((p = talc_malloc(T(test), 100))) {
		for (j = 0; j < 4; j++)
			if ((char *)p >= (char *)mem[j] &&
			    (char *)p < (char *)mem[j] + 8192)
				hits[j]++;
		n++;
	}
	KUNIT_EXPECT_GT(test, n, 4 * 8192 / 112 - 8);
	for (j = 0; j < 4; j++)
		KUNIT_EXPECT_GT(test, hits[j], 60);
	KUNIT_EXPECT_EQ(test, stats(test).allocation_count, n);
	KUNIT_EXPECT_EQ(test, stats(test).idle_regions, 0);
	expect_consistent(test);
}

static void core_extend(struct kunit *test)
{
	char *mem = kunit_kzalloc(test, 16384, GFP_KERNEL);
	struct talc_stats st;
	void *p, *q;

	KUNIT_ASSERT_NOT_NULL(test, mem);
	KUNIT_ASSERT_EQ(test, talc_claim(T(test), mem, 4096), 0);
	KUNIT_EXPECT_NULL(test, talc_malloc(T(test), 6000));
	KUNIT_EXPECT_EQ(test, talc_extend(T(test), mem, 8192), 0);
	KUNIT_EXPECT_EQ(test, stats(test).claimed_bytes, 8192);
	KUNIT_EXPECT_EQ(test, stats(test).fragment_count, 1);
	KUNIT_EXPECT_EQ(test, stats(test).idle_regions, 1);
	p = talc_malloc(T(test), 6000);
	KUNIT_EXPECT_NOT_NULL(test, p);
	expect_consistent(test);
	/* Fill the top so the next extension creates a new chunk. */
	while (talc_malloc(T(test), 8))
		;
	KUNIT_EXPECT_EQ(test, stats(test).fragment_count, 0);
	/* Under 24 new bytes above a used chunk: accepted, not usable yet. */
	KUNIT_EXPECT_EQ(test, talc_extend(T(test), mem, 8192 + 16), 0);
	KUNIT_EXPECT_EQ(test, stats(test).fragment_count, 0);
	expect_consistent(test);
	KUNIT_EXPECT_EQ(test, talc_extend(T(test), mem, 12288), 0);
	st = stats(test);
	KUNIT_EXPECT_EQ(test, st.fragment_count, 1);
	KUNIT_EXPECT_EQ(test, st.available_bytes, 4096);
	KUNIT_EXPECT_EQ(test, st.idle_regions, 0);
	q = talc_malloc(T(test), 4000);
	KUNIT_EXPECT_NOT_NULL(test, q);
	expect_consistent(test);
	/* Errors leave the region alone. */
	KUNIT_EXPECT_EQ(test, talc_extend(T(test), mem, 100), -EINVAL);
	KUNIT_EXPECT_EQ(test, talc_extend(T(test), mem + 8, 20000), -EINVAL);
	KUNIT_EXPECT_EQ(test, talc_claim(T(test), mem + 12288, 4096), 0);
	KUNIT_EXPECT_EQ(test, talc_extend(T(test), mem, 16384), -EINVAL);
	KUNIT_EXPECT_EQ(test, stats(test).claimed_bytes, 12288 + 4096);
	expect_consistent(test);
}

static void core_truncate(struct kunit *test)
{
	char *mem = claim_arena(test, 16384);
	size_t limit;
	void *p, *q;

	p = talc_malloc(T(test), 1000);
	q = talc_malloc(T(test), 1000);
	KUNIT_ASSERT_NOT_NULL(test, q);
	limit = talc_truncate_limit(T(test), mem);
	KUNIT_EXPECT_GE(test, limit, (size_t)((char *)q + 1000 - mem));
	KUNIT_EXPECT_LT(test, limit, (size_t)((char *)q + 1100 - mem));
	KUNIT_EXPECT_EQ(test, talc_truncate(T(test), mem, limit - 8), -EBUSY);
	KUNIT_EXPECT_EQ(test, talc_truncate(T(test), mem, 20000), -EINVAL);
	KUNIT_EXPECT_EQ(test, talc_truncate(T(test), mem + 8, 8000), -EINVAL);
	KUNIT_EXPECT_EQ(test, talc_truncate(T(test), mem, 8000), 0);
	KUNIT_EXPECT_EQ(test, stats(test).claimed_bytes, 8000);
	expect_consistent(test);
	KUNIT_EXPECT_EQ(test, talc_truncate(T(test), mem, limit), 0);
	KUNIT_EXPECT_EQ(test, stats(test).fragment_count, 0);
	KUNIT_EXPECT_NULL(test, talc_malloc(T(test), 8));
	expect_consistent(test);
	/* Freeing the top lowers the limit. */
	talc_free(T(test), q);
	KUNIT_EXPECT_LT(test, talc_truncate_limit(T(test), mem), limit);
	KUNIT_EXPECT_EQ(test, talc_truncate(T(test), mem,
					    talc_truncate_limit(T(test), mem)),
			0);
	KUNIT_EXPECT_EQ(test, stats(test).idle_regions, 0);
	talc_free(T(test), p);
	/* An idle region truncated to its head holds no chunk at all. */
	KUNIT_EXPECT_EQ(test, stats(test).idle_regions, 1);
	limit = talc_truncate_limit(T(test), mem);
	KUNIT_EXPECT_EQ(test, limit, REGION_HEAD + TALC_ALIGN);
	KUNIT_EXPECT_EQ(test, talc_truncate(T(test), mem, limit), 0);
	KUNIT_EXPECT_EQ(test, stats(test).available_bytes, 0);
	KUNIT_EXPECT_EQ(test, stats(test).idle_regions, 1);
	KUNIT_EXPECT_EQ(test, talc_truncate(T(test), mem, limit - 8), -EINVAL);
	KUNIT_EXPECT_EQ(test, talc_truncate_limit(T(test), mem + 8), 0);
	expect_consistent(test);
	/* It can grow again: the new chunk spans it, and it is still idle. */
	KUNIT_EXPECT_EQ(test, talc_extend(T(test), mem, 4096), 0);
	KUNIT_EXPECT_EQ(test, stats(test).fragment_count, 1);
	KUNIT_EXPECT_EQ(test, stats(test).idle_regions, 1);
	expect_consistent(test);
	p = talc_malloc(T(test), 100);
	KUNIT_EXPECT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, stats(test).idle_regions, 0);
	talc_free(T(test), p);
	KUNIT_EXPECT_EQ(test, stats(test).idle_regions, 1);
	KUNIT_EXPECT_EQ(test, talc_truncate(T(test), mem,
					    talc_truncate_limit(T(test), mem)),
			0);
	KUNIT_EXPECT_EQ(test, talc_release(T(test), mem), 0);
	KUNIT_EXPECT_EQ(test, stats(test).idle_regions, 0);
	expect_consistent(test);
}

static void core_release(struct kunit *test)
{
	char *a = claim_arena(test, 8192);
	char *b = claim_arena(test, 8192);
	void *p;
	int i;

	for (i = 0; i < 100; i++) {
		p = talc_malloc(T(test), 64);
		KUNIT_ASSERT_NOT_NULL(test, p);
		if ((char *)p >= b && (char *)p < b + 8192)
			break;
	}
	KUNIT_EXPECT_EQ(test, talc_release(T(test), b), -EBUSY);
	talc_free(T(test), p);
	KUNIT_EXPECT_EQ(test, talc_release(T(test), b), 0);
	KUNIT_EXPECT_EQ(test, talc_release(T(test), b), -EINVAL);
	KUNIT_EXPECT_EQ(test, talc_release(T(test), b + 8), -EINVAL);
	KUNIT_EXPECT_EQ(test, stats(test).region_count, 1);
	KUNIT_EXPECT_EQ(test, stats(test).claimed_bytes, 8192);
	KUNIT_EXPECT_EQ(test, stats(test).total_region_count, 2);
	expect_consistent(test);
	/* Nothing comes from the released region any more. */
	while ((p = talc_malloc(T(test), 64)))
		KUNIT_EXPECT_TRUE(test, (char *)p >= a && (char *)p < a + 8192);
	/* A pointer into it is now outside every region. */
	KUNIT_EXPECT_EQ(test, talc_free(T(test), b + 64), -EINVAL);
	KUNIT_EXPECT_EQ(test, events(test, TALC_EV_FREE_OUTSIDE), 1);
	expect_consistent(test);
}

/*
 * free() trusts the region it met last without searching the index: a
 * region that goes away or shrinks must not be trusted any more, even if
 * its old memory still holds words that look like a live chunk.
 */
static void core_hot_region_forgotten(struct kunit *test)
{
	char *b = kunit_kzalloc(test, 16384, GFP_KERNEL);
	unsigned long saved[2], *hdr, *nhdr;
	void *filler, *spacer, *p;

	KUNIT_ASSERT_NOT_NULL(test, b);
	/* released: a pointer into the old region is outside every region */
	KUNIT_ASSERT_EQ(test, talc_claim(T(test), b, 8192), 0);
	p = talc_malloc(T(test), 64);
	KUNIT_ASSERT_NOT_NULL(test, p);
	hdr = (unsigned long *)p - 1;
	nhdr = (unsigned long *)((char *)p + talc_usable_size(T(test), p));
	saved[0] = *hdr;
	saved[1] = *nhdr;
	KUNIT_EXPECT_EQ(test, talc_free(T(test), p), 0);	/* b is hot */
	KUNIT_ASSERT_EQ(test, talc_release(T(test), b), 0);
	*hdr = saved[0];
	*nhdr = saved[1];
	KUNIT_EXPECT_EQ(test, talc_free(T(test), p), -EINVAL);
	KUNIT_EXPECT_EQ(test, events(test, TALC_EV_FREE_OUTSIDE), 1);

	/* truncated: a pointer above the new end is outside too */
	memset(b, 0, 16384);
	KUNIT_ASSERT_EQ(test, talc_claim(T(test), b, 16384), 0);
	filler = talc_malloc(T(test), 8000);
	spacer = talc_malloc(T(test), 200);
	p = talc_malloc(T(test), 64);
	KUNIT_ASSERT_NOT_NULL(test, filler);
	KUNIT_ASSERT_NOT_NULL(test, spacer);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, talc_free(T(test), spacer), 0);
	hdr = (unsigned long *)p - 1;
	nhdr = (unsigned long *)((char *)p + talc_usable_size(T(test), p));
	saved[0] = *hdr;
	saved[1] = *nhdr;
	KUNIT_EXPECT_EQ(test, talc_free(T(test), p), 0);
	/* the new sentinel is the spacer's old header, 208 bytes below p's */
	KUNIT_ASSERT_EQ(test, talc_truncate(T(test), b,
					    (char *)spacer - b), 0);
	*hdr = saved[0];
	*nhdr = saved[1];
	KUNIT_EXPECT_EQ(test, talc_free(T(test), p), -EINVAL);
	KUNIT_EXPECT_EQ(test, events(test, TALC_EV_FREE_OUTSIDE), 2);
	KUNIT_EXPECT_EQ(test, stats(test).allocation_count, 1);
	KUNIT_EXPECT_EQ(test, talc_free(T(test), filler), 0);
	KUNIT_EXPECT_EQ(test, stats(test).allocation_count, 0);
	KUNIT_EXPECT_EQ(test, stats(test).bad_frees, 2);
	expect_consistent(test);
}

/* Frees alternate between regions: each one is found, none is misread. */
static void core_hot_region_switch(struct kunit *test)
{
	char *mem[3];
	void *p[3], *q[3];
	int i, j;

	for (i = 0; i < 3; i++)
		mem[i] = claim_arena(test, 4096);
	/* 3000 bytes fit once in a region: one block in each */
	for (i = 0; i < 3; i++) {
		p[i] = talc_malloc(T(test), 3000);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
		q[i] = talc_malloc(T(test), 500);
		KUNIT_ASSERT_NOT_NULL(test, q[i]);
	}
	for (i = 0; i < 3; i++) {
		int in = 0;

		for (j = 0; j < 3; j++)
			in += (char *)p[j] > mem[i] && (char *)p[j] < mem[i] + 4096;
		KUNIT_ASSERT_EQ(test, in, 1);
	}
	for (i = 0; i < 3; i++) {
		KUNIT_EXPECT_EQ(test, talc_free(T(test), p[i]), 0);
		/* right after, in the region just made hot: refused */
		KUNIT_EXPECT_EQ(test, talc_free(T(test), p[i]), -EINVAL);
		KUNIT_EXPECT_EQ(test, talc_free(T(test), (char *)q[i] + 8),
				-EINVAL);
	}
	for (i = 2; i >= 0; i--)
		KUNIT_EXPECT_EQ(test, talc_free(T(test), q[i]), 0);
	KUNIT_EXPECT_EQ(test, events(test, TALC_EV_FREE_DOUBLE), 3);
	KUNIT_EXPECT_EQ(test, events(test, TALC_EV_FREE_INVALID), 3);
	KUNIT_EXPECT_EQ(test, stats(test).allocation_count, 0);
	KUNIT_EXPECT_EQ(test, stats(test).idle_regions, 3);
	expect_consistent(test);
}

/* ---- bins ---- */

/* talc_bin_of() of every chunk size the lookup table covers, and beyond. */
static void core_bin_of_table(struct kunit *test)
{
	unsigned int b = 0;
	size_t s;

	for (s = TALC_MIN_CHUNK; s < 8192; s += TALC_ALIGN) {
		while (b + 1 < TALC_BIN_COUNT && talc_bin_min_size(b + 1) <= s)
			b++;
		KUNIT_ASSERT_EQ_MSG(test, talc_bin_of(s), b, "size %zu", s);
	}
}

static void core_bin_boundaries(struct kunit *test)
{
	unsigned int b;

	KUNIT_EXPECT_EQ(test, talc_bin_of(TALC_MIN_CHUNK), 0);
	KUNIT_EXPECT_EQ(test, talc_bin_min_size(0), TALC_MIN_CHUNK);
	for (b = 1; b < TALC_BIN_COUNT; b++) {
		size_t lo = talc_bin_min_size(b);

		KUNIT_ASSERT_GT(test, lo, talc_bin_min_size(b - 1));
		KUNIT_ASSERT_EQ(test, talc_bin_of(lo), b);
		KUNIT_ASSERT_EQ(test, talc_bin_of(lo - TALC_ALIGN), b - 1);
	}
	KUNIT_EXPECT_EQ(test, talc_bin_of(TALC_MAX_CHUNK), TALC_BIN_COUNT - 1);
	/* Linear bins are exact, then 16 bins per power of two ... */
	KUNIT_EXPECT_EQ(test, talc_bin_min_size(TALC_LINEAR_BINS),
			TALC_LINEAR_LIMIT);
	KUNIT_EXPECT_EQ(test, talc_bin_min_size(TALC_LINEAR_BINS + 16),
			2 * TALC_LINEAR_LIMIT);
	/* ... but 256 from 16 KiB to 256 KiB, then 16 again. */
	KUNIT_EXPECT_EQ(test, talc_bin_min_size(TALC_FINE_BASE), SZ_16K);
	KUNIT_EXPECT_EQ(test, talc_bin_min_size(TALC_FINE_BASE - 1),
			SZ_16K - SZ_512);
	KUNIT_EXPECT_EQ(test, talc_bin_min_size(TALC_FINE_BASE + 1),
			SZ_16K + 64);
	KUNIT_EXPECT_EQ(test, talc_bin_min_size(TALC_FINE_BASE + 256), SZ_32K);
	KUNIT_EXPECT_EQ(test, talc_bin_min_size(TALC_TOP_BASE), SZ_256K);
	KUNIT_EXPECT_EQ(test, talc_bin_min_size(TALC_TOP_BASE - 1),
			SZ_256K - SZ_512);
	KUNIT_EXPECT_EQ(test, talc_bin_min_size(TALC_TOP_BASE + 1),
			SZ_256K + SZ_16K);
}

/* talc_bin_stats() counts one bin, and says when its budget ran out. */
static void core_bin_stats(struct kunit *test)
{
	unsigned int b = talc_bin_of(112);
	size_t chunks, bytes;
	void *p[5], *g[5];
	int i;

	claim_arena(test, ARENA_SIZE);
	KUNIT_EXPECT_TRUE(test, talc_bin_stats(T(test), b, &chunks, &bytes, 0));
	KUNIT_EXPECT_EQ(test, chunks, 0);
	for (i = 0; i < 5; i++) {
		p[i] = talc_malloc(T(test), 100);
		g[i] = talc_malloc(T(test), 8);
	}
	for (i = 0; i < 5; i++)
		talc_free(T(test), p[i]);
	KUNIT_EXPECT_TRUE(test, talc_bin_stats(T(test), b, &chunks, &bytes, 10));
	KUNIT_EXPECT_EQ(test, chunks, 5);
	KUNIT_EXPECT_EQ(test, bytes, 5 * 112);
	KUNIT_EXPECT_TRUE(test, talc_bin_stats(T(test), b, &chunks, &bytes, 5));
	KUNIT_EXPECT_EQ(test, chunks, 5);
	KUNIT_EXPECT_FALSE(test, talc_bin_stats(T(test), b, &chunks, &bytes, 3));
	KUNIT_EXPECT_EQ(test, chunks, 3);
	KUNIT_EXPECT_EQ(test, bytes, 3 * 112);
	KUNIT_EXPECT_FALSE(test, talc_bin_stats(T(test), b, &chunks, &bytes, 0));
	KUNIT_EXPECT_EQ(test, chunks, 0);
	KUNIT_EXPECT_TRUE(test, talc_bin_stats(T(test), TALC_BIN_COUNT, &chunks,
					       &bytes, 10));
	KUNIT_EXPECT_EQ(test, chunks, 0);
	for (i = 0; i < 5; i++)
		talc_free(T(test), g[i]);
	expect_consistent(test);
}

static const size_t boundary_sizes[] = {
	0, 1, 8, 15, 16, 17, 23, 24, 25, 40, 100, 247, 248, 249,
	487, 488, 495, 496, 497, 503, 504, 505, 511, 512, 513,
	1000, 1023, 1024, 1025, 1080, 1088, 4095, 4096, 4097,
	65535, 65536, 65537, 100000,
};

static void size_desc(const size_t *s, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "size=%zu", *s);
}

KUNIT_ARRAY_PARAM(boundary, boundary_sizes, size_desc);

/* Every size around a bin boundary: fits, usable >= size, waste bounded. */
static void core_malloc_size(struct kunit *test)
{
	size_t size = *(const size_t *)test->param_value;
	struct talc_stats st0, st;
	struct talc_block blk;
	void *p, *q;
	size_t usable;

	claim_arena(test, ARENA_SIZE);
	q = talc_malloc(T(test), 40);	/* something below */
	st0 = stats(test);
	p = talc_malloc(T(test), size);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, (uintptr_t)p % TALC_ALIGN, 0);
	usable = talc_usable_size(T(test), p);
	KUNIT_EXPECT_GE(test, usable, size);
	KUNIT_EXPECT_LT(test, usable, max_t(size_t, size, 16) + TALC_ALIGN);
	KUNIT_EXPECT_EQ(test, usable + TALC_OVERHEAD,
			max_t(size_t, TALC_MIN_CHUNK,
			      ALIGN(size + TALC_OVERHEAD, TALC_ALIGN)));
	KUNIT_EXPECT_EQ(test, talc_block_info(T(test), p, &blk), 0);
	KUNIT_EXPECT_EQ(test, blk.usable, usable);
	KUNIT_EXPECT_EQ(test, blk.align, TALC_ALIGN);
	talc_pattern_fill(p, usable, 3);
	st = stats(test);
	KUNIT_EXPECT_EQ(test, st.allocated_bytes, st0.allocated_bytes + size);
	KUNIT_EXPECT_EQ(test, st.allocation_count, 2);
	KUNIT_EXPECT_EQ(test, st.available_bytes,
			st0.available_bytes - usable - TALC_OVERHEAD);
	KUNIT_EXPECT_EQ(test, st.overhead_bytes,
			st.claimed_bytes - st.available_bytes -
			st.allocated_bytes);
	expect_consistent(test);
	KUNIT_EXPECT_TRUE(test, talc_pattern_ok(p, usable, 3));
	KUNIT_EXPECT_EQ(test, talc_free(T(test), p), 0);
	st = stats(test);
	KUNIT_EXPECT_EQ(test, st.available_bytes, st0.available_bytes);
	KUNIT_EXPECT_EQ(test, st.allocated_bytes, st0.allocated_bytes);
	KUNIT_EXPECT_EQ(test, st.fragment_count, 1);
	KUNIT_EXPECT_EQ(test, st.bad_frees, 0);
	talc_free(T(test), q);
	expect_consistent(test);
}

/* A chunk of exactly the size needed is found in its exact bin. */
static void core_exact_fit(struct kunit *test)
{
	void *p[3], *again;

	claim_arena(test, ARENA_SIZE);
	p[0] = talc_malloc(T(test), 200);
	p[1] = talc_malloc(T(test), 8);
	p[2] = talc_malloc(T(test), 8);
	talc_free(T(test), p[0]);
	/* The hole of 208 bytes is used before the big top chunk. */
	again = talc_malloc(T(test), 200);
	KUNIT_EXPECT_PTR_EQ(test, again, p[0]);
	talc_free(T(test), p[1]);
	/* A minimal hole (24 bytes) next to a used chunk. */
	again = talc_malloc(T(test), 16);
	KUNIT_EXPECT_PTR_EQ(test, again, p[1]);
	expect_consistent(test);
}

/* The bounded first-fit scan of the bin below the good-fit bin. */
static void core_scan_limit(struct kunit *test)
{
	void *hold[16], *hole[16];
	void *big, *p;
	int i;

	claim_arena(test, 64 * 1024);
	/* Holes of 1008 bytes and one of 1016 (bin 1008..1023). */
	for (i = 0; i < 16; i++) {
		hole[i] = talc_malloc(T(test), i == 12 ? 1008 : 1000);
		hold[i] = talc_malloc(T(test), 8);
	}
	while ((big = talc_malloc(T(test), 8)))
		;
	for (i = 0; i < 16; i++)
		talc_free(T(test), hole[i]);
	/*
	 * 1008 bytes need a 1016-byte chunk: no good-fit bin (1024 and up)
	 * has one; the 1016-byte hole sits behind 3 smaller ones in the LIFO
	 * list of the bin below.
	 */
	talc_set_scan_limit(T(test), 0);
	KUNIT_EXPECT_NULL(test, talc_malloc(T(test), 1008));
	talc_set_scan_limit(T(test), 2);
	KUNIT_EXPECT_NULL(test, talc_malloc(T(test), 1008));
	talc_set_scan_limit(T(test), TALC_DEFAULT_SCAN_LIMIT);
	p = talc_malloc(T(test), 1008);
	KUNIT_EXPECT_PTR_EQ(test, p, hole[12]);
	for (i = 0; i < 16; i++)
		talc_free(T(test), hold[i]);
	expect_consistent(test);
}

/*
 * Between 16 KiB and 256 KiB a bin spans 0.4 % of sizes: a large request
 * takes the tightest hole even when more holes than scan_limit, all a
 * little too small, share its 16-per-power-of-two size class.  With the
 * coarse classes the 21016-byte hole sits behind the ten 20608-byte ones
 * and the next class's 22008-byte hole is split instead.
 */
static void core_fine_bins_best_fit(struct kunit *test)
{
	void *hold[12], *decoy[10], *tight, *loose, *p;
	int i, n = 0;

	claim_arena(test, 512 * 1024);
	tight = talc_malloc(T(test), 21008);
	hold[n++] = talc_malloc(T(test), 8);
	for (i = 0; i < 10; i++) {
		decoy[i] = talc_malloc(T(test), 20600);
		hold[n++] = talc_malloc(T(test), 8);
	}
	loose = talc_malloc(T(test), 22000);
	hold[n++] = talc_malloc(T(test), 8);
	KUNIT_ASSERT_TRUE(test, tight && loose && hold[n - 1]);
	/* LIFO bins: the decoys end up in front of the tight hole */
	talc_free(T(test), tight);
	for (i = 0; i < 10; i++)
		talc_free(T(test), decoy[i]);
	talc_free(T(test), loose);
	KUNIT_ASSERT_GT(test, 10, TALC_DEFAULT_SCAN_LIMIT);
	p = talc_malloc(T(test), 21000);
	KUNIT_EXPECT_PTR_EQ(test, p, tight);
	/* and the loose hole is still whole */
	KUNIT_EXPECT_PTR_EQ(test, talc_malloc(T(test), 22000), loose);
	expect_consistent(test);
}

/*
 * talc_malloc_bulk() cuts its blocks one after another from one free chunk,
 * past the quick list that holds chunks of their size (talc_malloc() would
 * hand those out first), and each block is an allocation of its own.
 * Asked for no run, it hands out the parked chunks first, as talc_malloc().
 */
static void core_malloc_bulk_run(struct kunit *test)
{
	const size_t need = 104;	/* the chunk of a 96-byte request */
	struct talc_stats st0, st;
	void *park[4], *run[16], *more[4];
	unsigned int i, j;

	claim_arena(test, ARENA_SIZE);
	talc_set_quick_depth(T(test), TALC_DEFAULT_QUICK_DEPTH);
	for (i = 0; i < 4; i++) {
		park[i] = talc_malloc(T(test), 96);
		KUNIT_ASSERT_NOT_NULL(test, park[i]);
	}
	KUNIT_ASSERT_NOT_NULL(test, talc_malloc(T(test), 8));
	for (i = 0; i < 4; i++)
		talc_free(T(test), park[i]);
	st0 = stats(test);
	KUNIT_ASSERT_EQ(test, st0.quick_chunks, 4);
	KUNIT_ASSERT_EQ(test, talc_malloc_bulk(T(test), 96, 16, run, true), 16U);
	for (i = 0; i < 16; i++) {
		KUNIT_EXPECT_EQ(test, talc_usable_size(T(test), run[i]), 96);
		if (i)
			KUNIT_EXPECT_PTR_EQ(test, run[i],
					    (char *)run[i - 1] + need);
		memset(run[i], i, 96);
	}
	st = stats(test);
	KUNIT_EXPECT_EQ(test, st.quick_chunks, 4);
	KUNIT_EXPECT_EQ(test, st.allocation_count, st0.allocation_count + 16);
	KUNIT_EXPECT_EQ(test, st.allocated_bytes, st0.allocated_bytes + 16 * 96);
	KUNIT_EXPECT_EQ(test, st.total_allocation_count,
			st0.total_allocation_count + 16);
	/* without @run, one by one as talc_malloc(): the parked chunks first */
	KUNIT_ASSERT_EQ(test, talc_malloc_bulk(T(test), 96, 4, more, false), 4U);
	for (i = 0; i < 4; i++) {
		for (j = 0; j < 4 && more[i] != park[j]; j++)
			;
		KUNIT_EXPECT_LT(test, j, 4U);
	}
	KUNIT_EXPECT_EQ(test, stats(test).quick_chunks, 0);
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ(test, talc_free(T(test), more[i]), 0);
	expect_consistent(test);
	for (i = 0; i < 16; i++) {
		KUNIT_EXPECT_EQ(test, ((u8 *)run[i])[95], (u8)i);
		KUNIT_EXPECT_EQ(test, talc_free(T(test), run[i]), 0);
	}
	KUNIT_EXPECT_EQ(test, talc_malloc_bulk(T(test), 96, 0, run, true), 0U);
	KUNIT_EXPECT_EQ(test, stats(test).failed_allocations, 0);
	expect_consistent(test);
}

/*
 * No free chunk holds the whole run: the blocks come one by one from the
 * holes that fit, until memory runs out, with one failure counted.
 */
static void core_malloc_bulk_fallback(struct kunit *test)
{
	void *hole[8], *run[12];
	unsigned int i, j, got;
	u64 failed;

	claim_arena(test, 64 * 1024);
	for (i = 0; i < 8; i++) {
		hole[i] = talc_malloc(T(test), 5000);
		KUNIT_ASSERT_NOT_NULL(test, hole[i]);
		KUNIT_ASSERT_NOT_NULL(test, talc_malloc(T(test), 8));
	}
	while (talc_malloc(T(test), 8))
		;
	for (i = 0; i < 8; i++)
		talc_free(T(test), hole[i]);
	failed = stats(test).failed_allocations;
	got = talc_malloc_bulk(T(test), 5000, 12, run, true);
	KUNIT_EXPECT_EQ(test, got, 8U);
	KUNIT_EXPECT_EQ(test, stats(test).failed_allocations, failed + 1);
	for (i = 0; i < got; i++) {
		for (j = 0; j < 8 && run[i] != hole[j]; j++)
			;
		KUNIT_EXPECT_LT(test, j, 8U);	/* one of the holes */
		memset(run[i], 0xa5, 5000);
	}
	expect_consistent(test);
	for (i = 0; i < got; i++)
		KUNIT_EXPECT_EQ(test, talc_free(T(test), run[i]), 0);
	/* a size that can never fit: nothing, and one failure */
	KUNIT_EXPECT_EQ(test, talc_malloc_bulk(T(test), SIZE_MAX, 2, run, true), 0U);
	KUNIT_EXPECT_EQ(test, stats(test).failed_allocations, failed + 2);
	expect_consistent(test);
}

/* ---- aligned allocation ---- */

static const size_t alignments[] = {
	1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192,
	16384, 32768, 65536, 131072, 262144, 524288, 1048576,
};

static void align_desc(const size_t *a, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "align=%zu", *a);
}

KUNIT_ARRAY_PARAM(alignment, alignments, align_desc);

static void core_malloc_aligned(struct kunit *test)
{
	size_t align = *(const size_t *)test->param_value;
	static const size_t sizes[] = { 5000, 100, 24, 1 };
	/* kmalloc'd arenas stay below 4 MiB (UML's kmalloc limit) */
	unsigned int i, n = align >= SZ_512K ? 2 : ARRAY_SIZE(sizes);
	size_t arena = (n + 1) * align + 64 * 1024, want = 0;
	void *p[ARRAY_SIZE(sizes)], *odd;
	struct talc_stats st0;
	struct talc_block blk;

	claim_arena(test, arena);
	odd = talc_malloc(T(test), 40);	/* misalign what follows */
	st0 = stats(test);
	for (i = 0; i < n; i++) {
		p[i] = talc_malloc_aligned(T(test), sizes[i], align);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
		KUNIT_EXPECT_EQ(test, (uintptr_t)p[i] % align, 0);
		KUNIT_EXPECT_GE(test, talc_usable_size(T(test), p[i]),
				sizes[i]);
		KUNIT_EXPECT_EQ(test, talc_block_info(T(test), p[i], &blk), 0);
		KUNIT_EXPECT_EQ(test, blk.align, max_t(size_t, align, TALC_ALIGN));
		talc_pattern_fill(p[i], sizes[i], i);
		want += sizes[i];
		expect_consistent(test);
	}
	KUNIT_EXPECT_EQ(test, stats(test).allocated_bytes,
			st0.allocated_bytes + want);
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_TRUE(test, talc_pattern_ok(p[i], sizes[i], i));
		talc_free(T(test), p[i]);
		expect_consistent(test);
	}
	KUNIT_EXPECT_EQ(test, stats(test).available_bytes,
			st0.available_bytes);
	KUNIT_EXPECT_EQ(test, stats(test).fragment_count, 1);
	talc_free(T(test), odd);
	KUNIT_EXPECT_EQ(test, stats(test).idle_regions, 1);
}

static void core_aligned_invalid(struct kunit *test)
{
	claim_arena(test, ARENA_SIZE);
	KUNIT_EXPECT_NULL(test, talc_malloc_aligned(T(test), 8, 0));
	KUNIT_EXPECT_NULL(test, talc_malloc_aligned(T(test), 8, 3));
	KUNIT_EXPECT_NULL(test, talc_malloc_aligned(T(test), 8, 24));
	KUNIT_EXPECT_NULL(test, talc_malloc_aligned(T(test), 8,
						    TALC_MAX_ALIGN * 2));
	KUNIT_EXPECT_NULL(test, talc_malloc_aligned(T(test), 8, 1UL << 63));
	/* Valid but larger than the arena can satisfy. */
	KUNIT_EXPECT_NULL(test, talc_malloc_aligned(T(test), 8,
						    TALC_MAX_ALIGN));
	KUNIT_EXPECT_EQ(test, stats(test).failed_allocations, 6);
	KUNIT_EXPECT_EQ(test, stats(test).allocation_count, 0);
	expect_consistent(test);
}

/* ---- overflow ---- */

static void core_overflow_sizes(struct kunit *test)
{
	struct talc_stats st0;
	struct talc_block old;
	void *p;

	claim_arena(test, ARENA_SIZE);
	p = talc_malloc(T(test), 100);
	talc_pattern_fill(p, 100, 9);
	st0 = stats(test);
	KUNIT_EXPECT_NULL(test, talc_malloc(T(test), SIZE_MAX));
	KUNIT_EXPECT_NULL(test, talc_malloc(T(test), SIZE_MAX - 7));
	KUNIT_EXPECT_NULL(test, talc_malloc(T(test), SIZE_MAX - 16));
	KUNIT_EXPECT_NULL(test, talc_malloc(T(test), TALC_MAX_CHUNK));
	KUNIT_EXPECT_NULL(test, talc_malloc_aligned(T(test), SIZE_MAX - 4096,
						    4096));
	KUNIT_EXPECT_NULL(test, talc_malloc_aligned(T(test),
						    TALC_MAX_CHUNK - 100,
						    TALC_MAX_ALIGN));
	KUNIT_EXPECT_NULL(test, talc_realloc(T(test), p, SIZE_MAX));
	KUNIT_EXPECT_NULL(test, talc_realloc(T(test), p, SIZE_MAX / 2));
	KUNIT_EXPECT_EQ(test, talc_resize(T(test), p, SIZE_MAX, &old), -ENOMEM);
	KUNIT_EXPECT_EQ(test, old.usable, 104);
	KUNIT_EXPECT_TRUE(test, talc_pattern_ok(p, 100, 9));
	KUNIT_EXPECT_EQ(test, stats(test).failed_allocations,
			st0.failed_allocations + 9);
	KUNIT_EXPECT_EQ(test, stats(test).available_bytes,
			st0.available_bytes);
	KUNIT_EXPECT_EQ(test, stats(test).allocated_bytes,
			st0.allocated_bytes);
	KUNIT_EXPECT_EQ(test, talc_usable_size(T(test), p), 104);
	KUNIT_EXPECT_EQ(test, stats(test).bad_frees, 0);
	/* No region can serve them either. */
	KUNIT_EXPECT_EQ(test, talc_claim_size(SIZE_MAX, TALC_ALIGN), 0);
	KUNIT_EXPECT_EQ(test, talc_claim_size(TALC_MAX_CHUNK, TALC_ALIGN), 0);
	KUNIT_EXPECT_EQ(test, talc_claim_size(TALC_MAX_CHUNK - 100,
					      TALC_MAX_ALIGN), 0);
	expect_consistent(test);
}

/* ---- free and usable_size ---- */

static void core_free_null(struct kunit *test)
{
	struct talc_block blk;

	claim_arena(test, ARENA_SIZE);
	KUNIT_EXPECT_EQ(test, talc_free(T(test), NULL), 0);
	KUNIT_EXPECT_EQ(test, talc_usable_size(T(test), NULL), 0);
	KUNIT_EXPECT_EQ(test, talc_block_info(T(test), NULL, &blk), -EINVAL);
	KUNIT_EXPECT_EQ(test, talc_resize(T(test), NULL, 8, &blk), -EINVAL);
	KUNIT_EXPECT_EQ(test, stats(test).bad_frees, 0);
	KUNIT_EXPECT_EQ(test, stats(test).failed_allocations, 0);
	expect_consistent(test);
}

static void core_coalesce(struct kunit *test)
{
	void *p[5];
	int i;

	claim_arena(test, ARENA_SIZE);
	for (i = 0; i < 5; i++)
		p[i] = talc_malloc(T(test), 100);
	/* Free 1 and 3: two holes. Free 2: one hole of all three. */
	talc_free(T(test), p[1]);
	talc_free(T(test), p[3]);
	KUNIT_EXPECT_EQ(test, stats(test).fragment_count, 3);
	talc_free(T(test), p[2]);
	KUNIT_EXPECT_EQ(test, stats(test).fragment_count, 2);
	expect_consistent(test);
	/* Free the last: joins the hole below and the top chunk above. */
	talc_free(T(test), p[4]);
	KUNIT_EXPECT_EQ(test, stats(test).fragment_count, 1);
	KUNIT_EXPECT_EQ(test, stats(test).idle_regions, 0);
	talc_free(T(test), p[0]);
	KUNIT_EXPECT_EQ(test, stats(test).fragment_count, 1);
	KUNIT_EXPECT_EQ(test, stats(test).allocation_count, 0);
	KUNIT_EXPECT_EQ(test, stats(test).idle_regions, 1);
	expect_consistent(test);
}

/* Minimal (24-byte) free chunks have no footer: merging must still work. */
static void core_coalesce_minimal(struct kunit *test)
{
	void *p[6];
	int i;

	claim_arena(test, ARENA_SIZE);
	for (i = 0; i < 6; i++)
		p[i] = talc_malloc(T(test), 16);
	talc_free(T(test), p[1]);
	talc_free(T(test), p[3]);
	expect_consistent(test);
	talc_free(T(test), p[2]);	/* merges with a minimal chunk below */
	expect_consistent(test);
	KUNIT_EXPECT_EQ(test, stats(test).fragment_count, 2);
	p[1] = talc_malloc(T(test), 64);
	KUNIT_EXPECT_NOT_NULL(test, p[1]);
	talc_free(T(test), p[4]);
	talc_free(T(test), p[0]);
	talc_free(T(test), p[5]);
	talc_free(T(test), p[1]);
	KUNIT_EXPECT_EQ(test, stats(test).fragment_count, 1);
	expect_consistent(test);
}

/* usable_size validates exactly like free: bad pointers count and report. */
static void core_usable_size(struct kunit *test)
{
	char *mem = claim_arena(test, ARENA_SIZE);
	char *p = talc_malloc(T(test), 1);
	struct talc_block blk;

	KUNIT_EXPECT_EQ(test, talc_usable_size(T(test), p), 16);
	KUNIT_EXPECT_EQ(test, stats(test).bad_frees, 0);
	KUNIT_EXPECT_EQ(test, talc_usable_size(T(test), p + 8), 0);
	KUNIT_EXPECT_EQ(test, events(test, TALC_EV_FREE_INVALID), 1);
	KUNIT_EXPECT_EQ(test, talc_usable_size(T(test), p + 1), 0);
	KUNIT_EXPECT_EQ(test, events(test, TALC_EV_FREE_MISALIGNED), 1);
	KUNIT_EXPECT_EQ(test, talc_usable_size(T(test), mem - 64), 0);
	KUNIT_EXPECT_EQ(test, events(test, TALC_EV_FREE_OUTSIDE), 1);
	KUNIT_EXPECT_PTR_EQ(test, F(test)->last_addr, mem - 64);
	KUNIT_EXPECT_EQ(test, talc_block_info(T(test), p, &blk), 0);
	KUNIT_EXPECT_EQ(test, blk.usable, 16);
	KUNIT_EXPECT_EQ(test, blk.align, TALC_ALIGN);
	talc_free(T(test), p);
	KUNIT_EXPECT_EQ(test, talc_usable_size(T(test), p), 0);
	KUNIT_EXPECT_EQ(test, events(test, TALC_EV_FREE_DOUBLE), 1);
	KUNIT_EXPECT_EQ(test, talc_block_info(T(test), p, &blk), -EINVAL);
	KUNIT_EXPECT_EQ(test, events(test, TALC_EV_FREE_DOUBLE), 2);
	KUNIT_EXPECT_EQ(test, stats(test).bad_frees, 5);
	expect_consistent(test);
}

/* ---- bad pointers: free, usable_size, block_info, realloc, resize ---- */

enum bad_kind { BAD_MISALIGNED, BAD_OUTSIDE, BAD_INTERIOR, BAD_DOUBLE,
		BAD_IN_FREE, BAD_MIMIC, BAD_HEADER, BAD_REGION_HEAD,
		BAD_FIRST_CHUNK, BAD_SENTINEL, BAD_PAST_END, BAD_PAST_EXTEND,
		BAD_PARKED, BAD_PARKED_INTERIOR, NR_BAD_KINDS };

enum bad_op { OP_FREE, OP_USABLE, OP_BLOCK_INFO, OP_REALLOC, OP_RESIZE,
	      NR_BAD_OPS };

static const struct bad_kind_desc {
	enum talc_event ev;
	const char *name;
} bad_kinds[NR_BAD_KINDS] = {
	[BAD_MISALIGNED] = { TALC_EV_FREE_MISALIGNED, "misaligned" },
	[BAD_OUTSIDE] = { TALC_EV_FREE_OUTSIDE, "outside" },
	[BAD_INTERIOR] = { TALC_EV_FREE_INVALID, "interior" },
	[BAD_DOUBLE] = { TALC_EV_FREE_DOUBLE, "double" },
	[BAD_IN_FREE] = { TALC_EV_FREE_INVALID, "into-free-chunk" },
	[BAD_MIMIC] = { TALC_EV_FREE_INVALID, "interior-mimic-header" },
	[BAD_HEADER] = { TALC_EV_FREE_INVALID, "chunk-header-address" },
	[BAD_REGION_HEAD] = { TALC_EV_FREE_OUTSIDE, "region-head" },
	[BAD_FIRST_CHUNK] = { TALC_EV_FREE_OUTSIDE, "first-chunk-address" },
	[BAD_SENTINEL] = { TALC_EV_FREE_INVALID, "region-sentinel" },
	[BAD_PAST_END] = { TALC_EV_FREE_OUTSIDE, "past-region-end" },
	[BAD_PAST_EXTEND] = { TALC_EV_FREE_INVALID, "old-end-after-extend" },
	[BAD_PARKED] = { TALC_EV_FREE_DOUBLE, "parked" },
	[BAD_PARKED_INTERIOR] = { TALC_EV_FREE_INVALID, "parked-interior" },
};

static const char *const bad_op_names[NR_BAD_OPS] = {
	[OP_FREE] = "free", [OP_USABLE] = "usable_size",
	[OP_BLOCK_INFO] = "block_info", [OP_REALLOC] = "realloc",
	[OP_RESIZE] = "resize",
};

struct bad_param {
	enum bad_kind kind;
	enum bad_op op;
};

static struct bad_param bad_params[NR_BAD_KINDS * NR_BAD_OPS];

static const void *bad_gen_params(const void *prev, char *desc)
{
	const struct bad_param *p = prev;
	unsigned int i;

	if (!p) {
		for (i = 0; i < ARRAY_SIZE(bad_params); i++) {
			bad_params[i].kind = i / NR_BAD_OPS;
			bad_params[i].op = i % NR_BAD_OPS;
		}
		p = bad_params;
	} else if (++p >= bad_params + ARRAY_SIZE(bad_params)) {
		return NULL;
	}
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s, %s", bad_kinds[p->kind].name,
		 bad_op_names[p->op]);
	return p;
}

/* Hand @p to @op.  Return: true if @op treated it as a bad pointer. */
static bool bad_op_rejects(struct kunit *test, enum bad_op op, void *p)
{
	struct talc_block blk;

	switch (op) {
	case OP_FREE:
		return talc_free(T(test), p) == -EINVAL;
	case OP_USABLE:
		return talc_usable_size(T(test), p) == 0;
	case OP_BLOCK_INFO:
		return talc_block_info(T(test), p, &blk) == -EINVAL;
	case OP_REALLOC:
		return !talc_realloc(T(test), p, 50);
	case OP_RESIZE:
		return talc_resize(T(test), p, 50, &blk) == -EINVAL;
	default:
		return false;
	}
}

/*
 * Every kind of bad pointer, through every call that takes a pointer: each
 * is rejected with the same report, counted once, and changes nothing.
 */
static void core_bad_pointer(struct kunit *test)
{
	const struct bad_param *bp = test->param_value;
	char *outside = kunit_kzalloc(test, 256, GFP_KERNEL);
	char *mem = kunit_kzalloc(test, ARENA_SIZE + 4096, GFP_KERNEL);
	struct talc_stats st0, st;
	char *p, *q, *r, *victim = NULL;
	unsigned long saved = 0, hi;
	struct talc_block blk;
	unsigned int ev;

	KUNIT_ASSERT_TRUE(test, outside && mem);
	KUNIT_ASSERT_EQ(test, talc_claim(T(test), mem, ARENA_SIZE), 0);
	p = talc_malloc(T(test), 200);
	q = talc_malloc(T(test), 200);
	r = talc_malloc(T(test), 200);
	KUNIT_ASSERT_NOT_NULL(test, r);
	talc_pattern_fill(p, 200, 1);
	talc_pattern_fill(r, 200, 2);
	/* q's body looks like a heap to a careless free */
	memset(q, 0x11, 200);
	talc_free(T(test), q);

	switch (bp->kind) {
	case BAD_MISALIGNED:
		victim = p + 4;
		break;
	case BAD_OUTSIDE:
		victim = outside + 64;
		break;
	case BAD_INTERIOR:
		victim = p + 64;
		break;
	case BAD_DOUBLE:
		victim = q;
		break;
	case BAD_IN_FREE:
		victim = q + 96;
		break;
	case BAD_MIMIC:
		/*
		 * The word in front of the interior pointer is a copy of p's
		 * own header: tag, size and used bit all look right.  Only
		 * the header that should follow it (inside free q) is wrong.
		 */
		victim = p + 64;
		saved = *hdr_of(victim);
		*hdr_of(victim) = *hdr_of(p);
		break;
	case BAD_HEADER:
		victim = (char *)hdr_of(r);
		break;
	case BAD_REGION_HEAD:
		victim = mem + 16;
		break;
	case BAD_FIRST_CHUNK:
		victim = (char *)hdr_of(p);
		KUNIT_ASSERT_PTR_EQ(test, victim, mem + REGION_HEAD);
		break;
	case BAD_SENTINEL:
		victim = mem + ARENA_SIZE - TALC_ALIGN;
		break;
	case BAD_PAST_END:
		victim = mem + ARENA_SIZE;
		break;
	case BAD_PAST_EXTEND:
		/* The old sentinel's word is now inside the top free chunk. */
		KUNIT_ASSERT_EQ(test, talc_extend(T(test), mem,
						  ARENA_SIZE + 4096), 0);
		victim = mem + ARENA_SIZE;
		break;
	case BAD_PARKED:
	case BAD_PARKED_INTERIOR:
		KUNIT_ASSERT_EQ(test, talc_set_quick_depth(T(test), 8), 0);
		KUNIT_ASSERT_EQ(test, talc_free(T(test), r), 0);
		KUNIT_ASSERT_EQ(test, stats(test).quick_chunks, 1);
		victim = bp->kind == BAD_PARKED ? r : r + 64;
		break;
	default:
		KUNIT_FAIL(test, "unknown kind %d", bp->kind);
		return;
	}
	st0 = stats(test);

	/*
	 * talc_block_peek(), given the region's bounds, rejects it too and
	 * neither counts nor reports it (the later checks see one event).
	 */
	hi = (unsigned long)mem + ARENA_SIZE +
	     (bp->kind == BAD_PAST_EXTEND ? 4096 : 0);
	KUNIT_EXPECT_FALSE(test, talc_block_peek(T(test), victim,
						 (unsigned long)mem, hi, &blk));
	KUNIT_EXPECT_TRUE(test, talc_block_peek(T(test), p, (unsigned long)mem,
						hi, &blk));
	KUNIT_EXPECT_EQ(test, blk.requested, 200);
	KUNIT_EXPECT_EQ(test, blk.usable, 200);
	KUNIT_EXPECT_EQ(test, blk.align, TALC_ALIGN);

	KUNIT_EXPECT_TRUE(test, bad_op_rejects(test, bp->op, victim));
	st = stats(test);
	for (ev = 0; ev < NR_EVENTS; ev++)
		KUNIT_EXPECT_EQ_MSG(test, events(test, ev),
				    (unsigned int)(ev == bad_kinds[bp->kind].ev),
				    "event %u reported %u times", ev,
				    events(test, ev));
	KUNIT_EXPECT_PTR_EQ(test, F(test)->last_addr, victim);
	KUNIT_EXPECT_EQ(test, st.bad_frees, st0.bad_frees + 1);
	KUNIT_EXPECT_EQ(test, st.failed_allocations, st0.failed_allocations);
	KUNIT_EXPECT_EQ(test, st.available_bytes, st0.available_bytes);
	KUNIT_EXPECT_EQ(test, st.fragment_count, st0.fragment_count);
	KUNIT_EXPECT_EQ(test, st.quick_chunks, st0.quick_chunks);
	KUNIT_EXPECT_EQ(test, st.allocation_count, st0.allocation_count);
	KUNIT_EXPECT_EQ(test, st.allocated_bytes, st0.allocated_bytes);
	KUNIT_EXPECT_EQ(test, st.total_allocation_count,
			st0.total_allocation_count);
	if (bp->kind == BAD_MIMIC)
		*hdr_of(victim) = saved;
	KUNIT_EXPECT_TRUE(test, talc_pattern_ok(p, 200, 1));
	expect_consistent(test);
	talc_free(T(test), p);
	if (bp->kind == BAD_PARKED || bp->kind == BAD_PARKED_INTERIOR) {
		talc_flush(T(test));
	} else {
		KUNIT_EXPECT_TRUE(test, talc_pattern_ok(r, 200, 2));
		talc_free(T(test), r);
	}
	KUNIT_EXPECT_EQ(test, stats(test).fragment_count, 1);
	KUNIT_EXPECT_EQ(test, stats(test).bad_frees, st0.bad_frees + 1);
	expect_consistent(test);
}

/*
 * Regression (issue finding 3): usable_size validated less than free.
 * After talc_extend() the old sentinel's word lies inside the region; the
 * old usable_size took it for a header of size 0 and returned SIZE_MAX - 7.
 */
static void core_regress_usable_after_extend(struct kunit *test)
{
	char *mem = kunit_kzalloc(test, 16384, GFP_KERNEL);
	char *old_end;
	void *p;

	KUNIT_ASSERT_NOT_NULL(test, mem);
	/* (a) the top chunk is free: the old sentinel is inside it */
	KUNIT_ASSERT_EQ(test, talc_claim(T(test), mem, 4096), 0);
	p = talc_malloc(T(test), 100);
	KUNIT_ASSERT_NOT_NULL(test, p);
	old_end = mem + 4096 - TALC_ALIGN;
	KUNIT_ASSERT_EQ(test, talc_extend(T(test), mem, 8192), 0);
	KUNIT_EXPECT_EQ(test, talc_usable_size(T(test), old_end + 8), 0);
	KUNIT_EXPECT_EQ(test, stats(test).bad_frees, 1);
	KUNIT_EXPECT_EQ(test, events(test, TALC_EV_FREE_INVALID), 1);
	KUNIT_EXPECT_EQ(test, talc_free(T(test), old_end + 8), -EINVAL);
	KUNIT_EXPECT_EQ(test, events(test, TALC_EV_FREE_INVALID), 2);
	KUNIT_EXPECT_NULL(test, talc_realloc(T(test), old_end + 8, 16));
	KUNIT_EXPECT_EQ(test, events(test, TALC_EV_FREE_INVALID), 3);
	expect_consistent(test);

	/* (b) the top chunk is used: the old sentinel became a free header */
	while (talc_malloc(T(test), 8))
		;
	old_end = mem + 8192 - TALC_ALIGN;
	KUNIT_ASSERT_EQ(test, talc_extend(T(test), mem, 12288), 0);
	KUNIT_EXPECT_EQ(test, talc_usable_size(T(test), old_end + 8), 0);
	KUNIT_EXPECT_EQ(test, events(test, TALC_EV_FREE_DOUBLE), 1);
	KUNIT_EXPECT_EQ(test, talc_free(T(test), old_end + 8), -EINVAL);
	KUNIT_EXPECT_EQ(test, events(test, TALC_EV_FREE_DOUBLE), 2);

	/* (c) too little to extend into: the sentinel stays, the pointer
	 * is past it
	 */
	while (talc_malloc(T(test), 8))
		;
	old_end = mem + 12288 - TALC_ALIGN;
	KUNIT_ASSERT_EQ(test, talc_extend(T(test), mem, 12288 + 16), 0);
	KUNIT_EXPECT_EQ(test, talc_usable_size(T(test), old_end + 8), 0);
	KUNIT_EXPECT_EQ(test, events(test, TALC_EV_FREE_OUTSIDE), 1);
	KUNIT_EXPECT_EQ(test, stats(test).bad_frees, 6);
	expect_consistent(test);
}

/*
 * Regression (issue finding 3): an interior pointer whose preceding word
 * mimics a header.  Data written into an allocation puts a tagged header
 * word, copied from a real one, right in front of the interior pointer:
 * usable_size must reject it exactly as free does.
 */
static void core_regress_usable_mimic(struct kunit *test)
{
	size_t sizes[] = { 24, 200, 1000, 5000 };
	unsigned int i, off;

	claim_arena(test, ARENA_SIZE);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		char *p = talc_malloc(T(test), sizes[i]);
		char *n = talc_malloc(T(test), sizes[i]);
		u64 bad = stats(test).bad_frees;

		KUNIT_ASSERT_TRUE(test, p && n);
		memset(p, 0, sizes[i]);
		memset(n, 0, sizes[i]);
		for (off = 8; off < sizes[i]; off += 8) {
			char *v = p + off;

			*hdr_of(v) = *hdr_of(p);
			KUNIT_EXPECT_EQ(test, talc_usable_size(T(test), v), 0);
			KUNIT_EXPECT_PTR_EQ(test, F(test)->last_addr, v);
			KUNIT_EXPECT_EQ(test, talc_free(T(test), v), -EINVAL);
			KUNIT_EXPECT_PTR_EQ(test, F(test)->last_addr, v);
			*hdr_of(v) = 0;
			bad += 2;
		}
		KUNIT_EXPECT_EQ(test, stats(test).bad_frees, bad);
		KUNIT_EXPECT_EQ(test, events(test, TALC_EV_FREE_INVALID), bad);
		KUNIT_EXPECT_EQ(test, talc_usable_size(T(test), p),
				ALIGN(max_t(size_t, sizes[i], 16), 8));
		talc_free(T(test), p);
		talc_free(T(test), n);
	}
	KUNIT_EXPECT_EQ(test, stats(test).allocation_count, 0);
	expect_consistent(test);
}

/* A freed chunk merged into its neighbour is still caught as a double free. */
static void core_double_free_merged(struct kunit *test)
{
	void *a, *b, *c;

	claim_arena(test, ARENA_SIZE);
	a = talc_malloc(T(test), 64);
	b = talc_malloc(T(test), 64);
	c = talc_malloc(T(test), 64);
	talc_free(T(test), a);
	talc_free(T(test), b);	/* merges into a */
	KUNIT_EXPECT_EQ(test, talc_free(T(test), b), -EINVAL);
	KUNIT_EXPECT_EQ(test, talc_free(T(test), a), -EINVAL);
	KUNIT_EXPECT_EQ(test, stats(test).bad_frees, 2);
	KUNIT_EXPECT_EQ(test, events(test, TALC_EV_FREE_DOUBLE), 2);
	KUNIT_EXPECT_EQ(test, talc_free(T(test), c), 0);
	KUNIT_EXPECT_EQ(test, talc_free(T(test), c), -EINVAL);
	KUNIT_EXPECT_EQ(test, stats(test).bad_frees, 3);
	KUNIT_EXPECT_EQ(test, stats(test).fragment_count, 1);
	expect_consistent(test);
}

/* ---- realloc and resize ---- */

static void core_realloc_null_and_zero(struct kunit *test)
{
	void *p;

	claim_arena(test, ARENA_SIZE);
	p = talc_realloc(T(test), NULL, 100);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, stats(test).allocated_bytes, 100);
	KUNIT_EXPECT_NULL(test, talc_realloc(T(test), p, 0));
	KUNIT_EXPECT_EQ(test, stats(test).allocation_count, 0);
	KUNIT_EXPECT_EQ(test, stats(test).fragment_count, 1);
	expect_consistent(test);
}

static void core_realloc_shrink(struct kunit *test)
{
	struct talc_stats st0;
	void *p, *q, *guard;

	claim_arena(test, ARENA_SIZE);
	p = talc_malloc(T(test), 1000);
	guard = talc_malloc(T(test), 8);
	talc_pattern_fill(p, 1000, 4);
	st0 = stats(test);
	q = talc_realloc(T(test), p, 500);
	KUNIT_EXPECT_PTR_EQ(test, q, p);
	KUNIT_EXPECT_TRUE(test, talc_pattern_ok(q, 500, 4));
	KUNIT_EXPECT_EQ(test, stats(test).allocated_bytes,
			st0.allocated_bytes - 500);
	KUNIT_EXPECT_EQ(test, stats(test).available_bytes,
			st0.available_bytes + 496);
	KUNIT_EXPECT_EQ(test, stats(test).fragment_count,
			st0.fragment_count + 1);
	/* Fill the freed tail; then a tail under 24 bytes stays put. */
	KUNIT_EXPECT_PTR_EQ(test, talc_malloc(T(test), 488),
			    (char *)p + 512);
	q = talc_realloc(T(test), p, 490);
	KUNIT_EXPECT_PTR_EQ(test, q, p);
	KUNIT_EXPECT_EQ(test, talc_usable_size(T(test), q), 504);
	KUNIT_EXPECT_EQ(test, stats(test).allocated_bytes,
			st0.allocated_bytes - 510 + 488);
	expect_consistent(test);
	talc_free(T(test), guard);
	talc_free(T(test), q);
	expect_consistent(test);
}

/* Shrinking next to a free chunk moves that chunk's start down. */
static void core_realloc_shrink_into_free(struct kunit *test)
{
	void *p, *q, *n, *guard;

	claim_arena(test, ARENA_SIZE);
	p = talc_malloc(T(test), 1000);
	n = talc_malloc(T(test), 100);
	guard = talc_malloc(T(test), 8);
	talc_free(T(test), n);
	q = talc_realloc(T(test), p, 992);
	KUNIT_EXPECT_PTR_EQ(test, q, p);
	KUNIT_EXPECT_EQ(test, talc_usable_size(T(test), q), 992);
	KUNIT_EXPECT_EQ(test, stats(test).fragment_count, 2);
	expect_consistent(test);
	talc_free(T(test), guard);
	talc_free(T(test), q);
	expect_consistent(test);
}

static void core_realloc_grow_in_place(struct kunit *test)
{
	struct talc_stats st0;
	void *p, *q, *n, *guard;

	claim_arena(test, ARENA_SIZE);
	p = talc_malloc(T(test), 100);
	n = talc_malloc(T(test), 1000);
	guard = talc_malloc(T(test), 8);
	talc_pattern_fill(p, 100, 5);
	talc_free(T(test), n);
	st0 = stats(test);
	q = talc_realloc(T(test), p, 600);
	KUNIT_EXPECT_PTR_EQ(test, q, p);
	KUNIT_EXPECT_TRUE(test, talc_pattern_ok(q, 100, 5));
	KUNIT_EXPECT_EQ(test, stats(test).allocated_bytes,
			st0.allocated_bytes + 500);
	KUNIT_EXPECT_EQ(test, stats(test).total_allocated_bytes,
			st0.total_allocated_bytes + 500);
	/* Grows into the whole neighbour, absorbing a small remainder. */
	q = talc_realloc(T(test), p, 1100);
	KUNIT_EXPECT_PTR_EQ(test, q, p);
	KUNIT_EXPECT_EQ(test, stats(test).fragment_count,
			st0.fragment_count - 1);
	KUNIT_EXPECT_EQ(test, talc_usable_size(T(test), q), 1112);
	expect_consistent(test);
	talc_free(T(test), guard);
	talc_free(T(test), q);
	expect_consistent(test);
}

static void core_realloc_move(struct kunit *test)
{
	void *p, *q, *guard;

	claim_arena(test, ARENA_SIZE);
	p = talc_malloc(T(test), 100);
	guard = talc_malloc(T(test), 8);
	talc_pattern_fill(p, 100, 6);
	q = talc_realloc(T(test), p, 5000);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_PTR_NE(test, q, p);
	KUNIT_EXPECT_TRUE(test, talc_pattern_ok(q, 100, 6));
	KUNIT_EXPECT_EQ(test, stats(test).allocation_count, 2);
	KUNIT_EXPECT_EQ(test, stats(test).allocated_bytes, 5008);
	/* p is free again: the next 100-byte request gets it back. */
	KUNIT_EXPECT_PTR_EQ(test, talc_malloc(T(test), 100), p);
	talc_free(T(test), guard);
	expect_consistent(test);
}

static void core_realloc_keeps_alignment(struct kunit *test)
{
	struct talc_block blk;
	void *p, *q, *guard;

	claim_arena(test, 4 * ARENA_SIZE);
	p = talc_malloc_aligned(T(test), 100, 4096);
	guard = talc_malloc_aligned(T(test), 8, 4096);
	KUNIT_ASSERT_NOT_NULL(test, p);
	talc_pattern_fill(p, 100, 7);
	q = talc_realloc(T(test), p, 20000);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_PTR_NE(test, q, p);
	KUNIT_EXPECT_EQ(test, (uintptr_t)q % 4096, 0);
	KUNIT_EXPECT_TRUE(test, talc_pattern_ok(q, 100, 7));
	KUNIT_EXPECT_EQ(test, talc_block_info(T(test), q, &blk), 0);
	KUNIT_EXPECT_EQ(test, blk.align, 4096);
	q = talc_realloc(T(test), q, 50000);
	KUNIT_EXPECT_EQ(test, (uintptr_t)q % 4096, 0);
	talc_free(T(test), guard);
	talc_free(T(test), q);
	expect_consistent(test);
}

static void core_realloc_fail_keeps_old(struct kunit *test)
{
	struct talc_stats st0;
	void *p, *q;

	claim_arena(test, 8192);
	p = talc_malloc(T(test), 3000);
	q = talc_malloc(T(test), 3000);
	talc_pattern_fill(p, 3000, 8);
	st0 = stats(test);
	KUNIT_EXPECT_NULL(test, talc_realloc(T(test), p, 6000));
	KUNIT_EXPECT_TRUE(test, talc_pattern_ok(p, 3000, 8));
	KUNIT_EXPECT_EQ(test, stats(test).allocated_bytes,
			st0.allocated_bytes);
	KUNIT_EXPECT_EQ(test, stats(test).failed_allocations,
			st0.failed_allocations + 1);
	talc_free(T(test), p);
	talc_free(T(test), q);
	expect_consistent(test);
}

/* talc_resize(): in place or -ENOSPC, never a move. */
static void core_resize(struct kunit *test)
{
	struct talc_stats st0, st;
	struct talc_block old, blk;
	char *p, *n, *guard, *a;

	claim_arena(test, ARENA_SIZE);
	p = talc_malloc(T(test), 100);
	n = talc_malloc(T(test), 1000);
	guard = talc_malloc(T(test), 8);
	KUNIT_ASSERT_NOT_NULL(test, guard);
	talc_pattern_fill(p, 100, 11);
	st0 = stats(test);

	/* shrink: the tail becomes a free chunk */
	KUNIT_EXPECT_EQ(test, talc_resize(T(test), p, 50, &old), 0);
	KUNIT_EXPECT_EQ(test, old.usable, 104);
	KUNIT_EXPECT_EQ(test, old.align, TALC_ALIGN);
	KUNIT_EXPECT_EQ(test, talc_usable_size(T(test), p), 56);
	st = stats(test);
	KUNIT_EXPECT_EQ(test, st.allocated_bytes, st0.allocated_bytes - 50);
	KUNIT_EXPECT_EQ(test, st.fragment_count, st0.fragment_count + 1);
	KUNIT_EXPECT_EQ(test, st.total_allocation_count,
			st0.total_allocation_count);
	KUNIT_EXPECT_TRUE(test, talc_pattern_ok(p, 50, 11));
	expect_consistent(test);
	/* grow back into it */
	KUNIT_EXPECT_EQ(test, talc_resize(T(test), p, 104, &old), 0);
	KUNIT_EXPECT_EQ(test, old.usable, 56);
	KUNIT_EXPECT_EQ(test, talc_usable_size(T(test), p), 104);
	KUNIT_EXPECT_EQ(test, stats(test).fragment_count, st0.fragment_count);
	KUNIT_EXPECT_EQ(test, stats(test).total_allocated_bytes,
			st0.total_allocated_bytes + 54);
	/* the neighbour is used: it would have to move */
	talc_pattern_fill(p, 104, 12);
	st0 = stats(test);
	KUNIT_EXPECT_EQ(test, talc_resize(T(test), p, 200, &old), -ENOSPC);
	KUNIT_EXPECT_EQ(test, old.usable, 104);
	KUNIT_EXPECT_EQ(test, talc_usable_size(T(test), p), 104);
	KUNIT_EXPECT_TRUE(test, talc_pattern_ok(p, 104, 12));
	st = stats(test);
	KUNIT_EXPECT_EQ(test, st.allocated_bytes, st0.allocated_bytes);
	KUNIT_EXPECT_EQ(test, st.available_bytes, st0.available_bytes);
	KUNIT_EXPECT_EQ(test, st.failed_allocations, st0.failed_allocations);
	/* the neighbour is free: grow into it, all of it, then part of it */
	talc_free(T(test), n);
	KUNIT_EXPECT_EQ(test, talc_resize(T(test), p, 600, &old), 0);
	KUNIT_EXPECT_EQ(test, talc_usable_size(T(test), p), 600);
	KUNIT_EXPECT_EQ(test, talc_resize(T(test), p, 1100, &old), 0);
	KUNIT_EXPECT_EQ(test, talc_usable_size(T(test), p), 1112);
	KUNIT_EXPECT_EQ(test, talc_resize(T(test), p, 1113, &old), -ENOSPC);
	KUNIT_EXPECT_TRUE(test, talc_pattern_ok(p, 104, 12));
	expect_consistent(test);
	/* errors */
	KUNIT_EXPECT_EQ(test, talc_resize(T(test), p, SIZE_MAX, &old), -ENOMEM);
	KUNIT_EXPECT_EQ(test, stats(test).failed_allocations,
			st0.failed_allocations + 1);
	KUNIT_EXPECT_EQ(test, talc_resize(T(test), p + 8, 10, &old), -EINVAL);
	KUNIT_EXPECT_EQ(test, events(test, TALC_EV_FREE_INVALID), 1);
	/* n was freed, then swallowed by p: its stale header is free */
	KUNIT_EXPECT_EQ(test, talc_resize(T(test), n, 10, &old), -EINVAL);
	KUNIT_EXPECT_EQ(test, events(test, TALC_EV_FREE_DOUBLE), 1);
	KUNIT_EXPECT_EQ(test, stats(test).bad_frees, 2);
	/* an aligned block reports its alignment, before and after */
	a = talc_malloc_aligned(T(test), 300, 256);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_EXPECT_EQ(test, talc_resize(T(test), a, 100, &old), 0);
	KUNIT_EXPECT_EQ(test, old.align, 256);
	KUNIT_EXPECT_EQ(test, old.usable, 304);
	KUNIT_EXPECT_EQ(test, talc_block_info(T(test), a, &blk), 0);
	KUNIT_EXPECT_EQ(test, blk.align, 256);
	KUNIT_EXPECT_EQ(test, blk.usable, 104);
	talc_free(T(test), a);
	talc_free(T(test), p);
	talc_free(T(test), guard);
	KUNIT_EXPECT_EQ(test, stats(test).allocation_count, 0);
	KUNIT_EXPECT_EQ(test, stats(test).allocated_bytes, 0);
	KUNIT_EXPECT_EQ(test, stats(test).fragment_count, 1);
	expect_consistent(test);
}

/* Growing in place into a poisoned neighbour checks its poison. */
static void core_resize_poison(struct kunit *test)
{
	struct talc_block old;
	char *p, *n, *guard;

	claim_arena(test, ARENA_SIZE);
	talc_set_poison(T(test), true);
	p = talc_malloc(T(test), 100);
	n = talc_malloc(T(test), 1000);
	guard = talc_malloc(T(test), 8);
	talc_free(T(test), n);
	KUNIT_EXPECT_EQ(test, (u8)n[500], TALC_POISON_BYTE);
	KUNIT_EXPECT_EQ(test, talc_resize(T(test), p, 400, &old), 0);
	KUNIT_EXPECT_EQ(test, stats(test).poison_errors, 0);
	n[600] = 1;		/* write after free, above the grown p */
	KUNIT_EXPECT_EQ(test, talc_resize(T(test), p, 900, &old), 0);
	KUNIT_EXPECT_EQ(test, stats(test).poison_errors, 1);
	KUNIT_EXPECT_EQ(test, events(test, TALC_EV_POISON), 1);
	KUNIT_EXPECT_PTR_EQ(test, F(test)->last_addr, n + 600);
	talc_free(T(test), p);
	talc_free(T(test), guard);
	expect_consistent(test);
}

/* ---- counters ---- */

static void core_counters(struct kunit *test)
{
	struct talc_stats st;
	void *a, *b;

	claim_arena(test, ARENA_SIZE);
	a = talc_malloc(T(test), 10);
	b = talc_malloc(T(test), 1000);
	st = stats(test);
	KUNIT_EXPECT_EQ(test, st.allocation_count, 2);
	KUNIT_EXPECT_EQ(test, st.total_allocation_count, 2);
	KUNIT_EXPECT_EQ(test, st.allocated_bytes, 1010);
	KUNIT_EXPECT_EQ(test, st.total_allocated_bytes, 1010);
	KUNIT_EXPECT_EQ(test, st.peak_allocated_bytes, 1010);
	KUNIT_EXPECT_EQ(test, st.overhead_bytes,
			st.claimed_bytes - st.available_bytes - 1010);
	talc_free(T(test), b);
	st = stats(test);
	KUNIT_EXPECT_EQ(test, st.allocation_count, 1);
	KUNIT_EXPECT_EQ(test, st.total_allocation_count, 2);
	KUNIT_EXPECT_EQ(test, st.allocated_bytes, 10);
	KUNIT_EXPECT_EQ(test, st.peak_allocated_bytes, 1010);
	b = talc_malloc(T(test), 20);
	st = stats(test);
	KUNIT_EXPECT_EQ(test, st.total_allocation_count, 3);
	KUNIT_EXPECT_EQ(test, st.total_allocated_bytes, 1030);
	KUNIT_EXPECT_EQ(test, st.peak_allocated_bytes, 1010);
	KUNIT_EXPECT_EQ(test, st.failed_allocations, 0);
	talc_free(T(test), a);
	talc_free(T(test), b);
	st = stats(test);
	KUNIT_EXPECT_EQ(test, st.allocation_count, 0);
	KUNIT_EXPECT_EQ(test, st.allocated_bytes, 0);
	KUNIT_EXPECT_EQ(test, st.fragment_count, 1);
	expect_consistent(test);
}

/*
 * largest_free_chunk counts parked chunks, and looks at no more than
 * TALC_STATS_SCAN chunks of the top bin (so it may be low, but by less
 * than a sixteenth).
 */
static void core_stats_largest(struct kunit *test)
{
	enum { N = TALC_STATS_SCAN + 6 };
	void **p = kunit_kzalloc(test, N * sizeof(*p), GFP_KERNEL);
	void *a, *b;
	size_t largest;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, p);
	claim_arena(test, 2 * ARENA_SIZE);
	a = talc_malloc(T(test), 1000);
	talc_malloc(T(test), 8);
	b = talc_malloc(T(test), 3000);
	talc_malloc(T(test), 8);
	/* N chunks of one bin (4096..4351): the largest is freed first */
	for (i = 0; i < N; i++) {
		p[i] = talc_malloc(T(test), i ? 4088 : 4336);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
		talc_malloc(T(test), 8);
	}
	while (talc_malloc(T(test), 8))
		;
	KUNIT_EXPECT_EQ(test, stats(test).largest_free_chunk, 0);
	talc_free(T(test), b);
	KUNIT_EXPECT_EQ(test, stats(test).largest_free_chunk, 3000);
	talc_set_quick_depth(T(test), 8);
	talc_free(T(test), a);		/* parked */
	KUNIT_EXPECT_EQ(test, stats(test).quick_chunks, 1);
	KUNIT_EXPECT_EQ(test, stats(test).largest_free_chunk, 3000);
	KUNIT_EXPECT_PTR_EQ(test, talc_malloc(T(test), 3000), b);
	KUNIT_EXPECT_EQ(test, stats(test).largest_free_chunk, 1000);
	talc_flush(T(test));
	KUNIT_EXPECT_EQ(test, stats(test).largest_free_chunk, 1000);
	talc_set_quick_depth(T(test), 0);
	/* the 4344-byte chunk among the first TALC_STATS_SCAN: found */
	for (i = 0; i <= 10; i++)
		talc_free(T(test), p[i]);
	KUNIT_EXPECT_EQ(test, stats(test).largest_free_chunk, 4336);
	/* pushed beyond them by later frees (LIFO): low, but not by much */
	for (; i < N; i++)
		talc_free(T(test), p[i]);
	largest = stats(test).largest_free_chunk;
	KUNIT_EXPECT_GE(test, largest, 4096 - TALC_OVERHEAD);
	KUNIT_EXPECT_LE(test, largest, 4344 - TALC_OVERHEAD);
	KUNIT_EXPECT_GT(test, largest, (4344 - TALC_OVERHEAD) / 16 * 15);
	expect_consistent(test);
}

/* ---- walks ---- */

static int count_chunks(void *data, const struct talc_chunk_info *ci)
{
	size_t *n = data;

	n[ci->used]++;
	n[2] += ci->size;
	return 0;
}

static int stop_at_first(void *data, const struct talc_chunk_info *ci)
{
	*(struct talc_chunk_info *)data = *ci;
	return 7;
}

static void core_walk(struct kunit *test)
{
	size_t n[3] = { 0 };
	struct talc_chunk_info first = { 0 };
	void *p[10];
	int i;

	claim_arena(test, ARENA_SIZE);
	claim_arena(test, 8192);
	for (i = 0; i < 10; i++)
		p[i] = talc_malloc(T(test), 100 * (i + 1));
	for (i = 0; i < 10; i += 2)
		talc_free(T(test), p[i]);
	KUNIT_EXPECT_EQ(test, talc_walk(T(test), count_chunks, n), 0);
	KUNIT_EXPECT_EQ(test, n[1], 5);
	KUNIT_EXPECT_EQ(test, n[0], stats(test).fragment_count);
	KUNIT_EXPECT_EQ(test, n[2], stats(test).claimed_bytes -
			2 * (REGION_HEAD + TALC_ALIGN));
	KUNIT_EXPECT_EQ(test, talc_walk(T(test), stop_at_first, &first), 7);
	KUNIT_EXPECT_NOT_NULL(test, first.chunk);
}

/* ---- poisoning ---- */

static void core_poison(struct kunit *test)
{
	char *p, *q;

	claim_arena(test, ARENA_SIZE);
	talc_set_poison(T(test), true);
	p = talc_malloc(T(test), 256);
	q = talc_malloc(T(test), 8);	/* keeps p's chunk separate */
	talc_free(T(test), p);
	/* Reuse without a stray write: nothing to report. */
	p = talc_malloc(T(test), 256);
	KUNIT_EXPECT_EQ(test, stats(test).poison_errors, 0);
	talc_free(T(test), p);
	p[100] = 0x42;		/* write after free */
	KUNIT_EXPECT_EQ(test, talc_check(T(test)), 0);
	p = talc_malloc(T(test), 256);
	KUNIT_EXPECT_EQ(test, stats(test).poison_errors, 1);
	KUNIT_EXPECT_EQ(test, events(test, TALC_EV_POISON), 1);
	KUNIT_EXPECT_PTR_EQ(test, F(test)->last_addr, p + 100);
	talc_free(T(test), q);
	talc_free(T(test), p);
	expect_consistent(test);
}

static void core_poison_merged(struct kunit *test)
{
	char *a, *b, *c, *guard, *big;

	claim_arena(test, ARENA_SIZE);
	talc_set_poison(T(test), true);
	a = talc_malloc(T(test), 100);
	b = talc_malloc(T(test), 16);
	c = talc_malloc(T(test), 100);
	guard = talc_malloc(T(test), 8);
	talc_free(T(test), a);
	talc_free(T(test), c);
	talc_free(T(test), b);	/* merges a, b and c */
	b[4] = 1;		/* lands in the middle of the merged chunk */
	big = talc_malloc(T(test), 200);
	KUNIT_EXPECT_PTR_EQ(test, big, a);
	KUNIT_EXPECT_EQ(test, stats(test).poison_errors, 1);
	talc_free(T(test), big);
	talc_free(T(test), guard);
	expect_consistent(test);
}

/*
 * Extending a region whose top chunk is poisoned: the new space (and the old
 * footer and sentinel inside the grown chunk) holds no poison, and must not
 * be taken for a write after free when the chunk is handed out.
 */
static void core_poison_extend(struct kunit *test)
{
	char *mem = kunit_kzalloc(test, 16384, GFP_KERNEL);
	char *p;

	KUNIT_ASSERT_NOT_NULL(test, mem);
	memset(mem, 0x55, 16384);
	KUNIT_ASSERT_EQ(test, talc_claim(T(test), mem, 4096), 0);
	talc_set_poison(T(test), true);
	p = talc_malloc(T(test), 4096 - REGION_HEAD - 2 * TALC_ALIGN);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, stats(test).fragment_count, 0);
	talc_free(T(test), p);		/* one poisoned chunk spans the region */
	KUNIT_EXPECT_EQ(test, talc_extend(T(test), mem, 8192), 0);
	expect_consistent(test);
	p = talc_malloc(T(test), 8000);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, stats(test).poison_errors, 0);
	KUNIT_EXPECT_EQ(test, events(test, TALC_EV_POISON), 0);
	talc_free(T(test), p);
	/* and the grown chunk is poisoned all over: a stray write is seen */
	KUNIT_EXPECT_EQ(test, talc_extend(T(test), mem, 12288), 0);
	p[9000] = 0;
	p = talc_malloc(T(test), 12000);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, stats(test).poison_errors, 1);
	KUNIT_EXPECT_PTR_EQ(test, F(test)->last_addr, p + 9000);
	talc_free(T(test), p);
	expect_consistent(test);
}

static void core_poison_off(struct kunit *test)
{
	char *p, *q;

	claim_arena(test, ARENA_SIZE);
	p = talc_malloc(T(test), 256);
	q = talc_malloc(T(test), 8);
	talc_free(T(test), p);
	p[100] = 0x42;
	p = talc_malloc(T(test), 256);
	KUNIT_EXPECT_EQ(test, stats(test).poison_errors, 0);
	KUNIT_EXPECT_EQ(test, events(test, TALC_EV_POISON), 0);
	talc_free(T(test), p);
	talc_free(T(test), q);
}

/* ---- out of memory: the owner adds a region and retries ---- */

/*
 * A request that fits nowhere fails at once, counted, with nothing else
 * changed: the core never calls out for memory.  A region of
 * talc_claim_size() bytes makes the retry succeed.
 */
static void core_alloc_fail_then_claim(struct kunit *test)
{
	struct talc_stats st0, st;
	size_t need;
	char *mem;
	void *p;

	claim_arena(test, 4096);
	talc_set_quick_depth(T(test), 8);
	p = talc_malloc(T(test), 100);
	talc_free(T(test), p);			/* parked */
	st0 = stats(test);
	KUNIT_EXPECT_NULL(test, talc_malloc(T(test), 10000));
	st = stats(test);
	KUNIT_EXPECT_EQ(test, st.failed_allocations, 1);
	KUNIT_EXPECT_EQ(test, st.region_count, 1);
	KUNIT_EXPECT_EQ(test, st.claimed_bytes, st0.claimed_bytes);
	KUNIT_EXPECT_EQ(test, st.available_bytes, st0.available_bytes);
	KUNIT_EXPECT_EQ(test, st.allocation_count, 0);
	/* parked chunks were coalesced before giving up */
	KUNIT_EXPECT_EQ(test, st.quick_chunks, 0);
	KUNIT_EXPECT_EQ(test, st.fragment_count, 1);
	expect_consistent(test);

	need = talc_claim_size(10000, TALC_ALIGN);
	KUNIT_EXPECT_GE(test, need, 10000 + talc_region_overhead() +
			TALC_OVERHEAD);
	mem = kunit_kzalloc(test, need, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mem);
	KUNIT_ASSERT_EQ(test, claim_grow(test, mem, need), 0);
	p = talc_malloc(T(test), 10000);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_TRUE(test, (char *)p > mem && (char *)p < mem + need);
	st = stats(test);
	KUNIT_EXPECT_EQ(test, st.failed_allocations, 1);
	KUNIT_EXPECT_EQ(test, st.region_count, 2);
	KUNIT_EXPECT_EQ(test, st.idle_regions, 1);
	/* still nothing for a request larger than both regions */
	KUNIT_EXPECT_NULL(test, talc_malloc(T(test), 100000));
	KUNIT_EXPECT_EQ(test, stats(test).failed_allocations, 2);
	talc_free(T(test), p);
	KUNIT_EXPECT_EQ(test, talc_release(T(test), mem), 0);
	expect_consistent(test);
}

static void core_claim_size_limits(struct kunit *test)
{
	size_t s, prev = 0;

	KUNIT_EXPECT_EQ(test, talc_claim_size(8, 0), 0);
	KUNIT_EXPECT_EQ(test, talc_claim_size(8, 3), 0);
	KUNIT_EXPECT_EQ(test, talc_claim_size(8, 24), 0);
	KUNIT_EXPECT_EQ(test, talc_claim_size(8, TALC_MAX_ALIGN * 2), 0);
	KUNIT_EXPECT_EQ(test, talc_claim_size(SIZE_MAX, 8), 0);
	KUNIT_EXPECT_EQ(test, talc_claim_size(TALC_MAX_CHUNK, 8), 0);
	KUNIT_EXPECT_GT(test, talc_claim_size(8, TALC_MAX_ALIGN), TALC_MAX_ALIGN);
	KUNIT_EXPECT_EQ(test, talc_claim_size(0, 1), talc_claim_size(0, 8));
	KUNIT_EXPECT_EQ(test, talc_claim_size(16, 1), talc_claim_size(1, 8));
	for (s = 0; s < 70000; s += 37) {
		size_t c = talc_claim_size(s, TALC_ALIGN);

		KUNIT_ASSERT_GE(test, c, prev);
		KUNIT_ASSERT_GE(test, c, s + TALC_OVERHEAD +
				talc_region_overhead());
		KUNIT_ASSERT_GE(test, talc_claim_size(s, 4096), c + 4096);
		prev = c;
	}
}

/*
 * The protocol for every size and alignment: after a request failed, a
 * fresh region of talc_claim_size() bytes - at any base alignment, found
 * with the fit scans off - serves the retry.  The heap already holds free
 * chunks of many bins that do not fit.
 */
static void core_claim_size_protocol(struct kunit *test)
{
	static const size_t aligns[] = { 1, 8, 16, 64, 256, 4096, 65536 };
	size_t size = *(const size_t *)test->param_value;
	void **frag = kunit_kzalloc(test, 64 * sizeof(*frag), GFP_KERNEL);
	unsigned int a, off, i, protocol = 0;
	struct talc_stats st;

	KUNIT_ASSERT_NOT_NULL(test, frag);
	claim_arena(test, 32 * 1024);
	for (i = 0; i < 64; i++)
		frag[i] = talc_malloc(T(test), 24 + (i * 37) % 400);
	while (talc_malloc(T(test), 8))
		;
	for (i = 0; i < 64; i += 2)
		talc_free(T(test), frag[i]);
	talc_set_scan_limit(T(test), 0);

	for (a = 0; a < ARRAY_SIZE(aligns); a++) {
		size_t align = aligns[a];

		for (off = 0; off < 8; off++) {
			size_t claim = talc_claim_size(size, align);
			u64 failed;
			char *mem, *p;

			KUNIT_ASSERT_GT(test, claim, size);
			/* use up what fits already, until a request fails */
			for (i = 0; i < 4096; i++) {
				p = talc_malloc_aligned(T(test), size, align);
				if (!p)
					break;
				KUNIT_ASSERT_EQ(test, (uintptr_t)p % align, 0);
			}
			KUNIT_ASSERT_LT(test, i, 4096);
			failed = stats(test).failed_allocations;
			mem = kunit_kzalloc(test, claim + 8, GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(test, mem);
			KUNIT_ASSERT_EQ(test, claim_grow(test, mem + off, claim), 0);
			p = talc_malloc_aligned(T(test), size, align);
			KUNIT_ASSERT_TRUE_MSG(test, p,
					      "size %zu align %zu base +%u: claim_size %zu does not serve it",
					      size, align, off, claim);
			KUNIT_EXPECT_EQ(test, (uintptr_t)p % align, 0);
			KUNIT_EXPECT_TRUE(test, p > mem && p + size <= mem + off + claim);
			KUNIT_EXPECT_GE(test, talc_usable_size(T(test), p), size);
			KUNIT_EXPECT_EQ(test, stats(test).failed_allocations, failed);
			talc_pattern_fill(p, size, off);
			protocol++;
		}
	}
	KUNIT_EXPECT_EQ(test, protocol, ARRAY_SIZE(aligns) * 8);
	st = stats(test);
	KUNIT_EXPECT_EQ(test, st.region_count, 1 + protocol);
	KUNIT_EXPECT_EQ(test, st.bad_frees, 0);
	expect_consistent(test);
}

/* ---- talc_check catches corruption (the private fields on purpose) ---- */

enum corruption { C_HDR_TAG, C_USED_SIZE, C_FOOTER, C_BITMAP, C_SUMMARY,
		  C_LINK, C_WRONG_BIN, C_COUNTER, C_PREV_FLAG, C_SENTINEL,
		  C_INDEX, C_MARK, C_IDLE_MARK, C_IDLE_COUNT };

static const struct corrupt_case {
	enum corruption kind;
	const char *name;
	const char *what;	/* the report expected */
} corrupt_cases[] = {
	{ C_HDR_TAG, "header-tag", "chunk header tag mismatch" },
	{ C_USED_SIZE, "used-chunk-size", "chunk header tag mismatch" },
	{ C_FOOTER, "free-footer", "free chunk footer disagrees with its header" },
	{ C_BITMAP, "bitmap-bit", "bitmap bit of a free chunk's bin is clear" },
	{ C_SUMMARY, "bitmap-summary", "summary bit disagrees with its bitmap word" },
	{ C_LINK, "free-list-link", "free list back link broken" },
	{ C_WRONG_BIN, "chunk-in-wrong-bin", "free list back link broken" },
	{ C_COUNTER, "available-counter", "free counters disagree with the walk" },
	{ C_PREV_FLAG, "prev-free-flag", "prev-free flags disagree with the chunk below" },
	{ C_SENTINEL, "region-sentinel", "region sentinel broken" },
	{ C_INDEX, "region-index", "region index out of order or out of bounds" },
	{ C_MARK, "region-head-mark", "region head mark broken" },
	{ C_IDLE_MARK, "idle-mark", "idle mark disagrees with the region" },
	{ C_IDLE_COUNT, "idle-count", "idle region count disagrees with the regions" },
};

static void corrupt_desc(const struct corrupt_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", c->name);
}

KUNIT_ARRAY_PARAM(corrupt, corrupt_cases, corrupt_desc);

static void core_check_catches(struct kunit *test)
{
	const struct corrupt_case *cc = test->param_value;
	struct talc *t = T(test);
	unsigned long *word = NULL, saved = 0;
	struct talc_chunk **slot = NULL, *saved_slot = NULL;
	size_t saved_avail, saved_idle;
	char *mem, *p[4];
	unsigned int b = 0, i;

	mem = claim_arena(test, ARENA_SIZE);
	for (i = 0; i < 4; i++)
		p[i] = talc_malloc(t, 200);
	talc_free(t, p[1]);	/* free chunk of 208 bytes at p[1] - 8 */
	b = talc_bin_of(208);
	expect_consistent(test);
	saved_avail = t->available_bytes;
	saved_idle = t->idle_count;

	switch (cc->kind) {
	case C_HDR_TAG:
		word = hdr_of(p[2]);
		saved = *word;
		*word ^= 1UL << 60;
		break;
	case C_USED_SIZE:
		word = hdr_of(p[2]);
		saved = *word;
		*word += 8;	/* the next header is now looked for in p[3] */
		break;
	case C_FOOTER:
		word = hdr_of(p[1]) + 208 / 8 - 1;
		saved = *word;
		*word = 200;
		break;
	case C_BITMAP:
		word = &t->avail[b / BITS_PER_LONG];
		saved = *word;
		*word &= ~BIT(b % BITS_PER_LONG);
		break;
	case C_SUMMARY:
		word = &t->avail_l1;
		saved = *word;
		*word = 0;
		break;
	case C_LINK:
		word = hdr_of(p[1]) + 2;	/* prev link of the head */
		saved = *word;
		*word = (unsigned long)p[3];
		break;
	case C_WRONG_BIN:
		slot = &t->bins[b + 1];
		saved_slot = *slot;
		*slot = t->bins[b];
		t->bins[b] = NULL;
		break;
	case C_COUNTER:
		t->available_bytes += 8;
		break;
	case C_PREV_FLAG:
		word = hdr_of(p[2]);
		saved = *word;
		*word &= ~2UL;	/* HDR_PREV_FREE */
		break;
	case C_SENTINEL:
		word = (unsigned long *)(mem + ARENA_SIZE - 8);
		saved = *word;
		*word = 0;
		break;
	case C_INDEX:
		word = &t->index_hi[0];
		saved = *word;
		*word += 8;	/* the sentinel one word past the region */
		break;
	case C_MARK:
		word = (unsigned long *)t->index_lo[0] - 1;
		KUNIT_ASSERT_PTR_EQ(test, (void *)(word + 1), (void *)hdr_of(p[0]));
		saved = *word;
		*word &= ~1UL;	/* HDR_USED: the first chunk's neighbour */
		break;
	case C_IDLE_MARK:
		word = hdr_of(p[1]);
		saved = *word;
		*word |= BIT(41);	/* HDR_IDLE on a chunk that spans nothing */
		break;
	case C_IDLE_COUNT:
		t->idle_count++;
		break;
	}
	KUNIT_EXPECT_EQ(test, talc_check(t), -EUCLEAN);
	KUNIT_EXPECT_EQ(test, F(test)->events[TALC_EV_CORRUPT], 1);
	KUNIT_ASSERT_NOT_NULL(test, F(test)->last_what);
	kunit_info(test, "reported: %s", F(test)->last_what);
	KUNIT_EXPECT_EQ_MSG(test, strcmp(F(test)->last_what, cc->what), 0,
			    "expected \"%s\"", cc->what);

	/* Repair and the heap is whole again. */
	if (word)
		*word = saved;
	if (slot) {
		t->bins[b] = *slot;
		*slot = saved_slot;
	}
	t->available_bytes = saved_avail;
	t->idle_count = saved_idle;
	F(test)->events[TALC_EV_CORRUPT] = 0;
	expect_consistent(test);
	for (i = 0; i < 4; i++)
		if (i != 1)
			talc_free(t, p[i]);
	expect_consistent(test);
}

/* ---- quick lists ---- */

static void core_quick_reuse(struct kunit *test)
{
	struct talc_stats st0, st;
	void *p, *q, *guard;
	int i;

	claim_arena(test, ARENA_SIZE);
	talc_set_quick_depth(T(test), TALC_DEFAULT_QUICK_DEPTH);
	p = talc_malloc(T(test), 64);
	guard = talc_malloc(T(test), 8);
	st0 = stats(test);
	talc_free(T(test), p);
	st = stats(test);
	/* Parked, not merged: one more fragment, same chunk comes back. */
	KUNIT_EXPECT_EQ(test, st.fragment_count, st0.fragment_count + 1);
	KUNIT_EXPECT_EQ(test, st.available_bytes, st0.available_bytes + 72);
	KUNIT_EXPECT_EQ(test, st.allocation_count, st0.allocation_count - 1);
	KUNIT_EXPECT_EQ(test, st.allocated_bytes, st0.allocated_bytes - 64);
	KUNIT_EXPECT_EQ(test, st.quick_chunks, 1);
	KUNIT_EXPECT_EQ(test, st.quick_bytes, 72);
	expect_consistent(test);
	/* A parked chunk is still a double free and has no usable size. */
	KUNIT_EXPECT_EQ(test, talc_free(T(test), p), -EINVAL);
	KUNIT_EXPECT_EQ(test, events(test, TALC_EV_FREE_DOUBLE), 1);
	KUNIT_EXPECT_EQ(test, talc_usable_size(T(test), p), 0);
	KUNIT_EXPECT_EQ(test, events(test, TALC_EV_FREE_DOUBLE), 2);
	KUNIT_EXPECT_EQ(test, stats(test).bad_frees, 2);
	q = talc_malloc(T(test), 60);	/* same chunk size: 72 */
	KUNIT_EXPECT_PTR_EQ(test, q, p);
	KUNIT_EXPECT_EQ(test, stats(test).allocated_bytes,
			st0.allocated_bytes - 4);
	KUNIT_EXPECT_EQ(test, talc_usable_size(T(test), q), 64);
	KUNIT_EXPECT_EQ(test, stats(test).quick_chunks, 0);
	expect_consistent(test);
	/* Depth bound: the ninth free of a size is coalesced. */
	for (i = 0; i < 10; i++)
		talc_malloc(T(test), 200);
	talc_free(T(test), q);
	talc_free(T(test), guard);
	KUNIT_EXPECT_LE(test, stats(test).quick_chunks, 2);
	expect_consistent(test);
}

static void core_quick_depth_bound(struct kunit *test)
{
	void *p[12], *g[12];
	int i;

	claim_arena(test, ARENA_SIZE);
	talc_set_quick_depth(T(test), 4);
	for (i = 0; i < 12; i++) {
		p[i] = talc_malloc(T(test), 100);
		g[i] = talc_malloc(T(test), 8);
	}
	for (i = 0; i < 12; i++)
		talc_free(T(test), p[i]);
	KUNIT_EXPECT_EQ(test, stats(test).quick_chunks, 4);
	KUNIT_EXPECT_EQ(test, stats(test).quick_bytes, 4 * 112);
	expect_consistent(test);
	for (i = 0; i < 12; i++)
		talc_free(T(test), g[i]);
	KUNIT_EXPECT_EQ(test, stats(test).quick_chunks, 8);
	expect_consistent(test);
}

/* Parked chunks are coalesced before an allocation would fail. */
static void core_quick_flush_on_failure(struct kunit *test)
{
	/* 1 MiB: 16 KiB may be parked; 64 chunks of 8 sizes, 8 a list */
	size_t max = SZ_1M / 112;
	void **p = kunit_kzalloc(test, max * sizeof(*p), GFP_KERNEL);
	size_t i, n = 0;
	u64 failed;

	KUNIT_ASSERT_NOT_NULL(test, p);
	claim_arena(test, SZ_1M);
	talc_set_quick_depth(T(test), 64);
	/* fill the region, then free 64 neighbours: nothing else is free */
	while (n < max && (p[n] = talc_malloc(T(test), 100 + 8 * (n % 8))))
		n++;
	KUNIT_ASSERT_LT(test, n, max);
	failed = stats(test).failed_allocations;
	for (i = 0; i < 64; i++)
		talc_free(T(test), p[n / 2 + i]);
	KUNIT_EXPECT_EQ(test, stats(test).quick_chunks, 64);
	KUNIT_EXPECT_LT(test, stats(test).largest_free_chunk, 4000);
	p[n / 2] = talc_malloc(T(test), 4000);
	KUNIT_EXPECT_NOT_NULL(test, p[n / 2]);
	KUNIT_EXPECT_EQ(test, stats(test).quick_chunks, 0);
	KUNIT_EXPECT_EQ(test, stats(test).failed_allocations, failed);
	expect_consistent(test);
	for (i = 0; i < n; i++)
		if (i <= n / 2 || i >= n / 2 + 64)
			talc_free(T(test), p[i]);
	talc_flush(T(test));
	KUNIT_EXPECT_EQ(test, stats(test).fragment_count, 1);
}

/*
 * A quick list holds quick_depth chunks, but no more than
 * TALC_QUICK_BIN_BYTES worth (one at least); all of them together stay
 * below 1/64 of the claimed bytes (plus the chunk that crossed the line).
 * What is not parked is coalesced at once.
 */
static void core_quick_byte_bound(struct kunit *test)
{
	static const size_t sizes[] = { 100, 600, 1000, 1500, 3000, 4000 };
	enum { N = 20 };
	void *p[8][N], *guard[8][N];
	size_t i, j, want = 0, cap;
	struct talc_stats st;
	void *mem;

	talc_set_quick_depth(T(test), TALC_QUICK_DEPTH_MAX);
	mem = claim_arena(test, 2 * SZ_1M);	/* 32 KiB may be parked */
	/* each block between two used ones: a free never merges */
	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		for (j = 0; j < N; j++) {
			p[i][j] = talc_malloc(T(test), sizes[i]);
			guard[i][j] = talc_malloc(T(test), 8);
			KUNIT_ASSERT_NOT_NULL(test, p[i][j]);
			KUNIT_ASSERT_NOT_NULL(test, guard[i][j]);
		}
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t chunk = ALIGN(sizes[i] + TALC_OVERHEAD, TALC_ALIGN);
		size_t lo = talc_bin_min_size(talc_bin_of(chunk));

		want += max_t(size_t, 1, TALC_QUICK_BIN_BYTES / lo);
		for (j = 0; j < N; j++)
			talc_free(T(test), p[i][j]);
	}
	st = stats(test);
	/* 100 B: 13 of 20; 600 B: 2; the others 1 each */
	KUNIT_EXPECT_EQ(test, want, 13 + 2 + 1 + 1 + 1 + 1);
	KUNIT_EXPECT_EQ(test, st.quick_chunks, want);
	KUNIT_EXPECT_EQ(test, st.fragment_count,
			want + ARRAY_SIZE(sizes) * N - want + 1);
	expect_consistent(test);
	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		for (j = 0; j < N; j++)
			talc_free(T(test), guard[i][j]);
	talc_flush(T(test));
	KUNIT_EXPECT_EQ(test, talc_release(T(test), mem), 0);

	/* 512 KiB: 8 KiB may be parked, fewer than the lists would hold */
	mem = claim_arena(test, SZ_512K);
	cap = SZ_512K / 64;
	for (i = 0; i < 8; i++)
		for (j = 0; j < N; j++) {
			p[i][j] = talc_malloc(T(test), 100 + 16 * i);
			KUNIT_ASSERT_NOT_NULL(test, p[i][j]);
			KUNIT_ASSERT_NOT_NULL(test, talc_malloc(T(test), 8));
		}
	for (i = 0; i < 8; i++)
		for (j = 0; j < N; j++)
			talc_free(T(test), p[i][j]);
	st = stats(test);
	KUNIT_EXPECT_GE(test, st.quick_bytes, cap);
	KUNIT_EXPECT_LT(test, st.quick_bytes, cap + 240);
	expect_consistent(test);
	talc_flush(T(test));

	/* poisoning: nothing is parked at all */
	talc_set_poison(T(test), true);
	for (j = 0; j < 8; j++)
		p[0][j] = talc_malloc(T(test), 100);
	for (j = 0; j < 8; j++)
		talc_free(T(test), p[0][j]);
	KUNIT_EXPECT_EQ(test, stats(test).quick_chunks, 0);
	KUNIT_EXPECT_EQ(test, stats(test).poison_errors, 0);
	expect_consistent(test);
}

/* An aligned request takes an aligned parked chunk behind the list's head. */
static void core_quick_aligned_pop(struct kunit *test)
{
	void *p[4], *aligned = NULL, *unaligned = NULL;
	struct talc_block blk;
	int i;

	claim_arena(test, 8192);
	talc_set_quick_depth(T(test), 8);
	for (i = 0; i < 4; i++) {
		p[i] = talc_malloc(T(test), 100);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
		KUNIT_ASSERT_NOT_NULL(test, talc_malloc(T(test), 8));
	}
	/* 112 + 24 bytes apart: payloads alternate between 16k and 16k + 8 */
	for (i = 0; i < 4; i++) {
		if ((uintptr_t)p[i] % 16)
			unaligned = p[i];
		else
			aligned = p[i];
	}
	KUNIT_ASSERT_NOT_NULL(test, aligned);
	KUNIT_ASSERT_NOT_NULL(test, unaligned);
	talc_free(T(test), aligned);
	talc_free(T(test), unaligned);	/* the head, not 16-aligned */
	KUNIT_EXPECT_EQ(test, stats(test).quick_chunks, 2);
	KUNIT_EXPECT_PTR_EQ(test, talc_malloc_aligned(T(test), 100, 16), aligned);
	KUNIT_EXPECT_EQ(test, stats(test).quick_chunks, 1);
	KUNIT_EXPECT_PTR_EQ(test, talc_malloc(T(test), 100), unaligned);
	KUNIT_EXPECT_EQ(test, stats(test).quick_chunks, 0);
	/* the headers say what was asked for, not what was parked */
	KUNIT_EXPECT_EQ(test, talc_block_info(T(test), aligned, &blk), 0);
	KUNIT_EXPECT_EQ(test, blk.align, 16);
	KUNIT_EXPECT_EQ(test, blk.usable, 104);
	KUNIT_EXPECT_EQ(test, talc_block_info(T(test), unaligned, &blk), 0);
	KUNIT_EXPECT_EQ(test, blk.align, TALC_ALIGN);
	KUNIT_EXPECT_EQ(test, stats(test).allocated_bytes, 4 * 100 + 4 * 8);
	expect_consistent(test);
}

/* Region operations see through parked chunks. */
static void core_quick_region_ops(struct kunit *test)
{
	char *mem = claim_arena(test, 8192);
	void *p;

	talc_set_quick_depth(T(test), 8);
	p = talc_malloc(T(test), 100);
	talc_free(T(test), p);
	KUNIT_EXPECT_EQ(test, stats(test).quick_chunks, 1);
	KUNIT_EXPECT_EQ(test, talc_release(T(test), mem), 0);
	KUNIT_EXPECT_EQ(test, stats(test).available_bytes, 0);
	KUNIT_EXPECT_EQ(test, stats(test).fragment_count, 0);
	KUNIT_EXPECT_EQ(test, stats(test).quick_chunks, 0);
	expect_consistent(test);
}

/* Poisoning turned on coalesces what is parked (parked chunks hold none). */
static void core_quick_poison_flush(struct kunit *test)
{
	char *p, *g;

	claim_arena(test, 8192);
	talc_set_quick_depth(T(test), 8);
	p = talc_malloc(T(test), 100);
	g = talc_malloc(T(test), 8);
	talc_free(T(test), p);
	KUNIT_EXPECT_EQ(test, stats(test).quick_chunks, 1);
	talc_set_poison(T(test), true);
	KUNIT_EXPECT_EQ(test, stats(test).quick_chunks, 0);
	/* and nothing is parked while it is on */
	talc_free(T(test), g);
	KUNIT_EXPECT_EQ(test, stats(test).quick_chunks, 0);
	KUNIT_EXPECT_EQ(test, stats(test).fragment_count, 1);
	KUNIT_EXPECT_EQ(test, stats(test).idle_regions, 1);
	expect_consistent(test);
}

/* ---- the region index ---- */

/* talc_index_bytes() and talc_set_index() on their own. */
static void core_index_set(struct kunit *test)
{
	struct talc *t = T(test);
	char *mem = kunit_kzalloc(test, 8 * 4096, GFP_KERNEL);
	unsigned long *idx = kunit_kzalloc(test, 64 * 16, GFP_KERNEL);
	void *old = idx;
	int i;

	KUNIT_ASSERT_TRUE(test, mem && idx);
	for (i = 0; i < TALC_INDEX_INLINE; i++) {
		KUNIT_EXPECT_EQ(test, talc_index_bytes(t), 0);
		KUNIT_ASSERT_EQ(test, talc_claim(t, mem + i * 4096, 4096), 0);
	}
	KUNIT_EXPECT_EQ(test, talc_index_bytes(t),
			TALC_INDEX_BYTES(2 * TALC_INDEX_INLINE));
	KUNIT_EXPECT_EQ(test, talc_claim(t, mem + 4 * 4096, 4096), -ENOSPC);
	/* nothing changed by the refusal */
	KUNIT_EXPECT_EQ(test, stats(test).region_count, TALC_INDEX_INLINE);
	KUNIT_EXPECT_EQ(test, stats(test).claimed_bytes, 4 * 4096);
	/* bad index memory: refused, nothing changes, no old memory */
	KUNIT_EXPECT_EQ(test, talc_set_index(t, NULL, 1024, &old), -EINVAL);
	KUNIT_EXPECT_NULL(test, old);
	old = idx;
	KUNIT_EXPECT_EQ(test, talc_set_index(t, (char *)idx + 4, 512, &old),
			-EINVAL);
	KUNIT_EXPECT_NULL(test, old);
	KUNIT_EXPECT_EQ(test, talc_set_index(t, idx, TALC_INDEX_BYTES(3), &old),
			-EINVAL);
	KUNIT_EXPECT_EQ(test,
			talc_set_index(t, idx, TALC_INDEX_BYTES(4) - 1, &old),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, talc_claim(t, mem + 4 * 4096, 4096), -ENOSPC);
	expect_consistent(test);
	/* just enough: still full */
	KUNIT_EXPECT_EQ(test, talc_set_index(t, idx, TALC_INDEX_BYTES(4), &old),
			0);
	KUNIT_EXPECT_NULL(test, old);		/* was the built-in one */
	KUNIT_EXPECT_EQ(test, talc_claim(t, mem + 4 * 4096, 4096), -ENOSPC);
	expect_consistent(test);
	/* a larger one, at another address: the old memory comes back */
	KUNIT_EXPECT_EQ(test,
			talc_set_index(t, idx + 16, TALC_INDEX_BYTES(32), &old),
			0);
	KUNIT_EXPECT_PTR_EQ(test, old, (void *)idx);
	memset(idx, 0xa5, 16 * sizeof(*idx));
	KUNIT_EXPECT_EQ(test, talc_index_bytes(t), 0);
	for (i = 4; i < 8; i++)
		KUNIT_EXPECT_EQ(test, talc_claim(t, mem + i * 4096, 4096), 0);
	KUNIT_EXPECT_EQ(test, stats(test).region_count, 8);
	expect_consistent(test);
	for (i = 0; i < 8; i++)
		KUNIT_EXPECT_NOT_NULL(test, talc_malloc(t, 3000));
	KUNIT_EXPECT_NULL(test, talc_malloc(t, 3000));
	KUNIT_EXPECT_EQ(test, stats(test).idle_regions, 0);
	expect_consistent(test);
}

/*
 * Many regions claimed in random address order from one buffer, with
 * gaps: the index grows through the -ENOSPC protocol; every allocation is
 * found in its region by free and usable_size; pointers in the gaps, in
 * the region heads and just past each region's end are rejected without
 * being read (the gaps are poisoned for ASan); regions released in the
 * middle and claimed again.
 */
#define NR_IREG		64
#define IREG_STRIDE	5120

struct ireg {
	char *base;
	size_t size;
};

static void core_index_many_regions(struct kunit *test)
{
	char *buf = kunit_kzalloc(test, NR_IREG * IREG_STRIDE + 64, GFP_KERNEL);
	struct ireg *reg = kunit_kzalloc(test, NR_IREG * sizeof(*reg), GFP_KERNEL);
	unsigned int *order = kunit_kzalloc(test, NR_IREG * sizeof(*order),
					    GFP_KERNEL);
	enum { MAXP = NR_IREG * 4096 / 32 };
	void **ptr = kunit_kzalloc(test, MAXP * sizeof(*ptr), GFP_KERNEL);
	unsigned int i, j, k, n = 0, probes = 0;
	struct talc_region_info ri;
	u32 seed = 2024;
	void *after;

	KUNIT_ASSERT_TRUE(test, buf && reg && order && ptr);
	for (i = 0; i < NR_IREG; i++) {
		/* some bases and ends unaligned, gaps of 1280 bytes and more */
		reg[i].base = buf + i * IREG_STRIDE + (i % 3 == 1 ? 5 : 0);
		reg[i].size = 3840 - (i % 5) * 512 - (i % 4 == 3 ? 3 : 0);
		order[i] = i;
	}
	for (i = NR_IREG - 1; i > 0; i--) {
		j = next_rand(&seed) % (i + 1);
		k = order[i];
		order[i] = order[j];
		order[j] = k;
	}
	for (i = 0; i < NR_IREG; i++) {
		char *end = reg[i].base + reg[i].size;
		char *next = i + 1 < NR_IREG ? reg[i + 1].base :
			     buf + NR_IREG * IREG_STRIDE;

		gap_poison(PTR_ALIGN(end, 8),
			   (char *)ALIGN_DOWN((uintptr_t)next, 8) -
			   PTR_ALIGN(end, 8));
	}
	for (i = 0; i < NR_IREG; i++) {
		struct ireg *r = &reg[order[i]];

		KUNIT_ASSERT_EQ(test, claim_grow(test, r->base, r->size), 0);
	}
	KUNIT_EXPECT_EQ(test, F(test)->index_grows, 4);	/* 4 -> 64 */
	KUNIT_EXPECT_EQ(test, stats(test).region_count, NR_IREG);
	KUNIT_EXPECT_EQ(test, stats(test).idle_regions, NR_IREG);
	expect_consistent(test);

	/* the regions in address order */
	after = NULL;
	for (i = 0; i < NR_IREG; i++) {
		KUNIT_ASSERT_EQ(test, talc_region_next(T(test), after, &ri), 0);
		KUNIT_EXPECT_PTR_EQ(test, ri.base, reg[i].base);
		KUNIT_EXPECT_EQ(test, ri.size, reg[i].size);
		after = ri.base;
	}
	KUNIT_EXPECT_EQ(test, talc_region_next(T(test), after, &ri), -ENOENT);

	/* fill every region; each block lies in one */
	while (n < MAXP && (ptr[n] = talc_malloc(T(test), 8 + (n % 4) * 40))) {
		k = ((char *)ptr[n] - buf) / IREG_STRIDE;
		KUNIT_ASSERT_LT(test, k, NR_IREG);
		KUNIT_ASSERT_TRUE(test, (char *)ptr[n] >= reg[k].base &&
				  (char *)ptr[n] + 8 + (n % 4) * 40 <=
				  reg[k].base + reg[k].size);
		talc_pattern_fill(ptr[n], 8 + (n % 4) * 40, n);
		n++;
	}
	KUNIT_ASSERT_LT(test, n, MAXP);
	KUNIT_EXPECT_GT(test, n, NR_IREG * 20);
	KUNIT_EXPECT_EQ(test, stats(test).idle_regions, 0);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_GE(test, talc_usable_size(T(test), ptr[i]),
				8 + (i % 4) * 40);
	KUNIT_EXPECT_EQ(test, stats(test).bad_frees, 0);

	/* pointers around every region: rejected, never read */
	for (i = 0; i < NR_IREG; i++) {
		char *lo = PTR_ALIGN(reg[i].base, 8);
		char *hi = (char *)ALIGN_DOWN((uintptr_t)(reg[i].base +
							  reg[i].size), 8);
		char *const outside[] = { lo, lo + 8, lo + REGION_HEAD,
				    hi, hi + 8, hi + 64, lo - 8, lo - 64 };
		char *sentinel = hi - 8;

		for (j = 0; j < ARRAY_SIZE(outside); j++) {
			KUNIT_EXPECT_EQ(test, talc_free(T(test), outside[j]),
					-EINVAL);
			KUNIT_EXPECT_EQ(test, talc_usable_size(T(test),
							       outside[j]), 0);
			probes += 2;
			KUNIT_EXPECT_EQ_MSG(test, events(test, TALC_EV_FREE_OUTSIDE),
					    probes, "region %u probe %u", i, j);
		}
		/* the sentinel: inside, but no chunk starts in front of it */
		KUNIT_EXPECT_EQ(test, talc_usable_size(T(test), sentinel), 0);
		KUNIT_EXPECT_EQ(test, talc_free(T(test), sentinel), -EINVAL);
	}
	KUNIT_EXPECT_EQ(test, events(test, TALC_EV_FREE_OUTSIDE) +
			events(test, TALC_EV_FREE_INVALID), probes + 2 * NR_IREG);
	KUNIT_EXPECT_EQ(test, events(test, TALC_EV_FREE_DOUBLE), 0);
	KUNIT_EXPECT_EQ(test, events(test, TALC_EV_FREE_MISALIGNED), 0);
	expect_consistent(test);

	/* free the blocks of the regions in the middle, and release them */
	for (i = 0; i < n; i++) {
		k = ((char *)ptr[i] - buf) / IREG_STRIDE;
		if (k < 20 || k >= 44)
			continue;
		KUNIT_ASSERT_TRUE(test, talc_pattern_ok(ptr[i], 8 + (i % 4) * 40,
							i));
		KUNIT_ASSERT_EQ(test, talc_free(T(test), ptr[i]), 0);
		ptr[i] = NULL;
	}
	KUNIT_EXPECT_EQ(test, stats(test).idle_regions, 24);
	for (k = 20; k < 44; k++)
		KUNIT_ASSERT_EQ(test, talc_release(T(test), reg[k].base), 0);
	KUNIT_EXPECT_EQ(test, stats(test).region_count, NR_IREG - 24);
	KUNIT_EXPECT_EQ(test, stats(test).idle_regions, 0);
	expect_consistent(test);
	/* a pointer into a released region is outside now */
	KUNIT_EXPECT_EQ(test, talc_usable_size(T(test), reg[30].base + 1024), 0);
	KUNIT_EXPECT_EQ(test, events(test, TALC_EV_FREE_OUTSIDE), probes + 1);
	/* the others are still found */
	for (i = 0; i < n; i++)
		if (ptr[i])
			KUNIT_ASSERT_GE(test, talc_usable_size(T(test), ptr[i]),
					8 + (i % 4) * 40);
	KUNIT_ASSERT_EQ(test, talc_region_next(T(test), reg[19].base, &ri), 0);
	KUNIT_EXPECT_PTR_EQ(test, ri.base, reg[44].base);
	/* from the base of a region that is gone: the next one by address */
	KUNIT_ASSERT_EQ(test, talc_region_next(T(test), reg[30].base, &ri), 0);
	KUNIT_EXPECT_PTR_EQ(test, ri.base, reg[44].base);

	/* claimed again, from the top down: inserted in the middle */
	for (k = 43; k >= 20; k--)
		KUNIT_ASSERT_EQ(test, claim_grow(test, reg[k].base, reg[k].size),
				0);
	KUNIT_EXPECT_EQ(test, F(test)->index_grows, 4);
	KUNIT_EXPECT_EQ(test, stats(test).idle_regions, 24);
	expect_consistent(test);
	for (i = 0; i < n; i++) {
		if (!ptr[i])
			continue;
		KUNIT_ASSERT_TRUE(test, talc_pattern_ok(ptr[i], 8 + (i % 4) * 40,
							i));
		KUNIT_ASSERT_EQ(test, talc_free(T(test), ptr[i]), 0);
	}
	KUNIT_EXPECT_EQ(test, stats(test).idle_regions, NR_IREG);
	KUNIT_EXPECT_EQ(test, stats(test).allocation_count, 0);
	for (i = 0; i < NR_IREG; i++)
		KUNIT_ASSERT_EQ(test, talc_release(T(test), reg[order[i]].base),
				0);
	KUNIT_EXPECT_EQ(test, stats(test).region_count, 0);
	KUNIT_EXPECT_EQ(test, stats(test).claimed_bytes, 0);
	expect_consistent(test);
	gap_unpoison(buf, NR_IREG * IREG_STRIDE + 64);
}

/* ---- idle regions ---- */

static bool region_idle(struct kunit *test, void *base)
{
	struct talc_region_info ri;
	void *after = NULL;

	while (!talc_region_next(T(test), after, &ri)) {
		if (ri.base == base)
			return ri.idle;
		after = ri.base;
	}
	KUNIT_FAIL(test, "region %p not found", base);
	return false;
}

static void core_idle_regions(struct kunit *test)
{
	char *a = kunit_kzalloc(test, 8192, GFP_KERNEL);
	char *b = kunit_kzalloc(test, 16384, GFP_KERNEL);
	struct talc_block old;
	char *p, *q, *r;

	KUNIT_ASSERT_TRUE(test, a && b);
	/* a fresh region is idle */
	KUNIT_ASSERT_EQ(test, talc_claim(T(test), a, 8192), 0);
	KUNIT_EXPECT_EQ(test, stats(test).idle_regions, 1);
	KUNIT_EXPECT_PTR_EQ(test, idle_base(test, NULL), (void *)a);
	KUNIT_EXPECT_NULL(test, idle_base(test, a));
	KUNIT_EXPECT_TRUE(test, region_idle(test, a));
	/* an allocation makes it busy */
	p = talc_malloc(T(test), 100);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, stats(test).idle_regions, 0);
	KUNIT_EXPECT_NULL(test, idle_base(test, NULL));
	KUNIT_EXPECT_FALSE(test, region_idle(test, a));
	KUNIT_EXPECT_EQ(test, talc_release(T(test), a), -EBUSY);
	/* a second region, idle; skip says which one not to return */
	KUNIT_ASSERT_EQ(test, talc_claim(T(test), b, 16384), 0);
	KUNIT_EXPECT_EQ(test, stats(test).idle_regions, 1);
	KUNIT_EXPECT_PTR_EQ(test, idle_base(test, NULL), (void *)b);
	KUNIT_EXPECT_NULL(test, idle_base(test, b));
	/* resizing in place keeps a busy; freeing the last block idles it */
	KUNIT_EXPECT_EQ(test, talc_resize(T(test), p, 20, &old), 0);
	KUNIT_EXPECT_EQ(test, talc_resize(T(test), p, 2000, &old), 0);
	KUNIT_EXPECT_FALSE(test, region_idle(test, a));
	KUNIT_EXPECT_EQ(test, talc_free(T(test), p), 0);
	KUNIT_EXPECT_EQ(test, stats(test).idle_regions, 2);
	KUNIT_EXPECT_TRUE(test, region_idle(test, a));
	/* the most recently idle first, the other one when it is skipped */
	KUNIT_EXPECT_PTR_EQ(test, idle_base(test, NULL), (void *)a);
	KUNIT_EXPECT_PTR_EQ(test, idle_base(test, a), (void *)b);
	KUNIT_EXPECT_PTR_EQ(test, idle_base(test, b), (void *)a);
	KUNIT_EXPECT_PTR_EQ(test, idle_base(test, p), (void *)a);
	expect_consistent(test);

	/* an aligned block cut out of the middle of an idle region */
	p = talc_malloc_aligned(T(test), 1000, 4096);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, stats(test).idle_regions, 1);
	expect_consistent(test);
	talc_free(T(test), p);
	KUNIT_EXPECT_EQ(test, stats(test).idle_regions, 2);
	expect_consistent(test);

	/* two blocks in b: idle only after both are gone, in either order */
	p = talc_malloc(T(test), 9000);		/* only b has room */
	KUNIT_ASSERT_TRUE(test, p >= b && p < b + 16384);
	q = talc_malloc(T(test), 5000);
	KUNIT_ASSERT_TRUE(test, q >= b && q < b + 16384);
	KUNIT_EXPECT_FALSE(test, region_idle(test, b));
	talc_free(T(test), p);
	KUNIT_EXPECT_FALSE(test, region_idle(test, b));
	talc_free(T(test), q);
	KUNIT_EXPECT_TRUE(test, region_idle(test, b));

	/* with quick lists on a parked chunk keeps its region busy */
	KUNIT_ASSERT_EQ(test, talc_set_quick_depth(T(test), 8), 0);
	p = talc_malloc(T(test), 16320);	/* all of b */
	KUNIT_ASSERT_TRUE(test, p >= b && p < b + 16384);
	r = talc_malloc(T(test), 100);		/* so this comes from a */
	KUNIT_ASSERT_TRUE(test, r >= a && r < a + 8192);
	KUNIT_EXPECT_EQ(test, stats(test).idle_regions, 0);
	talc_free(T(test), r);			/* parked */
	KUNIT_EXPECT_EQ(test, stats(test).quick_chunks, 1);
	KUNIT_EXPECT_EQ(test, stats(test).idle_regions, 0);
	KUNIT_EXPECT_FALSE(test, region_idle(test, a));
	KUNIT_EXPECT_NULL(test, idle_base(test, NULL));
	expect_consistent(test);
	talc_flush(T(test));
	KUNIT_EXPECT_EQ(test, stats(test).idle_regions, 1);
	KUNIT_EXPECT_PTR_EQ(test, idle_base(test, NULL), (void *)a);
	/* parked again: release coalesces it and takes the region */
	r = talc_malloc(T(test), 100);
	talc_free(T(test), r);
	KUNIT_EXPECT_EQ(test, stats(test).idle_regions, 0);
	KUNIT_EXPECT_EQ(test, talc_release(T(test), b), -EBUSY);
	KUNIT_EXPECT_EQ(test, talc_release(T(test), a), 0);
	KUNIT_EXPECT_EQ(test, stats(test).quick_chunks, 0);
	KUNIT_EXPECT_EQ(test, stats(test).idle_regions, 0);
	expect_consistent(test);
	/* truncated, a busy region stays busy; an idle one stays idle
	 * through truncate and extend
	 */
	KUNIT_EXPECT_EQ(test, talc_truncate(T(test), b,
					    talc_truncate_limit(T(test), b)), 0);
	KUNIT_EXPECT_FALSE(test, region_idle(test, b));
	talc_free(T(test), p);
	KUNIT_EXPECT_TRUE(test, region_idle(test, b));
	KUNIT_EXPECT_EQ(test, talc_truncate(T(test), b, 8192), 0);
	KUNIT_EXPECT_TRUE(test, region_idle(test, b));
	KUNIT_EXPECT_EQ(test, talc_extend(T(test), b, 16384), 0);
	KUNIT_EXPECT_TRUE(test, region_idle(test, b));
	KUNIT_EXPECT_EQ(test, stats(test).idle_regions, 1);
	expect_consistent(test);
	KUNIT_EXPECT_EQ(test, talc_release(T(test), b), 0);
	KUNIT_EXPECT_EQ(test, stats(test).region_count, 0);
	KUNIT_EXPECT_NULL(test, idle_base(test, NULL));
	expect_consistent(test);
}

/* ---- resumable walks ---- */

struct wrec {
	void *region;
	void *chunk;
	size_t size;
	bool used;
};

struct wlist {
	struct wrec *r;
	size_t n, cap;
};

static int wlist_add(void *data, const struct talc_chunk_info *ci)
{
	struct wlist *l = data;

	if (l->n >= l->cap)
		return -ENOSPC;
	l->r[l->n].region = ci->region;
	l->r[l->n].chunk = ci->chunk;
	l->r[l->n].size = ci->size;
	l->r[l->n].used = ci->used;
	l->n++;
	return 0;
}

static const unsigned int walk_budgets[] = { 1, 2, 3, 7, 64, UINT_MAX };

static void budget_desc(const unsigned int *b, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "budget=%u", *b);
}

KUNIT_ARRAY_PARAM(walk_budget, walk_budgets, budget_desc);

/*
 * On a heap that does not change, the stepped walk visits exactly the
 * chunks talc_walk() visits, at most @budget per step (talc_check_step()
 * steps through the same walk), and the stepped check passes; neither
 * changes the heap.
 */
static void core_walk_steps_quiescent(struct kunit *test)
{
	unsigned int budget = *(const unsigned int *)test->param_value;
	enum { CAP = 2048 };
	struct wlist all = { .cap = CAP }, step = { .cap = CAP };
	char *mem[3];
	void *p[40];
	unsigned int i, calls;
	size_t bound;
	u64 gen;
	int ret;

	all.r = kunit_kzalloc(test, CAP * sizeof(*all.r), GFP_KERNEL);
	step.r = kunit_kzalloc(test, CAP * sizeof(*step.r), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, all.r && step.r);
	mem[0] = claim_arena(test, 32768);
	mem[1] = kunit_kzalloc(test, 8192, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mem[1]);
	KUNIT_ASSERT_EQ(test, claim_grow(test, mem[1] + 3, 8000), 0);
	mem[2] = claim_arena(test, 4096);
	/* an idle region truncated to nothing: no chunk to visit */
	KUNIT_ASSERT_EQ(test, talc_truncate(T(test), mem[2],
					    talc_truncate_limit(T(test), mem[2])),
			0);
	claim_arena(test, 4096);	/* idle, one chunk */
	talc_set_quick_depth(T(test), 4);
	for (i = 0; i < ARRAY_SIZE(p); i++)
		p[i] = talc_malloc_aligned(T(test), 50 + i * 97, 8 << (i % 5));
	for (i = 0; i < ARRAY_SIZE(p); i += 3)
		talc_free(T(test), p[i]);	/* some parked */
	KUNIT_EXPECT_GT(test, stats(test).quick_chunks, 0);

	KUNIT_ASSERT_EQ(test, talc_walk(T(test), wlist_add, &all), 0);
	gen = talc_generation(T(test));
	talc_walk_start(T(test));
	for (calls = 0; calls < 10 * CAP; calls++) {
		size_t before = step.n;

		ret = talc_walk_step(T(test), wlist_add, &step, budget);
		KUNIT_ASSERT_GE(test, ret, 0);
		KUNIT_ASSERT_LE(test, step.n - before, (size_t)budget);
		if (!ret)
			break;
	}
	KUNIT_EXPECT_EQ(test, ret, 0);
	bound = budget >= all.n ? 1 : all.n / budget + 1;
	KUNIT_EXPECT_LE(test, calls + 1, bound + stats(test).region_count);
	KUNIT_ASSERT_EQ(test, step.n, all.n);
	for (i = 0; i < all.n; i++) {
		KUNIT_EXPECT_PTR_EQ(test, step.r[i].chunk, all.r[i].chunk);
		KUNIT_EXPECT_PTR_EQ(test, step.r[i].region, all.r[i].region);
		KUNIT_EXPECT_EQ(test, step.r[i].size, all.r[i].size);
		KUNIT_EXPECT_EQ(test, step.r[i].used, all.r[i].used);
	}
	/* once done it stays done */
	KUNIT_EXPECT_EQ(test, talc_walk_step(T(test), wlist_add, &step, budget), 0);
	KUNIT_EXPECT_EQ(test, step.n, all.n);

	talc_walk_start(T(test));
	for (calls = 0; calls < 10 * CAP; calls++) {
		ret = talc_check_step(T(test), budget);
		KUNIT_ASSERT_GE(test, ret, 0);
		if (!ret)
			break;
	}
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_LE(test, calls + 1, bound + stats(test).region_count);
	KUNIT_EXPECT_EQ(test, talc_generation(T(test)), gen);
	expect_consistent(test);
}

static int stop_at_third(void *data, const struct talc_chunk_info *ci)
{
	struct wlist *l = data;

	if (l->n == 2)
		return 5;
	return wlist_add(data, ci);
}

/*
 * A walk function's non-zero return stops the step there; the next step
 * visits that chunk again.
 */
static void core_walk_step_stop(struct kunit *test)
{
	struct wrec rec[8];
	struct wlist l = { .r = rec, .cap = 8 };
	struct talc_chunk_info third;
	void *p[4];
	int i;

	claim_arena(test, 8192);
	for (i = 0; i < 4; i++)
		p[i] = talc_malloc(T(test), 100);
	talc_walk_start(T(test));
	KUNIT_EXPECT_EQ(test, talc_walk_step(T(test), stop_at_third, &l, 8), 5);
	KUNIT_EXPECT_EQ(test, l.n, 2);
	KUNIT_EXPECT_EQ(test, talc_walk_step(T(test), stop_at_first, &third, 8), 7);
	KUNIT_EXPECT_PTR_EQ(test, third.chunk, (void *)hdr_of(p[2]));
	KUNIT_EXPECT_EQ(test, talc_walk_step(T(test), wlist_add, &l, 8), 0);
	KUNIT_EXPECT_EQ(test, l.n, 5);	/* p[2], p[3] and the top chunk */
	KUNIT_EXPECT_PTR_EQ(test, l.r[2].chunk, (void *)hdr_of(p[2]));
	/* a fresh start starts over */
	talc_walk_start(T(test));
	l.n = 0;
	KUNIT_EXPECT_EQ(test, talc_walk_step(T(test), wlist_add, &l, 2), 1);
	KUNIT_EXPECT_EQ(test, l.n, 2);
	KUNIT_EXPECT_PTR_EQ(test, l.r[0].chunk, (void *)hdr_of(p[0]));
}

/*
 * Regression: the walk stood in a region that was then released (its
 * position parks just below that region's first chunk), and the region
 * below was extended over the released space before the next step.  The
 * position must not be taken for a chunk of the grown region.
 */
static void core_walk_step_release_extend(struct kunit *test)
{
	char *buf = kunit_kzalloc(test, 3 * 8192, GFP_KERNEL);
	struct wrec rec[16];
	struct wlist l = { .r = rec, .cap = 16 };
	int check, top_used, ret;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (check = 0; check < 2; check++) {
		for (top_used = 0; top_used < 2; top_used++) {
			void *p = NULL;

			KUNIT_ASSERT_EQ(test, talc_claim(T(test), buf, 8192), 0);
			KUNIT_ASSERT_EQ(test, talc_claim(T(test), buf + 8192, 4096),
					0);
			if (top_used) {	/* all of the lower region in use */
				p = talc_malloc(T(test), 8192 - REGION_HEAD -
						2 * TALC_ALIGN);
				KUNIT_ASSERT_TRUE(test, p && (char *)p < buf + 8192);
			}
			talc_walk_start(T(test));
			l.n = 0;
			/* the lower region's one chunk: the walk moves up */
			ret = check ? talc_check_step(T(test), 1) :
				      talc_walk_step(T(test), wlist_add, &l, 1);
			KUNIT_ASSERT_EQ(test, ret, 1);
			KUNIT_ASSERT_EQ(test, talc_release(T(test), buf + 8192), 0);
			KUNIT_ASSERT_EQ(test, talc_extend(T(test), buf, 16384), 0);
			ret = check ? talc_check_step(T(test), 8) :
				      talc_walk_step(T(test), wlist_add, &l, 8);
			KUNIT_EXPECT_EQ_MSG(test, ret, 0, "%s, top %s: %d (%s)",
					    check ? "check" : "walk",
					    top_used ? "used" : "free", ret,
					    F(test)->last_what ?: "-");
			if (!check)
				KUNIT_EXPECT_LE(test, l.n, 3);
			expect_consistent(test);
			talc_free(T(test), p);
			KUNIT_ASSERT_EQ(test, talc_release(T(test), buf), 0);
		}
	}
}

/*
 * The stepped walk and check with the heap changing between every two
 * steps: allocations, frees, reallocs, resizes, flushes, and regions
 * claimed, released, extended (also over the space of a released region
 * right above) and truncated.  The steps never see an inconsistency, visit
 * only chunks of live regions, and every walk ends.
 */
enum { WS_SLOTS = 8, WS_SLOT = 16384, WS_BLOCKS = 96 };

struct ws_region {
	char *base;
	size_t size;
	bool live;
};

struct ws_block {
	char *p;
	size_t len;
	u8 seed;
};

struct ws {
	struct kunit *test;
	char *buf;
	struct ws_region reg[WS_SLOTS];
	struct ws_block blk[WS_BLOCKS];
	u32 seed;
	bool poison;
	unsigned long visits, bad_visits, ops, claims, releases, extends;
};

static struct ws_region *ws_region_of(struct ws *w, const void *p)
{
	int s;

	for (s = 0; s < WS_SLOTS; s++)
		if (w->reg[s].live && (const char *)p >= w->reg[s].base &&
		    (const char *)p < w->reg[s].base + w->reg[s].size)
			return &w->reg[s];
	return NULL;
}

static bool ws_overlaps(struct ws *w, const char *base, size_t size)
{
	int s;

	for (s = 0; s < WS_SLOTS; s++)
		if (w->reg[s].live && base < w->reg[s].base + w->reg[s].size &&
		    w->reg[s].base < base + size)
			return true;
	return false;
}

/* How far region @r may grow: to the next live region or the buffer end. */
static size_t ws_room(struct ws *w, const struct ws_region *r)
{
	char *lim = w->buf + WS_SLOTS * WS_SLOT;
	int s;

	for (s = 0; s < WS_SLOTS; s++)
		if (w->reg[s].live && w->reg[s].base > r->base &&
		    w->reg[s].base < lim)
			lim = w->reg[s].base;
	return lim - (r->base + r->size);
}

static int ws_visit(void *data, const struct talc_chunk_info *ci)
{
	struct ws *w = data;
	struct ws_region *r = ws_region_of(w, ci->chunk);

	w->visits++;
	if (!r || r->base != ci->region || ci->size < TALC_MIN_CHUNK ||
	    (char *)ci->chunk + ci->size > r->base + r->size)
		w->bad_visits++;
	return 0;
}

static bool ws_block_in(const struct ws_block *b, const struct ws_region *r)
{
	return b->p && b->p >= r->base && b->p < r->base + r->size;
}

static void ws_fill(struct ws_block *b, size_t len, u8 seed)
{
	b->len = len;
	b->seed = seed;
	talc_pattern_fill(b->p, len, seed);
}

static void ws_mutate(struct ws *w)
{
	struct kunit *test = w->test;
	struct talc *t = T(test);
	u32 r = next_rand(&w->seed), r2 = next_rand(&w->seed);
	struct ws_region *reg = &w->reg[(r >> 8) % WS_SLOTS];
	struct ws_block *b = &w->blk[(r >> 12) % WS_BLOCKS];
	struct talc_block old;
	size_t n, lim;
	char *q;
	int i, ret;

	w->ops++;
	if (b->p)
		KUNIT_ASSERT_TRUE(test, talc_pattern_ok(b->p, b->len, b->seed));
	switch (r % 16) {
	case 0: case 1: case 2: case 3:
		if (b->p)
			KUNIT_ASSERT_EQ(test, talc_free(t, b->p), 0);
		n = r2 % 8 ? r2 % 600 : r2 % 6000;
		b->p = r2 & 0x10000 ? talc_malloc_aligned(t, n, 8 << (r2 >> 17) % 7)
				    : talc_malloc(t, n);
		if (b->p)
			ws_fill(b, n, r2 >> 24);
		break;
	case 4: case 5:
		if (b->p)
			KUNIT_ASSERT_EQ(test, talc_free(t, b->p), 0);
		b->p = NULL;
		break;
	case 6:
		if (!b->p)
			break;
		n = r2 % 3000 + 1;
		q = talc_realloc(t, b->p, n);
		if (q) {
			KUNIT_ASSERT_TRUE(test, talc_pattern_ok(q, min(n, b->len),
								b->seed));
			b->p = q;
			ws_fill(b, n, b->seed + 1);
		}
		break;
	case 7:
		if (!b->p)
			break;
		n = r2 % 2000 + 1;
		ret = talc_resize(t, b->p, n, &old);
		KUNIT_ASSERT_TRUE(test, ret == 0 || ret == -ENOSPC);
		if (!ret)
			ws_fill(b, n, b->seed + 1);
		break;
	case 8:
		talc_flush(t);
		break;
	case 9:
		if (reg->live)
			break;
		lim = min_t(size_t, WS_SLOT,
			    w->buf + WS_SLOTS * WS_SLOT - reg->base);
		n = 256 + r2 % (lim - 256 + 1);
		ret = claim_grow(test, reg->base, n);
		KUNIT_ASSERT_EQ(test, ret, ws_overlaps(w, reg->base, n) ? -EINVAL : 0);
		if (!ret) {
			reg->size = n;
			reg->live = true;
			w->claims++;
		}
		break;
	case 10:
		if (!reg->live)
			break;
		/* mostly empty it first, or it would hardly ever go */
		for (i = 0; r2 % 4 && i < WS_BLOCKS; i++) {
			if (!ws_block_in(&w->blk[i], reg))
				continue;
			KUNIT_ASSERT_EQ(test, talc_free(t, w->blk[i].p), 0);
			w->blk[i].p = NULL;
		}
		for (i = 0; i < WS_BLOCKS && !ws_block_in(&w->blk[i], reg); i++)
			;
		ret = talc_release(t, reg->base);
		KUNIT_ASSERT_EQ(test, ret, i < WS_BLOCKS ? -EBUSY : 0);
		if (!ret) {
			reg->live = false;
			w->releases++;
		}
		break;
	case 11:
		if (!reg->live)
			break;
		n = min_t(size_t, ws_room(w, reg), r2 % 2 ? 64 : 20000);
		n = n ? r2 % (n + 1) : 0;
		KUNIT_ASSERT_EQ(test, talc_extend(t, reg->base, reg->size + n), 0);
		reg->size += n;
		w->extends++;
		break;
	case 12:
		if (!reg->live)
			break;
		lim = talc_truncate_limit(t, reg->base);
		KUNIT_ASSERT_LE(test, lim, reg->size);
		n = lim + r2 % (reg->size - lim + 1);
		KUNIT_ASSERT_EQ(test, talc_truncate(t, reg->base, n), 0);
		reg->size = n;
		break;
	case 13:
		KUNIT_ASSERT_EQ(test, talc_set_quick_depth(t, r2 % 12), 0);
		break;
	case 14:
		w->poison = !w->poison;
		talc_set_poison(t, w->poison);
		break;
	case 15:
		if (b->p)
			KUNIT_ASSERT_GE(test, talc_usable_size(t, b->p), b->len);
		break;
	}
}

enum ws_mode { WS_WALK, WS_CHECK, WS_MIXED };

static const struct ws_param {
	enum ws_mode mode;
	u32 seed;
	const char *name;
} ws_params[] = {
	{ WS_WALK, 1, "walk_step, seed 1" },
	{ WS_WALK, 77, "walk_step, seed 77" },
	{ WS_CHECK, 1, "check_step, seed 1" },
	{ WS_CHECK, 99, "check_step, seed 99" },
	{ WS_MIXED, 5, "both interleaved, seed 5" },
	{ WS_MIXED, 12345, "both interleaved, seed 12345" },
};

static void ws_desc(const struct ws_param *p, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", p->name);
}

KUNIT_ARRAY_PARAM(ws, ws_params, ws_desc);

static void core_walk_steps_mutating(struct kunit *test)
{
	const struct ws_param *wp = test->param_value;
	struct ws *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	struct talc *t = T(test);
	unsigned int walks = 0, steps, s, ops;
	int ret, i;

	KUNIT_ASSERT_NOT_NULL(test, w);
	w->test = test;
	w->seed = wp->seed;
	w->buf = kunit_kzalloc(test, WS_SLOTS * WS_SLOT, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, w->buf);
	for (s = 0; s < WS_SLOTS; s++)
		w->reg[s].base = w->buf + s * WS_SLOT + (s % 4 == 3 ? 3 : 0);
	for (s = 0; s < WS_SLOTS; s += 2) {
		w->reg[s].size = WS_SLOT / 2;
		w->reg[s].live = true;
		KUNIT_ASSERT_EQ(test, claim_grow(test, w->reg[s].base,
						 w->reg[s].size), 0);
	}
	talc_set_quick_depth(t, 8);

	while (w->ops < 6000) {
		talc_walk_start(t);
		for (steps = 0;; steps++) {
			unsigned int budget = next_rand(&w->seed) % 4 + 1;
			bool check = wp->mode == WS_CHECK ||
				     (wp->mode == WS_MIXED && steps % 2);

			ret = check ? talc_check_step(t, budget) :
				      talc_walk_step(t, ws_visit, w, budget);
			if (ret < 0) {
				KUNIT_FAIL(test, "op %lu, step %u: %d, %s", w->ops,
					   steps, ret,
					   F(test)->last_what ?: "(no report)");
				return;
			}
			if (!ret)
				break;
			KUNIT_ASSERT_LT_MSG(test, steps, 100000U,
					    "walk does not end");
			/* the owner's lock is dropped: anything may happen */
			ops = next_rand(&w->seed) % 8 < 5 ? 1 :
			      next_rand(&w->seed) % 6 + 1;
			while (ops--)
				ws_mutate(w);
		}
		walks++;
		KUNIT_ASSERT_EQ(test, talc_check(t), 0);
		KUNIT_ASSERT_EQ(test, w->bad_visits, 0);
		ws_mutate(w);	/* also when no region is left to walk */
	}
	KUNIT_EXPECT_EQ(test, F(test)->events[TALC_EV_CORRUPT], 0);
	KUNIT_EXPECT_GT(test, walks, 10);
	KUNIT_EXPECT_GT(test, w->releases, 0);
	KUNIT_EXPECT_GT(test, w->extends, 0);
	kunit_info(test, "%u walks, %lu ops, %lu chunks visited, %lu claims, %lu releases",
		   walks, w->ops, w->visits, w->claims, w->releases);

	for (i = 0; i < WS_BLOCKS; i++)
		KUNIT_ASSERT_EQ(test, talc_free(t, w->blk[i].p), 0);
	for (s = 0; s < WS_SLOTS; s++)
		if (w->reg[s].live)
			KUNIT_ASSERT_EQ(test, talc_release(t, w->reg[s].base), 0);
	KUNIT_EXPECT_EQ(test, stats(test).region_count, 0);
	KUNIT_EXPECT_EQ(test, stats(test).bad_frees, 0);
	KUNIT_EXPECT_EQ(test, stats(test).poison_errors, 0);
	expect_consistent(test);
}

/* talc_generation() moves with every change and only then. */
static void core_generation(struct kunit *test)
{
	struct talc *t = T(test);
	struct talc_region_info ri;
	struct talc_block blk;
	struct talc_stats st;
	size_t n[3] = { 0 };
	char *mem, *extra;
	void *p, *q;
	u64 g;

	mem = claim_arena(test, 16384);
	extra = kunit_kzalloc(test, 8192, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, extra);
	p = talc_malloc(t, 100);
	q = talc_malloc(t, 100);
	g = talc_generation(t);
	/* looking changes nothing */
	talc_get_stats(t, &st);
	KUNIT_EXPECT_EQ(test, talc_check(t), 0);
	KUNIT_EXPECT_EQ(test, talc_walk(t, count_chunks, n), 0);
	KUNIT_EXPECT_GT(test, talc_usable_size(t, p), 0);
	KUNIT_EXPECT_EQ(test, talc_block_info(t, p, &blk), 0);
	KUNIT_EXPECT_EQ(test, talc_region_next(t, NULL, &ri), 0);
	KUNIT_EXPECT_NULL(test, idle_base(test, NULL));
	KUNIT_EXPECT_GT(test, talc_truncate_limit(t, mem), 0);
	KUNIT_EXPECT_EQ(test, talc_free(t, (char *)p + 8), -EINVAL);
	talc_flush(t);
	talc_walk_start(t);
	while (talc_check_step(t, 2) > 0)
		;
	KUNIT_EXPECT_EQ(test, talc_generation(t), g);
	/* every change moves it */
#define MOVES(expr) do {						\
		(expr);							\
		KUNIT_EXPECT_NE_MSG(test, talc_generation(t), g, #expr); \
		g = talc_generation(t);					\
	} while (0)
	MOVES(p = talc_malloc(t, 10));
	MOVES(talc_free(t, p));
	MOVES(p = talc_malloc_aligned(t, 10, 64));
	MOVES(p = talc_realloc(t, p, 3000));
	MOVES(talc_resize(t, p, 20, &blk));
	MOVES(talc_resize(t, p, 200, &blk));
	MOVES(talc_claim(t, extra, 4096));
	MOVES(talc_extend(t, extra, 8192));
	MOVES(talc_truncate(t, extra, 4096));
	MOVES(talc_extend(t, extra, 8000));
	MOVES(talc_release(t, extra));
	MOVES(talc_set_poison(t, true));
	MOVES(talc_set_poison(t, false));
	talc_set_quick_depth(t, 8);
	MOVES(talc_free(t, q));
	MOVES(talc_flush(t));
	MOVES(q = talc_malloc(t, 100));
	MOVES(talc_free(t, q));
	MOVES(q = talc_malloc(t, 100));		/* from the quick list */
#undef MOVES
	talc_free(t, p);
	talc_free(t, q);
	expect_consistent(test);
}

/* ---- stress ---- */

static void core_random_stress(struct kunit *test)
{
	enum { SLOTS = 128 };
	void **p = kunit_kzalloc(test, SLOTS * sizeof(*p), GFP_KERNEL);
	size_t *len = kunit_kzalloc(test, SLOTS * sizeof(*len), GFP_KERNEL);
	u32 seed = 12345;
	int i, k;

	KUNIT_ASSERT_NOT_NULL(test, len);
	claim_arena(test, ARENA_SIZE);
	claim_arena(test, ARENA_SIZE / 4);
	for (i = 0; i < 20000; i++) {
		u32 r = next_rand(&seed);

		/* alternate: quick lists on, then poisoning on */
		if (i % 5000 == 0) {
			talc_set_poison(T(test), i % 10000);
			talc_set_quick_depth(T(test), i % 10000 ? 0 : 8);
		}

		k = r % SLOTS;
		if (p[k]) {
			KUNIT_ASSERT_TRUE(test, talc_pattern_ok(p[k], len[k], k));
			if (r & 0x100) {
				size_t n = next_rand(&seed) % 3000 + 1;
				void *q = talc_realloc(T(test), p[k], n);

				if (q) {
					talc_pattern_fill(q, n, k);
					p[k] = q;
					len[k] = n;
				}
			} else {
				KUNIT_ASSERT_EQ(test, talc_free(T(test), p[k]), 0);
				p[k] = NULL;
			}
		} else {
			size_t align = 1UL << (next_rand(&seed) % 13);

			len[k] = next_rand(&seed) % 2000;
			p[k] = talc_malloc_aligned(T(test), len[k], align);
			if (p[k]) {
				KUNIT_ASSERT_EQ(test, (uintptr_t)p[k] % align,
						0);
				talc_pattern_fill(p[k], len[k], k);
			}
		}
		if (i % 500 == 0 && talc_check(T(test))) {
			KUNIT_FAIL(test, "step %d: %s", i, F(test)->last_what);
			return;
		}
	}
	for (k = 0; k < SLOTS; k++)
		talc_free(T(test), p[k]);
	talc_flush(T(test));
	KUNIT_EXPECT_EQ(test, stats(test).allocation_count, 0);
	KUNIT_EXPECT_EQ(test, stats(test).allocated_bytes, 0);
	KUNIT_EXPECT_EQ(test, stats(test).fragment_count, 2);
	KUNIT_EXPECT_EQ(test, stats(test).idle_regions, 2);
	KUNIT_EXPECT_EQ(test, stats(test).poison_errors, 0);
	KUNIT_EXPECT_EQ(test, stats(test).bad_frees, 0);
	expect_consistent(test);
}

/* ---- hardened mode ---- */

#define HARD_SECRET	0x5eed5eedcafef00dUL
/* The header tag (talc.c: bits 51-63 of the header word). */
#define TAG_MASK	(~0UL << 51)

/* The header tag a heap overflow would forge knowing where the talc is. */
static unsigned long address_tag(const struct talc *t)
{
	return (((unsigned long)t * 0x9e3779b97f4a7c15UL) & TAG_MASK) |
	       (1UL << 51);
}

static unsigned long tag_of_block(const void *p)
{
	return ((const unsigned long *)p)[-1] & TAG_MASK;
}

static void core_hardened_setter(struct kunit *test)
{
	KUNIT_EXPECT_FALSE(test, talc_hardened(T(test)));
	KUNIT_EXPECT_EQ(test, talc_set_hardened(T(test), HARD_SECRET), 0);
	KUNIT_EXPECT_TRUE(test, talc_hardened(T(test)));
	KUNIT_EXPECT_EQ(test, talc_set_hardened(T(test), 0), 0);
	KUNIT_EXPECT_FALSE(test, talc_hardened(T(test)));
	KUNIT_EXPECT_EQ(test, talc_set_hardened(T(test), HARD_SECRET), 0);
	claim_arena(test, ARENA_SIZE);
	/* after the first claim: too late, either way */
	KUNIT_EXPECT_EQ(test, talc_set_hardened(T(test), 0), -EBUSY);
	KUNIT_EXPECT_EQ(test, talc_set_hardened(T(test), 1), -EBUSY);
	KUNIT_EXPECT_TRUE(test, talc_hardened(T(test)));
	expect_consistent(test);
}

/* The tag of a block of @t, re-initialised hardened with @secret over @mem. */
static unsigned long tag_with_secret(struct kunit *test, struct talc *t,
				     void *mem, unsigned long secret)
{
	void *p;

	talc_init(t);
	talc_set_report(t, record_report, F(test));
	KUNIT_EXPECT_EQ(test, talc_set_hardened(t, secret), 0);
	memset(mem, 0, ARENA_SIZE);
	KUNIT_EXPECT_EQ(test, talc_claim(t, mem, ARENA_SIZE), 0);
	p = talc_malloc(t, 40);
	KUNIT_EXPECT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, talc_check(t), 0);
	return p ? tag_of_block(p) : 0;
}

/*
 * Hardened, the tag comes from the secret: two talcs at one address (the
 * fixture's, initialised twice) get different tags, and neither is the one
 * the address gives.
 */
static void core_hardened_tag_secret(struct kunit *test)
{
	struct talc *t = T(test);
	unsigned long plain, tag1, tag2;
	void *mem = kunit_kzalloc(test, ARENA_SIZE, GFP_KERNEL);
	void *p;

	KUNIT_ASSERT_NOT_NULL(test, mem);
	KUNIT_ASSERT_EQ(test, talc_claim(t, mem, ARENA_SIZE), 0);
	p = talc_malloc(t, 40);
	KUNIT_ASSERT_NOT_NULL(test, p);
	plain = tag_of_block(p);
	KUNIT_EXPECT_EQ(test, plain, address_tag(t));

	tag1 = tag_with_secret(test, t, mem, HARD_SECRET);
	KUNIT_EXPECT_NE(test, tag1, plain);
	tag2 = tag_with_secret(test, t, mem, ~HARD_SECRET);
	KUNIT_EXPECT_NE(test, tag2, plain);
	KUNIT_EXPECT_NE(test, tag2, tag1);
	expect_consistent(test);
}

/*
 * Links are stored obfuscated: a free chunk's next/prev words do not hold
 * the plain addresses, and the heap still works (the random stress below
 * covers the paths).
 */
static void core_hardened_links_hidden(struct kunit *test)
{
	unsigned long *w;
	void *a, *b, *c, *d;

	KUNIT_ASSERT_EQ(test, talc_set_hardened(T(test), HARD_SECRET), 0);
	claim_arena(test, ARENA_SIZE);
	a = talc_malloc(T(test), 100);
	b = talc_malloc(T(test), 16);
	c = talc_malloc(T(test), 100);
	d = talc_malloc(T(test), 16);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_NOT_NULL(test, d);
	/* a and c: two free chunks of one bin, linked to each other */
	talc_free(T(test), a);
	talc_free(T(test), c);
	w = (unsigned long *)c - 1;	/* c is the head: next is a */
	KUNIT_EXPECT_NE(test, w[1], (unsigned long)a - TALC_OVERHEAD);
	KUNIT_EXPECT_NE(test, w[2], 0);
	w = (unsigned long *)a - 1;	/* a: next is NULL, prev is c */
	KUNIT_EXPECT_NE(test, w[1], 0);
	KUNIT_EXPECT_NE(test, w[2], (unsigned long)c - TALC_OVERHEAD);
	expect_consistent(test);
	/* good fit takes them back, head first */
	KUNIT_EXPECT_PTR_EQ(test, talc_malloc(T(test), 100), c);
	KUNIT_EXPECT_PTR_EQ(test, talc_malloc(T(test), 100), a);
	expect_consistent(test);
	KUNIT_EXPECT_EQ(test, stats(test).link_errors, 0);
}

/*
 * A heap overflow out of live block a into the free chunk above it, which
 * forges the chunk's header with the tag the talc's address gives (all an
 * attacker who knows where the struct talc lives could do without the
 * secret): free(a) sees a header that is not the heap's and refuses.
 */
static void core_hardened_forged_header(struct kunit *test)
{
	struct talc_stats st0;
	unsigned long *over;
	void *a, *b, *guard;

	KUNIT_ASSERT_EQ(test, talc_set_hardened(T(test), HARD_SECRET), 0);
	claim_arena(test, ARENA_SIZE);
	a = talc_malloc(T(test), 64);
	b = talc_malloc(T(test), 200);
	guard = talc_malloc(T(test), 16);
	KUNIT_ASSERT_NOT_NULL(test, guard);
	talc_free(T(test), b);	/* free chunk right above a */
	st0 = stats(test);
	/* 64 bytes of a, then b's header: a "free" chunk spanning 64 KiB */
	over = (unsigned long *)((char *)a + talc_usable_size(T(test), a));
	KUNIT_ASSERT_PTR_EQ(test, (void *)(over + 1), b);
	*over = address_tag(T(test)) | SZ_64K;
	KUNIT_EXPECT_EQ(test, talc_free(T(test), a), -EINVAL);
	KUNIT_EXPECT_EQ(test, events(test, TALC_EV_FREE_INVALID), 1);
	KUNIT_EXPECT_EQ(test, stats(test).bad_frees, st0.bad_frees + 1);
	/* nothing merged with the forged chunk; a stays allocated */
	KUNIT_EXPECT_EQ(test, stats(test).available_bytes, st0.available_bytes);
	KUNIT_EXPECT_EQ(test, stats(test).allocation_count, st0.allocation_count);
	/* the check sees the forged header */
	KUNIT_EXPECT_NE(test, talc_check(T(test)), 0);
	KUNIT_EXPECT_GE(test, events(test, TALC_EV_CORRUPT), 1);
}

/*
 * A heap overflow out of live block a into the next and prev words of the
 * free chunk above it (its header rewritten as it was, as an overflow that
 * knew it would): the links point at a "target" the attacker wants
 * malloc() to return (next), and that an unlink would write to (prev).
 * The first malloc() that takes the chunk off its bin decodes the links,
 * finds them bad, reports and counts it, and quarantines the bin; no
 * malloc() ever returns the target, nothing is written there, and the heap
 * keeps working.  The chunk that the forged one linked to (b2) is leaked
 * until a merge meets it: its back link then leads to reused memory, so
 * that is reported too, and the heap is whole again.
 */
static void core_hardened_forged_link(struct kunit *test)
{
	unsigned long *over, hdr;
	char *arena, *target;
	void *a, *b, *b2, *guard, *q[16];
	unsigned int i;

	KUNIT_ASSERT_EQ(test, talc_set_hardened(T(test), HARD_SECRET), 0);
	arena = claim_arena(test, ARENA_SIZE);
	/* somewhere inside the region, 8-byte aligned: the attacker's pick */
	target = arena + ARENA_SIZE / 2 + 8;
	a = talc_malloc(T(test), 64);
	b = talc_malloc(T(test), 200);
	guard = talc_malloc(T(test), 16);
	b2 = talc_malloc(T(test), 200);
	KUNIT_ASSERT_NOT_NULL(test, talc_malloc(T(test), 16));
	talc_free(T(test), b2);
	talc_free(T(test), b);	/* b heads the bin, b2 is next */
	over = (unsigned long *)((char *)a + talc_usable_size(T(test), a));
	hdr = over[0];
	over[0] = hdr;				/* header kept as it was */
	over[1] = (unsigned long)target;	/* next */
	over[2] = (unsigned long)target;	/* prev */
	memset(target - 8, 0x3c, 32);
	/* the bin's chunk is taken: the links are checked and found bad */
	b = talc_malloc(T(test), 200);
	KUNIT_EXPECT_EQ(test, events(test, TALC_EV_CORRUPT), 1);
	KUNIT_EXPECT_EQ(test, stats(test).link_errors, 1);
	KUNIT_EXPECT_PTR_NE(test, b, (void *)(target + 8));
	/* later allocations never return the target, and the heap works */
	for (i = 0; i < ARRAY_SIZE(q); i++) {
		q[i] = talc_malloc(T(test), 200);
		KUNIT_ASSERT_NOT_NULL(test, q[i]);
		KUNIT_EXPECT_PTR_NE(test, q[i], (void *)(target + 8));
		memset(q[i], 0x5a, 200);
	}
	/* b2 is out of the bins: leaked, so the check reports it */
	KUNIT_EXPECT_NE(test, talc_check(T(test)), 0);
	F(test)->events[TALC_EV_CORRUPT] = 0;
	for (i = 0; i < ARRAY_SIZE(q); i++)
		KUNIT_EXPECT_EQ(test, talc_free(T(test), q[i]), 0);
	KUNIT_EXPECT_EQ(test, talc_free(T(test), a), 0);
	/* guard's free merges b2: its stale back link is reported */
	KUNIT_EXPECT_EQ(test, talc_free(T(test), guard), 0);
	KUNIT_EXPECT_EQ(test, stats(test).link_errors, 2);
	/* nothing was written at the target */
	for (i = 0; i < 32; i++)
		KUNIT_EXPECT_EQ(test, (u8)(target - 8)[i], 0x3c);
	KUNIT_EXPECT_EQ(test, stats(test).bad_frees, 0);
	F(test)->events[TALC_EV_CORRUPT] = 0;
	expect_consistent(test);
}

/*
 * The same overflow into a parked chunk's link (quick lists): the pop that
 * would follow it finds it bad, reports, counts and quarantines the list.
 */
static void core_hardened_forged_quick_link(struct kunit *test)
{
	unsigned long *over;
	char *arena, *target;
	void *a, *b, *b2, *p, *q;
	int i;

	KUNIT_ASSERT_EQ(test, talc_set_hardened(T(test), HARD_SECRET), 0);
	talc_set_quick_depth(T(test), TALC_DEFAULT_QUICK_DEPTH);
	arena = claim_arena(test, ARENA_SIZE);
	target = arena + ARENA_SIZE / 2 + 8;
	b2 = talc_malloc(T(test), 48);
	a = talc_malloc(T(test), 48);
	b = talc_malloc(T(test), 48);
	KUNIT_ASSERT_NOT_NULL(test, talc_malloc(T(test), 16));
	talc_free(T(test), b2);
	talc_free(T(test), b);	/* parked: b, then b2 */
	KUNIT_EXPECT_EQ(test, stats(test).quick_chunks, 2);
	over = (unsigned long *)((char *)a + talc_usable_size(T(test), a));
	over[1] = (unsigned long)target;	/* b's next */
	p = talc_malloc(T(test), 48);
	KUNIT_EXPECT_PTR_EQ(test, p, b);	/* b itself is sound */
	KUNIT_EXPECT_EQ(test, events(test, TALC_EV_CORRUPT), 1);
	KUNIT_EXPECT_EQ(test, stats(test).link_errors, 1);
	for (i = 0; i < 32; i++) {
		q = talc_malloc(T(test), 48);
		KUNIT_ASSERT_NOT_NULL(test, q);
		KUNIT_EXPECT_PTR_NE(test, q, (void *)(target + 8));
		KUNIT_EXPECT_PTR_NE(test, q, b2);	/* quarantined */
		talc_free(T(test), q);
	}
	talc_flush(T(test));
	KUNIT_EXPECT_EQ(test, stats(test).link_errors, 1);
	KUNIT_EXPECT_NE(test, talc_check(T(test)), 0);
}

/* The random stress with hardened mode and quick lists on. */
static void core_hardened_stress(struct kunit *test)
{
	KUNIT_ASSERT_EQ(test, talc_set_hardened(T(test), HARD_SECRET), 0);
	talc_set_quick_depth(T(test), TALC_DEFAULT_QUICK_DEPTH);
	core_random_stress(test);
	KUNIT_EXPECT_EQ(test, stats(test).link_errors, 0);
}

static struct kunit_case talc_core_cases[] = {
	KUNIT_CASE(core_init_empty),
	KUNIT_CASE(core_defaults),
	KUNIT_CASE(core_claim_basic),
	KUNIT_CASE(core_claim_invalid),
	KUNIT_CASE(core_claim_minimum),
	KUNIT_CASE(core_claim_unaligned),
	KUNIT_CASE(core_multi_region),
	KUNIT_CASE(core_extend),
	KUNIT_CASE(core_truncate),
	KUNIT_CASE(core_release),
	KUNIT_CASE(core_hot_region_forgotten),
	KUNIT_CASE(core_hot_region_switch),
	KUNIT_CASE(core_bin_of_table),
	KUNIT_CASE(core_bin_boundaries),
	KUNIT_CASE(core_bin_stats),
	KUNIT_CASE(core_fine_bins_best_fit),
	KUNIT_CASE(core_malloc_bulk_run),
	KUNIT_CASE(core_malloc_bulk_fallback),
	KUNIT_CASE_PARAM(core_malloc_size, boundary_gen_params),
	KUNIT_CASE(core_exact_fit),
	KUNIT_CASE(core_scan_limit),
	KUNIT_CASE_PARAM(core_malloc_aligned, alignment_gen_params),
	KUNIT_CASE(core_aligned_invalid),
	KUNIT_CASE(core_overflow_sizes),
	KUNIT_CASE(core_free_null),
	KUNIT_CASE(core_coalesce),
	KUNIT_CASE(core_coalesce_minimal),
	KUNIT_CASE(core_usable_size),
	KUNIT_CASE_PARAM(core_bad_pointer, bad_gen_params),
	KUNIT_CASE(core_regress_usable_after_extend),
	KUNIT_CASE(core_regress_usable_mimic),
	KUNIT_CASE(core_double_free_merged),
	KUNIT_CASE(core_realloc_null_and_zero),
	KUNIT_CASE(core_realloc_shrink),
	KUNIT_CASE(core_realloc_shrink_into_free),
	KUNIT_CASE(core_realloc_grow_in_place),
	KUNIT_CASE(core_realloc_move),
	KUNIT_CASE(core_realloc_keeps_alignment),
	KUNIT_CASE(core_realloc_fail_keeps_old),
	KUNIT_CASE(core_resize),
	KUNIT_CASE(core_resize_poison),
	KUNIT_CASE(core_counters),
	KUNIT_CASE(core_stats_largest),
	KUNIT_CASE(core_walk),
	KUNIT_CASE(core_poison),
	KUNIT_CASE(core_poison_merged),
	KUNIT_CASE(core_poison_off),
	KUNIT_CASE(core_poison_extend),
	KUNIT_CASE(core_alloc_fail_then_claim),
	KUNIT_CASE(core_claim_size_limits),
	KUNIT_CASE_PARAM(core_claim_size_protocol, boundary_gen_params),
	KUNIT_CASE_PARAM(core_check_catches, corrupt_gen_params),
	KUNIT_CASE(core_quick_reuse),
	KUNIT_CASE(core_quick_depth_bound),
	KUNIT_CASE(core_quick_flush_on_failure),
	KUNIT_CASE(core_quick_byte_bound),
	KUNIT_CASE(core_quick_aligned_pop),
	KUNIT_CASE(core_quick_region_ops),
	KUNIT_CASE(core_quick_poison_flush),
	KUNIT_CASE(core_index_set),
	KUNIT_CASE(core_index_many_regions),
	KUNIT_CASE(core_idle_regions),
	KUNIT_CASE_PARAM(core_walk_steps_quiescent, walk_budget_gen_params),
	KUNIT_CASE(core_walk_step_stop),
	KUNIT_CASE(core_walk_step_release_extend),
	KUNIT_CASE_PARAM(core_walk_steps_mutating, ws_gen_params),
	KUNIT_CASE(core_generation),
	KUNIT_CASE_SLOW(core_random_stress),
	KUNIT_CASE(core_hardened_setter),
	KUNIT_CASE(core_hardened_tag_secret),
	KUNIT_CASE(core_hardened_links_hidden),
	KUNIT_CASE(core_hardened_forged_header),
	KUNIT_CASE(core_hardened_forged_link),
	KUNIT_CASE(core_hardened_forged_quick_link),
	KUNIT_CASE_SLOW(core_hardened_stress),
	{}
};

static struct kunit_suite talc_core_suite = {
	.name = "talc_core",
	.init = core_init,
	.test_cases = talc_core_cases,
};

kunit_test_suite(talc_core_suite);
