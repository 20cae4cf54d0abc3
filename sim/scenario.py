"""The scenario schema: every knob of the model, its range and its default, in one place.

A :class:`Scenario` is frozen and rejects unknown keys. The model takes a ``Scenario`` object and never
reads YAML; :mod:`sim.loader` turns a YAML file into one, mapping validation errors to file lines.
Sources for the defaults are in ``docs/model.md`` (section "Defaults and their sources").
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

Unit = Annotated[float, Field(ge=0.0, le=1.0)]
"""A number in [0, 1]."""
NonNeg = Annotated[float, Field(ge=0.0)]

EventKind = Literal[
    "missile_test",
    "tariff_hike",
    "retaliation_campaign",
    "inducement_package",
    "summit_china",
    "summit_japan",
    "alliance_reassurance",
]
"""Kinds of scheduled shock; their effects are in ``GeoModel._apply_events`` (docs/model.md §6)."""
EVENT_KINDS: tuple[str, ...] = get_args(EventKind)


def field_path(path: str) -> tuple[str, ...]:
    """The parts of a dotted field path: ``"levels.us_pressure"`` -> ``("levels", "us_pressure")``.

    The one place where dotted paths are taken apart (sections have no dots in their names).

    Args:
        path: a dotted path of scenario fields.

    Returns:
        its parts, outermost first.
    """
    return tuple(path.split("."))


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


class Levels(_Frozen):
    """The three headline levels of a scenario (all required)."""

    us_pressure: Unit = Field(description="US pressure for burden sharing, alignment, tariffs.")
    china_coercion: Unit = Field(description="China's readiness to retaliate economically.")
    nk_provocation: Unit = Field(description="North Korea's base rate of provocation.")


class Conditions(_Frozen):
    """Structural conditions around Seoul (the ``world`` section of a scenario)."""

    china_inducement: Unit = Field(0.3, description="Economic incentives Beijing offers Seoul.")
    us_china_tension: Unit = Field(0.5, description="Intensity of US-China rivalry.")
    china_japan_tension: Unit = Field(0.35, description="Intensity of China-Japan tension.")
    russia_support: Unit = Field(0.3, description="Russian support to the DPRK.")


class Government(_Frozen):
    """Seoul's government orientation: weights of its utility and its decision style."""

    security_weight: NonNeg = Field(0.4, description="Weight on the security index.")
    economy_weight: NonNeg = Field(0.4, description="Weight on the economic index.")
    autonomy_weight: NonNeg = Field(
        0.2, description="Weight on strategic autonomy (balance, low dependence)."
    )
    rationality: Annotated[float, Field(ge=0.0, le=5000.0)] = Field(
        2.5,
        description="Logit precision of Seoul's choices per unit of posture moved (0 = random moves).",
    )
    move_cost: NonNeg = Field(0.03, description="Utility cost per unit of posture moved (inertia).")

    @model_validator(mode="after")
    def _some_weight(self) -> Government:
        if self.security_weight + self.economy_weight + self.autonomy_weight <= 0:
            raise ValueError("at least one of the utility weights must be positive")
        return self


class Posture(_Frozen):
    """Seoul's initial posture (all in [0, 1])."""

    us_alignment: Unit = 0.6
    china_engagement: Unit = 0.5
    japan_cooperation: Unit = 0.4
    derisking: Unit = 0.2


class Mechanics(_Frozen):
    """Rates and strengths of the mechanisms; documented in docs/model.md. Rarely changed."""

    security_step: Annotated[float, Field(gt=0.0, le=0.2)] = Field(
        0.03, description="Largest monthly move of us_alignment and japan_cooperation."
    )
    trade_step: Annotated[float, Field(gt=0.0, le=0.2)] = Field(
        0.012, description="Largest monthly move of china_engagement and derisking."
    )
    threat_decay: Unit = Field(0.85, description="Monthly persistence of perceived threat.")
    launch_shock: Unit = Field(0.35, description="Threat added by a launch month.")
    launch_rate: NonNeg = Field(0.6, description="Launch months per month at nk_provocation = 1.")
    commitment_rate: Unit = Field(0.08, description="Monthly adjustment of US commitment.")
    retaliation_rate: Unit = Field(0.2, description="Monthly adjustment of Chinese retaliation.")
    restraint_rate: Unit = Field(0.15, description="Monthly adjustment of China's restraint.")
    japan_rate: Unit = Field(0.1, description="Monthly adjustment of Japan's cooperation.")
    tariff_rate: Unit = Field(0.1, description="Monthly adjustment of US tariffs.")


class Event(_Frozen):
    """A scheduled shock at a given step."""

    step: Annotated[int, Field(ge=1)]
    kind: EventKind
    magnitude: Unit = 1.0


class Classification(_Frozen):
    """Thresholds of the outcome classes (see analysis/classify.py)."""

    final_window: Annotated[int, Field(ge=1)] = 12
    security_floor: Unit = 0.4
    economic_floor: Unit = 0.4
    tilt_margin: Unit = 0.25


class Scenario(_Frozen):
    """A complete, validated scenario.

    Args:
        name: short identifier, used in folder names (letters, digits, ``-`` and ``_``).
        description: what the scenario represents, quoting its source passage.
        steps: horizon in months (default 60, one presidential term).
        replications: runs of the scenario in a batch.
        seed: batch seed; run seeds derive from it.
        levels: the three headline levels.
        world, government, initial, mechanics: further knobs with defaults.
        events: scheduled shocks.
        classification: outcome thresholds.
    """

    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
    description: str = ""
    steps: Annotated[int, Field(ge=1, le=1200)] = 60
    replications: Annotated[int, Field(ge=1, le=10_000_000)] = 500
    seed: Annotated[int, Field(ge=0, lt=2**63)] = 2025
    levels: Levels
    world: Conditions = Conditions()
    government: Government = Government()
    initial: Posture = Posture()
    mechanics: Mechanics = Mechanics()
    events: tuple[Event, ...] = ()
    classification: Classification = Classification()

    @model_validator(mode="after")
    def _window_fits(self) -> Scenario:
        if self.classification.final_window > self.steps:
            raise ValueError(
                f"classification.final_window ({self.classification.final_window}) "
                f"exceeds steps ({self.steps})"
            )
        for ev in self.events:
            if ev.step > self.steps:
                raise ValueError(f"event at step {ev.step} is after the last step ({self.steps})")
        return self

    def numeric_fields(self) -> dict[str, float]:
        """All numeric knobs (not name, seed, replications, events) by dotted path."""
        flat: dict[str, float] = {}
        for section in ("levels", "world", "government", "initial", "mechanics", "classification"):
            for key, value in getattr(self, section).model_dump().items():
                flat[f"{section}.{key}"] = float(value)
        flat["steps"] = float(self.steps)
        return flat

    def with_values(self, values: dict[str, Any]) -> Scenario:
        """A copy with some fields replaced by dotted path (validated again).

        Args:
            values: mapping of dotted path (e.g. ``levels.us_pressure``) to new value.

        Returns:
            the new, validated scenario.
        """
        data = self.model_dump()
        for path, value in values.items():
            node = data
            *parents, leaf = field_path(path)
            for part in parents:
                node = node[part]
            node[leaf] = value
        return Scenario.model_validate(data)


_LANE_SCHEMAS: tuple[tuple[str, type[_Frozen]], ...] = (
    ("levels", Levels),
    ("world", Conditions),
    ("government", Government),
    ("initial", Posture),
    ("mechanics", Mechanics),
)
LANE_SECTIONS: tuple[str, ...] = tuple(section for section, _ in _LANE_SCHEMAS)
"""Sections whose numeric fields may differ from lane to lane."""
LANE_FIELDS: tuple[str, ...] = tuple(
    f"{section}.{key}" for section, model in _LANE_SCHEMAS for key in model.model_fields
)
"""Numeric fields that may differ from lane to lane (sweepable). ``steps`` and classification do not."""
