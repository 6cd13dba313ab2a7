/* SPDX-License-Identifier: GPL-2.0 */
/*
 * talc_internal.h - what talc_heap.c offers talc_debugfs.c and the KUnit
 * suites inside talc.ko.  Not an API: other modules use talc_heap.h.
 */
#ifndef _TALC_INTERNAL_H
#define _TALC_INTERNAL_H

#include <linux/align.h>
#include <linux/atomic.h>
#include <linux/cache.h>
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/local_lock.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include "talc.h"
#include "talc_heap.h"
#include "talc_parse.h"

/* Length of the message talc_heap_check() keeps from the first report. */
#define TALC_CHECK_MSG_LEN	128

/*
 * Chunks checked, bins counted or regions listed per hold of a heap's lock
 * by the debugfs readers: a few microseconds per hold (see BENCHMARKS.md
 * for the measured longest hold).
 */
#define TALC_WALK_BUDGET	128
#define TALC_REGION_BATCH	32

/**
 * enum talc_heap_stat - the heap layer's own counters (talc_heap.stat[])
 * @TALC_HEAP_GROWS: regions added by growth
 * @TALC_HEAP_GROW_FAILS: growths that found no memory (or no room)
 * @TALC_HEAP_GROW_WAITS: allocations that waited for another grower
 * @TALC_HEAP_RECLAIMS: regions released by reclaim
 * @TALC_HEAP_FAILURES: allocations of the heap API that returned NULL
 * @TALC_HEAP_REJECTED_GFP: allocations refused for their gfp flags
 * @TALC_HEAP_INJECTED_FAULTS: growths failed on purpose (struct talc_fault)
 * @TALC_HEAP_NR_STATS: number of counters
 */
enum talc_heap_stat {
	TALC_HEAP_GROWS,
	TALC_HEAP_GROW_FAILS,
	TALC_HEAP_GROW_WAITS,
	TALC_HEAP_RECLAIMS,
	TALC_HEAP_FAILURES,
	TALC_HEAP_REJECTED_GFP,
	TALC_HEAP_INJECTED_FAULTS,
	TALC_HEAP_NR_STATS,
};

extern const char *const talc_heap_stat_names[TALC_HEAP_NR_STATS];

/*
 * Per-CPU caches (talc_heap.c, "per-CPU caches"): TALC_CACHE_CLASSES size
 * classes of usable bytes, from 16 up to TALC_CACHE_MAX, about two per
 * power of two (kmalloc's classes, with 48, 384, 768, ... between).
 * Aligned requests are served from a cache up to TALC_CACHE_ALIGN_MAX when
 * the cached chunk happens to be aligned enough.
 */
#define TALC_CACHE_CLASSES	18
#define TALC_CACHE_MAX		8192
#define TALC_CACHE_ALIGN_MAX	64

/*
 * The two words a cached chunk at @p keeps, its list link and its mark:
 * its first two payload words, whatever its size, next to its header,
 * which the free's validation (talc_block_peek()) has just read (in the
 * same cache line unless @p starts a line).
 */
#define TALC_CACHE_LINK(p)	(((unsigned long *)(p))[0])
#define TALC_CACHE_MARK(p)	(((unsigned long *)(p))[1])

/**
 * enum talc_cache_stat - counters of one CPU's cache (talc_pcp.stat[])
 * @TALC_CACHE_HITS: allocations served from the cache
 * @TALC_CACHE_MISSES: cache-sized allocations it could not serve
 * @TALC_CACHE_FREES: frees it took
 * @TALC_CACHE_REFILLS: batches brought in from the heap
 * @TALC_CACHE_DRAINS: batches given back to the heap
 * @TALC_CACHE_DOUBLE_FREES: frees of a chunk it held already (ignored)
 * @TALC_CACHE_CORRUPT: cached chunks found overwritten (left to leak)
 * @TALC_CACHE_NR_STATS: number of counters
 */
enum talc_cache_stat {
	TALC_CACHE_HITS,
	TALC_CACHE_MISSES,
	TALC_CACHE_FREES,
	TALC_CACHE_REFILLS,
	TALC_CACHE_DRAINS,
	TALC_CACHE_DOUBLE_FREES,
	TALC_CACHE_CORRUPT,
	TALC_CACHE_NR_STATS,
};

extern const char *const talc_cache_stat_names[TALC_CACHE_NR_STATS];

/**
 * struct talc_cache_class - one size class of one CPU's cache
 * @head: last chunk cached (LIFO list through the chunks' payloads)
 * @count: chunks on the list
 * @bytes: their chunk bytes (headers included)
 * @req: the bytes the core counts as requested for them
 */
struct talc_cache_class {
	void *head;
	unsigned int count;
	size_t bytes;
	size_t req;
};

/**
 * struct talc_pcp - one CPU's cache in front of a heap
 * @lock: on PREEMPT_RT the cache's lock; elsewhere the lockdep map of
 *	@busy (talc_pcp_trylock())
 * @busy: a task of this CPU holds the cache (not on PREEMPT_RT)
 * @cls: the size classes
 * @bytes: chunk bytes cached, all classes (the sum of @cls' bytes, kept
 *	for the bound, which every free checks)
 * @stat: enum talc_cache_stat counters
 * @refilled: chunks brought in by refills (the core counted them as
 *	allocations)
 * @refilled_req: the bytes the core counted as requested for them
 * @hit_req: the same bytes of the chunks handed out by hits
 * @drain_work: drains this CPU's cache on this CPU (talc_heap_cache_drain())
 * @heap: the heap
 *
 * Written only by its own CPU under talc_pcp_trylock(), or by the CPU
 * hotplug callback once the CPU is dead; readers of the counters (debugfs,
 * talc_heap_stats()) sum them without the lock.
 */
struct talc_pcp {
	local_lock_t lock;
	bool busy;
	struct talc_cache_class cls[TALC_CACHE_CLASSES];
	size_t bytes;
	u64 stat[TALC_CACHE_NR_STATS];
	u64 refilled;
	u64 refilled_req;
	u64 hit_req;
	struct work_struct drain_work;
	struct talc_heap *heap;
};

/**
 * struct talc_cache_info - one CPU's cache, for debugfs
 * @chunks: chunks cached
 * @bytes: their chunk bytes (headers included)
 * @stat: enum talc_cache_stat counters
 */
struct talc_cache_info {
	size_t chunks;
	size_t bytes;
	u64 stat[TALC_CACHE_NR_STATS];
};

/**
 * struct talc_rtab - the regions of a heap, read without its lock: by frees
 *	into the per-CPU caches and by talc_heap_virt_to_phys()
 * @rcu: frees the table after a grace period once replaced
 * @n: regions
 * @r: their bounds [lo, hi), sorted, and the physical address of lo: a
 *	caller-owned range's as given (TALC_PHYS_NONE: none), TALC_PHYS_NONE
 *	for a vmalloc'd region
 *
 * Replaced (RCU) under grow_lock in the same hold of the heap's lock as
 * talc_claim() and talc_release(): a region is in the table exactly while
 * the core has it.  A heap over caller memory (talc_heap_create_mem()) has
 * caller-owned ranges only; any other heap has none.
 */
struct talc_rtab {
	struct rcu_head rcu;
	unsigned int n;
	struct {
		unsigned long lo;
		unsigned long hi;
		phys_addr_t phys;
	} r[];
};

/**
 * struct talc_fault - make a heap's growth fail on demand, in the manner
 * of the kernel's fault_attr (Debian's kernels lack FAULT_INJECTION)
 * @probability: percent of eligible growths that fail, 0 (off) to 100
 * @interval: only every @interval-th growth is eligible (1: every one)
 * @times: failures left, -1 for no limit
 * @calls: growths seen (for @interval)
 *
 * The region (or index) allocation of a growth fails as if vmalloc() had
 * found no memory; counted in TALC_HEAP_INJECTED_FAULTS.  Under the
 * heap's lock.
 */
struct talc_fault {
	unsigned int probability;
	unsigned int interval;
	int times;
	unsigned long calls;
};

/**
 * struct talc_heap_info - a heap's policy and own counters, for debugfs
 * @size: size of the first region
 * @max_size: bound on the bytes claimed in all regions
 * @grow_step: smallest region added by growth
 * @reclaim_threshold: free bytes the heap keeps when it releases a region
 * @quick_depth: the core's quick-list depth
 * @poison: the core poisons freed memory
 * @natural_align: power-of-two sizes up to PAGE_SIZE aligned to their size
 * @hardened: hardened mode (secret header tag, obfuscated and checked
 *	free-list and cache links), chosen at creation
 * @owned: created by heaps= or debugfs control
 * @refs: references held
 * @growing: bytes a grower is allocating right now, outside the lock
 * @max_hold_ns: longest hold of the heap's lock since the last reset
 * @max_hold_site: where that hold ended (a code address)
 * @stat: the counters of enum talc_heap_stat
 * @cache_limit: bound on the bytes all CPUs' caches hold (0: off)
 * @cache: the per-CPU caches summed (counters, chunks, bytes)
 * @init_on_alloc: enum talc_init
 * @init_on_free: enum talc_init
 * @mem_ranges: caller-owned ranges (talc_heap_create_mem()), 0 for a heap
 *	of vmalloc'd regions
 * @mem_bytes: their bytes
 */
struct talc_heap_info {
	size_t size;
	size_t max_size;
	size_t grow_step;
	size_t reclaim_threshold;
	unsigned int quick_depth;
	bool poison;
	bool natural_align;
	bool hardened;
	bool owned;
	unsigned int refs;
	size_t growing;
	u64 max_hold_ns;
	unsigned long max_hold_site;
	u64 stat[TALC_HEAP_NR_STATS];
	size_t cache_limit;
	struct talc_cache_info cache;
	unsigned int init_on_alloc;
	unsigned int init_on_free;
	unsigned int mem_ranges;
	size_t mem_bytes;
};

/**
 * struct talc_heap - a named private heap
 * @core: the allocator (under @lock)
 * @lock: serialises @core, @stat, @max_hold_ns and the policy fields
 * @grow_lock: one grower at a time; others wait for its region
 * @walk_lock: one stepped walk (check, regions) at a time
 * @list: in the global heap list (under talc_heaps_mutex)
 * @refs: references: the owner's plus one per talc_heap_get()
 * @name: NUL-terminated name, [A-Za-z0-9_-]{1,31}
 * @first: base of the first region (never released before destroy)
 * @size: size of the first region
 * @max_size: bound on the bytes claimed in all regions
 * @grow_step: smallest region added by growth
 * @reclaim_threshold: see talc_heap_reclaim_workfn()
 * @reclaim_arm: free bytes at which a free schedules @reclaim_work
 * @growing: bytes the grower is allocating outside @lock
 * @index: the core's region index, once it outgrew the built-in one
 * @quick_depth: the core's quick-list depth, as last set
 * @poison: the core poisons freed memory, as last set
 * @natural_align: see talc_heap_set_natural_align()
 * @stat: enum talc_heap_stat counters
 * @max_hold_ns: longest hold of @lock (resettable through debugfs)
 * @max_hold_site: the code address where that hold ended
 * @holds: holds of @lock so far (wraps): the allocation and free paths
 *	time one in TALC_HOLD_SAMPLE; the tests count a reader's holds
 * @warned: bitmask of enum talc_event kinds already WARNed about
 * @owned: created by heaps= or debugfs control (the module holds the
 *	owner's reference and control may destroy it)
 * @capture: talc_heap_check() is running; reports go to @check_msg
 * @check_msg: the first problem seen by talc_heap_check()
 * @reclaim_work: releases idle regions (process context)
 * @fault: fault injection on growth (debugfs NAME/fail_grow/)
 * @pcp: the per-CPU caches
 * @cache_limit: bound on the bytes all CPUs' caches hold, 0: off
 * @cache_cpu_limit: one CPU's share of it; 0 while the caches are off or
 *	poisoning is on (read without a lock by the fast paths)
 * @secret: random; marks the chunks held by a cache (double free check)
 *	and obfuscates their links
 * @hardened: the core is hardened (talc_set_hardened()), and so are the
 *	caches: a cache link is checked before it is followed (set at
 *	creation)
 * @rtab: the regions with their physical addresses, read without @lock
 *	(RCU; written under @grow_lock and @lock)
 * @cache_bad_frees: double frees the caches caught outside a CPU's cache
 * @cpuhp: in the CPU hotplug instance list (drains a dead CPU's cache)
 * @init_on_alloc: enum talc_init for allocations (read without a lock)
 * @init_on_free: enum talc_init for frees (read without a lock)
 * @caller_mem: made by talc_heap_create_mem(): every region is a range the
 *	caller owns; no growth, no reclaim, no vfree() (set at creation)
 * @test_unlocked: KUnit hook, run where the growth path has dropped @lock
 * @test_data: its argument
 * @dir: debugfs directory (under talc_heaps_mutex)
 */
struct talc_heap {
	struct talc core;
	spinlock_t lock;	/* see the kernel-doc above */
	struct mutex grow_lock;	/* see the kernel-doc above */
	struct mutex walk_lock;	/* see the kernel-doc above */
	struct list_head list;
	refcount_t refs;
	char name[TALC_NAME_MAX + 1];
	void *first;
	size_t size;
	size_t max_size;
	size_t grow_step;
	size_t reclaim_threshold;
	size_t reclaim_arm;
	size_t growing;
	void *index;
	unsigned int quick_depth;
	bool poison;
	bool natural_align;
	u64 stat[TALC_HEAP_NR_STATS];
	u64 max_hold_ns;
	unsigned long max_hold_site;
	unsigned int holds;
	unsigned long warned;
	bool owned;
	bool capture;
	char check_msg[TALC_CHECK_MSG_LEN];
	struct work_struct reclaim_work;
	struct talc_fault fault;
	struct talc_pcp __percpu *pcp;
	size_t cache_limit;
	size_t cache_cpu_limit;
	unsigned long secret;
	bool hardened;
	struct talc_rtab __rcu *rtab;
	atomic_long_t cache_bad_frees;
	struct hlist_node cpuhp;
	u8 init_on_alloc;
	u8 init_on_free;
	bool caller_mem;
	void (*test_unlocked)(struct talc_heap *heap, void *data);
	void *test_data;
	struct dentry *dir;
};

/* Global heap list; lock order: see talc_heap.c. */
extern struct mutex talc_heaps_mutex;
extern struct list_head talc_heaps;

struct talc_heap *talc_heap_create_owned(const char *name, size_t size,
					 size_t max_size,
					 enum talc_spec_hardened hard);
int talc_heap_destroy_owned(const char *name);
int talc_heap_check(struct talc_heap *heap, char *msg, size_t len);
void talc_heap_get_info(struct talc_heap *heap, struct talc_heap_info *info);
void talc_heap_reset_max_hold(struct talc_heap *heap);
bool talc_heap_bin_stats(struct talc_heap *heap, unsigned int bin,
			 size_t *chunks, size_t *bytes);
int talc_heap_regions(struct talc_heap *heap, const void *after,
		      struct talc_region_info *ri, unsigned int n);
void talc_heap_flush_reclaim(struct talc_heap *heap);
bool talc_heap_mem_region(struct talc_heap *heap, const void *base,
			  phys_addr_t *phys);
int talc_heap_set_max_size(struct talc_heap *heap, size_t max_size);
int talc_heap_set_reclaim_threshold(struct talc_heap *heap, size_t bytes);
int talc_heap_set_grow_step(struct talc_heap *heap, size_t bytes);
void talc_heap_set_poison(struct talc_heap *heap, bool on);
int talc_heap_set_quick_depth(struct talc_heap *heap, unsigned int depth);
int talc_heap_set_fault(struct talc_heap *heap, const struct talc_fault *f);
void talc_heap_get_fault(struct talc_heap *heap, struct talc_fault *f);
void talc_heap_cache_drain(struct talc_heap *heap);
void talc_heap_cache_info(struct talc_heap *heap, unsigned int cpu,
			  struct talc_cache_info *ci);

int talc_debugfs_init(void);
void talc_debugfs_exit(void);
void talc_debugfs_add_heap(struct talc_heap *heap);
void talc_debugfs_remove_heap(struct talc_heap *heap);
void talc_debugfs_add_control(void);
void talc_debugfs_remove_control(void);
bool talc_debugfs_name_ok(const char *name);

#endif /* _TALC_INTERNAL_H */
