# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# uml-kernel.sh - UML kernels with modules, and their guests' init scripts
# (sourced by tools/bench/run-{kernel,trace,hardened,ab}.sh and the UML test
# scripts under scripts/).  Needs: top, cache.
#
# uml_kernel KB LOG [CONFIG_LINE...] - configure (once per config) and build
# a UML kernel in KB from Debian's linux-source-6.1, as scripts/kunit.sh
# extracts it to $cache/linux-source-6.1, through a private unhooked view of
# that tree ($cache/linux-bench-src).  Config: a small one completed by
# olddefconfig (as kunit.py does): modules, hostfs root, console on stdout,
# SLUB as Debian, and SRAM (with PCI-over-virtio for HAS_IOMEM) only to get
# the hidden GENERIC_ALLOCATOR (gen_pool) built in, and task stacks outside
# vmalloc space (below); CONFIG_LINEs are added.  First build about 3
# CPU-minutes.  Sets bsrc (the tree view).
#
# VMAP_STACK is off because UML does not meet what it asks of an
# architecture (stacks in vmalloc space must work while their mappings are
# made on demand): UML maps vmalloc pages into the host process lazily (a
# kernel fault there is fixed up by flush_tlb_kernel_vm(), and a kernel
# range flush unmaps and maps its new pages again), while its signal entry,
# to_irq_stack(), copies the interrupted task's thread_info from the base of
# that task's stack before any fault can be handled.  When that page is not
# mapped in the host at that moment, the host raises SIGSEGV on the same
# instruction forever.  Seen once (2026-11-30): a faults-test guest, whose
# heap grows and releases regions all the time, spun at 100 % CPU until its
# timeout, every fault at to_irq_stack() on a torture thread's stack base.
# shellcheck source=scripts/ksrc.sh
. "$top/scripts/ksrc.sh"

uml_kernel() {
	local kb=$1 blog=$2 ksrc=$cache/$ksrc_name want_stamp f
	local tarball=$ksrc_tarball
	shift 2
	local cfg_stamp="talc-bench-config-v4${*:+ $*}"

	"$top/scripts/deps.sh" kunit kmod || { echo "uml_kernel: cannot install dependencies" >&2; return 1; }
	# the tree, shared with scripts/kunit.sh (same place, same stamp); its
	# lock (kunit.sh holds it for whole runs) only when it must be made
	[ -f "$tarball" ] || { echo "uml_kernel: $tarball missing" >&2; return 1; }
	want_stamp=$(ksrc_stamp "$tarball")
	if ! ksrc_ok "$tarball" "$ksrc"; then
		mkdir -p "$cache" && exec 9>"$cache/lock" && flock 9 ||
			{ echo "uml_kernel: cannot lock $cache/lock" >&2; return 1; }
		ksrc_ok "$tarball" "$ksrc" || ksrc_extract "$tarball" "$cache" ||
			{ echo "uml_kernel: extraction failed" >&2; return 1; }
		flock -u 9
	fi

	# A private, unhooked view of the tree (hard links, made once):
	# scripts/kunit.sh hooks lib/talc -> whichever checkout ran it last, and
	# a stale hook breaks every build of that tree; the bench kernels need
	# none of it, so they build from a hard-linked copy whose lib/Makefile
	# and lib/Kconfig are private files without the hook lines.
	bsrc=$cache/linux-bench-src
	if [ ! -f "$bsrc/.talc-bench-src" ] || [ "$(cat "$bsrc/.talc-bench-src")" != "$want_stamp" ]; then
		echo "uml_kernel: making the unhooked tree view $bsrc"
		rm -rf "$bsrc" "$kb"
		cp -al "$ksrc" "$bsrc" || { echo "uml_kernel: cp -al failed" >&2; return 1; }
		rm -f "$bsrc/lib/talc" "$bsrc/.talc-extracted"
		for f in Makefile Kconfig; do
			# a new file (breaks the hard link), the hook's lines dropped
			grep -vxF -e 'obj-y += talc/' -e 'source "lib/talc/kunit/Kconfig"' \
				"$ksrc/lib/$f" > "$bsrc/lib/$f.new" &&
			mv "$bsrc/lib/$f.new" "$bsrc/lib/$f" ||
				{ echo "uml_kernel: cannot unhook lib/$f" >&2; return 1; }
		done
		echo "$want_stamp" > "$bsrc/.talc-bench-src"
	fi

	if [ ! -f "$kb/.talc-bench" ] || [ "$(cat "$kb/.talc-bench")" != "$cfg_stamp" ]; then
		echo "uml_kernel: configuring the UML bench kernel in $kb"
		rm -rf "$kb"
		mkdir -p "$kb"
		cat > "$kb/.config" <<-EOF
		CONFIG_MODULES=y
		CONFIG_MODULE_UNLOAD=y
		CONFIG_HOSTFS=y
		CONFIG_BINFMT_ELF=y
		CONFIG_PROC_FS=y
		CONFIG_SYSFS=y
		CONFIG_TTY=y
		CONFIG_PRINTK=y
		CONFIG_STDERR_CONSOLE=y
		CONFIG_SSL=y
		CONFIG_NULL_CHAN=y
		CONFIG_PORT_CHAN=y
		CONFIG_PTY_CHAN=y
		CONFIG_TTY_CHAN=y
		CONFIG_XTERM_CHAN=y
		CONFIG_CON_ZERO_CHAN="fd:0,fd:1"
		CONFIG_CON_CHAN="xterm"
		CONFIG_SSL_CHAN="pty"
		CONFIG_UNIX98_PTYS=y
		CONFIG_MULTIUSER=y
		CONFIG_SHMEM=y
		CONFIG_TMPFS=y
		CONFIG_DEVTMPFS=y
		CONFIG_SLUB=y
		CONFIG_DEBUG_FS=y
		CONFIG_VIRTIO_UML=y
		CONFIG_UML_PCI_OVER_VIRTIO=y
		CONFIG_SRAM=y
		# CONFIG_VMAP_STACK is not set
		EOF
		[ $# -gt 0 ] && printf '%s\n' "$@" >> "$kb/.config"
		make -s -C "$bsrc" ARCH=um O="$kb" olddefconfig >/dev/null ||
			{ echo "uml_kernel: olddefconfig failed" >&2; return 1; }
		grep -q '^CONFIG_GENERIC_ALLOCATOR=y' "$kb/.config" ||
			{ echo "uml_kernel: CONFIG_GENERIC_ALLOCATOR not set in $kb/.config" >&2; return 1; }
		for f in '# CONFIG_VMAP_STACK is not set' "$@"; do
			grep -qxF "$f" "$kb/.config" ||
				{ echo "uml_kernel: $f did not stick in $kb/.config" >&2; return 1; }
		done
		echo "$cfg_stamp" > "$kb/.talc-bench"
	fi
	echo "uml_kernel: building the UML bench kernel in $kb (first time: several minutes)"
	nice make -s -C "$bsrc" ARCH=um O="$kb" -j"$(nproc)" > "$blog" 2>&1 ||
		{ tail -20 "$blog"; echo "uml_kernel: UML kernel build failed (log: $blog)" >&2; return 1; }
}

# The debug UML kernel of the check suites kmemleak-test and faults-test:
# one build for both ($cache/build-uml-debug).  kmemleak without its scan
# thread (the tests scan), frame pointers (UML saves no stack trace without
# them), and the kernel's fault injection with its debugfs knobs (failslab,
# fail_page_alloc, /proc/PID/make-it-fail).
uml_debug_config=(
	CONFIG_DEBUG_KERNEL=y
	CONFIG_DEBUG_KMEMLEAK=y
	"# CONFIG_DEBUG_KMEMLEAK_AUTO_SCAN is not set"
	CONFIG_FRAME_POINTER=y
	CONFIG_FAULT_INJECTION=y
	CONFIG_FAILSLAB=y
	CONFIG_FAIL_PAGE_ALLOC=y
	CONFIG_FAULT_INJECTION_DEBUG_FS=y
)

# uml_debug_modules OUT - for kmemleak-test and faults-test: the debug UML
# kernel, then talc.ko and the test modules built against it in OUT/kmod.
# Two PASS lines, or a FAIL and the closing line (exits).  Needs tally.sh.
uml_debug_modules() {
	local o=$1 rel=${1#"$top"/} kb=$cache/build-uml-debug

	mkdir -p "$o"
	uml_kernel "$kb" "$o/kernel-build.log" "${uml_debug_config[@]}" ||
		{ ok 1 "debug UML kernel built" "log: $rel/kernel-build.log"; result; }
	ok 0 "debug UML kernel built ($kb: kmemleak, fault injection)"
	"$top/scripts/kmod-build.sh" "$kb" "$o/kmod" ARCH=um TALC_TEST_MODULES=1 \
		> "$o/modules.log" 2>&1 || {
		tail -20 "$o/modules.log"
		ok 1 "talc.ko and the test modules built for it" "log: $rel/modules.log"
		result
	}
	ok 0 "talc.ko and the test modules built for it"
}

# uml_guest_ran PREFIX LOG STEP... - PASS/FAIL lines (tally.sh): the guest
# printed PREFIX-END, and "PREFIX-STEP STEP ok" for each STEP.
uml_guest_ran() {
	local pre=$1 log=$2 s

	shift 2
	grep -q "^$pre-END" "$log"
	ok $? "the UML guest ran to its end" "log: ${log#"$top"/}"
	for s in "$@"; do
		grep -q "^$pre-STEP $s ok" "$log"
		ok $? "guest step $s"
	done
}

# uml_boot SECS KB INIT LOG [KERNEL_ARGS...] - boot the UML kernel KB/linux
# (1 GiB) with INIT as init from a read-only hostfs root (the host's /),
# its console to LOG; SECS at most.
uml_boot() {
	local secs=$1 kb=$2 init=$3 log=$4

	shift 4
	mkdir -p "$cache/uml"
	timeout "$secs" "$kb/linux" mem=1G uml_dir="$cache/uml" root=/dev/root \
		rootfstype=hostfs rootflags=/ ro init="$init" console=tty "$@" \
		</dev/null > "$log" 2>&1
}

# uml_init_sh FILE - write FILE, an executable init for a UML guest: the
# lines every guest needs (PATH; proc and sysfs mounted), the guest's own
# lines read from stdin, then poweroff.
uml_init_sh() {
	{
		printf '#!/bin/sh\nexport PATH=/usr/sbin:/usr/bin:/sbin:/bin\n'
		printf 'mount -t proc proc /proc\nmount -t sysfs sysfs /sys\n'
		cat
		printf 'exec /bin/busybox poweroff -f\n'
	} > "$1" && chmod +x "$1"
}

# abba_order ROUNDS V1 V2 - the order of ROUNDS ABBA pairs of the variants
# V1 and V2 (V1 V2 V2 V1 V1 V2 ...), on one line.
abba_order() {
	local r

	for r in $(seq 1 "$1"); do
		if [ $((r % 2)) -eq 1 ]; then printf ' %s %s' "$2" "$3"; else printf ' %s %s' "$3" "$2"; fi
	done
	echo
}

# abba_loop TAG ORDER [FIRST] - the guest's shell lines of an ABBA
# benchmark (make bench-trace, bench-hardened, bench-ab): TAG-BENCH-START,
# the line FIRST, then for each v of ORDER, with slot counting from 1, the
# lines read from stdin, then TAG-BENCH-DONE.  A line that fails exits the
# guest before DONE.
abba_loop() {
	# shellcheck disable=SC2016 # $((...)) is the guest's
	printf 'echo "%s-BENCH-START"\n%s\nslot=0\nfor v in %s; do\n\tslot=$((slot + 1))\n' \
		"$1" "${3:-}" "$2"
	sed 's/^/\t/'
	printf 'done\necho "%s-BENCH-DONE"\n' "$1"
}

# abba_csv LOG PLATFORM V1 NAME1 V2 NAME2 - the CSV rows
# platform,variant,slot,workload,allocator,value of an ABBA guest's console
# LOG: each "talc-*: slot N variant V" line starts a load of variant V,
# named NAME1 or NAME2 in the rows; its random actions give rows random-MAX
# (ops per run), its microbench rows micro-OP-p50 (cycles, the timer's
# left out).  Returns 1 when NAME1 or NAME2 has no row.
abba_csv() {
	sed 's/\r//g' "$1" | awk -v plat="$2" -v v1="$3" -v n1="$4" -v v2="$5" -v n2="$6" '
		/talc-[a-z]*: slot [0-9]* variant / {
			n = split($0, f, " ")
			for (i = 1; i < n; i++) {
				if (f[i] == "slot")
					slot = f[i + 1]
				if (f[i] == "variant")
					v = f[i + 1] == v1 ? n1 : f[i + 1] == v2 ? n2 : f[i + 1]
			}
		}
		/talc_bench: csv,kernel-random,/ {
			# csv,kernel-random,alloc,max_size,trial,ops,duration_ms
			split(substr($0, index($0, "csv,")), c, ",")
			print plat "," v "," slot ",random-" c[4] "," c[3] "," c[6]
			rows[v]++
		}
		/talc_bench: csv,kernel-micro,/ {
			# csv,kernel-micro,alloc,op,samples,p1,p25,p50,p75,p99
			split(substr($0, index($0, "csv,")), c, ",")
			if (c[4] != "timer") {
				print plat "," v "," slot ",micro-" c[4] "-p50," c[3] "," c[8]
				rows[v]++
			}
		}
		END { exit !(rows[n1] && rows[n2]) }'
}

# abba_log_ok LOG TAG - the console LOG of a guest that ran an ABBA
# benchmark (make bench-trace, bench-hardened, bench-ab): it printed
# TAG-BENCH-DONE, and nothing after TAG-BENCH-START looks like a kernel
# warning.  If not, says why on stderr (the log's tail, or the warnings)
# and returns 1.
abba_log_ok() {
	local log=$1 tag=$2

	if ! grep -aq "^$tag-BENCH-DONE" "$log"; then
		tail -30 "$log" >&2
		echo "the guest did not finish (log: $log)" >&2
		return 1
	fi
	if sed -n "/^$tag-BENCH-START/,\$p" "$log" |
		grep -aE 'BUG:|Oops|Call Trace|WARNING:|talc_bench: talc heap' >&2; then
		echo "kernel warnings (log: $log)" >&2
		return 1
	fi
}

# uml_debug_run OUT [KERNEL_ARGS...] - boot the debug UML kernel with
# OUT/init.sh as init: the lines every guest needs (PATH; proc, sysfs and
# debugfs mounted), the guest's own lines read from stdin, then poweroff.
# The console goes to OUT/uml.log, carriage returns stripped; 10 min at most.
uml_debug_run() {
	local o=$1

	shift
	{
		printf 'mount -t debugfs debugfs /sys/kernel/debug\n'
		cat
	} | uml_init_sh "$o/init.sh"
	uml_boot 600 "$cache/build-uml-debug" "$o/init.sh" "$o/uml.log" "$@"
	sed -i 's/\r//g' "$o/uml.log"
}
