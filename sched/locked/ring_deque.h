// The baseline runqueue: a fixed-capacity ring deque behind one spinlock. Every operation takes the
// lock, so it is obviously linearizable; it is what the lock-free variant has to beat.
#pragma once

#include <cstddef>
#include <cstdint>

#include "sched/platform.h"
#include "sched/runqueue.h"
#include "sched/spinlock.h"
#include "sched/thread_annotations.h"

namespace neuron::sched {

// The owner's end follows the same rule as the lock-free deque's (sched/runqueue.h), though the
// lock would make every combination safe: the kernel and the tests compile against one interface.
template <typename T, std::size_t N, OwnerEnd End>
class LockedRingDeque {
  static_assert(kPowerOfTwo<N>, "capacity must be a power of two");

 public:
  using value_type = T;
  static constexpr OwnerEnd kOwnerEnd = End;

  static constexpr std::size_t capacity() { return N; }

  bool push(T v) TA_EXCL(lock_) {
    SpinGuard g(lock_);
    if (tail_ - head_ == N) return false;
    slots_[tail_ & kMask] = v;
    ++tail_;
    return true;
  }

  bool pop(T& out) requires(End == OwnerEnd::Fifo) TA_EXCL(lock_) {
    SpinGuard g(lock_);
    return pop_front_locked(out);
  }

  bool take(T& out) requires(End == OwnerEnd::Lifo) TA_EXCL(lock_) {
    SpinGuard g(lock_);
    if (tail_ == head_) return false;
    --tail_;
    out = slots_[tail_ & kMask];
    return true;
  }

  // The lock serialises thieves, so a steal never has to report Retry.
  Stolen<T> steal() TA_EXCL(lock_) {
    SpinGuard g(lock_);
    T v;
    return pop_front_locked(v) ? Stolen<T>::success(v) : Stolen<T>::empty();
  }

  StolenBatch steal_batch(T* out, std::size_t max) requires(End == OwnerEnd::Fifo) TA_EXCL(lock_) {
    SpinGuard g(lock_);
    const std::size_t k = batch_size(static_cast<std::size_t>(tail_ - head_), max);
    for (std::size_t i = 0; i < k; ++i) pop_front_locked(out[i]);
    return {k ? StealStatus::Success : StealStatus::Empty, k};
  }

  // Unlocked reads of the indices would be data races: take the lock, hints or not.
  std::size_t size() const TA_EXCL(lock_) {
    SpinGuard g(lock_);
    return static_cast<std::size_t>(tail_ - head_);
  }
  bool empty() const { return size() == 0; }

 private:
  static constexpr std::uint64_t kMask = N - 1;

  bool pop_front_locked(T& out) TA_REQ(lock_) {
    if (tail_ == head_) return false;
    out = slots_[head_ & kMask];
    ++head_;
    return true;
  }

  // Unwrapped 64-bit positions: head_ only grows, tail_ never drops below head_, and 2^64 pushes
  // never happen. tail_ - head_ is the size; the low bits index the ring.
  mutable Spinlock lock_;
  std::uint64_t head_ TA_GUARDED(lock_) = 0;
  std::uint64_t tail_ TA_GUARDED(lock_) = 0;
  T slots_[N] TA_GUARDED(lock_){};
};

static_assert(FifoRunQueue<LockedRingDeque<std::uintptr_t, 4, OwnerEnd::Fifo>>);
static_assert(LifoRunQueue<LockedRingDeque<std::uintptr_t, 4, OwnerEnd::Lifo>>);

}  // namespace neuron::sched
