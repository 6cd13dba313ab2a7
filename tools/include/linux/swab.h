/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace shim: the part of <linux/swab.h> talc uses. */
#ifndef _TOOLS_LINUX_SWAB_H
#define _TOOLS_LINUX_SWAB_H

#define swab64(x)	__builtin_bswap64(x)

#endif
