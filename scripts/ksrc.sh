# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# ksrc.sh - sourced by scripts/kunit.sh and tools/bench/run-kernel.sh: the
# Debian linux-source-6.1 tree, extracted once into the cache and stamped
# with the tarball's size and mtime.  Callers hold $cache/lock around
# ksrc_extract.
#
#   ksrc_ok TARBALL KSRC        true if KSRC is a complete extraction
#   ksrc_extract TARBALL CACHE  (re)extract to CACHE/linux-source-6.1 via a
#                               temp dir; drops the build dirs made from an
#                               older tree

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
	rm -rf "$cache/linux-source-6.1" "$cache/extract.tmp" "$cache"/build-*
	mkdir -p "$cache/extract.tmp" &&
		nice tar -xf "$tarball" -C "$cache/extract.tmp" &&
		mv "$cache/extract.tmp/linux-source-6.1" "$cache/linux-source-6.1" &&
		rmdir "$cache/extract.tmp" &&
		ksrc_stamp "$tarball" > "$cache/linux-source-6.1/.talc-extracted"
}
