#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# run.sh FUZZER SECONDS - fuzz from the committed seed corpus alone, with a
# fixed seed and a fixed number of runs (FUZZ_SEED, default 1; FUZZ_RUNS,
# default 4000, -1 for none: a long run; SECONDS caps the time), so that a
# failing run - in CI or anywhere - fails the same way again with
# `make fuzz`.  New inputs go to build/fuzz/corpus, emptied first.  Ends
# with "N passed, M failed".
set -u
fuzzer=$1
secs=$2
seed=${FUZZ_SEED:-1}
runs=${FUZZ_RUNS:-4000}
here=$(cd "$(dirname "$0")" && pwd)
work=$(dirname "$fuzzer")/../fuzz
rm -rf "$work/corpus"
mkdir -p "$work/corpus" "$work/artifacts"
if [ "$runs" -lt 0 ]; then
	echo "fuzz: seed $seed, no run limit, $secs s"
else
	echo "fuzz: seed $seed, $runs runs at most, $secs s at most"
fi
# Address-space randomisation off: region and tag addresses steer the
# allocator, and through coverage the fuzzer's choices.
setarch "$(uname -m)" -R "$fuzzer" -seed="$seed" -runs="$runs" -max_total_time="$secs" \
	-print_final_stats=1 -max_len=4096 \
	-artifact_prefix="$work/artifacts/" -rss_limit_mb=4096 \
	"$work/corpus" "$here/corpus" 2>&1 | tee "$work/fuzz.log" |
	grep -E '^#[0-9]+ +(pulse|DONE)|^Done|talc_fuzz:|ERROR|SUMMARY|stat::'
rc=${PIPESTATUS[0]}
if [ "$rc" -eq 0 ]; then
	echo "fuzz: 1 passed, 0 failed"
else
	echo "fuzz: finding, see $work/fuzz.log and $work/artifacts/"
	echo "fuzz: 0 passed, 1 failed"
	exit 1
fi
