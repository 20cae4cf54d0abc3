"""Executors: local pools and Dask give the same results; failed and dead workers are recorded."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from batches import assert_same, logged_blocks, read, tiny_plan
from faults import EXIT_ENV as TEST_EXIT_ENV
from faults import FAIL_ENV as TEST_FAIL_ENV
from faults import run_batch

from sim.engine import ExecOptions
from sim.executors import POOL_RESTARTS, WORKER_DIED


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
    assert logged_blocks(out) == [i for i in range(15) if i != 1]
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
    assert logged_blocks(out) == [] and len(manifest["failed_blocks"]) == len(report.failed)
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
