#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vmtest.sh - `make vmtest`: for every kernel scripts/kvers.sh lists (Debian
# 6.1, 6.12 and 6.1 PREEMPT_RT), build the modules, boot once in QEMU and run
# guest-vmtest.sh, which prints one "PASS: ..." or "FAIL: ..." line per
# assertion.  The host counts them per kernel and adds one assertion of its
# own per kernel: the console log is clean (scan-log: end marker present,
# no unexpected kernel splat, expected talc warnings exactly as announced,
# no unexpected taint).  Before the VMs, scan-log-test checks that the
# scanner rejects made-up bad logs.  Ends with "N passed, M failed" over all kernels and
# exits non-zero on any failure.  KVERS="a b" overrides the kernel list.
# To see it fail: add WARN_ON(1); at the top of talc_heap_free() and run
# make vmtest (or let make vmtest-planted do that in a copy of the tree).
set -u
. "$(dirname "$0")/common.sh"

"$top/scripts/deps.sh" kmod || exit 1
kvers_list=${KVERS:-$(kvers)}
[ -n "$kvers_list" ] || { echo "vmtest: no Debian kernel with headers installed"; echo "0 passed, 1 failed"; exit 1; }

total_pass=0
total_fail=0
summary=()

# The judge first: scan-log must reject made-up bad logs.
echo "=== vmtest: scan-log self-test"
mkdir -p "$vm_out"
"$vm_here/scan-log-test" > "$vm_out/scan-log-test.out" 2>&1
grep -a -v -E '^PASS: |^[0-9]+ passed, ' "$vm_out/scan-log-test.out" | sed 's/^/  /'
p=$(grep -a -c '^PASS: ' "$vm_out/scan-log-test.out")
f=$(grep -a -c '^FAIL: ' "$vm_out/scan-log-test.out")
[ "$p" -gt 0 ] || f=$((f + 1))
echo "scan-log self-test: $p passed, $f failed"
summary+=("$(printf '%-24s %4d passed %3d failed' scan-log-self-test "$p" "$f")")
total_pass=$((total_pass + p))
total_fail=$((total_fail + f))
for kver in $kvers_list; do
	start=$(date +%s)
	mkdir -p "$vm_out/$kver"
	log=$vm_out/$kver/vmtest.log
	kmod=$top/build/kmod/$kver
	echo "=== vmtest: $kver"
	rm -f "$log"
	if build_modules "$kver" &&
	   "$vm_here/mkinitramfs" "$vm_out/$kver/vmtest.cpio.gz" \
		"$vm_here/guest-vmtest.sh" "$kmod/talc.ko" \
		"$kmod/talc_torture.ko" "$kmod/talc_vmtest.ko"; then
		# slub_debug: redzones and poisoning for talc.ko's kmalloc()s
		"$vm_here/run-vm" -t 180 "/boot/vmlinuz-$kver" \
			"$vm_out/$kver/vmtest.cpio.gz" "$log" \
			${TALC_VM_ARGS-slub_debug=FZPU}
	fi
	out=$vm_out/$kver/vmtest.out
	if [ -f "$log" ]; then
		guest_output "$log" > "$out"
	else
		: > "$out"
	fi
	grep -a -E '^(PASS|FAIL): ' "$out" | sed "s|^|  |"
	p=$(grep -a -c '^PASS: ' "$out")
	f=$(grep -a -c '^FAIL: ' "$out")
	if [ -f "$log" ] && "$vm_here/scan-log" "$log" > "$vm_out/$kver/scan.out"; then
		p=$((p + 1))
		echo "  PASS: $kver: console log clean ($(tail -n 1 "$vm_out/$kver/scan.out"))"
	else
		f=$((f + 1))
		echo "  FAIL: $kver: console log not clean (log: ${log#"$top"/})"
		vm_explain "$log" "$vm_out/$kver/scan.out"
	fi
	if [ "$p" -lt 2 ]; then
		# a guest that printed (almost) nothing must never pass
		f=$((f + 1))
		echo "  FAIL: $kver: guest ran no assertions"
	fi
	secs=$(( $(date +%s) - start ))
	summary+=("$(printf '%-24s %4d passed %3d failed %4d s' "$kver" "$p" "$f" "$secs")")
	echo "vmtest $kver: $p passed, $f failed (${secs} s)"
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
done
echo "=== vmtest summary"
for s in "${summary[@]}"; do
	echo "  $s"
done
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
