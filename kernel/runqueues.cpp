#include "runqueues.h"

#include "panic.h"

namespace neuron {
namespace {

// A lost race (Retry) means the runqueue may still hold items: try once more before moving on.
constexpr int kStealTries = 2;
constexpr std::uintptr_t kPinnedTag = 1;  // Task is 8-byte aligned
static_assert(alignof(Task) > kPinnedTag);

}  // namespace

bool RunQueues::push(Task* t) {
  ClassQueue& c = cls_[qos_index(t->qos)];
  if (t->pinned) {
    c.backlog.push(t);
    return true;
  }
  if (c.backlog.empty()) {
    if (c.ring.push(t)) return true;
    c.backlog.push(t);
    return false;  // the runqueue is full
  }
  // Behind the backlog to keep FIFO: a spill only if tasks that overflowed the runqueue wait
  // there, or it is full now (not when only pinned tasks wait there).
  const bool spill = c.backlog.has_unpinned() || c.ring.size() == TaskQueue::capacity();
  c.backlog.push(t);
  return !spill;
}

bool RunQueues::push_head(Task* t) {
  ClassQueue& c = cls_[qos_index(t->qos)];
  const auto tagged = reinterpret_cast<std::uintptr_t>(t) | (t->pinned ? kPinnedTag : 0);
  std::uintptr_t empty = 0;
  // release: t's fields (its saved slice) before a thief's acquire exchange takes it.
  if (c.head.compare_exchange_strong(empty, tagged, std::memory_order_release,
                                     std::memory_order_relaxed)) {  // relaxed: nothing read
    return true;
  }
  return push(t);
}

Task* RunQueues::pop(QosClass lowest, std::size_t from) {
  for (std::size_t q = from; q <= qos_index(lowest); ++q) {
    ClassQueue& c = cls_[q];
    // acquire: pairs with push_head's release (the owner's own, or one a thief raced).
    if (c.head.load(std::memory_order_relaxed) != 0) {  // relaxed: re-read by the exchange
      if (const std::uintptr_t h = c.head.exchange(0, std::memory_order_acquire)) {
        return reinterpret_cast<Task*>(h & ~kPinnedTag);
      }
    }
    Task* t = nullptr;
    // The runqueue first: all of it is older than anything in the backlog.
    if (!c.ring.pop(t) && (c.backlog.empty() || !c.backlog.pop(t))) continue;
    // Room for one more: move the backlog's oldest across, unless it is pinned.
    if (!c.backlog.empty()) c.backlog.pop_while([&c](Task* next) { return c.ring.push(next); });
    return t;
  }
  return nullptr;
}

std::size_t RunQueues::steal(QosClass lowest, Task** out, std::size_t max) {
  if (max == 0) return 0;
  for (std::size_t q = 0; q <= qos_index(lowest); ++q) {
    ClassQueue& c = cls_[q];
    // The head slot first: its task is the oldest of the class. Unpinned only, read by its tag.
    std::uintptr_t h = c.head.load(std::memory_order_relaxed);  // relaxed: re-read by the CAS
    // acquire: pairs with push_head's release, for the task's fields.
    if (h != 0 && !(h & kPinnedTag) &&
        c.head.compare_exchange_strong(h, 0, std::memory_order_acquire,
                                       std::memory_order_relaxed)) {  // relaxed: nothing read
      out[0] = reinterpret_cast<Task*>(h);
      return 1;
    }
    sched::StolenBatch s;
    for (int i = 0; i < kStealTries; ++i) {
      s = c.ring.steal_batch(out, max);
      if (s.status != sched::StealStatus::Retry) break;
    }
    // Races lost every time: the class may still hold tasks, so a lower class must not go first.
    // The thief tries the next victim.
    if (s.status == sched::StealStatus::Retry) return 0;
    std::size_t n = s.count;
    // The backlog only behind a runqueue found empty, whose tasks are older (unless the owner
    // refilled it just now: then a younger task goes first, which a thief may do).
    if (s.status == sched::StealStatus::Empty && c.backlog.has_unpinned() &&
        c.backlog.pop_unpinned(out[0])) {
      n = 1;
    }
    for (std::size_t i = 0; i < n; ++i) KASSERT(!out[i]->pinned);
    if (n) return n;
  }
  return 0;
}

// The owner's own view: nothing else pushes here, so its hints are never too low.
bool RunQueues::has_work() const { return highest_class() < kQosCount; }

std::size_t RunQueues::highest_class() const {
  for (std::size_t q = 0; q < kQosCount; ++q) {
    const ClassQueue& c = cls_[q];
    // relaxed: the owner's own slot.
    if (c.head.load(std::memory_order_relaxed) != 0 || !c.backlog.empty() || !c.ring.empty()) {
      return q;
    }
  }
  return kQosCount;
}

// The backlog before the runqueue: a task the owner moves across (pop_while) leaves the backlog
// after it entered the runqueue, so one of the two reads sees it.
bool RunQueues::class_stealable(std::size_t q) const {
  const ClassQueue& c = cls_[q];
  // relaxed: a hint, read after the caller's fence like the rest.
  const std::uintptr_t h = c.head.load(std::memory_order_relaxed);
  return (h != 0 && !(h & kPinnedTag)) || c.backlog.has_unpinned() || !c.ring.empty();
}

bool RunQueues::has_stealable(QosClass lowest) const {
  for (std::size_t q = 0; q <= qos_index(lowest); ++q) {
    if (class_stealable(q)) return true;
  }
  return false;
}

}  // namespace neuron
