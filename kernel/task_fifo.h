// An unbounded intrusive FIFO of tasks (through Task::link) behind a spinlock, open to every CPU.
// Used where simplicity beats speed and nothing may be dropped: a CPU's inbox (tasks other CPUs
// hand it) and the spill queues behind full runqueues.
#pragma once

#include <atomic>
#include <cstdint>

#include "irq_lock.h"
#include "task.h"

namespace neuron {

class TaskFifo {
 public:
  void push(Task* t) {
    IrqSpinGuard g(lock_);
    t->link = nullptr;
    if (tail_) {
      tail_->link = t;
    } else {
      head_ = t;
    }
    tail_ = t;
    // relaxed: a hint for empty(); the lock orders the list itself.
    size_.fetch_add(1, std::memory_order_relaxed);
  }

  bool pop(Task*& out) {
    IrqSpinGuard g(lock_);
    if (!head_) return false;
    out = head_;
    head_ = head_->link;
    if (!head_) tail_ = nullptr;
    out->link = nullptr;
    size_.fetch_sub(1, std::memory_order_relaxed);  // relaxed: hint only, as in push
    return true;
  }

  // Lock-free peek for the scheduler's hot path; may be stale, callers re-check under the lock.
  bool empty() const { return size_.load(std::memory_order_relaxed) == 0; }

 private:
  Spinlock lock_;
  Task* head_ TA_GUARDED(lock_) = nullptr;
  Task* tail_ TA_GUARDED(lock_) = nullptr;
  std::atomic<std::uint32_t> size_{0};
};

}  // namespace neuron
