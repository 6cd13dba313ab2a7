/* SPDX-License-Identifier: GPL-2.0 */
/*
 * talc - a boundary-tag, bitmap-binned allocator core for private heaps.
 *
 * This header is the whole interface of the core.  The core is plain C: it
 * takes no locks, allocates no memory of its own, never calls back into its
 * owner with the owner's lock dropped, and includes only <linux/...>
 * headers, so the same talc.c builds into talc.ko, into a UML KUnit kernel
 * and (through the shims in tools/include/) into userspace tests and
 * benchmarks.
 *
 * The caller owns a struct talc, the memory regions it hands to
 * talc_claim() and the memory of the region index (talc_set_index()); every
 * call on one struct talc must be serialised by the caller (the module does
 * it with the heap's spinlock).  When the core has no room it says so
 * (NULL, -ENOSPC); adding memory is the caller's business, done outside
 * its lock, in the manner of xas_nomem().
 *
 * A struct talc must not be copied or moved after talc_init() (other than
 * restored to the same address): the header tag (unless hardened, see
 * talc_set_hardened()) and the built-in region index are derived from its
 * address.
 *
 * The fields of struct talc are private to talc.c: use the functions.
 * See talc.c for the chunk layout, the header word and the binning.
 */
#ifndef _TALC_H
#define _TALC_H

#include <linux/bits.h>
#include <linux/math.h>
#include <linux/stddef.h>
#include <linux/types.h>

/* Allocation granularity and default alignment: one machine word. */
#define TALC_ALIGN		8UL
/* Per-allocation overhead: one header word in front of the payload. */
#define TALC_OVERHEAD		8UL
/* Smallest chunk: header + two free-list links (a free chunk needs both). */
#define TALC_MIN_CHUNK		24UL
/* Largest alignment talc_malloc_aligned() accepts. */
#define TALC_MAX_ALIGN		BIT(31)
/* Bits of the header word that hold a chunk size (see talc.c). */
#define TALC_SIZE_BITS		40
/* Largest chunk: the size field is bits 3..39 of the header. */
#define TALC_MAX_CHUNK		(BIT(TALC_SIZE_BITS) - TALC_ALIGN)

/*
 * Bins: one per 8-byte size class below TALC_LINEAR_LIMIT, then
 * TALC_SUBBINS per power of two, but TALC_FINE_SUBBINS per power of two
 * from 2^TALC_FINE_LOG2 (16 KiB) to 2^TALC_FINE_END (256 KiB): large
 * requests there split the tightest hole (size classes 0.4 % apart, as a
 * TLSF second level), which is what keeps a heap of large blocks dense.
 */
#define TALC_LINEAR_LIMIT	512UL
#define TALC_LINEAR_BINS	((TALC_LINEAR_LIMIT - TALC_MIN_CHUNK) / TALC_ALIGN)
#define TALC_SUBBIN_SHIFT	4
#define TALC_SUBBINS		BIT(TALC_SUBBIN_SHIFT)
#define TALC_LINEAR_LOG2	9	/* ilog2(TALC_LINEAR_LIMIT) */
#define TALC_FINE_LOG2		14
#define TALC_FINE_END		18
#define TALC_FINE_SHIFT		8
#define TALC_FINE_SUBBINS	BIT(TALC_FINE_SHIFT)
/* the first bin of the fine tier, and the first above it */
#define TALC_FINE_BASE		(TALC_LINEAR_BINS + \
				 (TALC_FINE_LOG2 - TALC_LINEAR_LOG2) * TALC_SUBBINS)
#define TALC_TOP_BASE		(TALC_FINE_BASE + \
				 (TALC_FINE_END - TALC_FINE_LOG2) * TALC_FINE_SUBBINS)
#define TALC_BIN_COUNT		(TALC_TOP_BASE + \
				 (TALC_SIZE_BITS - TALC_FINE_END) * TALC_SUBBINS)
#define TALC_BITMAP_WORDS	DIV_ROUND_UP(TALC_BIN_COUNT, BITS_PER_LONG)

/* Default bound on the first-fit scan used when no good-fit bin exists. */
#define TALC_DEFAULT_SCAN_LIMIT	8

/*
 * Quick lists: freed chunks of the first TALC_QUICK_BINS bins (up to 4 KiB
 * payloads) are kept, uncoalesced, on a short LIFO list per bin and handed
 * out again to requests of exactly their size.  At most quick_depth per bin
 * (up to TALC_QUICK_DEPTH_MAX) and TALC_QUICK_BIN_BYTES worth per bin (but
 * one chunk always), and no more once 1/64 of the claimed bytes are parked;
 * all of them are coalesced before an allocation fails and before a region
 * operation (see talc_flush()).
 */
#define TALC_QUICK_BINS		112
#define TALC_DEFAULT_QUICK_DEPTH 8
#define TALC_QUICK_DEPTH_MAX	255
/*
 * Parked chunks pin fragments, large ones most: bench heapeff (300 rounds,
 * U[1, 10000) sizes) gives 98.51 % density at 1536, 98.50 % at 2048 and
 * 98.48 % at 3072; 1024 gains nothing more and costs 3 % more instructions
 * per random action (1536: 1 %).
 */
#define TALC_QUICK_BIN_BYTES	1536UL
/* Byte written over freed payloads when poisoning is enabled. */
#define TALC_POISON_BYTE	0x6b

/* Regions the built-in index holds before talc_set_index() is needed. */
#define TALC_INDEX_INLINE	4
/* Index entries per fence: every 16th first-chunk address sits in a top array. */
#define TALC_INDEX_FANOUT	16
/*
 * Bytes of a region index for @cap regions: first-chunk and sentinel
 * addresses (16 bytes a region) and one fence word per TALC_INDEX_FANOUT.
 */
#define TALC_INDEX_BYTES(cap)	(DIV_ROUND_UP((cap) * (2 * TALC_INDEX_FANOUT + 1), \
					      TALC_INDEX_FANOUT) * sizeof(unsigned long))

struct talc_chunk;
struct talc_region;

/**
 * enum talc_event - what a report hook is told about
 * @TALC_EV_FREE_MISALIGNED: a pointer passed to free, realloc or
 *	usable_size is not 8-byte aligned
 * @TALC_EV_FREE_OUTSIDE: the pointer lies in no region of this talc
 * @TALC_EV_FREE_INVALID: no valid chunk header in front of the pointer
 *	(an interior pointer, or a pointer into a free chunk's body)
 * @TALC_EV_FREE_DOUBLE: the chunk is already free (double free)
 * @TALC_EV_POISON: a free chunk's poison was overwritten (write after free)
 * @TALC_EV_CORRUPT: talc_check() or talc_check_step() found an
 *	inconsistency
 */
enum talc_event {
	TALC_EV_FREE_MISALIGNED,
	TALC_EV_FREE_OUTSIDE,
	TALC_EV_FREE_INVALID,
	TALC_EV_FREE_DOUBLE,
	TALC_EV_POISON,
	TALC_EV_CORRUPT,
};

/**
 * typedef talc_report_fn - problem report hook
 * @data: the data given to talc_set_report()
 * @ev: what happened
 * @addr: the address concerned (pointer freed, corrupt chunk, ...)
 * @what: a human readable description
 *
 * Called in the middle of a core call: it must not call into the core.
 */
typedef void (*talc_report_fn)(void *data, enum talc_event ev,
			       const void *addr, const char *what);

/**
 * struct talc_stats - a snapshot of the counters
 * @claimed_bytes: bytes in all live regions
 * @available_bytes: bytes in free chunks (headers included), quick lists too
 * @allocated_bytes: bytes requested by live allocations
 * @overhead_bytes: claimed - available - allocated (headers, rounding, regions)
 * @allocation_count: live allocations
 * @total_allocation_count: allocations ever made
 * @total_allocated_bytes: bytes ever requested (in-place growth adds the delta)
 * @fragment_count: free chunks, those on quick lists included
 * @largest_free_chunk: largest request that fits without adding memory,
 *	quick lists included; found among at most TALC_STATS_SCAN chunks of
 *	the highest non-empty bin, so it may be low by less than a sixteenth
 * @region_count: live regions
 * @total_region_count: regions ever claimed
 * @idle_regions: regions that hold no allocation (quick lists aside)
 * @peak_allocated_bytes: high-water mark of @allocated_bytes
 * @failed_allocations: allocations that returned NULL
 * @bad_frees: bad pointers passed to free, realloc or usable_size (ignored)
 * @poison_errors: write-after-free detections
 * @quick_chunks: chunks parked on quick lists
 * @quick_bytes: their bytes
 * @link_errors: corrupt free-list links found in hardened mode (each list
 *	met with one is quarantined)
 */
struct talc_stats {
	size_t claimed_bytes;
	size_t available_bytes;
	size_t allocated_bytes;
	size_t overhead_bytes;
	size_t allocation_count;
	u64 total_allocation_count;
	u64 total_allocated_bytes;
	size_t fragment_count;
	size_t largest_free_chunk;
	size_t region_count;
	u64 total_region_count;
	size_t idle_regions;
	size_t peak_allocated_bytes;
	u64 failed_allocations;
	u64 bad_frees;
	u64 poison_errors;
	size_t quick_chunks;
	size_t quick_bytes;
	u64 link_errors;
};

/* Chunks of the top bin that talc_get_stats() looks at for the largest. */
#define TALC_STATS_SCAN		64

/**
 * struct talc_block - a live allocation as seen by talc_block_info()
 * @usable: bytes usable at the pointer (at least the size requested)
 * @align: the alignment it was allocated with (kept by a moving realloc)
 * @requested: the bytes the core counts as requested for it
 */
struct talc_block {
	size_t usable;
	size_t align;
	size_t requested;
};

/**
 * struct talc_region_info - one region as seen by talc_region_next()
 * @base: the base address passed to talc_claim()
 * @size: its size as last set by talc_claim/extend/truncate()
 * @idle: true if it holds no allocation (quick lists aside)
 */
struct talc_region_info {
	void *base;
	size_t size;
	bool idle;
};

/**
 * struct talc_chunk_info - one chunk as seen by a walk
 * @region: base address the region was claimed with
 * @chunk: the chunk's first byte (its header)
 * @size: chunk size in bytes, header included
 * @used: true if allocated (false for free and quick-list chunks)
 */
struct talc_chunk_info {
	void *region;
	void *chunk;
	size_t size;
	bool used;
};

typedef int (*talc_walk_fn)(void *data, const struct talc_chunk_info *ci);

/**
 * struct talc - one allocator instance; every field is private to talc.c
 */
struct talc {
	/* private: every field is private to talc.c */
	unsigned long avail_l1;
	unsigned long avail[TALC_BITMAP_WORDS];
	struct talc_chunk *bins[TALC_BIN_COUNT];
	struct talc_chunk *quick[TALC_QUICK_BINS];
	u8 quick_room[TALC_QUICK_BINS];
	size_t quick_bytes;
	size_t quick_cap;
	unsigned long tag;

	/* the region free() met last: its chunks' span (see talc.c) */
	unsigned long hot_lo;
	unsigned long hot_end;
	unsigned long hot_words;

	/* region index: first-chunk and sentinel addresses, sorted, fences */
	unsigned long *index_lo;
	unsigned long *index_hi;
	unsigned long *index_top;
	unsigned int index_cap;
	unsigned long index_inline[TALC_INDEX_BYTES(TALC_INDEX_INLINE) /
				   sizeof(unsigned long)];
	struct talc_region *idle;
	size_t idle_count;

	/* resumable walk (talc_walk_start()) and change count */
	unsigned long walk_pos;
	u64 gen;

	/* counters (read with talc_get_stats()) */
	size_t claimed_bytes;
	size_t available_bytes;
	size_t allocated_bytes;
	u64 total_allocation_count;
	u64 total_free_count;
	u64 total_allocated_bytes;
	size_t fragment_count;
	size_t region_count;
	u64 total_region_count;
	size_t peak_allocated_bytes;
	u64 failed_allocations;
	u64 bad_frees;
	u64 poison_errors;
	u64 link_errors;

	/* policy (talc_set_*()) */
	unsigned long link_key;
	/* hardened: the span a followed link must point into */
	unsigned long span_lo;
	unsigned long span_len;
	unsigned int scan_limit;
	unsigned int quick_depth;
	bool poison;
	talc_report_fn report;
	void *report_data;

	/* hardened mode: its quick lists, apart from quick[] (see talc.c) */
	struct talc_chunk *quick_h[TALC_QUICK_BINS];
	size_t quick_cap_hard;
};

void talc_init(struct talc *t);
void talc_set_report(struct talc *t, talc_report_fn fn, void *data);
void talc_set_poison(struct talc *t, bool on);
int talc_set_quick_depth(struct talc *t, unsigned int depth);
void talc_set_scan_limit(struct talc *t, unsigned int limit);
int talc_set_hardened(struct talc *t, unsigned long secret);
bool talc_hardened(const struct talc *t);

int talc_claim(struct talc *t, void *base, size_t size);
size_t talc_index_bytes(const struct talc *t);
int talc_set_index(struct talc *t, void *mem, size_t bytes, void **old);
int talc_extend(struct talc *t, void *base, size_t new_size);
int talc_truncate(struct talc *t, void *base, size_t new_size);
size_t talc_truncate_limit(struct talc *t, void *base);
int talc_release(struct talc *t, void *base);
size_t talc_region_overhead(void);
size_t talc_claim_size(size_t size, size_t align);
int talc_idle_region(const struct talc *t, const void *skip,
		     struct talc_region_info *ri);
int talc_region_next(const struct talc *t, const void *after,
		     struct talc_region_info *ri);
void talc_flush(struct talc *t);

void *talc_malloc(struct talc *t, size_t size);
void *talc_malloc_aligned(struct talc *t, size_t size, size_t align);
unsigned int talc_malloc_bulk(struct talc *t, size_t size, unsigned int n,
			      void **out, bool run);
int talc_free(struct talc *t, void *ptr);
void *talc_realloc(struct talc *t, void *ptr, size_t size);
int talc_resize(struct talc *t, void *ptr, size_t size,
		struct talc_block *old);
int talc_block_info(struct talc *t, const void *ptr, struct talc_block *b);
size_t talc_usable_size(struct talc *t, const void *ptr);
bool talc_block_peek(const struct talc *t, const void *ptr, unsigned long lo,
		     unsigned long hi, struct talc_block *b);

size_t talc_available_bytes(const struct talc *t);
void talc_get_stats(const struct talc *t, struct talc_stats *st);
int talc_check(const struct talc *t);
int talc_walk(const struct talc *t, talc_walk_fn fn, void *data);
void talc_walk_start(struct talc *t);
int talc_walk_step(struct talc *t, talc_walk_fn fn, void *data,
		   unsigned int budget);
int talc_check_step(struct talc *t, unsigned int budget);
u64 talc_generation(const struct talc *t);

unsigned int talc_bin_of(size_t chunk_size);
size_t talc_bin_min_size(unsigned int bin);
bool talc_bin_stats(const struct talc *t, unsigned int bin, size_t *chunks,
		    size_t *bytes, unsigned int budget);

#endif /* _TALC_H */
