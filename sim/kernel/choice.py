"""Seoul's equations, one lane at a time: its indices, its anticipation and its logit choice.

See :mod:`sim.seoul` for the model these implement. ``K`` is the knob table, ``S`` the state table
(:mod:`sim.kernel.layout`) and ``r`` the lane; a posture is four floats ``(a, m, j, d)``. The nine
options of a month are valued in straight-line code per lane (the nine utilities share every term
that does not depend on the posture) into work rows ``W`` (the options' values, then the logit
weights, :data:`WORK` rows); run over a tile's lanes (:mod:`sim.kernel.tiles`), the valuation and
the pick are SIMD loops, and only :func:`weigh` calls ``exp``. Every function is force-inlined
(``forceinline=True``) into the loops that call it: a call the compiler does not inline stops it
vectorising the loop.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from sim.kernel.layout import ix
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
A, M, J, D = range(SIZE)
"""Index of each posture variable."""
OPTIONS = 1 + 2 * SIZE
"""Seoul's options each month: stay, or a step down or up of one posture variable."""
MOVES = len(("down", "stay", "up"))
"""Weights per posture variable in its logit choice."""
WORK = OPTIONS + SIZE * MOVES
"""Work rows of Seoul's month per lane: the options' values, then each variable's three weights."""


@njit(cache=True, error_model="numpy", forceinline=True)
def concave(x: float) -> float:
    """Diminishing returns on [0, 1]: ``x*(2-x)``, 0 at 0, 1 at 1."""
    return x * (2.0 - x)


@njit(cache=True, error_model="numpy", forceinline=True)
def security_index(
    K: np.ndarray,
    r: int,
    a: float,
    m: float,
    j: float,
    commitment: float,
    retaliation: float,
    restraint: float,
    japan: float,
    threat: float,
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
    phi = K[ix("world.china_japan_tension"), r]
    us = K[ix("structure.seoul.us_umbrella"), r] * commitment * a
    cn = K[ix("structure.seoul.china_levers"), r] * restraint * m
    jp = min(
        K[ix("structure.seoul.japan_channels"), r]
        * (1.0 + K[ix("structure.seoul.japan_network_tension"), r] * phi)
        * japan
        * j,
        1.0,
    )
    deterrence = 1.0 - (1.0 - us) * (1.0 - cn) * (1.0 - jp)
    assertive = K[ix("structure.seoul.china_assertiveness"), r] * K[ix("levels.china_coercion"), r]
    china_threat = (retaliation + assertive) * (1.0 - us) * (1.0 - jp)
    entrapment = (
        K[ix("structure.seoul.entrapment_us"), r] * (a * a) * K[ix("world.us_china_tension"), r]
        + K[ix("structure.seoul.entrapment_japan"), r] * j * phi
    )
    return (
        K[ix("structure.seoul.security_base"), r]
        + K[ix("structure.seoul.security_deterrence"), r] * deterrence
        - K[ix("structure.seoul.security_exposure"), r] * threat * (1.0 - deterrence)
        - K[ix("structure.seoul.security_china"), r] * china_threat
        - entrapment
    )


@njit(cache=True, error_model="numpy", forceinline=True)
def economic_index(
    K: np.ndarray,
    r: int,
    a: float,
    m: float,
    j: float,
    d: float,
    tariff: float,
    tech_controls: float,
    retaliation: float,
    inducement: float,
    japan: float,
    export_controls: float,
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
    consumer = K[ix("structure.seoul.consumer_share"), r]
    shield = 1.0 - K[ix("structure.seoul.derisk_shield"), r] * d
    china = (
        K[ix("structure.seoul.china_market"), r]
        * concave(m)
        * (1.0 - K[ix("structure.seoul.derisk_loss"), r] * d)
    )
    hit = K[ix("structure.seoul.retaliation_bite"), r] * retaliation * consumer * m * shield
    tech = (
        K[ix("structure.seoul.tech_control_bite"), r]
        * tech_controls
        * (1.0 - consumer)
        * m
        * shield
    )
    risk = (
        K[ix("structure.seoul.coercion_risk"), r] * K[ix("levels.china_coercion"), r] * m * shield
    )
    incentives = K[ix("structure.seoul.inducement_value"), r] * inducement
    us = K[ix("structure.seoul.us_market"), r] * (1.0 - tariff)
    japan_open = 1.0 - K[ix("structure.seoul.export_control_bite"), r] * export_controls
    tie = K[ix("structure.seoul.japan_market"), r] * concave(j) * japan * japan_open
    burden = K[ix("structure.seoul.burden_cost"), r] * K[ix("levels.us_pressure"), r] * (a * a)
    derisk = K[ix("structure.seoul.derisk_cost"), r] * (d * d)
    return (
        K[ix("structure.seoul.economy_base"), r]
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


@njit(cache=True, error_model="numpy", forceinline=True)
def autonomy(K: np.ndarray, r: int, a: float, m: float, j: float, d: float) -> float:
    """Strategic autonomy and domestic standing: balance, little dependence, history with Japan.

    Balance, ``(a - m)**2`` lost, from "internal pressure for more balanced and pragmatic diplomacy"
    (A); dependence, ``a**2 + (m*(1-d))**2`` lost, from "Korea seeks resilience in diversification" and
    "Seoul expands its room for maneuver" (B); the domestic cost of cooperating with Japan while the
    historical grievance is alive, ``japan_politics*grievance*j**2``.
    """
    engaged = m * (1.0 - d)
    dependence = a * a + engaged * engaged
    history = (
        K[ix("structure.seoul.japan_politics"), r] * K[ix("world.japan_grievance"), r] * (j * j)
    )
    lean = a - m
    return (
        1.0
        - K[ix("structure.seoul.balance_loss"), r] * (lean * lean)
        - K[ix("structure.seoul.dependence_loss"), r] * dependence
        - history
    )


@njit(cache=True, error_model="numpy", forceinline=True)
def ahead(S: np.ndarray, r: int, state: int, share: int, target: float) -> float:
    """State row ``state`` after closing the share in row ``share`` of its gap to ``target``."""
    return S[state, r] + S[share, r] * (target - S[state, r])


@njit(cache=True, error_model="numpy", forceinline=True)
def utility(K: np.ndarray, S: np.ndarray, r: int, a: float, m: float, j: float, d: float) -> float:
    """Seoul's utility of posture (a, m, j, d) at the others' state anticipated over the horizon.

    Each actor closes its share ``rok.ahead_*`` of the gap to its target against the posture (its
    current state at horizon 0); the government's weights combine the (unclipped) security and
    economic indices and autonomy.
    """
    kappa, tau, chi = usa_targets(K, r, a, m)
    commitment = ahead(S, r, ix("usa.commitment"), ix("rok.ahead_commitment"), kappa)
    grievance = china_grievance(K, r, a, j)
    ret, rho = china_targets(K, r, S[ix("china.campaign"), r], a, m, d, grievance)
    retaliation = ahead(S, r, ix("china.retaliation"), ix("rok.ahead_retaliation"), ret)
    threat, controls = S[ix("rok.threat"), r], S[ix("japan.export_controls"), r]
    q = japan_target(K, r, threat, S[ix("japan.goodwill"), r], controls, j, commitment)
    tariff = ahead(S, r, ix("usa.tariff"), ix("rok.ahead_tariff"), tau)
    tech = ahead(S, r, ix("usa.tech_controls"), ix("rok.ahead_tech_controls"), chi)
    restraint = ahead(S, r, ix("china.restraint"), ix("rok.ahead_restraint"), rho)
    inducement = china_inducement(K, r, S[ix("china.bonus"), r], m, retaliation, grievance)
    japan = ahead(S, r, ix("japan.cooperation"), ix("rok.ahead_japan"), q)
    security = security_index(K, r, a, m, j, commitment, retaliation, restraint, japan, threat)
    economy = economic_index(
        K, r, a, m, j, d, tariff, tech, retaliation, inducement, japan, controls
    )
    return (
        S[ix("rok.security_weight"), r] * security
        + S[ix("rok.economy_weight"), r] * economy
        + S[ix("rok.autonomy_weight"), r] * autonomy(K, r, a, m, j, d)
    )


@njit(cache=True, error_model="numpy", forceinline=True)
def down(i: int) -> int:
    """Index of the option that moves posture variable i a step down (0 is to stay)."""
    return 1 + 2 * i


@njit(cache=True, error_model="numpy", forceinline=True)
def up(i: int) -> int:
    """Index of the option that moves posture variable i a step up."""
    return 2 + 2 * i


@njit(cache=True, error_model="numpy", forceinline=True)
def value_options(K: np.ndarray, S: np.ndarray, r: int, W: np.ndarray) -> None:
    """Value the nine options of lane r into rows ``0..8`` of ``W`` (column r, overwritten).

    Option 0 stays; :func:`down` (i) and :func:`up` (i) move posture variable i by its step,
    security (a, j) fast and trade (m, d) slow. Each option's value is its anticipated utility less
    ``move_cost`` per unit moved (inertia). Straight-line code: the nine utilities share every
    term that does not depend on the posture.
    """
    a, m = S[ix("rok.us_alignment"), r], S[ix("rok.china_engagement"), r]
    j, d = S[ix("rok.japan_cooperation"), r], S[ix("rok.derisking"), r]
    fast, slow = K[ix("structure.seoul.security_step"), r], K[ix("structure.seoul.trade_step"), r]
    cost = S[ix("rok.move_cost"), r]
    # All nine in locals first: a store into ``W`` could alias the tables for the compiler,
    # which would then reload every shared term after it.
    stay = utility(K, S, r, a, m, j, d) - cost * 0.0
    x = clip01(a - fast)
    a_down = utility(K, S, r, x, m, j, d) - cost * abs(x - a)
    x = clip01(a + fast)
    a_up = utility(K, S, r, x, m, j, d) - cost * abs(x - a)
    x = clip01(m - slow)
    m_down = utility(K, S, r, a, x, j, d) - cost * abs(x - m)
    x = clip01(m + slow)
    m_up = utility(K, S, r, a, x, j, d) - cost * abs(x - m)
    x = clip01(j - fast)
    j_down = utility(K, S, r, a, m, x, d) - cost * abs(x - j)
    x = clip01(j + fast)
    j_up = utility(K, S, r, a, m, x, d) - cost * abs(x - j)
    x = clip01(d - slow)
    d_down = utility(K, S, r, a, m, j, x) - cost * abs(x - d)
    x = clip01(d + slow)
    d_up = utility(K, S, r, a, m, j, x) - cost * abs(x - d)
    W[0, r], W[down(A), r], W[up(A), r] = stay, a_down, a_up
    W[down(M), r], W[up(M), r], W[down(J), r], W[up(J), r] = m_down, m_up, j_down, j_up
    W[down(D), r], W[up(D), r] = d_down, d_up


@njit(cache=True, error_model="numpy", forceinline=True)
def weight(beta: float, value: float, top: float) -> float:
    """The logit weight ``exp(beta*(value - top))`` (exactly 1 at the top, without calling exp)."""
    if value == top:
        return 1.0
    return math.exp(beta * (value - top))


@njit(cache=True, error_model="numpy", forceinline=True)
def step_of(K: np.ndarray, r: int, i: int) -> float:
    """Posture variable i's step in lane r: security (a, j) fast, trade (m, d) slow."""
    if i % 2:
        return K[ix("structure.seoul.trade_step"), r]
    return K[ix("structure.seoul.security_step"), r]


@njit(cache=True, error_model="numpy", forceinline=True)
def weigh(K: np.ndarray, S: np.ndarray, r: int, W: np.ndarray, i: int) -> None:
    """Logit weights of a step down, stay and up of posture variable i, given the options' values.

    The precision is ``rationality`` per unit of posture moved, so a slow variable is not chosen more
    randomly for moving less; weights are taken relative to the best option for numerical safety.
    The values are rows ``0..8`` of ``W`` (:func:`value_options`); the three weights go to rows
    :func:`weight_row` (i, 0..2), column r. This is the part of the choice that calls ``exp``.

    Args:
        K: knob table.
        S: state table.
        r: the lane.
        W: the work rows.
        i: the posture variable.
    """
    lower, stay, upper = W[down(i), r], W[0, r], W[up(i), r]
    top = max(max(lower, stay), upper)
    beta = S[ix("rok.rationality"), r] / step_of(K, r, i)
    W[weight_row(i, 0), r] = weight(beta, lower, top)
    W[weight_row(i, 1), r] = weight(beta, stay, top)
    W[weight_row(i, 2), r] = weight(beta, upper, top)


@njit(cache=True, error_model="numpy", forceinline=True)
def pick(K: np.ndarray, S: np.ndarray, r: int, W: np.ndarray, i: int, draw: float) -> float:
    """Posture variable i's new value: a step down, stay or a step up, drawn by the logit weights.

    Args:
        K: knob table.
        S: state table (the current posture).
        r: the lane.
        W: the work rows, with the weights of :func:`weigh`.
        i: the posture variable.
        draw: the lane's uniform draw for this variable this month.
    """
    w_down, w_stay = W[weight_row(i, 0), r], W[weight_row(i, 1), r]
    w_up = W[weight_row(i, 2), r]
    step = step_of(K, r, i)
    now = S[ix("rok.us_alignment") + i, r]
    chosen = draw * (w_down + w_stay + w_up)
    if chosen < w_down:
        return clip01(now - step)
    if chosen < w_down + w_stay:
        return now
    return clip01(now + step)


@njit(cache=True, error_model="numpy", forceinline=True)
def weight_row(i: int, move: int) -> int:
    """Row of ``W`` holding the weight of posture variable i's move (0 down, 1 stay, 2 up)."""
    return OPTIONS + i * MOVES + move


@njit(cache=True, error_model="numpy", forceinline=True)
def next_threat(K: np.ndarray, r: int, threat: float, support: float, launch: float) -> float:
    """Threat after a month with ``launch`` (0/1, or a launch probability in the spin-up).

    It decays toward its chronic level and jumps with launches, more so with Russian support.
    """
    boost = K[ix("structure.seoul.launch_shock"), r] * (
        1.0 + K[ix("structure.seoul.russia_amplifier"), r] * support
    )
    chronic = (
        (1.0 - K[ix("structure.seoul.threat_decay"), r])
        * K[ix("structure.seoul.chronic_threat"), r]
        * K[ix("levels.nk_provocation"), r]
    )
    jump = boost * launch * (1.0 - threat)
    return clip01(K[ix("structure.seoul.threat_decay"), r] * threat + chronic + jump)


@njit(cache=True, error_model="numpy", forceinline=True)
def indices(K: np.ndarray, S: np.ndarray, r: int) -> tuple[float, float]:
    """Security and economic indices (clipped to [0, 1]) at the current posture and state."""
    a, m = S[ix("rok.us_alignment"), r], S[ix("rok.china_engagement"), r]
    j, d = S[ix("rok.japan_cooperation"), r], S[ix("rok.derisking"), r]
    retaliation = S[ix("china.retaliation"), r]
    grievance = china_grievance(K, r, a, j)
    inducement = china_inducement(K, r, S[ix("china.bonus"), r], m, retaliation, grievance)
    japan, controls = S[ix("japan.cooperation"), r], S[ix("japan.export_controls"), r]
    security = security_index(
        K,
        r,
        a,
        m,
        j,
        S[ix("usa.commitment"), r],
        retaliation,
        S[ix("china.restraint"), r],
        japan,
        S[ix("rok.threat"), r],
    )
    economy = economic_index(
        K,
        r,
        a,
        m,
        j,
        d,
        S[ix("usa.tariff"), r],
        S[ix("usa.tech_controls"), r],
        retaliation,
        inducement,
        japan,
        controls,
    )
    return clip01(security), clip01(economy)
