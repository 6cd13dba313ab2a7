#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kmod-build.sh KDIR OUTDIR [make args...] - build the out-of-tree modules
# against the kernel headers in KDIR, in a copy of the sources at OUTDIR
# (talc/ and Kbuild are rsync'ed there, so the source tree stays clean and
# rebuilds are incremental).  Extra arguments go to kbuild (W=1, C=2, ...).
# Only talc.ko is built unless the arguments include TALC_TEST_MODULES=1,
# which adds the test and bench modules (talc_torture.ko, talc_vmtest.ko,
# talc_bench.ko; see talc/Kbuild.modules); every script that loads one of
# them passes it.  kbuild always gets TALC_TEST_MODULES=1 or =0 from here
# (a value inherited through MAKEFLAGS cannot decide), and without the test
# modules their stale .ko files from an earlier build in OUTDIR are removed.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
kdir=$1
out=$2
shift 2
tests=0
args=()
for a in "$@"; do
	case $a in
	TALC_TEST_MODULES=*) tests=${a#*=} ;;
	*) args+=("$a") ;;
	esac
done
[ "$tests" = 1 ] || tests=0
if [ ! -d "$kdir" ]; then
	echo "kmod-build.sh: no kernel build directory $kdir" >&2
	echo "kmod-build.sh: install the matching linux-headers package or pass KVER=/KDIR=" >&2
	echo "kmod-build.sh: kernels with headers here: $("$top/scripts/kvers.sh" | tr "\n" " ")" >&2
	exit 1
fi
mkdir -p "$out/talc"
# Keep kbuild's outputs in the copy (P = protect from --delete).
rsync -a --delete --exclude='.*.swp' \
	--filter='P *.o' --filter='P .*.cmd' --filter='P *.mod' \
	--filter='P *.mod.c' --filter='P *.ko' --filter='P .*.d' \
	--filter='P *.a' --filter='P *.order' --filter='P *.symvers' \
	"$top/talc/" "$out/talc/"
rsync -a "$top/Kbuild" "$out/Kbuild"
# the test modules are the talc_*.ko (talc.ko does not match)
[ "$tests" = 1 ] || rm -f "$out"/talc_*.ko
exec make -C "$kdir" M="$(cd "$out" && pwd)" ${args[@]+"${args[@]}"} \
	TALC_TEST_MODULES="$tests" modules
