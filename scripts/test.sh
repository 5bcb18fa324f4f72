#!/usr/bin/env bash
# The whole test suite: installs what is missing, then configures, builds and tests every preset
# (host tests under sanitizers, the QEMU matrix). Ends with one line "N passed, M failed".
# Usage: scripts/test.sh [PRESET...]   (default: every preset in ALL_PRESETS)
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ALL_PRESETS=(
  host-test host-tsan host-fuzz host-bench
  qemu-smp1-locked qemu-smp2-locked qemu-smp4-locked qemu-smp8-locked
  qemu-smp1-lockfree qemu-smp2-lockfree qemu-smp4-lockfree qemu-smp8-lockfree
)

if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
  echo "usage: scripts/test.sh [PRESET...]"
  echo "Runs 'cmake --workflow --preset P' for each preset (default: ${ALL_PRESETS[*]})"
  echo "and ends with a line 'N passed, M failed' counting CTest tests over all presets."
  exit 0
fi
presets=("$@")
[[ ${#presets[@]} -gt 0 ]] || presets=("${ALL_PRESETS[@]}")

"$ROOT/scripts/deps.sh" || { echo "0 passed, 1 failed (dependencies missing)"; exit 1; }

cd "$ROOT"
mkdir -p build
passed=0
failed=0
broken=()
for p in "${presets[@]}"; do
  echo "==== ${p}"
  log="build/test-${p}.log"
  cmake --workflow --preset "$p" 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  # CTest's summary: "NN% tests passed, F tests failed out of T"
  summary=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1)
  if [[ -n "$summary" ]]; then
    total=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<< "$summary")
    nfail=$(sed -E 's/.* ([0-9]+) tests? failed.*/\1/' <<< "$summary")
    passed=$((passed + total - nfail))
    failed=$((failed + nfail))
  fi
  if [[ $status -ne 0 ]]; then
    broken+=("$p")
    [[ -n "$summary" ]] || failed=$((failed + 1))  # configure or build failed: count the preset
  fi
done

echo
echo "==== summary over ${#presets[@]} presets"
[[ ${#broken[@]} -eq 0 ]] || echo "failing presets: ${broken[*]} (logs: build/test-<preset>.log)"
echo "${passed} passed, ${failed} failed"
[[ ${#broken[@]} -eq 0 && $failed -eq 0 && $passed -gt 0 ]]
