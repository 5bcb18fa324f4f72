#include "steal.h"

#include "scheduler.h"
#include "trace.h"

namespace neuron {

std::size_t steal_from(RunQueues& victim, QosClass lowest, Task** out, std::size_t max) {
  return victim.steal(lowest, out, max < config::kStealBatch ? max : config::kStealBatch);
}

namespace detail {

Task* steal_task_scan(Cpu& thief, QosClass lowest) {
  const std::uint32_t n = cpu_count();
  // Class by class, so a victim's lower-class task never wins over another's higher-class one.
  for (std::size_t q = 0; q <= qos_index(lowest); ++q) {
    const auto cls = static_cast<QosClass>(q);
    for (std::uint32_t i = 1; i < n; ++i) {
      const std::uint32_t id = (thief.id + i) % n;
      if (!cpu_is_online(id) || !g_cpus[id].rq.has_stealable(cls)) continue;
      Task* got[config::kStealBatch];
      const std::size_t taken = steal_from(g_cpus[id].rq, cls, got, config::kStealBatch);
      if (taken == 0) continue;
      thief.stats.add(thief.stats.steals);
      thief.stats.add(thief.stats.stolen, taken);
      for (std::size_t k = 0; k < taken; ++k) {
        // Its own class: a higher one than q may have been queued since this pass looked.
        trace(TraceKind::Steal, trace_id(got[k]), id, qos_index(got[k]->qos));
      }
      // got[0] runs next: it holds the place before the rest are queued behind it, so that none of
      // them claims a place it will not get; each is offered to an idle CPU instead, as
      // sched_enqueue_local does for any task this CPU will not run next (the caller sends).
      thief.set_next(NextUp::running(*got[0]));
      for (std::size_t k = 1; k < taken; ++k) {
        sched::SpinGuard g(got[k]->lock);
        sched_enqueue_local(got[k]);
      }
      return got[0];
    }
  }
  return nullptr;
}

bool steal_candidates_scan(const Cpu& thief, QosClass lowest) {
  const std::uint32_t n = cpu_count();
  for (std::uint32_t i = 1; i < n; ++i) {
    const std::uint32_t id = (thief.id + i) % n;
    if (cpu_is_online(id) && g_cpus[id].rq.has_stealable(lowest)) return true;
  }
  return false;
}

}  // namespace detail

std::size_t highest_stealable(const Cpu& thief) {
  std::size_t q = 0;
  while (q < kQosCount && !steal_candidates(thief, static_cast<QosClass>(q))) ++q;
  return q;
}

}  // namespace neuron
