"""A tiny batch shared by the engine, band and executor tests: 2 points x 30 replicates x 12 steps."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.blocklog import LOG_NAME, BlockLog
from sim.plan import RunPlan
from sim.scenario import Classification, Levels, Scenario

TINY = Scenario(
    name="tiny",
    steps=12,
    levels=Levels(us_pressure=0.4, china_coercion=0.4, nk_provocation=0.4),
    classification=Classification(final_window=6),
)
FILES = ("runs", "trajectories", "bands")


def tiny_plan(replications: int = 30, block_size: int = 16, trajectory_sample: int = 5) -> RunPlan:
    """2 points x 30 replicates x 12 steps."""
    points = pd.DataFrame({"point_id": [0, 1], "levels.us_pressure": [0.1, 0.9]})
    return RunPlan(
        name="tiny",
        kind="sweep",
        scenario=TINY,
        points=points,
        replications=replications,
        batch_seed=5,
        block_size=block_size,
        trajectory_sample=trajectory_sample,
    )


def read(folder: Path) -> dict[str, pd.DataFrame]:
    return {name: pd.read_parquet(folder / f"{name}.parquet") for name in FILES}


def assert_same(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    for name in FILES:
        pd.testing.assert_frame_equal(a[name], b[name], check_exact=True)


def logged_blocks(folder: Path) -> list[int]:
    """The blocks ``blocks.log`` lists as finished (lines that do not parse are skipped)."""
    return sorted(BlockLog(folder / LOG_NAME).read().records)
