/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TOOLS_LINUX_LIMITS_H
#define _TOOLS_LINUX_LIMITS_H

#include <limits.h>
#include <stdint.h>

#define U8_MAX		((unsigned char)~0U)

#endif
