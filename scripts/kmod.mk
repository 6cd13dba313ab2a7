# SPDX-License-Identifier: GPL-2.0
#
# scripts/kmod.mk - the kernel module room (included by the top Makefile).
#
#   make [modules] [KVER=...|KDIR=...]  build talc.ko, and only talc.ko
#       KVER  kernel release; default: the running kernel (uname -r), which
#             is what a real user wants.  Project scripts always pass a
#             Debian KVER from scripts/kvers.sh, never the build host's.
#       KDIR  kernel build dir; default /lib/modules/$(KVER)/build
#       TALC_TEST_MODULES=1  also build the test and bench modules
#             (talc_torture.ko, talc_vmtest.ko, talc_bench.ko; see
#             talc/Kbuild.modules).  The targets that load them (run,
#             vmtest, kbuild, bench-kernel) ask for them themselves.
#       Output: build/kmod/$(KVER)/talc.ko (sources copied there first).
#   make modules-all      build for every kernel scripts/kvers.sh prints
#   make sparse           W=1 C=2 for every tested kernel; fails on any
#                         compiler or sparse warning in our sources
#   make kbuild           check suite: (W=1 build, C=2 sparse) x kernels,
#                         ends with "N passed, M failed"
#                         (both build talc.ko and the test modules)
#   make kmod-clean       remove build/kmod

KMOD_KVERS = $(shell $(TOP)/scripts/kvers.sh)
KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
KMOD_OUT = $(BUILD)/kmod/$(KVER)
KMOD_TEST := $(filter 1,$(TALC_TEST_MODULES))
# "TALC_TEST_MODULES=1" or "TALC_TEST_MODULES=0" for scripts/kmod-build.sh
KMOD_TESTS = TALC_TEST_MODULES=$(if $(KMOD_TEST),1,0)

CHECK_SUITES += kbuild

modules:
	@[ -d $(KDIR) ] || $(TOP)/scripts/deps.sh kmod
	$(TOP)/scripts/kmod-build.sh $(KDIR) $(KMOD_OUT) W=1 $(KMOD_TESTS)
	@echo "kmod: built $(KMOD_OUT)/talc.ko$(if $(KMOD_TEST), and the test modules)"

modules-all:
	@$(TOP)/scripts/deps.sh kmod
	@set -e; for v in $(KMOD_KVERS); do \
		$(TOP)/scripts/kmod-build.sh /lib/modules/$$v/build \
			$(BUILD)/kmod/$$v W=1 $(KMOD_TESTS); \
		echo "kmod: built $(BUILD)/kmod/$$v/talc.ko$(if $(KMOD_TEST), and the test modules)"; \
	done

sparse:
	@$(TOP)/scripts/deps.sh kmod
	@$(TOP)/scripts/kbuild-check.sh sparse

kbuild:
	@$(TOP)/scripts/deps.sh kmod
	@$(TOP)/scripts/kbuild-check.sh all

kmod-clean:
	rm -rf $(BUILD)/kmod

.PHONY: modules modules-all sparse kbuild kmod-clean

# The VM runner room hooks its targets (run, vmtest) in here.
include $(wildcard $(TOP)/scripts/vm.mk)
