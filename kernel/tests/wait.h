// Bounded waits for the selftests and the in-kernel benchmarks: sleep a tick at a time until a
// condition holds. A wait that runs out returns false; the caller fails with its reason.
#pragma once

#include <atomic>
#include <cstdint>

#include "kernel/scheduler.h"

namespace neuron {

struct Cpu;

// How long a test waits for something that should take milliseconds: 5 s is far beyond any
// healthy run and still ends a hang long before the scripts' timeout.
inline constexpr std::uint64_t kSelftestWaitTicks = 500;

// Sleeps a tick at a time until `pred()` holds or `max_ticks` pass. True if it held.
template <typename Pred>
bool wait_ticks(Pred pred, std::uint64_t max_ticks) {
  for (std::uint64_t waited = 0; waited <= max_ticks; ++waited) {
    if (pred()) return true;
    task_sleep(1);
  }
  return false;
}

// Until `count` reaches `target`; the tasks' results are visible once it has (acquire load).
bool wait_for_count(const std::atomic<std::uint32_t>& count, std::uint32_t target,
                    std::uint64_t max_ticks);
// Until only the calling task is alive: every task the test made has exited and been reaped.
bool wait_quiescent(std::uint64_t max_ticks);
// Until `cpu` is parked in wfi with its tick silenced.
bool wait_parked(const Cpu& cpu, std::uint64_t max_ticks);
// Until every CPU but the caller's is parked, each within kSelftestWaitTicks.
bool wait_others_parked();

}  // namespace neuron
