/*
 * Promela model of the bounded Chase-Lev deque in sched/lockfree/chase_lev.h, under a weak memory
 * model with per-thread, per-location store buffers (PSO, which allows every TSO behaviour too).
 *
 * Model step                          C++ it stands for (sched/lockfree/chase_lev.h)
 * ----------------------------------  -----------------------------------------------------------
 * ts (owner's local variable)        idx_.top_seen, owner-private, 0 at the start
 * push: b = LD(BOTTOM)                push(): idx_.bottom.load(relaxed)
 * push: b - ts >= N -> refresh        push(): if (b - idx_.top_seen >= N) {...}; else top is not read
 * push: ts = LD(TOP)                  push(): idx_.top_seen = idx_.top.load(acquire) [M5: slot first]
 * push: b - ts >= N -> refused        push(): if (b - idx_.top_seen >= N) return false
 * push: ST(SLOT(b))                   push(): slot(b).store(v, relaxed)
 * push: REL_ST(BOTTOM, b+1)           push(): idx_.bottom.store(b + 1, release) [M2; M16: top not drained]
 * take: b = LD(BOTTOM) - 1            take(): idx_.bottom.load(relaxed) - 1
 * take: REL_ST(BOTTOM, b)             store_bottom_load_top(): idx_.bottom.store(b, release) [M6]
 * take: FENCE                         store_bottom_load_top(): atomic_thread_fence(seq_cst) [M1]
 * take: t = LD(TOP)                   store_bottom_load_top(): idx_.top.load(relaxed)
 * take: t > b -> ST(BOTTOM, b+1)      take(): empty, idx_.bottom.store(b + 1, relaxed)
 * take: x = LD(SLOT(b))               take(): slot(b).load(relaxed)
 * take: t == b -> CAS(TOP, t, t+1)    take(): idx_.top.compare_exchange_strong(seq_cst) [M4]
 * take: ST(BOTTOM, b+1)               take(): idx_.bottom.store(b + 1, relaxed)
 * pop:  b = LD(BOTTOM)                pop(): idx_.bottom.load(relaxed)
 * pop:  LD(TOP) >= b -> empty         pop(): if (idx_.top.load(relaxed) >= b) return false [M17: no hint]
 * pop:  FAA_TOP: t = FAA(TOP)         pop(): idx_.top.fetch_add(1, seq_cst)         [M15: relaxed]
 * pop:  t >= b                        pop(): if (t >= b)                            [M13: no check]
 * pop:  UNDO_TOP: ST(TOP, t)          pop(): idx_.top.store(t, relaxed); return false [M12: none;
 *                                       M18: also top_seen = t + 1]
 * pop:  ts = t + 1                    pop(): idx_.top_seen = t + 1                  [M14: t + 2]
 * pop:  x = LD(SLOT(t))               pop(): slot(t).load(relaxed)
 * steal: t = LD(TOP)                  load_top_bottom(): idx_.top.load(relaxed; acquire in FIFO deques)
 * steal: FENCE                        load_top_bottom(): atomic_thread_fence(seq_cst), LIFO only [M3]
 * steal: b = LD(BOTTOM)               load_top_bottom(): idx_.bottom.load(acquire)   [M7]
 * steal: x = LD(SLOT(t))              steal(): slot(t).load(relaxed)
 * steal: CAS(TOP, t, t+1)             steal(): idx_.top.compare_exchange_strong(seq_cst) [M4]
 * steal_batch: t = LD(TOP)            load_top_bottom(), FIFO: idx_.top.load(acquire) (in order)
 * steal_batch: FENCE                  none in the FIFO C++ (the M10 model, verified clean) [M10]
 * steal_batch: b = LD(BOTTOM)         load_top_bottom(): idx_.bottom.load(acquire)   [M9]
 * steal_batch: t >= b -> Empty        steal_batch(): k = t < b ? ... : 0; if (k == 0) return {}
 * steal_batch: k = min(2, (b-t+1)/2)  steal_batch(): batch_size(b - t, max), with max = MAXB = 2
 * steal_batch: x, y = LD(SLOT(t+i))   steal_batch(): out[i] = slot(t + i).load(relaxed), i < k
 * steal_batch: CAS(TOP, t, t+k)       steal_batch(): idx_.top.compare_exchange_strong(seq_cst) [M8]
 * steal_batch: ok -> got(x), got(y)   steal_batch(): return {StealStatus::Success, k}
 * steal_batch: !ok -> skip            steal_batch(): return {StealStatus::Retry, 0}
 * fifo_pop()                          pop() of a FIFO deque (OwnerEnd::Fifo) [M11: take() instead]
 *
 * The FIFO thieves' FENCE is a no-op: a thief never stores (its only write is the CAS, performed
 * on memory), so its buffers are always empty; the FIFO C++ has no fence there.
 *
 * Memory model. A store goes into the storing thread's buffer for that location; a load returns
 * the thread's newest buffered value for the location, else memory; the process `memory` commits
 * the oldest buffered store of any thread and location at any moment, so stores to different
 * locations may become visible out of order (PSO) and a load may pass an earlier store (TSO).
 * FENCE (seq_cst fence) waits until the thread's buffers are empty. A release store first waits
 * for the thread's buffers to drain (its earlier stores become visible first). A seq_cst CAS or
 * fetch_add (FAA) waits for the buffers to drain and then reads and writes memory in one atomic
 * step; a relaxed one waits only for the thread's own buffered stores to the same location
 * (coherence). Loads are performed in program order; the mutants M3, M4, M5, M7, M8, M9 and M10
 * move one specific load (or store, or a batch's slot loads together) to where a weaker ordering
 * would let RVWMO put it.
 *
 * Mutants (one at a time, -DMUTANT=n): see docs/model-checking.md for the table and verdicts.
 * Witnesses (-DWITNESS=n, on the correct model): assertions that must fail, proving a scenario
 * reaches the race it is for: 1 a 2-item batch succeeds; 2 a batch copies a refilled slot; 3 a
 * thief's CAS is performed between an empty pop's increment and its undo becoming visible; 4 a
 * thief reads the increment of an empty pop before its undo; 5 a push refills a slot after the
 * wrap (b >= N) without reading top. Lemmas L1-L3 (below the globals) are asserted in the correct
 * model and in the variants expected clean.
 * Scenarios (-DSCENARIO=n), N = 2: 1 last-item race, owner take vs one thief; 2 two thieves and
 * owner take; 3 LIFO wrap-around and full ring: push 1..3 (take and retry when refused), take,
 * push 4, take vs one thief stealing twice; 4 FIFO owner pop vs two thieves: push 1, pop, push 2,
 * 3, 4, pop (the ring wraps, an empty pop's undo is followed by two pushes, push 4 may be
 * refused). FIFO deque with steal_batch (max 2), N = 4 (a batch of 2 needs 3 items queued, so
 * N = 2 would only ever batch 1): 5 owner push 1..3, pop, pop vs one batch thief and one steal()
 * thief; 6 wrap-around and full ring: push 1..4, push 5 and 6 into the slots a batch may be
 * copying (pop and retry when refused), pop, vs a thief batching twice and a steal() thief; 7 owner
 * push 1..4, pop, pop vs two batch thieves. Each item of a successful batch leaves once (got).
 */

#ifndef MUTANT
#define MUTANT 0
#endif
#ifndef SCENARIO
#define SCENARIO 1
#endif
#ifndef N
#if SCENARIO >= 5
#define N 4               /* a batch of 2 needs 3 items queued: k = min(2, (3 + 1) / 2) */
#else
#define N 2
#endif
#endif
#define MAXB 2            /* steal_batch()'s max */
#ifndef WITNESS
#define WITNESS 0         /* reachability witnesses: assertions that must fail (W1..W5) */
#endif

#define NT 3              /* thread 0 owner, 1 and 2 thieves */
#define TOP 0
#define BOTTOM 1
#define SLOT(i) (2 + ((i) % N))
#define NLOC (2 + N)
#define DEPTH 2           /* stores a thread may have in flight per location */
#define MAXV 8            /* item values 1..MAXV-1 */

int mem[NLOC];
int buf[NT * NLOC * DEPTH];  /* buf[(p*NLOC + l)*DEPTH + k], k = 0 oldest */
byte cnt[NT * NLOC];
byte taken[MAXV];            /* times each item left the deque (take, pop, steal, or remaining) */
byte pushed = 0;             /* items pushed successfully: values 1..pushed */
byte done = 0;               /* threads finished */

/* Lemmas of the arguments in chase_lev.h, asserted in the correct model and in the variants
   expected clean (a mutant is judged by the properties alone, so that its trail ends in the lost
   or repeated item): L1 push()'s cached top is at most top; L2 a pop's claim never finds top
   above the owner's bottom, so an empty claim has t == b and its undo restores top == bottom;
   L3 no claim on top succeeds between an empty pop's increment and its undo becoming visible. */
#ifndef LEMMAS
#define LEMMAS (MUTANT == 0 || MUTANT == 6 || MUTANT == 10 || MUTANT == 15 || MUTANT == 17)
#endif
#define GHOST_UNDO (LEMMAS || WITNESS == 3)
#if GHOST_UNDO
bit undoing = 0;             /* ghost: an empty pop incremented top and has not stored the undo */
#endif

#define B(p, l, k) buf[((p) * NLOC + (l)) * DEPTH + (k)]
#define C(p, l) cnt[(p) * NLOC + (l)]

#if N == 2
#define drained_but_top(p) (C(p, 1) == 0 && C(p, 2) == 0 && C(p, 3) == 0)
#elif N == 4
#define drained_but_top(p) (C(p, 1) == 0 && C(p, 2) == 0 && C(p, 3) == 0 && C(p, 4) == 0 && \
                            C(p, 5) == 0)
#endif
#define drained(p) (C(p, TOP) == 0 && drained_but_top(p))

/* Commit the oldest buffered store of thread p to location l. */
inline commit(p, l) {
  d_step {
    mem[l] = B(p, l, 0);
    B(p, l, 0) = B(p, l, 1);
    B(p, l, 1) = 0;
    C(p, l)--
  }
}

inline ST(p, l, v) {
  (C(p, l) < DEPTH);  /* a full buffer stalls the thread until `memory` drains it */
  d_step { B(p, l, C(p, l)) = v; C(p, l)++ }
}

inline REL_ST(p, l, v) {
  (drained(p));
  ST(p, l, v)
}

inline LD(p, l, r) {
  d_step {
    if
    :: C(p, l) > 0 -> r = B(p, l, C(p, l) - 1)
    :: else -> r = mem[l]
    fi
  }
}

inline FENCE(p) { (drained(p)) }

/* seq_cst CAS; `relaxed` skips the drain (its atomicity on memory stays). */
inline CAS(p, l, expect, desired, ok, relaxed) {
  if
  :: relaxed -> skip
  :: else -> (drained(p))
  fi;
  d_step {
#if WITNESS == 3
    /* W3 must fail: a thief's claim is performed between an empty pop's increment and its undo
       becoming visible (L3 says such a claim always fails). */
    assert(l != TOP || p == 0 || !undoing && C(0, TOP) == 0);
#endif
    if
    :: mem[l] == expect ->
#if LEMMAS
       assert(l != TOP || !undoing && C(0, TOP) == 0);  /* L3 */
#endif
       mem[l] = desired; ok = 1
    :: else -> ok = 0
    fi
  }
}

/* pop()'s claim, top.fetch_add(1) by the owner into t: seq_cst, it drains, then reads and
   increments memory in one atomic step; relaxed, it still follows the owner's own earlier store
   to top (coherence), but not those to other locations. */
inline FAA_TOP(relaxed) {
  if
  :: relaxed -> (C(0, TOP) == 0)
  :: else -> (drained(0))
  fi;
  d_step {
    t = mem[TOP];
    mem[TOP] = t + 1;
#if LEMMAS
    assert(t <= b);             /* L2 */
#endif
#if GHOST_UNDO
    undoing = (t >= b)
#endif
  }
}

/* pop()'s undo, top.store(t, relaxed): a plain store into the owner's buffer. */
inline UNDO_TOP() {
  (C(0, TOP) < DEPTH);
  d_step {
    B(0, TOP, C(0, TOP)) = t;
    C(0, TOP)++;
#if GHOST_UNDO
    undoing = 0
#endif
  }
}

/* An item leaves the deque: it must be one that was pushed, and leave only once. */
inline got(v) {
  d_step {
    assert(v >= 1 && v <= pushed);
    taken[v]++;
    assert(taken[v] == 1)
  }
}

/* Any buffered store may become visible at any moment: one alternative per thread and location. */
#define COMMIT(p, l) :: atomic { C(p, l) > 0 -> commit(p, l) }
#if N == 2
#define COMMITS(p) COMMIT(p, 0) COMMIT(p, 1) COMMIT(p, 2) COMMIT(p, 3)
#elif N == 4
#define COMMITS(p) COMMIT(p, 0) COMMIT(p, 1) COMMIT(p, 2) COMMIT(p, 3) COMMIT(p, 4) COMMIT(p, 5)
#endif

proctype memory() {
end:
  do
  COMMITS(0)
  COMMITS(1)
  COMMITS(2)
  od
}

/* ---- owner operations ------------------------------------------------------------------- */

/* ts is the owner's idx_.top_seen: a lower bound of top. */
inline push(v, ok) {
#if LEMMAS
  /* L1: the cached top is at most top as the owner sees it (its pending undo, else memory). */
  d_step {
    assert(ts <= (C(0, TOP) > 0 -> B(0, TOP, C(0, TOP) - 1) : mem[TOP]));
    LD(0, BOTTOM, b)
  }
#else
  LD(0, BOTTOM, b)
#endif
  ;
  if
  :: b - ts >= N ->             /* full by the cached top: refresh it */
#if MUTANT == 5
     /* M5: top read relaxed instead of acquire: the slot store may be performed before it. */
     ST(0, SLOT(b), v);
     LD(0, TOP, ts);
     if
     :: b - ts >= N -> ok = 0
     :: else -> ok = 1
     fi
#else
     LD(0, TOP, ts);
     if
     :: b - ts >= N -> ok = 0
     :: else -> ST(0, SLOT(b), v); ok = 1
     fi
#endif
  :: else ->                    /* room by the cached top: top is not read */
#if WITNESS == 5
     assert(b < N);             /* W5 must fail: a slot is refilled after the wrap, top unread */
#endif
     ST(0, SLOT(b), v); ok = 1
  fi;
  if
  :: ok ->
     pushed++;                  /* ghost: v is pushed from here on (before it is published) */
#if MUTANT == 2
     ST(0, BOTTOM, b + 1)       /* M2: bottom published relaxed */
#elif MUTANT == 16
     /* M16: the publishing store does not wait for a pending undo of top (an empty pop's). */
     (drained_but_top(0));
     ST(0, BOTTOM, b + 1)
#else
     REL_ST(0, BOTTOM, b + 1)
#endif
  :: else -> skip
  fi
}

inline take() {
  LD(0, BOTTOM, b);
  b = b - 1;
#if MUTANT == 6
  ST(0, BOTTOM, b);             /* M6: decrement relaxed instead of release */
#else
  REL_ST(0, BOTTOM, b);
#endif
#if MUTANT != 1
  FENCE(0);                     /* M1 drops it */
#endif
  LD(0, TOP, t);
  if
  :: t > b -> ST(0, BOTTOM, b + 1)
  :: else ->
     LD(0, SLOT(b), x);
     if
     :: t < b -> got(x)
     :: else ->
        CAS(0, TOP, t, t + 1, ok, MUTANT == 4);
        ST(0, BOTTOM, b + 1);
        if
        :: ok -> got(x)
        :: else -> skip
        fi
     fi
  fi
}

inline pop() {
  LD(0, BOTTOM, b);
#if MUTANT == 17
  t = b - 1;                    /* M17: no hint: every pop claims, an empty one undoes */
#else
  LD(0, TOP, t);                /* the hint */
#endif
  if
  :: t >= b -> skip             /* empty by the hint */
  :: else ->
     FAA_TOP(MUTANT == 15);
     if
     :: t >= b && MUTANT != 13 ->   /* empty: undo the increment (M13 drops the check) */
#if MUTANT == 12
        skip                    /* M12: no undo, top stays one past */
#else
        UNDO_TOP()
#endif
#if MUTANT == 18
        ; ts = t + 1            /* M18: the empty pop caches the increment it undoes */
#endif
     :: else ->
#if MUTANT == 14
        ts = t + 2;             /* M14: a cached top one too high */
#else
        ts = t + 1;
#endif
        LD(0, SLOT(t), x);
        got(x)
     fi
  fi
}

/* The owner's end of a FIFO deque is pop(); M11 breaks the type rule and uses take() there. */
#if MUTANT == 11
#define fifo_pop() take()
#else
#define fifo_pop() pop()
#endif

/* ---- thief ------------------------------------------------------------------------------ */

/* A thief's top load (it never has buffered stores). W4 must fail: in a FIFO deque top exceeds
   bottom in memory only between an empty pop's fetch_add and the moment its undo is visible. */
#if WITNESS == 4
#define THIEF_LD_TOP(p) d_step { assert(mem[TOP] <= mem[BOTTOM]); t = mem[TOP] }
#else
#define THIEF_LD_TOP(p) LD(p, TOP, t)
#endif

inline steal(p) {
#if MUTANT == 3
  /* M3: no fence; with nothing ordering them, the two loads may be performed in either order. */
  if
  :: LD(p, TOP, t); LD(p, BOTTOM, b)
  :: LD(p, BOTTOM, b); LD(p, TOP, t)
  fi;
#elif MUTANT == 7
  /* M7: bottom read relaxed: the slot load (of slot t) may be performed before it. */
  LD(p, TOP, t);
  FENCE(p);
  LD(p, SLOT(t), x);
  LD(p, BOTTOM, b);
#else
  THIEF_LD_TOP(p);
  FENCE(p);
  LD(p, BOTTOM, b);
#endif
  if
  :: t < b ->
#if MUTANT == 4
     /* M4: relaxed CAS: the slot load may be performed after the claim. */
     CAS(p, TOP, t, t + 1, ok, 1);
     LD(p, SLOT(t), x);
#elif MUTANT == 7
     CAS(p, TOP, t, t + 1, ok, 0);
#else
     LD(p, SLOT(t), x);
     CAS(p, TOP, t, t + 1, ok, 0);
#endif
     if
     :: ok -> got(x)
     :: else -> skip            /* Retry */
     fi
  :: else -> skip               /* Empty */
  fi
}

/* ---- batch thief (FIFO deques only) ---------------------------------------------------- */

inline steal_batch(p) {
#if MUTANT == 10
  /* M10: no fence; the top and bottom loads may be performed in either order. */
  if
  :: LD(p, TOP, t); LD(p, BOTTOM, b)
  :: LD(p, BOTTOM, b); LD(p, TOP, t)
  fi;
#elif MUTANT == 9
  /* M9: bottom read relaxed: the slot loads (their addresses depend on t only) may be performed
     before it; k, computed from b afterwards, picks which of them are used. */
  LD(p, TOP, t);
  FENCE(p);
  LD(p, SLOT(t), x);
  LD(p, SLOT(t + 1), y);
  LD(p, BOTTOM, b);
#else
  THIEF_LD_TOP(p);
  FENCE(p);
  LD(p, BOTTOM, b);
#endif
  if
  :: t < b ->
     k = (b - t + 1) / 2;       /* batch_size(b - t, MAXB): half, rounded up, at most MAXB */
     if
     :: k > MAXB -> k = MAXB
     :: else -> skip
     fi;
#if MUTANT == 8
     /* M8: relaxed claim CAS: the slot loads may be performed after the claim. */
     CAS(p, TOP, t, t + k, ok, 1);
     LD(p, SLOT(t), x);
     if
     :: k > 1 -> LD(p, SLOT(t + 1), y)
     :: else -> skip
     fi;
#elif MUTANT == 9
     CAS(p, TOP, t, t + k, ok, 0);
#else
     LD(p, SLOT(t), x);
     if
     :: k > 1 -> LD(p, SLOT(t + 1), y)
     :: else -> skip
     fi;
     CAS(p, TOP, t, t + k, ok, 0);
#endif
     if
     :: ok ->                   /* Success: each of the k items leaves once */
#if WITNESS == 1
        assert(k < 2);          /* W1 must fail: a 2-item batch succeeds */
#endif
        got(x);
        if
        :: k > 1 -> got(y)
        :: else -> skip
        fi
     :: else ->                 /* Retry: the copies are discarded */
#if WITNESS == 2
        /* W2 must fail: a batch copied a slot that push() had already refilled after the wrap
           (item v lives at index v - 1, so slot t holds t + 1 + N once overwritten). */
        assert(x != t + 1 + N && y != t + 2 + N);
#endif
        skip
     fi
  :: else -> skip               /* Empty */
  fi;
  d_step { t = 0; b = 0; x = 0; y = 0; k = 0; ok = 0 }  /* dead from here: fewer states */
}

proctype batch_thief(byte p; byte batches) {
  int t, b, x, y;
  byte k;
  bit ok;
  byte i;
  for (i : 1 .. batches) {
    steal_batch(p)
  };
  done++
}

proctype thief(byte p; byte steals) {
  int t, b, x;
  bit ok;
  byte i;
  for (i : 1 .. steals) {
    steal(p)
  };
  done++
}

proctype owner() {
  int t, b, x;
  int ts = 0;                   /* idx_.top_seen */
  bit ok;
#if SCENARIO == 1
  push(1, ok); take();
#elif SCENARIO == 2
  push(1, ok); push(2, ok); take(); take();
#elif SCENARIO == 3
  push(1, ok); push(2, ok); push(3, ok);
  if
  :: !ok -> take(); push(3, ok)   /* the ring was full: make room, push again */
  :: else -> skip
  fi;
  take(); push(4, ok); take();
#elif SCENARIO == 4
  push(1, ok); pop(); push(2, ok); push(3, ok); push(4, ok); pop();
#elif SCENARIO == 5
  push(1, ok); push(2, ok); push(3, ok); fifo_pop(); fifo_pop();
#elif SCENARIO == 6
  /* N = 4: fill the ring (push 1..4), then push 5 and 6 into slots 0 and 1, which a batch
     thief may be copying (a refused push makes room with a pop and retries), then pop. */
  push(1, ok); push(2, ok); push(3, ok); push(4, ok);
  push(5, ok);
  if
  :: !ok -> fifo_pop(); push(5, ok)   /* the ring was full: make room, push again */
  :: else -> skip
  fi;
  push(6, ok);
  if
  :: !ok -> fifo_pop(); push(6, ok)
  :: else -> skip
  fi;
  fifo_pop()
#elif SCENARIO == 7
  push(1, ok); push(2, ok); push(3, ok); push(4, ok); fifo_pop(); fifo_pop();
#endif
  done++
}

/* At the end, with every buffer drained: what is still queued counts once too, and every pushed
   item has left exactly once: taken + stolen + remaining = pushed, nothing lost or repeated. */
proctype check() {
  int i;
  (done == NT && drained(0) && drained(1) && drained(2));
  assert(mem[BOTTOM] - mem[TOP] >= 0 && mem[BOTTOM] - mem[TOP] <= N);
  for (i : mem[TOP] .. mem[BOTTOM] - 1) {
    got(mem[SLOT(i)])
  };
  for (i : 1 .. pushed) {
    assert(taken[i] == 1)
  }
}

init {
  atomic {
    run memory();
    run owner();
#if SCENARIO == 1 || SCENARIO == 3
    run thief(1, 2);
    done++;                      /* thread 2 idle in these scenarios */
#elif SCENARIO == 5
    run batch_thief(1, 1);
    run thief(2, 1);
#elif SCENARIO == 6
    run batch_thief(1, 2);
    run thief(2, 1);
#elif SCENARIO == 7
    run batch_thief(1, 1);
    run batch_thief(2, 1);
#else
    run thief(1, 1);
    run thief(2, 1);
#endif
    run check()
  }
}
