#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# report.sh RESULTS_DIR - ratio table (RESULTS_DIR/summary.md, printed) and
# plot (RESULTS_DIR/bench.png, gnuplot) from the CSVs of make bench.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd -P)
out=${1:-$top/bench/results}
command -v python3 >/dev/null || "$top/scripts/deps.sh" kunit
python3 "$top/tools/bench/report.py" "$out"
if command -v gnuplot >/dev/null; then
	gnuplot "$out/bench.gp" && echo "report: plot in $out/bench.png"
else
	echo "report: gnuplot missing (scripts/deps.sh bench), no plot"
fi
