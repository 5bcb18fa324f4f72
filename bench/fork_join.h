// Fork-join end to end: the call tree of fib(n), one task per node, on a small work-stealing pool
// (one queue per worker; a worker takes its own newest task first and steals the oldest from the
// others when it runs dry) that joins through a count per parent, or on oneTBB's task_group in
// its nested form (a group per node).
#pragma once

#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>

#include <atomic>
#include <chrono>
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

// A node of the call tree. A node with children completes when its last child does: that child's
// worker decrements the node's count, so the count's cache line crosses cores only when a child
// was stolen. The root's completion ends the run.
struct FibNode {
  FibNode* parent;
  std::atomic<std::uint32_t> waiting;  // children not yet complete
  std::uint32_t k;
};

// One worker's nodes, made before the clock starts and reused run after run, so that neither
// allocation nor first-touch page faults are timed.
struct FibArena {
  explicit FibArena(std::uint64_t capacity) : nodes(new FibNode[capacity]), capacity(capacity) {}
  std::unique_ptr<FibNode[]> nodes;
  std::uint64_t capacity;
  std::uint64_t used = 0;
  FibNode* make(FibNode* parent, std::uint32_t k) {
    if (used == capacity) return nullptr;
    FibNode* node = &nodes[used++];
    node->parent = parent;
    node->k = k;
    return node;
  }
};

// Arenas for `workers` workers: each may end up making every node of fib(n)'s tree.
inline std::vector<FibArena> fib_arenas(unsigned n, unsigned workers) {
  std::vector<FibArena> arenas;
  for (unsigned i = 0; i < workers; ++i) {
    arenas.emplace_back(fib_nodes(n));
    for (std::uint64_t j = 0; j < fib_nodes(n); ++j) arenas.back().nodes[j].k = 0;  // touch
  }
  return arenas;
}

// Runs fib(n)'s call tree on `workers` threads; returns the number of nodes processed, or 0 if
// an arena ran out (it cannot: each holds the whole tree) or the root never completed.
template <class Impl>
std::uint64_t run_fib_pool(unsigned n, unsigned workers, std::vector<FibArena>& arenas) {
  std::vector<std::unique_ptr<Impl>> queues;
  for (unsigned i = 0; i < workers; ++i) queues.push_back(std::make_unique<Impl>());
  for (auto& a : arenas) a.used = 0;
  std::atomic<bool> done{false};                      // the root completed
  std::vector<std::uint64_t> processed(workers * 8);  // a cache line apart per worker
  std::atomic<bool> exhausted{false};
  queues[0]->push(reinterpret_cast<Item>(arenas[0].make(nullptr, n)));

  auto worker = [&](unsigned me) {
    Impl& own = *queues[me];
    FibArena& arena = arenas[me];
    std::uint64_t count = 0;
    // A node and then every ancestor whose last child it was.
    auto complete = [&](FibNode* node) {
      for (;;) {
        FibNode* parent = node->parent;
        if (!parent) {
          done.store(true, std::memory_order_release);  // release: every count is in
          return;
        }
        // acq_rel: the last child to finish goes on up knowing its siblings finished.
        if (parent->waiting.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
        node = parent;
      }
    };
    // Processes one node: its children go on our queue, or run inline when it is full.
    auto process = [&](auto& self, FibNode* node) -> void {
      ++count;
      if (node->k < 2) {  // fib(0) and fib(1) call nothing: a leaf
        complete(node);
        return;
      }
      FibNode* a = arena.make(node, node->k - 1);
      FibNode* b = arena.make(node, node->k - 2);
      if (!a || !b) {
        exhausted.store(true, std::memory_order_relaxed);
        done.store(true, std::memory_order_release);
        return;
      }
      // relaxed: published to thieves by the pushes below (release in every queue measured).
      node->waiting.store(2, std::memory_order_relaxed);
      for (FibNode* child : {a, b}) {
        if (!own.push(reinterpret_cast<Item>(child))) self(self, child);
      }
    };
    Item item;
    // A lost task would leave the root incomplete and every worker spinning: worker 0 gives up
    // after a deadline far beyond any honest run, and the run counts as failed.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    for (std::uint64_t idle = 0;;) {
      bool got = own.pop(item);
      for (unsigned i = 1; !got && i < workers; ++i) got = queues[(me + i) % workers]->steal(item);
      if (got) {
        process(process, reinterpret_cast<FibNode*>(item));
      } else if (done.load(std::memory_order_acquire)) {  // acquire: pairs with the root's release
        break;
      } else if (me == 0 && ++idle % 4096 == 0 && std::chrono::steady_clock::now() > deadline) {
        exhausted.store(true, std::memory_order_relaxed);  // relaxed: read after the joins
        done.store(true, std::memory_order_release);
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
  if (exhausted.load(std::memory_order_relaxed)) return 0;
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
