"""The results folder (docs/results.md): manifest, per-block Parquet parts, and their compaction.

Only the coordinating process writes here. Every file is written atomically (a temporary file in the
same folder, then :func:`os.replace`), and a block counts as finished only once ``manifest.json`` lists
it, so a batch killed at any moment can be resumed. Compaction streams the parts in block order into
``runs.parquet``, ``trajectories.parquet`` and ``bands.parquet`` (sorted by run id / point id whatever
order the blocks finished in) with memory bounded by one block, writes ``summary.csv`` (which reads
``runs.parquet`` in batches), then removes ``parts/``. Parts are fsynced before they are renamed into place;
parts and final files carry page checksums (verified by every reader). A part found missing or
corrupt at compaction drops its block from ``finished_blocks`` for a resume to redo.
Manifest construction and the resume checks live in :mod:`sim.manifest`.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.parquet as pq

from sim.aggregate import AGGREGATE_PART_KINDS, AggregateMerger, check_points, sample_of_block
from sim.bands import BandMerger
from sim.contract.aggregate import FINALS_FILE, POINTS_FILE, SAMPLE_FILE
from sim.contract.errors import ResultsError
from sim.contract.files import (
    ParquetStreamWriter,
    check_regular,
    write_parquet_atomic,
    write_text_atomic,
)
from sim.contract.lock import LOCK_NAME
from sim.contract.manifest import Manifest, parse_manifest
from sim.contract.summary import write_summary
from sim.integrity import SUMMARY, check_block_tables, file_digest, final_files, primary_file
from sim.manifest import check_resumable, check_versions, new_session, utc_now

PART_KINDS: tuple[str, ...] = ("runs", "trajectories", "bands", "hist")
"""Files each block writes under ``parts/`` (``hist``: partial histograms of shared points)."""
SeedsOf = Callable[[int], npt.NDArray[np.uint64]]
"""The run seeds the plan gives a block, by block index (checked against each part at compaction)."""


@dataclass(frozen=True)
class BlockOutput:
    """What one block produced, as Arrow tables ready to write.

    Args:
        index: block number.
        runs: one row per run (``runs.parquet`` columns).
        trajectories: long-format rows of the block's sampled runs.
        bands: quantile rows of the points lying wholly inside the block.
        hist: sparse histogram counts of the (at most two) points the block shares with neighbours.
        extra: in aggregate mode, the ``points`` and ``finals`` parts (:mod:`sim.aggregate`);
            ``runs`` then holds only the block's sampled runs.
    """

    index: int
    runs: pa.Table
    trajectories: pa.Table
    bands: pa.Table
    hist: pa.Table
    extra: Mapping[str, pa.Table] = field(default_factory=dict)


class ResultsFolder:
    """A results folder being written.

    Use :meth:`create` for a new batch and :meth:`reopen` to resume one.

    Attributes:
        path: the folder.
        manifest: the manifest as last written.
    """

    def __init__(self, path: Path, manifest: Manifest) -> None:
        self.path = path
        self.manifest = manifest

    @property
    def parts(self) -> Path:
        """The folder of per-block parts."""
        return self.path / "parts"

    @property
    def manifest_path(self) -> Path:
        """``manifest.json``."""
        return self.path / "manifest.json"

    @classmethod
    def create(cls, path: Path, manifest: Manifest) -> ResultsFolder:
        """A new results folder, checked but not yet written (see :meth:`start`).

        Args:
            path: the folder (created with its parents by :meth:`start` if missing).
            manifest: the initial manifest.

        Returns:
            the folder.

        Raises:
            ResultsError: the folder exists and is not empty, or is a file.
        """
        if path.exists() and not path.is_dir():
            raise ResultsError(path, "exists and is not a folder")
        if path.is_dir() and any(p.name != LOCK_NAME for p in path.iterdir()):
            raise ResultsError(
                path, "exists and is not empty (resume it with --resume, or choose another --out)"
            )
        return cls(path, manifest)

    def start(self) -> None:
        """Create the folder and ``parts/`` if needed and write the manifest (idempotent)."""
        self.parts.mkdir(parents=True, exist_ok=True)
        self.save_manifest()

    @classmethod
    def reopen(cls, path: Path, expected: Manifest) -> ResultsFolder:
        """Reopen a folder to resume it, refusing one that belongs to another batch.

        Args:
            path: the folder.
            expected: the manifest a fresh start would write; see
                :func:`sim.manifest.check_resumable` for what must match.

        Returns:
            the folder with its manifest; stray temporary files are removed.

        Raises:
            ResultsError: no or unreadable manifest, or a mismatch.
        """
        mpath = path / "manifest.json"
        try:
            check_regular(mpath)
            data = json.loads(mpath.read_text(encoding="utf-8"))
        except FileNotFoundError as error:
            raise ResultsError(mpath, "not found: nothing to resume here") from error
        except (OSError, ValueError) as error:
            raise ResultsError(mpath, f"cannot read: {error}") from error
        if not isinstance(data, dict):
            raise ResultsError(mpath, "malformed manifest: expected a JSON object")
        check_versions(data, mpath)
        manifest = parse_manifest(data, mpath)
        check_resumable(manifest, expected, mpath)
        folder = cls(path, manifest)
        if not folder.compacted:
            folder.parts.mkdir(exist_ok=True)
        for stray in [*path.glob(".*.tmp"), *path.glob("parts/.*.tmp")]:
            stray.unlink(missing_ok=True)
        return folder

    @property
    def compacted(self) -> bool:
        """True when the batch was already finished and compacted."""
        return bool(self.manifest.finished) and (self.path / primary_file(self.manifest)).exists()

    @property
    def part_kinds(self) -> tuple[str, ...]:
        """The parts each block writes (:data:`PART_KINDS`, and more in aggregate mode)."""
        extra = AGGREGATE_PART_KINDS if self.manifest.aggregate is not None else ()
        return (*PART_KINDS, *extra)

    @property
    def summary_path(self) -> Path:
        """``summary.csv``."""
        return self.path / "summary.csv"

    def begin_session(self, backend: str, workers: int | None, commit: str | None) -> None:
        """Append a session record to the manifest's ``sessions`` (saved with the manifest).

        Args:
            backend: executor backend name.
            workers: worker count, or None when unknown.
            commit: git commit of the code running this session.
        """
        self.manifest.sessions.append(new_session(backend=backend, workers=workers, commit=commit))

    def end_session(self) -> None:
        """Stamp the end of the current (last) session, if any."""
        if self.manifest.sessions:
            self.manifest.sessions[-1].end = utc_now()

    def finished_blocks(self) -> set[int]:
        """Blocks listed as finished whose parts are all present."""
        if self.compacted:
            return set(range(self.manifest.n_blocks or 0))
        return {
            i
            for i in self.manifest.finished_blocks
            if all(self.part_path(kind, i).exists() for kind in self.part_kinds)
        }

    def part_path(self, kind: str, index: int) -> Path:
        """Path of one block's part file.

        Args:
            kind: one of :data:`PART_KINDS`.
            index: block number.
        """
        return self.parts / f"{kind}-{index:06d}.parquet"

    def save_manifest(self) -> None:
        """Write ``manifest.json`` atomically."""
        write_text_atomic(self.manifest_path, self.manifest.to_json())

    def write_block(self, output: BlockOutput) -> None:
        """Write a finished block's parts durably, then record it as finished in the manifest.

        Args:
            output: the block's tables.
        """
        tables = (output.runs, output.trajectories, output.bands, output.hist)
        for kind, table in [*zip(PART_KINDS, tables, strict=True), *output.extra.items()]:
            write_parquet_atomic(self.part_path(kind, output.index), table)
        self.manifest.finished_blocks = sorted(set(self.manifest.finished_blocks) | {output.index})
        self.manifest.failed_blocks.pop(str(output.index), None)
        self.save_manifest()

    def record_failure(self, index: int, error: str) -> None:
        """Record a block that raised (with its traceback) in the manifest.

        Args:
            index: block number.
            error: the traceback text.
        """
        self.manifest.failed_blocks[str(index)] = error
        self.save_manifest()

    def drop_blocks(self, indices: Iterable[int]) -> None:
        """Remove blocks from ``finished_blocks`` (saved atomically) so a resume recomputes them.

        Args:
            indices: block numbers.
        """
        dropped = set(indices)
        done = self.manifest.finished_blocks
        self.manifest.finished_blocks = sorted(i for i in done if i not in dropped)
        self.save_manifest()

    def _read_block(self, index: int, seeds: SeedsOf | None) -> dict[str, pa.Table]:
        """A block's parts, page checksums verified and checked to hold this block's runs.

        Raises:
            _BadPart: a part is missing, unreadable, or holds another block's runs.
        """
        tables: dict[str, pa.Table] = {}
        for kind in self.part_kinds:
            path = self.part_path(kind, index)
            try:
                tables[kind] = pq.read_table(path, page_checksum_verification=True)
            except FileNotFoundError as error:
                raise _BadPart(index, path, "missing block part") from error
            except (pa.ArrowException, OSError) as error:  # a checksum mismatch is an OSError
                raise _BadPart(index, path, "corrupt block part") from error
        m = self.manifest
        start = index * (m.block_size or 1)
        stop = min(start + (m.block_size or 1), m.n_runs)
        sampled = sample_of_block(m, start, stop)  # aggregate mode: the runs parts hold a sample
        try:
            why = check_block_tables(
                tables,
                start,
                stop,
                m.replications,
                None if seeds is None else seeds(index),
                sampled,
            )
            if why is None and sampled is not None:
                why = check_points(tables, start, stop, m.replications)
        except (KeyError, pa.ArrowException, ValueError, TypeError) as error:
            raise _BadPart(index, self.part_path("runs", index), "corrupt block part") from error
        if why is not None:
            raise _BadPart(index, self.part_path("runs", index), f"block part that {why}")
        return tables

    def remove_parts(self) -> None:
        """Remove ``parts/`` (after compaction)."""
        shutil.rmtree(self.parts, ignore_errors=True)

    def write_summary_checked(self) -> None:
        """Write ``summary.csv`` and record its checksum (saved with the manifest)."""
        path = self.write_summary()
        self.manifest.checksums[SUMMARY] = file_digest(path)

    def write_summary(self) -> Path:
        """Write ``summary.csv`` from ``runs.parquet`` or ``points.parquet`` (:func:`sim.contract.summary.write_summary`).

        Returns:
            its path.
        """
        return write_summary(self.path)

    def compact(self, seeds: SeedsOf | None = None) -> None:
        """Merge the parts into the final Parquet files and mark the batch finished.

        Streams the parts into the final files, writes ``summary.csv``, records the end in the
        manifest, then removes ``parts/``.

        Every part is read with its page checksums verified and checked to hold its own block's
        run ids (and ``seeds``, when given). If some are missing, unreadable or misplaced, nothing is
        written: their blocks are dropped from ``finished_blocks`` so that a resume recomputes them.
        The SHA-256 of each final file is recorded in the manifest's ``checksums``.

        Args:
            seeds: the run seeds of a block, by index (None: not checked).

        Raises:
            ResultsError: a block part is missing or corrupt (one line naming the first one).
        """
        m = self.manifest
        if m.block_size is None or m.n_blocks is None:
            raise ValueError("compact needs the folder's block size")
        n_blocks, block_size, n_runs = m.n_blocks, m.block_size, m.n_runs
        writers = {
            kind: ParquetStreamWriter(self.path / f"{kind}.parquet")
            for kind in ("runs", "trajectories", "bands")
        }
        aggregates = None
        if m.aggregate is not None:  # runs parts hold the sample; points and finals are merged
            writers["runs"] = ParquetStreamWriter(self.path / SAMPLE_FILE)
            writers["points"] = ParquetStreamWriter(self.path / POINTS_FILE)
            writers["finals"] = ParquetStreamWriter(self.path / FINALS_FILE)
            aggregates = AggregateMerger(
                m.parameters, m.replications, writers["points"].write, writers["finals"].write
            )
        merger = BandMerger(m.replications, m.steps, writers["bands"].write)
        bad: list[_BadPart] = []
        try:
            for index in range(n_blocks):
                try:
                    tables = self._read_block(index, seeds)
                except _BadPart as part:
                    bad.append(part)
                if bad:
                    continue  # nothing more is written; the rest are only checked
                writers["runs"].write(tables["runs"])
                writers["trajectories"].write(tables["trajectories"])
                stop = min((index + 1) * block_size, n_runs)
                merger.add_block(tables["hist"], tables["bands"], block_stop=stop)
                if aggregates is not None:
                    aggregates.add_block(tables["points"], tables["finals"], block_stop=stop)
            if not bad:
                merger.close()
                if aggregates is not None:
                    aggregates.close()
                for writer in writers.values():
                    writer.close()
        except BaseException:
            for writer in writers.values():
                writer.abort()
            raise
        if bad:
            for writer in writers.values():
                writer.abort()
            self.drop_blocks(part.index for part in bad)
            first = bad[0]
            what = f"{first.problem}; it has"
            if len(bad) > 1:
                what = f"{first.problem} (and {len(bad) - 1} more bad block(s)); they have"
            raise ResultsError(
                first.path,
                f"{what} been dropped from finished_blocks \N{EM DASH} run again with --resume",
            )
        self.manifest.checksums = {
            name: file_digest(self.path / name)
            for name in final_files(m)
            if (self.path / name).exists()
        }
        self.write_summary_checked()
        self.manifest.finished = utc_now()
        self.save_manifest()
        self.remove_parts()


class _BadPart(Exception):
    """A block part that is missing or cannot be read (raised while compacting).

    Args:
        index: block number.
        path: the part file.
        problem: what is wrong, e.g. ``corrupt block part``.
    """

    def __init__(self, index: int, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.index = index
        self.path = path
        self.problem = problem
