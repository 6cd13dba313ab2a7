#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# deps.sh GROUP... - install the Debian packages a room needs, if missing.
# Groups: user, kmod, kunit, bench, dkms, doc, all.  Needs root (apt); does
# nothing when everything is already installed, so every make target may
# call it.
set -eu
# ksrc_version: the linux-source package (scripts/ksrc.sh)
# shellcheck source=scripts/ksrc.sh
. "$(dirname "$0")/ksrc.sh"

pkgs_user="gcc make clang libclang-rt-14-dev valgrind"
# 6.1 is Debian 12's default kernel; 6.12 is packaged for bookworm too, and
# so is 6.1 with PREEMPT_RT.
pkgs_kmod="linux-image-amd64 linux-headers-amd64 linux-image-6.12-amd64 \
linux-headers-6.12-amd64 linux-image-rt-amd64 linux-headers-rt-amd64 \
qemu-system-x86 busybox-static cpio kmod sparse rsync gzip"
# the atomic KUnit variant boots x86_64 in QEMU (qboot.rom: qemu-system-data)
pkgs_kunit="linux-source-$ksrc_version bc bison flex libelf-dev libssl-dev python3 rsync xz-utils make gcc \
qemu-system-x86"
pkgs_bench="libjemalloc-dev libmimalloc-dev gnuplot-nox valgrind"
# make dkms-test (scripts/dkms-test.sh); make doc: the kernel's
# scripts/kernel-doc and Documentation/sphinx from linux-source-6.1
pkgs_dkms="dkms"
pkgs_doc="linux-source-$ksrc_version xz-utils perl python3-sphinx"

want=""
for g in "$@"; do
	case $g in
	user) want="$want $pkgs_user" ;;
	kmod) want="$want $pkgs_kmod" ;;
	kunit) want="$want $pkgs_kunit" ;;
	bench) want="$want $pkgs_bench" ;;
	dkms) want="$want $pkgs_dkms" ;;
	doc) want="$want $pkgs_doc" ;;
	all) want="$want $pkgs_user $pkgs_kmod $pkgs_kunit $pkgs_bench $pkgs_dkms $pkgs_doc" ;;
	*) echo "deps.sh: unknown group '$g'" >&2; exit 2 ;;
	esac
done

# missing: the packages of $want not installed
find_missing() {
	missing=""
	for p in $want; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing="$missing $p"
	done
}
find_missing
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing packages:$missing (run as root or install them)" >&2
	exit 1
fi
# One installer at a time: two make targets run side by side (or apt of
# the system's own, such as unattended-upgrades on a fresh machine) must
# not fail on apt's locks.  Ours queue on a lock of their own (not passed
# on to apt: a daemon a package starts must not keep it) and look again
# once they have it.  apt-get install waits up to 10 minutes for dpkg's
# lock (DPkg::Lock::Timeout); apt-get update does not wait for the lists'
# lock, so it is retried as long.
exec 8>/var/lock/talc-deps.lock
flock 8
find_missing
[ -z "$missing" ] && exit 0
echo "deps.sh: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt="apt-get -q -o DPkg::Lock::Timeout=600"
for i in $(seq 60); do
	err=$($apt update 2>&1 >/dev/null 8>&-) && break
	case $err in
	*"Could not get lock"*) [ "$i" -lt 60 ] && sleep 10 ;;
	*) echo "$err" >&2; exit 1 ;;
	esac
done
# shellcheck disable=SC2086
$apt install -y --no-install-recommends $missing >/dev/null 8>&-
