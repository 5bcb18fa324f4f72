#include "smp.h"

#include "boot.h"
#include "console.h"
#include "klib.h"
#include "panic.h"
#include "percpu.h"
#include "scheduler.h"

namespace neuron {
namespace {

constexpr std::uint64_t kStartTimeoutMs = 1000;

// Boot (and idle) stacks of the secondaries; cpu0 runs on the one in arch entry code.
alignas(16) std::uint8_t g_boot_stacks[config::kMaxCpus][config::kBootStackSize];

constexpr int kStartAttempts = 3;

// Starts cpu `cpu` and waits for it to set its online bit. A hart that the firmware sends to the
// boot entry instead of ours stops itself again (arch entry code); it is then started once more,
// up to kStartAttempts in all. Returns nullptr once the CPU is online, or why it is not.
const char* start_and_wait(Cpu& cpu, arch::StartMode mode) {
  const std::uint64_t budget = boot_tree().timebase_hz / 1000 * kStartTimeoutMs;
  for (int attempt = 1; attempt <= kStartAttempts; ++attempt) {
    if (const char* err = arch::cpu_start(cpu.arch.hartid, &cpu, mode)) return err;
    const std::uint64_t deadline = arch::time_now() + budget;
    // Our accepted start left the hart start-pending or started: stopped again means it came
    // back through the boot entry.
    while (!cpu_is_online(cpu.id) && !arch::cpu_is_stopped(cpu.arch.hartid)) {
      if (arch::time_now() > deadline) return "not online after 1000 ms";
      arch::cpu_relax();
    }
    if (cpu_is_online(cpu.id)) return nullptr;
    kprintf("KINFO: cpu%u came back through the boot entry; starting it again\n", cpu.id);
  }
  return "kept returning to the firmware";
}

}  // namespace

void smp_map_cpus(const fdt::Summary& tree, std::uint64_t boot_hartid) {
  std::uint32_t n = 1;
  bool boot_listed = false;
  for (std::size_t i = 0; i < tree.hart_count; ++i) {
    if (tree.harts[i] == boot_hartid) {
      boot_listed = true;
    } else if (n < config::kMaxCpus) {
      g_cpus[n++].arch.hartid = tree.harts[i];
    }
  }
  if (!boot_listed) panic("boot hart %lu is not in the device tree", boot_hartid);
  if (tree.hart_count > config::kMaxCpus || tree.hart_list_truncated) {
    kprintf("KINFO: the device tree lists more harts than the %lu this kernel manages\n",
            static_cast<unsigned long>(config::kMaxCpus));
  }
  cpu_set_count(n);
}

bool smp_start_secondaries() {
  char arg[16];
  // Test hook: neuron.bad_start=N starts cpuN at a firmware address, which the firmware refuses.
  std::uint32_t bad_cpu = 0;  // cpu0 is never started: 0 means no sabotage
  if (const char* v = boot_arg("neuron.bad_start", arg, sizeof arg); v && !kparse_u32(v, bad_cpu)) {
    panic("neuron.bad_start=%s is not a CPU number", v);
  }
  bool all_online = true;
  for (std::uint32_t id = 1; id < cpu_count(); ++id) {
    Cpu& cpu = g_cpus[id];
    // The block is complete before the hart can read it: hart_start is the publication point.
    std::uint8_t* stack = g_boot_stacks[id];
    stack_fill(stack, config::kBootStackSize);
    cpu.arch.stack_top = reinterpret_cast<std::uint64_t>(stack + config::kBootStackSize);
    sched_init_cpu(cpu, id, stack);
    const auto mode = id == bad_cpu ? arch::StartMode::FirmwareAddress : arch::StartMode::Normal;
    if (const char* err = start_and_wait(cpu, mode)) {
      kprintf("KINIT: cpu%u start failed: %s\n", id, err);
      all_online = false;
    }
  }
  return all_online;
}

std::size_t smp_boot_stack_high_water() {
  std::size_t deepest = 0;
  for (std::uint32_t id = 1; id < cpu_count(); ++id) {
    const std::size_t d = stack_depth(g_boot_stacks[id], config::kBootStackSize);
    if (d > deepest) deepest = d;
  }
  return deepest;
}

}  // namespace neuron

// Entered from arch entry code on the CPU's own boot stack, tp = its per-CPU block.
namespace neuron {
namespace {
std::atomic<std::uint32_t> g_reentered{0};  // 32-bit: GCC calls a library for 1-byte atomics

// Test hook: neuron.reenter=N sends cpuN back through the boot entry once, the way a late hart
// arrives there (see entry.S); the boot CPU must then restart it.
bool reenter_once(std::uint32_t id) {
  char arg[16];
  std::uint32_t want = 0;
  const char* v = boot_arg("neuron.reenter", arg, sizeof arg);
  if (!v || !kparse_u32(v, want) || want != id) return false;
  // relaxed: one CPU reads and writes it, before and after its own restart.
  return g_reentered.exchange(1, std::memory_order_relaxed) == 0;
}
}  // namespace
}  // namespace neuron

extern "C" [[noreturn]] void secondary_main(std::uint64_t hartid, neuron::Cpu* cpu) {
  using namespace neuron;
  if (reenter_once(cpu->id)) arch::reenter_boot_entry(hartid);
  if (cpu->arch.hartid != hartid)
    panic("cpu%u started on hart %lu, expected %lu", cpu->id, hartid, cpu->arch.hartid);
  arch::trap_init();   // trap vector; timer and software interrupts unmasked
  sched_start_tick();  // this CPU's tick, on the common origin
  kprintf("KINIT: cpu%u online\n", cpu->id);
  cpu_set_online(cpu->id);  // after the line: the boot CPU starts the next hart only then
  idle_loop();
}
