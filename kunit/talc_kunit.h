/* SPDX-License-Identifier: GPL-2.0 */
/*
 * talc_kunit.h - helpers shared by the talc KUnit suites.
 *
 * Lockdep and DEBUG_SPINLOCK splats do not fail a KUnit test by themselves;
 * they clear debug_locks.  Each suite's .init/.exit pair records debug_locks
 * before a test and fails the test if it dropped while the test ran (the
 * lockdep variant of scripts/kunit.sh relies on this; a KASAN report also
 * clears it).  It also fails a test that leaves interrupts disabled.
 */
#ifndef _TALC_KUNIT_H
#define _TALC_KUNIT_H

#include <kunit/test.h>
#include <linux/debug_locks.h>
#include <linux/irqflags.h>
#include <linux/vmalloc.h>

/*
 * Compatibility with the 6.1 KUnit API (Debian's linux-source-6.1): test
 * attributes (KUNIT_CASE_SLOW) came in 6.6.  kunit/Makefile force-includes
 * this header into talc_core_test.c, which is shared with the userspace
 * harness and written against the newer API.
 */
#ifndef KUNIT_CASE_SLOW
#define KUNIT_CASE_SLOW(test_name) KUNIT_CASE(test_name)
#endif

struct talc_kunit_ctx {
	int debug_locks_before;
	void *priv;
};

static inline int talc_kunit_init(struct kunit *test)
{
	struct talc_kunit_ctx *ctx;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	ctx->debug_locks_before = debug_locks;
	test->priv = ctx;
	return 0;
}

static inline void talc_kunit_exit(struct kunit *test)
{
	struct talc_kunit_ctx *ctx = test->priv;

	if (ctx && ctx->debug_locks_before && !debug_locks)
		KUNIT_FAIL(test,
			   "debug_locks turned off during this test (lockdep/spinlock/KASAN splat): see the kernel log");
	/* UML is UP: without lock debugging a missing unlock shows only here. */
	if (irqs_disabled()) {
		KUNIT_FAIL(test, "interrupts left disabled (missing unlock/irqrestore?)");
		local_irq_enable();
	}
}

static inline int talc_kunit_vzalloc_init(struct kunit_resource *res,
					  void *context)
{
	res->data = vzalloc(*(size_t *)context);
	return res->data ? 0 : -ENOMEM;
}

static inline void talc_kunit_vzalloc_free(struct kunit_resource *res)
{
	vfree(res->data);
}

/*
 * talc_kunit_vzalloc() - zeroed memory freed when the test ends, like
 * kunit_kzalloc() but from vmalloc: kmalloc stops at 4 MiB on UML (a larger
 * request fails with a page allocator WARNING).
 */
static inline void *talc_kunit_vzalloc(struct kunit *test, size_t size)
{
	return kunit_alloc_resource(test, talc_kunit_vzalloc_init,
				    talc_kunit_vzalloc_free, GFP_KERNEL, &size);
}

#endif /* _TALC_KUNIT_H */
