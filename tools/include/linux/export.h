/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TOOLS_LINUX_EXPORT_H
#define _TOOLS_LINUX_EXPORT_H
#define EXPORT_SYMBOL(s)
#define EXPORT_SYMBOL_GPL(s)
#endif
