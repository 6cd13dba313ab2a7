/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TOOLS_LINUX_VMALLOC_H
#define _TOOLS_LINUX_VMALLOC_H
#include <stdlib.h>
#define vzalloc(size)	calloc(1, size)
#define vfree(p)	free(p)
#endif
