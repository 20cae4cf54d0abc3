"""The Wilson score interval: SciPy's values, vectorisation and its defining properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import binomtest, norm

from sim.contract.summary import Z95, wilson_interval


def scipy_wilson(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """SciPy's Wilson score interval (the reference implementation)."""
    ci = binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
    return float(ci.low), float(ci.high)


@pytest.mark.parametrize(
    ("k", "n"), [(0, 10), (5, 10), (10, 10), (1, 10), (50, 100), (3, 7), (999, 1000), (1, 2)]
)
def test_matches_scipy(k: int, n: int) -> None:
    lo, hi = wilson_interval(k, n)
    assert (float(lo), float(hi)) == pytest.approx(scipy_wilson(k, n), abs=1e-12)


@given(n=st.integers(min_value=1, max_value=100_000), fraction=st.floats(0.0, 1.0))
def test_matches_scipy_everywhere(n: int, fraction: float) -> None:
    k = round(fraction * n)
    lo, hi = wilson_interval(k, n)
    assert (float(lo), float(hi)) == pytest.approx(scipy_wilson(k, n), abs=1e-12)


def test_matches_scipy_at_another_confidence() -> None:
    z99 = float(norm.ppf(0.995))
    lo, hi = wilson_interval(7, 20, z=z99)
    assert (float(lo), float(hi)) == pytest.approx(scipy_wilson(7, 20, 0.99), abs=1e-12)


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
