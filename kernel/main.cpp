// Boot, both branches. The boot hart (whatever its hart id) becomes cpu0 and runs kmain; every
// other hart enters secondary_main and waits in the holding pen; init_task runs the selftests and
// lets the other CPUs out. Each line is one step.
#include <cstdint>

#include "arch.h"
#include "boot.h"
#include "console.h"
#include "panic.h"
#include "percpu.h"
#include "scheduler.h"
#include "smp.h"
#include "tests/kbench.h"
#include "tests/selftest.h"
#include "trace.h"

extern "C" void (*__init_array_start[])();
extern "C" void (*__init_array_end[])();

namespace neuron {
namespace {

void run_constructors() {
  for (auto fn = __init_array_start; fn != __init_array_end; ++fn) (*fn)();
}

// The first task, on cpu0.
void init_task(void*) {
  selftest_begin();                           // KSELFTEST: begin
  bool ok = selftest_run(kSchedSelftests) &&  // single-CPU scheduler tests, cpu0 alone
            selftest_run(kUpGuaranteeSelftests) && selftest_run(kUpPrioritySelftests);
  if (ok && cpu_count() == 1) {
    kprintf("KSELFTEST: smp skipped (1 cpu)\n");
  } else if (ok && selftest_run(kBeforeSmpSelftests)) {  // cpu1, not started yet: offline
    smp_bring_online();                                  // KINIT: cpuN online, in CPU order
    ok = selftest_run(kSmpSelftests) &&                  // the first fails if a CPU is missing
         selftest_run(kSmpGuaranteeSelftests) && selftest_run(kSmpPrioritySelftests);
  } else {
    ok = false;
  }
#if defined(NEURON_KBENCH)
  if (ok) kbench_run();  // KBENCH lines (benchmark builds only)
#endif
  selftest_finish(ok);  // KSELFTEST: end, KSTAT, machine exit
}

}  // namespace

}  // namespace neuron

extern "C" [[noreturn]] void kmain(std::uint64_t hartid, const void* dtb) {
  using namespace neuron;
  Cpu& cpu0 = g_cpus[0];
  arch::set_cpu_pointer(&cpu0);  // tp: from here on this_cpu() and panic work
  run_constructors();
  cpu0.arch.hartid = hartid;

  const fdt::Summary& tree = boot_read_tree(hartid, dtb);  // panics if malformed
  arch::platform_init(tree);  // console UART and exit device, found in the tree

  char firmware[96];
  arch::describe_firmware(firmware, sizeof firmware);
  kprintf("NEURON SMP kernel\n");
  kprintf("KINFO: firmware %s\n", firmware);
  boot_report_tree();  // KINIT: memory ..., KINFO: kernel image and console
  kprintf("KINFO: runqueue=%s harts=%lu boot_hart=%lu timebase=%lu Hz\n", kRunQueueVariant,
          static_cast<unsigned long>(tree.harts_in_tree), hartid, tree.timebase_hz);
  if (tree.timebase_hz < config::kMinTimebaseHz || tree.timebase_hz > config::kMaxTimebaseHz) {
    panic("device tree timebase-frequency %lu Hz is outside %lu..%lu Hz", tree.timebase_hz,
          config::kMinTimebaseHz, config::kMaxTimebaseHz);
  }

  boot_check_args();                     // an unknown neuron.* argument is a panic
  smp_map_cpus(tree, hartid);            // cpu -> hart map: cpu0 is the boot hart
  trace_init();                          // neuron.trace=1: per-CPU trace buffers
  task_pool_init();                      // task slots and stacks
  sched_set_timebase(tree.timebase_hz);  // 10 ms tick in timebase units; tick origin
  auto boot_stack = static_cast<std::uint8_t*>(arch::boot_stack_base());
  stack_set_canary(boot_stack);         // cpu0's idle context runs on the boot stack
  sched_init_cpu(cpu0, 0, boot_stack);  // runqueues; this context becomes cpu0's idle task
  arch::trap_init();                    // trap vector; timer and software interrupts unmasked
  sched_start_tick();                   // first deadline
  cpu_set_online(0);
  kprintf("KINIT: cpu0 online\n");
  smp_start_secondaries();  // every other hart out of the firmware, waiting in the kernel's pen

  Task* init = task_create_blocked("init", QosClass::Normal, init_task, nullptr);
  if (!init) panic("no slot for init");
  if (!task_pin(init, 0))
    panic("cpu0 refused init");  // cpu0 prints the markers and drives the tests: it is never stolen
  task_wake(init);
  idle_loop();  // cpu0 runs tasks from here on
}

// Every other hart, entered from arch entry code on the CPU's own boot stack, tp = its block.
extern "C" [[noreturn]] void secondary_main(std::uint64_t hartid, neuron::Cpu* cpu) {
  using namespace neuron;
  if (smp_reenter_requested(cpu->id)) arch::reenter_boot_entry(hartid);  // test hook
  if (cpu->arch.hartid != hartid)
    panic("cpu%u started on hart %lu, expected %lu", cpu->id, hartid, cpu->arch.hartid);
  smp_wait_in_pen(*cpu);    // until init_task lets it out (smp_bring_online)
  arch::trap_init();        // trap vector; timer and software interrupts unmasked
  sched_start_tick();       // this CPU's tick, on the common origin
  cpu_set_online(cpu->id);  // the boot CPU prints "KINIT: cpuN online" once it sees this
  trace(TraceKind::Online, kTraceNoTask);
  idle_loop();
}
