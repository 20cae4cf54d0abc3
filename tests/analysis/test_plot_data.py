"""The pure data-preparation functions behind every figure."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from make_fixtures import GRID, RUN, SOBOL
from matplotlib.path import Path as MplPath

from analysis.labels import OUTCOME_COLOURS, OUTCOME_LABELS, parameter_label
from analysis.plots.compare import comparison_data
from analysis.plots.fans import (
    FAN_COLUMNS,
    FAN_VARIABLES,
    fan_from_bands,
    fan_from_trajectories,
    outcome_fans,
    overall_fan,
)
from analysis.plots.outcome_map import default_bins, outcome_map_data
from analysis.plots.position import class_regions, position_data
from analysis.plots.sensitivity import sensitivity_bars_data, sensitivity_kind
from analysis.plots.shares import shares_applicable, shares_data
from analysis.results import load_results
from analysis.summary import summarise
from sim.contract.outcomes import OUTCOMES, classify_codes


def test_style_covers_every_outcome_in_order() -> None:
    assert tuple(OUTCOME_COLOURS) == OUTCOMES
    assert tuple(OUTCOME_LABELS) == OUTCOMES
    assert OUTCOME_LABELS["tilt_us"] == "Tilt to US"
    assert len(set(OUTCOME_COLOURS.values())) == len(OUTCOMES)
    assert parameter_label("levels.us_pressure") == "US pressure"
    assert parameter_label("levels.dprk_provocation") == "DPRK provocation"


def test_shares_data_long_format() -> None:
    results = load_results(GRID)
    summary = summarise(results.runs, results.parameters)
    data = shares_data(summary)
    assert len(data) == 4 * len(summary)
    assert list(data["outcome"].iloc[:4]) == list(OUTCOMES)
    assert (data["lo"] <= data["share"]).all() and (data["share"] <= data["hi"]).all()
    assert data["label"].iloc[0] == "0 / 0"
    assert shares_applicable(1, 0) and shares_applicable(500, 1)
    assert not shares_applicable(40, 3)


def test_outcome_map_on_grid_counts_every_run() -> None:
    results = load_results(GRID)
    data = outcome_map_data(results.runs, results.parameters)
    assert data.counts.shape == (1, 3, 5, 4)
    assert data.counts.sum() == results.n_runs
    np.testing.assert_allclose(data.x_centres, [0, 0.25, 0.5, 0.75, 1.0])
    np.testing.assert_allclose(data.y_centres, [0, 0.5, 1.0])
    point = results.runs[
        (results.runs["levels.us_pressure"] == 1.0) & (results.runs["levels.china_coercion"] == 0)
    ]
    cell = data.counts[0, 0, 4]
    assert cell.sum() == len(point)
    assert OUTCOMES[data.modal[0, 0, 4]] == point["outcome"].value_counts().idxmax()
    assert data.modal_share[0, 0, 4] == pytest.approx(point["outcome"].value_counts().max() / 16)


def test_outcome_map_axes_can_be_chosen() -> None:
    results = load_results(GRID)
    data = outcome_map_data(results.runs, results.parameters, x="levels.china_coercion")
    assert (data.x, data.y, data.facet) == ("levels.china_coercion", "levels.us_pressure", None)
    assert data.counts.shape == (1, 5, 3, 4)
    with pytest.raises(ValueError, match="distinct"):
        outcome_map_data(results.runs, results.parameters, x="levels.nope")
    with pytest.raises(ValueError, match="two swept"):
        outcome_map_data(results.runs, ["levels.us_pressure"])


def test_outcome_map_bins_scattered_points_and_facets_a_third() -> None:
    results = load_results(SOBOL)
    bounds = {"levels.us_pressure": [0, 1], "levels.china_coercion": [0, 1]}
    bounds["levels.dprk_provocation"] = [0, 1]
    data = outcome_map_data(results.runs, results.parameters, gridded=False, bins=4, bounds=bounds)
    assert data.binned and data.facet == "levels.dprk_provocation"
    assert data.counts.shape == (3, 4, 4, 4)
    assert data.counts.sum() == results.n_runs
    np.testing.assert_allclose(data.x_edges, [0, 0.25, 0.5, 0.75, 1.0])
    assert np.isnan(data.shares[data.n_runs == 0]).all()
    assert (data.modal[data.n_runs == 0] == -1).all()
    assert 3 <= default_bins(40, 3) <= 12


def test_fan_from_bands_single_point() -> None:
    results = load_results(RUN)
    assert results.bands is not None
    fan = fan_from_bands(results.bands)
    assert list(fan.columns) == list(FAN_COLUMNS)
    assert list(dict.fromkeys(fan["variable"])) == list(FAN_VARIABLES)
    assert (fan["q10"] <= fan["q50"]).all() and (fan["q50"] <= fan["q90"]).all()
    assert set(fan["group"]) == {"all"}
    assert overall_fan(results).equals(fan)


def test_fan_from_trajectories_matches_numpy_quantiles() -> None:
    results = load_results(RUN)
    trajectories = results.trajectories
    assert trajectories is not None
    fan = fan_from_trajectories(trajectories, ["security_index"])
    step5 = trajectories.loc[trajectories["step"] == 5, "security_index"]
    row = fan[fan["step"] == 5].iloc[0]
    assert row["q50"] == pytest.approx(np.quantile(step5, 0.5))
    assert row["q90"] == pytest.approx(np.quantile(step5, 0.9))
    assert row["n_runs"] == 40


def test_outcome_fans_split_by_final_outcome() -> None:
    results = load_results(GRID)
    fan = outcome_fans(results)
    assert fan is not None
    groups = list(dict.fromkeys(fan["group"]))
    assert groups == [c for c in OUTCOMES if c in groups]
    trajectories = results.trajectories
    assert trajectories is not None
    n_hedging = trajectories.loc[trajectories["outcome"] == "hedging", "run_id"].nunique()
    assert fan.loc[fan["group"] == "hedging", "n_runs"].iloc[0] == n_hedging
    # several points: the overall fan comes from the trajectory sample, not from bands
    assert overall_fan(results)["n_runs"].iloc[0] == trajectories["run_id"].nunique()
    assert outcome_fans(load_results(SOBOL)) is None and overall_fan(load_results(SOBOL)) is None


def test_position_data_and_sampling() -> None:
    runs = load_results(GRID).runs
    assert len(position_data(runs)) == len(runs)
    sample = position_data(runs, max_points=50, seed=1)
    assert len(sample) == 50
    assert sample.equals(position_data(runs, max_points=50, seed=1))


@pytest.mark.parametrize("margin", [0.1, 0.25, 0.4])
def test_class_regions_agree_with_the_classifier(margin: float) -> None:
    from sim.contract.outcomes import Thresholds

    regions = {name: MplPath(poly) for name, poly in class_regions(margin).items()}
    rng = np.random.default_rng(0)
    m, a = rng.uniform(0, 1, 2000), rng.uniform(0, 1, 2000)
    keep = np.abs(np.abs(a - m) - margin) > 1e-3  # stay off the boundary lines
    m, a = m[keep], a[keep]
    codes = classify_codes(a, m, np.ones_like(a), np.ones_like(a), Thresholds(tilt_margin=margin))
    labels = np.asarray(OUTCOMES)[codes]
    for name, region in regions.items():
        inside = region.contains_points(np.column_stack([m, a]))
        np.testing.assert_array_equal(inside, labels == name)


def test_comparison_data_one_row_per_folder(tmp_path: Path) -> None:
    shutil.copytree(RUN, tmp_path / "baseline-rerun")
    folders = [load_results(f) for f in (RUN, GRID, tmp_path / "baseline-rerun")]
    data = comparison_data(folders)
    assert len(data) == 3
    assert data["label"].iloc[1] == "pressure-grid (sweep, 15 points)"
    # same scenario name twice: told apart by folder name
    assert list(data["label"].iloc[[0, 2]]) == [
        "baseline [run_baseline]",
        "baseline [baseline-rerun]",
    ]
    assert list(data["n_runs"]) == [40, 240, 40]
    share = (folders[1].runs["outcome"] == "tilt_china").mean()
    assert data["share_tilt_china"].iloc[1] == pytest.approx(share)


def test_sensitivity_bars_sorted_by_influence() -> None:
    table = pd.DataFrame(
        {
            "target": ["t"] * 3,
            "parameter": ["a.x", "a.y", "a.z"],
            "S1": [0.1, 0.5, 0.0],
            "S1_conf": [0.01] * 3,
            "ST": [0.2, 0.7, 0.0],
            "ST_conf": [0.01] * 3,
        }
    )
    assert sensitivity_kind(table) == "sobol"
    bars = sensitivity_bars_data(table, "t")
    assert list(bars["parameter"]) == ["a.y", "a.x", "a.z"]
    assert list(bars["label"]) == ["Y", "X", "Z"]
    morris = pd.DataFrame(
        {"target": "t", "parameter": ["p", "q"], "mu_star": [1, 2], "mu_star_conf": 0, "sigma": 0}
    )
    assert sensitivity_kind(morris) == "morris"
    assert list(sensitivity_bars_data(morris, "t")["parameter"]) == ["q", "p"]
