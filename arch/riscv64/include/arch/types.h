// RISC-V types that generic kernel code holds by value: the callee-saved context of a task, and
// the arch part of the per-CPU block. Generic code never looks inside them.
#pragma once

#include <cstddef>
#include <cstdint>

namespace neuron::arch {

// Registers a voluntary switch must preserve (RISC-V psABI callee-saved set). Offsets are fixed:
// context_switch.S reads them by position.
struct Context {
  std::uint64_t ra;
  std::uint64_t sp;
  std::uint64_t s[12];
};
static_assert(sizeof(Context) == 14 * 8);

// First member of every per-CPU block (tp points at it). entry.S reads stack_top at offset 0 when
// a secondary hart starts with this block as its HSM opaque argument.
struct CpuLocal {
  std::uint64_t stack_top;
  std::uint64_t hartid;
};
static_assert(offsetof(CpuLocal, stack_top) == 0);

// Saved sstatus.SIE: what irq_save() returns and irq_restore() puts back.
using IrqState = std::uint64_t;

}  // namespace neuron::arch
