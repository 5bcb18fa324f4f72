#include "panic.h"

#include <cstdarg>

#include "arch.h"
#include "console.h"
#include "percpu.h"
#include "trace.h"

namespace neuron {

[[noreturn]] void panic(const char* fmt, ...) {
  (void)arch::irq_save();  // never restored: this CPU stops here
  char reason[200];
  va_list ap;
  va_start(ap, fmt);
  kvsnprintf(reason, sizeof reason, fmt, ap);
  va_end(ap);
  const void* cpu = arch::cpu_pointer();
  if (cpu) {
    kprintf_emergency("KPANIC: cpu%u: %s\n", static_cast<const Cpu*>(cpu)->id, reason);
  } else {
    kprintf_emergency("KPANIC: early boot: %s\n", reason);
  }
  trace_dump(/*emergency=*/true);  // what led here, if tracing is on
  arch::machine_exit(false, 2);
}

}  // namespace neuron
