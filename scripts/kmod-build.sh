#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kmod-build.sh KDIR OUTDIR [make args...] - build the out-of-tree modules
# against the kernel headers in KDIR, in a copy of the sources at OUTDIR
# (talc/ and Kbuild are rsync'ed there, so the source tree stays clean and
# rebuilds are incremental).  Extra arguments go to kbuild (W=1, C=2, ...).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
kdir=$1
out=$2
shift 2
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
exec make -C "$kdir" M="$(cd "$out" && pwd)" "$@" modules
