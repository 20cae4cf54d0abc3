"""Every coefficient of the model: one section per actor, each field with range, default, meaning, source.

In the spirit of Starsim's ``define_pars``: the model modules (:mod:`sim.seoul`, :mod:`sim.agents`,
:mod:`sim.model`, :mod:`sim.events`) hold no numeric literal other than 0, 1, 2 and functional-form
exponents (``tests/sim/test_structure.py`` scans their syntax trees); every number they use is a field
here, sweepable by dotted path (``structure.usa.commitment_rate``) and recorded in the manifest with
the resolved scenario.

Each field's ``source`` names where its default comes from:

- ``A: "..."``: a passage of the first source article, a 2025 commentary on President Lee
  Jae-myung's "pragmatic foreign policy" (our copy has no title line; it opens "South Korea appears to
  be undergoing a subtle yet potentially profound recalibration of its foreign policy"; docs/model.md §0);
- ``B: "..."``: a passage of *"South Korea Strategic Autonomy Redraws Its Diplomatic Map Beyond
  Alliance Discipline"* (online commentary, January 2026), the second source article;
- ``R: ...``: a public figure or a dated event of the public record (docs/model.md, "Figures");
- ``T: ...``: international-relations theory that maps onto the rule;
- ``calibration choice``: set by hand to make the mechanism work at a plausible scale; fitted to data by
  ``hedgesim calibrate`` where the data can identify it.
"""

from __future__ import annotations

from pydantic import BaseModel

from sim.structure.effects import EventEffects
from sim.structure.fields import CHOICE, Section, coef
from sim.structure.observation import Observation, StartStructure
from sim.structure.politics import Elections, GovernmentPreset, Governments
from sim.structure.powers import (
    ChinaStructure,
    DPRKStructure,
    JapanStructure,
    RussiaStructure,
    USAStructure,
)
from sim.structure.seoul import SeoulStructure

__all__ = [
    "CHOICE",
    "ChinaStructure",
    "DPRKStructure",
    "Elections",
    "EventEffects",
    "GovernmentPreset",
    "Governments",
    "JapanStructure",
    "Observation",
    "RussiaStructure",
    "SeoulStructure",
    "StartStructure",
    "Structure",
    "USAStructure",
    "coef",
    "structure_fields",
]


class Structure(Section):
    """All the model's coefficients, one section per actor."""

    start: StartStructure = StartStructure()
    seoul: SeoulStructure = SeoulStructure()
    usa: USAStructure = USAStructure()
    china: ChinaStructure = ChinaStructure()
    dprk: DPRKStructure = DPRKStructure()
    japan: JapanStructure = JapanStructure()
    russia: RussiaStructure = RussiaStructure()
    governments: Governments = Governments()
    elections: Elections = Elections()
    events: EventEffects = EventEffects()
    observation: Observation = Observation()


def structure_fields(model: type[BaseModel] = Structure, prefix: str = "structure") -> list[str]:
    """Dotted paths of every numeric coefficient under ``model``.

    Args:
        model: a section class.
        prefix: the dotted path of that section.

    Returns:
        the paths, in declaration order.
    """
    paths: list[str] = []
    for name, info in model.model_fields.items():
        ann = info.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            paths.extend(structure_fields(ann, f"{prefix}.{name}"))
        else:
            paths.append(f"{prefix}.{name}")
    return paths
