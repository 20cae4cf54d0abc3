"""Process lifetimes: workers die with their coordinator, and SIGTERM stops a batch like Ctrl-C.

A worker process started by hedgesim calls :func:`die_with_parent` first. On Linux it asks the
kernel (``prctl(PR_SET_PDEATHSIG, SIGKILL)``) to kill it the moment the coordinating process dies,
however it dies (``kill -9`` included); elsewhere, or if that call fails, a daemon thread polls the
parent's process id and exits when it changes. Either way no worker outlives its coordinator by more
than about a second, holding memory and CPU for results nobody will write.

``prctl`` is called through :mod:`ctypes` on the C library: ``python-prctl`` (last release 2020)
needs libcap headers and a compiler to install, for one system call.

:func:`sigterm_as_interrupt` makes SIGTERM (``kill``, a service manager, a batch scheduler's time
limit) raise :class:`Terminated`, a :class:`KeyboardInterrupt`, so it takes the same path as Ctrl-C:
finished blocks are kept for ``--resume`` and the command exits with status 143.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

PR_SET_PDEATHSIG = 1
"""``prctl`` option of linux/prctl.h: the signal a process gets when its parent dies."""
POLL_S = 0.5
"""Seconds between parent checks of the fallback thread."""


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived; handled like Ctrl-C (exit status 128 + 15)."""


def _set_parent_death_signal() -> bool:
    """Ask the Linux kernel to SIGKILL this process when its parent dies; False if unavailable."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(POLL_S)
    os._exit(1)


def die_with_parent(parent: int) -> None:
    """Make this (worker) process exit when ``parent`` dies.

    Args:
        parent: process id of the coordinating process, taken before this process was started
            (if it has already died, this process exits at once).
    """
    if not _set_parent_death_signal():
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # the parent died before the death signal was set
        os._exit(1)


def worker_init(parent: int) -> None:
    """Initialiser of a local pool worker: die with the coordinator, leave Ctrl-C to it.

    Args:
        parent: the coordinator's process id.
    """
    die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated()


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM raises :class:`Terminated` (only in the main thread; else a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
