"""The Wilson score interval: known values, vectorisation and its defining properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.summary import Z95, wilson_interval


@pytest.mark.parametrize(
    ("k", "n", "lo", "hi"),
    [
        (0, 10, 0.0, 0.2775),
        (5, 10, 0.2366, 0.7634),
        (10, 10, 0.7225, 1.0),
        (1, 10, 0.0179, 0.4042),
        (50, 100, 0.4038, 0.5962),
    ],
)
def test_known_values(k: int, n: int, lo: float, hi: float) -> None:
    got_lo, got_hi = wilson_interval(k, n)
    assert got_lo == pytest.approx(lo, abs=1e-4)
    assert got_hi == pytest.approx(hi, abs=1e-4)


def test_vectorised_and_broadcast() -> None:
    k = np.array([[0, 5, 10], [1, 2, 3]])
    lo, hi = wilson_interval(k, 10)
    assert lo.shape == hi.shape == (2, 3)
    assert lo[0, 1] == pytest.approx(0.2366, abs=1e-4)
    lo_n, hi_n = wilson_interval([3, 3], np.array([10, 100]))
    assert hi_n[1] - lo_n[1] < hi_n[0] - lo_n[0]


def test_scalar_input_gives_scalars() -> None:
    lo, hi = wilson_interval(3, 10)
    assert np.ndim(lo) == 0 and isinstance(float(hi), float)


def test_empty_sample_is_uninformative() -> None:
    lo, hi = wilson_interval(0, 0)
    assert (float(lo), float(hi)) == (0.0, 1.0)


def test_wider_for_higher_confidence() -> None:
    lo95, hi95 = wilson_interval(7, 20)
    lo99, hi99 = wilson_interval(7, 20, z=2.5758293035489)
    assert lo99 < lo95 and hi99 > hi95
    assert abs(Z95 - 1.959964) < 1e-6


@given(
    n=st.integers(min_value=1, max_value=1_000_000),
    fraction=st.floats(min_value=0.0, max_value=1.0),
    z=st.floats(min_value=0.1, max_value=5.0),
)
def test_interval_contains_the_estimate(n: int, fraction: float, z: float) -> None:
    k = round(fraction * n)
    lo, hi = wilson_interval(k, n, z)
    p = k / n
    assert 0.0 <= lo <= p <= hi <= 1.0
    if k == 0:
        assert lo == 0.0
    if k == n:
        assert hi == 1.0


@given(n=st.integers(min_value=1, max_value=10_000), k=st.integers(min_value=0, max_value=10_000))
def test_symmetric_in_success_and_failure(n: int, k: int) -> None:
    k = min(k, n)
    lo, hi = wilson_interval(k, n)
    lo_f, hi_f = wilson_interval(n - k, n)
    assert lo == pytest.approx(1 - hi_f, abs=1e-12)
    assert hi == pytest.approx(1 - lo_f, abs=1e-12)
