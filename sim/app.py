"""Watch one hedgesim run month by month in the browser: a Mesa ``SolaraViz`` app.

Run it from the repository root::

    pip install -e ".[viz]"
    solara run sim/app.py

then open http://localhost:8765. The sidebar sets the seed and six knobs of the default scenario;
*Reset* rebuilds the run with them, *Step* advances one month and *▶* plays to the horizon
(``scenario.steps``, 60 months). The plots show Seoul's posture, its security and economic indices
and the world around it; the text card shows the outcome class of the run so far (classified from
the final window up to the current month, as at the horizon).

This is the model/agents/app split of Mesa's examples: :mod:`sim.model`, :mod:`sim.agents` and
:mod:`sim.seoul` hold the model, this module only displays one run of it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import solara
from mesa.experimental.scenarios import Scenario as MesaScenario
from mesa.visualization import SolaraViz, make_plot_component
from mesa.visualization.utils import update_counter

from sim.contract.outcomes import OUTCOMES
from sim.model import DEFAULT_SCENARIO, GeoModel
from sim.scenario import Scenario

SLIDERS: dict[str, tuple[str, str, float, float, float]] = {
    "us_pressure": ("levels", "US pressure", 0.0, 1.0, 0.05),
    "china_coercion": ("levels", "China's coercion", 0.0, 1.0, 0.05),
    "nk_provocation": ("levels", "North Korean provocation", 0.0, 1.0, 0.05),
    "china_inducement": ("world", "China's inducement", 0.0, 1.0, 0.05),
    "us_china_tension": ("world", "US-China tension", 0.0, 1.0, 0.05),
    "rationality": ("government", "Seoul's rationality (logit λ)", 0.0, 20.0, 0.5),
}
"""Knob (leaf name) -> (scenario section, label, min, max, step); defaults come from the scenario."""

PLOTS: dict[str, tuple[str, ...]] = {
    "Seoul's posture": ("us_alignment", "china_engagement", "japan_cooperation", "derisking"),
    "Indices": ("security_index", "economic_index"),
    "The world": ("us_commitment", "retaliation", "tariff", "threat"),
}
"""Plot title -> the DataCollector columns it draws."""

DEFAULT_SEED = 42
OUTCOME_CLASS = "hedgesim-outcome"
"""CSS class of the outcome text (tests find it by this)."""
SEED_NOTE_CLASS = "hedgesim-seed-note"
"""CSS class of the note shown when the typed seed was not usable (tests find it by this)."""
MAX_SEED = 2**63 - 1
"""Largest seed (as in scenario files)."""


def _default(section: str, leaf: str) -> float:
    value = getattr(getattr(DEFAULT_SCENARIO, section), leaf)
    if value is None:  # a government knob left to its preset
        preset = getattr(DEFAULT_SCENARIO.structure.governments, DEFAULT_SCENARIO.government.preset)
        value = getattr(preset, leaf)
    return float(value)


model_params: dict[str, Any] = {
    "rng": {"type": "InputText", "value": DEFAULT_SEED, "label": "Random seed"},
    **{
        leaf: {
            "type": "SliderFloat",
            "value": _default(section, leaf),
            "label": label,
            "min": lo,
            "max": hi,
            "step": step,
        }
        for leaf, (section, label, lo, hi, step) in SLIDERS.items()
    },
}
"""SolaraViz's inputs: a seed box and one slider per knob of :data:`SLIDERS`."""


class VizModel(GeoModel):
    """A single-lane :class:`GeoModel` that SolaraViz can rebuild on *Reset*.

    SolaraViz rebuilds a model as ``type(model)(scenario=<Mesa's own Scenario>, rng=..., **sliders)``:
    a Mesa ``Scenario`` is not a hedgesim one, so it is dropped (the default scenario is used), and
    a seed typed into the text box arrives as a string, so it is turned into an int (empty = random;
    anything but a whole number from 0 to :data:`MAX_SEED` = random too, said in :attr:`seed_note`).

    Attributes:
        seed_note: why the typed seed was not used ('' when it was, or none was typed).
    """

    def __init__(
        self, scenario: Scenario | MesaScenario | None = None, *, rng: Any = None, **overrides: Any
    ) -> None:
        if isinstance(scenario, MesaScenario):
            scenario = None
        note = ""
        if isinstance(rng, str):
            rng, note = parse_seed(rng)
        super().__init__(scenario, rng=rng, **overrides)
        self.seed_note = note


def parse_seed(text: str) -> tuple[int | None, str]:
    """The seed typed into the seed box.

    Args:
        text: what was typed.

    Returns:
        ``(seed, note)``: the seed, or None (a random one) with a note saying why when ``text`` is
        not blank and not a whole number from 0 to :data:`MAX_SEED`.
    """
    text = text.strip()
    if not text:
        return None, ""
    try:
        seed = int(text)
    except ValueError:
        seed = -1
    if 0 <= seed <= MAX_SEED:
        return seed, ""
    return None, f"seed {text[:40]!r} is not a whole number from 0 to 2^63-1: a random seed is used"


def build_model(params: dict[str, Any] | None = None) -> VizModel:
    """The model as SolaraViz first shows it: the default value of every input in ``params``."""
    params = model_params if params is None else params
    return VizModel(**{name: spec["value"] for name, spec in params.items()})


def outcome_text(model: GeoModel) -> str:
    """The run's outcome class so far, with the month (or that no month has run yet)."""
    if model.steps == 0:
        return f"none yet (month 0 of {model.horizon})"
    when = "final" if model.steps >= model.horizon else "so far"
    return f"{OUTCOMES[model.outcomes()[0]]} ({when}, month {model.steps} of {model.horizon})"


@solara.component
def OutcomeText(model: GeoModel) -> solara.Element:
    """A card with :func:`outcome_text`, redrawn after every step."""
    update_counter.get()
    with solara.Card("Outcome") as card:
        solara.Text(outcome_text(model), classes=[OUTCOME_CLASS])
        note = getattr(model, "seed_note", "")
        if note:
            solara.Text(note, classes=[SEED_NOTE_CLASS])
    return card


def _titled(title: str) -> Callable[[Any], None]:
    """A plot post-processor: title the axes, fix the y range to [0, 1] (every measure is there)."""

    def post_process(ax: Any) -> None:
        ax.set_title(title)
        ax.set_ylim(0.0, 1.0)

    return post_process


components: list[tuple[Any, int]] = [
    (OutcomeText, 0),
    *(make_plot_component(list(cols), post_process=_titled(t)) for t, cols in PLOTS.items()),
]
"""What the page shows, all on page 0: the outcome card, then the three plots of :data:`PLOTS`."""

model = build_model()
page = SolaraViz(
    model,
    components=components,
    model_params=model_params,
    name="hedgesim: Seoul between giants",
)
page  # noqa: B018
