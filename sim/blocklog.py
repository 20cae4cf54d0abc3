"""The finished-block log of a results folder (docs/results.md, ``blocks.log``): one line per block.

A block counts as finished once its line is in ``blocks.log``. Each line is a small JSON object, e.g.
``{"block": 3, "bytes": 918211, "sha256": "9f2c..."}``: the block number and the size and SHA-256 of
its part file (:mod:`sim.parts`), which is written and fsynced *before* its line is appended. So a
line never names a part that is not durable, each block costs one append (O(1), however many blocks
came before), and the manifest need not be rewritten per block.

The log is append-only while a batch runs. It is not fsynced per line: a line lost in a crash only
means its block is run again. Reading is tolerant: a line that does not parse (a torn last line from
a crash mid-append, or garbage where unwritten blocks were left after a power cut) is ignored, so its
block is run again; :meth:`BlockLog.rewrite` replaces the file atomically with the good lines before
more are appended (at a resume, or when compaction drops a bad block).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from sim.contract.files import write_text_atomic

LOG_NAME = "blocks.log"
"""The log's file name inside a results folder."""


@dataclass(frozen=True)
class BlockRecord:
    """One finished block, as logged.

    Args:
        index: block number.
        size: bytes of its part file.
        sha256: hex SHA-256 of its part file.
    """

    index: int
    size: int
    sha256: str

    def to_line(self) -> str:
        """The record as one line of the log (newline included)."""
        record = {"block": self.index, "bytes": self.size, "sha256": self.sha256}
        return json.dumps(record, separators=(",", ":")) + "\n"

    @classmethod
    def from_line(cls, line: str) -> BlockRecord | None:
        """Parse one line of the log.

        Args:
            line: the line (with or without its newline).

        Returns:
            the record, or None when the line is not a complete, well-typed record.
        """
        try:
            data = json.loads(line)
        except ValueError:
            return None
        if not isinstance(data, dict) or set(data) != {"block", "bytes", "sha256"}:
            return None
        index, size, digest = data["block"], data["bytes"], data["sha256"]
        if not all(
            isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in (index, size)
        ):
            return None
        if not isinstance(digest, str) or len(digest) != 64:
            return None
        return cls(index, size, digest)


@dataclass(frozen=True)
class LogContents:
    """What :meth:`BlockLog.read` found.

    Args:
        records: the last good record of each block, by block number.
        clean: True when every line parsed and the file ends with a newline (nothing to rewrite).
    """

    records: dict[int, BlockRecord]
    clean: bool


class BlockLog:
    """The append-only ``blocks.log`` of one results folder.

    Args:
        path: the log file.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[bytes] | None = None

    def read(self) -> LogContents:
        """Read the log, skipping lines that do not parse (a missing log is empty and clean).

        Returns:
            the records and whether the file is clean.
        """
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return LogContents({}, clean=True)
        records: dict[int, BlockRecord] = {}
        clean = not data or data.endswith(b"\n")
        for raw in data.split(b"\n"):
            if not raw:
                continue
            record = BlockRecord.from_line(raw.decode("utf-8", "replace"))
            if record is None:
                clean = False
            else:
                records[record.index] = record
        return LogContents(records, clean)

    def append(self, record: BlockRecord) -> None:
        """Append one record (flushed to the OS, not fsynced: see the module docstring).

        Args:
            record: the finished block.
        """
        if self._handle is None:
            self._handle = self.path.open("ab")
        self._handle.write(record.to_line().encode("ascii"))
        self._handle.flush()

    def sync(self) -> None:
        """Flush the appended lines to disk (at the end of a session and before compaction)."""
        if self._handle is not None:
            os.fsync(self._handle.fileno())

    def rewrite(self, records: Iterable[BlockRecord]) -> None:
        """Replace the log atomically (fsynced) with these records, in block order.

        Args:
            records: the records to keep.
        """
        self.close()
        lines = sorted(records, key=lambda r: r.index)
        write_text_atomic(self.path, "".join(r.to_line() for r in lines))

    def close(self) -> None:
        """Close the append handle (idempotent)."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None
