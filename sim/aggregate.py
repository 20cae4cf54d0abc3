"""Aggregate mode: per-point tables instead of per-run rows, for very large sweeps.

The format is the contract's (:mod:`sim.contract.aggregate`). Here: choosing the mode for a plan
(:func:`choose_aggregate`), what a block sends back in that mode (:class:`AggregateSpec`,
:meth:`AggregateSpec.tables`) and the exact merge of the blocks' tables at compaction
(:class:`AggregateMerger`). A point cut by block boundaries (possibly spanning many blocks) is held
as dense counts until its last run is merged; counts and integer sums add, so the result does not
depend on the block size, the worker count or the backend.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from sim.contract.aggregate import (
    AGGREGATE_THRESHOLD,
    COUNT_COLUMNS,
    FINAL_BINS,
    FINALS_SCHEMA,
    FIXED_POINT_SCALE,
    HIST_VARIABLES,
    SAMPLE_LIMIT,
    SAMPLE_PER_POINT,
    SUM_COLUMNS,
    TRAJECTORY_ROWS,
    final_bins,
    fixed_point,
    in_sample,
    points_schema,
    sample_quota,
)
from sim.contract.columns import FINAL_VARIABLES
from sim.contract.manifest import Aggregate, Manifest
from sim.contract.outcomes import OUTCOMES
from sim.plan import RunPlan

AGGREGATE_PART_KINDS: tuple[str, ...] = ("points", "finals")
"""Extra parts of each block of an aggregate batch (besides the per-run folder's)."""
_VARIABLES = pa.array(HIST_VARIABLES, type=pa.string())
_N_VARS = len(HIST_VARIABLES)


def choose_aggregate(plan: RunPlan, asked: bool | None) -> tuple[RunPlan, str | None]:
    """The plan in aggregate mode when asked, or by default above :data:`AGGREGATE_THRESHOLD` runs.

    Args:
        plan: the batch.
        asked: ``--aggregate`` (True), ``--no-aggregate`` (False) or neither (None).

    Returns:
        the plan (with ``aggregate`` set) and a note for the user when the mode was chosen for them.
    """
    if asked is None and plan.n_runs > AGGREGATE_THRESHOLD:
        note = (
            f"{plan.n_runs:,} runs (more than {AGGREGATE_THRESHOLD:,}): writing per-point aggregates"
            " and a bounded sample of runs, not one row per run (--no-aggregate to keep every row)"
        )
        return replace(plan, aggregate=True), note
    return replace(plan, aggregate=bool(asked)), None


def aggregate_record(plan: RunPlan) -> Aggregate | None:
    """The manifest's ``aggregate`` record of a plan (None unless it runs in aggregate mode).

    Args:
        plan: the batch.

    Returns:
        the record: how the sample and trajectories are chosen, the histogram bins, the sums' unit.
    """
    if not plan.aggregate:
        return None
    k, stride = sample_quota(plan.n_points, plan.replications, SAMPLE_PER_POINT, SAMPLE_LIMIT)
    wanted = min(plan.trajectory_sample, plan.replications)
    limit = max(1, TRAJECTORY_ROWS // plan.scenario.steps)
    tk, tstride = sample_quota(plan.n_points, plan.replications, wanted, limit)
    return Aggregate(
        sample_per_point=k,
        sample_stride=stride,
        trajectory_per_point=tk if wanted else 0,
        trajectory_stride=tstride,
        final_bins=FINAL_BINS,
        fixed_point_scale=FIXED_POINT_SCALE,
    )


@dataclass(frozen=True)
class AggregateSpec:
    """What a block of an aggregate batch keeps (picklable; part of :class:`~sim.blocks.BlockTask`).

    Args:
        parameters: the swept parameters (the per-point columns of ``points.parquet``).
        record: the manifest's ``aggregate`` record.
    """

    parameters: tuple[str, ...]
    record: Aggregate

    @classmethod
    def of(cls, plan: RunPlan) -> AggregateSpec | None:
        """The spec of a plan, or None when it does not run in aggregate mode."""
        record = aggregate_record(plan)
        return None if record is None else cls(plan.parameters, record)

    def sampled(
        self, point_ids: npt.NDArray[np.int64], replicates: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.bool_]:
        """Which runs go to ``sample.parquet``."""
        r = self.record
        return in_sample(point_ids, replicates, r.sample_per_point, r.sample_stride)

    def traced(
        self, point_ids: npt.NDArray[np.int64], replicates: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.bool_]:
        """Which runs go to ``trajectories.parquet``."""
        r = self.record
        return in_sample(point_ids, replicates, r.trajectory_per_point, r.trajectory_stride)

    def tables(
        self,
        point_ids: npt.NDArray[np.int64],
        codes: npt.NDArray[np.integer],
        finals: Mapping[str, npt.NDArray[np.generic]],
        lane_values: Mapping[str, npt.NDArray[np.float64]],
    ) -> dict[str, pa.Table]:
        """A block's ``points`` and ``finals`` parts.

        Args:
            point_ids: point of each run (non-decreasing: a block's runs are consecutive).
            codes: outcome code of each run (:data:`~sim.contract.outcomes.OUTCOMES` order).
            finals: per-run final values by variable (and ``launches``).
            lane_values: per-run swept values by dotted path.

        Returns:
            ``{"points": ..., "finals": ...}``.
        """
        starts = np.flatnonzero(np.r_[True, point_ids[1:] != point_ids[:-1]])
        local = np.cumsum(np.r_[False, point_ids[1:] != point_ids[:-1]])
        n = len(starts)
        counts = np.bincount(
            local * len(OUTCOMES) + np.asarray(codes, dtype=np.int64), minlength=n * len(OUTCOMES)
        ).reshape(n, len(OUTCOMES))
        columns: dict[str, npt.ArrayLike] = {"point_id": point_ids[starts]}
        for p in self.parameters:
            columns[p] = np.asarray(lane_values[p], dtype=np.float64)[starts]
        columns["n_runs"] = np.diff(np.r_[starts, len(point_ids)]).astype(np.int64)
        columns.update({c: counts[:, j] for j, c in enumerate(COUNT_COLUMNS)})
        launches = np.asarray(finals["launches"], dtype=np.int64)
        columns["launches_sum"] = np.add.reduceat(launches, starts)
        for v, s in zip(FINAL_VARIABLES, SUM_COLUMNS, strict=True):
            columns[s] = np.add.reduceat(fixed_point(finals[v]), starts)
        points = pa.table(columns, schema=points_schema(self.parameters))
        keys = np.concatenate(
            [
                (local * _N_VARS + j) * FINAL_BINS + final_bins(v, finals[v])
                for j, v in enumerate(HIST_VARIABLES)
            ]
        )
        dense = np.bincount(keys, minlength=n * _N_VARS * FINAL_BINS).reshape(
            n, _N_VARS, FINAL_BINS
        )
        return {"points": points, "finals": _sparse(point_ids[starts], dense)}


def _sparse(point_ids: npt.NDArray[np.int64], dense: npt.NDArray[np.int64]) -> pa.Table:
    """``finals`` rows of dense counts of shape (points, variables, bins): non-zero ones, in order."""
    flat = dense.ravel()
    nz = np.flatnonzero(flat)
    per_point = _N_VARS * FINAL_BINS
    return pa.table(
        {
            "point_id": point_ids[nz // per_point].astype(np.int64),
            "variable": _VARIABLES.take(pa.array((nz // FINAL_BINS) % _N_VARS)),
            "bin": (nz % FINAL_BINS).astype(np.int16),
            "count": flat[nz].astype(np.int64),
        },
        schema=FINALS_SCHEMA,
    )


def _dense(finals: pa.Table) -> npt.NDArray[np.int64]:
    """Dense (variables, bins) counts of one point's ``finals`` rows."""
    out = np.zeros((_N_VARS, FINAL_BINS), dtype=np.int64)
    var = pc.index_in(finals.column("variable"), value_set=_VARIABLES).to_numpy()
    np.add.at(out, (var, finals.column("bin").to_numpy()), finals.column("count").to_numpy())
    return out


def sample_of_block(
    manifest: Manifest, run_start: int, run_stop: int
) -> npt.NDArray[np.bool_] | None:
    """Which runs of a block its ``runs`` part holds in an aggregate folder (None: all of them).

    Args:
        manifest: the folder's manifest.
        run_start: first run id of the block.
        run_stop: one past its last.

    Returns:
        the mask over the block's runs, or None for a per-run folder.
    """
    record = manifest.aggregate
    if record is None:
        return None
    ids = np.arange(run_start, run_stop, dtype=np.int64)
    point, rep = ids // manifest.replications, ids % manifest.replications
    return in_sample(point, rep, record.sample_per_point, record.sample_stride)


def check_points(
    tables: Mapping[str, pa.Table], run_start: int, run_stop: int, replications: int
) -> str | None:
    """Why a block's ``points`` and ``finals`` parts do not belong to it (None when they do).

    Args:
        tables: the block's parts by kind.
        run_start: first run id of the block.
        run_stop: one past its last.
        replications: runs per point.

    Returns:
        a short reason, or None.
    """
    first, last = run_start // replications, (run_stop - 1) // replications
    for kind in AGGREGATE_PART_KINDS:
        ids = tables[kind].column("point_id").to_numpy()
        if ids.size and (ids.min() < first or ids.max() > last):
            return f"holds {kind} of points outside this block"
    points = tables["points"]
    n = int(np.sum(points.column("n_runs").to_numpy()))
    counted = sum(int(np.sum(points.column(c).to_numpy())) for c in COUNT_COLUMNS)
    if n != run_stop - run_start or counted != n:
        return f"counts {n:,} runs, not this block's {run_stop - run_start:,}"
    return None


class AggregateMerger:
    """Merges blocks' ``points`` and ``finals`` parts, in block order, into the final tables.

    Args:
        parameters: the swept parameters.
        replications: runs per point.
        emit_points: receives ``points.parquet`` rows in point order.
        emit_finals: receives ``finals.parquet`` rows in point order.
    """

    def __init__(
        self,
        parameters: Sequence[str],
        replications: int,
        emit_points: Callable[[pa.Table], None],
        emit_finals: Callable[[pa.Table], None],
    ) -> None:
        self.replications = replications
        self.schema = points_schema(parameters)
        self.emit_points = emit_points
        self.emit_finals = emit_finals
        self.sums = [
            f.name for f in self.schema if f.name != "point_id" and f.name not in parameters
        ]
        self.pending: pa.Table | None = None  # one row: the point still open
        self.pending_hist = np.zeros((_N_VARS, FINAL_BINS), dtype=np.int64)

    def _flush(self) -> None:
        if self.pending is not None:
            point = np.array([self.pending.column("point_id")[0].as_py()], dtype=np.int64)
            self.emit_points(self.pending)
            self.emit_finals(_sparse(point, self.pending_hist[None]))
            self.pending = None
            self.pending_hist[:] = 0

    def _open(self, row: pa.Table, finals: pa.Table) -> None:
        if self.pending is None:
            self.pending = row
        else:
            merged = {
                name: (
                    pa.array([self.pending.column(name)[0].as_py() + row.column(name)[0].as_py()])
                    if name in self.sums
                    else self.pending.column(name)
                )
                for name in self.schema.names
            }
            self.pending = pa.table(merged, schema=self.schema)
        self.pending_hist += _dense(finals)

    def add_block(self, points: pa.Table, finals: pa.Table, block_stop: int) -> None:
        """Take one block's parts (blocks must come in order).

        Args:
            points: the block's ``points`` part.
            finals: the block's ``finals`` part.
            block_stop: one past the block's last run id.
        """
        ids = points.column("point_id").to_numpy()
        fids = finals.column("point_id").to_numpy()
        if not len(ids):
            return
        first, last = int(ids[0]), int(ids[-1])
        pending_id = None if self.pending is None else self.pending.column("point_id")[0].as_py()
        lo = 0
        if pending_id == first:  # the open point goes on in this block
            self._open(points.slice(0, 1), finals.filter(pa.array(fids == first)))
            lo = 1
            if (first + 1) * self.replications <= block_stop:
                self._flush()
        else:
            self._flush()
        if lo == len(ids):
            return
        complete = (last + 1) * self.replications <= block_stop
        hi = len(ids) if complete else len(ids) - 1
        if hi > lo:
            self.emit_points(points.slice(lo, hi - lo))
            keep = (fids >= ids[lo]) & (fids <= ids[hi - 1])
            self.emit_finals(finals.filter(pa.array(keep)))
        if not complete:
            self._open(points.slice(len(ids) - 1, 1), finals.filter(pa.array(fids == last)))

    def close(self) -> None:
        """Write the last open point."""
        self._flush()
