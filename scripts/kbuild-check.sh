#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kbuild-check.sh all|w1|sparse - build talc.ko and the test and bench
# modules (TALC_TEST_MODULES=1) from scratch for every kernel
# scripts/kvers.sh prints, with W=1 ("w1") and with W=1 C=2 sparse
# ("sparse"), and count compiler, sparse and modpost warnings in our
# sources.  One check per (kernel, mode); a check passes when the build
# succeeds, shows no warning and produced talc.ko and a module for each
# talc/talc_{torture,vmtest,bench}.c.  Ends with "N passed, M failed".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-all}
case $mode in
all) modes="w1 sparse" ;;
w1 | sparse) modes=$mode ;;
*) echo "usage: $0 all|w1|sparse" >&2; exit 2 ;;
esac
kvers=$("$top/scripts/kvers.sh") || {
	echo "kbuild-check: no Debian 6.1/6.12 kernel headers installed" >&2
	echo "0 passed, 1 failed"
	exit 1
}
# the .ko files every build must produce (talc/Kbuild.modules)
want="talc.ko"
for m in talc_torture talc_vmtest talc_bench; do
	[ -f "$top/talc/$m.c" ] && want="$want $m.ko"
done
pass=0
fail=0
for kver in $kvers; do
	for m in $modes; do
		out=$top/build/kmod-check/$kver-$m
		log=$out.log
		rm -rf "$out"
		mkdir -p "$out"
		args="W=1 TALC_TEST_MODULES=1"
		[ "$m" = sparse ] && args="W=1 C=2 TALC_TEST_MODULES=1"
		# shellcheck disable=SC2086
		"$top/scripts/kmod-build.sh" "/lib/modules/$kver/build" "$out" \
			$args >"$log" 2>&1
		rc=$?
		warn=$(grep -aE '(^|/)talc/[^: ]*:[0-9]+(:[0-9]+)?: *(warning|error)|WARNING: modpost|ERROR: modpost' "$log")
		nwarn=0
		[ -n "$warn" ] && nwarn=$(echo "$warn" | wc -l)
		missing=""
		for ko in $want; do
			[ -f "$out/$ko" ] || missing="$missing $ko"
		done
		if [ $rc -eq 0 ] && [ "$nwarn" -eq 0 ] && [ -z "$missing" ]; then
			echo "ok   $kver $m"
			pass=$((pass + 1))
		else
			echo "FAIL $kver $m: rc=$rc, $nwarn warning(s)${missing:+, missing:$missing} (log: ${log#"$top"/})"
			[ -n "$warn" ] && echo "$warn" | head -n 40
			[ $rc -ne 0 ] && tail -n 20 "$log"
			fail=$((fail + 1))
		fi
	done
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
