#include "percpu.h"

namespace neuron {

Cpu g_cpus[config::kMaxCpus];

std::uint32_t g_cpu_count = 1;

namespace {
AtomicCpuMask g_online_mask;
}  // namespace

void cpu_set_count(std::uint32_t n) { g_cpu_count = n; }

CpuMask cpu_online_mask() {
  // acquire: pairs with the release in cpu_set_online; whoever sees a CPU's bit sees its setup.
  return g_online_mask.snapshot(std::memory_order_acquire);
}

bool cpu_is_online(std::uint32_t id) {
  return g_online_mask.test(id, std::memory_order_acquire);  // acquire: as in cpu_online_mask
}

void cpu_set_online(std::uint32_t id) {
  // release: the CPU's per-CPU block and scheduler state are initialised before its bit shows.
  g_online_mask.set(id, std::memory_order_release);
}

}  // namespace neuron
