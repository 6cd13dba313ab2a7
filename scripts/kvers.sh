#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kvers.sh - print the installed Debian kernel versions the project tests
# against, one per line: the newest 6.1.0-*-amd64, the newest 6.12*-amd64
# and the newest 6.1.0-*-rt-amd64 (PREEMPT_RT) under /lib/modules that have
# a build directory (headers).
# Never uses uname -r: the build host runs a different kernel.
# Exit status 1 when neither is installed.
set -u
found=0
for pat in '^6\.1\.0-[0-9]+-amd64$' '^6\.12[^[:space:]]*-amd64$' \
	   '^6\.1\.0-[0-9]+-rt-amd64$'; do
	best=()
	for d in /lib/modules/*; do
		v=${d##*/}
		[[ $v =~ $pat ]] || continue
		[ -d "$d/build" ] || continue
		best+=("$v")
	done
	v=""
	[ ${#best[@]} -gt 0 ] && v=$(printf '%s\n' "${best[@]}" | sort -V | tail -n 1)
	if [ -n "$v" ]; then
		echo "$v"
		found=1
	fi
done
[ $found -eq 1 ]
