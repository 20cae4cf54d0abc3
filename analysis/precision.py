"""Are the outcome shares precise enough? Wilson half-widths and the replications that would do.

:func:`check_precision` flags the points whose 95% interval is wider than asked (by default ±5
percentage points) and says how many replications per point would bring every interval within it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from analysis.labels import OUTCOME_LABELS
from analysis.summary import DEFAULT_MAX_HALF_WIDTH, Z95
from sim.contract.outcomes import OUTCOMES


@dataclass(frozen=True)
class PrecisionCheck:
    """Which points have 95% intervals wider than wanted, and the replications that would do.

    Args:
        max_half_width: the wanted interval half-width (e.g. 0.05 = 5 percentage points).
        n_points: number of points checked.
        flagged: one row per imprecise point: ``point_id``, ``n_runs``, ``outcome`` (the class with
            the widest interval), ``half_width`` and ``n_needed`` (replications per point).
    """

    max_half_width: float
    n_points: int
    flagged: pd.DataFrame

    @property
    def ok(self) -> bool:
        """True when every point meets the wanted precision."""
        return self.flagged.empty

    @property
    def replications_needed(self) -> int:
        """Replications per point that would bring every flagged point within the half-width."""
        return int(self.flagged["n_needed"].max()) if not self.ok else 0

    def message(self) -> str:
        """One-paragraph warning for the terminal and the report ('' when precise enough).

        Returns:
            The warning text.
        """
        if self.ok:
            return ""
        worst = self.flagged.loc[self.flagged["half_width"].idxmax()]
        h = 100 * self.max_half_width
        where = "" if self.n_points == 1 else f" at point {int(worst['point_id'])}"
        return (
            f"Precision: {len(self.flagged)} of {self.n_points} point(s) have a 95% interval wider "
            f"than ±{h:.1f} percentage points (widest ±{100 * worst['half_width']:.1f}"
            f" for {OUTCOME_LABELS[worst['outcome']]}{where}, {int(worst['n_runs'])} runs). "
            f"About {self.replications_needed} replications per point would bring every interval "
            f"within ±{h:.1f}."
        )


def _wilson_half_width(
    p: npt.NDArray[np.float64], n: npt.NDArray[np.float64], z: float
) -> npt.NDArray[np.float64]:
    z2 = z * z
    return z / (1 + z2 / n) * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n))


def replications_needed(
    p: npt.ArrayLike, max_half_width: float = DEFAULT_MAX_HALF_WIDTH, z: float = Z95
) -> npt.NDArray[np.int64]:
    """Replications that give a 95% interval no wider than ``±max_half_width`` at share ``p``.

    Uses ``n = z² p (1 - p) / h²``, raised where needed so the Wilson interval itself meets the
    target. A share of exactly 0 or 1 says nothing about the spread, so the worst case ``p = 0.5``
    is used there.

    Args:
        p: the share(s) to plan for (use the one closest to 0.5 per point).
        max_half_width: wanted half-width ``h``.
        z: standard-normal quantile.

    Returns:
        Integer replications, same shape as ``p``.
    """
    p_arr = np.asarray(p, dtype=float)
    p_arr = np.where(p_arr * (1 - p_arr) > 0, p_arr, 0.5)
    n = np.ceil(z * z * p_arr * (1 - p_arr) / max_half_width**2)
    n = np.maximum(n, 1.0)
    for _ in range(64):  # the Wilson half-width shrinks with n; step up until it is small enough
        short = _wilson_half_width(p_arr, n, z) > max_half_width
        if not short.any():
            break
        n = np.where(short, np.ceil(n * 1.05) + 1, n)
    return n.astype(np.int64)[()]


def check_precision(
    summary: pd.DataFrame, max_half_width: float = DEFAULT_MAX_HALF_WIDTH, z: float = Z95
) -> PrecisionCheck:
    """Flag points whose widest 95% interval has a half-width above ``max_half_width``.

    Args:
        summary: a summary table.
        max_half_width: wanted half-width (0.05 = 5 percentage points).
        z: standard-normal quantile the summary's intervals were computed with.

    Returns:
        The :class:`PrecisionCheck`.
    """
    lo = summary[[f"lo_{c}" for c in OUTCOMES]].to_numpy(dtype=float)
    hi = summary[[f"hi_{c}" for c in OUTCOMES]].to_numpy(dtype=float)
    share = summary[[f"share_{c}" for c in OUTCOMES]].to_numpy(dtype=float)
    half = (hi - lo) / 2
    widest = np.argmax(half, axis=1)
    rows = np.arange(len(summary))
    bad = half[rows, widest] > max_half_width + 1e-12
    p_worst = share[rows, np.argmax(share * (1 - share), axis=1)]
    flagged = pd.DataFrame(
        {
            "point_id": summary["point_id"].to_numpy()[bad],
            "n_runs": summary["n_runs"].to_numpy()[bad],
            "outcome": np.asarray(OUTCOMES, dtype=object)[widest[bad]],
            "half_width": half[rows, widest][bad],
            "n_needed": np.atleast_1d(replications_needed(p_worst[bad], max_half_width, z)),
        }
    )
    return PrecisionCheck(max_half_width=max_half_width, n_points=len(summary), flagged=flagged)
