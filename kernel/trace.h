// Scheduler trace: per-CPU event buffers, off unless bootargs say neuron.trace=1.
//
// Each CPU appends only to its own buffer, with its interrupts off, so recording takes no lock
// and no atomic read-modify-write. A full buffer keeps what it has (the run's prefix) and counts
// the events it could not keep. After the selftests (or at a panic) trace_dump prints every
// buffer as KTRACE lines (format below; scripts/trace.py reads it). When tracing is off, each
// event costs one load and a branch that is never taken.
//
// Format, version 1 (all numbers decimal; times in timebase units of the clock all CPUs share):
//   KTRACE: v1 cpus=<n> timebase=<hz> tick=<timebase units>
//   KTRACE: cpu <id> events=<kept> dropped=<lost> first_drop=<time or 0>
//   KTRACE: e <cpu> <time> <kind> <task> <a> <b> [name]     one per event, per CPU in time order
//   KTRACE: end
// <kind> is a letter of TraceKind; <task> is a task id (Task::id, never reused) or 4294967295
// for a CPU's idle context.
#pragma once

#include <atomic>
#include <cstdint>

#include "task.h"

namespace neuron {

enum class TraceKind : char {
  Create = 'C',     // task created: a = QoS class; the line ends with its name (a literal)
  Pin = 'N',        // task pinned: a = its CPU
  Runnable = 'R',   // made runnable: a = the CPU it was queued for, b = how (TraceQueued)
  Switch = 'S',     // task switched in: a = the task switched out (kTraceNoTask: idle), b = why it
                    // left (its TaskState), task's class in the high byte of b
  Exit = 'X',       // task exited (its last switch away follows)
  Steal = 'T',      // task taken by this CPU: a = victim CPU, b = class
  Spill = 'P',      // task queued in this CPU's backlog: its ring of that class was full
  Drain = 'D',      // inbox drained: a = tasks taken from it
  IpiSend = 'I',    // resched IPI asked for: a = target CPU
  IpiRecv = 'J',    // IPI delivered: a = its reasons
  Tick = 'K',       // tick interrupt: a = tick count
  IdleEnter = 'W',  // about to wait for an interrupt (wfi), nothing to run
  IdleExit = 'E',   // back from the wait
  Online = 'O',     // a secondary CPU came online (cpu0 is online when the trace begins)
};

inline constexpr std::uint32_t kTraceNoTask = 0xffffffff;

// How a Runnable task reached its CPU: its own queue, or another CPU's inbox (with a resched IPI
// if the inbox was empty, else behind a task whose IPI drains both), or (tests only) an inbox
// with the IPI withheld, where no CPU is told about it on purpose.
enum class TraceQueued : std::uint64_t { Local = 0, Inbox = 1, InboxNoIpi = 2 };

namespace trace_detail {
// Set by the boot CPU before any other CPU starts, cleared by trace_dump. relaxed loads: a plain
// load on RISC-V; an event racing with the dump is either kept whole or not at all (Buffer::used).
extern std::atomic<std::uint32_t> g_on;  // 32-bit: GCC calls a library for 1-byte atomics
void record(TraceKind kind, std::uint32_t task, std::uint32_t a, std::uint64_t b);
}  // namespace trace_detail

inline bool trace_on() { return trace_detail::g_on.load(std::memory_order_relaxed) != 0; }

// Records an event on the calling CPU, if tracing is on. Any context; interrupts may be on.
inline void trace(TraceKind kind, std::uint32_t task, std::uint32_t a = 0, std::uint64_t b = 0) {
  if (trace_on()) [[unlikely]]
    trace_detail::record(kind, task, a, b);
}
inline std::uint32_t trace_id(const Task* t) {
  return t->is_idle ? kTraceNoTask : static_cast<std::uint32_t>(t->id);
}

// Boot CPU, after the CPU count is known and before any secondary starts: turns tracing on if
// bootargs say neuron.trace=1, splitting the trace memory among the CPUs.
void trace_init();
// Prints every buffer (see the format above), through the emergency console path at a panic.
// Stops recording first. Does nothing when tracing is off.
void trace_dump(bool emergency = false);

}  // namespace neuron
