"""Outcome map: the most likely outcome over two swept parameters, faceted by a third.

Colour is the modal outcome of a cell, opacity its share; dashed lines mark where a class's share
crosses 50%. Grid sweeps are aggregated on their own grid values (other parameters pooled); scattered
designs (LHS, Sobol, Morris) are binned into a regular 2-D grid.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from analysis.labels import OUTCOME_COLOURS, OUTCOME_LABELS, parameter_label
from analysis.plots.layout import FULL_WIDTH
from analysis.style import add_caption, new_figure, styled
from sim.contract.outcomes import OUTCOMES

GRIDDED_SAMPLERS = frozenset({"grid", "none"})
MAX_FACETS = 6
MIN_ALPHA = 0.2


@dataclass(frozen=True)
class OutcomeMap:
    """Outcome counts on a 2-D grid of cells, one grid per facet.

    Args:
        x: parameter on the horizontal axis.
        y: parameter on the vertical axis.
        facet: parameter the panels are split by, or None.
        x_edges: cell edges along x, shape (nx + 1,).
        y_edges: cell edges along y, shape (ny + 1,).
        facet_labels: one title per facet.
        counts: runs per (facet, y cell, x cell, class), shape (nf, ny, nx, 4).
        binned: True when cells are bins of scattered points, False for grid values.
        pooled: swept parameters not on an axis or facet (their values are pooled in each cell).
    """

    x: str
    y: str
    facet: str | None
    x_edges: npt.NDArray[np.float64]
    y_edges: npt.NDArray[np.float64]
    facet_labels: tuple[str, ...]
    counts: npt.NDArray[np.int64]
    binned: bool
    pooled: tuple[str, ...] = ()

    @property
    def x_centres(self) -> npt.NDArray[np.float64]:
        """Cell centres along x."""
        return (self.x_edges[:-1] + self.x_edges[1:]) / 2

    @property
    def y_centres(self) -> npt.NDArray[np.float64]:
        """Cell centres along y."""
        return (self.y_edges[:-1] + self.y_edges[1:]) / 2

    @property
    def n_runs(self) -> npt.NDArray[np.int64]:
        """Runs per cell, shape (nf, ny, nx)."""
        return self.counts.sum(axis=-1)

    @property
    def shares(self) -> npt.NDArray[np.float64]:
        """Share of each class per cell (NaN in empty cells), shape (nf, ny, nx, 4)."""
        n = self.n_runs[..., None].astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(n > 0, self.counts / n, np.nan)

    @property
    def modal(self) -> npt.NDArray[np.int64]:
        """Index of the most frequent class per cell (-1 in empty cells)."""
        return np.where(self.n_runs > 0, np.argmax(self.counts, axis=-1), -1)

    @property
    def modal_share(self) -> npt.NDArray[np.float64]:
        """Share of the most frequent class per cell (NaN in empty cells)."""
        n = self.n_runs
        return np.where(n > 0, self.counts.max(axis=-1) / np.maximum(n, 1), np.nan)


def _value_edges(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Cell edges halfway between sorted unique grid values."""
    if len(values) == 1:
        half = 0.5 * (abs(values[0]) or 1.0)
        return np.array([values[0] - half, values[0] + half])
    mids = (values[:-1] + values[1:]) / 2
    return np.concatenate([[2 * values[0] - mids[0]], mids, [2 * values[-1] - mids[-1]]])


def _bin_edges(
    values: npt.NDArray[np.float64], bins: int, bounds: Sequence[float] | None
) -> npt.NDArray[np.float64]:
    lo, hi = (float(bounds[0]), float(bounds[1])) if bounds else (values.min(), values.max())
    if hi <= lo:
        hi = lo + 1.0
    return np.linspace(lo, hi, bins + 1)


def _cell_index(values: npt.NDArray[np.float64], edges: npt.NDArray[np.float64]) -> np.ndarray:
    return np.clip(np.searchsorted(edges, values, side="right") - 1, 0, len(edges) - 2)


def _facets(
    values: npt.NDArray[np.float64], gridded: bool, name: str, bounds: Sequence[float] | None
) -> tuple[np.ndarray, tuple[str, ...]]:
    label = parameter_label(name)
    unique = np.unique(values)
    if gridded and len(unique) <= MAX_FACETS:
        index = np.searchsorted(unique, values)
        return index, tuple(f"{label} = {v:.3g}" for v in unique)
    edges = _bin_edges(values, 3, bounds)
    index = _cell_index(values, edges)
    return index, tuple(f"{label} {edges[i]:.3g}–{edges[i + 1]:.3g}" for i in range(len(edges) - 1))


def default_bins(n_points: int, n_facets: int = 1) -> int:
    """Bins per axis for scattered points: about three points per cell, 3 to 12 bins.

    Args:
        n_points: distinct sweep points.
        n_facets: panels the points are split over.

    Returns:
        Number of bins along each axis.
    """
    return int(np.clip(math.floor(math.sqrt(n_points / max(n_facets, 1) / 3)), 3, 12))


def outcome_map_data(
    runs: pd.DataFrame,
    parameters: Sequence[str],
    *,
    x: str | None = None,
    y: str | None = None,
    facet: str | None = None,
    gridded: bool = True,
    bins: int | None = None,
    bounds: Mapping[str, Sequence[float]] | None = None,
) -> OutcomeMap:
    """Aggregate runs into outcome counts on a 2-D grid (per facet).

    Args:
        runs: rows of ``runs.parquet`` (an ``outcome`` each), or one row per point with the runs of
            each class in ``n_<class>`` columns (:attr:`analysis.results.Results.points`).
        parameters: the swept parameters (at least two).
        x: horizontal-axis parameter (default: the first).
        y: vertical-axis parameter (default: the first other than ``x``).
        facet: parameter to split panels by (default: the third parameter, if any).
        gridded: True to use the grid values as cells, False to bin scattered points.
        bins: bins per axis when ``gridded`` is False (default: :func:`default_bins`).
        bounds: parameter bounds for the bins (e.g. from the SALib problem); data range otherwise.

    Returns:
        The :class:`OutcomeMap`.

    Raises:
        ValueError: fewer than two parameters, or an unknown or repeated axis parameter.
    """
    if len(parameters) < 2:
        raise ValueError("an outcome map needs at least two swept parameters")
    x = x or parameters[0]
    y = y or next(p for p in parameters if p != x)
    if facet is None:
        facet = next((p for p in parameters if p not in (x, y)), None)
    chosen = [p for p in (x, y, facet) if p is not None]
    unknown = [p for p in chosen if p not in parameters]
    if unknown or len(set(chosen)) != len(chosen):
        raise ValueError(f"axes must be distinct swept parameters, got {chosen}")
    bounds = bounds or {}
    xv = runs[x].to_numpy(dtype=float)
    yv = runs[y].to_numpy(dtype=float)
    if facet is None:
        f_index, f_labels = np.zeros(len(runs), dtype=int), ("",)
    else:
        f_index, f_labels = _facets(runs[facet].to_numpy(float), gridded, facet, bounds.get(facet))
    if gridded:
        x_edges, y_edges = _value_edges(np.unique(xv)), _value_edges(np.unique(yv))
    else:
        n_bins = bins or default_bins(int(runs["point_id"].nunique()), len(f_labels))
        x_edges = _bin_edges(xv, n_bins, bounds.get(x))
        y_edges = _bin_edges(yv, n_bins, bounds.get(y))
    counts = np.zeros((len(f_labels), len(y_edges) - 1, len(x_edges) - 1, len(OUTCOMES)), np.int64)
    cells = (f_index, _cell_index(yv, y_edges), _cell_index(xv, x_edges))
    if "outcome" in runs.columns:
        codes = pd.Categorical(runs["outcome"], categories=list(OUTCOMES)).codes
        np.add.at(counts, (*cells, codes), 1)
    else:
        for j, c in enumerate(OUTCOMES):
            np.add.at(counts, (*cells, j), runs[f"n_{c}"].to_numpy(dtype=np.int64))
    return OutcomeMap(
        x=x,
        y=y,
        facet=facet,
        x_edges=x_edges.astype(float),
        y_edges=y_edges.astype(float),
        facet_labels=f_labels,
        counts=counts,
        binned=not gridded,
        pooled=tuple(p for p in parameters if p not in chosen),
    )


def _rgba(modal: np.ndarray, share: np.ndarray) -> np.ndarray:
    palette = np.array([to_rgb(OUTCOME_COLOURS[c]) for c in OUTCOMES])
    rgba = np.zeros((*modal.shape, 4))
    filled = modal >= 0
    rgba[filled, :3] = palette[modal[filled]]
    floor = 1.0 / len(OUTCOMES)
    strength = (np.nan_to_num(share) - floor) / (1 - floor)
    rgba[..., 3] = np.where(filled, MIN_ALPHA + (1 - MIN_ALPHA) * strength.clip(0, 1), 0.0)
    return rgba


def _draw_panel(ax: Axes, data: OutcomeMap, k: int) -> None:
    modal, share = data.modal[k], data.modal_share[k]
    ax.pcolormesh(data.x_edges, data.y_edges, _rgba(modal, share), edgecolors="white", lw=0.5)
    xc, yc = data.x_centres, data.y_centres
    if len(xc) >= 2 and len(yc) >= 2:
        for j, c in enumerate(OUTCOMES):
            grid = np.ma.masked_invalid(data.shares[k, ..., j])
            if grid.count() >= 4 and grid.min() < 0.5 < grid.max():
                ax.contour(
                    xc,
                    yc,
                    grid,
                    levels=[0.5],
                    colors=[OUTCOME_COLOURS[c]],
                    linewidths=2.2,
                    linestyles="--",
                )
    if modal.size <= 80:
        n = data.n_runs[k]
        for iy, ix in zip(*np.nonzero(n > 0), strict=True):
            ax.text(
                xc[ix],
                yc[iy],
                f"{100 * share[iy, ix]:.0f}%",
                ha="center",
                va="center",
                fontsize=8,
                color="#222222",
            )
    if not data.binned and len(xc) <= 12 and len(yc) <= 12:
        ax.set_xticks(xc, [f"{v:.3g}" for v in xc])
        ax.set_yticks(yc, [f"{v:.3g}" for v in yc])
    ax.set_xlim(data.x_edges[0], data.x_edges[-1])
    ax.set_ylim(data.y_edges[0], data.y_edges[-1])
    ax.set_xlabel(parameter_label(data.x))
    ax.set_ylabel(parameter_label(data.y))
    ax.grid(False)
    if data.facet is not None:
        ax.set_title(data.facet_labels[k])


def draw_outcome_map(
    data: OutcomeMap,
    *,
    fig: Figure | None = None,
    caption: str = "",
    title: str | None = None,
) -> Figure:
    """Draw the outcome map, one panel per facet.

    Args:
        data: from :func:`outcome_map_data`.
        fig: figure to draw into (should be empty); a new one is made when omitted.
        caption: provenance line (source and run count) written under the figure.
        title: figure title (default names the two axis parameters).

    Returns:
        The figure drawn into.
    """
    n_facets = len(data.facet_labels)
    ncols = min(n_facets, 3)
    nrows = math.ceil(n_facets / ncols)
    with styled():
        panel = (FULL_WIDTH - 1.8) / ncols
        fig = fig or new_figure(figsize=(FULL_WIDTH, 1.4 + panel * nrows))
        axes = fig.subplots(nrows, ncols, squeeze=False, sharex=True, sharey=True)
        for k, ax in enumerate(axes.flat):
            if k < n_facets:
                _draw_panel(ax, data, k)
            else:
                ax.set_visible(False)
        handles: list[Patch | Line2D] = [
            Patch(facecolor=OUTCOME_COLOURS[c], label=OUTCOME_LABELS[c]) for c in OUTCOMES
        ]
        handles.append(Line2D([], [], color="#444444", ls="--", lw=2, label="class share = 50%"))
        how = "binned sweep points" if data.binned else "grid points"
        if data.pooled:
            how += ", other parameters pooled"
        fig.legend(
            handles=handles,
            loc="outside lower left",
            ncols=3,
            fontsize=8,
            title=f"Colour: most likely outcome; opacity: its share ({how})",
        )
        default = f"Most likely outcome by {parameter_label(data.x)} and {parameter_label(data.y)}"
        fig.suptitle(title or default)
        add_caption(fig, caption)
    return fig
