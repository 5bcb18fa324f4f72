#include "steal.h"

#include "scheduler.h"
#include "trace.h"

namespace neuron {

std::size_t steal_from(RunQueues& victim, QosClass lowest, Task** out, std::size_t max) {
  return victim.steal(lowest, out, max < config::kStealBatch ? max : config::kStealBatch);
}

AtomicCpuMask g_stealable[kQosCount];

void steal_unmark_drained(Cpu& owner) {
  for (std::size_t q = 0; q < kQosCount; ++q) {
    if (!(owner.stealable_marked & 1u << q) || owner.rq.class_stealable(q)) continue;
    owner.stealable_marked &= ~(1u << q);
    // relaxed: only this CPU adds to its queues, so nothing is stealable here until its next
    // push, whose steal_mark sets the bit again first (same word: coherence orders the two).
    (void)g_stealable[q].take(owner.id, std::memory_order_relaxed);
  }
}

namespace detail {

Task* steal_task_scan(Cpu& thief, QosClass lowest) {
  const std::uint32_t n = cpu_count();
  Task* got[config::kStealBatch];
  std::size_t taken = 0;
  std::uint32_t victim = 0;
  // Class by class, so a victim's lower-class task never wins over another's higher-class one.
  for (std::size_t q = 0; q <= qos_index(lowest) && taken == 0; ++q) {
    const auto cls = static_cast<QosClass>(q);
    // Round-robin from the CPU after the thief. relaxed: read after the caller's fence, as the
    // queues are.
    g_stealable[q].find_round(thief.id + 1, n, std::memory_order_relaxed, [&](std::uint32_t id) {
      if (id == thief.id || !g_cpus[id].rq.has_stealable(cls)) return false;
      taken = steal_from(g_cpus[id].rq, cls, got, config::kStealBatch);
      victim = id;
      return taken != 0;
    });
  }
  if (taken == 0) return nullptr;
  thief.stats.add(thief.stats.steals);
  thief.stats.add(thief.stats.stolen, taken);
  for (std::size_t k = 0; k < taken; ++k) {
    // Its own class: a class higher than the one looked for may have been queued meanwhile.
    trace(TraceKind::Steal, trace_id(got[k]), victim, qos_index(got[k]->qos));
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

bool steal_candidates_scan(const Cpu& thief, QosClass lowest) {
  // One round over the CPUs marked in any class at or above `lowest`. relaxed: read after the
  // caller's fence, as the queues are. A marked CPU is checked against its queues: a bit left
  // set after thieves emptied them must not keep an idler from waiting.
  auto marked = [&](std::uint32_t i) {
    std::uint64_t w = 0;
    for (std::size_t q = 0; q <= qos_index(lowest); ++q) {
      w |= g_stealable[q].word(i, std::memory_order_relaxed);
    }
    return w;
  };
  auto has = [&](std::uint32_t id) {
    return id != thief.id && g_cpus[id].rq.has_stealable(lowest);
  };
  return cpumask_detail::round(marked, thief.id + 1, cpu_count(), has);
}

}  // namespace detail

std::size_t highest_stealable(const Cpu& thief) {
  std::size_t q = 0;
  while (q < kQosCount && !steal_candidates(thief, static_cast<QosClass>(q))) ++q;
  return q;
}

}  // namespace neuron
