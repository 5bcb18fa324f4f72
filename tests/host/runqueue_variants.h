// The runqueue variants every host test runs against, and small shared helpers.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>

#include "sched/locked/ring_deque.h"
#include "sched/lockfree/chase_lev.h"
#include "sched/runqueue.h"

namespace neuron::test {

using Item = std::uint64_t;

// Rebinds a variant to another capacity, so one typed suite can use small and large queues.
template <template <typename, std::size_t> class Q>
struct Variant {
  template <std::size_t N>
  using Queue = Q<Item, N>;
};

using Locked = Variant<sched::LockedRingDeque>;
using LockFree = Variant<sched::ChaseLevDeque>;

using AllVariants = ::testing::Types<Locked, LockFree>;

struct VariantNames {
  template <typename V>
  static std::string GetName(int) {
    return std::is_same_v<V, Locked> ? "locked" : "lockfree";
  }
};

static_assert(sched::RunQueue<Locked::Queue<8>>);
static_assert(sched::RunQueue<LockFree::Queue<8>>);

}  // namespace neuron::test
