# SPDX-License-Identifier: GPL-2.0
#
# scripts/dkms.mk - talc.ko under DKMS (included by the top Makefile).
#
#   make dkms-src    stage the DKMS source (dkms.conf, Kbuild, talc/) in
#                    build/dkms/talc-<version>; then, as root:
#                      dkms add build/dkms/talc-<version>   (see README.md)
#   make dkms-test   check suite: dkms add, build and install for every
#                    kernel of scripts/kvers.sh, the kernel-upgrade hook,
#                    the installed module loaded in QEMU, dkms remove --all
#                    (scripts/dkms-test.sh); ends "N passed, M failed".
#                    Needs root; installs dkms from apt (deps.sh dkms).

DKMS_VERSION = $(shell sed -n 's/^PACKAGE_VERSION="\([^"]*\)".*/\1/p' $(TOP)/dkms.conf)

CHECK_SUITES += dkms-test

dkms-src:
	@$(TOP)/scripts/dkms-src.sh $(BUILD)/dkms/talc-$(DKMS_VERSION)
	@echo "dkms: staged $(BUILD)/dkms/talc-$(DKMS_VERSION); as root: dkms add $(BUILD)/dkms/talc-$(DKMS_VERSION)"

dkms-test:
	@$(TOP)/scripts/dkms-test.sh

.PHONY: dkms-src dkms-test
