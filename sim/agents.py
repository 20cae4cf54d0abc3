"""The five states around Seoul as Mesa agents: USA, China, DPRK, Japan, Russia.

Every agent holds its state as numpy arrays of shape (R,), one entry per lane: each variable is a
row of the model's state table (:class:`sim.kernel.layout.Lanes`), which the kernels read and
write. The equations live once, as per-lane numba functions in :mod:`sim.kernel.powers`; the month
of all five (each decides from last month's state, then all apply) is one kernel call,
:func:`others_month`. Each state moves a fraction of the way toward a *target* per month (inertia);
each target is the maximiser of the agent's own security + economic utility, written as a function
of Seoul's posture ``(a, m, j, d)`` so that Seoul can anticipate it (:mod:`sim.seoul`).

All coefficients are fields of ``structure.<actor>`` (:mod:`sim.structure`), where each has its
source. Source articles: A = the 2025 commentary on Seoul's "pragmatic foreign policy"; B = "South
Korea Strategic Autonomy Redraws Its Diplomatic Map Beyond Alliance Discipline" (January 2026).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import mesa

from sim.kernel.lanes import others_month as _others_month_kernel
from sim.kernel.layout import Lanes

if TYPE_CHECKING:
    from sim.model import GeoModel


class Power(mesa.Agent):
    """An agent whose state variables are columns ``<STATE>.<name>`` of the model's state table."""

    STATE: ClassVar[str]

    def __init__(self, model: GeoModel) -> None:
        """Create the agent (its state is set by the model's spin-up).

        Args:
            model: the lane model.
        """
        super().__init__(model)


class USA(Power):
    """Washington: a demand for alignment, with carrots and sticks.

    State: ``commitment`` (κ, credibility of the umbrella), ``tariff`` (τ, market-access barrier),
    ``tech_controls`` (χ, controls and secondary sanctions on Seoul's sensitive trade with China).
    The demand rises with pressure and US-China tension (A: "Seoul may be forced to choose").
    Commitment maximises ``B*κ - κ**2/2`` with ``B = base - (u + t*tension)*(condition*shortfall +
    strain*max(0, m - a))``: a shortfall or a drift toward Beijing strains the alliance (A: "while
    the U.S. alliance shows signs of strain"); tariffs are ``base + u*(pressure +
    shortfall_rate*shortfall)``; tech controls scale with tension, more with a shortfall (B:
    "secondary sanctions"). With neither pressure nor tension Washington conditions nothing.
    """

    STATE = "usa"
    commitment = Lanes()
    tariff = Lanes()
    tech_controls = Lanes()


class China(Power):
    """Beijing: coerces alignment with Washington, rewards engagement, restrains the North.

    State: ``retaliation`` (r, economic coercion, which falls on consumer sectors), ``restraint``
    (ρ, over Pyongyang), ``bonus`` (one-off inducement packages, fading) and ``campaign`` (the floor a
    retaliation campaign puts under retaliation until it fades or a summit eases it). Grievance is
    alignment beyond what Beijing tolerates and ROK-Japan ties under tension, scaled by US-China
    tension (A: "avoid antagonizing Beijing"). Retaliation maximises ``c*(floor +
    g*grievance)*x - x**2/(2*(1 - need))``, need being China's need for Korea's sensitive exports
    (A: "China still needs advanced Korean exports"). Restraint of the North rises with engagement
    and falls with grievance and retaliation (B: "real levers of influence over Pyongyang").
    Inducements rise with engagement and are withdrawn for alignment and while retaliating (A:
    "substantial economic incentives"; "Economic ties with China come with strings").
    """

    STATE = "china"
    retaliation = Lanes()
    restraint = Lanes()
    bonus = Lanes()
    campaign = Lanes()


class DPRK(Power):
    """Pyongyang: provokes at a scenario base rate, raised by US-ROK alignment and Russian support.

    State: ``launch`` (this month's launch event, 0/1), ``launches`` (count so far), ``detente``
    (share of the hazard suspended after an inter-Korean summit, fading). The monthly hazard is
    ``rate*provocation*(base + alignment*a)*(1 + russia*support)*(1 - restraint*ρ)*(1 - détente)``
    and a launch month is drawn with probability ``1 - exp(-hazard)`` from the lane's own noise (B:
    "Regular tests by the DPRK"; "China ... levers of influence over Pyongyang").
    """

    STATE = "dprk"
    launch = Lanes()
    launches = Lanes()
    detente = Lanes()


class Japan(Power):
    """Tokyo: cooperates with Seoul as far as its own security and economic utility makes it pay.

    State: ``cooperation`` (q, Japan's side of the ROK-Japan tie), ``export_controls`` (x, set by
    events such as the 2019 controls, fading) and ``goodwill`` (built by summits, fading slowly).
    Cooperation maximises ``V*q - cost*q**2/2``, so ``q* = V / cost``, V being the value of the tie:
    security against the North and China (B: "through a network, not a command"), trilateral
    coordination when Washington reassures both (Camp David, 2023), trade, reciprocity and goodwill,
    less historical grievance and Japan's own export controls (the 2019 clash).
    """

    STATE = "japan"
    cooperation = Lanes()
    export_controls = Lanes()
    goodwill = Lanes()


class Russia(Power):
    """Moscow: a minor actor that raises the North's capability.

    State: ``support`` to the DPRK, rising with great-power rivalry. Source: A, "strike a balance
    among major powers, including China and Russia".
    """

    STATE = "russia"
    support = Lanes()


def others_month(model: GeoModel) -> None:
    """The five powers' month in every lane: each decides from last month's state, then all apply.

    Args:
        model: the lane model (its month ``model.steps`` has begun).
    """
    t = model.steps - 1
    table, noise = model.knobs.table, model.noise_table
    _others_month_kernel(table, model.state, model.counters, noise, t, model.lanes)
