// Trap dispatch: interrupts go to the generic kernel's handlers; any exception in the kernel is
// a bug and panics with the cause and addresses.
#include "asm_constants.h"
#include "csr.h"
#include "kernel/arch.h"
#include "kernel/ipi.h"
#include "kernel/panic.h"
#include "kernel/scheduler.h"

extern "C" void trap_vector();

namespace neuron::arch {

struct TrapFrame {
  std::uint64_t x[32];  // x[0] unused; x[2] is the pre-trap sp
  std::uint64_t sepc;
  std::uint64_t sstatus;
};
static_assert(sizeof(TrapFrame) == NEURON_TRAP_FRAME_SIZE);  // trap_entry.S allocates this much

// A stale pending timer (stimecmp starts at 0 under Sstc) would end every wfi at once.
void unmask_only_ipi() {
  NEURON_CSR_CLEAR(sie, csr::kSieStie);
  NEURON_CSR_SET(sie, csr::kSieSsie);
}

void trap_init() {
  NEURON_CSR_WRITE(stvec, reinterpret_cast<std::uint64_t>(&trap_vector));
  NEURON_CSR_SET(sie, csr::kSieStie | csr::kSieSsie);
}

namespace {

const char* exception_name(std::uint64_t code) {
  switch (code) {
    case 0: return "instruction address misaligned";
    case 1: return "instruction access fault";
    case 2: return "illegal instruction";
    case 3: return "breakpoint";
    case 4: return "load address misaligned";
    case 5: return "load access fault";
    case 6: return "store address misaligned";
    case 7: return "store access fault";
    case 8: return "environment call from U-mode";
    case 9: return "environment call from S-mode";
    case 12: return "instruction page fault";
    case 13: return "load page fault";
    case 15: return "store page fault";
    default: return "unknown exception";
  }
}

}  // namespace
}  // namespace neuron::arch

extern "C" void trap_dispatch(neuron::arch::TrapFrame* frame) {
  using namespace neuron;
  const std::uint64_t scause = NEURON_CSR_READ(scause);
  if (!(scause & arch::csr::kScauseInterrupt)) {
    panic("%s (scause=%lu) at sepc=0x%lx stval=0x%lx", arch::exception_name(scause), scause,
          frame->sepc, NEURON_CSR_READ(stval));
  }
  const std::uint64_t code = scause & ~arch::csr::kScauseInterrupt;
  if (code == arch::csr::kIrqTimer) {
    kernel::handle_timer_irq();
  } else if (code == arch::csr::kIrqSoftware) {
    // Clear first: an IPI sent while we handle this one raises SSIP again and is not lost.
    NEURON_CSR_CLEAR(sip, arch::csr::kSipSsip);
    kernel::handle_ipi();
  } else {
    panic("unexpected interrupt %lu", code);
  }
  kernel::irq_exit();
}
