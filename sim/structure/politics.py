"""Seoul's governments: named orientations and optional elections (:mod:`sim.seoul`)."""

from __future__ import annotations

from pydantic import model_validator

from sim.structure.fields import CHOICE, Section, coef


class GovernmentPreset(Section):
    """One government orientation: utility weights and decision style."""

    security_weight: float = coef(0.4, 0.0, 1.0, "Weight on the security index.", CHOICE)
    economy_weight: float = coef(0.4, 0.0, 1.0, "Weight on the economic index.", CHOICE)
    autonomy_weight: float = coef(0.2, 0.0, 1.0, "Weight on strategic autonomy.", CHOICE)
    rationality: float = coef(
        8.0, 0.0, 5000.0, "Logit precision per unit of posture moved (0 = random moves).", CHOICE
    )
    move_cost: float = coef(
        0.03, 0.0, 1.0, "Utility cost per unit of posture moved (inertia).", CHOICE
    )


class Governments(Section):
    """The named government orientations (docs/model.md §7.7 justifies each)."""

    pragmatic: GovernmentPreset = GovernmentPreset(
        security_weight=0.35, economy_weight=0.4, autonomy_weight=0.25
    )
    conservative: GovernmentPreset = GovernmentPreset(
        security_weight=0.45, economy_weight=0.37, autonomy_weight=0.18
    )
    progressive: GovernmentPreset = GovernmentPreset(
        security_weight=0.3, economy_weight=0.4, autonomy_weight=0.3
    )


class Elections(Section):
    """Optional presidential elections, whose winner is drawn per lane (off by default)."""

    enabled: float = coef(0.0, 0.0, 1.0, "1 to hold elections, 0 for none.", CHOICE)
    period: float = coef(
        60.0, 1.0, 1200.0, "Months between elections (one term).", "R: five-year term"
    )
    first: float = coef(60.0, 1.0, 1200.0, "Month of the first election.", CHOICE)
    incumbent_advantage: float = coef(
        0.0, -20.0, 20.0, "Log-odds of the incumbent camp at an average record.", CHOICE
    )
    security_effect: float = coef(
        4.0, 0.0, 20.0, "Log-odds per unit of security index above its reference.", CHOICE
    )
    economy_effect: float = coef(
        6.0,
        0.0,
        20.0,
        "Log-odds per unit of economic index above its reference.",
        'A: "how well Seoul can manage domestic expectations"',
    )
    security_reference: float = coef(0.55, 0.0, 1.0, "Security index of an average record.", CHOICE)
    economy_reference: float = coef(0.55, 0.0, 1.0, "Economic index of an average record.", CHOICE)

    @model_validator(mode="after")
    def _whole(self) -> Elections:
        if self.enabled not in (0.0, 1.0):
            raise ValueError(f"enabled must be 0 or 1, got {self.enabled:g}")
        for name in ("period", "first"):
            value = getattr(self, name)
            if not float(value).is_integer():
                raise ValueError(f"{name} must be a whole number of months, got {value:g}")
        return self
