"""Out-of-sample validation, in-sample fit and identifiability of a calibration.

The held-out table compares the posterior predictive intervals of each target in the years after its
fitting cut-off with the observations of those years (read here, after the fit, by
:func:`sim.calibration.observed.read_heldout_rows`) and the model's median with two naive forecasts:
the last observed fitting value, and the mean of the fitting years. Identifiability compares each
parameter's posterior spread with its prior's on the transformed (uniform prior) scale.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pandas as pd

from sim.calibration.observed import read_heldout_rows
from sim.calibration.spec import Calibration, ResolvedCalibration
from sim.calibration.waves import weighted_quantiles
from sim.loader import InputError

IDENTIFIED = 0.5
"""Posterior/prior ratio of 90% interval widths below which a parameter counts as identified."""
WEAKLY_IDENTIFIED = 0.8
"""Ratio below which it counts as weakly identified; at or above, the data do not identify it."""
PRIOR_90_WIDTH = 0.9
"""Width of the central 90% interval of a uniform prior on the unit scale."""


def to_unit(natural: npt.NDArray[np.float64], spec: Calibration) -> npt.NDArray[np.float64]:
    """Natural parameter values to the unit cube of the transformed prior (inverse of ``to_natural``)."""
    out = np.empty_like(natural, dtype=np.float64)
    for j, prior in enumerate(spec.parameters.values()):
        if prior.transform == "log":
            lo, hi = np.log(prior.low), np.log(prior.high)
            out[:, j] = (np.log(natural[:, j]) - lo) / (hi - lo)
        else:
            out[:, j] = (natural[:, j] - prior.low) / (prior.high - prior.low)
    return out


def _fail(cal: ResolvedCalibration) -> Callable[..., InputError]:
    def fail(message: str, *loc: str | int) -> InputError:
        return InputError(cal.path, message, field=".".join(str(p) for p in loc) or None)

    return fail


def heldout_table(cal: ResolvedCalibration, predictive: pd.DataFrame) -> pd.DataFrame:
    """One row per target and held-out year with an observation inside the replay.

    Args:
        cal: the calibration.
        predictive: the predictive quantiles (``sim.calibration.runner``).

    Returns:
        observed value, predictive quantiles, whether the 50% and 90% intervals cover it, and the
        absolute errors of the model's median and of the two naive forecasts.
    """
    rows = []
    for series in cal.series:
        until = series.target.fit_until or cal.spec.fit_until
        years, values = read_heldout_rows(
            cal.data_path(series.target),
            series.target.column,
            until,
            _fail(cal),
            ("targets", series.name),
        )
        last, mean = float(series.values[-1]), float(series.values.mean())
        pred = predictive[predictive["target"] == series.name].set_index("year")
        for year, value in zip(years.tolist(), values.tolist(), strict=True):
            if year not in pred.index:
                continue
            p = pred.loc[year]
            rows.append(
                {
                    "target": series.name,
                    "year": year,
                    "observed": value,
                    "q05": p["q05"],
                    "q25": p["q25"],
                    "q50": p["q50"],
                    "q75": p["q75"],
                    "q95": p["q95"],
                    "in_50": bool(p["q25"] <= value <= p["q75"]),
                    "in_90": bool(p["q05"] <= value <= p["q95"]),
                    "error_model": abs(p["q50"] - value),
                    "error_last": abs(last - value),
                    "error_fit_mean": abs(mean - value),
                }
            )
    return pd.DataFrame(
        rows,
        columns=[
            "target",
            "year",
            "observed",
            "q05",
            "q25",
            "q50",
            "q75",
            "q95",
            "in_50",
            "in_90",
            "error_model",
            "error_last",
            "error_fit_mean",
        ],
    )


def fit_table(cal: ResolvedCalibration, predictive: pd.DataFrame) -> pd.DataFrame:
    """In-sample fit: per target and fitting year, observed value, predictive median and z-score."""
    rows = []
    for series in cal.series:
        pred = predictive[predictive["target"] == series.name].set_index("year")
        for year, value in zip(series.years.tolist(), series.values.tolist(), strict=True):
            p = pred.loc[year]
            sd = (p["q95"] - p["q05"]) / 3.29
            rows.append(
                {
                    "target": series.name,
                    "year": year,
                    "observed": value,
                    "q50": float(p["q50"]),
                    "z": float((value - p["mean"]) / sd) if sd > 0 else float("nan"),
                }
            )
    return pd.DataFrame(rows, columns=["target", "year", "observed", "q50", "z"])


def identifiability(spec: Calibration, posterior: pd.DataFrame) -> pd.DataFrame:
    """How far the data pin down each parameter: posterior vs prior 90% interval width.

    Args:
        spec: the calibration (its priors).
        posterior: the weighted posterior sample.

    Returns:
        per parameter: prior range, posterior median and 90% interval (natural units), the width
        ratio on the transformed scale, and a status: ``identified`` (< 0.5), ``weakly identified``
        (< 0.8) or ``not identified``.
    """
    names = list(spec.parameters)
    weights = posterior["weight"].to_numpy()
    unit = to_unit(posterior[names].to_numpy(), spec)
    qs = np.array([0.05, 0.5, 0.95])
    rows = []
    for j, name in enumerate(names):
        prior = spec.parameters[name]
        nat = weighted_quantiles(posterior[name].to_numpy(), weights, qs)
        u = weighted_quantiles(unit[:, j], weights, qs)
        ratio = float((u[2] - u[0]) / PRIOR_90_WIDTH)
        status = (
            "identified"
            if ratio < IDENTIFIED
            else "weakly identified"
            if ratio < WEAKLY_IDENTIFIED
            else "not identified"
        )
        rows.append(
            {
                "parameter": name,
                "prior_low": prior.low,
                "prior_high": prior.high,
                "transform": prior.transform,
                "q05": float(nat[0]),
                "median": float(nat[1]),
                "q95": float(nat[2]),
                "width_ratio": ratio,
                "status": status,
            }
        )
    return pd.DataFrame(rows)
