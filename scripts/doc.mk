# SPDX-License-Identifier: GPL-2.0
#
# scripts/doc.mk - the documentation page (included by the top Makefile).
#
#   make doc    render Documentation/talc.rst with the kernel's kernel-doc
#               (from linux-source-6.1) and Sphinx: build/doc/talc.rst
#               (kernel-doc output pasted in), build/doc/talc.txt,
#               build/doc/html/talc.html
#   make kdoc   check suite: kernel-doc warnings in talc/*.c and talc/*.h
#               (6.1's -v and 6.12's -Wall), the page's directives, the
#               headers' functions all documented, Sphinx -W; ends
#               "N passed, M failed" (scripts/kdoc.sh)

CHECK_SUITES += kdoc

doc:
	@$(TOP)/scripts/kdoc.sh doc

kdoc:
	@$(TOP)/scripts/kdoc.sh check

.PHONY: doc kdoc
