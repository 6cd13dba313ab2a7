# SPDX-License-Identifier: GPL-2.0
#
# tools/bench/bench.mk - benchmarks (included by the top Makefile).
#
#   make bench         bench-user + bench-kernel, then the summary table and
#                      the plot (bench/results/*.csv, bench/results/bench.png)
#   make bench-user    userspace: talc core vs glibc, jemalloc, mimalloc, and
#                      the core's region scale (4096 regions against one)
#   make bench-kernel  talc_bench.ko under UML (natively on the CPU) vs
#                      gen_pool first-fit/best-fit and kmalloc
#   make bench-trace   what the tracepoints cost while disabled: talc.ko
#                      built with and without them (-DNOTRACE), ABBA in one
#                      QEMU boot, ratios against kmalloc's noise floor
#   make bench-hardened  what a heap's hardened mode costs: talc_bench.ko
#                      under UML with hardened=0 and =1 in turn (ABBA, one
#                      boot, kmalloc as the noise floor), and the core alone
#                      in userspace (callgrind instructions, random actions)
#   make bench-ab A=REV|DIR [B=REV|DIR]  is talc.ko built from A faster
#                      than from B (default HEAD)?  Both sides' modules in
#                      one UML boot, ABBA (BENCH_AB_ROUNDS pairs), random
#                      actions, kmalloc as the noise floor; a DIR is a
#                      checkout with uncommitted changes (a probe)
#   make bench-build   only compile the userspace programs
#
# Knobs (environment or make variables): BENCH_TRIALS (random actions
# trials, default 5), BENCH_HE_ROUNDS (heap-efficiency rounds, default
# 300), BENCH_QUICK=1 (1 trial, 30 rounds, shorter runs: a smoke test).
# Not part of `make check`: benchmarks are not tests.

BENCH_OUT := $(BUILD)/bench
BENCH_CFLAGS := -O2 -g -Wall -Wextra -Wno-unused-parameter \
	-I$(TOP)/tools/include -I$(TOP)/talc -D_GNU_SOURCE
BENCH_RESULTS := $(TOP)/bench/results

# talc.c as the kernel compiles it: no SIMD, so no auto-vectorisation.
$(BENCH_OUT)/talc.o: $(TOP)/talc/talc.c $(wildcard $(TOP)/talc/*.h) \
		     $(wildcard $(TOP)/tools/include/linux/*.h)
	@mkdir -p $(BENCH_OUT)
	$(CC) $(BENCH_CFLAGS) -fno-tree-vectorize -c -o $@ $<

$(BENCH_OUT)/bench: $(TOP)/tools/bench/bench.c \
		    $(TOP)/tools/bench/bench_common.h $(BENCH_OUT)/talc.o
	$(CC) $(BENCH_CFLAGS) -o $@ $< $(BENCH_OUT)/talc.o -ldl -lpthread

$(BENCH_OUT)/ipair: $(TOP)/tools/bench/ipair.c $(BENCH_OUT)/talc.o
	$(CC) $(BENCH_CFLAGS) -o $@ $< $(BENCH_OUT)/talc.o

bench-build: $(BENCH_OUT)/bench $(BENCH_OUT)/ipair

bench-user: bench-build
	@$(TOP)/scripts/deps.sh bench
	@BENCH_OUT=$(BENCH_OUT) $(TOP)/tools/bench/run-user.sh $(BENCH_RESULTS)

bench-kernel:
	@$(TOP)/scripts/deps.sh bench
	@$(TOP)/tools/bench/run-kernel.sh $(BENCH_RESULTS)

bench-trace:
	@$(TOP)/scripts/deps.sh bench
	@$(TOP)/tools/bench/run-trace.sh $(BENCH_RESULTS)

bench-hardened: bench-build
	@$(TOP)/scripts/deps.sh bench
	@$(TOP)/tools/bench/run-hardened.sh $(BENCH_RESULTS)
	@BENCH_OUT=$(BENCH_OUT) $(TOP)/tools/bench/hardened.sh $(BENCH_RESULTS)

bench-ab:
	@test -n "$(A)" || { echo "usage: make bench-ab A=REV|DIR [B=REV|DIR]" >&2; exit 2; }
	@$(TOP)/scripts/deps.sh bench
	@$(TOP)/tools/bench/run-ab.sh "$(A)" "$(or $(B),HEAD)" $(BENCH_RESULTS)

bench-report:
	@$(TOP)/tools/bench/report.sh $(BENCH_RESULTS)

bench:
	@$(MAKE) --no-print-directory -f $(TOP)/Makefile bench-user
	@$(MAKE) --no-print-directory -f $(TOP)/Makefile bench-kernel || \
		echo "bench: bench-kernel failed (see above); userspace results kept"
	@$(MAKE) --no-print-directory -f $(TOP)/Makefile bench-report

.PHONY: bench bench-user bench-kernel bench-trace bench-hardened bench-build \
	bench-report bench-ab
