"""Run plans: seeds, common random numbers, run ids and blocks."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from sim.plan import DEFAULT_BLOCK_SIZE, RunPlan, run_seeds
from sim.scenario import Levels, Scenario

SCENARIO = Scenario(
    name="plan", levels=Levels(us_pressure=0.3, china_coercion=0.3, nk_provocation=0.3)
)


def _plan(n_points: int = 3, replications: int = 7, seed: int = 11, **kw: object) -> RunPlan:
    points = pd.DataFrame(
        {
            "point_id": np.arange(n_points, dtype=np.int64),
            "levels.us_pressure": np.linspace(0.0, 1.0, n_points),
            "world.china_inducement": np.linspace(0.5, 0.1, n_points),
        }
    )
    return RunPlan(
        name="p",
        kind="sweep",
        scenario=SCENARIO,
        points=points,
        replications=replications,
        batch_seed=seed,
        **kw,  # type: ignore[arg-type]
    )


def test_seeds_come_from_seed_sequence() -> None:
    expected = np.random.SeedSequence(11).generate_state(7, dtype=np.uint64)
    assert np.array_equal(run_seeds(11, 7), expected)
    assert np.array_equal(_plan().seeds, expected)
    assert run_seeds(11, 7).dtype == np.uint64


def test_common_random_numbers_and_run_ids() -> None:
    plan = _plan(n_points=3, replications=7)
    block = plan.block(0, 1000)
    assert block.run_start == 0 and block.run_stop == 21 == plan.n_runs
    assert np.array_equal(block.point_ids, np.repeat(np.arange(3), 7))
    assert np.array_equal(block.replicates, np.tile(np.arange(7), 3))
    # replicate k has the same seed at every point
    seeds = block.seeds.reshape(3, 7)
    assert (seeds == seeds[0]).all()
    assert len(set(seeds[0].tolist())) == 7
    # run_id = point_id * replications + replicate
    run_ids = np.arange(block.run_start, block.run_stop)
    assert np.array_equal(run_ids, block.point_ids * 7 + block.replicates)
    # lane values follow the point
    assert np.array_equal(block.lane_values["levels.us_pressure"], np.repeat([0.0, 0.5, 1.0], 7))


@pytest.mark.parametrize("block_size", [1, 4, 7, 20, 21, 5000])
def test_blocks_partition_the_plan(block_size: int) -> None:
    plan = _plan(n_points=3, replications=7)
    whole = plan.block(0, plan.n_runs)
    n_blocks = plan.n_blocks(block_size)
    assert n_blocks == -(-21 // block_size)
    blocks = [plan.block(i, block_size) for i in range(n_blocks)]
    assert [b.run_start for b in blocks] == list(range(0, 21, block_size))
    assert all(b.n_runs == block_size for b in blocks[:-1])
    assert np.array_equal(np.concatenate([b.seeds for b in blocks]), whole.seeds)
    assert np.array_equal(np.concatenate([b.point_ids for b in blocks]), whole.point_ids)
    for name in plan.parameters:
        joined = np.concatenate([b.lane_values[name] for b in blocks])
        assert np.array_equal(joined, whole.lane_values[name])
    with pytest.raises(IndexError):
        plan.block(n_blocks, block_size)


def test_single_scenario_plan() -> None:
    plan = RunPlan.single(SCENARIO, replications=5, seed=3)
    assert plan.kind == "run" and plan.n_points == 1 and plan.parameters == ()
    assert plan.n_runs == 5 and plan.batch_seed == 3
    assert plan.scenario.replications == 5 and plan.scenario.seed == 3
    assert plan.block_size is None
    block = plan.block(0, DEFAULT_BLOCK_SIZE)
    assert block.lane_values == {} and np.array_equal(block.seeds, run_seeds(3, 5))
    default = RunPlan.single(SCENARIO)
    assert default.replications == SCENARIO.replications and default.batch_seed == SCENARIO.seed


def test_fingerprint_tracks_what_is_computed() -> None:
    plan = _plan()
    assert plan.fingerprint() == _plan().fingerprint()
    assert plan.fingerprint() == replace(plan, block_size=16).fingerprint()
    assert plan.fingerprint() != _plan(seed=12).fingerprint()
    assert plan.fingerprint() != _plan(replications=8).fingerprint()
    other_points = plan.points.assign(**{"levels.us_pressure": [0.0, 0.4, 1.0]})
    assert plan.fingerprint() != replace(plan, points=other_points).fingerprint()
    other = replace(plan, scenario=SCENARIO.with_values({"world.russia_support": 0.9}))
    assert plan.fingerprint() != other.fingerprint()


def test_plan_rejects_bad_points() -> None:
    points = pd.DataFrame({"point_id": [1, 0], "levels.us_pressure": [0.1, 0.2]})
    with pytest.raises(ValueError, match="point_id"):
        RunPlan(
            name="p", kind="sweep", scenario=SCENARIO, points=points, replications=2, batch_seed=1
        )
    with pytest.raises(ValueError, match="replications"):
        _plan(replications=0)
