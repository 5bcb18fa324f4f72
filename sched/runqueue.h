// The runqueue interface: one concept that both variants model, so the kernel, the host tests
// and the benchmarks are written once against it.
//
// Roles (the Chase-Lev discipline, which the locked variant honours too):
//   owner  - the one CPU (or thread) that owns the queue: push(), and pop() or take().
//   thief  - any other CPU, concurrently with the owner and with other thieves: steal(), and
//            steal_batch() on a FIFO queue.
//
// Orders:
//   push()  appends at the back.
//   pop()   FIFO queues: removes from the front, oldest first. The scheduler uses it for
//           round-robin fairness inside a QoS class.
//   take()  LIFO queues: removes from the back, newest first. The natural Chase-Lev owner
//           operation, offered for fork-join work where the newest task is the hottest in cache.
//   steal() removes from the front: FIFO, oldest first.
//   steal_batch(out, max)  FIFO queues: removes up to min(max, half the queue rounded up) of the
//           oldest items in one claim, for load balancing that moves several tasks per steal.
//
// Which end the owner works at is part of the type (OwnerEnd), and each queue offers only its
// own: a batch steal is safe only against an owner that claims items with a CAS on the front
// like a thief (pop). take() removes at the back without a CAS while more than one item is left,
// so a thief that copied several items and then won one CAS could hand out an item the owner
// took meanwhile (tests/model/chase_lev.pml shows the duplicate). The combination does not compile.
//
// Bounds: capacity() is a compile-time power of two. push() on a full queue returns false and the
// item stays with the caller (the kernel spills it to an overflow queue); nothing is dropped or
// overwritten.
//
// Elements are trivially copyable handles: a Task* in the kernel, an integer in tests.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace neuron::sched {

// crossbeam's three-state steal result. Retry means "lost a race with another taker; the queue
// may still hold items": a thief picking victims may move on or try again, but must not conclude
// the victim is empty.
enum class StealStatus : std::uint8_t { Empty, Success, Retry };

template <typename T>
struct Stolen {
  StealStatus status = StealStatus::Empty;
  T item{};

  static constexpr Stolen empty() { return {StealStatus::Empty, T{}}; }
  static constexpr Stolen retry() { return {StealStatus::Retry, T{}}; }
  static constexpr Stolen success(T v) { return {StealStatus::Success, v}; }
  constexpr bool ok() const { return status == StealStatus::Success; }
};

// What a batch steal got: Success with `count` items (at least one) stored, Empty, or Retry
// with nothing stored (a lost race, as for steal()).
struct StolenBatch {
  StealStatus status = StealStatus::Empty;
  std::size_t count = 0;

  constexpr bool ok() const { return status == StealStatus::Success; }
};

// The owner's end: FIFO queues offer pop() and steal_batch(), LIFO queues take().
enum class OwnerEnd : std::uint8_t { Fifo, Lifo };

// How many items a batch steal takes from `size` queued: half, rounded up (one of one), and at
// most `max`. The owner keeps the newer half, as in Linux's and crossbeam's balancing.
constexpr std::size_t batch_size(std::size_t size, std::size_t max) {
  const std::size_t half = (size + 1) / 2;
  return half < max ? half : max;
}

// What every runqueue offers, whatever its owner's end.
template <typename Q>
concept BasicRunQueue = std::is_trivially_copyable_v<typename Q::value_type> &&
    requires(Q& q, const Q& cq, typename Q::value_type v) {
  { Q::capacity() } -> std::same_as<std::size_t>;
  { Q::kOwnerEnd } -> std::convertible_to<OwnerEnd>;
  { q.push(v) } -> std::same_as<bool>;
  { q.steal() } -> std::same_as<Stolen<typename Q::value_type>>;
  // Hints: exact only when no other CPU touches the queue.
  { cq.size() } -> std::same_as<std::size_t>;
  { cq.empty() } -> std::same_as<bool>;
};

template <typename Q>
concept FifoRunQueue = BasicRunQueue<Q> && Q::kOwnerEnd ==
                       OwnerEnd::Fifo&& requires(Q& q, typename Q::value_type& out,
                                                 typename Q::value_type* outs, std::size_t max) {
  { q.pop(out) } -> std::same_as<bool>;
  { q.steal_batch(outs, max) } -> std::same_as<StolenBatch>;
};

template <typename Q>
concept LifoRunQueue = BasicRunQueue<Q> && Q::kOwnerEnd ==
                       OwnerEnd::Lifo&& requires(Q& q, typename Q::value_type& out) {
  { q.take(out) } -> std::same_as<bool>;
};

template <typename Q>
concept RunQueue = FifoRunQueue<Q> || LifoRunQueue<Q>;

// The owner's removal, whichever end it works at: pop() on a FIFO queue, take() on a LIFO one.
// (Keyed on kOwnerEnd alone, so that peers shaped like a runqueue can use it too.)
template <typename Q>
bool owner_remove(Q& q, typename Q::value_type& v) {
  if constexpr (Q::kOwnerEnd == OwnerEnd::Fifo) {
    return q.pop(v);
  } else {
    return q.take(v);
  }
}

template <std::size_t N>
inline constexpr bool kPowerOfTwo = N >= 2 && (N & (N - 1)) == 0;

}  // namespace neuron::sched
