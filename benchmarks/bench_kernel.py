"""The numba kernel against the pre-kernel numpy model: ``simulate`` timed side by side in one run.

The pre-kernel model is commit ``2e6fce8``'s ``sim/``, extracted with ``git archive`` into a temporary
directory and imported from there in a subprocess; the kernel path is this checkout's ``sim/``, in
another subprocess. Both simulate the same scenarios with the same run seeds:

- ``default``: :data:`sim.scenario.DEFAULT_SCENARIO`;
- ``history+elections``: ``scenarios/history/korea-2013-2025.yaml`` (schedules and events) with
  elections enabled every two years.

Each side warms up on a few lanes first (so numba's compile or cache load is not timed), then
simulates R lanes (default 8,192) of 60 months ``--repeat`` times; the best time is reported as
lane-steps/s per CPU-second of the process (so that other load on a shared machine distorts the
ratio less; both sides are single-threaded). Outcomes and launch counts are compared run by run: they may differ in a handful of
runs only, because numpy's vectorised ``exp``/``pow`` and libm's differ by an ulp. Finally the
kernel's first call is timed with an empty numba cache (the compile) and with a warm one. Each
side's per-lane noise draws (``sim.model.lane_noise``: one numpy ``Generator`` per lane at
``2e6fce8``, the numba PCG64 kernel of ``sim.noise`` once merged) are also timed alone and the rates
printed without them, which isolates the model step.

``--old COMMIT`` times another commit's ``sim/`` instead of ``2e6fce8``: ``--old f5bac30`` compares
the scalar per-lane kernel (before the tiles of :mod:`sim.kernel.tiles`) with this checkout, where
no run may differ (both use libm's ``exp``/``expm1``/``pow`` and the same operations in the same
order). ``--rounds N`` runs the two sides N times, alternately, and keeps each side's best, so a
burst of load on a shared machine hits both sides.

Usage::

    .venv/bin/python benchmarks/bench_kernel.py [--lanes 8192] [--repeat 3] [--old 2e6fce8]
        [--rounds 1]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OLD_COMMIT = "2e6fce8"
"""The last commit before the kernel."""
HISTORY = ROOT / "scenarios" / "history" / "korea-2013-2025.yaml"
ELECTIONS = {
    "structure.elections.enabled": 1.0,
    "structure.elections.first": 12.0,
    "structure.elections.period": 24.0,
}

WORKER = r"""
import json, sys, time
root, lanes, repeat, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
sys.path.insert(0, root)
import numpy as np
from sim.loader import load_scenario
from sim.model import lane_noise, simulate
from sim.plan import run_seeds
from sim.scenario import DEFAULT_SCENARIO
scenarios = {
    "default": DEFAULT_SCENARIO.model_copy(update={"steps": 60}),
    "history+elections": load_scenario(HISTORY).with_values(ELECTIONS).model_copy(update={"steps": 60}),
}
timings, finals = {}, {}
seeds = run_seeds(20251205, lanes)
t0 = time.process_time()
simulate(scenarios["default"], seeds[:4])
timings["warm_up"] = time.process_time() - t0
best = float("inf")
for _ in range(repeat):
    t0 = time.process_time()
    lane_noise(seeds, 60)
    best = min(best, time.process_time() - t0)
timings["noise"] = best
for name, scenario in scenarios.items():
    best = float("inf")
    for _ in range(repeat):
        t0 = time.process_time()
        result = simulate(scenario, seeds)
        best = min(best, time.process_time() - t0)
    timings[name] = best
    finals[name + "/outcome"] = result.finals["outcome"]
    finals[name + "/launches"] = result.finals["launches"]
    finals[name + "/us_alignment"] = result.finals["us_alignment"]
np.savez(out, **finals)
print(json.dumps(timings))
"""


def run_side(
    root: Path, lanes: int, repeat: int, out: Path, env: dict[str, str]
) -> dict[str, float]:
    """Run the worker against the ``sim/`` under ``root`` in a fresh interpreter.

    Args:
        root: directory holding the ``sim`` package to import.
        lanes: lanes R per simulate call.
        repeat: timed calls per scenario (best kept).
        out: where the worker saves its finals (``.npz``).
        env: the subprocess environment.

    Returns:
        seconds per scenario (best of ``repeat``) and of the warm-up call.
    """
    code = f"HISTORY = {str(HISTORY)!r}\nELECTIONS = {ELECTIONS!r}\n" + WORKER
    done = subprocess.run(
        [sys.executable, "-c", code, str(root), str(lanes), str(repeat), str(out)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
        cwd=root,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    """Time both models, compare their outcomes run by run and time the kernel's first compile."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lanes", type=int, default=8192)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--old", default=OLD_COMMIT, help="commit whose sim/ is the baseline")
    parser.add_argument("--rounds", type=int, default=1, help="alternate runs of both sides")
    args = parser.parse_args()
    steps = 60
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        old_root = tmp / "old"
        old_root.mkdir()
        archive = subprocess.run(
            ["git", "archive", args.old, "sim"], cwd=ROOT, check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(old_root)], input=archive, check=True)
        old: dict[str, float] = {}
        new: dict[str, float] = {}
        for _ in range(args.rounds):
            for side, root, name in ((old, old_root, "old"), (new, ROOT, "new")):
                times = run_side(root, args.lanes, args.repeat, tmp / f"{name}.npz", env)
                for key, value in times.items():
                    side[key] = min(side.get(key, value), value)
        before, after = np.load(tmp / "old.npz"), np.load(tmp / "new.npz")
        best = args.repeat * args.rounds
        print(f"simulate, {args.lanes:,} lanes x {steps} months, best of {best} (CPU time)")
        baseline = f"numpy ({args.old})" if args.old == OLD_COMMIT else args.old
        print(f"{'scenario':<20} {baseline:>18} {'kernel':>14} {'ratio':>7}  runs differing")
        for name in ("default", "history+elections"):
            lane_steps = args.lanes * steps
            outcome = int(np.sum(before[name + "/outcome"] != after[name + "/outcome"]))
            launches = int(np.sum(before[name + "/launches"] != after[name + "/launches"]))
            gap = float(
                np.max(np.abs(before[name + "/us_alignment"] - after[name + "/us_alignment"]))
            )
            print(
                f"{name:<20} {lane_steps / old[name] / 1e6:>11.2f} M/s {lane_steps / new[name] / 1e6:>9.2f} M/s"
                f" {old[name] / new[name]:>6.1f}x  outcome {outcome}, launches {launches}"
                f" (max |us_alignment| gap {gap:.1e})"
            )
        model_old = {name: old[name] - old["noise"] for name in ("default", "history+elections")}
        model_new = {name: new[name] - new["noise"] for name in ("default", "history+elections")}
        print(
            "without each side's per-lane noise draws (sim.model.lane_noise: "
            f"{old['noise']:.3f} and {new['noise']:.3f} CPU s):"
        )
        for name in ("default", "history+elections"):
            lane_steps = args.lanes * steps
            print(
                f"{name:<20} {lane_steps / model_old[name] / 1e6:>11.2f} M/s"
                f" {lane_steps / model_new[name] / 1e6:>9.2f} M/s"
                f" {model_old[name] / model_new[name]:>6.1f}x"
            )
        cached = {**env, "NUMBA_CACHE_DIR": str(tmp / "numba-cache")}
        cold = run_side(ROOT, 4, 1, tmp / "cold.npz", cached)
        warm = run_side(ROOT, 4, 1, tmp / "warm.npz", cached)
        print(
            f"kernel first call (4 lanes), CPU s: {cold['warm_up']:.2f} with an empty numba cache "
            f"(compile), {warm['warm_up']:.2f} with the cache warm; {baseline}: "
            f"{old['warm_up']:.2f}"
        )


if __name__ == "__main__":
    main()
