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

template <template <typename, std::size_t, neuron::sched::OwnerEnd> class Q>
Item run() {
  using neuron::sched::OwnerEnd;
  static Q<Item, 1024, OwnerEnd::Fifo> fifo;
  static Q<Item, 1024, OwnerEnd::Lifo> lifo;
  return pairs_fifo(fifo) + pairs_lifo(lifo) + pairs_steal(fifo);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 || (std::strcmp(argv[1], "locked") != 0 && std::strcmp(argv[1], "lockfree") != 0)) {
    std::fprintf(stderr, "usage: owner_path locked|lockfree\n");
    return 2;
  }
  const Item sum = std::strcmp(argv[1], "locked") == 0 ? run<neuron::sched::LockedRingDeque>()
                                                       : run<neuron::sched::ChaseLevDeque>();
  std::printf("%lu\n", static_cast<unsigned long>(sum));
  return 0;
}
