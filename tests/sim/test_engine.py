"""The batch engine: block tasks, executors, bands, identical results everywhere."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from faults import EXIT_ENV as TEST_EXIT_ENV
from faults import FAIL_ENV as TEST_FAIL_ENV
from faults import run_batch
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.bands import TENTHS, hist_quantiles, sorted_quantiles, to_bins
from sim.blocks import BlockTask, run_block
from sim.contract.columns import TRAJECTORY_VARIABLES
from sim.contract.outcomes import OUTCOMES
from sim.engine import ExecOptions
from sim.executors import POOL_RESTARTS, WORKER_DIED
from sim.model import simulate
from sim.plan import RunPlan
from sim.scenario import Classification, Levels, Scenario

TINY = Scenario(
    name="tiny",
    steps=12,
    levels=Levels(us_pressure=0.4, china_coercion=0.4, nk_provocation=0.4),
    classification=Classification(final_window=6),
)
FILES = ("runs", "trajectories", "bands")


def tiny_plan(replications: int = 30, block_size: int = 16, trajectory_sample: int = 5) -> RunPlan:
    """2 points x 30 replicates x 12 steps."""
    points = pd.DataFrame({"point_id": [0, 1], "levels.us_pressure": [0.1, 0.9]})
    return RunPlan(
        name="tiny",
        kind="sweep",
        scenario=TINY,
        points=points,
        replications=replications,
        batch_seed=5,
        block_size=block_size,
        trajectory_sample=trajectory_sample,
    )


def read(folder: Path) -> dict[str, pd.DataFrame]:
    return {name: pd.read_parquet(folder / f"{name}.parquet") for name in FILES}


def assert_same(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    for name in FILES:
        pd.testing.assert_frame_equal(a[name], b[name], check_exact=True)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pd.DataFrame]:
    out = tmp_path_factory.mktemp("ref") / "r"
    report = run_batch(tiny_plan(), out, ExecOptions("inprocess", quiet=True))
    assert report.complete and report.n_blocks == 4 and not (out / "parts").exists()
    return read(out)


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


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(0.0, 1.0), min_size=1, max_size=40),
)
def test_sorted_and_histogram_quantiles_agree(values: list[float]) -> None:
    bins = to_bins(np.array(values))
    counts = np.bincount(bins, minlength=100)[None, :]
    from_hist = hist_quantiles(counts, len(values))[:, 0]
    from_sort = sorted_quantiles(np.sort(bins)[None, :, None])[:, 0, 0]
    np.testing.assert_array_equal(from_hist, from_sort)
    exact = np.quantile(np.array(values), [0.1, 0.5, 0.9], method="inverted_cdf")
    assert (np.abs(from_hist - exact) <= 0.01 + 1e-12).all()


def test_results_do_not_depend_on_block_size(
    tmp_path: Path, reference: dict[str, pd.DataFrame]
) -> None:
    for block_size in (7, 60):
        out = tmp_path / f"b{block_size}"
        run_batch(tiny_plan(block_size=block_size), out, ExecOptions("inprocess", quiet=True))
        assert_same(read(out), reference)


def test_local_pool_with_one_and_two_workers(
    tmp_path: Path, reference: dict[str, pd.DataFrame]
) -> None:
    for workers in (1, 2):
        out = tmp_path / f"pool{workers}"
        report = run_batch(tiny_plan(), out, ExecOptions("local", workers, quiet=True))
        assert report.complete
        assert_same(read(out), reference)


def test_dask_local_cluster(tmp_path: Path, reference: dict[str, pd.DataFrame]) -> None:
    pytest.importorskip("distributed")
    out = tmp_path / "dask"
    report = run_batch(tiny_plan(), out, ExecOptions("dask", 2, quiet=True))
    assert report.complete
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
    assert manifest["finished_blocks"] == [0, 1, 3]
    assert "Traceback" in manifest["failed_blocks"]["2"]
    assert "injected failure" in manifest["failed_blocks"]["2"]
    assert manifest["finished"] is None and not (out / "runs.parquet").exists()
    monkeypatch.delenv(TEST_FAIL_ENV)
    report = run_batch(tiny_plan(), out, ExecOptions("inprocess", quiet=True), resume=True)
    assert report.complete and report.blocks_run == 1
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["failed_blocks"] == {} and manifest["finished"]
    assert_same(read(out), reference)


def test_failure_in_a_pool_worker_is_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TEST_FAIL_ENV, "0,3")
    report = run_batch(
        replace(tiny_plan(), block_size=16), tmp_path / "pf", ExecOptions("local", 2, quiet=True)
    )
    assert sorted(report.failed) == [0, 3]
    assert all("injected failure" in text for text in report.failed.values())


def _last_lines(failed: dict[int, str]) -> set[str]:
    return {text.strip().splitlines()[-1] for text in failed.values()}


def test_a_block_that_kills_its_worker_fails_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reference: dict[str, pd.DataFrame]
) -> None:
    import json

    out = tmp_path / "dead"
    monkeypatch.setenv(TEST_EXIT_ENV, "1")
    report = run_batch(tiny_plan(block_size=4), out, ExecOptions("local", 2, quiet=True))
    # the blocks in flight when block 1 killed its worker are resubmitted, one at a time: block 1
    # breaks a second pool and fails; the innocent blocks it broke finish on the retry
    assert not report.complete and report.not_run == ()
    assert list(report.failed) == [1] and _last_lines(report.failed) == {WORKER_DIED}
    manifest = json.loads((out / "manifest.json").read_text())
    assert list(manifest["failed_blocks"]) == ["1"]
    assert manifest["finished_blocks"] == [i for i in range(15) if i != 1]
    assert report.blocks_run == 14 and report.runs_done == 4 * 14
    monkeypatch.delenv(TEST_EXIT_ENV)
    report = run_batch(
        tiny_plan(block_size=4), out, ExecOptions("local", 2, quiet=True), resume=True
    )
    assert report.complete and not report.failed and report.blocks_run == 1
    assert_same(read(out), reference)


def test_worker_deaths_far_apart_do_not_stop_the_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reference: dict[str, pd.DataFrame]
) -> None:
    """Blocks finishing between breaks renew the restart budget: every other block still runs."""
    out = tmp_path / "apart"
    monkeypatch.setenv(TEST_EXIT_ENV, "1,27")
    plan = tiny_plan(block_size=2)  # 30 blocks
    report = run_batch(plan, out, ExecOptions("local", 2, quiet=True))
    assert not report.complete and report.not_run == ()
    # both fail; at most one other block (a resubmitted one in flight when block 27 first killed
    # its worker) can have been broken twice
    assert {1, 27} <= set(report.failed) and len(report.failed) <= 3
    assert _last_lines(report.failed) == {WORKER_DIED}
    assert report.blocks_run == 30 - len(report.failed)
    monkeypatch.delenv(TEST_EXIT_ENV)
    failed = len(report.failed)
    report = run_batch(plan, out, ExecOptions("local", 2, quiet=True), resume=True)
    assert report.complete and not report.failed and report.blocks_run == failed
    assert_same(read(out), reference)


def test_pool_breaking_without_progress_stops_and_leaves_the_rest_unrun(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reference: dict[str, pd.DataFrame]
) -> None:
    import json

    out = tmp_path / "always"
    monkeypatch.setenv(TEST_EXIT_ENV, ",".join(map(str, range(15))))  # every block kills its worker
    report = run_batch(tiny_plan(block_size=4), out, ExecOptions("local", 2, quiet=True))
    # POOL_RESTARTS + 1 pools break with no block finished: the blocks they broke fail, and the
    # blocks never submitted are left unrun
    assert not report.complete and report.blocks_run == 0 and report.runs_done == 0
    assert _last_lines(report.failed) == {WORKER_DIED}
    assert 2 <= len(report.failed) <= 4 * (POOL_RESTARTS + 1) and len(report.not_run) >= 3
    assert sorted([*report.failed, *report.not_run]) == list(range(15))
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["finished_blocks"] == [] and len(manifest["failed_blocks"]) == len(
        report.failed
    )
    monkeypatch.delenv(TEST_EXIT_ENV)
    report = run_batch(
        tiny_plan(block_size=4), out, ExecOptions("local", 2, quiet=True), resume=True
    )
    assert report.complete and report.blocks_run == 15
    assert_same(read(out), reference)


def test_exit_hook_never_kills_the_coordinating_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TEST_EXIT_ENV, "0")
    report = run_batch(tiny_plan(), tmp_path / "ip", ExecOptions("inprocess", quiet=True))
    assert list(report.failed) == [0] and TEST_EXIT_ENV in report.failed[0]


SCENARIO_YAML = """\
name: tiny
steps: 12
replications: 60
seed: 5
levels: {us_pressure: 0.4, china_coercion: 0.4, nk_provocation: 0.4}
classification: {final_window: 6}
"""


def test_cli_dead_worker_exit_1_then_resume_matches_an_uninterrupted_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from hedgesim.cli import main

    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(SCENARIO_YAML)
    out, clean = tmp_path / "cli", tmp_path / "clean"
    args = ["run", str(scenario), "--out", str(out), "--block-size", "4", "--quiet"]
    local = ["--backend", "local", "--workers", "2"]
    monkeypatch.setenv(TEST_EXIT_ENV, "2")
    assert main([*args, *local]) == 1
    err = capsys.readouterr().err
    assert f"block 2: {WORKER_DIED}" in err and "--resume" in err and "Traceback" not in err
    monkeypatch.delenv(TEST_EXIT_ENV)
    assert main([*args, *local, "--resume"]) == 0
    assert (
        main(["run", str(scenario), "--out", str(clean), "--backend", "inprocess", "--quiet"]) == 0
    )
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "runs.parquet"),
        pd.read_parquet(clean / "runs.parquet"),
        check_exact=True,
    )
