// SBI calls, grouped by extension (RISC-V SBI specification v1.0). Each wrapper names its EID and
// FID; errors come back typed.
#pragma once

#include <cstdint>

namespace neuron::arch::sbi {

enum class Error : long {
  Success = 0,
  Failed = -1,
  NotSupported = -2,
  InvalidParam = -3,
  Denied = -4,
  InvalidAddress = -5,
  AlreadyAvailable = -6,
  AlreadyStarted = -7,
  AlreadyStopped = -8,
};
const char* error_name(Error e);

struct Result {
  Error error;
  long value;
  bool ok() const { return error == Error::Success; }
};

enum class Eid : long {
  LegacyPutchar = 0x01,
  Base = 0x10,
  Time = 0x54494D45,    // "TIME"
  Ipi = 0x735049,       // "sPI"
  Rfence = 0x52464E43,  // "RFNC"
  Hsm = 0x48534D,       // "HSM"
  Srst = 0x53525354,    // "SRST"
  Pmu = 0x504D55,       // "PMU"
  Dbcn = 0x4442434E,    // "DBCN"
};

Result call(Eid eid, long fid, unsigned long a0 = 0, unsigned long a1 = 0, unsigned long a2 = 0);

namespace base {  // EID 0x10
long spec_version();
long impl_id();
long impl_version();
bool probe(Eid eid);
}  // namespace base

namespace time {  // EID "TIME"
Result set_timer(std::uint64_t stime_value);
}

namespace ipi {  // EID "sPI"
Result send_ipi(unsigned long hart_mask, unsigned long hart_mask_base);
}

namespace hsm {                                                           // EID "HSM"
inline constexpr long kHartStart = 0, kHartStop = 1, kHartGetStatus = 2;  // function ids
enum class HartState : long { Started = 0, Stopped = 1, StartPending = 2, StopPending = 3 };
Result hart_start(unsigned long hartid, unsigned long start_addr, unsigned long opaque);
Result hart_get_status(unsigned long hartid);
}  // namespace hsm

namespace srst {  // EID "SRST"
enum class ResetType : unsigned long { Shutdown = 0, ColdReboot = 1, WarmReboot = 2 };
enum class ResetReason : unsigned long { None = 0, SystemFailure = 1 };
Result system_reset(ResetType type, ResetReason reason);
}  // namespace srst

void legacy_putchar(char c);

}  // namespace neuron::arch::sbi
