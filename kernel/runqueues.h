// One CPU's runnable tasks: per QoS class, the runqueue variant under test and a backlog behind it.
//
// The backlog (a locked FIFO) holds what must not or cannot go into the runqueue: tasks that found
// it full, and pinned tasks, which no thief may take. FIFO inside a class holds across both:
// every task in the backlog was queued after every task in the runqueue. So a push goes to the
// backlog while the backlog holds anything, and the owner moves the backlog's oldest tasks into
// the runqueue as room frees up, stopping at a pinned one, which waits for the runqueue to empty
// and is then popped by the owner.
//
// A task preempted by a higher class goes back to the head of its class, ahead of both (POSIX
// SCHED_RR): each class has one head slot for it, which thieves may take too, so it does not
// wait there while another CPU idles. One is enough: the next task of the class to run is the
// one in the slot, so no second task of the class can be preempted while it is filled.
//
// Roles as in sched/runqueue.h: push, push_head and pop by the owning CPU with its interrupts
// off; steal by any CPU, from the head slot, the runqueue's front, then from the backlog's
// oldest unpinned task.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "runqueue_select.h"
#include "task.h"
#include "task_fifo.h"

namespace neuron {

class RunQueues {
 public:
  // Owner. Returns false for a spill: an unpinned task that went to the backlog because the
  // runqueue was full, or because tasks that overflowed it earlier are still waiting there.
  bool push(Task* t);
  // Owner: t runs before every other queued task of its class (a task that was preempted).
  // Returns what push() would, were the head slot taken (it never is, see above).
  bool push_head(Task* t);
  // Owner: the oldest task of the highest class at or above `lowest`, or nullptr. `from`: the
  // class to start at, when the owner knows the ones above it are empty (highest_class()).
  Task* pop(QosClass lowest, std::size_t from = 0);
  // Any CPU: unpinned tasks of the highest class at or above `lowest` that has any, oldest first:
  // up to half of that class's runqueue and at most `max` in one batch claim, or one task from
  // its backlog when the runqueue is found empty. A runqueue that keeps losing races ends the
  // attempt (never a lower class while a higher one may be queued). Returns how many it stored.
  std::size_t steal(QosClass lowest, Task** out, std::size_t max);

  // Hints, exact only when no other CPU touches the queues.
  bool has_work() const;                      // anything queued, pinned tasks included
  std::size_t highest_class() const;          // index of the highest class queued; kQosCount: none
  bool has_stealable(QosClass lowest) const;  // anything steal() of that class or above may find
  bool class_stealable(std::size_t q) const;  // ... of class index q alone

 private:
  struct ClassQueue {
    // A task, tagged in its low bit when pinned (no thief reads a task it may not take), or 0.
    std::atomic<std::uintptr_t> head{0};
    TaskQueue ring;
    TaskFifo backlog;
  };
  ClassQueue cls_[kQosCount];
};

}  // namespace neuron
