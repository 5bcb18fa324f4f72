#!/usr/bin/env bash
# Boots every runqueue variant's kernel with the same hart count in the deterministic lane and
# requires identical contract output. Builds the images through their presets if needed.
# Usage: scripts/compare-variants.sh [--smp N]   (default 4)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NEURON_PROG=compare-variants
source "$ROOT/scripts/lib.sh"
SMP=4
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --smp) need_value --smp $#; SMP=$2; shift 2 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
check_smp "$SMP"
SMP=$((10#$SMP))
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for v in "${NEURON_VARIANTS[@]}"; do
  build_preset "$(kernel_preset "$v")"
  "$ROOT/scripts/qemu-test.sh" --kernel "$(kernel_image "$v")" --smp "$SMP" --sched "$v" \
    --deterministic --save-contract "$tmp/$v"
done
first=${NEURON_VARIANTS[0]}
for v in "${NEURON_VARIANTS[@]:1}"; do
  if ! diff -u "$tmp/$first" "$tmp/$v"; then
    echo "compare-variants: contract output differs between ${first} and ${v} (smp=${SMP})" >&2
    exit 1
  fi
done
echo "compare-variants: ${NEURON_VARIANTS[*]} print identical contract lines ($(wc -l < "$tmp/$first") lines, smp=${SMP})"
