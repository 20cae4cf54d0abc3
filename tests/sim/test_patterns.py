"""Statistical patterns the model must produce (the article's four outcomes and their drivers).

Each test runs one :func:`sim.model.simulate` call of at least 500 lanes and asserts a pattern with a
statistical margin: the modal class's 95% Wilson lower bound must exceed every other class's upper
bound. Thresholds are never fitted to the model's numbers. These tests are marked ``slow`` but run
in the default suite.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from sim.contract.outcomes import OUTCOMES
from sim.model import simulate
from sim.scenario import Levels, Scenario

pytestmark = pytest.mark.slow

Seeds = Callable[[int, int], np.ndarray]
REPLICATIONS = 2000
BATCH_SEED = 20251120


def wilson(count: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson score interval of a proportion ``count / n``."""
    p = count / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def shares_text(outcomes: np.ndarray) -> str:
    """Outcome shares for failure messages, e.g. ``hedging=0.84 tilt_us=0.16 ...``."""
    return " ".join(f"{name}={np.mean(outcomes == name):.3f}" for name in OUTCOMES)


def assert_clear_mode(outcomes: np.ndarray, expected: str) -> None:
    """Assert ``expected`` is the modal class, its Wilson lower bound above all others' upper bounds."""
    n = len(outcomes)
    assert n >= 500
    counts = {name: int(np.sum(outcomes == name)) for name in OUTCOMES}
    modal = max(counts, key=counts.__getitem__)
    assert modal == expected, f"modal class {modal}, expected {expected}: {shares_text(outcomes)}"
    lower = wilson(counts[expected], n)[0]
    for name in OUTCOMES:
        if name != expected:
            upper = wilson(counts[name], n)[1]
            assert lower > upper, (
                f"{expected} not clearly modal over {name}: {shares_text(outcomes)}"
            )


@pytest.mark.parametrize(
    ("scenario_name", "expected"),
    [
        ("baseline", "hedging"),
        ("china-retaliation", "tilt_us"),
        ("china-incentives-strained-alliance", "tilt_china"),
        ("giants-press", "caught_between_giants"),
    ],
)
def test_scenario_modal_outcome(
    scenario_name: str,
    expected: str,
    load_scenario: Callable[[str], Scenario],
    run_seeds: Seeds,
) -> None:
    """Each scenario of the article's four situations yields its outcome as the clear mode."""
    scenario = load_scenario(scenario_name)
    result = simulate(scenario, run_seeds(BATCH_SEED, REPLICATIONS))
    assert_clear_mode(np.asarray(OUTCOMES)[result.finals["outcome"]], expected)


def test_coercion_without_us_pressure_tilts_to_washington(run_seeds: Seeds) -> None:
    """Levels only, no events: strong Chinese coercion with low US pressure pushes Seoul to the US."""
    scenario = Scenario(
        name="coercion-levels",
        levels=Levels(us_pressure=0.2, china_coercion=0.9, nk_provocation=0.35),
    )
    result = simulate(scenario, run_seeds(BATCH_SEED, REPLICATIONS))
    assert_clear_mode(np.asarray(OUTCOMES)[result.finals["outcome"]], "tilt_us")


def test_north_korean_provocation_raises_us_alignment(
    load_scenario: Callable[[str], Scenario], run_seeds: Seeds
) -> None:
    """Raising nk_provocation 0.1 -> 0.5 -> 0.9 raises mean final us_alignment, step by step.

    Common random numbers: the same seeds at every level, so each difference is a paired one; each
    must exceed five standard errors of the paired difference.
    """
    base = load_scenario("baseline")
    seeds = run_seeds(BATCH_SEED, REPLICATIONS)
    levels = (0.1, 0.5, 0.9)
    n = len(seeds)
    finals = [
        simulate(base, seeds, {"levels.nk_provocation": np.full(n, level)}).finals["us_alignment"]
        for level in levels
    ]
    for i in range(len(levels) - 1):
        low_level, high_level = levels[i], levels[i + 1]
        diff = finals[i + 1] - finals[i]
        se = diff.std(ddof=1) / np.sqrt(n)
        assert diff.mean() > 5 * se, (
            f"nk_provocation {low_level}->{high_level}: mean change {diff.mean():.4f}, se {se:.4f}"
        )


def test_all_four_outcomes_are_reachable(run_seeds: Seeds) -> None:
    """A random sweep of the headline levels and world knobs reaches every outcome class."""
    n = REPLICATIONS
    rng = np.random.default_rng(BATCH_SEED)
    fields = (
        "levels.us_pressure",
        "levels.china_coercion",
        "levels.nk_provocation",
        "world.china_inducement",
        "world.us_china_tension",
    )
    values = {path: rng.uniform(0.0, 1.0, n) for path in fields}
    scenario = Scenario(
        name="sweep", levels=Levels(us_pressure=0.5, china_coercion=0.5, nk_provocation=0.5)
    )
    codes = simulate(scenario, run_seeds(BATCH_SEED, n), values).finals["outcome"]
    outcomes = np.asarray(OUTCOMES)[codes]
    for name in OUTCOMES:
        assert np.sum(outcomes == name) >= 0.02 * n, (
            f"{name} rare or absent: {shares_text(outcomes)}"
        )
