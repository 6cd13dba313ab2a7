// SPDX-License-Identifier: GPL-2.0
/*
 * talc.c - boundary-tag allocator core with bitmap-indexed segregated bins.
 *
 * Purpose: manage memory regions handed over by a caller (vmalloc'd areas in
 * talc.ko, static or mmap'd buffers in userspace) as a private heap.  malloc,
 * free, in-place realloc, usable_size and every region operation but region
 * lookup are O(1); the consistency check and the walk are O(chunks).
 *
 * Locking: none.  The owner serialises every call on a struct talc.  The core
 * never sleeps, never allocates and never prints: problems go to the owner's
 * report hook and counters.
 *
 * Limits: 64-bit only (the header word carries a 13-bit check, see below);
 * chunks smaller than 1 TiB; alignments up to 2^31.
 *
 * Chunk layout.  A region is tiled exactly by chunks.  Every chunk starts
 * with one header word; the payload follows it, so the per-allocation
 * overhead is 8 bytes and the payload is 8-byte aligned.
 *
 *   region: | struct talc_region | chunk | chunk | ... | chunk | sentinel |
 *
 *   used chunk  (>= 24 B):  | hdr | payload ..................... |
 *   free chunk  (>= 32 B):  | hdr | next | prev | ........ | size |
 *   free chunk  (== 24 B):  | hdr | next | prev |
 *                             ^ chunk base; next/prev link the chunk into the
 *                               list of its bin; "size" is the footer that
 *                               lets the chunk above find this chunk's base.
 *
 * A 24-byte free chunk has no room for a footer, so the chunk above records
 * that its lower neighbour is a minimal free chunk (HDR_PREV_MIN) instead.
 * The sentinel is a header of size 0 marked used, so the last chunk of a
 * region always has an upper neighbour whose flags can be set, and a free
 * chunk can never merge across a region boundary.  Two free chunks are
 * never adjacent: free() merges both ways at once.
 *
 * Header word (chunk sizes are multiples of 8, so bits 0-2 are free):
 *
 *   63        51 50   46 45    40 39                        3 2 1 0
 *  +------------+-------+--------+---------------------------+-+-+-+
 *  |   check    | align | slack  |   size (a multiple of 8)  |m|p|u|
 *  +------------+-------+--------+---------------------------+-+-+-+
 *
 *   u  HDR_USED       this chunk is allocated (also set in the sentinel)
 *   p  HDR_PREV_FREE  the chunk below is free
 *   m  HDR_PREV_MIN   the chunk below is free and 24 bytes (no footer)
 *   size              chunk size in bytes, header included
 *   slack             used chunks: usable bytes minus requested bytes, so
 *                     free() can account requested bytes without a size;
 *                     it never exceeds 31, and all ones (HDR_QUICK) marks a
 *                     chunk parked on a quick list
 *   align             used chunks: log2 of the requested alignment, so a
 *                     moving realloc keeps it
 *                     free chunks: bit 40 (HDR_POISONED) says the body holds
 *                     TALC_POISON_BYTE
 *   check             a tag drawn from the address of the struct talc:
 *                     free() trusts a word as a header only if it and the
 *                     next header both carry the tag, so a stray word in
 *                     front of an interior or foreign pointer passes with a
 *                     chance of 2^-26, checked in O(1)
 *
 * Bins.  A free chunk of size s lives in bin talc_bin_of(s): one bin per 8
 * bytes below 512, then 16 bins per power of two.  A bitmap (one bit per bin,
 * plus one summary word) finds the first non-empty bin at or above an index
 * with two bit scans.  malloc() starts at the first bin whose *smallest*
 * member fits the request ("good fit"), so it takes the head of the first
 * non-empty bin without walking a list.  Above the exact (8-byte) bins it
 * first looks at most scan_limit chunks into the bin holding the request for
 * the tightest fit, which keeps large chunks whole (heap density); and when
 * no good-fit bin has a chunk, it scans from that bin up, first fit, for at
 * most scan_limit chunks.  An aligned request takes the good-fit head if it
 * happens to be aligned well enough, else starts at the bin that fits
 * size + align + 24, which always leaves room to cut the aligned chunk out of
 * that bin's head.
 *
 * Quick lists.  free() parks a chunk of the first TALC_QUICK_BINS bins on a
 * LIFO list of its bin (at most quick_depth deep) instead of coalescing it;
 * it stays marked used (HDR_USED | HDR_QUICK), so its neighbours do not merge
 * with it, and malloc() hands it out again to a request of exactly its size
 * without touching the bins.  Parked chunks count as available memory.  They
 * are coalesced (talc_flush()) before an allocation fails, before a region is
 * truncated or released, and never when poisoning is on.
 */
#include <linux/bitops.h>
#include <linux/build_bug.h>
#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/overflow.h>
#include <linux/string.h>
#include "talc.h"

#define HDR_USED	BIT(0)
#define HDR_PREV_FREE	BIT(1)
#define HDR_PREV_MIN	BIT(2)
#define HDR_FLAGS	(HDR_USED | HDR_PREV_FREE | HDR_PREV_MIN)
#define HDR_SIZE	GENMASK(39, 3)
#define HDR_SLACK_SHIFT	40
#define HDR_SLACK	GENMASK(45, 40)
#define HDR_ALIGN_SHIFT	46
#define HDR_ALIGN	GENMASK(50, 46)
#define HDR_POISONED	BIT(40)
#define HDR_QUICK	HDR_SLACK
#define HDR_CHECK_SHIFT	51
#define HDR_CHECK	GENMASK(63, 51)

/* Multiplier that spreads the struct talc address into the tag. */
#define TALC_HASH_MUL	0x9e3779b97f4a7c15UL
/* How often the OOM hook may be called for one allocation. */
#define TALC_OOM_RETRIES 16
/* No bin: returned by find_bin(). */
#define NO_BIN		(~0U)
/* Smallest chunk size above the quick bins: talc_bin_min_size(QUICK_BINS). */
#define TALC_QUICK_LIMIT 4864UL

static_assert(BITS_PER_LONG == 64, "talc's header layout needs 64-bit words");
static_assert(TALC_ALIGN == 8 && TALC_OVERHEAD == sizeof(unsigned long));
static_assert((HDR_FLAGS & HDR_SIZE) == 0 && HDR_FLAGS < TALC_ALIGN);
static_assert(HDR_SIZE == (TALC_MAX_CHUNK | (TALC_ALIGN - 1)) - HDR_FLAGS);
static_assert((HDR_SIZE & HDR_SLACK) == 0 && (HDR_SLACK & HDR_ALIGN) == 0);
static_assert((HDR_ALIGN & HDR_CHECK) == 0 && (HDR_POISONED & HDR_SLACK) != 0);
static_assert((HDR_ALIGN >> HDR_ALIGN_SHIFT) >= 31 && TALC_MAX_ALIGN == BIT(31));
static_assert(TALC_MIN_CHUNK == 3 * sizeof(void *));
static_assert(TALC_LINEAR_LIMIT == 1UL << TALC_LINEAR_LOG2);
static_assert(TALC_BITMAP_WORDS <= BITS_PER_LONG);
/* Quick bins end where bin TALC_QUICK_BINS starts: 19 * 256 bytes. */
static_assert(TALC_LINEAR_BINS + 3 * TALC_SUBBINS + 3 == TALC_QUICK_BINS);
static_assert(TALC_QUICK_LIMIT == 19UL << 8);
/* The largest slack (a 1-byte request plus an absorbed 16-byte tail). */
static_assert(TALC_MIN_CHUNK - TALC_OVERHEAD - 1 + 16 < (HDR_QUICK >> 40));

/**
 * struct talc_chunk - the start of a free chunk
 * @hdr: header word (see the layout above)
 * @next: next chunk in the same bin, or NULL
 * @prev: previous chunk in the same bin, or NULL for the bin's head
 */
struct talc_chunk {
	unsigned long hdr;
	struct talc_chunk *next;
	struct talc_chunk *prev;
};

/**
 * struct talc_region - the head of a claimed region
 * @next: next region of the same talc
 * @prev: previous region, NULL for the first
 * @base: base address as passed to talc_claim()
 * @size: size as last passed to talc_claim/extend/truncate
 * @end: the sentinel header; the chunks tile [first chunk, @end)
 */
struct talc_region {
	struct talc_region *next;
	struct talc_region *prev;
	void *base;
	size_t size;
	unsigned long *end;
};

static_assert(sizeof(struct talc_region) % TALC_ALIGN == 0);

/* ---- header words ---- */

static __always_inline unsigned long make_hdr(const struct talc *t,
					      size_t size, unsigned long bits)
{
	return size | bits | t->key;
}

static __always_inline bool hdr_valid(const struct talc *t, unsigned long hdr)
{
	return (hdr & HDR_CHECK) == t->key;
}

static __always_inline size_t hdr_size(unsigned long hdr)
{
	return hdr & HDR_SIZE;
}

static __always_inline unsigned long *hdr_at(void *c, long off)
{
	return (unsigned long *)((char *)c + off);
}

static __always_inline struct talc_chunk *chunk_at(void *c, long off)
{
	return (struct talc_chunk *)((char *)c + off);
}

/* The flags the chunk above must carry for a free chunk of @size below. */
static __always_inline unsigned long prev_free_flags(size_t size)
{
	return size == TALC_MIN_CHUNK ? HDR_PREV_FREE | HDR_PREV_MIN :
					HDR_PREV_FREE;
}

static __always_inline void set_prev_flags(unsigned long *hdr,
					   unsigned long flags)
{
	*hdr = (*hdr & ~(HDR_PREV_FREE | HDR_PREV_MIN)) | flags;
}

/* The free chunk below @c, whose header has HDR_PREV_FREE. */
static __always_inline struct talc_chunk *prev_chunk(void *c,
						     unsigned long hdr)
{
	size_t psize = hdr & HDR_PREV_MIN ? TALC_MIN_CHUNK : *hdr_at(c, -8);

	return chunk_at(c, -(long)psize);
}

/* ---- bins and the bitmap ---- */

static __always_inline unsigned int bin_of(size_t size)
{
	unsigned int l;

	if (size < TALC_LINEAR_LIMIT)
		return (size - TALC_MIN_CHUNK) / TALC_ALIGN;
	l = __fls(size);
	return TALC_LINEAR_BINS + ((l - TALC_LINEAR_LOG2) << TALC_SUBBIN_SHIFT) +
	       ((size >> (l - TALC_SUBBIN_SHIFT)) & (TALC_SUBBINS - 1));
}

/* The first bin whose every chunk is at least @size bytes. */
static __always_inline unsigned int bin_ceil(size_t size)
{
	if (size >= TALC_LINEAR_LIMIT)
		size += (1UL << (__fls(size) - TALC_SUBBIN_SHIFT)) - 1;
	return bin_of(size);
}

/**
 * talc_bin_of - the bin a free chunk of @chunk_size bytes lives in
 * @chunk_size: a chunk size, at least TALC_MIN_CHUNK
 *
 * Return: the bin index, below TALC_BIN_COUNT for any valid chunk size.
 */
unsigned int talc_bin_of(size_t chunk_size)
{
	return bin_of(chunk_size);
}

/**
 * talc_bin_min_size - the smallest chunk size that lives in @bin
 * @bin: bin index below TALC_BIN_COUNT
 *
 * Return: the bin's lower bound in bytes.
 */
size_t talc_bin_min_size(unsigned int bin)
{
	unsigned int i, l;

	if (bin < TALC_LINEAR_BINS)
		return TALC_MIN_CHUNK + (size_t)bin * TALC_ALIGN;
	i = bin - TALC_LINEAR_BINS;
	l = TALC_LINEAR_LOG2 + i / TALC_SUBBINS;
	return (size_t)(TALC_SUBBINS + i % TALC_SUBBINS) <<
	       (l - TALC_SUBBIN_SHIFT);
}

/* First non-empty bin at or above @b, or NO_BIN. */
static __always_inline unsigned int find_bin(const struct talc *t,
					     unsigned int b)
{
	unsigned int w = b / BITS_PER_LONG;
	unsigned long m;

	if (unlikely(w >= TALC_BITMAP_WORDS))
		return NO_BIN;
	m = t->avail[w] & (~0UL << (b % BITS_PER_LONG));
	if (likely(m))
		return w * BITS_PER_LONG + __ffs(m);
	m = t->avail_l1 & (~0UL << w) & ~BIT(w);
	if (!m)
		return NO_BIN;
	w = __ffs(m);
	return w * BITS_PER_LONG + __ffs(t->avail[w]);
}

static __always_inline void bin_insert(struct talc *t, struct talc_chunk *c,
				       size_t size)
{
	unsigned int b = bin_of(size);
	struct talc_chunk *head = t->bins[b];

	c->next = head;
	c->prev = NULL;
	if (head) {
		head->prev = c;
	} else {
		t->avail[b / BITS_PER_LONG] |= BIT(b % BITS_PER_LONG);
		t->avail_l1 |= BIT(b / BITS_PER_LONG);
	}
	t->bins[b] = c;
	t->available_bytes += size;
	t->fragment_count++;
}

static __always_inline void bin_remove(struct talc *t, struct talc_chunk *c,
				       size_t size)
{
	struct talc_chunk *next = c->next;

	if (c->prev) {
		c->prev->next = next;
	} else {
		unsigned int b = bin_of(size);

		t->bins[b] = next;
		if (!next) {
			unsigned int w = b / BITS_PER_LONG;

			t->avail[w] &= ~BIT(b % BITS_PER_LONG);
			if (!t->avail[w])
				t->avail_l1 &= ~BIT(w);
		}
	}
	if (next)
		next->prev = c->prev;
	t->available_bytes -= size;
	t->fragment_count--;
}

/*
 * Make [c, c + size) a free chunk: header, footer, the upper neighbour's
 * flags and the bin.  The caller has already merged neighbours.
 */
static __always_inline void make_free(struct talc *t, struct talc_chunk *c,
				      size_t size, unsigned long poisoned)
{
	c->hdr = make_hdr(t, size, poisoned);
	if (size > TALC_MIN_CHUNK)
		*hdr_at(c, size - 8) = size;
	set_prev_flags(hdr_at(c, size), prev_free_flags(size));
	bin_insert(t, c, size);
}

/* ---- reporting ---- */

static void report(const struct talc *t, enum talc_event ev, const void *addr,
		   const char *what)
{
	if (t->report)
		t->report(t->report_data, ev, addr, what);
}

/* ---- poisoning ---- */

static void poison_range(void *from, void *to)
{
	if ((char *)to > (char *)from)
		memset(from, TALC_POISON_BYTE, (char *)to - (char *)from);
}

/*
 * Verify that [from, to) still holds poison; report the first byte that
 * does not.  Only called for chunks marked HDR_POISONED.
 */
static void poison_verify(struct talc *t, const void *from, const void *to)
{
	const unsigned char *p;

	for (p = from; p < (const unsigned char *)to; p++) {
		if (*p != TALC_POISON_BYTE) {
			t->poison_errors++;
			report(t, TALC_EV_POISON, p,
			       "poison overwritten: write after free");
			return;
		}
	}
}

/*
 * Check the poison of the part of free chunk @c (size @csize) that becomes
 * the used chunk [a, a + asize).  A free chunk's poison covers its body
 * between the links and the footer: [c + 24, c + csize - 8).
 */
static void poison_check_carve(struct talc *t, void *c, size_t csize,
			       void *a, size_t asize)
{
	char *from = max((char *)a + TALC_OVERHEAD, (char *)c + TALC_MIN_CHUNK);
	char *to = min((char *)a + asize, (char *)c + csize - 8);

	if (from < to)
		poison_verify(t, from, to);
}

/* ---- regions ---- */

static __always_inline void *region_first(const struct talc_region *r)
{
	return (void *)(r + 1);
}

static struct talc_region *region_find(const struct talc *t, const void *base)
{
	struct talc_region *r;

	for (r = t->regions; r; r = r->next)
		if (r->base == base)
			return r;
	return NULL;
}

/* The region whose chunks may hold payload pointer @p. */
static __always_inline struct talc_region *region_of(const struct talc *t, const void *p)
{
	struct talc_region *r;

	for (r = t->regions; r; r = r->next)
		if ((const char *)p > (const char *)region_first(r) &&
		    (const char *)p <= (const char *)r->end)
			return r;
	return NULL;
}

/* Does [base, base + size) overlap a region other than @skip? */
static bool region_overlaps(const struct talc *t, const void *base,
			    size_t size, const struct talc_region *skip)
{
	const char *lo = base, *hi = lo + size;
	struct talc_region *r;

	for (r = t->regions; r; r = r->next) {
		const char *rlo = r->base, *rhi = rlo + r->size;

		if (r != skip && lo < rhi && rlo < hi)
			return true;
	}
	return false;
}

/* The free chunk touching the sentinel, or NULL if the top chunk is used. */
static struct talc_chunk *region_top_free(const struct talc_region *r)
{
	unsigned long hdr = *r->end;

	return hdr & HDR_PREV_FREE ? prev_chunk(r->end, hdr) : NULL;
}

static void write_sentinel(struct talc *t, struct talc_region *r,
			   unsigned long *end, unsigned long prev_flags)
{
	r->end = end;
	*end = make_hdr(t, 0, HDR_USED | prev_flags);
}

/**
 * talc_init - set up an empty allocator
 * @t: the allocator
 *
 * Clears every bin and counter and sets the default policy: first-fit scan
 * bound TALC_DEFAULT_SCAN_LIMIT, no poisoning, no hooks.
 */
void talc_init(struct talc *t)
{
	memset(t, 0, sizeof(*t));
	t->key = (((unsigned long)t * TALC_HASH_MUL) & HDR_CHECK) |
		 BIT(HDR_CHECK_SHIFT);
	t->scan_limit = TALC_DEFAULT_SCAN_LIMIT;
	t->quick_depth = TALC_DEFAULT_QUICK_DEPTH;
}

/**
 * talc_region_overhead - bytes of a region that never hold chunks
 *
 * Return: the worst case over base alignments: region head, sentinel and
 * alignment padding.  A region of size S can hold a request of
 * S - talc_region_overhead() - TALC_OVERHEAD bytes.
 */
size_t talc_region_overhead(void)
{
	return sizeof(struct talc_region) + 8 + 2 * (TALC_ALIGN - 1);
}

/**
 * talc_claim - add a region of memory to the allocator
 * @t: the allocator
 * @base: start of the region; the region is identified by it afterwards
 * @size: its size in bytes
 *
 * The region need not be aligned: its ends are aligned inward to 8 bytes.
 *
 * Return: 0, or -EINVAL if @base is NULL, the region is too small to hold a
 * chunk, wraps around the address space or overlaps a region of @t.
 */
int talc_claim(struct talc *t, void *base, size_t size)
{
	uintptr_t lo, hi;
	struct talc_region *r;
	struct talc_chunk *first;
	unsigned long *end;

	if (!base || check_add_overflow((uintptr_t)base, size, &hi))
		return -EINVAL;
	lo = ALIGN((uintptr_t)base, TALC_ALIGN);
	hi = ALIGN_DOWN(hi, TALC_ALIGN);
	if (hi < lo || hi - lo < sizeof(*r) + TALC_MIN_CHUNK + 8 ||
	    hi - lo - sizeof(*r) - 8 > TALC_MAX_CHUNK)
		return -EINVAL;
	if (region_overlaps(t, base, size, NULL))
		return -EINVAL;

	r = (struct talc_region *)lo;
	r->base = base;
	r->size = size;
	r->prev = NULL;
	r->next = t->regions;
	if (t->regions)
		t->regions->prev = r;
	t->regions = r;
	end = (unsigned long *)(hi - 8);
	write_sentinel(t, r, end, 0);
	first = region_first(r);
	make_free(t, first, (char *)end - (char *)first, 0);

	t->claimed_bytes += size;
	t->region_count++;
	t->total_region_count++;
	return 0;
}

/**
 * talc_extend - move the end of a region up
 * @t: the allocator
 * @base: the region, as passed to talc_claim()
 * @new_size: its new size, not below the current one
 *
 * The new space joins the free chunk at the top of the region, or becomes a
 * new free chunk.  Less than 24 new bytes above a used chunk wait unused for
 * a later extension.
 *
 * Return: 0, or -EINVAL if @base is no region, @new_size is smaller than the
 * region or the new end overlaps another region or wraps.
 */
int talc_extend(struct talc *t, void *base, size_t new_size)
{
	struct talc_region *r = region_find(t, base);
	struct talc_chunk *top;
	unsigned long *end, *old_end;
	uintptr_t hi;
	size_t delta;

	if (!r || new_size < r->size ||
	    check_add_overflow((uintptr_t)base, new_size, &hi) ||
	    region_overlaps(t, base, new_size, r))
		return -EINVAL;
	end = (unsigned long *)(ALIGN_DOWN(hi, TALC_ALIGN) - 8);
	old_end = r->end;
	delta = (char *)end - (char *)old_end;
	if ((char *)end - (char *)region_first(r) > (long)TALC_MAX_CHUNK)
		return -EINVAL;

	top = region_top_free(r);
	if (top) {
		size_t tsize = hdr_size(top->hdr);

		bin_remove(t, top, tsize);
		write_sentinel(t, r, end, 0);
		make_free(t, top, tsize + delta, 0);
	} else if (delta >= TALC_MIN_CHUNK) {
		write_sentinel(t, r, end, 0);
		make_free(t, (struct talc_chunk *)old_end, delta, 0);
	}
	t->claimed_bytes += new_size - r->size;
	r->size = new_size;
	return 0;
}

/**
 * talc_truncate - move the end of a region down
 * @t: the allocator
 * @base: the region, as passed to talc_claim()
 * @new_size: its new size, not above the current one
 *
 * Only free memory is given up: talc_reserved() tells how far allocations
 * reach.  Less than 24 bytes of free space left above the cut are given up
 * too, so the region may end below @new_size.
 *
 * Return: 0, -EINVAL if @base is no region or @new_size is larger than the
 * region or smaller than its head, -EBUSY if allocated memory is in the way.
 */
int talc_truncate(struct talc *t, void *base, size_t new_size)
{
	struct talc_region *r = region_find(t, base);
	struct talc_chunk *top;
	unsigned long *end;
	size_t tsize;

	if (!r || new_size > r->size)
		return -EINVAL;
	talc_flush(t);
	end = (unsigned long *)(ALIGN_DOWN((uintptr_t)base + new_size,
					   TALC_ALIGN) - 8);
	if ((char *)end < (char *)region_first(r))
		return -EINVAL;
	if (end < r->end) {
		top = region_top_free(r);
		if (!top || (char *)end < (char *)top)
			return -EBUSY;
		tsize = hdr_size(top->hdr);
		bin_remove(t, top, tsize);
		tsize = (char *)end - (char *)top;
		if (tsize < TALC_MIN_CHUNK) {
			write_sentinel(t, r, (unsigned long *)top, 0);
		} else {
			write_sentinel(t, r, end, 0);
			make_free(t, top, tsize, top->hdr & HDR_POISONED);
		}
	}
	t->claimed_bytes -= r->size - new_size;
	r->size = new_size;
	return 0;
}

/**
 * talc_reserved - how far allocations reach in a region
 * @t: the allocator
 * @base: the region, as passed to talc_claim()
 *
 * Return: the smallest size talc_truncate() accepts for the region (its head
 * and sentinel included), or 0 if @base is no region.
 */
size_t talc_reserved(struct talc *t, void *base)
{
	struct talc_region *r = region_find(t, base);
	struct talc_chunk *top;
	char *end;

	if (!r)
		return 0;
	talc_flush(t);
	top = region_top_free(r);
	end = top ? (char *)top : (char *)r->end;
	return end + 8 - (char *)base;
}

/**
 * talc_release - remove a region that holds no allocation
 * @t: the allocator
 * @base: the region, as passed to talc_claim()
 *
 * Afterwards the memory belongs to the caller again.
 *
 * Return: 0, -EINVAL if @base is no region, -EBUSY if it holds allocations.
 */
int talc_release(struct talc *t, void *base)
{
	struct talc_region *r = region_find(t, base);
	struct talc_chunk *first;

	if (!r)
		return -EINVAL;
	talc_flush(t);
	first = region_first(r);
	if ((void *)first != (void *)r->end) {
		if (first->hdr & HDR_USED ||
		    (char *)first + hdr_size(first->hdr) != (char *)r->end)
			return -EBUSY;
		bin_remove(t, first, hdr_size(first->hdr));
	}
	if (r->prev)
		r->prev->next = r->next;
	else
		t->regions = r->next;
	if (r->next)
		r->next->prev = r->prev;
	t->claimed_bytes -= r->size;
	t->region_count--;
	return 0;
}

/* ---- allocation ---- */

/* Chunk size for a request, or 0 if it can never fit. */
static __always_inline size_t chunk_size(size_t size)
{
	if (unlikely(size > TALC_MAX_CHUNK - TALC_OVERHEAD))
		return 0;
	size = ALIGN(size + TALC_OVERHEAD, TALC_ALIGN);
	return size < TALC_MIN_CHUNK ? TALC_MIN_CHUNK : size;
}

static __always_inline void note_peak(struct talc *t)
{
	if (t->allocated_bytes > t->peak_allocated_bytes)
		t->peak_allocated_bytes = t->allocated_bytes;
}

static __always_inline void account_alloc(struct talc *t, size_t req)
{
	t->allocation_count++;
	t->total_allocation_count++;
	t->allocated_bytes += req;
	t->total_allocated_bytes += req;
	note_peak(t);
}

/* A live allocation changes from @old_req to @req requested bytes. */
static void account_resize(struct talc *t, size_t old_req, size_t req)
{
	t->allocated_bytes += req - old_req;
	if (req > old_req)
		t->total_allocated_bytes += req - old_req;
	note_peak(t);
}

/* Where the payload of an @align-aligned chunk cut from free chunk @c goes. */
static __always_inline char *aligned_payload(struct talc_chunk *c,
					     size_t align)
{
	char *p = PTR_ALIGN((char *)c + TALC_OVERHEAD, align);
	size_t lead = p - TALC_OVERHEAD - (char *)c;

	/* A gap below must be able to become a free chunk. */
	if (lead && lead < TALC_MIN_CHUNK)
		p += ALIGN(TALC_MIN_CHUNK - lead, align);
	return p;
}

/*
 * Bounded first-fit: look at up to scan_limit free chunks in the bins from
 * @b upward for one that holds @need bytes at alignment @align.
 */
static struct talc_chunk *scan_fit(struct talc *t, unsigned int b,
				   size_t need, size_t align)
{
	unsigned int budget = t->scan_limit;
	struct talc_chunk *c;

	for (b = find_bin(t, b); b != NO_BIN && budget;
	     b = find_bin(t, b + 1)) {
		for (c = t->bins[b]; c && budget; c = c->next, budget--) {
			char *p = align > TALC_ALIGN ?
				  aligned_payload(c, align) :
				  (char *)c + TALC_OVERHEAD;

			if (p - TALC_OVERHEAD + need <=
			    (char *)c + hdr_size(c->hdr))
				return c;
		}
	}
	return NULL;
}

/* The smallest of the first scan_limit chunks of bin @b that hold @need. */
static struct talc_chunk *floor_fit(struct talc *t, unsigned int b,
				    size_t need)
{
	struct talc_chunk *c, *best = NULL;
	unsigned int budget = t->scan_limit;
	size_t best_size = ~0UL;

	for (c = t->bins[b]; c && budget; c = c->next, budget--) {
		size_t size = hdr_size(c->hdr);

		if (size >= need && size < best_size) {
			best = c;
			best_size = size;
			if (size == need)
				break;
		}
	}
	return best;
}

/*
 * Cut a used chunk of @need bytes with its payload at @p out of free chunk
 * @c, which the caller has taken out of its bin.  The gap below p (zero or
 * at least 24 bytes) and a remainder above of at least 24 bytes stay free.
 */
static __always_inline void *carve(struct talc *t, struct talc_chunk *c,
				   char *p, size_t need, size_t req,
				   unsigned long align_bits)
{
	unsigned long chdr = c->hdr;
	size_t csize = hdr_size(chdr);
	char *a = p - TALC_OVERHEAD;
	char *cend = (char *)c + csize;
	unsigned long poisoned = chdr & HDR_POISONED;
	unsigned long prev_flags = 0;
	size_t rest = cend - a - need;

	if (unlikely(poisoned))
		poison_check_carve(t, c, csize, a, need);
	if (a != (char *)c) {
		size_t lead = a - (char *)c;

		c->hdr = make_hdr(t, lead, poisoned);
		if (lead > TALC_MIN_CHUNK)
			*hdr_at(c, lead - 8) = lead;
		bin_insert(t, c, lead);
		prev_flags = prev_free_flags(lead);
	}
	if (rest >= TALC_MIN_CHUNK) {
		struct talc_chunk *r = (struct talc_chunk *)(a + need);

		r->hdr = make_hdr(t, rest, poisoned);
		if (rest > TALC_MIN_CHUNK)
			*hdr_at(r, rest - 8) = rest;
		set_prev_flags(hdr_at(r, rest), prev_free_flags(rest));
		bin_insert(t, r, rest);
	} else {
		need += rest;
		set_prev_flags((unsigned long *)cend, 0);
	}
	*(unsigned long *)a = make_hdr(t, need, HDR_USED | prev_flags |
				       align_bits |
				       ((need - TALC_OVERHEAD - req) <<
					HDR_SLACK_SHIFT));
	account_alloc(t, req);
	return p;
}

/*
 * The head of the quick list for @need bytes if it is exactly that big and
 * its payload is @align-aligned, taken off the list; else NULL.
 */
static __always_inline void *quick_pop(struct talc *t, size_t need, size_t req,
				       size_t align)
{
	unsigned int b = bin_of(need);
	struct talc_chunk *c;

	if (need >= TALC_QUICK_LIMIT)
		return NULL;
	c = t->quick[b];
	if (!c || hdr_size(c->hdr) != need ||
	    ((uintptr_t)c + TALC_OVERHEAD) & (align - 1))
		return NULL;
	t->quick[b] = c->next;
	t->quick_count[b]--;
	t->quick_chunks--;
	t->quick_bytes -= need;
	c->hdr = (c->hdr & ~(HDR_SLACK | HDR_ALIGN)) |
		 ((unsigned long)ilog2(align) << HDR_ALIGN_SHIFT) |
		 ((need - TALC_OVERHEAD - req) << HDR_SLACK_SHIFT);
	account_alloc(t, req);
	return hdr_at(c, TALC_OVERHEAD);
}

static __always_inline void *try_alloc(struct talc *t, size_t req,
				       size_t need, size_t align)
{
	struct talc_chunk *c;
	unsigned int b;
	size_t search;
	char *p;

	if (likely(align <= TALC_ALIGN)) {
		p = quick_pop(t, need, req, TALC_ALIGN);
		if (p)
			return p;
		/*
		 * Above the exact bins, a tight fit from the bin holding
		 * @need comes first: it leaves the big chunks whole.
		 */
		b = bin_of(need);
		c = need >= TALC_LINEAR_LIMIT && t->bins[b] ?
		    floor_fit(t, b, need) : NULL;
		if (!c) {
			b = find_bin(t, bin_ceil(need));
			if (likely(b != NO_BIN))
				c = t->bins[b];
			else
				c = scan_fit(t, bin_of(need), need, TALC_ALIGN);
			if (!c)
				return NULL;
		}
		bin_remove(t, c, hdr_size(c->hdr));
		return carve(t, c, (char *)c + TALC_OVERHEAD, need, req,
			     3UL << HDR_ALIGN_SHIFT);
	}

	p = quick_pop(t, need, req, align);
	if (p)
		return p;
	/* The good-fit chunk for @need may happen to be aligned well enough. */
	b = find_bin(t, bin_ceil(need));
	if (b != NO_BIN) {
		c = t->bins[b];
		p = aligned_payload(c, align);
		if (p - TALC_OVERHEAD + need <= (char *)c + hdr_size(c->hdr))
			goto cut;
	}
	/* Any chunk of @search bytes has room for the aligned cut. */
	if (check_add_overflow(need, align + TALC_MIN_CHUNK, &search) ||
	    search > TALC_MAX_CHUNK)
		b = NO_BIN;
	else
		b = find_bin(t, bin_ceil(search));
	if (b != NO_BIN) {
		c = t->bins[b];
	} else {
		c = scan_fit(t, bin_of(need), need, align);
		if (!c)
			return NULL;
	}
	p = aligned_payload(c, align);
cut:
	bin_remove(t, c, hdr_size(c->hdr));
	return carve(t, c, p, need, req,
		     (unsigned long)ilog2(align) << HDR_ALIGN_SHIFT);
}

static void *alloc(struct talc *t, size_t size, size_t align)
{
	size_t need = chunk_size(size);
	unsigned int tries;
	void *p;

	if (unlikely(!need))
		goto fail;
	for (tries = 0;; tries++) {
		size_t claimed = t->claimed_bytes;

		p = try_alloc(t, size, need, align);
		if (!p && t->quick_chunks) {
			/* parked chunks may merge into one that fits */
			talc_flush(t);
			p = try_alloc(t, size, need, align);
		}
		if (likely(p))
			return p;
		if (!t->oom || tries >= TALC_OOM_RETRIES ||
		    t->oom(t, size, align, t->oom_data) ||
		    t->claimed_bytes <= claimed)
			break;
	}
fail:
	t->failed_allocations++;
	return NULL;
}

/**
 * talc_malloc - allocate memory
 * @t: the allocator
 * @size: bytes wanted; 0 gets a minimal chunk
 *
 * The payload is 8-byte aligned.  When nothing fits, the OOM hook (if any)
 * may add memory and the allocation is retried.
 *
 * Return: the payload, or NULL.
 */
void *talc_malloc(struct talc *t, size_t size)
{
	void *p;

	/* The quick-list hit stays in this small leaf. */
	if (likely(size < TALC_QUICK_LIMIT - TALC_OVERHEAD)) {
		p = quick_pop(t, max(ALIGN(size + TALC_OVERHEAD, TALC_ALIGN),
				     TALC_MIN_CHUNK), size, TALC_ALIGN);
		if (likely(p))
			return p;
	}
	return alloc(t, size, TALC_ALIGN);
}

/**
 * talc_malloc_aligned - allocate memory at an alignment
 * @t: the allocator
 * @size: bytes wanted
 * @align: a power of two up to TALC_MAX_ALIGN
 *
 * Return: the payload, aligned to @align, or NULL (also when @align is not a
 * power of two or too large).
 */
void *talc_malloc_aligned(struct talc *t, size_t size, size_t align)
{
	if (unlikely(!is_power_of_2(align) || align > TALC_MAX_ALIGN)) {
		t->failed_allocations++;
		return NULL;
	}
	return alloc(t, size, max(align, TALC_ALIGN));
}

/* ---- free ---- */

static noinline unsigned long *bad_free(struct talc *t, const void *p,
					enum talc_event ev)
{
	static const char *const what[] = {
		[TALC_EV_FREE_MISALIGNED] = "pointer is not 8-byte aligned",
		[TALC_EV_FREE_OUTSIDE] = "pointer is in no region of this heap",
		[TALC_EV_FREE_INVALID] = "no chunk starts here (interior or stray pointer)",
		[TALC_EV_FREE_DOUBLE] = "chunk is already free (double free)",
	};

	t->bad_frees++;
	report(t, ev, p, what[ev]);
	return NULL;
}

/*
 * The header of the used chunk whose payload is @p, or NULL after counting
 * and reporting a bad pointer.  O(1) but for the region lookup.  Both the
 * chunk's header and the next one must carry valid checks, so a stray word
 * in front of an interior pointer is not taken for a header.
 */
static __always_inline unsigned long *used_chunk(struct talc *t,
						 const void *p)
{
	struct talc_region *r;
	unsigned long *c, hdr, nhdr;
	size_t size;

	if (unlikely((uintptr_t)p & (TALC_ALIGN - 1)))
		return bad_free(t, p, TALC_EV_FREE_MISALIGNED);
	r = region_of(t, p);
	if (unlikely(!r))
		return bad_free(t, p, TALC_EV_FREE_OUTSIDE);
	c = hdr_at((void *)p, -TALC_OVERHEAD);
	hdr = *c;
	size = hdr_size(hdr);
	if (unlikely(!hdr_valid(t, hdr) || size < TALC_MIN_CHUNK ||
		     size > (size_t)((char *)r->end - (char *)c)))
		return bad_free(t, p, TALC_EV_FREE_INVALID);
	if (unlikely(!(hdr & HDR_USED) || (hdr & HDR_QUICK) == HDR_QUICK))
		return bad_free(t, p, TALC_EV_FREE_DOUBLE);
	nhdr = *hdr_at(c, size);
	if (unlikely(!hdr_valid(t, nhdr) ||
		     (nhdr & HDR_PREV_FREE)))
		return bad_free(t, p, TALC_EV_FREE_INVALID);
	return c;
}

static __always_inline size_t used_req(unsigned long hdr)
{
	return hdr_size(hdr) - TALC_OVERHEAD -
	       ((hdr & HDR_SLACK) >> HDR_SLACK_SHIFT);
}

static __always_inline void account_free(struct talc *t, unsigned long hdr)
{
	t->allocated_bytes -= used_req(hdr);
	t->allocation_count--;
}

/*
 * Park used chunk @c (already accounted as freed) on the quick list of its
 * bin.  Return: false if it must be coalesced instead.
 */
static __always_inline bool quick_push(struct talc *t, unsigned long *c,
				       unsigned long hdr)
{
	size_t size = hdr_size(hdr);
	unsigned int b = bin_of(size);
	unsigned int n;

	if (size >= TALC_QUICK_LIMIT)
		return false;
	n = t->quick_count[b];
	if (n >= t->quick_depth || t->poison)
		return false;
	t->quick_count[b] = n + 1;
	((struct talc_chunk *)c)->next = t->quick[b];
	t->quick[b] = (struct talc_chunk *)c;
	t->quick_chunks++;
	t->quick_bytes += size;
	*c = hdr | HDR_QUICK;
	return true;
}

/*
 * Return a used or parked chunk to the bins, merging it with free
 * neighbours.  The caller has done the allocation accounting.
 */
static noinline void free_chunk(struct talc *t, unsigned long *uc)
{
	unsigned long hdr = *uc;
	struct talc_chunk *c = (struct talc_chunk *)uc, *n;
	size_t size = hdr_size(hdr);
	unsigned long poisoned = t->poison ? HDR_POISONED : 0;
	unsigned long nhdr;

	/* Never leave a used-looking header behind, even when merged away. */
	*uc = hdr & ~HDR_USED;

	n = chunk_at(c, size);
	nhdr = n->hdr;
	if (hdr & HDR_PREV_FREE) {
		struct talc_chunk *p = prev_chunk(c, hdr);
		size_t psize = hdr_size(p->hdr);

		poisoned &= p->hdr;
		bin_remove(t, p, psize);
		if (poisoned)
			poison_range(hdr_at(c, -8), hdr_at(c, 8));
		c = p;
		size += psize;
	}
	if (poisoned)
		poison_range(uc + 1, n);
	if (!(nhdr & HDR_USED)) {
		size_t nsize = hdr_size(nhdr);

		poisoned &= nhdr;
		bin_remove(t, n, nsize);
		if (poisoned)
			poison_range(n, chunk_at(n, TALC_MIN_CHUNK));
		size += nsize;
	}
	make_free(t, c, size, poisoned);
}

void (talc_free)(struct talc *t, void *ptr)
{
	unsigned long *c, hdr;

	if (!ptr)
		return;
	c = used_chunk(t, ptr);
	if (!c)
		return;
	hdr = *c;
	account_free(t, hdr);
	if (!quick_push(t, c, hdr))
		free_chunk(t, c);
}

/**
 * talc_flush - coalesce every chunk parked on a quick list
 * @t: the allocator
 *
 * Called by the core itself before an allocation fails and before region
 * operations; an owner may call it to see fully coalesced statistics.
 */
void talc_flush(struct talc *t)
{
	unsigned int b;

	if (!t->quick_chunks)
		return;
	for (b = 0; b < TALC_QUICK_BINS; b++) {
		struct talc_chunk *c;

		while ((c = t->quick[b])) {
			t->quick[b] = c->next;
			free_chunk(t, &c->hdr);
		}
		t->quick_count[b] = 0;
	}
	t->quick_chunks = 0;
	t->quick_bytes = 0;
}

size_t (talc_usable_size)(const struct talc *t, const void *ptr)
{
	const struct talc_region *r;
	const unsigned long *c;
	unsigned long hdr;

	if (!ptr || (uintptr_t)ptr & (TALC_ALIGN - 1))
		return 0;
	r = region_of(t, ptr);
	if (!r)
		return 0;
	c = (const unsigned long *)ptr - 1;
	hdr = *c;
	if (!hdr_valid(t, hdr) || !(hdr & HDR_USED) ||
	    (hdr & HDR_QUICK) == HDR_QUICK ||
	    hdr_size(hdr) > (size_t)((char *)r->end - (char *)c))
		return 0;
	return hdr_size(hdr) - TALC_OVERHEAD;
}

/* ---- realloc ---- */

/* Re-tag used chunk @c as @size bytes holding a request of @req bytes. */
static void set_used(struct talc *t, unsigned long *c, size_t size,
		     size_t req)
{
	unsigned long keep = *c & (HDR_FLAGS | HDR_ALIGN);

	*c = make_hdr(t, size, keep |
		      ((size - TALC_OVERHEAD - req) << HDR_SLACK_SHIFT));
}

/*
 * Shrink used chunk @c (size @size) to @need bytes, or grow it into the free
 * chunk above.  Return: true if the chunk now holds @req bytes.
 */
static bool resize_in_place(struct talc *t, unsigned long *c, size_t size,
			    size_t need, size_t req)
{
	struct talc_chunk *n = chunk_at(c, size);
	unsigned long nhdr = n->hdr;
	unsigned long poisoned = 0;
	size_t total = size, rest;

	if (!(nhdr & HDR_USED)) {
		size_t nsize = hdr_size(nhdr);

		if (need > size + nsize)
			return false;
		poisoned = nhdr & HDR_POISONED;
		if (poisoned && need > size)
			poison_check_carve(t, n, nsize, c, need);
		bin_remove(t, n, nsize);
		total += nsize;
	} else if (need > size) {
		return false;
	}

	rest = total - need;
	if (rest >= TALC_MIN_CHUNK) {
		struct talc_chunk *r = chunk_at(c, need);

		/* The tail of our old payload is not poison. */
		if (need < size)
			poisoned = 0;
		r->hdr = make_hdr(t, rest, poisoned);
		if (rest > TALC_MIN_CHUNK)
			*hdr_at(r, rest - 8) = rest;
		set_prev_flags(hdr_at(r, rest), prev_free_flags(rest));
		bin_insert(t, r, rest);
	} else {
		need = total;
		set_prev_flags(hdr_at(c, total), 0);
	}
	set_used(t, c, need, req);
	return true;
}

void *(talc_realloc)(struct talc *t, void *ptr, size_t size)
{
	unsigned long *c, hdr;
	size_t need, old_req, usable, align;
	void *p;

	if (!ptr)
		return talc_malloc(t, size);
	if (!size) {
		talc_free(t, ptr);
		return NULL;
	}
	c = used_chunk(t, ptr);
	if (!c)
		return NULL;
	need = chunk_size(size);
	if (!need) {
		t->failed_allocations++;
		return NULL;
	}
	hdr = *c;
	old_req = used_req(hdr);
	if (resize_in_place(t, c, hdr_size(hdr), need, size)) {
		account_resize(t, old_req, size);
		return ptr;
	}
	align = 1UL << ((hdr & HDR_ALIGN) >> HDR_ALIGN_SHIFT);
	p = alloc(t, size, align);
	if (!p)
		return NULL;
	usable = hdr_size(hdr) - TALC_OVERHEAD;
	memcpy(p, ptr, min(usable, size));
	/* the allocation may have changed our neighbour flags: read again */
	hdr = *c;
	account_free(t, hdr);
	if (!quick_push(t, c, hdr))
		free_chunk(t, c);
	return p;
}

/* ---- statistics, walk and check ---- */

/**
 * talc_get_stats - read the counters
 * @t: the allocator
 * @st: filled in
 *
 * O(1) but for finding the largest free chunk, which walks the list of the
 * highest non-empty bin.
 */
void talc_get_stats(const struct talc *t, struct talc_stats *st)
{
	struct talc_chunk *c;
	size_t largest = 0;
	int w;

	st->claimed_bytes = t->claimed_bytes;
	st->available_bytes = t->available_bytes + t->quick_bytes;
	st->allocated_bytes = t->allocated_bytes;
	st->overhead_bytes = t->claimed_bytes - st->available_bytes -
			     t->allocated_bytes;
	st->allocation_count = t->allocation_count;
	st->total_allocation_count = t->total_allocation_count;
	st->total_allocated_bytes = t->total_allocated_bytes;
	st->fragment_count = t->fragment_count + t->quick_chunks;
	st->region_count = t->region_count;
	st->total_region_count = t->total_region_count;
	st->peak_allocated_bytes = t->peak_allocated_bytes;
	st->failed_allocations = t->failed_allocations;
	st->bad_frees = t->bad_frees;
	st->poison_errors = t->poison_errors;

	if (t->avail_l1) {
		w = __fls(t->avail_l1);
		c = t->bins[w * BITS_PER_LONG + __fls(t->avail[w])];
		for (; c; c = c->next)
			largest = max(largest, hdr_size(c->hdr));
	}
	st->largest_free_chunk = largest ? largest - TALC_OVERHEAD : 0;
}

/**
 * talc_bin_stats - count the free chunks of one bin
 * @t: the allocator
 * @bin: bin index below TALC_BIN_COUNT
 * @chunks: number of free chunks in the bin
 * @bytes: their total size
 */
void talc_bin_stats(const struct talc *t, unsigned int bin, size_t *chunks,
		    size_t *bytes)
{
	struct talc_chunk *c;

	*chunks = 0;
	*bytes = 0;
	if (bin >= TALC_BIN_COUNT)
		return;
	for (c = t->bins[bin]; c; c = c->next) {
		(*chunks)++;
		*bytes += hdr_size(c->hdr);
	}
}

/**
 * talc_walk - visit every chunk of every region
 * @t: the allocator
 * @fn: called for each chunk, in address order within a region; a non-zero
 *	return stops the walk
 * @data: passed to @fn
 *
 * Return: 0, what @fn returned to stop, or -EUCLEAN if a header is broken
 * (run talc_check() to learn more).
 */
int talc_walk(const struct talc *t, talc_walk_fn fn, void *data)
{
	struct talc_chunk_info ci;
	struct talc_region *r;
	char *c;
	int ret;

	for (r = t->regions; r; r = r->next) {
		ci.region = r->base;
		for (c = region_first(r); c < (char *)r->end; c += ci.size) {
			unsigned long hdr = *(unsigned long *)c;

			ci.chunk = c;
			ci.size = hdr_size(hdr);
			ci.used = hdr & HDR_USED &&
				  (hdr & HDR_QUICK) != HDR_QUICK;
			if (!hdr_valid(t, hdr) || ci.size < TALC_MIN_CHUNK ||
			    ci.size > (size_t)((char *)r->end - c))
				return -EUCLEAN;
			ret = fn(data, &ci);
			if (ret)
				return ret;
		}
	}
	return 0;
}

struct check_state {
	size_t free_chunks, free_bytes;
	size_t quick_chunks, quick_bytes;
	size_t used_chunks, used_req;
	size_t claimed, regions;
};

static int check_fail(const struct talc *t, const void *addr, const char *what)
{
	report(t, TALC_EV_CORRUPT, addr, what);
	return -EUCLEAN;
}

static int check_region(const struct talc *t, const struct talc_region *r,
			struct check_state *s)
{
	char *c = region_first(r), *end = (char *)r->end;
	unsigned long expect_prev = 0;
	unsigned long hdr;

	if ((uintptr_t)r < (uintptr_t)r->base ||
	    end + 8 > (char *)r->base + r->size || end < c)
		return check_fail(t, r, "region head or end out of bounds");
	while (c < end) {
		size_t size;

		hdr = *(unsigned long *)c;
		size = hdr_size(hdr);
		if (!hdr_valid(t, hdr))
			return check_fail(t, c, "chunk header check mismatch");
		if (size < TALC_MIN_CHUNK || size > (size_t)(end - c))
			return check_fail(t, c, "chunk size out of bounds");
		if ((hdr & (HDR_PREV_FREE | HDR_PREV_MIN)) != expect_prev)
			return check_fail(t, c, "prev-free flags disagree with the chunk below");
		if ((hdr & (HDR_USED | HDR_QUICK)) == (HDR_USED | HDR_QUICK)) {
			s->quick_chunks++;
			s->quick_bytes += size;
			expect_prev = 0;
		} else if (hdr & HDR_USED) {
			size_t slack = (hdr & HDR_SLACK) >> HDR_SLACK_SHIFT;

			if (slack > size - TALC_OVERHEAD)
				return check_fail(t, c, "slack larger than the chunk");
			s->used_chunks++;
			s->used_req += size - TALC_OVERHEAD - slack;
			expect_prev = 0;
		} else {
			if (expect_prev)
				return check_fail(t, c, "two adjacent free chunks");
			if (size > TALC_MIN_CHUNK &&
			    *(unsigned long *)(c + size - 8) != size)
				return check_fail(t, c,
						  "free chunk footer disagrees with its header");
			s->free_chunks++;
			s->free_bytes += size;
			expect_prev = prev_free_flags(size);
		}
		c += size;
	}
	hdr = *r->end;
	if (c != end)
		return check_fail(t, c, "chunks do not tile the region");
	if (!hdr_valid(t, hdr) || hdr_size(hdr) || !(hdr & HDR_USED))
		return check_fail(t, end, "region sentinel broken");
	if ((hdr & (HDR_PREV_FREE | HDR_PREV_MIN)) != expect_prev)
		return check_fail(t, end, "sentinel flags disagree with the top chunk");
	s->claimed += r->size;
	s->regions++;
	return 0;
}

static int check_bins(const struct talc *t, const struct check_state *s)
{
	size_t chunks = 0, bytes = 0;
	unsigned int b, w;

	for (w = 0; w < TALC_BITMAP_WORDS; w++)
		if (!!(t->avail_l1 & BIT(w)) != !!t->avail[w])
			return check_fail(t, &t->avail[w],
					  "summary bit disagrees with its bitmap word");
	for (b = 0; b < TALC_BIN_COUNT; b++) {
		struct talc_chunk *c, *prev = NULL;
		bool bit = t->avail[b / BITS_PER_LONG] & BIT(b % BITS_PER_LONG);

		if (bit != !!t->bins[b])
			return check_fail(t, &t->bins[b], "bitmap bit disagrees with its bin");
		for (c = t->bins[b]; c; prev = c, c = c->next) {
			if (chunks++ > s->free_chunks)
				return check_fail(t, c,
						  "more chunks in bins than free chunks (list loop?)");
			if (!region_of(t, hdr_at(c, TALC_OVERHEAD)) ||
			    !hdr_valid(t, c->hdr) || c->hdr & HDR_USED)
				return check_fail(t, c,
						  "bin holds something that is not a free chunk");
			if (bin_of(hdr_size(c->hdr)) != b)
				return check_fail(t, c, "free chunk is in the wrong bin");
			if (c->prev != prev)
				return check_fail(t, c, "free list back link broken");
			bytes += hdr_size(c->hdr);
		}
	}
	if (chunks != s->free_chunks || bytes != s->free_bytes)
		return check_fail(t, t, "bins do not hold exactly the free chunks");

	chunks = 0;
	for (b = 0; b < TALC_QUICK_BINS; b++) {
		struct talc_chunk *c;
		size_t n = 0;

		for (c = t->quick[b]; c; c = c->next, n++) {
			if (chunks++ > s->quick_chunks)
				return check_fail(t, c,
						  "more chunks on quick lists than parked (list loop?)");
			if (!region_of(t, hdr_at(c, TALC_OVERHEAD)) ||
			    !hdr_valid(t, c->hdr) ||
			    (c->hdr & (HDR_USED | HDR_QUICK)) !=
			    (HDR_USED | HDR_QUICK))
				return check_fail(t, c,
						  "quick list holds something that is not a parked chunk");
			if (bin_of(hdr_size(c->hdr)) != b)
				return check_fail(t, c, "parked chunk is on the wrong quick list");
		}
		if (n != t->quick_count[b])
			return check_fail(t, &t->quick_count[b],
					  "quick list length disagrees with its count");
	}
	if (chunks != s->quick_chunks || chunks != t->quick_chunks)
		return check_fail(t, t, "quick lists do not hold exactly the parked chunks");
	return 0;
}

/**
 * talc_check - full consistency check
 * @t: the allocator
 *
 * Walks every region and bin: header checks and sizes, regions tiled
 * exactly, no two free chunks adjacent, neighbour flags, footers, each bin
 * holding exactly the free chunks of its class, the bitmap, and the counters
 * against the walk.  The first problem goes to the report hook.
 *
 * Return: 0 if consistent, else -EUCLEAN.
 */
int talc_check(const struct talc *t)
{
	struct check_state s = { 0 };
	struct talc_region *r, *prev = NULL;
	int ret;

	for (r = t->regions; r; prev = r, r = r->next) {
		if (r->prev != prev || s.regions > t->region_count)
			return check_fail(t, r, "region list broken");
		ret = check_region(t, r, &s);
		if (ret)
			return ret;
	}
	ret = check_bins(t, &s);
	if (ret)
		return ret;
	if (s.regions != t->region_count || s.claimed != t->claimed_bytes)
		return check_fail(t, t, "region counters disagree with the walk");
	if (s.free_chunks != t->fragment_count ||
	    s.free_bytes != t->available_bytes ||
	    s.quick_bytes != t->quick_bytes)
		return check_fail(t, t, "free counters disagree with the walk");
	if (s.used_chunks != t->allocation_count ||
	    s.used_req != t->allocated_bytes)
		return check_fail(t, t, "allocation counters disagree with the walk");
	return 0;
}
