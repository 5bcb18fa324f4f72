// Platform hooks for the runqueues: the only place where sched/ learns about the machine.
// Header-only and free of libc and kernel headers, so it compiles for the rv64 kernel
// (freestanding) and for host tests and benchmarks alike.
#pragma once

#include <cstddef>

namespace neuron::sched {

// Queue indices that thieves and the owner hammer are kept on separate lines of this size.
// 64 bytes holds for x86-64 and for the RISC-V cores QEMU models.
inline constexpr std::size_t kCacheLine = 64;

// Polite busy-wait hint for spin loops: lets an SMT sibling or a vCPU thread make progress.
inline void cpu_relax() {
#if defined(__riscv)
  // Zihintpause `pause`, spelled as its encoding: a FENCE hint that older cores execute as a no-op.
  asm volatile(".4byte 0x0100000f" ::: "memory");
#elif defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  asm volatile("" ::: "memory");
#endif
}

}  // namespace neuron::sched
