#!/usr/bin/env bash
# Boots NEURON SMP on QEMU virt under OpenSBI and shows its console. Builds first if needed.
# Exit status: 0 when every selftest passed; QEMU's failure status, 1 for a console that does not
# show a clean end, 124 on timeout, 2 for bad input.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/scripts/lib.sh"
MAX_SMP=$QEMU_VIRT_MAX_HARTS
KERNEL_CPUS=$(neuron_max_cpus)

usage() {
  cat <<USAGE
usage: scripts/run-qemu-rv64.sh [options] [-- QEMU_ARGS...]
Boot the kernel in qemu-system-riscv64 (machine virt, OpenSBI from -bios default).

  --smp N           harts QEMU starts, 1..${MAX_SMP}          (env SMP, default 2); the kernel
                    manages up to ${KERNEL_CPUS} and leaves the others in the firmware
  --sched VARIANT   runqueue variant: locked | lockfree   (env SCHED, default locked)
  --kernel ELF      boot this image instead of building one
  --no-build        do not build; use the preset's existing image
  --append ARGS     kernel bootargs, e.g. neuron.fail=qos_ordering
  --dtb FILE        boot with this device tree instead of the one QEMU makes
  --deterministic   single-threaded TCG (-accel tcg,thread=single): identical logs run to run
  --timeout SEC     stop QEMU after SEC seconds              (env TIMEOUT, default 60)
  --log FILE        also write the console to FILE
  --gdb             wait for a debugger on :1234 (no timeout); attach with gdb-multiarch
  -h, --help        this text
Arguments after -- go to QEMU unchanged.
USAGE
}

die() { echo "run-qemu-rv64: $*" >&2; exit 2; }

SMP=${SMP:-2}
SCHED=${SCHED:-locked}
TIMEOUT=${TIMEOUT:-60}
KERNEL=""
BUILD=1
APPEND=""
DTB=""
DETERMINISTIC=0
GDB=0
LOG=""
QEMU_EXTRA=()

while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --smp) [[ $# -ge 2 ]] || die "--smp needs a value"; SMP=$2; shift 2 ;;
    --sched) [[ $# -ge 2 ]] || die "--sched needs a value"; SCHED=$2; shift 2 ;;
    --kernel) [[ $# -ge 2 ]] || die "--kernel needs a file"; KERNEL=$2; BUILD=0; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --append) [[ $# -ge 2 ]] || die "--append needs a value"; APPEND=$2; shift 2 ;;
    --dtb) [[ $# -ge 2 ]] || die "--dtb needs a file"; DTB=$2; shift 2 ;;
    --deterministic) DETERMINISTIC=1; shift ;;
    --timeout) [[ $# -ge 2 ]] || die "--timeout needs a value"; TIMEOUT=$2; shift 2 ;;
    --log) [[ $# -ge 2 ]] || die "--log needs a file"; LOG=$2; shift 2 ;;
    --gdb) GDB=1; shift ;;
    --) shift; QEMU_EXTRA=("$@"); break ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done

[[ "$SMP" =~ ^[0-9]+$ ]] && (( 10#$SMP >= 1 && 10#$SMP <= MAX_SMP )) ||
  die "SMP must be an integer from 1 to ${MAX_SMP} (got '${SMP}')"
SMP=$((10#$SMP))
[[ "$SCHED" == locked || "$SCHED" == lockfree ]] ||
  die "unknown runqueue variant '${SCHED}' (allowed: locked, lockfree)"
[[ "$TIMEOUT" =~ ^[0-9]+$ ]] && (( TIMEOUT > 0 )) || die "timeout must be a positive number of seconds (got '${TIMEOUT}')"

if ! command -v qemu-system-riscv64 >/dev/null; then
  "$ROOT/scripts/deps.sh" kernel >&2 || die "qemu-system-riscv64 is missing and could not be installed"
fi

# The image does not depend on the hart count; a count without its own preset uses smp1's build.
preset="qemu-smp${SMP}-${SCHED}"
[[ -f "$ROOT/presets/qemu.json" ]] && grep -q "\"name\": \"${preset}\"" "$ROOT/presets/qemu.json" ||
  preset="qemu-smp1-${SCHED}"
if [[ -z "$KERNEL" ]]; then
  KERNEL="$ROOT/build/${preset}/kernel/neuron.elf"
  if [[ $BUILD -eq 1 ]]; then
    "$ROOT/scripts/deps.sh" build kernel >&2
    (cd "$ROOT" && { [[ -f "build/${preset}/CMakeCache.txt" ]] || cmake --preset "$preset" >&2; } &&
      cmake --build --preset "$preset" >&2) || { echo "run-qemu-rv64: build of ${preset} failed" >&2; exit 1; }
  fi
fi
[[ -f "$KERNEL" ]] || die "kernel image '${KERNEL}' not found (build it: cmake --workflow --preset ${preset})"

qemu=(qemu-system-riscv64 -machine virt -bios default -nographic -m 128M -smp "$SMP" -kernel "$KERNEL")
[[ $DETERMINISTIC -eq 1 ]] && qemu+=(-accel tcg,thread=single)
[[ -n "$APPEND" ]] && qemu+=(-append "$APPEND")
if [[ -n "$DTB" ]]; then
  [[ -f "$DTB" ]] || die "device tree '${DTB}' not found"
  qemu+=(-dtb "$DTB")
fi
qemu+=("${QEMU_EXTRA[@]}")

if [[ $GDB -eq 1 ]]; then
  command -v gdb-multiarch >/dev/null || echo "run-qemu-rv64: note: gdb-multiarch is not installed (apt-get install gdb-multiarch)" >&2
  echo "run-qemu-rv64: waiting for gdb: gdb-multiarch ${KERNEL} -ex 'target remote :1234'" >&2
  exec "${qemu[@]}" -s -S
fi

log=${LOG:-$(mktemp)}
set +e
timeout --foreground -k 5 "$TIMEOUT" "${qemu[@]}" < /dev/null 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
console=$(tr -d '\r' < "$log")
[[ -z "$LOG" ]] && rm -f "$log"

if [[ $status -eq 124 || $status -eq 137 ]]; then
  echo "run-qemu-rv64: QEMU did not finish within ${TIMEOUT} s" >&2
  exit 124
fi
if [[ $status -ne 0 ]]; then
  echo "run-qemu-rv64: kernel reported failure (QEMU exit status ${status})" >&2
  exit "$status"
fi
# A machine may stop with status 0 without the test device (SBI shutdown): trust the console too.
if ! grep -qx "KSELFTEST: end" <<< "$console" || grep -qE "^(KPANIC:|KSELFTEST: .* FAIL)" <<< "$console"; then
  echo "run-qemu-rv64: QEMU exited 0 but the console shows no clean 'KSELFTEST: end'" >&2
  exit 1
fi
