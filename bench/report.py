#!/usr/bin/env python3
"""Turns bench/results/{host.json,kbench.txt} into Markdown tables and the plot's data file.

Usage: report.py RESULTS_DIR [--into DOC.md]
       report.py --check-json HOST.json     exit 1 naming every benchmark that reported an error
Every ratio compares medians from the same run, computed here over every repetition; a run in
which any benchmark reported an error (lost or duplicated items) writes no report. With --into, the tables replace the text between
the '<!-- bench:begin -->' and '<!-- bench:end -->' lines of DOC.md.
"""
import json
import re
import statistics
import sys
from collections import defaultdict
from pathlib import Path

PROJECT = ["locked", "lockfree", "lockfree-split", "locked-lifo", "lockfree-lifo"]
# Implementations whose owner pop takes the newest item (bench/peers.h); the rest pop the oldest.
LIFO = {"locked-lifo", "lockfree-lifo", "xenium", "mutex-deque", "crossbeam-lifo"}


FIELDS = ("real_time", "items_per_second", "steal_success", "stolen_per_s", "ns_per_round_trip")


def errors_in(benchmarks):
    """Every run Google Benchmark marked as failed (an exactly-once check, a queue that would not
    hold its items): such a run has no numbers, and its workload must not be reported."""
    return [f"{b['name']}: {b.get('error_message', 'error')}" for b in benchmarks
            if b.get("error_occurred")]


def load_host(path, extra=()):
    """{(workload, impl, arg): {"median"/"stddev": {field: value}, "n": repetitions}} from Google
    Benchmark JSON with every repetition in it; the medians are computed here, over all of them.
    Extra files in the same shape (the crossbeam peer's) may carry aggregates only."""
    data = json.loads(path.read_text())
    benchmarks = list(data["benchmarks"])
    for e in extra:
        if e.exists():
            benchmarks += json.loads(e.read_text())["benchmarks"]
    failed = errors_in(benchmarks)
    if failed:
        sys.exit("report: benchmarks failed, no report written:\n  " + "\n  ".join(failed))
    runs = defaultdict(lambda: defaultdict(list))
    aggregates = defaultdict(dict)
    for b in benchmarks:
        parts = [p for p in b["run_name"].split("/") if p not in ("manual_time", "real_time")]
        workload, impl = parts[0], parts[1] if len(parts) > 1 else ""
        arg = next((p.split(":")[1] for p in parts[2:] if ":" in p), "")
        key = (workload, impl, arg)
        if b.get("run_type") == "aggregate":
            aggregates[key][b["aggregate_name"]] = b
        else:
            for f in FIELDS:
                if f in b:
                    runs[key][f].append(b[f])
    rows = {}
    for key in set(runs) | set(aggregates):
        if key in runs:
            fields = runs[key]
            rows[key] = {"median": {f: statistics.median(v) for f, v in fields.items()},
                         "stddev": {f: statistics.stdev(v) if len(v) > 1 else 0.0
                                    for f, v in fields.items()},
                         "n": max(len(v) for v in fields.values())}
        else:
            rows[key] = dict(aggregates[key])
    return data["context"], rows


def fmt(x, digits=1):
    return f"{x:.{digits}f}"


def ratio(a, b):
    return f"{a / b:.2f}" if a and b else "n/a"


def host_tables(rows):
    out = []
    impls = sorted({k[1] for k in rows}, key=lambda i: (i not in PROJECT, PROJECT.index(i) if i in PROJECT else 0, i))

    def med(w, i, a, key):
        r = rows.get((w, i, a), {})
        return r.get("median", {}).get(key), r.get("stddev", {}).get(key)

    # 1. owner push + pop: ns per item (push + pop), with 0 and 16 items already queued
    out += ["### 1. Owner only: push then pop, 0 or 16 items already queued (ns per push+pop, "
            "lower is better; ratios: this / locked of the same order, below 1 is faster)", "",
            "| implementation | depth 0 ns | stddev | depth 16 ns | stddev | depth 16 / locked (FIFO) "
            "| depth 16 / locked-lifo (LIFO) |", "|---|---:|---:|---:|---:|---:|---:|"]
    base_fifo = med("owner_push_pop", "locked", "16", "real_time")[0]
    base_lifo = med("owner_push_pop", "locked-lifo", "16", "real_time")[0]
    for i in impls:
        m0, s0 = med("owner_push_pop", i, "0", "real_time")
        m16, s16 = med("owner_push_pop", i, "16", "real_time")
        if m0 is None and m16 is None:
            continue
        lifo = i in LIFO
        out.append(f"| {i} | {fmt(m0, 2) if m0 else 'n/a'} | {fmt(s0 or 0, 2)} | "
                   f"{fmt(m16, 2) if m16 else 'n/a'} | {fmt(s16 or 0, 2)} | "
                   f"{'' if lifo else ratio(m16, base_fifo)} | {ratio(m16, base_lifo) if lifo else ''} |")
    out.append("")

    # 2, 3 and 4. items per second by thieves
    def best_peer(w):
        peers = [(med(w, i, "1", "items_per_second")[0] or 0, i) for i in impls if i not in PROJECT]
        return max(peers) if peers else (0, None)

    for w, title in (
            ("handover_free", "2. Handover, no back-pressure: owner pushes 1 Mi items into a queue "
                              "that never fills, K thieves steal"),
            ("handover_bounded", "3. Handover, bounded: the same with every implementation held to "
                                 "1024 items in flight by one owner wait policy"),
            ("contended_tail", "4. Contended tail: owner pushes one and pops one, K thieves steal")):
        best, best_name = best_peer(w)
        out += [f"### {title} (M items/s, higher is better; ratios: this / other, above 1 is "
                f"faster; K=2 and K=3 put more threads than cores on 2 cores: oversubscribed)", "",
                f"| implementation | K=1 | K=2 | K=3 | K=1 / locked | K=1 / best peer ({best_name}) |" +
                (" steal success K=1 | stolen M/s K=1 |" if w == "contended_tail" else ""),
                "|---|---:|---:|---:|---:|---:|" + ("---:|---:|" if w == "contended_tail" else "")]
        for i in [i for i in impls if (w, i, "1") in rows]:
            cells = []
            for k in ("1", "2", "3"):
                m, s = med(w, i, k, "items_per_second")
                cells.append(f"{fmt(m / 1e6)} ± {fmt((s or 0) / 1e6)}" if m else "n/a")
            m1 = med(w, i, "1", "items_per_second")[0]
            line = f"| {i} | " + " | ".join(cells) + f" | {ratio(m1, med(w, 'locked', '1', 'items_per_second')[0])}" \
                   f" | {ratio(m1, best)} |"
            if w == "contended_tail":
                sr = med(w, i, "1", "steal_success")[0]
                sp = med(w, i, "1", "stolen_per_s")[0]
                line += f" {fmt(100 * sr, 2) + ' %' if sr is not None else 'n/a'} | {fmt(sp / 1e6, 3) if sp else 'n/a'} |"
            out.append(line)
        out.append("")

    # 5. fork-join
    out += ["### 5. Fork-join: fib(30) call tree, one task per node, 2 workers (M nodes/s, higher "
            "is better; ratio: this / oneTBB nested task_group, above 1 is faster)", "",
            "| implementation | median M nodes/s | stddev | / tbb-task_group |", "|---|---:|---:|---:|"]
    tbb = med("fork_join_fib", "tbb-task_group", "30", "items_per_second")[0]
    for i in sorted({k[1] for k in rows if k[0] == "fork_join_fib"}):
        m, s = med("fork_join_fib", i, "30", "items_per_second")
        out.append(f"| {i} | {fmt(m / 1e6)} | {fmt((s or 0) / 1e6)} | {ratio(m, tbb)} |")
    out.append("")
    return out, impls


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
    out = ["### In-kernel (QEMU): medians over boots; instructions from one hart under -icount", "",
           "| benchmark | smp | unit | locked | lockfree | lockfree / locked | boots |", "|---|---:|---|---:|---:|---:|---:|"]
    for (name, smp, unit), vals in sorted(samples.items()):
        if name.endswith("_time") and smp == "1":
            continue  # under -icount, time is instructions again
        if name.endswith("_instructions") and smp != "1":
            continue  # without -icount, rdinstret follows the host clock
        by = defaultdict(list)
        for v, x in vals:
            by[v].append(x)
        lk = statistics.median(by["locked"]) if by["locked"] else None
        lf = statistics.median(by["lockfree"]) if by["lockfree"] else None
        out.append(f"| {name} | {smp} | {unit} | {fmt(lk, 2) if lk else 'n/a'} | {fmt(lf, 2) if lf else 'n/a'} |"
                   f" {ratio(lf, lk)} | {len(by['locked'])}+{len(by['lockfree'])} |")
    out.append("")
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
    context, rows = load_host(results / "host.json", [results / "crossbeam.json"])
    tables, impls = host_tables(rows)
    reps = sorted({r.get("n", 0) for r in rows.values() if r.get("n")})
    trip = rows.get(("cacheline_round_trip", "", ""), {}).get("median", {}).get("ns_per_round_trip")
    header = [f"Machine: {context.get('num_cpus')} CPUs at {context.get('mhz_per_cpu')} MHz, "
              f"load average {', '.join(f'{x:.2f}' for x in context.get('load_avg', []))} at start; "
              f"{context.get('date')}; {context.get('library_build_type')} Google Benchmark; "
              f"medians over every repetition ({'/'.join(map(str, reps))} each), computed by "
              f"bench/report.py, ± one standard deviation."
              + (f" A cache line's round trip between two cores: {trip:.0f} ns (median)." if trip else "")
              + " Compare machines by these, not by absolute numbers.", ""]
    report = header + tables + callgrind_table(results / "callgrind.txt") + kernel_table(results / "kbench.txt")
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
