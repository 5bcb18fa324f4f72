// Our exactly-once stress (tests/host/stress_harness.h) run on xenium's Chase-Lev deque with a
// fixed-size ring, as used in the benchmarks: a peer that loses or repeats items would make its
// numbers meaningless.
#include <gtest/gtest.h>

#include "peers.h"
#include "stress_harness.h"

namespace neuron::bench {
namespace {

// The harness's shape of a LIFO runqueue (push/take/steal returning Stolen) over the peer adapter.
struct XeniumQueue {
  using value_type = Item;
  static constexpr sched::OwnerEnd kOwnerEnd = sched::OwnerEnd::Lifo;  // xenium's owner is LIFO
  Xenium impl;
  bool push(Item v) { return impl.push(v + 1); }  // items are never 0 for xenium (pointers)
  bool take(Item& v) { return shifted(impl.pop(v), v); }
  sched::Stolen<Item> steal() {
    Item v;
    return shifted(impl.steal(v), v) ? sched::Stolen<Item>::success(v)
                                     : sched::Stolen<Item>::empty();
  }

 private:
  static bool shifted(bool ok, Item& v) {
    if (ok) --v;
    return ok;
  }
};

TEST(PeerStress, XeniumFixedRingIsExactlyOnceNearlyEmpty) {
  const auto r = test::run_stress<XeniumQueue>({1'000'000, 2, test::OwnerPattern::NearlyEmpty});
  EXPECT_EQ(r.duplicated, 0u);
  EXPECT_EQ(r.lost, 0u);
}

TEST(PeerStress, XeniumFixedRingIsExactlyOnceBursts) {
  const auto r = test::run_stress<XeniumQueue>({1'000'000, 2, test::OwnerPattern::Bursts});
  EXPECT_EQ(r.duplicated, 0u);
  EXPECT_EQ(r.lost, 0u);
}

}  // namespace
}  // namespace neuron::bench
