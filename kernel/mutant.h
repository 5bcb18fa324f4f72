// Mutant kernels: a defect put back on purpose, in one of every kMutantPeriod timed selftest
// trials, to show that the exact-time lane catches it on every run (tests/qemu/CMakeLists.txt
// builds them as separate images). A normal build defines no NEURON_MUTANT_*: kKind is None and
// every strikes() folds to false, so the hot paths carry nothing.
#pragma once

#include <atomic>
#include <cstdint>

namespace neuron::mutant {

enum class Kind {
  None,
  DropKick,            // a claimed kick of an idle CPU is never sent
  SkipIrqSavePreempt,  // the end of an interrupts-off section is not a preemption point
  OffersLowestFirst    // owed offers are sent lowest class first
};

#if defined(NEURON_MUTANT_DROP_KICK)
inline constexpr Kind kKind = Kind::DropKick;
#elif defined(NEURON_MUTANT_SKIP_IRQSAVE_PREEMPT)
inline constexpr Kind kKind = Kind::SkipIrqSavePreempt;
#elif defined(NEURON_MUTANT_OFFERS_LOWEST_FIRST)
inline constexpr Kind kKind = Kind::OffersLowestFirst;
#else
inline constexpr Kind kKind = Kind::None;
#endif

inline constexpr std::uint32_t kMutantPeriod = 5;

// The timed selftests' current trial, from 1; 0 outside them (kernel/tests/selftest.cpp).
extern std::atomic<std::uint32_t> g_trial;

// True where mutant `k` acts now: in the last trial of every kMutantPeriod.
inline bool strikes(Kind k) {
  if constexpr (kKind == Kind::None) {
    return false;
  } else {
    // relaxed: set by the test task before it starts the trial's tasks; a stale read only moves
    // the defect by one trial.
    const std::uint32_t t = g_trial.load(std::memory_order_relaxed);
    return kKind == k && t != 0 && t % kMutantPeriod == 0;
  }
}

}  // namespace neuron::mutant
