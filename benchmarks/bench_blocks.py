"""The same sweep at several block sizes, side by side: runs/s, peak worker memory, I/O per block.

    .venv/bin/python benchmarks/bench_blocks.py [--runs N] [--sizes 1024,2048,...] [--workers W]

Each block size runs the same sweep (10 points of ``levels.us_pressure`` x N/10 replicates, 60
months, the default scenario) into a fresh results folder on a local pool of ``W`` workers, in a
fresh interpreter (so that the peak memory of its workers, ``getrusage(RUSAGE_CHILDREN)``, is its
own). It prints per size: wall time, runs/s and the ratio to the fastest size, peak worker and
coordinator RSS, and the coordinator's I/O: the median and total time of its write path per block
(``ResultsFolder.write_block``: the part file written, fsynced, renamed, logged) and the compaction
time. With ``--rounds R`` each size runs R times, in alternating order, and the fastest is kept.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIZES = (1024, 2048, 4096, 8192, 16384)


def child(runs: int, block_size: int, workers: int, out: Path) -> dict[str, float]:
    """Run the sweep at one block size in this process; return its measurements."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_engine import sweep_plan

    from sim import storage
    from sim.engine import ExecOptions, run_batch
    from sim.plan import effective_block_size

    plan = replace(sweep_plan([0.1 * i for i in range(10)], runs // 10), block_size=block_size)
    writes: list[float] = []
    compactions: list[float] = []
    write_block, compact = storage.ResultsFolder.write_block, storage.ResultsFolder.compact

    def timed_write(self: storage.ResultsFolder, output: object) -> None:
        start = time.perf_counter()
        write_block(self, output)  # type: ignore[arg-type]
        writes.append(time.perf_counter() - start)

    def timed_compact(self: storage.ResultsFolder, *args: object, **kwargs: object) -> None:
        start = time.perf_counter()
        compact(self, *args, **kwargs)  # type: ignore[arg-type]
        compactions.append(time.perf_counter() - start)

    storage.ResultsFolder.write_block = timed_write  # type: ignore[method-assign]
    storage.ResultsFolder.compact = timed_compact  # type: ignore[method-assign]
    start = time.perf_counter()
    report = run_batch(plan, out, ExecOptions("local", workers=workers, quiet=True))
    wall = time.perf_counter() - start
    assert report.complete, report.failed
    kib = 1024
    return {
        "size": effective_block_size(block_size, plan.scenario.steps),
        "blocks": report.n_blocks,
        "wall_s": wall,
        "runs_per_s": plan.n_runs / wall,
        "worker_rss_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / kib,
        "coordinator_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / kib,
        "write_ms_median": 1000 * statistics.median(writes),
        "write_s_total": sum(writes),
        "compact_s": compactions[0] if compactions else 0.0,
    }


def main() -> None:
    """Run every size in its own interpreter and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=262_144)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        with tempfile.TemporaryDirectory() as tmp:
            found = child(args.runs, args.child, args.workers, Path(tmp) / "out")
        print(json.dumps(found))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    best: dict[int, dict[str, float]] = {}
    for round_ in range(args.rounds):
        for size in sizes if round_ % 2 == 0 else sizes[::-1]:
            argv = [sys.executable, __file__, "--child", str(size), "--runs", str(args.runs),
                    "--workers", str(args.workers)]  # fmt: skip
            proc = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=True)
            found = json.loads(proc.stdout.strip().splitlines()[-1])
            if size not in best or found["wall_s"] < best[size]["wall_s"]:
                best[size] = found
            print(f"  round {round_ + 1}: block size {size:,}: {found['wall_s']:.1f} s", flush=True)
    fastest = max(r["runs_per_s"] for r in best.values())
    print(
        f"\n{args.runs:,} runs x 60 months, {args.workers} workers, best of {args.rounds} round(s)"
    )
    print(
        f"{'block':>7} {'blocks':>6} {'wall s':>7} {'runs/s':>8} {'vs best':>7} {'worker MiB':>10}"
        f" {'coord MiB':>9} {'write ms/blk':>12} {'write s':>7} {'compact s':>9}"
    )
    for size in sizes:
        r = best[size]
        print(
            f"{int(r['size']):>7,} {int(r['blocks']):>6} {r['wall_s']:>7.1f} {r['runs_per_s']:>8,.0f}"
            f" {r['runs_per_s'] / fastest:>7.2f} {r['worker_rss_mib']:>10.0f}"
            f" {r['coordinator_rss_mib']:>9.0f} {r['write_ms_median']:>12.1f}"
            f" {r['write_s_total']:>7.2f} {r['compact_s']:>9.2f}"
        )


if __name__ == "__main__":
    main()
