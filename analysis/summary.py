"""Outcome shares per sweep point with 95% Wilson intervals: ``summary.csv`` and the terminal table.

The summary has one row per ``point_id``: the swept parameter values, ``n_runs``, ``modal_outcome``
and, for each class ``c`` in :data:`~analysis.classify.OUTCOMES` order, ``share_c``, ``lo_c``,
``hi_c``. :func:`check_precision` says whether the intervals are tight enough and how many
replications would make them so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis.atomic import write_text_atomic
from analysis.classify import OUTCOMES
from analysis.results import Results, ResultsError, read_manifest
from analysis.style import OUTCOME_LABELS, parameter_label

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

    Args:
        runs_path: the ``runs.parquet`` file.
        parameters: swept parameter columns to carry over.
        batch_size: rows read at a time.

    Returns:
        The same table as :func:`summarise` on the whole file.

    Raises:
        ResultsError: the file cannot be read or lacks a column.
    """
    columns = ["point_id", "outcome", *parameters]
    counts: pd.DataFrame | None = None
    values: list[pd.DataFrame] = []
    try:
        batches = pq.ParquetFile(runs_path).iter_batches(batch_size=batch_size, columns=columns)
        for batch in batches:
            frame = batch.to_pandas()
            part = outcome_counts(frame, "point_id")
            counts = part if counts is None else counts.add(part, fill_value=0)
            if parameters:
                values.append(frame.groupby("point_id")[list(parameters)].first())
    except (pa.ArrowException, OSError, ValueError, KeyError) as error:
        raise ResultsError(runs_path, f"cannot read Parquet: {error}") from error
    if counts is None:
        raise ResultsError(runs_path, "contains no runs")
    table = shares_from_counts(counts.astype(np.int64))
    if parameters:
        merged = pd.concat(values)
        table = merged[~merged.index.duplicated()].join(table)
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
        if not runs_path.is_file():
            raise ResultsError(runs_path, "not found")
        table = summarise_file(runs_path, parameters)
    text = table.to_csv(index=False, float_format="%.6g", lineterminator="\n")
    return write_text_atomic(path / "summary.csv", text)


@dataclass(frozen=True)
class PrecisionCheck:
    """Which points have 95% intervals wider than wanted, and the replications that would do.

    Args:
        max_half_width: the wanted interval half-width (e.g. 0.05 = 5 percentage points).
        n_points: number of points checked.
        flagged: one row per imprecise point: ``point_id``, ``n_runs``, ``outcome`` (the class with
            the widest interval), ``half_width`` and ``n_needed`` (replications per point).
    """

    max_half_width: float
    n_points: int
    flagged: pd.DataFrame

    @property
    def ok(self) -> bool:
        """True when every point meets the wanted precision."""
        return self.flagged.empty

    @property
    def replications_needed(self) -> int:
        """Replications per point that would bring every flagged point within the half-width."""
        return int(self.flagged["n_needed"].max()) if not self.ok else 0

    def message(self) -> str:
        """One-paragraph warning for the terminal and the report ('' when precise enough).

        Returns:
            The warning text.
        """
        if self.ok:
            return ""
        worst = self.flagged.loc[self.flagged["half_width"].idxmax()]
        h = 100 * self.max_half_width
        where = "" if self.n_points == 1 else f" at point {int(worst['point_id'])}"
        return (
            f"Precision: {len(self.flagged)} of {self.n_points} point(s) have a 95% interval wider "
            f"than ±{h:.1f} percentage points (widest ±{100 * worst['half_width']:.1f}"
            f" for {OUTCOME_LABELS[worst['outcome']]}{where}, {int(worst['n_runs'])} runs). "
            f"About {self.replications_needed} replications per point would bring every interval "
            f"within ±{h:.1f}."
        )


def _wilson_half_width(
    p: npt.NDArray[np.float64], n: npt.NDArray[np.float64], z: float
) -> npt.NDArray[np.float64]:
    z2 = z * z
    return z / (1 + z2 / n) * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n))


def replications_needed(
    p: npt.ArrayLike, max_half_width: float = DEFAULT_MAX_HALF_WIDTH, z: float = Z95
) -> npt.NDArray[np.int64]:
    """Replications that give a 95% interval no wider than ``±max_half_width`` at share ``p``.

    Uses ``n = z² p (1 - p) / h²``, raised where needed so the Wilson interval itself meets the
    target. A share of exactly 0 or 1 says nothing about the spread, so the worst case ``p = 0.5``
    is used there.

    Args:
        p: the share(s) to plan for (use the one closest to 0.5 per point).
        max_half_width: wanted half-width ``h``.
        z: standard-normal quantile.

    Returns:
        Integer replications, same shape as ``p``.
    """
    p_arr = np.asarray(p, dtype=float)
    p_arr = np.where(p_arr * (1 - p_arr) > 0, p_arr, 0.5)
    n = np.ceil(z * z * p_arr * (1 - p_arr) / max_half_width**2)
    n = np.maximum(n, 1.0)
    for _ in range(64):  # the Wilson half-width shrinks with n; step up until it is small enough
        short = _wilson_half_width(p_arr, n, z) > max_half_width
        if not short.any():
            break
        n = np.where(short, np.ceil(n * 1.05) + 1, n)
    return n.astype(np.int64)[()]


def check_precision(
    summary: pd.DataFrame, max_half_width: float = DEFAULT_MAX_HALF_WIDTH, z: float = Z95
) -> PrecisionCheck:
    """Flag points whose widest 95% interval has a half-width above ``max_half_width``.

    Args:
        summary: a summary table.
        max_half_width: wanted half-width (0.05 = 5 percentage points).
        z: standard-normal quantile the summary's intervals were computed with.

    Returns:
        The :class:`PrecisionCheck`.
    """
    lo = summary[[f"lo_{c}" for c in OUTCOMES]].to_numpy(dtype=float)
    hi = summary[[f"hi_{c}" for c in OUTCOMES]].to_numpy(dtype=float)
    share = summary[[f"share_{c}" for c in OUTCOMES]].to_numpy(dtype=float)
    half = (hi - lo) / 2
    widest = np.argmax(half, axis=1)
    rows = np.arange(len(summary))
    bad = half[rows, widest] > max_half_width + 1e-12
    p_worst = share[rows, np.argmax(share * (1 - share), axis=1)]
    flagged = pd.DataFrame(
        {
            "point_id": summary["point_id"].to_numpy()[bad],
            "n_runs": summary["n_runs"].to_numpy()[bad],
            "outcome": np.asarray(OUTCOMES, dtype=object)[widest[bad]],
            "half_width": half[rows, widest][bad],
            "n_needed": np.atleast_1d(replications_needed(p_worst[bad], max_half_width, z)),
        }
    )
    return PrecisionCheck(max_half_width=max_half_width, n_points=len(summary), flagged=flagged)


def _pct(value: float, decimals: int) -> str:
    return f"{100 * value:.{decimals}f}"


def _cell(row: pd.Series, c: str, decimals: int = 0) -> str:
    share, lo, hi = (_pct(row[f"{k}_{c}"], decimals) for k in ("share", "lo", "hi"))
    return f"{share} [{lo}-{hi}]"


def _value(value: object) -> str:
    return f"{value:.3g}" if isinstance(value, (float, np.floating)) else str(value)


def _grid(header: list[str], rows: list[list[str]], right: set[int]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            cell.rjust(w) if i in right else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return [line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def _single_point_table(row: pd.Series) -> list[str]:
    rows = [
        [OUTCOME_LABELS[c], f"{_pct(row[f'share_{c}'], 1)}%", f"[{_cell(row, c, 1).split('[')[1]}"]
        for c in OUTCOMES
    ]
    lines = _grid(["Outcome", "Share", "95% interval (%)"], rows, right={1})
    lines.append(f"{int(row['n_runs']):,} runs")
    return lines


def _point_rows(summary: pd.DataFrame, parameters: list[str]) -> tuple[list[str], list[list[str]]]:
    header = ["point", *(parameter_label(p) for p in parameters), "runs"]
    header += [OUTCOME_LABELS[c] for c in OUTCOMES]
    rows = [
        [
            str(int(row["point_id"])),
            *(_value(row[p]) for p in parameters),
            f"{int(row['n_runs']):,}",
            *(_cell(row, c) for c in OUTCOMES),
        ]
        for _, row in summary.iterrows()
    ]
    return header, rows


def format_table(
    summary: pd.DataFrame,
    *,
    max_rows: int = 20,
    max_half_width: float | None = DEFAULT_MAX_HALF_WIDTH,
    csv_name: str = "summary.csv",
) -> str:
    """Plain-text outcome table for the terminal.

    One point: share and 95% interval per class. Up to ``max_rows`` points: one row per point with
    ``share [lo-hi]`` in percent per class. More points: the pooled shares over all runs, then the
    points with the highest share of each class, and a pointer to ``csv_name`` for the rest.

    Args:
        summary: a table from :func:`summarise` (or read from ``summary.csv``).
        max_rows: most point rows to print.
        max_half_width: append the precision warning for this half-width (``None``: never).
        csv_name: file named in the pointer to the full table.

    Returns:
        The table as text (no trailing newline).
    """
    parameters = parameter_columns(summary)
    if len(summary) == 1:
        lines = _single_point_table(summary.iloc[0])
    elif len(summary) <= max_rows:
        header, rows = _point_rows(summary, parameters)
        lines = ["Outcome share in % [95% interval] per point", ""]
        lines += _grid(header, rows, right=set(range(len(parameters) + 2)))
    else:
        pooled = pooled_shares(summary)
        lines = [f"All {len(summary):,} points pooled ({int(pooled['n_runs']):,} runs):"]
        lines += [f"  {OUTCOME_LABELS[c] + ':':<23}{_cell(pooled, c, 1)} %" for c in OUTCOMES]
        per_class = max(1, max_rows // len(OUTCOMES))
        for c in OUTCOMES:
            top = summary.sort_values([f"share_{c}", "point_id"], ascending=[False, True])
            header, rows = _point_rows(top.head(per_class), parameters)
            lines += ["", f"Highest share of {OUTCOME_LABELS[c]} (% [95% interval]):"]
            lines += _grid(header, rows, right=set(range(len(parameters) + 2)))
        lines += ["", f"All {len(summary):,} points: see {csv_name}"]
    if max_half_width is not None:
        warning = check_precision(summary, max_half_width).message()
        if warning:
            lines += ["", warning]
    return "\n".join(lines)
