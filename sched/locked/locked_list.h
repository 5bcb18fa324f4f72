// The locked wake list (sched/wake_list.h): an intrusive FIFO behind one spinlock. Every change
// takes the lock, so it is obviously correct; it is what the lock-free list has to beat. Only the
// consumer's look at an empty list does not (the same relaxed hint as the lock-free list's).
// The kernel calls it with interrupts off, so an interrupt handler on the same CPU never spins on
// a lock its own CPU holds.
#pragma once

#include <atomic>
#include <cstdint>

#include "sched/platform.h"
#include "sched/spinlock.h"
#include "sched/thread_annotations.h"
#include "sched/wake_list.h"

namespace neuron::sched {

template <typename Node, Node* Node::*Link>
class LockedList {
 public:
  using node_type = Node;

  bool push(Node* n) TA_EXCL(lock_) {
    n->*Link = nullptr;
    SpinGuard g(lock_);
    const bool was_empty = head_ == nullptr;
    (was_empty ? head_ : tail_->*Link) = n;
    tail_ = n;
    set_hint(false);
    return was_empty;
  }

  Node* take_all() TA_EXCL(lock_) {
    if (empty()) return nullptr;  // the consumer's hint, as in the lock-free list
    SpinGuard g(lock_);
    Node* n = head_;
    head_ = tail_ = nullptr;
    set_hint(true);
    return n;
  }

  // relaxed: a hint (sched/wake_list.h); the lock orders the list itself.
  bool empty() const { return empty_.load(std::memory_order_relaxed) != 0; }

 private:
  void set_hint(bool empty) TA_REQ(lock_) {
    empty_.store(empty ? 1 : 0, std::memory_order_relaxed);
  }

  alignas(kCacheLine) Spinlock lock_;
  Node* head_ TA_GUARDED(lock_) = nullptr;
  Node* tail_ TA_GUARDED(lock_) = nullptr;
  std::atomic<std::uint32_t> empty_{1};  // 32 bits: rv64 has no 8-bit atomics inline
};

}  // namespace neuron::sched
