// The scheduler core: QoS buckets on per-CPU runqueues, a deterministic tick, time slices.
//
// Rules:
// - A CPU's queues are touched by their owner with local interrupts off; interrupt handlers on the
//   same CPU therefore never race with an owner operation.
// - A switched-out task is queued again only after the switch away from it has completed
//   (finish_switch), so its stack is never live on two CPUs.
#pragma once

#include <cstdint>

#include "task.h"

namespace neuron {

struct Cpu;

void sched_init_cpu(Cpu& cpu, std::uint32_t id);
void sched_start_tick();  // arm this CPU's tick: every 1/kTickHz s from the device tree's timebase
void sched_set_timebase(std::uint64_t hz);
std::uint64_t sched_ticks();  // this CPU's tick count

// Queue a Runnable task on this CPU (or spill it). Interrupts off.
void sched_enqueue_local(Task* t);

// Pick the next task and switch to it. Interrupts off. The caller has already set
// current->state (Runnable to stay in rotation, or Blocked/Sleeping/Dead).
void schedule();
// Completes the switch on the new task's side: requeues or reaps the task switched away from.
void finish_switch();

[[noreturn]] void idle_loop();

// If a higher-class task became runnable here and interrupts are on, switch to it now rather
// than at the next tick.
void preempt_point();

// Spill path for full runqueues: one FIFO per QoS class, shared by all CPUs.
bool overflow_pop(QosClass q, Task*& out);
void overflow_push(Task* t);

}  // namespace neuron
