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
  return bootargs_find(g_tree.bootargs, key, buf, len);
}

}  // namespace neuron
