#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run-kernel.sh RESULTS_DIR - talc_bench.ko (make bench-kernel).
#
# 1. UML (kernel code runs natively on the CPU): a UML kernel built once in
#    $TALC_CACHE/build-bench from the linux-source-6.1 tree that
#    scripts/kunit.sh extracts (extracted here if missing), configured and
#    built by scripts/uml-kernel.sh: a small config completed by
#    olddefconfig; SLUB as Debian; SRAM only to get the hidden
#    GENERIC_ALLOCATOR (gen_pool) built in; modules on.  First build about
#    3 CPU-minutes.  talc.ko and talc_bench.ko are built
#    against it (scripts/kmod-build.sh ARCH=um TALC_TEST_MODULES=1) and
#    loaded by an init script from a read-only hostfs root.
# 2. QEMU (TCG, emulated: numbers marked "emulated"), Debian's 6.1 kernel,
#    2 vCPUs, shorter parameters; skipped with BENCH_QEMU=0.  Two boots:
#    every workload with the kernel's default (Debian: init_on_alloc=1,
#    kmalloc zeroes every allocation), then the SMP workload alone with
#    init_on_alloc=0 on the kernel command line.
# Writes RESULTS_DIR/kernel-{random,micro,heapeff,regions,smp}.csv (platform
# column uml or qemu-tcg-emulated) and kernel-*.log.  kernel-smp.csv is the
# SMP case (run_mask bit 16, in the default mask): one kthread bound per
# CPU on one shared talc heap or kmalloc, with 1 thread and with one per
# CPU (UML is uniprocessor: 1-thread rows only); its init_on_alloc column
# is what the guest kernel reported.  kernel-regions.csv is
# the region-scale case (talc_bench run_mask bit 8, in the default mask): a
# heap created at 64 KiB grown to thousands of 64 KiB regions against one
# created at full size, same live set; its verdict is judged on the UML
# rows.  kernel-random-ops.csv (UML only, a third boot with op_split=1):
# the random actions' ops by kind, their cycles and realloc moves, for
# talc, kmalloc and none.  kernel-{random,micro}-boots.csv (UML only):
# random actions and the microbench of talc, kmalloc and none again in
# BENCH_UML_BOOTS more boots (default 6, 2 with BENCH_QUICK): one boot's
# talc / kmalloc moves with where UML's memory lands, so issue 9's UML
# lines are judged on the median over boots.  Environment: TALC_CACHE,
# BENCH_KPARAMS (extra talc_bench parameters for UML), BENCH_QUICK,
# BENCH_QEMU, BENCH_UML_BOOTS.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd -P)
out=${1:-$top/bench/results}
cache=${TALC_CACHE:-/var/cache/talc}
kb=$cache/build-bench
kmod_out=$top/build/bench/kmod-uml
mkdir -p "$out" "$cache"

die() { echo "run-kernel.sh: $*" >&2; exit 1; }

uml_params="trials=3 duration_ms=200 micro_steps=200000 he_rounds=10 smp_trials=3 smp_ms=200"
qemu_params="trials=1 duration_ms=200 micro_steps=20000 he_rounds=2 smp_trials=5 smp_ms=200"
uml_boots=${BENCH_UML_BOOTS:-6}
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	uml_boots=${BENCH_UML_BOOTS:-2}
	uml_params="trials=1 duration_ms=50 micro_steps=20000 he_rounds=2 smp_trials=1 smp_ms=50"
	qemu_params="trials=1 duration_ms=50 micro_steps=5000 he_rounds=1 allocs=59 smp_trials=1 smp_ms=50"
fi
uml_params="$uml_params ${BENCH_KPARAMS:-}"
rm -f "$out"/kernel-*.csv "$out"/machine-kernel.txt	# no stale rows on failure

"$top/scripts/deps.sh" kunit kmod || die "cannot install dependencies"

# --- the UML bench kernel (scripts/uml-kernel.sh) ---
# shellcheck source=scripts/uml-kernel.sh
. "$top/scripts/uml-kernel.sh"
uml_kernel "$kb" "$out/kernel-uml-build.log" || die "UML kernel failed"
ksrc=$bsrc

echo "run-kernel.sh: building talc.ko and talc_bench.ko for UML"
"$top/scripts/kmod-build.sh" "$kb" "$kmod_out" ARCH=um TALC_TEST_MODULES=1 \
	> "$out/kernel-uml-modules.log" 2>&1 ||
	{ tail -20 "$out/kernel-uml-modules.log"; die "module build for UML failed"; }

# --- run under UML ---
init=$top/build/bench/uml-init.sh
cat > "$init" <<EOF
#!/bin/sh
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
echo TALC-BENCH-START
insmod $kmod_out/talc.ko && insmod $kmod_out/talc_bench.ko $uml_params
echo TALC-BENCH-END rc=\$?
exec /bin/busybox poweroff -f
EOF
chmod +x "$init"

# uml_run WHAT INIT LOG BAD [KERNEL_ARGS...] - one UML boot of the bench:
# it must end its init script and print no kernel warning nor a line
# matching the regex BAD
uml_run() {
	local what=$1 init=$2 log=$3 bad=$4

	shift 4
	echo "run-kernel.sh: running talc_bench.ko under UML ($what)"
	uml_boot 900 "$kb" "$init" "$log" "$@"
	grep -aq 'TALC-BENCH-END rc=0' "$log" ||
		{ tail -30 "$log"; die "UML run failed ($what; log: $log)"; }
	if sed -n '/TALC-BENCH-START/,$p' "$log" |
		grep -aE "BUG:|Oops|Call Trace|kernel BUG|WARNING:|$bad"; then
		die "kernel warnings during the UML run ($what; log: $log)"
	fi
}
log=$out/kernel-uml.log
uml_run "$uml_params" "$init" "$log" \
	'talc_bench: (talc heap|regions:|smp: .*(failed|threads started))'

# csv PLATFORM LOG [KINDS [BOOT]] - append the module's CSV lines of KINDS
# (default: every workload but random-ops) to the kernel-KIND.csv files;
# with BOOT, to kernel-KIND-boots.csv, with the boot's number after the
# platform
csv() {
	local plat=$1 f=$2 kinds=${3:-random micro heapeff regions smp} boot=${4:-} k name
	for k in $kinds; do
		name=kernel-$k${boot:+-boots}
		grep -ao "talc_bench: csv,kernel-$k,.*" "$f" |
			sed "s/^talc_bench: csv,kernel-$k,/$name,$plat,${boot:+$boot,}/" |
			tr -d '\r' >> "$out/$name.csv"
	done
}

# uml_init FILE PARAMS - an init script as $init, with PARAMS after the
# bench's parameters
uml_init() {
	sed 's/talc_bench.ko .*/talc_bench.ko '"$uml_params $2"'/' "$init" > "$1"
	chmod +x "$1"
}
echo "kind,platform,allocator,max_size,trial,ops,duration_ms" > "$out/kernel-random.csv"
echo "kind,platform,allocator,op,samples,p1,p25,p50,p75,p99" > "$out/kernel-micro.csv"
echo "kind,platform,allocator,round,live_bytes,capacity_bytes,percent,steps" > "$out/kernel-heapeff.csv"
echo "kind,platform,heap,trial,ops,ns,cycles,regions,regions_after,claimed_bytes,blocks,block,heap_size,max_size" \
	> "$out/kernel-regions.csv"
echo "kind,platform,allocator,size_lo,size_hi,threads,trial,ops,ops_per_s,ns,slots,init_on_alloc" \
	> "$out/kernel-smp.csv"
echo "kind,platform,allocator,max_size,trial,op,count,cycles,moves,moved_bytes" \
	> "$out/kernel-random-ops.csv"
csv uml "$log"

# A second UML boot with init_on_alloc=1 (Debian's default): kmalloc
# zeroes every allocation, and talc's heaps follow the kernel's setting
# (their memory-init policy), so random actions and the microbench are
# measured under both settings.  Platform "uml-init1" in the CSVs.
init1=$top/build/bench/uml-init1.sh
uml_init "$init1" run_mask=3
log1=$out/kernel-uml-init1.log
uml_run "init_on_alloc=1: random actions, microbench" "$init1" "$log1" \
	'talc_bench: talc heap' init_on_alloc=1
csv uml-init1 "$log1"

# A third UML boot: random actions with each op timed and counted by kind
# (op_split=1) for talc, kmalloc and none (the timer and the harness's
# call), to show where each allocator's time goes.  The timer perturbs the
# ops counts, so only kernel-random-ops.csv is kept from it.
init2=$top/build/bench/uml-ops.sh
uml_init "$init2" "run_mask=1 allocs=41 op_split=1"
log2=$out/kernel-uml-ops.log
uml_run "op_split=1: random actions by op" "$init2" "$log2" 'talc_bench: talc heap'
csv uml "$log2" random-ops

# More boots of random actions and the microbench alone (talc, kmalloc,
# none), numbered.
init3=$top/build/bench/uml-boots.sh
uml_init "$init3" "run_mask=3 allocs=41"
echo "kind,platform,boot,allocator,max_size,trial,ops,duration_ms" > "$out/kernel-random-boots.csv"
echo "kind,platform,boot,allocator,op,samples,p1,p25,p50,p75,p99" > "$out/kernel-micro-boots.csv"
for b in $(seq 1 "$uml_boots"); do
	logb=$out/kernel-uml-boot$b.log
	uml_run "random actions and microbench, boot $b of $uml_boots" "$init3" "$logb" \
		'talc_bench: talc heap'
	csv uml "$logb" "random micro" "$b"
done
{
	echo "uml: $ksrc_name $(make -s -C "$ksrc" kernelversion 2>/dev/null), ARCH=um, SLUB, PREEMPT_NONE, UP"
	echo "uml params: $uml_params"
	echo "uml-init1: the same kernel booted with init_on_alloc=1; params: $uml_params run_mask=3"
	echo "uml (kernel-random-ops.csv): a third boot; params: $uml_params run_mask=1 allocs=41 op_split=1"
	echo "uml (kernel-{random,micro}-boots.csv): $uml_boots more boots; params: $uml_params run_mask=3 allocs=41"
} > "$out/machine-kernel.txt"
echo "run-kernel.sh: UML done: $(grep -c . "$out/kernel-random.csv") random rows"

# --- QEMU (emulated) ---
if [ "${BENCH_QEMU:-1}" = 1 ] && [ -x "$top/scripts/vm/run-vm" ] && command -v qemu-system-x86_64 >/dev/null; then
	kver=$("$top/scripts/kvers.sh" | grep '^6\.1\.' | head -n 1)
	if [ -n "$kver" ] && make --no-print-directory -C "$top" modules KVER="$kver" \
		TALC_TEST_MODULES=1 > "$out/kernel-qemu-build.log" 2>&1; then
		d=$top/build/bench/qemu
		mkdir -p "$d"
		cat > "$d/guest.sh" <<EOF
#!/bin/sh
insmod /lib/modules/talc.ko && insmod /lib/modules/talc_bench.ko $qemu_params
EOF
		# the second boot: the SMP workload alone, kmalloc not zeroing
		# shellcheck disable=SC2086 # split into one parameter per line
		smp_params=$(printf '%s\n' $qemu_params | grep '^smp_' | tr '\n' ' ')
		cat > "$d/guest-smp.sh" <<EOF
#!/bin/sh
insmod /lib/modules/talc.ko && insmod /lib/modules/talc_bench.ko run_mask=16 $smp_params
EOF
		"$top/scripts/vm/mkinitramfs" "$d/bench.cpio.gz" "$d/guest.sh" \
			"$top/build/kmod/$kver/talc.ko" "$top/build/kmod/$kver/talc_bench.ko" &&
		"$top/scripts/vm/mkinitramfs" "$d/bench-smp.cpio.gz" "$d/guest-smp.sh" \
			"$top/build/kmod/$kver/talc.ko" "$top/build/kmod/$kver/talc_bench.ko" ||
			die "cannot make the initramfs"
		echo "qemu: Debian $kver, TCG (emulated), 2 vCPUs; params: $qemu_params" >> "$out/machine-kernel.txt"
		# vm LOG INITRD LABEL [KERNEL_ARGS...] - one boot, judged, its rows kept
		vm() {
			local log=$1 rd=$2 label=$3
			shift 3
			echo "run-kernel.sh: running talc_bench.ko in QEMU/TCG on $kver ($label; emulated)"
			echo "qemu $label: host load before: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/machine-kernel.txt"
			"$top/scripts/vm/run-vm" -t 400 "/boot/vmlinuz-$kver" "$rd" "$log" "$@"
			echo "qemu $label: host load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/machine-kernel.txt"
			"$top/scripts/vm/scan-log" "$log" &&
				! grep -aE 'talc_bench: (talc heap|regions:|smp: .*(failed|threads started))' "$log" ||
				die "QEMU run not clean (log: $log)"
			csv qemu-tcg-emulated "$log"
		}
		vm "$out/kernel-qemu.log" "$d/bench.cpio.gz" "all workloads, the kernel's default init_on_alloc"
		vm "$out/kernel-qemu-smp.log" "$d/bench-smp.cpio.gz" "SMP only, init_on_alloc=0" init_on_alloc=0
	else
		echo "run-kernel.sh: QEMU part skipped (no 6.1 kernel or module build failed)"
	fi
fi
echo "bench-kernel: results in $out"
