# SPDX-License-Identifier: GPL-2.0
#
# tools/talctop.mk - the live view, tools/talctop (included by the top
# Makefile).  talctop itself needs no build: it is a POSIX sh script that
# runs on the target (the test VM's busybox too); `talctop -h` explains it.
#
#   make talctop-test   check suite: talctop against a made-up debugfs
#                       directory, under busybox and under dash
#                       (tools/talctop-test.sh); ends "N passed, M failed".
#                       The VM test of talctop on real heaps is part of
#                       make vmtest.

CHECK_SUITES += talctop-test

talctop-test:
	@[ -x /bin/busybox ] || $(TOP)/scripts/deps.sh kmod
	@$(TOP)/tools/talctop-test.sh

.PHONY: talctop-test
