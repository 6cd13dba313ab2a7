// SPDX-License-Identifier: GPL-2.0
/*
 * talc_debugfs.c - /sys/kernel/debug/talc/
 *
 *   heaps              one row per heap (like /proc/slabinfo), after one
 *                      header line starting with "# name"
 *   control            write "create NAME SIZE [MAX]" or "destroy NAME"
 *   NAME/stats         "key: value" lines: every core counter and the
 *                      heap's policy fields
 *   NAME/bins          each non-empty bin: size range, free chunks, bytes
 *   NAME/regions       each region: start, end, size, bytes in used chunks
 *   NAME/check         reading runs the full consistency check: "ok" or
 *                      the first problem
 *   NAME/max_size, NAME/reclaim_threshold, NAME/grow_step, NAME/poison,
 *   NAME/quick_depth   tunables (decimal; a bad value gives -EINVAL)
 *
 * Files of a heap take only its spinlock (see the lock ordering in
 * talc_heap.c); heaps and control take talc_heaps_mutex.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "talc.h"
#include "talc_heap.h"
#include "talc_internal.h"
#include "talc_parse.h"

/* Longest command accepted by control. */
#define TALC_CTL_MAX	128

static struct dentry *talc_debugfs_root;

/* Fragmentation: share of free bytes outside the largest free chunk. */
static unsigned int talc_frag_pct(const struct talc_stats *st)
{
	size_t largest = st->largest_free_chunk;

	if (!st->available_bytes)
		return 0;
	if (largest)
		largest += TALC_OVERHEAD;
	if (largest >= st->available_bytes)
		return 0;
	return div64_u64((u64)(st->available_bytes - largest) * 100,
			 st->available_bytes);
}

/* ---- talc/heaps ---- */

static int talc_heaps_show(struct seq_file *m, void *unused)
{
	struct talc_heap *heap;
	struct talc_stats st;

	seq_printf(m, "# %-14s %12s %12s %12s %12s %5s %9s %12s %8s %9s %7s\n",
		   "name", "claimed", "allocated", "free", "largest", "frag%",
		   "live", "total", "failures", "bad_frees", "regions");
	mutex_lock(&talc_heaps_mutex);
	list_for_each_entry(heap, &talc_heaps, list) {
		talc_heap_stats(heap, &st);
		seq_printf(m, "%-16s %12zu %12zu %12zu %12zu %5u %9zu %12llu %8llu %9llu %7zu\n",
			   heap->name, st.claimed_bytes, st.allocated_bytes,
			   st.available_bytes, st.largest_free_chunk,
			   talc_frag_pct(&st), st.allocation_count,
			   st.total_allocation_count, st.failed_allocations,
			   st.bad_frees, st.region_count);
	}
	mutex_unlock(&talc_heaps_mutex);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(talc_heaps);

/* ---- talc/control ---- */

static ssize_t talc_control_write(struct file *file, const char __user *ubuf,
				  size_t len, loff_t *ppos)
{
	struct talc_ctl_cmd cmd;
	struct talc_heap *heap;
	char buf[TALC_CTL_MAX];
	int ret;

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	ret = talc_parse_control(buf, len, &cmd);
	if (ret)
		return ret;

	mutex_lock(&talc_heaps_mutex);
	if (cmd.op == TALC_CTL_CREATE) {
		heap = talc_heap_create_locked(cmd.spec.name, cmd.spec.size,
					       cmd.spec.max_size, true);
		ret = PTR_ERR_OR_ZERO(heap);
	} else {
		heap = talc_heap_find_locked(cmd.spec.name);
		ret = heap ? talc_heap_destroy_locked(heap, true) : -ENOENT;
	}
	mutex_unlock(&talc_heaps_mutex);
	if (ret)
		return ret;
	return len;
}

static const struct file_operations talc_control_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = talc_control_write,
};

/* ---- NAME/stats ---- */

static int talc_stats_show(struct seq_file *m, void *unused)
{
	struct talc_heap *heap = m->private;
	size_t max_size, grow_step, threshold, nregions, idle;
	size_t quick_chunks, quick_bytes;
	unsigned int quick_depth;
	unsigned long flags;
	struct talc_stats st;
	u64 grows, reclaims;
	bool poison;

	spin_lock_irqsave(&heap->lock, flags);
	talc_get_stats(&heap->core, &st);
	max_size = heap->max_size;
	grow_step = heap->grow_step;
	threshold = heap->reclaim_threshold;
	nregions = heap->nregions;
	idle = heap->idle;
	poison = heap->core.poison;
	quick_depth = heap->core.quick_depth;
	quick_chunks = heap->core.quick_chunks;
	quick_bytes = heap->core.quick_bytes;
	grows = heap->grows;
	reclaims = heap->reclaims;
	spin_unlock_irqrestore(&heap->lock, flags);

	seq_printf(m, "name: %s\n", heap->name);
	seq_printf(m, "claimed_bytes: %zu\n", st.claimed_bytes);
	seq_printf(m, "available_bytes: %zu\n", st.available_bytes);
	seq_printf(m, "allocated_bytes: %zu\n", st.allocated_bytes);
	seq_printf(m, "overhead_bytes: %zu\n", st.overhead_bytes);
	seq_printf(m, "allocation_count: %zu\n", st.allocation_count);
	seq_printf(m, "total_allocation_count: %llu\n",
		   st.total_allocation_count);
	seq_printf(m, "total_allocated_bytes: %llu\n",
		   st.total_allocated_bytes);
	seq_printf(m, "fragment_count: %zu\n", st.fragment_count);
	seq_printf(m, "largest_free_chunk: %zu\n", st.largest_free_chunk);
	seq_printf(m, "fragmentation_pct: %u\n", talc_frag_pct(&st));
	seq_printf(m, "region_count: %zu\n", st.region_count);
	seq_printf(m, "total_region_count: %llu\n", st.total_region_count);
	seq_printf(m, "peak_allocated_bytes: %zu\n", st.peak_allocated_bytes);
	seq_printf(m, "failed_allocations: %llu\n", st.failed_allocations);
	seq_printf(m, "bad_frees: %llu\n", st.bad_frees);
	seq_printf(m, "poison_errors: %llu\n", st.poison_errors);
	seq_printf(m, "quick_chunks: %zu\n", quick_chunks);
	seq_printf(m, "quick_bytes: %zu\n", quick_bytes);
	seq_printf(m, "initial_size: %zu\n", heap->size);
	seq_printf(m, "max_size: %zu\n", max_size);
	seq_printf(m, "grow_step: %zu\n", grow_step);
	seq_printf(m, "reclaim_threshold: %zu\n", threshold);
	seq_printf(m, "poison: %d\n", poison);
	seq_printf(m, "quick_depth: %u\n", quick_depth);
	seq_printf(m, "regions: %zu\n", nregions);
	seq_printf(m, "idle_regions: %zu\n", idle);
	seq_printf(m, "grows: %llu\n", grows);
	seq_printf(m, "reclaims: %llu\n", reclaims);
	seq_printf(m, "references: %u\n", refcount_read(&heap->refs));
	seq_printf(m, "owner: %s\n", heap->owned ? "module" : "api");
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(talc_stats);

/* ---- NAME/bins ---- */

static int talc_bins_show(struct seq_file *m, void *unused)
{
	struct talc_heap *heap = m->private;
	size_t chunks, bytes, lo, hi;
	unsigned long flags;
	unsigned int b;

	seq_printf(m, "# %4s %12s %12s %8s %12s\n", "bin", "min_size",
		   "max_size", "chunks", "bytes");
	for (b = 0; b < TALC_BIN_COUNT; b++) {
		/* One bin per lock hold: bounded time with irqs off. */
		spin_lock_irqsave(&heap->lock, flags);
		talc_bin_stats(&heap->core, b, &chunks, &bytes);
		spin_unlock_irqrestore(&heap->lock, flags);
		if (!chunks)
			continue;
		lo = talc_bin_min_size(b);
		hi = b + 1 < TALC_BIN_COUNT ? talc_bin_min_size(b + 1) - 1 :
		     TALC_MAX_CHUNK;
		seq_printf(m, "%6u %12zu %12zu %8zu %12zu\n", b, lo, hi,
			   chunks, bytes);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(talc_bins);

/* ---- NAME/regions ---- */

struct talc_region_snap {
	void *base;
	size_t size;
	size_t used;
};

struct talc_region_walk {
	struct talc_region_snap *snap;
	unsigned int n;
	unsigned int last;
};

static int talc_region_walk_fn(void *data, const struct talc_chunk_info *ci)
{
	struct talc_region_walk *w = data;
	unsigned int i;

	if (!ci->used)
		return 0;
	if (w->snap[w->last].base != ci->region) {
		for (i = 0; i < w->n; i++)
			if (w->snap[i].base == ci->region)
				break;
		if (i == w->n)
			return 0;
		w->last = i;
	}
	w->snap[w->last].used += ci->size;
	return 0;
}

static int talc_regions_show(struct seq_file *m, void *unused)
{
	struct talc_heap *heap = m->private;
	struct talc_region_walk w = { };
	struct talc_region_node *r;
	unsigned long flags;
	unsigned int cap, i;
	int ret;

	spin_lock_irqsave(&heap->lock, flags);
	cap = heap->nregions + 8;
	spin_unlock_irqrestore(&heap->lock, flags);
	w.snap = kcalloc(cap, sizeof(*w.snap), GFP_KERNEL);
	if (!w.snap)
		return -ENOMEM;

	spin_lock_irqsave(&heap->lock, flags);
	list_for_each_entry(r, &heap->regions, node) {
		if (w.n == cap)
			break;
		w.snap[w.n].base = r->base;
		w.snap[w.n].size = r->size;
		w.n++;
	}
	ret = w.n ? talc_walk(&heap->core, talc_region_walk_fn, &w) : 0;
	spin_unlock_irqrestore(&heap->lock, flags);

	/* Raw addresses: this file is root-only (0400), like vmallocinfo. */
	seq_printf(m, "# %-16s %-18s %12s %12s\n", "start", "end", "size",
		   "allocated");
	for (i = 0; i < w.n; i++)
		seq_printf(m, "0x%016lx 0x%016lx %12zu %12zu\n",
			   (unsigned long)w.snap[i].base,
			   (unsigned long)w.snap[i].base + w.snap[i].size,
			   w.snap[i].size, w.snap[i].used);
	if (ret)
		seq_printf(m, "# walk stopped: %d (run check)\n", ret);
	kfree(w.snap);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(talc_regions);

/* ---- NAME/check ---- */

static int talc_check_show(struct seq_file *m, void *unused)
{
	char msg[TALC_CHECK_MSG_LEN];

	if (talc_heap_check(m->private, msg, sizeof(msg)))
		seq_printf(m, "%s\n", msg);
	else
		seq_puts(m, "ok\n");
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(talc_check);

/* ---- tunables ---- */

/*
 * simple_attr_write() gives -ERANGE for a number that overflows u64; a
 * tunable answers every bad value with -EINVAL.
 */
static ssize_t talc_attr_write(struct file *file, const char __user *buf,
			       size_t len, loff_t *ppos)
{
	ssize_t ret = debugfs_attr_write(file, buf, len, ppos);

	return ret == -ERANGE ? -EINVAL : ret;
}

/*
 * DEFINE_DEBUGFS_ATTRIBUTE() with talc_attr_write(): decimal u64 values,
 * validated by @__set; for debugfs_create_file_unsafe().
 */
#define TALC_DEBUGFS_ATTRIBUTE(__fops, __get, __set)			\
static int __fops ## _open(struct inode *inode, struct file *file)	\
{									\
	return simple_attr_open(inode, file, __get, __set, "%llu\n");	\
}									\
static const struct file_operations __fops = {				\
	.owner = THIS_MODULE,						\
	.open = __fops ## _open,					\
	.release = simple_attr_release,					\
	.read = debugfs_attr_read,					\
	.write = talc_attr_write,					\
}

static int talc_max_size_get(void *data, u64 *val)
{
	*val = READ_ONCE(((struct talc_heap *)data)->max_size);
	return 0;
}

static int talc_max_size_set(void *data, u64 val)
{
	return talc_heap_set_max_size(data, val);
}
TALC_DEBUGFS_ATTRIBUTE(talc_max_size_fops, talc_max_size_get,
		       talc_max_size_set);

static int talc_reclaim_get(void *data, u64 *val)
{
	*val = READ_ONCE(((struct talc_heap *)data)->reclaim_threshold);
	return 0;
}

static int talc_reclaim_set(void *data, u64 val)
{
	return talc_heap_set_reclaim_threshold(data, val);
}
TALC_DEBUGFS_ATTRIBUTE(talc_reclaim_fops, talc_reclaim_get,
		       talc_reclaim_set);

static int talc_grow_step_get(void *data, u64 *val)
{
	*val = READ_ONCE(((struct talc_heap *)data)->grow_step);
	return 0;
}

static int talc_grow_step_set(void *data, u64 val)
{
	return talc_heap_set_grow_step(data, val);
}
TALC_DEBUGFS_ATTRIBUTE(talc_grow_step_fops, talc_grow_step_get,
		       talc_grow_step_set);

static int talc_poison_get(void *data, u64 *val)
{
	*val = READ_ONCE(((struct talc_heap *)data)->core.poison);
	return 0;
}

static int talc_poison_set(void *data, u64 val)
{
	if (val > 1)
		return -EINVAL;
	talc_heap_set_poison(data, val);
	return 0;
}
TALC_DEBUGFS_ATTRIBUTE(talc_poison_fops, talc_poison_get, talc_poison_set);

static int talc_quick_depth_get(void *data, u64 *val)
{
	*val = READ_ONCE(((struct talc_heap *)data)->core.quick_depth);
	return 0;
}

static int talc_quick_depth_set(void *data, u64 val)
{
	if (val > TALC_QUICK_DEPTH_MAX)
		return -EINVAL;
	return talc_heap_set_quick_depth(data, val);
}
TALC_DEBUGFS_ATTRIBUTE(talc_quick_depth_fops, talc_quick_depth_get,
		       talc_quick_depth_set);

/* ---- setup ---- */

/* Called with talc_heaps_mutex held. */
void talc_debugfs_add_heap(struct talc_heap *heap)
{
	struct dentry *d;

	if (IS_ERR_OR_NULL(talc_debugfs_root))
		return;
	d = debugfs_create_dir(heap->name, talc_debugfs_root);
	heap->dir = d;
	debugfs_create_file("stats", 0444, d, heap, &talc_stats_fops);
	debugfs_create_file("bins", 0444, d, heap, &talc_bins_fops);
	debugfs_create_file("regions", 0400, d, heap, &talc_regions_fops);
	debugfs_create_file("check", 0444, d, heap, &talc_check_fops);
	debugfs_create_file_unsafe("max_size", 0644, d, heap,
				   &talc_max_size_fops);
	debugfs_create_file_unsafe("reclaim_threshold", 0644, d, heap,
				   &talc_reclaim_fops);
	debugfs_create_file_unsafe("grow_step", 0644, d, heap,
				   &talc_grow_step_fops);
	debugfs_create_file_unsafe("poison", 0644, d, heap,
				   &talc_poison_fops);
	debugfs_create_file_unsafe("quick_depth", 0644, d, heap,
				   &talc_quick_depth_fops);
}

/* Called with talc_heaps_mutex held; waits for running readers. */
void talc_debugfs_remove_heap(struct talc_heap *heap)
{
	debugfs_remove(heap->dir);
	heap->dir = NULL;
}

int talc_debugfs_init(void)
{
	talc_debugfs_root = debugfs_create_dir("talc", NULL);
	if (IS_ERR(talc_debugfs_root))
		return PTR_ERR(talc_debugfs_root);
	debugfs_create_file("heaps", 0444, talc_debugfs_root, NULL,
			    &talc_heaps_fops);
	debugfs_create_file("control", 0200, talc_debugfs_root, NULL,
			    &talc_control_fops);
	return 0;
}

void talc_debugfs_exit(void)
{
	debugfs_remove(talc_debugfs_root);
	talc_debugfs_root = NULL;
}
