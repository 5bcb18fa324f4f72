// An unbounded intrusive FIFO of tasks (through Task::link) behind a spinlock, open to every CPU:
// the backlog behind each of a CPU's runqueues (see runqueues.h), which may hold pinned tasks that
// only the owner may take. Used where nothing may be dropped and a queue overflows only rarely
// (docs/architecture/01-neuron-kernel.md says why a lock here costs nothing measurable).
#pragma once

#include <atomic>
#include <cstdint>

#include "irq_lock.h"
#include "task.h"

namespace neuron {

class TaskFifo {
 public:
  void push(Task* t) TA_EXCL(lock_) {
    IrqSpinGuard g(lock_);
    t->link = nullptr;
    if (tail_) {
      tail_->link = t;
    } else {
      head_ = t;
    }
    tail_ = t;
    count(t->pinned, +1);
  }

  // The oldest task, pinned or not (the owner's view).
  bool pop(Task*& out) TA_EXCL(lock_) {
    IrqSpinGuard g(lock_);
    if (!head_) return false;
    out = unlink(nullptr, head_);
    return true;
  }

  // The oldest task that is not pinned (a thief's view: pinned tasks stay with their CPU).
  bool pop_unpinned(Task*& out) TA_EXCL(lock_) {
    IrqSpinGuard g(lock_);
    Task* prev = nullptr;
    for (Task* t = head_; t; prev = t, t = t->link) {
      if (!t->pinned) {
        out = unlink(prev, t);
        return true;
      }
    }
    return false;
  }

  // Hands the oldest tasks, in order, to `accept` for as long as the oldest is not pinned and
  // `accept` takes it (returns true). The lock is held throughout, so the order is kept. A task
  // `accept` took may be another CPU's at once (a stolen runqueue entry): it is not touched again.
  template <typename Accept>
  void pop_while(Accept accept) TA_EXCL(lock_) {
    IrqSpinGuard g(lock_);
    while (head_ && !head_->pinned) {
      Task* rest = head_->link;
      if (!accept(head_)) return;
      head_ = rest;  // its link still points at `rest`: whoever links it next overwrites it
      if (!rest) tail_ = nullptr;
      count(false, -1);  // after accept: see has_unpinned()
    }
  }

  // Lock-free peeks for the scheduler's hot paths; may be stale, callers re-check under the lock.
  bool empty() const { return size_.load(std::memory_order_relaxed) == 0; }  // relaxed: a hint
  // acquire: pairs with the release decrement after pop_while's accept, so a reader that sees the
  // task gone from here and then looks where accept put it (the runqueue) finds it there.
  bool has_unpinned() const { return unpinned_.load(std::memory_order_acquire) != 0; }

 private:
  Task* unlink(Task* prev, Task* t) TA_REQ(lock_) {
    (prev ? prev->link : head_) = t->link;
    if (tail_ == t) tail_ = prev;
    t->link = nullptr;
    count(t->pinned, -1);
    return t;
  }

  void count(bool pinned, int delta) TA_REQ(lock_) {
    // relaxed: a hint, as in empty(); the lock orders the list itself.
    size_.fetch_add(static_cast<std::uint32_t>(delta), std::memory_order_relaxed);
    // release: see has_unpinned(); an increment needs no order (the idle handshake fences it).
    if (!pinned) unpinned_.fetch_add(static_cast<std::uint32_t>(delta), std::memory_order_release);
  }

  Spinlock lock_;
  Task* head_ TA_GUARDED(lock_) = nullptr;
  Task* tail_ TA_GUARDED(lock_) = nullptr;
  std::atomic<std::uint32_t> size_{0};
  std::atomic<std::uint32_t> unpinned_{0};
};

}  // namespace neuron
