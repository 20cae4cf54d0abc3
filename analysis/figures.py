"""Which figures apply to a results folder, and writing them to ``<folder>/figures/``.

This is what ``hedgesim plot DIR`` calls (:func:`plot_folder`); the report embeds the same figures
(:func:`iter_figures`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from analysis.labels import parameter_label
from analysis.plots.compare import comparison_data, draw_comparison
from analysis.plots.fans import draw_fans, event_label, outcome_fans, overall_fan, point_fans
from analysis.plots.history import draw_history, government_changes, history_data
from analysis.plots.outcome_map import GRIDDED_SAMPLERS, draw_outcome_map, outcome_map_data
from analysis.plots.position import draw_position
from analysis.plots.sensitivity import draw_sensitivity
from analysis.plots.shares import draw_shares, shares_applicable
from analysis.results import Results, load_results
from analysis.sensitivity import analyse_sensitivity, write_sensitivity
from analysis.style import figure_bytes
from sim.contract.errors import ResultsError
from sim.contract.files import write_bytes_atomic

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FigureSpec:
    """One figure that applies to a folder, drawn only when asked for.

    Args:
        name: file stem, e.g. ``outcome_map``.
        title: one-line description for the report.
        draw: builds the figure.
    """

    name: str
    title: str
    draw: Callable[[], Figure]


def _bounds(results: Results) -> dict[str, list[float]]:
    problem = results.sampler.problem or {}
    names, bounds = problem.get("names") or [], problem.get("bounds") or []
    return {str(n): list(b)[:2] for n, b in zip(names, bounds, strict=False)}


def _trajectory_note(results: Results) -> str:
    sample = results.manifest.trajectory_sample
    if results.n_points == 1:
        return "quantiles over the stored trajectories"
    extra = f" (first {sample} replicates per point)" if sample else ""
    return f"quantiles over the trajectory sample{extra}"


def scenario_events(results: Results) -> list[tuple[int, str]]:
    """The scheduled events of the batch's scenario as (step, label), from the manifest.

    Args:
        results: the loaded results folder.

    Returns:
        one (step, "kind ×magnitude") per event; empty when the manifest records none.
    """
    events = results.manifest.scenario.get("events")
    marks = []
    for event in events or []:
        if isinstance(event, dict) and "step" in event and "kind" in event:
            size = float(event.get("magnitude", 1.0))
            marks.append((int(event["step"]), event_label(str(event["kind"]), size)))
    return marks


def figure_specs(
    results: Results,
    sensitivity: pd.DataFrame | None = None,
    *,
    map_axes: tuple[str, str] | None = None,
    summary: pd.DataFrame | None = None,
) -> list[FigureSpec]:
    """The figures that apply to a results folder, in report order.

    Args:
        results: the loaded results folder.
        sensitivity: its sensitivity table (Sobol/Morris sweeps), if computed.
        map_axes: the two parameters of the outcome map (default: the first two).
        summary: its summary table when the caller has it (computed here otherwise).

    Returns:
        Lazily drawn figure specs.
    """
    caption = results.caption
    name = results.name
    if summary is None:
        summary = results.summary
    events = scenario_events(results)
    specs = []
    if shares_applicable(len(summary), len(results.parameters)):
        specs.append(
            FigureSpec(
                "shares",
                "Outcome shares with 95% Wilson intervals",
                lambda: draw_shares(summary, caption=caption, title=f"{name}: outcome shares"),
            )
        )
    if len(results.parameters) >= 2:
        x, y = map_axes or (None, None)

        def outcome_map() -> Figure:
            data = outcome_map_data(
                results.points,
                results.parameters,
                x=x,
                y=y,
                gridded=results.sampler_kind in GRIDDED_SAMPLERS,
                bounds=_bounds(results),
            )
            title = f"{name}: most likely outcome by {parameter_label(data.x)} and {parameter_label(data.y)}"
            return draw_outcome_map(data, caption=caption, title=title)

        specs.append(FigureSpec("outcome_map", "Most likely outcome over the sweep", outcome_map))
    if results.n_points > 1:
        points = point_fans(results)
        if points is not None:
            specs.append(
                FigureSpec(
                    "fans",
                    "Median and 10–90% band over time at the sweep points where each outcome is likeliest",
                    lambda: draw_fans(
                        points,
                        caption=caption,
                        title=f"{name}: posture and payoffs over time at selected points",
                        source="quantiles over all runs of each point; point: "
                        + ", ".join(p.split(".")[-1] for p in results.parameters),
                        events=events,
                    ),
                )
            )
    else:
        fan = overall_fan(results)
        if fan is not None:
            note = (
                "quantiles over all runs"
                if results.bands is not None
                else _trajectory_note(results)
            )
            specs.append(
                FigureSpec(
                    "fans",
                    "Median and 10–90% band over time",
                    lambda: draw_fans(
                        fan,
                        caption=caption,
                        title=f"{name}: Seoul's posture and payoffs over time",
                        source=note,
                        events=events,
                    ),
                )
            )
        by_outcome = outcome_fans(results)
        if by_outcome is not None:
            specs.append(
                FigureSpec(
                    "fans_by_outcome",
                    "Median and 10–90% band over time, by final outcome",
                    lambda: draw_fans(
                        by_outcome,
                        caption=caption,
                        title=f"{name}: posture and payoffs over time by final outcome",
                        source=_trajectory_note(results),
                        events=events,
                    ),
                )
            )
    history = history_data(results)
    if history is not None:
        specs.append(
            FigureSpec(
                "history",
                "History replay: the model's annual band against the observed record",
                lambda: draw_history(
                    history,
                    changes=government_changes(results),
                    caption=caption,
                    title=f"{name}: history replay",
                ),
            )
        )
    sampled = results.sample_note  # an aggregate folder: the position of its sample of runs
    specs.append(
        FigureSpec(
            "position",
            f"Final posture of {sampled}, by outcome"
            if sampled
            else "Final posture of every run, by outcome",
            lambda: draw_position(
                results.runs,
                tilt_margin=results.thresholds.tilt_margin,
                caption=caption,
                title=f"{name}: final posture of {sampled or 'every run'}",
            ),
        )
    )
    if sensitivity is not None and not sensitivity.empty:
        kind = (
            "Sobol sensitivity indices" if results.sampler_kind == "sobol" else "Morris screening"
        )
        specs.append(
            FigureSpec(
                "sensitivity",
                f"{results.sampler_kind.capitalize()} sensitivity indices",
                lambda: draw_sensitivity(sensitivity, caption=caption, title=f"{name}: {kind}"),
            )
        )
    return specs


def sensitivity_or_none(results: Results) -> pd.DataFrame | None:
    """Sensitivity table of a Sobol/Morris sweep; logs a warning and returns None if it fails.

    Args:
        results: the loaded results folder.

    Returns:
        The table, or ``None`` (not a sensitivity design, or incomplete).
    """
    try:
        return analyse_sensitivity(results)
    except ResultsError as error:
        log.warning("sensitivity analysis skipped: %s", error)
        return None


def iter_figures(
    results: Results,
    sensitivity: pd.DataFrame | None = None,
    *,
    map_axes: tuple[str, str] | None = None,
    summary: pd.DataFrame | None = None,
) -> Iterator[tuple[FigureSpec, Figure]]:
    """Draw every applicable figure, one at a time.

    Args:
        results: the loaded results folder.
        sensitivity: its sensitivity table, if any.
        map_axes: the two parameters of the outcome map (default: the first two).
        summary: its summary table when the caller has it (computed once otherwise).

    Yields:
        ``(spec, figure)`` pairs.
    """
    for spec in figure_specs(results, sensitivity, map_axes=map_axes, summary=summary):
        yield spec, spec.draw()


def plot_folder(
    folder: Path | str | Results,
    fmt: str = "png",
    out_dir: Path | str | None = None,
    map_axes: tuple[str, str] | None = None,
) -> list[Path]:
    """Write every figure that applies to a results folder (and ``sensitivity.csv`` if any).

    Args:
        folder: the results folder (or already loaded results).
        fmt: image format (``png``, ``pdf``, ``svg``).
        out_dir: where to write (default ``<folder>/figures``).
        map_axes: the two swept parameters on the outcome map's axes (default: the first two).

    Returns:
        Paths of the written figures.

    Raises:
        ResultsError: the folder cannot be read.
    """
    results = folder if isinstance(folder, Results) else load_results(folder)
    target = Path(out_dir) if out_dir is not None else results.path / "figures"
    target.mkdir(parents=True, exist_ok=True)
    sensitivity = sensitivity_or_none(results)
    if sensitivity is not None:
        write_sensitivity(results, sensitivity)
    written = []
    for spec, fig in iter_figures(results, sensitivity, map_axes=map_axes):
        written.append(write_bytes_atomic(target / f"{spec.name}.{fmt}", figure_bytes(fig, fmt)))
    return written


def plot_comparison(
    folders: Sequence[Path | str | Results], out_dir: Path | str, fmt: str = "png"
) -> Path:
    """Write one figure comparing the outcome shares of several results folders.

    Args:
        folders: results folders (or already loaded results), drawn in this order.
        out_dir: where to write ``comparison.<fmt>`` (created if needed).
        fmt: image format.

    Returns:
        Path of the written figure.

    Raises:
        ResultsError: a folder cannot be read.
        ValueError: no folders given.
    """
    if not folders:
        raise ValueError("plot_comparison needs at least one results folder")
    loaded = [f if isinstance(f, Results) else load_results(f) for f in folders]
    data = comparison_data(loaded)
    target = Path(out_dir)
    target.mkdir(parents=True, exist_ok=True)
    fig = draw_comparison(data)
    return write_bytes_atomic(target / f"comparison.{fmt}", figure_bytes(fig, fmt))
