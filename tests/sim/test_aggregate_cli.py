"""Aggregate folders end to end: sweep --aggregate, plot, report, discover, reclassify, replay."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.results import load_results
from hedgesim.cli import main
from hedgesim.replay import replay_run

FAST = ["--backend", "inprocess", "--quiet"]
SCENARIO = """\
name: tiny
steps: 12
replications: 40
seed: 4
levels: {us_pressure: 0.5, china_coercion: 0.5, nk_provocation: 0.4}
classification: {final_window: 6}
"""
SWEEP = """\
name: tiny-grid
base: tiny.yaml
replications: 40
seed: 3
sampler: grid
block_size: 25
parameters:
  levels.us_pressure: {low: 0.0, high: 1.0, steps: 3}
  levels.china_coercion: {low: 0.0, high: 1.0, steps: 3}
"""


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("agg_cli")
    (root / "tiny.yaml").write_text(SCENARIO)
    (root / "sweep.yaml").write_text(SWEEP)
    sweep = str(root / "sweep.yaml")
    assert main(["sweep", sweep, "--out", str(root / "agg"), "--aggregate", *FAST]) == 0
    assert main(["sweep", sweep, "--out", str(root / "runs"), "--no-aggregate", *FAST]) == 0
    return root / "agg", root / "runs"


def one_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    return err[0]


def test_aggregate_and_per_run_sweeps_have_the_same_shares(folders: tuple[Path, Path]) -> None:
    agg, runs = folders
    pd.testing.assert_frame_equal(
        pd.read_csv(agg / "summary.csv"), pd.read_csv(runs / "summary.csv")
    )
    a, r = load_results(agg), load_results(runs)
    assert a.aggregate and not r.aggregate
    assert (a.n_runs, a.n_points) == (r.n_runs, r.n_points) == (360, 9)
    pd.testing.assert_frame_equal(a.summary, r.summary)
    pd.testing.assert_frame_equal(
        a.points.drop(columns=[c for c in a.points if c.startswith("mean_")]),
        r.points.drop(columns=[c for c in r.points if c.startswith("mean_")]),
    )
    means = [c for c in a.points if c.startswith("mean_")]
    pd.testing.assert_frame_equal(a.points[means], r.points[means], atol=1e-9, rtol=0)


def test_plot_report_and_discover_work_on_an_aggregate_folder(
    folders: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    agg, _ = folders
    assert main(["plot", str(agg)]) == 0
    assert {p.stem for p in (agg / "figures").glob("*.png")} >= {"outcome_map", "fans", "position"}
    assert main(["report", str(agg)]) == 0
    html = (agg / "report.html").read_text()
    assert "aggregate folder" in html and "Scenario discovery" in html
    assert main(["discover", str(agg)]) == 0
    assert "PRIM" in capsys.readouterr().out
    assert (agg / "discovery.csv").exists()


def test_discovery_is_the_same_on_both_folders(folders: tuple[Path, Path]) -> None:
    agg, runs = folders
    main(["discover", str(runs)])
    per_run = pd.read_csv(runs / "discovery.csv")
    main(["discover", str(agg)])
    pd.testing.assert_frame_equal(pd.read_csv(agg / "discovery.csv"), per_run)


def test_reclassify_on_an_aggregate_folder_says_why_in_one_line(
    folders: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    agg, _ = folders
    capsys.readouterr()
    assert main(["reclassify", str(agg), "--tilt-margin", "0.2"]) == 2
    line = one_line(capsys)
    assert "aggregate folder" in line and "--no-aggregate" in line


@pytest.mark.parametrize("run_id", [0, 17, 39, 40, 203, 359])
def test_replay_equals_the_per_run_row(folders: tuple[Path, Path], run_id: int) -> None:
    agg, runs = folders
    row = pd.read_parquet(runs / "runs.parquet").set_index("run_id").loc[run_id]
    for folder in (agg, runs):
        run = replay_run(folder, run_id)
        assert run.outcome == row["outcome"]
        assert run.seed == row["seed"]
        for name, value in run.finals.items():
            assert value == row[name], name
        assert run.lane_values == {
            "levels.us_pressure": row["levels.us_pressure"],
            "levels.china_coercion": row["levels.china_coercion"],
        }


def test_replay_command_prints_the_run_and_writes_its_trajectory(
    folders: tuple[Path, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    agg, runs = folders
    out = tmp_path / "run.csv"
    assert main(["replay", str(agg), "203", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    row = pd.read_parquet(runs / "runs.parquet").set_index("run_id").loc[203]
    assert f"outcome: {row['outcome']}" in printed
    trajectory = pd.read_csv(out)
    assert list(trajectory["step"]) == list(range(1, 13))
    stored = pd.read_parquet(runs / "trajectories.parquet")
    stored = stored[stored["run_id"] == 0].reset_index(drop=True)
    assert main(["replay", str(runs), "0", "--out", str(out)]) == 0
    assert "identical to the folder's row" in capsys.readouterr().out
    again = pd.read_csv(out)
    pd.testing.assert_series_equal(again["threat"], stored["threat"], check_exact=True)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["360"], "not in this batch"),
        (["-1"], "run id of 0 or more"),
        (["abc"], "expected a run id"),
    ],
)
def test_replay_refuses_bad_run_ids_in_one_line(
    folders: tuple[Path, Path], capsys: pytest.CaptureFixture[str], args: list[str], expected: str
) -> None:
    agg, _ = folders
    capsys.readouterr()
    assert main(["replay", str(agg), *args]) == 2
    assert expected in one_line(capsys)


def test_replay_refuses_a_missing_folder_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["replay", str(tmp_path / "nowhere"), "0"]) == 2
    assert "not found" in one_line(capsys)
    (tmp_path / "empty").mkdir()
    assert main(["replay", str(tmp_path / "empty"), "0"]) == 2
    assert "manifest.json" in one_line(capsys)
