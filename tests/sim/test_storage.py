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
from batches import logged_blocks
from faults import DELAY_ENV as TEST_DELAY_ENV
from faults import FAIL_ENV as TEST_FAIL_ENV
from faults import run_batch

from analysis.results import load_results
from hedgesim.cli import main
from sim import manifest as manifest_module
from sim import storage
from sim.blocks import run_block
from sim.contract import files
from sim.contract.columns import FORMAT_VERSION
from sim.contract.errors import ResultsError
from sim.engine import ExecOptions, block_tasks, open_folder
from sim.plan import RunPlan
from sim.scenario import Classification, Levels, Scenario

REPO = Path(__file__).resolve().parents[2]
FAULTS = REPO / "tests" / "faults.py"
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
    "block_size", "n_blocks", "failed_blocks", "git_commit", "code_hash", "python",
    "packages", "started", "finished", "wall_time_s", "workers", "backend", "sessions",
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
    assert manifest["format_version"] == FORMAT_VERSION == 2 and manifest["kind"] == "sweep"
    assert manifest["n_runs"] == 60 and manifest["n_blocks"] == 4 and manifest["block_size"] == 16
    assert "finished_blocks" not in manifest and manifest["failed_blocks"] == {}
    assert manifest["parameters"] == ["levels.us_pressure"] and manifest["steps"] == 12
    assert manifest["final_window"] == 6 and manifest["scenario"]["name"] == "tiny"
    assert {"mesa", "numpy", "pyarrow", "SALib", "dask"} <= set(manifest["packages"])
    assert manifest["finished"] and manifest["started"] <= manifest["finished"]
    assert manifest["python"].count(".") == 2
    assert not (reference / "parts").exists() and not (reference / "blocks.log").exists()
    assert not list(reference.glob(".*.tmp"))
    (session,) = manifest["sessions"]
    assert set(session) == {"start", "end", "git_commit", "workers", "backend"}
    assert session["backend"] == "inprocess" and session["workers"] == 1
    # compaction stamps "finished", then the session ends
    assert manifest["started"] <= session["start"] <= manifest["finished"] <= session["end"]
    assert session["git_commit"] == manifest["git_commit"]
    # summary.csv is part of the results contract: run_batch writes it, not only the CLI
    summary = pd.read_csv(reference / "summary.csv")
    assert summary["n_runs"].tolist() == [30, 30]
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
    for key, value in (("format_version", 1), ("hedgesim_version", "0.0.1")):
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
    monkeypatch.setattr(files, "ROWS_PER_GROUP", 50)  # several row groups per file
    plan = tiny_plan()
    folder = open_folder(plan, tmp_path / "rev", INPROCESS, resume=False)
    folder.start()
    for task in reversed(list(block_tasks(plan, [0, 1, 2, 3], 16))):
        folder.write_block(run_block(task))
    assert folder.finished_blocks() == {0, 1, 2, 3}
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
    folder.part_path(1).unlink()  # block 1 is logged as finished but its part is gone
    stray = folder.parts / ".block-000003.zip.abc.tmp"
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
    args = [sys.executable, str(FAULTS), "sweep", str(sweep), "--out", str(out),
            "--backend", "inprocess", "--block-size", "16", "--quiet"]  # fmt: skip
    env = {**os.environ, TEST_DELAY_ENV: "0.5", "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    manifest_path = out / "manifest.json"
    deadline = time.monotonic() + 60
    finished: list[int] = []
    while time.monotonic() < deadline and proc.poll() is None:
        finished = logged_blocks(out)
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
    assert manifest["finished"] and len(manifest["sessions"]) == 2


def test_plan_block_size_does_not_change_fingerprint() -> None:
    assert tiny_plan().fingerprint() == replace(tiny_plan(), block_size=None).fingerprint()


def _edit_manifest(folder: Path, **changes: object) -> None:
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest.update(changes)
    path.write_text(json.dumps(manifest))


def test_resume_refuses_other_package_versions_or_code(
    tmp_path: Path, reference: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(manifest_module, "code_hash", lambda: "a" * 64)
    out = tmp_path / "v"
    open_folder(tiny_plan(), out, INPROCESS, resume=False).start()
    packages = json.loads((out / "manifest.json").read_text())["packages"]
    _edit_manifest(out, packages={**packages, "numpy": "0.0.1"})
    with pytest.raises(ResultsError, match=r"manifest.json: packages differ \(numpy 0.0.1 -> "):
        run_batch(tiny_plan(), out, INPROCESS, resume=True)
    _edit_manifest(out, packages=packages, code_hash="b" * 64)
    with pytest.raises(
        ResultsError, match="code_hash: the model, engine or classification"
    ) as error:
        run_batch(tiny_plan(), out, INPROCESS, resume=True)
    assert "fresh --out" in str(error.value) and "\n" not in str(error.value)
    # an unknown code hash on either side does not block a resume
    monkeypatch.setattr(manifest_module, "code_hash", lambda: None)
    assert run_batch(tiny_plan(), out, INPROCESS, resume=True).complete
    assert_same(out, reference)


def test_sessions_and_runs_done_across_a_resume(
    tmp_path: Path, reference: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "s"
    monkeypatch.setenv(TEST_FAIL_ENV, "2")
    first = run_batch(tiny_plan(), out, INPROCESS)
    assert not first.complete and first.runs_done == 60 - 16 and first.blocks_run == 3
    monkeypatch.delenv(TEST_FAIL_ENV)
    second = run_batch(tiny_plan(), out, INPROCESS, resume=True)
    assert second.complete and second.runs_done == 16 and second.blocks_run == 1
    assert second.not_run == ()
    sessions = json.loads((out / "manifest.json").read_text())["sessions"]
    assert len(sessions) == 2 and all(s["end"] and s["backend"] == "inprocess" for s in sessions)
    assert sessions[0]["end"] <= sessions[1]["start"]
    assert_same(out, reference)


def test_one_fsync_per_block_and_compacted_files_are_fsynced_before_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[str] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append(Path(os.readlink(f"/proc/self/fd/{fd}")).name)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setenv(TEST_FAIL_ENV, "2")
    run_batch(tiny_plan(), tmp_path / "d", INPROCESS)  # blocks 0, 1, 3; block 2 fails
    per_block = [name[:18] for name in synced if name.startswith(".block-")]
    assert per_block == [f".block-00000{i}.zip." for i in (0, 1, 3)]
    assert synced.count("blocks.log") == 1  # once, at the end of the session
    manifests = [name for name in synced if name.startswith(".manifest.json.")]
    assert len(manifests) == 3  # session start, the failure, session end: not per block
    monkeypatch.delenv(TEST_FAIL_ENV)
    synced.clear()
    assert run_batch(tiny_plan(), tmp_path / "d", INPROCESS, resume=True).complete
    assert [name[:18] for name in synced if name.startswith(".block-")] == [".block-000002.zip."]
    for name in ("runs", "trajectories", "bands"):
        assert any(n.startswith(f".{name}.parquet.") for n in synced), name
    umask = os.umask(0o022)
    os.umask(umask)
    assert (tmp_path / "d" / "runs.parquet").stat().st_mode & 0o777 == 0o666 & ~umask


def _interrupted(out: Path, monkeypatch: pytest.MonkeyPatch) -> storage.ResultsFolder:
    """Blocks 0, 1 and 3 finished, block 2 failed: a batch waiting for --resume."""
    monkeypatch.setenv(TEST_FAIL_ENV, "2")
    assert not run_batch(tiny_plan(), out, INPROCESS).complete
    monkeypatch.delenv(TEST_FAIL_ENV)
    return open_folder(tiny_plan(), out, INPROCESS, resume=True)


def test_corrupt_part_is_dropped_at_compaction_then_recomputed(
    tmp_path: Path, reference: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "c"
    folder = _interrupted(out, monkeypatch)
    damaged = folder.part_path(3)
    data = bytearray(damaged.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size: only reading it finds the damage
    damaged.write_bytes(bytes(data))
    with pytest.raises(ResultsError) as error:
        run_batch(tiny_plan(), out, INPROCESS, resume=True)
    assert str(error.value) == (
        f"{damaged}: corrupt block part; it has been dropped from blocks.log"
        " \N{EM DASH} run again with --resume"
    )
    manifest = json.loads((out / "manifest.json").read_text())
    assert logged_blocks(out) == [0, 1, 2] and manifest["finished"] is None
    assert not (out / "runs.parquet").exists() and not list(out.glob(".*.tmp"))
    report = run_batch(tiny_plan(), out, INPROCESS, resume=True)
    assert report.complete and report.blocks_run == 1
    assert_same(out, reference)


def test_corrupt_part_cli_exit_2_then_resume_gives_identical_results(
    tmp_path: Path,
    reference: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "base.yaml").write_text(BASE)
    (tmp_path / "sweep.yaml").write_text(SWEEP)
    out = tmp_path / "cli"
    args = ["sweep", str(tmp_path / "sweep.yaml"), "--out", str(out), "--backend", "inprocess",
            "--block-size", "16", "--quiet"]  # fmt: skip
    monkeypatch.setenv(TEST_FAIL_ENV, "2")
    assert main(args) == 1
    monkeypatch.delenv(TEST_FAIL_ENV)
    part = out / "parts" / "block-000001.zip"
    data = bytearray(part.read_bytes())
    for i in range(len(data) // 3, len(data) // 3 + 64):  # damage a data page, keep the footer
        data[i] ^= 0xFF
    part.write_bytes(bytes(data))
    capsys.readouterr()
    assert main([*args, "--resume"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"{part}: corrupt block part; it has been dropped from blocks.log"
        " \N{EM DASH} run again with --resume"
    ]
    assert main([*args, "--resume"]) == 0
    assert_same(out, reference)


def test_resume_of_a_compacted_folder_writes_a_missing_summary(
    tmp_path: Path, reference: Path
) -> None:
    out = tmp_path / "nosummary"
    run_batch(tiny_plan(), out, INPROCESS)
    (out / "summary.csv").unlink()
    report = run_batch(tiny_plan(), out, INPROCESS, resume=True)
    assert report.complete and report.runs_done == 0
    pd.testing.assert_frame_equal(
        pd.read_csv(out / "summary.csv"), pd.read_csv(reference / "summary.csv")
    )
