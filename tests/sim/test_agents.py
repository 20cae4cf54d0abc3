"""Agents' rules in scripted situations.

Each test builds a small lane model, writes state arrays directly (one scripted situation per lane)
and checks a target function, an index or one decide/apply stage. Lanes carry different values, so
the tests also exercise the vectorised (per-lane) behaviour.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest

from sim.model import GeoModel
from sim.scenario import Levels, Scenario
from sim.seoul import POSTURE, economic_index, security_index

BASE = Scenario(
    name="agents", levels=Levels(us_pressure=0.4, china_coercion=0.4, nk_provocation=0.4)
)


def make_model(lanes: int, scenario: Scenario = BASE, **overrides: Any) -> GeoModel:
    """A lane model of ``scenario`` with seeds 1..R and per-lane or scalar overrides."""
    return GeoModel(scenario, seeds=np.arange(1, lanes + 1), **overrides)


def set_posture(model: GeoModel, **values: Any) -> None:
    """Overwrite Seoul's posture variables (scalars or per-lane arrays) in every lane."""
    for name, value in values.items():
        assert name in POSTURE, name
        setattr(model.rok, name, np.broadcast_to(np.asarray(value, float), (model.lanes,)).copy())


def strictly_increasing(x: np.ndarray) -> bool:
    """True if every element exceeds its predecessor."""
    return bool(np.all(np.diff(x) > 0))


# --- Seoul's indices ---------------------------------------------------------------------------


def test_retaliation_lowers_economic_index_of_aligned_seoul() -> None:
    """More Chinese retaliation while Seoul leans to Washington lowers its economic index."""
    model = make_model(4)
    set_posture(
        model, us_alignment=0.85, china_engagement=0.5, japan_cooperation=0.4, derisking=0.2
    )
    retaliation = np.array([0.0, 0.3, 0.6, 0.9])
    view = dataclasses.replace(model.rok.view(), retaliation=retaliation)
    rok = model.rok
    econ = economic_index(
        view, rok.us_alignment, rok.china_engagement, rok.japan_cooperation, rok.derisking
    )
    assert np.all((econ > 0) & (econ < 1)), econ  # interior: the comparison is not a clip artefact
    assert np.all(np.diff(econ) < 0), econ


def test_derisking_cushions_retaliation() -> None:
    """The economic loss from the same retaliation is smaller when Seoul has de-risked more."""
    model = make_model(4)
    set_posture(model, us_alignment=0.7, china_engagement=0.6, japan_cooperation=0.4)
    view = dataclasses.replace(model.rok.view(), retaliation=np.array([0.0, 0.8, 0.0, 0.8]))
    d = np.array([0.0, 0.0, 0.8, 0.8])
    rok = model.rok
    econ = economic_index(view, rok.us_alignment, rok.china_engagement, rok.japan_cooperation, d)
    loss_exposed, loss_derisked = econ[0] - econ[1], econ[2] - econ[3]
    assert loss_exposed > loss_derisked > 0


def test_security_index_rises_with_umbrella_and_falls_with_threat() -> None:
    """A more credible US umbrella raises security of an aligned Seoul; a higher threat lowers it."""
    model = make_model(6)
    set_posture(model, us_alignment=0.8, china_engagement=0.5, japan_cooperation=0.4)
    rok = model.rok
    base = model.rok.view()
    kappa = dataclasses.replace(base, commitment=np.array([0.2, 0.4, 0.6, 0.8, 0.9, 1.0]))
    sec_kappa = security_index(kappa, rok.us_alignment, rok.china_engagement, rok.japan_cooperation)
    assert strictly_increasing(sec_kappa), sec_kappa
    threat = dataclasses.replace(base, threat=np.array([0.0, 0.2, 0.4, 0.6, 0.8, 1.0]))
    sec_threat = security_index(
        threat, rok.us_alignment, rok.china_engagement, rok.japan_cooperation
    )
    assert np.all(np.diff(sec_threat) < 0), sec_threat


# --- USA ----------------------------------------------------------------------------------------


def test_commitment_erodes_when_seoul_drifts_under_high_pressure_only() -> None:
    """Alliance strain: drift toward Beijing lowers kappa* under high pressure, not under none."""
    # lanes: (pressure 0, aligned), (pressure 0, drifting), (pressure 0.8, aligned), (0.8, drifting)
    model = make_model(4, us_pressure=np.array([0.0, 0.0, 0.8, 0.8]))
    set_posture(
        model,
        us_alignment=np.array([0.9, 0.35, 0.9, 0.35]),
        china_engagement=np.array([0.4, 0.75, 0.4, 0.75]),
    )
    target = model.usa.commitment_target()
    assert target[0] == target[1]  # no pressure: drift costs nothing
    assert target[3] < target[2] - 0.2  # high pressure: drift erodes commitment
    # And the state follows: one month of decide/apply lowers kappa in the strained lane only.
    before = model.usa.commitment.copy()
    model.usa.decide()
    np.testing.assert_array_equal(model.usa.commitment, before)  # decide does not commit
    model.usa.apply()
    assert model.usa.commitment[3] < before[3]
    assert model.usa.commitment[1] == pytest.approx(before[1])


def test_tariff_rises_with_china_engagement_and_falls_with_derisking() -> None:
    """Tariffs follow China engagement in sensitive sectors, net of de-risking."""
    model = make_model(8, us_pressure=0.7, us_china_tension=0.8)
    set_posture(
        model,
        us_alignment=0.6,
        china_engagement=np.array([0.1, 0.4, 0.7, 1.0, 0.8, 0.8, 0.8, 0.8]),
        derisking=np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.3, 0.6, 0.9]),
    )
    target = model.usa.tariff_target()
    assert strictly_increasing(target[:4]), target
    assert np.all(np.diff(target[4:]) < 0), target


def test_tariff_is_flat_without_us_pressure() -> None:
    """With zero US pressure the tariff target ignores Seoul's China engagement."""
    model = make_model(3, us_pressure=0.0)
    set_posture(model, china_engagement=np.array([0.1, 0.5, 0.9]), derisking=0.0)
    target = model.usa.tariff_target()
    assert np.all(target == target[0])


# --- China --------------------------------------------------------------------------------------


def test_retaliation_target_rises_with_lean_to_washington() -> None:
    """Beijing's retaliation target rises as Seoul leans further toward Washington."""
    model = make_model(6, china_coercion=0.3)
    a = np.array([0.3, 0.45, 0.6, 0.7, 0.8, 0.95])
    set_posture(model, us_alignment=a, china_engagement=0.5, derisking=0.2)
    target = model.china.retaliation_target()
    assert target[0] == target[1] > 0  # no lean to Washington yet: only the baseline grievance
    assert strictly_increasing(target[1:]), target


def test_retaliation_target_scales_with_coercion() -> None:
    """Retaliation grows with ``levels.china_coercion`` and is exactly zero at zero coercion."""
    model = make_model(5, china_coercion=np.array([0.0, 0.2, 0.4, 0.6, 0.8]))
    set_posture(model, us_alignment=0.8, china_engagement=0.4)
    target = model.china.retaliation_target()
    assert target[0] == 0.0
    assert strictly_increasing(target), target


def test_no_coercion_means_no_retaliation_over_a_term() -> None:
    """Without coercion (and no retaliation event) China never retaliates, whatever Seoul does."""
    model = make_model(16, china_coercion=0.0, us_pressure=np.linspace(0.0, 1.0, 16))
    for _ in range(model.horizon):
        model.step()
    assert np.all(model.history["retaliation"] == 0.0)
    assert model.history["us_alignment"].max() > 0.7  # some lanes do lean to Washington


def test_restraint_target_higher_when_relations_are_good() -> None:
    """China restrains the North more when Seoul engages Beijing more than it aligns with Washington."""
    model = make_model(5)
    set_posture(model, us_alignment=0.55, china_engagement=np.array([0.3, 0.4, 0.5, 0.6, 0.7]))
    model.china.retaliation = np.zeros(5)
    good = model.china.restraint_target()
    assert strictly_increasing(good), good
    model.china.retaliation = np.full(5, 0.8)
    assert np.all(model.china.restraint_target() < good)


def test_inducement_rewards_engagement() -> None:
    """Market access offered rises with Seoul's China engagement."""
    model = make_model(4, china_inducement=0.6)
    set_posture(model, china_engagement=np.array([0.1, 0.4, 0.7, 1.0]))
    assert strictly_increasing(model.china.inducement())


# --- DPRK and threat ----------------------------------------------------------------------------


def test_dprk_hazard_rises_with_provocation_and_alignment_and_falls_with_restraint() -> None:
    """The launch hazard rises with nk_provocation and US alignment, falls with China's restraint."""
    n = np.array([0.0, 0.3, 0.6, 0.9])
    model = make_model(4, nk_provocation=n)
    set_posture(model, us_alignment=0.6)
    model.china.restraint = np.full(4, 0.5)
    by_provocation = model.dprk.rate()
    assert by_provocation[0] == 0.0
    assert strictly_increasing(by_provocation)

    model = make_model(4, nk_provocation=0.5)
    set_posture(model, us_alignment=np.array([0.2, 0.4, 0.6, 0.8]))
    model.china.restraint = np.full(4, 0.5)
    assert strictly_increasing(model.dprk.rate())
    set_posture(model, us_alignment=0.6)
    model.china.restraint = np.array([0.0, 0.3, 0.6, 0.9])
    assert np.all(np.diff(model.dprk.rate()) < 0)


def test_no_provocation_means_no_random_launches() -> None:
    """At nk_provocation 0 the North never launches on its own."""
    model = make_model(32, nk_provocation=0.0)
    for _ in range(model.horizon):
        model.step()
    assert np.all(model.dprk.launches == 0)


def test_launch_raises_perceived_threat() -> None:
    """In the lanes where a launch happened this month, Seoul perceives more threat."""
    model = make_model(4)
    model.rok.threat = np.array([0.2, 0.2, 0.6, 0.6])
    model.dprk.launch = np.array([0.0, 1.0, 0.0, 1.0])
    model.rok.perceive()
    threat = model.rok.threat
    assert threat[1] > threat[0] and threat[3] > threat[2]
    assert np.all((threat >= 0) & (threat <= 1))


def test_missile_test_event_raises_threat_which_then_decays() -> None:
    """A scheduled missile_test raises threat; with no launches afterwards it decays month by month."""
    quiet = BASE.with_values({"levels.nk_provocation": 0.0})
    shocked = Scenario.model_validate(
        {**quiet.model_dump(), "events": [{"step": 3, "kind": "missile_test"}]}
    )
    lanes = 4
    a, b = make_model(lanes, quiet), make_model(lanes, shocked)
    threat_a, threat_b = [], []
    for _ in range(12):
        a.step()
        b.step()
        threat_a.append(a.rok.threat.copy())
        threat_b.append(b.rok.threat.copy())
    ta, tb = np.array(threat_a), np.array(threat_b)
    np.testing.assert_array_equal(ta[:2], tb[:2])  # identical before the event
    assert np.all(tb[2] > ta[2] + 0.2)  # the launch month
    assert np.all(b.dprk.launches == 1)
    assert np.all(np.diff(tb[2:], axis=0) < 0)  # decays afterwards
    assert np.all(ta == 0.0)  # no provocation, no launches: no threat at all


def test_threat_decays_toward_chronic_level_without_launches() -> None:
    """Without launches threat relaxes geometrically toward half the provocation level."""
    n = np.array([0.0, 0.4, 0.8])
    model = make_model(3, nk_provocation=n)
    model.rok.threat = np.full(3, 0.9)
    model.dprk.launch = np.zeros(3)
    decay = model.knobs.mechanics.threat_decay
    previous = model.rok.threat.copy()
    for _ in range(10):
        model.rok.perceive()
        assert np.all(model.rok.threat < previous)
        np.testing.assert_allclose(model.rok.threat - 0.5 * n, decay * (previous - 0.5 * n))
        previous = model.rok.threat.copy()


# --- Japan --------------------------------------------------------------------------------------


def test_japan_cooperates_more_when_us_commitment_falls() -> None:
    """Cha's quasi-alliance: shared abandonment fear raises Japan's cooperation target."""
    model = make_model(4)
    set_posture(model, japan_cooperation=0.4, china_engagement=0.5)
    kappa = np.array([1.0, 0.7, 0.4, 0.1])
    target = model.japan.cooperation_target(kappa)
    assert strictly_increasing(target), target
    # The same through the agent's own decide/apply with kappa written into the USA agent.
    model.usa.commitment = kappa
    model.japan.cooperation = np.full(4, 0.3)
    model.japan.decide()
    model.japan.apply()
    assert strictly_increasing(model.japan.cooperation)


# --- Seoul's choice -----------------------------------------------------------------------------


def _move_codes(before: np.ndarray, after: np.ndarray, step: np.ndarray) -> np.ndarray:
    """-1, 0 or +1 per lane for a move down, no move or up of size ``step``."""
    delta = after - before
    codes = np.full(delta.shape, 99)
    codes[np.isclose(delta, -step)] = -1
    codes[np.isclose(delta, 0.0)] = 0
    codes[np.isclose(delta, step)] = 1
    assert np.all(codes != 99), "every move must be down, stay or up by one step"
    return codes


def test_zero_rationality_moves_uniformly_at_random() -> None:
    """With rationality 0 the three moves of each posture variable are about equally frequent."""
    lanes = 3000
    model = make_model(lanes, rationality=0.0)
    before = [getattr(model.rok, name).copy() for name in POSTURE]
    model.step()
    mech = model.knobs.mechanics
    sizes = [mech.security_step, mech.trade_step, mech.security_step, mech.trade_step]
    for name, start, size in zip(POSTURE, before, sizes, strict=True):
        codes = _move_codes(start, getattr(model.rok, name), size)
        shares = np.array([(codes == c).mean() for c in (-1, 0, 1)])
        # sd of a share is about 0.0086 at R = 3000; 0.045 is over five sd.
        assert np.all(np.abs(shares - 1 / 3) < 0.045), (name, shares)


def test_high_rationality_takes_the_best_move() -> None:
    """With very high rationality Seoul picks the utility-maximising move.

    Where the best move beats the runner-up by a clear margin (the logit odds of any other move are
    below 1e-6) the choice must be exactly the best move; over all lanes, each variable's best move
    is taken about as often as the logit probabilities say, and far more often than at random.
    """
    lanes = 1000
    rng = np.random.default_rng(11)
    model = make_model(
        lanes,
        rationality=5000.0,
        us_pressure=rng.uniform(0, 1, lanes),
        china_coercion=rng.uniform(0, 1, lanes),
        nk_provocation=rng.uniform(0, 1, lanes),
    )
    model.step()  # a month of world dynamics, so the view is not the initial one
    set_posture(model, **{name: rng.uniform(0.05, 0.95, lanes) for name in POSTURE})
    rok = model.rok
    view = rok.view()
    current = [getattr(rok, name).copy() for name in POSTURE]
    mech, g = model.knobs.mechanics, model.knobs.government
    sizes = [mech.security_step, mech.trade_step, mech.security_step, mech.trade_step]
    rok.decide()
    rok.apply()
    clear_counts = {}
    for i, name in enumerate(POSTURE):
        options = []
        for direction in (-1, 0, 1):
            args = [*current]
            args[i] = np.clip(current[i] + direction * sizes[i], 0.0, 1.0)
            cost = g.move_cost * np.abs(args[i] - current[i])  # inertia: per unit moved
            options.append(rok.utility(view, *args) - cost)
        u = np.array(options)  # (3, R): down, stay, up
        best = u.argmax(axis=0)
        codes = _move_codes(current[i], getattr(rok, name), sizes[i])
        took_best = codes == best - 1
        ordered = np.sort(u, axis=0)
        beta = g.rationality / sizes[i]  # precision per unit of posture moved
        clear = (ordered[2] - ordered[1]) * beta > 14.0
        assert np.all(took_best[clear]), name
        clear_counts[name] = int(clear.sum())
        weights = np.exp(beta * (u - ordered[2]))
        p_best = 1.0 / weights.sum(axis=0)  # the best option has weight 1
        expected, sd = p_best.sum(), np.sqrt((p_best * (1 - p_best)).sum())
        assert abs(took_best.sum() - expected) < 5 * sd + 1, (name, took_best.sum(), expected)
        assert took_best.mean() > 0.5, name  # random choice would give 1/3
    # The exact check covers many lanes for the security and trade variables.
    assert clear_counts["us_alignment"] > 200 and clear_counts["china_engagement"] > 100, (
        clear_counts
    )


def test_posture_stays_in_unit_interval() -> None:
    """Posture never leaves [0, 1], even from the bounds with random, large moves."""
    lanes = 64
    corners = np.resize([0.0, 1.0], lanes)
    model = make_model(
        lanes,
        rationality=0.0,
        security_step=0.2,
        trade_step=0.2,
        **{f"initial.{name}": np.roll(corners, k) for k, name in enumerate(POSTURE)},
    )
    for _ in range(model.horizon):
        model.step()
    for name in POSTURE:
        path = model.history[name]
        assert path.min() == 0.0 and path.max() == 1.0, name  # the bounds are reached ...
        assert np.all((path >= 0.0) & (path <= 1.0)), name  # ... and never crossed


# --- World agents' targets maximise their own utilities ------------------------------------------


def test_us_and_china_targets_maximise_their_own_utilities() -> None:
    """Washington's commitment and Beijing's retaliation targets are argmaxes of their utilities.

    For random postures and levels, evaluating ``security_utility + economic_utility`` on a grid of
    commitment (retaliation) values peaks at the agent's target, up to the grid spacing.
    """
    lanes = 200
    rng = np.random.default_rng(5)
    model = make_model(
        lanes,
        us_pressure=rng.uniform(0, 1, lanes),
        china_coercion=rng.uniform(0, 1, lanes),
    )
    set_posture(model, **{name: rng.uniform(0, 1, lanes) for name in POSTURE})
    grid = np.linspace(0.05, 1.0, 96)
    for agent, attr, target in (
        (model.usa, "commitment", model.usa.commitment_target()),
        (model.china, "retaliation", model.china.retaliation_target()),
    ):
        values = []
        for x in grid:
            setattr(agent, attr, np.full(lanes, x))
            values.append(agent.security_utility() + agent.economic_utility())
        best = grid[np.argmax(np.array(values), axis=0)]
        inside = (target > grid[0]) & (target < grid[-1])
        assert inside.sum() > 50, attr
        assert np.all(np.abs(best[inside] - target[inside]) <= grid[1] - grid[0]), attr
