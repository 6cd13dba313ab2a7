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
 *				that find no room wait here for the grower
 *	  > talc_heap.walk_lock	one stepped walk per heap (check)
 *	    > talc_heap.lock	spinlock_t taken with spin_lock_irqsave(): the
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
 * Reclaim: the first region lives until the heap is destroyed.  A region
 * added by growth is released when it holds no allocation and the heap
 * keeps reclaim_threshold free bytes plus as much again as the region
 * without it: that band of one region keeps alternating alloc/free at the
 * full mark from growing and releasing a region per pair.  A free that
 * leaves enough bytes free schedules reclaim_work, which does the
 * releasing and the vfree() in process context.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/bug.h>
#include <linux/err.h>
#include <linux/export.h>
#include <linux/gfp.h>
#include <linux/hardirq.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
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
 * spinlock_t functions carry no context annotations).  A hold whose start
 * is 0 is not timed.
 */
#define talc_heap_lock_timed(heap, hold, timed)				\
	do {								\
		struct talc_hold *__hold = (hold);			\
									\
		spin_lock_irqsave(&(heap)->lock, __hold->flags);	\
		__hold->start = (timed) ? ktime_get_mono_fast_ns() : 0;	\
	} while (0)

#define talc_heap_lock(heap, hold)	talc_heap_lock_timed(heap, hold, true)

/* The allocation and free paths: one hold in TALC_HOLD_SAMPLE is timed. */
#define talc_heap_lock_sampled(heap, hold)				\
	do {								\
		struct talc_heap *__sheap = (heap);			\
									\
		talc_heap_lock_timed(__sheap, hold,			\
				     !(++__sheap->holds % TALC_HOLD_SAMPLE)); \
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

static noinline void *talc_heap_reject_gfp(struct talc_heap *heap, gfp_t gfp)
{
	struct talc_hold hold;

	talc_heap_lock(heap, &hold);
	heap->stat[TALC_HEAP_REJECTED_GFP]++;
	heap->stat[TALC_HEAP_FAILURES]++;
	talc_heap_unlock(heap, &hold);
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

	if (!need)
		return 0;
	want = min(max(PAGE_ALIGN(need), heap->grow_step),
		   talc_heap_room(heap));
	return want >= PAGE_ALIGN(need) ? want : 0;
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
	void *base = NULL, *index = NULL, *old = NULL;
	size_t want, index_bytes;
	struct talc_hold hold;
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
	want = talc_heap_grow_size(heap, talc_claim_size(size, align));
	if (!want)
		goto fail;
	index_bytes = talc_index_bytes(&heap->core);
	heap->growing = want;
	inject = talc_heap_should_fail(heap);
	talc_heap_unlock(heap, &hold);

	if (heap->test_unlocked)
		heap->test_unlocked(heap, heap->test_data);
	if (!inject && talc_mem_available(gfp, want + index_bytes)) {
		base = __vmalloc(want, vgfp);
		if (base && index_bytes)
			index = __vmalloc(index_bytes, vgfp);
	}

	talc_heap_lock(heap, &hold);
	heap->growing = 0;
	/* max_size may have been lowered while the lock was dropped */
	if (!base || (index_bytes && !index) || talc_heap_room(heap) < want)
		goto fail_grow;
	/* Only growers claim, and we are the only one: the index is as seen. */
	if (index_bytes) {
		if (WARN_ON_ONCE(talc_set_index(&heap->core, index,
						index_bytes, &old)))
			goto fail_grow;
		heap->index = index;
		index = NULL;
	}
	if (WARN_ON_ONCE(talc_claim(&heap->core, base, want)))
		goto fail_grow;
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
	vfree(base);
	vfree(index);
	vfree(old);
	return p;
}

/* ---- reclaim ---- */

/*
 * Release idle regions other than the first, one per hold of the lock,
 * while the heap keeps reclaim_threshold free bytes plus the region's size
 * without it.  Chunks parked on quick lists are coalesced first, so that
 * every idle region shows.
 */
static void talc_heap_reclaim_workfn(struct work_struct *work)
{
	struct talc_heap *heap = container_of(work, struct talc_heap,
					      reclaim_work);
	struct talc_region_info ri;
	struct talc_hold hold;
	bool flushed = false;
	size_t avail;

	for (;;) {
		void *dead = NULL;

		talc_heap_lock(heap, &hold);
		if (!flushed) {
			talc_flush(&heap->core);
			flushed = true;
		}
		avail = talc_available_bytes(&heap->core);
		if (!talc_idle_region(&heap->core, heap->first, &ri) &&
		    avail >= ri.size &&
		    avail - ri.size >= heap->reclaim_threshold + ri.size &&
		    !talc_release(&heap->core, ri.base)) {
			heap->stat[TALC_HEAP_RECLAIMS]++;
			dead = ri.base;
		} else {
			heap->reclaim_arm = avail + heap->grow_step;
		}
		talc_heap_unlock(heap, &hold);
		if (!dead)
			break;
		vfree(dead);
		cond_resched();
	}
}

/* ---- allocation API ---- */

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

static void *talc_heap_do_alloc(struct talc_heap *heap, size_t size,
				size_t align, gfp_t gfp)
{
	struct talc_hold hold;
	size_t usable = 0;
	bool grow;
	void *p;

	if (!heap || talc_heap_in_nmi(heap))
		return NULL;
	if (unlikely(!size))
		return ZERO_SIZE_PTR;
	if (unlikely(gfp & TALC_GFP_REJECT))
		return talc_heap_reject_gfp(heap, gfp);
	might_alloc(gfp);
	align = max(align, talc_heap_natural(heap, size));
	talc_heap_lock_sampled(heap, &hold);
	p = talc_core_alloc(heap, size, align);
	grow = !p && gfpflags_allow_blocking(gfp);
	if (unlikely(!p && !grow))
		heap->stat[TALC_HEAP_FAILURES]++;
	if (p && (gfp & __GFP_ZERO))
		usable = talc_usable_size(&heap->core, p);
	talc_heap_unlock(heap, &hold);
	if (unlikely(grow))
		p = talc_heap_grow(heap, size, align, gfp, &usable);
	if (usable)
		memset(p, 0, usable);
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
	return talc_heap_do_alloc(heap, size, TALC_ALIGN, gfp);
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
	return talc_heap_do_alloc(heap, size, align, gfp);
}
EXPORT_SYMBOL_GPL(talc_heap_alloc_aligned);

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
	struct talc_hold hold;
	bool reclaim;

	if (!heap || ZERO_OR_NULL_PTR(ptr) || talc_heap_in_nmi(heap))
		return;
	talc_heap_lock_sampled(heap, &hold);
	talc_free(&heap->core, ptr);
	reclaim = talc_available_bytes(&heap->core) >= heap->reclaim_arm;
	if (reclaim)
		heap->reclaim_arm = SIZE_MAX;	/* until the work re-arms */
	talc_heap_unlock(heap, &hold);
	if (unlikely(reclaim))
		schedule_work(&heap->reclaim_work);
}
EXPORT_SYMBOL_GPL(talc_heap_free);

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
 * of the old and new size.  The copy runs outside the heap's lock, and the
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
		return talc_heap_alloc(heap, size, gfp);
	if (!heap || talc_heap_in_nmi(heap))
		return NULL;
	if (!size) {
		talc_heap_free(heap, ptr);
		return ZERO_SIZE_PTR;
	}
	if (unlikely(gfp & TALC_GFP_REJECT))
		return talc_heap_reject_gfp(heap, gfp);
	might_alloc(gfp);
	nalign = talc_heap_natural(heap, size);
	talc_heap_lock_sampled(heap, &hold);
	/* in place only where natural_align's alignment already holds */
	if (nalign && !IS_ALIGNED((unsigned long)ptr, nalign))
		ret = talc_block_info(&heap->core, ptr, &old) ?: -ENOSPC;
	else
		ret = talc_resize(&heap->core, ptr, size, &old);
	if (!ret && (gfp & __GFP_ZERO))
		usable = talc_usable_size(&heap->core, ptr);
	if (ret == -ENOMEM)
		heap->stat[TALC_HEAP_FAILURES]++;
	talc_heap_unlock(heap, &hold);
	keep = min(old.usable, size);
	if (!ret) {
		if (usable > keep)
			memset((char *)ptr + keep, 0, usable - keep);
		return ptr;
	}
	if (ret != -ENOSPC)
		return NULL;

	p = talc_heap_do_alloc(heap, size, old.align, gfp & ~__GFP_ZERO);
	if (!p)
		return NULL;
	memcpy(p, ptr, keep);
	if (gfp & __GFP_ZERO) {
		usable = talc_heap_usable_size(heap, p);
		if (usable > keep)
			memset((char *)p + keep, 0, usable - keep);
	}
	talc_heap_free(heap, ptr);
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
	talc_heap_unlock(heap, &hold);
	return n;
}
EXPORT_SYMBOL_GPL(talc_heap_usable_size);

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

	talc_heap_lock(heap, &hold);
	info->size = heap->size;
	info->max_size = heap->max_size;
	info->grow_step = heap->grow_step;
	info->reclaim_threshold = heap->reclaim_threshold;
	info->quick_depth = heap->quick_depth;
	info->poison = heap->poison;
	info->natural_align = heap->natural_align;
	info->owned = heap->owned;
	info->growing = heap->growing;
	info->max_hold_ns = heap->max_hold_ns;
	info->max_hold_site = heap->max_hold_site;
	memcpy(info->stat, heap->stat, sizeof(info->stat));
	talc_heap_unlock(heap, &hold);
	info->refs = refcount_read(&heap->refs);
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
	if (max_size >= heap->size && max_size <= TALC_HEAP_MAX_BYTES &&
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
	if (bytes <= heap->max_size) {
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
	if (bytes >= PAGE_SIZE && bytes <= heap->max_size &&
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
	talc_heap_unlock(heap, &hold);
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
	do {
		more = !talc_region_next(&heap->core, base, &ri);
		vfree(base);
		base = more ? ri.base : NULL;
	} while (more);
	vfree(heap->index);
	kfree(heap);
}

/*
 * Create a heap: everything is allocated before talc_heaps_mutex is taken,
 * with __GFP_NOWARN, and only when the memory is available, so a large
 * create neither stalls the other heaps nor calls the OOM killer.
 */
static struct talc_heap *talc_heap_new(const char *name, size_t size,
				       size_t max_size, bool owned)
{
	struct talc_heap *heap;
	void *base = NULL;
	int ret;

	if (!name || !talc_parse_name_valid(name, strnlen(name,
							  TALC_NAME_MAX + 1)) ||
	    !talc_debugfs_name_ok(name))
		return ERR_PTR(-EINVAL);
	if (!size || size > TALC_HEAP_MAX_BYTES || max_size > TALC_HEAP_MAX_BYTES ||
	    (max_size && max_size < size))
		return ERR_PTR(-EINVAL);
	size = PAGE_ALIGN(size);
	max_size = max(max_size, size);
	if (!talc_mem_available(__GFP_RETRY_MAYFAIL, size))
		return ERR_PTR(-ENOMEM);

	heap = kzalloc(sizeof(*heap), GFP_KERNEL);
	if (heap)
		base = __vmalloc(size, GFP_KERNEL | __GFP_NOWARN);
	if (!base) {
		kfree(heap);
		return ERR_PTR(-ENOMEM);
	}
	talc_init(&heap->core);
	talc_set_report(&heap->core, talc_heap_report, heap);
	ret = talc_claim(&heap->core, base, size);
	if (ret) {
		vfree(base);
		kfree(heap);
		return ERR_PTR(ret);
	}
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
	heap->quick_depth = TALC_DEFAULT_QUICK_DEPTH;
	heap->fault.interval = 1;
	heap->fault.times = -1;
	heap->owned = owned;
	return heap;
}

static struct talc_heap *talc_heap_create_common(const char *name,
						 size_t size, size_t max_size,
						 bool owned)
{
	struct talc_heap *heap = talc_heap_new(name, size, max_size, owned);

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
	return talc_heap_create_common(name, size, max_size, false);
}
EXPORT_SYMBOL_GPL(talc_heap_create);

/* For heaps= and debugfs control: the module owns the heap. */
struct talc_heap *talc_heap_create_owned(const char *name, size_t size,
					 size_t max_size)
{
	return talc_heap_create_common(name, size, max_size, true);
}

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
		 "Heaps to create: NAME:SIZE[:MAX][:natural_align][,...], sizes in bytes with optional K/M/G");

/* Module exit or failed init: destroy every heap, busy or not. */
static void talc_heaps_destroy_all(void)
{
	struct talc_heap *heap, *n;
	struct talc_stats st;
	LIST_HEAD(dead);

	mutex_lock(&talc_heaps_mutex);
	list_for_each_entry_safe(heap, n, &talc_heaps, list) {
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
					      specs[i].max_size);
		if (!IS_ERR(heap))
			talc_heap_set_natural_align(heap,
						    specs[i].natural_align);
		if (IS_ERR(heap)) {
			pr_err("heaps=: cannot create heap '%s' (size %zu, max %zu): %ld\n",
			       specs[i].name, specs[i].size,
			       specs[i].max_size, PTR_ERR(heap));
			return PTR_ERR(heap);
		}
		pr_info("heap %s: %zu bytes, up to %zu%s\n", heap->name,
			heap->size, heap->max_size,
			heap->natural_align ? ", natural alignment" : "");
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

	ret = talc_debugfs_init();
	if (ret)
		pr_warn("debugfs: %d; heaps work without it\n", ret);
	ret = talc_heaps_from_param();
	if (ret) {
		talc_heaps_destroy_all();
		talc_debugfs_exit();
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
}

module_init(talc_module_init);
module_exit(talc_module_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("talc: private heaps with a boundary-tag, bitmap-binned allocator");
