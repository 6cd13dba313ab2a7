/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TOOLS_LINUX_SLAB_H
#define _TOOLS_LINUX_SLAB_H
#include <linux/gfp.h>
#include <stdlib.h>
#define kmalloc(size, gfp)	malloc(size)
#define kzalloc(size, gfp)	calloc(1, size)
#define kfree(p)		free(p)
#endif
