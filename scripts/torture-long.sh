#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# torture-long.sh - a long randomized run of a heap through its exported
# API, per-CPU caches included (make torture-long; not part of make check:
# minutes, not seconds).  The libFuzzer target (make fuzz) drives the core
# alone; the per-CPU caches and the heap layer are kernel code, so this
# runs them in the kernel: the debug UML kernel of scripts/uml-kernel.sh
# (kernel code natively on the CPU), talc.ko with a hardened heap
# (heaps=tl:256K:64M:hardened, grow_step 64 KiB, so that it grows and
# reclaims), and talc_torture.ko with a fixed seed: TORTURE_THREADS
# threads of TORTURE_OPS operations in all (default 2 x 5e7 = 1e8),
# blocks up to 16 KiB (the caches take up to 8 KiB, the core the rest),
# 256 live blocks per thread, a hardirq-context user every millisecond.
# Every block's header and fill are verified before it is freed or
# reallocated.  Then: the torture's error count, the heap's stats (no bad
# free, no corrupt link, no corrupt cache chunk), its full check, no
# allocation left after the torture, and no warning in the log.
# Environment: TORTURE_OPS, TORTURE_THREADS, TORTURE_SEED (default
# 20261130).  Logs: build/torture-long/.  Ends "N passed, M failed".
set -u
top=$(cd "$(dirname "$0")/.." && pwd -P)
cache=${TALC_CACHE:-/var/cache/talc}
# shellcheck source=scripts/tally.sh
. "$top/scripts/tally.sh"
# shellcheck source=scripts/uml-kernel.sh
. "$top/scripts/uml-kernel.sh"
out=$top/build/torture-long
ops=${TORTURE_OPS:-100000000}
threads=${TORTURE_THREADS:-2}
seed=${TORTURE_SEED:-20261130}
uml_debug_modules "$out"
mod=$out/kmod

{
	printf '#!/bin/sh\nexport PATH=/usr/sbin:/usr/bin:/sbin:/bin\n'
	printf 'mount -t proc proc /proc\nmount -t sysfs sysfs /sys\n'
	printf 'mount -t debugfs debugfs /sys/kernel/debug\n'
	cat <<-EOF
	D=/sys/kernel/debug/talc
	echo TL-START
	insmod $mod/talc.ko heaps=tl:256K:64M:hardened && echo "TL-STEP insmod-talc ok"
	echo 65536 > \$D/tl/grow_step
	t0=\$(cut -d' ' -f1 /proc/uptime)
	insmod $mod/talc_torture.ko heap=tl threads=$threads ops=$((ops / threads)) \
		max_size=16384 slots=256 seed=$seed irq_us=1000 && echo "TL-STEP torture ok"
	echo "TL-TIME \$t0 \$(cut -d' ' -f1 /proc/uptime)"
	rmmod talc_torture
	echo "TL-STATS-BEGIN"
	cat \$D/tl/stats
	echo "TL-STATS-END"
	echo "TL-CACHE-BEGIN"
	cat \$D/tl/cache
	echo "TL-CACHE-END"
	echo "TL-CHECK \$(cat \$D/tl/check)"
	rmmod talc && echo "TL-STEP rmmod-talc ok"
	echo TL-END
	EOF
	printf 'exec /bin/busybox poweroff -f\n'
} > "$out/init.sh"
chmod +x "$out/init.sh"
echo "torture-long: $threads threads, $ops operations, seed $seed; host load $(cut -d' ' -f1-3 /proc/loadavg)"
uml_boot 7200 "$cache/build-uml-debug" "$out/init.sh" "$out/uml.log" kmemleak=off
sed -i 's/\r//g' "$out/uml.log"
log=$out/uml.log

uml_guest_ran TL "$log" insmod-talc torture rmmod-talc
summary=$(grep -a 'talc_torture: heap=tl ' "$log" | tail -n 1)
echo "  $summary"
errs=$(echo "$summary" | sed -n 's/.*errors=\([0-9]*\).*/\1/p')
[ "${errs:-1}" = 0 ]
ok $? "the torture found no error" "$summary"
st() { sed -n "/^TL-STATS-BEGIN/,/^TL-STATS-END/s/^$1: *//p" "$log"; }
for k in bad_frees poison_errors link_errors allocation_count \
	cache_corrupt cache_double_frees; do
	v=$(st $k)
	[ "$v" = 0 ]
	ok $? "stats: $k is 0" "$k=${v:-missing}"
done
[ "$(st hardened)" = 1 ]
ok $? "the heap was hardened"
grep -q '^TL-CHECK ok' "$log"
ok $? "the heap checks ok" "$(grep '^TL-CHECK' "$log")"
t=$(sed -n 's/^TL-TIME //p' "$log")
echo "  time in the guest: $(echo "$t" | awk '{printf "%.1f s", $2 - $1}'); grows $(st grows), reclaims $(st reclaims), regions at the end $(st region_count)"
# the virt-pci WARNING comes with every UML boot, before any of talc
splat=$(sed -n '/^TL-START/,$p' "$log" |
	grep -aE 'BUG:|WARNING:|Oops|Call Trace|UBSAN|talc_torture: heap [^ ]* (thread|[0-9]+ block)' |
	head -n 3)
[ -z "$splat" ]
ok $? "no warning in the log" "$splat"
result
