#include "smp.h"

#include "boot.h"
#include "console.h"
#include "irq_lock.h"
#include "klib.h"
#include "panic.h"
#include "percpu.h"
#include "scheduler.h"

namespace neuron {
namespace {

constexpr std::uint64_t kStartTimeoutMs = 1000;
// All harts start at once and leave the firmware side by side: on a small host that takes longer
// the more there are (2 s for 63 on 2 cores; 20 s and more for 95, whose firmware waits spin).
// So each CPU gets until the later of a deadline that grows with their number and
// kStartTimeoutMs from when the boot CPU turns to it; past that, only as long as the firmware
// reports its start under way, and never past kStartCapMs.
constexpr std::uint64_t kStartTimeoutPerHartMs = 50;
constexpr std::uint64_t kStartCapMs = 30'000;

std::uint64_t ms_to_timebase(std::uint64_t ms) { return boot_tree().timebase_hz / 1000 * ms; }

// Boot (and idle) stacks of the secondaries; cpu0 runs on the one in arch entry code. 8 MiB
// with 512 CPUs: not cleared at boot, each filled with the stack pattern before its CPU starts.
alignas(16) NEURON_NOINIT std::uint8_t g_boot_stacks[config::kMaxCpus][config::kBootStackSize];

constexpr int kStartAttempts = 3;

// Where each secondary is: written by the CPU itself (release), read by the boot CPU (acquire).
// 32-bit: GCC calls a library for 1-byte atomics.
std::atomic<std::uint32_t> g_arrived[config::kMaxCpus];   // in the holding pen (secondary_main)
std::atomic<std::uint32_t> g_released[config::kMaxCpus];  // let out of it (boot CPU)
const char* g_start_error[config::kMaxCpus];              // why a CPU never reached the pen
using StartFn = arch::HartStatus (*)(std::uint64_t hartid, void* cpu_block);  // or a test hook

// Waits, until `deadline`, for a CPU whose start the firmware accepted to reach the holding pen.
// A hart that the firmware sends to the boot entry instead of ours stops itself again (arch entry
// code); it is then started once more, with kStartTimeoutMs more, up to kStartAttempts in all.
// Returns nullptr once it arrived, or why it did not.
const char* wait_arrived(Cpu& cpu, StartFn start, std::uint64_t deadline, std::uint64_t cap) {
  // acquire: pairs with the secondary's release store; its setup is visible once this reads 1.
  auto arrived = [&] { return g_arrived[cpu.id].load(std::memory_order_acquire) != 0; };
  for (int attempt = 1;; ++attempt) {
    // An accepted start leaves the hart start-pending or started: stopped again means it came
    // back through the boot entry.
    while (!arrived() && !arch::cpu_is_stopped(cpu.arch.hartid)) {
      const std::uint64_t now = arch::time_now();
      static_assert(kStartCapMs == 30000, "the line below says 30 s");
      // Each verdict looks once more: the hart may have arrived since the loop's check.
      if (now > cap) return arrived() ? nullptr : "not in the kernel after 30 s";
      if (now > deadline && !arch::cpu_start_under_way(cpu.arch.hartid)) {
        return arrived() ? nullptr : "not in the kernel by its start deadline";
      }
      sched_halt_until(cap);
    }
    if (arrived()) return nullptr;
    if (attempt == kStartAttempts) return "kept returning to the firmware";
    kprintf("KINFO: cpu%u came back through the boot entry; starting it again\n", cpu.id);
    const arch::HartStatus s = start(cpu.arch.hartid, &cpu);
    if (!s.ok()) return arch::hart_status_name(s);
    deadline = arch::time_now() + ms_to_timebase(kStartTimeoutMs);
    if (cap < deadline) cap = deadline;  // a restart gets its second even near the cap
  }
}

// The tree's harts past the last one mapped to a CPU (the limit reached): parked.
std::size_t g_first_unmapped = 1;
std::size_t g_unknown_harts = 0;  // listed, enabled, but not the firmware's to start
std::uint32_t g_max_cpus = config::kMaxCpus;

// neuron.max_cpus=N: manage at most N CPUs (1..config::kMaxCpus), as Linux's nr_cpus.
void read_max_cpus() {
  char arg[16];
  const char* v = boot_arg("neuron.max_cpus", arg, sizeof arg);
  if (!v) return;
  std::uint32_t n = 0;
  if (!kparse_u32(v, n) || n == 0 || n > config::kMaxCpus)
    panic("neuron.max_cpus=%s: expected 1..%lu", v, static_cast<unsigned long>(config::kMaxCpus));
  g_max_cpus = n;
}
}  // namespace

void smp_map_cpus(const fdt::Summary& tree, std::uint64_t boot_hartid) {
  if (!tree.boot_hart_listed) panic("boot hart %lu is not in the device tree", boot_hartid);
  read_max_cpus();
  // The tree's list starts with the boot hart: cpu N is the Nth of them that the firmware can
  // start. A hart it does not know (OpenSBI 1.1 manages hart ids below 128 and, short of room
  // in the tree, leaves most of the others enabled) would only fail to start.
  std::uint32_t n = 1;
  std::size_t parked = 0;  // known to the firmware, past the limit
  for (std::size_t i = 1; i < tree.hart_count; ++i) {
    if (!arch::cpu_known(tree.harts[i])) {
      ++g_unknown_harts;
    } else if (n < g_max_cpus) {
      g_cpus[n++].arch.hartid = tree.harts[i];
      g_first_unmapped = i + 1;
    } else {
      ++parked;
    }
  }
  cpu_set_count(n);
  if (g_unknown_harts != 0) {
    kprintf(
        "KINFO: the firmware cannot start %lu of the %lu harts the device tree lists "
        "(SBI HSM: no such hart)\n",
        static_cast<unsigned long>(g_unknown_harts), static_cast<unsigned long>(tree.hart_count));
  }
  if (tree.harts_in_tree > tree.hart_count || parked != 0) {
    kprintf(
        "KINFO: the device tree lists %lu harts; this kernel manages %u (%s), parks %lu and "
        "leaves %lu in the firmware\n",
        static_cast<unsigned long>(tree.harts_in_tree), n,
        g_max_cpus < config::kMaxCpus ? "neuron.max_cpus" : "config::kMaxCpus",
        static_cast<unsigned long>(parked),
        static_cast<unsigned long>(tree.harts_in_tree - tree.hart_count + g_unknown_harts));
  }
}

std::size_t smp_harts_unknown() { return g_unknown_harts; }
std::uint32_t smp_max_cpus() { return g_max_cpus; }

namespace {

// A test hook's CPU number: a secondary CPU of this boot, or a panic naming the argument.
std::uint32_t secondary_cpu_arg(const char* key, const char* v) {
  std::uint32_t id = 0;
  if (cpu_count() < 2) panic("%s=%s: no secondary CPU with one hart", key, v);
  if (!kparse_u32(v, id) || id == 0 || id >= cpu_count())
    panic("%s=%s: expected a secondary CPU, 1..%u", key, v, cpu_count() - 1);
  return id;
}

}  // namespace

void smp_start_secondaries() {
  char arg[16];
  // Test hook: neuron.bad_start=N starts cpuN at a firmware address, which the firmware refuses.
  std::uint32_t bad_cpu = 0;  // cpu0 is never started: 0 means no sabotage
  if (const char* v = boot_arg("neuron.bad_start", arg, sizeof arg)) {
    bad_cpu = secondary_cpu_arg("neuron.bad_start", v);
  }
  // neuron.reenter is read by the hart it names, once started: checked here, before any is.
  if (const char* v = boot_arg("neuron.reenter", arg, sizeof arg)) {
    secondary_cpu_arg("neuron.reenter", v);
  }
  auto start = [&](std::uint32_t id) -> StartFn {
    return id == bad_cpu ? arch::cpu_start_at_firmware_address : arch::cpu_start;
  };
  // Every hart is asked to start at once, so they come up side by side.
  for (std::uint32_t id = 1; id < cpu_count(); ++id) {
    Cpu& cpu = g_cpus[id];
    // The block is complete before the hart can read it: hart_start is the publication point.
    std::uint8_t* stack = g_boot_stacks[id];
    stack_fill(stack, config::kBootStackSize);
    cpu.arch.stack_top = reinterpret_cast<std::uint64_t>(stack + config::kBootStackSize);
    sched_init_cpu(cpu, id, stack);
    const arch::HartStatus s = start(id)(cpu.arch.hartid, &cpu);
    g_start_error[id] = s.ok() ? nullptr : arch::hart_status_name(s);
  }
  const std::uint64_t deadline =
      arch::time_now() + ms_to_timebase(kStartTimeoutMs + kStartTimeoutPerHartMs * cpu_count());
  const std::uint64_t cap = arch::time_now() + ms_to_timebase(kStartCapMs);
  for (std::uint32_t id = 1; id < cpu_count(); ++id) {
    if (g_start_error[id]) continue;
    const std::uint64_t own = arch::time_now() + ms_to_timebase(kStartTimeoutMs);
    g_start_error[id] = wait_arrived(g_cpus[id], start(id), own > deadline ? own : deadline, cap);
  }
  // Then the harts past the limit, which the kernel does not manage: parked, so they do not spin
  // in the firmware (after the others arrived: they would slow their way out of it).
  std::size_t unparked = 0;
  for (std::size_t i = g_first_unmapped; i < boot_tree().hart_count; ++i) {
    const std::uint64_t hart = boot_tree().harts[i];
    if (arch::cpu_known(hart) && !arch::cpu_park(hart).ok()) ++unparked;
  }
  if (unparked) kprintf("KINFO: %lu harts refused to park\n", static_cast<unsigned long>(unparked));
}

bool smp_bring_online() {
  const std::uint64_t budget = ms_to_timebase(kStartTimeoutMs);
  bool all_online = true;
  for (std::uint32_t id = 1; id < cpu_count(); ++id) {
    const Cpu& cpu = g_cpus[id];
    const char* err = g_start_error[id];
    if (!err) {
      // release: the CPU sees everything the boot CPU did before it lets it out.
      g_released[id].store(1, std::memory_order_release);
      const arch::HartStatus s = arch::send_ipi(cpu.arch.hartid);  // ends its wfi
      if (!s.ok()) err = arch::hart_status_name(s);
      const std::uint64_t deadline = arch::time_now() + budget;
      IrqSave irq;  // halted between looks (sched_halt_until), with no task switch in between
      while (!err && !cpu_is_online(id)) {
        if (arch::time_now() > deadline) err = "not online after 1000 ms";
        sched_halt_until(deadline);
      }
    }
    if (err) {
      kprintf("KINIT: cpu%u start failed: %s\n", id, err);
      all_online = false;
    } else {
      kprintf("KINIT: cpu%u online\n", id);  // it set its own online bit: its tick runs
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

namespace neuron {
namespace {
std::atomic<std::uint32_t> g_reentered{0};  // 32-bit: GCC calls a library for 1-byte atomics
}  // namespace

bool smp_reenter_requested(std::uint32_t id) {
  char arg[16];
  std::uint32_t want = 0;
  const char* v = boot_arg("neuron.reenter", arg, sizeof arg);
  if (!v || !kparse_u32(v, want) || want != id) return false;
  // relaxed: one CPU reads and writes it, before and after its own restart.
  return g_reentered.exchange(1, std::memory_order_relaxed) == 0;
}

void smp_wait_in_pen(const Cpu& cpu) {
  // Arrived, not online, no tick, interrupts off, only an IPI ends its wfi; out of the firmware,
  // whose wait for a start spins (OpenSBI 1.1 leaves the cold-boot IPI pending, so its wfi
  // returns at once).
  arch::unmask_only_ipi();
  g_arrived[cpu.id].store(1, std::memory_order_release);  // release: pairs with wait_arrived
  // acquire: pairs with smp_bring_online's release. The IPI that follows it ends the wfi.
  while (g_released[cpu.id].load(std::memory_order_acquire) == 0) arch::wait_for_interrupt();
}

}  // namespace neuron
