/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TOOLS_LINUX_BITS_H
#define _TOOLS_LINUX_BITS_H
#include <linux/bitops.h>
#endif
