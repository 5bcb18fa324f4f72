// The per-CPU block: one per logical CPU, found through tp. Logical ids are dense from 0 (the boot
// hart is cpu0 whatever its hart id); the hart id lives here and nowhere indexes by it.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "arch.h"
#include "config.h"
#include "runqueue_select.h"
#include "task.h"

namespace neuron {

struct CpuStats {
  std::uint64_t ran;         // tasks switched in
  std::uint64_t stolen;      // tasks this CPU took from another CPU's queues
  std::uint64_t spilled;     // pushes that overflowed to the global queue
  std::uint64_t ipis_sent;
  std::uint64_t ipis_recv;
  std::uint64_t idle_ticks;  // ticks that found this CPU idle
};

struct Cpu {
  arch::CpuLocal arch;  // must stay first: tp points here and entry code reads it
  std::uint32_t id;

  // Owned by this CPU, touched with its interrupts off.
  Task* current;
  Task* switched_out;  // handed from schedule() to finish_switch() across the switch
  Task idle;           // this CPU's boot context, run when nothing else is
  TaskQueue queues[kQosCount];
  Task* sleepers;      // intrusive list through Task::link
  std::uint64_t ticks;
  std::uint64_t next_deadline;
  std::uint32_t slice_left;
  bool need_resched;
  CpuStats stats;
};
static_assert(offsetof(Cpu, arch) == 0);

extern Cpu g_cpus[config::kMaxCpus];

inline Cpu& this_cpu() { return *static_cast<Cpu*>(arch::cpu_pointer()); }
inline std::uint32_t cpu_current_id() { return this_cpu().id; }

std::uint32_t cpu_count();  // CPUs the kernel manages (from the device tree)
std::uint64_t cpu_online_mask();
void cpu_set_online(std::uint32_t id);

}  // namespace neuron
