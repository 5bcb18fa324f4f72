#include "kernel/tests/selftest.h"

#include <cstdarg>

#include "kernel/boot.h"
#include "kernel/console.h"
#include "kernel/klib.h"
#include "kernel/mutant.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "kernel/scheduler.h"
#include "kernel/smp.h"
#include "kernel/trace.h"

namespace neuron {
namespace {

// neuron.overflow=1: a task overwrites its own stack's canary, as an overflow reaching the
// bottom would, and yields: the switch must see it and panic. Were the check at the switch gone,
// the task would block for good and the boot CPU would panic with "went unnoticed" instead.
void smash_own_canary(void*) {
  *reinterpret_cast<volatile std::uint64_t*>(task_current()->stack) = 0;
  task_yield();
  for (;;) task_block();
}

void overflow_on_request() {
  char buf[8];
  const char* v = boot_arg("neuron.overflow", buf, sizeof buf);
  if (!v) return;
  if (kstrcmp(v, "1") != 0) panic("neuron.overflow=%s: expected 1", v);
  if (!task_create("stack-smasher", QosClass::Normal, smash_own_canary, nullptr)) {
    panic("neuron.overflow: no task slot");
  }
  task_sleep(2);  // the smasher runs first (our class, queued behind us), then the check
  panic("neuron.overflow: the smashed canary went unnoticed");
}

char g_reason[160];
char g_inject[48];  // bootargs neuron.fail=<id>, or empty

// Does a selftest with this id run in this boot (the SMP tables only with two harts or more)?
bool selftest_runs(const char* id) {
  const SelftestTable* const up[] = {&kSchedSelftests, &kUpGuaranteeSelftests,
                                     &kUpPrioritySelftests};
  const SelftestTable* const smp[] = {&kBeforeSmpSelftests, &kSmpSelftests, &kSmpGuaranteeSelftests,
                                      &kSmpPrioritySelftests};
  auto in = [id](const SelftestTable* t) {
    for (unsigned i = 0; i < t->count; ++i) {
      if (kstrcmp(t->tests[i].id, id) == 0) return true;
    }
    return false;
  };
  for (const SelftestTable* t : up) {
    if (in(t)) return true;
  }
  for (const SelftestTable* t : smp) {
    if (cpu_count() > 1 && in(t)) return true;
  }
  return false;
}
bool g_exact_time = false;

void print_stats() {
  const TaskCounters c = task_counters();
  // relaxed loads: statistics of CPUs that may still be running; exact values do not matter.
  auto v = [](const CpuStats::Counter& c) { return c.load(std::memory_order_relaxed); };
  for (std::uint32_t id = 0; id < cpu_count(); ++id) {
    const CpuStats& s = g_cpus[id].stats;
    kprintf(
        "KSTAT: cpu%u ran=%lu stolen=%lu steals=%lu spilled=%lu inbox_pushes=%lu "
        "inbox_coalesced=%lu inbox_drains=%lu ipis_sent=%lu ipis_recv=%lu idle_ticks=%lu "
        "ticks_rearmed=%lu\n",
        id, v(s.ran), v(s.stolen), v(s.steals), v(s.spilled), v(s.inbox_pushes),
        v(s.inbox_pushes_coalesced), v(s.inbox_drains), v(s.ipis_sent), v(s.ipis_recv),
        v(s.idle_ticks), v(s.ticks_rearmed));
  }
  kprintf("KSTAT: tasks created=%lu exited=%lu reaped=%lu stack_high_water=%lu/%lu bytes\n",
          c.created, c.exited, c.reaped, static_cast<unsigned long>(task_stack_high_water()),
          static_cast<unsigned long>(config::kTaskStackSize));
  if (cpu_count() > 1) {
    kprintf("KSTAT: secondary boot stacks high_water=%lu/%lu bytes\n",
            static_cast<unsigned long>(smp_boot_stack_high_water()),
            static_cast<unsigned long>(config::kBootStackSize));
  }
}

}  // namespace

std::atomic<std::uint32_t> mutant::g_trial{0};

bool selftest_exact_time() { return g_exact_time; }

const char* fail(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  kvsnprintf(g_reason, sizeof g_reason, fmt, ap);
  va_end(ap);
  return g_reason;
}

void selftest_begin() {
  char buf[32];
  if (boot_arg("neuron.panic", buf, sizeof buf))
    panic("requested by bootargs neuron.panic=%s", buf);
  overflow_on_request();
  if (!boot_arg("neuron.fail", g_inject, sizeof g_inject)) {
    g_inject[0] = '\0';
  } else if (!selftest_runs(g_inject)) {
    panic("neuron.fail=%s: no selftest of that id runs with %u hart%s", g_inject, cpu_count(),
          cpu_count() == 1 ? "" : "s");
  }
  if (const char* v = boot_arg("neuron.exact", buf, sizeof buf)) {
    std::uint32_t on = 0;
    if (!kparse_u32(v, on) || on > 1) panic("neuron.exact=%s: expected 0 or 1", v);
    g_exact_time = on == 1;
  }
  kprintf("KSELFTEST: begin\n");
}

bool selftest_run(const SelftestTable& table) {
  for (unsigned i = 0; i < table.count; ++i) {
    const Selftest& t = table.tests[i];
    const char* reason = t.fn();
    if (!reason && kstrcmp(g_inject, t.id) == 0) reason = "injected by bootargs neuron.fail";
    if (reason) {
      kprintf("KSELFTEST: %s FAIL: %s\n", t.name, reason);
      return false;
    }
    kprintf("KSELFTEST: %s ok\n", t.name);
  }
  return true;
}

void selftest_finish(bool ok) {
  if (ok) kprintf("KSELFTEST: end\n");
  print_stats();
  trace_dump();  // KTRACE lines, if neuron.trace=1
  arch::machine_exit(ok, 1);
}

}  // namespace neuron
