#!/usr/bin/env python3
"""Unit tests of scripts/trace.py on small hand-written KTRACE logs: a clean trace passes, each
invariant violated once is reported under its name, and bad logs are refused with status 2."""
import io
import os
import sys
import tempfile
import unittest
from contextlib import redirect_stderr, redirect_stdout

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
import trace as ktrace  # noqa: E402  (scripts/trace.py)

IDLE = 4294967295
TICK = 100000  # timebase units (10 MHz timebase, 10 ms tick)
HEAD = f"KTRACE: v1 cpus=2 timebase=10000000 tick={TICK}"
# Switch reasons: the TaskState of the task switched out (low byte), class of the new one << 8.
RUNNABLE, BLOCKED, DEAD, RUNNING = 1, 3, 5, 2
NORMAL = 2 << 8


def e(cpu, time, kind, task=IDLE, a=0, b=0, name=None):
    return f"KTRACE: e {cpu} {time} {kind} {task} {a} {b}" + (f" {name}" if name else "")


def log(cpu0, cpu1, head=HEAD, end=True, online=True):
    """A two-CPU trace; cpu1 comes online before its first event unless online=False."""
    cpu1 = ([e(1, 1, "O")] if online else []) + cpu1
    lines = ["noise before", head, f"KTRACE: cpu 0 events={len(cpu0)} dropped=0 first_drop=0"]
    lines += cpu0 + [f"KTRACE: cpu 1 events={len(cpu1)} dropped=0 first_drop=0"] + cpu1
    return "\n".join(lines + (["KTRACE: end"] if end else [])) + "\n"


# A task created on cpu0, stolen by cpu1 and run there; it blocks, is woken, runs, exits.
CLEAN = (
    [e(0, 100, "C", 1, 2, name="worker"),
     e(0, 110, "R", 1, 0, 0)],
    [e(1, 150, "T", 1, 0, 2),
     e(1, 151, "S", 1, IDLE, RUNNING | NORMAL),
     e(1, 200, "S", IDLE, 1, BLOCKED),
     e(1, 300, "R", 1, 1, 0),
     e(1, 301, "S", 1, IDLE, RUNNING | NORMAL),
     e(1, 400, "X", 1),
     e(1, 401, "S", IDLE, 1, DEAD)],
)


def shifted(lines, delta):
    """The same events, `delta` timebase units later."""
    out = []
    for line in lines:
        f = line.split(" ")
        f[3] = str(int(f[3]) + delta)
        out.append(" ".join(f))
    return out


def run(text, *args):
    with tempfile.NamedTemporaryFile("w", suffix=".log", delete=False) as f:
        f.write(text)
    out, err = io.StringIO(), io.StringIO()
    try:
        with redirect_stdout(out), redirect_stderr(err):
            status = ktrace.main([f.name, *args])
    finally:
        os.unlink(f.name)
    return status, out.getvalue(), err.getvalue()


class Check(unittest.TestCase):
    def violations(self, cpu0, cpu1):
        status, out, _ = run(log(cpu0, cpu1), "--check")
        return status, [line for line in out.splitlines() if "violation:" in line]

    def test_clean_trace_passes(self):
        status, found = self.violations(*CLEAN)
        self.assertEqual((status, found), (0, []))

    def test_task_on_two_cpus(self):
        cpu0, cpu1 = list(CLEAN[0]), list(CLEAN[1])
        cpu0 += [e(0, 160, "S", 1, IDLE, RUNNING | NORMAL)]  # also runs on cpu0 while on cpu1
        status, found = self.violations(cpu0, cpu1)
        self.assertEqual(status, 1)
        self.assertTrue(any("one-cpu:" in v for v in found), found)

    def test_run_without_wake(self):
        cpu0, cpu1 = list(CLEAN[0]), list(CLEAN[1])
        cpu1[3] = e(1, 300, "K", IDLE, 3)  # the wake is gone: a tick in its place
        status, found = self.violations(cpu0, cpu1)
        self.assertEqual(status, 1)
        self.assertTrue(any("woken:" in v for v in found), found)

    def test_wake_at_the_same_instant_as_the_block_switch_counts(self):
        # Waker and blocker both record under the task's lock; at one clock reading the order of
        # their lines is arbitrary, and the wake may be listed first.
        cpu0, cpu1 = list(CLEAN[0]), list(CLEAN[1])
        cpu1[1:4] = [e(1, 151, "S", 1, IDLE, RUNNING | NORMAL), e(1, 200, "S", IDLE, 1, BLOCKED),
                     e(1, 300, "K", IDLE, 3)]
        cpu0.append(e(0, 200, "R", 1, 1, 1))
        status, found = self.violations(cpu0, cpu1)
        self.assertEqual((status, found), (0, []))

    def test_wake_that_let_the_task_keep_its_cpu_is_not_remembered(self):
        # Woken before its CPU looked again, the task kept running (no switch); its later block
        # is a real one, and running again needs a new wake.
        cpu0, cpu1 = list(CLEAN[0]), list(CLEAN[1])
        cpu1[1:4] = [e(1, 151, "S", 1, IDLE, RUNNING | NORMAL), e(1, 180, "R", 1, 1, 0),
                     e(1, 200, "S", IDLE, 1, BLOCKED), e(1, 300, "K", IDLE, 3)]
        status, found = self.violations(cpu0, cpu1)
        self.assertEqual(status, 1)
        self.assertTrue(any("woken:" in v for v in found), found)

    def test_task_that_never_exits(self):
        cpu0, cpu1 = list(CLEAN[0]), list(CLEAN[1])[:4]  # blocks, is never woken again
        cpu1 = cpu1[:3]
        status, found = self.violations(cpu0, cpu1)
        self.assertEqual(status, 1)
        self.assertTrue(any("once:" in v and "never exited" in v for v in found), found)

    def test_task_that_runs_after_exit(self):
        cpu0, cpu1 = list(CLEAN[0]), list(CLEAN[1])
        cpu1 += [e(1, 500, "S", 1, IDLE, RUNNING | NORMAL)]
        status, found = self.violations(cpu0, cpu1)
        self.assertEqual(status, 1)
        self.assertTrue(any("once:" in v and "after it exited" in v for v in found), found)

    def test_pinned_task_elsewhere(self):
        cpu0, cpu1 = list(CLEAN[0]), list(CLEAN[1])
        cpu0.insert(1, e(0, 105, "N", 1, 0))  # pinned to cpu0, runs on cpu1
        status, found = self.violations(cpu0, cpu1)
        self.assertEqual(status, 1)
        self.assertTrue(any("pinned:" in v for v in found), found)

    def test_idle_cpu_while_task_waits(self):
        # cpu1 steals only after more than a tick, idle all along.
        cpu0, cpu1 = list(CLEAN[0]), shifted(CLEAN[1], TICK)
        status, found = self.violations(cpu0, cpu1)
        self.assertEqual(status, 3)  # only this rule: the QEMU test may boot again
        self.assertTrue(any("conserving:" in v for v in found), found)

    def test_slow_wake_after_an_ipi_is_the_machines(self):
        # cpu0 kicks idle cpu1 at once; cpu1 takes most of a tick to wake: not the kernel's fault.
        cpu0, cpu1 = list(CLEAN[0]), shifted(CLEAN[1], TICK - 100)
        cpu0.insert(2, e(0, 120, "I", IDLE, 1, 1))
        cpu1 = [e(1, 90, "W"), e(1, TICK + 10, "E")] + cpu1
        status, found = self.violations(cpu0, cpu1)
        self.assertEqual((status, found), (0, []))

    def test_ipi_that_never_wakes_counts_after_a_tick(self):
        cpu0, cpu1 = list(CLEAN[0]), shifted(CLEAN[1], 3 * TICK)
        cpu0.insert(2, e(0, 120, "I", IDLE, 1, 1))
        cpu1 = [e(1, 90, "W"), e(1, 3 * TICK + 10, "E")] + cpu1
        status, found = self.violations(cpu0, cpu1)
        self.assertEqual(status, 3)
        self.assertTrue(any("conserving:" in v for v in found), found)

    def test_withheld_ipi_is_not_a_conservation_fault(self):
        cpu0, cpu1 = list(CLEAN[0]), shifted(CLEAN[1], TICK)
        cpu0[1] = e(0, 110, "R", 1, 1, 2)  # queued on cpu1's inbox, IPI withheld by a test
        cpu1[0] = e(1, TICK + 150, "D", IDLE, 1)  # drained more than a tick later
        status, found = self.violations(cpu0, cpu1)
        self.assertEqual((status, found), (0, []))


    def test_cut_trace_judges_only_what_it_saw(self):
        # cpu1's buffer filled before the task ran: that it never ran or exited is not known.
        text = log(CLEAN[0], CLEAN[1][:1]).replace("events=2 dropped=0 first_drop=0",
                                                     "events=2 dropped=9 first_drop=151")
        status, out, _ = run(text, "--check")
        self.assertEqual(status, 0, out)
        self.assertIn("up to the first dropped event", out)


    def test_repeated_ipis_that_find_nothing_do_not_hide_a_wait(self):
        # cpu1 is sent an IPI every half tick, wakes, steals nothing and waits again, while the
        # task waits 5 ticks: told or not, the neglect adds up.
        cpu0, cpu1 = list(CLEAN[0]), shifted(CLEAN[1], 5 * TICK)
        pokes = []
        for n in range(10):
            at = 120 + n * TICK // 2
            cpu0.append(e(0, at, "I", IDLE, 1, 1))
            pokes += [e(1, at + 5, "E"), e(1, at + 6, "J", IDLE, 1), e(1, at + 8, "W")]
        cpu0.sort(key=lambda line: int(line.split(" ")[3]))
        status, found = self.violations(cpu0, pokes + cpu1)
        self.assertEqual(status, 3)
        self.assertTrue(any("conserving:" in v for v in found), found)

    def test_offline_cpu_is_not_idle(self):
        # Task 1 waits two ticks behind a hog on cpu0 before cpu1 comes online: nobody could
        # take it.
        cpu0 = [e(0, 100, "C", 1, 2, name="worker"), e(0, 105, "C", 2, 2, name="hog"),
                e(0, 106, "R", 2, 0, 0), e(0, 107, "S", 2, IDLE, RUNNING | NORMAL),
                e(0, 110, "R", 1, 0, 0), e(0, 2 * TICK, "X", 2),
                e(0, 2 * TICK + 1, "S", 1, 2, DEAD | NORMAL), e(0, 2 * TICK + 5, "X", 1),
                e(0, 2 * TICK + 6, "S", IDLE, 1, DEAD)]
        status, out, _ = run(log(cpu0, [e(1, 3 * TICK, "O")], online=False), "--check")
        self.assertEqual(status, 0, out)

    def test_ties_go_out_before_in(self):
        # The same clock reading for cpu1 letting task 1 go and cpu0 taking it.
        cpu0 = list(CLEAN[0]) + [e(0, 250, "S", 1, IDLE, RUNNING | NORMAL),
                                 e(0, 260, "X", 1), e(0, 261, "S", IDLE, 1, DEAD)]
        cpu1 = list(CLEAN[1])[:2] + [e(1, 250, "S", IDLE, 1, RUNNABLE)]
        status, found = self.violations(cpu0, cpu1)
        self.assertEqual((status, found), (0, []))

    def test_every_violation_counts_in_the_verdict(self):
        # 60 conservation misses listed first do not hide a later one-cpu violation.
        cpu0, cpu1 = list(CLEAN[0]), shifted(CLEAN[1], TICK)
        extra = []
        for n in range(60):
            extra += [e(0, 1000 + n, "C", 100 + n, 2, name="late"), e(0, 1000 + n, "R", 100 + n)]
        cpu0 = cpu0 + extra + [e(0, TICK + 160, "S", 1, IDLE, RUNNING | NORMAL)]
        status, out, _ = run(log(cpu0, cpu1), "--check")
        self.assertEqual(status, 1, out)
        self.assertIn("one-cpu", out.splitlines()[-1])


class BadInput(unittest.TestCase):
    def refused(self, text, why):
        status, _, err = run(text, "--check")
        self.assertEqual(status, 2)
        self.assertRegex(err, why)
        self.assertNotIn("Traceback", err)

    def test_no_trace(self):
        self.refused("KSELFTEST: end\n", "no KTRACE lines")

    def test_truncated(self):
        self.refused(log(*CLEAN, end=False), "truncated")

    def test_lines_missing(self):
        text = log(*CLEAN).replace(CLEAN[1][2] + "\n", "")
        self.refused(text, "cpu 1: 7 events, its header says 8")

    def test_garbled(self):
        self.refused(log(*CLEAN).replace("KTRACE: e 1 200 S", "KTRACE: e 1 2x0 S"), "garbled")

    def test_huge_numbers(self):
        self.refused(log(*CLEAN, head=HEAD.replace("cpus=2", "cpus=" + "9" * 5000)), "malformed")
        self.refused(log(*CLEAN, head=HEAD.replace("cpus=2", "cpus=1000000000000")), "impossible")

    def test_drop_without_its_time(self):
        text = log(*CLEAN).replace("KTRACE: cpu 1 events=8 dropped=0 first_drop=0",
                                   "KTRACE: cpu 1 events=8 dropped=3 first_drop=0")
        self.refused(text, "dropped events but says not when")

    def test_time_going_back(self):
        text = log(*CLEAN).replace("KTRACE: e 1 400 X", "KTRACE: e 1 40 X")
        self.refused(text, "back in time")

    def test_other_version(self):
        self.refused(log(*CLEAN, head=HEAD.replace("v1", "v2")), "version 2")


class Outputs(unittest.TestCase):
    def test_json_and_summary(self):
        with tempfile.TemporaryDirectory() as d:
            status, out, err = run(log(*CLEAN), "--out", d, "--no-png")
            self.assertEqual(status, 0, err)
            import json
            with open(os.path.join(d, "trace.json")) as f:
                events = json.load(f)["traceEvents"]
            runs = [x for x in events if x.get("ph") == "X"]
            self.assertEqual([(r["tid"], r["name"]) for r in runs], [(1, "worker #1")] * 2)
            self.assertEqual(len([x for x in events if x.get("ph") in ("s", "f")]), 4)
            with open(os.path.join(d, "summary.md")) as f:
                self.assertIn("Invariant violations: 0.", f.read())


class Latency(unittest.TestCase):
    def rows(self, cpu0, cpu1):
        status, out, err = run(log(cpu0, cpu1), "--latency")
        self.assertEqual(status, 0, err)
        table, _, histogram = out.partition("\n\n")
        return [line.split(" | ") for line in table.splitlines()[2:]], histogram

    def test_per_task_delays(self):
        # Runnable at 110, on cpu1 at 151 (4 us); woken at 300, on at 301 (0 us); ran 49 + 100.
        # Times are since the first event, cpu1's online at 1.
        rows, _ = self.rows(*CLEAN)
        self.assertEqual(rows, [["| 1", "worker", "Normal", "2", "14", "2", "2", "4",
                                 "t=10 us, ran on cpu1 |"]])

    def test_wait_open_at_the_end_counts_up_to_it(self):
        cpu0 = list(CLEAN[0]) + [e(0, 500, "C", 2, 0, name="late"), e(0, 600, "R", 2, 0, 0)]
        cpu1 = list(CLEAN[1]) + [e(1, 1600, "T", IDLE, 0, 0)]
        rows, _ = self.rows(cpu0, cpu1)
        self.assertEqual(rows[0][:4], ["| 2", "late", "PerfBurst", "0"])
        self.assertEqual(rows[0][5:], ["1", "100", "100", "t=59 us, still waiting at the end |"])

    def test_histogram_buckets_per_class(self):
        _, histogram = self.rows(*CLEAN)
        lines = histogram.splitlines()
        self.assertIn("| delay us | Normal |", lines)
        self.assertIn("| 0-0 | 1 |", lines)
        self.assertIn("| 4-7 | 1 |", lines)
        self.assertEqual(lines[-1], "| 4-7 | 1 |")  # the last bucket holds the longest delay


if __name__ == "__main__":
    unittest.main()
