// Supervisor CSRs and their bits (RISC-V privileged spec, chapter "Supervisor-Level ISA").
#pragma once

#include <cstdint>

namespace neuron::arch::csr {

#define NEURON_CSR_READ(name)                             \
  ({                                                      \
    std::uint64_t v_;                                     \
    asm volatile("csrr %0, " #name : "=r"(v_)::"memory"); \
    v_;                                                   \
  })
#define NEURON_CSR_WRITE(name, v) \
  asm volatile("csrw " #name ", %0" ::"r"(std::uint64_t(v)) : "memory")
#define NEURON_CSR_SET(name, v) \
  asm volatile("csrs " #name ", %0" ::"r"(std::uint64_t(v)) : "memory")
#define NEURON_CSR_CLEAR(name, v) \
  asm volatile("csrc " #name ", %0" ::"r"(std::uint64_t(v)) : "memory")

inline constexpr std::uint64_t kSstatusSie = 1ull << 1;   // interrupts enabled in S-mode
inline constexpr std::uint64_t kSstatusSpie = 1ull << 5;  // SIE before the trap
inline constexpr std::uint64_t kSstatusSpp = 1ull << 8;   // trap came from S-mode
inline constexpr std::uint64_t kSstatusFs = 3ull << 13;   // FP state; Off (0) keeps FP out

inline constexpr std::uint64_t kSieSsie = 1ull << 1;  // supervisor software interrupt (IPI)
inline constexpr std::uint64_t kSieStie = 1ull << 5;  // supervisor timer interrupt
inline constexpr std::uint64_t kSipSsip = 1ull << 1;
inline constexpr std::uint64_t kSipStip = 1ull << 5;  // supervisor timer interrupt pending

inline constexpr std::uint64_t kScauseInterrupt = 1ull << 63;
inline constexpr std::uint64_t kIrqSoftware = 1;
inline constexpr std::uint64_t kIrqTimer = 5;

inline std::uint64_t read_time() {
  std::uint64_t v;
  asm volatile("rdtime %0" : "=r"(v));
  return v;
}

}  // namespace neuron::arch::csr
