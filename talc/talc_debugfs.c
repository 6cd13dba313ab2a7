// SPDX-License-Identifier: GPL-2.0
/*
 * talc_debugfs.c - /sys/kernel/debug/talc/
 *
 *   heaps              one row per heap (like /proc/slabinfo), after one
 *                      header line starting with "# name"
 *   control            write "create NAME SIZE [MAX] [OPTION...]" or
 *                      "destroy NAME"
 *   NAME/stats         "key: value" lines: every core counter, the
 *                      heap's own counters and its policy fields
 *   NAME/bins          each non-empty bin: size range, free chunks, bytes
 *                      (a "+" marks a bin longer than one batch)
 *   NAME/regions       each region: start, end, size, idle or not, owner
 *                      (heap, or owned [phys=] for a caller-owned range)
 *   NAME/check         reading runs the consistency check in steps: "ok"
 *                      or the first problem
 *   NAME/max_size, NAME/reclaim_threshold, NAME/grow_step, NAME/poison,
 *   NAME/quick_depth, NAME/natural_align
 *                      tunables (decimal; a bad value gives -EINVAL)
 *   NAME/max_lock_hold_ns  longest hold of the heap's lock; write 0 to reset
 *   NAME/fail_grow     fault injection on growth: "PROBABILITY INTERVAL
 *                      TIMES", as the kernel's fault_attr (percent, every
 *                      n-th growth, most failures or -1); 0 ... turns it off
 *   NAME/cache         the per-CPU caches: a row per possible CPU (chunks
 *                      and bytes held, hits, misses, frees, refills,
 *                      drains, double frees, corrupt chunks); writing
 *                      "drain" drains every CPU's cache
 *   NAME/cache_limit   bytes all CPUs' caches may hold; 0 turns them off
 *   NAME/init_on_alloc, NAME/init_on_free
 *                      memory-init policy: 0 off, 1 on, 2 the kernel's
 *                      init_on_alloc= / init_on_free= (default)
 *
 * This file uses only the heap layer (talc_heap.h, talc_internal.h): every
 * read takes the heap's lock for a bounded batch at a time.  The names
 * "heaps" and "control" are reserved: no heap may take them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
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

	seq_printf(m, "# %-14s %12s %12s %12s %12s %5s %9s %12s %8s %9s %7s %5s\n",
		   "name", "claimed", "allocated", "free", "largest", "frag%",
		   "live", "total", "failures", "bad_frees", "regions",
		   "owned");
	mutex_lock(&talc_heaps_mutex);
	list_for_each_entry(heap, &talc_heaps, list) {
		struct talc_heap_info info;

		talc_heap_stats(heap, &st);
		talc_heap_get_info(heap, &info);
		/* owned: regions that are caller-owned ranges */
		seq_printf(m, "%-16s %12zu %12zu %12zu %12zu %5u %9zu %12llu %8llu %9llu %7zu %5u\n",
			   talc_heap_name(heap), st.claimed_bytes,
			   st.allocated_bytes,
			   st.available_bytes, st.largest_free_chunk,
			   talc_frag_pct(&st), st.allocation_count,
			   st.total_allocation_count, st.failed_allocations,
			   st.bad_frees, st.region_count, info.mem_ranges);
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

	if (cmd.op == TALC_CTL_CREATE) {
		heap = talc_heap_create_owned(cmd.spec.name, cmd.spec.size,
					      cmd.spec.max_size,
					      cmd.spec.hardened);
		ret = PTR_ERR_OR_ZERO(heap);
		if (!ret)
			talc_heap_set_natural_align(heap, cmd.spec.natural_align);
	} else {
		ret = talc_heap_destroy_owned(cmd.spec.name);
	}
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
	struct talc_heap_info info;
	struct talc_stats st;
	int i;

	talc_heap_stats(heap, &st);
	talc_heap_get_info(heap, &info);
	seq_printf(m, "name: %s\n", talc_heap_name(heap));
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
	seq_printf(m, "idle_regions: %zu\n", st.idle_regions);
	seq_printf(m, "peak_allocated_bytes: %zu\n", st.peak_allocated_bytes);
	seq_printf(m, "bad_frees: %llu\n", st.bad_frees);
	seq_printf(m, "poison_errors: %llu\n", st.poison_errors);
	seq_printf(m, "link_errors: %llu\n", st.link_errors);
	seq_printf(m, "quick_chunks: %zu\n", st.quick_chunks);
	seq_printf(m, "quick_bytes: %zu\n", st.quick_bytes);
	for (i = 0; i < TALC_HEAP_NR_STATS; i++)
		seq_printf(m, "%s: %llu\n", talc_heap_stat_names[i],
			   info.stat[i]);
	seq_printf(m, "init_on_alloc: %u\n", info.init_on_alloc);
	seq_printf(m, "init_on_free: %u\n", info.init_on_free);
	seq_printf(m, "cache_limit: %zu\n", info.cache_limit);
	seq_printf(m, "cache_chunks: %zu\n", info.cache.chunks);
	seq_printf(m, "cache_bytes: %zu\n", info.cache.bytes);
	for (i = 0; i < TALC_CACHE_NR_STATS; i++)
		seq_printf(m, "cache_%s: %llu\n", talc_cache_stat_names[i],
			   info.cache.stat[i]);
	seq_printf(m, "growing_bytes: %zu\n", info.growing);
	seq_printf(m, "max_lock_hold_ns: %llu\n", info.max_hold_ns);
	seq_printf(m, "max_lock_hold_site: %pS\n", (void *)info.max_hold_site);
	seq_printf(m, "initial_size: %zu\n", info.size);
	seq_printf(m, "max_size: %zu\n", info.max_size);
	seq_printf(m, "grow_step: %zu\n", info.grow_step);
	seq_printf(m, "reclaim_threshold: %zu\n", info.reclaim_threshold);
	seq_printf(m, "poison: %d\n", info.poison);
	seq_printf(m, "quick_depth: %u\n", info.quick_depth);
	seq_printf(m, "natural_align: %d\n", info.natural_align);
	seq_printf(m, "hardened: %d\n", info.hardened);
	seq_printf(m, "references: %u\n", info.refs);
	seq_printf(m, "owner: %s\n", info.owned ? "module" : "api");
	seq_printf(m, "owned_ranges: %u\n", info.mem_ranges);
	seq_printf(m, "owned_bytes: %zu\n", info.mem_bytes);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(talc_stats);

/* ---- NAME/bins ---- */

static int talc_bins_show(struct seq_file *m, void *unused)
{
	struct talc_heap *heap = m->private;
	size_t chunks, bytes, lo, hi;
	unsigned int b;
	bool all;

	seq_printf(m, "# %4s %12s %12s %8s %12s\n", "bin", "min_size",
		   "max_size", "chunks", "bytes");
	for (b = 0; b < TALC_BIN_COUNT; b++) {
		all = talc_heap_bin_stats(heap, b, &chunks, &bytes);
		if (!chunks)
			continue;
		lo = talc_bin_min_size(b);
		hi = b + 1 < TALC_BIN_COUNT ? talc_bin_min_size(b + 1) - 1 :
		     TALC_MAX_CHUNK;
		seq_printf(m, "%6u %12zu %12zu %8zu%s %12zu%s\n", b, lo, hi,
			   chunks, all ? "" : "+", bytes, all ? "" : "+");
		cond_resched();
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(talc_bins);

/* ---- NAME/regions ---- */

static int talc_regions_show(struct seq_file *m, void *unused)
{
	struct talc_region_info ri[TALC_REGION_BATCH];
	struct talc_heap *heap = m->private;
	const void *after = NULL;
	int i, n;

	/* Raw addresses: this file is root-only (0400), like vmallocinfo. */
	seq_printf(m, "# %-16s %-18s %12s %-4s %s\n", "start", "end", "size",
		   "idle", "owner");
	do {
		n = talc_heap_regions(heap, after, ri, ARRAY_SIZE(ri));
		for (i = 0; i < n; i++) {
			phys_addr_t phys;

			seq_printf(m, "0x%016lx 0x%016lx %12zu %-4s ",
				   (unsigned long)ri[i].base,
				   (unsigned long)ri[i].base + ri[i].size,
				   ri[i].size, ri[i].idle ? "yes" : "no");
			/* owned: the caller's range (talc_heap_create_mem()) */
			if (!talc_heap_mem_region(heap, ri[i].base, &phys))
				seq_puts(m, "heap\n");
			else if (phys == TALC_PHYS_NONE)
				seq_puts(m, "owned\n");
			else
				seq_printf(m, "owned phys=%pa\n", &phys);
		}
		if (n)
			after = ri[n - 1].base;
		cond_resched();
	} while (n == ARRAY_SIZE(ri));
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

/* ---- NAME/cache ---- */

static int talc_cache_show(struct seq_file *m, void *unused)
{
	struct talc_heap *heap = m->private;
	struct talc_cache_info ci;
	unsigned int cpu, i;

	seq_printf(m, "# %-4s %6s %8s %10s", "cpu", "online", "chunks",
		   "bytes");
	for (i = 0; i < TALC_CACHE_NR_STATS; i++)
		seq_printf(m, " %12s", talc_cache_stat_names[i]);
	seq_putc(m, '\n');
	for_each_possible_cpu(cpu) {
		talc_heap_cache_info(heap, cpu, &ci);
		seq_printf(m, "%6u %6d %8zu %10zu", cpu, cpu_online(cpu),
			   ci.chunks, ci.bytes);
		for (i = 0; i < TALC_CACHE_NR_STATS; i++)
			seq_printf(m, " %12llu", ci.stat[i]);
		seq_putc(m, '\n');
		cond_resched();
	}
	return 0;
}

static int talc_cache_open(struct inode *inode, struct file *file)
{
	return single_open(file, talc_cache_show, inode->i_private);
}

/* "drain" (with or without a newline): every CPU gives its chunks back. */
static ssize_t talc_cache_write(struct file *file, const char __user *ubuf,
				size_t len, loff_t *ppos)
{
	struct seq_file *m = file->private_data;
	char buf[8];

	if (*ppos || !len || len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (strcmp(buf, "drain") && strcmp(buf, "drain\n"))
		return -EINVAL;
	talc_heap_cache_drain(m->private);
	return len;
}

static const struct file_operations talc_cache_fops = {
	.owner = THIS_MODULE,
	.open = talc_cache_open,
	.read = seq_read,
	.write = talc_cache_write,
	.llseek = seq_lseek,
	.release = single_release,
};

/* ---- tunables ---- */

/* Longest value a tunable accepts: 20 decimal digits and a newline. */
#define TALC_TUNABLE_MAX	21

static ssize_t talc_tunable_read(char __user *ubuf, size_t len, loff_t *ppos,
				 u64 val)
{
	char buf[TALC_TUNABLE_MAX + 1];
	int n = scnprintf(buf, sizeof(buf), "%llu\n", val);

	return simple_read_from_buffer(ubuf, len, ppos, buf, n);
}

/*
 * One decimal number, written whole: hex, octal, signs, garbage and input
 * longer than TALC_TUNABLE_MAX give -EINVAL and change nothing.
 */
static int talc_tunable_parse(const char __user *ubuf, size_t len,
			      loff_t *ppos, u64 *val)
{
	char buf[TALC_TUNABLE_MAX + 1];

	if (*ppos || !len || len > TALC_TUNABLE_MAX)
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (!isdigit(buf[0]) || (buf[0] == '0' && isdigit(buf[1])))
		return -EINVAL;
	return kstrtou64(buf, 10, val) ? -EINVAL : 0;
}

/* A file reading talc_heap_info.@field and writing it through @set. */
#define TALC_TUNABLE(field, set)					\
static ssize_t talc_##field##_read(struct file *file, char __user *ubuf, \
				   size_t len, loff_t *ppos)		\
{									\
	struct talc_heap_info info;					\
									\
	talc_heap_get_info(file->private_data, &info);			\
	return talc_tunable_read(ubuf, len, ppos, info.field);		\
}									\
static ssize_t talc_##field##_write(struct file *file,			\
				    const char __user *ubuf, size_t len, \
				    loff_t *ppos)			\
{									\
	u64 val;							\
	int ret = talc_tunable_parse(ubuf, len, ppos, &val);		\
									\
	if (!ret)							\
		ret = set(file->private_data, val);			\
	return ret ? ret : len;						\
}									\
static const struct file_operations talc_##field##_fops = {		\
	.owner = THIS_MODULE,						\
	.open = simple_open,						\
	.read = talc_##field##_read,					\
	.write = talc_##field##_write,					\
	.llseek = default_llseek,					\
}

static int talc_tn_max_size(struct talc_heap *heap, u64 val)
{
	return talc_heap_set_max_size(heap, val);
}

TALC_TUNABLE(max_size, talc_tn_max_size);

static int talc_tn_reclaim(struct talc_heap *heap, u64 val)
{
	return talc_heap_set_reclaim_threshold(heap, val);
}

TALC_TUNABLE(reclaim_threshold, talc_tn_reclaim);

static int talc_tn_grow_step(struct talc_heap *heap, u64 val)
{
	return talc_heap_set_grow_step(heap, val);
}

TALC_TUNABLE(grow_step, talc_tn_grow_step);

static int talc_tn_poison(struct talc_heap *heap, u64 val)
{
	if (val > 1)
		return -EINVAL;
	talc_heap_set_poison(heap, val);
	return 0;
}

TALC_TUNABLE(poison, talc_tn_poison);

static int talc_tn_quick_depth(struct talc_heap *heap, u64 val)
{
	if (val > TALC_QUICK_DEPTH_MAX)
		return -EINVAL;
	return talc_heap_set_quick_depth(heap, val);
}

TALC_TUNABLE(quick_depth, talc_tn_quick_depth);

static int talc_tn_natural_align(struct talc_heap *heap, u64 val)
{
	if (val > 1)
		return -EINVAL;
	return talc_heap_set_natural_align(heap, val);
}

TALC_TUNABLE(natural_align, talc_tn_natural_align);

static int talc_tn_cache_limit(struct talc_heap *heap, u64 val)
{
	return talc_heap_set_cache(heap, val);
}

TALC_TUNABLE(cache_limit, talc_tn_cache_limit);

/* 0 off, 1 on, 2 the kernel's init_on_alloc= / init_on_free= */
static int talc_tn_init_on_alloc(struct talc_heap *heap, u64 val)
{
	struct talc_heap_info info;

	talc_heap_get_info(heap, &info);
	return val > TALC_INIT_KERNEL ? -EINVAL :
	       talc_heap_set_init(heap, val, info.init_on_free);
}

TALC_TUNABLE(init_on_alloc, talc_tn_init_on_alloc);

static int talc_tn_init_on_free(struct talc_heap *heap, u64 val)
{
	struct talc_heap_info info;

	talc_heap_get_info(heap, &info);
	return val > TALC_INIT_KERNEL ? -EINVAL :
	       talc_heap_set_init(heap, info.init_on_alloc, val);
}

TALC_TUNABLE(init_on_free, talc_tn_init_on_free);

static int talc_reset_max_hold(struct talc_heap *heap, u64 val)
{
	if (val)
		return -EINVAL;
	talc_heap_reset_max_hold(heap);
	return 0;
}

TALC_TUNABLE(max_hold_ns, talc_reset_max_hold);

/* ---- NAME/fail_grow: "PROBABILITY INTERVAL TIMES" ---- */

static ssize_t talc_fail_grow_read(struct file *file, char __user *ubuf,
				   size_t len, loff_t *ppos)
{
	struct talc_fault f;
	char buf[64];
	int n;

	talc_heap_get_fault(file->private_data, &f);
	n = scnprintf(buf, sizeof(buf), "%u %u %d\n", f.probability,
		      f.interval, f.times);
	return simple_read_from_buffer(ubuf, len, ppos, buf, n);
}

/*
 * Three decimal numbers, as the kernel's fault_attr: percent of growths
 * to fail (0 turns it off), every INTERVAL-th growth eligible, TIMES
 * failures at most (-1: no limit).  Anything else is -EINVAL.
 */
static ssize_t talc_fail_grow_write(struct file *file,
				    const char __user *ubuf, size_t len,
				    loff_t *ppos)
{
	struct talc_fault f = { };
	char buf[64], end;
	int ret;

	if (*ppos || !len || len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (buf[len - 1] == '\n')
		buf[len - 1] = '\0';
	/* exactly three numbers: a fourth conversion is trailing junk */
	if (sscanf(buf, "%u %u %d%c", &f.probability, &f.interval, &f.times,
		   &end) != 3)
		return -EINVAL;
	ret = talc_heap_set_fault(file->private_data, &f);
	return ret ? ret : len;
}

static const struct file_operations talc_fail_grow_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = talc_fail_grow_read,
	.write = talc_fail_grow_write,
	.llseek = default_llseek,
};

/* ---- setup ---- */

/* Names of the files in the root: no heap may take them. */
static const char *const talc_debugfs_reserved[] = { "heaps", "control" };

bool talc_debugfs_name_ok(const char *name)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(talc_debugfs_reserved); i++)
		if (!strcmp(name, talc_debugfs_reserved[i]))
			return false;
	return true;
}

/* Called with talc_heaps_mutex held. */
void talc_debugfs_add_heap(struct talc_heap *heap)
{
	struct dentry *d;

	if (IS_ERR_OR_NULL(talc_debugfs_root))
		return;
	d = debugfs_create_dir(talc_heap_name(heap), talc_debugfs_root);
	heap->dir = d;
	debugfs_create_file("stats", 0444, d, heap, &talc_stats_fops);
	debugfs_create_file("bins", 0444, d, heap, &talc_bins_fops);
	debugfs_create_file("regions", 0400, d, heap, &talc_regions_fops);
	debugfs_create_file("check", 0444, d, heap, &talc_check_fops);
	debugfs_create_file("max_size", 0644, d, heap, &talc_max_size_fops);
	debugfs_create_file("reclaim_threshold", 0644, d, heap,
			    &talc_reclaim_threshold_fops);
	debugfs_create_file("grow_step", 0644, d, heap, &talc_grow_step_fops);
	debugfs_create_file("poison", 0644, d, heap, &talc_poison_fops);
	debugfs_create_file("quick_depth", 0644, d, heap,
			    &talc_quick_depth_fops);
	debugfs_create_file("natural_align", 0644, d, heap,
			    &talc_natural_align_fops);
	debugfs_create_file("fail_grow", 0644, d, heap, &talc_fail_grow_fops);
	debugfs_create_file("cache", 0644, d, heap, &talc_cache_fops);
	debugfs_create_file("cache_limit", 0644, d, heap,
			    &talc_cache_limit_fops);
	debugfs_create_file("init_on_alloc", 0644, d, heap,
			    &talc_init_on_alloc_fops);
	debugfs_create_file("init_on_free", 0644, d, heap,
			    &talc_init_on_free_fops);
	debugfs_create_file("max_lock_hold_ns", 0644, d, heap,
			    &talc_max_hold_ns_fops);
}

/* Called with talc_heaps_mutex held; waits for running readers. */
void talc_debugfs_remove_heap(struct talc_heap *heap)
{
	debugfs_remove(heap->dir);
	heap->dir = NULL;
}

static struct dentry *talc_debugfs_control;

int talc_debugfs_init(void)
{
	talc_debugfs_root = debugfs_create_dir("talc", NULL);
	if (IS_ERR(talc_debugfs_root))
		return PTR_ERR(talc_debugfs_root);
	debugfs_create_file("heaps", 0444, talc_debugfs_root, NULL,
			    &talc_heaps_fops);
	return 0;
}

/* control comes last at init and goes first at exit (see talc_heap.c). */
void talc_debugfs_add_control(void)
{
	if (IS_ERR_OR_NULL(talc_debugfs_root))
		return;
	talc_debugfs_control = debugfs_create_file("control", 0200,
						   talc_debugfs_root, NULL,
						   &talc_control_fops);
}

void talc_debugfs_remove_control(void)
{
	debugfs_remove(talc_debugfs_control);
	talc_debugfs_control = NULL;
}

void talc_debugfs_exit(void)
{
	debugfs_remove(talc_debugfs_root);
	talc_debugfs_root = NULL;
}
