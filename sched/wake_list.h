// The wake list interface: how other CPUs hand a CPU the tasks they make runnable there (its
// inbox). Both variants model one concept, chosen by the same switch as the runqueue.
//
// Roles:
//   producer - any CPU (or thread), concurrently with the others and with the consumer: push().
//   consumer - the one CPU that owns the list: take_all().
//
// push(n)     links node n in. Returns true when the list was empty just before, so that the one
//             push that makes it non-empty, and only that one, tells the consumer (Linux's
//             wakelist rule: an IPI per empty-to-non-empty change, none for the rest).
// take_all()  unlinks every node at once and returns them oldest first (push order), chained
//             through the link member and ended by nullptr; nullptr when the list is empty.
// empty()     a hint for hot paths: may be stale.
// take_all() is sure to see a push only if the push happens before it: the kernel's resched IPI
// gives that order (a release fetch_or after the push, an acquire exchange before the drain), and
// a stale look before it only leaves the node for the drain that IPI causes.
//
// No wake is lost: a node pushed onto a non-empty list is taken by the take_all() that takes the
// node below it, and that take_all() follows the push (it takes everything linked at its moment),
// so it is owed to the pusher that found the list empty.
//
// The lists are intrusive: a node is linked through one pointer member (`Link`), owned by the
// list from push() until take_all() hands it back. No allocation, no bound, nothing dropped.
#pragma once

#include <concepts>

namespace neuron::sched {

template <typename L>
concept WakeList = requires(L& l, const L& cl, typename L::node_type* n) {
  { l.push(n) } -> std::same_as<bool>;
  { l.take_all() } -> std::same_as<typename L::node_type*>;
  { cl.empty() } -> std::same_as<bool>;
};

}  // namespace neuron::sched
