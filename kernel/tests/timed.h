// What the timed selftests share: guest-time units, a CPU held until an event, and the rule for
// timed trials in the exact-time and multi-threaded lanes.
#pragma once

#include <atomic>
#include <cstdint>

#include "kernel/arch.h"
#include "kernel/boot.h"
#include "kernel/config.h"
#include "kernel/ipi.h"
#include "kernel/mutant.h"
#include "kernel/percpu.h"
#include "kernel/tests/selftest.h"

namespace neuron {

inline std::uint64_t tick_period() { return boot_tree().timebase_hz / config::kTickHz; }
inline std::uint64_t to_us(std::uint64_t timebase_units) {
  return timebase_units * 1'000'000 / boot_tree().timebase_hz;
}
inline void* as_arg(std::uintptr_t v) { return reinterpret_cast<void*>(v); }
inline std::uint32_t from_arg(void* arg) {
  return static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(arg));
}

// Keeps this CPU with the calling task until `pred` holds or `ticks` ticks pass. It waits for
// interrupts rather than spinning: to the scheduler the CPU is busy, while the host's cores stay
// free for the CPUs under test (QEMU runs a thread per hart on a 2-core host).
template <typename Pred>
void hold_cpu(Pred pred, std::uint64_t ticks) {
  const std::uint64_t until = arch::time_now() + ticks * tick_period();
  while (!pred() && arch::time_now() < until) arch::wait_for_interrupt();  // tick or IPI ends it
}

// Sends the resched IPI a test withheld (IpiDelivery::Suppress) to `cpu`, so that the tasks in
// its inbox arrive at once. nullptr, or the failure.
inline const char* send_withheld_resched(std::uint32_t cpu) {
  if (const IpiError e = ipi_send(cpu, IpiReason::Resched); e != IpiError::None) {
    return fail("resched IPI to cpu%u: %s", cpu, ipi_error_name(e));
  }
  return nullptr;
}

// Timed cases, one rule in two lanes; no trial is ever retried.
// - Exact time (QEMU -icount, booted with neuron.exact=1): guest time counts instructions, so
//   every one of kTrials trials must meet the case's own bound, which lies below what the defect
//   it guards costs (docs/architecture/01-neuron-kernel.md, "Guarantees").
// - Multi-threaded TCG: guest time also counts every moment the host deschedules a vCPU thread,
//   which no bound in guest time can rule out. The same trials run with the same checks, but
//   their times are held only to kLivenessTicks, far above any host pause seen (32 ms on a loaded
//   2-core host): that lane catches hangs, lost tasks and races, and the timing defects are the
//   exact lane's to catch.
// Tasks that occupy a CPU for a case wait for the event itself (a start, a preemption), up to
// kHoldTicks, never for a fixed time: a missing event costs a trial a whole slice or more.
// `trial` returns the measured time, or kTrialFailed with `error` set.
constexpr int kTrials = 5;
constexpr std::uint64_t kLivenessTicks = 100;  // 1 s
constexpr std::uint64_t kHoldTicks = 300;      // 3 s: what a missing event costs a trial
static_assert(kLivenessTicks < kHoldTicks && kHoldTicks < kSelftestWaitTicks);
constexpr std::uint64_t kTrialFailed = ~std::uint64_t{0};

struct Timed {
  std::uint64_t value;  // the longest time measured, or the failing trial's
  std::uint64_t limit;  // what it was held to: the case's bound, or the liveness bound
  int trials;           // how many ran (the failing one last)
  bool ok;
};

template <typename Trial>
Timed timed_trials(std::uint64_t bound, Trial trial) {
  Timed r{0, selftest_exact_time() ? bound : kLivenessTicks * tick_period(), 0, true};
  while (r.ok && r.trials < kTrials) {
    ++r.trials;
    // relaxed: read by this CPU's mutant hooks, and by others only to place a defect (mutant.h).
    mutant::g_trial.store(static_cast<std::uint32_t>(r.trials), std::memory_order_relaxed);
    const std::uint64_t v = trial();
    if (v == kTrialFailed || v > r.limit) {
      r.value = v;
      r.ok = false;
    } else if (v > r.value) {
      r.value = v;
    }
  }
  mutant::g_trial.store(0, std::memory_order_relaxed);
  return r;
}

inline const char* lane() { return selftest_exact_time() ? "exact time" : "host time"; }

// `later - earlier`, or 0 when the event came first (a task that started before the release it
// is timed from waited for nothing).
inline std::uint64_t elapsed(std::uint64_t earlier, std::uint64_t later) {
  return later > earlier ? later - earlier : 0;
}

// IPIs the firmware accepted, summed over every CPU.
inline std::uint64_t ipis_sent_everywhere() {
  std::uint64_t n = 0;
  for (std::uint32_t id = 0; id < cpu_count(); ++id) {
    n += g_cpus[id].stats.ipis_sent.load(std::memory_order_relaxed);  // relaxed: a counter
  }
  return n;
}

}  // namespace neuron
