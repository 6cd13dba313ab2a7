#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kunit-planted.sh - prove that the KUnit run fails on planted bugs.
#
# Copies the repository to a scratch directory (the real tree is never
# touched), plants one bug at a time and runs scripts/kunit.sh there:
#   binof   off-by-one in the core's bin index (talc.c, bin_of()'s table
#           lookup): variant default must fail;
#   unlock  a missing talc_heap_unlock() (talc_heap.c, talc_heap_stats()):
#           variants default and lockdep must both fail;
#   uaf     a write to the heap after kfree() when it is destroyed
#           (talc_heap.c, talc_heap_free_memory()): variant kasan must fail;
#   shift   an out-of-range shift that changes no result (talc.c,
#           talc_bin_min_size()): variant default (UBSAN) must fail;
#   cache-double      the per-CPU cache's double-free mark ignored;
#   cache-hysteresis  a full class drains everything, not one batch;
#   cache-bound       frees cached past cache_limit;
#   cache-stats       cached chunks counted as allocations:
#           (talc_heap.c) variant default must fail each;
#   hard-link   hardened mode: the core's bin link check skipped (talc.c,
#           bin_link_ok());
#   cache-link  a hardened heap's cache link followed unchecked
#           (talc_heap.c, talc_cache_link_ok()): variant default must fail
#           each;
#   sleep   a GFP_KERNEL kmalloc() under the heap's lock (talc_heap.c,
#           talc_heap_stats()): variant atomic (DEBUG_ATOMIC_SLEEP) must
#           fail.
# A variant catches a bug when it reports more failures than it does on the
# unmodified copy (the baseline, run first), so an unrelated failing test
# cannot pass for a catch.  A plant that does not apply counts as a failure.
# The
# next normal run re-links lib/talc to its own tree and rebuilds talc's
# objects.  Ends with "N passed, M failed" (a pass = a planted bug caught).
set -u
top=$(cd "$(dirname "$0")/.." && pwd -P)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/talc-planted.XXXXXX")
cache=${TALC_CACHE:-/var/cache/talc}
# shellcheck source=scripts/ksrc.sh
. "$top/scripts/ksrc.sh"

# Point lib/talc back at this tree (under kunit.sh's lock) and drop the
# planted objects, so neither a dangling link nor a planted object remains.
cleanup() {
	local link=$cache/$ksrc_name/lib/talc

	if [ -L "$link" ]; then
		(
			flock 9
			rm -f "$link" && ln -s "$top" "$link"
			rm -rf "$cache"/build-*/lib/talc
		) 9>"$cache/lock"
	fi
	rm -rf "$scratch"
}
trap cleanup EXIT
pass=0
fail=0

# run_plant NAME FILE PERL_EXPR VARIANT...
run_plant() {
	local name=$1 file=$2 expr=$3 v line f
	shift 3
	# A tree of its own: kunit.sh drops talc's objects when lib/talc is
	# re-pointed, so no object of another plant survives (rsync keeps
	# the old mtimes, which kbuild would trust).
	rsync -a --exclude build --exclude .git "$top/" "$scratch/$name/"
	perl -0pi -e "$expr" "$scratch/$name/$file"
	if cmp -s "$top/$file" "$scratch/$name/$file"; then
		echo "planted[$name]: could not plant into $file (code changed?)"
		fail=$((fail + 1))
		return
	fi
	echo "=== planted[$name]: $file"
	diff -u "$top/$file" "$scratch/$name/$file" | sed -n '3,$p' | grep '^[-+]'
	"$scratch/$name/scripts/kunit.sh" "$@" > "$scratch/$name.log" 2>&1
	for v in "$@"; do
		line=$(grep -E "^  $v +Ran" "$scratch/$name.log")
		echo "  $line"
		f=$(echo "$line" | sed -nE 's/.* ([0-9]+) failed.*/\1/p')
		if [ "${f:-0}" -gt "${base[$v]}" ]; then
			pass=$((pass + 1))
		else
			echo "planted[$name]: variant $v did NOT catch it"
			fail=$((fail + 1))
		fi
	done
	mkdir -p "$top/build/kunit"
	cp "$scratch/$name.log" "$top/build/kunit/planted-$name.log"
}

# baseline: the unmodified copy
rsync -a --exclude build --exclude .git "$top/" "$scratch/baseline/"
"$scratch/baseline/scripts/kunit.sh" > "$scratch/baseline.log" 2>&1
declare -A base
for v in default kasan lockdep atomic; do
	line=$(grep -E "^  $v +Ran" "$scratch/baseline.log")
	echo "baseline: $line"
	base[$v]=$(echo "$line" | sed -nE 's/.* ([0-9]+) failed.*/\1/p')
	[ -n "${base[$v]}" ] || base[$v]=0
done

# The expressions are perl's ($1 is perl's): single quotes on purpose.
# shellcheck disable=SC2016
run_plant binof talc/talc.c \
	's|return small_bin\[size / TALC_ALIGN\];|return small_bin[size / TALC_ALIGN] + 1;|' \
	default
# shellcheck disable=SC2016
run_plant unlock talc/talc_heap.c \
	's|(\ttalc_cache_adjust_stats\(heap, st\);\n)\ttalc_heap_unlock\(heap, &hold\);\n|$1|' \
	default lockdep
# shellcheck disable=SC2016
run_plant uaf talc/talc_heap.c \
	's|(\tkfree\(rcu_dereference_protected\(heap->rtab, true\)\);\n\tkfree\(heap\);\n)(\}\n)|$1\tWRITE_ONCE(heap->size, 0);\n$2|' \
	kasan
# shellcheck disable=SC2016
run_plant shift talc/talc.c \
	's|return \(size_t\)\(TALC_SUBBINS \+ i % TALC_SUBBINS\) <<\n\t       \(l - TALC_SUBBIN_SHIFT\);|return ((size_t)(TALC_SUBBINS + i % TALC_SUBBINS) <<\n\t\t(l - TALC_SUBBIN_SHIFT)) \| ((size_t)(i >> 31) << (l + 30));|' \
	default
# The per-CPU caches (issue 9).
# shellcheck disable=SC2016
run_plant cache-double talc/talc_heap.c \
	's#talc_cache_marked\(heap, ptr, w\) \|\|#0 ||#' \
	default
# shellcheck disable=SC2016
run_plant cache-hysteresis talc/talc_heap.c \
	's|(reclaim = talc_cache_drain_class\(heap, pcp, k,\n\s+)talc_cache_batch\(k\)\);|${1}UINT_MAX);|' \
	default
# shellcheck disable=SC2016
run_plant cache-bound talc/talc_heap.c \
	's|ok = pcp->bytes \+ csize <= limit;|ok = true;|' \
	default
# shellcheck disable=SC2016
run_plant cache-stats talc/talc_heap.c \
	's|\tst->allocation_count -= chunks;\n||' \
	default
# Hardened mode (issue 12): a cache link followed unchecked.
# shellcheck disable=SC2016
run_plant hard-link talc/talc.c \
	's|(\treturn link_plausible\(t, n\) &&\n)|\treturn true;\n$1|' \
	default
# shellcheck disable=SC2016
run_plant cache-link talc/talc_heap.c \
	's|(\treturn a - rt->r\[0\]\.lo < )|\treturn true;\n$1|' \
	default
# shellcheck disable=SC2016
run_plant sleep talc/talc_heap.c \
	's|(\ttalc_heap_lock\(heap, &hold\);\n)(\ttalc_get_stats\(&heap->core, st\);\n)|$1\tkfree(kmalloc(8, GFP_KERNEL));\n$2|' \
	atomic

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
