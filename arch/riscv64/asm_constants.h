// Numbers the assembly needs, in one place that both the assembler and C++ read (plain #defines:
// the .S files go through the C preprocessor only). Each is checked against its C++ home with a
// static_assert (asm_constants_check.cpp; the trap frame beside TrapFrame in trap.cpp).
#pragma once

#define NEURON_BOOT_STACK_SIZE 16384     // config::kBootStackSize: cpu0's boot and idle stack
#define NEURON_SSTATUS_FS (3 << 13)      // csr::kSstatusFs: the FP state field
#define NEURON_SBI_EXT_HSM 0x48534D      // sbi::Eid::Hsm
#define NEURON_SBI_HSM_HART_STOP 1       // sbi::hsm::kHartStop: returns only on failure
#define NEURON_TRAP_FRAME_SIZE (8 * 34)  // sizeof(TrapFrame): x1..x31, sepc, sstatus, pad; 16n
