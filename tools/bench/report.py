#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# report.py RESULTS_DIR - the summary of `make bench`: reads the CSVs of
# run-user.sh and run-kernel.sh, prints the ratio table against the issue's
# targets (markdown, also written to RESULTS_DIR/summary.md) and writes the
# gnuplot data and script for RESULTS_DIR/bench.png.
import csv
import os
import statistics as st
import sys

out = sys.argv[1] if len(sys.argv) > 1 else "bench/results"


def rows(name):
    p = os.path.join(out, name)
    if not os.path.exists(p):
        return []
    with open(p) as f:
        return list(csv.DictReader(f))


def mean(xs):
    return st.mean(xs) if xs else float("nan")


lines = []


def emit(s=""):
    lines.append(s)


def head(header):
    """A table's header row and the separator row for its columns."""
    emit(header)
    emit("|" + "---|" * (header.count("|") - 1))


def verdict(ok):
    return "met" if ok else "**missed**"


SIZES = [200, 1000, 3000, 10000, 30000]

# ---------------------------------------------------------------- userspace
ra = rows("random.csv")
ra_allocs = []
for r in ra:
    if r["allocator"] not in ra_allocs:
        ra_allocs.append(r["allocator"])
ops = {}
for r in ra:
    ops.setdefault((r["allocator"], int(r["max_size"])), []).append(int(r["ops"]))
ra_mean = {k: mean(v) for k, v in ops.items()}

if ra:
    ntr = max(len(v) for v in ops.values())
    emit("### Userspace random actions (ops per timed run, 200 ms unless BENCH_QUICK; mean of %d trials, 1 thread)" % ntr)
    emit()
    head("| max size | " + " | ".join(ra_allocs) + " | talc / glibc | target >= 1.5 |")
    for s in SIZES:
        cells = ["{:,.0f}".format(ra_mean.get((a, s), float("nan"))) for a in ra_allocs]
        t, g = ra_mean.get(("talc", s)), ra_mean.get(("glibc", s))
        ratio = t / g if t and g else float("nan")
        emit("| %d | %s | %.2fx | %s |" % (s, " | ".join(cells), ratio, verdict(ratio >= 1.5)))
    emit()
    emit("talc = core behind one uncontended spinlock (as in the module); "
         "talc-nolock = bare core.")
    emit()

th = rows("threads.csv")
if th:
    emit("### Two threads, one talc behind one spinlock (aggregate ops per 200 ms)")
    emit()
    head("| max size | talc 1 thr | talc 2 thr | talc 2/1 | glibc 1 thr | glibc 2 thr | glibc 2/1 |")
    tv = {(r["allocator"], int(r["threads"]), int(r["max_size"])): int(r["ops"]) for r in th}
    for s in SIZES:
        c = []
        for a in ("talc", "glibc"):
            one, two = tv.get((a, 1, s), 0), tv.get((a, 2, s), 0)
            c += ["{:,}".format(one), "{:,}".format(two), "%.2fx" % (two / one if one else float("nan"))]
        emit("| %d | %s |" % (s, " | ".join(c)))
    emit()

mb = rows("micro.csv")
if mb:
    emit("### Userspace microbench (TSC ticks, alloc + free summed per percentile, as talc v5)")
    emit()
    head("| allocator | p1 | p25 | p50 | p75 | p99 | timer p50 |")
    mv = {(r["allocator"], r["op"]): r for r in mb}
    m_allocs = []
    for r in mb:
        if r["allocator"] not in m_allocs:
            m_allocs.append(r["allocator"])
    for a in m_allocs:
        p = mv[(a, "pair")]
        emit("| %s | %s | %s | %s | %s | %s | %s |" % (a, p["p1"], p["p25"], p["p50"], p["p75"], p["p99"],
                                                      mv[(a, "timer")]["p50"]))
    emit()
    if ("talc", "pair") in mv and ("glibc", "pair") in mv:
        t, g = mv[("talc", "pair")], mv[("glibc", "pair")]
        tn = mv.get(("talc-nolock", "pair"), t)
        tim = 2 * int(mv[("glibc", "timer")]["p50"])
        head("| ratio vs glibc | p50 | p99 | target |")
        for lab, x in (("talc (spinlock)", t), ("talc-nolock", tn)):
            r50 = int(x["p50"]) / int(g["p50"])
            r99 = int(x["p99"]) / int(g["p99"])
            emit("| %s, raw | %.2fx | %.2fx | <= 0.6x: %s |" % (lab, r50, r99, verdict(r50 <= 0.6 and r99 <= 0.6)))
            s50 = (int(x["p50"]) - tim) / max(1, int(g["p50"]) - tim)
            s99 = (int(x["p99"]) - tim) / max(1, int(g["p99"]) - tim)
            emit("| %s, timer (2 x %d) subtracted | %.2fx | %.2fx | (informative) |" % (lab, tim // 2, s50, s99))
        emit()

ins = rows("instr.csv")
if ins:
    emit("### Instructions per alloc+free pair (callgrind Ir, loop `p = alloc(n); free(p)`)")
    emit()
    head("| size | talc | talc + spinlock | glibc | loop+call overhead (subtracted) | target talc <= 100 |")
    iv = {(r["allocator"], int(r["size"])): r for r in ins}
    for s in (16, 64, 256, 4096):
        t, tl, g = iv.get(("talc", s)), iv.get(("talc-lock", s)), iv.get(("glibc", s))
        if not t:
            continue
        emit("| %d | %s | %s | %s | %s | %s |" % (s, t["net"], tl["net"], g["net"], t["loop_overhead"],
                                                  verdict(float(t["net"]) <= 100)))
    emit()

al = rows("align.csv")
if al:
    emit("### High alignment (0x4000 x 1 B at align 4096 vs 0x4000 x 4096 B, alloc all then free all)")
    emit()
    head("| allocator | plain ticks | aligned ticks | aligned / plain | target (talc) <= 1.2 (issue 10) |")
    for r in al:
        ok = verdict(float(r["ratio"]) <= 1.2) if r["allocator"] == "talc" else ""
        emit("| %s | {:,} | {:,} | %sx | %s |".format(int(r["plain_cycles"]), int(r["aligned_cycles"]))
             % (r["allocator"], r["ratio"], ok))
    emit()

for he_file, he_title, he_target in (
        ("heapeff.csv", "talc v5's mix", 97.5),
        ("heapeff-uniform.csv", "allocation sizes U[1, 10000), issue 10", 98.5)):
    he = rows(he_file)
    if not he:
        continue
    emit("### Heap efficiency (live bytes / capacity at talc's first failure; %s)" % he_title)
    emit()
    head("| allocator | rounds | mean %% | min %% | max %% | capacity | target >= %.1f %% |" % he_target)
    by = {}
    for r in he:
        by.setdefault(r["allocator"], []).append(float(r["percent"]))
    for a, v in by.items():
        cap = "128 MiB arena" if a == "talc" else "RSS growth, same op sequence"
        emit("| %s | %d | %.2f | %.2f | %.2f | %s | %s |" % (a, len(v), mean(v), min(v), max(v), cap,
                                                          verdict(mean(v) >= he_target) if a == "talc" else ""))
    emit()
    tr = [r for r in he if r["allocator"] == "talc" and r.get("fragments")]
    if tr:
        def m(k):
            return mean([int(r[k]) for r in tr])
        emit("talc at its failure (means): %.0f KiB free in %.0f fragments (%.1f KiB each), largest free "
             "chunk %.1f KiB, failing request %.1f KiB, after %.0f steps." % (
                 m("free_bytes") / 1024, m("fragments"), m("free_bytes") / m("fragments") / 1024,
                 m("largest_free") / 1024, m("failed_request") / 1024, m("steps")))
        emit()

rg = rows("regions.csv")
if rg:
    emit("### Userspace region scale (core alone: random free + malloc of a random live slot, %s B blocks)"
         % rg[0]["block"])
    emit()
    head("| layout | regions | region size | live blocks | trials | ns per free+malloc (median) | min | max | "
         "vs one region | target <= 1.3x |")

    def size(b):
        b = int(b)
        return "%d KiB" % (b >> 10) if b < 1 << 20 else "%d MiB" % (b >> 20)

    lay = {}
    for r in rg:
        lay.setdefault(r["layout"], []).append(r)
    # medians: a shared machine's hiccup in one trial moves a mean a lot
    one = st.median([float(r["ns_per_pair"]) for r in lay.get("one", [])] or [float("nan")])
    for name in ("one", "many"):
        v = lay.get(name)
        if not v:
            continue
        ns = [float(r["ns_per_pair"]) for r in v]
        ratio = st.median(ns) / one
        emit("| %s | %s | %s | {:,} | %d | %.1f | %.1f | %.1f | %.2fx | %s |".format(int(v[0]["live_blocks"])) % (
            "one region" if name == "one" else "%s regions" % v[0]["regions"], v[0]["regions"],
            size(v[0]["region_bytes"]), len(v), st.median(ns), min(ns), max(ns), ratio,
            verdict(ratio <= 1.3) if name == "many" else ""))
    emit()
    emit("Both layouts cover the same %s and hold the same live set: filled with %s-byte blocks, then random "
         "ones freed down to %s (200 per 64 KiB, about 80 %%); the many regions share one index given with "
         "talc_set_index().  %s pairs per trial after a 5 %% warm-up; the layouts alternate within a trial; "
         "quick lists at their default depth." % (
             size(int(rg[0]["regions"]) * int(rg[0]["region_bytes"])), rg[0]["block"],
             "{:,}".format(int(rg[0]["live_blocks"])), "{:,}".format(int(rg[0]["pairs"]))))
    emit()

na = rows("natural.csv")
if na:
    emit("### natural_align on a kmalloc-like size mix (core alone, 100,000 live slots, random replacement)")
    emit()
    head("| mode | trials | ns per op (median) | live / reach (median) | time vs plain | density vs plain |")
    med = {}
    for mode in ("plain", "natural"):
        v = [r for r in na if r["mode"] == mode]
        if v:
            med[mode] = (st.median([float(r["ns_per_op"]) for r in v]),
                         st.median([int(r["live_bytes"]) / int(r["reach_bytes"]) for r in v]), len(v))
    for mode, (ns, dens, n) in med.items():
        emit("| %s | %d | %.1f | %.1f %% | %.2fx | %.2fx |" % (
            mode, n, ns, 100 * dens, ns / med["plain"][0], dens / med["plain"][1]))
    emit()
    emit("natural: a power-of-two size up to 4096 bytes aligned to its size (talc.ko's natural_align); "
         "reach: how far the allocations extend into the arena.  The size mix is mostly powers of two "
         "from 8 to 4096 bytes with a few odd sizes.")
    emit()

# ---------------------------------------------------------------- kernel
kr = rows("kernel-random.csv")
kplat = []
for r in kr:
    if r["platform"] not in kplat:
        kplat.append(r["platform"])
kops = {}
for r in kr:
    kops.setdefault((r["platform"], r["allocator"], int(r["max_size"])), []).append(int(r["ops"]))
kmean = {k: mean(v) for k, v in kops.items()}
KALLOCS = ["talc", "genpool-first", "genpool-best", "kmalloc"]
for p in kplat:
    emit("### In-kernel random actions, %s (ops per %s ms, mean of %d trials)"
         % (p, kr[0]["duration_ms"], max(len(v) for k, v in kops.items() if k[0] == p)))
    emit()
    head("| max size | " + " | ".join(KALLOCS) +
         " | talc / best-fit (>= 10) | talc / first-fit (>= 3) | talc / kmalloc (>= 1.0) |")
    for s in SIZES:
        v = [kmean.get((p, a, s), float("nan")) for a in KALLOCS]
        if v[0] != v[0]:
            continue
        rb, rf, rk = v[0] / v[2], v[0] / v[1], v[0] / v[3]
        emit("| %d | %s | %.1fx %s | %.1fx %s | %.2fx %s |" % (
            s, " | ".join("{:,.0f}".format(x) for x in v), rb, verdict(rb >= 10) if p == "uml" else "",
            rf, verdict(rf >= 3) if p == "uml" else "", rk, verdict(rk >= 1.0) if p == "uml" else ""))
    emit()

km = rows("kernel-micro.csv")
if km:
    emit("### In-kernel microbench (cycles, alloc + free per percentile)")
    emit()
    head("| platform | allocator | p1 | p25 | p50 | p75 | p99 | timer p50 |")
    kv = {(r["platform"], r["allocator"], r["op"]): r for r in km}
    for p in kplat:
        for a in KALLOCS:
            x, y = kv.get((p, a, "alloc")), kv.get((p, a, "free"))
            if not x or not y:
                continue
            c = [str(int(x[k]) + int(y[k])) for k in ("p1", "p25", "p50", "p75", "p99")]
            emit("| %s | %s | %s | %s |" % (p, a, " | ".join(c), kv[(p, a, "timer")]["p50"]))
    emit()
    for p in kplat:
        def pair(a, k):
            x, y = kv.get((p, a, "alloc")), kv.get((p, a, "free"))
            return int(x[k]) + int(y[k]) if x and y else None
        t50, t99 = pair("talc", "p50"), pair("talc", "p99")
        if t50 is None:
            continue
        cells = []
        for a in KALLOCS[1:]:
            o50, o99 = pair(a, "p50"), pair(a, "p99")
            if o50:
                cells.append("vs %s: p50 %.3gx, p99 %.3gx" % (a, t50 / o50, t99 / o99))
        emit("talc / peer, %s: %s." % (p, "; ".join(cells)))
        emit()
    emit("Each op's histogram stops at 1,048,576 cycles: a sum above ~1.05 M means 'at least'.")
    emit()

kh = rows("kernel-heapeff.csv")
if kh:
    emit("### In-kernel heap efficiency (live bytes / arena at the first failure)")
    emit()
    head("| platform | allocator | rounds | mean % | min % | max % |")
    by = {}
    for r in kh:
        by.setdefault((r["platform"], r["allocator"]), []).append(float(r["percent"]))
    for (p, a), v in by.items():
        emit("| %s | %s | %d | %.2f | %.2f | %.2f |" % (p, a, len(v), mean(v), min(v), max(v)))
    emit()


def kernel_regions():
    """In-kernel region scale (talc_bench run_mask 8): a heap created at
    64 KiB that grew to thousands of regions against one created at full
    size, same live set; target: grown / full >= 0.8x with >= 2000 regions."""
    kg = rows("kernel-regions.csv")
    if not kg:
        return
    plats = []
    for r in kg:
        if r["platform"] not in plats:
            plats.append(r["platform"])
    r0 = kg[0]
    emit("### In-kernel region scale (talc only: random free + alloc of a random live slot, %s B blocks)"
         % r0["block"])
    emit()
    head("| platform | live set | grown: created at | grown: regions | grown: ops/s | full: created at | "
         "full: regions | full: ops/s | ns per op, grown / full | grown / full, trials | "
         "grown / full, median (>= 0.8x at >= 2000 regions) |")

    def mib(b):
        b = int(b)
        return "%d KiB" % (b >> 10) if b < 1 << 20 else "%.0f MiB" % (b / (1 << 20))

    for p in plats:
        by = {}
        for r in kg:
            if r["platform"] == p:
                by.setdefault(r["heap"], {})[int(r["trial"])] = r
        g, f = by.get("grown", {}), by.get("full", {})
        if not g or not f:
            continue

        def rate(r):
            return int(r["ops"]) * 1e9 / int(r["ns"])

        gr, fr = mean([rate(r) for r in g.values()]), mean([rate(r) for r in f.values()])
        paired = [rate(g[t]) / rate(f[t]) for t in sorted(g) if t in f]
        if not paired:
            continue
        ratio = st.median(paired)  # per-trial pairs: robust to load drift
        regs = min(int(r["regions"]) for r in g.values())
        anyg, anyf = next(iter(g.values())), next(iter(f.values()))
        live = "%s x %s B (%s)" % ("{:,}".format(int(anyg["blocks"])), anyg["block"],
                                   mib(int(anyg["blocks"]) * int(anyg["block"])))
        spread = ("%.2f–%.2fx" % (min(paired), max(paired))) if len(paired) > 1 else "%.2fx" % paired[0]
        ok = "%.2fx %s" % (ratio, verdict(ratio >= 0.8 and regs >= 2000)) if p == "uml" else "%.2fx" % ratio
        emit("| %s | %s | %s | %d | {:,.0f} | %s | %d | {:,.0f} | %.0f / %.0f | %s | %s |".format(gr, fr) % (
            p, live, mib(anyg["heap_size"]), regs, mib(anyf["heap_size"]), int(anyf["regions"]),
            1e9 / gr, 1e9 / fr, spread, ok))
    emit()
    emit("Both heaps have max size %s; the grown one grows by its default step (64 KiB for a 64 KiB heap). "
         "One op = one free plus one allocation; ops/s is the mean over trials of ops / elapsed time, each "
         "trial running duration_ms after a 2 ms warm-up for each heap; which heap runs first alternates "
         "between trials. The ratio judged is the median over trials of grown / full within a trial."
         % mib(r0["max_size"]))
    emit()


kernel_regions()

text = "\n".join(lines)
print(text)
with open(os.path.join(out, "summary.md"), "w") as f:
    f.write(text + "\n")

# ---------------------------------------------------------------- plot data
with open(os.path.join(out, "plot-random.dat"), "w") as f:
    f.write("# max_size " + " ".join(ra_allocs) + "\n")
    for s in SIZES:
        f.write("%d %s\n" % (s, " ".join("%.0f" % ra_mean.get((a, s), 0) for a in ra_allocs)))
with open(os.path.join(out, "plot-kernel.dat"), "w") as f:
    f.write("# max_size " + " ".join(KALLOCS) + "\n")
    for s in SIZES:
        f.write("%d %s\n" % (s, " ".join("%.0f" % kmean.get(("uml", a, s), 0) for a in KALLOCS)))
gp = os.path.join(out, "bench.gp")
with open(gp, "w") as f:
    f.write('set terminal pngcairo size 1200,500 font ",10"\n' if os.system(
        "gnuplot -e 'set terminal pngcairo' </dev/null >/dev/null 2>&1") == 0 else
        "set terminal png size 1200,500\n")
    f.write('set output "%s"\n' % os.path.join(out, "bench.png"))
    f.write("set multiplot layout 1,%d\nset logscale x\nset xtics (200,1000,3000,10000,30000)\nset xrange [150:40000]\n"
            "set key top right\nset grid\nset xlabel 'max allocation size (bytes)'\n" % (2 if kr else 1))
    f.write("set title 'userspace random actions (ops / 200 ms, 1 thread)'\nset ylabel 'ops'\n")
    f.write("plot " + ", ".join("'%s' using 1:%d with linespoints title '%s'" % (
        os.path.join(out, "plot-random.dat"), i + 2, a) for i, a in enumerate(ra_allocs)) + "\n")
    if kr:
        f.write("set title 'in-kernel random actions, UML (ops / %s ms)'\nset logscale y\n"
                % kr[0]["duration_ms"])
        f.write("plot " + ", ".join("'%s' using 1:%d with linespoints title '%s'" % (
            os.path.join(out, "plot-kernel.dat"), i + 2, a) for i, a in enumerate(KALLOCS)) + "\n")
    f.write("unset multiplot\n")
