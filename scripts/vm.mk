# SPDX-License-Identifier: GPL-2.0
#
# scripts/vm.mk - the VM runner room (included by the top Makefile).
#
#   make run      build talc.ko (and the test modules: TALC_TEST_MODULES=1,
#                 see scripts/kmod.mk) for Debian's 6.1 kernel, boot it in QEMU
#                 (TCG, 2 vCPUs), insmod two heaps, run talc_torture on them,
#                 show the debugfs tables, create/destroy a heap, check,
#                 rmmod; the console log is scanned for kernel warnings.
#                 KVER=<release> boots another installed Debian kernel.
#   make vmtest   check suite: assertions in a VM for each kernel of
#                 scripts/kvers.sh (6.1, 6.12 and 6.1-rt); ends "N passed, M failed".
#                 KVERS="<release> ..." restricts the kernels.
#   make vmtest-planted   negative control (not in check): in a copy of the
#                 tree, plants one bug at a time (WARN_ON(1) in
#                 talc_heap_free(); __GFP_ZERO ignored by talc_heap_alloc(), by
#                 a moving talc_heap_realloc()); succeeds only if vmtest
#                 fails every time
#                 (scripts/vm/planted-bug.sh, ~1 min per bug).
#   Logs: build/vm/<KVER>/{run,vmtest}.log (full console), vmtest.out.
#   TALC_VM_ACCEL=kvm|tcg skips the accelerator probe (see scripts/vm/run-vm).

ifndef TALC_VM_MK
TALC_VM_MK := 1

CHECK_SUITES += vmtest

run:
	@$(TOP)/scripts/vm/run.sh

vmtest:
	@$(TOP)/scripts/vm/vmtest.sh

vmtest-planted:
	@$(TOP)/scripts/vm/planted-bug.sh

.PHONY: run vmtest vmtest-planted
endif
