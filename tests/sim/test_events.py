"""Scheduled events: every kind changes what it is documented to change, in its month and not before,
and what Seoul goes on to do (docs/model.md §6, ``GeoModel._apply_events``).

Each test runs the same lanes (same seeds) with and without one event and compares them.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from sim.contract.columns import TRAJECTORY_VARIABLES
from sim.model import GeoModel
from sim.scenario import EVENT_KINDS, Event, Levels, Scenario

STEP = 6
LANES = 16
SEEDS = np.arange(101, 101 + LANES, dtype=np.uint64)

State = Callable[[GeoModel], np.ndarray]
EFFECTS: dict[str, tuple[State, int]] = {
    "missile_test": (lambda m: m.dprk.launch, +1),
    "tariff_hike": (lambda m: m.usa.tariff, +1),
    "retaliation_campaign": (lambda m: m.china.retaliation, +1),
    "inducement_package": (lambda m: m.china.bonus, +1),
    "summit_china": (lambda m: m.china.retaliation, -1),
    "summit_japan": (lambda m: m.japan.cooperation, +1),
    "alliance_reassurance": (lambda m: m.usa.commitment, +1),
}
"""Per event kind: the state it moves and the direction (+1 up, -1 down)."""


def scenario(*events: Event) -> Scenario:
    """Middling levels and no drawn launches, so no state an event moves is already at its bound."""
    return Scenario(
        name="events",
        steps=12,
        levels=Levels(us_pressure=0.5, china_coercion=0.6, nk_provocation=0.0),
        events=events,
        classification={"final_window": 3},
    )


def run_to(model: GeoModel, step: int) -> GeoModel:
    while model.steps < step:
        model.step()
    return model


def test_every_event_kind_has_an_effect_test() -> None:
    assert set(EFFECTS) == set(EVENT_KINDS)


@pytest.mark.parametrize("kind", EVENT_KINDS)
def test_event_moves_its_state_in_its_month(kind: str) -> None:
    state, sign = EFFECTS[kind]
    plain = GeoModel(scenario(), seeds=SEEDS)
    shocked = GeoModel(scenario(Event(step=STEP, kind=kind)), seeds=SEEDS)
    run_to(plain, STEP - 1), run_to(shocked, STEP - 1)
    np.testing.assert_array_equal(state(shocked), state(plain))  # nothing before its month
    run_to(plain, STEP), run_to(shocked, STEP)
    change = sign * (state(shocked) - state(plain))
    assert np.all(change > 0), f"{kind}: {change}"


@pytest.mark.parametrize("kind", EVENT_KINDS)
def test_event_changes_what_seoul_records(kind: str) -> None:
    plain = run_to(GeoModel(scenario(), seeds=SEEDS), 12)
    shocked = run_to(GeoModel(scenario(Event(step=STEP, kind=kind)), seeds=SEEDS), 12)
    for name in TRAJECTORY_VARIABLES:  # identical before the event month
        np.testing.assert_array_equal(
            shocked.history[name][: STEP - 1], plain.history[name][: STEP - 1]
        )
    after = [
        not np.array_equal(shocked.history[name][STEP - 1 :], plain.history[name][STEP - 1 :])
        for name in TRAJECTORY_VARIABLES
    ]
    assert any(after), kind


def test_a_smaller_magnitude_moves_less() -> None:
    for kind in EVENT_KINDS:
        if kind == "missile_test":
            continue  # a launch month counts once, whatever its size
        state, sign = EFFECTS[kind]
        base = run_to(GeoModel(scenario(), seeds=SEEDS), STEP)
        half = run_to(
            GeoModel(scenario(Event(step=STEP, kind=kind, magnitude=0.5)), seeds=SEEDS), STEP
        )
        full = run_to(GeoModel(scenario(Event(step=STEP, kind=kind)), seeds=SEEDS), STEP)
        small = sign * (state(half) - state(base))
        large = sign * (state(full) - state(base))
        # a campaign only raises retaliation to a level, so half of one may change nothing
        assert np.all(small >= 0) and np.any(small > 0) and np.all(small < large), kind


def test_missile_test_counts_as_a_launch_month() -> None:
    drawn_sometimes = scenario().model_copy(
        update={"levels": Levels(us_pressure=0.5, china_coercion=0.6, nk_provocation=0.5)}
    )
    shocked_scenario = drawn_sometimes.model_copy(
        update={"events": (Event(step=STEP, kind="missile_test"),)}
    )
    plain = run_to(GeoModel(drawn_sometimes, seeds=SEEDS), STEP)
    shocked = run_to(GeoModel(shocked_scenario, seeds=SEEDS), STEP)
    drawn = plain.dprk.launch > 0
    assert 0 < drawn.sum() < LANES  # some lanes drew a launch that month, some did not
    assert np.all(shocked.dprk.launch > 0)
    np.testing.assert_array_equal(
        shocked.dprk.launches, plain.dprk.launches + (~drawn).astype(np.int64)
    )
