/* SPDX-License-Identifier: GPL-2.0 */
/*
 * talc_internal.h - what talc_heap.c and talc_debugfs.c share inside
 * talc.ko.  Not an API: other modules use talc_heap.h.
 */
#ifndef _TALC_INTERNAL_H
#define _TALC_INTERNAL_H

#include <linux/gfp.h>
#include <linux/limits.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include "talc.h"
#include "talc_heap.h"

/* Deepest quick list the quick_depth tunable allows (u8 counters). */
#define TALC_QUICK_DEPTH_MAX	U8_MAX

/* Length of the message talc_heap_check() keeps from the first report. */
#define TALC_CHECK_MSG_LEN	128

/**
 * struct talc_region_node - one vmalloc'd region of a heap
 * @node: in talc_heap.regions (under talc_heap.lock)
 * @free_node: in the deferred vfree list once released
 * @base: what vmalloc() returned and talc_claim() was given
 * @size: bytes claimed (a whole number of pages)
 * @live: allocations in the region (not kept for the first region)
 */
struct talc_region_node {
	struct list_head node;
	struct llist_node free_node;
	void *base;
	size_t size;
	size_t live;
};

/**
 * struct talc_heap - a named private heap
 * @core: the allocator (under @lock)
 * @lock: serialises @core, @regions, @pending and the policy fields
 * @regions: struct talc_region_node list, the first region first
 * @list: in the global heap list (under talc_heaps_mutex)
 * @refs: references: the owner's plus one per talc_heap_get()
 * @name: NUL-terminated name, [A-Za-z0-9_-]{1,31}
 * @size: size of the first region (never released before destroy)
 * @max_size: bound on the bytes claimed in all regions
 * @grow_step: smallest region added by growth
 * @reclaim_threshold: release fully free regions while more bytes than
 *	this are free
 * @pending: bytes being vmalloc'd by growing allocations (counted against
 *	@max_size so that concurrent growers cannot overshoot it)
 * @nregions: entries in @regions
 * @idle: regions other than the first with no allocation (reclaimable)
 * @irqflags: saved irq flags of the current holder of @lock, for the OOM
 *	hook that drops and retakes the lock (allocation paths only)
 * @gfp: flags of the allocation in progress under @lock
 * @grows: regions added by growth
 * @reclaims: regions released by reclaim
 * @warned: bitmask of enum talc_event kinds already WARNed about
 * @owned: created by heaps= or debugfs control (the module holds the
 *	owner's reference and control may destroy it)
 * @capture: talc_heap_check() is running; reports go to @check_msg
 * @check_msg: the first problem seen by talc_heap_check()
 * @dir: debugfs directory (under talc_heaps_mutex)
 */
struct talc_heap {
	struct talc core;
	spinlock_t lock;	/* see the kernel-doc above */
	struct list_head regions;
	struct list_head list;
	refcount_t refs;
	char name[TALC_NAME_MAX + 1];
	size_t size;
	size_t max_size;
	size_t grow_step;
	size_t reclaim_threshold;
	size_t pending;
	size_t nregions;
	size_t idle;
	unsigned long irqflags;
	gfp_t gfp;
	u64 grows;
	u64 reclaims;
	unsigned long warned;
	bool owned;
	bool capture;
	char check_msg[TALC_CHECK_MSG_LEN];
	struct dentry *dir;
};

/* Global heap list; lock order: talc_heaps_mutex > talc_heap.lock. */
extern struct mutex talc_heaps_mutex;
extern struct list_head talc_heaps;

struct talc_heap *talc_heap_create_locked(const char *name, size_t size,
					  size_t max_size, bool owned);
int talc_heap_destroy_locked(struct talc_heap *heap, bool owned);
struct talc_heap *talc_heap_find_locked(const char *name);
int talc_heap_check(struct talc_heap *heap, char *msg, size_t len);
int talc_heap_set_max_size(struct talc_heap *heap, size_t max_size);
int talc_heap_set_reclaim_threshold(struct talc_heap *heap, size_t bytes);
int talc_heap_set_grow_step(struct talc_heap *heap, size_t bytes);
void talc_heap_set_poison(struct talc_heap *heap, bool on);
int talc_heap_set_quick_depth(struct talc_heap *heap, unsigned int depth);

int talc_debugfs_init(void);
void talc_debugfs_exit(void);
void talc_debugfs_add_heap(struct talc_heap *heap);
void talc_debugfs_remove_heap(struct talc_heap *heap);

#endif /* _TALC_INTERNAL_H */
