"""Per-lane noise: numpy's one-generator-per-lane loop against the compiled kernel, side by side.

Both sides draw the model's noise for the same lanes: R run seeds derived from the baseline's batch
seed (:func:`sim.plan.run_seeds`), ``steps`` months of ``len(NOISE_CHANNELS)`` uniforms each.

(a) numpy: ``np.random.Generator(np.random.PCG64(seed)).random((steps, channels))`` per lane, in a
    Python loop (what ``sim.model.lane_noise`` did before ``sim.noise``);
(b) kernel: ``sim.model.lane_noise`` (``sim.noise.uniform_lanes``), compiled beforehand (its first
    call, compile or cache load, is timed separately).

It prints lanes/s of both, their ratio and whether the two arrays are bit-identical (exit status 1
if not). With ``--compile`` it also times numba's first compile and a cached load, each in a fresh
interpreter with an empty (then warm) ``NUMBA_CACHE_DIR``.

Usage::

    .venv/bin/python benchmarks/bench_noise.py [--lanes 8192] [--steps 60] [--repeat 3] [--compile]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from sim.model import NOISE_CHANNELS, lane_noise
from sim.plan import run_seeds

ROOT = Path(__file__).resolve().parent.parent
BATCH_SEED = 20240601
"""Batch seed from which the lanes' run seeds derive (any value does)."""
FIRST_CALL = (
    "import time; t = time.perf_counter(); import numpy as np; from sim.noise import uniform_lanes; "
    "uniform_lanes(np.arange(4, dtype=np.uint64), 2, 2); print(time.perf_counter() - t)"
)
"""A fresh interpreter's import and first call of the kernel, in seconds."""


def numpy_loop(seeds: np.ndarray, steps: int) -> np.ndarray:
    """The reference: one numpy ``Generator(PCG64(seed))`` per lane, (steps, channels, R)."""
    width = len(NOISE_CHANNELS)
    out = np.empty((steps, width, len(seeds)))
    for r, seed in enumerate(seeds):
        out[:, :, r] = np.random.Generator(np.random.PCG64(int(seed))).random((steps, width))
    return out


def best_of(repeat: int, func: object, *args: object) -> tuple[float, np.ndarray]:
    """The fastest of ``repeat`` calls, in seconds, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func(*args)  # type: ignore[operator]
        best = min(best, time.perf_counter() - start)
    return best, result


def first_call_seconds(cache_dir: str) -> float:
    """Import and first call of the kernel in a fresh interpreter using ``cache_dir``."""
    env = {**os.environ, "NUMBA_CACHE_DIR": cache_dir}
    proc = subprocess.run(
        [sys.executable, "-c", FIRST_CALL],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(proc.stdout.strip())


def main() -> int:
    """Run the benchmark; returns the exit status (0 if both sides are bit-identical)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lanes", type=int, default=8192, help="lanes (default 8192)")
    parser.add_argument("--steps", type=int, default=60, help="months per lane (default 60)")
    parser.add_argument("--repeat", type=int, default=3, help="best of N timings (default 3)")
    parser.add_argument(
        "--compile", action="store_true", help="also time numba's first compile and a cache load"
    )
    args = parser.parse_args()
    if args.lanes < 1 or args.steps < 1 or args.repeat < 1:
        parser.error("--lanes, --steps and --repeat must be at least 1")

    seeds = run_seeds(BATCH_SEED, args.lanes)
    start = time.perf_counter()
    lane_noise(seeds[:1], 1)
    first = time.perf_counter() - start

    t_numpy, reference = best_of(args.repeat, numpy_loop, seeds, args.steps)
    t_kernel, kernel = best_of(args.repeat, lane_noise, seeds, args.steps)
    rate_numpy, rate_kernel = args.lanes / t_numpy, args.lanes / t_kernel
    width = len(NOISE_CHANNELS)
    print(
        f"{args.lanes} lanes x {args.steps} steps x {width} channels "
        f"({args.lanes * args.steps * width:,} uniforms), best of {args.repeat}"
    )
    print(f"(a) numpy, one PCG64 per lane: {t_numpy:8.4f} s  {rate_numpy:12,.0f} lanes/s")
    print(f"(b) kernel (sim.noise):        {t_kernel:8.4f} s  {rate_kernel:12,.0f} lanes/s")
    print(f"ratio (b)/(a): {rate_kernel / rate_numpy:.1f}x")
    print(f"kernel's first call in this process (compile or cache load): {first:.2f} s")
    if args.compile:
        with tempfile.TemporaryDirectory() as cache_dir:
            cold = first_call_seconds(cache_dir)
            warm = first_call_seconds(cache_dir)
        print(f"fresh interpreter, import + first call: {cold:.2f} s with an empty numba cache,")
        print(f"                                        {warm:.2f} s with it warm")
    identical = kernel.shape == reference.shape and np.array_equal(kernel, reference)
    print(f"bit-identical: {'yes' if identical else 'NO'}")
    return 0 if identical else 1


if __name__ == "__main__":
    raise SystemExit(main())
