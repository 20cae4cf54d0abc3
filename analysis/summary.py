"""Outcome shares per sweep point with 95% Wilson intervals: ``summary.csv``.

The summary has one row per ``point_id``: the swept parameter values, ``n_runs``, ``modal_outcome``
and, for each class ``c`` in :data:`~analysis.classify.OUTCOMES` order, ``share_c``, ``lo_c``,
``hi_c``. :mod:`analysis.precision` says whether the intervals are tight enough;
:mod:`analysis.table` prints the table.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

from analysis.atomic import write_text_atomic
from analysis.classify import OUTCOMES
from analysis.results import (
    Results,
    ResultsError,
    check_outcomes,
    first_line,
    read_batches,
    read_manifest,
)

Z95 = 1.959963984540054
"""Standard-normal quantile for a two-sided 95% interval."""

DEFAULT_MAX_HALF_WIDTH = 0.05
"""Interval half-width (5 percentage points) above which a point is flagged as imprecise."""

FIXED_COLUMNS = ("point_id", "n_runs", "modal_outcome")
SHARE_COLUMNS = tuple(f"{prefix}_{c}" for c in OUTCOMES for prefix in ("share", "lo", "hi"))


def wilson_interval(
    k: npt.ArrayLike, n: npt.ArrayLike, z: float = Z95
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Wilson score interval for a binomial proportion, vectorised.

    Args:
        k: number of successes (array-like of counts, broadcast against ``n``).
        n: number of trials; where ``n == 0`` the interval is the uninformative ``(0, 1)``.
        z: standard-normal quantile (default: 95% two-sided).

    Returns:
        ``(lo, hi)`` arrays (0-d for scalar input) with ``0 <= lo <= k/n <= hi <= 1``.
    """
    k_arr = np.asarray(k, dtype=float)
    n_arr = np.asarray(n, dtype=float)
    safe_n = np.where(n_arr > 0, n_arr, 1.0)
    p = np.where(n_arr > 0, k_arr / safe_n, 0.5)
    z2 = z * z
    denom = 1.0 + z2 / safe_n
    centre = (p + z2 / (2.0 * safe_n)) / denom
    half = z / denom * np.sqrt(p * (1.0 - p) / safe_n + z2 / (4.0 * safe_n * safe_n))
    lo = np.clip(np.minimum(centre - half, p), 0.0, 1.0)
    hi = np.clip(np.maximum(centre + half, p), 0.0, 1.0)
    lo = np.where((n_arr > 0) & (k_arr > 0), lo, 0.0)
    hi = np.where((n_arr > 0) & (k_arr < n_arr), hi, 1.0)
    return lo[()], hi[()]


def outcome_counts(runs: pd.DataFrame, by: str | Sequence[str] = "point_id") -> pd.DataFrame:
    """Count runs per outcome class.

    Args:
        runs: rows of ``runs.parquet`` (needs ``outcome`` and the ``by`` columns).
        by: grouping column(s).

    Returns:
        Integer counts indexed by ``by`` with one column per class in OUTCOMES order.
    """
    counts = runs.groupby([*([by] if isinstance(by, str) else by), "outcome"]).size()
    return counts.unstack("outcome", fill_value=0).reindex(columns=list(OUTCOMES), fill_value=0)


def shares_from_counts(counts: pd.DataFrame, z: float = Z95) -> pd.DataFrame:
    """Turn per-class counts into ``n_runs``, ``modal_outcome`` and share/lo/hi columns.

    Args:
        counts: one column per class in OUTCOMES order (as from :func:`outcome_counts`).
        z: standard-normal quantile of the interval.

    Returns:
        A frame with the same index and columns ``n_runs``, ``modal_outcome``, ``share_c``,
        ``lo_c``, ``hi_c`` for each class ``c``.
    """
    k = counts[list(OUTCOMES)].to_numpy(dtype=float)
    n = k.sum(axis=1)
    out = pd.DataFrame(index=counts.index)
    out["n_runs"] = n.astype(np.int64)
    out["modal_outcome"] = np.asarray(OUTCOMES, dtype=object)[np.argmax(k, axis=1)]
    lo, hi = wilson_interval(k, n[:, None], z)
    share = k / np.where(n > 0, n, 1.0)[:, None]
    for j, c in enumerate(OUTCOMES):
        out[f"share_{c}"] = share[:, j]
        out[f"lo_{c}"] = lo[:, j]
        out[f"hi_{c}"] = hi[:, j]
    return out


def summarise(runs: pd.DataFrame, parameters: Sequence[str] = ()) -> pd.DataFrame:
    """Per-point outcome shares with 95% Wilson intervals (the ``summary.csv`` table).

    Args:
        runs: rows of ``runs.parquet``.
        parameters: swept parameter columns to carry over (constant within a point).

    Returns:
        One row per ``point_id`` (sorted) with columns ``point_id``, the parameters, ``n_runs``,
        ``modal_outcome`` and ``share_c``, ``lo_c``, ``hi_c`` per class.
    """
    table = shares_from_counts(outcome_counts(runs, "point_id"))
    if parameters:
        values = runs.groupby("point_id")[list(parameters)].first()
        table = values.join(table)
    return table.reset_index()


def parameter_columns(summary: pd.DataFrame) -> list[str]:
    """The swept parameter columns of a summary table.

    Args:
        summary: a table from :func:`summarise` or read from ``summary.csv``.

    Returns:
        Columns that are neither fixed nor share columns, in table order.
    """
    fixed = set(FIXED_COLUMNS) | set(SHARE_COLUMNS)
    return [column for column in summary.columns if column not in fixed]


def pooled_shares(summary: pd.DataFrame, z: float = Z95) -> pd.Series:
    """Outcome shares over all runs of all points (weights = runs per point).

    Args:
        summary: a summary table.
        z: standard-normal quantile of the interval.

    Returns:
        One row (as a Series) with ``n_runs``, ``modal_outcome`` and share/lo/hi per class.
    """
    shares = summary[[f"share_{c}" for c in OUTCOMES]].to_numpy(dtype=float)
    counts = np.rint(shares * summary["n_runs"].to_numpy(dtype=float)[:, None])
    frame = pd.DataFrame([counts.sum(axis=0)], columns=list(OUTCOMES))
    return shares_from_counts(frame, z).iloc[0]


def summarise_file(
    runs_path: Path, parameters: Sequence[str] = (), batch_size: int = 262_144
) -> pd.DataFrame:
    """:func:`summarise` of a ``runs.parquet`` read in batches: memory does not grow with its size.

    Rows may come in any order; a directory of parts is read (:func:`~analysis.results.read_batches`).

    Args:
        runs_path: the ``runs.parquet`` file or directory.
        parameters: swept parameter columns to carry over.
        batch_size: rows read at a time.

    Returns:
        The same table as :func:`summarise` on the whole file.

    Raises:
        ResultsError: the file cannot be read (or is corrupt), lacks a column, holds no runs or an
            unknown outcome class.
    """
    columns = ["point_id", "outcome", *parameters]
    counts: pd.DataFrame | None = None
    values: list[pd.DataFrame] = []
    try:
        for batch in read_batches(runs_path, columns, batch_size):
            frame = batch.to_pandas()
            check_outcomes(frame["outcome"], runs_path)
            part = outcome_counts(frame, "point_id")
            counts = part if counts is None else counts.add(part, fill_value=0)
            if parameters:
                values.append(frame.groupby("point_id")[list(parameters)].first())
    except (pa.ArrowException, OSError, ValueError, KeyError) as error:
        raise ResultsError(runs_path, f"cannot read Parquet: {first_line(error)}") from error
    if counts is None or counts.empty:
        raise ResultsError(runs_path, "contains no runs")
    table = shares_from_counts(counts.astype(np.int64).sort_index())
    if parameters:
        merged = pd.concat(values)
        table = merged[~merged.index.duplicated()].sort_index().join(table)
    return table.reset_index()


def write_summary(folder: Path | str | Results) -> Path:
    """Compute the summary of a results folder and write ``summary.csv`` atomically.

    Given a path, ``runs.parquet`` is read in batches (bounded memory, e.g. for 10^6-run sweeps).

    Args:
        folder: the results folder (or already loaded :class:`~analysis.results.Results`).

    Returns:
        Path of the written ``summary.csv``.

    Raises:
        ResultsError: the folder cannot be read.
    """
    if isinstance(folder, Results):
        path, table = folder.path, summarise(folder.runs, folder.parameters)
    else:
        path = Path(folder)
        parameters = list(read_manifest(path).get("parameters") or [])
        runs_path = path / "runs.parquet"
        if not runs_path.exists():
            raise ResultsError(runs_path, "not found")
        table = summarise_file(runs_path, parameters)
    text = table.to_csv(index=False, float_format="%.6g", lineterminator="\n")
    return write_text_atomic(path / "summary.csv", text)
