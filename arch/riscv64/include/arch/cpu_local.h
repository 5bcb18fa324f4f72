// RISC-V primitives on the hot paths of every switch and lock, inline: the per-CPU pointer (tp)
// and the local interrupt state (sstatus.SIE). kernel/arch.h declares the rest of the interface.
#pragma once

#include <cstdint>

#include "arch/types.h"

namespace neuron::arch {

inline constexpr IrqState kIrqOn = 1ull << 1;  // sstatus.SIE (csr.h's kSstatusSie)

inline void* cpu_pointer() {
  void* p;
  asm volatile("mv %0, tp" : "=r"(p));
  return p;
}

inline void set_cpu_pointer(void* cpu) { asm volatile("mv tp, %0" ::"r"(cpu) : "memory"); }

// Disables local interrupts and returns the previous state. csrrc reads and clears SIE in one
// instruction: no interrupt can slip in between.
inline IrqState irq_save() {
  IrqState old;
  asm volatile("csrrc %0, sstatus, %1" : "=r"(old) : "r"(kIrqOn) : "memory");
  return old & kIrqOn;
}

inline void irq_restore(IrqState s) {
  if (s & kIrqOn) asm volatile("csrs sstatus, %0" ::"r"(kIrqOn) : "memory");
}

inline void irq_enable() { asm volatile("csrs sstatus, %0" ::"r"(kIrqOn) : "memory"); }

inline bool irq_enabled() {
  IrqState s;
  asm volatile("csrr %0, sstatus" : "=r"(s)::"memory");
  return (s & kIrqOn) != 0;
}

inline bool irq_state_on(IrqState s) { return (s & kIrqOn) != 0; }  // did irq_save find them on?

}  // namespace neuron::arch
