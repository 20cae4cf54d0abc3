"""Three trials of the command line under stress, each a function that asserts what it checks.

- :func:`race_trial`: two ``hedgesim sweep`` of different sweeps into one ``--out`` at the same
  moment, then a ``--resume`` while the winner is still writing. One writer wins; every other
  command exits 2 with one line and writes nothing; the folder holds exactly the winner's results.
- :func:`orphan_trial`: ``kill -9`` of a coordinator with busy workers (local pool or Dask): no
  worker process survives it by more than a few seconds.
- :func:`sigterm_trial`: SIGTERM part-way exits 143 with the ``--resume`` hint, and the resume gives
  the results of an uninterrupted run.

The tests run each once (and a few times when ``slow``); ``benchmarks/robustness_loop.py`` runs them
20 times and prints the counts.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
from batches import logged_blocks

REPO = Path(__file__).resolve().parents[2]
FAULTS = REPO / "tests" / "faults.py"
BASE = """\
name: tiny
steps: 12
replications: 24
seed: 4
levels: {us_pressure: 0.4, china_coercion: 0.4, nk_provocation: 0.4}
classification: {final_window: 6}
"""
SWEEP = """\
name: {name}
base: base.yaml
replications: 12
seed: {seed}
parameters:
  levels.us_pressure: {{values: [0.1, 0.9]}}
"""
FILES = ("runs", "trajectories", "bands")
IN_USE = "is in use by process"


def write_inputs(folder: Path) -> dict[str, Path]:
    """The base scenario and two sweeps (different seeds) in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "base.yaml").write_text(BASE)
    paths = {"scenario": folder / "base.yaml"}
    for name, seed in (("a", 1), ("b", 2)):
        paths[name] = folder / f"sweep-{name}.yaml"
        paths[name].write_text(SWEEP.format(name=f"sweep-{name}", seed=seed))
    return paths


def command(*args: str | Path, backend: str = "inprocess", block_size: int = 6) -> list[str]:
    """``python tests/faults.py ARGS`` (the command line with TEST-ONLY fault injection)."""
    return [sys.executable, str(FAULTS), *map(str, args), "--backend", backend,
            "--block-size", str(block_size), "--quiet"]  # fmt: skip


def env(delay: float = 0.0) -> dict[str, str]:
    """The environment of a command whose blocks each sleep ``delay`` seconds first."""
    return {**os.environ, "PYTHONPATH": str(REPO), "HEDGESIM_TEST_BLOCK_DELAY": str(delay or "")}


def read(folder: Path) -> dict[str, pd.DataFrame]:
    return {name: pd.read_parquet(folder / f"{name}.parquet") for name in FILES}


def same(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> bool:
    return all(a[name].equals(b[name]) for name in FILES)


def references(work: Path, paths: dict[str, Path]) -> dict[str, dict[str, pd.DataFrame]]:
    """Uninterrupted results of sweeps ``a`` and ``b`` and of the scenario."""
    refs = {}
    for name in ("a", "b", "scenario"):
        out = work / f"ref-{name}"
        verb = "run" if name == "scenario" else "sweep"
        proc = subprocess.run(command(verb, paths[name], "--out", out), env=env(),
                              capture_output=True, text=True, check=False)  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        refs[name] = read(out)
    return refs


def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


def wait_for(predicate: object, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout} s waiting for {predicate}")


def race_trial(
    work: Path, paths: dict[str, Path], refs: dict[str, dict[str, pd.DataFrame]]
) -> None:
    """Two writers of different sweeps into one folder at once; then a resume during the run."""
    out = work / "race"
    procs = {
        name: subprocess.Popen(command("sweep", paths[name], "--out", out, block_size=3),
                               env=env(0.4), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
        for name in ("a", "b")
    }  # fmt: skip
    wait_for(lambda: (out / "manifest.json").exists())
    name = json.loads((out / "manifest.json").read_text())["name"].removeprefix("sweep-")
    winner, sessions = procs[name], 1
    resume = subprocess.run(command("sweep", paths[name], "--out", out, "--resume", block_size=3),
                            env=env(), capture_output=True, text=True, check=False)  # fmt: skip
    in_use = f"{out} {IN_USE} {winner.pid}; wait for it or choose another --out"
    if resume.returncode == 0:  # only if the winner had already finished: nothing to refuse
        assert winner.poll() is not None
        sessions = 2
    else:
        assert resume.returncode == 2 and one_line(resume.stderr) == in_use, resume.stderr
    results = {key: (p.wait(timeout=120), *p.communicate()) for key, p in procs.items()}
    assert results[name][0] == 0, results[name][2]
    code, _, err = results["b" if name == "a" else "a"]
    assert code == 2, err
    line = one_line(err)
    assert line == in_use or line == (  # the loser came after the winner had finished
        f"{out}: exists and is not empty (resume it with --resume, or choose another --out)"
    ), line
    assert same(read(out), refs[name])
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["name"] == f"sweep-{name}" and manifest["finished"]
    assert len(manifest["sessions"]) == sessions  # the refused commands recorded nothing


def _children(pid: int) -> set[int]:
    """Process ids of the live descendants of ``pid`` (from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z":
                parents[int(entry.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:120]
    except OSError:
        return "?"


def _cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return -1
    return int(fields[11]) + int(fields[12])  # utime + stime


def _settled_children(pid: int, at_least: int, idle: bool, timeout: float = 120.0) -> set[int]:
    """The descendants of ``pid`` once there are ``at_least`` and none has come or gone for 2 s.

    With ``idle``, none may have used CPU either: pool workers have then started and sit in their
    (sleeping) blocks. Dask workers are never idle (heartbeats), but they have started once the
    results folder exists: the engine writes it only after the cluster is up.
    """
    deadline = time.monotonic() + timeout
    seen, since = {}, time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.1)
        now = {p: _cpu_ticks(p) if idle else 0 for p in _children(pid)}
        if now != seen:
            seen, since = now, time.monotonic()
        elif len(now) >= at_least and time.monotonic() - since >= 2.0:
            return set(now)
    raise AssertionError(f"workers did not settle: {[_cmdline(p) for p in seen]}")


def orphan_trial(work: Path, paths: dict[str, Path], backend: str = "local") -> float:
    """``kill -9`` of a coordinator whose two workers are busy; returns seconds until all are gone.

    Every descendant counts (the workers, and the resource tracker of a local pool). The kill
    comes once the workers are inside their blocks: a worker still starting up when its coordinator
    dies exits when it reaches its initialiser (:func:`sim.lifeline.die_with_parent`), which can take
    longer than 5 s on a loaded machine.
    """
    out = work / f"orphan-{backend}"
    proc = subprocess.Popen(command("run", paths["scenario"], "--out", out, "--workers", "2",
                                    backend=backend), env=env(60),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    try:
        wait_for(lambda: (out / "manifest.json").exists() or proc.poll() is not None, 90)
        workers = _settled_children(proc.pid, 2, idle=backend == "local")
    finally:
        proc.kill()
        proc.wait(timeout=30)
    killed = time.monotonic()
    try:
        wait_for(lambda: not any(_alive(p) for p in workers), 5.0)
    except AssertionError:
        alive = [_cmdline(p) for p in workers if _alive(p)]
        raise AssertionError(f"still alive 5 s after kill -9: {alive}") from None
    return time.monotonic() - killed


def sigterm_trial(
    work: Path, paths: dict[str, Path], refs: dict[str, dict[str, pd.DataFrame]]
) -> None:
    """SIGTERM after the first finished block: exit 143, workers gone, resume is identical."""
    out = work / "term"
    args = command("run", paths["scenario"], "--out", out, "--workers", "2", backend="local")
    proc = subprocess.Popen(args, env=env(0.5), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)  # fmt: skip

    def one_finished() -> bool:
        path = out / "manifest.json"
        return proc.poll() is not None or (path.exists() and bool(logged_blocks(out)))

    wait_for(one_finished, 90)
    workers = _children(proc.pid)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert "terminated" in err and f"--out {out} --resume" in err and "Traceback" not in err, err
    wait_for(lambda: not any(_alive(p) for p in workers), 5.0)
    finished = logged_blocks(out)
    assert 1 <= len(finished) < 4, finished
    resumed = subprocess.run([*args, "--resume"], env=env(), capture_output=True, text=True,
                             check=False)  # fmt: skip
    assert resumed.returncode == 0, resumed.stderr
    assert same(read(out), refs["scenario"])
