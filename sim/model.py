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

from sim.agents import DPRK, USA, China, Japan, Russia
from sim.contract.columns import FINAL_VARIABLES, TRAJECTORY_VARIABLES
from sim.contract.outcomes import OUTCOMES, Thresholds, classify_codes
from sim.knobs import lane_knobs
from sim.plan import run_seeds
from sim.scenario import LANE_FIELDS, Event, Levels, Scenario, field_path
from sim.seoul import POSTURE, ROK

NOISE_CHANNELS: tuple[str, ...] = (*POSTURE, "launch")
"""Uniform draws each lane makes every month, in this order."""

DEFAULT_SCENARIO = Scenario(
    name="default",
    levels=Levels(us_pressure=0.35, china_coercion=0.3, nk_provocation=0.35),
)
"""The scenario used when ``GeoModel`` is built without one (the 2025 baseline levels)."""

_SHORT_NAMES: dict[str, str] = {field_path(path)[-1]: path for path in LANE_FIELDS}


def lane_noise(seeds: Sequence[int] | np.ndarray, steps: int) -> np.ndarray:
    """Draw every lane's uniforms up front from its own generator.

    Args:
        seeds: one run seed per lane.
        steps: the horizon.

    Returns:
        array of shape (steps, len(NOISE_CHANNELS), R); lane r's values depend only on ``seeds[r]``.
    """
    width = len(NOISE_CHANNELS)
    out = np.empty((steps, width, len(seeds)))
    for r, seed in enumerate(seeds):
        out[:, :, r] = np.random.Generator(np.random.PCG64(int(seed))).random((steps, width))
    return out


class GeoModel(mesa.Model):
    """Seoul, Washington, Beijing, Pyongyang, Tokyo and Moscow over one presidential term, R lanes at once.

    Attributes:
        config: the hedgesim :class:`~sim.scenario.Scenario` (Mesa's own ``scenario`` attribute is
            left to Mesa).
        lanes: number of lanes R.
        knobs: per-lane parameter arrays.
        rok, usa, china, dprk, japan, russia: the six agents.
        others: the five powers around Seoul (all agents but ``rok``), in activation order.
        history: per-step arrays of :data:`TRAJECTORY_VARIABLES`, each of shape (steps, R).
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
                batch_seed = rng if isinstance(rng, int) else int(self.rng.integers(0, 2**63))
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
        self._events: dict[int, list[Event]] = {}
        for event in config.events:
            self._events.setdefault(event.step, []).append(event)
        # Creation order matters only for initial values that read other agents.
        self.rok = ROK(self)
        self.russia = Russia(self)
        self.usa = USA(self)
        self.china = China(self)
        self.japan = Japan(self)
        self.dprk = DPRK(self)
        self.others = (self.usa, self.china, self.dprk, self.japan, self.russia)
        self.history: dict[str, np.ndarray] = {
            name: np.empty((self.horizon, self.lanes)) for name in TRAJECTORY_VARIABLES
        }
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

    def _apply_events(self) -> None:
        """Scheduled shocks of this month (same for every lane)."""
        for event in self._events.get(self.steps, ()):
            size = event.magnitude
            if event.kind == "missile_test":
                # A launch month counts once, whether drawn or scheduled.
                already = self.dprk.launch > 0
                self.dprk.launch = np.maximum(self.dprk.launch, size)
                self.dprk.launches = self.dprk.launches + (~already).astype(np.int64)
            elif event.kind == "tariff_hike":
                self.usa.tariff = np.clip(self.usa.tariff + 0.3 * size, 0.0, 1.0)
            elif event.kind == "retaliation_campaign":
                self.china.retaliation = np.maximum(self.china.retaliation, 0.6 * size)
            elif event.kind == "inducement_package":
                self.china.bonus = self.china.bonus + 0.3 * size
            elif event.kind == "summit_china":
                self.china.retaliation = np.clip(self.china.retaliation - 0.3 * size, 0.0, 1.0)
                self.china.restraint = np.clip(self.china.restraint + 0.2 * size, 0.0, 1.0)
            elif event.kind == "summit_japan":
                self.japan.cooperation = np.clip(self.japan.cooperation + 0.2 * size, 0.0, 1.0)
            elif event.kind == "alliance_reassurance":
                self.usa.commitment = np.clip(self.usa.commitment + 0.2 * size, 0.0, 1.0)

    def step(self) -> None:
        """One month: the other powers decide then apply, events, Seoul perceives, decides, applies."""
        for agent in self.others:
            agent.decide()
        for agent in self.others:
            agent.apply()
        self._apply_events()
        self.rok.perceive()
        self.rok.decide()
        self.rok.apply()
        self._record()
        if self.datacollector is not None:
            self.datacollector.collect(self)
        if self.steps >= self.horizon:
            self.running = False

    def _record(self) -> None:
        t = self.steps - 1
        rok = self.rok
        values = {
            "us_alignment": rok.us_alignment,
            "china_engagement": rok.china_engagement,
            "japan_cooperation": rok.japan_cooperation,
            "derisking": rok.derisking,
            "security_index": rok.security,
            "economic_index": rok.economy,
            "us_commitment": self.usa.commitment,
            "threat": rok.threat,
            "retaliation": self.china.retaliation,
            "tariff": self.usa.tariff,
        }
        for name, value in values.items():
            self.history[name][t] = value

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


def _lane0_reporter(name: str) -> Any:
    return lambda m: float(m.history[name][m.steps - 1, 0])


@dataclass(frozen=True)
class LaneResult:
    """What :func:`simulate` returns.

    Attributes:
        finals: per run, shape (R,): final-window means of :data:`FINAL_VARIABLES`, ``launches`` (int64)
            and ``outcome`` (int8 class codes;
            names are attached when a table is written).
        trajectories: per run and step, shape (R, steps): :data:`TRAJECTORY_VARIABLES`.
    """

    finals: dict[str, np.ndarray]
    trajectories: dict[str, np.ndarray]


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
    trajectories = {name: np.ascontiguousarray(arr.T) for name, arr in model.history.items()}
    return LaneResult(finals=finals, trajectories=trajectories)
