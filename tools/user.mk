# SPDX-License-Identifier: GPL-2.0
#
# Userspace harness: the core built as in tools/testing/radix-tree, with the
# shims of tools/include/ standing in for <linux/...> and <kunit/test.h>.
#   make unit      the KUnit suites that run in userspace, under ASan+UBSan
#   make fuzz      libFuzzer target: FUZZ_RUNS inputs (default 4000) from a
#                  fixed seed (FUZZ_SEED), FUZZ_SECONDS (default 300) at most;
#                  a long run: FUZZ_SEED=S FUZZ_RUNS=-1 FUZZ_SECONDS=T (its
#                  last lines count operations and hardened inputs)
#   make libtalc   build/user/libtalc.a (-O2) for programs using the core;
#                  built without auto-vectorisation, like the kernel build

UBUILD := $(BUILD)/user
UCC ?= gcc
UCFLAGS := -std=gnu11 -Wall -Wextra -Werror -I$(TOP)/tools/include -I$(TOP)/talc
SANFLAGS := -DCONFIG_TALC_DEBUG -Wno-unused-parameter -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
	    -fno-sanitize-recover=all
CORE_SRC := $(TOP)/talc/talc.c
CORE_HDR := $(TOP)/talc/talc.h $(wildcard $(TOP)/tools/include/*/*.h)
# KUnit suites that also run in userspace (they need only the core).
UNIT_SUITES := $(TOP)/kunit/talc_core_test.c $(TOP)/kunit/talc_check_test.c
UNIT_HDR := $(TOP)/kunit/talc_kunit.h $(TOP)/kunit/talc_pattern.h
FUZZ_SECONDS ?= 300

$(UBUILD)/talc_unit: $(UNIT_SUITES) $(UNIT_HDR) $(TOP)/tools/unit/kunit_main.c \
		     $(CORE_SRC) $(CORE_HDR)
	@mkdir -p $(@D)
	@$(TOP)/scripts/deps.sh user
	$(UCC) $(UCFLAGS) $(SANFLAGS) -o $@ $(TOP)/tools/unit/kunit_main.c \
		$(UNIT_SUITES) $(CORE_SRC)

unit: $(UBUILD)/talc_unit
	$(UBUILD)/talc_unit

$(UBUILD)/libtalc.a: $(CORE_SRC) $(CORE_HDR)
	@mkdir -p $(@D)
	$(UCC) $(UCFLAGS) -O2 -fno-tree-vectorize -c -o $(UBUILD)/talc.o $(CORE_SRC)
	ar rcs $@ $(UBUILD)/talc.o

libtalc: $(UBUILD)/libtalc.a

$(UBUILD)/talc_fuzz: $(TOP)/tools/fuzz/talc_fuzz.c $(CORE_SRC) $(CORE_HDR)
	@mkdir -p $(@D)
	@$(TOP)/scripts/deps.sh user
	clang $(UCFLAGS) -DCONFIG_TALC_DEBUG -Wno-unused-parameter -g -O2 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -o $@ $(TOP)/tools/fuzz/talc_fuzz.c $(CORE_SRC)

fuzz: $(UBUILD)/talc_fuzz
	@$(TOP)/tools/fuzz/run.sh $(UBUILD)/talc_fuzz $(FUZZ_SECONDS)

CHECK_SUITES += unit fuzz

.PHONY: unit libtalc fuzz
