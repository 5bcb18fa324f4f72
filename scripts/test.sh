#!/usr/bin/env bash
# The whole test suite: installs what is missing, then configures, builds and tests every preset
# (host tests under sanitizers, the QEMU matrix). Ends with one line "N passed, M failed".
# Usage: scripts/test.sh [PRESET...]   (default: every workflow preset)
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
NEURON_PROG=test
source scripts/lib.sh

workflows() {  # every workflow preset, in the order CMakePresets.json lists them
  cmake --list-presets=workflow | sed -n 's/^  "\([^"]*\)".*/\1/p'
}

if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
  echo "usage: scripts/test.sh [PRESET...]"
  echo "Runs 'cmake --workflow --preset P' for each workflow preset P (default: all of them) and"
  echo "ends with a line 'N passed, M failed' counting CTest tests over all presets."
  exit 0
fi
presets=("$@")
"$ROOT/scripts/deps.sh" || { echo "0 passed, 1 failed (dependencies missing)"; exit 1; }
if [[ ${#presets[@]} -eq 0 ]]; then
  mapfile -t presets < <(workflows)
  [[ ${#presets[@]} -gt 0 ]] || { echo "0 passed, 1 failed (no workflow presets listed)"; exit 1; }
else
  known=$(workflows)  # whole, not piped into grep -q: see qemu-test.sh on pipefail
  for p in "${presets[@]}"; do
    grep -qx -- "$p" <<< "$known" || die "unknown workflow preset '${p}' (see cmake --list-presets=workflow)"
  done
fi

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
