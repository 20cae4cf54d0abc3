"""Load a results folder (docs/results.md) and refuse bad input with one clear line.

Every reader in :mod:`analysis` goes through :func:`load_results`. A :class:`ResultsError` names the
file and what is wrong in one line, so the command line can print it and exit with status 2.

An aggregate folder (:mod:`sim.contract.aggregate`) has no row per run: :attr:`Results.runs` then
holds its bounded sample (``sample.parquet``) and the per-point tables (:attr:`Results.points`,
:attr:`Results.summary`) come from its exact per-point counts. Analyses that need every run's row
call :meth:`Results.require_runs`, which refuses an aggregate folder in one line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from sim.contract.aggregate import (
    COUNT_COLUMNS,
    FIXED_POINT_SCALE,
    POINTS_FILE,
    SAMPLE_FILE,
    read_points,
)
from sim.contract.columns import (
    FINAL_VARIABLES,
    REQUIRED_BAND_COLUMNS,
    REQUIRED_RUN_COLUMNS,
    REQUIRED_TRAJECTORY_COLUMNS,
)
from sim.contract.errors import ResultsError, first_line
from sim.contract.manifest import Manifest, Sampler, read_manifest
from sim.contract.outcomes import OUTCOMES, Thresholds
from sim.contract.summary import share_columns, unknown_outcomes


def _read_parquet(path: Path, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Read a Parquet file or a directory of parts, turning any failure into a ResultsError.

    Page checksums are verified (hedgesim writes them), so a corrupted page is refused rather than
    read as wrong numbers.
    """
    try:
        wanted = None if columns is None else list(columns)
        return pq.read_table(path, columns=wanted, page_checksum_verification=True).to_pandas()
    # Most pyarrow errors subclass builtins (ArrowInvalid is a ValueError); ArrowException covers the rest.
    except (
        pa.ArrowException,
        OSError,
        ValueError,
        KeyError,
        IndexError,
        TypeError,
        NotImplementedError,
    ) as error:
        raise ResultsError(path, f"cannot read Parquet: {first_line(error)}") from error


def _require_columns(frame: pd.DataFrame, path: Path, required: Sequence[str]) -> None:
    missing = [column for column in required if column not in frame.columns]
    if missing:
        raise ResultsError(path, f"missing required column(s): {', '.join(missing)}")


def check_outcomes(outcome: pd.Series, path: Path) -> None:
    """Refuse outcome values that are not classes of :data:`~sim.contract.outcomes.OUTCOMES`.

    Args:
        outcome: the ``outcome`` column (or part of it).
        path: the file it was read from (named in the error).

    Raises:
        ResultsError: an unknown class (or a missing value) is present.
    """
    unknown = unknown_outcomes(outcome.astype(str).unique().tolist())
    if unknown:
        raise ResultsError(path, f"outcome: unknown class(es) {', '.join(map(repr, unknown))}")


def _check_runs(runs: pd.DataFrame, path: Path, parameters: Sequence[str]) -> pd.DataFrame:
    _require_columns(runs, path, (*REQUIRED_RUN_COLUMNS, *parameters))
    if runs.empty:
        raise ResultsError(path, "contains no runs")
    check_outcomes(runs["outcome"], path)
    runs = runs.sort_values("run_id", kind="stable").reset_index(drop=True)
    runs["outcome"] = runs["outcome"].astype(str)
    return runs


@dataclass(frozen=True)
class Results:
    """One results folder, read-only.

    ``trajectories`` and ``bands`` are read on first access; ``None`` when the file is absent.

    Args:
        path: the results folder.
        manifest: the parsed ``manifest.json``.
        runs: ``runs.parquet``, one row per run, sorted by ``run_id`` (an aggregate folder: the rows
            of its bounded sample, ``sample.parquet``).
    """

    path: Path
    manifest: Manifest = field(repr=False)
    runs: pd.DataFrame = field(repr=False)

    @property
    def kind(self) -> str:
        """``"run"`` or ``"sweep"``."""
        return self.manifest.kind

    @property
    def name(self) -> str:
        """The batch name from the manifest, or the folder name."""
        return self.manifest.name or self.path.name

    @property
    def scenario_name(self) -> str:
        """The base scenario's name when the manifest records one, else :attr:`name`."""
        return str(self.manifest.scenario.get("name") or self.name)

    @property
    def parameters(self) -> list[str]:
        """The swept parameter columns (empty for a single scenario)."""
        return list(self.manifest.parameters)

    @property
    def sampler(self) -> Sampler:
        """The sampler block of the manifest (kind ``none`` for a single scenario)."""
        return self.manifest.sampler

    @property
    def sampler_kind(self) -> str:
        """``none``, ``grid``, ``lhs``, ``sobol`` or ``morris``."""
        return self.sampler.kind

    @property
    def aggregate(self) -> bool:
        """True for an aggregate folder (per-point counts and a sample of runs, not every row)."""
        return self.manifest.aggregate is not None

    @property
    def n_runs(self) -> int:
        """Number of runs actually present (an aggregate folder: counted in ``points.parquet``)."""
        return int(self.points["n_runs"].sum()) if self.aggregate else len(self.runs)

    @property
    def n_points(self) -> int:
        """Number of distinct sweep points present."""
        return len(self.points) if self.aggregate else int(self.runs["point_id"].nunique())

    @property
    def table_path(self) -> Path:
        """The file the per-point tables come from: ``runs.parquet`` or ``points.parquet``."""
        return self.path / (POINTS_FILE if self.aggregate else "runs.parquet")

    @property
    def sample_note(self) -> str:
        """``""``, or for an aggregate folder ``"a sample of N of M runs"`` (for figure captions)."""
        if not self.aggregate:
            return ""
        return f"a sample of {len(self.runs):,} of {self.n_runs:,} runs"

    def require_runs(self, what: str) -> None:
        """Refuse, in one line, an analysis that needs every run's row on an aggregate folder.

        Args:
            what: the analysis, e.g. ``reclassify``.

        Raises:
            ResultsError: the folder is an aggregate folder.
        """
        if self.aggregate:
            raise ResultsError(
                self.path,
                f"is an aggregate folder (per-point counts and {self.sample_note}): {what} needs"
                " every run's row; run the batch again with --no-aggregate",
            )

    @cached_property
    def points(self) -> pd.DataFrame:
        """One row per point: ids, parameters, ``n_runs``, ``n_<class>``, ``mean_<variable>``.

        Counts are exact in an aggregate folder too; its means come from exact fixed-point sums.
        """
        params = self.parameters
        if self.aggregate:
            table = read_points(self.path / POINTS_FILE, params).to_pandas()
            n = table["n_runs"].to_numpy(dtype=float)
            means = {
                f"mean_{v}": table[f"sum_{v}"].to_numpy(dtype=float) / FIXED_POINT_SCALE / n
                for v in FINAL_VARIABLES
            }
            return table[["point_id", *params, "n_runs", *COUNT_COLUMNS]].assign(**means)
        groups = self.runs.groupby("point_id")
        counts = groups["outcome"].value_counts().unstack(fill_value=0)
        counts = counts.reindex(columns=list(OUTCOMES), fill_value=0)
        frame = groups[list(params)].first() if params else pd.DataFrame(index=counts.index)
        frame["n_runs"] = counts.sum(axis=1)
        for c, column in zip(OUTCOMES, COUNT_COLUMNS, strict=True):
            frame[column] = counts[c]
        present = [v for v in FINAL_VARIABLES if v in self.runs.columns]
        means = groups[present].mean().add_prefix("mean_")
        return frame.join(means).reset_index()

    @cached_property
    def summary(self) -> pd.DataFrame:
        """Per-point shares with 95% Wilson intervals: the table of ``summary.csv``."""
        points = self.points
        counts = points[list(COUNT_COLUMNS)].to_numpy(dtype=np.int64)
        table = points[["point_id", *self.parameters]].reset_index(drop=True)
        return table.assign(**share_columns(counts))

    @property
    def thresholds(self) -> Thresholds:
        """Classification thresholds of the base scenario (defaults where not recorded)."""
        block = self.manifest.scenario.get("classification")
        if not isinstance(block, dict):
            return Thresholds()
        known = {k: float(v) for k, v in block.items() if k in Thresholds.__dataclass_fields__}
        return Thresholds(**known)

    @property
    def is_complete(self) -> bool:
        """True when the batch finished with no failed blocks."""
        return bool(self.manifest.finished) and not self.manifest.failed_blocks

    @property
    def caption(self) -> str:
        """Provenance line for figures, e.g. ``sweep "grid" · 12 points · 2,400 runs``."""
        parts = [f'{self.kind} "{self.name}"']
        if self.kind == "sweep" or self.n_points > 1:
            parts.append(f"{self.n_points:,} points")
        parts.append(f"{self.n_runs:,} run" + ("" if self.n_runs == 1 else "s"))
        return " · ".join(parts)

    def read_trajectories(self, columns: Sequence[str] | None = None) -> pd.DataFrame | None:
        """Read ``trajectories.parquet`` (optionally only some columns).

        Args:
            columns: columns to read; ``None`` reads all.

        Returns:
            The long-format trajectories, or ``None`` when the file is absent.

        Raises:
            ResultsError: unreadable file or missing required column.
        """
        held = self.__dict__.get("trajectories")  # already read (or replaced, e.g. reclassified)
        if held is not None:
            return held if columns is None else held[_with_required(held, columns)]
        path = self.path / "trajectories.parquet"
        if not path.exists():
            return None
        if columns is not None:
            columns = list(dict.fromkeys([*REQUIRED_TRAJECTORY_COLUMNS, *columns]))
        frame = _read_parquet(path, columns)
        _require_columns(frame, path, REQUIRED_TRAJECTORY_COLUMNS)
        frame["outcome"] = frame["outcome"].astype(str)
        return frame

    @cached_property
    def trajectories(self) -> pd.DataFrame | None:
        """All of ``trajectories.parquet``, or ``None`` when absent."""
        return self.read_trajectories()

    def read_bands(self, point_ids: Sequence[int]) -> pd.DataFrame | None:
        """The ``bands.parquet`` rows of some points, by a filtered scan (the file may be large).

        Args:
            point_ids: the points.

        Returns:
            their rows, or ``None`` when the file is absent.

        Raises:
            ResultsError: unreadable file or missing required column.
        """
        held = self.__dict__.get("bands")
        if held is not None:
            return held[held["point_id"].isin(list(point_ids))]
        path = self.path / "bands.parquet"
        if not path.exists():
            return None
        try:
            wanted = pc.field("point_id").isin([int(p) for p in point_ids])
            frame = ds.dataset(path).to_table(filter=wanted).to_pandas()
        except (pa.ArrowException, OSError, ValueError) as error:
            raise ResultsError(path, f"cannot read Parquet: {first_line(error)}") from error
        _require_columns(frame, path, REQUIRED_BAND_COLUMNS)
        frame["variable"] = frame["variable"].astype(str)
        return frame

    @cached_property
    def bands(self) -> pd.DataFrame | None:
        """``bands.parquet`` (per point, step, variable: q10, q50, q90), or ``None`` if absent."""
        path = self.path / "bands.parquet"
        if not path.exists():
            return None
        frame = _read_parquet(path)
        _require_columns(frame, path, REQUIRED_BAND_COLUMNS)
        frame["variable"] = frame["variable"].astype(str)
        return frame


def _with_required(frame: pd.DataFrame, columns: Sequence[str]) -> list[str]:
    wanted = dict.fromkeys([*REQUIRED_TRAJECTORY_COLUMNS, *columns])
    return [c for c in wanted if c in frame.columns]


def load_results(path: Path | str) -> Results:
    """Open a results folder and read its manifest and ``runs.parquet``.

    ``runs.parquet`` may be one file or a directory of Parquet parts. An aggregate folder's
    ``sample.parquet`` is read instead (its per-point tables on first use).

    Args:
        path: the results folder.

    Returns:
        The loaded :class:`Results`.

    Raises:
        ResultsError: the folder, manifest or runs table is missing or malformed.
    """
    folder = Path(path)
    if not folder.exists():
        raise ResultsError(folder, "results folder not found")
    if not folder.is_dir():
        raise ResultsError(folder, "not a folder (expected a hedgesim results folder)")
    manifest = read_manifest(folder)
    runs_path = folder / ("runs.parquet" if manifest.aggregate is None else SAMPLE_FILE)
    if not runs_path.exists():
        parts = folder / "parts"
        hint = " (the batch is unfinished or was interrupted: resume it)" if parts.is_dir() else ""
        raise ResultsError(runs_path, f"not found{hint}")
    runs = _check_runs(_read_parquet(runs_path), runs_path, manifest.parameters)
    return Results(path=folder, manifest=manifest, runs=runs)
