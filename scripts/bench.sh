#!/usr/bin/env bash
# Runs the host and in-kernel benchmarks and writes a report (not part of the test suite).
#   bench/results/host.N.json   Google Benchmark, repetition N of every benchmark (report.py takes
#                               the medians and decides the goals with bootstrap intervals)
#   bench/results/kbench.txt    KBENCH and KHIST lines of every QEMU boot (multi-threaded lane;
#                               path_ lines from the exact lane)
#   bench/results/kbench-exact.txt  latency KBENCH and KHIST lines of the exact lane (2, 4, 8 harts)
#   bench/results/callgrind.txt instructions per owner push+pop / push+take / push+steal pair
#   bench/results/crossbeam.N.json the Rust crossbeam-deque peer, repetition N, run between the
#                               C++ repetitions (Debian's /usr/bin/cargo and crate, built offline)
#   bench/results/meta.txt      load averages before and after, cargo and crate versions
#   bench/results/report.md     one Markdown table per workload, ratios from the same run
#   bench/results/handover.png  throughput vs thieves, per implementation (gnuplot)
#   bench/results/latency.png   wake-to-run latency histograms, exact and multi-threaded lanes
# Usage: scripts/bench.sh [--reps N] [--quick] [--update-docs]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NEURON_PROG=bench
source "$ROOT/scripts/lib.sh"
OUT="$ROOT/bench/results"
REPS=10  # enough for the bootstrap intervals to decide most goals on a quiet 2-core machine
MIN_TIME=0.2
UPDATE_DOCS=0

usage() { sed -n '2,/^# Usage:/p' "$0" | sed 's/^# \{0,1\}//'; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --reps) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || die "--reps needs a positive integer"
            REPS=$2; shift 2 ;;
    --quick) REPS=2; MIN_TIME=0.01; shift ;;
    --update-docs) UPDATE_DOCS=1; shift ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done

"$ROOT/scripts/deps.sh" build kernel host bench
mkdir -p "$OUT"
cd "$ROOT"

echo "== host benchmarks (${REPS} repetitions; $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg))"
rm -f "$OUT"/host.json "$OUT"/host.*.json "$OUT"/crossbeam.json "$OUT"/crossbeam.*.json
echo "load_before $(cut -d' ' -f1-3 /proc/loadavg)" > "$OUT/meta.txt"
build_preset host-bench 2>/dev/null
# Debian's cargo, by path: another one first on PATH would build against other crates.
CARGO=/usr/bin/cargo
crossbeam=0
if [[ -x "$CARGO" ]] && compgen -G "/usr/share/cargo/registry/crossbeam-deque-*" >/dev/null; then
  (cd bench/crossbeam && "$CARGO" build --release --quiet) && crossbeam=1
  echo "cargo $("$CARGO" --version | cut -d' ' -f2)" >> "$OUT/meta.txt"
  crate=$(basename "$(compgen -G "/usr/share/cargo/registry/crossbeam-deque-*" | sort -V | tail -1)")
  echo "crate ${crate}" >> "$OUT/meta.txt"
else
  echo "== crossbeam-deque peer skipped: needs ${CARGO} and librust-crossbeam-deque-dev"
fi
# Repetition by repetition, the C++ benchmarks (each process in a random order) and then the
# Rust peer: a slow spell of the host falls on both, as on every implementation alike.
for ((r = 1; r <= REPS; r++)); do
  echo "   repetition ${r} of ${REPS}"
  build/host-bench/bench/host_bench --benchmark_repetitions=1 --benchmark_min_time="$MIN_TIME" \
    --benchmark_enable_random_interleaving=true --benchmark_out="$OUT/host.$r.json" \
    --benchmark_out_format=json >/dev/null
  if [[ $crossbeam -eq 1 ]]; then
    bench/crossbeam/target/release/crossbeam-peer 1 > "$OUT/crossbeam.$r.json"
  fi
done

echo "== owner fast path under callgrind (instructions per pair; independent of machine load)"
: > "$OUT/callgrind.txt"
for v in "${NEURON_VARIANTS[@]}"; do
  valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.$v.out" build/host-bench/bench/owner_path "$v" >/dev/null 2>&1
  callgrind_annotate --inclusive=yes "$OUT/callgrind.$v.out" |
    sed -nE "s/^ *([0-9,]+) .*pairs_(fifo|lifo|steal)<.*/${v} \2 \1/p" | tr -d ',' >> "$OUT/callgrind.txt"
done

echo "== in-kernel benchmarks"
: > "$OUT/kbench.txt"
for v in "${NEURON_VARIANTS[@]}"; do
  build_preset "$(kernel_preset "$v" bench)"
  # One hart under -icount: rdinstret counts guest instructions, the same on every run.
  scripts/run-qemu-rv64.sh --kernel "$(kernel_image "$v" bench)" --smp 1 --sched "$v" -- -icount shift=0 |
    grep '^KBENCH:' | tr -d '\r' >> "$OUT/kbench.txt"
done
# The exact lane (-icount, neuron.exact=1), one boot each (the lane is deterministic): the remote
# wake path, where rdinstret counts the instructions of every hart, at two and four harts; the
# wake-to-run latency distributions (guest time) at two, four and eight.
: > "$OUT/kbench-exact.txt"
for smp in 2 4 8; do
  for v in "${NEURON_VARIANTS[@]}"; do
    log=$(scripts/run-qemu-rv64.sh --kernel "$(kernel_image "$v" bench)" --smp "$smp" --sched "$v" \
            --exact --timeout 600 | tr -d '\r')
    grep '^KBENCH: path_' <<< "$log" >> "$OUT/kbench.txt" || true
    grep -E '^(KBENCH: latency_|KHIST:)' <<< "$log" >> "$OUT/kbench-exact.txt" ||
      die "the exact lane at ${smp} harts (${v}) printed no latency lines"
  done
done
# Four harts under multi-threaded TCG: IPI latency and throughput, repeated for a median; the
# variants take turns boot by boot, so host drift falls on both.
for ((r = 0; r < REPS; r++)); do
  for v in "${NEURON_VARIANTS[@]}"; do
    scripts/run-qemu-rv64.sh --kernel "$(kernel_image "$v" bench)" --smp 4 --sched "$v" |
      grep -E '^(KBENCH|KHIST):' | tr -d '\r' >> "$OUT/kbench.txt"
  done
done

echo "load_after $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/meta.txt"
echo "== report"
/usr/bin/python3 bench/report.py "$OUT"
gnuplot -e "datafile='$OUT/handover.dat'; outfile='$OUT/handover.png'" bench/handover.gp
gnuplot -e "exact='$OUT/latency-exact.dat'; mt='$OUT/latency-mt.dat'; outfile='$OUT/latency.png'" \
  bench/latency.gp
if [[ $UPDATE_DOCS -eq 1 ]]; then
  /usr/bin/python3 bench/report.py "$OUT" --into docs/benchmarks.md
  mkdir -p docs/img
  cp "$OUT/handover.png" docs/img/benchmarks-handover.png
  cp "$OUT/latency.png" docs/img/benchmarks-latency.png
  echo "docs/benchmarks.md, docs/img/benchmarks-handover.png and benchmarks-latency.png updated"
fi
echo "wrote $OUT/report.md, $OUT/handover.png and $OUT/latency.png"
