"""Quantile bands (q10, q50, q90 per point, step and variable) from 100-bin histograms on [0, 1].

Values are binned into 100 bins (bin ``i`` holds ``[i/100, (i+1)/100)``, 1.0 goes to bin 99). The
quantile ``q`` of ``n`` values is read from the first bin whose cumulative count ``c`` satisfies
``10 c >= 10 q n`` (integer arithmetic, so no rounding), interpolated linearly inside that bin; it is
therefore exact to 0.01. A block computes the bands of the points that lie wholly inside it directly and hands
on sparse histogram counts for the at most two points it shares with neighbouring blocks;
:mod:`sim.storage` merges those exactly. The per-block work is two numba kernels over the block's
history panel (:mod:`sim.kernel.bins`); merged histograms are read here, in numpy.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from sim.contract.columns import BANDS_SCHEMA, HIST_SCHEMA, TRAJECTORY_VARIABLES
from sim.kernel.bins import histogram_quantiles, point_quantiles, run_histograms

N_BINS = 100
"""Histogram bins on [0, 1]."""
TENTHS: tuple[int, ...] = (1, 5, 9)
"""The quantiles, in tenths: q10, q50, q90."""

_VARIABLES = pa.array(TRAJECTORY_VARIABLES, type=pa.string())
_TENTHS = np.array(TENTHS, dtype=np.int64)


def hist_quantiles(
    counts: npt.NDArray[np.int64], n: int | npt.NDArray[np.int64]
) -> npt.NDArray[np.float64]:
    """Quantiles from histograms (:func:`sim.kernel.bins.histogram_quantiles`).

    Args:
        counts: shape (G, 100), one histogram per row.
        n: total count per row (scalar or shape (G,)); must be positive.

    Returns:
        shape (len(TENTHS), G).
    """
    rows = np.broadcast_to(np.asarray(n, dtype=np.int64), (counts.shape[0],))
    return histogram_quantiles(
        np.asarray(counts, dtype=np.int64), np.ascontiguousarray(rows), _TENTHS
    )


def _bands_table(
    point_ids: npt.NDArray[np.int64], quantiles: npt.NDArray[np.float64], steps: int, n: int
) -> pa.Table:
    """Rows (point, step, variable) from quantiles of shape (3, P, steps * n_vars)."""
    n_vars = len(TRAJECTORY_VARIABLES)
    cells = steps * n_vars
    var_idx = np.tile(np.arange(n_vars, dtype=np.int32), steps * len(point_ids))
    step = np.tile(np.repeat(np.arange(1, steps + 1, dtype=np.int64), n_vars), len(point_ids))
    columns = {
        "point_id": np.repeat(point_ids.astype(np.int64), cells),
        "step": step,
        "variable": _VARIABLES.take(pa.array(var_idx)),
        **{f"q{10 * t}": quantiles[k].ravel() for k, t in enumerate(TENTHS)},
        "n": np.full(len(point_ids) * cells, n, dtype=np.int64),
    }
    return pa.table(columns, schema=BANDS_SCHEMA)


def hist_bands(point_id: int, counts: npt.NDArray[np.int64], steps: int) -> pa.Table:
    """Band rows of one point from its merged histograms.

    Args:
        point_id: the point.
        counts: shape (steps * n_vars, 100).
        steps: the horizon.

    Returns:
        a table with :data:`BANDS_SCHEMA`, ordered by step then variable.
    """
    n = int(counts[0].sum())
    quantiles = hist_quantiles(counts, n)[:, None, :]
    return _bands_table(np.array([point_id]), quantiles, steps, n)


def block_bands(
    point_ids: npt.NDArray[np.int64],
    run_start: int,
    replications: int,
    panel: npt.NDArray[np.float64],
) -> tuple[pa.Table, pa.Table]:
    """Bands of a block's complete points and histogram counts of its partial points.

    Args:
        point_ids: point of each run of the block (consecutive run ids from ``run_start``).
        run_start: first run id of the block.
        replications: runs per point.
        panel: the trajectories by variable, step and run, shape (len(TRAJECTORY_VARIABLES), steps,
            n_runs) (:attr:`sim.model.LaneResult.panel`).

    Returns:
        ``(bands, hist)`` with :data:`BANDS_SCHEMA` and :data:`HIST_SCHEMA`.
    """
    n_runs = len(point_ids)
    run_stop = run_start + n_runs
    steps = panel.shape[1]
    first, last = int(point_ids[0]), int(point_ids[-1])
    lo = first if first * replications >= run_start else first + 1
    hi = last if (last + 1) * replications <= run_stop else last - 1
    if hi >= lo:
        quantiles = point_quantiles(
            panel, lo * replications - run_start, replications, hi - lo + 1, _TENTHS, N_BINS
        )
        bands = _bands_table(np.arange(lo, hi + 1), quantiles, steps, replications)
    else:
        bands = BANDS_SCHEMA.empty_table()
    pieces = []
    for p in sorted({first, last} - set(range(lo, hi + 1))):
        rows = np.flatnonzero(point_ids == p)
        flat = run_histograms(panel, int(rows[0]), int(rows[-1]) + 1, N_BINS).ravel()
        nz = np.flatnonzero(flat)
        pieces.append(
            pa.table(
                {
                    "point_id": np.full(len(nz), p, dtype=np.int64),
                    "cell": (nz // N_BINS).astype(np.int32),
                    "bin": (nz % N_BINS).astype(np.int16),
                    "count": flat[nz].astype(np.int64),
                },
                schema=HIST_SCHEMA,
            )
        )
    hist = pa.concat_tables(pieces) if pieces else HIST_SCHEMA.empty_table()
    return bands, hist


class BandMerger:
    """Streams bands in point order, merging the histograms of points cut by block boundaries.

    Args:
        replications: runs per point.
        steps: the horizon.
        emit: receives band tables in point order.
    """

    def __init__(self, replications: int, steps: int, emit: Callable[[pa.Table], None]) -> None:
        self.replications = replications
        self.steps = steps
        self.emit = emit
        self.open_point: int | None = None
        self.counts = np.zeros((steps * len(TRAJECTORY_VARIABLES), N_BINS), dtype=np.int64)

    def _flush(self) -> None:
        if self.open_point is not None:
            self.emit(hist_bands(self.open_point, self.counts, self.steps))
            self.counts[:] = 0
            self.open_point = None

    def add_block(self, hist: pa.Table, bands: pa.Table, block_stop: int) -> None:
        """Take one block's partial histograms and complete-point bands, in point order.

        Args:
            hist: sparse counts (``point_id``, ``cell``, ``bin``, ``count``) of partial points.
            bands: quantile rows of the block's complete points.
            block_stop: one past the block's last run id.
        """
        point = hist.column("point_id").to_numpy()
        cell = hist.column("cell").to_numpy()
        bins = hist.column("bin").to_numpy()
        count = hist.column("count").to_numpy()
        first_complete = bands.column("point_id")[0].as_py() if bands.num_rows else None
        for p in np.unique(point):
            if first_complete is not None and p > first_complete:
                self._flush()
                self.emit(bands)
                first_complete = None
            if self.open_point != p:
                self._flush()
                self.open_point = int(p)
            sel = point == p
            # a block lists each (cell, bin) of a point once, so a plain fancy add is exact
            # (np.add.at, which allows repeats, was ~4x slower)
            self.counts[cell[sel], bins[sel]] += count[sel]
            if (int(p) + 1) * self.replications <= block_stop:
                self._flush()
        if first_complete is not None:
            self._flush()
            self.emit(bands)

    def close(self) -> None:
        """Write the last open point."""
        self._flush()
