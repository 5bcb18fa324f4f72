// Work stealing. Policy: a CPU that would otherwise go idle steals a batch of one class (up to half
// of the victim's runqueue of that class, at most config::kStealBatch) of any class; a CPU whose
// running task stays runnable pulls only tasks of a class above it (it would preempt its own task
// for them). Highest class first over all victims, visiting victims round-robin starting after
// itself. Pinned tasks are never taken. The thief runs the oldest stolen task and queues the rest
// on itself, each offered to an idle CPU like any task queued there.
#pragma once

#include <cstddef>

#include "cpumask.h"
#include "percpu.h"

namespace neuron {

// The policy on one CPU's queue set: takes up to min(max, kStealBatch) unpinned tasks of class
// `lowest` or above (never a class below it), highest class first, oldest first. Returns how
// many it stored in `out`. The scheduler steals only through this function.
std::size_t steal_from(RunQueues& victim, QosClass lowest, Task** out, std::size_t max);

// CPUs that may hold a task a thief can take, per class index, so that a thief reads the queues
// of those CPUs only, not of every CPU. Written by each CPU for itself alone: its bit is set
// before the push that makes such a task stealable, and cleared once its own queues show none
// left (only the owner adds to them, so its look is never too low). A bit left set after thieves
// emptied the class costs a thief one look at that CPU; a bit missing would hide work.
extern AtomicCpuMask g_stealable[kQosCount];

// The owner (interrupts off), before it queues an unpinned task of class index q.
inline void steal_mark(Cpu& owner, std::size_t q) {
  if (owner.stealable_marked & 1u << q) return;  // the common case: a plain read of its own copy
  owner.stealable_marked |= 1u << q;
  // relaxed: a thief reads it after its seq_cst fence, and the push it announces is followed by
  // the pusher's (kick_idle_cpu) before any other CPU is told: the pair orders both, as for the
  // queue itself.
  g_stealable[q].set(owner.id, std::memory_order_relaxed);
}

// The owner (interrupts off), after its pops: drops the bits of classes with nothing stealable
// left. Out of line, called only while a bit is held.
void steal_unmark_drained(Cpu& owner);

namespace detail {
Task* steal_task_scan(Cpu& thief, QosClass lowest);
bool steal_candidates_scan(const Cpu& thief, QosClass lowest);
}  // namespace detail

// One attempt by `thief` (this CPU, interrupts off) over every other online CPU, for a task of
// class `lowest` or above. Returns the task to run now, or nullptr; the rest of a batch is queued
// on the thief, and only when a task is returned (the scheduler's pops after a nullptr start at
// the class its own queues held before). Inline, so that with one CPU a switch pays one
// compare, not the scan's register saves.
inline Task* steal_task(Cpu& thief, QosClass lowest) {
  return cpu_count() > 1 ? detail::steal_task_scan(thief, lowest) : nullptr;
}

// Is there anything of class `lowest` or above that this CPU could steal from another? A hint
// for the idle loop and the scheduler, read after their fences.
inline bool steal_candidates(const Cpu& thief, QosClass lowest = QosClass::Idle) {
  return cpu_count() > 1 && detail::steal_candidates_scan(thief, lowest);
}

// The index of the highest class steal_candidates() finds, kQosCount if none.
std::size_t highest_stealable(const Cpu& thief);

}  // namespace neuron
