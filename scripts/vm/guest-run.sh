#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# guest-run.sh - the `make run` scenario, run as /guest.sh inside the VM:
# talc.ko with two heaps from insmod parameters, real traffic from
# talc_torture, the live view (talctop, one table), the debugfs views, a
# heap created and destroyed through control, check, a clean unload.  Exit
# status non-zero if a step failed.
. /guest-lib.sh
rc=0

say() { echo; echo "guest# $*"; }
# run CMD... - show and run a command; a failure fails the run
run() {
	say "$*"
	"$@" || { echo "guest: FAILED (rc=$?): $*"; rc=1; }
}
# ctl TEXT - write a command into talc/control
ctl() {
	say "echo '$1' > $D/control"
	echo "$1" > $D/control || { echo "guest: FAILED: control '$1'"; rc=1; }
}
# checked HEAP - show HEAP/check, which must say ok
checked() {
	say "cat $D/$1/check"
	v=$(cat "$D/$1/check")
	echo "$v"
	[ "$v" = ok ] || { echo "guest: FAILED: $1/check"; rc=1; }
}

run insmod $M/talc.ko heaps=alpha:256K:8M,beta:64K:1M
run cat $D/heaps
mark torture
say "insmod $M/talc_torture.ko heap=alpha,beta threads=4 ops=0 duration=4 max_size=8192 &"
insmod $M/talc_torture.ko heap=alpha,beta threads=4 ops=0 duration=4 max_size=8192 &
pid=$!
sleep 2
echo "(talc_torture is running: the heaps under load)"
run talctop -o -d 1
run cat $D/heaps
say "cat $D/alpha/bins | head -n 16"
n=$(cat $D/alpha/bins | tee /tmp/bins | grep -vc '^#')
head -n 16 /tmp/bins
[ "$n" -gt 15 ] && echo "... ($((n - 15)) more non-empty bins)"
run cat $D/alpha/regions
say "wait for talc_torture"
wait $pid || { echo "guest: FAILED: talc_torture reported errors"; rc=1; }
since torture | grep 'talc_torture: ' | sed 's/^\[[ 0-9.]*\] //'
grep -q '^talc_torture ' /proc/modules && run rmmod talc_torture
echo "(talc_torture is done: every block was freed, extra regions reclaimed)"
run cat $D/heaps
run cat $D/alpha/stats
run cat $D/beta/bins
checked alpha
checked beta
ctl "create gamma 128K 1M"
run cat $D/heaps
ctl "destroy gamma"
run cat $D/heaps
run rmmod talc
say "ls $D"
if [ -e $D ]; then
	echo "guest: FAILED: $D left behind after rmmod"
	rc=1
else
	echo "(gone)"
fi
echo
echo "guest: talc messages in the kernel log:"
dmesg | grep -E 'talc(_torture)?: ' | sed 's/^\[[ 0-9.]*\] /  /'
echo
if [ $rc -eq 0 ]; then echo "guest: all steps succeeded"; else echo "guest: SOME STEPS FAILED"; fi
exit $rc
