"""The tables the kernels read and write: per-lane knobs and per-lane state, one row per variable.

Both are float64 matrices with one row per named variable and one column per lane, shape (n, R)
(plus a few padding columns, :func:`width`):
the knob table has one row per schema lane field (:data:`sim.scenario.LANE_FIELDS`, generated from
the schema), the state table one row per agent variable (:data:`STATE_NAMES`), and launch counts
and governments live in an int64 table (:data:`COUNTERS`). A kernel reads a variable by name,
``K[ix("structure.usa.commitment_rate"), r]``: :func:`ix` is resolved while numba compiles, so the
access is a load at a fixed row. The tables are C-ordered, row by row: a variable's lanes are
contiguous, so the month's stages copy a tile of lanes (:mod:`sim.kernel.tiles`) row by row with
contiguous loads, and the agents' numpy code on a row reads contiguous memory. (The scalar per-lane
kernel before the tiles preferred the tables stored lane by lane, one lane's ~160 knobs and ~45
state variables in adjacent cache lines: row by row it ran ~6% slower. With the tiles, lane by lane
makes each copy a strided gather, and ``whole_month`` of 8,192 lanes ran ~7% slower than row by
row.) A row (``S[ix("usa.commitment")]``) is a contiguous array of shape (R,): the agents' state and
the knob records are such views.
"""

from __future__ import annotations

import numpy as np
from numba import types
from numba.extending import overload

from sim.kernel.cache import PAD
from sim.scenario import LANE_FIELDS

KNOB_NAMES: tuple[str, ...] = LANE_FIELDS
"""Rows of the knob table: every lane field of the scenario schema."""

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

STATE_NAMES: tuple[str, ...] = tuple(
    f"{agent}.{name}" for agent, names in STATE_FIELDS.items() for name in names
)
"""Rows of the state table."""

COUNTERS: tuple[str, ...] = ("dprk.launches", "rok.government")
"""Rows of the integer table: the launch count and the government's preset index."""

INDEX: dict[str, int] = {
    **{path: i for i, path in enumerate(KNOB_NAMES)},
    **{name: i for i, name in enumerate(STATE_NAMES)},
    **{name: i for i, name in enumerate(COUNTERS)},
}
"""Row of every knob, state and counter by name (the three sets of names are disjoint)."""
if len(INDEX) != len(KNOB_NAMES) + len(STATE_NAMES) + len(COUNTERS):
    raise ValueError("a knob, state variable or counter name is used twice")


def ix(name: str) -> int:
    """Row of a named knob, state variable or counter in its table (:data:`INDEX`).

    Inside a kernel the name must be a literal string; numba replaces the call by the constant.

    Args:
        name: a dotted name, e.g. ``"structure.usa.commitment_rate"`` or ``"usa.commitment"``.
    """
    return INDEX[name]


@overload(ix, inline="always")
def _ix(name):  # noqa: ANN001, ANN202 (numba compares this signature with the lambda's)
    if isinstance(name, types.StringLiteral):
        row = INDEX[name.literal_value]
        return lambda name: row
    return None


def width(lanes: int) -> int:
    """Columns of a table of ``lanes`` lanes: padded (:data:`sim.kernel.cache.PAD`), the lanes first.

    Args:
        lanes: number of lanes R.
    """
    return lanes - lanes % PAD + PAD + PAD


def new_state(lanes: int) -> tuple[np.ndarray, np.ndarray]:
    """Zeroed state and counter tables of ``lanes`` lanes (columns past R are padding).

    Args:
        lanes: number of lanes R.

    Returns:
        the state table, float64 of shape (len(STATE_NAMES), width(R)), and
        the counters, int64 of shape (len(COUNTERS), width(R)).
    """
    columns = width(lanes)
    return np.zeros((len(STATE_NAMES), columns)), np.zeros((len(COUNTERS), columns), dtype=np.int64)


def knob_table(values: dict[str, np.ndarray], lanes: int) -> np.ndarray:
    """The knob table of ``lanes`` lanes, shape (len(KNOB_NAMES), width(R)).

    Args:
        values: dotted path to an array of shape (R,), for every lane field.
        lanes: number of lanes R.
    """
    table = np.zeros((len(KNOB_NAMES), width(lanes)))
    for i, path in enumerate(KNOB_NAMES):
        table[i, :lanes] = values[path]
    return table


class Lanes:
    """An agent's state variable as a view of the model's state table (a data descriptor).

    Reading ``agent.commitment`` gives the row ``state[ix("usa.commitment")]`` (shape (R,), a view;
    counters come from ``model.counters``); assigning writes into that row, so kernels and numpy code
    see the same numbers.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, agent: object, owner: type | None = None) -> np.ndarray:
        if agent is None:
            return self  # type: ignore[return-value]
        return self._row(agent)

    def __set__(self, agent: object, value: np.ndarray) -> None:
        self._row(agent)[...] = value

    def _row(self, agent: object) -> np.ndarray:
        name = f"{agent.STATE}.{self.name}"  # type: ignore[attr-defined]
        model = agent.model  # type: ignore[attr-defined]
        return (model.counters if name in COUNTERS else model.state)[INDEX[name], : model.lanes]
