# SPDX-License-Identifier: GPL-2.0
#
# guest-lib.sh - helpers sourced by the guest scripts (busybox sh, in the VM).
#
# Output protocol read by the host (scripts/vm/vmtest.sh):
#   "PASS: what"  /  "FAIL: what"   one line per assertion
# Kernel-log protocol read by scan-log (see there):
#   talc-vm: expect-warn begin N TAG ... talc-vm: expect-warn end TAG
#
# Note: when a module's init fails, busybox insmod tries again (finit_module,
# then init_module), so a failing init runs twice and logs twice.
D=/sys/kernel/debug/talc
M=/lib/modules
SEC=0

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; }

# ok COND_STATUS DESC [DETAIL] - PASS/FAIL from an exit status
ok() {
	if [ "$1" -eq 0 ]; then pass "$2"; else fail "$2${3:+ ($3)}"; fi
}

# check DESC CMD... - PASS if CMD succeeds; on failure show its output
check() {
	local d=$1
	shift
	if "$@" > /tmp/check.out 2>&1; then
		pass "$d"
	else
		fail "$d"
		sed 's/^/  | /' /tmp/check.out | head -n 20
	fi
}

# check_not DESC CMD... - PASS if CMD fails
check_not() {
	local d=$1
	shift
	if "$@" > /tmp/check.out 2>&1; then
		fail "$d (unexpectedly succeeded)"
		sed 's/^/  | /' /tmp/check.out | head -n 20
	else
		pass "$d"
	fi
}

# kmsg TEXT - write a line into the kernel log
kmsg() { echo "talc-vm: $*" > /dev/kmsg; }

# mark TAG, since TAG - kernel messages logged after "mark TAG"
mark() { kmsg "mark $1"; }
since() { dmesg | sed -n "/talc-vm: mark $1\$/,\$p" | sed 1d; }

# expect_warn N DESC CMD... - run CMD (output in /tmp/ew.out) inside an
# expected-warning section: exactly N WARNINGs from talc.ko must appear, which
# is asserted here (PASS/FAIL) and again by the host's scan-log.  Returns
# CMD's exit status.
expect_warn() {
	local n=$1 d=$2 r got tag
	shift 2
	SEC=$((SEC + 1))
	tag=w$SEC
	kmsg "expect-warn begin $n $tag"
	"$@" > /tmp/ew.out 2>&1
	r=$?
	got=$(dmesg | sed -n "/talc-vm: expect-warn begin $n $tag\$/,\$p" |
	      grep -c 'WARNING:.*\[talc\]')
	kmsg "expect-warn end $tag"
	if [ "$got" -eq "$n" ]; then
		pass "$d: $n talc warning(s)"
	else
		fail "$d: expected $n talc warning(s), saw $got"
	fi
	return $r
}

# vmtest_results TAG - turn the talc_vmtest module's "PASS x"/"FAIL x" kernel
# messages logged since "mark TAG" into assertion lines
vmtest_results() {
	since "$1" | sed -n 's/^.*talc_vmtest: \(PASS\|FAIL\) /\1: vmtest /p'
}

# talc_loaded - is talc.ko (or one of its consumers) loaded?
talc_loaded() { grep -q '^talc ' /proc/modules; }

# stat HEAP KEY - one value of $D/HEAP/stats ("key: value" lines)
stat() { sed -n "s/^$2: *//p" "$D/$1/stats"; }
