// The lock-free wake list (sched/wake_list.h): an intrusive multi-producer, single-consumer list.
// Producers push onto a LIFO stack with one CAS on its head; the consumer takes the whole stack
// with one exchange and reverses it into push order. Nothing is ever popped one at a time, so the
// ABA problem of a Treiber stack's pop does not arise: a push whose CAS succeeds against a head
// that was taken and pushed again in between still links the node onto that head as it is now.
//
// Progress: push is lock-free (a failed CAS means another push succeeded or the consumer took the
// list), take_all is wait-free. tests/model/mpsc_list.pml checks the orders below under a weak
// memory model, with a mutant for each.
#pragma once

#include <atomic>

#include "sched/platform.h"
#include "sched/wake_list.h"

namespace neuron::sched {

template <typename Node, Node* Node::*Link>
class MpscList {
 public:
  using node_type = Node;

  bool push(Node* n) {
    // relaxed: a guess at the head to link below n; the CAS checks it.
    Node* head = head_.load(std::memory_order_relaxed);
    do {
      n->*Link = head;
      // release on success: n's link (and everything the producer wrote to n before the push)
      // is visible to the consumer's acquire exchange that takes n. relaxed on failure: nothing
      // was published, and the failed CAS's value is only the next guess.
    } while (!head_.compare_exchange_weak(head, n, std::memory_order_release,
                                          std::memory_order_relaxed));
    return head == nullptr;  // the value the CAS replaced: the list was empty just before
  }

  Node* take_all() {
    // relaxed pre-check: an empty list costs the consumer no write to a shared line.
    if (head_.load(std::memory_order_relaxed) == nullptr) return nullptr;
    // acquire: pairs with each push's release CAS; the links read below were written before it.
    // A release sequence makes every push below the head visible through the one exchange.
    Node* n = head_.exchange(nullptr, std::memory_order_acquire);
    Node* oldest_first = nullptr;
    while (n) {  // newest first, as pushed onto the stack: reverse into push order
      Node* below = n->*Link;
      n->*Link = oldest_first;
      oldest_first = n;
      n = below;
    }
    return oldest_first;
  }

  // relaxed: a hint (sched/wake_list.h).
  bool empty() const { return head_.load(std::memory_order_relaxed) == nullptr; }

 private:
  alignas(kCacheLine) std::atomic<Node*> head_{nullptr};
};

}  // namespace neuron::sched
