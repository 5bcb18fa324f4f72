#!/usr/bin/env bash
# Boots with tracing on and checks the scheduler's invariants from the trace alone
# (scripts/trace.py --check), and that the converter's outputs load.
# Usage: trace-check.sh KERNEL_ELF VARIANT SMP
# The work-conservation bound is a time in guest time, which a host that deschedules a vCPU
# thread stretches: a boot whose only violations are of that rule is repeated, up to 3 boots.
# Any other violation fails at once: those do not depend on timing.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
kernel=${1:?usage: trace-check.sh KERNEL_ELF VARIANT SMP}
variant=${2:?usage: trace-check.sh KERNEL_ELF VARIANT SMP}
smp=${3:?usage: trace-check.sh KERNEL_ELF VARIANT SMP}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
for boot in 1 2 3; do
  rm -rf "$dir/out"
  if ! "$ROOT/scripts/run-qemu-rv64.sh" --kernel "$kernel" --sched "$variant" --smp "$smp" \
      --timeout 120 --trace "$dir/out" > /dev/null; then
    echo "trace-check: the traced boot or its conversion failed (boot ${boot})"
    grep -E "^(KPANIC|KSELFTEST: .* FAIL)" "$dir/out/console.log" 2>/dev/null
    exit 1
  fi
  [[ -s "$dir/out/timeline.png" && -s "$dir/out/summary.md" ]] ||
    { echo "trace-check: the converter wrote no picture or summary"; exit 1; }
  report=$(/usr/bin/python3 "$ROOT/scripts/trace.py" "$dir/out/console.log" --check)
  status=$?
  echo "$report" | tail -1
  if [[ $status -eq 0 ]]; then
    grep -E "^(Longest time|Most of a task)" "$dir/out/summary.md"
    echo "trace-check: boot ${boot}: invariants hold (smp=${smp}, ${variant})"
    exit 0
  fi
  echo "$report" | grep "violation:" | head -10
  case $status in
    3) ;;  # only the work-conservation bound: may be the host (see above)
    1) echo "trace-check: boot ${boot}: invariant violated (smp=${smp}, ${variant})"; exit 1 ;;
    *) echo "trace-check: boot ${boot}: the trace could not be read (status ${status})"; exit 1 ;;
  esac
  echo "trace-check: boot ${boot}: only the work-conservation bound missed; booting again"
done
echo "trace-check: the work-conservation bound missed in 3 boots of 3 (smp=${smp}, ${variant})"
exit 1
