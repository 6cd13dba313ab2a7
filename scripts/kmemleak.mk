# SPDX-License-Identifier: GPL-2.0
#
# scripts/kmemleak.mk - kmemleak sees talc's allocations (included by the
# top Makefile).
#
#   make kmemleak-test  check suite: a UML kernel with CONFIG_DEBUG_KMEMLEAK
#                       (Debian's kernels lack it), talc.ko and
#                       talc_vmtest.ko case=leak: leaked blocks reported,
#                       kept ones and the heap's regions not, nothing left
#                       after rmmod (scripts/kmemleak-test.sh); ends
#                       "N passed, M failed".

CHECK_SUITES += kmemleak-test

kmemleak-test:
	@$(TOP)/scripts/kmemleak-test.sh

.PHONY: kmemleak-test
