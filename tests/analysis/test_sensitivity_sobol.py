"""Sobol and Morris indices recovered through analysis.sensitivity on toy results folders.

The toy folders are built like real ones: SALib's sample is the list of sweep points (point_id = row),
and each point's "outcome probability" is a known deterministic function of its parameters, realised
as the share of its replicate runs classed ``hedging``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
from make_fixtures import GRID, make_manifest, write_folder
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample
from SALib.test_functions import Ishigami

from analysis.results import load_results
from analysis.sensitivity import (
    MORRIS_COLUMNS,
    SOBOL_COLUMNS,
    analyse_sensitivity,
    design_matrix,
    point_targets,
    write_sensitivity,
)
from sim.contract.errors import ResultsError

REPLICATES = 20
NAMES = ["levels.x1", "levels.x2", "levels.x3", "levels.dummy"]


def toy_folder(
    folder: Path,
    design: npt.NDArray[np.float64],
    probability: npt.NDArray[np.float64],
    sampler: dict[str, Any],
) -> Path:
    """A results folder whose point i has share(hedging) = round(p_i * R) / R exactly."""
    n_points = len(design)
    point = np.repeat(np.arange(n_points), REPLICATES)
    rep = np.tile(np.arange(REPLICATES), n_points)
    hedging = rep < np.rint(probability * REPLICATES)[point]
    runs = pd.DataFrame(
        {
            "run_id": np.arange(len(point)),
            "point_id": point,
            "replicate": rep,
            "seed": rep.astype(np.uint64),
        }
    )
    for j, name in enumerate(sampler["problem"]["names"]):
        runs[name] = design[point, j]
    runs["outcome"] = np.where(hedging, "hedging", "tilt_us")
    runs["us_alignment"] = 0.5
    runs["china_engagement"] = 0.5
    runs["security_index"] = probability[point]  # exact, not quantised
    runs["economic_index"] = 0.5
    names = list(sampler["problem"]["names"])
    manifest = make_manifest("toy", "sweep", names, sampler, REPLICATES, n_points)
    return write_folder(folder, manifest, runs)


def _scaled(y: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return (y - y.min()) / (y.max() - y.min())


@pytest.fixture(scope="module")
def ishigami(tmp_path_factory: pytest.TempPathFactory) -> Path:
    bounds = [[-np.pi, np.pi]] * 4
    problem = {"num_vars": 4, "names": NAMES, "bounds": bounds}
    design = sobol_sample.sample(problem, 1024, calc_second_order=False, seed=7)
    probability = _scaled(Ishigami.evaluate(design[:, :3]))
    sampler = {"kind": "sobol", "samples": 1024, "problem": problem, "calc_second_order": False}
    return toy_folder(tmp_path_factory.mktemp("ishigami") / "toy", design, probability, sampler)


# Analytical Ishigami indices (a=7, b=0.1) for x1, x2, x3; the dummy has none.
S1_TRUE = [0.3139, 0.4424, 0.0, 0.0]
ST_TRUE = [0.5576, 0.4424, 0.2437, 0.0]


@pytest.mark.parametrize(
    ("target", "tolerance"), [("security_index", 0.05), ("share_hedging", 0.05)]
)
def test_sobol_recovers_ishigami(ishigami: Path, target: str, tolerance: float) -> None:
    table = analyse_sensitivity(load_results(ishigami))
    assert table is not None
    assert list(table.columns) == list(SOBOL_COLUMNS)
    part = table[table["target"] == target].set_index("parameter").loc[NAMES]
    np.testing.assert_allclose(part["S1"], S1_TRUE, atol=tolerance)
    np.testing.assert_allclose(part["ST"], ST_TRUE, atol=tolerance)
    assert part["ST"].idxmax() == "levels.x1"  # the dominant parameter is ranked first
    assert abs(part.loc["levels.dummy", "ST"]) < 0.01  # no effect, no index
    # The intervals are informative: finite, and narrower than the indices they qualify.
    assert np.isfinite(part["ST_conf"]).all() and (part["ST_conf"] < 0.25).all()


def test_constant_targets_are_skipped(ishigami: Path) -> None:
    table = analyse_sensitivity(load_results(ishigami))
    assert table is not None
    assert set(table["target"]) == {"share_hedging", "share_tilt_us", "security_index"}


def test_write_sensitivity_csv(ishigami: Path) -> None:
    path = write_sensitivity(ishigami)
    assert path == ishigami / "sensitivity.csv"
    table = pd.read_csv(path)
    assert list(table.columns) == list(SOBOL_COLUMNS)
    assert len(table) == 3 * 4


def test_morris_ranks_a_linear_toy(tmp_path: Path) -> None:
    names = ["levels.a", "levels.b", "levels.c"]
    problem = {"num_vars": 3, "names": names, "bounds": [[0.0, 1.0]] * 3}
    design = morris_sample.sample(problem, 30, num_levels=4, seed=3)
    y = (3 * design[:, 0] + 1 * design[:, 1] + 0 * design[:, 2]) / 4
    sampler = {"kind": "morris", "samples": 30, "problem": problem, "morris_levels": 4}
    folder = toy_folder(tmp_path / "morris", design, y, sampler)
    results = load_results(folder)
    np.testing.assert_allclose(design_matrix(results.runs, names), design)
    table = analyse_sensitivity(results)
    assert table is not None
    assert list(table.columns) == list(MORRIS_COLUMNS)
    exact = table[table["target"] == "security_index"].set_index("parameter").loc[names]
    np.testing.assert_allclose(exact["mu_star"], [0.75, 0.25, 0.0], atol=1e-9)
    shares = table[table["target"] == "share_hedging"].set_index("parameter")
    assert list(shares["mu_star"].sort_values(ascending=False).index) == names


def test_point_targets_follow_point_order() -> None:
    runs = pd.DataFrame(
        {
            "point_id": [1, 1, 0, 0],
            "outcome": ["hedging", "tilt_us", "tilt_us", "tilt_us"],
            "security_index": [0.2, 0.4, 0.6, 0.8],
            "economic_index": 0.5,
            "us_alignment": 0.5,
            "china_engagement": 0.5,
        }
    )
    targets = point_targets(runs)
    assert list(targets.index) == [0, 1]
    assert list(targets["share_hedging"]) == [0.0, 0.5]
    assert list(targets["security_index"]) == pytest.approx([0.7, 0.3])


def test_incomplete_sobol_sweep_is_refused(
    ishigami: Path, copy_folder: Callable[[Path], Path]
) -> None:
    folder = copy_folder(ishigami)
    runs = pd.read_parquet(folder / "runs.parquet")
    runs[runs["point_id"] < 6000].to_parquet(folder / "runs.parquet", index=False)
    with pytest.raises(ResultsError, match="6000 of 6144 sweep points") as info:
        analyse_sensitivity(load_results(folder))
    assert "\n" not in str(info.value)


def test_not_a_sensitivity_design() -> None:
    assert analyse_sensitivity(load_results(GRID)) is None
    assert write_sensitivity(GRID) is None
