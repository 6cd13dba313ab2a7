/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TOOLS_LINUX_MODULE_H
#define _TOOLS_LINUX_MODULE_H
#define MODULE_DESCRIPTION(s)
#define MODULE_LICENSE(s)
#define MODULE_AUTHOR(s)
#endif
