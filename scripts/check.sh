#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh SUITE... - run each suite as `make SUITE`, keep its log under
# build/check/, read the "N passed, M failed" line it ends with and print one
# total line.  A suite that exits non-zero without failures of its own counts
# as one failure, so a crash or a build error can never look like a pass.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
logdir=$top/build/check
mkdir -p "$logdir"
pass=0
fail=0
summary=()
for suite in "$@"; do
	log=$logdir/$suite.log
	echo "=== check: $suite (log: build/check/$suite.log)"
	start=$(date +%s)
	make -C "$top" --no-print-directory "$suite" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	secs=$(( $(date +%s) - start ))
	line=$(grep -aE '^([A-Za-z_-]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	p=0
	f=0
	if [ -n "$line" ]; then
		p=$(echo "$line" | sed -E 's/^([A-Za-z_-]+: )?([0-9]+) passed, ([0-9]+) failed.*/\2/')
		f=$(echo "$line" | sed -E 's/^([A-Za-z_-]+: )?([0-9]+) passed, ([0-9]+) failed.*/\3/')
	fi
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	pass=$((pass + p))
	fail=$((fail + f))
	summary+=("$(printf '%-10s %6d passed %4d failed  rc=%d  %4ds' "$suite" "$p" "$f" "$rc" "$secs")")
done
echo "=== check summary"
for s in "${summary[@]}"; do
	echo "  $s"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
