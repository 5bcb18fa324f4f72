#!/usr/bin/env bash
# Boots a configuration and checks its console against the marker contract in
# docs/architecture/01-neuron-kernel.md (the markers:* blocks), in order and with nothing extra.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NEURON_PROG=qemu-test
source "$ROOT/scripts/lib.sh"
CONTRACT="$ROOT/docs/architecture/01-neuron-kernel.md"
KERNEL_CPUS=$(neuron_max_cpus)

usage() {
  cat <<USAGE
usage: scripts/qemu-test.sh [options]
Boot the kernel and check the marker contract of docs/architecture/01-neuron-kernel.md.

  --smp N           harts (env SMP, default 2)
  --sched VARIANT   ${NEURON_VARIANTS[*]// / | } (env SCHED, default locked)
  --kernel ELF      image to boot (default: build the variant's image)
  --repeat N        boot N times; fail on any missing marker, wrong order, failure or hang
  --deterministic   single-threaded TCG; with --repeat, contract output must be byte-identical
  --exact           exact time (QEMU -icount, see run-qemu-rv64.sh --help): the timed selftests
                    hold their tight bounds on every trial; with --repeat, the whole console but
                    the measured numbers (KSTAT lines, numbers in KINFO lines) must be
                    byte-identical, and boots whose numbers differ are counted in a note
  --expect-fail     boot with neuron.fail=<first test>; expect its FAIL line and a failure status
  --expect-panic    boot with neuron.panic; expect a KPANIC line and a failure status
  --expect-kpanic RE  expect a line "KPANIC: RE" (extended regex) and a failure status
  --firmware-hangs  with --expect-kpanic: the firmware faults when the kernel asks it to stop
                    the machine (its reset device is the malformed node), so the failure status
                    is the timeout's; a timeout without the line is still a hang
  --expect-selftest-fail NAME
                    expect "KSELFTEST: NAME FAIL: ..." (the first failure) and a failure status,
                    with nothing injected: for mutant kernels that the selftests must catch
  --expect-restart  boot with neuron.reenter=1 (SMP >= 2): cpu1 re-enters the boot entry once,
                    must be handed back and restarted; then every marker as usual
  --expect-start-failure
                    boot with neuron.bad_start=1 (SMP >= 2): cpu1's start must be refused and
                    reported, the SMP selftest must fail, and QEMU must exit with a failure
  --append ARGS     extra kernel bootargs (a pass run with neuron.fail=... must then fail)
  --dtb-edit EDIT   boot with QEMU's own tree for SMP harts, edited (tests/qemu/dtb.py --help)
  --expect-line RE  also require a console line matching the extended regex RE
  --cpus N          CPUs the kernel must bring online (default: SMP, up to ${KERNEL_CPUS}); fewer
                    for boots that limit them (--append neuron.max_cpus=N) or whose firmware
                    cannot start every hart (OpenSBI 1.1 starts hart ids below 128)
  --timeout SEC     per boot (default 60)
  --expect-kbench   also require one well-formed KBENCH line per in-kernel benchmark
  --kbench-max NAME=MAX
                    also require the line "KBENCH: NAME <variant> smp=<n> value=X" with X <= MAX
                    (repeatable): a budget, e.g. instructions per path in the exact lane
  --save-contract F write the contract lines of the last boot to F
  --print-expected  print the expected contract lines and exit
  -h, --help        this text
USAGE
}

SMP=${SMP:-2}
SCHED=${SCHED:-locked}
KERNEL=""
REPEAT=1
DETERMINISTIC=0
EXACT=0
MODE=pass
KPANIC_RE=""
FIRMWARE_HANGS=0
FAIL_NAME=""
TIMEOUT=60
PRINT_ONLY=0
APPEND=""
DTB_EDIT=""
EXPECT_LINE=""
SAVE=""
KBENCH=0
BUDGETS=()
CPUS=
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --smp) need_value --smp $#; SMP=$2; shift 2 ;;
    --sched) need_value --sched $#; SCHED=$2; shift 2 ;;
    --kernel) need_value --kernel $#; KERNEL=$2; shift 2 ;;
    --repeat) need_value --repeat $#; REPEAT=$2; shift 2 ;;
    --deterministic) DETERMINISTIC=1; shift ;;
    --exact) EXACT=1; shift ;;
    --expect-fail) MODE=fail; shift ;;
    --expect-panic) MODE=panic; shift ;;
    --expect-kpanic) need_value --expect-kpanic $#; MODE=kpanic; KPANIC_RE=$2; shift 2 ;;
    --firmware-hangs) FIRMWARE_HANGS=1; shift ;;
    --expect-selftest-fail) need_value --expect-selftest-fail $#; MODE=selftestfail; FAIL_NAME=$2; shift 2 ;;
    --expect-start-failure) MODE=startfail; shift ;;
    --expect-restart) MODE=restart; shift ;;
    --timeout) need_value --timeout $#; TIMEOUT=$2; shift 2 ;;
    --cpus) need_value --cpus $#; CPUS=$2; shift 2 ;;
    --append) need_value --append $#; APPEND=$2; shift 2 ;;
    --dtb-edit) need_value --dtb-edit $#; DTB_EDIT=$2; shift 2 ;;
    --expect-line) need_value --expect-line $#; EXPECT_LINE=$2; shift 2 ;;
    --print-expected) PRINT_ONLY=1; shift ;;
    --expect-kbench) KBENCH=1; shift ;;
    --kbench-max) need_value --kbench-max $#
                  [[ "$2" =~ ^[a-z_]+=[0-9]+$ ]] || die "--kbench-max wants NAME=MAX (got '$2')"
                  BUDGETS+=("$2"); shift 2 ;;
    --save-contract) need_value --save-contract $#; SAVE=$2; shift 2 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
[[ "$REPEAT" =~ ^[0-9]+$ ]] && (( REPEAT >= 1 )) || die "--repeat must be a positive integer (got '${REPEAT}')"
check_smp "$SMP"
SMP=$((10#$SMP))
check_variant "$SCHED"
[[ "$TIMEOUT" =~ ^[0-9]+$ ]] && (( TIMEOUT > 0 )) || die "timeout must be a positive number of seconds (got '${TIMEOUT}')"
[[ -z "$KERNEL" || -f "$KERNEL" ]] || die "kernel image '${KERNEL}' not found"
[[ $MODE != startfail && $MODE != restart ]] || (( SMP >= 2 )) || die "--expect-${MODE/startfail/start-failure} needs SMP >= 2"
[[ -f "$CONTRACT" ]] || die "contract ${CONTRACT} is missing"
MAX_ONLINE=$(( SMP < KERNEL_CPUS ? SMP : KERNEL_CPUS ))  # the kernel parks harts beyond
if [[ -z "$CPUS" ]]; then
  CPUS=$MAX_ONLINE
else
  [[ "$CPUS" =~ ^[0-9]+$ ]] && (( 10#$CPUS >= 1 && 10#$CPUS <= MAX_ONLINE )) ||
    die "--cpus must be 1..${MAX_ONLINE} at SMP ${SMP} (got '${CPUS}')"
  CPUS=$((10#$CPUS))
fi

block() {  # the lines of one ```markers:NAME block
  awk -v name="markers:$1" '$0 == "```" name {on=1; next} on && /^```/ {exit} on' "$CONTRACT"
}

expected() {
  local cpus=$CPUS
  block baseline
  if (( cpus == 1 )); then
    block smp1
  else
    while IFS= read -r line; do
      if [[ "$line" == *"{N}"* ]]; then
        for ((n = 1; n < cpus; n++)); do echo "${line//\{N\}/$n}"; done
      else
        echo "$line"
      fi
    done < <(block smp)
  fi
  block end
}

contract_lines() {  # the contract lines of a console log
  tr -d '\r' < "$1" | grep -E '^(NEURON SMP kernel$|KINIT:|KSELFTEST:)' || true
}

# What must repeat byte for byte from boot to boot: the contract lines (--deterministic), or under
# exact time the whole console but the measured numbers (--exact): KSTAT lines are left out and
# the numbers of KINFO lines masked, so a KINFO line that one boot prints and the other does not
# (a hart that refused to park, a re-armed deadline) still fails. The numbers repeat too in all
# but about one boot in 50 at SMP 4: QEMU 7.2's main loop may run the timer that moves its
# round-robin to the next hart at a moment the host picks, which shifts a multi-hart
# measurement by a few instructions. Each measurement is held to its bound in every boot.
repeatable_lines() {
  if [[ $EXACT -eq 1 ]]; then
    tr -d '\r' < "$1" | grep -v '^KSTAT:' | sed -E '/^KINFO:/ s/[0-9]+/#/g' || true
  else
    contract_lines "$1"
  fi
}
measurement_lines() { tr -d '\r' < "$1" | grep -E '^(KSTAT|KINFO):' || true; }

if [[ $PRINT_ONLY -eq 1 ]]; then expected; exit 0; fi
want=$(expected)
[[ -n "$want" ]] || die "no markers:* blocks found in ${CONTRACT}"

run_args=(--smp "$SMP" --sched "$SCHED" --timeout "$TIMEOUT")
[[ -n "$KERNEL" ]] && run_args+=(--kernel "$KERNEL")
[[ $DETERMINISTIC -eq 1 ]] && run_args+=(--deterministic)
[[ $EXACT -eq 1 ]] && run_args+=(--exact)
first_test=$(block baseline | sed -n 's/^KSELFTEST: \(.*\) ok$/\1/p' | head -1)
case $MODE in
  fail) APPEND+=" neuron.fail=${first_test// /_}" ;;
  panic) APPEND+=" neuron.panic=qemu-test" ;;
  startfail) APPEND+=" neuron.bad_start=1" ;;
  restart) APPEND+=" neuron.reenter=1" ;;
esac
[[ -n "$APPEND" ]] && run_args+=(--append "${APPEND# }")

workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT
if [[ -n "$DTB_EDIT" ]]; then
  python3 "$ROOT/tests/qemu/dtb.py" --smp "$SMP" --out "$workdir/edited.dtb" --edit "$DTB_EDIT" ||
    die "could not make the device tree (edit '${DTB_EDIT}')"
  run_args+=(--dtb "$workdir/edited.dtb")
fi
failures=0
measurements_differ=0
reference=""

report() {  # log, reason
  echo "qemu-test: FAIL (boot $2 of ${REPEAT}, smp=${SMP}, sched=${SCHED}): $3" >&2
  echo "---- kernel lines of the boot (KINIT, KINFO, KPANIC, FAIL) ----" >&2
  tr -d '\r' < "$1" | grep -E '^(KINIT|KINFO|KPANIC)|FAIL' | head -40 >&2
  echo "---- last 25 console lines ----" >&2
  tr -d '\r' < "$1" | tail -25 >&2
  echo "-------------------------------" >&2
}

check_pass() {  # log, status, boot -> prints the failure reason, or nothing
  local got
  got=$(contract_lines "$1")
  if [[ "$got" != "$want" ]]; then
    local i=0 w g
    mapfile -t W <<< "$want"
    mapfile -t G <<< "$got"
    while (( i < ${#W[@]} )) && [[ "${W[i]}" == "${G[i]-}" ]]; do ((i += 1)); done
    if (( i < ${#W[@]} )); then
      w=${W[i]}; g=${G[i]-<end of output>}
      echo "first missing marker: '${w}' (found '${g}' in its place)"
    else
      echo "unexpected extra line: '${G[i]}'"
    fi
    return
  fi
  (( $2 == 0 )) || { echo "all markers present but QEMU exited with status $2"; return; }
  [[ $KBENCH -eq 0 ]] || check_kbench "$1"
  [[ ${#BUDGETS[@]} -eq 0 ]] || check_budgets "$1"
  # The whole console in a variable: `grep -q` in a pipe would stop reading at the first match
  # and, under pipefail, turn the writer's SIGPIPE into a failure.
  local text
  text=$(tr -d '\r' < "$1")
  [[ -z "$EXPECT_LINE" ]] || grep -qE -- "$EXPECT_LINE" <<< "$text" ||
    { echo "no console line matches /${EXPECT_LINE}/"; return; }
  [[ $MODE != restart ]] ||
    grep -qx "KINFO: cpu1 came back through the boot entry; starting it again" <<< "$text" ||
    echo "no line saying cpu1 was restarted"
}

check_kbench() {  # log: one line per benchmark, "KBENCH: <name> <variant> smp=<n> value=<x> unit=<u>"
  local names=(rq_push_pop_instructions rq_push_pop_time rq_steal_instructions rq_steal_time sched_throughput)
  if (( CPUS < 2 )); then names+=(sched_instructions_per_task)
  else
    names+=(wakeup_steal_latency steals_per_migrated_task)
    local c s
    for c in latency_normal latency_mixed_perfburst; do
      for s in p50 p99 p999 max ipis_per_wake wakes_per_s; do names+=("${c}_${s}"); done
    done
  fi
  local n
  for n in "${names[@]}"; do
    [[ $(tr -d '\r' < "$1" | grep -cE "^KBENCH: ${n} ${SCHED} smp=${CPUS} value=[0-9]+\.[0-9]{3} unit=[a-z/]+$") -eq 1 ]] ||
      { echo "missing or malformed KBENCH line for ${n}"; return; }
  done
  (( CPUS < 2 )) && return
  for n in latency_normal latency_mixed_perfburst; do
    [[ $(tr -d '\r' < "$1" | grep -cE "^KHIST: ${n} ${SCHED} smp=${CPUS} unit=us buckets=[0-9]+(,[0-9]+)+$") -eq 1 ]] ||
      { echo "missing or malformed KHIST line for ${n}"; return; }
  done
}

check_budgets() {  # log: each --kbench-max NAME=MAX has its line, with a value <= MAX
  local b name max value
  # A benchmark that failed fails the run, budgeted or not.
  value=$(tr -d '\r' < "$1" | grep -E '^KBENCH: [a-z_]+ FAIL' | head -1)
  [[ -z "$value" ]] || { echo "a benchmark failed: ${value}"; return; }
  for b in "${BUDGETS[@]}"; do
    name=${b%%=*}; max=$((10#${b#*=}))
    value=$(tr -d '\r' < "$1" |
      sed -nE "s/^KBENCH: ${name} ${SCHED} smp=${CPUS} value=([0-9]+)\.([0-9]{3}) unit=[a-z/]+$/\1\2/p")
    [[ $(wc -l <<< "$value") -eq 1 && -n "$value" ]] || { echo "missing or malformed KBENCH line for ${name}"; return; }
    (( 10#$value <= max * 1000 )) ||
      { echo "${name} over its budget: $((10#$value / 1000)).$(printf %03d $((10#$value % 1000))) > ${max}"; return; }
  done
}

check_fail() {  # log, status
  local text
  text=$(tr -d '\r' < "$1")
  (( $2 != 0 )) || { echo "the run exited 0 although it should fail"; return; }
  case $MODE in
    fail)
      grep -qx "KSELFTEST: ${first_test} FAIL: injected by bootargs neuron.fail" <<< "$text" ||
        { echo "no 'KSELFTEST: ${first_test} FAIL: ...' line"; return; } ;;
    panic)
      grep -qx "KPANIC: cpu0: requested by bootargs neuron.panic=qemu-test" <<< "$text" ||
        { echo "no KPANIC line"; return; } ;;
    kpanic)
      grep -qE "^KPANIC: ${KPANIC_RE}$" <<< "$text" || { echo "no line 'KPANIC: ${KPANIC_RE}'"; return; } ;;
    selftestfail)
      grep -q "^KSELFTEST: ${FAIL_NAME} FAIL: " <<< "$text" ||
        { echo "no 'KSELFTEST: ${FAIL_NAME} FAIL: ...' line"; return; }
      [[ $(grep -c "^KSELFTEST: .* FAIL: " <<< "$text") -eq 1 ]] ||
        { echo "more than one FAIL line"; return; } ;;
    startfail)
      grep -qx "KINIT: cpu1 start failed: SBI_ERR_INVALID_ADDRESS" <<< "$text" ||
        { echo "no 'KINIT: cpu1 start failed: SBI_ERR_INVALID_ADDRESS' line"; return; }
      ! grep -qx "KINIT: cpu1 online" <<< "$text" || { echo "cpu1 reported online"; return; }
      grep -q "^KSELFTEST: smp online FAIL: " <<< "$text" ||
        { echo "no 'KSELFTEST: smp online FAIL: ...' line"; return; } ;;
  esac
  ! grep -qx "KSELFTEST: end" <<< "$text" || echo "'KSELFTEST: end' printed after a failure"
}

for ((boot = 1; boot <= REPEAT; boot++)); do
  log="$workdir/boot$boot.log"
  set +e
  "$ROOT/scripts/run-qemu-rv64.sh" "${run_args[@]}" > "$log" 2>&1
  status=$?
  set -e
  if [[ $status -eq 124 && $FIRMWARE_HANGS -eq 1 && $MODE == kpanic ]]; then
    reason=$(check_fail "$log" "$status")
    [[ -z "$reason" ]] || reason="hang: no exit within ${TIMEOUT} s, and ${reason}"
  elif [[ $status -eq 124 ]]; then
    reason="hang: no exit within ${TIMEOUT} s"
  elif [[ $MODE == pass || $MODE == restart ]]; then
    reason=$(check_pass "$log" "$status")
  else
    reason=$(check_fail "$log" "$status")
  fi
  if [[ -z "$reason" && ($DETERMINISTIC -eq 1 || $EXACT -eq 1) ]]; then
    [[ -n "$reference" ]] || reference="$workdir/reference.log"
    if [[ ! -f "$reference" ]]; then
      repeatable_lines "$log" > "$reference"
      measurement_lines "$log" > "$workdir/measurements.log"
    elif ! repeatable_lines "$log" | cmp -s - "$reference"; then
      # diff exits 1 on a difference: under set -e and pipefail that would end the script unheard.
      first_diff=$(repeatable_lines "$log" | diff "$reference" - | sed -n 2p || true)
      reason="output differs from boot 1: ${first_diff}"
    elif [[ $EXACT -eq 1 ]] && ! measurement_lines "$log" | cmp -s - "$workdir/measurements.log"; then
      measurements_differ=$((measurements_differ + 1))
    fi
  fi
  [[ -z "$SAVE" ]] || contract_lines "$log" > "$SAVE"
  if [[ -n "$reason" ]]; then
    report "$log" "$boot" "$reason"
    failures=$((failures + 1))
  fi
done

if (( measurements_differ > 0 )); then
  echo "qemu-test: note: the measurements of ${measurements_differ} of $((REPEAT - 1)) later boots differ from boot 1's (see repeatable_lines)" >&2
fi
if (( failures > 0 )); then
  echo "qemu-test: smp=${SMP} sched=${SCHED} mode=${MODE}: ${failures} of ${REPEAT} boots failed" >&2
  exit 1
fi
echo "qemu-test: smp=${SMP} sched=${SCHED} mode=${MODE}: ${REPEAT} of ${REPEAT} boots passed"
