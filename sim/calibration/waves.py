"""History matching in waves: designs, implausibility, the next wave's box, and importance weights.

Pure numpy functions (the runner feeds them the simulated statistics). Notation: ``s`` statistics
(target-years), ``n`` design points, ``reps`` replications per point. For a point with replicate mean
``m`` and replicate variance ``v`` of a statistic observed as ``z``, with measurement and discrepancy
variance ``e``, the implausibility is ``|z - m| / sqrt(e + v/reps)`` (Vernon, Goldstein and Bower
2010, with the simulator's own variance estimated from the replications instead of an emulator's)
and the point's synthetic log-likelihood is that of ``z ~ Normal(m, e + v + v/reps)``.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]


def wave_rng(seed: int, wave: int, stream: int) -> np.random.Generator:
    """An independent generator for one purpose of one wave (0: design, 1: run seeds, 2: draws).

    Args:
        seed: the calibration seed.
        wave: the wave number (``-1`` for the predictive stage).
        stream: what the numbers are for.
    """
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, wave + 1, stream])))


def unit_design(kind: Literal["sobol", "lhs"], d: int, n: int, rng: np.random.Generator) -> Array:
    """A space-filling design in the unit cube, from :mod:`scipy.stats.qmc`.

    Args:
        kind: ``sobol`` (scrambled) or ``lhs``.
        d: dimensions.
        n: points.
        rng: the design's generator.

    Returns:
        shape (n, d), values in [0, 1).
    """
    from scipy.stats import qmc

    if kind == "sobol":
        return qmc.Sobol(d=d, scramble=True, rng=rng).random(n)
    return qmc.LatinHypercube(d=d, rng=rng).random(n)


def summarise(stats: Array, reps: int) -> tuple[Array, Array]:
    """Replicate mean and variance of each statistic at each point.

    Args:
        stats: shape (n * reps, s), run ``i * reps + k`` is replicate ``k`` of point ``i``.
        reps: replications per point (at least 2).

    Returns:
        ``(mean, var)``, each shape (n, s); ``var`` uses ``ddof=1``.
    """
    shaped = stats.reshape(-1, reps, stats.shape[1])
    return shaped.mean(axis=1), shaped.var(axis=1, ddof=1)


def implausibility(obs: Array, fixed_var: Array, mean: Array, var: Array, reps: int) -> Array:
    """Standardised distance of each point's mean from each observation.

    Args:
        obs: observed values, shape (s,).
        fixed_var: measurement plus discrepancy variance, shape (s,).
        mean: replicate means, shape (n, s).
        var: replicate variances, shape (n, s).
        reps: replications per point.

    Returns:
        shape (n, s), non-negative.
    """
    return np.abs(obs - mean) / np.sqrt(fixed_var + var / reps)


def log_likelihood(obs: Array, fixed_var: Array, mean: Array, var: Array, reps: int) -> Array:
    """Gaussian synthetic log-likelihood of the observations at each point (up to a constant).

    Args:
        obs: observed values, shape (s,).
        fixed_var: measurement plus discrepancy variance, shape (s,).
        mean: replicate means, shape (n, s).
        var: replicate variances, shape (n, s).
        reps: replications per point.

    Returns:
        shape (n,).
    """
    total = fixed_var + var * (1.0 + 1.0 / reps)
    return -0.5 * np.sum((obs - mean) ** 2 / total + np.log(total), axis=1)


def episode_implausibility(sign: Array, sd: Array, mean: Array, var: Array, reps: int) -> Array:
    """Implausibility of qualitative episodes: a change in the wrong direction, standardised.

    Args:
        sign: +1 (expected increase) or -1 per episode, shape (e,).
        sd: each episode's tolerance, shape (e,).
        mean: replicate means of the change (after minus before), shape (n, e).
        var: their replicate variances, shape (n, e).
        reps: replications per point.

    Returns:
        shape (n, e): 0 where the mean change has the expected sign.
    """
    return np.maximum(0.0, -sign * mean) / np.sqrt(sd**2 + var / reps)


def episode_log_likelihood(sign: Array, sd: Array, mean: Array, var: Array, reps: int) -> Array:
    """Log-probability that a run's change has the expected sign (a probit soft constraint).

    Args:
        sign: +1 (expected increase) or -1 per episode, shape (e,).
        sd: each episode's tolerance, shape (e,).
        mean: replicate means of the change, shape (n, e).
        var: their replicate variances, shape (n, e).
        reps: replications per point.

    Returns:
        shape (n,): summed over episodes.
    """
    from scipy.stats import norm

    scale = np.sqrt(sd**2 + var * (1.0 + 1.0 / reps))
    return np.sum(norm.logcdf(sign * mean / scale), axis=1)


def next_box(
    unit: Array, keep: npt.NDArray[np.bool_], lo: Array, hi: Array, margin: float
) -> tuple[Array, Array]:
    """The box of the next wave: around the non-implausible points, widened, within the prior.

    Args:
        unit: the wave's points in the unit cube, shape (n, d).
        keep: which points are not implausible, shape (n,).
        lo: this wave's box, lower corner (d,).
        hi: this wave's box, upper corner (d,).
        margin: share of this wave's width added on each side.

    Returns:
        ``(lo, hi)`` of the next box; this wave's box when no point is kept.
    """
    if not keep.any():
        return lo.copy(), hi.copy()
    pad = margin * (hi - lo)
    new_lo = np.maximum(unit[keep].min(axis=0) - pad, 0.0)
    new_hi = np.minimum(unit[keep].max(axis=0) + pad, 1.0)
    return new_lo, new_hi


def normalised_weights(loglik: Array) -> Array:
    """Importance weights from log-likelihoods (a uniform design in a box under a uniform prior).

    Args:
        loglik: shape (n,).

    Returns:
        non-negative weights summing to 1.
    """
    w = np.exp(loglik - np.max(loglik))
    return w / w.sum()


def mixture_weights(
    loglik: Array, unit: Array, wave: npt.NDArray[np.int64], boxes: list[tuple[Array, Array]]
) -> Array:
    """Importance weights of the points of all waves pooled (deterministic-mixture sampling).

    Wave ``w`` drew its points uniformly in its box, so the pooled sample comes from the mixture
    ``q(x) = sum_w (n_w / n) 1[x in box_w] / vol(box_w)``; under a uniform prior on the unit cube
    the posterior weight of a point is its likelihood over ``q`` (Owen and Zhou 2000).

    Args:
        loglik: shape (n,).
        unit: the points in the unit cube, shape (n, d).
        wave: each point's wave, shape (n,).
        boxes: each wave's ``(lo, hi)``.

    Returns:
        non-negative weights summing to 1.
    """
    density = np.zeros(len(unit))
    for w, (lo, hi) in enumerate(boxes):
        share = np.mean(wave == w)
        volume = float(np.prod(np.maximum(hi - lo, 1e-300)))
        inside = np.all((unit >= lo - 1e-12) & (unit <= hi + 1e-12), axis=1)
        density += share * inside / volume
    logw = loglik - np.log(np.maximum(density, 1e-300))
    return normalised_weights(logw)


def effective_sample_size(weights: Array) -> float:
    """Kish's effective sample size ``(sum w)^2 / sum w^2``."""
    return float(weights.sum() ** 2 / np.sum(weights**2))


def weighted_quantiles(values: Array, weights: Array, qs: Array) -> Array:
    """Quantiles of a weighted sample (inverse of the weighted empirical CDF, midpoint rule).

    Args:
        values: shape (n,).
        weights: shape (n,), non-negative, not all zero.
        qs: probabilities in [0, 1].

    Returns:
        one value per probability.
    """
    order = np.argsort(values, kind="stable")
    v, w = values[order], weights[order]
    cdf = (np.cumsum(w) - 0.5 * w) / w.sum()
    return np.interp(qs, cdf, v)


def resample(weights: Array, n: int, rng: np.random.Generator) -> npt.NDArray[np.int64]:
    """Indices of ``n`` draws with replacement in proportion to ``weights`` (systematic resampling).

    Args:
        weights: shape (m,), summing to 1.
        n: draws.
        rng: the generator (one uniform is drawn).

    Returns:
        indices, shape (n,), ascending.
    """
    positions = (rng.random() + np.arange(n)) / n
    cdf = np.cumsum(weights)
    cdf[-1] = 1.0
    return np.searchsorted(cdf, positions, side="right").astype(np.int64)
