#!/usr/bin/env bash
# Model-checks one of the SPIN models in tests/model: the correct model must verify in every
# scenario, and each mutant must produce an error trail in at least one scenario, except those
# docs/model-checking.md justifies as not needed under the modelled memory model (expected clean).
# Witnesses Wn are deliberate assertions on the correct model that must fail too, so that the
# races the scenarios claim to exercise are known to be reached.
#   chase_lev  sched/lockfree/chase_lev.h (the runqueue)
#   mpsc_list  sched/lockfree/mpsc_list.h (the wake list) with the one-IPI-per-empty-list rule
# Every (mutant, scenario) pair runs in its own folder, $SPIN_JOBS (default: the number of CPUs)
# at a time; with --keep DIR the folders stay, each with its pan.out and any trail.
# Ends with "N passed, M failed". Usage: tests/model/run-spin.sh MODEL [--keep DIR]
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
command -v spin >/dev/null || { echo "run-spin: spin is missing (scripts/deps.sh host)" >&2; exit 2; }
command -v gcc >/dev/null || { echo "run-spin: gcc is missing" >&2; exit 2; }
MODEL=${1:-}
case "$MODEL" in
  chase_lev|mpsc_list) shift ;;
  -h|--help) sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "run-spin: unknown model '$MODEL' (chase_lev or mpsc_list; --help)" >&2; exit 2 ;;
esac
work=$(mktemp -d)
[[ "${1:-}" == "--keep" && -n "${2:-}" ]] && { work=$2; mkdir -p "$work"; } || trap 'rm -rf "$work"' EXIT
cp "$HERE/$MODEL.pml" "$work/"
cd "$work"

if [[ $MODEL == chase_lev ]]; then

# 1-3: LIFO owner (take) against steal(), capacity 2; 4: FIFO owner (pop) against steal(),
# capacity 2; 5-7: FIFO owner (pop) against steal_batch(max 2), capacity 4 (a batch of 2 needs 3
# items queued).
SCENARIOS="1 2 3 4 5 6 7"
LIFO_SCENARIOS="1 2 3"
FIFO_SCENARIOS="4 5 6 7"
BATCH_SCENARIOS="5 6 7"
# id : name : expectation (caught | clean) [: scenarios, default all]. An id Wn is a witness: the
# correct model with one assertion that must fail. Entries that change only take(), pop(),
# steal_batch() or the FIFO owner run only where those occur (elsewhere they compile to the
# correct model). M16, M18, W3 and W4 need an empty pop followed by pushes, or by a thief's
# steal, which only scenario 4 has (docs/model-checking.md).
MUTANTS=(
  "0:correct model:clean"
  "1:take() without its StoreLoad fence:caught:$LIFO_SCENARIOS"
  "2:push() publishes bottom relaxed, not release:caught"
  "3:steal() without its fence (top and bottom loads reorder):caught"
  "4:claim CAS of steal()/take() relaxed (slot load after the claim):caught"
  "5:push() refreshes top relaxed, not acquire (slot store first):caught"
  "6:take() decrements bottom relaxed, not release:clean:$LIFO_SCENARIOS"
  "7:steal() reads bottom relaxed, not acquire (slot load before it):caught"
  "8:steal_batch() claim CAS relaxed, not seq_cst (slot loads after it):caught:$BATCH_SCENARIOS"
  "9:steal_batch() reads bottom relaxed, not acquire (slot loads before it):caught:$BATCH_SCENARIOS"
  "10:steal_batch() without its fence (top and bottom loads reorder):clean:$BATCH_SCENARIOS"
  "11:FIFO owner take()s (LIFO, no CAS) against batch thieves:caught:$BATCH_SCENARIOS"
  "12:pop() does not undo an empty claim (top left one past):caught:$FIFO_SCENARIOS"
  "13:pop() claims with fetch_add without the t >= b check:caught:$FIFO_SCENARIOS"
  "14:pop() caches top_seen = t + 2 (push trusts a too-high top):caught:$FIFO_SCENARIOS"
  "15:pop()'s fetch_add relaxed, not seq_cst:clean:$FIFO_SCENARIOS"
  "16:push()'s release does not order an empty pop's undo:caught:4"
  "17:pop() without its hint (every pop claims, empty ones undo):clean:$FIFO_SCENARIOS"
  "18:an empty pop() caches top_seen = t + 1 (the undone value):caught:4"
  "W1:witness, a 2-item batch succeeds:caught:$BATCH_SCENARIOS"
  "W2:witness, a batch copies a slot refilled after the wrap:caught:$BATCH_SCENARIOS"
  "W3:witness, a thief's CAS falls between an empty pop's claim and undo:caught:4"
  "W4:witness, a thief reads an empty pop's increment before its undo:caught:4"
  "W5:witness, push() refills a slot after the wrap without reading top:caught:3 4 6"
)
else
# 1: two producers, three nodes; 2: the same with producer 1's second push after the consumer
# took its first. The names say what tests/model/mpsc_list.pml changes.
SCENARIOS="1 2"
MUTANTS=(
  "0:correct model:clean"
  "1:push() CAS relaxed, not release (the link may follow the node):caught"
  "2:take_all() exchange relaxed, not acquire (a link load before it):caught"
  "3:push() writes the link after its CAS:caught"
  "4:take_all() does not reverse (newest first):caught"
  "5:push() says empty by its first guess, not by what its CAS replaced:caught"
  "6:the IPI's fetch_or or reasons exchange relaxed (a stale look at the head):caught"
  "W1:witness, a push finds the list not empty (no signal):caught"
  "W2:witness, a push's CAS fails and retries:caught"
  "W3:witness, a signalled take finds the list already taken:caught"
)
fi

# verify ID SCENARIO -> prints "error", "clean" or "incomplete"; pan's output goes to pan.out
verify() {
  local defs="-DMUTANT=$1"
  [[ $1 == W* ]] && defs="-DMUTANT=0 -DWITNESS=${1#W}"
  spin $defs -DSCENARIO="$2" -a "$MODEL.pml" >/dev/null || { echo "spin-failed"; return; }
  # -O0: with state spaces this small, compiling pan.c costs more than searching (-O2 compiles
  # four times slower and saves time only on the largest scenario, 6, where it halves the search).
  # COLLAPSE stores states compressed, losslessly: M3 in scenario 6 needs 256 MB, not 995 MB.
  gcc -O0 -DSAFETY -DCOLLAPSE -DMEMLIM=1024 -o pan pan.c 2>/dev/null || { echo "gcc-failed"; return; }
  timeout 300 ./pan -m100000 > pan.out 2>&1
  if grep -qE "errors: [1-9]" pan.out; then
    echo "error"
  elif grep -q "errors: 0" pan.out && ! grep -qE "max search depth too small|out of memory" pan.out; then
    echo "clean"
  else
    echo "incomplete"
  fi
}

# Run every pair, JOBS at a time, each in folder <id>-S<scenario>, its verdict in file `verdict`.
JOBS=${SPIN_JOBS:-$(nproc 2>/dev/null || echo 2)}
for entry in "${MUTANTS[@]}"; do
  IFS=: read -r id name expect scenarios <<< "$entry"
  for s in ${scenarios:-$SCENARIOS}; do
    while (( $(jobs -rp | wc -l) >= JOBS )); do wait -n; done
    dir="$id-S$s"
    ( mkdir -p "$dir" && cp "$MODEL.pml" "$dir/" && cd "$dir" && verify "$id" "$s" > verdict ) &
  done
done
wait

passed=0
failed=0
for entry in "${MUTANTS[@]}"; do
  IFS=: read -r id name expect scenarios <<< "$entry"
  verdicts=""
  errors=0
  broken=0
  for s in ${scenarios:-$SCENARIOS}; do
    v=$(cat "$id-S$s/verdict" 2>/dev/null || echo "missing")
    verdicts+=" S$s=$v"
    [[ $v == error ]] && errors=$((errors + 1))
    [[ $v == error || $v == clean ]] || broken=1
  done
  if [[ $broken -eq 0 && ( ( $expect == clean && $errors -eq 0 ) || ( $expect == caught && $errors -gt 0 ) ) ]]; then
    passed=$((passed + 1)); result=ok
  else
    failed=$((failed + 1)); result=FAILED
  fi
  [[ $id == W* ]] || id="M$id"
  printf '%-7s %-3s %-70s expect %-6s:%s\n' "$result" "$id" "$name" "$expect" "$verdicts"
done
echo "${passed} passed, ${failed} failed"
[[ $failed -eq 0 ]]
