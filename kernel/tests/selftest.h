// In-kernel selftests. The harness prints the marker contract of
// docs/architecture/01-neuron-kernel.md:
//   KSELFTEST: begin
//   KSELFTEST: <name> ok                 one line per test, in table order
//   KSELFTEST: <name> FAIL: <reason>     and QEMU exits with a failure status
//   KSELFTEST: end
#pragma once

#include "kernel/tests/wait.h"  // every test waits

namespace neuron {

// A test returns nullptr when its property held, or a reason (see fail()).
using SelftestFn = const char* (*)();

struct Selftest {
  const char* id;    // for bootargs neuron.fail=<id>
  const char* name;  // the marker text
  SelftestFn fn;
};

// Formats a failure reason into the harness's buffer (one test runs at a time).
const char* fail(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

struct SelftestTable {
  const Selftest* tests;
  unsigned count;
};
// Scheduler tests on the boot CPU alone (before any secondary starts), then the SMP tests.
extern const SelftestTable kSchedSelftests;
extern const SelftestTable kSmpSelftests;
// With two CPUs or more, just before the secondaries start (cpu1 not online yet).
extern const SelftestTable kBeforeSmpSelftests;
// The scheduler's guarantees under load: on cpu0 alone, then with every CPU.
extern const SelftestTable kUpGuaranteeSelftests;
extern const SelftestTable kSmpGuaranteeSelftests;
// Priority across CPUs and CPU time within a class: on cpu0 alone, then with every CPU.
extern const SelftestTable kUpPrioritySelftests;
extern const SelftestTable kSmpPrioritySelftests;

// True when booted with neuron.exact=1: guest time counts instructions (QEMU -icount), so the
// timed selftests hold their tight bounds on every trial (selftests_guarantees.cpp).
bool selftest_exact_time();

// Prints "KSELFTEST: begin"; applies the bootargs hooks (neuron.panic, neuron.fail, neuron.exact).
void selftest_begin();
// Runs a table in order; false at the first failure (its FAIL line printed).
bool selftest_run(const SelftestTable& table);
// "KSELFTEST: end" if everything passed, the KSTAT lines, then the machine stops with the verdict.
[[noreturn]] void selftest_finish(bool ok);

}  // namespace neuron
