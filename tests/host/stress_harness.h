// Concurrency stress for any RunQueue: one owner pushing and removing at its end (pop or take), K
// thieves stealing one at a time or in batches, every item (a unique integer) accounted for
// exactly once at the end.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "sched/platform.h"
#include "sched/runqueue.h"

namespace neuron::test {

enum class OwnerPattern {
  NearlyEmpty,  // push one, remove one: the queue holds 0-1 items, the last-item race every time
  Bursts,       // push a burst of 4, remove 4: thieves steal from under the owner
  NearlyFull,   // push until refused, remove one only then: the full path all the time
};

struct StressConfig {
  std::uint64_t items;
  unsigned thieves;
  OwnerPattern pattern;
  std::size_t batch = 0;  // thieves: 0 steal(), else steal_batch() of at most this many
};

struct StressReport {
  std::uint64_t operations = 0;  // pushes (incl. refused) + successful removals: work, not spins
  std::uint64_t steal_attempts = 0;  // including empty and lost ones
  std::uint64_t by_owner = 0;
  std::uint64_t stolen = 0;
  std::uint64_t duplicated = 0;  // items seen more than once
  std::uint64_t lost = 0;        // items never seen
  std::uint64_t refused_pushes = 0;
  bool exactly_once() const { return duplicated == 0 && lost == 0; }
};

// One attempt by a thief: what it got goes to `record`.
template <typename Q, typename Record>
sched::StealStatus steal_into(Q& q, std::size_t batch, Record record, std::uint64_t& mine) {
  if constexpr (sched::FifoRunQueue<Q>) {
    if (batch > 0) {
      typename Q::value_type out[64];
      const sched::StolenBatch s = q.steal_batch(out, batch < 64 ? batch : 64);
      for (std::size_t i = 0; i < s.count; ++i) record(out[i]);
      mine += s.count;
      return s.status;
    }
  }
  const auto s = q.steal();
  if (s.ok()) record(s.item), ++mine;
  return s.status;
}

template <typename Q>
StressReport run_stress(const StressConfig& cfg) {
  using Item = typename Q::value_type;
  auto q = std::make_unique<Q>();
  std::vector<std::atomic<std::uint32_t>> seen(cfg.items);
  std::atomic<bool> start{false}, done{false};
  std::atomic<std::uint64_t> stolen{0}, steal_attempts{0};

  auto record = [&](Item v) {
    seen[static_cast<std::size_t>(v)].fetch_add(1, std::memory_order_relaxed);
  };

  std::vector<std::thread> thieves;
  for (unsigned i = 0; i < cfg.thieves; ++i) {
    thieves.emplace_back([&] {
      std::uint64_t mine = 0, attempts = 0;
      while (!start.load(std::memory_order_acquire)) sched::cpu_relax();
      // Stop only once the owner is done and the queue is seen empty: the owner drains it last.
      for (;;) {
        ++attempts;
        const sched::StealStatus s = steal_into(*q, cfg.batch, record, mine);
        if (s == sched::StealStatus::Empty && done.load(std::memory_order_acquire)) break;
      }
      stolen.fetch_add(mine, std::memory_order_relaxed);
      steal_attempts.fetch_add(attempts, std::memory_order_relaxed);
    });
  }

  StressReport r;
  auto remove = [&]() -> bool {
    Item v;
    if (!sched::owner_remove(*q, v)) return false;
    record(v);
    ++r.by_owner;
    return true;
  };
  auto push = [&](Item v) {
    while (!q->push(v)) {
      ++r.refused_pushes;
      remove();  // make room ourselves; a thief may also have
    }
  };

  start.store(true, std::memory_order_release);
  for (std::uint64_t i = 0; i < cfg.items;) {
    switch (cfg.pattern) {
      case OwnerPattern::NearlyEmpty:
        push(i++);
        remove();
        break;
      case OwnerPattern::Bursts: {
        const std::uint64_t end = std::min<std::uint64_t>(i + 4, cfg.items);
        while (i < end) push(i++);
        for (int k = 0; k < 4; ++k) remove();
        break;
      }
      case OwnerPattern::NearlyFull: push(i++); break;
    }
  }
  // A failed removal means empty for the owner; thieves may still hold a lost race's Retry.
  while (remove()) {
  }
  done.store(true, std::memory_order_release);
  for (auto& t : thieves) t.join();

  r.stolen = stolen.load();
  r.steal_attempts = steal_attempts.load();
  r.operations = cfg.items + r.refused_pushes + r.by_owner + r.stolen;
  for (const auto& c : seen) {
    const std::uint32_t n = c.load(std::memory_order_relaxed);
    if (n == 0) ++r.lost;
    if (n > 1) ++r.duplicated;
  }
  return r;
}

}  // namespace neuron::test
