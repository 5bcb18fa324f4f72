// Host benchmarks: the two project runqueues against the queues people use, each workload run for
// every implementation in the same process so that every row is a side-by-side comparison.
//   owner_push_pop/D      one thread: push then pop (the owner CPU's fast path) with D items
//                         already queued: at 0 every pop is the last item (Chase-Lev's fence
//                         and CAS path), at 16 the common case of a CPU with work queued
//   handover_free/K       the owner pushes 1 Mi items into a queue that never fills (2 Mi slots),
//                         K thieves steal them all: no back-pressure, the owner runs ahead
//   handover_bounded/K    the same with every implementation held to 1024 items in flight by
//                         one shared policy (the owner waits while 1024 are queued), whatever
//                         the queue's own capacity: the regime of a kernel runqueue
//   handover_full_ring/K  the same limit kept by each queue itself: a ring of 1024 slots that
//                         refuses a push when full, and the owner retries at once (a kernel
//                         runqueue's full ring). Fixed-capacity queues only: a growing one has
//                         no limit of its own
//   contended_tail/K      the owner pushes one and pops one, K thieves steal: the last-item race
//   cacheline_round_trip  two threads pass one cache line back and forth: what one cross-core
//                         hand-off costs on this machine, printed in the report's header
//   fork_join_fib         a work-stealing pool computes the fib(n) call tree, one task per node,
//                         joining through a count per parent; oneTBB's nested task_group likewise
// While the threads fit the cores, each is pinned to a core of its own (owner on core 0, thief i
// on core i + 1): the scheduler cannot put two on one core or move one mid-run. Runs with more
// threads than cores are labelled oversubscribed and reported apart (bench/report.py).
#include <benchmark/benchmark.h>
#include <pthread.h>
#include <sched.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "fork_join.h"
#include "peers.h"

namespace neuron::bench {
namespace {

constexpr Item kHandoverItems = Item{1} << 20;
constexpr Item kInFlight = kCapacity;  // handover_bounded's limit
constexpr Item kDrainReport = 64;  // a thief reports its items to the owner in groups this large
constexpr std::size_t kFreeCapacity = 2 * kHandoverItems;  // handover_free's rings: never full
// Rings of exactly the limit, as a kernel runqueue near full: the policy never lets a push meet a
// full ring (reports lag the truth, so in flight <= reported <= kInFlight), but each push's own
// fullness check runs against a ring that is nearly full, not one with room to spare.
constexpr std::size_t kBoundedCapacity = kInFlight;
constexpr Item kTailOps = Item{1} << 19;
constexpr unsigned kEmptyStreak = 64;
// The CPUs this process may run on (its affinity at start, so taskset and cpusets are honoured):
// threads are pinned to these, and they decide which runs are oversubscribed.
std::vector<int> g_cpus;
unsigned kCores = 0;  // g_cpus.size(), set in main before anything runs

void spin_until(const std::atomic<bool>& flag) {
  while (!flag.load(std::memory_order_acquire)) sched::cpu_relax();
}

// The affinity the process started with, restored after each pinned run.
cpu_set_t g_start_affinity;

// Pins the calling thread to the core-th allowed CPU, or (core < 0) gives it back the affinity
// the process started with. A row labelled pinned must be pinned: a failure ends the program.
void pin_to(int core) {
  cpu_set_t set = g_start_affinity;
  if (core >= 0) {
    CPU_ZERO(&set);
    CPU_SET(g_cpus[static_cast<std::size_t>(core)], &set);
  }
  if (const int e = pthread_setaffinity_np(pthread_self(), sizeof set, &set); e != 0) {
    std::fprintf(stderr, "host_bench: cannot pin a thread to core %d: %s\n", core,
                 std::strerror(e));
    std::exit(2);
  }
}

template <class Impl>
void owner_push_pop(benchmark::State& st) {
  auto impl = std::make_unique<Impl>();
  Item out = 0;
  for (Item i = 0; i < static_cast<Item>(st.range(0)); ++i) {
    if (!impl->push(i + 2)) st.SkipWithError("the queue would not hold the resident items");
  }
  for (auto _ : st) {
    impl->push(1);
    impl->pop(out);
    benchmark::DoNotOptimize(out);
  }
  st.SetItemsProcessed(st.iterations());  // one item through push and pop per iteration
}

bool oversubscribed(unsigned threads) { return threads > kCores; }

// Runs `owner` on this thread and `thief` on K threads, timing from a common start to the join;
// every thread on a core of its own while they fit.
template <class Owner, class Thief>
double timed_run(unsigned thieves, Owner owner, Thief thief) {
  const bool pin = !oversubscribed(thieves + 1);
  std::atomic<bool> go{false};
  std::atomic<unsigned> ready{0};
  std::vector<std::thread> ts;
  for (unsigned i = 0; i < thieves; ++i) {
    ts.emplace_back([&, i] {
      if (pin) pin_to(static_cast<int>(i + 1));
      ready.fetch_add(1, std::memory_order_release);
      spin_until(go);
      thief(i);
    });
  }
  if (pin) pin_to(0);
  while (ready.load(std::memory_order_acquire) < thieves) sched::cpu_relax();  // pinned, waiting
  const auto start = std::chrono::steady_clock::now();
  go.store(true, std::memory_order_release);
  owner();
  for (auto& t : ts) t.join();
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (pin) pin_to(-1);
  return secs;
}

const char* load_label(unsigned threads) {
  return oversubscribed(threads) ? "oversubscribed: more threads than cores" : "";
}

// How the owner is held back in a handover: not at all (a ring that never fills), by the shared
// count of items in flight, or by the queue's own full ring.
enum class Flow { Free, SharedLimit, FullRing };

template <class Impl, Flow kFlow>
void handover(benchmark::State& st) {
  constexpr bool kBounded = kFlow == Flow::SharedLimit;
  const auto thieves = static_cast<unsigned>(st.range(0));
  Item lost = 0;
  for (auto _ : st) {
    auto impl = std::make_unique<Impl>();  // built (and its ring zeroed) before the clock starts
    std::vector<Stealer<Impl>> stealers;
    for (unsigned i = 0; i < thieves; ++i) stealers.emplace_back(*impl);
    std::atomic<bool> done{false};
    std::atomic<Item> taken{0}, sum{0};
    // handover_bounded's flow control, the same for every queue and kept off the per-item path (a
    // shared counter touched per item would cost every queue a cache-line round trip per item and
    // measure itself): thieves report what they took in groups of kDrainReport, and at once when
    // they find the queue empty, so the owner never waits for items still counted as queued; the
    // owner reads the count only when its last reading says it is at the limit.
    std::atomic<Item> drained{0};
    const double secs = timed_run(
        thieves,
        [&] {
          Item seen = 0;  // drained, as last read
          for (Item i = 1; i <= kHandoverItems; ++i) {
            if constexpr (kBounded) {
              while (i - 1 - seen >= kInFlight) {
                // relaxed: flow control only; no data is read on the strength of it.
                seen = drained.load(std::memory_order_relaxed);
                if (i - 1 - seen >= kInFlight) sched::cpu_relax();
              }
            }
            // Full: handover_free never is, handover_bounded's policy keeps it from it.
            while (!impl->push(i)) sched::cpu_relax();
          }
          done.store(true, std::memory_order_release);
        },
        [&](unsigned k) {
          // After the owner is done, leave only after kEmptyStreak misses in a row: a miss while
          // items remain means another thief took one, and the last thief standing sees the truth.
          Item v, mine = 0, my_sum = 0, unreported = 0;
          unsigned misses = 0;
          auto report = [&] {  // relaxed: flow control only
            if (kBounded && unreported) drained.fetch_add(unreported, std::memory_order_relaxed);
            unreported = 0;
          };
          while (misses < kEmptyStreak) {
            if (stealers[k].steal(v)) {
              ++mine;
              my_sum += v;
              misses = 0;
              if (++unreported == kDrainReport) report();
            } else {
              report();
              if (done.load(std::memory_order_acquire)) ++misses;
            }
          }
          taken.fetch_add(mine, std::memory_order_relaxed);
          sum.fetch_add(my_sum, std::memory_order_relaxed);
        });
    // Counts and sums of the values 1..n: a lost item and a duplicated one do not cancel out.
    if (taken.load() != kHandoverItems || sum.load() != kHandoverItems * (kHandoverItems + 1) / 2) {
      ++lost;
    }
    st.SetIterationTime(secs);
  }
  if (lost) st.SkipWithError("items were lost or duplicated");
  st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * kHandoverItems));
  st.SetLabel(load_label(thieves + 1));
}

template <class Impl>
void contended_tail(benchmark::State& st) {
  const auto thieves = static_cast<unsigned>(st.range(0));
  double attempts = 0, stolen = 0;
  for (auto _ : st) {
    auto impl = std::make_unique<Impl>();
    std::vector<Stealer<Impl>> stealers;
    for (unsigned i = 0; i < thieves; ++i) stealers.emplace_back(*impl);
    std::atomic<bool> done{false};
    std::atomic<Item> steals{0}, tries{0}, stolen_sum{0};
    Item by_owner = 0, owner_sum = 0;
    const double secs = timed_run(
        thieves,
        [&] {
          Item v;
          for (Item i = 1; i <= kTailOps; ++i) {
            impl->push(i);
            if (impl->pop(v)) ++by_owner, owner_sum += v;
          }
          while (impl->pop(v)) ++by_owner, owner_sum += v;
          done.store(true, std::memory_order_release);
        },
        [&](unsigned k) {
          Item v, mine = 0, n = 0, my_sum = 0;
          while (!done.load(std::memory_order_acquire)) {
            ++n;
            if (stealers[k].steal(v)) ++mine, my_sum += v;
          }
          steals.fetch_add(mine, std::memory_order_relaxed);
          stolen_sum.fetch_add(my_sum, std::memory_order_relaxed);
          tries.fetch_add(n, std::memory_order_relaxed);
        });
    if (by_owner + steals.load() != kTailOps ||
        owner_sum + stolen_sum.load() != kTailOps * (kTailOps + 1) / 2) {
      st.SkipWithError("items were lost or duplicated");
    }
    attempts += static_cast<double>(tries.load());
    stolen += static_cast<double>(steals.load());
    st.SetIterationTime(secs);
  }
  st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * kTailOps));
  st.counters["steal_success"] = attempts > 0 ? stolen / attempts : 0;
  st.counters["stolen_per_s"] = benchmark::Counter(stolen, benchmark::Counter::kIsRate);
  st.counters["stolen_share"] = stolen / static_cast<double>(st.iterations() * kTailOps);
  st.SetLabel(load_label(thieves + 1));
}

// Two threads take turns incrementing one counter: each increment waits for the line to come
// back from the other core. Reported per round trip (two hand-offs).
void cacheline_round_trip(benchmark::State& st) {
  constexpr std::uint64_t kTrips = 1 << 16;
  std::uint64_t trips = 0;
  double total = 0;
  for (auto _ : st) {
    alignas(64) std::atomic<std::uint64_t> turn{0};
    const double secs = timed_run(
        1,
        [&] {
          for (std::uint64_t i = 0; i < 2 * kTrips; i += 2) {
            while (turn.load(std::memory_order_acquire) != i) sched::cpu_relax();
            turn.store(i + 1, std::memory_order_release);
          }
        },
        [&](unsigned) {
          for (std::uint64_t i = 1; i < 2 * kTrips; i += 2) {
            while (turn.load(std::memory_order_acquire) != i) sched::cpu_relax();
            turn.store(i + 1, std::memory_order_release);
          }
        });
    st.SetIterationTime(secs);
    trips += kTrips;
    total += secs;
  }
  st.counters["ns_per_round_trip"] = trips ? total * 1e9 / static_cast<double>(trips) : 0;
}

template <class Impl>
void fork_join_fib(benchmark::State& st) {
  const auto n = static_cast<unsigned>(st.range(0));
  std::vector<FibArena> arenas = fib_arenas(n, kCores);
  for (auto _ : st) {
    const std::uint64_t nodes = run_fib_pool<Impl>(n, kCores, arenas);
    if (nodes != fib_nodes(n)) st.SkipWithError("the pool lost or repeated tasks");
  }
  st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * fib_nodes(n)));
  st.SetLabel(std::to_string(kCores) + " workers");
}

void tbb_fork_join_fib(benchmark::State& st) {
  const auto n = static_cast<unsigned>(st.range(0));
  for (auto _ : st) run_fib_tbb(n, kCores);
  st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * fib_nodes(n)));
  st.SetLabel(std::to_string(kCores) + " workers");
}

template <template <std::size_t> class T>
void register_queue_workloads() {
  using Impl = T<kCapacity>;
  const std::string name = Impl::kName;
  benchmark::RegisterBenchmark(("owner_push_pop/" + name).c_str(), owner_push_pop<Impl>)
      ->ArgName("depth")
      ->Arg(0)
      ->Arg(16);
  benchmark::RegisterBenchmark(("handover_free/" + name).c_str(),
                               handover<T<kFreeCapacity>, Flow::Free>)
      ->ArgName("thieves")
      ->DenseRange(1, 3)
      ->UseManualTime()
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark(("handover_bounded/" + name).c_str(),
                               handover<T<kBoundedCapacity>, Flow::SharedLimit>)
      ->ArgName("thieves")
      ->DenseRange(1, 3)
      ->UseManualTime()
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark(("contended_tail/" + name).c_str(), contended_tail<Impl>)
      ->ArgName("thieves")
      ->DenseRange(1, 3)
      ->UseManualTime()
      ->Unit(benchmark::kMillisecond);
}

template <template <std::size_t> class T>
void register_full_ring() {
  benchmark::RegisterBenchmark(("handover_full_ring/" + std::string(T<kInFlight>::kName)).c_str(),
                               handover<T<kInFlight>, Flow::FullRing>)
      ->ArgName("thieves")
      ->DenseRange(1, 3)
      ->UseManualTime()
      ->Unit(benchmark::kMillisecond);
}

template <class Impl>
void register_fork_join() {
  benchmark::RegisterBenchmark((std::string("fork_join_fib/") + Impl::kName).c_str(),
                               fork_join_fib<Impl>)
      ->ArgName("n")
      ->Arg(kFibN)
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
}

}  // namespace
}  // namespace neuron::bench

int main(int argc, char** argv) {
  using namespace neuron::bench;
  // glibc takes single-threaded shortcuts (a mutex without atomics) until a process first makes a
  // thread, and never again after: start one now, so that no benchmark's speed depends on whether
  // it happens to run before every other that starts threads.
  std::thread([] {}).join();
  if (const int e =
          pthread_getaffinity_np(pthread_self(), sizeof g_start_affinity, &g_start_affinity);
      e != 0) {
    std::fprintf(stderr, "host_bench: cannot read the thread's affinity: %s\n", std::strerror(e));
    return 2;
  }
  for (int c = 0; c < CPU_SETSIZE; ++c) {
    if (CPU_ISSET(c, &g_start_affinity)) g_cpus.push_back(c);
  }
  kCores = static_cast<unsigned>(g_cpus.size());
  if (kCores >= 2) {
    benchmark::RegisterBenchmark("cacheline_round_trip", cacheline_round_trip)
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond);
  }
  register_queue_workloads<LockedN>();
  register_queue_workloads<LockFreeN>();
  register_queue_workloads<LockFreeSharedN>();
  register_queue_workloads<LockedLifoN>();
  register_queue_workloads<LockFreeLifoN>();
  register_queue_workloads<XeniumN>();
  register_queue_workloads<MoodycamelN>();
  register_queue_workloads<BoostLockfreeN>();
  register_queue_workloads<MutexDequeN>();
  register_full_ring<LockedN>();
  register_full_ring<LockFreeN>();
  register_full_ring<LockFreeSharedN>();
  register_full_ring<LockedLifoN>();
  register_full_ring<LockFreeLifoN>();
  register_full_ring<XeniumN>();
  register_fork_join<LockedLifo>();
  register_fork_join<LockFreeLifo>();
  register_fork_join<Xenium>();
  register_fork_join<MutexDeque>();
  benchmark::RegisterBenchmark("fork_join_fib/tbb-task_group", tbb_fork_join_fib)
      ->ArgName("n")
      ->Arg(kFibN)
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
  benchmark::AddCustomContext("cores", std::to_string(kCores));
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
