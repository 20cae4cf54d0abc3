"""The batch engine: block tasks, the runs and trajectories tables, results independent of blocks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from batches import TINY, assert_same, logged_blocks, read, tiny_plan
from faults import FAIL_ENV as TEST_FAIL_ENV
from faults import run_batch

from sim.blocks import BlockTask, run_block
from sim.contract.columns import TRAJECTORY_VARIABLES
from sim.contract.outcomes import OUTCOMES
from sim.engine import ExecOptions
from sim.model import simulate


def test_runs_table_follows_the_contract(reference: dict[str, pd.DataFrame]) -> None:
    runs = reference["runs"]
    assert runs["run_id"].tolist() == list(range(60))
    assert runs["point_id"].tolist() == [0] * 30 + [1] * 30
    assert runs["replicate"].tolist() == list(range(30)) * 2
    assert runs["seed"].dtype == np.uint64
    assert (runs["seed"].to_numpy()[:30] == runs["seed"].to_numpy()[30:]).all()
    assert runs["levels.us_pressure"].tolist() == [0.1] * 30 + [0.9] * 30
    assert set(runs["outcome"]) <= {"hedging", "tilt_us", "tilt_china", "caught_between_giants"}
    assert runs["launches"].dtype == np.int64
    # one run recomputed alone gives the same record (a run depends only on its own inputs)
    seed = runs["seed"].to_numpy()[[37]]
    alone = simulate(TINY, seed, {"levels.us_pressure": np.array([0.9])})
    for var in ("us_alignment", "security_index", "tariff"):
        assert alone.finals[var][0] == runs.loc[37, var]
    assert OUTCOMES[alone.finals["outcome"][0]] == runs.loc[37, "outcome"]


def test_trajectories_are_sampled(reference: dict[str, pd.DataFrame]) -> None:
    traj = reference["trajectories"]
    assert sorted(traj["replicate"].unique().tolist()) == [0, 1, 2, 3, 4]
    assert len(traj) == 2 * 5 * 12
    assert traj["step"].tolist()[:12] == list(range(1, 13))
    assert list(traj.columns[:5]) == ["run_id", "point_id", "replicate", "step", "outcome"]
    assert list(traj.columns[5:]) == list(TRAJECTORY_VARIABLES)


def test_results_do_not_depend_on_block_size(
    tmp_path: Path, reference: dict[str, pd.DataFrame]
) -> None:
    for block_size in (7, 60):
        out = tmp_path / f"b{block_size}"
        run_batch(tiny_plan(block_size=block_size), out, ExecOptions("inprocess", quiet=True))
        assert_same(read(out), reference)


def test_small_batches_keep_every_trajectory(tmp_path: Path) -> None:
    plan = tiny_plan(replications=4, trajectory_sample=20)
    run_batch(plan, tmp_path / "s", ExecOptions("inprocess", quiet=True))
    traj = pd.read_parquet(tmp_path / "s" / "trajectories.parquet")
    assert traj["run_id"].nunique() == 8


def test_run_block_is_a_pure_function() -> None:
    plan = tiny_plan()
    block = plan.block(1, 16)
    task = BlockTask(1, TINY, block.run_start, 30, block.seeds, block.lane_values, 5)
    a, b = run_block(task), run_block(task)
    assert a.runs.equals(b.runs) and a.bands.equals(b.bands) and a.hist.equals(b.hist)
    # block 1 holds runs 16..31: point 0 is cut (partial), point 1 starts (partial)
    assert a.bands.num_rows == 0 and set(a.hist.column("point_id").to_pylist()) == {0, 1}


def test_failed_block_is_recorded_and_retried_on_resume(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reference: dict[str, pd.DataFrame]
) -> None:
    import json

    out = tmp_path / "f"
    monkeypatch.setenv(TEST_FAIL_ENV, "2")
    report = run_batch(tiny_plan(), out, ExecOptions("inprocess", quiet=True))
    assert not report.complete and list(report.failed) == [2]
    manifest = json.loads((out / "manifest.json").read_text())
    assert logged_blocks(out) == [0, 1, 3]
    assert "Traceback" in manifest["failed_blocks"]["2"]
    assert "injected failure" in manifest["failed_blocks"]["2"]
    assert manifest["finished"] is None and not (out / "runs.parquet").exists()
    monkeypatch.delenv(TEST_FAIL_ENV)
    report = run_batch(tiny_plan(), out, ExecOptions("inprocess", quiet=True), resume=True)
    assert report.complete and report.blocks_run == 1
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["failed_blocks"] == {} and manifest["finished"]
    assert_same(read(out), reference)
