"""The run plan of a batch: sweep points × replicates, their seeds, and the blocks they are cut into.

A plan is pure bookkeeping; nothing here runs the model. Run ``run_id = point_id * replications +
replicate`` and replicate ``k`` gets the same seed at every point (common random numbers, DESIGN §3), so
differences between points are not noise. Blocks are fixed-size slices of consecutive run ids and depend
only on the block size, never on the number of workers or the backend.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from sim.scenario import Scenario

if TYPE_CHECKING:
    from sim.calibration.posterior import PosteriorDraws

DEFAULT_BLOCK_SIZE = 2048
"""Runs per block unless the sweep file or ``--block-size`` says otherwise."""
MAX_BLOCK_SIZE = 65_536
"""Largest block: its lanes' noise and history (~8 MB per 1,000 lanes) must fit a worker."""
BLOCK_MEMORY_BUDGET = 1 << 30
"""Bytes one block may take in a worker (docs/results.md, "Blocks and memory")."""
BYTES_PER_LANE_STEP = 512
"""Worker memory per lane and month of a block: 356 to 409 bytes measured (2,048 lanes x 240 months,
1,024 x 1,200), plus margin."""
DEFAULT_TRAJECTORY_SAMPLE = 20
"""Replicates per sweep point whose full trajectories are kept."""
SINGLE_RUN_TRAJECTORY_SAMPLE = 1000
"""A single scenario keeps the trajectories of up to this many replicates (fans split by outcome)."""

Kind = Literal["run", "sweep"]


def block_size_cap(steps: int) -> int:
    """The largest block whose lanes x steps fit :data:`BLOCK_MEMORY_BUDGET`.

    Args:
        steps: months per run.

    Returns:
        at least 1 and at most :data:`MAX_BLOCK_SIZE` runs.
    """
    return max(1, min(MAX_BLOCK_SIZE, BLOCK_MEMORY_BUDGET // (BYTES_PER_LANE_STEP * steps)))


def effective_block_size(requested: int | None, steps: int) -> int:
    """The block size a batch uses: the requested one (or the default), capped by memory.

    Args:
        requested: runs per block from ``--block-size`` or the sweep file (None: the default).
        steps: months per run.

    Returns:
        runs per block.
    """
    return min(requested or DEFAULT_BLOCK_SIZE, block_size_cap(steps))


def run_seeds(batch_seed: int, replications: int) -> npt.NDArray[np.uint64]:
    """Seeds of the replicates, derived from the batch seed.

    Args:
        batch_seed: the batch seed (scenario or sweep ``seed``).
        replications: number of replicates per point.

    Returns:
        uint64 array of shape (replications,); replicate ``k`` uses element ``k`` at every point.
    """
    seq = np.random.SeedSequence(batch_seed)
    return seq.generate_state(replications, dtype=np.uint64)


def split_run_ids(
    run_ids: npt.NDArray[np.int64], replications: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Point and replicate of each run: ``run_id = point_id * replications + replicate``.

    Args:
        run_ids: run ids.
        replications: runs per point.

    Returns:
        ``(point_ids, replicates)``, each of the shape of ``run_ids``.
    """
    return run_ids // replications, run_ids % replications


@dataclass(frozen=True)
class Block:
    """One block of consecutive runs.

    Args:
        index: block number, 0-based.
        run_start: first run id of the block.
        run_stop: one past the last run id.
        point_ids: sweep point of each run, shape (n,).
        replicates: replicate index of each run, shape (n,).
        seeds: seed of each run, shape (n,).
        lane_values: per-run values of each swept parameter, by dotted path, each shape (n,).
    """

    index: int
    run_start: int
    run_stop: int
    point_ids: npt.NDArray[np.int64]
    replicates: npt.NDArray[np.int64]
    seeds: npt.NDArray[np.uint64]
    lane_values: dict[str, npt.NDArray[np.float64]]

    @property
    def n_runs(self) -> int:
        """Number of runs in the block."""
        return self.run_stop - self.run_start


@dataclass(frozen=True, eq=False)
class RunPlan:
    """Everything that defines *what* a batch computes (not how or where).

    Args:
        name: batch name (scenario or sweep name), used for the default results folder.
        kind: ``"run"`` for a single scenario, ``"sweep"`` for a sweep file.
        scenario: the resolved (base) scenario.
        points: DataFrame with ``point_id`` (0..n-1) and one float column per swept parameter.
        replications: replicates per point.
        batch_seed: seed from which run seeds derive.
        block_size: runs per block, or None for the default (or, on resume, the folder's).
        trajectory_sample: replicates per point whose trajectories are kept.
        sweep: the resolved sweep file (None for a single run), recorded in the manifest.
        sampler: sampler description for the manifest (kind, samples, SALib problem, options).
        posterior: calibrated coefficients each run draws from its seed (``--posterior``), or None.
        aggregate: keep per-point aggregates and a bounded sample of runs, not one row per run
            (:mod:`sim.aggregate`).
    """

    name: str
    kind: Kind
    scenario: Scenario
    points: pd.DataFrame
    replications: int
    batch_seed: int
    block_size: int | None = None
    trajectory_sample: int = DEFAULT_TRAJECTORY_SAMPLE
    sweep: dict[str, Any] | None = None
    sampler: dict[str, Any] = field(default_factory=lambda: {"kind": "none"})
    posterior: PosteriorDraws | None = None
    aggregate: bool = False

    def __post_init__(self) -> None:
        if list(self.points.columns[:1]) != ["point_id"]:
            raise ValueError("points must start with a point_id column")
        ids = self.points["point_id"].to_numpy()
        if not np.array_equal(ids, np.arange(len(ids))):
            raise ValueError("point_id must be 0..n_points-1 in order")
        if self.replications < 1:
            raise ValueError("replications must be at least 1")
        if self.block_size is not None and self.block_size < 1:
            raise ValueError("block_size must be at least 1")
        if self.posterior is not None and set(self.posterior.parameters) & set(self.parameters):
            raise ValueError("a parameter cannot be both swept and drawn from the posterior")

    @classmethod
    def single(
        cls,
        scenario: Scenario,
        *,
        replications: int | None = None,
        seed: int | None = None,
        block_size: int | None = None,
        trajectory_sample: int = SINGLE_RUN_TRAJECTORY_SAMPLE,
    ) -> RunPlan:
        """The plan of a single scenario: one point, no parameters.

        Args:
            scenario: the scenario.
            replications: overrides ``scenario.replications``.
            seed: overrides ``scenario.seed``.
            block_size: runs per block (None: default).
            trajectory_sample: replicates whose trajectories are kept.

        Returns:
            the plan; its recorded scenario carries the effective replications and seed.
        """
        updates: dict[str, Any] = {}
        if replications is not None:
            updates["replications"] = replications
        if seed is not None:
            updates["seed"] = seed
        if updates:
            scenario = scenario.with_values(updates)
        return cls(
            name=scenario.name,
            kind="run",
            scenario=scenario,
            points=pd.DataFrame({"point_id": np.zeros(1, dtype=np.int64)}),
            replications=scenario.replications,
            batch_seed=scenario.seed,
            block_size=block_size,
            trajectory_sample=trajectory_sample,
        )

    @property
    def parameters(self) -> tuple[str, ...]:
        """Swept parameters (dotted paths), in column order."""
        return tuple(str(c) for c in self.points.columns[1:])

    @property
    def n_points(self) -> int:
        """Number of sweep points."""
        return len(self.points)

    @property
    def n_runs(self) -> int:
        """Total number of runs."""
        return self.n_points * self.replications

    @cached_property
    def seeds(self) -> npt.NDArray[np.uint64]:
        """Seeds of the replicates (the same at every point)."""
        return run_seeds(self.batch_seed, self.replications)

    @cached_property
    def _point_matrix(self) -> npt.NDArray[np.float64]:
        return (
            self.points[list(self.parameters)]
            .to_numpy(dtype=np.float64)
            .reshape(self.n_points, len(self.parameters))
        )

    def n_blocks(self, block_size: int) -> int:
        """Number of blocks at a given block size.

        Args:
            block_size: runs per block.

        Returns:
            ``ceil(n_runs / block_size)``.
        """
        return -(-self.n_runs // block_size)

    def block(self, index: int, block_size: int) -> Block:
        """One block of the plan.

        Args:
            index: block number, ``0 <= index < n_blocks(block_size)``.
            block_size: runs per block.

        Returns:
            the block's runs with their points, replicates, seeds and parameter values.
        """
        if not 0 <= index < self.n_blocks(block_size):
            raise IndexError(f"block {index} out of range")
        start = index * block_size
        stop = min(start + block_size, self.n_runs)
        run_ids = np.arange(start, stop, dtype=np.int64)
        point_ids, replicates = split_run_ids(run_ids, self.replications)
        matrix = self._point_matrix
        lane_values = {
            name: np.ascontiguousarray(matrix[point_ids, j])
            for j, name in enumerate(self.parameters)
        }
        seeds = self.seeds[replicates]
        if self.posterior is not None:
            lane_values.update(self.posterior.lane_values(seeds))
        return Block(
            index=index,
            run_start=start,
            run_stop=stop,
            point_ids=point_ids,
            replicates=replicates,
            seeds=seeds,
            lane_values=lane_values,
        )

    def fingerprint(self) -> str:
        """A hash of what the batch computes: resolved scenario, sweep, points, seeds, sampling.

        Two plans with the same fingerprint produce the same runs, so a results folder may be
        resumed only by a plan with its fingerprint. The block size is checked separately.

        Returns:
            hex SHA-256 digest.
        """
        payload = {
            "kind": self.kind,
            "scenario": self.scenario.model_dump(mode="json"),
            "sweep": self.sweep,
            "replications": self.replications,
            "batch_seed": self.batch_seed,
            "trajectory_sample": self.trajectory_sample,
            "parameters": list(self.parameters),
        }
        if self.posterior is not None:  # only then, so fingerprints of other plans do not change
            payload["posterior"] = self.posterior.fingerprint
        if self.aggregate:  # likewise: what is kept differs, so a resume must be in the same mode
            payload["aggregate"] = True
        digest = hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode())
        digest.update(np.ascontiguousarray(self._point_matrix).tobytes())
        return digest.hexdigest()
