"""Lane loops: each runs one stage of the month over every lane and writes into the state table.

``K`` is the knob table, ``S`` the state table and ``C`` the counters (:mod:`sim.kernel.layout`);
``noise`` holds every lane's uniform draws, shape (steps, len(NOISE_CHANNELS), R). A lane reads only
its own column and draws, so its numbers do not depend on the other lanes of the block.

The months (:func:`others_month`, :func:`seoul_month`, :func:`whole_month`) run tile by tile
(:mod:`sim.kernel.tiles`): each stage of a tile (:func:`others_tile`, :func:`seoul_tile`) is a few
loops over the tile's lanes that call the per-lane equations, force-inlined, so the compiler turns
each loop into SIMD instructions across lanes; ``exp`` and ``expm1`` stay libm's scalar calls, in
loops of their own. The spin-up and the anticipation shares run once per block, lane by lane.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.kernel.cache import TILE
from sim.kernel.choice import SIZE, indices, next_threat, pick, value_options, weigh
from sim.kernel.layout import ix
from sim.kernel.observe import observables
from sim.kernel.powers import (
    china_grievance,
    china_targets,
    dprk_rate,
    japan_target,
    launch_chance,
    launch_probability,
    russia_target,
    toward,
    usa_targets,
)
from sim.kernel.tiles import (
    DRAW,
    ELECTION,
    HAZARD,
    LAUNCH,
    NOISE_CHANNELS,
    load,
    new_tile,
    unload,
    views,
)

__all__ = [
    "ELECTION",
    "LAUNCH",
    "NOISE_CHANNELS",
    "anticipation",
    "observe_lanes",
    "others_month",
    "seoul_month",
    "spin_up",
    "whole_month",
]


@njit(cache=True, error_model="numpy")
def anticipation(K: np.ndarray, S: np.ndarray, lanes: int) -> None:
    """Share of its gap each actor closes over Seoul's horizon h, ``1 - (1 - rate)**h``, per lane.

    Args:
        K: knob table.
        S: state table, written in place.
        lanes: number of lanes R.
    """
    for r in range(lanes):
        closes(K, S, r, ix("rok.ahead_commitment"), ix("structure.usa.commitment_rate"))
        closes(K, S, r, ix("rok.ahead_tariff"), ix("structure.usa.tariff_rate"))
        closes(K, S, r, ix("rok.ahead_tech_controls"), ix("structure.usa.tech_rate"))
        closes(K, S, r, ix("rok.ahead_retaliation"), ix("structure.china.retaliation_rate"))
        closes(K, S, r, ix("rok.ahead_restraint"), ix("structure.china.restraint_rate"))
        closes(K, S, r, ix("rok.ahead_japan"), ix("structure.japan.cooperation_rate"))


@njit(cache=True, error_model="numpy", forceinline=True)
def closes(K: np.ndarray, S: np.ndarray, r: int, share: int, rate: int) -> None:
    """State row ``share`` of lane r: ``1 - (1 - rate)**horizon``, the rate in knob row ``rate``."""
    S[share, r] = 1.0 - (1.0 - K[rate, r]) ** K[ix("structure.seoul.horizon"), r]


@njit(cache=True, error_model="numpy")
def spin_up(K: np.ndarray, S: np.ndarray, lanes: int) -> None:
    """Start in balance: the others settle against Seoul's initial posture before month 1.

    They run ``structure.start.spinup_months`` months (per lane) with Seoul's posture held and
    expected rather than drawn launches (ODD "Initialisation"); then Seoul's indices are computed.

    Args:
        K: knob table.
        S: state table (Seoul's posture and government set), written in place.
        lanes: number of lanes R.
    """
    for r in range(lanes):
        S[ix("russia.support"), r] = russia_target(K, r)
        a, m = S[ix("rok.us_alignment"), r], S[ix("rok.china_engagement"), r]
        j, d = S[ix("rok.japan_cooperation"), r], S[ix("rok.derisking"), r]
        month = 0
        while month < K[ix("structure.start.spinup_months"), r]:
            kappa, tau, chi = usa_targets(K, r, a, m)
            step(K, S, r, ix("usa.commitment"), kappa, ix("structure.usa.commitment_rate"))
            step(K, S, r, ix("usa.tariff"), tau, ix("structure.usa.tariff_rate"))
            step(K, S, r, ix("usa.tech_controls"), chi, ix("structure.usa.tech_rate"))
            grievance = china_grievance(K, r, a, j)
            ret, rho = china_targets(K, r, S[ix("china.campaign"), r], a, m, d, grievance)
            step(K, S, r, ix("china.retaliation"), ret, ix("structure.china.retaliation_rate"))
            step(K, S, r, ix("china.restraint"), rho, ix("structure.china.restraint_rate"))
            q = japan_now(K, S, r, j)
            step(K, S, r, ix("japan.cooperation"), q, ix("structure.japan.cooperation_rate"))
            p = launch_now(K, S, r, a)
            S[ix("rok.threat"), r] = next_threat(
                K, r, S[ix("rok.threat"), r], S[ix("russia.support"), r], p
            )
            month += 1
        S[ix("rok.security"), r], S[ix("rok.economy"), r] = indices(K, S, r)


@njit(cache=True, error_model="numpy", forceinline=True)
def japan_now(K: np.ndarray, S: np.ndarray, r: int, j: float) -> float:
    """Japan's target in lane r at Seoul's cooperation j and the lane's current state."""
    threat, goodwill = S[ix("rok.threat"), r], S[ix("japan.goodwill"), r]
    controls, commitment = S[ix("japan.export_controls"), r], S[ix("usa.commitment"), r]
    return japan_target(K, r, threat, goodwill, controls, j, commitment)


@njit(cache=True, error_model="numpy", forceinline=True)
def launch_now(K: np.ndarray, S: np.ndarray, r: int, a: float) -> float:
    """This month's launch probability in lane r at Seoul's alignment a and the current state."""
    support, restraint = S[ix("russia.support"), r], S[ix("china.restraint"), r]
    return launch_probability(K, r, a, support, restraint, S[ix("dprk.detente"), r])


@njit(cache=True, error_model="numpy", forceinline=True)
def step(K: np.ndarray, S: np.ndarray, r: int, state: int, target: float, rate: int) -> None:
    """Move state row ``state`` of lane r toward ``target`` at the rate in knob row ``rate``."""
    S[state, r] = toward(S[state, r], target, K[rate, r])


@njit(cache=True, error_model="numpy", forceinline=True)
def others_lane(K: np.ndarray, S: np.ndarray, W: np.ndarray, r: int) -> None:
    """The five powers' month in lane r of a tile, given its launch probability (:func:`others_tile`)."""
    a, m = S[ix("rok.us_alignment"), r], S[ix("rok.china_engagement"), r]
    j, d = S[ix("rok.japan_cooperation"), r], S[ix("rok.derisking"), r]
    kappa, tau, chi = usa_targets(K, r, a, m)
    ret, rho = china_targets(K, r, S[ix("china.campaign"), r], a, m, d, china_grievance(K, r, a, j))
    launch = 1.0 if W[DRAW + LAUNCH, r] < W[HAZARD, r] else 0.0
    q = japan_now(K, S, r, j)
    step(K, S, r, ix("usa.commitment"), kappa, ix("structure.usa.commitment_rate"))
    step(K, S, r, ix("usa.tariff"), tau, ix("structure.usa.tariff_rate"))
    step(K, S, r, ix("usa.tech_controls"), chi, ix("structure.usa.tech_rate"))
    step(K, S, r, ix("china.retaliation"), ret, ix("structure.china.retaliation_rate"))
    step(K, S, r, ix("china.restraint"), rho, ix("structure.china.restraint_rate"))
    fade(K, S, r, ix("china.bonus"), ix("structure.china.bonus_persistence"))
    fade(K, S, r, ix("china.campaign"), ix("structure.china.campaign_persistence"))
    S[ix("dprk.launch"), r] = launch
    fade(K, S, r, ix("dprk.detente"), ix("structure.dprk.detente_persistence"))
    step(K, S, r, ix("japan.cooperation"), q, ix("structure.japan.cooperation_rate"))
    fade(K, S, r, ix("japan.export_controls"), ix("structure.japan.control_persistence"))
    fade(K, S, r, ix("japan.goodwill"), ix("structure.japan.goodwill_persistence"))
    S[ix("russia.support"), r] = russia_target(K, r)


@njit(cache=True, error_model="numpy", inline="always")
def others_tile(K: np.ndarray, S: np.ndarray, W: np.ndarray) -> None:
    """The five powers' month in every lane of a tile (:func:`others_month`); K, S, W its views.

    The launch hazard is one SIMD loop, its probability (``expm1``) a scalar loop, and the rest of
    the month (:func:`others_lane`) another SIMD loop.
    """
    for c in range(TILE):
        support, restraint = S[ix("russia.support"), c], S[ix("china.restraint"), c]
        a, detente = S[ix("rok.us_alignment"), c], S[ix("dprk.detente"), c]
        W[HAZARD, c] = dprk_rate(K, c, a, support, restraint, detente)
    for c in range(TILE):
        W[HAZARD, c] = launch_chance(W[HAZARD, c])
    for c in range(TILE):
        others_lane(K, S, W, c)


@njit(cache=True, error_model="numpy", forceinline=True)
def count_launches(S: np.ndarray, C: np.ndarray, start: int, n: int) -> None:
    """Add this month's launch (0/1) of lanes ``start .. start + n - 1`` to their launch counts."""
    for r in range(start, start + n):
        C[ix("dprk.launches"), r] += np.int64(S[ix("dprk.launch"), r])


@njit(cache=True, error_model="numpy")
def others_month(
    K: np.ndarray, S: np.ndarray, C: np.ndarray, noise: np.ndarray, t: int, lanes: int
) -> None:
    """The five powers' month: each decides from last month's state, then all apply.

    Washington, Beijing and Tokyo move toward their targets against Seoul's posture; Pyongyang draws
    its launch from the lane's noise; Moscow sets its support; bonuses, campaigns, détente, export
    controls and goodwill fade. Runs tile by tile (:mod:`sim.kernel.tiles`).

    Args:
        K: knob table.
        S: state table, written in place.
        C: counters (launches), written in place.
        noise: every lane's draws.
        t: the month's row of ``noise`` (steps - 1).
        lanes: number of lanes R (the tables' further columns are padding).
    """
    month_in_tiles(K, S, C, noise, t, lanes, np.empty((0, 0)), True, False)


@njit(cache=True, error_model="numpy", forceinline=True)
def fade(K: np.ndarray, S: np.ndarray, r: int, state: int, persistence: int) -> None:
    """Multiply state row ``state`` of lane r by the persistence in knob row ``persistence``."""
    S[state, r] = S[state, r] * K[persistence, r]


@njit(cache=True, error_model="numpy", inline="always")
def seoul_tile(K: np.ndarray, S: np.ndarray, W: np.ndarray) -> None:
    """Seoul's month in every lane of a tile (:func:`seoul_month`); K, S, W the tile's views.

    Each stage is one SIMD loop over the tile, except the logit weights
    (:func:`~sim.kernel.choice.weigh`), which call ``exp``.
    """
    for c in range(TILE):
        S[ix("rok.threat"), c] = next_threat(
            K, c, S[ix("rok.threat"), c], S[ix("russia.support"), c], S[ix("dprk.launch"), c]
        )
    for c in range(TILE):
        value_options(K, S, c, W)
    for c in range(TILE):
        for i in range(SIZE):
            weigh(K, S, c, W, i)
    for c in range(TILE):
        for i in range(SIZE):
            S[ix("rok.us_alignment") + i, c] = pick(K, S, c, W, i, W[DRAW + i, c])
    for c in range(TILE):
        security, economy = indices(K, S, c)
        S[ix("rok.security"), c], S[ix("rok.economy"), c] = security, economy
        S[ix("rok.record_security"), c] = S[ix("rok.record_security"), c] + security
        S[ix("rok.record_economy"), c] = S[ix("rok.record_economy"), c] + economy
        S[ix("rok.record_months"), c] = S[ix("rok.record_months"), c] + 1.0


@njit(cache=True, error_model="numpy")
def seoul_month(K: np.ndarray, S: np.ndarray, noise: np.ndarray, t: int, lanes: int) -> None:
    """Seoul's month: perceive the threat, value the nine options, choose, apply and keep the record.

    Runs tile by tile (:mod:`sim.kernel.tiles`).

    Args:
        K: knob table.
        S: state table, written in place.
        noise: every lane's draws.
        t: the month's row of ``noise`` (steps - 1).
        lanes: number of lanes R (the tables' further columns are padding).
    """
    month_in_tiles(
        K, S, np.empty((0, 0), dtype=np.int64), noise, t, lanes, np.empty((0, 0)), False, True
    )


@njit(cache=True, error_model="numpy")
def whole_month(
    K: np.ndarray,
    S: np.ndarray,
    C: np.ndarray,
    noise: np.ndarray,
    t: int,
    lanes: int,
    out: np.ndarray,
) -> None:
    """A month with no event and no election: the others', then Seoul's, then the observables.

    The same stages as :func:`others_month`, :func:`seoul_month` and :func:`observe_lanes` in the
    same order, tile by tile, in one pass over the tables (lanes are independent, so the numbers
    are those of the three passes).

    Args:
        K: knob table.
        S: state table, written in place.
        C: counters, written in place.
        noise: every lane's draws.
        t: the month's row of ``noise`` (steps - 1).
        lanes: number of lanes R.
        out: the month's observables, shape (3, R), written in place.
    """
    month_in_tiles(K, S, C, noise, t, lanes, out, True, True)


@njit(cache=True, error_model="numpy")
def month_in_tiles(
    K: np.ndarray,
    S: np.ndarray,
    C: np.ndarray,
    noise: np.ndarray,
    t: int,
    lanes: int,
    out: np.ndarray,
    others: bool,
    seoul: bool,
) -> None:
    """The month's stages tile by tile (:mod:`sim.kernel.tiles`): the others', Seoul's, or both.

    Load a tile, run the others' month (:func:`others_tile`) if ``others``, Seoul's
    (:func:`seoul_tile`) if ``seoul``, put the state back, count the launches if ``others``, and
    with both stages also the month's observables. Arguments as in :func:`whole_month`; ``C`` and
    ``out`` are not touched by the stages left out.
    """
    T = new_tile()
    Kt, St, W = views(T)
    for start in range(0, lanes, TILE):
        n = min(TILE, lanes - start)
        load(K, S, noise, t, start, n, T)
        if others:
            others_tile(Kt, St, W)
        if seoul:
            seoul_tile(Kt, St, W)
        unload(T, S, start, n)
        if others:
            count_launches(S, C, start, n)
        if others and seoul:
            for r in range(start, start + n):
                out[0, r], out[1, r], out[2, r] = observables(K, S, r)


@njit(cache=True, error_model="numpy")
def observe_lanes(K: np.ndarray, S: np.ndarray, out: np.ndarray, lanes: int) -> None:
    """Every lane's observables this month into ``out``, shape (3, R).

    Args:
        K: knob table.
        S: state table.
        out: UN-vote position, exports to China and to the US, written in place.
        lanes: number of lanes R.
    """
    for r in range(lanes):
        out[0, r], out[1, r], out[2, r] = observables(K, S, r)
