"""Quantile bands of a block in one pass over its history panel (see :mod:`sim.bands` for the method).

A value's bin is ``min(int(clip(x, 0, 1) * n_bins), n_bins - 1)``. For each point and cell (a
step and variable) the quantile with ``tenths`` is read from the first bin whose cumulative count
``c`` satisfies ``10 c >= tenths n`` and interpolated inside that bin. Both kernels here read the
panel (variables, steps, runs) along its contiguous run axis; in numpy the same work (binning 15
strided (runs, steps) arrays, stacking them and sorting or ``bincount``-ing the stack) was ~19% of a
block's time.
"""

from __future__ import annotations

import numpy as np
from numba import njit

TEN = 10
"""Tenths per unit: quantiles are given in tenths so the bin search is integer arithmetic."""


@njit(cache=True, error_model="numpy")
def bin_of(x: float, n_bins: int) -> int:
    """Bin of a value on [0, 1] (values outside are clipped; 1.0 goes to the last bin)."""
    b = int(min(max(x, 0.0), 1.0) * n_bins)
    return min(b, n_bins - 1)


@njit(cache=True, error_model="numpy")
def interpolate(b: int, below: int, count: int, tenths: int, n: int, n_bins: int) -> float:
    """The quantile inside bin b: ``(b + (tenths*n - 10*below) / (10*count)) / n_bins``.

    Both the bands of a block's whole points and those of merged histograms use it.
    """
    frac = np.float64(tenths * n - TEN * below) / np.float64(TEN * count)
    return (np.float64(b) + frac) / n_bins


@njit(cache=True, error_model="numpy")
def counted_quantile(counts: np.ndarray, n: int, tenths: int, n_bins: int) -> float:
    """The quantile with ``tenths`` of the n values counted in one histogram row ``counts``."""
    total, b = 0, 0
    while TEN * (total + counts[b]) < tenths * n:
        total += counts[b]
        b += 1
    return interpolate(b, total, counts[b], tenths, n, n_bins)


@njit(cache=True, error_model="numpy")
def histogram_quantiles(counts: np.ndarray, n: np.ndarray, tenths: np.ndarray) -> np.ndarray:
    """Quantiles of histograms, one per row of ``counts`` (G, n_bins), row g holding n[g] values.

    Returns:
        shape (len(tenths), G).
    """
    out = np.empty((tenths.shape[0], counts.shape[0]))
    for g in range(counts.shape[0]):
        for q in range(tenths.shape[0]):
            out[q, g] = counted_quantile(counts[g], n[g], tenths[q], counts.shape[1])
    return out


@njit(cache=True, error_model="numpy")
def point_quantiles(
    panel: np.ndarray, first_run: int, n: int, points: int, tenths: np.ndarray, n_bins: int
) -> np.ndarray:
    """Quantiles of ``points`` consecutive points of n runs each, starting at run ``first_run``.

    A point of at least ``n_bins`` runs is counted into a histogram (time O(n + n_bins) per cell);
    a smaller one is sorted (O(n log n)), and the quantile's bin, the count below it and its own
    count are read from the sorted bins. Both give the same three integers, hence the same number.

    Args:
        panel: shape (variables, steps, runs).
        first_run: the first point's first run (column of the panel).
        n: runs per point.
        points: number of points.
        tenths: the quantiles, in tenths.
        n_bins: bins on [0, 1].

    Returns:
        shape (len(tenths), points, steps * variables); cell ``t * variables + v``.
    """
    variables, steps = panel.shape[0], panel.shape[1]
    out = np.empty((tenths.shape[0], points, steps * variables))
    counts = np.zeros(n_bins, dtype=np.int64)
    ranked = np.empty(n, dtype=np.int64)
    for p in range(points):
        start = first_run + p * n
        for t in range(steps):
            for v in range(variables):
                cell = t * variables + v
                if n >= n_bins:
                    counts[:] = 0
                    for k in range(n):
                        counts[bin_of(panel[v, t, start + k], n_bins)] += 1
                    for q in range(tenths.shape[0]):
                        out[q, p, cell] = counted_quantile(counts, n, tenths[q], n_bins)
                else:
                    for k in range(n):
                        ranked[k] = bin_of(panel[v, t, start + k], n_bins)
                    ranked.sort()
                    for q in range(tenths.shape[0]):
                        # the first sorted position j with TEN * (j + 1) >= tenths * n
                        b = ranked[-(-(tenths[q] * n) // TEN) - 1]
                        below, count = 0, 0
                        for k in range(n):
                            if ranked[k] < b:
                                below += 1
                            elif ranked[k] == b:
                                count += 1
                        out[q, p, cell] = interpolate(b, below, count, tenths[q], n, n_bins)
    return out


@njit(cache=True, error_model="numpy")
def run_histograms(panel: np.ndarray, start: int, stop: int, n_bins: int) -> np.ndarray:
    """Histogram counts of runs ``start``..``stop - 1`` per cell.

    Args:
        panel: shape (variables, steps, runs).
        start: first run (column of the panel).
        stop: one past the last run.
        n_bins: bins on [0, 1].

    Returns:
        int64 of shape (steps * variables, n_bins); cell ``t * variables + v``.
    """
    variables, steps = panel.shape[0], panel.shape[1]
    counts = np.zeros((steps * variables, n_bins), dtype=np.int64)
    for t in range(steps):
        for v in range(variables):
            cell = t * variables + v
            for k in range(start, stop):
                counts[cell, bin_of(panel[v, t, k], n_bins)] += 1
    return counts
