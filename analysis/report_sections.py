"""The report's opening and analysis sections: what was simulated, robustness, discovery, noise.

:func:`scenario_section` says what a batch simulated from its manifest: the description, the levels
(or, for a sweep, the swept parameters with their ranges and sampler), the knobs that differ from the
schema's defaults (given by the caller, which knows the schema) and the events on a timeline.
:func:`robustness_frame`, :func:`discovery_section` and :func:`sensitivity_noise` prepare the
threshold-robustness table, the scenario-discovery boxes of a sweep and the warning on noisy
sensitivity indices. Everything is display values for the Jinja2 template.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from analysis.labels import OUTCOME_LABELS, parameter_label
from analysis.reclassify import threshold_robustness
from analysis.results import Results
from analysis.style import figure_bytes
from sim.contract.outcomes import OUTCOMES

log = logging.getLogger(__name__)

KnobRow = tuple[str, float, float | None, str]
"""(dotted path, value, schema default or None when required, meaning) of one knob."""

NOISY_HALF_WIDTH = 0.1
"""A sensitivity index whose 95% bootstrap half-width exceeds this is called noisy."""
MIN_DISCOVERY_POINTS = 4
"""Sweeps with fewer points get no discovery section."""


@dataclass(frozen=True)
class ScenarioSection:
    """What was simulated, as display values.

    Args:
        description: the scenario's (or sweep's) description.
        levels: the three headline levels (label -> value text).
        swept: one row per swept parameter: parameter, range, values.
        sampler: how the sweep points were drawn (empty for a single scenario).
        knobs: knobs that differ from the defaults: knob, value, default, meaning.
        events: one row per scheduled event: month, event, magnitude.
        timeline: an SVG timeline of the events (empty without events).
    """

    description: str
    levels: list[tuple[str, str]]
    swept: pd.DataFrame | None
    sampler: str
    knobs: pd.DataFrame | None
    events: pd.DataFrame | None
    timeline: str = ""
    notes: list[str] = field(default_factory=list)


def scenario_section(results: Results, knobs: Sequence[KnobRow] | None = None) -> ScenarioSection:
    """What the batch simulated, read from its manifest.

    Args:
        results: the loaded results.
        knobs: knobs that differ from the schema's defaults (from the joining layer, which knows
            the schema); None when unknown.

    Returns:
        the section.
    """
    m = results.manifest
    scenario = m.scenario
    sweep = m.sweep or {}
    description = " ".join(
        str(sweep.get("description") or scenario.get("description") or "").split()
    )
    if sweep.get("description") and scenario.get("description"):
        base = " ".join(str(scenario["description"]).split())
        description = f"{description} Base scenario: {base}"
    levels_block = scenario.get("levels") or {}
    swept_names = set(results.parameters)
    levels = [
        (parameter_label(k), "swept" if f"levels.{k}" in swept_names else f"{float(v):g}")
        for k, v in levels_block.items()
    ]
    swept = None
    sampler = ""
    if results.parameters:
        bounds = dict(
            zip(
                (results.sampler.problem or {}).get("names") or [],
                (results.sampler.problem or {}).get("bounds") or [],
                strict=False,
            )
        )
        rows = []
        for p in results.parameters:
            values = sorted(results.points[p].unique())
            lo, hi = bounds.get(p, (min(values), max(values)))[:2]
            shown = (
                ", ".join(f"{v:g}" for v in values) if len(values) <= 8 else f"{len(values)} values"
            )
            rows.append((parameter_label(p), f"{p}", f"{lo:g} to {hi:g}", shown))
        swept = pd.DataFrame(rows, columns=["Parameter", "Path", "Range", "Values"])
        sampler = (
            f"{results.sampler.kind} sampler, {results.n_points:,} points × {m.replications:,} runs"
        )
    knob_frame = None
    if knobs:
        knob_frame = pd.DataFrame(
            [
                (path, f"{value:g}", "required" if default is None else f"{default:g}", meaning)
                for path, value, default, meaning in knobs
                if path not in swept_names
            ],
            columns=["Knob", "Value", "Default", "Meaning"],
        )
    events = scenario.get("events") or []
    event_frame = None
    timeline = ""
    if events:
        event_frame = pd.DataFrame(
            [
                (
                    int(e["step"]),
                    str(e["kind"]).replace("_", " "),
                    f"{float(e.get('magnitude', 1.0)):g}",
                )
                for e in sorted(events, key=lambda e: int(e["step"]))
            ],
            columns=["Month", "Event", "Magnitude"],
        )
        timeline = timeline_svg(event_frame, int(m.steps))
    notes = []
    if knobs is None:
        notes.append("The knobs that differ from the defaults are listed by `hedgesim report`.")
    return ScenarioSection(
        description, levels, swept, sampler, knob_frame, event_frame, timeline, notes
    )


def timeline_svg(events: pd.DataFrame, steps: int, width: int = 720) -> str:
    """A small inline SVG: the months of the run as a line, each event as a labelled tick.

    Args:
        events: rows of month, event, magnitude.
        steps: the horizon in months.
        width: pixels.

    Returns:
        the SVG markup (plain text, safe: labels are escaped by the caller's template).
    """
    from html import escape

    left, right, y = 20, width - 20, 40
    scale = (right - left) / max(steps, 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="90" role="img" '
        f'aria-label="events on a timeline">',
        f'<line x1="{left}" y1="{y}" x2="{right}" y2="{y}" stroke="#555"/>',
        f'<text x="{left}" y="{y + 20}" font-size="11" fill="#555">month 1</text>',
        f'<text x="{right}" y="{y + 20}" font-size="11" fill="#555" text-anchor="end">month {steps}</text>',
    ]
    groups: list[list[Any]] = []  # [first x, event, magnitude, months]
    for month, event, magnitude in events.itertuples(index=False):
        x = left + (int(month) - 0.5) * scale
        parts.append(
            f'<line x1="{x:.1f}" y1="{y - 6}" x2="{x:.1f}" y2="{y + 6}" stroke="#D55E00" stroke-width="2"/>'
        )
        if groups and groups[-1][1:3] == [event, magnitude] and x - groups[-1][0] < 110:
            groups[-1][3].append(int(month))
        else:
            groups.append([x, event, magnitude, [int(month)]])
    last_x, row = -1e9, 0
    for x, event, magnitude, months in groups:
        row = row + 1 if x - last_x < 160 else 0
        last_x = x
        when = ", ".join(f"m{m}" for m in months)
        parts.append(
            f'<text x="{max(x - 4, 2):.1f}" y="{y - 10 - 13 * (row % 2)}" font-size="11">'
            f"{escape(str(event))} ×{escape(str(magnitude))} ({when})</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def robustness_frame(results: Results) -> pd.DataFrame:
    """The threshold-robustness table as display values (shares in percent, pooled over points).

    Args:
        results: the loaded results.

    Returns:
        columns Threshold, Value, Runs that change class, and one per class.
    """
    table = threshold_robustness(results.runs, results.thresholds)
    rows = []
    for r in table.itertuples(index=False):
        values = {
            "Threshold": "as run" if r.threshold == "base" else str(r.threshold).replace("_", " "),
            "Value": "" if pd.isna(r.value) else f"{r.value:.2f}",
            "Runs that change class": f"{int(r.changed):,}",
        }
        for c in OUTCOMES:
            values[OUTCOME_LABELS[c]] = f"{100 * getattr(r, f'share_{c}'):.1f}%"
        rows.append(values)
    return pd.DataFrame(rows)


def sensitivity_noise(table: pd.DataFrame | None) -> str:
    """A warning when the bootstrap intervals of the sensitivity indices are wide, else ''.

    Args:
        table: the Sobol or Morris table (None: no warning).

    Returns:
        the warning text.
    """
    if table is None or table.empty:
        return ""
    column = "ST_conf" if "ST_conf" in table.columns else "mu_star_conf"
    widest = float(table[column].max())
    if widest <= NOISY_HALF_WIDTH:
        return ""
    index = "total-order (ST)" if column == "ST_conf" else "μ*"
    return (
        f"The {index} indices are noisy: their 95% bootstrap intervals reach ±{widest:.2f}. Replication "
        "noise in the outcome shares adds variance that no parameter explains, and total-order indices "
        "absorb it, so small ST values and the ranking of close parameters are not reliable. Run more "
        "replications per point or more base samples before reading them."
    )


def discovery_section(results: Results) -> dict[str, Any] | None:
    """Scenario discovery of a sweep: PRIM boxes in words, their table and the two figures.

    Args:
        results: the loaded results (a sweep with at least :data:`MIN_DISCOVERY_POINTS` points).

    Returns:
        ``sentences``, ``scores`` (DataFrame) and ``figures`` (title, base64 PNG), or None when
        the batch is no sweep or discovery fails (logged).
    """
    if not results.parameters or results.n_points < MIN_DISCOVERY_POINTS:
        return None
    try:
        from analysis.discover import discover
        from analysis.plots.discovery import draw_scores, draw_tradeoff

        boxes = discover(results.summary, results.parameters)
    except (ValueError, ImportError) as error:
        log.warning("scenario discovery skipped: %s", error)
        return None
    scores = pd.DataFrame(
        [
            {
                "Outcome": OUTCOME_LABELS[b.outcome],
                **{parameter_label(p): f"{s:.2f}" for p, s in b.scores.items()},
            }
            for b in boxes
        ]
    )
    figures = []
    for title, fig in (
        (
            "PRIM peeling trajectories: coverage against density",
            draw_tradeoff(boxes, caption=results.caption, name=results.name),
        ),
        (
            "CART feature scores per outcome",
            draw_scores(boxes, caption=results.caption, name=results.name),
        ),
    ):
        figures.append(
            {"title": title, "png": base64.b64encode(figure_bytes(fig, "png")).decode("ascii")}
        )
    return {"sentences": [b.sentence() for b in boxes], "scores": scores, "figures": figures}
