"""The lane engine: reproducibility, lane independence, Mesa compatibility and invariants."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from typing import Any

import mesa
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.contract.columns import FINAL_VARIABLES as FINAL_VARS
from sim.contract.columns import TRAJECTORY_VARIABLES as TRAJECTORY_VARS
from sim.contract.outcomes import OUTCOMES
from sim.model import DEFAULT_SCENARIO, GeoModel, LaneResult, simulate
from sim.scenario import EVENT_KINDS, Event, Levels, Scenario
from sim.seoul import POSTURE

Seeds = Callable[[int, int], np.ndarray]

EVENTFUL = Scenario(
    name="eventful",
    steps=36,
    levels=Levels(us_pressure=0.5, china_coercion=0.5, nk_provocation=0.5),
    events=tuple(
        Event(
            step=2 + 2 * i,
            kind=kind,
            government="conservative" if kind == "government_change" else None,
        )
        for i, kind in enumerate(EVENT_KINDS)
    ),
)
"""A scenario that fires every kind of event once."""


def lane_parameters(lanes: int, seed: int) -> dict[str, np.ndarray]:
    """Random per-lane values for a spread of lane fields (levels, world, government, posture)."""
    rng = np.random.default_rng(seed)
    fields = [
        "levels.us_pressure",
        "levels.china_coercion",
        "levels.nk_provocation",
        "world.china_inducement",
        "world.us_china_tension",
        "world.china_japan_tension",
        "world.russia_support",
        "initial.us_alignment",
        "initial.china_engagement",
        "initial.japan_cooperation",
        "initial.derisking",
    ]
    values = {path: rng.uniform(0.0, 1.0, lanes) for path in fields}
    values["government.rationality"] = rng.uniform(0.0, 400.0, lanes)
    values["government.autonomy_weight"] = rng.uniform(0.0, 0.5, lanes)
    return values


def pick(values: dict[str, np.ndarray], k: int) -> dict[str, np.ndarray]:
    """The per-lane values of lane ``k`` alone, as arrays of shape (1,)."""
    return {path: v[k : k + 1] for path, v in values.items()}


def assert_lane_equal(one: LaneResult, r: int, block: LaneResult, k: int, part: str) -> None:
    """Assert lane ``r`` of ``one`` equals lane ``k`` of ``block`` bit for bit.

    Args:
        one, block: the two results.
        r, k: the lane in each.
        part: ``"trajectories"`` or ``"finals"`` (all their variables).
    """
    mine, theirs = getattr(one, part), getattr(block, part)
    assert mine.keys() == theirs.keys()
    for name in mine:
        assert np.array_equal(mine[name][r], theirs[name][k]), f"{part}[{name!r}] of lane {k}"


BLOCK = 512
PROBES = (0, 1, 137, 400, 511)


@pytest.fixture(scope="module")
def block_run(run_seeds: Seeds) -> tuple[np.ndarray, dict[str, np.ndarray], LaneResult]:
    """512 lanes of the eventful scenario, each with its own seed and its own parameters."""
    seeds = run_seeds(4242, BLOCK)
    values = lane_parameters(BLOCK, seed=7)
    return seeds, values, simulate(EVENTFUL, seeds, values)


def test_lane_alone_equals_lane_in_block_trajectories(
    block_run: tuple[np.ndarray, dict[str, np.ndarray], LaneResult],
) -> None:
    """A run simulated alone has bit-identical trajectories to the same run in a block of 512."""
    seeds, values, block = block_run
    for k in PROBES:
        alone = simulate(EVENTFUL, seeds[k : k + 1], pick(values, k))
        assert_lane_equal(alone, 0, block, k, "trajectories")


def test_lane_alone_equals_lane_in_block_finals(
    block_run: tuple[np.ndarray, dict[str, np.ndarray], LaneResult],
) -> None:
    """A run simulated alone has bit-identical finals (and launches, outcome) to the same run in a block."""
    seeds, values, block = block_run
    for k in PROBES:
        alone = simulate(EVENTFUL, seeds[k : k + 1], pick(values, k))
        assert_lane_equal(alone, 0, block, k, "finals")


def test_lane_result_does_not_depend_on_position(
    block_run: tuple[np.ndarray, dict[str, np.ndarray], LaneResult],
) -> None:
    """Permuting the lanes of a block permutes the results, bit for bit, finals included."""
    seeds, values, block = block_run
    order = np.random.default_rng(3).permutation(BLOCK)
    shuffled = simulate(EVENTFUL, seeds[order], {p: v[order] for p, v in values.items()})
    for name in TRAJECTORY_VARS:
        assert np.array_equal(shuffled.trajectories[name], block.trajectories[name][order]), name
    for name in (*FINAL_VARS, "launches", "outcome"):
        assert np.array_equal(shuffled.finals[name], block.finals[name][order]), name


def test_same_seed_same_result(small_scenario: Scenario, run_seeds: Seeds) -> None:
    """Two simulations with the same seeds agree exactly, finals and trajectories."""
    seeds = run_seeds(1, 32)
    first, second = simulate(small_scenario, seeds), simulate(small_scenario, seeds)
    for name in first.trajectories:
        assert np.array_equal(first.trajectories[name], second.trajectories[name]), name
    for name in first.finals:
        assert np.array_equal(first.finals[name], second.finals[name]), name


def test_different_seeds_differ(small_scenario: Scenario, run_seeds: Seeds) -> None:
    """Every run differs from the run with another seed (its random moves differ)."""
    first = simulate(small_scenario, run_seeds(1, 64))
    second = simulate(small_scenario, run_seeds(2, 64))
    for k in range(64):
        same = all(
            np.array_equal(first.trajectories[n][k], second.trajectories[n][k]) for n in POSTURE
        )
        assert not same, f"lanes {k} have identical posture paths with different seeds"


def test_lane_override_equals_scenario_value(small_scenario: Scenario, run_seeds: Seeds) -> None:
    """A per-lane override (by leaf or dotted name) equals a scenario with that value, bit for bit."""
    seeds = run_seeds(5, 16)
    changed = small_scenario.with_values({"levels.us_pressure": 0.8, "world.russia_support": 0.6})
    expected = simulate(changed, seeds)
    by_path = simulate(
        small_scenario,
        seeds,
        {"levels.us_pressure": np.full(16, 0.8), "world.russia_support": np.full(16, 0.6)},
    )
    by_leaf = GeoModel(small_scenario, seeds=seeds, us_pressure=0.8, russia_support=0.6)
    for _ in range(by_leaf.horizon):
        by_leaf.step()
    for name in TRAJECTORY_VARS:
        assert np.array_equal(by_path.trajectories[name], expected.trajectories[name]), name
        assert np.array_equal(by_leaf.history[name].T, expected.trajectories[name]), name


@pytest.mark.parametrize(
    "name", ["bogus", "levels.bogus", "steps", "final_window", "classification.final_window"]
)
def test_unknown_override_is_rejected(name: str) -> None:
    """GeoModel rejects override names that are not lane fields with a TypeError naming them."""
    with pytest.raises(TypeError, match=name):
        GeoModel(rng=1, **{name: 0.5})


def test_single_run_model_with_datacollector(run_seeds: Seeds) -> None:
    """At R = 1 an integer ``rng`` is the run seed, the DataCollector records every step, and the
    model stops at the horizon with the same numbers as :func:`simulate`."""
    seed = int(run_seeds(9, 1)[0])
    model = GeoModel(rng=seed)
    assert model.lanes == 1 and model.seeds[0] == seed
    while model.running:
        model.step()
    assert model.steps == DEFAULT_SCENARIO.steps
    frame = model.datacollector.get_model_vars_dataframe()
    assert set(frame.columns) == {*TRAJECTORY_VARS, "outcome"}
    assert len(frame) == DEFAULT_SCENARIO.steps
    reference = simulate(DEFAULT_SCENARIO, [seed])
    for name in TRAJECTORY_VARS:
        assert np.array_equal(frame[name].to_numpy(), reference.trajectories[name][0]), name
    assert frame["outcome"].iloc[-1] == OUTCOMES[reference.finals["outcome"][0]]


@pytest.fixture
def restore_start_method() -> Iterator[None]:
    """Undo ``mesa.batch_run``'s process-wide ``set_start_method("spawn", force=True)``."""
    method = multiprocessing.get_start_method(allow_none=True)
    yield
    multiprocessing.set_start_method(method, force=True)


@pytest.mark.usefixtures("restore_start_method")
def test_mesa_batch_run_matches_simulate(run_seeds: Seeds) -> None:
    """``mesa.batch_run`` over seeds and parameters gives the same runs as :func:`simulate`."""
    seeds = [int(s) for s in run_seeds(77, 3)]
    pressures, coercions = [0.2, 0.8], [0.3, 0.9]
    rows = mesa.batch_run(
        GeoModel,
        parameters={"us_pressure": pressures, "china_coercion": coercions},
        rng=seeds,
        max_steps=60,
        display_progress=False,
    )
    assert len(rows) == len(seeds) * len(pressures) * len(coercions)
    # The same runs as lanes of one simulate call.
    lane_seeds = [seeds[row["iteration"]] for row in rows]
    values = {
        "levels.us_pressure": np.array([row["us_pressure"] for row in rows]),
        "levels.china_coercion": np.array([row["china_coercion"] for row in rows]),
    }
    reference = simulate(DEFAULT_SCENARIO, lane_seeds, values)
    for k, row in enumerate(rows):
        assert row["rng"] == lane_seeds[k]
        assert row["Step"] == 60
        assert row["outcome"] == OUTCOMES[reference.finals["outcome"][k]], row
        for name in TRAJECTORY_VARS:
            assert row[name] == reference.trajectories[name][k, -1], (name, row)


# --- invariants over random valid scenarios -----------------------------------------------------

unit = st.floats(0.0, 1.0)


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    """Random valid scenarios: levels (some as schedules), world, government, initial posture,
    structure coefficients, elections and events."""
    steps = draw(st.integers(5, 24))
    weights = draw(st.tuples(*[st.floats(0.0, 1.0)] * 3).filter(lambda w: sum(w) > 0.01))
    events = draw(
        st.lists(
            st.builds(
                dict,
                step=st.integers(1, steps),
                kind=st.sampled_from([k for k in EVENT_KINDS if k != "government_change"]),
                magnitude=unit,
            ),
            max_size=4,
        )
    )
    data: dict[str, Any] = {
        "name": "random",
        "steps": steps,
        "levels": {
            k: draw(unit | st.tuples(st.tuples(st.just(0), unit), st.tuples(st.just(steps), unit)))
            for k in ("us_pressure", "china_coercion", "nk_provocation")
        },
        "world": {
            k: draw(unit)
            for k in (
                "china_inducement",
                "us_china_tension",
                "china_japan_tension",
                "russia_support",
            )
        },
        "government": {
            "security_weight": weights[0],
            "economy_weight": weights[1],
            "autonomy_weight": weights[2],
            "rationality": draw(st.floats(0.0, 5000.0)),
            "move_cost": draw(st.floats(0.0, 0.05)),
            "preset": draw(st.sampled_from(["pragmatic", "conservative", "progressive"])),
        },
        "initial": {
            k: draw(unit)
            for k in ("us_alignment", "china_engagement", "japan_cooperation", "derisking")
        },
        "structure": {
            "seoul": {
                "security_step": draw(st.floats(0.001, 0.2)),
                "trade_step": draw(st.floats(0.001, 0.2)),
                "threat_decay": draw(unit),
                "launch_shock": draw(unit),
                "horizon": draw(st.floats(0.0, 120.0)),
            },
            "dprk": {"launch_rate": draw(st.floats(0.0, 3.0))},
            "china": {"retaliation_rate": draw(unit)},
            "usa": {"commitment_rate": draw(unit)},
            "elections": {
                "enabled": draw(st.sampled_from([0.0, 1.0])),
                "first": 3.0,
                "period": 6.0,
            },
        },
        "events": events,
        "classification": {"final_window": draw(st.integers(1, steps))},
    }
    return Scenario.model_validate(data)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    scenario=scenarios(),
    seeds=st.lists(st.integers(0, 2**64 - 1), min_size=8, max_size=8),
    pressure=st.lists(unit, min_size=8, max_size=8),
)
def test_invariants_hold_for_random_scenarios(
    scenario: Scenario, seeds: list[int], pressure: list[float]
) -> None:
    """Every index and trajectory variable stays in [0, 1] without NaN, launches are counted
    sensibly, and every run gets one of the four outcome classes."""
    result = simulate(scenario, seeds, {"levels.us_pressure": np.array(pressure)})
    lanes, steps = len(seeds), scenario.steps
    for name in TRAJECTORY_VARS:
        path = result.trajectories[name]
        assert path.shape == (lanes, steps), name
        assert not np.isnan(path).any(), name
        assert np.all((path >= 0.0) & (path <= 1.0)), (name, path.min(), path.max())
    for name in FINAL_VARS:
        final = result.finals[name]
        assert final.shape == (lanes,) and np.all((final >= 0.0) & (final <= 1.0)), name
    launches = result.finals["launches"]  # launch months: at most one per month
    assert np.all((launches >= 0) & (launches <= steps)), launches
    assert result.finals["outcome"].dtype == np.int8
    assert set(result.finals["outcome"].tolist()) <= set(range(len(OUTCOMES)))


def test_a_scheduled_test_in_a_launch_month_counts_once() -> None:
    """With a launch drawn every month, scheduled missile tests add no extra launch months."""
    scenario = Scenario(
        name="every-month",
        steps=12,
        levels=Levels(us_pressure=0.3, china_coercion=0.3, nk_provocation=1.0),
        structure={"dprk": {"launch_rate": 5.0, "hazard_base": 2.0, "hazard_restraint": 0.0}},
        events=(Event(step=2, kind="missile_test"), Event(step=5, kind="missile_test")),
        classification={"final_window": 6},
    )
    result = simulate(scenario, np.arange(1, 17, dtype=np.uint64))
    assert np.all(result.finals["launches"] == 12)


def test_one_seed_scheme_for_lanes(run_seeds: Seeds) -> None:
    """An integer ``rng`` is the run seed of a single run and the batch seed of several lanes,
    split as the run plan splits it (SeedSequence), so lane k equals the plan's replicate k."""
    from sim.plan import run_seeds as plan_seeds

    assert GeoModel(rng=7).seeds.tolist() == [7]
    many = GeoModel(rng=7, lanes=5)
    np.testing.assert_array_equal(many.seeds, plan_seeds(7, 5))
    drawn = GeoModel(lanes=3)  # no integer: a batch seed drawn from Mesa's generator
    assert len(set(drawn.seeds.tolist())) == 3


def test_knobs_are_typed_records_of_the_schema() -> None:
    model = GeoModel(rng=1, lanes=2, us_pressure=np.array([0.1, 0.9]))
    np.testing.assert_array_equal(model.knobs.levels.us_pressure, [0.1, 0.9])
    assert model.knobs.world.us_china_tension.shape == (2,)
    with pytest.raises(AttributeError):
        _ = model.knobs.levels.us_presure  # a misspelt knob is an error
    with pytest.raises(AttributeError):
        model.knobs.levels.us_pressure = np.zeros(2)  # frozen
