// The scheduler core: QoS buckets on per-CPU runqueues, a deterministic tick, time slices, remote
// enqueue through inboxes, and work stealing by idle CPUs.
//
// Rules:
// - Owner operations on a CPU's runqueues (push, pop) run on that CPU with its interrupts off, so
//   the CPU's own interrupt handlers never race with them. Handlers may do owner operations too
//   (they run with interrupts off). Other CPUs only steal, or hand tasks over through the inbox.
// - A switched-out task is queued again only after the switch away from it has completed
//   (finish_switch), so its stack is never live on two CPUs.
#pragma once

#include <cstdint>

#include "ipi.h"
#include "task.h"

namespace neuron {

struct Cpu;

void sched_set_timebase(std::uint64_t hz);  // once, on the boot CPU, before any tick
void sched_init_cpu(Cpu& cpu, std::uint32_t id, std::uint8_t* boot_stack);
void sched_start_tick();      // arm this CPU's tick (the boot CPU's first call sets the origin)
std::uint64_t sched_ticks();  // ticks since the origin, as this CPU last counted them
std::uint64_t sched_tick_due(std::uint64_t tick);  // the timebase time at which `tick` falls due
// One step of a wait outside any task (boot) or inside an interrupts-off section: halts this CPU,
// interrupts off, until an interrupt is pending or a hundredth of a tick passes (never past
// `until`), then arms its tick again. Waits halt rather than spin: under QEMU -icount (7.2) harts
// run in turn on one host thread, and one that spins through its turn leaves the next none.
void sched_halt_until(std::uint64_t until);

// Make a Runnable task runnable on `cpu`: a local push, or the target's inbox and an IPI
// (IpiDelivery::Suppress, for tests, leaves the task in the inbox with no interrupt sent). Only the
// push that finds the inbox empty sends an IPI, so after a Suppress push every push to that CPU
// stays quiet until it drains: a test that withholds an IPI must send one itself (ipi_send).
// The caller holds t->lock with interrupts off (t Runnable, in no queue), and calls
// sched_send_owed_ipis() once it has let go of it.
void sched_enqueue(Task* t, Cpu& cpu, IpiDelivery delivery = IpiDelivery::Send) TA_REQ(t->lock);
// Owner side: queue t on this CPU (runqueue or backlog; at the head of its class if it was
// preempted), preempting, or owing a kick of an idle CPU.
void sched_enqueue_local(Task* t, bool at_head = false) TA_REQ(t->lock);
// Sends the IPIs the enqueues above decided on (interrupts off, no task lock held).
void sched_send_owed_ipis();
// Owner side, interrupts off: move the inbox into the runqueues.
void sched_drain_inbox(Cpu& cpu);

// Pick the next task and switch to it. Interrupts off. The caller has already set
// current->state (Runnable to stay in rotation, or Blocked/Sleeping/Dead).
void schedule();
// Completes the switch on the new task's side: requeues or reaps the task switched away from.
void finish_switch();

[[noreturn]] void idle_loop();

// ---- task state transitions (task.h has the state machine) ----------------------------------
Task* task_current();
void task_yield();
// Sleeps for `ticks` ticks of this CPU (at least 1). A wake meanwhile does not shorten it.
void task_sleep(std::uint64_t ticks);
// Blocks until task_wake, unless a wake came since the last block: then returns at once.
void task_block();
// A Blocked task becomes Runnable; a Running, Runnable or Sleeping one remembers the wake for its
// next task_block (one wake, however many were sent).
void task_wake(Task* t);
// task_wake of each of `n` tasks as one step (Linux's wake_q): every task is queued before any IPI
// is sent, so tasks bound for one CPU share the IPI of the first (only a push onto an empty inbox
// sends one). Another CPU's wake that lands behind the batch's first push to a CPU waits for that
// IPI too, so the batch's length bounds its latency: keep batches short.
void task_wake_many(Task* const* tasks, std::size_t n);
// task_wake(t) then task_block() as one step (Linux's WF_SYNC): the caller's CPU is about to be
// free, so t, unless pinned elsewhere, is queued here and claims it with no IPI and no kick. If a
// wake was pending for the caller it does not block, and t is woken as task_wake does.
void task_wake_and_block(Task* t);
// Timebase units `t` (the calling task, or one that cannot run meanwhile) has run on a CPU.
std::uint64_t task_cpu_time(const Task* t);
[[noreturn]] void task_exit();
// Pins a task made by task_create_blocked, before its first wake, to CPU `cpu`: it will run
// nowhere else. False, and the task unchanged, when `cpu` is not online.
[[nodiscard]] bool task_pin(Task* t, std::uint32_t cpu);

// ---- entry points from the arch trap handler: interrupts off, on the interrupted task's stack --
namespace kernel {
void handle_timer_irq();
// Last step of every interrupt: reschedules if the handler asked for it.
void irq_exit();
}  // namespace kernel

// Test hook (the wake-latency selftest): at the start of this CPU's next task_wake, `t` (Blocked,
// not pinned) is made Runnable and handed to this CPU through its inbox with a resched IPI, as
// another CPU would, so that an interrupt is pending while the wake runs.
void sched_arm_wake_window(Task* t);

}  // namespace neuron
