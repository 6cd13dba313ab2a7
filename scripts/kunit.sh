#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kunit.sh [VARIANT...] - run the talc KUnit suites with kunit.py under UML.
#
# Variants (default: all four):
#   default  kunit/.kunitconfig (core, checker, heap API, parser suites + UBSAN)
#   kasan    + kunit/kasan.kunitconfig   (KASAN reports fail the test)
#   lockdep  + kunit/lockdep.kunitconfig (PROVE_LOCKING, DEBUG_SPINLOCK,
#            PROVE_RAW_LOCK_NESTING: a spinlock_t, which sleeps on
#            PREEMPT_RT, taken under a raw_spinlock_t is reported; the
#            suites fail when debug_locks drops during a test).  UML has
#            no preemption, so DEBUG_ATOMIC_SLEEP cannot be enabled here:
#   atomic   + kunit/atomic.kunitconfig, x86_64 in QEMU (TCG) with 2 CPUs:
#            PREEMPT, DEBUG_ATOMIC_SLEEP, DEBUG_PREEMPT, PROVE_LOCKING,
#            PROVE_RAW_LOCK_NESTING (a sleeping call in atomic context, a
#            this_cpu op with preemption on, lockdep).  Hold times are
#            asserted under UML only (emulated clock).
#
# The kernel tree is Debian's linux-source-6.1, extracted once to
# $TALC_CACHE/linux-source-6.1 (default cache /var/cache/talc) and hooked up
# idempotently: lib/talc -> this repository, one `source` line appended to
# lib/Kconfig, one `obj-y` line appended to lib/Makefile.  One build dir per
# variant under the cache.  Logs: build/kunit/<variant>.log.
# Environment: TALC_CACHE, KUNIT_JOBS (default: nproc), KUNIT_FILTER
# (suite glob, default 'talc*').
# Ends with "N passed, M failed" over all variants; exits non-zero on failure.
set -u
top=$(cd "$(dirname "$0")/.." && pwd -P)
cache=${TALC_CACHE:-/var/cache/talc}
# shellcheck source=scripts/ksrc.sh
. "$top/scripts/ksrc.sh"
tarball=$ksrc_tarball
jobs=${KUNIT_JOBS:-$(nproc)}
filter=${KUNIT_FILTER:-talc*}
logdir=$top/build/kunit
variants=("$@")
[ ${#variants[@]} -eq 0 ] && variants=(default kasan lockdep atomic)

die() { echo "kunit.sh: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

"$top/scripts/deps.sh" kunit || die "cannot install dependencies"
[ -f "$tarball" ] || die "$tarball missing after deps.sh"
mkdir -p "$cache" "$cache/uml" "$logdir" || die "cannot create $cache"
cache=$(cd "$cache" && pwd -P)
ksrc=$cache/$ksrc_name

# One run at a time per cache: the tree and the build dirs are shared.
exec 9>"$cache/lock"
if ! flock -n 9; then
	echo "kunit.sh: waiting for another run on $cache"
	flock 9
fi

# 1. Extract once (into a temp dir, renamed when complete, then stamped).
ksrc_ok "$tarball" "$ksrc" || ksrc_extract "$tarball" "$cache" ||
	die "extraction failed"

# 2. Hook this repository in (check, then append; never rewrite).
link=$ksrc/lib/talc
if [ "$(readlink "$link" 2>/dev/null)" != "$top" ]; then
	# shellcheck disable=SC2015 # die when either step fails
	rm -f "$link" && ln -s "$top" "$link" || die "cannot link $link"
	# Kbuild rebuilds by mtime: objects built from another checkout may
	# look newer than this one's sources, so drop them all.
	rm -rf "$cache"/build-*/lib/talc
fi
kline='source "lib/talc/kunit/Kconfig"'
grep -qxF "$kline" "$ksrc/lib/Kconfig" ||
	printf '\n%s\n' "$kline" >> "$ksrc/lib/Kconfig"
mline='obj-y += talc/'
grep -qxF "$mline" "$ksrc/lib/Makefile" ||
	printf '\n%s\n' "$mline" >> "$ksrc/lib/Makefile"

# 3. Run each variant.
pass=0
fail=0
summary=()
for v in "${variants[@]}"; do
	cfgs=(--kunitconfig="$top/kunit/.kunitconfig")
	case $v in
	default) ;;
	# kasan_multi_shot: every report fails its test, not just the first
	kasan) cfgs+=(--kunitconfig="$top/kunit/$v.kunitconfig"
		      --kernel_args kasan_multi_shot) ;;
	lockdep) cfgs+=(--kunitconfig="$top/kunit/$v.kunitconfig") ;;
	# x86_64 in QEMU (TCG), 2 CPUs: kunit.py's own x86_64 setup
	atomic) cfgs+=(--kunitconfig="$top/kunit/$v.kunitconfig" --arch=x86_64
		       --qemu_args="-smp 2") ;;
	*) die "unknown variant '$v'" ;;
	esac
	log=$logdir/$v.log
	echo "=== kunit: $v (build $cache/build-$v, log build/kunit/$v.log)"
	start=$(date +%s)
	json=$logdir/$v.json
	rm -f "$json"
	(cd "$ksrc" && nice python3 tools/testing/kunit/kunit.py run "${cfgs[@]}" \
		--build_dir="$cache/build-$v" --jobs "$jobs" --json="$json" \
		--kernel_args "uml_dir=$cache/uml" \
		--kernel_args "talc.heaps=kt_boot:64K,kt_boot2:128K:1M" \
		"$filter" </dev/null) \
		> "$log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	# The counts from kunit.py's JSON (KernelCI's format, stable across
	# kernel releases, unlike its text summary): "N P F" or nothing when
	# no result was parsed (a build or boot failure: rc says so).
	line=$(python3 - "$json" <<-'EOF' 2>/dev/null
		import json, sys
		c = {}
		def walk(g):
		    for t in g.get("test_cases", []):
		        c[t["status"]] = c.get(t["status"], 0) + 1
		    for sub in g.get("sub_groups", []):
		        walk(sub)
		walk(json.load(open(sys.argv[1])))
		if c:
		    print(sum(c.values()), c.get("PASS", 0),
		          c.get("FAIL", 0) + c.get("ERROR", 0))
		EOF
	)
	n=0; p=0; f=0
	[ -n "$line" ] && read -r n p f <<< "$line"
	# Splats that do not fail a KUnit test by themselves.  Expected
	# WARNINGs: the virt-pci one on every UML boot, and the glue's
	# WARN_ONCEs on the heap suite's kt_* heaps for what the suite does on
	# purpose (bad pointers, a write after free, refused gfp flags, NMI);
	# a corruption report (an assertion of CONFIG_TALC_DEBUG, say) is not.
	splat=""
	if [ -f "$cache/build-$v/test.log" ] && [ -n "$line" ]; then
		# The WARN's message follows "WARNING:" on UML (generic
		# warn_slowpath_fmt) and precedes it on x86 (__WARN_FLAGS).
		splat=$(awk '
			function expected(l) {
				return l ~ /^talc: heap kt_[A-Za-z0-9_-]*: (pointer is|no chunk starts|chunk is already free|poison overwritten|cached chunk overwritten|gfp flags|called from NMI)/
			}
			w { if (!expected($0)) print w; w = "" }
			/WARNING: / && !/virt-pci\.c/ { if (!expected(prev)) w = $0; prev = $0; next }
			/BUG:|UBSAN:|Kernel panic|possible circular|inconsistent lock|possible recursive|suspicious RCU/ { print }
			{ prev = $0 }
			END { if (w) print w }' "$cache/build-$v/test.log" | head -n 5)
	fi
	if [ -n "$splat" ]; then
		echo "kunit.sh: $v: kernel log reports:"
		echo "$splat"
		f=$(( f + 1 ))
	fi
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	if [ "$f" -ne 0 ]; then
		grep -avE 'stty: |^$' "$log" | tail -n 200
	else
		grep -aE 'Testing complete|Elapsed time' "$log"
	fi
	pass=$(( pass + p ))
	fail=$(( fail + f ))
	summary+=("$(printf '%-8s Ran %4d tests: %4d passed %3d failed  rc=%d %4ds' \
		"$v" "${n:-0}" "$p" "$f" "$rc" "$secs")")
done
echo "=== kunit summary"
for s in "${summary[@]}"; do
	echo "  $s"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
