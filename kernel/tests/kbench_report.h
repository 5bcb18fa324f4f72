// KBENCH line output shared by the in-kernel benchmarks (see kbench.h for the format).
#pragma once

#include <cstdint>

#include "kernel/console.h"
#include "kernel/percpu.h"
#include "kernel/runqueue_select.h"

namespace neuron {

// Prints value = num / den with three decimals, in integers (the kernel has no floating point).
inline void kbench_report(const char* name, std::uint64_t num, std::uint64_t den,
                          const char* unit) {
  const std::uint64_t milli = den ? num * 1000 / den : 0;
  kprintf("KBENCH: %s %s smp=%u value=%lu.%03lu unit=%s\n", name, kRunQueueVariant, cpu_count(),
          milli / 1000, milli % 1000, unit);
}

// kbench_report for the line named `name` followed by `suffix` (e.g. "rq_steal" "_time").
inline void kbench_report(const char* name, const char* suffix, std::uint64_t num,
                          std::uint64_t den, const char* unit) {
  char full[64];
  unsigned n = 0;
  for (const char* p = name; *p && n + 1 < sizeof full; ++p) full[n++] = *p;
  for (const char* p = suffix; *p && n + 1 < sizeof full; ++p) full[n++] = *p;
  full[n] = '\0';
  kbench_report(full, num, den, unit);
}

// Sorts a few samples in place (insertion sort), for a median or percentiles.
inline void kbench_sort(std::uint64_t* v, std::uint32_t n) {
  for (std::uint32_t i = 1; i < n; ++i) {
    for (std::uint32_t j = i; j > 0 && v[j] < v[j - 1]; --j) {
      const std::uint64_t t = v[j];
      v[j] = v[j - 1];
      v[j - 1] = t;
    }
  }
}

}  // namespace neuron
