"""A calibration folder read back: its tables and the text ``hedgesim calibrate`` prints.

Reads only the files ``sim.calibration`` wrote (``manifest.json``, ``diagnostics.json``,
``validation.csv``, ``identifiability.csv``, ``posterior.parquet``, ``predictive.parquet``); loads
neither the model nor the calibration code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.contract.errors import ResultsError


@dataclass(frozen=True)
class CalibrationResults:
    """The tables of a finished calibration folder.

    Args:
        folder: the folder.
        manifest: ``manifest.json``.
        diagnostics: ``diagnostics.json``.
        posterior: weighted posterior sample.
        predictive: predictive quantiles per target and year.
        validation: held-out table.
        identifiability: one row per parameter.
    """

    folder: Path
    manifest: dict[str, Any]
    diagnostics: dict[str, Any]
    posterior: pd.DataFrame
    predictive: pd.DataFrame
    validation: pd.DataFrame
    identifiability: pd.DataFrame

    @property
    def parameters(self) -> list[str]:
        """Free parameters, in file order."""
        return list(self.manifest["calibration"]["parameters"])


def load_calibration_results(folder: Path | str) -> CalibrationResults:
    """Read a finished calibration folder.

    Args:
        folder: the folder.

    Returns:
        its tables.

    Raises:
        ResultsError: a file is missing or unreadable, or the calibration has not finished.
    """
    folder = Path(folder)

    def read_json(name: str) -> Any:
        path = folder / name
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise ResultsError(path, f"cannot read: {error}") from None

    def read_table(name: str) -> pd.DataFrame:
        path = folder / name
        try:
            return pd.read_parquet(path) if name.endswith(".parquet") else pd.read_csv(path)
        except (OSError, ValueError) as error:
            raise ResultsError(path, f"cannot read: {error}") from None

    manifest = read_json("manifest.json")
    if not isinstance(manifest, dict) or manifest.get("kind") != "calibration":
        raise ResultsError(folder / "manifest.json", "kind: not a calibration folder")
    if not manifest.get("finished"):
        raise ResultsError(folder / "manifest.json", "finished: the calibration has not finished")
    return CalibrationResults(
        folder=folder,
        manifest=manifest,
        diagnostics=read_json("diagnostics.json"),
        posterior=read_table("posterior.parquet"),
        predictive=read_table("predictive.parquet"),
        validation=read_table("validation.csv"),
        identifiability=read_table("identifiability.csv"),
    )


def validation_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per target and over all: held-out years, coverage of the 50%/90% intervals, mean absolute errors.

    Args:
        table: ``validation.csv`` (``sim.calibration.validation.heldout_table``).

    Returns:
        one row per target plus an ``all`` row.
    """
    columns = ["in_50", "in_90", "error_model", "error_last", "error_fit_mean"]
    parts = []
    for name, group in [*table.groupby("target", sort=False), ("all", table)]:
        if group.empty:
            continue
        row = {"target": name, "years": len(group)}
        row.update({c: float(group[c].astype(float).mean()) for c in columns})
        parts.append(row)
    return pd.DataFrame(parts, columns=["target", "years", *columns]).rename(
        columns={
            "in_50": "coverage_50",
            "in_90": "coverage_90",
            "error_model": "mae_model",
            "error_last": "mae_last_value",
            "error_fit_mean": "mae_fit_mean",
        }
    )


def _fmt(frame: pd.DataFrame) -> str:
    return frame.to_string(index=False, float_format=lambda v: f"{v:.3f}")


def format_report(folder: Path | str) -> str:
    """The text ``hedgesim calibrate`` prints: waves, identifiability, in-sample fit, held-out table.

    Args:
        folder: a finished calibration folder.

    Returns:
        plain text.
    """
    res = load_calibration_results(folder)
    diag = res.diagnostics
    waves = pd.DataFrame(diag["waves"])[
        [
            "wave",
            "points",
            "non_implausible",
            "non_implausible_fraction",
            "ess",
            "min_implausibility",
        ]
    ]
    ident = res.identifiability[["parameter", "prior_low", "prior_high", "q05", "median", "q95"]]
    ident = ident.assign(
        width_ratio=res.identifiability["width_ratio"], status=res.identifiability["status"]
    )
    summary = validation_summary(res.validation)
    lines = [
        f"calibration {res.manifest['name']}: fitted up to {res.manifest['calibration']['fit_until']}"
        f" (per-target cut-offs in the file), {len(res.posterior):,} weighted points,"
        f" posterior ESS {diag['posterior_ess']:.0f}",
        "",
        "waves (non-implausible fraction; ESS of the wave's own weights):",
        _fmt(waves),
        "",
        "identifiability (posterior / prior 90% width on the transformed scale):",
        _fmt(ident),
        "",
        "in-sample fit (fitting years):",
        _fmt(pd.DataFrame(diag["fit"])),
        "",
        *(
            [
                "episodes (posterior mean change, weighted share in the expected direction):",
                _fmt(pd.DataFrame(diag["episodes"])),
                "",
            ]
            if diag.get("episodes")
            else []
        ),
        "out of sample (held-out years; 50%/90% predictive intervals; mean absolute errors of the",
        "model's median and of two naive forecasts: last fitting value, mean of fitting years):",
        _fmt(res.validation.drop(columns=["q25", "q75"])) if not res.validation.empty else "(none)",
        "",
        _fmt(summary) if not summary.empty else "(no held-out observations)",
    ]
    return "\n".join(lines)


def format_uncertainty_comparison(with_posterior: pd.DataFrame, defaults: pd.DataFrame) -> str:
    """Outcome shares of one scenario with coefficients drawn from a posterior and at the defaults.

    Args:
        with_posterior: ``summary.csv`` of the run or sweep with ``--posterior`` (a sweep's points
            are pooled).
        defaults: ``summary.csv`` of the same runs (same seeds) at the default coefficients.

    Returns:
        a plain-text table, one row per outcome class, share and 95% Wilson interval of each.
    """
    from analysis.labels import OUTCOME_LABELS
    from sim.contract.outcomes import OUTCOMES

    def cell(row: pd.Series, outcome: str) -> str:
        share, lo, hi = (100 * float(row[f"{k}_{outcome}"]) for k in ("share", "lo", "hi"))
        return f"{share:5.1f}% [{lo:.1f}-{hi:.1f}]"

    from analysis.summary import pooled_shares

    pooled = len(with_posterior) > 1
    if pooled:
        a, b = pooled_shares(with_posterior), pooled_shares(defaults)
    else:
        a, b = with_posterior.iloc[0], defaults.iloc[0]
    width = max(len(OUTCOME_LABELS[o]) for o in OUTCOMES)
    over = f", pooled over {len(with_posterior):,} points" if pooled else ""
    lines = [
        "Shares with parameter uncertainty (posterior draws) and without (defaults), "
        f"same run seeds{over}:",
        f"{'Outcome':<{width}}  {'posterior draws':<22}  defaults only",
    ]
    for outcome in OUTCOMES:
        label = OUTCOME_LABELS[outcome]
        lines.append(f"{label:<{width}}  {cell(a, outcome):<22}  {cell(b, outcome)}")
    return "\n".join(lines)
