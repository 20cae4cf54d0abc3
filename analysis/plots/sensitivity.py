"""Bar charts of global sensitivity indices (Sobol S1/ST or Morris mu*), with confidence intervals."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from analysis.labels import parameter_label
from analysis.plots.layout import FULL_WIDTH
from analysis.sensitivity import target_label
from analysis.style import add_caption, new_figure, styled

S1_COLOUR = "#56B4E9"  # Okabe-Ito sky blue
ST_COLOUR = "#0072B2"  # Okabe-Ito blue
MORRIS_COLOUR = "#E69F00"  # Okabe-Ito orange


def sensitivity_kind(table: pd.DataFrame) -> str:
    """``"sobol"`` or ``"morris"`` from the table's columns.

    Args:
        table: a sensitivity table.

    Returns:
        The method name.

    Raises:
        ValueError: neither Sobol nor Morris columns.
    """
    if {"S1", "ST"} <= set(table.columns):
        return "sobol"
    if "mu_star" in table.columns:
        return "morris"
    raise ValueError("not a Sobol or Morris sensitivity table")


def sensitivity_bars_data(table: pd.DataFrame, target: str) -> pd.DataFrame:
    """Indices of one target, most influential parameter first.

    Args:
        table: a Sobol or Morris sensitivity table.
        target: the target to select.

    Returns:
        The target's rows sorted by ``ST`` (Sobol) or ``mu_star`` (Morris), descending, with a
        ``label`` column naming the parameter in words.
    """
    key = "ST" if sensitivity_kind(table) == "sobol" else "mu_star"
    part = table[table["target"] == target].sort_values(key, ascending=False, kind="stable")
    part = part.assign(label=[parameter_label(p) for p in part["parameter"]])
    return part.reset_index(drop=True)


def _draw_target(ax: Axes, part: pd.DataFrame, kind: str) -> None:
    y = np.arange(len(part))[::-1].astype(float)
    if kind == "sobol":
        h = 0.38
        for offset, column, colour, name in (
            (h / 2, "S1", S1_COLOUR, "First order (S1)"),
            (-h / 2, "ST", ST_COLOUR, "Total (ST)"),
        ):
            ax.barh(
                y + offset,
                part[column],
                height=h,
                color=colour,
                label=name,
                xerr=part[f"{column}_conf"],
                error_kw={"elinewidth": 0.8, "capsize": 2},
            )
        # Indices are variance shares in [0, 1]; a common scale keeps panels comparable and
        # whiskers running off the axis say plainly that the estimate is very uncertain.
        ax.set_xlim(max(-0.25, min(0.0, float(part["S1"].min()))) - 0.05, 1.05)
        ax.axvline(0, color="#333333", lw=0.8)
    else:
        ax.barh(
            y,
            part["mu_star"],
            height=0.6,
            color=MORRIS_COLOUR,
            label="μ* (mean |effect|)",
            xerr=part["mu_star_conf"],
            error_kw={"elinewidth": 0.8, "capsize": 2},
        )
        ax.scatter(
            part["sigma"],
            y,
            marker="D",
            color="#333333",
            s=18,
            zorder=3,
            label="σ (interaction / non-linearity)",
        )
        ax.set_xlim(left=0)
    ax.set_yticks(y, part["label"])
    ax.grid(axis="y", visible=False)


def draw_sensitivity(
    table: pd.DataFrame,
    *,
    targets: Sequence[str] | None = None,
    fig: Figure | None = None,
    caption: str = "",
    title: str | None = None,
) -> Figure:
    """One panel per target with its sensitivity indices and 95% bootstrap intervals.

    Args:
        table: a Sobol or Morris sensitivity table.
        targets: targets to draw (default: all, in table order).
        fig: figure to draw into (should be empty); a new one is made when omitted.
        caption: provenance line (source and run count) written under the figure.
        title: figure title.

    Returns:
        The figure drawn into.
    """
    kind = sensitivity_kind(table)
    targets = list(targets or dict.fromkeys(table["target"]))
    n_params = int(table["parameter"].nunique())
    ncols = 2 if len(targets) > 1 else 1
    nrows = math.ceil(len(targets) / ncols)
    with styled():
        fig = fig or new_figure(figsize=(FULL_WIDTH, 1.2 + nrows * (0.9 + 0.3 * n_params)))
        axes = fig.subplots(nrows, ncols, squeeze=False)
        for ax, target in zip(axes.flat, targets, strict=False):
            _draw_target(ax, sensitivity_bars_data(table, target), kind)
            ax.set_title(target_label(target))
        for ax in axes.flat[len(targets) :]:
            ax.set_visible(False)
        label = (
            "Sobol index (share of output variance)"
            if kind == "sobol"
            else "Elementary effect (per full parameter range)"
        )
        for ax in axes[-1]:
            ax.set_xlabel(label)
        handles, labels = axes.flat[0].get_legend_handles_labels()
        fig.legend(
            handles,
            labels,
            loc="outside lower center",
            ncols=len(labels),
            title="Bars: index; whiskers: 95% bootstrap interval",
        )
        default = "Sobol sensitivity indices" if kind == "sobol" else "Morris screening"
        fig.suptitle(title or f"{default}: which parameters drive the outcomes")
        add_caption(fig, caption)
    return fig
