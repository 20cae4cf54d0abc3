"""Fan charts: median and 10–90% band over time of Seoul's posture and indices.

Overall fans come from ``bands.parquet`` (quantiles over *all* runs) for a single point, otherwise
from the trajectory sample; fans split by final outcome always come from ``trajectories.parquet``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from analysis.labels import NEUTRAL_COLOUR, OUTCOME_COLOURS, OUTCOME_LABELS, variable_label
from analysis.plots.layout import FULL_WIDTH, runs_text
from analysis.results import Results
from analysis.style import add_caption, new_figure, styled
from sim.contract.outcomes import OUTCOMES

FAN_VARIABLES: tuple[str, ...] = (
    "us_alignment",
    "china_engagement",
    "security_index",
    "economic_index",
)
"""Variables drawn by default, one panel each."""

FAN_COLUMNS: tuple[str, ...] = ("group", "variable", "step", "q10", "q50", "q90", "n_runs")
POINT_COLOURS = ("#000000", "#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#0072B2")
"""Colours of sweep points drawn side by side (Okabe-Ito, in this order)."""
MIN_LABEL_GAP = 4
"""Events closer than this many months share one label on a time axis."""
ALL_RUNS = "all"
"""``group`` value of an overall fan."""


def fan_from_bands(
    bands: pd.DataFrame, variables: Sequence[str] = FAN_VARIABLES, point_id: int | None = None
) -> pd.DataFrame:
    """Overall fan of one point from ``bands.parquet``.

    Args:
        bands: the bands table.
        variables: variables to keep.
        point_id: the point (default: the only point; required when there are several).

    Returns:
        Long table with columns :data:`FAN_COLUMNS` (``group`` is ``"all"``).

    Raises:
        ValueError: several points and no ``point_id``.
    """
    points = bands["point_id"].unique()
    if point_id is None:
        if len(points) != 1:
            raise ValueError("bands hold several points: choose one with point_id")
        point_id = int(points[0])
    part = bands[(bands["point_id"] == point_id) & bands["variable"].isin(list(variables))]
    fan = part[["variable", "step", "q10", "q50", "q90"]].copy()
    fan["n_runs"] = part["n"].to_numpy() if "n" in part else np.nan
    fan.insert(0, "group", ALL_RUNS)
    return _ordered(fan, variables)


def fan_from_trajectories(
    trajectories: pd.DataFrame, variables: Sequence[str] = FAN_VARIABLES, by_outcome: bool = False
) -> pd.DataFrame:
    """Fans from the trajectory sample, over all sampled runs or per final outcome.

    Args:
        trajectories: long-format ``trajectories.parquet``.
        variables: variables to keep.
        by_outcome: split by the run's final outcome (``group`` = class name).

    Returns:
        Long table with columns :data:`FAN_COLUMNS`; outcome groups in OUTCOMES order.
    """
    frame = trajectories[["run_id", "step", "outcome", *variables]]
    group = frame["outcome"] if by_outcome else pd.Series(ALL_RUNS, index=frame.index)
    frame = frame.assign(group=group.to_numpy())
    long = frame.melt(id_vars=["group", "step"], value_vars=list(variables), var_name="variable")
    grouped = long.groupby(["group", "variable", "step"])["value"]
    fan = grouped.quantile([0.1, 0.5, 0.9]).unstack()
    fan.columns = ["q10", "q50", "q90"]
    fan = fan.reset_index()
    runs_per_group = frame.groupby("group")["run_id"].nunique()
    fan["n_runs"] = fan["group"].map(runs_per_group).to_numpy()
    fan["group"] = pd.Categorical(fan["group"], categories=[ALL_RUNS, *OUTCOMES])
    return _ordered(fan, variables)


def _ordered(fan: pd.DataFrame, variables: Sequence[str]) -> pd.DataFrame:
    """Sort by group, variable (in the requested order) and step; plain string columns."""
    fan = fan.assign(variable=pd.Categorical(fan["variable"], categories=list(variables)))
    fan = fan.sort_values(["group", "variable", "step"]).reset_index(drop=True)
    fan["group"] = fan["group"].astype(str)
    fan["variable"] = fan["variable"].astype(str)
    return fan[list(FAN_COLUMNS)]


def overall_fan(results: Results, variables: Sequence[str] = FAN_VARIABLES) -> pd.DataFrame | None:
    """Overall fan of a results folder: bands for a single point, else the trajectory sample.

    Args:
        results: the loaded results folder.
        variables: variables to keep.

    Returns:
        The fan table, or ``None`` when neither bands nor trajectories are available.
    """
    bands = results.bands
    if bands is not None and bands["point_id"].nunique() == 1:
        return fan_from_bands(bands, variables)
    trajectories = results.read_trajectories(variables)
    if trajectories is None or trajectories.empty:
        return None
    return fan_from_trajectories(trajectories, variables)


def exemplar_points(results: Results, most: int = 4) -> list[int]:
    """Sweep points that show each class at its strongest: per class, the point with its highest share.

    Args:
        results: the loaded results folder.
        most: most points returned.

    Returns:
        distinct point ids, in class order.
    """
    shares = results.summary.set_index("point_id")
    chosen: list[int] = []
    for c in OUTCOMES:
        if shares[f"share_{c}"].max() > 0:
            best = int(shares[f"share_{c}"].idxmax())
            if best not in chosen:
                chosen.append(best)
    return chosen[:most]


def point_label(results: Results, point_id: int) -> str:
    """``"point 7: 0.5, 1"``: a sweep point and its parameter values (in the order of the parameters)."""
    points = results.points
    row = points.loc[points["point_id"] == point_id, results.parameters].iloc[0]
    values = ", ".join(f"{row[p]:.3g}" for p in results.parameters)
    return f"point {point_id}: {values}" if values else f"point {point_id}"


def point_fans(
    results: Results,
    points: Sequence[int] | None = None,
    variables: Sequence[str] = FAN_VARIABLES,
) -> pd.DataFrame | None:
    """Fans of chosen sweep points side by side (quantiles over all runs of each point).

    Args:
        results: the loaded results folder (a sweep).
        points: point ids (default: :func:`exemplar_points`).
        variables: variables to keep.

    Returns:
        a fan table whose ``group`` is each point's label, or ``None`` without bands.
    """
    points = list(points) if points is not None else exemplar_points(results)
    bands = results.read_bands(points)  # only these points: the file holds every point's bands
    if bands is None:
        return None
    frames = []
    for point_id in points:
        fan = fan_from_bands(bands, variables, point_id=point_id)
        frames.append(fan.assign(group=point_label(results, point_id)))
    return pd.concat(frames, ignore_index=True) if frames else None


def outcome_fans(results: Results, variables: Sequence[str] = FAN_VARIABLES) -> pd.DataFrame | None:
    """Fans split by final outcome from the trajectory sample.

    Args:
        results: the loaded results folder.
        variables: variables to keep.

    Returns:
        The fan table, or ``None`` without trajectories.
    """
    trajectories = results.read_trajectories(variables)
    if trajectories is None or trajectories.empty:
        return None
    return fan_from_trajectories(trajectories, variables, by_outcome=True)


def event_label(kind: str, magnitude: float) -> str:
    """``"missile test ×1"``: how an event is labelled on a time axis."""
    return f"{kind.replace('_', ' ')} ×{magnitude:g}"


def mark_events(ax: Axes, events: Sequence[tuple[int, str]], *, label: bool = True) -> None:
    """Mark scheduled events on a time axis: a dotted vertical line each, labelled at the top.

    Args:
        ax: axes whose x axis is the model step.
        events: (step, label) pairs.
        label: write the labels (only on one panel of a grid, to keep it readable).
    """
    labelled: list[list[Any]] = []  # [step, text, how many more within MIN_LABEL_GAP months]
    for step, text in sorted(events):
        ax.axvline(step, color=NEUTRAL_COLOUR, linestyle=":", linewidth=1, zorder=1)
        if labelled and step - labelled[-1][0] < MIN_LABEL_GAP:
            labelled[-1][2] += 1
        else:
            labelled.append([step, text, 0])
    for step, text, more in labelled:
        text = f"{text} (+{more} more)" if more else text
        if label:
            ax.annotate(
                text,
                (step, 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(2, -2),
                textcoords="offset points",
                rotation=90,
                va="top",
                fontsize=7,
                color=NEUTRAL_COLOUR,
            )


def draw_fans(
    fan: pd.DataFrame,
    *,
    fig: Figure | None = None,
    caption: str = "",
    title: str | None = None,
    source: str = "",
    events: Sequence[tuple[int, str]] = (),
) -> Figure:
    """Draw one panel per variable with the median and 10–90% band of each group.

    Args:
        fan: from :func:`fan_from_bands` or :func:`fan_from_trajectories`.
        fig: figure to draw into (should be empty); a new one is made when omitted.
        caption: provenance line (source and run count) written under the figure.
        title: figure title (default depends on whether the fan is split by outcome).
        source: note on where the quantiles come from, appended to the legend title.
        events: scheduled events as (step, label), marked by a dotted line on every panel and
            labelled on the first.

    Returns:
        The figure drawn into.
    """
    variables = list(dict.fromkeys(fan["variable"]))
    present = list(dict.fromkeys(fan["group"]))
    groups = [g for g in (ALL_RUNS, *OUTCOMES) if g in present]
    groups += [g for g in present if g not in groups]  # e.g. sweep points, in the order given
    split = groups != [ALL_RUNS]
    cycle = iter(POINT_COLOURS * (1 + len(groups) // len(POINT_COLOURS)))
    colours = {
        g: OUTCOME_COLOURS.get(g) or (NEUTRAL_COLOUR if g == ALL_RUNS else next(cycle))
        for g in groups
    }
    ncols = 2 if len(variables) > 1 else 1
    nrows = math.ceil(len(variables) / ncols)
    with styled():
        fig = fig or new_figure(figsize=(FULL_WIDTH, 1.6 + 2.3 * nrows))
        axes = fig.subplots(nrows, ncols, squeeze=False, sharex=True)
        for ax, variable in zip(axes.flat, variables, strict=False):
            for group in groups:
                part = fan[(fan["group"] == group) & (fan["variable"] == variable)]
                colour = colours[group]
                ax.fill_between(
                    part["step"],
                    part["q10"],
                    part["q90"],
                    color=colour,
                    alpha=0.15 if split else 0.3,
                    linewidth=0,
                )
                ax.plot(part["step"], part["q50"], color=colour)
            ax.set_title(variable_label(variable))
            ax.set_ylim(0, 1)
            mark_events(ax, events, label=ax is axes.flat[0])
            ax.set_ylabel("Level (0–1)")
        for ax in axes.flat[len(variables) :]:
            ax.set_visible(False)
        for ax in axes[-1]:
            ax.set_xlabel("Month (model step)")
        handles: list[Line2D] = []
        for group in groups:
            colour = colours[group]
            n = fan.loc[fan["group"] == group, "n_runs"].max()
            name = OUTCOME_LABELS.get(group, "All runs" if group == ALL_RUNS else group)
            count = f" ({runs_text(int(n))})" if pd.notna(n) else ""
            handles.append(Line2D([], [], color=colour, label=f"{name}{count}"))
        longest = max(len(str(h.get_label())) for h in handles)
        legend_title = "\n".join(["Line: median; band: 10–90%", *filter(None, source.split("; "))])
        fig.legend(
            handles=handles,
            loc="outside lower left",
            ncols=1 if longest > 50 else min(len(handles), 2 if longest > 25 else 3),
            fontsize=8,
            title=legend_title,
        )
        default = "Seoul's posture and payoffs over time"
        fig.suptitle(title or (default + (" by final outcome" if split else "")))
        add_caption(fig, caption)
    return fig
