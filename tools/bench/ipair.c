// SPDX-License-Identifier: GPL-2.0
/*
 * ipair.c - the loop whose instructions callgrind counts: N times
 * p = alloc(SIZE); free(p).
 *
 *   ipair talc|talc-lock|glibc|null SIZE N
 *
 * run-user.sh runs it twice per case (N1 < N2) and divides the difference
 * of the totals by N2 - N1, so start-up and teardown cancel out.  "null"
 * calls out-of-line stubs that do nothing: its count is the loop and call
 * overhead, subtracted from the others as "net".  BENCH_TALC_HARDENED=1
 * turns talc's hardened mode on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <linux/compiler.h>
#include "talc.h"

#define ARENA_SIZE	(16UL << 20)

static struct talc t;
static int lock_word;
static char null_buf[8192] __aligned(64);

static noinline void *null_alloc(size_t size)
{
	__asm__ __volatile__("" : : "r"(size) : "memory");
	return null_buf;
}

static noinline void null_free(void *p)
{
	__asm__ __volatile__("" : : "r"(p) : "memory");
}

static noinline void *lock_alloc(size_t size)
{
	void *p;

	while (__atomic_exchange_n(&lock_word, 1, __ATOMIC_ACQUIRE))
		;
	p = talc_malloc(&t, size);
	__atomic_store_n(&lock_word, 0, __ATOMIC_RELEASE);
	return p;
}

static noinline void lock_free(void *p)
{
	while (__atomic_exchange_n(&lock_word, 1, __ATOMIC_ACQUIRE))
		;
	talc_free(&t, p);
	__atomic_store_n(&lock_word, 0, __ATOMIC_RELEASE);
}

int main(int argc, char **argv)
{
	size_t size, n, i;
	void *arena;

	if (argc != 4) {
		fprintf(stderr, "usage: ipair talc|talc-lock|glibc|null SIZE N\n");
		return 2;
	}
	size = strtoul(argv[2], NULL, 0);
	n = strtoul(argv[3], NULL, 0);
	arena = mmap(NULL, ARENA_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (arena == MAP_FAILED)
		return 1;
	talc_init(&t);
	if (getenv("BENCH_TALC_HARDENED") && atoi(getenv("BENCH_TALC_HARDENED")))
		talc_set_hardened(&t, 0x5eed5eedcafef00dUL);
	if (talc_claim(&t, arena, ARENA_SIZE))
		return 1;

	if (!strcmp(argv[1], "talc")) {
		for (i = 0; i < n; i++) {
			void *p = talc_malloc(&t, size);

			__asm__ __volatile__("" : : "r"(p) : "memory");
			talc_free(&t, p);
		}
	} else if (!strcmp(argv[1], "talc-lock")) {
		for (i = 0; i < n; i++) {
			void *p = lock_alloc(size);

			__asm__ __volatile__("" : : "r"(p) : "memory");
			lock_free(p);
		}
	} else if (!strcmp(argv[1], "glibc")) {
		for (i = 0; i < n; i++) {
			void *p = malloc(size);

			__asm__ __volatile__("" : : "r"(p) : "memory");
			free(p);
		}
	} else if (!strcmp(argv[1], "null")) {
		for (i = 0; i < n; i++) {
			void *p = null_alloc(size);

			__asm__ __volatile__("" : : "r"(p) : "memory");
			null_free(p);
		}
	} else {
		return 2;
	}
	return 0;
}
