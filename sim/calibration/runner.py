"""Run a calibration: waves of lane batches on an executor, then the posterior and its predictive.

Each wave is a scrambled Sobol (or LHS) design in the current box of the transformed prior, every
point run ``replications`` times (common random numbers within the wave) as lanes in blocks on the
engine's executors (:mod:`sim.executors`: in-process, process pool or Dask). Points whose
implausibility exceeds the cut are discarded and the next wave's box is drawn around the rest. The
points of all waves, weighted by their synthetic likelihood over the mixture of the waves' uniform
designs, are the posterior sample. A wave's table is written
atomically when it finishes, so an interrupted calibration resumes from its finished waves; every
random number derives from the calibration's seed, so the same seed gives the same posterior.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from tqdm import tqdm

from sim.calibration.evaluate import StatsTask, Window, run_stats
from sim.calibration.folder import (
    DIAGNOSTICS,
    IDENTIFIABILITY,
    POSTERIOR,
    PREDICTIVE,
    VALIDATION,
    CalibrationFolder,
    new_calibration_manifest,
)
from sim.calibration.spec import ResolvedCalibration, to_natural
from sim.calibration.validation import fit_table, heldout_table, identifiability, to_unit
from sim.calibration.waves import (
    effective_sample_size,
    episode_implausibility,
    episode_log_likelihood,
    implausibility,
    log_likelihood,
    mixture_weights,
    next_box,
    normalised_weights,
    resample,
    summarise,
    unit_design,
    wave_rng,
)
from sim.contract.lock import WriterLock
from sim.executors import Executor, make_executor

QUANTILES: dict[str, float] = {"q05": 0.05, "q25": 0.25, "q50": 0.5, "q75": 0.75, "q95": 0.95}
"""Predictive quantiles written per target and year (the 50% and 90% central intervals)."""


class CalibrationFailed(RuntimeError):
    """A block of runs raised or its worker died; the finished waves are kept for a resume."""


@dataclass(frozen=True)
class CalibrationReport:
    """What :func:`calibrate` did.

    Args:
        folder: the calibration folder.
        waves: per wave: points, non-implausible fraction, ESS, box.
        posterior: the weighted posterior sample (natural units).
        validation: the held-out table (one row per target and held-out year).
        identifiability: one row per parameter.
        runs_done: simulations run by this call.
        sim_seconds: wall time spent running them.
        wall_time_s: wall time of this call.
    """

    folder: Path
    waves: list[dict[str, Any]]
    posterior: pd.DataFrame
    validation: pd.DataFrame
    identifiability: pd.DataFrame
    runs_done: int
    sim_seconds: float
    wall_time_s: float


@dataclass
class _Runner:
    cal: ResolvedCalibration
    executor: Executor
    bar: Any
    runs_done: int = 0
    sim_seconds: float = 0.0

    def evaluate(
        self,
        natural: npt.NDArray[np.float64],
        reps: int,
        seeds: npt.NDArray[np.uint64],
        windows: tuple[Window, ...],
    ) -> npt.NDArray[np.float64]:
        """Statistics of every run: point ``i``, replicate ``k`` is row ``i * reps + k``."""
        names = self.cal.parameters
        size = self.cal.spec.method.block_size
        n_runs = len(natural) * reps
        out = np.empty((n_runs, len(windows)))

        def tasks() -> Iterator[StatsTask]:
            for index, start in enumerate(range(0, n_runs, size)):
                runs = np.arange(start, min(start + size, n_runs))
                points, replicate = runs // reps, runs % reps
                values = {p: np.ascontiguousarray(natural[points, j]) for j, p in enumerate(names)}
                yield StatsTask(index, self.cal.scenario, seeds[replicate], values, windows)

        started = time.perf_counter()
        for task, result, error in self.executor.imap_unordered(run_stats, tasks()):
            if error is not None:
                last = (error.strip().splitlines() or ["?"])[-1]
                raise CalibrationFailed(f"block {task.index} failed: {last}")
            start = task.index * size
            out[start : start + len(task.seeds)] = result
            self.bar.update(len(task.seeds))
            self.runs_done += len(task.seeds)
        self.sim_seconds += time.perf_counter() - started
        return out


@dataclass(frozen=True)
class Fit:
    """What a wave's runs are compared with.

    Args:
        windows: target statistics (one per target and fitting year), then two per episode
            (before, after).
        obs: observed value of each target statistic.
        fixed: measurement plus discrepancy variance of each target statistic.
        signs: per episode, +1 for an expected increase, -1 for a decrease.
        sds: per episode, its tolerance.
    """

    windows: tuple[Window, ...]
    obs: npt.NDArray[np.float64]
    fixed: npt.NDArray[np.float64]
    signs: npt.NDArray[np.float64]
    sds: npt.NDArray[np.float64]


def fitting_windows(cal: ResolvedCalibration) -> Fit:
    """The fitted statistics: one per target and fitting year, then the episodes' windows."""
    windows, obs, fixed = [], [], []
    for series in cal.series:
        t = series.target
        for year, value in zip(series.years, series.values, strict=True):
            windows.append(Window(t.observable, cal.month_offset(int(year))))
            obs.append(value)
            fixed.append(t.error_sd**2 + t.discrepancy_sd**2)
    for episode in cal.spec.episodes.values():
        for first, last in (episode.before, episode.after):
            start = cal.month_index(first)
            windows.append(Window(episode.variable, start, cal.month_index(last) - start + 1))
    episodes = list(cal.spec.episodes.values())
    return Fit(
        tuple(windows),
        np.asarray(obs),
        np.asarray(fixed),
        np.array([e.sign for e in episodes]),
        np.array([e.sd for e in episodes]),
    )


def _wave_seeds(seed: int, wave: int, reps: int) -> npt.NDArray[np.uint64]:
    return np.random.SeedSequence([seed, wave + 1, 1]).generate_state(reps, dtype=np.uint64)


def _run_wave(runner: _Runner, wave: int, lo: np.ndarray, hi: np.ndarray, fit: Fit) -> pd.DataFrame:
    cal, method = runner.cal, runner.cal.spec.method
    reps, n_obs = method.replications, len(fit.obs)
    rng = wave_rng(cal.spec.seed, wave, 0)
    unit = lo + (hi - lo) * unit_design(method.design, len(cal.parameters), method.points, rng)
    natural = to_natural(unit, cal.spec)
    stats = runner.evaluate(natural, reps, _wave_seeds(cal.spec.seed, wave, reps), fit.windows)
    mean, var = summarise(stats[:, :n_obs], reps)
    z = implausibility(fit.obs, fit.fixed, mean, var, reps)
    loglik = log_likelihood(fit.obs, fit.fixed, mean, var, reps)
    if len(fit.signs):
        change = stats[:, n_obs + 1 :: 2] - stats[:, n_obs::2]
        e_mean, e_var = summarise(change, reps)
        z = np.hstack([z, episode_implausibility(fit.signs, fit.sds, e_mean, e_var, reps)])
        loglik = loglik + episode_log_likelihood(fit.signs, fit.sds, e_mean, e_var, reps)
        mean, var = np.hstack([mean, e_mean]), np.hstack([var, e_var])
    table = pd.DataFrame({"point": np.arange(len(unit), dtype=np.int64)})
    for j, name in enumerate(cal.parameters):
        table[name] = natural[:, j]
    table["implausibility"] = z.max(axis=1)
    table["non_implausible"] = table["implausibility"] < method.cut
    table["loglik"] = loglik
    table["weight"] = normalised_weights(loglik)
    for j in range(mean.shape[1]):  # target statistics, then episode changes
        table[f"mean_{j}"] = mean[:, j]
        table[f"var_{j}"] = var[:, j]
    table.attrs = {}
    return table


def _wave_summary(
    wave: int, table: pd.DataFrame, lo: np.ndarray, hi: np.ndarray, names: tuple[str, ...]
) -> dict[str, Any]:
    keep = table["non_implausible"].to_numpy()
    return {
        "wave": wave,
        "points": len(table),
        "non_implausible": int(keep.sum()),
        "non_implausible_fraction": float(keep.mean()),
        "ess": effective_sample_size(table["weight"].to_numpy()),
        "min_implausibility": float(table["implausibility"].min()),
        "box": {n: [float(lo[j]), float(hi[j])] for j, n in enumerate(names)},
    }


def _posterior(
    cal: ResolvedCalibration, tables: list[pd.DataFrame], boxes: list[tuple[Any, Any]]
) -> pd.DataFrame:
    """All waves' points pooled, with their importance weights (:func:`mixture_weights`)."""
    names = list(cal.parameters)
    pooled = pd.concat(tables, ignore_index=True)
    unit = to_unit(pooled[names].to_numpy(), cal.spec)
    weights = mixture_weights(pooled["loglik"].to_numpy(), unit, pooled["wave"].to_numpy(), boxes)
    posterior = pooled[["wave", "point", *names, "implausibility", "non_implausible"]].copy()
    n_obs = sum(len(s.years) for s in cal.series)
    for e, episode in enumerate(cal.spec.episodes):  # each point's mean change in the episode
        posterior[f"episode.{episode}"] = pooled[f"mean_{n_obs + e}"]
    posterior["weight"] = weights
    return posterior


def episode_diagnostics(cal: ResolvedCalibration, posterior: pd.DataFrame) -> list[dict[str, Any]]:
    """Per episode: the posterior's weighted mean change and weighted share in the expected direction."""
    weights = posterior["weight"].to_numpy()
    rows = []
    for name, episode in cal.spec.episodes.items():
        change = posterior[f"episode.{name}"].to_numpy()
        rows.append(
            {
                "episode": name,
                "variable": episode.variable,
                "expect": episode.expect,
                "mean_change": float(np.sum(weights * change)),
                "share_expected": float(np.sum(weights * (episode.sign * change > 0))),
            }
        )
    return rows


def _predictive(runner: _Runner, posterior: pd.DataFrame) -> pd.DataFrame:
    """Quantiles of each target's annual value over the replay's years, from posterior draws.

    ``q*`` are quantiles of a new observation (the model's annual mean plus measurement and
    discrepancy noise, the quantity the observed value is compared with); ``model_q*`` leave the
    noise out.
    """
    cal = runner.cal
    seed, draws = cal.spec.seed, cal.spec.method.predictive_draws
    index = resample(posterior["weight"].to_numpy(), draws, wave_rng(seed, -1, 2))
    natural = posterior[list(cal.parameters)].to_numpy()[index]
    years = cal.years
    windows = tuple(
        Window(s.target.observable, cal.month_offset(y)) for s in cal.series for y in years
    )
    seeds = np.random.SeedSequence([seed, 0, 3]).generate_state(draws, dtype=np.uint64)
    stats = runner.evaluate(natural, 1, seeds, windows)
    noise_rng = wave_rng(seed, -1, 4)
    rows = []
    for t, series in enumerate(cal.series):
        target = series.target
        sd = float(np.hypot(target.error_sd, target.discrepancy_sd))
        block = stats[:, t * len(years) : (t + 1) * len(years)]
        noisy = block + noise_rng.normal(0.0, sd, block.shape)
        for y, year in enumerate(years):
            row = {"target": series.name, "observable": target.observable, "year": year}
            row["fit_until"] = target.fit_until or cal.spec.fit_until
            row["mean"] = float(noisy[:, y].mean())
            for key, q in QUANTILES.items():
                row[key] = float(np.quantile(noisy[:, y], q))
                row[f"model_{key}"] = float(np.quantile(block[:, y], q))
            rows.append(row)
    return pd.DataFrame(rows)


def calibrate(
    cal: ResolvedCalibration,
    out: Path | str,
    *,
    backend: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    quiet: bool = False,
) -> CalibrationReport:
    """Run (or resume) a calibration into a calibration folder.

    Args:
        cal: the resolved calibration.
        out: the calibration folder.
        backend: ``inprocess``, ``local`` or ``dask`` (:func:`sim.executors.make_executor`).
        workers: worker processes.
        scheduler: address of a running Dask scheduler (``dask`` only).
        resume: continue the calibration in ``out`` from its finished waves.
        quiet: no progress bar.

    Returns:
        the report.

    Raises:
        ResultsError: the folder cannot be used.
        CalibrationFailed: a block failed (finished waves are kept).
    """
    out = Path(out)
    lock = WriterLock.acquire(out)  # one writer per folder; the OS drops it if we die
    try:
        report = _calibrate_locked(cal, out, backend, workers, scheduler, resume, quiet)
        lock.keep = True
        return report
    except BaseException:
        if not lock.keep and not (out / "manifest.json").exists():
            lock.discard()  # refused or failed before writing anything: leave the disk as it was
        raise
    finally:
        lock.release()


def _calibrate_locked(
    cal: ResolvedCalibration,
    out: Path,
    backend: str,
    workers: int | None,
    scheduler: str | None,
    resume: bool,
    quiet: bool,
) -> CalibrationReport:
    """:func:`calibrate` with the folder's writer lock held."""
    started = time.perf_counter()
    method, names = cal.spec.method, cal.parameters
    data = {
        s.name: {"file": s.target.file, "years": s.years.tolist(), "values": s.values.tolist()}
        for s in cal.series
    }
    expected = new_calibration_manifest(
        cal.spec.model_dump(mode="json"),
        cal.scenario.model_dump(mode="json"),
        cal.fingerprint(),
        data,
    )
    folder = CalibrationFolder.open(out, expected, resume)
    done = min(folder.finished_waves(), method.waves)
    total = (method.waves - done) * method.points * method.replications + method.predictive_draws
    bar = tqdm(
        total=total,
        unit="run",
        unit_scale=True,
        file=sys.stderr,
        dynamic_ncols=True,
        disable=quiet or not sys.stderr.isatty(),
        desc=cal.spec.name,
    )
    fit = fitting_windows(cal)
    lo, hi = np.zeros(len(names)), np.ones(len(names))
    waves: list[dict[str, Any]] = []
    finished = False
    try:
        with make_executor(backend, workers, scheduler) as executor:
            folder.begin()  # only now: bad options (e.g. no scheduler) leave nothing behind
            runner = _Runner(cal, executor, bar)
            tables, boxes = [], []
            for wave in range(method.waves):
                if wave < done:
                    table = folder.read_wave(wave)
                else:
                    table = _run_wave(runner, wave, lo, hi, fit)
                    folder.write_wave(wave, table)
                waves.append(_wave_summary(wave, table, lo, hi, names))
                tables.append(table.assign(wave=wave))
                boxes.append((lo, hi))
                unit = to_unit(table[list(names)].to_numpy(), cal.spec)
                lo, hi = next_box(unit, table["non_implausible"].to_numpy(), lo, hi, method.margin)
            posterior = _posterior(cal, tables, boxes)
            folder.write_table(POSTERIOR, posterior)
            predictive = _predictive(runner, posterior)
        folder.write_table(PREDICTIVE, predictive)
        validation = heldout_table(cal, predictive)
        folder.write_table(VALIDATION, validation)
        ident = identifiability(cal.spec, posterior)
        folder.write_table(IDENTIFIABILITY, ident)
        folder.write_json(
            DIAGNOSTICS,
            {
                "waves": waves,
                "posterior_points": len(posterior),
                "posterior_ess": effective_sample_size(posterior["weight"].to_numpy()),
                "identifiability": ident.to_dict(orient="records"),
                "fit": fit_table(cal, predictive).to_dict(orient="records"),
                "episodes": episode_diagnostics(cal, posterior),
                "runs_this_session": runner.runs_done,
                "simulation_seconds_this_session": runner.sim_seconds,
            },
        )
        finished = True
    finally:
        bar.close()
        folder.end_session(finished)
    return CalibrationReport(
        folder=folder.path,
        waves=waves,
        posterior=posterior,
        validation=validation,
        identifiability=ident,
        runs_done=runner.runs_done,
        sim_seconds=runner.sim_seconds,
        wall_time_s=time.perf_counter() - started,
    )
