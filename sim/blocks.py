"""One block of runs: the picklable task a worker receives and the tables it sends back.

:func:`run_block` runs a :class:`BlockTask` with :func:`sim.model.simulate` and tabulates it with the
contract's schemas: ``runs`` (one row per run), sampled ``trajectories``, the ``bands`` of the points
lying wholly inside the block and the ``hist`` counts of the points it shares with its neighbours.
Outcomes stay integer codes until the tables are built; their names are attached there, once.
A worker's memory stays at one block's (lanes x steps) however many blocks it runs: the model's
reference cycles are collected after each block rather than whenever the collector gets to them
(measured: +57 MB per block of 2,048 runs x 240 months without it).
"""

from __future__ import annotations

import gc
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from sim.aggregate import AggregateSpec
from sim.bands import block_bands
from sim.contract.columns import (
    FINAL_VARIABLES,
    TRAJECTORIES_SCHEMA,
    TRAJECTORY_VARIABLES,
    runs_schema,
)
from sim.contract.outcomes import outcome_names
from sim.model import simulate
from sim.plan import split_run_ids
from sim.scenario import Scenario
from sim.storage import BlockOutput


@dataclass(frozen=True)
class BlockTask:
    """Everything a worker needs to run one block (picklable, no references to the plan).

    Args:
        index: block number.
        scenario: the base scenario (frozen).
        run_start: first run id; the block's runs are consecutive.
        replications: runs per point.
        seeds: seed of each run, shape (n,).
        lane_values: swept parameter values per run, by dotted path, each shape (n,).
        trajectory_sample: replicates per point whose trajectories are kept.
        aggregate: in aggregate mode, what the block keeps instead of every run's row.
    """

    index: int
    scenario: Scenario
    run_start: int
    replications: int
    seeds: npt.NDArray[np.uint64]
    lane_values: dict[str, npt.NDArray[np.float64]]
    trajectory_sample: int
    aggregate: AggregateSpec | None = None


_HEAP = {"frozen": False}
"""Whether this process has moved its long-lived objects out of the cycle collector's sight."""


def _collect() -> None:
    """Collect the reference cycles a block left (a Mesa model and its agents refer to each other).

    :func:`sim.model.simulate` already frees the block's arrays, so this only catches small objects.
    After the first block the process's long-lived objects (modules, compiled kernels, caches) are
    frozen (:func:`gc.freeze`), so each later collection looks only at what is new: a full
    collection of the whole heap cost ~80-130 ms per 8,192-run block, ~20% of its time.
    """
    gc.collect()
    if not _HEAP["frozen"]:
        gc.freeze()
        _HEAP["frozen"] = True


def run_block(task: BlockTask) -> BlockOutput:
    """Run one block and tabulate it.

    Args:
        task: the block.

    Returns:
        the block's runs, sampled trajectories, bands of complete points and partial histograms.
    """
    n = len(task.seeds)
    run_ids = np.arange(task.run_start, task.run_start + n, dtype=np.int64)
    point_ids, replicates = split_run_ids(run_ids, task.replications)
    result = simulate(task.scenario, task.seeds, task.lane_values)
    _collect()
    outcomes = outcome_names(result.finals["outcome"])
    runs = pa.table(
        {
            "run_id": run_ids,
            "point_id": point_ids,
            "replicate": replicates,
            "seed": pa.array(task.seeds, type=pa.uint64()),
            **{path: np.asarray(v, dtype=np.float64) for path, v in task.lane_values.items()},
            "outcome": outcomes,
            **{v: np.asarray(result.finals[v], dtype=np.float64) for v in FINAL_VARIABLES},
            "launches": np.asarray(result.finals["launches"], dtype=np.int64),
        },
        schema=runs_schema(list(task.lane_values)),
    )
    spec = task.aggregate
    traced = (
        replicates < task.trajectory_sample if spec is None else spec.traced(point_ids, replicates)
    )
    sampled = np.flatnonzero(traced)
    steps = task.scenario.steps
    trajectories = pa.table(
        {
            "run_id": np.repeat(run_ids[sampled], steps),
            "point_id": np.repeat(point_ids[sampled], steps),
            "replicate": np.repeat(replicates[sampled], steps),
            "step": np.tile(np.arange(1, steps + 1, dtype=np.int64), len(sampled)),
            "outcome": outcomes.take(pa.array(np.repeat(sampled, steps))),
            **{
                v: np.asarray(result.trajectories[v][sampled], dtype=np.float64).ravel()
                for v in TRAJECTORY_VARIABLES
            },
        },
        schema=TRAJECTORIES_SCHEMA,
    )
    bands, hist = block_bands(point_ids, task.run_start, task.replications, result.panel)
    extra: dict[str, pa.Table] = {}
    if spec is not None:
        extra = spec.tables(point_ids, result.finals["outcome"], result.finals, task.lane_values)
        runs = runs.filter(pa.array(spec.sampled(point_ids, replicates)))
    return BlockOutput(task.index, runs, trajectories, bands, hist, extra)
