"""History replays against the record: the model's annual band of each observable, observed points on top.

A results folder is a history replay when its scenario has a ``start`` month (``YYYY-MM``): step 1 is
that calendar month, so monthly values average into calendar years. The observed series ship with
hedgesim in ``analysis/data/`` (their README gives the sources): Korea's relative position between
China (0) and the United States (1) in UN General Assembly votes (Bailey, Strezhnev and Voeten 2017)
and its export shares to China and the US.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from analysis.labels import NEUTRAL_COLOUR, variable_label
from analysis.plots.layout import FULL_WIDTH
from analysis.results import Results
from analysis.style import add_caption, new_figure, styled

OBSERVED: dict[str, tuple[str, str]] = {
    "unga_position": ("unga_korea.csv", "UN-vote position (0 = China, 1 = US)"),
    "exports_china": ("exports_korea.csv", "Export share to China"),
    "exports_us": ("exports_korea.csv", "Export share to the US"),
}
"""Observable (a trajectory variable) -> (data file in ``analysis/data``, panel title)."""
HISTORY_COLUMNS: tuple[str, ...] = ("variable", "year", "q10", "q50", "q90", "n_runs")


def start_of(results: Results) -> tuple[int, int] | None:
    """The calendar (year, month) of step 1, or ``None`` if the folder is not a history replay.

    Args:
        results: the loaded results folder.
    """
    start = results.manifest.scenario.get("start")
    if not start or results.n_points != 1:
        return None
    year, month = (int(part) for part in str(start).split("-"))
    return year, month


def observed_series(variable: str) -> pd.DataFrame:
    """The observed annual series of one observable: columns ``year`` and ``value``.

    Args:
        variable: one of :data:`OBSERVED`.
    """
    name, _ = OBSERVED[variable]
    with resources.files("analysis").joinpath("data", name).open("r", encoding="utf-8") as stream:
        table = pd.read_csv(stream)
    return table[["year", variable]].dropna().rename(columns={variable: "value"})


def history_data(results: Results) -> pd.DataFrame | None:
    """Annual 10/50/90% quantiles over runs of each observable's calendar-year mean.

    Args:
        results: a history replay (see :func:`start_of`).

    Returns:
        Long table with columns :data:`HISTORY_COLUMNS`, or ``None`` when the folder is not a
        history replay or holds no trajectories of the observables.
    """
    start = start_of(results)
    if start is None:
        return None
    variables = list(OBSERVED)
    traj = results.read_trajectories(columns=["run_id", "step", *variables])
    if traj is None or traj.empty:
        return None
    year0, month0 = start
    months_since = month0 - 1 + traj["step"].to_numpy() - 1
    traj = traj.assign(year=year0 + months_since // 12)
    annual = traj.groupby(["run_id", "year"])[variables].mean()
    quantiles = annual.groupby("year").quantile([0.1, 0.5, 0.9]).unstack()
    rows = []
    for variable in variables:
        part = quantiles[variable]
        rows.append(
            pd.DataFrame(
                {
                    "variable": variable,
                    "year": part.index.to_numpy(),
                    "q10": part[0.1].to_numpy(),
                    "q50": part[0.5].to_numpy(),
                    "q90": part[0.9].to_numpy(),
                    "n_runs": traj["run_id"].nunique(),
                }
            )
        )
    return pd.concat(rows, ignore_index=True)[list(HISTORY_COLUMNS)]


def government_changes(results: Results) -> list[tuple[float, str]]:
    """(fractional calendar year, new government) of each ``government_change`` event.

    Args:
        results: a history replay.
    """
    start = start_of(results)
    if start is None:
        return []
    year0, month0 = start
    changes = []
    events: list[dict[str, Any]] = list(results.manifest.scenario.get("events") or [])
    for event in events:
        if event.get("kind") == "government_change":
            months = month0 - 1 + int(event["step"]) - 1
            changes.append((year0 + months / 12, str(event.get("government"))))
    return changes


def draw_history(
    data: pd.DataFrame,
    *,
    changes: list[tuple[float, str]] | None = None,
    fig: Figure | None = None,
    caption: str = "",
    title: str = "History replay against the record",
) -> Figure:
    """One panel per observable: the model's annual median and 10–90% band, observed points on top.

    Args:
        data: from :func:`history_data`.
        changes: government changes to mark, from :func:`government_changes`.
        fig: figure to draw into; a new one is made when omitted.
        caption: provenance line under the figure.
        title: figure title.

    Returns:
        The figure drawn into.
    """
    variables = list(dict.fromkeys(data["variable"]))
    with styled():
        fig = fig or new_figure(figsize=(FULL_WIDTH, 3.4))
        axes = fig.subplots(1, len(variables), squeeze=False)[0]
        for ax, variable in zip(axes, variables, strict=True):
            part = data[data["variable"] == variable]
            ax.fill_between(part["year"], part["q10"], part["q90"], color=NEUTRAL_COLOUR, alpha=0.3)
            ax.plot(part["year"], part["q50"], color=NEUTRAL_COLOUR)
            seen = observed_series(variable)
            seen = seen[seen["year"].between(part["year"].min(), part["year"].max())]
            ax.plot(seen["year"], seen["value"], "o", color="black", markersize=4)
            for when, name in changes or []:
                ax.axvline(when, color="grey", linewidth=0.6, linestyle=":")
                ax.annotate(
                    name,
                    (when, 0.98),
                    xycoords=("data", "axes fraction"),
                    fontsize=6,
                    rotation=90,
                    va="top",
                    ha="right",
                    color="grey",
                )
            low = float(np.nanmin([part["q10"].min(), seen["value"].min() if len(seen) else 1.0]))
            high = float(np.nanmax([part["q90"].max(), seen["value"].max() if len(seen) else 0.0]))
            pad = 0.05 * max(high - low, 0.1)
            ax.set_ylim(max(0.0, low - pad), min(1.0, high + pad))
            ax.set_title(OBSERVED.get(variable, (None, variable_label(variable)))[1])
            ax.set_xlabel("Year")
        handles = [
            Line2D(
                [], [], color=NEUTRAL_COLOUR, label="Model: median, 10–90% band of annual means"
            ),
            Line2D([], [], color="black", marker="o", linestyle="", label="Observed"),
        ]
        fig.legend(handles=handles, loc="outside lower left", ncols=2, fontsize=8)
        fig.suptitle(title)
        add_caption(fig, caption)
    return fig
