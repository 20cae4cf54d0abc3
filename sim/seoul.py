"""Seoul (ROK) as a Mesa agent: its utilities and its strategic, bounded-rational choice of posture.

Posture, all in [0, 1] and of shape (R,): ``us_alignment`` (a), ``china_engagement`` (m),
``japan_cooperation`` (j), ``derisking`` (d). Each month Seoul considers, for each posture variable,
a step down, no move or a step up. It values each option by its utility ``w_s*S + w_e*E + w_a*A`` at
the state it *anticipates* ``structure.seoul.horizon`` months ahead: how Washington (commitment,
tariffs, tech controls), Beijing (retaliation, restraint of the North, inducements) and Tokyo
(cooperation) would respond to the new posture, each moving toward its target at its own rate
(A: "grounded in cost-benefit calculations", "maximizing benefit while minimizing exposure"). A horizon
of 0 is a myopic Seoul that takes the others' state as given. It then picks by logit (quantal) choice,
with a cost per unit moved (inertia). The equations live once, as per-lane numba functions in
:mod:`sim.kernel.choice`; Seoul's whole month (perceive, value the nine options, choose, apply) is
one kernel call, :meth:`ROK.step`, run on tiles of lanes in SIMD loops (:mod:`sim.kernel.tiles`).

All coefficients are fields of ``structure.seoul`` and ``structure.governments`` (:mod:`sim.structure`).
Source articles: A = the 2025 commentary on Seoul's "pragmatic foreign policy"; B = "South Korea
Strategic Autonomy Redraws Its Diplomatic Map Beyond Alliance Discipline" (January 2026).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.agents import Power
from sim.kernel.choice import POSTURE
from sim.kernel.lanes import ELECTION, seoul_month
from sim.kernel.layout import INDEX, WEIGHTS, Lanes
from sim.scenario import PRESETS

if TYPE_CHECKING:
    from sim.model import GeoModel

__all__ = ["CONSERVATIVE", "POSTURE", "PRAGMATIC", "PROGRESSIVE", "ROK", "WEIGHTS"]

Array = np.ndarray
CONSERVATIVE, PROGRESSIVE, PRAGMATIC = (
    PRESETS.index(n) for n in ("conservative", "progressive", "pragmatic")
)


class ROK(Power):
    """Seoul: chooses small posture moves that raise its anticipated utility, with bounded rationality.

    Its government (a preset per lane, :data:`sim.scenario.PRESETS` order) sets the utility weights
    and decision style (``weights``); it changes with ``government_change`` events and, if enabled,
    elections. ``record_security``, ``record_economy`` and ``record_months`` are the sums of the
    indices and the months since the last election (or the start).
    """

    STATE = "rok"
    us_alignment = Lanes()
    china_engagement = Lanes()
    japan_cooperation = Lanes()
    derisking = Lanes()
    threat = Lanes()
    security = Lanes()
    economy = Lanes()
    government = Lanes()
    record_security = Lanes()
    record_economy = Lanes()
    record_months = Lanes()

    def __init__(self, model: GeoModel) -> None:
        """Create Seoul at the scenario's initial posture and government.

        Args:
            model: the lane model.
        """
        super().__init__(model)
        k = model.knobs
        for name in POSTURE:
            setattr(self, name, getattr(k.initial, name))
        self.government = PRESETS.index(model.config.government.preset)
        for name in WEIGHTS:
            self.weights[name][...] = getattr(k.government, name)

    @property
    def weights(self) -> dict[str, Array]:
        """The government's decision parameters per lane (views of the state table)."""
        lanes = self.model.lanes
        return {name: self.model.state[INDEX[f"rok.{name}"], :lanes] for name in WEIGHTS}

    def install_government(self, preset: str, lanes: Array | None = None) -> None:
        """Install a government of a named orientation (in some lanes or all).

        Args:
            preset: one of :data:`sim.scenario.PRESETS`.
            lanes: boolean mask of the lanes that change (None: all).
        """
        where = np.ones(self.model.lanes, dtype=bool) if lanes is None else lanes
        table = getattr(self.model.knobs.structure.governments, preset)
        for name, current in self.weights.items():
            current[...] = np.where(where, getattr(table, name), current)
        self.government = np.where(where, PRESETS.index(preset), self.government)

    def hold_election(self, due: Array) -> None:
        """Elect a president where due: the incumbent camp stays with a probability set by its record.

        The log-odds of the incumbent camp are ``advantage + security_effect*(S - S_ref) +
        economy_effect*(E - E_ref)``, with S and E the incumbent's record: the mean indices since the
        last election (or the start) (A: "how well Seoul can manage domestic expectations"). A
        conservative incumbent loses to a progressive, a progressive or pragmatic one to a
        conservative. Each lane draws from its own noise; the record starts anew where an election
        was held.

        Args:
            due: boolean mask of the lanes that hold an election this month.
        """
        p = self.model.knobs.structure.elections
        months = np.maximum(self.record_months, 1.0)
        security, economy = self.record_security / months, self.record_economy / months
        logit = (
            p.incumbent_advantage
            + p.security_effect * (security - p.security_reference)
            + p.economy_effect * (economy - p.economy_reference)
        )
        draw = self.model.noise_table[self.model.steps - 1, ELECTION]
        keep = ~due | (draw < 1.0 / (1.0 + np.exp(-logit)))
        was_conservative = self.government == CONSERVATIVE
        self.install_government("progressive", ~keep & was_conservative)
        self.install_government("conservative", ~keep & ~was_conservative)
        for name in ("record_security", "record_economy", "record_months"):
            setattr(self, name, np.where(due, 0.0, getattr(self, name)))

    def step(self) -> None:
        """Seoul's month in every lane, one kernel call: perceive, decide, apply.

        Perceived threat decays toward its chronic level and jumps with launches (A: "persistent
        threats from the North"; B: "Each launch is a litmus test"). Each of the nine options (stay,
        a step down or up of one variable; steps are institutional speed limits, security fast,
        trade slow) is valued at its anticipated utility less ``move_cost`` per unit moved, and each
        variable's move is a logit choice with precision ``rationality`` per unit moved, drawn from
        the lane's own noise. The chosen posture is committed and its indices added to the record.
        """
        mdl = self.model
        seoul_month(mdl.knobs.table, mdl.state, mdl.noise_table, mdl.steps - 1, mdl.lanes)
