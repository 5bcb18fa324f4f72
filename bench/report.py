#!/usr/bin/env python3
"""Turns bench/results/{host.json,kbench.txt} into Markdown tables and the plot's data file.

Usage: report.py RESULTS_DIR [--into DOC.md]
Every ratio compares medians from the same run. With --into, the tables replace the text between
the '<!-- bench:begin -->' and '<!-- bench:end -->' lines of DOC.md.
"""
import json
import re
import statistics
import sys
from collections import defaultdict
from pathlib import Path

PROJECT = ["locked", "lockfree", "lockfree-split", "locked-lifo", "lockfree-lifo"]


def load_host(path, extra=()):
    """{(workload, impl, arg): {aggregate: row}} from Google Benchmark JSON (and extra files in
    the same shape, such as the crossbeam peer's)."""
    data = json.loads(path.read_text())
    rows = defaultdict(dict)
    benchmarks = list(data["benchmarks"])
    for e in extra:
        if e.exists():
            benchmarks += json.loads(e.read_text())["benchmarks"]
    for b in benchmarks:
        if b.get("run_type") != "aggregate":
            continue
        parts = b["run_name"].split("/")
        workload, impl = parts[0], parts[1]
        arg = next((p.split(":")[1] for p in parts[2:] if ":" in p), "")
        rows[(workload, impl, arg)][b["aggregate_name"]] = b
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

    # 1. owner push + pop: ns per item (push + pop)
    out += ["### 1. Owner only: push then pop (ns per push+pop, lower is better)", "",
            "| implementation | median ns | stddev | / locked | / lockfree |", "|---|---:|---:|---:|---:|"]
    base_l = med("owner_push_pop", "locked", "", "real_time")[0]
    base_f = med("owner_push_pop", "lockfree", "", "real_time")[0]
    for i in impls:
        m, s = med("owner_push_pop", i, "", "real_time")
        if m is not None:
            out.append(f"| {i} | {fmt(m, 2)} | {fmt(s or 0, 2)} | {ratio(m, base_l)} | {ratio(m, base_f)} |")
    out.append("")

    # 2 and 3. items per second by thieves
    for w, title in (("handover", "2. Handover: owner pushes 1 Mi items, K thieves steal (M items/s, higher is better)"),
                     ("contended_tail", "3. Contended tail: owner pushes one and pops one, K thieves steal (M items/s)")):
        out += [f"### {title}", "", "| implementation | K=1 | K=2 | K=3 | K=1 / locked | K=1 / moodycamel |" +
                (" steal success K=1 | stolen M/s K=1 |" if w == "contended_tail" else ""),
                "|---|---:|---:|---:|---:|---:|" + ("---:|---:|" if w == "contended_tail" else "")]
        for i in [i for i in impls if (w, i, "1") in rows]:
            cells = []
            for k in ("1", "2", "3"):
                m, s = med(w, i, k, "items_per_second")
                cells.append(f"{fmt(m / 1e6)} ± {fmt((s or 0) / 1e6)}" if m else "n/a")
            m1 = med(w, i, "1", "items_per_second")[0]
            line = f"| {i} | " + " | ".join(cells) + f" | {ratio(m1, med(w, 'locked', '1', 'items_per_second')[0])}" \
                   f" | {ratio(m1, med(w, 'moodycamel', '1', 'items_per_second')[0])} |"
            if w == "contended_tail":
                sr = med(w, i, "1", "steal_success")[0]
                sp = med(w, i, "1", "stolen_per_s")[0]
                line += f" {fmt(100 * sr, 2) + ' %' if sr is not None else 'n/a'} | {fmt(sp / 1e6, 3) if sp else 'n/a'} |"
            out.append(line)
        out.append("")

    # 4. fork-join
    out += ["### 4. Fork-join: fib(30) call tree, one task per node, 2 workers (M tasks/s)", "",
            "| implementation | median M tasks/s | stddev | / tbb-task_group |", "|---|---:|---:|---:|"]
    tbb = med("fork_join_fib", "tbb-task_group", "30", "items_per_second")[0]
    for i in sorted({k[1] for k in rows if k[0] == "fork_join_fib"}):
        m, s = med("fork_join_fib", i, "30", "items_per_second")
        out.append(f"| {i} | {fmt(m / 1e6)} | {fmt((s or 0) / 1e6)} | {ratio(m, tbb)} |")
    out.append("")
    return out, impls


def handover_dat(rows, impls, path):
    cols = [i for i in impls if all(rows.get(("handover", i, k)) for k in ("1", "2", "3"))]
    lines = ["thieves " + " ".join(cols)]
    for k in ("1", "2", "3"):
        vals = [rows[("handover", i, k)]["median"]["items_per_second"] / 1e6 for i in cols]
        lines.append(k + " " + " ".join(f"{v:.3f}" for v in vals))
    path.write_text("\n".join(lines) + "\n")


KB = re.compile(r"^KBENCH: (\S+) (\S+) smp=(\d+) value=([0-9.]+) unit=(\S+)$")


def kernel_table(path):
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
    results = Path(sys.argv[1])
    context, rows = load_host(results / "host.json", [results / "crossbeam.json"])
    tables, impls = host_tables(rows)
    header = [f"Machine: {context.get('num_cpus')} CPUs at {context.get('mhz_per_cpu')} MHz, "
              f"load average {', '.join(f'{x:.2f}' for x in context.get('load_avg', []))} at start; "
              f"{context.get('date')}; {context.get('library_build_type')} Google Benchmark; "
              f"medians of the repetitions, ± one standard deviation.", ""]
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
