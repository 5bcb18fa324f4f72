// The per-CPU block: one per logical CPU, found through tp. Logical ids are dense from 0 (the boot
// hart is cpu0 whatever its hart id); the hart id lives here and nothing is indexed by it.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "arch.h"
#include "config.h"
#include "cpumask.h"
#include "runqueue_select.h"
#include "runqueues.h"
#include "task.h"

namespace neuron {

// Counters other CPUs read (tests, KSTAT): relaxed atomics, written by the owning CPU only.
struct CpuStats {
  using Counter = std::atomic<std::uint64_t>;
  Counter ran{0};                     // tasks switched in
  Counter stolen{0};                  // tasks this CPU took from another CPU's queues
  Counter steals{0};                  // ... in this many successful steals (a batch is one)
  Counter spilled{0};                 // unpinned pushes that went to a backlog (runqueue full)
  Counter inbox_pushes{0};            // tasks sched_enqueue handed to another CPU's inbox
  Counter inbox_pushes_coalesced{0};  // ... onto a non-empty inbox: no IPI owed (Send pushes)
  Counter inbox_drains{0};            // drains of this CPU's inbox that took a task or more
  Counter ipis_requested{0};          // IPIs this CPU asked for (valid target)
  Counter ipis_sent{0};               // ... that the SBI accepted
  Counter ipi_calls{0};               // firmware calls that sent them (one per window of harts)
  Counter ipis_recv{0};               // software-interrupt traps that delivered an IPI's reasons
  Counter ipis_acked{0};              // resched requests this CPU handled
  Counter idle_ticks{0};              // ticks that found this CPU idle
  Counter ticks_rearmed{0};           // deadlines found passed, nothing pending, and armed again
  void add(Counter& c, std::uint64_t n = 1) { c.fetch_add(n, std::memory_order_relaxed); }
};

// What a CPU runs next as things stand: the current task, or a queued task that outranks it and
// claimed the place. Each task queued on the CPU either takes that place or is offered to an
// idle CPU, so no task waits here unseen while another CPU idles.
// The claimant is only compared, never read through: a thief may take it, run it and free its
// slot meanwhile, so what the owner needs of it (may it be offered elsewhere?) is copied here
// when it claims the place, under its lock.
struct NextUp {
  std::size_t qos = kQosCount;     // its class index; kQosCount: nothing (the CPU is idle)
  const Task* claimant = nullptr;  // the queued task that took the place; nullptr: the current one
  bool offerable = false;          // the claimant may run elsewhere (it is not pinned)

  static NextUp running(const Task& t) { return t.is_idle ? NextUp{} : NextUp{qos_index(t.qos)}; }
  static NextUp claimed_by(const Task& t) { return NextUp{qos_index(t.qos), &t, !t.pinned}; }
};

// IPIs a CPU decided on while holding a task's lock, sent once it has let go: the CPU they wake
// would take that lock first, and a firmware call is slow to spin behind.
struct OwedIpis {
  CpuMask resched;  // CPUs whose inbox got a task
  // Tasks offered, by class index: for each, an idle CPU to wake so it steals, or else a CPU
  // running a lower class to ask to pull.
  std::uint32_t offers[kQosCount] = {};
  // Bit q set while offers[q] != 0, bit kReschedOwed while `resched` has a CPU: one word that
  // empty() reads at every switch, whatever the size of the mask.
  static constexpr std::uint32_t kReschedOwed = 1u << kQosCount;
  std::uint32_t classes = 0;
  bool empty() const { return classes == 0; }
  void owe_resched(std::uint32_t cpu) {
    resched.set(cpu);
    classes |= kReschedOwed;
  }
  // Once their IPIs are sent: `resched` holds no CPU at or past `limit` (cpu_count()).
  void resched_sent(std::uint32_t limit) {
    resched.reset(limit);
    classes &= ~kReschedOwed;
  }
  void offer(std::size_t qos) {
    ++offers[qos];
    classes |= 1u << qos;
  }
  // The highest class with an offer left (the lowest index), or kQosCount. A table, not ctz:
  // rv64gc has no count-trailing-zeros instruction, and the kernel no libgcc to call.
  std::size_t first_offered() const {
    static_assert(kQosCount == 4);
    constexpr std::uint8_t kFirst[16] = {4, 0, 1, 0, 2, 0, 1, 0, 3, 0, 1, 0, 2, 0, 1, 0};
    return kFirst[classes & 15];
  }
  bool take_offer(std::size_t qos) {
    if (offers[qos] == 0) return false;
    if (--offers[qos] == 0) classes &= ~(1u << qos);
    return true;
  }
};

struct Cpu {
  arch::CpuLocal arch;  // must stay first: tp points here and entry code reads it
  std::uint32_t id;

  // Owned by this CPU, touched with its interrupts off.
  Task* current;
  Task* switched_out;                // handed from schedule() to finish_switch() across the switch
  std::uint32_t switched_out_slice;  // ... with the slice it had left if preempted (else 0)
  std::uint64_t switched_in_at;      // when current was switched in (its CPU time since then)
  Task idle;                         // this CPU's boot context, run when nothing else is
  Task* sleepers;                    // intrusive list through Task::link
  std::uint64_t ticks;
  std::uint64_t next_deadline;
  bool tick_armed;  // next_deadline is armed (false while idle with the tick silenced)
  std::uint32_t slice_left;
  bool need_resched;  // switch at the next chance (checked at every trap exit)
  NextUp next;        // see NextUp; set through set_next(), which publishes its class
  OwedIpis owed;      // see OwedIpis
  bool kicked;        // another CPU claimed this idle CPU to steal: pass the kick on if unused
  std::uint32_t stealable_marked;  // classes whose bit this CPU holds in g_stealable (steal.h)

  // Shared with other CPUs.
  RunQueues rq;                            // owner: push/pop; other CPUs: steal
  TaskInbox inbox;                         // tasks other CPUs make runnable here
  std::atomic<std::uint32_t> ipi_reasons;  // IPI mailbox: a bit per reason
  std::atomic<bool> parked;                // about to wfi or in it (tests and KSTAT read it)
  // next.qos, for CPUs that look for one running a lower class than a task they cannot place
  // (kQosCount: idle). Written by the owner only.
  std::atomic<std::size_t> place_qos{kQosCount};
  // Another CPU asked this one to pull: one IPI until it looks. 32-bit: GCC calls a library
  // for 1-byte read-modify-writes.
  std::atomic<std::uint32_t> pull_asked{0};
  CpuStats stats;

  void set_next(const NextUp& n) {
    // Field by field: GCC 12 copies the whole struct a byte at a time here (-mstrict-align).
    next.qos = n.qos;
    next.claimant = n.claimant;
    next.offerable = n.offerable;
    // relaxed: the fences of the push/pull handshake (scheduler.cpp) order it.
    place_qos.store(n.qos, std::memory_order_relaxed);
  }
};
static_assert(offsetof(Cpu, arch) == 0);

extern Cpu g_cpus[config::kMaxCpus];

inline Cpu& this_cpu() { return *static_cast<Cpu*>(arch::cpu_pointer()); }
inline std::uint32_t cpu_current_id() { return this_cpu().id; }

// CPUs the kernel manages: the device tree's harts that the firmware can start, up to kMaxCpus or
// neuron.max_cpus (smp_map_cpus). Written once by the boot CPU before any secondary starts.
extern std::uint32_t g_cpu_count;
inline std::uint32_t cpu_count() { return g_cpu_count; }
void cpu_set_count(std::uint32_t n);
CpuMask cpu_online_mask();
bool cpu_is_online(std::uint32_t id);  // false for an id out of range
void cpu_set_online(std::uint32_t id);

}  // namespace neuron
