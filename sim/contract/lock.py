"""One writer per results folder: an OS advisory lock on ``<folder>/.hedgesim.lock``.

A writer (``run``, ``sweep``, ``--resume`` and the compaction they end with) holds an exclusive
:func:`fcntl.flock` on the lock file for the whole batch and writes its process id into it; readers
that write beside the results (``plot``, ``report``) hold a shared one while they work. The kernel
releases the lock when the holder's file descriptor closes, including when the process is killed, so a
lock is never left stale; the file itself stays (deleting a lock file races with processes that have it
open) and is ignored by everything else.

Hand-written on purpose: ``filelock`` (the well-kept package) truncates the file when it opens it,
which would erase the holder's process id a refused writer must name, and has no shared mode.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sim.contract.errors import ResultsError

LOCK_NAME = ".hedgesim.lock"
"""The lock file inside a results folder."""
ATTEMPTS = 8
"""Tries, :data:`RETRY_S` apart, before a writer gives up (a reader's probe holds the lock briefly)."""
RETRY_S = 0.05


class FolderInUse(ResultsError):
    """Another process holds the folder's lock; ``str(error)`` is the whole one-line message.

    Args:
        folder: the results folder.
        message: the line, starting with the folder.
    """

    def __init__(self, folder: Path, message: str) -> None:
        super().__init__(folder, message)
        self.args = (message,)

    def __str__(self) -> str:
        return str(self.args[0])


def _holder(fd: int) -> str:
    """The process id recorded in an open lock file, as text (``another process`` if none)."""
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        text = ""
    return f"process {text}" if text.isdigit() else "another process"


def _open(path: Path, flags: int) -> int:
    """Open the lock file, refusing a symbolic link or anything but a regular file."""
    fd = os.open(path, flags | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK, 0o644)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise ResultsError(path, "is not a regular file; remove it")
    return fd


def _same_file(fd: int, path: Path) -> bool:
    """Whether ``path`` still names the open file (it may have been replaced meanwhile)."""
    try:
        now = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (now.st_dev, now.st_ino) == (mine.st_dev, mine.st_ino)


class WriterLock:
    """The exclusive lock of a results folder, held until :meth:`release` (a context manager).

    Use :meth:`acquire`. Attributes say what acquiring it created, so that a batch refused before it
    wrote anything can leave the disk as it found it (:meth:`discard`).

    Attributes:
        folder: the results folder.
        created: folders created to hold the lock, outermost first.
        created_file: whether the lock file was created by this lock.
        keep: set by the holder once it has written into the folder (then :meth:`discard` is not
            wanted).
    """

    def __init__(self, folder: Path, fd: int, created: list[Path], created_file: bool) -> None:
        self.folder = folder
        self.created = created
        self.created_file = created_file
        self.keep = False
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, folder: Path) -> WriterLock:
        """Create the folder if needed and lock it exclusively.

        Args:
            folder: the results folder.

        Returns:
            the held lock.

        Raises:
            FolderInUse: another process holds the lock (one line naming it).
            ResultsError: the folder or the lock file cannot be created.
        """
        folder = Path(folder)
        try:
            if folder.is_symlink() and not folder.exists():
                raise ResultsError(folder, "is a symbolic link to a missing target")
            if folder.exists() and not folder.is_dir():
                raise ResultsError(folder, "exists and is not a folder")
            created = [p for p in (folder, *folder.parents) if not os.path.lexists(p)][::-1]
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ResultsError(folder, f"cannot create the folder: {_reason(error)}") from None
        try:
            return cls._lock(folder, created)
        except ResultsError as error:
            if not isinstance(error, FolderInUse):
                _remove_dirs(created)
            raise

    @classmethod
    def _lock(cls, folder: Path, created: list[Path]) -> WriterLock:
        path = folder / LOCK_NAME
        busy = "another process"
        for _ in range(ATTEMPTS):
            existed = os.path.lexists(path)
            try:
                fd = _open(path, os.O_RDWR | os.O_CREAT)
            except OSError as error:
                raise ResultsError(path, f"cannot open the lock file: {_reason(error)}") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                busy = _busy(fd)
                os.close(fd)
                time.sleep(RETRY_S)
                continue
            except OSError as error:
                os.close(fd)
                raise ResultsError(path, f"cannot lock: {_reason(error)}") from None
            if not _same_file(fd, path):  # replaced between open and lock: try the new one
                os.close(fd)
                continue
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
            return cls(folder, fd, created, created_file=not existed)
        raise FolderInUse(
            folder, f"{folder} is in use by {busy}; wait for it or choose another --out"
        )

    def release(self) -> None:
        """Release the lock (idempotent); the lock file stays."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def discard(self) -> None:
        """Release the lock and remove what :meth:`acquire` created (for a batch that wrote nothing)."""
        if self.created_file or self.created:
            (self.folder / LOCK_NAME).unlink(missing_ok=True)
        self.release()
        _remove_dirs(self.created)

    def __enter__(self) -> WriterLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _remove_dirs(created: list[Path]) -> None:
    """Remove folders this process created (innermost first), stopping at one that is not empty."""
    for path in reversed(created):
        try:
            path.rmdir()
        except OSError:
            break


def _busy(fd: int) -> str:
    """Who holds a lock we could not take exclusively: a writer (named) or readers."""
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return _holder(fd)
    fcntl.flock(fd, fcntl.LOCK_UN)
    return "another process reading it (hedgesim plot or report)"


def _reason(error: OSError) -> str:
    if error.errno == errno.ENAMETOOLONG:
        return "the name is too long"
    return error.strerror or str(error)


@contextmanager
def reading(folder: Path) -> Iterator[None]:
    """Hold a shared lock on a results folder while reading it (and writing figures or a report).

    A folder without a lock file (never written by a locking hedgesim, or read-only) is read as is.

    Args:
        folder: the results folder.

    Raises:
        FolderInUse: a batch is writing the folder right now.
    """
    folder = Path(folder)
    try:
        fd = _open(folder / LOCK_NAME, os.O_RDONLY)
    except (OSError, ResultsError):
        yield
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            raise FolderInUse(
                folder,
                f"{folder} is being written by {_holder(fd)} (a batch is running);"
                " wait for it to finish",
            ) from None
        except OSError:
            pass  # a file system without locks: read as is
        yield
    finally:
        os.close(fd)
