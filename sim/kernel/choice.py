"""Seoul's equations, one lane at a time: its indices, its anticipation and its logit choice.

See :mod:`sim.seoul` for the model these implement. ``k`` is the lane's knob record and ``s`` its
state record (:mod:`sim.kernel.layout`); a posture is four floats ``(a, m, j, d)``. The nine
candidate postures of a month are valued one after the other in registers, nothing is allocated.
"""

from __future__ import annotations

import math

from numba import njit

from sim.kernel.powers import (
    china_grievance,
    china_inducement,
    china_targets,
    clip01,
    japan_target,
    usa_targets,
)

POSTURE: tuple[str, ...] = ("us_alignment", "china_engagement", "japan_cooperation", "derisking")
"""Seoul's posture variables (a, m, j, d), in the order of the options and the noise channels."""
SIZE = len(POSTURE)


@njit(cache=True)
def concave(x: float) -> float:
    """Diminishing returns on [0, 1]: ``x*(2-x)``, 0 at 0, 1 at 1."""
    return x * (2.0 - x)


@njit(cache=True)
def security_index(  # noqa: ANN001, PLR0913
    k, a: float, m: float, j: float, commitment: float, retaliation: float, restraint: float,
    japan: float, threat: float,
) -> float:
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
    phi = k["world.china_japan_tension"]
    us = k["structure.seoul.us_umbrella"] * commitment * a
    cn = k["structure.seoul.china_levers"] * restraint * m
    jp = min(
        k["structure.seoul.japan_channels"]
        * (1.0 + k["structure.seoul.japan_network_tension"] * phi)
        * japan
        * j,
        1.0,
    )
    deterrence = 1.0 - (1.0 - us) * (1.0 - cn) * (1.0 - jp)
    assertive = k["structure.seoul.china_assertiveness"] * k["levels.china_coercion"]
    china_threat = (retaliation + assertive) * (1.0 - us) * (1.0 - jp)
    entrapment = (
        k["structure.seoul.entrapment_us"] * (a * a) * k["world.us_china_tension"]
        + k["structure.seoul.entrapment_japan"] * j * phi
    )
    return (
        k["structure.seoul.security_base"]
        + k["structure.seoul.security_deterrence"] * deterrence
        - k["structure.seoul.security_exposure"] * threat * (1.0 - deterrence)
        - k["structure.seoul.security_china"] * china_threat
        - entrapment
    )


@njit(cache=True)
def economic_index(  # noqa: ANN001, PLR0913
    k, a: float, m: float, j: float, d: float, tariff: float, tech_controls: float,
    retaliation: float, inducement: float, japan: float, export_controls: float,
) -> float:
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
    consumer = k["structure.seoul.consumer_share"]
    shield = 1.0 - k["structure.seoul.derisk_shield"] * d
    china = (
        k["structure.seoul.china_market"]
        * concave(m)
        * (1.0 - k["structure.seoul.derisk_loss"] * d)
    )
    hit = k["structure.seoul.retaliation_bite"] * retaliation * consumer * m * shield
    tech = k["structure.seoul.tech_control_bite"] * tech_controls * (1.0 - consumer) * m * shield
    risk = k["structure.seoul.coercion_risk"] * k["levels.china_coercion"] * m * shield
    incentives = k["structure.seoul.inducement_value"] * inducement
    us = k["structure.seoul.us_market"] * (1.0 - tariff)
    japan_open = 1.0 - k["structure.seoul.export_control_bite"] * export_controls
    tie = k["structure.seoul.japan_market"] * concave(j) * japan * japan_open
    burden = k["structure.seoul.burden_cost"] * k["levels.us_pressure"] * (a * a)
    derisk = k["structure.seoul.derisk_cost"] * (d * d)
    return (
        k["structure.seoul.economy_base"]
        + china
        + incentives
        + us
        + tie
        - hit
        - tech
        - risk
        - burden
        - derisk
    )


@njit(cache=True)
def autonomy(k, a: float, m: float, j: float, d: float) -> float:  # noqa: ANN001
    """Strategic autonomy and domestic standing: balance, little dependence, history with Japan.

    Balance, ``(a - m)**2`` lost, from "internal pressure for more balanced and pragmatic diplomacy"
    (A); dependence, ``a**2 + (m*(1-d))**2`` lost, from "Korea seeks resilience in diversification" and
    "Seoul expands its room for maneuver" (B); the domestic cost of cooperating with Japan while the
    historical grievance is alive, ``japan_politics*grievance*j**2``.
    """
    engaged = m * (1.0 - d)
    dependence = a * a + engaged * engaged
    history = k["structure.seoul.japan_politics"] * k["world.japan_grievance"] * (j * j)
    lean = a - m
    return (
        1.0
        - k["structure.seoul.balance_loss"] * (lean * lean)
        - k["structure.seoul.dependence_loss"] * dependence
        - history
    )


@njit(cache=True)
def utility(k, s, a: float, m: float, j: float, d: float) -> float:  # noqa: ANN001
    """Seoul's utility of posture (a, m, j, d) at the others' state anticipated over the horizon.

    Each actor closes its share ``s["rok.ahead_*"]`` of the gap to its target against the posture;
    the government's weights combine the (unclipped) security and economic indices and autonomy.
    """
    kappa, tau, chi = usa_targets(k, a, m)
    commitment = s["usa.commitment"] + s["rok.ahead_commitment"] * (kappa - s["usa.commitment"])
    grievance = china_grievance(k, a, j)
    r, rho = china_targets(k, s["china.campaign"], a, m, d, grievance)
    retaliation = s["china.retaliation"] + s["rok.ahead_retaliation"] * (
        r - s["china.retaliation"]
    )
    q = japan_target(
        k, s["rok.threat"], s["japan.goodwill"], s["japan.export_controls"], j, commitment
    )
    tariff = s["usa.tariff"] + s["rok.ahead_tariff"] * (tau - s["usa.tariff"])
    tech = s["usa.tech_controls"] + s["rok.ahead_tech_controls"] * (chi - s["usa.tech_controls"])
    restraint = s["china.restraint"] + s["rok.ahead_restraint"] * (rho - s["china.restraint"])
    inducement = china_inducement(k, s["china.bonus"], m, retaliation, grievance)
    japan = s["japan.cooperation"] + s["rok.ahead_japan"] * (q - s["japan.cooperation"])
    return (
        s["rok.security_weight"]
        * security_index(k, a, m, j, commitment, retaliation, restraint, japan, s["rok.threat"])
        + s["rok.economy_weight"]
        * economic_index(
            k, a, m, j, d, tariff, tech, retaliation, inducement, japan, s["japan.export_controls"]
        )
        + s["rok.autonomy_weight"] * autonomy(k, a, m, j, d)
    )


@njit(cache=True)
def step_size(k, i: int) -> float:  # noqa: ANN001
    """The monthly step of posture variable i: security (a, j) fast, trade (m, d) slow."""
    if i % 2 == 0:
        return k["structure.seoul.security_step"]
    return k["structure.seoul.trade_step"]


@njit(cache=True)
def component(a: float, m: float, j: float, d: float, i: int) -> float:
    """Posture variable i of (a, m, j, d)."""
    if i == 0:
        return a
    if i == 1:
        return m
    if i == 2:
        return j
    return d


@njit(cache=True)
def replaced(
    a: float, m: float, j: float, d: float, i: int, x: float
) -> tuple[float, float, float, float]:
    """The posture (a, m, j, d) with variable i set to x."""
    if i == 0:
        return x, m, j, d
    if i == 1:
        return a, x, j, d
    if i == 2:
        return a, m, x, d
    return a, m, j, x


@njit(cache=True)
def weight(beta: float, value: float, top: float) -> float:
    """The logit weight ``exp(beta*(value - top))`` (exactly 1 at the top)."""
    if value == top:
        return 1.0
    return math.exp(beta * (value - top))


@njit(cache=True)
def value_options(k, s, values) -> None:  # noqa: ANN001
    """Value the nine options: stay (0), then a step down (2i+1) and up (2i+2) of each variable i.

    Each option's value is its anticipated utility less ``move_cost`` per unit moved (inertia).

    Args:
        k: the lane's knobs.
        s: the lane's state.
        values: scratch array of nine floats, overwritten.
    """
    a, m, j, d = s["rok.us_alignment"], s["rok.china_engagement"], s["rok.japan_cooperation"], s[
        "rok.derisking"
    ]
    cost = s["rok.move_cost"]
    values[0] = utility(k, s, a, m, j, d) - cost * 0.0
    for i in range(SIZE):
        step = step_size(k, i)
        now = component(a, m, j, d, i)
        for up in range(2):
            x = clip01(now + step) if up else clip01(now - step)
            a1, m1, j1, d1 = replaced(a, m, j, d, i, x)
            values[1 + 2 * i + up] = utility(k, s, a1, m1, j1, d1) - cost * abs(x - now)


@njit(cache=True)
def choose(k, s, values, i: int, draw: float) -> float:  # noqa: ANN001
    """Logit choice of a step down, stay or up of posture variable i, given the options' values.

    The precision is ``rationality`` per unit of posture moved, so a slow variable is not chosen more
    randomly for moving less; weights are taken relative to the best option for numerical safety.

    Args:
        k: the lane's knobs.
        s: the lane's state (the current posture).
        values: the nine options' values (:func:`value_options`).
        i: the posture variable.
        draw: the lane's uniform draw for this variable this month.

    Returns:
        the variable's new value.
    """
    down, stay, up = values[1 + 2 * i], values[0], values[2 + 2 * i]
    top = max(max(down, stay), up)
    step = step_size(k, i)
    beta = s["rok.rationality"] / step
    w_down = weight(beta, down, top)
    w_stay = weight(beta, stay, top)
    w_up = weight(beta, up, top)
    now = component(
        s["rok.us_alignment"], s["rok.china_engagement"], s["rok.japan_cooperation"],
        s["rok.derisking"], i,
    )
    pick = draw * (w_down + w_stay + w_up)
    if pick < w_down:
        return clip01(now - step)
    if pick < w_down + w_stay:
        return now
    return clip01(now + step)


@njit(cache=True)
def next_threat(k, threat: float, support: float, launch: float) -> float:  # noqa: ANN001
    """Threat after a month with ``launch`` (0/1, or a launch probability in the spin-up).

    It decays toward its chronic level and jumps with launches, more so with Russian support.
    """
    boost = k["structure.seoul.launch_shock"] * (
        1.0 + k["structure.seoul.russia_amplifier"] * support
    )
    chronic = (
        (1.0 - k["structure.seoul.threat_decay"])
        * k["structure.seoul.chronic_threat"]
        * k["levels.nk_provocation"]
    )
    jump = boost * launch * (1.0 - threat)
    return clip01(k["structure.seoul.threat_decay"] * threat + chronic + jump)


@njit(cache=True)
def indices(k, s) -> tuple[float, float]:  # noqa: ANN001
    """Security and economic indices (clipped to [0, 1]) at the current posture and state."""
    a, m, j, d = s["rok.us_alignment"], s["rok.china_engagement"], s["rok.japan_cooperation"], s[
        "rok.derisking"
    ]
    retaliation = s["china.retaliation"]
    grievance = china_grievance(k, a, j)
    inducement = china_inducement(k, s["china.bonus"], m, retaliation, grievance)
    security = security_index(
        k, a, m, j, s["usa.commitment"], retaliation, s["china.restraint"],
        s["japan.cooperation"], s["rok.threat"],
    )
    economy = economic_index(
        k, a, m, j, d, s["usa.tariff"], s["usa.tech_controls"], retaliation, inducement,
        s["japan.cooperation"], s["japan.export_controls"],
    )
    return clip01(security), clip01(economy)
