"""The results folder: manifest, atomic parts, compaction, resume and refusal, SIGKILL recovery."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from analysis.results import ResultsError, load_results
from sim import storage
from sim.engine import TEST_DELAY_ENV, ExecOptions, open_folder, run_batch, run_block
from sim.engine import _tasks as block_tasks
from sim.plan import RunPlan
from sim.scenario import Classification, Levels, Scenario

REPO = Path(__file__).resolve().parents[2]
TINY = Scenario(
    name="tiny",
    steps=12,
    levels=Levels(us_pressure=0.4, china_coercion=0.4, nk_provocation=0.4),
    classification=Classification(final_window=6),
)
INPROCESS = ExecOptions("inprocess", quiet=True)
MANIFEST_KEYS = {
    "format_version", "hedgesim_version", "kind", "name", "scenario", "sweep", "parameters",
    "sampler", "batch_seed", "replications", "n_points", "n_runs", "steps", "final_window",
    "block_size", "n_blocks", "finished_blocks", "failed_blocks", "git_commit", "python",
    "packages", "started", "finished", "wall_time_s", "workers", "backend",
}  # fmt: skip


def tiny_plan(seed: int = 5, block_size: int | None = 16) -> RunPlan:
    points = pd.DataFrame({"point_id": [0, 1], "levels.us_pressure": [0.1, 0.9]})
    return RunPlan(
        name="tiny", kind="sweep", scenario=TINY, points=points, replications=30,
        batch_seed=seed, block_size=block_size, trajectory_sample=5,
    )  # fmt: skip


def frames(folder: Path) -> dict[str, pd.DataFrame]:
    return {f: pd.read_parquet(folder / f"{f}.parquet") for f in ("runs", "trajectories", "bands")}


def assert_same(a: Path, b: Path) -> None:
    fa, fb = frames(a), frames(b)
    for name in fa:
        pd.testing.assert_frame_equal(fa[name], fb[name], check_exact=True)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("storage") / "ref"
    assert run_batch(tiny_plan(), out, INPROCESS).complete
    return out


def test_manifest_has_every_documented_field(reference: Path) -> None:
    manifest = json.loads((reference / "manifest.json").read_text())
    assert set(manifest) >= MANIFEST_KEYS
    assert manifest["format_version"] == 1 and manifest["kind"] == "sweep"
    assert manifest["n_runs"] == 60 and manifest["n_blocks"] == 4 and manifest["block_size"] == 16
    assert manifest["finished_blocks"] == [0, 1, 2, 3] and manifest["failed_blocks"] == {}
    assert manifest["parameters"] == ["levels.us_pressure"] and manifest["steps"] == 12
    assert manifest["final_window"] == 6 and manifest["scenario"]["name"] == "tiny"
    assert {"mesa", "numpy", "pyarrow", "SALib", "dask"} <= set(manifest["packages"])
    assert manifest["finished"] and manifest["started"] <= manifest["finished"]
    assert manifest["python"].count(".") == 2
    assert not (reference / "parts").exists()
    assert not list(reference.glob(".*.tmp"))
    # analysis reads it
    assert load_results(reference).n_runs == 60


def test_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "notes.txt").write_text("mine")
    with pytest.raises(ResultsError, match="not empty"):
        run_batch(tiny_plan(), tmp_path / "x", INPROCESS)
    assert sorted(p.name for p in (tmp_path / "x").iterdir()) == ["notes.txt"]
    (tmp_path / "f").write_text("")
    with pytest.raises(ResultsError, match="not a folder"):
        run_batch(tiny_plan(), tmp_path / "f", INPROCESS)


def test_resume_refuses_another_batch(tmp_path: Path, reference: Path) -> None:
    out = tmp_path / "r"
    storage_plan = tiny_plan()
    open_folder(storage_plan, out, INPROCESS, resume=False).start()
    with pytest.raises(ResultsError, match="another batch"):
        run_batch(tiny_plan(seed=6), out, INPROCESS, resume=True)
    with pytest.raises(ResultsError, match="block_size"):
        run_batch(tiny_plan(block_size=8), out, INPROCESS, resume=True)
    for key, value in (("format_version", 2), ("hedgesim_version", "0.0.1")):
        manifest = json.loads((out / "manifest.json").read_text())
        original = manifest[key]
        manifest[key] = value
        (out / "manifest.json").write_text(json.dumps(manifest))
        with pytest.raises(ResultsError, match=key):
            run_batch(tiny_plan(), out, INPROCESS, resume=True)
        manifest[key] = original
        (out / "manifest.json").write_text(json.dumps(manifest))
    # the folder's own block size is kept when none is asked for
    report = run_batch(tiny_plan(block_size=None), out, INPROCESS, resume=True)
    assert report.complete and report.n_blocks == 4
    assert_same(out, reference)


def test_resume_of_a_finished_folder_does_nothing(tmp_path: Path, reference: Path) -> None:
    out = tmp_path / "done"
    run_batch(tiny_plan(), out, INPROCESS)
    before = (out / "runs.parquet").stat().st_mtime_ns
    report = run_batch(tiny_plan(), out, INPROCESS, resume=True)
    assert report.complete and report.blocks_run == 0
    assert (out / "runs.parquet").stat().st_mtime_ns == before


def test_resume_into_a_new_folder_starts_afresh(tmp_path: Path, reference: Path) -> None:
    report = run_batch(tiny_plan(), tmp_path / "new", INPROCESS, resume=True)
    assert report.complete
    assert_same(tmp_path / "new", reference)


def test_order_of_block_completion_does_not_matter(
    tmp_path: Path, reference: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage, "_ROWS_PER_GROUP", 50)  # several row groups per file
    plan = tiny_plan()
    folder = open_folder(plan, tmp_path / "rev", INPROCESS, resume=False)
    folder.start()
    for task in reversed(list(block_tasks(plan, [0, 1, 2, 3], 16))):
        folder.write_block(run_block(task))
    assert folder.manifest["finished_blocks"] == [0, 1, 2, 3]
    folder.compact()
    assert_same(tmp_path / "rev", reference)
    import pyarrow.parquet as pq

    assert pq.ParquetFile(tmp_path / "rev" / "trajectories.parquet").num_row_groups > 1


def test_resume_redoes_blocks_whose_parts_are_missing_and_clears_temp_files(
    tmp_path: Path, reference: Path
) -> None:
    plan = tiny_plan()
    folder = open_folder(plan, tmp_path / "m", INPROCESS, resume=False)
    folder.start()
    for task in block_tasks(plan, [0, 1, 2], 16):
        folder.write_block(run_block(task))
    folder.part_path("traj", 1).unlink()  # block 1 is listed as finished but incomplete
    stray = folder.parts / ".runs-000003.parquet.abc.tmp"
    stray.write_text("half")
    report = run_batch(plan, tmp_path / "m", INPROCESS, resume=True)
    assert report.complete and report.blocks_run == 2
    assert not stray.exists()
    assert_same(tmp_path / "m", reference)


SWEEP = """\
name: killme
base: base.yaml
replications: 30
seed: 5
trajectory_sample: 5
parameters:
  levels.us_pressure: {values: [0.1, 0.9]}
"""
BASE = """\
name: tiny
steps: 12
levels: {us_pressure: 0.4, china_coercion: 0.4, nk_provocation: 0.4}
classification: {final_window: 6}
"""


def test_sigkill_then_resume_gives_identical_results(tmp_path: Path, reference: Path) -> None:
    (tmp_path / "base.yaml").write_text(BASE)
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(SWEEP)
    out = tmp_path / "killed"
    args = [sys.executable, "-m", "sim", "sweep", str(sweep), "--out", str(out),
            "--backend", "inprocess", "--block-size", "16", "--quiet"]  # fmt: skip
    env = {**os.environ, TEST_DELAY_ENV: "0.5", "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    manifest_path = out / "manifest.json"
    deadline = time.monotonic() + 60
    finished: list[int] = []
    while time.monotonic() < deadline and proc.poll() is None:
        if manifest_path.exists():
            finished = json.loads(manifest_path.read_text())["finished_blocks"]
            if finished:
                break
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read() if proc.stderr else ""
    assert 1 <= len(finished) < 4
    assert not (out / "runs.parquet").exists()
    resumed = subprocess.run(
        [*args, "--resume"], env={**env, TEST_DELAY_ENV: ""}, capture_output=True, text=True
    )
    assert resumed.returncode == 0, resumed.stderr
    assert_same(out, reference)
    manifest = json.loads(manifest_path.read_text())
    assert manifest["finished_blocks"] == [0, 1, 2, 3] and manifest["finished"]


def test_plan_block_size_does_not_change_fingerprint() -> None:
    assert tiny_plan().fingerprint() == replace(tiny_plan(), block_size=None).fingerprint()
