"""Write files atomically: a temporary file in the same folder, fsynced, then a rename.

A reader (or a crash) never sees a half-written manifest, block part, final Parquet file,
``summary.csv``, ``sensitivity.csv`` or report. :class:`ParquetStreamWriter` appends tables to one
Parquet file in bounded row groups and renames it into place only when closed.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from sim.contract.errors import ResultsError

ROWS_PER_GROUP = 1 << 16
"""Rows per Parquet row group of the streamed final files."""
_KINDS = {
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFDIR: "a directory",
}


def special_file_kind(path: Path) -> str | None:
    """What ``path`` is when it exists but is not a regular file (symbolic links followed).

    Reading a FIFO or a device would block or never end, so every input is checked first.

    Args:
        path: the file.

    Returns:
        e.g. ``"a FIFO (named pipe)"``, or None for a regular file or a missing path.
    """
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    return None if stat.S_ISREG(mode) else _KINDS.get(stat.S_IFMT(mode), "not a regular file")


def check_regular(path: Path) -> None:
    """Refuse a path that exists but is not a regular file (see :func:`special_file_kind`).

    Args:
        path: the file.

    Raises:
        ResultsError: one line naming the path and what it is.
    """
    kind = special_file_kind(path)
    if kind is not None:
        raise ResultsError(path, f"is {kind}, not a regular file")


def file_mode() -> int:
    """The mode of a new file under the current umask (``mkstemp`` creates files 0600)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def fsync_file(path: Path) -> None:
    """Flush a written file to disk.

    Args:
        path: the file.
    """
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_bytes_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` via a temporary sibling file and :func:`os.replace`.

    Args:
        path: destination file; its folder must exist.
        data: the complete file content.

    Returns:
        ``path``.
    """
    path = Path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp_name, file_mode())  # mkstemp creates 0600; give the usual file mode
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return path


def write_text_atomic(path: Path, text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically (see :func:`write_bytes_atomic`).

    Args:
        path: destination file; its folder must exist.
        text: the complete file content.

    Returns:
        ``path``.
    """
    return write_bytes_atomic(path, text.encode("utf-8"))


def write_parquet_atomic(path: Path, table: pa.Table) -> Path:
    """Write a table as Parquet with page checksums, durably and atomically.

    The table is serialised in memory, then written with :func:`write_bytes_atomic`.

    Args:
        path: destination file; its folder must exist.
        table: the table.

    Returns:
        ``path``.
    """
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, write_page_checksum=True)
    return write_bytes_atomic(path, sink.getvalue().to_pybytes())


class ParquetStreamWriter:
    """Append tables to one Parquet file in row groups of bounded size; durable and atomic on close.

    Args:
        path: the destination file; nothing appears there until :meth:`close`.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
        self.tmp = Path(tmp)
        self.writer: pq.ParquetWriter | None = None
        self.buffer: list[pa.Table] = []
        self.rows = 0

    def write(self, table: pa.Table) -> None:
        """Append a table (cast to the schema of the first one).

        Args:
            table: the rows.
        """
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.tmp, table.schema, write_page_checksum=True)
        self.buffer.append(table.cast(self.writer.schema))
        self.rows += table.num_rows
        if self.rows >= ROWS_PER_GROUP:
            self._flush()

    def _flush(self) -> None:
        if self.writer is not None and self.buffer:
            self.writer.write_table(pa.concat_tables(self.buffer), row_group_size=ROWS_PER_GROUP)
        self.buffer, self.rows = [], 0

    def close(self) -> None:
        """Finish the file, fsync it and rename it into place (no file if nothing was written)."""
        self._flush()
        if self.writer is None:
            self.tmp.unlink(missing_ok=True)
            return
        self.writer.close()
        fsync_file(self.tmp)
        os.chmod(self.tmp, file_mode())
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        """Drop the temporary file."""
        if self.writer is not None:
            self.writer.close()
        self.tmp.unlink(missing_ok=True)


def read_batches(path: Path, columns: list[str], batch_size: int) -> Iterator[pa.RecordBatch]:
    """Record batches of a Parquet file or a directory of Parquet parts, page checksums verified.

    A directory is read with pyarrow dataset discovery; its batches come in no particular order.

    Args:
        path: the file or directory.
        columns: columns to read.
        batch_size: most rows per batch.

    Returns:
        The batches (read lazily: errors surface while iterating).
    """
    if path.is_dir():
        scan = ds.ParquetFragmentScanOptions(page_checksum_verification=True)
        fmt = ds.ParquetFileFormat(default_fragment_scan_options=scan)
        return ds.dataset(path, format=fmt).to_batches(columns=columns, batch_size=batch_size)
    file = pq.ParquetFile(path, page_checksum_verification=True)
    return file.iter_batches(batch_size=batch_size, columns=columns)
