// Kernel tasks: each has its own stack and saved context, a QoS class and a state machine.
//
//   Runnable --schedule--> Running --yield/preempt--> Runnable
//                            |  \--block--> Blocked --task_wake--> Runnable
//                            |  \--sleep--> Sleeping --tick--> Runnable
//                            \--exit--> Dead --(switched away)--> reaped: slot free again
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "arch.h"
#include "ipi.h"
#include "sched/spinlock.h"

namespace neuron {

struct Cpu;

// Strict priority between classes, FIFO round-robin inside a class. Lower value = higher class.
enum class QosClass : std::uint32_t { PerfBurst = 0, Interactive = 1, Normal = 2, Idle = 3 };
inline constexpr std::size_t kQosCount = 4;
const char* qos_name(QosClass q);
inline std::size_t qos_index(QosClass q) { return static_cast<std::size_t>(q); }

enum class TaskState : std::uint32_t { Free, Runnable, Running, Blocked, Sleeping, Dead };

struct Task {
  arch::Context ctx;     // callee-saved registers while switched out
  sched::Spinlock lock;  // taken with interrupts off; before any queue's lock, never after
  TaskState state TA_GUARDED(lock);
  bool on_cpu TA_GUARDED(lock);        // its stack is in use: not runnable elsewhere until the
                                       // switch away completes
  bool wake_pending TA_GUARDED(lock);  // a wake that came while it was not Blocked: its next
                                       // task_block returns at once
  Cpu* cpu TA_GUARDED(lock);           // where it is queued, runs, sleeps or last ran
  std::uint32_t slice_left TA_GUARDED(lock);  // ticks of its slice left when a higher class
                                              // preempted it (it resumes with them); 0: none
  std::uint64_t cpu_time;  // timebase units it ran, up to its last switch away; written by the
                           // CPU switching away from it, read by the task itself
  // Set before the task is first made runnable and read-only after (task_pin enforces it).
  bool is_idle;  // a CPU's idle context: never queued, never reaped
  bool pinned;   // runs only on `cpu`: no thief takes it
  QosClass qos;
  std::uint32_t id;
  const char* name;
  void (*entry)(void*);
  void* arg;
  std::uint64_t wake_tick;          // Sleeping: the owning CPU's tick to wake at (its sleep list)
  Task* link;                       // intrusive link, owned by the list holding the task: the
                                    // sleep list, a backlog, an inbox or the free list
  std::atomic<std::uint32_t> runs;  // times it started: must end at exactly 1
  std::uint8_t* stack;              // lowest address; a canary word sits there
};

using TaskFn = void (*)(void*);

// Creates a task and makes it runnable on the calling CPU. Returns nullptr when every slot is in
// use (the caller decides whether that is fatal).
Task* task_create(const char* name, QosClass qos, TaskFn fn, void* arg);

// Like task_create, but queued on CPU `cpu` (through its inbox and an IPI when it is not ours;
// tests may suppress that IPI).
Task* task_create_on(const char* name, QosClass qos, TaskFn fn, void* arg, std::uint32_t cpu,
                     IpiDelivery delivery = IpiDelivery::Send);

// Like task_create, but the task stays Blocked until the first task_wake. Lets a test line up
// several tasks and release them together.
Task* task_create_blocked(const char* name, QosClass qos, TaskFn fn, void* arg);

TaskState task_state(Task* t);  // a snapshot, read under the task's lock
// The transitions that need the scheduler (task_wake, task_sleep, task_block, task_yield,
// task_exit, task_pin, task_current) are declared in scheduler.h, beside their code.

// Lifetime counters over the whole run, for the exactly-once selftest and KSTAT lines.
struct TaskCounters {
  std::uint64_t created, started, exited, reaped, alloc_failures;
  std::size_t live;  // slots in use now
};
TaskCounters task_counters();
// The deepest use of any task stack so far, in bytes (to the word). Reads every stack: for reports.
std::size_t task_stack_high_water();

// --- used by the scheduler core -----------------------------------------------------------
void task_pool_init();
void task_init_idle(Task& idle, const char* name, Cpu* cpu, std::uint8_t* stack_base);
// Stacks: a canary word at the lowest address, a fill pattern above it to measure the deepest use
// (filled once; stack_depth reads how far down the pattern was overwritten).
void stack_fill(std::uint8_t* base, std::size_t size);
void stack_set_canary(std::uint8_t* base);  // for a stack already in use: the canary only
std::size_t stack_depth(const std::uint8_t* base, std::size_t size);
void task_reap(Task* t);               // after the last switch away from a Dead task
void task_check_stack(const Task* t);  // panics on a smashed canary
void task_note_started(Task* t);
void task_note_exited(Task* t);

}  // namespace neuron
