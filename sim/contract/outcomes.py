"""The four outcome classes and the one rule that assigns them.

This module is the single place where a run's outcome is decided. It is pure numpy: the model calls it
on its final-window means, and analysis can call it again on ``runs.parquet`` with other thresholds.
Outcomes travel as integer codes (indices into :data:`OUTCOMES`) from the model to the writer; the
class names are attached once, when a table is written (:func:`outcome_names`).

Source of the classes (docs/sources.md): the 2025 commentary on President Lee Jae-myung's
recalibration of South Korean foreign policy — "partnering with the U.S. for security, engaging China
for economic opportunity" (hedging); "Seoul may be forced to choose" (tilt_us); "South Korea could
gradually tilt more toward Beijing" (tilt_china); "neither strong security guarantees nor robust
economic stability ... 'caught between giants'".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa

OUTCOMES: tuple[str, ...] = ("hedging", "tilt_us", "tilt_china", "caught_between_giants")
"""The outcome classes, in the order used by every table, legend and colour map."""

HEDGING, TILT_US, TILT_CHINA, CAUGHT = range(4)
"""The integer code of each class (its index in :data:`OUTCOMES`)."""

_NAMES = pa.array(OUTCOMES, type=pa.string())


def outcome_names(codes: npt.ArrayLike) -> pa.Array:
    """The class names of outcome codes, as the Arrow string column written to Parquet.

    Args:
        codes: integer codes in ``0..3``.

    Returns:
        an Arrow string array of the same length.

    Raises:
        ValueError: a code is not a class.
    """
    arr = np.asarray(codes, dtype=np.int64)
    if arr.size and (arr.min() < 0 or arr.max() >= len(OUTCOMES)):
        raise ValueError(f"unknown outcome code(s): {sorted(set(arr[(arr < 0) | (arr >= 4)]))}")
    return _NAMES.take(pa.array(arr))


@dataclass(frozen=True)
class Thresholds:
    """Documented, configurable thresholds of the classification.

    Args:
        security_floor: ``caught_between_giants`` needs the final-window security index below this.
        economic_floor: ... and the final-window economic index below this.
        tilt_margin: a tilt needs ``|us_alignment - china_engagement| >= tilt_margin``; the sign
            says toward whom. Anything closer to balance is ``hedging``.
    """

    security_floor: float = 0.4
    economic_floor: float = 0.4
    tilt_margin: float = 0.25


def classify_codes(
    us_alignment: npt.ArrayLike,
    china_engagement: npt.ArrayLike,
    security_index: npt.ArrayLike,
    economic_index: npt.ArrayLike,
    thresholds: Thresholds = Thresholds(),
) -> npt.NDArray[np.int8]:
    """Classify runs from their final-window means; returns codes indexing :data:`OUTCOMES`.

    ``caught_between_giants`` is tested first because it is about payoffs, not posture: both indices
    below their floors, whatever the posture. Otherwise the lean ``a - m`` decides between the
    two tilts and hedging.

    Args:
        us_alignment: final-window mean of Seoul's US alignment, shape (R,).
        china_engagement: final-window mean of Seoul's China engagement, shape (R,).
        security_index: final-window mean of the security index, shape (R,).
        economic_index: final-window mean of the economic index, shape (R,).
        thresholds: the classification thresholds.

    Returns:
        int8 array of shape (R,) with values in 0..3.
    """
    a = np.asarray(us_alignment, dtype=float)
    m = np.asarray(china_engagement, dtype=float)
    s = np.asarray(security_index, dtype=float)
    e = np.asarray(economic_index, dtype=float)
    lean = a - m
    codes = np.full(np.broadcast(a, m, s, e).shape, HEDGING, dtype=np.int8)
    codes[lean >= thresholds.tilt_margin] = TILT_US
    codes[lean <= -thresholds.tilt_margin] = TILT_CHINA
    codes[(s < thresholds.security_floor) & (e < thresholds.economic_floor)] = CAUGHT
    return codes
