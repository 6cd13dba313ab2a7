// SPDX-License-Identifier: GPL-2.0
/*
 * kunit_main.c - run the KUnit suites linked into this program in userspace
 * and print KTAP-like results ending with "N passed, M failed".
 *
 * Usage: talc_unit [GLOB]   (GLOB matches "suite.case", fnmatch syntax)
 */
#include <fnmatch.h>
#include <stdarg.h>
#include <kunit/test.h>
#include <linux/sched.h>

#define MAX_SUITES 32

struct kunit_alloc {
	struct kunit_alloc *next;
	max_align_t data[];
};

static struct kunit_suite *suites[MAX_SUITES];
static int nr_suites;

/* <linux/sched.h>: current->kunit_test is the case running now. */
struct task_struct kunit_current_task;

void kunit_register_suite(struct kunit_suite *suite)
{
	if (nr_suites < MAX_SUITES)
		suites[nr_suites++] = suite;
}

void *kunit_kmalloc(struct kunit *test, size_t size, gfp_t gfp)
{
	struct kunit_alloc *a = malloc(sizeof(*a) + size);

	(void)gfp;
	if (!a)
		return NULL;
	a->next = test->allocs;
	test->allocs = a;
	return a->data;
}

void *kunit_alloc_resource(struct kunit *test, kunit_resource_init_t init,
			   kunit_resource_free_t free_fn, gfp_t gfp,
			   void *context)
{
	struct kunit_resource *res = calloc(1, sizeof(*res));

	(void)gfp;
	if (!res)
		return NULL;
	if (init(res, context)) {
		free(res);
		return NULL;
	}
	res->free = free_fn;
	res->next = test->resources;
	test->resources = res;
	return res->data;
}

void kunit_fail(struct kunit *test, const char *file, int line,
		const char *fmt, ...)
{
	va_list ap;

	test->failed = 1;
	printf("    # %s: EXPECTATION FAILED at %s:%d\n    ", test->name, file,
	       line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static int run_one(struct kunit_suite *s, struct kunit_case *c,
		   const void *param, const char *desc)
{
	struct kunit test = { .name = c->name, .param_value = param };
	struct kunit_resource *r, *rn;
	struct kunit_alloc *a, *n;

	kunit_current_task.kunit_test = &test;

	if (s->init && s->init(&test)) {
		printf("    # %s: init failed\n", c->name);
		test.failed = 1;
	} else {
		if (!setjmp(test.abort))
			c->run_case(&test);
		if (s->exit)
			s->exit(&test);
	}
	kunit_current_task.kunit_test = NULL;
	for (r = test.resources; r; r = rn) {
		rn = r->next;
		if (r->free)
			r->free(r);
		free(r);
	}
	for (a = test.allocs; a; a = n) {
		n = a->next;
		free(a);
	}
	printf("    %s %s%s%s\n", test.failed ? "not ok" : "ok", c->name,
	       desc ? " " : "", desc ? desc : "");
	return test.failed;
}

int main(int argc, char **argv)
{
	const char *glob = argc > 1 ? argv[1] : "*";
	int passed = 0, failed = 0, i;

	for (i = 0; i < nr_suites; i++) {
		struct kunit_suite *s = suites[i];
		struct kunit_case *c;

		printf("# Subtest: %s\n", s->name);
		if (s->suite_init && s->suite_init(s)) {
			printf("not ok %s (suite_init)\n", s->name);
			failed++;
			continue;
		}
		for (c = s->test_cases; c->run_case; c++) {
			char name[512];
			int f;

			snprintf(name, sizeof(name), "%s.%s", s->name, c->name);
			if (fnmatch(glob, name, 0))
				continue;
			if (!c->generate_params) {
				f = run_one(s, c, NULL, NULL);
				passed += !f;
				failed += f;
				continue;
			}
			{
				char desc[KUNIT_PARAM_DESC_SIZE];
				const void *p;

				desc[0] = 0;
				for (p = c->generate_params(NULL, desc); p;
				     p = c->generate_params(p, desc)) {
					f = run_one(s, c, p, desc);
					passed += !f;
					failed += f;
					desc[0] = 0;
				}
			}
		}
		if (s->suite_exit)
			s->suite_exit(s);
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
