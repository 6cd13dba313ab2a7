/* SPDX-License-Identifier: GPL-2.0 */
/*
 * glibc's <errno.h> itself includes <linux/errno.h>, so this shim must not
 * include <errno.h>: take the numbers from the uapi header instead.
 */
#ifndef _TOOLS_LINUX_ERRNO_H
#define _TOOLS_LINUX_ERRNO_H
#include <asm-generic/errno.h>
#endif
