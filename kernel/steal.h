// Work stealing. Policy: a CPU whose queues (and inbox and the spill queues) are empty steals one
// task per attempt (config::kStealBatch), highest QoS class first, visiting victims round-robin
// starting after itself.
#pragma once

#include <cstddef>

#include "percpu.h"

namespace neuron {

// One attempt by `thief` over every other online CPU. nullptr if nothing could be taken. A pinned
// task it takes is handed back to its CPU (inbox and IPI), never run here.
Task* steal_task(Cpu& thief);

// The policy on one CPU's queue set: takes up to min(max, kStealBatch) tasks of class `cap` or
// lower (never a class above `cap`), highest class first. Returns how many it stored in `out`.
std::size_t steal_from(TaskQueue (&queues)[kQosCount], QosClass cap, Task** out, std::size_t max);

// Is there anything another CPU could steal? A hint for the idle loop, read after its fence.
bool steal_candidates(const Cpu& thief);

}  // namespace neuron
