"""The equations of the five powers around Seoul, one lane at a time (see :mod:`sim.agents`).

Each function takes the lane's knob record ``k`` (:data:`sim.kernel.layout.KNOB_DTYPE`) and plain
floats, and returns floats, so Seoul can value a candidate posture ``(a, m, j, d)`` in registers.
Every coefficient is read by its schema path; the only literals are 0, 1 and 2.
"""

from __future__ import annotations

import math

from numba import njit


@njit(cache=True)
def clip01(x: float) -> float:
    """``x`` kept in [0, 1] (``np.clip(x, 0, 1)``)."""
    return min(max(x, 0.0), 1.0)


@njit(cache=True)
def toward(x: float, target: float, rate: float) -> float:
    """Move ``x`` a fraction ``rate`` of the way to ``target``, kept in [0, 1]."""
    return clip01(x + rate * (target - x))


@njit(cache=True)
def usa_demand(k) -> float:  # noqa: ANN001 (a numba record)
    """Alignment Washington asks for: rises with pressure and with US-China tension."""
    return clip01(
        k["structure.usa.demand_base"]
        + k["structure.usa.demand_pressure"] * k["levels.us_pressure"]
        + k["structure.usa.demand_tension"] * k["world.us_china_tension"]
    )


@njit(cache=True)
def usa_targets(k, a: float, m: float) -> tuple[float, float, float]:  # noqa: ANN001
    """Commitment, tariff and tech controls Washington would set against alignment a, engagement m."""
    u = k["levels.us_pressure"]
    tension = k["world.us_china_tension"]
    shortfall = max(0.0, usa_demand(k) - a)
    drift = max(0.0, m - a)
    conditioned = u + k["structure.usa.condition_tension"] * tension
    strain = conditioned * (
        k["structure.usa.commitment_condition"] * shortfall + k["structure.usa.drift_strain"] * drift
    )
    commitment = clip01(k["structure.usa.commitment_base"] - strain)
    tariff = clip01(
        k["structure.usa.tariff_base"]
        + u * (k["structure.usa.tariff_pressure"] + k["structure.usa.tariff_shortfall"] * shortfall)
    )
    tech = clip01(
        tension
        * (k["structure.usa.tech_base"] + k["structure.usa.tech_shortfall"] * u * shortfall)
    )
    return commitment, tariff, tech


@njit(cache=True)
def china_grievance(k, a: float, j: float) -> float:  # noqa: ANN001
    """Alignment beyond what Beijing tolerates, and ROK-Japan ties under tension."""
    over = max(0.0, a - k["structure.china.tolerated_alignment"])
    japan = k["structure.china.grievance_japan"] * k["world.china_japan_tension"] * j
    return (over + japan) * (
        1.0 + k["structure.china.grievance_tension"] * k["world.us_china_tension"]
    )


@njit(cache=True)
def china_need(k, m: float, d: float) -> float:  # noqa: ANN001
    """China's need for Korea's sensitive exports, which makes coercion costly to China."""
    sensitive = (1.0 - k["structure.seoul.consumer_share"]) * m * (1.0 - d)
    return k["structure.china.need_weight"] * sensitive


@njit(cache=True)
def china_targets(  # noqa: ANN001
    k, campaign: float, a: float, m: float, d: float, grievance: float
) -> tuple[float, float]:
    """Retaliation (not below a running campaign's floor) and restraint Beijing would set."""
    pull = k["structure.china.coercion_floor"] + k["structure.china.coercion_grievance"] * grievance
    coercion = k["levels.china_coercion"] * pull * (1.0 - china_need(k, m, d))
    retaliation = clip01(max(coercion, campaign))
    relations = clip01(
        k["structure.china.restraint_base"]
        + k["structure.china.restraint_relations"] * m
        - k["structure.china.restraint_grievance"] * grievance
    )
    restraint = relations * (1.0 - k["structure.china.restraint_retaliation"] * retaliation)
    return retaliation, restraint


@njit(cache=True)
def china_inducement(  # noqa: ANN001
    k, bonus: float, m: float, retaliation: float, grievance: float
) -> float:
    """Market access offered: rising with engagement, withdrawn for alignment and while retaliating."""
    offer = clip01(k["world.china_inducement"] + bonus)
    share = k["structure.china.inducement_base"] + k["structure.china.inducement_engagement"] * m
    strings = clip01(1.0 - k["structure.china.inducement_alignment"] * grievance)
    return offer * share * strings * (1.0 - k["structure.china.inducement_cut"] * retaliation)


@njit(cache=True)
def dprk_rate(  # noqa: ANN001
    k, a: float, support: float, restraint: float, detente: float
) -> float:
    """Monthly launch hazard: attention and leverage sought against alignment, less restraint."""
    return (
        k["structure.dprk.launch_rate"]
        * k["levels.nk_provocation"]
        * (k["structure.dprk.hazard_base"] + k["structure.dprk.hazard_alignment"] * a)
        * (1.0 + k["structure.dprk.hazard_russia"] * support)
        * (1.0 - k["structure.dprk.hazard_restraint"] * restraint)
        * (1.0 - detente)
    )


@njit(cache=True)
def launch_probability(  # noqa: ANN001
    k, a: float, support: float, restraint: float, detente: float
) -> float:
    """Probability of at least one launch this month, ``1 - exp(-hazard)``."""
    return -math.expm1(-dprk_rate(k, a, support, restraint, detente))


@njit(cache=True)
def japan_target(  # noqa: ANN001
    k, threat: float, goodwill: float, controls: float, j: float, commitment: float
) -> float:
    """Cooperation that maximises Japan's ``V*q - cost*q**2/2``, so ``q* = V / cost``."""
    value = (
        k["structure.japan.value_threat"] * threat
        + k["structure.japan.value_china_tension"] * k["world.china_japan_tension"]
        + k["structure.japan.value_alliance"] * commitment
        + k["structure.japan.value_trade"]
        + k["structure.japan.reciprocity"] * j
        + k["structure.japan.goodwill_value"] * goodwill
        - k["structure.japan.grievance_cost"] * k["world.japan_grievance"]
        - k["structure.japan.control_cost"] * controls
    )
    return clip01(value / k["structure.japan.cooperation_cost"])


@njit(cache=True)
def russia_target(k) -> float:  # noqa: ANN001
    """Support to the North: rises with great-power rivalry."""
    return k["world.russia_support"] * (
        k["structure.russia.support_base"]
        + k["structure.russia.support_tension"] * k["world.us_china_tension"]
    )
