/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TOOLS_LINUX_GFP_H
#define _TOOLS_LINUX_GFP_H
#include <linux/types.h>
#define GFP_KERNEL	0x0cc0u
#define GFP_ATOMIC	0x0820u
#endif
