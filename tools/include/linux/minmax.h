/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TOOLS_LINUX_MINMAX_H
#define _TOOLS_LINUX_MINMAX_H
#define min(a, b)	((a) < (b) ? (a) : (b))
#define max(a, b)	((a) > (b) ? (a) : (b))
#define min_t(t, a, b)	((t)(a) < (t)(b) ? (t)(a) : (t)(b))
#define max_t(t, a, b)	((t)(a) > (t)(b) ? (t)(a) : (t)(b))
#endif
