"""The scenario schema: every knob of the model, its range and its default, in one place.

A :class:`Scenario` is frozen and rejects unknown keys. The model takes a ``Scenario`` object and never
reads YAML; :mod:`sim.loader` turns a YAML file into one, mapping validation errors to file lines.
Sources for the defaults are in ``docs/model.md`` (section "Defaults and their sources").
"""

from __future__ import annotations

import itertools
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sim.structure import Structure, structure_fields

Unit = Annotated[float, Field(ge=0.0, le=1.0)]
"""A number in [0, 1]."""
NonNeg = Annotated[float, Field(ge=0.0)]

EventKind = Literal[
    "missile_test",
    "nuclear_test",
    "tariff_hike",
    "tariff_deal",
    "retaliation_campaign",
    "inducement_package",
    "summit_china",
    "summit_japan",
    "trilateral_summit",
    "alliance_reassurance",
    "japan_export_controls",
    "japan_export_controls_lifted",
    "inter_korean_summit",
    "alignment_decision",
    "government_change",
]
"""Kinds of scheduled shock; what each moves is the table ``sim.events.EFFECTS`` (docs/model.md §7.8)."""
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


PresetName = Literal["pragmatic", "conservative", "progressive"]
"""Named government orientations (``structure.governments``)."""
PRESETS: tuple[str, ...] = get_args(PresetName)

SchedulePoint = tuple[Annotated[int, Field(ge=0)], Unit]
Schedule = Annotated[tuple[SchedulePoint, ...], Field(min_length=1)]
"""Piecewise-linear points ``[[month, value], ...]``: constant before the first and after the last."""
Level = Unit | Schedule
"""A level or world knob: a number in [0, 1], or a schedule of such numbers over months."""


def _check_schedule(value: Any) -> Any:
    if isinstance(value, tuple):
        months = [point[0] for point in value]
        if any(b <= a for a, b in itertools.pairwise(months)):
            raise ValueError(f"schedule months must be strictly increasing, got {months}")
    return value


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


class Levels(_Frozen):
    """The three headline levels of a scenario (all required; each a number or a schedule)."""

    us_pressure: Level = Field(description="US pressure for burden sharing, alignment, tariffs.")
    china_coercion: Level = Field(description="China's readiness to retaliate economically.")
    nk_provocation: Level = Field(description="North Korea's base rate of provocation.")

    _schedules = field_validator("*")(_check_schedule)


class Conditions(_Frozen):
    """Structural conditions around Seoul: the ``world`` section (each a number or a schedule)."""

    china_inducement: Level = Field(0.3, description="Economic incentives Beijing offers Seoul.")
    us_china_tension: Level = Field(0.5, description="Intensity of US-China rivalry.")
    china_japan_tension: Level = Field(0.35, description="Intensity of China-Japan tension.")
    russia_support: Level = Field(0.3, description="Russian support to the DPRK.")
    japan_grievance: Level = Field(
        0.2,
        description="Historical grievance between Seoul and Tokyo (forced-labour rulings etc.).",
    )

    _schedules = field_validator("*")(_check_schedule)


Multiplier = Annotated[float, Field(ge=0.0, le=10.0)]


class LevelScales(_Frozen):
    """Multipliers of the levels (of their schedules, month by month), for sweeps that scale them."""

    us_pressure: Multiplier = 1.0
    china_coercion: Multiplier = 1.0
    nk_provocation: Multiplier = 1.0


class WorldScales(_Frozen):
    """Multipliers of the world knobs (of their schedules, month by month)."""

    china_inducement: Multiplier = 1.0
    us_china_tension: Multiplier = 1.0
    china_japan_tension: Multiplier = 1.0
    russia_support: Multiplier = 1.0
    japan_grievance: Multiplier = 1.0


class Scales(_Frozen):
    """Scale factors applied to levels and world knobs, numbers or schedules.

    The result is clipped to [0, 1]; a sweep of ``scale.levels.us_pressure`` scales a whole
    schedule up or down.
    """

    levels: LevelScales = LevelScales()
    world: WorldScales = WorldScales()


class Government(_Frozen):
    """Seoul's government at the start: a named orientation, optionally with its own weights.

    Args:
        preset: the orientation whose weights and decision style apply (``structure.governments``).
        security_weight, economy_weight, autonomy_weight, rationality, move_cost: if given, replace the
            preset's value for this scenario's starting government.
    """

    preset: PresetName = Field("pragmatic", description="Named orientation of the government.")
    security_weight: Unit | None = Field(None, description="Weight on the security index.")
    economy_weight: Unit | None = Field(None, description="Weight on the economic index.")
    autonomy_weight: Unit | None = Field(None, description="Weight on strategic autonomy.")
    rationality: Annotated[float, Field(ge=0.0, le=5000.0)] | None = Field(
        None, description="Logit precision of Seoul's choices per unit of posture moved."
    )
    move_cost: Unit | None = Field(None, description="Utility cost per unit of posture moved.")

    @model_validator(mode="after")
    def _some_weight(self) -> Government:
        weights = (self.security_weight, self.economy_weight, self.autonomy_weight)
        if None not in weights and sum(w for w in weights if w is not None) <= 0:
            raise ValueError("at least one of the utility weights must be positive")
        return self


class Posture(_Frozen):
    """Seoul's initial posture (all in [0, 1])."""

    us_alignment: Unit = Field(0.6, description="Seoul's alignment with Washington at month 0.")
    china_engagement: Unit = Field(
        0.5, description="Seoul's economic engagement with China at month 0."
    )
    japan_cooperation: Unit = Field(
        0.4, description="Seoul's security cooperation with Japan at month 0."
    )
    derisking: Unit = Field(
        0.2, description="How far Seoul's supply chains are de-risked from China at month 0."
    )


class Event(_Frozen):
    """A scheduled shock at a given step.

    Args:
        step: the month it happens (1 = the first month).
        kind: what happens (its effect: ``sim.events.EFFECTS``).
        magnitude: scales the effect.
        government: for ``government_change`` only: the new government's orientation.
        note: what the event is and its source (date, reference), shown in reports.
    """

    step: Annotated[int, Field(ge=1)] = Field(description="Month of the shock (1 = the first).")
    kind: EventKind = Field(description="What happens (its effect: sim.events.EFFECTS).")
    magnitude: Unit = Field(1.0, description="Size of the shock, 1 = full size.")
    government: PresetName | None = Field(
        None, description="For government_change only: the new government's orientation."
    )
    note: Annotated[str, Field(max_length=300)] = Field(
        "", description="What the event is and its source (date, reference), shown in reports."
    )

    @model_validator(mode="after")
    def _government(self) -> Event:
        if (self.kind == "government_change") != (self.government is not None):
            raise ValueError("'government' is required for government_change and only for it")
        return self


class Classification(_Frozen):
    """Thresholds of the outcome classes (see the classification in the results contract)."""

    final_window: Annotated[int, Field(ge=1)] = Field(
        12, description="Months at the end whose means decide a run's class."
    )
    security_floor: Unit = Field(
        0.4, description="Caught between giants needs the security index below this ..."
    )
    economic_floor: Unit = Field(0.4, description="... and the economic index below this.")
    tilt_margin: Unit = Field(
        0.25, description="A tilt needs |US alignment - China engagement| at least this."
    )


class Scenario(_Frozen):
    """A complete, validated scenario.

    Args:
        name: short identifier, used in folder names (letters, digits, ``-`` and ``_``).
        description: what the scenario represents, quoting its source passage.
        steps: horizon in months (default 60, one presidential term).
        replications: runs of the scenario in a batch.
        seed: batch seed; run seeds derive from it.
        levels: the three headline levels.
        start: calendar month of step 1 (``YYYY-MM``), for history replays and observed data.
        world, government, initial: further knobs with defaults.
        structure: every coefficient of the model (:mod:`sim.structure`).
        scale: multipliers of levels and world knobs (and of their schedules).
        events: scheduled shocks.
        classification: outcome thresholds.
    """

    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")] = Field(
        description="Short identifier, used in folder names."
    )
    description: str = Field("", description="What the scenario stands for; quote its source.")
    steps: Annotated[int, Field(ge=1, le=1200)] = Field(60, description="Horizon in months.")
    replications: Annotated[int, Field(ge=1, le=10_000_000)] = Field(
        500, description="Runs of the scenario in a batch."
    )
    seed: Annotated[int, Field(ge=0, lt=2**63)] = Field(
        2025, description="Batch seed; every run's seed derives from it."
    )
    levels: Levels
    world: Conditions = Conditions()
    start: Annotated[str, Field(pattern=r"^[12][0-9]{3}-(0[1-9]|1[0-2])$")] | None = None
    government: Government = Government()
    initial: Posture = Posture()
    structure: Structure = Structure()
    scale: Scales = Scales()
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
        """Every numeric knob that holds a number (not a schedule) by dotted path.

        Not included: name, seed, replications, events, the government's preset name, unset
        government overrides, and levels or world knobs given as schedules.
        """
        flat: dict[str, float] = {}
        data = self.model_dump(exclude={"name", "description", "seed", "replications", "events"})

        def walk(node: Any, prefix: str) -> None:
            for key, value in node.items():
                path = f"{prefix}{key}"
                if isinstance(value, dict):
                    walk(value, path + ".")
                elif isinstance(value, int | float) and not isinstance(value, bool):
                    flat[path] = float(value)

        walk(data, "")
        return flat

    def schedules(self) -> dict[str, tuple[tuple[int, float], ...]]:
        """Levels and world knobs given as schedules, by dotted path."""
        return {
            f"{section}.{key}": value
            for section in ("levels", "world")
            for key, value in getattr(self, section)
            if isinstance(value, tuple)
        }

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


SCHEDULED_FIELDS: tuple[str, ...] = tuple(
    f"{section}.{key}"
    for section, model in (("levels", Levels), ("world", Conditions))
    for key in model.model_fields
)
"""Knobs that may follow a schedule over months."""
GOVERNMENT_FIELDS: tuple[str, ...] = tuple(
    f"government.{key}" for key in Government.model_fields if key != "preset"
)
"""Overrides of the starting government's weights and decision style."""
LANE_FIELDS: tuple[str, ...] = (
    *SCHEDULED_FIELDS,
    *GOVERNMENT_FIELDS,
    *(f"initial.{key}" for key in Posture.model_fields),
    *(f"scale.{path}" for path in SCHEDULED_FIELDS),
    *structure_fields(),
)
"""Numeric fields that may differ from lane to lane (sweepable). ``steps`` and classification do not."""
LANE_SECTIONS: tuple[str, ...] = tuple(dict.fromkeys(field_path(p)[0] for p in LANE_FIELDS))
"""Sections whose numeric fields may differ from lane to lane, in order."""

DEFAULT_SCENARIO = Scenario(
    name="default",
    levels=Levels(us_pressure=0.35, china_coercion=0.3, nk_provocation=0.35),
)
"""The scenario used when ``sim.model.GeoModel`` is built without one (the 2025 baseline levels)."""
