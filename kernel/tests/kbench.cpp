#include "kernel/tests/kbench.h"

#include <atomic>
#include <cstdint>

#include "kernel/arch.h"
#include "kernel/boot.h"
#include "kernel/console.h"
#include "kernel/irq_lock.h"
#include "kernel/percpu.h"
#include "kernel/scheduler.h"
#include "kernel/tests/kbench_report.h"
#include "kernel/tests/selftest.h"
#include "kernel/tests/wait.h"

namespace neuron {
namespace {

constexpr std::uint32_t kOps = 4096;
constexpr std::uint32_t kWakeRounds = 31;  // odd: the median is one sample
constexpr std::uint32_t kThroughputTasks = 2048, kThroughputBatch = 256;

// Per-operation instruction and time cost of `body`, which performs `ops` operations. (Cycles
// are not reported: under QEMU they follow the host clock, or equal instructions with -icount.)
template <typename Body>
void measure(const char* name, std::uint32_t ops, Body body) {
  IrqSave irq;  // nothing else runs on this CPU while we count
  const arch::PerfCounters a = arch::perf_read();
  body();
  const arch::PerfCounters b = arch::perf_read();
  kbench_report(name, "_instructions", b.instructions - a.instructions, ops, "instructions/op");
  kbench_report(name, "_time", (b.time - a.time) * 1'000'000'000 / boot_tree().timebase_hz, ops,
                "ns/op");
}

// Queue items are never dereferenced here: fake handles are enough.
Task* fake(std::uintptr_t i) { return reinterpret_cast<Task*>((i + 1) * 64); }

TaskQueue g_bench_queue;

void bench_owner_push_pop() {
  measure("rq_push_pop", kOps, [] {
    Task* t = nullptr;
    for (std::uint32_t i = 0; i < kOps; ++i) {
      g_bench_queue.push(fake(i));
      g_bench_queue.pop(t);
    }
  });
}

void bench_steal() {
  constexpr std::uint32_t kRounds = kOps / TaskQueue::capacity();
  measure("rq_steal", kRounds * TaskQueue::capacity(), [] {
    for (std::uint32_t r = 0; r < kRounds; ++r) {
      for (std::uint32_t i = 0; i < TaskQueue::capacity(); ++i) g_bench_queue.push(fake(i));
      for (std::uint32_t i = 0; i < TaskQueue::capacity(); ++i) (void)g_bench_queue.steal();
    }
  });
}

// ---- wake-up through the runqueue: a task queued here, a parked CPU kicked, steals and runs it -
// The path a wake takes when the waking CPU is busy: push into this CPU's runqueue (the variant
// under test), an IPI to a parked CPU, its way out of wfi, its steal from that runqueue, and the
// switch into the task. Every other CPU is parked before each round, and the round counts only if
// the task ran on one of them: this CPU's tick may end its slice while it spins and run the task
// itself, and such a round is repeated (a few of them at most).
std::atomic<std::uint64_t> g_started_at{0};
std::atomic<std::uint32_t> g_ran_on{0};
std::atomic<std::uint32_t> g_ran{0};

void note_start(void*) {
  g_started_at.store(arch::time_now(), std::memory_order_relaxed);
  g_ran_on.store(cpu_current_id(), std::memory_order_relaxed);
  g_ran.fetch_add(1, std::memory_order_release);  // release: the time and CPU before the count
}

void bench_wakeup_by_steal() {
  // A multi-threaded-lane benchmark (bench.sh runs it there); in the exact lane the remote wake
  // is measured by path_remote_wake_to_run_instructions (kbench_paths.cpp).
  if (cpu_count() < 2 || selftest_exact_time()) return;
  std::uint64_t samples[kWakeRounds];
  g_ran.store(0, std::memory_order_relaxed);
  const std::uint64_t give_up = boot_tree().timebase_hz;  // a second
  std::uint32_t local = 0;                                // rounds this CPU ran itself
  for (std::uint32_t r = 0, runs = 0; r < kWakeRounds; ++runs) {
    if (!wait_others_parked()) {
      kprintf("KBENCH: wakeup_steal_latency FAIL: a CPU never parked\n");
      return;
    }
    // Our own class: the task does not outrank us, so it is queued here and offered to an idle CPU.
    Task* t = task_create_blocked("kbench-wake", task_current()->qos, note_start, nullptr);
    if (!t) {
      kprintf("KBENCH: wakeup_steal_latency FAIL: no task slot\n");
      return;
    }
    const std::uint64_t sent = arch::time_now();
    task_wake(t);
    // Spin rather than yield: this CPU must not run the task itself.
    while (g_ran.load(std::memory_order_acquire) < runs + 1) {  // acquire: pairs with note_start
      if (arch::time_now() - sent > give_up) {
        kprintf("KBENCH: wakeup_steal_latency FAIL: the queued task did not run within 1 s\n");
        return;
      }
    }
    if (g_ran_on.load(std::memory_order_relaxed) == cpu_current_id()) {  // relaxed: see above
      if (++local > kWakeRounds / 4) {
        kprintf("KBENCH: wakeup_steal_latency FAIL: the waking CPU ran the task %u times\n", local);
        return;
      }
      continue;
    }
    samples[r++] = g_started_at.load(std::memory_order_relaxed) - sent;
  }
  kbench_sort(samples, kWakeRounds);  // for the median
  kbench_report("wakeup_steal_latency", samples[kWakeRounds / 2] * 1'000'000,
                boot_tree().timebase_hz, "us");
}

// ---- scheduler throughput: short tasks made on cpu0, spread by stealing ----------------------
std::atomic<std::uint32_t> g_finished{0};

void tiny_task(void*) { g_finished.fetch_add(1, std::memory_order_release); }

// Steal operations and tasks moved, summed over CPUs (relaxed: counters, read after the work).
struct Migrations {
  std::uint64_t steals = 0, stolen = 0;
};
Migrations migrations() {
  Migrations m;
  for (std::uint32_t id = 0; id < cpu_count(); ++id) {
    m.steals += g_cpus[id].stats.steals.load(std::memory_order_relaxed);
    m.stolen += g_cpus[id].stats.stolen.load(std::memory_order_relaxed);
  }
  return m;
}

void bench_throughput() {
  // With several harts, a multi-threaded-lane benchmark: in the exact lane QEMU 7.2 gives a
  // parked hart no turn while the boot hart stays busy (a turn lasts to the next timer deadline,
  // docs/benchmarks.md), so the boot hart runs every task and nothing migrates.
  if (cpu_count() > 1 && selftest_exact_time()) return;
  g_finished.store(0, std::memory_order_relaxed);
  const Migrations before = migrations();
  const std::uint64_t insns = arch::perf_read().instructions;
  const std::uint64_t start = arch::time_now();
  for (std::uint32_t made = 0; made < kThroughputTasks; made += kThroughputBatch) {
    for (std::uint32_t i = 0; i < kThroughputBatch; ++i) {
      if (!task_create("kbench-tiny", QosClass::Normal, tiny_task, nullptr)) {
        kprintf("KBENCH: sched_throughput FAIL: no task slot\n");
        return;
      }
    }
    // One batch in flight at a time: the task pool is finite. Yielding lets them run here too.
    while (g_finished.load(std::memory_order_acquire) < made + kThroughputBatch) task_yield();
  }
  const std::uint64_t elapsed = arch::time_now() - start;
  kbench_report("sched_throughput", std::uint64_t{kThroughputTasks} * boot_tree().timebase_hz,
                elapsed, "tasks/s");
  if (cpu_count() == 1) {
    // One hart: every instruction retired here is the scheduler's or a task's (exact under
    // -icount).
    kbench_report("sched_instructions_per_task", arch::perf_read().instructions - insns,
                  kThroughputTasks, "instructions/task");
  } else {
    // Per task moved (a task stolen twice moved twice): below 1 when batches carry several.
    const Migrations after = migrations();
    if (after.stolen == before.stolen) {  // a ratio of nothing would print 0.000 and look fine
      kprintf("KBENCH: steals_per_migrated_task FAIL: no task migrated\n");
      return;
    }
    kbench_report("steals_per_migrated_task", after.steals - before.steals,
                  after.stolen - before.stolen, "steals/task");
  }
}

}  // namespace

void kbench_run() {
  bench_owner_push_pop();
  bench_steal();
  bench_wakeup_by_steal();
  bench_throughput();
  kbench_paths_run();
  kbench_latency_run();
}

}  // namespace neuron
