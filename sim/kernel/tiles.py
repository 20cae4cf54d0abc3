"""Tiles: a few lanes' knobs, state and draws copied into one small scratch table, for SIMD loops.

The month's stages (:mod:`sim.kernel.lanes`) run tile by tile: :func:`load` copies lanes
``start .. start + n - 1`` (n <= TILE) of the knob and state tables and of the month's draws into a
tile ``T`` of shape (ROWS, TILE), each stage is then one loop over the tile's columns on ``T`` alone,
and :func:`unload` copies the state back. In ``T`` every row sits at a fixed offset from one
allocation whose shape the compiler knows, so it can prove that a stage's stores never overwrite
the rows it reads, and turns each loop without a libm call into SIMD instructions across lanes
(stated over the tables themselves, each loop would need a run-time overlap check per pair of rows,
and the compiler gives up). The views :func:`views` give back the same row numbers as the tables
(``Kt[ix("structure.usa.commitment_rate"), c]``), so the per-lane equations run unchanged on a
tile. Columns past n hold an earlier tile's lanes (or zeros): they are computed and discarded.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.kernel.cache import TILE
from sim.kernel.choice import POSTURE, WORK
from sim.kernel.layout import KNOB_NAMES, STATE_NAMES

NOISE_CHANNELS: tuple[str, ...] = (*POSTURE, "launch", "election")
"""Uniform draws each lane makes every month, in this order."""
LAUNCH = NOISE_CHANNELS.index("launch")
ELECTION = NOISE_CHANNELS.index("election")
DRAWN = LAUNCH + 1
"""Channels the kernels draw from (the election's draw is used by :mod:`sim.seoul`)."""
KNOBS, STATES = len(KNOB_NAMES), len(STATE_NAMES)
DRAW = WORK
"""Work row of a lane's first draw; channel k is row ``DRAW + k``."""
HAZARD = DRAW + DRAWN
"""Work row of the lane's launch hazard, then its launch probability (:mod:`sim.kernel.lanes`)."""
ROWS = KNOBS + STATES + HAZARD + 1
"""Rows of a tile: the knob rows, the state rows, then the work rows."""
SECTIONS: tuple[str, ...] = ("levels.", "world.", "structure.usa.", "structure.china.")
SECTIONS += ("structure.dprk.", "structure.japan.", "structure.russia.", "structure.seoul.")
"""Knob sections the tiled stages read (the others' and Seoul's month); the rest (events,
governments, elections, observation, start-up, schedules' scales, initial values) stay zero."""
TILE_KNOBS = np.array([i for i, path in enumerate(KNOB_NAMES) if path.startswith(SECTIONS)])
"""Knob rows copied into a tile."""


@njit(cache=True, error_model="numpy", forceinline=True)
def copy(source: np.ndarray, target: np.ndarray, n: int) -> None:
    """The first n values of ``source`` into ``target`` (two contiguous rows that do not overlap)."""
    for c in range(n):
        target[c] = source[c]


@njit(cache=True, error_model="numpy", inline="always")
def load(
    K: np.ndarray, S: np.ndarray, noise: np.ndarray, t: int, start: int, n: int, T: np.ndarray
) -> None:
    """Copy lanes ``start .. start + n - 1`` of the tables and of month t's draws into tile T.

    Args:
        K: knob table.
        S: state table.
        noise: every lane's draws.
        t: the month's row of ``noise``.
        start: first lane.
        n: lanes (at most TILE).
        T: the tile, shape (ROWS, TILE).
    """
    for row in TILE_KNOBS:
        copy(K[row, start : start + n], T[row], n)
    for row in range(STATES):
        copy(S[row, start : start + n], T[KNOBS + row], n)
    for k in range(DRAWN):
        copy(noise[t, k, start : start + n], T[KNOBS + STATES + DRAW + k], n)


@njit(cache=True, error_model="numpy", inline="always")
def unload(T: np.ndarray, S: np.ndarray, start: int, n: int) -> None:
    """Copy the tile's state back into lanes ``start .. start + n - 1`` of the state table S."""
    for row in range(STATES):
        copy(T[KNOBS + row], S[row, start : start + n], n)


@njit(cache=True, error_model="numpy", inline="always")
def views(T: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The tile's knob rows, state rows and work rows (views of T, indexed like the tables)."""
    return T[:KNOBS], T[KNOBS : KNOBS + STATES], T[KNOBS + STATES :]


@njit(cache=True, error_model="numpy", inline="always")
def new_tile() -> np.ndarray:
    """A zeroed tile, shape (ROWS, TILE) (allocated where the stages run, so its shape is known)."""
    return np.zeros((ROWS, TILE))
