"""Levels that move over time, governments that change, and a start in balance (Model v2)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from sim.knobs import schedule_curve
from sim.loader import InputError, load_scenario
from sim.model import GeoModel, simulate
from sim.scenario import PRESETS, Event, Levels, Scenario

PRAGMATIC, CONSERVATIVE, PROGRESSIVE = (
    PRESETS.index(n) for n in ("pragmatic", "conservative", "progressive")
)

BASE = Scenario(
    name="dyn", levels=Levels(us_pressure=0.35, china_coercion=0.3, nk_provocation=0.35)
)


# --- schedules ---------------------------------------------------------------------------------


def test_schedule_is_piecewise_linear_and_flat_outside_its_points() -> None:
    """Values interpolate between points and hold before the first and after the last."""
    curve = schedule_curve(((2, 0.2), (6, 0.6)), 8)
    assert np.allclose(curve, [0.2, 0.2, 0.2, 0.3, 0.4, 0.5, 0.6, 0.6, 0.6])


def test_a_scheduled_level_drives_the_model_month_by_month() -> None:
    """A scheduled level takes its month's value in the agents' knobs at each step."""
    scenario = BASE.with_values({"levels.us_pressure": ((0, 0.0), (10, 1.0))})
    model = GeoModel(scenario, seeds=[1, 2])
    seen = []
    for _ in range(12):
        model.step()
        seen.append(float(model.knobs.levels.us_pressure[0]))
    assert np.allclose(seen, [0.1 * m for m in range(1, 11)] + [1.0, 1.0])


def test_a_swept_number_replaces_the_schedule_in_its_lanes() -> None:
    """A per-lane value of a scheduled knob holds in those lanes for the whole run."""
    scenario = BASE.with_values({"levels.us_pressure": ((0, 0.0), (10, 1.0))})
    model = GeoModel(scenario, seeds=[1, 2], **{"levels.us_pressure": np.array([0.3, 0.7])})
    for _ in range(5):
        model.step()
    assert model.knobs.levels.us_pressure.tolist() == [0.3, 0.7]


def test_bad_schedules_are_one_line_errors_with_file_and_line(tmp_path: Path) -> None:
    """Months that do not increase, values outside [0, 1] and malformed points name file:line."""
    cases = {
        "levels:\n  us_pressure: [[0, 0.2], [12, 0.5], [6, 0.9]]\n": "strictly increasing",
        "levels:\n  us_pressure: [[0, 0.2], [12, 1.5]]\n": "less than or equal to 1",
        "levels:\n  us_pressure: [[0, 0.2, 0.3]]\n": "us_pressure",
        "levels:\n  us_pressure: []\n": "us_pressure",
    }
    for body, words in cases.items():
        path = tmp_path / "bad.yaml"
        path.write_text(
            "name: bad\n" + body + "  china_coercion: 0.3\n  nk_provocation: 0.3\n",
            encoding="utf-8",
        )
        with pytest.raises(InputError) as err:
            load_scenario(path)
        text = str(err.value)
        assert text.startswith(f"{path}:") and "\n" not in text, text
        assert words in text, (body, text)
        assert int(text.split(":")[1]) in (2, 3), text


# --- governments ---------------------------------------------------------------------------------


def test_presets_give_the_starting_weights_and_explicit_weights_override_them() -> None:
    """A preset sets every decision parameter; an explicit weight replaces only itself."""
    cons = BASE.with_values({"government.preset": "conservative"})
    model = GeoModel(cons, seeds=[1])
    preset = cons.structure.governments.conservative
    assert model.rok.weights["security_weight"][0] == preset.security_weight
    mixed = cons.with_values({"government.security_weight": 0.9})
    model = GeoModel(mixed, seeds=[1])
    assert model.rok.weights["security_weight"][0] == 0.9
    assert model.rok.weights["economy_weight"][0] == preset.economy_weight


def test_government_change_event_mid_run() -> None:
    """A government_change event installs the new preset from its month on."""
    scenario = BASE.model_copy(
        update={"events": (Event(step=4, kind="government_change", government="conservative"),)}
    )
    model = GeoModel(scenario, seeds=[1, 2])
    for _ in range(6):
        model.step()
    gov = model.history["government"][:, 0]
    assert gov[:3].tolist() == [PRAGMATIC] * 3 and gov[3:6].tolist() == [CONSERVATIVE] * 3


@pytest.mark.parametrize(("advantage", "stays"), [(20.0, True), (-20.0, False)])
def test_elections_keep_or_replace_the_incumbent_by_its_record(
    advantage: float, stays: bool
) -> None:
    """With an overwhelming advantage the incumbent camp stays; with an overwhelming handicap it goes."""
    scenario = BASE.with_values(
        {
            "government.preset": "conservative",
            "structure.elections.enabled": 1.0,
            "structure.elections.first": 6.0,
            "structure.elections.period": 12.0,
            "structure.elections.incumbent_advantage": advantage,
            "steps": 24,
        }
    )
    model = GeoModel(scenario, seeds=np.arange(50))
    for _ in range(24):
        model.step()
    gov = model.history["government"]
    assert np.all(gov[:5] == CONSERVATIVE)
    if stays:
        assert np.all(gov == CONSERVATIVE)
    else:  # conservative -> progressive at 6, progressive -> conservative at 18
        assert np.all(gov[5:17] == PROGRESSIVE) and np.all(gov[17:] == CONSERVATIVE)


def test_elections_are_off_by_default() -> None:
    """Without elections the government never changes on its own."""
    model = GeoModel(BASE.with_values({"steps": 120}), seeds=np.arange(64))
    for _ in range(120):
        model.step()
    assert np.all(model.history["government"] == PRAGMATIC)


def test_a_good_record_keeps_the_incumbent_more_often() -> None:
    """Re-election is likelier in lanes whose mean indices since the last election were higher."""
    scenario = BASE.with_values(
        {"structure.elections.enabled": 1.0, "structure.elections.first": 1.0}
    )
    lanes = 4000
    model = GeoModel(scenario, seeds=np.arange(lanes))
    good = np.arange(lanes) < lanes // 2
    model.rok.record_security = np.where(good, 8.0, 3.0)  # ten months at 0.8 or 0.3
    model.rok.record_economy = np.where(good, 8.0, 3.0)
    model.rok.record_months = np.full(lanes, 10.0)
    model.steps = 1
    model.rok.hold_election(np.ones(lanes, dtype=bool))
    kept = model.rok.government == PRAGMATIC  # pragmatic incumbents kept
    assert kept[good].mean() > kept[~good].mean() + 0.3
    assert np.all(model.rok.record_months == 0)  # the record starts anew after an election


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [("enabled", 0.5, "0 or 1"), ("first", 60.5, "whole number"), ("period", 12.2, "whole number")],
)
def test_election_fields_are_whole_numbers(field: str, value: float, words: str) -> None:
    """A fractional month would silently hold no election; it is refused instead."""
    with pytest.raises(ValidationError, match=words):
        BASE.with_values({f"structure.elections.{field}": value})


def test_each_lane_spins_up_for_its_own_months() -> None:
    """A lane's start does not depend on the spin-up length of the lanes beside it."""
    alone = GeoModel(BASE, seeds=[101], **{"structure.start.spinup_months": 0.0})
    mixed = GeoModel(
        BASE, seeds=[101, 7], **{"structure.start.spinup_months": np.array([0.0, 60.0])}
    )
    for name in ("commitment", "tariff", "tech_controls"):
        assert getattr(alone.usa, name)[0] == getattr(mixed.usa, name)[0], name
    assert alone.china.retaliation[0] == mixed.china.retaliation[0]
    assert alone.rok.threat[0] == mixed.rok.threat[0]
    assert mixed.usa.commitment[1] != mixed.usa.commitment[0]


# --- a start in balance ---------------------------------------------------------------------------


def test_no_start_up_drift_with_constant_levels_and_no_events() -> None:
    """With Seoul's posture held, the others' states stay where the spin-up put them in year one."""
    frozen = BASE.with_values(
        {"structure.seoul.security_step": 0.001, "structure.seoul.trade_step": 0.001}
    )
    result = simulate(frozen, np.arange(500))
    for name in ("us_commitment", "retaliation", "tariff", "tech_controls", "japan_cooperation_jp"):
        path = result.trajectories[name][:, :12].mean(axis=0)
        assert np.ptp(path) < 0.01, (name, path)
    threat = result.trajectories["threat"][:, :12].mean(axis=0)
    assert np.ptp(threat) < 0.03, threat  # launches are random; their expected effect is balanced


def test_baseline_world_does_not_jump_in_the_first_year() -> None:
    """In the baseline, threat and retaliation move little over the first year (no start-up shock)."""
    result = simulate(BASE, np.arange(1000))
    for name in ("threat", "retaliation", "us_commitment"):
        path = result.trajectories[name][:, :12].mean(axis=0)
        assert np.ptp(path) < 0.05, (name, path)


def test_a_sweep_can_scale_a_schedule() -> None:
    """``scale.levels.us_pressure`` multiplies a schedule month by month (clipped to [0, 1]) and a
    number likewise; per lane, so a sweep can scale a whole history up or down."""
    scenario = BASE.with_values({"levels.us_pressure": ((0, 0.2), (10, 0.6))})
    model = GeoModel(
        scenario, seeds=[1, 2, 3], **{"scale.levels.us_pressure": np.array([0.5, 1.0, 2.0])}
    )
    for _ in range(10):
        model.step()
    assert np.allclose(model.knobs.levels.us_pressure, [0.3, 0.6, 1.0])
    number = GeoModel(BASE, seeds=[1, 2], **{"scale.levels.china_coercion": np.array([0.5, 2.0])})
    assert np.allclose(number.knobs.levels.china_coercion, [0.15, 0.6])
