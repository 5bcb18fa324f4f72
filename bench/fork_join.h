// Fork-join end to end: the call tree of fib(n), one task per node, on a small work-stealing pool
// (one queue per worker; a worker takes its own newest task first and steals the oldest from the
// others when it runs dry) or on oneTBB's task_group.
#pragma once

#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "peers.h"

namespace neuron::bench {

inline constexpr unsigned kFibN = 30;

// Nodes in the call tree of fib(n): N(n) = N(n-1) + N(n-2) + 1, N(0) = N(1) = 1.
constexpr std::uint64_t fib_nodes(unsigned n) {
  std::uint64_t a = 1, b = 1;  // N(0), N(1)
  for (unsigned i = 2; i <= n; ++i) {
    const std::uint64_t c = a + b + 1;
    a = b;
    b = c;
  }
  return n == 0 ? a : b;
}

// Runs fib(n)'s call tree on `workers` threads; returns the number of nodes processed.
template <class Impl>
std::uint64_t run_fib_pool(unsigned n, unsigned workers) {
  std::vector<std::unique_ptr<Impl>> queues;
  for (unsigned i = 0; i < workers; ++i) queues.push_back(std::make_unique<Impl>());
  // Tasks queued or running; the pool is done when it drops to zero. Items are n + 1 (never 0).
  std::atomic<std::int64_t> pending{1};
  std::vector<std::uint64_t> processed(workers * 8);  // a cache line apart per worker
  queues[0]->push(n + 1);

  auto worker = [&](unsigned me) {
    Impl& own = *queues[me];
    std::uint64_t count = 0;
    // Processes one node: its children go on our queue, or run inline when it is full.
    auto process = [&](auto& self, Item k) -> void {
      ++count;
      if (k >= 3) {  // fib(k-1) for k - 1 >= 2 has children
        for (Item child : {k - 1, k - 2}) {
          pending.fetch_add(1, std::memory_order_relaxed);  // relaxed: only counts, no data
          if (!own.push(child)) {
            self(self, child);
          }
        }
      }
      // release: our pushes are visible before a worker can see pending reach zero.
      pending.fetch_sub(1, std::memory_order_release);
    };
    Item k;
    for (;;) {
      bool got = own.pop(k);
      for (unsigned i = 1; !got && i < workers; ++i) got = queues[(me + i) % workers]->steal(k);
      if (got) {
        process(process, k);
      } else if (pending.load(std::memory_order_acquire) == 0) {  // acquire: pairs with release
        break;
      } else {
        sched::cpu_relax();
      }
    }
    processed[me * 8] = count;
  };
  std::vector<std::thread> threads;
  for (unsigned i = 1; i < workers; ++i) threads.emplace_back(worker, i);
  worker(0);
  for (auto& t : threads) t.join();
  std::uint64_t total = 0;
  for (unsigned i = 0; i < workers; ++i) total += processed[i * 8];
  return total;
}

inline void tbb_fib_node(unsigned k) {
  if (k < 2) return;
  tbb::task_group g;
  g.run([k] { tbb_fib_node(k - 1); });
  tbb_fib_node(k - 2);
  g.wait();
}

inline void run_fib_tbb(unsigned n, unsigned workers) {
  tbb::task_arena arena(static_cast<int>(workers));
  arena.execute([n] { tbb_fib_node(n); });
}

}  // namespace neuron::bench
