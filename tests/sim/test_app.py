"""The explorer page on the Python side: it renders the library, and a slider reruns the ensemble.

The page in a real browser is tested in ``tests/browser/test_explorer_browser.py``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import ipyvuetify as v
import ipywidgets
import pytest
import solara

from hedgesim import app
from hedgesim.explorer import SLIDERS, run_ensemble, slider_values
from sim.contract.outcomes import OUTCOMES


def page_html(rendered: Any) -> str:
    """All HTML and text the page shows, as one string."""
    parts = [str(w.unsafe_innerHTML) for w in rendered.find(solara.widgets.HTML).widgets]
    parts += [str(w.children) for w in rendered.find(v.Html).widgets]
    return " ".join(parts)


def shares(rendered: Any) -> dict[str, str]:
    """The share cells of the page's outcome table, by class."""
    text = page_html(rendered)
    found = {}
    for c in OUTCOMES:
        marker = f'data-outcome="{c}"'
        assert marker in text, c
        found[c] = text.split(marker, 1)[1].split(">", 1)[1].split("<", 1)[0]
    return found


@pytest.fixture
def rendered() -> Iterator[Any]:
    """The page as the solara server shows it, reset to the default scenario afterwards."""
    app._choose(app.DEFAULT_NAME)
    _, rc = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)
    yield rc
    rc.close()
    app._choose(app.DEFAULT_NAME)
    app.n_runs.set(app.DEFAULT_RUNS)


def test_library_is_loaded_with_every_slider_knob() -> None:
    assert "baseline" in app.LIBRARY and len(app.LIBRARY) >= 5
    for scenario in app.LIBRARY.values():
        assert set(slider_values(scenario)) == set(SLIDERS)


def test_page_shows_the_ensemble_shares(rendered: Any) -> None:
    expected = run_ensemble(app.LIBRARY[app.DEFAULT_NAME], app.DEFAULT_RUNS).shares()
    shown = shares(rendered)
    for c, (share, _, _) in expected.items():
        assert shown[c] == f"{100 * share:.1f}%"
    labels = {w.label for w in rendered.find(v.Slider).widgets}
    assert {label for label, *_ in SLIDERS.values()} <= labels
    deadline = time.monotonic() + 120  # the figures are drawn on a thread, after the shares show
    while len(images := rendered.find(ipywidgets.Image).widgets) < 3:
        assert time.monotonic() < deadline, f"{len(images)} of 3 figures drawn"
        time.sleep(0.05)
    assert len(images) == 3 and all(bytes(w.value).startswith(b"\x89PNG") for w in images)


def test_moving_a_slider_reruns_the_ensemble(rendered: Any) -> None:
    before = shares(rendered)
    slider = rendered.find(v.Slider, label="China's coercion").widget
    slider.v_model = 1.0
    after = shares(rendered)
    assert after != before
    scenario = app.LIBRARY[app.DEFAULT_NAME].with_values({"levels.china_coercion": 1.0})
    expected = run_ensemble(scenario, app.DEFAULT_RUNS).shares()
    assert after == {c: f"{100 * s:.1f}%" for c, (s, _, _) in expected.items()}


def test_choosing_a_scenario_takes_its_levels_and_events(rendered: Any) -> None:
    app._choose("nk-missile-crisis")
    scenario = app.LIBRARY["nk-missile-crisis"]
    assert scenario.events
    slider = rendered.find(v.Slider, label="North Korean provocation").widget
    assert slider.v_model == pytest.approx(scenario.levels.nk_provocation)
    marks = app.event_marks(scenario)
    assert [s for s, _ in marks] == [e.step for e in scenario.events]
    assert "missile test" in page_html(rendered)
