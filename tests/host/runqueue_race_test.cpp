// Deterministic races: two threads released together at one item, round after round. Exactly one
// of them gets it, every round.
#include <cstdio>
#include <utility>

#include "race_rounds.h"
#include "runqueue_variants.h"

namespace neuron::test {
namespace {

template <typename V>
class RunQueueRace : public ::testing::Test {};
TYPED_TEST_SUITE(RunQueueRace, AllVariants, VariantNames);

// The owner's removal (pop or take, by the queue's end) against one thief, at the last item,
// every round.
TYPED_TEST(RunQueueRace, LastItemOwnerVersusSteal) {
  typename TypeParam::template Queue<8> q;
  bool owner_got = false;
  sched::StealStatus thief = sched::StealStatus::Empty;
  int owner_wins = 0;
  race_rounds([&] { ASSERT_TRUE(q.push(1)); },
              [&] {
                Item v;
                owner_got = owner_remove(q, v);
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

// ---- batch steal (FIFO queues) at the last items ----------------------------------------

template <typename V>
class RunQueueBatchRace : public ::testing::Test {};
TYPED_TEST_SUITE(RunQueueBatchRace, FifoVariants, VariantNames);

// A batch thief that retries lost races until it has a verdict: how many it got.
template <typename Q>
std::size_t batch_until_verdict(Q& q, Item* out) {
  sched::StolenBatch s;
  do s = q.steal_batch(out, 8);
  while (s.status == sched::StealStatus::Retry);
  return s.count;
}

// What two takers got plus what the owner pops from the rest, as {count, sum}: exactly once by
// both (a lost item and a duplicate do not cancel out when the items are 1, 2, 4).
template <typename Q>
std::pair<std::size_t, Item> tally(Q& q, const Item* a, std::size_t na, const Item* b,
                                   std::size_t nb) {
  Item sum = 0, v;
  std::size_t n = na + nb;
  for (std::size_t i = 0; i < na; ++i) sum += a[i];
  for (std::size_t i = 0; i < nb; ++i) sum += b[i];
  while (q.pop(v)) sum += v, ++n;
  return {n, sum};
}

// Three items each round; a batch thief (half of 3: two) against the owner popping two, then
// the rest drained. Every item leaves exactly once, every round, whoever wins.
TYPED_TEST(RunQueueBatchRace, BatchVersusOwnerPop) {
  typename TypeParam::template Queue<8> q;
  Item owner[2], batch[8];
  std::size_t owner_n = 0, batch_n = 0;
  race_rounds(
      [&] { ASSERT_TRUE(q.push(1) && q.push(2) && q.push(4)); },
      [&] {
        owner_n = 0;
        for (int i = 0; i < 2 && q.pop(owner[owner_n]); ++i) ++owner_n;
      },
      [&] { batch_n = batch_until_verdict(q, batch); },
      [&](int r) {
        ASSERT_EQ(tally(q, owner, owner_n, batch, batch_n), (std::pair<std::size_t, Item>{3, 7}))
            << "round " << r << ": {items, sum} should be {3, 7}";
      });
}

// Two batch thieves at two items: each claim is all or nothing, together exactly the two.
TYPED_TEST(RunQueueBatchRace, BatchVersusBatch) {
  typename TypeParam::template Queue<8> q;
  Item a[8], b[8];
  std::size_t na = 0, nb = 0;
  race_rounds([&] { ASSERT_TRUE(q.push(1) && q.push(2)); }, [&] { na = batch_until_verdict(q, a); },
              [&] { nb = batch_until_verdict(q, b); },
              [&](int r) {
                ASSERT_EQ(tally(q, a, na, b, nb), (std::pair<std::size_t, Item>{2, 3}))
                    << "round " << r << ": {items, sum} should be {2, 3}";
              });
}

}  // namespace
}  // namespace neuron::test
