/* SPDX-License-Identifier: GPL-2.0 */
/*
 * talc_heap.h - the exported API of talc.ko: named private heaps.
 *
 * A heap is a talc core (talc.h) plus a spinlock, vmalloc'd regions, a growth
 * and reclaim policy, a reference count and a name.  Any module may create
 * its own heaps or look up heaps created with the heaps= module parameter.
 * Every function of the API is called talc_heap_*() and takes the heap
 * first.
 *
 * Contexts, for every call that takes a heap's lock (alloc, free, realloc,
 * usable_size, stats): task, softirq and hardirq context, with GFP_ATOMIC or
 * GFP_NOWAIT where the call allocates; never NMI.  With flags that allow
 * blocking (GFP_KERNEL, GFP_NOFS, GFP_NOIO) an allocation may sleep to grow
 * the heap.  On PREEMPT_RT the heap lock is a sleeping spinlock_t: there the
 * calls may not be made with interrupts or preemption disabled, under a
 * raw_spinlock_t, or from hardirq context (threaded handlers are fine).
 */
#ifndef _TALC_HEAP_H
#define _TALC_HEAP_H

#include <linux/types.h>
#include <linux/gfp.h>
#include "talc.h"

/* Heap names: [A-Za-z0-9_-]{1,TALC_NAME_MAX} */
#define TALC_NAME_MAX	31

/*
 * Caller-owned memory (talc_heap_create_mem(), talc_heap_add_mem()): "no
 * physical address" for a range, and what talc_heap_virt_to_phys() returns
 * for an address it cannot translate (gen_pool's -1).
 */
#define TALC_PHYS_NONE	((phys_addr_t)-1)
/* Smallest caller-owned range, in bytes; ranges are 8-byte aligned. */
#define TALC_MEM_MIN	256

struct talc_heap;

/**
 * enum talc_init - a heap's memory-init policy (talc_heap_set_init())
 * @TALC_INIT_OFF: never zero (but for __GFP_ZERO)
 * @TALC_INIT_ON: always zero
 * @TALC_INIT_KERNEL: follow the kernel's init_on_alloc= / init_on_free=,
 *	as SLUB does (the default)
 */
enum talc_init {
	TALC_INIT_OFF,
	TALC_INIT_ON,
	TALC_INIT_KERNEL,
};

struct talc_heap *talc_heap_create(const char *name, size_t size,
				   size_t max_size);
struct talc_heap *talc_heap_create_mem(const char *name, void *virt,
				       phys_addr_t phys, size_t size);
int talc_heap_add_mem(struct talc_heap *heap, void *virt, phys_addr_t phys,
		      size_t size);
phys_addr_t talc_heap_virt_to_phys(struct talc_heap *heap, const void *ptr);
int talc_heap_destroy(struct talc_heap *heap);
struct talc_heap *talc_heap_get(const char *name);
void talc_heap_put(struct talc_heap *heap);

void *talc_heap_alloc(struct talc_heap *heap, size_t size, gfp_t gfp);
void *talc_heap_alloc_aligned(struct talc_heap *heap, size_t size,
			      size_t align, gfp_t gfp);
void *talc_heap_realloc(struct talc_heap *heap, void *ptr, size_t size,
			gfp_t gfp);
void talc_heap_free(struct talc_heap *heap, void *ptr);
size_t talc_heap_usable_size(struct talc_heap *heap, const void *ptr);
int talc_heap_stats(struct talc_heap *heap, struct talc_stats *st);
int talc_heap_set_natural_align(struct talc_heap *heap, bool on);
int talc_heap_set_cache(struct talc_heap *heap, size_t bytes);
int talc_heap_set_init(struct talc_heap *heap, enum talc_init on_alloc,
		       enum talc_init on_free);
const char *talc_heap_name(const struct talc_heap *heap);

#endif /* _TALC_HEAP_H */
