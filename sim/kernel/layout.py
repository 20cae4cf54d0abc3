"""The tables the kernels read and write: per-lane knobs and per-lane state, one record per lane.

Both are numpy structured arrays of shape (R,) whose field names are dotted paths, so a kernel reads
``k["structure.usa.commitment_rate"]`` and ``s["usa.commitment"]`` by name and numba compiles each
to a load at a fixed offset. The knob table has one float64 field per schema lane field
(:data:`sim.scenario.LANE_FIELDS`), generated from the schema; the layout is part of the kernels'
type, so a schema change compiles new kernels instead of reusing cached ones. A column of either
table (``table["usa.commitment"]``) is an ordinary array of shape (R,): the agents' state and the
knob records are such views.
"""

from __future__ import annotations

import numpy as np

from sim.scenario import LANE_FIELDS

KNOB_DTYPE = np.dtype([(path, np.float64) for path in LANE_FIELDS])
"""One float64 field per lane field of the scenario schema."""

WEIGHTS: tuple[str, ...] = (
    "security_weight",
    "economy_weight",
    "autonomy_weight",
    "rationality",
    "move_cost",
)
"""A government's decision parameters (``structure.governments.<preset>``)."""

AHEAD: tuple[str, ...] = (
    "commitment",
    "tariff",
    "tech_controls",
    "retaliation",
    "restraint",
    "japan",
)
"""The states Seoul anticipates, each closing a per-lane share of its gap over the horizon."""

STATE_FIELDS: dict[str, tuple[str, ...]] = {
    "usa": ("commitment", "tariff", "tech_controls"),
    "china": ("retaliation", "restraint", "bonus", "campaign"),
    "dprk": ("launch", "detente"),
    "japan": ("cooperation", "export_controls", "goodwill"),
    "russia": ("support",),
    "rok": (
        "us_alignment",
        "china_engagement",
        "japan_cooperation",
        "derisking",
        "threat",
        "security",
        "economy",
        *WEIGHTS,
        "record_security",
        "record_economy",
        "record_months",
        *(f"ahead_{name}" for name in AHEAD),
    ),
}
"""Each agent's float64 state variables (``rok.ahead_*`` are derived once from the knobs)."""

COUNTERS: tuple[str, ...] = ("dprk.launches", "rok.government")
"""Integer state: the launch count and the government's preset index."""

STATE_DTYPE = np.dtype(
    [(f"{agent}.{name}", np.float64) for agent, names in STATE_FIELDS.items() for name in names]
    + [(path, np.int64) for path in COUNTERS]
)
"""The per-lane state of all six agents."""


def new_state(lanes: int) -> np.ndarray:
    """A zeroed state table of ``lanes`` lanes.

    Args:
        lanes: number of lanes R.
    """
    return np.zeros(lanes, dtype=STATE_DTYPE)


def knob_table(values: dict[str, np.ndarray], lanes: int) -> np.ndarray:
    """The knob table of ``lanes`` lanes from every lane field's values.

    Args:
        values: dotted path to an array of shape (R,), for every lane field.
        lanes: number of lanes R.
    """
    table = np.empty(lanes, dtype=KNOB_DTYPE)
    for path in LANE_FIELDS:
        table[path] = values[path]
    return table


class Lanes:
    """An agent's state variable as a view of the model's state table (a data descriptor).

    Reading ``agent.commitment`` gives the column ``state["usa.commitment"]`` (shape (R,), a view);
    assigning writes into that column, so kernels and numpy code see the same numbers.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, agent: object, owner: type | None = None) -> np.ndarray:
        if agent is None:
            return self  # type: ignore[return-value]
        return agent.model.state[f"{agent.STATE}.{self.name}"]  # type: ignore[attr-defined]

    def __set__(self, agent: object, value: np.ndarray) -> None:
        agent.model.state[f"{agent.STATE}.{self.name}"] = value  # type: ignore[attr-defined]
