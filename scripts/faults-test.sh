#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# faults-test.sh - talc under the kernel's own fault injection, failslab and
# fail_page_alloc (make faults-test, a `make check` suite).  Debian's
# kernels lack CONFIG_FAULT_INJECTION, so this boots the debug UML kernel
# of scripts/uml-kernel.sh ($TALC_CACHE/build-uml-debug, shared with
# kmemleak-test; booted with kmemleak=off here) and loads talc.ko and
# talc_torture.ko built against it from a read-only hostfs root.
#
# A heap of 64 KiB growing by 16 KiB regions up to 8 MiB (heaps=fi:64K:8M,
# grow_step 16384) is tortured by two threads for 8 s.  Both fault
# attributes fail 10 % of the calls (probability 10, interval 1, a budget of
# `times` read back afterwards) with task-filter on, and the two torture
# threads alone get /proc/PID/make-it-fail: so the slab and page
# allocations of their growths fail - vmalloc()'s pages and its vmap_area,
# talc's region table - while the rest of the system runs undisturbed.
# Then: both attributes injected failures; talc counted failed growths;
# the torture found no error; no allocation and no bad free is left, the
# heap checks ok; after rmmod talc VmallocUsed is back where it started;
# no warning or splat in the log.
# One PASS/FAIL line per assertion, then "N passed, M failed".
# Logs: build/faults/ (uml.log, the module build log).
set -u
top=$(cd "$(dirname "$0")/.." && pwd -P)
cache=${TALC_CACHE:-/var/cache/talc}
# shellcheck source=scripts/tally.sh
. "$top/scripts/tally.sh"
# shellcheck source=scripts/uml-kernel.sh
. "$top/scripts/uml-kernel.sh"
out=$top/build/faults
uml_debug_modules "$out"
mod=$out/kmod

budget=1000000
uml_debug_run "$out" kmemleak=off <<EOF
D=/sys/kernel/debug/talc
vmalloc_kb() { sed -n 's/^VmallocUsed: *\([0-9]*\) kB/\1/p' /proc/meminfo; }
echo KFI-START
echo "KFI-VMALLOC-BEFORE \$(vmalloc_kb)"
insmod $mod/talc.ko heaps=fi:64K:8M && echo "KFI-STEP insmod-talc ok"
echo 16384 > \$D/fi/grow_step
for a in failslab fail_page_alloc; do
	F=/sys/kernel/debug/\$a
	echo 0 > \$F/verbose
	echo Y > \$F/task-filter
	echo N > \$F/ignore-gfp-wait
	echo 1 > \$F/interval
	echo $budget > \$F/times
	echo 10 > \$F/probability
done
echo 0 > /sys/kernel/debug/fail_page_alloc/min-order
echo N > /sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem
insmod $mod/talc_torture.ko heap=fi threads=2 ops=0 duration=8 max_size=8192 &
pid=\$!
sleep 1
n=0
for p in /proc/[0-9]*; do
	case \$(cat \$p/comm 2>/dev/null) in
	talc_torture/*) echo 1 > \$p/make-it-fail && n=\$((n + 1)) ;;
	esac
done
echo "KFI-MARKED \$n"
wait \$pid && echo "KFI-STEP torture ok"
for a in failslab fail_page_alloc; do
	echo 0 > /sys/kernel/debug/\$a/probability
	echo "KFI-TIMES \$a \$(cat /sys/kernel/debug/\$a/times)"
done
rmmod talc_torture
echo "KFI-STATS-BEGIN"
cat \$D/fi/stats
echo "KFI-STATS-END"
echo "KFI-CHECK \$(cat \$D/fi/check)"
rmmod talc && echo "KFI-STEP rmmod-talc ok"
echo "KFI-VMALLOC-AFTER \$(vmalloc_kb)"
echo KFI-END
EOF
log=$out/uml.log

uml_guest_ran KFI "$log" insmod-talc torture rmmod-talc
marked=$(sed -n 's/^KFI-MARKED //p' "$log")
ok $([ "${marked:-0}" -eq 2 ]; echo $?) "both torture threads got make-it-fail (${marked:-none})"
line=$(grep -a 'talc_torture: heap=fi threads=' "$log" | tail -n 1)
echo "   $line"
echo "$line" | grep -q ' errors=0$'
ok $? "the torture's summary says errors=0"
for a in failslab fail_page_alloc; do
	left=$(sed -n "s/^KFI-TIMES $a //p" "$log")
	n=$(( budget - ${left:-$budget} ))
	ok $([ "$n" -gt 0 ]; echo $?) "$a injected $n failures into the torture threads"
done
stat() { sed -n '/^KFI-STATS-BEGIN/,/^KFI-STATS-END/p' "$log" | sed -n "s/^$1: *//p" | head -n 1; }
echo "   fi: $(stat grows) grows, $(stat grow_failures) failed growths, $(stat failed_allocations) failed allocations, $(stat reclaims) reclaims"
ok $([ "$(stat grow_failures)" -gt 0 ] 2>/dev/null; echo $?) "talc counted failed growths ($(stat grow_failures))"
ok $([ "$(stat allocation_count)" = 0 ] && [ "$(stat bad_frees)" = 0 ]; echo $?) \
	"no live allocation and no bad free after the torture"
grep -q '^KFI-CHECK ok$' "$log"
ok $? "fi/check: $(sed -n 's/^KFI-CHECK //p' "$log")"
v0=$(sed -n 's/^KFI-VMALLOC-BEFORE //p' "$log")
v1=$(sed -n 's/^KFI-VMALLOC-AFTER //p' "$log")
ok $([ -n "$v0" ] && [ -n "$v1" ] && [ "$v1" -le $((v0 + 128)) ]; echo $?) \
	"VmallocUsed back after rmmod: ${v0:-?} -> ${v1:-?} kB (tolerance 128 kB)"
! sed -n '/^KFI-START/,$p' "$log" |
	grep -Eq 'BUG:|Oops|Call Trace|WARNING:|Kernel panic|general protection|talc: heap .*(pointer|chunk|poison)'
ok $? "no warning or splat in the log"
result
