// Scheduler selftests on the boot CPU: tick, switch, QoS order, round-robin, sleep, block/wake,
// exit and reaping, spill on a full runqueue, and the exactly-once ledger.
#include <atomic>
#include <cstdint>

#include "kernel/arch.h"
#include "kernel/boot.h"
#include "kernel/config.h"
#include "kernel/console.h"
#include "kernel/irq_lock.h"
#include "kernel/percpu.h"
#include "kernel/scheduler.h"
#include "kernel/tests/selftest.h"

namespace neuron {
namespace {

// An ordered log that tasks append to (with interrupts off, on one CPU).
struct Log {
  static constexpr unsigned kMax = 64;
  std::uint32_t entries[kMax];
  std::atomic<std::uint32_t> count{0};
  void add(std::uint32_t v) {
    const std::uint32_t i = count.load(std::memory_order_relaxed);  // relaxed: one writer at a time
    if (i < kMax) entries[i] = v;
    count.store(i + 1, std::memory_order_release);  // release: entries[i] before the new count
  }
  void reset() { count.store(0, std::memory_order_relaxed); }  // relaxed: no task is running
};

// ---- timer ticks ----------------------------------------------------------------------------
// The count advances with interrupts on, and never runs ahead of the timebase: whenever it is
// read, every tick it counts has fallen due. (A vCPU the host stops for a while only makes the
// count lag until the late handler catches up; it cannot make it lead.)
const char* test_timer_ticks() {
  constexpr std::uint64_t kTicks = 5;
  const std::uint64_t period = boot_tree().timebase_hz / config::kTickHz;
  const std::uint64_t give_up = arch::time_now() + 100 * period;
  std::uint64_t tick = 0, now = 0;
  auto sample = [&] {
    IrqSave irq;  // the count and the clock together: no handler runs between the two reads
    tick = sched_ticks();
    now = arch::time_now();
    return sched_tick_due(tick) <= now;
  };
  if (!sample()) return fail("tick %lu counted before it fell due", tick);
  const std::uint64_t first = tick;
  // relaxed: this CPU's own counter.
  const std::uint64_t rearmed_before =
      this_cpu().stats.ticks_rearmed.load(std::memory_order_relaxed);
  // A bounded busy-wait with interrupts on: only the tick interrupt can advance the count.
  while (tick < first + kTicks) {
    if (now > give_up) return fail("ticks stuck at %lu", tick);
    arch::cpu_relax();
    if (!sample()) {
      return fail("tick %lu counted %lu timebase units before it fell due", tick,
                  sched_tick_due(tick) - now);
    }
  }
  // A deadline armed again by a reader (a timer interrupt lost below the kernel) is not this
  // test's failure, but it is said.
  const std::uint64_t rearmed =
      this_cpu().stats.ticks_rearmed.load(std::memory_order_relaxed) - rearmed_before;
  if (rearmed)
    kprintf("KINFO: timer ticks: %lu deadlines passed with nothing pending, armed again\n",
            rearmed);
  return nullptr;
}

// ---- context switch -------------------------------------------------------------------------
struct PingPong {
  Task* parent;
  std::atomic<std::uint32_t> rounds{0};
  std::uintptr_t child_sp;
};
constexpr std::uint32_t kPingPongRounds = 100;

void ping_pong_child(void* arg) {
  auto* p = static_cast<PingPong*>(arg);
  std::uintptr_t sp_marker = 0;
  p->child_sp = reinterpret_cast<std::uintptr_t>(&sp_marker);
  for (std::uint32_t i = 0; i < kPingPongRounds; ++i) {
    if (i > 0) task_block();  // until the parent has seen the previous round
    p->rounds.fetch_add(1, std::memory_order_release);  // release: child_sp visible with round 1
    task_wake(p->parent);
  }
}

const char* test_context_switch() {
  PingPong p{task_current(), {}, 0};
  Task* child = task_create("pingpong", QosClass::Normal, ping_pong_child, &p);
  if (!child) return fail("no task slot");
  for (std::uint32_t i = 1; i <= kPingPongRounds; ++i) {
    const std::uint64_t deadline = sched_ticks() + kSelftestWaitTicks;
    while (p.rounds.load(std::memory_order_acquire) <
           i) {  // acquire: pairs with the child's release
      if (sched_ticks() > deadline) return fail("child stalled at round %u", i);
      task_block();
    }
    if (i < kPingPongRounds) task_wake(child);
  }
  std::uintptr_t own = 0;
  const std::uintptr_t own_sp = reinterpret_cast<std::uintptr_t>(&own);
  const std::uintptr_t distance = own_sp > p.child_sp ? own_sp - p.child_sp : p.child_sp - own_sp;
  if (distance < 1024)
    return fail("child ran on the parent's stack (sp %lx vs %lx)", p.child_sp, own_sp);
  return nullptr;
}

// ---- QoS ordering ---------------------------------------------------------------------------
Log g_log;
std::atomic<std::uint32_t> g_done{0};

void log_qos_and_exit(void* arg) {
  {
    IrqSave irq;
    g_log.add(static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(arg)));
  }
  g_done.fetch_add(1, std::memory_order_release);  // release: the log entry before the count
}

const char* test_qos_ordering() {
  g_log.reset();
  g_done.store(0, std::memory_order_relaxed);  // relaxed: no task is running yet
  // Created lowest class first, so creation order is the opposite of the expected run order.
  constexpr QosClass kOrder[] = {QosClass::Idle, QosClass::Normal, QosClass::Interactive,
                                 QosClass::PerfBurst};
  Task* tasks[kQosCount];
  for (std::size_t i = 0; i < kQosCount; ++i) {
    const auto q = kOrder[i];
    tasks[i] = task_create_blocked(qos_name(q), q, log_qos_and_exit,
                                   reinterpret_cast<void*>(static_cast<std::uintptr_t>(q)));
    if (!tasks[i]) return fail("no task slot");
  }
  {
    IrqSave irq;  // release all four before any of them can run
    for (Task* t : tasks) task_wake(t);
  }
  if (!wait_for_count(g_done, kQosCount, kSelftestWaitTicks))
    return fail("only %u of 4 ran", g_done.load());
  for (std::uint32_t i = 0; i < kQosCount; ++i) {
    if (g_log.entries[i] != i) {
      return fail("position %u ran %s", i, qos_name(static_cast<QosClass>(g_log.entries[i])));
    }
  }
  return nullptr;
}

// ---- yield round-robin ----------------------------------------------------------------------
constexpr std::uint32_t kRrTasks = 3, kRrRounds = 5;

void yield_rounds(void* arg) {
  const auto me = static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(arg));
  for (std::uint32_t r = 0; r < kRrRounds; ++r) {
    IrqSave irq;  // log and yield as one step: a tick cannot preempt in between
    g_log.add(me);
    task_yield();
  }
  g_done.fetch_add(1, std::memory_order_release);  // release: the log entries before the count
}

const char* test_yield_round_robin() {
  g_log.reset();
  g_done.store(0, std::memory_order_relaxed);  // relaxed: no task is running yet
  Task* tasks[kRrTasks];
  for (std::uint32_t i = 0; i < kRrTasks; ++i) {
    tasks[i] = task_create_blocked("rr", QosClass::Normal, yield_rounds,
                                   reinterpret_cast<void*>(static_cast<std::uintptr_t>(i)));
    if (!tasks[i]) return fail("no task slot");
  }
  {
    IrqSave irq;
    for (Task* t : tasks) task_wake(t);
  }
  if (!wait_for_count(g_done, kRrTasks, kSelftestWaitTicks)) return fail("tasks did not finish");
  for (std::uint32_t i = 0; i < kRrTasks * kRrRounds; ++i) {
    if (g_log.entries[i] != i % kRrTasks) {
      return fail("turn %u went to task %u, expected %u", i, g_log.entries[i], i % kRrTasks);
    }
  }
  return nullptr;
}

// ---- sleep / wake ---------------------------------------------------------------------------
struct Sleeper {
  std::uint64_t ticks;
  std::uint64_t slept;  // ticks that actually passed
};

void sleep_then_log(void* arg) {
  auto* s = static_cast<Sleeper*>(arg);
  const std::uint64_t start = sched_ticks();
  task_sleep(s->ticks);
  s->slept = sched_ticks() - start;
  {
    IrqSave irq;
    g_log.add(static_cast<std::uint32_t>(s->ticks));
  }
  g_done.fetch_add(1, std::memory_order_release);  // release: slept and the log before the count
}

const char* test_sleep_wake() {
  g_log.reset();
  g_done.store(0, std::memory_order_relaxed);  // relaxed: no task is running yet
  Sleeper sleepers[] = {{3, 0}, {1, 0}, {2, 0}};
  for (Sleeper& s : sleepers) {
    if (!task_create("sleeper", QosClass::Normal, sleep_then_log, &s)) return fail("no task slot");
  }
  if (!wait_for_count(g_done, 3, kSelftestWaitTicks)) return fail("sleepers did not wake");
  for (const Sleeper& s : sleepers) {
    if (s.slept < s.ticks) return fail("asked %lu ticks, woke after %lu", s.ticks, s.slept);
  }
  constexpr std::uint32_t kWakeOrder[] = {1, 2, 3};
  for (std::uint32_t i = 0; i < 3; ++i) {
    if (g_log.entries[i] != kWakeOrder[i])
      return fail("wake %u was the %u-tick sleeper", i, g_log.entries[i]);
  }
  return nullptr;
}

// ---- block / wake ---------------------------------------------------------------------------
struct Blocker {
  std::atomic<std::uint32_t> phase{0};
};

void block_twice(void* arg) {
  auto* b = static_cast<Blocker*>(arg);
  b->phase.store(1, std::memory_order_release);  // release: a plain flag, no data rides on it
  task_block();                                  // woken by the test
  b->phase.store(2, std::memory_order_release);
  task_wake(task_current());  // a wake before the block is remembered...
  task_block();               // ...so this returns at once
  b->phase.store(3, std::memory_order_release);
  g_done.fetch_add(1, std::memory_order_release);
}

const char* test_block_wake() {
  g_done.store(0, std::memory_order_relaxed);  // relaxed: no task is running yet
  Blocker b;
  Task* t = task_create("blocker", QosClass::Normal, block_twice, &b);
  if (!t) return fail("no task slot");
  const std::uint64_t deadline = sched_ticks() + kSelftestWaitTicks;
  while (b.phase.load(std::memory_order_acquire) < 1 || task_state(t) != TaskState::Blocked) {
    if (sched_ticks() > deadline) return fail("task never blocked");
    task_yield();
  }
  task_sleep(2);  // it must stay blocked: nothing woke it
  if (b.phase.load(std::memory_order_acquire) != 1) return fail("blocked task ran without a wake");
  task_wake(t);
  if (!wait_for_count(g_done, 1, kSelftestWaitTicks)) {
    return fail("stuck in phase %u", b.phase.load(std::memory_order_acquire));
  }
  return nullptr;
}

// ---- exit and reaping -----------------------------------------------------------------------
void count_and_exit(void* arg) {
  static_cast<std::atomic<std::uint32_t>*>(arg)->fetch_add(1, std::memory_order_release);
}

const char* test_exit_reap() {
  // Twice as many tasks as there are slots: only reaping makes room for the second half.
  constexpr std::uint32_t kTotal = 2 * config::kMaxTasks;
  constexpr std::uint32_t kBatch = config::kMaxTasks / 4;
  if (!wait_quiescent(kSelftestWaitTicks)) return fail("tasks of earlier tests still alive");
  const TaskCounters before = task_counters();
  std::atomic<std::uint32_t> finished{0};
  for (std::uint32_t made = 0; made < kTotal; made += kBatch) {
    for (std::uint32_t i = 0; i < kBatch; ++i) {
      if (!task_create("short", QosClass::Normal, count_and_exit, &finished)) {
        return fail("slot exhausted after %u tasks: exited tasks are not reaped", made + i);
      }
    }
    if (!wait_for_count(finished, made + kBatch, kSelftestWaitTicks))
      return fail("batch at %u stalled", made);
  }
  if (!wait_quiescent(kSelftestWaitTicks)) return fail("exited tasks were not reaped");
  const TaskCounters after = task_counters();
  if (after.reaped - before.reaped != kTotal) {
    return fail("%u exited, %lu reaped", kTotal, after.reaped - before.reaped);
  }
  if (after.live != before.live) return fail("%lu slots leaked", after.live - before.live);
  return nullptr;
}

// ---- spill on a full runqueue ---------------------------------------------------------------
constexpr std::uint32_t kSpillTasks = 3 * config::kRunQueueCapacity;
std::atomic<std::uint32_t> g_runs[kSpillTasks];

void mark_run(void* arg) {
  g_runs[reinterpret_cast<std::uintptr_t>(arg)].fetch_add(1, std::memory_order_relaxed);
  g_done.fetch_add(1, std::memory_order_release);  // release: the mark before the count
}

const char* test_runqueue_spill() {
  g_done.store(0, std::memory_order_relaxed);  // relaxed: no task is running yet
  for (auto& r : g_runs) r.store(0, std::memory_order_relaxed);
  const std::uint64_t spilled_before = this_cpu().stats.spilled;
  {
    IrqSave irq;  // queue them all before any runs: the local queue must overflow
    for (std::uintptr_t i = 0; i < kSpillTasks; ++i) {
      if (!task_create("spill", QosClass::Normal, mark_run, reinterpret_cast<void*>(i))) {
        return fail("no task slot at %lu", i);
      }
    }
  }
  if (!wait_for_count(g_done, kSpillTasks, kSelftestWaitTicks))
    return fail("%u of %u ran", g_done.load(), kSpillTasks);
  if (this_cpu().stats.spilled - spilled_before < kSpillTasks - config::kRunQueueCapacity) {
    return fail("only %lu spilled", this_cpu().stats.spilled - spilled_before);
  }
  for (std::uint32_t i = 0; i < kSpillTasks; ++i) {
    const std::uint32_t n = g_runs[i].load(std::memory_order_relaxed);
    if (n != 1) return fail("task %u ran %u times", i, n);
  }
  return nullptr;
}

// ---- the ledger -----------------------------------------------------------------------------
const char* test_tasks_exactly_once() {
  if (!wait_quiescent(kSelftestWaitTicks))
    return fail("%lu tasks still alive", task_counters().live - 1);
  const TaskCounters c = task_counters();
  // The selftest task itself is still alive: one created, started, not yet exited.
  if (c.alloc_failures != 0) return fail("%lu creations failed", c.alloc_failures);
  if (c.started != c.created) return fail("created %lu, started %lu", c.created, c.started);
  if (c.exited + 1 != c.created) return fail("created %lu, exited %lu", c.created, c.exited);
  if (c.reaped != c.exited) return fail("exited %lu, reaped %lu", c.exited, c.reaped);
  if (c.live != 1) return fail("%lu live tasks, expected 1", c.live);
  return nullptr;
}

const Selftest kSched[] = {
    {"timer_ticks", "timer ticks", test_timer_ticks},
    {"context_switch", "context switch", test_context_switch},
    {"qos_ordering", "qos ordering", test_qos_ordering},
    {"yield_round_robin", "yield round-robin", test_yield_round_robin},
    {"sleep_wake", "sleep wake", test_sleep_wake},
    {"block_wake", "block wake", test_block_wake},
    {"exit_reap", "task exit reap", test_exit_reap},
    {"runqueue_spill", "runqueue spill", test_runqueue_spill},
    {"tasks_exactly_once", "tasks exactly once", test_tasks_exactly_once},
};
}  // namespace

const SelftestTable kSchedSelftests = {kSched, sizeof kSched / sizeof kSched[0]};

}  // namespace neuron
