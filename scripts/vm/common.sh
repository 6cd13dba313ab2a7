# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# common.sh - shared by run.sh and vmtest.sh (host side, sourced).
vm_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$vm_here/../.." && pwd)
vm_out=$top/build/vm

# kvers - the Debian kernels to test, one per line (scripts/kvers.sh)
kvers() { "$top/scripts/kvers.sh"; }

# build_modules KVER - build talc.ko and the test modules (talc_torture.ko,
# talc_vmtest.ko, ...; TALC_TEST_MODULES=1) into build/kmod/KVER
build_modules() {
	make --no-print-directory -C "$top" modules KVER="$1" TALC_TEST_MODULES=1 \
		> "$vm_out/$1/build.log" 2>&1 || {
		cat "$vm_out/$1/build.log" >&2
		echo "vm: module build for $1 failed (log: build/vm/$1/build.log)" >&2
		return 1
	}
}

# guest_output LOG - what the guest script printed (console, ANSI stripped,
# kernel log dump left out)
guest_output() {
	sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\x1b[a-zA-Z]//g; s/\r//g' "$1" |
		sed -n '/TALC-VM: kernel /,/^===== TALC-VM DMESG BEGIN/p' |
		sed 's/^.*\(TALC-VM: kernel \)/\1/' |
		sed '$d'
}

# vm_explain LOG [SCAN_OUT] - why a VM run failed, for a log nobody can open
# later (a CI machine's): scan-log's findings, then the last 40 console
# lines (ANSI stripped), all indented under the FAIL line
vm_explain() {
	[ -n "${2:-}" ] && [ -f "$2" ] && sed 's/^/    /' "$2"
	[ -f "$1" ] || { echo "    (no console log)"; return; }
	echo "    -- last console lines:"
	sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\x1b[a-zA-Z]//g; s/\r//g' "$1" |
		tail -n 40 | sed 's/^/    > /'
}
