"""Paired comparison of two batches run on the same run seeds (common random numbers).

Run ``k`` of batch A and run ``k`` of batch B share a seed, so they differ only by the scenario: the
difference of a class's share is estimated from the pairs, and its interval (Newcombe's method 10
for paired proportions, built from the two Wilson intervals and the correlation of the pairs) is
much narrower than two independent intervals suggest. Hand-written because neither SciPy nor
statsmodels offers an interval for a difference of paired proportions.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim.contract.outcomes import OUTCOMES
from sim.contract.summary import Z95, wilson_interval


def paired_difference(
    in_a: np.ndarray, in_b: np.ndarray, z: float = Z95
) -> tuple[float, float, float]:
    """Difference ``share(B) - share(A)`` of paired binary outcomes with Newcombe's interval.

    Args:
        in_a: per pair, whether A's run is in the class (bool).
        in_b: per pair, whether B's run is in the class (bool).
        z: standard-normal quantile (default 95%).

    Returns:
        (difference, low, high), all in [-1, 1].
    """
    a_ = np.asarray(in_a, dtype=bool)
    b_ = np.asarray(in_b, dtype=bool)
    n = len(a_)
    both = int((a_ & b_).sum())
    b_only = int((b_ & ~a_).sum())
    a_only = int((a_ & ~b_).sum())
    neither = n - both - b_only - a_only
    p1, p2 = (both + b_only) / n, (both + a_only) / n  # p1: B, p2: A
    l1, u1 = (float(v) for v in wilson_interval(both + b_only, n, z))
    l2, u2 = (float(v) for v in wilson_interval(both + a_only, n, z))
    denominator = (both + b_only) * (a_only + neither) * (both + a_only) * (b_only + neither)
    if denominator == 0:
        phi = 0.0
    else:
        cross = both * neither - b_only * a_only
        phi = (
            max(cross - n / 2, 0.0) / math.sqrt(denominator)
            if cross > 0
            else cross / math.sqrt(denominator)
        )
    diff = p1 - p2
    low = diff - math.sqrt(
        max((p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2, 0.0)
    )
    high = diff + math.sqrt(
        max((u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2, 0.0)
    )
    return diff, max(low, -1.0), min(high, 1.0)


def compare_runs(runs_a: pd.DataFrame, runs_b: pd.DataFrame) -> pd.DataFrame:
    """Per class: share in A, share in B, paired difference B - A with its 95% interval.

    Args:
        runs_a: runs of batch A (``run_id``, ``seed``, ``outcome``).
        runs_b: runs of batch B, the same run ids and seeds.

    Returns:
        one row per class: ``outcome``, ``share_a``, ``share_b``, ``difference``, ``lo``, ``hi``.

    Raises:
        ValueError: the batches do not pair up (other run ids or seeds).
    """
    a, b = _paired(runs_a, runs_b)
    rows = []
    for c in OUTCOMES:
        in_a, in_b = a == c, b == c
        diff, lo, hi = paired_difference(in_a, in_b)
        rows.append(
            {
                "outcome": c,
                "share_a": float(in_a.mean()),
                "share_b": float(in_b.mean()),
                "difference": diff,
                "lo": lo,
                "hi": hi,
            }
        )
    return pd.DataFrame(rows)


def transitions(runs_a: pd.DataFrame, runs_b: pd.DataFrame) -> pd.DataFrame:
    """How many runs went from each class in A (rows) to each class in B (columns).

    Args:
        runs_a: runs of batch A.
        runs_b: runs of batch B (paired).

    Returns:
        a 4 x 4 count table in :data:`OUTCOMES` order.
    """
    a, b = _paired(runs_a, runs_b)
    table = pd.crosstab(pd.Categorical(a, OUTCOMES), pd.Categorical(b, OUTCOMES), dropna=False)
    table.index.name, table.columns.name = "A", "B"
    return table


def changed(runs_a: pd.DataFrame, runs_b: pd.DataFrame) -> int:
    """How many paired runs ended in another class in B than in A."""
    a, b = _paired(runs_a, runs_b)
    return int((a != b).sum())


def _paired(runs_a: pd.DataFrame, runs_b: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    a = runs_a.sort_values("run_id")
    b = runs_b.sort_values("run_id")
    if len(a) != len(b) or not np.array_equal(a["run_id"].to_numpy(), b["run_id"].to_numpy()):
        raise ValueError("the batches do not pair up: different run ids")
    if (
        "seed" in a
        and "seed" in b
        and not np.array_equal(a["seed"].to_numpy(), b["seed"].to_numpy())
    ):
        raise ValueError("the batches do not pair up: different run seeds")
    return a["outcome"].to_numpy().astype(str), b["outcome"].to_numpy().astype(str)
