// Exactly-once under concurrency: owner and 1..3 thieves, nearly-empty (last-item race),
// bursty and nearly-full queues, at both owner ends, and with batch-stealing thieves.
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
  this->template expect_exactly_once<256>({kItems, 1, OwnerPattern::NearlyEmpty});
}

TYPED_TEST(RunQueueStress, NearlyEmptyThreeThieves) {
  this->template expect_exactly_once<256>({kItems, 3, OwnerPattern::NearlyEmpty});
}

TYPED_TEST(RunQueueStress, BurstsTwoThieves) {
  this->template expect_exactly_once<256>({kItems, 2, OwnerPattern::Bursts});
}

TYPED_TEST(RunQueueStress, NearlyFullSmallRingTwoThieves) {
  this->template expect_exactly_once<8>({kItems, 2, OwnerPattern::NearlyFull});
}

TYPED_TEST(RunQueueStress, NearlyFullTinyRingThreeThieves) {
  this->template expect_exactly_once<4>({kItems, 3, OwnerPattern::NearlyFull});
}

// Batch steals (FIFO queues): thieves take up to half the queue per claim, against the owner's
// pop at the last items, in bursts, and around a small full ring where the owner refills slots
// right behind the batch being copied.
template <typename V>
class RunQueueBatchStress : public RunQueueStress<V> {};
TYPED_TEST_SUITE(RunQueueBatchStress, FifoVariants, VariantNames);

// At 0-1 items every batch is of one: the batch path's last-item race against pop().
TYPED_TEST(RunQueueBatchStress, NearlyEmptyTwoBatchThieves) {
  this->template expect_exactly_once<256>({kItems, 2, OwnerPattern::NearlyEmpty, 32});
}

TYPED_TEST(RunQueueBatchStress, BurstsThreeBatchThieves) {
  this->template expect_exactly_once<256>({kItems, 3, OwnerPattern::Bursts, 4});
}

TYPED_TEST(RunQueueBatchStress, NearlyFullSmallRingTwoBatchThieves) {
  this->template expect_exactly_once<8>({kItems, 2, OwnerPattern::NearlyFull, 32});
}

}  // namespace
}  // namespace neuron::test
