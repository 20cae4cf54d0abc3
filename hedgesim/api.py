"""The Python API for notebooks: ``run``, ``sweep`` and ``load`` return :class:`Results`.

Import it as ``import hedgesim`` (or ``from sim import api``)::

    import hedgesim

    res = hedgesim.run("baseline", replications=2000, seed=7)   # a library name or a YAML path
    res.summary()                                           # shares with 95% Wilson intervals
    res.reclassify(tilt_margin=0.3).summary()               # other thresholds, no rerun
    res.plot("position")                                    # a matplotlib Figure
    res.report("baseline.html")

Batches run through the same engine, seeds and blocks as the command line, so the numbers are the
command line's. A batch of at most :data:`IN_MEMORY_MAX_RUNS` runs without ``out=`` is kept in
memory (its other files wait in a temporary folder that goes with it); a larger one, or any with ``out=``,
stays in its results folder, and :attr:`Results.path` names it. Several scenarios in one call give a
:class:`ResultsSet`.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from analysis import reclassify as _reclassify
from analysis.figures import figure_specs, sensitivity_or_none
from analysis.plots.compare import comparison_data, draw_comparison
from analysis.report import write_report
from analysis.results import Results as FolderResults
from analysis.results import load_results
from sim.aggregate import choose_aggregate
from sim.contract.lock import reading
from sim.engine import ExecOptions, run_batch
from sim.library import library_dir
from sim.loader import InputError, load_scenario
from sim.plan import DEFAULT_BLOCK_SIZE, RunPlan
from sim.scenario import Scenario
from sim.schema_doc import knob_rows
from sim.sweep import load_sweep

IN_MEMORY_MAX_RUNS = 200_000
"""Largest batch kept in memory when no ``out`` folder is given."""

ScenarioLike = Scenario | str | Path
"""A scenario, a path to its YAML file, or the name of a library scenario (``"baseline"``)."""


class Results:
    """The results of one batch, in memory or backed by its results folder.

    Args:
        data: the loaded results (``analysis.results.Results``).
        in_memory: True for a batch run without a results folder: the runs table is in memory and
            the other files (trajectories, bands) wait in a temporary folder, removed when the
            object is.
        keep: that temporary folder.
    """

    def __init__(
        self,
        data: FolderResults,
        *,
        in_memory: bool = False,
        keep: tempfile.TemporaryDirectory[str] | None = None,
    ) -> None:
        self.data = data
        self.in_memory = in_memory
        self._keep = keep  # the temporary folder of in-memory results, removed with this object

    def __repr__(self) -> str:
        where = "in memory" if self.in_memory else str(self.path)
        return f"<hedgesim Results {self.data.caption} ({where})>"

    @property
    def name(self) -> str:
        """The batch name (scenario or sweep name)."""
        return self.data.name

    @property
    def path(self) -> Path | None:
        """The results folder (None for results held in memory)."""
        return None if self.in_memory else self.data.path

    @property
    def runs(self) -> pd.DataFrame:
        """One row per run: ids, seed, swept parameters, outcome, final-window means.

        An aggregate folder holds only its bounded sample of runs; ``points`` counts every run.
        """
        return self.data.runs

    @property
    def manifest(self) -> dict:
        """The batch's manifest (scenario, plan, seeds, versions)."""
        return self.data.manifest

    @property
    def parameters(self) -> list[str]:
        """The swept parameters (empty for a single scenario)."""
        return self.data.parameters

    @property
    def points(self) -> pd.DataFrame:
        """Per point: parameters, runs, runs of each class, means of the final variables."""
        return self.data.points

    def summary(self) -> pd.DataFrame:
        """Per point: runs, most likely outcome, and share with 95% Wilson interval per class."""
        return self.data.summary

    def reclassify(
        self,
        *,
        tilt_margin: float | None = None,
        security_floor: float | None = None,
        economic_floor: float | None = None,
    ) -> Results:
        """The same runs classified with other thresholds (no rerun).

        Args:
            tilt_margin: a tilt needs ``|us_alignment - china_engagement| >= tilt_margin``.
            security_floor: caught between giants needs the security index below this ...
            economic_floor: ... and the economic index below this.

        Returns:
            new results (these are unchanged).
        """
        data = _reclassify.reclassify(
            self.data,
            tilt_margin=tilt_margin,
            security_floor=security_floor,
            economic_floor=economic_floor,
        )
        return Results(data, in_memory=self.in_memory, keep=self._keep)

    def robustness(self) -> pd.DataFrame:
        """Each class's share when each threshold moves by ±0.05 (pooled over points)."""
        return _reclassify.threshold_robustness(self.runs, self.data.thresholds)

    def figures(self) -> dict[str, Figure]:
        """Every figure that applies (as ``hedgesim plot`` draws them), by name."""
        sensitivity = sensitivity_or_none(self.data)
        return {spec.name: spec.draw() for spec in figure_specs(self.data, sensitivity)}

    def plot(self, name: str = "shares") -> Figure:
        """One figure by name.

        Args:
            name: ``shares``, ``outcome_map``, ``fans``, ``fans_by_outcome``, ``position`` or
                ``sensitivity`` (those that apply to this batch).

        Returns:
            the figure.

        Raises:
            KeyError: the figure does not apply here; the message lists those that do.
        """
        specs = {
            spec.name: spec for spec in figure_specs(self.data, sensitivity_or_none(self.data))
        }
        if name not in specs:
            raise KeyError(f"no figure {name!r} for this batch; available: {', '.join(specs)}")
        return specs[name].draw()

    def report(self, path: Path | str) -> Path:
        """Write the self-contained HTML report.

        Args:
            path: the HTML file to write.

        Returns:
            the path written.
        """
        return write_report(self.data, path, knobs=knob_rows(self.data.manifest.scenario))


class ResultsSet(Sequence[Results]):
    """The results of several batches from one call, in the order given.

    Args:
        items: the results.
    """

    def __init__(self, items: Sequence[Results]) -> None:
        self._items = list(items)

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, key: int | str) -> Results:  # type: ignore[override]
        if isinstance(key, str):
            for item in self._items:
                if item.name == key:
                    return item
            raise KeyError(key)
        return self._items[key]

    def __iter__(self) -> Iterator[Results]:
        return iter(self._items)

    def summary(self) -> pd.DataFrame:
        """The summaries of all batches, one table, with a leading ``scenario`` column."""
        frames = [r.summary().assign(scenario=r.name) for r in self._items]
        table = pd.concat(frames, ignore_index=True)
        return table[["scenario", *[c for c in table.columns if c != "scenario"]]]

    def plot(self) -> Figure:
        """Outcome shares of every batch side by side."""
        return draw_comparison(comparison_data([r.data for r in self._items]))


def resolve_scenario(item: ScenarioLike) -> Scenario:
    """A scenario from a Scenario, a YAML path, or a library name.

    Args:
        item: what to resolve.

    Returns:
        the validated scenario.

    Raises:
        InputError: the file is missing or invalid, or no library scenario has that name.
    """
    if isinstance(item, Scenario):
        return item
    path = Path(item)
    if path.suffix in (".yaml", ".yml") or path.exists():
        return load_scenario(path)
    library = library_dir() / f"{item}.yaml"
    if library.is_file():
        return load_scenario(library)
    raise InputError(str(item), "no such file, and no library scenario of that name")


def _execute(
    plan: RunPlan, out: Path | str | None, workers: int | None, backend: str | None, quiet: bool
) -> Results:
    if backend is None:
        small = plan.n_runs <= (plan.block_size or DEFAULT_BLOCK_SIZE)
        backend = "inprocess" if small or workers == 1 else "local"
    options = ExecOptions(backend, workers, None, quiet)
    if out is None and plan.n_runs <= IN_MEMORY_MAX_RUNS:
        tmp = tempfile.TemporaryDirectory(prefix="hedgesim-")
        report = run_batch(plan, Path(tmp.name) / plan.name, options)
        _check(report.complete, report.failed)
        return Results(load_results(report.folder), in_memory=True, keep=tmp)
    if out is None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        out = Path("results") / f"{plan.name}-{stamp}"
    report = run_batch(plan, Path(out), options)
    _check(report.complete, report.failed)
    return Results(load_results(report.folder))


def _check(complete: bool, failed: dict[int, str]) -> None:
    if not complete:
        last = {i: (t.strip().splitlines() or ["?"])[-1] for i, t in failed.items()}
        raise RuntimeError(f"batch incomplete; failed blocks: {last}")


def _run_plans(
    plans: list[RunPlan],
    many: bool,
    out: Path | str | None,
    workers: int | None,
    backend: str | None,
    quiet: bool,
) -> Results | ResultsSet:
    """Run plans one after the other (several: one subfolder of ``out`` each)."""
    results = []
    for plan in plans:
        target = out if not many or out is None else Path(out) / plan.name
        results.append(_execute(plan, target, workers, backend, quiet))
    return ResultsSet(results) if many else results[0]


def run(
    scenarios: ScenarioLike | Sequence[ScenarioLike],
    *,
    replications: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    backend: str | None = None,
    out: Path | str | None = None,
    quiet: bool = True,
) -> Results | ResultsSet:
    """Run the replications of one scenario, or of several.

    Args:
        scenarios: a scenario, YAML path or library name, or a list of them.
        replications: runs per scenario (default: each scenario's ``replications``).
        seed: batch seed (default: each scenario's ``seed``); run ``k`` gets the same seed in every
            scenario, so differences between them are not noise.
        workers: worker processes (default: CPU count, or none for a batch of one block).
        backend: ``inprocess``, ``local`` or ``dask`` (default: chosen by size).
        out: results folder (one scenario) or parent folder (several: one subfolder each); default:
            in memory when small, else ``results/<name>-<time>``.
        quiet: no progress bar.

    Returns:
        :class:`Results` for one scenario, :class:`ResultsSet` for a list.
    """
    many = isinstance(scenarios, Sequence) and not isinstance(scenarios, str)
    items = [resolve_scenario(s) for s in (scenarios if many else [scenarios])]  # type: ignore[union-attr]
    plans = [RunPlan.single(s, replications=replications, seed=seed) for s in items]
    return _run_plans(plans, many, out, workers, backend, quiet)


def sweep(
    files: Path | str | Sequence[Path | str],
    *,
    workers: int | None = None,
    backend: str | None = None,
    out: Path | str | None = None,
    quiet: bool = True,
    aggregate: bool | None = None,
) -> Results | ResultsSet:
    """Run one sweep file, or several.

    Args:
        files: sweep YAML file(s).
        workers: worker processes.
        backend: ``inprocess``, ``local`` or ``dask`` (default: chosen by size).
        out: results folder (one sweep) or parent folder (several); default as in :func:`run`.
        quiet: no progress bar.
        aggregate: per-point aggregates and a sample of runs instead of every run's row
            (docs/results.md, "Aggregate folders"); default: above 20,000,000 runs.

    Returns:
        :class:`Results` for one file, :class:`ResultsSet` for a list.
    """
    many = isinstance(files, Sequence) and not isinstance(files, str)
    paths = [Path(f) for f in (files if many else [files])]  # type: ignore[union-attr]
    plans = [choose_aggregate(load_sweep(p).plan(), aggregate)[0] for p in paths]  # checked first
    return _run_plans(plans, many, out, workers, backend, quiet)


def load(folder: Path | str) -> Results:
    """Open a results folder written by ``hedgesim run``/``sweep`` or by :func:`run`.

    Args:
        folder: the folder.

    Returns:
        its results (folder-backed).

    Raises:
        FolderInUse: a batch is writing the folder right now (the same shared lock as
            ``hedgesim plot`` and ``report``, held while the folder is read).
    """
    with reading(Path(folder)):
        return Results(load_results(folder))
