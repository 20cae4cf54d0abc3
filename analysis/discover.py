"""Scenario discovery on a sweep: which parameter ranges make an outcome class likely?

For each outcome class (one-vs-rest, so all four), the sweep's points where the class's share is at
least ``min_share`` (default 50%) are the cases of interest; a class that never reaches it takes half
its highest share instead, so that its box says where it is likeliest (and the sentence says so). PRIM (the EMA Workbench's
implementation, :mod:`ema_workbench.analysis.prim`) peels the parameter space into a box around
them; every step of its peeling trajectory trades coverage (the share of cases of interest inside
the box) against density (the share of points inside the box that are cases of interest). The box
reported is the densest one that still covers at least ``min_coverage`` of the cases (80% by
default). A CART tree (scikit-learn) on the same points gives feature scores: how much each
parameter separates cases from the rest.

The analysis reads only the sweep's per-point shares (the summary table); it never runs the model.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.tree import DecisionTreeClassifier

from analysis.labels import OUTCOME_LABELS, parameter_label
from sim.contract.outcomes import OUTCOMES

DEFAULT_MIN_SHARE = 0.5
"""A point is a case of interest for a class when the class's share there is at least this."""
DEFAULT_MIN_COVERAGE = 0.8
"""The box reported is the densest whose coverage is at least this."""
MIN_TRUSTED_CASES = 3
"""A box around fewer cases of interest is flagged as not to be trusted."""
CART_DEPTH = 3
"""Depth of the CART tree behind the feature scores."""


@dataclass(frozen=True)
class Box:
    """One class's PRIM box, with its peeling trajectory.

    Args:
        outcome: the class.
        min_share: the share that makes a point a case of interest.
        n_points: points in the sweep.
        n_cases: cases of interest among them.
        limits: parameter -> (low, high) of the restricted parameters (inclusive; None when the
            side is not restricted).
        coverage: share of the cases inside the box.
        density: share of the points inside the box that are cases.
        n_inside: points inside the box.
        trajectory: PRIM's peeling trajectory (``coverage``, ``density``, ``res_dim``, ``mass``),
            one row per box, with ``chosen`` marking the one reported.
        scores: CART feature score per parameter (sums to 1 unless no split was made).
        peak: the class's highest share at any point.
        asked: the share asked for; ``min_share`` is half of ``peak`` when the class never reaches it.
    """

    outcome: str
    min_share: float
    n_points: int
    n_cases: int
    limits: dict[str, tuple[float | None, float | None]]
    coverage: float
    density: float
    n_inside: int
    trajectory: pd.DataFrame
    scores: dict[str, float]
    peak: float = 1.0
    asked: float = DEFAULT_MIN_SHARE

    def sentence(self) -> str:
        """The box in words, e.g. ``caught between giants >= 50% when ...; coverage 81%, density 77%``."""
        label = OUTCOME_LABELS[self.outcome].lower()
        head = f"{label} ≥ {_pct(self.min_share)}"
        if self.peak == 0.0:
            return f"{label} occurs at none of the {self.n_points} points: no box"
        if self.n_cases == 0:
            return f"{head} at none of the {self.n_points} points: no box"
        if self.peak < self.asked:
            head = (
                f"{label} never reaches {_pct(self.asked)} (at most {_pct(self.peak)}); it is "
                f"≥ {_pct(self.min_share)} (half its peak)"
            )
        if not self.limits:
            where = "everywhere in the sweep (no parameter restricts it)"
        else:
            where = "when " + " and ".join(
                _condition(p, lo, hi) for p, (lo, hi) in self.limits.items()
            )
        cases = f"{self.n_cases} case" + ("" if self.n_cases == 1 else "s")
        warning = "; too few cases to trust" if self.n_cases < MIN_TRUSTED_CASES else ""
        return (
            f"{head} {where}; coverage {100 * self.coverage:.0f}%, density "
            f"{100 * self.density:.0f}% ({self.n_inside} of {self.n_points} points in the box, "
            f"{cases}{warning})"
        )


def _pct(share: float) -> str:
    """A share in percent: whole numbers, one decimal below 10%."""
    return f"{100 * share:.1f}%" if share < 0.1 else f"{100 * share:.0f}%"


def _condition(parameter: str, lo: float | None, hi: float | None) -> str:
    name = parameter.split(".")[-1]
    if lo is not None and hi is not None:
        return f"{lo:.3g} ≤ {name} ≤ {hi:.3g}"
    if lo is not None:
        return f"{name} ≥ {lo:.3g}"
    return f"{name} ≤ {hi:.3g}"


def _prim_trajectory(
    x: pd.DataFrame, y: np.ndarray
) -> tuple[pd.DataFrame, list[pd.DataFrame], pd.DataFrame]:
    """Run PRIM's first box; returns (trajectory, box limits per step, initial box)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the Workbench warns about optional parallel back-ends
        from ema_workbench.analysis import prim

    logging.getLogger("EMA").setLevel(logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # pandas deprecations inside the Workbench
        warnings.filterwarnings("ignore", message=".*inplace keyword.*")
        algorithm = prim.Prim(x, y.astype(int), peel_alpha=0.05, paste_alpha=0.05, mass_min=0.05)
        box = algorithm.find_box()
    trajectory = box.peeling_trajectory[["coverage", "density", "res_dim", "mass"]].astype(float)
    return trajectory.reset_index(drop=True), list(box.box_lims), algorithm.box_init


def _limits(lims: pd.DataFrame, init: pd.DataFrame) -> dict[str, tuple[float | None, float | None]]:
    out = {}
    for name in lims.columns:
        lo, hi = float(lims[name].iloc[0]), float(lims[name].iloc[1])
        lo0, hi0 = float(init[name].iloc[0]), float(init[name].iloc[1])
        low = lo if lo > lo0 else None
        high = hi if hi < hi0 else None
        if low is not None or high is not None:
            out[name] = (low, high)
    return out


def _inside(x: pd.DataFrame, limits: dict[str, tuple[float | None, float | None]]) -> np.ndarray:
    mask = np.ones(len(x), dtype=bool)
    for name, (lo, hi) in limits.items():
        if lo is not None:
            mask &= x[name].to_numpy() >= lo
        if hi is not None:
            mask &= x[name].to_numpy() <= hi
    return mask


def cart_scores(x: pd.DataFrame, y: np.ndarray, depth: int = CART_DEPTH) -> dict[str, float]:
    """CART feature scores: each parameter's share of the impurity decrease of a shallow tree.

    Args:
        x: the parameters per point.
        y: cases of interest (bool) per point.
        depth: tree depth.

    Returns:
        parameter -> score (all 0 when every point is of one kind).
    """
    if y.all() or not y.any():
        return dict.fromkeys(x.columns, 0.0)
    tree = DecisionTreeClassifier(max_depth=depth, random_state=0).fit(x.to_numpy(), y)
    return {name: float(v) for name, v in zip(x.columns, tree.feature_importances_, strict=True)}


def discover_class(
    points: pd.DataFrame,
    parameters: Sequence[str],
    outcome: str,
    *,
    min_share: float = DEFAULT_MIN_SHARE,
    min_coverage: float = DEFAULT_MIN_COVERAGE,
) -> Box:
    """PRIM box and CART scores of one class (one-vs-rest).

    Args:
        points: one row per point with the parameters and ``share_<class>`` (the summary table).
        parameters: the swept parameters (PRIM's inputs).
        outcome: the class.
        min_share: share at which a point is a case of interest (half the class's peak share when
            it never reaches this).
        min_coverage: the densest box with at least this coverage is reported.

    Returns:
        the box.
    """
    x = points[list(parameters)].astype(float).reset_index(drop=True)
    share = points[f"share_{outcome}"].to_numpy()
    peak = float(share.max()) if len(share) else 0.0
    asked = min_share
    if peak < min_share and peak > 0.0:
        min_share = round(peak / 2, 3)  # the class never reaches min_share: where it is likeliest
    y = share >= min_share
    scores = cart_scores(x, y)
    empty = pd.DataFrame(columns=["coverage", "density", "res_dim", "mass", "chosen"])
    if not y.any():
        return Box(outcome, min_share, len(x), 0, {}, 0.0, 0.0, 0, empty, scores, peak, asked)
    trajectory, lims, init = _prim_trajectory(x, y)
    eligible = trajectory[trajectory["coverage"] >= min_coverage - 1e-12]
    if eligible.empty:
        eligible = trajectory
    best = eligible.sort_values(["density", "coverage"], ascending=False).index[0]
    trajectory["chosen"] = trajectory.index == best
    limits = _limits(lims[best], init)
    inside = _inside(x, limits)
    coverage = float(y[inside].sum() / y.sum())
    density = float(y[inside].mean()) if inside.any() else 0.0
    return Box(
        outcome,
        min_share,
        len(x),
        int(y.sum()),
        limits,
        coverage,
        density,
        int(inside.sum()),
        trajectory,
        scores,
        peak,
        asked,
    )


def discover(
    points: pd.DataFrame,
    parameters: Sequence[str],
    outcomes: Sequence[str] = OUTCOMES,
    *,
    min_share: float = DEFAULT_MIN_SHARE,
    min_coverage: float = DEFAULT_MIN_COVERAGE,
) -> list[Box]:
    """Scenario discovery for several classes of a sweep, on its per-point shares.

    Args:
        points: one row per point with the parameters and ``share_<class>``: the summary table
            (:attr:`analysis.results.Results.summary`, from exact counts in an aggregate folder too).
        parameters: the swept parameters (at least one).
        outcomes: the classes to explain (default: all four).
        min_share: share at which a point is a case of interest.
        min_coverage: the densest box with at least this coverage is reported.

    Returns:
        one box per class, in the order given.

    Raises:
        ValueError: no parameters, or fewer than 4 points.
    """
    if not parameters:
        raise ValueError("scenario discovery needs a sweep (no parameters vary here)")
    if len(points) < 4:
        raise ValueError(f"scenario discovery needs at least 4 sweep points, not {len(points)}")
    return [
        discover_class(points, parameters, c, min_share=min_share, min_coverage=min_coverage)
        for c in outcomes
    ]


def boxes_table(boxes: Sequence[Box]) -> pd.DataFrame:
    """The boxes as a flat table (``discovery.csv``): one row per class.

    Args:
        boxes: from :func:`discover`.

    Returns:
        columns ``outcome``, ``min_share``, ``n_points``, ``n_cases``, ``n_inside``, ``coverage``,
        ``density``, ``box`` (the conditions in words), ``sentence`` and ``score_<parameter>``.
    """
    rows = []
    for box in boxes:
        conditions = " and ".join(_condition(p, lo, hi) for p, (lo, hi) in box.limits.items())
        row = {
            "outcome": box.outcome,
            "min_share": box.min_share,
            "n_points": box.n_points,
            "n_cases": box.n_cases,
            "n_inside": box.n_inside,
            "coverage": box.coverage,
            "density": box.density,
            "box": conditions,
            "sentence": box.sentence(),
        }
        row.update({f"score_{p}": s for p, s in box.scores.items()})
        rows.append(row)
    return pd.DataFrame(rows)


def scores_label(parameter: str) -> str:
    """Axis label of a parameter in the discovery figures."""
    return parameter_label(parameter)
