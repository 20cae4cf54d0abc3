"""The explorer's ensemble: same runs as ``hedgesim run``, shares with intervals, fans per step."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.results import load_results
from hedgesim.explorer import SLIDERS, run_ensemble, slider_values
from sim.contract.outcomes import OUTCOMES
from sim.engine import ExecOptions, run_batch
from sim.library import library_dir, load_library, scenario_files
from sim.plan import RunPlan


def test_ensemble_is_the_command_lines_batch(tmp_path: Path, load_scenario) -> None:
    scenario = load_scenario("nk-missile-crisis")
    ensemble = run_ensemble(scenario, 300)
    plan = RunPlan.single(scenario, replications=300)
    run_batch(plan, tmp_path / "out", ExecOptions("inprocess", quiet=True))
    runs = load_results(tmp_path / "out").runs
    columns = ["run_id", "outcome", "us_alignment", "china_engagement", "security_index"]
    pd.testing.assert_frame_equal(
        ensemble.runs[columns].reset_index(drop=True), runs[columns], check_dtype=False
    )


def test_shares_intervals_and_fans(load_scenario) -> None:
    ensemble = run_ensemble(load_scenario("baseline"), 500)
    shares = ensemble.shares()
    assert list(shares) == list(OUTCOMES)
    assert sum(s for s, _, _ in shares.values()) == pytest.approx(1.0)
    for share, lo, hi in shares.values():
        assert 0.0 <= lo <= share <= hi <= 1.0
    fan = ensemble.fan()
    assert set(fan["group"]) == {"all"}
    assert len(fan) == 4 * ensemble.scenario.steps
    assert (fan["q10"] <= fan["q50"]).all() and (fan["q50"] <= fan["q90"]).all()
    by_outcome = ensemble.fan(by_outcome=True)
    counts = by_outcome.groupby("group")["n_runs"].first()
    assert counts.sum() == 500


def test_slider_values_are_applied(load_scenario) -> None:
    base = load_scenario("baseline")
    assert slider_values(base)["levels.us_pressure"] == base.levels.us_pressure
    high = run_ensemble(base, 400, values={"levels.china_coercion": 1.0, "levels.us_pressure": 1.0})
    low = run_ensemble(base, 400)
    assert high.scenario.levels.china_coercion == 1.0
    assert high.shares()["caught_between_giants"][0] > low.shares()["caught_between_giants"][0]
    assert set(SLIDERS) <= set(base.numeric_fields())


def test_same_seed_same_numbers_other_seed_other_numbers(load_scenario) -> None:
    base = load_scenario("baseline")
    a, b, c = run_ensemble(base, 200), run_ensemble(base, 200), run_ensemble(base, 200, seed=1)
    np.testing.assert_array_equal(a.runs["us_alignment"], b.runs["us_alignment"])
    assert not np.array_equal(a.runs["us_alignment"], c.runs["us_alignment"])


def test_library_lists_every_valid_scenario() -> None:
    files = scenario_files()
    assert files and all(p.parent == library_dir() for p in files)
    assert len(load_library()) == len(files)


def test_invalid_library_files_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("name: bad\nlevels: {us_pressure: 2}\n")
    (tmp_path / "ok.yaml").write_text(
        "name: ok\nlevels: {us_pressure: 0.2, china_coercion: 0.2, nk_provocation: 0.2}\n"
    )
    assert list(load_library(tmp_path)) == ["ok"]
