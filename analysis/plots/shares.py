"""Outcome shares per sweep point (or for one scenario) with 95% Wilson error bars."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from analysis.labels import OUTCOME_COLOURS, OUTCOME_LABELS, parameter_label
from analysis.plots.layout import FULL_WIDTH
from analysis.style import add_caption, new_figure, styled
from analysis.summary import parameter_columns
from sim.contract.outcomes import OUTCOMES

MAX_BAR_POINTS = 30
"""Most points drawn as grouped bars; beyond this only a one-parameter sweep is drawn (as lines)."""


def shares_applicable(n_points: int, n_parameters: int) -> bool:
    """Whether the shares figure is readable for this batch.

    Args:
        n_points: sweep points.
        n_parameters: swept parameters.

    Returns:
        True for a single scenario, a one-parameter sweep, or at most :data:`MAX_BAR_POINTS` points.
    """
    return n_points <= MAX_BAR_POINTS or n_parameters == 1


def point_label(row: pd.Series, parameters: Sequence[str]) -> str:
    """Short label of a sweep point: its parameter values, or its id when there are many.

    Args:
        row: a summary row.
        parameters: swept parameter columns.

    Returns:
        e.g. ``0.5 / 1`` (values in parameter order); ``point 7`` without parameters or beyond two.
    """
    if not parameters or len(parameters) > 2:
        return f"point {int(row['point_id'])}"
    return " / ".join(f"{row[p]:.3g}" for p in parameters)


def points_axis_label(parameters: Sequence[str]) -> str:
    """Axis label matching :func:`point_label`.

    Args:
        parameters: swept parameter columns.

    Returns:
        e.g. ``US pressure / China coercion`` or ``Sweep point``.
    """
    if not parameters or len(parameters) > 2:
        return "Sweep point"
    return " / ".join(parameter_label(p) for p in parameters)


def shares_data(summary: pd.DataFrame) -> pd.DataFrame:
    """Long table of shares and intervals, one row per (point, class).

    Args:
        summary: a table from :func:`analysis.summary.summarise`.

    Returns:
        Columns ``point_id``, the parameters, ``label``, ``n_runs``, ``outcome``, ``share``,
        ``lo``, ``hi``; classes in OUTCOMES order within each point, points in summary order.
    """
    parameters = parameter_columns(summary)
    frames = []
    for c in OUTCOMES:
        part = summary[["point_id", *parameters, "n_runs"]].copy()
        part["label"] = [point_label(row, parameters) for _, row in summary.iterrows()]
        part["outcome"] = c
        part["share"] = summary[f"share_{c}"].to_numpy()
        part["lo"] = summary[f"lo_{c}"].to_numpy()
        part["hi"] = summary[f"hi_{c}"].to_numpy()
        part["order"] = np.arange(len(summary))
        frames.append(part)
    long = pd.concat(frames, ignore_index=True)
    long["class_order"] = long["outcome"].map({c: i for i, c in enumerate(OUTCOMES)})
    long = long.sort_values(["order", "class_order"]).drop(columns=["order", "class_order"])
    return long.reset_index(drop=True)


def _errors(part: pd.DataFrame) -> np.ndarray:
    return np.vstack([part["share"] - part["lo"], part["hi"] - part["share"]]).clip(min=0)


def _draw_single(ax: Axes, data: pd.DataFrame) -> None:
    for j, c in enumerate(OUTCOMES):
        part = data[data["outcome"] == c]
        ax.bar([j], part["share"], width=0.6, color=OUTCOME_COLOURS[c], yerr=_errors(part))
        share, hi = float(part["share"].iloc[0]), float(part["hi"].iloc[0])
        ax.text(j, hi + 0.015, f"{100 * share:.0f}%", ha="center", va="bottom", fontsize=10)
    ax.set_xticks(range(len(OUTCOMES)), [OUTCOME_LABELS[c] for c in OUTCOMES])
    ax.set_xlabel("Outcome")
    ax.set_ylim(0, 1.08)
    ax.set_ylabel("Share of runs (95% Wilson interval)")
    ax.grid(axis="x", visible=False)


def _draw_points(fig: Figure, data: pd.DataFrame, parameters: Sequence[str]) -> list[Axes]:
    labels = data.loc[data["outcome"] == OUTCOMES[0], "label"].tolist()
    x = np.arange(len(labels))
    axes = fig.subplots(len(OUTCOMES), 1, sharex=True, squeeze=False)[:, 0]
    for ax, c in zip(axes, OUTCOMES, strict=True):
        part = data[data["outcome"] == c]
        colour = OUTCOME_COLOURS[c]
        ax.bar(x, part["share"], width=0.7, color=colour, alpha=0.35)
        ax.errorbar(x, part["share"], yerr=_errors(part), fmt="o", color=colour, markersize=4)
        ax.set_ylim(0, 1.05)
        ax.set_yticks([0, 0.5, 1])
        ax.set_ylabel(OUTCOME_LABELS[c], rotation=0, ha="right", va="center")
        ax.grid(axis="x", visible=False)
    axes[-1].set_xticks(x, labels, rotation=45 if len(labels) > 8 else 0, ha="center")
    if len(labels) > 8:
        for label in axes[-1].get_xticklabels():
            label.set_ha("right")
    axes[-1].set_xlabel(points_axis_label(parameters))
    return list(axes)


def _draw_lines(ax: Axes, data: pd.DataFrame, parameter: str) -> None:
    for c in OUTCOMES:
        part = data[data["outcome"] == c].sort_values(parameter)
        x = part[parameter].to_numpy(dtype=float)
        colour = OUTCOME_COLOURS[c]
        ax.fill_between(x, part["lo"], part["hi"], color=colour, alpha=0.18, linewidth=0)
        ax.plot(x, part["share"], color=colour, marker="o", markersize=3, label=OUTCOME_LABELS[c])
    ax.set_xlabel(parameter_label(parameter))
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("Share of runs (95% Wilson interval)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), title="Outcome")


def draw_shares(
    summary: pd.DataFrame,
    *,
    fig: Figure | None = None,
    caption: str = "",
    title: str | None = None,
) -> Figure:
    """Draw outcome shares with 95% Wilson intervals.

    One point: one bar per class. A one-parameter sweep: share against the parameter with shaded
    intervals. Otherwise: one panel per class, one bar (share) and error bar per point.

    Args:
        summary: a summary table.
        fig: figure to draw into (should be empty); a new one is made when omitted.
        caption: provenance line (source and run count) written under the figure.
        title: figure title; a default is chosen from the layout.

    Returns:
        The figure drawn into.
    """
    data = shares_data(summary)
    parameters = parameter_columns(summary)
    n_points = len(summary)
    with styled():
        if n_points == 1:
            fig = fig or new_figure(figsize=(FULL_WIDTH * 0.7, 3.6))
            _draw_single(fig.add_subplot(), data)
            default = "Outcome shares"
        elif len(parameters) == 1 and n_points >= 3:
            fig = fig or new_figure(figsize=(FULL_WIDTH, 4.0))
            ax = fig.add_subplot()
            _draw_lines(ax, data, parameters[0])
            default = f"Outcome shares by {parameter_label(parameters[0])}"
        else:
            fig = fig or new_figure(figsize=(FULL_WIDTH, 6.0))
            _draw_points(fig, data, parameters)
            default = "Outcome shares by sweep point (95% Wilson intervals)"
        fig.suptitle(title or default)
        add_caption(fig, caption)
    return fig
