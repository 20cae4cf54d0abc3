"""The batch engine against ``mesa.batch_run``, and a 10^6-run sweep.

Default mode: the same runs (10 sweep points of ``us_pressure`` x 2,000 replicates, 60 steps, the
default scenario) go through

(a) ``mesa.batch_run(GeoModel, parameters={"us_pressure": ...}, rng=seeds, max_steps=60,
    number_processes=2)``: one Mesa model per run, its ``outcome`` model reporter collected;
(b) hedgesim's engine (``run_batch``) on a local pool of 2 workers, writing a results folder.

Both use the same run seeds (``numpy.random.SeedSequence`` of the batch seed, replicate ``k`` getting
seed ``k`` at every point), so their outcomes must agree run by run; the script says how many differ
and exits with status 1 if any do. It prints runs/s of both and the ratio (target >= 20).

``--million``: a 10^6-run sweep (10 x 10 grid of US pressure and Chinese coercion x 10,000 replicates,
60 steps) on 2 workers; prints wall time and peak memory (``getrusage`` maxrss of this process and of
its waited-for children, the pool workers), against the targets of 5 minutes and 1 GiB.

Usage::

    .venv/bin/python benchmarks/bench_engine.py [--runs N] [--workers W]
    .venv/bin/python benchmarks/bench_engine.py --million [--runs N]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import mesa
import numpy as np
import pandas as pd

from sim.engine import ExecOptions, run_batch
from sim.model import DEFAULT_SCENARIO, GeoModel
from sim.plan import RunPlan

TARGET_RATIO = 20.0
TARGET_MILLION_S = 300.0
TARGET_MEMORY_BYTES = 1 << 30
BATCH_SEED = 2025
N_POINTS = 10


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


def run_mesa(plan: RunPlan, workers: int) -> tuple[pd.DataFrame, float]:
    """The plan's runs through ``mesa.batch_run``, one model per run.

    Args:
        plan: a one-parameter (``levels.us_pressure``) plan.
        workers: processes.

    Returns:
        ``(outcomes, seconds)``: a frame with ``replicate``, ``us_pressure`` and ``outcome``.
    """
    pressures = plan.points["levels.us_pressure"].tolist()
    seeds = [int(s) for s in plan.seeds]
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


def compare(plan: RunPlan, workers: int, tmp: Path) -> int:
    """Mode (a) vs (b); returns the exit status."""
    print(f"{plan.n_runs:,} runs: {plan.n_points} points x {plan.replications:,} replicates, "
          f"{plan.scenario.steps} steps, {workers} workers")  # fmt: skip
    runs, engine_s = run_engine(plan, workers, tmp / "engine")
    print(f"  hedgesim engine:  {engine_s:8.2f} s  {plan.n_runs / engine_s:10,.0f} runs/s")
    mesa_runs, mesa_s = run_mesa(plan, workers)
    print(f"  mesa.batch_run:   {mesa_s:8.2f} s  {plan.n_runs / mesa_s:10,.0f} runs/s")
    merged = runs.merge(
        mesa_runs.rename(columns={"us_pressure": "levels.us_pressure", "outcome": "mesa_outcome"}),
        on=["replicate", "levels.us_pressure"],
        how="outer",
        validate="one_to_one",
    )
    differ = int((merged["outcome"] != merged["mesa_outcome"]).sum())
    ratio = mesa_s / engine_s
    print(
        f"  ratio: {ratio:.1f}x (target >= {TARGET_RATIO:.0f}x: {'met' if ratio >= TARGET_RATIO else 'NOT met'})"
    )
    print(f"  outcomes agree run by run: {len(merged) - differ:,} of {len(merged):,}"
          + ("" if differ == 0 else f"  ({differ} DIFFER)"))  # fmt: skip
    return 0 if differ == 0 and len(merged) == plan.n_runs else 1


def million(runs: int, workers: int, tmp: Path) -> int:
    """The 10^6-run sweep; returns the exit status."""
    axis = [round(float(x), 6) for x in np.linspace(0.0, 1.0, 10)]
    plan = sweep_plan(axis, max(1, runs // 100), coercions=axis)
    print(f"{plan.n_runs:,} runs: {plan.n_points} points x {plan.replications:,} replicates, "
          f"{plan.scenario.steps} steps, {workers} workers, block size 2048")  # fmt: skip
    start = time.perf_counter()
    report = run_batch(plan, tmp / "million", ExecOptions("local", workers, quiet=True))
    wall = time.perf_counter() - start
    self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    size = sum(p.stat().st_size for p in (tmp / "million").iterdir() if p.is_file())
    print(
        f"  wall time: {wall:.1f} s ({plan.n_runs / wall:,.0f} runs/s); "
        f"target <= {TARGET_MILLION_S:.0f} s: {'met' if wall <= TARGET_MILLION_S else 'NOT met'}"
    )
    print(
        f"  peak RSS: coordinator {self_rss / 2**20:.0f} MiB, largest worker {child_rss / 2**20:.0f} MiB; "
        f"target <= 1024 MiB each: "
        f"{'met' if max(self_rss, child_rss) <= TARGET_MEMORY_BYTES else 'NOT met'}"
    )
    print(f"  results folder: {size / 2**20:.0f} MiB")  # fmt: skip
    return 0 if report.complete else 1


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and run a mode."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runs", type=int, help="total runs (default 20,000; --million: 1,000,000)"
    )
    parser.add_argument("--workers", type=int, default=2, help="processes for both (default 2)")
    parser.add_argument("--million", action="store_true", help="time a 10^6-run sweep instead")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="hedgesim-bench-") as tmp:
        if args.million:
            return million(args.runs or 1_000_000, args.workers, Path(tmp))
        replications = max(1, (args.runs or 20_000) // N_POINTS)
        pressures = [round(float(x), 6) for x in np.linspace(0.0, 1.0, N_POINTS)]
        return compare(sweep_plan(pressures, replications), args.workers, Path(tmp))


if __name__ == "__main__":
    sys.exit(main())
