"""Sweep files: which lane fields vary, over which values, with which sampler.

A sweep file names a base scenario and a set of parameters (dotted lane-field paths); the sampler
turns them into sweep points, numbered in the sampler's own order (for Sobol and Morris, the row order
of SALib's sample, so ``point_id`` indexes SALib's design matrix)::

    name: pressure-coercion-grid
    base: ../baseline.yaml          # a scenario file, relative to this file
    replications: 200
    seed: 11
    sampler: grid                   # grid | lhs | sobol | morris
    parameters:
      levels.us_pressure: {values: [0.0, 0.5, 1.0]}
      levels.china_coercion: {low: 0.0, high: 1.0, steps: 5}

Every problem is an :class:`~sim.loader.InputError` naming the sweep file and line.
"""

from __future__ import annotations

import copy
import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sim.design import MAX_POINTS, design_matrix, sampler_info
from sim.input_errors import FileChecker
from sim.loader import LineIndex, read_yaml, validate_data
from sim.plan import MAX_BLOCK_SIZE, RunPlan
from sim.scenario import LANE_FIELDS, Scenario, field_path


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ParameterSpec(_Frozen):
    """The values of one swept parameter.

    Grid: either ``values`` or ``low``, ``high`` and ``steps`` (evenly spaced, both ends included).
    LHS, Sobol and Morris: ``low`` and ``high``.
    """

    values: Annotated[tuple[float, ...], Field(min_length=1)] | None = None
    low: float | None = None
    high: float | None = None
    steps: Annotated[int, Field(ge=2, le=100_000)] | None = None


class Sweep(_Frozen):
    """A sweep file.

    Args:
        name: identifier used in folder names.
        description: what the sweep explores.
        base: the base scenario file, relative to the sweep file.
        replications: runs per point (default: the base scenario's).
        seed: batch seed (default: the base scenario's); also seeds LHS, Sobol and Morris.
        sampler: ``grid`` (full product), ``lhs``, ``sobol`` (Saltelli scheme) or ``morris``.
        samples: LHS points, or SALib's N for Sobol and Morris.
        calc_second_order: Sobol only: sample for second-order indices too (default false).
        morris_levels: Morris only: grid levels (default :data:`sim.contract.manifest.MORRIS_LEVELS`).
        block_size: runs per block (default 8192).
        trajectory_sample: replicates per point whose trajectories are kept (default 20).
        parameters: dotted lane-field path to its values.
    """

    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
    description: str = ""
    base: Annotated[str, Field(min_length=1)]
    replications: Annotated[int, Field(ge=1, le=10_000_000)] | None = None
    seed: Annotated[int, Field(ge=0, lt=2**63)] | None = None
    sampler: Literal["grid", "lhs", "sobol", "morris"] = "grid"
    samples: Annotated[int, Field(ge=1, le=MAX_POINTS)] | None = None
    calc_second_order: bool | None = None
    morris_levels: Annotated[int, Field(ge=2, le=1000)] | None = None
    block_size: Annotated[int, Field(ge=1, le=MAX_BLOCK_SIZE)] | None = None
    trajectory_sample: Annotated[int, Field(ge=0)] = 20
    parameters: Annotated[dict[str, ParameterSpec], Field(min_length=1)]


@dataclass(frozen=True)
class ResolvedSweep:
    """A validated sweep with its base scenario and points.

    Args:
        sweep: the sweep file's content.
        path: the sweep file.
        scenario: the base scenario.
        points: ``point_id`` and one column per parameter, in sampler order.
        sampler: the manifest's sampler block.
    """

    sweep: Sweep
    path: Path
    scenario: Scenario
    points: pd.DataFrame
    sampler: dict[str, Any]

    def plan(self) -> RunPlan:
        """The run plan of this sweep."""
        return RunPlan(
            name=self.sweep.name,
            kind="sweep",
            scenario=self.scenario,
            points=self.points,
            replications=self.sweep.replications or self.scenario.replications,
            batch_seed=self.sweep.seed if self.sweep.seed is not None else self.scenario.seed,
            block_size=self.sweep.block_size,
            trajectory_sample=self.sweep.trajectory_sample,
            sweep=self.sweep.model_dump(mode="json"),
            sampler=self.sampler,
        )


def looks_like_sweep(data: Any) -> bool:
    """Whether loaded YAML data is meant as a sweep file rather than a scenario.

    Scenarios have none of the keys ``base``, ``parameters`` and ``sampler``; a sweep has all but the
    last, so a sweep file with a mistake is still validated (and reported) as a sweep.
    """
    return isinstance(data, dict) and bool({"base", "parameters", "sampler"} & set(data))


def load_sweep(path: str | Path, loaded: tuple[Any, LineIndex] | None = None) -> ResolvedSweep:
    """Read, validate and resolve a sweep file.

    Args:
        path: the sweep YAML file.
        loaded: its content and line index when already read (:func:`sim.loader.read_yaml`).

    Returns:
        the resolved sweep.

    Raises:
        InputError: any problem with the sweep file or its base scenario, with file and line.
    """
    path = Path(path)
    data, index = loaded if loaded is not None else read_yaml(path)
    sweep = validate_data(data, Sweep, path, index)
    check = FileChecker(path, index)
    base = (path.parent / sweep.base).resolve()
    if not base.exists():
        raise check.fail(f"base scenario file not found: {base}", "base")
    base_data, base_index = read_yaml(base)
    if not isinstance(base_data, dict):  # e.g. /etc/passwd: say so without quoting the file
        raise check.fail(f"{base} is not a scenario file (no mapping of keys to values)", "base")
    scenario = validate_data(base_data, Scenario, base, base_index)
    if sweep.seed is None:  # the base scenario's seed is the batch seed and seeds the sampler
        sweep = sweep.model_copy(update={"seed": scenario.seed})
    _check_sampler_options(sweep, check)
    axes = {
        name: _axis(sweep, name, spec, scenario, check) for name, spec in sweep.parameters.items()
    }
    matrix = design_matrix(sweep, axes, check.fail)
    _check_points(matrix, list(axes), scenario, check)
    points = pd.DataFrame(matrix, columns=list(axes))
    points.insert(0, "point_id", np.arange(len(points), dtype=np.int64))
    return ResolvedSweep(sweep, path, scenario, points, sampler_info(sweep, axes))


def _check_sampler_options(sweep: Sweep, check: FileChecker) -> None:
    kind = sweep.sampler
    if kind == "grid" and sweep.samples is not None:
        raise check.fail("only for lhs, sobol and morris (a grid is the full product)", "samples")
    if kind != "grid" and sweep.samples is None:
        raise check.fail(f"sampler {kind} needs 'samples'", "sampler")
    if kind == "sobol" and sweep.samples is not None and sweep.samples & (sweep.samples - 1):
        raise check.fail(f"must be a power of 2 for sobol, got {sweep.samples}", "samples")
    if kind != "sobol" and sweep.calc_second_order is not None:
        raise check.fail("only for sampler sobol", "calc_second_order")
    if kind != "morris" and sweep.morris_levels is not None:
        raise check.fail("only for sampler morris", "morris_levels")


def _axis(
    sweep: Sweep, name: str, spec: ParameterSpec, scenario: Scenario, check: FileChecker
) -> npt.NDArray[np.float64]:
    """The parameter's grid values (grid) or ``[low, high]`` (other samplers), each validated."""
    loc = ("parameters", name)
    if name not in LANE_FIELDS:
        if name in scenario.numeric_fields():
            raise check.fail("cannot vary between runs (not a per-lane field)", *loc)
        close = difflib.get_close_matches(name, LANE_FIELDS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise check.fail(f"unknown parameter{hint}", *loc)
    ranged = spec.low is not None or spec.high is not None
    if sweep.sampler == "grid":
        if (spec.values is None) == (not ranged and spec.steps is None):
            raise check.fail("give either 'values' or 'low', 'high' and 'steps'", *loc)
        if spec.values is not None:
            if len(set(spec.values)) != len(spec.values):
                raise check.fail("duplicate values", *loc, "values")
            values = np.array(spec.values, dtype=np.float64)
            for i, v in enumerate(values):
                _check_value(name, float(v), scenario, check, (*loc, "values", i))
            return values
        if spec.low is None or spec.high is None or spec.steps is None:
            raise check.fail("a grid range needs 'low', 'high' and 'steps'", *loc)
    else:
        if spec.values is not None or spec.steps is not None:
            raise check.fail(f"sampler {sweep.sampler} takes only 'low' and 'high'", *loc)
        if spec.low is None or spec.high is None:
            raise check.fail("needs 'low' and 'high'", *loc)
    if not spec.low < spec.high:
        raise check.fail(f"'low' ({spec.low}) must be below 'high' ({spec.high})", *loc)
    _check_value(name, spec.low, scenario, check, (*loc, "low"))
    _check_value(name, spec.high, scenario, check, (*loc, "high"))
    if sweep.sampler == "grid" and spec.steps is not None:
        return np.round(np.linspace(spec.low, spec.high, spec.steps), 12)
    return np.array([spec.low, spec.high], dtype=np.float64)


def _first_error(error: ValidationError) -> str:
    first = error.errors(include_url=False)[0]
    return str(first["msg"]).removeprefix("Value error, ")


def _check_value(
    name: str, value: float, scenario: Scenario, check: FileChecker, loc: tuple[str | int, ...]
) -> None:
    try:
        scenario.with_values({name: value})
    except ValidationError as error:
        raise check.fail(
            f"{value:g} is not allowed for {name}: {_first_error(error)}", *loc
        ) from None


def _check_points(
    matrix: npt.NDArray[np.float64], names: list[str], scenario: Scenario, check: FileChecker
) -> None:
    """Validate every point's combination, section by section (cross-field rules live there)."""
    base = scenario.model_dump()
    sections: dict[str, list[int]] = {}
    for j, name in enumerate(names):
        sections.setdefault(field_path(name)[0], []).append(j)
    for section, cols in sections.items():
        model = type(getattr(scenario, section))
        combos, first = np.unique(matrix[:, cols], axis=0, return_index=True)
        for combo, row in zip(combos, first, strict=True):
            data = copy.deepcopy(base[section])
            for j, value in zip(cols, combo, strict=True):
                *parents, leaf = field_path(names[j])[1:]
                node = data
                for part in parents:  # nested sections, e.g. structure.usa.tariff_rate
                    node = node[part]
                node[leaf] = float(value)
            try:
                model.model_validate(data)
            except ValidationError as error:
                shown = ", ".join(f"{names[j]}={v:g}" for j, v in zip(cols, combo, strict=True))
                message = f"point {int(row)} ({shown}): {_first_error(error)}"
                raise check.fail(message, "parameters", names[cols[0]]) from None


def load_batch_file(
    path: str | Path, loaded: tuple[Any, LineIndex] | None = None
) -> Scenario | ResolvedSweep:
    """Read a YAML file once and load it as what it is: a scenario or a sweep.

    Args:
        path: the file.
        loaded: its content and line index when already read (:func:`sim.loader.read_yaml`).

    Returns:
        the scenario, or the resolved sweep (see :func:`looks_like_sweep`).

    Raises:
        InputError: any problem with the file, with file and line.
    """
    path = Path(path)
    data, index = loaded if loaded is not None else read_yaml(path)
    if looks_like_sweep(data):
        return load_sweep(path, (data, index))
    return validate_data(data, Scenario, path, index)
