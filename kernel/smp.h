// SMP bring-up: the cpu -> hart map from the device tree, and the start of every secondary hart.
#pragma once

#include <cstddef>
#include <cstdint>

#include "fdt.h"

namespace neuron {

// Builds the logical CPU map: cpu0 = the boot hart, then the tree's other harts in tree order
// that the firmware can start, up to config::kMaxCpus or the boot argument neuron.max_cpus=N
// (KINFO lines say how many are left out, and why). Panics if the boot hart is not in the tree
// or N is out of range.
void smp_map_cpus(const fdt::Summary& tree, std::uint64_t boot_hartid);
// Harts the tree lists that the firmware does not know (arch::cpu_known): never CPUs.
std::size_t smp_harts_unknown();
// The most CPUs this boot may manage: config::kMaxCpus, or neuron.max_cpus.
std::uint32_t smp_max_cpus();

// At boot: starts cpu1..N-1 all at once and waits (bounded) for each to reach the kernel's holding
// pen, where it waits in wfi, not online, until smp_bring_online lets it out. Parks the harts past
// the limit (arch::cpu_park).
void smp_start_secondaries();

// Lets the CPUs out of the pen one at a time, in CPU order, and prints "KINIT: cpuN online" once
// each has set its own online bit (bounded wait), or "KINIT: cpuN start failed: <reason>".
// Returns true if every CPU came online.
bool smp_bring_online();

// On a secondary CPU, first thing: marks it arrived in the holding pen and waits there (interrupts
// masked but the IPI) until smp_bring_online lets it out.
struct Cpu;
void smp_wait_in_pen(const Cpu& cpu);

// Test hook: bootargs neuron.reenter=N sends cpuN back through the boot entry once, the way a late
// hart arrives there (see entry.S); the boot CPU must then restart it. True once, on that CPU.
bool smp_reenter_requested(std::uint32_t id);

// Deepest use of any secondary's boot stack so far (its idle loop and interrupts), in bytes.
std::size_t smp_boot_stack_high_water();

}  // namespace neuron
