"""The calibration's lane task: one block of runs into annual statistics, on any executor.

A :class:`StatsTask` is picklable and self-contained like the engine's :class:`~sim.blocks.BlockTask`;
:func:`run_stats` runs it with :func:`sim.model.simulate` (all lanes of the block at once) and
returns, per run, the calendar-year means of the monthly observables the calibration compares with
data. Only these small arrays travel back from the workers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sim.model import simulate
from sim.scenario import Scenario


@dataclass(frozen=True)
class Window:
    """One statistic: the mean of a trajectory variable over some months (a calendar year by default).

    Args:
        variable: trajectory variable (e.g. ``unga_position``).
        offset: index of the first month (0 = step 1).
        length: number of months.
    """

    variable: str
    offset: int
    length: int = 12


@dataclass(frozen=True)
class StatsTask:
    """One block of calibration runs.

    Args:
        index: block number within its batch.
        scenario: the base scenario.
        seeds: run seed of each lane, shape (n,).
        lane_values: parameter values per lane by dotted path, each shape (n,).
        windows: the statistics to return.
    """

    index: int
    scenario: Scenario
    seeds: npt.NDArray[np.uint64]
    lane_values: dict[str, npt.NDArray[np.float64]]
    windows: tuple[Window, ...]


def run_stats(task: StatsTask) -> npt.NDArray[np.float64]:
    """Run one block and reduce it to its statistics.

    Args:
        task: the block.

    Returns:
        shape (n, len(windows)): each run's annual means.
    """
    result = simulate(task.scenario, task.seeds, task.lane_values)
    out = np.empty((len(task.seeds), len(task.windows)))
    for j, window in enumerate(task.windows):
        months = result.trajectories[window.variable][
            :, window.offset : window.offset + window.length
        ]
        out[:, j] = months.mean(axis=1)
    return out
