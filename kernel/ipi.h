// Inter-processor interrupts: a mailbox of reason bits per CPU, delivered by the arch's IPI.
//
// Sender: validate the target, count the request, set the reason bit (fetch_or), then ask the
// firmware to raise the target's software interrupt. Target (trap handler, interrupts off):
// count the trap, take every pending reason at once (exchange(0)) and handle each.
#pragma once

#include <cstdint>

#include "cpumask.h"

namespace neuron {

enum class IpiReason : std::uint32_t {
  Resched = 1u << 0,  // new work in your inbox, or work to steal: drain, then look
  Pull = 1u << 1,     // a class above the one you run waits on another CPU: reschedule and pull
};

enum class IpiError { None, InvalidCpu, Offline, SendFailed };
const char* ipi_error_name(IpiError e);

// Test hook: Suppress does everything but the firmware call, to prove that what follows a real
// send is caused by the interrupt and not by polling or the tick.
enum class IpiDelivery { Send, Suppress };

// Refuses (before counting anything) a target id out of range or a CPU that is not online.
IpiError ipi_send(std::uint32_t target, IpiReason reason, IpiDelivery delivery = IpiDelivery::Send);
// The same reason to every CPU in `targets` (ids below cpu_count(); no others are looked at),
// one firmware call per run of CPUs whose harts share a window (arch::IpiBatch). Refuses the
// whole set, before counting anything, if a CPU in it is not online.
IpiError ipi_send_many(const CpuMask& targets, IpiReason reason);

// The arch trap handler's entry for a software interrupt: takes the pending reasons and acts on
// them (Resched: drain the inbox). Interrupts off.
namespace kernel {
void handle_ipi();
}  // namespace kernel

}  // namespace neuron
