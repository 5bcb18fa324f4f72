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
#include "sched/locked/spinlock.h"

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
  sched::Spinlock lock;  // guards state, on_cpu and wake_pending across CPUs
  TaskState state;
  bool on_cpu;        // its stack is in use: not runnable elsewhere until the switch completes
  bool wake_pending;  // a wake that came before the task blocked; the next block returns at once
  bool is_idle;       // a CPU's idle context: never queued, never reaped
  bool pinned;        // runs only on the CPU it was made runnable on: thieves hand it back
  QosClass qos;
  std::uint32_t id;
  const char* name;
  void (*entry)(void*);
  void* arg;
  Cpu* cpu;                         // where it last ran (and where it sleeps)
  std::uint64_t wake_tick;          // Sleeping: the owning CPU's tick to wake at
  Task* link;                       // intrusive link: sleep list, overflow queue, inbox
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

Task* task_current();
TaskState task_state(Task* t);  // a snapshot, read under the task's lock
void task_yield();
void task_sleep(std::uint64_t ticks);
void task_block();
void task_wake(Task* t);
[[noreturn]] void task_exit();

// Lifetime counters over the whole run, for the exactly-once selftest and KSTAT lines.
struct TaskCounters {
  std::uint64_t created, started, exited, reaped, alloc_failures;
  std::size_t live;              // slots in use now
  std::size_t stack_high_water;  // deepest stack use seen at reap time, in bytes
};
TaskCounters task_counters();

// --- used by the scheduler core -----------------------------------------------------------
void task_pool_init();
void task_init_idle(Task& idle, const char* name, Cpu* cpu, std::uint8_t* stack_base);
// Stacks: a canary word at the lowest address, a fill pattern above it to measure the deepest use.
void stack_fill(std::uint8_t* base, std::size_t size);
void stack_set_canary(std::uint8_t* base);  // for a stack already in use: the canary only
std::size_t stack_depth(const std::uint8_t* base, std::size_t size);
void task_reap(Task* t);               // after the last switch away from a Dead task
void task_check_stack(const Task* t);  // panics on a smashed canary
void task_note_started(Task* t);
void task_note_exited(Task* t);

}  // namespace neuron
