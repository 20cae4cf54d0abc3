"""The model's numbers against a fixed-seed golden baseline (``tests/golden/baseline_golden.csv``)."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

GOLDEN_DIR = Path(__file__).resolve().parents[1] / "golden"
HOW_TO_UPDATE = (
    "If this change of the model's output is intended, regenerate the baseline with "
    "`python tests/golden/update_golden.py` and commit the new CSV with the change."
)


def _load_updater() -> ModuleType:
    """Import ``tests/golden/update_golden.py`` (not a package) as a module."""
    spec = importlib.util.spec_from_file_location("update_golden", GOLDEN_DIR / "update_golden.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


updater = _load_updater()


def _golden_rows() -> list[dict[str, str]]:
    """The rows of the golden CSV."""
    with updater.GOLDEN_CSV.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames or ()) == updater.COLUMNS, (
            f"golden CSV columns {reader.fieldnames} differ from {updater.COLUMNS}. {HOW_TO_UPDATE}"
        )
        return list(reader)


def test_golden_file_covers_every_run() -> None:
    """The CSV holds RUNS runs of every golden scenario, with the documented seeds."""
    rows = _golden_rows()
    seeds = [str(int(s)) for s in updater.golden_seeds()]
    for name in updater.SCENARIOS:
        mine = [row for row in rows if row["scenario"] == name]
        assert [row["run"] for row in mine] == [str(k) for k in range(updater.RUNS)], name
        assert [row["seed"] for row in mine] == seeds, f"{name}: seeds differ. {HOW_TO_UPDATE}"


@pytest.mark.parametrize("name", updater.SCENARIOS)
def test_model_reproduces_golden_baseline(name: str) -> None:
    """Re-simulating the golden runs gives the same outcomes and finals (rtol 1e-9)."""
    rows = [row for row in _golden_rows() if row["scenario"] == name]
    assert rows, f"no golden rows for {name}. {HOW_TO_UPDATE}"
    seeds = np.array([int(row["seed"]) for row in rows], dtype=np.uint64)
    result = updater.run_scenario(name, seeds)
    problems = []
    golden_outcome = np.array([row["outcome"] for row in rows])
    changed = np.flatnonzero(golden_outcome != result.finals["outcome"])
    if changed.size:
        k = changed[0]
        problems.append(
            f"{changed.size} outcomes changed (run {k}: {golden_outcome[k]} -> "
            f"{result.finals['outcome'][k]})"
        )
    for var in (*updater.FINAL_VARS, "launches"):
        golden = np.array([float(row[var]) for row in rows])
        current = np.asarray(result.finals[var], dtype=float)
        close = np.isclose(current, golden, rtol=1e-9, atol=1e-12)
        if not close.all():
            k = int(np.flatnonzero(~close)[0])
            problems.append(
                f"{var}: {int((~close).sum())} runs differ (run {k}: golden {golden[k]!r}, "
                f"now {current[k]!r})"
            )
    assert not problems, (
        f"{name}: model output differs from {updater.GOLDEN_CSV.name}: "
        + "; ".join(problems)
        + f". {HOW_TO_UPDATE}"
    )
