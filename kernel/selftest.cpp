#include "selftest.h"

#include <cstdarg>

#include "boot.h"
#include "console.h"
#include "klib.h"
#include "panic.h"
#include "percpu.h"
#include "scheduler.h"

namespace neuron {
namespace {

char g_reason[160];

// Runs one table; false after the first failure (the caller stops the machine).
bool run_table(const Selftest* tests, unsigned count, const char* inject) {
  for (unsigned i = 0; i < count; ++i) {
    const Selftest& t = tests[i];
    const char* reason = t.fn();
    if (!reason && inject && kstrcmp(inject, t.id) == 0) reason = "injected by bootargs neuron.fail";
    if (reason) {
      kprintf("KSELFTEST: %s FAIL: %s\n", t.name, reason);
      return false;
    }
    kprintf("KSELFTEST: %s ok\n", t.name);
  }
  return true;
}

void print_stats() {
  const TaskCounters c = task_counters();
  for (std::uint32_t id = 0; id < cpu_count(); ++id) {
    const CpuStats& s = g_cpus[id].stats;
    kprintf("KSTAT: cpu%u ran=%lu stolen=%lu spilled=%lu ipis_sent=%lu ipis_recv=%lu idle_ticks=%lu\n",
            id, s.ran, s.stolen, s.spilled, s.ipis_sent, s.ipis_recv, s.idle_ticks);
  }
  kprintf("KSTAT: tasks created=%lu exited=%lu reaped=%lu stack_high_water=%lu/%lu bytes\n",
          c.created, c.exited, c.reaped, static_cast<unsigned long>(c.stack_high_water),
          static_cast<unsigned long>(config::kTaskStackSize));
}

}  // namespace

const char* fail(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  kvsnprintf(g_reason, sizeof g_reason, fmt, ap);
  va_end(ap);
  return g_reason;
}

bool wait_for_count(const std::atomic<std::uint32_t>& count, std::uint32_t target,
                    std::uint64_t max_ticks) {
  for (std::uint64_t waited = 0; waited <= max_ticks; ++waited) {
    // acquire: pairs with the release increments of the tasks being waited for, so their
    // results are visible once the count says they are done.
    if (count.load(std::memory_order_acquire) >= target) return true;
    task_sleep(1);
  }
  return false;
}

void selftest_main(void*) {
  char buf[32];
  if (boot_arg("neuron.panic", buf, sizeof buf)) panic("requested by bootargs neuron.panic=%s", buf);
  const char* inject = boot_arg("neuron.fail", buf, sizeof buf);

  kprintf("KSELFTEST: begin\n");
  const bool ok = run_table(kSchedSelftests, kSchedSelftestCount, inject);
  if (ok) kprintf("KSELFTEST: end\n");
  print_stats();
  arch::machine_exit(ok, 1);
}

}  // namespace neuron
