"""The results folder (docs/results.md): manifest, per-block Parquet parts, and their compaction.

Only the coordinating process writes here. Every file is written atomically (a temporary file in the
same folder, then :func:`os.replace`), and a block counts as finished only once ``manifest.json`` lists
it, so a batch killed at any moment can be resumed. Compaction streams the parts in block order into
``runs.parquet``, ``trajectories.parquet`` and ``bands.parquet`` (sorted by run id / point id whatever
order the blocks finished in) with memory bounded by one block, then removes ``parts/``.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

import sim
from analysis.atomic import write_text_atomic
from analysis.results import FORMAT_VERSION, ResultsError
from sim.bands import BandMerger

if TYPE_CHECKING:
    from sim.plan import RunPlan

PART_KINDS: tuple[str, ...] = ("runs", "traj", "bands", "hist")
"""Files each block writes under ``parts/`` (``traj``: trajectories, ``hist``: partial histograms)."""
_ROWS_PER_GROUP = 1 << 16
KEY_PACKAGES: tuple[str, ...] = (
    "mesa",
    "numpy",
    "pandas",
    "pyarrow",
    "scipy",
    "SALib",
    "pydantic",
    "dask",
    "distributed",
    "tqdm",
)
"""Packages whose versions the manifest records."""


def utc_now() -> str:
    """The current UTC time, ISO 8601 to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def git_commit() -> str | None:
    """The commit of the source tree (``git rev-parse HEAD``), or None outside a git checkout."""
    try:
        proc = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(sim.__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = proc.stdout.strip()
    return commit if proc.returncode == 0 and commit else None


def _versions() -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for name in KEY_PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def new_manifest(
    plan: RunPlan, *, block_size: int | None, backend: str, workers: int | None
) -> dict[str, Any]:
    """The manifest of a batch that has not started (docs/results.md, "manifest.json").

    Args:
        plan: the batch.
        block_size: runs per block (None only for the comparison made before a resume).
        backend: executor backend name.
        workers: worker count, or None when unknown (remote cluster).

    Returns:
        the manifest, with a ``fingerprint`` of the plan for resume checks.
    """
    return {
        "format_version": FORMAT_VERSION,
        "hedgesim_version": sim.__version__,
        "kind": plan.kind,
        "name": plan.name,
        "scenario": plan.scenario.model_dump(mode="json"),
        "sweep": plan.sweep,
        "parameters": list(plan.parameters),
        "sampler": plan.sampler,
        "batch_seed": plan.batch_seed,
        "replications": plan.replications,
        "n_points": plan.n_points,
        "n_runs": plan.n_runs,
        "steps": plan.scenario.steps,
        "final_window": plan.scenario.classification.final_window,
        "block_size": block_size,
        "n_blocks": plan.n_blocks(block_size) if block_size else None,
        "trajectory_sample": plan.trajectory_sample,
        "finished_blocks": [],
        "failed_blocks": {},
        "fingerprint": plan.fingerprint(),
        "git_commit": git_commit(),
        "python": platform.python_version(),
        "packages": _versions(),
        "started": utc_now(),
        "finished": None,
        "wall_time_s": 0.0,
        "workers": workers,
        "backend": backend,
    }


@dataclass(frozen=True)
class BlockOutput:
    """What one block produced, as Arrow tables ready to write.

    Args:
        index: block number.
        runs: one row per run (``runs.parquet`` columns).
        trajectories: long-format rows of the block's sampled runs.
        bands: quantile rows of the points lying wholly inside the block.
        hist: sparse histogram counts of the (at most two) points the block shares with neighbours.
    """

    index: int
    runs: pa.Table
    trajectories: pa.Table
    bands: pa.Table
    hist: pa.Table


def _write_table_atomic(table: pa.Table, path: Path) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        pq.write_table(table, tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class _StreamWriter:
    """Append tables to one Parquet file in row groups of bounded size; atomic on close."""

    def __init__(self, path: Path) -> None:
        self.path = path
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
        self.tmp = Path(tmp)
        self.writer: pq.ParquetWriter | None = None
        self.buffer: list[pa.Table] = []
        self.rows = 0

    def write(self, table: pa.Table) -> None:
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.tmp, table.schema)
        self.buffer.append(table.cast(self.writer.schema))
        self.rows += table.num_rows
        if self.rows >= _ROWS_PER_GROUP:
            self._flush()

    def _flush(self) -> None:
        if self.writer is not None and self.buffer:
            self.writer.write_table(pa.concat_tables(self.buffer), row_group_size=_ROWS_PER_GROUP)
        self.buffer, self.rows = [], 0

    def close(self) -> None:
        self._flush()
        if self.writer is None:
            self.tmp.unlink(missing_ok=True)
            return
        self.writer.close()
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.tmp.unlink(missing_ok=True)


class ResultsFolder:
    """A results folder being written.

    Use :meth:`create` for a new batch and :meth:`reopen` to resume one.

    Attributes:
        path: the folder.
        manifest: the manifest as last written.
    """

    def __init__(self, path: Path, manifest: dict[str, Any]) -> None:
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
    def create(cls, path: Path, manifest: dict[str, Any]) -> ResultsFolder:
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
        if path.is_dir() and any(path.iterdir()):
            raise ResultsError(
                path, "exists and is not empty (resume it with --resume, or choose another --out)"
            )
        return cls(path, manifest)

    def start(self) -> None:
        """Create the folder and ``parts/`` if needed and write the manifest (idempotent)."""
        self.parts.mkdir(parents=True, exist_ok=True)
        self.save_manifest()

    @classmethod
    def reopen(cls, path: Path, expected: dict[str, Any]) -> ResultsFolder:
        """Reopen a folder to resume it, refusing one that belongs to another batch.

        Args:
            path: the folder.
            expected: the manifest a fresh start would write; its ``format_version``,
                ``hedgesim_version`` and ``fingerprint`` must match the folder's, and so must its
                ``block_size`` unless that is None (then the folder's is kept).

        Returns:
            the folder with its manifest; stray temporary files are removed.

        Raises:
            ResultsError: no or unreadable manifest, or a mismatch.
        """
        mpath = path / "manifest.json"
        try:
            manifest = json.loads(mpath.read_text(encoding="utf-8"))
        except FileNotFoundError as error:
            raise ResultsError(mpath, "not found: nothing to resume here") from error
        except (OSError, ValueError) as error:
            raise ResultsError(mpath, f"cannot read: {error}") from error
        if not isinstance(manifest, dict):
            raise ResultsError(mpath, "malformed manifest: expected a JSON object")
        for key in ("format_version", "hedgesim_version"):
            if manifest.get(key) != expected[key]:
                raise ResultsError(
                    mpath,
                    f"{key}: folder was written by {manifest.get(key)!r}, this is {expected[key]!r};"
                    " cannot resume",
                )
        if manifest.get("fingerprint") != expected["fingerprint"]:
            raise ResultsError(
                mpath,
                f"belongs to another batch ({manifest.get('kind')} {manifest.get('name')!r} with"
                " different settings); cannot resume it with this file",
            )
        wanted = expected.get("block_size")
        if wanted is not None and wanted != manifest.get("block_size"):
            raise ResultsError(
                mpath,
                f"block_size: folder uses {manifest.get('block_size')}, not {wanted}; omit"
                " --block-size to resume",
            )
        folder = cls(path, manifest)
        if folder.compacted:
            shutil.rmtree(folder.parts, ignore_errors=True)  # killed after compaction
        else:
            folder.parts.mkdir(exist_ok=True)
        for stray in [*path.glob(".*.tmp"), *path.glob("parts/.*.tmp")]:
            stray.unlink(missing_ok=True)
        for key in ("workers", "backend"):
            manifest[key] = expected.get(key)
        return folder

    @property
    def compacted(self) -> bool:
        """True when the batch was already finished and compacted."""
        return bool(self.manifest.get("finished")) and (self.path / "runs.parquet").exists()

    def finished_blocks(self) -> set[int]:
        """Blocks listed as finished whose parts are all present."""
        if self.compacted:
            return set(range(int(self.manifest["n_blocks"])))
        return {
            int(i)
            for i in self.manifest.get("finished_blocks", [])
            if all(self.part_path(kind, int(i)).exists() for kind in PART_KINDS)
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
        text = json.dumps(self.manifest, indent=2, sort_keys=False, default=str)
        write_text_atomic(self.manifest_path, text + "\n")

    def write_block(self, output: BlockOutput) -> None:
        """Write a finished block's parts, then record it as finished in the manifest.

        Args:
            output: the block's tables.
        """
        tables = (output.runs, output.trajectories, output.bands, output.hist)
        for kind, table in zip(PART_KINDS, tables, strict=True):
            _write_table_atomic(table, self.part_path(kind, output.index))
        done = set(self.manifest.get("finished_blocks", [])) | {output.index}
        self.manifest["finished_blocks"] = sorted(done)
        self.manifest.get("failed_blocks", {}).pop(str(output.index), None)
        self.save_manifest()

    def record_failure(self, index: int, error: str) -> None:
        """Record a block that raised (with its traceback) in the manifest.

        Args:
            index: block number.
            error: the traceback text.
        """
        self.manifest.setdefault("failed_blocks", {})[str(index)] = error
        self.save_manifest()

    def compact(self) -> None:
        """Merge the parts into the final Parquet files (streaming), mark the batch finished in the
        manifest, then remove ``parts/``.

        Raises:
            RuntimeError: a block's parts are missing.
        """
        n_blocks = int(self.manifest["n_blocks"])
        missing = [i for i in range(n_blocks) if not self.part_path("runs", i).exists()]
        if missing:
            raise RuntimeError(f"cannot compact: blocks {missing[:5]} have no parts")
        writers = {
            "runs": _StreamWriter(self.path / "runs.parquet"),
            "traj": _StreamWriter(self.path / "trajectories.parquet"),
            "bands": _StreamWriter(self.path / "bands.parquet"),
        }
        merger = BandMerger(
            int(self.manifest["replications"]), int(self.manifest["steps"]), writers["bands"].write
        )
        try:
            for index in range(n_blocks):
                writers["runs"].write(pq.read_table(self.part_path("runs", index)))
                writers["traj"].write(pq.read_table(self.part_path("traj", index)))
                merger.add_block(
                    pq.read_table(self.part_path("hist", index)),
                    pq.read_table(self.part_path("bands", index)),
                    block_stop=min(
                        (index + 1) * int(self.manifest["block_size"]), int(self.manifest["n_runs"])
                    ),
                )
            merger.close()
            for writer in writers.values():
                writer.close()
        except BaseException:
            for writer in writers.values():
                writer.abort()
            raise
        self.manifest["finished"] = utc_now()
        self.save_manifest()
        shutil.rmtree(self.parts, ignore_errors=True)
