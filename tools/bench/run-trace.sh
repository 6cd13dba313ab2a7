#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run-trace.sh RESULTS_DIR - what talc's tracepoints cost while disabled
# (make bench-trace).
#
# Two builds of talc.ko (and of talc_bench.ko against each: -DNOTRACE
# changes the modversions CRCs, not a line of talc_bench.c's code), from
# the same sources:
#   trace    the product build, six tracepoints;
#   notrace  the same with -DNOTRACE, which <linux/tracepoint.h> offers for
#            exactly this: every trace_talc_*() becomes an empty inline and
#            no tracepoint is defined (checked with nm below).
# Each platform boots once and loads them in turn, in ABBA order over
# ROUNDS pairs so that a linear drift of the host hits both alike: insmod
# talc-<variant>.ko, talc_bench.ko's random actions and microbench for talc
# (with its per-CPU caches) and kmalloc, rmmod both.  kmalloc is the same
# code under both variants: its ratio is the run's noise floor.
#   uml   natively on the CPU: a second UML bench kernel, as make
#         bench-kernel's plus FTRACE (so TRACEPOINTS); UML has no jump
#         labels, so a disabled tracepoint is a load and a branch there,
#         more than the 5-byte NOP of an x86 kernel: the worst case.
#   qemu  Debian's 6.1 kernel (jump labels: the real case), TCG, emulated
#         timings and a noise of several percent; skipped with BENCH_QEMU=0.
# The guest also checks that events/talc shows in tracefs with the trace
# build only.  Writes RESULTS_DIR/tracecost.csv, tracecost-*.log and
# summary-tracecost.md: per platform, workload and allocator, the trace
# build's throughput over the notrace build's (1.0 = no cost; micro: 1/p50
# cycles).  Environment: TALC_CACHE, BENCH_TRACE_ROUNDS (pairs, default 6),
# BENCH_QUICK=1, BENCH_QEMU.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd -P)
out=${1:-$top/bench/results}
cache=${TALC_CACHE:-/var/cache/talc}
rounds=${BENCH_TRACE_ROUNDS:-6}
uml_params="trials=1 duration_ms=300 micro_steps=100000 run_mask=3 allocs=9"
qemu_params="trials=1 duration_ms=300 micro_steps=20000 run_mask=3 allocs=9"
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	rounds=1
	uml_params="trials=1 duration_ms=50 micro_steps=5000 run_mask=3 allocs=9"
	qemu_params=$uml_params
fi
d=$top/build/bench/trace
mkdir -p "$out" "$d" "$cache"
rm -f "$out"/tracecost* "$out/summary-tracecost.md"

die() { echo "run-trace.sh: $*" >&2; exit 1; }

# shellcheck source=scripts/uml-kernel.sh
. "$top/scripts/uml-kernel.sh"

# ABBA: trace notrace notrace trace trace notrace ...
order=$(abba_order "$rounds" trace notrace)

# builds KDIR OUTDIR [kbuild args] - talc.ko + talc_bench.ko, twice, into
# OUTDIR/{trace,notrace}; checks that only the trace build has tracepoints
builds() {
	local kdir=$1 o=$2 nt nn
	shift 2
	"$top/scripts/kmod-build.sh" "$kdir" "$o/trace" TALC_TEST_MODULES=1 "$@" \
		> "$o.build.log" 2>&1 &&
	"$top/scripts/kmod-build.sh" "$kdir" "$o/notrace" TALC_TEST_MODULES=1 "$@" \
		KCFLAGS=-DNOTRACE >> "$o.build.log" 2>&1 ||
		{ tail -20 "$o.build.log"; die "module build failed (log: $o.build.log)"; }
	nt=$(nm "$o/trace/talc.ko" | grep -c ' __tracepoint_talc_')
	nn=$(nm "$o/notrace/talc.ko" | grep -c ' __tracepoint_talc_')
	echo "run-trace.sh: tracepoints defined in $o: trace build $nt, notrace build $nn"
	[ "$nt" -ge 6 ] && [ "$nn" -eq 0 ] || die "the builds are not what they claim ($nt / $nn)"
}

# guest_loop MODDIR TRACEFS PARAMS - the guest's sh loop over $order
guest_loop() {
	echo "mount -t tracefs nodev $2 2>/dev/null"
	abba_loop TRACE "$order" <<-EOS
	echo "talc-trace: slot \$slot variant \$v" > /dev/kmsg
	insmod $1/\$v/talc.ko || { echo "FAIL: insmod \$v/talc.ko"; exit 1; }
	if [ -d $2/events/talc ]; then ev=present; else ev=absent; fi
	echo "TRACE-EVENTS \$v \$ev"
	insmod $1/\$v/talc_bench.ko $3 || { echo "FAIL: talc_bench"; exit 1; }
	rmmod talc_bench && rmmod talc || { echo "FAIL: rmmod"; exit 1; }
	EOS
}

# judge PLATFORM LOG - the guest finished, events as expected; CSV rows
# platform,variant,slot,workload,allocator,value from the kernel log
judge() {
	local plat=$1 log=$2
	abba_log_ok "$log" TRACE || die "$plat: the guest failed (above)"
	grep -aq '^TRACE-EVENTS trace present' "$log" &&
		! grep -aq '^TRACE-EVENTS notrace present' "$log" &&
		! grep -aq '^TRACE-EVENTS trace absent' "$log" ||
		die "$plat: events/talc in tracefs: expected with the trace build only (log: $log)"
	abba_csv "$log" "$plat" trace trace notrace notrace >> "$out/tracecost.csv" ||
		die "$plat: no rows for one of the variants (log: $log)"
}
echo "platform,variant,slot,workload,allocator,value" > "$out/tracecost.csv"

# --- UML: natively, no jump labels (the worst case) ---
kb=$cache/build-bench-trace
uml_kernel "$kb" "$out/tracecost-uml-build.log" CONFIG_FTRACE=y \
	CONFIG_ENABLE_DEFAULT_TRACERS=y CONFIG_TRACEPOINTS=y || die "UML kernel failed"
builds "$kb" "$d/uml" ARCH=um
guest_loop "$d/uml" /tmp/tracefs "$uml_params" | uml_init_sh "$d/uml-init.sh"
log=$out/tracecost-uml.log
echo "run-trace.sh: UML (native), $rounds ABBA rounds:$order; host load $(cut -d' ' -f1-3 /proc/loadavg)"
# tracefs needs a directory: /tmp of the read-only hostfs root is the host's
mkdir -p /tmp/tracefs
uml_boot 1800 "$kb" "$d/uml-init.sh" "$log"
judge uml "$log"
echo "uml: $ksrc_name + FTRACE (no jump labels), UP; params: $uml_params; order:$order" \
	> "$out/machine-tracecost.txt"

# --- QEMU: Debian's 6.1 kernel, jump labels, emulated ---
if [ "${BENCH_QEMU:-1}" = 1 ]; then
	"$top/scripts/deps.sh" kmod || die "cannot install dependencies"
	kver=$("$top/scripts/kvers.sh" | grep '^6\.1\.[0-9]*-[0-9]*-amd64$' | head -n 1)
	[ -n "$kver" ] || die "no Debian 6.1 kernel (scripts/kvers.sh)"
	builds "/lib/modules/$kver/build" "$d/qemu" W=1
	rm -rf "$d/rd" && mkdir -p "$d/rd"
	for v in trace notrace; do
		cp "$d/qemu/$v/talc.ko" "$d/rd/talc-$v.ko"
		cp "$d/qemu/$v/talc_bench.ko" "$d/rd/talc_bench-$v.ko"
	done
	# mkinitramfs puts every module flat in /lib/modules: per-variant names,
	# moved back into /lib/modules/<variant>/ by the guest
	{
		echo "#!/bin/sh"
		echo "for v in trace notrace; do mkdir -p /lib/modules/\$v;"
		echo "  mv /lib/modules/talc-\$v.ko /lib/modules/\$v/talc.ko;"
		echo "  mv /lib/modules/talc_bench-\$v.ko /lib/modules/\$v/talc_bench.ko; done"
		guest_loop /lib/modules /sys/kernel/tracing "$qemu_params"
	} > "$d/guest.sh"
	"$top/scripts/vm/mkinitramfs" "$d/trace.cpio.gz" "$d/guest.sh" "$d"/rd/*.ko ||
		die "cannot make the initramfs"
	log=$out/tracecost-qemu.log
	echo "run-trace.sh: QEMU/TCG on $kver (emulated), $rounds ABBA rounds; host load $(cut -d' ' -f1-3 /proc/loadavg)"
	"$top/scripts/vm/run-vm" -t 1200 "/boot/vmlinuz-$kver" "$d/trace.cpio.gz" "$log" init_on_alloc=0
	"$top/scripts/vm/scan-log" "$log" > "$d/scan.out" || { cat "$d/scan.out"; die "QEMU run not clean (log: $log)"; }
	judge qemu-tcg-emulated "$log"
	echo "qemu: Debian $kver, TCG (emulated), 2 vCPUs, init_on_alloc=0; params: $qemu_params" \
		>> "$out/machine-tracecost.txt"
fi

"$top/tools/bench/abba-summary.py" "$out/tracecost.csv" trace notrace \
	"disabled tracepoints" | tee "$out/summary-tracecost.md"
echo "bench-trace: results in $out/tracecost.csv, $out/summary-tracecost.md"
