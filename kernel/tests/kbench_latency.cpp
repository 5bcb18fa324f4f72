// Wake-to-run latency distributions, the way schbench measures them: messenger tasks each wake a
// group of worker tasks and block; each worker notes the time from its wake to its first
// instruction, does a fixed amount of work and, the last of its group, wakes the messenger back.
// Two cases:
// - latency_normal: two messengers with one worker per CPU each, all of the Normal class;
// - latency_mixed_perfburst: one PerfBurst messenger whose PerfBurst workers (one per CPU but
//   one) wake back to back while a Normal task per CPU keeps every CPU busy, so that each wake
//   must preempt.
// Per case: p50, p99, p99.9 and the maximum in microseconds of guest time, IPIs sent per wake,
// and wakes per second; plus a KHIST line (log2 buckets) that bench.sh turns into a histogram.
// In the exact lane guest time counts instructions (docs/benchmarks.md says what that models).
#include <atomic>
#include <cstdint>

#include "kernel/arch.h"
#include "kernel/boot.h"
#include "kernel/console.h"
#include "kernel/percpu.h"
#include "kernel/scheduler.h"
#include "kernel/tests/kbench.h"
#include "kernel/tests/kbench_report.h"
#include "kernel/tests/selftest.h"
#include "kernel/tests/timed.h"
#include "kernel/tests/wait.h"

namespace neuron {
namespace {

constexpr std::uint32_t kSamples = 2048;    // per case: p99.9 is a sample, not the maximum
constexpr std::uint32_t kMaxWorkers = 8;    // per messenger
constexpr std::uint32_t kMaxGroups = 2;     // messengers
constexpr std::uint32_t kWorkLoops = 2000;  // a worker's work: rounds of an empty loop
constexpr std::uint32_t kHistBuckets = 20;  // log2 buckets of 1 us: [0,1), [1,2), [2,4), ...

struct Group;

struct Worker {
  Task* task = nullptr;
  Group* group = nullptr;
  // When the messenger woke it (timebase units). Written before task_wake, read by the worker
  // after its task_block returned: the wake's lock handover orders the two (relaxed is enough).
  std::atomic<std::uint64_t> woken_at{0};
};

struct Group {
  Task* messenger = nullptr;
  // Set by the messenger when the samples are full, before the wakes that end its workers. Per
  // group: a worker must never see another group's stop in the middle of its own group's round.
  std::atomic<std::uint32_t> stop{0};
  std::uint32_t workers = 0;
  std::atomic<std::uint32_t> pending{0};  // workers of this round that did not reply yet
  Worker worker[kMaxWorkers];
};

struct Run {
  std::atomic<std::uint32_t> taken{0};  // sample slots claimed
  std::atomic<std::uint32_t> exited{0};
  std::uint64_t samples[kSamples];
  std::uint32_t groups = 0;
  Group group[kMaxGroups];
};
Run g_run;

void spin_work() {
  for (std::uint32_t i = 0; i < kWorkLoops; ++i) asm volatile("" ::: "memory");
}

void worker_main(void* arg) {
  Worker& w = *static_cast<Worker*>(arg);
  Group& g = *w.group;
  // Created blocked: each pass starts with a wake from the messenger. relaxed: the flag is
  // written before that wake, which orders it.
  while (g.stop.load(std::memory_order_relaxed) == 0) {
    const std::uint64_t ran_at = arch::time_now();
    // relaxed: ordered by the wake (see Worker::woken_at).
    const std::uint64_t lat = ran_at - w.woken_at.load(std::memory_order_relaxed);
    const std::uint32_t slot = g_run.taken.fetch_add(1, std::memory_order_relaxed);  // a claim
    if (slot < kSamples) g_run.samples[slot] = lat;
    spin_work();
    // acq_rel: the last one to reply sees every sample of the round before it wakes the messenger.
    if (g.pending.fetch_sub(1, std::memory_order_acq_rel) == 1) task_wake(g.messenger);
    task_block();
  }
  g_run.exited.fetch_add(1, std::memory_order_release);  // release: after its last sample
}

void messenger_main(void* arg) {
  Group& g = *static_cast<Group*>(arg);
  for (;;) {
    // relaxed: a count, ordered for the workers by the wakes below.
    const bool full = g_run.taken.load(std::memory_order_relaxed) >= kSamples;
    if (full) g.stop.store(1, std::memory_order_relaxed);   // relaxed: seen after a wake
    g.pending.store(g.workers, std::memory_order_relaxed);  // relaxed: the wakes publish it
    for (std::uint32_t i = 0; i < g.workers; ++i) {
      g.worker[i].woken_at.store(arch::time_now(), std::memory_order_relaxed);
      task_wake(g.worker[i].task);
    }
    if (full) break;  // the workers exit on this wake
    // acquire: pairs with the last worker's acq_rel decrement.
    while (g.pending.load(std::memory_order_acquire) != 0) task_block();
  }
  g_run.exited.fetch_add(1, std::memory_order_release);
}

std::atomic<std::uint32_t> g_hogs_stop{0};
std::atomic<std::uint32_t> g_hogs_exited{0};

void hog_main(void*) {
  while (g_hogs_stop.load(std::memory_order_relaxed) == 0) spin_work();  // relaxed: a flag
  g_hogs_exited.fetch_add(1, std::memory_order_release);
}

// Percentile p (in tenths of a percent) of sorted samples: the nearest-rank sample.
std::uint64_t rank(const std::uint64_t* sorted, std::uint32_t n, std::uint32_t per_mille) {
  std::uint32_t r = (n * per_mille + 999) / 1000;  // ceil(n * p)
  return sorted[(r ? r : 1) - 1];
}

void report(const char* name, std::uint64_t elapsed, std::uint64_t ipis) {
  std::uint64_t* s = g_run.samples;
  kbench_sort(s, kSamples);
  const std::uint64_t hz = boot_tree().timebase_hz;
  kbench_report(name, "_p50", rank(s, kSamples, 500) * 1'000'000, hz, "us");
  kbench_report(name, "_p99", rank(s, kSamples, 990) * 1'000'000, hz, "us");
  kbench_report(name, "_p999", rank(s, kSamples, 999) * 1'000'000, hz, "us");
  kbench_report(name, "_max", s[kSamples - 1] * 1'000'000, hz, "us");
  // Wakes: every worker pass (a messenger's wakes are not sampled and not counted).
  const std::uint64_t wakes = g_run.taken.load(std::memory_order_relaxed);
  kbench_report(name, "_ipis_per_wake", ipis, wakes, "ipis/wake");
  kbench_report(name, "_wakes_per_s", wakes * hz, elapsed, "wakes/s");
  std::uint32_t hist[kHistBuckets] = {};
  for (std::uint32_t i = 0; i < kSamples; ++i) {
    std::uint64_t us = s[i] * 1'000'000 / hz;
    std::uint32_t b = 0;
    while (us && b + 1 < kHistBuckets) us >>= 1, ++b;
    ++hist[b];
  }
  kprintf("KHIST: %s %s smp=%u unit=us buckets=", name, kRunQueueVariant, cpu_count());
  kprintf("%u", hist[0]);
  for (std::uint32_t b = 1; b < kHistBuckets; ++b) kprintf(",%u", hist[b]);
  kprintf("\n");
}

void fail_line(const char* name, const char* why) { kprintf("KBENCH: %s FAIL: %s\n", name, why); }

// One case: `groups` messengers of `workers` workers each, all of class `qos`.
bool run_case(const char* name, QosClass qos, std::uint32_t groups, std::uint32_t workers) {
  g_run.taken.store(0, std::memory_order_relaxed);
  g_run.exited.store(0, std::memory_order_relaxed);
  g_run.groups = groups;
  std::uint32_t tasks = 0;
  for (std::uint32_t gi = 0; gi < groups; ++gi) {
    Group& g = g_run.group[gi];
    g.workers = workers;
    g.stop.store(0, std::memory_order_relaxed);  // relaxed: no task of the case exists yet
    g.messenger = task_create_blocked("kbench-messenger", qos, messenger_main, &g);
    if (!g.messenger) return fail_line(name, "no task slot"), false;
    ++tasks;
    for (std::uint32_t i = 0; i < workers; ++i) {
      g.worker[i].group = &g;
      g.worker[i].task = task_create_blocked("kbench-worker", qos, worker_main, &g.worker[i]);
      if (!g.worker[i].task) return fail_line(name, "no task slot"), false;
      ++tasks;
    }
  }
  const std::uint64_t ipis = ipis_sent_everywhere();
  const std::uint64_t start = arch::time_now();
  for (std::uint32_t gi = 0; gi < groups; ++gi) task_wake(g_run.group[gi].messenger);
  auto all_exited = [tasks] { return g_run.exited.load(std::memory_order_acquire) == tasks; };
  if (!wait_ticks(all_exited, 4 * kSelftestWaitTicks)) {
    return fail_line(name, "the messengers and workers did not finish within 20 s"), false;
  }
  report(name, arch::time_now() - start, ipis_sent_everywhere() - ipis);
  return true;
}

}  // namespace

void kbench_latency_run() {
  if (cpu_count() < 2) return;  // wake-to-run across CPUs
  const std::uint32_t per_cpu = cpu_count() < kMaxWorkers ? cpu_count() : kMaxWorkers;
  if (!run_case("latency_normal", QosClass::Normal, 2, per_cpu)) return;
  // Every CPU busy with a Normal task; PerfBurst workers must preempt them.
  g_hogs_stop.store(0, std::memory_order_relaxed);  // relaxed: no hog exists yet
  g_hogs_exited.store(0, std::memory_order_relaxed);
  for (std::uint32_t id = 0; id < cpu_count(); ++id) {
    if (!task_create_on("kbench-hog", QosClass::Normal, hog_main, nullptr, id)) {
      g_hogs_stop.store(1, std::memory_order_relaxed);
      return fail_line("latency_mixed_perfburst", "no task slot");
    }
  }
  run_case("latency_mixed_perfburst", QosClass::PerfBurst, 1, per_cpu - 1);
  g_hogs_stop.store(1, std::memory_order_relaxed);  // relaxed: a flag the hogs poll
  if (!wait_for_count(g_hogs_exited, cpu_count(), kSelftestWaitTicks))
    fail_line("latency_mixed_perfburst", "the Normal load did not stop");
}

}  // namespace neuron
