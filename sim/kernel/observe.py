"""The observation model, one lane at a time (see :mod:`sim.observe`)."""

from __future__ import annotations

from numba import njit

from sim.kernel.powers import clip01


@njit(cache=True)
def observables(k, s) -> tuple[float, float, float]:  # noqa: ANN001
    """This month's UN-vote position, export share to China and export share to the US."""
    a, m = s["rok.us_alignment"], s["rok.china_engagement"]
    retaliation = s["china.retaliation"] * k["structure.seoul.consumer_share"]
    unga = clip01(k["structure.observation.unga_base"] + k["structure.observation.unga_lean"] * (a - m))
    china = (
        k["structure.observation.exports_china_scale"]
        * m
        * (1.0 - k["structure.seoul.derisk_loss"] * s["rok.derisking"])
        * (1.0 - k["structure.observation.exports_china_retaliation"] * retaliation)
    )
    us = k["structure.observation.exports_us_base"] + k[
        "structure.observation.exports_us_alignment"
    ] * a * (1.0 - s["usa.tariff"])
    return unga, china, us
