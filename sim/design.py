"""Sweep designs: the design matrix of a sweep's points for each sampler (grid, LHS, Sobol, Morris).

Pure functions of a validated :class:`~sim.sweep.Sweep` and its parameter axes; SALib draws the Sobol
(Saltelli) and Morris designs, SciPy the Latin hypercube. Rows are in the sampler's own order, so
``point_id`` indexes SALib's design matrix and the sensitivity analysis can read it back.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from sim.contract.manifest import MORRIS_LEVELS

if TYPE_CHECKING:
    from sim.sweep import Sweep

MAX_POINTS = 10_000_000
"""Largest number of sweep points a file may ask for."""

Fail = Callable[..., Exception]
"""Builds the error to raise, located at a field of the sweep file (``fail(message, *loc)``)."""


def morris_levels(sweep: Sweep) -> int:
    """The Morris grid levels of a sweep (its ``morris_levels`` or :data:`MORRIS_LEVELS`)."""
    return sweep.morris_levels or MORRIS_LEVELS


def design_matrix(
    sweep: Sweep, axes: dict[str, npt.NDArray[np.float64]], fail: Fail
) -> npt.NDArray[np.float64]:
    """The design matrix, shape (n_points, n_parameters), in the sampler's order.

    Args:
        sweep: the validated sweep.
        axes: per parameter, its grid values (grid) or ``[low, high]`` (other samplers).
        fail: builds the error for a design that is too large.

    Returns:
        the matrix.
    """
    names = list(axes)
    if sweep.sampler == "grid":
        n_points = int(np.prod([len(a) for a in axes.values()], dtype=object))
        if n_points > MAX_POINTS:
            raise fail(f"the grid has {n_points:,} points (at most {MAX_POINTS:,})", "parameters")
        mesh = np.meshgrid(*axes.values(), indexing="ij")  # last parameter varies fastest
        return np.column_stack([m.ravel() for m in mesh]).astype(np.float64)
    problem = salib_problem(axes)
    samples = int(sweep.samples or 0)
    if sweep.sampler == "lhs":
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=len(names), rng=np.random.default_rng(sweep.seed)).random(
            samples
        )
        return np.asarray(qmc.scale(unit, *np.array(problem["bounds"]).T), dtype=np.float64)
    d = len(names)
    if sweep.sampler == "morris":
        rows = samples * (d + 1)
    else:  # Saltelli: N * (2d + 2) rows with second-order indices, N * (d + 2) without
        rows = samples * (2 * d + 2 if sweep.calc_second_order else d + 2)
    if rows > MAX_POINTS:
        raise fail(f"gives about {rows:,} points (at most {MAX_POINTS:,})", "samples")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if sweep.sampler == "sobol":
            from SALib.sample import sobol

            second = bool(sweep.calc_second_order)
            matrix = sobol.sample(problem, samples, calc_second_order=second, seed=sweep.seed)
        else:
            from SALib.sample import morris

            levels = morris_levels(sweep)
            matrix = morris.sample(problem, samples, num_levels=levels, seed=sweep.seed)
    return np.asarray(matrix, dtype=np.float64)


def salib_problem(axes: dict[str, npt.NDArray[np.float64]]) -> dict[str, Any]:
    """SALib's problem dict (bounds: min and max of each axis).

    Args:
        axes: per parameter, its values.

    Returns:
        ``num_vars``, ``names`` and ``bounds``.
    """
    return {
        "num_vars": len(axes),
        "names": list(axes),
        "bounds": [[float(a.min()), float(a.max())] for a in axes.values()],
    }


def sampler_info(sweep: Sweep, axes: dict[str, npt.NDArray[np.float64]]) -> dict[str, Any]:
    """The manifest's ``sampler`` block.

    Args:
        sweep: the validated sweep.
        axes: per parameter, its values.

    Returns:
        ``kind``, ``samples``, ``problem`` and the sampler's options.
    """
    return {
        "kind": sweep.sampler,
        "samples": sweep.samples,
        "problem": salib_problem(axes),
        "calc_second_order": bool(sweep.calc_second_order) if sweep.sampler == "sobol" else None,
        "morris_levels": morris_levels(sweep) if sweep.sampler == "morris" else None,
    }
