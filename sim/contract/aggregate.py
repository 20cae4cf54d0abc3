"""Aggregate results folders (docs/results.md, "Aggregate folders"): per-point tables, no per-run rows.

A sweep of very many runs (``hedgesim sweep --aggregate``, automatic above
:data:`AGGREGATE_THRESHOLD` runs) keeps, instead of one row per run:

- ``points.parquet``: per point, its swept parameters, ``n_runs``, the runs of each class
  (``n_<class>``), the sum of ``launches`` and fixed-point sums of every final variable
  (``sum_<variable>``: each run's value times :data:`FIXED_POINT_SCALE`, rounded to an integer, so
  that sums add exactly whatever the blocks);
- ``finals.parquet``: sparse per-point histograms of the final variables and of ``launches``
  (:data:`FINAL_BINS` bins, see :func:`final_bins`);
- ``sample.parquet``: the ``runs.parquet`` rows of a bounded, deterministic sample of runs
  (:func:`sample_quota`);
- ``bands.parquet`` (all runs, as for any folder) and ``trajectories.parquet`` (a bounded sample:
  at most :data:`TRAJECTORY_ROWS` rows).

Counts and integer sums add, so merged blocks give the same tables whatever the block size, the
worker count or the backend. The manifest's ``aggregate`` record says the folder is one.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.parquet as pq

from sim.contract.columns import FINAL_VARIABLES
from sim.contract.errors import ResultsError, first_line
from sim.contract.outcomes import OUTCOMES
from sim.contract.summary import share_columns

AGGREGATE_THRESHOLD = 20_000_000
"""A batch of more runs than this is written as an aggregate folder unless ``--no-aggregate``."""
SAMPLE_LIMIT = 1_000_000
"""Most rows of ``sample.parquet``."""
SAMPLE_PER_POINT = 1_000
"""Replicates per point kept in ``sample.parquet`` when the limit allows."""
TRAJECTORY_ROWS = 1_200_000
"""Most rows (runs x months) of an aggregate folder's ``trajectories.parquet``: 20,000 runs of 60
months."""
FIXED_POINT_SCALE = 1 << 32
"""``sum_<variable>`` holds the sum of ``round(value * FIXED_POINT_SCALE)`` over a point's runs."""
FINAL_BINS = 20
"""Histogram bins of the final variables: bin ``i`` holds ``[i/20, (i+1)/20)`` (1.0 in bin 19); for
``launches`` bin ``i`` holds exactly ``i`` launches and the last bin ``19 or more``."""
HIST_VARIABLES: tuple[str, ...] = (*FINAL_VARIABLES, "launches")
"""The variables of ``finals.parquet``."""

POINTS_FILE = "points.parquet"
FINALS_FILE = "finals.parquet"
SAMPLE_FILE = "sample.parquet"
AGGREGATE_FINAL_FILES: tuple[str, ...] = (
    POINTS_FILE,
    FINALS_FILE,
    SAMPLE_FILE,
    "trajectories.parquet",
    "bands.parquet",
)
"""The compacted files of a finished aggregate folder (``summary.csv`` is rebuilt from points)."""

COUNT_COLUMNS: tuple[str, ...] = tuple(f"n_{c}" for c in OUTCOMES)
SUM_COLUMNS: tuple[str, ...] = tuple(f"sum_{v}" for v in FINAL_VARIABLES)

FINALS_SCHEMA = pa.schema(
    [
        ("point_id", pa.int64()),
        ("variable", pa.string()),
        ("bin", pa.int16()),
        ("count", pa.int64()),
    ]
)
"""Schema of ``finals.parquet`` (only non-zero counts; sorted by point, variable order, bin)."""


def points_schema(parameters: Sequence[str]) -> pa.Schema:
    """Schema of ``points.parquet``.

    Args:
        parameters: the swept parameters (dotted paths), in plan order.

    Returns:
        the Arrow schema.
    """
    return pa.schema(
        [
            ("point_id", pa.int64()),
            *((p, pa.float64()) for p in parameters),
            ("n_runs", pa.int64()),
            *((c, pa.int64()) for c in COUNT_COLUMNS),
            ("launches_sum", pa.int64()),
            *((s, pa.int64()) for s in SUM_COLUMNS),
        ]
    )


def final_bins(variable: str, values: npt.ArrayLike) -> npt.NDArray[np.int16]:
    """The ``finals.parquet`` bin of each value of a variable.

    Args:
        variable: one of :data:`HIST_VARIABLES`.
        values: the values.

    Returns:
        bins 0..FINAL_BINS-1.
    """
    x = np.asarray(values, dtype=np.float64)
    if variable == "launches":
        return np.clip(x, 0, FINAL_BINS - 1).astype(np.int16)
    scaled = np.clip(x, 0.0, 1.0) * FINAL_BINS
    return np.minimum(scaled.astype(np.int16), FINAL_BINS - 1)


def fixed_point(values: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Values as integers in units of ``1 / FIXED_POINT_SCALE`` (what ``sum_<variable>`` adds).

    Args:
        values: floats (finals lie in [0, 1]).

    Returns:
        int64 array.
    """
    return np.rint(np.asarray(values, dtype=np.float64) * FIXED_POINT_SCALE).astype(np.int64)


def sample_quota(n_points: int, replications: int, per_point: int, limit: int) -> tuple[int, int]:
    """Which runs a bounded sample keeps: the first ``k`` replicates of every ``stride``-th point.

    Args:
        n_points: points in the plan.
        replications: runs per point.
        per_point: replicates wanted per point.
        limit: most runs in the sample.

    Returns:
        ``(k, stride)`` with ``k * ceil(n_points / stride) <= max(limit, 1)`` and ``k >= 1``.
    """
    stride = max(1, -(-n_points // max(limit, 1)))
    kept_points = -(-n_points // stride)
    k = max(1, min(per_point, replications, max(limit, 1) // kept_points))
    return k, stride


def in_sample(
    point_ids: npt.NDArray[np.int64], replicates: npt.NDArray[np.int64], k: int, stride: int
) -> npt.NDArray[np.bool_]:
    """Whether each run is in a sample of :func:`sample_quota`.

    Args:
        point_ids: point of each run.
        replicates: replicate of each run.
        k: replicates kept per kept point.
        stride: every ``stride``-th point is kept.

    Returns:
        boolean mask.
    """
    return (replicates < k) & (point_ids % stride == 0)


def summary_from_points(points: pa.Table, parameters: Sequence[str]) -> dict[str, np.ndarray]:
    """The ``summary.csv`` columns of a ``points.parquet`` table.

    Args:
        points: the table (sorted by point).
        parameters: the swept parameter columns.

    Returns:
        ``point_id``, the parameters and the share columns
        (:func:`sim.contract.summary.share_columns`).
    """
    counts = np.column_stack([points.column(c).to_numpy() for c in COUNT_COLUMNS])
    table: dict[str, np.ndarray] = {"point_id": points.column("point_id").to_numpy()}
    for p in parameters:
        table[p] = points.column(p).to_numpy()
    table.update(share_columns(counts))
    return table


def read_points(path: Path, parameters: Sequence[str]) -> pa.Table:
    """Read ``points.parquet`` (page checksums verified), refusing a bad one in one line.

    Args:
        path: the file.
        parameters: the swept parameters it must hold.

    Returns:
        the table, sorted by point.

    Raises:
        ResultsError: missing, unreadable, lacking a column, or empty.
    """
    if not path.exists():
        raise ResultsError(path, "not found")
    try:
        table = pq.read_table(path, page_checksum_verification=True)
    except (pa.ArrowException, OSError, ValueError) as error:
        raise ResultsError(path, f"cannot read Parquet: {first_line(error)}") from error
    missing = [c for c in points_schema(parameters).names if c not in table.column_names]
    if missing:
        raise ResultsError(path, f"missing required column(s): {', '.join(missing)}")
    if not table.num_rows:
        raise ResultsError(path, "contains no points")
    return table.sort_by("point_id")
