"""Per-lane knob arrays: the scenario's numeric fields, broadcast to shape (R,) and overridable per lane.

The knob records are derived from the scenario schema (one field per schema field, nested sections as
nested records, nothing listed by hand), so ``knobs.levels.us_pressure`` and
``knobs.structure.usa.commitment_rate`` exist exactly when the schema has them, and a misspelt knob is
an error rather than a silent new attribute. Every knob array is a row of one float64 matrix,
``Knobs.table`` (:mod:`sim.kernel.layout`), which the kernels read; records are frozen, and the
levels and world knobs that follow a schedule are written into the table each month
(:meth:`Knobs.at_month`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, is_dataclass, make_dataclass
from typing import Any

import numpy as np

from sim.kernel.layout import INDEX, knob_table
from sim.scenario import (
    GOVERNMENT_FIELDS,
    LANE_FIELDS,
    LANE_SECTIONS,
    SCHEDULED_FIELDS,
    Scenario,
    field_path,
)


def schedule_curve(points: tuple[tuple[int, float], ...], months: int) -> np.ndarray:
    """Values of a piecewise-linear schedule at months 0..months.

    Args:
        points: ``(month, value)`` pairs with increasing months.
        months: the last month.

    Returns:
        array of shape (months + 1,); constant before the first point and after the last.
    """
    xs = np.array([p[0] for p in points], dtype=np.float64)
    ys = np.array([p[1] for p in points], dtype=np.float64)
    return np.interp(np.arange(months + 1, dtype=np.float64), xs, ys)


def _record_type(name: str, paths: list[tuple[str, ...]]) -> type:
    """A frozen, slotted record with one field per first part of ``paths`` (nested records below)."""
    children: dict[str, list[tuple[str, ...]]] = {}
    for parts in paths:
        children.setdefault(parts[0], []).append(parts[1:])
    fields = [
        (key, _record_type(f"{name}_{key}", rest) if rest[0] else np.ndarray)
        for key, rest in children.items()
    ]
    return make_dataclass(name, fields, frozen=True, slots=True)


_SECTION_TYPES: dict[str, type] = {
    section: _record_type(
        f"{section.capitalize()}Knobs",
        [field_path(p)[1:] or ("",) for p in LANE_FIELDS if field_path(p)[0] == section],
    )
    for section in LANE_SECTIONS
}


@dataclass(slots=True)
class Knobs:
    """The lane sections of a scenario, each a frozen record of float arrays of shape (R,).

    Attributes:
        levels, world, government, initial, scale, structure: the sections (``structure`` nested by
            actor, as in :mod:`sim.structure`).
        schedules: dotted path of each scheduled knob (not swept) to its per-month curve.
        scales: dotted path of each level and world knob to its per-lane multiplier.
        table: every knob as a row of one float64 matrix of shape (len(LANE_FIELDS), width(R))
            (:mod:`sim.kernel.layout`); the section records' arrays are its rows' first R entries.
    """

    levels: Any
    world: Any
    government: Any
    initial: Any
    scale: Any
    structure: Any
    schedules: dict[str, np.ndarray]
    scales: dict[str, np.ndarray]
    table: np.ndarray

    def at_month(self, month: int) -> None:
        """Set every scheduled knob to its (scaled) value at ``month`` (0 = before the first step).

        Args:
            month: the month.
        """
        for path, curve in self.schedules.items():
            value = curve[min(month, len(curve) - 1)] * self.scales[path]
            self.table[INDEX[path], : value.shape[0]] = np.clip(value, 0.0, 1.0)


def _build(record: type, tree: dict[str, Any]) -> Any:
    values = {}
    for item in fields(record):
        nested = is_dataclass(item.type)
        values[item.name] = _build(item.type, tree[item.name]) if nested else tree[item.name]
    return record(**values)


def lane_knobs(
    scenario: Scenario, lanes: int, lane_values: Mapping[str, np.ndarray] | None = None
) -> Knobs:
    """Broadcast a scenario's numeric knobs to R lanes, replacing some per lane.

    Args:
        scenario: the base scenario.
        lanes: number of lanes R.
        lane_values: dotted path (one of :data:`sim.scenario.LANE_FIELDS`) to an array of shape (R,).

    Returns:
        the knobs; the starting government's weights are resolved from its preset unless overridden.

    Raises:
        KeyError: a path is not a lane field.
        ValueError: an array has the wrong shape.
    """
    numbers = scenario.numeric_fields()
    values: dict[str, np.ndarray] = {
        path: np.full(lanes, numbers[path], dtype=np.float64)
        for path in LANE_FIELDS
        if path in numbers
    }
    schedules = {
        path: schedule_curve(points, scenario.steps)
        for path, points in scenario.schedules().items()
    }
    for path, curve in schedules.items():
        values[path] = np.full(lanes, curve[0])
    for path, array in (lane_values or {}).items():
        if path not in LANE_FIELDS:
            raise KeyError(f"{path} is not a per-lane field")
        arr = np.asarray(array, dtype=np.float64)
        if arr.shape != (lanes,):
            raise ValueError(f"{path}: expected shape ({lanes},), got {arr.shape}")
        values[path] = arr.copy()
        schedules.pop(path, None)
    scales = {path: values[f"scale.{path}"] for path in SCHEDULED_FIELDS}
    for path, factor in scales.items():
        if path not in schedules:
            values[path] = np.clip(values[path] * factor, 0.0, 1.0)
    preset = scenario.government.preset
    for path in GOVERNMENT_FIELDS:  # the starting government's own values, else its preset's
        if path not in values:
            values[path] = values[f"structure.governments.{preset}.{field_path(path)[-1]}"].copy()
    table = knob_table(values, lanes)
    tree: dict[str, Any] = {}
    for path in values:
        *parents, leaf = field_path(path)
        node = tree
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = table[INDEX[path], :lanes]
    sections = {name: _build(_SECTION_TYPES[name], tree[name]) for name in LANE_SECTIONS}
    knobs = Knobs(**sections, schedules=schedules, scales=scales, table=table)
    knobs.at_month(0)
    return knobs
