#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run-user.sh RESULTS_DIR - the userspace benchmarks (make bench-user).
#
# Allocators, all in the same run: talc (core behind one spinlock, as the
# module uses it), talc-nolock (bare core), glibc malloc, and jemalloc and
# mimalloc (Debian's libjemalloc2 / libmimalloc2.0, LD_PRELOADed into the
# same benchmark binary: their own malloc/free/realloc/posix_memalign).
# Random actions and the microbench also run jemalloc and mimalloc inside
# talc's spinlock (jemalloc-lock, mimalloc-lock: the fastest mallocs here
# behind the module's lock) and two floors, no allocator at all: floor
# (the harness alone) and floor-lock (the harness and talc's uncontended
# spinlock, the best any allocator behind that lock can read).
# Trials of different allocators are interleaved so load drift hits all.
# Writes RESULTS_DIR/{random,threads,micro,align,regions,natural,heapeff,
# heapeff-uniform,instr}.csv
# and machine-user.txt.  Environment: BENCH_OUT (binaries), BENCH_TRIALS,
# BENCH_HE_ROUNDS, BENCH_QUICK.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd -P)
out=${1:-$top/bench/results}
bin=${BENCH_OUT:-$top/build/bench}
trials=${BENCH_TRIALS:-5}
he_rounds=${BENCH_HE_ROUNDS:-300}
he_peer_rounds=${BENCH_HE_PEER_ROUNDS:-10}
ms=200
micro_ms=1000
rs_pairs=4000000
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	trials=1 he_rounds=30 he_peer_rounds=2 ms=50 micro_ms=200 rs_pairs=1000000
fi
mkdir -p "$out"
libdir=/usr/lib/x86_64-linux-gnu
je=$libdir/libjemalloc.so.2
mi=$libdir/libmimalloc.so.2

# allocator name -> how to run the bench binary for it
run() {
	local a=$1
	shift
	case $a in
	talc | talc-nolock | floor | floor-lock) "$bin/bench" "$@" -a "$a" ;;
	glibc) "$bin/bench" "$@" -a sys ;;
	jemalloc) LD_PRELOAD=$je "$bin/bench" "$@" -a sys ;;
	mimalloc) LD_PRELOAD=$mi "$bin/bench" "$@" -a sys ;;
	jemalloc-lock) LD_PRELOAD=$je "$bin/bench" "$@" -a sys-lock ;;
	mimalloc-lock) LD_PRELOAD=$mi "$bin/bench" "$@" -a sys-lock ;;
	esac
}

allocs="talc talc-nolock glibc"
[ -f "$je" ] && allocs="$allocs jemalloc"
[ -f "$mi" ] && allocs="$allocs mimalloc"
peers=${allocs#talc talc-nolock }
locked=
[ -f "$je" ] && locked="$locked jemalloc-lock"
[ -f "$mi" ] && locked="$locked mimalloc-lock"
floors="floor floor-lock"

{
	echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
	echo "cores: $(nproc), $(grep -m1 'cpu MHz' /proc/cpuinfo | sed 's/.*: //') MHz (cpuinfo)"
	echo "kernel (host): $(uname -r)"
	echo "compiler: $(${CC:-cc} --version | head -1), -O2"
	echo "glibc: $(ldd --version | head -1 | awk '{print $NF}')"
	echo "jemalloc: $(dpkg-query -W -f='${Version}' libjemalloc2 2>/dev/null || echo none)"
	echo "mimalloc: $(dpkg-query -W -f='${Version}' libmimalloc2.0 2>/dev/null || echo none)"
	echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$out/machine-user.txt"
cat "$out/machine-user.txt"

echo "== random actions: $trials trials x 5 max sizes x ${ms} ms, allocators: $allocs; behind the lock:$locked; $floors"
echo "kind,allocator,threads,max_size,trial,ops" > "$out/random.csv"
for t in $(seq 0 $((trials - 1))); do
	for a in $allocs $locked $floors; do
		run "$a" random -t "$ms" -n 1 -s "$t" >> "$out/random.csv"
	done
done

echo "== two threads on one talc (one spinlock) vs one thread; glibc alike"
echo "kind,allocator,threads,max_size,trial,ops" > "$out/threads.csv"
for a in talc glibc; do
	for j in 1 2; do
		run "$a" random -t "$ms" -n 1 -j "$j" >> "$out/threads.csv"
	done
done

echo "== microbench: fenced rdtsc per alloc and per free, ${micro_ms} ms each; behind the lock:$locked; $floors"
echo "kind,allocator,op,samples,p1,p25,p50,p75,p99" > "$out/micro.csv"
for a in $allocs $locked $floors; do
	run "$a" micro -t "$micro_ms" >> "$out/micro.csv"
done

echo "== high alignment: 0x4000 x (4096 B, align 1) vs 0x4000 x (1 B, align 4096)"
echo "kind,allocator,plain_cycles,aligned_cycles,ratio" > "$out/align.csv"
for a in $allocs; do
	run "$a" align -n 9 >> "$out/align.csv"
done

echo "== natural_align (core alone): kmalloc-like size mix, plain vs power-of-two sizes aligned to their size"
echo "kind,mode,trial,ops,ns_per_op,live_bytes,reach_bytes" > "$out/natural.csv"
"$bin/bench" natural -n "$trials" >> "$out/natural.csv"

echo "== region scale (core alone): 4096 regions of 64 KiB vs one of 256 MiB, $trials trials x $rs_pairs free+malloc pairs"
echo "kind,layout,regions,region_bytes,live_blocks,block,trial,pairs,ns_per_pair" > "$out/regions.csv"
"$bin/bench" regions -n "$trials" -o "$rs_pairs" -r 4096 >> "$out/regions.csv"
rs_median() { # layout -> median ns per pair over the trials
	grep "^regions,$1," "$out/regions.csv" | cut -d, -f9 | sort -g |
		awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
awk -v one="$(rs_median one)" -v many="$(rs_median many)" 'BEGIN {
	printf "   ns per free+malloc (median): one region %.1f, 4096 regions %.1f, ratio %.2fx (target <= 1.3x)\n",
	       one, many, many / one }'

echo "== heap efficiency: talc $he_rounds rounds; peers $he_peer_rounds rounds (RSS)"
echo "kind,allocator,round,live_bytes,capacity_bytes,percent,steps,failed_request,free_bytes,largest_free,fragments" > "$out/heapeff.csv"
run talc-nolock heapeff -r "$he_rounds" | sed 's/talc-nolock/talc/' >> "$out/heapeff.csv"
for a in $peers; do
	for r in $(seq 0 $((he_peer_rounds - 1))); do
		run "$a" heapeff -r 1 -s "$r" >> "$out/heapeff.csv"
	done
done

echo "== heap efficiency, allocation sizes U[1, 10000): talc $he_rounds rounds; peers $he_peer_rounds rounds (RSS)"
echo "kind,allocator,round,live_bytes,capacity_bytes,percent,steps,failed_request,free_bytes,largest_free,fragments" > "$out/heapeff-uniform.csv"
run talc-nolock heapeff -u -r "$he_rounds" | sed 's/talc-nolock/talc/' >> "$out/heapeff-uniform.csv"
for a in $peers; do
	for r in $(seq 0 $((he_peer_rounds - 1))); do
		run "$a" heapeff -u -r 1 -s "$r" >> "$out/heapeff-uniform.csv"
	done
done

echo "== instructions per alloc+free pair (valgrind --tool=callgrind)"
echo "kind,allocator,size,ir_per_pair,loop_overhead,net" > "$out/instr.csv"
n1=1000
n2=101000
ir() { # alloc size n -> total Ir of the run
	local f
	f=$(mktemp)
	valgrind --tool=callgrind --callgrind-out-file="$f" \
		"$bin/ipair" "$1" "$2" "$3" >/dev/null 2>&1
	awk '/^(summary|totals):/ {print $2; exit}' "$f"
	rm -f "$f"
}
per_pair() {
	local a b
	a=$(ir "$1" "$2" $n1)
	b=$(ir "$1" "$2" $n2)
	awk -v a="$a" -v b="$b" -v n=$((n2 - n1)) 'BEGIN {printf "%.1f", (b - a) / n}'
}
for s in 16 64 256 4096; do
	null=$(per_pair null "$s")
	for a in talc talc-lock glibc; do
		v=$(per_pair "$a" "$s")
		net=$(awk -v v="$v" -v z="$null" 'BEGIN {printf "%.1f", v - z}')
		echo "instr,$a,$s,$v,$null,$net" >> "$out/instr.csv"
	done
done
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/machine-user.txt"
echo "bench-user: results in $out"
