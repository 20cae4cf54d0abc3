"""hedgesim reclassify, discover and compare, end to end; discovery on the levels grid."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.compare import paired_difference
from hedgesim.cli import main
from sim.contract.outcomes import OUTCOMES

REPO = Path(__file__).resolve().parents[2]
FAST = ["--backend", "inprocess", "--quiet"]
SCENARIO = """\
name: tiny
steps: 12
replications: 60
seed: 4
levels: {us_pressure: 0.5, china_coercion: 0.5, nk_provocation: 0.4}
classification: {final_window: 6}
"""
OTHER = SCENARIO.replace("name: tiny", "name: pressed").replace(
    "us_pressure: 0.5", "us_pressure: 1.0"
)
SWEEP = """\
name: tiny-grid
base: tiny.yaml
replications: 30
seed: 3
sampler: grid
parameters:
  levels.us_pressure: {low: 0.0, high: 1.0, steps: 3}
  levels.china_coercion: {low: 0.0, high: 1.0, steps: 3}
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "tiny.yaml").write_text(SCENARIO)
    (tmp_path / "pressed.yaml").write_text(OTHER)
    (tmp_path / "sweep.yaml").write_text(SWEEP)
    assert (
        main(["sweep", str(tmp_path / "sweep.yaml"), "--out", str(tmp_path / "grid"), *FAST]) == 0
    )
    return tmp_path


def one_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    return err[0]


def test_reclassify_prints_both_tables_and_robustness(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    out_csv = folder / "re.csv"
    assert (
        main(["reclassify", str(folder / "grid"), "--tilt-margin", "0.5", "--out", str(out_csv)])
        == 0
    )
    out = capsys.readouterr().out
    assert "Reclassified: tilt margin 0.5, security floor 0.4" in out
    assert "runs changed class" in out and "Threshold robustness" in out
    summary = pd.read_csv(out_csv)
    assert len(summary) == 9 and np.allclose(
        summary[[c for c in summary if c.startswith("share_")]].sum(axis=1), 1.0
    )
    assert main(["reclassify", str(folder / "grid"), "--tilt-margin", "1.5"]) == 2
    assert "expected a number from 0 to 1" in one_line(capsys)


def test_discover_writes_boxes_and_figures(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["discover", str(folder / "grid"), "--min-share", "0.3"]) == 0
    out = capsys.readouterr().out
    assert "coverage" in out and "density" in out and "CART feature scores" in out
    table = pd.read_csv(folder / "grid" / "discovery.csv")
    assert list(table["outcome"]) == ["hedging", "tilt_us", "tilt_china", "caught_between_giants"]
    assert (folder / "grid" / "figures" / "discovery_tradeoff.png").stat().st_size > 1000
    assert main(["discover", str(folder / "grid"), "--outcome", "tilt_us"]) == 0


def test_discover_needs_a_sweep(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(folder / "tiny.yaml"), "--out", str(folder / "one"), *FAST]) == 0
    capsys.readouterr()
    assert main(["discover", str(folder / "one")]) == 2
    assert "needs a sweep" in one_line(capsys)
    assert main(["discover", str(folder / "missing")]) == 2
    assert "not found" in one_line(capsys)


def test_compare_pairs_runs(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["compare", str(folder / "tiny.yaml"), str(folder / "pressed.yaml")]) == 0
    out = capsys.readouterr().out
    assert "pressed vs tiny" in out and "95% paired interval" in out
    assert "of 60 runs" in out and "changed class" in out
    assert main(["compare", str(folder / "tiny.yaml")]) == 2
    assert "at least two" in one_line(capsys)


def test_compare_keeps_its_results_with_out(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = folder / "compared"
    files = [str(folder / "tiny.yaml"), str(folder / "pressed.yaml")]
    assert main(["compare", *files, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    table = pd.read_csv(out / "comparison.csv")
    assert list(table["scenario"].unique()) == ["pressed"]
    assert set(table["outcome"]) == set(OUTCOMES)
    runs = {name: pd.read_parquet(out / name / "runs.parquet") for name in ("tiny", "pressed")}
    for row in table.itertuples():  # the CSV holds what the runs say, not a copy of the printout
        assert row.share_a == pytest.approx((runs["tiny"]["outcome"] == row.outcome).mean())
        assert row.share_b == pytest.approx((runs["pressed"]["outcome"] == row.outcome).mean())
    moves = pd.read_csv(out / "transitions.csv")
    assert moves["runs"].sum() == len(runs["tiny"])
    a, b = runs["tiny"].sort_values("run_id"), runs["pressed"].sort_values("run_id")
    stayed = int((a["outcome"].to_numpy() == b["outcome"].to_numpy()).sum())
    assert moves.loc[moves["A"] == moves["B"], "runs"].sum() == stayed
    assert (out / "comparison.png").read_bytes()[:4] == b"\x89PNG"
    assert str(out / "comparison.csv") in printed
    same = [str(folder / "tiny.yaml"), str(folder / "tiny.yaml")]
    assert main(["compare", *same, "--out", str(folder / "twice")]) == 2
    assert "different names" in one_line(capsys)


def test_paired_interval_is_tighter_than_unpaired_and_covers_zero_for_twins() -> None:
    rng = np.random.default_rng(0)
    a = rng.random(2000) < 0.4
    b = a.copy()
    flip = rng.random(2000) < 0.05
    b[flip] = ~b[flip]
    diff, lo, hi = paired_difference(a, b)
    assert lo <= diff <= hi
    unpaired = 2 * 1.96 * np.sqrt(0.4 * 0.6 / 2000 * 2)
    assert hi - lo < unpaired / 2
    same = paired_difference(a, a)
    assert same[0] == 0.0 and same[1] <= 0.0 <= same[2]


@pytest.mark.slow
def test_discovery_states_a_box_for_every_class_on_the_levels_grid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (REPO / "scenarios" / "sweeps" / "levels-grid.yaml").read_text()
    base = REPO / "scenarios" / "baseline.yaml"
    text = text.replace("base: ../baseline.yaml", f"base: {base}")  # the file as shipped
    sweep = tmp_path / "grid.yaml"
    sweep.write_text(text)
    assert (
        main(["sweep", str(sweep), "--out", str(tmp_path / "g"), "--workers", "2", "--quiet"]) == 0
    )
    assert main(["discover", str(tmp_path / "g")]) == 0
    table = pd.read_csv(tmp_path / "g" / "discovery.csv").set_index("outcome")
    assert list(table.index) == ["hedging", "tilt_us", "tilt_china", "caught_between_giants"]
    for outcome, row in table.iterrows():
        assert row["n_cases"] > 0 and isinstance(row["box"], str) and row["box"], outcome
        assert row["coverage"] >= 0.8, outcome
        assert row["density"] > row["n_cases"] / row["n_points"], outcome  # the box enriches cases
    assert "china_coercion ≥" in table.loc["caught_between_giants", "box"]
    for outcome in ("hedging", "tilt_us"):
        assert "china_coercion" in table.loc[outcome, "box"]
