// A broken invariant stops the machine at once: "KPANIC: cpuN: <reason>" on the console, then
// QEMU exits with a failure status.
#pragma once

namespace neuron {

[[noreturn]] void panic(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

#define KASSERT(cond)                                                                        \
  do {                                                                                       \
    if (!(cond)) ::neuron::panic("assertion failed: %s (%s:%d)", #cond, __FILE__, __LINE__); \
  } while (0)

}  // namespace neuron
