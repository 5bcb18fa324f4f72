// Every queue the benchmarks compare, behind one small adapter shape:
//   push(v)   owner side        pop(v)   owner side        steal(v)   any other thread
// and Stealer<Impl>, a thief's handle made before the clock starts: moodycamel's keeps the
// consumer token its author recommends for a thread that dequeues repeatedly.
// Project variants come in two owner orders (FIFO pop, LIFO take); peers use their natural one.
// Each is a template on its capacity (Cap: the ring's slots, or the initial size of a growing
// queue); the plain names use kCapacity, the size of a kernel runqueue.
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

template <typename Q>
struct Project {
  Q q;
  bool push(Item v) { return q.push(v); }
  bool pop(Item& v) { return sched::owner_remove(q, v); }
  bool steal(Item& v) {
    const auto s = q.steal();  // Retry counts as a miss: the caller simply tries again
    if (s.ok()) v = s.item;
    return s.ok();
  }
};
template <std::size_t Cap>
struct LockedN : Project<sched::LockedRingDeque<Item, Cap, sched::OwnerEnd::Fifo>> {
  static constexpr const char* kName = "locked";
};
template <std::size_t Cap>
struct LockFreeN : Project<sched::ChaseLevDeque<Item, Cap, sched::OwnerEnd::Fifo>> {
  static constexpr const char* kName = "lockfree";
};
// The lock-free deque with top and bottom on one cache line, to show what the default layout
// (separate lines) buys.
template <std::size_t Cap>
struct LockFreeSharedN
    : Project<sched::BasicChaseLevDeque<Item, Cap, sched::OwnerEnd::Fifo, sched::ChaseLevOrders,
                                        sched::IndexLayout::SharedLine>> {
  static constexpr const char* kName = "lockfree-shared";
};
template <std::size_t Cap>
struct LockedLifoN : Project<sched::LockedRingDeque<Item, Cap, sched::OwnerEnd::Lifo>> {
  static constexpr const char* kName = "locked-lifo";
};
template <std::size_t Cap>
struct LockFreeLifoN : Project<sched::ChaseLevDeque<Item, Cap, sched::OwnerEnd::Lifo>> {
  static constexpr const char* kName = "lockfree-lifo";
};

// xenium's Chase-Lev, with a fixed-size ring: its growing ring is not used here.
template <std::size_t Cap>
struct XeniumN {
  static constexpr const char* kName = "xenium";
  struct Node;
  using Deque = xenium::chase_work_stealing_deque<
      Node, xenium::policy::capacity<Cap>,
      xenium::policy::container<xenium::detail::fixed_size_circular_array<Node, Cap>>>;
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

// With a producer token for the owner and a consumer token per thread, as its documentation
// advises for threads that enqueue or dequeue repeatedly (the fastest way to use it).
template <std::size_t Cap>
struct MoodycamelN {  // grows as needed: Cap is its initial size
  static constexpr const char* kName = "moodycamel";
  moodycamel::ConcurrentQueue<Item> q{Cap};
  moodycamel::ProducerToken owner_in{q};
  moodycamel::ConsumerToken owner_out{q};
  bool push(Item v) { return q.enqueue(owner_in, v); }
  bool pop(Item& v) { return q.try_dequeue(owner_out, v); }
};

template <std::size_t Cap>
struct BoostLockfreeN {  // a node pool of Cap nodes; push allocates more if it runs out
  static constexpr const char* kName = "boost-lockfree";
  boost::lockfree::queue<Item> q{Cap};
  bool push(Item v) { return q.push(v); }
  bool pop(Item& v) { return q.pop(v); }
  bool steal(Item& v) { return q.pop(v); }
};

// The naive work-stealing deque: the owner works at the back (LIFO), thieves at the front.
template <std::size_t>
struct MutexDequeN {
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

// A thief's handle on one queue, made before the clock starts. Most queues need nothing.
// Each on a cache line of its own (a thief's token is written per item: packed side by side in a
// vector, two thieves' tokens would share a line).
template <class Impl>
struct alignas(64) Stealer {
  explicit Stealer(Impl& impl) : impl(impl) {}
  bool steal(Item& v) { return impl.steal(v); }
  Impl& impl;
};
template <std::size_t Cap>
struct alignas(64) Stealer<MoodycamelN<Cap>> {
  explicit Stealer(MoodycamelN<Cap>& impl) : token(impl.q), impl(impl) {}
  bool steal(Item& v) { return impl.q.try_dequeue(token, v); }
  moodycamel::ConsumerToken token;
  MoodycamelN<Cap>& impl;
};

// At the kernel runqueue's size: the fork-join pool's queues and the peer stress test's.
using LockedLifo = LockedLifoN<kCapacity>;
using LockFreeLifo = LockFreeLifoN<kCapacity>;
using Xenium = XeniumN<kCapacity>;
using MutexDeque = MutexDequeN<kCapacity>;

}  // namespace neuron::bench
