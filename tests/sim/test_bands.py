"""Quantile bands: exact against a slow histogram, whatever the block size; sorted = histogram."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from batches import tiny_plan
from faults import run_batch
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.bands import TENTHS, hist_quantiles, sorted_quantiles, to_bins
from sim.contract.columns import TRAJECTORY_VARIABLES
from sim.engine import ExecOptions
from sim.model import simulate
from sim.plan import RunPlan


def _reference_bands(plan: RunPlan) -> pd.DataFrame:
    """Bands computed the slow, obvious way: a 100-bin histogram per point, step and variable."""
    rows = []
    block = plan.block(0, plan.n_runs)
    result = simulate(plan.scenario, block.seeds, block.lane_values)
    for p in range(plan.n_points):
        sel = block.point_ids == p
        for t in range(plan.scenario.steps):
            for var in TRAJECTORY_VARIABLES:
                values = result.trajectories[var][sel, t]
                counts = np.bincount(to_bins(values), minlength=100)
                cum = np.cumsum(counts)
                n = len(values)
                row = {"point_id": p, "step": t + 1, "variable": var}
                for tenths in TENTHS:
                    i = int(np.argmax(cum * 10 >= tenths * n))
                    below = cum[i] - counts[i]
                    row[f"q{10 * tenths}"] = (
                        i + (tenths * n - 10 * below) / (10 * counts[i])
                    ) / 100
                row["n"] = n
                rows.append(row)
    return pd.DataFrame(rows)


@pytest.mark.parametrize("block_size", [7, 16, 30, 1000])
def test_bands_are_exact_and_independent_of_blocks(tmp_path: Path, block_size: int) -> None:
    plan = tiny_plan(block_size=block_size)
    run_batch(plan, tmp_path / "b", ExecOptions("inprocess", quiet=True))
    bands = pd.read_parquet(tmp_path / "b" / "bands.parquet")
    expected = _reference_bands(plan)
    assert len(bands) == 2 * 12 * len(TRAJECTORY_VARIABLES)
    for column in ("point_id", "step", "n"):
        assert bands[column].tolist() == expected[column].tolist()
    assert bands["variable"].tolist() == expected["variable"].tolist()
    for column in ("q10", "q50", "q90"):
        np.testing.assert_array_equal(bands[column].to_numpy(), expected[column].to_numpy())
    assert ((bands["q10"] <= bands["q50"]) & (bands["q50"] <= bands["q90"])).all()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(0.0, 1.0), min_size=1, max_size=40),
)
def test_sorted_and_histogram_quantiles_agree(values: list[float]) -> None:
    bins = to_bins(np.array(values))
    counts = np.bincount(bins, minlength=100)[None, :]
    from_hist = hist_quantiles(counts, len(values))[:, 0]
    from_sort = sorted_quantiles(np.sort(bins)[None, :, None])[:, 0, 0]
    np.testing.assert_array_equal(from_hist, from_sort)
    exact = np.quantile(np.array(values), [0.1, 0.5, 0.9], method="inverted_cdf")
    assert (np.abs(from_hist - exact) <= 0.01 + 1e-12).all()
