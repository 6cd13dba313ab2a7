# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# tally.sh - sourced by the host-side test suites (dkms-test, kdoc,
# talctop-test): one PASS/FAIL line per assertion and the closing
# "N passed, M failed" line that scripts/check.sh reads.

pass=0
fail=0

# ok STATUS DESC [DETAIL] - PASS when STATUS is 0, else FAIL with DETAIL
ok() {
	if [ "$1" -eq 0 ]; then
		pass=$((pass + 1))
		echo "PASS: $2"
	else
		fail=$((fail + 1))
		echo "FAIL: $2${3:+ ($3)}"
	fi
}

# result - print the closing line and exit, non-zero on any failure
result() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
}
