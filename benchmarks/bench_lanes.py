"""Lanes versus one model per run: the same baseline runs, timed both ways, checked identical.

The baseline scenario (``scenarios/baseline.yaml``) is run for N seeds derived from its batch seed with
``numpy.random.SeedSequence`` (as the run plan does):

(a) as N one-lane runs, ``simulate(scenario, [seed])`` for each seed;
(b) as one N-lane run, ``simulate(scenario, seeds)``.

The scenario is read with the production loader (:func:`sim.loader.load_scenario`) and both sides go
through the production entry point, so what is timed and compared is what the engine runs.

Every run's outcome, launch count, final-window values and per-step trajectories must be bitwise
identical in (a) and (b) — a run's result is a pure function of (scenario, parameters, seed), whatever
block it shares — or the script exits with status 1 after saying which variables differ and by how much. It prints runs/s of both and their ratio, measured in the same process, and whether the
target ratio (>= 30) is met.

Usage::

    .venv/bin/python benchmarks/bench_lanes.py [--runs N]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from sim.contract.columns import FINAL_VARIABLES, TRAJECTORY_VARIABLES
from sim.contract.outcomes import OUTCOMES
from sim.loader import load_scenario
from sim.model import simulate
from sim.plan import run_seeds

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.yaml"
"""The scenario benchmarked."""
TARGET_RATIO = 30.0
"""Lane speed-up the engine design relies on."""


def compare(single: dict[str, np.ndarray], lanes: dict[str, np.ndarray], label: str) -> list[str]:
    """Differences between the one-lane and the many-lane results, run by run.

    Args:
        single: per-run arrays (first axis = run) gathered from the one-lane models.
        lanes: the same arrays from the many-lane model.
        label: ``"final"`` or ``"trajectory"``, for the messages.

    Returns:
        one message per differing variable (empty if all are bitwise identical).
    """
    problems = []
    for name, a in single.items():
        b = lanes[name]
        differ = (a != b).reshape(len(a), -1).any(axis=1)
        if differ.any():
            msg = (
                f"{label} {name}: {int(differ.sum())} runs differ (first: run {np.argmax(differ)})"
            )
            if a.dtype.kind == "f":
                msg += f", max |diff| {np.max(np.abs(a - b)):.3g}"
            problems.append(msg)
    return problems


def main() -> int:
    """Run the benchmark; returns the exit status (0 if the results are identical)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=4096, help="number of runs (default 4096)")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    scenario = load_scenario(BASELINE)
    seeds = run_seeds(scenario.seed, args.runs)
    names = ("outcome", "launches", *FINAL_VARIABLES)

    start = time.perf_counter()
    per_run = [simulate(scenario, seeds[k : k + 1]) for k in range(args.runs)]
    t_single = time.perf_counter() - start
    single = {name: np.concatenate([r.finals[name] for r in per_run]) for name in names}
    single_traj = {
        name: np.concatenate([r.trajectories[name] for r in per_run])
        for name in TRAJECTORY_VARIABLES
    }

    start = time.perf_counter()
    result = simulate(scenario, seeds)
    t_lanes = time.perf_counter() - start

    single_rate = args.runs / t_single
    lanes_rate = args.runs / t_lanes
    ratio = single_rate and lanes_rate / single_rate
    print(f"scenario {scenario.name}, {args.runs} runs x {scenario.steps} steps")
    print(f"(a) {args.runs} one-lane runs: {t_single:8.3f} s  {single_rate:12,.0f} runs/s")
    print(f"(b) one {args.runs}-lane run:  {t_lanes:8.3f} s  {lanes_rate:12,.0f} runs/s")
    print(f"ratio (b)/(a): {ratio:.1f}x  (target >= {TARGET_RATIO:.0f}x: ", end="")
    print("met)" if ratio >= TARGET_RATIO else "NOT met)")

    final_problems = compare(single, result.finals, "final")
    traj_problems = compare(single_traj, result.trajectories, "trajectory")
    if final_problems or traj_problems:
        print("MISMATCH between one-lane and many-lane runs:")
        for msg in final_problems + traj_problems:
            print(f"  {msg}")
        if not traj_problems:
            print(
                "  (trajectories are identical: the final-window mean differs with the lane count, "
                "i.e. the order of summation in GeoModel.final_window depends on R)"
            )
        return 1
    shares = {
        OUTCOMES[c]: float(np.mean(single["outcome"] == c)) for c in np.unique(single["outcome"])
    }
    print(
        "identical: outcomes, launches, final-window values and trajectories agree run by run "
        f"({', '.join(f'{o} {s:.3f}' for o, s in shares.items())})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
