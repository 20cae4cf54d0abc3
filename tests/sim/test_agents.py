"""Agents' rules in scripted situations (Model v2).

Each test builds a small lane model, writes state arrays directly (one scripted situation per lane)
and checks a target function, an index or one month of Seoul. The equations are the per-lane kernels
of :mod:`sim.kernel` (called here lane by lane through :func:`per_lane`); lanes carry different values,
so the tests also exercise the per-lane behaviour.
"""

from __future__ import annotations

import dataclasses
from typing import Any, NamedTuple

import numpy as np

from sim.kernel import choice, powers
from sim.kernel.layout import INDEX
from sim.model import GeoModel
from sim.scenario import Levels, Scenario
from sim.seoul import POSTURE

BASE = Scenario(
    name="agents", levels=Levels(us_pressure=0.4, china_coercion=0.4, nk_provocation=0.4)
)


def make_model(lanes: int, scenario: Scenario = BASE, **overrides: Any) -> GeoModel:
    """A lane model of ``scenario`` with seeds 1..R and per-lane or scalar overrides."""
    return GeoModel(scenario, seeds=np.arange(1, lanes + 1), **overrides)


class Posture(NamedTuple):
    """Seoul's posture, per lane: a, m, j, d."""

    a: np.ndarray
    m: np.ndarray
    j: np.ndarray
    d: np.ndarray


@dataclasses.dataclass(frozen=True)
class Outlook:
    """The others' state as Seoul sees it, per lane."""

    commitment: np.ndarray
    tariff: np.ndarray
    tech_controls: np.ndarray
    retaliation: np.ndarray
    restraint: np.ndarray
    inducement: np.ndarray
    japan: np.ndarray


def per_lane(fn: Any, model: GeoModel, *args: Any, state: bool = False) -> Any:
    """``fn(K, r, *args)`` (or ``fn(K, S, r, *args)``) for every lane r, args broadcast per lane.

    Returns:
        an array of shape (R,), or a tuple of them if ``fn`` returns a tuple.
    """
    table, rows = model.knobs.table, model.lanes
    cols = [np.broadcast_to(np.asarray(x, dtype=float), (rows,)) for x in args]
    head = (table, model.state) if state else (table,)
    out = [fn(*head, r, *(float(c[r]) for c in cols)) for r in range(rows)]
    if isinstance(out[0], tuple):
        return tuple(np.array(v) for v in zip(*out, strict=True))
    return np.array(out)


def usa_demand(model: GeoModel) -> np.ndarray:
    """Alignment Washington asks for, per lane."""
    return per_lane(powers.usa_demand, model)


def usa_targets(model: GeoModel, pos: Posture) -> tuple[np.ndarray, ...]:
    """Washington's commitment, tariff and tech-control targets against ``pos``."""
    return per_lane(powers.usa_targets, model, pos.a, pos.m)


def grievance(model: GeoModel, pos: Posture) -> np.ndarray:
    """Beijing's grievance at ``pos``."""
    return per_lane(powers.china_grievance, model, pos.a, pos.j)


def china_targets(model: GeoModel, pos: Posture) -> tuple[np.ndarray, ...]:
    """Beijing's retaliation and restraint targets against ``pos``."""
    g = grievance(model, pos)
    return per_lane(powers.china_targets, model, model.china.campaign, pos.a, pos.m, pos.d, g)


def inducement(model: GeoModel, pos: Posture, retaliation: np.ndarray) -> np.ndarray:
    """Beijing's inducement at ``pos`` and ``retaliation``."""
    g = grievance(model, pos)
    return per_lane(powers.china_inducement, model, model.china.bonus, pos.m, retaliation, g)


def dprk_rate(model: GeoModel) -> np.ndarray:
    """The North's monthly launch hazard."""
    m = model
    args = (m.rok.us_alignment, m.russia.support, m.china.restraint, m.dprk.detente)
    return per_lane(powers.dprk_rate, model, *args)


def next_threat(model: GeoModel, launch: np.ndarray) -> np.ndarray:
    """Seoul's threat after a month with ``launch``."""
    return per_lane(choice.next_threat, model, model.rok.threat, model.russia.support, launch)


def japan_target(model: GeoModel, pos: Posture, commitment: np.ndarray) -> np.ndarray:
    """Tokyo's cooperation target against ``pos`` and ``commitment``."""
    jp = model.japan
    args = (model.rok.threat, jp.goodwill, jp.export_controls, pos.j, commitment)
    return per_lane(powers.japan_target, model, *args)


def outlook(model: GeoModel) -> Outlook:
    """The others' current state, with the inducement at Seoul's current posture."""
    pos = Posture(*(getattr(model.rok, name) for name in POSTURE))
    return Outlook(
        commitment=model.usa.commitment.copy(),
        tariff=model.usa.tariff.copy(),
        tech_controls=model.usa.tech_controls.copy(),
        retaliation=model.china.retaliation.copy(),
        restraint=model.china.restraint.copy(),
        inducement=inducement(model, pos, model.china.retaliation),
        japan=model.japan.cooperation.copy(),
    )


def security_index(model: GeoModel, pos: Posture, out: Outlook, threat: np.ndarray) -> np.ndarray:
    """Seoul's (unclipped) security index."""
    args = (out.commitment, out.retaliation, out.restraint, out.japan, threat)
    return per_lane(choice.security_index, model, pos.a, pos.m, pos.j, *args)


def economic_index(model: GeoModel, pos: Posture, out: Outlook) -> np.ndarray:
    """Seoul's (unclipped) economic index."""
    args = (out.tariff, out.tech_controls, out.retaliation, out.inducement, out.japan)
    return per_lane(choice.economic_index, model, *pos, *args, model.japan.export_controls)


def option_values(model: GeoModel) -> np.ndarray:
    """The nine options' values in every lane, shape (9, R)."""
    values = np.empty((1 + 2 * len(POSTURE), model.lanes))
    for r in range(model.lanes):
        choice.value_options(model.knobs.table, model.state, r, values)
    return values


def posture(lanes: int, a: Any = 0.6, m: Any = 0.5, j: Any = 0.4, d: Any = 0.2) -> Posture:
    """A posture of ``lanes`` lanes from scalars or per-lane arrays."""
    return Posture(*(np.broadcast_to(np.asarray(v, float), (lanes,)).copy() for v in (a, m, j, d)))


def set_posture(model: GeoModel, pos: Posture) -> None:
    """Overwrite Seoul's posture in every lane."""
    for name, value in zip(POSTURE, pos, strict=True):
        setattr(model.rok, name, value.copy())


def increasing(x: np.ndarray) -> bool:
    """True if every element exceeds its predecessor."""
    return bool(np.all(np.diff(x) > 0))


def decreasing(x: np.ndarray) -> bool:
    """True if every element is below its predecessor."""
    return bool(np.all(np.diff(x) < 0))


# --- Washington: a demand with carrots and sticks ------------------------------------------------


def test_shortfall_from_the_demand_strains_commitment_and_raises_tariffs_and_controls() -> None:
    """Below the demand, the further short Seoul falls the lower κ and the higher τ and χ."""
    model = make_model(4)
    demand = float(usa_demand(model)[0])
    a = demand - np.array([0.0, 0.1, 0.2, 0.3])
    kappa, tau, chi = usa_targets(model, posture(4, a=a, m=0.3))
    assert decreasing(kappa) and increasing(tau) and increasing(chi), (kappa, tau, chi)


def test_meeting_the_demand_earns_full_commitment_and_base_tariffs() -> None:
    """At or above the demand (and no drift toward Beijing) Washington keeps its base commitment."""
    model = make_model(3)
    demand = float(usa_demand(model)[0])
    kappa, tau, _ = usa_targets(model, posture(3, a=np.array([demand, 0.95, 1.0]), m=0.3))
    p = model.knobs.structure.usa
    assert np.allclose(kappa, p.commitment_base[0])
    assert np.allclose(tau, p.tariff_base[0] + 0.4 * p.tariff_pressure[0])


def test_without_pressure_or_tension_commitment_is_unconditional() -> None:
    """With no US pressure and no US-China tension, Seoul's posture does not move κ's target."""
    model = make_model(5, us_pressure=0.0, us_china_tension=0.0)
    kappa, tau, chi = usa_targets(model, posture(5, a=np.linspace(0, 1, 5), m=np.linspace(1, 0, 5)))
    assert np.ptp(kappa) == 0 and np.ptp(tau) == 0 and np.all(chi == 0)


def test_tension_raises_the_demand_and_the_controls() -> None:
    """US-China tension raises what Washington asks for and the controls on sensitive trade."""
    tension = np.array([0.1, 0.4, 0.7, 1.0])
    model = make_model(4, us_china_tension=tension)
    _, _, chi = usa_targets(model, posture(4, a=0.5, m=0.5))
    assert increasing(usa_demand(model)) and increasing(chi)


# --- Beijing: coercion at alignment, inducement for engagement -------------------------------------


def test_retaliation_targets_alignment_beyond_what_beijing_tolerates() -> None:
    """Retaliation rises with alignment above the tolerated level, and is flat below it."""
    model = make_model(6)
    tol = float(model.knobs.structure.china.tolerated_alignment[0])
    a = np.array([tol - 0.2, tol - 0.1, tol, tol + 0.1, tol + 0.2, tol + 0.3])
    r, _ = china_targets(model, posture(6, a=a))
    assert r[0] == r[1] == r[2] and increasing(r[2:]), r


def test_retaliation_scales_with_coercion_and_is_zero_without_it() -> None:
    """Retaliation is proportional to ``china_coercion``; none at zero, also over a whole term."""
    coercion = np.array([0.0, 0.3, 0.6, 0.9])
    model = make_model(4, china_coercion=coercion)
    r, _ = china_targets(model, posture(4, a=0.8))
    assert r[0] == 0 and increasing(r)
    quiet = make_model(8, china_coercion=0.0)
    for _ in range(quiet.horizon):
        quiet.step()
    assert np.all(quiet.history["retaliation"] == 0)


def test_china_needs_korean_chips_so_coercion_falls_with_unhedged_sensitive_trade() -> None:
    """More engagement in sensitive trade (not de-risked) makes coercion costlier to China."""
    model = make_model(4)
    r_engaged, _ = china_targets(model, posture(4, a=0.8, m=np.array([0.2, 0.4, 0.6, 0.8])))
    r_derisked, _ = china_targets(model, posture(4, a=0.8, m=0.8, d=np.array([0.0, 0.3, 0.6, 0.9])))
    assert decreasing(r_engaged) and increasing(r_derisked)


def test_restraint_of_the_north_rises_with_engagement_and_falls_with_grievance() -> None:
    """China restrains Pyongyang more when Seoul engages, less when Seoul aligns past tolerance."""
    model = make_model(4)
    _, rho_m = china_targets(model, posture(4, a=0.4, m=np.array([0.2, 0.4, 0.6, 0.8])))
    _, rho_a = china_targets(model, posture(4, a=np.array([0.6, 0.7, 0.8, 0.9]), m=0.5))
    assert increasing(rho_m) and decreasing(rho_a)


def test_inducement_rewards_engagement_and_is_withdrawn_for_alignment_and_retaliation() -> None:
    """Beijing's offer rises with m, has strings (falls with alignment) and is cut while retaliating."""
    model = make_model(4, china_inducement=0.8)
    zero = np.zeros(4)
    by_m = inducement(model, posture(4, a=0.4, m=np.array([0.2, 0.4, 0.6, 0.8])), zero)
    by_a = inducement(model, posture(4, a=np.array([0.6, 0.7, 0.8, 0.9])), zero)
    by_r = inducement(model, posture(4, a=0.4), np.array([0.0, 0.3, 0.6, 0.9]))
    assert increasing(by_m) and decreasing(by_a) and decreasing(by_r)


# --- Pyongyang --------------------------------------------------------------------------------------


def test_dprk_hazard_rises_with_provocation_and_alignment_falls_with_restraint_and_detente() -> (
    None
):
    """Launch hazard: up with n and US-ROK alignment, down with China's restraint and détente."""
    model = make_model(4, nk_provocation=np.array([0.2, 0.4, 0.6, 0.8]))
    assert increasing(dprk_rate(model))
    model = make_model(4)
    model.rok.us_alignment = np.array([0.2, 0.4, 0.6, 0.8])
    assert increasing(dprk_rate(model))
    model.rok.us_alignment = np.full(4, 0.6)
    model.china.restraint = np.array([0.2, 0.4, 0.6, 0.8])
    assert decreasing(dprk_rate(model))
    model.dprk.detente = np.array([0.0, 0.3, 0.6, 1.0])
    rate = dprk_rate(model)
    assert decreasing(rate) and rate[-1] == 0


def test_no_provocation_means_no_random_launches() -> None:
    """At nk_provocation 0 the North never launches on its own."""
    model = make_model(64, nk_provocation=0.0)
    for _ in range(model.horizon):
        model.step()
    assert np.all(model.dprk.launches == 0)


def test_launch_raises_perceived_threat_which_then_decays_to_its_chronic_level() -> None:
    """A launch month lifts threat; without launches threat relaxes toward its chronic level."""
    model = make_model(2, nk_provocation=0.5)
    before = model.rok.threat.copy()
    jumped = next_threat(model, np.array([0.0, 1.0]))
    assert jumped[1] > jumped[0] >= 0
    p = model.knobs.structure.seoul
    chronic = p.chronic_threat * 0.5
    model.rok.threat = np.array([0.9, 0.0])
    for _ in range(200):
        model.rok.threat = next_threat(model, np.zeros(2))
    assert np.allclose(model.rok.threat, chronic, atol=1e-6), (model.rok.threat, chronic, before)


# --- Tokyo -----------------------------------------------------------------------------------------


def test_japan_values_the_tie_more_with_threat_china_tension_reassurance_and_goodwill() -> None:
    """Japan's cooperation target rises with the North's threat, China-Japan tension, US
    commitment, summit goodwill and Seoul's own cooperation (reciprocity)."""
    grid = np.array([0.1, 0.3, 0.5, 0.7])
    pos = posture(4, j=0.3)
    model = make_model(4)
    model.rok.threat = grid
    assert increasing(japan_target(model, pos, np.full(4, 0.5)))
    model = make_model(4, china_japan_tension=grid)
    assert increasing(japan_target(model, pos, np.full(4, 0.5)))
    model = make_model(4)
    assert increasing(japan_target(model, pos, grid))
    model.japan.goodwill = grid
    assert increasing(japan_target(model, pos, np.full(4, 0.5)))
    model = make_model(4)
    assert increasing(japan_target(model, posture(4, j=grid), np.full(4, 0.5)))


def test_japan_cools_with_historical_grievance_and_its_own_export_controls() -> None:
    """Grievance and export controls lower Japan's cooperation target."""
    grid = np.array([0.0, 0.2, 0.4, 0.6])
    pos = posture(4, j=0.6)
    model = make_model(4, japan_grievance=grid)
    model.rok.threat = np.full(4, 0.8)
    assert decreasing(japan_target(model, pos, np.full(4, 0.9)))
    model = make_model(4)
    model.rok.threat = np.full(4, 0.8)
    model.japan.export_controls = grid
    assert decreasing(japan_target(model, pos, np.full(4, 0.9)))


# --- Seoul's indices ---------------------------------------------------------------------------


def test_retaliation_hits_the_economy_in_proportion_to_engagement_and_derisking_shields_it() -> (
    None
):
    """Retaliation lowers E, the more so the more Seoul engages; de-risking cushions it."""
    model = make_model(4)
    out = outlook(model)
    calm = dataclasses.replace(out, retaliation=np.zeros(4))
    hit = dataclasses.replace(out, retaliation=np.full(4, 0.8))
    by_m = posture(4, m=np.array([0.2, 0.4, 0.6, 0.8]), d=0.0)
    loss = economic_index(model, by_m, calm) - economic_index(model, by_m, hit)
    assert np.all(loss > 0) and increasing(loss)
    by_d = posture(4, m=0.7, d=np.array([0.0, 0.3, 0.6, 0.9]))
    loss_d = economic_index(model, by_d, calm) - economic_index(model, by_d, hit)
    assert decreasing(loss_d)


def test_tech_controls_hit_only_engaged_sensitive_trade() -> None:
    """US tech controls cost Seoul nothing without engagement, and more the more it engages."""
    model = make_model(4)
    out = outlook(model)
    free = dataclasses.replace(out, tech_controls=np.zeros(4))
    ctrl = dataclasses.replace(out, tech_controls=np.full(4, 0.8))
    pos = posture(4, m=np.array([0.0, 0.3, 0.6, 0.9]), d=0.0)
    loss = economic_index(model, pos, free) - economic_index(model, pos, ctrl)
    assert loss[0] == 0 and increasing(loss)


def test_security_rises_with_the_umbrella_and_falls_with_unanswered_threat() -> None:
    """S rises with US commitment (at a given alignment) and falls with the North's threat."""
    model = make_model(4)
    pos = posture(4, a=0.7)
    out = outlook(model)
    grid = np.array([0.2, 0.4, 0.6, 0.8])
    by_kappa = security_index(
        model, pos, dataclasses.replace(out, commitment=grid), np.full(4, 0.5)
    )
    by_threat = security_index(model, pos, out, grid)
    assert increasing(by_kappa) and decreasing(by_threat)


def test_chinese_assertiveness_is_a_threat_that_alignment_answers() -> None:
    """Balance of threat: the security value of alignment rises with China's coercion level."""
    coercion = np.array([0.1, 0.4, 0.7, 1.0])
    model = make_model(4, china_coercion=coercion)
    out = outlook(model)
    hi = security_index(model, posture(4, a=0.8), out, model.rok.threat)
    lo = security_index(model, posture(4, a=0.6), out, model.rok.threat)
    assert increasing(hi - lo)


# --- Seoul's strategic choice -------------------------------------------------------------------


def anticipated(model: GeoModel, state: str, share: str, target: np.ndarray) -> np.ndarray:
    """State ``state`` anticipated by Seoul: its share ``rok.ahead_<share>`` of the gap closed."""
    rows = (INDEX[state], INDEX[f"rok.ahead_{share}"])
    return np.array([choice.ahead(model.state, r, *rows, target[r]) for r in range(model.lanes)])


def test_horizon_zero_is_myopic() -> None:
    """At horizon 0 Seoul's anticipated state of the others is their current state."""
    model = make_model(3, **{"structure.seoul.horizon": 0.0})
    model.step()
    moved = posture(3, a=0.9, m=0.1, j=0.9, d=0.9)
    kappa, tau, chi = usa_targets(model, moved)
    ret, rho = china_targets(model, moved)
    q = japan_target(model, moved, model.usa.commitment)
    for state, share, target in (
        ("usa.commitment", "commitment", kappa),
        ("usa.tariff", "tariff", tau),
        ("usa.tech_controls", "tech_controls", chi),
        ("china.retaliation", "retaliation", ret),
        ("china.restraint", "restraint", rho),
        ("japan.cooperation", "japan", q),
    ):
        now = model.state[INDEX[state], : model.lanes]
        assert np.array_equal(anticipated(model, state, share, target), now), state


def test_seoul_anticipates_that_a_shortfall_costs_commitment_and_alignment_costs_retaliation() -> (
    None
):
    """With a horizon, a step down in alignment (short of the demand) is foreseen to lower κ, and a
    step up to raise Beijing's retaliation; the myopic Seoul foresees neither."""
    model = make_model(2, us_pressure=0.8, china_coercion=0.8, **{"structure.seoul.horizon": 12.0})
    model.rok.us_alignment = np.full(2, 0.6)
    step = model.knobs.structure.seoul.security_step
    stay, lower, higher = (posture(2, a=0.6 + s * step, m=0.5) for s in (0, -1, 1))
    commitment = [
        anticipated(model, "usa.commitment", "commitment", usa_targets(model, p)[0])
        for p in (stay, lower)
    ]
    retaliation = [
        anticipated(model, "china.retaliation", "retaliation", china_targets(model, p)[0])
        for p in (stay, higher)
    ]
    assert np.all(commitment[1] < commitment[0])  # a step down
    assert np.all(retaliation[1] > retaliation[0])  # a step up


def _move_codes(before: np.ndarray, after: np.ndarray, size: np.ndarray) -> np.ndarray:
    """-1, 0, +1 for a step down, stay or up (bounds clip a step)."""
    codes = np.full(before.shape, 99)
    codes[np.isclose(after, before)] = 0
    codes[np.isclose(after, np.clip(before - size, 0, 1)) & (after < before)] = -1
    codes[np.isclose(after, np.clip(before + size, 0, 1)) & (after > before)] = 1
    assert np.all(codes != 99), "every move must be down, stay or up by one step"
    return codes


def test_zero_rationality_moves_uniformly_at_random() -> None:
    """With rationality 0 the three moves of each posture variable are about equally frequent."""
    lanes = 3000
    model = make_model(lanes, rationality=0.0)
    before = [getattr(model.rok, name).copy() for name in POSTURE]
    model.step()
    p = model.knobs.structure.seoul
    sizes = [p.security_step, p.trade_step, p.security_step, p.trade_step]
    for name, start, size in zip(POSTURE, before, sizes, strict=True):
        codes = _move_codes(start, getattr(model.rok, name), size)
        shares = np.array([(codes == c).mean() for c in (-1, 0, 1)])
        # sd of a share is about 0.0086 at R = 3000; 0.045 is over five sd.
        assert np.all(np.abs(shares - 1 / 3) < 0.045), (name, shares)


def test_high_rationality_takes_the_best_anticipated_move() -> None:
    """With very high rationality Seoul picks the move of highest anticipated utility net of inertia."""
    lanes = 500
    rng = np.random.default_rng(11)
    model = make_model(
        lanes,
        rationality=5000.0,
        us_pressure=rng.uniform(0, 1, lanes),
        china_coercion=rng.uniform(0, 1, lanes),
        nk_provocation=rng.uniform(0, 1, lanes),
    )
    model.step()
    set_posture(model, posture(lanes, *(rng.uniform(0.05, 0.95, lanes) for _ in range(4))))
    rok = model.rok
    threat = rok.threat.copy()
    rok.threat = next_threat(model, model.dprk.launch)  # what Seoul perceives first in its month
    values = option_values(model)
    rok.threat = threat
    current = [getattr(rok, name).copy() for name in POSTURE]
    p = model.knobs.structure.seoul
    sizes = [p.security_step, p.trade_step, p.security_step, p.trade_step]
    rok.step()
    for i, name in enumerate(POSTURE):
        u = np.stack([values[1 + 2 * i], values[0], values[2 + 2 * i]])  # down, stay, up
        ordered = np.sort(u, axis=0)
        clear = (ordered[2] - ordered[1]) * rok.weights["rationality"] / sizes[i] > 14.0
        codes = _move_codes(current[i], getattr(rok, name), sizes[i])
        assert np.all(codes[clear] == u.argmax(axis=0)[clear] - 1), name
        assert clear.sum() > 50, (name, int(clear.sum()))


def test_posture_stays_in_unit_interval() -> None:
    """Posture never leaves [0, 1], even from the bounds with random, large moves."""
    lanes = 64
    corners = np.resize([0.0, 1.0], lanes)
    model = make_model(
        lanes,
        rationality=0.0,
        **{"structure.seoul.security_step": 0.2, "structure.seoul.trade_step": 0.2},
        **{f"initial.{name}": np.roll(corners, k) for k, name in enumerate(POSTURE)},
    )
    for _ in range(model.horizon):
        model.step()
    for name in POSTURE:
        path = model.history[name]
        assert path.min() == 0.0 and path.max() == 1.0, name
        assert np.all((path >= 0.0) & (path <= 1.0)), name
