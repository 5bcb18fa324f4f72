// The assembly's constants (asm_constants.h) against the C++ definitions they mirror (the trap
// frame's size is checked beside the TrapFrame struct, in trap.cpp).
#include "asm_constants.h"

#include "csr.h"
#include "kernel/config.h"
#include "sbi.h"

namespace neuron::arch {

static_assert(NEURON_BOOT_STACK_SIZE == config::kBootStackSize);
static_assert(NEURON_SSTATUS_FS == csr::kSstatusFs);
static_assert(NEURON_SBI_EXT_HSM == static_cast<long>(sbi::Eid::Hsm));
static_assert(NEURON_SBI_HSM_HART_STOP == sbi::hsm::kHartStop);

}  // namespace neuron::arch
