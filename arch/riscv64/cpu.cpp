// CPU-local primitives: the per-CPU pointer in tp, interrupt enable/disable, wfi, task contexts.
#include "csr.h"
#include "kernel/arch.h"
#include "sched/platform.h"

extern "C" void task_trampoline();
extern "C" std::uint8_t boot_stack[];

namespace neuron::arch {

void* cpu_pointer() {
  void* p;
  asm volatile("mv %0, tp" : "=r"(p));
  return p;
}

void set_cpu_pointer(void* cpu) { asm volatile("mv tp, %0" ::"r"(cpu) : "memory"); }

IrqState irq_save() {
  IrqState old;
  // csrrc reads and clears SIE in one instruction: no interrupt can slip in between.
  asm volatile("csrrc %0, sstatus, %1" : "=r"(old) : "r"(csr::kSstatusSie) : "memory");
  return old & csr::kSstatusSie;
}

void irq_restore(IrqState s) {
  if (s & csr::kSstatusSie) NEURON_CSR_SET(sstatus, csr::kSstatusSie);
}

void irq_enable() { NEURON_CSR_SET(sstatus, csr::kSstatusSie); }

bool irq_enabled() { return (NEURON_CSR_READ(sstatus) & csr::kSstatusSie) != 0; }

bool irq_state_on(IrqState s) { return (s & csr::kSstatusSie) != 0; }

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
