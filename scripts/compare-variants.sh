#!/usr/bin/env bash
# Boots the locked and the lock-free kernel with the same hart count in the deterministic lane and
# requires identical contract output. Builds both images through their presets if needed.
# Usage: scripts/compare-variants.sh [--smp N]   (default 4)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SMP=4
case "${1:-}" in
  -h|--help) sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  --smp) SMP=${2:?--smp needs a value} ;;
  "") ;;
  *) echo "compare-variants: unknown argument '$1' (see --help)" >&2; exit 2 ;;
esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for v in locked lockfree; do
  preset="qemu-smp${SMP}-${v}"
  (cd "$ROOT" && { [[ -f "build/${preset}/CMakeCache.txt" ]] || cmake --preset "$preset" >/dev/null; } &&
    cmake --build --preset "$preset" >/dev/null) || { echo "compare-variants: build of ${preset} failed" >&2; exit 1; }
  "$ROOT/scripts/qemu-test.sh" --kernel "$ROOT/build/${preset}/kernel/neuron.elf" --smp "$SMP" \
    --sched "$v" --deterministic --save-contract "$tmp/$v"
done
if ! diff -u "$tmp/locked" "$tmp/lockfree"; then
  echo "compare-variants: contract output differs between locked and lockfree (smp=${SMP})" >&2
  exit 1
fi
echo "compare-variants: locked and lockfree print identical contract lines ($(wc -l < "$tmp/locked") lines, smp=${SMP})"
