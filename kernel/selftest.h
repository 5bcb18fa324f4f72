// In-kernel selftests. The harness prints the marker contract of
// docs/architecture/01-neuron-kernel.md:
//   KSELFTEST: begin
//   KSELFTEST: <name> ok                 one line per test, in table order
//   KSELFTEST: <name> FAIL: <reason>     and QEMU exits with a failure status
//   KSELFTEST: end
#pragma once

#include <atomic>
#include <cstdint>

namespace neuron {

// How long a test waits for something that should take milliseconds: 5 s is far beyond any
// healthy run and still ends a hang long before the scripts' timeout.
inline constexpr std::uint64_t kSelftestWaitTicks = 500;

// A test returns nullptr when its property held, or a reason (see fail()).
using SelftestFn = const char* (*)();

struct Selftest {
  const char* id;    // for bootargs neuron.fail=<id>
  const char* name;  // the marker text
  SelftestFn fn;
};

// Formats a failure reason into the harness's buffer (one test runs at a time).
const char* fail(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// Sleep a tick at a time until `count` reaches `target` or `max_ticks` pass. True if reached.
bool wait_for_count(const std::atomic<std::uint32_t>& count, std::uint32_t target,
                    std::uint64_t max_ticks);

struct SelftestTable {
  const Selftest* tests;
  unsigned count;
};
// Sleep a tick at a time until only the calling task is alive (every task the tests made has
// exited and been reaped), or `max_ticks` pass. True if reached.
bool wait_quiescent(std::uint64_t max_ticks);

struct Cpu;
// Sleep a tick at a time until `cpu` is parked in wfi with its tick silenced, or `max_ticks` pass.
bool wait_parked(const Cpu& cpu, std::uint64_t max_ticks);

// Scheduler tests on the boot CPU alone (before any secondary starts), then the SMP tests.
extern const SelftestTable kSchedSelftests;
extern const SelftestTable kSmpSelftests;
// With two CPUs or more, just before the secondaries start (cpu1 not online yet).
extern const SelftestTable kBeforeSmpSelftests;
// The scheduler's guarantees under load: on cpu0 alone, then with every CPU.
extern const SelftestTable kUpGuaranteeSelftests;
extern const SelftestTable kSmpGuaranteeSelftests;

// Prints "KSELFTEST: begin"; applies the bootargs hooks (neuron.panic, neuron.fail).
void selftest_begin();
// Runs a table in order; false at the first failure (its FAIL line printed).
bool selftest_run(const SelftestTable& table);
// "KSELFTEST: end" if everything passed, the KSTAT lines, then the machine stops with the verdict.
[[noreturn]] void selftest_finish(bool ok);

}  // namespace neuron
