"""End-to-end command line: run, sweep, validate, list; one-line errors with exit status 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from batches import logged_blocks
from faults import FAIL_ENV as TEST_FAIL_ENV

from hedgesim.cli import main

REPO = Path(__file__).resolve().parents[2]
SCENARIO = """\
name: tiny
description: A tiny test scenario.
steps: 12
replications: 12
seed: 4
levels:
  us_pressure: 0.4
  china_coercion: 0.4
  nk_provocation: 0.4
classification:
  final_window: 6
"""
SWEEP = """\
name: tiny-sweep
base: tiny.yaml
replications: 10
seed: 3
parameters:
  levels.us_pressure: {values: [0.1, 0.9]}
  levels.china_coercion: {low: 0.0, high: 1.0, steps: 2}
"""
FAST = ["--backend", "inprocess", "--quiet"]


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(SCENARIO)
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(SWEEP)
    return scenario, sweep


def one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_run_writes_a_complete_folder(
    tmp_path: Path, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    status = main(["run", str(files[0]), "--replications", "8", "--seed", "9", "--out", str(out),
                   *FAST])  # fmt: skip
    assert status == 0
    stdout = capsys.readouterr().out
    assert "Hedging" in stdout and f"results: {out}" in stdout and "8 runs in" in stdout
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 8 and runs["point_id"].eq(0).all()
    summary = pd.read_csv(out / "summary.csv")
    assert summary["n_runs"].tolist() == [8]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "run" and manifest["batch_seed"] == 9
    assert manifest["scenario"]["replications"] == 8 and manifest["backend"] == "inprocess"
    # again into the same folder: refused, one line, nothing changed
    assert main(["run", str(files[0]), "--out", str(out), *FAST]) == 2
    assert "not empty" in one_line_error(capsys)


def test_sweep_and_resume(
    tmp_path: Path, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sw"
    assert main(["sweep", str(files[1]), "--out", str(out), "--block-size", "7", *FAST]) == 0
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 40
    assert list(runs.columns[4:6]) == ["levels.us_pressure", "levels.china_coercion"]
    assert len(pd.read_csv(out / "summary.csv")) == 4
    capsys.readouterr()
    assert main(["sweep", str(files[1]), "--out", str(out), "--resume", *FAST]) == 0
    # another sweep cannot resume this folder
    files[1].write_text(SWEEP.replace("seed: 3", "seed: 4"))
    assert main(["sweep", str(files[1]), "--out", str(out), "--resume", *FAST]) == 2
    assert "another batch" in one_line_error(capsys)


def test_default_out_folder(
    tmp_path: Path, files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["run", str(files[0]), *FAST]) == 0
    (folder,) = (tmp_path / "results").iterdir()
    assert folder.name.startswith("tiny-") and folder.name.endswith("Z")


def test_failed_blocks_exit_1_and_resume_retries(
    tmp_path: Path,
    files: tuple[Path, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "fail"
    monkeypatch.setenv(TEST_FAIL_ENV, "1")
    args = ["run", str(files[0]), "--out", str(out), "--block-size", "5", *FAST]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "1 of 3 blocks failed" in err and "block 1: RuntimeError: injected failure" in err
    assert "--resume" in err and "Traceback" not in err
    monkeypatch.delenv(TEST_FAIL_ENV)
    assert main([*args, "--resume"]) == 0
    assert len(pd.read_parquet(out / "runs.parquet")) == 12


def test_validate(
    tmp_path: Path, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(files[0]), str(files[1])]) == 0
    out = capsys.readouterr().out
    assert "OK" in out and "4 points x 10 replicates = 40 runs" in out
    bad = tmp_path / "bad.yaml"
    bad.write_text(SWEEP.replace("levels.china_coercion", "levels.china_coersion"))
    assert main(["validate", str(files[0]), str(bad)]) == 2
    line = one_line_error(capsys)
    assert line.startswith(f"{bad}:7: parameters.levels.china_coersion: unknown parameter")
    bad.write_text(SCENARIO.replace("us_pressure: 0.4", "us_pressure: 1.4"))
    assert main(["validate", str(bad)]) == 2
    assert one_line_error(capsys).startswith(f"{bad}:7: levels.us_pressure:")
    assert main(["validate", str(tmp_path / "missing.yaml")]) == 2
    assert "missing.yaml" in one_line_error(capsys)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["run", "{sweep}", "--out", "{tmp}/a"], "is a sweep file"),
        (["sweep", "{scenario}", "--out", "{tmp}/a"], "is not a sweep file"),
        (["run", "{scenario}", "--resume"], "--resume"),
        (["run", "{scenario}", "--backend", "local", "--scheduler", "tcp://x:1"], "--scheduler"),
        (["run", "{scenario}", "--workers", "0"], "expected 1 to"),
        (["run", "{scenario}", "--replications", "many"], "expected a whole number"),
        (["run", "{scenario}", "--replications", "20000000"], "expected 1 to 10,000,000"),
        (["run", "{scenario}", "--block-size", "100000000"], "expected 1 to 65,536"),
        (["run", "{scenario}", "--out", "{scenario}"], "is a file, not a folder"),
        (["run", "{scenario}", "--out", "{scenario}/a"], "cannot be created"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path,
    files: tuple[Path, Path],
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    words: str,
) -> None:
    filled = [a.format(sweep=files[1], scenario=files[0], tmp=tmp_path) for a in args]
    assert main(filled) == 2
    assert words in one_line_error(capsys)
    assert not (tmp_path / "a").exists()


def test_list(tmp_path: Path, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "tiny.yaml").write_text(SCENARIO)
    (tmp_path / "scenarios" / "broken.yaml").write_text("name: broken\n")
    assert main(["list", "--dir", str(tmp_path / "scenarios")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].split() == ["tiny", "A", "tiny", "test", "scenario."]
    assert out[0].startswith("broken") and "INVALID" in out[0]


def test_python_m_sim_bad_input_has_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nlevels: [1, 2\n")
    proc = subprocess.run(
        [sys.executable, "-m", "hedgesim", "validate", str(bad)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        cwd=tmp_path,
    )
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith(f"{bad}:")


def test_plot_and_report_on_a_run(
    tmp_path: Path, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "pr"
    assert main(["run", str(files[0]), "--out", str(out), *FAST]) == 0
    capsys.readouterr()
    assert main(["plot", str(out)]) == 0
    written = capsys.readouterr().out.split()
    assert written and all(Path(p).exists() for p in written)
    assert main(["run", str(files[0]), "--out", str(tmp_path / "pr2"), "--seed", "1", *FAST]) == 0
    capsys.readouterr()
    assert main(["plot", str(out), str(tmp_path / "pr2"), "--out", str(tmp_path / "cmp")]) == 0
    assert (tmp_path / "cmp" / "comparison.png").exists()
    assert main(["report", str(out)]) == 0
    assert (out / "report.html").exists()
    assert main(["report", str(tmp_path / "nowhere")]) == 2
    assert "results folder not found" in one_line_error(capsys)


def test_ctrl_c_keeps_finished_blocks(tmp_path: Path, files: tuple[Path, Path]) -> None:
    import signal
    import time

    out = tmp_path / "int"
    # 1 s per block: the three blocks left when the first is logged outlast any scheduling delay
    # of this polling loop on a loaded machine (at 0.4 s a CI run once saw the batch finish first)
    env = {**os.environ, "PYTHONPATH": str(REPO), "HEDGESIM_TEST_BLOCK_DELAY": "1.0"}
    args = [sys.executable, str(REPO / "tests" / "faults.py"), "run", str(files[0]), "--out", str(out),
            "--block-size", "3", *FAST]  # fmt: skip
    proc = subprocess.Popen(
        args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if logged_blocks(out):
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the batch finished before a block was seen in blocks.log"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "--resume" in err and "Traceback" not in err
    finished = logged_blocks(out)
    assert 1 <= len(finished) < 4
    proc = subprocess.run([*args, "--resume"], env={**env, "HEDGESIM_TEST_BLOCK_DELAY": ""},
                          capture_output=True, text=True)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert len(pd.read_parquet(out / "runs.parquet")) == 12


def test_unreachable_scheduler_is_one_line(
    tmp_path: Path,
    files: tuple[Path, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sim import executors

    monkeypatch.setattr(executors, "CONNECT_TIMEOUT_S", 1)
    args = ["run", str(files[0]), "--out", str(tmp_path / "d"), "--scheduler", "tcp://127.0.0.1:9"]
    assert main([*args, "--quiet"]) == 2
    assert "cannot use Dask scheduler 'tcp://127.0.0.1:9'" in one_line_error(capsys)
    assert not (tmp_path / "d").exists()


def test_every_library_file_validates(capsys: pytest.CaptureFixture[str]) -> None:
    """Every scenario in scenarios/ and every sweep in scenarios/sweeps/ passes `hedgesim validate`."""
    root = Path(__file__).resolve().parents[2] / "scenarios"
    paths = sorted(root.glob("*.yaml")) + sorted((root / "sweeps").glob("*.yaml"))
    assert len(paths) >= 12  # ten scenarios and the sweeps
    assert main(["validate", *map(str, paths)]) == 0, capsys.readouterr()


def test_each_yaml_file_is_read_once(
    tmp_path: Path, files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """validate, run and sweep parse each file once (the sweep's base scenario once too)."""
    import sim.loader

    reads: list[str] = []
    real = sim.loader.read_yaml

    def counting(path: Path | str) -> Any:
        reads.append(Path(path).name)
        return real(path)

    monkeypatch.setattr(sim.loader, "read_yaml", counting)
    import sim.sweep

    monkeypatch.setattr(sim.sweep, "read_yaml", counting)
    assert main(["validate", str(files[0]), str(files[1])]) == 0
    assert sorted(reads) == ["sweep.yaml", "tiny.yaml", "tiny.yaml"]  # the sweep's base is tiny
    reads.clear()
    assert main(["run", str(files[0]), "--out", str(tmp_path / "r"), *FAST]) == 0
    assert reads == ["tiny.yaml"]
    reads.clear()
    assert main(["sweep", str(files[1]), "--out", str(tmp_path / "s"), *FAST]) == 0
    assert sorted(reads) == ["sweep.yaml", "tiny.yaml"]
