"""Global sensitivity of the outcomes to the swept parameters (SALib Sobol and Morris).

Targets, one value per sweep point: the probability of each outcome class (its share of the point's
runs) and the point means of four final-window quantities. Sweep points are numbered in SALib's sample
order (docs/results.md), so the targets ordered by ``point_id`` line up with SALib's design rows.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze

from analysis.labels import OUTCOME_LABELS, variable_label
from analysis.results import Results, load_results
from analysis.summary import outcome_counts
from sim.contract.errors import ResultsError
from sim.contract.files import write_text_atomic
from sim.contract.manifest import MORRIS_LEVELS
from sim.contract.outcomes import OUTCOMES

MEAN_TARGETS: tuple[str, ...] = (
    "security_index",
    "economic_index",
    "us_alignment",
    "china_engagement",
)
"""Final-window quantities whose point means are analysed besides the outcome probabilities."""

SOBOL_COLUMNS: tuple[str, ...] = ("target", "parameter", "S1", "S1_conf", "ST", "ST_conf")
MORRIS_COLUMNS: tuple[str, ...] = ("target", "parameter", "mu_star", "mu_star_conf", "sigma")
SENSITIVITY_KINDS: tuple[str, ...] = ("sobol", "morris")


def target_label(target: str) -> str:
    """Words for a target column, e.g. ``share_tilt_us`` -> ``P(Tilt to US)``.

    Args:
        target: ``share_<class>`` or a final-window variable name.

    Returns:
        The label.
    """
    if target.startswith("share_") and target[6:] in OUTCOME_LABELS:
        return f"P({OUTCOME_LABELS[target[6:]]})"
    return f"{variable_label(target)} (mean)"


def point_targets(runs: pd.DataFrame) -> pd.DataFrame:
    """Per-point targets: share of each outcome class and means of :data:`MEAN_TARGETS`.

    Args:
        runs: rows of ``runs.parquet``.

    Returns:
        One row per ``point_id`` (sorted index) with columns ``share_<class>`` in OUTCOMES order,
        then the :data:`MEAN_TARGETS`.
    """
    counts = outcome_counts(runs, "point_id")
    shares = counts.div(counts.sum(axis=1), axis=0).add_prefix("share_")
    means = runs.groupby("point_id")[list(MEAN_TARGETS)].mean()
    return shares.join(means).sort_index()


def targets_of_points(points: pd.DataFrame) -> pd.DataFrame:
    """:func:`point_targets` of per-point counts and means (:attr:`analysis.results.Results.points`).

    Args:
        points: one row per point with ``n_runs``, ``n_<class>`` and ``mean_<variable>``.

    Returns:
        the same table as :func:`point_targets` of the runs behind them.
    """
    indexed = points.set_index("point_id").sort_index()
    n = indexed["n_runs"].to_numpy(dtype=float)
    shares = {f"share_{c}": indexed[f"n_{c}"].to_numpy(dtype=float) / n for c in OUTCOMES}
    means = {v: indexed[f"mean_{v}"].to_numpy(dtype=float) for v in MEAN_TARGETS}
    return pd.DataFrame({**shares, **means}, index=indexed.index)


def design_matrix(runs: pd.DataFrame, names: Sequence[str]) -> npt.NDArray[np.float64]:
    """Rebuild the sampler's design matrix from the parameter values recorded per run.

    Args:
        runs: rows of ``runs.parquet`` with one column per parameter.
        names: parameter columns in the problem's order.

    Returns:
        Array of shape (n_points, len(names)), rows ordered by ``point_id``.
    """
    return runs.groupby("point_id")[list(names)].first().sort_index().to_numpy(dtype=float)


def problem_of(results: Results) -> dict[str, Any]:
    """The SALib problem recorded in the manifest, checked against ``runs.parquet``.

    Args:
        results: the loaded results folder.

    Returns:
        A SALib problem dict (``num_vars``, ``names``, ``bounds``, optional ``groups``).

    Raises:
        ResultsError: no problem recorded, names not among the run columns, or points missing.
    """
    manifest_path = results.path / "manifest.json"
    problem = results.sampler.problem
    if not isinstance(problem, dict) or not problem.get("names") or not problem.get("bounds"):
        raise ResultsError(manifest_path, "sampler.problem: missing (needed for sensitivity)")
    names = [str(n) for n in problem["names"]]
    points = results.points
    missing = [n for n in names if n not in points.columns]
    if missing:
        raise ResultsError(results.table_path, f"missing parameter column(s): {', '.join(missing)}")
    point_ids = np.sort(points["point_id"].unique())
    expected = results.manifest.n_points
    if len(point_ids) != expected or point_ids[0] != 0 or point_ids[-1] != expected - 1:
        raise ResultsError(
            results.table_path,
            f"has {len(point_ids)} of {expected} sweep points; sensitivity needs every point "
            "(resume the sweep)",
        )
    out = {"num_vars": len(names), "names": names, "bounds": [list(b) for b in problem["bounds"]]}
    if problem.get("groups"):
        out["groups"] = list(problem["groups"])
    return out


def _factor_names(problem: dict[str, Any]) -> list[str]:
    groups = problem.get("groups")
    return list(dict.fromkeys(groups)) if groups else list(problem["names"])


def _varying(targets: pd.DataFrame) -> list[str]:
    values = targets.to_numpy(dtype=float)
    ok = np.isfinite(values).all(axis=0) & (np.ptp(values, axis=0) > 0)
    return [column for column, keep in zip(targets.columns, ok, strict=True) if keep]


def sobol_indices(
    problem: dict[str, Any],
    targets: pd.DataFrame,
    calc_second_order: bool = False,
    seed: int | None = 0,
    num_resamples: int = 100,
) -> pd.DataFrame:
    """First-order and total Sobol indices of every target (constant targets are skipped).

    Args:
        problem: SALib problem dict.
        targets: one row per point in SALib sample order, one column per target.
        calc_second_order: whether the sample was drawn with second-order terms.
        seed: seed of the bootstrap confidence intervals.
        num_resamples: bootstrap resamples.

    Returns:
        Long table with columns ``target, parameter, S1, S1_conf, ST, ST_conf``.

    Raises:
        ValueError: the number of points does not fit a Saltelli/Sobol design of this problem.
    """
    d = len(_factor_names(problem))
    block = 2 * d + 2 if calc_second_order else d + 2
    if len(targets) % block:
        raise ValueError(
            f"{len(targets)} points is not a multiple of {block} (Sobol design with {d} factors"
            f"{', second order' if calc_second_order else ''})"
        )
    rows = []
    for target in _varying(targets):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            result = sobol_analyze.analyze(
                problem,
                targets[target].to_numpy(dtype=float),
                calc_second_order=calc_second_order,
                num_resamples=num_resamples,
                seed=seed,
            )
        for j, name in enumerate(_factor_names(problem)):
            rows.append(
                (
                    target,
                    name,
                    *(float(result[k][j]) for k in ("S1", "S1_conf", "ST", "ST_conf")),
                )
            )
    return pd.DataFrame(rows, columns=list(SOBOL_COLUMNS))


def morris_indices(
    problem: dict[str, Any],
    design: npt.NDArray[np.float64],
    targets: pd.DataFrame,
    num_levels: int = 4,
    seed: int | None = 0,
    num_resamples: int = 100,
) -> pd.DataFrame:
    """Morris elementary-effect statistics of every target (constant targets are skipped).

    Args:
        problem: SALib problem dict.
        design: the Morris design matrix, rows in the same order as ``targets``.
        targets: one row per point, one column per target.
        num_levels: grid levels the trajectories were drawn with.
        seed: seed of the bootstrap confidence intervals.
        num_resamples: bootstrap resamples.

    Returns:
        Long table with columns ``target, parameter, mu_star, mu_star_conf, sigma``.
    """
    rows = []
    for target in _varying(targets):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            result = morris_analyze.analyze(
                problem,
                design,
                targets[target].to_numpy(dtype=float),
                num_resamples=num_resamples,
                num_levels=num_levels,
                seed=seed,
            )
        for j, name in enumerate(result["names"]):
            rows.append(
                (
                    target,
                    str(name),
                    float(result["mu_star"][j]),
                    float(result["mu_star_conf"][j]),
                    float(result["sigma"][j]),
                )
            )
    return pd.DataFrame(rows, columns=list(MORRIS_COLUMNS))


def analyse_sensitivity(results: Results) -> pd.DataFrame | None:
    """Sensitivity table of a Sobol or Morris sweep (``None`` for any other sampler).

    Args:
        results: the loaded results folder.

    Returns:
        The Sobol or Morris long table, or ``None`` when the sweep is not a sensitivity design.

    Raises:
        ResultsError: the manifest's problem or the set of points does not allow the analysis.
    """
    kind = results.sampler_kind
    if kind not in SENSITIVITY_KINDS:
        return None
    problem = problem_of(results)
    targets = targets_of_points(results.points)
    seed = int(results.manifest.batch_seed or 0) % 2**32
    try:
        if kind == "sobol":
            return sobol_indices(
                problem, targets, bool(results.sampler.calc_second_order), seed=seed
            )
        design = design_matrix(results.points, problem["names"])
        levels = results.sampler.morris_levels or MORRIS_LEVELS
        return morris_indices(problem, design, targets, num_levels=levels, seed=seed)
    except (ValueError, RuntimeError, IndexError) as error:
        raise ResultsError(results.table_path, f"{kind} analysis: {error}") from error


def write_sensitivity(
    folder: Path | str | Results, table: pd.DataFrame | None = None
) -> Path | None:
    """Write ``sensitivity.csv`` atomically, computing the table unless it is given.

    Args:
        folder: the results folder (or already loaded results).
        table: a table from :func:`analyse_sensitivity` for this folder, to avoid recomputing it.

    Returns:
        Path of ``sensitivity.csv``, or ``None`` when the sweep is not a Sobol/Morris design.

    Raises:
        ResultsError: the folder cannot be read or analysed.
    """
    results = folder if isinstance(folder, Results) else load_results(folder)
    if table is None:
        table = analyse_sensitivity(results)
    if table is None:
        return None
    text = table.to_csv(index=False, float_format="%.6g", lineterminator="\n")
    return write_text_atomic(results.path / "sensitivity.csv", text)
