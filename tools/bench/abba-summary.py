#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""abba-summary.py CSV A B WHAT - the summary of an ABBA comparison.

CSV has the columns platform, variant, slot, workload, allocator, value (one
row per load and measurement: random-* workloads count operations, micro-*
workloads p50 cycles, so 1/value is their throughput).  Per platform,
workload and allocator: the geometric mean over the rounds of each
variant's throughput, then variant A over variant B; then per platform and
allocator the geometric mean over the workloads, and a line saying what A
costs against B (WHAT names A, e.g. "hardened mode"), with kmalloc's ratios, the
same code in both variants, as the noise floor, and the cost once more
with each workload's ratio divided by kmalloc's (what moved every
allocator of a load alike drops out).
Markdown on stdout.
Used by run-trace.sh, run-hardened.sh and run-ab.sh.
"""
import csv
import math
import sys
from collections import defaultdict


def gm(xs):
    if not xs or min(xs) <= 0:
        return float("nan")
    return math.exp(sum(math.log(x) for x in xs) / len(xs))


def main():
    path, a, b, what = sys.argv[1:5]
    val = defaultdict(list)
    for r in csv.DictReader(open(path)):
        x = float(r["value"])
        if r["workload"].startswith("micro"):
            x = 1.0 / x if x > 0 else 0.0
        val[(r["platform"], r["workload"], r["allocator"], r["variant"])].append(x)
    print(f"| platform | workload | allocator | {a} / {b} | rounds |")
    print("|---|---|---|---|---|")
    agg = defaultdict(list)
    byw = {}
    for p, w, al in sorted({k[:3] for k in val}):
        va, vb = val[(p, w, al, a)], val[(p, w, al, b)]
        if not va or not vb:
            continue
        q = gm(va) / gm(vb)
        agg[(p, al)].append(q)
        byw[(p, al, w)] = q
        print(f"| {p} | {w} | {al} | {q:.4f} | {len(va)} |")
    for (p, al), qs in sorted(agg.items()):
        print(f"| {p} | all ({len(qs)} workloads) | {al} | {gm(qs):.4f} (geometric mean) | |")
    print()
    for p in sorted({p for p, al in agg}):
        if (p, "kmalloc") not in agg:
            continue
        floor = max(abs(1 - q) for q in agg[(p, "kmalloc")])
        for (pp, al), qs in sorted(agg.items()):
            if pp != p or al == "kmalloc":
                continue
            rel = [q / byw[(p, "kmalloc", w)] for (p2, a2, w), q in byw.items()
                   if p2 == p and a2 == al and (p, "kmalloc", w) in byw]
            print(f"{p}: {al}: the cost of {what} is {100 * (1 - gm(qs)):+.2f} % "
                  f"(geometric mean; workloads {100 * (1 - max(qs)):+.2f} .. "
                  f"{100 * (1 - min(qs)):+.2f} %); kmalloc, the same code in both, "
                  f"moved up to {100 * floor:.2f} % (the noise floor); "
                  f"against kmalloc in the same loads {100 * (1 - gm(rel)):+.2f} %")


if __name__ == "__main__":
    main()
