// SPDX-License-Identifier: GPL-2.0
/*
 * talc_vmtest.c - test helper for scripts/vm/guest-vmtest.sh: drives what
 * userspace cannot reach through debugfs, one scenario per insmod.
 *
 *   insmod talc_vmtest.ko case=badfree kind=KIND heap=NAME
 *	KIND: misaligned, outside, interior, double, freechunk.  Frees a bad
 *	pointer of that kind twice: both must be counted as bad frees (the
 *	caller checks that exactly one WARN appeared and that check is ok),
 *	nothing live may change and the heap must keep working.
 *   insmod talc_vmtest.ko case=poison heap=NAME	(NAME/poison set to 1)
 *	Frees a block, writes into it, allocates the same size again: the
 *	write after free must be counted in poison_errors.
 *   insmod talc_vmtest.ko case=busy
 *	talc_heap_destroy() of a private heap with a live allocation must be
 *	-EBUSY and leave it usable; after the free it must succeed.
 *   insmod talc_vmtest.ko case=hold heap=NAME
 *	Takes a reference and one allocation on NAME and keeps them until
 *	rmmod, so the caller can try "destroy NAME" through debugfs.
 *   insmod talc_vmtest.ko case=grow heap=NAME	(NAME: SIZE < MAX)
 *	GFP_ATOMIC must not grow the heap; GFP_KERNEL allocations grow it up
 *	to its max size and then fail; freeing everything must reclaim all
 *	regions but the first.  With max_size=BYTES (the heap's max) the
 *	claimed bytes at the failure must lie in (BYTES / 2, BYTES].
 *   insmod talc_vmtest.ko case=fill heap=NAME [fill_pct=90]
 *	Fills NAME with 16-byte blocks (GFP_ATOMIC: no growth) until fill_pct
 *	percent of its claimed bytes are in use and keeps them until rmmod:
 *	a heap full of small blocks for the lock-hold measurement.  The
 *	blocks are chained through their first word, so no table is needed.
 *   insmod talc_vmtest.ko case=mem heap=NAME	(NAME: no such heap yet)
 *	A vmalloc'd buffer stands in for device memory: a heap NAME over its
 *	first 192K with a fake physical address, a second range over the
 *	last 64K.  Allocations come from the two ranges, talc_heap_virt_to_phys()
 *	gives phys + offset, a full heap does not grow, freeing everything
 *	releases no range.  One allocation and the heap stay until rmmod (for
 *	the caller to read debugfs); then the heap is destroyed and only
 *	after that the buffer vfree()d (PASS/FAIL lines from the exit too).
 *   insmod talc_vmtest.ko case=leak heap=NAME	(a kernel with kmemleak)
 *	For scripts/kmemleak-test.sh: leaks three blocks of NAME whose
 *	sizes name them (77 bytes from a per-CPU cache, 12345 from the heap,
 *	3333 by talc_heap_realloc() of a 100-byte block), keeps three in
 *	module data until rmmod (4321, 200000 - which grows the heap - and
 *	64), and frees one of 555 bytes.  kmemleak must report the leaked
 *	sizes and none of the others.
 *
 * Every assertion logs "talc_vmtest: PASS what" or "talc_vmtest: FAIL what
 * (detail)"; init returns 0 when all passed (rmmod the module afterwards)
 * and -EIO otherwise, so insmod fails visibly.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/vmalloc.h>
#include "talc_heap.h"

static char *test_case;
module_param_named(case, test_case, charp, 0444);
MODULE_PARM_DESC(case, "Scenario: badfree, poison, busy, hold, grow, fill, mem, leak");
static char *kind;
module_param(kind, charp, 0444);
MODULE_PARM_DESC(kind, "badfree: misaligned, outside, interior, double, freechunk");
static char *heap;
module_param(heap, charp, 0444);
MODULE_PARM_DESC(heap, "Heap to use (badfree, poison, hold, grow, fill, mem, leak)");
static unsigned long max_size;
module_param(max_size, ulong, 0444);
MODULE_PARM_DESC(max_size, "grow: the heap's max size in bytes, if known");

static unsigned int fill_pct = 90;
module_param(fill_pct, uint, 0444);
MODULE_PARM_DESC(fill_pct, "fill: percent of the heap to fill (1-99)");

/* fill: the size of each block (24-byte chunks, the smallest there are). */
#define VT_FILL_BLOCK	16

static int vt_failed;
static struct talc_heap *held_heap;
static void *held_ptr;
static void **fill_chain;
static size_t fill_count;

static __printf(2, 3) void vt_assert(bool cond, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	if (cond) {
		pr_info("PASS %pV\n", &vaf);
	} else {
		pr_err("FAIL %pV\n", &vaf);
		vt_failed++;
	}
	va_end(args);
}

static struct talc_heap *vt_get_heap(void)
{
	struct talc_heap *h;

	if (!heap) {
		vt_assert(false, "%s: heap= missing", test_case);
		return NULL;
	}
	h = talc_heap_get(heap);
	if (IS_ERR_OR_NULL(h)) {
		vt_assert(false, "%s: heap %s exists", test_case, heap);
		return NULL;
	}
	return h;
}

static void *vt_alloc_fill(struct talc_heap *h, size_t size, u8 fill)
{
	void *p = talc_heap_alloc(h, size, GFP_KERNEL);

	if (p)
		memset(p, fill, size);
	return p;
}

static bool vt_intact(const void *p, size_t size, u8 fill)
{
	return p && !memchr_inv(p, fill, size);
}

/* A word outside every heap (module data, not vmalloc'd by talc). */
static u64 vt_outside[8] __aligned(64);

static void vt_badfree(void)
{
	struct talc_heap *h = vt_get_heap();
	struct talc_stats st0, st1;
	u8 *a, *b, *g, *c, *bad;
	bool b_live = true;
	size_t live;

	if (!h)
		return;
	talc_heap_stats(h, &st0);
	a = vt_alloc_fill(h, 256, 0xa1);
	b = vt_alloc_fill(h, 256, 0xb2);
	g = vt_alloc_fill(h, 256, 0xc3);	/* keeps b from merging */
	if (!a || !b || !g) {
		vt_assert(false, "badfree-%s: setup allocations", kind);
		goto out;
	}

	if (!strcmp(kind, "misaligned")) {
		bad = a + 4;
	} else if (!strcmp(kind, "outside")) {
		bad = (u8 *)vt_outside;
	} else if (!strcmp(kind, "interior")) {
		bad = a + 64;
	} else if (!strcmp(kind, "double")) {
		talc_heap_free(h, b);
		b_live = false;
		bad = b;
	} else if (!strcmp(kind, "freechunk")) {
		talc_heap_free(h, b);
		b_live = false;
		bad = b + 64;
	} else {
		vt_assert(false, "badfree: unknown kind=%s", kind);
		goto out;
	}
	live = st0.allocation_count + 2 + b_live;

	/* twice: counted twice, warned at most once (the caller counts) */
	talc_heap_free(h, bad);
	talc_heap_free(h, bad);

	talc_heap_stats(h, &st1);
	vt_assert(st1.bad_frees == st0.bad_frees + 2,
		  "badfree-%s: 2 bad frees counted (%llu -> %llu)", kind,
		  st0.bad_frees, st1.bad_frees);
	vt_assert(st1.allocation_count == live,
		  "badfree-%s: live allocations unchanged (%zu, want %zu)",
		  kind, st1.allocation_count, live);
	vt_assert(vt_intact(a, 256, 0xa1) && vt_intact(g, 256, 0xc3) &&
		  (!b_live || vt_intact(b, 256, 0xb2)),
		  "badfree-%s: neighbouring blocks intact", kind);

	/* the heap still works and hands out no live memory */
	c = vt_alloc_fill(h, 256, 0xd4);
	vt_assert(c && (c + 256 <= a || c >= a + 256) &&
		  (c + 256 <= g || c >= g + 256) &&
		  (!b_live || c + 256 <= b || c >= b + 256) &&
		  vt_intact(a, 256, 0xa1) && vt_intact(g, 256, 0xc3),
		  "badfree-%s: next allocation is fresh memory", kind);
	if (c)
		talc_heap_free(h, c);
out:
	if (a)
		talc_heap_free(h, a);
	if (b && b_live)
		talc_heap_free(h, b);
	if (g)
		talc_heap_free(h, g);
	talc_heap_stats(h, &st1);
	vt_assert(st1.allocation_count == st0.allocation_count &&
		  st1.bad_frees == st0.bad_frees + 2,
		  "badfree-%s: clean free of the good blocks", kind);
	talc_heap_put(h);
}

static void vt_poison(void)
{
	struct talc_heap *h = vt_get_heap();
	struct talc_stats st0, st1;
	u8 *a, *p, *g, *q;

	if (!h)
		return;
	talc_heap_stats(h, &st0);
	a = vt_alloc_fill(h, 128, 0x11);
	p = vt_alloc_fill(h, 128, 0x22);
	g = vt_alloc_fill(h, 128, 0x33);
	if (!a || !p || !g) {
		vt_assert(false, "poison: setup allocations");
		goto out;
	}
	talc_heap_free(h, p);
	/*
	 * Write after free, in the middle of the payload (clear of the free
	 * list links at its start and the boundary tag at its end).  The
	 * memory is the heap's own vmalloc'd region, so only talc notices.
	 */
	memset(p + 48, 0x5a, 16);
	q = talc_heap_alloc(h, 128, GFP_KERNEL);
	talc_heap_stats(h, &st1);
	vt_assert(st1.poison_errors == st0.poison_errors + 1,
		  "poison: write after free detected (poison_errors %llu -> %llu, realloc %s)",
		  st0.poison_errors, st1.poison_errors,
		  q == p ? "same block" : "other block");
	vt_assert(vt_intact(a, 128, 0x11) && vt_intact(g, 128, 0x33),
		  "poison: neighbouring blocks intact");
	if (q)
		talc_heap_free(h, q);
out:
	if (a)
		talc_heap_free(h, a);
	if (g)
		talc_heap_free(h, g);
	talc_heap_stats(h, &st1);
	vt_assert(st1.allocation_count == st0.allocation_count,
		  "poison: all blocks freed (%zu live, want %zu)",
		  st1.allocation_count, st0.allocation_count);
	talc_heap_put(h);
}

static void vt_busy(void)
{
	struct talc_heap *h;
	void *p, *q;
	int ret;

	h = talc_heap_create("vt-busy", 64 << 10, 64 << 10);
	if (IS_ERR(h)) {
		vt_assert(false, "busy: create heap vt-busy (%ld)", PTR_ERR(h));
		return;
	}
	p = talc_heap_alloc(h, 100, GFP_KERNEL);
	vt_assert(p, "busy: allocation");
	if (!p) {
		talc_heap_destroy(h);
		return;
	}
	ret = talc_heap_destroy(h);
	vt_assert(ret == -EBUSY, "busy: destroy with a live allocation is -EBUSY (%d)",
		  ret);
	if (ret != -EBUSY)
		return;		/* heap gone or state unknown: stop here */
	q = talc_heap_alloc(h, 100, GFP_KERNEL);
	vt_assert(q, "busy: heap still usable after failed destroy");
	if (q)
		talc_heap_free(h, q);
	talc_heap_free(h, p);
	ret = talc_heap_destroy(h);
	vt_assert(!ret, "busy: destroy after the free succeeds (%d)", ret);
}

static void vt_hold(void)
{
	held_heap = vt_get_heap();
	if (!held_heap)
		return;
	held_ptr = talc_heap_alloc(held_heap, 64, GFP_KERNEL);
	vt_assert(held_ptr, "hold: reference and allocation held on %s", heap);
}

#define VT_GROW_MAX	4096

static void vt_grow(void)
{
	struct talc_heap *h = vt_get_heap();
	struct talc_stats st0, st1, st2;
	void **blk;
	void *p;
	int n = 0, i, waited;
	size_t max;

	if (!h)
		return;
	blk = kvcalloc(VT_GROW_MAX, sizeof(*blk), GFP_KERNEL);
	if (!blk) {
		vt_assert(false, "grow: setup");
		goto out_put;
	}
	talc_heap_stats(h, &st0);
	vt_assert(st0.region_count <= 3 && st0.allocation_count == 0,
		  "grow: starts empty, with at most the first region and two kept by reclaim's hysteresis (%zu regions, %zu live)",
		  st0.region_count, st0.allocation_count);

	/* GFP_ATOMIC may not vmalloc: a request larger than the heap fails */
	p = talc_heap_alloc(h, st0.claimed_bytes + 4096, GFP_ATOMIC);
	talc_heap_stats(h, &st1);
	vt_assert(!p && st1.region_count == st0.region_count,
		  "grow: GFP_ATOMIC does not grow the heap (%s, %zu regions)",
		  p ? "allocated" : "failed", st1.region_count);
	if (p)
		talc_heap_free(h, p);
	st0.failed_allocations = st1.failed_allocations;

	/* GFP_KERNEL grows region by region until the max size */
	while (n < VT_GROW_MAX) {
		p = talc_heap_alloc(h, 4000, GFP_KERNEL);
		if (!p)
			break;
		memset(p, n & 0xff, 4000);
		blk[n++] = p;
	}
	talc_heap_stats(h, &st1);
	vt_assert(st1.region_count > 1,
		  "grow: heap grew (%zu regions, %zu bytes claimed, %d blocks)",
		  st1.region_count, st1.claimed_bytes, n);
	vt_assert(n < VT_GROW_MAX && st1.failed_allocations > st0.failed_allocations,
		  "grow: allocation fails at the max size (%llu failures)",
		  st1.failed_allocations - st0.failed_allocations);
	if (max_size)
		vt_assert(st1.claimed_bytes <= max_size &&
			  st1.claimed_bytes > max_size / 2,
			  "grow: stopped near the max size (%zu claimed, max %lu)",
			  st1.claimed_bytes, max_size);
	max = st1.claimed_bytes;
	p = talc_heap_alloc(h, 4000, GFP_KERNEL);
	talc_heap_stats(h, &st2);
	vt_assert(!p && st2.claimed_bytes == max,
		  "grow: still fails at max, nothing more claimed (%zu bytes)",
		  st2.claimed_bytes);
	if (p)
		talc_heap_free(h, p);
	for (i = 0; i < n; i++) {
		if (memchr_inv(blk[i], i & 0xff, 4000)) {
			vt_assert(false, "grow: block %d intact", i);
			break;
		}
	}
	for (i = 0; i < n; i++)
		talc_heap_free(h, blk[i]);
	/*
	 * Reclaim runs in a work item and releases a region only while the
	 * heap keeps reclaim_threshold (here the first region's size) plus
	 * the region free without it: of equal 64K regions, the first and at
	 * most two grown ones stay.  Give the work up to 2 s.
	 */
	for (waited = 0; waited < 100; waited++) {
		talc_heap_stats(h, &st2);
		if (st2.region_count <= 3)
			break;
		msleep(20);
	}
	vt_assert(st2.region_count <= 3 && st2.region_count < st1.region_count &&
		  st2.allocation_count == 0,
		  "grow: reclaimed down to the first region and at most two more (%zu regions, %zu bytes, was %zu)",
		  st2.region_count, st2.claimed_bytes, st0.claimed_bytes);
	kvfree(blk);
out_put:
	talc_heap_put(h);
}

static void vt_fill(void)
{
	struct talc_heap *h = vt_get_heap();
	struct talc_stats st;
	void **p;

	if (!h)
		return;
	held_heap = h;
	talc_heap_stats(h, &st);
	while (fill_pct && fill_pct < 100 &&
	       (u64)st.allocated_bytes * 100 <
	       (u64)st.claimed_bytes * fill_pct) {
		p = talc_heap_alloc(h, VT_FILL_BLOCK, GFP_ATOMIC);
		if (!p)
			break;
		*p = fill_chain;
		fill_chain = p;
		fill_count++;
		if (!(fill_count % 4096)) {
			talc_heap_stats(h, &st);
			cond_resched();
		}
	}
	talc_heap_stats(h, &st);
	vt_assert(fill_count && st.allocation_count >= fill_count,
		  "fill: %zu blocks of %d bytes, %zu of %zu bytes in use",
		  fill_count, VT_FILL_BLOCK, st.allocated_bytes,
		  st.claimed_bytes);
}

static void vt_fill_release(void)
{
	void **p;

	while ((p = fill_chain)) {
		fill_chain = *p;
		talc_heap_free(held_heap, p);
		if (!(--fill_count % 4096))
			cond_resched();
	}
}

/* mem: the buffer standing in for device memory, its fake phys, the heap */
#define VT_MEM_SIZE	(256 * 1024)
#define VT_MEM_FIRST	(192 * 1024)
#define VT_MEM_PHYS	((phys_addr_t)0x80000000)
#define VT_MEM_PHYS2	((phys_addr_t)0x90000000)
#define VT_MEM_BLOCKS	4096

static char *mem_buf;
static struct talc_heap *mem_heap;
static void *mem_kept;

static void vt_mem_release(void)
{
	int ret;

	if (!mem_heap)
		return;
	talc_heap_free(mem_heap, mem_kept);
	ret = talc_heap_destroy(mem_heap);
	vt_assert(!ret, "mem: destroy of the heap over caller memory: %d", ret);
	if (ret)
		return;		/* leak the buffer rather than free it under a heap */
	mem_heap = NULL;
	/* the heap is gone, the buffer is still ours: write it, then free it */
	memset(mem_buf, 0x5a, VT_MEM_SIZE);
	vt_assert(!memchr_inv(mem_buf, 0x5a, VT_MEM_SIZE),
		  "mem: buffer intact and writable after destroy");
	vfree(mem_buf);
	mem_buf = NULL;
}

/* leak: the blocks kept until rmmod, referenced only from here */
#define VT_LEAK_KEPT	3
static void *leak_kept[VT_LEAK_KEPT];
static struct talc_heap *leak_heap;

static void vt_leak_release(void)
{
	int i;

	if (!leak_heap)
		return;
	for (i = 0; i < VT_LEAK_KEPT; i++)
		talc_heap_free(leak_heap, leak_kept[i]);
	talc_heap_put(leak_heap);
	leak_heap = NULL;
}

/*
 * Allocate @size bytes and forget the pointer: filled with a byte that
 * makes no pointer, so nothing inside refers anywhere.
 */
static noinline bool vt_leak_one(struct talc_heap *h, size_t size)
{
	void *p = vt_alloc_fill(h, size, 0x5a);

	return p;
}

static noinline void vt_leak(void)
{
	static const size_t kept[VT_LEAK_KEPT] = { 4321, 200000, 64 };
	struct talc_heap *h = vt_get_heap();
	void *p, *q;
	int i;

	if (!h)
		return;
	leak_heap = h;
	for (i = 0; i < VT_LEAK_KEPT; i++) {
		leak_kept[i] = vt_alloc_fill(h, kept[i], 0x5a);
		vt_assert(leak_kept[i], "leak: kept block of %zu bytes", kept[i]);
	}
	vt_assert(vt_leak_one(h, 77), "leak: 77 bytes leaked (a cache's)");
	vt_assert(vt_leak_one(h, 12345), "leak: 12345 bytes leaked (the heap's)");
	p = vt_alloc_fill(h, 100, 0x5a);
	q = p ? talc_heap_realloc(h, p, 3333, GFP_KERNEL) : NULL;
	vt_assert(q, "leak: 3333 bytes leaked (realloc'd from 100)");
	if (!q)
		talc_heap_free(h, p);
	p = vt_alloc_fill(h, 555, 0x5a);
	vt_assert(p, "leak: 555 bytes allocated and freed");
	talc_heap_free(h, p);
}

static void vt_mem(void)
{
	char *second;
	void **p;
	struct talc_stats st0, st;
	size_t n = 0, in1 = 0, in2 = 0, badphys = 0, i;
	int ret;

	if (!heap) {
		vt_assert(false, "mem: heap= missing");
		return;
	}
	p = vmalloc(VT_MEM_BLOCKS * sizeof(*p));
	mem_buf = vmalloc(VT_MEM_SIZE);
	if (!p || !mem_buf) {
		vt_assert(false, "mem: vmalloc of the buffers");
		vfree(p);
		vfree(mem_buf);
		mem_buf = NULL;
		return;
	}
	second = mem_buf + VT_MEM_FIRST;
	mem_heap = talc_heap_create_mem(heap, mem_buf, VT_MEM_PHYS,
					VT_MEM_FIRST);
	vt_assert(!IS_ERR(mem_heap), "mem: talc_heap_create_mem(%s): %d",
		  heap, PTR_ERR_OR_ZERO(mem_heap));
	if (IS_ERR(mem_heap)) {
		mem_heap = NULL;
		goto out;
	}
	ret = talc_heap_add_mem(mem_heap, second, VT_MEM_PHYS2,
				VT_MEM_SIZE - VT_MEM_FIRST);
	vt_assert(!ret, "mem: talc_heap_add_mem: %d", ret);
	ret = talc_heap_add_mem(mem_heap, mem_buf + 4096, VT_MEM_PHYS, 4096);
	vt_assert(ret == -EINVAL, "mem: overlapping range refused: %d", ret);
	talc_heap_stats(mem_heap, &st0);
	vt_assert(st0.region_count == 2 && st0.claimed_bytes == VT_MEM_SIZE,
		  "mem: two ranges, %d bytes claimed (%zu, %zu)", VT_MEM_SIZE,
		  st0.region_count, st0.claimed_bytes);
	/* fill it with GFP_KERNEL: no growth, every block in a range */
	while (n < VT_MEM_BLOCKS &&
	       (p[n] = talc_heap_alloc(mem_heap, 200, GFP_KERNEL))) {
		char *c = p[n];
		phys_addr_t want;

		if (c >= mem_buf && c < second) {
			in1++;
			want = VT_MEM_PHYS + (c - mem_buf);
		} else if (c >= second && c < mem_buf + VT_MEM_SIZE) {
			in2++;
			want = VT_MEM_PHYS2 + (c - second);
		} else {
			want = 0;
		}
		if (talc_heap_virt_to_phys(mem_heap, c) != want || !want)
			badphys++;
		memset(c, 0x33, 200);
		n++;
	}
	talc_heap_stats(mem_heap, &st);
	vt_assert(n > 0 && n < VT_MEM_BLOCKS && in1 && in2 && in1 + in2 == n,
		  "mem: %zu blocks until full, %zu in the first range, %zu in the second",
		  n, in1, in2);
	vt_assert(!badphys, "mem: virt_to_phys = phys + offset for all %zu blocks (%zu wrong)",
		  n, badphys);
	vt_assert(st.claimed_bytes == VT_MEM_SIZE && st.region_count == 2,
		  "mem: full heap did not grow (%zu bytes, %zu regions)",
		  st.claimed_bytes, st.region_count);
	vt_assert(talc_heap_virt_to_phys(mem_heap, vt_outside) == TALC_PHYS_NONE,
		  "mem: virt_to_phys of an address outside: TALC_PHYS_NONE");
	for (i = 0; i < n; i++)
		talc_heap_free(mem_heap, p[i]);
	msleep(100);	/* a reclaim work would have run */
	talc_heap_stats(mem_heap, &st);
	vt_assert(st.region_count == 2 && st.claimed_bytes == VT_MEM_SIZE &&
		  !st.allocation_count,
		  "mem: all freed, no range released (%zu regions, %zu live)",
		  st.region_count, st.allocation_count);
	mem_kept = talc_heap_alloc(mem_heap, 1000, GFP_KERNEL);
	vt_assert(mem_kept && talc_heap_virt_to_phys(mem_heap, mem_kept) !=
		  TALC_PHYS_NONE, "mem: one allocation kept until rmmod");
out:
	vfree(p);
	if (vt_failed)
		vt_mem_release();
}

static int __init talc_vmtest_init(void)
{
	vt_failed = 0;
	if (!test_case) {
		pr_err("case= missing\n");
		return -EINVAL;
	}
	if (!strcmp(test_case, "badfree") && kind)
		vt_badfree();
	else if (!strcmp(test_case, "poison"))
		vt_poison();
	else if (!strcmp(test_case, "busy"))
		vt_busy();
	else if (!strcmp(test_case, "hold"))
		vt_hold();
	else if (!strcmp(test_case, "grow"))
		vt_grow();
	else if (!strcmp(test_case, "fill"))
		vt_fill();
	else if (!strcmp(test_case, "mem"))
		vt_mem();
	else if (!strcmp(test_case, "leak"))
		vt_leak();
	else
		vt_assert(false, "unknown case=%s (kind=%s)", test_case,
			  kind ?: "");
	if (vt_failed) {
		vt_leak_release();
		if (held_heap) {
			vt_fill_release();
			talc_heap_free(held_heap, held_ptr);
			talc_heap_put(held_heap);
		}
		return -EIO;
	}
	return 0;
}

static void __exit talc_vmtest_exit(void)
{
	vt_leak_release();
	vt_mem_release();
	if (held_heap) {
		vt_fill_release();
		talc_heap_free(held_heap, held_ptr);
		talc_heap_put(held_heap);
	}
}

module_init(talc_vmtest_init);
module_exit(talc_vmtest_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("talc VM test helper (badfree, poison, busy, hold, grow, fill, mem, leak)");
