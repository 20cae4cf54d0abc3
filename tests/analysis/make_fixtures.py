"""Build the tiny synthetic results folders under ``tests/analysis/fixtures/``.

The folders follow docs/results.md (format version 1) but the numbers come from a toy relaxation
process drawn with numpy from a fixed seed, not from the model: this script imports only the results contract
(``sim.contract``) from ``sim``. Outcomes are assigned by :func:`sim.contract.outcomes.classify_codes` on the final-window means, exactly as the
model does, so every column is consistent with every other.

Run ``python tests/analysis/make_fixtures.py`` to regenerate (the output is committed).
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # allow `python tests/analysis/make_fixtures.py` from anywhere
    sys.path.insert(0, str(ROOT))

from sim.contract.columns import FORMAT_VERSION, TRAJECTORY_VARIABLES  # noqa: E402
from sim.contract.outcomes import OUTCOMES, Thresholds, classify_codes  # noqa: E402
from sim.contract.summary import write_summary  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "fixtures"
RUN = FIXTURES / "run_baseline"
GRID = FIXTURES / "sweep_grid"
SOBOL = FIXTURES / "sweep_sobol"
SEED = 20261127
STEPS = 24
FINAL_WINDOW = 6
CLASSIFICATION = {"security_floor": 0.4, "economic_floor": 0.4, "tilt_margin": 0.25}
PARQUET: dict[str, Any] = {
    "index": False,
    "compression": "zstd",
    "compression_level": 19,
    "write_statistics": False,
}
DEFAULT_LEVELS = {"us_pressure": 0.5, "china_coercion": 0.5, "dprk_provocation": 0.5}


def write_folder(
    folder: Path,
    manifest: dict[str, Any],
    runs: pd.DataFrame,
    trajectories: pd.DataFrame | None = None,
    bands: pd.DataFrame | None = None,
) -> Path:
    """Write a results folder (manifest, runs, optional trajectories and bands, summary.csv).

    Args:
        folder: destination; replaced if it exists.
        manifest: the manifest dict.
        runs: the runs table.
        trajectories: long-format per-step table, or None.
        bands: per point/step/variable quantiles, or None.

    Returns:
        ``folder``.
    """
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    runs.to_parquet(folder / "runs.parquet", **PARQUET)
    if trajectories is not None:
        trajectories.to_parquet(folder / "trajectories.parquet", **PARQUET)
    if bands is not None:
        bands.to_parquet(folder / "bands.parquet", **PARQUET)
    write_summary(folder)
    return folder


def make_manifest(
    name: str,
    kind: str,
    parameters: list[str],
    sampler: dict[str, Any],
    replications: int,
    n_points: int,
    **extra: Any,
) -> dict[str, Any]:
    """A format-1 manifest with plausible provenance.

    Args:
        name: batch name.
        kind: ``run`` or ``sweep``.
        parameters: swept parameter columns.
        sampler: the sampler block.
        replications: replicates per point.
        n_points: number of points.
        **extra: keys to add or override.

    Returns:
        The manifest dict.
    """
    manifest: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "hedgesim_version": "0.1.0",
        "kind": kind,
        "name": name,
        "scenario": {
            "name": "baseline",
            "levels": DEFAULT_LEVELS,
            "classification": CLASSIFICATION,
        },
        "sweep": None if kind == "run" else {"name": name, "parameters": parameters},
        "parameters": parameters,
        "sampler": sampler,
        "batch_seed": 11,
        "replications": replications,
        "n_points": n_points,
        "n_runs": replications * n_points,
        "steps": STEPS,
        "final_window": FINAL_WINDOW,
        "block_size": 2048,
        "n_blocks": 1,
        "failed_blocks": {},
        "git_commit": "0123456789abcdef0123456789abcdef01234567",
        "python": "3.12.1",
        "packages": {"mesa": "3.5.1", "numpy": "2.5.5"},
        "started": "2026-11-27T20:00:00+00:00",
        "finished": "2026-11-27T20:00:03+00:00",
        "wall_time_s": 3.2,
        "workers": 2,
        "backend": "local",
    }
    manifest.update(extra)
    return manifest


def _relax(
    rng: np.random.Generator, start: float, target: np.ndarray, tau: float, noise: float
) -> np.ndarray:
    """Paths (R, STEPS) relaxing from ``start`` toward ``target`` with small AR(1) noise."""
    t = np.arange(1, STEPS + 1)
    decay = np.exp(-t / tau)
    path = target[:, None] + (start - target[:, None]) * decay[None, :]
    shocks = rng.normal(0.0, noise, size=path.shape)
    for j in range(1, STEPS):
        shocks[:, j] += 0.6 * shocks[:, j - 1]
    return np.round(np.clip(path + shocks, 0.0, 1.0), 2)


def simulate(
    levels: pd.DataFrame, replications: int, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Toy runs for every point (row of ``levels``) times ``replications``.

    Args:
        levels: one row per point with ``us_pressure``, ``china_coercion``, ``dprk_provocation``.
        replications: replicates per point.
        rng: the generator.

    Returns:
        ``(runs, trajectories)`` with every run's trajectory.
    """
    n_points = len(levels)
    point = np.repeat(np.arange(n_points), replications)
    rep = np.tile(np.arange(replications), n_points)
    u = levels["us_pressure"].to_numpy()[point]
    c = levels["china_coercion"].to_numpy()[point]
    k = levels["dprk_provocation"].to_numpy()[point]
    size = len(point)
    lean = rng.normal(0.7 * (u - c), 0.22, size)
    paths = {
        "us_alignment": _relax(rng, 0.5, np.clip(0.55 + lean / 2, 0, 1), 6.0, 0.03),
        "china_engagement": _relax(rng, 0.5, np.clip(0.55 - lean / 2, 0, 1), 9.0, 0.03),
        "japan_cooperation": _relax(rng, 0.4, np.clip(0.3 + 0.4 * k, 0, 1), 8.0, 0.03),
        "derisking": _relax(rng, 0.2, np.clip(0.2 + 0.5 * c * u, 0, 1), 12.0, 0.02),
        "us_commitment": _relax(rng, 0.8, np.clip(0.9 - 0.4 * u * (lean < 0), 0, 1), 8.0, 0.03),
        "threat": _relax(rng, 0.3, np.clip(0.2 + 0.6 * k, 0, 1), 3.0, 0.05),
        "retaliation": _relax(rng, 0.1, np.clip(0.8 * c * (lean > 0), 0, 1), 4.0, 0.03),
        "tariff": _relax(rng, 0.1, np.clip(0.7 * u * (lean < 0.2), 0, 1), 6.0, 0.03),
        "tech_controls": _relax(rng, 0.2, np.clip(0.6 * u * (lean < 0.2), 0, 1), 8.0, 0.03),
        "japan_cooperation_jp": _relax(rng, 0.5, np.clip(0.4 + 0.3 * k, 0, 1), 8.0, 0.03),
    }
    a, m = paths["us_alignment"], paths["china_engagement"]
    sec_target = 0.78 - 0.38 * c - 0.28 * u + 0.12 * a[:, -1] + rng.normal(0, 0.07, size)
    eco_target = 0.82 - 0.32 * u - 0.32 * c + 0.10 * m[:, -1] + rng.normal(0, 0.07, size)
    paths["security_index"] = _relax(rng, 0.6, np.clip(sec_target, 0, 1), 5.0, 0.03)
    paths["economic_index"] = _relax(rng, 0.6, np.clip(eco_target, 0, 1), 7.0, 0.03)
    paths["unga_position"] = np.clip(0.35 + 0.5 * (a - m), 0, 1)
    paths["exports_china"] = np.clip(0.5 * m * (1 - 0.8 * paths["derisking"]), 0, 1)
    paths["exports_us"] = np.clip(0.08 + 0.1 * a * (1 - paths["tariff"]), 0, 1)

    final = {name: np.round(p[:, -FINAL_WINDOW:].mean(axis=1), 4) for name, p in paths.items()}
    outcome = np.asarray(OUTCOMES)[
        classify_codes(
            final["us_alignment"],
            final["china_engagement"],
            final["security_index"],
            final["economic_index"],
            Thresholds(**CLASSIFICATION),
        )
    ]
    seeds = np.random.SeedSequence(11).generate_state(replications, dtype=np.uint64)
    runs = pd.DataFrame(
        {
            "run_id": np.arange(size, dtype=np.int64),
            "point_id": point.astype(np.int64),
            "replicate": rep.astype(np.int64),
            "seed": seeds[rep],
        }
    )
    runs["outcome"] = outcome.astype(str)
    for name in TRAJECTORY_VARIABLES:
        runs[name] = final[name]
    runs["launches"] = rng.poisson(1 + 6 * k).astype(np.int64)

    trajectories = pd.DataFrame(
        {
            "run_id": np.repeat(runs["run_id"].to_numpy(), STEPS),
            "point_id": np.repeat(point, STEPS).astype(np.int64),
            "replicate": np.repeat(rep, STEPS).astype(np.int64),
            "step": np.tile(np.arange(1, STEPS + 1), size).astype(np.int64),
            "outcome": np.repeat(outcome.astype(str), STEPS),
        }
    )
    for name in TRAJECTORY_VARIABLES:
        trajectories[name] = paths[name].reshape(-1)
    return runs, trajectories


def compute_bands(trajectories: pd.DataFrame) -> pd.DataFrame:
    """Per point, step and variable: q10, q50, q90 (to 0.01) and n over all runs.

    Args:
        trajectories: long-format trajectories of every run.

    Returns:
        The bands table.
    """
    long = trajectories.melt(
        id_vars=["point_id", "step"], value_vars=list(TRAJECTORY_VARIABLES), var_name="variable"
    )
    grouped = long.groupby(["point_id", "step", "variable"])["value"]
    bands = grouped.quantile([0.1, 0.5, 0.9]).unstack().round(2)
    bands.columns = ["q10", "q50", "q90"]
    bands["n"] = grouped.size().astype(np.int64)
    return bands.reset_index()


def _levels(points: pd.DataFrame) -> pd.DataFrame:
    levels = pd.DataFrame({k: np.full(len(points), v) for k, v in DEFAULT_LEVELS.items()})
    for column in points.columns:
        levels[column.split(".")[-1]] = points[column].to_numpy()
    return levels


def _add_parameters(runs: pd.DataFrame, points: pd.DataFrame) -> pd.DataFrame:
    values = points.iloc[runs["point_id"].to_numpy()].reset_index(drop=True)
    head = runs[["run_id", "point_id", "replicate", "seed"]]
    return pd.concat([head, values, runs.drop(columns=head.columns)], axis=1)


def build_run(root: Path) -> Path:
    """Single scenario: 40 runs, all trajectories, bands."""
    rng = np.random.default_rng(SEED)
    runs, traj = simulate(_levels(pd.DataFrame(index=[0])), 40, rng)
    manifest = make_manifest("baseline", "run", [], {"kind": "none"}, 40, 1)
    return write_folder(root / "run_baseline", manifest, runs, traj, compute_bands(traj))


def build_grid(root: Path) -> Path:
    """2-parameter grid sweep: 5 x 3 points x 16 replicates; trajectories of 3 replicates."""
    rng = np.random.default_rng(SEED + 1)
    us, cn = np.meshgrid([0.0, 0.25, 0.5, 0.75, 1.0], [0.0, 0.5, 1.0], indexing="ij")
    points = pd.DataFrame({"levels.us_pressure": us.ravel(), "levels.china_coercion": cn.ravel()})
    runs, traj = simulate(_levels(points), 16, rng)
    bands = compute_bands(traj)
    manifest = make_manifest(
        "pressure-grid", "sweep", list(points.columns), {"kind": "grid"}, 16, len(points)
    )
    sample = traj[traj["replicate"] < 3].reset_index(drop=True)
    return write_folder(root / "sweep_grid", manifest, _add_parameters(runs, points), sample, bands)


def build_sobol(root: Path) -> Path:
    """3-parameter Sobol sweep (N=8, first and total order): 40 points x 5 replicates, no series."""
    from SALib.sample import sobol

    rng = np.random.default_rng(SEED + 2)
    names = ["levels.us_pressure", "levels.china_coercion", "levels.dprk_provocation"]
    problem = {"num_vars": 3, "names": names, "bounds": [[0.0, 1.0]] * 3}
    design = sobol.sample(problem, 8, calc_second_order=False, seed=3)
    points = pd.DataFrame(design, columns=names)
    runs, _ = simulate(_levels(points), 5, rng)
    points = points.round(6)
    sampler = {"kind": "sobol", "samples": 8, "problem": problem, "calc_second_order": False}
    manifest = make_manifest("pressure-sobol", "sweep", names, sampler, 5, len(points))
    return write_folder(root / "sweep_sobol", manifest, _add_parameters(runs, points))


def main() -> None:
    """Regenerate every fixture folder."""
    FIXTURES.mkdir(exist_ok=True)
    for build in (build_run, build_grid, build_sobol):
        folder = build(FIXTURES)
        size = sum(p.stat().st_size for p in folder.iterdir())
        print(f"{folder.relative_to(ROOT)}: {size / 1024:.0f} KB")


if __name__ == "__main__":
    main()
