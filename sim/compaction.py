"""Threads that keep compaction off the critical path: read parts ahead, write final files behind.

Compaction (:meth:`sim.storage.ResultsFolder.compact`) reads every block's part file in block order
and appends its tables to the final Parquet files. Decoding and encoding Parquet, the zip CRC and the
SHA-256 all run in C with the GIL released, so :func:`read_ahead` decodes the next few blocks on a
small pool of threads while :class:`WriterThread` encodes each final file on its own thread. Order is
kept, so the files are the same as a sequential compaction writes, and memory stays bounded: at most
:data:`READ_AHEAD` blocks decoded ahead and :data:`WRITE_QUEUE` tables waiting per file.
"""

from __future__ import annotations

import os
import queue
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pyarrow as pa

from sim.contract.files import ParquetStreamWriter

READ_THREADS = max(1, min(4, os.cpu_count() or 1))
"""Threads decoding parts ahead of the writers."""
READ_AHEAD = 2 * READ_THREADS
"""Blocks decoded ahead of the one being written, at most."""
WRITE_QUEUE = 4
"""Tables waiting for each final file's writer thread, at most."""


def read_ahead[T](read: Callable[[int], T], indices: Iterable[int]) -> Iterator[Future[T]]:
    """``read(i)`` for each index, computed on threads a few ahead, as futures in index order.

    The caller takes each future's ``result()`` (which raises what ``read`` raised). Leaving the
    loop early cancels the reads not yet started and waits for the running ones.

    Args:
        read: reads one block (must be safe to call from several threads at once).
        indices: block numbers, in the order wanted.

    Yields:
        one future per index.
    """
    pool = ThreadPoolExecutor(READ_THREADS, thread_name_prefix="compact-read")
    pending: deque[Future[T]] = deque()
    todo = iter(indices)
    try:
        for index in todo:
            pending.append(pool.submit(read, index))
            if len(pending) >= READ_AHEAD:
                break
        while pending:
            future = pending.popleft()
            index = next(todo, None)
            if index is not None:
                pending.append(pool.submit(read, index))
            yield future
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


class WriterThread:
    """Calls ``write(table)`` on a thread of its own, in order, with a bounded queue in front.

    An error raised by ``write`` is raised again by the next :meth:`write` or by :meth:`join`.

    Args:
        write: appends a table to a file (e.g. :meth:`sim.contract.files.ParquetStreamWriter.write`).
        name: the thread's name.
    """

    _DONE = object()

    def __init__(self, write: Callable[[pa.Table], None], name: str) -> None:
        self._write = write
        self._queue: queue.Queue[object] = queue.Queue(maxsize=WRITE_QUEUE)
        self._error: BaseException | None = None
        self._cancelled = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is self._DONE:
                return
            if self._error is None and not self._cancelled:  # else drain the queue unwritten
                try:
                    self._write(item)  # type: ignore[arg-type]
                except BaseException as error:
                    self._error = error

    def write(self, table: pa.Table) -> None:
        """Queue a table (blocks while the queue is full).

        Args:
            table: the rows.

        Raises:
            BaseException: what an earlier write raised on the thread.
        """
        self._raise()
        self._queue.put(table)

    def join(self) -> None:
        """Wait for the queued tables to be written and stop the thread.

        Raises:
            BaseException: what a write raised on the thread.
        """
        self._queue.put(self._DONE)
        self._thread.join()
        self._raise()

    def cancel(self) -> None:
        """Stop the thread without writing what is still queued (idempotent)."""
        self._cancelled = True
        if self._thread.is_alive():
            self._queue.put(self._DONE)
            self._thread.join()

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error


class FinalFiles:
    """The final Parquet files being compacted, each appended to on its own :class:`WriterThread`.

    Args:
        folder: the results folder.
        names: file name by kind of table (nothing appears there until :meth:`close`).
    """

    def __init__(self, folder: Path, names: Mapping[str, str]) -> None:
        self._writers = {kind: ParquetStreamWriter(folder / name) for kind, name in names.items()}
        self._threads = {
            kind: WriterThread(writer.write, f"compact-{kind}")
            for kind, writer in self._writers.items()
        }

    def appender(self, kind: str) -> Callable[[pa.Table], None]:
        """The function that queues a table for one file.

        Args:
            kind: the file.
        """
        return self._threads[kind].write

    def close(self) -> None:
        """Write what is queued, then finish each file durably and rename it into place."""
        for thread in self._threads.values():
            thread.join()
        for writer in self._writers.values():
            writer.close()

    def abort(self) -> None:
        """Drop what is queued and every temporary file (idempotent)."""
        for thread in self._threads.values():
            thread.cancel()
        for writer in self._writers.values():
            writer.abort()
