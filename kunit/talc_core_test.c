// SPDX-License-Identifier: GPL-2.0
/*
 * talc_core_test.c - unit tests of the allocator core (talc/talc.c).
 *
 * The same file runs as the KUnit suite "talc_core" in a UML kernel and, with
 * the KUnit stand-in of tools/include/kunit/test.h, in userspace under ASan
 * and UBSan (make unit).  Memory for regions comes from kunit_kzalloc(), so
 * it is released when each case ends.
 *
 * Most cases check exact coalescing, so the fixture turns quick lists off;
 * the quick_* cases and the random stress run with them on.
 *
 * The tests know the chunk layout documented in talc.c (one header word in
 * front of each payload; a free chunk holds next/prev links after its header
 * and a footer at its end): the corruption cases rely on it.
 */
#include <kunit/test.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include "../talc/talc.h"
#include "talc_pattern.h"

#define ARENA_SIZE	(256 * 1024)
#define NR_EVENTS	(TALC_EV_CORRUPT + 1)

struct fixture {
	struct talc t;
	unsigned int events[NR_EVENTS];
	const void *last_addr;
	const char *last_what;
	unsigned int oom_calls;
	void *oom_region;
	size_t oom_size;
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
	KUNIT_EXPECT_EQ(test, f->t.quick_depth, TALC_DEFAULT_QUICK_DEPTH);
	f->t.quick_depth = 0;
	f->t.report = record_report;
	f->t.report_data = f;
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

/* A zeroed buffer claimed as a region of T(test). */
static void *claim_arena(struct kunit *test, size_t size)
{
	void *mem = kunit_kzalloc(test, size, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, mem);
	KUNIT_ASSERT_EQ(test, talc_claim(T(test), mem, size), 0);
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

static unsigned long *hdr_of(void *payload)
{
	return (unsigned long *)payload - 1;
}

/* ---- init, claim and regions ---- */

static void core_init_empty(struct kunit *test)
{
	struct talc_stats st = stats(test);

	KUNIT_EXPECT_EQ(test, st.claimed_bytes, 0);
	KUNIT_EXPECT_EQ(test, st.available_bytes, 0);
	KUNIT_EXPECT_EQ(test, st.region_count, 0);
	KUNIT_EXPECT_EQ(test, T(test)->scan_limit, TALC_DEFAULT_SCAN_LIMIT);
	KUNIT_EXPECT_FALSE(test, T(test)->poison);
	KUNIT_EXPECT_NULL(test, talc_malloc(T(test), 8));
	KUNIT_EXPECT_EQ(test, stats(test).failed_allocations, 1);
	expect_consistent(test);
}

static void core_claim_basic(struct kunit *test)
{
	struct talc_stats st;

	claim_arena(test, ARENA_SIZE);
	st = stats(test);
	KUNIT_EXPECT_EQ(test, st.claimed_bytes, ARENA_SIZE);
	KUNIT_EXPECT_EQ(test, st.region_count, 1);
	KUNIT_EXPECT_EQ(test, st.total_region_count, 1);
	KUNIT_EXPECT_EQ(test, st.fragment_count, 1);
	KUNIT_EXPECT_LE(test, st.overhead_bytes, talc_region_overhead());
	KUNIT_EXPECT_EQ(test, st.available_bytes + st.overhead_bytes,
			ARENA_SIZE);
	KUNIT_EXPECT_EQ(test, st.largest_free_chunk,
			st.available_bytes - TALC_OVERHEAD);
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
	KUNIT_EXPECT_EQ(test, talc_claim(T(test), mem + 2048, 2048), 0);
	KUNIT_EXPECT_EQ(test, stats(test).region_count, 2);
	expect_consistent(test);
}

static void core_claim_minimum(struct kunit *test)
{
	char *mem = kunit_kzalloc(test, 256, GFP_KERNEL);
	/* Head + one minimal chunk + sentinel, from an 8-aligned base. */
	size_t min = talc_region_overhead() - 2 * (TALC_ALIGN - 1) +
		     TALC_MIN_CHUNK;
	void *p;

	KUNIT_ASSERT_NOT_NULL(test, mem);
	KUNIT_EXPECT_EQ(test, talc_claim(T(test), mem, min - 8), -EINVAL);
	KUNIT_ASSERT_EQ(test, talc_claim(T(test), mem, min), 0);
	p = talc_malloc(T(test), 16);
	KUNIT_EXPECT_NOT_NULL(test, p);
	KUNIT_EXPECT_NULL(test, talc_malloc(T(test), 1));
	talc_free(T(test), p);
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
		KUNIT_EXPECT_GE(test, p, mem + 3);
		KUNIT_EXPECT_LE(test, p + i * 13 + 1, mem + 4096);
	}
	expect_consistent(test);
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
	size_t reserved;
	void *p, *q;

	p = talc_malloc(T(test), 1000);
	q = talc_malloc(T(test), 1000);
	KUNIT_ASSERT_NOT_NULL(test, q);
	reserved = talc_reserved(T(test), mem);
	KUNIT_EXPECT_GE(test, reserved, (size_t)((char *)q + 1000 - mem));
	KUNIT_EXPECT_LT(test, reserved, (size_t)((char *)q + 1100 - mem));
	KUNIT_EXPECT_EQ(test, talc_truncate(T(test), mem, reserved - 8),
			-EBUSY);
	KUNIT_EXPECT_EQ(test, talc_truncate(T(test), mem, 20000), -EINVAL);
	KUNIT_EXPECT_EQ(test, talc_truncate(T(test), mem + 8, 8000), -EINVAL);
	KUNIT_EXPECT_EQ(test, talc_truncate(T(test), mem, 8000), 0);
	KUNIT_EXPECT_EQ(test, stats(test).claimed_bytes, 8000);
	expect_consistent(test);
	KUNIT_EXPECT_EQ(test, talc_truncate(T(test), mem, reserved), 0);
	KUNIT_EXPECT_EQ(test, stats(test).fragment_count, 0);
	KUNIT_EXPECT_NULL(test, talc_malloc(T(test), 8));
	expect_consistent(test);
	/* Freeing the top lowers what is reserved. */
	talc_free(T(test), q);
	KUNIT_EXPECT_LT(test, talc_reserved(T(test), mem), reserved);
	KUNIT_EXPECT_EQ(test, talc_truncate(T(test), mem,
					    talc_reserved(T(test), mem)), 0);
	talc_free(T(test), p);
	KUNIT_EXPECT_EQ(test, talc_truncate(T(test), mem,
					    talc_reserved(T(test), mem)), 0);
	KUNIT_EXPECT_EQ(test, stats(test).available_bytes, 0);
	KUNIT_EXPECT_EQ(test, talc_reserved(T(test), mem + 8), 0);
	expect_consistent(test);
	KUNIT_EXPECT_EQ(test, talc_release(T(test), mem), 0);
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
	KUNIT_EXPECT_EQ(test, stats(test).region_count, 1);
	KUNIT_EXPECT_EQ(test, stats(test).claimed_bytes, 8192);
	KUNIT_EXPECT_EQ(test, stats(test).total_region_count, 2);
	expect_consistent(test);
	/* Nothing comes from the released region any more. */
	while ((p = talc_malloc(T(test), 64)))
		KUNIT_EXPECT_TRUE(test, (char *)p >= a && (char *)p < a + 8192);
	/* A pointer into it is now outside every region. */
	talc_free(T(test), b + 64);
	KUNIT_EXPECT_EQ(test, F(test)->events[TALC_EV_FREE_OUTSIDE], 1);
	expect_consistent(test);
}

/* ---- bins ---- */

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
	/* Linear bins are exact, then 16 bins per power of two. */
	KUNIT_EXPECT_EQ(test, talc_bin_min_size(TALC_LINEAR_BINS),
			TALC_LINEAR_LIMIT);
	KUNIT_EXPECT_EQ(test, talc_bin_min_size(TALC_LINEAR_BINS + 16),
			2 * TALC_LINEAR_LIMIT);
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
	talc_free(T(test), p);
	st = stats(test);
	KUNIT_EXPECT_EQ(test, st.available_bytes, st0.available_bytes);
	KUNIT_EXPECT_EQ(test, st.allocated_bytes, st0.allocated_bytes);
	KUNIT_EXPECT_EQ(test, st.fragment_count, 1);
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
	T(test)->scan_limit = 0;
	KUNIT_EXPECT_NULL(test, talc_malloc(T(test), 1008));
	T(test)->scan_limit = 2;
	KUNIT_EXPECT_NULL(test, talc_malloc(T(test), 1008));
	T(test)->scan_limit = 8;
	p = talc_malloc(T(test), 1008);
	KUNIT_EXPECT_PTR_EQ(test, p, hole[12]);
	for (i = 0; i < 16; i++)
		talc_free(T(test), hold[i]);
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

	claim_arena(test, arena);
	odd = talc_malloc(T(test), 40);	/* misalign what follows */
	st0 = stats(test);
	for (i = 0; i < n; i++) {
		p[i] = talc_malloc_aligned(T(test), sizes[i], align);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
		KUNIT_EXPECT_EQ(test, (uintptr_t)p[i] % align, 0);
		KUNIT_EXPECT_GE(test, talc_usable_size(T(test), p[i]),
				sizes[i]);
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
	KUNIT_EXPECT_TRUE(test, talc_pattern_ok(p, 100, 9));
	KUNIT_EXPECT_EQ(test, stats(test).failed_allocations,
			st0.failed_allocations + 8);
	KUNIT_EXPECT_EQ(test, stats(test).available_bytes,
			st0.available_bytes);
	KUNIT_EXPECT_EQ(test, talc_usable_size(T(test), p), 104);
	expect_consistent(test);
}

/* ---- free and usable_size ---- */

static void core_free_null(struct kunit *test)
{
	claim_arena(test, ARENA_SIZE);
	talc_free(T(test), NULL);
	KUNIT_EXPECT_EQ(test, stats(test).bad_frees, 0);
	KUNIT_EXPECT_EQ(test, talc_usable_size(T(test), NULL), 0);
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
	talc_free(T(test), p[0]);
	KUNIT_EXPECT_EQ(test, stats(test).fragment_count, 1);
	KUNIT_EXPECT_EQ(test, stats(test).allocation_count, 0);
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

static void core_usable_size(struct kunit *test)
{
	char *mem = claim_arena(test, ARENA_SIZE);
	char *p = talc_malloc(T(test), 1);

	KUNIT_EXPECT_EQ(test, talc_usable_size(T(test), p), 16);
	KUNIT_EXPECT_EQ(test, talc_usable_size(T(test), p + 8), 0);
	KUNIT_EXPECT_EQ(test, talc_usable_size(T(test), p + 1), 0);
	KUNIT_EXPECT_EQ(test, talc_usable_size(T(test), mem - 64), 0);
	talc_free(T(test), p);
	KUNIT_EXPECT_EQ(test, talc_usable_size(T(test), p), 0);
	KUNIT_EXPECT_EQ(test, stats(test).bad_frees, 0);
}

/* ---- bad frees ---- */

enum bad_kind { BAD_MISALIGNED, BAD_OUTSIDE, BAD_INTERIOR, BAD_DOUBLE,
		BAD_IN_FREE, BAD_REALLOC };

static const struct bad_case {
	enum bad_kind kind;
	enum talc_event ev;
	const char *name;
} bad_cases[] = {
	{ BAD_MISALIGNED, TALC_EV_FREE_MISALIGNED, "misaligned" },
	{ BAD_OUTSIDE, TALC_EV_FREE_OUTSIDE, "outside" },
	{ BAD_INTERIOR, TALC_EV_FREE_INVALID, "interior" },
	{ BAD_DOUBLE, TALC_EV_FREE_DOUBLE, "double" },
	{ BAD_IN_FREE, TALC_EV_FREE_INVALID, "into-free-chunk" },
	{ BAD_REALLOC, TALC_EV_FREE_DOUBLE, "realloc-of-freed" },
};

static void bad_desc(const struct bad_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", c->name);
}

KUNIT_ARRAY_PARAM(bad, bad_cases, bad_desc);

static void core_bad_free(struct kunit *test)
{
	const struct bad_case *bc = test->param_value;
	char *outside = kunit_kzalloc(test, 256, GFP_KERNEL);
	struct talc_stats st0, st;
	char *p, *q, *r, *victim = NULL;

	claim_arena(test, ARENA_SIZE);
	p = talc_malloc(T(test), 200);
	q = talc_malloc(T(test), 200);
	r = talc_malloc(T(test), 200);
	KUNIT_ASSERT_NOT_NULL(test, r);
	talc_pattern_fill(p, 200, 1);
	talc_pattern_fill(r, 200, 2);
	/* q's body looks like a heap to a careless free */
	memset(q, 0x11, 200);
	talc_free(T(test), q);
	st0 = stats(test);

	switch (bc->kind) {
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
	case BAD_REALLOC:
		victim = q;
		break;
	case BAD_IN_FREE:
		victim = q + 96;
		break;
	}
	if (bc->kind == BAD_REALLOC)
		KUNIT_EXPECT_NULL(test, talc_realloc(T(test), victim, 50));
	else
		talc_free(T(test), victim);
	st = stats(test);
	KUNIT_EXPECT_EQ(test, st.bad_frees, st0.bad_frees + 1);
	KUNIT_EXPECT_EQ(test, F(test)->events[bc->ev], 1);
	KUNIT_EXPECT_PTR_EQ(test, F(test)->last_addr, victim);
	KUNIT_EXPECT_EQ(test, st.available_bytes, st0.available_bytes);
	KUNIT_EXPECT_EQ(test, st.allocation_count, st0.allocation_count);
	KUNIT_EXPECT_EQ(test, st.allocated_bytes, st0.allocated_bytes);
	KUNIT_EXPECT_TRUE(test, talc_pattern_ok(p, 200, 1));
	KUNIT_EXPECT_TRUE(test, talc_pattern_ok(r, 200, 2));
	expect_consistent(test);
	talc_free(T(test), p);
	talc_free(T(test), r);
	KUNIT_EXPECT_EQ(test, stats(test).fragment_count, 1);
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
	talc_free(T(test), b);
	talc_free(T(test), a);
	KUNIT_EXPECT_EQ(test, stats(test).bad_frees, 2);
	KUNIT_EXPECT_EQ(test, F(test)->events[TALC_EV_FREE_DOUBLE], 2);
	talc_free(T(test), c);
	talc_free(T(test), c);
	KUNIT_EXPECT_EQ(test, stats(test).bad_frees, 3);
	KUNIT_EXPECT_EQ(test, stats(test).fragment_count, 1);
	expect_consistent(test);
}

/* ---- realloc ---- */

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
			2 * (talc_region_overhead() - 2 * (TALC_ALIGN - 1)));
	KUNIT_EXPECT_EQ(test, talc_walk(T(test), stop_at_first, &first), 7);
	KUNIT_EXPECT_NOT_NULL(test, first.chunk);
}

/* ---- poisoning ---- */

static void core_poison(struct kunit *test)
{
	char *p, *q;

	claim_arena(test, ARENA_SIZE);
	T(test)->poison = true;
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
	KUNIT_EXPECT_EQ(test, F(test)->events[TALC_EV_POISON], 1);
	KUNIT_EXPECT_PTR_EQ(test, F(test)->last_addr, p + 100);
	talc_free(T(test), q);
	talc_free(T(test), p);
	expect_consistent(test);
}

static void core_poison_merged(struct kunit *test)
{
	char *a, *b, *c, *guard, *big;

	claim_arena(test, ARENA_SIZE);
	T(test)->poison = true;
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
	KUNIT_EXPECT_EQ(test, F(test)->events[TALC_EV_POISON], 0);
	talc_free(T(test), p);
	talc_free(T(test), q);
}

/* ---- the OOM hook ---- */

static int oom_claim(struct talc *t, size_t size, size_t align, void *data)
{
	struct fixture *f = data;

	f->oom_calls++;
	if (!f->oom_region)
		return -ENOMEM;
	if (talc_claim(t, f->oom_region, f->oom_size))
		return -ENOMEM;
	f->oom_region = NULL;
	return 0;
}

static int oom_liar(struct talc *t, size_t size, size_t align, void *data)
{
	((struct fixture *)data)->oom_calls++;
	return 0;	/* claims success but adds nothing */
}

static int oom_dribble(struct talc *t, size_t size, size_t align, void *data)
{
	struct fixture *f = data;
	char *mem = f->oom_region;

	/* adds a small region each time: never enough for the request */
	f->oom_calls++;
	if (talc_claim(t, mem + f->oom_calls * 256, 256))
		return -ENOMEM;
	return 0;
}

static void core_oom_hook(struct kunit *test)
{
	struct fixture *f = F(test);
	void *p;

	claim_arena(test, 4096);
	f->t.oom = oom_claim;
	f->t.oom_data = f;
	f->oom_size = 64 * 1024;
	f->oom_region = kunit_kzalloc(test, f->oom_size, GFP_KERNEL);
	p = talc_malloc(T(test), 10000);
	KUNIT_EXPECT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, f->oom_calls, 1);
	KUNIT_EXPECT_EQ(test, stats(test).region_count, 2);
	/* The hook has nothing left: the allocation fails after one call. */
	KUNIT_EXPECT_NULL(test, talc_malloc(T(test), 100000));
	KUNIT_EXPECT_EQ(test, f->oom_calls, 2);
	KUNIT_EXPECT_EQ(test, stats(test).failed_allocations, 1);
	expect_consistent(test);
}

static void core_oom_no_endless_loop(struct kunit *test)
{
	struct fixture *f = F(test);

	claim_arena(test, 4096);
	f->t.oom = oom_liar;
	f->t.oom_data = f;
	KUNIT_EXPECT_NULL(test, talc_malloc(T(test), 10000));
	KUNIT_EXPECT_EQ(test, f->oom_calls, 1);
	f->oom_calls = 0;
	f->t.oom = oom_dribble;
	f->oom_region = kunit_kzalloc(test, 64 * 1024, GFP_KERNEL);
	KUNIT_EXPECT_NULL(test, talc_malloc(T(test), 10000));
	KUNIT_EXPECT_LE(test, f->oom_calls, 17);
	KUNIT_EXPECT_GE(test, f->oom_calls, 16);
	expect_consistent(test);
}

/* ---- talc_check catches corruption ---- */

enum corruption { C_HDR_CHECK, C_USED_SIZE, C_FOOTER, C_BITMAP, C_SUMMARY,
		  C_LINK, C_WRONG_BIN, C_COUNTER, C_PREV_FLAG, C_SENTINEL };

static const struct corrupt_case {
	enum corruption kind;
	const char *name;
} corrupt_cases[] = {
	{ C_HDR_CHECK, "header-check-bits" },
	{ C_USED_SIZE, "used-chunk-size" },
	{ C_FOOTER, "free-footer" },
	{ C_BITMAP, "bitmap-bit" },
	{ C_SUMMARY, "bitmap-summary" },
	{ C_LINK, "free-list-link" },
	{ C_WRONG_BIN, "chunk-in-wrong-bin" },
	{ C_COUNTER, "available-counter" },
	{ C_PREV_FLAG, "prev-free-flag" },
	{ C_SENTINEL, "region-sentinel" },
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
	size_t saved_avail = t->available_bytes;
	char *mem, *p[4];
	unsigned int b = 0, i;

	mem = claim_arena(test, ARENA_SIZE);
	for (i = 0; i < 4; i++)
		p[i] = talc_malloc(t, 200);
	talc_free(t, p[1]);	/* free chunk of 208 bytes at p[1] - 8 */
	b = talc_bin_of(208);
	expect_consistent(test);
	saved_avail = t->available_bytes;

	switch (cc->kind) {
	case C_HDR_CHECK:
		word = hdr_of(p[2]);
		saved = *word;
		*word ^= 1UL << 60;
		break;
	case C_USED_SIZE:
		word = hdr_of(p[2]);
		saved = *word;
		*word += 8;	/* size 8 bytes larger, check bits now stale */
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
	}
	KUNIT_EXPECT_EQ(test, talc_check(t), -EUCLEAN);
	KUNIT_EXPECT_EQ(test, F(test)->events[TALC_EV_CORRUPT], 1);
	KUNIT_EXPECT_NOT_NULL(test, F(test)->last_what);
	kunit_info(test, "reported: %s", F(test)->last_what);

	/* Repair and the heap is whole again. */
	if (word)
		*word = saved;
	if (slot) {
		t->bins[b] = *slot;
		*slot = saved_slot;
	}
	t->available_bytes = saved_avail;
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
	T(test)->quick_depth = TALC_DEFAULT_QUICK_DEPTH;
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
	expect_consistent(test);
	/* A parked chunk is still a double free and has no usable size. */
	talc_free(T(test), p);
	KUNIT_EXPECT_EQ(test, F(test)->events[TALC_EV_FREE_DOUBLE], 1);
	KUNIT_EXPECT_EQ(test, talc_usable_size(T(test), p), 0);
	q = talc_malloc(T(test), 60);	/* same chunk size: 72 */
	KUNIT_EXPECT_PTR_EQ(test, q, p);
	KUNIT_EXPECT_EQ(test, stats(test).allocated_bytes,
			st0.allocated_bytes - 4);
	KUNIT_EXPECT_EQ(test, talc_usable_size(T(test), q), 64);
	expect_consistent(test);
	/* Depth bound: the ninth free of a size is coalesced. */
	for (i = 0; i < 10; i++)
		talc_malloc(T(test), 200);
	talc_free(T(test), q);
	talc_free(T(test), guard);
	KUNIT_EXPECT_LE(test, T(test)->quick_count[talc_bin_of(208)],
			TALC_DEFAULT_QUICK_DEPTH);
	expect_consistent(test);
}

static void core_quick_depth_bound(struct kunit *test)
{
	void *p[12], *g[12];
	int i;

	claim_arena(test, ARENA_SIZE);
	T(test)->quick_depth = 4;
	for (i = 0; i < 12; i++) {
		p[i] = talc_malloc(T(test), 100);
		g[i] = talc_malloc(T(test), 8);
	}
	for (i = 0; i < 12; i++)
		talc_free(T(test), p[i]);
	KUNIT_EXPECT_EQ(test, T(test)->quick_count[talc_bin_of(112)], 4);
	KUNIT_EXPECT_EQ(test, T(test)->quick_chunks, 4 + 0);
	expect_consistent(test);
	for (i = 0; i < 12; i++)
		talc_free(T(test), g[i]);
	expect_consistent(test);
}

/* Parked chunks are coalesced before an allocation would fail. */
static void core_quick_flush_on_failure(struct kunit *test)
{
	void *p[64];
	int i, n = 0;

	claim_arena(test, 8192);
	T(test)->quick_depth = 64;
	while (n < 64 && (p[n] = talc_malloc(T(test), 100)))
		n++;
	for (i = 0; i < n; i++)
		talc_free(T(test), p[i]);
	KUNIT_EXPECT_EQ(test, T(test)->quick_chunks, n);
	p[0] = talc_malloc(T(test), 4000);
	KUNIT_EXPECT_NOT_NULL(test, p[0]);
	KUNIT_EXPECT_EQ(test, T(test)->quick_chunks, 0);
	KUNIT_EXPECT_EQ(test, stats(test).failed_allocations, 0);
	expect_consistent(test);
	talc_free(T(test), p[0]);
	talc_flush(T(test));
	KUNIT_EXPECT_EQ(test, stats(test).fragment_count, 1);
}

/* Region operations see through parked chunks. */
static void core_quick_region_ops(struct kunit *test)
{
	char *mem = claim_arena(test, 8192);
	void *p;

	T(test)->quick_depth = 8;
	p = talc_malloc(T(test), 100);
	talc_free(T(test), p);
	KUNIT_EXPECT_EQ(test, T(test)->quick_chunks, 1);
	KUNIT_EXPECT_EQ(test, talc_release(T(test), mem), 0);
	KUNIT_EXPECT_EQ(test, stats(test).available_bytes, 0);
	KUNIT_EXPECT_EQ(test, stats(test).fragment_count, 0);
	expect_consistent(test);
}

/* ---- stress ---- */

static u32 next_rand(u32 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

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
			T(test)->poison = i % 10000;
			T(test)->quick_depth = i % 10000 ? 0 : 8;
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
				talc_free(T(test), p[k]);
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
	KUNIT_EXPECT_EQ(test, stats(test).poison_errors, 0);
	KUNIT_EXPECT_EQ(test, stats(test).bad_frees, 0);
	expect_consistent(test);
}

static struct kunit_case talc_core_cases[] = {
	KUNIT_CASE(core_init_empty),
	KUNIT_CASE(core_claim_basic),
	KUNIT_CASE(core_claim_invalid),
	KUNIT_CASE(core_claim_minimum),
	KUNIT_CASE(core_claim_unaligned),
	KUNIT_CASE(core_multi_region),
	KUNIT_CASE(core_extend),
	KUNIT_CASE(core_truncate),
	KUNIT_CASE(core_release),
	KUNIT_CASE(core_bin_boundaries),
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
	KUNIT_CASE_PARAM(core_bad_free, bad_gen_params),
	KUNIT_CASE(core_double_free_merged),
	KUNIT_CASE(core_realloc_null_and_zero),
	KUNIT_CASE(core_realloc_shrink),
	KUNIT_CASE(core_realloc_shrink_into_free),
	KUNIT_CASE(core_realloc_grow_in_place),
	KUNIT_CASE(core_realloc_move),
	KUNIT_CASE(core_realloc_keeps_alignment),
	KUNIT_CASE(core_realloc_fail_keeps_old),
	KUNIT_CASE(core_counters),
	KUNIT_CASE(core_walk),
	KUNIT_CASE(core_poison),
	KUNIT_CASE(core_poison_merged),
	KUNIT_CASE(core_poison_off),
	KUNIT_CASE(core_oom_hook),
	KUNIT_CASE(core_oom_no_endless_loop),
	KUNIT_CASE_PARAM(core_check_catches, corrupt_gen_params),
	KUNIT_CASE(core_quick_reuse),
	KUNIT_CASE(core_quick_depth_bound),
	KUNIT_CASE(core_quick_flush_on_failure),
	KUNIT_CASE(core_quick_region_ops),
	KUNIT_CASE_SLOW(core_random_stress),
	{}
};

static struct kunit_suite talc_core_suite = {
	.name = "talc_core",
	.init = core_init,
	.test_cases = talc_core_cases,
};

kunit_test_suite(talc_core_suite);
