#!/usr/bin/env bash
# Boots NEURON SMP on QEMU virt under OpenSBI and shows its console. Builds first if needed.
# Exit status: 0 when every selftest passed; QEMU's failure status, 1 for a console that does not
# show a clean end, 124 on timeout, 2 for bad input.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NEURON_PROG=run-qemu-rv64
source "$ROOT/scripts/lib.sh"
KERNEL_CPUS=$(neuron_max_cpus)

usage() {
  cat <<USAGE
usage: scripts/run-qemu-rv64.sh [options] [-- QEMU_ARGS...]
Boot the kernel in qemu-system-riscv64 (machine virt, OpenSBI from -bios default).

  --smp N           harts QEMU starts, 1..${QEMU_VIRT_MAX_HARTS}          (env SMP, default 2); the kernel
                    manages up to ${KERNEL_CPUS} and parks the others
  --sched VARIANT   runqueue variant: ${NEURON_VARIANTS[*]// / | }   (env SCHED, default locked)
  --kernel ELF      boot this image instead of building one
  --no-build        do not build; use the preset's existing image
  --append ARGS     kernel bootargs, e.g. neuron.fail=qos_ordering
  --dtb FILE        boot with this device tree instead of the one QEMU makes
  --deterministic   single-threaded TCG (-accel tcg,thread=single): identical logs run to run
  --exact           exact time: -icount shift=${ICOUNT_SHIFT},sleep=off (one host thread, guest time
                    counts instructions, ${ICOUNT_NS} ns each) and neuron.exact=1, which makes the
                    timed selftests hold their tight bounds on every trial
  --timeout SEC     stop QEMU after SEC seconds              (env TIMEOUT, default 60)
  --log FILE        also write the console to FILE
  --trace DIR       boot with neuron.trace=1; write DIR/console.log and, from its KTRACE lines,
                    DIR/trace.json (Perfetto), DIR/timeline.png and DIR/summary.md (scripts/trace.py)
  --gdb             wait for a debugger on :1234 (no timeout); attach with gdb-multiarch
  -h, --help        this text
Arguments after -- go to QEMU unchanged.
USAGE
}

SMP=${SMP:-2}
SCHED=${SCHED:-locked}
TIMEOUT=${TIMEOUT:-60}
KERNEL=""
BUILD=1
APPEND=""
DTB=""
DETERMINISTIC=0
EXACT=0
GDB=0
LOG=""
TRACE_DIR=""
QEMU_EXTRA=()

while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --smp) need_value --smp $#; SMP=$2; shift 2 ;;
    --sched) need_value --sched $#; SCHED=$2; shift 2 ;;
    --kernel) need_value --kernel $#; KERNEL=$2; BUILD=0; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --append) need_value --append $#; APPEND=$2; shift 2 ;;
    --dtb) need_value --dtb $#; DTB=$2; shift 2 ;;
    --deterministic) DETERMINISTIC=1; shift ;;
    --exact) EXACT=1; shift ;;
    --timeout) need_value --timeout $#; TIMEOUT=$2; shift 2 ;;
    --log) need_value --log $#; LOG=$2; shift 2 ;;
    --trace) need_value --trace $#; TRACE_DIR=$2; shift 2 ;;
    --gdb) GDB=1; shift ;;
    --) shift; QEMU_EXTRA=("$@"); break ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done

check_smp "$SMP"
SMP=$((10#$SMP))
check_variant "$SCHED"
[[ "$TIMEOUT" =~ ^[0-9]+$ ]] && (( TIMEOUT > 0 )) || die "timeout must be a positive number of seconds (got '${TIMEOUT}')"

if [[ -n "$TRACE_DIR" ]]; then
  mkdir -p "$TRACE_DIR" || die "cannot create trace directory '${TRACE_DIR}'"
  [[ -n "$LOG" ]] || LOG="$TRACE_DIR/console.log"
  APPEND="${APPEND:+$APPEND }neuron.trace=1"
  command -v gnuplot >/dev/null || "$ROOT/scripts/deps.sh" trace >&2 ||
    die "gnuplot is missing and could not be installed"
fi

if ! command -v qemu-system-riscv64 >/dev/null; then
  "$ROOT/scripts/deps.sh" kernel >&2 || die "qemu-system-riscv64 is missing and could not be installed"
fi

# One image per variant serves every hart count.
preset=$(kernel_preset "$SCHED")
if [[ -z "$KERNEL" ]]; then
  KERNEL=$(kernel_image "$SCHED")
  if [[ $BUILD -eq 1 ]]; then
    "$ROOT/scripts/deps.sh" build kernel >&2
    build_preset "$preset"
  fi
fi
[[ -f "$KERNEL" ]] || die "kernel image '${KERNEL}' not found (build it: cmake --preset ${preset} && cmake --build --preset ${preset})"

qemu=(qemu-system-riscv64 -machine virt -bios default -m 128M -smp "$SMP" -kernel "$KERNEL")
[[ $DETERMINISTIC -eq 1 && $EXACT -eq 1 ]] && die "--deterministic and --exact are two lanes: choose one"
[[ $DETERMINISTIC -eq 1 ]] && qemu+=(-accel tcg,thread=single)
if [[ $EXACT -eq 1 ]]; then
  qemu+=(-icount "shift=${ICOUNT_SHIFT},sleep=off")
  APPEND="${APPEND:+$APPEND }neuron.exact=1"
fi
[[ -n "$APPEND" ]] && qemu+=(-append "$APPEND")
if [[ -n "$DTB" ]]; then
  [[ -f "$DTB" ]] || die "device tree '${DTB}' not found"
  qemu+=(-dtb "$DTB")
fi
qemu+=("${QEMU_EXTRA[@]}")

if [[ $GDB -eq 1 ]]; then
  command -v gdb-multiarch >/dev/null || echo "run-qemu-rv64: note: gdb-multiarch is not installed (apt-get install gdb-multiarch)" >&2
  echo "run-qemu-rv64: waiting for gdb: gdb-multiarch ${KERNEL} -ex 'target remote :1234'" >&2
  exec "${qemu[@]}" -nographic -s -S
fi

log=${LOG:-$(mktemp)}
set +e
if [[ $EXACT -eq 1 ]]; then
  # The console goes straight to a file, shown as it grows. Through a pipe, the reader's pace
  # would reach the UART and shift the harts' round-robin at moments the host picks: two boots
  # then differ (seen 1 boot in 10 at SMP 4). Written to a file, all but about one boot in 50
  # repeat byte for byte (see qemu-test.sh on the rest).
  : > "$log"
  timeout --foreground -k 5 "$TIMEOUT" "${qemu[@]}" -display none -monitor none \
    -chardev "file,id=console,path=${log//,/,,}" -serial chardev:console < /dev/null &
  qemu_pid=$!
  tail -n +1 -s 0.1 -f --pid="$qemu_pid" "$log"
  wait "$qemu_pid"
  status=$?
else
  timeout --foreground -k 5 "$TIMEOUT" "${qemu[@]}" -nographic < /dev/null 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
fi
set -e
console=$(tr -d '\r' < "$log")
[[ -z "$LOG" ]] && rm -f "$log"

verdict=0
if [[ $status -eq 124 || $status -eq 137 ]]; then
  echo "run-qemu-rv64: QEMU did not finish within ${TIMEOUT} s" >&2
  verdict=124
elif [[ $status -ne 0 ]]; then
  echo "run-qemu-rv64: kernel reported failure (QEMU exit status ${status})" >&2
  verdict=$status
# A machine may stop with status 0 without the test device (SBI shutdown): trust the console too.
elif ! grep -qx "KSELFTEST: end" <<< "$console" || grep -qE "^(KPANIC:|KSELFTEST: .* FAIL)" <<< "$console"; then
  echo "run-qemu-rv64: QEMU exited 0 but the console shows no clean 'KSELFTEST: end'" >&2
  verdict=1
fi
if [[ -n "$TRACE_DIR" && $verdict -ne 124 ]]; then
  # The trace of a failing run is the one worth reading: convert it whatever the verdict.
  /usr/bin/python3 "$ROOT/scripts/trace.py" "$LOG" --out "$TRACE_DIR" >&2 || {
    echo "run-qemu-rv64: the trace could not be converted (see above)" >&2
    [[ $verdict -ne 0 ]] || verdict=1
  }
fi
exit "$verdict"
