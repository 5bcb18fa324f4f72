// Host tests of the wake lists (sched/wake_list.h), one typed suite over both variants: the
// sequential contract, deterministic races at the empty list, and a stress in which producers push
// while the consumer takes only when told (as the kernel drains only on an IPI or a switch): every
// node arrives exactly once, in each producer's order, and no push that needed to tell the
// consumer failed to.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "race_rounds.h"
#include "sched/locked/locked_list.h"
#include "sched/lockfree/mpsc_list.h"
#include "sched/platform.h"
#include "sched/wake_list.h"

namespace neuron::test {
namespace {

struct Node {
  std::uint32_t producer = 0;
  std::uint64_t seq = 0;
  Node* link = nullptr;
};

using LockedWakeList = sched::LockedList<Node, &Node::link>;
using LockFreeWakeList = sched::MpscList<Node, &Node::link>;
static_assert(sched::WakeList<LockedWakeList> && sched::WakeList<LockFreeWakeList>);

struct WakeListNames {
  template <typename L>
  static std::string GetName(int) {
    return std::is_same_v<L, LockedWakeList> ? "locked" : "lockfree";
  }
};

template <typename L>
class WakeListTest : public ::testing::Test {};
using WakeLists = ::testing::Types<LockedWakeList, LockFreeWakeList>;
TYPED_TEST_SUITE(WakeListTest, WakeLists, WakeListNames);

// The chain take_all() returned, as the sequence numbers it holds, oldest first.
std::vector<std::uint64_t> seqs(Node* n) {
  std::vector<std::uint64_t> out;
  for (; n; n = n->link) out.push_back(n->seq);
  return out;
}

TYPED_TEST(WakeListTest, EmptyListGivesNothing) {
  TypeParam l;
  EXPECT_TRUE(l.empty());
  EXPECT_EQ(l.take_all(), nullptr);
  EXPECT_TRUE(l.empty());
}

TYPED_TEST(WakeListTest, OnlyThePushOntoAnEmptyListSaysSo) {
  TypeParam l;
  Node n[3];
  EXPECT_TRUE(l.push(&n[0]));
  EXPECT_FALSE(l.empty());
  EXPECT_FALSE(l.push(&n[1]));
  EXPECT_FALSE(l.push(&n[2]));
  ASSERT_NE(l.take_all(), nullptr);
  EXPECT_TRUE(l.empty());
  EXPECT_TRUE(l.push(&n[1]));  // empty again after the take: the next push must tell
}

TYPED_TEST(WakeListTest, TakeAllReturnsPushOrder) {
  TypeParam l;
  Node n[5];
  for (std::uint64_t i = 0; i < 5; ++i) {
    n[i].seq = i;
    l.push(&n[i]);
  }
  EXPECT_EQ(seqs(l.take_all()), (std::vector<std::uint64_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(l.take_all(), nullptr);
  // A node taken may be pushed again at once (a task woken again): its old link is overwritten.
  l.push(&n[3]);
  l.push(&n[1]);
  EXPECT_EQ(seqs(l.take_all()), (std::vector<std::uint64_t>{3, 1}));
}

// A push against the consumer's take_all at an empty list: the node is taken exactly once (by
// the racing take or the one after), and the push always finds the list empty, since only the
// consumer removes and the list starts empty.
TYPED_TEST(WakeListTest, PushVersusTakeAllAtEmpty) {
  TypeParam l;
  Node n;
  bool told = false;
  Node* raced = nullptr;
  int taken_in_race = 0;
  race_rounds([&] { n.link = &n; },  // garbage: push must overwrite it
              [&] { told = l.push(&n); }, [&] { raced = l.take_all(); },
              [&](int r) {
                ASSERT_TRUE(told) << "round " << r << ": push onto an empty list did not say so";
                Node* after = l.take_all();
                ASSERT_EQ((raced == &n) + (after == &n), 1) << "round " << r;
                ASSERT_EQ(n.link, nullptr) << "round " << r << ": the chain does not end";
                taken_in_race += raced == &n;
              });
  std::printf("[   info   ] the racing take got the node in %d of %d rounds\n", taken_in_race,
              kRounds);
}

// Two producers at an empty list: exactly one is told it was empty, and both nodes arrive.
TYPED_TEST(WakeListTest, PushVersusPushAtEmpty) {
  TypeParam l;
  Node a, b;
  a.seq = 1;
  b.seq = 2;
  bool told_a = false, told_b = false;
  race_rounds([] {}, [&] { told_a = l.push(&a); }, [&] { told_b = l.push(&b); },
              [&](int r) {
                ASSERT_NE(told_a, told_b) << "round " << r;
                const std::vector<std::uint64_t> got = seqs(l.take_all());
                ASSERT_EQ(got.size(), 2u) << "round " << r;
                // The one told it was empty came first.
                ASSERT_EQ(got[0], told_a ? 1u : 2u) << "round " << r;
              });
}

// Producers push their nodes; a push that finds the list empty raises a flag (the IPI); the
// consumer takes the list only when it finds the flag raised. When all producers are done and
// the flag is down, the list must be empty: no node waits for a signal nobody sent.
struct StressResult {
  std::uint64_t received = 0, duplicated = 0, out_of_order = 0, signals = 0, stranded = 0;
};

template <typename L>
StressResult run_signalled_stress(unsigned producers, std::uint64_t per_producer) {
  L l;
  std::vector<std::unique_ptr<Node[]>> nodes;
  for (unsigned p = 0; p < producers; ++p) {
    nodes.emplace_back(new Node[per_producer]);
    for (std::uint64_t i = 0; i < per_producer; ++i) nodes[p][i] = Node{p, i, nullptr};
  }
  std::atomic<std::uint32_t> signal{0};
  std::atomic<unsigned> done{0};
  std::vector<std::thread> threads;
  for (unsigned p = 0; p < producers; ++p) {
    threads.emplace_back([&, p] {
      for (std::uint64_t i = 0; i < per_producer; ++i) {
        // release: the push happens before the consumer's acquire exchange sees the signal.
        if (l.push(&nodes[p][i])) signal.store(1, std::memory_order_release);
      }
      done.fetch_add(1, std::memory_order_release);  // release: this producer's pushes first
    });
  }
  StressResult r;
  std::vector<std::uint64_t> next(producers, 0);
  std::vector<std::uint8_t> seen(producers * per_producer, 0);
  auto drain = [&] {
    for (Node* n = l.take_all(); n; n = n->link) {
      ++r.received;
      if (seen[n->producer * per_producer + n->seq]++) ++r.duplicated;
      if (n->seq != next[n->producer]) ++r.out_of_order;
      next[n->producer] = n->seq + 1;
    }
  };
  for (;;) {
    // acquire: the last done increment follows every push; read before the final look below.
    const bool all_done = done.load(std::memory_order_acquire) == producers;
    // acquire: pairs with a producer's release store, so its push is visible to the take.
    if (signal.exchange(0, std::memory_order_acquire)) {
      ++r.signals;
      drain();
    } else if (all_done) {
      break;
    } else {
      sched::cpu_relax();
    }
  }
  for (std::thread& t : threads) t.join();
  for (Node* n = l.take_all(); n; n = n->link) ++r.stranded;
  return r;
}

TYPED_TEST(WakeListTest, SignalledStressExactlyOnceInOrder) {
  constexpr unsigned kProducers = 3;
  constexpr std::uint64_t kPerProducer = 500'000;
  const StressResult r = run_signalled_stress<TypeParam>(kProducers, kPerProducer);
  EXPECT_EQ(r.stranded, 0u) << "nodes left without a signal: a lost wake-up";
  EXPECT_EQ(r.received, kProducers * kPerProducer);
  EXPECT_EQ(r.duplicated, 0u);
  EXPECT_EQ(r.out_of_order, 0u) << "a producer's nodes arrived out of push order";
  EXPECT_GE(r.signals, 1u);
  std::printf("[   info   ] %lu nodes in %lu takes (signals)\n",
              static_cast<unsigned long>(r.received), static_cast<unsigned long>(r.signals));
}

}  // namespace
}  // namespace neuron::test
