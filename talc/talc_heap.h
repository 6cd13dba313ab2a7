/* SPDX-License-Identifier: GPL-2.0 */
/*
 * talc_heap.h - the exported API of talc.ko: named private heaps.
 *
 * A heap is a talc core (talc.h) plus a spinlock, vmalloc'd regions, a growth
 * and reclaim policy, a reference count and a name.  Any module may create
 * its own heaps or look up heaps created with the heaps= module parameter.
 *
 * talc_free(), talc_realloc() and talc_usable_size() are macros in talc.h
 * that dispatch on the type of their first argument, so with a heap they
 * call talc_heap_free(), talc_heap_realloc() and talc_heap_usable_size().
 */
#ifndef _TALC_HEAP_H
#define _TALC_HEAP_H

#include <linux/types.h>
#include <linux/gfp.h>
#include "talc.h"

/* Heap names: [A-Za-z0-9_-]{1,TALC_NAME_MAX} */
#define TALC_NAME_MAX	31

struct talc_heap;

struct talc_heap *talc_heap_create(const char *name, size_t size,
				   size_t max_size);
int talc_heap_destroy(struct talc_heap *heap);
struct talc_heap *talc_heap_get(const char *name);
void talc_heap_put(struct talc_heap *heap);

void *talc_alloc(struct talc_heap *heap, size_t size, gfp_t gfp);
void *talc_alloc_aligned(struct talc_heap *heap, size_t size, size_t align,
			 gfp_t gfp);
int talc_heap_stats(struct talc_heap *heap, struct talc_stats *st);
const char *talc_heap_name(const struct talc_heap *heap);

#endif /* _TALC_HEAP_H */
