"""Seoul (ROK) as a Mesa agent: its utilities and its bounded-rational choice of posture.

Posture, all in [0, 1] and of shape (R,): ``us_alignment`` (a), ``china_engagement`` (m),
``japan_cooperation`` (j), ``derisking`` (d). Each month Seoul considers, for each posture variable,
a step down, no move or a step up, and picks one by logit (quantal) choice on its utility
``w_s*S + w_e*E + w_a*A`` with a cost per unit moved (inertia). Security posture (a, j) moves by up to
``mechanics.security_step`` a month; trade structure (m, d) by ``mechanics.trade_step`` (years).

Seed files: ``000`` = ``../shared/seeds/000_deeffeb8dbe8f606.txt``,
``002`` = ``../shared/seeds/002_7a6cbb1f3476ae86.txt``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import mesa
import numpy as np

if TYPE_CHECKING:
    from sim.model import GeoModel

Array = np.ndarray
POSTURE = ("us_alignment", "china_engagement", "japan_cooperation", "derisking")


def _concave(x: Array) -> Array:
    """Diminishing returns on [0, 1]: ``x*(2-x)``, 0 at 0, 1 at 1."""
    return x * (2.0 - x)


@dataclass(frozen=True)
class WorldView:
    """What Seoul observes of the others this month (all arrays of shape (R,))."""

    commitment: Array
    tariff: Array
    retaliation: Array
    restraint: Array
    inducement: Array
    japan: Array
    threat: Array
    us_pressure: Array
    us_china_tension: Array
    china_japan_tension: Array


def umbrella(view: WorldView, a: Array, m: Array, j: Array) -> Array:
    """Deterrence from three channels, combined as independent protections.

    Terms: the US "defense umbrella" (000) worth ``0.85*kappa*a``; China's "real levers of influence
    over Pyongyang" (002) worth ``0.45*restraint*m``; "working defense channels with Tokyo" and
    security "through a network of regional arrangements" (002) worth ``0.4*japan*j``.
    """
    us = 1.0 - 0.85 * view.commitment * a
    cn = 1.0 - 0.45 * view.restraint * m
    jp = 1.0 - 0.4 * view.japan * j
    return 1.0 - us * cn * jp


def security_index(view: WorldView, a: Array, m: Array, j: Array) -> Array:
    """Security index in [0, 1]: deterrence, less unanswered threat, less entrapment.

    Terms: threat "from the North" (000) not covered by deterrence; entrapment, the risk of being
    drawn into a US-China conflict, "participating too fully in U.S.-led initiatives against China"
    (000), ``0.3*a**2*tension`` (convex: the deeper the alignment, the likelier the entanglement), and into China-Japan conflict, "any conflict between the two Asian
    giants would instantly reflect on Korea's economy, security" (002), ``0.2*j*tension``.
    """
    deter = umbrella(view, a, m, j)
    exposed = view.threat * (1.0 - deter)
    # China's own coercive power, which only Washington's and Tokyo's cover answers (balance of threat).
    china_threat = (
        view.retaliation * (1.0 - 0.85 * view.commitment * a) * (1.0 - 0.4 * view.japan * j)
    )
    entrapment = 0.3 * a**2 * view.us_china_tension + 0.2 * j * view.china_japan_tension
    return np.clip(0.3 + 0.7 * deter - 0.7 * exposed - 0.4 * china_threat - entrapment, 0.0, 1.0)


def economic_index(view: WorldView, a: Array, m: Array, j: Array, d: Array) -> Array:
    """Economic index in [0, 1]: China, US and Japan markets, less burden sharing and de-risking cost.

    Terms: China as "top trading partner" and "integrated supply-chain partner" (000), hit by
    retaliation ("possible coercion in sensitive sectors", 000) on the share not de-risked, and
    narrowed by de-risking ("limiting sensitive technology exports", 000); Beijing's "substantial
    economic incentives" (000); US market access under "tariff barriers" (002); Japan "as important as
    China" (002); "demands for greater defense spending" (000) as a convex cost ``0.3*pressure*a**2``; the
    price of "diversifying supply chains, and maintaining alternative partnerships" (000), ``0.1*d**2``;
    retaliation bites only on the share not de-risked, ``1 - 0.8*d``.
    """
    exposure = 1.0 - 0.8 * d
    china = 0.40 * _concave(m) * (1.0 - 0.3 * d)
    coerced = 0.75 * view.retaliation * m * exposure
    incentives = 0.35 * view.inducement * m
    us_market = 0.35 * (1.0 - view.tariff)
    japan = 0.12 * _concave(j) * view.japan
    burden = 0.3 * view.us_pressure * a**2
    derisk_cost = 0.1 * d**2
    total = 0.05 + china + incentives + us_market + japan - coerced - burden - derisk_cost
    return np.clip(total, 0.0, 1.0)


def autonomy(a: Array, m: Array, d: Array) -> Array:
    """Strategic autonomy: balance between the giants and little dependence on either.

    Terms: balance, ``0.5*(a-m)**2`` lost, from "internal pressure for more balanced and pragmatic
    diplomacy" (000); dependence, ``0.3*(a**2 + (m*(1-d))**2)`` lost (security dependence on
    Washington, un-de-risked economic dependence on Beijing), from "Korea seeks resilience in
    diversification" and "Seoul expands its room for maneuver" (002).
    """
    dependence = a**2 + (m * (1.0 - d)) ** 2
    return 1.0 - 0.5 * (a - m) ** 2 - 0.3 * dependence


class ROK(mesa.Agent):
    """Seoul: chooses small posture moves that raise its utility, with bounded rationality."""

    def __init__(self, model: GeoModel) -> None:
        """Create Seoul at the scenario's initial posture.

        Args:
            model: the lane model.
        """
        super().__init__(model)
        init = model.knobs.initial
        self.us_alignment: Array = init.us_alignment.copy()
        self.china_engagement: Array = init.china_engagement.copy()
        self.japan_cooperation: Array = init.japan_cooperation.copy()
        self.derisking: Array = init.derisking.copy()
        self.threat: Array = 0.5 * model.knobs.levels.nk_provocation
        self.security: Array = np.zeros(model.lanes)
        self.economy: Array = np.zeros(model.lanes)

    def view(self) -> WorldView:
        """Snapshot of what Seoul observes this month."""
        mdl = self.model
        k = mdl.knobs
        return WorldView(
            commitment=mdl.usa.commitment,
            tariff=mdl.usa.tariff,
            retaliation=mdl.china.retaliation,
            restraint=mdl.china.restraint,
            inducement=mdl.china.inducement(),
            japan=mdl.japan.cooperation,
            threat=self.threat,
            us_pressure=k.levels.us_pressure,
            us_china_tension=k.world.us_china_tension,
            china_japan_tension=k.world.china_japan_tension,
        )

    def perceive(self) -> None:
        """Update perceived threat: decays, jumps with launches (more with Russian support).

        Source: "persistent threats from the North" (000); "Each launch is a litmus test" (002).
        """
        mech = self.model.knobs.mechanics
        n = self.model.knobs.levels.nk_provocation
        launch = self.model.dprk.launch
        boost = mech.launch_shock * (1.0 + 0.5 * self.model.russia.support)
        chronic = (1.0 - mech.threat_decay) * 0.5 * n
        jump = boost * launch * (1.0 - self.threat)
        self.threat = np.clip(mech.threat_decay * self.threat + chronic + jump, 0.0, 1.0)

    def utility(self, view: WorldView, a: Array, m: Array, j: Array, d: Array) -> Array:
        """Seoul's utility: its government's weights on security, economy and autonomy."""
        g = self.model.knobs.government
        return (
            g.security_weight * security_index(view, a, m, j)
            + g.economy_weight * economic_index(view, a, m, j, d)
            + g.autonomy_weight * autonomy(a, m, d)
        )

    def decide(self) -> None:
        """Logit choice of a step down, stay or up for each posture variable (others held).

        The choice weighs each option's utility change per unit of posture moved, ``dU/step``, with
        precision ``government.rationality``: steps are institutional speed limits (security fast,
        trade slow), so a slow variable is not chosen more randomly for moving less. Any move costs
        ``government.move_cost`` per unit moved (inertia). Each lane draws from its own noise.
        """
        mdl = self.model
        g = mdl.knobs.government
        mech = mdl.knobs.mechanics
        view = self.view()
        current = [getattr(self, name) for name in POSTURE]
        steps = [mech.security_step, mech.trade_step, mech.security_step, mech.trade_step]
        base = self.utility(view, *current)
        self._next: list[Array] = []
        for i, name in enumerate(POSTURE):
            down = np.clip(current[i] - steps[i], 0.0, 1.0)
            up = np.clip(current[i] + steps[i], 0.0, 1.0)
            args_down = [*current[:i], down, *current[i + 1 :]]
            args_up = [*current[:i], up, *current[i + 1 :]]
            u_down = self.utility(view, *args_down) - g.move_cost * (current[i] - down)
            u_up = self.utility(view, *args_up) - g.move_cost * (up - current[i])
            # Probabilities relative to the best option, for numerical safety.
            top = np.maximum(np.maximum(u_down, base), u_up)
            beta = g.rationality / steps[i]
            w_down = np.exp(beta * (u_down - top))
            w_stay = np.exp(beta * (base - top))
            w_up = np.exp(beta * (u_up - top))
            total = w_down + w_stay + w_up
            draw = mdl.noise(name) * total
            self._next.append(
                np.where(draw < w_down, down, np.where(draw < w_down + w_stay, current[i], up))
            )

    def apply(self) -> None:
        """Commit the chosen posture and compute this month's indices."""
        for name, value in zip(POSTURE, self._next, strict=True):
            setattr(self, name, value)
        view = self.view()
        a, m, j, d = (getattr(self, name) for name in POSTURE)
        self.security = security_index(view, a, m, j)
        self.economy = economic_index(view, a, m, j, d)
