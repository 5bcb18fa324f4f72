// Exactly-once under concurrency: owner and 1..3 thieves, nearly-empty (last-item race),
// bursty and nearly-full queues.
#include <cstdio>

#include "runqueue_variants.h"
#include "stress_harness.h"

namespace neuron::test {
namespace {

// Five tests of 1.5 M items, each item pushed once and removed once: at least 15 M operations per
// variant (30 M with the refused pushes of the full-queue tests).
constexpr std::uint64_t kItems = 1'500'000;
constexpr std::uint64_t kMinOperations = 2 * kItems;

template <typename V>
class RunQueueStress : public ::testing::Test {
 protected:
  template <std::size_t N>
  void expect_exactly_once(const StressConfig& cfg) {
    const StressReport r = run_stress<typename V::template Queue<N>>(cfg);
    std::printf(
        "[   info   ] %llu ops (+%llu steal attempts): owner %llu, stolen %llu, refused pushes "
        "%llu\n",
        static_cast<unsigned long long>(r.operations),
        static_cast<unsigned long long>(r.steal_attempts),
        static_cast<unsigned long long>(r.by_owner), static_cast<unsigned long long>(r.stolen),
        static_cast<unsigned long long>(r.refused_pushes));
    EXPECT_EQ(r.duplicated, 0u) << "items taken twice";
    EXPECT_EQ(r.lost, 0u) << "items never taken";
    EXPECT_EQ(r.by_owner + r.stolen, cfg.items);
    EXPECT_GE(r.operations, kMinOperations);
  }
};
TYPED_TEST_SUITE(RunQueueStress, AllVariants, VariantNames);

TYPED_TEST(RunQueueStress, NearlyEmptyOneThief) {
  this->template expect_exactly_once<256>(
      {kItems, 1, OwnerPattern::NearlyEmpty, OwnerRemove::Alternate});
}

TYPED_TEST(RunQueueStress, NearlyEmptyThreeThieves) {
  this->template expect_exactly_once<256>(
      {kItems, 3, OwnerPattern::NearlyEmpty, OwnerRemove::Take});
}

TYPED_TEST(RunQueueStress, BurstsTwoThieves) {
  this->template expect_exactly_once<256>(
      {kItems, 2, OwnerPattern::Bursts, OwnerRemove::Alternate});
}

TYPED_TEST(RunQueueStress, NearlyFullSmallRingTwoThieves) {
  this->template expect_exactly_once<8>({kItems, 2, OwnerPattern::NearlyFull, OwnerRemove::Pop});
}

TYPED_TEST(RunQueueStress, NearlyFullThreeThievesOwnerTakes) {
  this->template expect_exactly_once<4>({kItems, 3, OwnerPattern::NearlyFull, OwnerRemove::Take});
}

}  // namespace
}  // namespace neuron::test
