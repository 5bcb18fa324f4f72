#!/usr/bin/env python3
"""Turns bench/results/{host.json,kbench.txt} into Markdown tables and the plot's data file.

Usage: report.py RESULTS_DIR [--into DOC.md]
       report.py --check-json HOST.json     exit 1 naming every benchmark that reported an error
Every ratio compares medians from the same run, computed here over every repetition; a run in
which any benchmark reported an error (lost or duplicated items) writes no report. With --into, the tables replace the text between
the '<!-- bench:begin -->' and '<!-- bench:end -->' lines of DOC.md.
"""
import json
import random
import re
import statistics
import sys
from collections import defaultdict
from pathlib import Path

PROJECT = ["locked", "lockfree", "lockfree-shared", "locked-lifo", "lockfree-lifo"]
# Implementations whose owner pop takes the newest item (bench/peers.h); the rest pop the oldest.
LIFO = {"locked-lifo", "lockfree-lifo", "xenium", "mutex-deque", "crossbeam-lifo"}


FIELDS = ("real_time", "items_per_second", "steal_success", "stolen_per_s", "stolen_share",
          "ns_per_round_trip")


def errors_in(benchmarks):
    """Every run Google Benchmark marked as failed (an exactly-once check, a queue that would not
    hold its items): such a run has no numbers, and its workload must not be reported."""
    return [f"{b['name']}: {b.get('error_message', 'error')}" for b in benchmarks
            if b.get("error_occurred")]


def load_host(paths):
    """{(workload, impl, arg): {"values"/"median"/"stddev": {field: ...}, "n": repetitions}} from
    Google Benchmark JSON files (one per repetition, or one with every repetition in it, and the
    crossbeam peer's in the same shape); the medians are computed here, over all of them (Google
    Benchmark's own aggregate rows are skipped). The context is the first file's."""
    data = json.loads(paths[0].read_text())
    benchmarks = list(data["benchmarks"])
    for e in paths[1:]:
        benchmarks += json.loads(e.read_text())["benchmarks"]
    failed = errors_in(benchmarks)
    if failed:
        sys.exit("report: benchmarks failed, no report written:\n  " + "\n  ".join(failed))
    runs = defaultdict(lambda: defaultdict(list))
    labels = {}
    for b in benchmarks:
        if b.get("run_type") == "aggregate":
            continue
        parts = [p for p in b["run_name"].split("/") if p not in ("manual_time", "real_time")]
        workload, impl = parts[0], parts[1] if len(parts) > 1 else ""
        arg = next((p.split(":")[1] for p in parts[2:] if ":" in p), "")
        if b.get("label"):
            labels[(workload, impl, arg)] = b["label"]
        for f in FIELDS:
            if f in b:
                runs[(workload, impl, arg)][f].append(b[f])
    rows = {}
    for key, fields in runs.items():
        rows[key] = {"values": dict(fields), "label": labels.get(key, ""),
                     "median": {f: statistics.median(v) for f, v in fields.items()},
                     "stddev": {f: statistics.stdev(v) if len(v) > 1 else 0.0
                                for f, v in fields.items()},
                     "n": max(len(v) for v in fields.values())}
    return data["context"], rows


def fmt(x, digits=1):
    return f"{x:.{digits}f}"


def ratio(a, b):
    return f"{a / b:.2f}" if a and b else "n/a"


def host_tables(rows, cores):
    out = []
    impls = sorted({k[1] for k in rows}, key=lambda i: (i not in PROJECT, PROJECT.index(i) if i in PROJECT else 0, i))
    # Thief counts whose threads (thieves + owner) fit the cores: the only ones in tables with
    # ratios and in the goals. The others go to the oversubscribed table.
    fits = [k for k in ("1", "2", "3") if int(k) + 1 <= cores]
    over = [k for k in ("1", "2", "3") if k not in fits]

    def med(w, i, a, key):
        r = rows.get((w, i, a), {})
        return r.get("median", {}).get(key), r.get("stddev", {}).get(key)

    def rate(w, i, k):
        m, s = med(w, i, k, "items_per_second")
        return f"{fmt(m / 1e6)} ± {fmt((s or 0) / 1e6)}" if m else "n/a"

    # 1. owner push + pop: ns per item (push + pop), with 0 and 16 items already queued
    out += ["### 1. Owner only: push then pop, 0 or 16 items already queued (ns per push+pop, "
            "lower is better; ratios: this / the reference of the same order, below 1 is faster)", "",
            "| implementation | order | depth 0 ns | stddev | depth 16 ns | stddev | depth 16 / locked "
            "(FIFO) | depth 16 / locked-lifo (LIFO) |", "|---|---|---:|---:|---:|---:|---:|---:|"]
    base_fifo = med("owner_push_pop", "locked", "16", "real_time")[0]
    base_lifo = med("owner_push_pop", "locked-lifo", "16", "real_time")[0]
    for i in impls:
        m0, s0 = med("owner_push_pop", i, "0", "real_time")
        m16, s16 = med("owner_push_pop", i, "16", "real_time")
        if m0 is None and m16 is None:
            continue
        lifo = i in LIFO
        out.append(f"| {i} | {'LIFO' if lifo else 'FIFO'} | {fmt(m0, 2) if m0 else 'n/a'} | "
                   f"{fmt(s0 or 0, 2)} | {fmt(m16, 2) if m16 else 'n/a'} | {fmt(s16 or 0, 2)} | "
                   f"{'' if lifo else ratio(m16, base_fifo)} | {ratio(m16, base_lifo) if lifo else ''} |")
    out.append("")

    # 2 and 3. handover: items per second through the thieves, threads that fit the cores
    def best_peer(w, k):
        peers = [(med(w, i, k, "items_per_second")[0] or 0, i) for i in impls if i not in PROJECT]
        peers = [p for p in peers if p[0]]
        return max(peers) if peers else (0, None)

    ks = ", ".join(f"K={k}" for k in fits)
    for w, title in (
            ("handover_free", "2. Handover, no back-pressure: owner pushes 1 Mi items into a queue "
                              "that never fills, K thieves steal"),
            ("handover_bounded", "3. Handover, bounded: the same with every implementation held to "
                                 "1024 items in flight by one owner wait policy"),
            ("handover_full_ring", "3b. Handover, full ring: the same limit kept by each queue "
                                   "itself, a 1024-slot ring that refuses a push when full, the "
                                   "owner retrying at once (fixed-capacity queues only)")):
        best, best_name = best_peer(w, "1")
        out += [f"### {title} ({ks}, each thread pinned to a core of its own; M items/s, higher is "
                f"better; ratios: this / other, above 1 is faster)", "",
                "| implementation | " + " | ".join(f"K={k}" for k in fits) +
                f" | K=1 / locked | K=1 / best peer ({best_name}) |",
                "|---|" + "---:|" * (len(fits) + 2)]
        for i in [i for i in impls if any((w, i, k) in rows for k in fits)]:
            m1 = med(w, i, "1", "items_per_second")[0]
            out.append(f"| {i} | " + " | ".join(rate(w, i, k) for k in fits) +
                       f" | {ratio(m1, med(w, 'locked', '1', 'items_per_second')[0])} | {ratio(m1, best)} |")
        out.append("")

    # 4. contended tail: behaviour of the last-item race, not a contest
    out += [f"### 4. Contended tail: owner pushes one and pops one, K thieves steal ({ks}). Not scored: "
            "a deque whose thieves rarely win the race leaves its owner alone and so moves more items; "
            "the columns say how the race goes, not which is better", "",
            "| implementation | " + " | ".join(f"items M/s K={k}" for k in fits) +
            " | owner ns/pair K=1 | steal success K=1 | share stolen K=1 |",
            "|---|" + "---:|" * (len(fits) + 3)]
    for i in [i for i in impls if ("contended_tail", i, "1") in rows]:
        m1 = med("contended_tail", i, "1", "items_per_second")[0]
        sr = med("contended_tail", i, "1", "steal_success")[0]
        sh = med("contended_tail", i, "1", "stolen_share")[0]
        out.append(f"| {i} | " + " | ".join(rate("contended_tail", i, k) for k in fits) +
                   f" | {fmt(1e9 / m1, 1) if m1 else 'n/a'} | {fmt(100 * sr, 2) + ' %' if sr is not None else 'n/a'}"
                   f" | {fmt(100 * sh, 2) + ' %' if sh is not None else 'n/a'} |")
    out.append("")

    # Oversubscribed: more threads than cores, threads unpinned
    if over:
        out += [f"### Oversubscribed: more threads than the {cores} cores (M items/s; threads not "
                "pinned). These mostly measure a thread descheduled while others wait for it (for "
                "the locked deque a preempted lock holder, which the kernel rules out by holding its "
                "locks with interrupts off): in no ratio and no goal", "",
                "| workload | implementation | " + " | ".join(f"K={k}" for k in over) + " |",
                "|---|---|" + "---:|" * len(over)]
        for w in ("handover_free", "handover_bounded", "handover_full_ring", "contended_tail"):
            for i in [i for i in impls if any((w, i, k) in rows for k in over)]:
                out.append(f"| {w} | {i} | " + " | ".join(rate(w, i, k) for k in over) + " |")
        out.append("")

    # 5. fork-join
    fj = [k for k in rows if k[0] == "fork_join_fib"]
    fib = fj[0][2] if fj else ""
    workers = next((rows[k]["label"] for k in fj if rows[k].get("label")), "? workers")
    out += [f"### 5. Fork-join: fib({fib}) call tree, one task per node, {workers} (M nodes/s, "
            "higher is better; ratio: this / oneTBB nested task_group, above 1 is faster). The "
            "project's pool makes its nodes before the clock starts and oneTBB inside it: the "
            "ratio compares pool designs as much as deques", "",
            "| implementation | median M nodes/s | stddev | / tbb-task_group |", "|---|---:|---:|---:|"]
    tbb = med("fork_join_fib", "tbb-task_group", fib, "items_per_second")[0]
    for i in sorted({k[1] for k in rows if k[0] == "fork_join_fib"}):
        m, s = med("fork_join_fib", i, fib, "items_per_second")
        out.append(f"| {i} | {fmt(m / 1e6)} | {fmt((s or 0) / 1e6)} | {ratio(m, tbb)} |")
    out.append("")
    return out, impls


# A goal is decided only with this many repetitions a side or more (--quick runs 2: no verdict).
MIN_REPS = 5
RESAMPLES = 4000


def ratio_interval(num, den, rng):
    """95% percentile-bootstrap interval of median(num) / median(den). The two sides' repetitions
    are resampled independently: they ran interleaved at random, so a slow spell of the host may
    fall on any of them."""
    rs = sorted(statistics.median(rng.choices(num, k=len(num))) /
                statistics.median(rng.choices(den, k=len(den))) for _ in range(RESAMPLES))
    return rs[int(0.025 * RESAMPLES)], rs[int(0.975 * RESAMPLES) - 1]


def verdict(interval, op, target, n):
    """met: the whole interval on the goal's side of the target; missed: the whole interval on the
    other; else not decided."""
    if n < MIN_REPS:
        return f"not decided ({n} repetitions)"
    lo, hi = interval
    good, bad = (hi <= target, lo > target) if op == "<=" else (lo >= target, hi < target)
    return "met" if good else "missed" if bad else "not decided"


def goals_table(rows):
    """The goals of docs/benchmarks.md, each decided from this run: the ratio of medians, its 95%
    bootstrap interval, and a verdict only where the interval clears the target."""
    def m(w, i, a, key="items_per_second"):
        return rows.get((w, i, a), {}).get("median", {}).get(key)

    def v(w, i, a, key="items_per_second"):
        return rows.get((w, i, a), {}).get("values", {}).get(key) or []

    def peers(w):
        return [(m(w, i, "1"), i) for (ww, i, a) in rows if ww == w and a == "1" and i not in PROJECT
                and m(w, i, "1")]

    goals = []  # (goal, ratio of medians, (low, high), target, compared with, verdict)
    rng = random.Random(20261203)  # a fixed seed: the same run gives the same intervals

    def add(goal, w, num, den, a, op, target, key="items_per_second"):
        nv, dv = v(w, num, a, key), v(w, den, a, key)
        if not nv or not dv:
            goals.append((goal, None, None, f"{op} {target}", den, "not measured"))
            return
        r = statistics.median(nv) / statistics.median(dv)
        ci = ratio_interval(nv, dv, rng)
        goals.append((goal, r, ci, f"{op} {target}", den,
                      verdict(ci, op, target, min(len(nv), len(dv)))))

    add("owner path, depth 16: lockfree-lifo / locked-lifo (ns)", "owner_push_pop",
        "lockfree-lifo", "locked-lifo", "16", "<=", 0.6, "real_time")
    add("owner path, depth 16: lockfree / crossbeam FIFO worker (ns)", "owner_push_pop",
        "lockfree", "crossbeam", "16", "<=", 1.0, "real_time")
    add("owner path, depth 16: lockfree-lifo / xenium, LIFO against LIFO (ns)", "owner_push_pop",
        "lockfree-lifo", "xenium", "16", "<=", 1.0, "real_time")
    for w, over_locked in (("handover_free", 3.0), ("handover_bounded", 3.0),
                           ("handover_full_ring", 2.0)):
        best = max(peers(w), default=(None, "no peer"))
        add(f"{w} K=1: lockfree / best peer (items/s)", w, "lockfree", best[1], "1", ">=", 1.0)
        add(f"{w} K=1: lockfree / locked (items/s)", w, "lockfree", "locked", "1", ">=",
            over_locked)
    add("handover_free K=1: lockfree-lifo / xenium, LIFO against LIFO (items/s)", "handover_free",
        "lockfree-lifo", "xenium", "1", ">=", 1.0)
    fib = next((a for (w, i, a) in rows if w == "fork_join_fib"), "")
    add(f"fork-join fib({fib}): lockfree-lifo / tbb-task_group (nodes/s)", "fork_join_fib",
        "lockfree-lifo", "tbb-task_group", fib, ">=", 1.0)
    out = ["### Goals, decided from this run", "",
           f"A goal is met only when the 95% bootstrap interval of its ratio lies wholly on the "
           f"goal's side of the target, missed when it lies wholly on the other side, and not "
           f"decided otherwise (or with fewer than {MIN_REPS} repetitions, as in `--quick`).", "",
           "| goal | measured | 95% interval | target | against | verdict |",
           "|---|---:|---:|---|---|---|"]
    for goal, r, ci, target, against, decided in goals:
        out.append(f"| {goal} | {f'{r:.2f}' if r is not None else 'n/a'} | "
                   f"{f'{ci[0]:.2f}-{ci[1]:.2f}' if ci else 'n/a'} | {target} | {against} | "
                   f"{decided} |")
    out.append("")
    return out


def handover_dat(rows, impls, path, workload="handover_free"):
    cols = [i for i in impls if all(rows.get((workload, i, k)) for k in ("1", "2", "3"))]
    lines = ["thieves " + " ".join(cols)]
    for k in ("1", "2", "3"):
        vals = [rows[(workload, i, k)]["median"]["items_per_second"] / 1e6 for i in cols]
        lines.append(k + " " + " ".join(f"{v:.3f}" for v in vals))
    path.write_text("\n".join(lines) + "\n")


KB = re.compile(r"^KBENCH: (\S+) (\S+) smp=(\d+) value=([0-9.]+) unit=(\S+)$")


def kernel_table(path):
    if not path.exists():
        return []
    samples = defaultdict(list)
    for line in path.read_text().splitlines():
        m = KB.match(line.strip())
        if m:
            name, variant, smp, value, unit = m.groups()
            samples[(name, smp, unit)].append((variant, float(value)))
    out = ["### In-kernel (QEMU): medians over boots, with the range over boots; instructions under "
           "-icount (one hart; path_ lines at 2 and 4 harts count every hart, in the exact lane)", "",
           "| benchmark | smp | unit | locked | lockfree | lockfree / locked | locked range | lockfree range "
           "| boots |", "|---|---:|---|---:|---:|---:|---:|---:|---:|"]

    def span(xs):
        return f"{fmt(min(xs), 2)}-{fmt(max(xs), 2)}" if len(xs) > 1 else ""

    for (name, smp, unit), vals in sorted(samples.items()):
        if name.startswith("latency_"):
            continue  # latency_table, per lane
        if name.endswith("_time") and smp == "1":
            continue  # under -icount, time is instructions again
        if name.endswith("_instructions") and smp != "1" and not name.startswith("path_"):
            continue  # without -icount, rdinstret follows the host clock (path_ lines: exact lane)
        by = defaultdict(list)
        for v, x in vals:
            by[v].append(x)
        lk = statistics.median(by["locked"]) if by["locked"] else None
        lf = statistics.median(by["lockfree"]) if by["lockfree"] else None
        out.append(f"| {name} | {smp} | {unit} | {fmt(lk, 2) if lk else 'n/a'} | {fmt(lf, 2) if lf else 'n/a'} |"
                   f" {ratio(lf, lk)} | {span(by['locked'])} | {span(by['lockfree'])} |"
                   f" {len(by['locked'])}+{len(by['lockfree'])} |")
    out.append("")
    return out


KH = re.compile(r"^KHIST: (\S+) (\S+) smp=(\d+) unit=us buckets=([0-9,]+)$")
LAT_CASES = ("latency_normal", "latency_mixed_perfburst")
LAT_STATS = (("_p50", "p50 us"), ("_p99", "p99 us"), ("_p999", "p99.9 us"), ("_max", "max us"),
             ("_ipis_per_wake", "IPIs/wake"), ("_wakes_per_s", "wakes/s"))


def latency_lines(path):
    """{(case, lane-free smp, variant): {stat: [values over boots]}} and the KHIST bucket sums."""
    stats, hist = defaultdict(lambda: defaultdict(list)), defaultdict(lambda: None)
    if not path.exists():
        return stats, hist
    for line in path.read_text().splitlines():
        m = KB.match(line.strip())
        if m and m.group(1).startswith("latency_"):
            name, variant, smp, value, _ = m.groups()
            for case in LAT_CASES:
                if name.startswith(case + "_"):
                    stats[(case, int(smp), variant)][name[len(case):]].append(float(value))
        h = KH.match(line.strip())
        if h:
            case, variant, smp, buckets = h.groups()
            counts = [int(x) for x in buckets.split(",")]
            old = hist[(case, int(smp), variant)]
            hist[(case, int(smp), variant)] = counts if old is None else [a + b for a, b in zip(old, counts)]
    return stats, hist


def latency_table(exact_path, mt_path, out_dir):
    """Wake-to-run latency per case, lane, harts and variant (medians over boots), and the data
    files of the histogram plot: exact lane at 4 harts, multi-threaded lane at 4 harts."""
    lanes = (("exact", latency_lines(exact_path)), ("multi-threaded", latency_lines(mt_path)))
    if not any(s for _, (s, _) in lanes):
        return []
    out = ["### In-kernel wake-to-run latency (kernel/tests/kbench_latency.cpp): guest time; exact "
           "lane one boot each, multi-threaded lane medians over boots", "",
           "| case | lane | smp | variant | " + " | ".join(h for _, h in LAT_STATS) + " |",
           "|---|---|---:|---|" + "---:|" * len(LAT_STATS)]
    for case in LAT_CASES:
        for lane, (stats, _) in lanes:
            for key in sorted(k for k in stats if k[0] == case):
                _, smp, variant = key
                cells = [fmt(statistics.median(stats[key][s]), 1) if stats[key].get(s) else "n/a"
                         for s, _ in LAT_STATS]
                out.append(f"| {case[len('latency_'):]} | {lane} | {smp} | {variant} | "
                           + " | ".join(cells) + " |")
    out.append("")
    for (lane, (_, hist)), name in zip(lanes, ("latency-exact.dat", "latency-mt.dat")):
        series = [(f"{case[len('latency_'):]}-{v}", hist[(case, 4, v)]) for case in LAT_CASES
                  for v in ("locked", "lockfree") if hist.get((case, 4, v))]
        n = max((len(c) for _, c in series), default=0)
        lines = ["bucket " + " ".join(s for s, _ in series)]
        for b in range(n):
            label = ("<1" if b == 0 else "1" if b == 1 else f">={1 << (b - 1)}" if b == n - 1
                     else f"{1 << (b - 1)}-{(1 << b) - 1}")
            lines.append(f"{label} " + " ".join(str(c[b]) for _, c in series))
        (out_dir / name).write_text("\n".join(lines) + "\n")
    return out


def callgrind_table(path):
    """Instructions per pair from callgrind.txt lines "<variant> <fifo|lifo|steal> <Ir>".

    callgrind_annotate lists a function once per source file it spans; the inclusive total is the
    largest of those lines."""
    if not path.exists():
        return []
    ir = {}
    for line in path.read_text().splitlines():
        variant, kind, total = line.split()
        ir[(variant, kind)] = max(ir.get((variant, kind), 0), int(total) / 1e6)
    out = ["### Owner fast path on the host: instructions per pair (valgrind --tool=callgrind)", "",
           "| pair | locked | lockfree | lockfree / locked |", "|---|---:|---:|---:|"]
    for kind, label in (("fifo", "push + pop (FIFO)"), ("lifo", "push + take (LIFO)"), ("steal", "push + steal")):
        lk, lf = ir.get(("locked", kind)), ir.get(("lockfree", kind))
        out.append(f"| {label} | {fmt(lk, 1) if lk else 'n/a'} | {fmt(lf, 1) if lf else 'n/a'} | {ratio(lf, lk)} |")
    out.append("")
    return out


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--check-json":
        # For the smoke test: fail, naming them, if any benchmark reported an error.
        failed = errors_in(json.loads(Path(sys.argv[2]).read_text())["benchmarks"])
        for f in failed:
            print(f"report: failed: {f}")
        print(f"report: {len(failed)} benchmarks failed")
        sys.exit(1 if failed else 0)
    results = Path(sys.argv[1])
    def by_rep(p):
        return int(p.name.split(".")[1])
    hosts = sorted(results.glob("host.*.json"), key=by_rep) or [results / "host.json"]
    peers = sorted(results.glob("crossbeam.*.json"), key=by_rep) or \
        [p for p in [results / "crossbeam.json"] if p.exists()]
    context, rows = load_host(hosts + peers)
    meta = dict(l.split(" ", 1) for l in (results / "meta.txt").read_text().splitlines()
                if " " in l) if (results / "meta.txt").exists() else {}
    cores = int(context.get("cores") or context.get("num_cpus") or 2)  # those host_bench may use
    tables, impls = host_tables(rows, cores)
    reps = sorted({r.get("n", 0) for r in rows.values() if r.get("n")})
    trip = rows.get(("cacheline_round_trip", "", ""), {}).get("median", {}).get("ns_per_round_trip")
    load = (f"load average {meta['load_before']} before the host benchmarks and "
            f"{meta['load_after']} after them" if "load_before" in meta and "load_after" in meta
            else f"load average {', '.join(f'{x:.2f}' for x in context.get('load_avg', []))} at "
                 f"start")
    rust = (f"; the Rust peer built by Debian's cargo {meta['cargo']} with {meta['crate']}, its "
            f"repetitions run between the C++ ones" if "cargo" in meta else "")
    header = [f"Machine: {context.get('num_cpus')} CPUs at {context.get('mhz_per_cpu')} MHz, "
              f"{load}; "
              f"{context.get('date')}; {context.get('library_build_type')} Google Benchmark{rust}; "
              f"medians over every repetition ({'/'.join(map(str, reps))} each), computed by "
              f"bench/report.py, ± one standard deviation."
              + (f" A cache line's round trip between two cores: {trip:.0f} ns (median)." if trip else "")
              + " Compare machines by these, not by absolute numbers.", ""]
    report = (header + goals_table(rows) + tables + callgrind_table(results / "callgrind.txt")
              + kernel_table(results / "kbench.txt")
              + latency_table(results / "kbench-exact.txt", results / "kbench.txt", results))
    handover_dat(rows, impls, results / "handover.dat")
    text = "\n".join(report)
    if len(sys.argv) > 3 and sys.argv[2] == "--into":
        doc = Path(sys.argv[3])
        body = doc.read_text()
        begin, end = "<!-- bench:begin -->", "<!-- bench:end -->"
        head, rest = body.split(begin, 1)
        _, tail = rest.split(end, 1)
        doc.write_text(head + begin + "\n" + text + "\n" + end + tail)
    else:
        (results / "report.md").write_text(text + "\n")


if __name__ == "__main__":
    main()
