// Kernel entry points. OpenSBI enters in S-mode with paging and interrupts off, a0 = hartid,
// a1 = device tree (boot hart) or the HSM opaque argument (secondary harts). sp and tp still hold
// firmware values, so both are set before anything touches memory.

#include "asm_constants.h"

// First instructions of every hart: until trap_init installs the real vector an early trap parks
// the hart; no interrupt sources; FP Off, so a floating-point instruction traps instead of
// silently using state that task switches do not save.
.macro hart_setup
    la      t0, early_trap
    csrw    stvec, t0
    csrw    sie, zero
    li      t0, NEURON_SSTATUS_FS
    csrc    sstatus, t0
.endm

    .section .text.entry, "ax"
    .balign 4                        // stvec needs a 4-byte aligned entry
    .global _start
_start:
    hart_setup
    // Exactly one hart may boot. Under QEMU's multi-threaded TCG a slow hart can reach this entry
    // through the firmware's default path after the kernel is up (its hart_start request was
    // overwritten while the firmware was still initialising it). It must not clear BSS again:
    // it hands itself back to the firmware (HSM hart_stop), and the boot CPU restarts it.
    la      t0, boot_claimed
    li      t1, 1
    amoswap.w.aqrl t1, t1, (t0)
    bnez    t1, late_hart

    // Only the boot hart runs this path (the others wait in the firmware), so BSS is cleared
    // exactly once, before any C++ code runs.
    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       1b
2:
    la      sp, boot_stack_top
    mv      tp, zero                 // kmain points tp at cpu0's block before first use
    call    kmain                    // kmain(hartid, dtb) never returns
    j       park

    .balign 4                        // an unaligned HSM entry would leave stvec at 0
    .global secondary_entry
secondary_entry:
    // a1 = this CPU's per-CPU block, filled in by the boot CPU before hart_start.
    hart_setup
    mv      tp, a1
    ld      sp, 0(a1)                // CpuLocal::stack_top
    call    secondary_main           // secondary_main(hartid, cpu) never returns
    j       park

    .balign 4                        // an HSM entry, like secondary_entry
    .global park_entry
park_entry:
    // A hart the kernel does not manage: every interrupt masked (hart_setup), so its wfi waits
    // for good. No stack, no per-CPU block. Out of the firmware, whose wait for a start spins.
    hart_setup
    j       park

late_hart:
    li      a7, NEURON_SBI_EXT_HSM
    li      a6, NEURON_SBI_HSM_HART_STOP
    ecall
    j       park

    .balign 4
early_trap:
park:
    wfi
    j       park

    .section .data
    .balign 4
boot_claimed:                        // in .data, not .bss: it must survive the BSS clear
    .word   0

    .section .bss.boot_stack, "aw", @nobits
    .balign 16
    .global boot_stack
boot_stack:
    .space  NEURON_BOOT_STACK_SIZE
    .global boot_stack_top
boot_stack_top:
