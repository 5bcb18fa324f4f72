// Single-threaded semantics, identical for both variants: empty, one item, full, wrap-around, and
// the documented orders (pop and steal FIFO, take LIFO).
#include <vector>

#include "runqueue_variants.h"

namespace neuron::test {
namespace {

template <typename V>
class RunQueueSequential : public ::testing::Test {};
TYPED_TEST_SUITE(RunQueueSequential, AllVariants, VariantNames);

TYPED_TEST(RunQueueSequential, EmptyQueueGivesNothing) {
  typename TypeParam::template Queue<8> q;
  Item v = 42;
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.size(), 0u);
  EXPECT_FALSE(q.pop(v));
  EXPECT_FALSE(q.take(v));  // on Chase-Lev this is bottom - 1 = -1 against top = 0
  EXPECT_EQ(q.steal().status, sched::StealStatus::Empty);
  EXPECT_FALSE(q.pop(v));  // the failed take left the indices consistent
  EXPECT_EQ(v, 42u);       // failures do not touch the output
  EXPECT_TRUE(q.push(7));
  EXPECT_EQ(q.size(), 1u);
}

TYPED_TEST(RunQueueSequential, OneItemLeavesByEachDoor) {
  typename TypeParam::template Queue<8> q;
  Item v = 0;
  ASSERT_TRUE(q.push(1));
  EXPECT_EQ(q.size(), 1u);
  EXPECT_TRUE(q.pop(v));
  EXPECT_EQ(v, 1u);
  ASSERT_TRUE(q.push(2));
  EXPECT_TRUE(q.take(v));
  EXPECT_EQ(v, 2u);
  ASSERT_TRUE(q.push(3));
  const auto s = q.steal();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s.item, 3u);
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
  Item v = 0;
  ASSERT_TRUE(q.pop(v));
  EXPECT_EQ(v, 0u);
  EXPECT_TRUE(q.push(100));  // room again
  std::vector<Item> rest;
  while (q.pop(v)) rest.push_back(v);
  EXPECT_EQ(rest, (std::vector<Item>{1, 2, 3, 4, 5, 6, 7, 100}));  // nothing overwritten
}

TYPED_TEST(RunQueueSequential, WrapsAroundTheRingManyTimes) {
  constexpr std::size_t kCap = 4;
  typename TypeParam::template Queue<kCap> q;
  Item next_in = 0, next_out = 0;
  for (int round = 0; round < 1000; ++round) {
    const std::size_t fill = 1 + round % kCap;  // vary the occupancy so every slot offset is used
    for (std::size_t i = 0; i < fill; ++i) ASSERT_TRUE(q.push(next_in++));
    for (std::size_t i = 0; i < fill; ++i) {
      Item v;
      if (round % 2) {
        ASSERT_TRUE(q.pop(v));
      } else {
        const auto s = q.steal();
        ASSERT_TRUE(s.ok());
        v = s.item;
      }
      ASSERT_EQ(v, next_out++);
    }
  }
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(next_in, next_out);
}

TYPED_TEST(RunQueueSequential, PopIsFifoTakeIsLifo) {
  typename TypeParam::template Queue<16> q;
  for (Item i = 1; i <= 6; ++i) ASSERT_TRUE(q.push(i));
  Item v;
  ASSERT_TRUE(q.pop(v));
  EXPECT_EQ(v, 1u);  // oldest
  ASSERT_TRUE(q.take(v));
  EXPECT_EQ(v, 6u);  // newest
  ASSERT_TRUE(q.pop(v));
  EXPECT_EQ(v, 2u);
  ASSERT_TRUE(q.take(v));
  EXPECT_EQ(v, 5u);
  EXPECT_EQ(q.size(), 2u);
}

TYPED_TEST(RunQueueSequential, StealTakesTheOldest) {
  typename TypeParam::template Queue<16> q;
  for (Item i = 10; i < 15; ++i) ASSERT_TRUE(q.push(i));
  for (Item want = 10; want < 15; ++want) {
    const auto s = q.steal();
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(s.item, want);
  }
  EXPECT_EQ(q.steal().status, sched::StealStatus::Empty);
}

TYPED_TEST(RunQueueSequential, HoldsPointerHandles) {
  struct Task {
    int id;
  };
  Task tasks[3] = {{0}, {1}, {2}};
  using Q = std::conditional_t<std::is_same_v<TypeParam, Locked>, sched::LockedRingDeque<Task*, 4>,
                               sched::ChaseLevDeque<Task*, 4>>;
  static_assert(sched::RunQueue<Q>);
  Q q;
  for (Task& t : tasks) ASSERT_TRUE(q.push(&t));
  Task* out = nullptr;
  ASSERT_TRUE(q.pop(out));
  EXPECT_EQ(out, &tasks[0]);
  ASSERT_TRUE(q.take(out));
  EXPECT_EQ(out, &tasks[2]);
  const auto s = q.steal();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s.item, &tasks[1]);
}

}  // namespace
}  // namespace neuron::test
