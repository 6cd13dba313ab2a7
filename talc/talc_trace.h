/* SPDX-License-Identifier: GPL-2.0 */
/*
 * talc_trace.h - tracepoints of the heap layer (system "talc"), modelled on
 * kmem:kmalloc and kmem:kfree.  CREATE_TRACE_POINTS is defined in
 * talc_heap.c only.
 *
 * Each event fires once per call of the heap API, never for the per-CPU
 * caches' refills and drains, so that counts of events match the heap's
 * counters (talc_heap_stats()):
 *
 *	talc_alloc	total_allocation_count
 *	talc_free	frees that freed (allocation_count falls by one)
 *	talc_alloc_fail	failed_allocations
 *	talc_bad_free	bad_frees
 *	talc_grow	grows
 *	talc_reclaim	reclaims
 *
 * Disabled, each is a static-key NOP in the code that calls it.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM talc

#if !defined(_TALC_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TALC_TRACE_H

#include <linux/tracepoint.h>
#include <trace/events/mmflags.h>
#include "talc.h"
#include "talc_internal.h"

TRACE_DEFINE_ENUM(TALC_EV_FREE_MISALIGNED);
TRACE_DEFINE_ENUM(TALC_EV_FREE_OUTSIDE);
TRACE_DEFINE_ENUM(TALC_EV_FREE_INVALID);
TRACE_DEFINE_ENUM(TALC_EV_FREE_DOUBLE);
TRACE_DEFINE_ENUM(TALC_EV_POISON);
TRACE_DEFINE_ENUM(TALC_EV_CORRUPT);

/*
 * 6.10 dropped __assign_str()'s source (__string() gives it) and
 * __assign_str_len().  Decided on every read of this header: the read
 * that expands TP_fast_assign() sees that stage's definitions.
 */
#undef talc_assign_str
#ifdef __assign_str_len
#define talc_assign_str(dst, src)	__assign_str(dst, src)
#else
#define talc_assign_str(dst, src)	__assign_str(dst)
#endif

#define show_talc_event(ev)						\
	__print_symbolic(ev,						\
			 { TALC_EV_FREE_MISALIGNED, "misaligned" },	\
			 { TALC_EV_FREE_OUTSIDE, "outside" },		\
			 { TALC_EV_FREE_INVALID, "invalid" },		\
			 { TALC_EV_FREE_DOUBLE, "double" },		\
			 { TALC_EV_POISON, "poison" },			\
			 { TALC_EV_CORRUPT, "corrupt" })

/*
 * talc_alloc - an allocation of the heap API succeeded
 * @bytes_alloc: usable bytes at @ptr; @align: the alignment applied
 * (natural_align's included); @gfp_flags: as applied (with __GFP_ZERO
 * added by init_on_alloc); @cached: served by this CPU's cache.
 */
TRACE_EVENT(talc_alloc,
	    TP_PROTO(const struct talc_heap *heap, unsigned long call_site,
		     const void *ptr, size_t bytes_req, size_t bytes_alloc,
		     size_t align, gfp_t gfp_flags, bool cached),
	    TP_ARGS(heap, call_site, ptr, bytes_req, bytes_alloc, align,
		    gfp_flags, cached),
	    TP_STRUCT__entry(__string(heap, heap->name)
			     __field(unsigned long, call_site)
			     __field(const void *, ptr)
			     __field(size_t, bytes_req)
			     __field(size_t, bytes_alloc)
			     __field(size_t, align)
			     __field(unsigned long, gfp_flags)
			     __field(bool, cached)),
	    TP_fast_assign(talc_assign_str(heap, heap->name);
			   __entry->call_site = call_site;
			   __entry->ptr = ptr;
			   __entry->bytes_req = bytes_req;
			   __entry->bytes_alloc = bytes_alloc;
			   __entry->align = align;
			   __entry->gfp_flags = (__force unsigned long)gfp_flags;
			   __entry->cached = cached;),
	    TP_printk("heap=%s call_site=%pS ptr=%p bytes_req=%zu bytes_alloc=%zu align=%zu gfp_flags=%s cached=%d",
		      __get_str(heap), (void *)__entry->call_site, __entry->ptr,
		      __entry->bytes_req, __entry->bytes_alloc, __entry->align,
		      show_gfp_flags(__entry->gfp_flags), __entry->cached)
);

/* talc_free - a free of the heap API gave back a live allocation */
TRACE_EVENT(talc_free,
	    TP_PROTO(const struct talc_heap *heap, unsigned long call_site,
		     const void *ptr),
	    TP_ARGS(heap, call_site, ptr),
	    TP_STRUCT__entry(__string(heap, heap->name)
			     __field(unsigned long, call_site)
			     __field(const void *, ptr)),
	    TP_fast_assign(talc_assign_str(heap, heap->name);
			   __entry->call_site = call_site;
			   __entry->ptr = ptr;),
	    TP_printk("heap=%s call_site=%pS ptr=%p", __get_str(heap),
		      (void *)__entry->call_site, __entry->ptr)
);

/* talc_region: a region added by growth, or released by reclaim */
DECLARE_EVENT_CLASS(talc_region,
		    TP_PROTO(const struct talc_heap *heap, const void *base,
			     size_t bytes),
		    TP_ARGS(heap, base, bytes),
		    TP_STRUCT__entry(__string(heap, heap->name)
				     __field(const void *, base)
				     __field(size_t, bytes)),
		    TP_fast_assign(talc_assign_str(heap, heap->name);
				   __entry->base = base;
				   __entry->bytes = bytes;),
		    TP_printk("heap=%s base=%p bytes=%zu", __get_str(heap),
			      __entry->base, __entry->bytes)
);

DEFINE_EVENT(talc_region, talc_grow,
	     TP_PROTO(const struct talc_heap *heap, const void *base,
		      size_t bytes),
	     TP_ARGS(heap, base, bytes)
);

DEFINE_EVENT(talc_region, talc_reclaim,
	     TP_PROTO(const struct talc_heap *heap, const void *base,
		      size_t bytes),
	     TP_ARGS(heap, base, bytes)
);

/* talc_bad_free - a pointer given to free, realloc or usable_size is bad */
TRACE_EVENT(talc_bad_free,
	    TP_PROTO(const struct talc_heap *heap, const void *ptr,
		     enum talc_event kind),
	    TP_ARGS(heap, ptr, kind),
	    TP_STRUCT__entry(__string(heap, heap->name)
			     __field(const void *, ptr)
			     __field(int, kind)),
	    TP_fast_assign(talc_assign_str(heap, heap->name);
			   __entry->ptr = ptr;
			   __entry->kind = kind;),
	    TP_printk("heap=%s ptr=%p kind=%s", __get_str(heap), __entry->ptr,
		      show_talc_event(__entry->kind))
);

/* talc_alloc_fail - an allocation (or realloc) of the heap API failed */
TRACE_EVENT(talc_alloc_fail,
	    TP_PROTO(const struct talc_heap *heap, unsigned long call_site,
		     size_t bytes_req, size_t align, gfp_t gfp_flags),
	    TP_ARGS(heap, call_site, bytes_req, align, gfp_flags),
	    TP_STRUCT__entry(__string(heap, heap->name)
			     __field(unsigned long, call_site)
			     __field(size_t, bytes_req)
			     __field(size_t, align)
			     __field(unsigned long, gfp_flags)),
	    TP_fast_assign(talc_assign_str(heap, heap->name);
			   __entry->call_site = call_site;
			   __entry->bytes_req = bytes_req;
			   __entry->align = align;
			   __entry->gfp_flags = (__force unsigned long)gfp_flags;),
	    TP_printk("heap=%s call_site=%pS bytes_req=%zu align=%zu gfp_flags=%s",
		      __get_str(heap), (void *)__entry->call_site,
		      __entry->bytes_req, __entry->align,
		      show_gfp_flags(__entry->gfp_flags))
);

#endif /* _TALC_TRACE_H */

/* Out of the kernel's tree: found through -I of this directory (Kbuild). */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE talc_trace
#include <trace/define_trace.h>
