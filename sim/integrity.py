"""Checks before a results folder's files are trusted: parts in their place, final files intact.

A part is read with its Parquet page checksums verified (:mod:`sim.storage`), which catches damaged
pages but not a whole part copied over another block's: :func:`check_block_tables` checks that each
part holds exactly its block's runs. A final file's SHA-256 is recorded in the manifest
(``checksums``) at compaction; :func:`bad_final_files` compares them before a resume declares a
folder complete, so an emptied, truncated or flipped file is rebuilt rather than kept.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from sim.contract.aggregate import AGGREGATE_FINAL_FILES, POINTS_FILE
from sim.contract.files import read_batches
from sim.contract.manifest import Manifest

if TYPE_CHECKING:
    from sim.storage import ResultsFolder

FINAL_FILES: tuple[str, ...] = ("runs.parquet", "trajectories.parquet", "bands.parquet")
"""The compacted files a finished folder must hold (``summary.csv`` is rebuilt from ``runs``)."""
SUMMARY = "summary.csv"


def final_files(manifest: Manifest) -> tuple[str, ...]:
    """The compacted files of a folder: :data:`FINAL_FILES`, or an aggregate folder's.

    Args:
        manifest: the folder's manifest.
    """
    return AGGREGATE_FINAL_FILES if manifest.aggregate is not None else FINAL_FILES


def primary_file(manifest: Manifest) -> str:
    """The file ``summary.csv`` is computed from: ``runs.parquet`` or ``points.parquet``.

    Args:
        manifest: the folder's manifest.
    """
    return POINTS_FILE if manifest.aggregate is not None else "runs.parquet"


def file_digest(path: Path) -> str:
    """SHA-256 of a file, read in chunks.

    Args:
        path: the file.

    Returns:
        the hex digest.
    """
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _parquet_readable(path: Path) -> bool:
    """Whether every page of a Parquet file reads with its checksum verified."""
    try:
        for _ in read_batches(path, columns=None, batch_size=1 << 16):  # type: ignore[arg-type]
            pass
    except (pa.ArrowException, OSError, ValueError):
        return False
    return True


def bad_final_files(folder: Path, checksums: Mapping[str, str], names: Iterable[str]) -> list[str]:
    """The final files of a finished folder that are missing or damaged.

    Args:
        folder: the results folder.
        checksums: file name to SHA-256 as recorded at compaction (empty for folders written before
            checksums were recorded: their Parquet pages are then read with checksums verified).
        names: the files to check.

    Returns:
        the names of the files that are missing, differ from their checksum, or do not read.
    """
    bad = []
    for name in names:
        path = folder / name
        if not path.is_file():
            bad.append(name)
        elif name in checksums:
            if file_digest(path) != checksums[name]:
                bad.append(name)
        elif name.endswith(".parquet") and not _parquet_readable(path):
            bad.append(name)
    return bad


def check_block_tables(
    tables: Mapping[str, pa.Table],
    run_start: int,
    run_stop: int,
    replications: int,
    seeds: npt.NDArray[np.uint64] | None = None,
    sampled: npt.NDArray[np.bool_] | None = None,
) -> str | None:
    """Why a block's parts do not belong to it (None when they do).

    Args:
        tables: the block's ``runs``, ``trajectories``, ``bands`` and ``hist`` tables.
        run_start: first run id of the block.
        run_stop: one past its last run id.
        replications: runs per point.
        seeds: the run seeds the plan gives the block (not checked when None).
        sampled: in aggregate mode, which of the block's runs its ``runs`` part holds.

    Returns:
        a short reason, or None.
    """
    run_ids = tables["runs"].column("run_id").to_numpy()
    expected = np.arange(run_start, run_stop, dtype=np.int64)
    if sampled is not None:
        expected = expected[sampled]
        seeds = None if seeds is None else seeds[sampled]
    if not np.array_equal(run_ids, expected):
        return f"holds run ids other than this block's {run_start}..{run_stop - 1}"
    if seeds is not None:
        found = tables["runs"].column("seed").to_numpy()
        if not np.array_equal(found.astype(np.uint64), seeds):
            return "holds run seeds other than this batch's"
    traj = tables["trajectories"].column("run_id").to_numpy()
    if traj.size and (traj.min() < run_start or traj.max() >= run_stop):
        return "holds trajectories of runs outside this block"
    first, last = run_start // replications, (run_stop - 1) // replications
    for kind in ("bands", "hist"):
        points = tables[kind].column("point_id").to_numpy()
        if points.size and (points.min() < first or points.max() > last):
            return f"holds {kind} of points outside this block"
    return None


def damaged_final_files(folder: ResultsFolder) -> list[str]:
    """Final files of a compacted folder that are missing or fail their recorded checksums.

    Args:
        folder: the results folder.

    Returns:
        file names (``summary.csv`` of a folder written before checksums counts as damaged, so
        that it is rebuilt from ``runs.parquet``).
    """
    sums = folder.manifest.checksums
    finals = final_files(folder.manifest)
    names = list(sums) if sums else [n for n in finals if (folder.path / n).exists()]
    primary = primary_file(folder.manifest)
    if primary not in names:
        names.insert(0, primary)
    bad = bad_final_files(folder.path, sums, names)
    if not sums:
        bad.append(SUMMARY)
    return bad


def repair(folder: ResultsFolder, damaged: list[str]) -> str:
    """Make a compacted folder whole again after :func:`damaged_final_files`.

    Only ``summary.csv`` damaged: it is rewritten from ``runs.parquet`` (and the Parquet files'
    checksums recorded if they were not). A Parquet file damaged and every block's parts still on
    disk (killed before they were removed): the folder is marked unfinished, to be compacted again.
    Otherwise every block is dropped, to be run again.

    Args:
        folder: the results folder.
        damaged: the damaged file names.

    Returns:
        what was done, one line (for the command line to show).
    """
    m = folder.manifest
    finals = final_files(m)
    parquet = [name for name in damaged if name != SUMMARY]
    if not parquet:
        for name in finals:  # they passed their checks: record what a new folder records
            if name not in m.checksums and (folder.path / name).exists():
                m.checksums[name] = file_digest(folder.path / name)
        folder.write_summary_checked()
        folder.save_manifest()
        return f"{SUMMARY} was missing or damaged; rewritten from {primary_file(m)}"
    what = ", ".join(parquet)
    m.finished, m.checksums = None, {}
    blocks = range(m.n_blocks or 0)
    if all(folder.part_path(kind, i).exists() for i in blocks for kind in folder.part_kinds):
        folder.save_manifest()
        return f"{what} failed its checksum; rebuilt from the block parts"
    for name in (*finals, SUMMARY):
        (folder.path / name).unlink(missing_ok=True)
    m.finished_blocks = []
    folder.parts.mkdir(exist_ok=True)
    folder.save_manifest()
    return f"{what} failed its checksum and no block parts are left; running every block again"
