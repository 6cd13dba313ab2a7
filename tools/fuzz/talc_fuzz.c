// SPDX-License-Identifier: GPL-2.0
/*
 * talc_fuzz.c - libFuzzer target for the core.
 *
 * Each input is a program: a sequence of operations on one talc with up to
 * NR_SLOTS regions carved from a static buffer.  Every allocation is filled
 * with a pattern that is verified before it is freed or reallocated, and
 * talc_check() runs after every operation.  At the end everything is freed,
 * every region released, and all counters must be back to zero.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/compiler.h>
#include "talc.h"

#define NR_SLOTS	8
#define SLOT_SIZE	(256 * 1024)
#define NR_PTRS		256

static unsigned char arena[NR_SLOTS * SLOT_SIZE] __aligned(4096);
static struct talc t;
static unsigned long long ops_done;

struct slot {
	char *base;
	size_t size;
	bool live;
};

struct block {
	unsigned char *p;
	size_t len;
	size_t align;
	unsigned char seed;
};

static struct slot slots[NR_SLOTS];
static struct block blocks[NR_PTRS];

static void die(const char *what)
{
	fprintf(stderr, "talc_fuzz: %s\n", what);
	abort();
}

static void on_report(void *data, enum talc_event ev, const void *addr,
		      const char *what)
{
	fprintf(stderr, "talc_fuzz: event %d at %p: %s\n", ev, addr, what);
	die("unexpected event from the report hook");
}

static void fill(struct block *b)
{
	size_t i;

	for (i = 0; i < b->len; i++)
		b->p[i] = (unsigned char)(b->seed + i);
}

static void verify(const struct block *b, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (b->p[i] != (unsigned char)(b->seed + i))
			die("allocation contents changed");
}

struct input {
	const unsigned char *d;
	size_t n;
};

static unsigned int take(struct input *in, unsigned int bytes)
{
	unsigned int v = 0;

	while (bytes--) {
		v <<= 8;
		if (in->n) {
			v |= *in->d++;
			in->n--;
		}
	}
	return v;
}

static void check_heap(void)
{
	if (talc_check(&t))
		die("talc_check failed");
}

static void op_alloc(struct input *in, bool aligned)
{
	unsigned int i = take(in, 1) % NR_PTRS;
	size_t size = take(in, 2);
	size_t align = aligned ? 1UL << (take(in, 1) % 21) : 8;
	struct block *b = &blocks[i];

	if (b->p) {
		verify(b, b->len);
		talc_free(&t, b->p);
	}
	/* mostly below 512 bytes, sometimes up to 4 KiB, rarely up to 128 KiB */
	if (size >= 0xf000)
		size = (size & 0xfff) << 5;
	else if (size >= 0xc000)
		size &= 0xfff;
	else
		size &= 0x1ff;
	b->p = aligned ? talc_malloc_aligned(&t, size, align) :
			 talc_malloc(&t, size);
	b->len = size;
	b->align = align;
	b->seed = (unsigned char)(i * 31 + ops_done);
	if (b->p) {
		if ((uintptr_t)b->p % align)
			die("misaligned allocation");
		if (talc_usable_size(&t, b->p) < size)
			die("usable size below request");
		fill(b);
	}
}

static void op_free(struct input *in)
{
	struct block *b = &blocks[take(in, 1) % NR_PTRS];

	if (!b->p)
		return;
	verify(b, b->len);
	talc_free(&t, b->p);
	b->p = NULL;
}

static void op_realloc(struct input *in)
{
	struct block *b = &blocks[take(in, 1) % NR_PTRS];
	size_t size = (take(in, 2) & 0x1fff) + 1;
	unsigned char *q;

	if (!b->p)
		return;
	verify(b, b->len);
	q = talc_realloc(&t, b->p, size);
	if (!q)
		return;
	/* a moved block keeps the alignment it was allocated with */
	if ((uintptr_t)q % b->align)
		die("realloc lost alignment");
	b->p = q;
	verify(b, b->len < size ? b->len : size);
	b->len = size;
	fill(b);
}

static void op_claim(struct input *in)
{
	struct slot *s = &slots[take(in, 1) % NR_SLOTS];
	size_t off = take(in, 1);
	size_t size = take(in, 2) * 4 + 64;
	char *base = (char *)arena + (s - slots) * SLOT_SIZE + off;

	if (s->live || off + size > SLOT_SIZE)
		return;
	if (!talc_claim(&t, base, size)) {
		s->base = base;
		s->size = size;
		s->live = true;
	}
}

static void op_extend(struct input *in)
{
	struct slot *s = &slots[take(in, 1) % NR_SLOTS];
	size_t delta = take(in, 2);
	size_t room;

	if (!s->live)
		return;
	room = (char *)arena + (s - slots + 1) * SLOT_SIZE - s->base - s->size;
	if (delta > room)
		delta = room;
	if (talc_extend(&t, s->base, s->size + delta))
		die("extend failed");
	s->size += delta;
}

static void op_truncate(struct input *in)
{
	struct slot *s = &slots[take(in, 1) % NR_SLOTS];
	size_t delta = take(in, 2);
	size_t reserved, new_size;
	int ret;

	if (!s->live)
		return;
	reserved = talc_reserved(&t, s->base);
	new_size = delta > s->size ? 0 : s->size - delta;
	ret = talc_truncate(&t, s->base, new_size);
	if (new_size >= reserved ? ret != 0 : ret == 0)
		die("truncate disagrees with talc_reserved");
	if (!ret)
		s->size = new_size;
}

static void op_release(struct input *in)
{
	struct slot *s = &slots[take(in, 1) % NR_SLOTS];

	if (s->live && !talc_release(&t, s->base))
		s->live = false;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct input in = { data, size };
	struct talc_stats st;
	int i;

	talc_init(&t);
	t.report = on_report;
	memset(slots, 0, sizeof(slots));
	memset(blocks, 0, sizeof(blocks));
	/* one region to start with */
	slots[0].base = (char *)arena;
	slots[0].size = SLOT_SIZE / 2;
	slots[0].live = true;
	if (talc_claim(&t, slots[0].base, slots[0].size))
		die("first claim failed");

	while (in.n) {
		switch (take(&in, 1) % 12) {
		case 0:
		case 1:
			op_alloc(&in, false);
			break;
		case 2:
			op_alloc(&in, true);
			break;
		case 3:
		case 4:
			op_free(&in);
			break;
		case 5:
			op_realloc(&in);
			break;
		case 6:
			op_claim(&in);
			break;
		case 7:
			op_extend(&in);
			break;
		case 8:
			op_truncate(&in);
			break;
		case 9:
			t.poison = !t.poison;
			break;
		case 10:
			op_release(&in);
			break;
		case 11:
			t.quick_depth = take(&in, 1) % 10;
			break;
		}
		ops_done++;
		check_heap();
	}

	for (i = 0; i < NR_PTRS; i++) {
		if (blocks[i].p) {
			verify(&blocks[i], blocks[i].len);
			talc_free(&t, blocks[i].p);
		}
	}
	talc_get_stats(&t, &st);
	if (st.allocation_count || st.allocated_bytes || st.bad_frees ||
	    st.poison_errors)
		die("counters not back to zero after freeing everything");
	for (i = 0; i < NR_SLOTS; i++)
		if (slots[i].live && talc_release(&t, slots[i].base))
			die("release of an empty region failed");
	talc_get_stats(&t, &st);
	if (st.claimed_bytes || st.region_count || st.available_bytes ||
	    st.fragment_count)
		die("region counters not zero after releasing everything");
	check_heap();
	return 0;
}

static void __attribute__((destructor)) print_ops(void)
{
	fprintf(stderr, "talc_fuzz: %llu operations executed\n", ops_done);
}
