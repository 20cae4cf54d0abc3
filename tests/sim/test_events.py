"""Every event kind has an effect in the table, and each effect moves its state the documented way."""

from __future__ import annotations

import numpy as np
import pytest

from sim.events import EFFECTS, apply_event
from sim.model import GeoModel
from sim.scenario import EVENT_KINDS, Event, Levels, Scenario
from sim.structure import EventEffects

BASE = Scenario(
    name="events", levels=Levels(us_pressure=0.5, china_coercion=0.5, nk_provocation=0.5)
)


def test_the_table_covers_every_kind_and_only_known_states_and_sizes() -> None:
    """Each kind is in the table; every effect names an agent attribute and a size field."""
    assert set(EFFECTS) == set(EVENT_KINDS)
    model = GeoModel(BASE, seeds=[1])
    for kind, effects in EFFECTS.items():
        assert effects or kind == "government_change", kind
        for target, _, size in effects:
            agent, attr = target.split(".")
            assert hasattr(getattr(model, agent), attr), (kind, target)
            assert size in EventEffects.model_fields, (kind, size)


def _state(model: GeoModel, target: str) -> np.ndarray:
    agent, attr = target.split(".")
    return getattr(getattr(model, agent), attr).copy()


@pytest.mark.parametrize("kind", [k for k in EVENT_KINDS if k != "government_change"])
def test_each_event_moves_its_states_by_its_size(kind: str) -> None:
    """Applying an event moves each of its states as the table says, by size x magnitude."""
    model = GeoModel(BASE, seeds=[1, 2])
    model.step()
    # put the states away from their bounds so that each operation shows
    model.china.retaliation = np.full(2, 0.1)
    model.china.campaign = np.full(2, 0.1)
    model.japan.export_controls = np.full(2, 0.1)
    model.usa.tariff = np.full(2, 0.4)
    model.dprk.detente = np.zeros(2)
    model.dprk.launch = np.zeros(2)
    magnitude = 0.8
    before = {t: _state(model, t) for t, _, _ in EFFECTS[kind]}
    apply_event(model, Event(step=1, kind=kind, magnitude=magnitude))
    sizes = model.knobs.structure.events
    for target, op, field in EFFECTS[kind]:
        size = getattr(sizes, field) * magnitude
        old, new = before[target], _state(model, target)
        expected = {
            "add": np.clip(old + size, 0, 1),
            "subtract": np.clip(old - size, 0, 1),
            "raise_to": np.maximum(old, size),
            "scale_down": old * (1 - size),
        }[op]
        assert np.allclose(new, expected), (kind, target)
        assert not np.allclose(new, old), (kind, target, "the scripted state should move")


def test_a_scheduled_test_in_a_launch_month_counts_once() -> None:
    """A missile_test in a month with a drawn launch does not count twice."""
    model = GeoModel(BASE, seeds=[1, 2])
    model.dprk.launch = np.array([1.0, 0.0])
    model.dprk.launches = np.array([1, 0])
    apply_event(model, Event(step=1, kind="missile_test"))
    assert model.dprk.launches.tolist() == [1, 1] and model.dprk.launch.tolist() == [1.0, 1.0]


def test_government_change_installs_the_preset_weights() -> None:
    """A government_change event sets Seoul's weights to the named preset in every lane."""
    model = GeoModel(BASE, seeds=[1, 2])
    apply_event(model, Event(step=1, kind="government_change", government="conservative"))
    preset = model.config.structure.governments.conservative
    for name, value in model.rok.weights.items():
        assert np.allclose(value, getattr(preset, name)), name


def test_events_fire_in_their_month_inside_a_run() -> None:
    """A retaliation campaign in month 5 lifts retaliation in month 5, not before."""
    scenario = BASE.model_copy(update={"events": (Event(step=5, kind="retaliation_campaign"),)})
    quiet = GeoModel(BASE, seeds=[3])
    loud = GeoModel(scenario, seeds=[3])
    for _ in range(6):
        quiet.step()
        loud.step()
    r_q, r_l = quiet.history["retaliation"][:, 0], loud.history["retaliation"][:, 0]
    assert np.array_equal(r_q[:4], r_l[:4])
    assert r_l[4] >= 0.6 > r_q[4]
