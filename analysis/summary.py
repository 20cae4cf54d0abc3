"""Outcome shares per sweep point with 95% Wilson intervals, as pandas tables.

The numbers come from :mod:`sim.contract.summary` (the same code that writes ``summary.csv``); this
module groups a loaded ``runs`` table and wraps them in DataFrames. :mod:`analysis.precision` says
whether the intervals are tight enough; :mod:`analysis.table` prints the table.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from sim.contract.outcomes import OUTCOMES
from sim.contract.summary import (
    FIXED_COLUMNS,
    SHARE_COLUMNS,
    Z95,
    share_columns,
    summarise_runs_file,
    wilson_interval,
)

__all__ = [
    "Z95",
    "outcome_counts",
    "parameter_columns",
    "pooled_shares",
    "shares_from_counts",
    "summarise",
    "summarise_file",
    "wilson_interval",
]

DEFAULT_MAX_HALF_WIDTH = 0.05
"""Interval half-width (5 percentage points) above which a point is flagged as imprecise."""


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
    columns = share_columns(counts[list(OUTCOMES)].to_numpy(dtype=float), z)
    return pd.DataFrame(columns, index=counts.index)


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
    """:func:`summarise` of a ``runs.parquet`` read in batches (the table ``summary.csv`` holds).

    Args:
        runs_path: the ``runs.parquet`` file or directory of parts.
        parameters: swept parameter columns to carry over.
        batch_size: rows read at a time.

    Returns:
        The same table as :func:`summarise` on the whole file
        (:func:`sim.contract.summary.summarise_runs_file`).

    Raises:
        ResultsError: the file cannot be read, lacks a column, holds no runs or an unknown class.
    """
    return pd.DataFrame(summarise_runs_file(runs_path, parameters, batch_size))
