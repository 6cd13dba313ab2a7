#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms-src.sh DIR - stage the DKMS source of talc.ko in DIR (emptied first):
# dkms.conf, Kbuild, talc/ (sources and Kbuild files only) and README.md.
# `make dkms-src` stages build/dkms/talc-<version>, which
# `dkms add build/dkms/talc-<version>` copies to /usr/src/talc-<version>;
# a plain `dkms add .` from the work tree would copy build/ along.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
dst=${1:?usage: dkms-src.sh DIR}
rm -rf "$dst"
mkdir -p "$dst/talc"
cp "$top/dkms.conf" "$top/Kbuild" "$top/README.md" "$dst/"
cp "$top"/talc/*.c "$top"/talc/*.h "$top"/talc/Kbuild* "$dst/talc/"
