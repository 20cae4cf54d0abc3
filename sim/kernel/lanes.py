"""Lane loops: each runs one stage of the month over every lane and writes into the state table.

``K`` is the knob table, ``S`` the state table and ``C`` the counters (:mod:`sim.kernel.layout`);
``noise`` holds every lane's uniform draws, shape (steps, len(NOISE_CHANNELS), R). A lane reads only
its own column and draws, so its numbers do not depend on the other lanes of the block.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.kernel.cache import TILE
from sim.kernel.choice import (
    OPTIONS,
    POSTURE,
    SIZE,
    WORK,
    indices,
    next_threat,
    pick,
    value_options,
    weigh,
)
from sim.kernel.layout import KNOB_NAMES, STATE_NAMES, ix
from sim.kernel.observe import observables
from sim.kernel.powers import (
    china_grievance,
    china_targets,
    japan_target,
    launch_probability,
    russia_target,
    toward,
    usa_targets,
)

NOISE_CHANNELS: tuple[str, ...] = (*POSTURE, "launch", "election")
"""Uniform draws each lane makes every month, in this order."""
LAUNCH = NOISE_CHANNELS.index("launch")
ELECTION = NOISE_CHANNELS.index("election")
KNOBS, STATES = len(KNOB_NAMES), len(STATE_NAMES)
DRAWS = KNOBS + STATES + WORK
"""Row of a tile's first posture draw (:func:`seoul_tile`)."""
ROWS = DRAWS + SIZE
"""Rows of a tile: the knobs, the state, Seoul's work rows and its posture draws."""


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


@njit(cache=True, error_model="numpy")
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


@njit(cache=True, error_model="numpy")
def japan_now(K: np.ndarray, S: np.ndarray, r: int, j: float) -> float:
    """Japan's target in lane r at Seoul's cooperation j and the lane's current state."""
    threat, goodwill = S[ix("rok.threat"), r], S[ix("japan.goodwill"), r]
    controls, commitment = S[ix("japan.export_controls"), r], S[ix("usa.commitment"), r]
    return japan_target(K, r, threat, goodwill, controls, j, commitment)


@njit(cache=True, error_model="numpy")
def launch_now(K: np.ndarray, S: np.ndarray, r: int, a: float) -> float:
    """This month's launch probability in lane r at Seoul's alignment a and the current state."""
    support, restraint = S[ix("russia.support"), r], S[ix("china.restraint"), r]
    return launch_probability(K, r, a, support, restraint, S[ix("dprk.detente"), r])


@njit(cache=True, error_model="numpy")
def step(K: np.ndarray, S: np.ndarray, r: int, state: int, target: float, rate: int) -> None:
    """Move state row ``state`` of lane r toward ``target`` at the rate in knob row ``rate``."""
    S[state, r] = toward(S[state, r], target, K[rate, r])


@njit(cache=True, error_model="numpy")
def others_lane(
    K: np.ndarray, S: np.ndarray, C: np.ndarray, noise: np.ndarray, t: int, r: int
) -> None:
    """The five powers' month in lane r (:func:`others_month`)."""
    a, m = S[ix("rok.us_alignment"), r], S[ix("rok.china_engagement"), r]
    j, d = S[ix("rok.japan_cooperation"), r], S[ix("rok.derisking"), r]
    kappa, tau, chi = usa_targets(K, r, a, m)
    ret, rho = china_targets(K, r, S[ix("china.campaign"), r], a, m, d, china_grievance(K, r, a, j))
    launch = 1.0 if noise[t, LAUNCH, r] < launch_now(K, S, r, a) else 0.0
    q = japan_now(K, S, r, j)
    step(K, S, r, ix("usa.commitment"), kappa, ix("structure.usa.commitment_rate"))
    step(K, S, r, ix("usa.tariff"), tau, ix("structure.usa.tariff_rate"))
    step(K, S, r, ix("usa.tech_controls"), chi, ix("structure.usa.tech_rate"))
    step(K, S, r, ix("china.retaliation"), ret, ix("structure.china.retaliation_rate"))
    step(K, S, r, ix("china.restraint"), rho, ix("structure.china.restraint_rate"))
    fade(K, S, r, ix("china.bonus"), ix("structure.china.bonus_persistence"))
    fade(K, S, r, ix("china.campaign"), ix("structure.china.campaign_persistence"))
    S[ix("dprk.launch"), r] = launch
    C[ix("dprk.launches"), r] += np.int64(launch)
    fade(K, S, r, ix("dprk.detente"), ix("structure.dprk.detente_persistence"))
    step(K, S, r, ix("japan.cooperation"), q, ix("structure.japan.cooperation_rate"))
    fade(K, S, r, ix("japan.export_controls"), ix("structure.japan.control_persistence"))
    fade(K, S, r, ix("japan.goodwill"), ix("structure.japan.goodwill_persistence"))
    S[ix("russia.support"), r] = russia_target(K, r)


@njit(cache=True, error_model="numpy")
def others_month(
    K: np.ndarray, S: np.ndarray, C: np.ndarray, noise: np.ndarray, t: int, lanes: int
) -> None:
    """The five powers' month: each decides from last month's state, then all apply.

    Washington, Beijing and Tokyo move toward their targets against Seoul's posture; Pyongyang draws
    its launch from the lane's noise; Moscow sets its support; bonuses, campaigns, détente, export
    controls and goodwill fade.

    Args:
        K: knob table.
        S: state table, written in place.
        C: counters (launches), written in place.
        noise: every lane's draws.
        t: the month's row of ``noise`` (steps - 1).
        lanes: number of lanes R (the tables' further columns are padding).
    """
    for r in range(lanes):
        others_lane(K, S, C, noise, t, r)


@njit(cache=True, error_model="numpy")
def fade(K: np.ndarray, S: np.ndarray, r: int, state: int, persistence: int) -> None:
    """Multiply state row ``state`` of lane r by the persistence in knob row ``persistence``."""
    S[state, r] = S[state, r] * K[persistence, r]


@njit(cache=True, error_model="numpy", forceinline=True)
def copy(source: np.ndarray, target: np.ndarray, n: int) -> None:
    """The first n values of ``source`` into ``target`` (two contiguous rows that do not overlap)."""
    for c in range(n):
        target[c] = source[c]


@njit(cache=True, error_model="numpy", inline="always")
def seoul_tile(
    K: np.ndarray, S: np.ndarray, noise: np.ndarray, t: int, start: int, n: int, T: np.ndarray
) -> None:
    """Seoul's month in lanes ``start .. start + n - 1`` (:func:`seoul_month`), through the tile T.

    The lanes' knobs, state and draws are copied into T (shape (ROWS, TILE)); each stage then runs
    as a loop over the tile's columns on T alone, which the compiler vectorises across lanes
    (except :func:`~sim.kernel.choice.weigh`, which calls ``exp``); the state goes back to S.
    Columns past n hold an earlier tile's lanes, computed and discarded.
    """
    for row in range(KNOBS):
        copy(K[row, start : start + n], T[row], n)
    for row in range(STATES):
        copy(S[row, start : start + n], T[KNOBS + row], n)
    for i in range(SIZE):
        copy(noise[t, i, start : start + n], T[DRAWS + i], n)
    Kt, St, W = T[:KNOBS], T[KNOBS : KNOBS + STATES], T[KNOBS + STATES :]
    for c in range(TILE):
        St[ix("rok.threat"), c] = next_threat(
            Kt, c, St[ix("rok.threat"), c], St[ix("russia.support"), c], St[ix("dprk.launch"), c]
        )
    for c in range(TILE):
        value_options(Kt, St, c, W)
    for c in range(TILE):
        for i in range(SIZE):
            weigh(Kt, St, c, W, i)
    for c in range(TILE):
        for i in range(SIZE):
            St[ix("rok.us_alignment") + i, c] = pick(Kt, St, c, W, i, W[WORK + i, c])
    for c in range(TILE):
        security, economy = indices(Kt, St, c)
        St[ix("rok.security"), c], St[ix("rok.economy"), c] = security, economy
        St[ix("rok.record_security"), c] = St[ix("rok.record_security"), c] + security
        St[ix("rok.record_economy"), c] = St[ix("rok.record_economy"), c] + economy
        St[ix("rok.record_months"), c] = St[ix("rok.record_months"), c] + 1.0
    for row in range(STATES):
        copy(T[KNOBS + row], S[row, start : start + n], n)


@njit(cache=True, error_model="numpy")
def seoul_month(K: np.ndarray, S: np.ndarray, noise: np.ndarray, t: int, lanes: int) -> None:
    """Seoul's month: perceive the threat, value the nine options, choose, apply and keep the record.

    Args:
        K: knob table.
        S: state table, written in place.
        noise: every lane's draws.
        t: the month's row of ``noise`` (steps - 1).
        lanes: number of lanes R (the tables' further columns are padding).
    """
    T = np.zeros((ROWS, TILE))
    for start in range(0, lanes, TILE):
        seoul_tile(K, S, noise, t, start, min(TILE, lanes - start), T)


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

    The same per-lane stages as :func:`others_month`, :func:`seoul_month` and :func:`observe_lanes`
    in the same order for each tile of lanes, in one pass over the tables (lanes are independent,
    so the numbers are those of the three passes).

    Args:
        K: knob table.
        S: state table, written in place.
        C: counters, written in place.
        noise: every lane's draws.
        t: the month's row of ``noise`` (steps - 1).
        lanes: number of lanes R.
        out: the month's observables, shape (3, R), written in place.
    """
    T = np.zeros((ROWS, TILE))
    for start in range(0, lanes, TILE):
        n = min(TILE, lanes - start)
        for r in range(start, start + n):
            others_lane(K, S, C, noise, t, r)
        seoul_tile(K, S, noise, t, start, n, T)
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
