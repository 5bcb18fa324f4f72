#include "ipi.h"

#include "irq_lock.h"
#include "percpu.h"
#include "scheduler.h"
#include "trace.h"

namespace neuron {

const char* ipi_error_name(IpiError e) {
  switch (e) {
    case IpiError::None: return "none";
    case IpiError::InvalidCpu: return "invalid target cpu";
    case IpiError::Offline: return "target cpu offline";
    case IpiError::SendFailed: return "firmware refused the IPI";
  }
  return "?";
}

IpiError ipi_send(std::uint32_t target, IpiReason reason, IpiDelivery delivery) {
  if (target >= config::kMaxCpus) return IpiError::InvalidCpu;
  if (!cpu_is_online(target)) return IpiError::Offline;
  IrqSave irq;  // count on the CPU that sends: no migration between the counters
  CpuStats& mine = this_cpu().stats;
  mine.add(mine.ipis_requested);
  // Recorded before the send: the target may wake and record its receipt before the call returns.
  if (delivery == IpiDelivery::Send) {
    trace(TraceKind::IpiSend, kTraceNoTask, target, static_cast<std::uint32_t>(reason));
  }
  // release: whatever the sender published for this reason (an inbox entry) is visible to the
  // target's acquire exchange in handle_ipi.
  g_cpus[target].ipi_reasons.fetch_or(static_cast<std::uint32_t>(reason),
                                      std::memory_order_release);
  if (delivery == IpiDelivery::Suppress) return IpiError::None;
  if (!arch::send_ipi(g_cpus[target].arch.hartid).ok()) return IpiError::SendFailed;
  mine.add(mine.ipis_sent);
  return IpiError::None;
}

namespace kernel {

void handle_ipi() {
  Cpu& cpu = this_cpu();
  // acquire: pairs with the senders' release fetch_or; take every pending reason at once.
  const std::uint32_t reasons = cpu.ipi_reasons.exchange(0, std::memory_order_acquire);
  // None: an IPI whose reasons an earlier trap already took. Only traps that deliver something
  // count as received.
  if (reasons == 0) return;
  cpu.stats.add(cpu.stats.ipis_recv);
  trace(TraceKind::IpiRecv, kTraceNoTask, reasons);
  if (reasons & static_cast<std::uint32_t>(IpiReason::Resched)) {
    // Owner operation, safe here: interrupts are off. It asks for a switch only if something it
    // queued outranks the current task; an idle CPU looks for work in its own loop.
    sched_drain_inbox(cpu);
    cpu.stats.add(cpu.stats.ipis_acked);
  }
  // A busy CPU switches at the trap's exit and pulls in schedule(); an idle one looks in its loop.
  if (reasons & static_cast<std::uint32_t>(IpiReason::Pull) && !cpu.current->is_idle) {
    cpu.need_resched = true;
  }
}

}  // namespace kernel
}  // namespace neuron
