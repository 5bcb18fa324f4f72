// Boot sequence. The boot hart (whatever its hart id) becomes cpu0 and runs kmain; init_task
// then runs the selftests and brings up the other CPUs. Each line is one step.
#include <cstdint>

#include "arch.h"
#include "boot.h"
#include "bootargs.h"
#include "console.h"
#include "kbench.h"
#include "panic.h"
#include "percpu.h"
#include "scheduler.h"
#include "selftest.h"
#include "smp.h"

extern "C" void (*__init_array_start[])();
extern "C" void (*__init_array_end[])();

namespace neuron {
namespace {

fdt::Summary g_tree;

void run_constructors() {
  for (auto fn = __init_array_start; fn != __init_array_end; ++fn) (*fn)();
}

// The first task, on cpu0.
void init_task(void*) {
  selftest_begin();                           // KSELFTEST: begin
  bool ok = selftest_run(kSchedSelftests) &&  // single-CPU scheduler tests, cpu0 alone
            selftest_run(kUpGuaranteeSelftests);
  if (ok && cpu_count() == 1) {
    kprintf("KSELFTEST: smp skipped (1 cpu)\n");
  } else if (ok && selftest_run(kBeforeSmpSelftests)) {  // cpu1, not started yet: offline
    smp_bring_online();                                  // KINIT: cpuN online, in CPU order
    ok = selftest_run(kSmpSelftests) &&                  // the first fails if a CPU is missing
         selftest_run(kSmpGuaranteeSelftests);
  } else {
    ok = false;
  }
#if defined(NEURON_KBENCH)
  if (ok) kbench_run();  // KBENCH lines (benchmark builds only)
#endif
  selftest_finish(ok);  // KSELFTEST: end, KSTAT, machine exit
}

}  // namespace

const fdt::Summary& boot_tree() { return g_tree; }

const char* boot_arg(const char* key, char* buf, unsigned len) {
  return bootargs_find(g_tree.bootargs, key, buf, len);
}

}  // namespace neuron

extern "C" [[noreturn]] void kmain(std::uint64_t hartid, const void* dtb) {
  using namespace neuron;
  Cpu& cpu0 = g_cpus[0];
  arch::set_cpu_pointer(&cpu0);  // tp: from here on this_cpu() and panic work
  run_constructors();
  cpu0.arch.hartid = hartid;

  const arch::PlatformDevices devices = arch::platform_devices();
  const fdt::Request wanted{hartid, devices.compatible, devices.count};
  if (const fdt::Error e = fdt::parse(dtb, config::kMaxDeviceTreeSize, wanted, g_tree)) {
    panic("device tree: %s at offset %u", e.what, e.offset);
  }
  arch::platform_init(g_tree);  // console UART and exit device, found in the tree

  char firmware[96];
  arch::describe_firmware(firmware, sizeof firmware);
  kprintf("NEURON SMP kernel\n");
  kprintf("KINFO: firmware %s\n", firmware);
  kprintf("KINFO: runqueue=%s harts=%lu boot_hart=%lu timebase=%lu Hz\n", kRunQueueVariant,
          static_cast<unsigned long>(g_tree.harts_in_tree), hartid, g_tree.timebase_hz);
  if (g_tree.timebase_hz < config::kMinTimebaseHz || g_tree.timebase_hz > config::kMaxTimebaseHz) {
    panic("device tree timebase-frequency %lu Hz is outside %lu..%lu Hz", g_tree.timebase_hz,
          config::kMinTimebaseHz, config::kMaxTimebaseHz);
  }

  smp_map_cpus(g_tree, hartid);            // cpu -> hart map: cpu0 is the boot hart
  task_pool_init();                        // task slots and stacks
  sched_set_timebase(g_tree.timebase_hz);  // 10 ms tick in timebase units; tick origin
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
  task_pin(init, 0);  // cpu0 prints the markers and drives the tests: it is never stolen
  task_wake(init);
  idle_loop();  // cpu0 runs tasks from here on
}
