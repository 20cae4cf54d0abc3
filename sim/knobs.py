"""Per-lane knob arrays: the scenario's numeric fields, broadcast to shape (R,) and overridable per lane.

The knob classes are derived from the scenario schema (one field per schema field, nothing listed by
hand), so ``knobs.levels.us_pressure`` exists exactly when ``Levels.us_pressure`` does, and a misspelt
knob is an error rather than a silent new attribute.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, make_dataclass
from typing import Any

import numpy as np

from sim.scenario import (
    LANE_FIELDS,
    LANE_SECTIONS,
    Conditions,
    Government,
    Levels,
    Mechanics,
    Posture,
    Scenario,
    field_path,
)


def _section(name: str, schema: type) -> type:
    fields = [(key, np.ndarray) for key in schema.model_fields]
    return make_dataclass(name, fields, frozen=True, slots=True)


LevelKnobs = _section("LevelKnobs", Levels)
ConditionKnobs = _section("ConditionKnobs", Conditions)
GovernmentKnobs = _section("GovernmentKnobs", Government)
PostureKnobs = _section("PostureKnobs", Posture)
MechanicsKnobs = _section("MechanicsKnobs", Mechanics)


@dataclass(frozen=True, slots=True)
class Knobs:
    """The lane sections of a scenario, each a frozen record of float arrays of shape (R,).

    ``knobs.levels.us_pressure`` is an array with one value per lane.
    """

    levels: Any
    world: Any
    government: Any
    initial: Any
    mechanics: Any


_SECTION_TYPES: dict[str, type] = {
    "levels": LevelKnobs,
    "world": ConditionKnobs,
    "government": GovernmentKnobs,
    "initial": PostureKnobs,
    "mechanics": MechanicsKnobs,
}
assert tuple(_SECTION_TYPES) == LANE_SECTIONS


def lane_knobs(
    scenario: Scenario, lanes: int, lane_values: Mapping[str, np.ndarray] | None = None
) -> Knobs:
    """Broadcast a scenario's numeric knobs to R lanes, replacing some per lane.

    Args:
        scenario: the base scenario.
        lanes: number of lanes R.
        lane_values: dotted path (one of :data:`sim.scenario.LANE_FIELDS`) to an array of shape (R,).

    Returns:
        the knobs, one record per section.

    Raises:
        KeyError: a path is not a lane field.
        ValueError: an array has the wrong shape.
    """
    sections: dict[str, dict[str, np.ndarray]] = {name: {} for name in LANE_SECTIONS}
    for path, value in scenario.numeric_fields().items():
        if path in LANE_FIELDS:
            section, key = field_path(path)
            sections[section][key] = np.full(lanes, value, dtype=np.float64)
    for path, array in (lane_values or {}).items():
        if path not in LANE_FIELDS:
            raise KeyError(f"{path} is not a per-lane field")
        arr = np.asarray(array, dtype=np.float64)
        if arr.shape != (lanes,):
            raise ValueError(f"{path}: expected shape ({lanes},), got {arr.shape}")
        section, key = field_path(path)
        sections[section][key] = arr.copy()
    return Knobs(**{name: _SECTION_TYPES[name](**fields) for name, fields in sections.items()})
