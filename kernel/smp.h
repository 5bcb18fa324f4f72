// SMP bring-up: the cpu -> hart map from the device tree, and the start of every secondary hart.
#pragma once

#include <cstddef>
#include <cstdint>

#include "fdt.h"

namespace neuron {

// Builds the logical CPU map: cpu0 = the boot hart, then the tree's other harts in tree order, up
// to config::kMaxCpus. Panics if the boot hart is not in the tree.
void smp_map_cpus(const fdt::Summary& tree, std::uint64_t boot_hartid);

// Starts cpu1..N-1 one at a time, in CPU order, each wait bounded. Each CPU prints
// "KINIT: cpuN online" itself; a failure prints "KINIT: cpuN start failed: <reason>".
// Returns true if every CPU came online.
bool smp_start_secondaries();

// Deepest use of any secondary's boot stack so far (its idle loop and interrupts), in bytes.
std::size_t smp_boot_stack_high_water();

}  // namespace neuron
