#include "steal.h"

#include "scheduler.h"

namespace neuron {
namespace {

// A lost race (Retry) means the victim may still hold items: try it once more before moving on.
constexpr int kStealTries = 2;

Task* steal_one(TaskQueue& q) {
  for (int i = 0; i < kStealTries; ++i) {
    const auto s = q.steal();
    if (s.ok()) return s.item;
    if (s.status == sched::StealStatus::Empty) return nullptr;
  }
  return nullptr;
}

}  // namespace

std::size_t steal_from(TaskQueue (&queues)[kQosCount], QosClass cap, Task** out, std::size_t max) {
  const std::size_t bound = max < config::kStealBatch ? max : config::kStealBatch;
  std::size_t n = 0;
  for (std::size_t q = qos_index(cap); q < kQosCount && n < bound; ++q) {
    while (n < bound) {
      Task* t = steal_one(queues[q]);
      if (!t) break;
      out[n++] = t;
    }
  }
  return n;
}

Task* steal_task(Cpu& thief) {
  const std::uint32_t n = cpu_count();
  for (std::size_t q = 0; q < kQosCount; ++q) {
    for (std::uint32_t i = 1; i < n; ++i) {
      Cpu& victim = g_cpus[(thief.id + i) % n];
      if (!cpu_is_online(victim.id)) continue;
      Task* t = steal_one(victim.queues[q]);
      if (t && t->pinned) {
        // Only the owner may push on its queue: a pinned task goes back through its inbox.
        sched_enqueue(t, victim);
        continue;
      }
      if (t) {
        thief.stats.add(thief.stats.stolen);
        return t;
      }
    }
  }
  return nullptr;
}

bool steal_candidates(const Cpu& thief) {
  const std::uint32_t n = cpu_count();
  for (std::uint32_t i = 1; i < n; ++i) {
    const Cpu& victim = g_cpus[(thief.id + i) % n];
    if (!cpu_is_online(victim.id)) continue;
    for (const TaskQueue& q : victim.queues) {
      if (!q.empty()) return true;
    }
  }
  return false;
}

}  // namespace neuron
