#!/usr/bin/env python3
"""Unit tests of bench/report.py's goal verdicts: a goal is met or missed only when the bootstrap
interval of its ratio clears the target, and never from fewer than MIN_REPS repetitions."""
import random
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import report  # noqa: E402


def rows_of(lockfree, locked):
    """Handover rows for lockfree and locked, one value per repetition."""
    def row(vals):
        return {"values": {"items_per_second": vals}, "median": {"items_per_second":
                sorted(vals)[len(vals) // 2]}, "stddev": {}, "n": len(vals), "label": ""}
    return {("handover_free", "lockfree", "1"): row(lockfree),
            ("handover_free", "locked", "1"): row(locked)}


def verdict_of(rows, goal_prefix):
    for line in report.goals_table(rows):
        if line.startswith(f"| {goal_prefix}"):
            return line.rstrip(" |").rsplit("| ", 1)[1]
    raise AssertionError(f"no goal '{goal_prefix}'")


class Verdicts(unittest.TestCase):
    GOAL = "handover_free K=1: lockfree / locked"  # target >= 3.0

    def test_clear_win_is_met(self):
        rows = rows_of([40, 41, 39, 40, 42, 40, 41], [10, 10.5, 9.8, 10.1, 10, 9.9, 10.2])
        self.assertEqual(verdict_of(rows, self.GOAL), "met")

    def test_clear_loss_is_missed(self):
        rows = rows_of([20, 21, 19, 20, 22, 20, 21], [10, 10.5, 9.8, 10.1, 10, 9.9, 10.2])
        self.assertEqual(verdict_of(rows, self.GOAL), "missed")

    def test_median_over_target_with_wide_spread_is_not_decided(self):
        # The ratio of medians is 3.2, but the repetitions straddle the target.
        rows = rows_of([32, 20, 45, 32, 25, 40, 30], [10, 14, 8, 10, 12, 9, 10])
        self.assertEqual(verdict_of(rows, self.GOAL), "not decided")

    def test_too_few_repetitions_decide_nothing(self):
        rows = rows_of([40, 41], [10, 10.5])
        self.assertEqual(verdict_of(rows, self.GOAL), "not decided (2 repetitions)")

    def test_missing_side_is_not_measured(self):
        rows = rows_of([40, 41, 39, 40, 42], [10, 10, 10, 10, 10])
        del rows[("handover_free", "locked", "1")]
        self.assertEqual(verdict_of(rows, self.GOAL), "not measured")

    def test_interval_brackets_the_ratio_of_medians(self):
        lo, hi = report.ratio_interval([4, 5, 6, 5, 5], [1, 1, 1, 1, 1], random.Random(1))
        self.assertLessEqual(lo, 5.0)
        self.assertGreaterEqual(hi, 5.0)


if __name__ == "__main__":
    unittest.main()
