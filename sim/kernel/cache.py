"""Where numba keeps the compiled kernels, so that workers load them instead of compiling again.

Every kernel is ``@njit(cache=True)``. numba checks a cached kernel against its own source file only,
not against the kernel modules it calls, so the cache directory is named by a fingerprint of all the
kernel sources: an edit anywhere in :mod:`sim.kernel` starts a fresh directory instead of loading a
stale kernel. The base directory is ``NUMBA_CACHE_DIR`` if set, else the package's own
``__pycache__`` if it is writable, else ``$XDG_CACHE_HOME/hedgesim`` (``~/.cache/hedgesim``), so a
read-only installation still caches. ``NUMBA_DISABLE_JIT=1`` runs the same code as plain Python.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numba

from sim.scenario import LANE_FIELDS

HERE = Path(__file__).resolve().parent
PAD = 8
"""Rows of the knob and state tables are padded to a multiple of PAD lanes plus PAD (one 64-byte
cache line), so that rows 2**k lanes long do not all map to the same cache sets."""
TILE = 64
"""Lanes per tile of the month's stages (:mod:`sim.kernel.tiles`). A tile (~230 rows of 64 floats,
~120 KiB) stays in the L2 cache; 32 lanes ran as fast, 128 ~15% and 256 ~20% slower (8,192 lanes)."""


def fingerprint() -> str:
    """A short hash of every kernel module's source and of the schema's lane fields (knob rows)."""
    digest = hashlib.sha256("\n".join(LANE_FIELDS).encode())
    for path in sorted(HERE.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_dir() -> Path:
    """The directory numba caches the kernels in (see the module docstring)."""
    env = os.environ.get("NUMBA_CACHE_DIR")
    if env:
        base = Path(env)
    elif os.access(HERE, os.W_OK):
        base = HERE / "__pycache__"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "hedgesim"
    return base / f"numba-{fingerprint()}"


def use_cache_dir() -> Path:
    """Point numba's cache at :func:`cache_dir` (before any kernel is decorated).

    Returns:
        the directory.
    """
    path = cache_dir()
    numba.config.CACHE_DIR = str(path)
    return path
