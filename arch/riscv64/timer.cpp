// Time base: rdtime for reading, the SBI TIME extension for the one-shot deadline.
#include "csr.h"
#include "kernel/arch.h"
#include "kernel/panic.h"
#include "sbi.h"

namespace neuron::arch {

std::uint64_t time_now() { return csr::read_time(); }

void timer_arm(std::uint64_t deadline) {
  // set_timer also clears the pending timer interrupt (SBI v1.0, TIME extension).
  const sbi::Result r = sbi::time::set_timer(deadline);
  if (!r.ok()) panic("sbi set_timer failed: %s", sbi::error_name(r.error));
}

PerfCounters perf_read() {
  PerfCounters c;
  // Zicntr: readable in S-mode because OpenSBI enables them in mcounteren.
  asm volatile("rdinstret %0" : "=r"(c.instructions));
  asm volatile("rdcycle %0" : "=r"(c.cycles));
  c.time = csr::read_time();
  return c;
}

void timer_disarm() { timer_arm(~std::uint64_t{0}); }

bool timer_pending() { return (NEURON_CSR_READ(sip) & csr::kSipStip) != 0; }

}  // namespace neuron::arch
