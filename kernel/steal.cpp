#include "steal.h"

#include "scheduler.h"
#include "trace.h"

namespace neuron {

std::size_t steal_from(RunQueues& victim, QosClass lowest, Task** out, std::size_t max) {
  return victim.steal(lowest, out, max < config::kStealBatch ? max : config::kStealBatch);
}

// The thief runs what it steals at once. A batch would also queue the rest on the thief, where
// the idle CPU's claim on its first queued task (sched_enqueue_local) must not swallow their kicks.
static_assert(config::kStealBatch == 1, "steal_task handles one stolen task per steal");

Task* steal_task(Cpu& thief, QosClass lowest) {
  const std::uint32_t n = cpu_count();
  // Class by class, so a victim's lower-class task never wins over another's higher-class one.
  for (std::size_t q = 0; q <= qos_index(lowest); ++q) {
    const auto cls = static_cast<QosClass>(q);
    for (std::uint32_t i = 1; i < n; ++i) {
      const std::uint32_t id = (thief.id + i) % n;
      if (!cpu_is_online(id) || !g_cpus[id].rq.has_stealable(cls)) continue;
      Task* t = nullptr;
      if (steal_from(g_cpus[id].rq, cls, &t, config::kStealBatch) == 1) {
        thief.stats.add(thief.stats.stolen);
        trace(TraceKind::Steal, trace_id(t), id, q);
        return t;
      }
    }
  }
  return nullptr;
}

bool steal_candidates(const Cpu& thief) {
  const std::uint32_t n = cpu_count();
  for (std::uint32_t i = 1; i < n; ++i) {
    const std::uint32_t id = (thief.id + i) % n;
    if (cpu_is_online(id) && g_cpus[id].rq.has_stealable(QosClass::Idle)) return true;
  }
  return false;
}

}  // namespace neuron
