// What the boot CPU learnt from the device tree, kept for the rest of the run.
#pragma once

#include <cstdint>

#include "fdt.h"

namespace neuron {

// Reads the tree the firmware handed to the boot hart `hartid`, for the devices the arch code
// asks for; panics "device tree: <what> at offset N" if it is malformed. Boot CPU, once.
const fdt::Summary& boot_read_tree(std::uint64_t hartid, const void* dtb);

const fdt::Summary& boot_tree();
// Prints what the tree gave: the memory holding the kernel (a contract line), the image, and
// where the console came from. Boot CPU, once the console is set up.
void boot_report_tree();
// Value of "key=value" in /chosen/bootargs (QEMU -append), or nullptr if the key is absent.
// The value runs to the next space; it is copied into `buf`. A value longer than len - 1
// characters, or a key given twice, is a panic naming it: nothing is cut or chosen silently.
const char* boot_arg(const char* key, char* buf, unsigned len);
// Panics naming the first "neuron.*" boot argument the kernel does not know (a typo would
// otherwise be ignored). Other words are for other software and are left alone. Boot CPU, once.
void boot_check_args();

}  // namespace neuron
