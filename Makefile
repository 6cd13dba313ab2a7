# SPDX-License-Identifier: GPL-2.0
#
# talc: top-level Makefile.  Each room owns a fragment that adds its targets
# and appends its test suites to CHECK_SUITES:
#   tools/user.mk         unit, fuzz, libtalc        (userspace harness)
#   scripts/kmod.mk       modules (default), run, vmtest
#   scripts/kunit.mk      kunit                      (KUnit under UML)
#   tools/bench/bench.mk  bench, bench-user, bench-kernel
#   scripts/dkms.mk       dkms-src, dkms-test        (talc.ko under DKMS)
#   scripts/doc.mk        doc, kdoc                  (kernel-doc, the reST page)
#   tools/talctop.mk      talctop-test               (the live view, tools/talctop)
#   scripts/uml-debug.mk  kmemleak-test, faults-test (debug UML kernel)
#
# `make check` runs every suite in CHECK_SUITES through scripts/check.sh and
# ends with one line "N passed, M failed" totalling all of them.

.DEFAULT_GOAL := modules
TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
BUILD := $(TOP)/build
CHECK_SUITES :=

include $(wildcard $(TOP)/tools/user.mk $(TOP)/scripts/kmod.mk \
		   $(TOP)/scripts/kunit.mk $(TOP)/tools/bench/bench.mk \
		   $(TOP)/scripts/vm.mk $(TOP)/tools/talctop.mk \
		   $(TOP)/scripts/doc.mk $(TOP)/scripts/dkms.mk \
		   $(TOP)/scripts/uml-debug.mk)

check:
	@$(TOP)/scripts/check.sh $(CHECK_SUITES)

deps:
	@$(TOP)/scripts/deps.sh all

clean:
	rm -rf $(BUILD)

.PHONY: check deps clean
