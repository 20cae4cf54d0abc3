"""The last odd inputs: special files, YAML 1.1 spellings, bad --out names, damaged folders, locks.

Each gives one line on stderr and exit status 2 (or is repaired, where that is the right answer),
with nothing written where nothing should be.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from robustness import BASE, REPO, one_line

from hedgesim import api
from hedgesim.cli import main
from sim.contract.errors import ResultsError
from sim.contract.lock import LOCK_NAME, FolderInUse, WriterLock, reading
from sim.plan import block_size_cap

FAST = ["--backend", "inprocess", "--quiet"]
SWEEP = """\
name: odd
base: base.yaml
replications: 6
parameters:
  levels.us_pressure: {values: [0.1, 0.9]}
"""


@pytest.fixture
def base(tmp_path: Path) -> Path:
    path = tmp_path / "base.yaml"
    path.write_text(BASE)
    return path


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished run folder (24 runs in 4 blocks) to copy and damage."""
    root = tmp_path_factory.mktemp("finished")
    (root / "base.yaml").write_text(BASE)
    out = root / "done"
    assert (
        main(["run", str(root / "base.yaml"), "--out", str(out), "--block-size", "6", *FAST]) == 0
    )
    return out


def copy_of(folder: Path, tmp_path: Path) -> Path:
    out = tmp_path / "copy"
    shutil.copytree(folder, out)
    return out


def run_args(base: Path, out: Path, *more: str) -> list[str]:
    return ["run", str(base), "--out", str(out), "--block-size", "6", *FAST, *more]


def refused(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    """Run the command line, expect exit 2, return its one line."""
    capsys.readouterr()
    assert main(argv) == 2
    return one_line(capsys.readouterr().err)


# --- special files -----------------------------------------------------------------------------


def test_a_fifo_as_input_is_refused_without_blocking(
    tmp_path: Path, base: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    for command in (["validate"], ["run"], ["sweep"]):
        line = refused(
            capsys,
            [
                *command,
                str(fifo),
                *(["--out", str(tmp_path / "o")] if command != ["validate"] else []),
            ],
        )
        assert line == f"{fifo}: is a FIFO (named pipe), not a regular file"
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(SWEEP.replace("base.yaml", "pipe.yaml"))
    assert "is a FIFO" in refused(capsys, ["sweep", str(sweep), "--out", str(tmp_path / "o")])
    assert not (tmp_path / "o").exists()


def test_a_fifo_in_place_of_a_manifest_is_refused(
    finished: Path, tmp_path: Path, base: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = copy_of(finished, tmp_path)
    (out / "manifest.json").unlink()
    os.mkfifo(out / "manifest.json")
    assert "is a FIFO" in refused(capsys, ["report", str(out)])
    assert "is a FIFO" in refused(capsys, run_args(base, out, "--resume"))


def test_a_fifo_input_does_not_hang_the_command(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    proc = subprocess.run([sys.executable, "-m", "hedgesim", "validate", str(fifo)], cwd=REPO,
                          capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert proc.returncode == 2 and "FIFO" in one_line(proc.stderr)


# --- YAML 1.1 spellings and files that are not scenarios ---------------------------------------


def test_sexagesimal_steps_are_refused_with_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(BASE.replace("steps: 12", "steps: 1:00"))
    line = refused(capsys, ["run", str(path), "--out", str(tmp_path / "o"), *FAST])
    assert line.startswith(f"{path}:2: steps: Input should be a valid integer, got '1:00'")
    assert "base-60" in line and not (tmp_path / "o").exists()


def test_a_base_that_is_not_a_scenario_is_not_quoted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin\n")
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(SWEEP.replace("base.yaml", str(secret)))
    line = refused(capsys, ["validate", str(sweep)])
    assert (
        line == f"{sweep}:2: base: {secret} is not a scenario file (no mapping of keys to values)"
    )
    assert "root:x" not in line


# --- --out names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("out", "words"),
    [
        ("/proc/hedgesim-test", "cannot create the folder"),
        ("/sys/hedgesim-test", "cannot create the folder"),
        ("x" * 300, "the name is too long"),
        ("", "expected a folder name"),
        ("   ", "expected a folder name"),
    ],
)
def test_out_that_cannot_be_created_is_exit_2(
    base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    out: str, words: str,
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    before = sorted(os.listdir(tmp_path))
    line = refused(capsys, ["run", str(base), "--out", out, *FAST])
    assert words in line
    assert sorted(os.listdir(tmp_path)) == before


def test_out_a_dangling_symlink_or_non_utf8_name(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "missing")
    assert "symbolic link to a missing target" in refused(capsys, run_args(base, link))
    assert not (tmp_path / "missing").exists()
    bad = os.fsdecode(os.fsencode(str(tmp_path)) + b"/caf\xe9")
    assert "is not valid UTF-8" in refused(capsys, run_args(base, Path(bad)))
    assert not os.path.lexists(bad)


def test_out_under_a_nested_missing_path_is_removed_when_refused(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "a" / "b" / "c"
    lock = WriterLock.acquire(tmp_path / "a" / "b" / "c")  # another writer holds the folder
    try:
        assert str(os.getpid()) in refused(capsys, run_args(base, out))
    finally:
        lock.discard()
    assert not (tmp_path / "a").exists()


def test_plot_out_that_is_a_file_draws_nothing(
    finished: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = copy_of(finished, tmp_path), tmp_path / "b"
    shutil.copytree(a, b)
    target = tmp_path / "file"
    target.write_text("")
    line = refused(capsys, ["plot", str(a), str(b), "--out", str(target)])
    assert line == f"--out: {target} is a file, not a folder"
    assert not (a / "figures").exists() and not (b / "figures").exists()


def test_ascii_terminal_gets_the_table_without_a_crash(base: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "PYTHONPATH": str(REPO)}
    args = [sys.executable, "-m", "hedgesim", *run_args(base, tmp_path / "o")]
    proc = subprocess.run(args, env=env, cwd=REPO, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "+/-" in proc.stdout and "Traceback" not in proc.stderr


# --- workers and memory ------------------------------------------------------------------------


def test_workers_far_above_the_cpus_need_force(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    many = str(4 * (os.cpu_count() or 1) + 1)
    line = refused(capsys, [*run_args(base, tmp_path / "o"), "--workers", many])
    assert line.startswith(f"--workers: {many} is far above") and "--force-workers" in line
    assert not (tmp_path / "o").exists()
    assert main([*run_args(base, tmp_path / "o"), "--workers", many, "--force-workers"]) == 0


def test_block_size_is_capped_by_the_memory_budget(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "long.yaml"
    path.write_text(
        BASE.replace("steps: 12", "steps: 1200").replace("replications: 24", "replications: 2")
    )
    out = tmp_path / "o"
    assert main(["run", str(path), "--out", str(out), "--block-size", "65536", *FAST]) == 0
    cap = block_size_cap(1200)
    assert json.loads((out / "manifest.json").read_text())["block_size"] == cap < 2048
    assert f"block size capped at {cap:,} runs" in capsys.readouterr().err
    assert (
        main(["run", str(path), "--out", str(out), "--block-size", "65536", "--resume", *FAST]) == 0
    )


# --- damaged folders ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"",
        lambda data: data[: len(data) // 2],
        lambda data: data[:100] + bytes([data[100] ^ 1]) + data[101:],
        lambda data: data[:-20] + bytes([data[-20] ^ 1]) + data[-19:],  # the footer
    ],
    ids=["emptied", "truncated", "flipped-page", "flipped-footer"],
)
def test_resume_rebuilds_a_damaged_final_file(
    finished: Path, tmp_path: Path, base: Path, capsys: pytest.CaptureFixture[str], damage: object
) -> None:
    out = copy_of(finished, tmp_path)
    runs = out / "runs.parquet"
    runs.write_bytes(damage(runs.read_bytes()))  # type: ignore[operator]
    capsys.readouterr()
    assert main(run_args(base, out, "--resume")) == 0
    err = capsys.readouterr().err
    assert (
        "note: runs.parquet failed its checksum and no block parts are left; running every block again"
        in err
    )
    for name in ("runs", "trajectories", "bands"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(out / f"{name}.parquet"), pd.read_parquet(finished / f"{name}.parquet")
        )
    assert (out / "summary.csv").read_text() == (finished / "summary.csv").read_text()


def test_resume_rewrites_a_corrupt_summary(
    finished: Path, tmp_path: Path, base: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = copy_of(finished, tmp_path)
    (out / "summary.csv").write_text("point_id,n_runs\nnot,numbers\n")
    capsys.readouterr()
    assert main(run_args(base, out, "--resume")) == 0
    assert "summary.csv was missing or damaged; rewritten" in capsys.readouterr().err
    assert (out / "summary.csv").read_text() == (finished / "summary.csv").read_text()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["checksums"]["summary.csv"] and len(manifest["sessions"]) == 2


def test_a_part_copied_over_another_blocks_is_refused_then_recomputed(
    tmp_path: Path, base: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "o"
    monkeypatch.setenv("HEDGESIM_TEST_FAIL_BLOCKS", "3")
    assert main(run_args(base, out)) == 1
    monkeypatch.delenv("HEDGESIM_TEST_FAIL_BLOCKS")
    for kind in ("runs", "trajectories", "bands", "hist"):
        shutil.copy(
            out / "parts" / f"{kind}-000000.parquet", out / "parts" / f"{kind}-000001.parquet"
        )
    line = refused(capsys, run_args(base, out, "--resume"))
    assert line == (
        f"{out / 'parts' / 'runs-000001.parquet'}: block part that holds run ids other than this"
        " block's 6..11; it has been dropped from finished_blocks \N{EM DASH} run again with --resume"
    )
    assert main(run_args(base, out, "--resume")) == 0
    runs = pd.read_parquet(out / "runs.parquet")
    assert runs["run_id"].tolist() == list(range(24))


BAD_VALUES: list[object] = ["x", 5, -1, 1.5, [], {}, None, True, [1, "x"], {"a": 1}]


def test_manifest_fields_of_any_wrong_type_are_one_line(
    finished: Path, tmp_path: Path, base: Path
) -> None:
    """Every top-level field set to each odd value: readers and resume refuse in one line or cope."""
    from analysis.results import load_results
    from sim.contract.manifest import read_manifest

    original = json.loads((finished / "manifest.json").read_text())
    out = copy_of(finished, tmp_path)
    checked = 0
    for key in original:
        for value in BAD_VALUES:
            (out / "manifest.json").write_text(json.dumps({**original, key: value}))
            try:
                results = load_results(out)
                _ = (results.caption, results.thresholds, results.sampler_kind, results.is_complete)
                read_manifest(out)
            except ResultsError as error:
                assert "\n" not in str(error)
                checked += 1
    assert checked > 50
    for key, value in [
        ("n_runs", "x"),
        ("sessions", "x"),
        ("finished_blocks", 5),
        ("workers", "x"),
    ]:
        (out / "manifest.json").write_text(json.dumps({**original, key: value}))
        with pytest.raises(ResultsError, match=f"manifest.json: {key}"):
            read_manifest(out)
        assert main(run_args(base, out, "--resume")) == 2
        assert main(["report", str(out)]) == 2


# --- locks -------------------------------------------------------------------------------------


def test_readers_and_writers_exclude_each_other(
    finished: Path, tmp_path: Path, base: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = copy_of(finished, tmp_path)
    with WriterLock.acquire(out):
        line = refused(capsys, ["report", str(out)])
        assert line == (
            f"{out} is being written by process {os.getpid()} (a batch is running); wait for it"
            " to finish"
        )
        with pytest.raises(FolderInUse, match=f"in use by process {os.getpid()};"):
            WriterLock.acquire(out)
        with pytest.raises(FolderInUse, match="is being written by"):
            api.load(out)  # the Python API takes the same readers' lock
    assert api.load(out).runs is not None
    with reading(out):
        line = refused(capsys, run_args(base, out, "--resume"))
        assert line == (
            f"{out} is in use by another process reading it (hedgesim plot or report);"
            " wait for it or choose another --out"
        )
        with reading(out):  # readers share
            pass
    assert main(["report", str(out)]) == 0


def test_a_lock_dies_with_its_process(tmp_path: Path) -> None:
    out = tmp_path / "o"
    code = f"from sim.contract.lock import WriterLock; WriterLock.acquire({str(out)!r}); print('held', flush=True); import time; time.sleep(60)"
    proc = subprocess.Popen(
        [sys.executable, "-c", code], cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        with pytest.raises(FolderInUse, match=f"process {proc.pid};"):
            WriterLock.acquire(out)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    WriterLock.acquire(out).release()
    assert (out / LOCK_NAME).is_file()


def test_the_lock_file_does_not_make_a_folder_non_empty(base: Path, tmp_path: Path) -> None:
    out = tmp_path / "o"
    WriterLock.acquire(out).release()  # a folder left by a writer that was refused or killed
    assert main(run_args(base, out)) == 0


def test_resume_rebuilds_a_damaged_final_file_from_parts_left_behind(
    tmp_path: Path,
    base: Path,
    finished: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """As after a kill between compaction and removing parts/: no block is run again."""
    from sim import storage

    out = tmp_path / "o"
    with monkeypatch.context() as patch:
        patch.setattr(storage.ResultsFolder, "remove_parts", lambda self: None)
        assert main(run_args(base, out)) == 0
    assert (out / "parts").is_dir()
    (out / "bands.parquet").write_bytes(b"PAR1")
    capsys.readouterr()
    assert main(run_args(base, out, "--resume")) == 0
    err = capsys.readouterr().err
    assert "note: bands.parquet failed its checksum; rebuilt from the block parts" in err
    for name in ("runs", "trajectories", "bands"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(out / f"{name}.parquet"), pd.read_parquet(finished / f"{name}.parquet")
        )
    assert not (out / "parts").exists()
