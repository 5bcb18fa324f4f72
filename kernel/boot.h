// What the boot CPU learnt from the device tree, kept for the rest of the run.
#pragma once

#include "fdt.h"

namespace neuron {

const fdt::Summary& boot_tree();
// Value of "key=value" in /chosen/bootargs (QEMU -append), or nullptr if the key is absent.
// The value runs to the next space; it is copied into `buf`.
const char* boot_arg(const char* key, char* buf, unsigned len);

}  // namespace neuron
