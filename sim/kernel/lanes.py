"""Lane loops: each runs one stage of the month over every lane and writes into the state table.

``K`` is the knob table and ``S`` the state table (:mod:`sim.kernel.layout`), both of shape (R,);
``noise`` holds every lane's uniform draws, shape (steps, len(NOISE_CHANNELS), R). A lane reads only
its own records and draws, so its numbers do not depend on the other lanes of the block.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.kernel.choice import POSTURE, SIZE, choose, indices, next_threat, value_options
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


@njit(cache=True)
def start(K: np.ndarray, S: np.ndarray) -> None:
    """Start in balance: Seoul's anticipation shares, then the others' spin-up, then the indices.

    Each actor's anticipated share of its gap is ``1 - (1 - rate)**horizon``. The others then run
    ``structure.start.spinup_months`` months (per lane) with Seoul's posture held and expected rather
    than drawn launches (ODD "Initialisation").

    Args:
        K: knob table.
        S: state table (Seoul's posture and government set), written in place.
    """
    for r in range(K.shape[0]):
        k, s = K[r], S[r]
        h = k["structure.seoul.horizon"]
        s["rok.ahead_commitment"] = 1.0 - (1.0 - k["structure.usa.commitment_rate"]) ** h
        s["rok.ahead_tariff"] = 1.0 - (1.0 - k["structure.usa.tariff_rate"]) ** h
        s["rok.ahead_tech_controls"] = 1.0 - (1.0 - k["structure.usa.tech_rate"]) ** h
        s["rok.ahead_retaliation"] = 1.0 - (1.0 - k["structure.china.retaliation_rate"]) ** h
        s["rok.ahead_restraint"] = 1.0 - (1.0 - k["structure.china.restraint_rate"]) ** h
        s["rok.ahead_japan"] = 1.0 - (1.0 - k["structure.japan.cooperation_rate"]) ** h
        s["russia.support"] = russia_target(k)
        a, m, j, d = s["rok.us_alignment"], s["rok.china_engagement"], s[
            "rok.japan_cooperation"
        ], s["rok.derisking"]
        month = 0
        while month < k["structure.start.spinup_months"]:
            kappa, tau, chi = usa_targets(k, a, m)
            s["usa.commitment"] = toward(
                s["usa.commitment"], kappa, k["structure.usa.commitment_rate"]
            )
            s["usa.tariff"] = toward(s["usa.tariff"], tau, k["structure.usa.tariff_rate"])
            s["usa.tech_controls"] = toward(
                s["usa.tech_controls"], chi, k["structure.usa.tech_rate"]
            )
            grievance = china_grievance(k, a, j)
            ret, rho = china_targets(k, s["china.campaign"], a, m, d, grievance)
            s["china.retaliation"] = toward(
                s["china.retaliation"], ret, k["structure.china.retaliation_rate"]
            )
            s["china.restraint"] = toward(
                s["china.restraint"], rho, k["structure.china.restraint_rate"]
            )
            q = japan_target(
                k, s["rok.threat"], s["japan.goodwill"], s["japan.export_controls"], j,
                s["usa.commitment"],
            )
            s["japan.cooperation"] = toward(
                s["japan.cooperation"], q, k["structure.japan.cooperation_rate"]
            )
            p = launch_probability(
                k, a, s["russia.support"], s["china.restraint"], s["dprk.detente"]
            )
            s["rok.threat"] = next_threat(k, s["rok.threat"], s["russia.support"], p)
            month += 1
        s["rok.security"], s["rok.economy"] = indices(k, s)


@njit(cache=True)
def others_month(K: np.ndarray, S: np.ndarray, noise: np.ndarray, t: int) -> None:
    """The five powers' month: each decides from last month's state, then all apply.

    Washington, Beijing and Tokyo move toward their targets against Seoul's posture; Pyongyang draws
    its launch from the lane's noise; Moscow sets its support; bonuses, campaigns, détente, export
    controls and goodwill fade.

    Args:
        K: knob table.
        S: state table, written in place.
        noise: every lane's draws.
        t: the month's row of ``noise`` (steps - 1).
    """
    for r in range(K.shape[0]):
        k, s = K[r], S[r]
        a, m, j, d = s["rok.us_alignment"], s["rok.china_engagement"], s[
            "rok.japan_cooperation"
        ], s["rok.derisking"]
        kappa, tau, chi = usa_targets(k, a, m)
        commitment = toward(s["usa.commitment"], kappa, k["structure.usa.commitment_rate"])
        tariff = toward(s["usa.tariff"], tau, k["structure.usa.tariff_rate"])
        tech = toward(s["usa.tech_controls"], chi, k["structure.usa.tech_rate"])
        ret, rho = china_targets(k, s["china.campaign"], a, m, d, china_grievance(k, a, j))
        retaliation = toward(s["china.retaliation"], ret, k["structure.china.retaliation_rate"])
        restraint = toward(s["china.restraint"], rho, k["structure.china.restraint_rate"])
        p = launch_probability(k, a, s["russia.support"], s["china.restraint"], s["dprk.detente"])
        launch = 1.0 if noise[t, LAUNCH, r] < p else 0.0
        q = japan_target(
            k, s["rok.threat"], s["japan.goodwill"], s["japan.export_controls"], j,
            s["usa.commitment"],
        )
        cooperation = toward(s["japan.cooperation"], q, k["structure.japan.cooperation_rate"])
        s["usa.commitment"], s["usa.tariff"], s["usa.tech_controls"] = commitment, tariff, tech
        s["china.retaliation"], s["china.restraint"] = retaliation, restraint
        s["china.bonus"] = s["china.bonus"] * k["structure.china.bonus_persistence"]
        s["china.campaign"] = s["china.campaign"] * k["structure.china.campaign_persistence"]
        s["dprk.launch"] = launch
        s["dprk.launches"] = s["dprk.launches"] + np.int64(launch)
        s["dprk.detente"] = s["dprk.detente"] * k["structure.dprk.detente_persistence"]
        s["japan.cooperation"] = cooperation
        s["japan.export_controls"] = (
            s["japan.export_controls"] * k["structure.japan.control_persistence"]
        )
        s["japan.goodwill"] = s["japan.goodwill"] * k["structure.japan.goodwill_persistence"]
        s["russia.support"] = russia_target(k)


@njit(cache=True)
def seoul_month(K: np.ndarray, S: np.ndarray, noise: np.ndarray, t: int) -> None:
    """Seoul's month: perceive the threat, value the nine options, choose, apply and keep the record.

    Args:
        K: knob table.
        S: state table, written in place.
        noise: every lane's draws.
        t: the month's row of ``noise`` (steps - 1).
    """
    values = np.empty(1 + 2 * SIZE)
    chosen = np.empty(SIZE)
    for r in range(K.shape[0]):
        k, s = K[r], S[r]
        s["rok.threat"] = next_threat(k, s["rok.threat"], s["russia.support"], s["dprk.launch"])
        value_options(k, s, values)
        for i in range(SIZE):
            chosen[i] = choose(k, s, values, i, noise[t, i, r])
        s["rok.us_alignment"], s["rok.china_engagement"] = chosen[0], chosen[1]
        s["rok.japan_cooperation"], s["rok.derisking"] = chosen[2], chosen[SIZE - 1]
        security, economy = indices(k, s)
        s["rok.security"], s["rok.economy"] = security, economy
        s["rok.record_security"] = s["rok.record_security"] + security
        s["rok.record_economy"] = s["rok.record_economy"] + economy
        s["rok.record_months"] = s["rok.record_months"] + 1.0


@njit(cache=True)
def observe_lanes(K: np.ndarray, S: np.ndarray, out: np.ndarray) -> None:
    """Every lane's observables this month into ``out``, shape (3, R).

    Args:
        K: knob table.
        S: state table.
        out: UN-vote position, exports to China and to the US, written in place.
    """
    for r in range(K.shape[0]):
        out[0, r], out[1, r], out[2, r] = observables(K[r], S[r])


@njit(cache=True)
def refresh_indices(K: np.ndarray, S: np.ndarray) -> None:
    """Recompute Seoul's indices at the current posture and state (after an external change).

    Args:
        K: knob table.
        S: state table, written in place.
    """
    for r in range(K.shape[0]):
        S[r]["rok.security"], S[r]["rok.economy"] = indices(K[r], S[r])
