"""The month's record: copy the recorded state variables of every lane into the history panel.

The history is one float64 panel of shape (variables, steps, R) (:attr:`sim.model.GeoModel.panel`);
a month is one kernel call that copies each lane's recorded state rows (and its government's
preset index, a counter) into the month's column. Row by row in numpy this was 16 strided copies a
month, ~12% of a block's time; one pass over the lanes reads each lane's state from the few cache
lines it lives in (the tables are stored lane by lane, :mod:`sim.kernel.layout`).
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
    for r in range(lanes):
        for i in range(rows.shape[0]):
            panel[i, t, r] = S[rows[i], r]
        panel[last, t, r] = np.float64(C[counter, r])
