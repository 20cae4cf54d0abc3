"""Per-point summaries, summary.csv, the precision check and the terminal table."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from make_fixtures import GRID, RUN, SOBOL

from analysis.precision import check_precision, replications_needed
from analysis.results import load_results
from analysis.summary import (
    parameter_columns,
    pooled_shares,
    summarise,
    wilson_interval,
)
from analysis.table import format_table
from sim.contract.outcomes import OUTCOMES
from sim.contract.summary import write_summary


def _summary(folder: Path) -> pd.DataFrame:
    results = load_results(folder)
    return summarise(results.runs, results.parameters)


def test_summary_columns_in_contract_order() -> None:
    summary = _summary(GRID)
    expected = ["point_id", "levels.us_pressure", "levels.china_coercion", "n_runs"]
    expected += ["modal_outcome"]
    expected += [f"{k}_{c}" for c in OUTCOMES for k in ("share", "lo", "hi")]
    assert list(summary.columns) == expected
    assert parameter_columns(summary) == ["levels.us_pressure", "levels.china_coercion"]


def test_summary_counts_and_shares() -> None:
    results = load_results(GRID)
    summary = summarise(results.runs, results.parameters)
    assert list(summary["point_id"]) == list(range(15))
    assert summary["n_runs"].sum() == results.n_runs
    shares = summary[[f"share_{c}" for c in OUTCOMES]].to_numpy()
    np.testing.assert_allclose(shares.sum(axis=1), 1.0)
    point = results.runs[results.runs["point_id"] == 7]
    row = summary.iloc[7]
    k = int((point["outcome"] == "hedging").sum())
    lo, hi = wilson_interval(k, len(point))
    assert row["share_hedging"] == pytest.approx(k / len(point))
    assert (row["lo_hedging"], row["hi_hedging"]) == pytest.approx((lo, hi))
    assert row["modal_outcome"] == point["outcome"].value_counts().idxmax()
    assert row["levels.us_pressure"] == point["levels.us_pressure"].iloc[0]


def test_modal_ties_follow_outcome_order() -> None:
    runs = pd.DataFrame({"point_id": [0, 0, 0, 0], "outcome": ["tilt_china", "tilt_us"] * 2})
    assert summarise(runs).loc[0, "modal_outcome"] == "tilt_us"


def test_write_summary_matches_committed_csv(copy_folder: Callable[[Path], Path]) -> None:
    folder = copy_folder(GRID)
    committed = pd.read_csv(GRID / "summary.csv")
    (folder / "summary.csv").unlink()
    path = write_summary(folder)
    assert path == folder / "summary.csv"
    written = pd.read_csv(path)
    pd.testing.assert_frame_equal(written, committed)
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_pooled_shares_weight_by_runs() -> None:
    summary = _summary(GRID)
    results = load_results(GRID)
    pooled = pooled_shares(summary)
    assert pooled["n_runs"] == results.n_runs
    expected = (results.runs["outcome"] == "tilt_us").mean()
    assert pooled["share_tilt_us"] == pytest.approx(expected)


def test_replications_needed() -> None:
    assert replications_needed(0.5, 0.05) >= 385
    assert replications_needed(0.0, 0.05) == replications_needed(0.5, 0.05)
    assert replications_needed(0.1, 0.05) < replications_needed(0.3, 0.05)
    for p in (0.02, 0.1, 0.5):
        n = int(replications_needed(p, 0.05))
        lo, hi = wilson_interval(round(p * n), n)
        assert (hi - lo) / 2 <= 0.05 + 0.005


def test_precision_check_flags_small_samples() -> None:
    check = check_precision(_summary(RUN))
    assert not check.ok
    assert list(check.flagged["point_id"]) == [0]
    assert check.replications_needed > 40
    message = check.message()
    assert "±5.0" in message and str(check.replications_needed) in message
    assert check_precision(_summary(RUN), max_half_width=0.2).ok


def test_precision_check_passes_large_samples() -> None:
    runs = pd.DataFrame({"point_id": 0, "outcome": ["hedging"] * 700 + ["tilt_us"] * 300})
    check = check_precision(summarise(runs))
    assert check.ok and check.message() == "" and check.replications_needed == 0


def test_format_table_single_point() -> None:
    text = format_table(_summary(RUN))
    for label in ("Hedging", "Tilt to US", "Tilt to China", "Caught between giants"):
        assert label in text
    assert "75.0%" in text and "40 runs" in text
    assert "Precision:" in text
    assert "Precision:" not in format_table(_summary(RUN), max_half_width=None)


def test_format_table_few_points_lists_every_point() -> None:
    text = format_table(_summary(GRID))
    assert "US pressure" in text and "China coercion" in text
    lines = text.splitlines()
    rows = [line for line in lines if line.strip()[:2].strip().isdigit()]
    assert len(rows) == 15


def test_format_table_many_points_points_to_csv() -> None:
    text = format_table(_summary(SOBOL), max_rows=8)
    assert "All 40 points pooled (200 runs)" in text
    assert "see summary.csv" in text
    for label in ("Hedging", "Tilt to US", "Tilt to China", "Caught between giants"):
        assert f"Highest share of {label}" in text
    assert max(len(line) for line in text.splitlines()) < 400


@pytest.mark.parametrize("folder", [RUN, GRID, SOBOL])
@pytest.mark.parametrize("batch_size", [7, 1000, 262_144])
def test_summarise_file_in_batches_equals_summarise(folder: Path, batch_size: int) -> None:
    """Reading runs.parquet in batches (bounded memory) gives exactly the in-memory summary."""
    from analysis.summary import summarise_file

    results = load_results(folder)
    expected = summarise(results.runs, results.parameters)
    streamed = summarise_file(folder / "runs.parquet", results.parameters, batch_size=batch_size)
    pd.testing.assert_frame_equal(streamed, expected, check_dtype=False)


@pytest.mark.parametrize("batch_size", [7, 1000])
def test_summarise_file_ignores_row_order(tmp_path: Path, batch_size: int) -> None:
    """Rows shuffled across batches give exactly the table of the sorted file."""
    from analysis.summary import summarise_file

    results = load_results(GRID)
    shuffled = results.runs.sample(frac=1.0, random_state=1).reset_index(drop=True)
    assert shuffled["point_id"].iloc[0] != 0  # the first batch does not start at point 0
    path = tmp_path / "runs.parquet"
    shuffled.to_parquet(path, index=False)
    expected = summarise(results.runs, results.parameters)
    streamed = summarise_file(path, results.parameters, batch_size=batch_size)
    pd.testing.assert_frame_equal(streamed, expected, check_dtype=False)
    assert list(streamed["point_id"]) == list(range(15))


def test_summarise_file_reads_a_directory_of_parts(tmp_path: Path) -> None:
    """runs.parquet may be a directory of parts (as load_results accepts): same table."""
    from analysis.summary import summarise_file

    results = load_results(GRID)
    path = tmp_path / "runs.parquet"
    path.mkdir()
    shuffled = results.runs.sample(frac=1.0, random_state=4).reset_index(drop=True)
    for i, start in enumerate(range(0, len(shuffled), 100)):
        shuffled.iloc[start : start + 100].to_parquet(path / f"part-{i}.parquet", index=False)
    expected = summarise(results.runs, results.parameters)
    streamed = summarise_file(path, results.parameters, batch_size=50)
    pd.testing.assert_frame_equal(streamed, expected, check_dtype=False)


def test_summarise_file_refuses_an_unknown_class(tmp_path: Path) -> None:
    from analysis.summary import summarise_file
    from sim.contract.errors import ResultsError

    runs = load_results(GRID).runs.copy()
    runs.loc[17, "outcome"] = "collapse"
    path = tmp_path / "runs.parquet"
    runs.to_parquet(path, index=False)
    with pytest.raises(ResultsError, match="outcome: unknown class") as caught:
        summarise_file(path, ["levels.us_pressure", "levels.china_coercion"], batch_size=7)
    assert len(str(caught.value).splitlines()) == 1 and str(path) in str(caught.value)
