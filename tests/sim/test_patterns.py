"""Statistical patterns the model must produce, each for the reason the docs give (Model v2).

Every test runs at least 1,000 lanes through :func:`sim.model.simulate` and asserts a pattern with a
statistical margin: a modal class's 95% Wilson lower bound must exceed every other class's upper
bound; a difference of means or shares must exceed several standard errors. Where a pattern rests
on a mechanism, the test also checks the mechanism (e.g. that coercion works through retaliation
and exposure, not only the final share). Nothing here is fitted to the model's numbers.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sim.contract.outcomes import OUTCOMES, Thresholds, classify_codes
from sim.loader import load_scenario as load_file
from sim.model import LaneResult, simulate
from sim.scenario import Event, Scenario

pytestmark = pytest.mark.slow

Seeds = Callable[[int, int], np.ndarray]
N = 1000
BATCH_SEED = 20251120
ROOT = Path(__file__).resolve().parents[2]


def wilson(count: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson score interval of a proportion ``count / n``."""
    p = count / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def share(result: LaneResult, name: str) -> float:
    """Share of runs in class ``name``."""
    return float(np.mean(result.finals["outcome"] == OUTCOMES.index(name)))


def shares_text(result: LaneResult) -> str:
    """Outcome shares for failure messages."""
    return " ".join(f"{name}={share(result, name):.3f}" for name in OUTCOMES)


def assert_clear_mode(result: LaneResult, expected: str) -> None:
    """Assert ``expected`` is the modal class, its Wilson lower bound above all others' upper bounds."""
    outcomes = result.finals["outcome"]
    n = len(outcomes)
    counts = {name: int(np.sum(outcomes == code)) for code, name in enumerate(OUTCOMES)}
    lower = wilson(counts[expected], n)[0]
    for name in OUTCOMES:
        if name != expected:
            assert lower > wilson(counts[name], n)[1], (
                f"{expected} not clearly modal over {name}: {shares_text(result)}"
            )


def mean(result: LaneResult, var: str) -> float:
    """Mean over runs of a final-window variable."""
    return float(np.mean(result.finals[var]))


def assert_higher(hi: LaneResult, lo: LaneResult, var: str, k: float = 4.0) -> None:
    """Mean of ``var`` is higher in ``hi`` than in ``lo`` by more than ``k`` standard errors."""
    a, b = hi.finals[var], lo.finals[var]
    se = np.sqrt(a.var() / len(a) + b.var() / len(b))
    assert a.mean() - b.mean() > k * se, (var, a.mean(), b.mean(), se)


def run(scenario: Scenario, run_seeds: Seeds, **values: Any) -> LaneResult:
    """``N`` runs of ``scenario`` with some fields set in every lane."""
    lanes = {path: np.full(N, float(v)) for path, v in values.items()}
    return simulate(scenario, run_seeds(BATCH_SEED, N), lanes)


# --- the four seed patterns -------------------------------------------------------------------


@pytest.mark.parametrize("steps", [60, 120])
def test_baseline_hedges_over_one_and_two_terms(
    steps: int, load_scenario: Callable[[str], Scenario], run_seeds: Seeds
) -> None:
    """The 2025 baseline ends hedging, and still does after two terms (no slow drift out of it)."""
    scenario = load_scenario("baseline").with_values({"steps": steps})
    result = run(scenario, run_seeds)
    assert_clear_mode(result, "hedging")
    assert mean(result, "security_index") > 0.5 and mean(result, "economic_index") > 0.5


@pytest.mark.parametrize(
    ("scenario_name", "expected"),
    [
        ("china-retaliation", "tilt_us"),
        ("china-incentives-strained-alliance", "tilt_china"),
        ("giants-press", "caught_between_giants"),
        ("us-abandonment", "caught_between_giants"),
        ("coercion-weak-umbrella", "caught_between_giants"),
    ],
)
def test_library_situations_give_their_outcome(
    scenario_name: str, expected: str, load_scenario: Callable[[str], Scenario], run_seeds: Seeds
) -> None:
    """Coercion -> tilt_us; incentives with strain -> tilt_china; both giants pressing, abandonment
    by Washington with Beijing pressing, or coercion with a weak umbrella -> caught between giants."""
    assert_clear_mode(run(load_scenario(scenario_name), run_seeds), expected)


def test_coercion_with_low_us_pressure_tilts_to_washington_by_cutting_exposure(
    load_scenario: Callable[[str], Scenario], run_seeds: Seeds
) -> None:
    """Levels only: strong coercion and low US pressure give tilt_us, both ways the design brief
    defines it: engagement with Beijing is cut back (exposure to retaliation) and alignment with
    Washington deepens (balance of threat), with retaliation higher."""
    base = load_scenario("baseline")
    calm = run(base, run_seeds, **{"levels.us_pressure": 0.2})
    coerced = run(base, run_seeds, **{"levels.us_pressure": 0.2, "levels.china_coercion": 0.9})
    assert_clear_mode(coerced, "tilt_us")
    assert mean(calm, "china_engagement") - mean(coerced, "china_engagement") > 0.2
    assert_higher(coerced, calm, "us_alignment")
    assert_higher(coerced, calm, "retaliation")


# --- US pressure, incentives and the North --------------------------------------------------------


@pytest.mark.parametrize("pressure", [0.0, 0.25, 0.5, 0.75, 1.0])
def test_us_pressure_without_incentives_never_makes_tilt_china_modal(
    pressure: float, load_scenario: Callable[[str], Scenario], run_seeds: Seeds
) -> None:
    """Without Chinese incentives, no level of US pressure ends in tilt_china (seed 000 makes a
    tilt to Beijing conditional on incentives *and* strain)."""
    result = run(
        load_scenario("baseline"),
        run_seeds,
        **{"levels.us_pressure": pressure, "world.china_inducement": 0.1},
    )
    modal = max(OUTCOMES, key=lambda name: share(result, name))
    assert modal != "tilt_china" and share(result, "tilt_china") < 0.1, shares_text(result)


def test_with_incentives_pressure_can_push_seoul_to_beijing(
    load_scenario: Callable[[str], Scenario], run_seeds: Seeds
) -> None:
    """With substantial incentives, maximal US pressure makes tilt_china the clear mode, through the
    alliance's strain (commitment collapses), while the same pressure without incentives does not."""
    base = load_scenario("baseline")
    lured = run(
        base,
        run_seeds,
        **{"levels.us_pressure": 1.0, "world.china_inducement": 0.9, "levels.china_coercion": 0.1},
    )
    assert_clear_mode(lured, "tilt_china")
    assert mean(lured, "us_commitment") < 0.3


def test_threat_from_the_north_raises_alignment_and_lowers_tilt_china(
    load_scenario: Callable[[str], Scenario], run_seeds: Seeds
) -> None:
    """More provocation: higher mean US alignment, at baseline pressure and under high pressure with
    incentives; and under high pressure with incentives, a lower share of tilt_china."""
    base = load_scenario("baseline")
    lure = {"levels.us_pressure": 1.0, "world.china_inducement": 0.9, "levels.china_coercion": 0.1}
    for extra in ({}, lure):
        low = run(base, run_seeds, **{"levels.nk_provocation": 0.1, **extra})
        high = run(base, run_seeds, **{"levels.nk_provocation": 0.9, **extra})
        assert_higher(high, low, "us_alignment")
        assert_higher(high, low, "threat")
    assert share(low, "tilt_china") - share(high, "tilt_china") > 0.2, (
        shares_text(low),
        shares_text(high),
    )


def test_coercion_cuts_engagement_and_raises_derisking(
    load_scenario: Callable[[str], Scenario], run_seeds: Seeds
) -> None:
    """Raising china_coercion lowers mean engagement and raises mean de-risking, step by step."""
    base = load_scenario("baseline")
    results = [run(base, run_seeds, **{"levels.china_coercion": c}) for c in (0.1, 0.5, 0.9)]
    for lo, hi in itertools.pairwise(results):
        assert_higher(lo, hi, "china_engagement")
        assert_higher(hi, lo, "derisking")


def test_rising_us_china_tension_forces_a_choice(
    load_scenario: Callable[[str], Scenario], run_seeds: Seeds
) -> None:
    """Raising us_china_tension lowers P(hedging), and the middle gets costly from both sides:
    tech controls on sensitive trade and Beijing's retaliation both rise."""
    base = load_scenario("baseline")
    low = run(base, run_seeds, **{"world.us_china_tension": 0.1})
    high = run(base, run_seeds, **{"world.us_china_tension": 0.9})
    assert share(low, "hedging") - share(high, "hedging") > 0.3, (
        shares_text(low),
        shares_text(high),
    )
    assert_higher(high, low, "tech_controls")
    assert_higher(high, low, "retaliation")


# --- Japan, governments, episodes ---------------------------------------------------------------


def _with_event(scenario: Scenario, *events: Event) -> Scenario:
    return scenario.model_copy(update={"events": (*scenario.events, *events)})


@pytest.mark.parametrize("kind", ["trilateral_summit", "alliance_reassurance"])
def test_summits_and_reassurance_raise_japan_korea_cooperation(
    kind: str, load_scenario: Callable[[str], Scenario], run_seeds: Seeds
) -> None:
    """A trilateral summit or US reassurance raises Japan-ROK cooperation over the year after it
    (Japan's side, and the tie as a whole; a trilateral summit Seoul's side too — plain US
    reassurance does not, since a firmer umbrella makes the Japan channel less needed by Seoul);
    Japanese export controls lower them."""
    base = load_scenario("baseline")
    plain = run(base, run_seeds)
    event = run(_with_event(base, Event(step=36, kind=kind)), run_seeds)
    controls = run(_with_event(base, Event(step=36, kind="japan_export_controls")), run_seeds)
    after = slice(36, 48)

    def tie(r: LaneResult, var: str) -> np.ndarray:
        if var == "tie":  # both sides of the ROK-Japan tie
            return (tie(r, "japan_cooperation") + tie(r, "japan_cooperation_jp")) / 2
        return r.trajectories[var][:, after].mean(axis=1)

    sides = ("japan_cooperation_jp", "tie")
    if kind == "trilateral_summit":
        sides = (*sides, "japan_cooperation")  # Seoul's own side too
    for var in sides:
        p, e, c = (tie(r, var) for r in (plain, event, controls))
        # common random numbers: the same seeds in all three, so compare run by run
        for diff, what in ((e - p, kind), (p - c, "japan_export_controls")):
            se = diff.std() / np.sqrt(len(diff))
            assert diff.mean() > 3 * se and diff.mean() > 0, (what, var, diff.mean(), se)


def test_a_conservative_government_aligns_more_than_a_progressive_one(
    load_scenario: Callable[[str], Scenario], run_seeds: Seeds
) -> None:
    """Same levels: a conservative government ends with higher mean US alignment."""
    base = load_scenario("baseline")
    cons = run(base.with_values({"government.preset": "conservative"}), run_seeds)
    prog = run(base.with_values({"government.preset": "progressive"}), run_seeds)
    assert_higher(cons, prog, "us_alignment", k=10.0)


def _launches(months: range) -> tuple[Event, ...]:
    return tuple(Event(step=m, kind="missile_test") for m in months)


def test_a_thaad_type_episode_keeps_the_alliance_while_engagement_dips(
    load_scenario: Callable[[str], Scenario], run_seeds: Seeds
) -> None:
    """A conservative government, many launches, a deployment decision, then China's retaliation
    campaign: compared run by run with the same episode without the campaign, engagement with China
    dips in the two years after it and recovers as the campaign fades; alignment holds (it does not
    fall: balance of threat); and no run tilts to Beijing."""
    base = load_scenario("baseline").with_values(
        {"government.preset": "conservative", "levels.nk_provocation": 0.6}
    )
    prelude = (*_launches(range(2, 22, 2)), Event(step=6, kind="alignment_decision"))
    with_campaign = run(
        _with_event(base, *prelude, Event(step=12, kind="retaliation_campaign")), run_seeds
    )
    without = run(_with_event(base, *prelude), run_seeds)
    m_w, m_o = (r.trajectories["china_engagement"] for r in (with_campaign, without))
    dip = m_w[:, 12:36].mean(axis=1) - m_o[:, 12:36].mean(axis=1)
    assert dip.mean() < -0.015 and dip.mean() < -5 * dip.std() / np.sqrt(len(dip)), dip.mean()
    assert m_w[:, -1].mean() - m_w[:, 35].mean() > 0.01  # recovery as the campaign fades
    a_w, a_o = (
        r.trajectories["us_alignment"][:, 12:36].mean(axis=1) for r in (with_campaign, without)
    )
    assert (a_w - a_o).mean() > 0, (a_w - a_o).mean()
    assert share(with_campaign, "tilt_china") == 0.0, shares_text(with_campaign)


def test_a_yoon_type_episode_tilts_to_washington_with_japan_closer(
    load_scenario: Callable[[str], Scenario], run_seeds: Seeds
) -> None:
    """A conservative government from month 1, record launches and a trilateral summit: tilt_us is
    the clear mode, and cooperation with Japan ends higher than in the same episode without the summit
    (run by run), on Japan's side and on Seoul's."""
    base = load_scenario("baseline").with_values(
        {"government.preset": "conservative", "levels.nk_provocation": 0.9}
    )
    launches = _launches(range(2, 22, 2))
    result = run(_with_event(base, *launches, Event(step=15, kind="trilateral_summit")), run_seeds)
    plain = run(_with_event(base, *launches), run_seeds)
    assert_clear_mode(result, "tilt_us")
    for var in ("japan_cooperation", "japan_cooperation_jp"):
        gain = result.trajectories[var][:, -12:].mean(axis=1) - plain.trajectories[var][
            :, -12:
        ].mean(axis=1)
        assert gain.mean() > 0.02 and gain.mean() > 5 * gain.std() / np.sqrt(len(gain)), (
            var,
            gain.mean(),
        )


# --- the classification means what it says ------------------------------------------------------

LIBRARY = sorted(p.stem for p in (ROOT / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("name", LIBRARY)
def test_library_modal_class_is_robust_to_each_threshold(name: str) -> None:
    """The modal class of every library scenario stays the same when any one classification
    threshold moves by +/-0.05 (the scenario's own seed and replications, capped at 1,000)."""
    scenario = load_file(ROOT / "scenarios" / f"{name}.yaml")
    n = min(scenario.replications, N)
    seeds = np.random.SeedSequence(scenario.seed).generate_state(n, np.uint64)
    fin = simulate(scenario, seeds).finals
    c = scenario.classification
    base = (c.security_floor, c.economic_floor, c.tilt_margin)

    def modal(values: tuple[float, float, float]) -> int:
        codes = classify_codes(
            fin["us_alignment"],
            fin["china_engagement"],
            fin["security_index"],
            fin["economic_index"],
            Thresholds(*values),
        )
        return int(np.argmax(np.bincount(codes, minlength=len(OUTCOMES))))

    reference = modal(base)
    for i in range(3):
        for delta in (-0.05, 0.05):
            moved = list(base)
            moved[i] += delta
            assert modal(tuple(moved)) == reference, (name, i, delta)
