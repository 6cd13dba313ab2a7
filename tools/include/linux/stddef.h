/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TOOLS_LINUX_STDDEF_H
#define _TOOLS_LINUX_STDDEF_H
#include <stddef.h>
#endif
