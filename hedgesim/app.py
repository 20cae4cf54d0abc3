"""The live ensemble explorer: a Solara page that reruns hundreds of runs on every change.

Start it with ``hedgesim explore`` (offline: Solara's assets are served from the installed
``solara-assets`` package and telemetry is off), then open http://127.0.0.1:8765. Pick a scenario of
the library (its events included) or move the sliders: every change reruns the ensemble (1,000 runs
by default) through the lane engine and redraws the outcome shares with 95% Wilson intervals, the
fan bands of Seoul's posture and payoffs with the scenario's events marked, and the final posture
of every run.

This is the app file of Mesa's model/agents/app split: :mod:`sim.explorer` computes the ensemble,
:mod:`analysis.plots` draws it, this module only lays the page out. A one-run view (Mesa's
SolaraViz) is not offered: a single run is one draw of a noisy process, and the fan bands and the
scatter of final postures show what the runs do, with how much spread.
"""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import matplotlib
import solara
from matplotlib.figure import Figure

from analysis.labels import OUTCOME_COLOURS, OUTCOME_LABELS
from analysis.plots.fans import draw_fans, event_label
from analysis.plots.position import draw_position
from analysis.plots.shares import draw_shares
from analysis.style import styled
from hedgesim.explorer import (
    DEFAULT_RUNS,
    RUN_CHOICES,
    SLIDERS,
    Ensemble,
    moved,
    run_ensemble,
    scheduled,
    slider_values,
)
from sim.contract.outcomes import OUTCOMES
from sim.library import load_library
from sim.scenario import Scenario

SHARE_CLASS = "hedgesim-share"
"""CSS class of each share cell; ``data-outcome`` names the class (the browser test reads them)."""
_CELL = "padding:0.15em 0.8em"
STATUS_CLASS = "hedgesim-status"
"""CSS class of the line saying how many runs were computed and how long it took."""
DRAWING_CLASS = "hedgesim-drawing"
"""CSS class of the note shown while the figures of a new ensemble are being drawn."""

_DRAWER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hedgesim-draw")
"""Figures are drawn one at a time, on one thread, since matplotlib's style context changes the
process-wide rcParams (see :func:`_plain_rcparams`)."""
SCREEN_DPI = 80
"""Resolution of the figures on the page."""

LIBRARY: dict[str, Scenario] = load_library()
if not LIBRARY:
    raise RuntimeError("hedgesim explorer: no scenarios in the scenario library")
DEFAULT_NAME = "baseline" if "baseline" in LIBRARY else next(iter(LIBRARY))

scenario_name = solara.reactive(DEFAULT_NAME)
knobs = solara.reactive(slider_values(LIBRARY[DEFAULT_NAME]))
n_runs = solara.reactive(DEFAULT_RUNS)


def event_marks(scenario: Scenario) -> list[tuple[int, str]]:
    """The scenario's events as (step, label) for the time axes.

    Args:
        scenario: the scenario.

    Returns:
        one (step, "kind ×magnitude") per event.
    """
    return [(e.step, event_label(e.kind, e.magnitude)) for e in scenario.events]


def shares_html(ensemble: Ensemble) -> str:
    """The outcome table: one row per class with share and 95% Wilson interval.

    Args:
        ensemble: the ensemble.

    Returns:
        an HTML table whose share cells carry :data:`SHARE_CLASS` and ``data-outcome``.
    """
    rows = []
    for c, (share, lo, hi) in ensemble.shares().items():
        swatch = (
            f'<span style="display:inline-block;width:0.8em;height:0.8em;'
            f'background:{OUTCOME_COLOURS[c]};margin-right:0.4em"></span>'
        )
        rows.append(
            f"<tr><td>{swatch}{OUTCOME_LABELS[c]}</td>"
            f'<td class="{SHARE_CLASS}" data-outcome="{c}" style="{_CELL};text-align:right">'
            f"{100 * share:.1f}%</td>"
            f'<td style="{_CELL};color:#555">[{100 * lo:.1f}–{100 * hi:.1f}]</td></tr>'
        )
    return (
        '<table style="border-collapse:collapse;font-size:1.05em">'
        "<tr><th style='text-align:left'>Outcome</th><th>Share</th><th>95% interval</th></tr>"
        + "".join(rows)
        + "</table>"
    )


def _plain_rcparams() -> None:
    """Undo Solara's per-session rcParams, which break the style sheet every figure is drawn with.

    Solara's server swaps the class of ``matplotlib.rcParams`` for one that keeps a copy per
    session and stores values without validating them, so a style sheet read inside the server
    leaves strings such as ``"8, 5"`` where matplotlib expects numbers. The explorer never changes
    rcParams outside :func:`analysis.style.styled`, so the plain class is put back.
    """
    cls = type(matplotlib.rcParams)
    if cls.__module__ != "matplotlib":
        plain = next(
            c for c in cls.__mro__ if c.__module__ == "matplotlib" and c.__name__ == "RcParams"
        )
        matplotlib.RcParams = plain
        matplotlib.rcParams.__class__ = plain


def _figures(ensemble: Ensemble) -> dict[str, bytes]:
    """The three figures of an ensemble as PNG bytes."""
    _plain_rcparams()
    name = ensemble.scenario.name
    n = ensemble.n_runs
    caption = f'explorer · scenario "{name}" · {n:,} run{"" if n == 1 else "s"}'
    shares = draw_shares(ensemble.summary, caption=caption, title=f"{name}: outcome shares")
    fans = draw_fans(
        ensemble.fan(),
        caption=caption,
        title=f"{name}: Seoul's posture and payoffs over time",
        source="quantiles over all runs",
        events=event_marks(ensemble.scenario),
    )
    position = draw_position(
        ensemble.runs,
        tilt_margin=ensemble.scenario.classification.tilt_margin,
        caption=caption,
        title=f"{name}: final posture of every run",
    )
    return {
        key: _png(fig) for key, fig in (("shares", shares), ("fans", fans), ("position", position))
    }


def _png(fig: Figure) -> bytes:
    """PNG bytes at screen resolution (faster to draw than the report's 150 dpi)."""
    buffer = io.BytesIO()
    with styled():
        fig.savefig(buffer, format="png", dpi=SCREEN_DPI)
    return buffer.getvalue()


def _choose(name: str) -> None:
    scenario_name.set(name)
    knobs.set(slider_values(LIBRARY[name]))


def _set_knob(path: str) -> Any:
    def set_value(value: float) -> None:
        knobs.set({**knobs.value, path: float(value)})

    return set_value


@solara.component
def Controls() -> None:
    """The sidebar: scenario, sliders, ensemble size."""
    scenario = LIBRARY[scenario_name.value]
    solara.Select("Scenario", values=list(LIBRARY), value=scenario_name.value, on_value=_choose)
    on_schedule = scheduled(scenario)
    for path, (label, lo, hi, step) in SLIDERS.items():
        solara.SliderFloat(
            label + (" (schedule; moving it sets a constant)" if path in on_schedule else ""),
            value=knobs.value[path],
            min=lo,
            max=hi,
            step=step,
            on_value=_set_knob(path),
            thumb_label="always",
        )
    solara.Select("Runs per update", values=list(RUN_CHOICES), value=n_runs)
    solara.Button("Reset to the scenario", on_click=lambda: _choose(scenario_name.value), text=True)
    if scenario.events:
        marks = "; ".join(f"month {s}: {t}" for s, t in event_marks(scenario))
        solara.Text(f"Events: {marks}", style={"font-weight": "bold"})
    if scenario.description:
        solara.Text(" ".join(scenario.description.split()))


@solara.component
def Page() -> None:
    """The explorer page."""
    solara.Title("hedgesim explorer")
    scenario = LIBRARY[scenario_name.value]
    values = dict(knobs.value)
    ensemble = solara.use_memo(
        lambda: run_ensemble(scenario, n_runs.value, values=moved(scenario, values)),
        dependencies=[scenario_name.value, tuple(sorted(values.items())), n_runs.value],
    )
    # The shares show as soon as the ensemble is simulated; the figures follow when drawn.
    drawn = solara.use_thread(
        lambda: _DRAWER.submit(_figures, ensemble).result(),
        dependencies=[ensemble],
        intrusive_cancel=False,
    )
    images = drawn.value if drawn.state == solara.ResultState.FINISHED else None
    with solara.Sidebar():
        Controls()
    with solara.Column():
        solara.HTML(tag="h2", unsafe_innerHTML=f"{scenario.name}: where does Seoul end up?")
        solara.HTML(tag="div", unsafe_innerHTML=shares_html(ensemble))
        solara.Text(
            f"{ensemble.n_runs:,} runs simulated in {ensemble.seconds:.2f} s; shares are of runs,"
            " brackets the 95% Wilson interval.",
            classes=[STATUS_CLASS],
        )
        if images is None:
            solara.Text("drawing the figures…", classes=[DRAWING_CLASS])
        else:
            with solara.Columns([1, 1]):
                solara.Image(images["shares"], width="100%")
                solara.Image(images["position"], width="100%")
            solara.Image(images["fans"], width="100%")


__all__ = ["OUTCOMES", "Page"]
