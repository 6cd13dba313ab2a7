#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# guest-dkms.sh - run as /guest.sh inside the VM by scripts/dkms-test.sh:
# loads the talc.ko that `dkms install` put under
# /lib/modules/<release>/updates/dkms on the host (decompressed there, copied
# to /lib/modules/talc.ko here) with a heap from heaps=, reads the heaps
# table, checks the heap, unloads.  One "PASS: ..." / "FAIL: ..." line per
# assertion; always exits 0.
. /guest-lib.sh

echo "== the DKMS-built talc.ko on $(uname -r)"
if insmod $M/talc.ko heaps=dkms:256K:1M; then
	pass "insmod talc.ko (DKMS build) heaps=dkms:256K:1M"
	echo "guest# cat $D/heaps"
	cat $D/heaps | sed 's/^/   | /'
	ok $(awk '$1 == "dkms" && $2 == 262144 { f = 1 } END { exit !f }' $D/heaps; echo $?) \
		"heaps table: a row for heap dkms, 262144 bytes claimed"
	ok $([ "$(cat $D/dkms/check)" = ok ]; echo $?) "dkms/check: ok"
	rmmod talc
	ok $? "rmmod talc"
	ok $([ ! -e $D ] && ! grep -q '^talc ' /proc/modules; echo $?) \
		"after rmmod: no talc module, no debugfs directory"
else
	fail "insmod talc.ko (DKMS build) heaps=dkms:256K:1M"
fi
exit 0
