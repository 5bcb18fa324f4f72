// The stress suite must be able to fail. A mutant Chase-Lev deque without the StoreLoad fence in
// take() lets x86's store buffer delay the owner's bottom store past its load of top: owner and
// thief then take the same item. The exactly-once check has to catch that within a bounded budget.
// (Test-only: the mutant's Orders policy exists nowhere but here.) Built optimized and without
// sanitizers, like production code: see tests/host/CMakeLists.txt.
#include <chrono>
#include <cstdio>

#include "runqueue_variants.h"
#include "stress_harness.h"

namespace neuron::test {
namespace {

struct NoTakeFence : sched::ChaseLevOrders {
  static constexpr bool kTakeFence = false;
};
using Mutant = sched::BasicChaseLevDeque<Item, 256, sched::OwnerEnd::Lifo, NoTakeFence>;

TEST(ChaseLevMutant, MissingTakeFenceIsCaughtByExactlyOnceStress) {
#if !defined(__x86_64__)
  GTEST_SKIP() << "the StoreLoad reordering this mutant needs is shown on x86-64 hosts";
#else
  constexpr auto kBudget = std::chrono::seconds(120);
  const auto start = std::chrono::steady_clock::now();
  std::uint64_t operations = 0;
  int runs = 0;
  StressReport r;
  do {
    r = run_stress<Mutant>({500'000, 2, OwnerPattern::Bursts});
    operations += r.operations;
    ++runs;
  } while (r.exactly_once() && std::chrono::steady_clock::now() - start < kBudget);
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "[   info   ] mutant %s after %llu operations (%d runs, %.1f s): %llu duplicated, %llu "
      "lost\n",
      r.exactly_once() ? "NOT caught" : "caught", static_cast<unsigned long long>(operations), runs,
      secs, static_cast<unsigned long long>(r.duplicated), static_cast<unsigned long long>(r.lost));
  EXPECT_FALSE(r.exactly_once())
      << "the stress test did not catch a deque without its StoreLoad fence";
#endif
}

// The same stress on the real deque over the same budget shape finds nothing: the mutant's
// failures come from the missing fence, not from the harness.
TEST(ChaseLevMutant, CorrectDequePassesTheSameStress) {
  const StressReport r = run_stress<sched::ChaseLevDeque<Item, 256, sched::OwnerEnd::Lifo>>(
      {500'000, 2, OwnerPattern::Bursts});
  EXPECT_TRUE(r.exactly_once()) << r.duplicated << " duplicated, " << r.lost << " lost";
}

}  // namespace
}  // namespace neuron::test
