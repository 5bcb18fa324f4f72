// The arch interface: everything generic kernel code may ask of the machine. Declared here,
// implemented once per architecture under arch/<name>/ (today arch/riscv64/).
#pragma once

#include <arch/cpu_local.h>  // cpu_pointer, set_cpu_pointer, irq_save/restore/enable/enabled/state_on
#include <arch/types.h>

#include "fdt.h"

#include <cstddef>
#include <cstdint>

namespace neuron::arch {

// --- Per-CPU pointer and interrupt state: inline, in <arch/cpu_local.h> ---------------------

// --- Interrupts -------------------------------------------------------------------------------
// Sleep until an interrupt is pending. Called with interrupts off, they stay off, so a wake-up
// that arrives between the caller's last check and this call is not lost (it stays pending);
// with interrupts on, the interrupt is taken as it returns.
void wait_for_interrupt();
void trap_init();  // install the trap vector and unmask the interrupt sources this CPU uses
// For a CPU that waits, interrupts off, for another CPU to let it go: only a software interrupt
// (an IPI) may end its wait_for_interrupt() from now on; trap_init() unmasks the rest later.
void unmask_only_ipi();

// --- Time -------------------------------------------------------------------------------------
std::uint64_t time_now();  // timebase ticks since an arbitrary origin
void timer_arm(std::uint64_t deadline);
void timer_disarm();
bool timer_pending();  // this CPU's timer interrupt is pending (raised, not yet taken)

// Lowest address of the boot hart's stack (cpu0's idle context), config::kBootStackSize bytes.
void* boot_stack_base();

// Hardware counters for benchmarks: timebase ticks, cycles and retired instructions. Under QEMU,
// cycles and instructions follow the host clock unless it runs with -icount.
struct PerfCounters {
  std::uint64_t time, cycles, instructions;
};
PerfCounters perf_read();

// --- Tasks ------------------------------------------------------------------------------------
// Prepare `ctx` so that switching to it calls entry(arg) on the given stack.
void context_init(Context& ctx, void* stack_top, void (*entry)(void*), void* arg);
extern "C" void context_switch(Context* from, Context* to);

// --- Other CPUs -------------------------------------------------------------------------------
// The firmware's answer to a request about a hart: ok, or an error that hart_status_name names.
struct [[nodiscard]] HartStatus {
  long code;  // 0: ok; otherwise the firmware's error code (RISC-V: an SBI error)
  bool ok() const { return code == 0; }
};
const char* hart_status_name(HartStatus s);  // e.g. "SBI_ERR_INVALID_ADDRESS"

// Starts `hartid` at the secondary entry with `cpu_block` (its per-CPU block, stack_top filled in)
// as the only argument. Returns once the firmware accepted the request, not when the hart runs.
HartStatus cpu_start(std::uint64_t hartid, void* cpu_block);
HartStatus send_ipi(std::uint64_t hartid);
// IPIs to several harts, the harts of one window (RISC-V SBI: 64 hart ids from a multiple of 64)
// in one firmware call. Harts are added in any order; one outside the open window sends that
// window first, so harts added window by window cost one call per window. flush() sends the last.
class IpiBatch {
 public:
  HartStatus add(std::uint64_t hartid);  // the status of the window it sent, if any
  HartStatus flush();
  std::uint32_t calls() const { return calls_; }        // firmware calls made
  std::uint32_t accepted() const { return accepted_; }  // harts in windows the firmware took
 private:
  std::uint64_t base_ = 0, mask_ = 0;  // the open window: its first hart id, a bit per hart
  std::uint32_t open_ = 0, calls_ = 0, accepted_ = 0;
};
// Starts a hart the kernel does not manage in a loop that waits for good, every interrupt masked,
// so that it leaves the firmware (whose wait for a start spins under QEMU).
HartStatus cpu_park(std::uint64_t hartid);
// False only when the firmware says it has no hart `hartid` (it cannot ever start it).
bool cpu_known(std::uint64_t hartid);
// True when the firmware reports `hartid` stopped (never started, or handed back to it).
bool cpu_is_stopped(std::uint64_t hartid);
// True when the firmware reports `hartid` on its way to our entry (start pending) or there, or on
// its way back to the firmware (stop pending), to be started again.
bool cpu_start_under_way(std::uint64_t hartid);

// --- Machine ----------------------------------------------------------------------------------
// The devices the arch drives, by "compatible" string: the boot CPU looks for them in the device
// tree (fdt::Request::wanted) and hands what it found to platform_init.
struct PlatformDevices {
  const char* const* compatible;
  std::size_t count;
  std::size_t console;  // compatible[console] is the console UART's (fdt::Request::console)
};
PlatformDevices platform_devices();
// The memory the kernel occupies from its first byte to its last (code, data, stacks, pools,
// trace buffers): the device tree must give it as usable memory (fdt::Request::image).
fdt::Range kernel_image();
// Sets up the console UART and the exit device found in the tree. Until then the console goes
// through the firmware.
void platform_init(const fdt::Summary& tree);
// One line naming the firmware and the services it offers, e.g.
// "OpenSBI 1.1, SBI 1.0: base time ipi rfence hsm srst pmu".
void describe_firmware(char* buf, unsigned len);
void console_write(const char* s, std::size_t n);  // raw, unlocked: the console layer locks
void cpu_relax();
[[noreturn]] void machine_exit(bool success, std::uint32_t code);
[[noreturn]] void halt_this_cpu();

// --- Test hooks: only selftests and bootargs-driven failure tests call these ------------------
// cpu_start, but at an address inside firmware memory, which the firmware must refuse.
HartStatus cpu_start_at_firmware_address(std::uint64_t hartid, void* cpu_block);
// Re-enters the kernel's boot entry on this hart, as a late hart misdirected by the firmware
// does. The entry code must send it back to the firmware.
[[noreturn]] void reenter_boot_entry(std::uint64_t hartid);

}  // namespace neuron::arch
