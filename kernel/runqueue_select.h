// The one configuration point that names a concrete runqueue variant. Everything else in the
// kernel uses TaskQueue through the sched::RunQueue interface.
#pragma once

#include "config.h"
#include "sched/runqueue.h"

#if defined(NEURON_RUNQUEUE_LOCKFREE)
#include "sched/lockfree/chase_lev.h"
#else
#include "sched/locked/ring_deque.h"
#endif

namespace neuron {

struct Task;

#if defined(NEURON_RUNQUEUE_LOCKFREE)
using TaskQueue = sched::ChaseLevDeque<Task*, config::kRunQueueCapacity, sched::OwnerEnd::Fifo>;
inline constexpr const char* kRunQueueVariant = "lockfree";
#else
using TaskQueue = sched::LockedRingDeque<Task*, config::kRunQueueCapacity, sched::OwnerEnd::Fifo>;
inline constexpr const char* kRunQueueVariant = "locked";
#endif

// The scheduler pops FIFO (round-robin) and balances with batch steals.
static_assert(sched::FifoRunQueue<TaskQueue>);

}  // namespace neuron
