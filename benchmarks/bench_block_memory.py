"""Peak worker memory of one block against the budget estimate of sim/plan.py, and its growth.

    .venv/bin/python benchmarks/bench_block_memory.py

Each case runs ``run_block`` three times in a fresh interpreter and reports the peak resident memory
above the interpreter's baseline after the first block and after the third (growth per block should
be ~0), next to ``lanes x steps x BYTES_PER_LANE_STEP`` (ratio measured / estimate should stay < 1).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASES = [(60, 2048), (240, 2048), (1200, 1024)]
CHILD = """
import json, resource, sys
import numpy as np
from sim.blocks import BlockTask, run_block
from sim.scenario import Levels, Scenario
steps, lanes = int(sys.argv[1]), int(sys.argv[2])
scenario = Scenario(name="m", steps=steps, levels=Levels(us_pressure=0.4, china_coercion=0.4, nk_provocation=0.4))
def rss(): return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
base, peaks = rss(), []
for i in range(3):
    seeds = np.arange(i * lanes, (i + 1) * lanes, dtype=np.uint64)
    run_block(BlockTask(i, scenario, i * lanes, 10**7, seeds, {}, 20))
    peaks.append(rss() - base)
print(json.dumps(peaks))
"""


def main() -> None:
    from sim.plan import BYTES_PER_LANE_STEP, block_size_cap

    print(
        f"{'steps':>6} {'lanes':>6} {'1st MB':>8} {'3rd MB':>8} {'est MB':>8} {'ratio':>6} {'cap':>6}"
    )
    for steps, lanes in CASES:
        out = subprocess.run([sys.executable, "-c", CHILD, str(steps), str(lanes)], cwd=ROOT,
                             capture_output=True, text=True, check=True)  # fmt: skip
        peaks = json.loads(out.stdout)
        estimate = lanes * steps * BYTES_PER_LANE_STEP
        print(f"{steps:>6} {lanes:>6} {peaks[0] / 2**20:>8.0f} {peaks[-1] / 2**20:>8.0f}"
              f" {estimate / 2**20:>8.0f} {peaks[-1] / estimate:>6.2f} {block_size_cap(steps):>6}")  # fmt: skip


if __name__ == "__main__":
    main()
