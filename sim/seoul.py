"""Seoul (ROK) as a Mesa agent: its utilities and its strategic, bounded-rational choice of posture.

Posture, all in [0, 1] and of shape (R,): ``us_alignment`` (a), ``china_engagement`` (m),
``japan_cooperation`` (j), ``derisking`` (d). Each month Seoul considers, for each posture variable,
a step down, no move or a step up. It values each option by its utility ``w_s*S + w_e*E + w_a*A`` at
the state it *anticipates* ``structure.seoul.horizon`` months ahead: how Washington (commitment,
tariffs, tech controls), Beijing (retaliation, restraint of the North, inducements) and Tokyo
(cooperation) would respond to the new posture, each moving toward its target at its own rate
(A: "grounded in cost-benefit calculations", "maximizing benefit while minimizing exposure"). A horizon
of 0 is a myopic Seoul that takes the others' state as given. It then picks by logit (quantal) choice,
with a cost per unit moved (inertia). All nine options (stay, and a step down or up of each variable)
are valued at once, as arrays of shape (9, R).

All coefficients are fields of ``structure.seoul`` and ``structure.governments`` (:mod:`sim.structure`).
Source articles: A = the 2025 commentary on Seoul's "pragmatic foreign policy"; B = "South Korea
Strategic Autonomy Redraws Its Diplomatic Map Beyond Alliance Discipline" (January 2026).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.agents import Posture
from sim.scenario import PRESETS

if TYPE_CHECKING:
    from sim.model import GeoModel

Array = np.ndarray
POSTURE = ("us_alignment", "china_engagement", "japan_cooperation", "derisking")
WEIGHTS = ("security_weight", "economy_weight", "autonomy_weight", "rationality", "move_cost")
"""A government's decision parameters (``structure.governments.<preset>``)."""
CONSERVATIVE, PROGRESSIVE, PRAGMATIC = (
    PRESETS.index(n) for n in ("conservative", "progressive", "pragmatic")
)


def _concave(x: Array) -> Array:
    """Diminishing returns on [0, 1]: ``x*(2-x)``, 0 at 0, 1 at 1."""
    return x * (2.0 - x)


@dataclass(frozen=True)
class Outlook:
    """The others' state as Seoul sees (or anticipates) it; arrays of shape (R,) or (K, R)."""

    commitment: Array
    tariff: Array
    tech_controls: Array
    retaliation: Array
    restraint: Array
    inducement: Array
    japan: Array


def security_index(model: GeoModel, pos: Posture, out: Outlook, threat: Array) -> Array:
    """Security index: deterrence, less unanswered threats, less entrapment (reported clipped to [0, 1]).

    Seoul's utility uses the unclipped value, so that a loss still counts when the index is at a bound.

    Deterrence combines three channels as independent protections: the US "defense umbrella" (A),
    ``us_umbrella*κ*a``; China's "real levers of influence over Pyongyang" (B), ``china_levers*ρ*m``;
    "working defense channels with Tokyo" (B), ``japan_channels*(1 + network*φ)*q*j``, worth more
    when China-Japan tension is high (security "through a network, not a command", B). Threat from
    the North not covered by deterrence, China's coercion not answered by US and Japanese cover
    (balance of threat), and entrapment (A: "participating too fully in U.S.-led initiatives against
    China"; B: "Any conflict between the two Asian giants would instantly reflect on Korea's ...
    security") lower it.
    """
    k = model.knobs
    p = k.structure.seoul
    phi = k.world.china_japan_tension
    us = p.us_umbrella * out.commitment * pos.a
    cn = p.china_levers * out.restraint * pos.m
    jp = np.minimum(
        p.japan_channels * (1.0 + p.japan_network_tension * phi) * out.japan * pos.j, 1.0
    )
    deterrence = 1.0 - (1.0 - us) * (1.0 - cn) * (1.0 - jp)
    assertive = p.china_assertiveness * k.levels.china_coercion
    china_threat = (out.retaliation + assertive) * (1.0 - us) * (1.0 - jp)
    entrapment = (
        p.entrapment_us * pos.a**2 * k.world.us_china_tension + p.entrapment_japan * pos.j * phi
    )
    return (
        p.security_base
        + p.security_deterrence * deterrence
        - p.security_exposure * threat * (1.0 - deterrence)
        - p.security_china * china_threat
        - entrapment
    )


def economic_index(model: GeoModel, pos: Posture, out: Outlook) -> Array:
    """Economic index: the China, US and Japan ties, less coercion and costs (reported clipped to [0, 1]).

    Seoul's utility uses the unclipped value, so that a loss still counts when the index is at a bound.

    China as "top trading partner" and "integrated supply-chain partner" (A), with diminishing
    returns and a share given up by de-risking; Beijing's "substantial economic incentives" (A);
    retaliation on the engaged *consumer* share (the 2017 campaign hit tourism and retail, while chip
    exports grew) and US tech controls on the engaged *sensitive* share (B: "critical mineral
    regulations", "secondary sanctions"), both shielded by de-risking ("limiting sensitive technology
    exports, diversifying supply chains", A); US market access under "tariff barriers" (B); Japan "as
    important as China" (B), lost to Japanese export controls; "demands for greater defense spending"
    (A) as a convex cost of alignment under pressure; the convex cost of de-risking.
    """
    k = model.knobs
    p = k.structure.seoul
    shield = 1.0 - p.derisk_shield * pos.d
    china = p.china_market * _concave(pos.m) * (1.0 - p.derisk_loss * pos.d)
    retaliation = p.retaliation_bite * out.retaliation * p.consumer_share * pos.m * shield
    tech = p.tech_control_bite * out.tech_controls * (1.0 - p.consumer_share) * pos.m * shield
    risk = p.coercion_risk * k.levels.china_coercion * pos.m * shield
    incentives = p.inducement_value * out.inducement
    us = p.us_market * (1.0 - out.tariff)
    japan_open = 1.0 - p.export_control_bite * model.japan.export_controls
    japan = p.japan_market * _concave(pos.j) * out.japan * japan_open
    burden = p.burden_cost * k.levels.us_pressure * pos.a**2
    derisk = p.derisk_cost * pos.d**2
    return (
        p.economy_base
        + china
        + incentives
        + us
        + japan
        - retaliation
        - tech
        - risk
        - burden
        - derisk
    )


def autonomy(model: GeoModel, pos: Posture) -> Array:
    """Strategic autonomy and domestic standing: balance, little dependence, history with Japan.

    Balance, ``(a - m)**2`` lost, from "internal pressure for more balanced and pragmatic diplomacy"
    (A); dependence, ``a**2 + (m*(1-d))**2`` lost, from "Korea seeks resilience in diversification" and
    "Seoul expands its room for maneuver" (B); the domestic cost of cooperating with Japan while the
    historical grievance is alive, ``japan_politics*grievance*j**2``.
    """
    k = model.knobs
    p = k.structure.seoul
    dependence = pos.a**2 + (pos.m * (1.0 - pos.d)) ** 2
    history = p.japan_politics * k.world.japan_grievance * pos.j**2
    return 1.0 - p.balance_loss * (pos.a - pos.m) ** 2 - p.dependence_loss * dependence - history


class ROK(mesa.Agent):
    """Seoul: chooses small posture moves that raise its anticipated utility, with bounded rationality.

    Its government (a preset per lane, :data:`sim.scenario.PRESETS` order) sets the utility weights
    and decision style; it changes with ``government_change`` events and, if enabled, elections.
    """

    def __init__(self, model: GeoModel) -> None:
        """Create Seoul at the scenario's initial posture and government.

        Args:
            model: the lane model.
        """
        super().__init__(model)
        k = model.knobs
        init = k.initial
        self.us_alignment: Array = init.us_alignment.copy()
        self.china_engagement: Array = init.china_engagement.copy()
        self.japan_cooperation: Array = init.japan_cooperation.copy()
        self.derisking: Array = init.derisking.copy()
        self.threat: Array = np.zeros(model.lanes)
        self.security: Array = np.zeros(model.lanes)
        self.economy: Array = np.zeros(model.lanes)
        preset = PRESETS.index(model.config.government.preset)
        self.government: Array = np.full(model.lanes, preset, dtype=np.int64)
        self.weights: dict[str, Array] = {
            name: getattr(k.government, name).copy() for name in WEIGHTS
        }
        self._record_sum: Array = np.zeros((2, model.lanes))  # security, economy since the election
        self._record_months: Array = np.zeros(model.lanes)
        self._moves = self._move_table()
        self._ahead = self._anticipation()

    def posture(self) -> Posture:
        """Seoul's current posture."""
        return Posture(
            self.us_alignment, self.china_engagement, self.japan_cooperation, self.derisking
        )

    def install_government(self, preset: str, lanes: Array | None = None) -> None:
        """Install a government of a named orientation (in some lanes or all).

        Args:
            preset: one of :data:`sim.scenario.PRESETS`.
            lanes: boolean mask of the lanes that change (None: all).
        """
        where = np.ones(self.model.lanes, dtype=bool) if lanes is None else lanes
        table = getattr(self.model.knobs.structure.governments, preset)
        for name in WEIGHTS:
            self.weights[name] = np.where(where, getattr(table, name), self.weights[name])
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
        months = np.maximum(self._record_months, 1.0)
        security, economy = self._record_sum / months
        logit = (
            p.incumbent_advantage
            + p.security_effect * (security - p.security_reference)
            + p.economy_effect * (economy - p.economy_reference)
        )
        keep = ~due | (self.model.noise("election") < 1.0 / (1.0 + np.exp(-logit)))
        was_conservative = self.government == CONSERVATIVE
        self.install_government("progressive", ~keep & was_conservative)
        self.install_government("conservative", ~keep & ~was_conservative)
        self._record_sum = np.where(due, 0.0, self._record_sum)
        self._record_months = np.where(due, 0.0, self._record_months)

    def perceive(self) -> None:
        """Update perceived threat: decays toward its chronic level, jumps with launches.

        Source: A, "persistent threats from the North"; B, "Each launch is a litmus test". Russian
        support makes each launch more threatening.
        """
        mdl = self.model
        self.threat = self.next_threat(mdl.dprk.launch)

    def next_threat(self, launch: Array) -> Array:
        """Threat after a month with ``launch`` (0/1, or a launch probability in the spin-up).

        Args:
            launch: this month's launch, per lane.
        """
        k = self.model.knobs
        p = k.structure.seoul
        boost = p.launch_shock * (1.0 + p.russia_amplifier * self.model.russia.support)
        chronic = (1.0 - p.threat_decay) * p.chronic_threat * k.levels.nk_provocation
        jump = boost * launch * (1.0 - self.threat)
        return np.clip(p.threat_decay * self.threat + chronic + jump, 0.0, 1.0)

    def outlook(self) -> Outlook:
        """The others' current state."""
        mdl = self.model
        return Outlook(
            commitment=mdl.usa.commitment,
            tariff=mdl.usa.tariff,
            tech_controls=mdl.usa.tech_controls,
            retaliation=mdl.china.retaliation,
            restraint=mdl.china.restraint,
            inducement=mdl.china.inducement(self.posture(), mdl.china.retaliation),
            japan=mdl.japan.cooperation,
        )

    def anticipate(self, pos: Posture) -> Outlook:
        """The others' state ``horizon`` months ahead if Seoul held posture ``pos``.

        Each actor closes a share ``1 - (1 - rate)**horizon`` of the gap to its target against
        ``pos``; at horizon 0 this is the current state.

        Args:
            pos: candidate postures, arrays of shape (K, R).
        """
        mdl = self.model
        usa, china, japan = mdl.usa, mdl.china, mdl.japan
        share = self._ahead

        def ahead(name: str, x: Array, target: Array) -> Array:
            return x + share[name] * (target - x)

        kappa, tau, chi = usa.targets(pos)
        commitment = ahead("commitment", usa.commitment, kappa)
        grievance = china.grievance(pos)
        r, rho = china.targets(pos, grievance)
        retaliation = ahead("retaliation", china.retaliation, r)
        q = japan.target(pos, commitment)
        return Outlook(
            commitment=commitment,
            tariff=ahead("tariff", usa.tariff, tau),
            tech_controls=ahead("tech_controls", usa.tech_controls, chi),
            retaliation=retaliation,
            restraint=ahead("restraint", china.restraint, rho),
            inducement=china.inducement(pos, retaliation, grievance),
            japan=ahead("japan", japan.cooperation, q),
        )

    def utility(self, pos: Posture, out: Outlook) -> Array:
        """Seoul's utility: its government's weights on security, economy and autonomy."""
        w = self.weights
        return (
            w["security_weight"] * security_index(self.model, pos, out, self.threat)
            + w["economy_weight"] * economic_index(self.model, pos, out)
            + w["autonomy_weight"] * autonomy(self.model, pos)
        )

    def candidates(self) -> tuple[Posture, Array]:
        """The nine options: stay, then a step down and up of each posture variable.

        Returns:
            the candidate postures, arrays of shape (9, R), and the size of each move, shape (9, R).
        """
        current = np.stack([getattr(self, name) for name in POSTURE])
        options = np.clip(current[:, None, :] + self._moves, 0.0, 1.0)  # (4 variables, 9, R)
        moved = np.abs(options - current[:, None, :]).sum(axis=0)
        return Posture(*options), moved

    def _move_table(self) -> Array:
        """Each option's step of each posture variable, shape (4, 9, R).

        Row 0 stays; rows 2i+1 and 2i+2 move variable i down and up by its step (security fast,
        trade slow).
        """
        p = self.model.knobs.structure.seoul
        steps = (p.security_step, p.trade_step, p.security_step, p.trade_step)
        table = np.zeros((len(POSTURE), 1 + 2 * len(POSTURE), self.model.lanes))
        for i, step in enumerate(steps):
            table[i, 1 + 2 * i] = -step
            table[i, 2 + 2 * i] = step
        return table

    def _anticipation(self) -> dict[str, Array]:
        """Share of the gap to its target each actor closes over the horizon, per lane."""
        st = self.model.knobs.structure
        h = st.seoul.horizon
        rates = {
            "commitment": st.usa.commitment_rate,
            "tariff": st.usa.tariff_rate,
            "tech_controls": st.usa.tech_rate,
            "retaliation": st.china.retaliation_rate,
            "restraint": st.china.restraint_rate,
            "japan": st.japan.cooperation_rate,
        }
        return {name: 1.0 - (1.0 - rate) ** h for name, rate in rates.items()}

    def decide(self) -> None:
        """Logit choice of a step down, stay or up for each posture variable (others held).

        The choice weighs each option's anticipated utility change per unit of posture moved, with
        precision ``rationality``: steps are institutional speed limits (security fast, trade slow),
        so a slow variable is not chosen more randomly for moving less. Any move costs ``move_cost``
        per unit moved (inertia). Each lane draws from its own noise.
        """
        mdl = self.model
        p = mdl.knobs.structure.seoul
        w = self.weights
        options, moved = self.candidates()
        values = self.utility(options, self.anticipate(options)) - w["move_cost"] * moved
        steps = (p.security_step, p.trade_step, p.security_step, p.trade_step)
        self._next: list[Array] = []
        stay = values[0]
        for i, name in enumerate(POSTURE):
            down, up = values[1 + 2 * i], values[2 + 2 * i]
            # Probabilities relative to the best option, for numerical safety.
            top = np.maximum(np.maximum(down, stay), up)
            beta = w["rationality"] / steps[i]
            w_down = np.exp(beta * (down - top))
            w_stay = np.exp(beta * (stay - top))
            w_up = np.exp(beta * (up - top))
            draw = mdl.noise(name) * (w_down + w_stay + w_up)
            choice = np.where(
                draw < w_down, 1 + 2 * i, np.where(draw < w_down + w_stay, 0, 2 + 2 * i)
            )
            self._next.append(np.take_along_axis(options[i], choice[None, :], axis=0)[0])

    def apply(self) -> None:
        """Commit the chosen posture, compute this month's indices and add them to the record."""
        for name, value in zip(POSTURE, self._next, strict=True):
            setattr(self, name, value)
        self.update_indices()
        self._record_sum = self._record_sum + np.stack([self.security, self.economy])
        self._record_months = self._record_months + 1.0

    def update_indices(self) -> None:
        """Security and economic indices at the current posture and state."""
        pos, out = self.posture(), self.outlook()
        self.security = np.clip(security_index(self.model, pos, out, self.threat), 0.0, 1.0)
        self.economy = np.clip(economic_index(self.model, pos, out), 0.0, 1.0)
