// Deterministic races for host tests: two threads released together, round after round.
#pragma once

#include <atomic>
#include <thread>

#include "sched/platform.h"

namespace neuron::test {

constexpr int kRounds = 20'000;

// Runs `a` and `b` on two threads released together each round; `setup` runs before the release
// and `check` after both finished, on the calling thread.
template <typename Setup, typename A, typename B, typename Check>
void race_rounds(Setup setup, A a, B b, Check check) {
  std::atomic<int> round{-1};
  std::atomic<int> finished{0};
  std::thread other([&] {
    for (int r = 0; r < kRounds; ++r) {
      // acquire: pairs with the release of round r, so `setup` happened before `b`.
      while (round.load(std::memory_order_acquire) < r) sched::cpu_relax();
      b();
      finished.fetch_add(1, std::memory_order_release);  // release: `b`'s writes before `check`
    }
  });
  for (int r = 0; r < kRounds; ++r) {
    setup();
    round.store(r, std::memory_order_release);  // release: publishes `setup`
    a();
    // acquire: pairs with the other thread's release, so `check` sees what `b` did.
    while (finished.load(std::memory_order_acquire) < r + 1) sched::cpu_relax();
    check(r);
  }
  other.join();
}

}  // namespace neuron::test
