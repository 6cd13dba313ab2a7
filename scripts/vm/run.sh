#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - `make run`: build talc.ko and the test modules for Debian's 6.1
# kernel, boot it in QEMU and show the product at work: insmod with two
# heaps, talc_torture traffic, the debugfs heaps table, stats and bins,
# create/destroy through control, check, rmmod.  The guest's output is
# printed; the console log is scanned for kernel warnings.  KVER=... picks
# another kernel.
set -u
. "$(dirname "$0")/common.sh"

"$top/scripts/deps.sh" kmod || exit 1
kver=${KVER:-$(kvers | grep '^6\.1\.' | head -n 1)}
[ -n "$kver" ] || kver=$(kvers | head -n 1)
[ -n "$kver" ] || { echo "run: no Debian kernel with headers installed" >&2; exit 1; }
mkdir -p "$vm_out/$kver"
kmod=$top/build/kmod/$kver
log=$vm_out/$kver/run.log

echo "run: building modules for $kver"
build_modules "$kver" || exit 1
"$vm_here/mkinitramfs" "$vm_out/$kver/run.cpio.gz" "$vm_here/guest-run.sh" \
	"$kmod/talc.ko" "$kmod/talc_torture.ko" || exit 1
echo "run: booting $kver in QEMU (log: ${log#"$top"/})"
start=$(date +%s)
"$vm_here/run-vm" -t 240 "/boot/vmlinuz-$kver" "$vm_out/$kver/run.cpio.gz" "$log"
echo "run: VM finished in $(( $(date +%s) - start )) s"
echo "------------------------------------------------------------------ guest"
guest_output "$log"
echo "------------------------------------------------------------------------"
"$vm_here/scan-log" "$log"
