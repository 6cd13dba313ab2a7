/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace shim: no lock debugging, so it never turns itself off. */
#ifndef _TOOLS_LINUX_DEBUG_LOCKS_H
#define _TOOLS_LINUX_DEBUG_LOCKS_H
#define debug_locks	1
#endif
