#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# talctop-test.sh - `make talctop-test`, a `make check` suite: tools/talctop
# on the build host against a made-up debugfs directory (-D), whose files a
# background writer changes between talctop's two reads.  Runs everything
# twice: under busybox (sh and every tool from busybox applets only, as in
# the test VM) and under dash with the GNU tools.  Checks the rates, the
# sorting, -b, -n, heaps that appear or restart in the interval, columns
# found by name (a new column in the table does not shift them), the usage
# errors and the exit statuses.  The real thing is tested in the VM by
# `make vmtest` (scripts/vm/guest-vmtest.sh, section talctop).
# Output: one PASS/FAIL line per assertion, then "N passed, M failed".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
tt=$top/tools/talctop
d=$(mktemp -d "${TMPDIR:-/tmp}/talctop-test.XXXXXX")
trap 'rm -rf "$d"' EXIT
mkdir -p "$d/tmp"
export TMPDIR=$d/tmp	# talctop's own temporary directories go here
# shellcheck source=scripts/tally.sh
. "$top/scripts/tally.sh"

# heaps FILE HEADER_EXTRA ROWS... - write a heaps table; rows are
# "name claimed allocated free largest frag live total failures bad regions"
heaps() {
	local f=$1 x=$2
	shift 2
	{
		printf '# %-14s %12s %12s %12s %12s %5s %9s %12s %8s %9s %7s%s\n' \
			name claimed allocated free largest frag% live total \
			failures bad_frees regions "$x"
		for r in "$@"; do
			# shellcheck disable=SC2086
			printf '%-16s %12s %12s %12s %12s %5s %9s %12s %8s %9s %7s\n' $r
		done
	} > "$f.tmp" && mv "$f.tmp" "$f"
}
# stats DIR NAME BYTES - NAME/stats with total_allocated_bytes
stats() {
	mkdir -p "$1/$2"
	printf 'name: %s\ntotal_allocated_bytes: %s\nbad_frees: 0\n' "$2" "$3" > "$1/$2/stats"
}
# col FILE HEAP N - column N of HEAP's row
col() { awk -v h="$2" -v c="$3" '$1 == h { print $c }' "$1"; }
# between X LO HI
between() { [ -n "$1" ] && [ "$1" != - ] && [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }

mkdir -p "$d/bb"
/bin/busybox --install -s "$d/bb" 2>/dev/null ||
	for a in $(/bin/busybox --list); do ln -sf /bin/busybox "$d/bb/$a"; done

for flavour in busybox dash; do
	case $flavour in
	busybox) run() { PATH=$d/bb "$d/bb/sh" "$tt" "$@"; } ;;
	dash) run() { dash "$tt" "$@"; } ;;
	esac
	t="$flavour:"
	D=$d/dbg-$flavour
	mkdir -p "$D"

	# 1. alpha: busy; beta: idle; gamma appears; delta restarts
	heaps "$D/heaps" "" \
		"alpha 262144 10000 250000 240000 4 10 100 0 0 1" \
		"beta 65536 0 65000 65000 0 0 7 0 0 5" \
		"delta 65536 0 65000 65000 0 3 5000 0 0 1"
	stats "$D" alpha 5000
	stats "$D" beta 700
	stats "$D" delta 90000
	(
		sleep 0.3
		stats "$D" alpha 2005000
		stats "$D" gamma 10
		stats "$D" delta 10
		heaps "$D/heaps" "" \
			"alpha 8388608 200000 250000 240000 7 50 2100 4 1 2" \
			"beta 65536 0 65000 65000 0 0 7 0 0 5" \
			"gamma 65536 64 65000 65000 0 1 1 0 0 1" \
			"delta 65536 0 65000 65000 0 0 10 0 0 1"
	) &
	run -o -d 1 -D "$D" > "$d/out" 2>&1
	rc=$?
	wait
	sed 's/^/   | /' "$d/out"
	ok $rc "$t talctop -o -d 1: exit status 0"
	ok $(grep -q '^talc heaps: 4   interval: 1\.[0-9][0-9] s ' "$d/out"; echo $?) "$t summary line: 4 heaps, interval ~1 s"
	ok $(grep -qE '^HEAP +ALLOCS/S +FREES/S +BYTES/S +NET/S +LIVE +ALLOCATED +CLAIMED +FRAG% +FAILS/S +BADFREE +REGIONS$' "$d/out"; echo $?) "$t column header"
	a=$(col "$d/out" alpha 2)
	f=$(col "$d/out" alpha 3)
	# 2000 allocations, live 10 -> 50, over 1.0-1.3 s
	ok $(between "$a" 1500 2000; echo $?) "$t alpha: allocs/s $a = 2000 / interval"
	ok $(between "$f" 1460 1960 && between $((a - f)) 30 40; echo $?) "$t alpha: frees/s $f = allocs/s - 40 / interval"
	ok $(col "$d/out" alpha 4 | grep -qE '^1[0-9]{3}K$'; echo $?) "$t alpha: bytes/s $(col "$d/out" alpha 4) (2000000 B / interval, in K)"
	ok $(col "$d/out" alpha 5 | grep -qE '^1[0-9]{2}K$'; echo $?) "$t alpha: net/s $(col "$d/out" alpha 5) (190000 B / interval, in K)"
	ok $([ "$(col "$d/out" alpha 6)" = 50 ] && [ "$(col "$d/out" alpha 7)" = 195K ] &&
	     [ "$(col "$d/out" alpha 8)" = 8192K ] && [ "$(col "$d/out" alpha 9)" = 7 ] &&
	     [ "$(col "$d/out" alpha 11)" = 1 ] && [ "$(col "$d/out" alpha 12)" = 2 ]; echo $?) \
		"$t alpha: live, allocated, claimed, frag%, bad frees, regions of the second read"
	ok $(between "$(col "$d/out" alpha 10)" 3 4; echo $?) "$t alpha: fails/s $(col "$d/out" alpha 10) (4 / interval)"
	ok $([ "$(col "$d/out" beta 2)" = 0 ] && [ "$(col "$d/out" beta 3)" = 0 ] &&
	     [ "$(col "$d/out" beta 4)" = 0 ]; echo $?) "$t beta (idle): 0 allocs/s, frees/s, bytes/s"
	ok $([ "$(col "$d/out" gamma 2)" = - ] && [ "$(col "$d/out" gamma 6)" = 1 ]; echo $?) "$t gamma (new in the interval): rates '-', live 1"
	ok $([ "$(col "$d/out" delta 2)" = - ] && [ "$(col "$d/out" delta 3)" = - ]; echo $?) "$t delta (counters went back): rates '-'"
	ok $([ "$(awk 'NR > 2 { printf "%s ", $1 }' "$d/out")" = "alpha beta delta gamma " ]; echo $?) \
		"$t default sort: allocs/s descending, ties and '-' by name" "$(awk 'NR > 2 { printf "%s ", $1 }' "$d/out")"

	# 2. sorting, -b, -n; files unchanged: every rate 0
	run -o -d 0.2 -D "$D" -s regions > "$d/out" 2>&1
	ok $([ "$(awk 'NR > 2 { printf "%s ", $1 }' "$d/out")" = "beta alpha delta gamma " ]; echo $?) \
		"$t -s regions: descending" "$(awk 'NR > 2 { printf "%s ", $1 }' "$d/out")"
	run -o -d 0.2 -D "$D" -s name > "$d/out" 2>&1
	ok $([ "$(awk 'NR > 2 { printf "%s ", $1 }' "$d/out")" = "alpha beta delta gamma " ]; echo $?) "$t -s name: ascending"
	ok $([ "$(col "$d/out" alpha 2)" = 0 ] && [ "$(col "$d/out" gamma 2)" = 0 ]; echo $?) "$t nothing changed: allocs/s 0 everywhere"
	run -o -d 0.2 -D "$D" -b > "$d/out" 2>&1
	ok $([ "$(col "$d/out" alpha 7)" = 200000 ] && [ "$(col "$d/out" alpha 8)" = 8388608 ]; echo $?) "$t -b: exact bytes"
	run -n 3 -d 0.2 -D "$D" > "$d/out" 2>&1
	ok $([ $? -eq 0 ] && [ "$(grep -c '^HEAP ' "$d/out")" = 3 ] && [ "$(grep -c '^$' "$d/out")" = 2 ]; echo $?) \
		"$t -n 3: three tables, a blank line between them"

	# 3. columns are found by name: an extra column in the middle
	sed -i '1s/ regions$/ owned regions/; 2,$s/ \([0-9]*\)$/ yes \1/' "$D/heaps"
	run -o -d 0.2 -D "$D" -b > "$d/out" 2>&1
	ok $([ "$(col "$d/out" alpha 12)" = 2 ] && [ "$(col "$d/out" beta 12)" = 5 ]; echo $?) \
		"$t a new column in the table: regions still read by name" "$(cat "$D/heaps")"

	# 4. usage and errors
	run -s nosuch > "$d/out" 2>&1
	ok $([ $? -eq 2 ] && grep -q "no column 'nosuch'" "$d/out"; echo $?) "$t -s nosuch: exit 2, names the column"
	for bad in "-d 0" "-d x" "-d 1.2.3" "-n x" "-n -1" "extra" "-q"; do
		# shellcheck disable=SC2086
		run $bad -D "$D" > "$d/out" 2>&1
		ok $([ $? -eq 2 ]; echo $?) "$t talctop $bad: usage error, exit 2" "$(cat "$d/out")"
	done
	run -o -D "$d/nonexistent" > "$d/out" 2>&1
	ok $([ $? -eq 1 ] && grep -q 'cannot read' "$d/out"; echo $?) "$t -D without a heaps file: exit 1"
	run -h > "$d/out" 2>&1
	rc=$?
	miss=""
	for c in HEAP ALLOCS/S FREES/S BYTES/S NET/S LIVE ALLOCATED CLAIMED FRAG% FAILS/S BADFREE REGIONS; do
		grep -q "^  $c " "$d/out" || miss="$miss $c"
	done
	ok $([ $rc -eq 0 ] && [ -z "$miss" ]; echo $?) "$t -h: exit 0, explains every column" "missing:$miss"
	run --help > /dev/null 2>&1
	ok $? "$t --help: exit 0"
	left=$(find "$TMPDIR" -maxdepth 1 -name 'talctop.*' | grep -c .)
	ok $([ "$left" -eq 0 ]; echo $?) "$t no temporary directory left behind"
done
result
