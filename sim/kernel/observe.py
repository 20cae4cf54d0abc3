"""The observation model, one lane at a time (see :mod:`sim.observe`)."""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.kernel.layout import ix
from sim.kernel.powers import clip01


@njit(cache=True, error_model="numpy")
def observables(K: np.ndarray, S: np.ndarray, r: int) -> tuple[float, float, float]:
    """This month's UN-vote position, export share to China and export share to the US."""
    a, m = S[ix("rok.us_alignment"), r], S[ix("rok.china_engagement"), r]
    retaliation = S[ix("china.retaliation"), r] * K[ix("structure.seoul.consumer_share"), r]
    unga = clip01(
        K[ix("structure.observation.unga_base"), r]
        + K[ix("structure.observation.unga_lean"), r] * (a - m)
    )
    china = (
        K[ix("structure.observation.exports_china_scale"), r]
        * m
        * (1.0 - K[ix("structure.seoul.derisk_loss"), r] * S[ix("rok.derisking"), r])
        * (1.0 - K[ix("structure.observation.exports_china_retaliation"), r] * retaliation)
    )
    us = K[ix("structure.observation.exports_us_base"), r] + K[
        ix("structure.observation.exports_us_alignment"), r
    ] * a * (1.0 - S[ix("usa.tariff"), r])
    return unga, china, us
