// The runqueue variants every host test runs against, and small shared helpers.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>

#include "sched/locked/ring_deque.h"
#include "sched/lockfree/chase_lev.h"
#include "sched/runqueue.h"

namespace neuron::test {

using Item = std::uint64_t;

// One variant at one owner end, rebindable to another capacity and element type, so that one
// typed suite can use small and large queues.
template <template <typename, std::size_t, sched::OwnerEnd> class Q, sched::OwnerEnd E>
struct Variant {
  template <std::size_t N>
  using Queue = Q<Item, N, E>;
  template <typename T, std::size_t N>
  using QueueOf = Q<T, N, E>;
  static constexpr sched::OwnerEnd kEnd = E;
};

using Locked = Variant<sched::LockedRingDeque, sched::OwnerEnd::Fifo>;
using LockFree = Variant<sched::ChaseLevDeque, sched::OwnerEnd::Fifo>;
using LockedLifo = Variant<sched::LockedRingDeque, sched::OwnerEnd::Lifo>;
using LockFreeLifo = Variant<sched::ChaseLevDeque, sched::OwnerEnd::Lifo>;

using AllVariants = ::testing::Types<Locked, LockFree, LockedLifo, LockFreeLifo>;
using FifoVariants = ::testing::Types<Locked, LockFree>;  // those with pop() and steal_batch()

struct VariantNames {
  template <typename V>
  static std::string GetName(int) {
    const bool locked = std::is_same_v<V, Locked> || std::is_same_v<V, LockedLifo>;
    return std::string(locked ? "locked" : "lockfree") +
           (V::kEnd == sched::OwnerEnd::Lifo ? "_lifo" : "");
  }
};

using sched::owner_remove;

static_assert(sched::FifoRunQueue<Locked::Queue<8>>);
static_assert(sched::FifoRunQueue<LockFree::Queue<8>>);
static_assert(sched::LifoRunQueue<LockedLifo::Queue<8>>);
static_assert(sched::LifoRunQueue<LockFreeLifo::Queue<8>>);
// The unsafe combination does not compile: a LIFO queue has no batch steal, a FIFO one no take.
template <typename Q>
concept HasTake = requires(Q& q, Item& v) {
  q.take(v);
};
template <typename Q>
concept HasBatchSteal = requires(Q& q, Item* out) {
  q.steal_batch(out, 2);
};
static_assert(!HasBatchSteal<LockFreeLifo::Queue<8>> && !HasBatchSteal<LockedLifo::Queue<8>>);
static_assert(!HasTake<LockFree::Queue<8>> && !HasTake<Locked::Queue<8>>);

}  // namespace neuron::test
