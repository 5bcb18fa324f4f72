#include "percpu.h"

namespace neuron {

Cpu g_cpus[config::kMaxCpus];

std::uint32_t g_cpu_count = 1;

namespace {
std::atomic<std::uint64_t> g_online_mask{0};
}  // namespace

void cpu_set_count(std::uint32_t n) { g_cpu_count = n; }

std::uint64_t cpu_online_mask() {
  // acquire: pairs with the release in cpu_set_online; whoever sees a CPU's bit sees its setup.
  return g_online_mask.load(std::memory_order_acquire);
}

void cpu_set_online(std::uint32_t id) {
  // release: the CPU's per-CPU block and scheduler state are initialised before its bit shows.
  g_online_mask.fetch_or(std::uint64_t{1} << id, std::memory_order_release);
}

}  // namespace neuron
