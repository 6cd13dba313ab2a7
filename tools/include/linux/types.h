/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace shim: the kernel types talc's sources use. */
#ifndef _TOOLS_LINUX_TYPES_H
#define _TOOLS_LINUX_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;
typedef unsigned int gfp_t;
typedef uintptr_t phys_addr_t;

#define BITS_PER_LONG	__LONG_WIDTH__

#endif
