// The runqueue interface: one concept that both variants model, so the kernel, the host tests
// and the benchmarks are written once against it.
//
// Roles (the Chase-Lev discipline, which the locked variant honours too):
//   owner  - the one CPU (or thread) that owns the queue: push(), pop(), take().
//   thief  - any other CPU, concurrently with the owner and with other thieves: steal().
//
// Orders:
//   push()  appends at the back.
//   pop()   removes from the front: FIFO, oldest first. The scheduler uses it for round-robin
//           fairness inside a QoS class.
//   take()  removes from the back: LIFO, newest first. The natural Chase-Lev owner operation,
//           offered for fork-join work where the newest task is the hottest in cache.
//   steal() removes from the front: FIFO, oldest first.
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

template <typename Q>
concept RunQueue = std::is_trivially_copyable_v<typename Q::value_type> &&
    requires(Q& q, const Q& cq, typename Q::value_type v, typename Q::value_type& out) {
  { Q::capacity() } -> std::same_as<std::size_t>;
  { q.push(v) } -> std::same_as<bool>;
  { q.pop(out) } -> std::same_as<bool>;
  { q.take(out) } -> std::same_as<bool>;
  { q.steal() } -> std::same_as<Stolen<typename Q::value_type>>;
  // Hints: exact only when no other CPU touches the queue.
  { cq.size() } -> std::same_as<std::size_t>;
  { cq.empty() } -> std::same_as<bool>;
};

template <std::size_t N>
inline constexpr bool kPowerOfTwo = N >= 2 && (N & (N - 1)) == 0;

}  // namespace neuron::sched
