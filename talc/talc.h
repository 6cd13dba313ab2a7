/* SPDX-License-Identifier: GPL-2.0 */
/*
 * talc - a boundary-tag, bitmap-binned allocator core for private heaps.
 *
 * This header is the whole interface of the core.  The core is plain C: it
 * takes no locks, allocates no memory of its own and includes only <linux/...>
 * headers, so the same talc.c builds into talc.ko, into a UML KUnit kernel and
 * (through the shims in tools/include/) into userspace tests and benchmarks.
 *
 * The caller owns a struct talc and the memory regions it hands to
 * talc_claim(); every call on one struct talc must be serialised by the
 * caller (the module does it with the heap's spinlock).
 *
 * See talc.c for the chunk layout, the tag bits and the binning.
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
/* Chunk sizes are stored in 37 bits of the header (see talc.c). */
#define TALC_MAX_CHUNK		(BIT(40) - TALC_ALIGN)

/*
 * Bins: one per 8-byte size class below TALC_LINEAR_LIMIT, then
 * TALC_SUBBINS per power of two up to TALC_MAX_CHUNK.
 */
#define TALC_LINEAR_LIMIT	512UL
#define TALC_LINEAR_BINS	((TALC_LINEAR_LIMIT - TALC_MIN_CHUNK) / TALC_ALIGN)
#define TALC_SUBBIN_SHIFT	4
#define TALC_SUBBINS		BIT(TALC_SUBBIN_SHIFT)
#define TALC_LINEAR_LOG2	9	/* ilog2(TALC_LINEAR_LIMIT) */
#define TALC_BIN_COUNT		(TALC_LINEAR_BINS + (40 - TALC_LINEAR_LOG2) * TALC_SUBBINS)
#define TALC_BITMAP_WORDS	DIV_ROUND_UP(TALC_BIN_COUNT, BITS_PER_LONG)

/* Default bound on the first-fit scan used when no good-fit bin exists. */
#define TALC_DEFAULT_SCAN_LIMIT	8

/*
 * Quick lists: freed chunks of the first TALC_QUICK_BINS bins (up to 4 KiB
 * payloads) are kept, uncoalesced, on a short LIFO list per bin and handed
 * out again to requests of exactly their size.  At most quick_depth per bin;
 * all of them are coalesced before an allocation fails and before a region
 * operation (see talc_flush()).
 */
#define TALC_QUICK_BINS		112
#define TALC_DEFAULT_QUICK_DEPTH 8
/* Byte written over freed payloads when poisoning is enabled. */
#define TALC_POISON_BYTE	0x6b

struct talc;
struct talc_chunk;
struct talc_region;

/**
 * enum talc_event - what a report hook is told about
 * @TALC_EV_FREE_MISALIGNED: free/realloc of a pointer not 8-byte aligned
 * @TALC_EV_FREE_OUTSIDE: pointer lies in no region of this talc
 * @TALC_EV_FREE_INVALID: no valid chunk header in front of the pointer
 *	(an interior pointer, or a pointer into a free chunk's body)
 * @TALC_EV_FREE_DOUBLE: the chunk is already free (double free)
 * @TALC_EV_POISON: a free chunk's poison was overwritten (write after free)
 * @TALC_EV_CORRUPT: talc_check() found an inconsistency
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
 * @data: talc->report_data
 * @ev: what happened
 * @addr: the address concerned (pointer freed, corrupt chunk, ...)
 * @what: a human readable description
 */
typedef void (*talc_report_fn)(void *data, enum talc_event ev,
			       const void *addr, const char *what);

/**
 * typedef talc_oom_fn - out-of-memory hook
 * @t: the allocator; the hook may call talc_claim() or talc_extend() on it
 * @size: the size being requested
 * @align: the alignment being requested
 * @data: talc->oom_data
 *
 * Return: 0 when memory was added (the allocation is retried), else < 0.
 */
typedef int (*talc_oom_fn)(struct talc *t, size_t size, size_t align,
			   void *data);

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
 * @largest_free_chunk: largest request that fits without the OOM hook
 * @region_count: live regions
 * @total_region_count: regions ever claimed
 * @peak_allocated_bytes: high-water mark of @allocated_bytes
 * @failed_allocations: allocations that returned NULL
 * @bad_frees: bad pointers passed to free or realloc (and ignored)
 * @poison_errors: write-after-free detections
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
	size_t peak_allocated_bytes;
	u64 failed_allocations;
	u64 bad_frees;
	u64 poison_errors;
};

/**
 * struct talc - one allocator instance
 *
 * Fields above the "policy" line are private to talc.c.  The policy fields
 * may be set by the owner after talc_init() (under its lock).
 */
struct talc {
	unsigned long avail_l1;
	unsigned long avail[TALC_BITMAP_WORDS];
	struct talc_chunk *bins[TALC_BIN_COUNT];
	struct talc_chunk *quick[TALC_QUICK_BINS];
	u8 quick_count[TALC_QUICK_BINS];
	size_t quick_chunks;
	size_t quick_bytes;
	struct talc_region *regions;
	unsigned long key;

	/* counters (read with talc_get_stats()) */
	size_t claimed_bytes;
	size_t available_bytes;
	size_t allocated_bytes;
	size_t allocation_count;
	u64 total_allocation_count;
	u64 total_allocated_bytes;
	size_t fragment_count;
	size_t region_count;
	u64 total_region_count;
	size_t peak_allocated_bytes;
	u64 failed_allocations;
	u64 bad_frees;
	u64 poison_errors;

	/* ---- policy ---- */
	unsigned int scan_limit;	/* bound of the fit scans, default 8 */
	unsigned int quick_depth;	/* quick list bound per bin, 0: off */
	bool poison;			/* poison freed payloads, verify on reuse */
	talc_oom_fn oom;
	void *oom_data;
	talc_report_fn report;
	void *report_data;
};

/**
 * struct talc_chunk_info - one chunk as seen by talc_walk()
 * @region: base address the region was claimed with
 * @chunk: the chunk's first byte (its header)
 * @size: chunk size in bytes, header included
 * @used: true if allocated
 */
struct talc_chunk_info {
	void *region;
	void *chunk;
	size_t size;
	bool used;
};

typedef int (*talc_walk_fn)(void *data, const struct talc_chunk_info *ci);

void talc_init(struct talc *t);

int talc_claim(struct talc *t, void *base, size_t size);
int talc_extend(struct talc *t, void *base, size_t new_size);
int talc_truncate(struct talc *t, void *base, size_t new_size);
size_t talc_reserved(struct talc *t, void *base);
int talc_release(struct talc *t, void *base);
size_t talc_region_overhead(void);
void talc_flush(struct talc *t);

void *talc_malloc(struct talc *t, size_t size);
void *talc_malloc_aligned(struct talc *t, size_t size, size_t align);
void (talc_free)(struct talc *t, void *ptr);
void *(talc_realloc)(struct talc *t, void *ptr, size_t size);
size_t (talc_usable_size)(const struct talc *t, const void *ptr);

void talc_get_stats(const struct talc *t, struct talc_stats *st);
int talc_check(const struct talc *t);
int talc_walk(const struct talc *t, talc_walk_fn fn, void *data);

unsigned int talc_bin_of(size_t chunk_size);
size_t talc_bin_min_size(unsigned int bin);
void talc_bin_stats(const struct talc *t, unsigned int bin, size_t *chunks,
		    size_t *bytes);

/*
 * talc_free(), talc_realloc() and talc_usable_size() are spelled the same for
 * the core (first argument a struct talc *) and for the module's heap API
 * (first argument a struct talc_heap *, see talc_heap.h).  These macros pick
 * the function from the type of the first argument at compile time; the core
 * functions are defined with parenthesised names so the macros leave them be.
 */
struct talc_heap;
void talc_heap_free(struct talc_heap *heap, void *ptr);
void *talc_heap_realloc(struct talc_heap *heap, void *ptr, size_t size,
			gfp_t gfp);
size_t talc_heap_usable_size(struct talc_heap *heap, const void *ptr);

#define talc_free(owner, ptr)						\
	__builtin_choose_expr(						\
		__builtin_types_compatible_p(typeof(owner), struct talc *), \
		talc_free, talc_heap_free)((owner), (ptr))
#define talc_realloc(owner, ptr, ...)					\
	__builtin_choose_expr(						\
		__builtin_types_compatible_p(typeof(owner), struct talc *), \
		talc_realloc, talc_heap_realloc)((owner), (ptr), __VA_ARGS__)
#define talc_usable_size(owner, ptr)					\
	__builtin_choose_expr(						\
		__builtin_types_compatible_p(typeof(owner), struct talc *) || \
		__builtin_types_compatible_p(typeof(owner),		\
					     const struct talc *),	\
		talc_usable_size, talc_heap_usable_size)((owner), (ptr))

#endif /* _TALC_H */
