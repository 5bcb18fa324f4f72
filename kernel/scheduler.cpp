#include "scheduler.h"

#include "arch.h"
#include "overflow_queue.h"
#include "panic.h"
#include "percpu.h"

namespace neuron {
namespace {

OverflowQueue g_overflow[kQosCount];
std::uint64_t g_tick_period = 0;  // timebase ticks per scheduler tick; set once at boot

// The highest-class runnable task of class `limit` or above, local queues before the spill queue.
Task* pick_next(Cpu& cpu, std::size_t limit) {
  for (std::size_t q = 0; q <= limit; ++q) {
    Task* t = nullptr;
    if (cpu.queues[q].pop(t)) return t;
    if (!g_overflow[q].empty() && g_overflow[q].pop(t)) return t;
  }
  return nullptr;
}

bool has_runnable(Cpu& cpu, std::size_t limit) {
  for (std::size_t q = 0; q <= limit; ++q) {
    if (!cpu.queues[q].empty() || !g_overflow[q].empty()) return true;
  }
  return false;
}

void wake_sleepers(Cpu& cpu) {
  Task** pp = &cpu.sleepers;
  while (Task* t = *pp) {
    if (t->wake_tick > cpu.ticks) {
      pp = &t->link;
      continue;
    }
    *pp = t->link;
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
}

void sched_init_cpu(Cpu& cpu, std::uint32_t id) {
  cpu.id = id;
  task_init_idle(cpu.idle, "idle", &cpu);
  cpu.current = &cpu.idle;
  cpu.slice_left = config::kSliceTicks;
}

void sched_start_tick() {
  Cpu& cpu = this_cpu();
  cpu.next_deadline = arch::time_now() + g_tick_period;
  arch::timer_arm(cpu.next_deadline);
}

std::uint64_t sched_ticks() {
  IrqSave irq;
  return this_cpu().ticks;
}

void sched_enqueue_local(Task* t) {
  Cpu& cpu = this_cpu();
  t->cpu = &cpu;
  if (!cpu.queues[qos_index(t->qos)].push(t)) {
    ++cpu.stats.spilled;
    g_overflow[qos_index(t->qos)].push(t);
  }
  // Strict priority: a newly runnable task of a higher class preempts at the next chance.
  if (cpu.current->is_idle || t->qos < cpu.current->qos) cpu.need_resched = true;
}

bool overflow_pop(QosClass q, Task*& out) { return g_overflow[qos_index(q)].pop(out); }
void overflow_push(Task* t) { g_overflow[qos_index(t->qos)].push(t); }

void schedule() {
  KASSERT(!arch::irq_enabled());
  Cpu& cpu = this_cpu();
  Task* prev = cpu.current;
  task_check_stack(prev);
  cpu.need_resched = false;
  const bool prev_stays = prev->state == TaskState::Runnable && !prev->is_idle;
  // A runnable prev competes only with tasks of its own class or higher.
  Task* next = pick_next(cpu, prev_stays ? qos_index(prev->qos) : kQosCount - 1);
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
  ++cpu.stats.ran;
  arch::context_switch(&prev->ctx, &next->ctx);
  // Back on prev's stack, possibly on another CPU: re-read everything per-CPU.
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

[[noreturn]] void idle_loop() {
  for (;;) {
    (void)arch::irq_save();  // re-enabled at the bottom of the loop
    Cpu& cpu = this_cpu();
    if (has_runnable(cpu, kQosCount - 1)) {
      schedule();
    } else {
      // Interrupts stay off from the check to wfi: a wake-up in between stays pending and ends
      // the wfi at once instead of being lost.
      arch::wait_for_interrupt();
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
  self->wake_tick = cpu.ticks + (ticks ? ticks : 1);
  self->link = cpu.sleepers;
  cpu.sleepers = self;
  self->state = TaskState::Sleeping;
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
  {
    IrqSave irq;
    sched::SpinGuard g(t->lock);
    if (t->state == TaskState::Blocked) {
      t->state = TaskState::Runnable;
      if (!t->on_cpu) sched_enqueue_local(t);  // else finish_switch queues it
    } else if (t->state == TaskState::Running || t->state == TaskState::Runnable) {
      t->wake_pending = true;
    }
  }
  preempt_point();
}

void preempt_point() {
  if (!arch::irq_enabled()) return;  // the caller holds off preemption; the next trap exit acts
  IrqSave irq;
  Cpu& cpu = this_cpu();
  if (!cpu.need_resched || cpu.current->is_idle) return;
  cpu.current->state = TaskState::Runnable;
  schedule();
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
  // Deadlines advance by whole periods from the first one, so ticks do not drift with handler
  // latency; a late handler catches up without arming a deadline in the past.
  const std::uint64_t now = arch::time_now();
  do {
    cpu.next_deadline += g_tick_period;
    ++cpu.ticks;
  } while (cpu.next_deadline <= now);
  arch::timer_arm(cpu.next_deadline);

  wake_sleepers(cpu);
  if (cpu.current->is_idle) {
    ++cpu.stats.idle_ticks;
    return;
  }
  task_check_stack(cpu.current);
  if (cpu.slice_left > 0) --cpu.slice_left;
  if (cpu.slice_left == 0) cpu.need_resched = true;
}

void handle_ipi() { ++this_cpu().stats.ipis_recv; }

void irq_exit() {
  Cpu& cpu = this_cpu();
  if (!cpu.need_resched || cpu.current->is_idle) return;  // idle reschedules in its own loop
  cpu.current->state = TaskState::Runnable;
  schedule();
}

}  // namespace kernel
}  // namespace neuron
