"""Scheduled events: the table of what each kind moves, and its application to the agents' state.

``EFFECTS`` maps an event kind to its effects: (state, operation, size field). The state is an agent
attribute (``"china.retaliation"``), the operation one of ``add`` (clipped to [0, 1]), ``subtract``,
``raise_to`` (at least), ``scale_down`` (multiply by 1 - size), and the size a field of
``structure.events`` times the event's magnitude. ``government_change`` and the launch count of
``missile_test`` are the two effects that are not a number moved; both are handled here too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np

if TYPE_CHECKING:
    from sim.model import GeoModel
    from sim.scenario import Event

Operation = Literal["add", "subtract", "raise_to", "scale_down"]

EFFECTS: dict[str, tuple[tuple[str, Operation, str], ...]] = {
    "missile_test": (("dprk.launch", "raise_to", "missile_launch"),),
    "nuclear_test": (("rok.threat", "add", "nuclear_threat"),),
    "tariff_hike": (("usa.tariff", "add", "tariff_hike"),),
    "tariff_deal": (("usa.tariff", "subtract", "tariff_deal"),),
    "retaliation_campaign": (
        ("china.retaliation", "raise_to", "retaliation_campaign"),
        ("china.campaign", "raise_to", "retaliation_campaign"),
    ),
    "inducement_package": (("china.bonus", "add", "inducement_package"),),
    "summit_china": (
        ("china.retaliation", "subtract", "summit_china_retaliation"),
        ("china.campaign", "subtract", "summit_china_retaliation"),
        ("china.restraint", "add", "summit_china_restraint"),
    ),
    "summit_japan": (
        ("japan.goodwill", "add", "summit_japan"),
        ("rok.japan_cooperation", "add", "summit_japan_rok"),
    ),
    "trilateral_summit": (
        ("japan.goodwill", "add", "trilateral_summit_japan"),
        ("rok.japan_cooperation", "add", "trilateral_summit_rok"),
        ("usa.commitment", "add", "trilateral_summit_us"),
    ),
    "alliance_reassurance": (("usa.commitment", "add", "alliance_reassurance"),),
    "japan_export_controls": (("japan.export_controls", "raise_to", "japan_export_controls"),),
    "japan_export_controls_lifted": (
        ("japan.export_controls", "scale_down", "japan_export_controls_lifted"),
    ),
    "inter_korean_summit": (("dprk.detente", "raise_to", "inter_korean_summit"),),
    "alignment_decision": (("rok.us_alignment", "add", "alignment_decision"),),
    "government_change": (),
}
"""Event kind → its effects (state, operation, size field of ``structure.events``)."""


def _apply(current: np.ndarray, op: Operation, size: np.ndarray) -> np.ndarray:
    if op == "add":
        return np.clip(current + size, 0.0, 1.0)
    if op == "subtract":
        return np.clip(current - size, 0.0, 1.0)
    if op == "raise_to":
        return np.maximum(current, size)
    return current * (1.0 - size)


def apply_event(model: GeoModel, event: Event) -> None:
    """Apply one event to every lane of the model.

    Args:
        model: the lane model.
        event: the event.
    """
    sizes = model.knobs.structure.events
    if event.kind == "missile_test":
        # A launch month counts once, whether drawn or scheduled.
        already = model.dprk.launch > 0
        model.dprk.launches = model.dprk.launches + (~already).astype(np.int64)
    if event.kind == "government_change" and event.government is not None:
        model.rok.install_government(event.government)
    for target, op, field in EFFECTS[event.kind]:
        agent_name, attr = target.split(".")
        agent = getattr(model, agent_name)
        size = getattr(sizes, field) * event.magnitude
        setattr(agent, attr, _apply(getattr(agent, attr), op, size))
