"""The batch engine against ``mesa.batch_run``, and a 10^6-run sweep.

Default mode: sweep points of ``us_pressure`` (10 points, 60 steps, the default scenario) go through

(a) hedgesim's engine (``run_batch``) on a local pool of 2 workers, writing a results folder:
    ``--runs`` runs (default 300,000: 10 points x 30,000 replicates), enough for several seconds;
(b) ``mesa.batch_run(GeoModel, parameters={"us_pressure": ...}, rng=seeds, max_steps=60,
    number_processes=2)``, one Mesa model per run, its ``outcome`` model reporter collected: only
    the first replicates of every point, ``--mesa-runs`` runs in all (default 500), since one model
    per run is too slow for the full set.

Both use the same run seeds (``numpy.random.SeedSequence`` of the batch seed, replicate ``k`` getting
seed ``k`` at every point), so the runs they share must agree run by run; the script says how many
differ and exits with status 1 if any do. Each side's wall time (pool start-up included) gives its
rate in runs/s; the ratio of the rates is printed against the target of 500.

``--million``: a 10^6-run sweep (10 x 10 grid of US pressure and Chinese coercion x 10,000 replicates,
60 steps) on 2 workers; prints wall time and peak RSS per process (``getrusage``: this process, the
coordinator; and ``RUSAGE_CHILDREN``, the largest single pool worker, not their sum) against the
targets of 20 s and 500 MiB per process, and the results folder's size on disk.

``--hundred-million``: a 10^8-run sweep in aggregate mode (the same 10 x 10 grid x 10^6 replicates;
``--runs`` scales it down for a trial) on 2 workers: wall time, peak RSS per process and disk use
against the targets of 60 minutes, 1 GiB and 2 GiB; then ``hedgesim report`` on the folder in a
child process, its wall time and peak RSS (``os.wait4``) against 2 minutes and 4 GiB. It takes
about an hour: run it in the background (``nohup ... &``) and keep the folder with ``--out DIR``.

Usage::

    .venv/bin/python benchmarks/bench_engine.py [--runs N] [--mesa-runs M] [--workers W]
    .venv/bin/python benchmarks/bench_engine.py --million [--runs N]
    .venv/bin/python benchmarks/bench_engine.py --hundred-million [--runs N] [--out DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import mesa
import numpy as np
import pandas as pd

from sim.engine import ExecOptions, run_batch
from sim.model import DEFAULT_SCENARIO, GeoModel, simulate
from sim.plan import RunPlan, effective_block_size, run_seeds

TARGET_RATIO = 500.0
"""Engine runs/s over ``mesa.batch_run`` runs/s, both on the same number of processes."""
TARGET_MILLION_S = 20.0
"""Wall time of the 10^6-run sweep, seconds."""
TARGET_MEMORY_MIB = 500.0
"""Peak RSS of each process (coordinator, any worker) in the 10^6-run sweep, MiB."""
TARGET_HUNDRED_MILLION_S = 3600.0
"""Wall time of the 10^8-run aggregate sweep, seconds."""
TARGET_HUNDRED_MILLION_MIB = 1024.0
"""Peak RSS of each process in the 10^8-run aggregate sweep, MiB."""
TARGET_DISK_MIB = 2048.0
"""The 10^8-run aggregate folder on disk, MiB."""
TARGET_REPORT_S = 120.0
"""``hedgesim report`` on the 10^8-run folder, seconds."""
TARGET_REPORT_MIB = 4096.0
"""Peak RSS of ``hedgesim report`` on the 10^8-run folder, MiB."""
MIN_ENGINE_S = 5.0
"""Below this the engine's wall time is mostly start-up: the script asks for more runs."""
BATCH_SEED = 2025
N_POINTS = 10
DEFAULT_RUNS = 300_000
DEFAULT_MESA_RUNS = 500


def sweep_plan(
    pressures: list[float], replications: int, coercions: list[float] | None = None
) -> RunPlan:
    """A sweep of the default scenario over US pressure (and optionally Chinese coercion).

    Args:
        pressures: values of ``levels.us_pressure``.
        replications: replicates per point.
        coercions: values of ``levels.china_coercion`` (grid with ``pressures``), or None.

    Returns:
        the run plan (points in grid order, last parameter fastest).
    """
    columns: dict[str, list[float]] = {"levels.us_pressure": pressures}
    if coercions is not None:
        grid = np.meshgrid(pressures, coercions, indexing="ij")
        columns = {"levels.us_pressure": grid[0].ravel(), "levels.china_coercion": grid[1].ravel()}
    n = len(next(iter(columns.values())))
    points = pd.DataFrame({"point_id": np.arange(n, dtype=np.int64), **columns})
    return RunPlan(
        name="bench",
        kind="sweep",
        scenario=DEFAULT_SCENARIO,
        points=points,
        replications=replications,
        batch_seed=BATCH_SEED,
    )


def run_mesa(plan: RunPlan, replicates: int, workers: int) -> tuple[pd.DataFrame, float]:
    """The first replicates of every point of the plan through ``mesa.batch_run``, one model per run.

    Args:
        plan: a one-parameter (``levels.us_pressure``) plan.
        replicates: replicates per point run (replicates ``0 .. replicates - 1``, with their seeds).
        workers: processes.

    Returns:
        ``(outcomes, seconds)``: a frame with ``replicate``, ``us_pressure`` and ``outcome``.
    """
    pressures = plan.points["levels.us_pressure"].tolist()
    seeds = [int(s) for s in plan.seeds[:replicates]]
    start = time.perf_counter()
    rows = mesa.batch_run(
        GeoModel,
        parameters={"us_pressure": pressures},
        rng=seeds,
        max_steps=plan.scenario.steps,
        number_processes=workers,
        display_progress=False,
    )
    seconds = time.perf_counter() - start
    frame = pd.DataFrame(rows)[["iteration", "us_pressure", "outcome"]]
    return frame.rename(columns={"iteration": "replicate"}), seconds


def run_engine(plan: RunPlan, workers: int, out: Path) -> tuple[pd.DataFrame, float]:
    """The plan through hedgesim's engine on a local pool.

    Args:
        plan: the plan.
        workers: pool processes.
        out: results folder (must not exist).

    Returns:
        ``(runs, seconds)`` with the runs table read back.
    """
    start = time.perf_counter()
    report = run_batch(plan, out, ExecOptions("local", workers, quiet=True))
    seconds = time.perf_counter() - start
    if not report.complete:
        raise SystemExit(f"engine: {len(report.failed)} blocks failed")
    return pd.read_parquet(out / "runs.parquet"), seconds


def verdict(met: bool) -> str:
    """``met`` or ``NOT met``."""
    return "met" if met else "NOT met"


def compare(plan: RunPlan, mesa_replicates: int, workers: int, tmp: Path) -> int:
    """Mode (a) vs (b); returns the exit status."""
    mesa_n = plan.n_points * mesa_replicates
    print(f"{plan.n_points} points x {plan.scenario.steps} steps, {workers} processes each; "
          f"rates from each side's wall time, pool start-up included")  # fmt: skip
    runs, engine_s = run_engine(plan, workers, tmp / "engine")
    engine_rate = plan.n_runs / engine_s
    print(f"  (a) hedgesim engine: {plan.n_runs:9,} runs ({plan.replications:,} replicates/point) "
          f"{engine_s:8.2f} s {engine_rate:12,.1f} runs/s")  # fmt: skip
    mesa_runs, mesa_s = run_mesa(plan, mesa_replicates, workers)
    mesa_rate = mesa_n / mesa_s
    print(f"  (b) mesa.batch_run:  {mesa_n:9,} runs ({mesa_replicates:,} replicates/point) "
          f"{mesa_s:8.2f} s {mesa_rate:12,.1f} runs/s")  # fmt: skip
    print(f"      (b) runs replicates 0-{mesa_replicates - 1} of every point, a subset of (a)'s "
          f"runs: one Mesa model per run is too slow for all {plan.n_runs:,}")  # fmt: skip
    ratio = engine_rate / mesa_rate
    print(f"  ratio of rates (a)/(b): {ratio:,.1f}x (target >= {TARGET_RATIO:.0f}x: "
          f"{verdict(ratio >= TARGET_RATIO)})")  # fmt: skip
    if engine_s < MIN_ENGINE_S:
        print(f"  note: the engine ran under {MIN_ENGINE_S:.0f} s, mostly start-up; "
              f"raise --runs for a steadier figure")  # fmt: skip
    merged = mesa_runs.rename(
        columns={"us_pressure": "levels.us_pressure", "outcome": "mesa_outcome"}
    ).merge(runs, on=["replicate", "levels.us_pressure"], how="left", validate="one_to_one")
    differ = int((merged["outcome"] != merged["mesa_outcome"]).sum())
    print(f"  outcomes agree run by run on the {mesa_n:,} shared runs: {len(merged) - differ:,} of "
          f"{len(merged):,}" + ("" if differ == 0 else f"  ({differ} DIFFER)"))  # fmt: skip
    return 0 if differ == 0 and len(merged) == mesa_n else 1


def folder_bytes(folder: Path) -> int:
    """Bytes of the files under ``folder``, sub-folders included."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def grid_sweep(runs: int, workers: int, out: Path, aggregate: bool) -> tuple[bool, float, float]:
    """A 10 x 10 grid of US pressure and Chinese coercion, ``runs // 100`` replicates per point.

    Args:
        runs: runs in all (rounded down to a multiple of 100).
        workers: pool processes.
        out: results folder (must not exist).
        aggregate: keep per-point aggregates instead of per-run rows.

    Returns:
        ``(complete, wall seconds, largest per-process peak RSS in MiB)``, after printing them.
    """
    axis = [round(float(x), 6) for x in np.linspace(0.0, 1.0, 10)]
    plan = replace(sweep_plan(axis, max(1, runs // 100), coercions=axis), aggregate=aggregate)
    block = effective_block_size(plan.block_size, plan.scenario.steps)
    mode = "aggregate mode" if aggregate else "one row per run"
    print(f"{plan.n_runs:,} runs: {plan.n_points} points x {plan.replications:,} replicates, "
          f"{plan.scenario.steps} steps, {workers} workers, block size {block:,}, {mode}")  # fmt: skip
    start = time.perf_counter()
    report = run_batch(plan, out, ExecOptions("local", workers, quiet=True))
    wall = time.perf_counter() - start
    # ru_maxrss is in KiB on Linux. For RUSAGE_CHILDREN it is the largest of the waited-for
    # children (the pool's workers, joined when run_batch returns), not their sum.
    self_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"  wall time: {wall:,.1f} s ({plan.n_runs / wall:,.0f} runs/s)")
    print(f"  peak RSS per process: coordinator {self_mib:,.0f} MiB, largest worker "
          f"{worker_mib:,.0f} MiB")  # fmt: skip
    return report.complete, wall, max(self_mib, worker_mib)


def million(runs: int, workers: int, tmp: Path) -> int:
    """The 10^6-run sweep; returns the exit status."""
    complete, wall, mib = grid_sweep(runs, workers, tmp / "million", aggregate=False)
    size = folder_bytes(tmp / "million")
    print(f"  target <= {TARGET_MILLION_S:.0f} s: {verdict(wall <= TARGET_MILLION_S)}; "
          f"<= {TARGET_MEMORY_MIB:.0f} MiB per process: {verdict(mib <= TARGET_MEMORY_MIB)}")  # fmt: skip
    print(f"  results folder on disk: {size / 2**20:,.0f} MiB")
    return 0 if complete else 1


def report_cost(folder: Path) -> tuple[int, float, float]:
    """``hedgesim report FOLDER`` in a child process.

    Args:
        folder: a finished results folder.

    Returns:
        ``(exit status, wall seconds, the child's peak RSS in MiB)``.
    """
    cli = Path(sys.executable).with_name("hedgesim")
    start = time.perf_counter()
    child = subprocess.Popen([str(cli), "report", str(folder)], stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    return child.returncode, wall, usage.ru_maxrss / 1024


def hundred_million(runs: int, workers: int, out: Path) -> int:
    """The 10^8-run aggregate sweep and a report on it; returns the exit status."""
    complete, wall, mib = grid_sweep(runs, workers, out, aggregate=True)
    size = folder_bytes(out) / 2**20
    if runs != 100_000_000:
        print(f"  note: a trial of {runs:,} runs; the targets below are for 10^8 runs")
    print(f"  targets: <= {TARGET_HUNDRED_MILLION_S / 60:.0f} min: "
          f"{verdict(wall <= TARGET_HUNDRED_MILLION_S)}; <= {TARGET_HUNDRED_MILLION_MIB:,.0f} MiB "
          f"per process: {verdict(mib <= TARGET_HUNDRED_MILLION_MIB)}")  # fmt: skip
    print(f"  results folder on disk: {size:,.0f} MiB; target <= {TARGET_DISK_MIB:,.0f} MiB: "
          f"{verdict(size <= TARGET_DISK_MIB)}")  # fmt: skip
    if not complete:
        return 1
    status, report_s, report_mib = report_cost(out)
    print(f"  hedgesim report: exit {status}, {report_s:,.1f} s, peak RSS {report_mib:,.0f} MiB; "
          f"targets <= {TARGET_REPORT_S:.0f} s: {verdict(report_s <= TARGET_REPORT_S)}, "
          f"<= {TARGET_REPORT_MIB:,.0f} MiB: {verdict(report_mib <= TARGET_REPORT_MIB)}")  # fmt: skip
    return status


def warm_up() -> None:
    """Compile the kernels into numba's cache (or load them) before anything is timed.

    The first compile of a cache directory costs 12-16 CPU-seconds; each worker then loads the
    cached kernels in ~0.2 s. Timing a cold cache would measure the compiler, not the engine.
    """
    start = time.perf_counter()
    simulate(DEFAULT_SCENARIO, run_seeds(BATCH_SEED, 2))
    print(f"numba kernels compiled or loaded from the cache in {time.perf_counter() - start:.1f} s "
          "(not timed below)")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and run a mode."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runs", type=int, help=f"engine runs (default {DEFAULT_RUNS:,}; --million: 1,000,000)"
    )
    parser.add_argument(
        "--mesa-runs",
        type=int,
        default=DEFAULT_MESA_RUNS,
        help=f"runs given to mesa.batch_run, a subset of the engine's (default {DEFAULT_MESA_RUNS})",
    )
    parser.add_argument("--workers", type=int, default=2, help="processes for both (default 2)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--million", action="store_true", help="time a 10^6-run sweep instead")
    mode.add_argument(
        "--hundred-million",
        action="store_true",
        help="time a 10^8-run aggregate sweep and a report on it (about an hour)",
    )
    parser.add_argument(
        "--out", type=Path, help="--hundred-million: keep the results folder here (must not exist)"
    )
    args = parser.parse_args(argv)
    if (args.runs is not None and args.runs < 1) or args.mesa_runs < 1 or args.workers < 1:
        parser.error("--runs, --mesa-runs and --workers must be at least 1")
    if args.out is not None and not args.hundred_million:
        parser.error("--out goes with --hundred-million")
    if args.out is not None and args.out.exists():
        parser.error(f"--out {args.out} exists; choose a new folder")
    warm_up()
    with tempfile.TemporaryDirectory(prefix="hedgesim-bench-") as tmp:
        if args.hundred_million:
            out = args.out or Path(tmp) / "hundred-million"
            return hundred_million(args.runs or 100_000_000, args.workers, out)
        if args.million:
            return million(args.runs or 1_000_000, args.workers, Path(tmp))
        replications = max(1, (args.runs or DEFAULT_RUNS) // N_POINTS)
        mesa_replicates = min(replications, max(1, args.mesa_runs // N_POINTS))
        pressures = [round(float(x), 6) for x in np.linspace(0.0, 1.0, N_POINTS)]
        plan = sweep_plan(pressures, replications)
        return compare(plan, mesa_replicates, args.workers, Path(tmp))


if __name__ == "__main__":
    sys.exit(main())
