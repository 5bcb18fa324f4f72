// Concurrency stress for any RunQueue: one owner pushing and removing, K thieves stealing, every
// item (a unique integer) accounted for exactly once at the end.
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
  Bursts,       // push a burst of 4, take it back LIFO: thieves steal from under the owner
  NearlyFull,   // push until refused, remove one only then: the full path all the time
};

enum class OwnerRemove { Pop, Take, Alternate };

struct StressConfig {
  std::uint64_t items;
  unsigned thieves;
  OwnerPattern pattern;
  OwnerRemove remove;
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
        const auto s = q->steal();
        if (s.ok()) {
          record(s.item);
          ++mine;
        } else if (s.status == sched::StealStatus::Empty && done.load(std::memory_order_acquire)) {
          break;
        }
      }
      stolen.fetch_add(mine, std::memory_order_relaxed);
      steal_attempts.fetch_add(attempts, std::memory_order_relaxed);
    });
  }

  StressReport r;
  std::uint64_t removals = 0;
  auto owner_remove = [&]() -> bool {
    Item v;
    bool use_pop = cfg.remove == OwnerRemove::Pop ||
                   (cfg.remove == OwnerRemove::Alternate && (removals & 1) == 0);
    ++removals;
    if (!(use_pop ? q->pop(v) : q->take(v))) return false;
    record(v);
    ++r.by_owner;
    return true;
  };
  auto push = [&](Item v) {
    while (!q->push(v)) {
      ++r.refused_pushes;
      owner_remove();  // make room ourselves; a thief may also have
    }
  };

  start.store(true, std::memory_order_release);
  for (std::uint64_t i = 0; i < cfg.items;) {
    switch (cfg.pattern) {
      case OwnerPattern::NearlyEmpty:
        push(i++);
        owner_remove();
        break;
      case OwnerPattern::Bursts: {
        const std::uint64_t end = std::min<std::uint64_t>(i + 4, cfg.items);
        while (i < end) push(i++);
        for (int k = 0; k < 4; ++k) owner_remove();
        break;
      }
      case OwnerPattern::NearlyFull: push(i++); break;
    }
  }
  while (owner_remove()) {
  }
  // A failed take/pop means empty for the owner, but keep the drain honest: pop until empty.
  {
    Item v;
    while (q->pop(v)) record(v), ++r.by_owner;
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
