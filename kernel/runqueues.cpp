#include "runqueues.h"

#include "panic.h"

namespace neuron {
namespace {

// A lost race (Retry) means the runqueue may still hold items: try once more before moving on.
constexpr int kStealTries = 2;

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

Task* RunQueues::pop(QosClass lowest) {
  for (std::size_t q = 0; q <= qos_index(lowest); ++q) {
    ClassQueue& c = cls_[q];
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
bool RunQueues::has_work() const {
  for (const ClassQueue& c : cls_) {
    if (!c.backlog.empty() || !c.ring.empty()) return true;
  }
  return false;
}

// The backlog before the runqueue: a task the owner moves across (pop_while) leaves the backlog
// after it entered the runqueue, so one of the two reads sees it.
bool RunQueues::has_stealable(QosClass lowest) const {
  for (std::size_t q = 0; q <= qos_index(lowest); ++q) {
    if (cls_[q].backlog.has_unpinned() || !cls_[q].ring.empty()) return true;
  }
  return false;
}

}  // namespace neuron
