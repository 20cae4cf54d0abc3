"""The explorer's three figures, drawn side by side in worker processes.

Drawing dominates a recompute (a 4-panel fan chart alone takes about 0.6 s to render, the
simulation of 1,000 runs 0.1–0.3 s), so the figures are drawn in parallel by a small pool of
``spawn``-started worker processes, each with a plain matplotlib of its own (no Solara patches, no
shared rcParams). The jobs carry small tables only: the one-row summary, the fan table, the final
posture of each run. If the pool cannot be used, the figures are drawn in this process instead.
"""

from __future__ import annotations

import atexit
import io
import multiprocessing
import os
import threading
import time
from collections.abc import Mapping
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from analysis.plots.fans import draw_fans
from analysis.plots.position import draw_position
from analysis.plots.shares import draw_shares
from analysis.style import styled

SCREEN_DPI = 80
"""Resolution of the figures on the page."""
WORKERS = 2
"""Worker processes drawing figures (the three figures take two rounds' worth of the slowest)."""

_lock = threading.Lock()
_pool: Executor | None = None


def draw_png(kind: str, data: Mapping[str, Any]) -> bytes:
    """Draw one explorer figure and return it as PNG bytes.

    Args:
        kind: ``shares``, ``fans`` or ``position``.
        data: the figure's inputs (see :func:`jobs_of` in :mod:`hedgesim.app`).

    Returns:
        the PNG.
    """
    if kind == "shares":
        fig = draw_shares(data["summary"], caption=data["caption"], title=data["title"])
    elif kind == "fans":
        fig = draw_fans(
            data["fan"],
            caption=data["caption"],
            title=data["title"],
            source="quantiles over all runs",
            events=data["events"],
        )
    elif kind == "position":
        fig = draw_position(
            data["runs"],
            tilt_margin=data["tilt_margin"],
            caption=data["caption"],
            title=data["title"],
        )
    else:
        raise ValueError(f"unknown explorer figure {kind!r}")
    buffer = io.BytesIO()
    with styled():
        fig.savefig(buffer, format="png", dpi=SCREEN_DPI)
    return buffer.getvalue()


def _get_pool() -> Executor:
    global _pool
    with _lock:
        if _pool is None:
            context = multiprocessing.get_context("spawn")
            _pool = ProcessPoolExecutor(
                max_workers=WORKERS,
                mp_context=context,
                initializer=_watch_parent,
                initargs=(os.getpid(),),
            )
            atexit.register(_pool.shutdown, wait=False, cancel_futures=True)
        return _pool


def _watch_parent(parent: int) -> None:
    """In a worker: end the process when the parent (the app's server) is gone, even if killed."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="hedgesim-parent-watch", daemon=True).start()


def warm_up() -> None:
    """Start the worker processes now (they import matplotlib once).

    Call it from running code, never at import time: a ``spawn``-started worker imports the
    parent's main module again, and a worker that started workers of its own would never end.
    """
    pool = _get_pool()
    for future in [pool.submit(_noop) for _ in range(WORKERS)]:
        future.result()


def _noop() -> None:
    """Nothing: a task that makes a worker start."""


def render(
    jobs: Mapping[str, Mapping[str, Any]], fallback_lock: threading.Lock
) -> dict[str, bytes]:
    """Draw several figures at once in the worker pool.

    Args:
        jobs: figure name -> its inputs.
        fallback_lock: held while drawing in this process when the pool is broken (matplotlib's
            style context is process-wide).

    Returns:
        figure name -> PNG bytes.
    """
    global _pool
    try:
        pool = _get_pool()
        futures = {kind: pool.submit(draw_png, kind, data) for kind, data in jobs.items()}
        return {kind: future.result() for kind, future in futures.items()}
    except (BrokenProcessPool, OSError, RuntimeError):
        with _lock:
            _pool = None
        with fallback_lock:
            return {kind: draw_png(kind, data) for kind, data in jobs.items()}
