#!/usr/bin/env bash
# Bad input to the run and test scripts gets a one-line error and exit 2, never a hang; and the
# marker checker itself can fail. Usage: script-checks.sh KERNEL_ELF
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
KERNEL=${1:?usage: script-checks.sh KERNEL_ELF}
RUN="$ROOT/scripts/run-qemu-rv64.sh"
TEST="$ROOT/scripts/qemu-test.sh"
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
expect 2 "--repeat must be a positive integer" -- "$TEST" --repeat 0 --kernel "$KERNEL"
expect 2 "unknown argument '--bogus'" -- "$TEST" --bogus
expect 0 "" -- "$RUN" --help
expect 0 "" -- "$TEST" --help
# A hang is reported as such: QEMU started paused (-S) never runs the kernel.
expect 124 "did not finish within 2 s" -- "$RUN" --kernel "$KERNEL" --timeout 2 -- -S
# The checker fails a run whose markers stop early, naming the first missing one.
expect 1 "first missing marker: 'KSELFTEST: timer ticks ok'" -- "$TEST" --kernel "$KERNEL" --smp 1 \
  --timeout 60 --append neuron.fail=timer_ticks

echo "${passed} passed, ${failed} failed"
[[ $failed -eq 0 ]]
