// What the boot CPU learnt from the device tree, kept for the rest of the run.
#pragma once

#include <cstdint>

#include "fdt.h"

namespace neuron {

// Reads the tree the firmware handed to the boot hart `hartid`, for the devices the arch code
// asks for; panics "device tree: <what> at offset N" if it is malformed. Boot CPU, once.
const fdt::Summary& boot_read_tree(std::uint64_t hartid, const void* dtb);

const fdt::Summary& boot_tree();
// Value of "key=value" in /chosen/bootargs (QEMU -append), or nullptr if the key is absent.
// The value runs to the next space; it is copied into `buf`.
const char* boot_arg(const char* key, char* buf, unsigned len);

}  // namespace neuron
