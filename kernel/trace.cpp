#include "trace.h"

#include "arch.h"
#include "boot.h"
#include "config.h"
#include "console.h"
#include "klib.h"
#include "panic.h"
#include "percpu.h"
#include "scheduler.h"

namespace neuron {
namespace trace_detail {
std::atomic<std::uint32_t> g_on{0};
}  // namespace trace_detail

namespace {

struct Event {
  std::uint64_t time;
  std::uint64_t b;
  std::uint32_t a;
  std::uint32_t task;
  TraceKind kind;
};

// The trace memory, shared out among the CPUs at trace_init. Not cleared at boot, so boots
// without tracing do not pay for it; nothing is read before it is written.
constexpr std::size_t kPoolBytes = 8u << 20;
constexpr std::size_t kPoolEvents = kPoolBytes / sizeof(Event);
NEURON_NOINIT Event g_pool[kPoolEvents];

struct Buffer {
  Event* events;
  std::size_t capacity;
  // Written by the owning CPU only (interrupts off); release: an event is whole before it
  // counts. The dump reads it with acquire.
  std::atomic<std::size_t> used;
  // Also the owner's alone. first_drop is stored before dropped first leaves 0, and dropped is
  // published with release: a dump that sees a drop (acquire) sees when it began.
  std::atomic<std::uint64_t> dropped;
  std::atomic<std::uint64_t> first_drop;  // time of the first event that did not fit
};
Buffer g_buffers[config::kMaxCpus];

}  // namespace

namespace trace_detail {

void record(TraceKind kind, std::uint32_t task, std::uint32_t a, std::uint64_t b) {
  // Raw interrupt save: an interrupt on this CPU must not record into the slot being written,
  // and an IrqSave's end would be a preemption point.
  const arch::IrqState s = arch::irq_save();
  Buffer& buf = g_buffers[this_cpu().id];
  const std::uint64_t now = arch::time_now();
  const std::size_t n = buf.used.load(std::memory_order_relaxed);  // relaxed: our own counter
  if (n < buf.capacity) {
    buf.events[n] = Event{now, b, a, task, kind};
    buf.used.store(n + 1, std::memory_order_release);  // release: the event before the count
  } else {
    const std::uint64_t d = buf.dropped.load(std::memory_order_relaxed);  // relaxed: our own
    if (d == 0) buf.first_drop.store(now, std::memory_order_relaxed);     // ordered by the release
    buf.dropped.store(d + 1, std::memory_order_release);
  }
  arch::irq_restore(s);
}

}  // namespace trace_detail

void trace_init() {
  char arg[8];
  const char* v = boot_arg("neuron.trace", arg, sizeof arg);
  if (!v || kstrcmp(v, "0") == 0) return;
  if (kstrcmp(v, "1") != 0) panic("neuron.trace=%s: expected 0 or 1", v);
  // cpu0 runs init and the single-CPU selftests, and records about twice what any other CPU
  // does: it gets kBootShares shares of the pool, every other CPU one.
  constexpr std::size_t kBootShares = 4;
  const std::size_t share = kPoolEvents / (cpu_count() - 1 + kBootShares);
  Event* next = g_pool;
  for (std::uint32_t id = 0; id < cpu_count(); ++id) {
    g_buffers[id].events = next;
    g_buffers[id].capacity = id == 0 ? kBootShares * share : share;
    next += g_buffers[id].capacity;
  }
  // relaxed: no other CPU runs yet; they start after this (hart_start publishes it).
  trace_detail::g_on.store(1, std::memory_order_relaxed);
}

void trace_dump(bool emergency) {
  // One dump: two CPUs panicking at once, or a panic during the dump, print it once.
  // relaxed: the buffers are ordered by Buffer::used and Buffer::dropped.
  if (trace_detail::g_on.exchange(0, std::memory_order_relaxed) == 0) return;
  // At a panic the console lock may be held by a CPU that stopped: kprintf_emergency gives the
  // first line its chance at the lock; every later line is written without it.
  if (emergency) kprintf_emergency("KINFO: the trace follows, written without the console lock\n");
  auto out = emergency ? kprintf_unlocked : kprintf;
  const std::uint64_t hz = boot_tree().timebase_hz;
  out("KTRACE: v1 cpus=%u timebase=%lu tick=%lu\n", cpu_count(), hz,
      sched_tick_due(1) - sched_tick_due(0));
  for (std::uint32_t id = 0; id < cpu_count(); ++id) {
    const Buffer& buf = g_buffers[id];
    const std::size_t n = buf.used.load(std::memory_order_acquire);  // pairs with record()
    // acquire: pairs with record()'s release, so first_drop is that of the drops counted.
    const std::uint64_t dropped = buf.dropped.load(std::memory_order_acquire);
    out("KTRACE: cpu %u events=%lu dropped=%lu first_drop=%lu\n", id, static_cast<unsigned long>(n),
        dropped, buf.first_drop.load(std::memory_order_relaxed));
    for (std::size_t i = 0; i < n; ++i) {
      const Event& e = buf.events[i];
      if (e.kind == TraceKind::Create) {
        out("KTRACE: e %u %lu %c %u %u %lu %s\n", id, e.time, static_cast<char>(e.kind), e.task,
            e.a, 0ul, reinterpret_cast<const char*>(e.b));
      } else {
        out("KTRACE: e %u %lu %c %u %u %lu\n", id, e.time, static_cast<char>(e.kind), e.task, e.a,
            e.b);
      }
    }
  }
  out("KTRACE: end\n");
}

}  // namespace neuron
