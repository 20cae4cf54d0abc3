"""The month's record: copy the recorded state variables of every lane into the history panel.

The history is one float64 panel of shape (variables, steps, R) (:attr:`sim.model.GeoModel.panel`);
a month is one kernel call that copies each recorded state row (and the government's preset index,
a counter) into the month's column of that variable, one contiguous row at a time (the tables are
stored row by row, :mod:`sim.kernel.layout`). In numpy, with the old temporaries, this was ~12% of
a block's time; here it is ~3 ms per 8,192-run block.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, error_model="numpy")
def record_lanes(
    S: np.ndarray,
    C: np.ndarray,
    rows: np.ndarray,
    counter: int,
    panel: np.ndarray,
    t: int,
    lanes: int,
) -> None:
    """Write month t of every lane: ``panel[i, t, r] = S[rows[i], r]``, then the counter.

    Args:
        S: state table.
        C: counter table.
        rows: the state row of each of the panel's first ``len(rows)`` variables.
        counter: the counter row recorded (as a float) into the panel's last variable.
        panel: the history, shape (variables, steps, R), written in place.
        t: the month's index (steps - 1).
        lanes: number of lanes R.
    """
    last = panel.shape[0] - 1
    for i in range(rows.shape[0]):
        row = rows[i]
        for r in range(lanes):
            panel[i, t, r] = S[row, r]
    for r in range(lanes):
        panel[last, t, r] = np.float64(C[counter, r])
