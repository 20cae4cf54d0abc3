"""Reclassification under other thresholds and the threshold-robustness table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.reclassify import (
    changed_runs,
    reclassify_runs,
    robustness_spread,
    threshold_robustness,
    with_thresholds,
)
from sim.contract.outcomes import OUTCOMES, Thresholds


def runs_of(seed: int, n: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "run_id": np.arange(n),
            "point_id": 0,
            "us_alignment": rng.random(n),
            "china_engagement": rng.random(n),
            "security_index": rng.random(n),
            "economic_index": rng.random(n),
        }
    )
    return reclassify_runs(frame, Thresholds())


unit = st.floats(0.0, 1.0)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), margin=unit, lower=unit)
def test_a_larger_tilt_margin_never_adds_tilts(seed: int, margin: float, lower: float) -> None:
    runs = runs_of(seed)
    small, large = sorted((margin, lower))
    a = reclassify_runs(runs, Thresholds(tilt_margin=small))["outcome"]
    b = reclassify_runs(runs, Thresholds(tilt_margin=large))["outcome"]
    tilts = {"tilt_us", "tilt_china"}
    assert (b.isin(tilts) <= a.isin(tilts)).all()
    assert (a[b.isin(tilts)] == b[b.isin(tilts)]).all()


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), floor=unit)
def test_a_higher_floor_never_removes_caught_runs(seed: int, floor: float) -> None:
    runs = runs_of(seed)
    base = reclassify_runs(runs, Thresholds(security_floor=floor * 0.5))["outcome"]
    higher = reclassify_runs(runs, Thresholds(security_floor=floor))["outcome"]
    caught = "caught_between_giants"
    assert ((base == caught) <= (higher == caught)).all()


def test_same_thresholds_change_nothing() -> None:
    runs = runs_of(1)
    again = reclassify_runs(runs, Thresholds())
    assert changed_runs(runs, again) == 0


def test_robustness_table() -> None:
    runs = runs_of(2)
    table = threshold_robustness(runs, Thresholds())
    assert list(table["threshold"]) == [
        "base",
        "tilt_margin",
        "tilt_margin",
        "security_floor",
        "security_floor",
        "economic_floor",
        "economic_floor",
    ]
    assert table["value"].iloc[1:].tolist() == pytest.approx([0.2, 0.3, 0.35, 0.45, 0.35, 0.45])
    shares = table[[f"share_{c}" for c in OUTCOMES]].sum(axis=1)
    assert np.allclose(shares, 1.0)
    assert table["changed"].iloc[0] == 0 and (table["changed"].iloc[1:] > 0).all()
    spread = robustness_spread(table)
    assert set(spread) == set(OUTCOMES) and all(v >= 0 for v in spread.values())


def test_threshold_values_are_checked() -> None:
    with pytest.raises(ValueError, match="in \\[0, 1\\]"):
        with_thresholds(Thresholds(), {"tilt_margin": -0.1})
    with pytest.raises(ValueError, match="unknown threshold"):
        with_thresholds(Thresholds(), {"final_window": 3})
    assert with_thresholds(Thresholds(), {"tilt_margin": None}) == Thresholds()
