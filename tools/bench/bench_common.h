/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench_common.h - random numbers, size/alignment distributions and the
 * cycle counter shared by the userspace benchmarks.
 *
 * The distributions are talc v5's (benches/src/lib.rs): size = U[4, cap)
 * with cap = U[16, max), alignment = 8 << (tzcnt(random u16) / 2).
 */
#ifndef _TALC_BENCH_COMMON_H
#define _TALC_BENCH_COMMON_H

#include <stdint.h>
#include <stddef.h>
#include <time.h>
#include <x86intrin.h>

/* wyrand, the generator behind Rust's fastrand (used by talc's benches) */
static inline uint64_t rng_next(uint64_t *s)
{
	unsigned __int128 t;

	*s += 0xa0761d6478bd642fULL;
	t = (unsigned __int128)*s * (*s ^ 0xe7037ed1a0b428dbULL);
	return (uint64_t)(t >> 64) ^ (uint64_t)t;
}

/* uniform in [lo, hi) (hi > lo), multiply-shift, bias negligible here */
static inline uint64_t rng_range(uint64_t *s, uint64_t lo, uint64_t hi)
{
	return lo + (uint64_t)(((unsigned __int128)rng_next(s) * (hi - lo)) >> 64);
}

static inline size_t gen_size(uint64_t *s, size_t max)
{
	size_t cap = rng_range(s, 16, max);

	return rng_range(s, 4, cap);
}

static inline size_t gen_align(uint64_t *s)
{
	uint16_t r = (uint16_t)rng_next(s);
	unsigned int tz = r ? __builtin_ctz(r) : 16;

	return (size_t)8 << (tz / 2);
}

static inline double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* fenced timestamps, as talc v5's microbench: lfence;rdtsc ... rdtscp;lfence */
static inline uint64_t tsc_start(void)
{
	uint64_t t;

	_mm_lfence();
	t = __rdtsc();
	__asm__ __volatile__("" ::: "memory");
	return t;
}

static inline uint64_t tsc_stop(void)
{
	unsigned int aux;
	uint64_t t;

	__asm__ __volatile__("" ::: "memory");
	t = __rdtscp(&aux);
	_mm_lfence();
	return t;
}

#endif /* _TALC_BENCH_COMMON_H */
