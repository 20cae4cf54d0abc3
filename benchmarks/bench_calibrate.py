"""Calibration throughput against the engine's plain sweep rate, and the default calibration's wall time.

Default mode, on the history replay (``scenarios/history/korea-2013-2025.yaml``, 156 months plus
spin-up) and ``--workers`` workers (default 2):

(a) the engine's plain sweep: ``run_batch`` of a sweep of ``--runs`` runs (16 Sobol-like points of the
    default calibration's parameters x replicates), writing a results folder; runs/s;
(b) calibration: ``calibrate`` of the default calibration file with its budget cut to about the same
    number of runs (one wave); runs/s over the wall time of the whole call (designs, implausibility,
    weights, predictive and all files included) and over the time spent simulating.

It prints both rates and their ratio against the target (calibration >= 50% of the plain sweep rate).

``--full``: also run the committed default calibration (``calibrations/korea-2013-2016.yaml``) as
committed and print its wall time against the target of 15 minutes on 2 cores.

Usage::

    .venv/bin/python benchmarks/bench_calibrate.py [--runs N] [--workers W] [--full]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibration.runner import calibrate
from sim.calibration.spec import ResolvedCalibration, load_calibration, to_natural
from sim.engine import ExecOptions, run_batch
from sim.plan import RunPlan

ROOT = Path(__file__).resolve().parents[1]
CALIBRATION = ROOT / "calibrations" / "korea-2013-2016.yaml"
TARGET_RATIO = 0.5
TARGET_FULL_S = 15 * 60.0
POINTS = 16


def sweep_rate(cal: ResolvedCalibration, runs: int, workers: int, folder: Path) -> float:
    """Runs/s of a plain engine sweep over the calibration's parameters on its base scenario."""
    unit = np.random.default_rng(0).random((POINTS, len(cal.parameters)))
    points = pd.DataFrame(to_natural(unit, cal.spec), columns=list(cal.parameters))
    points.insert(0, "point_id", np.arange(POINTS, dtype=np.int64))
    plan = RunPlan(
        name="bench-sweep",
        kind="sweep",
        scenario=cal.scenario,
        points=points,
        replications=max(1, runs // POINTS),
        batch_seed=1,
    )
    started = time.perf_counter()
    report = run_batch(plan, folder, ExecOptions("local", workers, quiet=True))
    elapsed = time.perf_counter() - started
    assert report.complete
    return plan.n_runs / elapsed


def calibration_rate(
    cal: ResolvedCalibration, runs: int, workers: int, folder: Path
) -> tuple[float, float]:
    """Runs/s of a one-wave calibration of about ``runs`` runs: over its wall time and its simulating time."""
    reps = cal.spec.method.replications
    points = 1 << max(3, int(np.log2(max(8, runs // reps))))
    method = cal.spec.method.model_copy(
        update={"waves": 1, "points": points, "predictive_draws": 100}
    )
    small = replace(cal, spec=cal.spec.model_copy(update={"method": method}))
    started = time.perf_counter()
    report = calibrate(small, folder, workers=workers, quiet=True)
    elapsed = time.perf_counter() - started
    return report.runs_done / elapsed, report.runs_done / report.sim_seconds


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit status 1 if a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=16_384)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--full", action="store_true")
    args = parser.parse_args(argv)
    cal = load_calibration(CALIBRATION)
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        plain = sweep_rate(cal, args.runs, args.workers, Path(tmp) / "sweep")
        wall, simulating = calibration_rate(cal, args.runs, args.workers, Path(tmp) / "calib")
        ratio = wall / plain
        ok &= ratio >= TARGET_RATIO
        print(f"history replay, {args.workers} workers, about {args.runs:,} runs each:")
        print(f"  engine sweep (run_batch, results folder)   {plain:8,.0f} runs/s")
        print(f"  calibration wave (whole call)              {wall:8,.0f} runs/s")
        print(f"  calibration wave (while simulating)        {simulating:8,.0f} runs/s")
        print(
            f"  ratio calibration / sweep                  {ratio:8.2f}  (target >= {TARGET_RATIO})"
        )
        if args.full:
            started = time.perf_counter()
            report = calibrate(cal, Path(tmp) / "full", workers=args.workers, quiet=True)
            elapsed = time.perf_counter() - started
            ok &= elapsed <= TARGET_FULL_S
            print(
                f"  default calibration {CALIBRATION.name}: {report.runs_done:,} runs in"
                f" {elapsed:,.1f} s  (target <= {TARGET_FULL_S:,.0f} s)"
            )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
