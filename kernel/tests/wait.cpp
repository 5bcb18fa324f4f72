#include "kernel/tests/wait.h"

#include "kernel/percpu.h"
#include "kernel/task.h"

namespace neuron {

bool wait_for_count(const std::atomic<std::uint32_t>& count, std::uint32_t target,
                    std::uint64_t max_ticks) {
  // acquire: pairs with the release increments of the tasks being waited for, so their results
  // are visible once the count says they are done.
  return wait_ticks([&] { return count.load(std::memory_order_acquire) >= target; }, max_ticks);
}

bool wait_quiescent(std::uint64_t max_ticks) {
  return wait_ticks([] { return task_counters().live == 1; }, max_ticks);
}

bool wait_parked(const Cpu& cpu, std::uint64_t max_ticks) {
  // relaxed: a polled flag.
  return wait_ticks([&] { return cpu.parked.load(std::memory_order_relaxed); }, max_ticks);
}

bool wait_others_parked() {
  for (std::uint32_t id = 0; id < cpu_count(); ++id) {
    if (id != cpu_current_id() && !wait_parked(g_cpus[id], kSelftestWaitTicks)) return false;
  }
  return true;
}

}  // namespace neuron
