// Priority across CPUs and time within a class: a task preempted by a higher class resumes at
// the head of its class with the rest of its slice (cpu0 alone); a runnable task never waits
// behind another CPU's round-robin while some CPU runs a lower class; a sync wake costs no IPI
// (all CPUs). Bounds and lanes: docs/architecture/01-neuron-kernel.md, "Guarantees".
#include <atomic>
#include <cstdint>

#include "kernel/console.h"
#include "kernel/percpu.h"
#include "kernel/scheduler.h"
#include "kernel/tests/selftest.h"
#include "kernel/tests/timed.h"

namespace neuron {
namespace {

// ---- class time share -------------------------------------------------------------------------
// Two Normal tasks spin on cpu0 while a PerfBurst task wakes every kShareEvery ticks, spins a
// little and sleeps again. Preempted, a task must resume first in its class with the rest of its
// slice, so the two get the same CPU time (within kShareTolerancePercent under exact time; under
// host time, which charges a host's pauses to whichever task ran, at least half each other's).
constexpr std::uint64_t kShareEvery = 6;  // not a multiple of the 5-tick slice
constexpr std::uint32_t kShareRounds = 20;
constexpr std::uint64_t kShareTolerancePercent = 10;
constexpr std::uint64_t kShareHostPercent = 50;

struct Share {
  std::atomic<std::uint32_t> stop{0};
  std::atomic<std::uint32_t> done{0};
  std::uint64_t cpu_time[2];
};
Share g_share;

void share_spinner(void* arg) {
  const std::uint32_t me = from_arg(arg);
  while (g_share.stop.load(std::memory_order_relaxed) == 0) arch::cpu_relax();  // relaxed: flag
  g_share.cpu_time[me] = task_cpu_time(task_current());
  g_share.done.fetch_add(1, std::memory_order_release);  // release: cpu_time before the count
}

void share_preempter(void*) {
  for (std::uint32_t r = 0; r < kShareRounds; ++r) {
    task_sleep(kShareEvery);
    const std::uint64_t until = arch::time_now() + tick_period() / 10;
    while (arch::time_now() < until) arch::cpu_relax();
  }
  g_share.stop.store(1, std::memory_order_relaxed);  // relaxed: a flag the spinners poll
  g_share.done.fetch_add(1, std::memory_order_release);
}

const char* test_class_time_share() {
  Share& s = g_share;
  s.stop.store(0, std::memory_order_relaxed);  // relaxed: no task of this test exists yet
  s.done.store(0, std::memory_order_relaxed);
  if (!task_create("share-a", QosClass::Normal, share_spinner, as_arg(0)) ||
      !task_create("share-b", QosClass::Normal, share_spinner, as_arg(1)) ||
      !task_create("share-p", QosClass::PerfBurst, share_preempter, nullptr)) {
    return fail("no task slot");
  }
  // One long sleep: this task (Normal too) takes no turns from the spinners meanwhile.
  task_sleep(kShareEvery * (kShareRounds + 2));
  if (!wait_for_count(s.done, 3, kSelftestWaitTicks)) return fail("the tasks did not finish");
  const std::uint64_t a = s.cpu_time[0], b = s.cpu_time[1];
  const std::uint64_t hi = a > b ? a : b, lo = a > b ? b : a;
  const std::uint64_t percent = hi ? lo * 100 / hi : 0;
  const std::uint64_t least =
      selftest_exact_time() ? 100 - kShareTolerancePercent : kShareHostPercent;
  if (percent < least) {
    return fail(
        "two Normal tasks under periodic PerfBurst preemption ran %lu and %lu us (%lu%%, "
        "%s, at least %lu%%)",
        to_us(a), to_us(b), percent, lane(), least);
  }
  kprintf("KINFO: class time share (%s): %lu and %lu us (%lu%%, at least %lu%%)\n", lane(),
          to_us(a), to_us(b), percent, least);
  return nullptr;
}

// ---- cross-CPU priority -----------------------------------------------------------------------
// Every CPU is occupied by a pinned task that holds it until the trial ends: Normal on cpu1, the
// others of a lower class. Two cases:
// - Woken on a busy home CPU: a Normal task that last ran on cpu1 is woken by an Idle-class task
//   on cpu0. It cannot run on cpu1 before the occupier's slice ends; cpu0 runs a lower class, so
//   it must run there (or anywhere) within the bound.
// - Queued behind: N-1 Normal tasks land at once on cpu1 while the N-1 other CPUs run Idle-class
//   tasks: each must start within the bound, one on each of those CPUs.
// Bounds: a wake's, 1/5 tick, for the woken task; work conservation's, 1 tick, for the queued
// ones (the pulls may chain: a CPU that pulled a batch offers the rest on). The defect, priority
// kept per CPU only, costs the rest of the occupier's slice (3 ticks or more here).
constexpr std::uint64_t kWakeBoundDivisor = 5;
constexpr std::uint32_t kPrioCpu = 1;  // the busy home CPU

struct Prio {
  std::atomic<std::uint32_t> release{0};     // occupiers let go
  std::atomic<std::uint32_t> occupied{0};    // occupiers running
  std::atomic<std::uint32_t> started{0};     // timed tasks started
  std::atomic<std::uint32_t> queued{0};      // timed tasks of the queued-behind case
  std::atomic<std::uint32_t> woken_home{0};  // where the task to wake blocked
  std::uint64_t start[config::kMaxCpus];
  std::uint64_t woke_at;
};
Prio g_prio;

void occupier(void*) {
  g_prio.occupied.fetch_add(1, std::memory_order_relaxed);  // relaxed: a count the test polls
  hold_cpu([] { return g_prio.release.load(std::memory_order_relaxed) != 0; }, kHoldTicks);
}

// Occupies the CPUs from `first` on: cpu1 with a `prio_cpu`-class task, the others with
// `others`-class tasks. cpu0's occupier runs once this task sleeps.
const char* occupy(std::uint32_t first, QosClass others, QosClass prio_cpu = QosClass::Normal) {
  for (std::uint32_t id = first; id < cpu_count(); ++id) {
    const QosClass q = id == kPrioCpu ? prio_cpu : others;
    Task* t = task_create_blocked("occupier", q, occupier, nullptr);
    if (!t) return fail("no task slot");
    if (!task_pin(t, id)) return fail("cpu%u refused a pinned task", id);
    task_wake(t);
  }
  const std::uint32_t n = cpu_count() - first;
  if (!wait_ticks([&] { return g_prio.occupied.load(std::memory_order_relaxed) == n; },
                  kSelftestWaitTicks)) {
    return fail("the occupiers never ran");
  }
  return nullptr;
}

void timed_body(void* arg) {
  const std::uint32_t me = from_arg(arg);
  g_prio.start[me] = arch::time_now();
  g_prio.started.fetch_add(1, std::memory_order_release);  // release: start[] before the count
  // Keeps the CPU it got until every timed task started, so each needs a CPU of its own.
  hold_cpu(
      [] {
        return g_prio.started.load(std::memory_order_relaxed) >=
               g_prio.queued.load(std::memory_order_relaxed);
      },
      kHoldTicks);
}

void woken_body(void*) {
  // relaxed: the test reads it once the task has blocked (see woken_trial).
  g_prio.woken_home.store(cpu_current_id(), std::memory_order_relaxed);
  task_block();  // until the waker on cpu0
  timed_body(as_arg(0));
}

void prio_waker(void* arg) {
  Task* woken = static_cast<Task*>(arg);
  g_prio.woke_at = arch::time_now();
  task_wake(woken);
  // acquire: pairs with the woken task's release increment.
  hold_cpu([] { return g_prio.started.load(std::memory_order_acquire) != 0; }, kHoldTicks);
}

// Ends a trial: occupiers let go, every task of it gone.
const char* finish_trial() {
  g_prio.release.store(1, std::memory_order_relaxed);  // relaxed: a flag the occupiers poll
  if (!wait_quiescent(kSelftestWaitTicks)) return fail("tasks of the trial still alive");
  return nullptr;
}

void reset_prio(std::uint32_t queued) {
  Prio& p = g_prio;  // relaxed: no task of the trial exists yet
  p.release.store(0, std::memory_order_relaxed);
  p.occupied.store(0, std::memory_order_relaxed);
  p.started.store(0, std::memory_order_relaxed);
  p.queued.store(queued, std::memory_order_relaxed);
  p.woken_home.store(config::kMaxCpus, std::memory_order_relaxed);  // no CPU yet
}

std::uint64_t woken_trial(const char*& error) {
  reset_prio(1);
  if (!wait_others_parked()) {
    error = fail("a CPU never went idle");
    return kTrialFailed;
  }
  // This task holds cpu0 meanwhile (at Normal): an idle cpu0 would steal the new task from cpu1
  // whenever cpu1's vCPU is slow to run it.
  Task* woken = task_create_on("woken", QosClass::Normal, woken_body, nullptr, kPrioCpu);
  if (woken) hold_cpu([&] { return task_state(woken) == TaskState::Blocked; }, kSelftestWaitTicks);
  if (!woken || task_state(woken) != TaskState::Blocked) {
    error = fail("the task to wake never blocked on cpu%u", kPrioCpu);
    return kTrialFailed;
  }
  // relaxed: its lock, taken by task_state() after the block, orders the store before this.
  if (const std::uint32_t home = g_prio.woken_home.load(std::memory_order_relaxed);
      home != kPrioCpu) {
    error = fail("the task to wake blocked on cpu%u, not on busy cpu%u", home, kPrioCpu);
    return kTrialFailed;
  }
  // The Idle class everywhere but on cpu1; on cpu0 the waker, which holds it after the wake.
  if ((error = occupy(1, QosClass::Idle))) return kTrialFailed;
  Task* waker = task_create_blocked("waker", QosClass::Idle, prio_waker, woken);
  if (!waker || !task_pin(waker, 0)) {
    error = fail("no task slot for the waker");
    return kTrialFailed;
  }
  task_wake(waker);  // runs once this task sleeps
  if (!wait_for_count(g_prio.started, 1, kSelftestWaitTicks)) {
    error = fail("the woken task never ran");
    return kTrialFailed;
  }
  const std::uint64_t waited = elapsed(g_prio.woke_at, g_prio.start[0]);
  if ((error = finish_trial())) return kTrialFailed;
  return waited;
}

std::uint64_t queued_behind_trial(const char*& error) {
  const std::uint32_t n = cpu_count() - 1;  // as many as CPUs running the lower class
  reset_prio(n);
  if (!wait_others_parked()) {
    error = fail("a CPU never went idle");
    return kTrialFailed;
  }
  if ((error = occupy(0, QosClass::Idle))) return kTrialFailed;
  // All wait in cpu1's inbox with their IPIs withheld; then one IPI makes cpu1 queue them all at
  // once behind its Normal occupier.
  const std::uint64_t released = arch::time_now();
  for (std::uint32_t i = 0; i < n; ++i) {
    if (!task_create_on("behind", QosClass::Normal, timed_body, as_arg(i), kPrioCpu,
                        IpiDelivery::Suppress)) {
      error = fail("no task slot");
      return kTrialFailed;
    }
  }
  if ((error = send_withheld_resched(kPrioCpu))) return kTrialFailed;
  if (!wait_for_count(g_prio.started, n, kSelftestWaitTicks)) {
    error = fail("%u of %u tasks queued behind cpu%u started", g_prio.started.load(), n, kPrioCpu);
    return kTrialFailed;
  }
  std::uint64_t worst = 0;
  for (std::uint32_t i = 0; i < n; ++i) {
    const std::uint64_t w = elapsed(released, g_prio.start[i]);
    if (w > worst) worst = w;
  }
  if ((error = finish_trial())) return kTrialFailed;
  return worst;
}

void offered_low_body(void*) {}

// Offers of two classes owed at once, the higher placed first. cpu1 runs a PerfBurst task and
// every other CPU a Normal one (cpu0 this task), none idle. A PerfBurst and a Normal task reach
// cpu1's inbox together and one IPI makes cpu1 queue both behind its own PerfBurst task, offering
// each: the PerfBurst offer has a taker (any CPU running Normal, asked to pull), the Normal one has
// none (no CPU runs a lower class). Sent lowest class first, the Normal offer finds no taker, which
// ends the sending (no CPU below Normal says nothing about CPUs below PerfBurst), and the
// PerfBurst task waits for a slice to end somewhere.
std::uint64_t mixed_offers_trial(const char*& error) {
  reset_prio(1);
  if (!wait_others_parked()) {
    error = fail("a CPU never went idle");
    return kTrialFailed;
  }
  // cpu0 is held by this task (Normal) itself: an occupier of its class there would keep it
  // from running again until that occupier's slice ended, which would then end with every
  // other occupier's, at the release, and a CPU at a slice's end looks for work by itself.
  if ((error = occupy(1, QosClass::Normal, QosClass::PerfBurst))) return kTrialFailed;
  const std::uint64_t released = arch::time_now();
  if (!task_create_on("offered-high", QosClass::PerfBurst, timed_body, as_arg(0), kPrioCpu,
                      IpiDelivery::Suppress) ||
      !task_create_on("offered-low", QosClass::Normal, offered_low_body, nullptr, kPrioCpu,
                      IpiDelivery::Suppress)) {
    error = fail("no task slot");
    return kTrialFailed;
  }
  if ((error = send_withheld_resched(kPrioCpu))) return kTrialFailed;
  // This task holds cpu0 (Normal) rather than sleep: a switch here would look at cpu1's queue
  // and find the PerfBurst task by itself, whatever the offers did. acquire: pairs with the
  // started task's release increment (start[] before the count).
  hold_cpu([] { return g_prio.started.load(std::memory_order_acquire) != 0; }, kHoldTicks);
  if (g_prio.started.load(std::memory_order_acquire) == 0) {
    error = fail("the PerfBurst task offered by cpu%u never ran", kPrioCpu);
    return kTrialFailed;
  }
  const std::uint64_t waited = elapsed(released, g_prio.start[0]);
  if ((error = finish_trial())) return kTrialFailed;
  return waited;
}

const char* test_cross_cpu_priority() {
  const char* error = nullptr;
  const Timed w =
      timed_trials(tick_period() / kWakeBoundDivisor, [&] { return woken_trial(error); });
  if (error) return error;
  if (!w.ok) {
    return fail(
        "a Normal task woken on busy cpu%u while cpu0 ran the Idle class waited %lu us "
        "(%s, held to %lu us), trial %d",
        kPrioCpu, to_us(w.value), lane(), to_us(w.limit), w.trials);
  }
  const Timed q = timed_trials(tick_period(), [&] { return queued_behind_trial(error); });
  if (error) return error;
  if (!q.ok) {
    return fail(
        "%u Normal tasks queued on busy cpu%u while %u CPUs ran the Idle class: the last "
        "started after %lu us (%s, held to %lu us), trial %d",
        cpu_count() - 1, kPrioCpu, cpu_count() - 1, to_us(q.value), lane(), to_us(q.limit),
        q.trials);
  }
  const Timed m =
      timed_trials(tick_period() / kWakeBoundDivisor, [&] { return mixed_offers_trial(error); });
  if (error) return error;
  if (!m.ok) {
    return fail(
        "a PerfBurst task offered by busy cpu%u with a Normal one, every CPU running Normal or "
        "above, waited %lu us (%s, held to %lu us), trial %d",
        kPrioCpu, to_us(m.value), lane(), to_us(m.limit), m.trials);
  }
  kprintf(
      "KINFO: cross-cpu priority (%s, %d trials each): longest waits %lu us woken on a busy "
      "CPU (held to %lu us), %lu us for %u queued behind one (held to %lu us), %lu us offered "
      "with a lower class (held to %lu us)\n",
      lane(), kTrials, to_us(w.value), to_us(w.limit), to_us(q.value), cpu_count() - 1,
      to_us(q.limit), to_us(m.value), to_us(m.limit));
  return nullptr;
}

// ---- sync wake --------------------------------------------------------------------------------
// Two Normal tasks pass a turn back and forth, each waking the other and blocking in one step
// (task_wake_and_block), while the other CPUs idle: the woken task runs on the waker's CPU, so
// no IPI is needed. At most kSyncIpisPerTenWakes IPIs per ten wakes, after a warm-up.
constexpr std::uint32_t kSyncRounds = 200;
constexpr std::uint32_t kSyncWarmup = 10;
constexpr std::uint64_t kSyncIpisPerTenWakes = 1;

struct SyncPair {
  Task* task[2];
  std::atomic<std::uint32_t> turns{0};
  std::atomic<std::uint32_t> done{0};
  std::uint64_t ipis_before, ipis_after;
};
SyncPair g_sync;

void sync_body(void* arg) {
  const std::uint32_t me = from_arg(arg);
  SyncPair& p = g_sync;
  for (std::uint32_t r = 0; r < kSyncRounds; ++r) {
    p.turns.fetch_add(1, std::memory_order_relaxed);  // relaxed: read once both are done
    if (me == 0 && r == kSyncWarmup) p.ipis_before = ipis_sent_everywhere();
    if (me == 1 && r + 1 == kSyncRounds) {
      p.ipis_after = ipis_sent_everywhere();
      task_wake(p.task[0]);  // the last turn: wake the other and leave
    } else {
      task_wake_and_block(p.task[me ^ 1]);
    }
  }
  p.done.fetch_add(1, std::memory_order_release);  // release: the snapshots before the count
}

const char* test_sync_wake() {
  SyncPair& p = g_sync;
  p.turns.store(0, std::memory_order_relaxed);  // relaxed: no task of this test exists yet
  p.done.store(0, std::memory_order_relaxed);
  if (!wait_others_parked()) return fail("a CPU never went idle");
  // Both exist before either runs: each reads the other's handle. The first, pinned to cpu1,
  // wakes the second there, and from then on each wakes the other on the CPU they share.
  p.task[0] = task_create_blocked("sync-a", QosClass::Normal, sync_body, as_arg(0));
  p.task[1] = task_create_blocked("sync-b", QosClass::Normal, sync_body, as_arg(1));
  if (!p.task[0] || !p.task[1]) return fail("no task slot");
  if (!task_pin(p.task[0], kPrioCpu)) return fail("cpu%u is not online", kPrioCpu);
  task_wake(p.task[0]);  // its lock orders the handles before the task's first read of them
  if (!wait_for_count(p.done, 2, kSelftestWaitTicks)) {
    return fail("the pair stalled after %u of %u turns", p.turns.load(), 2 * kSyncRounds);
  }
  if (p.turns.load(std::memory_order_relaxed) != 2 * kSyncRounds) return fail("a turn was lost");
  const std::uint64_t wakes = 2 * (kSyncRounds - kSyncWarmup) - 1;
  const std::uint64_t ipis = p.ipis_after - p.ipis_before;
  if (ipis * 10 > wakes * kSyncIpisPerTenWakes) {
    return fail("%lu IPIs for %lu sync wakes between two tasks with idle CPUs (at most %lu per 10)",
                ipis, wakes, kSyncIpisPerTenWakes);
  }
  kprintf("KINFO: sync wake: %lu IPIs for %lu wakes (at most %lu per 10)\n", ipis, wakes,
          kSyncIpisPerTenWakes);
  return nullptr;
}

const Selftest kUp[] = {
    {"class_time_share", "class time share", test_class_time_share},
};

const Selftest kSmp[] = {
    {"cross_cpu_priority", "cross-cpu priority", test_cross_cpu_priority},
    {"sync_wake", "sync wake", test_sync_wake},
};

}  // namespace

const SelftestTable kUpPrioritySelftests = {kUp, sizeof kUp / sizeof kUp[0]};
const SelftestTable kSmpPrioritySelftests = {kSmp, sizeof kSmp / sizeof kSmp[0]};

}  // namespace neuron
