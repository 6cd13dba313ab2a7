#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run-ab.sh A B RESULTS_DIR - is talc.ko as built from A faster than from B?
# (make bench-ab A=... [B=...]).
#
# A and B are git revisions of this repository or directories holding a
# checkout (a scratch tree with uncommitted changes: a probe).  Each one's
# talc.ko and talc_bench.ko are built for make bench-kernel's UML kernel
# (kernel code natively on the CPU), a revision from a git archive of it.
# One boot then loads them in ABBA order over ROUNDS pairs: talc.ko and
# talc_bench.ko of one side, random actions at the five max sizes for talc,
# kmalloc and none (the harness alone), both modules unloaded, the other
# side.  One boot, because the harness's own speed moves by up to a quarter
# from one UML boot to the next (BENCHMARKS.md, twelve boots of one build):
# loads in one boot share it, and ABBA order cancels a linear drift.
# Both sides load B's talc_bench.ko (built against B's talc.ko, whose
# exported functions A's must match): the harness's code is then the same
# on both sides, and so are kmalloc's and none's, whose ratios are the
# run's noise floor.  (The first runs here, each side with its own
# talc_bench.ko built from the same source, read none 5-7 % apart between
# the sides in one boot; with B's on both sides, within 2 % in two runs,
# but 2-5 % in a third, kmalloc alike: the summary's last column divides
# that out, talc's ratio against kmalloc's in the same loads.)
# BENCH_AB_HARNESS=own loads each side's own talc_bench.ko, for a side that
# changes the benchmark; the floor then includes that.
# Writes RESULTS_DIR/ab.csv, ab-uml.log and summary-ab.md
# (tools/bench/abba-summary.py): per max size and allocator, A's
# throughput over B's (1.0 = no difference).
# Environment: TALC_CACHE, BENCH_AB_ROUNDS (pairs, default 6),
# BENCH_AB_PARAMS (more talc_bench.ko parameters for both sides, e.g.
# cache_kb=1024), BENCH_AB_HARNESS (b, the default, or own), BENCH_QUICK=1.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd -P)
[ $# -ge 2 ] || { echo "usage: run-ab.sh A B [RESULTS_DIR]" >&2; exit 2; }
side_a=$1
side_b=$2
out=${3:-$top/bench/results}
cache=${TALC_CACHE:-/var/cache/talc}
rounds=${BENCH_AB_ROUNDS:-6}
harness=${BENCH_AB_HARNESS:-b}
params="trials=1 duration_ms=200 run_mask=1 allocs=41"
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	rounds=1
	params="trials=1 duration_ms=50 run_mask=1 allocs=41"
fi
params="$params ${BENCH_AB_PARAMS:-}"
kb=$cache/build-bench
ab=$top/build/bench/ab
mkdir -p "$out" "$cache" "$ab"
rm -f "$out"/ab.csv "$out"/ab-*.log "$out/summary-ab.md"

die() { echo "run-ab.sh: $*" >&2; exit 1; }

case $harness in
b) bench_mod=$ab/b/kmod/talc_bench.ko ;;
own) bench_mod="$ab/\$v/kmod/talc_bench.ko" ;;	# $v: the guest's side
*) die "BENCH_AB_HARNESS=$harness: b or own" ;;
esac

"$top/scripts/deps.sh" kunit kmod || die "cannot install dependencies"
# shellcheck source=scripts/uml-kernel.sh
. "$top/scripts/uml-kernel.sh"
uml_kernel "$kb" "$out/ab-uml-build.log" || die "UML kernel failed"

# side_build SIDE LETTER - the sources of SIDE in $ab/LETTER/src (a
# directory is used as it is), its modules in $ab/LETTER/kmod, its label
# (the revision, or the directory's name and git describe) in
# $ab/LETTER/label.
side_build() {
	local side=$1 d=$ab/$2 src rev

	rm -rf "$d/src"
	mkdir -p "$d"
	if [ -d "$side" ]; then
		src=$(cd "$side" && pwd -P)
		[ -x "$src/scripts/kmod-build.sh" ] ||
			die "$side: not a checkout of talc"
		rev=$(git -C "$src" describe --always --dirty 2>/dev/null ||
		      echo tree)
		echo "$(basename "$src")@$rev" > "$d/label"
	else
		rev=$(git -C "$top" rev-parse --short --verify -q "$side^{commit}") ||
			die "$side: neither a directory nor a revision"
		mkdir -p "$d/src"
		git -C "$top" archive "$rev" | tar -x -C "$d/src" ||
			die "$side: git archive failed"
		src=$d/src
		echo "$rev" > "$d/label"
	fi
	"$src/scripts/kmod-build.sh" "$kb" "$d/kmod" ARCH=um \
		TALC_TEST_MODULES=1 > "$out/ab-modules-$2.log" 2>&1 ||
		{ tail -20 "$out/ab-modules-$2.log"; die "$side: module build for UML failed"; }
}
side_build "$side_a" a
side_build "$side_b" b
label_a=$(cat "$ab/a/label")
label_b=$(cat "$ab/b/label")
[ "$label_a" != "$label_b" ] || { label_a="A:$label_a"; label_b="B:$label_b"; }

# ABBA: a b b a a b ...
order=$(abba_order "$rounds" a b)
init=$ab/init.sh
abba_loop AB "$order" <<-EOF | uml_init_sh "$init"
	echo "talc-ab: slot \$slot variant \$v" > /dev/kmsg
	insmod $ab/\$v/kmod/talc.ko || { echo "FAIL: insmod talc.ko (\$v)"; exit 1; }
	insmod $bench_mod $params || { echo "FAIL: talc_bench (\$v)"; exit 1; }
	rmmod talc_bench && rmmod talc || { echo "FAIL: rmmod (\$v)"; exit 1; }
	EOF
log=$out/ab-uml.log
echo "run-ab.sh: UML (native), A = $label_a, B = $label_b, $rounds ABBA rounds:$order; host load $(cut -d' ' -f1-3 /proc/loadavg)"
uml_boot 1800 "$kb" "$init" "$log"
abba_log_ok "$log" AB ||
	die "the guest failed (above; a side whose talc.ko exports other functions needs BENCH_AB_HARNESS=own)"
# CSV rows: platform,variant,slot,workload,allocator,value
echo "platform,variant,slot,workload,allocator,value" > "$out/ab.csv"
abba_csv "$log" uml a "$label_a" b "$label_b" >> "$out/ab.csv" ||
	die "no rows for one of the sides (log: $log)"
echo "uml: $ksrc_name, UP; params: $params; A = $label_a, B = $label_b; order:$order" \
	> "$out/machine-ab.txt"

"$top/tools/bench/abba-summary.py" "$out/ab.csv" "$label_a" "$label_b" \
	"$label_a against $label_b" | tee "$out/summary-ab.md"
echo "bench-ab: results in $out/ab.csv, $out/summary-ab.md"
