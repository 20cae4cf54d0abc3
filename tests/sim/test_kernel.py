"""The numba kernels: one implementation, the same numbers compiled or not, their tables and cache.

``NUMBA_DISABLE_JIT=1`` runs the very same kernel code as plain Python (the only fallback); a run
must give bit-identical results either way. The compiled side runs here, the plain-Python side in
a subprocess (the switch is read when numba is imported).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sim.contract.columns import FINAL_VARIABLES, TRAJECTORY_VARIABLES
from sim.kernel import cache
from sim.kernel.lanes import others_tile, seoul_tile
from sim.kernel.layout import COUNTERS, INDEX, KNOB_NAMES, STATE_NAMES, ix, width
from sim.kernel.tiles import DRAW, DRAWN, KNOBS, ROWS, STATES, TILE_KNOBS
from sim.loader import load_scenario
from sim.model import GeoModel, simulate
from sim.scenario import LANE_FIELDS, Event

ROOT = Path(__file__).resolve().parents[2]
HISTORY = ROOT / "scenarios" / "history" / "korea-2013-2025.yaml"
ELECTIONS = {
    "structure.elections.enabled": 1.0,
    "structure.elections.first": 4.0,
    "structure.elections.period": 6.0,
}
STEPS = 14
"""Months simulated on each side: enough for two nuclear tests, a summit and elections."""
SEEDS = [3, 14, 15, 92]

RUN = f"""
import sys
import numpy as np
from sim.loader import load_scenario
from sim.model import simulate
scenario = load_scenario({str(HISTORY)!r}).with_values({ELECTIONS!r})
scenario = scenario.model_copy(update={{"steps": {STEPS}}})
result = simulate(scenario, {SEEDS!r}, {{"levels.us_pressure": np.array([0.1, 0.4, 0.7, 1.0])}})
np.savez(sys.argv[1], **{{"final/" + k: v for k, v in result.finals.items()}},
         **{{"trajectory/" + k: v for k, v in result.trajectories.items()}})
"""


def test_compiled_and_plain_python_kernels_give_identical_numbers(tmp_path: Path) -> None:
    """The kernel path and the same code with numba disabled agree bit for bit, run by run."""
    out = tmp_path / "plain.npz"
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1"}
    subprocess.run([sys.executable, "-c", RUN, str(out)], check=True, env=env, cwd=ROOT)
    plain = np.load(out)
    scenario = load_scenario(HISTORY).with_values(ELECTIONS).model_copy(update={"steps": STEPS})
    result = simulate(scenario, SEEDS, {"levels.us_pressure": np.array([0.1, 0.4, 0.7, 1.0])})
    for name in (*FINAL_VARIABLES, "launches", "outcome"):
        np.testing.assert_array_equal(result.finals[name], plain[f"final/{name}"], err_msg=name)
    for name in TRAJECTORY_VARIABLES:
        compiled = result.trajectories[name]
        np.testing.assert_array_equal(compiled, plain[f"trajectory/{name}"], err_msg=name)
    assert np.ptp(result.trajectories["us_alignment"]) > 0  # the runs did move


def test_tables_have_one_named_row_per_knob_and_state_variable() -> None:
    """Knob rows follow the schema's lane fields; ``ix`` resolves every name to its row."""
    assert KNOB_NAMES == LANE_FIELDS
    assert [ix(path) for path in LANE_FIELDS] == list(range(len(LANE_FIELDS)))
    assert [ix(name) for name in STATE_NAMES] == list(range(len(STATE_NAMES)))
    assert set(INDEX) == {*LANE_FIELDS, *STATE_NAMES, *COUNTERS}
    posture = [ix(f"rok.{name}") for name in ("us_alignment", "china_engagement")]
    posture += [ix(f"rok.{name}") for name in ("japan_cooperation", "derisking")]
    assert posture == list(range(posture[0], posture[0] + len(posture)))  # read as a block


def test_agents_and_knobs_are_views_of_the_tables() -> None:
    """An agent's array and a knob record are rows of the tables the kernels read and write."""
    model = GeoModel(seeds=[1, 2, 3])
    assert model.state.shape == (len(STATE_NAMES), width(3))
    assert np.shares_memory(model.usa.commitment, model.state)
    model.usa.tariff = np.array([0.1, 0.2, 0.3])
    assert model.state[ix("usa.tariff"), :3].tolist() == [0.1, 0.2, 0.3]
    assert np.shares_memory(model.knobs.structure.usa.tariff_rate, model.knobs.table)
    assert model.dprk.launches.dtype == np.int64
    assert width(8192) % cache.PAD == 0 and width(8192) > 8192  # rows not 2**k long


def test_cache_dir_falls_back_when_the_package_is_read_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """NUMBA_CACHE_DIR wins; else the package's __pycache__ if writable; else the user's cache."""
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "mine"))
    assert cache.cache_dir().parent == tmp_path / "mine"
    monkeypatch.delenv("NUMBA_CACHE_DIR")
    monkeypatch.setattr(cache.os, "access", lambda path, mode: True)
    assert cache.cache_dir().parent == cache.HERE / "__pycache__"
    monkeypatch.setattr(cache.os, "access", lambda path, mode: False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir().parent == tmp_path / "xdg" / "hedgesim"
    assert cache.cache_dir().name == f"numba-{cache.fingerprint()}"


def test_a_month_in_one_pass_equals_the_month_in_stages() -> None:
    """Months without events run fused (``whole_month``); an event that changes nothing forces the
    staged months and must leave every number as it was."""
    base = load_scenario(HISTORY).model_copy(update={"steps": STEPS, "events": ()})
    preset = base.government.preset
    same = [Event(step=s, kind="government_change", government=preset) for s in range(1, STEPS)]
    staged = base.model_copy(update={"events": tuple(same)})
    fused_result, staged_result = simulate(base, SEEDS), simulate(staged, SEEDS)
    for name in TRAJECTORY_VARIABLES:
        np.testing.assert_array_equal(
            fused_result.trajectories[name], staged_result.trajectories[name], err_msg=name
        )
    np.testing.assert_array_equal(fused_result.finals["launches"], staged_result.finals["launches"])


def test_a_tile_holds_every_knob_its_stages_read() -> None:
    """The tiled stages copy only some knob rows into a tile (:data:`TILE_KNOBS`): run on the whole
    knob table with every other row NaN, the others' and Seoul's month give the same numbers."""
    lanes = cache.TILE
    model = GeoModel(seeds=list(range(lanes)))
    hidden = model.knobs.table.copy()
    left_out = np.setdiff1d(np.arange(KNOBS), TILE_KNOBS)
    assert left_out.size > 0
    hidden[left_out] = np.nan
    states = []
    for knobs in (model.knobs.table, hidden):
        state = model.state.copy()
        work = np.zeros((ROWS - KNOBS - STATES, lanes))
        work[DRAW : DRAW + DRAWN] = model.noise_table[0, :DRAWN, :lanes]
        others_tile(knobs, state, work)
        seoul_tile(knobs, state, work)
        states.append(state[:, :lanes])
    assert not np.isnan(states[0]).any()
    np.testing.assert_array_equal(states[0], states[1])
