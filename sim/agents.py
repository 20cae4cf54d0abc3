"""The five states around Seoul as Mesa agents: USA, China, DPRK, Japan, Russia.

Every agent holds its state as numpy arrays of shape (R,), one entry per lane, and acts in two stages:
``decide`` reads only the previous month's state and stores a pending value; ``apply`` commits it.
Each state moves a fraction of the way toward a *target* per month (inertia); each target is the
maximiser of the agent's own security + economic utility, written as a function of Seoul's posture
``Posture(a, m, j, d)`` so that Seoul can anticipate it (:mod:`sim.seoul`). The arrays in a posture
may carry a leading candidate axis, shape (K, R): every target broadcasts.

All coefficients are fields of ``structure.<actor>`` (:mod:`sim.structure`), where each has its
source. Source articles: A = the 2025 commentary on Seoul's "pragmatic foreign policy"; B = "South
Korea Strategic Autonomy Redraws Its Diplomatic Map Beyond Alliance Discipline" (January 2026).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import mesa
import numpy as np

if TYPE_CHECKING:
    from sim.model import GeoModel

Array = np.ndarray


class Posture(NamedTuple):
    """Seoul's posture: a = us_alignment, m = china_engagement, j = japan_cooperation, d = derisking."""

    a: Array
    m: Array
    j: Array
    d: Array


def toward(x: Array, target: Array, rate: Array) -> Array:
    """Move ``x`` a fraction ``rate`` of the way to ``target``, kept in [0, 1].

    Args:
        x: the current state.
        target: where it is heading.
        rate: fraction of the gap closed per month.
    """
    return np.clip(x + rate * (target - x), 0.0, 1.0)


class USA(mesa.Agent):
    """Washington: a demand for alignment, with carrots and sticks.

    State: ``commitment`` (κ, credibility of the umbrella), ``tariff`` (τ, market-access barrier),
    ``tech_controls`` (χ, controls and secondary sanctions on Seoul's sensitive trade with China).
    Meeting the demand keeps the commitment and the lowest tariffs and controls; a shortfall earns
    strain, tariffs and controls — in proportion to the pressure and, for the commitment and the
    controls, to US-China tension, so with neither pressure nor tension Washington conditions nothing
    (A: "demands for greater defense spending, shifting strategic priorities, and trade tensions").
    """

    def __init__(self, model: GeoModel) -> None:
        """Create the agent (its state is set by the model's spin-up).

        Args:
            model: the lane model.
        """
        super().__init__(model)
        zeros = np.zeros(model.lanes)
        self.commitment: Array = zeros.copy()
        self.tariff: Array = zeros.copy()
        self.tech_controls: Array = zeros.copy()

    def demand(self) -> Array:
        """Alignment Washington asks for: rises with pressure and with US-China tension.

        Source: A, "If tensions between the U.S. and China intensify further ... Seoul may be forced
        to choose".
        """
        k = self.model.knobs
        p = k.structure.usa
        return np.clip(
            p.demand_base
            + p.demand_pressure * k.levels.us_pressure
            + p.demand_tension * k.world.us_china_tension,
            0.0,
            1.0,
        )

    def targets(self, pos: Posture) -> tuple[Array, Array, Array]:
        """Commitment, tariff and tech controls Washington would set against posture ``pos``.

        Commitment maximises ``B*κ - κ**2/2`` with ``B = base - (u + t*tension)*(condition*shortfall +
        strain*max(0, m - a))``: meeting the demand keeps the commitment, a shortfall or a drift toward
        Beijing strains the alliance (A: "while the U.S. alliance shows signs of strain"), the more so
        as Washington presses and as its rivalry with Beijing sharpens. Tariffs:
        ``base + u*(pressure + shortfall_rate*shortfall)``. Tech controls on sensitive trade scale with
        US-China tension, and more with a shortfall (B: "secondary sanctions", "condition market entry
        on compliance").

        Args:
            pos: Seoul's (candidate) posture.

        Returns:
            the three targets, each broadcast to the posture's shape.
        """
        k = self.model.knobs
        p = k.structure.usa
        u = k.levels.us_pressure
        demand = self.demand()
        shortfall = np.maximum(0.0, demand - pos.a)
        drift = np.maximum(0.0, pos.m - pos.a)
        conditioned = u + p.condition_tension * k.world.us_china_tension
        strain = conditioned * (p.commitment_condition * shortfall + p.drift_strain * drift)
        commitment = np.clip(p.commitment_base - strain, 0.0, 1.0)
        tariff = np.clip(
            p.tariff_base + u * (p.tariff_pressure + p.tariff_shortfall * shortfall), 0, 1
        )
        tension = k.world.us_china_tension
        tech = np.clip(tension * (p.tech_base + p.tech_shortfall * u * shortfall), 0.0, 1.0)
        return commitment, tariff, tech

    def decide(self) -> None:
        """Compute the pending state from last month's posture."""
        p = self.model.knobs.structure.usa
        kappa, tau, chi = self.targets(self.model.rok.posture())
        self._next = (
            toward(self.commitment, kappa, p.commitment_rate),
            toward(self.tariff, tau, p.tariff_rate),
            toward(self.tech_controls, chi, p.tech_rate),
        )

    def apply(self) -> None:
        """Commit the pending state."""
        self.commitment, self.tariff, self.tech_controls = self._next


class China(mesa.Agent):
    """Beijing: coerces alignment with Washington, rewards engagement, restrains the North.

    State: ``retaliation`` (r, economic coercion, which falls on consumer sectors), ``restraint``
    (ρ, over Pyongyang), ``bonus`` (one-off inducement packages, fading) and ``campaign`` (the floor a
    retaliation campaign puts under retaliation until it fades or a summit eases it).
    """

    def __init__(self, model: GeoModel) -> None:
        """Create the agent (its state is set by the model's spin-up).

        Args:
            model: the lane model.
        """
        super().__init__(model)
        zeros = np.zeros(model.lanes)
        self.retaliation: Array = zeros.copy()
        self.restraint: Array = zeros.copy()
        self.bonus: Array = zeros.copy()
        self.campaign: Array = zeros.copy()

    def grievance(self, pos: Posture) -> Array:
        """Alignment with Washington beyond what Beijing tolerates, and ROK-Japan ties under tension.

        Scaled up by US-China tension (A: "the desire to avoid antagonizing Beijing on issues like
        Taiwan"); eased by accommodation (lower alignment: the 2017 "three noes").
        """
        k = self.model.knobs
        p = k.structure.china
        over = np.maximum(0.0, pos.a - p.tolerated_alignment)
        japan = p.grievance_japan * k.world.china_japan_tension * pos.j
        return (over + japan) * (1.0 + p.grievance_tension * k.world.us_china_tension)

    def need(self, pos: Posture) -> Array:
        """China's need for Korea's sensitive exports, which makes coercion costly to China.

        Source: A, "China still needs advanced Korean exports for its own tech and consumer markets".
        """
        p = self.model.knobs.structure
        sensitive = (1.0 - p.seoul.consumer_share) * pos.m * (1.0 - pos.d)
        return p.china.need_weight * sensitive

    def targets(self, pos: Posture, grievance: Array | None = None) -> tuple[Array, Array]:
        """Retaliation and restraint Beijing would set against posture ``pos``.

        Retaliation maximises ``c*(floor + g*grievance)*x - x**2/(2*(1 - need))``, so
        ``x* = c*(floor + g*grievance)*(1 - need)``, but not below a running campaign's floor.
        Restraint of the North rises with Seoul's
        engagement, falls with Beijing's grievance and with the retaliation it would set (B: "China is an external actor
        possessing real levers of influence over Pyongyang").

        Args:
            pos: Seoul's (candidate) posture.
            grievance: ``self.grievance(pos)`` if already computed.

        Returns:
            the two targets.
        """
        k = self.model.knobs
        p = k.structure.china
        if grievance is None:
            grievance = self.grievance(pos)
        pull = p.coercion_floor + p.coercion_grievance * grievance
        coercion = k.levels.china_coercion * pull * (1.0 - self.need(pos))
        retaliation = np.clip(np.maximum(coercion, self.campaign), 0.0, 1.0)
        relations = np.clip(
            p.restraint_base + p.restraint_relations * pos.m - p.restraint_grievance * grievance,
            0,
            1,
        )
        restraint = relations * (1.0 - p.restraint_retaliation * retaliation)
        return retaliation, restraint

    def inducement(self, pos: Posture, retaliation: Array, grievance: Array | None = None) -> Array:
        """Market access offered: rising with engagement, withdrawn for alignment and while retaliating.

        Source: A, "if China continues to offer substantial economic incentives"; "Economic ties with
        China come with strings: pressure to conform politically".

        Args:
            pos: Seoul's (candidate) posture.
            retaliation: China's (anticipated) retaliation.
            grievance: ``self.grievance(pos)`` if already computed.
        """
        k = self.model.knobs
        p = k.structure.china
        if grievance is None:
            grievance = self.grievance(pos)
        offer = np.clip(k.world.china_inducement + self.bonus, 0.0, 1.0)
        share = p.inducement_base + p.inducement_engagement * pos.m
        strings = np.clip(1.0 - p.inducement_alignment * grievance, 0.0, 1.0)
        return offer * share * strings * (1.0 - p.inducement_cut * retaliation)

    def decide(self) -> None:
        """Compute the pending state from last month's posture."""
        p = self.model.knobs.structure.china
        r, rho = self.targets(self.model.rok.posture())
        self._next = (
            toward(self.retaliation, r, p.retaliation_rate),
            toward(self.restraint, rho, p.restraint_rate),
        )

    def apply(self) -> None:
        """Commit the pending state; inducement packages fade."""
        self.retaliation, self.restraint = self._next
        p = self.model.knobs.structure.china
        self.bonus = self.bonus * p.bonus_persistence
        self.campaign = self.campaign * p.campaign_persistence


class DPRK(mesa.Agent):
    """Pyongyang: provokes at a scenario base rate, raised by US-ROK alignment and Russian support.

    State: ``launch`` (this month's launch event, 0/1), ``launches`` (count so far), ``detente``
    (share of the hazard suspended after an inter-Korean summit, fading).
    """

    def __init__(self, model: GeoModel) -> None:
        """Create the agent.

        Args:
            model: the lane model.
        """
        super().__init__(model)
        self.launch: Array = np.zeros(model.lanes)
        self.launches: Array = np.zeros(model.lanes, dtype=np.int64)
        self.detente: Array = np.zeros(model.lanes)

    def rate(self) -> Array:
        """Monthly launch hazard: attention and leverage sought against alignment, less restraint.

        Sources: B, "Regular tests by the DPRK, including ballistic missile launches in early January
        2026"; "China ... levers of influence over Pyongyang"; Russia raises capability.
        """
        mdl = self.model
        k = mdl.knobs
        p = k.structure.dprk
        return (
            p.launch_rate
            * k.levels.nk_provocation
            * (p.hazard_base + p.hazard_alignment * mdl.rok.us_alignment)
            * (1.0 + p.hazard_russia * mdl.russia.support)
            * (1.0 - p.hazard_restraint * mdl.china.restraint)
            * (1.0 - self.detente)
        )

    def launch_probability(self) -> Array:
        """Probability of at least one launch this month, ``1 - exp(-hazard)``."""
        return -np.expm1(-self.rate())

    def decide(self) -> None:
        """Draw this month's launch from each lane's own noise."""
        self._next_launch = (self.model.noise("launch") < self.launch_probability()).astype(
            np.float64
        )

    def apply(self) -> None:
        """Commit the launch and count it; détente fades."""
        self.launch = self._next_launch
        self.launches = self.launches + self.launch.astype(np.int64)
        self.detente = self.detente * self.model.knobs.structure.dprk.detente_persistence


class Japan(mesa.Agent):
    """Tokyo: cooperates with Seoul as far as its own security and economic utility makes it pay.

    State: ``cooperation`` (q, Japan's side of the ROK-Japan tie), ``export_controls`` (x, set by
    events such as the 2019 controls, fading) and ``goodwill`` (built by summits, fading slowly).
    """

    def __init__(self, model: GeoModel) -> None:
        """Create the agent (its state is set by the model's spin-up).

        Args:
            model: the lane model.
        """
        super().__init__(model)
        self.cooperation: Array = np.zeros(model.lanes)
        self.export_controls: Array = np.zeros(model.lanes)
        self.goodwill: Array = np.zeros(model.lanes)

    def target(self, pos: Posture, commitment: Array) -> Array:
        """Cooperation that maximises Japan's ``V*q - cost*q**2/2``, so ``q* = V / cost``.

        The value V of the tie to Japan: security against the North's threat and against China
        (B: security "through a network, not a command"), trilateral coordination when Washington
        reassures both allies (Camp David, 2023), trade with Korea, reciprocity of Seoul's own
        cooperation and the goodwill summits leave — less historical grievance and Japan's own export
        controls (the 2019 clash).

        Args:
            pos: Seoul's (candidate) posture.
            commitment: US commitment (anticipated).
        """
        mdl = self.model
        k = mdl.knobs
        p = k.structure.japan
        value = (
            p.value_threat * mdl.rok.threat
            + p.value_china_tension * k.world.china_japan_tension
            + p.value_alliance * commitment
            + p.value_trade
            + p.reciprocity * pos.j
            + p.goodwill_value * self.goodwill
            - p.grievance_cost * k.world.japan_grievance
            - p.control_cost * self.export_controls
        )
        return np.clip(value / p.cooperation_cost, 0.0, 1.0)

    def decide(self) -> None:
        """Pending cooperation from last month's posture."""
        p = self.model.knobs.structure.japan
        target = self.target(self.model.rok.posture(), self.model.usa.commitment)
        self._next = toward(self.cooperation, target, p.cooperation_rate)

    def apply(self) -> None:
        """Commit the pending state; export controls fade."""
        self.cooperation = self._next
        p = self.model.knobs.structure.japan
        self.export_controls = self.export_controls * p.control_persistence
        self.goodwill = self.goodwill * p.goodwill_persistence


class Russia(mesa.Agent):
    """Moscow: a minor actor that raises the North's capability.

    State: ``support`` to the DPRK. Source: A, "strike a balance among major powers, including China
    and Russia".
    """

    def __init__(self, model: GeoModel) -> None:
        """Create the agent.

        Args:
            model: the lane model.
        """
        super().__init__(model)
        self.support: Array = np.zeros(model.lanes)

    def target(self) -> Array:
        """Support rises with great-power rivalry."""
        k = self.model.knobs
        p = k.structure.russia
        return k.world.russia_support * (
            p.support_base + p.support_tension * k.world.us_china_tension
        )

    def decide(self) -> None:
        """Pending support."""
        self._next = self.target()

    def apply(self) -> None:
        """Commit the pending state."""
        self.support = self._next
