// A bounded Chase-Lev work-stealing deque.
//
// Algorithm: D. Chase and Y. Lev, "Dynamic Circular Work-Stealing Deque", SPAA 2005; memory
// orders from N. M. Lê, A. Pop, A. Cohen and F. Zappa Nardelli, "Correct and Efficient
// Work-Stealing for Weak Memory Models", PPoPP 2013 (figure 1), which proves this placement of
// fences correct under the C11 model and hence on RISC-V's RVWMO.
//
// Shape. The owner works at the bottom, thieves at the top:
//
//        top (thieves CAS it upward)             bottom (only the owner writes it)
//         v                                        v
//   ... | t | t+1 | ... | b-1 | (free) ...     items live in [top, bottom)
//
// - push()  owner, writes slot `bottom`, then publishes bottom + 1.
// - take()  owner, LIFO: reserves slot bottom - 1 by decrementing bottom, then reads top. Only
//           when one item is left does it race with thieves, and then it CASes top like them.
// - steal() any thread, FIFO: reads top, then bottom, then claims slot top with a CAS on top.
// - pop()   owner, FIFO queues: claims slot top with a fetch_add on top, undone if the deque was
//           empty (an addition to the paper: the scheduler wants FIFO round-robin from its own
//           queue).
// - push() reads top only when its last reading says the ring is full (top only grows).
// Owner operations must never overlap one another (one thread, or a CPU with interrupts off):
// two overlapping pop()s, or a push() inside a pop()'s claim and undo, would break the undo.
// - steal_batch()  any thread, FIFO queues: copies the oldest k slots, then claims them all with
//           one CAS of top from t to t + k (an addition too, for load balancing).
//
// Owner ends (sched/runqueue.h). A LIFO deque (take) offers no steal_batch and a FIFO deque
// (pop, steal_batch) no take: take() removes slot bottom - 1 without a CAS while top < bottom - 1,
// which is safe against a thief that claims only slot top, but not against one that copied slots
// top .. top + k - 1 and then wins its CAS: the owner may have taken the last of those meanwhile.
// With only CAS claims on top (pop, steal, steal_batch), a successful CAS from t proves that no
// one else claimed any slot at or after t since it read them.
//
// The one subtle ordering. take() writes bottom then reads top; steal() reads top then bottom.
// That is a store-then-load on each side (Dekker's pattern): without a StoreLoad barrier between
// them both sides may read the other's old value, and owner and thief take the same item. The
// paper puts a seq_cst fence on each side; here both sides' accesses are seq_cst instead, which
// puts the four in the one total order S just as well (the argument is at
// store_bottom_load_top()) and costs a steal no fence on x86 (but one more on RISC-V). A FIFO deque
// has no take(), so its steals need no StoreLoad ordering at all (see load_top_bottom()). Every
// other access needs only acquire/release or nothing; each says why below.
//
// Layout: top and bottom on cache lines of their own, and the slots on the next (see IndexLayout
// for why, and the measurement behind it).
//
// Indices are signed 64-bit and never wrap in practice: at 10^9 operations per second, 2^63 takes
// 292 years. Signed, because take() on an empty deque briefly computes bottom - 1 = -1 and must
// compare it correctly against top = 0.
//
// Slots are std::atomic<T> accessed relaxed: a thief may read a slot while the owner overwrites
// it (after the ring wrapped); the thief's CAS then fails and the torn-looking read is discarded.
// Atomic slots make that a benign race instead of undefined behaviour.
//
// ThreadSanitizer, which does not model standalone fences, sees every ordering the deque uses:
// there are none.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "sched/platform.h"
#include "sched/runqueue.h"

namespace neuron::sched {

// The orderings the deque depends on, in one place. Production code uses these defaults; the
// host tests instantiate mutants with one ordering weakened to prove the stress tests catch it.
struct ChaseLevOrders {
  static constexpr bool kTakeFence = true;  // StoreLoad between take()'s bottom store and top load
  // StoreLoad between steal()'s top and bottom loads (LIFO deques; FIFO ones have no fence).
  static constexpr bool kStealFence = true;
  // Claims on top: the CASes, and the FIFO pop()'s fetch_add.
  static constexpr std::memory_order kClaimCas = std::memory_order_seq_cst;
};

// Where top and bottom live. A steal reads both and CASes top; a push writes bottom (and reads
// top only when it looks full). On one shared line every claim takes the line from the owner,
// whose next push takes it back; on split lines the owner keeps bottom's line and a thief keeps
// top's between claims. Measured on the 2-core x86 VM, threads pinned, in one run of
// scripts/bench.sh on 2026-11-26 08:52 (docs/benchmarks.md), handover with one thief: SplitLines
// 60.5 vs 56.9 M items/s without back-pressure and 51.4 vs 44.8 bounded at 1024, so it is the
// default. (SharedLine keeps the owner's top_seen on that one line too: the numbers compare the
// two layouts whole, not the indices' placement alone.) SharedLine stays in the
// benchmarks (lockfree-shared): it wins the contended tail, an owner racing a polling thief for
// single items (124 vs 184 ns per push+pop), which the kernel's thieves do not do (idle CPUs wait
// for a kick). An earlier "SharedLine 4x faster" came from a harness whose owner spun on a full
// ring.
enum class IndexLayout { SharedLine, SplitLines };

template <IndexLayout L>
struct ChaseLevIndices {
  alignas(kCacheLine) std::atomic<std::int64_t> top{0};
  std::atomic<std::int64_t> bottom{0};
  std::int64_t top_seen = 0;  // the owner's last reading of top (owner only)
};
template <>
struct ChaseLevIndices<IndexLayout::SplitLines> {
  alignas(kCacheLine) std::atomic<std::int64_t> top{0};
  alignas(kCacheLine) std::atomic<std::int64_t> bottom{0};
  // The owner's last reading of top (owner only), on a line of its own: pop() writes it, and on
  // bottom's line every pop would take that line from the thieves reading bottom.
  alignas(kCacheLine) std::int64_t top_seen = 0;
};

template <typename T, std::size_t N, OwnerEnd End, typename Orders = ChaseLevOrders,
          IndexLayout Layout = IndexLayout::SplitLines>
class BasicChaseLevDeque {
  static_assert(kPowerOfTwo<N>, "capacity must be a power of two");
  static_assert(std::atomic<T>::is_always_lock_free, "slots must be lock-free atomics");

 public:
  using value_type = T;
  static constexpr OwnerEnd kOwnerEnd = End;

  static constexpr std::size_t capacity() { return N; }

  // Owner only. False when full; the item stays with the caller.
  bool push(T v) {
    // relaxed: only the owner writes bottom, and we are the owner.
    const std::int64_t b = idx_.bottom.load(std::memory_order_relaxed);
    // Top only grows (but for pop()'s undo, which returns it to a value it had), so an old reading
    // is a lower bound: while it leaves room, there is room, and the owner need not pull top's
    // line from the thieves (who CAS it) on every push.
    if (b - idx_.top_seen >= static_cast<std::int64_t>(N)) {
      // acquire: pairs with the release half of the CAS that claimed the slot we are about to
      // overwrite (or a later RMW on top, in its release sequence), so the claimer's read of that
      // slot happened before our write, however many pushes later. Where this load reads pop()'s
      // undo, or top_seen came from pop(), pop()'s fetch_add did that acquire instead: it is the
      // first owner write to top after any thief's claim (SPIN lemma L3), so keep it acquire.
      idx_.top_seen = idx_.top.load(std::memory_order_acquire);
      if (b - idx_.top_seen >= static_cast<std::int64_t>(N)) return false;
    }
    slot(b).store(v, std::memory_order_relaxed);  // relaxed: published by the release below
    // release: the slot write becomes visible to any thief whose acquire load sees b + 1; and a
    // preceding empty pop()'s undo of top with it (SPIN mutant M16 loses an item without).
    idx_.bottom.store(b + 1, std::memory_order_release);
    return true;
  }

  // Owner only, LIFO deques: the newest item.
  bool take(T& out) requires(End == OwnerEnd::Lifo) {
    // relaxed: only the owner writes bottom.
    const std::int64_t b = idx_.bottom.load(std::memory_order_relaxed) - 1;
    const std::int64_t t = store_bottom_load_top(b);  // reserve slot b, then look at top
    if (t > b) {  // it was empty: undo the reservation (relaxed: owner-private again)
      idx_.bottom.store(b + 1, std::memory_order_relaxed);
      return false;
    }
    out = slot(b).load(std::memory_order_relaxed);  // relaxed: the owner wrote it
    if (t < b) return true;                         // more than one item: no thief can reach slot b
    // The last item: thieves may be after slot t == b too; whoever moves top first wins.
    std::int64_t expected = t;
    // seq_cst (kClaimCas): orders the claim with the thieves' fenced reads of top and bottom;
    // relaxed on failure: we only learn that we lost.
    const bool won = idx_.top.compare_exchange_strong(expected, t + 1, Orders::kClaimCas,
                                                      std::memory_order_relaxed);
    // relaxed: either way the deque is now empty with top == b + 1; restore bottom to match.
    idx_.bottom.store(b + 1, std::memory_order_relaxed);
    return won;
  }

  // Owner only, FIFO deques: the oldest item. Claims slot top with one fetch_add, which cannot
  // fail (an amoadd on RISC-V, a lock xadd on x86, instead of a CAS loop): against a thief's CAS
  // on top exactly one of the two moves top from t, and the other's claim is of t + 1 (ours) or
  // fails (theirs). When the deque turns out empty (t >= b) the increment is undone with a plain
  // store: no one else can have moved top meanwhile, because a claim needs a bottom above top and
  // bottom stays b <= t until we, the owner, push again. (SPIN: docs/model-checking.md.)
  bool pop(T& out) requires(End == OwnerEnd::Fifo) {
    // relaxed: only the owner writes bottom, and we are the owner.
    const std::int64_t b = idx_.bottom.load(std::memory_order_relaxed);
    // relaxed: a hint that spares the RMW on an empty deque; the claim below decides.
    if (idx_.top.load(std::memory_order_relaxed) >= b) return false;
    // seq_cst (kClaimCas): one total order of claims on top with the thieves' CASes. Its acquire
    // half also orders the thieves' slot reads before our later overwrites (see push()).
    const std::int64_t t = idx_.top.fetch_add(1, Orders::kClaimCas);
    if (t >= b) {
      // relaxed: top returns to t. A thief that read t + 1 meanwhile finds the deque empty, or
      // reads a bottom our next push published; that push's release store orders this undo
      // before its bottom, so the thief's CAS from t + 1 then fails unless slot t was claimed
      // meanwhile, and then it rightly claims slot t + 1.
      idx_.top.store(t, std::memory_order_relaxed);
      return false;
    }
    idx_.top_seen = t + 1;                          // owner-private: top's latest known value
    out = slot(t).load(std::memory_order_relaxed);  // relaxed: the owner wrote it
    return true;
  }

  // Any thread, FIFO: the oldest item. Retry means a race was lost, not that the deque is empty.
  Stolen<T> steal() {
    std::int64_t t, b;
    load_top_bottom(t, b);
    if (t >= b) return Stolen<T>::empty();
    // relaxed: the acquire on bottom made the owner's slot write visible; if the owner has since
    // reused the slot, top has moved and the CAS below fails.
    const T v = slot(t).load(std::memory_order_relaxed);
    // seq_cst (kClaimCas): claims slot t in the single order of all claims; its release half
    // tells push() we are done reading the slot. relaxed on failure: we only learn that we lost.
    if (!idx_.top.compare_exchange_strong(t, t + 1, Orders::kClaimCas, std::memory_order_relaxed)) {
      return Stolen<T>::retry();
    }
    return Stolen<T>::success(v);
  }

  // Any thread, FIFO deques: up to batch_size(size, max) of the oldest items into out[0..count),
  // claimed with one CAS. On Empty or Retry nothing is taken (out's contents are then garbage).
  // steal() widened to k slots: the same reads of top and bottom, then the copies, then
  // the claim. The copies stay valid until the claim: push() overwrites slot t + i only after it
  // read top > t + i, which needs a claim at t to have succeeded, and then ours fails.
  StolenBatch steal_batch(T* out, std::size_t max) requires(End == OwnerEnd::Fifo) {
    std::int64_t t, b;
    load_top_bottom(t, b);
    const std::size_t k = t < b ? batch_size(static_cast<std::size_t>(b - t), max) : 0;
    if (k == 0) return {};
    // relaxed: the acquire on bottom made the slot writes below b visible, as in steal().
    for (std::size_t i = 0; i < k; ++i)
      out[i] = slot(t + static_cast<std::int64_t>(i)).load(std::memory_order_relaxed);
    // seq_cst (kClaimCas): claims slots [t, t + k) in the single order of all claims; its release
    // half tells push() the copies are done. relaxed on failure: we only learn that we lost.
    if (!idx_.top.compare_exchange_strong(t, t + static_cast<std::int64_t>(k), Orders::kClaimCas,
                                          std::memory_order_relaxed)) {
      return {StealStatus::Retry, 0};
    }
    return {StealStatus::Success, k};
  }

  // Hints, exact only when no other thread is operating on the deque.
  std::size_t size() const {
    // relaxed: a snapshot for heuristics; the operations above re-check under proper ordering.
    const std::int64_t b = idx_.bottom.load(std::memory_order_relaxed);
    const std::int64_t t = idx_.top.load(std::memory_order_relaxed);
    return b > t ? static_cast<std::size_t>(b - t) : 0;
  }
  bool empty() const { return size() == 0; }

 private:
  static constexpr std::int64_t kMask = static_cast<std::int64_t>(N) - 1;

  std::atomic<T>& slot(std::int64_t i) { return slots_[i & kMask]; }

  // take(): publish bottom = b, then read top, with StoreLoad ordering between the two.
  std::int64_t store_bottom_load_top(std::int64_t b) {
    if constexpr (Orders::kTakeFence) {
      // seq_cst store, then seq_cst load: both in the single total order S with the thief's two
      // seq_cst loads (load_top_bottom()), so either the thief's bottom load follows our store
      // in S and sees it (or a later bottom), or our top load follows the thief's loads and sees
      // a top no older than the thief read; with every write to a LIFO deque's top a seq_cst
      // CAS, that is the fence pairing's guarantee. Chosen over fences for the thief's sake: a
      // seq_cst load is a plain load on x86, where a fence is an mfence on every steal. On
      // RISC-V it costs more: each seq_cst load carries a leading `fence rw,rw`, so a steal pays
      // two full fences instead of one (the kernel's deques are FIFO and run neither). TSan
      // models these, not standalone fences.
      idx_.bottom.store(b, std::memory_order_seq_cst);
      return idx_.top.load(std::memory_order_seq_cst);
    }
    // release: a thief whose acquire load reads this decremented bottom must see the slots
    // pushed before it. The PPoPP paper's C11 proof got that from the release sequence of the
    // last push, but C++20 no longer extends release sequences over later same-thread stores.
    // (On x86 a plain store; on RISC-V one `fence rw,w`.) This branch is the mutant without
    // the StoreLoad ordering, for the tests that must catch its loss.
    idx_.bottom.store(b, std::memory_order_release);
    return idx_.top.load(std::memory_order_relaxed);
  }

  // steal(): read top, then bottom; on a LIFO deque with the ordering that pairs with
  // store_bottom_load_top().
  void load_top_bottom(std::int64_t& t, std::int64_t& b) {
    if constexpr (End == OwnerEnd::Fifo) {
      // FIFO deques need no fence here: it is the thief's half of the StoreLoad pairing with
      // take(), which they do not have. Both indices only grow (bottom by push, top by CAS), so
      // reading top and then bottom in that order is enough: an Empty (t >= b) means the deque
      // was empty when top was read, and a stale top only makes the claim fail. (SPIN: without
      // the fence, steal() and steal_batch() stay correct in every FIFO scenario, M3 and M10 in
      // docs/model-checking.md.) acquire on top: keeps the bottom load after it; acquire on
      // bottom: pairs with push()'s release store, making the slot contents visible.
      t = idx_.top.load(std::memory_order_acquire);
      b = idx_.bottom.load(std::memory_order_acquire);
      return;
    }
    if constexpr (Orders::kStealFence) {
      // seq_cst loads: pair with take()'s seq_cst store and load (see store_bottom_load_top()).
      // seq_cst implies acquire: the bottom load pairs with push()'s release store, making the
      // slot contents visible, and the top load keeps the bottom load after it.
      t = idx_.top.load(std::memory_order_seq_cst);
      b = idx_.bottom.load(std::memory_order_seq_cst);
      return;
    }
    // The mutant without the thief's half of the StoreLoad pairing: acquire loads only.
    t = idx_.top.load(std::memory_order_acquire);
    b = idx_.bottom.load(std::memory_order_acquire);
  }

  ChaseLevIndices<Layout> idx_;
  alignas(kCacheLine) std::atomic<T> slots_[N]{};  // never on the indices' line
};

template <typename T, std::size_t N, OwnerEnd End>
using ChaseLevDeque = BasicChaseLevDeque<T, N, End>;

static_assert(FifoRunQueue<ChaseLevDeque<std::uintptr_t, 4, OwnerEnd::Fifo>>);
static_assert(LifoRunQueue<ChaseLevDeque<std::uintptr_t, 4, OwnerEnd::Lifo>>);

}  // namespace neuron::sched
