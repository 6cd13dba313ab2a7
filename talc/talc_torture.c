// SPDX-License-Identifier: GPL-2.0
/*
 * talc_torture.c - stress talc heaps through the exported API, in the manner
 * of kernel/locking/locktorture.c.
 *
 *   insmod talc_torture.ko heap=alpha,beta threads=4 ops=100000 max_size=4096
 *
 * Module init starts @threads kthreads (spread over the heaps named in @heap,
 * round robin; without @heap a private heap "talc_torture" is created and
 * destroyed again), waits until they are done and returns.  Each thread owns
 * @slots slots and, per operation, picks a random slot: an empty slot gets a
 * talc_heap_alloc(), talc_heap_alloc_aligned() or __GFP_ZERO allocation (sometimes
 * GFP_ATOMIC in atomic context: under a spinlock of the thread's own, taken
 * with spin_lock_irqsave()), a full one is verified and then freed or
 * talc_heap_realloc()'d.  Meanwhile an hrtimer per heap (every @irq_us
 * microseconds) frees and allocates a block from hardirq context.  Every
 * block carries a header word naming its slot and a fill byte; both are
 * verified before a free and after a realloc, alignment and
 * talc_heap_usable_size() are checked after each allocation.  At
 * the end every block is freed and each heap's live allocation count must be
 * back where it started (so the heaps must not be used by anyone else while
 * the test runs).  Running out of memory is not an error (it is counted).
 *
 * Result: one "talc_torture: heap=NAME ... errors=N" line per heap and a
 * total line.  Any error is also reported with pr_err, and module init then
 * fails with -EIO, so insmod fails visibly; on success init returns 0 and the
 * module stays loaded until rmmod (it holds no heap references by then).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/completion.h>
#include <linux/ktime.h>
#include <linux/jiffies.h>
#include <linux/err.h>
#include <linux/sched.h>
#include <linux/hrtimer.h>
#include <linux/spinlock.h>
#include "talc_heap.h"

static char *heap;
module_param(heap, charp, 0444);
MODULE_PARM_DESC(heap, "Comma-separated heap names (default: a private heap)");
static unsigned long ops = 100000;
module_param(ops, ulong, 0444);
MODULE_PARM_DESC(ops, "Operations per thread (0: until duration ends)");
static unsigned int duration;
module_param(duration, uint, 0444);
MODULE_PARM_DESC(duration, "Stop after this many seconds (0: no limit)");
static int threads = 2;
module_param(threads, int, 0444);
MODULE_PARM_DESC(threads, "Number of torture threads");
static unsigned int max_size = 4096;
module_param(max_size, uint, 0444);
MODULE_PARM_DESC(max_size, "Largest allocation in bytes (>= 16)");
static unsigned int slots = 256;
module_param(slots, uint, 0444);
MODULE_PARM_DESC(slots, "Live blocks per thread at most");
static unsigned long seed;
module_param(seed, ulong, 0444);
MODULE_PARM_DESC(seed, "Random seed (0: pick one; printed in the summary)");
static unsigned int irq_us = 1000;
module_param(irq_us, uint, 0444);
MODULE_PARM_DESC(irq_us, "Period of the hardirq-context allocator per heap in microseconds (0: off)");

#define TORTURE_MAX_HEAPS	8
#define TORTURE_MAX_THREADS	64
#define TORTURE_MAX_SLOTS	65536
#define TORTURE_MAX_ALIGN	4096
#define TORTURE_MAGIC		0x7a1c7a1c00000000ULL
#define TORTURE_REPORT_MAX	10	/* pr_err lines per thread */

struct torture_slot {
	u8 *p;
	size_t size;
	u8 fill;
};

struct torture_heap {
	struct talc_heap *heap;
	const char *name;
	bool own;
	size_t live_before;
	u64 allocs, aligned, zeroed, reallocs, frees, nomem, errors;
	/* the hardirq-context user: an hrtimer that swaps one block */
	struct hrtimer timer;
	u8 *irq_p;
	size_t irq_size;
	u8 irq_fill;
	u64 irq_allocs, irq_nomem, irq_errors;
};

struct torture_thread {
	struct task_struct *task;
	struct torture_heap *th;
	int id;
	struct rnd_state rnd;
	struct torture_slot *slot;
	struct completion done;
	spinlock_t atomic_lock;	/* held around the atomic-context allocations */
	u64 ops, allocs, aligned, zeroed, reallocs, frees, nomem, errors;
	int reported;
};

static struct torture_heap theaps[TORTURE_MAX_HEAPS];
static int nheaps;
static bool torture_stop;
static u64 deadline_ns;

static __printf(2, 3) void terr(struct torture_thread *t, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	t->errors++;
	if (t->reported++ >= TORTURE_REPORT_MAX)
		return;
	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	pr_err("heap %s thread %d: %pV\n", t->th->name, t->id, &vaf);
	va_end(args);
}

static u32 trand(struct torture_thread *t, u32 n)
{
	return n ? prandom_u32_state(&t->rnd) % n : 0;
}

/* Sizes: half small (<= 128 bytes), the rest up to max_size. */
static size_t torture_size(struct torture_thread *t)
{
	if (trand(t, 2))
		return 1 + trand(t, min_t(u32, 128, max_size));
	return 1 + trand(t, max_size);
}

static u64 slot_tag(struct torture_thread *t, unsigned int i)
{
	return TORTURE_MAGIC | ((u64)t->id << 20) | i;
}

static void slot_fill(struct torture_thread *t, unsigned int i)
{
	struct torture_slot *s = &t->slot[i];
	u64 tag = slot_tag(t, i);

	s->fill = (u8)trand(t, 256);
	memset(s->p, s->fill, s->size);
	memcpy(s->p, &tag, min_t(size_t, sizeof(tag), s->size));
}

/* Verify the first @len bytes of slot @i against its tag and fill byte. */
static bool slot_verify(struct torture_thread *t, unsigned int i, size_t len,
			const char *when)
{
	struct torture_slot *s = &t->slot[i];
	u64 tag = slot_tag(t, i);
	size_t n = min_t(size_t, sizeof(tag), len);
	u8 *bad;

	if (memcmp(s->p, &tag, n)) {
		terr(t, "slot %u %p size %zu: header word overwritten %s",
		     i, s->p, s->size, when);
		return false;
	}
	bad = memchr_inv(s->p + n, s->fill, len - n);
	if (bad) {
		terr(t, "slot %u %p size %zu: byte %td is %#x, want %#x %s",
		     i, s->p, s->size, bad - s->p, *bad, s->fill, when);
		return false;
	}
	return true;
}

static void check_new(struct torture_thread *t, void *p, size_t size,
		      size_t align, const char *what)
{
	size_t usable = talc_heap_usable_size(t->th->heap, p);

	if (!IS_ALIGNED((unsigned long)p, align))
		terr(t, "%s(%zu, align %zu) returned misaligned %p",
		     what, size, align, p);
	if (usable < size)
		terr(t, "%s(%zu) %p: usable size %zu too small",
		     what, size, p, usable);
}

static void torture_alloc(struct torture_thread *t, unsigned int i)
{
	struct torture_slot *s = &t->slot[i];
	struct talc_heap *h = t->th->heap;
	size_t size = torture_size(t);
	size_t align = 8;
	u32 kind = trand(t, 100);
	gfp_t gfp = trand(t, 8) ? GFP_KERNEL : GFP_ATOMIC;
	unsigned long flags;
	void *p;

	if (kind < 25) {
		align = 8UL << trand(t, 10);	/* 8 .. 4096 */
		p = talc_heap_alloc_aligned(h, size, align, gfp);
		if (p)
			t->aligned++;
	} else if (kind < 40) {
		p = talc_heap_alloc(h, size, gfp | __GFP_ZERO);
		if (p) {
			t->zeroed++;
			if (memchr_inv(p, 0, size))
				terr(t, "__GFP_ZERO block %p size %zu not zeroed",
				     p, size);
		}
	} else if (kind < 46) {
		/*
		 * Atomic context as a driver gets into it: holding its own
		 * spinlock_t with spin_lock_irqsave().  Without PREEMPT_RT that
		 * disables interrupts and preemption, so GFP_ATOMIC must not
		 * sleep and the heap's lock nests inside an irqs-off section.
		 * With PREEMPT_RT both locks are sleeping locks, which nest
		 * validly; a bare local_irq_save() (or preempt_disable()) here
		 * would be invalid, because the heap's spinlock_t may sleep.
		 * The lock is per thread, so it never contends.
		 */
		spin_lock_irqsave(&t->atomic_lock, flags);
		p = talc_heap_alloc(h, size, GFP_ATOMIC);
		spin_unlock_irqrestore(&t->atomic_lock, flags);
	} else {
		p = talc_heap_alloc(h, size, gfp);
	}
	if (!p) {
		t->nomem++;
		return;
	}
	t->allocs++;
	check_new(t, p, size, align, "alloc");
	s->p = p;
	s->size = size;
	slot_fill(t, i);
}

static void torture_free(struct torture_thread *t, unsigned int i)
{
	struct torture_slot *s = &t->slot[i];

	slot_verify(t, i, s->size, "before free");
	talc_heap_free(t->th->heap, s->p);
	t->frees++;
	s->p = NULL;
}

static void torture_realloc(struct torture_thread *t, unsigned int i)
{
	struct torture_slot *s = &t->slot[i];
	size_t size = torture_size(t);
	gfp_t gfp = trand(t, 8) ? GFP_KERNEL : GFP_ATOMIC;
	bool zero = !trand(t, 4);
	size_t old_usable;
	u8 *p, *bad;

	if (!slot_verify(t, i, s->size, "before realloc"))
		return;
	if (zero) {
		/*
		 * krealloc's contract for __GFP_ZERO: the caller zeroed the
		 * old block up to its usable size, realloc zeroes the rest.
		 */
		old_usable = talc_heap_usable_size(t->th->heap, s->p);
		memset(s->p + s->size, 0, old_usable - s->size);
		gfp |= __GFP_ZERO;
	}
	p = talc_heap_realloc(t->th->heap, s->p, size, gfp);
	if (!p) {
		/* krealloc semantics: the old block is untouched */
		t->nomem++;
		slot_verify(t, i, s->size, "after failed realloc");
		return;
	}
	t->reallocs++;
	check_new(t, p, size, 8, "realloc");
	s->p = p;
	slot_verify(t, i, min(s->size, size), "after realloc");
	if (zero && size > s->size) {
		bad = memchr_inv(p + s->size, 0, size - s->size);
		if (bad)
			terr(t, "realloc(__GFP_ZERO) %p %zu -> %zu: byte %td is %#x, not 0",
			     p, s->size, size, bad - p, *bad);
	}
	s->size = size;
	slot_fill(t, i);
}

/*
 * Hardirq context (hrtimer): check and free the block of the last tick, then
 * allocate a new one with GFP_ATOMIC, so the heap's lock is taken from
 * interrupts too while the threads hold it in process context.  (With
 * PREEMPT_RT a timer not started with HRTIMER_MODE_HARD expires in softirq
 * context instead, where taking the heap's spinlock_t is allowed.)
 */
static enum hrtimer_restart torture_irq_fn(struct hrtimer *timer)
{
	struct torture_heap *th = container_of(timer, struct torture_heap, timer);
	u8 *p;

	if (th->irq_p) {
		if (memchr_inv(th->irq_p, th->irq_fill, th->irq_size))
			th->irq_errors++;
		talc_heap_free(th->heap, th->irq_p);
		th->irq_p = NULL;
	}
	if (READ_ONCE(torture_stop))
		return HRTIMER_NORESTART;
	th->irq_size = 16 + (th->irq_allocs % 241);
	th->irq_fill = (u8)(th->irq_allocs * 37 + 1);
	p = talc_heap_alloc(th->heap, th->irq_size, GFP_ATOMIC);
	if (p) {
		memset(p, th->irq_fill, th->irq_size);
		th->irq_p = p;
		th->irq_allocs++;
	} else {
		th->irq_nomem++;
	}
	hrtimer_forward_now(timer, ns_to_ktime((u64)irq_us * NSEC_PER_USEC));
	return HRTIMER_RESTART;
}

static void torture_irq_start(struct torture_heap *th)
{
	if (!irq_us)
		return;
	hrtimer_init(&th->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	th->timer.function = torture_irq_fn;
	hrtimer_start(&th->timer, ns_to_ktime((u64)irq_us * NSEC_PER_USEC),
		      HRTIMER_MODE_REL);
}

static void torture_irq_stop(struct torture_heap *th)
{
	if (!irq_us)
		return;
	hrtimer_cancel(&th->timer);
	if (th->irq_p) {
		if (memchr_inv(th->irq_p, th->irq_fill, th->irq_size))
			th->irq_errors++;
		talc_heap_free(th->heap, th->irq_p);
		th->irq_p = NULL;
	}
	if (th->irq_errors)
		pr_err("heap %s: %llu block(s) allocated in hardirq context were overwritten\n",
		       th->name, th->irq_errors);
	th->errors += th->irq_errors;
}

static bool torture_done(struct torture_thread *t)
{
	if (READ_ONCE(torture_stop) || kthread_should_stop())
		return true;
	if (ops && t->ops >= ops)
		return true;
	return deadline_ns && !(t->ops & 63) && ktime_get_ns() >= deadline_ns;
}

static int torture_thread_fn(void *arg)
{
	struct torture_thread *t = arg;
	unsigned int i;

	while (!torture_done(t)) {
		i = trand(t, slots);
		if (!t->slot[i].p)
			torture_alloc(t, i);
		else if (trand(t, 10) < 7)
			torture_free(t, i);
		else
			torture_realloc(t, i);
		t->ops++;
		if (!(t->ops & 31))
			cond_resched();
	}
	for (i = 0; i < slots; i++)
		if (t->slot[i].p)
			torture_free(t, i);
	complete(&t->done);
	/* stay until kthread_stop(), so the task is there to be stopped */
	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ / 10);
	return 0;
}

static int torture_get_heaps(void)
{
	char *names, *cur, *tok;
	struct talc_heap *h;
	int ret = 0;

	if (!heap || !*heap) {
		h = talc_heap_create("talc_torture", 1 << 20, 16 << 20);
		if (IS_ERR(h)) {
			pr_err("cannot create heap talc_torture: %ld\n", PTR_ERR(h));
			return PTR_ERR(h);
		}
		theaps[0] = (struct torture_heap){ .heap = h, .own = true,
						    .name = "talc_torture" };
		nheaps = 1;
		return 0;
	}
	names = kstrdup(heap, GFP_KERNEL);
	if (!names)
		return -ENOMEM;
	cur = names;
	while ((tok = strsep(&cur, ",")) != NULL) {
		if (!*tok)
			continue;
		if (nheaps == TORTURE_MAX_HEAPS) {
			pr_err("more than %d heaps\n", TORTURE_MAX_HEAPS);
			ret = -EINVAL;
			break;
		}
		h = talc_heap_get(tok);
		if (IS_ERR_OR_NULL(h)) {
			pr_err("no heap named %s\n", tok);
			ret = -ENOENT;
			break;
		}
		theaps[nheaps].heap = h;
		theaps[nheaps].own = false;
		theaps[nheaps].name = talc_heap_name(h);
		nheaps++;
	}
	kfree(names);
	if (!ret && !nheaps) {
		pr_err("heap= names no heap\n");
		ret = -EINVAL;
	}
	return ret;
}

static void torture_put_heaps(void)
{
	int i, ret;

	for (i = 0; i < nheaps; i++) {
		if (theaps[i].own) {
			ret = talc_heap_destroy(theaps[i].heap);
			if (ret) {
				pr_err("heap %s: destroy failed: %d\n",
				       theaps[i].name, ret);
				theaps[i].errors++;
			}
		} else {
			talc_heap_put(theaps[i].heap);
		}
	}
}

static int __init talc_torture_init(void)
{
	struct torture_thread *tt;
	struct talc_stats st;
	u64 start, errors = 0, total_ops = 0;
	unsigned long ms = 0;
	int i, ret, started = 0;

	if (threads < 1 || threads > TORTURE_MAX_THREADS || max_size < 16 ||
	    slots < 1 || slots > TORTURE_MAX_SLOTS || (!ops && !duration)) {
		pr_err("bad parameters: threads=%d (1..%d) max_size=%u (>= 16) slots=%u (1..%d) ops=%lu duration=%u (not both 0)\n",
		       threads, TORTURE_MAX_THREADS, max_size, slots,
		       TORTURE_MAX_SLOTS, ops, duration);
		return -EINVAL;
	}
	if (!seed)
		seed = get_random_u32() | 1;

	nheaps = 0;
	WRITE_ONCE(torture_stop, false);
	ret = torture_get_heaps();
	if (ret)
		goto out_put;
	for (i = 0; i < nheaps; i++) {
		talc_heap_stats(theaps[i].heap, &st);
		theaps[i].live_before = st.allocation_count;
	}

	tt = kcalloc(threads, sizeof(*tt), GFP_KERNEL);
	if (!tt) {
		ret = -ENOMEM;
		goto out_put;
	}
	start = ktime_get_ns();
	deadline_ns = duration ? start + (u64)duration * NSEC_PER_SEC : 0;
	for (i = 0; i < nheaps; i++)
		torture_irq_start(&theaps[i]);
	for (i = 0; i < threads; i++) {
		struct torture_thread *t = &tt[i];

		t->id = i;
		t->th = &theaps[i % nheaps];
		prandom_seed_state(&t->rnd, seed + i);
		init_completion(&t->done);
		spin_lock_init(&t->atomic_lock);
		t->slot = kvcalloc(slots, sizeof(*t->slot), GFP_KERNEL);
		if (!t->slot) {
			ret = -ENOMEM;
			break;
		}
		t->task = kthread_run(torture_thread_fn, t, "talc_torture/%d", i);
		if (IS_ERR(t->task)) {
			ret = PTR_ERR(t->task);
			t->task = NULL;
			break;
		}
		started++;
	}
	if (ret)
		WRITE_ONCE(torture_stop, true);

	for (i = 0; i < started; i++) {
		if (wait_for_completion_killable(&tt[i].done)) {
			/* insmod was killed: stop early, still clean up */
			WRITE_ONCE(torture_stop, true);
			wait_for_completion(&tt[i].done);
		}
	}
	WRITE_ONCE(torture_stop, true);
	for (i = 0; i < nheaps; i++)
		torture_irq_stop(&theaps[i]);
	ms = div_u64(ktime_get_ns() - start, NSEC_PER_MSEC);

	for (i = 0; i < threads; i++) {
		struct torture_thread *t = &tt[i];
		struct torture_heap *th = t->th;

		if (t->task)
			kthread_stop(t->task);
		kvfree(t->slot);
		if (!th)
			continue;
		th->allocs += t->allocs;
		th->aligned += t->aligned;
		th->zeroed += t->zeroed;
		th->reallocs += t->reallocs;
		th->frees += t->frees;
		th->nomem += t->nomem;
		th->errors += t->errors;
		total_ops += t->ops;
	}
	kfree(tt);

	for (i = 0; i < nheaps; i++) {
		struct torture_heap *th = &theaps[i];

		talc_heap_stats(th->heap, &st);
		if (!ret && st.allocation_count != th->live_before) {
			pr_err("heap %s: %zu live allocations after the run, %zu before\n",
			       th->name, st.allocation_count, th->live_before);
			th->errors++;
		}
		pr_info("heap=%s allocs=%llu aligned=%llu zeroed=%llu reallocs=%llu frees=%llu nomem=%llu irq_allocs=%llu irq_nomem=%llu bad_frees=%llu errors=%llu\n",
			th->name, th->allocs, th->aligned, th->zeroed,
			th->reallocs, th->frees, th->nomem, th->irq_allocs,
			th->irq_nomem, st.bad_frees, th->errors);
	}

out_put:
	torture_put_heaps();
	for (i = 0; i < nheaps; i++)
		errors += theaps[i].errors;
	pr_info("heap=%s threads=%d ops=%llu secs=%lu.%03lu seed=%lu errors=%llu%s\n",
		heap ?: "talc_torture", threads, total_ops, ms / 1000, ms % 1000,
		seed, errors, ret ? " (setup failed)" : "");
	if (ret)
		return ret;
	if (errors) {
		pr_err("FAILED: %llu error(s)\n", errors);
		return -EIO;
	}
	return 0;
}

static void __exit talc_torture_exit(void)
{
}

module_init(talc_torture_init);
module_exit(talc_torture_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("talc heap torture test");
