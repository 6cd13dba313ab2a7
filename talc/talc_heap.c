// SPDX-License-Identifier: GPL-2.0
/*
 * talc_heap.c - named private heaps over vmalloc'd regions (talc.ko).
 *
 * A heap is a talc core (talc.c) plus a spinlock, the regions it was given,
 * a growth and reclaim policy, a reference count and a name.  This file is
 * the exported API (talc_heap.h) and the heaps= module parameter; the
 * debugfs interface lives in talc_debugfs.c.
 *
 * Lock ordering:
 *
 *	talc_heaps_mutex	global heap list, names, debugfs directories,
 *				create / destroy / get
 *	  > talc_heap.lock	spinlock_t taken with spin_lock_irqsave(); the
 *				core, the region list and the policy fields
 *
 * Nothing sleeps, allocates, vmallocs or vfrees under a heap's lock.
 * Growth happens in the core's OOM hook, which drops the lock around
 * vmalloc() (the core restarts its search from scratch after the hook), and
 * only when the caller's gfp flags allow blocking.  Reclaimed regions are
 * handed to a work item for vfree(), because talc_free() may be called in
 * atomic context.  debugfs files of a heap take only its spinlock, never the
 * mutex: talc_heap_destroy() removes them under the mutex and debugfs waits
 * for running readers.
 *
 * Memory model: the first region (the heap's initial size) lives until the
 * heap is destroyed.  Further regions are added on demand, at least
 * grow_step bytes each, until max_size bytes are claimed, and are vfree'd
 * again when they hold no allocation while more than reclaim_threshold
 * bytes of the heap are free.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bug.h>
#include <linux/err.h>
#include <linux/export.h>
#include <linux/gfp.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/llist.h>
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
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

/* Smallest default growth step, so that small heaps grow in few regions. */
#define TALC_GROW_STEP_MIN	SZ_64K

/* Most heaps the heaps= parameter may create. */
#define TALC_PARAM_HEAPS_MAX	16

/* Protects talc_heaps, heap names and debugfs directories. */
DEFINE_MUTEX(talc_heaps_mutex);
LIST_HEAD(talc_heaps);

/* ---- deferred vfree ---- */

static LLIST_HEAD(talc_vfree_list);

static void talc_vfree_workfn(struct work_struct *work)
{
	struct llist_node *list = llist_del_all(&talc_vfree_list);
	struct talc_region_node *r, *n;

	llist_for_each_entry_safe(r, n, list, free_node) {
		vfree(r->base);
		kfree(r);
	}
}

static DECLARE_WORK(talc_vfree_work, talc_vfree_workfn);

/* Give a region back to vmalloc later; any context. */
static void talc_region_defer_free(struct talc_region_node *r)
{
	if (llist_add(&r->free_node, &talc_vfree_list))
		schedule_work(&talc_vfree_work);
}

/* ---- hooks called by the core under heap->lock ---- */

static void talc_heap_report(void *data, enum talc_event ev,
			     const void *addr, const char *what)
{
	struct talc_heap *heap = data;

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

/* vmalloc() flags for growth on behalf of an allocation with @gfp. */
static gfp_t talc_vmalloc_gfp(gfp_t gfp)
{
	return (gfp & (GFP_KERNEL | __GFP_NORETRY | __GFP_RETRY_MAYFAIL)) |
	       __GFP_NOWARN;
}

/*
 * The core's OOM hook: add a region big enough for @size bytes at @align.
 * Called with heap->lock held (flags in heap->irqflags); when the request
 * may block it drops the lock around vmalloc() and retakes it.
 */
static int talc_heap_oom(struct talc *t, size_t size, size_t align,
			 void *data)
	__must_hold(&((struct talc_heap *)data)->lock)
{
	struct talc_heap *heap = data;
	gfp_t gfp = heap->gfp;
	size_t min_need, need, want, used, room;
	struct talc_region_node *r;
	unsigned long flags;
	void *base = NULL;
	int ret;

	if (!gfpflags_allow_blocking(gfp))
		return -ENOMEM;
	/* Request, chunk header, region head and sentinel, alignment gap. */
	min_need = size + TALC_OVERHEAD + talc_region_overhead();
	if (align > TALC_ALIGN)
		min_need += align + TALC_MIN_CHUNK;
	/*
	 * An eighth more puts the new free chunk into a bin whose smallest
	 * member fits the request, so the core finds it without a scan.
	 */
	need = PAGE_ALIGN(min_need + (min_need >> 3));
	min_need = PAGE_ALIGN(min_need);
	used = t->claimed_bytes + heap->pending;
	room = heap->max_size > used ?
	       round_down(heap->max_size - used, PAGE_SIZE) : 0;
	want = min(max(need, heap->grow_step), room);
	if (want < min_need)
		return -ENOMEM;

	heap->pending += want;
	spin_unlock_irqrestore(&heap->lock, heap->irqflags);
	r = kmalloc(sizeof(*r), talc_vmalloc_gfp(gfp));
	if (r)
		base = __vmalloc(want, talc_vmalloc_gfp(gfp));
	spin_lock_irqsave(&heap->lock, flags);
	heap->irqflags = flags;
	heap->gfp = gfp;
	heap->pending -= want;

	ret = -ENOMEM;
	if (base) {
		r->base = base;
		r->size = want;
		ret = talc_claim(t, base, want);
		if (!ret) {
			r->live = 0;
			list_add_tail(&r->node, &heap->regions);
			heap->nregions++;
			heap->idle++;
			heap->grows++;
			return 0;
		}
		talc_region_defer_free(r);
	} else {
		kfree(r);
	}
	return ret;
}

/*
 * Per-region allocation counts, kept for regions other than the first
 * only (the first is never released), make reclaim O(1) unless a region is
 * really idle.  Called under heap->lock.
 */
static struct talc_region_node *talc_heap_region_of(struct talc_heap *heap,
						    const void *p)
{
	struct talc_region_node *r;

	if (heap->nregions < 2 || ZERO_OR_NULL_PTR(p))
		return NULL;
	r = list_first_entry(&heap->regions, struct talc_region_node, node);
	list_for_each_entry_continue(r, &heap->regions, node)
		if (p >= r->base && p < r->base + r->size)
			return r;
	return NULL;
}

/* One allocation more (@delta 1) or less (-1) in region @r, if any. */
static void talc_heap_count(struct talc_heap *heap,
			    struct talc_region_node *r, int delta)
{
	if (!r)
		return;
	if (delta > 0) {
		if (!r->live++)
			heap->idle--;
	} else if (!WARN_ON_ONCE(!r->live) && !--r->live) {
		heap->idle++;
	}
}

/*
 * Free bytes, parked quick-list chunks included (as talc_get_stats() counts
 * them), without talc_get_stats()'s walk of the top bin.  Under heap->lock.
 */
static size_t talc_heap_free_bytes(const struct talc_heap *heap)
{
	return heap->core.available_bytes + heap->core.quick_bytes;
}

/*
 * While more than reclaim_threshold bytes are free, take idle regions
 * other than the first out of the core and move them to @dead.  Called
 * under heap->lock.
 */
static void talc_heap_reclaim(struct talc_heap *heap, struct list_head *dead)
{
	struct talc_region_node *r, *n;
	struct talc_region_node *first;

	/* Not while a grower is out of the lock: it is about to need room. */
	if (!heap->idle || heap->pending ||
	    talc_heap_free_bytes(heap) <= heap->reclaim_threshold)
		return;
	first = list_first_entry(&heap->regions, struct talc_region_node,
				 node);
	list_for_each_entry_safe_reverse(r, n, &heap->regions, node) {
		if (r == first || !heap->idle ||
		    talc_heap_free_bytes(heap) <= heap->reclaim_threshold)
			break;
		if (r->live || talc_release(&heap->core, r->base))
			continue;
		list_move(&r->node, dead);
		heap->nregions--;
		heap->idle--;
		heap->reclaims++;
	}
}

static void talc_free_dead(struct list_head *dead)
{
	struct talc_region_node *r, *n;

	list_for_each_entry_safe(r, n, dead, node)
		talc_region_defer_free(r);
}

/* ---- allocation API ---- */

static void *talc_heap_alloc(struct talc_heap *heap, size_t size,
			     size_t align, gfp_t gfp)
{
	unsigned long flags;
	size_t usable = 0;
	void *p;

	if (!heap)
		return NULL;
	might_alloc(gfp);
	if (!size)
		return ZERO_SIZE_PTR;
	spin_lock_irqsave(&heap->lock, flags);
	heap->irqflags = flags;
	heap->gfp = gfp;
	p = align == TALC_ALIGN ? talc_malloc(&heap->core, size) :
				  talc_malloc_aligned(&heap->core, size, align);
	if (p) {
		talc_heap_count(heap, talc_heap_region_of(heap, p), 1);
		if (gfp & __GFP_ZERO)
			usable = talc_usable_size(&heap->core, p);
	}
	spin_unlock_irqrestore(&heap->lock, heap->irqflags);
	if (usable)
		memset(p, 0, usable);
	return p;
}

/**
 * talc_alloc() - allocate memory from a heap
 * @heap: the heap
 * @size: bytes wanted
 * @gfp: allocation flags; growth (vmalloc of a new region) only happens
 *	when they allow blocking (GFP_KERNEL), never for GFP_ATOMIC or
 *	GFP_NOWAIT; __GFP_ZERO zeroes the whole usable size
 *
 * The memory is 8-byte aligned.
 *
 * Context: Any context with GFP_ATOMIC or GFP_NOWAIT; process context with
 * flags that allow blocking (the call may sleep then).
 * Return: the memory, ZERO_SIZE_PTR if @size is 0, or NULL on failure.
 */
void *talc_alloc(struct talc_heap *heap, size_t size, gfp_t gfp)
{
	return talc_heap_alloc(heap, size, TALC_ALIGN, gfp);
}
EXPORT_SYMBOL_GPL(talc_alloc);

/**
 * talc_alloc_aligned() - allocate aligned memory from a heap
 * @heap: the heap
 * @size: bytes wanted
 * @align: alignment, a power of two up to TALC_MAX_ALIGN
 * @gfp: allocation flags, as for talc_alloc()
 *
 * A later talc_realloc() that moves the block keeps the alignment.
 *
 * Context: As talc_alloc().
 * Return: the memory aligned to @align, ZERO_SIZE_PTR if @size is 0, or
 * NULL on failure (also when @align is not a power of two or too large).
 */
void *talc_alloc_aligned(struct talc_heap *heap, size_t size, size_t align,
			 gfp_t gfp)
{
	return talc_heap_alloc(heap, size, align, gfp);
}
EXPORT_SYMBOL_GPL(talc_alloc_aligned);

/**
 * talc_heap_free() - give memory back to its heap (talc_free(heap, ptr))
 * @heap: the heap the memory came from
 * @ptr: the memory; NULL and ZERO_SIZE_PTR are ignored
 *
 * A pointer that is not a live allocation of @heap (misaligned, outside
 * the heap, interior, already freed) is counted in the heap's bad_frees,
 * reported with one WARN per heap and kind of error, and otherwise
 * ignored: the heap stays consistent.  May release fully free regions
 * (see reclaim_threshold); their vfree() is deferred to a work item.
 *
 * Context: Any context.
 * Return: nothing; a bad pointer shows in the heap's bad_frees counter.
 */
void talc_heap_free(struct talc_heap *heap, void *ptr)
{
	unsigned long flags;
	LIST_HEAD(dead);
	u64 bad;

	if (!heap || ZERO_OR_NULL_PTR(ptr))
		return;
	spin_lock_irqsave(&heap->lock, flags);
	bad = heap->core.bad_frees;
	talc_free(&heap->core, ptr);
	if (heap->core.bad_frees == bad) {
		talc_heap_count(heap, talc_heap_region_of(heap, ptr), -1);
		talc_heap_reclaim(heap, &dead);
	}
	spin_unlock_irqrestore(&heap->lock, flags);
	talc_free_dead(&dead);
}
EXPORT_SYMBOL_GPL(talc_heap_free);

/**
 * talc_heap_realloc() - resize memory (talc_realloc(heap, ptr, size, gfp))
 * @heap: the heap the memory came from
 * @ptr: the memory, or NULL (or ZERO_SIZE_PTR) to allocate
 * @size: new size in bytes; 0 frees @ptr
 * @gfp: allocation flags, as for talc_alloc(); with __GFP_ZERO the bytes
 *	past the old usable size (or past @size when shrinking) are zeroed
 *
 * krealloc() semantics: the block is resized in place when possible, else
 * moved (keeping its alignment) with its contents copied up to the smaller
 * of the old and new size.  A bad @ptr is counted and reported as by
 * talc_heap_free().
 *
 * Context: As talc_alloc().
 * Return: the resized memory; ZERO_SIZE_PTR after freeing @ptr when @size
 * is 0; NULL on failure, in which case @ptr is untouched and still valid.
 */
void *talc_heap_realloc(struct talc_heap *heap, void *ptr, size_t size,
			gfp_t gfp)
{
	size_t old = 0, usable = 0;
	struct talc_region_node *r;
	unsigned long flags;
	LIST_HEAD(dead);
	void *p;

	if (ZERO_OR_NULL_PTR(ptr))
		return talc_alloc(heap, size, gfp);
	if (!heap)
		return NULL;
	if (!size) {
		talc_heap_free(heap, ptr);
		return ZERO_SIZE_PTR;
	}
	might_alloc(gfp);
	spin_lock_irqsave(&heap->lock, flags);
	heap->irqflags = flags;
	heap->gfp = gfp;
	if (gfp & __GFP_ZERO)
		old = talc_usable_size(&heap->core, ptr);
	/* The old region, looked up before the hook may add regions. */
	r = talc_heap_region_of(heap, ptr);
	p = talc_realloc(&heap->core, ptr, size);
	if (p) {
		if (p != ptr) {
			talc_heap_count(heap, talc_heap_region_of(heap, p), 1);
			talc_heap_count(heap, r, -1);
		}
		if (gfp & __GFP_ZERO)
			usable = talc_usable_size(&heap->core, p);
		talc_heap_reclaim(heap, &dead);
	}
	spin_unlock_irqrestore(&heap->lock, heap->irqflags);
	talc_free_dead(&dead);
	old = min(old, size);
	if (usable > old)
		memset((char *)p + old, 0, usable - old);
	return p;
}
EXPORT_SYMBOL_GPL(talc_heap_realloc);

/**
 * talc_heap_usable_size() - usable size of an allocation
 * (talc_usable_size(heap, ptr))
 * @heap: the heap the memory came from
 * @ptr: the memory
 *
 * Context: Any context.
 * Return: the bytes usable at @ptr (at least the size requested), or 0 if
 * @ptr is NULL, ZERO_SIZE_PTR or not a live allocation of @heap.
 */
size_t talc_heap_usable_size(struct talc_heap *heap, const void *ptr)
{
	unsigned long flags;
	size_t n;

	if (!heap || ZERO_OR_NULL_PTR(ptr))
		return 0;
	spin_lock_irqsave(&heap->lock, flags);
	n = talc_usable_size(&heap->core, ptr);
	spin_unlock_irqrestore(&heap->lock, flags);
	return n;
}
EXPORT_SYMBOL_GPL(talc_heap_usable_size);

/**
 * talc_heap_stats() - read a heap's counters
 * @heap: the heap
 * @st: filled with a consistent snapshot (see struct talc_stats)
 *
 * Context: Any context.
 * Return: 0, or -EINVAL if @heap or @st is NULL.
 */
int talc_heap_stats(struct talc_heap *heap, struct talc_stats *st)
{
	unsigned long flags;

	if (!heap || !st)
		return -EINVAL;
	spin_lock_irqsave(&heap->lock, flags);
	talc_get_stats(&heap->core, st);
	spin_unlock_irqrestore(&heap->lock, flags);
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

/* ---- internal helpers for talc_debugfs.c ---- */

/*
 * Run the full consistency check under the lock.  Return: 0, or -EUCLEAN
 * with the first problem in @msg.
 */
int talc_heap_check(struct talc_heap *heap, char *msg, size_t len)
{
	unsigned long flags;
	int ret;

	spin_lock_irqsave(&heap->lock, flags);
	heap->capture = true;
	heap->check_msg[0] = '\0';
	ret = talc_check(&heap->core);
	heap->capture = false;
	if (ret) {
		if (heap->check_msg[0])
			strscpy(msg, heap->check_msg, len);
		else
			snprintf(msg, len, "check failed (%d)", ret);
	}
	spin_unlock_irqrestore(&heap->lock, flags);
	return ret;
}

/* A heap may not be limited below its first region. */
int talc_heap_set_max_size(struct talc_heap *heap, size_t max_size)
{
	unsigned long flags;

	if (max_size < heap->size)
		return -EINVAL;
	spin_lock_irqsave(&heap->lock, flags);
	heap->max_size = max_size;
	spin_unlock_irqrestore(&heap->lock, flags);
	return 0;
}

/* From 0 (reclaim whenever possible) up to max_size (never). */
int talc_heap_set_reclaim_threshold(struct talc_heap *heap, size_t bytes)
{
	unsigned long flags;
	LIST_HEAD(dead);
	int ret = -EINVAL;

	spin_lock_irqsave(&heap->lock, flags);
	if (bytes <= heap->max_size) {
		heap->reclaim_threshold = bytes;
		talc_heap_reclaim(heap, &dead);
		ret = 0;
	}
	spin_unlock_irqrestore(&heap->lock, flags);
	talc_free_dead(&dead);
	return ret;
}

/* From one page up to max_size. */
int talc_heap_set_grow_step(struct talc_heap *heap, size_t bytes)
{
	unsigned long flags;
	int ret = -EINVAL;

	spin_lock_irqsave(&heap->lock, flags);
	if (bytes >= PAGE_SIZE && bytes <= heap->max_size) {
		heap->grow_step = PAGE_ALIGN(bytes);
		ret = 0;
	}
	spin_unlock_irqrestore(&heap->lock, flags);
	return ret;
}

/*
 * Chunks parked on the quick lists are not poisoned: coalesce them so that
 * every free chunk gets poison from now on.
 */
void talc_heap_set_poison(struct talc_heap *heap, bool on)
{
	unsigned long flags;

	spin_lock_irqsave(&heap->lock, flags);
	heap->core.poison = on;
	if (on)
		talc_flush(&heap->core);
	spin_unlock_irqrestore(&heap->lock, flags);
}

/* 0 (quick lists off) to TALC_QUICK_DEPTH_MAX; parked chunks are flushed. */
int talc_heap_set_quick_depth(struct talc_heap *heap, unsigned int depth)
{
	unsigned long flags;

	if (depth > TALC_QUICK_DEPTH_MAX)
		return -EINVAL;
	spin_lock_irqsave(&heap->lock, flags);
	heap->core.quick_depth = depth;
	talc_flush(&heap->core);
	spin_unlock_irqrestore(&heap->lock, flags);
	return 0;
}

/* ---- heap lifetime ---- */

/* Called with talc_heaps_mutex held. */
struct talc_heap *talc_heap_find_locked(const char *name)
{
	struct talc_heap *heap;

	lockdep_assert_held(&talc_heaps_mutex);
	list_for_each_entry(heap, &talc_heaps, list)
		if (!strcmp(heap->name, name))
			return heap;
	return NULL;
}

/* Give every region back and free @heap; it must be off every list. */
static void talc_heap_free_regions(struct talc_heap *heap)
{
	struct talc_region_node *r, *n;

	list_for_each_entry_safe(r, n, &heap->regions, node) {
		vfree(r->base);
		kfree(r);
	}
	kfree(heap);
}

/*
 * Create a heap; @owned heaps belong to the module (heaps=, debugfs
 * control), the others to the caller.  Called with talc_heaps_mutex held.
 */
struct talc_heap *talc_heap_create_locked(const char *name, size_t size,
					  size_t max_size, bool owned)
{
	struct talc_region_node *r;
	struct talc_heap *heap;
	void *base;
	int ret;

	lockdep_assert_held(&talc_heaps_mutex);
	if (!name || !talc_parse_name_valid(name, strnlen(name,
							  TALC_NAME_MAX + 1)))
		return ERR_PTR(-EINVAL);
	if (!size || size > TALC_MAX_CHUNK || (max_size && max_size < size))
		return ERR_PTR(-EINVAL);
	if (talc_heap_find_locked(name))
		return ERR_PTR(-EEXIST);
	size = PAGE_ALIGN(size);
	max_size = max(max_size, size);

	heap = kzalloc(sizeof(*heap), GFP_KERNEL);
	r = kmalloc(sizeof(*r), GFP_KERNEL);
	base = heap && r ? __vmalloc(size, GFP_KERNEL | __GFP_NOWARN) : NULL;
	if (!base) {
		kfree(r);
		kfree(heap);
		return ERR_PTR(-ENOMEM);
	}
	talc_init(&heap->core);
	heap->core.oom = talc_heap_oom;
	heap->core.oom_data = heap;
	heap->core.report = talc_heap_report;
	heap->core.report_data = heap;
	spin_lock_init(&heap->lock);
	INIT_LIST_HEAD(&heap->regions);
	refcount_set(&heap->refs, 1);
	strscpy(heap->name, name, sizeof(heap->name));
	heap->size = size;
	heap->max_size = max_size;
	heap->grow_step = max_t(size_t, size, TALC_GROW_STEP_MIN);
	heap->reclaim_threshold = size;
	heap->owned = owned;

	ret = talc_claim(&heap->core, base, size);
	if (ret) {
		vfree(base);
		kfree(r);
		kfree(heap);
		return ERR_PTR(ret);
	}
	r->base = base;
	r->size = size;
	r->live = 0;
	list_add_tail(&r->node, &heap->regions);
	heap->nregions = 1;
	list_add_tail(&heap->list, &talc_heaps);
	talc_debugfs_add_heap(heap);
	return heap;
}

static struct talc_heap *talc_heap_create_owned(const char *name,
						size_t size, size_t max_size,
						bool owned)
{
	struct talc_heap *heap;

	mutex_lock(&talc_heaps_mutex);
	heap = talc_heap_create_locked(name, size, max_size, owned);
	mutex_unlock(&talc_heaps_mutex);
	return heap;
}

/**
 * talc_heap_create() - create a named private heap
 * @name: unique name, [A-Za-z0-9_-]{1,31}; shown in debugfs
 * @size: bytes of the first region (rounded up to pages), kept until the
 *	heap is destroyed
 * @max_size: most bytes the heap may claim by growing; 0 or @size for a
 *	heap that never grows
 *
 * The caller owns the returned heap (one reference) and must give it back
 * with talc_heap_destroy().
 *
 * Context: Process context; sleeps.
 * Return: the heap, or ERR_PTR(-EINVAL) for a bad name or sizes,
 * ERR_PTR(-EEXIST) if the name is taken, ERR_PTR(-ENOMEM).
 */
struct talc_heap *talc_heap_create(const char *name, size_t size,
				   size_t max_size)
{
	return talc_heap_create_owned(name, size, max_size, false);
}
EXPORT_SYMBOL_GPL(talc_heap_create);

/*
 * Destroy @heap unless busy; @owned says who asks (the module or an API
 * user).  Called with talc_heaps_mutex held.
 */
int talc_heap_destroy_locked(struct talc_heap *heap, bool owned)
{
	unsigned long flags;
	int ret = 0;

	lockdep_assert_held(&talc_heaps_mutex);
	spin_lock_irqsave(&heap->lock, flags);
	if (heap->owned != owned || refcount_read(&heap->refs) != 1 ||
	    heap->core.allocation_count || heap->pending)
		ret = -EBUSY;
	spin_unlock_irqrestore(&heap->lock, flags);
	if (ret)
		return ret;
	list_del(&heap->list);
	talc_debugfs_remove_heap(heap);
	talc_heap_free_regions(heap);
	return 0;
}

/**
 * talc_heap_destroy() - destroy a heap made with talc_heap_create()
 * @heap: the heap
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
	ret = talc_heap_destroy_locked(heap, false);
	mutex_unlock(&talc_heaps_mutex);
	return ret;
}
EXPORT_SYMBOL_GPL(talc_heap_destroy);

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
		 "Heaps to create: NAME:SIZE[:MAX][,NAME:SIZE[:MAX]...], sizes in bytes with optional K/M/G");

/* Module exit or failed init: destroy every heap, busy or not. */
static void talc_heaps_destroy_all(void)
{
	struct talc_heap *heap, *n;

	mutex_lock(&talc_heaps_mutex);
	list_for_each_entry_safe(heap, n, &talc_heaps, list) {
		if (heap->core.allocation_count ||
		    refcount_read(&heap->refs) != 1 || !heap->owned)
			pr_warn("heap %s: destroyed with %zu live allocations and %u references (%s owner)\n",
				heap->name, heap->core.allocation_count,
				refcount_read(&heap->refs),
				heap->owned ? "module" : "API");
		list_del(&heap->list);
		talc_debugfs_remove_heap(heap);
		talc_heap_free_regions(heap);
	}
	mutex_unlock(&talc_heaps_mutex);
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
					      specs[i].max_size, true);
		if (IS_ERR(heap)) {
			pr_err("heaps=: cannot create heap '%s' (size %zu, max %zu): %ld\n",
			       specs[i].name, specs[i].size,
			       specs[i].max_size, PTR_ERR(heap));
			return PTR_ERR(heap);
		}
		pr_info("heap %s: %zu bytes, up to %zu\n", heap->name,
			heap->size, heap->max_size);
	}
	return 0;
}

static int __init talc_module_init(void)
{
	int ret;

	talc_debugfs_init();
	ret = talc_heaps_from_param();
	if (ret) {
		talc_heaps_destroy_all();
		talc_debugfs_exit();
		flush_work(&talc_vfree_work);
	}
	return ret;
}

static void __exit talc_module_exit(void)
{
	talc_heaps_destroy_all();
	talc_debugfs_exit();
	flush_work(&talc_vfree_work);
}

module_init(talc_module_init);
module_exit(talc_module_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("talc: private heaps with a boundary-tag, bitmap-binned allocator");
