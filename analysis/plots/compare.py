"""Compare several results folders (e.g. the scenario library): outcome shares side by side."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from textwrap import fill

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from analysis.labels import OUTCOME_COLOURS, OUTCOME_LABELS
from analysis.plots.layout import FULL_WIDTH, runs_text
from analysis.results import Results
from analysis.style import add_caption, new_figure, styled
from analysis.summary import shares_from_counts
from sim.contract.outcomes import OUTCOMES


def folder_label(results: Results) -> str:
    """Label of one folder in a comparison: the scenario name (the batch name for a sweep).

    Args:
        results: a loaded results folder.

    Returns:
        The label, with ``(sweep, N points)`` appended for sweeps, whose runs are pooled.
    """
    if results.kind == "sweep":
        return f"{results.name} (sweep, {results.n_points} points)"
    return results.scenario_name


def comparison_data(results: Sequence[Results]) -> pd.DataFrame:
    """Pooled outcome shares of each folder, one row per folder in the given order.

    Args:
        results: loaded results folders.

    Returns:
        Columns ``label``, ``folder``, ``n_runs``, ``modal_outcome`` and ``share_c``, ``lo_c``,
        ``hi_c`` per class; duplicate labels get the folder name appended.
    """
    rows = []
    for item in results:
        totals = item.points[[f"n_{c}" for c in OUTCOMES]].sum().to_numpy()
        counts = pd.DataFrame([totals], columns=list(OUTCOMES))
        rows.append(shares_from_counts(counts).iloc[0])
    table = pd.DataFrame(rows).reset_index(drop=True)
    labels = [folder_label(item) for item in results]
    repeated = {label for label, n in Counter(labels).items() if n > 1}
    labels = [
        f"{label} [{item.path.name}]" if label in repeated else label
        for label, item in zip(labels, results, strict=True)
    ]
    table.insert(0, "label", labels)
    table.insert(1, "folder", [str(item.path) for item in results])
    table["n_runs"] = table["n_runs"].astype(np.int64)
    return table


def draw_comparison(
    data: pd.DataFrame,
    *,
    ax: Axes | None = None,
    caption: str = "",
    title: str | None = None,
) -> Figure:
    """Grouped bars: one group per folder, one bar per class with its 95% Wilson interval.

    Args:
        data: from :func:`comparison_data`.
        ax: axes to draw into; a new figure is made when omitted.
        caption: provenance line written under the figure (default: folder and run counts).
        title: figure title.

    Returns:
        The figure drawn into.
    """
    n = len(data)
    x = np.arange(n, dtype=float)
    width = 0.8 / len(OUTCOMES)
    with styled():
        if ax is None:
            ax = new_figure(figsize=(FULL_WIDTH, 4.2)).add_subplot()
        fig = ax.get_figure(root=True)
        for j, c in enumerate(OUTCOMES):
            share = data[f"share_{c}"].to_numpy(dtype=float)
            errors = np.vstack([share - data[f"lo_{c}"], data[f"hi_{c}"] - share]).clip(min=0)
            ax.bar(
                x + (j - (len(OUTCOMES) - 1) / 2) * width,
                share,
                width=width,
                color=OUTCOME_COLOURS[c],
                label=OUTCOME_LABELS[c],
                yerr=errors,
                error_kw={"elinewidth": 1, "ecolor": "#333333"},
            )
        labels = [f"{fill(row.label, 16)}\n{runs_text(row.n_runs)}" for row in data.itertuples()]
        ax.set_xticks(x, labels, rotation=30 if n > 3 else 0, ha="right" if n > 3 else "center")
        ax.set_ylim(0, 1.05)
        ax.set_ylabel("Share of runs (95% Wilson interval)")
        ax.set_xlabel("Scenario")
        ax.grid(axis="x", visible=False)
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), title="Outcome")
        ax.set_title(title or "Outcome shares across scenarios")
        total = int(data["n_runs"].sum())
        add_caption(fig, caption or f"{runs_text(n, 'results folder')} · {runs_text(total)}")
    return fig
