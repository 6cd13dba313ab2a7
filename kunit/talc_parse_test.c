// SPDX-License-Identifier: GPL-2.0
/*
 * talc_parse_test.c - table-driven KUnit suite for the heaps= and debugfs
 * control parsers (talc_parse.h).  Every table row is one parameterized
 * test; a row names its input, the expected result and, for good inputs,
 * the values that must come out.
 */
#include <kunit/test.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include "../talc/talc_parse.h"
#include "talc_kunit.h"

#define K ((size_t)SZ_1K)
#define M ((size_t)SZ_1M)
#define G ((size_t)SZ_1G)

#define NAME31 "abcdefghijklmnopqrstuvwxyz01234"
#define NAME32 "abcdefghijklmnopqrstuvwxyz012345"

/* A printable, KTAP-safe description of an input of @len bytes. */
static void tp_desc(char *desc, const char *what, const char *s, size_t len)
{
	size_t o, i;

	o = scnprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s '", what);
	for (i = 0; i < len && o + 6 < KUNIT_PARAM_DESC_SIZE; i++) {
		unsigned char c = s[i];

		if (c == '\n')
			o += scnprintf(desc + o, KUNIT_PARAM_DESC_SIZE - o, "\\n");
		else if (c == '\t')
			o += scnprintf(desc + o, KUNIT_PARAM_DESC_SIZE - o, "\\t");
		else if (c < 0x20 || c >= 0x7f || c == '#')
			o += scnprintf(desc + o, KUNIT_PARAM_DESC_SIZE - o,
				       "\\x%02x", c);
		else
			desc[o++] = c;
	}
	if (i < len)
		o += scnprintf(desc + o, KUNIT_PARAM_DESC_SIZE - o, "...");
	scnprintf(desc + o, KUNIT_PARAM_DESC_SIZE - o, "'");
}

/* ---- talc_parse_size() ---- */

struct tp_size_case {
	const char *s;
	int ret;
	size_t val;
};

static const struct tp_size_case tp_size_cases[] = {
	{ "0", 0, 0 },
	{ "1", 0, 1 },
	{ "4096", 0, 4096 },
	{ "1K", 0, K },
	{ "1k", 0, K },
	{ "64K", 0, 64 * K },
	{ "2M", 0, 2 * M },
	{ "3m", 0, 3 * M },
	{ "1G", 0, G },
	{ "18446744073709551615", 0, SIZE_MAX },
	{ "17179869183G", 0, (size_t)17179869183ULL << 30 },
	{ "", -EINVAL },
	{ "K", -EINVAL },
	{ "1X", -EINVAL },
	{ "1T", -EINVAL },
	{ "1KK", -EINVAL },
	{ "1KB", -EINVAL },
	{ "-1", -EINVAL },
	{ " 1", -EINVAL },
	{ "1 ", -EINVAL },
	{ "0x10", -EINVAL },
	{ "1.5M", -EINVAL },
	{ "18446744073709551616", -EINVAL },
	{ "17179869184G", -EINVAL },
	{ "99999999999999999999999", -EINVAL },
};

static void tp_size_desc(const struct tp_size_case *c, char *desc)
{
	tp_desc(desc, c->ret ? "bad" : "ok", c->s, strlen(c->s));
}

KUNIT_ARRAY_PARAM(tp_size, tp_size_cases, tp_size_desc);

static void talc_parse_size_test(struct kunit *test)
{
	const struct tp_size_case *c = test->param_value;
	size_t out = 0xdeadbeef;

	KUNIT_EXPECT_EQ(test, talc_parse_size(c->s, strlen(c->s), &out),
			c->ret);
	/* The result is written on success only. */
	KUNIT_EXPECT_EQ(test, out, c->ret ? (size_t)0xdeadbeef : c->val);
}

/* Lengths are honoured: the text need not be NUL-terminated. */
static void talc_parse_size_len_test(struct kunit *test)
{
	size_t out = 0;

	KUNIT_EXPECT_EQ(test, talc_parse_size("12345", 3, &out), 0);
	KUNIT_EXPECT_EQ(test, out, (size_t)123);
	KUNIT_EXPECT_EQ(test, talc_parse_size("4Mxyz", 2, &out), 0);
	KUNIT_EXPECT_EQ(test, out, 4 * M);
	KUNIT_EXPECT_EQ(test, talc_parse_size("4M", 0, &out), -EINVAL);
	KUNIT_EXPECT_EQ(test, talc_parse_size(NULL, 2, &out), -EINVAL);
	KUNIT_EXPECT_EQ(test, talc_parse_size("1", 1, NULL), -EINVAL);
}

/* ---- talc_parse_name_valid() ---- */

struct tp_name_case {
	const char *s;
	bool ok;
};

static const struct tp_name_case tp_name_cases[] = {
	{ "a", true },
	{ "A-z_09", true },
	{ "-", true },
	{ NAME31, true },
	{ NAME32, false },
	{ "", false },
	{ "a b", false },
	{ "a.b", false },
	{ "a:b", false },
	{ "a,b", false },
	{ "a/b", false },
	{ "a\n", false },
	{ "\xc3\xa9t\xc3\xa9", false },
};

static void tp_name_desc(const struct tp_name_case *c, char *desc)
{
	tp_desc(desc, c->ok ? "ok" : "bad", c->s, strlen(c->s));
}

KUNIT_ARRAY_PARAM(tp_name, tp_name_cases, tp_name_desc);

static void talc_parse_name_test(struct kunit *test)
{
	const struct tp_name_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, talc_parse_name_valid(c->s, strlen(c->s)),
			c->ok);
}

/* ---- talc_parse_heaps() (and through it talc_parse_heap_spec()) ---- */

#define TP_MAX_SPECS 3

struct tp_heaps_case {
	const char *param;
	int ret;			/* number of specs, or -EINVAL */
	struct talc_heap_spec want[TP_MAX_SPECS];
	int bad_off;			/* error: offset of the bad token */
	int bad_len;			/* error: its length */
};

static const struct tp_heaps_case tp_heaps_cases[] = {
	/* good */
	{ "", 0 },
	{ "\n", 0 },
	{ "a:1M", 1, { { "a", M, M } } },
	{ "a:1M\n", 1, { { "a", M, M } } },
	{ "a:1M:4M", 1, { { "a", M, 4 * M } } },
	{ "a:1M:1M", 1, { { "a", M, M } } },
	{ "a:64k,b:1M:2m", 2, { { "a", 64 * K, 64 * K }, { "b", M, 2 * M } } },
	{ "x:1,y:2,z:3", 3, { { "x", 1, 1 }, { "y", 2, 2 }, { "z", 3, 3 } } },
	{ "A-z_9:1G", 1, { { "A-z_9", G, G } } },
	{ NAME31 ":4096", 1, { { NAME31, 4096, 4096 } } },
	{ "a:4096:18446744073709551615", 1, { { "a", 4096, SIZE_MAX } } },
	{ "a:1M:natural_align", 1, { { "a", M, M, true } } },
	{ "a:1M:4M:natural_align,b:64K", 2,
	  { { "a", M, 4 * M, true }, { "b", 64 * K, 64 * K, false } } },
	{ "a:1M:hardened,b:1M:2M:nohardened:natural_align,c:1M:natural_align:hardened", 3,
	  { { "a", M, M, false, TALC_SPEC_HARDENED_ON },
	    { "b", M, 2 * M, true, TALC_SPEC_HARDENED_OFF },
	    { "c", M, M, true, TALC_SPEC_HARDENED_ON } } },
	/* malformed: the bad token is reported */
	{ "a", -EINVAL, {}, 0, 1 },
	{ "a:", -EINVAL, {}, 0, 2 },
	{ ":1M", -EINVAL, {}, 0, 3 },
	{ ":", -EINVAL, {}, 0, 1 },
	{ "a:0", -EINVAL, {}, 0, 3 },
	{ "a:0:1M", -EINVAL, {}, 0, 6 },
	{ "a:2M:1M", -EINVAL, {}, 0, 7 },
	{ "a:1Q", -EINVAL, {}, 0, 4 },
	{ "a:1MB", -EINVAL, {}, 0, 5 },
	{ "a:1 M", -EINVAL, {}, 0, 5 },
	{ "a:1M:2M:3M", -EINVAL, {}, 0, 10 },
	{ "a:1M:", -EINVAL, {}, 0, 5 },
	{ "a:1Mx", -EINVAL, {}, 0, 5 },
	{ "a:99999999999999999999", -EINVAL, {}, 0, 22 },
	{ "a:17179869184G", -EINVAL, {}, 0, 14 },
	{ NAME32 ":1M", -EINVAL, {}, 0, 35 },
	{ "a b:1M", -EINVAL, {}, 0, 6 },
	{ "a:1M b:1M", -EINVAL, {}, 0, 9 },
	{ "a:1M\n\n", -EINVAL, {}, 0, 5 },
	{ ",a:1M", -EINVAL, {}, 0, 0 },
	{ "a:1M,", -EINVAL, {}, 5, 0 },
	{ "a:1M,,b:1M", -EINVAL, {}, 5, 0 },
	{ "a:1M,a:2M", -EINVAL, {}, 5, 4 },
	{ "a:1M,b:1M,a:1M", -EINVAL, {}, 10, 4 },
	{ "a:1M,b:1X", -EINVAL, {}, 5, 4 },
	{ "w:1,x:1,y:1,z:1", -EINVAL, {}, 12, 3 },	/* 4 > capacity 3 */
	{ "a:natural_align", -EINVAL, {}, 0, 15 },
	{ "a:1M:natural", -EINVAL, {}, 0, 12 },
	{ "a:1M:natural_align:4M", -EINVAL, {}, 0, 21 },
	{ "a:1M:4M:natural_align:natural_align", -EINVAL, {}, 0, 35 },
	{ "a:1M:hardened:nohardened", -EINVAL, {}, 0, 24 },
	{ "a:1M:hardened:hardened", -EINVAL, {}, 0, 22 },
	{ "a:1M:hardened:4M", -EINVAL, {}, 0, 16 },
	{ "a:hardened", -EINVAL, {}, 0, 10 },
	{ "a:1M:harden", -EINVAL, {}, 0, 11 },
};

static void tp_heaps_desc(const struct tp_heaps_case *c, char *desc)
{
	tp_desc(desc, c->ret < 0 ? "bad" : "ok", c->param, strlen(c->param));
}

KUNIT_ARRAY_PARAM(tp_heaps, tp_heaps_cases, tp_heaps_desc);

static void talc_parse_heaps_test(struct kunit *test)
{
	const struct tp_heaps_case *c = test->param_value;
	struct talc_heap_spec specs[TP_MAX_SPECS];
	const char *bad = NULL;
	size_t bad_len = 12345;
	int ret, i;

	memset(specs, 0, sizeof(specs));
	ret = talc_parse_heaps(c->param, specs, TP_MAX_SPECS, &bad, &bad_len);
	KUNIT_ASSERT_EQ(test, ret, c->ret);
	if (ret < 0) {
		KUNIT_ASSERT_NOT_NULL(test, bad);
		KUNIT_EXPECT_EQ(test, (int)(bad - c->param), c->bad_off);
		KUNIT_EXPECT_EQ(test, bad_len, (size_t)c->bad_len);
		return;
	}
	for (i = 0; i < ret; i++) {
		KUNIT_EXPECT_STREQ(test, specs[i].name, c->want[i].name);
		KUNIT_EXPECT_EQ(test, specs[i].size, c->want[i].size);
		KUNIT_EXPECT_EQ(test, specs[i].max_size, c->want[i].max_size);
		KUNIT_EXPECT_EQ(test, specs[i].natural_align,
				c->want[i].natural_align);
		KUNIT_EXPECT_EQ(test, specs[i].hardened, c->want[i].hardened);
	}
}

/* Capacity, NULL arguments and the single-token entry point. */
static void talc_parse_heaps_args_test(struct kunit *test)
{
	struct talc_heap_spec spec, specs[2];
	const char *bad = NULL;
	size_t bad_len = 0;

	KUNIT_EXPECT_EQ(test, talc_parse_heaps(NULL, specs, 2, &bad, &bad_len),
			-EINVAL);
	/* bad and bad_len are optional */
	KUNIT_EXPECT_EQ(test, talc_parse_heaps("a:1", specs, 2, NULL, NULL), 1);
	KUNIT_EXPECT_EQ(test, talc_parse_heaps("a:1,b", specs, 2, NULL, NULL),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, talc_parse_heaps("a:1", specs, 0, &bad, &bad_len),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, talc_parse_heaps("", specs, 0, NULL, NULL), 0);

	/* talc_parse_heap_spec() honours the length and leaves spec alone
	 * on error.
	 */
	memset(&spec, 0x55, sizeof(spec));
	KUNIT_EXPECT_EQ(test, talc_parse_heap_spec("a:2M:1M", 7, &spec),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, spec.size, (size_t)0x5555555555555555ULL);
	KUNIT_EXPECT_EQ(test, talc_parse_heap_spec("a:2M:1M", 4, &spec), 0);
	KUNIT_EXPECT_STREQ(test, spec.name, "a");
	KUNIT_EXPECT_EQ(test, spec.size, 2 * M);
	KUNIT_EXPECT_EQ(test, spec.max_size, 2 * M);
	KUNIT_EXPECT_EQ(test, talc_parse_heap_spec("a:1", 0, &spec), -EINVAL);
}

/* ---- talc_parse_control() ---- */

struct tp_ctl_case {
	const char *buf;
	size_t len;			/* 0: strlen(buf) */
	int ret;
	enum talc_ctl_op op;
	struct talc_heap_spec want;
};

static const struct tp_ctl_case tp_ctl_cases[] = {
	/* good */
	{ "create a 1M", 0, 0, TALC_CTL_CREATE, { "a", M, M } },
	{ "create a 1M\n", 0, 0, TALC_CTL_CREATE, { "a", M, M } },
	{ "create b 64K 2M\n", 0, 0, TALC_CTL_CREATE, { "b", 64 * K, 2 * M } },
	{ "  create\tc   4096\x20\t\n", 0, 0, TALC_CTL_CREATE, { "c", 4096, 4096 } },
	{ "create " NAME31 " 1G 1G", 0, 0, TALC_CTL_CREATE,
	  { NAME31, G, G } },
	{ "create a 1M natural_align", 0, 0, TALC_CTL_CREATE,
	  { "a", M, M, true } },
	{ "create a 1M 2M natural_align\n", 0, 0, TALC_CTL_CREATE,
	  { "a", M, 2 * M, true } },
	{ "create a 1M nohardened", 0, 0, TALC_CTL_CREATE,
	  { "a", M, M, false, TALC_SPEC_HARDENED_OFF } },
	{ "create a 1M 2M hardened natural_align\n", 0, 0, TALC_CTL_CREATE,
	  { "a", M, 2 * M, true, TALC_SPEC_HARDENED_ON } },
	{ "destroy a", 0, 0, TALC_CTL_DESTROY, { "a" } },
	{ "destroy x-y_Z\n", 0, 0, TALC_CTL_DESTROY, { "x-y_Z" } },
	{ "destroy a\nGARBAGE", 10, 0, TALC_CTL_DESTROY, { "a" } },
	/* malformed */
	{ "", 0, -EINVAL },
	{ "\n", 0, -EINVAL },
	{ " \t ", 0, -EINVAL },
	{ "create", 0, -EINVAL },
	{ "create a", 0, -EINVAL },
	{ "create a 1M 2M 3M", 0, -EINVAL },
	{ "create a 1M 2M 3M 4M 5M", 0, -EINVAL },
	{ "create a:1M", 0, -EINVAL },
	{ "create a 0", 0, -EINVAL },
	{ "create a 2M 1M", 0, -EINVAL },
	{ "create a 1Z", 0, -EINVAL },
	{ "create a 18446744073709551616", 0, -EINVAL },
	{ "create " NAME32 " 1M", 0, -EINVAL },
	{ "create a.b 1M", 0, -EINVAL },
	{ "create a 1M\n\n", 0, -EINVAL },
	{ "create a 1M\0", 12, -EINVAL },
	{ "destroy", 0, -EINVAL },
	{ "destroy a b", 0, -EINVAL },
	{ "destroy " NAME32, 0, -EINVAL },
	{ "destroy a/b", 0, -EINVAL },
	{ "Create a 1M", 0, -EINVAL },
	{ "createa 1M", 0, -EINVAL },
	{ "remove a", 0, -EINVAL },
	{ "destroyer a", 0, -EINVAL },
	{ "create a natural_align", 0, -EINVAL },
	{ "create a 1M natural_align 2M", 0, -EINVAL },
	{ "create a 1M 2M natural", 0, -EINVAL },
	{ "destroy a natural_align", 0, -EINVAL },
	{ "create a 1M hardened nohardened", 0, -EINVAL },
	{ "create a 1M nohardened 2M", 0, -EINVAL },
	{ "destroy a hardened", 0, -EINVAL },
};

static size_t tp_ctl_len(const struct tp_ctl_case *c)
{
	return c->len ? c->len : strlen(c->buf);
}

static void tp_ctl_desc(const struct tp_ctl_case *c, char *desc)
{
	tp_desc(desc, c->ret ? "bad" : "ok", c->buf, tp_ctl_len(c));
}

KUNIT_ARRAY_PARAM(tp_ctl, tp_ctl_cases, tp_ctl_desc);

static void talc_parse_control_test(struct kunit *test)
{
	const struct tp_ctl_case *c = test->param_value;
	struct talc_ctl_cmd cmd;

	memset(&cmd, 0x55, sizeof(cmd));
	KUNIT_ASSERT_EQ(test, talc_parse_control(c->buf, tp_ctl_len(c), &cmd),
			c->ret);
	if (c->ret) {
		/* untouched on error */
		KUNIT_EXPECT_EQ(test, cmd.spec.size,
				(size_t)0x5555555555555555ULL);
		return;
	}
	KUNIT_EXPECT_EQ(test, cmd.op, c->op);
	KUNIT_EXPECT_STREQ(test, cmd.spec.name, c->want.name);
	if (c->op == TALC_CTL_CREATE) {
		KUNIT_EXPECT_EQ(test, cmd.spec.size, c->want.size);
		KUNIT_EXPECT_EQ(test, cmd.spec.max_size, c->want.max_size);
		KUNIT_EXPECT_EQ(test, cmd.spec.natural_align,
				c->want.natural_align);
		KUNIT_EXPECT_EQ(test, cmd.spec.hardened, c->want.hardened);
	}
}

static struct kunit_case talc_parse_test_cases[] = {
	KUNIT_CASE_PARAM(talc_parse_size_test, tp_size_gen_params),
	KUNIT_CASE(talc_parse_size_len_test),
	KUNIT_CASE_PARAM(talc_parse_name_test, tp_name_gen_params),
	KUNIT_CASE_PARAM(talc_parse_heaps_test, tp_heaps_gen_params),
	KUNIT_CASE(talc_parse_heaps_args_test),
	KUNIT_CASE_PARAM(talc_parse_control_test, tp_ctl_gen_params),
	{}
};

static struct kunit_suite talc_parse_test_suite = {
	.name = "talc_parse",
	.init = talc_kunit_init,
	.exit = talc_kunit_exit,
	.test_cases = talc_parse_test_cases,
};

kunit_test_suite(talc_parse_test_suite);

MODULE_DESCRIPTION("KUnit tests for the talc heaps= and control parsers");
MODULE_LICENSE("GPL");
