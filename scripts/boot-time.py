#!/usr/bin/env python3
"""Boot and selftest time against hart count: boots the built kernels in QEMU, timestamps each
console line on the host, and prints a Markdown table of the median of each phase:

  firmware      QEMU start to the kernel's first line (QEMU and OpenSBI)
  harts start   to KSELFTEST: begin (every secondary leaves the firmware for the kernel's pen)
  single-CPU    the selftests on cpu0 alone
  bring-up      the secondaries let out of the pen, KINIT lines
  SMP tests     the SMP selftests, to KSELFTEST: end
and the slowest selftests; CPUs is how many came online (the firmware starts at most 128 harts).
With --plot FILE it also draws the totals (gnuplot).

Usage: scripts/boot-time.py [--smp 1,2,4,8,16,32,64,128,256x1,512x1] [--repeat 3]
                            [--variants locked,lockfree] [--plot docs/img/boot-time.png]
An SMP count NxR boots N harts R times instead of --repeat (for the slow large machines).
Kernels: build/qemu-<variant>/kernel/neuron.elf (cmake --preset qemu-<variant> && cmake --build --preset qemu-<variant>).
"""
import argparse
import os
import statistics
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PHASES = ["firmware", "harts start", "single-CPU", "bring-up", "SMP tests"]


def die(msg):
    print(f"boot-time: {msg}", file=sys.stderr)
    sys.exit(2)


def boot(kernel, smp, timeout):
    """One boot: [(seconds since QEMU started, console line)]."""
    cmd = ["qemu-system-riscv64", "-machine", "virt", "-bios", "default", "-nographic", "-m",
           "128M", "-smp", str(smp), "-kernel", kernel]
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         stdin=subprocess.DEVNULL)
    timer = threading.Timer(timeout, p.kill)
    timer.start()
    lines = []
    for raw in p.stdout:
        lines.append((time.monotonic() - t0, raw.decode(errors="replace").strip()))
    p.wait()
    timer.cancel()
    return lines


def phases(lines, smp):
    def first(pred):
        for t, l in lines:
            if pred(l):
                return t
        return None

    kernel = first(lambda l: l == "NEURON SMP kernel")
    begin = first(lambda l: l == "KSELFTEST: begin")
    end = first(lambda l: l == "KSELFTEST: end")
    if None in (kernel, begin, end):
        return None
    kinit = [t for t, l in lines if l.startswith("KINIT: cpu") and not l.startswith("KINIT: cpu0")]
    # The single-CPU phase ends where bring-up starts (the line before the first secondary's).
    if smp > 1 and kinit:
        up_end = max(t for t, l in lines if l.startswith("KSELFTEST:") and t <= kinit[0])
        online = kinit[-1]
    else:
        up_end = online = end
    cpus = 1 + sum(1 for _, l in lines if l.startswith("KINIT: cpu") and l.endswith(" online")
                   and not l.startswith("KINIT: cpu0"))
    times = {"cpus": cpus, "firmware": kernel, "harts start": begin - kernel, "single-CPU": up_end - begin,
             "bring-up": online - up_end, "SMP tests": end - online, "total": end}
    tests, prev = {}, begin
    for t, l in lines:
        if l.startswith("KSELFTEST: ") and l.endswith(" ok"):
            tests[l[len("KSELFTEST: "):-3]] = t - prev
            prev = t
        elif l == "KSELFTEST: begin" or (l.startswith("KINIT: cpu") and t > begin):
            prev = t
    return times, tests


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--smp", default="1,2,4,8,16,32,64,128,256x1,512x1")
    ap.add_argument("--repeat", type=int, default=3, help="boots per configuration (median)")
    ap.add_argument("--variants", default="locked,lockfree")
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds per boot")
    ap.add_argument("--plot", help="also write a PNG of the totals (needs gnuplot)")
    args = ap.parse_args()
    try:
        smps = [(int(n), int(r or args.repeat))
                for n, _, r in (item.partition("x") for item in args.smp.split(","))]
    except ValueError:
        die(f"--smp must be a comma-separated list of N or NxR (got '{args.smp}')")
    if any(r < 1 or not 1 <= n <= 512 for n, r in smps):
        die("each repeat must be at least 1, and each SMP count 1..512")
    variants = args.variants.split(",")
    for v in variants:
        if v not in ("locked", "lockfree"):
            die(f"unknown variant '{v}' (allowed: locked, lockfree)")
        if not os.path.exists(f"{ROOT}/build/qemu-{v}/kernel/neuron.elf"):
            die(f"no kernel for {v}: cmake --build --preset qemu-smp4-{v}")

    rows, totals = [], {v: [] for v in variants}
    print(f"| harts | CPUs | variant | boots | {' | '.join(PHASES)} | total | slowest selftests |")
    print("|---:|---:|---|---:|" + "---:|" * (len(PHASES) + 1) + "---|")
    for smp, repeat in smps:
        for v in variants:  # interleaved, so drift on the host falls on both variants alike
            runs = []
            for _ in range(repeat):
                got = phases(boot(f"{ROOT}/build/qemu-{v}/kernel/neuron.elf", smp,
                                  args.timeout), smp)
                if got is None:
                    print(f"boot-time: smp={smp} {v}: the boot did not reach KSELFTEST: end",
                          file=sys.stderr)
                    sys.exit(1)
                runs.append(got)
            med = {k: statistics.median(r[0][k] for r in runs) for k in PHASES + ["total", "cpus"]}
            test_med = {k: statistics.median(r[1].get(k, 0) for r in runs) for k in runs[0][1]}
            slow = sorted(test_med.items(), key=lambda kv: -kv[1])[:3]
            slow_s = ", ".join(f"{k} {t:.2f}" for k, t in slow)
            cells = " | ".join(f"{med[k]:.2f}" for k in PHASES)
            print(f"| {smp} | {med['cpus']:.0f} | {v} | {repeat} | {cells} | **{med['total']:.2f}** "
                  f"| {slow_s} |", flush=True)
            totals[v].append((smp, med["total"], med["firmware"]))
    if args.plot:
        plot(totals, args.plot)


def plot(totals, path):
    data = os.path.splitext(path)[0] + ".dat"
    with open(data, "w") as f:
        for v, pts in totals.items():
            f.write(f"# {v}\n")
            for smp, total, firmware in pts:
                f.write(f"{smp} {total:.3f} {firmware:.3f}\n")
            f.write("\n\n")
    # Per variant: the kernel's part (its first line to the end of the selftests) solid, the
    # firmware's (QEMU and OpenSBI before the kernel runs) dashed; log scale, as the firmware's
    # part past 128 harts is minutes and varies from boot to boot.
    series = ", ".join(
        f"'{data}' index {i} using 1:($2-$3) with linespoints title 'kernel and selftests, {v}', "
        f"'{data}' index {i} using 1:3 with linespoints dashtype 2 title 'firmware, {v} boots'"
        for i, v in enumerate(totals))
    script = f"""set terminal pngcairo size 900,500
set output '{path}'
set logscale x 2
set logscale y
set xlabel 'harts (CPUs online: all up to 128, then 128)'
set ylabel 'seconds (median)'
set key left top
set grid
plot {series}
"""
    subprocess.run(["gnuplot"], input=script.encode(), check=True)
    os.remove(data)


if __name__ == "__main__":
    main()
