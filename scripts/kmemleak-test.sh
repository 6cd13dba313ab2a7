#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kmemleak-test.sh - kmemleak sees talc's allocations (make kmemleak-test,
# a `make check` suite).  Debian's kernels lack CONFIG_DEBUG_KMEMLEAK, so
# this boots a UML kernel with it (scripts/uml-kernel.sh, in
# $TALC_CACHE/build-uml-debug, shared with faults-test; first build about 3
# CPU-minutes) and loads
# talc.ko and talc_vmtest.ko built against it from a read-only hostfs root:
#  1. kmemleak is cleared of the boot's own reports, then talc.ko makes a
#     heap of 64 KiB (heaps=kml:64K:4M) and talc_vmtest.ko case=leak leaks
#     three blocks whose sizes name them (77 bytes from a per-CPU cache,
#     12345 from the heap, 3333 by realloc of 100), keeps three in module
#     data (4321, 200000 - which grows the heap by a region - and 64) and
#     frees one (555);
#  2. after kmemleak's minimum age, two scans: each leaked block must be
#     reported with its size and talc_vmtest's allocation in its
#     backtrace; no kept or freed block, and no region of the heap, may be;
#  3. rmmod talc_vmtest (the kept blocks freed), rmmod talc with the three
#     leaks still live: talc.ko says so and unregisters them before it
#     vfree()s the regions, so two more scans report nothing of talc and
#     nothing crashes;
#  4. kmemleak stayed on (no overlapping objects, no object found by
#     alias) and the log has no splat.
# One PASS/FAIL line per assertion, then "N passed, M failed".
# Logs: build/kmemleak/ (uml.log, the kernel and module build logs).
set -u
top=$(cd "$(dirname "$0")/.." && pwd -P)
cache=${TALC_CACHE:-/var/cache/talc}
# shellcheck source=scripts/tally.sh
. "$top/scripts/tally.sh"
# shellcheck source=scripts/uml-kernel.sh
. "$top/scripts/uml-kernel.sh"
out=$top/build/kmemleak
uml_debug_modules "$out"
mod=$out/kmod

uml_debug_run "$out" <<EOF
K=/sys/kernel/debug/kmemleak
report() {
	echo scan > \$K
	echo scan > \$K
	echo "KML-REPORT-BEGIN \$1"
	cat \$K
	echo "KML-REPORT-END \$1"
}
echo KML-START
if [ -w \$K ]; then
	# Task stacks are not scanned: a stale copy of a leaked pointer in a
	# stack that a later task reuses would hide the leak (seen once).
	# The kept blocks are referenced from module data, which is scanned.
	echo stack=off > \$K
	# the boot's own reports out of the way, once they are old enough
	sleep 6
	echo scan > \$K
	echo clear > \$K
	insmod $mod/talc.ko heaps=kml:64K:4M && echo "KML-STEP insmod-talc ok"
	insmod $mod/talc_vmtest.ko case=leak heap=kml && echo "KML-STEP vmtest ok"
	sleep 6
	report leaks
	rmmod talc_vmtest && echo "KML-STEP rmmod-vmtest ok"
	rmmod talc && echo "KML-STEP rmmod-talc ok"
	report after-rmmod
fi
echo KML-END
EOF
log=$out/uml.log

uml_guest_ran KML "$log" insmod-talc vmtest rmmod-vmtest rmmod-talc
n=$(grep -c 'talc_vmtest: PASS' "$log")
grep -q 'talc_vmtest: FAIL' "$log"
ok $(( $? == 0 || n != 7 )) "talc_vmtest case=leak: 7 PASS, no FAIL ($n PASS)"

# report TAG - the objects kmemleak reported, one line each:
# "SIZE FRAME FRAME ..." (the frames' symbols, offsets dropped)
report() {
	sed -n "/^KML-REPORT-BEGIN $1\$/,/^KML-REPORT-END $1\$/p" "$log" | awk '
		/^unreferenced object / {
			if (obj != "") print obj
			s = $0; sub(/.*\(size /, "", s); sub(/\).*/, "", s); obj = s
			next
		}
		obj != "" && /\[<[0-9a-f]+>\]/ {
			f = $2; sub(/\+.*/, "", f); obj = obj " " f
		}
		END { if (obj != "") print obj }'
}
for r in leaks after-rmmod; do
	grep -q "^KML-REPORT-END $r\$" "$log"
	ok $? "kmemleak's report '$r' read in full"
done
report leaks > "$out/leaks.txt"
report after-rmmod > "$out/after.txt"
echo "  kmemleak's reports of talc_vmtest's allocations (size, backtrace):"
grep ' vt_leak' "$out/leaks.txt" | sed 's/^/  | /'
for sz in 77 12345 3333; do
	grep -Eq "^$sz .*talc_heap_(do_)?(alloc|realloc).* vt_leak" "$out/leaks.txt"
	ok $? "leaked $sz bytes: reported, with talc's API and talc_vmtest in the backtrace"
done
for sz in 4321 200000 64 555; do
	! grep -Eq "^$sz .*talc_heap" "$out/leaks.txt"
	ok $? "kept or freed $sz bytes: not reported"
done
! grep -Eq 'talc_heap_(grow|new|create)' "$out/leaks.txt"
ok $? "no region of the heap reported (regions are not objects)"
grep -q 'heap kml: destroyed with 3 live allocations' "$log"
ok $? "rmmod talc: the heap was destroyed with its 3 leaks live"
! grep -Eq 'talc|vt_' "$out/after.txt"
ok $? "after rmmod talc: nothing of talc reported (the leaks were unregistered before vfree)"
! grep -Eq 'kmemleak: (Cannot insert|Found object by alias|Kernel memory leak detector disabled)|kmemleak: .*overlaps' "$log"
ok $? "kmemleak stayed on: no overlapping object, none found by alias"
! sed -n '/^KML-START/,$p' "$log" | grep -Eq 'BUG:|Oops|Call Trace|WARNING:|Kernel panic|general protection'
ok $? "no splat in the log"
result
