#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run-hardened.sh RESULTS_DIR - what a heap's hardened mode costs
# (make bench-hardened).
#
# One build of talc.ko and talc_bench.ko, one boot of make bench-kernel's
# UML kernel (kernel code natively on the CPU, so timings are real), and
# talc.ko loaded once.  Its hardened parameter is read when a heap is
# created, so the guest sets it (it reads back Y or N) before each load of talc_bench.ko, whose
# heaps are created by that load: plain (hardened=0) and hardened
# (hardened=1) in ABBA order over ROUNDS pairs, so that a linear drift of
# the host hits both alike.  Each load runs random actions (5 max sizes)
# and the microbench for talc (per-CPU caches on, as shipped), talc-nocache
# (every call to the core under the heap's lock) and kmalloc.  kmalloc is
# the same code in both: its ratio is the run's noise floor.
# Writes RESULTS_DIR/hardcost.csv, hardcost-uml.log and
# summary-hardcost.md (tools/bench/abba-summary.py): per workload and
# allocator, the hardened loads' throughput over the plain loads' (1.0 =
# no cost; micro: 1/p50 cycles).
# Environment: TALC_CACHE, BENCH_HARD_ROUNDS (pairs, default 6),
# BENCH_QUICK=1.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd -P)
out=${1:-$top/bench/results}
cache=${TALC_CACHE:-/var/cache/talc}
rounds=${BENCH_HARD_ROUNDS:-6}
params="trials=1 duration_ms=300 micro_steps=100000 run_mask=3 allocs=25"
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	rounds=1
	params="trials=1 duration_ms=50 micro_steps=5000 run_mask=3 allocs=25"
fi
kb=$cache/build-bench
kmod_out=$top/build/bench/kmod-uml
mkdir -p "$out" "$cache"
rm -f "$out"/hardcost* "$out/summary-hardcost.md"

die() { echo "run-hardened.sh: $*" >&2; exit 1; }

"$top/scripts/deps.sh" kunit kmod || die "cannot install dependencies"
# shellcheck source=scripts/uml-kernel.sh
. "$top/scripts/uml-kernel.sh"
uml_kernel "$kb" "$out/hardcost-uml-build.log" || die "UML kernel failed"
"$top/scripts/kmod-build.sh" "$kb" "$kmod_out" ARCH=um TALC_TEST_MODULES=1 \
	> "$out/hardcost-modules.log" 2>&1 ||
	{ tail -20 "$out/hardcost-modules.log"; die "module build for UML failed"; }

# ABBA: plain hardened hardened plain plain hardened ...
order=$(abba_order "$rounds" 0 1)
init=$top/build/bench/uml-hardened.sh
abba_loop HARD "$order" \
	"insmod $kmod_out/talc.ko || { echo \"FAIL: insmod talc.ko\"; exit 1; }" <<-EOF | uml_init_sh "$init"
	echo \$v > /sys/module/talc/parameters/hardened
	echo "talc-hard: slot \$slot variant \$(cat /sys/module/talc/parameters/hardened)" > /dev/kmsg
	insmod $kmod_out/talc_bench.ko $params || { echo "FAIL: talc_bench"; exit 1; }
	rmmod talc_bench || { echo "FAIL: rmmod"; exit 1; }
	EOF
log=$out/hardcost-uml.log
echo "run-hardened.sh: UML (native), $rounds ABBA rounds (hardened=):$order; host load $(cut -d' ' -f1-3 /proc/loadavg)"
uml_boot 1800 "$kb" "$init" "$log"
abba_log_ok "$log" HARD || die "the guest failed (above)"
# CSV rows: platform,variant,slot,workload,allocator,value
echo "platform,variant,slot,workload,allocator,value" > "$out/hardcost.csv"
abba_csv "$log" uml Y hardened N plain >> "$out/hardcost.csv" ||
	die "no rows for one of the variants (log: $log)"
echo "uml: $ksrc_name, UP; params: $params; order (hardened=):$order" \
	> "$out/machine-hardcost.txt"

"$top/tools/bench/abba-summary.py" "$out/hardcost.csv" hardened plain "hardened mode" |
	tee "$out/summary-hardcost.md"
echo "bench-hardened: results in $out/hardcost.csv, $out/summary-hardcost.md"
