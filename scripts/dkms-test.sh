#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms-test.sh - `make dkms-test`, a `make check` suite: dkms.conf with the
# real dkms from apt, on this machine, for every kernel of scripts/kvers.sh
# (Debian 6.1 and 6.12; KVERS="a b" overrides):
#   1. stage a copy of the sources (scripts/dkms-src.sh, build/dkms/src/) and
#      `dkms add` it: dkms copies it to /usr/src/talc-<version>, so neither
#      the work tree nor anything under it is ever written by dkms;
#   2. per kernel: `dkms build -k`, `dkms install -k`; the module is in
#      /lib/modules/<kernel>/updates/dkms/ (talc.ko, or talc.ko.xz where the
#      kernel compresses its modules), depmod knows it (modinfo -k), its
#      vermagic names the kernel, dkms status says installed;
#   3. a kernel upgrade: for the last kernel, `dkms unbuild` leaves talc
#      added but not built, as for a newly installed kernel, and the hook
#      the kernel packages run (/etc/kernel/postinst.d/dkms) must build and
#      install it again (AUTOINSTALL);
#   4. per kernel: boot it in QEMU with the installed module
#      (scripts/vm/guest-dkms.sh): insmod heaps=, heaps table, check, rmmod;
#      the console log must be clean (scan-log);
#   5. `dkms remove --all`, then nothing of talc is left: not in dkms
#      status, not under /lib/modules/*/updates, not in depmod's index, not
#      in /usr/src; dkms's signing key is removed again if this run made it.
# Cleanup also runs on failure or interrupt (trap).  A talc that was added
# to DKMS before, other than by this test, is never touched: the test fails
# instead.  A machine-wide lock keeps two runs apart.  Output: one
# PASS/FAIL line per assertion, then "N passed, M failed".
# Logs: build/dkms/dkms.log (every dkms command), build/dkms/<kernel>/.
set -u
. "$(dirname "$0")/vm/common.sh"	# top, vm_here, kvers, guest_output
# shellcheck source=scripts/tally.sh
. "$top/scripts/tally.sh"
out=$top/build/dkms
log=$out/dkms.log

# step DESC CMD... - run CMD with its output in the log; PASS if it succeeds
step() {
	local d=$1 r
	shift
	echo "### $*" >> "$log"
	"$@" > "$out/step.out" 2>&1
	r=$?
	cat "$out/step.out" >> "$log"
	ok $r "$d"
	[ $r -eq 0 ] || grep -v 'readelf: Warning' "$out/step.out" | tail -n 15 | sed 's/^/  | /'
	return $r
}

# makelog KVER - keep dkms's make.log of a failed build (cleanup deletes
# /var/lib/dkms/talc) and show its errors
makelog() {
	local m=/var/lib/dkms/$name/$ver/build/make.log
	[ -f "$m" ] || return 0
	mkdir -p "$out/$1"
	cp "$m" "$out/$1/make.log"
	echo "  make.log (kept as build/dkms/$1/make.log):"
	grep -E 'error|Error' "$m" | head -n 10 | sed 's/^/  | /'
}

mkdir -p "$out"
: > "$log"
"$top/scripts/deps.sh" kmod dkms || { fail=1; result; }
ver=$(sed -n 's/^PACKAGE_VERSION="\([^"]*\)".*/\1/p' "$top/dkms.conf")
name=$(sed -n 's/^PACKAGE_NAME="\([^"]*\)".*/\1/p' "$top/dkms.conf")
[ -n "$ver" ] && [ "$name" = talc ] ||
	{ echo "dkms-test: no PACKAGE_NAME=talc / PACKAGE_VERSION in dkms.conf"; fail=1; result; }
mod=$name/$ver
usrsrc=/usr/src/$name-$ver
marker=TALC-DKMS-TEST	# in the staged copy: "this /usr/src dir is ours"
kvers_list=${KVERS:-$(kvers)}
[ -n "$kvers_list" ] || { echo "dkms-test: no Debian kernel with headers installed"; fail=1; result; }
echo "dkms-test: $mod on: $(echo $kvers_list)"

exec 9> /run/lock/talc-dkms-test.lock
flock -w 600 9 || { echo "dkms-test: another run holds /run/lock/talc-dkms-test.lock"; fail=1; result; }

# talc in DKMS before we start: ours (an interrupted run) or someone's?
talc_in_dkms() { [ -n "$(dkms status -m "$name" 2>/dev/null)" ] || [ -e "$usrsrc" ]; }
if talc_in_dkms; then
	if [ -e "$usrsrc/$marker" ] && [ "$(dkms status -m "$name" 2>/dev/null | grep -vc "^${mod}[,:]")" = 0 ]; then
		echo "dkms-test: removing what an interrupted run left behind"
		dkms remove "$mod" --all >> "$log" 2>&1
		rm -rf "$usrsrc"
	else
		echo "dkms-test: talc is in DKMS already and not from this test:"
		dkms status -m "$name" 2>/dev/null | sed 's/^/  /'
		ls -d "$usrsrc" 2>/dev/null | sed 's/^/  /'
		echo "dkms-test: refusing to touch it (dkms remove $name/<version> --all; rm -r $usrsrc)"
		fail=1
		result
	fi
fi
# dkms makes a module signing key on its first build; remove it again if
# this run (or an interrupted one: build/dkms/mok.ours) made it
mok_before=0
[ -e /var/lib/dkms/mok.key ] && [ ! -e "$out/mok.ours" ] && mok_before=1
[ $mok_before = 1 ] || touch "$out/mok.ours"

cleanup() {
	if [ -n "$(dkms status -m "$name" -v "$ver" 2>/dev/null)" ]; then
		echo "### cleanup: dkms remove $mod --all" >> "$log"
		dkms remove "$mod" --all >> "$log" 2>&1
	fi
	[ -e "$usrsrc/$marker" ] && rm -rf "$usrsrc"
	# the signing key dkms made for this run (nothing else was in DKMS)
	if [ $mok_before = 0 ] && [ -z "$(dkms status 2>/dev/null)" ]; then
		rm -f /var/lib/dkms/mok.key /var/lib/dkms/mok.pub "$out/mok.ours"
	fi
}
trap cleanup EXIT
trap 'echo "dkms-test: interrupted"; exit 130' INT TERM

echo "== dkms add (a staged copy of the sources)"
touch "$out/start.stamp"
"$top/scripts/dkms-src.sh" "$out/src/$name-$ver" && touch "$out/src/$name-$ver/$marker"
ok $? "staged the sources in build/dkms/src/$name-$ver"
step "dkms add build/dkms/src/$name-$ver" dkms add "$out/src/$name-$ver"
ok $([ "$(readlink "/var/lib/dkms/$name/$ver/source")" = "$usrsrc" ] &&
     [ -f "$usrsrc/dkms.conf" ] && [ -f "$usrsrc/talc/talc_heap.c" ]; echo $?) \
	"dkms source is its own copy $usrsrc, not the work tree"

for kver in $kvers_list; do
	echo "== $kver: dkms build, dkms install"
	mkdir -p "$out/$kver"
	rm -f "$out/$kver"/talc.ko*
	step "$kver: dkms build $mod -k $kver" dkms build "$mod" -k "$kver" || makelog "$kver"
	step "$kver: dkms install $mod -k $kver" dkms install "$mod" -k "$kver"
	ko=$(ls /lib/modules/"$kver"/updates/dkms/talc.ko* 2>/dev/null | head -n 1)
	ok $([ -n "$ko" ]; echo $?) "$kver: installed as ${ko:-/lib/modules/$kver/updates/dkms/talc.ko*: none}"
	[ -n "$ko" ] || continue
	ok $([ "$(modinfo -k "$kver" -n talc 2>/dev/null)" = "$ko" ]; echo $?) \
		"$kver: depmod's index finds it (modinfo -k $kver talc)" "$(modinfo -k "$kver" -n talc 2>&1)"
	vm=$(modinfo -F vermagic "$ko" 2>/dev/null)
	ok $(case "$vm" in "$kver "*) echo 0 ;; *) echo 1 ;; esac) "$kver: vermagic '$vm'"
	ok $(dkms status -m "$name" -v "$ver" -k "$kver" 2>/dev/null | grep -q ': installed'; echo $?) \
		"$kver: dkms status: $(dkms status -m "$name" -v "$ver" -k "$kver" 2>/dev/null)"
	echo "   signer: $(modinfo -F signer "$ko" 2>/dev/null)"
done

last=$(echo $kvers_list | awk '{ print $NF }')
echo "== kernel upgrade: $last without a talc build, then the kernel package's hook"
step "$last: dkms unbuild (talc added, not built: a new kernel)" dkms unbuild "$mod" -k "$last"
ok $([ -z "$(ls /lib/modules/"$last"/updates/dkms/talc.ko* 2>/dev/null)" ]; echo $?) "$last: module gone after unbuild"
step "$last: /etc/kernel/postinst.d/dkms $last builds and installs it" /etc/kernel/postinst.d/dkms "$last" ||
	makelog "$last"
ok $(dkms status -m "$name" -v "$ver" -k "$last" 2>/dev/null | grep -q ': installed' &&
     [ -n "$(ls /lib/modules/"$last"/updates/dkms/talc.ko* 2>/dev/null)" ]; echo $?) \
	"$last: installed again by the autoinstaller: $(dkms status -m "$name" -v "$ver" -k "$last" 2>/dev/null)"

echo "== the installed module in the VM"
for kver in $kvers_list; do
	ko=$(ls /lib/modules/"$kver"/updates/dkms/talc.ko* 2>/dev/null | head -n 1)
	[ -n "$ko" ] || { ok 1 "$kver: VM: no installed module"; continue; }
	case $ko in
	*.xz) xz -dc "$ko" ;;
	*.zst) zstd -qdc "$ko" ;;
	*.gz) gzip -dc "$ko" ;;
	*) cat "$ko" ;;
	esac > "$out/$kver/talc.ko"
	vlog=$out/$kver/vm.log
	rm -f "$vlog"
	"$vm_here/mkinitramfs" "$out/$kver/dkms.cpio.gz" "$vm_here/guest-dkms.sh" \
		"$out/$kver/talc.ko" &&
		"$vm_here/run-vm" -t 120 "/boot/vmlinuz-$kver" "$out/$kver/dkms.cpio.gz" "$vlog"
	if [ -f "$vlog" ]; then guest_output "$vlog" > "$out/$kver/vm.out"; else : > "$out/$kver/vm.out"; fi
	echo "-- $kver"
	grep -a '^   | ' "$out/$kver/vm.out"
	p=$(grep -a -c '^PASS: ' "$out/$kver/vm.out")
	f=$(grep -a -c '^FAIL: ' "$out/$kver/vm.out")
	grep -a -E '^(PASS|FAIL): ' "$out/$kver/vm.out" | sed -E "s#^(PASS|FAIL): #\1: $kver: VM: #"
	pass=$((pass + p))
	fail=$((fail + f))
	[ "$p" -ge 4 ] || ok 1 "$kver: VM: the guest ran its assertions" "log: ${vlog#"$top"/}"
	"$vm_here/scan-log" "$vlog" > "$out/$kver/scan.out" 2>&1
	rc=$?
	ok $rc "$kver: VM: console log clean ($(tail -n 1 "$out/$kver/scan.out"))" "log: ${vlog#"$top"/}"
	[ $rc -eq 0 ] && [ "$p" -ge 4 ] || vm_explain "$vlog" "$out/$kver/scan.out"
done

echo "== the work tree was not written"
new=$(find "$top" -path "$top/build" -prune -o -path "$top/.git" -prune -o -newer "$out/start.stamp" \
	\( -name '*.o' -o -name '*.ko' -o -name '*.mod' -o -name '*.mod.c' -o -name '.*.cmd' \
	   -o -name Module.symvers -o -name modules.order \) -print | head -n 5)
ok $([ -z "$new" ]; echo $?) "no kbuild output in the work tree" "$new"

echo "== dkms remove --all leaves the machine clean"
step "dkms remove $mod --all" dkms remove "$mod" --all
cleanup
trap - EXIT
ok $([ -z "$(dkms status -m "$name" 2>/dev/null)" ]; echo $?) "dkms status: no $name" \
	"$(dkms status -m "$name" 2>/dev/null)"
left=$(ls /lib/modules/*/updates/dkms/talc.ko* 2>/dev/null)
ok $([ -z "$left" ]; echo $?) "no talc.ko under /lib/modules/*/updates" "$left"
for kver in $kvers_list; do
	ok $(! modinfo -k "$kver" -n talc > /dev/null 2>&1; echo $?) "$kver: depmod's index has no talc"
done
ok $([ ! -e "$usrsrc" ] && [ ! -e "/var/lib/dkms/$name" ]; echo $?) "$usrsrc and /var/lib/dkms/$name gone"
ok $([ $mok_before = 1 ] || [ ! -e /var/lib/dkms/mok.key ] || [ -n "$(dkms status 2>/dev/null)" ]; echo $?) \
	"dkms signing key: $( [ $mok_before = 1 ] && echo 'was there before, kept' || echo 'made by this run, removed')"
result
