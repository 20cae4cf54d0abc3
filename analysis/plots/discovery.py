"""Scenario-discovery figures: PRIM's coverage/density trade-off and CART feature scores per class."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from analysis.discover import Box
from analysis.labels import OUTCOME_COLOURS, OUTCOME_LABELS, parameter_label
from analysis.style import add_caption, new_figure, styled


def draw_tradeoff(boxes: Sequence[Box], *, caption: str = "", name: str = "") -> Figure:
    """One panel per class: density against coverage along PRIM's peeling trajectory.

    Args:
        boxes: from :func:`analysis.discover.discover`.
        caption: provenance line.
        name: sweep name for the title.

    Returns:
        the figure (the reported box is ringed and labelled).
    """
    with styled():
        ncols = min(len(boxes), 2)
        nrows = int(np.ceil(len(boxes) / ncols))
        fig = new_figure(figsize=(7.0, 2.6 * nrows + 0.8))
        axes = fig.subplots(nrows, ncols, squeeze=False, sharex=True, sharey=True)
        for ax, box in zip(axes.flat, boxes, strict=False):
            colour = OUTCOME_COLOURS[box.outcome]
            ax.set_title(f"{OUTCOME_LABELS[box.outcome]} ≥ {100 * box.min_share:.3g}%")
            if box.trajectory.empty:
                ax.text(
                    0.5,
                    0.5,
                    "no point reaches it",
                    ha="center",
                    va="center",
                    transform=ax.transAxes,
                )
            else:
                t = box.trajectory
                ax.plot(t["coverage"], t["density"], color=colour, marker="o", markersize=3)
                chosen = t[t["chosen"]]
                ax.scatter(
                    chosen["coverage"],
                    chosen["density"],
                    s=120,
                    facecolors="none",
                    edgecolors="black",
                    zorder=3,
                )
                ax.annotate(
                    f"cov {100 * box.coverage:.0f}%, dens {100 * box.density:.0f}%",
                    (float(chosen["coverage"].iloc[0]), float(chosen["density"].iloc[0])),
                    xytext=(-6, -14),
                    textcoords="offset points",
                    ha="right",
                    fontsize=8,
                )
            ax.set_xlim(0, 1.02)
            ax.set_ylim(0, 1.02)
        for ax in axes.flat[len(boxes) :]:
            ax.set_visible(False)
        for ax in axes[-1]:
            ax.set_xlabel("Coverage")
        for ax in axes[:, 0]:
            ax.set_ylabel("Density")
        prefix = f"{name}: " if name else ""
        fig.suptitle(f"{prefix}PRIM peeling trajectories (ringed: box reported)")
        add_caption(fig, caption)
    return fig


def draw_scores(boxes: Sequence[Box], *, caption: str = "", name: str = "") -> Figure:
    """CART feature scores per class, grouped by parameter.

    Args:
        boxes: from :func:`analysis.discover.discover`.
        caption: provenance line.
        name: sweep name for the title.

    Returns:
        the figure.
    """
    parameters = list(boxes[0].scores) if boxes else []
    with styled():
        fig = new_figure(
            figsize=(7.0, 1.2 + 0.55 * max(len(parameters), 1) * max(len(boxes), 1) / 2)
        )
        ax = fig.subplots()
        height = 0.8 / max(len(boxes), 1)
        y = np.arange(len(parameters))
        for i, box in enumerate(boxes):
            values = [box.scores[p] for p in parameters]
            ax.barh(
                y + i * height,
                values,
                height=height,
                color=OUTCOME_COLOURS[box.outcome],
                label=OUTCOME_LABELS[box.outcome],
            )
        ax.set_yticks(y + height * (len(boxes) - 1) / 2, [parameter_label(p) for p in parameters])
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.set_xlabel("CART feature score (share of impurity decrease, depth-3 tree)")
        ax.legend(loc="lower right", fontsize=8)
        prefix = f"{name}: " if name else ""
        ax.set_title(f"{prefix}which parameters separate each outcome (one-vs-rest)")
        add_caption(fig, caption)
    return fig
