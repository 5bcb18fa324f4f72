#!/usr/bin/env bash
# Runs one libFuzzer target: replays the committed corpus, then (with SECONDS > 0) fuzzes for that
# long from it. New inputs go to a scratch directory, so the repository's corpus only changes by
# hand; a crash leaves its input next to the fuzzer (crash-*), to be added to the corpus once
# fixed. Ends with the number of executions. Usage: run-fuzz.sh FUZZER CORPUS_DIR SECONDS
set -euo pipefail
fuzzer=$1
corpus=$2
seconds=$3
[[ -x "$fuzzer" ]] || { echo "run-fuzz: no fuzzer at '${fuzzer}'" >&2; exit 2; }
[[ -d "$corpus" ]] || { echo "run-fuzz: no corpus at '${corpus}'" >&2; exit 2; }
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "run-fuzz: SECONDS must be a number (got '${seconds}')" >&2; exit 2; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
artifacts="$(dirname "$fuzzer")/"
if (( seconds == 0 )); then
  "$fuzzer" -runs=0 -artifact_prefix="$artifacts" "$corpus" 2>&1 | tail -3
else
  "$fuzzer" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$artifacts" \
    "$scratch" "$corpus" 2>&1 | grep -E "^(#[0-9]+ +(INITED|DONE)|stat::number_of_executed_units|Done|==[0-9]+==ERROR|SUMMARY)"
fi
