#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# guest-vmtest.sh - the `make vmtest` assertions, run as /guest.sh inside the
# VM.  One "PASS: ..." / "FAIL: ..." line per assertion (counted by the host,
# scripts/vm/vmtest.sh).  Steps that must WARN run inside expect_warn
# sections, so the host's log scan accepts exactly those warnings and no
# others.  Always exits 0: failures are the FAIL lines.
. /guest-lib.sh

# no_talc DESC - talc.ko is not loaded and left nothing behind
no_talc() {
	if talc_loaded || [ -e $D ]; then
		fail "$1: nothing left behind ($(grep -c '^talc' /proc/modules) talc modules, debugfs $( [ -e $D ] && echo present || echo gone))"
		rmmod talc_vmtest talc_torture talc 2>/dev/null
	else
		pass "$1: nothing left behind"
	fi
}
# torture_wait PID HEAP DESC - wait for the background insmod of talc_torture
# on HEAP, rmmod it and check its summary line (left in $line)
torture_wait() {
	if wait "$1"; then
		pass "$3: talc_torture insmod succeeded"
		rmmod talc_torture
	else
		fail "$3: talc_torture insmod failed"
	fi
	line=$(dmesg | grep "talc_torture: heap=$2 threads=" | tail -n 1 | sed 's/^\[[ 0-9.]*\] //')
	echo "   $line"
	ok $(echo "$line" | grep -q ' errors=0$'; echo $?) "$3: torture summary says errors=0"
}
# has_heap NAME - NAME is a row of the heaps table
has_heap() { awk -v n="$1" '$1 == n { f = 1 } END { exit !f }' $D/heaps; }
# heap_ok NAME - NAME/check says ok
heap_ok() {
	local v
	v=$(cat $D/$1/check)
	[ "$v" = ok ] || { echo "$1/check: $v"; return 1; }
}
# load SPEC [PARAM...] - insmod talc.ko heaps=SPEC PARAM...
load() { h=$1; shift; insmod $M/talc.ko "heaps=$h" "$@"; }
# write FILE TEXT - write TEXT + newline; error text in /tmp/werr (the
# echo builtin reports errno: "sh: write error: Invalid argument")
write() { echo "$2" 2>/tmp/werr > "$1"; }

# tobytes SIZE - 64K -> 65536 (suffixes K, M, G in either case)
tobytes() {
	case $1 in
	*[kK]) echo $((${1%?} << 10)) ;;
	*[mM]) echo $((${1%?} << 20)) ;;
	*[gG]) echo $((${1%?} << 30)) ;;
	*) echo "$1" ;;
	esac
}
vmalloc_kb() { sed -n 's/^VmallocUsed: *\([0-9]*\) kB/\1/p' /proc/meminfo; }
# VmallocUsed is system-wide: kthread stacks (16K each, vmap'd) started or
# ended meanwhile move it (+80K and -12K seen), so a change is judged with
# VM_NOISE kB of slack: the mem case's 256K buffer still shows either way.
VM_NOISE=128
# vmalloc_back START WHAT: VmallocUsed is back near START kB.
vmalloc_back() {
	sleep 1
	local now
	now=$(vmalloc_kb)
	ok $([ $((now - $1)) -le $VM_NOISE ]; echo $?) \
		"$2: VmallocUsed back: $1 -> $now kB (tolerance $VM_NOISE kB)"
}
vm0=$(vmalloc_kb)
echo "== heaps= module parameter"
for spec in "one:64K" "a:1M:4M,b:128K" "Heap_1-x:64K:64K" "big:64K:1G" \
	    "x:1m,y:2M,z:64k:128K" "n234567890123456789012345678901:8K" ""; do
	if load "$spec"; then
		names=$(echo "$spec" | tr ',' '\n' | sed -n 's/:.*//p')
		miss=""
		for t in $(echo "$spec" | tr ',' ' '); do
			IFS=: read -r n sz mx <<-EOT
			$t
			EOT
			sz=$(tobytes "$sz")
			mx=$(tobytes "${mx:-$sz}")
			has_heap "$n" && [ "$(stat "$n" initial_size)" = "$sz" ] &&
				[ "$(stat "$n" max_size)" = "$mx" ] ||
				miss="$miss $n($sz/$mx)"
		done
		rows=$(($(grep -c . $D/heaps) - 1))
		want=$(echo "$names" | grep -c .)
		ok $([ -z "$miss" ] && [ "$rows" -eq "$want" ]; echo $?) \
			"heaps='$spec': insmod creates $want heap(s) with those sizes" "wrong:$miss rows:$rows"
		rmmod talc
		no_talc "heaps='$spec' rmmod"
	else
		fail "heaps='$spec': insmod failed"
	fi
done

i=0
for spec in "a" "a:" ":64K" "a:0" "a:1X" "a:1M:512K" "bad.name:64K" \
	    "n234567890123456789012345678901x:64K" "a:64K,a:64K" "a:64K,,b:64K" \
	    "a:64K,b:1Q" "a:64K:1M:2M" "a:99999999999999999999999" "a:64K," \
	    "a:-1" "a:64KK" "a:16G:8G" "a;b:64K"; do
	i=$((i + 1))
	mark "hs$i"
	if load "$spec" 2>/tmp/ierr; then
		fail "heaps='$spec': insmod must fail"
		rmmod talc
	else
		# the pr_err names the first bad token
		tok=$(echo "$spec" | tr ',' '\n' | while read -r t; do
			echo "$t"; done | tail -n 1)
		case $spec in
		a:64K,a:64K) tok="a:64K" ;;
		a:64K,b:1Q) tok="b:1Q" ;;
		a:64K,,b:64K|a:64K,) tok="" ;;
		esac
		if since "hs$i" | grep -F "bad heap spec '$tok'" > /dev/null; then
			pass "heaps='$spec': insmod fails, pr_err names '$tok'"
		else
			fail "heaps='$spec': insmod fails but no pr_err naming '$tok'"
			since "hs$i" | sed 's/^/  | /'
		fi
	fi
	no_talc "heaps='$spec'"
done

echo "== debugfs control"
load "c1:64K:256K"
cp $D/heaps /tmp/before
n=0
# shellcheck disable=SC2016
for cmd in "" "   " "create" "create x" "create x 0" "create x 1X" \
	   "create x 1M 512K" "create bad.name 64K" \
	   "create n234567890123456789012345678901x 64K" "create x 64K 128K 256K" \
	   "create x 64K:128K" "create x:64K" "destroy" "destroy c1 c1" \
	   "destroy bad.name" "frobnicate x" "CREATE x 64K" "create x -1" \
	   "create x 99999999999999999999999" "create x 64KK" "createx 64K" \
	   "create c1 64K" "create c1 128K 1M" "destroy nosuch" "destroy C1"; do
	n=$((n + 1))
	if write $D/control "$cmd"; then
		fail "control '$cmd': write must fail"
	else
		case $cmd in
		"create c1"*) want="File exists" ;;
		"destroy nosuch"|"destroy C1") want="No such file" ;;
		*) want="Invalid argument" ;;
		esac
		if grep -q "$want" /tmp/werr; then
			pass "control '$cmd': rejected ($want)"
		else
			fail "control '$cmd': rejected, but not with '$want': $(cat /tmp/werr)"
		fi
	fi
	cmp -s /tmp/before $D/heaps
	ok $? "control '$cmd': heaps table unchanged"
done
# a NUL byte inside a command
printf 'create x\000 64K\n' > $D/control 2>/dev/null
ok $([ $? -ne 0 ] && cmp -s /tmp/before $D/heaps; echo $?) "control with a NUL byte: rejected, table unchanged"

check "control 'create c2 128K 1M': accepted" write $D/control "create c2 128K 1M"
ok $(has_heap c2; echo $?) "control create: c2 in the heaps table"
check "c2/check ok" heap_ok c2
check "control 'destroy c2': accepted" write $D/control "destroy c2"
ok $(! has_heap c2 && [ ! -e $D/c2 ]; echo $?) "control destroy: c2 gone from table and debugfs"
check "control create with tabs and trailing blank" write $D/control "$(printf 'create\tc3\t64K ')"
check "control destroy c3" write $D/control "destroy c3"
cmp -s /tmp/before $D/heaps
ok $? "heaps table back to the start after create/destroy"

echo "== tunables"
for t in "max_size:abc -1 1X 4K 99999999999999999999999" \
	 "poison:2 abc -1 yes" \
	 "reclaim_threshold:abc -1 1X 1G" \
	 "grow_step:abc -1 0 100 1G"; do
	f=${t%%:*}
	old=$(cat $D/c1/$f)
	for v in ${t#*:} ""; do
		if write $D/c1/$f "$v"; then
			fail "c1/$f='$v': write must fail"
		else
			new=$(cat $D/c1/$f)
			# debugfs attributes parse with kstrtoull: -ERANGE on overflow
			ok $([ "$new" = "$old" ] &&
			     grep -q -E 'Invalid argument|out of range' /tmp/werr; echo $?) \
				"c1/$f='$v': rejected, value unchanged" "$old -> $new: $(cat /tmp/werr)"
		fi
	done
done
check "c1/poison=1 accepted" write $D/c1/poison 1
ok $([ "$(cat $D/c1/poison)" = 1 ]; echo $?) "c1/poison reads back 1"
check "c1/poison=0 accepted" write $D/c1/poison 0
check "c1/max_size=512K accepted" write $D/c1/max_size 524288
ok $([ "$(cat $D/c1/max_size)" = 524288 ]; echo $?) "c1/max_size reads back 524288" "$(cat $D/c1/max_size)"
check "c1/reclaim_threshold=128K accepted" write $D/c1/reclaim_threshold 131072
ok $([ "$(cat $D/c1/reclaim_threshold)" = 131072 ]; echo $?) "c1/reclaim_threshold reads back 131072" "$(cat $D/c1/reclaim_threshold)"
check "c1/natural_align=1 accepted" write $D/c1/natural_align 1
ok $([ "$(stat c1 natural_align)" = 1 ]; echo $?) "c1/natural_align reads back 1 in stats"
check_not "c1/natural_align=2 rejected" write $D/c1/natural_align 2
check "c1/check ok" heap_ok c1
check "control: create na 64K natural_align" write $D/control "create na 64K natural_align"
ok $([ "$(stat na natural_align)" = 1 ] && [ "$(cat $D/na/natural_align)" = 1 ]; echo $?) \
	"na was created with natural_align"
check "control: destroy na" write $D/control "destroy na"
check "control: create nh 64K nohardened" write $D/control "create nh 64K nohardened"
ok $([ "$(stat nh hardened)" = 0 ] && [ "$(stat c1 hardened)" = 1 ]; echo $?) \
	"nh was created not hardened, c1 hardened (the default)"
check_not "control: create nx 64K hardened nohardened rejected" write $D/control "create nx 64K hardened nohardened"
check "control: destroy nh" write $D/control "destroy nh"
rmmod talc
no_talc "control/tunables rmmod"
load "nb:64K:128K:natural_align:nohardened,nc:64K:hardened" hardened=0
ok $? "heaps=nb:64K:128K:natural_align:nohardened,nc:64K:hardened hardened=0 loads"
ok $([ "$(stat nb natural_align)" = 1 ] && [ "$(stat nc natural_align)" = 0 ] &&
     [ "$(stat nb max_size)" = 131072 ]; echo $?) "heaps=: natural_align on nb only"
ok $([ "$(stat nb hardened)" = 0 ] && [ "$(stat nc hardened)" = 1 ]; echo $?) \
	"heaps=: hardened on nc only (the option, against the hardened=0 default)"
check "control: create nd 64K takes hardened=0" write $D/control "create nd 64K"
ok $([ "$(stat nd hardened)" = 0 ]; echo $?) "nd, created without an option, follows hardened=0"
check "control: destroy nd" write $D/control "destroy nd"
rmmod talc
no_talc "natural_align rmmod"

echo "== torture: 2 threads, 10 s"
load "tort:256K:4M"
# poisoning on: a write into freed memory by the allocator itself shows too
write $D/tort/poison 1
insmod $M/talc_torture.ko heap=tort threads=2 ops=0 duration=10 max_size=4096 &
pid=$!
# meanwhile read every debugfs view: check must stay ok under load
sleep 1
reads=0
bad=0
while kill -0 $pid 2>/dev/null && [ $reads -lt 200 ]; do
	v=$(cat $D/tort/check)
	[ "$v" = ok ] || { bad=$((bad + 1)); echo "  tort/check under load: $v"; }
	cat $D/heaps $D/tort/stats $D/tort/bins $D/tort/regions > /dev/null || bad=$((bad + 1))
	reads=$((reads + 1))
	sleep 0.2
done
ok $([ $reads -ge 5 ] && [ $bad -eq 0 ]; echo $?) \
	"tort: debugfs reads during torture: $reads rounds, check ok every time" "$bad bad"
torture_wait $pid tort talc_torture
ops=$(echo "$line" | sed -n 's/.* ops=\([0-9]*\) .*/\1/p')
ok $([ "${ops:-0}" -ge 10000 ]; echo $?) "talc_torture: ran ${ops:-0} ops (>= 10000)"
irq=$(dmesg | grep 'talc_torture: heap=tort allocs=' | tail -n 1 |
      sed -n 's/.* irq_allocs=\([0-9]*\) .*/\1/p')
ok $([ "${irq:-0}" -ge 100 ]; echo $?) "talc_torture: ${irq:-0} allocations from hardirq context (>= 100)"
total=$(stat tort total_allocation_count)
ok $([ "${total:-0}" -ge 5000 ]; echo $?) "tort: stats total_allocation_count ${total:-?} >= 5000"
ok $([ "$(stat tort allocation_count)" = 0 ]; echo $?) "tort: no live allocations after torture"
ok $([ "$(stat tort poison_errors)" = 0 ] && [ "$(stat tort bad_frees)" = 0 ]; echo $?) \
	"tort: no poison errors, no bad frees"
check "tort/check ok after torture" heap_ok tort
if insmod $M/talc_torture.ko ops=20000 threads=2; then
	pass "talc_torture without heap=: runs on a private heap"
	rmmod talc_torture
else
	fail "talc_torture without heap=: insmod failed"
fi
ok $(! has_heap talc_torture; echo $?) "talc_torture's private heap destroyed"
check_not "talc_torture threads=0: insmod fails" insmod $M/talc_torture.ko threads=0
check_not "talc_torture heap=tort,nosuch: insmod fails" insmod $M/talc_torture.ko heap=tort,nosuch
ok $([ "$(stat tort references)" = 1 ] && ! grep -q '^talc_torture ' /proc/modules; echo $?) \
	"failed talc_torture left no module and no reference on tort ($(stat tort references))"
rmmod talc
no_talc "torture rmmod"

echo "== init order: control appears only after the heaps= heaps exist"
# While insmod vmallocs a big heaps= heap, a writer waits for control and
# creates the same name.  Had control existed before the heaps= heaps (the
# first round's order), the writer's heap would take the name and insmod
# would fail with -EEXIST; now control is not there until they all exist.
# A watcher spins until control appears and notes whether race exists by
# then (the first round's order made control appear first, every time).
( n=0
  while [ ! -e $D/control ] && [ $n -lt 1000000 ]; do n=$((n + 1)); done
  if has_heap race; then echo late; else echo early; fi > /tmp/ctl
  echo "create race 64K" > $D/control 2>/dev/null ) &
wpid=$!
load "race:192M"
rc=$?
wait $wpid 2>/dev/null
ok $rc "initorder: insmod heaps=race:192M succeeds while a writer waits for control"
ok $([ "$(cat /tmp/ctl)" = late ]; echo $?) "initorder: control appeared after the heaps= heap" "$(cat /tmp/ctl)"
ok $([ "$(stat race initial_size)" = $((192 << 20)) ]; echo $?) \
	"initorder: race is the heaps= heap ($(stat race initial_size) bytes)"
ok $(! write $D/control "create heaps 64K" && ! write $D/control "create control 64K"; echo $?) \
	"names heaps and control are refused (reserved for debugfs)"
rmmod talc
no_talc "initorder rmmod"

echo "== lock hold: a 256M heap full of 16-byte blocks, debugfs read during torture"
# Every debugfs file of the heap is read while the torture runs; the
# longest hold of the heap's lock is then read from stats, with the code
# address where it ended.  Timings are QEMU TCG, emulated, and a vCPU whose
# host thread is preempted inside a hold makes the hold look long: the
# bound is loose (50 ms).  It still fails a hold that walks the heap: one
# pass over these 10 million chunks takes about 100 ms here.  The
# native-speed bound (100 us) is asserted by the KUnit suite under UML.
HOLD_LIMIT_NS=${HOLD_LIMIT_NS:-50000000}
load "lh:256M"
mark fill
insmod $M/talc_vmtest.ko case=fill heap=lh fill_pct=90
ok $? "lockhold: lh filled with small blocks"
vmtest_results fill
write $D/lh/max_lock_hold_ns 0
insmod $M/talc_torture.ko heap=lh threads=2 ops=0 duration=6 max_size=512 &
pid=$!
# The readers run at nice -20: on PREEMPT_RT the heap's lock is a sleeping
# lock whose holder may be preempted, and the torture threads, served by
# their per-CPU caches, no longer wait on it (nor boost the holder), so a
# reader preempted inside a hold would time the torture's slice instead.
renice -n -20 $$ > /dev/null
rounds=0
while kill -0 $pid 2>/dev/null; do
	for f in heaps lh/stats lh/bins lh/regions lh/check lh/max_size \
		 lh/grow_step lh/reclaim_threshold lh/poison lh/quick_depth \
		 lh/max_lock_hold_ns; do
		cat $D/$f > /dev/null
	done
	rounds=$((rounds + 1))
done
wait $pid
ok $? "lockhold: talc_torture on the full heap passed"
renice -n 0 $$ > /dev/null
rmmod talc_torture 2>/dev/null
hold=$(stat lh max_lock_hold_ns)
live=$(stat lh allocation_count)
site=$(sed -n 's/^max_lock_hold_site: //p' $D/lh/stats)
echo "   lockhold: longest hold ${hold:-?} ns at $site (QEMU TCG), $rounds rounds of every file, $live live blocks"
ok $([ "$rounds" -ge 1 ] && [ "${hold:-999999999}" -lt "$HOLD_LIMIT_NS" ]; echo $?) \
	"lockhold: longest lock hold ${hold:-?} ns < $HOLD_LIMIT_NS ns under TCG"
rmmod talc_vmtest
check "lockhold: lh/check ok" heap_ok lh
ok $([ "$(stat lh allocation_count)" = 0 ]; echo $?) "lockhold: every block freed"
rmmod talc
no_talc "lockhold rmmod"

echo "== fault injection: 10 % of growths fail during torture"
load "ft:64K:8M"
# small growth steps: enough growths for 10 % of them to fail (the per-CPU
# caches keep memory in use, so the heap grows and shrinks less often)
check "ft/grow_step=16384 accepted" write $D/ft/grow_step 16384
check "ft/fail_grow=10 1 -1 accepted" write $D/ft/fail_grow "10 1 -1"
ok $([ "$(cat $D/ft/fail_grow)" = "10 1 -1" ]; echo $?) "ft/fail_grow reads back" "$(cat $D/ft/fail_grow)"
check_not "ft/fail_grow=101 1 -1 rejected" write $D/ft/fail_grow "101 1 -1"
check_not "ft/fail_grow=10 0 -1 rejected" write $D/ft/fail_grow "10 0 -1"
check_not "ft/fail_grow=10 1 rejected" write $D/ft/fail_grow "10 1"
if insmod $M/talc_torture.ko heap=ft threads=2 ops=0 duration=5 max_size=8192; then
	pass "fault: talc_torture on ft passed"
	rmmod talc_torture
else
	fail "fault: talc_torture on ft failed"
fi
inj=$(stat ft injected_faults)
ok $([ "${inj:-0}" -gt 0 ] && [ "$(stat ft grow_failures)" -ge "${inj:-0}" ]; echo $?) \
	"fault: growths failed on purpose (${inj:-0} injected, $(stat ft grow_failures) grow failures, $(stat ft grows) grows)"
ok $([ "$(stat ft allocation_count)" = 0 ] && [ "$(stat ft bad_frees)" = 0 ]; echo $?) \
	"fault: no live allocation and no bad free after torture"
check "fault: ft/check ok" heap_ok ft
rmmod talc
no_talc "fault rmmod"

echo "== per-CPU caches: torture on 2 vCPUs, CPU 1 offline and back"
# NAME/cache: "cpu online chunks bytes hits misses frees refills drains ..."
cache_col() { awk -v c="$2" -v k="$3" '$1 == c { print $k }' $D/$1/cache; }
c1=/sys/devices/system/cpu/cpu1/online
load "pc:1M:16M"
a0=$(stat pc allocation_count)
ok $([ "$(stat pc cache_limit)" -gt 0 ] && [ "$(stat pc poison)" = 0 ]; echo $?) \
	"pc: caches on by default (cache_limit $(stat pc cache_limit))"
insmod $M/talc_torture.ko heap=pc threads=2 ops=0 duration=8 max_size=4096 &
pid=$!
sleep 3
h1=$(cache_col pc 1 5)
if [ -w $c1 ] && echo 0 > $c1; then
	sleep 1
	ok $([ "$(cache_col pc 1 2)" = 0 ] && [ "$(cache_col pc 1 3)" = 0 ] &&
	     [ "$(cache_col pc 1 4)" = 0 ]; echo $?) \
		"pc: cpu1 offline during torture: its cache was drained" \
		"$(sed -n 3p $D/pc/cache)"
	check "pc: check ok with cpu1 offline, torture running" heap_ok pc
	sleep 1
	echo 1 > $c1
	ok $? "pc: cpu1 back online"
	sleep 1
else
	fail "pc: cannot take cpu1 offline ($c1)"
fi
torture_wait $pid pc "pc (caches on)"
h0=$(cache_col pc 0 5)
ok $([ "${h0:-0}" -gt 0 ] && [ "${h1:-0}" -gt 0 ] && [ "$(cache_col pc 1 5)" -gt "${h1:-0}" ]; echo $?) \
	"pc: both CPUs served from their caches (hits: cpu0 ${h0:-?}, cpu1 ${h1:-?} before offline, $(cache_col pc 1 5) after)"
ok $([ "$(stat pc allocation_count)" = "$a0" ] && [ "$(stat pc bad_frees)" = 0 ]; echo $?) \
	"pc: allocation_count back to $a0 after rmmod of the torture, no bad free" \
	"$(stat pc allocation_count) live, $(stat pc cache_chunks) cached"
check "pc: check ok after torture" heap_ok pc
check "pc: cache accepts drain" write $D/pc/cache drain
check_not "pc: cache rejects other writes" write $D/pc/cache flush
# drained: the core's own walk (check) counts every chunk; with no
# allocation left, every byte claimed is free or overhead: none was lost
ok $([ "$(stat pc cache_chunks)" = 0 ] && [ "$(stat pc allocation_count)" = 0 ] &&
     [ "$(stat pc allocated_bytes)" = 0 ] &&
     [ $(( $(stat pc available_bytes) + $(stat pc overhead_bytes) )) = "$(stat pc claimed_bytes)" ]; echo $?) \
	"pc: after drain: no cached chunk, nothing allocated, claimed = free + overhead" \
	"claimed $(stat pc claimed_bytes) free $(stat pc available_bytes) overhead $(stat pc overhead_bytes)"
check "pc: check ok after drain" heap_ok pc
check "pc: cache_limit 0 accepted" write $D/pc/cache_limit 0
ok $([ "$(stat pc cache_limit)" = 0 ]; echo $?) "pc: caches off"
rmmod talc
no_talc "per-CPU caches rmmod"

echo "== bad frees (one WARN per heap and kind, counted, heap consistent)"
load ""
for kind in misaligned outside interior double freechunk; do
	h=bf_$kind
	write $D/control "create $h 64K"
	mark "$h"
	expect_warn 1 "badfree $kind" insmod $M/talc_vmtest.ko case=badfree kind=$kind heap=$h
	ok $? "badfree $kind: talc_vmtest passed" "$(cat /tmp/ew.out)"
	vmtest_results "$h"
	rmmod talc_vmtest 2>/dev/null
	ok $([ "$(stat $h bad_frees)" = 2 ]; echo $?) "badfree $kind: stats bad_frees = 2" "$(stat $h bad_frees)"
	check "badfree $kind: $h/check ok" heap_ok $h
	check "badfree $kind: destroy $h" write $D/control "destroy $h"
done

echo "== poisoning"
write $D/control "create ps 64K"
write $D/ps/poison 1
mark poison
expect_warn 1 "poison" insmod $M/talc_vmtest.ko case=poison heap=ps
ok $? "poison: talc_vmtest passed" "$(cat /tmp/ew.out)"
vmtest_results poison
rmmod talc_vmtest 2>/dev/null
ok $([ "$(stat ps poison_errors)" = 1 ]; echo $?) "poison: stats poison_errors = 1" "$(stat ps poison_errors)"
check "poison: ps/check ok" heap_ok ps
write $D/control "destroy ps"

echo "== destroy while busy"
mark busy
insmod $M/talc_vmtest.ko case=busy
ok $? "busy: talc_vmtest passed"
vmtest_results busy
rmmod talc_vmtest 2>/dev/null
write $D/control "create hb 64K"
cp $D/heaps /tmp/before
mark hold
insmod $M/talc_vmtest.ko case=hold heap=hb
ok $? "hold: talc_vmtest loaded"
vmtest_results hold
write $D/control "destroy hb"
ok $([ $? -ne 0 ] && grep -q 'busy' /tmp/werr; echo $?) "control destroy of a heap in use: -EBUSY" "$(cat /tmp/werr)"
ok $(has_heap hb; echo $?) "busy heap hb still there"
rmmod talc_vmtest
check "destroy hb after the user is gone" write $D/control "destroy hb"

echo "== growth to max, failure at max, reclaim"
write $D/control "create gr 64K 512K"
mark grow
insmod $M/talc_vmtest.ko case=grow heap=gr max_size=524288
ok $? "grow: talc_vmtest passed"
vmtest_results grow
rmmod talc_vmtest 2>/dev/null
ok $([ "$(grep -v '^#' $D/gr/regions | grep -c .)" -le 3 ]; echo $?) "grow: gr/regions lists at most three regions (hysteresis)" "$(cat $D/gr/regions)"
check "grow: gr/check ok" heap_ok gr

echo "== a heap over caller memory (a vmalloc'd buffer stands in for device memory)"
# talc_vmtest case=mem: heap om over 192K + 64K of its buffer, fake phys
# 0x80000000 and 0x90000000; destroyed at rmmod, then the buffer vfree()d
vmm0=$(vmalloc_kb)
mark mem
insmod $M/talc_vmtest.ko case=mem heap=om
ok $? "mem: talc_vmtest case=mem passed"
vmtest_results mem
vmm1=$(vmalloc_kb)
ok $([ $((vmm1 - vmm0)) -ge $((256 - VM_NOISE)) ]; echo $?) \
	"mem: VmallocUsed up by the 256 kB buffer: $vmm0 -> $vmm1 kB (tolerance $VM_NOISE kB)"
ok $(awk '$1 == "om" { f = ($NF == 2) } END { exit !f }' $D/heaps; echo $?) \
	"mem: heaps table: om owns 2 ranges (column owned)" "$(cat $D/heaps)"
ok $(grep -q ' owned phys=0x0*80000000$' $D/om/regions &&
	grep -q ' owned phys=0x0*90000000$' $D/om/regions; echo $?) \
	"mem: om/regions: both ranges owned, with their phys" "$(cat $D/om/regions)"
sed 's/^/   | /' $D/om/regions
ok $([ "$(stat om owned_ranges)" = 2 ] && [ "$(stat om owned_bytes)" = 262144 ]; echo $?) \
	"mem: om/stats: owned_ranges 2, owned_bytes 262144"
check "mem: om/check ok" heap_ok om
write $D/control "destroy om"
ok $([ $? -ne 0 ] && has_heap om; echo $?) "mem: control cannot destroy the API's heap om"
mark memexit
rmmod talc_vmtest
ok $? "mem: rmmod talc_vmtest (destroys om, then vfree()s the buffer)"
vmtest_results memexit
ok $(since memexit | grep -q 'talc_vmtest: PASS mem: buffer intact'; echo $?) \
	"mem: the buffer outlived the heap"
ok $(! has_heap om; echo $?) "mem: om gone"
vmalloc_back "$vmm0" "mem"

echo "== talctop: the live view (tools/talctop, busybox sh) during a torture run"
# heap tt under talc_torture, heap gr (above) idle
write $D/control "create tt 256K 4M"
insmod $M/talc_torture.ko heap=tt threads=2 ops=0 duration=5 max_size=4096 &
pid=$!
sleep 1
talctop -o -d 1 > /tmp/top.out 2>&1
ok $? "talctop -o -d 1: exit status 0" "$(cat /tmp/top.out)"
sed 's/^/   | /' /tmp/top.out
# columns: HEAP ALLOCS/S FREES/S BYTES/S NET/S LIVE ALLOCATED CLAIMED ...
col() { awk -v h="$1" -v c="$2" '$1 == h { print $c }' /tmp/top.out; }
a=$(col tt 2)
f=$(col tt 3)
b=$(col tt 4)
ok $(grep -q '^HEAP  *ALLOCS/S  *FREES/S  *BYTES/S ' /tmp/top.out; echo $?) "talctop: column header"
ok $([ "$(grep -c '^talc heaps: ' /tmp/top.out)" = 1 ]; echo $?) "talctop -o: exactly one table"
ok $([ "${a:-0}" -gt 0 ] 2>/dev/null; echo $?) "talctop: heap tt under torture: allocs/s ${a:-none} > 0"
ok $([ "${f:-0}" -gt 0 ] 2>/dev/null; echo $?) "talctop: heap tt under torture: frees/s ${f:-none} > 0"
ok $([ "$b" != 0 ] && [ "$b" != - ] && [ -n "$b" ]; echo $?) "talctop: heap tt under torture: bytes/s ${b:-none} > 0"
ok $([ "$(col gr 2)" = 0 ] && [ "$(col gr 3)" = 0 ]; echo $?) \
	"talctop: idle heap gr: allocs/s and frees/s 0 ($(col gr 2), $(col gr 3))"
ok $([ "$(awk 'NR > 2 { print $1; exit }' /tmp/top.out)" = tt ]; echo $?) \
	"talctop: default sort by allocs/s puts tt first"
talctop -n 2 -d 0.5 -s name > /tmp/top.out 2>&1
ok $([ $? -eq 0 ] && [ "$(grep -c '^HEAP ' /tmp/top.out)" = 2 ] &&
     [ "$(awk '$1 == "gr" || $1 == "tt" { printf "%s ", $1 }' /tmp/top.out)" = "gr tt gr tt " ]; echo $?) \
	"talctop -n 2 -s name: two tables sorted by name" "$(cat /tmp/top.out)"
check_not "talctop -s nosuch: usage error" talctop -s nosuch
check_not "talctop -D /nonexistent: fails" talctop -o -D /nonexistent
if wait $pid; then
	pass "talctop: talc_torture on tt succeeded"
	rmmod talc_torture
else
	fail "talctop: talc_torture on tt failed"
fi
check "talctop: tt/check ok" heap_ok tt
check "talctop: destroy tt" write $D/control "destroy tt"

echo "== tracepoints: counts of talc:* events equal the counters' changes"
# Torture (heap tr), growth to max, failure and reclaim (talc_vmtest
# case=grow, heap trg) and bad frees caught by the cache and by the core
# (talc_vmtest case=badfree, heap trb), all with events/talc enabled.
T=/sys/kernel/tracing
[ -e $T/events ] || mount -t tracefs nodev $T 2>/dev/null
# snap HEAP - the counters the events must match, in a line
snap() {
	echo "$(stat $1 total_allocation_count) $(stat $1 allocation_count)" \
	     "$(stat $1 grows) $(stat $1 reclaims)" \
	     "$(stat $1 failed_allocations) $(stat $1 bad_frees)"
}
# tev EVENT HEAP - lines of EVENT for HEAP in the saved trace
tev() { grep -c " $1: heap=$2 " /tmp/trace.out; }
# tev_is EVENT HEAP WANT WHAT - HEAP's EVENT count equals WANT, WHAT's change
tev_is() {
	ok $([ "$(tev $1 $2)" = "$3" ]; echo $?) \
		"tracepoints: $2: $1 events $(tev $1 $2) = $4 $3"
}
if [ ! -d $T/events/talc ]; then
	fail "tracepoints: no $T/events/talc ($(ls $T 2>&1 | head -n 3))"
else
	pass "tracepoints: $T/events/talc lists $(ls $T/events/talc | grep -c '^talc_') events"
	write $D/control "create tr 256K 4M"
	write $D/control "create trg 64K 512K"
	write $D/control "create trb 64K"
	echo 0 > $T/tracing_on
	echo 16384 > $T/buffer_size_kb
	ok $? "tracepoints: buffer_size_kb 16384 per CPU"
	echo > $T/trace
	for h in tr trg trb; do eval "s0_$h=\"$(snap $h)\""; done
	echo 1 > $T/events/talc/enable
	ok $? "tracepoints: events/talc/enable"
	echo 1 > $T/tracing_on
	insmod $M/talc_torture.ko heap=tr threads=2 ops=10000 duration=60 max_size=4096
	ok $? "tracepoints: talc_torture ops=10000 on tr passed"
	# talc_torture stays loaded until the trace is read: %pS of call_site
	# resolves only while the module is there
	mark trgrow
	insmod $M/talc_vmtest.ko case=grow heap=trg max_size=524288
	ok $? "tracepoints: talc_vmtest case=grow on trg passed"
	vmtest_results trgrow
	rmmod talc_vmtest 2>/dev/null
	for kind in double interior; do
		expect_warn 1 "tracepoints: badfree $kind on trb" \
			insmod $M/talc_vmtest.ko case=badfree kind=$kind heap=trb
		rmmod talc_vmtest 2>/dev/null
	done
	sleep 1
	for h in tr trg trb; do eval "s1_$h=\"$(snap $h)\""; done
	echo 0 > $T/events/talc/enable
	echo 0 > $T/tracing_on
	ok $? "tracepoints: events disabled"
	cat $T/trace > /tmp/trace.out
	rmmod talc_torture 2>/dev/null
	over=$(cat $T/per_cpu/cpu*/stats | sed -n 's/^overrun: *//p' | tr '\n' ' ')
	ok $([ -n "$over" ] && [ -z "$(echo $over | tr -d ' 0')" ]; echo $?) \
		"tracepoints: no event lost (overrun per CPU: $over)"
	for h in tr trg trb; do
		eval "set -- \$s0_$h \$s1_$h"
		# total live grows reclaims failed bad, before then after
		a=$(( $7 - $1 )); f=$(( a - ($8 - $2) ))
		g=$(( $9 - $3 )); r=$(( ${10} - $4 ))
		af=$(( ${11} - $5 )); bf=$(( ${12} - $6 ))
		[ "$(snap $h)" = "$(eval echo \$s1_$h)" ]
		ok $? "tracepoints: $h: counters still after the events were disabled"
		tev_is talc_alloc $h $a "total_allocation_count change"
		tev_is talc_free $h $f "allocs - allocation_count change"
		tev_is talc_grow $h $g "grows change"
		tev_is talc_reclaim $h $r "reclaims change"
		tev_is talc_alloc_fail $h $af "failed_allocations change"
		tev_is talc_bad_free $h $bf "bad_frees change"
	done
	# the runs above must have exercised every event
	ok $([ "$(tev talc_alloc tr)" -ge 10000 ] && [ "$(tev talc_grow trg)" -gt 0 ] &&
	     [ "$(tev talc_reclaim trg)" -gt 0 ] && [ "$(tev talc_alloc_fail trg)" -gt 0 ] &&
	     [ "$(tev talc_bad_free trb)" = 4 ]; echo $?) \
		"tracepoints: every event seen (tr allocs $(tev talc_alloc tr), trg grows/reclaims/fails $(tev talc_grow trg)/$(tev talc_reclaim trg)/$(tev talc_alloc_fail trg), trb bad frees $(tev talc_bad_free trb))"
	c1=$(grep ' talc_alloc: heap=tr ' /tmp/trace.out | grep -c ' cached=1$')
	ok $([ "$c1" -gt 0 ]; echo $?) "tracepoints: tr: $c1 allocations served by a per-CPU cache (cached=1)"
	ok $(grep ' talc_alloc: heap=tr ' /tmp/trace.out | awk '{
		for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		if (v["bytes_alloc"] + 0 < v["bytes_req"] + 0 || v["ptr"] == "") bad++
	} END { exit bad > 0 }'; echo $?) "tracepoints: tr: bytes_alloc >= bytes_req in every talc_alloc"
	ok $(grep ' talc_alloc: heap=tr ' /tmp/trace.out | grep -q 'call_site=.*\[talc_torture\]'; echo $?) \
		"tracepoints: call_site names the caller in talc_torture" \
		"$(grep -m 1 ' talc_alloc: heap=tr ' /tmp/trace.out)"
	ok $([ "$(grep ' talc_bad_free: heap=trb ' /tmp/trace.out | grep -c ' kind=double$')" = 2 ]; echo $?) \
		"tracepoints: trb: kind=double printed for the 2 double frees"
	grep -m 1 ' talc_alloc: heap=tr .*gfp_flags=GFP_KERNEL' /tmp/trace.out | sed 's/^/   | /'
	grep -m 1 ' talc_grow: heap=trg ' /tmp/trace.out | sed 's/^/   | /'
	grep -m 1 ' talc_alloc_fail: heap=trg ' /tmp/trace.out | sed 's/^/   | /'
	grep -m 1 ' talc_bad_free: heap=trb ' /tmp/trace.out | sed 's/^/   | /'
	rm -f /tmp/trace.out
	echo > $T/trace
	echo 1408 > $T/buffer_size_kb
	for h in tr trg trb; do
		check "tracepoints: $h/check ok" heap_ok $h
		check "tracepoints: destroy $h" write $D/control "destroy $h"
	done
fi

echo "== unload"
rmmod talc
ok $? "rmmod talc"
no_talc "final rmmod"
ok $([ ! -e /sys/module/talc ]; echo $?) "/sys/module/talc gone"
# every heap region and module image is vmalloc'd
vmalloc_back "$vm0" "final rmmod"
exp=$(dmesg | grep -c 'talc-vm: expect-warn end')
w=$(dmesg | grep -c 'WARNING:')
ok $([ "$w" -eq 8 ]; echo $?) "kernel log: exactly the 8 expected warnings ($w)"
exit 0
