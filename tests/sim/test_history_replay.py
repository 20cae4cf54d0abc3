"""The history replay runs end to end and its figure overlays the observed record."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.plots.history import OBSERVED, history_data, observed_series
from analysis.results import load_results
from hedgesim.cli import main

REPO = Path(__file__).resolve().parents[2]
HISTORY = REPO / "scenarios" / "history" / "korea-2013-2025.yaml"


@pytest.fixture(scope="module")
def replay(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("replay") / "run"
    args = ["run", str(HISTORY), "--replications", "60", "--out", str(out), "--quiet"]
    assert main([*args, "--backend", "inprocess"]) == 0
    assert main(["plot", str(out)]) == 0
    return out


def test_the_replay_covers_2013_to_2025_by_calendar_year(replay: Path) -> None:
    """Steps map to calendar years from the scenario's start month: 13 years, every observable."""
    data = history_data(load_results(replay))
    assert data is not None
    assert set(data["variable"]) == set(OBSERVED)
    assert sorted(set(data["year"])) == list(range(2013, 2026))
    assert np.all((data["q10"] <= data["q50"]) & (data["q50"] <= data["q90"]))


def test_the_figure_exists_and_the_observed_series_overlap_the_replay(replay: Path) -> None:
    """``hedgesim plot`` writes the history figure; the UN-vote series has points in 2013-2019."""
    png = replay / "figures" / "history.png"
    assert png.exists() and png.stat().st_size > 20_000
    seen = observed_series("unga_position")
    assert set(range(2013, 2020)) <= set(seen["year"]) and seen["year"].max() == 2019
    assert seen["value"].between(0, 1).all()


def test_a_plain_run_gets_no_history_figure(tmp_path: Path) -> None:
    """Without a start month the folder is not a history replay."""
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        "name: s\nsteps: 12\nreplications: 8\nlevels: {us_pressure: 0.3, china_coercion: 0.3,"
        " nk_provocation: 0.3}\nclassification: {final_window: 6}\n"
    )
    out = tmp_path / "out"
    assert main(["run", str(scenario), "--out", str(out), "--quiet", "--backend", "inprocess"]) == 0
    assert history_data(load_results(out)) is None
    assert pd.read_parquet(out / "runs.parquet").shape[0] == 8
