// Single-threaded semantics, identical for both variants at each owner end: empty, one item, full,
// wrap-around, and the documented orders (pop, steal and steal_batch FIFO, take LIFO).
#include <vector>

#include "runqueue_variants.h"

namespace neuron::test {
namespace {

template <typename V>
class RunQueueSequential : public ::testing::Test {};
TYPED_TEST_SUITE(RunQueueSequential, AllVariants, VariantNames);

template <typename Q>
Item steal_one(Q& q) {
  const auto s = q.steal();
  EXPECT_TRUE(s.ok());
  return s.item;
}

TYPED_TEST(RunQueueSequential, EmptyQueueGivesNothing) {
  typename TypeParam::template Queue<8> q;
  Item v = 42;
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.size(), 0u);
  EXPECT_FALSE(owner_remove(q, v));  // on a LIFO Chase-Lev this is bottom - 1 = -1 against top 0
  EXPECT_EQ(q.steal().status, sched::StealStatus::Empty);
  EXPECT_FALSE(owner_remove(q, v));  // the failed removal left the indices consistent
  EXPECT_EQ(v, 42u);                 // failures do not touch the output
  EXPECT_TRUE(q.push(7));
  EXPECT_EQ(q.size(), 1u);
}

TYPED_TEST(RunQueueSequential, OneItemLeavesByEachDoor) {
  typename TypeParam::template Queue<8> q;
  Item v = 0;
  ASSERT_TRUE(q.push(1));
  EXPECT_EQ(q.size(), 1u);
  EXPECT_TRUE(owner_remove(q, v));
  EXPECT_EQ(v, 1u);
  ASSERT_TRUE(q.push(3));
  EXPECT_EQ(steal_one(q), 3u);
  EXPECT_TRUE(q.empty());
}

TYPED_TEST(RunQueueSequential, FullQueueRefusesAndKeepsEverything) {
  constexpr std::size_t kCap = 8;
  typename TypeParam::template Queue<kCap> q;
  EXPECT_EQ(q.capacity(), kCap);
  for (Item i = 0; i < kCap; ++i) ASSERT_TRUE(q.push(i));
  EXPECT_EQ(q.size(), kCap);
  EXPECT_FALSE(q.push(100));  // refused: the caller still holds 100
  EXPECT_FALSE(q.push(101));
  EXPECT_EQ(q.size(), kCap);
  EXPECT_EQ(steal_one(q), 0u);
  EXPECT_TRUE(q.push(100));  // room again
  std::vector<Item> rest;
  while (!q.empty()) rest.push_back(steal_one(q));
  EXPECT_EQ(rest, (std::vector<Item>{1, 2, 3, 4, 5, 6, 7, 100}));  // nothing overwritten
}

TYPED_TEST(RunQueueSequential, WrapsAroundTheRingManyTimes) {
  constexpr std::size_t kCap = 4;
  typename TypeParam::template Queue<kCap> q;
  Item next_in = 0, next_out = 0;
  for (int round = 0; round < 1000; ++round) {
    const std::size_t fill = 1 + round % kCap;  // vary the occupancy so every slot offset is used
    for (std::size_t i = 0; i < fill; ++i) ASSERT_TRUE(q.push(next_in++));
    if constexpr (sched::FifoRunQueue<decltype(q)>) {
      if (round % 3 == 1) {  // the owner's pop, in order
        for (Item v; next_out < next_in; ++next_out) ASSERT_TRUE(q.pop(v) && v == next_out);
      } else if (round % 3 == 2) {  // batches of at most 2, in order
        Item out[2];
        while (next_out < next_in) {
          const sched::StolenBatch s = q.steal_batch(out, 2);
          ASSERT_TRUE(s.ok() && s.count >= 1 && s.count <= 2);
          for (std::size_t i = 0; i < s.count; ++i) ASSERT_EQ(out[i], next_out++);
        }
      }
    }
    while (next_out < next_in) ASSERT_EQ(steal_one(q), next_out++);
  }
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(next_in, next_out);
}

TYPED_TEST(RunQueueSequential, OwnerRemovesAtItsEnd) {
  typename TypeParam::template Queue<16> q;
  for (Item i = 1; i <= 6; ++i) ASSERT_TRUE(q.push(i));
  const bool fifo = TypeParam::kEnd == sched::OwnerEnd::Fifo;
  Item v;
  ASSERT_TRUE(owner_remove(q, v));
  EXPECT_EQ(v, fifo ? 1u : 6u);  // oldest, or newest
  ASSERT_TRUE(owner_remove(q, v));
  EXPECT_EQ(v, fifo ? 2u : 5u);
  EXPECT_EQ(steal_one(q), fifo ? 3u : 1u);  // thieves always take the oldest
  EXPECT_EQ(q.size(), 3u);
}

TYPED_TEST(RunQueueSequential, StealTakesTheOldest) {
  typename TypeParam::template Queue<16> q;
  for (Item i = 10; i < 15; ++i) ASSERT_TRUE(q.push(i));
  for (Item want = 10; want < 15; ++want) EXPECT_EQ(steal_one(q), want);
  EXPECT_EQ(q.steal().status, sched::StealStatus::Empty);
}

TYPED_TEST(RunQueueSequential, HoldsPointerHandles) {
  struct Task {
    int id;
  };
  Task tasks[3] = {{0}, {1}, {2}};
  using Q = typename TypeParam::template QueueOf<Task*, 4>;
  static_assert(sched::RunQueue<Q>);
  Q q;
  for (Task& t : tasks) ASSERT_TRUE(q.push(&t));
  Task* out = nullptr;
  ASSERT_TRUE(owner_remove(q, out));
  EXPECT_EQ(out, TypeParam::kEnd == sched::OwnerEnd::Fifo ? &tasks[0] : &tasks[2]);
  const auto s = q.steal();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s.item, TypeParam::kEnd == sched::OwnerEnd::Fifo ? &tasks[1] : &tasks[0]);
}

// ---- batch steal: FIFO queues only ---------------------------------------------------------

template <typename V>
class RunQueueBatch : public ::testing::Test {};
TYPED_TEST_SUITE(RunQueueBatch, FifoVariants, VariantNames);

TYPED_TEST(RunQueueBatch, TakesHalfTheOldestRoundedUpAndAtMostMax) {
  typename TypeParam::template Queue<16> q;
  for (Item i = 1; i <= 7; ++i) ASSERT_TRUE(q.push(i));
  Item out[16] = {};
  sched::StolenBatch s = q.steal_batch(out, 16);  // 7 queued: 4
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s.count, 4u);
  EXPECT_EQ((std::vector<Item>(out, out + 4)), (std::vector<Item>{1, 2, 3, 4}));
  s = q.steal_batch(out, 1);  // 3 queued, at most 1
  ASSERT_EQ(s.count, 1u);
  EXPECT_EQ(out[0], 5u);
  s = q.steal_batch(out, 16);  // 2 queued: 1
  ASSERT_EQ(s.count, 1u);
  EXPECT_EQ(out[0], 6u);
  s = q.steal_batch(out, 16);  // the last one
  ASSERT_EQ(s.count, 1u);
  EXPECT_EQ(out[0], 7u);
  s = q.steal_batch(out, 16);
  EXPECT_EQ(s.status, sched::StealStatus::Empty);
  EXPECT_EQ(s.count, 0u);
  EXPECT_TRUE(q.empty());
}

TYPED_TEST(RunQueueBatch, FullRingAcrossTheWrap) {
  constexpr std::size_t kCap = 8;
  typename TypeParam::template Queue<kCap> q;
  Item next_in = 1, next_out = 1, out[kCap];
  for (int round = 0; round < 100; ++round) {
    while (q.push(next_in)) ++next_in;  // fill: the ring's start moves by the batch each round
    const sched::StolenBatch s = q.steal_batch(out, kCap);
    ASSERT_EQ(s.count, kCap / 2);
    for (std::size_t i = 0; i < s.count; ++i) ASSERT_EQ(out[i], next_out++);
    EXPECT_EQ(q.size(), kCap / 2);
  }
  for (Item v; q.pop(v);) ASSERT_EQ(v, next_out++);
  EXPECT_EQ(next_out, next_in);
}

}  // namespace
}  // namespace neuron::test
