// SPDX-License-Identifier: GPL-2.0
/*
 * talc_fuzz.c - libFuzzer target for the core.
 *
 * Each input is a program: a sequence of operations on one talc whose
 * regions are cut from a static arena at any offset (so they may be
 * adjacent, and one may grow into the space another left).  A model of the
 * regions and of the live blocks is the oracle: claim, extend, truncate and
 * release must succeed or fail exactly as the model says; more than
 * TALC_INDEX_INLINE regions take the index-growth protocol (talc_claim()
 * -> -ENOSPC -> talc_index_bytes() -> talc_set_index() -> talc_claim()).
 * Every allocation is filled with a pattern that is verified before it is
 * freed, reallocated or resized; talc_check() runs after every operation,
 * and a resumable walk or stepped check advances by a small budget between
 * operations, as the module's debugfs readers do with its lock dropped.
 * At the end everything is freed, every region released, and all counters
 * must be back to zero.  Any report from the core is a finding.
 *
 * Inputs of odd length run in hardened mode (talc_set_hardened(), with a
 * secret that depends on the length), so the corpus covers both modes
 * without a byte that would shift its programs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/compiler.h>
#include <linux/errno.h>
#include "talc.h"

#define ARENA_SIZE	(4 << 20)
#define NR_REGIONS	24
#define NR_PTRS		256

static unsigned char arena[ARENA_SIZE] __aligned(4096);
static struct talc t;
static unsigned long long ops_done, index_grows, walks_done, steps_done;
static unsigned long long hardened_runs;

struct region {
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

static struct region regions[NR_REGIONS];
static struct block blocks[NR_PTRS];
static void *index_mem;		/* the index memory given last, or NULL */
static bool poison_on;
static int walking;		/* 0: none, 1: walk_step, 2: check_step */

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

/* ---- the model ---- */

static struct region *region_of(const void *p)
{
	int i;

	for (i = 0; i < NR_REGIONS; i++)
		if (regions[i].live && (const char *)p >= regions[i].base &&
		    (const char *)p < regions[i].base + regions[i].size)
			return &regions[i];
	return NULL;
}

static bool overlaps(const char *base, size_t size)
{
	int i;

	for (i = 0; i < NR_REGIONS; i++)
		if (regions[i].live && base < regions[i].base + regions[i].size &&
		    regions[i].base < base + size)
			return true;
	return false;
}

static bool holds_blocks(const struct region *r)
{
	int i;

	for (i = 0; i < NR_PTRS; i++)
		if (blocks[i].p && (char *)blocks[i].p >= r->base &&
		    (char *)blocks[i].p < r->base + r->size)
			return true;
	return false;
}

/* Bytes region @r may grow by: up to the next live region or the arena end. */
static size_t room(const struct region *r)
{
	char *lim = (char *)arena + ARENA_SIZE;
	int i;

	for (i = 0; i < NR_REGIONS; i++)
		if (regions[i].live && regions[i].base > r->base &&
		    regions[i].base < lim)
			lim = regions[i].base;
	return lim - (r->base + r->size);
}

static int live_regions(void)
{
	int i, n = 0;

	for (i = 0; i < NR_REGIONS; i++)
		n += regions[i].live;
	return n;
}

/* Would talc_claim() take [base, base + size) as a region on its own? */
static bool big_enough(const char *base, size_t size)
{
	uintptr_t lo = ((uintptr_t)base + TALC_ALIGN - 1) & ~(TALC_ALIGN - 1);
	uintptr_t hi = ((uintptr_t)base + size) & ~(TALC_ALIGN - 1);
	/* the head, one minimal chunk and the sentinel */
	size_t min = talc_region_overhead() - 2 * (TALC_ALIGN - 1) +
		     TALC_MIN_CHUNK;

	return hi >= lo && hi - lo >= min;
}

/* The owner's side of the index protocol. */
static void set_index(size_t bytes)
{
	void *mem = malloc(bytes), *old;

	if (!mem)
		die("out of memory for the region index");
	if (talc_set_index(&t, mem, bytes, &old))
		die("talc_set_index refused an index large enough");
	if (old != index_mem)
		die("talc_set_index returned other old memory than given");
	free(old);
	index_mem = mem;
}

static int claim_grow(void *base, size_t size)
{
	int ret = talc_claim(&t, base, size);

	if (ret != -ENOSPC)
		return ret;
	if (!talc_index_bytes(&t))
		die("talc_claim -ENOSPC, but talc_index_bytes 0");
	set_index(talc_index_bytes(&t));
	index_grows++;
	if (talc_index_bytes(&t))
		die("talc_index_bytes after growth");
	return talc_claim(&t, base, size);
}

/* ---- operations ---- */

static void op_alloc(struct input *in, bool aligned)
{
	unsigned int i = take(in, 1) % NR_PTRS;
	size_t size = take(in, 2);
	size_t align = aligned ? 1UL << (take(in, 1) % 21) : 8;
	struct block *b = &blocks[i];
	u64 gen;

	if (b->p) {
		verify(b, b->len);
		if (talc_free(&t, b->p))
			die("free of a live block failed");
	}
	/* mostly below 512 bytes, sometimes up to 4 KiB, rarely up to 128 KiB */
	if (size >= 0xf000)
		size = (size & 0xfff) << 5;
	else if (size >= 0xc000)
		size &= 0xfff;
	else
		size &= 0x1ff;
	gen = talc_generation(&t);
	b->p = aligned ? talc_malloc_aligned(&t, size, align) :
			 talc_malloc(&t, size);
	b->len = size;
	b->align = align < TALC_ALIGN ? TALC_ALIGN : align;
	b->seed = (unsigned char)(i * 31 + ops_done);
	if (b->p) {
		if ((uintptr_t)b->p % align)
			die("misaligned allocation");
		if (talc_usable_size(&t, b->p) < size)
			die("usable size below request");
		if (talc_generation(&t) == gen)
			die("allocation left the generation alone");
		if (!region_of(b->p) ||
		    (char *)b->p + size > region_of(b->p)->base +
					  region_of(b->p)->size)
			die("allocation outside every region");
		fill(b);
	}
}

/* talc_malloc_bulk() of up to 8 blocks into consecutive slots, run or not */
static void op_alloc_bulk(struct input *in)
{
	unsigned int first = take(in, 1), v = take(in, 1), got, k;
	unsigned int n = v % 8 + 1;
	size_t size = take(in, 2) & 0x7ff;
	void *out[8];
	u64 gen;

	for (k = 0; k < n; k++) {
		struct block *b = &blocks[(first + k) % NR_PTRS];

		if (b->p) {
			verify(b, b->len);
			if (talc_free(&t, b->p))
				die("free of a live block failed");
			b->p = NULL;
		}
	}
	gen = talc_generation(&t);
	got = talc_malloc_bulk(&t, size, n, out, !(v & 8));
	if (got > n || (got && talc_generation(&t) == gen))
		die("bulk allocation miscounted");
	for (k = 0; k < got; k++) {
		struct block *b = &blocks[(first + k) % NR_PTRS];

		if (!out[k] || (uintptr_t)out[k] % TALC_ALIGN ||
		    talc_usable_size(&t, out[k]) < size)
			die("bad block from a bulk allocation");
		if (!region_of(out[k]) ||
		    (char *)out[k] + size > region_of(out[k])->base +
					    region_of(out[k])->size)
			die("bulk allocation outside every region");
		b->p = out[k];
		b->len = size;
		b->align = TALC_ALIGN;
		b->seed = (unsigned char)(first + k * 31 + ops_done);
		fill(b);
	}
	/* it stops short only when no block of the size fits any more */
	if (got < n) {
		void *p = talc_malloc(&t, size);

		if (p)
			die("bulk allocation stopped with room left");
	}
}

static void op_free(struct input *in)
{
	struct block *b = &blocks[take(in, 1) % NR_PTRS];
	u64 gen = talc_generation(&t);

	if (!b->p)
		return;
	verify(b, b->len);
	if (talc_free(&t, b->p))
		die("free of a live block failed");
	if (talc_generation(&t) == gen)
		die("free left the generation alone");
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

static void op_resize(struct input *in)
{
	struct block *b = &blocks[take(in, 1) % NR_PTRS];
	size_t size = (take(in, 2) & 0x1fff) + 1;
	struct talc_block old;
	int ret;

	if (!b->p)
		return;
	verify(b, b->len);
	ret = talc_resize(&t, b->p, size, &old);
	if (old.usable < b->len || old.align != b->align)
		die("resize reported a wrong old block");
	if (ret == -ENOSPC) {
		verify(b, b->len);
		if (talc_usable_size(&t, b->p) != old.usable)
			die("resize that must move changed the block");
		return;
	}
	if (ret)
		die("resize of a live block failed");
	if (talc_usable_size(&t, b->p) < size)
		die("resize in place: usable size below request");
	verify(b, b->len < size ? b->len : size);
	b->len = size;
	fill(b);
}

static void op_block_info(struct input *in)
{
	struct block *b = &blocks[take(in, 1) % NR_PTRS];
	struct talc_block blk;

	if (!b->p)
		return;
	if (talc_block_info(&t, b->p, &blk))
		die("block_info of a live block failed");
	if (blk.usable < b->len || blk.align != b->align ||
	    blk.usable != talc_usable_size(&t, b->p))
		die("block_info disagrees with the block");
	verify(b, b->len);
}

static void op_claim(struct input *in)
{
	struct region *r = &regions[take(in, 1) % NR_REGIONS];
	size_t off = take(in, 3) % ARENA_SIZE;
	size_t size = take(in, 2) * 4 + 64;
	char *base = (char *)arena + off;
	int ret, want;

	if (r->live)
		return;
	if (off + size > ARENA_SIZE)
		size = ARENA_SIZE - off;
	want = overlaps(base, size) || !big_enough(base, size) ? -EINVAL : 0;
	ret = claim_grow(base, size);
	if (ret != want)
		die("claim disagrees with the model");
	if (!ret) {
		r->base = base;
		r->size = size;
		r->live = true;
	}
}

static void op_extend(struct input *in)
{
	struct region *r = &regions[take(in, 1) % NR_REGIONS];
	size_t delta = take(in, 2) * (take(in, 1) % 4 + 1);

	if (!r->live)
		return;
	if (delta > room(r))
		delta = room(r);
	if (talc_extend(&t, r->base, r->size + delta))
		die("extend failed");
	r->size += delta;
	/* and one byte more than there is room for */
	if (r->base + r->size < (char *)arena + ARENA_SIZE && !room(r) &&
	    !talc_extend(&t, r->base, r->size + 1))
		die("extend over the next region succeeded");
}

static void op_truncate(struct input *in)
{
	struct region *r = &regions[take(in, 1) % NR_REGIONS];
	size_t delta = take(in, 2);
	size_t limit, new_size;
	int ret;

	if (!r->live)
		return;
	limit = talc_truncate_limit(&t, r->base);
	new_size = delta > r->size ? 0 : r->size - delta;
	ret = talc_truncate(&t, r->base, new_size);
	if (new_size >= limit ? ret != 0 : ret == 0)
		die("truncate disagrees with talc_truncate_limit");
	if (!ret)
		r->size = new_size;
}

static void op_release(struct input *in)
{
	struct region *r = &regions[take(in, 1) % NR_REGIONS];
	int ret;

	if (!r->live)
		return;
	ret = talc_release(&t, r->base);
	if (ret != (holds_blocks(r) ? -EBUSY : 0))
		die("release disagrees with the model");
	if (!ret)
		r->live = false;
}

/* A new index of any size that holds the regions (or one too small). */
static void op_index(struct input *in)
{
	unsigned int v = take(in, 1);
	struct talc_stats st;
	void *mem, *old;
	size_t regs;

	talc_get_stats(&t, &st);
	regs = st.region_count;
	if (v & 0x80 && regs) {
		/* one region short: refused, and nothing changes */
		mem = malloc(TALC_INDEX_BYTES(regs) - 1);
		if (!mem)
			die("out of memory");
		if (talc_set_index(&t, mem, TALC_INDEX_BYTES(regs) - 1, &old) !=
		    -EINVAL || old)
			die("talc_set_index took an index too small");
		free(mem);
		return;
	}
	set_index(TALC_INDEX_BYTES(regs + v % 8 + 1));
}

static int visit(void *data, const struct talc_chunk_info *ci)
{
	struct region *r = region_of(ci->chunk);

	if (!r || r->base != ci->region || ci->size < TALC_MIN_CHUNK ||
	    (char *)ci->chunk + ci->size > r->base + r->size)
		die("walk visited a chunk outside its region");
	if (data)
		(*(unsigned long *)data)++;
	return 0;
}

/* One step of the resumable walk (@check: a check step), ended when done. */
static void walk_one_step(bool check, unsigned int budget)
{
	int ret = check ? talc_check_step(&t, budget) :
			  talc_walk_step(&t, visit, NULL, budget);

	steps_done++;
	if (ret < 0)
		die("stepped walk or check failed");
	if (!ret) {
		walking = 0;
		walks_done++;
	}
}

/* One step of the walk that goes on between operations. */
static void op_step(struct input *in)
{
	unsigned int v = take(in, 1);
	unsigned int budget = v % 4 + 1;

	if (!walking || (v & 0x80)) {
		talc_walk_start(&t);
		walking = 1 + ((v >> 4) & 1);
	}
	/* one walk, the two kinds of steps interleaved */
	walk_one_step(v & 0x40, budget);
}

/* On a heap that holds still, the stepped walk sees what talc_walk sees. */
static void op_full_walk(struct input *in)
{
	unsigned int budget = take(in, 1) % 8 + 1;
	unsigned long all = 0, stepped = 0, calls = 0;
	struct talc_stats st;
	int ret;

	if (talc_walk(&t, visit, &all))
		die("talc_walk failed");
	talc_walk_start(&t);
	walking = 0;
	do {
		ret = talc_walk_step(&t, visit, &stepped, budget);
		if (ret < 0 || ++calls > all + 2 * NR_REGIONS + 2)
			die("stepped walk failed or does not end");
	} while (ret);
	if (stepped != all)
		die("stepped walk visited other chunks than talc_walk");
	talc_get_stats(&t, &st);
	if (all != st.allocation_count + st.fragment_count)
		die("walk disagrees with the chunk counters");
}

/* The idle regions and talc_region_next() against the model. */
static void op_regions(struct input *in)
{
	struct region *skip = &regions[take(in, 1) % NR_REGIONS];
	const void *skip_base = skip->live ? skip->base : NULL;
	struct talc_region_info ri;
	struct talc_stats st;
	bool skip_idle = false;
	size_t n = 0, idle = 0;
	void *after = NULL;
	int ret;

	while (!talc_region_next(&t, after, &ri)) {
		struct region *r = region_of(ri.base);

		if (!r || r->base != ri.base || r->size != ri.size ||
		    (after && (char *)ri.base <= (char *)after) ||
		    (ri.idle && holds_blocks(r)))
			die("talc_region_next disagrees with the model");
		after = ri.base;
		n++;
		idle += ri.idle;
		skip_idle |= ri.idle && ri.base == skip_base;
	}
	talc_get_stats(&t, &st);
	if (n != (size_t)live_regions() || n != st.region_count ||
	    idle != st.idle_regions)
		die("talc_region_next disagrees with the counters");
	ret = talc_idle_region(&t, skip_base, &ri);
	if (!ret) {
		struct region *r = region_of(ri.base);

		if (!r || r->base != ri.base || !ri.idle || holds_blocks(r) ||
		    ri.base == skip_base)
			die("talc_idle_region returned a busy region");
	} else if (ret != -ENOENT || idle > (size_t)skip_idle) {
		die("talc_idle_region found no idle region");
	}
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct input in = { data, size };
	struct talc_stats st;
	int i;

	talc_init(&t);
	talc_set_report(&t, on_report, NULL);
	if ((size & 1) &&
	    talc_set_hardened(&t, 0x7a1c5ec2e7UL * (size | 1)))
		die("set_hardened failed");
	hardened_runs += size & 1;
	memset(regions, 0, sizeof(regions));
	memset(blocks, 0, sizeof(blocks));
	index_mem = NULL;
	poison_on = false;
	walking = 0;
	/* one region to start with */
	regions[0].base = (char *)arena;
	regions[0].size = 128 * 1024;
	regions[0].live = true;
	if (talc_claim(&t, regions[0].base, regions[0].size))
		die("first claim failed");

	while (in.n) {
		switch (take(&in, 1) % 22) {
		case 0:
			op_alloc(&in, false);
			break;
		case 1:
			op_alloc_bulk(&in);
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
			poison_on = !poison_on;
			talc_set_poison(&t, poison_on);
			break;
		case 10:
			op_release(&in);
			break;
		case 11:
			if (talc_set_quick_depth(&t, take(&in, 1) % 10))
				die("set_quick_depth failed");
			break;
		case 12:
			op_resize(&in);
			break;
		case 13:
			op_block_info(&in);
			break;
		case 14:
		case 15:
		case 16:
			op_step(&in);
			break;
		case 17:
			op_claim(&in);
			break;
		case 18:
			op_index(&in);
			break;
		case 19:
			op_full_walk(&in);
			break;
		case 20:
			op_regions(&in);
			break;
		case 21:
			talc_flush(&t);
			break;
		}
		ops_done++;
		check_heap();
		/* the walk goes on between operations, as with the lock dropped */
		if (walking)
			walk_one_step(walking == 2, 2);
	}

	for (i = 0; i < NR_PTRS; i++) {
		if (blocks[i].p) {
			verify(&blocks[i], blocks[i].len);
			if (talc_free(&t, blocks[i].p))
				die("final free failed");
		}
	}
	talc_get_stats(&t, &st);
	if (st.allocation_count || st.allocated_bytes || st.bad_frees ||
	    st.poison_errors)
		die("counters not back to zero after freeing everything");
	talc_flush(&t);
	talc_get_stats(&t, &st);
	if (st.quick_chunks || st.quick_bytes ||
	    st.idle_regions != st.region_count)
		die("regions not idle after freeing everything");
	for (i = 0; i < NR_REGIONS; i++)
		if (regions[i].live && talc_release(&t, regions[i].base))
			die("release of an empty region failed");
	talc_get_stats(&t, &st);
	if (st.claimed_bytes || st.region_count || st.available_bytes ||
	    st.fragment_count || st.idle_regions || st.overhead_bytes)
		die("region counters not zero after releasing everything");
	check_heap();
	free(index_mem);
	index_mem = NULL;
	return 0;
}

static void __attribute__((destructor)) print_ops(void)
{
	fprintf(stderr,
		"talc_fuzz: %llu operations executed, %llu index growths, %llu walks ended in %llu steps, %llu inputs hardened\n",
		ops_done, index_grows, walks_done, steps_done, hardened_runs);
}
