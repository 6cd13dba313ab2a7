# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# ksrc.sh - sourced by scripts/kunit.sh, kdoc.sh, kunit-planted.sh,
# uml-kernel.sh and deps.sh: the one kernel source every in-tree build uses
# (KUnit, kernel-doc, the UML bench and test kernels), Debian's
# linux-source package, extracted once into the cache and stamped with the
# tarball's size and mtime.  Callers hold $cache/lock around ksrc_extract.
#
#   ksrc_version, ksrc_name, ksrc_tarball   the one place its version is
#
#   ksrc_ok TARBALL KSRC        true if KSRC is a complete extraction
#   ksrc_extract TARBALL CACHE  (re)extract to CACHE/$ksrc_name via a temp
#                               dir; drops the build dirs made from an
#                               older tree

ksrc_version=6.1
ksrc_name=linux-source-$ksrc_version
ksrc_tarball=/usr/src/$ksrc_name.tar.xz

ksrc_stamp() {
	stat -c '%s %Y' "$1"
}

ksrc_ok() {
	[ -f "$2/.talc-extracted" ] &&
		[ "$(cat "$2/.talc-extracted")" = "$(ksrc_stamp "$1")" ]
}

ksrc_extract() {
	local tarball=$1 cache=$2

	echo "extracting $tarball to $cache (once)"
	rm -rf "$cache/$ksrc_name" "$cache/extract.tmp" "$cache"/build-*
	mkdir -p "$cache/extract.tmp" &&
		nice tar -xf "$tarball" -C "$cache/extract.tmp" &&
		mv "$cache/extract.tmp/$ksrc_name" "$cache/$ksrc_name" &&
		rmdir "$cache/extract.tmp" &&
		ksrc_stamp "$tarball" > "$cache/$ksrc_name/.talc-extracted"
}
