/* SPDX-License-Identifier: GPL-2.0 */
/*
 * talc_pattern.h - the fill pattern the talc suites write into allocations
 * and verify later.  Kernel and userspace (make unit) alike.
 */
#ifndef _TALC_PATTERN_H
#define _TALC_PATTERN_H

#include <linux/types.h>

/* Fill @n bytes at @p with a pattern that depends on @seed and the offset. */
static inline void talc_pattern_fill(void *p, size_t n, u8 seed)
{
	u8 *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (u8)(seed + i * 7);
}

/* Return: true if @n bytes at @p still hold talc_pattern_fill(@seed). */
static inline bool talc_pattern_ok(const void *p, size_t n, u8 seed)
{
	const u8 *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != (u8)(seed + i * 7))
			return false;
	return true;
}

#endif /* _TALC_PATTERN_H */
