"""Quantile bands: exact against a slow histogram, whatever the block size; kernels = histogram."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from batches import tiny_plan
from faults import run_batch
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.bands import N_BINS, TENTHS, hist_quantiles
from sim.contract.columns import TRAJECTORY_VARIABLES
from sim.engine import ExecOptions
from sim.kernel.bins import point_quantiles, run_histograms
from sim.model import simulate
from sim.plan import RunPlan


def to_bins(values: np.ndarray) -> np.ndarray:
    """Bins the obvious way: 100 bins on [0, 1], values clipped, 1.0 in the last bin."""
    scaled = np.clip(np.asarray(values, dtype=np.float64), 0.0, 1.0) * N_BINS
    return np.minimum(scaled.astype(np.int16), N_BINS - 1)


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


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.floats(0.0, 1.0), min_size=1, max_size=40),
    st.integers(1, 3),
)
def test_kernel_quantiles_agree_with_histogram_quantiles(values: list[float], copies: int) -> None:
    """Small points (sorted in the kernel) and large ones (counted) give the histogram's numbers."""
    data = np.array(values * (copies if copies == 1 else 50 * copies))
    n = len(data)
    panel = np.stack([data, 1.0 - data])[None, :, :]  # one variable, two steps
    counts = np.bincount(to_bins(data), minlength=N_BINS)[None, :]
    from_hist = hist_quantiles(counts, n)[:, 0]
    tenths = np.array(TENTHS, dtype=np.int64)
    from_kernel = point_quantiles(panel, 0, n, 1, tenths, N_BINS)
    np.testing.assert_array_equal(from_kernel[:, 0, 0], from_hist)
    exact = np.quantile(data, [0.1, 0.5, 0.9], method="inverted_cdf")
    assert (np.abs(from_hist - exact) <= 0.01 + 1e-12).all()
    counted = run_histograms(panel, 0, n, N_BINS)
    np.testing.assert_array_equal(counted[0], counts[0])
    np.testing.assert_array_equal(counted[1], np.bincount(to_bins(1.0 - data), minlength=N_BINS))


def test_kernel_quantiles_of_consecutive_points() -> None:
    """Each point's quantiles come from its own runs only, cell by cell (step-major cells)."""
    rng = np.random.default_rng(5)
    panel = rng.random((3, 4, 2 * 150 + 7))
    tenths = np.array(TENTHS, dtype=np.int64)
    got = point_quantiles(panel, 7, 150, 2, tenths, N_BINS)
    for p in range(2):
        runs = panel[:, :, 7 + 150 * p : 7 + 150 * (p + 1)]
        for t in range(4):
            for v in range(3):
                counts = np.bincount(to_bins(runs[v, t]), minlength=N_BINS)[None, :]
                expected = hist_quantiles(counts, 150)[:, 0]
                np.testing.assert_array_equal(got[:, p, t * 3 + v], expected)
