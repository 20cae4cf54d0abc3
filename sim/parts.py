"""A finished block's parts in one file, ``parts/block-<index>.zip`` (docs/results.md).

Each block produces a few Arrow tables (``runs``, ``trajectories``, ``bands``, ``hist``). They are
written as Parquet (with page checksums) into one uncompressed zip archive, as numpy's ``.npz``
holds arrays: one file, so one fsync per block, and a quarter of the files a 10^8-run sweep would
otherwise leave in ``parts/``. A zip member carries its CRC-32, checked when it is read back, and
each Parquet page its own checksum; :mod:`sim.blocklog` records the SHA-256 of the whole file.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from sim.blocklog import BlockRecord
from sim.contract.files import write_bytes_atomic


class PartError(Exception):
    """A part file that is missing or cannot be read; ``str(error)`` is the short reason."""


def encode_parts(tables: Mapping[str, pa.Table]) -> bytes:
    """A block's tables as the bytes of its part file.

    Args:
        tables: table by kind (member ``<kind>.parquet``).

    Returns:
        the zip archive.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for kind, table in tables.items():
            sink = pa.BufferOutputStream()
            pq.write_table(table, sink, write_page_checksum=True)
            archive.writestr(f"{kind}.parquet", sink.getvalue().to_pybytes())
    return buffer.getvalue()


@dataclass(frozen=True)
class EncodedBlock:
    """A finished block's part file, encoded (in the worker that ran it) and ready to write.

    Args:
        data: the part file's bytes.
        record: its log line (block number, size, SHA-256).
    """

    data: bytes
    record: BlockRecord

    @property
    def index(self) -> int:
        """Block number."""
        return self.record.index


def encode_block(index: int, tables: Mapping[str, pa.Table]) -> EncodedBlock:
    """A block's tables as its part file and log record.

    Args:
        index: block number.
        tables: table by kind.

    Returns:
        the encoded block.
    """
    data = encode_parts(tables)
    return EncodedBlock(data, BlockRecord(index, len(data), hashlib.sha256(data).hexdigest()))


def write_part(path: Path, block: EncodedBlock) -> None:
    """Write a block's part file durably: fsynced (the block's one fsync), then renamed into place.

    Args:
        path: the part file.
        block: the encoded block.
    """
    write_bytes_atomic(path, block.data)


def read_part(path: Path, kinds: Iterable[str]) -> tuple[dict[str, pa.Table], BlockRecord]:
    """A block's tables from its part file, its members' and pages' checksums verified.

    Args:
        path: the part file.
        kinds: the tables to read.

    Returns:
        table by kind, and the file's size and SHA-256 (as a record of block 0, to compare with
        the logged one).

    Raises:
        FileNotFoundError: no part file.
        PartError: a member is missing or fails its checksum, or the file is not a zip archive.
    """
    data = path.read_bytes()
    tables: dict[str, pa.Table] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for kind in kinds:
                member = archive.read(f"{kind}.parquet")  # checks the member's CRC-32
                reader = pa.BufferReader(member)
                tables[kind] = pq.read_table(reader, page_checksum_verification=True)
    except (zipfile.BadZipFile, KeyError, pa.ArrowException, OSError, ValueError) as error:
        raise PartError(str(error)) from error
    return tables, BlockRecord(0, len(data), hashlib.sha256(data).hexdigest())
