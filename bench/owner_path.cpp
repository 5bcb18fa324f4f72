// Instruction counts of the owner's fast path, for valgrind --tool=callgrind (scripts/bench.sh):
// one million push+pop (FIFO), push+take (LIFO) and push+steal pairs per variant, each loop in
// its own function so that callgrind's inclusive cost of `pairs_*` divided by 1e6 is the cost of
// one pair. Callgrind counts instructions, so the numbers do not depend on machine load.
// The three loops are spelled out on purpose: folding them into one template moved the counts
// by an instruction either way, and these loops are exactly what docs/benchmarks.md reports.
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "sched/locked/ring_deque.h"
#include "sched/lockfree/chase_lev.h"

namespace {

using Item = std::uintptr_t;
constexpr int kPairs = 1'000'000;

template <class Q>
__attribute__((noinline)) Item pairs_fifo(Q& q) {
  Item sum = 0, v = 0;
  for (int i = 0; i < kPairs; ++i) {
    q.push(static_cast<Item>(i) + 1);
    q.pop(v);
    sum += v;
  }
  return sum;
}

template <class Q>
__attribute__((noinline)) Item pairs_lifo(Q& q) {
  Item sum = 0, v = 0;
  for (int i = 0; i < kPairs; ++i) {
    q.push(static_cast<Item>(i) + 1);
    q.take(v);
    sum += v;
  }
  return sum;
}

template <class Q>
__attribute__((noinline)) Item pairs_steal(Q& q) {
  Item sum = 0;
  for (int i = 0; i < kPairs; ++i) {
    q.push(static_cast<Item>(i) + 1);
    sum += q.steal().item;
  }
  return sum;
}

template <class Q>
Item run(Q& q) {
  return pairs_fifo(q) + pairs_lifo(q) + pairs_steal(q);
}

neuron::sched::LockedRingDeque<Item, 1024> g_locked;
neuron::sched::ChaseLevDeque<Item, 1024> g_lockfree;

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 || (std::strcmp(argv[1], "locked") != 0 && std::strcmp(argv[1], "lockfree") != 0)) {
    std::fprintf(stderr, "usage: owner_path locked|lockfree\n");
    return 2;
  }
  const Item sum = std::strcmp(argv[1], "locked") == 0 ? run(g_locked) : run(g_lockfree);
  std::printf("%lu\n", static_cast<unsigned long>(sum));
  return 0;
}
