"""The outcome table printed by ``hedgesim run`` and ``hedgesim sweep`` (plain text)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.labels import OUTCOME_LABELS, parameter_label
from analysis.plots.layout import runs_text
from analysis.precision import check_precision
from analysis.summary import DEFAULT_MAX_HALF_WIDTH, parameter_columns, pooled_shares
from sim.contract.outcomes import OUTCOMES


def _pct(value: float, decimals: int) -> str:
    return f"{100 * value:.{decimals}f}"


def _cell(row: pd.Series, c: str, decimals: int = 0) -> str:
    share, lo, hi = (_pct(row[f"{k}_{c}"], decimals) for k in ("share", "lo", "hi"))
    return f"{share} [{lo}-{hi}]"


def _value(value: object) -> str:
    return f"{value:.3g}" if isinstance(value, (float, np.floating)) else str(value)


def _grid(header: list[str], rows: list[list[str]], right: set[int]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            cell.rjust(w) if i in right else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return [line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def _single_point_table(row: pd.Series) -> list[str]:
    rows = [
        [OUTCOME_LABELS[c], f"{_pct(row[f'share_{c}'], 1)}%", f"[{_cell(row, c, 1).split('[')[1]}"]
        for c in OUTCOMES
    ]
    lines = _grid(["Outcome", "Share", "95% interval (%)"], rows, right={1})
    lines.append(runs_text(int(row["n_runs"])))
    return lines


def _point_rows(summary: pd.DataFrame, parameters: list[str]) -> tuple[list[str], list[list[str]]]:
    header = ["point", *(parameter_label(p) for p in parameters), "runs"]
    header += [OUTCOME_LABELS[c] for c in OUTCOMES]
    rows = [
        [
            str(int(row["point_id"])),
            *(_value(row[p]) for p in parameters),
            f"{int(row['n_runs']):,}",
            *(_cell(row, c) for c in OUTCOMES),
        ]
        for _, row in summary.iterrows()
    ]
    return header, rows


def format_table(
    summary: pd.DataFrame,
    *,
    max_rows: int = 20,
    max_half_width: float | None = DEFAULT_MAX_HALF_WIDTH,
    csv_name: str = "summary.csv",
) -> str:
    """Plain-text outcome table for the terminal.

    One point: share and 95% interval per class. Up to ``max_rows`` points: one row per point with
    ``share [lo-hi]`` in percent per class. More points: the pooled shares over all runs, then the
    points with the highest share of each class, and a pointer to ``csv_name`` for the rest.

    Args:
        summary: a table from :func:`summarise` (or read from ``summary.csv``).
        max_rows: most point rows to print.
        max_half_width: append the precision warning for this half-width (``None``: never).
        csv_name: file named in the pointer to the full table.

    Returns:
        The table as text (no trailing newline).
    """
    parameters = parameter_columns(summary)
    if len(summary) == 1:
        lines = _single_point_table(summary.iloc[0])
    elif len(summary) <= max_rows:
        header, rows = _point_rows(summary, parameters)
        lines = ["Outcome share in % [95% interval] per point", ""]
        lines += _grid(header, rows, right=set(range(len(parameters) + 2)))
    else:
        pooled = pooled_shares(summary)
        lines = [f"All {len(summary):,} points pooled ({int(pooled['n_runs']):,} runs):"]
        lines += [f"  {OUTCOME_LABELS[c] + ':':<23}{_cell(pooled, c, 1)} %" for c in OUTCOMES]
        per_class = max(1, max_rows // len(OUTCOMES))
        for c in OUTCOMES:
            top = summary.sort_values([f"share_{c}", "point_id"], ascending=[False, True])
            header, rows = _point_rows(top.head(per_class), parameters)
            lines += ["", f"Highest share of {OUTCOME_LABELS[c]} (% [95% interval]):"]
            lines += _grid(header, rows, right=set(range(len(parameters) + 2)))
        lines += ["", f"All {len(summary):,} points: see {csv_name}"]
    if max_half_width is not None:
        warning = check_precision(summary, max_half_width).message()
        if warning:
            lines += ["", warning]
    return "\n".join(lines)
