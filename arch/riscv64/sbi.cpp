#include "sbi.h"

namespace neuron::arch::sbi {

Result call(Eid eid, long fid, unsigned long a0, unsigned long a1, unsigned long a2) {
  register unsigned long r_a0 asm("a0") = a0;
  register unsigned long r_a1 asm("a1") = a1;
  register unsigned long r_a2 asm("a2") = a2;
  register long r_a6 asm("a6") = fid;
  register long r_a7 asm("a7") = static_cast<long>(eid);
  asm volatile("ecall" : "+r"(r_a0), "+r"(r_a1) : "r"(r_a2), "r"(r_a6), "r"(r_a7) : "memory");
  return {static_cast<Error>(r_a0), static_cast<long>(r_a1)};
}

const char* error_name(Error e) {
  switch (e) {
    case Error::Success: return "SBI_SUCCESS";
    case Error::Failed: return "SBI_ERR_FAILED";
    case Error::NotSupported: return "SBI_ERR_NOT_SUPPORTED";
    case Error::InvalidParam: return "SBI_ERR_INVALID_PARAM";
    case Error::Denied: return "SBI_ERR_DENIED";
    case Error::InvalidAddress: return "SBI_ERR_INVALID_ADDRESS";
    case Error::AlreadyAvailable: return "SBI_ERR_ALREADY_AVAILABLE";
    case Error::AlreadyStarted: return "SBI_ERR_ALREADY_STARTED";
    case Error::AlreadyStopped: return "SBI_ERR_ALREADY_STOPPED";
  }
  return "SBI_ERR_UNKNOWN";
}

namespace base {
long spec_version() { return call(Eid::Base, 0).value; }
long impl_id() { return call(Eid::Base, 1).value; }
long impl_version() { return call(Eid::Base, 2).value; }
bool probe(Eid eid) { return call(Eid::Base, 3, static_cast<unsigned long>(eid)).value != 0; }
}  // namespace base

namespace time {
Result set_timer(std::uint64_t stime_value) { return call(Eid::Time, 0, stime_value); }
}  // namespace time

namespace ipi {
Result send_ipi(unsigned long hart_mask, unsigned long hart_mask_base) {
  return call(Eid::Ipi, 0, hart_mask, hart_mask_base);
}
}  // namespace ipi

namespace hsm {
Result hart_start(unsigned long hartid, unsigned long start_addr, unsigned long opaque) {
  return call(Eid::Hsm, kHartStart, hartid, start_addr, opaque);
}
Result hart_get_status(unsigned long hartid) { return call(Eid::Hsm, kHartGetStatus, hartid); }
}  // namespace hsm

namespace srst {
Result system_reset(ResetType type, ResetReason reason) {
  return call(Eid::Srst, 0, static_cast<unsigned long>(type), static_cast<unsigned long>(reason));
}
}  // namespace srst

void legacy_putchar(char c) { call(Eid::LegacyPutchar, 0, static_cast<unsigned char>(c)); }

}  // namespace neuron::arch::sbi
