#include "scheduler.h"

#include "arch.h"
#include "ipi.h"
#include "mutant.h"
#include "panic.h"
#include "percpu.h"
#include "steal.h"
#include "trace.h"

namespace neuron {
namespace {

std::uint64_t g_tick_period = 0;  // timebase units per tick; set once at boot
std::uint64_t g_tick_origin = 0;  // time of tick 0, common to all CPUs so their counts agree

// CPUs in their idle loop that have not been kicked yet: a bit per CPU.
AtomicCpuMask g_idle_mask;

// Test hook for the wake-latency selftest: a task to hand to the arming CPU, inbox and IPI, at
// the start of that CPU's next wake (see sched_arm_wake_window).
struct WakeWindow {
  std::atomic<Task*> task{nullptr};
  std::atomic<std::uint32_t> cpu{0};
};
WakeWindow g_wake_window;

void send_resched(const Cpu& target, IpiDelivery delivery = IpiDelivery::Send) {
  if (const IpiError e = ipi_send(target.id, IpiReason::Resched, delivery); e != IpiError::None) {
    panic("resched IPI to cpu%u failed: %s", target.id, ipi_error_name(e));
  }
}

// A task this CPU will not run next, for another CPU to take (sched_send_owed_ipis sends for it).
// With one CPU nobody can take it, and nothing is owed.
void offer(Cpu& cpu, std::size_t qos) {
  if (cpu_count() > 1) cpu.owed.offer(qos);
}

// Some CPU has stealable work that no CPU has claimed: wake one idle CPU so it can steal.
// Returns false when no CPU was idle.
bool kick_idle_cpu(const Cpu& self) {
  // seq_cst fence: StoreLoad between the push that made the work visible and the read of the idle
  // mask (and, in ask_to_pull, of the CPUs' classes). Pairs with the fences in idle_loop and
  // schedule(): either we see the idler's bit (or the CPU's lower class), or it sees our work.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  // Claim the kick, so a burst sends one IPI per idler. release: the idler that finds its bit
  // gone (withdraw, acquire) then sees the work published before this, on RVWMO too.
  auto kick = [&](std::uint32_t id) {
    if (id == self.id || !g_idle_mask.take(id, std::memory_order_release)) return false;
    if (mutant::strikes(mutant::Kind::DropKick)) return true;  // claimed, never sent
    send_resched(g_cpus[id]);
    return true;
  };
  // From the CPU after this one round to the one before it, so that kicks spread over the idlers.
  // relaxed: fenced above. (This CPU's own bit is not set while it runs code that sends.)
  return g_idle_mask.find_round(self.id + 1, cpu_count(), std::memory_order_relaxed, kick);
}

// No idle CPU for a task of class `qos` that this CPU will not run next: strict priority across
// CPUs asks the CPU whose next place holds the lowest class below it to pull it (schedule()
// takes remote work of a class above what it would run). One request per CPU until it looks.
// Called right after kick_idle_cpu, whose fence orders the reads of place_qos.
bool ask_to_pull(const Cpu& self, std::size_t qos) {
  // Each lost exchange means another CPU asked meanwhile: at most one round per CPU is useful.
  for (std::uint32_t round = 0; round < cpu_count(); ++round) {
    Cpu* target = nullptr;
    std::size_t lowest = qos;
    for (std::uint32_t id = 0; id < cpu_count(); ++id) {
      Cpu& c = g_cpus[id];
      // relaxed: hints; a stale one costs an IPI that finds nothing (passed on, see schedule()),
      // or is mended by the look every CPU takes after it publishes a lower class.
      const std::size_t q = c.place_qos.load(std::memory_order_relaxed);
      // An idle CPU (kQosCount) is not asked: one in the idle mask was kicked instead; one out
      // of it was kicked already, or looks for work on its way into or out of its idle loop.
      if (&c != &self && q > lowest && q != kQosCount && cpu_is_online(id) &&
          c.pull_asked.load(std::memory_order_relaxed) == 0) {
        target = &c;
        lowest = q;
      }
    }
    if (!target) return false;
    // relaxed: the IPI carries the request. A CPU whose flag is set is skipped safely: it has a
    // request pending, so it takes its fenced look (schedule()) after our push, and sees it.
    // Lost to another CPU asking the same one: that request is its own, so look for the next.
    if (target->pull_asked.exchange(1, std::memory_order_relaxed) == 0) {
      if (const IpiError e = ipi_send(target->id, IpiReason::Pull); e != IpiError::None) {
        panic("pull IPI to cpu%u failed: %s", target->id, ipi_error_name(e));
      }
      return true;
    }
  }
  return false;  // every CPU was asked meanwhile: each of them looks again before it runs on
}

// Publishes what this CPU runs next, then looks for a class above it queued elsewhere. seq_cst
// fence: pairs with the one in kick_idle_cpu. Either a CPU that queued such a task sees this
// CPU's class (and asks it to pull), or this CPU sees that task and switches again at once.
void publish_and_look(Cpu& cpu, const Task& next) {
  cpu.set_next(NextUp::running(next));
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (next.qos != QosClass::PerfBurst &&
      steal_candidates(cpu, static_cast<QosClass>(qos_index(next.qos) - 1))) {
    cpu.need_resched = true;
  }
}

// A kick or a pull request that this CPU's look did not use up (the work went to another thief,
// or this CPU's own class rose meanwhile): offer what is still stealable on, so it is not lost.
void pass_on(Cpu& cpu) {
  if (const std::size_t q = highest_stealable(cpu); q != kQosCount) offer(cpu, q);
}

bool has_local_work(Cpu& cpu) { return !cpu.inbox.empty() || cpu.rq.has_work(); }

// Tick bookkeeping from the clock itself: ticks = whole periods since the origin.
void sync_tick(Cpu& cpu, std::uint64_t now) {
  cpu.ticks = (now - g_tick_origin) / g_tick_period;
  cpu.next_deadline = g_tick_origin + (cpu.ticks + 1) * g_tick_period;
}

void arm_tick(Cpu& cpu) {
  arch::timer_arm(cpu.next_deadline);
  cpu.tick_armed = true;
}

// A timer interrupt lost below the kernel would stop this CPU's tick for good. Seen with QEMU 7.2
// and OpenSBI 1.1 at 64 harts, 2 boots in 40: the first deadline armed after boot a second
// overdue, nothing pending, interrupts on; arming it again brought the interrupt at once. So
// whoever looks at the tick (its readers, and the idle loop before it waits for it) arms a
// deadline again if it has passed with no timer interrupt pending, and counts it. Interrupts off.
void rearm_if_overdue(Cpu& cpu) {
  if (!cpu.tick_armed || arch::time_now() < cpu.next_deadline || arch::timer_pending()) return;
  cpu.stats.add(cpu.stats.ticks_rearmed);
  arch::timer_arm(cpu.next_deadline);
}

// The sleep list is kept in deadline order (FIFO among equal deadlines), so a late tick that
// finds several deadlines passed still wakes them in order.
void add_sleeper(Cpu& cpu, Task* t) {
  Task** pp = &cpu.sleepers;
  while (*pp && (*pp)->wake_tick <= t->wake_tick) pp = &(*pp)->link;
  t->link = *pp;
  *pp = t;
}

void wake_sleepers(Cpu& cpu) {
  while (Task* t = cpu.sleepers) {
    if (t->wake_tick > cpu.ticks) break;
    cpu.sleepers = t->link;
    t->link = nullptr;
    sched::SpinGuard g(t->lock);
    t->state = TaskState::Runnable;
    trace(TraceKind::Runnable, trace_id(t), cpu.id);
    if (!t->on_cpu) sched_enqueue_local(t);  // else finish_switch queues it
  }
  sched_send_owed_ipis();
}

// Test hook: hands the armed task to this CPU the way another CPU would (inbox and resched IPI),
// so that an interrupt is pending from this point of a wake on.
void wake_window_hook(Cpu& cpu) {
  // acquire: pairs with the arming release, so `cpu` is the arming CPU's. One-shot.
  if (g_wake_window.task.load(std::memory_order_acquire) == nullptr ||
      g_wake_window.cpu.load(std::memory_order_relaxed) != cpu.id) {  // relaxed: ordered above
    return;
  }
  Task* h = g_wake_window.task.exchange(nullptr, std::memory_order_relaxed);
  if (!h) return;
  {
    sched::SpinGuard g(h->lock);
    if (h->state != TaskState::Blocked || h->on_cpu || h->pinned) panic("wake window: bad task");
    h->state = TaskState::Runnable;
    trace(TraceKind::Runnable, trace_id(h), cpu.id, static_cast<std::uint64_t>(TraceQueued::Inbox));
    h->cpu = &cpu;
    cpu.inbox.push(h);
  }
  send_resched(cpu);
}

void pick_and_switch(Cpu& cpu, Task* prev, bool prev_stays);

// The current task gives up the CPU in `state` (Runnable stays in rotation). Whether it stays
// is known here: no wake changes a Runnable task's state, and a Dead one is past waking.
void switch_away(TaskState state) {
  Cpu& cpu = this_cpu();
  Task* self = cpu.current;
  KASSERT(!self->is_idle);
  {
    sched::SpinGuard g(self->lock);
    self->state = state;
  }
  pick_and_switch(cpu, self, state == TaskState::Runnable);
}

}  // namespace

void sched_set_timebase(std::uint64_t hz) {
  g_tick_period = hz / config::kTickHz;
  if (g_tick_period == 0) panic("timebase %lu Hz is below the %lu Hz tick", hz, config::kTickHz);
  g_tick_origin = arch::time_now();
}

void sched_init_cpu(Cpu& cpu, std::uint32_t id, std::uint8_t* boot_stack) {
  cpu.id = id;
  task_init_idle(cpu.idle, "idle", &cpu, boot_stack);
  cpu.current = &cpu.idle;
  cpu.switched_in_at = arch::time_now();
  cpu.set_next(NextUp{});
  cpu.slice_left = config::kSliceTicks;
}

void sched_start_tick() {
  Cpu& cpu = this_cpu();
  sync_tick(cpu, arch::time_now());
  arm_tick(cpu);
}

std::uint64_t sched_ticks() {
  IrqSave irq;
  Cpu& cpu = this_cpu();
  rearm_if_overdue(cpu);
  return cpu.ticks;
}

std::uint64_t sched_tick_due(std::uint64_t tick) { return g_tick_origin + tick * g_tick_period; }

void sched_halt_until(std::uint64_t until) {
  KASSERT(!arch::irq_enabled());
  constexpr std::uint64_t kHaltsPerTick = 100;
  const Cpu& cpu = this_cpu();
  const std::uint64_t soon = arch::time_now() + g_tick_period / kHaltsPerTick;
  arch::timer_arm(soon < until ? soon : until);  // also clears a pending timer interrupt
  arch::wait_for_interrupt();
  // The tick's own deadline again; one that passed meanwhile fires once interrupts are back on.
  if (cpu.tick_armed) {
    arch::timer_arm(cpu.next_deadline);
  } else {
    arch::timer_disarm();
  }
}

void sched_enqueue(Task* t, Cpu& target, IpiDelivery delivery) {
  KASSERT(!arch::irq_enabled());
  if (&target == &this_cpu()) {
    sched_enqueue_local(t);
    return;
  }
  if (t->pinned && t->cpu != &target) {
    panic("task %s pinned to cpu%u sent to cpu%u", t->name, t->cpu->id, target.id);
  }
  t->cpu = &target;
  Cpu& cpu = this_cpu();
  cpu.stats.add(cpu.stats.inbox_pushes);
  // Only the push that found the inbox empty owes the IPI: the drain that its IPI causes takes
  // every task pushed behind it (sched/wake_list.h).
  const bool was_empty = target.inbox.push(t);
  if (delivery == IpiDelivery::Suppress) {
    send_resched(target, delivery);  // no firmware call: sets the reason and counts only
  } else if (was_empty) {
    cpu.owed.owe_resched(target.id);
  } else {
    cpu.stats.add(cpu.stats.inbox_pushes_coalesced);
  }
}

namespace {

// The highest class with an offer left (the mutant: the lowest).
std::size_t next_offered(const OwedIpis& owed) {
  if (mutant::strikes(mutant::Kind::OffersLowestFirst)) {
    for (std::size_t q = kQosCount; q-- > 0;) {
      if (owed.classes & 1u << q) return q;
    }
  }
  return owed.first_offered();
}

// The slow part of sched_send_owed_ipis, out of line: most calls owe nothing.
[[gnu::noinline]] void send_owed(Cpu& cpu) {
  if (cpu.owed.classes & OwedIpis::kReschedOwed) {
    // One firmware call per window of harts (ipi_send_many), however many inboxes got a task.
    if (const IpiError e = ipi_send_many(cpu.owed.resched, IpiReason::Resched);
        e != IpiError::None) {
      panic("resched IPIs failed: %s", ipi_error_name(e));
    }
    cpu.owed.resched_sent(cpu_count());
  }
  // Each task offered goes to an idle CPU, or else to a CPU running a class below its own,
  // highest class first. Once no CPU is idle, the rest are pull requests; once no CPU runs a
  // class below q, none runs one below a lower class either: the rest are dropped (each stays
  // queued here, in reach of every CPU that looks for work).
  bool idlers = true, takers = true;
  for (std::size_t q; (q = next_offered(cpu.owed)) != kQosCount;) {
    while (cpu.owed.take_offer(q)) {
      if (!takers) continue;
      idlers = idlers && kick_idle_cpu(cpu);
      takers = idlers || ask_to_pull(cpu, q);
    }
  }
}

}  // namespace

void sched_send_owed_ipis() {
  KASSERT(!arch::irq_enabled());
  Cpu& cpu = this_cpu();
  if (!cpu.owed.empty()) send_owed(cpu);
}

void sched_enqueue_local(Task* t, bool at_head) {
  KASSERT(!arch::irq_enabled());
  Cpu& cpu = this_cpu();
  if (t->pinned && t->cpu != &cpu) {
    panic("task %s pinned to cpu%u queued on cpu%u", t->name, t->cpu->id, cpu.id);
  }
  t->cpu = &cpu;
  if (!t->pinned && cpu_count() > 1) steal_mark(cpu, qos_index(t->qos));  // before the push
  if (!(at_head ? cpu.rq.push_head(t) : cpu.rq.push(t))) {
    cpu.stats.add(cpu.stats.spilled);
    trace(TraceKind::Spill, trace_id(t));
  }
  // Work conservation: a task this CPU will not run next is offered to an idle CPU at once.
  // Strict priority: one that outranks what runs next here takes its place (preempting the
  // current task at the next chance); a queued task it displaces is offered instead, and a
  // current task it preempts is offered when finish_switch queues it again.
  const NextUp& next = cpu.next;
  if (qos_index(t->qos) < next.qos) {
    if (next.offerable) offer(cpu, next.qos);
    cpu.set_next(NextUp::claimed_by(*t));
    if (!cpu.current->is_idle) cpu.need_resched = true;  // an idle CPU looks in its own loop
  } else if (!t->pinned) {
    offer(cpu, qos_index(t->qos));
  }
}

void sched_drain_inbox(Cpu& cpu) {
  KASSERT(!arch::irq_enabled());
  std::uint32_t drained = 0;
  for (Task* t = cpu.inbox.take_all(); t;) {
    Task* const queued = t;
    t = t->link;  // read first: once queued, the task is in reach of thieves
    sched::SpinGuard g(queued->lock);
    sched_enqueue_local(queued);
    ++drained;
  }
  if (drained) {
    cpu.stats.add(cpu.stats.inbox_drains);
    trace(TraceKind::Drain, kTraceNoTask, drained);
  }
  sched_send_owed_ipis();
}

void schedule() {
  KASSERT(!arch::irq_enabled());
  Cpu& cpu = this_cpu();
  Task* prev = cpu.current;
  bool prev_stays;
  {
    // A blocking or sleeping task made Runnable again by a wake since it set its state stays.
    sched::SpinGuard g(prev->lock);
    prev_stays = prev->state == TaskState::Runnable && !prev->is_idle;
  }
  pick_and_switch(cpu, prev, prev_stays);
}

namespace {

// schedule() once prev's fate is known: picks what runs next and switches to it.
void pick_and_switch(Cpu& cpu, Task* prev, bool prev_stays) {
  KASSERT(!arch::irq_enabled());
  KASSERT(cpu.owed.empty());  // every path that queued a task sent what it owed
  task_check_stack(prev);
  // A queued task that claimed the place before this point: it competes below like any other.
  const NextUp held = cpu.next;
  // The inbox first: what it queues competes below, and may not preempt later. A prev that
  // leaves holds no place: the first task drained claims it, as on an idle CPU.
  cpu.set_next(prev_stays ? NextUp::running(*prev) : NextUp{});
  // relaxed: a request made before this point is served by the look below, or passed on. The
  // load spares the write when nobody asked (a request after it is seen by the next look).
  const bool asked = cpu.pull_asked.load(std::memory_order_relaxed) != 0 &&
                     cpu.pull_asked.exchange(0, std::memory_order_relaxed) != 0;
  // seq_cst fence: pairs with the one in kick_idle_cpu. Either a CPU that queues a task of a
  // class above prev's after our look below sees prev's class published (and asks us to pull),
  // or our look sees that task.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (!cpu.inbox.empty()) sched_drain_inbox(cpu);  // a stale look: the push's IPI drains it
  cpu.need_resched = false;                        // decided here, from everything queued up to now
  const NextUp claimed = cpu.next;
  // Strict priority across CPUs: what this CPU would run (a runnable prev, or its highest local
  // class) yields to a class above it queued on another CPU, which it pulls first; a CPU that
  // would otherwise go idle steals any class. Then its own queues: down to prev's class after
  // its turn ended (SCHED_RR: the next of its class goes first), else only classes above it (a
  // reschedule that finds no higher class leaves it running with the rest of its slice).
  // The pops start at the highest class queued here: only this CPU pushes to its queues, so the
  // classes above it stay empty.
  const std::size_t top = cpu.rq.highest_class();
  std::size_t floor = top;
  if (prev_stays && qos_index(prev->qos) < floor) floor = qos_index(prev->qos);
  Task* next = floor > 0 ? steal_task(cpu, static_cast<QosClass>(floor - 1)) : nullptr;
  if (!next && !prev_stays) next = cpu.rq.pop(QosClass::Idle, top);
  if (!next && prev_stays && cpu.slice_left == 0) next = cpu.rq.pop(prev->qos, top);
  if (!next && prev_stays && prev->qos != QosClass::PerfBurst) {
    next = cpu.rq.pop(static_cast<QosClass>(qos_index(prev->qos) - 1), top);
  }
  if (cpu.stealable_marked != 0) steal_unmark_drained(cpu);  // thieves may have emptied more
  if (!next && prev->is_idle) {
    cpu.kicked = false;
    cpu.set_next(NextUp{});  // its loop looks again, behind its own fence
    return;
  }
  if (!next && prev_stays) {
    cpu.kicked = false;
    {
      sched::SpinGuard g(prev->lock);
      prev->state = TaskState::Running;
    }
    // A fresh slice after a yield or the slice's end; a preempted prev that keeps the CPU
    // goes on with what it had left.
    if (cpu.slice_left == 0) cpu.slice_left = config::kSliceTicks;
    // A claimant above prev's class was taken by a thief (the pops above would have found it).
    // One at or below it is a task_wake_and_block's wakee, still queued: a wake made prev
    // Runnable again before this point, and prev keeps the CPU. It is offered now.
    if (held.offerable && held.qos >= qos_index(prev->qos)) offer(cpu, held.qos);
    publish_and_look(cpu, *prev);  // the class published may drop from the claimant's to prev's
    if (asked && !cpu.need_resched) pass_on(cpu);
    sched_send_owed_ipis();
    return;
  }
  if (!next) next = &cpu.idle;
  {
    sched::SpinGuard g(next->lock);
    if (next->pinned && next->cpu != &cpu) {
      panic("task %s pinned to cpu%u picked by cpu%u", next->name, next->cpu->id, cpu.id);
    }
    next->state = TaskState::Running;
    next->on_cpu = true;
    next->cpu = &cpu;
    // SCHED_RR: a task preempted by a higher class resumes with the rest of its slice.
    cpu.switched_out_slice = prev_stays ? cpu.slice_left : 0;  // 0 after a yield or slice end
    cpu.slice_left = next->slice_left ? next->slice_left : config::kSliceTicks;
    next->slice_left = 0;
  }
  // A queued task that claimed the place but lost it (to an older one popped first, or to
  // remote work of a higher class) is offered now.
  if (held.offerable && held.claimant != next) offer(cpu, held.qos);
  if (claimed.offerable && claimed.claimant != next && claimed.claimant != held.claimant) {
    offer(cpu, claimed.qos);
  }
  publish_and_look(cpu, *next);  // a higher class found: switches again as soon as next runs
  if (((prev->is_idle && cpu.kicked) || asked) && !cpu.need_resched) pass_on(cpu);
  cpu.kicked = false;
  sched_send_owed_ipis();
  if (trace_on()) {
    // Why prev left, read under its lock: a wake that made it Runnable since is recorded
    // (Runnable) before this or after, and trace.py accepts both orders.
    sched::SpinGuard g(prev->lock);
    trace(TraceKind::Switch, trace_id(next), trace_id(prev),
          static_cast<std::uint64_t>(prev->state) | qos_index(next->qos) << 8);
  }
  const std::uint64_t now = arch::time_now();
  prev->cpu_time += now - cpu.switched_in_at;
  cpu.switched_in_at = now;
  cpu.current = next;
  cpu.switched_out = prev;
  cpu.stats.add(cpu.stats.ran);
  arch::context_switch(&prev->ctx, &next->ctx);
  // Back on prev's stack, possibly on another CPU: finish_switch re-reads everything per-CPU.
  finish_switch();
}

}  // namespace

void finish_switch() {
  KASSERT(!arch::irq_enabled());
  Cpu& cpu = this_cpu();
  Task* prev = cpu.switched_out;
  cpu.switched_out = nullptr;
  if (!prev || prev->is_idle) return;
  bool reap = false;
  {
    sched::SpinGuard g(prev->lock);
    prev->on_cpu = false;
    if (prev->state == TaskState::Runnable) {
      // Preempted with slice left: the head of its class, to resume with it. (Runnable again
      // after a block, by a wake while it switched away: a new turn, at the tail.)
      prev->slice_left = cpu.switched_out_slice;
      sched_enqueue_local(prev, prev->slice_left != 0);
    }
    reap = prev->state == TaskState::Dead;
  }
  sched_send_owed_ipis();
  if (reap) task_reap(prev);
  // prev, woken while it was switching away, may outrank the task now running: need_resched is
  // then set, and acted on where that task's interrupts come back on (preempt_on_irq_enable).
}

void preempt_on_irq_enable() {
  if (mutant::strikes(mutant::Kind::SkipIrqSavePreempt)) return;
  // Raw save and restore: an IrqSave here would call back into this function.
  const arch::IrqState s = arch::irq_save();
  // Re-read after each switch: the task may resume on another CPU, and finish_switch may have
  // asked for the next switch (a task woken while switching away).
  while (this_cpu().need_resched && !this_cpu().current->is_idle) {
    switch_away(TaskState::Runnable);
  }
  arch::irq_restore(s);
}

void sched_arm_wake_window(Task* t) {
  IrqSave irq;  // both fields from one CPU, with no migration in between
  g_wake_window.cpu.store(cpu_current_id(), std::memory_order_relaxed);  // relaxed: see below
  g_wake_window.task.store(t, std::memory_order_release);  // release: publishes `cpu` with it
}

[[noreturn]] void idle_loop() {
  for (;;) {
    (void)arch::irq_save();  // re-enabled at the bottom of the loop
    Cpu& cpu = this_cpu();
    g_idle_mask.set(cpu.id, std::memory_order_relaxed);  // relaxed: ordered by the fence below
    // seq_cst fence: pairs with kick_idle_cpu(): either a CPU that queues work after this point
    // sees our bit and kicks us, or we see its work in the checks below.
    std::atomic_thread_fence(std::memory_order_seq_cst);
    // Our bit gone when we take it back: another CPU claimed us to steal (a kick is on its way).
    // acquire: pairs with the claimer's release, so the pass-on check in schedule() sees the work
    // the kick was sent for.
    auto withdraw = [&] {
      if (!g_idle_mask.take(cpu.id, std::memory_order_acquire)) cpu.kicked = true;
    };
    if (has_local_work(cpu) || steal_candidates(cpu)) {
      withdraw();
      schedule();
    } else {
      // Interrupts stay off from the checks to wfi: a wake-up in between stays pending and ends
      // the wfi at once instead of being lost. With nothing asleep here the tick is silenced, so
      // only an IPI (or a device) wakes this CPU.
      KASSERT(cpu.owed.empty());  // nothing this CPU decided may wait behind its wfi
      cpu.kicked = false;         // any earlier kick found nothing to do
      cpu.set_next(NextUp{});     // a task that claimed this CPU was taken by another meanwhile
      const bool quiet = cpu.sleepers == nullptr;
      if (quiet) {
        arch::timer_disarm();
        cpu.tick_armed = false;
      } else {
        rearm_if_overdue(cpu);  // its sleepers wait for this tick
      }
      cpu.parked.store(quiet, std::memory_order_relaxed);  // relaxed: observed by tests only
      trace(TraceKind::IdleEnter, kTraceNoTask);
      arch::wait_for_interrupt();
      trace(TraceKind::IdleExit, kTraceNoTask);
      cpu.parked.store(false, std::memory_order_relaxed);
      withdraw();
      if (quiet) sched_start_tick();
    }
    arch::irq_enable();  // take whatever woke us
  }
}

// ---- task state transitions that need the scheduler ---------------------------------------

Task* task_current() { return this_cpu().current; }

void task_yield() {
  IrqSave irq;
  this_cpu().slice_left = 0;  // what it gives up: its turn goes to the tail of its class
  switch_away(TaskState::Runnable);
}

void task_sleep(std::uint64_t ticks) {
  IrqSave irq;
  Cpu& cpu = this_cpu();
  Task* self = cpu.current;
  {
    sched::SpinGuard g(self->lock);
    self->wake_tick = cpu.ticks + (ticks ? ticks : 1);
    self->state = TaskState::Sleeping;
  }
  add_sleeper(cpu, self);
  schedule();
}

void task_block() {
  IrqSave irq;
  Task* self = this_cpu().current;
  {
    sched::SpinGuard g(self->lock);
    if (self->wake_pending) {
      self->wake_pending = false;
      return;
    }
    self->state = TaskState::Blocked;
  }
  schedule();
}

namespace {

// The wake itself, interrupts off; `here` (a sync wake): this CPU instead of where t last ran.
void wake(Task* t, Cpu& cpu, bool here) {
  sched::SpinGuard g(t->lock);
  switch (t->state) {
    case TaskState::Blocked: {
      t->state = TaskState::Runnable;
      // Where it last ran (or is pinned), or here for a sync wake of a task free to move. A task
      // still switching away (on_cpu) is queued by its own CPU in finish_switch.
      Cpu& target = t->on_cpu ? *t->cpu : here && !t->pinned ? cpu : t->cpu ? *t->cpu : cpu;
      const bool inbox = &target != &cpu && !t->on_cpu;
      trace(TraceKind::Runnable, trace_id(t), target.id,
            static_cast<std::uint64_t>(inbox ? TraceQueued::Inbox : TraceQueued::Local));
      if (!t->on_cpu) sched_enqueue(t, target);
      break;
    }
    case TaskState::Running:
    case TaskState::Runnable:
    case TaskState::Sleeping:
      t->wake_pending = true;  // its next task_block returns at once
      break;
    case TaskState::Free:
    case TaskState::Dead: break;  // nothing left to wake
  }
}

}  // namespace

void task_wake(Task* t) {
  // Interrupts stay off from the state change to the enqueue and its IPI: an interrupt taken in
  // between could reschedule this CPU while the task is Runnable but in no queue. The IPI goes
  // out after the task's lock is let go: the CPU it wakes takes that lock first.
  IrqSave irq;  // its end is a preemption point: a woken task that outranks us runs then
  Cpu& cpu = this_cpu();
  wake_window_hook(cpu);
  wake(t, cpu, false);
  sched_send_owed_ipis();
}

void task_wake_many(Task* const* tasks, std::size_t n) {
  IrqSave irq;  // as in task_wake
  Cpu& cpu = this_cpu();
  for (std::size_t i = 0; i < n; ++i) wake(tasks[i], cpu, false);
  sched_send_owed_ipis();
}

void task_wake_and_block(Task* t) {
  IrqSave irq;
  Cpu& cpu = this_cpu();
  Task* self = cpu.current;
  bool blocks;
  {
    sched::SpinGuard g(self->lock);
    // Waking itself: the wake is remembered and the block takes it, as with the two calls.
    blocks = !self->wake_pending && t != self;
    self->wake_pending = false;
    if (blocks) self->state = TaskState::Blocked;
  }
  if (t == self) return;
  // The place the caller holds is free from here: t claims it, as on an idle CPU, unless a
  // queued task of a higher class already did.
  if (blocks && cpu.next.claimant == nullptr) cpu.set_next(NextUp{});
  wake(t, cpu, blocks);
  sched_send_owed_ipis();
  if (blocks) schedule();
}

std::uint64_t task_cpu_time(const Task* t) {
  IrqSave irq;  // current and its switch-in time from one CPU
  const Cpu& cpu = this_cpu();
  return t->cpu_time + (t == cpu.current ? arch::time_now() - cpu.switched_in_at : 0);
}

bool task_pin(Task* t, std::uint32_t cpu) {
  if (!cpu_is_online(cpu)) return false;
  IrqSave irq;
  sched::SpinGuard g(t->lock);
  if (t->state != TaskState::Blocked || t->runs.load(std::memory_order_relaxed) != 0) {
    panic("task %s pinned after it started", t->name);  // relaxed: the task never ran
  }
  t->cpu = &g_cpus[cpu];
  t->pinned = true;
  trace(TraceKind::Pin, trace_id(t), cpu);
  return true;
}

void task_exit() {
  (void)arch::irq_save();  // never restored: this context ends here
  Task* self = this_cpu().current;
  trace(TraceKind::Exit, trace_id(self));
  task_note_exited(self);
  switch_away(TaskState::Dead);
  panic("dead task %s was scheduled again", self->name);
}

// ---- interrupt hooks ---------------------------------------------------------------------

namespace kernel {

void handle_timer_irq() {
  KASSERT(!arch::irq_enabled());
  Cpu& cpu = this_cpu();
  // Deadlines are whole periods after the common origin: no drift with handler latency, and a
  // late handler counts every deadline that passed.
  sync_tick(cpu, arch::time_now());
  arm_tick(cpu);
  trace(TraceKind::Tick, kTraceNoTask, static_cast<std::uint32_t>(cpu.ticks));

  wake_sleepers(cpu);
  if (cpu.current->is_idle) {
    cpu.stats.add(cpu.stats.idle_ticks);
    return;
  }
  task_check_stack(cpu.current);
  if (cpu.slice_left > 0) --cpu.slice_left;
  if (cpu.slice_left == 0) cpu.need_resched = true;
}

void irq_exit() {
  // The idle context reschedules in its own loop. Re-read after each switch, as in
  // preempt_on_irq_enable: the trap returns to whichever task is current then.
  while (this_cpu().need_resched && !this_cpu().current->is_idle) {
    switch_away(TaskState::Runnable);
  }
}

}  // namespace kernel
}  // namespace neuron
