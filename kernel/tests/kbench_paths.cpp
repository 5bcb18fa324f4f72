// Instructions per scheduler path, the kernel's side of the variants' comparison. rdinstret under
// QEMU -icount counts guest instructions, on one counter for all harts:
// - the local paths run on a one-hart boot, where every instruction retired is the path's (a tick
//   every 10 ms falls in too, a few hundred instructions amortized over the rounds);
// - the remote wake runs in the exact lane (neuron.exact=1) at two harts or more, every other
//   hart parked in wfi: QEMU turns to the woken hart as soon as the IPI is raised, so the count
//   is the waker's path up to its IPI plus the wakee's from wfi to its first instruction.
// Without -icount rdinstret follows the host clock; bench.sh and the tests boot with it.
#include <atomic>
#include <cstdint>

#include "kernel/arch.h"
#include "kernel/irq_lock.h"
#include "kernel/percpu.h"
#include "kernel/runqueues.h"
#include "kernel/scheduler.h"
#include "kernel/tests/kbench.h"
#include "kernel/tests/kbench_report.h"
#include "kernel/tests/selftest.h"
#include "kernel/tests/wait.h"

namespace neuron {
namespace {

constexpr std::uint32_t kRounds = 256;
constexpr std::uint32_t kRemoteRounds = 31;  // odd: the median is one sample

std::uint64_t instret() { return arch::perf_read().instructions; }

// rdinstret under -icount shift=N counts 2^N per instruction (it reads QEMU's virtual clock in
// ns): the exact lane runs at shift=3, bench.sh's one-hart boots at 0. Found by timing a loop
// of a known length (one li and 1,000 rounds of addi + bnez) while every other CPU is parked,
// so that no other hart's instructions fall in; 0 if the count is not near a power of two.
std::uint64_t instret_scale() {
  if (cpu_count() > 1 && !wait_others_parked()) return 0;
  IrqSave irq;
  const std::uint64_t a = instret();
  asm volatile(
      "li t0, 1000\n"
      "1: addi t0, t0, -1\n"
      "bnez t0, 1b\n" ::
          : "t0");
  const std::uint64_t counted = instret() - a;
  constexpr std::uint64_t kLoop = 2001;
  for (std::uint64_t scale = 1; scale <= 1024; scale *= 2) {
    // The rdinstret pair and the call around it add a few instructions, never 10%.
    if (counted >= kLoop * scale && counted < kLoop * scale + kLoop * scale / 10) return scale;
  }
  return 0;
}

std::uint64_t g_scale = 1;  // instret_scale(), found once per boot before the paths run

// A path's KBENCH line: `counted` rdinstret units over `ops` operations, in instructions.
void report_path(const char* name, std::uint64_t counted, std::uint64_t ops, const char* unit) {
  kbench_report(name, counted, ops * g_scale, unit);
}

std::atomic<std::uint32_t> g_count{0};  // rounds a partner task finished
std::atomic<std::uint32_t> g_stop{0};   // 32-bit: GCC calls a library for 1-byte atomics

bool stopped() { return g_stop.load(std::memory_order_relaxed) != 0; }  // relaxed: a flag polled

void fail_line(const char* name, const char* why) { kprintf("KBENCH: %s FAIL: %s\n", name, why); }

// Makes a partner task of our own class on this CPU and lets it run to its first wait.
Task* start_partner(const char* name, TaskFn fn) {
  g_stop.store(0, std::memory_order_relaxed);  // relaxed: the partner starts after this
  g_count.store(0, std::memory_order_relaxed);
  Task* t = task_create(name, task_current()->qos, fn, nullptr);
  if (t) task_yield();
  return t;
}

// Tells the partner to end and waits until it has been reaped (`live` tasks are left).
bool stop_partner(Task* t, bool wake, std::size_t live) {
  g_stop.store(1, std::memory_order_relaxed);  // relaxed: read by the partner after a switch
  if (wake) task_wake(t);
  task_yield();
  return wait_ticks([live] { return task_counters().live == live; }, kSelftestWaitTicks);
}

// ---- create + run + exit + reap of a task that does nothing, one at a time ------------------
void empty_task(void*) { g_count.fetch_add(1, std::memory_order_relaxed); }  // relaxed: own CPU

void bench_lifecycle() {
  g_count.store(0, std::memory_order_relaxed);
  const std::size_t live = task_counters().live;
  const std::uint64_t a = instret();
  for (std::uint32_t i = 0; i < kRounds; ++i) {
    if (!task_create("kbench-empty", task_current()->qos, empty_task, nullptr)) {
      return fail_line("path_task_lifecycle_instructions", "no task slot");
    }
    task_yield();  // the new task runs, exits, and is reaped when we are switched back in
  }
  const std::uint64_t b = instret();
  // relaxed: incremented on this CPU, by tasks that have finished.
  if (g_count.load(std::memory_order_relaxed) != kRounds || task_counters().live != live) {
    return fail_line("path_task_lifecycle_instructions", "a task did not run or was not reaped");
  }
  report_path("path_task_lifecycle_instructions", b - a, kRounds, "instructions/task");
}

// ---- one context switch: two tasks of a class yielding to each other -------------------------
void yielder(void*) {
  while (!stopped()) task_yield();
}

void bench_yield_switch() {
  const std::size_t live = task_counters().live;
  Task* p = start_partner("kbench-yield", yielder);
  if (!p) return fail_line("path_yield_switch_instructions", "no task slot");
  const std::uint64_t a = instret();
  for (std::uint32_t i = 0; i < kRounds; ++i) task_yield();  // two switches: there and back
  const std::uint64_t b = instret();
  if (!stop_partner(p, false, live))
    return fail_line("path_yield_switch_instructions", "partner hung");
  report_path("path_yield_switch_instructions", b - a, 2 * kRounds, "instructions/switch");
}

// ---- a local wake: task_wake of a task blocked on this CPU (it does not outrank us) ----------
void blocker(void*) {
  while (!stopped()) task_block();
}

void bench_local_wake() {
  const std::size_t live = task_counters().live;
  Task* p = start_partner("kbench-block", blocker);
  if (!p) return fail_line("path_local_wake_instructions", "no task slot");
  std::uint64_t total = 0;
  for (std::uint32_t i = 0; i < kRounds; ++i) {
    if (task_state(p) != TaskState::Blocked) {
      return fail_line("path_local_wake_instructions", "partner not blocked");
    }
    const std::uint64_t a = instret();
    task_wake(p);
    total += instret() - a;
    task_yield();  // it runs and blocks again
  }
  if (!stop_partner(p, true, live))
    return fail_line("path_local_wake_instructions", "partner hung");
  report_path("path_local_wake_instructions", total, kRounds, "instructions/wake");
}

// ---- a batch steal on the kernel's queue set: fixed cost and cost per task -----------------
// A private RunQueues filled with tasks that are never run (only their class and pin flag are
// read): steal(max 1) and steal(max 32) from a full runqueue give cost = fixed + k * per task.
Task g_steal_tasks[config::kRunQueueCapacity];

std::uint64_t steal_cost(RunQueues& rq, std::size_t k) {
  IrqSave irq;  // the owner's pushes want interrupts off; nothing else runs while we count
  std::uint64_t total = 0;
  for (std::uint32_t r = 0; r < kRounds / 8; ++r) {
    for (Task& t : g_steal_tasks) rq.push(&t);
    Task* out[config::kStealBatch];
    const std::uint64_t a = instret();
    const std::size_t got = rq.steal(QosClass::Normal, out, k);
    total += instret() - a;
    while (rq.pop(QosClass::Idle)) {  // empty again, whatever the steal took
    }
    if (got != k) return 0;
  }
  return total / (kRounds / 8);
}

void bench_steal_batch() {
  static RunQueues rq;
  for (Task& t : g_steal_tasks) t.qos = QosClass::Normal;
  const std::uint64_t one = steal_cost(rq, 1), batch = steal_cost(rq, config::kStealBatch);
  if (one == 0 || batch == 0) return fail_line("path_steal_batch_fixed", "a steal came up short");
  const std::uint64_t per_task_milli = (batch - one) * 1000 / (config::kStealBatch - 1);
  report_path("path_steal_batch_per_task", per_task_milli, 1000, "instructions/task");
  report_path("path_steal_batch_fixed", one * 1000 - per_task_milli, 1000, "instructions/steal");
}

// ---- a remote wake: task_wake on cpu0 to the wakee's first instruction on a parked cpu1 ------
// The wakee is pinned to cpu1 (so no idle CPU steals it between rounds): its wakes go through
// cpu1's inbox as any remote wake does, and cpu1 queues it in its locked backlog (pinned tasks
// never enter the runqueue), in both variants.
std::atomic<std::uint64_t> g_woke_at{0};

void remote_wakee(void*) {
  for (;;) {
    task_block();
    g_woke_at.store(instret(), std::memory_order_relaxed);  // relaxed: published by the count
    if (stopped()) return;
    g_count.fetch_add(1, std::memory_order_release);  // release: g_woke_at before the count
  }
}

void bench_remote_wake() {
  constexpr const char* kName = "path_remote_wake_to_run_instructions";
  g_stop.store(0, std::memory_order_relaxed);  // relaxed: the wakee starts after this
  g_count.store(0, std::memory_order_relaxed);
  const std::size_t live = task_counters().live;
  Task* w = task_create_blocked("kbench-remote", task_current()->qos, remote_wakee, nullptr);
  if (!w) return fail_line(kName, "no task slot");
  if (!task_pin(w, 1)) return fail_line(kName, "cpu1 offline");
  task_wake(w);  // it runs on cpu1 up to its first task_block
  std::uint64_t samples[kRemoteRounds];
  for (std::uint32_t r = 0; r < kRemoteRounds; ++r) {
    if (!wait_ticks([w] { return task_state(w) == TaskState::Blocked; }, kSelftestWaitTicks) ||
        !wait_others_parked()) {
      return fail_line(kName, "the wakee or cpu1 never settled");
    }
    const std::uint64_t a = instret();
    task_wake(w);
    // acquire: pairs with the wakee's release, for g_woke_at. Bounded by the tick count.
    if (!wait_for_count(g_count, r + 1, kSelftestWaitTicks)) return fail_line(kName, "no wake");
    samples[r] = g_woke_at.load(std::memory_order_relaxed) - a;
  }
  if (!wait_ticks([w] { return task_state(w) == TaskState::Blocked; }, kSelftestWaitTicks) ||
      !stop_partner(w, true, live)) {
    return fail_line(kName, "the wakee did not end");
  }
  kbench_sort(samples, kRemoteRounds);
  report_path(kName, samples[kRemoteRounds / 2], 1, "instructions/wake");
}
// The local paths run in a task of their own, not in the caller (init), which is pinned: a pinned
// task takes the slower, locked way through its CPU's queues (runqueues.h) and is not typical.
// It runs a class above init's, so init's polling (a tick's wake-up) never runs inside a window.
std::atomic<std::uint32_t> g_driver_done{0};

void local_paths(void*) {
  bench_lifecycle();
  bench_yield_switch();
  bench_local_wake();
  g_driver_done.store(1, std::memory_order_release);  // release: its lines are printed
}

}  // namespace

void kbench_paths_run() {
  g_scale = instret_scale();
  if (g_scale == 0) return fail_line("path_instret_scale", "rdinstret counts no power of two");
  if (cpu_count() == 1) {
    g_driver_done.store(0, std::memory_order_relaxed);  // relaxed: the driver starts after this
    if (!task_create("kbench-paths", QosClass::Interactive, local_paths, nullptr) ||
        !wait_for_count(g_driver_done, 1, kSelftestWaitTicks) ||
        !wait_quiescent(kSelftestWaitTicks)) {
      return fail_line("path_local_paths", "the driver task did not finish");
    }
    bench_steal_batch();
  } else if (selftest_exact_time()) {
    bench_remote_wake();
  }
}

}  // namespace neuron
