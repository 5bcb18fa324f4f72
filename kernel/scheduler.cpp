#include "scheduler.h"

#include "arch.h"
#include "ipi.h"
#include "irq.h"
#include "panic.h"
#include "percpu.h"
#include "steal.h"
#include "task_fifo.h"

namespace neuron {
namespace {

TaskFifo g_spill[kQosCount];      // behind full runqueues, shared by all CPUs
std::uint64_t g_tick_period = 0;  // timebase units per tick; set once at boot
std::uint64_t g_tick_origin = 0;  // time of tick 0, common to all CPUs so their counts agree

// CPUs in their idle loop that have not been kicked yet: a bit per CPU.
std::atomic<std::uint64_t> g_idle_mask{0};

// Some CPU has work it cannot run now: wake one idle CPU so it can steal.
void kick_idle_cpu(const Cpu& self) {
  // seq_cst fence: StoreLoad between the push that made the work visible and the read of the idle
  // mask. Pairs with the fence in idle_loop: either we see the idler's bit, or it sees our work.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  const std::uint64_t idle = g_idle_mask.load(std::memory_order_relaxed);  // relaxed: fenced above
  const std::uint32_t n = cpu_count();
  for (std::uint32_t i = 1; i < n; ++i) {
    const std::uint32_t id = (self.id + i) % n;
    const std::uint64_t bit = std::uint64_t{1} << id;
    if (!(idle & bit)) continue;
    // Claim the kick (relaxed: the IPI carries the message), so a burst sends one IPI per idler.
    if (g_idle_mask.fetch_and(~bit, std::memory_order_relaxed) & bit) {
      (void)ipi_send(id, IpiReason::Resched);
      return;
    }
  }
}

// The highest-class runnable task of class `limit` or above: local queues, then the spill queues.
Task* pick_local(Cpu& cpu, std::size_t limit) {
  sched_drain_inbox(cpu);
  for (std::size_t q = 0; q <= limit; ++q) {
    Task* t = nullptr;
    if (cpu.queues[q].pop(t)) return t;
    if (!g_spill[q].empty() && g_spill[q].pop(t)) return t;
  }
  return nullptr;
}

bool has_local_work(Cpu& cpu) {
  if (!cpu.inbox.empty()) return true;
  for (std::size_t q = 0; q < kQosCount; ++q) {
    if (!cpu.queues[q].empty() || !g_spill[q].empty()) return true;
  }
  return false;
}

// Tick bookkeeping from the clock itself: ticks = whole periods since the origin.
void sync_tick(Cpu& cpu, std::uint64_t now) {
  cpu.ticks = (now - g_tick_origin) / g_tick_period;
  cpu.next_deadline = g_tick_origin + (cpu.ticks + 1) * g_tick_period;
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
    if (!t->on_cpu) sched_enqueue_local(t);  // else finish_switch queues it
  }
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
  cpu.slice_left = config::kSliceTicks;
}

void sched_start_tick() {
  Cpu& cpu = this_cpu();
  sync_tick(cpu, arch::time_now());
  arch::timer_arm(cpu.next_deadline);
}

std::uint64_t sched_ticks() {
  IrqSave irq;
  return this_cpu().ticks;
}

void sched_enqueue(Task* t, Cpu& target, IpiDelivery delivery) {
  {
    IrqSave irq;
    if (&target == &this_cpu()) {
      sched_enqueue_local(t);
      return;
    }
    t->cpu = &target;
    target.inbox.push(t);
  }
  if (const IpiError e = ipi_send(target.id, IpiReason::Resched, delivery); e != IpiError::None) {
    panic("resched IPI to cpu%u failed: %s", target.id, ipi_error_name(e));
  }
}

void sched_enqueue_local(Task* t) {
  Cpu& cpu = this_cpu();
  t->cpu = &cpu;
  if (!cpu.queues[qos_index(t->qos)].push(t)) {
    cpu.stats.add(cpu.stats.spilled);
    g_spill[qos_index(t->qos)].push(t);
  }
  if (cpu.current->is_idle) {
    cpu.need_resched = true;  // the idle loop picks it up
  } else {
    // Strict priority: a newly runnable task of a higher class preempts at the next chance.
    if (t->qos < cpu.current->qos) cpu.need_resched = true;
    kick_idle_cpu(cpu);  // we are busy: an idle CPU may steal it
  }
}

void sched_drain_inbox(Cpu& cpu) {
  Task* t = nullptr;
  while (!cpu.inbox.empty() && cpu.inbox.pop(t)) sched_enqueue_local(t);
}

void schedule() {
  KASSERT(!arch::irq_enabled());
  Cpu& cpu = this_cpu();
  Task* prev = cpu.current;
  task_check_stack(prev);
  cpu.need_resched = false;
  const bool prev_stays = prev->state == TaskState::Runnable && !prev->is_idle;
  // A runnable prev competes only with tasks of its own class or higher; only a CPU that would
  // otherwise go idle steals.
  Task* next = pick_local(cpu, prev_stays ? qos_index(prev->qos) : kQosCount - 1);
  if (!next && !prev_stays) next = steal_task(cpu);
  if (!next) {
    if (prev_stays || prev->is_idle) {
      if (prev_stays) prev->state = TaskState::Running;
      cpu.slice_left = config::kSliceTicks;
      return;
    }
    next = &cpu.idle;
  }
  {
    sched::SpinGuard g(next->lock);
    next->state = TaskState::Running;
    next->on_cpu = true;
    next->cpu = &cpu;
  }
  cpu.current = next;
  cpu.switched_out = prev;
  cpu.slice_left = config::kSliceTicks;
  cpu.stats.add(cpu.stats.ran);
  arch::context_switch(&prev->ctx, &next->ctx);
  // Back on prev's stack, possibly on another CPU: finish_switch re-reads everything per-CPU.
  finish_switch();
}

void finish_switch() {
  Cpu& cpu = this_cpu();
  Task* prev = cpu.switched_out;
  cpu.switched_out = nullptr;
  if (!prev || prev->is_idle) return;
  bool reap = false;
  {
    sched::SpinGuard g(prev->lock);
    prev->on_cpu = false;
    if (prev->state == TaskState::Runnable) sched_enqueue_local(prev);
    reap = prev->state == TaskState::Dead;
  }
  if (reap) task_reap(prev);
}

void preempt_point() {
  if (!arch::irq_enabled()) return;  // the caller holds off preemption; the next trap exit acts
  IrqSave irq;
  Cpu& cpu = this_cpu();
  if (!cpu.need_resched || cpu.current->is_idle) return;
  cpu.current->state = TaskState::Runnable;
  schedule();
}

[[noreturn]] void idle_loop() {
  for (;;) {
    (void)arch::irq_save();  // re-enabled at the bottom of the loop
    Cpu& cpu = this_cpu();
    const std::uint64_t bit = std::uint64_t{1} << cpu.id;
    g_idle_mask.fetch_or(bit, std::memory_order_relaxed);  // relaxed: ordered by the fence below
    // seq_cst fence: pairs with kick_idle_cpu(): either a CPU that queues work after this point
    // sees our bit and kicks us, or we see its work in the checks below.
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (has_local_work(cpu) || steal_candidates(cpu)) {
      g_idle_mask.fetch_and(~bit, std::memory_order_relaxed);  // relaxed: a hint for kickers
      schedule();
    } else {
      // Interrupts stay off from the checks to wfi: a wake-up in between stays pending and ends
      // the wfi at once instead of being lost. With nothing asleep here the tick is silenced, so
      // only an IPI (or a device) wakes this CPU.
      const bool quiet = cpu.sleepers == nullptr;
      if (quiet) arch::timer_disarm();
      cpu.parked.store(quiet, std::memory_order_relaxed);  // relaxed: observed by tests only
      arch::wait_for_interrupt();
      cpu.parked.store(false, std::memory_order_relaxed);
      g_idle_mask.fetch_and(~bit, std::memory_order_relaxed);
      if (quiet) sched_start_tick();
    }
    arch::irq_enable();  // take whatever woke us
  }
}

// ---- task state transitions that need the scheduler ---------------------------------------

Task* task_current() { return this_cpu().current; }

void task_yield() {
  IrqSave irq;
  this_cpu().current->state = TaskState::Runnable;
  schedule();
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

void task_wake(Task* t) {
  Cpu* target = nullptr;
  {
    IrqSave irq;
    sched::SpinGuard g(t->lock);
    if (t->state == TaskState::Blocked) {
      t->state = TaskState::Runnable;
      if (!t->on_cpu) target = t->cpu ? t->cpu : &this_cpu();  // else finish_switch queues it
    } else if (t->state == TaskState::Running || t->state == TaskState::Runnable) {
      t->wake_pending = true;
    }
  }
  if (target) sched_enqueue(t, *target);
  preempt_point();
}

void task_exit() {
  (void)arch::irq_save();  // never restored: this context ends here
  Task* self = this_cpu().current;
  task_note_exited(self);
  self->state = TaskState::Dead;
  schedule();
  panic("dead task %s was scheduled again", self->name);
}

// ---- interrupt hooks ---------------------------------------------------------------------

namespace kernel {

void handle_timer_irq() {
  Cpu& cpu = this_cpu();
  // Deadlines are whole periods after the common origin: no drift with handler latency, and a
  // late handler counts every deadline that passed.
  sync_tick(cpu, arch::time_now());
  arch::timer_arm(cpu.next_deadline);

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
  Cpu& cpu = this_cpu();
  if (!cpu.need_resched || cpu.current->is_idle) return;  // idle reschedules in its own loop
  cpu.current->state = TaskState::Runnable;
  schedule();
}

}  // namespace kernel
}  // namespace neuron
