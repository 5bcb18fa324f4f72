#!/usr/bin/env python3
"""Turns the KTRACE lines of a NEURON SMP console log into a timeline and checks the scheduler's
invariants from the events alone.

usage: scripts/trace.py LOG --out DIR     writes DIR/trace.json (Chrome Trace Event format: open it
                                          in ui.perfetto.dev or chrome://tracing), DIR/timeline.png
                                          (gnuplot) and DIR/summary.md
       scripts/trace.py LOG --check       checks the invariants: exit 0 if they hold, 1 naming each
                                          violation, 3 if the only ones are of `conserving`
       scripts/trace.py LOG --latency     prints, as `perf sched latency` does, per task: runs,
                                          run time, average and maximum delay from runnable to
                                          running and where the maximum happened; then a
                                          histogram of those delays per class

The log comes from a boot with bootargs neuron.trace=1 (scripts/run-qemu-rv64.sh --trace DIR).
Format version 1 is described in kernel/trace.h. A log that is truncated, garbled or of another
version is refused with one line and exit status 2.

Invariants (--check), over the window in which every CPU's buffer was still recording:
  one-cpu      no task runs on two CPUs at once
  woken        every run of a task follows its creation or a wake (it was made runnable)
  once         every task created ran and exited exactly once (tasks still running at the
               end of the trace, such as the one that printed it, excepted)
  pinned       a pinned task never runs on another CPU
  conserving   no unpinned task waits more than one tick while a CPU is idle and none of the
               idle CPUs has been sent an IPI in the last tick (how soon a CPU wakes after its
               IPI is the machine's: measured, and judged only once a tick has passed; tasks
               queued with the IPI withheld on purpose, a test's counterfactual, excepted)
"""
import argparse
import bisect
import json
import os
import re
import shutil
import subprocess
import sys
from collections import defaultdict

NO_TASK = 0xFFFFFFFF
QOS = ["PerfBurst", "Interactive", "Normal", "Idle"]
QOS_COLOR = {"PerfBurst": "#d62728", "Interactive": "#ff7f0e", "Normal": "#1f77b4", "Idle": "#7f7f7f"}
# Chrome's reserved colour names for the same classes (Perfetto honours "cname").
QOS_CNAME = {"PerfBurst": "terrible", "Interactive": "bad", "Normal": "good", "Idle": "grey"}
STATES = ["Free", "Runnable", "Running", "Blocked", "Sleeping", "Dead"]
KINDS = set("CNRSXTPDIJKWEO")
MAX_CPUS = 512  # QEMU virt's limit; the kernel records at most its own
QUEUED_NO_IPI = 2

N = r"(\d{1,20})"  # a number as the kernel prints it (64 bits at most)
HEADER = re.compile(rf"^KTRACE: v{N} cpus={N} timebase={N} tick={N}$")
CPU = re.compile(rf"^KTRACE: cpu {N} events={N} dropped={N} first_drop={N}$")
EVENT = re.compile(rf"^KTRACE: e {N} {N} ([A-Z]) {N} {N} {N}(?: (\S.*))?$")


class TraceError(Exception):
    """The log cannot be read as a version-1 trace."""


class Event:
    __slots__ = ("cpu", "time", "kind", "task", "a", "b", "name", "seq")

    def __init__(self, cpu, time, kind, task, a, b, name, seq):
        self.cpu, self.time, self.kind, self.task = cpu, time, kind, task
        self.a, self.b, self.name, self.seq = a, b, name, seq


class Trace:
    def __init__(self):
        self.cpus = 0
        self.hz = 0
        self.tick = 0
        self.events = []  # all CPUs, in time order
        self.dropped = {}
        self.window_end = None  # time from which some CPU lost events; None: complete


def parse(lines):
    """Reads the KTRACE lines of a console log. Raises TraceError on anything malformed."""
    t = Trace()
    state = "header"
    counts = {}
    seen = defaultdict(int)
    last_time = {}
    seq = 0
    for number, raw in enumerate(lines, 1):
        line = raw.rstrip("\r\n")
        if not line.startswith("KTRACE:"):
            continue
        if state == "header":
            m = re.match(r"^KTRACE: v(\d{1,20}) ", line + " ")
            if not m:
                raise TraceError(f"line {number}: expected the KTRACE header, got: {line[:80]}")
            if m.group(1) != "1":
                raise TraceError(f"line {number}: trace format version {m.group(1)}; "
                                 "this reader knows version 1")
            m = HEADER.match(line)
            if not m:
                raise TraceError(f"line {number}: malformed KTRACE header: {line[:80]}")
            t.cpus, t.hz, t.tick = int(m.group(2)), int(m.group(3)), int(m.group(4))
            if not 1 <= t.cpus <= MAX_CPUS or t.hz < 1 or t.tick < 1:
                raise TraceError(f"line {number}: impossible header values: {line[:80]}")
            state = "body"
            continue
        if state == "done":
            raise TraceError(f"line {number}: KTRACE line after 'KTRACE: end'")
        if line == "KTRACE: end":
            state = "done"
            continue
        m = CPU.match(line)
        if m:
            cpu = int(m.group(1))
            if cpu >= t.cpus or cpu in counts:
                raise TraceError(f"line {number}: unexpected header for cpu {cpu}")
            counts[cpu] = int(m.group(2))
            dropped, first_drop = int(m.group(3)), int(m.group(4))
            t.dropped[cpu] = dropped
            if dropped and first_drop == 0:
                raise TraceError(f"line {number}: cpu {cpu} dropped events but says not when")
            if dropped and (t.window_end is None or first_drop < t.window_end):
                t.window_end = first_drop
            continue
        m = EVENT.match(line)
        if not m:
            raise TraceError(f"line {number}: garbled KTRACE line: {line[:80]}")
        cpu, kind = int(m.group(1)), m.group(3)
        if cpu not in counts or kind not in KINDS:
            raise TraceError(f"line {number}: event of cpu {cpu} kind {kind} out of place")
        if (kind == "C") != (m.group(7) is not None):
            raise TraceError(f"line {number}: a name belongs to create events only")
        seen[cpu] += 1
        time = int(m.group(2))
        if time < last_time.get(cpu, 0):
            raise TraceError(f"line {number}: cpu {cpu}'s events go back in time")
        last_time[cpu] = time
        t.events.append(Event(cpu, time, kind, int(m.group(4)), int(m.group(5)),
                              int(m.group(6)), m.group(7), seq))
        seq += 1
    if state == "header":
        raise TraceError("no KTRACE lines (boot with bootargs neuron.trace=1)")
    if state != "done":
        raise TraceError("the trace is truncated (no 'KTRACE: end' line)")
    if sorted(counts) != list(range(t.cpus)):
        raise TraceError(f"the trace names cpus {sorted(counts)}, its header says {t.cpus}")
    for cpu, n in counts.items():
        if seen[cpu] != n:
            raise TraceError(f"cpu {cpu}: {seen[cpu]} events, its header says {n}")
    # Per CPU the events are in recording order; merge by time. At equal times (100 ns apart or
    # less on a 10 MHz timebase) what ends comes before what begins: everything but switches,
    # then switches, a switch that takes a task in after the switch that lets it go.
    t.events.sort(key=lambda e: (e.time, e.kind == "S", e.seq))
    i = 0
    while i < len(t.events):
        j = i
        while j < len(t.events) and t.events[j].time == t.events[i].time:
            j += 1
        switches = [e for e in t.events[i:j] if e.kind == "S"]
        if len(switches) > 1:
            leaving = {e.a for e in switches} - {NO_TASK}  # every CPU has an idle context
            switches.sort(key=lambda e: e.task in leaving)
            t.events[j - len(switches):j] = switches
        i = j
    if t.window_end is not None:
        t.events = [e for e in t.events if e.time < t.window_end]
    return t


class Life:
    """One task, from its creation on."""

    def __init__(self, task, name, qos, created):
        self.task, self.name, self.qos, self.created = task, name, qos, created
        self.pinned = None
        self.state = "new"  # new, runnable, running, waiting, dead; unknown: seen first mid-life
        self.woken_at = None  # a wake recorded while it still ran (see the switch away)
        self.runnable_since = None  # time it became runnable
        self.how = 0  # how it was queued (TraceQueued)
        self.queued_on = None  # the CPU it was queued for
        self.cpu = None  # where it runs now
        self.runs = []  # (cpu, start, end)
        self.waits = []  # (start, end, how, queued_on): runnable until it ran (or the trace ended)
        self.exited = False


def overlaps(spans, starts, a, b):
    """The parts of sorted, disjoint `spans` (their starts in `starts`) inside [a, b)."""
    k = max(0, bisect.bisect_right(starts, a) - 1)
    while k < len(spans) and spans[k][0] < b:
        lo, hi = max(a, spans[k][0]), min(b, spans[k][1])
        if hi > lo:
            yield lo, hi
        k += 1


def analyse(t):
    """Replays the events: run slices per CPU, waits per task, violations of the invariants."""
    lives = {}
    violations = []
    start = t.events[0].time if t.events else 0
    end = t.events[-1].time if t.events else 0
    online = {0: start}  # cpu -> when it came online; cpu0 is online when the trace begins
    current = {0: NO_TASK}  # what each online CPU runs
    since = {0: start}  # start of its current slice (idle or a task)
    slices = []  # (cpu, task or NO_TASK, start, end), online time only
    marks = []  # (cpu, time, kind, event): steals, spills, IPIs sent and received
    flows = []  # (task, wake time, wake cpu, run time, run cpu)
    drains = defaultdict(list)  # cpu -> times it drained its inbox
    notes = defaultdict(list)  # cpu -> [(time, +1: sent an IPI, -1: woke or took one)]
    in_wait = set()  # CPUs between IdleEnter and IdleExit
    ipi_pending = {}  # cpu in its wait -> time of the first IPI sent to it since
    ipi_wake = []  # (IPI to wake-up latency, cpu, wake time)
    last_wake = {}

    def life(task):
        if task not in lives:
            # Created before tracing began: follow it from here.
            lives[task] = Life(task, f"task{task}", "Normal", None)
            lives[task].state = "unknown"
        return lives[task]

    def bad(rule, e, text):
        violations.append((rule, e.time, f"{rule}: {text} (cpu{e.cpu}, t={rel(t, e.time)})"))

    for e in t.events:
        k = e.kind
        if e.cpu not in online:
            online[e.cpu], current[e.cpu], since[e.cpu] = e.time, NO_TASK, e.time
            if k != "O":
                bad("one-cpu", e, f"cpu{e.cpu} recorded a '{k}' event before it came online")
            continue
        if k == "O":
            bad("one-cpu", e, f"cpu{e.cpu} came online twice")
        elif k == "C":
            lives[e.task] = Life(e.task, e.name, QOS[e.a] if e.a < len(QOS) else "?", e.time)
        elif k == "N":
            life(e.task).pinned = e.a
        elif k == "R":
            L = life(e.task)
            if L.state == "running":
                # Both CPUs record under the task's lock: a wake strictly before the switch away
                # made that switch see Runnable. Only a tie (same clock reading) needs this.
                L.woken_at = e.time
            elif L.state != "runnable":
                L.state, L.runnable_since = "runnable", e.time
                L.how, L.queued_on = e.b, e.a
            last_wake[e.task] = (e.time, e.cpu)
        elif k == "S":
            prev, nxt = e.a, e.task
            prev_state = STATES[e.b & 0xFF] if (e.b & 0xFF) < len(STATES) else "?"
            slices.append((e.cpu, current[e.cpu], since[e.cpu], e.time))
            if current[e.cpu] != prev:
                bad("one-cpu", e, f"switch from task {prev}, but cpu{e.cpu} ran {current[e.cpu]}")
            if prev != NO_TASK:
                P = life(prev)
                if P.runs and P.runs[-1][2] is None:
                    P.runs[-1] = (P.runs[-1][0], P.runs[-1][1], e.time)
                P.cpu = None
                if prev_state == "Runnable" or (P.woken_at == e.time and
                                                prev_state in ("Blocked", "Sleeping")):
                    P.state, P.runnable_since, P.how, P.queued_on = "runnable", e.time, 0, e.cpu
                elif prev_state == "Dead":
                    P.state = "dead"
                else:
                    P.state = "waiting"
                P.woken_at = None
            current[e.cpu], since[e.cpu] = nxt, e.time
            if nxt != NO_TASK:
                N = life(nxt)
                if N.state == "running" and N.cpu is not None and N.cpu != e.cpu:
                    bad("one-cpu", e, f"task {nxt} ({N.name}) switched in while it runs on "
                        f"cpu{N.cpu}")
                elif N.state == "dead":
                    bad("once", e, f"task {nxt} ({N.name}) ran after it exited")
                elif N.state in ("new", "waiting"):
                    bad("woken", e, f"task {nxt} ({N.name}) ran without being made runnable")
                if N.pinned is not None and N.pinned != e.cpu:
                    bad("pinned", e, f"task {nxt} ({N.name}) pinned to cpu{N.pinned} ran here")
                if N.state == "runnable" and N.runnable_since is not None:
                    N.waits.append((N.runnable_since, e.time, N.how, N.queued_on))
                    if nxt in last_wake:
                        wt, wc = last_wake.pop(nxt)
                        flows.append((nxt, wt, wc, e.time, e.cpu))
                N.state, N.cpu, N.runnable_since = "running", e.cpu, None
                N.runs.append((e.cpu, e.time, None))
        elif k == "X":
            L = life(e.task)
            if L.exited:
                bad("once", e, f"task {e.task} ({L.name}) exited twice")
            L.exited = True
        elif k in "TPIJ":
            marks.append((e.cpu, e.time, k, e))
            if k == "I":
                notes[e.a].append((e.time, 1))
                if e.a in in_wait and e.a not in ipi_pending:
                    ipi_pending[e.a] = e.time
            elif k == "J":
                notes[e.cpu].append((e.time, -1))
        elif k == "D":
            drains[e.cpu].append(e.time)
        elif k == "E":
            notes[e.cpu].append((e.time, -1))
            if e.cpu in ipi_pending:
                ipi_wake.append((e.time - ipi_pending.pop(e.cpu), e.cpu, e.time))
            in_wait.discard(e.cpu)
        elif k == "W":
            in_wait.add(e.cpu)
    for cpu in online:
        slices.append((cpu, current[cpu], since[cpu], end))
    # once: every task created ran and exited, unless it is still running. A trace cut short by
    # a full buffer cannot tell: what was not seen may have happened after the cut.
    for L in lives.values():
        if L.created is None or t.window_end is not None:
            continue
        if not L.runs and L.state != "running":
            violations.append(("once", L.created, f"once: task {L.task} ({L.name}) was created "
                               f"at t={rel(t, L.created)} and never ran"))
        elif not L.exited and L.state != "running":
            violations.append(("once", L.created, f"once: task {L.task} ({L.name}) never exited"))
    # A wait still open when the trace ends is judged up to its end.
    for L in lives.values():
        if L.state == "runnable" and L.runnable_since is not None and end > L.runnable_since:
            L.waits.append((L.runnable_since, end, L.how, L.queued_on))

    # conserving. An online CPU's idle time is split where another CPU sends it an IPI (told:
    # the kernel did its part; how soon the CPU wakes is the machine's) and where it wakes or
    # takes an IPI (it looked for work; if it waits again, it found none). Being told lasts a
    # tick at most: a CPU that has not woken a tick after its IPI counts as not told. The kernel
    # neglects its idle CPUs while some CPU is idle and no idle CPU has been told; a task that
    # waits through more than a tick of that, in all, is a violation.
    idle = defaultdict(list)
    for cpu, task, a, b in slices:
        if task == NO_TASK and b > a:
            idle[cpu].append((a, b))
    edges = []  # (time, d_idle, d_told)
    for cpu, spans in idle.items():
        ns = sorted(notes[cpu])
        i = 0
        for a, b in spans:
            while i < len(ns) and ns[i][0] < a:
                i += 1
            edges.append((a, 1, 0))
            until = None  # end of the current telling
            while i < len(ns) and ns[i][0] < b:
                time, what = ns[i]
                if until is not None and until <= time:
                    edges.append((until, 0, -1))
                    until = None
                if what > 0 and until is None:
                    until = min(time + t.tick, b)
                    edges.append((time, 0, 1))
                elif what < 0 and until is not None:
                    edges.append((time, 0, -1))
                    until = None
                i += 1
            if until is not None:
                edges.append((until, 0, -1))
            edges.append((b, -1, 0))
    edges.sort()
    neglect = []  # [start, end): some CPU idle, no idle CPU told
    n_idle = n_told = 0
    opened = None
    for time, di, dt in edges:
        n_idle += di
        n_told += dt
        now_bad = n_idle > 0 and n_told == 0
        if now_bad and opened is None:
            opened = time
        elif not now_bad and opened is not None:
            if time > opened:
                neglect.append((opened, time))
            opened = None
    if opened is not None and end > opened:
        neglect.append((opened, end))
    neglect_starts = [a for a, _ in neglect]
    idle_starts = {cpu: [a for a, _ in spans] for cpu, spans in idle.items()}
    worst = (0, None)  # most neglect a waiting task sat through
    raw = (0, None)  # longest time one CPU idled while a task waited (told or not)
    for L in lives.values():
        if L.pinned is not None:
            continue
        for ws, we, how, queued_on in L.waits:
            if how == QUEUED_NO_IPI:
                # Withheld on purpose by a test: judged from when its CPU drained the inbox.
                d = drains.get(queued_on, [])
                k = bisect.bisect_left(d, ws)
                if k == len(d) or d[k] >= we:
                    continue
                ws = d[k]
            total = sum(hi - lo for lo, hi in overlaps(neglect, neglect_starts, ws, we))
            if total > worst[0]:
                worst = (total, (L, ws))
            if total > t.tick:
                violations.append(("conserving", ws,
                                   f"conserving: task {L.task} ({L.name}) waited {us(t, we - ws)} "
                                   f"us from t={rel(t, ws)}, {us(t, total)} us of it with a CPU "
                                   f"idle and no idle CPU sent an IPI"))
            for cpu, spans in idle.items():
                for lo, hi in overlaps(spans, idle_starts[cpu], ws, we):
                    if hi - lo > raw[0]:
                        raw = (hi - lo, (L, cpu, lo))
    violations.sort(key=lambda v: v[1])
    return {"lives": lives, "slices": slices, "marks": marks, "flows": flows,
            "violations": violations, "online": online, "worst_neglect": worst,
            "worst_idle_wait": raw, "ipi_wake": ipi_wake, "ipi_unanswered": ipi_pending,
            "start": start, "end": end}


def rel(t, time):
    """A time as microseconds since the trace began, for messages."""
    return f"{us(t, time - t.events[0].time) if t.events else 0} us"


def us(t, units):
    return units * 1_000_000 // t.hz


def percentile(values, p):
    if not values:
        return 0
    values = sorted(values)
    return values[min(len(values) - 1, (len(values) * p) // 100)]


def summary(t, r):
    lines = ["# Scheduler trace summary", ""]
    span = max(1, r["end"] - r["start"])
    lines += [f"{t.cpus} CPUs, {len(t.events)} events over {us(t, span) / 1000:.1f} ms "
              f"(tick {us(t, t.tick)} us). Busy and idle shares count each CPU's time online."]
    if t.window_end is not None:
        lost = ", ".join(f"cpu{c}: {n}" for c, n in sorted(t.dropped.items()) if n)
        lines += [f"Buffers filled; events dropped ({lost}): everything below covers the "
                  f"window before the first drop."]
    lines += ["", "| cpu | busy | idle | steals | IPIs sent | IPIs received | spills |",
              "|---:|---:|---:|---:|---:|---:|---:|"]
    for cpu in range(t.cpus):
        up = max(1, r["end"] - r["online"].get(cpu, r["end"]))  # its time online
        busy = sum(e - s for c, task, s, e in r["slices"] if c == cpu and task != NO_TASK)
        count = lambda k: sum(1 for c, _, kind, _ in r["marks"] if c == cpu and kind == k)
        lines.append(f"| {cpu} | {100 * busy / up:.1f}% | {100 * (up - busy) / up:.1f}% | "
                     f"{count('T')} | {count('I')} | {count('J')} | {count('P')} |")
    lines += ["", "Wake-to-run latency (made runnable until switched in), per class:", "",
              "| class | waits | p50 us | p99 us | max us |", "|---|---:|---:|---:|---:|"]
    for q in QOS:
        w = [we - ws for L in r["lives"].values() if L.qos == q for ws, we, *_ in L.waits]
        lines.append(f"| {q} | {len(w)} | {us(t, percentile(w, 50))} | "
                     f"{us(t, percentile(w, 99))} | {us(t, max(w) if w else 0)} |")
    overlap, where = r["worst_idle_wait"]
    lines += [""]
    if where:
        L, cpu, at = where
        lines.append(f"Longest time a CPU sat idle while an unpinned task waited: {us(t, overlap)} "
                     f"us (cpu{cpu}, task {L.task} {L.name}, from t={rel(t, at)}).")
    else:
        lines.append("No CPU was idle while an unpinned task waited.")
    overlap, where = r["worst_neglect"]
    if where:
        L, at = where
        lines.append(f"Most of a task's wait spent with a CPU idle and no idle CPU sent an IPI "
                     f"(in the last tick): {us(t, overlap)} us (task {L.task} {L.name}, from "
                     f"t={rel(t, at)}); the bound is one tick, {us(t, t.tick)} us.")
    else:
        lines.append("The kernel never left idle CPUs un-notified while an unpinned task waited.")
    w = [d for d, _, _ in r["ipi_wake"]]
    slow = sorted(r["ipi_wake"], reverse=True)
    lines += ["", f"IPIs sent to a CPU waiting in wfi: {len(w)}; time until it woke: p50 "
              f"{us(t, percentile(w, 50))} us, p99 {us(t, percentile(w, 99))} us, max "
              f"{us(t, max(w) if w else 0)} us; {sum(1 for d in w if d > t.tick)} took more than "
              f"a tick" + (f" (the longest: cpu{slow[0][1]}, woke at t={rel(t, slow[0][2])})"
                           if slow and slow[0][0] > t.tick else "") +
              (f"; {len(r['ipi_unanswered'])} never woke before the trace ended"
               if r["ipi_unanswered"] else "") + "."]
    lines += ["", f"Invariant violations: {len(r['violations'])}."]
    return "\n".join(lines) + "\n"


def latency(t, r):
    """Per task, the delays from runnable to running; per class, their histogram (power-of-two
    buckets of microseconds). A wait still open when the trace ends counts up to its end."""
    rows = []
    by_class = defaultdict(list)
    for L in r["lives"].values():
        ran_on = {start: cpu for cpu, start, _ in L.runs}
        run_time = sum((end if end is not None else r["end"]) - start for _, start, end in L.runs)
        delays = [(we - ws, ws, ran_on.get(we)) for ws, we, *_ in L.waits]
        by_class[L.qos] += [d for d, _, _ in delays]
        worst = max(delays, key=lambda d: d[0]) if delays else (0, None, None)
        average = sum(d for d, _, _ in delays) // len(delays) if delays else 0
        rows.append((worst[0], L, len(L.runs), run_time, len(delays), average, worst))
    rows.sort(key=lambda row: (-row[0], row[1].task))
    lines = ["| task | name | class | runs | run time us | waits | avg delay us | max delay us "
             "| max delay at |", "|---:|---|---|---:|---:|---:|---:|---:|---|"]
    for _, L, runs, run_time, waits, average, (most, at, cpu) in rows:
        where = "-" if at is None else f"t={rel(t, at)}, " + (
            f"ran on cpu{cpu}" if cpu is not None else "still waiting at the end")
        lines.append(f"| {L.task} | {L.name} | {L.qos} | {runs} | {us(t, run_time)} | {waits} | "
                     f"{us(t, average)} | {us(t, most)} | {where} |")
    classes = [q for q in QOS if by_class[q]]
    lines += ["", "Delays from runnable to running, per class (count per bucket):", "",
              "| delay us | " + " | ".join(classes) + " |",
              "|---|" + "---:|" * len(classes)]
    top = max((us(t, d) for q in classes for d in by_class[q]), default=0)
    low, high = 0, 1
    while True:
        counts = [sum(1 for d in by_class[q] if low <= us(t, d) < high) for q in classes]
        lines.append(f"| {low}-{high - 1} | " + " | ".join(map(str, counts)) + " |")
        if high > top:
            break
        low, high = high, high * 2
    return "\n".join(lines) + "\n"


def chrome_json(t, r):
    """Chrome Trace Event format: a track per CPU, a slice per run, instants, wake->run flows."""
    t0 = r["start"]
    ts = lambda time: (time - t0) * 1_000_000 / t.hz
    out = [{"name": "process_name", "ph": "M", "pid": 0, "args": {"name": "NEURON SMP"}}]
    for cpu in range(t.cpus):
        out.append({"name": "thread_name", "ph": "M", "pid": 0, "tid": cpu,
                    "args": {"name": f"cpu{cpu}"}})
    lives = r["lives"]
    for cpu, task, s, e in r["slices"]:
        if task == NO_TASK or e <= s:
            continue
        L = lives.get(task)
        q = L.qos if L else "Normal"
        out.append({"name": f"{L.name if L else task} #{task}", "cat": q, "ph": "X", "pid": 0,
                    "tid": cpu, "ts": ts(s), "dur": ts(e) - ts(s), "cname": QOS_CNAME.get(q, "grey"),
                    "args": {"task": task, "class": q}})
    names = {"T": "steal", "P": "spill", "I": "ipi sent", "J": "ipi received"}
    for cpu, time, kind, e in r["marks"]:
        args = {"task": e.task} if kind in "TP" else {"target" if kind == "I" else "reasons": e.a}
        if kind == "T":
            args["victim"] = e.a
        out.append({"name": names[kind], "ph": "i", "s": "t", "pid": 0, "tid": cpu, "ts": ts(time),
                    "args": args})
    for n, (task, wt, wc, rt, rc) in enumerate(r["flows"]):
        out.append({"name": "wake", "cat": "wake", "ph": "s", "id": n, "pid": 0, "tid": wc,
                    "ts": ts(wt)})
        out.append({"name": "wake", "cat": "wake", "ph": "f", "bp": "e", "id": n, "pid": 0,
                    "tid": rc, "ts": ts(rt)})
    return {"traceEvents": out, "displayTimeUnit": "ms",
            "otherData": {"format": "NEURON SMP KTRACE v1", "cpus": t.cpus}}


def png(t, r, path):
    """A lane per CPU, runs coloured by class, marks for steals (^) and IPIs sent (|)."""
    if not shutil.which("gnuplot"):
        raise TraceError("gnuplot is missing (scripts/deps.sh trace installs it)")
    t0 = r["start"]
    ms = lambda time: (time - t0) * 1000 / t.hz
    lives = r["lives"]
    data = {q: [] for q in QOS}
    for cpu, task, s, e in r["slices"]:
        if task != NO_TASK and e > s:
            q = lives[task].qos if task in lives else "Normal"
            data.setdefault(q, []).append(f"{ms(s):.4f} {ms(e):.4f} {cpu - 0.35} {cpu + 0.35}")
    steals = [f"{ms(time):.4f} {cpu + 0.45}" for cpu, time, k, _ in r["marks"] if k == "T"]
    ipis = [f"{ms(time):.4f} {cpu - 0.45}" for cpu, time, k, _ in r["marks"] if k == "I"]
    blocks, plots = [], []
    for q in QOS:
        if data[q]:
            blocks.append("\n".join(data[q]) + "\ne")
            plots.append(f"'-' using 1:3:1:2:3:4 with boxxyerrorbars fs solid 1.0 noborder "
                         f"lc rgb '{QOS_COLOR[q]}' title '{q}'")
    if steals:
        blocks.append("\n".join(steals) + "\ne")
        plots.append("'-' using 1:2 with points pt 9 ps 0.6 lc rgb 'black' title 'steal'")
    if ipis:
        blocks.append("\n".join(ipis) + "\ne")
        plots.append("'-' using 1:2 with points pt 1 ps 0.4 lc rgb '#2ca02c' title 'IPI sent'")
    span = max(ms(r["end"]), 1e-3)
    script = f"""set terminal pngcairo size 1600,{160 + 70 * t.cpus} font ',10'
set output '{path}'
set title 'NEURON SMP scheduler timeline ({t.cpus} CPUs, {len(t.events)} events)'
set xlabel 'ms since the trace began'
set yrange [-0.8:{t.cpus - 0.2}]
set xrange [0:{span:.4f}]
set ytics ({", ".join(f"'cpu{c}' {c}" for c in range(t.cpus))})
set key outside right top
set grid xtics
plot {", ".join(plots) if plots else "NaN notitle"}
{chr(10).join(blocks)}
"""
    subprocess.run(["gnuplot"], input=script.encode(), check=True)


def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return parse(f)
    except (ValueError, MemoryError) as err:
        raise TraceError(f"unreadable trace: {err}") from err


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n".join(__doc__.split("\n")[2:]))
    ap.add_argument("log", help="console log of a boot with neuron.trace=1")
    ap.add_argument("--out", help="write trace.json, timeline.png and summary.md here")
    ap.add_argument("--check", action="store_true", help="check the invariants")
    ap.add_argument("--no-png", action="store_true", help="with --out: skip the picture")
    ap.add_argument("--latency", action="store_true",
                    help="print per-task scheduling delays and a histogram per class")
    args = ap.parse_args(argv)
    if not args.out and not args.check and not args.latency:
        ap.error("say --out DIR, --check, --latency, or several")
    try:
        t = read(args.log)
        r = analyse(t)
        if args.out:
            os.makedirs(args.out, exist_ok=True)
            with open(os.path.join(args.out, "trace.json"), "w") as f:
                json.dump(chrome_json(t, r), f)
            with open(os.path.join(args.out, "trace.json")) as f:
                json.load(f)  # what we wrote loads back
            with open(os.path.join(args.out, "summary.md"), "w") as f:
                f.write(summary(t, r))
            if not args.no_png:
                png(t, r, os.path.join(args.out, "timeline.png"))
            print(f"trace: wrote {args.out}/trace.json, "
                  f"{'' if args.no_png else 'timeline.png, '}summary.md "
                  f"({len(t.events)} events, {t.cpus} CPUs)")
        if args.latency:
            print(latency(t, r), end="")
    except (OSError, TraceError, subprocess.CalledProcessError) as err:
        print(f"trace: {err}", file=sys.stderr)
        return 2
    if args.check:
        for _, _, text in r["violations"][:50]:
            print(f"trace: violation: {text}")
        more = len(r["violations"]) - 50
        if more > 0:
            print(f"trace: ... and {more} more")
        rules = defaultdict(int)
        for rule, _, _ in r["violations"]:
            rules[rule] += 1
        window = "" if t.window_end is None else " (up to the first dropped event)"
        by_rule = ", ".join(f"{rule} {n}" for rule, n in sorted(rules.items()))
        print(f"trace: {len(t.events)} events, {len(r['lives'])} tasks{window}: "
              f"{len(r['violations'])} invariant violations" + (f" ({by_rule})" if rules else ""))
        if not rules:
            return 0
        return 3 if set(rules) == {"conserving"} else 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
