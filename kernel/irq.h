// Entry points from the arch trap handler into the generic kernel. All run with local interrupts
// off, on the interrupted task's stack.
#pragma once

namespace neuron::kernel {

void handle_timer_irq();
void handle_ipi();
// Last step of every interrupt: reschedules if the handler asked for it.
void irq_exit();

}  // namespace neuron::kernel
