// CPU-local primitives: wfi, task contexts (tp and the interrupt state are inline:
// arch/cpu_local.h).
#include "csr.h"
#include "kernel/arch.h"
#include "sched/platform.h"

extern "C" void task_trampoline();
extern "C" std::uint8_t boot_stack[];

namespace neuron::arch {

static_assert(kIrqOn == csr::kSstatusSie);

void wait_for_interrupt() {
  // With sstatus.SIE clear, wfi still returns once an interrupt enabled in sie is pending; the
  // interrupt is taken when the caller re-enables SIE.
  asm volatile("wfi" ::: "memory");
}

void cpu_relax() { sched::cpu_relax(); }  // Zihintpause `pause`, shared with the runqueues

void context_init(Context& ctx, void* stack_top, void (*entry)(void*), void* arg) {
  ctx = Context{};
  ctx.ra = reinterpret_cast<std::uint64_t>(&task_trampoline);
  ctx.sp = reinterpret_cast<std::uint64_t>(stack_top) & ~std::uint64_t{15};  // psABI: 16-byte sp
  ctx.s[0] = reinterpret_cast<std::uint64_t>(entry);
  ctx.s[1] = reinterpret_cast<std::uint64_t>(arg);
}

void* boot_stack_base() { return boot_stack; }

void halt_this_cpu() {
  NEURON_CSR_CLEAR(sstatus, csr::kSstatusSie);
  for (;;) asm volatile("wfi");
}

}  // namespace neuron::arch
