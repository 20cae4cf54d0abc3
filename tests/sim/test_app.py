"""The SolaraViz app: the page builds, the model SolaraViz makes runs to the horizon, the page renders.

The app needs the ``viz`` extra (``pip install -e ".[viz]"``), which ``dev`` does not include: without
solara these tests are skipped.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import ipyvuetify as v
import numpy as np
import pytest
import reacton.core
import solara
from mesa.visualization.solara_viz import (
    _build_model_init_kwargs,
    _check_model_params,
)

from sim import app
from sim.contract.outcomes import OUTCOMES
from sim.model import GeoModel


def defaults() -> dict[str, Any]:
    """The parameters SolaraViz's ModelCreator starts from: every input's default value."""
    return {name: spec["value"] for name, spec in app.model_params.items()}


def rebuild(model: GeoModel, params: dict[str, Any]) -> GeoModel:
    """What SolaraViz's Reset button does with the current model and parameters (Mesa 3.5.1)."""
    kwargs = _build_model_init_kwargs(
        model, params, add_scenario_when_empty=True, require_model_accepts_scenario=True
    )
    return type(model)(**kwargs)


def plot_measures() -> list[list[str]]:
    """The measures each plot component draws, read from the component Mesa built."""
    plots = [fn for fn, _ in app.components if fn is not app.OutcomeText]
    return [list(inspect.getclosurevars(fn).nonlocals["measure"]) for fn in plots]


@pytest.fixture
def rendered() -> Iterator[Any]:
    """The page as the solara server shows it (inside an AppLayout), closed afterwards."""
    _, rc = solara.render(solara.AppLayout(children=[app.page]), handle_error=False)
    yield rc
    rc.close()


def test_page_is_a_solaraviz_of_the_model() -> None:
    assert isinstance(app.page, reacton.core.Element)
    assert app.page.kwargs["name"] == "hedgesim: Seoul between giants"
    assert app.page.args[0] is app.model
    assert set(app.model_params) == {"rng", *app.SLIDERS}
    _check_model_params(app.model, app.model_params)  # what SolaraViz checks on first render


def test_default_model_runs_to_the_horizon_with_every_plotted_measure() -> None:
    model = rebuild(app.model, defaults())
    assert isinstance(model, app.VizModel)
    assert model.knobs.levels.us_pressure[0] == app.model_params["us_pressure"]["value"]
    while model.running:
        model.step()
    assert model.steps == model.horizon == 60
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == model.horizon
    measures = plot_measures()
    assert measures == [list(cols) for cols in app.PLOTS.values()]
    for cols in measures:
        assert set(cols) <= set(frame.columns)
        assert frame[cols].notna().all().all()
    text = app.outcome_text(model)
    assert text.split(" ")[0] == frame["outcome"].iloc[-1] in OUTCOMES
    assert "final, month 60 of 60" in text


def test_reset_uses_the_sliders_and_the_typed_seed() -> None:
    params = {**defaults(), "rng": "7", "us_pressure": 0.9, "rationality": 10.0}
    model = rebuild(app.model, params)
    reference = GeoModel(rng=7, us_pressure=0.9, rationality=10.0)
    assert model.knobs.government.rationality[0] == 10.0
    for _ in range(12):
        model.step()
        reference.step()
    for name, values in reference.history.items():
        np.testing.assert_array_equal(model.history[name][:12], values[:12])


def test_page_renders_and_steps(rendered: Any) -> None:
    labels = {w.label for w in rendered.find(v.Slider).widgets}
    assert {spec[1] for spec in app.SLIDERS.values()} <= labels
    outcome = rendered.find(v.Html, class_=app.OUTCOME_CLASS)
    assert outcome.widget.children == ["none yet (month 0 of 60)"]
    rendered.find(v.Btn, children=["Reset"]).widget.click()
    rendered.find(v.Btn, children=["Step"]).widget.click()
    text = rendered.find(v.Html, class_=app.OUTCOME_CLASS).widget.children[0]
    assert text.split(" ")[0] in OUTCOMES
    assert text.endswith("(so far, month 1 of 60)")


@pytest.mark.parametrize("typed", ["abc", "1.5", "-3", str(2**63), "7 seven"])
def test_a_seed_that_is_not_a_whole_number_gives_a_random_run_and_says_so(typed: str) -> None:
    models = [rebuild(app.model, {**defaults(), "rng": typed}) for _ in range(2)]
    for model in models:
        assert repr(typed.strip()) in model.seed_note and "random seed" in model.seed_note
        model.step()
    assert models[0].seeds[0] != models[1].seeds[0]  # random, like an empty box


@pytest.mark.parametrize(("typed", "seed"), [("", None), ("  ", None), (" 7 ", 7), ("0", 0)])
def test_blank_or_whole_number_seeds_need_no_note(typed: str, seed: int | None) -> None:
    model = rebuild(app.model, {**defaults(), "rng": typed})
    assert model.seed_note == ""
    if seed is not None:
        assert int(model.seeds[0]) == seed


def test_typing_a_bad_seed_in_the_page_shows_a_note(rendered: Any) -> None:
    box = rendered.find(v.TextField, label="Random seed").widget
    box.v_model = "abc"
    box.fire_event("keyup.enter", None)  # what the text box commits on (or on focus out)
    rendered.find(v.Btn, children=["Reset"]).widget.click()
    rendered.find(v.Btn, children=["Step"]).widget.click()
    note = rendered.find(v.Html, class_=app.SEED_NOTE_CLASS).widget.children[0]
    assert note.startswith("seed 'abc' is not a whole number") and "random seed" in note
    text = rendered.find(v.Html, class_=app.OUTCOME_CLASS).widget.children[0]
    assert text.endswith("(so far, month 1 of 60)")
    box.v_model = "7"
    box.fire_event("keyup.enter", None)
    rendered.find(v.Btn, children=["Reset"]).widget.click()
    assert not rendered.find(v.Html, class_=app.SEED_NOTE_CLASS).widgets
