"""The noise kernel draws, lane by lane, exactly what numpy's per-seed PCG64 generators draw."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.model import NOISE_CHANNELS, lane_noise
from sim.noise import uniform_lanes

ROOT = Path(__file__).resolve().parents[2]
EDGE_SEEDS = (0, 1, 2**31, 2**32 - 1, 2**32, 2**32 + 1, 2**63 - 1, 2**63, 2**64 - 1)
"""Seeds at the boundaries of SeedSequence's entropy words (one word below 2**32, two from it)."""


def numpy_lanes(seeds: list[int], steps: int, width: int) -> np.ndarray:
    """The reference: one ``Generator(PCG64(seed))`` per lane, in layout (steps, width, R)."""
    out = np.empty((steps, width, len(seeds)))
    for r, seed in enumerate(seeds):
        out[:, :, r] = np.random.Generator(np.random.PCG64(seed)).random((steps, width))
    return out


def test_edge_seeds_match_numpy() -> None:
    """Zero, small, 2**32 - 1, 2**32, 2**63 and 2**64 - 1 give numpy's streams bit for bit."""
    seeds = list(EDGE_SEEDS)
    got = uniform_lanes(np.array(seeds, dtype=np.uint64), 40, 3)
    assert got.shape == (40, 3, len(seeds))
    for r, seed in enumerate(seeds):
        assert np.array_equal(got[:, :, r], numpy_lanes([seed], 40, 3)[:, :, 0]), seed


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seeds=st.lists(
        st.one_of(st.integers(0, 2**64 - 1), st.sampled_from(EDGE_SEEDS)),
        min_size=1,
        max_size=12,
    ),
    steps=st.integers(0, 30),
    width=st.integers(1, 9),
)
def test_kernel_equals_numpy_generators(seeds: list[int], steps: int, width: int) -> None:
    """For any uint64 seeds, steps and width, every lane equals numpy's own generator bit for bit."""
    got = uniform_lanes(seeds, steps, width)
    assert got.dtype == np.float64
    assert np.array_equal(got, numpy_lanes(seeds, steps, width))


def test_lane_depends_only_on_its_seed() -> None:
    """A lane's draws are the same alone, among other lanes, and at another position."""
    seeds = np.array([2**64 - 1, 7, 2**32, 0, 123_456_789_012], dtype=np.uint64)
    block = uniform_lanes(seeds, 12, 4)
    reversed_block = uniform_lanes(seeds[::-1], 12, 4)
    for r, seed in enumerate(seeds):
        alone = uniform_lanes(np.array([seed], dtype=np.uint64), 12, 4)[:, :, 0]
        assert np.array_equal(block[:, :, r], alone)
        assert np.array_equal(reversed_block[:, :, len(seeds) - 1 - r], alone)


def test_lane_noise_keeps_its_layout(run_seeds) -> None:
    """``lane_noise`` gives (steps, channels, R), lane r from run seed r's PCG64 stream."""
    seeds = run_seeds(20261205, 6)
    noise = lane_noise(seeds, 25)
    assert noise.shape == (25, len(NOISE_CHANNELS), 6)
    assert np.array_equal(noise, numpy_lanes([int(s) for s in seeds], 25, len(NOISE_CHANNELS)))


def test_no_lanes_and_no_steps() -> None:
    """Empty inputs give empty arrays of the right shape."""
    assert uniform_lanes(np.array([], dtype=np.uint64), 5, 3).shape == (5, 3, 0)
    assert uniform_lanes([3], 0, 3).shape == (0, 3, 1)


def test_negative_seed_is_refused() -> None:
    """A seed outside uint64 is an error, not a silent wrap-around."""
    with pytest.raises(OverflowError):
        uniform_lanes([-1], 2, 2)


def test_uncompiled_path_is_the_same_code() -> None:
    """With ``NUMBA_DISABLE_JIT=1`` the same functions run as Python and still match numpy."""
    script = (
        "import json, sys, numpy as np, numba\n"
        "from sim.noise import uniform_lanes, _fill\n"
        "assert numba.config.DISABLE_JIT and not hasattr(_fill, 'py_func')\n"
        "seeds = json.loads(sys.argv[1])\n"
        "print(json.dumps(uniform_lanes(seeds, 3, 2).tolist()))\n"
    )
    seeds = [0, 5, 2**32, 2**64 - 1]
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1"}
    proc = subprocess.run(
        [sys.executable, "-W", "error", "-c", script, json.dumps(seeds)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    got = np.array(json.loads(proc.stdout))
    assert np.array_equal(got, numpy_lanes(seeds, 3, 2))
