/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim: `current` is the one thread running the suites, and
 * current->kunit_test the case running now (set by tools/unit/kunit_main.c),
 * as KUnit sets it in the kernel.
 */
#ifndef _TOOLS_LINUX_SCHED_H
#define _TOOLS_LINUX_SCHED_H

struct kunit;

struct task_struct {
	struct kunit *kunit_test;
};

extern struct task_struct kunit_current_task;
#define current	(&kunit_current_task)

#endif
