"""The live ensemble behind the explorer app: many lanes of one scenario, summarised at once.

:func:`run_ensemble` runs R runs of a scenario through the lane engine (one :func:`sim.model.simulate`
call, not one Mesa model per run) and returns an :class:`Ensemble`: the per-run table (as in
``runs.parquet``), the outcome shares with 95% Wilson intervals, and fan tables of the main
variables. Run ``k`` uses the same seed as replicate ``k`` of ``hedgesim run`` with the same batch
seed, so the explorer's numbers are the command line's numbers. Nothing here draws; the app
(:mod:`hedgesim.app`) draws with :mod:`analysis.plots`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from analysis.plots.fans import ALL_RUNS, FAN_COLUMNS, FAN_VARIABLES
from analysis.summary import summarise
from sim.contract.columns import FINAL_VARIABLES
from sim.contract.outcomes import OUTCOMES
from sim.model import simulate
from sim.plan import run_seeds
from sim.scenario import Scenario

DEFAULT_RUNS = 1000
"""Runs per recompute: 95% intervals of about ±3 points, well under a second on one core."""
RUN_CHOICES: tuple[int, ...] = (500, 1000, 2000, 4000)
"""Ensemble sizes the app offers."""

SLIDERS: dict[str, tuple[str, float, float, float]] = {
    "levels.us_pressure": ("US pressure", 0.0, 1.0, 0.05),
    "levels.china_coercion": ("China's coercion", 0.0, 1.0, 0.05),
    "levels.nk_provocation": ("North Korean provocation", 0.0, 1.0, 0.05),
    "world.us_china_tension": ("US-China tension", 0.0, 1.0, 0.05),
    "world.china_inducement": ("China's inducement", 0.0, 1.0, 0.05),
}
"""Dotted scenario path -> (label, min, max, step) of each slider."""

QUANTILES = (0.1, 0.5, 0.9)


def slider_values(scenario: Scenario) -> dict[str, float]:
    """The scenario's value of every slider knob.

    Args:
        scenario: the scenario.

    Returns:
        dotted path -> value, for every key of :data:`SLIDERS`; a knob given as a schedule shows
        its last value.
    """
    fields = scenario.numeric_fields()
    schedules = scenario.schedules()
    return {
        path: fields[path] if path in fields else float(schedules[path][-1][1]) for path in SLIDERS
    }


def scheduled(scenario: Scenario) -> set[str]:
    """The slider knobs the scenario gives as schedules (a slider moved replaces the schedule)."""
    return set(SLIDERS) & set(scenario.schedules())


def moved(scenario: Scenario, values: Mapping[str, float]) -> dict[str, float]:
    """The slider values that differ from the scenario's own (only those override it).

    Args:
        scenario: the scenario.
        values: the sliders' current values.

    Returns:
        dotted path -> value of the sliders that were moved.
    """
    own = slider_values(scenario)
    return {path: float(v) for path, v in values.items() if abs(float(v) - own[path]) > 1e-12}


@dataclass(frozen=True)
class Ensemble:
    """R runs of one scenario, held in memory.

    Args:
        scenario: the scenario that was run (sliders applied).
        runs: one row per run: ``run_id``, ``point_id`` (0), ``replicate``, ``seed``, ``outcome``
            and the final-window means (the ``runs.parquet`` columns).
        trajectories: variable -> array of shape (R, steps).
        seconds: wall time of the simulation.
    """

    scenario: Scenario
    runs: pd.DataFrame = field(repr=False)
    trajectories: Mapping[str, np.ndarray] = field(repr=False)
    seconds: float = 0.0

    @property
    def n_runs(self) -> int:
        """Number of runs."""
        return len(self.runs)

    @cached_property
    def summary(self) -> pd.DataFrame:
        """One-row summary table (share, lo, hi per class), as in ``summary.csv``."""
        return summarise(self.runs)

    def shares(self) -> dict[str, tuple[float, float, float]]:
        """Class -> (share, lo, hi) with the 95% Wilson interval, in :data:`OUTCOMES` order."""
        row = self.summary.iloc[0]
        return {c: (row[f"share_{c}"], row[f"lo_{c}"], row[f"hi_{c}"]) for c in OUTCOMES}

    def fan(
        self, variables: Sequence[str] = FAN_VARIABLES, by_outcome: bool = False
    ) -> pd.DataFrame:
        """Median and 10–90% band per step over all runs (or per final outcome).

        Args:
            variables: trajectory variables.
            by_outcome: one group per outcome class present instead of one over all runs.

        Returns:
            A fan table with columns :data:`analysis.plots.fans.FAN_COLUMNS`.
        """
        outcome = self.runs["outcome"].to_numpy()
        groups = [(ALL_RUNS, np.ones(len(outcome), dtype=bool))]
        if by_outcome:
            groups = [(c, outcome == c) for c in OUTCOMES if (outcome == c).any()]
        steps = np.arange(1, self.scenario.steps + 1)
        frames = []
        for group, mask in groups:
            for variable in variables:
                q = np.quantile(self.trajectories[variable][mask], QUANTILES, axis=0)
                frames.append(
                    pd.DataFrame(
                        {
                            "group": group,
                            "variable": variable,
                            "step": steps,
                            "q10": q[0],
                            "q50": q[1],
                            "q90": q[2],
                            "n_runs": int(mask.sum()),
                        }
                    )
                )
        return pd.concat(frames, ignore_index=True)[list(FAN_COLUMNS)]


def run_ensemble(
    scenario: Scenario,
    runs: int = DEFAULT_RUNS,
    *,
    seed: int | None = None,
    values: Mapping[str, float] | None = None,
) -> Ensemble:
    """Run an ensemble of one scenario in a single lane-engine call.

    Args:
        scenario: the scenario.
        runs: number of runs R.
        seed: batch seed (default: the scenario's); run seeds derive from it as in ``hedgesim run``.
        values: dotted path -> value replacing scenario knobs (the sliders), validated.

    Returns:
        the ensemble.
    """
    if values:
        scenario = scenario.with_values(dict(values))
    batch_seed = scenario.seed if seed is None else seed
    seeds = run_seeds(batch_seed, runs)
    started = time.perf_counter()
    result = simulate(scenario, seeds)
    seconds = time.perf_counter() - started
    frame = pd.DataFrame(
        {
            "run_id": np.arange(runs, dtype=np.int64),
            "point_id": np.zeros(runs, dtype=np.int64),
            "replicate": np.arange(runs, dtype=np.int64),
            "seed": seeds,
            "outcome": np.asarray(OUTCOMES)[np.asarray(result.finals["outcome"], dtype=np.int64)],
            **{v: np.asarray(result.finals[v], dtype=float) for v in FINAL_VARIABLES},
            "launches": np.asarray(result.finals["launches"], dtype=np.int64),
        }
    )
    return Ensemble(scenario, frame, result.trajectories, seconds)
