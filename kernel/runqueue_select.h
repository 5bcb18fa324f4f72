// The one configuration point that names a concrete variant: the runqueue, and the wake list that
// is each CPU's inbox. Everything else in the kernel uses TaskQueue through the sched::RunQueue
// interface and TaskInbox through the sched::WakeList interface.
#pragma once

#include "config.h"
#include "sched/runqueue.h"
#include "sched/wake_list.h"
#include "task.h"

#if defined(NEURON_RUNQUEUE_LOCKFREE)
#include "sched/lockfree/chase_lev.h"
#include "sched/lockfree/mpsc_list.h"
#else
#include "sched/locked/locked_list.h"
#include "sched/locked/ring_deque.h"
#endif

namespace neuron {

#if defined(NEURON_RUNQUEUE_LOCKFREE)
using TaskQueue = sched::ChaseLevDeque<Task*, config::kRunQueueCapacity, sched::OwnerEnd::Fifo>;
using TaskInbox = sched::MpscList<Task, &Task::link>;
inline constexpr const char* kRunQueueVariant = "lockfree";
#else
using TaskQueue = sched::LockedRingDeque<Task*, config::kRunQueueCapacity, sched::OwnerEnd::Fifo>;
using TaskInbox = sched::LockedList<Task, &Task::link>;
inline constexpr const char* kRunQueueVariant = "locked";
#endif

// The scheduler pops FIFO (round-robin) and balances with batch steals.
static_assert(sched::FifoRunQueue<TaskQueue>);
static_assert(sched::WakeList<TaskInbox>);

}  // namespace neuron
