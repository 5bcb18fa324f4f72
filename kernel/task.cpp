// The task pool: fixed slots, each with its own stack. A canary at the stack's lowest word catches
// overflow at every switch and tick. Every stack is filled with a pattern once, at boot, and never
// again: a slot's untouched pattern then tells the deepest any of its tasks went, which
// task_stack_high_water() reads for reports. Neither costs task_create or the reap anything but the
// canary store.
#include "task.h"

#include "irq_lock.h"
#include "klib.h"
#include "panic.h"
#include "percpu.h"
#include "scheduler.h"
#include "trace.h"

namespace neuron {
namespace {

constexpr std::uint64_t kStackCanary = 0x4e4555524f4e2121;  // "NEURON!!"
constexpr std::uint64_t kStackFill = 0xa5a5a5a5a5a5a5a5;

struct Pool {
  Spinlock lock;
  Task slots[config::kMaxTasks] TA_GUARDED(lock);
  Task* free_list TA_GUARDED(lock);
  std::uint32_t next_id TA_GUARDED(lock);
  std::size_t live TA_GUARDED(lock);
};
Pool g_pool;
// Not cleared at boot: task_pool_init fills each with the stack pattern.
alignas(16) NEURON_NOINIT std::uint8_t g_stacks[config::kMaxTasks][config::kTaskStackSize];

std::atomic<std::uint64_t> g_created{0}, g_started{0}, g_exited{0}, g_reaped{0},
    g_alloc_failures{0};

// Entered from the arch trampoline on the task's own stack, with interrupts off.
void task_start(void* arg) {
  Task* self = static_cast<Task*>(arg);
  finish_switch();
  task_note_started(self);
  arch::irq_enable();
  preempt_on_irq_enable();  // finish_switch may have queued a task that outranks this one
  self->entry(self->arg);
  task_exit();
}

Task* task_alloc(const char* name, QosClass qos, TaskFn fn, void* arg, TaskState initial) {
  Task* t;
  {
    IrqSpinGuard g(g_pool.lock);
    t = g_pool.free_list;
    if (!t) {
      g_alloc_failures.fetch_add(1, std::memory_order_relaxed);  // relaxed: statistics only
      return nullptr;
    }
    g_pool.free_list = t->link;
    ++g_pool.live;
    t->id = g_pool.next_id++;
  }
  {
    IrqSave irq;  // not yet visible to anyone: lock and interrupts only keep the rule
    sched::SpinGuard g(t->lock);
    t->state = initial;
    t->on_cpu = false;
    t->wake_pending = false;
    t->cpu = nullptr;
    t->slice_left = 0;
  }
  t->link = nullptr;
  t->is_idle = false;
  t->pinned = false;
  t->qos = qos;
  t->name = name;
  t->entry = fn;
  t->arg = arg;
  t->wake_tick = 0;
  t->cpu_time = 0;
  t->runs.store(0, std::memory_order_relaxed);  // relaxed: published with the task by its queue
  stack_set_canary(t->stack);  // the fill below it stays from boot: see the top of this file
  arch::context_init(t->ctx, t->stack + config::kTaskStackSize, &task_start, t);
  g_created.fetch_add(1, std::memory_order_relaxed);  // relaxed: statistics only
  trace(TraceKind::Create, t->id, static_cast<std::uint32_t>(qos_index(qos)),
        reinterpret_cast<std::uint64_t>(name));
  return t;
}

}  // namespace

const char* qos_name(QosClass q) {
  switch (q) {
    case QosClass::PerfBurst: return "PerfBurst";
    case QosClass::Interactive: return "Interactive";
    case QosClass::Normal: return "Normal";
    case QosClass::Idle: return "Idle";
  }
  return "?";
}

void task_pool_init() {
  IrqSpinGuard g(g_pool.lock);
  g_pool.free_list = nullptr;
  for (std::size_t i = config::kMaxTasks; i-- > 0;) {
    Task& t = g_pool.slots[i];
    {
      sched::SpinGuard tg(t.lock);
      t.state = TaskState::Free;
    }
    t.stack = g_stacks[i];
    stack_fill(t.stack, config::kTaskStackSize);
    t.link = g_pool.free_list;
    g_pool.free_list = &t;
  }
  g_pool.next_id = 1;
}

void stack_set_canary(std::uint8_t* base) {
  *reinterpret_cast<std::uint64_t*>(base) = kStackCanary;
}

void stack_fill(std::uint8_t* base, std::size_t size) {
  auto* words = reinterpret_cast<std::uint64_t*>(base);
  for (std::size_t i = 0; i < size / sizeof *words; ++i) words[i] = kStackFill;
  stack_set_canary(base);
}

// In words: a stack is used from its top down, so the lowest word not holding the pattern marks
// the deepest use. A stack in use may grow while it is read: the answer is then a moment old.
std::size_t stack_depth(const std::uint8_t* base, std::size_t size) {
  const auto* words = reinterpret_cast<const std::uint64_t*>(base);
  std::size_t untouched = 1;  // the canary
  while (untouched < size / sizeof *words && words[untouched] == kStackFill) ++untouched;
  return size - untouched * sizeof *words;
}

void task_init_idle(Task& idle, const char* name, Cpu* cpu, std::uint8_t* stack_base) {
  {
    IrqSave irq;
    sched::SpinGuard g(idle.lock);
    idle.state = TaskState::Running;
    idle.on_cpu = true;
    idle.cpu = cpu;
  }
  idle.is_idle = true;
  idle.qos = QosClass::Idle;
  idle.name = name;
  idle.stack = stack_base;  // the CPU's boot stack, canary already in place
}

Task* task_create(const char* name, QosClass qos, TaskFn fn, void* arg) {
  return task_create_on(name, qos, fn, arg, cpu_current_id());
}

Task* task_create_on(const char* name, QosClass qos, TaskFn fn, void* arg, std::uint32_t cpu,
                     IpiDelivery delivery) {
  if (!cpu_is_online(cpu)) return nullptr;
  Task* t = task_alloc(name, qos, fn, arg, TaskState::Runnable);
  if (!t) return nullptr;
  {
    IrqSave irq;
    {
      sched::SpinGuard g(t->lock);
      if (trace_on()) {
        const TraceQueued how = cpu == cpu_current_id()         ? TraceQueued::Local
                                : delivery == IpiDelivery::Send ? TraceQueued::Inbox
                                                                : TraceQueued::InboxNoIpi;
        trace(TraceKind::Runnable, t->id, cpu, static_cast<std::uint64_t>(how));
      }
      sched_enqueue(t, g_cpus[cpu], delivery);
    }
    sched_send_owed_ipis();
  }  // a preemption point: the new task may outrank this one
  return t;
}

Task* task_create_blocked(const char* name, QosClass qos, TaskFn fn, void* arg) {
  return task_alloc(name, qos, fn, arg, TaskState::Blocked);
}

TaskState task_state(Task* t) {
  IrqSave irq;
  sched::SpinGuard g(t->lock);
  return t->state;
}

void task_note_started(Task* t) {
  t->runs.fetch_add(1, std::memory_order_relaxed);    // relaxed: read after the task is reaped
  g_started.fetch_add(1, std::memory_order_relaxed);  // relaxed: statistics only
}

void task_check_stack(const Task* t) {
  if (t->stack && *reinterpret_cast<const std::uint64_t*>(t->stack) != kStackCanary) {
    panic("stack overflow in task %s (id %u)", t->name, t->id);
  }
}

void task_note_exited(Task*) {
  g_exited.fetch_add(1, std::memory_order_relaxed);  // relaxed: statistics only
}

void task_reap(Task* t) {
  task_check_stack(t);
  // relaxed: the task ran on this or another CPU; the switch away from it ordered its increment.
  if (const std::uint32_t runs = t->runs.load(std::memory_order_relaxed); runs != 1) {
    panic("task %s (id %u) started %u times", t->name, t->id, runs);
  }
  {
    IrqSave irq;
    sched::SpinGuard tg(t->lock);
    t->state = TaskState::Free;
  }
  IrqSpinGuard g(g_pool.lock);
  t->link = g_pool.free_list;
  g_pool.free_list = t;
  --g_pool.live;
  g_reaped.fetch_add(1, std::memory_order_relaxed);  // relaxed: statistics only
}

std::size_t task_stack_high_water() {
  std::size_t deepest = 0;  // over every slot: each keeps the deepest use of all its tasks
  for (const auto& stack : g_stacks) {
    const std::size_t d = stack_depth(stack, config::kTaskStackSize);
    if (d > deepest) deepest = d;
  }
  return deepest;
}

TaskCounters task_counters() {
  IrqSpinGuard g(g_pool.lock);
  // relaxed loads: statistics, read by a test after the tasks it counts have finished.
  return {
      g_created.load(std::memory_order_relaxed),        g_started.load(std::memory_order_relaxed),
      g_exited.load(std::memory_order_relaxed),         g_reaped.load(std::memory_order_relaxed),
      g_alloc_failures.load(std::memory_order_relaxed), g_pool.live};
}

}  // namespace neuron
