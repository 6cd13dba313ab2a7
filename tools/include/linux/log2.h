/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TOOLS_LINUX_LOG2_H
#define _TOOLS_LINUX_LOG2_H
#include <linux/bitops.h>
#define is_power_of_2(n)	((n) != 0 && (((n) & ((n) - 1)) == 0))
#define ilog2(n)		((int)__fls(n))
#endif
