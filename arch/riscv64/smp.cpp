// Secondary harts and IPIs through the SBI HSM and IPI extensions.
#include "kernel/arch.h"
#include "sbi.h"

extern "C" void secondary_entry();
extern "C" void park_entry();
extern "C" void _start();

namespace neuron::arch {
namespace {
// QEMU virt: OpenSBI lives in the first 512 KiB of RAM and refuses start addresses there.
constexpr unsigned long kFirmwareAddress = 0x80000000;

HartStatus start(std::uint64_t hartid, unsigned long entry, void* cpu_block) {
  // ALREADY_AVAILABLE means the hart is running someone else's code (the boot hart answers
  // so): that is a failure to start *ours*, never a secondary coming online.
  return {static_cast<long>(
      sbi::hsm::hart_start(hartid, entry, reinterpret_cast<unsigned long>(cpu_block)).error)};
}

}  // namespace

const char* hart_status_name(HartStatus s) {
  return sbi::error_name(static_cast<sbi::Error>(s.code));
}

HartStatus cpu_start(std::uint64_t hartid, void* cpu_block) {
  return start(hartid, reinterpret_cast<unsigned long>(&secondary_entry), cpu_block);
}

HartStatus cpu_start_at_firmware_address(std::uint64_t hartid, void* cpu_block) {
  return start(hartid, kFirmwareAddress, cpu_block);
}

HartStatus cpu_park(std::uint64_t hartid) {
  return start(hartid, reinterpret_cast<unsigned long>(&park_entry), nullptr);
}

void reenter_boot_entry(std::uint64_t hartid) {
  asm volatile("mv a0, %0\n\tjr %1" ::"r"(hartid), "r"(&_start) : "a0", "memory");
  __builtin_unreachable();
}

bool cpu_start_under_way(std::uint64_t hartid) {
  const sbi::Result r = sbi::hsm::hart_get_status(hartid);
  // StopPending too: a late hart stopping itself (entry.S) is on its way back to be restarted.
  return r.ok() && (r.value == static_cast<long>(sbi::hsm::HartState::StartPending) ||
                    r.value == static_cast<long>(sbi::hsm::HartState::Started) ||
                    r.value == static_cast<long>(sbi::hsm::HartState::StopPending));
}

bool cpu_known(std::uint64_t hartid) {
  // SBI HSM: hart_get_status answers SBI_ERR_INVALID_PARAM for a hart id it does not manage.
  // Any other error (no HSM at all, a failure) keeps the hart: its start then fails loudly.
  return sbi::hsm::hart_get_status(hartid).error != sbi::Error::InvalidParam;
}

bool cpu_is_stopped(std::uint64_t hartid) {
  const sbi::Result r = sbi::hsm::hart_get_status(hartid);
  return r.ok() && r.value == static_cast<long>(sbi::hsm::HartState::Stopped);
}

HartStatus send_ipi(std::uint64_t hartid) {
  // hart_mask is relative to hart_mask_base: one bit for our hart, in its 64-hart window.
  return {static_cast<long>(sbi::ipi::send_ipi(1ul << (hartid % 64), hartid - hartid % 64).error)};
}

// sbi_send_ipi takes a mask of XLEN harts from hart_mask_base (SBI spec, IPI extension).
constexpr std::uint64_t kIpiWindow = 64;

HartStatus IpiBatch::add(std::uint64_t hartid) {
  HartStatus s{0};
  if (open_ != 0 && (hartid < base_ || hartid - base_ >= kIpiWindow)) s = flush();
  if (open_ == 0) base_ = hartid - hartid % kIpiWindow;
  const std::uint64_t bit = 1ul << (hartid - base_);
  if (!(mask_ & bit)) ++open_;
  mask_ |= bit;
  return s;
}

HartStatus IpiBatch::flush() {
  if (open_ == 0) return {0};
  const HartStatus s{static_cast<long>(sbi::ipi::send_ipi(mask_, base_).error)};
  ++calls_;
  if (s.ok()) accepted_ += open_;
  mask_ = 0;
  open_ = 0;
  return s;
}

}  // namespace neuron::arch
