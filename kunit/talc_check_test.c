// SPDX-License-Identifier: GPL-2.0
/*
 * talc_check_test.c - KUnit suite for talc_check(), in the manner of
 * lib/slub_kunit.c: each test corrupts one thing on purpose (a chunk header,
 * a size, a footer, a neighbour flag, a free-list link, a bin, the bitmap,
 * a quick list, a counter, a region's sentinel or head mark, the region
 * index, the idle marks and the idle-region list), expects talc_check() to
 * fail with exactly one report - the expected one - delivered to the running
 * test through the report hook, then restores the bytes and expects a clean
 * check.  Corruptions that a single chunk, a region or the lists show are
 * also caught by the stepped check (talc_check_step(), budget 1).
 * Corruptions of free chunks run once per free-chunk size, so the minimal
 * chunk (no footer), linear and logarithmic bins and the bin boundary are
 * all covered.
 *
 * The scene: one region holding used a, free (or parked) b and used c,
 * and a second, idle region.  The test knows the chunk and region layout
 * drawn at the top of talc/talc.c and pokes struct talc's private fields.
 * It runs under KUnit and in userspace (make unit).
 */
#include <kunit/test.h>
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "../talc/talc.h"
#include "talc_kunit.h"

/* From the header layout in talc.c. */
#define TC_HDR_USED		BIT(0)
#define TC_HDR_PREV_FREE	BIT(1)
#define TC_HDR_PREV_MIN		BIT(2)
#define TC_HDR_SLACK		GENMASK(45, 40)
#define TC_HDR_IDLE		BIT(41)

#define TC_BUF_SIZE		(32 * 1024)
#define TC_BUF2_SIZE		4096

/* struct talc_region of talc.c: the head in front of a region's chunks. */
struct tc_region {
	void *base;
	size_t size;
	struct tc_region *idle_next;
	struct tc_region *idle_prev;
	unsigned long idle;
	unsigned long mark;
};

struct tc_env {
	struct kunit *test;
	struct talc t;
	void *buf;
	void *snap_buf;
	void *buf2;		/* the second, idle region */
	void *snap_buf2;
	struct talc snap_t;
	/* reports */
	int reports;
	int foreign_reports;	/* delivered outside this test */
	enum talc_event last_ev;
	const void *last_addr;
	const char *last_what;
	/* the scene: used a, free chunk b of size bsize, used c */
	char *a, *b, *c;
	size_t bsize;
};

static void tc_report(void *data, enum talc_event ev, const void *addr,
		      const char *what)
{
	struct tc_env *e = data;

	/* Reported into the running test, as slub_kunit does. */
	if (current->kunit_test != e->test) {
		e->foreign_reports++;
		return;
	}
	e->reports++;
	e->last_ev = ev;
	e->last_addr = addr;
	e->last_what = what;
	kunit_info(e->test, "talc report: event %d at %p: %s", ev, addr,
		   what);
}

static int tc_chunk_at(void *data, const struct talc_chunk_info *ci)
{
	struct talc_chunk_info *want = data;

	if (ci->chunk != want->chunk)
		return 0;
	*want = *ci;
	return 1;
}

/* Look up the chunk starting at @chunk with talc_walk(). */
static bool tc_lookup(struct tc_env *e, void *chunk,
		      struct talc_chunk_info *ci)
{
	ci->chunk = chunk;
	return talc_walk(&e->t, tc_chunk_at, ci) == 1;
}

/* The index slot of the region claimed at @base. */
static size_t tc_slot(struct kunit *test, const struct talc *t, void *base)
{
	size_t i;

	for (i = 0; i < 2; i++)
		if (((struct tc_region *)t->index_lo[i] - 1)->base == base)
			return i;
	KUNIT_FAIL(test, "region %p not in the index", base);
	return 0;
}

static struct tc_region *tc_region(struct kunit *test, const struct talc *t,
				   void *base)
{
	return (struct tc_region *)t->index_lo[tc_slot(test, t, base)] - 1;
}

/* Builds the scene: [... a | b (free, @bsize bytes) | c ...] in one region. */
static struct tc_env *tc_setup_full(struct kunit *test, size_t bsize,
				    bool poison, bool quick)
{
	struct tc_env *e = kunit_kzalloc(test, sizeof(*e), GFP_KERNEL);
	struct talc_chunk_info ci;
	char *lo, *hi;

	KUNIT_ASSERT_NOT_NULL(test, e);
	e->test = test;
	e->buf = kunit_kzalloc(test, TC_BUF_SIZE, GFP_KERNEL);
	e->snap_buf = kunit_kzalloc(test, TC_BUF_SIZE, GFP_KERNEL);
	e->buf2 = kunit_kzalloc(test, TC_BUF2_SIZE, GFP_KERNEL);
	e->snap_buf2 = kunit_kzalloc(test, TC_BUF2_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, e->buf && e->snap_buf && e->buf2 &&
			  e->snap_buf2);
	talc_init(&e->t);
	talc_set_report(&e->t, tc_report, e);
	talc_set_poison(&e->t, poison);
	/* Unless asked, b goes to its bin rather than onto a quick list. */
	if (!quick)
		KUNIT_ASSERT_EQ(test, talc_set_quick_depth(&e->t, 0), 0);
	KUNIT_ASSERT_EQ(test, talc_claim(&e->t, e->buf, TC_BUF_SIZE), 0);

	e->a = talc_malloc(&e->t, 100);
	e->b = talc_malloc(&e->t, bsize - TALC_OVERHEAD);
	e->c = talc_malloc(&e->t, 100);
	KUNIT_ASSERT_TRUE(test, e->a && e->b && e->c);
	memset(e->a, 0x11, 100);
	memset(e->b, 0x22, bsize - TALC_OVERHEAD);
	memset(e->c, 0x33, 100);
	talc_free(&e->t, e->b);
	e->b -= TALC_OVERHEAD;		/* the chunk, not the payload */
	e->bsize = bsize;

	/* b is a free (or parked) chunk of bsize bytes between a and c. */
	KUNIT_ASSERT_TRUE(test, tc_lookup(e, e->b, &ci));
	KUNIT_ASSERT_FALSE(test, ci.used);	/* parked chunks walk as free */
	KUNIT_ASSERT_EQ(test, ci.size, bsize);
	if (quick)
		KUNIT_ASSERT_PTR_EQ(test, (void *)e->t.quick[talc_bin_of(bsize)],
				    (void *)e->b);
	lo = min(e->a, e->c) - TALC_OVERHEAD;
	hi = max(e->a, e->c) - TALC_OVERHEAD;
	KUNIT_ASSERT_TRUE(test, tc_lookup(e, lo, &ci));
	KUNIT_ASSERT_PTR_EQ(test, lo + ci.size, e->b);
	KUNIT_ASSERT_PTR_EQ(test, e->b + bsize, hi);

	/* the second region, claimed after the scene: it holds none of it */
	KUNIT_ASSERT_EQ(test, talc_claim(&e->t, e->buf2, TC_BUF2_SIZE), 0);
	KUNIT_ASSERT_EQ(test, sizeof(struct tc_region) + TALC_ALIGN +
			2 * (TALC_ALIGN - 1), talc_region_overhead());
	KUNIT_ASSERT_PTR_EQ(test, tc_region(test, &e->t, e->buf2)->base,
			    e->buf2);
	KUNIT_ASSERT_TRUE(test, tc_region(test, &e->t, e->buf2)->idle);
	KUNIT_ASSERT_FALSE(test, tc_region(test, &e->t, e->buf)->idle);
	KUNIT_ASSERT_EQ(test, talc_check(&e->t), 0);
	KUNIT_ASSERT_EQ(test, e->reports, 0);
	memcpy(e->snap_buf, e->buf, TC_BUF_SIZE);
	memcpy(e->snap_buf2, e->buf2, TC_BUF2_SIZE);
	e->snap_t = e->t;
	return e;
}

static struct tc_env *tc_setup(struct kunit *test, size_t bsize)
{
	return tc_setup_full(test, bsize, false, false);
}

/* Put every byte back (struct talc goes back to the same address). */
static void tc_restore(struct tc_env *e)
{
	memcpy(e->buf, e->snap_buf, TC_BUF_SIZE);
	memcpy(e->buf2, e->snap_buf2, TC_BUF2_SIZE);
	e->t = e->snap_t;
}

static unsigned long *tc_word(void *p)
{
	return p;
}

static void tc_set_bit(struct talc *t, unsigned int bin)
{
	t->avail[bin / BITS_PER_LONG] |= BIT(bin % BITS_PER_LONG);
	t->avail_l1 |= BIT(bin / BITS_PER_LONG);
}

static void tc_clear_bit(struct talc *t, unsigned int bin)
{
	unsigned int w = bin / BITS_PER_LONG;

	t->avail[w] &= ~BIT(bin % BITS_PER_LONG);
	if (!t->avail[w])
		t->avail_l1 &= ~BIT(w);
}

/* An empty bin near @bin (same bitmap word when possible). */
/* Chunks on quick list @bin (word 1 of a parked chunk links the next). */
static unsigned int tc_quick_len(const struct talc *t, unsigned int bin)
{
	const unsigned long *w = (const unsigned long *)t->quick[bin];
	unsigned int n = 0;

	for (; w; w = (const unsigned long *)w[1])
		n++;
	return n;
}

static unsigned int tc_empty_bin(struct kunit *test, const struct talc *t,
				 unsigned int bin)
{
	unsigned int d;

	for (d = 1; d < TALC_BIN_COUNT; d++) {
		if (bin + d < TALC_BIN_COUNT && !t->bins[bin + d])
			return bin + d;
		if (bin >= d && !t->bins[bin - d])
			return bin - d;
	}
	KUNIT_FAIL(test, "no empty bin");
	return bin;
}

enum tc_kind {
	/* free chunk b (run for every size) */
	TC_FREE_HDR_SIZE,
	TC_FREE_HDR_USED,
	TC_FREE_FOOTER,
	TC_ABOVE_PREV_FREE,
	TC_LINK_NEXT_USED,
	TC_LINK_NEXT_LOOP,
	TC_LINK_PREV,
	TC_BIN_WRONG,
	TC_BIN_UNLISTED,
	TC_BITMAP_CLEAR,
	TC_SUMMARY_CLEAR,
	/* b parked on a quick list (run for every size) */
	TC_QUICK_FIRST,
	TC_QUICK_LINK_USED = TC_QUICK_FIRST,
	TC_QUICK_LINK_LOOP,
	TC_QUICK_WRONG_LIST,
	TC_QUICK_UNLISTED,
	TC_QUICK_COUNT,
	TC_QUICK_MARK,
	TC_QUICK_BYTES,
	TC_PER_SIZE,
	/* the rest (run once) */
	TC_USED_HDR_SIZE = TC_PER_SIZE,
	TC_USED_HDR_TAG,
	TC_USED_HDR_FREE,
	TC_USED_SLACK,
	TC_SENTINEL,
	TC_REGION_MARK,
	TC_INDEX_ORDER,
	TC_INDEX_BOUNDS,
	TC_IDLE_MARK_SET,
	TC_IDLE_MARK_CLEAR,
	TC_IDLE_FLAG_SET,
	TC_IDLE_FLAG_CLEAR,
	TC_IDLE_LIST_LINK,
	TC_IDLE_LIST_EMPTY,
	TC_IDLE_COUNT,
	TC_BITMAP_SET,
	TC_SUMMARY_SET,
	TC_CNT_AVAILABLE,
	TC_CNT_FRAGMENTS,
	TC_CNT_ALLOCATIONS,
	TC_CNT_ALLOCATED,
	TC_CNT_CLAIMED,
	TC_CNT_REGIONS,
	TC_KINDS
};

#define TC_MSG_TAG	"chunk header tag mismatch"
#define TC_MSG_FLAGS	"prev-free flags disagree with the chunk below"
#define TC_MSG_BIT	"bitmap bit of a free chunk's bin is clear"
#define TC_MSG_SUMMARY	"summary bit disagrees with its bitmap word"
#define TC_MSG_QLOOP	"more chunks on a quick list than its count (list loop?)"
#define TC_MSG_QSUM	"quick lists do not hold exactly the parked bytes"
#define TC_MSG_INDEX	"region index out of order or out of bounds"
#define TC_MSG_IDLE	"idle mark disagrees with the region"
#define TC_MSG_IDLE_N	"idle region count disagrees with the regions"
#define TC_MSG_IDLE_L	"idle region list broken"
#define TC_MSG_FREE_N	"free counters disagree with the walk"
#define TC_MSG_USED_N	"allocation counters disagree with the walk"

/*
 * @what: the report talc_check() gives first; @stepped: talc_check_step()
 * catches it too.  The stepped check sees what a chunk and its neighbours,
 * a region's head, sentinel and index entry, the bitmap, the bin heads and
 * the quick lists show; not sums over the whole heap or over all regions
 * (counters, the idle-region list), nor a region index out of order, which
 * a bounded walk cannot navigate.
 */
static const struct tc_kind_desc {
	const char *name;
	const char *what;
	bool stepped;
} tc_kinds[TC_KINDS] = {
	[TC_FREE_HDR_SIZE] = { "free header size", TC_MSG_TAG, true },
	[TC_FREE_HDR_USED] = { "free header used bit", TC_MSG_FLAGS, true },
	[TC_FREE_FOOTER] = { "free footer",
			     "free chunk footer disagrees with its header", true },
	[TC_ABOVE_PREV_FREE] = { "prev-free flag above", TC_MSG_FLAGS, true },
	[TC_LINK_NEXT_USED] = { "next link to used chunk",
				"free list link broken", true },
	[TC_LINK_NEXT_LOOP] = { "next link loop", "free list link broken", true },
	[TC_LINK_PREV] = { "prev link", "free list back link broken", true },
	[TC_BIN_WRONG] = { "chunk in wrong bin", TC_MSG_BIT, true },
	[TC_BIN_UNLISTED] = { "chunk in no bin", TC_MSG_BIT, true },
	[TC_BITMAP_CLEAR] = { "bitmap bit cleared", TC_MSG_BIT, true },
	[TC_SUMMARY_CLEAR] = { "summary bit cleared", TC_MSG_SUMMARY, true },
	[TC_QUICK_LINK_USED] = { "quick link to used chunk", TC_MSG_QLOOP, true },
	[TC_QUICK_LINK_LOOP] = { "quick link loop", TC_MSG_QLOOP, true },
	[TC_QUICK_WRONG_LIST] = { "parked on wrong quick list",
				  "parked chunk is on the wrong quick list", true },
	[TC_QUICK_UNLISTED] = { "parked on no quick list", TC_MSG_QSUM, true },
	[TC_QUICK_COUNT] = { "quick list count",
			     "quick list length disagrees with its count", true },
	[TC_QUICK_MARK] = { "parked mark cleared",
			    "quick list holds something that is not a parked chunk",
			    true },
	[TC_QUICK_BYTES] = { "quick_bytes", TC_MSG_QSUM, true },
	[TC_USED_HDR_SIZE] = { "used header size", TC_MSG_TAG, true },
	[TC_USED_HDR_TAG] = { "used header tag", TC_MSG_TAG, true },
	[TC_USED_HDR_FREE] = { "used header used bit", TC_MSG_FLAGS, true },
	[TC_USED_SLACK] = { "used header slack", TC_MSG_USED_N, false },
	[TC_SENTINEL] = { "region sentinel", "region sentinel broken", true },
	[TC_REGION_MARK] = { "region head mark", "region head mark broken",
			     true },
	[TC_INDEX_ORDER] = { "region index order", TC_MSG_INDEX, false },
	[TC_INDEX_BOUNDS] = { "region index bound", TC_MSG_INDEX, true },
	[TC_IDLE_MARK_SET] = { "idle mark on a chunk that spans nothing",
			       TC_MSG_IDLE, true },
	[TC_IDLE_MARK_CLEAR] = { "idle mark of an idle region cleared",
				 TC_MSG_IDLE, true },
	[TC_IDLE_FLAG_SET] = { "busy region flagged idle", TC_MSG_IDLE_N, true },
	[TC_IDLE_FLAG_CLEAR] = { "idle region flagged busy", TC_MSG_IDLE_L,
				 true },
	[TC_IDLE_LIST_LINK] = { "idle list links a busy region", TC_MSG_IDLE_L,
				false },
	[TC_IDLE_LIST_EMPTY] = { "idle list lost its region", TC_MSG_IDLE_N,
				 false },
	[TC_IDLE_COUNT] = { "idle_count", TC_MSG_IDLE_N, false },
	[TC_BITMAP_SET] = { "bitmap bit of empty bin",
			    "bitmap bit disagrees with its bin", true },
	[TC_SUMMARY_SET] = { "summary bit of empty word", TC_MSG_SUMMARY, true },
	[TC_CNT_AVAILABLE] = { "available_bytes", TC_MSG_FREE_N, false },
	[TC_CNT_FRAGMENTS] = { "fragment_count", TC_MSG_FREE_N, false },
	[TC_CNT_ALLOCATIONS] = { "allocation_count", TC_MSG_USED_N, false },
	[TC_CNT_ALLOCATED] = { "allocated_bytes", TC_MSG_USED_N, false },
	[TC_CNT_CLAIMED] = { "claimed_bytes",
			     "region counters disagree with the walk", false },
	[TC_CNT_REGIONS] = { "region_count", TC_MSG_INDEX, false },
};

/* Free chunk sizes: minimal (no footer), small, last linear bin, first
 * logarithmic bin, a sub-bin boundary, a page-ish chunk.
 */
static const size_t tc_sizes[] = { 24, 40, 504, 512, 576, 4104 };

struct tc_param {
	enum tc_kind kind;
	size_t bsize;
};

static struct tc_param tc_params[TC_PER_SIZE * ARRAY_SIZE(tc_sizes) +
				 TC_KINDS - TC_PER_SIZE];

static const void *tc_gen_params(const void *prev, char *desc)
{
	const struct tc_param *p = prev;
	size_t i, n = 0;

	if (!prev) {
		for (i = 0; i < TC_PER_SIZE * ARRAY_SIZE(tc_sizes); i++) {
			tc_params[n].kind = i / ARRAY_SIZE(tc_sizes);
			tc_params[n++].bsize = tc_sizes[i % ARRAY_SIZE(tc_sizes)];
		}
		for (i = TC_PER_SIZE; i < TC_KINDS; i++) {
			tc_params[n].kind = i;
			tc_params[n++].bsize = 40;
		}
		p = tc_params;
	} else if (++p >= tc_params + ARRAY_SIZE(tc_params)) {
		return NULL;
	}
	if (p->kind < TC_PER_SIZE)
		snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s, %zu-byte chunk",
			 tc_kinds[p->kind].name, p->bsize);
	else
		snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s",
			 tc_kinds[p->kind].name);
	return p;
}

/* The report talc_check() gives first for @kind on a @bsize-byte chunk b. */
static const char *tc_expected(enum tc_kind kind, size_t bsize)
{
	/* a minimal chunk has no footer: its neighbour's flags are hit */
	if (kind == TC_FREE_FOOTER && bsize == TALC_MIN_CHUNK)
		return TC_MSG_FLAGS;
	return tc_kinds[kind].what;
}

static void tc_corrupt(struct kunit *test, struct tc_env *e,
		       enum tc_kind kind)
{
	struct talc *t = &e->t;
	unsigned long *bw = tc_word(e->b);		/* hdr, next, prev */
	unsigned long *above = tc_word(e->b + e->bsize);
	unsigned long *ua = tc_word(e->a - TALC_OVERHEAD);
	unsigned int bin = talc_bin_of(e->bsize), other, n;
	struct tc_region *r = tc_region(test, t, e->buf);
	struct tc_region *r2 = tc_region(test, t, e->buf2);
	size_t k = tc_slot(test, t, e->buf);
	unsigned long x;
	unsigned int w;

	if (kind < TC_QUICK_FIRST || kind >= TC_PER_SIZE)
		KUNIT_ASSERT_PTR_EQ(test, (void *)t->bins[bin], (void *)e->b);
	switch (kind) {
	case TC_FREE_HDR_SIZE:
		bw[0] += TALC_ALIGN;
		break;
	case TC_FREE_HDR_USED:
		bw[0] |= TC_HDR_USED;
		break;
	case TC_FREE_FOOTER:
		if (e->bsize > TALC_MIN_CHUNK)
			bw[e->bsize / 8 - 1] += TALC_ALIGN;
		else	/* no footer: the chunk above says "minimal" */
			*above &= ~TC_HDR_PREV_MIN;
		break;
	case TC_ABOVE_PREV_FREE:
		*above &= ~TC_HDR_PREV_FREE;
		break;
	case TC_LINK_NEXT_USED:
		bw[1] = (unsigned long)ua;
		break;
	case TC_LINK_NEXT_LOOP:
		bw[1] = (unsigned long)bw;
		break;
	case TC_LINK_PREV:
		bw[2] = (unsigned long)ua;
		break;
	case TC_BIN_WRONG:
		KUNIT_ASSERT_EQ(test, bw[1], 0UL);	/* alone in its bin */
		other = tc_empty_bin(test, t, bin);
		t->bins[other] = t->bins[bin];
		t->bins[bin] = NULL;
		tc_clear_bit(t, bin);
		tc_set_bit(t, other);
		break;
	case TC_BIN_UNLISTED:
		KUNIT_ASSERT_EQ(test, bw[1], 0UL);
		t->bins[bin] = NULL;
		tc_clear_bit(t, bin);
		break;
	case TC_BITMAP_CLEAR:
		tc_clear_bit(t, bin);
		break;
	case TC_SUMMARY_CLEAR:
		t->avail_l1 &= ~BIT(bin / BITS_PER_LONG);
		break;
	case TC_QUICK_LINK_USED:
		bw[1] = (unsigned long)ua;
		break;
	case TC_QUICK_LINK_LOOP:
		bw[1] = (unsigned long)bw;
		break;
	case TC_QUICK_WRONG_LIST:
		other = bin ? bin - 1 : bin + 1;
		KUNIT_ASSERT_NULL(test, t->quick[other]);
		/* the list and its count move: quick_room[] counts down */
		n = tc_quick_len(t, bin);
		t->quick[other] = t->quick[bin];
		t->quick[bin] = NULL;
		t->quick_room[other] -= n;
		t->quick_room[bin] += n;
		break;
	case TC_QUICK_UNLISTED:
		t->quick_room[bin] += tc_quick_len(t, bin);
		t->quick[bin] = NULL;
		break;
	case TC_QUICK_COUNT:
		t->quick_room[bin]--;
		break;
	case TC_QUICK_MARK:
		bw[0] &= ~TC_HDR_SLACK;
		break;
	case TC_QUICK_BYTES:
		t->quick_bytes += TALC_ALIGN;
		break;
	case TC_USED_HDR_SIZE:
		*ua += TALC_ALIGN;
		break;
	case TC_USED_HDR_TAG:
		*ua ^= BIT(63);
		break;
	case TC_USED_HDR_FREE:
		*ua &= ~TC_HDR_USED;
		break;
	case TC_USED_SLACK:
		*ua ^= TC_HDR_SLACK;
		break;
	case TC_SENTINEL:
		*tc_word((char *)e->buf + TC_BUF_SIZE - TALC_ALIGN) ^= BIT(63);
		break;
	case TC_REGION_MARK:
		KUNIT_ASSERT_PTR_EQ(test, (void *)(&r->mark + 1), (void *)ua);
		r->mark &= ~TC_HDR_USED;
		break;
	case TC_INDEX_ORDER:
		x = t->index_lo[0];
		t->index_lo[0] = t->index_lo[1];
		t->index_lo[1] = x;
		x = t->index_hi[0];
		t->index_hi[0] = t->index_hi[1];
		t->index_hi[1] = x;
		break;
	case TC_INDEX_BOUNDS:
		/* the sentinel one word past the region's end */
		t->index_hi[k] += TALC_ALIGN;
		break;
	case TC_IDLE_MARK_SET:
		bw[0] |= TC_HDR_IDLE;
		break;
	case TC_IDLE_MARK_CLEAR:
		*tc_word(r2 + 1) &= ~TC_HDR_IDLE;
		break;
	case TC_IDLE_FLAG_SET:
		r->idle = 1;
		break;
	case TC_IDLE_FLAG_CLEAR:
		r2->idle = 0;
		break;
	case TC_IDLE_LIST_LINK:
		KUNIT_ASSERT_PTR_EQ(test, (void *)t->idle, (void *)r2);
		r2->idle_next = r;
		break;
	case TC_IDLE_LIST_EMPTY:
		t->idle = NULL;
		break;
	case TC_IDLE_COUNT:
		t->idle_count++;
		break;
	case TC_BITMAP_SET:
		tc_set_bit(t, tc_empty_bin(test, t, bin));
		break;
	case TC_SUMMARY_SET:
		for (w = 0; w < TALC_BITMAP_WORDS && t->avail[w]; w++)
			;
		KUNIT_ASSERT_LT(test, w, (unsigned int)TALC_BITMAP_WORDS);
		t->avail_l1 |= BIT(w);
		break;
	case TC_CNT_AVAILABLE:
		t->available_bytes += TALC_ALIGN;
		break;
	case TC_CNT_FRAGMENTS:
		t->fragment_count++;
		break;
	case TC_CNT_ALLOCATIONS:
		t->total_free_count++;
		break;
	case TC_CNT_ALLOCATED:
		t->allocated_bytes++;
		break;
	case TC_CNT_CLAIMED:
		t->claimed_bytes += 4096;
		break;
	case TC_CNT_REGIONS:
		t->region_count++;
		break;
	default:
		KUNIT_FAIL(test, "unknown corruption %d", kind);
	}
}

static void talc_check_corruption_test(struct kunit *test)
{
	const struct tc_param *p = test->param_value;
	bool quick = p->kind >= TC_QUICK_FIRST && p->kind < TC_PER_SIZE;
	struct tc_env *e = tc_setup_full(test, p->bsize, false, quick);
	const char *what = tc_expected(p->kind, p->bsize);
	struct talc_stats st;
	unsigned int steps;
	int ret;

	tc_corrupt(test, e, p->kind);
	KUNIT_EXPECT_LT(test, talc_check(&e->t), 0);
	KUNIT_EXPECT_EQ_MSG(test, e->reports, 1,
			    "talc_check() must report the first problem, once");
	KUNIT_EXPECT_EQ(test, e->last_ev, TALC_EV_CORRUPT);
	KUNIT_EXPECT_NOT_NULL(test, e->last_addr);
	KUNIT_EXPECT_EQ(test, e->foreign_reports, 0);
	KUNIT_ASSERT_NOT_NULL(test, e->last_what);
	KUNIT_EXPECT_EQ_MSG(test, strcmp(e->last_what, what), 0,
			    "reported \"%s\", expected \"%s\"", e->last_what,
			    what);

	/* Put the bytes back: consistent again, no further report. */
	tc_restore(e);
	KUNIT_EXPECT_EQ(test, talc_check(&e->t), 0);
	KUNIT_EXPECT_EQ(test, e->reports, 1);

	/* The stepped check, one chunk per step, catches it too. */
	if (tc_kinds[p->kind].stepped) {
		tc_corrupt(test, e, p->kind);
		talc_walk_start(&e->t);
		for (steps = 0; steps < 100; steps++) {
			ret = talc_check_step(&e->t, 1);
			if (ret <= 0)
				break;
		}
		KUNIT_EXPECT_EQ(test, ret, -EUCLEAN);
		KUNIT_EXPECT_EQ_MSG(test, e->reports, 2,
				    "talc_check_step() must report it, once");
		KUNIT_EXPECT_EQ(test, e->last_ev, TALC_EV_CORRUPT);
		tc_restore(e);
		talc_walk_start(&e->t);
		while ((ret = talc_check_step(&e->t, 1)) > 0)
			;
		KUNIT_EXPECT_EQ(test, ret, 0);
		KUNIT_EXPECT_EQ(test, e->reports, 2);
	}

	/* And still a working allocator. */
	talc_free(&e->t, e->a);
	talc_free(&e->t, e->c);
	KUNIT_EXPECT_EQ(test, talc_check(&e->t), 0);
	talc_flush(&e->t);
	KUNIT_EXPECT_EQ(test, talc_check(&e->t), 0);
	talc_get_stats(&e->t, &st);
	KUNIT_EXPECT_EQ(test, st.allocation_count, (size_t)0);
	KUNIT_EXPECT_EQ(test, st.fragment_count, (size_t)2);
	KUNIT_EXPECT_EQ(test, st.idle_regions, (size_t)2);
	KUNIT_EXPECT_EQ(test, st.bad_frees, 0ULL);
	KUNIT_EXPECT_EQ(test, talc_release(&e->t, e->buf), 0);
	KUNIT_EXPECT_EQ(test, talc_release(&e->t, e->buf2), 0);
	KUNIT_EXPECT_EQ(test, talc_check(&e->t), 0);
}

/* Clean scenes over every size report nothing (the control group). */
static void talc_check_clean_test(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < 2 * ARRAY_SIZE(tc_sizes); i++) {
		struct tc_env *e = tc_setup_full(test,
						 tc_sizes[i / 2], false, i & 1);

		KUNIT_EXPECT_EQ(test, talc_check(&e->t), 0);
		KUNIT_EXPECT_EQ(test, e->reports, 0);
	}
}

/* A write after free is caught when poisoning is on, and reported. */
static void talc_check_poison_test(struct kunit *test)
{
	const size_t bsize = 512;
	struct tc_env *e = tc_setup_full(test, bsize, true, false);
	struct talc_stats st;
	char *p;

	/* The freed body (between the links and the footer) is poisoned... */
	KUNIT_EXPECT_TRUE(test, !memchr_inv(e->b + TALC_MIN_CHUNK,
					    TALC_POISON_BYTE,
					    bsize - TALC_MIN_CHUNK - 8));
	/* ...intact poison is handed out silently... */
	p = talc_malloc(&e->t, bsize - TALC_OVERHEAD);
	KUNIT_ASSERT_PTR_EQ(test, p, e->b + TALC_OVERHEAD);
	KUNIT_EXPECT_EQ(test, e->reports, 0);
	memset(p, 0x44, bsize - TALC_OVERHEAD);
	talc_free(&e->t, p);
	KUNIT_EXPECT_EQ(test, (u8)p[100], (u8)TALC_POISON_BYTE);
	/* ...and a write after free is reported when the chunk is reused. */
	p[100] = 0;
	KUNIT_EXPECT_EQ(test, talc_check(&e->t), 0);
	p = talc_malloc(&e->t, bsize - TALC_OVERHEAD);
	KUNIT_EXPECT_PTR_EQ(test, p, e->b + TALC_OVERHEAD);
	KUNIT_EXPECT_EQ(test, e->reports, 1);
	KUNIT_EXPECT_EQ(test, e->last_ev, TALC_EV_POISON);
	KUNIT_EXPECT_PTR_EQ(test, e->last_addr, (const void *)(p + 100));
	talc_get_stats(&e->t, &st);
	KUNIT_EXPECT_EQ(test, st.poison_errors, 1ULL);
	talc_free(&e->t, p);
	KUNIT_EXPECT_EQ(test, talc_check(&e->t), 0);
}

/* The calls that take a pointer and validate it, as talc_free() does. */
enum tc_op { TC_OP_FREE, TC_OP_USABLE, TC_OP_BLOCK_INFO, TC_OP_REALLOC,
	     TC_OP_RESIZE, TC_OPS };

static const char *const tc_op_names[TC_OPS] = {
	"free", "usable_size", "block_info", "realloc", "resize",
};

/* Hand @p to @op.  Return: true if @op rejected it as a bad pointer. */
static bool tc_op_rejects(struct tc_env *e, enum tc_op op, void *p)
{
	struct talc_block blk;

	switch (op) {
	case TC_OP_FREE:
		return talc_free(&e->t, p) == -EINVAL;
	case TC_OP_USABLE:
		return talc_usable_size(&e->t, p) == 0;
	case TC_OP_BLOCK_INFO:
		return talc_block_info(&e->t, p, &blk) == -EINVAL;
	case TC_OP_REALLOC:
		return !talc_realloc(&e->t, p, 64);
	case TC_OP_RESIZE:
		return talc_resize(&e->t, p, 64, &blk) == -EINVAL;
	default:
		return false;
	}
}

/*
 * Each bad pointer is reported with its own event, by every call that
 * takes a pointer (free, usable_size, block_info, realloc, resize), and
 * leaves no damage.
 */
static void talc_check_bad_free_events_test(struct kunit *test)
{
	static char outside[64] __aligned(8);
	struct talc_stats st0, st;
	struct tc_env *e;
	struct {
		void *p;
		enum talc_event ev;
	} bad[5];
	unsigned int op, i;

	for (op = 0; op < TC_OPS; op++) {
		e = tc_setup(test, 512);
		bad[0].p = e->a + 1;
		bad[0].ev = TALC_EV_FREE_MISALIGNED;
		bad[1].p = outside + 8;
		bad[1].ev = TALC_EV_FREE_OUTSIDE;
		bad[2].p = e->a + 16;
		bad[2].ev = TALC_EV_FREE_INVALID;
		bad[3].p = e->b + 64;
		bad[3].ev = TALC_EV_FREE_INVALID;
		bad[4].p = e->b + TALC_OVERHEAD;
		bad[4].ev = TALC_EV_FREE_DOUBLE;
		talc_get_stats(&e->t, &st0);
		for (i = 0; i < ARRAY_SIZE(bad); i++) {
			KUNIT_EXPECT_TRUE_MSG(test, tc_op_rejects(e, op, bad[i].p),
					      "%s: bad pointer %u accepted",
					      tc_op_names[op], i);
			KUNIT_EXPECT_EQ_MSG(test, e->reports, i + 1, "%s: bad %u",
					    tc_op_names[op], i);
			KUNIT_EXPECT_EQ_MSG(test, e->last_ev, bad[i].ev,
					    "%s: bad %u", tc_op_names[op], i);
			KUNIT_EXPECT_PTR_EQ(test, e->last_addr,
					    (const void *)bad[i].p);
		}
		talc_get_stats(&e->t, &st);
		KUNIT_EXPECT_EQ(test, st.bad_frees, st0.bad_frees + ARRAY_SIZE(bad));
		KUNIT_EXPECT_EQ(test, st.available_bytes, st0.available_bytes);
		KUNIT_EXPECT_EQ(test, st.allocation_count, st0.allocation_count);
		KUNIT_EXPECT_EQ(test, st.failed_allocations,
				st0.failed_allocations);
		KUNIT_EXPECT_EQ(test, talc_check(&e->t), 0);
		KUNIT_EXPECT_EQ(test, e->reports, (int)ARRAY_SIZE(bad));
		/* Bytes untouched but for the freed chunk's bookkeeping. */
		KUNIT_EXPECT_TRUE(test, !memchr_inv(e->a, 0x11, 100));
		KUNIT_EXPECT_TRUE(test, !memchr_inv(e->c, 0x33, 100));

		/* A chunk parked on a quick list is free too: handing it in
		 * again is a double free, and an interior pointer into it is
		 * invalid.
		 */
		e = tc_setup_full(test, 512, false, true);
		talc_get_stats(&e->t, &st0);
		KUNIT_EXPECT_TRUE(test, tc_op_rejects(e, op, e->b + TALC_OVERHEAD));
		KUNIT_EXPECT_EQ(test, e->reports, 1);
		KUNIT_EXPECT_EQ(test, e->last_ev, TALC_EV_FREE_DOUBLE);
		KUNIT_EXPECT_TRUE(test, tc_op_rejects(e, op, e->b + 64));
		KUNIT_EXPECT_EQ(test, e->reports, 2);
		KUNIT_EXPECT_EQ(test, e->last_ev, TALC_EV_FREE_INVALID);
		talc_get_stats(&e->t, &st);
		KUNIT_EXPECT_EQ(test, st.bad_frees, st0.bad_frees + 2);
		KUNIT_EXPECT_EQ(test, st.available_bytes, st0.available_bytes);
		KUNIT_EXPECT_EQ(test, st.fragment_count, st0.fragment_count);
		KUNIT_EXPECT_EQ(test, st.quick_chunks, st0.quick_chunks);
		KUNIT_EXPECT_EQ(test, talc_check(&e->t), 0);
		KUNIT_EXPECT_PTR_EQ(test, (void *)e->t.quick[talc_bin_of(512)],
				    (void *)e->b);
	}
}

/*
 * Bin boundaries at the allocation level: a free chunk b of size S (a bin's
 * lower bound, or just above one) sits between used chunks, with a much
 * larger free chunk elsewhere.  A request that needs S + 8 bytes must never
 * get b; a request that needs exactly S gets b when S is the smallest size
 * of its bin (good fit takes the bin's head without a scan).  An off-by-one
 * in the binning puts b in a bin whose every chunk is assumed bigger.
 */
static const size_t tc_bound_sizes[] = {
	24, 32, 40, 256, 496, 504,			/* linear bins */
	512, 520, 544, 992, 1016, 1024, 1088, 2040,	/* first octaves */
	2048, 4096, 4104, 4352, 8192, 8448,
};

static void tc_bound_desc(const size_t *s, char *desc)
{
	unsigned int bin = talc_bin_of(*s);

	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "chunk=%zu bin=%u%s", *s, bin,
		 talc_bin_min_size(bin) == *s ? " (lower bound)" : "");
}

KUNIT_ARRAY_PARAM(tc_bound, tc_bound_sizes, tc_bound_desc);

static void talc_check_bin_boundary_test(struct kunit *test)
{
	size_t s = *(const size_t *)test->param_value;
	struct tc_env *e = tc_setup(test, s);
	unsigned int bin = talc_bin_of(s);
	char *p;

	KUNIT_EXPECT_LE(test, talc_bin_min_size(bin), s);
	KUNIT_EXPECT_GT(test, talc_bin_min_size(bin + 1), s);
	/* One byte more than b can hold. */
	p = talc_malloc(&e->t, s - TALC_OVERHEAD + 1);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_PTR_NE(test, p - TALC_OVERHEAD, e->b);
	KUNIT_EXPECT_GE(test, talc_usable_size(&e->t, p),
			s - TALC_OVERHEAD + 1);
	KUNIT_EXPECT_EQ(test, talc_check(&e->t), 0);
	talc_free(&e->t, p);
	/* Exactly what b holds. */
	p = talc_malloc(&e->t, s - TALC_OVERHEAD);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_GE(test, talc_usable_size(&e->t, p), s - TALC_OVERHEAD);
	if (talc_bin_min_size(bin) == s)
		KUNIT_EXPECT_PTR_EQ(test, p - TALC_OVERHEAD, e->b);
	memset(p, 0x66, s - TALC_OVERHEAD);
	KUNIT_EXPECT_EQ(test, talc_check(&e->t), 0);
	talc_free(&e->t, p);
	KUNIT_EXPECT_EQ(test, talc_check(&e->t), 0);
	KUNIT_EXPECT_EQ(test, e->reports, 0);
}

/*
 * Large alignments need arenas beyond kmalloc's 4 MiB limit on UML: a
 * vmalloc'd arena, four aligned blocks each, checked after every step.
 */
static const size_t tc_big_aligns[] = { SZ_1M, SZ_2M };

static void tc_big_align_desc(const size_t *a, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "align=%zu", *a);
}

KUNIT_ARRAY_PARAM(tc_big_align, tc_big_aligns, tc_big_align_desc);

static void talc_check_big_align_test(struct kunit *test)
{
	size_t align = *(const size_t *)test->param_value;
	size_t arena = 4 * align + SZ_64K;
	struct talc *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	char *mem = talc_kunit_vzalloc(test, arena);
	void *p[4], *odd;
	unsigned int i;

	KUNIT_ASSERT_TRUE(test, t && mem);
	talc_init(t);
	KUNIT_ASSERT_EQ(test, talc_claim(t, mem + 8, arena - 8), 0);
	odd = talc_malloc(t, 40);
	KUNIT_ASSERT_NOT_NULL(test, odd);
	for (i = 0; i < ARRAY_SIZE(p); i++) {
		p[i] = talc_malloc_aligned(t, 100 + i * 1000, align);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
		KUNIT_EXPECT_EQ(test, (unsigned long)p[i] & (align - 1), 0UL);
		memset(p[i], i, 100 + i * 1000);
		KUNIT_EXPECT_EQ(test, talc_check(t), 0);
	}
	for (i = 0; i < ARRAY_SIZE(p); i++) {
		KUNIT_EXPECT_TRUE(test, !memchr_inv(p[i], i, 100 + i * 1000));
		talc_free(t, p[i]);
		KUNIT_EXPECT_EQ(test, talc_check(t), 0);
	}
	talc_free(t, odd);
	talc_flush(t);
	KUNIT_EXPECT_EQ(test, talc_check(t), 0);
	KUNIT_EXPECT_EQ(test, talc_release(t, mem + 8), 0);
}

static struct kunit_case talc_check_test_cases[] = {
	KUNIT_CASE(talc_check_clean_test),
	KUNIT_CASE_PARAM(talc_check_corruption_test, tc_gen_params),
	KUNIT_CASE_PARAM(talc_check_bin_boundary_test, tc_bound_gen_params),
	KUNIT_CASE_PARAM(talc_check_big_align_test, tc_big_align_gen_params),
	KUNIT_CASE(talc_check_poison_test),
	KUNIT_CASE(talc_check_bad_free_events_test),
	{}
};

static struct kunit_suite talc_check_test_suite = {
	.name = "talc_check",
	.init = talc_kunit_init,
	.exit = talc_kunit_exit,
	.test_cases = talc_check_test_cases,
};

kunit_test_suite(talc_check_test_suite);

MODULE_DESCRIPTION("KUnit tests for talc_check(): deliberate corruption");
MODULE_LICENSE("GPL");
