// Work stealing. Policy: a CPU that would otherwise go idle steals a batch of one class (up to half
// of the victim's runqueue of that class, at most config::kStealBatch) of any class; a CPU whose
// running task stays runnable pulls only tasks of a class above it (it would preempt its own task
// for them). Highest class first over all victims, visiting victims round-robin starting after
// itself. Pinned tasks are never taken. The thief runs the oldest stolen task and queues the rest
// on itself, each offered to an idle CPU like any task queued there.
#pragma once

#include <cstddef>

#include "percpu.h"

namespace neuron {

// The policy on one CPU's queue set: takes up to min(max, kStealBatch) unpinned tasks of class
// `lowest` or above (never a class below it), highest class first, oldest first. Returns how
// many it stored in `out`. The scheduler steals only through this function.
std::size_t steal_from(RunQueues& victim, QosClass lowest, Task** out, std::size_t max);

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
