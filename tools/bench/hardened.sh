#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# hardened.sh [RESULTS_DIR] - the cost of talc's hardened mode, off vs on in
# the same binaries (BENCH_TALC_HARDENED=1): callgrind instructions per
# alloc+free pair (ipair, as run-user.sh's instr.csv), callgrind
# instructions per random action (bench random -o, the core alone), and
# random actions per second natively, trials interleaved.
# Writes RESULTS_DIR/hardened.csv (default bench/results).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd -P)
out=${1:-$top/bench/results}
bin=${BENCH_OUT:-$top/build/bench}
trials=${BENCH_TRIALS:-5}
mkdir -p "$out"
csv=$out/hardened.csv

ir() { # hardened command... -> total Ir
	local h=$1 f
	shift
	f=$(mktemp)
	BENCH_TALC_HARDENED=$h valgrind --tool=callgrind --callgrind-out-file="$f" \
		"$@" >/dev/null 2>&1
	awk '/^(summary|totals):/ {print $2; exit}' "$f"
	rm -f "$f"
}
diff_per() { # a b n -> (b - a) / n
	awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN {printf "%.1f", (b - a) / n}'
}

echo "kind,case,off,on,cost_percent" > "$csv"
v=()
row() { # kind case off on
	awk -v k="$1" -v c="$2" -v a="$3" -v b="$4" \
		'BEGIN {printf "%s,%s,%s,%s,%.1f\n", k, c, a, b, (b - a) * 100 / a}' |
		tee -a "$csv"
}

echo "== ipair: instructions per alloc+free pair (net of the loop)"
n1=1000 n2=101000
for s in 16 64 256 4096; do
	z=$(diff_per "$(ir 0 "$bin/ipair" null "$s" $n1)" \
		     "$(ir 0 "$bin/ipair" null "$s" $n2)" $((n2 - n1)))
	for h in 0 1; do
		x=$(diff_per "$(ir $h "$bin/ipair" talc "$s" $n1)" \
			     "$(ir $h "$bin/ipair" talc "$s" $n2)" $((n2 - n1)))
		v[h]=$(awk -v v="$x" -v z="$z" 'BEGIN {printf "%.1f", v - z}')
	done
	row ipair "$s" "${v[0]}" "${v[1]}"
done

echo "== random actions (core alone): instructions per action"
o1=20000 o2=220000
for m in 1000 30000; do
	for h in 0 1; do
		a=$(ir $h "$bin/bench" random -a talc-nolock -t 1000000 -n 1 -o $o1 -m $m)
		b=$(ir $h "$bin/bench" random -a talc-nolock -t 1000000 -n 1 -o $o2 -m $m)
		v[h]=$(diff_per "$a" "$b" $((o2 - o1)))
	done
	row random-ir "max$m" "${v[0]}" "${v[1]}"
done

echo "== random actions (core alone): actions in 200 ms, median of $trials, interleaved"
for m in 200 1000 3000 10000 30000; do
	: > "$out/.hard0" && : > "$out/.hard1"
	for t in $(seq 0 $((trials - 1))); do
		for h in 0 1; do
			BENCH_TALC_HARDENED=$h "$bin/bench" random -a talc-nolock -t 200 \
				-n 1 -s "$t" -m $m | cut -d, -f6 >> "$out/.hard$h"
		done
	done
	med() { sort -g "$1" | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
	a=$(med "$out/.hard0") b=$(med "$out/.hard1")
	# cost: fewer actions per time is more cost
	awk -v m="$m" -v a="$a" -v b="$b" \
		'BEGIN {printf "random-ops,max%s,%s,%s,%.1f\n", m, a, b, (a - b) * 100 / a}' |
		tee -a "$csv"
	rm -f "$out/.hard0" "$out/.hard1"
done
echo "hardened: results in $csv"
