/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TOOLS_LINUX_MATH_H
#define _TOOLS_LINUX_MATH_H
#define DIV_ROUND_UP(n, d)	(((n) + (d) - 1) / (d))
#endif
