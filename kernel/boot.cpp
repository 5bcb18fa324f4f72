#include "boot.h"

#include "arch.h"
#include "bootargs.h"
#include "config.h"
#include "panic.h"

namespace neuron {
namespace {

fdt::Summary g_tree;  // written once by the boot CPU before any other CPU starts

}  // namespace

const fdt::Summary& boot_read_tree(std::uint64_t hartid, const void* dtb) {
  const arch::PlatformDevices devices = arch::platform_devices();
  const fdt::Request wanted{hartid, devices.compatible, devices.count};
  if (const fdt::Error e = fdt::parse(dtb, config::kMaxDeviceTreeSize, wanted, g_tree)) {
    panic("device tree: %s at offset %u", e.what, e.offset);
  }
  return g_tree;
}

const fdt::Summary& boot_tree() { return g_tree; }

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
  static constexpr const char* kKnown[] = {"neuron.exact",   "neuron.trace",   "neuron.fail",
                                           "neuron.panic",   "neuron.reenter", "neuron.bad_start",
                                           "neuron.overflow"};
  char word[40];
  if (bootargs_unknown(g_tree.bootargs, "neuron.", kKnown, sizeof kKnown / sizeof kKnown[0], word,
                       sizeof word)) {
    panic("unknown boot argument %s", word);
  }
}

}  // namespace neuron
