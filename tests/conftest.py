"""Shared fixtures for the test suite: scenario files, run seeds and a small scenario."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import yaml

from sim.scenario import Classification, Levels, Scenario

REPO_ROOT = Path(__file__).resolve().parents[1]
SCENARIO_DIR = REPO_ROOT / "scenarios"


def _load_scenario(name: str) -> Scenario:
    """Load ``scenarios/<name>.yaml`` with ``yaml.safe_load`` and validate it as a Scenario."""
    with (SCENARIO_DIR / f"{name}.yaml").open(encoding="utf-8") as fh:
        return Scenario.model_validate(yaml.safe_load(fh))


def _run_seeds(seed: int, n: int) -> np.ndarray:
    """``n`` run seeds derived from a batch seed, as the engine derives them."""
    return np.random.SeedSequence(seed).generate_state(n, dtype=np.uint64)


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
