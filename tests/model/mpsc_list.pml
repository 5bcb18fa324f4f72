/*
 * Promela model of the lock-free wake list in sched/lockfree/mpsc_list.h, with the kernel's rule
 * for telling the consumer (sched/wake_list.h): only a push that finds the list empty raises the
 * signal (the resched IPI), and the consumer takes the list when it sees the signal, or at any
 * other moment (a switch drains the inbox too).
 *
 * Model step                          C++ it stands for
 * ----------------------------------  -----------------------------------------------------------
 * push: h = mem[HEAD]                 push(): head_.load(relaxed)
 * push: ST(LINK(n), h)                push(): n->*Link = head                 [M3: after the CAS]
 * push: CAS(HEAD, h, n)               push(): compare_exchange_weak(release, relaxed) [M1: relaxed]
 * push: failed -> h = mem[HEAD]       the failed CAS's value, the next guess
 * push: told = h == 0                 push(): return head == nullptr [M5: the first guess's]
 * push: told -> signal (release)      ipi_send(): ipi_reasons.fetch_or(release) [M6]
 * take: mem[HEAD] == 0 -> none        take_all(): head_.load(relaxed) == nullptr
 * take: x = XCHG(HEAD, 0)             take_all(): head_.exchange(nullptr, acquire) [M2: relaxed]
 * take: LD(LINK(x)) ...               take_all(): below = n->*Link, newest first
 * take: deliver oldest first          take_all()'s reversal                  [M4: no reversal]
 * consumer: signal -> 0, take         handle_ipi(): ipi_reasons.exchange(0, acquire), drain [M6]
 * consumer: take                      schedule(): sched_drain_inbox() at any switch
 *
 * Memory model. The producers' plain stores (the links) go into a per-thread, per-location store
 * buffer; the process `memory` commits the oldest buffered store of any thread and location at any
 * moment (PSO, which allows every TSO behaviour too). A release CAS and the release signal wait
 * until the thread's buffers are empty; a relaxed CAS does not. CAS and exchange act on memory in
 * one atomic step. Loads are performed in program order. M2 lets the consumer perform one link
 * load before its exchange, on a guessed node: without acquire nothing orders the producer's link
 * store before that load in C++ (a relaxed exchange gives no happens-before; RVWMO's address
 * dependency would order it on RISC-V hardware, but C++ does not promise it and a compiler may
 * break the dependency), so the load may return the link as it was before the push. M6 breaks
 * the IPI's release/acquire pair (the fetch_or relaxed, or the reasons exchange relaxed; both
 * have one effect here): the signalled take's relaxed look at the head may then read it as it was
 * before the signalling push, which found the list empty, so the take may find nothing.
 *
 * Nodes are pushed once each: the consumer's reversal writes links only to nodes it owns, and a
 * node pushed again (a task woken again) is pushed after its delivery happened before (the task's
 * lock and runqueue order it), which the host tests cover. ABA cannot break a push: the list is
 * never popped one node at a time (mpsc_list.h).
 *
 * Scenario (-DSCENARIO=n): 1 producer 1 pushes nodes 1 and 2, producer 2 pushes node 3;
 * 2 producers 1 and 2 push one node each and producer 1 a second one after the consumer took its
 * first (a push onto a list that was emptied under it).
 * Checked: every node delivered exactly once, each producer's nodes in push order, and once every
 * producer is done and the signal is down, nothing is left in the list (no node waits for a signal
 * nobody sent). Witnesses (-DWITNESS=n, correct model, must fail): 1 a push finds the list not
 * empty (a coalesced push); 2 a push's CAS fails and retries; 3 a signalled take finds the list
 * already empty (a switch drained it first).
 */

#ifndef MUTANT
#define MUTANT 0
#endif
#ifndef WITNESS
#define WITNESS 0
#endif
#ifndef SCENARIO
#define SCENARIO 1
#endif

#define NN 3              /* nodes 1..NN; 0 is null */
#define HEAD 0
#define LINK(n) (n)       /* location of node n's link */
#define NLOC (NN + 1)
#define NP 2              /* producers 1 and 2; the consumer is thread 0 and never stores */
#define DEPTH 2           /* stores a producer may have in flight per location */

int mem[NLOC];
byte buf[(NP + 1) * NLOC * DEPTH];
byte cnt[(NP + 1) * NLOC];
byte delivered[NN + 1];   /* times each node was handed out */
byte last_seq[NP + 1];    /* per producer: the highest push number delivered */
byte seq_of[NN + 1];      /* node -> its push number within its producer, 1.. */
byte owner_of[NN + 1];    /* node -> its producer */
bit signal = 0;
byte done = 0;            /* producers finished */

#define B(p, l, k) buf[((p) * NLOC + (l)) * DEPTH + (k)]
#define C(p, l) cnt[(p) * NLOC + (l)]
#define drained(p) (C(p, 1) == 0 && C(p, 2) == 0 && C(p, 3) == 0)

inline ST(p, l, v) {
  (C(p, l) < DEPTH);
  d_step { B(p, l, C(p, l)) = v; C(p, l)++ }
}

inline commit(p, l) {
  d_step {
    mem[l] = B(p, l, 0);
    B(p, l, 0) = B(p, l, 1);
    B(p, l, 1) = 0;
    C(p, l)--
  }
}

#define COMMIT(p, l) :: atomic { C(p, l) > 0 -> commit(p, l) }
#define COMMITS(p) COMMIT(p, 1) COMMIT(p, 2) COMMIT(p, 3)

proctype memory() {
end:
  do
  COMMITS(1)
  COMMITS(2)
  od
}

/* A node leaves the list: once, and after every earlier node of its producer. */
inline deliver(n) {
  d_step {
    assert(n >= 1 && n <= NN);
    delivered[n]++;
    assert(delivered[n] == 1);
    assert(seq_of[n] == last_seq[owner_of[n]] + 1);
    last_seq[owner_of[n]] = seq_of[n]
  }
}

/* Uses the producer's locals h, guess and ok. */
inline push(p, n) {
  ok = 0;
  h = mem[HEAD];
  guess = h;
  do
  :: true ->
#if MUTANT != 3
     ST(p, LINK(n), h);
#endif
#if MUTANT != 1
     (drained(p));               /* release: the link is visible before the node is */
#endif
     d_step {
       if
       :: mem[HEAD] == h -> mem[HEAD] = n; ok = 1
       :: else -> h = mem[HEAD]
       fi
     };
#if MUTANT == 3
     if
     :: ok -> ST(p, LINK(n), h)   /* the link written once the node is already published */
     :: else -> skip
     fi;
#endif
     if
     :: ok -> break
     :: else ->
#if WITNESS == 2
        assert(false);
#endif
        skip
     fi
  od;
#if WITNESS == 1
  assert(h == 0);
#endif
#if MUTANT == 5
  if
  :: guess == 0 ->
#else
  if
  :: h == 0 ->
#endif
     (drained(p));               /* the IPI's release fetch_or */
     signal = 1
  :: else -> skip
  fi
}

proctype producer(byte p) {
  byte h, guess;
  bit ok;
#if SCENARIO == 1
  if
  :: p == 1 -> push(p, 1); push(p, 2)
  :: else -> push(p, 3)
  fi;
#elif SCENARIO == 2
  if
  :: p == 1 -> push(p, 1); (delivered[1] == 1); push(p, 2)
  :: else -> push(p, 3)
  fi;
#endif
  done++
}

/* take_all(): the whole list, delivered oldest first. Uses the consumer's locals. */
inline take_all(signalled) {
  count = 0;
#if MUTANT == 6
  /* The look at the head may read the value from before the signalling push: null. */
  if
  :: signalled -> goto stale
  :: true -> skip
  fi;
#endif
#if MUTANT == 2
  /* The link load of a guessed node, performed before the exchange (see the header). */
  if
  :: k = 1
  :: k = 2
  :: k = 3
  fi;
  early = mem[LINK(k)];
#endif
  if
  :: mem[HEAD] == 0 ->
#if WITNESS == 3
     assert(!signalled);
#endif
     skip
  :: else ->
     d_step { x = mem[HEAD]; mem[HEAD] = 0 };
     do
     :: x == 0 -> break
     :: else ->
        chain[count] = x;
        count++;
#if MUTANT == 2
        if
        :: count == 1 && x == k -> x = early
        :: else -> x = mem[LINK(x)]
        fi
#else
        x = mem[LINK(x)]
#endif
     od;
#if MUTANT == 4
     for (i : 0 .. count - 1) {
       deliver(chain[i])           /* newest first, as taken off the stack */
     }
#else
     do
     :: count == 0 -> break
     :: else -> count--; deliver(chain[count])
     od
#endif
  fi;
#if MUTANT == 6
stale:
#endif
  skip
}

proctype consumer() {
  byte x, k, early, count, i, n;
  byte chain[NN];
  do
  :: atomic { signal == 1 -> signal = 0 };   /* the IPI: acquire exchange of its reasons */
     take_all(1)
  :: take_all(0)                             /* a switch drains the inbox unasked */
  :: atomic { done == NP && signal == 0 } -> break
  od;
  /* No signal pending and nobody left to push: a node still listed would wait forever. */
  assert(mem[HEAD] == 0);
  for (n : 1 .. NN) {
    assert(delivered[n] == 1)
  }
}

init {
  atomic {
    owner_of[1] = 1; seq_of[1] = 1;
    owner_of[2] = 1; seq_of[2] = 2;
    owner_of[3] = 2; seq_of[3] = 1;
    run memory();
    run producer(1);
    run producer(2);
    run consumer()
  }
}
