// Test-and-test-and-set spinlock: the whole lock is one 32-bit word (GCC inlines 32-bit atomics on
// rv64; 8- and 16-bit ones become library calls a freestanding kernel does not have).
// It does not touch interrupts: the kernel wraps it in a guard that saves and restores them.
#pragma once

#include <atomic>
#include <cstdint>

#include "sched/platform.h"
#include "sched/thread_annotations.h"

namespace neuron::sched {

class TA_CAPABILITY("spinlock") Spinlock {
 public:
  Spinlock() = default;
  Spinlock(const Spinlock&) = delete;
  Spinlock& operator=(const Spinlock&) = delete;

  void lock() TA_ACQ() {
    for (;;) {
      // acquire: on success, everything the previous holder wrote before unlock() is visible.
      if (word_.exchange(1, std::memory_order_acquire) == 0) return;
      // relaxed: only a hint to retry the exchange; spinning on a read keeps the line shared.
      while (word_.load(std::memory_order_relaxed) != 0) cpu_relax();
    }
  }

  bool try_lock() TA_TRY_ACQ(true) {
    // relaxed pre-check avoids dirtying the line when the lock is visibly taken.
    if (word_.load(std::memory_order_relaxed) != 0) return false;
    // acquire: pairs with the release in unlock(), as in lock().
    return word_.exchange(1, std::memory_order_acquire) == 0;
  }

  void unlock() TA_REL() {
    // release: publishes the critical section's writes to the next acquirer.
    word_.store(0, std::memory_order_release);
  }

 private:
  std::atomic<std::uint32_t> word_{0};
};

// Scoped ownership of a Spinlock. Non-copyable; discarding it would unlock at once.
class TA_SCOPED_CAPABILITY [[nodiscard]] SpinGuard {
 public:
  explicit SpinGuard(Spinlock& l) TA_ACQ(l) : lock_(l) { lock_.lock(); }
  ~SpinGuard() TA_REL() { lock_.unlock(); }
  SpinGuard(const SpinGuard&) = delete;
  SpinGuard& operator=(const SpinGuard&) = delete;

 private:
  Spinlock& lock_;
};

}  // namespace neuron::sched
