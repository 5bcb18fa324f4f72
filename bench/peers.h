// Every queue the benchmarks compare, behind one small adapter shape:
//   push(v)   owner side        pop(v)   owner side        steal(v)   any other thread
// Project variants come in two owner orders (FIFO pop, LIFO take); peers use their natural one.
#pragma once

#include <concurrentqueue/concurrentqueue.h>
#include <boost/lockfree/queue.hpp>
#include <xenium/chase_work_stealing_deque.hpp>
#include <xenium/detail/fixed_size_circular_array.hpp>
#include <xenium/policy.hpp>

#include <cstdint>
#include <deque>
#include <mutex>

#include "sched/locked/ring_deque.h"
#include "sched/lockfree/chase_lev.h"

namespace neuron::bench {

using Item = std::uintptr_t;  // never 0: xenium stores items as pointers
inline constexpr std::size_t kCapacity = 1024;

template <typename Q, bool kLifo>
struct Project {
  Q q;
  bool push(Item v) { return q.push(v); }
  bool pop(Item& v) { return kLifo ? q.take(v) : q.pop(v); }
  bool steal(Item& v) {
    const auto s = q.steal();  // Retry counts as a miss: the caller simply tries again
    if (s.ok()) v = s.item;
    return s.ok();
  }
};
struct Locked : Project<sched::LockedRingDeque<Item, kCapacity>, false> {
  static constexpr const char* kName = "locked";
};
struct LockFree : Project<sched::ChaseLevDeque<Item, kCapacity>, false> {
  static constexpr const char* kName = "lockfree";
};
// The lock-free deque with top and bottom on separate cache lines (the usual advice), to show
// what the shared line buys.
struct LockFreeSplit : Project<sched::BasicChaseLevDeque<Item, kCapacity, sched::ChaseLevOrders,
                                                         sched::IndexLayout::SplitLines>,
                               false> {
  static constexpr const char* kName = "lockfree-split";
};
struct LockedLifo : Project<sched::LockedRingDeque<Item, kCapacity>, true> {
  static constexpr const char* kName = "locked-lifo";
};
struct LockFreeLifo : Project<sched::ChaseLevDeque<Item, kCapacity>, true> {
  static constexpr const char* kName = "lockfree-lifo";
};

// xenium's Chase-Lev, with a fixed-size ring: its growing ring is not used here.
struct Xenium {
  static constexpr const char* kName = "xenium";
  struct Node;
  using Deque = xenium::chase_work_stealing_deque<
      Node, xenium::policy::capacity<kCapacity>,
      xenium::policy::container<xenium::detail::fixed_size_circular_array<Node, kCapacity>>>;
  Deque q;
  static Node* to_ptr(Item v) { return reinterpret_cast<Node*>(v); }
  bool push(Item v) { return q.try_push(to_ptr(v)); }
  bool pop(Item& v) {
    Node* p;
    if (!q.try_pop(p)) return false;
    v = reinterpret_cast<Item>(p);
    return true;
  }
  bool steal(Item& v) {
    Node* p;
    if (!q.try_steal(p)) return false;
    v = reinterpret_cast<Item>(p);
    return true;
  }
};

struct Moodycamel {
  static constexpr const char* kName = "moodycamel";
  moodycamel::ConcurrentQueue<Item> q{kCapacity};
  bool push(Item v) { return q.enqueue(v); }
  bool pop(Item& v) { return q.try_dequeue(v); }
  bool steal(Item& v) { return q.try_dequeue(v); }
};

struct BoostLockfree {
  static constexpr const char* kName = "boost-lockfree";
  boost::lockfree::queue<Item, boost::lockfree::capacity<kCapacity - 1>> q;
  bool push(Item v) { return q.bounded_push(v); }
  bool pop(Item& v) { return q.pop(v); }
  bool steal(Item& v) { return q.pop(v); }
};

// The naive work-stealing deque: the owner works at the back (LIFO), thieves at the front.
struct MutexDeque {
  static constexpr const char* kName = "mutex-deque";
  std::mutex m;
  std::deque<Item> d;
  bool push(Item v) {
    std::lock_guard g(m);
    d.push_back(v);
    return true;
  }
  bool pop(Item& v) {
    std::lock_guard g(m);
    if (d.empty()) return false;
    v = d.back();
    d.pop_back();
    return true;
  }
  bool steal(Item& v) {
    std::lock_guard g(m);
    if (d.empty()) return false;
    v = d.front();
    d.pop_front();
    return true;
  }
};

}  // namespace neuron::bench
