"""``summary.csv``: outcome shares per sweep point with 95% Wilson intervals.

The summary has one row per ``point_id``: the swept parameter values, ``n_runs``, ``modal_outcome``
and, for each class ``c`` in :data:`~sim.contract.outcomes.OUTCOMES` order, ``share_c``, ``lo_c``,
``hi_c``. It is computed here, in numpy, from outcome counts: the engine writes it when a batch is
compacted (:func:`write_summary`, reading ``runs.parquet`` in batches so memory stays bounded) and
:mod:`analysis.summary` builds its tables from the same :func:`share_columns`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from sim.contract.errors import ResultsError, first_line
from sim.contract.files import read_batches, write_text_atomic
from sim.contract.manifest import read_manifest
from sim.contract.outcomes import OUTCOMES

Z95 = 1.959963984540054
"""Standard-normal quantile for a two-sided 95% interval."""
FIXED_COLUMNS: tuple[str, ...] = ("point_id", "n_runs", "modal_outcome")
SHARE_COLUMNS: tuple[str, ...] = tuple(
    f"{prefix}_{c}" for c in OUTCOMES for prefix in ("share", "lo", "hi")
)
_FLOAT_FORMAT = "%.6g"
_NAMES = pa.array(OUTCOMES, type=pa.string())


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


def share_columns(counts: npt.ArrayLike, z: float = Z95) -> dict[str, npt.NDArray[np.generic]]:
    """Per-class counts to ``n_runs``, ``modal_outcome`` and share/lo/hi columns.

    Args:
        counts: shape (P, 4), runs of each class (in :data:`OUTCOMES` order) per point.
        z: standard-normal quantile of the interval.

    Returns:
        ``n_runs`` (int64), ``modal_outcome`` (class names) and ``share_c``, ``lo_c``, ``hi_c``
        per class, each of length P, in summary column order.
    """
    k = np.asarray(counts, dtype=float)
    n = k.sum(axis=1)
    out: dict[str, npt.NDArray[np.generic]] = {
        "n_runs": n.astype(np.int64),
        "modal_outcome": np.asarray(OUTCOMES, dtype=object)[np.argmax(k, axis=1)],
    }
    lo, hi = wilson_interval(k, n[:, None], z)
    share = k / np.where(n > 0, n, 1.0)[:, None]
    for j, c in enumerate(OUTCOMES):
        out[f"share_{c}"] = share[:, j]
        out[f"lo_{c}"] = lo[:, j]
        out[f"hi_{c}"] = hi[:, j]
    return out


def unknown_outcomes(names: Sequence[str]) -> list[str]:
    """Outcome values that are not classes, sorted (empty when all are known).

    Args:
        names: distinct outcome values.
    """
    return sorted(set(names) - set(OUTCOMES))


def summarise_runs_file(
    runs_path: Path, parameters: Sequence[str] = (), batch_size: int = 262_144
) -> dict[str, npt.NDArray[np.generic]]:
    """The summary columns of a ``runs.parquet`` read in batches (memory does not grow with it).

    Rows may come in any order; a directory of parts is read too.

    Args:
        runs_path: the ``runs.parquet`` file or directory.
        parameters: swept parameter columns to carry over (the first value seen per point).
        batch_size: rows read at a time.

    Returns:
        ``point_id`` (sorted), the parameters, then the columns of :func:`share_columns`.

    Raises:
        ResultsError: the file cannot be read (or is corrupt), lacks a column, holds no runs or an
            unknown outcome class.
    """
    columns = ["point_id", "outcome", *parameters]
    counts = np.zeros((0, len(OUTCOMES)), dtype=np.int64)
    values = np.full((0, len(parameters)), np.nan)
    seen = np.zeros(0, dtype=bool)
    try:
        for batch in read_batches(runs_path, columns, batch_size):
            points = batch.column("point_id").to_numpy(zero_copy_only=False).astype(np.int64)
            names = batch.column("outcome").cast(pa.string())
            codes = pc.index_in(names, value_set=_NAMES).to_numpy(zero_copy_only=False)
            if names.null_count or np.isnan(codes.astype(float)).any():
                found = [str(v) for v in pc.unique(names).to_pylist()]
                bad = unknown_outcomes(found) or ["None"]
                raise ResultsError(
                    runs_path, f"outcome: unknown class(es) {', '.join(map(repr, bad))}"
                )
            if not len(points):
                continue
            top = int(points.max()) + 1
            if top > len(counts):
                counts = np.vstack([counts, np.zeros((top - len(counts), 4), dtype=np.int64)])
                values = np.vstack([values, np.full((top - len(values), len(parameters)), np.nan)])
                seen = np.concatenate([seen, np.zeros(top - len(seen), dtype=bool)])
            np.add.at(counts, (points, codes.astype(np.int64)), 1)
            uniq, first = np.unique(points, return_index=True)
            new = ~seen[uniq]
            for j, name in enumerate(parameters):
                column = batch.column(name).to_numpy(zero_copy_only=False).astype(np.float64)
                values[uniq[new], j] = column[first[new]]
            seen[uniq] = True
    except (pa.ArrowException, OSError, ValueError, KeyError) as error:
        raise ResultsError(runs_path, f"cannot read Parquet: {first_line(error)}") from error
    present = np.flatnonzero(seen)
    if not len(present):
        raise ResultsError(runs_path, "contains no runs")
    table: dict[str, npt.NDArray[np.generic]] = {"point_id": present.astype(np.int64)}
    for j, name in enumerate(parameters):
        table[name] = values[present, j]
    table.update(share_columns(counts[present]))
    return table


def _cell(value: object) -> str:
    if isinstance(value, float | np.floating):
        return _FLOAT_FORMAT % value
    return str(value)


SUMMARY_AT_DEFAULTS = "summary_at_defaults.csv"
"""For a run with ``--posterior``: the summary of the same runs (same seeds) at the default
coefficients, to show the shares without parameter uncertainty beside ``summary.csv``."""


def summary_csv(table: dict[str, npt.NDArray[np.generic]]) -> str:
    """The CSV text of summary columns (floats as ``%.6g``, one line per point).

    Args:
        table: column name to values, all of one length.

    Returns:
        the text, header first.
    """
    names = list(table)
    lines = [",".join(names)]
    columns = [table[name].tolist() for name in names]
    for row in zip(*columns, strict=True):
        lines.append(",".join(_cell(v) for v in row))
    return "\n".join(lines) + "\n"


def write_summary(folder: Path) -> Path:
    """Compute the summary of a results folder and write ``summary.csv``.

    It is computed from ``runs.parquet``, or from an aggregate folder's ``points.parquet``.

    Args:
        folder: the results folder (its ``manifest.json`` names the swept parameters).

    Returns:
        Path of the written ``summary.csv``.

    Raises:
        ResultsError: the folder cannot be read.
    """
    manifest = read_manifest(folder)
    parameters = manifest.parameters
    if manifest.aggregate is not None:  # an aggregate folder: from its per-point counts
        from sim.contract.aggregate import POINTS_FILE, read_points, summary_from_points

        points = read_points(folder / POINTS_FILE, parameters)
        text = summary_csv(summary_from_points(points, parameters))
        return write_text_atomic(folder / "summary.csv", text)
    runs_path = folder / "runs.parquet"
    if not runs_path.exists():
        raise ResultsError(runs_path, "not found")
    table = summarise_runs_file(runs_path, parameters)
    return write_text_atomic(folder / "summary.csv", summary_csv(table))
