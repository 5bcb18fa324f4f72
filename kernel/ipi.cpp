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

namespace {

// Counts and records one request and sets its reason bit, before the firmware is asked.
void post(CpuStats& mine, std::uint32_t target, IpiReason reason, IpiDelivery delivery) {
  mine.add(mine.ipis_requested);
  // Recorded before the send: the target may wake and record its receipt before the call returns.
  if (delivery == IpiDelivery::Send) {
    trace(TraceKind::IpiSend, kTraceNoTask, target, static_cast<std::uint32_t>(reason));
  }
  // release: whatever the sender published for this reason (an inbox entry) is visible to the
  // target's acquire exchange in handle_ipi.
  g_cpus[target].ipi_reasons.fetch_or(static_cast<std::uint32_t>(reason),
                                      std::memory_order_release);
}

}  // namespace

IpiError ipi_send(std::uint32_t target, IpiReason reason, IpiDelivery delivery) {
  if (target >= config::kMaxCpus) return IpiError::InvalidCpu;
  if (!cpu_is_online(target)) return IpiError::Offline;
  IrqSave irq;  // count on the CPU that sends: no migration between the counters
  CpuStats& mine = this_cpu().stats;
  post(mine, target, reason, delivery);
  if (delivery == IpiDelivery::Suppress) return IpiError::None;
  mine.add(mine.ipi_calls);
  if (!arch::send_ipi(g_cpus[target].arch.hartid).ok()) return IpiError::SendFailed;
  mine.add(mine.ipis_sent);
  return IpiError::None;
}

IpiError ipi_send_many(const CpuMask& targets, IpiReason reason) {
  bool online = true;
  const std::uint32_t n = cpu_count();  // no CPU past it is ever in a set
  targets.for_each([&](std::uint32_t id) { online = online && cpu_is_online(id); }, n);
  if (!online) return IpiError::Offline;
  IrqSave irq;  // as in ipi_send
  CpuStats& mine = this_cpu().stats;
  arch::IpiBatch batch;
  bool sent = true;
  targets.for_each(
      [&](std::uint32_t id) {
        post(mine, id, reason, IpiDelivery::Send);
        sent = batch.add(g_cpus[id].arch.hartid).ok() && sent;
      },
      n);
  sent = batch.flush().ok() && sent;
  mine.add(mine.ipi_calls, batch.calls());
  mine.add(mine.ipis_sent, batch.accepted());
  return sent ? IpiError::None : IpiError::SendFailed;
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
