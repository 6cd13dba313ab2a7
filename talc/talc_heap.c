// SPDX-License-Identifier: GPL-2.0
/*
 * talc_heap.c - named private heaps over vmalloc'd regions (talc.ko).
 *
 * A heap is a talc core (talc.c) plus a spinlock, the regions it was given,
 * a growth and reclaim policy, a reference count and a name.  This file is
 * the exported API (talc_heap.h), the helpers debugfs uses
 * (talc_internal.h) and the heaps= module parameter; the debugfs interface
 * lives in talc_debugfs.c.
 *
 * Lock ordering:
 *
 *	talc_heaps_mutex	global heap list and names, create, destroy,
 *				get, the debugfs control file
 *	  > talc_heap.grow_lock	one grower per heap; sleeping allocations
 *				that find no room wait here for the grower;
 *				reclaim; writers of the region table
 *	  > talc_heap.walk_lock	one stepped walk per heap (check)
 *	    > talc_pcp.lock	one CPU's cache, taken on its own CPU only
 *				and only by a trylock (talc_pcp_trylock(),
 *				see "per-CPU caches")
 *	      > talc_heap.lock	spinlock_t taken with spin_lock_irqsave(): the
 *				core and every field it serialises
 *
 * Under a heap's lock nothing sleeps, allocates, vmallocs, vfrees, prints
 * or copies a caller's block, and no hold does work that grows with the
 * heap: the core's calls are O(1) or O(log regions) (claim and release move
 * 16 bytes of index per region above), and the debugfs readers step through
 * chunks, bins and regions in bounded batches, dropping the lock between
 * them.  The longest hold is measured (max_lock_hold_ns in stats).
 *
 * Growth: when the core has no room, a caller whose gfp flags allow
 * blocking takes grow_lock, retries (a grower it waited for may have added
 * room), and otherwise allocates a region (and, when the core's region
 * index is full, a larger index) with the heap's lock dropped, retakes the
 * lock, hands both to the core and retries.  Nothing found under the lock
 * before the unlocked window is trusted after it.  GFP_ATOMIC and
 * GFP_NOWAIT callers never wait and never grow the heap.
 *
 * Per-CPU caches serve allocations and frees up to TALC_CACHE_MAX bytes
 * without the heap's lock; see "per-CPU caches" below.
 *
 * Reclaim: the first region lives until the heap is destroyed.  A region
 * added by growth is released when it holds no allocation and the heap
 * keeps reclaim_threshold free bytes plus as much again as the region
 * without it: that band of one region keeps alternating alloc/free at the
 * full mark from growing and releasing a region per pair.  A free or a
 * cache drain that leaves enough bytes free schedules reclaim_work, which
 * does the releasing and the vfree() in process context.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/bug.h>
#include <linux/cpuhotplug.h>
#include <linux/err.h>
#include <linux/export.h>
#include <linux/gfp.h>
#include <linux/hardirq.h>
#include <linux/init.h>
#include <linux/local_lock.h>
#include <linux/kernel.h>
#include <linux/kmemleak.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/overflow.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/timekeeping.h>
#include <linux/sched/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#include "talc.h"
#include "talc_heap.h"
#include "talc_internal.h"
#include "talc_parse.h"

#define CREATE_TRACE_POINTS
#include "talc_trace.h"

/*
 * The same parameter name, talc.heaps=, on the command line whether built
 * in (UML KUnit, where this object's KBUILD_MODNAME is talc_heap) or
 * modular (heaps= to insmod talc.ko, talc.heaps= at boot).
 */
#ifndef MODULE
#undef MODULE_PARAM_PREFIX
#define MODULE_PARAM_PREFIX "talc."
#endif

/* Smallest default growth step, so that small heaps grow in few regions. */
#define TALC_GROW_STEP_MIN	SZ_64K

/*
 * Default bound of a heap's caches: TALC_CACHE_CPU_DEFAULT per CPU (about
 * half of what every class at its high mark would hold), but not more than
 * a TALC_CACHE_HEAP_SHARE-th of the first region.
 */
#define TALC_CACHE_CPU_DEFAULT	SZ_256K
#define TALC_CACHE_HEAP_SHARE	8

/* Most heaps the heaps= parameter may create. */
#define TALC_PARAM_HEAPS_MAX	16

/* Largest heap: what one region of the core may hold, in whole pages. */
#define TALC_HEAP_MAX_BYTES	round_down(TALC_MAX_CHUNK, PAGE_SIZE)

/*
 * gfp flags a heap cannot honour: its memory is neither of a zone nor
 * unbounded (a heap has a max_size, so no allocation can be promised).
 */
#define TALC_GFP_REJECT		(__GFP_NOFAIL | __GFP_DMA | __GFP_DMA32 | \
				 __GFP_HIGHMEM)

/* A warned bit past the enum talc_event kinds: rejected gfp flags. */
#define TALC_WARN_GFP		(TALC_EV_CORRUPT + 1)

const char *const talc_heap_stat_names[TALC_HEAP_NR_STATS] = {
	[TALC_HEAP_GROWS] = "grows",
	[TALC_HEAP_GROW_FAILS] = "grow_failures",
	[TALC_HEAP_GROW_WAITS] = "grow_waits",
	[TALC_HEAP_RECLAIMS] = "reclaims",
	[TALC_HEAP_FAILURES] = "failed_allocations",
	[TALC_HEAP_REJECTED_GFP] = "rejected_gfp",
	[TALC_HEAP_INJECTED_FAULTS] = "injected_faults",
};

/* Protects talc_heaps, heap names and debugfs directories. */
DEFINE_MUTEX(talc_heaps_mutex);
LIST_HEAD(talc_heaps);

/*
 * ---- the heap lock, with its hold time measured ----
 *
 * The clock is ktime_get_mono_fast_ns(), not local_clock(): with an
 * unstable TSC (a QEMU TCG guest) local_clock() cannot advance more than a
 * tick past the last tick, and the tick does not run while the lock is
 * held, so a long hold would read short.
 */

struct talc_hold {
	unsigned long flags;
	u64 start;
};

/* The hold that ends at @site took @held ns: remember the longest. */
static __always_inline void talc_heap_held(struct talc_heap *heap, u64 held,
					   unsigned long site)
{
	if (unlikely(held > heap->max_hold_ns)) {
		heap->max_hold_ns = held;
		heap->max_hold_site = site;
	}
}

/*
 * Holds in the allocation and free paths are O(1) by construction and
 * very frequent: one in TALC_HOLD_SAMPLE is timed (a clock read costs as
 * much as the allocation itself on some machines, e.g. under UML).  Every
 * other hold (debugfs readers, growth, reclaim, tunables) is timed.
 */
#define TALC_HOLD_SAMPLE	64

/*
 * Macros, not functions, so that sparse sees each lock and unlock in the
 * function that holds the lock, with or without PREEMPT_RT (whose
 * spinlock_t functions carry no context annotations).  Every hold is
 * counted in heap->holds, before @timed is evaluated; a hold whose start
 * is 0 is not timed.
 */
#define talc_heap_lock_timed(heap, hold, timed)				\
	do {								\
		struct talc_heap *__lheap = (heap);			\
		struct talc_hold *__hold = (hold);			\
									\
		spin_lock_irqsave(&__lheap->lock, __hold->flags);	\
		__lheap->holds++;					\
		__hold->start = (timed) ? ktime_get_mono_fast_ns() : 0;	\
	} while (0)

#define talc_heap_lock(heap, hold)	talc_heap_lock_timed(heap, hold, true)

/* The allocation and free paths: one hold in TALC_HOLD_SAMPLE is timed. */
#define talc_heap_lock_sampled(heap, hold)				\
	do {								\
		struct talc_heap *__sheap = (heap);			\
									\
		talc_heap_lock_timed(__sheap, hold,			\
				     !(__sheap->holds % TALC_HOLD_SAMPLE)); \
	} while (0)

#define talc_heap_unlock(heap, hold)					\
	do {								\
		struct talc_heap *__heap = (heap);			\
		struct talc_hold *__hold = (hold);			\
									\
		if (__hold->start)					\
			talc_heap_held(__heap, ktime_get_mono_fast_ns() - \
				       __hold->start, _THIS_IP_);	\
		spin_unlock_irqrestore(&__heap->lock, __hold->flags);	\
	} while (0)

/* ---- the core's report hook, called under heap->lock ---- */

static void talc_heap_report(void *data, enum talc_event ev,
			     const void *addr, const char *what)
{
	struct talc_heap *heap = data;

	lockdep_assert_held(&heap->lock);
	/* the kinds the core counts in bad_frees */
	if (ev <= TALC_EV_FREE_DOUBLE)
		trace_talc_bad_free(heap, addr, ev);
	if (heap->capture) {
		if (!heap->check_msg[0])
			snprintf(heap->check_msg, sizeof(heap->check_msg),
				 "%s (at %p)", what, addr);
		return;
	}
	/* One WARN per heap and kind of problem, the counters do the rest. */
	if (!test_and_set_bit(ev, &heap->warned))
		WARN(1, "talc: heap %s: %s: %p\n", heap->name, what, addr);
	else
		pr_warn_ratelimited("heap %s: %s: %p\n", heap->name, what,
				    addr);
}

/* ---- gfp flags ---- */

/*
 * Flags for vmalloc() on behalf of an allocation with @gfp: only the
 * reclaim and I/O bits, which __vmalloc() supports on every kernel talc
 * builds for (GFP_KERNEL, GFP_NOFS, GFP_NOIO); no retry modifiers.
 */
static gfp_t talc_vmalloc_gfp(gfp_t gfp)
{
	return (gfp & (__GFP_RECLAIM | __GFP_IO | __GFP_FS)) | __GFP_NOWARN;
}

/*
 * __GFP_NORETRY and __GFP_RETRY_MAYFAIL ask for failure rather than the OOM
 * killer; vmalloc() does not take them, so such a growth (and every heap
 * creation) only goes ahead when the memory is available.
 */
static bool talc_mem_available(gfp_t gfp, size_t bytes)
{
	if (!(gfp & (__GFP_NORETRY | __GFP_RETRY_MAYFAIL)))
		return true;
	return bytes >> PAGE_SHIFT < (size_t)max(si_mem_available(), 0L);
}

static noinline void *talc_heap_reject_gfp(struct talc_heap *heap,
					   size_t size, size_t align,
					   gfp_t gfp, unsigned long caller)
{
	struct talc_hold hold;

	talc_heap_lock(heap, &hold);
	heap->stat[TALC_HEAP_REJECTED_GFP]++;
	heap->stat[TALC_HEAP_FAILURES]++;
	talc_heap_unlock(heap, &hold);
	trace_talc_alloc_fail(heap, caller, size, align, gfp);
	if (!test_and_set_bit(TALC_WARN_GFP, &heap->warned))
		WARN(1, "talc: heap %s: gfp flags %pGg not supported (__GFP_NOFAIL and zone modifiers)\n",
		     heap->name, &gfp);
	return NULL;
}

/*
 * NMI context: the heap's lock may be held by the code the NMI interrupted,
 * so taking it could deadlock.  Refused with a WARN instead.
 */
static __always_inline bool talc_heap_in_nmi(struct talc_heap *heap)
{
	return WARN_ONCE(in_nmi(), "talc: heap %s: called from NMI, refused\n",
			 heap->name);
}

/* ---- the region table, read without the lock (struct talc_rtab) ---- */

/*
 * A copy of @old with the region [@lo, @hi) at @phys added, or removed
 * (@add false; @hi and @phys unused).  Published with talc_rtab_publish()
 * in the hold of heap->lock that claims or releases the region, so the
 * table lists exactly the core's regions.
 */
static struct talc_rtab *talc_rtab_edit(const struct talc_rtab *old,
					unsigned long lo, unsigned long hi,
					phys_addr_t phys, bool add, gfp_t gfp)
{
	unsigned int n = old ? old->n : 0, i, j = 0;
	struct talc_rtab *rt;

	rt = kmalloc(struct_size(rt, r, n + add), gfp | __GFP_NOWARN);
	if (!rt)
		return NULL;
	for (i = 0; i < n; i++) {
		if (add && lo < old->r[i].lo && j == i) {
			rt->r[j].lo = lo;
			rt->r[j].hi = hi;
			rt->r[j++].phys = phys;
		}
		if (!add && old->r[i].lo == lo)
			continue;
		rt->r[j++] = old->r[i];
	}
	if (add && j == n) {
		rt->r[j].lo = lo;
		rt->r[j].hi = hi;
		rt->r[j++].phys = phys;
	}
	rt->n = j;
	return rt;
}

static struct talc_rtab *talc_rtab_get(struct talc_heap *heap)
{
	return rcu_dereference_protected(heap->rtab,
					 lockdep_is_held(&heap->grow_lock));
}

/* Install @rt; the caller kfree_rcu()s the table returned. */
static struct talc_rtab *talc_rtab_publish(struct talc_heap *heap,
					   struct talc_rtab *rt)
{
	struct talc_rtab *old = talc_rtab_get(heap);

	lockdep_assert_held(&heap->lock);
	rcu_assign_pointer(heap->rtab, rt);
	return old;
}

/*
 * The region of @rt holding @addr, or -1.  Under rcu_read_lock() or the
 * writers' locks.
 */
static int talc_rtab_find(const struct talc_rtab *rt, unsigned long addr)
{
	unsigned int lo = 0, hi, mid;

	if (unlikely(!rt))
		return -1;
	hi = rt->n;
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (addr < rt->r[mid].lo)
			hi = mid;
		else if (addr >= rt->r[mid].hi)
			lo = mid + 1;
		else
			return mid;
	}
	return -1;
}

/*
 * Is @ptr a live allocation of @heap, as far as can be told without its
 * lock?  Called under rcu_read_lock(): a region released after the table
 * was read is vfree()d only after a grace period (talc_heap_region_rcu()).
 */
static bool talc_heap_peek(struct talc_heap *heap, const void *ptr,
			   struct talc_block *b)
{
	const struct talc_rtab *rt = rcu_dereference(heap->rtab);
	int i = talc_rtab_find(rt, (unsigned long)ptr);

	return i >= 0 && talc_block_peek(&heap->core, ptr, rt->r[i].lo,
					 rt->r[i].hi, b);
}

/*
 * ---- kmemleak ----
 *
 * With CONFIG_DEBUG_KMEMLEAK a heap over vmalloc'd regions shows kmemleak
 * each allocation as an object of its own, as SLUB does with its objects,
 * so that a module that leaks talc memory is reported with the backtrace
 * of the allocation; the regions are not objects.  vmalloc() makes each
 * region one, which would hide every leak in it (its free chunks keep
 * stale pointers, all scanned) and would overlap the allocations' objects,
 * which kmemleak refuses (it turns itself off).  So:
 *  - a region is unregistered as soon as it is vmalloc'd, before any chunk
 *    of it is handed out (vfree() of an unregistered area is silent);
 *  - an allocation is registered (its requested bytes, min_count 1) once it
 *    is the caller's, after any zeroing;
 *  - a free unregisters the block once it validated and claimed it (the
 *    cache's mark set, or talc_free() done under the heap's lock), before
 *    any other allocation can take it: two objects never overlap;
 *  - an in-place realloc re-registers it with its new size;
 *  - a heap destroyed with live allocations (rmmod talc with a leaky user)
 *    unregisters them before its regions are vfree()d: kmemleak must never
 *    scan unmapped memory.
 * A heap over caller memory tracks nothing: the caller's buffer may be an
 * object of its own (kmalloc'd, vmalloc'd), and a chunk inside it would
 * overlap it.  Without kmemleak all of this compiles away (the
 * kmemleak_*() stubs are empty).
 */
static inline void talc_leak_alloc(struct talc_heap *heap, const void *p,
				   size_t size, gfp_t gfp)
{
	if (!heap->caller_mem)
		kmemleak_alloc(p, size, 1, gfp);
}

static inline void talc_leak_free(struct talc_heap *heap, const void *p)
{
	if (!heap->caller_mem)
		kmemleak_free(p);
}

static inline void talc_leak_resize(struct talc_heap *heap, const void *p,
				    size_t size, gfp_t gfp)
{
	talc_leak_free(heap, p);
	talc_leak_alloc(heap, p, size, gfp);
}

/* A region just vmalloc'd: not an object (see above). */
static inline void talc_leak_region(void *base)
{
	kmemleak_free(base);
}

static int talc_leak_forget(void *data, const struct talc_chunk_info *ci)
{
	if (ci->used)
		kmemleak_free((char *)ci->chunk + TALC_OVERHEAD);
	return 0;
}

/*
 * ---- caller-owned ranges ----
 *
 * A heap made by talc_heap_create_mem() lives in memory its caller owns
 * (on-chip SRAM, reserved or device memory mapped as normal memory): every
 * region of its core is such a range, listed in the region table
 * (heap->rtab) with its physical address.  Ranges are only added
 * (talc_heap_add_mem()): such a heap neither grows nor reclaims, and its
 * ranges go with the heap.  Readers (talc_heap_virt_to_phys(), debugfs)
 * use RCU.
 */

/*
 * A caller-owned range as talc_heap_create_mem() and talc_heap_add_mem()
 * take it: 8-byte aligned ends, TALC_MEM_MIN bytes or more, one core
 * region at most, no wrap of the virtual or the physical addresses.
 */
static bool talc_mem_args_ok(const void *virt, phys_addr_t phys, size_t size)
{
	unsigned long end;
	phys_addr_t pend;

	if (!virt || !IS_ALIGNED((unsigned long)virt, TALC_ALIGN) ||
	    !IS_ALIGNED(size, TALC_ALIGN) || size < TALC_MEM_MIN ||
	    size > TALC_HEAP_MAX_BYTES ||
	    check_add_overflow((unsigned long)virt, size, &end))
		return false;
	return phys == TALC_PHYS_NONE ||
	       (!check_add_overflow(phys, (phys_addr_t)size, &pend) &&
		pend != TALC_PHYS_NONE);
}

/* The caller-owned ranges of @heap and their bytes, for debugfs. */
static void talc_heap_mem_count(struct talc_heap *heap, unsigned int *n,
				size_t *bytes)
{
	const struct talc_rtab *rt;
	unsigned int i;

	*n = 0;
	*bytes = 0;
	if (!heap->caller_mem)
		return;
	rcu_read_lock();
	rt = rcu_dereference(heap->rtab);
	for (i = 0; rt && i < rt->n; i++)
		*bytes += rt->r[i].hi - rt->r[i].lo;
	*n = rt ? rt->n : 0;
	rcu_read_unlock();
}

/*
 * Is the region based at @base a caller-owned range?  Then *@phys is its
 * physical address (TALC_PHYS_NONE: none).  For debugfs NAME/regions.
 */
bool talc_heap_mem_region(struct talc_heap *heap, const void *base,
			  phys_addr_t *phys)
{
	const struct talc_rtab *rt;
	int i;

	if (!heap->caller_mem)
		return false;
	rcu_read_lock();
	rt = rcu_dereference(heap->rtab);
	i = talc_rtab_find(rt, (unsigned long)base);
	if (i >= 0)
		*phys = rt->r[i].phys;
	rcu_read_unlock();
	return i >= 0;
}

/*
 * ---- per-CPU caches ----
 *
 * Each heap has a cache per CPU (struct talc_pcp) of chunks that are
 * allocated as far as the core knows, in TALC_CACHE_CLASSES size classes.
 * An allocation of up to TALC_CACHE_MAX bytes takes the head of the first
 * class that fits, and a free of a chunk of up to TALC_CACHE_MAX usable
 * bytes pushes it on the largest class it fits, both under the CPU's
 * cache lock only (below).  The heap's lock is taken once per batch:
 *
 *  - an allocation from an empty class refills it with talc_cache_batch()
 *    chunks from the core;
 *  - a free into a class holding 2 * talc_cache_batch() chunks first gives
 *    talc_cache_batch() of them back (a drain).
 *
 * Between the two marks a CPU alternating allocations and frees never takes
 * the heap's lock.  All caches of a heap together hold at most cache_limit
 * bytes: each CPU its share, checked on every refill and free; a free that
 * would pass it first drains a batch of the class holding the most bytes
 * (unless the chunk is larger than the whole share).  A whole cache is
 * drained a class per hold of the cache lock: at most two batches each.
 *
 * The cache lock (talc_pcp_trylock()) is Linux 6.15's local_trylock_t in
 * 6.1 terms.  Without PREEMPT_RT it disables preemption, not interrupts,
 * and marks its CPU's cache busy; a caller that finds it busy (an
 * interrupt, or a softirq run on its exit, that came in while a task of
 * its CPU held it) leaves the cache alone and is served under the heap's
 * lock, a free as when the cache is full.  A task always gets it: only
 * a holder of its own CPU can hold it, and a holder is not preempted.  So
 * every context the API allows uses the caches, and the fast path costs
 * no interrupt save and restore (UML random actions 8-9 % faster at max
 * 200-3000, BENCHMARKS.md).  Lockdep sees a trylock: no caller's lock is
 * ordered before it, and the heap's lock after it.  On PREEMPT_RT, which
 * allows no hardirq caller, it is local_lock(), a per-CPU sleeping lock.
 *
 * A refill of a small class (up to TALC_CACHE_SMALL) is one run of adjacent
 * chunks (talc_malloc_bulk()), so that a CPU's small chunks border each
 * other rather than another CPU's (see talc_cache_refill()).
 *
 * A free is validated before anything is cached, without the heap's lock:
 * its region is looked up in the RCU-published region table and its header
 * checked by talc_block_peek() (interior, foreign and misaligned pointers
 * are rejected as by talc_free(), which then counts and reports them).  A
 * cached chunk keeps two words (its payload's first two, TALC_CACHE_LINK()
 * and TALC_CACHE_MARK()).  The second is a mark,
 * derived from a per-heap random secret, its address, its size and its
 * slack; the free sets it with cmpxchg, so a second free of the same chunk,
 * on any CPU and at any time while it is cached, finds the mark and is
 * counted as a double free and ignored.  The first links the class list,
 * XORed with the same per-chunk key (as SLUB's CONFIG_SLAB_FREELIST_HARDENED
 * stores its free pointers): an overflow that writes a pointer there
 * blindly decodes to garbage, not to its target.  An allocation clears
 * both words (talc_cache_pop()).  In a hardened heap a decoded link is
 * also checked, before anything is read through it, to lie inside the
 * heap's region span; a bad one leaks the class's chunks
 * (talc_cache_corrupt()).  This guards against blind overwrites, not
 * against a reader of freed memory, which can recover the key from a mark.
 * With poisoning on, the caches are drained and bypassed: every free chunk
 * is then a poisoned chunk of the core.
 *
 * Cached chunks count as free memory in the heap's statistics.  The caches
 * are drained before an allocation fails (this CPU's; every CPU's when the
 * caller may sleep) and before the heap grows, by reclaim, on destroy, when
 * a CPU goes offline (talc_cache_cpu_dead()), when the bound changes and
 * through debugfs.
 */

/* Usable bytes of each class. */
static const unsigned short talc_cache_size[TALC_CACHE_CLASSES] = {
	16, 32, 48, 64, 96, 128, 192, 256, 384, 512,
	768, 1024, 1536, 2048, 3072, 4096, 6144, 8192,
};

/*
 * Class of a request, by (size + 15) / 16: the first class that holds it;
 * class of a free chunk, by usable / 16: the last class it holds.
 */
static u8 talc_cache_req_class[TALC_CACHE_MAX / 16 + 1] __ro_after_init;
static u8 talc_cache_use_class[TALC_CACHE_MAX / 16 + 1] __ro_after_init;

static void __init talc_cache_init_classes(void)
{
	unsigned int i, k = 0;

	BUILD_BUG_ON(talc_cache_size[TALC_CACHE_CLASSES - 1] != TALC_CACHE_MAX);
	for (i = 0; i <= TALC_CACHE_MAX / 16; i++) {
		while (talc_cache_size[k] < i * 16)
			k++;
		talc_cache_req_class[i] = k;
	}
	for (i = 0, k = 0; i <= TALC_CACHE_MAX / 16; i++) {
		while (k + 1 < TALC_CACHE_CLASSES &&
		       talc_cache_size[k + 1] <= i * 16)
			k++;
		talc_cache_use_class[i] = k;
	}
}

/*
 * The class a chunk of @usable bytes is cached in, the one a free of it
 * computes: the last class it holds, or TALC_CACHE_CLASSES (none) above
 * TALC_CACHE_MAX.
 */
static __always_inline unsigned int talc_cache_class_of(size_t usable)
{
	return usable > TALC_CACHE_MAX ? TALC_CACHE_CLASSES :
					 talc_cache_use_class[usable / 16];
}

const char *const talc_cache_stat_names[TALC_CACHE_NR_STATS] = {
	[TALC_CACHE_HITS] = "hits",
	[TALC_CACHE_MISSES] = "misses",
	[TALC_CACHE_FREES] = "frees",
	[TALC_CACHE_REFILLS] = "refills",
	[TALC_CACHE_DRAINS] = "drains",
	[TALC_CACHE_DOUBLE_FREES] = "double_frees",
	[TALC_CACHE_CORRUPT] = "corrupt",
};

/*
 * Chunks moved per refill or drain: a batch of small chunks is cheap, a
 * batch of large ones holds memory.  A class holds at most two batches.
 */
#define TALC_CACHE_SMALL	1024
#define TALC_CACHE_BATCH_MAX	16

static __always_inline unsigned int talc_cache_batch(unsigned int k)
{
	return talc_cache_size[k] <= TALC_CACHE_SMALL ? TALC_CACHE_BATCH_MAX : 8;
}

/* The class holding the most bytes: where a drain makes the most room. */
static unsigned int talc_cache_fullest(const struct talc_pcp *pcp)
{
	unsigned int k, f = 0;

	for (k = 1; k < TALC_CACHE_CLASSES; k++)
		if (pcp->cls[k].bytes > pcp->cls[f].bytes)
			f = k;
	return f;
}

/* The heap's CPU hotplug state and the workqueue of the drain works. */
static enum cpuhp_state talc_cpuhp_state;
static struct workqueue_struct *talc_wq;

/*
 * Take this CPU's cache: see "per-CPU caches".  The busy mark is written
 * and read by this CPU only, in program order (barrier()): an interrupt
 * either sees it, or runs wholly before it is set or after it is cleared.
 * Return: the cache, or NULL if an interrupted holder on this CPU has it.
 */
static __always_inline struct talc_pcp *talc_pcp_trylock(struct talc_heap *heap)
{
	struct talc_pcp *pcp;

	if (IS_ENABLED(CONFIG_PREEMPT_RT)) {
		local_lock(&heap->pcp->lock);
		return this_cpu_ptr(heap->pcp);
	}
	preempt_disable();
	pcp = this_cpu_ptr(heap->pcp);
	if (unlikely(pcp->busy)) {
		preempt_enable();
		return NULL;
	}
	pcp->busy = true;
	barrier();
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	lock_map_acquire_try(&pcp->lock.dep_map);
#endif
	return pcp;
}

static __always_inline void talc_pcp_unlock(struct talc_heap *heap,
					    struct talc_pcp *pcp)
{
	if (IS_ENABLED(CONFIG_PREEMPT_RT)) {
		local_unlock(&heap->pcp->lock);
		return;
	}
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	lock_map_release(&pcp->lock.dep_map);
#endif
	barrier();
	pcp->busy = false;
	preempt_enable();
}

/*
 * The mark of a cached chunk at @p: the secret and the address, with the
 * chunk size (in words, 11 bits: up to TALC_CACHE_MAX + 8), the slack
 * (5 bits) and log2 of the alignment the core recorded for the chunk
 * (5 bits) in the low 21 bits: the size and slack for the exact
 * statistics, the alignment so that an aligned request takes a chunk only
 * if its header says so (a moving realloc keeps the header's alignment).
 */
#define TALC_MARK_BITS		21
#define TALC_MARK_SLACK_SHIFT	11
#define TALC_MARK_ALIGN_SHIFT	16

/*
 * The secret and the address, mixed so that the marks of two chunks a few
 * bytes or megabytes apart differ in their high bits too: a block copied
 * from a cached chunk (a caller's use after free) does not look cached.
 */
#define TALC_MARK_MUL		0x9e3779b97f4a7c15UL

static __always_inline unsigned long talc_cache_key(struct talc_heap *heap,
						    const void *p)
{
	return (heap->secret ^ (unsigned long)p) * TALC_MARK_MUL;
}

static __always_inline unsigned long talc_cache_mark(struct talc_heap *heap,
						     const void *p,
						     const struct talc_block *b)
{
	return talc_cache_key(heap, p) ^
	       ((b->usable + TALC_OVERHEAD) / TALC_ALIGN) ^
	       ((b->usable - b->requested) << TALC_MARK_SLACK_SHIFT) ^
	       ((unsigned long)ilog2(b->align) << TALC_MARK_ALIGN_SHIFT);
}

/* The alignment recorded in the mark of the cached chunk at @p. */
static __always_inline size_t talc_cache_align(struct talc_heap *heap,
					       void *p)
{
	return 1UL << ((TALC_CACHE_MARK(p) ^ talc_cache_key(heap, p)) >>
		       TALC_MARK_ALIGN_SHIFT & 31);
}

/* Does @w, the mark word of @p, mark a cached chunk? */
static __always_inline bool talc_cache_marked(struct talc_heap *heap,
					      const void *p, unsigned long w)
{
	return !((w ^ talc_cache_key(heap, p)) >> TALC_MARK_BITS);
}

/*
 * Push @p, a chunk of @csize bytes, on class @k.  Every cached chunk is in
 * talc_cache_class_of() its usable size: a second free of it, which reads
 * the chunk's header, finds it a cached size and looks for the mark, and
 * is not taken for a large chunk's free, which would give the core a chunk
 * a cache holds.
 */
static __always_inline void talc_cache_push(struct talc_heap *heap,
					    struct talc_pcp *pcp,
					    unsigned int k, void *p,
					    size_t csize, size_t req)
{
	struct talc_cache_class *cc = &pcp->cls[k];

	VM_WARN_ON_ONCE(talc_cache_class_of(csize - TALC_OVERHEAD) != k);
	TALC_CACHE_LINK(p) = (unsigned long)cc->head ^ talc_cache_key(heap, p);
	cc->head = p;
	cc->count++;
	cc->bytes += csize;
	cc->req += req;
	pcp->bytes += csize;
}

/*
 * The chunks a CPU's cache holds and the bytes the core counts as
 * requested for them: sums of its classes, read without its lock.
 */
static void talc_pcp_sum(struct talc_pcp *pcp, size_t *chunks, size_t *req)
{
	unsigned int k;

	for (k = 0; k < TALC_CACHE_CLASSES; k++) {
		*chunks += READ_ONCE(pcp->cls[k].count);
		*req += READ_ONCE(pcp->cls[k].req);
	}
}

/*
 * A cached chunk was overwritten (a write after free, or an overflow into
 * it): leave the class's chunks to leak, allocated as far as the core
 * knows, rather than follow a link that cannot be trusted.
 */
static noinline void talc_cache_corrupt(struct talc_heap *heap,
					struct talc_pcp *pcp, unsigned int k,
					const void *p, const char *what)
{
	struct talc_cache_class *cc = &pcp->cls[k];

	pcp->stat[TALC_CACHE_CORRUPT] += cc->count;
	pcp->bytes -= cc->bytes;
	memset(cc, 0, sizeof(*cc));
	if (!test_and_set_bit(TALC_EV_POISON, &heap->warned))
		WARN(1, "talc: heap %s: cached chunk overwritten after free (%s): %p\n",
		     heap->name, what, p);
	else
		pr_warn_ratelimited("heap %s: cached chunk overwritten after free (%s): %p\n",
				    heap->name, what, p);
}

/*
 * Hardened heaps: may the decoded cache link @n be followed?  It must lie
 * in the span of the heap's regions, read from the region table: the
 * caller holds this CPU's cache lock (preemption off, or on PREEMPT_RT a
 * spinlock_t, which holds rcu_read_lock()) or the heap's lock, so this is
 * an RCU read-side section.  Every cached chunk is in a region of the
 * table: it was allocated from one, and a region with an allocation is not
 * released.  O(1); nothing is read at @n.
 */
static __always_inline bool talc_cache_link_ok(struct talc_heap *heap,
					       const void *n)
{
	const struct talc_rtab *rt =
		rcu_dereference_check(heap->rtab, rcu_read_lock_sched_held());
	unsigned long a = (unsigned long)n;

	return a - rt->r[0].lo < rt->r[rt->n - 1].hi - rt->r[0].lo &&
	       IS_ALIGNED(a, TALC_ALIGN);
}

/*
 * Take the head of class @k, its usable bytes in *@usable and the bytes the
 * core counts as requested for it in *@reqp.  Return: the chunk, or NULL if
 * it was found overwritten.
 */
static __always_inline void *talc_cache_pop(struct talc_heap *heap,
					    struct talc_pcp *pcp,
					    unsigned int k, size_t *usable,
					    size_t *reqp)
{
	struct talc_cache_class *cc = &pcp->cls[k];
	void *p = cc->head, *next;
	unsigned long code;
	size_t csize, req;

	code = TALC_CACHE_MARK(p) ^ talc_cache_key(heap, p);
	csize = (code & (BIT(TALC_MARK_SLACK_SHIFT) - 1)) * TALC_ALIGN;
	if (unlikely(code >> TALC_MARK_BITS || csize - TALC_OVERHEAD <
		     talc_cache_size[k])) {
		talc_cache_corrupt(heap, pcp, k, p, "its mark");
		return NULL;
	}
	next = (void *)(TALC_CACHE_LINK(p) ^ talc_cache_key(heap, p));
	if (unlikely(heap->hardened) && next &&
	    unlikely(!talc_cache_link_ok(heap, next))) {
		talc_cache_corrupt(heap, pcp, k, p, "its link");
		return NULL;
	}
	req = csize - TALC_OVERHEAD -
	      (code >> TALC_MARK_SLACK_SHIFT & (BIT(5) - 1));
	cc->head = next;
	cc->count--;
	cc->bytes -= csize;
	cc->req -= req;
	pcp->bytes -= csize;
	/*
	 * Nothing a cache wrote stays in a chunk it hands out: the link
	 * would tell the block's new owner its key (KUnit
	 * talc_heap_cache_stale_link_test).
	 */
	TALC_CACHE_LINK(p) = 0;
	TALC_CACHE_MARK(p) = 0;
	*usable = csize - TALC_OVERHEAD;
	*reqp = req;
	return p;
}

/*
 * Give up to @n chunks of class @k back to the core, in one hold of the
 * heap's lock.  The caller owns @pcp: its CPU's cache lock, or the CPU is
 * dead.  Return: true if the heap now has enough free bytes for reclaim;
 * reclaim is then disarmed until its work runs, which the caller must
 * schedule (once it has dropped the cache lock).
 */
static bool talc_cache_drain_class(struct talc_heap *heap,
				   struct talc_pcp *pcp, unsigned int k,
				   unsigned int n)
{
	struct talc_cache_class *cc = &pcp->cls[k];
	struct talc_hold hold;
	size_t usable, req;
	bool reclaim;
	void *p;

	talc_heap_lock(heap, &hold);
	while (n-- && cc->head) {
		p = talc_cache_pop(heap, pcp, k, &usable, &req);
		if (!p)
			break;
		talc_free(&heap->core, p);
	}
	pcp->stat[TALC_CACHE_DRAINS]++;
	reclaim = talc_available_bytes(&heap->core) >= heap->reclaim_arm;
	if (reclaim)
		heap->reclaim_arm = SIZE_MAX;	/* until the work re-arms */
	talc_heap_unlock(heap, &hold);
	return reclaim;
}

/*
 * Fill empty class @k with up to a batch, within this CPU's share of the
 * bound, in one hold of the heap's lock.
 *
 * A small class's batch is one run of adjacent chunks where the core has
 * room for one (talc_malloc_bulk()).  Taken one by one, the chunks come
 * from the quick lists and bins first, which hold what every CPU drained:
 * the CPUs' small chunks came to border each other, and a free, which
 * reads the header above its chunk (talc_block_peek()), pulled in a cache
 * line that another CPU kept writing; with two vCPUs, 8-512 B blocks
 * scaled 1.3-1.6x instead of 1.9x in about half the runs (BENCHMARKS.md).
 * A larger class's chunks share a line only at their ends, and a run of
 * eight of them would take a hole of up to 64 KiB that a large request
 * needs (in-kernel heap efficiency 96.5 % -> 95.0 % with runs for every
 * class): they are taken one by one, reusing what was drained.
 * Return: chunks brought in.
 */
static unsigned int talc_cache_refill(struct talc_heap *heap,
				      struct talc_pcp *pcp, unsigned int k)
{
	size_t size = talc_cache_size[k], limit = READ_ONCE(heap->cache_cpu_limit);
	unsigned int n = talc_cache_batch(k), i, in, got;
	void *run[TALC_CACHE_BATCH_MAX];
	struct talc_block b;
	struct talc_hold hold;
	void *p;

	if (pcp->bytes >= limit)
		return 0;
	n = min_t(size_t, n, (limit - pcp->bytes) / (size + TALC_OVERHEAD));
	if (!n)
		return 0;
	talc_heap_lock_sampled(heap, &hold);
	got = talc_malloc_bulk(&heap->core, size, n, run,
			       size <= TALC_CACHE_SMALL);
	for (i = 0, in = 0; i < got; i++) {
		p = run[i];
		/* never seen: left alone, as the core already reported it */
		if (WARN_ON_ONCE(talc_block_info(&heap->core, p, &b))) {
			run[i] = NULL;
			break;
		}
		/*
		 * The core may hand out a larger chunk than asked for: one
		 * whose size is of another class, or of none, goes back
		 * (talc_cache_push()).
		 */
		if (talc_cache_class_of(b.usable) != k)
			continue;
		if (pcp->bytes + b.usable + TALC_OVERHEAD > limit)
			break;
		TALC_CACHE_MARK(p) = talc_cache_mark(heap, p, &b);
		talc_cache_push(heap, pcp, k, p, b.usable + TALC_OVERHEAD,
				b.requested);
		pcp->refilled_req += b.requested;
		pcp->refilled++;
		run[i] = NULL;
		in++;
	}
	if (in)
		pcp->stat[TALC_CACHE_REFILLS]++;
	/*
	 * What is not cached goes back at once.  It counts as refilled (and
	 * drained): no caller allocated it, so it stays out of the heap's
	 * total_allocation_count (talc_cache_adjust_stats()).  Past a chunk
	 * the WARN above left alone, all of the batch goes back.
	 */
	for (i = 0; i < got; i++) {
		if (!run[i])
			continue;
		talc_free(&heap->core, run[i]);
		pcp->refilled_req += size;
		pcp->refilled++;
	}
	talc_heap_unlock(heap, &hold);
	return in;
}

/* Allocate from this CPU's cache.  Return: NULL if it cannot serve. */
static void *talc_cache_alloc(struct talc_heap *heap, size_t size,
			      size_t align, size_t *usable)
{
	unsigned int k = talc_cache_req_class[(size + 15) / 16];
	struct talc_pcp *pcp;
	void *p = NULL;
	size_t req;

	pcp = talc_pcp_trylock(heap);
	if (unlikely(!pcp))
		return NULL;
	if (unlikely(!pcp->cls[k].head) && !talc_cache_refill(heap, pcp, k))
		goto miss;
	/* the core's header must say so: a moving realloc keeps it */
	if (unlikely(align > TALC_ALIGN &&
		     talc_cache_align(heap, pcp->cls[k].head) < align))
		goto miss;
	p = talc_cache_pop(heap, pcp, k, usable, &req);
	if (likely(p)) {
		pcp->stat[TALC_CACHE_HITS]++;
		pcp->hit_req += req;
		goto out;
	}
miss:
	pcp->stat[TALC_CACHE_MISSES]++;
out:
	talc_pcp_unlock(heap, pcp);
	return p;
}

static noinline void talc_cache_double_free(struct talc_heap *heap,
					    const void *ptr)
{
	atomic_long_inc(&heap->cache_bad_frees);
	trace_talc_bad_free(heap, ptr, TALC_EV_FREE_DOUBLE);
	if (!test_and_set_bit(TALC_EV_FREE_DOUBLE, &heap->warned))
		WARN(1, "talc: heap %s: chunk is already free (cached): %p\n",
		     heap->name, ptr);
	else
		pr_warn_ratelimited("heap %s: chunk is already free (cached): %p\n",
				    heap->name, ptr);
}

/*
 * Free into this CPU's cache.  Return: true if the cache took @ptr, or
 * caught it as a double free; false if the heap must free it (a pointer
 * talc_block_peek() rejects, a large chunk, a full share, a busy cache).
 * *@marked is true when @ptr still carries its mark, which the heap clears
 * in the hold that frees it (until then a second free finds it).
 */
static __always_inline bool talc_cache_free(struct talc_heap *heap, void *ptr,
					    bool *marked,
					    unsigned long caller)
{
	unsigned long w;
	size_t csize, limit;
	struct talc_block b;
	struct talc_pcp *pcp;
	unsigned int k;
	bool ok, reclaim = false;

	rcu_read_lock();
	ok = talc_heap_peek(heap, ptr, &b);
	rcu_read_unlock();
	if (!ok)
		return false;
	k = talc_cache_class_of(b.usable);
	if (k == TALC_CACHE_CLASSES)
		return false;
	csize = b.usable + TALC_OVERHEAD;
	/* Claim the chunk: a second free of it, anywhere, sees the mark. */
	w = READ_ONCE(TALC_CACHE_MARK(ptr));
	if (unlikely(talc_cache_marked(heap, ptr, w) ||
		     !try_cmpxchg(&TALC_CACHE_MARK(ptr), &w,
				  talc_cache_mark(heap, ptr, &b)))) {
		talc_cache_double_free(heap, ptr);
		return true;
	}
	talc_leak_free(heap, ptr);
	pcp = talc_pcp_trylock(heap);
	if (unlikely(!pcp)) {
		*marked = true;
		return false;
	}
	if (pcp->cls[k].count >= 2 * talc_cache_batch(k))
		reclaim = talc_cache_drain_class(heap, pcp, k,
						 talc_cache_batch(k));
	limit = READ_ONCE(heap->cache_cpu_limit);
	/* a chunk larger than the whole share goes to the heap: drain nothing */
	if (pcp->bytes + csize > limit && pcp->bytes && csize <= limit) {
		unsigned int f = talc_cache_fullest(pcp);

		reclaim |= talc_cache_drain_class(heap, pcp, f,
						  talc_cache_batch(f));
	}
	ok = pcp->bytes + csize <= limit;
	if (ok) {
		talc_cache_push(heap, pcp, k, ptr, csize, b.requested);
		pcp->stat[TALC_CACHE_FREES]++;
		/* before another allocation on this CPU can take it */
		trace_talc_free(heap, caller, ptr);
	}
	talc_pcp_unlock(heap, pcp);
	*marked = !ok;
	if (unlikely(reclaim))
		schedule_work(&heap->reclaim_work);
	return ok;
}

/*
 * Drain every class of the cache of @cpu, which is dead.  A class holds at
 * most two batches (a free drains one first), so each drain is one hold
 * of the heap's lock of at most 2 * TALC_CACHE_BATCH_MAX chunks.
 */
static void talc_cache_drain_dead(struct talc_heap *heap, unsigned int cpu)
{
	struct talc_pcp *pcp = per_cpu_ptr(heap->pcp, cpu);
	bool reclaim = false;
	unsigned int k;

	for (k = 0; k < TALC_CACHE_CLASSES; k++)
		if (pcp->cls[k].head)
			reclaim |= talc_cache_drain_class(heap, pcp, k, UINT_MAX);
	if (reclaim)
		schedule_work(&heap->reclaim_work);
}

/*
 * Drain this CPU's cache, a class per hold of the cache lock: interrupts
 * and preemption come in between.  With @only, only if this CPU's cache is
 * @only (a drain work that ran elsewhere leaves it to
 * talc_cache_cpu_dead()).  Any context the API allows; one that finds the
 * cache busy (an interrupt) leaves it.  Return: true if it held anything.
 */
static bool talc_cache_drain_this(struct talc_heap *heap,
				  struct talc_pcp *only)
{
	bool had = false, reclaim = false;
	unsigned int k;

	for (k = 0; k < TALC_CACHE_CLASSES; k++) {
		struct talc_pcp *pcp = talc_pcp_trylock(heap);

		if (!pcp)
			break;
		if (pcp->cls[k].head && (!only || pcp == only)) {
			had = true;
			reclaim |= talc_cache_drain_class(heap, pcp, k, UINT_MAX);
		}
		talc_pcp_unlock(heap, pcp);
	}
	/* a drain that armed reclaim disarmed it: the work re-arms it */
	if (reclaim)
		schedule_work(&heap->reclaim_work);
	return had;
}

/* The drain work of one CPU. */
static void talc_cache_drain_workfn(struct work_struct *work)
{
	struct talc_pcp *pcp = container_of(work, struct talc_pcp,
					    drain_work);

	talc_cache_drain_this(pcp->heap, pcp);
}

/* Bytes held by all caches of @heap, read without their locks. */
static size_t talc_cache_held(struct talc_heap *heap)
{
	size_t bytes = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		bytes += READ_ONCE(per_cpu_ptr(heap->pcp, cpu)->bytes);
	return bytes;
}

/* Queue the drain of other CPUs' caches that hold chunks.  Any context. */
static void talc_cache_kick(struct talc_heap *heap)
{
	int cpu, self = raw_smp_processor_id();

	for_each_online_cpu(cpu) {
		struct talc_pcp *pcp = per_cpu_ptr(heap->pcp, cpu);

		if (cpu != self && READ_ONCE(pcp->bytes))
			queue_work_on(cpu, talc_wq, &pcp->drain_work);
	}
}

/**
 * talc_heap_cache_drain - drain every CPU's cache of a heap and wait
 * @heap: the heap
 *
 * Each online CPU drains its own cache in a work item; an offline CPU's
 * cache was drained when it went down.  Not under cpus_read_lock(): a CPU
 * going down meanwhile is drained by talc_cache_cpu_dead().  Every CPU's
 * work is waited for, an offline one's too: one queued before its CPU
 * went down (talc_cache_kick()) runs elsewhere, and the heap's destroy,
 * which drains first, must not free the caches under it.
 *
 * Context: Process context; sleeps.  Not under the heap's locks.
 */
void talc_heap_cache_drain(struct talc_heap *heap)
{
	int cpu;

	might_sleep();
	for_each_online_cpu(cpu) {
		struct talc_pcp *pcp = per_cpu_ptr(heap->pcp, cpu);

		if (READ_ONCE(pcp->bytes))
			queue_work_on(cpu, talc_wq, &pcp->drain_work);
	}
	for_each_possible_cpu(cpu)
		flush_work(&per_cpu_ptr(heap->pcp, cpu)->drain_work);
}

/*
 * CPUHP_BP_PREPARE_DYN teardown: runs on a live CPU once @cpu is dead, so
 * nothing else touches its cache (a drain work that moved off it finds
 * it is not on its CPU and leaves the cache alone).
 */
static int talc_cache_cpu_dead(unsigned int cpu, struct hlist_node *node)
{
	struct talc_heap *heap = hlist_entry(node, struct talc_heap, cpuhp);

	talc_cache_drain_dead(heap, cpu);
	return 0;
}

/* One CPU's cache, read without its lock. */
void talc_heap_cache_info(struct talc_heap *heap, unsigned int cpu,
			  struct talc_cache_info *ci)
{
	struct talc_pcp *pcp = per_cpu_ptr(heap->pcp, cpu);
	size_t req = 0;
	unsigned int i;

	ci->chunks = 0;
	talc_pcp_sum(pcp, &ci->chunks, &req);
	ci->bytes = READ_ONCE(pcp->bytes);
	for (i = 0; i < TALC_CACHE_NR_STATS; i++)
		ci->stat[i] = READ_ONCE(pcp->stat[i]);
}

/*
 * Under the heap's lock: is @ptr (validated by the core) held by a cache?
 * Then it was freed: counted and reported as a double free.
 */
static bool talc_cache_holds(struct talc_heap *heap, const void *ptr)
{
	lockdep_assert_held(&heap->lock);
	if (likely(!talc_cache_marked(heap, ptr, READ_ONCE(TALC_CACHE_MARK(ptr)))))
		return false;
	talc_cache_double_free(heap, ptr);
	return true;
}

/* The fast paths' switch: caches on and poisoning off. */
static void talc_cache_update_limit(struct talc_heap *heap)
{
	lockdep_assert_held(&heap->lock);
	WRITE_ONCE(heap->cache_cpu_limit, heap->poison ? 0 :
		   heap->cache_limit / num_possible_cpus());
}

/**
 * talc_heap_set_cache() - bound a heap's per-CPU caches
 * @heap: the heap
 * @bytes: most bytes all CPUs' caches may hold together (each CPU an equal
 *	share); 0 turns the caches off, and the heap then serves every call
 *	under its lock
 *
 * The caches are drained, so a lower bound holds when this returns.
 *
 * Context: Process context; sleeps.
 * Return: 0, or -EINVAL if @heap is NULL or @bytes exceeds the heap's
 * max_size.
 */
int talc_heap_set_cache(struct talc_heap *heap, size_t bytes)
{
	struct talc_hold hold;
	int ret = -EINVAL;

	if (!heap)
		return -EINVAL;
	talc_heap_lock(heap, &hold);
	if (bytes <= heap->max_size) {
		heap->cache_limit = bytes;
		talc_cache_update_limit(heap);
		ret = 0;
	}
	talc_heap_unlock(heap, &hold);
	if (!ret)
		talc_heap_cache_drain(heap);
	return ret;
}
EXPORT_SYMBOL_GPL(talc_heap_set_cache);

/* ---- growth ---- */

static void *talc_core_alloc(struct talc_heap *heap, size_t size,
			     size_t align)
{
	lockdep_assert_held(&heap->lock);
	return align == TALC_ALIGN ? talc_malloc(&heap->core, size) :
				     talc_malloc_aligned(&heap->core, size, align);
}

/* Should this growth fail on purpose?  See struct talc_fault. */
static bool talc_heap_should_fail(struct talc_heap *heap)
{
	struct talc_fault *f = &heap->fault;

	lockdep_assert_held(&heap->lock);
	if (!f->probability || !f->times)
		return false;
	if (++f->calls % max(f->interval, 1U))
		return false;
	if (f->probability < 100 && get_random_u32_below(100) >= f->probability)
		return false;
	if (f->times > 0)
		f->times--;
	heap->stat[TALC_HEAP_INJECTED_FAULTS]++;
	return true;
}

/* Whole pages the heap may still claim under its max_size. */
static size_t talc_heap_room(struct talc_heap *heap)
{
	struct talc_stats st;

	lockdep_assert_held(&heap->lock);
	talc_get_stats(&heap->core, &st);
	if (heap->max_size <= st.claimed_bytes)
		return 0;
	return min(round_down(heap->max_size - st.claimed_bytes, PAGE_SIZE),
		   TALC_HEAP_MAX_BYTES);
}

/* Bytes of the region to add for a request needing @need, or 0: no room. */
static size_t talc_heap_grow_size(struct talc_heap *heap, size_t need)
{
	size_t want;

	/* a heap over caller memory has what it was given */
	if (!need || heap->caller_mem)
		return 0;
	want = min(max(PAGE_ALIGN(need), heap->grow_step),
		   talc_heap_room(heap));
	return want >= PAGE_ALIGN(need) ? want : 0;
}

/*
 * What adding a region to the core takes, prepared with the heap's lock
 * dropped (growth, talc_heap_add_mem()): the region table with the region
 * in it and, when the core's index is full (@index_bytes), a larger index;
 * and, once added, what they replaced.
 */
struct talc_region_add {
	struct talc_rtab *rt;
	void *index;
	size_t index_bytes;
	struct talc_rtab *old_rt;
	void *old_index;
};

/*
 * Give the core [@base, @base + @size): the larger index first, then the
 * claim, and the table published in the same hold, so that it lists
 * exactly the core's regions.  Only the holder of grow_lock adds, so the
 * index and the table are still as they were read.
 * Return: 0, or talc_claim()'s error (an overlap: -EINVAL).
 */
static int talc_heap_add_region(struct talc_heap *heap, void *base,
				size_t size, struct talc_region_add *ra)
{
	int ret;

	lockdep_assert_held(&heap->grow_lock);
	lockdep_assert_held(&heap->lock);
	if (ra->index_bytes) {
		ret = talc_set_index(&heap->core, ra->index, ra->index_bytes,
				     &ra->old_index);
		if (WARN_ON_ONCE(ret))
			return ret;
		heap->index = ra->index;
		ra->index = NULL;
	}
	ret = talc_claim(&heap->core, base, size);
	if (ret)
		return ret;
	ra->old_rt = talc_rtab_publish(heap, ra->rt);
	ra->rt = NULL;
	return 0;
}

/* With the lock dropped: what was not used, and what was replaced. */
static void talc_region_add_done(struct talc_region_add *ra)
{
	kfree_rcu(ra->old_rt, rcu);
	kfree(ra->rt);
	vfree(ra->index);
	vfree(ra->old_index);
}

/*
 * The allocation found no room and may sleep: wait for a grower in flight,
 * or grow the heap by one region, and allocate.  On success *@usable is
 * set for __GFP_ZERO.
 */
static void *talc_heap_grow(struct talc_heap *heap, size_t size, size_t align,
			    gfp_t gfp, size_t *usable)
{
	gfp_t vgfp = talc_vmalloc_gfp(gfp);
	struct talc_region_add ra = { };
	void *base = NULL;
	struct talc_hold hold;
	size_t want;
	bool waited = false, inject;
	void *p;

	if (!mutex_trylock(&heap->grow_lock)) {
		mutex_lock(&heap->grow_lock);
		waited = true;
	}
	talc_heap_lock(heap, &hold);
	heap->stat[TALC_HEAP_GROW_WAITS] += waited;
	/* The grower we waited for may have made room. */
	p = talc_core_alloc(heap, size, align);
	if (p)
		goto out;
	/* Before the heap grows, the caches give their chunks back. */
	if (talc_cache_held(heap)) {
		talc_heap_unlock(heap, &hold);
		talc_heap_cache_drain(heap);
		talc_heap_lock(heap, &hold);
		p = talc_core_alloc(heap, size, align);
		if (p)
			goto out;
	}
	want = talc_heap_grow_size(heap, talc_claim_size(size, align));
	if (!want)
		goto fail;
	ra.index_bytes = talc_index_bytes(&heap->core);
	heap->growing = want;
	inject = talc_heap_should_fail(heap);
	talc_heap_unlock(heap, &hold);

	if (heap->test_unlocked)
		heap->test_unlocked(heap, heap->test_data);
	if (!inject && talc_mem_available(gfp, want + ra.index_bytes)) {
		base = __vmalloc(want, vgfp);
		if (base)
			talc_leak_region(base);
		if (base && ra.index_bytes)
			ra.index = __vmalloc(ra.index_bytes, vgfp);
		/* grow_lock keeps the table as read here */
		if (base)
			ra.rt = talc_rtab_edit(talc_rtab_get(heap),
					       (unsigned long)base,
					       (unsigned long)base + want,
					       TALC_PHYS_NONE, true, vgfp);
	}

	talc_heap_lock(heap, &hold);
	heap->growing = 0;
	/* max_size may have been lowered while the lock was dropped */
	if (!base || !ra.rt || (ra.index_bytes && !ra.index) ||
	    talc_heap_room(heap) < want)
		goto fail_grow;
	if (WARN_ON_ONCE(talc_heap_add_region(heap, base, want, &ra)))
		goto fail_grow;
	trace_talc_grow(heap, base, want);
	base = NULL;
	heap->stat[TALC_HEAP_GROWS]++;
	heap->reclaim_arm = heap->reclaim_threshold + heap->grow_step;
	p = talc_core_alloc(heap, size, align);
	if (!WARN_ON_ONCE(!p))
		goto out;
fail_grow:
	heap->stat[TALC_HEAP_GROW_FAILS]++;
fail:
	heap->stat[TALC_HEAP_FAILURES]++;
out:
	if (p && (gfp & __GFP_ZERO))
		*usable = talc_usable_size(&heap->core, p);
	talc_heap_unlock(heap, &hold);
	mutex_unlock(&heap->grow_lock);
	talc_region_add_done(&ra);
	vfree(base);
	return p;
}

/* ---- reclaim ---- */

/*
 * Release idle regions other than the first, one per hold of the lock,
 * while the heap keeps reclaim_threshold free bytes plus the region's size
 * without it.  The caches are drained and the quick lists coalesced first,
 * so that every idle region shows.  Under grow_lock, which keeps the region
 * table as read: the table without the region is made before the hold that
 * releases it and installed in that hold.  The released regions are
 * vfree()d here, in process context, after one grace period for the whole
 * batch, when no free taken without the lock can be reading them (freed
 * from an RCU callback instead, their pages came back only once a deferred
 * vfree ran, and a heap created meanwhile found too little memory).
 */
#define TALC_RECLAIM_BATCH	32

static void talc_heap_reclaim_workfn(struct work_struct *work)
{
	struct talc_heap *heap = container_of(work, struct talc_heap,
					      reclaim_work);
	void *dead[TALC_RECLAIM_BATCH];
	struct talc_rtab *rt, *old;
	struct talc_region_info ri;
	unsigned int n = 0, i;
	struct talc_hold hold;
	bool flushed = false;
	size_t avail;

	/* caller-owned ranges are the caller's: never released */
	if (heap->caller_mem)
		return;
	mutex_lock(&heap->grow_lock);
	talc_heap_cache_drain(heap);
	while (n < TALC_RECLAIM_BATCH) {
		void *gone = NULL;

		talc_heap_lock(heap, &hold);
		if (!flushed) {
			talc_flush(&heap->core);
			flushed = true;
		}
		avail = talc_available_bytes(&heap->core);
		if (talc_idle_region(&heap->core, heap->first, &ri) ||
		    avail < ri.size ||
		    avail - ri.size < heap->reclaim_threshold + ri.size) {
			heap->reclaim_arm = avail + heap->grow_step;
			talc_heap_unlock(heap, &hold);
			break;
		}
		talc_heap_unlock(heap, &hold);
		rt = talc_rtab_edit(talc_rtab_get(heap), (unsigned long)ri.base,
				    0, TALC_PHYS_NONE, false, GFP_KERNEL);
		if (!rt)
			break;
		old = NULL;
		talc_heap_lock(heap, &hold);
		/* still idle?  Allocations ran while the lock was dropped. */
		if (!talc_release(&heap->core, ri.base)) {
			heap->stat[TALC_HEAP_RECLAIMS]++;
			trace_talc_reclaim(heap, ri.base, ri.size);
			old = talc_rtab_publish(heap, rt);
			gone = ri.base;
			rt = NULL;
		}
		talc_heap_unlock(heap, &hold);
		kfree(rt);
		kfree_rcu(old, rcu);
		if (!gone)
			break;
		dead[n++] = gone;
		cond_resched();
	}
	mutex_unlock(&heap->grow_lock);
	if (!n)
		return;
	synchronize_rcu();
	for (i = 0; i < n; i++)
		vfree(dead[i]);
	/* a full batch: there may be more */
	if (n == TALC_RECLAIM_BATCH)
		schedule_work(&heap->reclaim_work);
}

/* ---- allocation API ---- */

/*
 * The memory-init policy (struct talc_heap.init_on_alloc, .init_on_free):
 * TALC_INIT_KERNEL follows the kernel's init_on_alloc= and init_on_free=
 * as SLUB does (want_init_on_alloc(), want_init_on_free()); TALC_INIT_ON
 * and TALC_INIT_OFF override them for one heap.  __GFP_ZERO zeroes always.
 */
static __always_inline bool talc_heap_init_alloc(struct talc_heap *heap,
						 gfp_t gfp)
{
	switch (READ_ONCE(heap->init_on_alloc)) {
	case TALC_INIT_KERNEL:
		return want_init_on_alloc(gfp);
	case TALC_INIT_ON:
		return true;
	default:
		return gfp & __GFP_ZERO;
	}
}

static __always_inline bool talc_heap_init_free(struct talc_heap *heap)
{
	switch (READ_ONCE(heap->init_on_free)) {
	case TALC_INIT_KERNEL:
		return want_init_on_free();
	case TALC_INIT_ON:
		return true;
	default:
		return false;
	}
}

/*
 * init_on_free: zero a block being freed, outside the heap's lock, once it
 * validates as a live allocation (talc_block_peek(); a bad pointer is left
 * alone, for the free to report) and is not held by a cache (a double
 * free must find the mark).  A cache then writes its two words into it.
 */
static noinline void talc_heap_wipe(struct talc_heap *heap, void *ptr)
{
	struct talc_block b;
	bool ok;

	rcu_read_lock();
	ok = talc_heap_peek(heap, ptr, &b);
	rcu_read_unlock();
	if (!ok)
		return;
	if (!talc_cache_marked(heap, ptr, READ_ONCE(TALC_CACHE_MARK(ptr))))
		memset(ptr, 0, b.usable);
}

/*
 * kmalloc's guarantee, for heaps with natural_align: a power-of-two size up
 * to PAGE_SIZE is aligned to its size.  Return: that alignment, or 0.
 */
static size_t talc_heap_natural(struct talc_heap *heap, size_t size)
{
	if (!READ_ONCE(heap->natural_align) || size > PAGE_SIZE ||
	    !is_power_of_2(size))
		return 0;
	return size;
}

/*
 * talc_alloc for an allocation the core served: its usable size is only
 * known already for __GFP_ZERO.  Called with the event enabled only.
 */
static noinline void talc_heap_trace_alloc(struct talc_heap *heap, void *p,
					   size_t size, size_t usable,
					   size_t align, gfp_t gfp,
					   unsigned long caller)
{
	struct talc_hold hold;

	if (!usable) {
		talc_heap_lock_timed(heap, &hold, false);
		usable = talc_usable_size(&heap->core, p);
		talc_heap_unlock(heap, &hold);
	}
	trace_talc_alloc(heap, caller, p, size, usable, align, gfp, false);
}

/*
 * Every allocation of the API, @caller its call site for the tracepoints
 * (_RET_IP_ of the exported function).
 */
/*
 * The core's allocation in one hold of the heap's lock, with the usable
 * size for __GFP_ZERO.
 */
static void *talc_heap_locked_alloc(struct talc_heap *heap, size_t size,
				    size_t align, gfp_t gfp, size_t *usable)
{
	struct talc_hold hold;
	void *p;

	talc_heap_lock_sampled(heap, &hold);
	p = talc_core_alloc(heap, size, align);
	if (p && (gfp & __GFP_ZERO))
		*usable = talc_usable_size(&heap->core, p);
	talc_heap_unlock(heap, &hold);
	return p;
}

static void *talc_heap_do_alloc(struct talc_heap *heap, size_t size,
				size_t align, gfp_t gfp, unsigned long caller)
{
	struct talc_hold hold;
	size_t usable = 0;
	bool cached;
	void *p;

	if (!heap || talc_heap_in_nmi(heap))
		return NULL;
	if (unlikely(!size))
		return ZERO_SIZE_PTR;
	if (unlikely(gfp & TALC_GFP_REJECT))
		return talc_heap_reject_gfp(heap, size, align, gfp, caller);
	might_alloc(gfp);
	if (talc_heap_init_alloc(heap, gfp))
		gfp |= __GFP_ZERO;
	align = max(align, talc_heap_natural(heap, size));
	cached = size <= TALC_CACHE_MAX && align <= TALC_CACHE_ALIGN_MAX &&
		 is_power_of_2(align) && READ_ONCE(heap->cache_cpu_limit);
	if (cached) {
		p = talc_cache_alloc(heap, size, align, &usable);
		if (likely(p)) {
			trace_talc_alloc(heap, caller, p, size, usable, align,
					 gfp, true);
			goto out;
		}
	}
	p = talc_heap_locked_alloc(heap, size, align, gfp, &usable);
	if (p)
		goto traced;
	/* Before an allocation fails or grows the heap: this CPU's cache. */
	if (talc_cache_drain_this(heap, NULL)) {
		p = talc_heap_locked_alloc(heap, size, align, gfp, &usable);
		if (p)
			goto traced;
	}
	if (gfpflags_allow_blocking(gfp)) {
		/* the other CPUs' caches are drained by talc_heap_grow() */
		p = talc_heap_grow(heap, size, align, gfp, &usable);
	} else {
		/* they cannot be waited for here: for the next allocation */
		talc_cache_kick(heap);
		talc_heap_lock(heap, &hold);
		heap->stat[TALC_HEAP_FAILURES]++;
		talc_heap_unlock(heap, &hold);
	}
	if (!p) {
		trace_talc_alloc_fail(heap, caller, size, align, gfp);
		return NULL;
	}
traced:
	if (trace_talc_alloc_enabled())
		talc_heap_trace_alloc(heap, p, size, usable, align, gfp, caller);
out:
	if ((gfp & __GFP_ZERO) && usable)
		memset(p, 0, usable);
	talc_leak_alloc(heap, p, size, gfp);
	return p;
}

/**
 * talc_heap_alloc() - allocate memory from a heap
 * @heap: the heap
 * @size: bytes wanted
 * @gfp: allocation flags.  With flags that allow blocking (GFP_KERNEL,
 *	GFP_NOFS, GFP_NOIO) a full heap grows by a vmalloc'd region, up to
 *	its max_size, and a caller may wait for another caller's growth;
 *	with GFP_ATOMIC or GFP_NOWAIT it never grows nor waits.
 *	__GFP_ZERO zeroes the whole usable size.  __GFP_NORETRY and
 *	__GFP_RETRY_MAYFAIL grow only into memory that is available (no OOM
 *	killer).  __GFP_NOFAIL and the zone modifiers (__GFP_DMA,
 *	__GFP_DMA32, __GFP_HIGHMEM) cannot be honoured by a bounded heap of
 *	vmalloc'd memory: such a call WARNs once per heap and returns NULL.
 *	Other modifiers (accounting, placement hints) have no effect.
 *
 * The memory is 8-byte aligned.
 *
 * Context: Any context but NMI with GFP_ATOMIC or GFP_NOWAIT; process
 * context (may sleep) with flags that allow blocking.  On PREEMPT_RT, not
 * with interrupts or preemption disabled nor from hardirq context.  From
 * NMI it WARNs and returns NULL (the heap's lock might be held already).
 * Return: the memory, ZERO_SIZE_PTR if @size is 0, or NULL on failure.
 */
void *talc_heap_alloc(struct talc_heap *heap, size_t size, gfp_t gfp)
{
	return talc_heap_do_alloc(heap, size, TALC_ALIGN, gfp, _RET_IP_);
}
EXPORT_SYMBOL_GPL(talc_heap_alloc);

/**
 * talc_heap_alloc_aligned() - allocate aligned memory from a heap
 * @heap: the heap
 * @size: bytes wanted
 * @align: alignment, a power of two up to TALC_MAX_ALIGN
 * @gfp: allocation flags, as for talc_heap_alloc()
 *
 * A later talc_heap_realloc() that moves the block keeps the alignment.
 *
 * Context: As talc_heap_alloc().
 * Return: the memory aligned to @align, ZERO_SIZE_PTR if @size is 0, or
 * NULL on failure (also when @align is not a power of two or too large).
 */
void *talc_heap_alloc_aligned(struct talc_heap *heap, size_t size,
			      size_t align, gfp_t gfp)
{
	return talc_heap_do_alloc(heap, size, align, gfp, _RET_IP_);
}
EXPORT_SYMBOL_GPL(talc_heap_alloc_aligned);

/*
 * Every free of the API, @caller its call site for the tracepoints.
 * Inlined, with talc_cache_free(), into talc_heap_free() and
 * talc_heap_realloc(): a free from a cache stays one function, without a
 * tail call or a second frame (objdump: the path of a free into a cache is
 * 4 instructions longer than without call_site and the tracepoints, 8 with
 * this a function of its own).
 */
static __always_inline void talc_heap_do_free(struct talc_heap *heap,
					      void *ptr, unsigned long caller)
{
	bool marked = false;
	struct talc_hold hold;
	bool reclaim;
	int ret;

	if (!heap || ZERO_OR_NULL_PTR(ptr) || talc_heap_in_nmi(heap))
		return;
	if (talc_heap_init_free(heap))
		talc_heap_wipe(heap, ptr);
	if (READ_ONCE(heap->cache_cpu_limit) &&
	    talc_cache_free(heap, ptr, &marked, caller))
		return;
	talc_heap_lock_sampled(heap, &hold);
	if (marked)
		WRITE_ONCE(TALC_CACHE_MARK(ptr), 0);
	ret = talc_free(&heap->core, ptr);
	/* under the lock: before another allocation can take @ptr */
	if (!ret && !marked)
		talc_leak_free(heap, ptr);
	if (trace_talc_free_enabled() && !ret)
		trace_talc_free(heap, caller, ptr);
	reclaim = talc_available_bytes(&heap->core) >= heap->reclaim_arm;
	if (reclaim)
		heap->reclaim_arm = SIZE_MAX;	/* until the work re-arms */
	talc_heap_unlock(heap, &hold);
	if (unlikely(reclaim))
		schedule_work(&heap->reclaim_work);
}

/**
 * talc_heap_free() - give memory back to its heap
 * @heap: the heap the memory came from
 * @ptr: the memory; NULL and ZERO_SIZE_PTR are ignored
 *
 * A pointer that is not a live allocation of @heap (misaligned, outside
 * the heap, interior, already freed) is counted in the heap's bad_frees,
 * reported with one WARN per heap and kind of error, and otherwise
 * ignored: the heap stays consistent.  May schedule the release of idle
 * regions (see reclaim_threshold), which happens in a work item.
 *
 * Context: Any context but NMI (from NMI it WARNs and leaks @ptr).  On
 * PREEMPT_RT, not with interrupts or preemption disabled nor from hardirq
 * context.
 * Return: nothing; a bad pointer shows in the heap's bad_frees counter.
 */
void talc_heap_free(struct talc_heap *heap, void *ptr)
{
	talc_heap_do_free(heap, ptr, _RET_IP_);
}
EXPORT_SYMBOL_GPL(talc_heap_free);

/*
 * realloc of a block of the caches' sizes, without the heap's lock, much
 * as krealloc() does with kmalloc's classes: a block that holds @size
 * without wasting half of itself (and has natural_align's alignment for
 * it, @nalign) stays; otherwise it moves (allocated from a cache, then the
 * old one freed into it).
 * Return: 1 if @ptr now holds @size; -ENOSPC if it must move (*@old
 * filled); -EINVAL for a chunk a cache holds (a freed block: counted and
 * reported as a double free); 0 if the heap must decide.
 */
static int talc_cache_realloc(struct talc_heap *heap, void *ptr, size_t size,
			      size_t nalign, gfp_t gfp, struct talc_block *old)
{
	bool ok;

	rcu_read_lock();
	ok = talc_heap_peek(heap, ptr, old);
	rcu_read_unlock();
	if (!ok || old->usable > TALC_CACHE_MAX)
		return 0;
	if (unlikely(talc_cache_marked(heap, ptr, READ_ONCE(TALC_CACHE_MARK(ptr))))) {
		talc_cache_double_free(heap, ptr);
		return -EINVAL;
	}
	/* moves to a smaller class too, when it would waste half the block */
	if (size > old->usable || size <= old->usable / 2 ||
	    (nalign && !IS_ALIGNED((unsigned long)ptr, nalign)))
		return -ENOSPC;
	if (gfp & __GFP_ZERO)
		memset((char *)ptr + size, 0, old->usable - size);
	return 1;
}

/**
 * talc_heap_realloc() - resize memory
 * @heap: the heap the memory came from
 * @ptr: the memory, or NULL (or ZERO_SIZE_PTR) to allocate
 * @size: new size in bytes; 0 frees @ptr
 * @gfp: allocation flags, as for talc_heap_alloc(); with __GFP_ZERO the
 *	bytes past the old usable size (or past @size when shrinking) are
 *	zeroed
 *
 * krealloc() semantics: the block is resized in place when possible, else
 * moved (keeping its alignment) with its contents copied up to the smaller
 * of the old and new size.  With the per-CPU caches on, a block of up to
 * TALC_CACHE_MAX bytes is handled much as krealloc() handles kmalloc's
 * classes: it stays while it holds @size without wasting half of itself,
 * and moves when it does not.  The copy runs outside the heap's lock, and the
 * old block is validated again when it is freed: a concurrent free of
 * @ptr (a caller's bug) shows as a bad free.  A bad @ptr is counted and
 * reported as by talc_heap_free().
 *
 * Context: As talc_heap_alloc().
 * Return: the resized memory; ZERO_SIZE_PTR after freeing @ptr when @size
 * is 0; NULL on failure, in which case @ptr is untouched and still valid.
 */
void *talc_heap_realloc(struct talc_heap *heap, void *ptr, size_t size,
			gfp_t gfp)
{
	struct talc_block old = { };
	size_t keep, nalign, usable = 0;
	struct talc_hold hold;
	void *p;
	int ret;

	if (ZERO_OR_NULL_PTR(ptr))
		return talc_heap_do_alloc(heap, size, TALC_ALIGN, gfp, _RET_IP_);
	if (!heap || talc_heap_in_nmi(heap))
		return NULL;
	if (!size) {
		talc_heap_do_free(heap, ptr, _RET_IP_);
		return ZERO_SIZE_PTR;
	}
	if (unlikely(gfp & TALC_GFP_REJECT))
		return talc_heap_reject_gfp(heap, size, TALC_ALIGN, gfp,
					    _RET_IP_);
	might_alloc(gfp);
	if (talc_heap_init_alloc(heap, gfp))
		gfp |= __GFP_ZERO;
	nalign = talc_heap_natural(heap, size);
	if (READ_ONCE(heap->cache_cpu_limit)) {
		ret = talc_cache_realloc(heap, ptr, size, nalign, gfp, &old);
		if (ret > 0) {
			talc_leak_resize(heap, ptr, size, gfp);
			return ptr;
		}
		if (ret == -EINVAL)
			return NULL;
		if (ret == -ENOSPC)
			goto move;
	}
	talc_heap_lock_sampled(heap, &hold);
	/*
	 * A chunk held by a cache was freed: a bad pointer, as a free chunk.
	 * With the caches off, none is held once talc_heap_set_cache() drained
	 * them.
	 */
	ret = 0;
	if (heap->cache_limit) {
		ret = talc_block_info(&heap->core, ptr, &old);
		if (!ret && talc_cache_holds(heap, ptr))
			ret = -EINVAL;
	}
	/* in place only where natural_align's alignment already holds */
	if (!ret && nalign && !IS_ALIGNED((unsigned long)ptr, nalign))
		ret = talc_block_info(&heap->core, ptr, &old) ?: -ENOSPC;
	else if (!ret)
		ret = talc_resize(&heap->core, ptr, size, &old);
	if (!ret && (gfp & __GFP_ZERO))
		usable = talc_usable_size(&heap->core, ptr);
	if (ret == -ENOMEM)
		heap->stat[TALC_HEAP_FAILURES]++;
	talc_heap_unlock(heap, &hold);
	if (ret == -ENOMEM)
		trace_talc_alloc_fail(heap, _RET_IP_, size, old.align, gfp);
	keep = min(old.usable, size);
	if (!ret) {
		if (usable > keep)
			memset((char *)ptr + keep, 0, usable - keep);
		talc_leak_resize(heap, ptr, size, gfp);
		return ptr;
	}
	if (ret != -ENOSPC)
		return NULL;
move:
	keep = min(old.usable, size);
	p = talc_heap_do_alloc(heap, size, old.align, gfp & ~__GFP_ZERO, _RET_IP_);
	if (!p)
		return NULL;
	memcpy(p, ptr, keep);
	if (gfp & __GFP_ZERO) {
		usable = talc_heap_usable_size(heap, p);
		if (usable > keep)
			memset((char *)p + keep, 0, usable - keep);
	}
	talc_heap_do_free(heap, ptr, _RET_IP_);
	return p;
}
EXPORT_SYMBOL_GPL(talc_heap_realloc);

/**
 * talc_heap_usable_size() - usable size of an allocation
 * @heap: the heap the memory came from
 * @ptr: the memory
 *
 * @ptr is validated as by talc_heap_free(); a bad pointer is counted and
 * reported the same way.
 *
 * Context: As talc_heap_free().
 * Return: the bytes usable at @ptr (at least the size requested), or 0 if
 * @ptr is NULL, ZERO_SIZE_PTR or not a live allocation of @heap.
 */
size_t talc_heap_usable_size(struct talc_heap *heap, const void *ptr)
{
	struct talc_hold hold;
	size_t n;

	if (!heap || ZERO_OR_NULL_PTR(ptr) || talc_heap_in_nmi(heap))
		return 0;
	talc_heap_lock_sampled(heap, &hold);
	n = talc_usable_size(&heap->core, ptr);
	if (n && talc_cache_holds(heap, ptr))
		n = 0;
	talc_heap_unlock(heap, &hold);
	return n;
}
EXPORT_SYMBOL_GPL(talc_heap_usable_size);

/*
 * Chunks held by the caches are free memory to the heap's user: move them
 * from the core's allocated side to the free side.  Under the heap's lock,
 * which every refill and drain holds: the sums of chunks, bytes and refills
 * match the core's counters; a CPU's own hits and frees between two reads
 * are the user's allocations and frees, as they happen.
 */
static void talc_cache_adjust_stats(struct talc_heap *heap,
				    struct talc_stats *st)
{
	size_t chunks = 0, bytes = 0, req = 0;
	u64 dbl = 0, in = 0, in_req = 0, hits = 0, hit_req = 0;
	int cpu;

	lockdep_assert_held(&heap->lock);
	for_each_possible_cpu(cpu) {
		struct talc_pcp *pcp = per_cpu_ptr(heap->pcp, cpu);

		talc_pcp_sum(pcp, &chunks, &req);
		bytes += READ_ONCE(pcp->bytes);
		dbl += READ_ONCE(pcp->stat[TALC_CACHE_DOUBLE_FREES]);
		in += READ_ONCE(pcp->refilled);
		in_req += READ_ONCE(pcp->refilled_req);
		hits += READ_ONCE(pcp->stat[TALC_CACHE_HITS]);
		hit_req += READ_ONCE(pcp->hit_req);
	}
	st->bad_frees += dbl + atomic_long_read(&heap->cache_bad_frees);
	st->total_allocation_count += hits - in;
	st->total_allocated_bytes += hit_req - in_req;
	st->allocation_count -= chunks;
	st->allocated_bytes -= req;
	st->available_bytes += bytes;
	st->fragment_count += chunks;
	st->overhead_bytes = st->claimed_bytes - st->available_bytes -
			     st->allocated_bytes;
}

/**
 * talc_heap_stats() - read a heap's counters
 * @heap: the heap
 * @st: filled with a consistent snapshot (see struct talc_stats);
 *	failed_allocations counts the heap API's NULL returns
 *
 * Context: As talc_heap_free().  Bounded time under the heap's lock.
 * Return: 0, or -EINVAL if @heap or @st is NULL.
 */
int talc_heap_stats(struct talc_heap *heap, struct talc_stats *st)
{
	struct talc_hold hold;

	if (!heap || !st || talc_heap_in_nmi(heap))
		return -EINVAL;
	talc_heap_lock(heap, &hold);
	talc_get_stats(&heap->core, st);
	st->failed_allocations = heap->stat[TALC_HEAP_FAILURES];
	talc_cache_adjust_stats(heap, st);
	talc_heap_unlock(heap, &hold);
	return 0;
}
EXPORT_SYMBOL_GPL(talc_heap_stats);

/**
 * talc_heap_name() - the name of a heap
 * @heap: the heap
 *
 * Context: Any context.
 * Return: the NUL-terminated name, valid as long as the heap.
 */
const char *talc_heap_name(const struct talc_heap *heap)
{
	return heap->name;
}
EXPORT_SYMBOL_GPL(talc_heap_name);

/**
 * talc_heap_set_init() - a heap's memory-init policy
 * @heap: the heap
 * @on_alloc: TALC_INIT_KERNEL (the default): zero allocations when the
 *	kernel's init_on_alloc is on, as kmalloc() does; TALC_INIT_ON: always;
 *	TALC_INIT_OFF: never (but for __GFP_ZERO)
 * @on_free: the same for zeroing memory when it is freed (init_on_free)
 *
 * Debian's kernels turn init_on_alloc on by default: with TALC_INIT_KERNEL
 * a driver moving from kmalloc() to a heap keeps that protection.  Also the
 * debugfs tunables init_on_alloc and init_on_free.
 *
 * Context: Any context but NMI.
 * Return: 0, or -EINVAL if @heap is NULL or a policy is not one of enum
 * talc_init.
 */
int talc_heap_set_init(struct talc_heap *heap, enum talc_init on_alloc,
		       enum talc_init on_free)
{
	if (!heap || on_alloc > TALC_INIT_KERNEL || on_free > TALC_INIT_KERNEL)
		return -EINVAL;
	WRITE_ONCE(heap->init_on_alloc, on_alloc);
	WRITE_ONCE(heap->init_on_free, on_free);
	return 0;
}
EXPORT_SYMBOL_GPL(talc_heap_set_init);

/**
 * talc_heap_set_natural_align() - kmalloc's alignment for a heap
 * @heap: the heap
 * @on: true: from now on a power-of-two size up to PAGE_SIZE is aligned to
 *	its size, as kmalloc() guarantees (also by talc_heap_realloc(), which
 *	moves a block whose place does not have that alignment)
 *
 * Off by default: it costs density (an aligned cut leaves gaps).  Also an
 * option of heaps= and of debugfs control, and a debugfs tunable.
 *
 * Context: Any context but NMI.
 * Return: 0, or -EINVAL if @heap is NULL.
 */
int talc_heap_set_natural_align(struct talc_heap *heap, bool on)
{
	if (!heap)
		return -EINVAL;
	WRITE_ONCE(heap->natural_align, on);
	return 0;
}
EXPORT_SYMBOL_GPL(talc_heap_set_natural_align);

/* ---- for debugfs and the tests (talc_internal.h) ---- */

/*
 * The consistency check, in steps of TALC_WALK_BUDGET chunks with the lock
 * dropped between them.  Return: 0, or -EUCLEAN with the first problem in
 * @msg.  Process context.
 */
int talc_heap_check(struct talc_heap *heap, char *msg, size_t len)
{
	struct talc_hold hold;
	int ret;

	mutex_lock(&heap->walk_lock);
	talc_heap_lock(heap, &hold);
	talc_walk_start(&heap->core);
	talc_heap_unlock(heap, &hold);
	do {
		talc_heap_lock(heap, &hold);
		heap->capture = true;
		heap->check_msg[0] = '\0';
		ret = talc_check_step(&heap->core, TALC_WALK_BUDGET);
		heap->capture = false;
		if (ret < 0) {
			if (heap->check_msg[0])
				strscpy(msg, heap->check_msg, len);
			else
				snprintf(msg, len, "check failed (%d)", ret);
		}
		talc_heap_unlock(heap, &hold);
		cond_resched();
	} while (ret > 0);
	mutex_unlock(&heap->walk_lock);
	return ret;
}

void talc_heap_get_info(struct talc_heap *heap, struct talc_heap_info *info)
{
	struct talc_hold hold;
	unsigned int i;
	int cpu;

	talc_heap_lock(heap, &hold);
	info->size = heap->size;
	info->max_size = heap->max_size;
	info->grow_step = heap->grow_step;
	info->reclaim_threshold = heap->reclaim_threshold;
	info->quick_depth = heap->quick_depth;
	info->poison = heap->poison;
	info->natural_align = heap->natural_align;
	info->hardened = heap->hardened;
	info->owned = heap->owned;
	info->growing = heap->growing;
	info->max_hold_ns = heap->max_hold_ns;
	info->max_hold_site = heap->max_hold_site;
	memcpy(info->stat, heap->stat, sizeof(info->stat));
	info->cache_limit = heap->cache_limit;
	info->init_on_alloc = heap->init_on_alloc;
	info->init_on_free = heap->init_on_free;
	talc_heap_unlock(heap, &hold);
	talc_heap_mem_count(heap, &info->mem_ranges, &info->mem_bytes);
	info->refs = refcount_read(&heap->refs);
	memset(&info->cache, 0, sizeof(info->cache));
	for_each_possible_cpu(cpu) {
		struct talc_cache_info ci;

		talc_heap_cache_info(heap, cpu, &ci);
		info->cache.chunks += ci.chunks;
		info->cache.bytes += ci.bytes;
		for (i = 0; i < TALC_CACHE_NR_STATS; i++)
			info->cache.stat[i] += ci.stat[i];
	}
}

void talc_heap_reset_max_hold(struct talc_heap *heap)
{
	struct talc_hold hold;

	talc_heap_lock(heap, &hold);
	heap->max_hold_ns = 0;
	heap->max_hold_site = 0;
	hold.start = ktime_get_mono_fast_ns();	/* this hold itself does not count */
	talc_heap_unlock(heap, &hold);
}

/* Count one bin, looking at TALC_WALK_BUDGET chunks at most. */
bool talc_heap_bin_stats(struct talc_heap *heap, unsigned int bin,
			 size_t *chunks, size_t *bytes)
{
	struct talc_hold hold;
	bool all;

	talc_heap_lock(heap, &hold);
	all = talc_bin_stats(&heap->core, bin, chunks, bytes,
			     TALC_WALK_BUDGET);
	talc_heap_unlock(heap, &hold);
	return all;
}

/*
 * Up to @n regions above the one based at @after (NULL: from the first),
 * in one hold of the lock.  Return: how many were filled in.
 */
int talc_heap_regions(struct talc_heap *heap, const void *after,
		      struct talc_region_info *ri, unsigned int n)
{
	struct talc_hold hold;
	unsigned int i;

	talc_heap_lock(heap, &hold);
	for (i = 0; i < n; i++) {
		if (talc_region_next(&heap->core, after, &ri[i]))
			break;
		after = ri[i].base;
	}
	talc_heap_unlock(heap, &hold);
	return i;
}

/* Run the reclaim work now and wait for it.  Process context. */
void talc_heap_flush_reclaim(struct talc_heap *heap)
{
	schedule_work(&heap->reclaim_work);
	flush_work(&heap->reclaim_work);
}

/* From the first region's size up to TALC_HEAP_MAX_BYTES. */
int talc_heap_set_max_size(struct talc_heap *heap, size_t max_size)
{
	struct talc_hold hold;
	int ret = -EINVAL;

	talc_heap_lock(heap, &hold);
	if (!heap->caller_mem &&
	    max_size >= heap->size && max_size <= TALC_HEAP_MAX_BYTES &&
	    max_size >= heap->grow_step) {
		heap->max_size = max_size;
		ret = 0;
	}
	talc_heap_unlock(heap, &hold);
	return ret;
}

/* From 0 up to max_size; idle regions are looked at again. */
int talc_heap_set_reclaim_threshold(struct talc_heap *heap, size_t bytes)
{
	struct talc_hold hold;
	int ret = -EINVAL;

	talc_heap_lock(heap, &hold);
	if (!heap->caller_mem && bytes <= heap->max_size) {
		heap->reclaim_threshold = bytes;
		heap->reclaim_arm = bytes + heap->grow_step;
		ret = 0;
	}
	talc_heap_unlock(heap, &hold);
	if (!ret)
		schedule_work(&heap->reclaim_work);
	return ret;
}

/* From one page up to max_size, rounded up to whole pages. */
int talc_heap_set_grow_step(struct talc_heap *heap, size_t bytes)
{
	struct talc_hold hold;
	int ret = -EINVAL;

	talc_heap_lock(heap, &hold);
	if (!heap->caller_mem && bytes >= PAGE_SIZE && bytes <= heap->max_size &&
	    PAGE_ALIGN(bytes) <= heap->max_size) {
		heap->grow_step = PAGE_ALIGN(bytes);
		ret = 0;
	}
	talc_heap_unlock(heap, &hold);
	return ret;
}

void talc_heap_set_poison(struct talc_heap *heap, bool on)
{
	struct talc_hold hold;

	talc_heap_lock(heap, &hold);
	talc_set_poison(&heap->core, on);
	heap->poison = on;
	talc_cache_update_limit(heap);
	talc_heap_unlock(heap, &hold);
	/* cached chunks are not poisoned: give them to the core */
	if (on)
		talc_heap_cache_drain(heap);
}

int talc_heap_set_quick_depth(struct talc_heap *heap, unsigned int depth)
{
	struct talc_hold hold;
	int ret;

	talc_heap_lock(heap, &hold);
	ret = talc_set_quick_depth(&heap->core, depth);
	if (!ret)
		heap->quick_depth = depth;
	talc_heap_unlock(heap, &hold);
	return ret;
}

/* Set fault injection on growth; probability 0 turns it off. */
int talc_heap_set_fault(struct talc_heap *heap, const struct talc_fault *f)
{
	struct talc_hold hold;

	if (f->probability > 100 || !f->interval || f->times < -1)
		return -EINVAL;
	talc_heap_lock(heap, &hold);
	heap->fault = *f;
	heap->fault.calls = 0;
	talc_heap_unlock(heap, &hold);
	return 0;
}

void talc_heap_get_fault(struct talc_heap *heap, struct talc_fault *f)
{
	struct talc_hold hold;

	talc_heap_lock(heap, &hold);
	*f = heap->fault;
	talc_heap_unlock(heap, &hold);
}

/* ---- heap lifetime ---- */

static struct talc_heap *talc_heap_find_locked(const char *name)
{
	struct talc_heap *heap;

	lockdep_assert_held(&talc_heaps_mutex);
	list_for_each_entry(heap, &talc_heaps, list)
		if (!strcmp(heap->name, name))
			return heap;
	return NULL;
}

/*
 * Give every region and the index back and free @heap: it is off every
 * list.  Each region's head is read (for the next one) before it is freed.
 */
static void talc_heap_free_memory(struct talc_heap *heap)
{
	struct talc_region_info ri;
	void *base = NULL;
	bool more;

	cancel_work_sync(&heap->reclaim_work);
	if (heap->pcp) {
		cpuhp_state_remove_instance_nocalls(talc_cpuhp_state,
						    &heap->cpuhp);
		free_percpu(heap->pcp);
	}
	/* allocations left live (talc_heaps_destroy_all()): see "kmemleak" */
	if (IS_ENABLED(CONFIG_DEBUG_KMEMLEAK) && !heap->caller_mem)
		talc_walk(&heap->core, talc_leak_forget, NULL);
	/* the regions of a heap over caller memory are the caller's */
	do {
		more = !talc_region_next(&heap->core, base, &ri);
		if (!heap->caller_mem)
			vfree(base);
		base = more ? ri.base : NULL;
	} while (more);
	vfree(heap->index);
	kfree(rcu_dereference_protected(heap->rtab, true));
	kfree(heap);
}

/*
 * Hardened mode, chosen per heap when it is created: the core's
 * (talc_set_hardened(): the header tag from a per-heap random secret, the
 * free-list links obfuscated and checked) and the per-CPU caches' (their
 * links checked, see "per-CPU caches").  This is the default for heaps
 * whose creator does not choose (the heaps= and control options hardened
 * and nohardened choose).  On by default, as Debian's kernels enable
 * SLAB_FREELIST_HARDENED: with the per-CPU caches on it costs 2-5 % of a
 * heap's throughput (make bench-hardened).
 */
static bool hardened = true;
module_param(hardened, bool, 0644);
MODULE_PARM_DESC(hardened, "heaps created from now on without a choice of their own are hardened: secret header tag, obfuscated and checked free-list and cache links (default Y)");

/*
 * Create a heap: everything is allocated before talc_heaps_mutex is taken,
 * with __GFP_NOWARN, and only when the memory is available, so a large
 * create neither stalls the other heaps nor calls the OOM killer.
 */
static struct talc_heap *talc_heap_new(const char *name, size_t size,
				       size_t max_size, bool owned, void *mem,
				       phys_addr_t phys,
				       enum talc_spec_hardened hard)
{
	struct talc_heap *heap;
	struct talc_rtab *rt = NULL;
	void *base = NULL;
	int ret, cpu;

	if (!name || !talc_parse_name_valid(name, strnlen(name,
							  TALC_NAME_MAX + 1)) ||
	    !talc_debugfs_name_ok(name))
		return ERR_PTR(-EINVAL);
	if (mem) {
		/* a caller-owned range: checked by talc_mem_args_ok() */
		max_size = size;
	} else {
		if (!size || size > TALC_HEAP_MAX_BYTES ||
		    max_size > TALC_HEAP_MAX_BYTES ||
		    (max_size && max_size < size))
			return ERR_PTR(-EINVAL);
		size = PAGE_ALIGN(size);
		max_size = max(max_size, size);
		if (!talc_mem_available(__GFP_RETRY_MAYFAIL, size))
			return ERR_PTR(-ENOMEM);
	}

	heap = kzalloc(sizeof(*heap), GFP_KERNEL);
	if (heap)
		base = mem ?: __vmalloc(size, GFP_KERNEL | __GFP_NOWARN);
	if (base && !mem)
		talc_leak_region(base);
	if (base)
		rt = talc_rtab_edit(NULL, (unsigned long)base,
				    (unsigned long)base + size,
				    mem ? phys : TALC_PHYS_NONE, true, GFP_KERNEL);
	if (rt)
		heap->pcp = alloc_percpu_gfp(struct talc_pcp,
					     GFP_KERNEL | __GFP_NOWARN);
	if (!heap || !base || !rt || !heap->pcp) {
		if (heap)
			free_percpu(heap->pcp);
		kfree(rt);
		if (!mem)
			vfree(base);
		kfree(heap);
		return ERR_PTR(-ENOMEM);
	}
	talc_init(&heap->core);
	talc_set_report(&heap->core, talc_heap_report, heap);
	heap->hardened = hard == TALC_SPEC_HARDENED_DEFAULT ?
			 READ_ONCE(hardened) : hard == TALC_SPEC_HARDENED_ON;
	if (heap->hardened)
		talc_set_hardened(&heap->core, get_random_long() ?: 1);
	ret = talc_claim(&heap->core, base, size);
	if (!ret)
		ret = cpuhp_state_add_instance_nocalls(talc_cpuhp_state,
						       &heap->cpuhp);
	if (ret) {
		free_percpu(heap->pcp);
		kfree(rt);
		if (!mem)
			vfree(base);
		kfree(heap);
		return ERR_PTR(ret);
	}
	RCU_INIT_POINTER(heap->rtab, rt);
	heap->caller_mem = !!mem;
	for_each_possible_cpu(cpu) {
		struct talc_pcp *pcp = per_cpu_ptr(heap->pcp, cpu);

		local_lock_init(&pcp->lock);
		INIT_WORK(&pcp->drain_work, talc_cache_drain_workfn);
		pcp->heap = heap;
	}
	heap->secret = get_random_long();
	atomic_long_set(&heap->cache_bad_frees, 0);
	spin_lock_init(&heap->lock);
	mutex_init(&heap->grow_lock);
	mutex_init(&heap->walk_lock);
	INIT_WORK(&heap->reclaim_work, talc_heap_reclaim_workfn);
	refcount_set(&heap->refs, 1);
	strscpy(heap->name, name, sizeof(heap->name));
	heap->first = base;
	heap->size = size;
	heap->max_size = max_size;
	heap->grow_step = min(max_t(size_t, size, TALC_GROW_STEP_MIN),
			      max_size);
	heap->reclaim_threshold = size;
	heap->reclaim_arm = heap->reclaim_threshold + heap->grow_step;
	if (mem)
		heap->reclaim_arm = SIZE_MAX;	/* never: no reclaim */
	heap->quick_depth = TALC_DEFAULT_QUICK_DEPTH;
	heap->fault.interval = 1;
	heap->fault.times = -1;
	heap->owned = owned;
	heap->cache_limit = min_t(size_t, size / TALC_CACHE_HEAP_SHARE,
				  TALC_CACHE_CPU_DEFAULT * num_possible_cpus());
	heap->cache_cpu_limit = heap->cache_limit / num_possible_cpus();
	heap->init_on_alloc = TALC_INIT_KERNEL;
	heap->init_on_free = TALC_INIT_KERNEL;
	return heap;
}

static struct talc_heap *talc_heap_create_common(const char *name,
						 size_t size, size_t max_size,
						 bool owned, void *mem,
						 phys_addr_t phys,
						 enum talc_spec_hardened hard)
{
	struct talc_heap *heap = talc_heap_new(name, size, max_size, owned,
					       mem, phys, hard);

	if (IS_ERR(heap))
		return heap;
	mutex_lock(&talc_heaps_mutex);
	if (talc_heap_find_locked(name)) {
		mutex_unlock(&talc_heaps_mutex);
		talc_heap_free_memory(heap);
		return ERR_PTR(-EEXIST);
	}
	list_add_tail(&heap->list, &talc_heaps);
	talc_debugfs_add_heap(heap);
	mutex_unlock(&talc_heaps_mutex);
	return heap;
}

/**
 * talc_heap_create() - create a named private heap
 * @name: unique name, ``[A-Za-z0-9_-]{1,31}``, not "heaps" nor "control";
 *	shown in debugfs
 * @size: bytes of the first region (rounded up to pages), kept until the
 *	heap is destroyed
 * @max_size: most bytes the heap may claim by growing; 0 or @size for a
 *	heap that never grows
 *
 * The caller owns the returned heap (one reference) and must give it back
 * with talc_heap_destroy().  The first region is allocated only when that
 * much memory is available, without the OOM killer.
 *
 * Context: Process context; sleeps.
 * Return: the heap, or ERR_PTR(-EINVAL) for a bad name or sizes (above
 * 1 TiB, or @max_size below @size), ERR_PTR(-EEXIST) if the name is
 * taken, ERR_PTR(-ENOMEM).
 */
struct talc_heap *talc_heap_create(const char *name, size_t size,
				   size_t max_size)
{
	return talc_heap_create_common(name, size, max_size, false, NULL,
				       TALC_PHYS_NONE,
				       TALC_SPEC_HARDENED_DEFAULT);
}
EXPORT_SYMBOL_GPL(talc_heap_create);

/*
 * For heaps= and debugfs control: the module owns the heap.  @hard: its
 * hardened mode, or the hardened parameter's default.
 */
struct talc_heap *talc_heap_create_owned(const char *name, size_t size,
					 size_t max_size,
					 enum talc_spec_hardened hard)
{
	return talc_heap_create_common(name, size, max_size, true, NULL,
				       TALC_PHYS_NONE, hard);
}

/**
 * talc_heap_create_mem() - create a heap over memory the caller owns
 * @name: unique name, as for talc_heap_create()
 * @virt: the memory's kernel virtual address, 8-byte aligned: ordinary
 *	memory the CPU reads and writes with plain loads and stores (RAM,
 *	on-chip SRAM or reserved memory mapped with memremap() or as normal
 *	memory), not an __iomem mapping: talc keeps its chunk headers in it
 * @phys: the physical (or bus) address of @virt, for
 *	talc_heap_virt_to_phys(); TALC_PHYS_NONE ((phys_addr_t)-1, as
 *	gen_pool's "no address") if there is none.  0 is a valid address.
 * @size: bytes, a multiple of 8 and at least TALC_MEM_MIN
 *
 * gen_pool's main use (gen_pool_create() plus gen_pool_add_virt()) with
 * talc's allocator: the heap manages @virt .. @virt + @size and further
 * ranges given with talc_heap_add_mem(), and nothing else.  Such a heap
 * never grows (its max_size is the sum of its ranges, and the max_size,
 * grow_step and reclaim_threshold tunables are refused), never releases a
 * range by reclaim, and talc_heap_destroy() gives every range back to the
 * caller without touching it: the caller frees or unmaps its memory after
 * the destroy returned 0, and must not do so before.  The ranges must not
 * overlap another heap's.  Everything else (allocation, per-CPU caches,
 * statistics, debugfs) is as for talc_heap_create().
 *
 * Context: Process context; sleeps.
 * Return: the heap, or ERR_PTR(-EINVAL) for a bad name, a NULL or
 * misaligned @virt, a @size below TALC_MEM_MIN, not a multiple of 8 or
 * above 1 TiB, or a range that wraps; ERR_PTR(-EEXIST) if the name is
 * taken; ERR_PTR(-ENOMEM).
 */
struct talc_heap *talc_heap_create_mem(const char *name, void *virt,
				       phys_addr_t phys, size_t size)
{
	if (!talc_mem_args_ok(virt, phys, size))
		return ERR_PTR(-EINVAL);
	return talc_heap_create_common(name, size, size, false, virt, phys,
				       TALC_SPEC_HARDENED_DEFAULT);
}
EXPORT_SYMBOL_GPL(talc_heap_create_mem);

/**
 * talc_heap_add_mem() - give a heap over caller memory a further range
 * @heap: a heap made by talc_heap_create_mem()
 * @virt: the range's virtual address, as for talc_heap_create_mem()
 * @phys: its physical address, or TALC_PHYS_NONE
 * @size: its bytes, as for talc_heap_create_mem()
 *
 * Like gen_pool_add_virt().  The range is the caller's until
 * talc_heap_destroy() returns 0; the heap's max_size grows by @size.
 *
 * Context: Process context; sleeps (waits for the heap's growth lock).
 * Return: 0; -EINVAL if @heap is NULL or was made by talc_heap_create(),
 * for bad arguments as for talc_heap_create_mem(), or if the range overlaps
 * one of the heap's; -ENOMEM.
 */
int talc_heap_add_mem(struct talc_heap *heap, void *virt, phys_addr_t phys,
		      size_t size)
{
	unsigned long lo = (unsigned long)virt, hi = lo + size;
	struct talc_region_add ra = { };
	struct talc_hold hold;
	size_t max_size;
	int ret = -ENOMEM;

	if (!heap || !heap->caller_mem || !talc_mem_args_ok(virt, phys, size))
		return -EINVAL;
	/* the growers' lock: the table and the index stay as read here */
	mutex_lock(&heap->grow_lock);
	talc_heap_lock(heap, &hold);
	ra.index_bytes = talc_index_bytes(&heap->core);
	talc_heap_unlock(heap, &hold);

	if (ra.index_bytes)
		ra.index = __vmalloc(ra.index_bytes, GFP_KERNEL | __GFP_NOWARN);
	ra.rt = talc_rtab_edit(talc_rtab_get(heap), lo, hi, phys, true,
			       GFP_KERNEL);

	talc_heap_lock(heap, &hold);
	if (!ra.rt || (ra.index_bytes && !ra.index))
		goto unlock;
	ret = -EINVAL;
	if (check_add_overflow(heap->max_size, size, &max_size))
		goto unlock;
	/* an overlap with any region of the heap: -EINVAL */
	ret = talc_heap_add_region(heap, virt, size, &ra);
	if (!ret)
		heap->max_size = max_size;
unlock:
	talc_heap_unlock(heap, &hold);
	mutex_unlock(&heap->grow_lock);
	talc_region_add_done(&ra);
	return ret;
}
EXPORT_SYMBOL_GPL(talc_heap_add_mem);

/**
 * talc_heap_virt_to_phys() - the physical address of heap memory
 * @heap: a heap made by talc_heap_create_mem()
 * @ptr: an address inside one of its caller-owned ranges (an allocation,
 *	or any byte of one)
 *
 * Like gen_pool_virt_to_phys(): the range's physical address plus the
 * offset of @ptr in it.  Lock-free (RCU).
 *
 * Context: Any context.
 * Return: the physical address, or TALC_PHYS_NONE ((phys_addr_t)-1) if
 * @heap is NULL, @ptr lies in none of its caller-owned ranges (any address
 * of a heap made by talc_heap_create()), or the range was given without a
 * physical address.
 */
phys_addr_t talc_heap_virt_to_phys(struct talc_heap *heap, const void *ptr)
{
	unsigned long a = (unsigned long)ptr;
	const struct talc_rtab *rt;
	phys_addr_t phys = TALC_PHYS_NONE;
	int i;

	if (!heap)
		return TALC_PHYS_NONE;
	rcu_read_lock();
	rt = rcu_dereference(heap->rtab);
	i = talc_rtab_find(rt, a);
	/* a vmalloc'd region's phys is TALC_PHYS_NONE */
	if (i >= 0 && rt->r[i].phys != TALC_PHYS_NONE)
		phys = rt->r[i].phys + (a - rt->r[i].lo);
	rcu_read_unlock();
	return phys;
}
EXPORT_SYMBOL_GPL(talc_heap_virt_to_phys);

/* Take @heap off the list unless busy.  Called with talc_heaps_mutex held. */
static int talc_heap_unlist(struct talc_heap *heap, bool owned)
{
	struct talc_stats st;
	struct talc_hold hold;
	int ret = 0;

	lockdep_assert_held(&talc_heaps_mutex);
	talc_heap_lock(heap, &hold);
	talc_get_stats(&heap->core, &st);
	if (heap->owned != owned || refcount_read(&heap->refs) != 1 ||
	    st.allocation_count || heap->growing)
		ret = -EBUSY;
	talc_heap_unlock(heap, &hold);
	if (ret)
		return ret;
	list_del(&heap->list);
	talc_debugfs_remove_heap(heap);
	return 0;
}

/**
 * talc_heap_destroy() - destroy a heap made with talc_heap_create()
 * @heap: the heap
 *
 * The owner cannot destroy its heap while another module holds a
 * reference from talc_heap_get(): it must wait for talc_heap_put().
 * A heap made by talc_heap_create_mem() leaves its ranges untouched: once
 * this returned 0 the caller may free or unmap them.
 *
 * Context: Process context; sleeps.
 * Return: 0 when the heap and all its memory are gone; -EBUSY (and nothing
 * changes) while it holds allocations or references from talc_heap_get(),
 * or if it was created by the module (heaps=, debugfs control) rather than
 * by the caller; -EINVAL if @heap is NULL.
 */
int talc_heap_destroy(struct talc_heap *heap)
{
	int ret;

	if (!heap)
		return -EINVAL;
	talc_heap_cache_drain(heap);
	mutex_lock(&talc_heaps_mutex);
	ret = talc_heap_unlist(heap, false);
	mutex_unlock(&talc_heaps_mutex);
	if (!ret)
		talc_heap_free_memory(heap);
	return ret;
}
EXPORT_SYMBOL_GPL(talc_heap_destroy);

/* For debugfs control: destroy a module-owned heap by name. */
int talc_heap_destroy_owned(const char *name)
{
	struct talc_heap *heap;
	int ret;

	mutex_lock(&talc_heaps_mutex);
	heap = talc_heap_find_locked(name);
	if (heap) {
		/* drained with the mutex held: the heap cannot go meanwhile */
		talc_heap_cache_drain(heap);
	}
	ret = heap ? talc_heap_unlist(heap, true) : -ENOENT;
	mutex_unlock(&talc_heaps_mutex);
	if (!ret)
		talc_heap_free_memory(heap);
	return ret;
}

/**
 * talc_heap_get() - look a heap up by name and take a reference
 * @name: its name
 *
 * The reference keeps the heap from being destroyed; drop it with
 * talc_heap_put().
 *
 * Context: Process context; sleeps.
 * Return: the heap, or NULL if no heap has that name.
 */
struct talc_heap *talc_heap_get(const char *name)
{
	struct talc_heap *heap;

	if (!name)
		return NULL;
	mutex_lock(&talc_heaps_mutex);
	heap = talc_heap_find_locked(name);
	if (heap)
		refcount_inc(&heap->refs);
	mutex_unlock(&talc_heaps_mutex);
	return heap;
}
EXPORT_SYMBOL_GPL(talc_heap_get);

/**
 * talc_heap_put() - drop a reference taken by talc_heap_get()
 * @heap: the heap, or NULL
 *
 * Context: Any context.
 * Return: nothing.
 */
void talc_heap_put(struct talc_heap *heap)
{
	if (heap)
		refcount_dec(&heap->refs);
}
EXPORT_SYMBOL_GPL(talc_heap_put);

/* ---- module ---- */

static char *heaps;
module_param(heaps, charp, 0444);
MODULE_PARM_DESC(heaps,
		 "Heaps to create: NAME:SIZE[:MAX][:natural_align][:hardened|:nohardened][,...], sizes in bytes with optional K/M/G");

/* Module exit or failed init: destroy every heap, busy or not. */
static void talc_heaps_destroy_all(void)
{
	struct talc_heap *heap, *n;
	struct talc_stats st;
	LIST_HEAD(dead);

	mutex_lock(&talc_heaps_mutex);
	list_for_each_entry_safe(heap, n, &talc_heaps, list) {
		talc_heap_cache_drain(heap);
		talc_heap_stats(heap, &st);
		if (st.allocation_count || refcount_read(&heap->refs) != 1 ||
		    !heap->owned)
			pr_warn("heap %s: destroyed with %zu live allocations and %u references (%s owner)\n",
				heap->name, st.allocation_count,
				refcount_read(&heap->refs),
				heap->owned ? "module" : "API");
		talc_debugfs_remove_heap(heap);
		list_move(&heap->list, &dead);
	}
	mutex_unlock(&talc_heaps_mutex);
	list_for_each_entry_safe(heap, n, &dead, list)
		talc_heap_free_memory(heap);
}

static int __init talc_heaps_from_param(void)
{
	static struct talc_heap_spec specs[TALC_PARAM_HEAPS_MAX] __initdata;
	struct talc_heap *heap;
	const char *bad = NULL;
	size_t bad_len = 0;
	int i, n;

	n = talc_parse_heaps(heaps ? heaps : "", specs, ARRAY_SIZE(specs),
			     &bad, &bad_len);
	if (n < 0) {
		pr_err("heaps=: bad heap spec '%.*s' (want NAME:SIZE[:MAX], name [A-Za-z0-9_-]{1,%d}, unique, sizes > 0 with K/M/G, MAX >= SIZE, at most %d heaps)\n",
		       (int)bad_len, bad ? bad : "", TALC_NAME_MAX,
		       TALC_PARAM_HEAPS_MAX);
		return n;
	}
	for (i = 0; i < n; i++) {
		heap = talc_heap_create_owned(specs[i].name, specs[i].size,
					      specs[i].max_size,
					      specs[i].hardened);
		if (!IS_ERR(heap))
			talc_heap_set_natural_align(heap,
						    specs[i].natural_align);
		if (IS_ERR(heap)) {
			pr_err("heaps=: cannot create heap '%s' (size %zu, max %zu): %ld\n",
			       specs[i].name, specs[i].size,
			       specs[i].max_size, PTR_ERR(heap));
			return PTR_ERR(heap);
		}
		pr_info("heap %s: %zu bytes, up to %zu%s%s\n", heap->name,
			heap->size, heap->max_size,
			heap->natural_align ? ", natural alignment" : "",
			heap->hardened ? ", hardened" : "");
	}
	return 0;
}

/*
 * The debugfs directory and heap table first, then the heaps= heaps, and
 * only then the control file: no create through control can race with
 * heaps= or with a failing init.
 */
static int __init talc_module_init(void)
{
	int ret;

	talc_cache_init_classes();
	talc_wq = alloc_workqueue("talc", WQ_MEM_RECLAIM, 0);
	if (!talc_wq)
		return -ENOMEM;
	ret = cpuhp_setup_state_multi(CPUHP_BP_PREPARE_DYN, "lib/talc:dead",
				      NULL, talc_cache_cpu_dead);
	if (ret < 0) {
		destroy_workqueue(talc_wq);
		return ret;
	}
	talc_cpuhp_state = ret;
	ret = talc_debugfs_init();
	if (ret)
		pr_warn("debugfs: %d; heaps work without it\n", ret);
	ret = talc_heaps_from_param();
	if (ret) {
		talc_heaps_destroy_all();
		talc_debugfs_exit();
		cpuhp_remove_multi_state(talc_cpuhp_state);
		destroy_workqueue(talc_wq);
		rcu_barrier();
		return ret;
	}
	talc_debugfs_add_control();
	return 0;
}

static void __exit talc_module_exit(void)
{
	talc_debugfs_remove_control();
	talc_heaps_destroy_all();
	talc_debugfs_exit();
	cpuhp_remove_multi_state(talc_cpuhp_state);
	destroy_workqueue(talc_wq);
	/* regions released by reclaim are vfree()d by RCU callbacks */
	rcu_barrier();
}

module_init(talc_module_init);
module_exit(talc_module_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("talc: private heaps with a boundary-tag, bitmap-binned allocator");
