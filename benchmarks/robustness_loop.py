"""Run the race, orphan and SIGTERM trials of tests/sim/robustness.py many times; print the counts.

    .venv/bin/python benchmarks/robustness_loop.py [--times 20] [--backends local,dask]

Each trial asserts what it checks (tests/sim/robustness.py); a failed assertion counts as a failure
and its message is printed. Exit status 0 only if every trial passed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "sim")]

import robustness  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--times", type=int, default=20)
    parser.add_argument("--backends", default="local,dask", help="backends of the orphan trial")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hedgesim-robust-") as tmp:
        work = Path(tmp)
        paths = robustness.write_inputs(work / "in")
        refs = robustness.references(work, paths)
        trials: dict[str, Callable[[Path], object]] = {
            "race": lambda w: robustness.race_trial(w, paths, refs),
            "sigterm": lambda w: robustness.sigterm_trial(w, paths, refs),
        }
        for backend in args.backends.split(","):
            trials[f"orphan-{backend}"] = lambda w, b=backend: robustness.orphan_trial(w, paths, b)
        passed = dict.fromkeys(trials, 0)
        slowest = dict.fromkeys(trials, 0.0)
        for i in range(args.times):
            for name, trial in trials.items():
                started = time.perf_counter()
                try:
                    trial(work / f"{name}-{i}")
                except Exception:
                    print(f"{name} #{i + 1} FAILED:\n{traceback.format_exc()}", file=sys.stderr)
                else:
                    passed[name] += 1
                slowest[name] = max(slowest[name], time.perf_counter() - started)
            print(
                f"round {i + 1}/{args.times}: " + ", ".join(f"{k} {v}" for k, v in passed.items()),
                flush=True,
            )
    print()
    for name, count in passed.items():
        print(f"{name:<16} {count}/{args.times} passed  (slowest trial {slowest[name]:.1f} s)")
    return 0 if all(count == args.times for count in passed.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
