"""Where Seoul ends up: final (China engagement, US alignment) of every run, by outcome.

The posture regions of the classification are drawn as diagonal bands: a tilt needs
``|us_alignment - china_engagement| >= tilt_margin``. ``caught_between_giants`` depends on the
security and economic indices, not on posture, so it has no region of its own: its runs can lie
anywhere in the square.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Polygon

from analysis.labels import OUTCOME_COLOURS, OUTCOME_LABELS
from analysis.plots.layout import FULL_WIDTH, runs_text
from analysis.style import add_caption, new_figure, styled
from sim.contract.outcomes import OUTCOMES

MAX_SCATTER = 4000
"""Above this many runs, draw a density (hexbin) plus a random sample of coloured points."""


def position_data(runs: pd.DataFrame, max_points: int | None = None, seed: int = 0) -> pd.DataFrame:
    """Final posture and outcome of each run, optionally a reproducible random sample.

    Args:
        runs: rows of ``runs.parquet``.
        max_points: keep at most this many runs (uniform random sample); ``None`` keeps all.
        seed: seed of the sample.

    Returns:
        Columns ``china_engagement``, ``us_alignment``, ``outcome``.
    """
    data = runs[["china_engagement", "us_alignment", "outcome"]]
    if max_points is not None and len(data) > max_points:
        data = data.sample(n=max_points, random_state=np.random.default_rng(seed))
    return data.reset_index(drop=True)


def class_regions(tilt_margin: float) -> dict[str, npt.NDArray[np.float64]]:
    """Posture regions of the unit square as polygons in (china_engagement, us_alignment).

    Args:
        tilt_margin: the classification's tilt margin ``t`` (0 < t < 1).

    Returns:
        ``{"tilt_us": ..., "hedging": ..., "tilt_china": ...}``, each an (n, 2) vertex array:
        ``a - m >= t``, ``|a - m| < t`` and ``m - a >= t``.
    """
    t = float(np.clip(tilt_margin, 0.0, 1.0))
    return {
        "tilt_us": np.array([[0.0, t], [0.0, 1.0], [1.0 - t, 1.0]]),
        "hedging": np.array(
            [[0.0, 0.0], [t, 0.0], [1.0, 1.0 - t], [1.0, 1.0], [1.0 - t, 1.0], [0.0, t]]
        ),
        "tilt_china": np.array([[t, 0.0], [1.0, 0.0], [1.0, 1.0 - t]]),
    }


def _draw_regions(ax: Axes, tilt_margin: float) -> None:
    corners = {
        "tilt_us": (0.02, 0.98, "left", "top"),
        "hedging": (0.02, 0.02, "left", "bottom"),
        "tilt_china": (0.98, 0.02, "right", "bottom"),
    }
    for name, polygon in class_regions(tilt_margin).items():
        colour = OUTCOME_COLOURS[name]
        patch = Polygon(polygon, closed=True, facecolor=colour, alpha=0.08, edgecolor="none")
        ax.add_patch(patch).set_zorder(0)
        x, y, ha, va = corners[name]
        ax.text(
            x,
            y,
            f"{OUTCOME_LABELS[name]} region",
            color=colour,
            fontsize=9,
            fontweight="bold",
            ha=ha,
            va=va,
            zorder=4,
            bbox={"facecolor": "white", "alpha": 0.75, "edgecolor": "none", "pad": 1.5},
        )
    t = tilt_margin
    for start, end in (((0, t), (1 - t, 1)), ((t, 0), (1, 1 - t))):
        ax.plot(*zip(start, end, strict=True), color="#555555", ls="--", lw=1, zorder=1)


def draw_position(
    runs: pd.DataFrame,
    *,
    tilt_margin: float = 0.25,
    ax: Axes | None = None,
    caption: str = "",
    title: str | None = None,
    max_points: int = MAX_SCATTER,
    seed: int = 0,
) -> Figure:
    """Scatter (or density plus sample) of final postures coloured by outcome, with class regions.

    Args:
        runs: rows of ``runs.parquet``.
        tilt_margin: the classification's tilt margin (from the manifest's scenario).
        ax: axes to draw into; a new figure is made when omitted.
        caption: provenance line (source and run count) written under the figure.
        title: figure title.
        max_points: above this many runs draw a grey hexbin density and a sample of this size.
        seed: seed of the sample.

    Returns:
        The figure drawn into.
    """
    dense = len(runs) > max_points
    sample = position_data(runs, max_points if dense else None, seed)
    with styled():
        if ax is None:
            ax = new_figure(figsize=(FULL_WIDTH, 4.6)).add_subplot()
        fig = ax.get_figure(root=True)
        _draw_regions(ax, tilt_margin)
        if dense:
            ax.hexbin(
                runs["china_engagement"],
                runs["us_alignment"],
                gridsize=40,
                extent=(0, 1, 0, 1),
                bins="log",
                cmap="Greys",
                mincnt=1,
                alpha=0.6,
                linewidths=0,
                zorder=1,
            )
        size = float(np.clip(600 / np.sqrt(max(len(sample), 1)), 4, 40))
        for c in OUTCOMES:
            part = sample[sample["outcome"] == c]
            n = int((runs["outcome"] == c).sum())
            ax.scatter(
                part["china_engagement"],
                part["us_alignment"],
                s=size,
                color=OUTCOME_COLOURS[c],
                alpha=0.75,
                edgecolors="white",
                linewidths=0.3,
                label=f"{OUTCOME_LABELS[c]} ({runs_text(n)})",
                zorder=3,
            )
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_aspect("equal")
        ax.set_xlabel("China engagement (final-window mean)")
        ax.set_ylabel("US alignment (final-window mean)")
        note = (
            f"dashed: |US − China| = {tilt_margin:g};\nCaught between giants is decided by\n"
            "the security and economic indices"
        )
        if dense:
            note += f"\ngrey: density of all runs; dots: {max_points:,} sampled"
        ax.legend(
            loc="upper left",
            bbox_to_anchor=(1.02, 1.0),
            title=f"Outcome ({note})",
            alignment="left",
            markerscale=2.0 if dense else 1.0,
        )
        ax.set_title(title or "Where Seoul ends up: final posture of every run")
        add_caption(fig, caption)
    return fig
