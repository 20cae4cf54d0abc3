"""Shared fixtures for the test suite: scenario files, run seeds and a small scenario."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import faults
import numpy as np
import pytest

import sim.engine
import sim.loader
import sim.plan
from sim.scenario import Classification, Levels, Scenario

REPO_ROOT = Path(__file__).resolve().parents[1]
SCENARIO_DIR = REPO_ROOT / "scenarios"


def _load_scenario(name: str) -> Scenario:
    """Load ``scenarios/<name>.yaml`` with the production loader (strict, file:line errors)."""
    return sim.loader.load_scenario(SCENARIO_DIR / f"{name}.yaml")


def _run_seeds(seed: int, n: int) -> np.ndarray:
    """``n`` run seeds derived from a batch seed, exactly as the engine derives them."""
    return sim.plan.run_seeds(seed, n)


@pytest.fixture(scope="session")
def load_scenario() -> Callable[[str], Scenario]:
    """Loader of a scenario file by its stem, e.g. ``load_scenario("baseline")``."""
    return _load_scenario


@pytest.fixture(scope="session")
def run_seeds() -> Callable[[int, int], np.ndarray]:
    """Factory of run seeds: ``run_seeds(batch_seed, n)`` -> uint64 array of shape (n,)."""
    return _run_seeds


@pytest.fixture(scope="session")
def small_scenario() -> Scenario:
    """A short scenario with baseline-like levels (24 months, 6-month final window)."""
    return Scenario(
        name="small",
        steps=24,
        levels=Levels(us_pressure=0.4, china_coercion=0.4, nk_provocation=0.4),
        classification=Classification(final_window=6),
    )


@pytest.fixture(autouse=True)
def _fault_injection(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches started through the command line honour the TEST-ONLY faults of :mod:`faults`."""
    monkeypatch.setattr(sim.engine, "run_batch", faults.run_batch)
