// One CPU's runnable tasks: per QoS class, the runqueue variant under test and a backlog behind it.
//
// The backlog (a locked FIFO) holds what must not or cannot go into the runqueue: tasks that found
// it full, and pinned tasks, which no thief may take. FIFO inside a class holds across both:
// every task in the backlog was queued after every task in the runqueue. So a push goes to the
// backlog while the backlog holds anything, and the owner moves the backlog's oldest tasks into
// the runqueue as room frees up, stopping at a pinned one, which waits for the runqueue to empty
// and is then popped by the owner.
//
// Roles as in sched/runqueue.h: push and pop by the owning CPU with its interrupts off; steal by
// any CPU, from the runqueue's front, then from the backlog's oldest unpinned task.
#pragma once

#include <cstddef>

#include "runqueue_select.h"
#include "task.h"
#include "task_fifo.h"

namespace neuron {

class RunQueues {
 public:
  // Owner. Returns false for a spill: an unpinned task that went to the backlog because the
  // runqueue was full, or because tasks that overflowed it earlier are still waiting there.
  bool push(Task* t);
  // Owner: the oldest task of the highest class at or above `lowest`, or nullptr.
  Task* pop(QosClass lowest);
  // Any CPU: unpinned tasks of the highest class at or above `lowest` that has any, oldest first:
  // up to half of that class's runqueue and at most `max` in one batch claim, or one task from
  // its backlog when the runqueue is found empty. A runqueue that keeps losing races ends the
  // attempt (never a lower class while a higher one may be queued). Returns how many it stored.
  std::size_t steal(QosClass lowest, Task** out, std::size_t max);

  // Hints, exact only when no other CPU touches the queues.
  bool has_work() const;                      // anything queued, pinned tasks included
  bool has_stealable(QosClass lowest) const;  // anything steal() of that class or above may find

 private:
  struct ClassQueue {
    TaskQueue ring;
    TaskFifo backlog;
  };
  ClassQueue cls_[kQosCount];
};

}  // namespace neuron
