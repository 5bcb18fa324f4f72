// Trap vector. The kernel only ever traps from S-mode on the current task's kernel stack, so the
// full register context is pushed on that stack; trap_dispatch may switch tasks, and the frame
// stays parked on the old stack until that task is switched back in.

#include "asm_constants.h"

#define REG(n) (8 * (n))

    .text
    .balign 4
    .global trap_vector
trap_vector:
    addi    sp, sp, -NEURON_TRAP_FRAME_SIZE
    sd      x1, REG(1)(sp)
    // REG(2) holds the pre-trap sp
    sd      x3, REG(3)(sp)
    sd      x4, REG(4)(sp)
    sd      x5, REG(5)(sp)
    sd      x6, REG(6)(sp)
    sd      x7, REG(7)(sp)
    sd      x8, REG(8)(sp)
    sd      x9, REG(9)(sp)
    sd      x10, REG(10)(sp)
    sd      x11, REG(11)(sp)
    sd      x12, REG(12)(sp)
    sd      x13, REG(13)(sp)
    sd      x14, REG(14)(sp)
    sd      x15, REG(15)(sp)
    sd      x16, REG(16)(sp)
    sd      x17, REG(17)(sp)
    sd      x18, REG(18)(sp)
    sd      x19, REG(19)(sp)
    sd      x20, REG(20)(sp)
    sd      x21, REG(21)(sp)
    sd      x22, REG(22)(sp)
    sd      x23, REG(23)(sp)
    sd      x24, REG(24)(sp)
    sd      x25, REG(25)(sp)
    sd      x26, REG(26)(sp)
    sd      x27, REG(27)(sp)
    sd      x28, REG(28)(sp)
    sd      x29, REG(29)(sp)
    sd      x30, REG(30)(sp)
    sd      x31, REG(31)(sp)
    addi    t0, sp, NEURON_TRAP_FRAME_SIZE
    sd      t0, REG(2)(sp)
    csrr    t0, sepc
    sd      t0, REG(32)(sp)
    csrr    t0, sstatus
    sd      t0, REG(33)(sp)

    mv      a0, sp
    call    trap_dispatch

    // sepc/sstatus come back from the frame: another task may have trapped in between.
    ld      t0, REG(32)(sp)
    csrw    sepc, t0
    ld      t0, REG(33)(sp)
    csrw    sstatus, t0
    ld      x1, REG(1)(sp)
    ld      x3, REG(3)(sp)
    // x4 (tp) is not restored: it is the per-CPU pointer, and a preempted task may resume on
    // another CPU.
    ld      x5, REG(5)(sp)
    ld      x6, REG(6)(sp)
    ld      x7, REG(7)(sp)
    ld      x8, REG(8)(sp)
    ld      x9, REG(9)(sp)
    ld      x10, REG(10)(sp)
    ld      x11, REG(11)(sp)
    ld      x12, REG(12)(sp)
    ld      x13, REG(13)(sp)
    ld      x14, REG(14)(sp)
    ld      x15, REG(15)(sp)
    ld      x16, REG(16)(sp)
    ld      x17, REG(17)(sp)
    ld      x18, REG(18)(sp)
    ld      x19, REG(19)(sp)
    ld      x20, REG(20)(sp)
    ld      x21, REG(21)(sp)
    ld      x22, REG(22)(sp)
    ld      x23, REG(23)(sp)
    ld      x24, REG(24)(sp)
    ld      x25, REG(25)(sp)
    ld      x26, REG(26)(sp)
    ld      x27, REG(27)(sp)
    ld      x28, REG(28)(sp)
    ld      x29, REG(29)(sp)
    ld      x30, REG(30)(sp)
    ld      x31, REG(31)(sp)
    addi    sp, sp, NEURON_TRAP_FRAME_SIZE
    sret
