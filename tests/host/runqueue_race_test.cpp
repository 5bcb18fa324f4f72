// Deterministic races: two threads released together at one item, round after round. Exactly one
// of them gets it, every round.
#include <atomic>
#include <cstdio>
#include <thread>

#include "runqueue_variants.h"

namespace neuron::test {
namespace {

constexpr int kRounds = 20'000;

// Runs `a` and `b` on two threads released together each round; `setup` runs before the release
// and `check` after both finished, on the calling thread.
template <typename Setup, typename A, typename B, typename Check>
void race_rounds(Setup setup, A a, B b, Check check) {
  std::atomic<int> round{-1};
  std::atomic<int> finished{0};
  std::thread other([&] {
    for (int r = 0; r < kRounds; ++r) {
      while (round.load(std::memory_order_acquire) < r) sched::cpu_relax();
      b();
      finished.fetch_add(1, std::memory_order_release);
    }
  });
  for (int r = 0; r < kRounds; ++r) {
    setup();
    round.store(r, std::memory_order_release);
    a();
    while (finished.load(std::memory_order_acquire) < r + 1) sched::cpu_relax();
    check(r);
  }
  other.join();
}

template <typename V>
class RunQueueRace : public ::testing::Test {};
TYPED_TEST_SUITE(RunQueueRace, AllVariants, VariantNames);

// Owner `remove` (take or pop) against one thief, at the last item, every round.
template <typename Q, typename Remove>
void owner_versus_thief(Remove remove) {
  Q q;
  bool owner_got = false;
  sched::StealStatus thief = sched::StealStatus::Empty;
  int owner_wins = 0;
  race_rounds([&] { ASSERT_TRUE(q.push(1)); },
              [&] {
                Item v;
                owner_got = remove(q, v);
              },
              [&] {
                // Retry is a lost race: try again, so the thief always ends with a verdict.
                do thief = q.steal().status;
                while (thief == sched::StealStatus::Retry);
              },
              [&](int r) {
                ASSERT_NE(owner_got, thief == sched::StealStatus::Success)
                    << "round " << r << ": both or neither got the item";
                ASSERT_TRUE(q.empty());
                owner_wins += owner_got;
              });
  std::printf("[   info   ] owner won %d, thief won %d of %d rounds\n", owner_wins,
              kRounds - owner_wins, kRounds);
}

TYPED_TEST(RunQueueRace, LastItemOwnerTakeVersusSteal) {
  owner_versus_thief<typename TypeParam::template Queue<8>>(
      [](auto& q, Item& v) { return q.take(v); });
}

TYPED_TEST(RunQueueRace, LastItemOwnerPopVersusSteal) {
  owner_versus_thief<typename TypeParam::template Queue<8>>(
      [](auto& q, Item& v) { return q.pop(v); });
}

TYPED_TEST(RunQueueRace, StealVersusSteal) {
  typename TypeParam::template Queue<8> q;
  sched::StealStatus s1 = sched::StealStatus::Empty, s2 = sched::StealStatus::Empty;
  auto steal_until_verdict = [&](sched::StealStatus& s) {
    do s = q.steal().status;
    while (s == sched::StealStatus::Retry);
  };
  race_rounds([&] { ASSERT_TRUE(q.push(1)); }, [&] { steal_until_verdict(s1); },
              [&] { steal_until_verdict(s2); },
              [&](int r) {
                const int winners =
                    (s1 == sched::StealStatus::Success) + (s2 == sched::StealStatus::Success);
                ASSERT_EQ(winners, 1) << "round " << r;
                ASSERT_TRUE(q.empty());
              });
}

}  // namespace
}  // namespace neuron::test
