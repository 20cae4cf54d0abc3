"""Calibration files: what to fit, to which data, how, and with which budget.

A calibration file names a base scenario (a history replay with a ``start`` month), the free
parameters (dotted lane-field paths with prior ranges), the targets (observed annual series, each
with its observation model and error scales) and the method's budget::

    name: korea-unga-exports
    base: ../scenarios/history/korea-2013-2025.yaml   # relative to this file
    seed: 8
    fit_until: 2016                 # last year used for fitting; later years are held out
    parameters:
      structure.observation.unga_base: {low: 0.1, high: 0.7}
      structure.observation.unga_lean: {low: 0.05, high: 2.0, transform: log}
    targets:
      unga_position:
        file: ../analysis/data/unga_korea.csv
        column: unga_position
        observable: unga_position   # the model's monthly trajectory variable
        error_sd: 0.04
        discrepancy_sd: 0.03
    method: {kind: history_matching, waves: 3, points: 1024, replications: 8}

Every problem is an :class:`~sim.loader.InputError` naming the file, line and field (exit status 2
at the command line).
"""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sim.contract.columns import TRAJECTORY_VARIABLES
from sim.input_errors import FileChecker
from sim.loader import LineIndex, load_scenario, read_yaml, validate_data
from sim.plan import MAX_BLOCK_SIZE
from sim.scenario import LANE_FIELDS, Scenario

Year = Annotated[int, Field(ge=1900, le=2200)]
Positive = Annotated[float, Field(gt=0.0, le=10.0)]
NonNegative = Annotated[float, Field(ge=0.0, le=10.0)]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Prior(_Frozen):
    """A free parameter's prior: uniform on ``[low, high]`` after its transform.

    Args:
        low: smallest value (natural scale).
        high: largest value (natural scale).
        transform: ``linear`` (uniform in the value) or ``log`` (uniform in its logarithm; ``low``
            must then be positive).
    """

    low: float
    high: float
    transform: Literal["linear", "log"] = "linear"


class Target(_Frozen):
    """One observed annual series and how the model predicts it.

    Args:
        file: CSV file with a ``year`` column, relative to the calibration file.
        column: the column holding the observed values (empty cells: no observation).
        observable: the model's monthly trajectory variable (e.g. ``unga_position``).
        statistic: ``annual_mean``: the calendar-year mean of the monthly observable.
        error_sd: measurement error of one observation (standard deviation).
        discrepancy_sd: model discrepancy: how far the model may stand from the truth at the right
            coefficients (standard deviation).
        fit_until: last year of this series used for fitting (default: the file's ``fit_until``).
    """

    file: Annotated[str, Field(min_length=1)]
    column: Annotated[str, Field(min_length=1)]
    observable: str
    statistic: Literal["annual_mean"] = "annual_mean"
    error_sd: Positive
    discrepancy_sd: NonNegative = 0.0
    fit_until: Year | None = None


Month = Annotated[str, Field(pattern=r"^[12][0-9]{3}-(0[1-9]|1[0-2])$")]


class Episode(_Frozen):
    """A qualitative episode as a summary statistic: a variable's mean rises or falls.

    The statistic is the mean over the ``after`` window minus the mean over the ``before`` window.

    Args:
        variable: the model's monthly trajectory variable (e.g. ``us_alignment``).
        before: first and last month (``YYYY-MM``) of the reference window.
        after: first and last month of the window compared with it.
        expect: ``increase`` or ``decrease``.
        sd: tolerance: a change this large in the wrong direction is one standard deviation of
            implausibility.
        note: what happened, with its source.
    """

    variable: str
    before: tuple[Month, Month]
    after: tuple[Month, Month]
    expect: Literal["increase", "decrease"]
    sd: Positive = 0.02
    note: str = ""

    @property
    def sign(self) -> float:
        """+1 for an expected increase, -1 for a decrease."""
        return 1.0 if self.expect == "increase" else -1.0


class Method(_Frozen):
    """The inference method and its budget.

    Args:
        kind: ``history_matching`` (waves of space-filling designs with an implausibility cut).
        waves: number of waves.
        points: design points per wave (a power of 2 for the Sobol design).
        replications: runs per design point (common random numbers within a wave).
        cut: implausibility threshold (3 is Pukelsheim's three-sigma rule).
        margin: share of the box width added on each side when the next wave's box is drawn
            around the non-implausible points.
        design: ``sobol`` (scrambled Sobol sequence) or ``lhs`` (Latin hypercube), from SciPy.
        predictive_draws: posterior draws simulated for the predictive bands.
        block_size: runs per block handed to a worker.
    """

    kind: Literal["history_matching"] = "history_matching"
    waves: Annotated[int, Field(ge=1, le=20)] = 3
    points: Annotated[int, Field(ge=8, le=1_048_576)] = 1024
    replications: Annotated[int, Field(ge=2, le=1000)] = 8
    cut: Annotated[float, Field(gt=0.0, le=100.0)] = 3.0
    margin: Annotated[float, Field(ge=0.0, le=1.0)] = 0.1
    design: Literal["sobol", "lhs"] = "sobol"
    predictive_draws: Annotated[int, Field(ge=10, le=1_000_000)] = 1000
    block_size: Annotated[int, Field(ge=1, le=MAX_BLOCK_SIZE)] = 2048


class Calibration(_Frozen):
    """A calibration file (see the module docstring)."""

    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
    description: str = ""
    base: Annotated[str, Field(min_length=1)]
    seed: Annotated[int, Field(ge=0, lt=2**63)] = 0
    fit_until: Year = 2016
    parameters: Annotated[dict[str, Prior], Field(min_length=1, max_length=64)]
    targets: Annotated[dict[str, Target], Field(min_length=1)]
    episodes: dict[str, Episode] = Field(default_factory=dict)
    method: Method = Method()


@dataclass(frozen=True)
class Series:
    """The fitting rows of one target (held-out rows are never read here).

    Args:
        name: the target's name.
        target: its specification.
        years: fitting years with an observation, ascending.
        values: observed values, one per year.
    """

    name: str
    target: Target
    years: npt.NDArray[np.int64]
    values: npt.NDArray[np.float64]


@dataclass(frozen=True)
class ResolvedCalibration:
    """A validated calibration with its base scenario and fitting data.

    Args:
        spec: the file's content.
        path: the calibration file.
        scenario: the base scenario.
        series: per target, its fitting rows.
    """

    spec: Calibration
    path: Path
    scenario: Scenario
    series: tuple[Series, ...]

    @property
    def parameters(self) -> tuple[str, ...]:
        """Free parameters (dotted paths), in file order."""
        return tuple(self.spec.parameters)

    @property
    def first_year(self) -> int:
        """Calendar year of the replay's first month."""
        return int(str(self.scenario.start)[:4])

    @property
    def years(self) -> tuple[int, ...]:
        """Calendar years the replay covers completely."""
        start_month = int(str(self.scenario.start)[5:7])
        first = self.first_year + (start_month != 1)
        offset = (13 - start_month) % 12
        full = (self.scenario.steps - offset) // 12
        return tuple(range(first, first + full))

    def month_offset(self, year: int) -> int:
        """Index of January of ``year`` in the replay's months (0 = step 1)."""
        start_month = int(str(self.scenario.start)[5:7])
        return (year - self.first_year) * 12 - (start_month - 1)

    def month_index(self, month: str) -> int:
        """Index of a calendar month (``YYYY-MM``) in the replay's months (0 = step 1)."""
        year, number = int(month[:4]), int(month[5:7])
        return self.month_offset(year) + number - 1

    def data_path(self, target: Target) -> Path:
        """A target's data file, resolved against the calibration file."""
        return (self.path.parent / target.file).resolve()

    def fingerprint(self) -> str:
        """Hash of what the calibration computes: spec, base scenario and fitting data (only)."""
        payload = {
            "spec": self.spec.model_dump(mode="json"),
            "scenario": self.scenario.model_dump(mode="json"),
            "data": {s.name: [s.years.tolist(), s.values.tolist()] for s in self.series},
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def looks_like_calibration(data: Any) -> bool:
    """Whether loaded YAML data is meant as a calibration file (it has ``targets``)."""
    return isinstance(data, dict) and "targets" in data


def load_calibration(
    path: str | Path, loaded: tuple[Any, LineIndex] | None = None
) -> ResolvedCalibration:
    """Read, validate and resolve a calibration file, reading only the fitting rows of its data.

    Args:
        path: the calibration YAML file.
        loaded: its content and line index when already read (:func:`sim.loader.read_yaml`).

    Returns:
        the resolved calibration.

    Raises:
        InputError: any problem with the file, its base scenario or its data, with file and line.
    """
    from sim.calibration.observed import read_fitting_rows

    path = Path(path)
    data, index = loaded if loaded is not None else read_yaml(path)
    spec = validate_data(data, Calibration, path, index)
    check = FileChecker(path, index)
    base = (path.parent / spec.base).resolve()
    if not base.is_file():
        raise check.fail(f"base scenario file not found: {base}", "base")
    scenario = load_scenario(base)
    if scenario.start is None:
        raise check.fail("the base scenario has no 'start' month: not a history replay", "base")
    points = spec.method.points
    if spec.method.design == "sobol" and points & (points - 1):
        raise check.fail(
            f"must be a power of 2 for the sobol design, got {points}", "method", "points"
        )
    for name, prior in spec.parameters.items():
        _check_prior(name, prior, scenario, check)
    partial = ResolvedCalibration(spec, path, scenario, ())
    series = []
    for name, target in spec.targets.items():
        if target.observable not in TRAJECTORY_VARIABLES:
            close = difflib.get_close_matches(target.observable, TRAJECTORY_VARIABLES, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise check.fail(f"not a trajectory variable{hint}", "targets", name, "observable")
        until = target.fit_until or spec.fit_until
        years, values = read_fitting_rows(
            partial.data_path(target), target.column, until, check.fail, ("targets", name)
        )
        inside = np.isin(years, partial.years)
        if not inside.any():
            raise check.fail(
                f"no observation up to {until} within the replay's years "
                f"{partial.years[0]}-{partial.years[-1]}",
                "targets",
                name,
            )
        series.append(Series(name, target, years[inside], values[inside]))
    for name, episode in spec.episodes.items():
        _check_episode(partial, name, episode, check)
    return ResolvedCalibration(spec, path, scenario, tuple(series))


def _check_episode(
    cal: ResolvedCalibration, name: str, episode: Episode, check: FileChecker
) -> None:
    loc = ("episodes", name)
    if episode.variable not in TRAJECTORY_VARIABLES:
        close = difflib.get_close_matches(episode.variable, TRAJECTORY_VARIABLES, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise check.fail(f"not a trajectory variable{hint}", *loc, "variable")
    for key in ("before", "after"):
        first, last = (cal.month_index(m) for m in getattr(episode, key))
        if first > last:
            raise check.fail("the first month is after the last", *loc, key)
        if first < 0 or last >= cal.scenario.steps:
            raise check.fail("outside the replay's months", *loc, key)
        if int(getattr(episode, key)[1][:4]) > cal.spec.fit_until:
            raise check.fail(
                f"ends after fit_until ({cal.spec.fit_until}): it would fit to held-out years",
                *loc,
                key,
            )


def _check_prior(name: str, prior: Prior, scenario: Scenario, check: FileChecker) -> None:
    loc = ("parameters", name)
    if name not in LANE_FIELDS:
        close = difflib.get_close_matches(name, LANE_FIELDS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise check.fail(f"unknown parameter{hint}", *loc)
    if not prior.low < prior.high:
        raise check.fail(f"'low' ({prior.low}) must be below 'high' ({prior.high})", *loc)
    if prior.transform == "log" and prior.low <= 0:
        raise check.fail(f"a log prior needs 'low' > 0, got {prior.low}", *loc, "low")
    for key in ("low", "high"):
        value = getattr(prior, key)
        try:
            scenario.with_values({name: value})
        except ValidationError as error:
            first = str(error.errors(include_url=False)[0]["msg"]).removeprefix("Value error, ")
            raise check.fail(f"{value:g} is not allowed for {name}: {first}", *loc, key) from None


def to_natural(unit: npt.NDArray[np.float64], spec: Calibration) -> npt.NDArray[np.float64]:
    """Map points of the unit cube (the transformed prior box) to natural parameter values.

    Args:
        unit: shape (n, k), each column in [0, 1].
        spec: the calibration (its priors, in column order).

    Returns:
        shape (n, k) in natural units.
    """
    out = np.empty_like(unit, dtype=np.float64)
    for j, prior in enumerate(spec.parameters.values()):
        if prior.transform == "log":
            lo, hi = np.log(prior.low), np.log(prior.high)
            out[:, j] = np.exp(lo + unit[:, j] * (hi - lo))
        else:
            out[:, j] = prior.low + unit[:, j] * (prior.high - prior.low)
    return np.clip(
        out, [p.low for p in spec.parameters.values()], [p.high for p in spec.parameters.values()]
    )


def describe(spec: Calibration) -> dict[str, Any]:
    """The calibration file's content as plain JSON data (for the manifest)."""
    return spec.model_dump(mode="json")
