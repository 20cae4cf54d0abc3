"""The outcome classification (sim/contract/outcomes.py): order of the rules, exact margins and
floors, every class reachable, and the names attached at write time."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.contract.outcomes import (
    CAUGHT,
    HEDGING,
    OUTCOMES,
    TILT_CHINA,
    TILT_US,
    Thresholds,
    classify_codes,
    outcome_names,
)

T = Thresholds(security_floor=0.4, economic_floor=0.4, tilt_margin=0.25)


def code(a: float, m: float, s: float, e: float, t: Thresholds = T) -> int:
    return int(classify_codes([a], [m], [s], [e], t)[0])


def test_codes_are_the_indices_of_the_names() -> None:
    assert (HEDGING, TILT_US, TILT_CHINA, CAUGHT) == (0, 1, 2, 3)
    assert OUTCOMES[CAUGHT] == "caught_between_giants" and OUTCOMES[TILT_US] == "tilt_us"


@pytest.mark.parametrize(("a", "m"), [(1.0, 0.0), (0.0, 1.0), (0.5, 0.5)])
def test_caught_is_tested_first_whatever_the_posture(a: float, m: float) -> None:
    """Both indices below their floors: caught between giants, even with a strong lean."""
    assert code(a, m, s=0.1, e=0.1) == CAUGHT


def test_one_index_below_its_floor_is_not_caught() -> None:
    assert code(0.5, 0.5, s=0.1, e=0.9) == HEDGING
    assert code(0.5, 0.5, s=0.9, e=0.1) == HEDGING
    assert code(1.0, 0.0, s=0.1, e=0.9) == TILT_US


def test_floors_are_strict() -> None:
    """``caught`` needs each index strictly below its floor: at the floor it is not caught."""
    assert code(0.5, 0.5, s=0.4, e=0.1) == HEDGING
    assert code(0.5, 0.5, s=0.1, e=0.4) == HEDGING
    below = np.nextafter(0.4, 0.0)
    assert code(0.5, 0.5, s=below, e=below) == CAUGHT


def test_margin_is_inclusive_on_both_sides() -> None:
    """A lean of exactly the margin is a tilt (0.75 - 0.5 is exact in binary)."""
    assert code(0.75, 0.5, s=0.9, e=0.9) == TILT_US
    assert code(0.5, 0.75, s=0.9, e=0.9) == TILT_CHINA
    just_inside = np.nextafter(0.75, 0.0)
    assert code(just_inside, 0.5, s=0.9, e=0.9) == HEDGING
    assert code(0.5, just_inside, s=0.9, e=0.9) == HEDGING


def test_thresholds_are_used() -> None:
    wide = Thresholds(security_floor=0.4, economic_floor=0.4, tilt_margin=0.6)
    assert code(0.75, 0.5, s=0.9, e=0.9, t=wide) == HEDGING
    high = Thresholds(security_floor=0.95, economic_floor=0.95, tilt_margin=0.25)
    assert code(0.5, 0.5, s=0.9, e=0.9, t=high) == CAUGHT


def test_every_class_is_reachable() -> None:
    a = np.array([0.5, 0.9, 0.1, 0.5])
    m = np.array([0.5, 0.1, 0.9, 0.5])
    s = np.array([0.9, 0.9, 0.9, 0.1])
    e = np.array([0.9, 0.9, 0.9, 0.1])
    codes = classify_codes(a, m, s, e, T)
    assert codes.dtype == np.int8
    assert codes.tolist() == [HEDGING, TILT_US, TILT_CHINA, CAUGHT]


unit = st.floats(min_value=0.0, max_value=1.0)


@given(a=unit, m=unit, s=unit, e=unit, margin=st.floats(0.0, 1.0), floor=unit)
def test_each_class_means_its_definition(
    a: float, m: float, s: float, e: float, margin: float, floor: float
) -> None:
    t = Thresholds(security_floor=floor, economic_floor=floor, tilt_margin=margin)
    c = code(a, m, s, e, t)
    caught = s < floor and e < floor
    assert (c == CAUGHT) == caught
    if not caught:
        lean = a - m
        expected = TILT_US if lean >= margin else TILT_CHINA if lean <= -margin else HEDGING
        if margin == 0.0 and lean == 0.0:
            expected = TILT_CHINA  # both tilts hold at a zero margin; the later rule wins
        assert c == expected


def test_names_are_attached_once_at_write_time() -> None:
    names = outcome_names(np.array([3, 0, 1, 2], dtype=np.int8))
    assert names.to_pylist() == ["caught_between_giants", "hedging", "tilt_us", "tilt_china"]
    with pytest.raises(ValueError, match="unknown outcome code"):
        outcome_names([0, 4])
    with pytest.raises(ValueError, match="unknown outcome code"):
        outcome_names([-1])
