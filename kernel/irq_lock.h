// Interrupt-state guards. The one rule: a spinlock that an interrupt handler may also take is held
// only with local interrupts off, or the handler could spin forever on its own CPU's lock.
#pragma once

#include "arch.h"
#include "sched/spinlock.h"

namespace neuron {

using sched::Spinlock;

// With interrupts on, switches away if a higher-class task became runnable on this CPU while they
// were off (scheduler.cpp). The end of every interrupts-off section is a preemption point.
void preempt_on_irq_enable();

// Disables local interrupts for its scope and restores the previous state (which nests). When it
// turns them back on, it acts on a preemption requested meanwhile, as an interrupt would.
class [[nodiscard]] IrqSave {
 public:
  IrqSave() : saved_(arch::irq_save()) {}
  ~IrqSave() {
    arch::irq_restore(saved_);
    if (arch::irq_state_on(saved_)) preempt_on_irq_enable();
  }
  IrqSave(const IrqSave&) = delete;
  IrqSave& operator=(const IrqSave&) = delete;

 private:
  arch::IrqState saved_;
};

// Holds a Spinlock with local interrupts off; releases the lock before restoring interrupts.
class TA_SCOPED_CAPABILITY [[nodiscard]] IrqSpinGuard {
 public:
  explicit IrqSpinGuard(Spinlock& l) TA_ACQ(l) : guard_(l) {}
  ~IrqSpinGuard() TA_REL() = default;
  IrqSpinGuard(const IrqSpinGuard&) = delete;
  IrqSpinGuard& operator=(const IrqSpinGuard&) = delete;

 private:
  IrqSave irq_;             // constructed first, destroyed last
  sched::SpinGuard guard_;  // locked with interrupts already off
};

}  // namespace neuron
