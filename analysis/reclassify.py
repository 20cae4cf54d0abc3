"""Outcome classes under other thresholds, without rerunning: reclassification and robustness.

A run's class is decided from its final-window means (:func:`sim.contract.outcomes.classify_codes`),
which ``runs.parquet`` keeps, so other thresholds need no new simulation (the final window's length
does: it is not a threshold here). :func:`threshold_robustness` says how much each class's share
depends on where the lines are drawn: the share when each threshold moves by ±0.05.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, replace
from typing import Any

import numpy as np
import pandas as pd

from analysis.results import Results
from analysis.summary import outcome_counts, shares_from_counts
from sim.contract.outcomes import OUTCOMES, Thresholds, classify_codes

THRESHOLD_NAMES: tuple[str, ...] = ("tilt_margin", "security_floor", "economic_floor")
"""The thresholds that can be changed after the fact (fields of :class:`Thresholds`)."""
ROBUSTNESS_STEP = 0.05
"""How far each threshold is moved in the robustness table."""


def with_thresholds(base: Thresholds, changes: Mapping[str, float | None]) -> Thresholds:
    """``base`` with some thresholds replaced, each checked to lie in [0, 1].

    Args:
        base: the thresholds the batch was classified with.
        changes: threshold name -> new value (``None``: keep).

    Returns:
        the new thresholds.

    Raises:
        ValueError: an unknown name or a value outside [0, 1].
    """
    values = {k: v for k, v in changes.items() if v is not None}
    for name, value in values.items():
        if name not in THRESHOLD_NAMES:
            raise ValueError(f"unknown threshold {name!r} (known: {', '.join(THRESHOLD_NAMES)})")
        if not 0.0 <= float(value) <= 1.0:
            raise ValueError(f"{name} must be in [0, 1], got {value}")
    return replace(base, **{k: float(v) for k, v in values.items()})


def reclassify_runs(runs: pd.DataFrame, thresholds: Thresholds) -> pd.DataFrame:
    """A copy of the runs with ``outcome`` decided again under other thresholds.

    Args:
        runs: rows of ``runs.parquet``.
        thresholds: the thresholds.

    Returns:
        the runs with the new ``outcome`` column.
    """
    codes = classify_codes(
        runs["us_alignment"],
        runs["china_engagement"],
        runs["security_index"],
        runs["economic_index"],
        thresholds,
    )
    return runs.assign(outcome=np.asarray(OUTCOMES)[codes])


def reclassify(results: Results, **changes: float | None) -> Results:
    """The results of a batch classified under other thresholds (no rerun).

    The manifest's scenario records the new thresholds, so figures (e.g. the posture regions) and
    reports use them; the sampled trajectories take the new class of their run.

    Args:
        results: the loaded results.
        **changes: ``tilt_margin``, ``security_floor``, ``economic_floor`` (``None``: keep).

    Returns:
        new results; ``results`` is unchanged.

    Raises:
        ResultsError: an aggregate folder (it keeps no per-run rows to classify again).
    """
    results.require_runs("reclassify")
    thresholds = with_thresholds(results.thresholds, changes)
    runs = reclassify_runs(results.runs, thresholds)
    scenario = dict(results.manifest.scenario)
    scenario["classification"] = {**(scenario.get("classification") or {}), **asdict(thresholds)}
    manifest = results.manifest.model_copy(update={"scenario": scenario})
    new = Results(path=results.path, manifest=manifest, runs=runs)
    trajectories = results.trajectories
    if trajectories is not None:
        by_run = pd.Series(runs["outcome"].to_numpy(), index=runs["run_id"].to_numpy())
        trajectories = trajectories.assign(outcome=trajectories["run_id"].map(by_run).astype(str))
    new.__dict__["trajectories"] = trajectories  # cached_property slots
    new.__dict__["bands"] = results.bands
    return new


def pooled(runs: pd.DataFrame) -> pd.Series:
    """Share, lo, hi per class over all runs (pooled over points)."""
    counts = outcome_counts(runs.assign(_all=0), "_all")
    return shares_from_counts(counts).iloc[0]


def changed_runs(before: pd.DataFrame, after: pd.DataFrame) -> int:
    """How many runs have another class in ``after`` than in ``before`` (same run order)."""
    return int((before["outcome"].to_numpy() != after["outcome"].to_numpy()).sum())


def threshold_robustness(
    runs: pd.DataFrame, thresholds: Thresholds, step: float = ROBUSTNESS_STEP
) -> pd.DataFrame:
    """Each class's share (pooled over all runs) as each threshold moves by ±``step``.

    Args:
        runs: rows of ``runs.parquet`` (with the final-window means).
        thresholds: the batch's thresholds.
        step: how far each threshold moves (clipped to [0, 1]).

    Returns:
        One row for the given thresholds (``threshold`` = ``"base"``) and one per threshold and
        direction: ``threshold``, ``value``, ``changed`` (runs whose class differs from the batch's)
        and ``share_c`` per class.
    """
    base = reclassify_runs(runs, thresholds)
    rows = [_row("base", np.nan, base, base)]
    for name in THRESHOLD_NAMES:
        for sign in (-1.0, 1.0):
            value = float(np.clip(getattr(thresholds, name) + sign * step, 0.0, 1.0))
            moved = reclassify_runs(runs, replace(thresholds, **{name: value}))
            rows.append(_row(name, value, moved, base))
    return pd.DataFrame(rows)


def _row(name: str, value: float, runs: pd.DataFrame, base: pd.DataFrame) -> dict[str, Any]:
    shares = pooled(runs)
    row: dict[str, Any] = {"threshold": name, "value": value, "changed": changed_runs(base, runs)}
    row.update({f"share_{c}": float(shares[f"share_{c}"]) for c in OUTCOMES})
    return row


def robustness_spread(table: pd.DataFrame) -> dict[str, float]:
    """Per class, the largest minus the smallest share in a robustness table."""
    return {c: float(table[f"share_{c}"].max() - table[f"share_{c}"].min()) for c in OUTCOMES}
