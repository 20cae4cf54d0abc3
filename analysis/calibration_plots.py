"""Figures of a calibration folder: posterior marginals, pairwise posteriors, predictive bands.

Each figure is split into data preparation (plain pandas/numpy, testable without matplotlib
output) and drawing. The band figure marks the fitting years (filled points) and the held-out years
(open points) of every observed series, with a dashed line at the fitting cut-off.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import NullFormatter

from analysis.calibration import CalibrationResults, load_calibration_results
from analysis.labels import NEUTRAL_COLOUR
from analysis.style import add_caption, figure_bytes, new_figure, styled
from sim.contract.files import write_bytes_atomic

BAND_COLOUR = "#3b6ea8"
OBSERVED_COLOUR = "#222222"
BINS = 30


def short_name(path: str) -> str:
    """The last two parts of a dotted path (``observation.unga_base``)."""
    return ".".join(path.split(".")[-2:])


def _prior_edges(res: CalibrationResults, name: str) -> npt.NDArray[np.float64]:
    prior = res.manifest["calibration"]["parameters"][name]
    lo, hi = float(prior["low"]), float(prior["high"])
    if prior.get("transform") == "log":
        return np.geomspace(lo, hi, BINS + 1)
    return np.linspace(lo, hi, BINS + 1)


def is_log(res: CalibrationResults, name: str) -> bool:
    """Whether a parameter's prior is uniform in its logarithm (drawn on a log axis)."""
    return res.manifest["calibration"]["parameters"][name].get("transform") == "log"


def marginal_data(
    res: CalibrationResults,
) -> dict[str, tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]]:
    """Weighted posterior density of each parameter on its prior's range.

    Returns:
        per parameter ``(edges, density)``; the prior's density is uniform on the same bins.
    """
    weights = res.posterior["weight"].to_numpy()
    out = {}
    for name in res.parameters:
        edges = _prior_edges(res, name)
        counts, _ = np.histogram(res.posterior[name].to_numpy(), bins=edges, weights=weights)
        out[name] = (edges, counts / counts.sum() * BINS if counts.sum() > 0 else counts)
    return out


def draw_marginals(res: CalibrationResults) -> Figure:
    """Posterior marginals against the uniform prior (dashed), one panel per parameter."""
    data = marginal_data(res)
    status = dict(zip(res.identifiability["parameter"], res.identifiability["status"], strict=True))
    cols = 3
    rows = -(-len(data) // cols)
    with styled():
        fig = new_figure(figsize=(10, 2.6 * rows), layout="constrained")
        for i, (name, (edges, density)) in enumerate(data.items()):
            ax = fig.add_subplot(rows, cols, i + 1)
            ax.stairs(density, edges, fill=True, color=BAND_COLOUR, alpha=0.6)
            ax.axhline(1.0, color=NEUTRAL_COLOUR, linestyle="--", linewidth=1)
            if is_log(res, name):
                ax.set_xscale("log")
            ax.set_title(f"{short_name(name)}\n({status.get(name, '')})", fontsize=9)
            ax.set_yticks([])
        add_caption(fig, _caption(res))
    return fig


def draw_pairs(res: CalibrationResults) -> Figure:
    """Pairwise weighted posterior densities (below the diagonal) and marginals (on it)."""
    names = res.parameters
    k = len(names)
    weights = res.posterior["weight"].to_numpy()
    with styled():
        fig = new_figure(figsize=(1.6 * k + 1, 1.6 * k + 1), layout="constrained")
        for i, yi in enumerate(names):
            for j, xj in enumerate(names[: i + 1]):
                ax = fig.add_subplot(k, k, i * k + j + 1)
                ex, ey = _prior_edges(res, xj), _prior_edges(res, yi)
                if i == j:
                    counts, _ = np.histogram(res.posterior[xj], bins=ex, weights=weights)
                    ax.stairs(counts, ex, fill=True, color=BAND_COLOUR, alpha=0.6)
                    ax.set_yticks([])
                else:
                    h, _, _ = np.histogram2d(
                        res.posterior[xj],
                        res.posterior[yi],
                        bins=[ex[::2], ey[::2]],
                        weights=weights,
                    )
                    ax.pcolormesh(ex[::2], ey[::2], h.T, cmap="Blues", shading="flat")
                if is_log(res, xj):
                    ax.set_xscale("log")
                if i != j and is_log(res, yi):
                    ax.set_yscale("log")
                ax.tick_params(labelsize=6)
                ax.xaxis.set_minor_formatter(NullFormatter())
                ax.yaxis.set_minor_formatter(NullFormatter())
                if i == k - 1:
                    ax.set_xlabel(short_name(xj), fontsize=7)
                else:
                    ax.set_xticklabels([])
                if j == 0 and i > 0:
                    ax.set_ylabel(short_name(yi), fontsize=7)
                elif i != j:
                    ax.set_yticklabels([])
        add_caption(fig, _caption(res))
    return fig


def band_data(res: CalibrationResults) -> dict[str, dict[str, pd.DataFrame]]:
    """Per target: its predictive quantiles by year and its observations, tagged fitting or held-out.

    Returns:
        ``{target: {"band": quantiles by year, "observed": year, value, role}}``.
    """
    fitting = res.manifest.get("fitting_data", {})
    out = {}
    for target, band in res.predictive.groupby("target", sort=False):
        fit = fitting.get(target, {"years": [], "values": []})
        observed = pd.DataFrame({"year": fit["years"], "value": fit["values"], "role": "fitting"})
        held = res.validation[res.validation["target"] == target]
        if not held.empty:
            held_rows = pd.DataFrame(
                {"year": held["year"], "value": held["observed"], "role": "held out"}
            )
            observed = pd.concat([observed, held_rows], ignore_index=True)
        out[str(target)] = {"band": band.sort_values("year"), "observed": observed}
    return out


def draw_bands(res: CalibrationResults) -> Figure:
    """The posterior predictive band of each target against its observed series."""
    data = band_data(res)
    with styled():
        fig = new_figure(figsize=(4.2 * len(data), 3.6), layout="constrained")
        for i, (target, parts) in enumerate(data.items()):
            ax = fig.add_subplot(1, len(data), i + 1)
            band, obs = parts["band"], parts["observed"]
            x = band["year"].to_numpy()
            ax.fill_between(
                x, band["q05"], band["q95"], color=BAND_COLOUR, alpha=0.2, label="90% predictive"
            )
            ax.fill_between(
                x, band["q25"], band["q75"], color=BAND_COLOUR, alpha=0.4, label="50% predictive"
            )
            ax.plot(x, band["q50"], color=BAND_COLOUR, linewidth=1.5, label="median")
            fit = obs[obs["role"] == "fitting"]
            held = obs[obs["role"] == "held out"]
            ax.plot(
                fit["year"], fit["value"], "o", color=OBSERVED_COLOUR, label="observed (fitting)"
            )
            ax.plot(
                held["year"],
                held["value"],
                "o",
                mfc="white",
                color=OBSERVED_COLOUR,
                label="observed (held out)",
            )
            cut = float(band["fit_until"].iloc[0])
            ax.axvline(cut + 0.5, color=NEUTRAL_COLOUR, linestyle="--", linewidth=1)
            ax.set_title(target.replace("_", " "))
            ax.set_xlabel("year")
            if i == 0:
                ax.legend(fontsize=7, loc="best")
        add_caption(fig, _caption(res))
    return fig


def _caption(res: CalibrationResults) -> str:
    n = len(res.posterior)
    return f'calibration "{res.manifest["name"]}" · {n:,} weighted points · ESS {res.diagnostics["posterior_ess"]:.0f}'


def plot_calibration(folder: Path | str, fmt: str = "png") -> list[Path]:
    """Write the calibration's figures into ``folder/figures``.

    Args:
        folder: a finished calibration folder.
        fmt: ``png`` or ``svg``.

    Returns:
        the files written.
    """
    res = load_calibration_results(folder)
    out = Path(folder) / "figures"
    out.mkdir(exist_ok=True)
    written = []
    for name, draw in (("marginals", draw_marginals), ("pairs", draw_pairs), ("bands", draw_bands)):
        path = out / f"{name}.{fmt}"
        write_bytes_atomic(path, figure_bytes(draw(res), fmt))
        written.append(path)
    return written
