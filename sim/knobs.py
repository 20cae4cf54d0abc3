"""Per-lane knob arrays: the scenario's numeric fields, broadcast to shape (R,) and overridable per lane."""

from __future__ import annotations

from collections.abc import Mapping
from types import SimpleNamespace

import numpy as np

from sim.scenario import LANE_FIELDS, Scenario


class Knobs(SimpleNamespace):
    """Sections of the scenario as namespaces of float arrays of shape (R,).

    ``knobs.levels.us_pressure`` is an array with one value per lane.
    """


def lane_knobs(
    scenario: Scenario, lanes: int, lane_values: Mapping[str, np.ndarray] | None = None
) -> Knobs:
    """Broadcast a scenario's numeric knobs to R lanes, replacing some per lane.

    Args:
        scenario: the base scenario.
        lanes: number of lanes R.
        lane_values: dotted path (one of :data:`sim.scenario.LANE_FIELDS`) to an array of shape (R,).

    Returns:
        the knobs, one namespace per section.

    Raises:
        KeyError: a path is not a lane field.
        ValueError: an array has the wrong shape.
    """
    values = {path: v for path, v in scenario.numeric_fields().items() if path in LANE_FIELDS}
    sections: dict[str, dict[str, np.ndarray]] = {}
    for path, value in values.items():
        section, key = path.split(".")
        sections.setdefault(section, {})[key] = np.full(lanes, value, dtype=np.float64)
    for path, array in (lane_values or {}).items():
        if path not in LANE_FIELDS:
            raise KeyError(f"{path} is not a per-lane field")
        arr = np.asarray(array, dtype=np.float64)
        if arr.shape != (lanes,):
            raise ValueError(f"{path}: expected shape ({lanes},), got {arr.shape}")
        section, key = path.split(".")
        sections[section][key] = arr.copy()
    return Knobs(**{name: SimpleNamespace(**fields) for name, fields in sections.items()})
