#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# run.sh FUZZER SECONDS - fuzz for SECONDS from the committed seed corpus,
# keeping new inputs in build/fuzz/corpus; end with "N passed, M failed".
set -u
fuzzer=$1
secs=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(dirname "$fuzzer")/../fuzz
mkdir -p "$work/corpus" "$work/artifacts"
"$fuzzer" -max_total_time="$secs" -print_final_stats=1 -max_len=4096 \
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
