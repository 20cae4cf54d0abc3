"""GeoModel: a Mesa model of Seoul between Washington and Beijing that advances R runs ("lanes") at once.

Each lane is an independent run with its own seed and, optionally, its own parameters. Agents keep
their state as numpy arrays of shape (R,), activation is simultaneous and staged (the five other powers
decide, then apply; then Seoul perceives, decides and applies), and every lane draws only from its own
generator, so a run's numbers do not depend on which other runs share its block.

``GeoModel(rng=seed, us_pressure=0.6)`` is a plain single run usable with ``mesa.batch_run``;
:func:`simulate` is the batch entry point used by the engine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import mesa
import numpy as np

from sim.agents import DPRK, USA, China, Japan, Russia, others_month
from sim.contract.columns import FINAL_VARIABLES, TRAJECTORY_VARIABLES
from sim.contract.outcomes import OUTCOMES, Thresholds, classify_codes
from sim.events import apply_event
from sim.kernel.lanes import NOISE_CHANNELS as _CHANNELS
from sim.kernel.lanes import anticipation, observe_lanes, spin_up, whole_month
from sim.kernel.layout import INDEX, new_state, width
from sim.kernel.record import record_lanes
from sim.knobs import lane_knobs
from sim.noise import uniform_lanes
from sim.observe import OBSERVABLES
from sim.plan import run_seeds
from sim.scenario import DEFAULT_SCENARIO, LANE_FIELDS, Event, Scenario, field_path
from sim.seoul import ROK

STATE_VARIABLES: tuple[str, ...] = (*TRAJECTORY_VARIABLES, "government")
"""What ``GeoModel.history`` keeps: the trajectory variables and the government's preset index."""
NOISE_CHANNELS: tuple[str, ...] = _CHANNELS
"""Uniform draws each lane makes every month, in this order (the posture variables, launch, election)."""
RECORDED_STATE: dict[str, str] = {
    "us_alignment": "rok.us_alignment",
    "china_engagement": "rok.china_engagement",
    "japan_cooperation": "rok.japan_cooperation",
    "derisking": "rok.derisking",
    "security_index": "rok.security",
    "economic_index": "rok.economy",
    "us_commitment": "usa.commitment",
    "threat": "rok.threat",
    "retaliation": "china.retaliation",
    "tariff": "usa.tariff",
    "tech_controls": "usa.tech_controls",
    "japan_cooperation_jp": "japan.cooperation",
}
"""The state variable behind each recorded variable that is not an observable or the government."""
if (*RECORDED_STATE, *OBSERVABLES, "government") != STATE_VARIABLES:
    raise ValueError("the history panel's rows must be the recorded state, observables, government")
_RECORDED_ROWS = np.array([INDEX[name] for name in RECORDED_STATE.values()], dtype=np.int64)
_OBSERVED = slice(len(RECORDED_STATE), len(RECORDED_STATE) + len(OBSERVABLES))
"""Rows of the panel the observables are written to."""

_SHORT_NAMES: dict[str, str] = {
    field_path(path)[-1]: path
    for path in LANE_FIELDS
    if field_path(path)[0] in ("levels", "world", "government", "initial")
}
"""Leaf names accepted for the headline sections (``us_pressure``); anything else by dotted path."""


def lane_noise(seeds: Sequence[int] | np.ndarray, steps: int) -> np.ndarray:
    """Draw every lane's uniforms up front, each lane from its own PCG64 stream (:mod:`sim.noise`).

    Args:
        seeds: one run seed per lane.
        steps: the horizon.

    Returns:
        array of shape (steps, len(NOISE_CHANNELS), R); lane r's values depend only on ``seeds[r]``.
    """
    return uniform_lanes(seeds, steps, len(NOISE_CHANNELS))


class GeoModel(mesa.Model):
    """Seoul, Washington, Beijing, Pyongyang, Tokyo and Moscow over one presidential term, R lanes at once.

    Attributes:
        config: the hedgesim :class:`~sim.scenario.Scenario` (Mesa's own ``scenario`` attribute is
            left to Mesa).
        lanes: number of lanes R.
        knobs: per-lane parameter arrays (columns of ``knobs.table``, which the kernels read).
        state, counters: every agent's per-lane state, float64 of shape (len(STATE_NAMES), R), and
            the launch counts and governments, int64 (:mod:`sim.kernel.layout`); the agents'
            arrays are their rows.
        rok, usa, china, dprk, japan, russia: the six agents.
        others: the five powers around Seoul (all agents but ``rok``), in activation order.
        panel: the month-by-month history, shape (len(STATE_VARIABLES), steps, R), written by
            :func:`sim.kernel.record.record_lanes` (and the observables by the month's kernel).
        history: the panel's rows by name, each of shape (steps, R).
        datacollector: at R = 1, Mesa model reporters of the main variables and ``outcome``.
    """

    def __init__(
        self,
        scenario: Scenario | None = None,
        *,
        rng: Any = None,
        lanes: int = 1,
        seeds: Sequence[int] | np.ndarray | None = None,
        **lane_values: Any,
    ) -> None:
        """Build the model.

        Args:
            scenario: the scenario; defaults to :data:`DEFAULT_SCENARIO`.
            rng: Mesa's seed argument. An integer is the run seed at ``lanes=1`` and the batch seed
                of :func:`sim.plan.run_seeds` otherwise; with no integer, a batch seed is drawn from
                Mesa's generator.
            lanes: number of lanes R.
            seeds: one run seed per lane (overrides ``rng``); length R.
            **lane_values: lane fields by leaf name (``us_pressure``) or dotted path
                (``levels.us_pressure``); a scalar applies to every lane, an array of shape (R,)
                gives one value per lane.
        """
        if isinstance(rng, np.integer):
            rng = int(rng)  # Mesa accepts plain ints only
        super().__init__(rng=rng)
        config = scenario if scenario is not None else DEFAULT_SCENARIO
        self.config = config
        if seeds is None:
            if isinstance(rng, int) and lanes == 1:
                seeds = [rng]
            else:
                batch_seed = (
                    rng
                    if isinstance(rng, int)
                    else int(self.rng.integers(0, np.iinfo(np.int64).max))
                )
                seeds = run_seeds(batch_seed, lanes)
        self.seeds = np.asarray(seeds, dtype=np.uint64)
        self.lanes = len(self.seeds)
        by_path = {}
        for key, value in lane_values.items():
            path = _SHORT_NAMES.get(key, key)
            if path not in LANE_FIELDS:
                raise TypeError(f"GeoModel got an unknown parameter {key!r}")
            by_path[path] = np.broadcast_to(np.asarray(value, dtype=float), (self.lanes,))
        self.knobs = lane_knobs(config, self.lanes, by_path)
        self.horizon = config.steps
        self._noise = lane_noise(self.seeds, self.horizon)
        self.state, self.counters = new_state(self.lanes)
        self._events: dict[int, list[Event]] = {}
        for event in config.events:
            self._events.setdefault(event.step, []).append(event)
        self.rok = ROK(self)
        self.russia = Russia(self)
        self.usa = USA(self)
        self.china = China(self)
        self.japan = Japan(self)
        self.dprk = DPRK(self)
        self.others = (self.usa, self.china, self.dprk, self.japan, self.russia)
        self.spin_up()
        # Each month's row is padded (width): with rows of exactly 2**k lanes every variable's
        # row would start at the same offset modulo 4 KiB and the month's 16 write streams would
        # fight over the same cache sets (record_lanes ran ~4x slower).
        self.panel = np.empty((len(STATE_VARIABLES), self.horizon, width(self.lanes)))[
            ..., : self.lanes
        ]
        self.history: dict[str, np.ndarray] = dict(zip(STATE_VARIABLES, self.panel, strict=True))
        self._election_months = self._months_with_elections()
        self.datacollector: mesa.DataCollector | None = None
        if self.lanes == 1:
            reporters = {name: _lane0_reporter(name) for name in TRAJECTORY_VARIABLES}
            reporters["outcome"] = lambda m: OUTCOMES[m.outcomes()[0]]
            self.datacollector = mesa.DataCollector(model_reporters=reporters)

    def noise(self, channel: str) -> np.ndarray:
        """This month's uniform draws of one noise channel, shape (R,).

        Args:
            channel: one of :data:`NOISE_CHANNELS`.
        """
        return self._noise[self.steps - 1, NOISE_CHANNELS.index(channel)]

    @property
    def noise_table(self) -> np.ndarray:
        """Every lane's draws, shape (steps, len(NOISE_CHANNELS), R)."""
        return self._noise

    def spin_up(self) -> None:
        """Start in balance: the others settle against Seoul's initial posture before month 1.

        They run ``structure.start.spinup_months`` months with Seoul's posture held and expected
        rather than drawn launches, so that a scenario with constant levels and no events shows no
        start-up drift (ODD "Initialisation"); kernels :func:`sim.kernel.lanes.anticipation` (Seoul's
        anticipation shares) and :func:`sim.kernel.lanes.spin_up`.
        """
        anticipation(self.knobs.table, self.state, self.lanes)
        spin_up(self.knobs.table, self.state, self.lanes)

    def _months_with_elections(self) -> frozenset[int]:
        """Months 1..horizon in which some lane holds an election (``structure.elections``).

        The election fields are not scheduled, so this is known at the start; a month outside the
        set skips the per-lane test (:meth:`_elections_due`).
        """
        p = self.knobs.structure.elections
        held = p.enabled == 1
        if not np.any(held):
            return frozenset()
        months = np.arange(1, self.horizon + 1)
        found: set[int] = set()
        for first, period in np.unique(np.stack([p.first[held], p.period[held]]), axis=1).T:
            found.update(months[_election_due(months, first, period)].tolist())
        return frozenset(found)

    def _elections_due(self) -> np.ndarray:
        """Lanes where an election is due this month (``structure.elections``), boolean (R,)."""
        p = self.knobs.structure.elections
        return (p.enabled == 1) & _election_due(self.steps, p.first, p.period)

    def step(self) -> None:
        """One month: schedules, world agents decide then apply, events, elections, then Seoul.

        A month with no event and no election due runs the others' and Seoul's stages in one pass
        over the lanes (:func:`sim.kernel.lanes.whole_month`, the same per-lane stages in the same
        order); otherwise the stages run one after the other, with the events and elections between.
        """
        self.knobs.at_month(self.steps)
        t = self.steps - 1
        events = self._events.get(self.steps, ())
        due = self._elections_due() if self.steps in self._election_months else None
        observed = self.panel[_OBSERVED, t]
        if events or due is not None:
            others_month(self)
            for event in events:  # same for every lane; effects in sim.events.EFFECTS
                apply_event(self, event)
            if due is not None:
                self.rok.hold_election(due)
            self.rok.step()
            observe_lanes(self.knobs.table, self.state, observed, self.lanes)
        else:
            whole_month(
                self.knobs.table, self.state, self.counters, self._noise, t, self.lanes, observed
            )
        government = INDEX["rok.government"]
        record_lanes(
            self.state, self.counters, _RECORDED_ROWS, government, self.panel, t, self.lanes
        )
        if self.datacollector is not None:
            self.datacollector.collect(self)
        if self.steps >= self.horizon:
            self.running = False

    def final_window(self) -> dict[str, np.ndarray]:
        """Means over the last ``classification.final_window`` steps so far, each shape (R,).

        The window is summed row by row, so every lane adds its values in the same order whatever R
        is (``mean(axis=0)`` would pair them differently at R = 1 and at R > 1).
        """
        hi = max(self.steps, 1)
        lo = max(hi - self.config.classification.final_window, 0)
        means = {}
        for name in FINAL_VARIABLES:
            total = np.zeros(self.lanes)
            for row in self.history[name][lo:hi]:
                total += row
            means[name] = total / (hi - lo)
        return means

    def outcomes(self) -> np.ndarray:
        """Each lane's outcome code from its final window (so far), int8 of shape (R,).

        The codes index :data:`~sim.contract.outcomes.OUTCOMES`.
        """
        fin = self.final_window()
        c = self.config.classification
        thresholds = Thresholds(c.security_floor, c.economic_floor, c.tilt_margin)
        return classify_codes(
            fin["us_alignment"],
            fin["china_engagement"],
            fin["security_index"],
            fin["economic_index"],
            thresholds,
        )


def _election_due(month: Any, first: Any, period: Any) -> Any:
    """Whether an election falls in ``month``: from month ``first`` on, every ``period`` months.

    Args:
        month: month(s) 1..horizon.
        first: the first election's month, per lane or one value.
        period: months between elections, per lane or one value.
    """
    return (month >= first) & ((month - first) % period == 0)


def _release(model: GeoModel) -> None:
    """Free a finished model's per-lane state without waiting for the cycle collector.

    A Mesa model and its agents refer to each other, so a finished block would otherwise keep its
    noise, history, knobs and agent arrays until Python's cycle collector runs (tens of MiB per
    block of thousands of lanes). Dropping them here keeps a worker's memory flat across blocks.

    Args:
        model: a model whose results have been read.
    """
    model.remove_all_agents()
    for agent in (model.rok, *model.others):
        vars(agent).clear()
    model.others = ()
    model.history = {}
    del model.panel
    del model._noise, model.knobs, model.state, model.counters
    model._events = {}


def _lane0_reporter(name: str) -> Any:
    return lambda m: float(m.history[name][m.steps - 1, 0])


@dataclass(frozen=True)
class LaneResult:
    """What :func:`simulate` returns.

    Attributes:
        finals: per run, shape (R,): final-window means of :data:`FINAL_VARIABLES`, ``launches`` (int64)
            and ``outcome`` (int8 class codes;
            names are attached when a table is written).
        trajectories: per run and step, shape (R, steps): :data:`TRAJECTORY_VARIABLES`; transposed
            views of the month-by-month history (Fortran-ordered, not copied: a copy cost ~13% of
            a block's time and 63 MiB at 8,192 lanes).
        panel: the same numbers by variable, step and run, shape (len(TRAJECTORY_VARIABLES),
            steps, R); ``trajectories[TRAJECTORY_VARIABLES[i]]`` is ``panel[i].T``.
    """

    finals: dict[str, np.ndarray]
    trajectories: dict[str, np.ndarray]
    panel: np.ndarray


def simulate(
    scenario: Scenario,
    seeds: Sequence[int] | np.ndarray,
    lane_values: Mapping[str, np.ndarray] | None = None,
) -> LaneResult:
    """Run R lanes of a scenario to its horizon.

    Args:
        scenario: the base scenario.
        seeds: one run seed per lane.
        lane_values: dotted lane-field path to per-lane values, shape (R,).

    Returns:
        the per-run finals and trajectories; lane r depends only on (scenario, its values, seeds[r]).
    """
    model = GeoModel(scenario, seeds=seeds, **dict(lane_values or {}))
    for _ in range(model.horizon):
        model.step()
    finals = model.final_window()
    finals["launches"] = model.dprk.launches.copy()
    finals["outcome"] = model.outcomes()
    panel = model.panel[: len(TRAJECTORY_VARIABLES)]
    trajectories = {name: rows.T for name, rows in zip(TRAJECTORY_VARIABLES, panel, strict=False)}
    _release(model)
    return LaneResult(finals=finals, trajectories=trajectories, panel=panel)
