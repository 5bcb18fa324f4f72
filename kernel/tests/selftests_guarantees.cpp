// The scheduler's guarantees under load, each measured against the bound that
// docs/architecture/01-neuron-kernel.md states: wake semantics in every state and FIFO fairness
// past a full runqueue (cpu0 alone), then work conservation, wake latency with an interrupt
// pending at the wake, and pinning without IPI storms (all CPUs).
#include <atomic>
#include <cstdint>

#include "kernel/arch.h"
#include "kernel/boot.h"
#include "kernel/config.h"
#include "kernel/console.h"
#include "kernel/irq_lock.h"
#include "kernel/mutant.h"
#include "kernel/percpu.h"
#include "kernel/scheduler.h"
#include "kernel/tests/selftest.h"
#include "kernel/tests/timed.h"

namespace neuron {
namespace {

// Until `pred` holds, within the selftest wait bound.
template <typename Pred>
bool wait_until(Pred pred) {
  return wait_ticks(pred, kSelftestWaitTicks);
}

// ---- wake semantics in every state ------------------------------------------------------------
// A wake of a Blocked task makes it Runnable; a wake of a Running, Runnable or Sleeping task is
// remembered once: its next task_block returns at once. A sleep is not cut short by a wake.
constexpr std::uint64_t kSleepTicks = 5;
// A host that stops the test's vCPU for a whole sleep makes it miss the window: that is timing,
// not a lost wake, so the task sleeps again, up to this many times.
constexpr std::uint32_t kSleepAttempts = kSelftestWaitTicks / kSleepTicks;

struct WakeProbe {
  std::atomic<std::uint32_t> phase{0};
  std::atomic<std::uint32_t> woken_asleep{0};  // the test woke it while it was Sleeping
  std::uint64_t slept = 0;                     // the length of that sleep, in ticks
};
WakeProbe g_wake_probe;

void wake_states_body(void*) {
  WakeProbe& p = g_wake_probe;
  Task* self = task_current();
  task_block();  // the test woke us while we were Runnable, before we first ran: returns at once
  p.phase.store(1, std::memory_order_release);
  task_wake(self);  // Running: remembered...
  task_block();     // ...so this returns at once
  task_wake(self);
  task_wake_and_block(self);  // the same two in one step: returns at once, nothing left pending...
  p.phase.store(2, std::memory_order_release);
  task_block();  // ...so this waits for the test's wake (Blocked)
  p.phase.store(3, std::memory_order_release);
  for (std::uint32_t i = 0; i < kSleepAttempts; ++i) {
    const std::uint64_t start = sched_ticks();
    task_sleep(kSleepTicks);  // the test wakes us in the middle of it
    p.slept = sched_ticks() - start;
    // acquire: pairs with the test's release store, made before its wake.
    if (p.woken_asleep.load(std::memory_order_acquire) != 0) break;
  }
  p.phase.store(4, std::memory_order_release);  // release: slept before the phase
  task_block();                                 // the wake during the sleep: returns at once
  p.phase.store(5, std::memory_order_release);
  task_block();  // that wake was consumed: this one waits for the test's last wake (Blocked)
  p.phase.store(6, std::memory_order_release);
}

const char* test_wake_states() {
  WakeProbe& p = g_wake_probe;
  p.phase.store(0, std::memory_order_relaxed);  // relaxed: the task does not exist yet
  p.woken_asleep.store(0, std::memory_order_relaxed);
  Task* t;
  {
    IrqSave irq;  // the new task cannot run before the wake: it is still Runnable
    t = task_create("wake-states", QosClass::Normal, wake_states_body, nullptr);
    if (!t) return fail("no task slot");
    if (task_state(t) != TaskState::Runnable) return fail("a new task is not Runnable");
    task_wake(t);
  }
  auto at = [&](std::uint32_t phase, TaskState state) {
    return wait_until(
        [&] { return p.phase.load(std::memory_order_acquire) >= phase && task_state(t) == state; });
  };
  if (!at(2, TaskState::Blocked) || p.phase.load(std::memory_order_acquire) != 2) {
    return fail(p.phase.load() < 2 ? "a wake while Runnable or Running was lost (phase %u)"
                                   : "a wake of itself by task_wake_and_block stayed pending "
                                     "(phase %u)",
                p.phase.load());
  }
  task_wake(t);
  // Each try finds it asleep, then, on cpu0 where the sleeper's tick runs and with interrupts
  // off, checks and wakes it in one step: no tick can end the sleep in between.
  for (bool woken = false; !woken;) {
    if (!at(3, TaskState::Sleeping) || p.phase.load(std::memory_order_acquire) > 3) {
      return fail("a wake while Blocked was lost (phase %u)", p.phase.load());
    }
    IrqSave irq;
    if (task_state(t) == TaskState::Sleeping) {
      p.woken_asleep.store(1, std::memory_order_release);  // release: before the wake
      task_wake(t);
      woken = true;
    }
  }
  if (!at(5, TaskState::Blocked)) {
    return fail("a wake while Sleeping was lost: stuck in phase %u", p.phase.load());
  }
  if (p.slept < kSleepTicks)
    return fail("a wake cut a %lu-tick sleep to %lu", kSleepTicks, p.slept);
  task_sleep(2);
  if (p.phase.load(std::memory_order_acquire) != 5) return fail("one wake released two blocks");
  task_wake(t);
  if (!wait_until([&] { return p.phase.load(std::memory_order_acquire) == 6; })) {
    return fail("a wake while Blocked was lost");
  }
  return nullptr;
}

// ---- spill fairness: FIFO round-robin past a full runqueue ------------------------------------
// 1.5 x capacity tasks of one class, released together, yield kFairRounds times each. Those
// that overflowed the runqueue must take their turns in order with the rest: turn i goes to task
// i mod kFairTasks, and every task's first turn comes within a time slice of the release.
constexpr std::uint32_t kFairTasks = config::kRunQueueCapacity + config::kRunQueueCapacity / 2;
constexpr std::uint32_t kFairRounds = 3;

struct FairLog {
  std::uint32_t turn[kFairTasks * kFairRounds];
  std::uint64_t first_run[kFairTasks];
  std::atomic<std::uint32_t> turns{0};
  std::atomic<std::uint32_t> done{0};
};
FairLog g_fair;

void fair_body(void* arg) {
  const std::uint32_t me = from_arg(arg);
  for (std::uint32_t r = 0; r < kFairRounds; ++r) {
    IrqSave irq;  // log and yield as one step: a tick cannot reorder them
    const std::uint32_t i = g_fair.turns.load(std::memory_order_relaxed);  // relaxed: one CPU
    if (i < kFairTasks * kFairRounds) g_fair.turn[i] = me;
    if (r == 0) g_fair.first_run[me] = arch::time_now();
    g_fair.turns.store(i + 1, std::memory_order_relaxed);
    task_yield();
  }
  g_fair.done.fetch_add(1, std::memory_order_release);  // release: the log before the count
}

const char* test_spill_fairness() {
  g_fair.turns.store(0, std::memory_order_relaxed);  // relaxed: no task exists yet
  g_fair.done.store(0, std::memory_order_relaxed);
  Task* tasks[kFairTasks];
  for (std::uint32_t i = 0; i < kFairTasks; ++i) {
    tasks[i] = task_create_blocked("fair", QosClass::Normal, fair_body, as_arg(i));
    if (!tasks[i]) return fail("no task slot");
  }
  const std::uint64_t spilled_before = this_cpu().stats.spilled;
  std::uint64_t released;
  {
    IrqSave irq;  // all queued in order before the first runs
    for (Task* t : tasks) task_wake(t);
    released = arch::time_now();
  }
  if (!wait_for_count(g_fair.done, kFairTasks, kSelftestWaitTicks)) {
    return fail("%u of %u tasks finished", g_fair.done.load(), kFairTasks);
  }
  if (this_cpu().stats.spilled == spilled_before) return fail("nothing spilled");
  for (std::uint32_t i = 0; i < kFairTasks * kFairRounds; ++i) {
    if (g_fair.turn[i] != i % kFairTasks) {
      return fail("turn %u went to task %u, expected %u", i, g_fair.turn[i], i % kFairTasks);
    }
  }
  const std::uint64_t bound = config::kSliceTicks * tick_period();
  for (std::uint32_t i = 0; i < kFairTasks; ++i) {
    if (g_fair.first_run[i] - released > bound) {
      return fail("task %u first ran %lu us after the release", i,
                  to_us(g_fair.first_run[i] - released));
    }
  }
  return nullptr;
}

// ---- work conservation ------------------------------------------------------------------------
// No task may wait longer than one tick for a CPU while another CPU idles. This task keeps cpu0
// busy meanwhile (so it neither steals nor polls), and the secondaries are parked. Cases:
// - Queued behind a busy CPU (two CPUs or more): this task (Normal), holding cpu0, creates an
//   Idle-class task there; it cannot run on cpu0 before this task gives up, so only a kick of an
//   idle CPU runs it.
// - A burst of tasks lands at once on cpu1. Each holds its CPU until the whole burst has started,
//   so a CPU can run only one of them: each must start on a CPU of its own.
// - A task that arrives as its CPU switches (three CPUs or more): cpu1 runs a pinned task with
//   another pinned task queued behind it, and the new task waits in cpu1's inbox with its IPI
//   withheld. When the first pinned task exits, cpu1 takes the new task from its inbox and then
//   runs the older pinned one, which holds cpu1 until the new task started elsewhere.
// Every holder waits for the event itself (up to kHoldTicks): without a kick a task waits for
// round-robin, a slice (5 ticks) or more.
constexpr std::uint32_t kBurstMax = 3;
constexpr std::uint32_t kBurstTarget = 1;

struct Queued {
  std::atomic<std::uint64_t> started{0};
  std::uint32_t cpu;
};
Queued g_queued;

void queued_body(void*) {
  g_queued.cpu = cpu_current_id();
  g_queued.started.store(arch::time_now(), std::memory_order_release);  // release: cpu first
}

std::uint64_t queued_trial(const char*& error) {
  g_queued.started.store(0, std::memory_order_relaxed);  // relaxed: the task does not exist yet
  if (!wait_others_parked()) {
    error = fail("a CPU never went idle");
    return kTrialFailed;
  }
  const std::uint64_t created = arch::time_now();
  if (!task_create("queued", QosClass::Idle, queued_body, nullptr)) {
    error = fail("no task slot");
    return kTrialFailed;
  }
  // Holds cpu0 (this task is pinned there, and of a higher class than the new one, which no
  // round-robin lets in): only a kick of an idle CPU runs the new task before kHoldTicks.
  // acquire: pairs with the task's release store, for cpu.
  hold_cpu([] { return g_queued.started.load(std::memory_order_acquire) != 0; }, kHoldTicks);
  if (g_queued.started.load(std::memory_order_acquire) == 0) {
    error = fail("a task queued behind busy cpu0 never ran while the other CPUs idled");
    return kTrialFailed;
  }
  if (!wait_quiescent(kSelftestWaitTicks)) {
    error = fail("the queued task did not finish");
    return kTrialFailed;
  }
  return elapsed(created, g_queued.started.load(std::memory_order_relaxed));
}

struct Burst {
  std::uint32_t size;
  std::atomic<std::uint32_t> started{0};
  std::atomic<std::uint32_t> done{0};
  std::uint64_t start[kBurstMax];
  std::uint32_t cpu[kBurstMax];
};
Burst g_burst;

void burst_body(void* arg) {
  const std::uint32_t me = from_arg(arg);
  g_burst.start[me] = arch::time_now();
  g_burst.cpu[me] = cpu_current_id();
  g_burst.started.fetch_add(1, std::memory_order_release);  // release: start[] before the count
  // relaxed: only the count is read; its own CPU's tick ends each wait.
  hold_cpu([] { return g_burst.started.load(std::memory_order_relaxed) == g_burst.size; },
           kHoldTicks);
  g_burst.done.fetch_add(1, std::memory_order_release);
}

// One burst; returns the longest wait, with the waiter in `worst`.
std::uint64_t burst_trial(std::uint32_t& worst, const char*& error) {
  Burst& b = g_burst;
  b.started.store(0, std::memory_order_relaxed);  // relaxed: no burst task exists yet
  b.done.store(0, std::memory_order_relaxed);
  if (!wait_others_parked()) {
    error = fail("a CPU never went idle");
    return kTrialFailed;
  }
  // All wait in cpu1's inbox with their IPIs withheld; then one IPI makes cpu1 take the whole
  // burst at once while it is idle. Waits count from the first queued.
  const std::uint64_t released = arch::time_now();
  for (std::uint32_t i = 0; i < b.size; ++i) {
    if (!task_create_on("burst", QosClass::Normal, burst_body, as_arg(i), kBurstTarget,
                        IpiDelivery::Suppress)) {
      error = fail("no task slot");
      return kTrialFailed;
    }
  }
  if ((error = send_withheld_resched(kBurstTarget))) return kTrialFailed;
  // cpu0 stays busy meanwhile: it neither steals nor polls, and wakes no sleeper.
  // acquire: pairs with the tasks' release increments, for start[] and cpu[].
  hold_cpu([&] { return b.done.load(std::memory_order_acquire) == b.size; }, kSelftestWaitTicks);
  if (b.done.load(std::memory_order_acquire) != b.size) {
    error = fail("the burst did not finish");
    return kTrialFailed;
  }
  worst = 0;
  for (std::uint32_t i = 1; i < b.size; ++i) {
    if (b.start[i] > b.start[worst]) worst = i;
  }
  return elapsed(released, b.start[worst]);
}

struct Behind {
  std::atomic<std::uint32_t> go{0};
  std::atomic<std::uint32_t> done{0};
  std::atomic<std::uint64_t> first_left{0};
  std::atomic<std::uint64_t> started{0};
  std::uint32_t cpu;
};
Behind g_behind;

void behind_first(void*) {  // pinned to cpu1, runs until told, then exits
  hold_cpu([] { return g_behind.go.load(std::memory_order_relaxed) != 0; }, kSelftestWaitTicks);
  g_behind.first_left.store(arch::time_now(), std::memory_order_relaxed);
  g_behind.done.fetch_add(1, std::memory_order_release);  // release: first_left before the count
}

void behind_older(void*) {  // pinned to cpu1, queued behind the first
  hold_cpu([] { return g_behind.started.load(std::memory_order_relaxed) != 0; }, kHoldTicks);
  g_behind.done.fetch_add(1, std::memory_order_release);
}

void behind_new(void*) {
  g_behind.cpu = cpu_current_id();
  g_behind.started.store(arch::time_now(), std::memory_order_relaxed);
  g_behind.done.fetch_add(1, std::memory_order_release);  // release: cpu and started first
}

std::uint64_t behind_trial(const char*& error) {
  Behind& b = g_behind;
  b.go.store(0, std::memory_order_relaxed);  // relaxed: none of the tasks exists yet
  b.done.store(0, std::memory_order_relaxed);
  b.first_left.store(0, std::memory_order_relaxed);
  b.started.store(0, std::memory_order_relaxed);
  if (!wait_others_parked()) {
    error = fail("a CPU never went idle");
    return kTrialFailed;
  }
  Task* first = task_create_blocked("first", QosClass::Normal, behind_first, nullptr);
  Task* older = task_create_blocked("older", QosClass::Normal, behind_older, nullptr);
  if (!first || !older) {
    error = fail("no task slot");
    return kTrialFailed;
  }
  if (!task_pin(first, kBurstTarget) || !task_pin(older, kBurstTarget)) {
    error = fail("cpu%u refused a pinned task", kBurstTarget);
    return kTrialFailed;
  }
  Cpu& target = g_cpus[kBurstTarget];
  // One at a time, each taken from cpu1's inbox before the next arrives.
  auto inbox_drained = [&] { hold_cpu([&] { return target.inbox.empty(); }, kSelftestWaitTicks); };
  task_wake(first);
  inbox_drained();
  task_wake(older);
  inbox_drained();
  if (!task_create_on("new", QosClass::Normal, behind_new, nullptr, kBurstTarget,
                      IpiDelivery::Suppress)) {
    error = fail("no task slot");
    return kTrialFailed;
  }
  b.go.store(1, std::memory_order_relaxed);  // relaxed: a flag; the first task polls it
  // acquire: pairs with the tasks' release increments, for first_left, started and cpu.
  hold_cpu([&] { return b.done.load(std::memory_order_acquire) == 3; }, kSelftestWaitTicks);
  if (b.done.load(std::memory_order_acquire) != 3) {
    error = fail("the tasks did not finish");
    return kTrialFailed;
  }
  return elapsed(b.first_left.load(std::memory_order_relaxed),
                 b.started.load(std::memory_order_relaxed));
}

const char* test_work_conserving() {
  const std::uint64_t bound = tick_period();
  const char* error = nullptr;
  const Timed q = timed_trials(bound, [&] { return queued_trial(error); });
  if (error) return error;
  if (!q.ok) {
    return fail(
        "a task queued behind busy cpu0 waited %lu us (%s, held to %lu us) before cpu%u ran it, "
        "trial %d",
        to_us(q.value), lane(), to_us(q.limit), g_queued.cpu, q.trials);
  }
  g_burst.size = cpu_count() - 1 < kBurstMax ? cpu_count() - 1 : kBurstMax;
  std::uint32_t worst = 0;
  const Timed t = timed_trials(bound, [&] { return burst_trial(worst, error); });
  if (error) return error;
  if (!t.ok) {
    return fail(
        "task %u of a %u-task burst waited %lu us (%s, held to %lu us) before cpu%u ran it, "
        "trial %d",
        worst, g_burst.size, to_us(t.value), lane(), to_us(t.limit), g_burst.cpu[worst], t.trials);
  }
  Timed s{0, t.limit, 0, true};
  if (cpu_count() >= 3) {  // an idle CPU for the task arriving as its CPU switches
    s = timed_trials(bound, [&] { return behind_trial(error); });
    if (error) return error;
    if (!s.ok) {
      return fail(
          "a task that arrived as cpu%u switched waited %lu us (%s, held to %lu us) before cpu%u "
          "ran it, trial %d",
          kBurstTarget, to_us(s.value), lane(), to_us(s.limit), g_behind.cpu, s.trials);
    }
  }
  kprintf(
      "KINFO: work conserving (%s, %d trials each, held to %lu us): longest waits %lu us queued "
      "behind a busy CPU, %lu us in a %u-task burst, %lu us arriving as its CPU switches%s\n",
      lane(), kTrials, to_us(t.limit), to_us(q.value), to_us(t.value), g_burst.size, to_us(s.value),
      s.trials ? "" : " (not run: fewer than 3 CPUs)");
  return nullptr;
}

// ---- wake latency -----------------------------------------------------------------------------
// A woken task of a higher class than the waker must run within a fifth of a tick, while idle
// CPUs exist. The waker is of the lowest class and pinned to cpu0, and so is the PerfBurst task
// it wakes: only a preemption on cpu0 can run it. Three cases:
// - Interrupt pending at the wake: as the wake begins, a test hook hands cpu0 a Normal hog the
//   way another CPU would (inbox and resched IPI). If the wake lets that interrupt in before the
//   task is queued, the hog runs first and the woken PerfBurst task waits for it.
// - Two tasks woken at once inside an interrupts-off section: the PerfBurst one must preempt the
//   waker as soon as interrupts are back on, not at the next tick, and the Interactive one, which
//   cannot run on cpu0 next, must go to an idle CPU: the PerfBurst task holds cpu0 until it ran.
// - The same two woken the other way round: the Interactive task first takes the place of what
//   runs next on cpu0, then the pinned PerfBurst task takes it over, and the Interactive one must
//   still be offered to an idle CPU.
// The waker holds cpu0 after its wake (only a preemption lets the woken task in), starting just
// after a tick, so a preemption left for the next interrupt costs about a tick in every trial.
// In every lane the waker also checks, as soon as it runs again after the preemption point, that
// the PerfBurst task has run: a check in order, not in time, that no host pause can break.
constexpr std::uint64_t kWakeBoundDivisor = 5;

enum class WakeCase { InterruptPending, PairHighFirst, PairLowFirst };
constexpr const char* kWakeCaseName[] = {"an interrupt pending at the wake",
                                         "two woken with interrupts off",
                                         "two woken with interrupts off, lower class first"};

struct WakeLatency {
  WakeCase wcase;
  Task* woken[2];  // PerfBurst (pinned to cpu0), Interactive
  Task* hog;
  std::uint64_t woke_at;
  std::atomic<std::uint64_t> ran_at[2];
  std::atomic<std::uint32_t> done{0};
  bool ran_at_preemption_point;  // the waker found it run when it went on after the wake
};
WakeLatency g_latency;

bool ran(std::uint32_t i) { return g_latency.ran_at[i].load(std::memory_order_relaxed) != 0; }

void latency_woken(void* arg) {
  const std::uint32_t me = from_arg(arg);
  g_latency.ran_at[me].store(arch::time_now(), std::memory_order_relaxed);
  if (me == 0 && g_latency.wcase != WakeCase::InterruptPending) {
    hold_cpu([] { return ran(1); }, kHoldTicks);
  }
  g_latency.done.fetch_add(1, std::memory_order_release);  // release: ran_at before the count
}

void latency_hog(void*) {
  hold_cpu([] { return ran(0); }, kHoldTicks);
  g_latency.done.fetch_add(1, std::memory_order_release);
}

void latency_waker(void*) {
  WakeLatency& l = g_latency;
  // Start just after a tick: a preemption left for the next interrupt would wait most of a tick.
  const std::uint64_t tick = sched_ticks();
  hold_cpu([&] { return sched_ticks() != tick; }, 2);
  if (l.wcase == WakeCase::InterruptPending) {
    sched_arm_wake_window(l.hog);
    l.woke_at = arch::time_now();
    task_wake(l.woken[0]);  // the end of its interrupts-off section is the preemption point
  } else {
    const std::uint32_t first = l.wcase == WakeCase::PairHighFirst ? 0 : 1;
    IrqSave irq;  // its end is the preemption point
    l.woke_at = arch::time_now();
    task_wake(l.woken[first]);
    task_wake(l.woken[first ^ 1]);
  }
  l.ran_at_preemption_point = ran(0);
  hold_cpu([] { return ran(0); }, kHoldTicks);     // keep cpu0: only a preemption lets it in
  l.done.fetch_add(1, std::memory_order_release);  // release: woke_at before the count
}

std::uint64_t latency_trial(WakeCase wcase, const char*& error) {
  WakeLatency& l = g_latency;
  l.wcase = wcase;
  const bool pair = wcase != WakeCase::InterruptPending;
  for (auto& r : l.ran_at) r.store(0, std::memory_order_relaxed);  // relaxed: no task exists yet
  l.done.store(0, std::memory_order_relaxed);
  if (!wait_others_parked()) {
    error = fail("a CPU never went idle");
    return kTrialFailed;
  }
  l.woken[0] = task_create_blocked("perfburst", QosClass::PerfBurst, latency_woken, as_arg(0));
  l.woken[1] = task_create_blocked("interactive", QosClass::Interactive, latency_woken, as_arg(1));
  l.hog = task_create_blocked("hog", QosClass::Normal, latency_hog, nullptr);
  Task* waker = task_create_blocked("waker", QosClass::Idle, latency_waker, nullptr);
  if (!l.woken[0] || !l.woken[1] || !l.hog || !waker) {
    error = fail("no task slot");
    return kTrialFailed;
  }
  // No idle CPU can take it: only a preemption on cpu0 runs it. cpu0 is online: this task runs
  // there.
  if (!task_pin(l.woken[0], 0) || !task_pin(waker, 0)) {
    error = fail("cpu0 refused a pinned task");
    return kTrialFailed;
  }
  task_wake(waker);
  // The waker, the PerfBurst task, and the hog or the Interactive task: three finish.
  if (!wait_for_count(l.done, 3, kSelftestWaitTicks)) {
    error = fail("the tasks did not finish");
    return kTrialFailed;
  }
  if (!l.ran_at_preemption_point) {  // written before the waker's release increment of done
    error = fail(
        "%s: the woken PerfBurst task had not run when the waker went on past the "
        "preemption point",
        kWakeCaseName[static_cast<std::size_t>(wcase)]);
    return kTrialFailed;
  }
  // Release the tasks the trial did not use.
  task_wake(pair ? l.hog : l.woken[1]);
  if (!wait_for_count(l.done, 4, kSelftestWaitTicks)) {
    error = fail("the unused tasks did not finish");
    return kTrialFailed;
  }
  std::uint64_t latest = l.ran_at[0].load(std::memory_order_relaxed);
  if (pair && l.ran_at[1].load(std::memory_order_relaxed) > latest) {
    latest = l.ran_at[1].load(std::memory_order_relaxed);
  }
  return latest - l.woke_at;
}

const char* test_wake_latency() {
  const std::uint64_t bound = tick_period() / kWakeBoundDivisor;
  constexpr WakeCase kCases[] = {WakeCase::InterruptPending, WakeCase::PairHighFirst,
                                 WakeCase::PairLowFirst};
  Timed t[3];
  for (const WakeCase c : kCases) {
    const auto i = static_cast<std::size_t>(c);
    const char* error = nullptr;
    t[i] = timed_trials(bound, [&] { return latency_trial(c, error); });
    if (error) return error;
    if (!t[i].ok) {
      return fail("%s: woken tasks ran after %lu us (%s, held to %lu us), trial %d",
                  kWakeCaseName[i], to_us(t[i].value), lane(), to_us(t[i].limit), t[i].trials);
    }
  }
  kprintf(
      "KINFO: wake latency (%s, %d trials each, held to %lu us): longest %lu us with an "
      "interrupt pending, %lu and %lu us for two woken with interrupts off, either order\n",
      lane(), kTrials, to_us(t[0].limit), to_us(t[0].value), to_us(t[1].value), to_us(t[2].value));
  return nullptr;
}

// ---- pinning ----------------------------------------------------------------------------------
// A task pinned to cpu1 runs only there: behind a busy task while the other CPUs idle (which
// must not turn into IPIs: at most kIpiBound are sent in that window), behind a full runqueue,
// after sleeping, and when woken from cpu0.
constexpr std::uint32_t kPinCpu = 1;
constexpr std::uint32_t kPinRounds = 12;
constexpr std::uint64_t kIpiBound = 4;
constexpr std::uint32_t kFloodTasks = config::kRunQueueCapacity + 16;

struct PinProbe {
  std::atomic<std::uint32_t> rounds{0};
  std::atomic<std::uint32_t> blocks{0};
  std::atomic<std::uint32_t> elsewhere{0};
  std::atomic<std::uint32_t> last_cpu{0};
  std::atomic<std::uint32_t> hog_done{0};
  std::atomic<std::uint32_t> flood_done{0};
  std::uint64_t ipis_during_hog;
};
PinProbe g_pin;

void note_cpu() {
  const std::uint32_t on = cpu_current_id();
  g_pin.last_cpu.store(on, std::memory_order_relaxed);  // relaxed: read for the message only
  if (on != kPinCpu) g_pin.elsewhere.fetch_add(1, std::memory_order_relaxed);
}

void pin_hog(void*) {
  note_cpu();
  const std::uint64_t before = ipis_sent_everywhere();
  hold_cpu([] { return false; }, 5);
  g_pin.ipis_during_hog = ipis_sent_everywhere() - before;
  g_pin.hog_done.store(1, std::memory_order_release);  // release: the count before the flag
}

void pin_block() {
  g_pin.blocks.fetch_add(1, std::memory_order_release);
  task_block();  // woken from cpu0
}

void pinned_body(void*) {
  note_cpu();   // after the hog
  pin_block();  // until the flood is queued ahead of us
  for (std::uint32_t r = 0; r < kPinRounds; ++r) {
    note_cpu();
    g_pin.rounds.store(r + 1, std::memory_order_relaxed);  // relaxed: read for the message only
    switch (r % 3) {
      case 0: task_yield(); break;
      case 1: task_sleep(1); break;
      default: pin_block(); break;
    }
  }
  note_cpu();
}

void flood_body(void*) {
  const std::uint64_t until = arch::time_now() + tick_period() / 20;
  while (arch::time_now() < until) arch::cpu_relax();
  g_pin.flood_done.fetch_add(1, std::memory_order_release);
}

const char* test_pinned_stays() {
  PinProbe& p = g_pin;
  p.rounds.store(0, std::memory_order_relaxed);  // relaxed: no task of this test exists yet
  p.blocks.store(0, std::memory_order_relaxed);
  p.elsewhere.store(0, std::memory_order_relaxed);
  p.hog_done.store(0, std::memory_order_relaxed);
  p.flood_done.store(0, std::memory_order_relaxed);
  if (!wait_others_parked()) return fail("a CPU never went idle");
  Task* hog = task_create_blocked("pin-hog", QosClass::Interactive, pin_hog, nullptr);
  Task* pinned = task_create_blocked("pinned", QosClass::Normal, pinned_body, nullptr);
  if (!hog || !pinned) return fail("no task slot");
  if (!task_pin(hog, kPinCpu) || !task_pin(pinned, kPinCpu)) {
    return fail("cpu%u refused a pinned task", kPinCpu);
  }
  // 1. Behind a busy task, with every other CPU idle.
  {
    IrqSave irq;
    task_wake(hog);
    task_wake(pinned);
  }
  auto blocked_after = [&](std::uint32_t blocks) {
    return wait_until([&] {
      return p.blocks.load(std::memory_order_acquire) >= blocks &&
             task_state(pinned) == TaskState::Blocked;
    });
  };
  if (!blocked_after(1)) return fail("the pinned task never ran after the hog");
  if (p.hog_done.load(std::memory_order_acquire) != 1) return fail("the hog did not finish");
  // 2. Behind a full runqueue: the flood waits in cpu1's inbox (IPIs withheld) ahead of the
  // pinned task's wake, so cpu1 takes all of them at once and the pinned task lands behind it.
  for (std::uint32_t i = 0; i < kFloodTasks; ++i) {
    if (!task_create_on("flood", QosClass::Normal, flood_body, nullptr, kPinCpu,
                        IpiDelivery::Suppress)) {
      return fail("no task slot");
    }
  }
  task_wake(pinned);  // behind the flood: no IPI of its own (the inbox was not empty)
  if (const char* error = send_withheld_resched(kPinCpu)) return error;
  // 3. Yield, sleep and remote wakes, while the other CPUs steal the flood.
  for (std::uint32_t blocks = 2; blocks <= 1 + kPinRounds / 3; ++blocks) {
    if (!blocked_after(blocks))
      return fail("the pinned task stalled after %u rounds", p.rounds.load());
    task_wake(pinned);
  }
  if (!wait_quiescent(kSelftestWaitTicks)) return fail("tasks of this test still alive");
  if (p.flood_done.load(std::memory_order_acquire) != kFloodTasks) return fail("flood lost tasks");
  if (const std::uint32_t n = p.elsewhere.load(std::memory_order_relaxed); n != 0) {
    return fail("tasks pinned to cpu%u ran elsewhere %u times (last on cpu%u)", kPinCpu, n,
                p.last_cpu.load(std::memory_order_relaxed));
  }
  if (p.ipis_during_hog > kIpiBound) {
    return fail("%lu IPIs sent in 5 ticks while a pinned task waited behind a busy one (bound %lu)",
                p.ipis_during_hog, kIpiBound);
  }
  kprintf("KINFO: pinned stays: %lu IPIs in 5 ticks behind a busy task (bound %lu)\n",
          p.ipis_during_hog, kIpiBound);
  return nullptr;
}

const Selftest kUp[] = {
    {"wake_states", "wake during sleep", test_wake_states},
    {"spill_fairness", "spill fairness", test_spill_fairness},
};

const Selftest kSmp[] = {
    {"work_conserving", "work conserving", test_work_conserving},
    {"wake_latency", "wake latency", test_wake_latency},
    {"pinned_stays", "pinned stays", test_pinned_stays},
};

}  // namespace

const SelftestTable kUpGuaranteeSelftests = {kUp, sizeof kUp / sizeof kUp[0]};
const SelftestTable kSmpGuaranteeSelftests = {kSmp, sizeof kSmp / sizeof kSmp[0]};

}  // namespace neuron
