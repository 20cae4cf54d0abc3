"""Regenerate the fixed-seed golden baseline ``tests/golden/baseline_golden.csv``.

Usage, from the repository root, with the project's environment::

    python tests/golden/update_golden.py        # or: .venv/bin/python tests/golden/update_golden.py

The CSV holds the per-run finals of :data:`RUNS` fixed-seed runs of each scenario in
:data:`SCENARIOS` (``scenarios/<name>.yaml``): ``scenario``, ``run`` (index), ``seed``, ``outcome``,
every :data:`sim.contract.columns.FINAL_VARIABLES` value rounded to 12 significant digits, and ``launches``.
``tests/sim/test_golden.py`` re-simulates those runs and compares. Regenerate the file only when a
change of the model's numbers is intended, and commit the new CSV together with that change.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import yaml

from sim.contract.columns import FINAL_VARIABLES as FINAL_VARS
from sim.contract.outcomes import OUTCOMES
from sim.model import LaneResult, simulate
from sim.scenario import Scenario

REPO_ROOT = Path(__file__).resolve().parents[2]
GOLDEN_CSV = Path(__file__).resolve().with_name("baseline_golden.csv")
SCENARIOS: tuple[str, ...] = (
    "baseline",
    "giants-press",
    "china-incentives-strained-alliance",
    "history/korea-2013-2025",
)
"""Scenario files (stems under ``scenarios/``) in the golden baseline."""
RUNS = 64
"""Runs per scenario."""
BATCH_SEED = 20250601
"""Run seeds are ``SeedSequence(BATCH_SEED).generate_state(RUNS, uint64)``, the same per scenario."""
SIGNIFICANT_DIGITS = 12
COLUMNS: tuple[str, ...] = ("scenario", "run", "seed", "outcome", *FINAL_VARS, "launches")


def load_scenario(name: str) -> Scenario:
    """Load and validate ``scenarios/<name>.yaml``."""
    with (REPO_ROOT / "scenarios" / f"{name}.yaml").open(encoding="utf-8") as fh:
        return Scenario.model_validate(yaml.safe_load(fh))


def golden_seeds() -> np.ndarray:
    """The fixed run seeds, uint64 of shape (RUNS,)."""
    return np.random.SeedSequence(BATCH_SEED).generate_state(RUNS, dtype=np.uint64)


def run_scenario(name: str, seeds: np.ndarray) -> LaneResult:
    """Simulate the named scenario with the given run seeds, one lane per seed (outcomes as names)."""
    result = simulate(load_scenario(name), seeds)
    names = np.asarray(OUTCOMES)[result.finals["outcome"]]
    return LaneResult({**result.finals, "outcome": names}, result.trajectories, result.panel)


def rows_for(name: str, seeds: np.ndarray, result: LaneResult) -> list[dict[str, str]]:
    """CSV rows (as strings) of one scenario's runs."""
    rows = []
    for k, seed in enumerate(seeds):
        row = {"scenario": name, "run": str(k), "seed": str(int(seed))}
        row["outcome"] = str(result.finals["outcome"][k])
        for var in FINAL_VARS:
            row[var] = f"{float(result.finals[var][k]):.{SIGNIFICANT_DIGITS}g}"
        row["launches"] = str(int(result.finals["launches"][k]))
        rows.append(row)
    return rows


def main() -> None:
    """Write the golden CSV from the current model."""
    seeds = golden_seeds()
    rows = [row for name in SCENARIOS for row in rows_for(name, seeds, run_scenario(name, seeds))]
    tmp = GOLDEN_CSV.with_suffix(".csv.tmp")
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    tmp.replace(GOLDEN_CSV)
    print(f"wrote {len(rows)} runs to {GOLDEN_CSV}")


if __name__ == "__main__":
    main()
