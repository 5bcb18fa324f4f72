// SMP selftests, run on cpu0 after the secondaries were started: online mask, the IPI path with
// its counterfactual, refusals, work stealing and its bounds, and a cross-CPU scheduler stress.
#include <atomic>
#include <cstdint>

#include "kernel/arch.h"
#include "kernel/boot.h"
#include "kernel/config.h"
#include "kernel/ipi.h"
#include "kernel/irq_lock.h"
#include "kernel/percpu.h"
#include "kernel/scheduler.h"
#include "kernel/smp.h"
#include "kernel/steal.h"
#include "kernel/tests/selftest.h"

namespace neuron {
namespace {

// 50 ms with the IPI withheld: any polling shows within a tick.
constexpr std::uint64_t kCounterfactualTicks = 5;
constexpr std::uint32_t kIpiTarget = 1;

std::uint64_t count(const CpuStats::Counter& c) { return c.load(std::memory_order_relaxed); }

// ---- smp online -----------------------------------------------------------------------------
struct CpuProbe {
  std::atomic<std::uint32_t> ran_on[config::kMaxCpus];
  std::atomic<std::uint32_t> done{0};
};
CpuProbe g_probe;

void record_cpu(void* arg) {
  const auto slot = reinterpret_cast<std::uintptr_t>(arg);
  g_probe.ran_on[slot].store(cpu_current_id(), std::memory_order_relaxed);
  g_probe.done.fetch_add(1, std::memory_order_release);  // release: ran_on before the count
}

const char* test_smp_online() {
  const std::uint32_t n = cpu_count();
  const std::size_t usable = boot_tree().hart_count - smp_harts_unknown();
  if ((usable < smp_max_cpus() ? usable : smp_max_cpus()) != n)
    return fail("%lu harts in the tree the firmware can start, %u managed", usable, n);
  // Exactly cpu0..cpu(n-1): the first CPU missing, and anything set past them.
  const CpuMask online = cpu_online_mask();
  for (std::uint32_t id = 0; id < n; ++id) {
    if (!online.test(id)) return fail("cpu%u is not in the online mask", id);
  }
  if (const std::uint32_t extra = online.next(n); extra != CpuMask::kNone)
    return fail("cpu%u is in the online mask, but %u CPUs are managed", extra, n);
  // Online means it set its own bit. "Has run code" also means its scheduler runs what it is sent:
  // every secondary, parked, is sent a probe pinned to it (so no other CPU may take it) at once.
  for (std::uint32_t id = 1; id < n; ++id) {
    if (!wait_parked(g_cpus[id], kSelftestWaitTicks)) return fail("cpu%u never went idle", id);
  }
  g_probe.done.store(0, std::memory_order_relaxed);  // relaxed: no probe task exists yet
  for (std::uint32_t id = 1; id < n; ++id) {
    g_probe.ran_on[id].store(~0u, std::memory_order_relaxed);
    Task* t = task_create_blocked("probe", QosClass::Normal, record_cpu,
                                  reinterpret_cast<void*>(std::uintptr_t{id}));
    if (!t) return fail("no task slot");
    if (!task_pin(t, id)) return fail("cpu%u refused a pinned task", id);
    task_wake(t);  // through cpuN's inbox and an IPI
  }
  if (!wait_for_count(g_probe.done, n - 1, kSelftestWaitTicks))
    return fail("%u of %u CPUs ran their probe", g_probe.done.load(), n - 1);
  for (std::uint32_t id = 1; id < n; ++id) {
    const std::uint32_t on = g_probe.ran_on[id].load(std::memory_order_relaxed);
    if (on != id) return fail("the task sent to cpu%u ran on cpu%u", id, on);
    if (!wait_parked(g_cpus[id], kSelftestWaitTicks))
      return fail("cpu%u did not go idle again", id);
  }
  return nullptr;
}

// ---- IPI: counterfactual, then the real thing -----------------------------------------------
struct IpiProbe {
  std::atomic<std::uint32_t> ran{0};
  std::atomic<std::uint32_t> ran_on{~0u};
  std::uint64_t requested, sent, recv, acked;  // snapshots before the counterfactual
  std::uint64_t stolen;                        // ... and of the tasks other CPUs stole
};
IpiProbe g_ipi;

std::uint64_t stolen_by_others() {
  std::uint64_t n = 0;
  for (std::uint32_t id = 0; id < cpu_count(); ++id) {
    if (id != kIpiTarget) n += count(g_cpus[id].stats.stolen);
  }
  return n;
}

void ipi_probe_task(void*) {
  g_ipi.ran_on.store(cpu_current_id(), std::memory_order_relaxed);
  g_ipi.ran.fetch_add(1, std::memory_order_release);  // release: ran_on before ran
}

const char* test_ipi_counterfactual() {
  Cpu& target = g_cpus[kIpiTarget];
  CpuStats& me = this_cpu().stats;
  if (!wait_parked(target, kSelftestWaitTicks))
    return fail("cpu%u never parked in wfi with its tick silenced", kIpiTarget);
  g_ipi.ran.store(0, std::memory_order_relaxed);  // relaxed: the probe does not exist yet
  g_ipi.requested = count(me.ipis_requested);
  g_ipi.sent = count(me.ipis_sent);
  g_ipi.recv = count(target.stats.ipis_recv);
  g_ipi.acked = count(target.stats.ipis_acked);
  g_ipi.stolen = stolen_by_others();
  // Queue a task in the target's inbox and withhold the interrupt.
  if (!task_create_on("ipi-probe", QosClass::Normal, ipi_probe_task, nullptr, kIpiTarget,
                      IpiDelivery::Suppress)) {
    return fail("no task slot");
  }
  task_sleep(kCounterfactualTicks);
  if (count(me.ipis_requested) != g_ipi.requested + 1)
    return fail("the withheld request was not counted");
  if (count(me.ipis_sent) != g_ipi.sent) return fail("an IPI was sent although withheld");
  if (count(target.stats.ipis_recv) != g_ipi.recv)
    return fail("cpu%u took an IPI trap", kIpiTarget);
  if (count(target.stats.ipis_acked) != g_ipi.acked) return fail("cpu%u acknowledged", kIpiTarget);
  if (g_ipi.ran.load(std::memory_order_acquire) != 0) return fail("the task ran without an IPI");
  if (!target.parked.load(std::memory_order_relaxed))
    return fail("cpu%u woke without an IPI", kIpiTarget);
  return nullptr;
}

const char* test_ipi_resched() {
  Cpu& target = g_cpus[kIpiTarget];
  CpuStats& me = this_cpu().stats;
  if (const IpiError e = ipi_send(kIpiTarget, IpiReason::Resched); e != IpiError::None) {
    return fail("send refused: %s", ipi_error_name(e));
  }
  if (!wait_for_count(g_ipi.ran, 1, kSelftestWaitTicks))
    return fail("cpu%u never ran the task", kIpiTarget);
  // Every step of the path, each a counter: request -> SBI send -> trap -> acknowledgement.
  if (count(me.ipis_requested) != g_ipi.requested + 2) return fail("request not counted");
  if (count(me.ipis_sent) != g_ipi.sent + 1) return fail("SBI send not counted");
  if (count(target.stats.ipis_recv) != g_ipi.recv + 1) {
    return fail("cpu%u took %lu IPI traps, expected 1", kIpiTarget,
                count(target.stats.ipis_recv) - g_ipi.recv);
  }
  if (count(target.stats.ipis_acked) != g_ipi.acked + 1)
    return fail("cpu%u did not acknowledge", kIpiTarget);
  // cpu1 queues what the IPI delivered, and a CPU that goes idle meanwhile may steal it (a host
  // that deschedules cpu1's vCPU between the two makes room for that): fine, once cpu1 had it.
  const std::uint32_t on = g_ipi.ran_on.load(std::memory_order_relaxed);
  if (on != kIpiTarget && stolen_by_others() == g_ipi.stolen) {
    return fail("the task ran on cpu%u, which did not steal it", on);
  }
  return nullptr;
}

// ---- inbox IPIs: one per inbox that turns non-empty ------------------------------------------
// cpu1 is parked with its tick silenced, so only an IPI wakes it; cpu0 wakes 4 tasks pinned to
// it in one step (task_wake_many: every push before any IPI). The first push finds the inbox
// empty and owes the only IPI; cpu1 takes all 4 in the one drain that IPI causes. (No CPU spins
// waiting for another here: under -icount, QEMU 7.2 may then never give the waiter a turn.)
constexpr std::uint32_t kCoalescedTasks = 4;
std::atomic<std::uint32_t> g_coalesced_ran{0};

// release: the test's acquire count then orders cpu1's drain counter (read after it) too.
void coalesced_task(void*) { g_coalesced_ran.fetch_add(1, std::memory_order_release); }

const char* test_inbox_ipi_once() {
  Cpu& target = g_cpus[kIpiTarget];
  CpuStats& me = this_cpu().stats;
  g_coalesced_ran.store(0, std::memory_order_relaxed);  // relaxed: no task of the test exists yet
  Task* tasks[kCoalescedTasks];
  std::uint32_t made = 0;
  const char* error = nullptr;
  for (; made < kCoalescedTasks && !error; ++made) {
    tasks[made] = task_create_blocked("coalesced", QosClass::Normal, coalesced_task, nullptr);
    if (!tasks[made])
      error = fail("no task slot");
    else if (!task_pin(tasks[made], kIpiTarget))
      error = fail("cpu%u refused a pinned task", kIpiTarget);
  }
  if (!error && !wait_parked(target, kSelftestWaitTicks))
    error = fail("cpu%u never went idle", kIpiTarget);
  if (error) {  // the tasks made still run once, wherever they may
    for (std::uint32_t i = 0; i < made; ++i) {
      if (tasks[i]) task_wake(tasks[i]);
    }
    return error;
  }
  std::uint64_t pushed, quiet, ipis, drains;
  {
    IrqSave irq;  // no tick here in between: cpu0 sends no other IPI within the counts
    const std::uint64_t pushes = count(me.inbox_pushes);
    const std::uint64_t coalesced = count(me.inbox_pushes_coalesced);
    const std::uint64_t sent = count(me.ipis_sent);
    drains = count(target.stats.inbox_drains);
    task_wake_many(tasks, kCoalescedTasks);
    pushed = count(me.inbox_pushes) - pushes;
    quiet = count(me.inbox_pushes_coalesced) - coalesced;
    ipis = count(me.ipis_sent) - sent;
  }
  if (!wait_for_count(g_coalesced_ran, kCoalescedTasks, kSelftestWaitTicks))
    return fail("%u of %u pushed tasks ran", g_coalesced_ran.load(), kCoalescedTasks);
  if (pushed != kCoalescedTasks)
    return fail("%lu inbox pushes counted, expected %u", pushed, kCoalescedTasks);
  if (ipis != 1 || quiet != kCoalescedTasks - 1) {
    return fail("%lu IPIs and %lu coalesced pushes for %u tasks woken at once, expected 1 and %u",
                ipis, quiet, kCoalescedTasks, kCoalescedTasks - 1);
  }
  // relaxed: cpu1's counter, read after its tasks ran (their count was acquired above).
  if (const std::uint64_t d = count(target.stats.inbox_drains) - drains; d != 1)
    return fail("cpu%u drained its inbox %lu times for one IPI, expected once", kIpiTarget, d);
  return nullptr;
}

// One resched IPI to every other CPU at once (ipi_send_many, what sched_send_owed_ipis uses): one
// firmware call per window of 64 hart ids, counted in CPU order as the batch sees them (QEMU's
// harts are in order, so that is one call per 64 harts), and every CPU takes its IPI.
std::uint64_t g_recv_before[config::kMaxCpus];  // 4 KiB: not on an 8 KiB task stack

const char* test_ipi_broadcast() {
  const std::uint32_t n = cpu_count();
  if (!wait_others_parked()) return fail("a CPU never parked");
  CpuMask others;
  auto& recv = g_recv_before;
  std::uint32_t windows = 0;
  std::uint64_t window = ~std::uint64_t{0};
  for (std::uint32_t id = 0; id < n; ++id) {
    if (id == cpu_current_id()) continue;
    others.set(id);
    recv[id] = count(g_cpus[id].stats.ipis_recv);
    if (g_cpus[id].arch.hartid / 64 != window) ++windows;
    window = g_cpus[id].arch.hartid / 64;
  }
  std::uint64_t calls = 0, sent = 0;
  {
    // Interrupts off from the counts before to the counts after: a tick that wakes a sleeper
    // here could send IPIs of its own in between.
    IrqSave irq;
    CpuStats& me = this_cpu().stats;
    calls = count(me.ipi_calls);
    sent = count(me.ipis_sent);
    if (const IpiError e = ipi_send_many(others, IpiReason::Resched); e != IpiError::None)
      return fail("send refused: %s", ipi_error_name(e));
    calls = count(me.ipi_calls) - calls;
    sent = count(me.ipis_sent) - sent;
  }
  if (calls != windows)
    return fail("%lu firmware calls for %u CPUs in %u windows of hart ids", calls, n - 1, windows);
  if (sent != n - 1) return fail("%lu IPIs sent, expected %u", sent, n - 1);
  for (std::uint32_t id = others.next(0); id != CpuMask::kNone; id = others.next(id + 1)) {
    // relaxed: a counter the target writes; the wait only needs to see it move.
    if (!wait_ticks([&] { return count(g_cpus[id].stats.ipis_recv) != recv[id]; },
                    kSelftestWaitTicks))
      return fail("cpu%u never took its IPI", id);
  }
  return nullptr;
}

const char* test_reject_invalid_ipi_target_cpu() {
  CpuStats& me = this_cpu().stats;
  const std::uint64_t before = count(me.ipis_requested);
  for (std::uint32_t bad :
       {std::uint32_t{config::kMaxCpus}, std::uint32_t{config::kMaxCpus + 7}, ~0u}) {
    if (const IpiError e = ipi_send(bad, IpiReason::Resched); e != IpiError::InvalidCpu) {
      return fail("target %u: %s, expected refusal", bad, ipi_error_name(e));
    }
  }
  if (count(me.ipis_requested) != before) return fail("a refused request was counted");
  return nullptr;
}

// Runs before the secondaries start: cpu1 is a CPU the kernel manages, not yet online.
const char* test_reject_offline_cpu_resched() {
  CpuStats& me = this_cpu().stats;
  const std::uint64_t before = count(me.ipis_requested);
  const std::uint32_t offline = 1;
  if (cpu_is_online(offline)) return fail("cpu%u is online already", offline);
  if (const IpiError e = ipi_send(offline, IpiReason::Resched); e != IpiError::Offline) {
    return fail("cpu%u: %s, expected refusal as offline", offline, ipi_error_name(e));
  }
  if (task_create_on("offline", QosClass::Normal, ipi_probe_task, nullptr, offline)) {
    return fail("a task was queued on offline cpu%u", offline);
  }
  if (count(me.ipis_requested) != before) return fail("a refused request was counted");
  Task* t = task_create_blocked(
      "offline-pin", QosClass::Normal, [](void*) {}, nullptr);
  if (!t) return fail("no task slot");
  const bool pinned = task_pin(t, offline);
  task_wake(t);  // runs here and exits, pinned or not
  if (pinned) return fail("a task was pinned to offline cpu%u", offline);
  if (!wait_quiescent(kSelftestWaitTicks)) return fail("the unpinned task did not finish");
  return nullptr;
}

// ---- work stealing --------------------------------------------------------------------------
constexpr std::uint32_t kStealTasks = 48;
constexpr std::uint64_t kSpinMicros = 2000;  // long enough that cpu0 alone cannot finish first

struct StealProbe {
  std::atomic<std::uint32_t> runs[kStealTasks];
  std::atomic<std::uint32_t> ran_on[kStealTasks];
  std::atomic<std::uint32_t> done{0};
};
StealProbe g_steal;

void spin_and_record(void* arg) {
  const auto i = reinterpret_cast<std::uintptr_t>(arg);
  g_steal.runs[i].fetch_add(1, std::memory_order_relaxed);
  g_steal.ran_on[i].store(cpu_current_id(), std::memory_order_relaxed);
  const std::uint64_t until = arch::time_now() + boot_tree().timebase_hz / 1'000'000 * kSpinMicros;
  while (arch::time_now() < until) arch::cpu_relax();
  g_steal.done.fetch_add(1, std::memory_order_release);  // release: the records before the count
}

const char* test_work_stealing() {
  std::uint64_t stolen_before = 0;
  for (std::uint32_t id = 0; id < cpu_count(); ++id)
    stolen_before += count(g_cpus[id].stats.stolen);
  g_steal.done.store(0, std::memory_order_relaxed);  // relaxed: no task exists yet
  for (auto& r : g_steal.runs) r.store(0, std::memory_order_relaxed);
  for (std::uintptr_t i = 0; i < kStealTasks; ++i) {
    if (!task_create("steal-me", QosClass::Normal, spin_and_record, reinterpret_cast<void*>(i))) {
      return fail("no task slot");
    }
  }
  if (!wait_for_count(g_steal.done, kStealTasks, kSelftestWaitTicks))
    return fail("%u of %u finished", g_steal.done.load(), kStealTasks);
  std::uint32_t elsewhere = 0;
  for (std::uint32_t i = 0; i < kStealTasks; ++i) {
    const std::uint32_t runs = g_steal.runs[i].load(std::memory_order_relaxed);
    if (runs != 1) return fail("task %u ran %u times", i, runs);
    if (g_steal.ran_on[i].load(std::memory_order_relaxed) != 0) ++elsewhere;
  }
  std::uint64_t stolen_after = 0;
  for (std::uint32_t id = 0; id < cpu_count(); ++id) stolen_after += count(g_cpus[id].stats.stolen);
  if (elsewhere == 0) return fail("all %u tasks ran on cpu0", kStealTasks);
  if (stolen_after - stolen_before < elsewhere) {
    return fail("%u ran elsewhere but only %lu steals were counted", elsewhere,
                stolen_after - stolen_before);
  }
  return nullptr;
}

// ---- steal bounds, on a private queue set (no other CPU can see it) -------------------------
// The scheduler steals only through steal_from(); these tests hold it to its bound and its class
// limit on a queue set of their own, pushed and popped as its owner.
RunQueues g_private;
std::atomic<std::uint32_t> g_private_done{0};

void count_done(void*) { g_private_done.fetch_add(1, std::memory_order_release); }

// Creates a blocked task of class q (pinned to this CPU if asked) and pushes it on the private set.
Task* queue_private(QosClass q, bool pinned = false) {
  Task* t = task_create_blocked("private", q, count_done, nullptr);
  if (!t) return nullptr;
  if (pinned && !task_pin(t, cpu_current_id())) return nullptr;
  (void)g_private.push(t);
  return t;
}

// Empties the private set and lets every task run to its end. Returns how many were still queued,
// or -1 if they did not all finish.
int release_private(Task** made, std::uint32_t n) {
  int queued = 0;
  while (g_private.pop(QosClass::Idle)) ++queued;
  g_private_done.store(0, std::memory_order_relaxed);  // relaxed: none of them runs yet
  for (std::uint32_t i = 0; i < n; ++i) task_wake(made[i]);
  return wait_for_count(g_private_done, n, kSelftestWaitTicks) ? queued : -1;
}

const char* test_reject_steal_above_bound() {
  constexpr std::uint32_t kQueued = 5;
  Task* made[kQueued];
  for (Task*& t : made) {
    if (!(t = queue_private(QosClass::Normal))) return fail("no task slot");
  }
  // Two bounds: what the caller asks for, and half the queue (rounded up; the owner keeps the
  // newer half). 5 queued, asking for 2: the request binds. 3 left, asking for 8: half binds.
  Task* out[8] = {};
  const std::size_t asked = steal_from(g_private, QosClass::Idle, out, 2);
  const std::size_t halved = steal_from(g_private, QosClass::Idle, out + asked, 8);
  const int left = release_private(made, kQueued);
  if (left < 0) return fail("released tasks did not finish");
  if (asked != 2) return fail("a steal asking for 2 of 5 took %lu", asked);
  if (halved != 2) return fail("a steal asking for 8 of 3 took %lu, half is 2", halved);
  for (std::size_t i = 0; i < asked + halved; ++i) {
    if (out[i] != made[i]) return fail("stolen task %lu is not the %lu-th oldest", i, i);
  }
  if (static_cast<std::size_t>(left) != kQueued - asked - halved) {
    return fail("the queue lost tasks");
  }
  return nullptr;
}

const char* test_reject_steal_lower_qos() {
  // As a CPU running a Normal task pulls: classes above Normal only, never a pinned task.
  Task* made[4] = {queue_private(QosClass::PerfBurst, true), queue_private(QosClass::PerfBurst),
                   queue_private(QosClass::Interactive), queue_private(QosClass::Normal)};
  for (Task* t : made) {
    if (!t) return fail("no task slot");
  }
  Task* out[3] = {};
  std::size_t got = 0;
  for (Task*& o : out) got += steal_from(g_private, QosClass::Interactive, &o, 1);
  const int left = release_private(made, 4);
  if (left < 0) return fail("released tasks did not finish");
  if (got != 2 || out[0] != made[1] || out[1] != made[2]) {
    return fail("pulls above Normal took %lu tasks, the first %s", got,
                out[0] ? qos_name(out[0]->qos) : "none");
  }
  if (left != 2) return fail("%d tasks left, expected the pinned and the Normal one", left);
  return nullptr;
}

// ---- scheduler stress across CPUs -----------------------------------------------------------
// Pairs of tasks pass a turn back and forth by block/wake; each turn also yields, and every third
// sleeps a tick. Pairs span all four classes and, through stealing, several CPUs.
constexpr std::uint32_t kPairsPerWave = 200, kWaves = 5, kRounds = 6;

struct Pair {
  Task* side[2];
  std::atomic<std::uint32_t> turn;
  std::atomic<std::uint32_t> runs[2];
};
Pair g_pairs[kPairsPerWave];
std::atomic<std::uint32_t> g_stress_done{0};

void pair_side(Pair& p, std::uint32_t me) {
  p.runs[me].fetch_add(1, std::memory_order_relaxed);
  for (std::uint32_t r = 0; r < kRounds; ++r) {
    // acquire: pairs with the partner's release increment: its turn is over before ours starts.
    while ((p.turn.load(std::memory_order_acquire) & 1) != me) task_block();
    task_yield();
    if (r % 3 == 2) task_sleep(1);
    p.turn.fetch_add(1, std::memory_order_release);
    task_wake(p.side[me ^ 1]);
  }
  g_stress_done.fetch_add(1, std::memory_order_release);  // release: runs[] before the count
}

void side0(void* arg) { pair_side(*static_cast<Pair*>(arg), 0); }
void side1(void* arg) { pair_side(*static_cast<Pair*>(arg), 1); }

const char* test_sched_stress() {
  // Tasks of earlier tests may still be on their way to being reaped: count from a quiet start.
  if (!wait_quiescent(kSelftestWaitTicks)) return fail("tasks of earlier tests still alive");
  const TaskCounters before = task_counters();
  for (std::uint32_t wave = 0; wave < kWaves; ++wave) {
    g_stress_done.store(0, std::memory_order_relaxed);  // relaxed: no worker exists yet
    for (std::uint32_t i = 0; i < kPairsPerWave; ++i) {
      Pair& p = g_pairs[i];
      p.turn.store(0, std::memory_order_relaxed);
      p.runs[0].store(0, std::memory_order_relaxed);
      p.runs[1].store(0, std::memory_order_relaxed);
      const auto q = static_cast<QosClass>((wave + i) % kQosCount);
      p.side[0] = task_create_blocked("pair0", q, side0, &p);
      p.side[1] = task_create_blocked("pair1", q, side1, &p);
      if (!p.side[0] || !p.side[1]) return fail("no task slot in wave %u", wave);
    }
    for (Pair& p : g_pairs) {
      task_wake(p.side[0]);
      task_wake(p.side[1]);
    }
    if (!wait_for_count(g_stress_done, 2 * kPairsPerWave, kSelftestWaitTicks)) {
      return fail("wave %u: %u of %u tasks finished", wave, g_stress_done.load(),
                  2 * kPairsPerWave);
    }
    for (std::uint32_t i = 0; i < kPairsPerWave; ++i) {
      const Pair& p = g_pairs[i];
      if (p.turn.load(std::memory_order_relaxed) != 2 * kRounds)
        return fail("pair %u lost a turn", i);
      if (p.runs[0].load(std::memory_order_relaxed) != 1 ||
          p.runs[1].load(std::memory_order_relaxed) != 1) {
        return fail("wave %u pair %u: a task ran more than once", wave, i);
      }
    }
  }
  if (!wait_quiescent(kSelftestWaitTicks))
    return fail("stress tasks still alive after the last wave");
  const TaskCounters after = task_counters();
  const std::uint64_t made = 2ull * kPairsPerWave * kWaves;
  if (after.created - before.created != made)
    return fail("created %lu", after.created - before.created);
  if (after.started - before.started != made)
    return fail("started %lu of %lu", after.started - before.started, made);
  if (after.reaped - before.reaped != made)
    return fail("reaped %lu of %lu", after.reaped - before.reaped, made);
  return nullptr;
}

const Selftest kSmp[] = {
    {"smp_online", "smp online", test_smp_online},
    {"ipi_counterfactual", "ipi counterfactual", test_ipi_counterfactual},
    {"ipi_resched", "ipi resched", test_ipi_resched},
    {"inbox_ipi_once", "inbox ipi once", test_inbox_ipi_once},
    {"ipi_broadcast", "ipi broadcast", test_ipi_broadcast},
    {"test_reject_invalid_ipi_target_cpu", "test_reject_invalid_ipi_target_cpu",
     test_reject_invalid_ipi_target_cpu},
    {"work_stealing", "work stealing", test_work_stealing},
    {"test_reject_steal_above_bound", "test_reject_steal_above_bound",
     test_reject_steal_above_bound},
    {"test_reject_steal_lower_qos", "test_reject_steal_lower_qos", test_reject_steal_lower_qos},
    {"sched_stress", "sched stress", test_sched_stress},
};

}  // namespace

const Selftest kBeforeSmp[] = {
    {"test_reject_offline_cpu_resched", "test_reject_offline_cpu_resched",
     test_reject_offline_cpu_resched},
};

const SelftestTable kSmpSelftests = {kSmp, sizeof kSmp / sizeof kSmp[0]};
const SelftestTable kBeforeSmpSelftests = {kBeforeSmp, sizeof kBeforeSmp / sizeof kBeforeSmp[0]};

}  // namespace neuron
