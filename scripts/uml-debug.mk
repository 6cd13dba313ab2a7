# SPDX-License-Identifier: GPL-2.0
#
# scripts/uml-debug.mk - check suites on the debug UML kernel (included by
# the top Makefile).  Debian's kernels lack kmemleak and fault injection;
# one UML kernel with both ($TALC_CACHE/build-uml-debug, see
# scripts/uml-kernel.sh) serves:
#
#   make kmemleak-test  talc_vmtest.ko case=leak: leaked blocks reported,
#                       kept ones and the heap's regions not, nothing left
#                       after rmmod (scripts/kmemleak-test.sh)
#   make faults-test    talc_torture.ko while failslab and fail_page_alloc
#                       fail 10 % of the torture threads' allocations: no
#                       leak, no warning, failures counted
#                       (scripts/faults-test.sh)
#   make torture-long   not in make check: talc_torture.ko, 1e8 operations
#                       on a hardened heap, per-CPU caches included
#                       (scripts/torture-long.sh; minutes)
#
# Each ends "N passed, M failed".

CHECK_SUITES += kmemleak-test faults-test

kmemleak-test:
	@$(TOP)/scripts/kmemleak-test.sh

faults-test:
	@$(TOP)/scripts/faults-test.sh

torture-long:
	@$(TOP)/scripts/torture-long.sh

.PHONY: kmemleak-test faults-test torture-long
