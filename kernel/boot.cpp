#include "boot.h"

#include "arch.h"
#include "bootargs.h"
#include "config.h"
#include "console.h"
#include "panic.h"

namespace neuron {
namespace {

fdt::Summary g_tree;  // written once by the boot CPU before any other CPU starts

}  // namespace

const fdt::Summary& boot_read_tree(std::uint64_t hartid, const void* dtb) {
  const arch::PlatformDevices devices = arch::platform_devices();
  const fdt::Request wanted{hartid, devices.compatible, devices.count, devices.console,
                            arch::kernel_image()};
  if (const fdt::Error e = fdt::parse(dtb, config::kMaxDeviceTreeSize, wanted, g_tree)) {
    panic("device tree: %s at offset %u", e.what, e.offset);
  }
  return g_tree;
}

const fdt::Summary& boot_tree() { return g_tree; }

void boot_report_tree() {
  const fdt::Range image = arch::kernel_image();
  const fdt::Range& memory = g_tree.image_memory;
  const std::uint64_t end = memory.base + memory.size;  // a range that wraps reaches the top
  kprintf(
      "KINIT: memory 0x%lx-0x%lx holds the kernel (%lu MiB; ranges: %lu memory, %lu reserved)\n",
      memory.base, end < memory.base ? ~std::uint64_t{0} : end, g_tree.memory_bytes >> 20,
      static_cast<unsigned long>(g_tree.memory_ranges),
      static_cast<unsigned long>(g_tree.reserved_ranges));
  kprintf("KINFO: kernel image 0x%lx-0x%lx (%lu KiB); console: %s (stdout-path \"%s\")\n",
          image.base, image.base + image.size, image.size >> 10,
          g_tree.console_from_stdout_path ? "the node stdout-path names" : "the first match",
          g_tree.stdout_path);
}

const char* boot_arg(const char* key, char* buf, unsigned len) {
  switch (bootargs_find(g_tree.bootargs, key, buf, len)) {
    case ArgLookup::Absent: return nullptr;
    case ArgLookup::Found: return buf;
    case ArgLookup::TooLong:
      panic("boot argument %s: value longer than %u characters", key, len - 1);
    case ArgLookup::Repeated: panic("boot argument %s given more than once", key);
  }
  return nullptr;
}

void boot_check_args() {
  // Every boot argument the kernel reads (docs/architecture/01-neuron-kernel.md, "Test hooks").
  static constexpr const char* kKnown[] = {"neuron.exact",    "neuron.trace",   "neuron.fail",
                                           "neuron.panic",    "neuron.reenter", "neuron.bad_start",
                                           "neuron.overflow", "neuron.max_cpus"};
  char word[40];
  if (bootargs_unknown(g_tree.bootargs, "neuron.", kKnown, sizeof kKnown / sizeof kKnown[0], word,
                       sizeof word)) {
    panic("unknown boot argument %s", word);
  }
}

}  // namespace neuron
