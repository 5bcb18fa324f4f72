#include "kernel/tests/kbench.h"

#include <atomic>
#include <cstdint>

#include "kernel/arch.h"
#include "kernel/boot.h"
#include "kernel/console.h"
#include "kernel/irq_lock.h"
#include "kernel/percpu.h"
#include "kernel/scheduler.h"
#include "kernel/tests/selftest.h"

namespace neuron {
namespace {

constexpr std::uint32_t kOps = 4096;
constexpr std::uint32_t kIpiRounds = 31;  // odd: the median is one sample
constexpr std::uint32_t kThroughputTasks = 2048, kThroughputBatch = 256;

// Prints value = num / den with three decimals, in integers (the kernel has no floating point).
void report(const char* name, std::uint64_t num, std::uint64_t den, const char* unit) {
  const std::uint64_t milli = den ? num * 1000 / den : 0;
  kprintf("KBENCH: %s %s smp=%u value=%lu.%03lu unit=%s\n", name, kRunQueueVariant, cpu_count(),
          milli / 1000, milli % 1000, unit);
}

// Per-operation instruction and time cost of `body`, which performs `ops` operations. (Cycles
// are not reported: under QEMU they follow the host clock, or equal instructions with -icount.)
template <typename Body>
void measure(const char* name, std::uint32_t ops, Body body) {
  IrqSave irq;  // nothing else runs on this CPU while we count
  const arch::PerfCounters a = arch::perf_read();
  body();
  const arch::PerfCounters b = arch::perf_read();
  char full[48];
  auto named = [&](const char* suffix) {
    unsigned n = 0;
    for (const char* p = name; *p && n + 1 < sizeof full; ++p) full[n++] = *p;
    for (const char* p = suffix; *p && n + 1 < sizeof full; ++p) full[n++] = *p;
    full[n] = '\0';
    return full;
  };
  report(named("_instructions"), b.instructions - a.instructions, ops, "instructions/op");
  report(named("_time"), (b.time - a.time) * 1'000'000'000 / boot_tree().timebase_hz, ops, "ns/op");
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

// ---- IPI wake-up latency: parked cpu1, task sent, until it runs ----------------------------
std::atomic<std::uint64_t> g_started_at{0};
std::atomic<std::uint32_t> g_ran{0};

void note_start(void*) {
  g_started_at.store(arch::time_now(), std::memory_order_relaxed);
  g_ran.fetch_add(1, std::memory_order_release);  // release: the time before the count
}

void bench_ipi_wakeup() {
  if (cpu_count() < 2) return;
  std::uint64_t samples[kIpiRounds];
  g_ran.store(0, std::memory_order_relaxed);
  for (std::uint32_t r = 0; r < kIpiRounds; ++r) {
    if (!wait_parked(g_cpus[1], kSelftestWaitTicks)) {
      kprintf("KBENCH: ipi_wakeup_latency FAIL: cpu1 never parked\n");
      return;
    }
    const std::uint64_t sent = arch::time_now();
    if (!task_create_on("kbench-ipi", QosClass::Normal, note_start, nullptr, 1) ||
        !wait_for_count(g_ran, r + 1, kSelftestWaitTicks)) {
      kprintf("KBENCH: ipi_wakeup_latency FAIL: the task sent to cpu1 did not run\n");
      return;
    }
    samples[r] = g_started_at.load(std::memory_order_relaxed) - sent;
  }
  for (std::uint32_t i = 1; i < kIpiRounds; ++i) {  // insertion sort for the median
    for (std::uint32_t j = i; j > 0 && samples[j] < samples[j - 1]; --j) {
      const std::uint64_t t = samples[j];
      samples[j] = samples[j - 1];
      samples[j - 1] = t;
    }
  }
  report("ipi_wakeup_latency", samples[kIpiRounds / 2] * 1'000'000, boot_tree().timebase_hz, "us");
}

// ---- scheduler throughput: short tasks made on cpu0, spread by stealing ----------------------
std::atomic<std::uint32_t> g_finished{0};

void tiny_task(void*) { g_finished.fetch_add(1, std::memory_order_release); }

void bench_throughput() {
  g_finished.store(0, std::memory_order_relaxed);
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
  report("sched_throughput", std::uint64_t{kThroughputTasks} * boot_tree().timebase_hz, elapsed,
         "tasks/s");
}

}  // namespace

void kbench_run() {
  bench_owner_push_pop();
  bench_steal();
  bench_ipi_wakeup();
  bench_throughput();
}

}  // namespace neuron
