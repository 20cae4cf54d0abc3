"""One self-contained ``report.html`` per results folder (figures embedded as base64 PNG).

Sections, in order: what was simulated (description, levels or swept parameters, knobs that differ
from the defaults, events on a timeline), the outcome table with 95% Wilson intervals and the
precision warning, the threshold-robustness table, the sensitivity table of a Sobol/Morris sweep
(with a warning when its intervals are wide), scenario discovery of a sweep (PRIM boxes in words),
every figure that applies, and the provenance last. The page is the
Jinja2 template ``analysis/templates/report.html.j2`` (autoescaped); this module prepares its tables
as pandas DataFrames of display values and the figures as PNG data.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from analysis.figures import iter_figures, sensitivity_or_none
from analysis.labels import OUTCOME_COLOURS, OUTCOME_LABELS, parameter_label
from analysis.precision import check_precision
from analysis.report_sections import (
    KnobRow,
    discovery_section,
    robustness_frame,
    scenario_section,
    sensitivity_noise,
)
from analysis.results import Results, load_results
from analysis.sensitivity import target_label
from analysis.style import figure_bytes
from analysis.summary import (
    DEFAULT_MAX_HALF_WIDTH,
    parameter_columns,
    pooled_shares,
)
from sim.contract.errors import ResultsError
from sim.contract.files import write_text_atomic
from sim.contract.outcomes import OUTCOMES
from sim.contract.summary import SUMMARY_AT_DEFAULTS

MAX_TABLE_ROWS = 60
"""Most sweep points listed in the report's outcome table (the rest are in summary.csv)."""


@dataclass(frozen=True)
class ShareCell:
    """A table cell: a class's share and its 95% interval, in percent."""

    share: float
    lo: float
    hi: float


@dataclass(frozen=True)
class ClassHeader:
    """A column header: an outcome class's colour swatch and label."""

    colour: str
    label: str


@cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("analysis", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    return env.get_template("report.html.j2")


def _when(value: Any) -> str:
    return "—" if not value else str(value).replace("T", " ")


def provenance_rows(results: Results) -> list[tuple[str, str]]:
    """Label/value pairs describing where the results came from.

    Args:
        results: the loaded results folder.

    Returns:
        Plain-text (unescaped) pairs in display order.
    """
    m = results.manifest
    sampler = results.sampler
    runs = f"{results.n_runs:,} of {m.n_runs:,} planned"
    if results.aggregate:
        runs += f" (aggregate folder: per-point counts and {results.sample_note})"
    status = "complete" if results.is_complete else "INCOMPLETE"
    if m.failed_blocks:
        failed = ", ".join(map(str, m.failed_blocks))
        status += f" ({len(m.failed_blocks)} failed block(s): {failed})"
    elif not m.finished:
        status += " (not finished; resume the batch)"
    rows = [
        ("Kind", results.kind),
        ("Name", results.name),
        ("Scenario", results.scenario_name),
    ]
    if m.sweep is not None or results.parameters:
        rows.append(("Sweep", str((m.sweep or {}).get("name") or results.name)))
        rows.append(("Parameters", ", ".join(results.parameters) or "—"))
        sampled = sampler.kind
        if sampler.samples:
            sampled += f", {sampler.samples} base samples"
        rows.append(("Sampler", sampled))
    if m.posterior:  # coefficients drawn per run from a calibration's posterior (--posterior)
        post = m.posterior
        rows.append(
            (
                "Posterior",
                f"calibration {post.get('name')} ({post.get('source')}): "
                f"{', '.join(post.get('parameters', []))} drawn per run from "
                f"{post.get('points', 0):,} weighted points (ESS {post.get('ess', 0):.0f})",
            )
        )
    rows += [
        ("Points", f"{results.n_points:,}"),
        ("Replications per point", str(m.replications)),
        ("Runs", runs),
        ("Status", status),
        ("Steps / final window", f"{m.steps} / {_or_dash(m.final_window)}"),
        ("Batch seed", _or_dash(m.batch_seed)),
        ("hedgesim version", _or_dash(m.hedgesim_version)),
        ("Git commit", _or_dash(m.git_commit)),
        ("Python", _or_dash(m.python)),
        ("Packages", ", ".join(f"{k} {v}" for k, v in m.packages.items()) or "—"),
        ("Started", _when(m.started)),
        ("Finished", _when(m.finished)),
        ("Wall time", f"{m.wall_time_s:.1f} s"),
        ("Workers / backend", f"{_or_dash(m.workers)} / {_or_dash(m.backend)}"),
        ("Classification", _thresholds_text(results)),
    ]
    return rows


def _or_dash(value: object) -> str:
    return "—" if value is None else str(value)


def _thresholds_text(results: Results) -> str:
    t = results.thresholds
    return (
        f"caught between giants if security < {t.security_floor:g} and economy < "
        f"{t.economic_floor:g}; tilt if |US − China| ≥ {t.tilt_margin:g}"
    )


def _share_cell(row: pd.Series, c: str) -> ShareCell:
    return ShareCell(*(100 * float(row[f"{k}_{c}"]) for k in ("share", "lo", "hi")))


def outcome_frame(
    summary: pd.DataFrame, parameters: list[str], label: str | None = None
) -> pd.DataFrame:
    """The outcome table's rows: point (or ``label``), parameters, runs, a share cell per class.

    Args:
        summary: summary rows (a table, or the pooled row as a one-row frame).
        parameters: the swept parameters (blank where ``summary`` lacks them, as pooled rows do).
        label: first-column text for every row (default: the point id).

    Returns:
        a DataFrame of display values whose columns are the table's headers.
    """
    first = [str(int(p)) for p in summary["point_id"]] if label is None else [label] * len(summary)
    columns: dict[Any, list[Any]] = {"Point": first}
    for p in parameters:
        values = summary[p] if p in summary.columns else [None] * len(summary)
        columns[parameter_label(p)] = ["" if v is None else f"{v:.4g}" for v in values]
    columns["Runs"] = [f"{int(n):,}" for n in summary["n_runs"]]
    for c in OUTCOMES:
        header = ClassHeader(OUTCOME_COLOURS[c], OUTCOME_LABELS[c])
        columns[header] = [_share_cell(row, c) for _, row in summary.iterrows()]
    return pd.DataFrame(columns)


def uncertainty_frame(results: Results, summary: pd.DataFrame) -> pd.DataFrame | None:
    """For a run with ``--posterior``: its shares beside the same runs' shares at the defaults.

    Args:
        results: the loaded results folder.
        summary: its summary.

    Returns:
        two rows (posterior draws, defaults), or ``None`` when the folder has no such comparison.
    """
    path = results.path / SUMMARY_AT_DEFAULTS
    if not results.manifest.posterior or not path.exists():
        return None
    try:
        defaults = pd.read_csv(path)
    except (OSError, ValueError, pd.errors.ParserError) as error:
        raise ResultsError(f"{path}: unreadable ({error})") from None
    if len(summary) > 1:  # a sweep: pooled over its points
        summary, defaults = (pooled_shares(t).to_frame().T for t in (summary, defaults))
    with_draws = outcome_frame(summary, [], label="coefficients drawn from the posterior")
    at_defaults = outcome_frame(defaults, [], label="default coefficients (same seeds)")
    return pd.concat([with_draws, at_defaults], ignore_index=True)


def sensitivity_frame(table: pd.DataFrame) -> pd.DataFrame:
    """The sensitivity indices, one row per (target, parameter), most influential first.

    Args:
        table: a Sobol or Morris sensitivity table.

    Returns:
        a DataFrame of display values whose columns are the table's headers.
    """
    sobol = "ST" in table.columns
    key = "ST" if sobol else "mu_star"
    order = {t: i for i, t in enumerate(dict.fromkeys(table["target"]))}
    ordered = table.assign(_t=table["target"].map(order)).sort_values(
        ["_t", key], ascending=[True, False]
    )
    frame = pd.DataFrame(
        {
            "Target": [target_label(t) for t in ordered["target"]],
            "Parameter": [parameter_label(p) for p in ordered["parameter"]],
        }
    )
    if sobol:
        frame["S1 (first order)"] = [f"{r.S1:.3f} ± {r.S1_conf:.3f}" for r in ordered.itertuples()]
        frame["ST (total)"] = [f"{r.ST:.3f} ± {r.ST_conf:.3f}" for r in ordered.itertuples()]
    else:
        frame["μ* (mean |effect|)"] = [
            f"{r.mu_star:.3f} ± {r.mu_star_conf:.3f}" for r in ordered.itertuples()
        ]
        frame["σ"] = [f"{r.sigma:.3f}" for r in ordered.itertuples()]
    return frame


def render_report(
    results: Results,
    *,
    max_half_width: float = DEFAULT_MAX_HALF_WIDTH,
    generated: str | None = None,
    max_rows: int = MAX_TABLE_ROWS,
    knobs: Sequence[KnobRow] | None = None,
) -> str:
    """Render the full HTML report of a results folder.

    Args:
        results: the loaded results folder.
        max_half_width: interval half-width above which the precision warning is shown.
        generated: timestamp text for the footer (default: now, UTC).
        max_rows: most points listed; with more, the pooled shares and a pointer to summary.csv.
        knobs: knobs that differ from the schema's defaults (the joining layer knows the schema).

    Returns:
        The HTML document.
    """
    summary = results.summary
    sensitivity = sensitivity_or_none(results)
    parameters = parameter_columns(summary)
    pooled = None
    if len(summary) > 1:
        pooled_row = pooled_shares(summary).to_frame().T
        pooled = outcome_frame(pooled_row, parameters, label="all (pooled)")
    figures = [
        {"title": spec.title, "png": base64.b64encode(figure_bytes(fig, "png")).decode("ascii")}
        for spec, fig in iter_figures(results, sensitivity, summary=summary)
    ]
    return _template().render(
        title=f'hedgesim {results.kind} "{results.name}"',
        subtitle=results.caption,
        provenance=pd.DataFrame(provenance_rows(results), columns=["Field", "Value"]),
        incomplete=not results.is_complete,
        pooled=pooled,
        outcomes=outcome_frame(summary.head(max_rows), parameters),
        outcome_numeric=tuple(range(len(parameters) + 2 + len(OUTCOMES))),
        hidden_points=len(summary) > max_rows,
        shown_points=max_rows,
        total_points=len(summary),
        precision_warning=check_precision(summary, max_half_width).message(),
        figures=figures,
        sensitivity=(
            sensitivity_frame(sensitivity)
            if sensitivity is not None and not sensitivity.empty
            else None
        ),
        sensitivity_warning=sensitivity_noise(sensitivity),
        scenario=scenario_section(results, knobs),
        robustness=robustness_frame(results),
        robustness_note=(
            f"Computed on {results.sample_note}: an aggregate folder keeps no other per-run rows."
            if results.aggregate
            else ""
        ),
        discovery=discovery_section(results),
        uncertainty=uncertainty_frame(results, summary),
        generated=generated or datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        folder=str(results.path),
    )


def write_report(
    folder: Path | str | Results,
    out: Path | str | None = None,
    knobs: Sequence[KnobRow] | None = None,
) -> Path:
    """Write the self-contained ``report.html`` of a results folder atomically.

    Args:
        folder: the results folder (or already loaded results).
        out: destination file (default ``<folder>/report.html``).
        knobs: knobs that differ from the schema's defaults (see :func:`render_report`).

    Returns:
        Path of the written report.

    Raises:
        ResultsError: the folder cannot be read.
    """
    results = folder if isinstance(folder, Results) else load_results(folder)
    path = Path(out) if out is not None else results.path / "report.html"
    return write_text_atomic(path, render_report(results, knobs=knobs))
