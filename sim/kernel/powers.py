"""The equations of the five powers around Seoul, one lane at a time (see :mod:`sim.agents`).

Each function takes the knob table ``K`` (:mod:`sim.kernel.layout`), the lane ``r`` and plain floats,
and returns floats, so Seoul can value a candidate posture ``(a, m, j, d)`` in registers. Every
coefficient is read by its schema path; the only literals are 0, 1 and 2. Every function is
force-inlined into its callers (so a loop over a tile's lanes vectorises, :mod:`sim.kernel.tiles`).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from sim.kernel.layout import ix


@njit(cache=True, error_model="numpy", forceinline=True)
def clip01(x: float) -> float:
    """``x`` kept in [0, 1] (``np.clip(x, 0, 1)``)."""
    return min(max(x, 0.0), 1.0)


@njit(cache=True, error_model="numpy", forceinline=True)
def toward(x: float, target: float, rate: float) -> float:
    """Move ``x`` a fraction ``rate`` of the way to ``target``, kept in [0, 1]."""
    return clip01(x + rate * (target - x))


@njit(cache=True, error_model="numpy", forceinline=True)
def usa_demand(K: np.ndarray, r: int) -> float:
    """Alignment Washington asks for: rises with pressure and with US-China tension."""
    return clip01(
        K[ix("structure.usa.demand_base"), r]
        + K[ix("structure.usa.demand_pressure"), r] * K[ix("levels.us_pressure"), r]
        + K[ix("structure.usa.demand_tension"), r] * K[ix("world.us_china_tension"), r]
    )


@njit(cache=True, error_model="numpy", forceinline=True)
def usa_targets(K: np.ndarray, r: int, a: float, m: float) -> tuple[float, float, float]:
    """Commitment, tariff and tech controls Washington would set against alignment a, engagement m."""
    u = K[ix("levels.us_pressure"), r]
    tension = K[ix("world.us_china_tension"), r]
    shortfall = max(0.0, usa_demand(K, r) - a)
    drift = max(0.0, m - a)
    conditioned = u + K[ix("structure.usa.condition_tension"), r] * tension
    strain = conditioned * (
        K[ix("structure.usa.commitment_condition"), r] * shortfall
        + K[ix("structure.usa.drift_strain"), r] * drift
    )
    commitment = clip01(K[ix("structure.usa.commitment_base"), r] - strain)
    tariff = clip01(
        K[ix("structure.usa.tariff_base"), r]
        + u
        * (
            K[ix("structure.usa.tariff_pressure"), r]
            + K[ix("structure.usa.tariff_shortfall"), r] * shortfall
        )
    )
    tech = clip01(
        tension
        * (
            K[ix("structure.usa.tech_base"), r]
            + K[ix("structure.usa.tech_shortfall"), r] * u * shortfall
        )
    )
    return commitment, tariff, tech


@njit(cache=True, error_model="numpy", forceinline=True)
def china_grievance(K: np.ndarray, r: int, a: float, j: float) -> float:
    """Alignment beyond what Beijing tolerates, and ROK-Japan ties under tension."""
    over = max(0.0, a - K[ix("structure.china.tolerated_alignment"), r])
    japan = K[ix("structure.china.grievance_japan"), r] * K[ix("world.china_japan_tension"), r] * j
    return (over + japan) * (
        1.0 + K[ix("structure.china.grievance_tension"), r] * K[ix("world.us_china_tension"), r]
    )


@njit(cache=True, error_model="numpy", forceinline=True)
def china_need(K: np.ndarray, r: int, m: float, d: float) -> float:
    """China's need for Korea's sensitive exports, which makes coercion costly to China."""
    sensitive = (1.0 - K[ix("structure.seoul.consumer_share"), r]) * m * (1.0 - d)
    return K[ix("structure.china.need_weight"), r] * sensitive


@njit(cache=True, error_model="numpy", forceinline=True)
def china_targets(
    K: np.ndarray, r: int, campaign: float, a: float, m: float, d: float, grievance: float
) -> tuple[float, float]:
    """Retaliation (not below a running campaign's floor) and restraint Beijing would set."""
    pull = (
        K[ix("structure.china.coercion_floor"), r]
        + K[ix("structure.china.coercion_grievance"), r] * grievance
    )
    coercion = K[ix("levels.china_coercion"), r] * pull * (1.0 - china_need(K, r, m, d))
    retaliation = clip01(max(coercion, campaign))
    relations = clip01(
        K[ix("structure.china.restraint_base"), r]
        + K[ix("structure.china.restraint_relations"), r] * m
        - K[ix("structure.china.restraint_grievance"), r] * grievance
    )
    restraint = relations * (1.0 - K[ix("structure.china.restraint_retaliation"), r] * retaliation)
    return retaliation, restraint


@njit(cache=True, error_model="numpy", forceinline=True)
def china_inducement(
    K: np.ndarray, r: int, bonus: float, m: float, retaliation: float, grievance: float
) -> float:
    """Market access offered: rising with engagement, withdrawn for alignment and while retaliating."""
    offer = clip01(K[ix("world.china_inducement"), r] + bonus)
    share = (
        K[ix("structure.china.inducement_base"), r]
        + K[ix("structure.china.inducement_engagement"), r] * m
    )
    strings = clip01(1.0 - K[ix("structure.china.inducement_alignment"), r] * grievance)
    return (
        offer * share * strings * (1.0 - K[ix("structure.china.inducement_cut"), r] * retaliation)
    )


@njit(cache=True, error_model="numpy", forceinline=True)
def dprk_rate(
    K: np.ndarray, r: int, a: float, support: float, restraint: float, detente: float
) -> float:
    """Monthly launch hazard: attention and leverage sought against alignment, less restraint."""
    return (
        K[ix("structure.dprk.launch_rate"), r]
        * K[ix("levels.nk_provocation"), r]
        * (K[ix("structure.dprk.hazard_base"), r] + K[ix("structure.dprk.hazard_alignment"), r] * a)
        * (1.0 + K[ix("structure.dprk.hazard_russia"), r] * support)
        * (1.0 - K[ix("structure.dprk.hazard_restraint"), r] * restraint)
        * (1.0 - detente)
    )


@njit(cache=True, error_model="numpy", forceinline=True)
def launch_probability(
    K: np.ndarray, r: int, a: float, support: float, restraint: float, detente: float
) -> float:
    """Probability of at least one launch this month, ``1 - exp(-hazard)``."""
    return launch_chance(dprk_rate(K, r, a, support, restraint, detente))


@njit(cache=True, error_model="numpy", forceinline=True)
def launch_chance(hazard: float) -> float:
    """Probability of at least one launch in a month of the given hazard, ``1 - exp(-hazard)``."""
    return -math.expm1(-hazard)


@njit(cache=True, error_model="numpy", forceinline=True)
def japan_target(
    K: np.ndarray,
    r: int,
    threat: float,
    goodwill: float,
    controls: float,
    j: float,
    commitment: float,
) -> float:
    """Cooperation that maximises Japan's ``V*q - cost*q**2/2``, so ``q* = V / cost``."""
    value = (
        K[ix("structure.japan.value_threat"), r] * threat
        + K[ix("structure.japan.value_china_tension"), r] * K[ix("world.china_japan_tension"), r]
        + K[ix("structure.japan.value_alliance"), r] * commitment
        + K[ix("structure.japan.value_trade"), r]
        + K[ix("structure.japan.reciprocity"), r] * j
        + K[ix("structure.japan.goodwill_value"), r] * goodwill
        - K[ix("structure.japan.grievance_cost"), r] * K[ix("world.japan_grievance"), r]
        - K[ix("structure.japan.control_cost"), r] * controls
    )
    return clip01(value / K[ix("structure.japan.cooperation_cost"), r])


@njit(cache=True, error_model="numpy", forceinline=True)
def russia_target(K: np.ndarray, r: int) -> float:
    """Support to the North: rises with great-power rivalry."""
    return K[ix("world.russia_support"), r] * (
        K[ix("structure.russia.support_base"), r]
        + K[ix("structure.russia.support_tension"), r] * K[ix("world.us_china_tension"), r]
    )
