/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A userspace stand-in for <kunit/test.h>: enough of KUnit for talc's suites
 * to run unchanged in the userspace harness (tools/unit/kunit_main.c), the
 * way tools/testing/radix-tree runs lib/test_xarray.c.  Each case, and each
 * parameter of a parameterised case, counts as one test.
 */
#ifndef _TOOLS_KUNIT_TEST_H
#define _TOOLS_KUNIT_TEST_H

#include <linux/types.h>
#include <linux/errno.h>
#include <linux/gfp.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KUNIT_PARAM_DESC_SIZE 128

struct kunit_alloc;

struct kunit {
	const char *name;
	void *priv;
	const void *param_value;
	int failed;
	jmp_buf abort;
	struct kunit_alloc *allocs;
	struct kunit_resource *resources;
};

/* A managed resource, released (free) when the case ends, as in KUnit. */
struct kunit_resource {
	void *data;
	void (*free)(struct kunit_resource *res);
	struct kunit_resource *next;
};

typedef int (*kunit_resource_init_t)(struct kunit_resource *, void *);
typedef void (*kunit_resource_free_t)(struct kunit_resource *);

struct kunit_case {
	void (*run_case)(struct kunit *test);
	const char *name;
	const void *(*generate_params)(const void *prev, char *desc);
};

struct kunit_suite {
	const char name[256];
	int (*suite_init)(struct kunit_suite *suite);
	void (*suite_exit)(struct kunit_suite *suite);
	int (*init)(struct kunit *test);
	void (*exit)(struct kunit *test);
	struct kunit_case *test_cases;
};

void kunit_register_suite(struct kunit_suite *suite);
void *kunit_kmalloc(struct kunit *test, size_t size, gfp_t gfp);
void *kunit_alloc_resource(struct kunit *test, kunit_resource_init_t init,
			   kunit_resource_free_t free, gfp_t gfp,
			   void *context);
void kunit_fail(struct kunit *test, const char *file, int line,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static inline void *kunit_kzalloc(struct kunit *test, size_t size, gfp_t gfp)
{
	void *p = kunit_kmalloc(test, size, gfp);

	if (p)
		memset(p, 0, size);
	return p;
}

#define kunit_test_suites(...)						\
	static struct kunit_suite *__kunit_suites[] = { __VA_ARGS__ };	\
	static void __attribute__((constructor)) __kunit_register(void) \
	{								\
		size_t i;						\
		for (i = 0; i < ARRAY_SIZE(__kunit_suites); i++)	\
			kunit_register_suite(__kunit_suites[i]);	\
	}
#define kunit_test_suite(suite)	kunit_test_suites(&suite)

#define KUNIT_CASE(fn)			{ .run_case = fn, .name = #fn }
#define KUNIT_CASE_SLOW(fn)		KUNIT_CASE(fn)
#define KUNIT_CASE_PARAM(fn, gen)	{ .run_case = fn, .name = #fn,	\
					  .generate_params = gen }

#define KUNIT_ARRAY_PARAM(name, array, get_desc)			\
	static const void *name##_gen_params(const void *prev, char *desc) \
	{								\
		__typeof__((array)[0]) *__next =			\
			prev ? ((__typeof__(__next))prev) + 1 : (array);\
		if (__next - (array) < (long)ARRAY_SIZE(array)) {	\
			void (*__get)(__typeof__(__next), char *) = get_desc; \
			if (__get)					\
				__get(__next, desc);			\
			return __next;					\
		}							\
		return NULL;						\
	}

#define kunit_info(test, fmt, ...)	\
	printf("    # %s: " fmt "\n", (test)->name, ##__VA_ARGS__)
#define kunit_err(test, fmt, ...)	kunit_info(test, fmt, ##__VA_ARGS__)

#define KUNIT_FAIL(test, fmt, ...)					\
	kunit_fail(test, __FILE__, __LINE__, fmt, ##__VA_ARGS__)

#define __KUNIT_CHECK(test, fatal, cond, fmt, ...)			\
	do {								\
		if (!(cond)) {						\
			kunit_fail(test, __FILE__, __LINE__, fmt,	\
				   ##__VA_ARGS__);			\
			if (fatal)					\
				longjmp((test)->abort, 1);		\
		}							\
	} while (0)

#define __KUNIT_BINARY(test, fatal, l, op, r)				\
	do {								\
		long long __l = (long long)(l), __r = (long long)(r);	\
		__KUNIT_CHECK(test, fatal, __l op __r,			\
			      "Expected %s %s %s, but %lld vs %lld",	\
			      #l, #op, #r, __l, __r);			\
	} while (0)

#define __KUNIT_PTR(test, fatal, l, op, r)				\
	do {								\
		const void *__l = (l), *__r = (r);			\
		__KUNIT_CHECK(test, fatal, __l op __r,			\
			      "Expected %s %s %s, but %p vs %p",	\
			      #l, #op, #r, __l, __r);			\
	} while (0)

#define KUNIT_EXPECT_EQ(t, l, r)	__KUNIT_BINARY(t, 0, l, ==, r)
#define KUNIT_EXPECT_NE(t, l, r)	__KUNIT_BINARY(t, 0, l, !=, r)
#define KUNIT_EXPECT_LT(t, l, r)	__KUNIT_BINARY(t, 0, l, <, r)
#define KUNIT_EXPECT_LE(t, l, r)	__KUNIT_BINARY(t, 0, l, <=, r)
#define KUNIT_EXPECT_GT(t, l, r)	__KUNIT_BINARY(t, 0, l, >, r)
#define KUNIT_EXPECT_GE(t, l, r)	__KUNIT_BINARY(t, 0, l, >=, r)
#define KUNIT_ASSERT_EQ(t, l, r)	__KUNIT_BINARY(t, 1, l, ==, r)
#define KUNIT_ASSERT_NE(t, l, r)	__KUNIT_BINARY(t, 1, l, !=, r)
#define KUNIT_ASSERT_LT(t, l, r)	__KUNIT_BINARY(t, 1, l, <, r)
#define KUNIT_ASSERT_LE(t, l, r)	__KUNIT_BINARY(t, 1, l, <=, r)
#define KUNIT_ASSERT_GT(t, l, r)	__KUNIT_BINARY(t, 1, l, >, r)
#define KUNIT_ASSERT_GE(t, l, r)	__KUNIT_BINARY(t, 1, l, >=, r)
#define KUNIT_EXPECT_PTR_EQ(t, l, r)	__KUNIT_PTR(t, 0, l, ==, r)
#define KUNIT_EXPECT_PTR_NE(t, l, r)	__KUNIT_PTR(t, 0, l, !=, r)
#define KUNIT_ASSERT_PTR_EQ(t, l, r)	__KUNIT_PTR(t, 1, l, ==, r)
#define KUNIT_ASSERT_PTR_NE(t, l, r)	__KUNIT_PTR(t, 1, l, !=, r)
#define KUNIT_EXPECT_NULL(t, p)		__KUNIT_PTR(t, 0, p, ==, NULL)
#define KUNIT_EXPECT_NOT_NULL(t, p)	__KUNIT_PTR(t, 0, p, !=, NULL)
#define KUNIT_ASSERT_NULL(t, p)		__KUNIT_PTR(t, 1, p, ==, NULL)
#define KUNIT_ASSERT_NOT_NULL(t, p)	__KUNIT_PTR(t, 1, p, !=, NULL)
#define KUNIT_EXPECT_TRUE(t, c)		__KUNIT_CHECK(t, 0, c, "Expected %s to be true", #c)
#define KUNIT_EXPECT_FALSE(t, c)	__KUNIT_CHECK(t, 0, !(c), "Expected %s to be false", #c)
#define KUNIT_ASSERT_TRUE(t, c)		__KUNIT_CHECK(t, 1, c, "Expected %s to be true", #c)
#define KUNIT_ASSERT_FALSE(t, c)	__KUNIT_CHECK(t, 1, !(c), "Expected %s to be false", #c)
#define KUNIT_EXPECT_MEMEQ(t, l, r, n)					\
	__KUNIT_CHECK(t, 0, !memcmp(l, r, n), "Expected %s == %s (%zu bytes)", \
		      #l, #r, (size_t)(n))
#define KUNIT_EXPECT_TRUE_MSG(t, c, fmt, ...)	__KUNIT_CHECK(t, 0, c, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_TRUE_MSG(t, c, fmt, ...)	__KUNIT_CHECK(t, 1, c, fmt, ##__VA_ARGS__)
/* The operands as in __KUNIT_BINARY (any integer types), the message given. */
#define __KUNIT_BINARY_MSG(test, fatal, l, op, r, fmt, ...)		\
	__KUNIT_CHECK(test, fatal, (long long)(l) op (long long)(r), fmt, \
		      ##__VA_ARGS__)
#define KUNIT_EXPECT_EQ_MSG(t, l, r, fmt, ...)	__KUNIT_BINARY_MSG(t, 0, l, ==, r, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_EQ_MSG(t, l, r, fmt, ...)	__KUNIT_BINARY_MSG(t, 1, l, ==, r, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_NE_MSG(t, l, r, fmt, ...)	__KUNIT_BINARY_MSG(t, 0, l, !=, r, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_LT_MSG(t, l, r, fmt, ...)	__KUNIT_BINARY_MSG(t, 1, l, <, r, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_FALSE_MSG(t, c, fmt, ...)	__KUNIT_CHECK(t, 0, !(c), fmt, ##__VA_ARGS__)

#endif
