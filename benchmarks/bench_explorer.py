"""How long the explorer takes to recompute after a change: ensemble simulation and figures.

For each scenario of the library and each ensemble size, time (median of ``--repeat``) the
simulation of the ensemble (one lane-engine call, :func:`sim.explorer.run_ensemble`) and the three
figures the page shows (:func:`sim.app._figures`), side by side with the target of one second.
This is what happens on the server for every slider move; the browser adds the transfer of three
small PNG images.

Usage::

    .venv/bin/python benchmarks/bench_explorer.py [--runs 500 1000 2000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from hedgesim.app import LIBRARY, _figures
from hedgesim.explorer import run_ensemble

TARGET_S = 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, nargs="+", default=[500, 1000, 2000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"CPUs: {os.cpu_count()}; target: recompute < {TARGET_S:.1f} s")
    print(
        f"{'scenario':<36} {'runs':>6} {'simulate s':>11} {'figures s':>10} {'total s':>8}  ratio"
    )
    worst = 0.0
    for name, scenario in LIBRARY.items():
        for runs in args.runs:
            sims, draws = [], []
            for _ in range(args.repeat):
                started = time.perf_counter()
                ensemble = run_ensemble(scenario, runs)
                middle = time.perf_counter()
                _figures(ensemble)
                sims.append(middle - started)
                draws.append(time.perf_counter() - middle)
            sim_s, draw_s = statistics.median(sims), statistics.median(draws)
            total = sim_s + draw_s
            worst = max(worst, total)
            print(
                f"{name:<36} {runs:>6,} {sim_s:>11.3f} {draw_s:>10.3f} {total:>8.3f}"
                f"  {total / TARGET_S:.2f}x of target"
            )
    print(
        f"slowest recompute: {worst:.3f} s ({'meets' if worst < TARGET_S else 'misses'} the target)"
    )


if __name__ == "__main__":
    main()
