"""Fan charts: median and 10–90% band over time of Seoul's posture and indices.

Overall fans come from ``bands.parquet`` (quantiles over *all* runs) for a single point, otherwise
from the trajectory sample; fans split by final outcome always come from ``trajectories.parquet``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from analysis.labels import NEUTRAL_COLOUR, OUTCOME_COLOURS, OUTCOME_LABELS, variable_label
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


def draw_fans(
    fan: pd.DataFrame,
    *,
    fig: Figure | None = None,
    caption: str = "",
    title: str | None = None,
    source: str = "",
) -> Figure:
    """Draw one panel per variable with the median and 10–90% band of each group.

    Args:
        fan: from :func:`fan_from_bands` or :func:`fan_from_trajectories`.
        fig: figure to draw into (should be empty); a new one is made when omitted.
        caption: provenance line (source and run count) written under the figure.
        title: figure title (default depends on whether the fan is split by outcome).
        source: note on where the quantiles come from, appended to the legend title.

    Returns:
        The figure drawn into.
    """
    variables = list(dict.fromkeys(fan["variable"]))
    groups = [g for g in (ALL_RUNS, *OUTCOMES) if g in set(fan["group"])]
    split = groups != [ALL_RUNS]
    ncols = 2 if len(variables) > 1 else 1
    nrows = math.ceil(len(variables) / ncols)
    with styled():
        fig = fig or new_figure(figsize=(11, 1.2 + 3.0 * nrows))
        axes = fig.subplots(nrows, ncols, squeeze=False, sharex=True)
        for ax, variable in zip(axes.flat, variables, strict=False):
            for group in groups:
                part = fan[(fan["group"] == group) & (fan["variable"] == variable)]
                colour = OUTCOME_COLOURS.get(group, NEUTRAL_COLOUR)
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
            ax.set_ylabel("Level (0–1)")
        for ax in axes.flat[len(variables) :]:
            ax.set_visible(False)
        for ax in axes[-1]:
            ax.set_xlabel("Month (model step)")
        handles: list[Line2D] = []
        for group in groups:
            colour = OUTCOME_COLOURS.get(group, NEUTRAL_COLOUR)
            n = fan.loc[fan["group"] == group, "n_runs"].max()
            name = OUTCOME_LABELS.get(group, "All runs")
            count = f" ({int(n):,} runs)" if pd.notna(n) else ""
            handles.append(Line2D([], [], color=colour, label=f"{name}{count}"))
        legend_title = "Line: median; band: 10–90%" + (f"\n{source}" if source else "")
        fig.legend(
            handles=handles, loc="outside right center", title=legend_title, alignment="left"
        )
        default = "Seoul's posture and payoffs over time"
        fig.suptitle(title or (default + (" by final outcome" if split else "")))
        add_caption(fig, caption)
    return fig
