#!/usr/bin/env bash
# Bad input to every script gets a one-line error and exit 2 before anything runs, never a hang;
# and the marker checker itself can fail. Usage: script-checks.sh KERNEL_ELF
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
KERNEL=${1:?usage: script-checks.sh KERNEL_ELF}
RUN="$ROOT/scripts/run-qemu-rv64.sh"
TEST="$ROOT/scripts/qemu-test.sh"
COMPARE="$ROOT/scripts/compare-variants.sh"
BENCH="$ROOT/scripts/bench.sh"
SUITE="$ROOT/scripts/test.sh"
passed=0
failed=0

# expect STATUS PATTERN -- COMMAND...: the command exits with STATUS and its stderr matches PATTERN.
expect() {
  local want=$1 pattern=$2
  shift 3
  local err status
  err=$(timeout 120 "$@" 2>&1 >/dev/null)
  status=$?
  if [[ $status -eq $want ]] && grep -qE -- "$pattern" <<< "$err"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAILED: $* -> status ${status} (want ${want}), stderr: ${err:-<empty>} (want /${pattern}/)"
  fi
}

expect 2 "SMP must be an integer from 1 to 512 \(got '0'\)" -- "$RUN" --smp 0 --kernel "$KERNEL"
expect 2 "SMP must be an integer from 1 to 512 \(got '513'\)" -- "$RUN" --smp 513 --kernel "$KERNEL"
expect 2 "SMP must be an integer" -- env SMP=two "$RUN" --kernel "$KERNEL"
expect 2 "SMP must be an integer" -- "$RUN" --smp -1 --kernel "$KERNEL"
expect 2 "unknown runqueue variant 'rcu'" -- "$RUN" --sched rcu --kernel "$KERNEL"
expect 2 "unknown runqueue variant 'LOCKED'" -- env SCHED=LOCKED "$RUN" --kernel "$KERNEL"
expect 2 "unknown argument '--bogus'" -- "$RUN" --bogus
expect 2 "--smp needs a value" -- "$RUN" --smp
expect 2 "timeout must be a positive number" -- "$RUN" --timeout 0 --kernel "$KERNEL"
expect 2 "kernel image '/nonexistent' not found" -- "$RUN" --kernel /nonexistent
expect 2 "^qemu-test: --repeat must be a positive integer" -- "$TEST" --repeat 0 --kernel "$KERNEL"
expect 2 "^qemu-test: unknown argument '--bogus'" -- "$TEST" --bogus
expect 2 "^qemu-test: unknown runqueue variant 'rcu' \(allowed: locked lockfree\)" -- "$TEST" --sched rcu
expect 2 "^qemu-test: SMP must be an integer from 1 to 512 \(got '0'\)" -- "$TEST" --smp 0
expect 2 "^qemu-test: --smp needs a value" -- "$TEST" --smp
expect 2 "^qemu-test: timeout must be a positive number" -- "$TEST" --timeout x --kernel "$KERNEL"
expect 2 "^qemu-test: kernel image '/nonexistent' not found" -- "$TEST" --kernel /nonexistent
expect 2 "^qemu-test: --kbench-max wants NAME=MAX \(got 'path=x'\)" -- "$TEST" --kbench-max path=x
expect 2 "^compare-variants: --smp needs a value" -- "$COMPARE" --smp
expect 2 "^compare-variants: SMP must be an integer" -- "$COMPARE" --smp four
expect 2 "^compare-variants: unknown argument '--bogus'" -- "$COMPARE" --bogus
expect 2 "^bench: --reps needs a positive integer" -- "$BENCH" --reps 0
expect 2 "^bench: unknown argument '--bogus'" -- "$BENCH" --bogus
expect 2 "^test: unknown workflow preset 'qemu-smp3-locked'" -- "$SUITE" qemu-smp3-locked
expect 2 "^deps: unknown option '--bogus'" -- "$ROOT/scripts/deps.sh" --bogus
expect 0 "" -- "$RUN" --help
expect 0 "" -- "$TEST" --help
expect 0 "" -- "$COMPARE" --help
# --help shows the usage line (stdout this time).
usage_line() {  # SCRIPT: its --help output has a "Usage:" line naming it
  # Captured first: `grep -q` in a pipe stops reading at its match, and under pipefail the
  # script's SIGPIPE on its next line would count as a failure.
  local out
  out=$("$1" --help)
  grep -qiE "^usage: scripts/$(basename "$1")" <<< "$out" && passed=$((passed + 1)) ||
    { failed=$((failed + 1)); echo "FAILED: $1 --help shows no usage line"; }
}
for script in "$RUN" "$TEST" "$COMPARE" "$BENCH" "$SUITE" "$ROOT/scripts/deps.sh"; do usage_line "$script"; done
# A hang is reported as such: QEMU started paused (-S) never runs the kernel.
expect 124 "did not finish within 2 s" -- "$RUN" --kernel "$KERNEL" --timeout 2 -- -S
# The checker fails a run whose markers stop early, naming the first missing one.
expect 1 "first missing marker: 'KSELFTEST: timer ticks ok'" -- "$TEST" --kernel "$KERNEL" --smp 1 \
  --timeout 60 --append neuron.fail=timer_ticks

echo "${passed} passed, ${failed} failed"
[[ $failed -eq 0 ]]
