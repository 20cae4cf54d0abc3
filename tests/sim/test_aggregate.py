"""Aggregate mode: per-point tables equal the per-run folder's, whatever the blocks, workers and backend."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from batches import tiny_plan

from sim.aggregate import AggregateMerger, choose_aggregate
from sim.contract.aggregate import (
    AGGREGATE_THRESHOLD,
    COUNT_COLUMNS,
    FIXED_POINT_SCALE,
    HIST_VARIABLES,
    final_bins,
    fixed_point,
    in_sample,
    sample_quota,
)
from sim.contract.columns import FINAL_VARIABLES
from sim.contract.manifest import read_manifest
from sim.contract.outcomes import OUTCOMES
from sim.engine import ExecOptions, run_batch
from sim.plan import RunPlan


def grid_plan(replications: int = 45, block_size: int = 16, aggregate: bool = True) -> RunPlan:
    """3 points x 45 replicates: points cut by blocks, points spanning several blocks."""
    points = pd.DataFrame({"point_id": [0, 1, 2], "levels.us_pressure": [0.1, 0.5, 0.9]})
    plan = tiny_plan(replications, block_size, trajectory_sample=4)
    return replace(plan, points=points, batch_seed=7, aggregate=aggregate)


def _aggregate_files(folder: Path) -> dict[str, pd.DataFrame]:
    return {
        name: pd.read_parquet(folder / f"{name}.parquet")
        for name in ("points", "finals", "sample", "bands", "trajectories")
    }


@pytest.fixture(scope="module")
def per_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("per_run") / "r"
    run_batch(grid_plan(aggregate=False), out, ExecOptions("inprocess", quiet=True))
    return out


@pytest.fixture(scope="module")
def aggregated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("aggregate") / "a"
    report = run_batch(grid_plan(), out, ExecOptions("inprocess", quiet=True))
    assert report.complete
    return out


def test_points_equal_the_per_run_counts_and_sums(per_run: Path, aggregated: Path) -> None:
    runs = pd.read_parquet(per_run / "runs.parquet")
    points = pd.read_parquet(aggregated / "points.parquet")
    counts = runs.groupby(["point_id", "outcome"]).size().unstack(fill_value=0)
    counts = counts.reindex(columns=list(OUTCOMES), fill_value=0)
    np.testing.assert_array_equal(points[list(COUNT_COLUMNS)].to_numpy(), counts.to_numpy())
    np.testing.assert_array_equal(points["n_runs"], [45, 45, 45])
    np.testing.assert_array_equal(points["levels.us_pressure"], [0.1, 0.5, 0.9])
    assert points["launches_sum"].tolist() == runs.groupby("point_id")["launches"].sum().tolist()
    for v in FINAL_VARIABLES:
        sums = runs.groupby("point_id")[v].apply(lambda s: int(fixed_point(s.to_numpy()).sum()))
        assert points[f"sum_{v}"].tolist() == sums.tolist()
        means = points[f"sum_{v}"] / FIXED_POINT_SCALE / points["n_runs"]
        np.testing.assert_allclose(means, runs.groupby("point_id")[v].mean(), atol=1e-9)


def test_summary_and_bands_equal_the_per_run_folder(per_run: Path, aggregated: Path) -> None:
    pd.testing.assert_frame_equal(
        pd.read_csv(per_run / "summary.csv"), pd.read_csv(aggregated / "summary.csv")
    )
    pd.testing.assert_frame_equal(
        pd.read_parquet(per_run / "bands.parquet"), pd.read_parquet(aggregated / "bands.parquet")
    )


def test_finals_histograms_count_every_run(per_run: Path, aggregated: Path) -> None:
    runs = pd.read_parquet(per_run / "runs.parquet")
    finals = pd.read_parquet(aggregated / "finals.parquet")
    for v in HIST_VARIABLES:
        expected = (
            pd.DataFrame({"point_id": runs["point_id"], "bin": final_bins(v, runs[v])})
            .groupby(["point_id", "bin"])
            .size()
        )
        got = finals[finals["variable"] == v].set_index(["point_id", "bin"])["count"]
        assert got.to_dict() == expected.to_dict(), v


def test_sample_rows_are_the_per_run_rows(per_run: Path, aggregated: Path) -> None:
    runs = pd.read_parquet(per_run / "runs.parquet")
    sample = pd.read_parquet(aggregated / "sample.parquet")
    record = read_manifest(aggregated).aggregate
    assert record is not None
    mask = in_sample(
        runs["point_id"].to_numpy(),
        runs["replicate"].to_numpy(),
        record.sample_per_point,
        record.sample_stride,
    )
    pd.testing.assert_frame_equal(sample, runs[mask].reset_index(drop=True), check_exact=True)
    assert not (aggregated / "runs.parquet").exists()


@pytest.mark.parametrize(
    ("block_size", "backend", "workers"),
    [
        (7, "inprocess", 1),
        (45, "inprocess", 1),
        (64, "local", 2),
        (200, "inprocess", 1),
        (30, "dask", 2),
    ],
)
def test_merge_does_not_depend_on_blocks_or_workers(
    aggregated: Path, tmp_path: Path, block_size: int, backend: str, workers: int
) -> None:
    out = tmp_path / "b"
    plan = grid_plan(block_size=block_size)
    run_batch(plan, out, ExecOptions(backend, workers, quiet=True))
    first, again = _aggregate_files(aggregated), _aggregate_files(out)
    for name, frame in first.items():
        pd.testing.assert_frame_equal(frame, again[name], check_exact=True, obj=name)


def test_resume_in_the_other_mode_is_refused(aggregated: Path) -> None:
    from sim.contract.errors import ResultsError

    with pytest.raises(ResultsError, match="another batch"):
        run_batch(grid_plan(aggregate=False), aggregated, ExecOptions("inprocess"), resume=True)


def test_sample_quota_is_bounded() -> None:
    for n_points, reps, per_point, limit in [
        (1, 10**8, 1000, 10**6),
        (10**5, 1000, 1000, 10**6),
        (10**7, 10, 1000, 10**6),
        (3, 5, 1000, 10),
    ]:
        k, stride = sample_quota(n_points, reps, per_point, limit)
        kept = k * -(-n_points // stride)
        assert 1 <= k <= min(per_point, reps)
        assert kept <= limit
    assert sample_quota(10**5, 1000, 1000, 10**6) == (10, 1)


def test_threshold_chooses_the_mode() -> None:
    small = grid_plan(aggregate=False)
    plan, note = choose_aggregate(small, None)
    assert not plan.aggregate and note is None
    assert choose_aggregate(small, True)[0].aggregate
    big = replace(small, replications=AGGREGATE_THRESHOLD)
    plan, note = choose_aggregate(big, None)
    assert plan.aggregate and note is not None and "--no-aggregate" in note
    plan, note = choose_aggregate(big, False)
    assert not plan.aggregate and note is None


def test_merger_holds_a_point_across_many_blocks() -> None:
    """Three blocks of 2 runs of one 5-run point, then a block finishing it with the next point."""
    from sim.aggregate import AggregateSpec, aggregate_record

    plan = replace(grid_plan(replications=5), aggregate=True)
    record = aggregate_record(plan)
    assert record is not None
    spec = AggregateSpec(("levels.us_pressure",), record)
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 4, 10)
    finals = {v: rng.random(10) for v in FINAL_VARIABLES} | {"launches": rng.integers(0, 30, 10)}
    lanes = {"levels.us_pressure": np.repeat([0.1, 0.5], 5)}
    points_out: list[pa.Table] = []
    finals_out: list[pa.Table] = []
    whole = spec.tables(np.repeat([0, 1], 5), codes, finals, lanes)
    merger = AggregateMerger(["levels.us_pressure"], 5, points_out.append, finals_out.append)
    for start, stop in [(0, 2), (2, 4), (4, 7), (7, 10)]:
        sl = slice(start, stop)
        part = spec.tables(
            np.repeat([0, 1], 5)[sl],
            codes[sl],
            {k: v[sl] for k, v in finals.items()},
            {k: v[sl] for k, v in lanes.items()},
        )
        merger.add_block(part["points"], part["finals"], block_stop=stop)
    merger.close()
    assert pa.concat_tables(points_out).equals(whole["points"])
    assert pa.concat_tables(finals_out).equals(whole["finals"])


def test_a_damaged_points_file_is_rebuilt_on_resume(aggregated: Path, tmp_path: Path) -> None:
    import shutil

    out = tmp_path / "copy"
    shutil.copytree(aggregated, out)
    (out / "points.parquet").write_bytes(b"damaged")
    report = run_batch(grid_plan(), out, ExecOptions("inprocess", quiet=True), resume=True)
    assert report.complete
    assert any("points.parquet" in note for note in report.notes)
    for name, frame in _aggregate_files(aggregated).items():
        pd.testing.assert_frame_equal(frame, _aggregate_files(out)[name], obj=name)


def test_a_points_part_of_another_block_is_refused_then_recomputed(
    aggregated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from faults import FAIL_ENV
    from faults import run_batch as faulty_batch

    from sim.contract.errors import ResultsError

    out = tmp_path / "f"
    monkeypatch.setenv(FAIL_ENV, "8")  # 9 blocks of 16 runs: the batch stops short of compaction
    assert not faulty_batch(grid_plan(), out, ExecOptions("inprocess", quiet=True)).complete
    monkeypatch.delenv(FAIL_ENV)
    shutil.copy(out / "parts" / "points-000000.parquet", out / "parts" / "points-000003.parquet")
    with pytest.raises(ResultsError, match="holds points of points outside this block"):
        faulty_batch(grid_plan(), out, ExecOptions("inprocess", quiet=True), resume=True)
    report = faulty_batch(grid_plan(), out, ExecOptions("inprocess", quiet=True), resume=True)
    assert report.complete
    for name, frame in _aggregate_files(aggregated).items():
        pd.testing.assert_frame_equal(frame, _aggregate_files(out)[name], obj=name)
